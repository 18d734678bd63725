/*
 * store.c — the evidence store's core (see store.h): opening a case
 * (creating, upgrading, configuring it), its state and closing it.
 * Transactions, commits, the head file and chained rows: txn.c. The only
 * files that include sqlite3.h are the analyze/evidence/ ones.
 */
#include "analyze/evidence/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <unistd.h>

const char store_schema_sql[] =
#include "schema.inc"
	;
const char store_schema_v3_sql[] =
#include "schema_v3.inc"
	;

const char *store_layout_schema(const struct store *st)
{
	return st->layout == STORE_LAYOUT_NEW ? store_schema_sql
					      : store_schema_v3_sql;
}

const char *store_obs_table(const struct store *st)
{
	return st->layout == STORE_LAYOUT_NEW ? "observation_rows"
					      : "observations";
}

/* Sets st->err to "PATH: what: msg", adding the system's reason when
 * SQLite failed on I/O ("disk I/O error (File too large)"). SQLite does
 * not always keep that reason, but errno still holds it then. */
static void fail_with(struct store *st, const char *what, const char *msg)
{
	int sys = errno;
	int code = sqlite3_errcode(st->db) & 0xff;
	if (sqlite3_system_errno(st->db))
		sys = sqlite3_system_errno(st->db);
	if (sys && (code == SQLITE_IOERR || code == SQLITE_FULL ||
		    code == SQLITE_CANTOPEN))
		snprintf(st->err, sizeof st->err, "%s: %s: %s (%s)", st->path,
			 what, msg, strerror(sys));
	else
		snprintf(st->err, sizeof st->err, "%s: %s: %s", st->path, what,
			 msg);
}

void store_fail(struct store *st, const char *what)
{
	fail_with(st, what, sqlite3_errmsg(st->db));
}

int store_exec(struct store *st, const char *sql, const char *what)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fail_with(st, what, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Reads a meta value into out (size n); "" when absent. */
static int meta_get(struct store *st, const char *key, char *out, size_t n)
{
	sqlite3_stmt *q = NULL;
	out[0] = '\0';
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key=?", -1,
			       &q, NULL) != SQLITE_OK) {
		store_fail(st, "read meta");
		return -1;
	}
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return 0;
}

static int64_t max_rowid(struct store *st, const char *table)
{
	char sql[96];
	sqlite3_stmt *q = NULL;
	int64_t v = 0;
	snprintf(sql, sizeof sql, "SELECT coalesce(max(rowid),0) FROM %s", table);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* The ids the next records get, from the tables as they are. */
void store_load_next_ids(struct store *st)
{
	st->next_obs_id = max_rowid(st, store_obs_table(st)) + 1;
	st->next_custody_id = max_rowid(st, "custody") + 1;
	if (st->layout == STORE_LAYOUT_NEW) {
		st->next_packet_id = max_rowid(st, "packets") + 1;
		st->next_value_id = max_rowid(st, "indicator_values") + 1;
		st->next_detail_id = max_rowid(st, "details") + 1;
	}
}

static int load_state(struct store *st)
{
	char seq[32], head[CHAIN_HEX_LEN + 8];
	if (meta_get(st, "chain_seq", seq, sizeof seq) != 0 ||
	    meta_get(st, "chain_head", head, sizeof head) != 0)
		return -1;
	st->chain_seq = seq[0] ? strtoull(seq, NULL, 10) : 0;
	snprintf(st->chain_head, sizeof st->chain_head, "%s",
		 head[0] ? head : chain_genesis);
	st->committed_seq = st->chain_seq;
	memcpy(st->committed_head, st->chain_head, sizeof st->chain_head);
	chain_hex_to_raw(st->chain_head, st->chain_head_raw);
	store_load_next_ids(st);
	/* another process may have written packets of the source */
	obs_refs_clear(st->refs);
	return 0;
}

/* Counting the observations written from now on keeps the indicators
 * table exact only if it is exact now (records.c checks again, with the
 * write lock, before it uses the counts). */
static int start_counting(struct store *st)
{
	char through[32];
	if (meta_get(st, "indicators_obs", through, sizeof through) != 0)
		return -1;
	st->indicators_base = strtoll(through, NULL, 10);
	st->indicators_counted = 0;
	if (st->indicators_base != st->next_obs_id - 1)
		indicator_counts_drop(st->counts);
	return 0;
}

int store_refresh_state(struct store *st)
{
	char seq[32], head[CHAIN_HEX_LEN + 8];
	if (meta_get(st, "chain_seq", seq, sizeof seq) != 0 ||
	    meta_get(st, "chain_head", head, sizeof head) != 0)
		return -1;
	if (strtoull(seq, NULL, 10) == st->committed_seq &&
	    !strcmp(head[0] ? head : chain_genesis, st->committed_head))
		return 0;
	return load_state(st);
}

static const char ins_custody_sql[] =
	"INSERT INTO custody VALUES(?,?,?,?,?,?,?,?,?,?)";
/* Columns of the tables inserted into by batches (schema.sql; the
 * observations table of schema_v3.sql). */
enum { FLOWS_COLS = 29, PACKETS_COLS = 7, OBSERVATION_ROWS_COLS = 7,
       OBSERVATIONS_V3_COLS = 13 };

/* A case made by this version (layout 4) has observation_rows. */
static int detect_layout(struct store *st)
{
	sqlite3_stmt *q = NULL;
	int found = 0;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT 1 FROM sqlite_master WHERE type='table'"
			       " AND name='observation_rows'",
			       -1, &q, NULL) == SQLITE_OK)
		found = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return found ? STORE_LAYOUT_NEW : STORE_LAYOUT_OLD;
}

