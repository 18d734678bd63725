/*
 * test_beacon.c — table-driven tests of the beacon scoring
 * (analyze/behaviour/beacon.h).
 *
 * Series are synthesised with a seeded PRNG of the test's own (splitmix64)
 * so every run sees the same numbers: periodic series with uniform sleep
 * jitter (each interval is period × (1 + jitter × u), u uniform in
 * [−1, 1]), optional missed beats and nightly off periods, and Poisson
 * series (exponential intervals) that must not be called beacons. Times
 * are shuffled before analysis, since callers may give them in any order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/behaviour/beacon.h"

#define US_PER_S 1000000LL
#define START_US (1709510400LL * US_PER_S) /* 2024-03-04T00:00:00Z */
#define MAX_SERIES 8192

/* ---- a deterministic PRNG (splitmix64) ---- */

static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* uniform in [0, 1) */
static double rng_unit(uint64_t *state)
{
	return (double)(rng_next(state) >> 11) / 9007199254740992.0;
}

static void shuffle(int64_t *v, size_t n, uint64_t *state)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(rng_next(state) % i);
		int64_t t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

static int64_t series[MAX_SERIES];
static struct beacon_workspace workspace;
static struct beacon_series kept_series;

/* ---- generators ---- */

/* A periodic series of n connections. missed: chance that a beat sends
 * nothing; active_h > 0: beats only in the first active_h hours of each
 * day (an implant that sleeps at night). Returns the count made. */
static size_t make_periodic(double period_s, double jitter, size_t n,
			    double missed, int active_h, uint64_t seed)
{
	uint64_t state = seed;
	double t_s = 0.0;
	size_t made = 0;

	while (made < n) {
		double hour_of_day = fmod(t_s / 3600.0, 24.0);
		bool awake = active_h <= 0 || hour_of_day < active_h;
		bool skip = rng_unit(&state) < missed;
		if (awake && !skip)
			series[made++] = START_US + (int64_t)(t_s * US_PER_S);
		t_s += period_s * (1.0 + jitter * (2.0 * rng_unit(&state) - 1.0));
	}
	shuffle(series, made, &state);
	return made;
}

/* A Poisson series: n connections at mean interval mean_s. */
static size_t make_poisson(double mean_s, size_t n, uint64_t seed)
{
	uint64_t state = seed;
	double t_s = 0.0;

	for (size_t i = 0; i < n; i++) {
		series[i] = START_US + (int64_t)(t_s * US_PER_S);
		t_s += -mean_s * log(1.0 - rng_unit(&state));
	}
	shuffle(series, n, &state);
	return n;
}

/* ---- periodic series: recovered period and jitter ---- */

struct periodic_case {
	const char *name;
	double period_s;
	double jitter;     /* uniform half-width as a fraction of period */
	size_t count;
	double missed;     /* chance of a skipped beat */
	int active_h;      /* hours awake per day, 0 = always */
	double jitter_tol; /* allowed |jitter_estimate − jitter| */
};

static const struct periodic_case periodic_cases[] = {
	{"60 s exact", 60, 0.0, 200, 0.0, 0, 1e-12},
	{"60 s 10 %", 60, 0.1, 200, 0.0, 0, 0.03},
	{"60 s 30 %", 60, 0.3, 200, 0.0, 0, 0.06},
	{"300 s exact", 300, 0.0, 200, 0.0, 0, 1e-12},
	{"300 s 10 %", 300, 0.1, 200, 0.0, 0, 0.03},
	{"300 s 30 %", 300, 0.3, 200, 0.0, 0, 0.06},
	{"3600 s exact", 3600, 0.0, 200, 0.0, 0, 1e-12},
	{"3600 s 10 %", 3600, 0.1, 200, 0.0, 0, 0.03},
	{"3600 s 30 %", 3600, 0.3, 200, 0.0, 0, 0.06},
	{"300 s exact, 20 % missed", 300, 0.0, 200, 0.2, 0, 1e-12},
	{"300 s 10 %, 10 % missed", 300, 0.1, 200, 0.1, 0, 0.05},
	{"300 s 10 %, 20 % missed", 300, 0.1, 200, 0.2, 0, 0.08},
	{"3600 s 30 %, 10 % missed", 3600, 0.3, 200, 0.1, 0, 0.10},
	{"300 s 10 %, awake 9 h a day", 300, 0.1, 600, 0.0, 9, 0.03},
	{"3600 s 30 %, awake 9 h a day", 3600, 0.3, 120, 0.0, 9, 0.08},
	{"60 s 10 %, many (beyond the cap)", 60, 0.1, 6000, 0.0, 0, 0.03},
};

