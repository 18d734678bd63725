/*
 * dtls.c — DTLS family: tls.sni, tls.alpn, tls.ja3 and tls.ja4 from the
 * DTLS ClientHello (analyze/parse/dtls.h), read here rather than taken
 * from nDPI; the certificate kinds from each side's Certificate message
 * (DTLS 1.0 and 1.2: 1.3 encrypts it).
 *
 * Which flows: UDP flows whose first datagram is a DTLS handshake record,
 * a STUN message (RFC 5389, magic cookie; WebRTC sends STUN, DTLS and
 * RTP on one port pair, RFC 7983), or CAPWAP control (UDP port 5246,
 * RFC 5415: a CAPWAP header, or its DTLS preamble, 0x01 and three zero
 * bytes, before DTLS records). Datagrams of
 * either side that start a DTLS record (after that preamble) are read
 * until that side encrypts (or sent DTLS_HELLOS ClientHellos), looking at
 * most at DTLS_FLOW_DATAGRAMS datagrams of the flow; the reassembly
 * buffers count against the stage's stream budget.
 *
 * Observations, citing the datagram that completed the ClientHello, are
 * those of the TLS family (ex_emit_client_hello(), tls.c) with detail
 * "impl=attrib dtls=<record version>", and JA4 starts with 'd'. A side's
 * first Certificate gives what a TLS server's does (ex_emit_certificate(),
 * tls.c), citing the datagram that completed it, with "dtls=<record
 * version>" in the details, and "side=client" when that side sent a
 * ClientHello. Parser anomalies are emitted per datagram (layer=tls).
 * When no ClientHello comes out of the flow, ndpi.c emits nDPI's values
 * at flow end.
 */
#include "analyze/extract/extract_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "analyze/parse/dtls.h"

/* Datagrams of a flow looked at before giving up on its ClientHello. */
#define DTLS_FLOW_DATAGRAMS 32
#define STUN_HEADER_LEN 20
#define STUN_MAGIC_COOKIE 0x2112a442u
#define CAPWAP_DTLS_PREAMBLE_LEN 4
#define CAPWAP_CONTROL_PORT 5246

struct dtls_ctx {
	struct tls_client_hello hello; /* large: one per stage */
	struct tls_certificate cert;   /* large too */
};

/* Per flow direction: each side's ClientHellos; hashes of the
 * fingerprints emitted so far. */
struct dtls_flow {
	struct dtls_state st[2];
	uint64_t emitted[2 * DTLS_HELLOS];
	uint8_t n_emitted;
	uint8_t datagrams; /* looked at */
};

static int dtls_ctx_create(struct extract *x)
{
	x->ctx[FAM_DTLS] = malloc(sizeof(struct dtls_ctx));
	return x->ctx[FAM_DTLS] ? 0 : -1;
}

static void dtls_ctx_destroy(struct extract *x)
{
	free(x->ctx[FAM_DTLS]);
	x->ctx[FAM_DTLS] = NULL;
}

/* A STUN message (RFC 5389 6): type with the top two bits clear, a
 * length that fills the datagram, the magic cookie. */
static bool stun_message(const struct cursor *payload)
{
	struct cursor c = *payload;
	uint16_t type, len;
	uint32_t cookie;

	return cursor_be16(&c, &type) && (type & 0xc000) == 0 &&
	       cursor_be16(&c, &len) && cursor_be32(&c, &cookie) &&
	       cookie == STUN_MAGIC_COOKIE && len % 4 == 0 &&
	       cursor_left(payload) == STUN_HEADER_LEN + (size_t)len;
}

/*
 * Offset of a DTLS record in the datagram: 0, or past a CAPWAP DTLS
 * preamble; -1 when the datagram does not start one.
 */
static int dtls_offset(const struct cursor *payload)
{
	struct cursor c = *payload;
	uint32_t preamble;

	if (dtls_looks_like(cursor_ptr(&c), cursor_left(&c)))
		return 0;
	if (cursor_be32(&c, &preamble) && preamble == 0x01000000u &&
	    dtls_looks_like(cursor_ptr(&c), cursor_left(&c)))
		return CAPWAP_DTLS_PREAMBLE_LEN;
	return -1;
}

static bool dtls_flow_start(struct extract *x, struct extract_flow *s,
			    const struct flow *f, const struct packet *pkt)
{
	struct cursor c;
	uint8_t preamble;

	if (f->l4_proto != IP_PROTO_UDP || !ex_payload(pkt, &c))
		return false;
	if (dtls_offset(&c) >= 0 || stun_message(&c))
		return true;
	return (f->client_port == CAPWAP_CONTROL_PORT ||
		f->server_port == CAPWAP_CONTROL_PORT) &&
	       cursor_peek_u8(&c, c.off, &preamble) && preamble <= 0x01;
}

static void release_hello(struct extract *x, struct dtls_state *st)
{
	x->stats.stream_bytes -= st->hello.cap;
	dtls_hello_done(st);
}

static void release_cert(struct extract *x, struct dtls_state *st)
{
	x->stats.stream_bytes -= st->cert.cap;
	dtls_certificate_done(st);
}

/* Bytes the side's reassembly buffers hold. */
static size_t held(const struct dtls_state *st)
{
	return (size_t)st->hello.cap + st->cert.cap;
}

static void dtls_flow_free(struct extract *x, struct extract_flow *s)
{
	struct dtls_flow *df = s->fam[FAM_DTLS];

	if (!df)
		return;
	for (int d = 0; d < 2; d++) {
		x->stats.stream_bytes -= held(&df->st[d]);
		dtls_state_free(&df->st[d]);
	}
	free(df);
	s->fam[FAM_DTLS] = NULL;
}

