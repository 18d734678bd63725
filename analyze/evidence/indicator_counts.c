/*
 * indicator_counts.c — distinct (kind, value) counts in bounded memory
 * (see indicator_counts.h).
 *
 * Entries live one after the other in an arena (one allocation, grown by
 * doubling), each with its key "kind\0value\0"; an open-addressing table
 * of arena offsets finds them. Both count against the budget; when either
 * would pass it the counts overflow and free everything.
 */
#include "analyze/evidence/indicator_counts.h"

#include <stdlib.h>
#include <string.h>

enum {
	ARENA_MIN_BYTES = 64 << 10,
	SLOTS_MIN = 1024,            /* a power of two */
	KEY_LEN_MAX = 65535,
};

struct entry {
	uint64_t hash;
	int64_t count, sources, first_us, last_us, last_source;
	int64_t value_id;            /* its indicator_values row, or 0 */
	uint16_t kind_len, value_len;
	char key[];                  /* kind NUL value NUL */
};

struct indicator_counts {
	size_t max_bytes;
	uint8_t *arena;
	size_t used, cap;            /* arena bytes */
	uint32_t *slots;             /* arena offset / 8 + 1; 0 = empty */
	size_t nslots, n;            /* nslots a power of two, or 0 */
	bool overflowed;
};

static size_t entry_size(size_t kind_len, size_t value_len)
{
	size_t n = sizeof(struct entry) + kind_len + 1 + value_len + 1;
	return (n + 7) & ~(size_t)7;
}

static struct entry *entry_at(const struct indicator_counts *c, uint32_t slot)
{
	return (struct entry *)(c->arena + (size_t)(slot - 1) * 8);
}

/* 64-bit hash of the bytes at p, eight at a time, with a final mix. */
static uint64_t hash_bytes(uint64_t h, const char *p, size_t n)
{
	const uint64_t k = 0x9e3779b97f4a7c15u;
	uint64_t w;
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w ^ (uint64_t)n << 56) * k;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93u;
	h ^= h >> 32;
	return h;
}

struct indicator_counts *indicator_counts_create(size_t max_bytes)
{
	struct indicator_counts *c = calloc(1, sizeof *c);
	if (c)
		c->max_bytes = max_bytes;
	return c;
}

void indicator_counts_destroy(struct indicator_counts *c)
{
	if (!c)
		return;
	free(c->arena);
	free(c->slots);
	free(c);
}

void indicator_counts_drop(struct indicator_counts *c)
{
	free(c->arena);
	free(c->slots);
	c->arena = NULL;
	c->slots = NULL;
	c->used = c->cap = c->nslots = c->n = 0;
	c->overflowed = true;
}

bool indicator_counts_overflowed(const struct indicator_counts *c)
{
	return c->overflowed;
}

size_t indicator_counts_size(const struct indicator_counts *c)
{
	return c->n;
}

void indicator_counts_clear(struct indicator_counts *c)
{
	if (c->slots)
		memset(c->slots, 0, c->nslots * sizeof *c->slots);
	c->used = c->n = 0;
	c->overflowed = false;
}

/* Doubles the slot table (or makes the first one). false: over budget or
 * out of memory. */
static bool grow_slots(struct indicator_counts *c)
{
	size_t nslots = c->nslots ? 2 * c->nslots : SLOTS_MIN;
	if (nslots * sizeof(uint32_t) + c->cap > c->max_bytes)
		return false;
	uint32_t *slots = calloc(nslots, sizeof *slots);
	if (!slots)
		return false;
	for (size_t i = 0; i < c->nslots; i++) {
		uint32_t s = c->slots[i];
		if (!s)
			continue;
		size_t j = entry_at(c, s)->hash & (nslots - 1);
		while (slots[j])
			j = (j + 1) & (nslots - 1);
		slots[j] = s;
	}
	free(c->slots);
	c->slots = slots;
	c->nslots = nslots;
	return true;
}

/* Makes room for need more arena bytes. false: over budget or out of
 * memory. */
static bool grow_arena(struct indicator_counts *c, size_t need)
{
	if (c->used + need <= c->cap)
		return true;
	size_t cap = c->cap ? 2 * c->cap : ARENA_MIN_BYTES;
	while (cap < c->used + need)
		cap *= 2;
	size_t room = c->max_bytes - c->nslots * sizeof(uint32_t);
	if (cap > room)
		cap = room;
	/* offsets are kept as uint32_t in units of 8 bytes */
	if (cap < c->used + need || cap / 8 >= UINT32_MAX)
		return false;
	uint8_t *a = realloc(c->arena, cap);
	if (!a)
		return false;
	c->arena = a;
	c->cap = cap;
	return true;
}

/* The entry of (kind, value), whose hash is h; NULL, with *slot the
 * empty slot where it would go, when there is none. */
