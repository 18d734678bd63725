/*
 * decode_tunnel.c — GRE (RFC 2784/2890, and PPTP's enhanced GRE from
 * RFC 2637), GTPv1-U, VXLAN (RFC 7348) and CAPWAP data channel (RFC 5415)
 * tunnel decoding.
 *
 * Each decoder reads its tunnel header and hands the inner frame to
 * decode_ip() (or, for bridged Ethernet, to a small inner Ethernet
 * reader; for CAPWAP's native IEEE 802.11 frames, to an 802.11 data
 * frame reader). The tunnel fields of the packet — depth, kind, id —
 * change only when the inner IP layer decodes, so a broken inner packet
 * leaves the packet describing the outer one.
 *
 * Cursors follow the convention of decode_link.c: base is pkt->data.
 */
#include "decode.h"

/* GRE flags-and-version word. */
enum {
	GRE_FLAG_CHECKSUM = 0x8000,
	GRE_FLAG_ROUTING = 0x4000,
	GRE_FLAG_KEY = 0x2000,
	GRE_FLAG_SEQUENCE = 0x1000,
	GRE_FLAG_ACK = 0x0080,     /* enhanced GRE (version 1) only */
	GRE_VERSION_MASK = 0x0007,
	GRE_VERSION_PLAIN = 0,
	GRE_VERSION_ENHANCED = 1,
};

/* Payload types carried by GRE, and PPP protocol numbers. */
enum {
	GRE_PROTO_IPV4 = 0x0800,
	GRE_PROTO_IPV6 = 0x86dd,
	GRE_PROTO_ETHERNET = 0x6558, /* transparent Ethernet bridging */
	GRE_PROTO_PPP = 0x880b,
	ETH_TYPE_IPV4 = 0x0800,
	ETH_TYPE_IPV6 = 0x86dd,
	ETH_TYPE_VLAN = 0x8100,
	ETH_TYPE_QINQ = 0x88a8,
};

/* GTPv1-U header fields. */
enum {
	GTP_FLAGS_VERSION_SHIFT = 5,
	GTP_VERSION_1 = 1,
	GTP_FLAG_PROTOCOL_TYPE_GTP = 0x10,
	GTP_FLAG_EXTENSION = 0x04,
	GTP_FLAG_SEQUENCE = 0x02,
	GTP_FLAG_N_PDU = 0x01,
	GTP_TYPE_G_PDU = 0xff,
	GTP_MAX_EXT_HEADERS = 8,        /* extension headers walked */
};

/* VXLAN and CAPWAP header fields. */
enum {
	VXLAN_FLAG_VNI = 0x08,          /* I: the VNI is valid */
	VXLAN_HEADER_BYTES = 8,
	CAPWAP_HEADER_MIN_BYTES = 8,
	CAPWAP_HLEN_UNIT_BYTES = 4,
	CAPWAP_FLAG_T = 0x000100,       /* native frame of the binding */
	CAPWAP_FLAG_F = 0x000080,       /* a fragment */
	CAPWAP_FLAG_K = 0x000008,       /* keep-alive: no frame */
	CAPWAP_WBID_IEEE80211 = 1,
};

/* IEEE 802.11 frame control (first byte, then flags). */
enum {
	WLAN_FC_VERSION_MASK = 0x03,
	WLAN_FC_TYPE_SHIFT = 2,
	WLAN_FC_TYPE_DATA = 2,
	WLAN_SUBTYPE_NO_DATA = 0x4,     /* Null, CF-Ack and CF-Poll only */
	WLAN_SUBTYPE_QOS = 0x8,
	WLAN_FLAG_TO_FROM_DS = 0x03,    /* both: a fourth address */
	WLAN_FLAG_PROTECTED = 0x40,
	WLAN_FLAG_ORDER = 0x80,         /* with QoS: an HT control field */
	WLAN_QOS_AMSDU = 0x80,          /* first QoS control byte */
	WLAN_HEADER_BYTES = 24,         /* frame control .. sequence control */
	WLAN_ADDR_BYTES = 6,
	WLAN_HT_CONTROL_BYTES = 4,
};

