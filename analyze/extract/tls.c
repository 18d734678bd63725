/*
 * tls.c — TLS family (over TCP): tls.sni, tls.alpn, tls.ja3, tls.ja4 from
 * the ClientHello; tls.ja3s from the ServerHello; tls.cert.sha1,
 * tls.cert.subject and tls.cert.issuer from the server's first
 * certificate.
 *
 * Which flows: a TCP flow, on any port, with a segment that starts with a
 * TLS handshake record (0x16 0x03) holding a ClientHello, possibly after a
 * PROXY protocol header (analyze/parse/proxy.h; a load balancer's, skipped
 * unread); its sender is the TLS client (normally the flow's client).
 * The start of each direction is reassembled (at most TLS_C2S_MAX and
 * TLS_S2C_MAX bytes) and handed to the record parser (analyze/parse/
 * tls.h) each time one more record is complete. The client direction is
 * done once the ClientHello is read; the server direction once the
 * Certificate is read, or after a TLS 1.3 ServerHello or a
 * ChangeCipherSpec (the certificate is encrypted then), or when the
 * stream cannot be followed. QUIC's and DTLS's ClientHellos come from
 * quic.c and dtls.c, which emit them through ex_emit_client_hello().
 *
 * Observations, citing the packet that completed the message:
 *   tls.sni   value: first host_name of server_name; detail "impl=attrib"
 *   tls.alpn  one per protocol the client offers, in its order; detail
 *             "impl=attrib list=h2,http/1.1" (the whole list)
 *   tls.ja3   value: JA3 MD5; detail "impl=attrib ja3=<JA3 string>"
 *   tls.ja4   value: JA4 (FoxIO's client fingerprint); "impl=attrib"
 *   tls.ja3s  value: JA3S MD5; detail "impl=attrib ja3s=<JA3S string>"
 *   tls.cert.sha1 / .subject / .issuer of the first (leaf) certificate;
 *             detail "impl=attrib certs=<certificates in the chain>"
 * Parser anomalies become anomaly observations (layer=tls).
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

enum tls_phase { PHASE_OPEN, PHASE_DONE };

struct tls_ctx {
	struct tls_handshake_info info; /* large: one per stage */
};

/* Indexed by role: FLOW_DIR_C2S the ClientHello's sender, FLOW_DIR_S2C
 * the other side (the flow's own client and server, unless the capture
 * began with a server packet). */
