/*
 * store_internal.h — what the evidence store's own files share. Not for use
 * outside analyze/evidence/: everything else goes through store.h.
 */
#ifndef ATTRIB_STORE_INTERNAL_H
#define ATTRIB_STORE_INTERNAL_H

#include <sqlite3.h>

#include "analyze/evidence/chain.h"
#include "analyze/evidence/indicator_counts.h"
#include "analyze/evidence/row_batch.h"
#include "analyze/evidence/store.h"

enum { STORE_ERR_LEN = 512, STORE_PATH_LEN = 1024 };
enum { STORE_URI_MAX = 3 * STORE_PATH_LEN + 32 };

/* file: URI for path with query (e.g. "mode=ro"; "" for none): every
 * byte but the unreserved ones percent-encoded, so '?', '#' and '%' in a
 * name stay part of it. */
void store_path_uri(const char *path, const char *query, char *out,
		    size_t n);

/* Memory for the indicators table kept while observations are written
 * (indicator_counts.h); past it the table is rebuilt from the
 * observations instead. */
#define STORE_INDICATOR_COUNTS_BYTES ((size_t)16 << 20)

/* The layout of a case (docs/evidence.md): 4 for a case made by this
 * version (schema.sql: observation rows referring to packets, indicator
 * values and details, read through the view observations; chain hashes
 * as 32-byte BLOBs), 3 for one made before (schema_v3.sql: one
 * observations table, chain hashes as hex text), which keeps its layout
 * when more is written to it. Both give the same chain entries. */
enum { STORE_LAYOUT_OLD = 3, STORE_LAYOUT_NEW = 4 };

struct obs_refs; /* obs_rows.c */

struct anomaly_tally {
	uint64_t count;
	uint64_t first_frame;
};

struct store {
	sqlite3 *db;
	char path[STORE_PATH_LEN];
	char head_path[STORE_PATH_LEN + 8];
	char err[STORE_ERR_LEN];
	int lock_fd;           /* the database file, for store_lock() */
	int claim_fd;          /* the database file, read-write, for claims
	                          (claim.c); -1 until the first claim */
	bool claimed;          /* a claim is held, on claim_size */
	uint64_t claim_size;
	bool readonly;         /* opened read-only (open.c) */
	bool is_new;           /* no case yet: the schema is to be made */
	bool needs_mark;       /* a case without attrib's application id:
	                          the first write sets it */
	bool header_ok;        /* see store_header_ok() */
	char readonly_why[160];
	bool in_txn;
	bool failed;           /* a write failed: the case stays as last
	                          committed and takes no more writes */
	uint64_t frame;        /* frame being processed */
	uint64_t frame_records;/* flows and observations produced (written or
	                          skipped) while processing frame */
	uint64_t replay_until; /* skip records of frames before this ... */
	uint64_t replay_records; /* ... and this many of frame replay_until
	                            (the ones its checkpoint committed) */
	/* chain state: the last entry written, and as of the last commit */
	uint64_t chain_seq, committed_seq;
	char chain_head[CHAIN_HEX_LEN + 1], committed_head[CHAIN_HEX_LEN + 1];
	uint8_t chain_head_raw[CHAIN_HEX_LEN / 2]; /* chain_head as bytes */
	int layout;            /* STORE_LAYOUT_OLD or _NEW */
	struct chain_enc enc;
	int64_t next_obs_id, next_custody_id;
	int64_t next_packet_id, next_value_id, next_detail_id; /* layout 4 */
	sqlite3_stmt *ins_custody;
	/* layout 4: the indicator value and detail rows (inserted one by
	 * one, so that a lookup sees them) and the lookups of packets,
	 * values and details */
	sqlite3_stmt *ins_value, *find_value, *find_packet, *max_offset;
	sqlite3_stmt *ins_detail, *find_detail;
	struct obs_refs *refs;
	sqlite3_stmt *score_q[5]; /* scores.c: prepared on first use */
	/* flows, packets (layout 4) and observations waiting for their
	 * multi-row INSERT */
	struct row_batch flows, packets, obs;
	bool flows_community_id; /* the flows table has the community_id
	                            column (cases made before it have not) */
	struct anomaly_tally tally[ANOM_COUNT];
	/* packets without a flow, by the reason decoding stopped (rows
	 * "no_flow.<anomaly>" of the anomalies table) */
	struct anomaly_tally unplaced[ANOM_COUNT];
	/* The indicators table's counts of the observations written by this
	 * store since the table counted those up to indicators_base (meta
	 * 'indicators_obs'); overflowed when they cannot be kept. */
	struct indicator_counts *counts;
	int64_t indicators_base, indicators_counted;
};

/* The schema of a new case (schema.sql) and that of cases made before
 * version 4 (schema_v3.sql), compiled in. */
extern const char store_schema_sql[];
extern const char store_schema_v3_sql[];

/* The schema text of st's layout. */
const char *store_layout_schema(const struct store *st);

/* The table that holds one row per observation in st's layout
 * ("observations" or "observation_rows"). */
const char *store_obs_table(const struct store *st);

/* obs_rows.c: the packets, indicator values and details that layout-4
 * observations refer to, found or written as needed (no chain entries
 * of their own: the observations' entries hold what they say). */
struct obs_refs *obs_refs_create(void);
void obs_refs_destroy(struct obs_refs *r);
/* Forgets everything known (after a rollback). */
void obs_refs_clear(struct obs_refs *r);
/* The observation's packet row id, written first when new; -1 on
 * failure (rolled back). */
int64_t obs_packet_id(struct store *st, int64_t source_id,
		      const struct store_obs *o);
/* The id of the (kind, value) row, written first when new; -1 on
 * failure (rolled back). */