/* Sizes in bytes. */
enum {
	GRE_CHECKSUM_FIELD_BYTES = 4,   /* checksum and reserved/offset */
	GRE_SEQUENCE_BYTES = 4,
	GRE_ACK_BYTES = 4,
	ETH_ADDRS_BYTES = 12,
	GTP_EXT_LEN_UNIT_BYTES = 4,
};

/* What a tunnel carries. */
enum inner_kind {
	INNER_IP_GUESS = 0, /* by version nibble */
	INNER_IPV4 = 4,
	INNER_IPV6 = 6,
	INNER_ETHERNET,
	INNER_80211,
};

/* True when the bytes of the current layer may legitimately end early. */
static bool layer_is_cut(const struct packet *pkt)
{
	return pkt->caplen < pkt->wirelen ||
	       (pkt->flags & (PKT_TRUNCATED_L3 | PKT_FRAGMENT)) != 0;
}

/* Inner Ethernet of a GRE bridge: addresses, tags skipped, then IP. */
static bool decode_inner_ethernet(struct packet *pkt, struct cursor *c)
{
	uint16_t ethertype, tci;

	if (!cursor_skip(c, ETH_ADDRS_BYTES) || !cursor_be16(c, &ethertype)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return false;
	}
	for (unsigned tags = 0;
	     ethertype == ETH_TYPE_VLAN || ethertype == ETH_TYPE_QINQ; tags++) {
		if (tags >= PACKET_MAX_VLANS) {
			anomaly_add(&pkt->anomalies, ANOM_VLAN_TOO_DEEP);
			return false;
		}
		if (!cursor_be16(c, &tci) || !cursor_be16(c, &ethertype)) {
			anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
			return false;
		}
	}
	if (ethertype == ETH_TYPE_IPV4)
		return decode_ip(pkt, c, 4);
	if (ethertype == ETH_TYPE_IPV6)
		return decode_ip(pkt, c, 6);
	return false; /* ARP and the like inside the bridge */
}

/* True when the frame control byte b starts a version-0 data frame. */
static bool wlan_data_frame(uint8_t b)
{
	return (b & WLAN_FC_VERSION_MASK) == 0 &&
	       ((b >> WLAN_FC_TYPE_SHIFT) & 0x03) == WLAN_FC_TYPE_DATA;
}

/*
 * Inner IEEE 802.11 data frame (CAPWAP's native frames): the header, then
 * LLC/SNAP and IP. Some access points send the two frame control bytes
 * swapped; a frame whose first byte is no data frame but whose second is
 * is read that way. Management and control frames, frames without data,
 * protected (encrypted) frames and A-MSDU aggregates carry no IP we read.
 */
static bool decode_inner_80211(struct packet *pkt, struct cursor *c)
{
	uint8_t fc, flags, qos;
	uint16_t ethertype;
	size_t header = WLAN_HEADER_BYTES;

	if (!cursor_peek_u8(c, c->off, &fc) ||
	    !cursor_peek_u8(c, c->off + 1, &flags)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return false;
	}
	if (!wlan_data_frame(fc)) {
		uint8_t swap = fc;

		if (!wlan_data_frame(flags))
			return false;
		fc = flags;
		flags = swap;
	}
	if (((fc >> 4) & WLAN_SUBTYPE_NO_DATA) ||
	    (flags & WLAN_FLAG_PROTECTED))
		return false;
	if ((flags & WLAN_FLAG_TO_FROM_DS) == WLAN_FLAG_TO_FROM_DS)
		header += WLAN_ADDR_BYTES;
	if ((fc >> 4) & WLAN_SUBTYPE_QOS) {
		if (!cursor_peek_u8(c, c->off + header, &qos)) {
			anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
			return false;
		}
		if (qos & WLAN_QOS_AMSDU)
			return false;
		header += 2;
		if (flags & WLAN_FLAG_ORDER)
			header += WLAN_HT_CONTROL_BYTES;
	}
	if (!cursor_skip(c, header)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return false;
	}
	if (!decode_llc_snap(pkt, c, &ethertype))
		return false;
	if (ethertype == ETH_TYPE_IPV4)
		return decode_ip(pkt, c, 4);
	if (ethertype == ETH_TYPE_IPV6)
		return decode_ip(pkt, c, 6);
	return false;
}

