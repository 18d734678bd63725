/*
 * test_model_stix.c — cmocka tests of STIX 2.1 bundles as models
 * (analyze/intel/stix/bundle.c and load.c; docs/model-format.md, "STIX
 * 2.1 input"): the sample bundle models/stix/lab-intel.json, the mapping
 * of objects and relationships (folding, claims, overrides, versions,
 * revoked objects, missing endpoints), the confidence scale, errors with
 * the file name, and hostile bundles.
 *
 * Bundles are written here with ` for the JSON double quote (patterns
 * keep their single quotes) and loaded from a temporary file. Run from
 * the repository root (make unit does).
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
#include <unistd.h>

#include "analyze/extract/extract.h"
#include "analyze/intel/model.h"
#include "analyze/intel/stix/stix.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define UUID(n) "00000000-0000-4000-8000-0000000000" n
#define TA1 "threat-actor--" UUID("a1")
#define TA2 "threat-actor--" UUID("a2")
#define IS1 "intrusion-set--" UUID("b1")
#define IS2 "intrusion-set--" UUID("b2")
#define ID1 "identity--" UUID("c1")
#define ID2 "identity--" UUID("c2")
#define IND(n) "indicator--" UUID("d" n)
#define REL(n) "relationship--" UUID("e" n)
#define MAL1 "malware--" UUID("f1")

#define O_TA(id, name) "{`type`:`threat-actor`,`id`:`" id "`,`name`:`" name "`}"
#define O_IS(id, name) "{`type`:`intrusion-set`,`id`:`" id "`,`name`:`" name "`}"
#define O_IND(id, pattern, extra)                                              \
	"{`type`:`indicator`,`id`:`" id "`,`pattern_type`:`stix`,`pattern`:`" \
	pattern "`" extra "}"
#define O_REL(id, type, src, tgt, extra)                                        \
	"{`type`:`relationship`,`id`:`" id "`,`relationship_type`:`" type    \
	"`,`source_ref`:`" src "`,`target_ref`:`" tgt "`" extra "}"

static char tmpdir[64];
static char path[128];

static int setup(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/attrib-stix-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(path, sizeof path, "%s/intel.json", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

/* Writes text to path, ` becoming ". */
static void write_bundle_text(const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (const char *s = text; *s; s++)
		assert_int_not_equal(fputc(*s == '`' ? '"' : *s, f), EOF);
	assert_int_equal(fclose(f), 0);
}

/* Loads a bundle of the given objects; the set (never NULL) and rc. */
static struct model_set *load_objects(const char *objects, int *rc,
				      char *err, size_t errlen)
{
	size_t n = strlen(objects) + 128;
	char *text = malloc(n);
	assert_non_null(text);
	snprintf(text, n, "{`type`:`bundle`,`id`:`bundle--" UUID("99")
		 "`,`objects`:[%s]}", objects);
	write_bundle_text(text);
	free(text);
	struct model_set *ms = model_set_create();
	assert_non_null(ms);
	err[0] = '\0';
	*rc = model_load_stix(ms, path, err, errlen);
	return ms;
}

/* Loads objects that must load, and finishes the set. */
static struct model_set *load_ok(const char *objects)
{
	char err[512];
	int rc;
	struct model_set *ms = load_objects(objects, &rc, err, sizeof err);
	if (rc != 0)
		fail_msg("load: %s", err);
	if (model_set_finish(ms, err, sizeof err) != 0)
		fail_msg("finish: %s", err);
	return ms;
}

static const struct model_pattern *pattern_of(const struct model_set *ms,
					      const char *hyp, const char *id)
{
	const struct model_hypothesis *h = model_hypothesis_find(ms, hyp);
	if (!h)
		fail_msg("no hypothesis %s", hyp);
	for (size_t i = 0; i < h->n_patterns; i++)
		if (!strcmp(h->patterns[i].id, id))
			return &h->patterns[i];
	fail_msg("hypothesis %s has no pattern %s", hyp, id);
	return NULL;
}

static const struct model_claim *claim_of(const struct model_set *ms,
					  const char *hyp, const char *id)
{
	const struct model_hypothesis *h = model_hypothesis_find(ms, hyp);
	if (!h)
		fail_msg("no hypothesis %s", hyp);
	for (size_t i = 0; i < h->n_claims; i++)
		if (!strcmp(h->claims[i].id, id))
			return &h->claims[i];
	fail_msg("hypothesis %s has no claim %s", hyp, id);
	return NULL;
}

/* The not-evaluated entry whose origin ends in suffix. */
static const struct model_unevaluated *uneval_of(const struct model_set *ms,
						 const char *suffix)
{
	size_t ls = strlen(suffix);
	for (size_t i = 0; i < ms->n_uneval; i++) {
		const char *o = ms->uneval[i].origin;
		size_t lo = strlen(o);
		if (lo >= ls && !strcmp(o + lo - ls, suffix))
			return &ms->uneval[i];
	}
	fail_msg("nothing reported for %s", suffix);
	return NULL;
}

/* ---- the confidence scale ---- */

