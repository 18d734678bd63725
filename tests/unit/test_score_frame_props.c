/*
 * test_score_frame_props.c — properties of one link's frame
 * (analyze/score/frame.c) over thousands of random evidence sets:
 * beliefs over the frame sum to at most 1; evidence for a set gives no
 * member singleton belief; an independent supporting source never lowers
 * belief and a contradicting one never raises it; the result does not
 * depend on order; a large body at a fixed 4:1 ratio converges instead of
 * collapsing; cheap evidence alone stays at or below 0.5; two sources
 * naming different actors are measured as a conflict naming both.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/score/frame.h"

enum { TRIALS = 4000, MAX_ITEMS = 24, MAX_SIZE = 12, MAX_SOURCES = 5 };

static uint64_t rng_state;

static double rnd(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

static uint32_t rndn(uint32_t n)
{
	return (uint32_t)(rnd() * n) % n;
}

/* Storage for random items: each owns its members. */
struct evset {
	struct frame_item it[MAX_ITEMS + 8];
	uint32_t mem[MAX_ITEMS + 8][MAX_SIZE];
	size_t n;
	uint32_t size, sources;
};

static void random_item(struct evset *e, size_t k, bool cheap_only)
{
	struct frame_item *it = &e->it[k];
	uint32_t nm = rnd() < 0.7 ? 1 : 1 + rndn(e->size - 1);
	uint32_t c = 0;
	/* a random subset of nm members, sorted */
	for (uint32_t x = 0; x < e->size && c < nm; x++)
		if (rnd() * (double)(e->size - x) < (double)(nm - c))
			e->mem[k][c++] = x;
	it->members = e->mem[k];
	it->n_members = c ? c : 1;
	if (!c)
		e->mem[k][0] = 0;
	it->negated = rnd() < 0.25;
	it->cheap = cheap_only || rnd() < 0.4;
	it->w = it->cheap ? 0.5 * rnd() : 0.95 * rnd();
	it->source = rndn(e->sources);
}

static void random_set(struct evset *e, bool cheap_only)
{
	e->size = 2 + rndn(MAX_SIZE - 1);
	e->sources = 1 + rndn(MAX_SOURCES);
	e->n = rndn(MAX_ITEMS + 1);
	for (size_t k = 0; k < e->n; k++)
		random_item(e, k, cheap_only);
}

static void fuse(const struct evset *e, struct frame_fusion *f)
{
	assert_int_equal(frame_fuse(e->it, e->n, e->size, e->sources + 1, f),
			 0);
}

static void test_frame_sums_to_at_most_one(void **state)
{
	(void)state;
	rng_state = 1;
	for (int t = 0; t < TRIALS; t++) {
		struct evset e;
		struct frame_fusion f;
		random_set(&e, false);
		fuse(&e, &f);
		double sum = 0;
		for (uint32_t x = 0; x < e.size; x++) {
			assert_true(f.bel[x] >= 0 && f.dis[x] >= 0);
			assert_true(f.bel[x] + f.dis[x] <= 1 + 1e-12);
			sum += f.bel[x];
		}
		assert_true(sum + f.u <= 1 + 1e-12);
		assert_true(f.max_conflict >= 0 && f.max_conflict <= 1);
		frame_fusion_free(&f);
	}
}

/* Ten hypotheses with identical evidence: it supports the set of ten;
 * none of them gets singleton belief, and the eleventh member ("someone
 * else") loses plausibility to it. */
