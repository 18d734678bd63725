/*
 * rdpudp.c — RDP-UDP family: the TLS handshake that RDP's UDP transport
 * (analyze/parse/rdpudp.h) carries in its reliable mode, read by the TLS
 * session reader (tls.c) as if it came over TCP: tls.sni, tls.alpn,
 * tls.ja3, tls.ja4 from the client's ClientHello, tls.ja3s and the leaf
 * certificate from the server's reply.
 *
 * Which flows: UDP flows whose first datagram is an RDP-UDP SYN (on any
 * port); its sender is the client. The server's SYN+ACK gives the version
 * both use (its uUdpVer; 1 without one): version 3 packets are read as
 * MS-RDPEUDP2, the others as MS-RDPEUDP. The lossy mode (SYNLOSSY in the
 * client's SYN) carries DTLS, not read here: the family lets go of those
 * flows. Each side's data pieces are put in order by their sequence
 * numbers (carrier.h): from the side's initial sequence number + 1 with
 * MS-RDPEUDP (its rule for snSourceStart); with MS-RDPEUDP2, whose
 * channel numbers do not start from the SYN's, from the first piece that
 * starts a TLS handshake record.
 *
 * Observations are the TLS family's (tls.c), citing the datagram that
 * completed the message, with detail "impl=attrib carrier=rdpudp
 * version=<1|2|3>". Bounds: RDPUDP_FLOW_DATAGRAMS datagrams looked at per
 * flow; the TLS streams' and held pieces' bytes count against the stage's
 * stream budget. Anomalies (layer=rdpudp): rdpudp_malformed for a data
 * packet whose fields run past the datagram (or a version 3 datagram over
 * RDPUDP_DATAGRAM_MAX bytes), and pieces numbered beyond the window,
 * leaving too many waiting or repeated too often.
 */
#include "analyze/extract/carrier/carrier.h"

#include <stdio.h>
#include <stdlib.h>

#include "analyze/parse/rdpudp.h"

#define RDPUDP_FLOW_DATAGRAMS 128
#define TLS_HANDSHAKE_RECORD 0x16
#define TLS_MAJOR 0x03

struct rdpudp_ctx {
	struct rdpudp_data data; /* version 3 unswaps into it */
};

struct rdpudp_flow {
	struct tls_session tls;
	struct carrier_stream pieces[2]; /* by flow direction = role */
	uint32_t initial_seq[2];
	bool have_syn[2];
	bool reading;      /* pieces set up: the version is settled */
	bool lossy;
	uint16_t version;
	uint16_t datagrams;
};

static int rdpudp_ctx_create(struct extract *x)
{
	x->ctx[FAM_RDPUDP] = malloc(sizeof(struct rdpudp_ctx));
	return x->ctx[FAM_RDPUDP] ? 0 : -1;
}

static void rdpudp_ctx_destroy(struct extract *x)
{
	free(x->ctx[FAM_RDPUDP]);
	x->ctx[FAM_RDPUDP] = NULL;
}

static bool rdpudp_flow_start(struct extract *x, struct extract_flow *s,
			      const struct flow *f, const struct packet *pkt)
{
	struct rdpudp_syn syn;
	struct cursor c;

	return f->l4_proto == IP_PROTO_UDP && ex_payload(pkt, &c) &&
	       rdpudp_parse_syn(cursor_ptr(&c), cursor_left(&c), &syn) &&
	       !syn.ack;
}

static void rdpudp_flow_free(struct extract *x, struct extract_flow *s)
{
	struct rdpudp_flow *rf = s->fam[FAM_RDPUDP];

	if (!rf)
		return;
	tls_session_free(x, &rf->tls);
	carrier_free(x, &rf->pieces[0]);
	carrier_free(x, &rf->pieces[1]);
	free(rf);
	s->fam[FAM_RDPUDP] = NULL;
}

static void malformed(struct extract *x, struct extract_flow *s,
		      const struct packet *pkt)
{
	anomaly_set a = 0;

	anomaly_add(&a, ANOM_RDPUDP_MALFORMED);
	ex_anomalies(x, s, a, "rdpudp", pkt);
}

/* A SYN (client) or SYN+ACK (server); the latter fixes the version. */
static void read_syn(struct rdpudp_flow *rf, enum flow_dir dir,
		     const struct rdpudp_syn *syn)
{
	if (rf->have_syn[dir])
		return;
	rf->have_syn[dir] = true;
	rf->initial_seq[dir] = syn->initial_seq;
	/* The server's SYN+ACK, when seen, says what both use. */
	rf->version = syn->version;
	if (dir == FLOW_DIR_C2S)
		rf->lossy = syn->lossy;
}

