/*
 * pipeline.c — the reader side of the ingest (see pipeline.h): hands each
 * packet to its flow worker, sends every worker the expiry ticks of the
 * whole capture's clock, cuts the input into epochs, and hands each
 * epoch's records to the writer.
 *
 * Threads (jobs > 1). The caller's thread is the reader. Worker i runs
 * worker_run() on in[i] → out[i]; the writer thread takes, per epoch, the
 * reader's struct epoch_rec from recs and one batch from each out[i], in
 * worker order. Every worker sees every epoch end, so a worker blocked on
 * a full out[i] holds an epoch the writer will come to, and the workers
 * the writer waits for already have all their input: no cycle of waits.
 * With one job the same worker and writer are called on this thread.
 */
#include "analyze/ingest/pipeline.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/flow/flow_key.h"
#include "analyze/ingest/queue.h"
#include "analyze/ingest/worker.h"
#include "analyze/ingest/writer.h"

#define SECOND_US 1000000ull
/* The flow tables expire idle flows once per this much capture time. */
#define EXPIRE_INTERVAL_US SECOND_US

enum {
	IN_QUEUE_BATCHES = 4,   /* struct pkt_batch per worker input */
	OUT_QUEUE_BATCHES = 2,  /* struct ev_batch per worker output */
	REC_QUEUE_EPOCHS = 16,  /* struct epoch_rec to the writer */
	MIN_STREAM_BUDGET = 8 << 20,
};

struct worker_thread {
	struct worker *w;
	struct queue *in, *out;
};

struct pipeline {
	struct store *st;
	struct pipeline_config cfg;
	unsigned jobs;
	struct worker *workers[PIPELINE_MAX_JOBS];
	struct writer *writer;

	/* jobs > 1 */
	bool threaded;
	unsigned started;          /* worker threads running */
	bool writer_started;
	pthread_t threads[PIPELINE_MAX_JOBS], writer_thread;
	struct worker_thread wt[PIPELINE_MAX_JOBS];
	/* in[i]: struct pkt_batch *, reader → worker i, which frees them;
	 * out[i]: struct ev_batch *, worker i → writer, which frees them;
	 * recs: struct epoch_rec *, reader → writer, which frees them. */
	struct queue *in[PIPELINE_MAX_JOBS], *out[PIPELINE_MAX_JOBS];
	struct queue *recs;
	struct pkt_batch *fill[PIPELINE_MAX_JOBS]; /* the reader's, filling */

	/* done_lock protects done_epoch, write_failed, write_err and
	 * aborting, shared by the reader and the writer thread. */
	pthread_mutex_t done_lock;
	pthread_cond_t done_cond;
	uint64_t done_epoch;
	int write_failed;
	char write_err[512];
	bool aborting;

	/* the reader's state */
	int64_t source_id;
	uint64_t epoch, epoch_packets, since_checkpoint;
	uint64_t last_frame, prev_ts_us, clock_us, next_expire_us;
	struct epoch_rec rec; /* the epoch being read: its anomalies */
	bool flushed;         /* the source's flows are closed and written */
	struct pipeline_stats stats;
};

void pipeline_config_default(struct pipeline_config *cfg)
{
	flow_table_config_default(&cfg->flows);
	/* Each commit syncs the WAL and writes the head file twice (file
	 * and folder synced): at 65,536 packets those syncs were about a
	 * tenth of the benchmark's wall time. A kill -9 loses at most one
	 * batch, which a rerun reads again. */
	cfg->checkpoint_packets = 262144;
	cfg->epoch_packets = 2048;
	cfg->jobs = 1;
}

/* ---- the writer thread ---- */

static void note_failure(struct pipeline *p, const char *why)
{
	pthread_mutex_lock(&p->done_lock);
	if (!p->write_failed)
		snprintf(p->write_err, sizeof p->write_err, "%s", why);
	p->write_failed = 1;
	pthread_mutex_unlock(&p->done_lock);
}

