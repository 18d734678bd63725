/*
 * beacon.c — beacon scoring of one connection series (beacon.h states the
 * method; docs/indicators.md, "Beaconing", the reasons). Pure: no I/O, no
 * allocation; all arithmetic on times and intervals is integer (µs) until
 * the final statistics, so results are reproducible to the bit.
 */
#include "analyze/behaviour/beacon.h"

#include <math.h>
#include <stdlib.h> /* llabs */
#include <string.h>

#define US_PER_S 1e6

/* ---- bounded max-heap of the earliest times ---- */

static void swap_i64(int64_t *a, int64_t *b)
{
	int64_t t = *a;
	*a = *b;
	*b = t;
}

static void heap_sift_up(int64_t *heap, uint32_t i)
{
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (heap[parent] >= heap[i])
			return;
		swap_i64(&heap[parent], &heap[i]);
		i = parent;
	}
}

static void heap_sift_down(int64_t *heap, uint32_t count, uint32_t i)
{
	for (;;) {
		uint32_t left = 2 * i + 1, right = left + 1, largest = i;
		if (left < count && heap[left] > heap[largest])
			largest = left;
		if (right < count && heap[right] > heap[largest])
			largest = right;
		if (largest == i)
			return;
		swap_i64(&heap[i], &heap[largest]);
		i = largest;
	}
}

/* Keeps the BEACON_MAX_TIMES smallest values offered, in a max-heap. */
static void heap_offer(int64_t *heap, uint32_t *count, int64_t value)
{
	if (*count < BEACON_MAX_TIMES) {
		heap[*count] = value;
		heap_sift_up(heap, *count);
		(*count)++;
		return;
	}
	if (value >= heap[0])
		return;
	heap[0] = value;
	heap_sift_down(heap, *count, 0);
}

void beacon_series_init(struct beacon_series *s)
{
	s->kept = 0;
	s->seen = 0;
}

void beacon_series_add(struct beacon_series *s, int64_t start_us)
{
	s->seen++;
	heap_offer(s->kept_us, &s->kept, start_us);
}

/* ---- order statistics on sorted integer arrays ---- */

/* In-place heapsort, ascending (libc qsort may allocate a merge buffer;
 * this never does, and n ≤ BEACON_MAX_TIMES keeps it fast). */
static void sort_i64(int64_t *v, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		heap_sift_down(v, n, i);
	for (uint32_t end = n; end > 1; end--) {
		swap_i64(&v[0], &v[end - 1]);
		heap_sift_down(v, end - 1, 0);
	}
}

/* Twice the median of sorted[0..n-1] (n ≥ 1): exact in integers. */
static int64_t twice_median(const int64_t *sorted, uint32_t n)
{
	if (n % 2 == 1)
		return 2 * sorted[n / 2];
	return sorted[n / 2 - 1] + sorted[n / 2];
}

/* The p-quantile of sorted[0..n-1] (n ≥ 1) by linear interpolation
 * between order statistics (Hyndman and Fan's type 7). */
static double quantile(const int64_t *sorted, uint32_t n, double p)
{
	double pos = p * (double)(n - 1);
	uint32_t lo = (uint32_t)floor(pos);
	double frac = pos - (double)lo;

	if (lo + 1 >= n)
		return (double)sorted[n - 1];
	return (double)sorted[lo] +
	       frac * (double)(sorted[lo + 1] - sorted[lo]);
}

static double clamp01(double x)
{
	return fmin(fmax(x, 0.0), 1.0);
}

/* ---- the analysis ---- */

/* Merges starts closer than BEACON_SAME_BEAT_US to the start of the beat
 * they follow (parallel connections, retries) into that beat. times is
 * sorted; returns the number of beats left at its front. */
static uint32_t merge_beats(int64_t *times, uint32_t n)
{
	uint32_t beats = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (beats > 0 && times[i] - times[beats - 1] < BEACON_SAME_BEAT_US)
			continue;
		times[beats++] = times[i];
	}
	return beats;
}

/* Mean, population standard deviation and CV of all intervals. */
static void describe_all(const int64_t *intervals, uint32_t n,
			 struct beacon_result *out)
{
	double sum = 0.0, squares = 0.0, mean;

	for (uint32_t i = 0; i < n; i++)
		sum += (double)intervals[i];
	mean = sum / n;
	for (uint32_t i = 0; i < n; i++) {
		double dev = (double)intervals[i] - mean;
		squares += dev * dev;
	}
	out->mean_interval_s = mean / US_PER_S;
	out->stddev_interval_s = sqrt(squares / n) / US_PER_S;
	out->cv = mean > 0.0 ? sqrt(squares / n) / mean : 0.0;
}

/* Period, missed beats and coverage over the active intervals, where
 * k = max(1, round(interval / median)) periods fit in each. */
static void fold_active(const int64_t *intervals, uint32_t n,
			int64_t active_limit_us, double median_us,
			struct beacon_result *out)
{
	int64_t active_sum_us = 0;
	uint64_t periods = 0;

