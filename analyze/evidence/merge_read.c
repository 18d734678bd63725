/*
 * merge_read.c — what merged cases are read for: flows back in series
 * order for behaviour over a whole case (flow_starts.h), and the shards a
 * case records (merge.h, store_each_merged_shard).
 */
#include "analyze/evidence/flow_starts.h"
#include "analyze/evidence/merge.h"

#include "analyze/evidence/flow_sort.h"
#include "analyze/evidence/store_internal.h"

#include <stdio.h>
#include <string.h>

/* Reads every flow (in table order, no SQL sort) into the sort. */
static int gather_flows(struct store *st, struct flow_sort *fs)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, source_id, ip_version, l4_proto,"
			       " client, server, server_port, first_ts_us,"
			       " client_port, last_ts_us FROM flows",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "read flows");
		return -1;
	}
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		struct flow_sort_row r = {
			.flow_id = sqlite3_column_int64(q, 0),
			.source_id = sqlite3_column_int64(q, 1),
			.ip_version = sqlite3_column_int64(q, 2),
			.l4_proto = sqlite3_column_int64(q, 3),
			.client = (const char *)sqlite3_column_text(q, 4),
			.client_len = (size_t)sqlite3_column_bytes(q, 4),
			.server = (const char *)sqlite3_column_text(q, 5),
			.server_len = (size_t)sqlite3_column_bytes(q, 5),
			.server_port = sqlite3_column_int64(q, 6),
			.first_us = sqlite3_column_int64(q, 7),
			.client_port = sqlite3_column_int64(q, 8),
			.last_us = sqlite3_column_int64(q, 9),
		};
		char why[200];
		if (flow_sort_add(fs, &r, why, sizeof why) != 0) {
			snprintf(st->err, sizeof st->err, "%s: %s", st->path,
				 why);
			rc = -1;
		}
	}
	if (rc == 0 && step != SQLITE_DONE) {
		store_fail(st, "read flows");
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}

int store_each_flow_start(struct store *st, enum store_flow_order order,
			  store_flow_start_fn fn, void *ctx)
{
	if (store_flush_rows(st) != 0)
		return -1;
	struct flow_sort *fs = flow_sort_create(order, FLOW_SORT_CHUNK_BYTES);
	if (!fs) {
		snprintf(st->err, sizeof st->err, "%s: read flows: out of "
			 "memory", st->path);
		return -1;
	}
	char why[200] = "";
	int rc = gather_flows(st, fs);
	if (rc == 0) {
		rc = flow_sort_each(fs, fn, ctx, why, sizeof why);
		if (rc == -1 && why[0])
			snprintf(st->err, sizeof st->err, "%s: %s", st->path,
				 why);
	}
	flow_sort_destroy(fs);
	return rc;
}

int store_flow_start_span(struct store *st, int64_t *first_us,
			  int64_t *last_us)
{
	sqlite3_stmt *q = NULL;
	*first_us = *last_us = 0;
	if (store_flush_rows(st) != 0)
		return -1;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT min(first_ts_us), max(first_ts_us)"
			       " FROM flows",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "read flows");
		return -1;
	}
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		*first_us = sqlite3_column_int64(q, 0);
		*last_us = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	if (step != SQLITE_ROW) {
		store_fail(st, "read flows");
		return -1;
	}
	return 0;
}

/* Runs q (bound) and copies its one row (frame, file_offset, caplen,
 * ts_us, packet_sha256) into out. 1, 0 no row, -1 error. */
static int read_cite(struct store *st, sqlite3_stmt *q,
		     struct store_cite *out)
{
	int step = sqlite3_step(q);
	if (step == SQLITE_DONE)
		return 0;
	if (step != SQLITE_ROW) {
		store_fail(st, "read cite");
		return -1;
	}
	out->obs.frame = (uint64_t)sqlite3_column_int64(q, 0);
	out->obs.file_offset = (uint64_t)sqlite3_column_int64(q, 1);
	out->obs.caplen = (uint32_t)sqlite3_column_int64(q, 2);
	out->obs.ts_us = (uint64_t)sqlite3_column_int64(q, 3);
	snprintf(out->sha, sizeof out->sha, "%s",
		 (const char *)sqlite3_column_text(q, 4));
	out->obs.packet_sha256 = out->sha;
	return 1;
}

int store_flow_cite(struct store *st, int64_t flow_id, int64_t source_id,
		    const char *client, const char *server,
		    struct store_cite *out)
{
	/* both looked up through the (kind, value) index */
	static const char *const sql[2] = {
		"SELECT frame, file_offset, caplen, ts_us, packet_sha256 FROM"
		" observations WHERE kind='ip.dst' AND value=?3 AND"
		" flow_id=?1 ORDER BY frame, id LIMIT 1",
		"SELECT frame, file_offset, caplen, ts_us, packet_sha256 FROM"
		" observations WHERE kind='ip.src' AND value=?4 AND"
		" source_id=?2 ORDER BY frame, id LIMIT 1",
	};
	memset(out, 0, sizeof *out);
	out->source_id = source_id;
	out->obs.flow_id = (uint64_t)flow_id;
	if (store_flush_rows(st) != 0)
		return -1;
	int rc = 0;
	for (int i = server ? 0 : 1; i < 2 && rc == 0; i++) {
		sqlite3_stmt *q = NULL;
		if (sqlite3_prepare_v2(st->db, sql[i], -1, &q, NULL) !=
		    SQLITE_OK) {
			store_fail(st, "read cite");
			return -1;
		}
		sqlite3_bind_int64(q, 1, flow_id);
		sqlite3_bind_int64(q, 2, source_id);
		sqlite3_bind_text(q, 3, server ? server : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, client, -1, SQLITE_STATIC);
		rc = read_cite(st, q, out);
		sqlite3_finalize(q);
	}
	return rc;
}

int store_has_observation(struct store *st, const char *kind,
			  const char *value)
{
	sqlite3_stmt *q = NULL;
	if (store_flush_rows(st) != 0)
		return -1;
	/* in a layout-4 case a value row is written with the first
	 * observation of it, and only then */
	if (sqlite3_prepare_v2(st->db, st->layout == STORE_LAYOUT_NEW ?
			       "SELECT 1 FROM indicator_values WHERE kind=? AND"
			       " value=? LIMIT 1" :
			       "SELECT 1 FROM observations WHERE kind=? AND"
			       " value=? LIMIT 1",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "read observations");
		return -1;
	}
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	int step = sqlite3_step(q), rc = step == SQLITE_ROW ? 1 : 0;
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		store_fail(st, "read observations");
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}

int store_each_merged_shard(struct store *st, store_shard_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, detail FROM custody WHERE"
			       " action='merge' ORDER BY id",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "read merge entries");
		return -1;
	}
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(q, 1);
		unsigned long long seq;
		char hash[CHAIN_HEX_LEN + 1];
		const char *path = strstr(d, "; shard ");
		if (sscanf(d, "shard-head %llu %64[0-9a-f];", &seq, hash) != 2 ||
		    !path)
			continue; /* not written by this version */
		struct store_shard_record r = {
			.custody_id = sqlite3_column_int64(q, 0),
			.path = path + strlen("; shard "),
			.head_seq = seq,
			.head_hash = hash,
		};
		rc = fn(ctx, &r);
	}
	if (rc == 0 && step != SQLITE_DONE) {
		store_fail(st, "read merge entries");
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}
