/*
 * row_batch.h — rows of one table gathered and inserted by one multi-row
 * INSERT (STORE_BATCH_ROWS rows per statement), which costs SQLite less
 * per row than one INSERT per row. Private to analyze/evidence/.
 *
 * Values are copied in, so the caller's strings need not outlive the
 * call. Rows wait only inside the store's open transaction: the store
 * flushes every batch before it commits and discards them when it rolls
 * back, so what is committed is exactly what was added, in order.
 */
#ifndef ATTRIB_ROW_BATCH_H
#define ATTRIB_ROW_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

enum {
	STORE_BATCH_ROWS = 16,   /* rows per multi-row INSERT */
	ROW_BATCH_MAX_COLS = 32, /* widest table (flows: 29 columns) */
};

struct row_value {
	union {
		int64_t i;       /* INTEGER */
		double r;        /* FLOAT */
		struct {
			uint32_t off, len; /* TEXT, BLOB: bytes in the batch's
			                      text */
		} t;
	} v;
	uint8_t type;            /* SQLITE_INTEGER, _FLOAT, _TEXT, _BLOB,
	                            _NULL */
};

struct row_batch {
	sqlite3_stmt *one;       /* INSERT of one row */
	sqlite3_stmt *many;      /* of STORE_BATCH_ROWS rows */
	int ncols, col, nrows;   /* col: next value of the row being added */
	struct row_value vals[STORE_BATCH_ROWS * ROW_BATCH_MAX_COLS];
	char *text;
	size_t text_len, text_cap;
	bool lost;               /* a value could not be kept (out of memory):
	                            the rows must not be inserted */
};

/*
 * Prepares the statements for table (ncols columns, every one given in
 * each row). 0, or -1 (SQLite's message in db).
 */
int row_batch_init(struct row_batch *b, sqlite3 *db, const char *table,
		   int ncols);
void row_batch_free(struct row_batch *b);

/* Adds the next value of the row being built. */
void row_batch_int(struct row_batch *b, int64_t v);
void row_batch_real(struct row_batch *b, double v);
void row_batch_text(struct row_batch *b, const char *s, size_t n);
void row_batch_blob(struct row_batch *b, const void *p, size_t n);
void row_batch_null(struct row_batch *b);

/* Ends the row (it must have ncols values): true when the batch is full
 * and should be flushed. */
bool row_batch_end_row(struct row_batch *b);

/* Inserts the rows waiting, in order, and drops them. -1 when a value
 * was lost (b->lost: out of memory) or SQLite failed (its message in the
 * connection); the rows stay then, for row_batch_discard(). */
int row_batch_flush(struct row_batch *b);

/* Drops the rows waiting (the transaction is being rolled back). */
void row_batch_discard(struct row_batch *b);

#endif
