/*
 * behaviour_inflow.c — the behaviour family's view inside one flow: the
 * client's bursts of a long flow, added to the series of its connection
 * (a beacon inside one long connection), and the rule that makes a piece
 * of one long connection no connection start (behaviour.c describes
 * both; docs/indicators.md "Beaconing").
 */
#include "analyze/extract/extract_internal.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/extract/acc_table.h"
#include "analyze/extract/behaviour_internal.h"

/* Grows a flow's burst arrays; false when full or out of memory. */
static bool inflow_grow(struct inflow *b)
{
	uint32_t cap = b->cap ? b->cap * 2 : 8;
	int64_t *times, *sizes;

	if (b->cap >= INFLOW_MAX_BURSTS)
		return false;
	if (cap > INFLOW_MAX_BURSTS)
		cap = INFLOW_MAX_BURSTS;
	times = realloc(b->times, (size_t)cap * sizeof(*times));
	if (!times)
		return false;
	b->times = times;
	sizes = realloc(b->sizes, (size_t)cap * sizeof(*sizes));
	if (!sizes)
		return false;
	b->sizes = sizes;
	b->cap = cap;
	return true;
}

/* A client payload packet: a new burst after a silence, else the
 * current burst grows. */
void bh_packet(struct extract *x, struct extract_flow *s,
			     const struct flow *f, enum flow_dir dir,
			     const struct packet *pkt)
{
	struct inflow *b = s->fam[FAM_BEHAVIOUR];
	int64_t t = (int64_t)pkt->ts_us;

	(void)f;
	if (dir != FLOW_DIR_C2S || pkt->payload_len == 0)
		return;
	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return;
		s->fam[FAM_BEHAVIOUR] = b;
	}
	if (b->n > 0 && t - b->last_us <= INFLOW_BURST_GAP_US) {
		b->sizes[b->n - 1] += pkt->payload_len;
	} else if (b->n < b->cap || inflow_grow(b)) {
		b->times[b->n] = t;
		b->sizes[b->n++] = pkt->payload_len;
	} else {
		b->dropped++;
		x->stats.times_dropped++;
	}
	if (t > b->last_us)
		b->last_us = t;
}

void bh_flow_free(struct extract *x, struct extract_flow *s)
{
	struct inflow *b = s->fam[FAM_BEHAVIOUR];

	(void)x;
	if (!b)
		return;
	free(b->times);
	free(b->sizes);
	free(b);
	s->fam[FAM_BEHAVIOUR] = NULL;
}

/* The channel key of f's connection into c->key (type KEY_CHANNEL). */
static void channel_key(struct behaviour_ctx *c, const struct flow *f)
{
	uint8_t *k = c->key;

	memset(k, 0, KEY_CHANNEL_LEN);
	k[0] = KEY_CHANNEL;
	k[1] = f->ip_version;
	memcpy(k + 2, f->client, 16);
	memcpy(k + KEY_HEAD_LEN, f->server, 16);
	k[KEY_HEAD_LEN + 16] = (uint8_t)(f->server_port >> 8);
	k[KEY_HEAD_LEN + 17] = (uint8_t)f->server_port;
	k[KEY_HEAD_LEN + 18] = f->l4_proto;
	k[KEY_HEAD_LEN + 19] = (uint8_t)(f->client_port >> 8);
	k[KEY_HEAD_LEN + 20] = (uint8_t)f->client_port;
}

/*
 * True when f continues a connection an earlier long flow of the same
 * endpoints held (beacon_parts.h, BEACON_CONTINUATION_US); then notes f's
 * own end when f is long, for the flow that may continue it.
 */
bool bh_continues_connection(struct extract *x, struct behaviour_ctx *c,
				 const struct flow *f)
{
	const struct acc *prev;
	bool going_on = false, evicted;

	channel_key(c, f);
	c->key[0] = KEY_LONG_END;
	prev = acc_table_find(&c->series, c->key, KEY_CHANNEL_LEN);
	if (prev && prev->n > 0 && (int64_t)f->first_us >= prev->t0 &&
	    (int64_t)f->first_us - prev->t0 <= BEACON_CONTINUATION_US)
		going_on = true;
	if (f->last_us - f->first_us < (uint64_t)BEACON_LONG_FLOW_US)
		return going_on;
	struct acc *a = acc_table_get(&c->series, c->key, KEY_CHANNEL_LEN,
				      &evicted);
	if (evicted)
		x->stats.series_dropped++;
	if (a && (a->n == 0 || (int64_t)f->last_us > a->t0)) {
		a->t0 = (int64_t)f->last_us; /* kept in t0 only: no data */
		a->n = 1;
	}
	return going_on;
}

/* Adds the bursts of a long flow to its connection's series (times) and
 * the twin series of their sizes. */
void bh_inflow_add(struct extract *x, struct behaviour_ctx *c,
		       const struct extract_flow *s, const struct flow *f,
		       const struct inflow *b)
{
	uint8_t *k = c->key;
	bool evicted;

	if (!b || b->n < INFLOW_MIN_BURSTS ||
	    f->last_us - f->first_us < (uint64_t)INFLOW_MIN_FLOW_US)
		return;
	channel_key(c, f);
	for (int pass = 0; pass < 2; pass++) {
		const int64_t *v = pass ? b->sizes : b->times;
		k[0] = pass ? KEY_CHANNEL_SIZES : KEY_CHANNEL;
		struct acc *a = acc_table_get(&c->series, k, KEY_CHANNEL_LEN,
					      &evicted);
		if (evicted)
			x->stats.series_dropped++;
		if (!a) {
			x->stats.series_dropped++;
			return;
		}
		bh_acc_note_flow(&c->series, a, s, f);
		if (a->seen < 2)
			acc_table_mark_recurring(&c->series, a);
		for (uint32_t i = 0; i < b->n; i++) {
			if (a->n >= x->cfg.behaviour_max_times ||
			    c->series.times >= x->cfg.behaviour_max_total_times ||
			    !bh_acc_add_time(a, v[i])) {
				x->stats.times_dropped++;
				break;
			}
			c->series.times++;
		}
	}
}
