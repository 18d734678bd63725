/*
 * test_model_yaml.c — cmocka tests of the YAML model reader
 * (analyze/intel/yaml.c, yaml_tree.c, model.c): a complete model is read
 * with every field where it belongs, and every kind of mistake is an
 * error naming file:line:col and what was expected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/extract/extract.h"
#include "analyze/intel/model.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static char dir[] = "/tmp/attrib-yaml-XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Loads text as m.yaml; returns the rc and leaves the message in err. */
static int load(const char *text, struct model_set **out, char *err,
		size_t errlen)
{
	char path[256];
	write_file("m.yaml", text);
	snprintf(path, sizeof path, "%s/m.yaml", dir);
	struct model_set *ms = model_set_create();
	assert_non_null(ms);
	int rc = model_load_yaml(ms, path, err, errlen);
	if (rc == 0)
		rc = model_set_finish(ms, err, errlen);
	*out = ms;
	return rc;
}

static const char complete[] =
	"format: attrib-model-1\n"
	"name: lab\n"
	"source: lab-intel\n"
	"prefixes: p.csv\n"
	"hypotheses:\n"
	"  - id: actor-b\n"
	"    indicators:\n"
	"      - id: b-net\n"
	"        match: {kind: ip, cidr: 198.51.100.7/24}\n"
	"        link: L1\n"
	"        reliability: b\n"
	"        direction: contradicts\n"
	"  - id: actor-a\n"
	"    name: Actor A (fictional)\n"
	"    base_rate: 0.3\n"
	"    indicators:\n"
	"      - id: a-zz\n"
	"        match: {kind: ip.dst, country: ZZ}\n"
	"        link: L1\n"
	"        reliability: C\n"
	"      - id: a-cert\n"
	"        match:\n"
	"          kind: tls.cert.sha1\n"
	"          value: 00112233445566778899aabbccddeeff00112233\n"
	"        link: L2\n"
	"        reliability: B\n"
	"        source: vendor-x\n"
	"        specificity: 0.95\n"
	"      - id: a-beacon\n"
	"        match: {kind: beacon, period: [270, 330]}\n"
	"        link: l2\n"
	"        reliability: C\n"
	"      - id: a-domain\n"
	"        match: {kind: dns.query, suffix: .staging.example}\n"
	"        link: L1\n"
	"        reliability: B\n"
	"    claims:\n"
	"      - id: a-report\n"
	"        type: vendor-report\n"
	"        link: L3\n"
	"        reliability: B\n"
	"        credibility: 2\n"
	"        strength: 0.7\n"
	"        source: vendor-x\n";

