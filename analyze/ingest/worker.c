/*
 * worker.c — a flow worker (see worker.h): flow table → nDPI → extractors,
 * every record tagged with its order key (events.h).
 *
 * Per flow the worker hangs a small record on flow->user: the DPI state
 * while detection runs (freed as soon as DPI is done, so memory is bounded
 * by the flows still under detection) and the DPI result after.
 *
 * The key of a record is (frame being handled, end of source, first frame
 * of the flow on whose behalf it is made, emission order): cur_frame,
 * at_end and cur_sub below are set at every entry point — a packet, a
 * tick, a flow closing, the end of the source.
 */
#include "analyze/ingest/worker.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 24 bytes while detection runs (most open flows of a busy capture):
 * the 152-byte result is allocated when detection ends. */
struct flow_dpi {
	struct dpi_flow *state;    /* NULL once detection is done */
	struct extract_flow *xf;   /* indicator extractors' state */
	struct dpi_result *result; /* NULL until detection is done */
};

struct worker {
	struct dpi *dpi;
	struct extract *extract;
	struct dpi_meta meta;      /* scratch for dpi_meta() */
	struct dpi_result result;  /* a verdict no memory was left for */
	bool oom;                  /* out of memory in a flow callback */
	struct flow_table_config fc;
	struct flow_table *flows;
	struct ev_batch *out;      /* records of the epoch being handled */
	bool failed;               /* a worker thread: out of memory once */
	uint64_t cur_frame, cur_sub;
	uint8_t at_end;
	bool discard;              /* closing flows records nothing */
	struct worker_stats stats;
};

/* ---- records ---- */

static void add_event(struct worker *w, struct ev *e, const char *value,
		      const char *detail)
{
	if (w->discard || !w->out)
		return;
	e->frame = w->cur_frame;
	e->sub = w->cur_sub;
	e->at_end = w->at_end;
	ev_batch_add(w->out, e, value, detail, NULL);
}

/* Sink of the extractors: observations with their packet citation. */
static void on_observation(void *ctx, const struct obs *o)
{
	struct worker *w = ctx;
	if (!o->cite)
		return; /* an observation must cite a packet */
	struct ev e = {.type = EV_OBS, .code = (uint8_t)o->kind,
		       .flow_id = o->flow_id, .cite = *o->cite,
		       .flow = EV_NONE, .result = EV_NONE};
	add_event(w, &e, o->value, o->detail);
}

/* Sink of the behaviour family: the writer keeps every worker's series. */
static void on_flow_summary(void *ctx, const struct flow *f,
			    const struct obs_cite *first,
			    const char *server_name,
			    const struct obs_bursts *bursts)
{
	struct worker *w = ctx;
	if (w->discard || !w->out)
		return;
	struct ev e = {.type = EV_BEHAVIOUR, .flow_id = f->id,
		       .cite = *first, .result = EV_NONE};
	e.flow = ev_batch_copy(w->out, f, sizeof *f);
	if (bursts && bursts->n) {
		/* the bursts: n, then n times, then n sizes */
		size_t n = bursts->n;
		e.result = ev_batch_copy(w->out, &bursts->n, sizeof bursts->n);
		if (e.result == EV_NONE ||
		    ev_batch_copy(w->out, bursts->times, n * sizeof(int64_t)) ==
			    EV_NONE ||
		    ev_batch_copy(w->out, bursts->sizes, n * sizeof(int64_t)) ==
			    EV_NONE)
			return;
	}
	if (e.flow != EV_NONE)
		add_event(w, &e, server_name, NULL);
}

/* ---- flows ---- */

/* Detection of the flow is over: read nDPI's verdict and metadata, hand
 * them to the extractors, free nDPI's state. */
static void finish_dpi(struct worker *w, struct flow *f, struct flow_dpi *fd)
{
	struct dpi_result *r = malloc(sizeof *r);
	if (r)
		fd->result = r;
	else {
		w->oom = true; /* the worker fails: its records are void */
		r = &w->result;
	}
	dpi_result(w->dpi, fd->state, r);
	bool has_meta = dpi_meta(fd->state, &w->meta);
	extract_dpi_done(w->extract, &fd->xf, f, r,
			 has_meta ? &w->meta : NULL);
	dpi_flow_free(fd->state);
	fd->state = NULL;
}

/* Flow table callback: finish detection and extraction, record the flow,
 * free its state. */
