/*
 * test_model_stix_pattern.c — cmocka tests of the STIX pattern reader
 * (analyze/intel/stix/: lex.c, pattern.c, dnf.c) and of the mapping of
 * its alternatives to attrib matchers (map.c): every supported form, each
 * unsupported one with its reason, malformed patterns with the error and
 * its offset, and hostile input (deep nesting, long strings, unterminated
 * quotes, blown-up alternatives, random bytes). Every pattern is copied
 * into an exact-size buffer without a terminating NUL, so that
 * AddressSanitizer sees any read past its end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/extract/extract.h"
#include "analyze/intel/stix/stix.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Parses text from an exact-size copy (no NUL after it). */
static struct stix_pattern *parse_n(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	struct stix_pattern *p = stix_pattern_parse(copy, len);
	free(copy);
	assert_non_null(p);
	return p;
}

static struct stix_pattern *parse(const char *text)
{
	return parse_n(text, strlen(text));
}

/* The kinds of a match, comma-separated. */
static void kinds_text(const struct stix_match *m, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < m->n_kinds; i++) {
		size_t at = strlen(buf);
		snprintf(buf + at, len - at, "%s%s", i ? "," : "",
			 stix_kind_name(m->kinds[i]));
	}
}

/* ---- supported forms ---- */

static void test_supported(void **state)
{
	static const struct {
		const char *pattern;
		size_t n_alts, alt;      /* alternatives, the one checked */
		const char *kinds;
		enum model_match match;
		const char *text;        /* EXACT, GLOB, CIDR */
		double lo, hi;           /* PERIOD, UTC_OFFSET */
		enum model_link link;
	} cases[] = {
		{"[ipv4-addr:value = '198.51.100.7']", 1, 0, "ip",
		 MODEL_MATCH_EXACT, "198.51.100.7", 0, 0, MODEL_L1},
		/* == is =; addresses are written canonically */
		{"[ipv6-addr:value == '2001:DB8:0::0001']", 1, 0, "ip",
		 MODEL_MATCH_EXACT, "2001:db8::1", 0, 0, MODEL_L1},
		/* a network in an equality, as STIX allows for addresses */
		{"[ipv4-addr:value = '198.51.100.0/24']", 1, 0, "ip",
		 MODEL_MATCH_CIDR, "198.51.100.0/24", 0, 0, MODEL_L1},
		{"[ipv4-addr:value = '198.51.100.9/32']", 1, 0, "ip",
		 MODEL_MATCH_EXACT, "198.51.100.9", 0, 0, MODEL_L1},
		{"[ipv4-addr:value ISSUBSET '203.0.113.77/24']", 1, 0, "ip",
		 MODEL_MATCH_CIDR, "203.0.113.0/24", 0, 0, MODEL_L1},
		{"[ipv6-addr:value ISSUBSET '2001:db8:a::/48']", 1, 0, "ip",
		 MODEL_MATCH_CIDR, "2001:db8:a::/48", 0, 0, MODEL_L1},
		/* each OR alternative is its own pattern */
		{"[ipv4-addr:value = '192.0.2.1' OR ipv4-addr:value = "
		 "'192.0.2.2']", 2, 1, "ip", MODEL_MATCH_EXACT, "192.0.2.2", 0,
		 0, MODEL_L1},
		{"[ipv4-addr:value = '192.0.2.1'] OR [domain-name:value = "
		 "'c2.example']", 2, 1, "dns.query,tls.sni,http.host",
		 MODEL_MATCH_EXACT, "c2.example", 0, 0, MODEL_L1},
		/* IN is one equality per member */
		{"[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2', "
		 "'192.0.2.3')]", 3, 2, "ip", MODEL_MATCH_EXACT, "192.0.2.3", 0,
		 0, MODEL_L1},
		{"[domain-name:value = 'update.staging.example']", 1, 0,
		 "dns.query,tls.sni,http.host", MODEL_MATCH_EXACT,
		 "update.staging.example", 0, 0, MODEL_L1},
		/* LIKE: % is *, _ is ?, glob characters are escaped */
		{"[domain-name:value LIKE '%.staging.example']", 1, 0,
		 "dns.query,tls.sni,http.host", MODEL_MATCH_GLOB,
		 "*.staging.example", 0, 0, MODEL_L1},
		{"[url:value LIKE 'http://a.test/_[*]%']", 1, 0, "http.url",
		 MODEL_MATCH_GLOB, "http://a.test/?\\[\\*\\]*", 0, 0, MODEL_L1},
		{"[url:value = 'http://cdn-check.test/d/tasks.bin']", 1, 0,
		 "http.url", MODEL_MATCH_EXACT,
		 "http://cdn-check.test/d/tasks.bin", 0, 0, MODEL_L1},
		{"[x509-certificate:hashes.'SHA-1' = "
		 "'A1907A076E93698579E71B05E4FB320D55769C90']", 1, 0,
		 "tls.cert.sha1", MODEL_MATCH_EXACT,
		 "a1907a076e93698579e71b05e4fb320d55769c90", 0, 0, MODEL_L2},
		{"[x509-certificate:hashes.'sha-1' = "
		 "'a1907a076e93698579e71b05e4fb320d55769c90']", 1, 0,
		 "tls.cert.sha1", MODEL_MATCH_EXACT,
		 "a1907a076e93698579e71b05e4fb320d55769c90", 0, 0, MODEL_L2},
		{"[x509-certificate:subject = 'CN=cdn-check.test']", 1, 0,
		 "tls.cert.subject", MODEL_MATCH_EXACT, "CN=cdn-check.test", 0,
		 0, MODEL_L2},
		{"[x509-certificate:issuer LIKE 'CN=%']", 1, 0,
		 "tls.cert.issuer", MODEL_MATCH_GLOB, "CN=*", 0, 0, MODEL_L2},
		{"[network-traffic:extensions.'http-request-ext'.request_header."
		 "'User-Agent' LIKE '%lab-agent%']", 1, 0, "http.user_agent",
		 MODEL_MATCH_GLOB, "*lab-agent*", 0, 0, MODEL_L2},
		{"[network-traffic:extensions.'http-request-ext'.request_header."
		 "'host' = 'cdn-check.test']", 1, 0, "http.host",
		 MODEL_MATCH_EXACT, "cdn-check.test", 0, 0, MODEL_L1},
		{"[network-traffic:dst_ref.value = '198.51.100.77']", 1, 0,
		 "ip.dst", MODEL_MATCH_EXACT, "198.51.100.77", 0, 0, MODEL_L1},
		{"[network-traffic:src_ref.value ISSUBSET '10.0.0.0/8']", 1, 0,
		 "ip.src", MODEL_MATCH_CIDR, "10.0.0.0/8", 0, 0, MODEL_L1},
		/* attrib's own kinds through the x-attrib object */
		{"[x-attrib:'tls.ja3' = '2186757725478B266E3AA18833AD6046']", 1,
		 0, "tls.ja3", MODEL_MATCH_EXACT,
		 "2186757725478b266e3aa18833ad6046", 0, 0, MODEL_L2},
		{"[x-attrib:'tls.ja4' = 't13d1011h1_8f04ad978726_e38bcb93a311']",
		 1, 0, "tls.ja4", MODEL_MATCH_EXACT,
		 "t13d1011h1_8f04ad978726_e38bcb93a311", 0, 0, MODEL_L2},
		{"[x-attrib:'ssh.hassh' = 'ec7378c1a92f5a8dde7e8b7a1ddf33d1']", 1,
		 0, "ssh.hassh", MODEL_MATCH_EXACT,
		 "ec7378c1a92f5a8dde7e8b7a1ddf33d1", 0, 0, MODEL_L2},
		{"[x-attrib:'ssh.banner' LIKE 'SSH-2.0-lab%']", 1, 0,
		 "ssh.banner", MODEL_MATCH_GLOB, "SSH-2.0-lab*", 0, 0, MODEL_L2},
		{"[x-attrib:'ip' ISSUBSET '198.51.100.0/24']", 1, 0, "ip",
		 MODEL_MATCH_CIDR, "198.51.100.0/24", 0, 0, MODEL_L1},
		{"[x-attrib:'dns.answer' = 'cdn.example']", 1, 0, "dns.answer",
		 MODEL_MATCH_EXACT, "cdn.example", 0, 0, MODEL_L1},
		{"[x-attrib:'dns.answer' ISSUBSET '2001:db8::/32']", 1, 0,
		 "dns.answer", MODEL_MATCH_CIDR, "2001:db8::/32", 0, 0,
		 MODEL_L1},
		/* ranges: both bounds, AND-joined */
		{"[x-attrib:'beacon' >= 270 AND x-attrib:'beacon' <= 330]", 1, 0,
		 "beacon", MODEL_MATCH_PERIOD, NULL, 270, 330, MODEL_L2},
		{"[x-attrib:'beacon' = 300]", 1, 0, "beacon", MODEL_MATCH_PERIOD,
		 NULL, 300, 300, MODEL_L2},
		{"[x-attrib:'activity.hours' >= -6 AND x-attrib:'activity.hours' "
		 "<= -4.5]", 1, 0, "activity.hours", MODEL_MATCH_UTC_OFFSET,
		 NULL, -6, -4.5, MODEL_L2},
		/* AND that reduces to one matcher */
		{"[ipv4-addr:value ISSUBSET '198.51.100.0/24' AND "
		 "ipv4-addr:value = '198.51.100.7']", 1, 0, "ip",
		 MODEL_MATCH_EXACT, "198.51.100.7", 0, 0, MODEL_L1},
		{"[ipv4-addr:value ISSUBSET '198.51.100.0/24' AND "
		 "ipv4-addr:value ISSUBSET '198.51.100.128/25']", 1, 0, "ip",
		 MODEL_MATCH_CIDR, "198.51.100.128/25", 0, 0, MODEL_L1},
		{"[domain-name:value LIKE '%.example' AND domain-name:value = "
		 "'c2.example']", 1, 0, "dns.query,tls.sni,http.host",
		 MODEL_MATCH_EXACT, "c2.example", 0, 0, MODEL_L1},
		{"[url:value = 'http://a.test/' AND url:value = "
		 "'http://a.test/']", 1, 0, "http.url", MODEL_MATCH_EXACT,
		 "http://a.test/", 0, 0, MODEL_L1},
		/* AND distributes over OR */
		{"[(ipv4-addr:value = '192.0.2.1' OR ipv4-addr:value = "
		 "'192.0.2.200') AND ipv4-addr:value ISSUBSET '192.0.2.0/25']", 2,
		 0, "ip", MODEL_MATCH_EXACT, "192.0.2.1", 0, 0, MODEL_L1},
		/* white space, comments and parentheses */
		{"  ( [ ( ipv4-addr : value = '192.0.2.5' ) ] ) /* c */ // d", 1,
		 0, "ip", MODEL_MATCH_EXACT, "192.0.2.5", 0, 0, MODEL_L1},
		/* escapes in strings */
		{"[x509-certificate:subject = 'O=it\\'s a \\\\ test']", 1, 0,
		 "tls.cert.subject", MODEL_MATCH_EXACT, "O=it's a \\ test", 0,
		 0, MODEL_L2},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct stix_pattern *p = parse(cases[i].pattern);
		struct stix_match *m = malloc(sizeof *m);
		char why[512], kinds[128];
		assert_non_null(m);
		if (p->error)
			fail_msg("case %zu: %s at %zu", i, p->error,
				 p->error_at);
		assert_int_equal(p->n_alts, cases[i].n_alts);
		if (stix_map_alt(&p->alts[cases[i].alt], m, why, sizeof why))
			fail_msg("case %zu: %s", i, why);
		kinds_text(m, kinds, sizeof kinds);
		assert_string_equal(kinds, cases[i].kinds);
		assert_int_equal(m->match, cases[i].match);
		if (cases[i].text)
			assert_string_equal(m->text, cases[i].text);
		else {
			assert_true(m->lo == cases[i].lo);
			assert_true(m->hi == cases[i].hi);
		}
		assert_int_equal(m->link, cases[i].link);
		free(m);
		stix_pattern_free(p);
	}
}

