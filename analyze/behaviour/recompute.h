/*
 * recompute.h — beacons and working hours over every flow of a case,
 * after an ingest of several files or a merge of shard cases.
 *
 * The behaviour family (analyze/extract/behaviour.c) judges the flows of
 * one capture file as it is read. A beacon whose connections are spread
 * over several files — a long capture split by time, or files ingested
 * by different shards — is seen only over the whole case: its stored
 * flows are fed here in series order (client → server:port/transport for
 * beacons; by client for working hours) and judged with the same rules
 * (beacon.h, hours.h), the same resolver-port exclusion, the same
 * continuation rule for pieces of one long connection and the same parts
 * (beacon_parts.h) and text (describe.h), with "scope=case " before the
 * detail. What the flows
 * table does not hold — the server name a flow carried — is not judged
 * here: name series stay per file.
 *
 * Pure and bounded: one series in memory at a time (BEACON_MAX_TIMES
 * starts, the earliest, since flows come in start order), one host's week
 * histogram. The caller reads the flows and writes the readings
 * (analyze/ingest/case_behaviour.h).
 */
#ifndef ATTRIB_RECOMPUTE_H
#define ATTRIB_RECOMPUTE_H

#include <stdint.h>

/* One stored flow, as the passes need it. */
struct behaviour_flow {
	int64_t flow_id, source_id;
	int ip_version, l4_proto;
	const char *client, *server;  /* address text */
	unsigned server_port;
	int64_t first_us;
	unsigned client_port;         /* for the continuation rule */
	int64_t last_us;              /* (beacon_parts.h) */
};

/* One reading; strings valid during the callback only. flow_id and
 * source_id name the earliest flow of the series or host; server is NULL
 * for working hours. */
struct behaviour_reading {
	const char *kind, *value, *detail;
	int64_t flow_id, source_id;
	const char *client, *server;
};
typedef int (*behaviour_reading_fn)(void *ctx,
				    const struct behaviour_reading *r);

enum behaviour_pass_kind {
	BEHAVIOUR_PAIRS, /* flows ordered by ip version, client, server,
			    server port, transport, start */
	BEHAVIOUR_HOSTS, /* flows ordered by ip version, client, start */
};

struct behaviour_pass;

/* A pass over flows in the order kind names; fn gets every beacon
 * (BEHAVIOUR_PAIRS) or every host with enough flows (BEHAVIOUR_HOSTS).
 * NULL when out of memory. Free with behaviour_pass_destroy(). */
struct behaviour_pass *behaviour_pass_create(enum behaviour_pass_kind kind,
					     behaviour_reading_fn fn,
					     void *ctx);

/* The span of the case's flow starts, for the beacons' duration coverage
 * (beacon_parts.h); set before the first flow of a BEHAVIOUR_PAIRS pass. */
void behaviour_pass_set_span(struct behaviour_pass *p, int64_t first_us,
			     int64_t last_us);

/* Adds the next flow; may call fn for the group it closes. Returns fn's
 * value when it is non-zero, else 0. */
int behaviour_pass_add(struct behaviour_pass *p, const struct behaviour_flow *f);

/* Closes the last group (may call fn). Same return convention. */
int behaviour_pass_finish(struct behaviour_pass *p);

/* Series and hosts judged so far. */
uint64_t behaviour_pass_judged(const struct behaviour_pass *p);

void behaviour_pass_destroy(struct behaviour_pass *p);

#endif
