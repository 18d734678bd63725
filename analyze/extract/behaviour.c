/*
 * behaviour.c — behaviour family: beacon and activity.hours, computed
 * over a whole source at extract_source_end().
 *
 * At each flow's end the family records the flow's start time in
 *   - the series of its client→server pair (client address, server
 *     address, server port, transport), except for DNS resolver ports
 *     (53, 5353, 5355: lookups of unrelated names, timed by caches),
 *   - the series of its client→server name pair, when the flow has a
 *     server name (the first tls.sni or http.host it emitted, ours or
 *     nDPI's),
 *   - the activity of its client host (flow starts by UTC hour of week),
 *   - for a long flow (at least INFLOW_MIN_FLOW_US, INFLOW_MIN_BURSTS
 *     client bursts), the start times and sizes of its client bursts, in
 *     the series of its connection (client and server address and port,
 *     transport): a beacon inside one long TCP, TLS or QUIC connection.
 *     A burst is the client's payload packets with no gap longer than
 *     INFLOW_BURST_GAP_US; its size is their payload bytes. The pieces
 *     of a connection the flow table cut (hard timeout) add to the same
 *     series, and a piece that continues a connection
 *     (BEACON_CONTINUATION_US, beacon_parts.h) is no connection start
 *     for the pair and name series.
 * Bounds (extract_config): at most behaviour_max_series series and
 * behaviour_max_hosts hosts per source; when a table is full a series or
 * host seen only once so far (a one-off connection) is evicted to make
 * room, so recurring series survive a flood of one-offs; at most
 * behaviour_max_times start times per series and behaviour_max_total_times
 * in all, the first flows to close kept. Everything dropped is counted in
 * the stats (series_dropped, times_dropped, hosts_dropped); a series also
 * counts every connection it saw, kept or not (connections_seen).
 *
 * At source end, each series is judged by analyze/behaviour/beacon.h and
 * those judged beacons are emitted with their named parts
 * (analyze/behaviour/beacon_parts.h); each host with at least
 * HOURS_MIN_EVENTS flow starts gets an activity.hours estimate
 * (analyze/behaviour/hours.h). Both cite the first packet of the earliest
 * flow of the series or host, and carry its flow id. Formats:
 *   beacon          "10.0.0.5->203.0.113.10:443 period=300.1s jitter=0.08
 *                   n=288 score=0.93 interval=0.95 size=- duration=0.98
 *                   hours=1.00" (":53/udp" for other transports,
 *                   "10.0.0.5->c2.example" for a name series,
 *                   "10.0.0.5:51000->203.0.113.10:443 in-flow" for the
 *                   bursts inside one connection; size= only there);
 *                   detail: every input, sub-score and part of the
 *                   judgement, and the beats per UTC hour.
 *   activity.hours  "10.0.0.5 utc_hours=0,0,3,...,1" (24 counts, hour 0
 *                   UTC first); detail: events, MAP offset and its
 *                   probability, the 90% credible set and its mass,
 *                   entropy, flat-model probability, informative=yes|no
 *                   and the reasons when not.
 */
#include "analyze/extract/extract_internal.h"

#include "analyze/extract/acc_table.h"
#include "analyze/extract/behaviour_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/behaviour/beacon.h"
#include "analyze/behaviour/beacon_parts.h"
#include "analyze/behaviour/describe.h"
#include "analyze/behaviour/hours.h"
#include "analyze/parse/text.h"

static void behaviour_ctx_destroy(struct extract *x)
{
	struct behaviour_ctx *c = x->ctx[FAM_BEHAVIOUR];

	if (!c)
		return;
	acc_table_free(&c->series);
	acc_table_free(&c->hosts);
	acc_table_free(&c->pair_hours);
	free(c);
	x->ctx[FAM_BEHAVIOUR] = NULL;
}

static int behaviour_ctx_create(struct extract *x)
{
	struct behaviour_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	x->ctx[FAM_BEHAVIOUR] = c;
	if (acc_table_init(&c->series, x->cfg.behaviour_max_series) != 0 ||
	    acc_table_init(&c->hosts, x->cfg.behaviour_max_hosts) != 0 ||
	    acc_table_init(&c->pair_hours, x->cfg.behaviour_max_series) != 0) {
		behaviour_ctx_destroy(x);
		return -1;
	}
	return 0;
}

