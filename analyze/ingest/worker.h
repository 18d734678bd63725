/*
 * worker.h — one flow worker of the ingest: its own flow table, nDPI
 * module and extractors, fed the packets of its shard (flow_key.h) in
 * frame order, producing ordered evidence records (events.h).
 *
 * What a worker is fed is a struct pkt_batch: packets (with the reader's
 * clock), expiry ticks the reader sends every worker at the same frame,
 * and the end of an epoch or of the source. A worker touches nothing but
 * its own state; with --jobs 1 the reader calls it directly, with more
 * the workers run on worker threads (worker_run()), one or more workers
 * to a thread: a thread's batches carry the items of all its workers,
 * each item naming its worker.
 */
#ifndef ATTRIB_INGEST_WORKER_H
#define ATTRIB_INGEST_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/extract/extract.h"
#include "analyze/flow/dpi.h"
#include "analyze/flow/flow.h"
#include "analyze/ingest/events.h"
#include "analyze/ingest/queue.h"
#include "capture/packet.h"

enum item_type {
	ITEM_PACKET, /* a packet of this worker's shard */
	ITEM_TICK,   /* expire idle flows at clock_us (frame: trigger) */
	ITEM_EPOCH,  /* the epoch ends: hand the records over */
	ITEM_END,    /* the source ends: close every flow, hand over */
	ITEM_BEGIN,  /* a source begins (worker_begin()) */
};

struct item {
	uint8_t type;        /* enum item_type */
	uint8_t worker;      /* threads: which worker of the pipeline */
	uint64_t frame;      /* TICK: the frame it precedes; END: last frame */
	uint64_t clock_us;   /* PACKET, TICK: the reader's clock */
	uint64_t epoch;      /* EPOCH, END: the epoch that ends */
	size_t data_off;     /* PACKET: its bytes in the batch's data */
	size_t record_off;   /* PACKET of a reassembled datagram: the
	                        completing frame's bytes in the batch's data */
	size_t frames_off;   /* ... and its fragments' frame numbers */
	struct packet pkt;   /* PACKET: decoded; pkt.data (and pkt.record,
	                        pkt.fragment_frames) are set on use */
};

/* A batch is about 92 KB (128 items of 224 bytes, 64 KB of packet bytes:
 * 128 packets of the benchmark's 350-byte mean fill half of it; a larger
 * packet starts the next batch, one larger than 64 KB gets a batch of its
 * own size). pipeline.c says how many are alive per worker thread. */
enum { PKT_BATCH_ITEMS = 128, PKT_BATCH_BYTES = 64 * 1024 };

/* Items for the workers of one thread, in order, with the bytes of their
 * packets. Built by the reader; once pushed on a thread's input queue it
 * belongs to that thread, which gives it back (struct worker_lane) or
 * frees it (free()) when done. */
struct pkt_batch {
	size_t count;
	struct item items[PKT_BATCH_ITEMS];
	size_t data_used, data_cap;
	uint8_t data[]; /* data_cap bytes */
};

/* Bytes of a batch's data that item it would take. A batch of
 * PKT_BATCH_BYTES has room for any item that needs at most that. */
size_t pkt_batch_need(const struct item *it);

/*
 * Appends a copy of it for worker number worker (of the pipeline) to b,
 * with the bytes its packet points to (pkt.data, and pkt.record and
 * pkt.fragment_frames of a reassembled datagram) copied into b's data.
 * 0, or -1 when b is full (items or data).
 */
int pkt_batch_put(struct pkt_batch *b, const struct item *it, unsigned worker);

struct worker_stats {
	uint64_t flows;       /* flows created */
	uint64_t dpi_packets; /* packets given to DPI */
};

struct worker;

/*
 * A worker detecting with dpi (owned from now on: worker_destroy() frees
 * it), flows as in fc (first_id ignored: a worker numbers its flows from
 * 1, the writer gives them their case ids) and extraction as in xc. NULL
 * when out of memory (dpi is freed then too).
 */
struct worker *worker_create(struct dpi *dpi, const struct flow_table_config *fc,
			     const struct extract_config *xc);

/* Starts a source: an empty flow table and a fresh nDPI module. Called
 * only while the worker is idle. 0 or -1 (out of memory). */
int worker_begin(struct worker *w);

/*
 * Handles one item; ITEM_EPOCH and ITEM_END return the finished records
 * in *done (sorted; the caller owns them), other items leave it NULL.
 * For ITEM_PACKET, item->pkt.data must point to the packet's bytes.
 * Returns 0, or -1 when out of memory.
 */
int worker_handle(struct worker *w, struct item *item, struct ev_batch **done);

/* Counters of the current source; read only while the worker is idle. */
const struct worker_stats *worker_stats(const struct worker *w);

/* What one worker thread works on; the queues are the pipeline's
 * (pipeline.c), the thread is their only consumer or producer as said. */
struct worker_lane {
	struct worker *const *workers; /* indexed by item.worker */
	struct queue *in;       /* struct pkt_batch from the reader */
	struct queue *out;      /* struct ev_batch to the writer, one per
				   worker per epoch, in item order */
	struct queue *pkt_free; /* emptied struct pkt_batch of
				   PKT_BATCH_BYTES, back to the reader */
};

/*
 * Thread body: pops struct pkt_batch from l->in until it is closed and
 * empty, has each item handled by the worker it names and pushes each
 * finished struct ev_batch on l->out (the writer owns it then). A batch
 * that cannot be pushed (out closed) is freed. Out of memory fails the
 * worker: its batches from then on are empty and marked failed.
 */
void worker_run(const struct worker_lane *l);

/* Frees w, dropping open flows without recording them. NULL is a no-op. */
void worker_destroy(struct worker *w);

#endif
