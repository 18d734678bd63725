/*
 * decode_link.c — link-layer decoding and the decoder's entry point,
 * decode_packet().
 *
 * Finds the network layer under each supported link type and hands it to
 * decode_ip(): Ethernet (with 802.1Q/QinQ tags, 802.2 LLC/SNAP, MPLS label
 * stacks and PPPoE sessions), Linux cooked capture v1 and v2, raw IP,
 * BSD null/loopback, PPP (its frames: decode_ppp.c), Cisco HDLC and PPI
 * (the link type it wraps). Link types are LINKTYPE_* numbers as written in capture files;
 * pcap.h is not needed.
 *
 * No silent loss: a packet in which no IP layer is found always carries a
 * named anomaly saying why (link_unsupported, link_truncated,
 * ethertype_unsupported, link_non_ip, ppp_protocol_unsupported,
 * mpls_payload_unsupported, the IP-version anomalies …); see
 * packet_unplaced_reason() in packet.h.
 *
 * Cursor convention shared by all decode_*.c files: every cursor's base is
 * pkt->data, so c->off is an offset into the packet and a layer is bounded
 * by lowering c->len.
 */
#include <stddef.h>
#include <string.h>

#include "decode.h"

/* Link types as numbered in pcap and pcapng files. */
enum {
	LINKTYPE_NULL = 0,         /* BSD loopback, AF in host byte order */
	LINKTYPE_ETHERNET = 1,     /* EN10MB */
	LINKTYPE_PPP = 9,
	LINKTYPE_RAW_DLT12 = 12,   /* DLT_RAW on most systems */
	LINKTYPE_RAW_DLT14 = 14,   /* DLT_RAW on OpenBSD */
	LINKTYPE_PPP_HDLC = 50,
	LINKTYPE_RAW = 101,
	LINKTYPE_C_HDLC = 104,     /* Cisco HDLC */
	LINKTYPE_LOOP = 108,       /* OpenBSD loopback, AF in network order */
	LINKTYPE_LINUX_SLL = 113,
	LINKTYPE_PPI = 192,        /* per-packet information, then its DLT */
	LINKTYPE_IPV4 = 228,
	LINKTYPE_IPV6 = 229,
	LINKTYPE_LINUX_SLL2 = 276,
};

/* Ethertypes the link layer acts on. */
enum {
	ETH_TYPE_MIN = 0x0600,         /* smaller values are 802.3 lengths */
	ETH_TYPE_IPV4 = 0x0800,
	ETH_TYPE_IPV6 = 0x86dd,
	ETH_TYPE_VLAN = 0x8100,        /* 802.1Q */
	ETH_TYPE_QINQ = 0x88a8,        /* 802.1ad service tag */
	ETH_TYPE_QINQ_OLD = 0x9100,    /* pre-standard QinQ */
	ETH_TYPE_QINQ_OLD2 = 0x9200,
	ETH_TYPE_MPLS_UNICAST = 0x8847,
	ETH_TYPE_MPLS_MULTICAST = 0x8848,
	ETH_TYPE_PPPOE_SESSION = 0x8864,
	ETH_TYPE_FABRICPATH = 0x8903,  /* Cisco FabricPath: inner Ethernet */
	SLL_PROTO_802_2 = 0x0004,      /* Linux ETH_P_802_2: LLC follows */
	SLL_ARPHRD_NETLINK = 824,      /* payload is a netlink message */
};

/* Header sizes in bytes, and walk bounds. */
enum {
	ETH_ADDRS_BYTES = 12,        /* destination and source MAC */
	SLL_ADDR_BYTES = 10,         /* address length field, 8-byte address */
	SLL2_RESERVED_BYTES = 2,
	SLL2_TAIL_BYTES = 10,        /* packet type, address length, address */
	HDLC_ADDR_CTRL_BYTES = 2,
	FABRICPATH_TAG_BYTES = 2,    /* FTag and TTL */
	PPI_FIXED_BYTES = 8,         /* version, flags, length, DLT */
	MPLS_MAX_LABELS = 8,         /* label stack entries walked */
	LINK_MAX_HEADERS = 8,        /* ethertype-chain steps per packet */
};