/*
 * Crosses one encapsulation: checks the depth cap, sets the tunnel fields
 * and decodes the inner frame; puts the fields back when no inner IP layer
 * was decoded. Returns true when one was.
 */
static bool enter_tunnel(struct packet *pkt, struct cursor *inner,
			 enum tunnel_kind kind, uint32_t id,
			 enum inner_kind carries)
{
	uint8_t saved_depth = pkt->tunnel_depth;
	uint8_t saved_kind = pkt->tunnel_kind;
	uint32_t saved_id = pkt->tunnel_id;
	bool decoded;

	if (pkt->tunnel_depth >= DECODE_MAX_TUNNEL_DEPTH) {
		anomaly_add(&pkt->anomalies, ANOM_TUNNEL_TOO_DEEP);
		return false;
	}
	pkt->tunnel_depth++;
	pkt->tunnel_kind = (uint8_t)kind;
	pkt->tunnel_id = id;
	if (carries == INNER_ETHERNET)
		decoded = decode_inner_ethernet(pkt, inner);
	else if (carries == INNER_80211)
		decoded = decode_inner_80211(pkt, inner);
	else
		decoded = decode_ip(pkt, inner, (int)carries);
	if (!decoded) {
		pkt->tunnel_depth = saved_depth;
		pkt->tunnel_kind = saved_kind;
		pkt->tunnel_id = saved_id;
	}
	return decoded;
}

/*
 * PPP inside enhanced GRE: optional address/control, then a one- or
 * two-byte protocol. Compressed, encrypted and control frames carry no IP.
 */
static bool decode_gre_ppp(struct packet *pkt, struct cursor *c,
			   uint32_t call_id)
{
	uint16_t protocol;

	if (!ppp_header_read(c, &protocol)) {
		anomaly_add(&pkt->anomalies, ANOM_GRE_TRUNCATED);
		return false;
	}
	switch (ppp_ip_version(protocol)) {
	case 4: return enter_tunnel(pkt, c, TUNNEL_GRE, call_id, INNER_IPV4);
	case 6: return enter_tunnel(pkt, c, TUNNEL_GRE, call_id, INNER_IPV6);
	default: return false;
	}
}

/* PPTP's enhanced GRE: key is payload length and call id. */
static bool decode_gre_enhanced(struct packet *pkt, struct cursor *c,
				uint16_t flags, uint16_t protocol)
{
	uint16_t payload_length, call_id;
	struct cursor ppp;
	size_t ppp_bytes;

	if (protocol != GRE_PROTO_PPP || !(flags & GRE_FLAG_KEY) ||
	    (flags & (GRE_FLAG_CHECKSUM | GRE_FLAG_ROUTING))) {
		anomaly_add(&pkt->anomalies, ANOM_GRE_UNSUPPORTED);
		return false;
	}
	if (!cursor_be16(c, &payload_length) || !cursor_be16(c, &call_id) ||
	    ((flags & GRE_FLAG_SEQUENCE) && !cursor_skip(c, GRE_SEQUENCE_BYTES)) ||
	    ((flags & GRE_FLAG_ACK) && !cursor_skip(c, GRE_ACK_BYTES))) {
		anomaly_add(&pkt->anomalies, ANOM_GRE_TRUNCATED);
		return false;
	}
	if (payload_length == 0)
		return false; /* acknowledgement only */
	ppp_bytes = payload_length;
	if (ppp_bytes > cursor_left(c)) {
		if (!layer_is_cut(pkt))
			anomaly_add(&pkt->anomalies, ANOM_GRE_TRUNCATED);
		ppp_bytes = cursor_left(c);
	}
	cursor_init(&ppp, c->base, c->off + ppp_bytes);
	cursor_seek(&ppp, c->off);
	return decode_gre_ppp(pkt, &ppp, call_id);
}

/*
 * Decodes the GRE header at c and the frame it carries. Version 0 carries
 * IPv4, IPv6 or bridged Ethernet (key, if present, becomes tunnel_id);
 * version 1 is PPTP's PPP (call id becomes tunnel_id). Returns true when
 * an inner IP layer was decoded. Records GRE_TRUNCATED, GRE_UNSUPPORTED.
 */