static void test_confidence_scale(void **state)
{
	/* STIX 2.1 Appendix A, Admiralty credibility: 80-100 confirmed,
	 * 60-79 probably true, 40-59 possibly true, 20-39 doubtful, 0-19
	 * improbable, absent: cannot be judged */
	static const struct {
		long long confidence;
		int credibility;
	} cases[] = {
		{100, 1}, {80, 1}, {79, 2}, {60, 2}, {59, 3}, {40, 3},
		{39, 4},  {20, 4}, {19, 5}, {0, 5},  {-1, 6}, {101, 6},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		assert_int_equal(stix_confidence_credibility(
					 cases[i].confidence),
				 cases[i].credibility);
	/* in a bundle: on indicators and on claims; absent is 6 */
	struct model_set *ms = load_ok(
		O_TA(TA1, "A") "," O_IS(IS1, "S") ","
		O_IND(IND("1"), "[url:value = 'http://a.test/']",
		      ",`confidence`:85") ","
		O_IND(IND("2"), "[url:value = 'http://b.test/']", "") ","
		O_REL(REL("1"), "indicates", IND("1"), TA1, "") ","
		O_REL(REL("2"), "indicates", IND("2"), TA1, "") ","
		O_REL(REL("3"), "attributed-to", IS1, TA1,
		      ",`confidence`:25"));
	assert_int_equal(pattern_of(ms, TA1, IND("1"))->credibility, 1);
	assert_int_equal(pattern_of(ms, TA1, IND("2"))->credibility, 6);
	assert_int_equal(claim_of(ms, TA1, REL("3"))->credibility, 4);
	model_set_destroy(ms);
}

/* ---- the sample bundle ---- */

#define LAB "models/stix/lab-intel.json"
#define LAB_A "threat-actor--5301aae4-4e58-597d-b74c-b18423e86fbe"
#define LAB_B "threat-actor--01385ff8-eef6-53b6-b5e3-22ee677dea53"
#define LAB_VENDOR "identity--29f8ad16-627f-5da9-b88e-834cac4f4276"

static void test_sample_bundle(void **state)
{
	char err[512];
	struct model_set *ms = model_set_create();
	assert_non_null(ms);
	if (access(LAB, R_OK) != 0)
		fail_msg(LAB " absent: run from the repository root");
	if (model_load_path(ms, LAB, err, sizeof err) != 0 ||
	    model_set_finish(ms, err, sizeof err) != 0)
		fail_msg("%s", err);
	assert_int_equal(ms->n_files, 1);
	assert_string_equal(ms->files[0].format, "stix");
	assert_int_equal(ms->files[0].objects, 39);
	assert_int_equal(ms->files[0].objects_unused, 0);
	assert_int_equal(strlen(ms->files[0].sha256), 64);
	/* two threat actors (the intrusion set folds into B) and the
	 * implicit unknown and false-flag hypotheses */
	assert_int_equal(ms->n_hyps, 4);
	const struct model_hypothesis *a = model_hypothesis_find(ms, LAB_A);
	const struct model_hypothesis *b = model_hypothesis_find(ms, LAB_B);
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->name, "Lab Actor A (fictional)");
	assert_int_equal(a->type, MODEL_HYP_ACTOR);
	assert_int_equal(a->n_patterns, 9);
	assert_int_equal(a->n_claims, 0);
	assert_int_equal(b->n_patterns, 13);
	assert_int_equal(b->n_claims, 2);
	assert_true(model_hypothesis_find(ms, "unknown")->implicit);

	/* a certificate: L2, reliability and confidence from the object */
	const struct model_pattern *p = pattern_of(
		ms, LAB_B, "indicator--b7642285-deeb-53c7-bebf-9bca78e30fb0");
	assert_int_equal(p->kind, OBS_TLS_CERT_SHA1);
	assert_int_equal(p->match, MODEL_MATCH_EXACT);
	assert_string_equal(p->text,
			    "a1907a076e93698579e71b05e4fb320d55769c90");
	assert_int_equal(p->link, MODEL_L2);
	assert_int_equal(p->reliability, 'B');
	assert_int_equal(p->credibility, 1);
	assert_string_equal(p->source, LAB_VENDOR);
	assert_string_equal(p->note, "Self-signed certificate of the hourly "
				     "set");
	assert_string_equal(p->origin, LAB ": indicator--b7642285-deeb-53c7-"
					   "bebf-9bca78e30fb0");
	assert_true(fabs(p->s - obs_kind_specificity(OBS_TLS_CERT_SHA1)) <
		    1e-12);
	/* a domain: one pattern per name kind, L1, reliability F */
	p = pattern_of(ms, LAB_B, "indicator--217177e3-1c22-5be8-aee5-"
				  "ba65f2a14971/tls.sni");
	assert_int_equal(p->kind, OBS_TLS_SNI);
	assert_int_equal(p->link, MODEL_L1);
	assert_int_equal(p->reliability, 'F');
	/* an OR: two patterns, #1 and #2 */
	p = pattern_of(ms, LAB_B, "indicator--6c705258-228c-57ef-8d17-"
				  "ffdb5110325b#2");
	assert_int_equal(p->kind, MODEL_KIND_ANY_IP);
	assert_int_equal(p->match, MODEL_MATCH_CIDR);
	assert_string_equal(p->text, "198.51.100.64/26");
	assert_int_equal(p->family, 4);
	assert_int_equal(p->prefix_len, 26);
	/* a beacon range and working hours */
	p = pattern_of(ms, LAB_A, "indicator--93d9d3d3-517c-59e0-95df-"
				  "ad142c18a717");
	assert_int_equal(p->match, MODEL_MATCH_PERIOD);
	assert_true(p->lo == 270 && p->hi == 330);
	p = pattern_of(ms, LAB_A, "indicator--820c68d5-c31f-5ca6-9a87-"
				  "939dbdf6549c");
	assert_int_equal(p->match, MODEL_MATCH_UTC_OFFSET);
	assert_int_equal(p->link, MODEL_L2);
	assert_true(p->lo == 7 && p->hi == 9);

	/* the claims: intrusion set -> actor on L3, actor -> org on L4 */
	const struct model_claim *c = claim_of(
		ms, LAB_B, "relationship--518a337d-cdf4-5c1d-b558-fbc71949788b");
	assert_int_equal(c->type, MODEL_CLAIM_INTELLIGENCE);
	assert_int_equal(c->link, MODEL_L3);
	assert_int_equal(c->reliability, 'B');
	assert_int_equal(c->credibility, 2);
	assert_true(c->strength == 0.8);
	assert_true(fabs(c->f - 0.20) < 1e-12);
	assert_string_equal(c->source, LAB_VENDOR);
	c = claim_of(ms, LAB_B,
		     "relationship--908a4dfb-3f39-57fc-9142-1b12150a9375");
	assert_int_equal(c->link, MODEL_L4);
	assert_int_equal(c->credibility, 4);
	assert_true(c->strength == 0.6);

	/* the two patterns attrib cannot evaluate are reported */
	assert_int_equal(ms->n_uneval, 2);
	const struct model_unevaluated *u =
		uneval_of(ms, "indicator--f16745e6-01be-5c19-bd93-f8978adc6199");
	assert_non_null(strstr(u->reason, "object type file"));
	assert_non_null(strstr(u->pattern, "file:hashes.'SHA-256'"));
	u = uneval_of(ms, "indicator--1f8d9ac6-33ee-5001-97a9-5fec5a2b7c1c");
	assert_non_null(strstr(u->reason, "FOLLOWEDBY"));
	model_set_destroy(ms);
}

