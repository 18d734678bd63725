/*
 * recompute.c — beacons and working hours over the flows of a whole case
 * (recompute.h).
 */
#include "analyze/behaviour/recompute.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/behaviour/beacon.h"
#include "analyze/behaviour/beacon_parts.h"
#include "analyze/behaviour/describe.h"
#include "analyze/behaviour/hours.h"

enum {
	KEY_MAX = 256,
	VALUE_MAX = 1024,  /* OBS_VALUE_MAX */
	DETAIL_MAX = 12288, /* OBS_DETAIL_MAX */
	IP_TCP = 6,
	IP_UDP = 17,
	PORTS = 65536,
};

/* Per client port of the current pair series: the end of its latest long
 * flow (valid when gen is the series' generation). */
struct port_end {
	uint32_t gen;
	int64_t last_us;
};
static const char scope_prefix[] = "scope=case ";

/* The series or host being gathered, and its earliest flow. */
struct group {
	char client[KEY_MAX], server[KEY_MAX]; /* address text, as stored */
	int ip_version, l4_proto;
	unsigned server_port;
	int64_t first_flow, first_source;
	uint64_t seen;
	uint32_t n;
	bool open;
};

struct behaviour_pass {
	enum behaviour_pass_kind kind;
	behaviour_reading_fn fn;
	void *ctx;
	uint64_t judged;
	struct group g;
	int64_t times[BEACON_MAX_TIMES];
	struct beacon_workspace ws;
	struct beacon_result beacon;
	struct beacon_parts parts;
	int64_t span_first_us, span_last_us; /* of the case's flow starts */
	uint32_t gen;                        /* of the pair series */
	struct port_end ports[PORTS];
	struct hours_histogram hist;
	struct hours_estimate est;
	char value[VALUE_MAX], detail[DETAIL_MAX];
};

static bool is_resolver_port(unsigned port)
{
	return port == 53 || port == 5353 || port == 5355;
}

static int emit(struct behaviour_pass *p, const char *kind, bool pair)
{
	struct behaviour_reading r = {
		.kind = kind, .value = p->value, .detail = p->detail,
		.flow_id = p->g.first_flow, .source_id = p->g.first_source,
		.client = p->g.client, .server = pair ? p->g.server : NULL,
	};
	return p->fn(p->ctx, &r);
}

static int close_series(struct behaviour_pass *p)
{
	struct group *g = &p->g;
	if (!g->open || g->n < BEACON_MIN_BEATS)
		return 0;
	p->judged++;
	beacon_analyze_times(p->times, g->n, g->seen, &p->ws, &p->beacon);
	if (!p->beacon.is_beacon)
		return 0;
	char label[400], suffix[16] = "";
	if (g->l4_proto == IP_UDP)
		snprintf(suffix, sizeof suffix, "/udp");
	else if (g->l4_proto != IP_TCP)
		snprintf(suffix, sizeof suffix, "/%d", g->l4_proto);
	snprintf(label, sizeof label,
		 g->ip_version == 6 ? "%s->[%s]:%u%s" : "%s->%s:%u%s", g->client,
		 g->server, g->server_port, suffix);
	beacon_parts_compute(&p->beacon, p->times, g->n, NULL, 0,
			     p->span_first_us, p->span_last_us, &p->ws,
			     &p->parts);
	memcpy(p->detail, scope_prefix, sizeof scope_prefix);
	describe_beacon(label, "pair", &p->beacon, &p->parts, p->value,
			sizeof p->value, p->detail + sizeof scope_prefix - 1,
			sizeof p->detail - sizeof scope_prefix + 1);
	return emit(p, "beacon", true);
}