bool decode_tunnel_gre(struct packet *pkt, struct cursor *c)
{
	uint16_t flags, protocol;
	uint32_t key = 0;

	if (!cursor_be16(c, &flags) || !cursor_be16(c, &protocol)) {
		anomaly_add(&pkt->anomalies, ANOM_GRE_TRUNCATED);
		return false;
	}
	switch (flags & GRE_VERSION_MASK) {
	case GRE_VERSION_PLAIN:
		break;
	case GRE_VERSION_ENHANCED:
		return decode_gre_enhanced(pkt, c, flags, protocol);
	default:
		anomaly_add(&pkt->anomalies, ANOM_GRE_UNSUPPORTED);
		return false;
	}
	if (flags & GRE_FLAG_ROUTING) {
		/* RFC 1701 source routes: obsolete, not walked */
		anomaly_add(&pkt->anomalies, ANOM_GRE_UNSUPPORTED);
		return false;
	}
	if (((flags & GRE_FLAG_CHECKSUM) &&
	     !cursor_skip(c, GRE_CHECKSUM_FIELD_BYTES)) ||
	    ((flags & GRE_FLAG_KEY) && !cursor_be32(c, &key)) ||
	    ((flags & GRE_FLAG_SEQUENCE) && !cursor_skip(c, GRE_SEQUENCE_BYTES))) {
		anomaly_add(&pkt->anomalies, ANOM_GRE_TRUNCATED);
		return false;
	}
	switch (protocol) {
	case GRE_PROTO_IPV4:
		return enter_tunnel(pkt, c, TUNNEL_GRE, key, INNER_IPV4);
	case GRE_PROTO_IPV6:
		return enter_tunnel(pkt, c, TUNNEL_GRE, key, INNER_IPV6);
	case GRE_PROTO_ETHERNET:
		return enter_tunnel(pkt, c, TUNNEL_GRE, key, INNER_ETHERNET);
	default:
		anomaly_add(&pkt->anomalies, ANOM_GRE_UNSUPPORTED);
		return false;
	}
}

/*
 * Walks the GTP extension-header chain starting with type next. Each
 * header is a length in 4-byte units (covering itself), contents and the
 * next type. Returns false, with an anomaly, when the chain is broken.
 */
static bool walk_gtp_extensions(struct packet *pkt, struct cursor *c,
				uint8_t next)
{
	for (unsigned count = 0; next != 0; count++) {
		uint8_t units;

		if (count >= GTP_MAX_EXT_HEADERS) {
			anomaly_add(&pkt->anomalies, ANOM_GTP_UNSUPPORTED);
			return false;
		}
		if (!cursor_u8(c, &units)) {
			anomaly_add(&pkt->anomalies, ANOM_GTP_TRUNCATED);
			return false;
		}
		if (units == 0) {
			anomaly_add(&pkt->anomalies, ANOM_GTP_UNSUPPORTED);
			return false;
		}
		if (!cursor_skip(c, (size_t)units * GTP_EXT_LEN_UNIT_BYTES - 2) ||
		    !cursor_u8(c, &next)) {
			anomaly_add(&pkt->anomalies, ANOM_GTP_TRUNCATED);
			return false;
		}
	}
	return true;
}

/*
 * Decodes the GTPv1-U header at c (a UDP payload) and, for a G-PDU, the
 * IP packet it carries; TEID becomes tunnel_id. Returns true when an inner
 * IP layer was decoded. Records GTP_TRUNCATED and GTP_UNSUPPORTED.
 */
