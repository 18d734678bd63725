/*
 * openvpn.c — OpenVPN family: the TLS handshake inside OpenVPN's control
 * channel (analyze/parse/openvpn.h), read by the TLS session reader
 * (tls.c) as if it came over TCP: tls.sni, tls.alpn, tls.ja3, tls.ja4 from
 * the client's ClientHello, tls.ja3s and the leaf certificate from the
 * server's reply.
 *
 * Which flows: UDP flows whose first datagram, and TCP flows whose first
 * payload (after the 2-byte length), is a client or server hard reset
 * (openvpn_starts_flow()); and flows nDPI calls OpenVPN, from the packet
 * after its verdict. The sender of P_CONTROL_HARD_RESET_CLIENT_* is the
 * TLS client (the flow's own client when no reset is seen).
 *
 * The tls-auth HMAC's length is not on the wire: packets that show it
 * (resets and P_ACK_V1 with nothing after their fields, P_CONTROL_V1
 * starting a TLS record; acks naming the other side's session id) vote
 * for the layouts they fit, and the layout is fixed once OPENVPN_VOTES
 * votes agree. Packets before that are not read (the first ClientHello
 * normally comes after the two resets and an ack); when no layout fits
 * every vote (tls-crypt encrypts the control channel) the flow is left
 * alone. Then the P_CONTROL_V1 payloads of key id 0 are put in message
 * packet id order per side (carrier.h), from the one after the side's
 * reset, and read as a TLS stream.
 *
 * Observations are the TLS family's (tls.c), citing the packet that
 * completed the message, with detail "impl=attrib carrier=openvpn
 * hmac=<bytes>" (0: no tls-auth). Bounds: OPENVPN_FLOW_PACKETS packets
 * looked at per flow; over TCP at most OPENVPN_TCP_BUF bytes of framing
 * per direction, longer packets (data) skipped unread; the TLS streams'
 * and held messages' bytes count against the stage's stream budget.
 * Anomalies (layer=openvpn), once the layout is fixed: openvpn_malformed
 * for a control packet whose fields run past it or that acks more than 8
 * messages, a TCP length of 0, message ids running ahead of the window,
 * leaving too many waiting or repeating too often (carrier.h).
 */
#include "analyze/extract/carrier/carrier.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/parse/openvpn.h"

#define OPENVPN_FLOW_PACKETS 256
#define OPENVPN_VOTES 2
#define OPENVPN_TCP_BUF (8u * 1024u)
#define OPENVPN_TCP_PACKET_MAX 4096u /* longer ones are data: skipped */
#define OPENVPN_KEY_ID 0             /* the first TLS session's */
#define OPENVPN_NDPI_NAME "OpenVPN"

struct openvpn_flow {
	struct tls_session tls;
	struct carrier_stream msgs[2];     /* by role */
	struct stream tcp[2];              /* by flow direction: framing */
	uint64_t session[2];               /* by flow direction */
	bool have_session[2];
	/* Message id of each role's reset under each layout. */
	uint32_t reset_id[2][OPENVPN_LAYOUTS];
	uint8_t reset_layouts[2];          /* layouts those were read with */
	uint8_t candidates;                /* layouts every vote allowed */
	uint8_t votes;
	int8_t layout;                     /* fixed layout, or -1 */
	int8_t client_dir;                 /* TLS client's flow direction */
	bool over_tcp;
	uint16_t packets;
};

static bool openvpn_flow_start(struct extract *x, struct extract_flow *s,
			       const struct flow *f, const struct packet *pkt)
{
	struct cursor c;

	return f->l4_proto == IP_PROTO_UDP && ex_payload(pkt, &c) &&
	       openvpn_starts_flow(cursor_ptr(&c), cursor_left(&c));
}

static bool openvpn_tcp_claim(const struct flow *f, enum flow_dir dir,
			      const struct cursor *payload)
{
	struct cursor c = *payload;
	uint16_t len;
	const uint8_t *p;

	return cursor_be16(&c, &len) && cursor_bytes(&c, len, &p) &&
	       openvpn_starts_flow(p, len);
}

static void openvpn_dpi_done(struct extract *x, struct extract_flow *s,
			     const struct flow *f, const struct dpi_result *r,
			     const struct dpi_meta *meta)
{
	/* Not again for a flow the family already read or let go of. */
	if (!r || strncmp(r->proto, OPENVPN_NDPI_NAME,
			  sizeof(OPENVPN_NDPI_NAME) - 1) != 0 ||
	    ((s->active | s->finished) >> FAM_OPENVPN) & 1u)
		return;
	if (f->l4_proto == IP_PROTO_UDP) {
		s->active |= 1u << FAM_OPENVPN;
	} else if (f->l4_proto == IP_PROTO_TCP && !s->tcp_claimed) {
		s->tcp_claimed = 1;
		s->active |= 1u << FAM_OPENVPN;
	}
}