static void on_flow_close(struct flow *f, enum flow_close_reason why,
			  void *ctx)
{
	struct worker *w = ctx;
	struct flow_dpi *fd = f->user;
	struct dpi_result unknown;
	const struct dpi_result *r = &unknown;
	w->cur_sub = f->first_frame;
	if (fd) {
		if (fd->state)
			finish_dpi(w, f, fd);
		extract_flow_end(w->extract, &fd->xf, f, NULL, NULL);
	}
	if (fd && fd->result) {
		r = fd->result;
	} else {
		memset(&unknown, 0, sizeof unknown);
		snprintf(unknown.proto, sizeof unknown.proto, "Unknown");
		snprintf(unknown.category, sizeof unknown.category,
			 "Unspecified");
	}
	if (why == FLOW_CLOSE_EVICTED && w->out && !w->discard) {
		struct ev_tally *t = &w->out->tally[ANOM_FLOW_TABLE_FULL];
		if (t->count++ == 0 || w->cur_frame < t->first_frame)
			t->first_frame = w->cur_frame;
	}
	if (!w->discard && w->out) {
		struct ev e = {.type = EV_FLOW, .code = (uint8_t)why,
			       .flow_id = f->id};
		e.flow = ev_batch_copy(w->out, f, sizeof *f);
		e.result = ev_batch_copy(w->out, r, sizeof *r);
		if (e.flow != EV_NONE && e.result != EV_NONE)
			add_event(w, &e, NULL, NULL);
	}
	if (fd)
		free(fd->result);
	free(fd);
	f->user = NULL;
}

/* Gives the packet to DPI while the flow's detection still runs. */
static int feed_dpi(struct worker *w, struct flow *f, bool created,
		    enum flow_dir dir, const struct packet *pkt)
{
	struct flow_dpi *fd = f->user;
	if (created && !fd) {
		fd = calloc(1, sizeof *fd);
		if (!fd)
			return -1;
		fd->state = dpi_flow_new(w->dpi);
		if (!fd->state) {
			free(fd);
			return -1;
		}
		f->user = fd;
	}
	if (!fd || !fd->state)
		return 0;

	w->stats.dpi_packets++;
	if (!dpi_feed(w->dpi, fd->state, pkt, (int)dir))
		finish_dpi(w, f, fd);
	return 0;
}

static int handle_packet(struct worker *w, const struct item *it)
{
	const struct packet *pkt = &it->pkt;
	w->cur_frame = pkt->frame;
	w->cur_sub = 0;
	if (!pkt->ip_version || (pkt->flags & PKT_DEFRAG_HELD)) {
#ifndef ATTRIB_BENCH_NO_EXTRACT
		extract_packet(w->extract, NULL, NULL, FLOW_DIR_C2S, pkt);
#endif
		return 0;
	}
	enum flow_dir dir;
	bool created = false;
	struct flow *f = flow_table_update_clocked(w->flows, pkt, it->clock_us,
						   &dir, &created);
	if (!f)
		return -1;
	w->cur_sub = f->first_frame;
	if (created) {
		w->stats.flows++;
		struct ev e = {.type = EV_FLOW_NEW, .flow_id = f->id,
			       .flow = EV_NONE, .result = EV_NONE};
		add_event(w, &e, NULL, NULL);
	}
	if (feed_dpi(w, f, created, dir, pkt) != 0)
		return -1;
	struct flow_dpi *fd = f->user;
#ifdef ATTRIB_BENCH_NO_EXTRACT
	(void)fd; /* benchmark-only build (make bench): no extraction */
#else
	extract_packet(w->extract, fd ? &fd->xf : NULL, f, dir, pkt);
#endif
	return 0;
}

/* Hands the epoch's records over, sorted, and starts the next batch. */
static int take_batch(struct worker *w, uint64_t epoch, struct ev_batch **done)
{
	struct ev_batch *b = w->out;
	w->out = ev_batch_new();
	if (!b)
		return -1;
	b->epoch = epoch;
	ev_batch_sort(b);
	*done = b;
	return w->out ? 0 : -1;
}

static int handle_item(struct worker *w, struct item *it,
		       struct ev_batch **done)
{
	switch ((enum item_type)it->type) {
	case ITEM_PACKET:
		return handle_packet(w, it);
	case ITEM_TICK:
		w->cur_frame = it->frame;
		flow_table_expire(w->flows, it->clock_us);
		return 0;
	case ITEM_EPOCH:
		return take_batch(w, it->epoch, done);
	case ITEM_BEGIN:
		return worker_begin(w);
	case ITEM_END:
		w->cur_frame = it->frame;
		w->at_end = 1;
		flow_table_flush(w->flows);
		extract_source_end(w->extract);
		w->at_end = 0;
		return take_batch(w, it->epoch, done);
	}
	return 0;
}

int worker_handle(struct worker *w, struct item *it, struct ev_batch **done)
{
	*done = NULL;
	int rc = handle_item(w, it, done);
	return w->oom ? -1 : rc;
}

/* ---- life ---- */

struct worker *worker_create(struct dpi *dpi, const struct flow_table_config *fc,
			     const struct extract_config *xc)
{
	struct worker *w = calloc(1, sizeof *w);
	if (!w)
		goto fail;
	w->dpi = dpi;
	w->fc = *fc;
	w->fc.first_id = 1;
	struct obs_sink sink = {.emit = on_observation, .ctx = w,
				.flow_summary = on_flow_summary};
	if (!(w->extract = extract_create(&sink, xc)))
		goto free_worker;
	if (!(w->out = ev_batch_new()))
		goto free_extract;
	return w;

free_extract:
	extract_destroy(w->extract);
free_worker:
	free(w);
fail:
	dpi_destroy(dpi);
	return NULL;
}

