/*
 * test_decode.c — table-driven tests of decode_packet() (capture/decode_*.c).
 *
 * Each case describes a packet as a list of layers; the builder below turns
 * it into bytes, fixing every length field and IPv4 checksum, so a case
 * reads like the packet it is. The bytes are copied into an exact-size heap
 * buffer before decoding so AddressSanitizer sees any over-read. Every case
 * is run whole (exact expected fields and anomaly set) and cut at every
 * length from 0 to its size (invariants only).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"

enum { BUILD_CAPACITY_BYTES = 1024, MAX_LAYERS = 16, MAX_FIXUPS = 16 };

enum layer_kind {
	END = 0,
	ETH,       /* a: ethertype */
	VLAN,      /* a: VLAN id, b: next ethertype */
	MPLS,      /* a: label, b: 1 on the bottom of the stack */
	PPPOE,     /* a: PPP protocol */
	SLL,       /* a: protocol, b: ARPHRD type */
	SLL2,      /* a: protocol, b: ARPHRD type */
	LOOPBACK,  /* a: address family, b: 1 for network byte order */
	IP4,       /* a: protocol, b, c: addresses, d: option words << 16 | frag */
	IP6,       /* a: next header, b, c: last byte of 2001:db8:: addresses */
	IP6_EXT,   /* a: next header, b: length in 8-byte units after the first */
	AH,        /* a: next header, b: length in 4-byte units minus 2 */
	IP6_FRAG,  /* a: next header, b: offset and M flag word */
	TCP,       /* a, b: ports, c: flags, d: data offset words (0 means 5) */
	UDP,       /* a, b: ports */
	ICMP,      /* a: type, b: code */
	SCTP,      /* a, b: ports */
	GRE,       /* a: flags and version, b: protocol, c: key or call id */
	GTP,       /* a: flags, b: message type, c: TEID, d: next extension */
	HEX,       /* hex: literal bytes */
	PAYLOAD,   /* a: that many 'a' bytes */
	TRAILER,   /* hex: bytes outside every length (link padding) */
	PATCH8,    /* a: offset, b: value; applied before checksums */
	PATCH16,   /* a: offset, b: value; applied before checksums */
	CORRUPT16, /* a: offset, b: value; applied after checksums */
};

struct layer {
	enum layer_kind kind;
	uint32_t arg[4]; /* a, b, c, d above */
	const char *hex;
};

/* Table spellings: L(kind, a, b, ...), H("hex bytes"), TRAIL("hex bytes"). */
#define L(kind_, ...) { .kind = (kind_), .arg = { __VA_ARGS__ } }
#define H(hex_) { .kind = HEX, .hex = (hex_) }
#define TRAIL(hex_) { .kind = TRAILER, .hex = (hex_) }

struct builder {
	uint8_t bytes[BUILD_CAPACITY_BYTES];
	size_t len;
	struct { enum layer_kind kind; size_t at, from; } fixups[MAX_FIXUPS];
	size_t fixup_count;
};

static void put_u8(struct builder *b, uint32_t v)
{
	assert_true(b->len < sizeof b->bytes);
	b->bytes[b->len++] = (uint8_t)v;
}

static void put_be16(struct builder *b, uint32_t v)
{
	put_u8(b, v >> 8);
	put_u8(b, v);
}

static void put_be32(struct builder *b, uint32_t v)
{
	put_be16(b, v >> 16);
	put_be16(b, v);
}

static void put_le32(struct builder *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		put_u8(b, v >> (8 * i));
}

static void put_repeat(struct builder *b, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_u8(b, v);
}

static void put_hex(struct builder *b, const char *hex)
{
	for (const char *p = hex; *p; p++) {
		if (*p == ' ')
			continue;
		assert_true(p[1] != '\0');
		char pair[3] = { p[0], p[1], 0 };
		put_u8(b, (uint32_t)strtoul(pair, NULL, 16));
		p++;
	}
}

static void set_be16(struct builder *b, size_t at, uint32_t v)
{
	b->bytes[at] = (uint8_t)(v >> 8);
	b->bytes[at + 1] = (uint8_t)v;
}