static struct openvpn_flow *flow_new(const struct flow *f)
{
	struct openvpn_flow *of = calloc(1, sizeof(*of));

	if (!of)
		return NULL;
	tls_session_init(&of->tls, NULL);
	carrier_init(&of->msgs[FLOW_DIR_C2S], 32);
	carrier_init(&of->msgs[FLOW_DIR_S2C], 32);
	stream_init(&of->tcp[FLOW_DIR_C2S], OPENVPN_TCP_BUF);
	stream_init(&of->tcp[FLOW_DIR_S2C], OPENVPN_TCP_BUF);
	of->layout = -1;
	of->client_dir = -1;
	of->over_tcp = f->l4_proto == IP_PROTO_TCP;
	return of;
}

static void openvpn_flow_free(struct extract *x, struct extract_flow *s)
{
	struct openvpn_flow *of = s->fam[FAM_OPENVPN];

	if (!of)
		return;
	tls_session_free(x, &of->tls);
	for (int i = 0; i < 2; i++) {
		carrier_free(x, &of->msgs[i]);
		stream_free(x, &of->tcp[i]);
	}
	free(of);
	s->fam[FAM_OPENVPN] = NULL;
}

static void malformed(struct extract *x, struct extract_flow *s,
		      const struct packet *pkt)
{
	anomaly_set a = 0;

	anomaly_add(&a, ANOM_OPENVPN_MALFORMED);
	ex_anomalies(x, s, a, "openvpn", pkt);
}

/* The layout is fixed: the carrier word of the session's detail. */
static void fix_layout(struct openvpn_flow *of)
{
	of->layout = (int8_t)__builtin_ctz(of->candidates);
	snprintf(of->tls.carrier, sizeof(of->tls.carrier),
		 "carrier=openvpn hmac=%u",
		 openvpn_layout_hmac((unsigned)of->layout));
}

/*
 * Before the layout is fixed: notes session ids and resets, counts the
 * packet's vote. False when no layout can read the flow.
 */
static bool learn(struct openvpn_flow *of, enum flow_dir dir,
		  const uint8_t *p, size_t n)
{
	const uint64_t *peer = of->have_session[!dir] ? &of->session[!dir]
						       : NULL;
	struct openvpn_packet pk;
	uint8_t votes = openvpn_layouts(p, n, peer);

	for (unsigned i = 0; i < OPENVPN_LAYOUTS; i++) {
		if (openvpn_parse(p, n, openvpn_layout_hmac(i), &pk) !=
		    OPENVPN_OK)
			continue;
		if (!of->have_session[dir]) {
			of->have_session[dir] = true;
			of->session[dir] = pk.session_id;
		}
		if (of->client_dir < 0 && openvpn_client_reset(pk.opcode))
			of->client_dir = (int8_t)dir;
		if (of->client_dir < 0 && openvpn_server_reset(pk.opcode))
			of->client_dir = (int8_t)!dir;
		if ((openvpn_client_reset(pk.opcode) ||
		     openvpn_server_reset(pk.opcode)) &&
		    pk.key_id == OPENVPN_KEY_ID &&
		    !((of->reset_layouts[dir] >> i) & 1u)) {
			of->reset_layouts[dir] |= (uint8_t)(1u << i);
			of->reset_id[dir][i] = pk.message_id;
		}
	}
	if (votes == 0)
		return true;
	of->candidates = of->votes ? of->candidates & votes : votes;
	of->votes++;
	if (of->candidates == 0)
		return false;
	if (of->votes >= OPENVPN_VOTES)
		fix_layout(of);
	return true;
}

/* A P_CONTROL_V1 payload of the TLS session. */
static void control_payload(struct extract *x, struct extract_flow *s,
			    struct openvpn_flow *of, enum flow_dir dir,
			    const struct openvpn_packet *pk,
			    const struct packet *pkt)
{
	enum flow_dir role = (int)dir == of->client_dir ? FLOW_DIR_C2S
							 : FLOW_DIR_S2C;
	struct carrier_stream *cs = &of->msgs[role];
	unsigned layout = (unsigned)of->layout;

	if (!cs->q.started) {
		/* The reset is message 0 of its side's reliable channel;
		 * without it, the stream starts at a TLS record. */
		if ((of->reset_layouts[dir] >> layout) & 1u)
			msgq_start(&cs->q, of->reset_id[dir][layout] + 1u);
		else if (!openvpn_starts_tls_record(pk))
			return;
	}
	if (carrier_feed(x, s, &of->tls, role, cs, pk->message_id,
			 pk->payload, pk->payload_len, pkt) == CARRIER_BROKEN)
		malformed(x, s, pkt);
}