/* Closes every open flow without recording it (frees their state). */
static void drop_flows(struct worker *w)
{
	if (!w->flows)
		return;
	w->discard = true;
	flow_table_flush(w->flows);
	extract_source_end(w->extract);
	w->discard = false;
	flow_table_destroy(w->flows);
	w->flows = NULL;
}

int worker_begin(struct worker *w)
{
	drop_flows(w);
	memset(&w->stats, 0, sizeof w->stats);
	w->at_end = 0;
	ev_batch_free(w->out);
	w->out = ev_batch_new();
	w->flows = flow_table_create(&w->fc, on_flow_close, w);
	if (!w->out || !w->flows)
		return -1;
	/* each source's verdicts its own, whatever was read before (dpi.h) */
	return dpi_forget(w->dpi);
}

const struct worker_stats *worker_stats(const struct worker *w)
{
	return &w->stats;
}

/* Bytes of batch data the item's packet takes: its bytes and, for a
 * reassembled datagram, the completing frame's bytes and the fragments'
 * frame numbers (8-byte aligned). */
static void item_lengths(const struct item *it, size_t *len, size_t *rec_len,
			 size_t *frames_len)
{
	const struct packet *pk = &it->pkt;
	*len = *rec_len = *frames_len = 0;
	if (it->type != ITEM_PACKET)
		return;
	*len = pk->caplen;
	*rec_len = pk->record ? pk->record_caplen : 0;
	*frames_len = pk->fragment_frames
			      ? pk->fragment_count * sizeof(uint64_t)
			      : 0;
}

/* 7: the alignment of the frame numbers, wherever they start */
static size_t need_of(size_t len, size_t rec_len, size_t frames_len)
{
	return (len + rec_len + 7) / 8 * 8 + frames_len + 7;
}

size_t pkt_batch_need(const struct item *it)
{
	size_t len, rec_len, frames_len;
	item_lengths(it, &len, &rec_len, &frames_len);
	return need_of(len, rec_len, frames_len);
}

int pkt_batch_put(struct pkt_batch *b, const struct item *it, unsigned worker)
{
	size_t len, rec_len, frames_len;
	item_lengths(it, &len, &rec_len, &frames_len);
	if (b->count == PKT_BATCH_ITEMS ||
	    b->data_used + need_of(len, rec_len, frames_len) > b->data_cap)
		return -1;
	const struct packet *pk = &it->pkt;
	struct item *slot = &b->items[b->count++];
	*slot = *it;
	slot->worker = (uint8_t)worker;
	if (len) {
		memcpy(b->data + b->data_used, pk->data, len);
		slot->data_off = b->data_used;
		b->data_used += len;
	}
	if (rec_len) {
		memcpy(b->data + b->data_used, pk->record, rec_len);
		slot->record_off = b->data_used;
		b->data_used += rec_len;
	}
	if (frames_len) {
		b->data_used = (b->data_used + 7) / 8 * 8;
		memcpy(b->data + b->data_used, pk->fragment_frames, frames_len);
		slot->frames_off = b->data_used;
		b->data_used += frames_len;
	}
	slot->pkt.data = NULL;
	return 0;
}

/* Points the packet of an item taken from b at its bytes in b. */
static void item_unpack(struct pkt_batch *b, struct item *it)
{
	if (it->type != ITEM_PACKET)
		return;
	it->pkt.data = b->data + it->data_off;
	if (it->pkt.record)
		it->pkt.record = b->data + it->record_off;
	if (it->pkt.fragment_frames)
		it->pkt.fragment_frames =
			(const uint64_t *)(b->data + it->frames_off);
}

/* Handles one item with the worker it names; an epoch's records go on
 * l->out. */
static void lane_handle(const struct worker_lane *l, struct item *it)
{
	struct worker *w = l->workers[it->worker];
	struct ev_batch *done = NULL;
	bool ends = it->type == ITEM_EPOCH || it->type == ITEM_END;
	if (!w->failed && worker_handle(w, it, &done) != 0)
		w->failed = true;
	if (w->failed && ends && !done) {
		done = ev_batch_new();
		if (done)
			done->epoch = it->epoch;
	}
	if (done) {
		done->failed |= w->failed;
		if (queue_push(l->out, done) != 0)
			ev_batch_free(done);
	}
}

void worker_run(const struct worker_lane *l)
{
	struct pkt_batch *pb;
	while ((pb = queue_pop(l->in)) != NULL) {
		for (size_t i = 0; i < pb->count; i++) {
			item_unpack(pb, &pb->items[i]);
			lane_handle(l, &pb->items[i]);
		}
		/* a batch made for one large packet is not kept */
		if (pb->data_cap != PKT_BATCH_BYTES ||
		    queue_try_push(l->pkt_free, pb) != 0)
			free(pb);
	}
}

void worker_destroy(struct worker *w)
{
	if (!w)
		return;
	drop_flows(w);
	extract_destroy(w->extract);
	ev_batch_free(w->out);
	dpi_destroy(w->dpi);
	free(w);
}