/* Strict bounds exclude the bound itself, exactly. */
static void test_strict_bounds(void **state)
{
	struct stix_pattern *p = parse("[x-attrib:'beacon' > 270 AND "
				       "x-attrib:'beacon' < 330]");
	struct stix_match *m = malloc(sizeof *m);
	char why[256];
	assert_non_null(m);
	assert_int_equal(stix_map_alt(&p->alts[0], m, why, sizeof why), 0);
	assert_true(m->lo > 270 && m->lo == nextafter(270, 1000));
	assert_true(m->hi < 330 && m->hi == nextafter(330, 0));
	free(m);
	stix_pattern_free(p);
}

/* ---- forms reported as not evaluated ---- */

static void test_unsupported(void **state)
{
	static const struct {
		const char *pattern;
		size_t alt;
		const char *reason; /* a part of the reason */
	} cases[] = {
		{"[file:hashes.'SHA-256' = 'aa']", 0,
		 "object type file is not observed"},
		{"[process:name = 'x']", 0, "object type process"},
		{"[network-traffic:dst_port = 443]", 0,
		 "object path network-traffic:dst_port is not one attrib "
		 "observes"},
		{"[x509-certificate:hashes.'SHA-256' = 'aa']", 0,
		 "object path x509-certificate:hashes.'SHA-256'"},
		{"[domain-name:resolves_to_refs[*].value = '192.0.2.1']", 0,
		 "object path domain-name:resolves_to_refs[*].value"},
		{"[x-attrib:'tls.ja5' = 'x']", 0,
		 "x-attrib:'tls.ja5' is not an attrib indicator kind"},
		{"[domain-name:value MATCHES '^c2\\\\.']", 0,
		 "MATCHES: regular expressions are not evaluated"},
		{"[domain-name:value != 'a.example']", 0, "negated"},
		{"[domain-name:value <> 'a.example']", 0, "negated"},
		{"[domain-name:value NOT LIKE 'a%']", 0, "negated"},
		{"[ipv4-addr:value ISSUPERSET '192.0.2.0/24']", 0,
		 "ISSUPERSET is not evaluated"},
		{"[EXISTS url:value]", 0, "EXISTS is not evaluated"},
		{"[domain-name:value > 'a']", 0,
		 "> is only evaluated on beacon periods"},
		{"[domain-name:value = 5]", 0, "not a string"},
		{"[url:value = true]", 0, "not a string"},
		{"[x-attrib:'beacon' = '300']", 0, "non-number"},
		{"[x-attrib:'beacon' >= 270]", 0,
		 "needs a lower and an upper bound"},
		{"[x-attrib:'beacon' LIKE '3%']", 0, "non-number"},
		{"[ipv4-addr:value = '2001:db8::1']", 0,
		 "is not an IPv4 address"},
		{"[ipv6-addr:value = '192.0.2.1']", 0, "is not an IPv6 address"},
		{"[ipv4-addr:value = 'c2.example']", 0, "is not an IPv4"},
		{"[ipv4-addr:value ISSUBSET '192.0.2.1']", 0,
		 "not a network"},
		{"[domain-name:value ISSUBSET '192.0.2.0/24']", 0,
		 "ISSUBSET is only evaluated on IP addresses"},
		{"[x509-certificate:hashes.'SHA-1' = 'abc']", 0,
		 "is not 40 hex digits"},
		{"[x-attrib:'tls.ja3' = 'zz']", 0, "is not 32 hex digits"},
		{"[url:value = '']", 0, "the value is empty"},
		{"[ipv4-addr:value IN ()]", 0, "can never match"},
		/* across observations, in time, qualified */
		{"[ipv4-addr:value = '192.0.2.1'] AND [domain-name:value = "
		 "'a.example']", 0, "observation expressions joined by AND"},
		{"[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [domain-name:value "
		 "= 'a.example']", 0, "FOLLOWEDBY is not evaluated"},
		{"[ipv4-addr:value = '192.0.2.1'] WITHIN 300 SECONDS", 0,
		 "the WITHIN qualifier"},
		{"[ipv4-addr:value = '192.0.2.1'] REPEATS 5 TIMES", 0,
		 "the REPEATS qualifier"},
		{"[ipv4-addr:value = '192.0.2.1'] START "
		 "t'2024-01-01T00:00:00Z' STOP t'2024-02-01T00:00:00.5Z'", 0,
		 "the START/STOP qualifier"},
		/* the other alternative of an OR still counts */
		{"[ipv4-addr:value = '192.0.2.1'] OR ([url:value = 'a'] "
		 "FOLLOWEDBY [url:value = 'b'])", 1, "FOLLOWEDBY"},
		/* AND that is not one matcher */
		{"[x509-certificate:subject = 'CN=a' AND "
		 "x509-certificate:issuer = 'CN=a']", 0,
		 "comparisons joined by AND on different properties "
		 "(x509-certificate:subject, x509-certificate:issuer)"},
		{"[ipv4-addr:value = '192.0.2.1' AND ipv6-addr:value = "
		 "'2001:db8::1']", 0, "different properties"},
		{"[domain-name:value LIKE 'a%' AND domain-name:value LIKE "
		 "'%b']", 0, "unless they reduce to one value"},
		{"[ipv4-addr:value ISSUBSET '192.0.2.0/24' AND ipv4-addr:value "
		 "LIKE '192.%']", 0, "unless they reduce to one value"},
		{"[ipv4-addr:value = '192.0.2.1' AND ipv4-addr:value = "
		 "'192.0.2.2']", 0, "can never all hold"},
		{"[ipv4-addr:value ISSUBSET '192.0.2.0/24' AND ipv4-addr:value "
		 "= '198.51.100.1']", 0, "can never all hold"},
		{"[ipv4-addr:value ISSUBSET '192.0.2.0/25' AND ipv4-addr:value "
		 "ISSUBSET '192.0.2.128/25']", 0, "can never all hold"},
		{"[x-attrib:'beacon' >= 400 AND x-attrib:'beacon' <= 300]", 0,
		 "can never all hold"},
		{"[domain-name:value LIKE 'b%' AND domain-name:value = "
		 "'a.example']", 0, "can never all hold"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct stix_pattern *p = parse(cases[i].pattern);
		struct stix_match *m = malloc(sizeof *m);
		char why[512];
		assert_non_null(m);
		if (p->error)
			fail_msg("case %zu: %s at %zu", i, p->error,
				 p->error_at);
		assert_true(cases[i].alt < p->n_alts);
		if (stix_map_alt(&p->alts[cases[i].alt], m, why, sizeof why)
		    == 0)
			fail_msg("case %zu (%s) was evaluated", i,
				 cases[i].pattern);
		if (!strstr(why, cases[i].reason))
			fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i,
				 why, cases[i].reason);
		free(m);
		stix_pattern_free(p);
	}
}

