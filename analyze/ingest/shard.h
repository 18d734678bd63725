/*
 * shard.h — which of N shards takes a capture file (`attrib ingest
 * --shard K/N`).
 *
 * Rendezvous (highest-random-weight) hashing: a file goes to the shard k
 * in 0..N-1 whose weight w(k, name) is highest, where name is the file's
 * path relative to the command-line argument it was found under (its
 * base name when the argument is the file itself) and
 *   w(k, name) = splitmix64(fnv1a64(name) ^ splitmix64(k + 1)).
 * So the choice depends only on the file's own name and N:
 *   - every array task running the same command line computes the same
 *     partition, with no coordination (disjoint, covering);
 *   - adding or removing files elsewhere moves no other file;
 *   - the same captures under another mount point shard the same way.
 * Balance is by expectation: every file is equally likely to land on
 * each shard, so each shard gets about 1/N of the files and of the bytes;
 * a few very large files make the byte totals uneven (`--list` prints
 * them). docs/scale-out.md gives the reasoning against size-greedy
 * schemes (balanced, but one new file reshuffles the rest).
 * Pure: no I/O, no allocation.
 */
#ifndef ATTRIB_SHARD_H
#define ATTRIB_SHARD_H

#include <stdbool.h>
#include <stdint.h>

/* Shards per run at most. */
#define SHARD_MAX_COUNT 100000u

/* The weight of shard k for name (see above). */
uint64_t shard_weight(const char *name, unsigned k);

/* The shard (0..n-1) that takes the file called name; n >= 1. */
unsigned shard_of(const char *name, unsigned n);

/* Parses "K/N" (0 <= K < N <= SHARD_MAX_COUNT, decimal) into *k, *n.
 * false when text is anything else. */
bool shard_parse(const char *text, unsigned *k, unsigned *n);

#endif