bool store_has_column(struct store *st, const char *table,
		      const char *column)
{
	char sql[96];
	sqlite3_stmt *q = NULL;
	bool found = false;
	snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return false;
	while (!found && sqlite3_step(q) == SQLITE_ROW) {
		const unsigned char *name = sqlite3_column_text(q, 1);
		found = name && !strcmp((const char *)name, column);
	}
	sqlite3_finalize(q);
	return found;
}

/* Creates the schema in one transaction, so a failure (a full disk) leaves
 * no half-made case behind. */
static int create_case(struct store *st)
{
	if (store_exec(st, "BEGIN IMMEDIATE", "create schema") != 0)
		return -1;
	/* IF NOT EXISTS throughout: another process may have made the case
	 * since it was found empty */
	char meta[96];
	snprintf(meta, sizeof meta, "INSERT OR IGNORE INTO meta VALUES"
		 "('schema_version','%d')", st->layout);
	if (store_exec(st, store_layout_schema(st), "create schema") != 0 ||
	    store_exec(st, meta, "write meta") != 0 ||
	    store_mark_case(st) != 0 ||
	    store_exec(st, "COMMIT", "create schema") != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

/*
 * Brings a version-1 case (before scores were stored) to version 3 by
 * creating the tables that follow the "-- @v2" marker in schema_v3.sql,
 * and a version-2 case (before score runs were stored in parts) by
 * creating those after "-- @v3", and only those: an older table that is
 * missing stays missing, for `attrib verify` to report. Such a case keeps
 * the layout of version 3 (docs/evidence.md, "Cases made before schema
 * version 4"). One transaction.
 */
static int upgrade_case(struct store *st)
{
	char version[32];
	if (meta_get(st, "schema_version", version, sizeof version) != 0)
		return -1;
	if (strcmp(version, "1") != 0 && strcmp(version, "2") != 0)
		return 0;
	const char *v2 = strstr(store_schema_v3_sql,
				strcmp(version, "1") ? "-- @v3" : "-- @v2");
	if (!v2) {
		snprintf(st->err, sizeof st->err, "%s: schema: no version 2 part",
			 st->path);
		return -1;
	}
	if (store_exec(st, "BEGIN IMMEDIATE", "upgrade schema") != 0)
		return -1;
	if (store_exec(st, v2, "upgrade schema") != 0 ||
	    store_exec(st, "UPDATE meta SET value='3' WHERE "
			   "key='schema_version'",
		       "upgrade schema") != 0 ||
	    store_mark_case(st) != 0 ||
	    store_exec(st, "COMMIT", "upgrade schema") != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

/*
 * The connection's settings. Switching a new case to WAL takes the
 * database's exclusive lock, and SQLite answers "database is locked" at
 * once (without its busy handler) while another process that opened the
 * case at the same moment holds a shared one: the switch is tried again
 * every 50 ms for up to a minute, as long as the answer is that lock.
 */
static int configure(struct store *st)
{
	for (int tries = 0;; tries++) {
		if (store_exec(st, "PRAGMA page_size=8192;"
				   "PRAGMA journal_mode=WAL; "
				   "PRAGMA synchronous=FULL;"
				   "PRAGMA cache_size=-2048; "
				   "PRAGMA foreign_keys=ON;",
			       "configure") == 0)
			return 0;
		int code = sqlite3_errcode(st->db) & 0xff;
		if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) ||
		    tries >= 1200)
			return -1;
		struct timespec pause = {0, 50 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
}

struct store *store_open_mode(const char *path, enum store_mode mode,
			      char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof *st);
	if (!st) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	st->lock_fd = -1;
	st->claim_fd = -1;
	snprintf(st->path, sizeof st->path, "%s", path);
	snprintf(st->head_path, sizeof st->head_path, "%s.head", path);
	st->counts = indicator_counts_create(STORE_INDICATOR_COUNTS_BYTES);
	st->refs = obs_refs_create();
	if (!st->counts || !st->refs) {
		snprintf(err, errlen, "%s: out of memory", path);
		indicator_counts_destroy(st->counts);
		obs_refs_destroy(st->refs);
		free(st);
		return NULL;
	}
	if (store_connect(st, mode, err, errlen) != 0)
		goto fail_db;
	/* Writers queue on store_lock(); SQLite's own wait covers the rest
	 * (schema creation, indexes), generously for a busy machine. */
	sqlite3_busy_timeout(st->db, 60000);
	/* for store_lock(); without it (-1) SQLite's lock alone orders
	 * writers */
	st->lock_fd = open(path, O_RDONLY | O_CLOEXEC);
	/* A new case gets 8 KiB pages (an existing one keeps its own): every
	 * page is written to the WAL and copied by the checkpoint, and
	 * larger pages take fewer system calls for the same bytes. (16 KiB
	 * take fewer still, but make a small case three times as large.) */
	if (st->readonly) {
		st->layout = detect_layout(st);
		if (store_exec(st, "PRAGMA cache_size=-8192;", "configure") != 0)
			goto fail_msg;
	} else {
		/* In turn with other attrib processes (store_lock), which may
		 * be making the same new case at this moment; configure()
		 * still waits out SQLite's own lock. */
		store_lock(st, LOCK_EX);
		int crc = configure(st);
		st->layout = st->is_new ? STORE_LAYOUT_NEW
					: detect_layout(st);
		if (crc == 0)
			crc = st->is_new ? create_case(st) : upgrade_case(st);
		store_lock(st, LOCK_UN);
		if (crc != 0)
			goto fail_msg;
	}
	if (load_state(st) != 0 || start_counting(st) != 0)
		goto fail_msg;
	st->flows_community_id = store_has_column(st, "flows", "community_id");
	bool new_layout = st->layout == STORE_LAYOUT_NEW;
	if (row_batch_init(&st->flows, st->db, "flows",
			   FLOWS_COLS - !st->flows_community_id) != 0 ||
	    (new_layout && row_batch_init(&st->packets, st->db, "packets",
					  PACKETS_COLS) != 0) ||
	    row_batch_init(&st->obs, st->db, store_obs_table(st),
			   new_layout ? OBSERVATION_ROWS_COLS
				      : OBSERVATIONS_V3_COLS) != 0 ||
	    obs_refs_prepare(st) != 0 ||
	    sqlite3_prepare_v2(st->db, ins_custody_sql, -1, &st->ins_custody,
			       NULL) != SQLITE_OK) {
		store_fail(st, "prepare");
		goto fail_msg;
	}
	return st;

fail_msg:
	snprintf(err, errlen, "%s", st->err);
fail_db:
	row_batch_free(&st->flows);
	row_batch_free(&st->packets);
	row_batch_free(&st->obs);
	obs_refs_finalize(st);
	sqlite3_finalize(st->ins_custody);
	for (size_t i = 0; i < sizeof st->score_q / sizeof st->score_q[0]; i++)
		sqlite3_finalize(st->score_q[i]);
	sqlite3_close(st->db);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	indicator_counts_destroy(st->counts);
	obs_refs_destroy(st->refs);
	free(st);
	return NULL;
}

void store_set_head_path(struct store *st, const char *head_path)
{
	snprintf(st->head_path, sizeof st->head_path, "%s", head_path);
}

void store_head(const struct store *st, uint64_t *seq,
		char hex[CHAIN_HEX_LEN + 1])
{
	*seq = st->committed_seq;
	memcpy(hex, st->committed_head, CHAIN_HEX_LEN + 1);
}

const char *store_head_path(const struct store *st)
{
	return st->head_path;
}

int store_commit(struct store *st)
{
	return store_txn_commit(st);
}

int store_close(struct store *st, char *err, size_t errlen)
{
	if (!st)
		return 0;
	int rc = 0;
	if (store_txn_commit(st) != 0) {
		snprintf(err, errlen, "%s", st->err);
		rc = -1;
	}
	row_batch_free(&st->flows);
	row_batch_free(&st->packets);
	row_batch_free(&st->obs);
	obs_refs_finalize(st);
	sqlite3_finalize(st->ins_custody);
	for (size_t i = 0; i < sizeof st->score_q / sizeof st->score_q[0]; i++)
		sqlite3_finalize(st->score_q[i]);
	if (sqlite3_close(st->db) != SQLITE_OK && rc == 0) {
		snprintf(err, errlen, "%s: close: %s", st->path,
			 sqlite3_errmsg(st->db));
		rc = -1;
	}
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	if (st->claim_fd >= 0)
		close(st->claim_fd); /* and with it the claim */
	chain_enc_free(&st->enc);
	indicator_counts_destroy(st->counts);
	obs_refs_destroy(st->refs);
	free(st);
	return rc;
}

const char *store_error(const struct store *st)
{
	return st->err;
}

void store_set_frame(struct store *st, uint64_t frame)
{
	if (frame != st->frame)
		st->frame_records = 0;
	st->frame = frame;
}

bool store_replaying(struct store *st)
{
	uint64_t n = st->frame_records++;
	if (st->replay_until == 0 || st->frame > st->replay_until)
		return false;
	return st->frame < st->replay_until || n < st->replay_records;
}
