/*
 * report_read.c — the evidence store's read side for reports (see
 * report_read.h): one prepared query per function, rows handed to the
 * caller's callback. Nothing here writes to the case.
 */
#include "analyze/evidence/report_read.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/evidence/store_internal.h"

/* Column text, "" for NULL. */
static const char *col_text(sqlite3_stmt *q, int i)
{
	const unsigned char *s = sqlite3_column_text(q, i);
	return s ? (const char *)s : "";
}

static uint64_t col_u64(sqlite3_stmt *q, int i)
{
	sqlite3_int64 v = sqlite3_column_int64(q, i);
	return v < 0 ? 0 : (uint64_t)v;
}

/* Commits anything pending and prepares sql; -1 (message set) on error. */
static int prepare(struct store *st, const char *sql, sqlite3_stmt **q,
		   const char *what)
{
	*q = NULL;
	if (store_txn_commit(st) != 0)
		return -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK) {
		store_fail(st, what);
		return -1;
	}
	return 0;
}

/* Ends a walk: the callback's value if it stopped, else 0 when the
 * statement ran to the end or -1 (message set). Finalizes q. */
/* A row limit as SQLite's signed integer (UINT64_MAX: no limit). */
static void bind_limit(sqlite3_stmt *q, int i, uint64_t limit)
{
	sqlite3_bind_int64(q, i, (sqlite3_int64)(limit > INT64_MAX ? INT64_MAX
								    : limit));
}

static int finish(struct store *st, sqlite3_stmt *q, int rc, int step,
		  const char *what)
{
	if (rc == 0 && step != SQLITE_DONE) {
		store_fail(st, what);
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}

int report_read_case_info(struct store *st, struct report_case_info *out)
{
	char sql[512];
	/* the observations' table, not the view of a layout-4 case: no
	 * join to count */
	snprintf(sql, sizeof sql,
		 "SELECT (SELECT coalesce(max(CAST(value AS INTEGER)),0) FROM meta "
		 "WHERE key='schema_version'), (SELECT count(*) FROM sources), "
		 "(SELECT count(*) FROM flows), (SELECT count(*) FROM "
		 "%s), (SELECT count(*) FROM custody), (SELECT "
		 "count(*) FROM score_runs), (SELECT coalesce(min(first_ts_us),0)"
		 " FROM sources WHERE first_ts_us > 0), (SELECT "
		 "coalesce(max(last_ts_us),0) FROM sources)", store_obs_table(st));
	sqlite3_stmt *q;
	memset(out, 0, sizeof *out);
	if (prepare(st, sql, &q, "read case counts") != 0)
		return -1;
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		out->schema_version = sqlite3_column_int(q, 0);
		out->sources = col_u64(q, 1);
		out->flows = col_u64(q, 2);
		out->observations = col_u64(q, 3);
		out->custody = col_u64(q, 4);
		out->score_runs = col_u64(q, 5);
		out->first_ts_us = sqlite3_column_int64(q, 6);
		out->last_ts_us = sqlite3_column_int64(q, 7);
		step = SQLITE_DONE;
	}
	return finish(st, q, 0, step, "read case counts");
}

/* A score document stored in parts (score_run_parts): n bytes in all,
 * concatenated in part order. Finalizes q. 1, or -1 with the message. */
static int read_run_parts(struct store *st, sqlite3_stmt *q, uint64_t n,
			  char **result, size_t *len)
{
	int64_t run = sqlite3_column_int64(q, 0);
	sqlite3_stmt *p = NULL;
	char *buf = malloc((size_t)n + 1);
	size_t used = 0;
	int step = SQLITE_DONE;
	sqlite3_finalize(q);
	if (!buf) {
		snprintf(st->err, sizeof st->err, "%s: read score run: out of "
			 "memory", st->path);
		return -1;
	}
	if (prepare(st, "SELECT text FROM score_run_parts WHERE run_id=?1 "
		    "ORDER BY part", &p, "read score run parts") != 0) {
		free(buf);
		return -1;
	}
	sqlite3_bind_int64(p, 1, run);
	while ((step = sqlite3_step(p)) == SQLITE_ROW) {
		size_t b = (size_t)sqlite3_column_bytes(p, 0);
		if (used + b > n)
			break;
		memcpy(buf + used, sqlite3_column_text(p, 0), b);
		used += b;
	}
	buf[used] = '\0';
	int rc = finish(st, p, 0, step, "read score run parts");
	if (rc != 0 || used != n) {
		free(buf);
		if (rc == 0)
			snprintf(st->err, sizeof st->err, "%s: score run %lld: "
				 "parts do not add up", st->path,
				 (long long)run);
		return -1;
	}
	*result = buf;
	*len = used;
	return 1;
}

