/*
 * merge.c — copies a verified shard case into the open case (merge.h).
 *
 * The shard is ATTACHed (and only read) to the case's connection as "shard";
 * rows are read from it in chain order and inserted into the case with
 * their ids renumbered (roles[] below), each chained as a new entry
 * of the case's chain from the values as inserted. Everything happens in
 * one write transaction: a failure leaves the case as it was.
 * Columns are copied by name from the table definitions (both cases must
 * define the chained tables alike), so a column added to a table is
 * copied without a change here; only the id columns are named below.
 * Observations are read through the shard's observations (a table in a
 * case made before schema version 4, a view after) and written as ingest
 * writes them (store_observation), so a merged case has the layout of
 * the case merged into, whatever the shards' (docs/evidence.md).
 */
#include "analyze/evidence/merge.h"

#include "analyze/evidence/store_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLOW_IDS_PER_SOURCE 1000000000LL

/* Old source id → new id (0: the case already holds it; not copied). */
struct source_map {
	int64_t *old_id, *new_id;
	size_t n, cap;
	int64_t held;  /* sources the case already held */
};

struct merge_ctx {
	struct store *st;
	struct source_map map;
	struct store_merge_stats *stats;
	char *shas;        /* the shard's sources' SHA-256, comma-separated */
	size_t shas_len, shas_cap;
};

/* old_id is ascending (plan_sources reads the shard's sources by id). */
static int64_t map_source(const struct source_map *m, int64_t old)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->old_id[mid] < old)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->old_id[lo] == old ? m->new_id[lo] : 0;
}

static int64_t map_flow(const struct source_map *m, int64_t old_source,
			int64_t flow_id)
{
	int64_t s = map_source(m, old_source);
	return s ? s * FLOW_IDS_PER_SOURCE +
			   (flow_id - old_source * FLOW_IDS_PER_SOURCE)
		 : flow_id;
}

static int map_add(struct source_map *m, int64_t old, int64_t new_id)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		int64_t *a = realloc(m->old_id, cap * sizeof *a);
		if (!a)
			return -1;
		m->old_id = a;
		int64_t *b = realloc(m->new_id, cap * sizeof *b);
		if (!b)
			return -1;
		m->new_id = b;
		m->cap = cap;
	}
	m->old_id[m->n] = old;
	m->new_id[m->n++] = new_id;
	return 0;
}

static int shas_add(struct merge_ctx *c, const char *sha)
{
	size_t n = strlen(sha);
	if (c->shas_len + n + 2 > c->shas_cap) {
		size_t cap = c->shas_cap ? 2 * c->shas_cap : 1024;
		while (cap < c->shas_len + n + 2)
			cap *= 2;
		char *p = realloc(c->shas, cap);
		if (!p)
			return -1;
		c->shas = p;
		c->shas_cap = cap;
	}
	if (c->shas_len)
		c->shas[c->shas_len++] = ',';
	memcpy(c->shas + c->shas_len, sha, n + 1);
	c->shas_len += n;
	return 0;
}

static int64_t query_int(struct store *st, const char *sql, const char *text)
{
	sqlite3_stmt *q = NULL;
	int64_t v = -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "merge: read");
		return -1;
	}
	if (text)
		sqlite3_bind_text(q, 1, text, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	else if (step == SQLITE_DONE)
		v = 0;
	else
		store_fail(st, "merge: read");
	sqlite3_finalize(q);
	return v;
}

/* What merge does with a column: copies it, or renumbers it. The only
 * place that names columns: a layout change of the store touches this
 * table (and the tables copy_shard() copies). */
enum role {
	COPY,
	SEQ, HASH,           /* the chain's columns: written new */
	SOURCE_ID,           /* a source id: mapped */
	FLOW_ID,             /* a flow id of the row's source (NULL, 0 kept) */
	FIRST_FLOW_ID,       /* sources.first_flow_id of the row's own id */
	NEXT_CUSTODY_ID,     /* the case's next custody id */
};

