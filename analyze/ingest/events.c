/*
 * events.c — a worker's batch of ordered evidence records (see events.h):
 * a growing array of fixed-size records plus an arena for their strings
 * and flow copies, both doubled when full.
 */
#include "analyze/ingest/events.h"

#include <stdlib.h>
#include <string.h>

enum { EVS_INITIAL = 256, ARENA_INITIAL = 16 * 1024, ARENA_ALIGN = 8 };

struct ev_batch *ev_batch_new(void)
{
	return calloc(1, sizeof(struct ev_batch));
}

void ev_batch_free(struct ev_batch *b)
{
	if (!b)
		return;
	free(b->evs);
	free(b->arena);
	free(b);
}

size_t ev_batch_copy(struct ev_batch *b, const void *data, size_t len)
{
	size_t at = (b->arena_used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (at + len > b->arena_cap) {
		size_t cap = b->arena_cap ? b->arena_cap : ARENA_INITIAL;
		while (cap < at + len)
			cap *= 2;
		uint8_t *a = realloc(b->arena, cap);
		if (!a) {
			b->failed = 1;
			return EV_NONE;
		}
		b->arena = a;
		b->arena_cap = cap;
	}
	if (len)
		memcpy(b->arena + at, data, len);
	b->arena_used = at + len;
	return at;
}

const void *ev_batch_at(const struct ev_batch *b, size_t off)
{
	return off == EV_NONE ? NULL : b->arena + off;
}

static size_t copy_text(struct ev_batch *b, const char *s, int *ok)
{
	if (!s)
		return EV_NONE;
	size_t off = ev_batch_copy(b, s, strlen(s) + 1);
	if (off == EV_NONE)
		*ok = 0;
	return off;
}

int ev_batch_add(struct ev_batch *b, const struct ev *e, const char *value,
		 const char *detail, struct ev **out)
{
	if (b->count == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : EVS_INITIAL;
		struct ev *evs = realloc(b->evs, cap * sizeof *evs);
		if (!evs) {
			b->failed = 1;
			return -1;
		}
		b->evs = evs;
		b->cap = cap;
	}
	int ok = 1;
	size_t v = copy_text(b, value, &ok);
	size_t d = copy_text(b, detail, &ok);
	if (!ok)
		return -1;
	struct ev *slot = &b->evs[b->count];
	*slot = *e;
	slot->seq = (uint32_t)b->count;
	slot->value = v;
	slot->detail = d;
	b->count++;
	if (out)
		*out = slot;
	return 0;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

int ev_order(const struct ev *a, const struct ev *b)
{
	int c = cmp_u64(a->frame, b->frame);
	if (!c)
		c = cmp_u64(a->at_end, b->at_end);
	if (!c)
		c = cmp_u64(a->sub, b->sub);
	if (!c)
		c = cmp_u64(a->seq, b->seq);
	return c;
}

static int qsort_order(const void *a, const void *b)
{
	return ev_order(a, b);
}

void ev_batch_sort(struct ev_batch *b)
{
	if (b->count > 1)
		qsort(b->evs, b->count, sizeof *b->evs, qsort_order);
}
