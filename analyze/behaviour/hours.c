/*
 * hours.c — activity by hour and the working-day UTC offset posterior
 * (hours.h states the model; docs/indicators.md, "Working hours", the
 * reasons). Pure: no I/O, no allocation. Sums run in a fixed order, so
 * the same histogram always gives the same bits.
 */
#include "analyze/behaviour/hours.h"

#include <math.h>
#include <string.h>

#define US_PER_HOUR 3600000000LL
#define EPOCH_HOUR_OF_WEEK (3 * HOURS_PER_DAY) /* 1970-01-01 was a Thursday */
#define WEEKDAYS 5                             /* Monday to Friday */

/* The working-day start hours summed over, with their prior. */
static const struct {
	int start_h;
	double prior;
} workday_starts[] = {
	{8, 0.25},
	{9, 0.50},
	{10, 0.25},
};
#define WORKDAY_START_COUNT \
	(sizeof(workday_starts) / sizeof(workday_starts[0]))

void hours_histogram_init(struct hours_histogram *h)
{
	memset(h, 0, sizeof(*h));
}

int hours_utc_hour_of_week(int64_t ts_us)
{
	/* floor division, so times before 1970 land in the right hour */
	int64_t hours = ts_us / US_PER_HOUR;
	int64_t how;

	if (ts_us % US_PER_HOUR < 0)
		hours--;
	how = (hours + EPOCH_HOUR_OF_WEEK) % HOURS_PER_WEEK;
	if (how < 0)
		how += HOURS_PER_WEEK;
	return (int)how;
}

void hours_histogram_add(struct hours_histogram *h, int64_t ts_us)
{
	h->by_utc_hour_of_week[hours_utc_hour_of_week(ts_us)]++;
	h->events++;
}

void hours_by_utc_hour(const struct hours_histogram *h,
		       uint64_t counts[HOURS_PER_DAY])
{
	memset(counts, 0, HOURS_PER_DAY * sizeof(counts[0]));
	for (int b = 0; b < HOURS_PER_WEEK; b++)
		counts[b % HOURS_PER_DAY] += h->by_utc_hour_of_week[b];
}

const char *hours_reason_name(enum hours_reason reason)
{
	switch (reason) {
	case HOURS_TOO_FEW_EVENTS:
		return "too_few_events";
	case HOURS_FLAT:
		return "flat";
	case HOURS_DIFFUSE:
		return "diffuse";
	}
	return "unknown";
}

/* log of the unnormalised profile weight of local hour of week lh for a
 * working day starting at start_h */
static double log_weight(int lh, int start_h)
{
	int day = lh / HOURS_PER_DAY, hour = lh % HOURS_PER_DAY;
	int at_work = hour >= start_h && hour < start_h + HOURS_WORKDAY_LENGTH_H;

	if (!at_work)
		return log(HOURS_FLOOR_WEIGHT);
	return day < WEEKDAYS ? 0.0 : log(HOURS_WEEKEND_WEIGHT);
}

/* log of the profile's normaliser (the same for every start hour) */
static double log_profile_total(void)
{
	double work = HOURS_WORKDAY_LENGTH_H;
	double total = WEEKDAYS * work +
		       (7 - WEEKDAYS) * work * HOURS_WEEKEND_WEIGHT +
		       (HOURS_PER_WEEK - 7 * work) * HOURS_FLOOR_WEIGHT;
	return log(total);
}

/* log Σ exp(v[i]) without overflow */
static double log_sum_exp(const double *v, int n)
{
	double top = -INFINITY, sum = 0.0;

	for (int i = 0; i < n; i++)
		top = fmax(top, v[i]);
	if (!isfinite(top))
		return top;
	for (int i = 0; i < n; i++)
		sum += exp(v[i] - top);
	return top + log(sum);
}

