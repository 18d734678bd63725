/*
 * writer.c — merges the workers' records and writes them (see writer.h).
 *
 * Flow ids. A worker numbers its flows 1, 2, ...; the writer sees each
 * flow's EV_FLOW_NEW in the merged order, which is the order of the
 * frames that created them, and gives it the next case id: the same ids
 * a single flow table numbering flows as it creates them would give.
 * The map from (worker, worker id) to case id holds the flows still open.
 */
#include "analyze/ingest/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/crypto/digest.h"
#include "analyze/ingest/idmap.h"
#include "analyze/ingest/pipeline.h"

struct writer {
	struct store *st;
	struct extract *behaviour;  /* series, hours, once-per-source set */
	struct idmap ids;           /* (worker << 48 | worker id) → case id */
	int64_t source_id;
	uint64_t next_flow_id;
	uint32_t anomaly_cap;
	uint32_t anomaly_seen[ANOM_COUNT];
	int failed;
	char err[512];
	char detail[OBS_DETAIL_MAX];
};

static const char *close_reason_name(enum flow_close_reason why)
{
	switch (why) {
	case FLOW_CLOSE_IDLE: return "idle";
	case FLOW_CLOSE_HARD: return "hard_timeout";
	case FLOW_CLOSE_TCP_END: return "tcp_end";
	case FLOW_CLOSE_EVICTED: return "evicted";
	case FLOW_CLOSE_END: return "end_of_input";
	}
	return "unknown";
}

static void fail(struct writer *w, const char *why)
{
	if (!w->failed)
		snprintf(w->err, sizeof w->err, "%s", why);
	w->failed = 1;
}

static void write_obs(struct writer *w, enum obs_kind kind,
		      const char *value, const char *detail,
		      const struct obs_cite *c, uint64_t flow_id)
{
	struct store_obs so = {
		.kind = obs_kind_name(kind), .value = value, .detail = detail,
		.flow_id = flow_id, .frame = c->frame,
		.file_offset = c->file_offset, .caplen = c->caplen,
		.ts_us = c->ts_us, .packet_sha256_raw = c->sha256,
	};
	if (!w->failed && store_observation(w->st, w->source_id, &so) != 0)
		fail(w, store_error(w->st));
}

/* Sink of the writer's own extraction stage (behaviour at source end):
 * its flow ids are case ids already. */
static void on_behaviour_obs(void *ctx, const struct obs *o)
{
	struct writer *w = ctx;
	if (o->cite)
		write_obs(w, o->kind, o->value, o->detail, o->cite, o->flow_id);
}

struct writer *writer_create(struct store *st, const struct extract_config *xc)
{
	struct writer *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->st = st;
	w->anomaly_cap = xc->anomaly_obs_cap;
	struct obs_sink sink = {.emit = on_behaviour_obs, .ctx = w};
	struct extract_config bc = *xc;
	bc.stream_budget_bytes = 0; /* it never reads a stream */
	if (!(w->behaviour = extract_create(&sink, &bc))) {
		free(w);
		return NULL;
	}
	return w;
}

void writer_begin(struct writer *w, int64_t source_id, uint64_t first_flow_id)
{
	w->source_id = source_id;
	w->next_flow_id = first_flow_id;
	w->err[0] = 0;
	memset(w->anomaly_seen, 0, sizeof w->anomaly_seen);
	idmap_clear(&w->ids);
	/* forgets the series and values of a source that did not end,
	 * writing nothing */
	w->failed = 1;
	extract_source_end(w->behaviour);
	w->failed = 0;
}

const char *writer_error(const struct writer *w)
{
	return w->err;
}

/*
 * The anomaly observations: the first anomaly_cap of each name in the
 * merged order are kept, numbered n=1, 2, ... as one stage would number
 * them (each worker numbered its own). NULL to drop the observation, else
 * the detail to write.
 */
static const char *anomaly_detail(struct writer *w, const char *name,
				  const char *detail)
{
	int a = 0;
	while (a < ANOM_COUNT && strcmp(anomaly_name((enum anomaly)a), name))
		a++;
	if (a == ANOM_COUNT || !detail)
		return detail;
	if (++w->anomaly_seen[a] > w->anomaly_cap)
		return NULL;
	const char *n = strstr(detail, " n=");
	if (!n)
		return detail;
	snprintf(w->detail, sizeof w->detail, "%.*s n=%u", (int)(n - detail),
		 detail, w->anomaly_seen[a]);
	return w->detail;
}

