/*
 * store.h — the evidence store: one SQLite database per case.
 * store.c is the only file that includes sqlite3.h.
 *
 * Writes are batched in transactions; store_checkpoint() commits a batch
 * and records how far the source got, so an interrupted ingest leaves a
 * consistent prefix. Re-ingesting an interrupted source replays the file
 * and writes only what was not committed (the pipeline is deterministic,
 * so the same frames produce the same records).
 */
#ifndef ATTRIB_STORE_H
#define ATTRIB_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/flow/dpi.h"
#include "analyze/flow/flow.h"

struct store;

/* attrib's mark in the database header (PRAGMA application_id, "attr")
 * and the schema version it writes (PRAGMA user_version, as meta's
 * schema_version). */
#define STORE_APPLICATION_ID 0x61747472
enum { STORE_SCHEMA_VERSION = 4 }; /* of a new case; older ones keep theirs */

/* What a database file is, looked at without changing it. */
enum store_kind {
	STORE_ABSENT,       /* no such file */
	STORE_EMPTY,        /* an empty file or an SQLite database without
	                       tables: a new case can be made in it */
	STORE_CASE,         /* an attrib case (by its id, or its tables) */
	STORE_FOREIGN,      /* another program's SQLite database */
	STORE_NOT_DATABASE, /* not an SQLite database (or not a regular file) */
	STORE_DAMAGED,      /* SQLite says it is damaged */
	STORE_UNREADABLE,   /* cannot be read (permissions, I/O) */
};

struct store_identity {
	enum store_kind kind;
	int64_t application_id, user_version;
	unsigned tables, case_tables; /* all tables, attrib's among them */
	bool header_ok;     /* STORE_CASE: the id is attrib's or unset */
	char table_names[160];
};

/*
 * Looks at the database at path through a read-only connection and says
 * what it is (*out). Never writes to it. Returns 0 (err holds a one-line
 * description for every kind but ABSENT, EMPTY and CASE), or -1 when the
 * file cannot even be looked at (err).
 */
int store_identify(const char *path, struct store_identity *out, char *err,
		   size_t errlen);

enum store_mode {
	STORE_CREATE,   /* open a case for writing, or make a new one */
	STORE_EXISTING, /* open an existing case; read-only when it cannot
	                   be written (see store_readonly) */
};

/*
 * Opens the case database at path. A database that is not an attrib case
 * is refused and left as it was (err names what it is). NULL with a
 * one-line message in err.
 */
struct store *store_open_mode(const char *path, enum store_mode mode,
			      char *err, size_t errlen);

/* store_open_mode(path, STORE_CREATE, ...). */
struct store *store_open(const char *path, char *err, size_t errlen);

/* True when the case was opened read-only (it cannot be written: *why,
 * when why is not NULL, says why); every write then fails. */
bool store_readonly(const struct store *st, const char **why);

/* False when the database header carries an application id that is
 * neither attrib's nor unset (a case whose header was changed). */
bool store_header_ok(const struct store *st);

/* Commits what is pending and closes. Returns 0, or -1 (message on
 * stderr-free channel: store_error() is gone, so err receives it). */
int store_close(struct store *st, char *err, size_t errlen);

/* Last error, one line. */
const char *store_error(const struct store *st);

struct store_source {
	const char *path;
	uint64_t size;
	const char *format;        /* "pcap" | "pcapng" */
	int linktype;
	const char *linktype_name;
	const char *tool_version, *pcap_version, *ndpi_version;
};

/* Result of store_source_begin(). */
struct store_resume {
	int64_t source_id;
	uint64_t replay_until;     /* frames <= this are already committed
	                              (see store_set_frame) */
	uint64_t first_flow_id;    /* flow ids of this source start here */
	bool resumed;              /* an interrupted ingest is being completed */
};

/*
 * Id of a complete source with this SHA-256 (hex), 0 when none, -1 on
 * error.
 */
int64_t store_source_by_sha256(struct store *st, const char *sha_hex);

/* True when a complete source has exactly this size (a duplicate is
 * possible, so the caller hashes the file first). */
int store_has_source_size(struct store *st, uint64_t size);

/*
 * Claims, against every other process, the ingest of a capture file of
 * size bytes into this case (claim.c), so that a file is ingested by one
 * process at a time. Holds at most one claim: a new one releases the one
 * before. With wait, blocks until the claim is free (committing any open
 * transaction first). Returns 1 claimed, 0 another process holds it
 * (without wait), -2 a signal interrupted the wait, -1 error (store_error).
 * The claim ends with store_release_claim(), store_close() or the
 * process.
 */
int store_claim_source(struct store *st, uint64_t size, bool wait);
void store_release_claim(struct store *st);

/*
 * Starts ingest of a source: resumes the interrupted source with the same
 * path and size, or inserts a new 'partial' one. Returns 0 or -1.
 */
int store_source_begin(struct store *st, const struct store_source *src,
		       struct store_resume *out);

