/*
 * flow_sort.h — flow starts put in series order in bounded memory, for
 * store_each_flow_start() (flow_starts.h). Private to analyze/evidence/.
 *
 * The order is the one an SQL ORDER BY over the flows table gives (text
 * compared bytewise, as SQLite's BINARY collation; integers as 64-bit
 * values), but found in a fraction of the time: flows are gathered in a
 * chunk of at most chunk_bytes, each full chunk is sorted and written to
 * a temporary file as a run, and the runs are merged. A case whose flows
 * fit one chunk never touches a file. Pure apart from the temporary file
 * (tmpfile(): TMPDIR).
 */
#ifndef ATTRIB_FLOW_SORT_H
#define ATTRIB_FLOW_SORT_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/evidence/flow_starts.h"

enum {
	FLOW_SORT_CHUNK_BYTES = 1 << 20, /* what the store uses */
	FLOW_SORT_TEXT_MAX = 4096,       /* longest client or server text */
};

/* One flow start with its sort keys as the table holds them. */
struct flow_sort_row {
	int64_t flow_id, source_id, ip_version, l4_proto;
	int64_t server_port, first_us, client_port, last_us;
	const char *client, *server;
	size_t client_len, server_len;
};

struct flow_sort;

/* An empty sort in that order using at most about chunk_bytes of memory
 * (at least 64 KiB is used). NULL when out of memory. */
struct flow_sort *flow_sort_create(enum store_flow_order order,
				   size_t chunk_bytes);
void flow_sort_destroy(struct flow_sort *s);

/* Adds a copy of row. 0, or -1 with the reason in err: out of memory, a
 * temporary file that cannot be written, or a text longer than
 * FLOW_SORT_TEXT_MAX. */
int flow_sort_add(struct flow_sort *s, const struct flow_sort_row *row,
		  char *err, size_t errlen);

/* Calls fn for every row added, in order (equal rows in the order they
 * were added); stops and returns fn's value when it is not 0. -1 with
 * err on a read error of the temporary file. Once only. */
int flow_sort_each(struct flow_sort *s, store_flow_start_fn fn, void *ctx,
		   char *err, size_t errlen);

/* Runs written to the temporary file so far (for tests). */
size_t flow_sort_runs(const struct flow_sort *s);

#endif