/* Counts the flow and keeps the earliest flow's cite and id. */
void bh_acc_note_flow(struct acc_table *t, struct acc *a,
			  const struct extract_flow *s, const struct flow *f)
{
	if (a->seen == 1)
		acc_table_mark_recurring(t, a);
	if (a->seen == 0 || f->first_us < a->first_us) {
		a->first = s->first;
		a->first_flow_id = f->id;
		a->first_us = f->first_us;
	}
	if (a->seen < UINT32_MAX)
		a->seen++;
}

/* Appends a time (t0 first, then data); false when memory is short. */
bool bh_acc_add_time(struct acc *a, int64_t t)
{
	int64_t *times = a->data;

	if (a->n == 0) {
		a->t0 = t;
		a->n = 1;
		return true;
	}
	if (a->n >= a->cap) {
		uint32_t cap = a->cap ? a->cap * 2 : 4;

		times = realloc(a->data, (size_t)cap * sizeof(*times));
		if (!times)
			return false;
		if (a->cap == 0)
			times[0] = a->t0;
		a->data = times;
		a->cap = cap;
	}
	times[a->n++] = t;
	return true;
}

static void series_add(struct extract *x, struct behaviour_ctx *c,
		       uint16_t key_len, const struct extract_flow *s,
		       const struct flow *f)
{
	bool evicted;
	struct acc *a = acc_table_get(&c->series, c->key, key_len, &evicted);

	if (evicted)
		x->stats.series_dropped++; /* the one-off's flow */
	if (!a) {
		x->stats.series_dropped++;
		return;
	}
	bh_acc_note_flow(&c->series, a, s, f);
	if (a->n >= x->cfg.behaviour_max_times ||
	    c->series.times >= x->cfg.behaviour_max_total_times ||
	    !bh_acc_add_time(a, (int64_t)f->first_us)) {
		x->stats.times_dropped++;
		return;
	}
	c->series.times++;
}

/* Switches a host from times to the 168-bin histogram. */
static bool host_densify(struct acc *a)
{
	uint32_t *week = calloc(HOURS_PER_WEEK, sizeof(*week));
	const int64_t *times = a->data;

	if (!week)
		return false;
	for (uint32_t i = 0; i < a->n; i++)
		week[hours_utc_hour_of_week(i ? times[i] : a->t0)]++;
	free(a->data);
	a->data = week;
	a->dense = 1;
	return true;
}

/* Adds f's start to the hours of c->key (key_len bytes: a host, or a
 * client→server pair). */
static void host_add(struct extract *x, struct behaviour_ctx *c,
		     const struct extract_flow *s, const struct flow *f,
		     uint16_t key_len)
{
	bool evicted;
	struct acc_table *t = key_len == KEY_HEAD_LEN ? &c->hosts
						      : &c->pair_hours;
	struct acc *a = acc_table_get(t, c->key, key_len, &evicted);

	if (evicted)
		x->stats.hosts_dropped++;
	if (!a) {
		x->stats.hosts_dropped++;
		return;
	}
	if (a->dense)
		((uint32_t *)a->data)[hours_utc_hour_of_week(
			(int64_t)f->first_us)]++;
	else if (!bh_acc_add_time(a, (int64_t)f->first_us) ||
		 (a->n >= HOURS_MIN_EVENTS && !host_densify(a))) {
		x->stats.hosts_dropped++;
		return;
	}
	bh_acc_note_flow(t, a, s, f);
}

/*
 * A client's flows to its resolver mix unrelated lookups, and their timing
 * follows cache expiry (TTLs), not an operator: such pairs are not
 * beacon series (periodic lookups of one name still show in the name
 * series of the flows that follow them).
 */
bool bh_is_resolver_port(uint16_t port)
{
	return port == 53 || port == 5353 || port == 5355;
}

/* Wants the packets of TCP and UDP flows (client bursts). */
static bool behaviour_flow_start(struct extract *x, struct extract_flow *s,
				 const struct flow *f, const struct packet *pkt)
{
	(void)x; (void)s; (void)pkt;
	return (f->l4_proto == IP_PROTO_TCP || f->l4_proto == IP_PROTO_UDP) &&
	       !bh_is_resolver_port(f->server_port);
}

