/*
 * case_behaviour.h — behaviour over the flows of a whole case, written
 * into it: called at the end of `attrib ingest`, `attrib capture` and
 * `attrib merge` (docs/scale-out.md, "Behaviour across shards").
 *
 * Reads the case's flows back in series order (analyze/evidence/
 * flow_starts.h), judges them (analyze/behaviour/recompute.h) and writes
 * each reading as an observation when the case holds none of its kind
 * with the same value — so a one-file case gets nothing new (the file's
 * own reading is the same) and running it again adds nothing. A reading
 * cites the first packet of the series' earliest flow when an
 * observation cites it (that flow's ip.dst), else the client's first
 * packet in the flow's source (its ip.src).
 */
#ifndef ATTRIB_CASE_BEHAVIOUR_H
#define ATTRIB_CASE_BEHAVIOUR_H

#include <stdint.h>

struct store;

struct behaviour_stats {
	uint64_t judged;                 /* series and hosts */
	uint64_t written, beacons_written, hours_written;
	uint64_t uncited;                /* readings with no packet to cite */
};

/* Judges st's flows and writes the new readings (committed). 0, or -1
 * with store_error(st) set. Build the indexes first
 * (store_build_indexes): readings are looked up by kind and value. */
int case_behaviour_recompute(struct store *st, struct behaviour_stats *out);

#endif
