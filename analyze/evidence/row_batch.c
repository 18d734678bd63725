/*
 * row_batch.c — multi-row INSERTs for the evidence store (row_batch.h).
 */
#include "analyze/evidence/row_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "INSERT INTO table VALUES(?,...,?),...,(?,...,?)" with rows rows. */
static int prepare_insert(sqlite3 *db, const char *table, int ncols,
			  int rows, sqlite3_stmt **out)
{
	size_t cap = 64 + strlen(table) + (size_t)rows * (4 + 2 * (size_t)ncols);
	char *sql = malloc(cap);
	if (!sql)
		return -1;
	size_t n = (size_t)snprintf(sql, cap, "INSERT INTO %s VALUES", table);
	for (int r = 0; r < rows; r++) {
		sql[n++] = r ? ',' : ' ';
		sql[n++] = '(';
		for (int c = 0; c < ncols; c++) {
			if (c)
				sql[n++] = ',';
			sql[n++] = '?';
		}
		sql[n++] = ')';
	}
	sql[n] = '\0';
	int rc = sqlite3_prepare_v2(db, sql, (int)n, out, NULL) == SQLITE_OK
			 ? 0 : -1;
	free(sql);
	return rc;
}

int row_batch_init(struct row_batch *b, sqlite3 *db, const char *table,
		   int ncols)
{
	memset(b, 0, sizeof *b);
	if (ncols > ROW_BATCH_MAX_COLS)
		return -1;
	b->ncols = ncols;
	if (prepare_insert(db, table, ncols, 1, &b->one) != 0 ||
	    prepare_insert(db, table, ncols, STORE_BATCH_ROWS, &b->many) != 0) {
		row_batch_free(b);
		return -1;
	}
	return 0;
}

void row_batch_free(struct row_batch *b)
{
	sqlite3_finalize(b->one);
	sqlite3_finalize(b->many);
	free(b->text);
	memset(b, 0, sizeof *b);
}

static struct row_value *next_value(struct row_batch *b)
{
	if (b->col >= b->ncols)
		return NULL; /* more values than columns: caught at end_row */
	return &b->vals[b->nrows * b->ncols + b->col++];
}

void row_batch_int(struct row_batch *b, int64_t v)
{
	struct row_value *rv = next_value(b);
	if (rv)
		*rv = (struct row_value){.v.i = v, .type = SQLITE_INTEGER};
}

void row_batch_real(struct row_batch *b, double v)
{
	struct row_value *rv = next_value(b);
	if (rv)
		*rv = (struct row_value){.v.r = v, .type = SQLITE_FLOAT};
}

void row_batch_null(struct row_batch *b)
{
	struct row_value *rv = next_value(b);
	if (rv)
		rv->type = SQLITE_NULL;
}

/* Copies n bytes into the batch's text as value type. */
static void add_bytes(struct row_batch *b, const void *s, size_t n, int type)
{
	struct row_value *rv = next_value(b);
	if (!rv)
		return;
	if (b->text_len + n > b->text_cap) {
		size_t cap = b->text_cap ? b->text_cap : 4096;
		while (cap < b->text_len + n)
			cap *= 2;
		char *t = cap <= UINT32_MAX ? realloc(b->text, cap) : NULL;
		if (!t) {
			b->lost = true;
			rv->type = SQLITE_NULL;
			return;
		}
		b->text = t;
		b->text_cap = cap;
	}
	if (n)
		memcpy(b->text + b->text_len, s, n);
	*rv = (struct row_value){.v.t = {(uint32_t)b->text_len, (uint32_t)n},
				 .type = (uint8_t)type};
	b->text_len += n;
}

void row_batch_text(struct row_batch *b, const char *s, size_t n)
{
	add_bytes(b, s, n, SQLITE_TEXT);
}

void row_batch_blob(struct row_batch *b, const void *p, size_t n)
{
	add_bytes(b, p, n, SQLITE_BLOB);
}

bool row_batch_end_row(struct row_batch *b)
{
	if (b->col != b->ncols)
		b->lost = true; /* not a whole row: refuse the batch */
	b->col = 0;
	b->nrows++;
	return b->nrows == STORE_BATCH_ROWS;
}

/* Binds rows [first, first + n) to q from parameter 1. */
static void bind_rows(struct row_batch *b, sqlite3_stmt *q, int first, int n)
{
	int p = 1;
	for (int i = first * b->ncols; i < (first + n) * b->ncols; i++, p++) {
		const struct row_value *v = &b->vals[i];
		if (v->type == SQLITE_INTEGER)
			sqlite3_bind_int64(q, p, v->v.i);
		else if (v->type == SQLITE_FLOAT)
			sqlite3_bind_double(q, p, v->v.r);
		else if (v->type == SQLITE_TEXT)
			sqlite3_bind_text(q, p, b->text + v->v.t.off,
					  (int)v->v.t.len, SQLITE_STATIC);
		else if (v->type == SQLITE_BLOB)
			sqlite3_bind_blob(q, p, b->text + v->v.t.off,
					  (int)v->v.t.len, SQLITE_STATIC);
		else
			sqlite3_bind_null(q, p);
	}
}

static int run(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(q);
	return rc;
}

int row_batch_flush(struct row_batch *b)
{
	int rc = b->lost ? -1 : 0;
	if (rc == 0 && b->nrows == STORE_BATCH_ROWS) {
		bind_rows(b, b->many, 0, b->nrows);
		rc = run(b->many);
	} else {
		for (int r = 0; rc == 0 && r < b->nrows; r++) {
			bind_rows(b, b->one, r, 1);
			rc = run(b->one);
		}
	}
	if (rc == 0)
		row_batch_discard(b);
	return rc;
}

void row_batch_discard(struct row_batch *b)
{
	b->nrows = 0;
	b->col = 0;
	b->text_len = 0;
	b->lost = false;
}
