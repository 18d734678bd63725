/*
 * decode_l4.c — transport-layer decoding: TCP, UDP, ICMP, ICMPv6 and SCTP
 * ports, plus the hand-off of UDP tunnels (GTP-U on port 2152, VXLAN on
 * 4789, CAPWAP data on 5247) to decode_tunnel.c.
 *
 * Fills PKT_HAS_L4 only when the fixed header of the protocol was captured,
 * and always leaves [payload_offset, payload_offset + payload_len) inside
 * the captured bytes of the IP datagram.
 *
 * Cursors follow the convention of decode_link.c: base is pkt->data.
 */
#include <string.h>

#include "decode.h"

/* IP protocol numbers. */
enum {
	IPPROTO_NUM_ICMP = 1,
	IPPROTO_NUM_TCP = 6,
	IPPROTO_NUM_UDP = 17,
	IPPROTO_NUM_ICMPV6 = 58,
	IPPROTO_NUM_SCTP = 132,
};

/* Sizes in bytes. */
enum {
	TCP_MIN_HEADER_BYTES = 20,
	TCP_DATA_OFFSET_UNIT_BYTES = 4,
	TCP_WINDOW_CHECKSUM_URGENT_BYTES = 6,
	UDP_HEADER_BYTES = 8,
	ICMP_HEADER_BYTES = 8,          /* with the type-specific word */
	SCTP_COMMON_HEADER_BYTES = 12,
	SCTP_TAG_CHECKSUM_BYTES = 8,
};

enum {
	TCP_FIN = 0x01,
	TCP_SYN = 0x02,
	TCP_RST = 0x04,
	TCP_ACK = 0x10,
	UDP_PORT_GTPU = 2152,
	UDP_PORT_VXLAN = 4789,          /* RFC 7348 */
	UDP_PORT_CAPWAP_DATA = 5247,    /* RFC 5415 */
	GTP_FLAGS_VERSION_SHIFT = 5,
	GTP_VERSION_1 = 1,
	GTP_FLAG_PROTOCOL_TYPE_GTP = 0x10,
	GTP_TYPE_G_PDU = 0xff,
};

/*
 * IP protocols that are ordinary but not decoded here: no anomaly.
 * Anything else that reaches decode_l4() is L4_UNSUPPORTED.
 */
static const uint8_t protocols_not_decoded[] = {
	0,   /* IPv6 hop-by-hop (where not walked) */
	2,   /* IGMP */
	4,   /* IP-in-IP (beyond the tunnel cap) */
	8,   /* EGP */
	9,   /* IGP */
	33,  /* DCCP */
	41,  /* IPv6-in-IP (beyond the tunnel cap) */
	43,  /* IPv6 routing */
	44,  /* IPv6 fragment */
	46,  /* RSVP */
	47,  /* GRE (beyond the tunnel cap) */
	50,  /* ESP */
	51,  /* AH */
	59,  /* IPv6 no next header */
	60,  /* IPv6 destination options */
	88,  /* EIGRP */
	89,  /* OSPF */
	94,  /* IP-within-IP (KA9Q) */
	97,  /* EtherIP */
	103, /* PIM */
	108, /* IPComp */
	112, /* VRRP / CARP */
	113, /* PGM */
	115, /* L2TPv3 */
	124, /* IS-IS over IPv4 */
	135, /* mobility header */
	136, /* UDP-Lite */
	137, /* MPLS-in-IP */
	139, /* HIP */
	140, /* Shim6 */
	143, /* Ethernet in IPv6 */
};

static bool protocol_is_known(uint8_t proto)
{
	size_t n = sizeof protocols_not_decoded / sizeof protocols_not_decoded[0];
	for (size_t i = 0; i < n; i++)
		if (protocols_not_decoded[i] == proto)
			return true;
	return false;
}

/* True when the bytes of the current layer may legitimately end early. */
static bool layer_is_cut(const struct packet *pkt)
{
	return pkt->caplen < pkt->wirelen ||
	       (pkt->flags & (PKT_TRUNCATED_L3 | PKT_FRAGMENT)) != 0;
}