static int close_host(struct behaviour_pass *p)
{
	if (!p->g.open || p->hist.events < HOURS_MIN_EVENTS)
		return 0;
	p->judged++;
	hours_estimate_offset(&p->hist, &p->est);
	memcpy(p->detail, scope_prefix, sizeof scope_prefix);
	describe_hours(p->g.client, &p->hist, &p->est, p->value,
		       sizeof p->value, p->detail + sizeof scope_prefix - 1,
		       sizeof p->detail - sizeof scope_prefix + 1);
	return emit(p, "activity.hours", false);
}

/* Copies the text s into out (n bytes), cut to fit. */
static void put_text(char *out, size_t n, const char *s)
{
	size_t len = strlen(s);
	if (len >= n)
		len = n - 1;
	memcpy(out, s, len);
	out[len] = 0;
}

static void open_group(struct group *g, const struct behaviour_flow *f)
{
	put_text(g->client, sizeof g->client, f->client);
	put_text(g->server, sizeof g->server, f->server);
	g->ip_version = f->ip_version;
	g->l4_proto = f->l4_proto;
	g->server_port = f->server_port;
	g->first_flow = f->flow_id;
	g->first_source = f->source_id;
	g->seen = 0;
	g->n = 0;
	g->open = true;
}

/* Whether f belongs to the open group: the same client (and with pair,
 * the same server, port and transport) of the same IP version. An
 * address text too long for the group's copy never matches it. */
static bool in_group(const struct group *g, const struct behaviour_flow *f,
		     bool pair)
{
	if (!g->open || g->ip_version != f->ip_version ||
	    strcmp(g->client, f->client) != 0)
		return false;
	return !pair ||
	       (g->server_port == f->server_port &&
		g->l4_proto == f->l4_proto && strcmp(g->server, f->server) == 0);
}

int behaviour_pass_add(struct behaviour_pass *p, const struct behaviour_flow *f)
{
	int rc = 0;
	if (p->kind == BEHAVIOUR_PAIRS) {
		if (is_resolver_port(f->server_port))
			return 0;
		if (!in_group(&p->g, f, true)) {
			rc = close_series(p);
			open_group(&p->g, f);
			p->gen++;
		}
		/* a piece of a connection the flow table cut: no connection
		 * start (beacon_parts.h), as the family of one source judges */
		struct port_end *pe = &p->ports[f->client_port % PORTS];
		bool going_on = pe->gen == p->gen && f->first_us >= pe->last_us &&
				f->first_us - pe->last_us <=
					BEACON_CONTINUATION_US;
		if (f->last_us - f->first_us >= BEACON_LONG_FLOW_US &&
		    (pe->gen != p->gen || f->last_us > pe->last_us)) {
			pe->gen = p->gen;
			pe->last_us = f->last_us;
		}
		if (going_on)
			return rc;
		p->g.seen++;
		if (p->g.n < BEACON_MAX_TIMES) /* in start order: the earliest */
			p->times[p->g.n++] = f->first_us;
		return rc;
	}
	if (!in_group(&p->g, f, false)) {
		rc = close_host(p);
		open_group(&p->g, f);
		hours_histogram_init(&p->hist);
	}
	hours_histogram_add(&p->hist, f->first_us);
	return rc;
}

int behaviour_pass_finish(struct behaviour_pass *p)
{
	int rc = p->kind == BEHAVIOUR_PAIRS ? close_series(p) : close_host(p);
	p->g.open = false;
	return rc;
}

void behaviour_pass_set_span(struct behaviour_pass *p, int64_t first_us,
			     int64_t last_us)
{
	p->span_first_us = first_us;
	p->span_last_us = last_us;
}

uint64_t behaviour_pass_judged(const struct behaviour_pass *p)
{
	return p->judged;
}

struct behaviour_pass *behaviour_pass_create(enum behaviour_pass_kind kind,
					     behaviour_reading_fn fn,
					     void *ctx)
{
	struct behaviour_pass *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->kind = kind;
	p->fn = fn;
	p->ctx = ctx;
	return p;
}

void behaviour_pass_destroy(struct behaviour_pass *p)
{
	free(p);
}
