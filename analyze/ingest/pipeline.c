/*
 * pipeline.c — the reader side of the ingest (see pipeline.h): hands each
 * packet to its flow worker, sends every worker the expiry ticks of the
 * whole capture's clock, cuts the input into epochs, and hands each
 * epoch's records to the writer.
 *
 * Threads (jobs > 1). The caller's thread is the reader. The workers run
 * on min(jobs, online CPUs) worker threads ("lanes"), worker i on lane
 * i % lanes: each lane runs worker_run() on its in → out queues, and the
 * writer thread takes, per epoch, the reader's struct epoch_rec from recs
 * and one batch per worker, in worker order, from the out queue of the
 * worker's lane (a lane hands its workers' batches over in that order).
 * Every worker sees every epoch end, so a lane blocked on a full out holds
 * an epoch the writer will come to, and the lanes the writer waits for
 * already have all their input: no cycle of waits. With one job the same
 * worker and writer are called on this thread.
 *
 * Why lanes: a worker is a flow table, an nDPI module and extractors, and
 * --jobs N means N of them whatever the machine (the evidence is the same
 * for every N), but more threads than CPUs only add hand-offs, wake-ups
 * and context switches. Emptied packet batches go back to the reader
 * (pkt_free), so that handing packets over allocates nothing in the
 * steady state.
 */
#include "analyze/ingest/pipeline.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/flow/flow_key.h"
#include "analyze/ingest/queue.h"
#include "analyze/ingest/worker.h"
#include "analyze/ingest/writer.h"

#define SECOND_US 1000000ull
/* The flow tables expire idle flows once per this much capture time. */
#define EXPIRE_INTERVAL_US SECOND_US

/* At most IN_QUEUE_BATCHES + 2 packet batches (about 92 KB each) are
 * alive per lane: queued, filling, being handled. 8 would halve the
 * waits on the lanes' input queues (bench.pcap, --jobs 2: 8,700 against
 * 3,800, of 30,000 to 130,000 context switches, most of them on the
 * malloc arena's lock) for 0.7 MB more peak RSS. */
enum {
	IN_QUEUE_BATCHES = 4,   /* struct pkt_batch per lane input */
	OUT_QUEUE_EPOCHS = 2,   /* struct ev_batch per worker of a lane */
	REC_QUEUE_EPOCHS = 16,  /* struct epoch_rec to the writer */
	MIN_STREAM_BUDGET = 8 << 20,
};

struct pipeline {
	struct store *st;
	struct pipeline_config cfg;
	unsigned jobs;
	struct worker *workers[PIPELINE_MAX_JOBS];
	struct writer *writer;

	/* jobs > 1 */
	bool threaded;
	unsigned lanes;            /* worker threads */
	unsigned started;          /* worker threads running */
	bool writer_started;
	pthread_t threads[PIPELINE_MAX_JOBS], writer_thread;
	/* lane[t].in: struct pkt_batch *, reader → lane t, which gives them
	 * back on lane[t].pkt_free (the reader reuses them) or frees them;
	 * lane[t].out: struct ev_batch *, lane t → writer, which frees them;
	 * recs: struct epoch_rec *, reader → writer, which frees them. */
	struct worker_lane lane[PIPELINE_MAX_JOBS];
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
			batches[i] = queue_pop(p->lane[i % p->lanes].out);
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
	worker_run(arg);
	return NULL;
}

/* ---- handing items over ---- */

/* An empty batch for lane t with room for need bytes of packet data: one
 * the lane gave back, else a new one. NULL when out of memory. */
static struct pkt_batch *pkt_batch_get(struct pipeline *p, unsigned t,
				       size_t need)
{
	/* a packet larger than a batch gets a batch of its own size */
	size_t cap = need > PKT_BATCH_BYTES ? need : PKT_BATCH_BYTES;
	struct pkt_batch *b = NULL;
	if (cap == PKT_BATCH_BYTES)
		b = queue_try_pop(p->lane[t].pkt_free);
	if (!b) {
		b = malloc(sizeof *b + cap);
		if (!b)
			return NULL;
		b->data_cap = cap;
	}
	b->count = 0;
	b->data_used = 0;
	return b;
}