	for (uint32_t i = 0; i < n; i++) {
		int64_t k;
		if (intervals[i] > active_limit_us)
			continue;
		k = llround((double)intervals[i] / median_us);
		if (k < 1)
			k = 1;
		periods += (uint64_t)k;
		active_sum_us += intervals[i];
	}
	out->missed_beats = (uint32_t)(periods - out->active_intervals);
	out->period_s = periods ? (double)active_sum_us / periods / US_PER_S
				: 0.0;
	out->coverage_score =
		periods ? (double)out->active_intervals / periods : 0.0;
}

/* Quartiles, Bowley skewness, MAD and the three sub-scores over the
 * active intervals, which are active[0..n-1], sorted; dev is scratch. */
static void score_active(const int64_t *active, uint32_t n, int64_t *dev,
			 struct beacon_result *out)
{
	int64_t median2 = twice_median(active, n);
	double median = (double)median2 / 2.0;
	double q1 = quantile(active, n, 0.25), q3 = quantile(active, n, 0.75);
	double mad;

	/* 2·|x − median| stays exact in integers */
	for (uint32_t i = 0; i < n; i++)
		dev[i] = llabs(2 * active[i] - median2);
	sort_i64(dev, n);
	mad = (double)twice_median(dev, n) / 4.0;

	/* RITA's rule: Bowley skewness is unreliable (taken as 0) when the
	 * quartile range is 0 or the median sits on a quartile */
	out->bowley_skew = 0.0;
	if (q3 > q1 && median != q1 && median != q3)
		out->bowley_skew = (q1 + q3 - 2.0 * median) / (q3 - q1);

	out->q1_interval_s = q1 / US_PER_S;
	out->q3_interval_s = q3 / US_PER_S;
	out->mad_interval_s = mad / US_PER_S;
	out->mad_ratio = median > 0.0 ? mad / median : 0.0;
	out->jitter_estimate = 2.0 * out->mad_ratio;
	out->skew_score = clamp01(1.0 - fabs(out->bowley_skew));
	out->dispersion_score =
		clamp01(1.0 - out->mad_ratio / BEACON_MAD_RATIO_CUTOFF);
}

/* Analyses ws->times_us[0..n-1] (unsorted, n ≤ BEACON_MAX_TIMES). */
static void analyze_kept(struct beacon_workspace *ws, uint32_t n,
			 uint64_t seen, struct beacon_result *out)
{
	uint32_t intervals, active;
	int64_t median_all2, active_limit_us;

	memset(out, 0, sizeof(*out));
	out->connections_seen = seen > n ? seen : n;
	out->connections_used = n;
	if (n == 0)
		return;

	sort_i64(ws->times_us, n);
	out->beats = merge_beats(ws->times_us, n);
	out->first_us = ws->times_us[0];
	out->last_us = ws->times_us[out->beats - 1];
	if (out->beats < 2)
		return;

	intervals = out->beats - 1;
	for (uint32_t i = 0; i < intervals; i++)
		ws->intervals_us[i] = ws->times_us[i + 1] - ws->times_us[i];
	describe_all(ws->intervals_us, intervals, out);

	memcpy(ws->sorted_us, ws->intervals_us,
	       intervals * sizeof(ws->sorted_us[0]));
	sort_i64(ws->sorted_us, intervals);
	median_all2 = twice_median(ws->sorted_us, intervals);
	out->median_interval_s = (double)median_all2 / 2.0 / US_PER_S;

	/* off periods are the long tail of the sorted intervals; the
	 * shortest interval is always active, so active ≥ 1 */
	active_limit_us = (int64_t)(BEACON_OFF_GAP_FACTOR * median_all2 / 2.0);
	active = 0;
	while (active < intervals && ws->sorted_us[active] <= active_limit_us)
		active++;
	out->active_intervals = active;
	out->off_gaps = intervals - active;

	score_active(ws->sorted_us, active, ws->times_us, out);
	fold_active(ws->intervals_us, intervals, active_limit_us,
		    (double)twice_median(ws->sorted_us, active) / 2.0, out);

	out->score = (out->skew_score + out->dispersion_score +
		      out->coverage_score) / 3.0;
	out->judged = out->beats >= BEACON_MIN_BEATS;
	out->is_beacon =
		out->judged && out->score >= BEACON_SCORE_THRESHOLD;
}

void beacon_series_analyze(const struct beacon_series *s,
			   struct beacon_workspace *ws,
			   struct beacon_result *out)
{
	memcpy(ws->times_us, s->kept_us, s->kept * sizeof(s->kept_us[0]));
	analyze_kept(ws, s->kept, s->seen, out);
}

void beacon_analyze_times(const int64_t *times_us, size_t n, uint64_t seen,
			  struct beacon_workspace *ws,
			  struct beacon_result *out)
{
	uint32_t kept = 0;

	/* the earliest BEACON_MAX_TIMES, as a series would keep them */
	for (size_t i = 0; i < n; i++)
		heap_offer(ws->times_us, &kept, times_us[i]);
	analyze_kept(ws, kept, seen > n ? seen : (uint64_t)n, out);
}
