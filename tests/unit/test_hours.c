/*
 * test_hours.c — table-driven tests of activity by hour and the working-
 * day UTC offset posterior (analyze/behaviour/hours.h).
 *
 * Activity is synthesised with the test's own seeded PRNG (splitmix64):
 * a person working 09:00–18:00 local time on weekdays at a known UTC
 * offset, optionally with a share of events at random hours (night jobs,
 * overtime). The truth must be the MAP offset and lie in the 90 %
 * credible set; flat 24/7 activity and a handful of events must come out
 * uninformative.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "analyze/behaviour/hours.h"

#define US_PER_S 1000000LL
#define US_PER_HOUR (3600LL * US_PER_S)
#define US_PER_DAY (24LL * US_PER_HOUR)
#define MONDAY_US (1709510400LL * US_PER_S) /* 2024-03-04T00:00:00Z */

/* ---- a deterministic PRNG (splitmix64) ---- */

static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int64_t rng_below(uint64_t *state, int64_t bound)
{
	return (int64_t)(rng_next(state) % (uint64_t)bound);
}

/* Adds per_hour events in every local working hour (09–18, Mon–Fri) of
 * `days` days from Monday, for a worker at offset_h, and noise_events at
 * uniformly random times over the same days. */
static void add_workdays(struct hours_histogram *h, int offset_h, int days,
			 int per_hour, int noise_events, uint64_t seed)
{
	uint64_t state = seed;

	for (int day = 0; day < days; day++) {
		if (day % 7 >= 5)
			continue;
		for (int hour = 9; hour < 18; hour++) {
			/* local midnight of `day` is UTC midnight − offset */
			int64_t local_hour_us = MONDAY_US + day * US_PER_DAY +
						hour * US_PER_HOUR -
						offset_h * US_PER_HOUR;
			for (int e = 0; e < per_hour; e++)
				hours_histogram_add(
					h, local_hour_us +
						   rng_below(&state, US_PER_HOUR));
		}
	}
	for (int e = 0; e < noise_events; e++)
		hours_histogram_add(h, MONDAY_US +
					       rng_below(&state, days * US_PER_DAY));
}

static double posterior_sum(const struct hours_estimate *est)
{
	double sum = 0.0;
	for (int i = 0; i < HOURS_OFFSET_COUNT; i++)
		sum += est->posterior[i];
	return sum;
}

static bool credible(const struct hours_estimate *est, int offset_h)
{
	return est->in_credible_set[offset_h - HOURS_OFFSET_MIN_H];
}

/* ---- working-hours profiles are recovered ---- */

struct profile_case {
	int offset_h;
	int days;
	int per_hour;
	int noise_events;
};

static const struct profile_case profile_cases[] = {
	{-5, 14, 4, 0},   {0, 14, 4, 0},    {1, 14, 4, 0},
	{8, 14, 4, 0},    {9, 14, 4, 0},    {-5, 14, 4, 60},
	{0, 7, 2, 10},    {1, 21, 10, 200}, {8, 14, 1, 15},
	{9, 14, 4, 100},  {-12, 14, 4, 0},  {14, 14, 4, 0},
	{8, 7, 1, 0},
};

static void test_working_hours_recovered(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(profile_cases) / sizeof(profile_cases[0]);
	     i++) {
		const struct profile_case *c = &profile_cases[i];
		struct hours_histogram h;
		struct hours_estimate est;

		hours_histogram_init(&h);
		add_workdays(&h, c->offset_h, c->days, c->per_hour,
			     c->noise_events, 100 + i);
		hours_estimate_offset(&h, &est);
		print_message("  truth %+3d, %5llu events: MAP %+3d p=%.3f,"
			      " set of %d (mass %.3f), %.2f bits, flat %.2g\n",
			      c->offset_h, (unsigned long long)est.events,
			      est.map_offset_h, est.map_probability,
			      est.credible_set_size, est.credible_set_mass,
			      est.entropy_bits, est.flat_probability);
		assert_false(est.uninformative);
		assert_int_equal(est.reasons, 0);
		assert_int_equal(est.map_offset_h, c->offset_h);
		assert_true(credible(&est, c->offset_h));
		assert_true(est.credible_set_mass >= HOURS_CREDIBLE_MASS);
		assert_true(fabs(posterior_sum(&est) - 1.0) < 1e-9);
		assert_true(est.weekday_events > est.weekend_events);
	}
}

/* A clean 09–18 day: the start-hour prior shows through as 1/4, 1/2, 1/4
 * over offset − 1, offset, offset + 1. */
