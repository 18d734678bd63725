/*
 * test_report.c — cmocka tests of the report writers' building blocks
 * (analyze/report/): escaping for HTML, Markdown and the shell, UTF-8
 * repair of case bytes, times and probabilities for people, formats by
 * name and extension, STIX ids and patterns, and every writer on
 * documents that are empty, of the wrong shape or out of range — a
 * report of a damaged case must still come out, escaped and finite.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/report/report_internal.h"
#include "analyze/report/stix.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Runs fn(FILE *, s) into a string (the caller frees it). */
static char *capture(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	fn(f, s);
	fclose(f);
	return buf;
}

static void test_html_put(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain", "plain"},
		{"<script>alert('x')</script>",
		 "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"},
		{"a & b \"q\"", "a &amp; b &quot;q&quot;"},
		{"ctl\x01\x7f", "ctl\xef\xbf\xbd\xef\xbf\xbd"},
		{"tab\tnl\n", "tab\tnl\n"},
		{"rlo \xe2\x80\xae end", "rlo \xef\xbf\xbd end"},  /* U+202E */
		{"iso \xe2\x81\xa6 x", "iso \xef\xbf\xbd x"},       /* U+2066 */
		{"\xe2\x80", "\xe2\x80"},  /* cut sequence: not read past NUL */
		{"é ü", "é ü"},
		{"csi\xc2\x9b" "2J", "csi\xef\xbf\xbd" "2J"},    /* U+009B */
		{"nbsp\xc2\xa0!", "nbsp\xc2\xa0!"},             /* U+00A0 */
		{"end\xc2", "end\xc2"},  /* cut: not read past NUL */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *got = capture(html_put, cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static void test_md_put(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain (text).", "plain (text)."},
		{"[x](http://e.test/)", "\\[x\\](http://e.test/)"},
		{"![i](y)", "!\\[i\\](y)"},
		{"a|b", "a\\|b"},
		{"*em* _em_ `c` ~s~ #h", "\\*em\\* \\_em\\_ \\`c\\` \\~s\\~ \\#h"},
		{"<b>&", "&lt;b&gt;&amp;"},
		{"back\\slash", "back\\\\slash"},
		{"line\nbreak\r", "line break "},
		{"esc\x1b]0;t\x07", "esc \\]0;t "},
		{"csi\xc2\x9b" "2J", "csi\xef\xbf\xbd" "2J"},    /* U+009B */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *got = capture(md_put, cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static void test_md_code(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"abc", "` abc `"},
		{"a`b", "`` a`b ``"},
		{"``x```", "```` ``x``` ````"},
		{"a|b\nc", "` a\\|b c `"},
		{"c1\xc2\x85x", "` c1\xef\xbf\xbdx `"},           /* U+0085 */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *got = capture(md_code, cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static void test_shell_quote(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"/a/b-c_1.pcap", "/a/b-c_1.pcap"},
		{"with space", "'with space'"},
		{"it's", "'it'\\''s'"},
		{"$(rm -rf /)", "'$(rm -rf /)'"},
		{"", "''"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *got = report_shell_quote(cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static void test_text_repair(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{"ok", 2, "ok"},
		{"a\xff" "b", 3, "a\xef\xbf\xbd" "b"},
		{"nul\0x", 5, "nul\xef\xbf\xbdx"},
		{"\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd"},      /* overlong */
		{"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
		{"\xf4\x90\x80\x80", 4,                            /* > 10FFFF */
		 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
		{"\xe2\x82\xac", 3, "\xe2\x82\xac"},               /* € */
		{"\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd"},       /* cut */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		json_t *v = rj_text_n(cases[i].in, cases[i].len);
		assert_non_null(v);
		assert_string_equal(json_string_value(v), cases[i].out);
		json_decref(v);
	}
}

static void test_times_and_numbers(void **state)
{
	char t[32], s[24], p[16], d[32];
	int64_t us = report_parse_time("2024-03-04T01:04:23.925013Z");
	assert_int_equal(us, 1709514263925013LL);
	report_fmt_time(us, t);
	assert_string_equal(t, "2024-03-04T01:04:23Z");
	report_short_time("2024-03-04T01:04:23.925013Z", s);
	assert_string_equal(s, "2024-03-04 01:04:23");
	assert_int_equal(report_parse_time("garbage"), 0);
	assert_int_equal(report_parse_time("2024-13-01T00:00:00Z"), 0);
	assert_int_equal(report_parse_time(NULL), 0);
	static const struct {
		double v;
		const char *out;
	} probs[] = {{0, "0.00"}, {0.004, "<0.01"}, {0.5, "0.50"},
		     {0.996, ">0.99"}, {1, "1.00"}, {0.7419, "0.74"}};
	for (size_t i = 0; i < ARRAY_LEN(probs); i++) {
		report_fmt_prob(probs[i].v, p);
		assert_string_equal(p, probs[i].out);
	}
	report_fmt_duration(2689, d);
	assert_string_equal(d, "45 min");
	report_fmt_duration(30, d);
	assert_string_equal(d, "30 s");
	assert_true(unit_clamp(-1) == 0 && unit_clamp(2) == 1 &&
		    unit_clamp(0.0 / 0.0) == 0);
}

static void test_formats(void **state)
{
	static const struct {
		const char *path;
		int format;
	} cases[] = {
		{"r.html", REPORT_HTML}, {"R.HTM", REPORT_HTML},
		{"r.md", REPORT_MARKDOWN}, {"r.markdown", REPORT_MARKDOWN},
		{"r.json", REPORT_JSON}, {"r.stix.json", REPORT_STIX},
		{"r.stix", REPORT_STIX}, {"r.txt", -1}, {"", -1},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		assert_int_equal(report_format_from_path(cases[i].path),
				 cases[i].format);
	assert_int_equal(report_format_parse("markdown"), REPORT_MARKDOWN);
	assert_int_equal(report_format_parse("stix"), REPORT_STIX);
	assert_int_equal(report_format_parse("pdf"), -1);
	assert_int_equal(report_format_parse(NULL), -1);
}

static void test_stix_ids_and_patterns(void **state)
{
	char id[96];
	/* STIX 2.1 specification, 2.9: ipv4-addr "198.51.100.3" */
	struct stix_observable o;
	assert_int_equal(stix_observable_of("ip.dst", "198.51.100.3", &o), 0);
	assert_string_equal(o.type, "ipv4-addr");
	char *canon = json_dumps(o.props, JSON_COMPACT | JSON_SORT_KEYS);
	assert_true(stix_uuid5(stix_ns, o.type, canon, id, sizeof id));
	free(canon);
	json_decref(o.props);
	assert_true(stix_is_id(id, "ipv4-addr"));
	assert_int_equal(id[sizeof "ipv4-addr--xxxxxxxx-xxxx-" - 1], '5');
	assert_false(stix_is_id("ipv4-addr--not-a-uuid", "ipv4-addr"));
	assert_false(stix_is_id(id, "domain-name"));

	assert_int_equal(stix_observable_of("tls.ja3", "it's a \\ test", &o), 0);
	char *pat = stix_pattern_of(&o, "tls.ja3", "it's a \\ test");
	assert_string_equal(pat, "[x-attrib-fingerprint:ja3 = 'it\\'s a "
				 "\\\\ test']");
	free(pat);
	json_decref(o.props);
	assert_int_equal(stix_observable_of("ssh.banner", "it's", &o), 0);
	pat = stix_pattern_of(&o, "ssh.banner", "it's");
	assert_string_equal(pat, "[x-attrib-indicator:value = 'it\\'s' AND "
				 "x-attrib-indicator:kind = 'ssh.banner']");
	free(pat);
	json_decref(o.props);
	assert_int_equal(stix_observable_of("tls.sni", "c2.example", &o), 0);
	pat = stix_pattern_of(&o, "tls.sni", "c2.example");
	assert_string_equal(pat, "[domain-name:value = 'c2.example']");
	free(pat);
	json_decref(o.props);
}

/* Every writer on a document; returns what it wrote (caller frees). */
static char *write_all(const json_t *doc, enum report_format f)
{
	char *buf = NULL, err[200];
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	int rc = report_write(doc, f, out, err, sizeof err);
	fclose(out);
	assert_int_equal(rc, 0);
	assert_true(len > 0);
	return buf;
}

static void test_writers_survive_bad_documents(void **state)
{
	static const char *const docs[] = {
		"{}",
		"{\"hypotheses\": 5, \"sources\": \"x\", \"case\": []}",
		"{\"hypotheses\": [{\"id\": \"h\", \"links\": {\"L1\": "
		"{\"belief\": 7, \"plausibility\": -3, \"ci90\": [\"a\", 2]}},"
		" \"chain\": {\"joint\": {\"belief\": 1e308}}, \"standards\": "
		"[{\"threshold\": 42, \"needs\": [{\"possible\": true, "
		"\"belief_needed\": -1}]}], \"evidence\": [{\"item_type\": "
		"\"indicator\", \"matches\": 3, \"values\": [\"<v>\", 4], "
		"\"kind\": \"tls.sni\", \"cited\": [{\"ts\": \"bad\"}]}]}],"
		" \"verification\": {\"status\": \"tampered\", \"first_problem\":"
		" \"<script>x</script>\"}, \"timeline\": {\"start\": "
		"\"2024-01-01T00:00:00Z\", \"end\": \"2023-01-01T00:00:00Z\", "
		"\"series\": [{\"family\": \"<f>\", \"counts\": [1, -5, 1e300]}]"
		", \"marks\": [{\"time\": \"2024-01-01T00:00:00Z\"}]}, "
		"\"activity\": {\"hosts\": [{\"host\": \"<h>\", \"by_utc_hour\":"
		" [1]}], \"total_by_utc_hour\": [1e300]}, \"beacons\": "
		"{\"shown\": [{\"value\": \"<b>\", \"intervals\": {\"counts\": "
		"[1, 2], \"bin_seconds\": -1}}]}}",
	};
	for (size_t i = 0; i < ARRAY_LEN(docs); i++) {
		json_t *doc = json_loads(docs[i], 0, NULL);
		assert_non_null(doc);
		for (int f = REPORT_HTML; f <= REPORT_STIX; f++) {
			char *out = write_all(doc, (enum report_format)f);
			/* JSON keeps strings as they are; the others escape */
			if (f != REPORT_JSON)
				assert_null(strstr(out, "<script>"));
			assert_null(strstr(out, "nan"));
			assert_null(strstr(out, "inf\""));
			if (f == REPORT_JSON || f == REPORT_STIX) {
				json_t *back = json_loads(out, 0, NULL);
				assert_non_null(back);
				json_decref(back);
			}
			free(out);
		}
		json_decref(doc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_put),
		cmocka_unit_test(test_md_put),
		cmocka_unit_test(test_md_code),
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_text_repair),
		cmocka_unit_test(test_times_and_numbers),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_stix_ids_and_patterns),
		cmocka_unit_test(test_writers_survive_bad_documents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