static void behaviour_flow_end(struct extract *x, struct extract_flow *s,
			       const struct flow *f)
{
	struct behaviour_ctx *c = x->ctx[FAM_BEHAVIOUR];
	uint8_t *k = c->key;
	size_t name_len;

	if (x->sink.flow_summary) {
		const struct inflow *in = s->fam[FAM_BEHAVIOUR];
		struct obs_bursts b = {in ? in->times : NULL,
				       in ? in->sizes : NULL, in ? in->n : 0};
		x->sink.flow_summary(x->sink.ctx, f, &s->first, s->server_name,
				     in ? &b : NULL);
		return;
	}
	/* the span of the source's flow starts (as recompute.c reads it) */
	if (c->span_first_us == 0 || (int64_t)f->first_us < c->span_first_us)
		c->span_first_us = (int64_t)f->first_us;
	if ((int64_t)f->first_us > c->span_last_us)
		c->span_last_us = (int64_t)f->first_us;
	bool going_on = bh_continues_connection(x, c, f);
	bh_inflow_add(x, c, s, f, s->fam[FAM_BEHAVIOUR]);

	memset(k, 0, KEY_HEAD_LEN);
	k[0] = KEY_HOST;
	k[1] = f->ip_version;
	memcpy(k + 2, f->client, 16);
	host_add(x, c, s, f, KEY_HEAD_LEN);
	if (going_on)
		return; /* not a connection start: no start series */

	if (!bh_is_resolver_port(f->server_port)) {
		k[0] = KEY_PAIR;
		memcpy(k + KEY_HEAD_LEN, f->server, 16);
		k[KEY_HEAD_LEN + 16] = (uint8_t)(f->server_port >> 8);
		k[KEY_HEAD_LEN + 17] = (uint8_t)f->server_port;
		k[KEY_HEAD_LEN + 18] = f->l4_proto;
		series_add(x, c, KEY_PAIR_LEN, s, f);
		k[0] = KEY_PAIR_HOURS;
		host_add(x, c, s, f, KEY_PAIR_LEN);
	}

	if (!s->server_name)
		return;
	k[0] = KEY_NAME;
	name_len = strnlen(s->server_name, KEY_MAX - KEY_HEAD_LEN);
	memcpy(k + KEY_HEAD_LEN, s->server_name, name_len);
	series_add(x, c, (uint16_t)(KEY_HEAD_LEN + name_len), s, f);
}

void extract_behaviour_flow(struct extract *x, const struct flow *f,
			    const struct obs_cite *first,
			    const char *server_name,
			    const struct obs_bursts *bursts)
{
	struct extract_flow s;
	struct obs_sink saved = x->sink;
	struct inflow in;

	memset(&s, 0, sizeof(s));
	memset(&in, 0, sizeof(in));
	if (bursts) {
		/* read only by bh_inflow_add() */
		in.times = (int64_t *)bursts->times;
		in.sizes = (int64_t *)bursts->sizes;
		in.n = bursts->n;
		s.fam[FAM_BEHAVIOUR] = &in;
	}
	s.first = *first;
	s.flow_id = f->id;
	s.server_name = (char *)server_name; /* read only below */
	x->sink.flow_summary = NULL;
	behaviour_flow_end(x, &s, f);
	x->sink = saved;
}

/* "client->server:port[/proto]" or "client->name" of a series key. */
void bh_series_label(const struct acc *a, char *out, size_t size)
{
	char client[80], server[64];
	uint8_t ver = a->key[1];

	ex_addr_text(a->key + 2, ver, client, sizeof(client));
	if (a->key[0] == KEY_CHANNEL) {
		unsigned cport = (unsigned)a->key[KEY_HEAD_LEN + 19] << 8 |
				 a->key[KEY_HEAD_LEN + 20];
		char with_port[80];
		snprintf(with_port, sizeof(with_port),
			 ver == 6 ? "[%s]:%u" : "%s:%u", client, cport);
		snprintf(client, sizeof(client), "%s", with_port);
	}
	if (a->key[0] == KEY_NAME) {
		snprintf(out, size, "%s->%.*s", client,
			 (int)(a->key_len - KEY_HEAD_LEN),
			 (const char *)a->key + KEY_HEAD_LEN);
		return;
	}
	ex_addr_text(a->key + KEY_HEAD_LEN, ver, server, sizeof(server));
	unsigned port = (unsigned)a->key[KEY_HEAD_LEN + 16] << 8 |
			a->key[KEY_HEAD_LEN + 17];
	uint8_t proto = a->key[KEY_HEAD_LEN + 18];
	char suffix[16] = "";

	if (proto == IP_PROTO_UDP)
		snprintf(suffix, sizeof(suffix), "/udp");
	else if (proto != IP_PROTO_TCP)
		snprintf(suffix, sizeof(suffix), "/%u", proto);
	snprintf(out, size, ver == 6 ? "%s->[%s]:%u%s%s" : "%s->%s:%u%s%s",
		 client, server, port, suffix,
		 a->key[0] == KEY_CHANNEL ? " in-flow" : "");
}