int report_read_latest_run(struct store *st, size_t max_len, int64_t *run_id,
			   int64_t *ts_us, char **result, size_t *len)
{
	static const char sql[] =
		"SELECT id, ts_us, length(CAST(result AS BLOB)) + coalesce(("
		"SELECT sum(length(CAST(text AS BLOB))) FROM score_run_parts "
		"WHERE run_id=score_runs.id), 0), result FROM score_runs "
		"ORDER BY id DESC LIMIT 1";
	/* a version-2 case opened read-only has no score_run_parts */
	static const char sql_v2[] =
		"SELECT id, ts_us, length(CAST(result AS BLOB)), result FROM "
		"score_runs ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *q;
	*result = NULL;
	*len = 0;
	bool parts = sqlite3_table_column_metadata(st->db, NULL,
						   "score_run_parts", "text",
						   NULL, NULL, NULL, NULL,
						   NULL) == SQLITE_OK;
	if (prepare(st, parts ? sql : sql_v2, &q, "read score run") != 0)
		return -1;
	int rc = 0, step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		*run_id = sqlite3_column_int64(q, 0);
		*ts_us = sqlite3_column_int64(q, 1);
		uint64_t n = col_u64(q, 2);
		if (n > max_len) {
			rc = 2;
		} else {
			const unsigned char *text = sqlite3_column_text(q, 3);
			size_t bytes = (size_t)sqlite3_column_bytes(q, 3);
			if (n > bytes) /* the document is in parts */
				return read_run_parts(st, q, n, result, len);
			char *copy = malloc(bytes + 1);
			if (!copy) {
				snprintf(st->err, sizeof st->err,
					 "%s: read score run: out of memory",
					 st->path);
				sqlite3_finalize(q);
				return -1;
			}
			if (text)
				memcpy(copy, text, bytes);
			copy[bytes] = '\0';
			*result = copy;
			*len = bytes;
			rc = 1;
		}
		step = SQLITE_DONE;
	}
	if (step != SQLITE_DONE) {
		free(*result);
		*result = NULL;
	}
	int frc = finish(st, q, 0, step, "read score run");
	return frc != 0 ? frc : rc;
}

int report_each_source(struct store *st, uint64_t limit, report_source_fn fn,
		       void *ctx)
{
	static const char sql[] =
		"SELECT id, path, coalesce(sha256,''), format, linktype_name, "
		"status, coalesce(error,''), tool_version, pcap_version, "
		"ndpi_version, clock_note, size, packets, coalesce(first_ts_us,0),"
		" coalesce(last_ts_us,0), ingested_us FROM sources ORDER BY id "
		"LIMIT ?1";
	sqlite3_stmt *q;
	if (prepare(st, sql, &q, "read sources") != 0)
		return -1;
	bind_limit(q, 1, limit);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		struct report_source_row r = {
			.id = sqlite3_column_int64(q, 0),
			.path = col_text(q, 1),
			.sha256 = col_text(q, 2),
			.format = col_text(q, 3),
			.linktype_name = col_text(q, 4),
			.status = col_text(q, 5),
			.error = col_text(q, 6),
			.tool_version = col_text(q, 7),
			.pcap_version = col_text(q, 8),
			.ndpi_version = col_text(q, 9),
			.clock_note = col_text(q, 10),
			.size = col_u64(q, 11),
			.packets = col_u64(q, 12),
			.first_ts_us = sqlite3_column_int64(q, 13),
			.last_ts_us = sqlite3_column_int64(q, 14),
			.ingested_us = sqlite3_column_int64(q, 15),
		};
		rc = fn(ctx, &r);
	}
	return finish(st, q, rc, step, "read sources");
}