/* Length field at `at` becomes (end of packet - from) when built. */
static void add_fixup(struct builder *b, enum layer_kind kind, size_t at,
		      size_t from)
{
	assert_true(b->fixup_count < MAX_FIXUPS);
	b->fixups[b->fixup_count].kind = kind;
	b->fixups[b->fixup_count].at = at;
	b->fixups[b->fixup_count].from = from;
	b->fixup_count++;
}

static void put_ipv6_addr(struct builder *b, uint32_t last)
{
	put_hex(b, "20010db8 00000000 00000000 000000");
	put_u8(b, last);
}

static void put_layer(struct builder *b, const struct layer *l)
{
	size_t start = b->len;
	uint32_t a = l->arg[0], bb = l->arg[1], c = l->arg[2], d = l->arg[3];

	switch (l->kind) {
	case ETH:
		put_hex(b, "001122334455 66778899aabb");
		put_be16(b, a);
		break;
	case VLAN:
		put_be16(b, a);
		put_be16(b, bb);
		break;
	case MPLS:
		put_be32(b, a << 12 | bb << 8 | 64);
		break;
	case PPPOE:
		put_hex(b, "11 00 0001");
		add_fixup(b, PPPOE, b->len, start + 6);
		put_be16(b, 0);
		put_be16(b, a);
		break;
	case SLL:
		put_be16(b, 0);
		put_be16(b, bb);
		put_hex(b, "0006 66778899aabb 0000");
		put_be16(b, a);
		break;
	case SLL2:
		put_be16(b, a);
		put_hex(b, "0000 00000001");
		put_be16(b, bb);
		put_hex(b, "00 06 66778899aabb 0000");
		break;
	case LOOPBACK:
		if (bb)
			put_be32(b, a);
		else
			put_le32(b, a);
		break;
	case IP4:
		put_u8(b, 0x45 + (d >> 16));
		put_u8(b, 0);
		add_fixup(b, IP4, b->len, start);
		put_hex(b, "0000 1234");
		put_be16(b, d & 0xffff);
		put_u8(b, 64);
		put_u8(b, a);
		put_be16(b, 0);
		put_be32(b, bb);
		put_be32(b, c);
		for (uint32_t i = 0; i < d >> 16; i++)
			put_hex(b, "01010100");
		break;
	case IP6:
		put_hex(b, "60000000");
		add_fixup(b, IP6, b->len, start + 40);
		put_be16(b, 0);
		put_u8(b, a);
		put_u8(b, 64);
		put_ipv6_addr(b, bb);
		put_ipv6_addr(b, c);
		break;
	case IP6_EXT:
		put_u8(b, a);
		put_u8(b, bb);
		put_repeat(b, 0, (bb + 1) * 8 - 2);
		break;
	case AH:
		put_u8(b, a);
		put_u8(b, bb);
		put_repeat(b, 0, (bb + 2) * 4 - 2);
		break;
	case IP6_FRAG:
		put_u8(b, a);
		put_u8(b, 0);
		put_be16(b, bb);
		put_be32(b, 0xabcd);
		break;
	case TCP:
		put_be16(b, a);
		put_be16(b, bb);
		put_hex(b, "01000000 02000000");
		put_u8(b, (d ? d : 5) << 4);
		put_u8(b, c);
		put_hex(b, "ffff 0000 0000");
		break;
	case UDP:
		put_be16(b, a);
		put_be16(b, bb);
		add_fixup(b, UDP, b->len, start);
		put_hex(b, "0000 0000");
		break;
	case ICMP:
		put_u8(b, a);
		put_u8(b, bb);
		put_hex(b, "0000 0001 0002");
		break;
	case SCTP:
		put_be16(b, a);
		put_be16(b, bb);
		put_hex(b, "00000001 00000000");
		break;
	case GRE:
		put_be16(b, a);
		put_be16(b, bb);
		if ((a & 7) == 1) {
			add_fixup(b, GRE, b->len, b->len + 4 +
				  ((a & 0x1000) ? 4 : 0) +
				  ((a & 0x0080) ? 4 : 0));
			put_be16(b, 0);
			put_be16(b, c);
			if (a & 0x1000)
				put_be32(b, 1);
			if (a & 0x0080)
				put_be32(b, 2);
			break;
		}
		if (a & 0x8000)
			put_be32(b, 0);
		if (a & 0x2000)
			put_be32(b, c);
		if (a & 0x1000)
			put_be32(b, 1);
		break;
	case GTP:
		put_u8(b, a);
		put_u8(b, bb);
		add_fixup(b, GTP, b->len, start + 8);
		put_be16(b, 0);
		put_be32(b, c);
		if (a & 7) {
			put_hex(b, "0001 00");
			put_u8(b, d);
		}
		break;
	case HEX:
		put_hex(b, l->hex);
		break;
	case PAYLOAD:
		put_repeat(b, 'a', a);
		break;
	default:
		break;
	}
}