static const struct {
	const char *table, *column; /* table NULL: any table */
	enum role role;
} roles[] = {
	{NULL, "chain_seq", SEQ},
	{NULL, "chain_hash", HASH},
	{NULL, "source_id", SOURCE_ID},
	{"sources", "id", SOURCE_ID},
	{"sources", "first_flow_id", FIRST_FLOW_ID},
	{"flows", "id", FLOW_ID},
	{"custody", "id", NEXT_CUSTODY_ID},
};

static enum role role_of(const char *table, const char *column)
{
	for (size_t i = 0; i < sizeof roles / sizeof *roles; i++)
		if ((!roles[i].table || !strcmp(roles[i].table, table)) &&
		    !strcmp(roles[i].column, column))
			return roles[i].role;
	return COPY;
}

/* The renumbered value of column i (role r) of the current row of q;
 * src_col is the row's source id column (or its id, in sources). */
static int64_t renumber(struct merge_ctx *c, enum role r, sqlite3_stmt *q,
			int i, int src_col)
{
	int64_t v = sqlite3_column_int64(q, i);
	int64_t src = src_col >= 0 ? sqlite3_column_int64(q, src_col) : 0;
	switch (r) {
	case SOURCE_ID: return map_source(&c->map, v);
	case FLOW_ID: return v ? map_flow(&c->map, src, v) : 0;
	case FIRST_FLOW_ID: return map_flow(&c->map, src, v);
	case NEXT_CUSTODY_ID: return c->st->next_custody_id;
	default: return v;
	}
}

/* Binds column c of q (a row of the shard) as parameter p of ins and
 * feeds it to the chain encoder. */
static void copy_value(struct store *st, sqlite3_stmt *q, int c,
		       sqlite3_stmt *ins, int p)
{
	switch (sqlite3_column_type(q, c)) {
	case SQLITE_NULL:
		sqlite3_bind_null(ins, p);
		chain_enc_null(&st->enc);
		break;
	case SQLITE_INTEGER: {
		int64_t v = sqlite3_column_int64(q, c);
		sqlite3_bind_int64(ins, p, v);
		chain_enc_int(&st->enc, v);
		break;
	}
	case SQLITE_FLOAT: {
		double v = sqlite3_column_double(q, c);
		sqlite3_bind_double(ins, p, v);
		chain_enc_real(&st->enc, v);
		break;
	}
	case SQLITE_BLOB: {
		const void *b = sqlite3_column_blob(q, c);
		int n = sqlite3_column_bytes(q, c);
		sqlite3_bind_blob(ins, p, b, n, SQLITE_STATIC);
		chain_enc_blob(&st->enc, b, (size_t)n);
		break;
	}
	default: {
		const char *t = (const char *)sqlite3_column_text(q, c);
		int n = sqlite3_column_bytes(q, c);
		sqlite3_bind_text(ins, p, t, n, SQLITE_STATIC);
		chain_enc_text(&st->enc, t, (size_t)n);
		break;
	}
	}
}

/*
 * Copies the rows that `SELECT * FROM shard.table WHERE filter ORDER BY
 * order` gives into the case's table, chained as kind, ids renumbered.
 * Adds the number copied to *count. 0 or -1.
 */
