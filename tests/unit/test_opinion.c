/*
 * test_opinion.c — cmocka tests of the subjective-logic algebra
 * (analyze/score/opinion.h) against hand-computed values: constructors,
 * discounting, every fusion rule, link fusion and the chain. The
 * arithmetic behind each expected value is in the comment beside it.
 * Beta intervals and the readings for people (ICD 203, confidence,
 * STIX, legal standards) are in test_opinion_reading.c; invariants over
 * random opinions in test_opinion_props.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "analyze/score/opinion.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define TIGHT 1e-12 /* one or two roundings from the hand value */

#define NEAR(got, want, tol) \
	near_at((got), (want), (tol), #got, __FILE__, __LINE__)
#define OPINION_NEAR(got, want, tol) \
	opinion_near_at((got), (want), (tol), __FILE__, __LINE__)

static void near_at(double got, double want, double tol, const char *what,
		    const char *file, int line)
{
	if (fabs(got - want) <= tol)
		return;
	print_error("%s = %.17g, expected %.17g (tolerance %g)\n", what,
		    got, want, tol);
	_fail(file, line);
}

static void opinion_near_at(struct opinion got, struct opinion want,
			    double tol, const char *file, int line)
{
	near_at(got.b, want.b, tol, "b", file, line);
	near_at(got.d, want.d, tol, "d", file, line);
	near_at(got.u, want.u, tol, "u", file, line);
	near_at(got.a, want.a, tol, "a", file, line);
}

static struct opinion op(double b, double d, double u)
{
	return (struct opinion){b, d, u, 0.5};
}

/* ---- constructors, readings, discounting ---- */

static void test_constructors(void **state)
{
	static const struct {
		double s;
		enum opinion_direction dir;
		double a;
		struct opinion want;
	} cases[] = {
		{0.7, OPINION_SUPPORTS, 0.5, {0.7, 0, 0.3, 0.5}},
		{0.7, OPINION_CONTRADICTS, 0.5, {0, 0.7, 0.3, 0.5}},
		{1.5, OPINION_SUPPORTS, 0.2, {1, 0, 0, 0.2}},      /* s clamped */
		{-0.2, OPINION_CONTRADICTS, 1.4, {0, 0, 1, 1}},    /* s, a clamped */
		{NAN, OPINION_SUPPORTS, 0.5, {0, 0, 1, 0.5}},      /* NaN is 0 */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		OPINION_NEAR(opinion_from_indicator(cases[i].s, cases[i].dir,
						    cases[i].a),
			     cases[i].want, 1e-15);
	OPINION_NEAR(opinion_vacuous(0.3), ((struct opinion){0, 0, 1, 0.3}),
		     0);
	assert_true(opinion_is_valid(op(0.2, 0.3, 0.5)));
	assert_false(opinion_is_valid(op(0.2, 0.3, 0.6)));   /* sums to 1.1 */
	assert_false(opinion_is_valid(op(-0.1, 0.6, 0.5)));
	assert_false(opinion_is_valid(op(NAN, 0.5, 0.5)));
}

static void test_readings(void **state)
{
	struct opinion o = {0.2, 0.3, 0.5, 0.4};
	NEAR(opinion_expectation(o), 0.4, TIGHT); /* 0.2 + 0.4·0.5 */
	NEAR(opinion_belief(o), 0.2, 0);
	NEAR(opinion_plausibility(o), 0.7, TIGHT); /* 0.2 + 0.5 */
}

static void test_admiralty(void **state)
{
	static const struct {
		char letter;
		int rc;
		double r;
	} cases[] = {
		{'A', 0, 0.95}, {'B', 0, 0.75}, {'C', 0, 0.50}, {'D', 0, 0.25},
		{'E', 0, 0.00}, {'F', 0, 0.50}, {'a', 0, 0.95}, {'f', 0, 0.50},
		{'G', -1, -7}, {'@', -1, -7}, {'\0', -1, -7}, {'1', -1, -7},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		double r = -7; /* left alone on failure */
		assert_int_equal(admiralty_reliability(cases[i].letter, &r),
				 cases[i].rc);
		NEAR(r, cases[i].r, 0);
	}
}

static void test_discount(void **state)
{
	static const struct {
		double r, f, delta, want;
	} factors[] = {
		{0.95, 0.5, 1.0, 0.475},  /* 0.95·(1 - 0.5) */
		{0.75, 0.2, 1.0, 0.6},    /* 0.75·0.8 */
		{0.5, 0.9, 0.5, 0.275},   /* 0.5·(1 - 0.45) */
		{1.0, 0.5, 3.0, 0.0},     /* 1 - 1.5 < 0: clamped */
		{0.0, 0.0, 1.0, 0.0},     /* E: unreliable */
	};
	for (size_t i = 0; i < ARRAY_LEN(factors); i++)
		NEAR(opinion_discount_factor(factors[i].r, factors[i].f,
					     factors[i].delta),
		     factors[i].want, TIGHT);

	static const struct {
		struct opinion o;
		double p;
		struct opinion want;
	} cases[] = {
		/* (0.6·0.8, 0, 1 - 0.6·0.8) */
		{{0.8, 0, 0.2, 0.5}, 0.6, {0.48, 0, 0.52, 0.5}},
		/* (0.5·0.2, 0.5·0.5, 1 - 0.5·0.7) */
		{{0.2, 0.5, 0.3, 0.3}, 0.5, {0.1, 0.25, 0.65, 0.3}},
		{{0.2, 0.5, 0.3, 0.3}, 1.0, {0.2, 0.5, 0.3, 0.3}},
		{{0.2, 0.5, 0.3, 0.3}, 0.0, {0, 0, 1, 0.3}},
		{{0.2, 0.5, 0.3, 0.3}, 2.0, {0.2, 0.5, 0.3, 0.3}}, /* p ≤ 1 */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		OPINION_NEAR(opinion_discount(cases[i].o, cases[i].p),
			     cases[i].want, TIGHT);
}

/* ---- pairwise fusion ---- */

enum rule { CUMULATIVE, AVERAGE, YAGER };

static struct opinion apply(enum rule rule, struct opinion x,
			    struct opinion y)
{
	switch (rule) {
	case CUMULATIVE:
		return opinion_cumulative(x, y);
	case AVERAGE:
		return opinion_average(x, y);
	case YAGER:
		break;
	}
	return opinion_yager(x, y);
}

static void test_pairwise_rules(void **state)
{
	/* A = (0.6, 0.1, 0.3), B = (0.4, 0.2, 0.4), C = (0.1, 0.7, 0.2) */
	static const struct {
		enum rule rule;
		struct opinion x, y, want;
	} cases[] = {
		/* κ = 0.3 + 0.4 - 0.12 = 0.58; b = (0.24 + 0.12)/0.58,
		 * d = (0.04 + 0.06)/0.58, u = 0.12/0.58 */
		{CUMULATIVE, {0.6, 0.1, 0.3, 0.5}, {0.4, 0.2, 0.4, 0.5},
		 {0.36 / 0.58, 0.10 / 0.58, 0.12 / 0.58, 0.5}},
		/* with the vacuous opinion: κ = 1, A unchanged */
		{CUMULATIVE, {0.6, 0.1, 0.3, 0.5}, {0, 0, 1, 0.5},
		 {0.6, 0.1, 0.3, 0.5}},
		/* both dogmatic: κ = 0, the mean */
		{CUMULATIVE, {1, 0, 0, 0.5}, {0, 1, 0, 0.5}, {0.5, 0.5, 0, 0.5}},
		{CUMULATIVE, {0.7, 0.3, 0, 0.5}, {0.9, 0.1, 0, 0.5},
		 {0.8, 0.2, 0, 0.5}},
		/* one dogmatic: κ = 0.8, b = 0.7·0.8/0.8 — it dominates */
		{CUMULATIVE, {0.7, 0.3, 0, 0.5}, {0.2, 0, 0.8, 0.5},
		 {0.7, 0.3, 0, 0.5}},
		/* base rates 0.2 and 0.6 differ: their mean */
		{CUMULATIVE, {0.6, 0.1, 0.3, 0.2}, {0.4, 0.2, 0.4, 0.6},
		 {0.36 / 0.58, 0.10 / 0.58, 0.12 / 0.58, 0.4}},
		/* ux + uy = 0.7; b = 0.36/0.7, d = 0.1/0.7, u = 2·0.12/0.7 */
		{AVERAGE, {0.6, 0.1, 0.3, 0.5}, {0.4, 0.2, 0.4, 0.5},
		 {0.36 / 0.7, 0.10 / 0.7, 0.24 / 0.7, 0.5}},
		{AVERAGE, {0.6, 0.1, 0.3, 0.5}, {0.6, 0.1, 0.3, 0.5},
		 {0.6, 0.1, 0.3, 0.5}},
		{AVERAGE, {1, 0, 0, 0.5}, {0.4, 0.6, 0, 0.5}, {0.7, 0.3, 0, 0.5}},
		/* K = 0.6·0.7 + 0.1·0.1 = 0.43;
		 * b = 0.06 + 0.12 + 0.03, d = 0.07 + 0.02 + 0.21,
		 * u = 0.06 + 0.43 */
		{YAGER, {0.6, 0.1, 0.3, 0.5}, {0.1, 0.7, 0.2, 0.5},
		 {0.21, 0.30, 0.49, 0.5}},
		/* no conflict: b = 0.24 + 0.24 + 0.12, d = 0.02 + 0.04 + 0.06,
		 * u = 0.12 + K (0.6·0.2 + 0.1·0.4 = 0.16) */
		{YAGER, {0.6, 0.1, 0.3, 0.5}, {0.4, 0.2, 0.4, 0.5},
		 {0.60, 0.12, 0.28, 0.5}},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct opinion xy = apply(cases[i].rule, cases[i].x, cases[i].y);
		struct opinion yx = apply(cases[i].rule, cases[i].y, cases[i].x);
		OPINION_NEAR(xy, cases[i].want, TIGHT);
		/* commutative bit for bit */
		assert_int_equal(opinion_compare(&xy, &yx), 0);
	}
	/* identical inputs to averaging: the same opinion, bit for bit */
	struct opinion odd = {0.1 + 0.2, 0.0, 0.7 - 1e-17, 0.5};
	struct opinion same = opinion_average(odd, odd);
	assert_int_equal(opinion_compare(&same, &odd), 0);
}

static void test_conflict_and_check(void **state)
{
	static const struct {
		struct opinion x, y;
		double k;
		bool conflict;
		struct opinion want;
	} cases[] = {
		/* K = 0.43 > 0.10: Yager, as in test_pairwise_rules */
		{{0.6, 0.1, 0.3, 0.5}, {0.1, 0.7, 0.2, 0.5}, 0.43, true,
		 {0.21, 0.30, 0.49, 0.5}},
		/* K = 0.6·0 + 0.1·0.5 = 0.05: cumulative, κ = 0.65,
		 * b = (0.3 + 0.15)/0.65, d = 0.05/0.65, u = 0.15/0.65 */
		{{0.6, 0.1, 0.3, 0.5}, {0.5, 0, 0.5, 0.5}, 0.05, false,
		 {0.45 / 0.65, 0.05 / 0.65, 0.15 / 0.65, 0.5}},
		/* K = 0.5·0.2 = 0.10 exactly: not above, cumulative;
		 * κ = 0.5 + 0.8 - 0.4 = 0.9: b = 0.4/0.9, d = 0.1/0.9 */
		{{0.5, 0, 0.5, 0.5}, {0, 0.2, 0.8, 0.5}, 0.10, false,
		 {0.4 / 0.9, 0.1 / 0.9, 0.4 / 0.9, 0.5}},
		/* K = 0.5·0.21 = 0.105: Yager; b = 0.5·0.79, d = 0.5·0.21,
		 * u = 0.5·0.79 + 0.105 */
		{{0.5, 0, 0.5, 0.5}, {0, 0.21, 0.79, 0.5}, 0.105, true,
		 {0.395, 0.105, 0.5, 0.5}},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		NEAR(opinion_conflict(cases[i].x, cases[i].y), cases[i].k,
		     TIGHT);
		bool conflict = !cases[i].conflict;
		OPINION_NEAR(opinion_fuse_checked(cases[i].x, cases[i].y,
						  OPINION_CONFLICT_THRESHOLD,
						  &conflict),
			     cases[i].want, TIGHT);
		assert_int_equal(conflict, cases[i].conflict);
	}
}

/* ---- n-ary fusion ---- */

static void test_nary(void **state)
{
	/* A = (0.6, 0.1, 0.3), B = (0.4, 0.2, 0.4), C = (0.5, 0, 0.5) */
	const struct opinion abc[3] = {op(0.6, 0.1, 0.3), op(0.4, 0.2, 0.4),
				       op(0.5, 0, 0.5)};
	struct opinion ops[3];

	/* averaging: weights 1/u = 10/3, 5/2, 2; Σ = 47/6;
	 * b = (2 + 1 + 1)/(47/6) = 24/47, d = (1/3 + 1/2)/(47/6) = 5/47,
	 * u = 3/(47/6) = 18/47 */
	memcpy(ops, abc, sizeof ops);
	OPINION_NEAR(opinion_average_n(ops, 3), op(24.0 / 47, 5.0 / 47,
						   18.0 / 47), TIGHT);

	/* cumulative: B = Σ b/u = 2 + 1 + 1 = 4, D = 1/3 + 1/2 = 5/6;
	 * 1 + B + D = 35/6: b = 24/35, d = 5/35, u = 6/35 — and the
	 * pairwise fold (A ⊕ B) ⊕ C gives the same */
	memcpy(ops, abc, sizeof ops);
	struct opinion cum = opinion_cumulative_n(ops, 3);
	OPINION_NEAR(cum, op(24.0 / 35, 5.0 / 35, 6.0 / 35), TIGHT);
	OPINION_NEAR(opinion_cumulative(opinion_cumulative(abc[0], abc[1]),
					abc[2]),
		     cum, TIGHT);

	/* Yager, three sources: Π(b+u) = 0.9·0.8·1.0 = 0.72,
	 * Π(d+u) = 0.4·0.6·0.5 = 0.12, Πu = 0.06; b = 0.66, d = 0.06,
	 * K = 1 - 0.66 - 0.06 - 0.06 = 0.22, u = 0.28 */
	memcpy(ops, abc, sizeof ops);
	OPINION_NEAR(opinion_yager_n(ops, 3), op(0.66, 0.06, 0.28), TIGHT);
	bool conflict = false;
	memcpy(ops, abc, sizeof ops);
	OPINION_NEAR(opinion_fuse_checked_n(ops, 3, OPINION_CONFLICT_THRESHOLD,
					    &conflict),
		     op(0.66, 0.06, 0.28), TIGHT);
	assert_true(conflict); /* K_3 = 0.22 */

	/* two sources: the n-ary rules are the pairwise ones */
	struct opinion pair[2] = {abc[0], op(0.1, 0.7, 0.2)};
	OPINION_NEAR(opinion_yager_n(pair, 2), op(0.21, 0.30, 0.49), TIGHT);
	struct opinion_acc acc;
	opinion_acc_init(&acc);
	opinion_acc_add(&acc, abc[0]);
	opinion_acc_add(&acc, op(0.1, 0.7, 0.2));
	NEAR(opinion_acc_conflict(&acc), 0.43, TIGHT);

	/* dogmatic inputs: the mean of the dogmatic ones */
	struct opinion dog[3] = {op(1, 0, 0), op(0.2, 0.3, 0.5), op(0, 1, 0)};
	OPINION_NEAR(opinion_cumulative_n(dog, 3), op(0.5, 0.5, 0), TIGHT);
	OPINION_NEAR(opinion_average_n(dog, 3), op(0.5, 0.5, 0), TIGHT);

	/* nothing: vacuous; one: itself */
	OPINION_NEAR(opinion_cumulative_n(NULL, 0), op(0, 0, 1), 0);
	OPINION_NEAR(opinion_average_n(NULL, 0), op(0, 0, 1), 0);
	OPINION_NEAR(opinion_yager_n(NULL, 0), op(0, 0, 1), 0);
	struct opinion one = op(0.1 + 0.2, 0.1, 0.6 - 1e-17);
	struct opinion got = opinion_cumulative_n(&one, 1);
	assert_int_equal(opinion_compare(&got, &one), 0);
}

/* ---- link fusion: the worked example of docs/scoring.md ---- */

/* Discounted items, p = R·(1 - f):
 *  JA3 (common library), s .6, f .7, R B .75: p = .225 -> (.135, 0, .865)
 *  user agent,           s .5, f .9, R B .75: p = .075 -> (.0375, 0, .9625)
 *  certificate reuse,    s .8, f .2, R A .95: p = .76  -> (.608, 0, .392)
 *  protocol lineage,     s .7, f .3, R B .75: p = .525 -> (.3675, 0, .6325)
 * cheap class (averaging): b = (.135·.9625 + .0375·.865)/(.865 + .9625)
 *   = .162375/1.8275 = .0888508892, u = 2·.865·.9625/1.8275 = .9111491108
 * costly class (sources 1, 2; K = 0: cumulative):
 *   κ = .392 + .6325 - .24794 = .77656, b = (.38456 + .14406)/.77656
 *   = .6807200989, u = .24794/.77656 = .3192799011
 * classes (K = 0: cumulative): κ = .9111491 + .3192799 - .2909116
 *   = .9395174, b = (.0283682 + .6202370)/.9395174 = .6903606110,
 *   u = .2909116/.9395174 = .3096393890 */
static size_t example_items(struct link_evidence *items, bool costly_against)
{
	enum opinion_direction costly_dir =
		costly_against ? OPINION_CONTRADICTS : OPINION_SUPPORTS;
	const struct {
		double s, f, r;
		enum opinion_direction dir;
		uint64_t source;
	} spec[] = {
		{0.6, 0.7, 0.75, OPINION_SUPPORTS, 1},
		{0.5, 0.9, 0.75, OPINION_SUPPORTS, 2},
		{0.8, 0.2, 0.95, costly_dir, 1},
		{0.7, 0.3, 0.75, costly_dir, 2},
	};
	for (size_t i = 0; i < ARRAY_LEN(spec); i++) {
		struct opinion o = opinion_from_indicator(spec[i].s, spec[i].dir,
							  0.5);
		double p = opinion_discount_factor(spec[i].r, spec[i].f, 1.0);
		items[i] = (struct link_evidence){opinion_discount(o, p),
						  spec[i].f, spec[i].source, i};
	}
	return ARRAY_LEN(spec);
}

static void test_link_worked_example(void **state)
{
	struct link_evidence items[4];
	struct link_fusion out;
	link_fuse(items, example_items(items, false), NULL, &out);
	OPINION_NEAR(out.cheap, op(0.08885088919288645, 0, 0.9111491108071135),
		     TIGHT);
	OPINION_NEAR(out.costly, op(0.6807200988977028, 0, 0.3192799011022973),
		     TIGHT);
	OPINION_NEAR(out.fused, op(0.6903606110144358, 0, 0.3096393889855643),
		     TIGHT);
	assert_int_equal(out.flags, 0);
	assert_int_equal(out.cheap_items, 2);
	assert_int_equal(out.costly_items, 2);
	assert_int_equal(out.costly_sources, 2);
	/* P = .6904 + .5·.3096 = .8452: very likely; u .31: moderate */
	assert_int_equal(opinion_icd203(out.fused), ICD203_VERY_LIKELY);
	assert_int_equal(opinion_confidence(out.fused), CONFIDENCE_MODERATE);
	assert_int_equal(opinion_stix_confidence(out.fused), 69);

	/* The costly indicators contradict instead: FALSE_FLAG (cheap
	 * b - d = .0889 ≥ .05, costly d - b = .6807). Class K =
	 * .0888509·.6807201 = .0604826 ≤ .10: cumulative, no CONFLICT;
	 * b = .0283682/.9395174, d = .6202370/.9395174 */
	link_fuse(items, example_items(items, true), NULL, &out);
	assert_int_equal(out.flags, LINK_FLAG_FALSE_FLAG);
	NEAR(out.max_conflict, 0.06048258607853049, TIGHT);
	OPINION_NEAR(out.fused,
		     op(0.030194547428289763, 0.660166063586146,
			0.30963938898556426),
		     TIGHT);

	/* Only protocol lineage contradicts: the sources conflict,
	 * K = .608·.3675 = .22344 > .10: CONFLICT, measured and flagged, and
	 * the fusion stays cumulative (no switch of rule):
	 * κ = .392 + .6325 - .24794 = .77656, b = .384556/.77656 = .49521,
	 * d = .14406/.77656 = .18551, u = .24794/.77656 = .31928; then
	 * cumulative with the cheap class */
	example_items(items, false);
	items[3].op = opinion_discount(
		opinion_from_indicator(0.7, OPINION_CONTRADICTS, 0.5), 0.525);
	link_fuse(items, 4, NULL, &out);
	assert_int_equal(out.flags, LINK_FLAG_CONFLICT);
	NEAR(out.max_conflict, 0.22344, TIGHT);
	OPINION_NEAR(out.costly,
		     op(0.4952096425260121, 0.1855104563716905,
			0.31927990110229726),
		     TIGHT);
	OPINION_NEAR(out.fused,
		     op(0.5104515589161037, 0.1799090520983318,
			0.30963938898556426),
		     TIGHT);
}

static void test_link_edges(void **state)
{
	struct link_fusion out;
	struct link_fusion_params params = LINK_FUSION_DEFAULTS;
	params.base_rate = 0.1;
	link_fuse(NULL, 0, &params, &out);
	OPINION_NEAR(out.fused, ((struct opinion){0, 0, 1, 0.1}), 0);
	assert_int_equal(out.flags, 0);

	/* f = 0.5 exactly is cheap: two copies from two sources count
	 * once, and one f = 0.49 item from each of two sources is costly:
	 * corroboration, cumulative: b = (.3·.7 + .3·.7)/(1.4 - .49) */
	struct link_evidence items[] = {
		{op(0.3, 0, 0.7), 0.5, 1, 0},
		{op(0.3, 0, 0.7), 0.5, 2, 1},
	};
	link_fuse(items, 2, NULL, &out);
	OPINION_NEAR(out.fused, op(0.3, 0, 0.7), 0);
	assert_int_equal(out.cheap_items, 1);
	items[0].f = items[1].f = 0.49;
	link_fuse(items, 2, NULL, &out);
	OPINION_NEAR(out.fused, op(0.42 / 0.91, 0, 0.49 / 0.91), TIGHT);
	assert_int_equal(out.costly_sources, 2);
}

/* ---- the chain ---- */

static void test_chain(void **state)
{
	/* L1 .9/.05/.05, L2 .6/.1/.3, L3 .5/.2/.3, L4 .2/.3/.5:
	 * Bel = .9·.6·.5·.2 = .054, Pl = .95·.9·.8·.7 = .4788 */
	struct opinion links[4] = {op(0.9, 0.05, 0.05), op(0.6, 0.1, 0.3),
				   op(0.5, 0.2, 0.3), op(0.2, 0.3, 0.5)};
	struct chain_reading r = chain_read(links, 4);
	NEAR(r.joint_bel, 0.054, TIGHT);
	NEAR(r.joint_pl, 0.4788, TIGHT);
	NEAR(r.weakest_bel, 0.2, 0);
	NEAR(r.weakest_pl, 0.7, 0);
	assert_int_equal(r.weakest_bel_link, 3);
	assert_int_equal(r.weakest_pl_link, 3);

	/* no evidence on L4: Bel exactly 0, Pl = .95·.9·.8·1 = .684 */
	links[3] = opinion_vacuous(0.5);
	r = chain_read(links, 4);
	NEAR(r.joint_bel, 0.0, 0);
	NEAR(r.joint_pl, 0.684, TIGHT);
	NEAR(r.weakest_pl, 0.8, 0);
	assert_int_equal(r.weakest_pl_link, 2);

	r = chain_read(NULL, 0);
	NEAR(r.joint_bel + r.joint_pl + r.weakest_bel + r.weakest_pl, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constructors),
		cmocka_unit_test(test_readings),
		cmocka_unit_test(test_admiralty),
		cmocka_unit_test(test_discount),
		cmocka_unit_test(test_pairwise_rules),
		cmocka_unit_test(test_conflict_and_check),
		cmocka_unit_test(test_nary),
		cmocka_unit_test(test_link_worked_example),
		cmocka_unit_test(test_link_edges),
		cmocka_unit_test(test_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