static uint16_t ipv4_checksum(const uint8_t *h, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Builds the packet the layers describe. */
static void build(struct builder *b, const struct layer *layers)
{
	size_t end;

	memset(b, 0, sizeof *b);
	for (const struct layer *l = layers; l->kind != END; l++)
		put_layer(b, l);
	end = b->len;
	for (const struct layer *l = layers; l->kind != END; l++)
		if (l->kind == TRAILER)
			put_hex(b, l->hex);
	for (size_t i = 0; i < b->fixup_count; i++)
		set_be16(b, b->fixups[i].at, end - b->fixups[i].from);
	for (const struct layer *l = layers; l->kind != END; l++) {
		if (l->kind == PATCH8)
			b->bytes[l->arg[0]] = (uint8_t)l->arg[1];
		else if (l->kind == PATCH16)
			set_be16(b, l->arg[0], l->arg[1]);
	}
	for (size_t i = 0; i < b->fixup_count; i++) {
		if (b->fixups[i].kind != IP4)
			continue;
		uint8_t *h = b->bytes + b->fixups[i].at - 2;
		size_t n = (size_t)(h[0] & 0x0f) * 4;
		n = n < 20 ? 20 : n;
		set_be16(b, b->fixups[i].at + 8, ipv4_checksum(h, n));
	}
	for (const struct layer *l = layers; l->kind != END; l++)
		if (l->kind == CORRUPT16)
			set_be16(b, l->arg[0], l->arg[1]);
}

/* What a decoded packet must hold. Unset fields must be zero. */
struct expect {
	uint8_t ip_version;
	const char *src, *dst; /* NULL: not checked */
	uint8_t ttl;           /* 0: not checked */
	uint8_t l4_proto;
	uint32_t flags;
	anomaly_set anomalies;
	uint16_t sport, dport;
	uint8_t tcp_flags, icmp_type, icmp_code;
	uint8_t tunnel_depth, tunnel_kind;
	uint32_t tunnel_id;
	uint8_t vlan_count;
	uint16_t vlan[PACKET_MAX_VLANS];
	bool check_payload_len;
	uint32_t payload_len;
	bool check_ip_offset;
	uint32_t ip_offset;
};

struct decode_case {
	const char *name;
	int linktype;
	struct layer layers[MAX_LAYERS];
	uint32_t cut_to; /* nonzero: capture only this many bytes */
	struct expect want;
};

#define A(x) ((anomaly_set)1 << ANOM_##x)
#define PAYLOAD_LEN(n) .check_payload_len = true, .payload_len = (n)
#define IP_OFFSET(n) .check_ip_offset = true, .ip_offset = (n)
#define L4 PKT_HAS_L4
#define V4(s, d) .ip_version = 4, .src = (s), .dst = (d)
#define V6(s, d) .ip_version = 6, .src = (s), .dst = (d)

/* Addresses used by the cases. */
enum {
	ADDR_A1 = 0x0a000001, /* 10.0.0.1 */
	ADDR_A2 = 0x0a000002,
	ADDR_B1 = 0xc0a80001, /* 192.168.0.1 */
	ADDR_B2 = 0xc0a80002,
};
#define A1 "10.0.0.1"
#define A2 "10.0.0.2"
#define B1 "192.168.0.1"
#define B2 "192.168.0.2"
#define S1 "2001:db8::1"
#define S2 "2001:db8::2"

#include "test_decode_cases.inc"

static const size_t case_count = sizeof decode_cases / sizeof decode_cases[0];

/*
 * Copies n bytes to an exact-size heap buffer, decodes them and frees the
 * copy (pkt->data is left NULL; checks only read decoded fields).
 */
static void decode_copy(struct packet *pkt, int linktype,
			    const uint8_t *bytes, size_t n, size_t wirelen)
{
	uint8_t *copy = malloc(n); /* n == 0: any read of it is an error */

	if (n) {
		assert_non_null(copy);
		memcpy(copy, bytes, n);
	}
	memset(pkt, 0xa5, sizeof *pkt); /* decode must clear what it owns */
	pkt->frame = 1;
	pkt->caplen = (uint32_t)n;
	pkt->wirelen = (uint32_t)wirelen;
	pkt->linktype = linktype;
	pkt->data = copy;
	decode_packet(pkt);
	free(copy);
	pkt->data = NULL;
}

/* Holds for every decode of every input. */
static void check_invariants(const char *name, const struct packet *p)
{
	uint64_t ip_end = (uint64_t)p->ip_offset + p->ip_len;

	if ((uint64_t)p->payload_offset + p->payload_len > p->caplen ||
	    p->vlan_count > PACKET_MAX_VLANS ||
	    p->tunnel_depth > DECODE_MAX_TUNNEL_DEPTH ||
	    (p->tunnel_depth == 0) != (p->tunnel_kind == TUNNEL_NONE) ||
	    (p->tunnel_depth == 0 && p->tunnel_id != 0))
		fail_msg("%s (caplen %u): payload, vlan or tunnel fields",
			 name, p->caplen);
	if (!(p->flags & PKT_HAS_L4) &&
	    (p->sport || p->dport || p->tcp_flags || p->icmp_type))
		fail_msg("%s (caplen %u): L4 fields without PKT_HAS_L4", name,
			 p->caplen);
	if (p->ip_version == 0) {
		if (packet_unplaced_reason(p) == ANOM_COUNT)
			fail_msg("%s (caplen %u): no IP layer and no named reason",
				 name, p->caplen);
		if (p->flags || p->payload_len || p->ip_len || p->tunnel_depth)
			fail_msg("%s (caplen %u): fields set without IP", name,
				 p->caplen);
		return;
	}
	if (packet_unplaced_reason(p) != ANOM_COUNT)
		fail_msg("%s: an unplaced reason on a packet with IP", name);
	if ((p->ip_version != 4 && p->ip_version != 6) || ip_end > p->caplen ||
	    p->l4_offset < p->ip_offset || p->l4_offset > ip_end ||
	    p->payload_offset < p->l4_offset ||
	    p->payload_offset + (uint64_t)p->payload_len > ip_end)
		fail_msg("%s (caplen %u): IP/L4 ranges: ip %u+%u l4 %u pay %u+%u",
			 name, p->caplen, p->ip_offset, p->ip_len, p->l4_offset,
			 p->payload_offset, p->payload_len);
}

static void check_address(const char *name, const char *field,
			  const char *want, int version, const uint8_t got[16])
{
	uint8_t addr[16] = { 0 };

	if (!want)
		return;
	assert_int_equal(inet_pton(version == 6 ? AF_INET6 : AF_INET, want,
				   addr), 1);
	if (memcmp(addr, got, sizeof addr) != 0)
		fail_msg("%s: %s differs from %s", name, field, want);
}

#define CHECK_FIELD(field)                                                     \
	do {                                                                   \
		if ((uint64_t)got->field != (uint64_t)want->field)             \
			fail_msg("%s: " #field " = %llu, want %llu", c->name,  \
				 (unsigned long long)got->field,               \
				 (unsigned long long)want->field);             \
	} while (0)

static void check_decoded(const struct decode_case *c,
			   const struct packet *got)
{
	const struct expect *want = &c->want;

	if (got->anomalies != want->anomalies) {
		for (int i = 0; i < ANOM_COUNT; i++)
			if (anomaly_has(got->anomalies, i) !=
			    anomaly_has(want->anomalies, i))
				print_error("%s: anomaly %s %s\n", c->name,
					    anomaly_name(i),
					    anomaly_has(got->anomalies, i)
						    ? "unexpected" : "missing");
		fail_msg("%s: anomaly set differs", c->name);
	}
	CHECK_FIELD(ip_version);
	CHECK_FIELD(flags);
	CHECK_FIELD(sport);
	CHECK_FIELD(dport);
	CHECK_FIELD(tcp_flags);
	CHECK_FIELD(icmp_type);
	CHECK_FIELD(icmp_code);
	CHECK_FIELD(tunnel_depth);
	CHECK_FIELD(tunnel_kind);
	CHECK_FIELD(tunnel_id);
	CHECK_FIELD(vlan_count);
	for (int i = 0; i < want->vlan_count; i++)
		CHECK_FIELD(vlan[i]);
	if (want->ip_version) {
		CHECK_FIELD(l4_proto);
		check_address(c->name, "src", want->src, want->ip_version,
			      got->src);
		check_address(c->name, "dst", want->dst, want->ip_version,
			      got->dst);
	}
	if (want->ttl)
		CHECK_FIELD(ttl);
	if (want->check_payload_len)
		CHECK_FIELD(payload_len);
	if (want->check_ip_offset)
		CHECK_FIELD(ip_offset);
}

static void test_decode_case(void **state)
{
	const struct decode_case *c = *state;
	struct builder b;
	struct packet pkt;
	size_t caplen;

	build(&b, c->layers);
	caplen = c->cut_to ? c->cut_to : b.len;
	assert_true(caplen <= b.len);
	decode_copy(&pkt, c->linktype, b.bytes, caplen, b.len);
	check_invariants(c->name, &pkt);
	check_decoded(c, &pkt);
}

/* Every prefix of every case, as a snaplen cut and as a short frame. */
static void test_truncation_sweep(void **state)
{
	struct builder b;
	struct packet pkt;

	for (size_t i = 0; i < case_count; i++) {
		const struct decode_case *c = &decode_cases[i];

		build(&b, c->layers);
		for (size_t n = 0; n <= b.len; n++) {
			decode_copy(&pkt, c->linktype, b.bytes, n, b.len);
			check_invariants(c->name, &pkt);
			decode_copy(&pkt, c->linktype, b.bytes, n, n);
			check_invariants(c->name, &pkt);
		}
	}
}

static void test_linktype_supported(void **state)
{
	static const int supported[] = { 0, 1, 9, 12, 14, 50, 101, 104, 108,
					 113, 192, 228, 229, 276 };
	static const int unsupported[] = { -1, 2, 10, 105, 127, 147, 275,
					   100000 };

	for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++)
		assert_true(decode_linktype_supported(supported[i]));
	for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++)
		assert_false(decode_linktype_supported(unsupported[i]));
}

