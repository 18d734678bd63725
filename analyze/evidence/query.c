/*
 * query.c — reading evidence back for the command line: observations one
 * by one (attrib indicators) with the SHA-256 of the source they cite.
 */
#include "analyze/evidence/store_internal.h"

#include <stdio.h>

int store_obs_rows(struct store *st, sqlite3_stmt *q, store_obs_fn fn,
		   void *ctx)
{
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_obs_row r = {
			.id = sqlite3_column_int64(q, 0),
			.kind = (const char *)sqlite3_column_text(q, 1),
			.value = (const char *)sqlite3_column_text(q, 2),
			.detail = (const char *)sqlite3_column_text(q, 3),
			.source_sha256 = (const char *)sqlite3_column_text(q, 4),
			.source_path = (const char *)sqlite3_column_text(q, 5),
			.frame = (uint64_t)sqlite3_column_int64(q, 6),
			.file_offset = (uint64_t)sqlite3_column_int64(q, 7),
			.ts_us = (uint64_t)sqlite3_column_int64(q, 8),
			.flow_id = (uint64_t)sqlite3_column_int64(q, 9),
		};
		rc = fn(ctx, &r);
	}
	if (rc == 0 && step != SQLITE_DONE) {
		store_fail(st, "read observations");
		rc = -1;
	}
	return rc;
}

int store_each_observation(struct store *st, const char *kind,
			   store_obs_fn fn, void *ctx)
{
	if (store_txn_commit(st) != 0)
		return -1;
	sqlite3_stmt *q = NULL;
	/* one kind: found through the index of values (of (kind, value)
	 * before schema 4), not by reading every observation */
	const char *sql = kind ? "SELECT " STORE_OBS_ROW_COLUMNS
				 " WHERE o.kind=?1 ORDER BY o.id"
			       : "SELECT " STORE_OBS_ROW_COLUMNS
				 " ORDER BY o.id";
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "read observations");
		return -1;
	}
	if (kind)
		sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	int rc = store_obs_rows(st, q, fn, ctx);
	sqlite3_finalize(q);
	return rc;
}