static int copy_rows(struct merge_ctx *c, const char *table, const char *kind,
		     const char *filter, const char *order, uint64_t *count)
{
	struct store *st = c->st;
	char sql[1024];
	sqlite3_stmt *q = NULL, *ins = NULL;
	int rc = -1;
	snprintf(sql, sizeof sql, "SELECT * FROM shard.%s t WHERE %s ORDER BY %s",
		 table, filter, order);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		goto fail;
	int cols = sqlite3_column_count(q), src_col = -1;
	int seq_param = 0, hash_param = 0;
	/* The case's columns, in its order, each taken from the shard's
	 * column of that name: a shard made before a column was added
	 * (flows.community_id) gives NULL there, and the chain entry holds
	 * exactly the row as stored. */
	char names[ROW_BATCH_MAX_COLS][64];
	int from[ROW_BATCH_MAX_COLS], ncols = 0;
	enum role role[ROW_BATCH_MAX_COLS];
	if (cols > ROW_BATCH_MAX_COLS) {
		snprintf(st->err, sizeof st->err, "%s: merge: %s has %d columns",
			 st->path, table, cols);
		goto done;
	}
	snprintf(sql, sizeof sql, "PRAGMA main.table_info(%s)", table);
	if (sqlite3_prepare_v2(st->db, sql, -1, &ins, NULL) != SQLITE_OK)
		goto fail;
	while (ncols < ROW_BATCH_MAX_COLS && sqlite3_step(ins) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(ins, 1);
		snprintf(names[ncols], sizeof names[ncols], "%s", name ? name : "");
		from[ncols] = -1;
		for (int i = 0; i < cols; i++)
			if (!strcmp(sqlite3_column_name(q, i), names[ncols]))
				from[ncols] = i;
		role[ncols] = role_of(table, names[ncols]);
		if (role[ncols] == SEQ)
			seq_param = ncols + 1;
		else if (role[ncols] == HASH)
			hash_param = ncols + 1;
		ncols++;
	}
	sqlite3_finalize(ins);
	ins = NULL;
	char *p = sql;
	p += snprintf(sql, sizeof sql, "INSERT INTO main.%s VALUES(", table);
	for (int i = 0; i < ncols && p < sql + sizeof sql - 4; i++)
		p += snprintf(p, 4, "%s?", i ? "," : "");
	snprintf(p, 2, ")");
	if (sqlite3_prepare_v2(st->db, sql, -1, &ins, NULL) != SQLITE_OK)
		goto fail;
	for (int i = 0; i < cols; i++)
		if (!strcmp(sqlite3_column_name(q, i),
			    strcmp(table, "sources") ? "source_id" : "id"))
			src_col = i;
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		store_chain_begin(st, kind);
		for (int k = 0; k < ncols; k++) {
			int i = from[k];
			if (role[k] == SEQ || role[k] == HASH)
				continue;
			if (i < 0) {
				sqlite3_bind_null(ins, k + 1);
				chain_enc_null(&st->enc);
				continue;
			}
			if (role[k] == COPY ||
			    sqlite3_column_type(q, i) == SQLITE_NULL) {
				copy_value(st, q, i, ins, k + 1);
				continue;
			}
			int64_t v = renumber(c, role[k], q, i, src_col);
			sqlite3_bind_int64(ins, k + 1, v);
			chain_enc_int(&st->enc, v);
		}
		if (!seq_param || !hash_param) {
			snprintf(st->err, sizeof st->err,
				 "%s: merge: %s has no chain columns", st->path,
				 table);
			goto done;
		}
		if (store_chain_end(st) != 0)
			goto done;
		sqlite3_bind_int64(ins, seq_param, (int64_t)st->chain_seq);
		if (st->layout == STORE_LAYOUT_NEW)
			sqlite3_bind_blob(ins, hash_param, st->chain_head_raw,
					  sizeof st->chain_head_raw,
					  SQLITE_STATIC);
		else
			sqlite3_bind_text(ins, hash_param, st->chain_head,
					  CHAIN_HEX_LEN, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(ins);
		if (!strcmp(table, "custody"))
			st->next_custody_id++;
		(*count)++;
	}
	if (step != SQLITE_DONE)
		goto fail;
	rc = 0;
	goto done;
fail:
	store_fail(st, "merge: copy");
done:
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	return rc;
}

/* Text column c of q, "" for NULL. */
static const char *text_of(sqlite3_stmt *q, int c)
{
	const char *t = (const char *)sqlite3_column_text(q, c);
	return t ? t : "";
}

/*
 * Writes the observations of the shard that `SELECT ... FROM
 * shard.observations WHERE filter` gives, in chain order, as ingest
 * writes them: ids renumbered, sources and flows mapped, each packet
 * and indicator value written once in the case's layout. 0 or -1.
 */