static void *writer_main(void *arg)
{
	struct pipeline *p = arg;
	struct epoch_rec *rec;
	struct ev_batch *batches[PIPELINE_MAX_JOBS];
	while ((rec = queue_pop(p->recs)) != NULL) {
		bool complete = true;
		for (unsigned i = 0; i < p->jobs; i++) {
			batches[i] = queue_pop(p->out[i]);
			complete &= batches[i] != NULL;
		}
		pthread_mutex_lock(&p->done_lock);
		bool go = !p->aborting && !p->write_failed;
		pthread_mutex_unlock(&p->done_lock);
		if (go && !complete)
			note_failure(p, "a flow worker stopped");
		else if (go && writer_epoch(p->writer, rec, batches, p->jobs) != 0)
			note_failure(p, writer_error(p->writer));
		for (unsigned i = 0; i < p->jobs; i++)
			ev_batch_free(batches[i]);
		pthread_mutex_lock(&p->done_lock);
		p->done_epoch = rec->epoch;
		pthread_cond_broadcast(&p->done_cond);
		pthread_mutex_unlock(&p->done_lock);
		free(rec);
	}
	return NULL;
}

static void *worker_main(void *arg)
{
	struct worker_thread *t = arg;
	worker_run(t->w, t->in, t->out);
	return NULL;
}

/* ---- handing items over ---- */

static struct pkt_batch *pkt_batch_new(size_t data_cap)
{
	struct pkt_batch *b = malloc(sizeof *b + data_cap);
	if (b) {
		b->count = 0;
		b->data_used = 0;
		b->data_cap = data_cap;
	}
	return b;
}

static int push_fill(struct pipeline *p, unsigned i)
{
	struct pkt_batch *b = p->fill[i];
	p->fill[i] = NULL;
	if (b && queue_push(p->in[i], b) != 0) {
		free(b);
		return -1;
	}
	return 0;
}

