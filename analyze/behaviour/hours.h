/*
 * hours.h — activity of one host by hour, and the UTC offset of the
 * working day it suggests, as a posterior over offsets rather than one
 * number.
 *
 * Events (connection starts, DNS queries, ...) are counted by UTC hour of
 * the week (Monday 00:00 UTC is bin 0), from which the 24-bin UTC hour
 * histogram is derived. docs/indicators.md ("Working hours") explains the
 * model and its limits; in short:
 *
 *   Model. In local time (UTC + o hours), a working day starts at hour S
 *   and lasts HOURS_WORKDAY_LENGTH_H hours. An event falls in local hour
 *   h of the week with probability proportional to 1 inside the working
 *   hours of Monday–Friday, HOURS_WEEKEND_WEIGHT inside the same hours on
 *   Saturday and Sunday, and HOURS_FLOOR_WEIGHT at any other hour (people
 *   work late, machines run at night). S is 08, 09 or 10 with prior
 *   0.25 / 0.5 / 0.25 and is summed out, so an offset is only as sharp as
 *   the habit of starting work at nine: a perfect 09–18 day at UTC+8 gives
 *   P(+8) = 0.5 and P(+7) = P(+9) = 0.25.
 *   Likelihood. Events are multinomial draws from that profile. Events
 *   are not independent (one decision to work produces hundreds of
 *   connections), so the log-likelihood is tempered by
 *   min(1, HOURS_EFFECTIVE_EVENTS / events): no volume of traffic makes
 *   the posterior sharper than HOURS_EFFECTIVE_EVENTS independent events
 *   would.
 *   Prior and posterior. Uniform over the whole-hour offsets −12..+14;
 *   the posterior is normalised; the report gives the MAP offset and its
 *   probability, the 90 % credible set (the fewest offsets, most probable
 *   first, holding ≥ 90 % of the mass) and the entropy.
 *   Uninformative. The data cannot tell the offset when there are fewer
 *   than HOURS_MIN_EVENTS events, when a flat 24/7 profile explains the
 *   events better than the working-day model (posterior of the flat model,
 *   prior 1/2, above 1/2), or when the credible set spans more than
 *   HOURS_DIFFUSE_SET_SIZE offsets.
 *
 * Working hours are cheap to fake and shared by everyone in a time zone:
 * they are weak evidence, and the estimate says so through its spread.
 *
 * Pure: no I/O, no allocation; a histogram is a fixed-size struct.
 */
#ifndef ATTRIB_HOURS_H
#define ATTRIB_HOURS_H

#include <stdbool.h>
#include <stdint.h>

#define HOURS_PER_DAY 24
#define HOURS_PER_WEEK 168
#define HOURS_OFFSET_MIN_H (-12)
#define HOURS_OFFSET_MAX_H 14
#define HOURS_OFFSET_COUNT (HOURS_OFFSET_MAX_H - HOURS_OFFSET_MIN_H + 1)

#define HOURS_WORKDAY_LENGTH_H 9     /* 09:00–18:00 when S = 9 */
#define HOURS_WEEKEND_WEIGHT 0.1     /* working hours on Sat/Sun */
#define HOURS_FLOOR_WEIGHT 0.02      /* every other hour */
#define HOURS_EFFECTIVE_EVENTS 200.0 /* likelihood tempering ceiling */
#define HOURS_MIN_EVENTS 20          /* fewer: uninformative */
#define HOURS_CREDIBLE_MASS 0.90
#define HOURS_DIFFUSE_SET_SIZE 8     /* larger credible set: uninformative */

/* Why an estimate is uninformative (bits of hours_estimate.reasons). */
enum hours_reason {
	HOURS_TOO_FEW_EVENTS = 1u << 0, /* events < HOURS_MIN_EVENTS */
	HOURS_FLAT = 1u << 1,           /* the flat 24/7 model wins */
	HOURS_DIFFUSE = 1u << 2,        /* credible set too wide */
};

/* Event counts of one host by UTC hour of the week. Plain data. */
struct hours_histogram {
	uint64_t by_utc_hour_of_week[HOURS_PER_WEEK]; /* 0 = Mon 00:00 UTC */
	uint64_t events;
};

struct hours_estimate {
	uint64_t events;
	double effective_events;  /* events after tempering */
	/* posterior[i] is P(offset = HOURS_OFFSET_MIN_H + i | data, model) */
	double posterior[HOURS_OFFSET_COUNT];
	int map_offset_h;         /* most probable offset (lowest on a tie) */
	double map_probability;
	bool in_credible_set[HOURS_OFFSET_COUNT];
	int credible_set_size;    /* offsets in the 90 % set */
	double credible_set_mass; /* their total probability, ≥ 0.90 */
	double entropy_bits;      /* of the posterior; log2(27) ≈ 4.75 max */
	double flat_probability;  /* P(flat 24/7 model | data), prior 1/2 */
	/* local weekday (Mon–Fri) and weekend events at the MAP offset */
	uint64_t weekday_events;
	uint64_t weekend_events;
	unsigned reasons;         /* enum hours_reason bits */
	bool uninformative;       /* reasons != 0 */
};

/* Empties a histogram. */
void hours_histogram_init(struct hours_histogram *h);

/* Counts one event at ts_us (µs since the Unix epoch; negative times are
 * before 1970 and count correctly). */
void hours_histogram_add(struct hours_histogram *h, int64_t ts_us);

/* The UTC hour of the week (0 = Monday 00:00–00:59 UTC) of ts_us. */
int hours_utc_hour_of_week(int64_t ts_us);

/* Fills counts[hour] with the events in each UTC hour of the day. */
void hours_by_utc_hour(const struct hours_histogram *h,
		       uint64_t counts[HOURS_PER_DAY]);

/* Estimates the working-day UTC offset from h into *out (fully
 * overwritten). With no events the posterior is uniform and the estimate
 * uninformative. */
void hours_estimate_offset(const struct hours_histogram *h,
			   struct hours_estimate *out);

/* A short name of one reason bit ("too_few_events", "flat", "diffuse"),
 * or "unknown". The string is static. */
const char *hours_reason_name(enum hours_reason reason);

#endif
