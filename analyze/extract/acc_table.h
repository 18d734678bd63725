/*
 * acc_table.h — the bounded accumulator table of the behaviour family
 * (behaviour.c): one entry per beacon series or activity host, keyed by
 * bytes. Private to analyze/extract/.
 */
#ifndef ATTRIB_EXTRACT_ACC_TABLE_H
#define ATTRIB_EXTRACT_ACC_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/extract/extract.h"

/* Entries the eviction hand looks at before giving up. */
#define ACC_EVICT_SCAN 64

/*
 * One series (times of flow starts) or host (flow starts by UTC hour of
 * week). A series keeps its first time in t0 and allocates data only
 * from the second; a host keeps times until HOURS_MIN_EVENTS, then
 * switches to a 168-bin histogram (dense).
 */
struct acc {
	struct obs_cite first;  /* first packet of the earliest flow */
	uint64_t first_flow_id;
	uint64_t first_us;
	int64_t t0;
	void *data;             /* int64_t times[cap], or uint32_t week[] */
	uint32_t seen;          /* flows recorded, kept or not */
	uint32_t n, cap;        /* times kept, room in data */
	uint32_t pos;           /* index in the table's order[] */
	uint16_t key_len;
	uint8_t dense;
	uint8_t key[];
};

/* 8 bytes: the low half of the key's hash (the table never has more
 * than 2^30 slots, so it holds the home slot) and the entry's place in
 * order[] plus one (0: empty). */
struct acc_slot {
	uint32_t hash;
	uint32_t pos1;
};

/*
 * Open-addressing table (linear probing, backward-shift deletion) with
 * the entries also listed in order[], which fixes the emission order.
 * When full, the eviction hand walks order[] for an entry seen once (a
 * one-off connection) and gives its place to the new key, so recurring
 * series survive a flood of one-offs; when it finds none within
 * ACC_EVICT_SCAN steps the new key is dropped.
 */
struct acc_table {
	struct acc_slot *slots;
	uint32_t mask;
	struct acc **order;
	uint8_t *recurring;     /* per order[] entry: seen more than once */
	uint32_t count, limit, hand;
	uint64_t times;         /* times kept by all entries */
};

/* Sets up an empty table for at most limit entries; 0, or -1 when out of
 * memory (acc_table_free() releases what was made). */
int acc_table_init(struct acc_table *t, uint32_t limit);

/* Frees every entry; the table stays usable. */
void acc_table_clear(struct acc_table *t);

/* Frees the entries and the table's arrays. */
void acc_table_free(struct acc_table *t);

/*
 * The entry of key (len bytes): found, or made (zeroed but for the key)
 * when there is room or a one-off could be evicted for it (*evicted).
 * NULL when neither (or out of memory). The entry stays owned by the
 * table, valid until it is evicted or the table cleared.
 */
struct acc *acc_table_get(struct acc_table *t, const uint8_t *key,
			  uint16_t len, bool *evicted);

/* The entry of key, or NULL; never makes or evicts one. */
const struct acc *acc_table_find(const struct acc_table *t,
				 const uint8_t *key, uint16_t len);

/* Records that a is seen more than once (no longer evictable). */
void acc_table_mark_recurring(struct acc_table *t, const struct acc *a);

#endif