enum {
	VLAN_TCI_VID_MASK = 0x0fff,
	MPLS_BOTTOM_OF_STACK = 0x00000100, /* S bit of a label entry */
	LLC_SAP_SNAP = 0xaa,
	LLC_CTRL_UI = 0x03,
	SNAP_OUI_ETHERTYPE = 0x000000,     /* RFC 1042 */
	SNAP_OUI_BRIDGE_TUNNEL = 0x0000f8, /* 802.1H */
	CISCO_HDLC_UNICAST = 0x0f,         /* Cisco HDLC address bytes */
	CISCO_HDLC_BROADCAST = 0x8f,
};

/* Address families in loopback headers, across operating systems. */
enum {
	AF_NUM_INET = 2,
	AF_NUM_INET6_LINUX = 10,
	AF_NUM_INET6_NETBSD = 24, /* also OpenBSD */
	AF_NUM_INET6_FREEBSD = 28,
	AF_NUM_INET6_DARWIN = 30,
};

/*
 * Ethertypes that carry no IP but are ordinary on a LAN: decoding stops
 * there without an anomaly.
 */
static const uint16_t ethertypes_without_ip[] = {
	0x0806, /* ARP */
	0x8035, /* RARP; Cisco SLARP on HDLC */
	0x0842, /* Wake-on-LAN */
	0x2000, /* Cisco CDP (HDLC) */
	0x2003, /* Cisco VTP */
	0x2004, /* Cisco DTP */
	0x22f0, /* AVTP */
	0x22ea, /* SRP */
	0x6002, /* DEC MOP remote console */
	0x6003, /* DECnet */
	0x6004, /* DEC LAT */
	0x809b, /* AppleTalk */
	0x80f3, /* AARP */
	0x8137, /* IPX */
	0x8138, /* IPX */
	0x8809, /* slow protocols: LACP, OAM */
	0x8863, /* PPPoE discovery */
	0x886d, /* Intel ANS probe */
	0x8874, /* Broadcom tag */
	0x887b, /* HomePlug */
	0x888e, /* 802.1X EAPOL */
	0x8892, /* PROFINET */
	0x8899, /* Realtek RRCP/RLDP */
	0x889a, /* HyperSCSI */
	0x88a2, /* ATA over Ethernet */
	0x88a4, /* EtherCAT */
	0x88b5, /* local experimental */
	0x88b6, /* local experimental */
	0x88b8, /* IEC 61850 GOOSE */
	0x88b9, /* IEC 61850 GSE */
	0x88ba, /* IEC 61850 sampled values */
	0x88cc, /* LLDP */
	0x88cd, /* SERCOS III */
	0x88e1, /* HomePlug AV */
	0x88e3, /* MRP */
	0x88e5, /* MACsec */
	0x88e7, /* PBB */
	0x88f7, /* PTP */
	0x88f8, /* NC-SI */
	0x88fb, /* PRP */
	0x8902, /* CFM */
	0x8906, /* FCoE */
	0x8914, /* FIP */
	0x890d, /* 802.11 encapsulation (TDLS) */
	0x8915, /* RoCE */
	0x891d, /* TTE */
	0x892f, /* HSR */
	0x893a, /* IEEE 1905 */
	0x9000, /* loopback test */
};

static bool ethertype_is_known_without_ip(uint16_t ethertype)
{
	size_t n = sizeof ethertypes_without_ip / sizeof ethertypes_without_ip[0];
	for (size_t i = 0; i < n; i++)
		if (ethertypes_without_ip[i] == ethertype)
			return true;
	return false;
}

/*
 * Reads one 802.1Q/802.1ad tag (TCI and the next ethertype). Stores the VLAN
 * id while there is room; a deeper tag is VLAN_TOO_DEEP and ends decoding.
 */
static bool read_vlan_tag(struct packet *pkt, struct cursor *c,
			  uint16_t *ethertype)
{
	uint16_t tci;

	if (pkt->vlan_count >= PACKET_MAX_VLANS) {
		anomaly_add(&pkt->anomalies, ANOM_VLAN_TOO_DEEP);
		return false;
	}
	if (!cursor_be16(c, &tci) || !cursor_be16(c, ethertype)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return false;
	}
	pkt->vlan[pkt->vlan_count++] = (uint16_t)(tci & VLAN_TCI_VID_MASK);
	return true;
}

/*
 * Reads an 802.2 LLC header (also behind 802.11 in CAPWAP, see
 * decode_tunnel.c). Returns true with the ethertype when it is a SNAP
 * header with an ethertype (OUI 0 or 802.1H); other LLC payloads (STP,
 * NetBIOS, IPX, vendor SNAP such as CDP) carry no IP: link_non_ip.
 */
