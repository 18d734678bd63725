/*
 * report_read.h — what a report reads from the evidence store: the latest
 * score run's document, the case's sources, custody log and counts, the
 * most frequent values per indicator kind, observations of one kind,
 * observation counts by time bin, and the start times of a beacon's
 * connection series.
 *
 * Everything here only reads. Strings handed to a callback are valid
 * during the callback only, are never NULL ("" for a NULL column), and
 * are the bytes the case holds: not checked for UTF-8, not escaped. The
 * case is evidence from untrusted captures, so a caller that renders them
 * must sanitise and escape every one.
 *
 * Each function returns 0 when done, the callback's value when it
 * stopped the walk with a non-zero value, or -1 on a database error (the
 * message in store_error()).
 */
#ifndef ATTRIB_REPORT_READ_H
#define ATTRIB_REPORT_READ_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Counts over the whole case. first/last_ts_us are the earliest first and
 * latest last packet time of the sources (0 when none has packets). */
struct report_case_info {
	int schema_version;
	uint64_t sources, flows, observations, custody, score_runs;
	int64_t first_ts_us, last_ts_us;
};
int report_read_case_info(struct store *st, struct report_case_info *out);

/* The latest score run (highest id). Returns 1 with *result a malloc'd,
 * NUL-terminated copy of score_runs.result, or of its score_run_parts
 * concatenated in part order (the caller frees it), and its
 * length, 0 when the case has no score run, 2 when the document is longer
 * than max_len (nothing allocated), -1 on error. */
int report_read_latest_run(struct store *st, size_t max_len, int64_t *run_id,
			   int64_t *ts_us, char **result, size_t *len);

struct report_source_row {
	int64_t id;
	const char *path, *sha256, *format, *linktype_name, *status, *error;
	const char *tool_version, *pcap_version, *ndpi_version, *clock_note;
	uint64_t size, packets;
	int64_t first_ts_us, last_ts_us, ingested_us; /* 0 when unknown */
};
typedef int (*report_source_fn)(void *ctx, const struct report_source_row *r);

/* Every source in id order, at most limit of them. */
int report_each_source(struct store *st, uint64_t limit, report_source_fn fn,
		       void *ctx);

struct report_custody_row {
	int64_t id;
	int64_t ts_us;
	const char *action, *actor, *host, *tool_version, *arguments, *detail;
};
typedef int (*report_custody_fn)(void *ctx,
				 const struct report_custody_row *r);

/* The last `limit` custody entries, oldest first. */
int report_each_custody(struct store *st, uint64_t limit,
			report_custody_fn fn, void *ctx);

struct report_kind_row {
	const char *kind;
	uint64_t observations, distinct;
};
typedef int (*report_kind_fn)(void *ctx, const struct report_kind_row *r);

/* Observation and distinct-value counts per kind, from the observations
 * themselves (the chained evidence, not the derived indicators table),
 * in kind order. */
int report_each_kind(struct store *st, report_kind_fn fn, void *ctx);

/* One distinct value of a kind with its counts and the first observation
 * of it (id order), which a report cites. */
struct report_value_row {
	const char *value;
	uint64_t count, sources;
	int64_t first_ts_us, last_ts_us;
	int64_t obs_id, source_id;
	uint64_t frame;
	const char *source_sha256;
};
typedef int (*report_value_fn)(void *ctx, const struct report_value_row *r);

/* The `limit` most frequent values of kind, most frequent first (ties by
 * value). */
int report_each_top_value(struct store *st, const char *kind, uint64_t limit,
			  report_value_fn fn, void *ctx);

struct report_obs_row {
	int64_t id, source_id;
	uint64_t frame;
	int64_t ts_us, flow_id;
	const char *kind, *value, *detail, *source_sha256;
};
typedef int (*report_obs_fn)(void *ctx, const struct report_obs_row *r);

/* The first `limit` observations of kind, in id order. */
/* The decode_as= hint of an observation's detail ("tcp.port==8443,tls":
 * read on a port tshark does not decode as that protocol) into out: 1
 * found, 0 none ("" in out), -1 error. */
int report_decode_as(struct store *st, int64_t obs_id, char *out,
		     size_t size);

int report_each_observation_of_kind(struct store *st, const char *kind,
				    uint64_t limit, report_obs_fn fn,
				    void *ctx);

typedef int (*report_bin_fn)(void *ctx, int64_t bin, const char *kind,
			     uint64_t count);

/* Observation counts by kind and time bin: bin = (ts_us - t0_us) / bin_us
 * (bin_us > 0), each (bin, kind) pair once, in bin order. */
int report_each_time_bin(struct store *st, int64_t t0_us, int64_t bin_us,
			 report_bin_fn fn, void *ctx);

/* A connection series of the behaviour extractor: a client→server pair
 * (name NULL) or a client→server-name pair (name set; server, port and
 * proto ignored). */
struct report_series_key {
	int64_t source_id;
	const char *client;
	const char *server;
	int server_port, l4_proto;
	const char *name;
};

/* Fills times[] with the start times (µs) of the series' flows, earliest
 * first, at most cap of them; *n is how many. 0 or -1. */
int report_series_times(struct store *st, const struct report_series_key *k,
			int64_t *times, size_t cap, size_t *n);

#endif
