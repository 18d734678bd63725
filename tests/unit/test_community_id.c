/*
 * test_community_id.c — Community ID v1 (analyze/flow/community_id.h):
 * the spec's worked examples (TCP with seed 0 and 1), UDP, SCTP, ICMP
 * request/reply pairing, one-way ICMP, ICMPv6, a protocol without ports,
 * equal addresses ordered by port; properties over random tuples: the
 * value is the same from both ends (except one-way ICMP), always "1:" and
 * 28 base64 characters; a port-bearing protocol without its L4 header
 * hashes without ports (Wireshark's value for such a fragment).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "analyze/flow/community_id.h"

struct cid_case {
	const char *name;
	int ip_version;
	uint8_t proto;
	const char *src, *dst;
	uint16_t sport, dport;
	uint16_t seed;
	bool has_ports;
	const char *want; /* NULL: no value */
};

static const struct cid_case cases[] = {
	{"spec TCP", 4, 6, "128.232.110.120", "66.35.250.204", 34855, 80, 0, true,
	 "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	{"spec TCP reversed", 4, 6, "66.35.250.204", "128.232.110.120", 80, 34855,
	 0, true, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
	{"spec TCP seed 1", 4, 6, "128.232.110.120", "66.35.250.204", 34855, 80,
	 1, true, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
	{"UDP DNS", 4, 17, "192.168.1.52", "8.8.8.8", 54585, 53, 0, true,
	 "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
	{"ICMP echo request", 4, 1, "192.168.0.89", "192.168.0.1", 8, 0, 0, true,
	 "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
	{"ICMP echo reply pairs", 4, 1, "192.168.0.1", "192.168.0.89", 0, 0, 0,
	 true, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
	{"ICMP unreachable one-way", 4, 1, "192.168.0.1", "192.168.0.89", 3, 3,
	 0, true, "1:ZouhgnVac3AK62b9tKlLG4N+dVQ="},
	{"ICMPv6 neighbour solicitation", 6, 58, "fe80::200:86ff:fe05:80da",
	 "fe80::260:97ff:fe07:69ea", 135, 0, 0, true,
	 "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
	{"UDP over IPv6", 6, 17, "2001:db8::1", "2001:db8::2", 1234, 53, 0, true,
	 "1:kG/geD1kQbAyqHMRDAboT+XscMg="},
	{"GRE, no ports", 4, 47, "10.0.0.1", "10.0.0.2", 0, 0, 0, false,
	 "1:+KlEHDT0vJgzs/eNmzHq0aSpRYw="},
	{"SCTP", 4, 132, "192.168.170.8", "192.168.170.56", 7, 80, 0, true,
	 "1:jQgCxbku+pNGw8WPbEc/TS/uTpQ="},
	{"equal addresses, ports order", 4, 6, "10.0.0.1", "10.0.0.1", 80, 1234,
	 0, true, "1:WaobEo3Uyp/JjlL9QX3lvrl1Oag="},
	{"UDP fragment without its header", 4, 17, "10.0.0.1", "149.56.228.45",
	 0, 0, 0, false, "1:ZlTmO9+A7C45Jh/HzMH9NQPVyZY="},
	{"no IP version", 0, 6, "10.0.0.1", "10.0.0.2", 1, 2, 0, true, NULL},
};

static void parse_addr(int v, const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (v)
		assert_int_equal(inet_pton(v == 6 ? AF_INET6 : AF_INET, s, out),
				 1);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct cid_case *c = &cases[i];
		uint8_t a[16], b[16];
		parse_addr(c->ip_version, c->src, a);
		parse_addr(c->ip_version, c->dst, b);
		struct community_tuple t = {(uint8_t)c->ip_version, c->proto, a,
					    b, c->sport, c->dport, c->has_ports};
		char out[COMMUNITY_ID_SIZE];
		bool ok = community_id_v1(&t, c->seed, out);
		if (!c->want) {
			assert_false(ok);
			assert_string_equal(out, "");
			continue;
		}
		if (!ok || strcmp(out, c->want) != 0)
			fail_msg("%s: got '%s', want '%s'", c->name, out, c->want);
	}
}

static uint64_t rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Both ends give the same value, except one-way ICMP; the shape holds. */
static void test_symmetry_property(void **state)
{
	(void)state;
	static const uint8_t protos[] = {6, 17, 132, 1, 58, 47, 50};
	uint64_t s = 17;
	for (int i = 0; i < 5000; i++) {
		uint8_t a[16], b[16];
		for (int k = 0; k < 16; k++) {
			a[k] = (uint8_t)rng(&s);
			b[k] = (i % 7 == 0) ? a[k] : (uint8_t)rng(&s);
		}
		uint8_t proto = protos[rng(&s) % sizeof protos];
		uint8_t v = (rng(&s) & 1) ? 4 : 6;
		uint16_t sp = (uint16_t)rng(&s), dp = (uint16_t)rng(&s);
		bool icmp = proto == 1 || proto == 58;
		if (icmp) {
			sp = (uint16_t)(rng(&s) % 256);
			dp = (uint16_t)(rng(&s) % 256);
		}
		struct community_tuple fwd = {v, proto, a, b, sp, dp, true};
		char x[COMMUNITY_ID_SIZE], y[COMMUNITY_ID_SIZE];
		assert_true(community_id_v1(&fwd, 0, x));
		assert_int_equal(strlen(x), 30);
		assert_memory_equal(x, "1:", 2);
		assert_int_equal(x[29], '=');
		if (icmp)
			continue; /* reverse direction depends on the type */
		struct community_tuple rev = {v, proto, b, a, dp, sp, true};
		assert_true(community_id_v1(&rev, 0, y));
		assert_string_equal(x, y);
	}
}

static void test_base64(void **state)
{
	(void)state;
	char out[16];
	assert_int_equal(community_base64((const uint8_t *)"f", 1, out), 4);
	assert_string_equal(out, "Zg==");
	community_base64((const uint8_t *)"fo", 2, out);
	assert_string_equal(out, "Zm8=");
	community_base64((const uint8_t *)"foobar", 6, out);
	assert_string_equal(out, "Zm9vYmFy");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_symmetry_property),
		cmocka_unit_test(test_base64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