struct tls_flow {
	struct stream dir[2];
	uint32_t records[2];  /* complete records at the last parse */
	uint8_t phase[2];     /* enum tls_phase */
	uint8_t client_dir;   /* flow direction of the ClientHello */
	bool server_hello_emitted;
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
	/* When the handshake type is there, it must be a ClientHello. */
	if (!cursor_be16(&c, &len) || !cursor_u8(&c, &hs_type))
		return true;
	return hs_type == TLS_HS_CLIENT_HELLO;
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
	if (transport) {
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

static void emit_server_side(struct extract *x, struct extract_flow *s,
			     struct tls_flow *tf,
			     const struct tls_handshake_info *info,
			     const struct packet *pkt)
{
	const struct tls_server_hello *sh = &info->server_hello;
	const struct tls_certificate *cert = &info->certificate;

	if (info->has_server_hello && !tf->server_hello_emitted) {
		tf->server_hello_emitted = true;
		if (sh->ja3s_md5[0]) {
			snprintf(x->detail, sizeof(x->detail),
				 "impl=attrib ja3s=%s", sh->ja3s);
			ex_emit(x, s, OBS_TLS_JA3S, 0, sh->ja3s_md5, x->detail,
				pkt);
		}
	}
	if (info->has_certificate) {
		snprintf(x->detail, sizeof(x->detail), "impl=attrib certs=%u",
			 cert->n_certs);
		ex_emit(x, s, OBS_TLS_CERT_SHA1, 0, cert->sha1, x->detail, pkt);
		ex_emit(x, s, OBS_TLS_CERT_SUBJECT, 0, cert->names.subject,
			x->detail, pkt);
		ex_emit(x, s, OBS_TLS_CERT_ISSUER, 0, cert->names.issuer,
			x->detail, pkt);
	}
}

/*
 * Parses the direction's buffer from its start (the parser keeps no
 * state between calls) and emits what became available. final: the flow
 * ended, so whatever is there is all there will be.
 */
static void tls_parse_dir(struct extract *x, struct extract_flow *s,
			  struct tls_flow *tf, enum flow_dir dir, bool final,
			  const struct packet *pkt)
{
	struct tls_ctx *c = x->ctx[FAM_TLS];
	struct tls_handshake_info *info = &c->info;
	struct stream *st = &tf->dir[dir];
	enum tls_status status;
	bool done;
	size_t used;

	status = tls_parse_records(st->buf, st->len, TLS_OVER_TCP, info,
				   &used);
	if (dir == FLOW_DIR_C2S) {
		if (info->has_client_hello)
			ex_emit_client_hello(x, s, &info->client_hello, NULL,
					     pkt);
		done = info->has_client_hello;
	} else {
		emit_server_side(x, s, tf, info, pkt);
		done = info->has_certificate ||
		       (info->has_server_hello &&
			info->server_hello.selected_version ==
				TLS_VERSION_1_3);
	}
	done = done || final || info->saw_change_cipher_spec ||
	       status == TLS_STATUS_MALFORMED || status == TLS_STATUS_NOT_TLS;
	if (!done && st->full) {
		anomaly_add(&info->anomalies, ANOM_FIELD_TOO_LONG);
		done = true;
	}
	if (!done)
		return;
	ex_anomalies(x, s, info->anomalies, "tls", pkt);
	tf->phase[dir] = PHASE_DONE;
	stream_free(x, st);
}

static void tls_packet(struct extract *x, struct extract_flow *s,
		       const struct flow *f, enum flow_dir dir,
		       const struct packet *pkt)
{
	struct tls_flow *tf = s->fam[FAM_TLS];
	struct cursor payload;
	struct stream *st;
	uint32_t records;

	if (!tf) {
		/* The claimed packet, with the ClientHello, comes first. */
		tf = calloc(1, sizeof(*tf));
		if (!tf) {
			ex_family_done(x, s, FAM_TLS);
			return;
		}
		stream_init(&tf->dir[FLOW_DIR_C2S], TLS_C2S_MAX);
		stream_init(&tf->dir[FLOW_DIR_S2C], TLS_S2C_MAX);
		tf->client_dir = (uint8_t)dir;
		if (ex_payload(pkt, &payload))
			tf->dir[FLOW_DIR_C2S].skip = proxy_header_len(
				cursor_ptr(&payload), cursor_left(&payload));
		s->fam[FAM_TLS] = tf;
	}
	dir = dir == tf->client_dir ? FLOW_DIR_C2S : FLOW_DIR_S2C;
	if (tf->phase[dir] == PHASE_DONE)
		return;
	st = &tf->dir[dir];
	switch (stream_feed(x, st, pkt)) {
	case STREAM_DATA:
		records = complete_records(st);
		if (records > tf->records[dir] || st->full) {
			tf->records[dir] = records;
			tls_parse_dir(x, s, tf, dir, false, pkt);
		}
		break;
	case STREAM_GAP:
		x->stats.streams_gap++;
		tf->phase[dir] = PHASE_DONE;
		stream_free(x, st);
		break;
	case STREAM_REFUSED:
		tf->phase[dir] = PHASE_DONE;
		break;
	case STREAM_NOTHING:
		break;
	}
	if (tf->phase[0] == PHASE_DONE && tf->phase[1] == PHASE_DONE)
		ex_family_done(x, s, FAM_TLS);
}

/* A direction cut short by the flow's end: read what complete records
 * there are, once more, so their anomalies are not lost. */
static void tls_flow_end(struct extract *x, struct extract_flow *s,
			 const struct flow *f)
{
	struct tls_flow *tf = s->fam[FAM_TLS];

	if (!tf)
		return;
	for (int dir = 0; dir < 2; dir++)
		if (tf->phase[dir] != PHASE_DONE && tf->records[dir] > 0)
			tls_parse_dir(x, s, tf, (enum flow_dir)dir, true, NULL);
}

static void tls_flow_free(struct extract *x, struct extract_flow *s)
{
	struct tls_flow *tf = s->fam[FAM_TLS];

	if (!tf)
		return;
	stream_free(x, &tf->dir[0]);
	stream_free(x, &tf->dir[1]);
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
