/*
 * verify.c — re-verification of a case's hash chain (store.h:
 * store_verify_chain), the integrity check, and the iterators `attrib
 * verify` uses to re-hash source files and spot-check cited packets.
 *
 * Every chained table is read in chain order and the cursors are merged by
 * chain_seq; each entry's hash is recomputed from the row as stored and
 * the previous entry's hash, so a changed, inserted, deleted or reordered
 * row is found at its sequence number.
 */
#include "analyze/evidence/store_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chained_table {
	const char *table, *kind;
	sqlite3_stmt *q;
	bool has_row;
	int64_t seq;
};

static const struct {
	const char *table, *kind;
} chained[] = {
	{"sources", "source"},     {"anomalies", "anomaly"},
	{"flows", "flow"},         {"observations", "observation"},
	{"custody", "custody"},
};
enum { N_CHAINED = sizeof chained / sizeof chained[0] };

static void problem(struct store_verify *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct store_verify *v, const char *fmt, ...)
{
	v->tampered = true;
	if (v->problems++ == 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(v->first_problem, sizeof v->first_problem, fmt, ap);
		va_end(ap);
	}
}

static void advance(struct chained_table *t)
{
	t->has_row = sqlite3_step(t->q) == SQLITE_ROW;
	if (t->has_row)
		t->seq = sqlite3_column_int64(t->q, 0);
}

/* Column index of name in q's result, or -1. */
static int column_of(sqlite3_stmt *q, const char *name)
{
	for (int c = 0; c < sqlite3_column_count(q); c++)
		if (!strcmp(sqlite3_column_name(q, c), name))
			return c;
	return -1;
}

/* Rows not in the chain: allowed only for an unfinished source. */
static int check_unchained(struct store *st, struct store_verify *v)
{
	static const char *const sql[] = {
		"SELECT 'sources', id FROM sources WHERE chain_seq IS NULL "
		"AND status<>'partial'",
		"SELECT 'anomalies', rowid FROM anomalies a WHERE chain_seq IS "
		"NULL AND NOT EXISTS (SELECT 1 FROM sources s WHERE "
		"s.id=a.source_id AND s.status='partial')",
		"SELECT 'flows', id FROM flows WHERE chain_seq IS NULL",
		"SELECT 'observations', id FROM observations WHERE chain_seq IS NULL",
		"SELECT 'custody', id FROM custody WHERE chain_seq IS NULL",
	};
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *q = NULL;
		if (sqlite3_prepare_v2(st->db, sql[i], -1, &q, NULL) != SQLITE_OK) {
			store_fail(st, "verify");
			return -1;
		}
		while (sqlite3_step(q) == SQLITE_ROW)
			problem(v, "%s row %" PRId64 " is not in the chain "
				   "(a row inserted outside attrib)",
				(const char *)sqlite3_column_text(q, 0),
				(int64_t)sqlite3_column_int64(q, 1));
		sqlite3_finalize(q);
	}
	return 0;
}

/* Reads "key value" lines of the head file. 1 read, 0 absent, -1 bad. */
static int read_head_file(const char *path, uint64_t *seq, char *hash,
			  uint64_t *pseq, char *phash)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[256], val[128];
	int got = 0;
	*pseq = 0;
	phash[0] = '\0';
	while (fgets(line, sizeof line, f)) {
		unsigned long long n;
		if (sscanf(line, "seq %llu", &n) == 1) {
			*seq = n;
			got |= 1;
		} else if (sscanf(line, "hash %127s", val) == 1) {
			snprintf(hash, CHAIN_HEX_LEN + 1, "%s", val);
			got |= 2;
		} else if (sscanf(line, "pending-seq %llu", &n) == 1) {
			*pseq = n;
		} else if (sscanf(line, "pending-hash %127s", val) == 1) {
			snprintf(phash, CHAIN_HEX_LEN + 1, "%s", val);
		}
	}
	fclose(f);
	return got == 3 ? 1 : -1;
}

/* Compares the recomputed head with the external head file. */
static void check_external(const char *head_path, struct store_verify *v)
{
	uint64_t seq = 0, pseq = 0;
	char hash[CHAIN_HEX_LEN + 1] = "", phash[CHAIN_HEX_LEN + 1] = "";
	int rc = read_head_file(head_path, &seq, hash, &pseq, phash);
	if (rc == 0) {
		snprintf(v->external, sizeof v->external,
			 "no head file at %s: the chain was checked against "
			 "itself only", head_path);
		return;
	}
	v->external_checked = true;
	if (rc < 0) {
		problem(v, "head file %s is not an attrib head file", head_path);
		snprintf(v->external, sizeof v->external, "unreadable head file");
		return;
	}
	bool at_head = v->head_seq == seq && !strcmp(v->head_hash, hash);
	bool at_pending = pseq && v->head_seq == pseq &&
			  !strcmp(v->head_hash, phash);
	if (at_head || at_pending) {
		snprintf(v->external, sizeof v->external,
			 "matches the head file %s (seq %" PRIu64 "%s)", head_path,
			 v->head_seq,
			 at_pending ? ", the commit it announced as pending" : "");
	} else if (v->head_seq < seq) {
		problem(v, "chain truncated: the head file names entry %" PRIu64
			   " but the database ends at entry %" PRIu64,
			seq, v->head_seq);
		snprintf(v->external, sizeof v->external, "does NOT match %s",
			 head_path);
	} else if (v->head_seq > seq) {
		problem(v, "the database holds %" PRIu64 " chain entries after "
			   "the head file's entry %" PRIu64 " (added outside attrib)",
			v->head_seq - seq, seq);
		snprintf(v->external, sizeof v->external, "does NOT match %s",
			 head_path);
	} else {
		problem(v, "chain rewritten: entry %" PRIu64 " hashes to %.16s… "
			   "but the head file says %.16s…",
			seq, v->head_hash, hash);
		snprintf(v->external, sizeof v->external, "does NOT match %s",
			 head_path);
	}
}

