/*
 * tls.c — TLS family (over TCP): tls.sni, tls.alpn, tls.ja3, tls.ja4 from
 * the ClientHello; tls.ja3s from the ServerHello; tls.cert.sha1,
 * tls.cert.subject and tls.cert.issuer from the server's first
 * certificate; the tls.cert.san, .serial … kinds of each certificate of
 * the chain through GnuTLS (tls_cert.c); the same for the client's
 * certificate when it sends one (TLS 1.2 client authentication).
 *
 * Which flows: a TCP flow, on any port, with a segment that starts with a
 * TLS handshake record (0x16 0x03) holding a ClientHello, possibly after a
 * PROXY protocol header (analyze/parse/proxy.h; a load balancer's, skipped
 * unread); its sender is the TLS client (normally the flow's client). A
 * capture that missed the client's side or the start of the connection
 * shows the server's ServerHello or Certificate first: its sender is the
 * server then, and the server's side (JA3S, certificates) is read.
 * The start of each direction is reassembled (at most TLS_C2S_MAX and
 * TLS_S2C_MAX bytes; a segment past a gap waits, held, for the missing
 * bytes: stream.c) and handed to the record parser (analyze/parse/
 * tls.h) each time one more record is complete: the session reader
 * (struct tls_session), which carriers (OpenVPN's control channel,
 * RDP-UDP) feed too. The client direction is done once its ClientHello is
 * read and the server's ServerHello chose TLS 1.3 (after a
 * HelloRetryRequest, once the client's second ClientHello is read; at
 * most TLS_SESSION_HELLOS per session), or, under TLS 1.2, once the
 * client's Certificate or ChangeCipherSpec is read; the server direction
 * once the Certificate is read, or after a TLS 1.3 ServerHello or a
 * ChangeCipherSpec (the certificate is encrypted then), or when the
 * stream cannot be followed. QUIC's and DTLS's ClientHellos come from
 * quic.c and dtls.c, which emit them through ex_emit_client_hello().
 *
 * Observations, citing the packet that completed the message (one set
 * per ClientHello whose fingerprints differ from the session's earlier
 * ones; carriers add their word to every detail, "impl=attrib
 * carrier=openvpn ..."):
 *   tls.sni   value: first host_name of server_name; detail "impl=attrib"
 *   tls.alpn  one per protocol the client offers, in its order; detail
 *             "impl=attrib list=h2,http/1.1" (the whole list)
 *   tls.ja3   value: JA3 MD5; detail "impl=attrib ja3=<JA3 string>"
 *   tls.ja4   value: JA4 (FoxIO's client fingerprint); "impl=attrib"
 *   tls.ja3s  value: JA3S MD5; detail "impl=attrib ja3s=<JA3S string>"
 *   tls.cert.sha1 / .subject / .issuer of the first (leaf) certificate;
 *             detail "impl=attrib certs=<certificates in the chain>"
 *             (a client's certificate: "impl=attrib side=client certs=",
 *             and side=client in its chain's details too)
 * Parser anomalies become anomaly observations (layer=tls) as soon as a
 * parse shows them.
 */
#include "analyze/extract/extract_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/parse/proxy.h"
#include "analyze/parse/text.h"
#include "analyze/parse/tls.h"

#define TLS_C2S_MAX (24u * 1024u)
#define TLS_S2C_MAX (48u * 1024u)
#define TLS_CONTENT_HANDSHAKE 0x16
#define TLS_VERSION_1_3 0x0304
#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME 0x100000001b3ull

enum tls_phase { PHASE_OPEN, PHASE_DONE };

struct tls_ctx {
	struct tls_handshake_info info; /* large: one per stage */
};

/* A TLS connection over TCP: the session, by role, and which flow
 * direction the ClientHello came in (the flow's own client, unless the
 * capture began with a server packet). */
struct tls_flow {
	struct tls_session ts;
	uint8_t client_dir;
};

static int tls_ctx_create(struct extract *x)
{
	x->ctx[FAM_TLS] = malloc(sizeof(struct tls_ctx));
	return x->ctx[FAM_TLS] ? 0 : -1;
}

static void tls_ctx_destroy(struct extract *x)
{
	free(x->ctx[FAM_TLS]);
	x->ctx[FAM_TLS] = NULL;
}