int64_t obs_value_id(struct store *st, const char *kind, const char *value);
/* The id of the detail's row, written first when new; 0 for no detail
 * (NULL), -1 on failure (rolled back). */
int64_t obs_detail_id(struct store *st, const char *detail);
/* Prepares the layout-4 statements. 0 or -1. */
int obs_refs_prepare(struct store *st);
void obs_refs_finalize(struct store *st);

/*
 * Identifies the database at st->path (store_identify) and opens st->db:
 * read-write (created when new and mode is STORE_CREATE), or read-only
 * when the case cannot be written and mode allows it (st->readonly).
 * Refuses anything but a case or an empty database. 0, or -1 with err.
 */
int store_connect(struct store *st, enum store_mode mode, char *err,
		  size_t errlen);

/* Writes attrib's application id and schema version into the database
 * header (inside the open transaction). 0 or -1. */
int store_mark_case(struct store *st);

/* Sets st->err to "PATH: what: sqlite's message". */
void store_fail(struct store *st, const char *what);

/* The folder holding path ("." for a bare name, "/" at the root), cut to
 * n bytes (open.c). */
void store_folder_of(const char *path, char *dir, size_t n);

/* The ids the next records get, from the tables as they are (store.c). */
void store_load_next_ids(struct store *st);

/* Runs SQL without results; on failure sets st->err ("PATH: what: ..."). */
int store_exec(struct store *st, const char *sql, const char *what);

/* Opens a write transaction unless one is open. 0, or -1 (also once a
 * write has failed: see store_txn_rollback). */
int store_txn_begin(struct store *st);

/* True when table has a column named column (false on any error). */
bool store_has_column(struct store *st, const char *table,
		      const char *column);

/* Inserts the rows waiting in b; what names them in a message ("insert
 * flow"). 0, or -1 with st->err set (the caller rolls back). */
int store_flush_batch(struct store *st, struct row_batch *b,
		      const char *what);

/* Inserts the flow and observation rows still waiting. 0, or -1 with
 * st->err set (the caller rolls back). */
int store_flush_rows(struct store *st);

/* Commits the open transaction, if any, with the rows waiting and the
 * chain head (meta and head file); rolls back on failure. 0 or -1. */
int store_txn_commit(struct store *st);

/* Rolls back the open transaction and the in-memory chain state (head,
 * next record ids) to the last commit, and refuses every later write: a
 * batch that lost a record must not be completed and committed by the
 * writes that follow (or by store_close). Keeps st->err. Every failed
 * write goes through here. */
void store_txn_rollback(struct store *st);

/*
 * True when the flow or observation being produced was committed by an
 * interrupted run of the same source and must be skipped (store.h:
 * store_set_frame). Counts the record.
 */
bool store_replaying(struct store *st);

/* Inside a transaction, with nothing pending: takes up the chain where
 * another process's commit left it, if one did (the head and the next
 * record ids, from meta and the tables). 0 or -1. */
int store_refresh_state(struct store *st);

/* flock() (LOCK_SH, LOCK_EX, LOCK_UN) on the database file, which
 * orders writers across processes: a write transaction holds it
 * exclusively from its BEGIN to the final head file (store_txn_begin,
 * store_txn_commit), a verifier shared while it takes its snapshot of the
 * database and the head file. */
void store_lock(struct store *st, int how);

/* Starts the chain entry for the next record of kind (encoder st->enc),
 * opening the write transaction first if none is open. */
void store_chain_begin(struct store *st, const char *kind);

/*
 * Finishes the entry begun with store_chain_begin() and makes it the head
 * (st->chain_seq, st->chain_head). 0, or -1 (entry too large).
 */
int store_chain_end(struct store *st);

/*
 * Chains an existing row: SELECT * of table WHERE rowid=rowid is encoded
 * (chain columns excluded) and chain_seq/chain_hash of that row set.
 */
int store_chain_row(struct store *st, const char *table, const char *kind,
		    int64_t rowid);

/* The columns (and FROM clause) that store_obs_rows() reads, in its
 * order; append WHERE and ORDER BY (query.c). */
#define STORE_OBS_ROW_COLUMNS                                                  \
	"o.id, o.kind, o.value, coalesce(o.detail,''), "                       \
	"coalesce(s.sha256,''), s.path, o.frame, o.file_offset, o.ts_us, "    \
	"coalesce(o.flow_id,0) FROM observations o JOIN sources s "            \
	"ON s.id=o.source_id"

/* Steps q (selecting STORE_OBS_ROW_COLUMNS) and calls fn for each row;
 * stops and returns fn's value when it is non-zero; -1 on error. Does not
 * reset or finalize q. */
int store_obs_rows(struct store *st, sqlite3_stmt *q, store_obs_fn fn,
		   void *ctx);

/* Binds parameters in column order and feeds the same values to the
 * chain encoder, so the hash covers exactly what is stored (records.c).
 * Start the entry with store_chain_begin(), bind every column but the
 * chain's, then rb_insert(). Text is bound without a copy
 * (SQLITE_STATIC): keep the strings until rb_insert() has returned. Every
 * row binds every parameter, so a stale pointer is never read. With b
 * set, the values go to that batch instead (copied; q and idx unused),
 * and rb_insert() inserts the batch when it is full. */
struct rowbind {
	struct store *st;
	sqlite3_stmt *q;
	int idx;
	struct row_batch *b;
};

void rb_int(struct rowbind *rb, int64_t v);
void rb_text(struct rowbind *rb, const char *s); /* NULL binds NULL */
void rb_real(struct rowbind *rb, double v);

/* Chains the row bound so far and runs the insert ("what" names it in an
 * error). On failure the batch is rolled back (store_txn_rollback).
 * 0 or -1. */
int rb_insert(struct rowbind *rb, const char *what);

#endif