/* The text of an alternative is the part of the pattern it came from. */
static void test_alternative_spans(void **state)
{
	static const char pattern[] =
		"[url:value = 'a' OR url:value = 'b'] OR ([url:value = 'c'] "
		"FOLLOWEDBY [url:value = 'd']) OR [url:value IN ('e', 'f')]";
	static const char *const spans[] = {
		"url:value = 'a'", "url:value = 'b'",
		"([url:value = 'c'] FOLLOWEDBY [url:value = 'd'])",
		"url:value IN ('e', 'f')", "url:value IN ('e', 'f')",
	};
	struct stix_pattern *p = parse(pattern);
	assert_null(p->error);
	assert_int_equal(p->n_alts, ARRAY_LEN(spans));
	for (size_t i = 0; i < ARRAY_LEN(spans); i++) {
		const struct stix_alt *a = &p->alts[i];
		assert_true(a->end <= strlen(pattern) && a->start < a->end);
		assert_int_equal(a->end - a->start, strlen(spans[i]));
		assert_memory_equal(pattern + a->start, spans[i],
				    strlen(spans[i]));
	}
	assert_null(p->alts[0].reason);
	assert_non_null(p->alts[2].reason);
	stix_pattern_free(p);
}

/* ---- malformed ---- */

static void test_malformed(void **state)
{
	static const struct {
		const char *pattern;
		const char *error; /* a part of it */
		size_t at;
	} cases[] = {
		{"", "expected '[' or '('", 0},
		{"ipv4-addr:value = '192.0.2.1'", "expected '[' or '('", 0},
		{"[ipv4-addr:value = '192.0.2.1", "unterminated string", 19},
		{"[ipv4-addr:value = '192.0.2.1]", "unterminated string", 19},
		{"[url:value = 'a\\']", "unterminated string", 13},
		{"[url:value = 'a\\n']", "invalid escape", 15},
		{"[url:value = 'a\\", "invalid escape", 15},
		{"[url:value = 'a'", "expected ']'", 16},
		{"[url:value = 'a']]", "unexpected text after the pattern", 17},
		{"[url:value 'a']", "expected a comparison operator", 11},
		{"[url:value = ]", "expected a value", 13},
		{"[url = 'a']", "expected ':' after the object type", 5},
		{"[url: = 'a']", "expected a property name after ':'", 6},
		{"[network-traffic:extensions.http-request-ext = 'a']",
		 "a property name with '-' must be quoted", 28},
		{"[url:value LIKE 5]", "expected a quoted string", 16},
		{"[url:value IN ('a' 'b')]", "expected ',' or ')' in a set", 19},
		{"[url:value = 'a'] WITHIN -5 SECONDS",
		 "expected a positive number of seconds", 25},
		{"[url:value = 'a'] WITHIN 5 MINUTES", "expected SECONDS", 27},
		{"[url:value = 'a'] REPEATS 2.5 TIMES",
		 "expected a positive whole number", 26},
		{"[url:value = 'a'] START t'x' STOP t'2024-01-01T00:00:00Z'",
		 "malformed timestamp literal", 24},
		{"[url:value = h'abc']", "malformed hex literal", 13},
		{"[url:value = b'!!']", "malformed binary literal", 13},
		{"[url:value = 'a'] /* open", "unterminated comment", 18},
		{"[url:value = 1.]", "malformed number", 13},
		{"[url:value = 1234567890123456789012345678901234567890123456789"
		 "012345678901234567890]", "number longer than 63", 13},
		{"[url:value = 1e5]", "expected ']'", 14},
		{"[url:value = 'a'] OR", "expected '[' or '('", 20},
		{"[url:value = 'a' AND]", "expected an object type", 20},
		{"[url:value = 'a'] # x", "unexpected character", 18},
		{"[url:value[x] = 'a']", "expected an index or '*'", 11},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct stix_pattern *p = parse(cases[i].pattern);
		if (!p->error)
			fail_msg("case %zu (%s) parsed", i, cases[i].pattern);
		if (!strstr(p->error, cases[i].error) ||
		    p->error_at != cases[i].at)
			fail_msg("case %zu: \"%s\" at %zu, expected \"%s\" at "
				 "%zu", i, p->error, p->error_at,
				 cases[i].error, cases[i].at);
		assert_int_equal(p->n_alts, 0);
		stix_pattern_free(p);
	}
}

