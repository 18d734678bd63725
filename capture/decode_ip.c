/*
 * decode_ip.c — IPv4 and IPv6 decoding, including the IPv6 extension-header
 * walk and IP-in-IP tunnels (4in4, 6in4, 4in6, 6in6).
 *
 * An IP layer is committed to the packet only once its fixed header has
 * been read, so when an inner (tunnelled) layer turns out to be broken the
 * packet still describes the last good layer. Flags PKT_IPV4_OPTIONS,
 * PKT_FRAGMENT, PKT_FIRST_FRAGMENT and PKT_TRUNCATED_L3 accumulate over all
 * layers; PKT_HAS_L4 and the L4 fields always belong to the innermost one.
 *
 * Cursors follow the convention of decode_link.c: base is pkt->data.
 */
#include <string.h>

#include "decode.h"

/* Sizes in bytes. */
enum {
	IPV4_MIN_HEADER_BYTES = 20,
	IPV4_IHL_UNIT_BYTES = 4,
	IPV4_ADDR_BYTES = 4,
	IPV6_HEADER_BYTES = 40,
	IPV6_ADDR_BYTES = 16,
	IPV6_EXT_LEN_UNIT_BYTES = 8,    /* hdr ext len, plus one unit */
	AH_LEN_UNIT_BYTES = 4,          /* payload len, plus two units */
};

enum {
	IPV4_FLAG_MORE_FRAGMENTS = 0x2000,
	IPV4_FRAG_OFFSET_MASK = 0x1fff,
	IPV6_FRAG_OFFSET_MASK = 0xfff8, /* already in bytes */
	IPV6_FLAG_MORE_FRAGMENTS = 0x0001,
	IPV4_CHECKSUM_OK = 0xffff,      /* folded sum of a valid header */
};

/* IP protocol numbers the IP layer acts on. */
enum {
	IPPROTO_NUM_HOPOPTS = 0,
	IPPROTO_NUM_IPIP = 4,
	IPPROTO_NUM_IPV6 = 41,
	IPPROTO_NUM_ROUTING = 43,
	IPPROTO_NUM_FRAGMENT = 44,
	IPPROTO_NUM_GRE = 47,
	IPPROTO_NUM_AH = 51,
	IPPROTO_NUM_NONE = 59,
	IPPROTO_NUM_DSTOPTS = 60,
	IPPROTO_NUM_MOBILITY = 135,
	IPPROTO_NUM_HIP = 139,
	IPPROTO_NUM_SHIM6 = 140,
};

/* An IP header read but not yet committed to the packet. */
struct ip_layer {
	uint8_t version;
	uint8_t ttl;
	uint8_t proto;            /* protocol / next header of the fixed header */
	uint8_t src[16], dst[16];
	size_t start;             /* offset of the header in pkt->data */
	size_t header_end;        /* offset after the fixed header (+options) */
	size_t end;               /* offset after the captured datagram */
	uint32_t flags;           /* PKT_* bits this layer adds */
	bool decode_payload;      /* IPv4: false stops after the header */
};

/* True when the bytes of the current layer may legitimately end early. */
static bool layer_is_cut(const struct packet *pkt)
{
	return pkt->caplen < pkt->wirelen ||
	       (pkt->flags & (PKT_TRUNCATED_L3 | PKT_FRAGMENT)) != 0;
}

/* Makes layer the one the packet describes; clears the previous L4 fields. */
static void commit_ip_layer(struct packet *pkt, const struct ip_layer *layer)
{
	pkt->ip_version = layer->version;
	pkt->ttl = layer->ttl;
	pkt->l4_proto = layer->proto;
	memcpy(pkt->src, layer->src, sizeof pkt->src);
	memcpy(pkt->dst, layer->dst, sizeof pkt->dst);
	pkt->ip_offset = (uint32_t)layer->start;
	pkt->ip_len = (uint32_t)(layer->end - layer->start);
	pkt->flags = (pkt->flags & ~(uint32_t)PKT_HAS_L4) | layer->flags;
	pkt->sport = pkt->dport = 0;
	pkt->tcp_flags = 0;
	pkt->tcp_seq = pkt->tcp_ack = 0;
	pkt->icmp_type = pkt->icmp_code = 0;
	pkt->l4_offset = (uint32_t)layer->header_end;
	pkt->payload_offset = (uint32_t)layer->header_end;
	pkt->payload_len = (uint32_t)(layer->end - layer->header_end);
}