bool decode_llc_snap(struct packet *pkt, struct cursor *c,
		     uint16_t *ethertype)
{
	uint8_t dsap, ssap, control;
	uint32_t oui;

	if (!cursor_u8(c, &dsap) || !cursor_u8(c, &ssap) ||
	    !cursor_u8(c, &control)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return false;
	}
	if (dsap != LLC_SAP_SNAP || ssap != LLC_SAP_SNAP ||
	    control != LLC_CTRL_UI) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_NON_IP);
		return false;
	}
	if (!cursor_be24(c, &oui) || !cursor_be16(c, ethertype)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return false;
	}
	if (oui == SNAP_OUI_ETHERTYPE || oui == SNAP_OUI_BRIDGE_TUNNEL)
		return true;
	anomaly_add(&pkt->anomalies, ANOM_LINK_NON_IP);
	return false;
}

/* Guesses the network layer after a link header by its version nibble. */
static void decode_ip_by_nibble(struct packet *pkt, struct cursor *c)
{
	uint8_t first;

	if (!cursor_peek_u8(c, c->off, &first)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return;
	}
	if (first >> 4 == 4)
		decode_ip(pkt, c, 4);
	else if (first >> 4 == 6)
		decode_ip(pkt, c, 6);
	else /* e.g. a pseudowire control word */
		anomaly_add(&pkt->anomalies, ANOM_MPLS_PAYLOAD_UNSUPPORTED);
}

/* Walks an MPLS label stack to the bottom entry, then guesses IPv4/IPv6. */
static void decode_mpls(struct packet *pkt, struct cursor *c)
{
	for (unsigned labels = 0; labels < MPLS_MAX_LABELS; labels++) {
		uint32_t entry;

		if (!cursor_be32(c, &entry)) {
			anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
			return;
		}
		if (entry & MPLS_BOTTOM_OF_STACK) {
			decode_ip_by_nibble(pkt, c);
			return;
		}
	}
	anomaly_add(&pkt->anomalies, ANOM_MPLS_TOO_DEEP);
}

/*
 * Follows an ethertype through tags, LLC/SNAP, FabricPath, MPLS and PPPoE
 * to IP. Each step consumes a header; the chain is bounded by the VLAN
 * cap, one LLC header and LINK_MAX_HEADERS.
 */
static void decode_ethertype(struct packet *pkt, struct cursor *c,
			     uint16_t ethertype)
{
	bool llc_seen = false;

	for (unsigned step = 0; step < LINK_MAX_HEADERS; step++) {
		switch (ethertype) {
		case ETH_TYPE_IPV4:
			decode_ip(pkt, c, 4);
			return;
		case ETH_TYPE_IPV6:
			decode_ip(pkt, c, 6);
			return;
		case ETH_TYPE_VLAN:
		case ETH_TYPE_QINQ:
		case ETH_TYPE_QINQ_OLD:
		case ETH_TYPE_QINQ_OLD2:
			if (!read_vlan_tag(pkt, c, &ethertype))
				return;
			continue;
		case ETH_TYPE_MPLS_UNICAST:
		case ETH_TYPE_MPLS_MULTICAST:
			decode_mpls(pkt, c);
			return;
		case ETH_TYPE_PPPOE_SESSION:
			decode_pppoe_session(pkt, c);
			return;
		case ETH_TYPE_FABRICPATH:
			if (!cursor_skip(c, FABRICPATH_TAG_BYTES + ETH_ADDRS_BYTES) ||
			    !cursor_be16(c, &ethertype)) {
				anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
				return;
			}
			continue;
		default:
			break;
		}
		if (ethertype < ETH_TYPE_MIN) {
			/* 802.3 length: an LLC header follows */
			if (llc_seen || !decode_llc_snap(pkt, c, &ethertype))
				return;
			llc_seen = true;
			continue;
		}
		anomaly_add(&pkt->anomalies,
			    ethertype_is_known_without_ip(ethertype)
				    ? ANOM_LINK_NON_IP
				    : ANOM_ETHERTYPE_UNSUPPORTED);
		return;
	}
	/* more nested link headers than LINK_MAX_HEADERS (stacked FabricPath) */
	anomaly_add(&pkt->anomalies, ANOM_VLAN_TOO_DEEP);
}