static int copy_observations(struct merge_ctx *c, const char *filter)
{
	struct store *st = c->st;
	size_t n = strlen(filter) + 256;
	char *sql = malloc(n);
	sqlite3_stmt *q = NULL;
	int rc = -1;
	if (!sql) {
		snprintf(st->err, sizeof st->err, "%s: out of memory", st->path);
		return -1;
	}
	snprintf(sql, n,
		 "SELECT source_id, frame, file_offset, caplen, ts_us, flow_id,"
		 " kind, value, detail, packet_sha256 FROM shard.observations"
		 " WHERE %s ORDER BY chain_seq", filter);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "merge: read observations");
		goto done;
	}
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t src = sqlite3_column_int64(q, 0);
		int64_t flow = sqlite3_column_int64(q, 5);
		struct store_obs o = {
			.frame = (uint64_t)sqlite3_column_int64(q, 1),
			.file_offset = (uint64_t)sqlite3_column_int64(q, 2),
			.caplen = (uint32_t)sqlite3_column_int64(q, 3),
			.ts_us = (uint64_t)sqlite3_column_int64(q, 4),
			.flow_id = (uint64_t)(flow ? map_flow(&c->map, src, flow)
						   : 0),
			.kind = text_of(q, 6),
			.value = text_of(q, 7),
			.detail = (const char *)sqlite3_column_text(q, 8),
			.packet_sha256 = text_of(q, 9),
		};
		if (store_observation(st, map_source(&c->map, src), &o) != 0)
			goto done;
		c->stats->observations++;
	}
	if (step != SQLITE_DONE)
		store_fail(st, "merge: read observations");
	else
		rc = 0;
done:
	sqlite3_finalize(q);
	free(sql);
	return rc;
}

/* Maps every shard source to its new id, or to 0 when the case already
 * holds a complete source with its SHA-256. 0 or -1. */
static int plan_sources(struct merge_ctx *c)
{
	struct store *st = c->st;
	sqlite3_stmt *q = NULL;
	int64_t next = query_int(st, "SELECT coalesce(max(id),0) FROM main.sources",
				 NULL);
	if (next < 0 ||
	    sqlite3_prepare_v2(st->db,
			       "SELECT s.id, coalesce(s.sha256,''),"
			       " (SELECT m.id FROM main.sources m WHERE"
			       "  m.sha256=s.sha256 AND m.status='complete')"
			       " FROM shard.sources s ORDER BY s.id",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "merge: read sources");
		return -1;
	}
	int step, rc = 0;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t old = sqlite3_column_int64(q, 0);
		bool held = sqlite3_column_type(q, 2) != SQLITE_NULL;
		const char *sha = (const char *)sqlite3_column_text(q, 1);
		if (held)
			c->stats->sources_held++;
		else
			c->stats->sources_new++;
		if (map_add(&c->map, old, held ? 0 : ++next) != 0 ||
		    shas_add(c, sha[0] ? sha : "unknown") != 0) {
			snprintf(st->err, sizeof st->err, "%s: out of memory",
				 st->path);
			rc = -1;
		}
	}
	if (rc == 0 && step != SQLITE_DONE) {
		store_fail(st, "merge: read sources");
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}

/* "source_id IN (ids of the sources copied)" into out. */
static void copied_filter(const struct source_map *m, const char *col,
			  char *out, size_t n)
{
	size_t len = (size_t)snprintf(out, n, "%s IN (-1", col);
	for (size_t i = 0; i < m->n && len < n; i++)
		if (m->new_id[i])
			len += (size_t)snprintf(out + len, n - len, ",%" PRId64,
						m->old_id[i]);
	if (len < n)
		snprintf(out + len, n - len, ")");
}

/* Both cases define the chained tables copied row by row with the same
 * columns (chain_hash is text in cases made before schema version 4, a
 * blob after: each case keeps its own), and the shard's observations have
 * the columns of every version's. */
