/*
 * pipeline.h — turns decoded packets of one source at a time into
 * evidence: flow table → DPI → evidence store.
 *
 * The pipeline is deterministic: the same packets give the same records,
 * which is what lets an interrupted ingest be completed by replaying the
 * file (see store.h).
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
};

/* Defaults: flow_table_config_default(), a batch every 262144 packets. */
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

/*
 * Creates a pipeline writing to st, detecting with dpi (both borrowed,
 * must outlive the pipeline). NULL with a message in err on failure.
 */
struct pipeline *pipeline_create(struct store *st, struct dpi *dpi,
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

/* Records a file-level anomaly (e.g. a truncated record) at frame. */
void pipeline_file_anomaly(struct pipeline *p, enum anomaly a,
			   uint64_t frame);

/*
 * Ends the current source: closes all flows, stores them, records the
 * SHA-256 (hex, or NULL when unknown), status ("complete" or "error") and
 * error text, and commits. Returns 0 or -1 with message in err.
 */
int pipeline_end(struct pipeline *p, const char *sha_hex, const char *status,
		 const char *error, char *err, size_t errlen);

/* Counters of the current (or last) source. */
const struct pipeline_stats *pipeline_stats(const struct pipeline *p);

void pipeline_destroy(struct pipeline *p);

#endif
