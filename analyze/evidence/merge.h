/*
 * merge.h — combining shard cases into one case (`attrib merge`), and what
 * a merged case says about its shards.
 *
 * A shard case is a case like any other, made by `attrib ingest --shard
 * K/N` on some machine. Merging copies its sources, their anomaly counts,
 * flows and observations, and its custody lines into the open case, each
 * as a new entry of that case's chain, then one custody entry `merge`
 * naming the shard file, the chain head it was merged at and its
 * sources' SHA-256 (docs/scale-out.md, docs/evidence.md). Ids are
 * renumbered (a source gets the next free id, its flows id × 10^9 + n
 * with the same n); what an observation cites — the source's SHA-256, the
 * frame, the byte offset, the packet's SHA-256 — is copied unchanged.
 *   - A source whose SHA-256 the case already holds as complete is kept
 *     once: its rows are not copied again, its custody lines are.
 *   - A custody line equal in every column but its id to one the case
 *     holds is kept once.
 *   - A shard merged at a head the case already records is skipped.
 *   - Behaviour readings made over a whole case (detail "scope=case ...")
 *     are not copied: they are recomputed over the merged flows
 *     (analyze/ingest/case_behaviour.h).
 * The caller verifies the shard first (cli/cmd_merge.c): merge trusts that
 * the shard's chain is intact at head_seq/head_hash, and checks that the
 * file still holds that head.
 */
#ifndef ATTRIB_MERGE_H
#define ATTRIB_MERGE_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/evidence/store.h"

/* What store_merge_case() did. */
struct store_merge_stats {
	bool already;            /* this shard head was merged before */
	uint64_t sources_new, sources_held; /* held: same SHA-256 in the case */
	uint64_t anomalies, flows, observations, custody, custody_held;
};

/*
 * Merges the shard case at shard_path (verified by the caller, chain head
 * head_seq/head_hash) into st and commits, in one transaction. args are
 * the command's arguments for the merge custody entry. Returns 0 (result
 * in *out), 1 when the shard is not one that can be merged (changed since
 * verified, another table layout; message in store_error()), -1 on error.
 */
int store_merge_case(struct store *st, const char *shard_path,
		     uint64_t head_seq, const char *head_hash,
		     const char *args, struct store_merge_stats *out);

/* One shard a case records (a `merge` custody entry). Strings are valid
 * during the callback only. */
struct store_shard_record {
	int64_t custody_id;
	const char *path;        /* the shard file as merged */
	uint64_t head_seq;
	const char *head_hash;
};
typedef int (*store_shard_fn)(void *ctx, const struct store_shard_record *r);

/* Calls fn for every shard merged into st, in order; stops and returns
 * fn's value when non-zero; -1 on error. */
int store_each_merged_shard(struct store *st, store_shard_fn fn, void *ctx);

#endif