/* Hands lane t's filling batch over. 0, or -1 (closed: failed). */
static int push_fill(struct pipeline *p, unsigned t)
{
	struct pkt_batch *b = p->fill[t];
	p->fill[t] = NULL;
	if (b && queue_push(p->lane[t].in, b) != 0) {
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
	unsigned t = i % p->lanes;
	if (p->fill[t] && pkt_batch_put(p->fill[t], it, i) == 0)
		return 0;
	if (push_fill(p, t) != 0 ||
	    !(p->fill[t] = pkt_batch_get(p, t, pkt_batch_need(it))))
		return -1;
	return pkt_batch_put(p->fill[t], it, i);
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
		if (deliver(p, i, &it) != 0)
			note_failure(p, "out of memory (packet hand-off)");
	for (unsigned t = 0; t < p->lanes; t++)
		if (push_fill(p, t) != 0)
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

/* Worker threads for jobs workers: one per worker, at most one per
 * online CPU. */
static unsigned lane_count(unsigned jobs)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 1 ? 1 : (unsigned long)cpus < jobs ? (unsigned)cpus : jobs;
}

static int start_threads(struct pipeline *p)
{
	if (!(p->recs = queue_create(REC_QUEUE_EPOCHS)))
		return -1;
	p->lanes = lane_count(p->jobs);
	for (unsigned t = 0; t < p->lanes; t++) {
		/* lane t's workers: t, t + lanes, ... */
		size_t workers = (p->jobs - t + p->lanes - 1) / p->lanes;
		struct worker_lane *l = &p->lane[t];
		l->workers = p->workers;
		if (!(l->in = queue_create(IN_QUEUE_BATCHES)) ||
		    !(l->pkt_free = queue_create(IN_QUEUE_BATCHES + 2)) ||
		    !(l->out = queue_create(OUT_QUEUE_EPOCHS * workers)))
			return -1;
	}
	for (; p->started < p->lanes; p->started++)
		if (pthread_create(&p->threads[p->started], NULL, worker_main,
				   &p->lane[p->started]) != 0)
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
	p->lanes = 1;
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

/* Frees what is left in q (free_item), then q. */
static void drain_destroy(struct queue *q, void (*free_item)(void *))
{
	void *item;
	if (!q)
		return;
	queue_close(q);
	while ((item = queue_pop(q)) != NULL)
		free_item(item);
	queue_destroy(q);
}

static void free_ev_batch(void *b)
{
	ev_batch_free(b);
}

/* Stops the threads without writing anything more. */
static void stop_threads(struct pipeline *p)
{
	pthread_mutex_lock(&p->done_lock);
	p->aborting = true;
	pthread_mutex_unlock(&p->done_lock);
	for (unsigned t = 0; t < p->lanes; t++) {
		free(p->fill[t]);
		p->fill[t] = NULL;
		if (p->lane[t].in)
			queue_close(p->lane[t].in);
	}
	if (p->recs)
		queue_close(p->recs);
	/* a lane may wait on a full out, the writer on an epoch no lane
	 * finishes now: closed queues release both */
	for (unsigned t = 0; t < p->lanes; t++)
		if (p->lane[t].out)
			queue_close(p->lane[t].out);
	for (unsigned i = 0; i < p->started; i++)
		pthread_join(p->threads[i], NULL);
	if (p->writer_started)
		pthread_join(p->writer_thread, NULL);
	for (unsigned t = 0; t < p->lanes; t++) {
		struct worker_lane *l = &p->lane[t];
		drain_destroy(l->in, free);
		drain_destroy(l->pkt_free, free);
		drain_destroy(l->out, free_ev_batch);
	}
	drain_destroy(p->recs, free);
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
