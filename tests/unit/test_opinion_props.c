/*
 * test_opinion_props.c — invariants of the subjective-logic algebra
 * (analyze/score/opinion.h) checked over thousands of random opinions
 * and evidence lists from a seeded generator (deterministic runs):
 * b + d + u = 1 after every operation, cheap indicators alone never lift
 * Bel above 0.5, duplicates never change a link, Yager's u bounds, input
 * order never changes a bit, and no evidence on a link zeroes the chain.
 * Hand-computed cases are in test_opinion.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "analyze/score/opinion.h"

#define TRIALS 20000
#define MAX_ITEMS 48
#define SUM_TOLERANCE 1e-12

/* ---- a small deterministic generator (splitmix64) ---- */

struct rng {
	uint64_t state;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rng_unit(struct rng *r) /* [0, 1) */
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static size_t rng_below(struct rng *r, size_t n)
{
	return (size_t)(rng_next(r) % n);
}

/* Mostly uniform on the simplex, with the corners tests must survive:
 * vacuous, dogmatic, one-sided, nearly dogmatic. */
static struct opinion random_opinion(struct rng *r)
{
	double a = rng_below(r, 4) == 0 ? 0.5 : rng_unit(r);
	double x = rng_unit(r), y = rng_unit(r);
	switch (rng_below(r, 16)) {
	case 0:
		return opinion_vacuous(a);
	case 1: /* dogmatic */
		return (struct opinion){x, 1.0 - x, 0.0, a};
	case 2: /* supports only */
		return (struct opinion){x, 0.0, 1.0 - x, a};
	case 3: /* contradicts only */
		return (struct opinion){0.0, x, 1.0 - x, a};
	case 4: { /* nearly dogmatic */
		double u = pow(10.0, -3.0 - 12.0 * y);
		return (struct opinion){x * (1.0 - u), (1.0 - x) * (1.0 - u), u,
					a};
	}
	default: {
		double lo = fmin(x, y), hi = fmax(x, y);
		return (struct opinion){lo, hi - lo, 1.0 - hi, a};
	}
	}
}

static void shuffle(void *base, size_t n, size_t size, struct rng *r)
{
	unsigned char tmp[64], *p = base;
	assert_true(size <= sizeof tmp);
	for (size_t i = n; i > 1; i--) {
		size_t j = rng_below(r, i);
		memcpy(tmp, p + (i - 1) * size, size);
		memcpy(p + (i - 1) * size, p + j * size, size);
		memcpy(p + j * size, tmp, size);
	}
}

/* A random evidence list as chain_links.c would build it: each item an
 * indicator (s, direction) discounted by an Admiralty R and forgeability
 * f with δ = 1, from one of a few sources. */
static size_t random_items(struct rng *r, struct link_evidence *items,
			   size_t max)
{
	static const char letters[] = "ABCDEF";
	size_t n = 1 + rng_below(r, max);
	for (size_t i = 0; i < n; i++) {
		double rel, f = rng_unit(r);
		assert_int_equal(admiralty_reliability(letters[rng_below(r, 6)],
						       &rel),
				 0);
		struct opinion o = opinion_from_indicator(
			rng_unit(r),
			rng_below(r, 3) ? OPINION_SUPPORTS : OPINION_CONTRADICTS,
			0.5);
		items[i] = (struct link_evidence){
			opinion_discount(o, opinion_discount_factor(rel, f, 1.0)),
			f, rng_below(r, 4), i};
	}
	return n;
}

/* ---- checks ---- */

static void check_valid(struct opinion o)
{
	if (fabs(o.b + o.d + o.u - 1.0) <= SUM_TOLERANCE && o.b >= 0.0 &&
	    o.d >= 0.0 && o.u >= 0.0 && o.b <= 1.0 && o.d <= 1.0 &&
	    o.u <= 1.0 && o.a >= 0.0 && o.a <= 1.0)
		return;
	print_error("invalid opinion (%.17g, %.17g, %.17g, %.17g), "
		    "sum - 1 = %g\n",
		    o.b, o.d, o.u, o.a, o.b + o.d + o.u - 1.0);
	fail();
}

static void assert_same_opinion(struct opinion x, struct opinion y)
{
	assert_memory_equal(&x, &y, sizeof x);
}

static void assert_same_fusion(const struct link_fusion *x,
			       const struct link_fusion *y)
{
	assert_same_opinion(x->fused, y->fused);
	assert_same_opinion(x->cheap, y->cheap);
	assert_same_opinion(x->costly, y->costly);
	assert_int_equal(x->cheap_items, y->cheap_items);
	assert_int_equal(x->costly_items, y->costly_items);
	assert_int_equal(x->costly_sources, y->costly_sources);
	assert_memory_equal(&x->max_conflict, &y->max_conflict,
			    sizeof x->max_conflict);
	assert_int_equal(x->flags, y->flags);
}

/* ---- properties ---- */

static void test_sum_is_one(void **state)
{
	struct rng r = {1};
	struct opinion ops[MAX_ITEMS];
	struct link_evidence items[MAX_ITEMS];
	for (int t = 0; t < TRIALS; t++) {
		struct opinion x = random_opinion(&r), y = random_opinion(&r);
		check_valid(opinion_discount(x, rng_unit(&r)));
		check_valid(opinion_cumulative(x, y));
		check_valid(opinion_average(x, y));
		check_valid(opinion_yager(x, y));
		check_valid(opinion_fuse_checked(x, y, 0.1, NULL));
		size_t n = 1 + rng_below(&r, MAX_ITEMS);
		for (size_t i = 0; i < n; i++)
			ops[i] = random_opinion(&r);
		check_valid(opinion_cumulative_n(ops, n));
		check_valid(opinion_average_n(ops, n));
		check_valid(opinion_yager_n(ops, n));
		check_valid(opinion_fuse_checked_n(ops, n, 0.1, NULL));
		struct link_fusion out;
		link_fuse(items, random_items(&r, items, MAX_ITEMS), NULL, &out);
		check_valid(out.fused);
		check_valid(out.cheap);
		check_valid(out.costly);
	}
}

/* With δ = 1 and f ≥ 0.5 the discount is p = R(1 - fδ) ≤ R/2 ≤ 0.5
 * (0.475 for Admiralty R ≤ .95), so each cheap item has b ≤ 0.5; the
 * cheap class is averaged, a mean weighted by 1/u_i, which never
 * exceeds its largest b. Any count, any s, any R. */
static void test_cheap_alone_never_above_half(void **state)
{
	static const char letters[] = "ABCDEF";
	struct rng r = {2};
	struct link_evidence items[MAX_ITEMS];
	for (int t = 0; t < TRIALS; t++) {
		bool admiralty = rng_below(&r, 2);
		size_t n = 1 + rng_below(&r, MAX_ITEMS);
		for (size_t i = 0; i < n; i++) {
			double rel = rng_unit(&r) * 1.0000001; /* R can be 1 */
			if (rel > 1.0)
				rel = 1.0;
			if (admiralty)
				admiralty_reliability(letters[rng_below(&r, 6)],
						      &rel);
			double f = 0.5 + 0.5 * rng_unit(&r);
			if (rng_below(&r, 8) == 0)
				f = 0.5; /* the edge */
			double s = rng_below(&r, 8) ? rng_unit(&r) : 1.0;
			struct opinion o = opinion_from_indicator(
				s,
				rng_below(&r, 4) ? OPINION_SUPPORTS
						 : OPINION_CONTRADICTS,
				rng_unit(&r));
			items[i] = (struct link_evidence){
				opinion_discount(
					o, opinion_discount_factor(rel, f, 1.0)),
				f, rng_below(&r, 5), i};
		}
		struct link_fusion out;
		link_fuse(items, n, NULL, &out);
		assert_true(out.fused.b <= 0.5);
		assert_false(legal_assess(&LEGAL_STANDARDS_DEFAULT[0], out.fused)
				     .met);
		if (admiralty) {
			/* u ≥ 1 - .475 > .5: never a likelihood phrase */
			assert_true(out.fused.b <= 0.475 + 1e-15);
			assert_int_equal(opinion_icd203(out.fused),
					 ICD203_CANNOT_JUDGE);
		}
	}
}

static void test_duplicates_never_change_a_link(void **state)
{
	struct rng r = {3};
	struct link_evidence items[2 * MAX_ITEMS], copy[2 * MAX_ITEMS];
	for (int t = 0; t < TRIALS; t++) {
		size_t n = random_items(&r, items, MAX_ITEMS);
		struct link_fusion base, more;
		memcpy(copy, items, n * sizeof *items);
		link_fuse(copy, n, NULL, &base);

		/* one item again (its caller tag may differ) */
		memcpy(copy, items, n * sizeof *items);
		copy[n] = items[rng_below(&r, n)];
		copy[n].ref = 1000 + (uint64_t)t;
		link_fuse(copy, n + 1, NULL, &more);
		assert_same_fusion(&base, &more);

		/* every item again */
		memcpy(copy, items, n * sizeof *items);
		memcpy(copy + n, items, n * sizeof *items);
		link_fuse(copy, 2 * n, NULL, &more);
		assert_same_fusion(&base, &more);

		/* averaging k copies of one opinion: that opinion */
		struct opinion o = random_opinion(&r), ops[MAX_ITEMS];
		size_t k = 1 + rng_below(&r, MAX_ITEMS);
		for (size_t i = 0; i < k; i++)
			ops[i] = o;
		assert_same_opinion(opinion_average_n(ops, k), o);
		assert_same_opinion(opinion_average(o, o), o);
	}
}

/* Why the link dedupes rather than relying on averaging alone: plain
 * averaging fusion weighs a repeated opinion twice, so repeating the
 * strongest of {A, B} pulls the mean toward it. */
static void test_averaging_alone_counts_repeats(void **state)
{
	struct opinion a = {0.4, 0, 0.6, 0.5}, b = {0.1, 0, 0.9, 0.5};
	struct opinion two[2] = {a, b}, three[3] = {a, a, b};
	/* {A,B}: b = (.4/.6 + .1/.9)/(1/.6 + 1/.9) = .28;
	 * {A,A,B}: (.8/.6 + .1/.9)/(2/.6 + 1/.9) = 1.4444/4.4444 = .325 */
	assert_true(opinion_average_n(three, 3).b >
		    opinion_average_n(two, 2).b + 0.04);
	/* in the cheap class the second A (another source) counts once */
	struct link_evidence with_items[3] = {{a, 0.9, 1, 0}, {a, 0.9, 2, 1},
					      {b, 0.9, 1, 2}};
	struct link_evidence items[2] = {{a, 0.9, 2, 1}, {b, 0.9, 1, 2}};
	struct link_fusion with, without;
	link_fuse(with_items, 3, NULL, &with);
	link_fuse(items, 2, NULL, &without);
	assert_same_fusion(&with, &without);
	assert_true(fabs(with.fused.b - 0.28) < 1e-12);
}

/* u_Yager - u_cumulative = K - ux·uy·(1-ux)(1-uy)/κ, and the subtracted
 * term is at most (5√5 - 11)/2 = 0.0901699 (at ux = uy = (3 - √5)/2):
 * whenever K ≥ 0.0902 — in particular whenever the conflict check picks
 * Yager (K > 0.10) — Yager's u is at least cumulative's. u_Yager ≥ ux·uy
 * always. Yager can still end below both inputs' u, and below
 * cumulative's u when K is small. */
static void test_yager_uncertainty(void **state)
{
	const double bound = (5.0 * sqrt(5.0) - 11.0) / 2.0;
	struct rng r = {4};
	struct opinion ops[MAX_ITEMS];
	size_t checked_above = 0;
	for (int t = 0; t < 10 * TRIALS; t++) {
		struct opinion x = random_opinion(&r), y = random_opinion(&r);
		struct opinion yag = opinion_yager(x, y);
		struct opinion cum = opinion_cumulative(x, y);
		double k = opinion_conflict(x, y);
		assert_true(yag.u >= x.u * y.u - 1e-15);
		if (k >= bound) {
			assert_true(yag.u >= cum.u - 1e-12);
			checked_above++;
		}
		size_t n = 1 + rng_below(&r, 8);
		double product = 1.0;
		for (size_t i = 0; i < n; i++) {
			ops[i] = random_opinion(&r);
			product *= ops[i].u;
		}
		assert_true(opinion_yager_n(ops, n).u >= product - 1e-12);
	}
	assert_true(checked_above > 1000);

	/* below the bound cumulative can keep more u: K = 2·.55·.068 =
	 * .0748; Yager u = .382² + .0748 = .2207, cumulative
	 * .1459/(.764 - .1459) = .2361 */
	struct opinion low = {0.55, 0.068, 0.382, 0.5};
	assert_true(opinion_conflict(low, low) < bound);
	assert_true(opinion_yager(low, low).u < opinion_cumulative(low, low).u);
	/* below both inputs: A = B = (.5, .2, .3), K = .2,
	 * u = .09 + .2 = .29 < .3 */
	struct opinion ab = {0.5, 0.2, 0.3, 0.5};
	assert_true(opinion_yager(ab, ab).u < 0.3);
	assert_true(fabs(opinion_yager(ab, ab).u - 0.29) < 1e-12);
}

static void test_order_never_matters(void **state)
{
	struct rng r = {5};
	struct opinion ops[MAX_ITEMS], perm[MAX_ITEMS];
	struct link_evidence items[MAX_ITEMS];
	for (int t = 0; t < TRIALS; t++) {
		size_t n = 1 + rng_below(&r, MAX_ITEMS);
		for (size_t i = 0; i < n; i++)
			ops[i] = random_opinion(&r);
		memcpy(perm, ops, n * sizeof *ops);
		shuffle(perm, n, sizeof *perm, &r);
		assert_same_opinion(opinion_cumulative_n(ops, n),
				    opinion_cumulative_n(perm, n));
		assert_same_opinion(opinion_average_n(ops, n),
				    opinion_average_n(perm, n));
		assert_same_opinion(opinion_yager_n(ops, n),
				    opinion_yager_n(perm, n));
		shuffle(perm, n, sizeof *perm, &r);
		assert_same_opinion(opinion_fuse_checked_n(ops, n, 0.1, NULL),
				    opinion_fuse_checked_n(perm, n, 0.1, NULL));

		struct opinion x = ops[0], y = ops[n - 1];
		assert_same_opinion(opinion_cumulative(x, y),
				    opinion_cumulative(y, x));
		assert_same_opinion(opinion_average(x, y), opinion_average(y, x));
		assert_same_opinion(opinion_yager(x, y), opinion_yager(y, x));

		/* a chain of up to 6 links */
		size_t links = 1 + n % 6;
		memcpy(perm, ops, links * sizeof *ops);
		shuffle(perm, links, sizeof *perm, &r);
		struct chain_reading c1 = chain_read(ops, links),
				     c2 = chain_read(perm, links);
		assert_memory_equal(&c1.joint_bel, &c2.joint_bel, sizeof(double));
		assert_memory_equal(&c1.joint_pl, &c2.joint_pl, sizeof(double));
		assert_memory_equal(&c1.weakest_bel, &c2.weakest_bel,
				    sizeof(double));

		size_t m = random_items(&r, items, MAX_ITEMS);
		struct link_fusion f1, f2;
		link_fuse(items, m, NULL, &f1);
		shuffle(items, m, sizeof *items, &r);
		link_fuse(items, m, NULL, &f2);
		assert_same_fusion(&f1, &f2);
	}
}

/* The closed n-ary forms agree with pairwise folds (exact arithmetic
 * says they are equal; rounding differs a little). */
static void test_nary_matches_pairwise(void **state)
{
	struct rng r = {6};
	struct opinion ops[8];
	for (int t = 0; t < TRIALS; t++) {
		size_t n = 2 + rng_below(&r, 7);
		for (size_t i = 0; i < n; i++) {
			ops[i] = random_opinion(&r);
			if (ops[i].u < 1e-3) /* the fold averages dogmatic */
				ops[i] = opinion_vacuous(0.5); /* pairs unevenly */
			ops[i].a = 0.5;
		}
		struct opinion fold = ops[0];
		for (size_t i = 1; i < n; i++)
			fold = opinion_cumulative(fold, ops[i]);
		struct opinion closed = opinion_cumulative_n(ops, n);
		assert_true(fabs(fold.b - closed.b) < 1e-9);
		assert_true(fabs(fold.d - closed.d) < 1e-9);
		assert_true(fabs(fold.u - closed.u) <= 1e-9 * fold.u + 1e-15);
		struct opinion pair[2] = {ops[0], ops[1]};
		struct opinion y2 = opinion_yager_n(pair, 2),
			       y = opinion_yager(ops[0], ops[1]);
		assert_true(fabs(y2.b - y.b) < 1e-15 && fabs(y2.d - y.d) < 1e-15);
		struct opinion a2 = opinion_average_n(pair, 2),
			       a = opinion_average(ops[0], ops[1]);
		assert_true(fabs(a2.b - a.b) < 1e-12 && fabs(a2.u - a.u) < 1e-12);
	}
}

static void test_no_evidence_zeroes_the_chain(void **state)
{
	struct rng r = {7};
	struct opinion links[5];
	for (int t = 0; t < TRIALS; t++) {
		for (size_t i = 0; i < 5; i++)
			links[i] = random_opinion(&r);
		struct link_fusion empty;
		link_fuse(NULL, 0, NULL, &empty);
		assert_same_opinion(empty.fused, opinion_vacuous(0.5));
		links[rng_below(&r, 5)] = empty.fused; /* e.g. L4 */
		struct chain_reading c = chain_read(links, 5);
		assert_true(c.joint_bel == 0.0 && c.weakest_bel == 0.0);
		assert_false(legal_assess_bel_pl(&LEGAL_STANDARDS_DEFAULT[0],
						 c.joint_bel, c.joint_pl)
				     .met);
	}
}

/* Quantiles invert the CDF over parameters from 1e-2 to 1e7: the true
 * quantile lies within 1e-12 of the one returned. */
static void test_beta_quantile_inverts_cdf(void **state)
{
	struct rng r = {8};
	for (int t = 0; t < TRIALS / 4; t++) {
		double alpha = pow(10.0, -2.0 + 9.0 * rng_unit(&r));
		double beta = pow(10.0, -2.0 + 9.0 * rng_unit(&r));
		double p = 0.01 + 0.98 * rng_unit(&r);
		double q = beta_quantile(p, alpha, beta);
		assert_true(q >= 0.0 && q <= 1.0);
		assert_true(beta_cdf(fmax(q - 1e-12, 0.0), alpha, beta) <= p);
		assert_true(beta_cdf(fmin(q + 1e-12, 1.0), alpha, beta) >= p);
		struct interval ci = opinion_ci90(random_opinion(&r));
		assert_true(ci.lo >= 0.0 && ci.lo <= ci.hi && ci.hi <= 1.0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sum_is_one),
		cmocka_unit_test(test_cheap_alone_never_above_half),
		cmocka_unit_test(test_duplicates_never_change_a_link),
		cmocka_unit_test(test_averaging_alone_counts_repeats),
		cmocka_unit_test(test_yager_uncertainty),
		cmocka_unit_test(test_order_never_matters),
		cmocka_unit_test(test_nary_matches_pairwise),
		cmocka_unit_test(test_no_evidence_zeroes_the_chain),
		cmocka_unit_test(test_beta_quantile_inverts_cdf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