static void decode_ethernet(struct packet *pkt, struct cursor *c)
{
	uint16_t ethertype;

	if (!cursor_skip(c, ETH_ADDRS_BYTES) || !cursor_be16(c, &ethertype)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return;
	}
	decode_ethertype(pkt, c, ethertype);
}

/*
 * The protocol field of a Linux cooked header is an ethertype, or below
 * 0x0600 one of Linux's ETH_P_* pseudo types, of which only 802.2 LLC can
 * lead to IP. Netlink captures carry no IP.
 */
static void decode_sll_protocol(struct packet *pkt, struct cursor *c,
				uint16_t arphrd, uint16_t protocol)
{
	if (arphrd == SLL_ARPHRD_NETLINK ||
	    (protocol < ETH_TYPE_MIN && protocol != SLL_PROTO_802_2)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_NON_IP);
		return;
	}
	decode_ethertype(pkt, c, protocol);
}

static void decode_linux_sll(struct packet *pkt, struct cursor *c)
{
	uint16_t packet_type, arphrd, protocol;

	if (!cursor_be16(c, &packet_type) || !cursor_be16(c, &arphrd) ||
	    !cursor_skip(c, SLL_ADDR_BYTES) ||
	    !cursor_be16(c, &protocol)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return;
	}
	decode_sll_protocol(pkt, c, arphrd, protocol);
}

static void decode_linux_sll2(struct packet *pkt, struct cursor *c)
{
	uint16_t protocol, arphrd;
	uint32_t ifindex;

	if (!cursor_be16(c, &protocol) ||
	    !cursor_skip(c, SLL2_RESERVED_BYTES) ||
	    !cursor_be32(c, &ifindex) || !cursor_be16(c, &arphrd) ||
	    !cursor_skip(c, SLL2_TAIL_BYTES)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return;
	}
	decode_sll_protocol(pkt, c, arphrd, protocol);
}

/* IP version for a loopback address family, or 0. */
static int ip_version_of_family(uint32_t family)
{
	switch (family) {
	case AF_NUM_INET:
		return 4;
	case AF_NUM_INET6_LINUX:
	case AF_NUM_INET6_NETBSD:
	case AF_NUM_INET6_FREEBSD:
	case AF_NUM_INET6_DARWIN:
		return 6;
	default:
		return 0;
	}
}

/*
 * BSD loopback: a 4-byte address family. NULL stores it in the capturing
 * host's byte order, so both orders are tried; LOOP uses network order.
 */
static void decode_loopback(struct packet *pkt, struct cursor *c,
			    bool either_byte_order)
{
	struct cursor little = *c;
	uint32_t family_be, family_le;
	int version;

	if (!cursor_be32(c, &family_be) || !cursor_le32(&little, &family_le)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return;
	}
	version = ip_version_of_family(family_be);
	if (version == 0 && either_byte_order)
		version = ip_version_of_family(family_le);
	if (version == 0) {
		anomaly_add(&pkt->anomalies, ANOM_ETHERTYPE_UNSUPPORTED);
		return;
	}
	decode_ip(pkt, c, version);
}

/* Cisco HDLC: address, control, then an ethertype. */
static void decode_cisco_hdlc(struct packet *pkt, struct cursor *c)
{
	uint16_t ethertype;

	if (!cursor_skip(c, HDLC_ADDR_CTRL_BYTES) ||
	    !cursor_be16(c, &ethertype)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return;
	}
	decode_ethertype(pkt, c, ethertype);
}

/*
 * PPP in HDLC-like framing: optional address/control, then the protocol.
 * Frames addressed 0x0f/0x8f are Cisco HDLC on a PPP-labelled link.
 */
static void decode_ppp(struct packet *pkt, struct cursor *c)
{
	uint8_t address = 0;

	if (cursor_peek_u8(c, c->off, &address) &&
	    (address == CISCO_HDLC_UNICAST || address == CISCO_HDLC_BROADCAST)) {
		decode_cisco_hdlc(pkt, c);
		return;
	}
	decode_ppp_frame(pkt, c);
}

static void decode_raw_ip(struct packet *pkt, struct cursor *c)
{
	decode_ip(pkt, c, 0);
}

static void decode_raw_ipv4(struct packet *pkt, struct cursor *c)
{
	decode_ip(pkt, c, 4);
}

static void decode_raw_ipv6(struct packet *pkt, struct cursor *c)
{
	decode_ip(pkt, c, 6);
}

static void decode_null(struct packet *pkt, struct cursor *c)
{
	decode_loopback(pkt, c, true);
}