bool decode_tunnel_gtpu(struct packet *pkt, struct cursor *c)
{
	uint8_t flags, type, first;
	uint16_t length;
	uint32_t teid;
	struct cursor message;
	size_t message_end;

	if (!cursor_u8(c, &flags) || !cursor_u8(c, &type) ||
	    !cursor_be16(c, &length) || !cursor_be32(c, &teid)) {
		anomaly_add(&pkt->anomalies, ANOM_GTP_TRUNCATED);
		return false;
	}
	if (flags >> GTP_FLAGS_VERSION_SHIFT != GTP_VERSION_1 ||
	    !(flags & GTP_FLAG_PROTOCOL_TYPE_GTP) || type != GTP_TYPE_G_PDU) {
		anomaly_add(&pkt->anomalies, ANOM_GTP_UNSUPPORTED);
		return false;
	}
	message_end = c->off + length;
	if (length > cursor_left(c)) {
		if (!layer_is_cut(pkt))
			anomaly_add(&pkt->anomalies, ANOM_GTP_TRUNCATED);
		message_end = c->len;
	}
	cursor_init(&message, c->base, message_end);
	cursor_seek(&message, c->off);
	if (flags & (GTP_FLAG_EXTENSION | GTP_FLAG_SEQUENCE | GTP_FLAG_N_PDU)) {
		uint16_t sequence;
		uint8_t n_pdu, next_extension;

		if (!cursor_be16(&message, &sequence) ||
		    !cursor_u8(&message, &n_pdu) ||
		    !cursor_u8(&message, &next_extension)) {
			anomaly_add(&pkt->anomalies, ANOM_GTP_TRUNCATED);
			return false;
		}
		if ((flags & GTP_FLAG_EXTENSION) &&
		    !walk_gtp_extensions(pkt, &message, next_extension))
			return false;
	}
	if (!cursor_peek_u8(&message, message.off, &first)) {
		anomaly_add(&pkt->anomalies, ANOM_GTP_TRUNCATED);
		return false;
	}
	if (first >> 4 != 4 && first >> 4 != 6) {
		anomaly_add(&pkt->anomalies, ANOM_GTP_UNSUPPORTED);
		return false;
	}
	return enter_tunnel(pkt, &message, TUNNEL_GTPU, teid, INNER_IP_GUESS);
}

/*
 * Decodes the VXLAN header at c (a UDP payload) and the Ethernet frame it
 * carries; the VNI becomes tunnel_id. A payload too short for the header,
 * or without the I flag, is not VXLAN: false, no anomaly. Returns true
 * when an inner IP layer was decoded.
 */
bool decode_tunnel_vxlan(struct packet *pkt, struct cursor *c)
{
	struct cursor h = *c;
	uint8_t flags;
	uint32_t vni;

	if (!cursor_u8(&h, &flags) || !(flags & VXLAN_FLAG_VNI) ||
	    !cursor_skip(&h, 3) || !cursor_be24(&h, &vni) ||
	    !cursor_skip(&h, 1))
		return false;
	*c = h;
	return enter_tunnel(pkt, c, TUNNEL_VXLAN, vni, INNER_ETHERNET);
}

/*
 * Decodes a CAPWAP data channel header at c (a UDP payload) and the frame
 * it carries: an IEEE 802.3 frame (T clear) or a native IEEE 802.11 frame
 * (T set, wireless binding 1). DTLS-protected packets, keep-alives,
 * fragments and other bindings are not read (false, no anomaly); a header
 * length past the datagram is CAPWAP_TRUNCATED. Returns true when an inner
 * IP layer was decoded.
 */
bool decode_tunnel_capwap(struct packet *pkt, struct cursor *c)
{
	struct cursor h = *c;
	uint8_t preamble;
	uint32_t bits;
	size_t header;

	if (!cursor_u8(&h, &preamble) || preamble != 0 ||
	    !cursor_be24(&h, &bits))
		return false; /* version 0, type 0: a plain CAPWAP header */
	header = (size_t)(bits >> 19) * CAPWAP_HLEN_UNIT_BYTES;
	if (header < CAPWAP_HEADER_MIN_BYTES)
		return false;
	if (!cursor_skip(c, header)) {
		if (!layer_is_cut(pkt))
			anomaly_add(&pkt->anomalies, ANOM_CAPWAP_TRUNCATED);
		return false;
	}
	if (bits & (CAPWAP_FLAG_F | CAPWAP_FLAG_K))
		return false;
	if (!(bits & CAPWAP_FLAG_T))
		return enter_tunnel(pkt, c, TUNNEL_CAPWAP, 0, INNER_ETHERNET);
	if (((bits >> 9) & 0x1f) != CAPWAP_WBID_IEEE80211)
		return false;
	return enter_tunnel(pkt, c, TUNNEL_CAPWAP, 0, INNER_80211);
}
