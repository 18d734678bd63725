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
#include <sys/file.h>

#include "analyze/crypto/digest.h"
#include "analyze/vocab/reproducible.h"

struct chained_table {
	const char *table, *kind;
	sqlite3_stmt *q;
	bool has_row;
	int64_t seq;
	int error;      /* SQLite's code when reading stopped on an error */
};

/* The head file: its head, and the head of a commit it announced. */
struct head_file {
	int state;      /* 1 read, 0 absent, -1 not a head file */
	uint64_t seq, pending_seq;
	char hash[CHAIN_HEX_LEN + 1], pending_hash[CHAIN_HEX_LEN + 1];
	char at_seq[CHAIN_HEX_LEN + 1]; /* the chain's hash at entry seq */
};

struct chained_def {
	const char *table, *kind;
};

/* The chained tables of a case made by this version (layout 4; its
 * observations read through the view, as their entries hold them) ... */
static const struct chained_def chained_new[] = {
	{"sources", "source"},     {"anomalies", "anomaly"},
	{"flows", "flow"},         {"observations", "observation"},
	{"custody", "custody"},    {"score_runs", "score_run"},
	{"scores", "score"},       {"score_evidence", "score_evidence"},
	{"score_run_parts", "score_run_part"},
};
/* ... with the tables the view reads, which must be defined as attrib
 * defines them too ... */
static const char *const view_tables[] = {
	"packets", "indicator_values", "details", "observation_rows",
};
/* ... and of one made before version 4 (layout 3). */
static const struct chained_def chained_old[] = {
	{"sources", "source"},     {"anomalies", "anomaly"},
	{"flows", "flow"},         {"observations", "observation"},
	{"custody", "custody"},    {"score_runs", "score_run"},
	{"scores", "score"},       {"score_evidence", "score_evidence"},
	{"score_run_parts", "score_run_part"},
};
enum { N_CHAINED_MAX = sizeof chained_old / sizeof chained_old[0] };

/* The chained tables of st's layout; *n their number. */
static const struct chained_def *chained_tables(const struct store *st,
						int *n)
{
	if (st->layout == STORE_LAYOUT_NEW) {
		*n = (int)(sizeof chained_new / sizeof chained_new[0]);
		return chained_new;
	}
	*n = (int)(sizeof chained_old / sizeof chained_old[0]);
	return chained_old;
}

/* A table of a later schema version that a case opened read-only, and so
 * not upgraded, may lack (score_run_parts, version 3): absent, it holds
 * nothing to verify. Any other missing table is damage. */
static bool optional_absent(struct store *st, const char *table)
{
	return !strcmp(table, "score_run_parts") &&
	       sqlite3_table_column_metadata(st->db, NULL, table, "run_id",
					     NULL, NULL, NULL, NULL,
					     NULL) != SQLITE_OK;
}

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
	int rc = sqlite3_step(t->q);
	t->has_row = rc == SQLITE_ROW;
	if (t->has_row)
		t->seq = sqlite3_column_int64(t->q, 0);
	else if (rc != SQLITE_DONE)
		t->error = rc;
}

/* True for SQLite's result codes that mean a damaged database file. */
static bool damaged(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB ||
	       rc == SQLITE_FORMAT;
}

/* True when s is 64 lower-case hex characters. */
static bool is_hash(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == CHAIN_HEX_LEN;
}

/* Column index of name in q's result, or -1. */
static int column_of(sqlite3_stmt *q, const char *name)
{
	for (int c = 0; c < sqlite3_column_count(q); c++)
		if (!strcmp(sqlite3_column_name(q, c), name))
			return c;
	return -1;
}

/* The definition of table (PRAGMA table_info: name and declared type of
 * each column, in order) as one string; "" when absent. */
