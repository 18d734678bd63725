/*
 * quic.c — QUIC family: tls.sni, tls.alpn, tls.ja3 and tls.ja4 from the
 * TLS ClientHello that the client's Initial packets carry, decrypted here
 * (analyze/parse/quic.h) rather than taken from nDPI.
 *
 * Which flows: UDP flows whose first datagram starts with a QUIC long
 * header (form and fixed bits set) of a version quic_version_find()
 * knows, or of a reserved version 0x?a?a?a?a (RFC 9000 15), which a
 * client sends to make the server list its versions before it sends a
 * real Initial. The sender of that datagram is the client.
 * The client's datagrams are read until the ClientHello is complete: at
 * most QUIC_CLIENT_DATAGRAMS of them, and the CRYPTO reassembly buffer
 * counts against the stage's stream budget like the TCP streams'
 * (streams_over_budget when it would pass it).
 *
 * Observations, citing the datagram that completed the ClientHello, are
 * those of the TLS family (ex_emit_client_hello(), tls.c) with detail
 * "impl=attrib quic=<version name>" ("quic=0x1a2a3a4a/1" for a reserved
 * version opened with version 1's keys), and JA4 starts with 'q'. Parser
 * anomalies are emitted per datagram (layer=quic) and for the ClientHello
 * (layer=tls). When no ClientHello comes out of the flow (a version or
 * cipher we do not know, the client's first datagram missing from the
 * capture), ndpi.c emits nDPI's values at flow end, with impl=ndpi.
 */
#include "analyze/extract/extract_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/parse/quic.h"

/* Client datagrams read per flow before giving up on its ClientHello. */
#define QUIC_CLIENT_DATAGRAMS 16
#define QUIC_LONG_FIXED 0xc0 /* header form and fixed bits */

struct quic_ctx {
	struct quic_scratch scratch;   /* large: one per stage */
	struct tls_client_hello hello;
};

struct quic_flow {
	struct quic_state st;
	uint8_t datagrams; /* client datagrams read */
};

static int quic_ctx_create(struct extract *x)
{
	x->ctx[FAM_QUIC] = malloc(sizeof(struct quic_ctx));
	return x->ctx[FAM_QUIC] ? 0 : -1;
}

static void quic_ctx_destroy(struct extract *x)
{
	free(x->ctx[FAM_QUIC]);
	x->ctx[FAM_QUIC] = NULL;
}

static bool quic_flow_start(struct extract *x, struct extract_flow *s,
			    const struct flow *f, const struct packet *pkt)
{
	struct cursor c;
	uint32_t version;
	uint8_t first;

	if (f->l4_proto != IP_PROTO_UDP || !ex_payload(pkt, &c) ||
	    !cursor_u8(&c, &first) || !cursor_be32(&c, &version))
		return false;
	return (first & QUIC_LONG_FIXED) == QUIC_LONG_FIXED &&
	       (quic_version_find(version) != NULL ||
		quic_version_reserved(version));
}

/* Releases the flow's state and its share of the stream budget. */
static void quic_flow_free(struct extract *x, struct extract_flow *s)
{
	struct quic_flow *qf = s->fam[FAM_QUIC];

	if (!qf)
		return;
	x->stats.stream_bytes -= qf->st.crypto.cap;
	quic_state_free(&qf->st);
	free(qf);
	s->fam[FAM_QUIC] = NULL;
}

/* True unless the capture or IP fragmentation cut the datagram short. */
static bool captured_whole(const struct packet *pkt)
{
	return pkt->caplen >= pkt->wirelen &&
	       !(pkt->flags & (PKT_TRUNCATED_L3 | PKT_FRAGMENT));
}

/* Reads one client datagram; true when the family is done with the flow. */
static bool read_client_datagram(struct extract *x, struct extract_flow *s,
				 struct quic_flow *qf,
				 const struct packet *pkt)
{
	struct quic_ctx *c = x->ctx[FAM_QUIC];
	struct quic_datagram_info info;
	const struct quic_version *v;
	struct cursor payload;
	const uint8_t *d;
	uint32_t cap = qf->st.crypto.cap;
	uint64_t free_budget = 0;
	anomaly_set anom = 0;
	enum tls_status status;
	char name[48];
	size_t n;

	if (!ex_payload(pkt, &payload))
		return false;
	n = cursor_left(&payload);
	if (!cursor_bytes(&payload, n, &d))
		return false;
	if (x->stats.stream_bytes < x->cfg.stream_budget_bytes)
		free_budget = x->cfg.stream_budget_bytes - x->stats.stream_bytes;
	qf->st.crypto_room = free_budget > QUIC_CRYPTO_MAX - cap
				     ? QUIC_CRYPTO_MAX
				     : cap + (size_t)free_budget;
	quic_read_datagram(&qf->st, d, n, captured_whole(pkt), &c->scratch,
			   &info);
	x->stats.stream_bytes += qf->st.crypto.cap - cap;
	if (x->stats.stream_bytes > x->stats.stream_bytes_peak)
		x->stats.stream_bytes_peak = x->stats.stream_bytes;
	ex_anomalies(x, s, info.anomalies, "quic", pkt);
	if (info.out_of_room) {
		x->stats.streams_over_budget++;
		return true;
	}
	if (info.crypto_frames == 0)
		return false;
	status = quic_client_hello(&qf->st, &c->hello, &anom);
	if (status == TLS_STATUS_NEED_MORE)
		return false;
	if (status == TLS_STATUS_OK) {
		v = quic_version_find(qf->st.version);
		if (qf->st.wire_version == qf->st.version)
			snprintf(name, sizeof(name), "quic=%s",
				 v ? v->name : "?");
		else /* a reserved version, and the keys that opened it */
			snprintf(name, sizeof(name), "quic=0x%08x/%s",
				 qf->st.wire_version, v ? v->name : "?");
		ex_emit_client_hello(x, s, &c->hello, name, pkt);
	}
	ex_anomalies(x, s, anom, "tls", pkt);
	return true;
}

static void quic_packet(struct extract *x, struct extract_flow *s,
			const struct flow *f, enum flow_dir dir,
			const struct packet *pkt)
{
	struct quic_flow *qf = s->fam[FAM_QUIC];

	if (dir != FLOW_DIR_C2S)
		return;
	if (!qf) {
		qf = calloc(1, sizeof(*qf));
		if (!qf) {
			ex_family_done(x, s, FAM_QUIC);
			return;
		}
		s->fam[FAM_QUIC] = qf;
	}
	if (read_client_datagram(x, s, qf, pkt) ||
	    ++qf->datagrams >= QUIC_CLIENT_DATAGRAMS)
		ex_family_done(x, s, FAM_QUIC);
}

const struct extractor extract_quic = {
	.name = "quic",
	.ctx_create = quic_ctx_create,
	.ctx_destroy = quic_ctx_destroy,
	.flow_start = quic_flow_start,
	.packet = quic_packet,
	.flow_free = quic_flow_free,
};