/* Tempered log-likelihood of h at offset_h, start hour summed out. */
static double log_likelihood_at(const struct hours_histogram *h,
				int offset_h, double temper)
{
	double per_start[WORKDAY_START_COUNT];
	double log_total = log_profile_total();

	for (size_t s = 0; s < WORKDAY_START_COUNT; s++) {
		double ll = 0.0;
		for (int b = 0; b < HOURS_PER_WEEK; b++) {
			int lh;
			if (h->by_utc_hour_of_week[b] == 0)
				continue;
			lh = ((b + offset_h) % HOURS_PER_WEEK + HOURS_PER_WEEK) %
			     HOURS_PER_WEEK;
			ll += (double)h->by_utc_hour_of_week[b] *
			      (log_weight(lh, workday_starts[s].start_h) -
			       log_total);
		}
		per_start[s] = log(workday_starts[s].prior) + temper * ll;
	}
	return log_sum_exp(per_start, (int)WORKDAY_START_COUNT);
}

/* The 90 % credible set: most probable offsets first (lower offset first
 * on a tie) until their mass reaches HOURS_CREDIBLE_MASS. */
static void credible_set(struct hours_estimate *out)
{
	memset(out->in_credible_set, 0, sizeof(out->in_credible_set));
	out->credible_set_size = 0;
	out->credible_set_mass = 0.0;
	while (out->credible_set_size < HOURS_OFFSET_COUNT &&
	       out->credible_set_mass < HOURS_CREDIBLE_MASS - 1e-12) {
		int best = -1;
		for (int i = 0; i < HOURS_OFFSET_COUNT; i++) {
			if (out->in_credible_set[i])
				continue;
			if (best < 0 || out->posterior[i] > out->posterior[best])
				best = i;
		}
		out->in_credible_set[best] = true;
		out->credible_set_size++;
		out->credible_set_mass += out->posterior[best];
	}
}

static void split_week(const struct hours_histogram *h,
		       struct hours_estimate *out)
{
	out->weekday_events = 0;
	out->weekend_events = 0;
	for (int b = 0; b < HOURS_PER_WEEK; b++) {
		int lh = ((b + out->map_offset_h) % HOURS_PER_WEEK +
			  HOURS_PER_WEEK) % HOURS_PER_WEEK;
		if (lh / HOURS_PER_DAY < WEEKDAYS)
			out->weekday_events += h->by_utc_hour_of_week[b];
		else
			out->weekend_events += h->by_utc_hour_of_week[b];
	}
}

void hours_estimate_offset(const struct hours_histogram *h,
			   struct hours_estimate *out)
{
	double log_post[HOURS_OFFSET_COUNT], log_norm, log_flat, log_work;
	double temper;
	int map = 0;

	memset(out, 0, sizeof(*out));
	out->events = h->events;
	temper = h->events > HOURS_EFFECTIVE_EVENTS
			 ? HOURS_EFFECTIVE_EVENTS / (double)h->events
			 : 1.0;
	out->effective_events = temper * (double)h->events;

	for (int i = 0; i < HOURS_OFFSET_COUNT; i++)
		log_post[i] = log_likelihood_at(h, HOURS_OFFSET_MIN_H + i, temper);
	log_norm = log_sum_exp(log_post, HOURS_OFFSET_COUNT);
	for (int i = 0; i < HOURS_OFFSET_COUNT; i++) {
		out->posterior[i] = exp(log_post[i] - log_norm);
		if (out->posterior[i] > out->posterior[map])
			map = i;
		if (out->posterior[i] > 0.0)
			out->entropy_bits -=
				out->posterior[i] * log2(out->posterior[i]);
	}
	out->map_offset_h = HOURS_OFFSET_MIN_H + map;
	out->map_probability = out->posterior[map];
	credible_set(out);
	split_week(h, out);

	/* the working-day model (uniform over offsets) against a flat 24/7
	 * profile, each with prior 1/2 */
	log_work = log_norm - log((double)HOURS_OFFSET_COUNT);
	log_flat = temper * (double)h->events * -log((double)HOURS_PER_WEEK);
	out->flat_probability = 1.0 / (1.0 + exp(log_work - log_flat));

	if (h->events < HOURS_MIN_EVENTS)
		out->reasons |= HOURS_TOO_FEW_EVENTS;
	if (out->flat_probability > 0.5)
		out->reasons |= HOURS_FLAT;
	if (out->credible_set_size > HOURS_DIFFUSE_SET_SIZE)
		out->reasons |= HOURS_DIFFUSE;
	out->uninformative = out->reasons != 0;
}
