/*
 * community_id.c — Community ID v1 (community_id.h). The ICMP type
 * pairing follows the spec's reference tables: a request and its reply
 * map to (type, counter-type) and order like ports; any other type maps
 * to (type, code) and keeps its direction (one-way).
 */
#include "analyze/flow/community_id.h"

#include <string.h>

#include "analyze/crypto/digest.h"

enum {
	PROTO_ICMP = 1,
	PROTO_TCP = 6,
	PROTO_UDP = 17,
	PROTO_ICMPV6 = 58,
	PROTO_SCTP = 132,
	SHA1_BYTES = 20,
	CID_INPUT_MAX = 2 + 16 + 16 + 2 + 4,
};

/* Request/reply pairs that make an ICMP exchange two-way. */
struct icmp_pair {
	uint8_t type, counter;
};
static const struct icmp_pair icmp4_pairs[] = {
	{8, 0}, {0, 8},     /* echo, echo reply */
	{13, 14}, {14, 13}, /* timestamp */
	{15, 16}, {16, 15}, /* information */
	{10, 9}, {9, 10},   /* router solicitation, advertisement */
	{17, 18}, {18, 17}, /* address mask */
};
static const struct icmp_pair icmp6_pairs[] = {
	{128, 129}, {129, 128}, /* echo */
	{130, 131}, {131, 130}, /* multicast listener query, report */
	{133, 134}, {134, 133}, /* router solicitation, advertisement */
	{135, 136}, {136, 135}, /* neighbour solicitation, advertisement */
	{139, 140}, {140, 139}, /* node information query, reply */
	{144, 145}, {145, 144}, /* home agent address discovery */
};

/* Maps an ICMP type and code to the spec's port pair; true when the
 * exchange is one-way (no reordering). */
static bool icmp_ports(uint8_t proto, uint16_t type, uint16_t code,
		       uint16_t *sport, uint16_t *dport)
{
	const struct icmp_pair *p = proto == PROTO_ICMP ? icmp4_pairs
							: icmp6_pairs;
	size_t n = proto == PROTO_ICMP
			   ? sizeof icmp4_pairs / sizeof icmp4_pairs[0]
			   : sizeof icmp6_pairs / sizeof icmp6_pairs[0];
	*sport = type;
	for (size_t i = 0; i < n; i++)
		if (p[i].type == type) {
			*dport = p[i].counter;
			return false;
		}
	*dport = code;
	return true;
}

unsigned community_base64(const uint8_t *in, unsigned n, char *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned o = 0;
	for (unsigned i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = abc[(v >> 18) & 63];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? abc[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c - 'a' + 10;
}

static bool has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP ||
	       proto == PROTO_SCTP || proto == PROTO_ICMP ||
	       proto == PROTO_ICMPV6;
}

bool community_id_v1(const struct community_tuple *t, uint16_t seed,
		     char out[COMMUNITY_ID_SIZE])
{
	out[0] = '\0';
	size_t alen = t->ip_version == 4 ? 4 : t->ip_version == 6 ? 16 : 0;
	/* A port-bearing protocol whose header was not read (a fragment
	 * after the first, a truncated header) hashes without ports, as
	 * Wireshark does: the spec leaves the case open. */
	bool ports = has_ports(t->proto) && t->has_ports;
	if (!alen)
		return false;
	const uint8_t *a = t->src, *b = t->dst;
	uint16_t pa = t->sport, pb = t->dport;
	bool one_way = false;
	if (ports && (t->proto == PROTO_ICMP || t->proto == PROTO_ICMPV6))
		one_way = icmp_ports(t->proto, t->sport, t->dport, &pa, &pb);
	if (!one_way) {
		int c = memcmp(a, b, alen);
		if (c > 0 || (c == 0 && ports && pa > pb)) {
			const uint8_t *ta = a;
			uint16_t tp = pa;
			a = b, b = ta;
			pa = pb, pb = tp;
		}
	}
	uint8_t in[CID_INPUT_MAX];
	size_t n = 0;
	in[n++] = (uint8_t)(seed >> 8);
	in[n++] = (uint8_t)seed;
	memcpy(in + n, a, alen);
	n += alen;
	memcpy(in + n, b, alen);
	n += alen;
	in[n++] = t->proto;
	in[n++] = 0;
	if (ports) {
		in[n++] = (uint8_t)(pa >> 8);
		in[n++] = (uint8_t)pa;
		in[n++] = (uint8_t)(pb >> 8);
		in[n++] = (uint8_t)pb;
	}
	char hex[DIGEST_SHA1_HEX_SIZE];
	if (!digest_sha1_hex(in, n, hex))
		return false;
	uint8_t raw[SHA1_BYTES];
	for (int i = 0; i < SHA1_BYTES; i++)
		raw[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
	out[0] = '1';
	out[1] = ':';
	community_base64(raw, SHA1_BYTES, out + 2);
	return true;
}

bool community_id_of_flow(const struct flow *f, char out[COMMUNITY_ID_SIZE])
{
	bool icmp = f->l4_proto == PROTO_ICMP || f->l4_proto == PROTO_ICMPV6;
	struct community_tuple t = {
		.ip_version = f->ip_version,
		.proto = f->l4_proto,
		.src = f->client,
		.dst = f->server,
		.sport = icmp ? f->first_icmp_type : f->client_port,
		.dport = icmp ? f->first_icmp_code : f->server_port,
		.has_ports = f->first_has_l4,
	};
	return community_id_v1(&t, 0, out);
}