/* ---- mapping ---- */

static void test_folding_and_claims(void **state)
{
	/* IS1 -> TA1 and TA2 (folds into both); IS2 stands alone; TA1 ->
	 * an organisation (L4), TA2 -> an individual (L3i) */
	struct model_set *ms = load_ok(
		O_TA(TA1, "One") "," O_TA(TA2, "Two") ","
		O_IS(IS1, "Set one") "," O_IS(IS2, "Set two") ","
		"{`type`:`identity`,`id`:`" ID1 "`,`name`:`Org`,"
		"`identity_class`:`organization`},"
		"{`type`:`identity`,`id`:`" ID2 "`,`name`:`Someone`,"
		"`identity_class`:`individual`},"
		O_IND(IND("1"), "[url:value = 'http://a.test/']", "") ","
		O_IND(IND("2"), "[url:value = 'http://b.test/']", "") ","
		O_REL(REL("1"), "indicates", IND("1"), IS1, "") ","
		/* indicates both the set and the actor it folds into: once */
		O_REL(REL("2"), "indicates", IND("1"), TA1, "") ","
		O_REL(REL("3"), "indicates", IND("2"), IS2, "") ","
		O_REL(REL("4"), "attributed-to", IS1, TA1, "") ","
		O_REL(REL("5"), "attributed-to", IS1, TA2,
		      ",`x_attrib_claim_type`:`vendor-report`,"
		      "`x_attrib_strength`:0.5,`x_attrib_forgeability`:0.4,"
		      "`x_attrib_direction`:`contradicts`,"
		      "`x_attrib_reliability`:`A`,`description`:`says so`,"
		      "`created_by_ref`:`" ID1 "`") ","
		O_REL(REL("6"), "attributed-to", TA1, ID1, "") ","
		O_REL(REL("7"), "attributed-to", TA2, ID2,
		      ",`x_attrib_link`:`L3`"));
	assert_null(model_hypothesis_find(ms, IS1));
	const struct model_hypothesis *h2 = model_hypothesis_find(ms, IS2);
	assert_non_null(h2);
	assert_int_equal(h2->type, MODEL_HYP_INTRUSION_SET);
	assert_string_equal(h2->name, "Set two");
	assert_int_equal(h2->n_patterns, 1);
	assert_int_equal(model_hypothesis_find(ms, TA1)->n_patterns, 1);
	assert_int_equal(model_hypothesis_find(ms, TA2)->n_patterns, 1);
	(void)pattern_of(ms, TA2, IND("1"));

	const struct model_claim *c = claim_of(ms, TA1, REL("4"));
	assert_int_equal(c->link, MODEL_L3);
	assert_int_equal(c->type, MODEL_CLAIM_INTELLIGENCE);
	assert_int_equal(c->reliability, 'F');
	assert_int_equal(c->credibility, 6);
	assert_true(c->strength == 0.8);
	assert_string_equal(c->source, "intel.json");
	assert_non_null(strstr(c->description, "Set one"));
	c = claim_of(ms, TA2, REL("5"));
	assert_int_equal(c->type, MODEL_CLAIM_VENDOR_REPORT);
	assert_int_equal(c->direction, OPINION_CONTRADICTS);
	assert_int_equal(c->reliability, 'A');
	assert_true(c->strength == 0.5);
	assert_true(c->f == 0.4 && c->f_override);
	assert_string_equal(c->source, ID1);
	assert_string_equal(c->description, "says so");
	assert_int_equal(claim_of(ms, TA1, REL("6"))->link, MODEL_L4);
	/* an individual would be L3i; x_attrib_link overrides */
	assert_int_equal(claim_of(ms, TA2, REL("7"))->link, MODEL_L3);
	assert_int_equal(ms->n_uneval, 0);
	model_set_destroy(ms);

	ms = load_ok(O_TA(TA2, "Two") ","
		     "{`type`:`identity`,`id`:`" ID2 "`,`name`:`Someone`,"
		     "`identity_class`:`individual`},"
		     O_REL(REL("7"), "attributed-to", TA2, ID2, ""));
	assert_int_equal(claim_of(ms, TA2, REL("7"))->link, MODEL_L3I);
	model_set_destroy(ms);
}