static struct entry *find(const struct indicator_counts *c, const char *kind,
			  size_t kind_len, const char *value, size_t value_len,
			  uint64_t h, size_t *slot)
{
	size_t j = h & (c->nslots - 1);
	for (; c->slots[j]; j = (j + 1) & (c->nslots - 1)) {
		struct entry *e = entry_at(c, c->slots[j]);
		if (e->hash == h && e->kind_len == kind_len &&
		    e->value_len == value_len &&
		    memcmp(e->key, kind, kind_len) == 0 &&
		    memcmp(e->key + kind_len + 1, value, value_len) == 0)
			return e;
	}
	*slot = j;
	return NULL;
}

static uint64_t key_hash(const char *kind, size_t kind_len, const char *value,
			 size_t value_len)
{
	return hash_bytes(hash_bytes(0, kind, kind_len), value, value_len);
}

bool indicator_counts_add(struct indicator_counts *c, const char *kind,
			  const char *value, int64_t source_id,
			  int64_t ts_us)
{
	return indicator_counts_add_id(c, kind, value, source_id, ts_us, 0);
}

bool indicator_counts_add_id(struct indicator_counts *c, const char *kind,
			     const char *value, int64_t source_id,
			     int64_t ts_us, int64_t value_id)
{
	if (c->overflowed)
		return false;
	size_t kind_len = strlen(kind), value_len = strlen(value);
	if (kind_len > KEY_LEN_MAX || value_len > KEY_LEN_MAX)
		goto overflow;
	if (2 * (c->n + 1) > c->nslots && !grow_slots(c))
		goto overflow;
	uint64_t h = key_hash(kind, kind_len, value, value_len);
	size_t j;
	struct entry *e = find(c, kind, kind_len, value, value_len, h, &j);
	if (e) {
		e->count++;
		if (e->last_source != source_id) {
			e->sources++;
			e->last_source = source_id;
		}
		if (ts_us < e->first_us)
			e->first_us = ts_us;
		if (ts_us > e->last_us)
			e->last_us = ts_us;
		if (!e->value_id)
			e->value_id = value_id;
		return true;
	}
	size_t size = entry_size(kind_len, value_len);
	if (!grow_arena(c, size))
		goto overflow;
	e = (struct entry *)(c->arena + c->used);
	e->hash = h;
	e->count = e->sources = 1;
	e->first_us = e->last_us = ts_us;
	e->last_source = source_id;
	e->value_id = value_id;
	e->kind_len = (uint16_t)kind_len;
	e->value_len = (uint16_t)value_len;
	memcpy(e->key, kind, kind_len + 1);
	memcpy(e->key + kind_len + 1, value, value_len + 1);
	c->slots[j] = (uint32_t)(c->used / 8 + 1);
	c->used += size;
	c->n++;
	return true;
overflow:
	indicator_counts_drop(c);
	return false;
}

int64_t indicator_counts_id(const struct indicator_counts *c,
			    const char *kind, const char *value)
{
	if (c->overflowed || c->n == 0)
		return 0;
	size_t kind_len = strlen(kind), value_len = strlen(value), j;
	if (kind_len > KEY_LEN_MAX || value_len > KEY_LEN_MAX)
		return 0;
	const struct entry *e =
		find(c, kind, kind_len, value, value_len,
		     key_hash(kind, kind_len, value, value_len), &j);
	return e ? e->value_id : 0;
}

/* Bytewise, shorter first on a common prefix: SQLite's BINARY order. */
static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn)
{
	int r = memcmp(a, b, an < bn ? an : bn);
	if (r)
		return r;
	return an < bn ? -1 : an > bn;
}

static int cmp_entries(const void *pa, const void *pb)
{
	const struct entry *a = *(const struct entry *const *)pa;
	const struct entry *b = *(const struct entry *const *)pb;
	int r = cmp_bytes(a->key, a->kind_len, b->key, b->kind_len);
	if (r)
		return r;
	return cmp_bytes(a->key + a->kind_len + 1, a->value_len,
			 b->key + b->kind_len + 1, b->value_len);
}

int indicator_counts_each(struct indicator_counts *c, indicator_count_fn fn,
			  void *ctx)
{
	if (c->n == 0)
		return 0;
	struct entry **order = malloc(c->n * sizeof *order);
	if (!order)
		return -1;
	size_t k = 0;
	for (size_t off = 0; off < c->used; k++) {
		order[k] = (struct entry *)(c->arena + off);
		off += entry_size(order[k]->kind_len, order[k]->value_len);
	}
	qsort(order, k, sizeof *order, cmp_entries);
	int rc = 0;
	for (size_t i = 0; i < k && rc == 0; i++) {
		const struct entry *e = order[i];
		struct indicator_count ic = {
			.kind = e->key, .kind_len = e->kind_len,
			.value = e->key + e->kind_len + 1,
			.value_len = e->value_len, .count = e->count,
			.sources = e->sources, .first_us = e->first_us,
			.last_us = e->last_us,
		};
		rc = fn(ctx, &ic);
	}
	free(order);
	return rc;
}