/* Gives worker i an item (packet bytes copied for a thread). 0 or -1. */
static int deliver(struct pipeline *p, unsigned i, struct item *it)
{
	if (!p->threaded) {
		struct ev_batch *none = NULL;
		int rc = worker_handle(p->workers[i], it, &none);
		ev_batch_free(none);
		return rc;
	}
	/* The packet's bytes, and for a reassembled datagram the completing
	 * frame's bytes and the fragments' frames, all of them owned by the
	 * source or the reassembly until the next packet: copied. */
	const struct packet *pk = &it->pkt;
	size_t len = 0, rec_len = 0, frames_len = 0;
	if (it->type == ITEM_PACKET) {
		len = pk->caplen;
		rec_len = pk->record ? pk->record_caplen : 0;
		frames_len = pk->fragment_frames
				     ? pk->fragment_count * sizeof(uint64_t)
				     : 0;
	}
	/* frame numbers are 8-byte aligned in the data */
	size_t need = (len + rec_len + 7) / 8 * 8 + frames_len;
	struct pkt_batch *b = p->fill[i];
	if (b && (b->count == PKT_BATCH_ITEMS ||
		  b->data_used + need + 7 > b->data_cap)) {
		if (push_fill(p, i) != 0)
			return -1;
		b = NULL;
	}
	if (!b) {
		b = pkt_batch_new(need + 7 > PKT_BATCH_BYTES ? need + 7
							       : PKT_BATCH_BYTES);
		if (!b)
			return -1;
		p->fill[i] = b;
	}
	struct item *slot = &b->items[b->count++];
	*slot = *it;
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

static int check_failed(struct pipeline *p, char *err, size_t errlen)
{
	pthread_mutex_lock(&p->done_lock);
	int failed = p->write_failed;
	if (failed)
		snprintf(err, errlen, "%s", p->write_err);
	pthread_mutex_unlock(&p->done_lock);
	return failed ? -1 : 0;
}

/* Ends the epoch: every worker hands its records over and the writer
 * writes them (then commits when commit); with sync, waits for that. */
static int end_epoch(struct pipeline *p, bool commit, bool end, bool sync,
		     char *err, size_t errlen)
{
	struct epoch_rec *rec = malloc(sizeof *rec);
	if (!rec) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*rec = p->rec;
	memset(&p->rec, 0, sizeof p->rec);
	rec->epoch = ++p->epoch;
	rec->last_frame = p->last_frame;
	rec->packets = p->stats.packets;
	rec->first_us = p->stats.first_us;
	rec->last_us = p->stats.last_us;
	rec->commit = commit;
	rec->end = end;
	rec->sync = sync;
	p->epoch_packets = 0;
	if (commit)
		p->since_checkpoint = 0;
	struct item it = {.type = end ? ITEM_END : ITEM_EPOCH,
			  .frame = p->last_frame, .epoch = rec->epoch};
	if (!p->threaded) {
		struct ev_batch *b = NULL;
		if (worker_handle(p->workers[0], &it, &b) != 0 || !b)
			note_failure(p, "out of memory (flow worker)");
		else if (check_failed(p, err, errlen) == 0 &&
			 writer_epoch(p->writer, rec, &b, 1) != 0)
			note_failure(p, writer_error(p->writer));
		ev_batch_free(b);
		free(rec);
		return check_failed(p, err, errlen);
	}
	for (unsigned i = 0; i < p->jobs; i++)
		if (deliver(p, i, &it) != 0 || push_fill(p, i) != 0)
			note_failure(p, "out of memory (packet hand-off)");
	if (queue_push(p->recs, rec) != 0)
		free(rec);
	if (sync) {
		pthread_mutex_lock(&p->done_lock);
		while (p->done_epoch < p->epoch)
			pthread_cond_wait(&p->done_cond, &p->done_lock);
		pthread_mutex_unlock(&p->done_lock);
	}
	return check_failed(p, err, errlen);
}

static void tally(struct pipeline *p, enum anomaly a, uint64_t frame)
{
	struct ev_tally *t = &p->rec.tally[a];
	if (t->count++ == 0 || frame < t->first_frame)
		t->first_frame = frame;
	p->stats.anomalies++;
}

/* ---- public ---- */

static int start_threads(struct pipeline *p)
{
	if (!(p->recs = queue_create(REC_QUEUE_EPOCHS)))
		return -1;
	for (unsigned i = 0; i < p->jobs; i++) {
		if (!(p->in[i] = queue_create(IN_QUEUE_BATCHES)) ||
		    !(p->out[i] = queue_create(OUT_QUEUE_BATCHES)))
			return -1;
		p->wt[i] = (struct worker_thread){p->workers[i], p->in[i],
						  p->out[i]};
	}
	for (; p->started < p->jobs; p->started++)
		if (pthread_create(&p->threads[p->started], NULL, worker_main,
				   &p->wt[p->started]) != 0)
			return -1;
	if (pthread_create(&p->writer_thread, NULL, writer_main, p) != 0)
		return -1;
	p->writer_started = true;
	return 0;
}

struct pipeline *pipeline_create(struct store *st,
				 const struct pipeline_config *cfg,
				 char *err, size_t errlen)
{
	struct pipeline *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&p->done_lock, NULL);
	pthread_cond_init(&p->done_cond, NULL);
	p->st = st;
	p->cfg = *cfg;
	p->jobs = cfg->jobs < 1 ? 1
		  : cfg->jobs > PIPELINE_MAX_JOBS ? PIPELINE_MAX_JOBS
						  : cfg->jobs;
	if (p->cfg.epoch_packets == 0)
		p->cfg.epoch_packets = 2048;
	struct extract_config xc;
	extract_config_default(&xc);
	xc.risk_name = dpi_risk_name;
	if (!(p->writer = writer_create(st, &xc)))
		goto oom;
	/* the writer keeps the first of each once-per-source value and caps
	 * the anomalies, in the merged order */
	xc.keep_repeats = true;
	/* the stream budget is shared out, so memory stays bounded */
	if (p->jobs > 1)
		xc.stream_budget_bytes /= p->jobs;
	if (xc.stream_budget_bytes < MIN_STREAM_BUDGET)
		xc.stream_budget_bytes = MIN_STREAM_BUDGET;
	for (unsigned i = 0; i < p->jobs; i++) {
		struct dpi *d = dpi_create(err, errlen);
		if (!d)
			goto fail;
		if (!(p->workers[i] = worker_create(d, &cfg->flows, &xc)))
			goto oom;
	}
	p->threaded = p->jobs > 1;
	if (p->threaded && start_threads(p) != 0) {
		snprintf(err, errlen, "cannot start the ingest threads");
		goto fail;
	}
	return p;

oom:
	snprintf(err, errlen, "out of memory");
fail:
	pipeline_destroy(p);
	return NULL;
}