static void test_indicator_properties(void **state)
{
	struct model_set *ms = load_ok(
		"{`type`:`threat-actor`,`id`:`" TA1 "`,`name`:`One`,"
		"`x_attrib_base_rate`:0.2},"
		O_IND(IND("1"), "[domain-name:value = 'a.example']",
		      ",`x_attrib_link`:`L2`,`x_attrib_direction`:"
		      "`contradicts`,`x_attrib_reliability`:`B`,"
		      "`x_attrib_forgeability`:0.25,`x_attrib_specificity`:1,"
		      "`confidence`:45,`name`:`n`,`created_by_ref`:`" ID1 "`")
		"," O_IND(IND("2"), "[x-attrib:'tls.ja3' = "
				    "'0123456789abcdef0123456789abcdef']", "")
		"," O_REL(REL("1"), "indicates", IND("1"), TA1, "") ","
		O_REL(REL("2"), "indicates", IND("2"), TA1, ""));
	assert_true(model_hypothesis_find(ms, TA1)->base_rate == 0.2);
	static const char *const kinds[] = {"dns.query", "tls.sni",
					    "http.host"};
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		char id[128];
		snprintf(id, sizeof id, "%s/%s", IND("1"), kinds[i]);
		const struct model_pattern *p = pattern_of(ms, TA1, id);
		assert_int_equal(p->kind, obs_kind_parse(kinds[i]));
		assert_int_equal(p->link, MODEL_L2);
		assert_int_equal(p->direction, OPINION_CONTRADICTS);
		assert_int_equal(p->reliability, 'B');
		assert_int_equal(p->credibility, 3);
		assert_true(p->f == 0.25 && p->f_override);
		assert_true(p->s == 1 && p->s_override);
		assert_string_equal(p->source, ID1);
		assert_string_equal(p->note, "n");
	}
	const struct model_pattern *p = pattern_of(ms, TA1, IND("2"));
	assert_int_equal(p->kind, OBS_TLS_JA3);
	assert_int_equal(p->link, MODEL_L2);
	assert_int_equal(p->direction, OPINION_SUPPORTS);
	assert_int_equal(p->reliability, 'F');
	assert_false(p->f_override);
	assert_true(fabs(p->f - obs_kind_forgeability(OBS_TLS_JA3)) < 1e-12);
	assert_string_equal(p->source, "intel.json");
	assert_null(p->note);
	model_set_destroy(ms);
}

/* Revoked objects, missing endpoints, unused types and relationships,
 * other pattern types, versions: each reported or counted, never lost
 * silently. */