static void test_empty_packet_without_data(void **state)
{
	struct packet pkt;

	memset(&pkt, 0xa5, sizeof pkt);
	pkt.caplen = pkt.wirelen = 0;
	pkt.linktype = 1;
	pkt.data = NULL;
	assert_false(decode_packet(&pkt));
	assert_int_equal(pkt.anomalies, A(LINK_TRUNCATED));
	check_invariants("empty", &pkt);
}

static void test_caplen_over_wirelen(void **state)
{
	static const uint8_t arp[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1,
				       2, 3, 4, 5, 6, 0x08, 0x06 };
	struct packet pkt;

	decode_copy(&pkt, 1, arp, sizeof arp, sizeof arp - 1);
	assert_int_equal(pkt.anomalies, A(CAPLEN_OVER_WIRELEN) | A(LINK_NON_IP));
	assert_int_equal(pkt.ip_version, 0);
	assert_int_equal(packet_unplaced_reason(&pkt), ANOM_LINK_NON_IP);
}

int main(void)
{
	static struct CMUnitTest tests[sizeof decode_cases /
				       sizeof decode_cases[0] + 4];
	size_t n = 0;

	for (size_t i = 0; i < case_count; i++) {
		tests[n].name = decode_cases[i].name;
		tests[n].test_func = test_decode_case;
		tests[n].initial_state = (void *)&decode_cases[i];
		n++;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_truncation_sweep);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_linktype_supported);
	tests[n++] =
		(struct CMUnitTest)cmocka_unit_test(test_empty_packet_without_data);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_caplen_over_wirelen);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
