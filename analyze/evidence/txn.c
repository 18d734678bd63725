/*
 * txn.c — the evidence store's transactions (see store.h): batches,
 * commits, the head file and chained rows.
 *
 * Durability: WAL journal, one open transaction per batch. A crash loses
 * at most the open batch and leaves the database at the previous commit.
 * The chain head is kept in the meta table (committed with the batch) and
 * in the head file outside the database, written (and synced, with its
 * folder) before the commit as "pending" and after it as the head, so
 * whichever moment a crash hits, the database's head is one the file
 * names. synchronous=FULL makes that hold after a power loss too: with
 * NORMAL, a WAL commit can be lost after the head file named it. It costs
 * one sync per batch (a batch is tens of thousands of packets).
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

int store_txn_begin(struct store *st)
{
	if (st->failed)
		return -1; /* st->err still names the failed write */
	if (st->in_txn)
		return 0;
	if (st->readonly) {
		snprintf(st->err, sizeof st->err,
			 "%s: the case is read-only (%s): nothing can be "
			 "recorded in it", st->path, st->readonly_why);
		return -1;
	}
	store_lock(st, LOCK_EX);
	if (store_exec(st, "BEGIN IMMEDIATE", "begin transaction") != 0) {
		store_lock(st, LOCK_UN);
		return -1;
	}
	st->in_txn = true;
	if (st->needs_mark && store_mark_case(st) != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		st->in_txn = false;
		store_lock(st, LOCK_UN);
		return -1;
	}
	if (store_refresh_state(st) != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		st->in_txn = false;
		store_lock(st, LOCK_UN);
		return -1;
	}
	return 0;
}

void store_lock(struct store *st, int how)
{
	if (st->lock_fd < 0)
		return;
	while (flock(st->lock_fd, how) != 0 && errno == EINTR)
		;
}

/* Rolls the open transaction and the in-memory chain state back to the
 * last commit. */
static void discard_open_batch(struct store *st)
{
	row_batch_discard(&st->flows);
	row_batch_discard(&st->packets);
	row_batch_discard(&st->obs);
	obs_refs_clear(st->refs);
	if (st->in_txn) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		store_lock(st, LOCK_UN);
	}
	st->in_txn = false;
	st->chain_seq = st->committed_seq;
	memcpy(st->chain_head, st->committed_head, sizeof st->chain_head);
	chain_hex_to_raw(st->chain_head, st->chain_head_raw);
	store_load_next_ids(st);
	/* the rolled-back observations were counted */
	indicator_counts_drop(st->counts);
}

void store_txn_rollback(struct store *st)
{
	discard_open_batch(st);
	st->failed = true;
}

int store_discard(struct store *st)
{
	if (st->failed)
		return -1;
	discard_open_batch(st);
	st->replay_until = 0;
	memset(st->tally, 0, sizeof st->tally);
	memset(st->unplaced, 0, sizeof st->unplaced);
	return 0;
}

/* Syncs the folder holding path, so a rename into it is durable. */
static int sync_folder(const char *path)
{
	char dir[STORE_PATH_LEN + 8];
	store_folder_of(path, dir, sizeof dir);
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	/* EINVAL: a file system that cannot sync folders (nothing to do) */
	int rc = fsync(fd) == 0 || errno == EINVAL ? 0 : -1;
	close(fd);
	return rc;
}

/* Writes the head file atomically (temporary file, fsync, rename). With
 * pending, the file also names the head about to be committed. */
static int write_head_file(struct store *st, bool pending)
{
	char tmp[sizeof st->head_path + 8];
	snprintf(tmp, sizeof tmp, "%s.tmp", st->head_path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		goto fail;
	fprintf(f, "attrib-head 1\nseq %" PRIu64 "\nhash %s\n",
		st->committed_seq, st->committed_head);
	if (pending)
		fprintf(f, "pending-seq %" PRIu64 "\npending-hash %s\n",
			st->chain_seq, st->chain_head);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		goto fail;
	}
	if (fclose(f) != 0 || rename(tmp, st->head_path) != 0 ||
	    sync_folder(st->head_path) != 0)
		goto fail;
	return 0;
fail:
	snprintf(st->err, sizeof st->err, "%s: cannot write head file: %s",
		 st->head_path, strerror(errno));
	unlink(tmp);
	return -1;
}

int store_flush_batch(struct store *st, struct row_batch *b,
		      const char *what)
{
	if (row_batch_flush(b) == 0)
		return 0;
	if (b->lost)
		snprintf(st->err, sizeof st->err, "%s: %s: out of memory",
			 st->path, what);
	else
		store_fail(st, what);
	return -1;
}