static bool tls_tcp_claim(const struct flow *f, enum flow_dir dir,
			  const struct cursor *payload)
{
	struct cursor c = *payload;
	uint8_t type, major, minor, hs_type;
	uint16_t len;

	cursor_skip(&c, proxy_header_len(cursor_ptr(&c), cursor_left(&c)));
	if (!cursor_u8(&c, &type) ||
	    !cursor_u8(&c, &major) || !cursor_u8(&c, &minor) ||
	    type != TLS_CONTENT_HANDSHAKE || major != 3 || minor > 4)
		return false;
	/* When the handshake type is there, it must be a ClientHello, or
	 * (a capture that missed the client's side or its start) the
	 * server's ServerHello or Certificate. */
	if (!cursor_be16(&c, &len) || !cursor_u8(&c, &hs_type))
		return true;
	return hs_type == TLS_HS_CLIENT_HELLO ||
	       hs_type == TLS_HS_SERVER_HELLO || hs_type == TLS_HS_CERTIFICATE;
}

/* True when the payload at p starts with a server's handshake message
 * (ServerHello or Certificate), after a PROXY header. */
static bool starts_server_side(const struct cursor *payload)
{
	struct cursor c = *payload;
	uint8_t type, hs_type;

	cursor_skip(&c, proxy_header_len(cursor_ptr(&c), cursor_left(&c)));
	return cursor_u8(&c, &type) && cursor_skip(&c, 4) &&
	       cursor_u8(&c, &hs_type) && type == TLS_CONTENT_HANDSHAKE &&
	       (hs_type == TLS_HS_SERVER_HELLO ||
		hs_type == TLS_HS_CERTIFICATE);
}

/*
 * Complete records at the start of the buffer; UINT32_MAX when a record
 * header there is one the parser rejects (so it is parsed, and the
 * anomaly recorded, at once rather than when the buffer is full).
 */
static uint32_t complete_records(const struct stream *st)
{
	struct cursor c;
	uint32_t n = 0;
	uint16_t len;
	uint8_t type, major;

	cursor_init(&c, st->buf, st->len);
	while (cursor_u8(&c, &type) && cursor_u8(&c, &major) &&
	       cursor_skip(&c, 1) && cursor_be16(&c, &len)) {
		if (major != 3 || len > TLS_RECORD_MAX)
			return UINT32_MAX;
		if (!cursor_skip(&c, len))
			break;
		n++;
	}
	return n;
}

void ex_emit_client_hello(struct extract *x, struct extract_flow *s,
			  const struct tls_client_hello *ch,
			  const char *transport, const struct packet *pkt)
{
	char impl[64];
	struct textbuf list;

	textbuf_init(&list, impl, sizeof(impl));
	textbuf_puts(&list, "impl=attrib");
	if (transport && transport[0]) {
		textbuf_putc(&list, ' ');
		textbuf_puts(&list, transport);
	}
	if (ch->has_sni)
		ex_emit(x, s, OBS_TLS_SNI, 0, ch->sni, impl, pkt);
	if (ch->n_alpn > 0) {
		textbuf_init(&list, x->detail, sizeof(x->detail));
		textbuf_puts(&list, impl);
		textbuf_puts(&list, " list=");
		for (uint32_t i = 0; i < ch->n_alpn; i++) {
			if (i > 0)
				textbuf_putc(&list, ',');
			textbuf_puts(&list, ch->alpn[i]);
		}
		for (uint32_t i = 0; i < ch->n_alpn; i++)
			ex_emit(x, s, OBS_TLS_ALPN, 0, ch->alpn[i], x->detail,
				pkt);
	}
	if (ch->ja3_md5[0]) {
		snprintf(x->detail, sizeof(x->detail), "%s ja3=%s", impl,
			 ch->ja3);
		ex_emit(x, s, OBS_TLS_JA3, 0, ch->ja3_md5, x->detail, pkt);
	}
	if (ch->ja4[0])
		ex_emit(x, s, OBS_TLS_JA4, 0, ch->ja4, impl, pkt);
}

/* FNV-1a over a string and its terminating NUL. */
static uint64_t hash_text(uint64_t h, const char *t)
{
	do {
		h ^= (uint8_t)*t;
		h *= FNV64_PRIME;
	} while (*t++);
	return h;
}