/*
 * Tells the store which frame the pipeline is processing. While an
 * interrupted source is replayed, the flows and observations produced
 * while processing frames before replay_until are skipped (they were
 * committed before), and so are the first ones of frame replay_until, as
 * many as its checkpoint had committed; those produced after that (the
 * flows closed at the end of the input) are written.
 */
void store_set_frame(struct store *st, uint64_t frame);

/* Records a closed flow with its DPI result. 0 or -1. */
int store_flow(struct store *st, int64_t source_id, const struct flow *f,
	       const struct dpi_result *r, const char *close_reason);

/* Adds one occurrence of an anomaly at frame (counted in memory, written
 * at each checkpoint). */
void store_anomaly(struct store *st, enum anomaly a, uint64_t frame);

/* Adds count occurrences of an anomaly whose first was at first_frame
 * (the earliest frame is kept), as count calls of store_anomaly() would. */
void store_anomaly_count(struct store *st, enum anomaly a, uint64_t count,
			 uint64_t first_frame);

/* Name prefix of the anomalies rows that count packets without a flow. */
#define STORE_UNPLACED_PREFIX "no_flow."

/*
 * Counts one packet that no flow holds, under the reason decoding stopped
 * (decode_unplaced_reason()); written at each checkpoint as the row
 * "no_flow.<anomaly>" of the anomalies table, so that per source
 * packets = packets of its flows + the no_flow counts.
 */
void store_unplaced(struct store *st, enum anomaly reason, uint64_t frame);

/* count calls of store_unplaced(), the first at first_frame (the earliest
 * frame is kept). */
void store_unplaced_count(struct store *st, enum anomaly reason,
			  uint64_t count, uint64_t first_frame);

/*
 * Commits the batch: everything up to and including frame is durable.
 * Returns 0 or -1 (e.g. disk full: the batch is rolled back).
 */
int store_checkpoint(struct store *st, int64_t source_id, uint64_t frame,
		     uint64_t packets, uint64_t first_us, uint64_t last_us);

/*
 * Marks the source complete ("complete") or ended by an error ("error",
 * with message), chains it with its anomaly counts, and commits that with
 * every record written since the last checkpoint (the flows closed at the
 * end of the input, a custody entry) in one transaction. sha_hex may be
 * NULL when the file could not be read to the end.
 */
int store_source_finish(struct store *st, int64_t source_id,
			const char *sha_hex, uint64_t packets,
			uint64_t first_us, uint64_t last_us,
			const char *status, const char *error);

/* One observation as stored (see schema.sql). */
struct store_obs {
	const char *kind, *value, *detail; /* detail may be NULL */
	uint64_t frame, file_offset, ts_us, flow_id;
	uint32_t caplen;
	const char *packet_sha256;         /* hex, or NULL when ... */
	const uint8_t *packet_sha256_raw;  /* ... its 32 bytes are given
	                                      (NULL: read from the hex) */
};

/* Records an observation (chained). Skipped while replaying. 0 or -1. */
int store_observation(struct store *st, int64_t source_id,
		      const struct store_obs *o);

/* Appends a custody record (action: "ingest", "verify", ...). 0 or -1. */
int store_custody(struct store *st, const char *action, const char *args,
		  const char *detail);

/* Commits what is pending (chain head included). 0 or -1. */
int store_commit(struct store *st);

/*
 * Discards everything written since the last commit (the open batch, with
 * the in-memory anomaly counts of the current source), e.g. evidence that
 * cites packets a full disk did not take. The current source must not go
 * on: it stays as last committed ('partial'). Unlike a failed write, this
 * leaves the store usable for other records (a custody entry). 0, or -1
 * when a write had already failed.
 */
int store_discard(struct store *st);

/*
 * Sets the size of an unfinished source whose file grows while it is
 * analysed (live capture): at each checkpoint the bytes the committed
 * evidence covers, at the end the file's size. Written with the next
 * commit. 0 or -1.
 */
int store_source_set_size(struct store *st, int64_t source_id,
			  uint64_t size);

/* Where the head file is written (default CASE.db.head). */
void store_set_head_path(struct store *st, const char *head_path);
const char *store_head_path(const struct store *st);

/* The committed chain head: sequence number and hash (64 hex + NUL). */
void store_head(const struct store *st, uint64_t *seq, char hex[65]);

/* Wall-clock time in microseconds since the epoch; SOURCE_DATE_EPOCH
 * when that is set (analyze/vocab/reproducible.h). */
uint64_t store_now_us(void);

/* Result of store_verify_chain(). */
struct store_verify {
	uint64_t entries;       /* chain entries checked */
	uint64_t problems;      /* entries or rows found wrong */
	char first_problem[512];/* the first, naming record and change */
	uint64_t head_seq;      /* head recomputed from the records */
	char head_hash[65];
	char external[512];     /* what the comparison with the head file
	                           found */
	bool external_checked;  /* a head file was read */
	bool tampered;
};

/*
 * Recomputes the whole chain from the records, checks sequence numbers,
 * unchained rows and the head stored in the database, and compares the
 * head with the head file at head_path (missing file: external_checked
 * false). Returns 0 (result in *out) or -1 on error (store_error()).
 */
