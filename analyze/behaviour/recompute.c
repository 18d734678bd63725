/*
 * recompute.c — beacons and working hours over a whole case
 * (recompute.h).
 */
#include "analyze/behaviour/recompute.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/behaviour/beacon.h"
#include "analyze/behaviour/describe.h"
#include "analyze/behaviour/hours.h"
#include "analyze/evidence/flow_starts.h"
#include "analyze/evidence/store.h"
#include "analyze/extract/extract.h"
#include "analyze/vocab/kinds.h"

enum { KEY_MAX = 256, IP_UDP = 17, IP_TCP = 6 };

/* The series or host being gathered, and its earliest flow. */
struct group {
	char key[KEY_MAX];
	char client[64], server[64];
	int ip_version, l4_proto;
	unsigned server_port;
	int64_t first_flow, first_source;
	uint64_t seen;
	uint32_t n;
	bool open;
};

struct recompute {
	struct store *st;
	struct behaviour_stats *stats;
	struct group g;
	int64_t times[BEACON_MAX_TIMES];
	struct beacon_workspace ws;
	struct beacon_result beacon;
	struct hours_histogram hist;
	struct hours_estimate est;
	char value[OBS_VALUE_MAX], detail[OBS_DETAIL_MAX];
};

static bool is_resolver_port(unsigned port)
{
	return port == 53 || port == 5353 || port == 5355;
}

/* Writes value/detail as kind unless the case holds that value; server
 * for a pair series (its cite may be the flow's ip.dst), NULL for hours. */
static int write_reading(struct recompute *r, const char *kind,
			 const char *server)
{
	struct store *st = r->st;
	int has = store_has_observation(st, kind, r->value);
	if (has != 0)
		return has < 0 ? -1 : 0;
	struct store_cite cite;
	int found = store_flow_cite(st, r->g.first_flow, r->g.first_source,
				    r->g.client, server, &cite);
	if (found <= 0) {
		r->stats->uncited += found == 0;
		return found;
	}
	size_t dlen = strlen(r->detail);
	if (dlen + 12 >= sizeof r->detail)
		dlen = sizeof r->detail - 12;
	memmove(r->detail + 11, r->detail, dlen + 1);
	memcpy(r->detail, "scope=case ", 11);
	r->detail[dlen + 11] = '\0';
	cite.obs.kind = kind;
	cite.obs.value = r->value;
	cite.obs.detail = r->detail;
	if (store_observation(st, cite.source_id, &cite.obs) != 0)
		return -1;
	r->stats->written++;
	return 0;
}

static int finish_series(struct recompute *r)
{
	struct group *g = &r->g;
	if (!g->open || g->n < BEACON_MIN_BEATS)
		return 0;
	r->stats->series++;
	beacon_analyze_times(r->times, g->n, g->seen, &r->ws, &r->beacon);
	if (!r->beacon.is_beacon)
		return 0;
	char label[400], suffix[16] = "";
	if (g->l4_proto == IP_UDP)
		snprintf(suffix, sizeof suffix, "/udp");
	else if (g->l4_proto != IP_TCP)
		snprintf(suffix, sizeof suffix, "/%d", g->l4_proto);
	snprintf(label, sizeof label,
		 g->ip_version == 6 ? "%s->[%s]:%u%s" : "%s->%s:%u%s", g->client,
		 g->server, g->server_port, suffix);
	describe_beacon(label, false, &r->beacon, r->value, sizeof r->value,
			r->detail, sizeof r->detail);
	size_t before = r->stats->written;
	if (write_reading(r, "beacon", g->server) != 0)
		return -1;
	r->stats->beacons_written += r->stats->written - before;
	return 0;
}

static void open_group(struct group *g, const char *key,
		       const struct store_flow_start *f)
{
	snprintf(g->key, sizeof g->key, "%s", key);
	snprintf(g->client, sizeof g->client, "%s", f->client);
	snprintf(g->server, sizeof g->server, "%s", f->server);
	g->ip_version = f->ip_version;
	g->l4_proto = f->l4_proto;
	g->server_port = f->server_port;
	g->first_flow = f->flow_id;
	g->first_source = f->source_id;
	g->seen = 0;
	g->n = 0;
	g->open = true;
}

static int on_pair_flow(void *ctx, const struct store_flow_start *f)
{
	struct recompute *r = ctx;
	char key[KEY_MAX];
	if (is_resolver_port(f->server_port))
		return 0;
	snprintf(key, sizeof key, "%d %s %s %u %d", f->ip_version, f->client,
		 f->server, f->server_port, f->l4_proto);
	if (!r->g.open || strcmp(key, r->g.key) != 0) {
		if (finish_series(r) != 0)
			return -1;
		open_group(&r->g, key, f);
	}
	r->g.seen++;
	if (r->g.n < BEACON_MAX_TIMES) /* ordered by start: the earliest */
		r->times[r->g.n++] = f->first_us;
	return 0;
}

static int finish_host(struct recompute *r)
{
	if (!r->g.open || r->hist.events < HOURS_MIN_EVENTS)
		return 0;
	r->stats->hosts++;
	hours_estimate_offset(&r->hist, &r->est);
	describe_hours(r->g.client, &r->hist, &r->est, r->value,
		       sizeof r->value, r->detail, sizeof r->detail);
	size_t before = r->stats->written;
	if (write_reading(r, "activity.hours", NULL) != 0)
		return -1;
	r->stats->hours_written += r->stats->written - before;
	return 0;
}

static int on_client_flow(void *ctx, const struct store_flow_start *f)
{
	struct recompute *r = ctx;
	char key[KEY_MAX];
	snprintf(key, sizeof key, "%d %s", f->ip_version, f->client);
	if (!r->g.open || strcmp(key, r->g.key) != 0) {
		if (finish_host(r) != 0)
			return -1;
		open_group(&r->g, key, f);
		hours_histogram_init(&r->hist);
	}
	hours_histogram_add(&r->hist, f->first_us);
	return 0;
}

int behaviour_recompute(struct store *st, struct behaviour_stats *out)
{
	memset(out, 0, sizeof *out);
	struct recompute *r = calloc(1, sizeof *r);
	if (!r)
		return -1;
	r->st = st;
	r->stats = out;
	int rc = store_each_flow_start(st, STORE_FLOWS_BY_PAIR, on_pair_flow, r);
	if (rc == 0)
		rc = finish_series(r);
	r->g.open = false;
	if (rc == 0)
		rc = store_each_flow_start(st, STORE_FLOWS_BY_CLIENT,
					   on_client_flow, r);
	if (rc == 0)
		rc = finish_host(r);
	if (rc == 0)
		rc = store_commit(st);
	free(r);
	return rc == 0 ? 0 : -1;
}
