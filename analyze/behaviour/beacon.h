/*
 * beacon.h — is one client→server series of connections a beacon?
 *
 * Input: the start times (µs since the Unix epoch, any order) of the
 * connections of one series (a client→server pair, or client→SNI/host).
 * Output: descriptive statistics of the inter-arrival intervals (mean,
 * median, standard deviation, coefficient of variation, MAD/median) and a
 * regularity score in [0, 1] together with every input that produced it,
 * so a report can show why a series was or was not called a beacon.
 *
 * Method (docs/indicators.md, "Beaconing", gives the reasoning): the
 * interval-statistics beacon scoring of RITA (Real Intelligence Threat
 * Analytics, Active Countermeasures, beacon analysis in releases 3 and
 * 4), which scores the connection timestamps of a pair by the mean of
 * three sub-scores: (1) 1 − |Bowley skewness| of the intervals,
 * (2) 1 − MAD/30 s of the intervals, (3) a connection-count score.
 * attrib keeps (1) unchanged and makes two documented changes:
 *   - dispersion is relative: 1 − (MAD/median) / BEACON_MAD_RATIO_CUTOFF,
 *     so an hourly beacon with 10 % jitter scores as a one-minute beacon
 *     with 10 % jitter does (RITA's fixed 30 s calls every jittered hourly
 *     beacon irregular);
 *   - the count score becomes coverage: beats seen / beats expected at the
 *     median period over the active time, where a gap longer than
 *     BEACON_OFF_GAP_FACTOR × median is an off period (night, weekend,
 *     host asleep) and a gap of k periods holds k − 1 missed beats. An
 *     implant that sleeps outside working hours is not penalised for its
 *     schedule; one that skips beats loses a little, not everything.
 * Robust statistics (median, quartiles, MAD) keep missed beats and off
 * periods from dragging the period and jitter estimates: while fewer than
 * a quarter of the intervals are missed beats, Q1, median and Q3 all lie
 * on the true period.
 *
 * A series is judged only with at least BEACON_MIN_BEATS beats, and called
 * a beacon when judged and score ≥ BEACON_SCORE_THRESHOLD. Random
 * (Poisson) connections have MAD/median ≈ 0.69, so their dispersion
 * sub-score is 0 and their score stays near 0.45.
 *
 * Everything here is deterministic and allocation-free: a series holds at
 * most BEACON_MAX_TIMES times in a fixed array, the analysis uses a
 * caller-provided workspace (reuse one per thread), and the result is
 * the same for any order in which the same times were added.
 */
#ifndef ATTRIB_BEACON_H
#define ATTRIB_BEACON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BEACON_MAX_TIMES 4096            /* times kept per series */
#define BEACON_MIN_BEATS 6               /* fewer: not judged */
#define BEACON_SCORE_THRESHOLD 0.70      /* score at or above: a beacon */
#define BEACON_SAME_BEAT_US 2000000LL    /* closer starts merge into a beat */
#define BEACON_MAD_RATIO_CUTOFF 0.5      /* MAD/median giving dispersion 0 */
#define BEACON_OFF_GAP_FACTOR 8.0        /* gap > this × median: off period */

/* The connection times of one series. Keeps the BEACON_MAX_TIMES earliest
 * times added (a max-heap, so a later time is dropped in O(1) once full)
 * and counts every time added. Plain data: copy it, zero it, embed it. */
struct beacon_series {
	int64_t kept_us[BEACON_MAX_TIMES]; /* max-heap of the earliest times */
	uint32_t kept;                     /* entries used in kept_us */
	uint64_t seen;                     /* times added, kept or not */
};

/* Scratch space for one analysis; its contents are meaningless between
 * calls. About 96 KB: keep one per thread rather than on a small stack. */
struct beacon_workspace {
	int64_t times_us[BEACON_MAX_TIMES];
	int64_t intervals_us[BEACON_MAX_TIMES];
	int64_t sorted_us[BEACON_MAX_TIMES];
};

/* The judgement of one series and every number it rests on. Intervals
 * are in seconds. Statistics marked "all" use every interval between
 * consecutive beats; those marked "active" leave out off-period gaps. */
struct beacon_result {
	uint64_t connections_seen; /* every connection added to the series */
	uint32_t connections_used; /* the earliest ones, at most the cap */
	uint32_t beats;            /* after merging starts < 2 s apart */
	int64_t first_us;          /* earliest beat */
	int64_t last_us;           /* latest beat used */

	double mean_interval_s;   /* all */
	double median_interval_s; /* all: the period estimate's anchor */
	double stddev_interval_s; /* all: population standard deviation */
	double cv;                /* all: stddev / mean (0 when mean is 0) */

	uint32_t active_intervals; /* intervals ≤ OFF_GAP_FACTOR × median */
	uint32_t off_gaps;         /* intervals longer: off periods */
	uint32_t missed_beats;     /* Σ (k − 1) over active intervals */
	double period_s;    /* active: Σ interval / Σ k, k = round(i/median) */
	double q1_interval_s;      /* active: first quartile */
	double q3_interval_s;      /* active: third quartile */
	double mad_interval_s;     /* active: median |interval − median| */
	double mad_ratio;          /* active: MAD / median (jitter, robust) */
	double jitter_estimate;    /* 2·MAD/median: half-width of a uniform
				      sleep jitter, as a fraction of period */
	double bowley_skew;        /* active: (Q1 + Q3 − 2·median)/(Q3 − Q1) */

	double skew_score;       /* 1 − |bowley_skew| */
	double dispersion_score; /* 1 − mad_ratio / MAD_RATIO_CUTOFF, ≥ 0 */
	double coverage_score;   /* active intervals / Σ k */
	double score;            /* mean of the three sub-scores */
	bool judged;             /* beats ≥ BEACON_MIN_BEATS */
	bool is_beacon;          /* judged and score ≥ BEACON_SCORE_THRESHOLD */
};

/* Empties a series (no times, seen = 0). */
void beacon_series_init(struct beacon_series *s);

/* Adds one connection start time. Always counts it in s->seen; keeps it
 * when the series is not full or it is earlier than the latest time kept
 * (which it then replaces). O(log BEACON_MAX_TIMES), no allocation. */
void beacon_series_add(struct beacon_series *s, int64_t start_us);

/* Analyses a series into *out (fully overwritten). The series is not
 * changed. ws is scratch space owned by the caller. */
void beacon_series_analyze(const struct beacon_series *s,
			   struct beacon_workspace *ws,
			   struct beacon_result *out);

/* Analyses n connection start times (any order) directly; seen is the
 * number of connections the caller saw in total (≥ n; a smaller value is
 * raised to n). When n exceeds BEACON_MAX_TIMES only the
 * BEACON_MAX_TIMES earliest times are used. times_us is not changed. */
void beacon_analyze_times(const int64_t *times_us, size_t n, uint64_t seen,
			  struct beacon_workspace *ws,
			  struct beacon_result *out);

#endif
