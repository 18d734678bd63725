/*
 * test_beacon_parts.c — the named parts of a beacon judgement
 * (analyze/behaviour/beacon_parts.c): a metronome with check-ins of one
 * size is regular in every part; Poisson arrivals are not regular in
 * interval; varied sizes lower size regularity; activity only in day
 * hours leaves hour coverage low; a series over a tenth of the source
 * covers a tenth of its duration.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "analyze/behaviour/beacon_parts.h"

#define US 1000000LL
#define T0 (1709510400LL * US) /* 2024-03-04T00:00:00Z */
enum { N = 2000 };

static struct beacon_workspace ws;
static int64_t times[N], sizes[N];

static void judge(size_t n, const int64_t *sz, int64_t span_us,
		  struct beacon_result *r, struct beacon_parts *p)
{
	beacon_analyze_times(times, n, n, &ws, r);
	beacon_parts_compute(r, times, n, sz, sz ? n : 0, T0, T0 + span_us,
			     &ws, p);
}

static void test_metronome(void **state)
{
	struct beacon_result r;
	struct beacon_parts p;
	(void)state;
	for (int i = 0; i < N; i++) {
		times[i] = T0 + (int64_t)i * 60 * US;
		sizes[i] = 180;
	}
	judge(N, sizes, (N - 1) * 60 * US, &r, &p);
	assert_true(r.is_beacon);
	assert_true(p.interval_regularity > 0.99);
	assert_true(p.size_regularity > 0.99);
	assert_true(p.duration_coverage > 0.99);
	assert_true(p.hour_coverage > 0.99);
	uint32_t total = 0;
	for (int h = 0; h < 24; h++)
		total += p.utc_hours[h];
	assert_int_equal(total, N);
	/* no sizes: size part −1 */
	judge(N, NULL, (N - 1) * 60 * US, &r, &p);
	assert_true(p.size_regularity < 0);
	/* over a tenth of the source's span */
	judge(N, sizes, 10 * (N - 1) * 60 * US, &r, &p);
	assert_true(fabs(p.duration_coverage - 0.1) < 0.01);
}

static void test_poisson_and_varied_sizes(void **state)
{
	struct beacon_result r;
	struct beacon_parts p;
	int64_t t = T0;
	(void)state;
	srand(4);
	for (int i = 0; i < N; i++) {
		double u = (rand() + 1.0) / ((double)RAND_MAX + 2.0);
		t += (int64_t)(-log(u) * 60 * US) + 3 * US;
		times[i] = t;
		sizes[i] = 50 + rand() % 2000;
	}
	judge(N, sizes, t - T0, &r, &p);
	assert_false(r.is_beacon);
	assert_true(p.interval_regularity < BEACON_PART_REGULAR);
	assert_true(p.size_regularity < BEACON_PART_REGULAR);
}

/* Events every 10 minutes, but only 09–17 UTC, over 7 days. */
static void test_day_hours_only(void **state)
{
	struct beacon_result r;
	struct beacon_parts p;
	size_t n = 0;
	(void)state;
	for (int d = 0; d < 7; d++)
		for (int m = 9 * 60; m < 17 * 60 && n < N; m += 10)
			times[n++] = T0 + ((int64_t)d * 1440 + m) * 60 * US;
	judge(n, NULL, 7 * 86400 * US, &r, &p);
	assert_true(p.hour_coverage < 0.4);
	assert_int_equal(p.utc_hours[3], 0);
	assert_true(p.utc_hours[10] > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metronome),
		cmocka_unit_test(test_poisson_and_varied_sizes),
		cmocka_unit_test(test_day_hours_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