static void test_complete_model(void **state)
{
	(void)state;
	char err[1024] = "";
	struct model_set *ms;
	write_file("p.csv", "# prefix,asn,cc\n198.51.100.0/24,64500,ZZ\n"
			    "2001:db8::/32,64501,ZY\n");
	int rc = load(complete, &ms, err, sizeof err);
	if (rc != 0)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	/* actor-a, actor-b, false-flag, unknown: sorted by id. */
	assert_int_equal(ms->n_hyps, 4);
	assert_string_equal(ms->hyps[0].id, "actor-a");
	assert_string_equal(ms->hyps[1].id, "actor-b");
	assert_string_equal(ms->hyps[2].id, "false-flag");
	assert_true(ms->hyps[2].implicit);
	assert_int_equal(ms->hyps[2].type, MODEL_HYP_FALSE_FLAG);
	assert_string_equal(ms->hyps[3].id, "unknown");
	const struct model_hypothesis *a = &ms->hyps[0];
	assert_string_equal(a->name, "Actor A (fictional)");
	assert_true(a->base_rate == 0.3);
	assert_int_equal(a->n_patterns, 4);
	/* Sorted by id: a-beacon, a-cert, a-domain, a-zz. */
	const struct model_pattern *p = &a->patterns[0];
	assert_string_equal(p->id, "a-beacon");
	assert_int_equal(p->match, MODEL_MATCH_PERIOD);
	assert_true(p->lo == 270 && p->hi == 330);
	assert_int_equal(p->link, MODEL_L2);
	p = &a->patterns[1];
	assert_string_equal(p->id, "a-cert");
	assert_int_equal(p->kind, OBS_TLS_CERT_SHA1);
	assert_true(p->s == 0.95 && p->s_override);
	assert_true(p->f == obs_kind_forgeability(OBS_TLS_CERT_SHA1));
	assert_string_equal(p->source, "vendor-x");
	assert_string_equal(p->text, "00112233445566778899aabbccddeeff00112233");
	p = &a->patterns[2];
	assert_string_equal(p->text, "staging.example"); /* leading dot off */
	assert_string_equal(p->source, "lab-intel");
	assert_non_null(strstr(p->origin, "m.yaml:33:9"));
	p = &a->patterns[3];
	assert_true(p->location);
	assert_string_equal(p->text, "ZZ");
	const struct model_pattern *b = &ms->hyps[1].patterns[0];
	assert_int_equal(b->kind, MODEL_KIND_ANY_IP);
	assert_int_equal(b->family, 4);
	assert_int_equal(b->prefix_len, 24);
	assert_int_equal(b->addr[3], 0); /* host bits cleared */
	assert_int_equal(b->reliability, 'B');
	assert_int_equal(b->direction, OPINION_CONTRADICTS);
	assert_int_equal(a->n_claims, 1);
	assert_int_equal(a->claims[0].credibility, 2);
	assert_true(a->claims[0].strength == 0.7);
	assert_true(a->claims[0].f ==
		    model_claim_type_forgeability(MODEL_CLAIM_VENDOR_REPORT));
	assert_int_equal(ms->n_files, 1);
	assert_int_equal(strlen(ms->files[0].sha256), 64);
	assert_int_equal(ms->n_prefixes, 2);
	const struct model_prefix *pf = model_prefix_lookup(ms, "198.51.100.9");
	assert_non_null(pf);
	assert_int_equal(pf->asn, 64500);
	assert_null(model_prefix_lookup(ms, "203.0.113.1"));
	assert_non_null(model_prefix_lookup(ms, "2001:db8::1"));
	model_set_destroy(ms);
}

static const char head[] = "format: attrib-model-1\nname: t\nhypotheses:\n"
			   "  - id: a\n    indicators:\n      - id: i\n";

/* Each mistake and the start of the message it must give (after
 * "PATH/m.yaml:"). */
