/*
 * case_check.h — the checks of `attrib verify`, shared with the commands
 * that state a case's verification in their output (`attrib report`):
 * database integrity, the hash chain and its head against the head file,
 * every source file re-hashed, every cited packet re-read.
 *
 * Reads only: recording the result in custody is the caller's business.
 */
#ifndef ATTRIB_CASE_CHECK_H
#define ATTRIB_CASE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/evidence/store.h"

struct case_check {
	int integrity;           /* 1 ok, 0 the database file is damaged */
	char damage[1024];       /* integrity == 0: what is damaged */
	bool chain_read;         /* the chain could be read and walked */
	char chain_error[512];   /* !chain_read: why */
	struct store_verify chain;
	uint64_t sources, rehashed, missing, mismatched, partial;
	uint64_t packets, packets_bad, packets_skipped;
	char first_bad[1024];    /* first changed source file or packet */
	bool tampered;
	const char *first_problem; /* points into this struct when tampered */
};

/*
 * Runs every check on the open case st, comparing the chain head with the
 * head file head_path. Sources whose files are missing are listed on
 * stderr. Returns 0 with the result in *out (tampered or not), -1 when
 * the case could not be read (message printed, exit 2), -2 when out of
 * memory (printed, exit 3).
 */
int case_check_run(struct store *st, const char *head_path,
		   struct case_check *out);

#endif