static void test_periodic_recovered(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(periodic_cases) / sizeof(periodic_cases[0]);
	     i++) {
		const struct periodic_case *c = &periodic_cases[i];
		struct beacon_result r;
		size_t n = make_periodic(c->period_s, c->jitter, c->count,
					 c->missed, c->active_h, 1000 + i);
		double period_err;

		beacon_analyze_times(series, n, n, &workspace, &r);
		print_message("  %-36s score %.3f (skew %.2f disp %.2f cov %.2f)"
			      " period %.1f s jitter %.3f cv %.3f\n",
			      c->name, r.score, r.skew_score,
			      r.dispersion_score, r.coverage_score, r.period_s,
			      r.jitter_estimate, r.cv);
		assert_true(r.judged);
		assert_true(r.is_beacon);
		assert_true(r.score >= BEACON_SCORE_THRESHOLD);
		/* three standard errors of a mean of uniform intervals */
		period_err = fabs(r.period_s - c->period_s) / c->period_s;
		assert_true(period_err <
			    0.005 + 3.0 * c->jitter / sqrt(3.0 * c->count));
		assert_true(fabs(r.median_interval_s - c->period_s) <
			    0.1 * c->period_s);
		assert_true(fabs(r.jitter_estimate - c->jitter) <= c->jitter_tol);
		assert_int_equal(r.connections_seen, n);
		assert_int_equal(r.connections_used,
				 n < BEACON_MAX_TIMES ? n : BEACON_MAX_TIMES);
		if (c->missed == 0.0 && c->active_h == 0) {
			assert_int_equal(r.missed_beats, 0);
			assert_int_equal(r.off_gaps, 0);
			/* uniform jitter ±j has CV j/√3 */
			assert_true(fabs(r.cv - c->jitter / sqrt(3.0)) < 0.03);
		}
		if (c->missed > 0.0)
			assert_true(r.missed_beats > 0);
		if (c->active_h > 0)
			assert_true(r.off_gaps > 0);
	}
}

/* ---- random traffic must not be called a beacon ---- */

static void test_poisson_not_beacon(void **state)
{
	static const double means_s[] = {60, 300, 1200, 3600};
	(void)state;
	for (size_t m = 0; m < sizeof(means_s) / sizeof(means_s[0]); m++) {
		for (uint64_t seed = 1; seed <= 10; seed++) {
			struct beacon_result r;
			size_t n = make_poisson(means_s[m], 300, seed * 77 + m);
			beacon_analyze_times(series, n, n, &workspace, &r);
			if (seed == 1)
				print_message("  poisson mean %5.0f s: score %.3f"
					      " (skew %.2f disp %.2f cov %.2f)"
					      " mad/median %.2f\n",
					      means_s[m], r.score, r.skew_score,
					      r.dispersion_score,
					      r.coverage_score, r.mad_ratio);
			assert_true(r.judged);
			assert_false(r.is_beacon);
			assert_true(r.score < 0.6);
			assert_true(r.mad_ratio > 0.5);
		}
	}
}

/* ---- how many connections it takes to judge ---- */

struct count_case {
	size_t count;
	bool judged;
};

static const struct count_case count_cases[] = {
	{0, false}, {1, false}, {2, false}, {5, false}, {6, true}, {7, true},
};

static void test_too_few_not_judged(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(count_cases) / sizeof(count_cases[0]);
	     i++) {
		struct beacon_result r;
		size_t n = count_cases[i].count;
		if (n > 0)
			make_periodic(300, 0.0, n, 0.0, 0, 5);
		beacon_analyze_times(series, n, n, &workspace, &r);
		assert_int_equal(r.beats, n);
		assert_int_equal(r.judged, count_cases[i].judged);
		assert_int_equal(r.is_beacon, count_cases[i].judged);
		if (n >= 2)
			assert_true(fabs(r.period_s - 300.0) < 1e-6);
	}
}

/* ---- bursts, caps and order independence ---- */

static void test_parallel_connections_are_one_beat(void **state)
{
	struct beacon_result r;
	size_t n = make_periodic(300, 0.1, 100, 0.0, 0, 9);
	(void)state;

	/* each beat opens a second connection 150 ms later */
	for (size_t i = 0; i < n; i++)
		series[n + i] = series[i] + 150000;
	beacon_analyze_times(series, 2 * n, 2 * n, &workspace, &r);
	assert_int_equal(r.connections_used, 2 * n);
	assert_int_equal(r.beats, n);
	assert_true(r.is_beacon);
	assert_true(fabs(r.period_s - 300.0) < 6.0);
}

static int compare_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void test_order_and_cap_independent(void **state)
{
	struct beacon_result from_array, from_series, from_sorted;
	size_t n = make_periodic(60, 0.2, 5000, 0.05, 0, 11);
	(void)state;

	beacon_analyze_times(series, n, n, &workspace, &from_array);
	beacon_series_init(&kept_series);
	for (size_t i = 0; i < n; i++)
		beacon_series_add(&kept_series, series[i]);
	beacon_series_analyze(&kept_series, &workspace, &from_series);
	assert_memory_equal(&from_array, &from_series, sizeof(from_array));

	/* the same times in time order: the same earliest 4096 are kept */
	beacon_series_init(&kept_series);
	qsort(series, n, sizeof(series[0]), compare_i64);
	for (size_t i = 0; i < n; i++)
		beacon_series_add(&kept_series, series[i]);
	beacon_series_analyze(&kept_series, &workspace, &from_sorted);
	assert_memory_equal(&from_array, &from_sorted, sizeof(from_array));
	assert_int_equal(from_sorted.connections_seen, n);
	assert_int_equal(from_sorted.connections_used, BEACON_MAX_TIMES);
	assert_int_equal(from_sorted.first_us, series[0]);
}

static void test_seen_count_kept(void **state)
{
	struct beacon_result r;
	size_t n = make_periodic(300, 0.0, 10, 0.0, 0, 3);
	(void)state;

	beacon_analyze_times(series, n, 25, &workspace, &r);
	assert_int_equal(r.connections_seen, 25);
	beacon_analyze_times(series, n, 3, &workspace, &r);
	assert_int_equal(r.connections_seen, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periodic_recovered),
		cmocka_unit_test(test_poisson_not_beacon),
		cmocka_unit_test(test_too_few_not_judged),
		cmocka_unit_test(test_parallel_connections_are_one_beat),
		cmocka_unit_test(test_order_and_cap_independent),
		cmocka_unit_test(test_seen_count_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