uint64_t ex_client_hello_hash(const struct tls_client_hello *ch)
{
	uint64_t h = hash_text(FNV64_OFFSET, ch->ja3);

	h = hash_text(h, ch->ja4);
	h = hash_text(h, ch->has_sni ? ch->sni : "");
	for (uint32_t i = 0; i < ch->n_alpn; i++)
		h = hash_text(h, ch->alpn[i]);
	return h;
}

/* One more ClientHello of the session: emitted unless an earlier one had
 * the same fingerprints. */
static void read_client_hello(struct extract *x, struct extract_flow *s,
			      struct tls_session *ts,
			      const struct tls_client_hello *ch,
			      const struct packet *pkt)
{
	uint64_t h = ex_client_hello_hash(ch);

	ts->hellos++;
	for (uint8_t i = 0; i < ts->distinct; i++)
		if (ts->hello_hash[i] == h)
			return;
	ts->hello_hash[ts->distinct++] = h;
	ex_emit_client_hello(x, s, ch, ts->carrier, pkt);
}

void ex_emit_certificate(struct extract *x, struct extract_flow *s,
			 const struct tls_certificate *cert, const char *words,
			 const struct packet *pkt)
{
	const char *sep = words && words[0] ? " " : "";

	snprintf(x->detail, sizeof(x->detail), "impl=attrib%s%s certs=%u",
		 sep, words ? words : "", cert->n_certs);
	ex_emit(x, s, OBS_TLS_CERT_SHA1, 0, cert->sha1, x->detail, pkt);
	ex_emit(x, s, OBS_TLS_CERT_SUBJECT, 0, cert->names.subject, x->detail,
		pkt);
	ex_emit(x, s, OBS_TLS_CERT_ISSUER, 0, cert->names.issuer, x->detail,
		pkt);
	ex_emit_cert_chain(x, s, cert, words, pkt);
}

static void emit_server_side(struct extract *x, struct extract_flow *s,
			     struct tls_session *ts,
			     const struct tls_handshake_info *info,
			     const struct packet *pkt)
{
	const struct tls_server_hello *sh = &info->server_hello;
	const char *sep = ts->carrier[0] ? " " : "";

	if (info->has_server_hello && !ts->server_hello_emitted) {
		ts->server_hello_emitted = true;
		if (sh->ja3s_md5[0]) {
			snprintf(x->detail, sizeof(x->detail),
				 "impl=attrib%s%s ja3s=%s", sep, ts->carrier,
				 sh->ja3s);
			ex_emit(x, s, OBS_TLS_JA3S, 0, sh->ja3s_md5, x->detail,
				pkt);
		}
	}
	if (info->has_certificate)
		ex_emit_certificate(x, s, &info->certificate, ts->carrier,
				    pkt);
}

/* The client's certificate (TLS 1.2 client authentication), once. */
static void emit_client_certificate(struct extract *x, struct extract_flow *s,
				    struct tls_session *ts,
				    const struct tls_certificate *cert,
				    const struct packet *pkt)
{
	char words[TLS_SESSION_CARRIER_SIZE + 16];

	if (ts->client_cert_emitted)
		return;
	ts->client_cert_emitted = true;
	snprintf(words, sizeof(words), "%s%sside=client", ts->carrier,
		 ts->carrier[0] ? " " : "");
	ex_emit_certificate(x, s, cert, words, pkt);
}

static void finish_role(struct extract *x, struct tls_session *ts,
			enum flow_dir role)
{
	ts->phase[role] = PHASE_DONE;
	stream_free(x, &ts->dir[role]);
}

/* True when the server's ServerHello chose TLS 1.3 (not a retry). */
static bool server_chose_tls13(const struct tls_session *ts)
{
	return ts->server_hello_seen && !ts->hello_retry && ts->tls13;
}

/*
 * The client side: every ClientHello not read yet, then (TLS 1.2) the
 * client's certificate; true when nothing more is to be read: after a TLS
 * 1.3 ServerHello (the client's certificate would be encrypted), the
 * client's certificate, or its ChangeCipherSpec.
 */