int store_verify_chain(struct store *st, const char *head_path,
		       struct store_verify *out);

/* Runs PRAGMA integrity_check; 1 ok, 0 corrupt (message in store_error),
 * -1 error. */
int store_integrity_check(struct store *st);

/*
 * Opens the database at path read-only and reads its schema, without
 * changing anything: 1 readable, 0 damaged (e.g. a malformed schema, which
 * store_open() could not get past), -1 not readable as a database at all.
 * The message goes to err.
 */
int store_probe(const char *path, char *err, size_t errlen);

/* Calls fn for every source: id, path, sha256 hex ("" if unknown),
 * status. Stops and returns fn's value when it is non-zero. */
typedef int (*store_source_fn)(void *ctx, int64_t id, const char *path,
			       const char *sha256, const char *status);
int store_each_source(struct store *st, store_source_fn fn, void *ctx);

/* Calls fn once per distinct packet cited by observations, ordered by
 * source and file offset. Stops and returns fn's value when non-zero. */
typedef int (*store_packet_fn)(void *ctx, int64_t source_id, uint64_t frame,
			       uint64_t file_offset, uint32_t caplen,
			       const char *packet_sha256);
int store_each_cited_packet(struct store *st, store_packet_fn fn, void *ctx);

/* One observation as read back, with its source. Strings are valid
 * during the callback only. */
struct store_obs_row {
	int64_t id;
	const char *kind, *value, *detail;
	const char *source_sha256, *source_path; /* sha "" if unknown */
	uint64_t frame, file_offset, ts_us, flow_id;
};
typedef int (*store_obs_fn)(void *ctx, const struct store_obs_row *r);

/* Calls fn for every observation (of kind, or all when kind is NULL) in
 * the order they were recorded; stops and returns fn's value when it is
 * non-zero; -1 on error. */
int store_each_observation(struct store *st, const char *kind,
			   store_obs_fn fn, void *ctx);

/* ---- scoring (scores.c) ---- */

/* One distinct indicator (the indicators table). Strings are valid during
 * the callback only. */
struct store_indicator {
	const char *kind, *value;
	uint64_t count;
};
typedef int (*store_indicator_fn)(void *ctx, const struct store_indicator *r);

/* Calls fn for every distinct indicator (all kinds when kind is NULL), in
 * (kind, value) order; stops and returns fn's value when it is non-zero;
 * -1 on error. */
int store_each_indicator(struct store *st, const char *kind,
			 store_indicator_fn fn, void *ctx);

/* Calls fn for the first limit observations (by id) of kind with this
 * exact value. Same return convention. */
int store_each_observation_of(struct store *st, const char *kind,
			      const char *value, unsigned limit,
			      store_obs_fn fn, void *ctx);

/* Calls fn for every source in id order with its packet count. Same
 * return convention as store_each_source(). */
typedef int (*store_source_info_fn)(void *ctx, int64_t id, const char *path,
				    const char *sha256, uint64_t packets);
int store_each_source_info(struct store *st, store_source_info_fn fn,
			   void *ctx);

/* Number of observations in the case into *n. 0 or -1. */
int store_count_observations(struct store *st, uint64_t *n);

/* The id the next score run will get. 0 or -1. */
int store_next_score_run(struct store *st, int64_t *id);

/* One score run (see schema.sql score_runs); texts are JSON. */
struct store_score_run {
	int64_t id;                /* from store_next_score_run() */
	const char *models, *params, *result;
	uint64_t observations;
	uint64_t time_us;          /* 0: now (SOURCE_DATE_EPOCH: the caller's) */
};
int store_score_run(struct store *st, const struct store_score_run *r);

/* One part (0, 1, ...) of a run's score document, len bytes of text
 * (at most STORE_SCORE_PART_BYTES), chained like every row. 0 or -1. */
enum { STORE_SCORE_PART_BYTES = 8 << 20 };
int store_score_run_part(struct store *st, int64_t run_id, int64_t part,
			 const char *text, size_t len);

/* One row of scores. */
struct store_score_row {
	const char *hypothesis, *link, *phrase, *confidence, *flags;
	double belief, disbelief, uncertainty, plausibility, ci_lo, ci_hi;
};
int store_score(struct store *st, int64_t run_id,
		const struct store_score_row *r);

/* One row of score_evidence. */
struct store_score_evidence {
	const char *hypothesis, *link, *item, *item_type, *direction;
	const char *reliability, *cited, *origin;
	double forgeability, specificity, discount;
	uint64_t matches;
};
int store_score_evidence(struct store *st, int64_t run_id,
			 const struct store_score_evidence *e);

/* Builds the indexes after bulk load (idempotent). 0 or -1. */
int store_build_indexes(struct store *st);

/* Writes the human-readable case summary (sources, flows by protocol,
 * anomalies) to out. 0 or -1. */
int store_print_summary(struct store *st, FILE *out);

#endif
