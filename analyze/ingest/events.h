/*
 * events.h — what a flow worker hands the writer: the evidence one worker
 * produced over one epoch (a run of consecutive frames), each record
 * tagged with the key that puts every worker's records into one order.
 *
 * The order key. A record is produced while a worker handles frame F (a
 * packet, or the expiry tick the reader sent with F), on behalf of one
 * flow: the one whose packet it is, or the one being closed. Records are
 * ordered by (F, end of source last, the flow's first frame, emission
 * order). A flow lives in one worker and each frame creates at most one
 * flow, so the key never ties between workers and does not depend on how
 * many workers there are: merging the workers' sorted batches gives the
 * same sequence for --jobs 1, 2, 4 (docs/evidence.md, "Order").
 */
#ifndef ATTRIB_INGEST_EVENTS_H
#define ATTRIB_INGEST_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/extract/extract.h"
#include "analyze/flow/dpi.h"
#include "analyze/flow/flow.h"
#include "capture/anomaly.h"

enum ev_type {
	EV_FLOW_NEW,   /* a flow was created (the writer gives it its id) */
	EV_OBS,        /* an observation */
	EV_BEHAVIOUR,  /* a closed flow's start, for beacons and hours */
	EV_FLOW,       /* a closed flow with its DPI result */
};

/* One record. Strings and the flow copy live in the batch's arena. */
struct ev {
	uint64_t frame;    /* frame being handled when it was produced */
	uint64_t sub;      /* first frame of its flow; 0 without a flow */
	uint32_t seq;      /* emission order within the batch */
	uint8_t type;      /* enum ev_type */
	uint8_t at_end;    /* produced by the end of the source */
	uint8_t code;      /* EV_OBS: enum obs_kind; EV_FLOW: close reason */
	uint64_t flow_id;  /* the worker's id of the flow, 0 without one */
	struct obs_cite cite;     /* EV_OBS: cited packet; EV_BEHAVIOUR:
				     the flow's first packet */
	size_t value, detail;     /* arena offsets, EV_NONE when absent */
	size_t flow, result;      /* EV_FLOW, EV_BEHAVIOUR: arena offsets
				     of a struct flow, struct dpi_result */
};

#define EV_NONE SIZE_MAX

/* Per anomaly: occurrences and the first frame (min) in a batch. */
struct ev_tally {
	uint64_t count, first_frame;
};

/*
 * One worker's records for one epoch. Built by the worker, then owned by
 * the writer once pushed on the worker's output queue (pipeline.c).
 */
struct ev_batch {
	struct ev *evs;
	size_t count, cap;
	uint8_t *arena;
	size_t arena_used, arena_cap;
	struct ev_tally tally[ANOM_COUNT]; /* anomalies the worker counted */
	uint64_t epoch;                    /* which epoch it closes */
	int failed;                        /* the worker ran out of memory */
};

/* An empty batch; NULL when out of memory. Freed by ev_batch_free(). */
struct ev_batch *ev_batch_new(void);
void ev_batch_free(struct ev_batch *b);

/* Appends a record (copied), with value/detail strings (may be NULL)
 * copied into the arena; *out receives its slot. -1 when out of memory
 * (b->failed set). */
int ev_batch_add(struct ev_batch *b, const struct ev *e, const char *value,
		 const char *detail, struct ev **out);

/* Copies len bytes into the arena (aligned); offset or EV_NONE when out
 * of memory (b->failed set). */
size_t ev_batch_copy(struct ev_batch *b, const void *data, size_t len);

/* Address of an arena offset (NULL for EV_NONE). */
const void *ev_batch_at(const struct ev_batch *b, size_t off);

/* Sorts the records by the order key (see the top of this file). */
void ev_batch_sort(struct ev_batch *b);

/* Negative, 0 or positive as a comes before, with, or after b. */
int ev_order(const struct ev *a, const struct ev *b);

#endif