static void test_start_hour_uncertainty(void **state)
{
	struct hours_histogram h;
	struct hours_estimate est;
	int base = 8 - HOURS_OFFSET_MIN_H;
	(void)state;

	hours_histogram_init(&h);
	add_workdays(&h, 8, 14, 4, 0, 7);
	hours_estimate_offset(&h, &est);
	assert_true(fabs(est.posterior[base] - 0.5) < 0.01);
	assert_true(fabs(est.posterior[base - 1] - 0.25) < 0.01);
	assert_true(fabs(est.posterior[base + 1] - 0.25) < 0.01);
	assert_int_equal(est.credible_set_size, 3);
	assert_true(credible(&est, 7) && credible(&est, 8) && credible(&est, 9));
	assert_int_equal(est.weekend_events, 0);
	assert_int_equal(est.weekday_events, est.events);
}

/* ---- what cannot be told ---- */

struct vague_case {
	const char *name;
	int noise_events;    /* events at random times over 14 days */
	int one_hour_events; /* events at 07:00 UTC on weekdays (10:00 at +3) */
	unsigned reason;     /* a reason bit that must be set */
};

static const struct vague_case vague_cases[] = {
	{"flat 24/7, many events", 5000, 0, HOURS_FLAT},
	{"flat 24/7, some events", 400, 0, HOURS_FLAT},
	{"no events", 0, 0, HOURS_TOO_FEW_EVENTS},
	{"few random events", 12, 0, HOURS_TOO_FEW_EVENTS},
	{"few working-hour events", 0, 15, HOURS_TOO_FEW_EVENTS},
};

static void test_uninformative(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vague_cases) / sizeof(vague_cases[0]);
	     i++) {
		const struct vague_case *c = &vague_cases[i];
		struct hours_histogram h;
		struct hours_estimate est;

		hours_histogram_init(&h);
		add_workdays(&h, 3, 14, 0, c->noise_events, 40 + i);
		for (int e = 0; e < c->one_hour_events; e++)
			hours_histogram_add(&h, MONDAY_US + (e % 5) * US_PER_DAY +
						       7 * US_PER_HOUR);
		hours_estimate_offset(&h, &est);
		print_message("  %-26s %5llu events: reasons %#x, MAP %+d"
			      " p=%.2f, set of %d, flat %.2f\n",
			      c->name, (unsigned long long)est.events,
			      est.reasons, est.map_offset_h,
			      est.map_probability, est.credible_set_size,
			      est.flat_probability);
		assert_true(est.uninformative);
		assert_true(est.reasons & c->reason);
		assert_true(fabs(posterior_sum(&est) - 1.0) < 1e-9);
	}
}

/* ---- the histogram itself ---- */

struct hour_case {
	int64_t ts_us;
	int hour_of_week; /* 0 = Monday 00:00 UTC */
};

static const struct hour_case hour_cases[] = {
	{MONDAY_US, 0},
	{MONDAY_US + US_PER_HOUR - 1, 0},
	{MONDAY_US + 13 * US_PER_HOUR + 5, 13},
	{MONDAY_US + 6 * US_PER_DAY + 23 * US_PER_HOUR, 167},
	{MONDAY_US + 7 * US_PER_DAY, 0},
	{0, 72},  /* 1970-01-01 00:00 UTC, a Thursday */
	{-1, 71}, /* the last µs of Wednesday 1969-12-31 */
	{-US_PER_HOUR, 71},
	{-US_PER_HOUR - 1, 70},
};

static void test_hour_of_week(void **state)
{
	struct hours_histogram h;
	uint64_t by_hour[HOURS_PER_DAY], total = 0;
	(void)state;

	hours_histogram_init(&h);
	for (size_t i = 0; i < sizeof(hour_cases) / sizeof(hour_cases[0]);
	     i++) {
		assert_int_equal(hours_utc_hour_of_week(hour_cases[i].ts_us),
				 hour_cases[i].hour_of_week);
		hours_histogram_add(&h, hour_cases[i].ts_us);
	}
	hours_by_utc_hour(&h, by_hour);
	for (int i = 0; i < HOURS_PER_DAY; i++)
		total += by_hour[i];
	assert_int_equal(total, h.events);
	assert_int_equal(by_hour[0], 4);  /* Mon 00 ×3, Thu 00 */
	assert_int_equal(by_hour[23], 3); /* Sun 23, Wed 23 ×2 */
	assert_int_equal(by_hour[13], 1);
	assert_int_equal(by_hour[22], 1);
	assert_string_equal(hours_reason_name(HOURS_FLAT), "flat");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_working_hours_recovered),
		cmocka_unit_test(test_start_hour_uncertainty),
		cmocka_unit_test(test_uninformative),
		cmocka_unit_test(test_hour_of_week),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