static bool same_layout(struct store *st)
{
	static const char *const tables[] = {"sources", "anomalies", "flows",
					     "custody"};
	static const char obs_cols[] =
		"id,source_id,frame,file_offset,caplen,ts_us,flow_id,kind,"
		"value,detail,packet_sha256,chain_seq,chain_hash";
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		char sql[320];
		snprintf(sql, sizeof sql,
			 "SELECT (SELECT group_concat(name||' '||iif(name="
			 "'chain_hash','',type)) FROM"
			 " pragma_table_info('%s','main')) IS"
			 " (SELECT group_concat(name||' '||iif(name="
			 "'chain_hash','',type)) FROM"
			 " pragma_table_info('%s','shard'))",
			 tables[i], tables[i]);
		if (query_int(st, sql, NULL) != 1)
			return false;
	}
	return query_int(st, "SELECT (SELECT group_concat(name) FROM"
			     " pragma_table_info('observations','shard')) IS ?",
			 obs_cols) == 1;
}

static int copy_shard(struct merge_ctx *c, const char *args,
		      const char *shard_path, uint64_t head_seq,
		      const char *head_hash)
{
	struct store *st = c->st;
	struct store_merge_stats *s = c->stats;
	/* the lookups below go by SHA-256 and by time (indexes are not part
	 * of the chain's definition) */
	if (store_exec(st, "CREATE INDEX IF NOT EXISTS main.sources_sha ON"
			   " sources(sha256);"
			   "CREATE INDEX IF NOT EXISTS main.custody_ts ON"
			   " custody(ts_us)", "merge: index") != 0 ||
	    plan_sources(c) != 0)
		return -1;
	size_t flen = 32 + 24 * c->map.n;
	char *filter = malloc(flen);
	if (!filter) {
		snprintf(st->err, sizeof st->err, "%s: out of memory", st->path);
		return -1;
	}
	int rc = -1;
	for (size_t i = 0; i < c->map.n; i++) {
		char one[64];
		if (!c->map.new_id[i])
			continue;
		snprintf(one, sizeof one, "source_id=%" PRId64, c->map.old_id[i]);
		if (copy_rows(c, "anomalies", "anomaly", one, "name",
			      &s->anomalies) != 0)
			goto done;
		uint64_t n = 0;
		snprintf(one, sizeof one, "id=%" PRId64, c->map.old_id[i]);
		if (copy_rows(c, "sources", "source", one, "id", &n) != 0)
			goto done;
	}
	copied_filter(&c->map, "source_id", filter, flen);
	if (copy_rows(c, "flows", "flow", filter, "chain_seq", &s->flows) != 0)
		goto done;
	char *obs_filter = malloc(flen + 128);
	if (!obs_filter)
		goto done;
	snprintf(obs_filter, flen + 128,
		 "%s AND NOT (kind IN ('beacon','activity.hours') AND"
		 " detail LIKE 'scope=case %%')",
		 filter);
	int orc = copy_observations(c, obs_filter);
	free(obs_filter);
	if (orc != 0)
		goto done;
	uint64_t total = 0;
	if (copy_rows(c, "custody", "custody",
		      "NOT EXISTS (SELECT 1 FROM main.custody m WHERE"
		      " m.ts_us=t.ts_us AND m.action=t.action AND"
		      " m.actor=t.actor AND m.host=t.host AND"
		      " m.tool_version=t.tool_version AND"
		      " m.arguments=t.arguments AND m.detail=t.detail)",
		      "id", &s->custody) != 0)
		goto done;
	total = (uint64_t)query_int(st, "SELECT count(*) FROM shard.custody",
				    NULL);
	s->custody_held = total - s->custody;
	size_t dlen = c->shas_len + strlen(shard_path) + 512;
	char *detail = malloc(dlen);
	if (!detail)
		goto done;
	snprintf(detail, dlen,
		 "shard-head %" PRIu64 " %s; shard-sources %s; copied %" PRIu64
		 " sources (%" PRIu64 " already in the case), %" PRIu64
		 " flows, %" PRIu64 " observations, %" PRIu64
		 " custody lines; shard %s",
		 head_seq, head_hash, c->shas_len ? c->shas : "none",
		 s->sources_new, s->sources_held, s->flows, s->observations,
		 s->custody, shard_path);
	rc = store_custody(st, "merge", args, detail);
	free(detail);
done:
	free(filter);
	return rc;
}

/* The first read of the attached shard, where a failure to open it
 * shows: SQLITE_DONE when it reads, else the shard is detached again. */
