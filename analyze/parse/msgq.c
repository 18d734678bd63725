/*
 * msgq.c — numbered messages handed on in order (see msgq.h).
 */
#include "analyze/parse/msgq.h"

#include <stdlib.h>
#include <string.h>

void msgq_init(struct msgq *q, unsigned bits)
{
	memset(q, 0, sizeof(*q));
	q->mask = bits >= 32 ? 0xffffffffu : (1u << bits) - 1u;
}

void msgq_start(struct msgq *q, uint32_t next)
{
	if (q->started)
		return;
	q->started = true;
	q->next = next & q->mask;
}

/* Distance of seq ahead of next, modulo the number space. */
static uint32_t ahead(const struct msgq *q, uint32_t seq)
{
	return (seq - q->next) & q->mask;
}

static bool held_already(const struct msgq *q, uint32_t seq)
{
	for (uint32_t i = 0; i < q->n_held; i++)
		if (q->held[i].seq == seq)
			return true;
	return false;
}

static void hand_on(struct msgq *q, const uint8_t *p, size_t n,
		    msgq_sink sink, void *ctx)
{
	sink(ctx, p, n);
	q->next = (q->next + 1u) & q->mask;
	q->handed_on++;
}

/* Hands on every held message that is next, in turn. */
static void drain(struct msgq *q, msgq_sink sink, void *ctx)
{
	bool found = true;

	while (found) {
		found = false;
		for (uint32_t i = 0; i < q->n_held; i++) {
			struct msgq_held h = q->held[i];

			if (h.seq != q->next)
				continue;
			q->held[i] = q->held[--q->n_held];
			q->held_bytes -= h.len;
			hand_on(q, h.data, h.len, sink, ctx);
			free(h.data);
			found = true;
			break;
		}
	}
}

enum msgq_result msgq_add(struct msgq *q, uint32_t seq, const uint8_t *p,
			  size_t n, size_t room, msgq_sink sink, void *ctx)
{
	struct msgq_held *h;
	uint32_t d;

	seq &= q->mask;
	if (!q->started)
		msgq_start(q, seq);
	d = ahead(q, seq);
	if (d == 0) {
		hand_on(q, p, n, sink, ctx);
		drain(q, sink, ctx);
		return MSGQ_HANDED_ON;
	}
	if (d > q->mask / 2 || held_already(q, seq))
		return MSGQ_REPEAT;
	if (d >= MSGQ_WINDOW)
		return MSGQ_TOO_FAR;
	if (q->n_held >= MSGQ_HELD)
		return MSGQ_FULL;
	if (n > MSGQ_MSG_MAX)
		return MSGQ_TOO_LONG;
	if (q->held_bytes + n > room)
		return MSGQ_NO_ROOM;
	h = &q->held[q->n_held];
	h->data = malloc(n ? n : 1);
	if (!h->data)
		return MSGQ_NO_ROOM;
	if (n)
		memcpy(h->data, p, n);
	h->seq = seq;
	h->len = (uint32_t)n;
	q->n_held++;
	q->held_bytes += n;
	return MSGQ_KEPT;
}

void msgq_free(struct msgq *q)
{
	for (uint32_t i = 0; i < q->n_held; i++)
		free(q->held[i].data);
	q->n_held = 0;
	q->held_bytes = 0;
}