/* ---- hostile input ---- */

/* A pattern made of n copies of open, then core, then n copies of close. */
static char *nested(size_t n, const char *open, const char *core,
		    const char *close, size_t *len)
{
	size_t lo = strlen(open), lc = strlen(core), lz = strlen(close);
	char *s = malloc(n * (lo + lz) + lc + 1);
	size_t at = 0;
	assert_non_null(s);
	for (size_t i = 0; i < n; i++, at += lo)
		memcpy(s + at, open, lo);
	memcpy(s + at, core, lc);
	at += lc;
	for (size_t i = 0; i < n; i++, at += lz)
		memcpy(s + at, close, lz);
	s[at] = '\0';
	*len = at;
	return s;
}

static void expect_error(const char *text, size_t len, const char *error)
{
	struct stix_pattern *p = parse_n(text, len);
	if (!p->error || !strstr(p->error, error))
		fail_msg("expected \"%s\", got \"%s\"", error,
			 p->error ? p->error : "(parsed)");
	stix_pattern_free(p);
}

static void test_hostile(void **state)
{
	size_t len;
	char *s;

	/* nesting: 31 groups inside the brackets parse, 32 do not */
	s = nested(31, "(", "url:value = 'a'", ")", &len);
	char *wrapped = malloc(len + 3);
	assert_non_null(wrapped);
	wrapped[0] = '[';
	memcpy(wrapped + 1, s, len);
	wrapped[len + 1] = ']';
	struct stix_pattern *p = parse_n(wrapped, len + 2);
	assert_null(p->error);
	assert_int_equal(p->n_alts, 1);
	stix_pattern_free(p);
	free(wrapped);
	free(s);
	s = nested(100000, "(", "[url:value = 'a']", ")", &len);
	expect_error(s, len, "pattern longer than 65536 bytes");
	free(s);
	s = nested(20000, "(", "[url:value = 'a']", ")", &len);
	expect_error(s, len, "nested deeper than 32 levels");
	free(s);
	s = nested(20000, "(", "", "", &len);
	s[0] = '['; /* comparison groups inside one observation */
	expect_error(s, len, "nested deeper than 32 levels");
	free(s);

	/* a long string, just under the limit: parsed, then too long to
	 * match anything */
	size_t n = STIX_PATTERN_MAX_BYTES - 20;
	s = malloc(n + 1);
	assert_non_null(s);
	memcpy(s, "[url:value = '", 14);
	memset(s + 14, 'a', n - 16);
	memcpy(s + n - 2, "']", 2);
	p = parse_n(s, n);
	assert_null(p->error);
	struct stix_match *m = malloc(sizeof *m);
	char why[256];
	assert_non_null(m);
	assert_int_equal(stix_map_alt(&p->alts[0], m, why, sizeof why), -1);
	assert_non_null(strstr(why, "longer than any observation"));
	stix_pattern_free(p);
	/* the same without its closing quote */
	expect_error(s, n - 2, "unterminated string");
	/* quotes and backslashes only */
	memset(s, '\'', n);
	p = parse_n(s, n);
	assert_non_null(p->error);
	stix_pattern_free(p);
	memset(s, '\\', n);
	p = parse_n(s, n);
	assert_non_null(p->error);
	stix_pattern_free(p);
	free(s);

	/* a NUL inside */
	expect_error("[url:value = 'a\0b']", 19, "NUL byte");

	/* alternatives: 1024 parse, 1025 do not */
	static const char unit[] = "[url:value = 'a'] OR ";
	s = nested(1024, unit, "[url:value = 'a']", "", &len);
	expect_error(s, len, "more than 1024 alternatives");
	p = parse_n(s + strlen(unit), len - strlen(unit));
	assert_null(p->error);
	assert_int_equal(p->n_alts, 1024);
	stix_pattern_free(p);
	free(s);
	/* 2^11 alternatives from eleven ORs joined by AND */
	s = nested(11, "(url:value = 'a' OR url:value = 'b') AND ",
		   "url:value = 'c'", "", &len);
	char *obs = malloc(len + 3);
	assert_non_null(obs);
	obs[0] = '[';
	memcpy(obs + 1, s, len);
	obs[len + 1] = ']';
	p = parse_n(obs, len + 2);
	assert_null(p->error);
	assert_int_equal(p->n_alts, 1);
	assert_non_null(strstr(p->alts[0].reason, "more than 1024"));
	stix_pattern_free(p);
	free(obs);
	free(s);
	/* seventeen comparisons joined by AND */
	s = nested(16, "url:value = 'a' AND ", "url:value = 'a'", "", &len);
	obs = malloc(len + 3);
	assert_non_null(obs);
	obs[0] = '[';
	memcpy(obs + 1, s, len);
	obs[len + 1] = ']';
	p = parse_n(obs, len + 2);
	assert_null(p->error);
	assert_non_null(strstr(p->alts[0].reason, "more than 16"));
	stix_pattern_free(p);
	free(obs);
	free(s);
	/* too many comparisons in all */
	s = nested(4200, "a:b=1 OR ", "a:b=1", "", &len);
	obs = malloc(len + 3);
	assert_non_null(obs);
	obs[0] = '[';
	memcpy(obs + 1, s, len);
	obs[len + 1] = ']';
	expect_error(obs, len + 2, "too many comparisons");
	free(obs);
	free(s);
	free(m);
}