static int probe_shard(struct store *st)
{
	int rc = sqlite3_exec(st->db, "SELECT count(*) FROM shard.sqlite_master",
			      NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return SQLITE_DONE;
	sqlite3_exec(st->db, "DETACH shard", NULL, NULL, NULL);
	return rc;
}

int store_merge_case(struct store *st, const char *shard_path,
		     uint64_t head_seq, const char *head_hash,
		     const char *args, struct store_merge_stats *out)
{
	memset(out, 0, sizeof *out);
	struct merge_ctx c = {.st = st, .stats = out};
	sqlite3_stmt *q = NULL;
	int rc = -1;
	if (store_txn_commit(st) != 0)
		return -1;
	/* The shard is only read: read-only, and when SQLite cannot make
	 * the files a WAL database needs beside it (a write-protected
	 * folder), as an immutable file. */
	const char *modes[2] = {"mode=ro", "immutable=1"};
	int step = SQLITE_ERROR;
	for (size_t i = 0; i < 2 && step != SQLITE_DONE; i++) {
		char uri[STORE_URI_MAX];
		store_path_uri(shard_path, modes[i], uri, sizeof uri);
		if (sqlite3_prepare_v2(st->db, "ATTACH ? AS shard", -1, &q,
				       NULL) != SQLITE_OK) {
			store_fail(st, "merge: attach");
			return -1;
		}
		sqlite3_bind_text(q, 1, uri, -1, SQLITE_TRANSIENT);
		step = sqlite3_step(q);
		sqlite3_finalize(q);
		if (step == SQLITE_DONE)
			step = probe_shard(st);
	}
	if (step != SQLITE_DONE) {
		store_fail(st, "merge: attach");
		return -1;
	}
	/* a source's anomaly rows come before it in the chain */
	if (store_txn_begin(st) != 0 ||
	    store_exec(st, "PRAGMA defer_foreign_keys=ON", "merge") != 0)
		goto detach;
	char seq[32];
	snprintf(seq, sizeof seq, "%" PRIu64, head_seq);
	if (query_int(st, "SELECT count(*) FROM shard.meta WHERE"
			  " key='chain_seq' AND value=?", seq) != 1 ||
	    query_int(st, "SELECT count(*) FROM shard.meta WHERE"
			  " key='chain_head' AND value=?", head_hash) != 1) {
		snprintf(st->err, sizeof st->err,
			 "%s: changed since it was verified (head no longer %s "
			 "%.16s…)", shard_path, seq, head_hash);
		rc = 1;
		goto rollback;
	}
	if (!same_layout(st)) {
		snprintf(st->err, sizeof st->err,
			 "%s: its tables are not laid out as %s's (another "
			 "version of attrib?)", shard_path, st->path);
		rc = 1;
		goto rollback;
	}
	char mark[CHAIN_HEX_LEN + 64];
	snprintf(mark, sizeof mark, "shard-head %" PRIu64 " %s;%%", head_seq,
		 head_hash);
	int64_t seen = query_int(st, "SELECT count(*) FROM main.custody WHERE"
				     " action='merge' AND detail LIKE ?", mark);
	if (seen < 0)
		goto rollback;
	if (seen > 0) {
		out->already = true;
		rc = 0;
		goto rollback; /* nothing written */
	}
	if (copy_shard(&c, args, shard_path, head_seq, head_hash) != 0)
		goto rollback;
	/* observations were written past the in-memory counts */
	indicator_counts_drop(st->counts);
	rc = store_txn_commit(st);
	goto detach;
rollback: {
	/* store_discard(), not a failed write: the case stays usable for
	 * the next shard */
	char saved[STORE_ERR_LEN];
	memcpy(saved, st->err, sizeof saved);
	if (st->in_txn && store_discard(st) != 0 && rc == 0)
		rc = -1;
	memcpy(st->err, saved, sizeof saved);
}
detach:
	sqlite3_exec(st->db, "DETACH shard", NULL, NULL, NULL);
	free(c.map.old_id);
	free(c.map.new_id);
	free(c.shas);
	return rc;
}