/* One OpenVPN packet of n bytes at p, sent in flow direction dir. */
static void read_packet(struct extract *x, struct extract_flow *s,
			struct openvpn_flow *of, enum flow_dir dir,
			const uint8_t *p, size_t n, const struct packet *pkt)
{
	struct openvpn_packet pk;
	enum openvpn_status st;

	if (of->layout < 0 && !learn(of, dir, p, n)) {
		of->packets = OPENVPN_FLOW_PACKETS; /* not readable: let go */
		return;
	}
	if (of->layout < 0)
		return;
	if (of->client_dir < 0)
		of->client_dir = FLOW_DIR_C2S;
	st = openvpn_parse(p, n, openvpn_layout_hmac((unsigned)of->layout),
			   &pk);
	if (st == OPENVPN_MALFORMED)
		malformed(x, s, pkt);
	if (st != OPENVPN_OK || pk.key_id != OPENVPN_KEY_ID)
		return;
	if ((openvpn_client_reset(pk.opcode) ||
	     openvpn_server_reset(pk.opcode)) &&
	    !((of->reset_layouts[dir] >> of->layout) & 1u)) {
		of->reset_layouts[dir] |= (uint8_t)(1u << of->layout);
		of->reset_id[dir][of->layout] = pk.message_id;
	}
	if (pk.opcode == OPENVPN_CONTROL_V1)
		control_payload(x, s, of, dir, &pk, pkt);
}

/* Over TCP: the complete packets the direction's framing holds. */
static void read_tcp(struct extract *x, struct extract_flow *s,
		     struct openvpn_flow *of, enum flow_dir dir,
		     const struct packet *pkt)
{
	struct stream *st = &of->tcp[dir];
	size_t off = 0;
	uint16_t len;

	switch (stream_feed(x, st, pkt)) {
	case STREAM_DATA:
		break;
	case STREAM_GAP:
		x->stats.streams_gap++;
		stream_free(x, st);
		return;
	default:
		return;
	}
	if (!st->buf)
		return; /* all skipped */
	while (of->packets < OPENVPN_FLOW_PACKETS &&
	       openvpn_tcp_length(st->buf + off, st->len - off, &len)) {
		size_t whole = OPENVPN_TCP_LENGTH_LEN + (size_t)len;

		if (len == 0) {
			if (of->layout >= 0)
				malformed(x, s, pkt);
			stream_free(x, st);
			return;
		}
		if (len > OPENVPN_TCP_PACKET_MAX) {
			/* Not a control packet: skip it unread. */
			size_t have = st->len - off;

			if (have >= whole) {
				off += whole;
				continue;
			}
			st->skip = whole - have;
			off = st->len;
			break;
		}
		if (st->len - off < whole)
			break;
		of->packets++;
		read_packet(x, s, of, dir, st->buf + off + OPENVPN_TCP_LENGTH_LEN,
			    len, pkt);
		off += whole;
	}
	stream_consume(st, off);
}

static void openvpn_packet(struct extract *x, struct extract_flow *s,
			   const struct flow *f, enum flow_dir dir,
			   const struct packet *pkt)
{
	struct openvpn_flow *of = s->fam[FAM_OPENVPN];
	struct cursor c;

	if (!of) {
		of = flow_new(f);
		if (!of) {
			ex_family_done(x, s, FAM_OPENVPN);
			return;
		}
		s->fam[FAM_OPENVPN] = of;
	}
	if (of->over_tcp) {
		read_tcp(x, s, of, dir, pkt);
	} else if (ex_payload(pkt, &c)) {
		of->packets++;
		read_packet(x, s, of, dir, cursor_ptr(&c), cursor_left(&c),
			    pkt);
	}
	if (tls_session_done(&of->tls) ||
	    of->packets >= OPENVPN_FLOW_PACKETS)
		ex_family_done(x, s, FAM_OPENVPN);
}

static void openvpn_flow_end(struct extract *x, struct extract_flow *s,
			     const struct flow *f)
{
	struct openvpn_flow *of = s->fam[FAM_OPENVPN];

	if (of)
		tls_session_end(x, s, &of->tls);
}

const struct extractor extract_openvpn = {
	.name = "openvpn",
	.flow_start = openvpn_flow_start,
	.tcp_claim = openvpn_tcp_claim,
	.packet = openvpn_packet,
	.dpi_done = openvpn_dpi_done,
	.flow_end = openvpn_flow_end,
	.flow_free = openvpn_flow_free,
};