/* Random bytes and mutated patterns: no crash, no read past the end
 * (ASan), and every alternative's span lies inside the input. */
static void test_random(void **state)
{
	static const char *const seeds[] = {
		"[ipv4-addr:value = '198.51.100.7' OR ipv6-addr:value "
		"ISSUBSET '2001:db8::/32']",
		"([url:value LIKE 'a%'] FOLLOWEDBY [x-attrib:'beacon' >= 1 AND "
		"x-attrib:'beacon' <= 2]) WITHIN 5 SECONDS",
		"[domain-name:value IN ('a', 'b\\'c') AND (x:y = 1 OR z:'w'[*] "
		"!= t'2024-01-01T00:00:00Z')] /* x */",
	};
	static const char alphabet[] = "[]()':.=<>!*, \\-_%/aANDORx09ft";
	uint32_t rng = 12345;
	char buf[256];
	for (int round = 0; round < 20000; round++) {
		const char *seed = seeds[round % ARRAY_LEN(seeds)];
		size_t len = strlen(seed);
		memcpy(buf, seed, len);
		for (int k = 0; k < 1 + round % 4; k++) {
			rng = rng * 1103515245u + 12345u;
			size_t at = (rng >> 8) % len;
			rng = rng * 1103515245u + 12345u;
			if (round % 7 == 0)
				buf[at] = (char)(rng >> 16);
			else
				buf[at] = alphabet[(rng >> 16) %
						   (sizeof alphabet - 1)];
		}
		rng = rng * 1103515245u + 12345u;
		len -= (rng >> 16) % 4 == 0 ? (rng >> 8) % len : 0;
		struct stix_pattern *p = parse_n(buf, len);
		for (size_t i = 0; i < p->n_alts; i++) {
			struct stix_match m;
			char why[512];
			assert_true(p->alts[i].start <= p->alts[i].end);
			assert_true(p->alts[i].end <= len);
			(void)stix_map_alt(&p->alts[i], &m, why, sizeof why);
		}
		stix_pattern_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_supported),
		cmocka_unit_test(test_strict_bounds),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_alternative_spans),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