/* Sets the payload to [start, end) of the layer at c. */
static void set_payload(struct packet *pkt, const struct cursor *c,
			size_t start, size_t end)
{
	if (start > c->len)
		start = c->len;
	if (end > c->len)
		end = c->len;
	if (end < start)
		end = start;
	pkt->payload_offset = (uint32_t)start;
	pkt->payload_len = (uint32_t)(end - start);
}

/* PORT_ZERO and LAND_ATTACK, for protocols with ports. */
static void check_ports(struct packet *pkt)
{
	if (pkt->sport == 0 || pkt->dport == 0)
		anomaly_add(&pkt->anomalies, ANOM_PORT_ZERO);
	if (pkt->sport == pkt->dport &&
	    memcmp(pkt->src, pkt->dst, sizeof pkt->src) == 0)
		anomaly_add(&pkt->anomalies, ANOM_LAND_ATTACK);
}

/* Flag combinations no TCP stack sends: null, SYN+FIN, SYN+RST, FIN alone. */
static bool tcp_flags_are_bad(uint8_t flags)
{
	if ((flags & 0x3f) == 0)
		return true;
	if ((flags & TCP_SYN) && (flags & (TCP_FIN | TCP_RST)))
		return true;
	return (flags & TCP_FIN) && !(flags & TCP_ACK);
}

static void decode_tcp(struct packet *pkt, struct cursor *c)
{
	size_t start = c->off;
	uint8_t offset_byte, flags;
	uint16_t sport, dport;
	uint32_t seq, ack;
	size_t header_bytes;

	if (!cursor_be16(c, &sport) || !cursor_be16(c, &dport) ||
	    !cursor_be32(c, &seq) || !cursor_be32(c, &ack) ||
	    !cursor_u8(c, &offset_byte) || !cursor_u8(c, &flags) ||
	    !cursor_skip(c, TCP_WINDOW_CHECKSUM_URGENT_BYTES)) {
		anomaly_add(&pkt->anomalies, ANOM_TCP_TRUNCATED);
		set_payload(pkt, c, c->len, c->len);
		return;
	}
	pkt->flags |= PKT_HAS_L4;
	pkt->sport = sport;
	pkt->dport = dport;
	pkt->tcp_seq = seq;
	pkt->tcp_ack = ack;
	pkt->tcp_flags = flags;
	header_bytes = (size_t)(offset_byte >> 4) * TCP_DATA_OFFSET_UNIT_BYTES;
	if (header_bytes < TCP_MIN_HEADER_BYTES) {
		anomaly_add(&pkt->anomalies, ANOM_TCP_BAD_OFFSET);
		set_payload(pkt, c, c->off, c->off);
	} else if (header_bytes > c->len - start) {
		anomaly_add(&pkt->anomalies, layer_is_cut(pkt)
						     ? ANOM_TCP_TRUNCATED
						     : ANOM_TCP_BAD_OFFSET);
		set_payload(pkt, c, c->len, c->len);
	} else {
		set_payload(pkt, c, start + header_bytes, c->len);
	}
	if (tcp_flags_are_bad(flags))
		anomaly_add(&pkt->anomalies, ANOM_TCP_BAD_FLAGS);
	check_ports(pkt);
}

/* A GTPv1-U G-PDU starts with version 1, protocol type GTP, type 0xff. */
static bool looks_like_gtpu_g_pdu(const struct cursor *c)
{
	uint8_t flags, type;

	if (!cursor_peek_u8(c, c->off, &flags) ||
	    !cursor_peek_u8(c, c->off + 1, &type))
		return false;
	return flags >> GTP_FLAGS_VERSION_SHIFT == GTP_VERSION_1 &&
	       (flags & GTP_FLAG_PROTOCOL_TYPE_GTP) && type == GTP_TYPE_G_PDU;
}

static bool decode_gtpu_g_pdu(struct packet *pkt, struct cursor *c)
{
	return looks_like_gtpu_g_pdu(c) && decode_tunnel_gtpu(pkt, c);
}

/* UDP tunnels by port (either side); each decoder checks its header. */
static const struct udp_tunnel {
	uint16_t port;
	bool (*decode)(struct packet *pkt, struct cursor *c);
} udp_tunnels[] = {
	{ UDP_PORT_GTPU, decode_gtpu_g_pdu },
	{ UDP_PORT_VXLAN, decode_tunnel_vxlan },
	{ UDP_PORT_CAPWAP_DATA, decode_tunnel_capwap },
};