int store_verify_chain(struct store *st, const char *head_path,
		       struct store_verify *v)
{
	memset(v, 0, sizeof *v);
	if (store_txn_commit(st) != 0)
		return -1;
	struct chained_table t[N_CHAINED];
	int rc = -1;
	memset(t, 0, sizeof t);
	for (int i = 0; i < N_CHAINED; i++) {
		char sql[160];
		t[i].table = chained[i].table;
		t[i].kind = chained[i].kind;
		snprintf(sql, sizeof sql,
			 "SELECT chain_seq, chain_hash, * FROM %s WHERE chain_seq "
			 "IS NOT NULL ORDER BY chain_seq",
			 t[i].table);
		if (sqlite3_prepare_v2(st->db, sql, -1, &t[i].q, NULL) != SQLITE_OK) {
			store_fail(st, "verify");
			goto done;
		}
		advance(&t[i]);
	}
	char prev[CHAIN_HEX_LEN + 1], hash[CHAIN_HEX_LEN + 1];
	memcpy(prev, chain_genesis, sizeof prev);
	uint64_t expect = 1;
	for (;;) {
		struct chained_table *next = NULL;
		for (int i = 0; i < N_CHAINED; i++)
			if (t[i].has_row && (!next || t[i].seq < next->seq))
				next = &t[i];
		if (!next)
			break;
		int64_t seq = next->seq;
		int id_col = column_of(next->q, "id");
		int64_t id = id_col >= 0 ? sqlite3_column_int64(next->q, id_col)
					 : 0;
		if (seq < (int64_t)expect) {
			problem(v, "%s %" PRId64 " reuses chain entry %" PRId64
				   " (rows reordered or duplicated)",
				next->kind, id, seq);
			advance(next);
			continue;
		}
		if (seq > (int64_t)expect)
			problem(v, "chain entries %" PRIu64 "-%" PRId64 " are "
				   "missing (rows deleted) before %s %" PRId64,
				expect, seq - 1, next->kind, id);
		/* Re-encode the row: skip the two leading chain columns. */
		chain_enc_begin(&st->enc, (uint64_t)seq, prev, next->kind);
		chain_enc_row(&st->enc, next->q);
		if (!chain_enc_finish(&st->enc, hash)) {
			problem(v, "%s %" PRId64 " is too large to re-encode",
				next->kind, id);
		}
		const unsigned char *stored = sqlite3_column_text(next->q, 1);
		if (!stored || strcmp((const char *)stored, hash) != 0) {
			problem(v, "%s %" PRId64 " (chain entry %" PRId64 ") was "
				   "changed: its content no longer hashes to the "
				   "stored entry",
				next->kind, id, seq);
		}
		snprintf(prev, sizeof prev, "%s",
			 stored ? (const char *)stored : hash);
		v->entries++;
		expect = (uint64_t)seq + 1;
		advance(next);
	}
	v->head_seq = expect - 1;
	memcpy(v->head_hash, prev, sizeof prev);
	if (v->head_seq != st->committed_seq ||
	    strcmp(v->head_hash, st->committed_head) != 0)
		problem(v, "the head stored in the database (entry %" PRIu64
			   ") differs from the recomputed head (entry %" PRIu64 ")",
			st->committed_seq, v->head_seq);
	if (check_unchained(st, v) != 0)
		goto done;
	check_external(head_path, v);
	rc = 0;
done:
	for (int i = 0; i < N_CHAINED; i++)
		sqlite3_finalize(t[i].q);
	return rc;
}

int store_integrity_check(struct store *st)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &q, NULL) !=
	    SQLITE_OK) {
		store_fail(st, "integrity check");
		return -1;
	}
	int ok = -1;
	if (sqlite3_step(q) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(q, 0);
		ok = r && !strcmp(r, "ok");
		if (!ok)
			snprintf(st->err, sizeof st->err, "%s: integrity check: %s",
				 st->path, r ? r : "?");
	} else {
		store_fail(st, "integrity check");
	}
	sqlite3_finalize(q);
	return ok;
}

int store_each_source(struct store *st, store_source_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, path, coalesce(sha256,''), status "
			       "FROM sources ORDER BY id",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "list sources");
		return -1;
	}
	int rc = 0;
	while (rc == 0 && sqlite3_step(q) == SQLITE_ROW)
		rc = fn(ctx, sqlite3_column_int64(q, 0),
			(const char *)sqlite3_column_text(q, 1),
			(const char *)sqlite3_column_text(q, 2),
			(const char *)sqlite3_column_text(q, 3));
	sqlite3_finalize(q);
	return rc;
}

int store_each_cited_packet(struct store *st, store_packet_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT source_id, frame, file_offset, caplen, "
			       "packet_sha256 FROM observations GROUP BY "
			       "source_id, file_offset ORDER BY source_id, "
			       "file_offset",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "list cited packets");
		return -1;
	}
	int rc = 0;
	while (rc == 0 && sqlite3_step(q) == SQLITE_ROW)
		rc = fn(ctx, sqlite3_column_int64(q, 0),
			(uint64_t)sqlite3_column_int64(q, 1),
			(uint64_t)sqlite3_column_int64(q, 2),
			(uint32_t)sqlite3_column_int64(q, 3),
			(const char *)sqlite3_column_text(q, 4));
	sqlite3_finalize(q);
	return rc;
}
