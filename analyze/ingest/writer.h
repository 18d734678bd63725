/*
 * writer.h — the one stage that writes the evidence store: merges the
 * workers' sorted records of each epoch into one order (events.h) and
 * writes them, so the rows and the chain do not depend on the number of
 * workers. On the way it does what needs every worker's records at once:
 * case flow ids in the order flows were created, ip.src/ip.dst/ndpi.*
 * once per value per source, the anomaly observations' cap and numbering,
 * and the behaviour series (beacons, working hours) over all flows.
 *
 * With --jobs 1 the reader calls it directly; with more it runs on its own
 * thread, the only one that touches SQLite while a source is read.
 */
#ifndef ATTRIB_INGEST_WRITER_H
#define ATTRIB_INGEST_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/evidence/store.h"
#include "analyze/extract/extract.h"
#include "analyze/ingest/events.h"

/* What the reader knows of an epoch. Built by the reader; once pushed on
 * the writer's queue it belongs to the writer, which frees it (free()). */
struct epoch_rec {
	uint64_t epoch;
	uint64_t last_frame;   /* the epoch's last frame */
	uint64_t packets, first_us, last_us; /* of the source so far */
	struct ev_tally tally[ANOM_COUNT];   /* the reader's anomalies */
	struct ev_tally unplaced[ANOM_COUNT]; /* packets no flow holds, by
						 why (store_unplaced()) */
	bool commit;           /* a checkpoint: commit after the epoch */
	bool end;              /* the last epoch: workers closed every flow */
	bool sync;             /* the reader waits for this epoch */
};

struct writer;

/* A writer to st (borrowed) with extraction bounds xc (its behaviour
 * series and anomaly cap). NULL when out of memory. */
struct writer *writer_create(struct store *st, const struct extract_config *xc);

/* Starts a source: its id, the case id of its first flow. Only while the
 * writer is idle. */
void writer_begin(struct writer *w, int64_t source_id, uint64_t first_flow_id);

/*
 * Writes epoch rec: the n workers' batches (sorted, still the caller's)
 * merged in order, the reader's and workers' anomaly counts, then — when
 * rec->end — the behaviour observations, and — when rec->commit — a
 * checkpoint. Returns 0, or -1 with the message in writer_error(); the
 * writer writes nothing more for the source after a failure.
 */
int writer_epoch(struct writer *w, const struct epoch_rec *rec,
		 struct ev_batch *const *batches, unsigned n);

/* The last failure, one line. */
const char *writer_error(const struct writer *w);

void writer_destroy(struct writer *w);

#endif
