/*
 * describe.c — value and detail text of behaviour observations
 * (describe.h).
 */
#include "analyze/behaviour/describe.h"

#include <stdio.h>

#include "analyze/parse/text.h"

void describe_beacon(const char *label, const char *series,
		     const struct beacon_result *b,
		     const struct beacon_parts *p, char *value, size_t vsize,
		     char *detail, size_t dsize)
{
	char size[16], hours[200];
	struct textbuf t;

	if (p->size_regularity < 0)
		snprintf(size, sizeof size, "-");
	else
		snprintf(size, sizeof size, "%.2f", p->size_regularity);
	snprintf(value, vsize,
		 "%s period=%.1fs jitter=%.2f n=%u score=%.2f interval=%.2f "
		 "size=%s duration=%.2f hours=%.2f",
		 label, b->period_s, b->jitter_estimate, b->beats, b->score,
		 p->interval_regularity, size, p->duration_coverage,
		 p->hour_coverage);
	textbuf_init(&t, hours, sizeof hours);
	for (int h = 0; h < 24; h++) {
		if (h)
			textbuf_putc(&t, ',');
		textbuf_put_uint(&t, p->utc_hours[h]);
	}
	snprintf(detail, dsize,
		 "series=%s method=rita-interval connections_seen=%llu "
		 "connections_used=%u beats=%u first_us=%lld last_us=%lld "
		 "mean_s=%.3f median_s=%.3f stddev_s=%.3f cv=%.4f "
		 "active_intervals=%u off_gaps=%u missed_beats=%u "
		 "period_s=%.3f q1_s=%.3f q3_s=%.3f mad_s=%.3f "
		 "mad_ratio=%.4f jitter=%.4f bowley_skew=%.4f "
		 "skew_score=%.4f dispersion_score=%.4f coverage_score=%.4f "
		 "score=%.4f threshold=%.2f interval_regularity=%.4f "
		 "size_regularity=%s duration_coverage=%.4f "
		 "hour_coverage=%.4f part_threshold=%.2f utc_hours=%s",
		 series, (unsigned long long)b->connections_seen,
		 b->connections_used, b->beats, (long long)b->first_us,
		 (long long)b->last_us, b->mean_interval_s,
		 b->median_interval_s, b->stddev_interval_s, b->cv,
		 b->active_intervals, b->off_gaps, b->missed_beats,
		 b->period_s, b->q1_interval_s, b->q3_interval_s,
		 b->mad_interval_s, b->mad_ratio, b->jitter_estimate,
		 b->bowley_skew, b->skew_score, b->dispersion_score,
		 b->coverage_score, b->score, BEACON_SCORE_THRESHOLD,
		 p->interval_regularity, size, p->duration_coverage,
		 p->hour_coverage, BEACON_PART_REGULAR, hours);
}

static void put_signed(struct textbuf *t, int v)
{
	textbuf_putc(t, v < 0 ? '-' : '+');
	textbuf_put_uint(t, (unsigned long)(v < 0 ? -v : v));
}

void describe_hours(const char *host, const struct hours_histogram *h,
		    const struct hours_estimate *e, char *value, size_t vsize,
		    char *detail, size_t dsize)
{
	uint64_t day[HOURS_PER_DAY];
	char tail[256];
	struct textbuf t;
	bool first = true;

	hours_by_utc_hour(h, day);
	textbuf_init(&t, value, vsize);
	textbuf_puts(&t, host);
	textbuf_puts(&t, " utc_hours=");
	for (int i = 0; i < HOURS_PER_DAY; i++) {
		if (i)
			textbuf_putc(&t, ',');
		textbuf_put_uint(&t, (unsigned long)day[i]);
	}
	textbuf_init(&t, detail, dsize);
	textbuf_puts(&t, "events=");
	textbuf_put_uint(&t, (unsigned long)e->events);
	textbuf_puts(&t, " map_offset=");
	put_signed(&t, e->map_offset_h);
	textbuf_puts(&t, " credible90=");
	for (int i = 0; i < HOURS_OFFSET_COUNT; i++) {
		if (!e->in_credible_set[i])
			continue;
		if (!first)
			textbuf_putc(&t, ',');
		first = false;
		put_signed(&t, HOURS_OFFSET_MIN_H + i);
	}
	snprintf(tail, sizeof(tail),
		 " map_p=%.3f credible_mass=%.3f entropy_bits=%.3f "
		 "flat_p=%.3f weekday=%llu weekend=%llu informative=%s",
		 e->map_probability, e->credible_set_mass, e->entropy_bits,
		 e->flat_probability, (unsigned long long)e->weekday_events,
		 (unsigned long long)e->weekend_events,
		 e->uninformative ? "no" : "yes");
	textbuf_puts(&t, tail);
	for (unsigned bit = 1; bit <= HOURS_DIFFUSE; bit <<= 1) {
		if (!(e->reasons & bit))
			continue;
		textbuf_puts(&t, " reason=");
		textbuf_puts(&t, hours_reason_name((enum hours_reason)bit));
	}
}
