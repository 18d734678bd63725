/*
 * test_opinion_reading.c — cmocka tests of how attrib reads an opinion
 * (analyze/score/opinion.h, beta.c and judgement.c): Beta quantiles
 * against closed forms and 50-digit reference values, 90% credible
 * intervals, ICD 203 bands at their edges, confidence levels, STIX
 * confidence and the legal standards. The arithmetic behind each
 * expected value is in the comment beside it.
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
#define LOOSE 1e-9  /* 1e4-scale parameters: lgamma's rounding */

#define NEAR(got, want, tol) \
	near_at((got), (want), (tol), #got, __FILE__, __LINE__)

static void near_at(double got, double want, double tol, const char *what,
		    const char *file, int line)
{
	if (fabs(got - want) <= tol)
		return;
	print_error("%s = %.17g, expected %.17g (tolerance %g)\n", what,
		    got, want, tol);
	_fail(file, line);
}

static struct opinion op(double b, double d, double u)
{
	return (struct opinion){b, d, u, 0.5};
}

/* ---- Beta quantiles and credible intervals ---- */

static void test_beta_quantiles(void **state)
{
	static const struct {
		double alpha, beta, q05, q95, tol;
	} cases[] = {
		{1, 1, 0.05, 0.95, TIGHT},             /* uniform: q = p */
		/* 3x² - 2x³ = p */
		{2, 2, 0.13535036217158378, 0.86464963782841622, TIGHT},
		/* x⁵ = p: q = p^(1/5) */
		{5, 1, 0.54928027165305888, 0.98979378168698850, TIGHT},
		/* 1 - (1-x)⁵ = p: q = 1 - (1-p)^(1/5) */
		{1, 5, 0.010206218313011495, 0.45071972834694112, TIGHT},
		/* arcsine: q = sin²(πp/2) */
		{0.5, 0.5, 0.0061558297024311369, 0.99384417029756886, TIGHT},
		/* x³ = p */
		{3, 1, 0.36840314986403866, 0.98304757249155848, TIGHT},
		/* x^0.01 = p: q05 = 0.05^100 (tested relatively below) */
		{0.01, 1, 0, 0.0059205292203340261, TIGHT},
		/* reference values from 50-digit bisection (mpmath) */
		{3.7, 120.2, 0.009783022795056181, 0.05847700136775716, TIGHT},
		{200, 200, 0.4589225319826364, 0.5410774680173636, LOOSE},
		{1e4, 3, 0.9993706816879407, 0.9999182423733892, LOOSE},
		/* 1 - (1-x)^1e6 = p */
		{1, 1e6, 5.1293293072049535e-08, 2.995727786352543e-06, 1e-15},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		NEAR(beta_quantile(0.05, cases[i].alpha, cases[i].beta),
		     cases[i].q05, cases[i].tol);
		NEAR(beta_quantile(0.95, cases[i].alpha, cases[i].beta),
		     cases[i].q95, cases[i].tol);
	}
	double tiny = beta_quantile(0.05, 0.01, 1);
	NEAR(tiny / pow(0.05, 100), 1.0, LOOSE);
	/* huge: Beta(3e8, 7e8) is normal to 1e-9 here: mean .3,
	 * sd = sqrt(.21/(1e9 + 1)), q95 = .3 + 1.6448536269514722·sd */
	double sd = sqrt(0.21 / (1e9 + 1));
	NEAR(beta_quantile(0.95, 3e8, 7e8), 0.3 + 1.6448536269514722 * sd,
	     1e-8);
	/* the CDF itself: 3·.09 - 2·.027 = .216 */
	NEAR(beta_cdf(0.3, 2, 2), 0.216, TIGHT);
	NEAR(beta_cdf(0.0, 2, 2), 0.0, 0);
	NEAR(beta_cdf(1.0, 2, 2), 1.0, 0);
}

static void test_opinion_ci90(void **state)
{
	static const struct {
		struct opinion o;
		double lo, hi;
	} cases[] = {
		/* vacuous, a = .5: Beta(1, 1) */
		{{0, 0, 1, 0.5}, 0.05, 0.95},
		/* r = 2·.5/.5 = 2: Beta(3, 1), q = p^(1/3) */
		{{0.5, 0, 0.5, 0.5}, 0.36840314986403866, 0.98304757249155848},
		/* s = 2: Beta(1, 3) */
		{{0, 0.5, 0.5, 0.5}, 1 - 0.98304757249155848,
		 1 - 0.36840314986403866},
		/* r = 2·.25/.5 = 1, s = 2·.25/.5 = 1, a = .5: Beta(2, 2) */
		{{0.25, 0.25, 0.5, 0.5}, 0.13535036217158378,
		 0.86464963782841622},
		/* dogmatic: the point P = .7 */
		{{0.7, 0.3, 0, 0.5}, 0.7, 0.7},
		{{0.7, 0.3 - 1e-13, 1e-13, 0.5}, 0.7 + 5e-14, 0.7 + 5e-14},
		/* α = 0 (b = 0, a = 0): all mass at 0; β = 0: at 1 */
		{{0, 0.5, 0.5, 0.0}, 0, 0},
		{{0.5, 0, 0.5, 1.0}, 1, 1},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct interval ci = opinion_ci90(cases[i].o);
		NEAR(ci.lo, cases[i].lo, TIGHT);
		NEAR(ci.hi, cases[i].hi, TIGHT);
	}
	/* the Beta's mean is the expectation: α/(α+β) = P */
	struct opinion o = {0.3, 0.2, 0.5, 0.3};
	double alpha, beta;
	assert_true(opinion_beta(o, &alpha, &beta));
	NEAR(alpha, 1.2 + 0.6, TIGHT); /* r = .6/.5 = 1.2, + 2·.3 */
	NEAR(beta, 0.8 + 1.4, TIGHT);  /* s = .4/.5 = .8, + 2·.7 */
	NEAR(alpha / (alpha + beta), opinion_expectation(o), TIGHT);
	assert_false(opinion_beta(op(0.5, 0.5, 0), &alpha, &beta));
}

/* ---- reading for people ---- */

static void test_icd203(void **state)
{
	static const struct {
		double p;
		enum icd203 band;
	} edges[] = {
		{0.0, ICD203_ALMOST_NO_CHANCE}, {0.0499, ICD203_ALMOST_NO_CHANCE},
		{0.05, ICD203_VERY_UNLIKELY},   {0.05 - 1e-10, ICD203_VERY_UNLIKELY},
		{0.1999, ICD203_VERY_UNLIKELY}, {0.20, ICD203_UNLIKELY},
		{0.4499, ICD203_UNLIKELY},      {0.45, ICD203_ROUGHLY_EVEN},
		{0.5499, ICD203_ROUGHLY_EVEN},  {0.55, ICD203_LIKELY},
		{0.7999, ICD203_LIKELY},        {0.80, ICD203_VERY_LIKELY},
		{0.9499, ICD203_VERY_LIKELY},   {0.95, ICD203_ALMOST_CERTAIN},
		{1.0, ICD203_ALMOST_CERTAIN},
	};
	for (size_t i = 0; i < ARRAY_LEN(edges); i++)
		assert_int_equal(icd203_band(edges[i].p), edges[i].band);

	static const struct {
		struct opinion o;
		enum icd203 band;
		const char *phrase;
	} opinions[] = {
		/* u = .5 is not above .5: P = .5 + .5·.5 = .75 */
		{{0.5, 0, 0.5, 0.5}, ICD203_LIKELY, "likely"},
		{{0.49, 0, 0.51, 0.5}, ICD203_CANNOT_JUDGE, "cannot judge"},
		{{0, 0, 1, 0.5}, ICD203_CANNOT_JUDGE, "cannot judge"},
		/* P = .1 + .3·.2 = .16 */
		{{0.1, 0.6, 0.3, 0.2}, ICD203_VERY_UNLIKELY, "very unlikely"},
		{{0.96, 0.04, 0, 0.5}, ICD203_ALMOST_CERTAIN, "almost certain"},
		{{0.02, 0.98, 0, 0.5}, ICD203_ALMOST_NO_CHANCE,
		 "almost no chance"},
		/* P = .3 + .5·.3 = .45 */
		{{0.3, 0.4, 0.3, 0.5}, ICD203_ROUGHLY_EVEN, "roughly even chance"},
	};
	for (size_t i = 0; i < ARRAY_LEN(opinions); i++) {
		enum icd203 band = opinion_icd203(opinions[i].o);
		assert_int_equal(band, opinions[i].band);
		assert_string_equal(icd203_phrase(band), opinions[i].phrase);
	}
	assert_string_equal(icd203_phrase(ICD203_UNLIKELY), "unlikely");
	assert_string_equal(icd203_phrase(ICD203_VERY_LIKELY), "very likely");
}

/* The words for the interval [Bel, Pl] (DESIGN.md): one band, "between"
 * two, or "cannot judge" when more than half is open. Ignorance no
 * longer reads as likelihood: belief 0.60 with u 0.35 is "between likely
 * and very likely", not the expectation's "very likely". */
static void test_icd203_interval(void **state)
{
	(void)state;
	static const struct {
		double bel, pl;
		const char *want;
	} cases[] = {
		{0.30, 0.80, "between unlikely and very likely"},
		{0.60, 0.95, "between likely and almost certain"},
		{0.60, 0.79, "likely"},
		{0.0, 0.04, "almost no chance"},
		{0.96, 1.0, "almost certain"},
		{0.0, 1.0, "cannot judge"},
		{0.2, 0.7, "between unlikely and likely"},   /* u = 0.5: judged */
		{0.2, 0.7000001, "cannot judge"},
		{0.45, 0.55, "between roughly even chance and likely"},
		{0.449999999999, 0.5, "roughly even chance"}, /* within eps */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[64];
		icd203_interval_text(cases[i].bel, cases[i].pl, out, sizeof out);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("[%g, %g]: \"%s\", expected \"%s\"",
				 cases[i].bel, cases[i].pl, out, cases[i].want);
	}
}

static void test_confidence_and_stix(void **state)
{
	static const struct {
		double u;
		enum confidence_level level;
	} levels[] = {
		{0.0, CONFIDENCE_HIGH},      {0.10, CONFIDENCE_HIGH},
		{1.0 - 0.9, CONFIDENCE_HIGH}, {0.1000001, CONFIDENCE_MODERATE},
		{0.35, CONFIDENCE_MODERATE},  {0.3500001, CONFIDENCE_LOW},
		{1.0, CONFIDENCE_LOW},
	};
	for (size_t i = 0; i < ARRAY_LEN(levels); i++) {
		struct opinion o = {0, 1 - levels[i].u, levels[i].u, 0.5};
		assert_int_equal(opinion_confidence(o), levels[i].level);
	}
	assert_string_equal(confidence_name(CONFIDENCE_HIGH), "high");
	assert_string_equal(confidence_name(CONFIDENCE_MODERATE), "moderate");
	assert_string_equal(confidence_name(CONFIDENCE_LOW), "low");

	static const struct {
		double b;
		int stix;
	} stix[] = {
		{0.0, 0},    {0.004, 0},  {0.005, 1},   {0.285, 29},
		{0.994, 99}, {0.995, 100}, {1.0, 100},  {0.5, 50},
	};
	for (size_t i = 0; i < ARRAY_LEN(stix); i++)
		assert_int_equal(opinion_stix_confidence(op(stix[i].b, 0,
							    1 - stix[i].b)),
				 stix[i].stix);
}

static void test_legal_standards(void **state)
{
	const struct legal_standard *prep = &LEGAL_STANDARDS_DEFAULT[0],
				    *clear = &LEGAL_STANDARDS_DEFAULT[1],
				    *brd = &LEGAL_STANDARDS_DEFAULT[2],
				    *icj = &LEGAL_STANDARDS_DEFAULT[3];
	NEAR(prep->threshold + clear->threshold + brd->threshold +
		     icj->threshold,
	     0.5 + 0.75 + 0.9 + 0.95, TIGHT);
	static const struct {
		int standard;
		double bel, pl;
		bool met;
		double gap;
		bool reachable;
	} cases[] = {
		{0, 0.5, 0.9, false, 0.0, true},   /* strict: .5 is not > .5 */
		{0, 0.5000001, 0.9, true, 0.0, true},
		{0, 0.3, 0.8, false, 0.2, true},
		{0, 0.3, 0.5, false, 0.2, false},  /* Pl .5 cannot exceed .5 */
		{1, 0.75, 0.8, true, 0.0, true},   /* ≥ .75 */
		{1, 0.3, 0.8, false, 0.45, true},
		{2, 0.3, 0.8, false, 0.6, false},  /* Pl .8 < .9 */
		{2, 0.9, 0.95, true, 0.0, true},
		{2, 0.9 - 1e-11, 0.95, true, 0.0, true}, /* within 1e-9 */
		{3, 0.95, 0.95, true, 0.0, true},
		{3, 0.054, 0.4788, false, 0.896, false}, /* test_chain */
		{3, 0.0, 1.0, false, 0.95, true},  /* ignorance: no credit */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const struct legal_standard *std =
			&LEGAL_STANDARDS_DEFAULT[cases[i].standard];
		struct legal_verdict v =
			legal_assess_bel_pl(std, cases[i].bel, cases[i].pl);
		assert_int_equal(v.met, cases[i].met);
		NEAR(v.gap, cases[i].gap, TIGHT);
		assert_int_equal(v.reachable, cases[i].reachable);
	}
	/* from an opinion: Bel .6, Pl .6 + .3 = .9 */
	struct legal_verdict v = legal_assess(brd, op(0.6, 0.1, 0.3));
	assert_false(v.met);
	NEAR(v.gap, 0.3, TIGHT);
	assert_true(v.reachable);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_beta_quantiles),
		cmocka_unit_test(test_opinion_ci90),
		cmocka_unit_test(test_icd203),
		cmocka_unit_test(test_icd203_interval),
		cmocka_unit_test(test_confidence_and_stix),
		cmocka_unit_test(test_legal_standards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