int report_each_custody(struct store *st, uint64_t limit,
			report_custody_fn fn, void *ctx)
{
	static const char sql[] =
		"SELECT * FROM (SELECT id, ts_us, action, actor, host, "
		"tool_version, arguments, detail FROM custody ORDER BY id DESC "
		"LIMIT ?1) ORDER BY id";
	sqlite3_stmt *q;
	if (prepare(st, sql, &q, "read custody") != 0)
		return -1;
	bind_limit(q, 1, limit);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		struct report_custody_row r = {
			.id = sqlite3_column_int64(q, 0),
			.ts_us = sqlite3_column_int64(q, 1),
			.action = col_text(q, 2),
			.actor = col_text(q, 3),
			.host = col_text(q, 4),
			.tool_version = col_text(q, 5),
			.arguments = col_text(q, 6),
			.detail = col_text(q, 7),
		};
		rc = fn(ctx, &r);
	}
	return finish(st, q, rc, step, "read custody");
}

int report_each_kind(struct store *st, report_kind_fn fn, void *ctx)
{
	static const char sql[] =
		"SELECT kind, count(*), count(DISTINCT value) FROM observations "
		"GROUP BY kind ORDER BY kind";
	sqlite3_stmt *q;
	if (prepare(st, sql, &q, "count observations") != 0)
		return -1;
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		struct report_kind_row r = {
			.kind = col_text(q, 0),
			.observations = col_u64(q, 1),
			.distinct = col_u64(q, 2),
		};
		rc = fn(ctx, &r);
	}
	return finish(st, q, rc, step, "count observations");
}

int report_each_top_value(struct store *st, const char *kind, uint64_t limit,
			  report_value_fn fn, void *ctx)
{
	static const char sql[] =
		"SELECT t.value, t.n, t.srcs, t.first, t.last, o.id, o.source_id,"
		" o.frame, coalesce(s.sha256,'') FROM (SELECT value, count(*) AS "
		"n, count(DISTINCT source_id) AS srcs, min(ts_us) AS first, "
		"max(ts_us) AS last, min(id) AS first_id FROM observations WHERE "
		"kind=?1 GROUP BY value ORDER BY n DESC, value LIMIT ?2) t JOIN "
		"observations o ON o.id=t.first_id JOIN sources s ON "
		"s.id=o.source_id ORDER BY t.n DESC, t.value";
	sqlite3_stmt *q;
	if (prepare(st, sql, &q, "read indicator values") != 0)
		return -1;
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	bind_limit(q, 2, limit);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		struct report_value_row r = {
			.value = col_text(q, 0),
			.count = col_u64(q, 1),
			.sources = col_u64(q, 2),
			.first_ts_us = sqlite3_column_int64(q, 3),
			.last_ts_us = sqlite3_column_int64(q, 4),
			.obs_id = sqlite3_column_int64(q, 5),
			.source_id = sqlite3_column_int64(q, 6),
			.frame = col_u64(q, 7),
			.source_sha256 = col_text(q, 8),
		};
		rc = fn(ctx, &r);
	}
	return finish(st, q, rc, step, "read indicator values");
}

int report_each_observation_of_kind(struct store *st, const char *kind,
				    uint64_t limit, report_obs_fn fn,
				    void *ctx)
{
	static const char sql[] =
		"SELECT o.id, o.source_id, o.frame, o.ts_us, coalesce(o.flow_id,"
		"0), o.kind, o.value, coalesce(o.detail,''), coalesce(s.sha256,"
		"'') FROM observations o JOIN sources s ON s.id=o.source_id WHERE"
		" o.kind=?1 ORDER BY o.id LIMIT ?2";
	sqlite3_stmt *q;
	if (prepare(st, sql, &q, "read observations") != 0)
		return -1;
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	bind_limit(q, 2, limit);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		struct report_obs_row r = {
			.id = sqlite3_column_int64(q, 0),
			.source_id = sqlite3_column_int64(q, 1),
			.frame = col_u64(q, 2),
			.ts_us = sqlite3_column_int64(q, 3),
			.flow_id = sqlite3_column_int64(q, 4),
			.kind = col_text(q, 5),
			.value = col_text(q, 6),
			.detail = col_text(q, 7),
			.source_sha256 = col_text(q, 8),
		};
		rc = fn(ctx, &r);
	}
	return finish(st, q, rc, step, "read observations");
}

