/*
 * test_score_assess.c — cmocka tests of matching (analyze/intel/match.c)
 * and of scoring a model set (analyze/score/assess.c, assess_needs.c):
 * every matcher against values that must and must not match, and
 * DESIGN.md's invariants on whole assessments over random models —
 * cheap evidence alone never lifts a link above 0.5, duplicates add
 * nothing, no L4 evidence means a state-chain belief of 0, and the
 * order of hypotheses, patterns and claims changes nothing.
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
#include "analyze/intel/match.h"
#include "analyze/score/assess.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct model_pattern pat(const char *id, int kind, enum model_match m,
				const char *text, enum model_link l)
{
	struct model_pattern p;
	memset(&p, 0, sizeof p);
	p.id = (char *)id;
	p.kind = kind;
	p.match = m;
	p.text = (char *)text;
	p.link = l;
	p.reliability = 'A';
	p.source = (char *)"src";
	if (m == MODEL_MATCH_CIDR)
		assert_true(model_parse_cidr(text, p.addr, &p.family,
					     &p.prefix_len));
	return p;
}

/* Each row: a pattern, a value fed (with detail), whether it matches. */
static void test_matchers(void **state)
{
	(void)state;
	static const struct {
		int kind;
		enum model_match m;
		const char *text;
		double lo, hi;
		const char *feed_kind, *value, *detail;
		bool match;
	} cases[] = {
		{OBS_DNS_QUERY, MODEL_MATCH_EXACT, "A.Example", 0, 0, "dns.query", "a.example.", NULL, true},
		{OBS_DNS_QUERY, MODEL_MATCH_EXACT, "a.example", 0, 0, "tls.sni", "a.example", NULL, false},
		{OBS_TLS_JA3, MODEL_MATCH_EXACT, "ABC", 0, 0, "tls.ja3", "abc", NULL, false},
		{OBS_TLS_SNI, MODEL_MATCH_SUFFIX, "staging.example", 0, 0, "tls.sni", "x.y.Staging.example", NULL, true},
		{OBS_TLS_SNI, MODEL_MATCH_SUFFIX, "staging.example", 0, 0, "tls.sni", "staging.example", NULL, true},
		{OBS_TLS_SNI, MODEL_MATCH_SUFFIX, "staging.example", 0, 0, "tls.sni", "xstaging.example", NULL, false},
		{MODEL_KIND_ANY_IP, MODEL_MATCH_CIDR, "198.51.100.0/24", 0, 0, "ip.dst", "198.51.100.77", NULL, true},
		{MODEL_KIND_ANY_IP, MODEL_MATCH_CIDR, "198.51.100.0/24", 0, 0, "dns.answer", "198.51.100.1", NULL, true},
		{MODEL_KIND_ANY_IP, MODEL_MATCH_CIDR, "198.51.100.0/24", 0, 0, "ip.dst", "198.51.101.1", NULL, false},
		{OBS_IP_SRC, MODEL_MATCH_CIDR, "2001:db8::/32", 0, 0, "ip.src", "2001:db8:1::5", NULL, true},
		{OBS_IP_SRC, MODEL_MATCH_CIDR, "2001:db8::/32", 0, 0, "ip.dst", "2001:db8:1::5", NULL, false},
		{OBS_HTTP_USER_AGENT, MODEL_MATCH_GLOB, "*lab-agent*", 0, 0, "http.user_agent", "Mozilla/4.0 (lab-agent)", NULL, true},
		{OBS_HTTP_USER_AGENT, MODEL_MATCH_GLOB, "*lab-agent*", 0, 0, "http.user_agent", "curl/8", NULL, false},
		{OBS_BEACON, MODEL_MATCH_PERIOD, NULL, 270, 330, "beacon", "10.0.0.5->203.0.113.10:443 period=299.1s jitter=0.11 n=5 score=0.9", NULL, true},
		{OBS_BEACON, MODEL_MATCH_PERIOD, NULL, 270, 330, "beacon", "10.0.0.5->x period=3476.5s jitter=0.3 n=5 score=0.9", NULL, false},
		{OBS_ACTIVITY_HOURS, MODEL_MATCH_UTC_OFFSET, NULL, 7, 9, "activity.hours", "10.0.0.5 utc_hours=0", "events=9 map_offset=+8 credible90=+8 map_p=0.9 informative=yes", true},
		{OBS_ACTIVITY_HOURS, MODEL_MATCH_UTC_OFFSET, NULL, 7, 9, "activity.hours", "10.0.0.5 utc_hours=0", "events=9 map_offset=+8 credible90=+8 map_p=0.2 informative=no", false},
		{OBS_ACTIVITY_HOURS, MODEL_MATCH_UTC_OFFSET, NULL, -6, -4, "activity.hours", "h", "events=9 map_offset=-5 informative=yes", true},
		{MODEL_KIND_ANY_IP, MODEL_MATCH_COUNTRY, "ZZ", 0, 0, "ip.dst", "203.0.113.9", NULL, true},
		{MODEL_KIND_ANY_IP, MODEL_MATCH_COUNTRY, "ZZ", 0, 0, "ip.dst", "198.51.100.9", NULL, false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char err[256];
		struct model_set *ms = model_set_create();
		struct model_prefix pf = {.family = 4, .prefix_len = 24,
					  .asn = 64500, .country = "ZZ"};
		assert_true(model_parse_cidr("203.0.113.0/24", pf.addr,
					     &pf.family, &pf.prefix_len));
		ms->prefixes = &pf;
		ms->n_prefixes = 1;
		struct model_hypothesis *h =
			model_hypothesis_get(ms, "a", NULL, MODEL_HYP_ACTOR, "t");
		struct model_pattern p = pat("p", cases[i].kind, cases[i].m,
					     cases[i].text, MODEL_L1);
		p.lo = cases[i].lo;
		p.hi = cases[i].hi;
		assert_int_equal(model_add_pattern(h, &p), 0);
		assert_int_equal(model_set_finish(ms, err, sizeof err), 0);
		struct matcher *m = matcher_create(ms, err, sizeof err);
		assert_non_null(m);
		assert_int_equal(matcher_feed(m, cases[i].feed_kind,
					      cases[i].value, cases[i].detail,
					      3), 0);
		size_t hi = 0; /* "a" sorts first */
		const struct match_hit *hit = matcher_hit(m, hi, 0);
		if ((hit->matches == 3) != cases[i].match) {
			print_error("case %zu (%s vs %s): matches %llu\n", i,
				    cases[i].text ? cases[i].text : "range",
				    cases[i].value,
				    (unsigned long long)hit->matches);
			fail();
		}
		matcher_destroy(m);
		ms->prefixes = NULL;
		ms->n_prefixes = 0;
		model_set_destroy(ms);
	}
}

/* ---- random models ---- */

static uint64_t rng_state;

static double rnd(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

struct spec {
	char id[16];
	int hyp;
	enum model_link link;
	double f, s;
	char rel;
	bool contradicts, claim;
	char source[8];
};

/* Builds a set from specs in the given order; every pattern is an exact
 * tls.sni value "vN.example" that the matcher is fed with. */
static struct model_set *build(const struct spec *sp, const size_t *order,
			       size_t n, int hyps, struct matcher **mout)
{
	char err[256], value[32];
	struct model_set *ms = model_set_create();
	for (int k = 0; k < hyps; k++) {
		char id[8];
		snprintf(id, sizeof id, "h%d", (k * 7 + (int)order[0]) % hyps);
		model_hypothesis_get(ms, id, NULL, MODEL_HYP_ACTOR, "t");
	}
	for (size_t j = 0; j < n; j++) {
		const struct spec *s = &sp[order[j]];
		char hid[8];
		snprintf(hid, sizeof hid, "h%d", s->hyp);
		struct model_hypothesis *h = model_hypothesis_find(ms, hid);
		enum opinion_direction dir = s->contradicts ? OPINION_CONTRADICTS
							    : OPINION_SUPPORTS;
		if (s->claim) {
			struct model_claim c = {.id = (char *)s->id,
						.type = MODEL_CLAIM_OTHER,
						.link = s->link, .direction = dir,
						.reliability = s->rel,
						.credibility = 1, .strength = s->s,
						.f = s->f, .f_override = true,
						.source = (char *)s->source};
			assert_int_equal(model_add_claim(h, &c), 0);
		} else {
			snprintf(value, sizeof value, "v%s.example", s->id);
			struct model_pattern p = pat(s->id, OBS_TLS_SNI,
						     MODEL_MATCH_EXACT, value,
						     s->link);
			p.direction = dir;
			p.reliability = s->rel;
			p.f = s->f;
			p.s = s->s;
			p.f_override = p.s_override = true;
			p.source = (char *)s->source;
			assert_int_equal(model_add_pattern(h, &p), 0);
		}
	}
	assert_int_equal(model_set_finish(ms, err, sizeof err), 0);
	*mout = matcher_create(ms, err, sizeof err);
	assert_non_null(*mout);
	for (size_t j = 0; j < n; j++) {
		snprintf(value, sizeof value, "v%s.example", sp[j].id);
		assert_int_equal(matcher_feed(*mout, "tls.sni", value, NULL, 1), 0);
	}
	return ms;
}

static void random_specs(struct spec *sp, size_t n, int hyps, bool cheap_only,
			 bool no_l4)
{
	for (size_t j = 0; j < n; j++) {
		struct spec *s = &sp[j];
		snprintf(s->id, sizeof s->id, "i%03zu", j);
		s->hyp = (int)(rnd() * hyps);
		s->link = (enum model_link)(rnd() * (no_l4 ? MODEL_L4
							   : MODEL_LINK_COUNT));
		s->f = cheap_only ? 0.5 + 0.5 * rnd() : rnd();
		s->s = rnd();
		s->rel = "ABCDEF"[(int)(rnd() * 6)];
		s->contradicts = rnd() < 0.25;
		s->claim = rnd() < 0.3;
		/* packets speak to L1 and L2 only: beyond, a claim */
		if (s->link > MODEL_L2)
			s->claim = true;
		snprintf(s->source, sizeof s->source, "s%d", (int)(rnd() * 4));
	}
}

static const struct assess_hyp *find_hyp(const struct assessment *as,
					 const char *id)
{
	for (size_t i = 0; i < as->n_hyps; i++)
		if (!strcmp(as->hyps[i].h->id, id))
			return &as->hyps[i];
	return NULL;
}

static void test_invariants_random(void **state)
{
	(void)state;
	enum { TRIALS = 400, MAXN = 24, HYPS = 3 };
	rng_state = 0x5eed;
	for (int t = 0; t < TRIALS; t++) {
		struct spec sp[MAXN + 1];
		size_t n = 1 + (size_t)(rnd() * MAXN), order[MAXN + 1];
		bool cheap_only = t % 3 == 0, no_l4 = t % 3 == 1;
		random_specs(sp, n, HYPS, cheap_only, no_l4);
		for (size_t j = 0; j < n; j++)
			order[j] = j;
		struct matcher *m1, *m2;
		char err[256];
		struct assessment *a1, *a2;
		struct model_set *ms1 = build(sp, order, n, HYPS, &m1);
		assert_int_equal(assess_run(ms1, m1, &a1, err, sizeof err), 0);
		/* The same specs in a shuffled order. */
		for (size_t j = n - 1; j > 0; j--) {
			size_t k = (size_t)(rnd() * (double)(j + 1));
			size_t tmp = order[j];
			order[j] = order[k];
			order[k] = tmp;
		}
		struct model_set *ms2 = build(sp, order, n, HYPS, &m2);
		assert_int_equal(assess_run(ms2, m2, &a2, err, sizeof err), 0);
		assert_int_equal(a1->n_hyps, a2->n_hyps);
		for (size_t i = 0; i < a1->n_hyps; i++) {
			const struct assess_hyp *x = &a1->hyps[i];
			const struct assess_hyp *y = find_hyp(a2, x->h->id);
			assert_non_null(y);
			for (int l = 0; l < MODEL_LINK_COUNT; l++) {
				/* order independence, bit for bit */
				assert_memory_equal(&x->links[l].op,
						    &y->links[l].op,
						    sizeof x->links[l].op);
				if (cheap_only && (x->h->type == MODEL_HYP_ACTOR))
					assert_true(x->links[l].op.b <=
						    0.5 + 1e-12);
			}
			if (no_l4 && x->h->type == MODEL_HYP_ACTOR)
				assert_true(x->state.joint_bel == 0.0);
		}
		assess_free(a1);
		assess_free(a2);
		matcher_destroy(m1);
		matcher_destroy(m2);
		model_set_destroy(ms1);
		model_set_destroy(ms2);
	}
}

/* The same artefact (kind and value) in another file or under another
 * source label, rated no higher than the original, changes nothing; nor
 * does matching it more often: it counts once. */
static void test_same_artefact_counts_once(void **state)
{
	(void)state;
	rng_state = 0xd0d0;
	for (int t = 0; t < 300; t++) {
		struct spec sp[12], copy;
		size_t n = 8;
		random_specs(sp, n, 2, false, false);
		for (size_t j = 0; j < n; j++) {
			sp[j].claim = false;
			sp[j].link = j % 2 ? MODEL_L2 : MODEL_L1;
		}
		/* the copy: the same value, hypothesis and link; another
		 * label sorting after every original ("z..."), rated the
		 * same or lower */
		size_t k = (size_t)(rnd() * (double)n);
		copy = sp[k];
		char rel = copy.rel;
		if (rnd() < 0.5 && rel < 'E')
			rel = (char)(rel + 1);
		copy.rel = rel == 'F' ? 'F' : rel;
		if (copy.rel == 'F' && sp[k].rel != 'F')
			copy.rel = sp[k].rel;
		snprintf(copy.source, sizeof copy.source, "z%d", t % 7);
		struct matcher *m1, *m2;
		struct assessment *a1, *a2;
		char err[256];
		size_t order[12];
		for (size_t j = 0; j < n; j++)
			order[j] = j;
		struct model_set *ms1 = build(sp, order, n, 2, &m1);
		struct model_set *ms2 = model_set_create();
		model_hypothesis_get(ms2, "h0", NULL, MODEL_HYP_ACTOR, "t");
		model_hypothesis_get(ms2, "h1", NULL, MODEL_HYP_ACTOR, "t");
		for (size_t j = 0; j <= n; j++) {
			const struct spec *s = j < n ? &sp[j] : &copy;
			char hid[8], value[32];
			snprintf(hid, sizeof hid, "h%d", s->hyp);
			snprintf(value, sizeof value, "v%s.example",
				 j < n ? s->id : sp[k].id);
			struct model_pattern p = pat(j < n ? s->id : "dup",
						     OBS_TLS_SNI,
						     MODEL_MATCH_EXACT, value,
						     s->link);
			p.direction = s->contradicts ? OPINION_CONTRADICTS
						     : OPINION_SUPPORTS;
			p.reliability = s->rel;
			p.f = s->f;
			p.s = s->s;
			p.f_override = p.s_override = true;
			p.source = (char *)s->source;
			assert_int_equal(model_add_pattern(
						 model_hypothesis_find(ms2, hid),
						 &p), 0);
		}
		assert_int_equal(model_set_finish(ms2, err, sizeof err), 0);
		m2 = matcher_create(ms2, err, sizeof err);
		assert_non_null(m2);
		for (size_t j = 0; j < n; j++) {
			char value[32];
			snprintf(value, sizeof value, "v%s.example", sp[j].id);
			assert_int_equal(matcher_feed(m2, "tls.sni", value,
						      NULL, j == k ? 40 : 1), 0);
		}
		assert_int_equal(assess_run(ms1, m1, &a1, err, sizeof err), 0);
		assert_int_equal(assess_run(ms2, m2, &a2, err, sizeof err), 0);
		for (int h = 0; h < 2; h++) {
			char hid[8];
			snprintf(hid, sizeof hid, "h%d", h);
			const struct assess_hyp *x = find_hyp(a1, hid),
						*y = find_hyp(a2, hid);
			for (int l = 0; l < MODEL_LINK_COUNT; l++)
				assert_memory_equal(&x->links[l].op,
						    &y->links[l].op,
						    sizeof x->links[l].op);
		}
		assess_free(a1);
		assess_free(a2);
		matcher_destroy(m1);
		matcher_destroy(m2);
		model_set_destroy(ms1);
		model_set_destroy(ms2);
	}
}

/* The linear leave-one-out (assess_sens.c) gives what rescoring
 * without the item gives. */
static void test_sensitivity_equals_rescore(void **state)
{
	(void)state;
	rng_state = 0x5e75;
	for (int t = 0; t < 150; t++) {
		struct spec sp[16];
		size_t n = 2 + (size_t)(rnd() * 14), order[16];
		random_specs(sp, n, 3, false, false);
		for (size_t j = 0; j < n; j++)
			order[j] = j;
		struct matcher *m1, *m2;
		struct assessment *a1, *a2;
		char err[256];
		struct model_set *ms1 = build(sp, order, n, 3, &m1);
		assert_int_equal(assess_run(ms1, m1, &a1, err, sizeof err), 0);
		size_t k = (size_t)(rnd() * (double)n);
		size_t keep[16], nk = 0;
		for (size_t j = 0; j < n; j++)
			if (j != k)
				keep[nk++] = j;
		struct spec rest[16];
		for (size_t j = 0; j < nk; j++)
			rest[j] = sp[keep[j]];
		struct model_set *ms2 = build(rest, order, nk, 3, &m2);
		assert_int_equal(assess_run(ms2, m2, &a2, err, sizeof err), 0);
		char hid[8];
		snprintf(hid, sizeof hid, "h%d", sp[k].hyp);
		const struct assess_hyp *x = find_hyp(a1, hid),
					*y = find_hyp(a2, hid);
		bool seen = false;
		for (size_t i = 0; i < x->n_sens; i++) {
			const struct assess_sensitivity *e = &x->sens[i];
			if (e->is_class || strcmp(e->removed, sp[k].id))
				continue;
			seen = true;
			assert_true(fabs(e->link_belief -
					 y->links[e->link].op.b) < 1e-9);
			assert_true(fabs(e->joint_belief - y->state.joint_bel) <
				    1e-9);
		}
		/* an item with no weight (reliability E) may still be listed;
		 * every item of the hypothesis is */
		assert_true(seen);
		assess_free(a1);
		assess_free(a2);
		matcher_destroy(m1);
		matcher_destroy(m2);
		model_set_destroy(ms1);
		model_set_destroy(ms2);
	}
}

/* Hand-computed: one A1-rated costly claim (f .3, strength .9) on each
 * of L1..L4 gives each link b = .9 × .95 × .95 × (1 - .3) = .568575
 * (w / (1 - w) of evidence, r / (1 + r) of belief: w itself), the chain
 * b^4; the L4 need for preponderance is .5 / b^3 = 2.72 > 1: no belief
 * on L4 alone can reach it. */
static void test_hand_values(void **state)
{
	(void)state;
	struct spec sp[4];
	size_t order[4] = {0, 1, 2, 3};
	enum model_link links[4] = {MODEL_L1, MODEL_L2, MODEL_L3, MODEL_L4};
	for (int i = 0; i < 4; i++) {
		memset(&sp[i], 0, sizeof sp[i]);
		snprintf(sp[i].id, sizeof sp[i].id, "p%d", i);
		sp[i].link = links[i];
		sp[i].f = 0.3;
		sp[i].s = 0.9;
		sp[i].rel = 'A';
		sp[i].claim = true;
		snprintf(sp[i].source, sizeof sp[i].source, "s");
	}
	struct matcher *m;
	struct assessment *a;
	char err[256];
	struct model_set *ms = build(sp, order, 4, 1, &m);
	assert_int_equal(assess_run(ms, m, &a, err, sizeof err), 0);
	const struct assess_hyp *h = find_hyp(a, "h0");
	double b = 0.9 * 0.95 * 0.95 * 0.7;
	assert_true(fabs(h->links[MODEL_L2].op.b - b) < 1e-12);
	assert_true(fabs(h->state.joint_bel - b * b * b * b) < 1e-12);
	const struct assess_need *need = &h->standards[0].need[3];
	assert_false(need->possible);
	assert_non_null(strstr(need->feasible, "impossible on this link alone"));
	assert_true(fabs(need->belief_needed - 0.5 / (b * b * b)) < 1e-12);
	/* someone else: no belief of its own, disbelief = the named belief;
	 * its chain plausibility is 1 - the named joint belief */
	const struct assess_hyp *u = find_hyp(a, "unknown");
	assert_true(u->links[MODEL_L1].op.b == 0.0);
	assert_true(fabs(u->links[MODEL_L1].op.d - b) < 1e-12);
	assert_true(fabs(u->state.joint_pl - (1 - b * b * b * b)) < 1e-12);
	/* sensitivity: leaving out p3 (the only L4 item) empties the chain */
	bool found = false;
	for (size_t i = 0; i < h->n_sens; i++)
		if (!strcmp(h->sens[i].removed, "p3")) {
			found = true;
			assert_true(h->sens[i].joint_belief == 0.0);
		}
	assert_true(found);
	assess_free(a);
	matcher_destroy(m);
	model_set_destroy(ms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matchers),
		cmocka_unit_test(test_invariants_random),
		cmocka_unit_test(test_same_artefact_counts_once),
		cmocka_unit_test(test_sensitivity_equals_rescore),
		cmocka_unit_test(test_hand_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
