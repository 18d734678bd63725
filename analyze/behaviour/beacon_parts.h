/*
 * beacon_parts.h — the named parts of a beacon judgement, so an analyst
 * sees why a series scored (docs/indicators.md, "Beaconing"):
 *
 *   interval_regularity  (skew_score + dispersion_score) / 2 of
 *                        beacon.h: 1 for a metronome, about 0.4 for
 *                        Poisson arrivals; ≥ BEACON_PART_REGULAR reads
 *                        as regular
 *   size_regularity      1 − (MAD/median of the sizes) /
 *                        BEACON_MAD_RATIO_CUTOFF, clamped to [0, 1]:
 *                        check-ins of one size score 1; −1 when the
 *                        series has no sizes
 *   duration_coverage    (last beat − first beat) / the source's span:
 *                        how much of the capture the series lasts
 *   hour_coverage        UTC clock hours between the first and the last
 *                        beat that hold a beat / those hours: a machine
 *                        fills every hour, a person leaves nights empty
 *   utc_hours[24]        beats per UTC hour of day (the histogram)
 *
 * The verdict stays beacon.h's (score ≥ BEACON_SCORE_THRESHOLD); the
 * parts explain it and are printed with each beacon. Pure, no allocation:
 * the caller's beacon workspace is the scratch space.
 */
#ifndef ATTRIB_BEACON_PARTS_H
#define ATTRIB_BEACON_PARTS_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/behaviour/beacon.h"

#define BEACON_PART_REGULAR 0.70 /* a part at or above reads as "high" */

/*
 * A flow continues a connection, and is no connection start, when an
 * earlier flow of the same client address and port, server address and
 * port and transport lasted at least BEACON_LONG_FLOW_US and ended at
 * most BEACON_CONTINUATION_US before the flow's first packet: the flow
 * table cut one long connection (hard timeout) into pieces. The behaviour
 * family of one source and the recomputation over a case apply the same
 * rule.
 */
#define BEACON_LONG_FLOW_US 60000000LL
#define BEACON_CONTINUATION_US 300000000LL

struct beacon_parts {
	double interval_regularity;
	double size_regularity;   /* −1: no sizes */
	double duration_coverage;
	double hour_coverage;
	uint32_t utc_hours[24];
};

/*
 * Computes the parts of r (beacon_analyze_times() of times[0..n)) with
 * sizes[0..n_sizes) (bytes per beat, may be NULL) over a source that spans
 * span_first_us..span_last_us. At most BEACON_MAX_TIMES of times and sizes
 * are used. ws is scratch (its contents are overwritten).
 */
void beacon_parts_compute(const struct beacon_result *r,
			  const int64_t *times, size_t n,
			  const int64_t *sizes, size_t n_sizes,
			  int64_t span_first_us, int64_t span_last_us,
			  struct beacon_workspace *ws, struct beacon_parts *out);

#endif
