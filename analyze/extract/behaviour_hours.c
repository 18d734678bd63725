/*
 * behaviour_hours.c — working hours per client→server pair and per
 * client service, leaving out pairs judged beacons (behaviour.c describes
 * the family; docs/indicators.md "Working hours").
 */
#include "analyze/extract/extract_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/behaviour/describe.h"
#include "analyze/behaviour/hours.h"
#include "analyze/extract/acc_table.h"
#include "analyze/extract/behaviour_internal.h"

/* The week histogram of an hours entry, dense or still a list of times. */
static void entry_histogram(const struct acc *a, struct hours_histogram *h)
{
	if (a->dense) {
		const uint32_t *week = a->data;
		for (int i = 0; i < HOURS_PER_WEEK; i++) {
			h->by_utc_hour_of_week[i] += week[i];
			h->events += week[i];
		}
		return;
	}
	for (uint32_t i = 0; i < a->n; i++)
		hours_histogram_add(h, i && a->data ? ((const int64_t *)a->data)[i]
						    : a->t0);
}

/* True when the pair of an hours entry was judged a beacon. */
static bool pair_is_beacon(struct behaviour_ctx *c, const struct acc *a)
{
	const struct acc *series;

	memcpy(c->key, a->key, KEY_PAIR_LEN);
	c->key[0] = KEY_PAIR;
	series = acc_table_find(&c->series, c->key, KEY_PAIR_LEN);
	return series && series->dense == ACC_BEACON;
}

/* Estimates c->hist and emits it, when informative, as the activity of
 * label with detail "scope=<scope> " + the usual detail. */
static void emit_scoped_hours(struct extract *x, struct behaviour_ctx *c,
			      const struct acc *a, const char *label,
			      const char *scope)
{
	char value[OBS_VALUE_MAX], detail[OBS_DETAIL_MAX - 32];

	if (c->hist.events < HOURS_MIN_EVENTS)
		return;
	hours_estimate_offset(&c->hist, &c->est);
	if (c->est.uninformative)
		return;
	describe_hours(label, &c->hist, &c->est, value, sizeof(value), detail,
		       sizeof(detail));
	snprintf(x->detail, sizeof(x->detail), "scope=%s %s", scope, detail);
	ex_emit_cited(x, OBS_ACTIVITY_HOURS, value, x->detail, &a->first,
		      a->first_flow_id);
}

static int compare_service(const void *p, const void *q)
{
	const struct acc *a = *(const struct acc *const *)p;
	const struct acc *b = *(const struct acc *const *)q;
	int d = memcmp(a->key + 1, b->key + 1, KEY_HEAD_LEN - 1);
	if (d)
		return d;
	return memcmp(a->key + KEY_HEAD_LEN + 16, b->key + KEY_HEAD_LEN + 16, 3);
}

/*
 * Working hours per client→server pair and per client service (server
 * port and transport, any server), from connection starts, leaving out
 * pairs judged beacons (machine-driven); only informative estimates are
 * emitted (scope=pair, scope=service).
 */
void bh_pair_hours(struct extract *x, struct behaviour_ctx *c)
{
	const struct acc **pairs;
	uint32_t n = 0;
	char label[400];

	pairs = malloc((size_t)(c->pair_hours.count ? c->pair_hours.count : 1) *
		       sizeof(*pairs));
	for (uint32_t i = 0; i < c->pair_hours.count; i++) {
		const struct acc *a = c->pair_hours.order[i];

		if (a->key[0] != KEY_PAIR_HOURS || pair_is_beacon(c, a))
			continue;
		hours_histogram_init(&c->hist);
		entry_histogram(a, &c->hist);
		bh_series_label(a, label, sizeof(label));
		emit_scoped_hours(x, c, a, label, "pair");
		if (pairs)
			pairs[n++] = a;
	}
	if (!pairs)
		return;
	qsort(pairs, n, sizeof(*pairs), compare_service);
	for (uint32_t i = 0, j; i < n; i = j) {
		char client[64], suffix[16] = "";
		uint8_t proto = pairs[i]->key[KEY_HEAD_LEN + 18];
		unsigned port = (unsigned)pairs[i]->key[KEY_HEAD_LEN + 16] << 8 |
				pairs[i]->key[KEY_HEAD_LEN + 17];

		hours_histogram_init(&c->hist);
		for (j = i; j < n && compare_service(&pairs[i], &pairs[j]) == 0;
		     j++)
			entry_histogram(pairs[j], &c->hist);
		if (j - i < 2)
			continue; /* one server: the pair's estimate says it */
		ex_addr_text(pairs[i]->key + 2, pairs[i]->key[1], client,
			     sizeof(client));
		if (proto == IP_PROTO_UDP)
			snprintf(suffix, sizeof(suffix), "/udp");
		else if (proto != IP_PROTO_TCP)
			snprintf(suffix, sizeof(suffix), "/%u", proto);
		snprintf(label, sizeof(label), "%s->*:%u%s", client, port,
			 suffix);
		emit_scoped_hours(x, c, pairs[i], label, "service");
	}
	free(pairs);
}
