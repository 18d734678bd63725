/*
 * test_ioc.c — the intel set (analyze/intel/ioc.h): type detection of
 * bare values, normalisation on add, which observation kinds each type
 * is compared with, domain suffixes, and CIDR lookups checked against a
 * plain prefix comparison over random addresses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "analyze/intel/ioc.h"

static const struct {
	const char *value;
	int type;
} detect_cases[] = {
	{"192.0.2.1", IOC_ADDR},
	{"2001:db8::1", IOC_ADDR},
	{"198.51.100.0/24", IOC_CIDR},
	{"2001:db8::/32", IOC_CIDR},
	{"http://c2.example/x", IOC_URL},
	{"t13d1516h2_8daaf6152771_e5627efa2ab1", IOC_JA4},
	{"d41d8cd98f00b204e9800998ecf8427e", IOC_MD5},
	{"A1907A076E93698579E71B05E4FB320D55769C90", IOC_SHA1},
	{"a1:90:7a:07:6e:93:69:85:79:e7:1b:05:e4:fb:32:0d:55:76:9c:90",
	 IOC_SHA1},
	{"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	 IOC_SHA256},
	{"SSH-2.0-OpenSSH_8.9", IOC_SOFTWARE},
	{"update.staging.example", IOC_DOMAIN},
	{"*.staging.example", IOC_DOMAIN_SUFFIX},
	{"Mozilla/5.0 (X11; Linux x86_64)", IOC_USER_AGENT},
	{"curl/8.1.2", IOC_USER_AGENT},
	{"1.2.3", -1},           /* no letter in the last label */
	{"not a value", -1},
	{"", -1},
};

static void test_detect(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof detect_cases / sizeof detect_cases[0];
	     i++)
		if (ioc_detect(detect_cases[i].value) != detect_cases[i].type)
			fail_msg("'%s': got %d, want %d", detect_cases[i].value,
				 ioc_detect(detect_cases[i].value),
				 detect_cases[i].type);
}

static int count_hit(void *ctx, const struct ioc_entry *e)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

static int hits(const struct ioc_set *s, const char *kind, const char *v)
{
	int n = 0;
	assert_int_equal(ioc_match(s, kind, v, count_hit, &n), 0);
	return n;
}

static void test_match_by_kind(void **state)
{
	(void)state;
	struct ioc_set *s = ioc_set_create();
	assert_non_null(s);
	assert_int_equal(ioc_add(s, IOC_ADDR, "2001:DB8:0::1", "f", "1", ""), 1);
	assert_int_equal(ioc_add(s, IOC_DOMAIN, "C2.Example.", "f", "2", ""), 1);
	assert_int_equal(ioc_add(s, IOC_DOMAIN_SUFFIX, "*.staging.example", "f",
				 "3", ""), 1);
	assert_int_equal(ioc_add(s, IOC_URL, "HTTPS://Host.Example/Path", "f",
				 "4", ""), 1);
	assert_int_equal(ioc_add(s, IOC_MD5, "D41D8CD98F00B204E9800998ECF8427E",
				 "f", "5", ""), 1);
	assert_int_equal(ioc_add(s, IOC_SHA1,
				 "a1:90:7a:07:6e:93:69:85:79:e7:1b:05:e4:fb:32:"
				 "0d:55:76:9c:90", "f", "6", ""), 1);
	assert_int_equal(ioc_add(s, IOC_SOFTWARE, "OpenSSH_8.9", "f", "7", ""), 1);
	assert_int_equal(ioc_add(s, IOC_MD5, "abc", "f", "8", ""), 0);
	assert_int_equal(ioc_count(s), 7);

	assert_int_equal(hits(s, "ip.dst", "2001:db8::1"), 1);
	assert_int_equal(hits(s, "dns.answer", "2001:db8::1"), 1);
	assert_int_equal(hits(s, "ip.src", "2001:db8::2"), 0);
	assert_int_equal(hits(s, "tls.sni", "c2.example"), 1);
	assert_int_equal(hits(s, "http.host", "C2.EXAMPLE:8080"), 1);
	assert_int_equal(hits(s, "dns.query", "x.c2.example"), 0);
	assert_int_equal(hits(s, "dns.query", "staging.example"), 1);
	assert_int_equal(hits(s, "dns.query", "a.b.staging.example"), 1);
	assert_int_equal(hits(s, "dns.query", "xstaging.example"), 0);
	assert_int_equal(hits(s, "http.url", "http://host.example/Path"), 1);
	assert_int_equal(hits(s, "http.url", "http://host.example/path"), 0);
	assert_int_equal(hits(s, "tls.ja3", "d41d8cd98f00b204e9800998ecf8427e"), 1);
	assert_int_equal(hits(s, "ssh.hassh", "d41d8cd98f00b204e9800998ecf8427e"), 1);
	assert_int_equal(hits(s, "tls.cert.sha1",
			      "a1907a076e93698579e71b05e4fb320d55769c90"), 1);
	assert_int_equal(hits(s, "ssh.banner", "SSH-2.0-OpenSSH_8.9"), 1);
	assert_int_equal(hits(s, "tls.alpn", "c2.example"), 0);
	const char *reason;
	uint64_t n;
	assert_true(ioc_unsupported_at(s, 0, &reason, &n));
	assert_int_equal(n, 1);
	ioc_set_destroy(s);
}

static uint64_t rng(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* CIDR lookups agree with a plain prefix comparison over random IPv4
 * networks and addresses (many addresses drawn near the networks). */
static void test_cidr_property(void **state)
{
	(void)state;
	enum { NETS = 300, PROBES = 20000 };
	uint32_t net[NETS];
	int len[NETS];
	uint64_t x = 42;
	struct ioc_set *s = ioc_set_create();
	assert_non_null(s);
	for (int i = 0; i < NETS; i++) {
		len[i] = (int)(rng(&x) % 33);
		uint32_t mask = len[i] ? ~0u << (32 - len[i]) : 0;
		net[i] = (uint32_t)rng(&x) & mask;
		char text[40];
		struct in_addr a = {htonl(net[i])};
		snprintf(text, sizeof text, "%s/%d", inet_ntoa(a), len[i]);
		assert_int_equal(ioc_add(s, IOC_CIDR, text, "f", "e", ""), 1);
	}
	for (int p = 0; p < PROBES; p++) {
		uint32_t addr = (uint32_t)rng(&x);
		if (p % 2)
			addr = net[rng(&x) % NETS] ^ (uint32_t)(rng(&x) % 256);
		int want = 0;
		for (int i = 0; i < NETS; i++) {
			uint32_t mask = len[i] ? ~0u << (32 - len[i]) : 0;
			want += (addr & mask) == net[i];
		}
		struct in_addr a = {htonl(addr)};
		char text[20];
		snprintf(text, sizeof text, "%s", inet_ntoa(a));
		if (hits(s, "ip.dst", text) != want)
			fail_msg("%s: %d hits, want %d", text,
				 hits(s, "ip.dst", text), want);
	}
	ioc_set_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_match_by_kind),
		cmocka_unit_test(test_cidr_property),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