static void decode_udp(struct packet *pkt, struct cursor *c)
{
	size_t start = c->off;
	size_t captured = c->len - start; /* bytes of the datagram we hold */
	uint16_t sport, dport, length, checksum;
	size_t end = c->len;

	if (!cursor_be16(c, &sport) || !cursor_be16(c, &dport) ||
	    !cursor_be16(c, &length) || !cursor_be16(c, &checksum)) {
		anomaly_add(&pkt->anomalies, ANOM_UDP_TRUNCATED);
		set_payload(pkt, c, c->len, c->len);
		return;
	}
	pkt->flags |= PKT_HAS_L4;
	pkt->sport = sport;
	pkt->dport = dport;
	if (length < UDP_HEADER_BYTES) {
		/* 0 is legal only in IPv6 jumbograms; either way use the IP length */
		if (length != 0 || pkt->ip_version != 6)
			anomaly_add(&pkt->anomalies, ANOM_UDP_BAD_LENGTH);
	} else if (length > captured) {
		if (!layer_is_cut(pkt))
			anomaly_add(&pkt->anomalies, ANOM_UDP_BAD_LENGTH);
	} else {
		if (length < captured)
			anomaly_add(&pkt->anomalies, ANOM_UDP_BAD_LENGTH);
		end = start + length;
	}
	set_payload(pkt, c, c->off, end);
	check_ports(pkt);

	for (size_t i = 0; i < sizeof udp_tunnels / sizeof udp_tunnels[0];
	     i++) {
		struct cursor inner;

		if (sport != udp_tunnels[i].port &&
		    dport != udp_tunnels[i].port)
			continue;
		cursor_init(&inner, c->base,
			    pkt->payload_offset + pkt->payload_len);
		cursor_seek(&inner, pkt->payload_offset);
		udp_tunnels[i].decode(pkt, &inner);
		break;
	}
}

static void decode_icmp(struct packet *pkt, struct cursor *c)
{
	size_t start = c->off;
	uint8_t type, code;
	uint16_t checksum;

	if (!cursor_u8(c, &type) || !cursor_u8(c, &code) ||
	    !cursor_be16(c, &checksum)) {
		anomaly_add(&pkt->anomalies, ANOM_ICMP_TRUNCATED);
		set_payload(pkt, c, c->len, c->len);
		return;
	}
	pkt->flags |= PKT_HAS_L4;
	pkt->icmp_type = type;
	pkt->icmp_code = code;
	set_payload(pkt, c, start + ICMP_HEADER_BYTES, c->len);
}

static void decode_sctp(struct packet *pkt, struct cursor *c)
{
	size_t start = c->off;
	uint16_t sport, dport;

	if (!cursor_be16(c, &sport) || !cursor_be16(c, &dport) ||
	    !cursor_skip(c, SCTP_TAG_CHECKSUM_BYTES)) {
		set_payload(pkt, c, c->len, c->len);
		return;
	}
	pkt->flags |= PKT_HAS_L4;
	pkt->sport = sport;
	pkt->dport = dport;
	set_payload(pkt, c, start + SCTP_COMMON_HEADER_BYTES, c->len);
	check_ports(pkt);
}

/*
 * Decodes the transport header of protocol proto at c, whose length is the
 * captured part of the IP payload. Sets l4_offset, the ports or ICMP type,
 * PKT_HAS_L4 and the payload range; records anomalies; never fails.
 */
void decode_l4(struct packet *pkt, struct cursor *c, uint8_t proto)
{
	pkt->l4_offset = (uint32_t)c->off;
	set_payload(pkt, c, c->off, c->len);
	switch (proto) {
	case IPPROTO_NUM_TCP:
		decode_tcp(pkt, c);
		break;
	case IPPROTO_NUM_UDP:
		decode_udp(pkt, c);
		break;
	case IPPROTO_NUM_ICMP:
	case IPPROTO_NUM_ICMPV6:
		decode_icmp(pkt, c);
		break;
	case IPPROTO_NUM_SCTP:
		decode_sctp(pkt, c);
		break;
	default:
		if (!protocol_is_known(proto))
			anomaly_add(&pkt->anomalies, ANOM_L4_UNSUPPORTED);
		break;
	}
}