static void decode_loop(struct packet *pkt, struct cursor *c)
{
	decode_loopback(pkt, c, false);
}

struct link_decoder {
	int linktype;
	void (*decode)(struct packet *pkt, struct cursor *c);
};

static const struct link_decoder *find_link_decoder(int linktype);

/*
 * PPI: version, flags, header length (little-endian, covering the fields
 * that follow the fixed part) and the DLT of the packet after the header.
 * The wrapped link type is decoded as it would be on its own; PPI inside
 * PPI is not followed.
 */
static void decode_ppi(struct packet *pkt, struct cursor *c)
{
	const struct link_decoder *inner;
	size_t start = c->off;
	uint8_t version, flags;
	uint16_t header_bytes;
	uint32_t dlt;

	if (!cursor_u8(c, &version) || !cursor_u8(c, &flags) ||
	    !cursor_le16(c, &header_bytes) || !cursor_le32(c, &dlt) ||
	    header_bytes < PPI_FIXED_BYTES ||
	    !cursor_seek(c, start + header_bytes)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return;
	}
	inner = dlt == LINKTYPE_PPI ? NULL : find_link_decoder((int)dlt);
	if (!inner) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_UNSUPPORTED);
		return;
	}
	inner->decode(pkt, c);
}

/* The link types decode_packet() reads, and the decoder of each. */
static const struct link_decoder link_decoders[] = {
	{ LINKTYPE_NULL, decode_null },
	{ LINKTYPE_ETHERNET, decode_ethernet },
	{ LINKTYPE_PPP, decode_ppp },
	{ LINKTYPE_RAW_DLT12, decode_raw_ip },
	{ LINKTYPE_RAW_DLT14, decode_raw_ip },
	{ LINKTYPE_PPP_HDLC, decode_ppp },
	{ LINKTYPE_RAW, decode_raw_ip },
	{ LINKTYPE_C_HDLC, decode_cisco_hdlc },
	{ LINKTYPE_LOOP, decode_loop },
	{ LINKTYPE_LINUX_SLL, decode_linux_sll },
	{ LINKTYPE_PPI, decode_ppi },
	{ LINKTYPE_IPV4, decode_raw_ipv4 },
	{ LINKTYPE_IPV6, decode_raw_ipv6 },
	{ LINKTYPE_LINUX_SLL2, decode_linux_sll2 },
};

static const struct link_decoder *find_link_decoder(int linktype)
{
	size_t n = sizeof link_decoders / sizeof link_decoders[0];

	for (size_t i = 0; i < n; i++)
		if (link_decoders[i].linktype == linktype)
			return &link_decoders[i];
	return NULL;
}

/* True when linktype (a LINKTYPE_* number) is one decode_packet() reads. */
bool decode_linktype_supported(int linktype)
{
	return find_link_decoder(linktype) != NULL;
}

/* Zeroes every field decode_packet() owns (from `anomalies` to the end). */
static void clear_decoded_fields(struct packet *pkt)
{
	size_t first = offsetof(struct packet, anomalies);

	memset((unsigned char *)pkt + first, 0, sizeof *pkt - first);
}

/*
 * Clears and fills every decoded field of pkt from pkt->data[0..caplen),
 * read as link type pkt->linktype. Never fails: what cannot be decoded is
 * an anomaly. Returns true when an IP layer was found. Reads nothing
 * outside the caller's buffer and keeps no reference to it.
 */
bool decode_packet(struct packet *pkt)
{
	const struct link_decoder *link;
	struct cursor c;

	clear_decoded_fields(pkt);
	if (pkt->caplen > pkt->wirelen)
		anomaly_add(&pkt->anomalies, ANOM_CAPLEN_OVER_WIRELEN);
	else if (pkt->caplen < pkt->wirelen)
		anomaly_add(&pkt->anomalies, ANOM_SNAPLEN_CUT);

	cursor_init(&c, pkt->data, pkt->caplen);
	link = find_link_decoder(pkt->linktype);
	if (link)
		link->decode(pkt, &c);
	else
		anomaly_add(&pkt->anomalies, ANOM_LINK_UNSUPPORTED);
	if (pkt->ip_version == 0 &&
	    packet_unplaced_reason(pkt) == ANOM_COUNT)
		anomaly_add(&pkt->anomalies, ANOM_LINK_NON_IP); /* safety net */
	return pkt->ip_version != 0;
}
