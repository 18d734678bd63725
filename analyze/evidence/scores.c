/*
 * scores.c — what scoring reads from a case (distinct indicators, the
 * observations to cite) and writes back: score runs, scores per
 * hypothesis and link, and the evidence each used, all chained.
 */
#include "analyze/evidence/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/vocab/version.h"

int store_each_indicator(struct store *st, const char *kind,
			 store_indicator_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (store_txn_commit(st) != 0)
		return -1;
	/* in table order: a layout-4 case keeps indicators without a rowid,
	 * by (kind, value) */
	if (sqlite3_prepare_v2(st->db, st->layout == STORE_LAYOUT_NEW ?
			       "SELECT kind, value, count FROM indicators "
			       "WHERE ?1 IS NULL OR kind=?1 ORDER BY kind, value" :
			       "SELECT kind, value, count FROM indicators "
			       "WHERE ?1 IS NULL OR kind=?1 ORDER BY rowid",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "read indicators");
		return -1;
	}
	if (kind)
		sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_indicator r = {
			.kind = (const char *)sqlite3_column_text(q, 0),
			.value = (const char *)sqlite3_column_text(q, 1),
			.count = (uint64_t)sqlite3_column_int64(q, 2),
		};
		rc = fn(ctx, &r);
	}
	if (rc == 0 && step != SQLITE_DONE) {
		store_fail(st, "read indicators");
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}

enum { Q_CITE, Q_RUN, Q_SCORE, Q_EVIDENCE, Q_PART };

static sqlite3_stmt *prepare(struct store *st, int slot, const char *sql);

int store_each_observation_of(struct store *st, const char *kind,
			      const char *value, unsigned limit,
			      store_obs_fn fn, void *ctx)
{
	sqlite3_stmt *q = prepare(st, Q_CITE,
				  "SELECT " STORE_OBS_ROW_COLUMNS
				  " WHERE o.kind=?1 AND o.value=?2 "
				  "ORDER BY o.id LIMIT ?3");
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, limit);
	int rc = store_obs_rows(st, q, fn, ctx);
	sqlite3_reset(q);
	return rc;
}

int store_each_source_info(struct store *st, store_source_info_fn fn,
			   void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, path, coalesce(sha256,''), packets "
			       "FROM sources ORDER BY id",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "read sources");
		return -1;
	}
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = fn(ctx, sqlite3_column_int64(q, 0),
			(const char *)sqlite3_column_text(q, 1),
			(const char *)sqlite3_column_text(q, 2),
			(uint64_t)sqlite3_column_int64(q, 3));
	if (rc == 0 && step != SQLITE_DONE) {
		store_fail(st, "read sources");
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}

/* One integer from a query without parameters. */
static int single_int(struct store *st, const char *sql, int64_t *out)
{
	sqlite3_stmt *q = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW) {
		*out = sqlite3_column_int64(q, 0);
		rc = 0;
	} else {
		store_fail(st, "read case");
	}
	sqlite3_finalize(q);
	return rc;
}

int store_count_observations(struct store *st, uint64_t *n)
{
	int64_t v = 0;
	char sql[64];
	/* the table, not the view of a layout-4 case: no join to count */
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s",
		 store_obs_table(st));
	if (single_int(st, sql, &v) != 0)
		return -1;
	*n = (uint64_t)v;
	return 0;
}

int store_next_score_run(struct store *st, int64_t *id)
{
	return single_int(st, "SELECT coalesce(max(id),0)+1 FROM score_runs",
			  id);
}

/* The statement for slot, prepared on first use and kept until the store
 * closes (reset before it is returned); NULL on error (message set). */
static sqlite3_stmt *prepare(struct store *st, int slot, const char *sql)
{
	sqlite3_stmt **q = &st->score_q[slot];
	if (*q) {
		sqlite3_reset(*q);
		sqlite3_clear_bindings(*q);
		return *q;
	}
	if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK) {
		store_fail(st, "prepare score statement");
		sqlite3_finalize(*q);
		*q = NULL;
	}
	return *q;
}

int store_score_run(struct store *st, const struct store_score_run *r)
{
	sqlite3_stmt *q = prepare(st, Q_RUN, "INSERT INTO score_runs "
				      "VALUES(?,?,?,?,?,?,?,?,?)");
	if (!q)
		return -1;
	struct rowbind rb = {st, q, 1, NULL};
	store_chain_begin(st, "score_run");
	rb_int(&rb, r->id);
	rb_int(&rb, (int64_t)(r->time_us ? r->time_us : store_now_us()));
	rb_text(&rb, ATTRIB_VERSION);
	rb_text(&rb, r->models);
	rb_text(&rb, r->params);
	rb_int(&rb, (int64_t)r->observations);
	rb_text(&rb, r->result);
	return rb_insert(&rb, "insert score run");
}

int store_score_run_part(struct store *st, int64_t run_id, int64_t part,
			 const char *text, size_t len)
{
	sqlite3_stmt *q = prepare(st, Q_PART, "INSERT INTO score_run_parts "
				      "VALUES(?,?,?,?,?)");
	if (!q)
		return -1;
	char *copy = malloc(len + 1);
	if (!copy) {
		snprintf(st->err, sizeof st->err, "%s: score run part: out of "
			 "memory", st->path);
		return -1;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	struct rowbind rb = {st, q, 1, NULL};
	store_chain_begin(st, "score_run_part");
	rb_int(&rb, run_id);
	rb_int(&rb, part);
	rb_text(&rb, copy);
	int rc = rb_insert(&rb, "insert score run part");
	free(copy);
	return rc;
}

int store_score(struct store *st, int64_t run_id,
		const struct store_score_row *r)
{
	sqlite3_stmt *q = prepare(st, Q_SCORE, "INSERT INTO scores "
				      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
	if (!q)
		return -1;
	struct rowbind rb = {st, q, 1, NULL};
	store_chain_begin(st, "score");
	rb_int(&rb, run_id);
	rb_text(&rb, r->hypothesis);
	rb_text(&rb, r->link);
	rb_real(&rb, r->belief);
	rb_real(&rb, r->disbelief);
	rb_real(&rb, r->uncertainty);
	rb_real(&rb, r->plausibility);
	rb_real(&rb, r->ci_lo);
	rb_real(&rb, r->ci_hi);
	rb_text(&rb, r->phrase);
	rb_text(&rb, r->confidence);
	rb_text(&rb, r->flags);
	return rb_insert(&rb, "insert score");
}

int store_score_evidence(struct store *st, int64_t run_id,
			 const struct store_score_evidence *e)
{
	sqlite3_stmt *q = prepare(st, Q_EVIDENCE, "INSERT INTO score_evidence "
				      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
	if (!q)
		return -1;
	struct rowbind rb = {st, q, 1, NULL};
	store_chain_begin(st, "score_evidence");
	rb_int(&rb, run_id);
	rb_text(&rb, e->hypothesis);
	rb_text(&rb, e->link);
	rb_text(&rb, e->item);
	rb_text(&rb, e->item_type);
	rb_text(&rb, e->direction);
	rb_real(&rb, e->forgeability);
	rb_real(&rb, e->specificity);
	rb_text(&rb, e->reliability);
	rb_real(&rb, e->discount);
	rb_int(&rb, (int64_t)e->matches);
	rb_text(&rb, e->cited);
	rb_text(&rb, e->origin);
	return rb_insert(&rb, "insert score evidence");
}