/* True unless the capture or IP fragmentation cut the datagram short. */
static bool captured_whole(const struct packet *pkt)
{
	return pkt->caplen >= pkt->wirelen &&
	       !(pkt->flags & (PKT_TRUNCATED_L3 | PKT_FRAGMENT));
}

/* Emits a ClientHello unless the flow already gave its fingerprints. */
static void emit_hello(struct extract *x, struct extract_flow *s,
		       struct dtls_flow *df, const struct dtls_state *st,
		       const struct tls_client_hello *ch,
		       const struct packet *pkt)
{
	uint64_t h = ex_client_hello_hash(ch);
	char transport[16];

	for (uint8_t i = 0; i < df->n_emitted; i++)
		if (df->emitted[i] == h)
			return;
	if (df->n_emitted < sizeof(df->emitted) / sizeof(df->emitted[0]))
		df->emitted[df->n_emitted++] = h;
	snprintf(transport, sizeof(transport), "dtls=%s",
		 dtls_version_name(st->record_version));
	ex_emit_client_hello(x, s, ch, transport, pkt);
}

/* Reads the side's Certificate once it is whole, and emits it. */
static void read_certificate(struct extract *x, struct extract_flow *s,
			     struct dtls_state *st, const struct packet *pkt)
{
	struct dtls_ctx *c = x->ctx[FAM_DTLS];
	anomaly_set anom = 0;
	enum tls_status status;
	char words[32];

	status = dtls_certificate(st, &c->cert, &anom);
	if (status == TLS_STATUS_NEED_MORE)
		return;
	if (status == TLS_STATUS_OK) {
		snprintf(words, sizeof(words), "dtls=%s%s",
			 dtls_version_name(st->cert_version),
			 st->hellos_done > 0 || st->have_hello ? " side=client"
							       : "");
		ex_emit_certificate(x, s, &c->cert, words, pkt);
	}
	ex_anomalies(x, s, anom, "tls", pkt);
	release_cert(x, st);
}

/*
 * The most bytes each of the side's reassembly buffers may hold: both
 * together grow by no more than the stage's budget has left.
 */
static size_t buffer_room(const struct extract *x, const struct dtls_state *st)
{
	uint64_t free_budget = 0;
	size_t least = st->hello.cap < st->cert.cap ? st->hello.cap
						    : st->cert.cap;

	if (x->stats.stream_bytes < x->cfg.stream_budget_bytes)
		free_budget = x->cfg.stream_budget_bytes - x->stats.stream_bytes;
	if (free_budget > 2 * (uint64_t)DTLS_CERT_MAX + 8)
		return DTLS_CERT_MAX + 4;
	return least + (size_t)(free_budget / 2);
}

/* Reads one datagram of one side; false when over the budget. */
static bool read_datagram(struct extract *x, struct extract_flow *s,
			  struct dtls_flow *df, struct dtls_state *st,
			  const struct packet *pkt)
{
	struct dtls_ctx *c = x->ctx[FAM_DTLS];
	struct dtls_datagram_info info;
	struct cursor payload;
	size_t before = held(st);
	anomaly_set anom = 0;
	enum tls_status status;
	const uint8_t *d;
	int off;
	size_t n;

	if (!ex_payload(pkt, &payload) || (off = dtls_offset(&payload)) < 0)
		return true;
	cursor_skip(&payload, (size_t)off);
	n = cursor_left(&payload);
	if (!cursor_bytes(&payload, n, &d))
		return true;
	st->room = buffer_room(x, st);
	dtls_read_datagram(st, d, n, captured_whole(pkt), &info);
	x->stats.stream_bytes += held(st) - before;
	if (x->stats.stream_bytes > x->stats.stream_bytes_peak)
		x->stats.stream_bytes_peak = x->stats.stream_bytes;
	ex_anomalies(x, s, info.anomalies, "tls", pkt);
	if (info.out_of_room) {
		x->stats.streams_over_budget++;
		return false;
	}
	if (info.hello_fragments > 0) {
		status = dtls_client_hello(st, &c->hello, &anom);
		if (status != TLS_STATUS_NEED_MORE) {
			if (status == TLS_STATUS_OK)
				emit_hello(x, s, df, st, &c->hello, pkt);
			ex_anomalies(x, s, anom, "tls", pkt);
			release_hello(x, st);
		}
	}
	if (info.cert_fragments > 0)
		read_certificate(x, s, st, pkt);
	return true;
}

/* No plaintext ClientHello is to come from this side. */
static bool side_done(const struct dtls_state *st)
{
	return st->encrypting || st->hellos_done >= DTLS_HELLOS;
}

static void dtls_packet(struct extract *x, struct extract_flow *s,
			const struct flow *f, enum flow_dir dir,
			const struct packet *pkt)
{
	struct dtls_flow *df = s->fam[FAM_DTLS];

	if (!df) {
		df = calloc(1, sizeof(*df));
		if (!df) {
			ex_family_done(x, s, FAM_DTLS);
			return;
		}
		s->fam[FAM_DTLS] = df;
	}
	if (!side_done(&df->st[dir]) &&
	    !read_datagram(x, s, df, &df->st[dir], pkt)) {
		ex_family_done(x, s, FAM_DTLS);
		return;
	}
	if ((side_done(&df->st[0]) && side_done(&df->st[1])) ||
	    ++df->datagrams >= DTLS_FLOW_DATAGRAMS)
		ex_family_done(x, s, FAM_DTLS);
}

const struct extractor extract_dtls = {
	.name = "dtls",
	.ctx_create = dtls_ctx_create,
	.ctx_destroy = dtls_ctx_destroy,
	.flow_start = dtls_flow_start,
	.packet = dtls_packet,
	.flow_free = dtls_flow_free,
};