static int table_shape(sqlite3 *db, const char *table, char *out, size_t n)
{
	char sql[96];
	sqlite3_stmt *q = NULL;
	size_t used = 0;
	out[0] = '\0';
	snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
	int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW && used < n) {
		int w = snprintf(out + used, n - used, "%s %s;",
				 (const char *)sqlite3_column_text(q, 1),
				 (const char *)sqlite3_column_text(q, 2));
		used += w > 0 ? (size_t)w : 0;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * True when got is want without a column added to table later, as a case
 * made before that column was added has it: flows without community_id.
 * Such a case chained its rows without the column, and still verifies.
 */
static bool legacy_shape(const struct store *st, const char *table,
			 const char *want, const char *got)
{
	static const char added[] = "community_id TEXT;";
	if (strcmp(table, "flows") != 0 || st->layout != STORE_LAYOUT_OLD)
		return false;
	const char *at = strstr(want, added);
	if (!at)
		return false;
	size_t head = (size_t)(at - want);
	return !strncmp(want, got, head) &&
	       !strcmp(at + sizeof added - 1, got + head);
}

/*
 * The chain's entries hold values in column order, not column names: a
 * case whose chained tables were redefined (columns renamed, swapped or
 * retyped) would verify while meaning something else. So every chained
 * table must have the columns and declared types of attrib's schema, in
 * its order (constraints and keys are not part of the chain's definition).
 */
/* The SQL text sqlite_master holds for name (a view), "" when there is
 * none. */
static int object_sql(sqlite3 *db, const char *type, const char *name,
		      char *out, size_t n)
{
	sqlite3_stmt *q = NULL;
	out[0] = '\0';
	int rc = sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE"
				    " type=?1 AND name=?2", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(q, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_text(q, 0))
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\f' || c == '\v';
}

/* True when a and b are the same text but for the length of their runs
 * of white space (the meaning of SQL does not change with it). */
static bool same_words(const char *a, const char *b)
{
	for (;;) {
		bool sa = is_space(*a), sb = is_space(*b);
		if (sa != sb)
			return false;
		while (is_space(*a))
			a++;
		while (is_space(*b))
			b++;
		if (*a != *b)
			return false;
		if (!*a)
			return true;
		a++;
		b++;
	}
}

/*
 * In a layout-4 case every reader sees observations through the view
 * observations: a view redefined (columns swapped, a join changed) would
 * change what the case says while every row still verifies, so its
 * definition must be attrib's, word for word (white space aside).
 */
static void check_view(struct store *st, sqlite3 *ref, struct store_verify *v)
{
	char want[2048], got[2048];
	int r = object_sql(ref, "view", "observations", want, sizeof want);
	int c = r == SQLITE_OK ? object_sql(st->db, "view", "observations", got,
					    sizeof got)
			       : r;
	if (c != SQLITE_OK)
		problem(v, "database damaged: reading the definition of the "
			   "view observations: %s", sqlite3_errstr(c));
	else if (!same_words(want, got))
		problem(v, "the view observations is not defined as attrib "
			   "defines it");
}

static int check_schema(struct store *st, struct store_verify *v)
{
	sqlite3 *ref = NULL;
	char want[4096], got[4096];
	int rc = -1, n_chained;
	const struct chained_def *chained = chained_tables(st, &n_chained);
	if (sqlite3_open(":memory:", &ref) != SQLITE_OK ||
	    sqlite3_exec(ref, store_layout_schema(st), NULL, NULL, NULL) !=
		    SQLITE_OK) {
		snprintf(st->err, sizeof st->err, "%s: verify: cannot build the "
			 "reference schema", st->path);
		goto done;
	}
	if (st->layout == STORE_LAYOUT_NEW) {
		check_view(st, ref, v);
		for (size_t i = 0; i < sizeof view_tables / sizeof *view_tables;
		     i++) {
			int r = table_shape(ref, view_tables[i], want, sizeof want);
			int c = r == SQLITE_OK ? table_shape(st->db, view_tables[i],
							     got, sizeof got)
					       : r;
			if (c != SQLITE_OK)
				problem(v, "database damaged: reading the "
					   "definition of %s: %s", view_tables[i],
					sqlite3_errstr(c));
			else if (strcmp(want, got) != 0)
				problem(v, "table %s is not defined as attrib "
					   "defines it (columns renamed, "
					   "reordered, retyped or missing)",
					view_tables[i]);
		}
	}
	for (int i = 0; i < n_chained; i++) {
		if (optional_absent(st, chained[i].table))
			continue;
		int r = table_shape(ref, chained[i].table, want, sizeof want);
		int c = r == SQLITE_OK ? table_shape(st->db, chained[i].table,
						     got, sizeof got)
				       : r;
		/* (a view over tables found redefined above cannot be read:
		 * that is the finding, not an error) */
		if (c != SQLITE_OK && !damaged(c) && !v->tampered) {
			snprintf(st->err, sizeof st->err, "%s: verify: %s",
				 st->path, sqlite3_errstr(c));
			goto done;
		}
		if (c != SQLITE_OK)
			problem(v, "database damaged: reading the definition of "
				   "%s: %s", chained[i].table, sqlite3_errstr(c));
		else if (strcmp(want, got) != 0 &&
			 !legacy_shape(st, chained[i].table, want, got))
			problem(v, "table %s is not defined as attrib defines it "
				   "(columns renamed, reordered, retyped or "
				   "missing)", chained[i].table);
	}
	rc = 0;
done:
	sqlite3_close(ref);
	return rc;
}

/* Rows not in the chain: allowed only for an unfinished source. */
static int check_unchained(struct store *st, struct store_verify *v)
{
	static const char *const sql[] = {
		"SELECT 'sources', id FROM sources WHERE chain_seq IS NULL "
		"AND status IS NOT 'partial'",
		"SELECT 'anomalies', rowid FROM anomalies a WHERE chain_seq IS "
		"NULL AND NOT EXISTS (SELECT 1 FROM sources s WHERE "
		"s.id=a.source_id AND s.status='partial')",
		"SELECT 'flows', id FROM flows WHERE chain_seq IS NULL",
		NULL, /* the observations' table of the case's layout */
		/* layout 4: rows no observation refers to */
		"SELECT 'packets', id FROM packets WHERE id NOT IN (SELECT "
		"packet_id FROM observation_rows)",
		"SELECT 'indicator_values', id FROM indicator_values WHERE id "
		"NOT IN (SELECT value_id FROM observation_rows)",
		"SELECT 'details', id FROM details WHERE id NOT IN (SELECT "
		"detail_id FROM observation_rows WHERE detail_id IS NOT NULL)",
		/* layout 4: references to rows that are not there */
		"SELECT 'observation_rows', id FROM observation_rows o WHERE NOT "
		"EXISTS (SELECT 1 FROM packets p WHERE p.id=o.packet_id) OR NOT "
		"EXISTS (SELECT 1 FROM indicator_values v WHERE v.id=o.value_id)"
		" OR (o.detail_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
		"details d WHERE d.id=o.detail_id))",
		"SELECT 'custody', id FROM custody WHERE chain_seq IS NULL",
		"SELECT 'score_runs', id FROM score_runs WHERE chain_seq IS NULL",
		"SELECT 'scores', rowid FROM scores WHERE chain_seq IS NULL",
		"SELECT 'score_evidence', rowid FROM score_evidence WHERE "
		"chain_seq IS NULL",
		"SELECT 'score_run_parts', rowid FROM score_run_parts WHERE "
		"chain_seq IS NULL",
	};
	bool new_layout = st->layout == STORE_LAYOUT_NEW;
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *q = NULL;
		char text[512];
		if (sql[i] && ((strstr(sql[i], "FROM score_run_parts") &&
				optional_absent(st, "score_run_parts")) ||
			       (!new_layout &&
				(strstr(sql[i], "FROM packets") ||
				 strstr(sql[i], "FROM details") ||
				 strstr(sql[i], "FROM observation_rows") ||
				 strstr(sql[i], "FROM indicator_values")))))
			continue;
		if (sql[i])
			snprintf(text, sizeof text, "%s", sql[i]);
		else
			snprintf(text, sizeof text, "SELECT '%s', id FROM %s "
				 "WHERE chain_seq IS NULL", store_obs_table(st),
				 store_obs_table(st));
		if (sqlite3_prepare_v2(st->db, text, -1, &q, NULL) != SQLITE_OK) {
			store_fail(st, "verify");
			return -1;
		}
		int step;
		bool referred = sql[i] && strstr(sql[i], "NOT IN");
		bool dangling = sql[i] && strstr(sql[i], "FROM observation_rows o "
						      "WHERE NOT EXISTS");
		while ((step = sqlite3_step(q)) == SQLITE_ROW) {
			if (dangling)
				problem(v, "observation %" PRId64 " refers to a "
					   "packet, value or detail that is not "
					   "there (changed outside attrib)",
					(int64_t)sqlite3_column_int64(q, 1));
			else
				problem(v, "%s row %" PRId64 " is not in the "
					   "chain (%sa row inserted outside "
					   "attrib)",
					(const char *)sqlite3_column_text(q, 0),
					(int64_t)sqlite3_column_int64(q, 1),
					referred ? "no observation refers to it: "
						 : "");
		}
		sqlite3_finalize(q);
		if (step != SQLITE_DONE && damaged(step)) {
			problem(v, "database damaged: %s", sqlite3_errstr(step));
		} else if (step != SQLITE_DONE) {
			store_fail(st, "verify");
			return -1;
		}
	}
	return 0;
}