int report_each_time_bin(struct store *st, int64_t t0_us, int64_t bin_us,
			 report_bin_fn fn, void *ctx)
{
	static const char sql[] =
		"SELECT (ts_us - ?1) / ?2 AS b, kind, count(*) FROM observations "
		"GROUP BY b, kind ORDER BY b, kind";
	sqlite3_stmt *q;
	if (bin_us <= 0) {
		snprintf(st->err, sizeof st->err, "%s: time bins: bad width",
			 st->path);
		return -1;
	}
	if (prepare(st, sql, &q, "count observations by time") != 0)
		return -1;
	sqlite3_bind_int64(q, 1, t0_us);
	sqlite3_bind_int64(q, 2, bin_us);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = fn(ctx, sqlite3_column_int64(q, 0), col_text(q, 1),
			col_u64(q, 2));
	return finish(st, q, rc, step, "count observations by time");
}

int report_series_times(struct store *st, const struct report_series_key *k,
			int64_t *times, size_t cap, size_t *n)
{
	static const char pair_sql[] =
		"SELECT first_ts_us FROM flows WHERE source_id=?1 AND client=?2 "
		"AND server=?3 AND server_port=?4 AND l4_proto=?5 ORDER BY "
		"first_ts_us LIMIT ?6";
	static const char name_sql[] =
		"SELECT first_ts_us FROM flows WHERE source_id=?1 AND client=?2 "
		"AND id IN (SELECT flow_id FROM observations WHERE kind IN "
		"('tls.sni','http.host') AND value=?3 AND source_id=?1) ORDER BY"
		" first_ts_us LIMIT ?6";
	sqlite3_stmt *q;
	*n = 0;
	if (prepare(st, k->name ? name_sql : pair_sql, &q,
		    "read connection series") != 0)
		return -1;
	sqlite3_bind_int64(q, 1, k->source_id);
	sqlite3_bind_text(q, 2, k->client ? k->client : "", -1, SQLITE_STATIC);
	if (k->name) {
		sqlite3_bind_text(q, 3, k->name, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_text(q, 3, k->server ? k->server : "", -1,
				  SQLITE_STATIC);
		sqlite3_bind_int(q, 4, k->server_port);
		sqlite3_bind_int(q, 5, k->l4_proto);
	}
	sqlite3_bind_int64(q, 6, (sqlite3_int64)cap);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW && *n < cap)
		times[(*n)++] = sqlite3_column_int64(q, 0);
	if (step == SQLITE_ROW)
		step = SQLITE_DONE; /* cap reached (LIMIT makes this rare) */
	return finish(st, q, 0, step, "read connection series");
}

int report_decode_as(struct store *st, int64_t obs_id, char *out,
		     size_t size)
{
	static const char key[] = "decode_as=";
	sqlite3_stmt *q;
	int rc = 0;
	out[0] = '\0';
	if (prepare(st, "SELECT coalesce(detail,'') FROM observations "
			"WHERE id=?1", &q, "read observation") != 0)
		return -1;
	sqlite3_bind_int64(q, 1, obs_id);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		const char *d = strstr(col_text(q, 0), key);
		if (d) {
			d += sizeof key - 1;
			size_t n = strcspn(d, " ");
			if (n < size) {
				memcpy(out, d, n);
				out[n] = '\0';
				rc = 1;
			}
		}
		step = SQLITE_DONE;
	}
	return finish(st, q, rc, step, "read observation");
}