static const struct {
	const char *text;
	const char *want;
} bad[] = {
	{"format: attrib-model-2\nname: t\nhypotheses: [{id: a}]\n",
	 "1:9: format: expected attrib-model-1"},
	{"format: attrib-model-1\nname: t\nhypothesis: []\n",
	 "3:1: unknown key \"hypothesis\" in the model"},
	{"format: attrib-model-1\nname: t\n",
	 "1:1: the model: missing required key \"hypotheses\""},
	{"format: attrib-model-1\nname: t\nhypotheses: []\n",
	 "3:13: hypotheses: expected a non-empty list"},
	{"format: attrib-model-1\nname: t\nname: u\nhypotheses: [{id: a}]\n",
	 "3:1: key \"name\" appears twice"},
	{"format: attrib-model-1\nname: &x t\nhypotheses: [{id: a}]\n",
	 "2:7: anchors"},
	{"format: attrib-model-1\nname: t\nhypotheses: [{id: a b}]\n",
	 "3:19: id: expected 1 to 64"},
	{"format: attrib-model-1\nname: t\nhypotheses: [{id: a, type: spy}]\n",
	 "3:28: type: expected one of actor"},
	{"format: attrib-model-1\nname: t\nhypotheses:\n  - id: a\n"
	 "    base_rate: 1.5\n",
	 "5:16: base_rate: expected a number in [0, 1]"},
	{"format: attrib-model-1\nname: [t\n", "3:1: "},
	{"format: attrib-model-1\nname: t\nhypotheses: [{id: a, type: unknown}]\n",
	 "the model names no actor"},
	{"HEAD        match: {kind: dns.query, value: x.example}\n"
	 "        link: L5\n        reliability: A\n",
	 "8:15: link: expected one of L1, L2, L3, L3i, L4, got \"L5\""},
	{"HEAD        match: {kind: dns.query, value: x.example}\n"
	 "        link: L1\n        reliability: G\n",
	 "9:22: reliability: expected an Admiralty rating"},
	{"HEAD        match: {kind: dns.query, value: x.example}\n"
	 "        link: L1\n        reliability: A\n        speicifity: 1\n",
	 "10:9: unknown key \"speicifity\" in indicator (expected one of: id, "
	 "match, link"},
	{"HEAD        match: {kind: dns.quary, value: x.example}\n"
	 "        link: L1\n        reliability: A\n",
	 "7:23: kind: \"dns.quary\" is not an indicator kind"},
	{"HEAD        match: {kind: dns.query, value: x, suffix: y}\n"
	 "        link: L1\n        reliability: A\n",
	 "match: give exactly one of"},
	{"HEAD        match: {kind: dns.query}\n"
	 "        link: L1\n        reliability: A\n",
	 "7:16: match: missing the matcher"},
	{"HEAD        match: {kind: tls.ja3, suffix: x}\n"
	 "        link: L1\n        reliability: A\n",
	 "suffix: applies to dns.query"},
	{"HEAD        match: {kind: ip, cidr: 203.0.113.0/33}\n"
	 "        link: L1\n        reliability: A\n",
	 "cidr: expected an address prefix"},
	{"HEAD        match: {kind: beacon, period: [300, 200]}\n"
	 "        link: L2\n        reliability: A\n",
	 "period: the range's low end 300 is above its high end 200"},
	{"HEAD        match: {kind: activity.hours, utc_offset: [7]}\n"
	 "        link: L2\n        reliability: A\n",
	 "utc_offset: expected a range [LOW, HIGH]"},
	{"HEAD        match: {kind: ip, country: ZZ}\n"
	 "        link: L1\n        reliability: A\n",
	 "country: needs a prefix table"},
	{"HEAD        match: {kind: ip, cidr: 203.0.113.0/24}\n"
	 "        link: L4\n        reliability: A\n        location: true\n",
	 "8:15: indicator \"i\" is read from packets and speaks to L1 and "
	 "L2 only, not L4"},
	/* admissible evidence per link: packets never reach L3, L3i, L4 */
	{"HEAD        match: {kind: tls.ja3, value: 0123}\n"
	 "        link: L3\n        reliability: A\n",
	 "8:15: indicator \"i\" is read from packets and speaks to L1 and "
	 "L2 only, not L3: L3 takes claims"},
	{"HEAD        match: {kind: activity.hours, utc_offset: [7, 9]}\n"
	 "        link: L3i\n        reliability: A\n",
	 "8:15: indicator \"i\" is read from packets and speaks to L1 and "
	 "L2 only, not L3i"},
	{"HEAD        match: {kind: ip, cidr: 203.0.113.0/24}\n"
	 "        link: L4\n        reliability: A\n",
	 "8:15: indicator \"i\" is read from packets and speaks to L1 and "
	 "L2 only, not L4: L4 takes claims (origin is not attribution)"},
	{"format: attrib-model-1\nname: t\nhypotheses:\n  - id: a\n"
	 "    claims:\n      - id: c\n        type: geolocation\n"
	 "        link: L4\n        reliability: A\n        credibility: 2\n"
	 "        source: s\n",
	 "8:15: claim \"c\" (geolocation) only says where infrastructure is "
	 "and cannot speak to L4"},
	{"format: attrib-model-1\nname: t\nhypotheses:\n  - id: a\n"
	 "    claims:\n      - id: c\n        type: intelligence\n"
	 "        link: L4\n        location: true\n        reliability: A\n"
	 "        credibility: 2\n        source: s\n",
	 "8:15: claim \"c\" (intelligence) only says where infrastructure is"},
	{"format: attrib-model-1\nname: t\nhypotheses:\n  - id: a\n"
	 "    claims:\n      - id: c\n        type: asn-country\n"
	 "        link: L4\n        reliability: A\n        credibility: 2\n"
	 "        source: s\n",
	 "8:15: claim \"c\" (asn-country) only says where"},
	{"format: attrib-model-1\nname: t\nhypotheses:\n  - id: a\n"
	 "    claims:\n      - id: c\n        type: registration\n"
	 "        link: L4\n        reliability: A\n        credibility: 2\n"
	 "        source: s\n",
	 "8:15: claim \"c\" (registration) only says where"},
	{"HEAD        match: {kind: tls.sni, value: x.example}\n"
	 "        link: L1\n        reliability: A\n"
	 "      - id: i\n        match: {kind: tls.sni, value: y.example}\n"
	 "        link: L1\n        reliability: A\n",
	 "indicator id \"i\" of hypothesis \"a\" is used twice"},
	{"format: attrib-model-1\nname: t\nhypotheses:\n  - id: a\n"
	 "    claims:\n      - id: c\n        type: rumour\n        link: L3\n"
	 "        reliability: A\n        credibility: 2\n        source: s\n",
	 "7:15: type: expected one of vendor-report"},
	{"format: attrib-model-1\nname: t\nhypotheses:\n  - id: a\n"
	 "    claims:\n      - id: c\n        type: other\n        link: L3\n"
	 "        reliability: A\n        credibility: 7\n        source: s\n",
	 "10:22: credibility: expected a number in [1, 6]"},
	{"format: attrib-model-1\nname: t\nhypotheses:\n  - id: a\n"
	 "    claims:\n      - id: c\n        type: other\n        link: L3\n"
	 "        reliability: A\n        credibility: 2\n",
	 "6:9: claim: missing required key \"source\""},
	{"format: attrib-model-1\nname: t\nhypotheses:\n  - id: a\n"
	 "    indicators: {id: x}\n",
	 "5:17: indicators: expected a list"},
	{"format: attrib-model-1\nname: t\nhypotheses: [{id: a}]\n---\nx: 1\n",
	 "more than one document"},
	{"format: !!str attrib-model-1\nname: t\nhypotheses: [{id: a}]\n",
	 "1:9: tags"},
	{"", "1:1: the file holds no model"},
	{"format: attrib-model-1\nname: t\nhypotheses: [{id: a}, {id: unknown}]\n",
	 "hypothesis \"unknown\" must have type unknown"},
	{"format: attrib-model-1\nname: t\nhypotheses: [{id: a}, {id: false-flag}]\n",
	 "hypothesis \"false-flag\" must have type false-flag"},
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char text[2048], err[1024] = "", want[1200];
		const char *t = bad[i].text;
		if (!strncmp(t, "HEAD", 4))
			snprintf(text, sizeof text, "%s%s", head, t + 4);
		else
			snprintf(text, sizeof text, "%s", t);
		struct model_set *ms;
		int rc = load(text, &ms, err, sizeof err);
		snprintf(want, sizeof want, "%s/m.yaml:", dir);
		if (rc == 0 || strncmp(err, want, strlen(want)) != 0 ||
		    !strstr(err, bad[i].want)) {
			print_error("case %zu: rc %d, message \"%s\", expected "
				    "\"%s\"\n", i, rc, err, bad[i].want);
			fail();
		}
		model_set_destroy(ms);
	}
}