/* The first data packet: the version is what the SYNs said. */
static void start_reading(struct rdpudp_flow *rf)
{
	unsigned bits = rf->version == RDPUDP_VERSION_3 ? 16 : 32;

	rf->reading = true;
	snprintf(rf->tls.carrier, sizeof(rf->tls.carrier),
		 "carrier=rdpudp version=%u",
		 rf->version == RDPUDP_VERSION_3 ? 3u : rf->version);
	carrier_init(&rf->pieces[FLOW_DIR_C2S], bits);
	carrier_init(&rf->pieces[FLOW_DIR_S2C], bits);
}

/* True when the piece starts a TLS handshake record. */
static bool starts_tls(const struct rdpudp_data *d)
{
	struct cursor c;
	uint8_t type, major;

	cursor_init(&c, d->payload, d->payload_len);
	return cursor_u8(&c, &type) && type == TLS_HANDSHAKE_RECORD &&
	       cursor_u8(&c, &major) && major == TLS_MAJOR;
}

static void read_data(struct extract *x, struct extract_flow *s,
		      struct rdpudp_flow *rf, enum flow_dir dir,
		      const uint8_t *p, size_t n, const struct packet *pkt)
{
	struct rdpudp_data *d = &((struct rdpudp_ctx *)x->ctx[FAM_RDPUDP])->data;
	struct carrier_stream *cs = &rf->pieces[dir];
	enum rdpudp_status st;

	if (!rf->reading)
		start_reading(rf);
	if (rf->version == RDPUDP_VERSION_3)
		st = rdpudp_parse_v3(p, n, d);
	else
		st = rdpudp_parse_v1(p, n, d);
	if (st == RDPUDP_MALFORMED)
		malformed(x, s, pkt);
	if (st != RDPUDP_OK)
		return;
	if (!cs->q.started) {
		if (rf->version != RDPUDP_VERSION_3 && rf->have_syn[dir])
			msgq_start(&cs->q, rf->initial_seq[dir] + 1u);
		else if (!starts_tls(d))
			return;
	}
	if (carrier_feed(x, s, &rf->tls, dir, cs, d->seq, d->payload,
			 d->payload_len, pkt) == CARRIER_BROKEN)
		malformed(x, s, pkt);
}

static void rdpudp_packet(struct extract *x, struct extract_flow *s,
			  const struct flow *f, enum flow_dir dir,
			  const struct packet *pkt)
{
	struct rdpudp_flow *rf = s->fam[FAM_RDPUDP];
	struct rdpudp_syn syn;
	struct cursor c;
	const uint8_t *p;
	size_t n;

	if (!rf) {
		rf = calloc(1, sizeof(*rf));
		if (!rf) {
			ex_family_done(x, s, FAM_RDPUDP);
			return;
		}
		tls_session_init(&rf->tls, NULL);
		s->fam[FAM_RDPUDP] = rf;
	}
	rf->datagrams++;
	if (ex_payload(pkt, &c)) {
		p = cursor_ptr(&c);
		n = cursor_left(&c);
		if (rdpudp_parse_syn(p, n, &syn) &&
		    syn.ack == (dir == FLOW_DIR_S2C))
			read_syn(rf, dir, &syn);
		else if (rf->have_syn[FLOW_DIR_C2S] && !rf->lossy)
			read_data(x, s, rf, dir, p, n, pkt);
	}
	if (rf->lossy || tls_session_done(&rf->tls) ||
	    rf->datagrams >= RDPUDP_FLOW_DATAGRAMS)
		ex_family_done(x, s, FAM_RDPUDP);
}

static void rdpudp_flow_end(struct extract *x, struct extract_flow *s,
			    const struct flow *f)
{
	struct rdpudp_flow *rf = s->fam[FAM_RDPUDP];

	if (rf)
		tls_session_end(x, s, &rf->tls);
}

const struct extractor extract_rdpudp = {
	.name = "rdpudp",
	.ctx_create = rdpudp_ctx_create,
	.ctx_destroy = rdpudp_ctx_destroy,
	.flow_start = rdpudp_flow_start,
	.packet = rdpudp_packet,
	.flow_end = rdpudp_flow_end,
	.flow_free = rdpudp_flow_free,
};