static uint64_t map_key(unsigned worker, uint64_t id)
{
	return (uint64_t)worker << 48 | id;
}

static void write_event(struct writer *w, unsigned worker,
			const struct ev_batch *b, const struct ev *e)
{
	const char *value = ev_batch_at(b, e->value);
	const char *detail = ev_batch_at(b, e->detail);
	uint64_t key = map_key(worker, e->flow_id);
	uint64_t id = e->flow_id ? idmap_get(&w->ids, key) : 0;
	struct flow f;
	store_set_frame(w->st, e->frame);
	switch ((enum ev_type)e->type) {
	case EV_FLOW_NEW:
		if (idmap_put(&w->ids, key, w->next_flow_id++) != 0)
			fail(w, "out of memory (flow ids)");
		return;
	case EV_OBS:
		if (e->code == OBS_ANOMALY &&
		    !(detail = anomaly_detail(w, value, detail)))
			return;
		if (extract_seen_in_source(w->behaviour, e->code, value))
			return;
		write_obs(w, e->code, value, detail, &e->cite, id);
		return;
	case EV_BEHAVIOUR: {
		struct obs_bursts bursts = {0};
		if (e->result != EV_NONE) {
			/* n, then (8-aligned) n times, then n sizes: worker.c */
			memcpy(&bursts.n, ev_batch_at(b, e->result),
			       sizeof bursts.n);
			bursts.times = ev_batch_at(b, e->result + 8);
			bursts.sizes = bursts.times + bursts.n;
		}
		memcpy(&f, ev_batch_at(b, e->flow), sizeof f);
		f.id = id;
		extract_behaviour_flow(w->behaviour, &f, &e->cite, value,
				       e->result != EV_NONE ? &bursts : NULL);
		return;
	}
	case EV_FLOW:
		memcpy(&f, ev_batch_at(b, e->flow), sizeof f);
		f.id = id;
		f.user = NULL;
		idmap_del(&w->ids, key);
		if (!w->failed &&
		    store_flow(w->st, w->source_id, &f, ev_batch_at(b, e->result),
			       close_reason_name(e->code)) != 0)
			fail(w, store_error(w->st));
		return;
	}
}

/* Writes the batches' records in the merged order. */
static void merge(struct writer *w, struct ev_batch *const *batches,
		  unsigned n)
{
	size_t pos[PIPELINE_MAX_JOBS] = {0};
	for (;;) {
		unsigned best = n;
		for (unsigned i = 0; i < n; i++) {
			if (pos[i] >= batches[i]->count)
				continue;
			if (best == n ||
			    ev_order(&batches[i]->evs[pos[i]],
				     &batches[best]->evs[pos[best]]) < 0)
				best = i;
		}
		if (best == n)
			return;
		write_event(w, best, batches[best],
			    &batches[best]->evs[pos[best]]);
		pos[best]++;
	}
}

int writer_epoch(struct writer *w, const struct epoch_rec *rec,
		 struct ev_batch *const *batches, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!batches[i] || batches[i]->failed)
			fail(w, "out of memory (flow worker)");
	if (w->failed)
		return -1;
	merge(w, batches, n);
	for (int a = 0; a < ANOM_COUNT; a++) {
		store_anomaly_count(w->st, (enum anomaly)a, rec->tally[a].count,
				    rec->tally[a].first_frame);
		store_unplaced_count(w->st, (enum anomaly)a,
				     rec->unplaced[a].count,
				     rec->unplaced[a].first_frame);
		for (unsigned i = 0; i < n; i++)
			store_anomaly_count(w->st, (enum anomaly)a,
					    batches[i]->tally[a].count,
					    batches[i]->tally[a].first_frame);
	}
	if (rec->end) {
		store_set_frame(w->st, rec->last_frame);
		extract_source_end(w->behaviour);
	}
	if (!w->failed && rec->commit) {
		store_set_frame(w->st, rec->last_frame);
		if (store_checkpoint(w->st, w->source_id, rec->last_frame,
				     rec->packets, rec->first_us,
				     rec->last_us) != 0)
			fail(w, store_error(w->st));
	}
	return w->failed ? -1 : 0;
}

void writer_destroy(struct writer *w)
{
	if (!w)
		return;
	idmap_clear(&w->ids);
	extract_destroy(w->behaviour);
	free(w);
}