static void test_reported(void **state)
{
	struct model_set *ms = load_ok(
		O_TA(TA1, "One") ","
		"{`type`:`threat-actor`,`id`:`" TA2 "`,`name`:`Gone`,"
		"`revoked`:true},"
		"{`type`:`malware`,`id`:`" MAL1 "`,`name`:`m`},"
		"{`type`:`campaign`,`id`:`campaign--" UUID("f2") "`},"
		/* revoked indicator */
		O_IND(IND("1"), "[url:value = 'http://a.test/']",
		      ",`revoked`:true") ","
		/* indicates a revoked actor, only */
		O_IND(IND("2"), "[url:value = 'http://b.test/']", "") ","
		/* indicates nothing */
		O_IND(IND("3"), "[url:value = 'http://c.test/']", "") ","
		/* another pattern language */
		"{`type`:`indicator`,`id`:`" IND("4") "`,`pattern_type`:`yara`,"
		"`pattern`:`rule x { condition: true }`},"
		/* malformed, and partly evaluable */
		O_IND(IND("5"), "[url:value = 'http://d.test/", "") ","
		O_IND(IND("6"), "[url:value = 'http://e.test/'] OR "
				"[process:name = 'x']", "") ","
		/* versions: the later modified wins (fractions of different
		 * length), whatever the order */
		O_IND(IND("7"), "[url:value = 'http://new.test/']",
		      ",`modified`:`2024-01-01T00:00:00.5Z`") ","
		O_IND(IND("7"), "[url:value = 'http://old.test/']",
		      ",`modified`:`2024-01-01T00:00:00.25Z`") ","
		O_IND(IND("7"), "[url:value = 'http://older.test/']",
		      ",`modified`:`2024-01-01T00:00:00Z`") ","
		/* same version twice, different content */
		O_IND(IND("8"), "[url:value = 'http://first.test/']",
		      ",`modified`:`2024-01-01T00:00:00Z`") ","
		O_IND(IND("8"), "[url:value = 'http://second.test/']",
		      ",`modified`:`2024-01-01T00:00:00Z`") ","
		/* an identical repeat: silent */
		O_IND(IND("9"), "[url:value = 'http://same.test/']", "") ","
		O_IND(IND("9"), "[url:value = 'http://same.test/']", "") ","
		O_REL(REL("1"), "indicates", IND("1"), TA1, "") ","
		O_REL(REL("2"), "indicates", IND("2"), TA2, "") ","
		O_REL(REL("3"), "indicates", IND("4"), TA1, "") ","
		O_REL(REL("4"), "indicates", IND("5"), TA1, "") ","
		O_REL(REL("5"), "indicates", IND("6"), TA1, "") ","
		O_REL(REL("6"), "indicates", IND("7"), TA1, "") ","
		O_REL(REL("7"), "indicates", IND("8"), TA1, "") ","
		O_REL(REL("8"), "indicates", IND("9"), TA1, "") ","
		/* missing ends */
		O_REL(REL("9"), "indicates", IND("a"), TA1, "") ","
		O_REL(REL("a"), "attributed-to", IS1, TA1, "") ","
		/* revoked relationship */
		"{`type`:`relationship`,`id`:`" REL("b") "`,"
		"`relationship_type`:`indicates`,`source_ref`:`" IND("3") "`,"
		"`target_ref`:`" TA1 "`,`revoked`:true},"
		/* relationships attrib does not use */
		O_REL(REL("c"), "uses", TA1, MAL1, "") ","
		O_REL(REL("d"), "indicates", IND("3"), MAL1, ""));
	const struct model_hypothesis *h = model_hypothesis_find(ms, TA1);
	assert_null(model_hypothesis_find(ms, TA2));
	/* IND6#1, IND7, IND8, IND9 */
	assert_int_equal(h->n_patterns, 4);
	assert_string_equal(pattern_of(ms, TA1, IND("7"))->text,
			    "http://new.test/");
	assert_string_equal(pattern_of(ms, TA1, IND("8"))->text,
			    "http://first.test/");
	(void)pattern_of(ms, TA1, IND("6") "#1");
	assert_string_equal(uneval_of(ms, TA2)->reason, "revoked");
	assert_string_equal(uneval_of(ms, IND("1"))->reason, "revoked");
	assert_string_equal(uneval_of(ms, IND("1"))->pattern,
			    "[url:value = 'http://a.test/']");
	assert_non_null(strstr(uneval_of(ms, IND("2"))->reason,
			       "indicates no threat-actor"));
	assert_non_null(strstr(uneval_of(ms, REL("2"))->reason,
			       "target " TA2 " is revoked"));
	assert_non_null(strstr(uneval_of(ms, IND("3"))->reason,
			       "indicates no threat-actor"));
	assert_non_null(strstr(uneval_of(ms, IND("4"))->reason,
			       "pattern_type yara"));
	assert_non_null(strstr(uneval_of(ms, IND("5"))->reason,
			       "pattern not parsed: unterminated string "
			       "(byte 13)"));
	const struct model_unevaluated *u = uneval_of(ms, IND("6") "#2");
	assert_string_equal(u->pattern, "[process:name = 'x']");
	assert_non_null(strstr(u->reason, "object type process"));
	assert_non_null(strstr(uneval_of(ms, IND("8"))->reason,
			       "differ but have the same id and modified"));
	assert_non_null(strstr(uneval_of(ms, REL("9"))->reason,
			       "source " IND("a") " is not in the bundle"));
	assert_string_equal(uneval_of(ms, REL("9"))->pattern,
			    IND("a") " indicates " TA1);
	assert_non_null(strstr(uneval_of(ms, REL("a"))->reason,
			       "source " IS1 " is not in the bundle"));
	assert_string_equal(uneval_of(ms, REL("b"))->reason, "revoked");
	/* TA2 revoked, IND1, IND2, IND3, IND4, IND5, IND6#2, IND8, REL1,
	 * REL2, REL9, RELa, RELb */
	assert_non_null(strstr(uneval_of(ms, REL("1"))->reason,
			       "source " IND("1") " is revoked"));
	assert_int_equal(ms->n_uneval, 13);
	/* malware, campaign, uses, indicates malware */
	assert_int_equal(ms->files[0].objects, 30);
	assert_int_equal(ms->files[0].objects_unused, 4);
	model_set_destroy(ms);
}

