/*
 * acc_table.c — bounded accumulator table of the behaviour family (see
 * acc_table.h): open addressing with linear probing and backward-shift
 * deletion, entries listed in insertion order, one-offs evicted when full.
 */
#include "analyze/extract/acc_table.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int acc_table_init(struct acc_table *t, uint32_t limit)
{
	uint32_t slots = 16;

	while (slots < 2ull * limit && slots < (1u << 30))
		slots <<= 1;
	memset(t, 0, sizeof(*t));
	t->slots = calloc(slots, sizeof(*t->slots));
	t->order = calloc(limit ? limit : 1, sizeof(*t->order));
	t->recurring = calloc(limit ? limit : 1, 1);
	t->mask = slots - 1;
	t->limit = limit;
	return t->slots && t->order && t->recurring ? 0 : -1;
}

static void acc_free(struct acc *a)
{
	free(a->data);
	free(a);
}

void acc_table_clear(struct acc_table *t)
{
	for (uint32_t i = 0; i < t->count; i++)
		acc_free(t->order[i]);
	/* an empty table's slots are left untouched: a stage whose tables
	 * stay empty (a flow worker's, when the writer keeps the series)
	 * never brings their pages in */
	if (t->slots && t->count)
		memset(t->slots, 0, ((size_t)t->mask + 1) * sizeof(*t->slots));
	t->count = 0;
	t->hand = 0;
	t->times = 0;
}

void acc_table_free(struct acc_table *t)
{
	if (t->order)
		acc_table_clear(t);
	free(t->slots);
	free(t->order);
	free(t->recurring);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* The entry of slot i, NULL when the slot is empty. */
static struct acc *slot_entry(const struct acc_table *t, uint32_t i)
{
	uint32_t pos1 = t->slots[i].pos1;

	return pos1 ? t->order[pos1 - 1] : NULL;
}

/* Slot of the entry with this key, or of the empty slot ending its run. */
static uint32_t table_find(const struct acc_table *t, uint64_t h,
			   const uint8_t *key, uint16_t len)
{
	uint32_t i = (uint32_t)h & t->mask;

	for (; t->slots[i].pos1; i = (i + 1) & t->mask) {
		if (t->slots[i].hash != (uint32_t)h)
			continue; /* no entry read for another key's slot */
		const struct acc *a = slot_entry(t, i);

		if (a->key_len == len && memcmp(a->key, key, len) == 0)
			break;
	}
	return i;
}

/* Removes the entry at slot i, shifting its run back (no tombstones). */
static void table_remove_slot(struct acc_table *t, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		uint32_t home;

		j = (j + 1) & t->mask;
		if (!t->slots[j].pos1)
			break;
		home = t->slots[j].hash & t->mask;
		/* Move j back to i unless its home lies in (i, j]. */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].pos1 = 0;
	t->slots[i].hash = 0;
}

/* A place in order[] for a new entry: the end, or that of an evicted
 * one-off (*evicted). */
static bool table_make_room(struct acc_table *t, uint32_t *pos,
			    bool *evicted)
{
	*evicted = false;
	if (t->count < t->limit) {
		*pos = t->count++;
		return true;
	}
	for (uint32_t step = 0; step < ACC_EVICT_SCAN && t->count; step++) {
		uint32_t at = t->hand;
		struct acc *a;

		t->hand = (t->hand + 1) % t->count;
		if (t->recurring[at])
			continue;
		a = t->order[at];
		table_remove_slot(t, table_find(t, fnv1a(a->key, a->key_len),
						a->key, a->key_len));
		t->times -= a->dense ? 0 : a->n;
		acc_free(a);
		*pos = at;
		*evicted = true;
		return true;
	}
	return false;
}

const struct acc *acc_table_find(const struct acc_table *t,
				 const uint8_t *key, uint16_t len)
{
	uint32_t i = table_find(t, fnv1a(key, len), key, len);

	return slot_entry(t, i);
}

struct acc *acc_table_get(struct acc_table *t, const uint8_t *key,
			  uint16_t len, bool *evicted)
{
	uint64_t h = fnv1a(key, len);
	uint32_t i = table_find(t, h, key, len), pos;
	struct acc *a;

	*evicted = false;
	if (t->slots[i].pos1)
		return slot_entry(t, i);
	if (!table_make_room(t, &pos, evicted))
		return NULL;
	if (*evicted)
		i = table_find(t, h, key, len); /* runs may have moved */
	/* the key starts inside the struct's tail padding: sizing by its
	 * offset puts the common 37- and 39-byte keys in a 160-byte malloc
	 * chunk instead of 176 */
	a = calloc(1, offsetof(struct acc, key) + len);
	if (!a) {
		/* Close the hole with the last entry (its slot follows). */
		struct acc *last = t->order[--t->count];

		t->order[pos] = last;
		t->recurring[pos] = t->recurring[t->count];
		if (pos < t->count) {
			last->pos = pos;
			t->slots[table_find(t, fnv1a(last->key, last->key_len),
					    last->key, last->key_len)]
				.pos1 = pos + 1;
		}
		if (t->hand >= t->count)
			t->hand = 0;
		return NULL;
	}
	a->key_len = len;
	a->pos = pos;
	memcpy(a->key, key, len);
	t->order[pos] = a;
	t->slots[i].hash = (uint32_t)h;
	t->slots[i].pos1 = pos + 1;
	t->recurring[pos] = 0;
	return a;
}

void acc_table_mark_recurring(struct acc_table *t, const struct acc *a)
{
	t->recurring[a->pos] = 1;
}
