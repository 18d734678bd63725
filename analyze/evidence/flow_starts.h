/*
 * flow_starts.h — what behaviour needs from a case's stored flows, read
 * back for recomputing beacons and working hours over a whole case
 * (analyze/ingest/case_behaviour.h): each flow's endpoints and start, in
 * series order, and a packet to cite for a flow.
 */
#ifndef ATTRIB_FLOW_STARTS_H
#define ATTRIB_FLOW_STARTS_H

#include <stdint.h>

#include "analyze/evidence/store.h"

/* One flow's start. Strings are valid during the callback only. */
struct store_flow_start {
	int64_t flow_id, source_id;
	int ip_version, l4_proto;
	const char *client, *server;  /* address text, as stored */
	unsigned server_port;
	int64_t first_us;
	unsigned client_port;
	int64_t last_us;
};
typedef int (*store_flow_start_fn)(void *ctx,
				   const struct store_flow_start *f);

enum store_flow_order {
	STORE_FLOWS_BY_PAIR,   /* ip version, client, server, server port,
				  transport, start, id */
	STORE_FLOWS_BY_CLIENT, /* ip version, client, start, id */
};

/* Calls fn for every flow of the case in that order (flow_sort.h: memory
 * stays bounded); stops and returns fn's value when non-zero; -1 on
 * error. */
int store_each_flow_start(struct store *st, enum store_flow_order order,
			  store_flow_start_fn fn, void *ctx);

/* The earliest and latest flow start of the case (*first_us and
 * *last_us 0 when it has no flow), from one scan without sorting. 0 or
 * -1 on error. */
int store_flow_start_span(struct store *st, int64_t *first_us,
			  int64_t *last_us);

/* A packet to cite for a reading about a flow: the flow's ip.dst
 * observation (the first packet of the flow, when it is the first flow to
 * server in its source), else the client's ip.src observation in the
 * flow's source (the first packet of that client there); server NULL
 * skips the first. Both are index lookups. The strings of out point into
 * out. 1 found, 0 none, -1 error. */
struct store_cite {
	int64_t source_id;
	struct store_obs obs;     /* frame, file_offset, caplen, ts_us,
				     flow_id, packet_sha256 */
	char sha[65];
};
int store_flow_cite(struct store *st, int64_t flow_id, int64_t source_id,
		    const char *client, const char *server,
		    struct store_cite *out);

/* 1 when the case holds an observation of kind with exactly this value
 * (written or waiting in the open batch), 0 when not, -1 on error. */
int store_has_observation(struct store *st, const char *kind,
			  const char *value);

#endif
