/*
 * store_internal.h — what the evidence store's own files share. Not for use
 * outside analyze/evidence/: everything else goes through store.h.
 */
#ifndef ATTRIB_STORE_INTERNAL_H
#define ATTRIB_STORE_INTERNAL_H

#include <sqlite3.h>

#include "analyze/evidence/store.h"

enum { STORE_ERR_LEN = 512 };

struct anomaly_tally {
	uint64_t count;
	uint64_t first_frame;
};

struct store {
	sqlite3 *db;
	char path[1024];
	char err[STORE_ERR_LEN];
	bool in_txn;
	uint64_t frame;        /* frame being processed */
	uint64_t replay_until; /* skip records while frame <= this */
	sqlite3_stmt *ins_flow;
	struct anomaly_tally tally[ANOM_COUNT];
};

/* Sets st->err to "PATH: what: sqlite's message". */
void store_fail(struct store *st, const char *what);

/* Commits the open transaction, if any; rolls back on failure. 0 or -1. */
int store_txn_commit(struct store *st);

#endif
