/*
 * recompute.h — beacons and working hours over every flow of a case,
 * after an ingest of several files or a merge of shard cases.
 *
 * The behaviour family (analyze/extract/behaviour.c) judges the flows of
 * one capture file as it is read. A beacon whose connections are spread
 * over several files — a long capture split by time, or files ingested
 * by different shards — is seen only here: the stored flows of the whole
 * case are read back in series order (client → server:port/transport;
 * and by client for working hours) and judged with the same rules
 * (beacon.h, hours.h), the same resolver-port exclusion and the same
 * text (describe.h). What the flows table does not hold — the server
 * name a flow carried — is not recomputed: name series stay per file.
 *
 * A reading is written only when the case holds no observation of its
 * kind with the same value, so a one-file case gets nothing new (the
 * file's own reading is the same) and running it again adds nothing.
 * New readings carry detail "scope=case " + the usual detail, cite the
 * first packet of the series' earliest flow when an observation cites it
 * (its ip.dst), else the client's first packet in that flow's source (its
 * ip.src), and are chained like any observation.
 * Bounded: one series in memory at a time (BEACON_MAX_TIMES starts, the
 * earliest), one host's week histogram.
 */
#ifndef ATTRIB_RECOMPUTE_H
#define ATTRIB_RECOMPUTE_H

#include <stdint.h>

struct store;

struct behaviour_stats {
	uint64_t series, hosts;          /* judged */
	uint64_t written, beacons_written, hours_written;
	uint64_t uncited;                /* readings with no packet to cite */
};

/* Recomputes behaviour over st's flows and writes the new readings
 * (committed). 0, or -1 with store_error(st) set. */
int behaviour_recompute(struct store *st, struct behaviour_stats *out);

#endif