static void emit_beacon(struct extract *x, struct behaviour_ctx *c,
			const struct acc *a)
{
	char label[400], value[OBS_VALUE_MAX];

	bh_series_label(a, label, sizeof(label));
	describe_beacon(label,
			a->key[0] == KEY_NAME      ? "name"
			: a->key[0] == KEY_CHANNEL ? "in-flow"
						   : "pair",
			&c->beacon, &c->parts, value, sizeof(value), x->detail,
			sizeof(x->detail));
	ex_emit_cited(x, OBS_BEACON, value, x->detail, &a->first,
		      a->first_flow_id);
}

static void emit_hours(struct extract *x, struct behaviour_ctx *c,
		       const struct acc *a)
{
	char host[64], value[OBS_VALUE_MAX];

	ex_addr_text(a->key + 2, a->key[1], host, sizeof(host));
	describe_hours(host, &c->hist, &c->est, value, sizeof(value),
		       x->detail, sizeof(x->detail));
	ex_emit_cited(x, OBS_ACTIVITY_HOURS, value, x->detail, &a->first,
		      a->first_flow_id);
}

static void behaviour_source_end(struct extract *x)
{
	struct behaviour_ctx *c = x->ctx[FAM_BEHAVIOUR];

	for (uint32_t i = 0; i < c->series.count; i++) {
		const struct acc *a = c->series.order[i];
		const struct acc *sizes = NULL;

		if (a->n < BEACON_MIN_BEATS || a->key[0] == KEY_CHANNEL_SIZES ||
		    a->key[0] == KEY_LONG_END)
			continue;
		/* with n ≥ 2 an entry's data holds all its n values */
		beacon_analyze_times(a->data, a->n, a->seen, &c->ws,
				     &c->beacon);
		if (!c->beacon.is_beacon)
			continue;
		if (a->key[0] == KEY_PAIR) /* its flows are machine-driven */
			((struct acc *)a)->dense = ACC_BEACON;
		if (a->key[0] == KEY_CHANNEL) {
			memcpy(c->key, a->key, KEY_CHANNEL_LEN);
			c->key[0] = KEY_CHANNEL_SIZES;
			sizes = acc_table_find(&c->series, c->key,
					       KEY_CHANNEL_LEN);
			if (sizes && sizes->n < 2)
				sizes = NULL;
		}
		beacon_parts_compute(&c->beacon, a->data, a->n,
				     sizes ? sizes->data : NULL,
				     sizes ? sizes->n : 0, c->span_first_us,
				     c->span_last_us, &c->ws, &c->parts);
		emit_beacon(x, c, a);
	}
	c->span_first_us = c->span_last_us = 0;
	bh_pair_hours(x, c);
	for (uint32_t i = 0; i < c->hosts.count; i++) {
		const struct acc *a = c->hosts.order[i];
		const uint32_t *week = a->data;

		if (!a->dense || a->key[0] != KEY_HOST)
			continue;
		hours_histogram_init(&c->hist);
		for (int h = 0; h < HOURS_PER_WEEK; h++) {
			c->hist.by_utc_hour_of_week[h] = week[h];
			c->hist.events += week[h];
		}
		hours_estimate_offset(&c->hist, &c->est);
		emit_hours(x, c, a);
	}
	acc_table_clear(&c->series);
	acc_table_clear(&c->hosts);
	acc_table_clear(&c->pair_hours);
}

const struct extractor extract_behaviour = {
	.name = "behaviour",
	.ctx_create = behaviour_ctx_create,
	.ctx_destroy = behaviour_ctx_destroy,
	.flow_start = behaviour_flow_start,
	.packet = bh_packet,
	.flow_free = bh_flow_free,
	.flow_end = behaviour_flow_end,
	.source_end = behaviour_source_end,
};
