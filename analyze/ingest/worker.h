/*
 * worker.h — one flow worker of the ingest: its own flow table, nDPI
 * module and extractors, fed the packets of its shard (flow_key.h) in
 * frame order, producing ordered evidence records (events.h).
 *
 * What a worker is fed is a struct pkt_batch: packets (with the reader's
 * clock), expiry ticks the reader sends every worker at the same frame,
 * and the end of an epoch or of the source. A worker touches nothing but
 * its own state; with --jobs 1 the reader calls it directly, with more
 * each worker runs on its own thread (worker_thread_main()).
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
 * own size). Up to 6 are alive per worker (4 queued, one filling, one
 * being handled): 256-item, 256 KB batches held 1.9 MB per worker. */
enum { PKT_BATCH_ITEMS = 128, PKT_BATCH_BYTES = 64 * 1024 };

/* Items for one worker, in order, with the bytes of their packets. Built
 * by the reader; once pushed on a worker's input queue it belongs to that
 * worker, which frees it (free()) when done. */
struct pkt_batch {
	size_t count;
	struct item items[PKT_BATCH_ITEMS];
	size_t data_used, data_cap;
	uint8_t data[]; /* data_cap bytes */
};

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

/*
 * Thread body: pops struct pkt_batch from in until it is closed and
 * empty, handles their items and pushes each finished struct ev_batch on
 * out (the writer frees it). A batch that cannot be pushed (out closed)
 * is freed. Out of memory marks the pushed batch failed.
 */
void worker_run(struct worker *w, struct queue *in, struct queue *out);

/* Frees w, dropping open flows without recording them. NULL is a no-op. */
void worker_destroy(struct worker *w);

#endif
