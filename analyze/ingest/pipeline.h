/*
 * pipeline.h — turns decoded packets of one source at a time into
 * evidence: the reader side of the ingest.
 *
 * The caller (the reader: libpcap read, SHA-256, decode) hands packets
 * over in frame order; the pipeline gives each to one of cfg.jobs flow
 * workers (worker.h) by a symmetric hash of its host pair, and one writer
 * (writer.h) merges the workers' records and writes the store. With one
 * job everything runs on the caller's thread; with more, the workers run
 * on min(jobs, online CPUs) threads (several workers to a thread when
 * there are more jobs than CPUs) and the writer on its own, fed through
 * bounded queues (queue.h), so the caller waits when they fall behind.
 *
 * The pipeline is deterministic, and its evidence does not depend on the
 * number of jobs: the same packets give the same records in the same
 * order (docs/evidence.md, "Order"), which is also what lets an
 * interrupted ingest be completed by replaying the file (see store.h).
 *
 * While a source is read the writer owns the store: the caller touches
 * the store itself only after pipeline_drain() (or between sources).
 */
#ifndef ATTRIB_PIPELINE_H
#define ATTRIB_PIPELINE_H

#include <stdint.h>

#include "analyze/flow/dpi.h"
#include "analyze/evidence/store.h"
#include "analyze/flow/flow.h"
#include "capture/packet.h"

struct pipeline_config {
	struct flow_table_config flows;
	uint64_t checkpoint_packets; /* commit a batch every this many */
	uint64_t epoch_packets;      /* hand records over every this many */
	unsigned jobs;               /* flow workers; 1: no threads */
};

/* Defaults: flow_table_config_default(), a batch every 262144 packets,
 * records handed over every 2048, one job. */
void pipeline_config_default(struct pipeline_config *cfg);

struct pipeline_stats {
	uint64_t packets;      /* packets of this source */
	uint64_t bytes;        /* captured bytes */
	uint64_t ip_packets;   /* packets with an IP layer */
	uint64_t flows;        /* flows created */
	uint64_t dpi_packets;  /* packets given to DPI */
	uint64_t anomalies;    /* anomaly occurrences */
	uint64_t first_us, last_us;
};

struct pipeline;

/* Most jobs a pipeline runs (more are run as this many). */
enum { PIPELINE_MAX_JOBS = 64 };

/*
 * Creates a pipeline writing to st (borrowed, must outlive the pipeline),
 * with one nDPI module per job, and starts its threads. NULL with a
 * message in err on failure.
 */
struct pipeline *pipeline_create(struct store *st,
				 const struct pipeline_config *cfg,
				 char *err, size_t errlen);

/*
 * Starts a source (see store_source_begin()). Returns 0 or -1 with the
 * message in err.
 */
int pipeline_begin(struct pipeline *p, const struct store_source *src,
		   struct store_resume *resume, char *err, size_t errlen);

/*
 * Processes one decoded packet of the current source. Returns 0, or -1
 * when the evidence could not be written (message in err); the source
 * cannot go on then.
 */
int pipeline_packet(struct pipeline *p, const struct packet *pkt, char *err,
		    size_t errlen);

/*
 * Commits the evidence of the packets processed so far (a batch), as the
 * pipeline does by itself every cfg->checkpoint_packets packets; for a
 * caller that must first make sure the cited packets are on disk. Returns
 * 0 or -1 with the message in err.
 */
int pipeline_commit(struct pipeline *p, char *err, size_t errlen);

/*
 * Waits until every packet handed over so far has been processed and its
 * evidence written (not committed), so the caller may use the store
 * itself (a custody entry, a source size). Returns 0 or -1 with the
 * message in err.
 */
int pipeline_drain(struct pipeline *p, char *err, size_t errlen);

/* Records a file-level anomaly (e.g. a truncated record) at frame. */
void pipeline_file_anomaly(struct pipeline *p, enum anomaly a,
			   uint64_t frame);

/*
 * Closes every flow of the current source and writes the evidence left
 * (flows, behaviour), waiting for it: after it the caller may use the
 * store itself, e.g. for the custody entry that pipeline_end() commits
 * with the source. No packet may follow. Returns 0 or -1 with the
 * message in err.
 */
int pipeline_flush(struct pipeline *p, char *err, size_t errlen);

/*
 * Ends the current source: closes all flows, stores them (unless
 * pipeline_flush() did), records the
 * SHA-256 (hex, or NULL when unknown), status ("complete" or "error") and
 * error text, and commits. Returns 0 or -1 with message in err.
 */
int pipeline_end(struct pipeline *p, const char *sha_hex, const char *status,
		 const char *error, char *err, size_t errlen);

/* Counters of the current (or last) source; flows and dpi_packets as of
 * the last pipeline_drain() or pipeline_end(). */
const struct pipeline_stats *pipeline_stats(const struct pipeline *p);

void pipeline_destroy(struct pipeline *p);

#endif
