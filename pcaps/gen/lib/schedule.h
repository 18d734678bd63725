/*
 * schedule.h — when a directive's events happen: periodic with sleep
 * jitter and missed beats, Poisson, or a fixed count at uniform random
 * times; optionally only in local working hours (Monday–Friday,
 * work_start_h to work_end_h at the directive's UTC offset), which is
 * what gives the working-hours estimator something to find.
 *
 * Periodic: the first beat falls uniformly in the first period; each
 * next one period × (1 + jitter × U[−1, 1]) after the previous; a beat is
 * skipped with probability `missed`, and outside working hours when
 * hours=work (the implant sleeps but keeps its rhythm). Poisson: the
 * rate holds during allowed hours (events outside them are thinned out).
 */
#ifndef ATTRIB_GEN_SCHEDULE_H
#define ATTRIB_GEN_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "pcaps/gen/lib/rng.h"
#include "pcaps/gen/lib/scenario_file.h"

/* Receives one event time (µs since the epoch). */
typedef void (*schedule_emit_fn)(void *ctx, int64_t t_us);

/* True when t_us falls in the working hours of t (always true when
 * t->work_hours is false). */
bool schedule_allowed(const struct timing *t, int64_t t_us);

/* Calls emit for every event of timing t in [start_us, end_us), in time
 * order except for TIMING_COUNT (uniform times in draw order). Returns
 * the number of events. */
uint64_t schedule_run(const struct timing *t, int64_t start_us,
		      int64_t end_us, struct rng *r, schedule_emit_fn emit,
		      void *ctx);

#endif
