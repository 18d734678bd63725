/*
 * shard_check.h — `attrib verify --shard-dir DIR`: each shard a merged
 * case records (its `merge` custody entries) is looked up in DIR by its
 * file name, its chain recomputed, and its head compared with the head
 * recorded when it was merged.
 */
#ifndef ATTRIB_SHARD_CHECK_H
#define ATTRIB_SHARD_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/evidence/store.h"

struct shard_check {
	uint64_t shards, matched, missing, wrong;
	char first_wrong[1024];
};

/* Checks every shard st records against the files in dir, printing one
 * line per shard. 0 (result in *out; wrong > 0 is a finding), -1 when
 * the case could not be read (message printed). */
int shard_check_run(struct store *st, const char *dir,
		    struct shard_check *out);

#endif
