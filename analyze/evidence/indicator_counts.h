/*
 * indicator_counts.h — the derived `indicators` table kept in memory while
 * observations are written: per distinct (kind, value), how many
 * observations, from how many sources, first and last time.
 *
 * Bounded: the counts take at most the byte budget given at creation.
 * Past it they stop ("overflowed"), free their memory, and the store
 * rebuilds the table from the observations instead. Pure: no SQLite, no
 * I/O; private to analyze/evidence/.
 */
#ifndef ATTRIB_INDICATOR_COUNTS_H
#define ATTRIB_INDICATOR_COUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct indicator_counts;

/* One distinct (kind, value), as handed to indicator_counts_each(). */
struct indicator_count {
	const char *kind, *value;     /* NUL-terminated */
	size_t kind_len, value_len;
	int64_t count;                /* observations */
	int64_t sources;              /* distinct sources among them */
	int64_t first_us, last_us;    /* smallest and largest time */
};

/* Empty counts that will use at most max_bytes. NULL when out of memory.
 * The caller owns the result (indicator_counts_destroy). */
struct indicator_counts *indicator_counts_create(size_t max_bytes);
void indicator_counts_destroy(struct indicator_counts *c);

/*
 * Counts one observation of source_id at ts_us. Sources are expected one
 * after the other (an observation of a source that is not the latest one
 * seen for this value counts that source again). Returns false once the
 * counts have overflowed (this call or an earlier one), or for a kind or
 * value longer than 65535 bytes (which also overflows them).
 */
bool indicator_counts_add(struct indicator_counts *c, const char *kind,
			  const char *value, int64_t source_id,
			  int64_t ts_us);

/* indicator_counts_add(), and the id of the pair's row in
 * indicator_values (when not 0) kept with it. The caller drops the counts
 * when that row is rolled back. */
bool indicator_counts_add_id(struct indicator_counts *c, const char *kind,
			     const char *value, int64_t source_id,
			     int64_t ts_us, int64_t value_id);

/* The indicator_values id kept with (kind, value); 0 when none is, or
 * the counts have overflowed. */
int64_t indicator_counts_id(const struct indicator_counts *c,
			    const char *kind, const char *value);

/* Marks the counts as overflowed (they no longer describe the
 * observations, e.g. after a rolled-back batch) and frees their memory. */
void indicator_counts_drop(struct indicator_counts *c);

/* True once the budget was passed or indicator_counts_drop() was called. */
bool indicator_counts_overflowed(const struct indicator_counts *c);

/* Number of distinct (kind, value) pairs counted. */
size_t indicator_counts_size(const struct indicator_counts *c);

/* Forgets everything, overflow included (memory is kept for reuse). */
void indicator_counts_clear(struct indicator_counts *c);

/*
 * Calls fn for every distinct pair, ordered by kind then value (bytewise,
 * as SQLite's BINARY collation orders text). Stops and returns fn's value
 * when it is non-zero; -1 when out of memory for the ordering.
 */
typedef int (*indicator_count_fn)(void *ctx, const struct indicator_count *e);
int indicator_counts_each(struct indicator_counts *c, indicator_count_fn fn,
			  void *ctx);

#endif