/* Two bundles naming the same actor pool their evidence. */
static void test_two_files(void **state)
{
	char err[512];
	int rc;
	struct model_set *ms = load_objects(
		O_TA(TA1, "One") "," O_IND(IND("1"), "[url:value = 'a']", "")
		"," O_REL(REL("1"), "indicates", IND("1"), TA1, ""), &rc, err,
		sizeof err);
	assert_int_equal(rc, 0);
	write_bundle_text("{`type`:`bundle`,`id`:`bundle--" UUID("98") "`,"
			  "`objects`:[" O_TA(TA1, "One again") ","
			  O_IND(IND("2"), "[url:value = 'b']", "") ","
			  O_REL(REL("2"), "indicates", IND("2"), TA1, "")
			  "]}");
	assert_int_equal(model_load_stix(ms, path, err, sizeof err), 0);
	assert_int_equal(model_set_finish(ms, err, sizeof err), 0);
	const struct model_hypothesis *h = model_hypothesis_find(ms, TA1);
	assert_string_equal(h->name, "One");
	assert_int_equal(h->n_patterns, 2);
	assert_int_equal(ms->n_files, 2);
	model_set_destroy(ms);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
	static const struct {
		const char *text;  /* the whole file (` for ") */
		const char *error; /* after "PATH" */
	} cases[] = {
		{"", ":1:0: not valid JSON"},
		{"{`type`:`bundle`,", ":1:17: not valid JSON"},
		{"{`type`:`bundle`,`type`:`bundle`}", "not valid JSON: "
		 "duplicate object key"},
		/* the parser's excerpt holds a newline: the error does not */
		{"{`type`:`bundle`,`x`:`a\\\n`}", ":2:0: not valid JSON: "
		 "invalid escape near '\"a\\ '"},
		{"[]", ": not a STIX bundle: the top level is an array, not an "
		 "object"},
		{"`bundle`", ": not a STIX bundle: the top level is a string"},
		{"{`objects`:[]}", ": not a STIX bundle: \"type\" is missing"},
		{"{`type`:`report`}", ": not a STIX bundle: \"type\" is "
		 "\"report\", expected \"bundle\""},
		{"{`type`:7}", "\"type\" is not a string"},
		{"{`type`:`bundle`,`objects`:{}}", ": \"objects\" is an "
		 "object, not an array"},
		{"{`type`:`bundle`,`objects`:[1]}", ": objects[0]: expected a "
		 "JSON object, got a number"},
		{"{`type`:`bundle`,`objects`:[{`id`:`x`}]}", ": objects[0]: "
		 "\"type\" is missing or not a string"},
		{"{`type`:`bundle`,`objects`:[{`type`:`malware`}]}",
		 ": objects[0]: \"id\" is missing or not a string"},
		{"{`type`:`bundle`,`objects`:[{`type`:`indicator`,"
		 "`id`:`indicator--1`}]}",
		 ": objects[0] (indicator--1): id is not indicator--UUID"},
		{"{`type`:`bundle`,`objects`:[{`type`:`indicator`,"
		 "`id`:`" TA1 "`}]}", ": objects[0] (" TA1 "): id is not "
		 "indicator--UUID"},
		{"{`type`:`bundle`,`objects`:[{`type`:`indicator`,"
		 "`id`:`" IND("1") "`,`revoked`:`yes`}]}",
		 "revoked: expected true or false"},
		{"{`type`:`bundle`,`objects`:[{`type`:`indicator`,"
		 "`id`:`" IND("1") "`,`modified`:1}]}",
		 "modified: expected a string"},
		{"{`type`:`bundle`,`objects`:[" O_TA(TA1, "A") ","
		 "{`type`:`indicator`,`id`:`" IND("1") "`}]}",
		 ": objects[1] (" IND("1") "): pattern: missing"},
		{"{`type`:`bundle`,`objects`:[" O_TA(TA1, "A") ","
		 "{`type`:`indicator`,`id`:`" IND("1") "`,`pattern`:[]}]}",
		 "pattern: expected a string"},
		{"{`type`:`bundle`,`objects`:[" O_IND(IND("1"), "[url:value = "
		 "'a']", ",`confidence`:101") "]}",
		 "confidence: expected a whole number 0..100"},
		{"{`type`:`bundle`,`objects`:[" O_IND(IND("1"), "[url:value = "
		 "'a']", ",`confidence`:50.5") "]}",
		 "confidence: expected a whole number 0..100"},
		{"{`type`:`bundle`,`objects`:[" O_IND(IND("1"), "[url:value = "
		 "'a']", ",`confidence`:`high`") "]}",
		 "confidence: expected a whole number 0..100"},
		{"{`type`:`bundle`,`objects`:[" O_IND(IND("1"), "[url:value = "
		 "'a']", ",`x_attrib_link`:`L5`") "]}",
		 "x_attrib_link: expected one of L1, L2, L3, L3i, L4, got "
		 "\"L5\""},
		/* admissible evidence: packets speak to L1 and L2 only */
		{"{`type`:`bundle`,`objects`:[" O_IND(IND("1"), "[url:value = "
		 "'a']", ",`x_attrib_link`:`L3`") "]}",
		 ": objects[0] (" IND("1") "): x_attrib_link: indicator \""
		 IND("1") "\" is read from packets and speaks to L1 and L2 "
		 "only, not L3"},
		{"{`type`:`bundle`,`objects`:[" O_IND(IND("1"), "[ipv4-addr:value"
		 " = '192.0.2.1']", ",`x_attrib_link`:`L4`") "]}",
		 "is read from packets and speaks to L1 and L2 only, not L4: L4 "
		 "takes claims (origin is not attribution)"},
		{"{`type`:`bundle`,`objects`:[" O_TA(TA1, "A") ","
		 "{`type`:`identity`,`id`:`" ID1 "`,`name`:`State`},"
		 O_REL(REL("1"), "attributed-to", TA1, ID1,
		       ",`x_attrib_claim_type`:`geolocation`") "]}",
		 "(geolocation) only says where infrastructure is and cannot "
		 "speak to L4"},
		{"{`type`:`bundle`,`objects`:[" O_IND(IND("1"), "[url:value = "
		 "'a']", ",`x_attrib_reliability`:`G`") "]}",
		 "x_attrib_reliability: expected one of A, B, C, D, E, F"},
		{"{`type`:`bundle`,`objects`:[" O_IND(IND("1"), "[url:value = "
		 "'a']", ",`x_attrib_direction`:`against`") "]}",
		 "x_attrib_direction: expected supports or contradicts"},
		{"{`type`:`bundle`,`objects`:[" O_IND(IND("1"), "[url:value = "
		 "'a']", ",`x_attrib_specificity`:1.5") "]}",
		 "x_attrib_specificity: expected a number in [0, 1]"},
		{"{`type`:`bundle`,`objects`:[" O_IND(IND("1"), "[url:value = "
		 "'a']", ",`x_attrib_speicifity`:0.5") "]}",
		 "unknown property \"x_attrib_speicifity\" on an indicator "
		 "(expected x_attrib_link, x_attrib_direction"},
		{"{`type`:`bundle`,`objects`:[" O_TA(TA1, "A") ","
		 O_IND(IND("1"), "[url:value = 'a']", "") ","
		 O_REL(REL("1"), "indicates", IND("1"), TA1,
		       ",`x_attrib_link`:`L2`") "]}",
		 "unknown property \"x_attrib_link\" on a relationship "
		 "(expected no x_attrib_ property here)"},
		{"{`type`:`bundle`,`objects`:[" O_TA(TA1, "A") ","
		 O_IS(IS1, "S") ","
		 O_REL(REL("1"), "attributed-to", IS1, TA1,
		       ",`x_attrib_claim_type`:`rumour`") "]}",
		 "x_attrib_claim_type: expected one of vendor-report"},
		{"{`type`:`bundle`,`objects`:[" O_TA(TA1, "A") ","
		 O_IS(IS1, "S") ","
		 O_REL(REL("1"), "attributed-to", IS1, TA1,
		       ",`x_attrib_strength`:-1") "]}",
		 "x_attrib_strength: expected a number in [0, 1]"},
		{"{`type`:`bundle`,`objects`:[{`type`:`threat-actor`,`id`:`"
		 TA1 "`,`x_attrib_base_rate`:`x`}]}",
		 "x_attrib_base_rate: expected a number in [0, 1]"},
		{"{`type`:`bundle`,`objects`:[{`type`:`threat-actor`,`id`:`"
		 TA1 "`,`name`:5}]}", "name: expected a string"},
		{"{`type`:`bundle`,`objects`:[{`type`:`relationship`,`id`:`"
		 REL("1") "`,`relationship_type`:`indicates`,`target_ref`:`"
		 TA1 "`}]}", "source_ref: missing"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char err[512], want[512];
		write_bundle_text(cases[i].text);
		struct model_set *ms = model_set_create();
		assert_non_null(ms);
		if (model_load_stix(ms, path, err, sizeof err) == 0)
			fail_msg("case %zu loaded", i);
		snprintf(want, sizeof want, "%s%s", path, cases[i].error);
		if (strncmp(err, path, strlen(path)) != 0 ||
		    !strstr(err, cases[i].error) || strchr(err, '\n'))
			fail_msg("case %zu: \"%s\"\nexpected \"%s\"", i, err,
				 want);
		model_set_destroy(ms);
	}
	/* a file that is not there */
	char err[512];
	struct model_set *ms = model_set_create();
	assert_int_equal(model_load_stix(ms, "/nonexistent/x.json", err,
					 sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/x.json: cannot open"));
	model_set_destroy(ms);
}

/* ---- hostile bundles ---- */

static char *repeat(const char *head, const char *unit, size_t n,
		    const char *tail)
{
	size_t lh = strlen(head), lu = strlen(unit), lt = strlen(tail);
	char *s = malloc(lh + n * lu + lt + 1);
	assert_non_null(s);
	memcpy(s, head, lh);
	for (size_t i = 0; i < n; i++)
		memcpy(s + lh + i * lu, unit, lu);
	memcpy(s + lh + n * lu, tail, lt + 1);
	return s;
}

static void test_hostile(void **state)
{
	char err[512];
	int rc;
	/* JSON nested beyond jansson's depth limit */
	char *s = repeat("{`type`:`bundle`,`objects`:", "[", 100000, "");
	write_bundle_text(s);
	free(s);
	struct model_set *ms = model_set_create();
	assert_int_equal(model_load_stix(ms, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "not valid JSON"));
	model_set_destroy(ms);
	/* deep but legal JSON inside an object attrib does not read */
	s = repeat("{`type`:`bundle`,`objects`:[{`type`:`note`,`id`:`n`,"
		   "`x`:", "[", 1000, "");
	char *t = repeat(s, "]", 1000, "}]}");
	write_bundle_text(t);
	free(s);
	free(t);
	ms = model_set_create();
	assert_int_equal(model_load_stix(ms, path, err, sizeof err), 0);
	model_set_destroy(ms);
	/* a 1 MiB pattern, a pattern of quotes, an unterminated one, and
	 * a 1 MiB name */
	s = repeat(O_TA(TA1, "A") ",{`type`:`indicator`,`id`:`" IND("1")
		   "`,`pattern`:`[url:value = '", "a", 1 << 20,
		   "']`}," O_IND(IND("2"), "''", "") ","
		   O_IND(IND("3"), "[url:value = 'abc", "") ","
		   "{`type`:`intrusion-set`,`id`:`" IS1 "`,`name`:`");
	t = repeat(s, "n", 1 << 20, "`}," O_REL(REL("1"), "indicates",
						IND("1"), TA1, "") ","
		   O_REL(REL("2"), "indicates", IND("2"), TA1, "") ","
		   O_REL(REL("3"), "indicates", IND("3"), IS1, ""));
	free(s);
	ms = load_objects(t, &rc, err, sizeof err);
	free(t);
	if (rc != 0)
		fail_msg("%s", err);
	assert_non_null(strstr(uneval_of(ms, IND("1"))->reason,
			       "longer than 65536"));
	assert_non_null(strstr(uneval_of(ms, IND("2"))->reason,
			       "pattern not parsed"));
	assert_non_null(strstr(uneval_of(ms, IND("3"))->reason,
			       "unterminated string"));
	assert_int_equal(strlen(model_hypothesis_find(ms, IS1)->name),
			 1 << 20);
	model_set_destroy(ms);
	/* many objects, most of one id */
	s = repeat(O_TA(TA1, "A"), "," O_TA(TA1, "A"), 20000, "");
	ms = load_objects(s, &rc, err, sizeof err);
	free(s);
	assert_int_equal(rc, 0);
	assert_int_equal(ms->n_hyps, 1);
	assert_int_equal(ms->files[0].objects, 20001);
	model_set_destroy(ms);
	/* a NUL escaped in a string is refused by the JSON reader */
	write_bundle_text("{`type`:`bundle\\u0000`}");
	ms = model_set_create();
	assert_int_equal(model_load_stix(ms, path, err, sizeof err), -1);
	assert_non_null(strstr(err, "not valid JSON"));
	model_set_destroy(ms);
}

/* Random mutations of a small bundle: an error or a load, never a
 * crash, and the error is one line naming the file. */
static void test_mutations(void **state)
{
	static const char seed[] =
		"{`type`:`bundle`,`objects`:[" O_TA(TA1, "A") ","
		O_IS(IS1, "S") ","
		O_IND(IND("1"), "[url:value = 'a' OR ipv4-addr:value "
				"ISSUBSET '192.0.2.0/24']",
		      ",`confidence`:50") ","
		O_REL(REL("1"), "indicates", IND("1"), IS1, "") ","
		O_REL(REL("2"), "attributed-to", IS1, TA1, "") "]}";
	static const char alphabet[] = "{}[]`:,'0123456789abcdef-truefalsn";
	uint32_t rng = 99;
	char buf[sizeof seed];
	for (int round = 0; round < 400; round++) {
		char err[512];
		memcpy(buf, seed, sizeof seed);
		for (int k = 0; k < 1 + round % 3; k++) {
			rng = rng * 1103515245u + 12345u;
			size_t at = (rng >> 8) % (sizeof seed - 1);
			rng = rng * 1103515245u + 12345u;
			buf[at] = alphabet[(rng >> 16) % (sizeof alphabet - 1)];
		}
		write_bundle_text(buf);
		struct model_set *ms = model_set_create();
		assert_non_null(ms);
		if (model_load_stix(ms, path, err, sizeof err) != 0) {
			assert_int_equal(strncmp(err, path, strlen(path)), 0);
			assert_null(strchr(err, '\n'));
		}
		model_set_destroy(ms);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confidence_scale),
		cmocka_unit_test(test_sample_bundle),
		cmocka_unit_test(test_folding_and_claims),
		cmocka_unit_test(test_indicator_properties),
		cmocka_unit_test(test_reported),
		cmocka_unit_test(test_two_files),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
