/*
 * idmap.h — a hash map from 64-bit keys to 64-bit values (open
 * addressing, linear probing, deletion by backward shift), for the
 * writer's worker-flow → case-flow ids. Grows as needed; its size is
 * bounded by the flows open in every worker's table.
 */
#ifndef ATTRIB_INGEST_IDMAP_H
#define ATTRIB_INGEST_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap {
	uint64_t *keys, *vals; /* key 0: empty slot */
	size_t cap, used;      /* cap a power of two or 0 */
};

/* Sets key (non-zero) to val. 0, or -1 when out of memory. */
int idmap_put(struct idmap *m, uint64_t key, uint64_t val);

/* The value of key, or 0 when absent. */
uint64_t idmap_get(const struct idmap *m, uint64_t key);

/* Removes key when present. */
void idmap_del(struct idmap *m, uint64_t key);

/* Empties and frees the map (it can be used again). */
void idmap_clear(struct idmap *m);

#endif