int store_flush_rows(struct store *st)
{
	if (store_flush_batch(st, &st->flows, "insert flow") != 0 ||
	    store_flush_batch(st, &st->packets, "insert packet") != 0 ||
	    store_flush_batch(st, &st->obs, "insert observation") != 0)
		return -1;
	return 0;
}

/*
 * Several processes may write to one case (a capture and `attrib score`,
 * say). Each write transaction holds an exclusive flock() on the database
 * file from its BEGIN to the final head file (store_lock), and starts from
 * the chain head the last commit left (store_refresh_state). The lock
 * queues writers fairly (SQLite's busy wait alone would let a writer that
 * commits every second starve the others) and keeps the head file in step
 * with the database for a verifier, which takes the lock shared. Rows wait
 * in the batches only inside a transaction: they are inserted here,
 * before the commit, and dropped by a rollback.
 */
int store_txn_commit(struct store *st)
{
	if (!st->in_txn)
		return 0;
	if (store_flush_rows(st) != 0)
		goto fail;
	bool advanced = st->chain_seq != st->committed_seq;
	if (advanced) {
		char sql[256];
		snprintf(sql, sizeof sql,
			 "INSERT OR REPLACE INTO meta VALUES"
			 "('chain_seq','%" PRIu64 "'),('chain_head','%s')",
			 st->chain_seq, st->chain_head);
		if (store_exec(st, sql, "write chain head") != 0 ||
		    write_head_file(st, true) != 0)
			goto fail;
	}
	if (store_exec(st, "COMMIT", "commit") != 0)
		goto fail;
	st->in_txn = false;
	int rc = 0;
	if (advanced) {
		st->committed_seq = st->chain_seq;
		memcpy(st->committed_head, st->chain_head,
		       sizeof st->committed_head);
		rc = write_head_file(st, false);
	}
	store_lock(st, LOCK_UN);
	return rc;
fail: {
	char saved[STORE_ERR_LEN];
	memcpy(saved, st->err, sizeof saved);
	store_txn_rollback(st);
	memcpy(st->err, saved, sizeof saved);
	return -1;
}
}

void store_chain_begin(struct store *st, const char *kind)
{
	/* The entry follows the head as of the open transaction, which may
	 * have moved since the last one (another process's commit). A failure
	 * here fails the record's insert too. */
	(void)store_txn_begin(st);
	chain_enc_begin(&st->enc, st->chain_seq + 1, st->chain_head, kind);
}

int store_chain_end(struct store *st)
{
	char hash[CHAIN_HEX_LEN + 1];
	uint8_t raw[CHAIN_HEX_LEN / 2];
	if (!chain_enc_finish_raw(&st->enc, raw, hash)) {
		snprintf(st->err, sizeof st->err,
			 "%s: evidence record too large to chain", st->path);
		return -1;
	}
	st->chain_seq++;
	memcpy(st->chain_head, hash, sizeof hash);
	memcpy(st->chain_head_raw, raw, sizeof raw);
	return 0;
}

int store_chain_row(struct store *st, const char *table, const char *kind,
		    int64_t rowid)
{
	char sql[160];
	sqlite3_stmt *q = NULL, *u = NULL;
	int rc = -1;
	snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE rowid=?", table);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(q, 1, rowid);
	if (sqlite3_step(q) != SQLITE_ROW)
		goto fail;
	store_chain_begin(st, kind);
	chain_enc_row(&st->enc, q);
	snprintf(sql, sizeof sql,
		 "UPDATE %s SET chain_seq=?, chain_hash=? WHERE rowid=?", table);
	if (sqlite3_prepare_v2(st->db, sql, -1, &u, NULL) != SQLITE_OK)
		goto fail;
	if (store_chain_end(st) != 0)
		goto done;
	sqlite3_bind_int64(u, 1, (int64_t)st->chain_seq);
	if (st->layout == STORE_LAYOUT_NEW)
		sqlite3_bind_blob(u, 2, st->chain_head_raw,
				  sizeof st->chain_head_raw, SQLITE_STATIC);
	else
		sqlite3_bind_text(u, 2, st->chain_head, CHAIN_HEX_LEN,
				  SQLITE_STATIC);
	sqlite3_bind_int64(u, 3, rowid);
	if (sqlite3_step(u) != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto done;
fail:
	store_fail(st, "chain record");
done:
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	return rc;
}