static bool parse_client(struct extract *x, struct extract_flow *s,
			 struct tls_session *ts, enum tls_status *status,
			 anomaly_set *anomalies, const struct packet *pkt)
{
	struct tls_handshake_info *info =
		&((struct tls_ctx *)x->ctx[FAM_TLS])->info;
	const struct stream *st = &ts->dir[FLOW_DIR_C2S];
	size_t used;

	do {
		*status = tls_parse_records_nth(st->buf, st->len, TLS_OVER_TCP,
						ts->hellos, info, &used);
		*anomalies |= info->anomalies;
		if (!info->has_client_hello)
			break;
		read_client_hello(x, s, ts, &info->client_hello, pkt);
	} while (ts->hellos < TLS_SESSION_HELLOS &&
		 info->client_hellos > ts->hellos);
	if (info->has_certificate)
		emit_client_certificate(x, s, ts, &info->certificate, pkt);
	if (ts->hellos == 0)
		return false;
	if (ts->hellos >= TLS_SESSION_HELLOS)
		return true;
	/* A HelloRetryRequest is TLS 1.3's: the second ClientHello is the
	 * last thing in the clear. */
	if (ts->server_hello_seen && ts->hello_retry)
		return ts->hellos >= 2;
	return info->has_certificate || info->saw_change_cipher_spec ||
	       server_chose_tls13(ts);
}

/* The server side: JA3S and certificate; true when done. */
static bool parse_server(struct extract *x, struct extract_flow *s,
			 struct tls_session *ts, enum tls_status *status,
			 anomaly_set *anomalies, const struct packet *pkt)
{
	struct tls_handshake_info *info =
		&((struct tls_ctx *)x->ctx[FAM_TLS])->info;
	const struct stream *st = &ts->dir[FLOW_DIR_S2C];
	size_t used;

	*status = tls_parse_records(st->buf, st->len, TLS_OVER_TCP, info,
				    &used);
	*anomalies |= info->anomalies;
	emit_server_side(x, s, ts, info, pkt);
	if (info->has_server_hello && !ts->server_hello_seen) {
		ts->server_hello_seen = true;
		ts->hello_retry = info->server_hello.hello_retry;
		ts->tls13 = info->server_hello.selected_version ==
			    TLS_VERSION_1_3;
		/* Under TLS 1.3 the client waited only for this answer; under
		 * 1.2 its certificate may follow, in the clear. */
		if (server_chose_tls13(ts) && ts->hellos > 0 &&
		    ts->phase[FLOW_DIR_C2S] == PHASE_OPEN)
			finish_role(x, ts, FLOW_DIR_C2S);
	}
	return info->saw_change_cipher_spec || info->has_certificate ||
	       (info->has_server_hello &&
		info->server_hello.selected_version == TLS_VERSION_1_3);
}

/*
 * Parses the role's buffer from its start (the parser keeps no state
 * between calls) and emits what became available. final: the flow ended,
 * so whatever is there is all there will be.
 */
static void session_parse(struct extract *x, struct extract_flow *s,
			  struct tls_session *ts, enum flow_dir role,
			  bool final, const struct packet *pkt)
{
	enum tls_status status;
	anomaly_set anomalies = 0, fresh;
	bool done;

	if (role == FLOW_DIR_C2S)
		done = parse_client(x, s, ts, &status, &anomalies, pkt);
	else
		done = parse_server(x, s, ts, &status, &anomalies, pkt);
	done = done || final || status == TLS_STATUS_MALFORMED ||
	       status == TLS_STATUS_NOT_TLS;
	if (!done && ts->dir[role].full) {
		anomaly_add(&anomalies, ANOM_FIELD_TOO_LONG);
		done = true;
	}
	fresh = anomalies & ~ts->anomalies[role];
	ts->anomalies[role] |= fresh;
	ex_anomalies(x, s, fresh, "tls", pkt);
	if (done)
		finish_role(x, ts, role);
}

void tls_session_init(struct tls_session *ts, const char *carrier)
{
	memset(ts, 0, sizeof(*ts));
	stream_init(&ts->dir[FLOW_DIR_C2S], TLS_C2S_MAX);
	stream_init(&ts->dir[FLOW_DIR_S2C], TLS_S2C_MAX);
	/* Over TCP, a segment past a gap waits for the missing bytes. */
	ts->dir[FLOW_DIR_C2S].hold_reordered = true;
	ts->dir[FLOW_DIR_S2C].hold_reordered = true;
	if (carrier)
		snprintf(ts->carrier, sizeof(ts->carrier), "%s", carrier);
}