/* Reads the head file's "key value" lines into h (state 1 read, 0
 * absent, -1 not a head file). */
static void read_head_file(const char *path, struct head_file *h)
{
	memset(h, 0, sizeof *h);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[256], val[128];
	int got = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long long n;
		if (!strcmp(line, "attrib-head 1\n")) {
			got |= 1;
		} else if (sscanf(line, "seq %llu", &n) == 1) {
			h->seq = n;
			got |= 2;
		} else if (sscanf(line, "hash %127s", val) == 1 && is_hash(val)) {
			memcpy(h->hash, val, sizeof h->hash);
			got |= 4;
		} else if (sscanf(line, "pending-seq %llu", &n) == 1) {
			h->pending_seq = n;
		} else if (sscanf(line, "pending-hash %127s", val) == 1 &&
			   is_hash(val)) {
			memcpy(h->pending_hash, val, sizeof h->pending_hash);
		}
	}
	fclose(f);
	h->state = got == 7 ? 1 : -1;
	if (!h->pending_hash[0])
		h->pending_seq = 0;
}

/* Compares the recomputed head with the external head file. */
static void check_external(const char *head_path, const struct head_file *h,
			   struct store_verify *v)
{
	if (h->state == 0) {
		snprintf(v->external, sizeof v->external,
			 "no head file at %s: the chain was checked against "
			 "itself only", head_path);
		return;
	}
	v->external_checked = true;
	if (h->state < 0) {
		problem(v, "head file %s is not an attrib head file", head_path);
		snprintf(v->external, sizeof v->external, "unreadable head file");
		return;
	}
	bool at_head = v->head_seq == h->seq && !strcmp(v->head_hash, h->hash);
	bool at_pending = h->pending_seq && v->head_seq == h->pending_seq &&
			  !strcmp(v->head_hash, h->pending_hash);
	if (at_head || at_pending) {
		snprintf(v->external, sizeof v->external,
			 "matches the head file %s (seq %" PRIu64 "%s)",
			 attrib_output_path(head_path),
			 v->head_seq,
			 at_pending ? ", the commit it announced as pending" : "");
		return;
	}
	snprintf(v->external, sizeof v->external, "does NOT match %s",
		 head_path);
	if (v->head_seq < h->seq)
		problem(v, "chain truncated: the head file names entry %" PRIu64
			   " but the database ends at entry %" PRIu64,
			h->seq, v->head_seq);
	else if (v->head_seq > h->seq && !strcmp(h->at_seq, h->hash))
		problem(v, "the database holds %" PRIu64 " chain entries after "
			   "the head file's entry %" PRIu64 ", which matches: "
			   "added outside attrib, or the head file is an older "
			   "copy", v->head_seq - h->seq, h->seq);
	else
		problem(v, "chain rewritten: entry %" PRIu64 " hashes to %.16s… "
			   "but the head file says %.16s…",
			h->seq, h->at_seq[0] ? h->at_seq : "(none)", h->hash);
}