int pipeline_begin(struct pipeline *p, const struct store_source *src,
		   struct store_resume *resume, char *err, size_t errlen)
{
	if (check_failed(p, err, errlen) != 0)
		return -1;
	if (store_source_begin(p->st, src, resume) != 0) {
		snprintf(err, errlen, "%s", store_error(p->st));
		return -1;
	}
	memset(&p->stats, 0, sizeof p->stats);
	memset(&p->rec, 0, sizeof p->rec);
	p->source_id = resume->source_id;
	p->epoch_packets = p->since_checkpoint = 0;
	p->last_frame = p->prev_ts_us = 0;
	p->clock_us = p->next_expire_us = 0;
	p->flushed = false;
	writer_begin(p->writer, resume->source_id, resume->first_flow_id);
	/* each worker starts on its own thread (a new nDPI module each) */
	struct item begin = {.type = ITEM_BEGIN};
	for (unsigned i = 0; i < p->jobs; i++) {
		if (deliver(p, i, &begin) != 0) {
			snprintf(err, errlen, "out of memory (flow worker)");
			return -1;
		}
	}
	return 0;
}

int pipeline_packet(struct pipeline *p, const struct packet *pkt, char *err,
		    size_t errlen)
{
	p->last_frame = pkt->frame;
	p->stats.packets++;
	p->stats.bytes += pkt->caplen;
	if (p->stats.packets == 1 || pkt->ts_us < p->stats.first_us)
		p->stats.first_us = pkt->ts_us;
	if (pkt->ts_us > p->stats.last_us)
		p->stats.last_us = pkt->ts_us;
	if (pkt->ts_us < p->prev_ts_us)
		tally(p, ANOM_TIME_BACKWARDS, pkt->frame);
	p->prev_ts_us = pkt->ts_us;
	for (anomaly_set set = pkt->anomalies; set; set &= set - 1)
		tally(p, (enum anomaly)__builtin_ctzll(set), pkt->frame);

	struct item it = {.type = ITEM_PACKET, .pkt = *pkt};
	bool held = (pkt->flags & PKT_DEFRAG_HELD) != 0;
	unsigned shard = 0; /* packets without a flow: worker 0 */
	if (pkt->ip_version && !held) {
		p->stats.ip_packets++;
		if (pkt->ts_us > p->clock_us)
			p->clock_us = pkt->ts_us;
		if (p->clock_us >= p->next_expire_us) {
			struct item tick = {.type = ITEM_TICK,
					    .frame = pkt->frame,
					    .clock_us = p->clock_us};
			for (unsigned i = 0; i < p->jobs; i++)
				if (deliver(p, i, &tick) != 0)
					goto oom;
			p->next_expire_us = p->clock_us + EXPIRE_INTERVAL_US;
		}
		it.clock_us = p->clock_us;
		shard = flow_shard_of_packet(pkt, p->jobs);
	} else {
		/* no flow can hold it: counted under why (no silent loss); a
		 * fragment held for reassembly under ipv4/ipv6_fragment */
		enum anomaly why = !held ? packet_unplaced_reason(pkt)
			: pkt->ip_version == 6 ? ANOM_IPV6_FRAGMENT
					       : ANOM_IPV4_FRAGMENT;
		struct ev_tally *t = &p->rec.unplaced[why];
		if (t->count++ == 0 || pkt->frame < t->first_frame)
			t->first_frame = pkt->frame;
	}
	if (deliver(p, shard, &it) != 0)
		goto oom;
	p->since_checkpoint++;
	if (++p->epoch_packets >= p->cfg.epoch_packets ||
	    p->since_checkpoint >= p->cfg.checkpoint_packets)
		return end_epoch(p,
				 p->since_checkpoint >= p->cfg.checkpoint_packets,
				 false, false, err, errlen);
	return 0;

oom:
	snprintf(err, errlen, "frame %llu: out of memory",
		 (unsigned long long)pkt->frame);
	return -1;
}