static void test_shared_evidence_supports_the_set(void **state)
{
	(void)state;
	uint32_t ten[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct frame_item it[3] = {
		{ten, 10, false, 0.8, false, 0},
		{ten, 10, false, 0.6, false, 1},
		{ten, 10, false, 0.3, true, 2},
	};
	struct frame_fusion f;
	assert_int_equal(frame_fuse(it, 3, 11, 3, &f), 0);
	for (uint32_t x = 0; x < 10; x++) {
		assert_true(f.bel[x] == 0);
		assert_true(f.dis[x] == 0);
	}
	assert_true(f.bel[10] == 0);
	assert_true(f.dis[10] > 0.5);
	frame_fusion_free(&f);
}

static void test_independent_source_is_monotone(void **state)
{
	(void)state;
	rng_state = 2;
	for (int t = 0; t < TRIALS; t++) {
		struct evset e;
		struct frame_fusion f0, f1, f2;
		random_set(&e, false);
		fuse(&e, &f0);
		uint32_t x = rndn(e.size), y = (x + 1 + rndn(e.size - 1)) % e.size;
		/* a new, independent source supporting {x} */
		e.mem[e.n][0] = x;
		e.it[e.n] = (struct frame_item){e.mem[e.n], 1, false,
						0.95 * rnd(), false, e.sources};
		e.n++;
		fuse(&e, &f1);
		assert_true(f1.bel[x] >= f0.bel[x] - 1e-12);
		assert_true(f1.dis[x] <= f0.dis[x] + 1e-12);
		/* instead, a new source naming another actor y */
		e.mem[e.n - 1][0] = y;
		fuse(&e, &f2);
		assert_true(f2.bel[x] <= f0.bel[x] + 1e-12);
		assert_true(f2.dis[x] >= f0.dis[x] - 1e-12);
		/* or contradicting x outright */
		e.mem[e.n - 1][0] = x;
		e.it[e.n - 1].negated = true;
		frame_fusion_free(&f2);
		fuse(&e, &f2);
		assert_true(f2.bel[x] <= f0.bel[x] + 1e-12);
		frame_fusion_free(&f0);
		frame_fusion_free(&f1);
		frame_fusion_free(&f2);
	}
}

static void test_order_never_matters(void **state)
{
	(void)state;
	rng_state = 3;
	for (int t = 0; t < TRIALS; t++) {
		struct evset e, p;
		struct frame_fusion f0, f1;
		random_set(&e, false);
		p = e;
		/* permute the items and relabel the sources */
		uint32_t relabel[MAX_SOURCES + 1];
		for (uint32_t s = 0; s < e.sources; s++)
			relabel[s] = (s + 3) % e.sources;
		for (size_t k = e.n; k > 1; k--) {
			size_t j = rndn((uint32_t)k);
			struct frame_item tmp = p.it[k - 1];
			p.it[k - 1] = p.it[j];
			p.it[j] = tmp;
		}
		for (size_t k = 0; k < p.n; k++)
			p.it[k].source = relabel[p.it[k].source];
		/* members point into e's storage: still valid */
		fuse(&e, &f0);
		fuse(&p, &f1);
		for (uint32_t x = 0; x < e.size; x++) {
			assert_true(fabs(f0.bel[x] - f1.bel[x]) < 1e-12);
			assert_true(fabs(f0.dis[x] - f1.dis[x]) < 1e-12);
		}
		assert_true(fabs(f0.max_conflict - f1.max_conflict) < 1e-12);
		frame_fusion_free(&f0);
		frame_fusion_free(&f1);
	}
}

/* k sources for A, k/4 for B, each alone w: belief in A rises towards
 * 4/5 of the frame as k grows, never collapses. */
static void test_four_to_one_converges(void **state)
{
	(void)state;
	static uint32_t a = 0, b = 1;
	double last = 0;
	for (uint32_t k = 4; k <= 256; k *= 2) {
		struct frame_item *it = calloc(k + k / 4, sizeof *it);
		assert_non_null(it);
		for (uint32_t i = 0; i < k + k / 4; i++)
			it[i] = (struct frame_item){i < k ? &a : &b, 1, false,
						    0.6, false, i};
		struct frame_fusion f;
		assert_int_equal(frame_fuse(it, k + k / 4, 3, k + k / 4, &f),
				 0);
		assert_true(f.bel[0] >= last - 1e-12);
		assert_true(f.bel[0] < 0.8 && f.bel[0] > 0.7);
		assert_true(fabs(f.bel[0] / f.bel[1] - 4) < 1e-9);
		last = f.bel[0];
		free(it);
		frame_fusion_free(&f);
	}
	assert_true(last > 0.79);
}

static void test_cheap_alone_never_above_half(void **state)
{
	(void)state;
	rng_state = 4;
	for (int t = 0; t < TRIALS; t++) {
		struct evset e;
		struct frame_fusion f;
		random_set(&e, true);
		fuse(&e, &f);
		double sum = 0;
		for (uint32_t x = 0; x < e.size; x++)
			sum += f.bel[x];
		assert_true(sum <= 0.5 + 1e-12);
		frame_fusion_free(&f);
	}
}

/* Two A-rated sources naming different actors: a conflict with a
 * degree, both sources and both actors; a source saying yes and no
 * about one actor: a self-contradiction. */
static void test_conflict_is_measured(void **state)
{
	(void)state;
	static uint32_t a = 0, b = 1;
	struct frame_item it[3] = {
		{&a, 1, false, 0.8, false, 0},
		{&b, 1, false, 0.8, false, 1},
		{&a, 1, true, 0.5, false, 0},
	};
	struct frame_fusion f;
	assert_int_equal(frame_fuse(it, 2, 3, 2, &f), 0);
	assert_int_equal(f.n_conflicts, 1);
	const struct frame_conflict *c = &f.conflicts[0];
	assert_false(c->self);
	/* each alone: mass .8 on its actor; K = .8 × .8 */
	assert_true(fabs(c->k - 0.64) < 1e-12);
	assert_true(c->party[0] == 0 && c->party[1] == 1);
	assert_true(it[c->item[0]].members[0] != it[c->item[1]].members[0]);
	frame_fusion_free(&f);
	assert_int_equal(frame_fuse(it, 3, 3, 2, &f), 0);
	bool self = false;
	for (size_t i = 0; i < f.n_conflicts; i++)
		if (f.conflicts[i].self) {
			self = true;
			assert_int_equal(f.conflicts[i].party[0], 0);
			assert_true(fabs(f.conflicts[i].k - 0.4) < 1e-12);
		}
	assert_true(self);
	frame_fusion_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_sums_to_at_most_one),
		cmocka_unit_test(test_shared_evidence_supports_the_set),
		cmocka_unit_test(test_independent_source_is_monotone),
		cmocka_unit_test(test_order_never_matters),
		cmocka_unit_test(test_four_to_one_converges),
		cmocka_unit_test(test_cheap_alone_never_above_half),
		cmocka_unit_test(test_conflict_is_measured),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