/* Re-encodes the current row of t (entry seq after prev), compares it
 * with the stored entry and advances prev to the stored hash. */
static void check_entry(struct store *st, struct chained_table *t,
			int64_t seq, char prev[CHAIN_HEX_LEN + 1],
			struct store_verify *v)
{
	char hash[CHAIN_HEX_LEN + 1];
	int id_col = column_of(t->q, "id");
	int64_t id = id_col >= 0 ? sqlite3_column_int64(t->q, id_col) : 0;
	if (sqlite3_column_type(t->q, 0) != SQLITE_INTEGER)
		problem(v, "%s %" PRId64 ": its chain_seq is not an integer",
			t->kind, id);
	/* The row minus its two chain columns, as chain.h encodes it. */
	chain_enc_begin(&st->enc, (uint64_t)seq, prev, t->kind);
	chain_enc_row(&st->enc, t->q);
	if (!chain_enc_finish(&st->enc, hash))
		problem(v, "%s %" PRId64 " is too large to re-encode", t->kind,
			id);
	/* the stored hash: 32 bytes in a layout-4 case, 64 hex characters
	 * before */
	char stored_hex[CHAIN_HEX_LEN + 1];
	const char *stored = NULL;
	bool stored_ok;
	/* (the view observations gives its rows' hashes as hex) */
	if (st->layout == STORE_LAYOUT_NEW && strcmp(t->table, "observations")) {
		const unsigned char *b = sqlite3_column_blob(t->q, 1);
		stored_ok = sqlite3_column_type(t->q, 1) == SQLITE_BLOB && b &&
			    sqlite3_column_bytes(t->q, 1) == CHAIN_HEX_LEN / 2;
		if (stored_ok) {
			digest_raw_to_hex(b, CHAIN_HEX_LEN / 2, stored_hex);
			stored = stored_hex;
		}
	} else {
		stored = (const char *)sqlite3_column_text(t->q, 1);
		stored_ok = stored &&
			    sqlite3_column_type(t->q, 1) == SQLITE_TEXT &&
			    is_hash(stored);
	}
	if (!stored_ok || strcmp(stored, hash) != 0)
		problem(v, "%s %" PRId64 " (chain entry %" PRId64 ") was "
			   "changed: its content no longer hashes to the "
			   "stored entry",
			t->kind, id, seq);
	memcpy(prev, stored_ok ? stored : hash, CHAIN_HEX_LEN + 1);
}