/* Flows and DPI packets of every worker (all idle after a sync). */
static void sum_worker_stats(struct pipeline *p)
{
	p->stats.flows = p->stats.dpi_packets = 0;
	for (unsigned i = 0; i < p->jobs; i++) {
		const struct worker_stats *ws = worker_stats(p->workers[i]);
		p->stats.flows += ws->flows;
		p->stats.dpi_packets += ws->dpi_packets;
	}
}

int pipeline_drain(struct pipeline *p, char *err, size_t errlen)
{
	int rc = end_epoch(p, false, false, true, err, errlen);
	sum_worker_stats(p);
	return rc;
}

int pipeline_commit(struct pipeline *p, char *err, size_t errlen)
{
	int rc = end_epoch(p, true, false, true, err, errlen);
	sum_worker_stats(p);
	return rc;
}

void pipeline_file_anomaly(struct pipeline *p, enum anomaly a, uint64_t frame)
{
	tally(p, a, frame);
}

int pipeline_flush(struct pipeline *p, char *err, size_t errlen)
{
	if (p->flushed)
		return check_failed(p, err, errlen);
	p->flushed = true;
	int rc = end_epoch(p, false, true, true, err, errlen);
	sum_worker_stats(p);
	return rc;
}

int pipeline_end(struct pipeline *p, const char *sha_hex, const char *status,
		 const char *error, char *err, size_t errlen)
{
	if (pipeline_flush(p, err, errlen) != 0)
		return -1;
	if (store_source_finish(p->st, p->source_id, sha_hex, p->stats.packets,
				p->stats.first_us, p->stats.last_us, status,
				error) != 0) {
		snprintf(err, errlen, "%s", store_error(p->st));
		return -1;
	}
	return 0;
}

const struct pipeline_stats *pipeline_stats(const struct pipeline *p)
{
	return &p->stats;
}

/* Stops the threads without writing anything more. */
static void stop_threads(struct pipeline *p)
{
	pthread_mutex_lock(&p->done_lock);
	p->aborting = true;
	pthread_mutex_unlock(&p->done_lock);
	for (unsigned i = 0; i < p->jobs; i++) {
		free(p->fill[i]);
		p->fill[i] = NULL;
		if (p->in[i])
			queue_close(p->in[i]);
	}
	if (p->recs)
		queue_close(p->recs);
	/* a worker may wait on a full out[i], the writer on an epoch no
	 * worker finishes now: closed queues release both */
	for (unsigned i = 0; i < p->jobs; i++)
		if (p->out[i])
			queue_close(p->out[i]);
	for (unsigned i = 0; i < p->started; i++)
		pthread_join(p->threads[i], NULL);
	if (p->writer_started)
		pthread_join(p->writer_thread, NULL);
	for (unsigned i = 0; i < p->jobs; i++) {
		struct ev_batch *b;
		void *pb;
		while (p->out[i] && (b = queue_pop(p->out[i])) != NULL)
			ev_batch_free(b);
		while (p->in[i] && (pb = queue_pop(p->in[i])) != NULL)
			free(pb);
		queue_destroy(p->in[i]);
		queue_destroy(p->out[i]);
	}
	struct epoch_rec *rec;
	while (p->recs && (rec = queue_pop(p->recs)) != NULL)
		free(rec);
	queue_destroy(p->recs);
}

void pipeline_destroy(struct pipeline *p)
{
	if (!p)
		return;
	stop_threads(p);
	for (unsigned i = 0; i < p->jobs; i++)
		worker_destroy(p->workers[i]);
	writer_destroy(p->writer);
	pthread_cond_destroy(&p->done_cond);
	pthread_mutex_destroy(&p->done_lock);
	free(p);
}
