/*
 * stream.c — bounded in-order TCP stream reassembly for the extractors
 * (see extract_internal.h).
 *
 * Deliberately simple: per direction, bytes are appended in sequence
 * order; retransmitted bytes are ignored, a segment that overlaps the end
 * contributes only its new tail, and a segment that starts beyond the next
 * expected byte (a gap: loss, reordering, or a cut capture) is reported so
 * the family can stop or resynchronise. No out-of-order queue.
 *
 * Memory: each buffer starts at STREAM_MIN_CAP, doubles up to the
 * stream's max, and every byte allocated counts against the stage's
 * stream_budget_bytes; a stream that would pass the budget is stopped
 * (stats.streams_over_budget) rather than grown.
 */
#include "analyze/extract/extract_internal.h"

#include <stdlib.h>
#include <string.h>

#define STREAM_MIN_CAP 2048u

void stream_init(struct stream *st, uint32_t max)
{
	memset(st, 0, sizeof(*st));
	st->max = max;
}

static void budget_release(struct extract *x, struct stream *st)
{
	x->stats.stream_bytes -= st->cap;
	free(st->buf);
	st->buf = NULL;
	st->cap = 0;
	st->len = 0;
}

/* Makes room for need buffered bytes; false when over the budget. */
static bool stream_reserve(struct extract *x, struct stream *st,
			   uint32_t need)
{
	uint32_t cap = st->cap;
	uint8_t *nb;

	if (cap == 0)
		cap = st->max < STREAM_MIN_CAP ? st->max : STREAM_MIN_CAP;

	if (need <= st->cap)
		return true;
	while (cap < need)
		cap = cap > st->max / 2 ? st->max : cap * 2;
	if (x->stats.stream_bytes - st->cap + cap > x->cfg.stream_budget_bytes)
		return false;
	nb = realloc(st->buf, cap);
	if (!nb)
		return false;
	x->stats.stream_bytes += cap - st->cap;
	if (x->stats.stream_bytes > x->stats.stream_bytes_peak)
		x->stats.stream_bytes_peak = x->stats.stream_bytes;
	st->buf = nb;
	st->cap = cap;
	return true;
}

enum stream_result stream_feed(struct extract *x, struct stream *st,
			       const struct packet *pkt)
{
	struct cursor payload;
	uint32_t seq = pkt->tcp_seq, n;
	int32_t ahead;

	if (st->state == STREAM_STOPPED)
		return STREAM_NOTHING;
	if (pkt->tcp_flags & TCP_FLAG_SYN) {
		seq++; /* the SYN takes one sequence number */
		if (st->state == STREAM_NEW) {
			st->next_seq = seq;
			st->state = STREAM_OPEN;
		}
	}
	if (!ex_payload(pkt, &payload))
		return STREAM_NOTHING;
	n = (uint32_t)cursor_left(&payload);
	if (st->state == STREAM_NEW) {
		st->next_seq = seq;
		st->state = STREAM_OPEN;
	}
	ahead = (int32_t)(seq - st->next_seq);
	if (ahead > 0)
		return STREAM_GAP;
	if ((uint32_t)-ahead >= n)
		return STREAM_NOTHING; /* all retransmitted */
	cursor_skip(&payload, (uint32_t)-ahead);
	n -= (uint32_t)-ahead;
	st->next_seq += n;
	return stream_append(x, st, cursor_ptr(&payload), n);
}

enum stream_result stream_append(struct extract *x, struct stream *st,
				 const uint8_t *p, size_t n)
{
	uint32_t take;

	if (st->state == STREAM_STOPPED)
		return STREAM_NOTHING;
	st->state = STREAM_OPEN;
	if (st->skip > 0) {
		take = st->skip < n ? (uint32_t)st->skip : (uint32_t)n;
		st->skip -= take;
		p += take;
		n -= take;
		if (n == 0)
			return STREAM_DATA;
	}
	take = st->max - st->len < n ? st->max - st->len : (uint32_t)n;
	if (take < n)
		st->full = true;
	if (take == 0)
		return STREAM_NOTHING;
	if (!stream_reserve(x, st, st->len + take)) {
		x->stats.streams_over_budget++;
		stream_free(x, st);
		return STREAM_REFUSED;
	}
	memcpy(st->buf + st->len, p, take);
	st->len += take;
	return STREAM_DATA;
}

void stream_consume(struct stream *st, size_t n)
{
	if (n >= st->len) {
		st->len = 0;
		return;
	}
	memmove(st->buf, st->buf + n, st->len - n);
	st->len -= (uint32_t)n;
}

void stream_reset(struct extract *x, struct stream *st)
{
	uint32_t max = st->max;

	budget_release(x, st);
	stream_init(st, max);
}

void stream_free(struct extract *x, struct stream *st)
{
	budget_release(x, st);
	st->state = STREAM_STOPPED;
	st->skip = 0;
}