static void test_prefix_table_errors(void **state)
{
	(void)state;
	char path[256], err[512];
	snprintf(path, sizeof path, "%s/bad.csv", dir);
	write_file("bad.csv", "198.51.100.0/24,64500,ZZ\n198.51.100.0/24,x,ZZ\n");
	struct model_set *ms = model_set_create();
	assert_int_equal(model_load_prefixes(ms, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "bad.csv:2: ASN is not a number"));
	model_set_destroy(ms);
}

static void test_directory_and_merge(void **state)
{
	(void)state;
	char sub[256], err[512];
	snprintf(sub, sizeof sub, "%s/models", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file("models/b.yaml",
		   "format: attrib-model-1\nname: b\nhypotheses:\n  - id: a\n"
		   "    indicators:\n      - id: y\n"
		   "        match: {kind: tls.sni, value: y.example}\n"
		   "        link: L1\n        reliability: A\n");
	write_file("models/a.yml",
		   "format: attrib-model-1\nname: a\nhypotheses:\n  - id: a\n"
		   "    indicators:\n      - id: x\n"
		   "        match: {kind: tls.sni, value: x.example}\n"
		   "        link: L1\n        reliability: A\n");
	write_file("models/notes.txt", "ignored\n");
	struct model_set *ms = model_set_create();
	assert_int_equal(model_load_path(ms, sub, err, sizeof err), 0);
	assert_int_equal(model_set_finish(ms, err, sizeof err), 0);
	assert_int_equal(ms->n_files, 2);
	assert_non_null(strstr(ms->files[0].path, "a.yml"));
	const struct model_hypothesis *h = model_hypothesis_find(ms, "a");
	assert_non_null(h);
	assert_int_equal(h->n_patterns, 2);
	model_set_destroy(ms);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complete_model),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_prefix_table_errors),
		cmocka_unit_test(test_directory_and_merge),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