int store_verify_chain(struct store *st, const char *head_path,
		       struct store_verify *v)
{
	memset(v, 0, sizeof *v);
	if (store_txn_commit(st) != 0)
		return -1;
	/* One snapshot: every read below sees the database as of one commit,
	 * and the head file as it was then (a writer changes both under the
	 * lock), however busy the case is (a capture running). A database too
	 * damaged to read meta keeps the head read when it was opened. */
	store_lock(st, LOCK_SH);
	bool snapshot = sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) ==
			SQLITE_OK;
	if (snapshot && store_refresh_state(st) != 0)
		st->err[0] = '\0';
	struct head_file h;
	read_head_file(head_path, &h);
	store_lock(st, LOCK_UN);
	struct chained_table t[N_CHAINED_MAX];
	int rc = -1, n_chained;
	const struct chained_def *chained = chained_tables(st, &n_chained);
	memset(t, 0, sizeof t);
	if (check_schema(st, v) != 0)
		goto done;
	for (int i = 0; i < n_chained; i++) {
		char sql[160];
		t[i].table = chained[i].table;
		t[i].kind = chained[i].kind;
		if (optional_absent(st, t[i].table))
			continue; /* no statement, no rows */
		snprintf(sql, sizeof sql,
			 "SELECT chain_seq, chain_hash, * FROM %s WHERE chain_seq "
			 "IS NOT NULL ORDER BY chain_seq",
			 t[i].table);
		int prep = sqlite3_prepare_v2(st->db, sql, -1, &t[i].q, NULL);
		if (prep != SQLITE_OK && (v->tampered || damaged(prep))) {
			problem(v, "table %s cannot be read: %s", t[i].table,
				sqlite3_errmsg(st->db));
			continue; /* its entries count as missing */
		}
		if (prep != SQLITE_OK) {
			store_fail(st, "verify");
			goto done;
		}
		advance(&t[i]);
	}
	char prev[CHAIN_HEX_LEN + 1];
	memcpy(prev, chain_genesis, sizeof prev);
	uint64_t expect = 1;
	for (;;) {
		struct chained_table *next = NULL;
		for (int i = 0; i < n_chained; i++)
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
		check_entry(st, next, seq, prev, v);
		if ((uint64_t)seq == h.seq)
			memcpy(h.at_seq, prev, sizeof h.at_seq);
		v->entries++;
		expect = (uint64_t)seq + 1;
		advance(next);
	}
	for (int i = 0; i < n_chained; i++) {
		if (!t[i].error)
			continue;
		if (!damaged(t[i].error)) {
			snprintf(st->err, sizeof st->err, "%s: verify: reading %s: %s",
				 st->path, t[i].table, sqlite3_errstr(t[i].error));
			goto done;
		}
		problem(v, "database damaged: reading %s stopped: %s", t[i].table,
			sqlite3_errstr(t[i].error));
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
	check_external(head_path, &h, v);
	rc = 0;
done:
	for (int i = 0; i < N_CHAINED_MAX; i++)
		sqlite3_finalize(t[i].q);
	if (snapshot)
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

int store_integrity_check(struct store *st)
{
	sqlite3_stmt *q = NULL;
	int prep = sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &q,
				      NULL);
	if (prep != SQLITE_OK) {
		store_fail(st, "integrity check");
		return damaged(prep) ? 0 : -1;
	}
	int ok = -1, step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(q, 0);
		ok = r && !strcmp(r, "ok");
		if (!ok)
			snprintf(st->err, sizeof st->err, "%s: integrity check: %s",
				 st->path, r ? r : "?");
	} else {
		store_fail(st, "integrity check");
		if (damaged(step))
			ok = 0;
	}
	sqlite3_finalize(q);
	if (ok == 1 && !st->header_ok) {
		snprintf(st->err, sizeof st->err,
			 "%s: database header: the application id is not "
			 "attrib's (changed after attrib wrote it)", st->path);
		ok = 0;
	}
	return ok;
}