/* One's-complement sum check over the whole captured IPv4 header. */
static bool ipv4_checksum_is_valid(const struct cursor *c, size_t start,
				   size_t header_bytes)
{
	struct cursor h = *c;
	uint32_t sum = 0;
	uint16_t word;

	cursor_seek(&h, start);
	for (size_t i = 0; i < header_bytes / 2; i++) {
		if (!cursor_be16(&h, &word))
			return true; /* not all captured: cannot tell */
		sum += word;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == IPV4_CHECKSUM_OK;
}

/*
 * Enters an IP-in-IP tunnel: the inner datagram becomes the packet's IP
 * layer if it decodes; otherwise the tunnel fields are put back.
 */
static void decode_ip_in_ip(struct packet *pkt, struct cursor *inner,
			    int version)
{
	uint8_t saved_depth = pkt->tunnel_depth;
	uint8_t saved_kind = pkt->tunnel_kind;
	uint32_t saved_id = pkt->tunnel_id;

	if (pkt->tunnel_depth >= DECODE_MAX_TUNNEL_DEPTH) {
		anomaly_add(&pkt->anomalies, ANOM_TUNNEL_TOO_DEEP);
		return;
	}
	pkt->tunnel_depth++;
	pkt->tunnel_kind = TUNNEL_IPIP;
	pkt->tunnel_id = 0;
	if (!decode_ip(pkt, inner, version)) {
		pkt->tunnel_depth = saved_depth;
		pkt->tunnel_kind = saved_kind;
		pkt->tunnel_id = saved_id;
	}
}

/* Hands the payload at c (bounded to the datagram) to its decoder. */
static void decode_ip_payload(struct packet *pkt, struct cursor *c,
			      uint8_t proto)
{
	switch (proto) {
	case IPPROTO_NUM_IPIP:
		decode_ip_in_ip(pkt, c, 4);
		break;
	case IPPROTO_NUM_IPV6:
		decode_ip_in_ip(pkt, c, 6);
		break;
	case IPPROTO_NUM_GRE:
		decode_tunnel_gre(pkt, c);
		break;
	default:
		decode_l4(pkt, c, proto);
		break;
	}
}

static bool is_ipv6_extension(uint8_t next_header)
{
	switch (next_header) {
	case IPPROTO_NUM_HOPOPTS:
	case IPPROTO_NUM_ROUTING:
	case IPPROTO_NUM_FRAGMENT:
	case IPPROTO_NUM_AH:
	case IPPROTO_NUM_DSTOPTS:
	case IPPROTO_NUM_MOBILITY:
	case IPPROTO_NUM_HIP:
	case IPPROTO_NUM_SHIM6:
		return true;
	default:
		return false;
	}
}

/* Reads an IPv6 fragment header, setting fragment flags. */
static bool read_fragment_header(struct packet *pkt, struct cursor *c,
				 uint8_t *next, bool *later_fragment)
{
	uint8_t reserved;
	uint16_t offset_flags;
	uint32_t ident;

	if (!cursor_u8(c, next) || !cursor_u8(c, &reserved) ||
	    !cursor_be16(c, &offset_flags) || !cursor_be32(c, &ident))
		return false;
	pkt->flags |= PKT_FRAGMENT;
	anomaly_add(&pkt->anomalies, ANOM_IPV6_FRAGMENT);
	if ((offset_flags & IPV6_FRAG_OFFSET_MASK) != 0)
		*later_fragment = true;
	else if (offset_flags & IPV6_FLAG_MORE_FRAGMENTS)
		pkt->flags |= PKT_FIRST_FRAGMENT;
	return true;
}

/*
 * Walks extension headers starting with *next at c. On return *next is the
 * final next-header value and c is after the last header walked. Returns
 * true when the payload at c should be decoded. IPv4 walks only AH.
 */
static bool walk_extension_headers(struct packet *pkt, struct cursor *c,
				   uint8_t *next, bool ipv6)
{
	bool later_fragment = false;

	for (unsigned count = 0; is_ipv6_extension(*next); count++) {
		uint8_t following, units;
		size_t header_bytes;

		if (!ipv6 && *next != IPPROTO_NUM_AH)
			break;
		if (count >= DECODE_MAX_IPV6_EXT) {
			anomaly_add(&pkt->anomalies, ANOM_IPV6_EXT_CHAIN_TOO_LONG);
			return false;
		}
		if (*next == IPPROTO_NUM_FRAGMENT) {
			if (!read_fragment_header(pkt, c, &following,
						  &later_fragment))
				goto truncated;
			*next = following;
			if (later_fragment)
				return false; /* what follows is fragment data */
			continue;
		}
		if (!cursor_peek_u8(c, c->off, &following) ||
		    !cursor_peek_u8(c, c->off + 1, &units))
			goto truncated;
		if (*next == IPPROTO_NUM_AH)
			header_bytes = ((size_t)units + 2) * AH_LEN_UNIT_BYTES;
		else
			header_bytes = ((size_t)units + 1) * IPV6_EXT_LEN_UNIT_BYTES;
		if (!cursor_skip(c, header_bytes))
			goto truncated;
		*next = following;
	}
	return *next != IPPROTO_NUM_NONE;

truncated:
	anomaly_add(&pkt->anomalies, ipv6 ? ANOM_IPV6_EXT_TRUNCATED
					  : ANOM_IPV4_TRUNCATED);
	return false;
}

/* After commit: walks extensions (AH for IPv4) and decodes the payload. */
static void decode_after_header(struct packet *pkt, const struct cursor *c,
				const struct ip_layer *layer)
{
	struct cursor payload;
	uint8_t next = layer->proto;
	bool decode;

	cursor_init(&payload, c->base, layer->end);
	cursor_seek(&payload, layer->header_end);
	decode = walk_extension_headers(pkt, &payload, &next,
					layer->version == 6);
	pkt->l4_proto = next;
	pkt->l4_offset = pkt->payload_offset = (uint32_t)payload.off;
	pkt->payload_len = (uint32_t)cursor_left(&payload);
	if (decode)
		decode_ip_payload(pkt, &payload, next);
}

/*
 * Decides how much of the datagram was captured: claimed is the length the
 * header declares, c holds what the enclosing layer has. Sets
 * PKT_TRUNCATED_L3 when the claim is longer, and reports bad_length too
 * unless a snap length or an outer fragment explains the shortfall.
 */
static void bound_datagram(struct packet *pkt, const struct cursor *c,
			   struct ip_layer *layer, size_t claimed,
			   enum anomaly bad_length)
{
	size_t available = cursor_left(c);

	if (claimed > available) {
		layer->flags |= PKT_TRUNCATED_L3;
		if (!layer_is_cut(pkt))
			anomaly_add(&pkt->anomalies, bad_length);
		claimed = available;
	}
	layer->end = layer->start + claimed;
}

static bool decode_ipv4(struct packet *pkt, struct cursor *c)
{
	struct ip_layer layer = { .version = 4, .start = c->off };
	struct cursor h = *c;
	uint8_t version_ihl, tos;
	uint16_t total_length, ident, frag, checksum;
	size_t header_bytes, claimed;

	if (!cursor_u8(&h, &version_ihl) || !cursor_u8(&h, &tos) ||
	    !cursor_be16(&h, &total_length) || !cursor_be16(&h, &ident) ||
	    !cursor_be16(&h, &frag) || !cursor_u8(&h, &layer.ttl) ||
	    !cursor_u8(&h, &layer.proto) || !cursor_be16(&h, &checksum) ||
	    !cursor_copy(&h, layer.src, IPV4_ADDR_BYTES) ||
	    !cursor_copy(&h, layer.dst, IPV4_ADDR_BYTES)) {
		anomaly_add(&pkt->anomalies, ANOM_IPV4_TRUNCATED);
		return false;
	}
	header_bytes = (size_t)(version_ihl & 0x0f) * IPV4_IHL_UNIT_BYTES;
	if (header_bytes < IPV4_MIN_HEADER_BYTES) {
		anomaly_add(&pkt->anomalies, ANOM_IPV4_BAD_IHL);
		return false;
	}
	layer.decode_payload = true;
	claimed = total_length;
	if (total_length < header_bytes) {
		anomaly_add(&pkt->anomalies, ANOM_IPV4_BAD_TOTAL_LENGTH);
		if (total_length == 0) {
			/* segmentation offload: the stack left it 0 */
			claimed = cursor_left(c);
		} else {
			claimed = header_bytes;
			layer.decode_payload = false;
		}
	}
	bound_datagram(pkt, c, &layer, claimed, ANOM_IPV4_BAD_TOTAL_LENGTH);
	if (header_bytes > layer.end - layer.start) {
		anomaly_add(&pkt->anomalies, ANOM_IPV4_TRUNCATED);
		header_bytes = layer.end - layer.start;
		layer.decode_payload = false;
	} else if (checksum != 0 &&
		   !ipv4_checksum_is_valid(c, layer.start, header_bytes)) {
		anomaly_add(&pkt->anomalies, ANOM_IPV4_BAD_CHECKSUM);
	}
	layer.header_end = layer.start + header_bytes;
	if (header_bytes > IPV4_MIN_HEADER_BYTES) {
		layer.flags |= PKT_IPV4_OPTIONS;
		anomaly_add(&pkt->anomalies, ANOM_IPV4_OPTIONS);
	}
	if (frag & (IPV4_FLAG_MORE_FRAGMENTS | IPV4_FRAG_OFFSET_MASK)) {
		layer.flags |= PKT_FRAGMENT;
		anomaly_add(&pkt->anomalies, ANOM_IPV4_FRAGMENT);
		if ((frag & IPV4_FRAG_OFFSET_MASK) != 0)
			layer.decode_payload = false;
		else
			layer.flags |= PKT_FIRST_FRAGMENT;
	}
	commit_ip_layer(pkt, &layer);
	if (layer.decode_payload)
		decode_after_header(pkt, c, &layer);
	return true;
}

static bool decode_ipv6(struct packet *pkt, struct cursor *c)
{
	struct ip_layer layer = { .version = 6, .start = c->off };
	struct cursor h = *c;
	uint32_t version_class_flow;
	uint16_t payload_length;
	size_t claimed;

	if (!cursor_be32(&h, &version_class_flow) ||
	    !cursor_be16(&h, &payload_length) || !cursor_u8(&h, &layer.proto) ||
	    !cursor_u8(&h, &layer.ttl) ||
	    !cursor_copy(&h, layer.src, IPV6_ADDR_BYTES) ||
	    !cursor_copy(&h, layer.dst, IPV6_ADDR_BYTES)) {
		anomaly_add(&pkt->anomalies, ANOM_IPV6_TRUNCATED);
		return false;
	}
	claimed = IPV6_HEADER_BYTES + (size_t)payload_length;
	if (payload_length == 0 && layer.proto != IPPROTO_NUM_NONE) {
		/* a jumbogram (hop-by-hop first) or segmentation offload */
		claimed = cursor_left(c);
		if (layer.proto != IPPROTO_NUM_HOPOPTS &&
		    claimed > IPV6_HEADER_BYTES)
			anomaly_add(&pkt->anomalies,
				    ANOM_IPV6_BAD_PAYLOAD_LENGTH);
	}
	bound_datagram(pkt, c, &layer, claimed, ANOM_IPV6_BAD_PAYLOAD_LENGTH);
	layer.header_end = layer.start + IPV6_HEADER_BYTES;
	commit_ip_layer(pkt, &layer);
	decode_after_header(pkt, c, &layer);
	return true;
}

/*
 * Decodes the IP datagram at c (c->len bounds what the enclosing layer
 * holds). version_hint is 4 or 6 when the link layer says which, anything
 * else to guess from the version nibble. Returns true when this IP layer
 * was committed to pkt (its fixed header was read); on false pkt is
 * unchanged apart from anomalies. Recurses into tunnels up to
 * DECODE_MAX_TUNNEL_DEPTH.
 */
bool decode_ip(struct packet *pkt, struct cursor *c, int version_hint)
{
	uint8_t first;
	int version;

	if (version_hint != 4 && version_hint != 6) {
		/* guess: 6 by its nibble, anything else is checked as IPv4 */
		version_hint = 4;
		if (cursor_peek_u8(c, c->off, &first) && first >> 4 == 6)
			version_hint = 6;
	}
	if (!cursor_peek_u8(c, c->off, &first)) {
		anomaly_add(&pkt->anomalies, version_hint == 6
						     ? ANOM_IPV6_TRUNCATED
						     : ANOM_IPV4_TRUNCATED);
		return false;
	}
	version = first >> 4;
	if (version != version_hint) {
		anomaly_add(&pkt->anomalies, version_hint == 6
						     ? ANOM_IPV6_BAD_VERSION
						     : ANOM_IPV4_BAD_VERSION);
		return false;
	}
	return version == 4 ? decode_ipv4(pkt, c) : decode_ipv6(pkt, c);
}