void tls_session_update(struct extract *x, struct extract_flow *s,
			struct tls_session *ts, enum flow_dir role,
			const struct packet *pkt)
{
	struct stream *st = &ts->dir[role];
	uint32_t records;

	if (ts->phase[role] == PHASE_DONE)
		return;
	records = complete_records(st);
	if (records > ts->records[role] || st->full) {
		ts->records[role] = records;
		session_parse(x, s, ts, role, false, pkt);
	}
}

void tls_session_stop(struct extract *x, struct tls_session *ts,
		      enum flow_dir role)
{
	finish_role(x, ts, role);
}

bool tls_session_role_done(const struct tls_session *ts, enum flow_dir role)
{
	return ts->phase[role] == PHASE_DONE;
}

bool tls_session_done(const struct tls_session *ts)
{
	return ts->phase[FLOW_DIR_C2S] == PHASE_DONE &&
	       ts->phase[FLOW_DIR_S2C] == PHASE_DONE;
}

/* A direction cut short by the flow's end: read what complete records
 * there are, once more, so their values and anomalies are not lost. */
void tls_session_end(struct extract *x, struct extract_flow *s,
		     struct tls_session *ts)
{
	for (int role = 0; role < 2; role++)
		if (ts->phase[role] != PHASE_DONE && ts->records[role] > 0)
			session_parse(x, s, ts, (enum flow_dir)role, true,
				      NULL);
}

void tls_session_free(struct extract *x, struct tls_session *ts)
{
	stream_free(x, &ts->dir[FLOW_DIR_C2S]);
	stream_free(x, &ts->dir[FLOW_DIR_S2C]);
}

static void tls_packet(struct extract *x, struct extract_flow *s,
		       const struct flow *f, enum flow_dir dir,
		       const struct packet *pkt)
{
	struct tls_flow *tf = s->fam[FAM_TLS];
	struct cursor payload;
	enum flow_dir role;

	if (!tf) {
		/* The claimed packet, with the ClientHello, comes first. */
		tf = calloc(1, sizeof(*tf));
		if (!tf) {
			ex_family_done(x, s, FAM_TLS);
			return;
		}
		tls_session_init(&tf->ts, NULL);
		tf->client_dir = (uint8_t)dir;
		if (ex_payload(pkt, &payload) && starts_server_side(&payload))
			/* the server spoke first in this capture */
			tf->client_dir = (uint8_t)(dir == FLOW_DIR_C2S
							   ? FLOW_DIR_S2C
							   : FLOW_DIR_C2S);
		else if (ex_payload(pkt, &payload))
			tf->ts.dir[FLOW_DIR_C2S].skip = proxy_header_len(
				cursor_ptr(&payload), cursor_left(&payload));
		s->fam[FAM_TLS] = tf;
	}
	role = dir == tf->client_dir ? FLOW_DIR_C2S : FLOW_DIR_S2C;
	if (tf->ts.phase[role] == PHASE_DONE)
		return;
	switch (stream_feed(x, &tf->ts.dir[role], pkt)) {
	case STREAM_DATA:
		tls_session_update(x, s, &tf->ts, role, pkt);
		break;
	case STREAM_GAP:
		x->stats.streams_gap++;
		tls_session_stop(x, &tf->ts, role);
		break;
	case STREAM_REFUSED:
		tls_session_stop(x, &tf->ts, role);
		break;
	case STREAM_NOTHING:
		break;
	}
	if (tls_session_done(&tf->ts))
		ex_family_done(x, s, FAM_TLS);
}

static void tls_flow_end(struct extract *x, struct extract_flow *s,
			 const struct flow *f)
{
	struct tls_flow *tf = s->fam[FAM_TLS];

	if (tf)
		tls_session_end(x, s, &tf->ts);
}

static void tls_flow_free(struct extract *x, struct extract_flow *s)
{
	struct tls_flow *tf = s->fam[FAM_TLS];

	if (!tf)
		return;
	tls_session_free(x, &tf->ts);
	free(tf);
	s->fam[FAM_TLS] = NULL;
}

const struct extractor extract_tls = {
	.name = "tls",
	.ctx_create = tls_ctx_create,
	.ctx_destroy = tls_ctx_destroy,
	.tcp_claim = tls_tcp_claim,
	.packet = tls_packet,
	.flow_end = tls_flow_end,
	.flow_free = tls_flow_free,
};