/* Column c as text, "" for NULL (a damaged row may hold NULL anywhere). */
static const char *column_str(sqlite3_stmt *q, int c)
{
	const char *s = (const char *)sqlite3_column_text(q, c);
	return s ? s : "";
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
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = fn(ctx, sqlite3_column_int64(q, 0), column_str(q, 1),
			column_str(q, 2), column_str(q, 3));
	if (rc == 0 && step != SQLITE_DONE) {
		store_fail(st, "list sources");
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}

int store_each_cited_packet(struct store *st, store_packet_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db, st->layout == STORE_LAYOUT_NEW ?
			       "SELECT source_id, frame, file_offset, caplen, "
			       "lower(hex(sha256)) FROM packets ORDER BY "
			       "source_id, file_offset" :
			       "SELECT source_id, frame, file_offset, caplen, "
			       "packet_sha256 FROM observations GROUP BY "
			       "source_id, file_offset ORDER BY source_id, "
			       "file_offset",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "list cited packets");
		return -1;
	}
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = fn(ctx, sqlite3_column_int64(q, 0),
			(uint64_t)sqlite3_column_int64(q, 1),
			(uint64_t)sqlite3_column_int64(q, 2),
			(uint32_t)sqlite3_column_int64(q, 3), column_str(q, 4));
	if (rc == 0 && step != SQLITE_DONE) {
		store_fail(st, "list cited packets");
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}
