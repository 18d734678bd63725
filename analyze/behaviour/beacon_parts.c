/*
 * beacon_parts.c — the named parts of a beacon judgement (see
 * beacon_parts.h).
 */
#include "analyze/behaviour/beacon_parts.h"

#include <stdlib.h>
#include <string.h>

#define US_PER_HOUR 3600000000LL

static int compare_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Median of v[0..n) sorted in place (n > 0). */
static double median_sorted(int64_t *v, size_t n)
{
	qsort(v, n, sizeof *v, compare_i64);
	return n % 2 ? (double)v[n / 2]
		     : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2.0;
}

static double clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

static double size_regularity(const int64_t *sizes, size_t n,
			      struct beacon_workspace *ws)
{
	double median, mad;

	if (!sizes || n == 0)
		return -1.0;
	memcpy(ws->sorted_us, sizes, n * sizeof *sizes);
	median = median_sorted(ws->sorted_us, n);
	if (median <= 0)
		return 0.0;
	for (size_t i = 0; i < n; i++) {
		double d = (double)sizes[i] - median;
		ws->intervals_us[i] = (int64_t)(d < 0 ? -d : d);
	}
	mad = median_sorted(ws->intervals_us, n);
	return clamp01(1.0 - (mad / median) / BEACON_MAD_RATIO_CUTOFF);
}

static void hours(const int64_t *times, size_t n, struct beacon_workspace *ws,
		  struct beacon_parts *out)
{
	size_t slots = 0;
	int64_t prev = 0;

	memcpy(ws->sorted_us, times, n * sizeof *times);
	qsort(ws->sorted_us, n, sizeof *ws->sorted_us, compare_i64);
	for (size_t i = 0; i < n; i++) {
		int64_t t = ws->sorted_us[i];
		int64_t slot = t >= 0 ? t / US_PER_HOUR
				      : -((-t + US_PER_HOUR - 1) / US_PER_HOUR);
		int64_t hour = slot % 24;
		out->utc_hours[hour < 0 ? hour + 24 : hour]++;
		if (i == 0 || slot != prev)
			slots++;
		prev = slot;
	}
	if (n > 0) {
		int64_t first = ws->sorted_us[0], last = ws->sorted_us[n - 1];
		int64_t span = last / US_PER_HOUR - first / US_PER_HOUR + 1;
		out->hour_coverage = span > 0 ? clamp01((double)slots /
							(double)span)
					      : 0.0;
	}
}

void beacon_parts_compute(const struct beacon_result *r,
			  const int64_t *times, size_t n,
			  const int64_t *sizes, size_t n_sizes,
			  int64_t span_first_us, int64_t span_last_us,
			  struct beacon_workspace *ws, struct beacon_parts *out)
{
	memset(out, 0, sizeof *out);
	if (n > BEACON_MAX_TIMES)
		n = BEACON_MAX_TIMES;
	if (n_sizes > BEACON_MAX_TIMES)
		n_sizes = BEACON_MAX_TIMES;
	out->interval_regularity =
		clamp01((r->skew_score + r->dispersion_score) / 2.0);
	out->size_regularity = size_regularity(sizes, n_sizes, ws);
	if (span_last_us > span_first_us)
		out->duration_coverage =
			clamp01((double)(r->last_us - r->first_us) /
				(double)(span_last_us - span_first_us));
	hours(times, n, ws, out);
}
