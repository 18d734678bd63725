/*
 * schedule.c — event times of a directive (schedule.h).
 */
#include "pcaps/gen/lib/schedule.h"

#define US_PER_S 1000000LL
#define US_PER_HOUR (3600LL * US_PER_S)
#define HOURS_PER_WEEK 168
#define EPOCH_HOUR_OF_WEEK 72 /* 1970-01-01 00:00 was Thursday 00:00 */
#define COUNT_DRAWS_PER_EVENT 1000 /* rejection-sampling bound */

bool schedule_allowed(const struct timing *t, int64_t t_us)
{
	int64_t local_hours, hour_of_week;
	int day, hour;

	if (!t->work_hours)
		return true;
	local_hours = (t_us + t->utc_offset_h * US_PER_HOUR) / US_PER_HOUR;
	hour_of_week = (local_hours + EPOCH_HOUR_OF_WEEK) % HOURS_PER_WEEK;
	if (hour_of_week < 0) /* before 1970 in local time */
		hour_of_week += HOURS_PER_WEEK;
	day = (int)(hour_of_week / 24); /* 0 = Monday */
	hour = (int)(hour_of_week % 24);
	return day < 5 && hour >= t->work_start_h && hour < t->work_end_h;
}

uint64_t schedule_run(const struct timing *t, int64_t start_us,
		      int64_t end_us, struct rng *r, schedule_emit_fn emit,
		      void *ctx)
{
	uint64_t events = 0;
	double span_us = (double)(end_us - start_us);

	if (t->kind == TIMING_PERIODIC) {
		double period_us = t->period_s * US_PER_S;
		double at = (double)start_us + rng_unit(r) * period_us;
		while (at < (double)end_us) {
			int64_t t_us = (int64_t)at;
			bool skipped = rng_unit(r) < t->missed;
			if (!skipped && schedule_allowed(t, t_us)) {
				emit(ctx, t_us);
				events++;
			}
			at += period_us *
			      (1.0 + t->jitter * (2.0 * rng_unit(r) - 1.0));
		}
	} else if (t->kind == TIMING_POISSON) {
		double mean_us = US_PER_S / t->rate_per_s;
		double at = (double)start_us + rng_exponential(r, mean_us);
		while (at < (double)end_us) {
			int64_t t_us = (int64_t)at;
			if (schedule_allowed(t, t_us)) {
				emit(ctx, t_us);
				events++;
			}
			at += rng_exponential(r, mean_us);
		}
	} else if (t->kind == TIMING_COUNT) {
		uint64_t draws = 0,
			 max_draws = (uint64_t)t->count * COUNT_DRAWS_PER_EVENT;
		while (events < t->count && draws++ < max_draws) {
			int64_t t_us = start_us + (int64_t)(rng_unit(r) * span_us);
			if (schedule_allowed(t, t_us)) {
				emit(ctx, t_us);
				events++;
			}
		}
	}
	return events;
}
