/*
 * stream.c — bounded in-order TCP stream reassembly for the extractors
 * (see extract_internal.h).
 *
 * Deliberately simple: per direction, bytes are appended in sequence
 * order; retransmitted bytes are ignored, a segment that overlaps the end
 * contributes only its new tail, and a segment that starts beyond the next
 * expected byte (a gap: loss, reordering, or a cut capture) is reported so
 * the family can stop or resynchronise. A stream with hold_reordered set
 * (TLS) keeps such a segment instead: a copy, one of at most
 * STREAM_HELD_MAX, starting within the bytes the buffer may still take;
 * once the missing bytes arrive, the held segments that follow are
 * appended too, trimmed where they overlap. Only when a segment cannot be
 * held is the gap reported.
 *
 * Memory: each buffer starts at STREAM_MIN_CAP, doubles up to the
 * stream's max, and every byte allocated (held copies too) counts against
 * the stage's stream_budget_bytes; a stream that would pass the budget is
 * stopped (stats.streams_over_budget) rather than grown.
 */
#include "analyze/extract/extract_internal.h"

#include <stdlib.h>
#include <string.h>

#define STREAM_MIN_CAP 2048u

/* A copy of a segment that arrived past a gap. */
struct held_segment {
	uint32_t seq, len;
	uint8_t *data;
};

struct stream_held {
	uint32_t n;
	struct held_segment seg[STREAM_HELD_MAX];
};

void stream_init(struct stream *st, uint32_t max)
{
	memset(st, 0, sizeof(*st));
	st->max = max;
}

/* Gives the held copies (and their list) back to the budget. */
static void held_release(struct extract *x, struct stream *st)
{
	struct stream_held *h = st->held;

	if (!h)
		return;
	for (uint32_t i = 0; i < h->n; i++) {
		x->stats.stream_bytes -= h->seg[i].len;
		free(h->seg[i].data);
	}
	x->stats.stream_bytes -= sizeof(*h);
	free(h);
	st->held = NULL;
}

static void budget_release(struct extract *x, struct stream *st)
{
	held_release(x, st);
	x->stats.stream_bytes -= st->cap;
	free(st->buf);
	st->buf = NULL;
	st->cap = 0;
	st->len = 0;
}

/* Counts n more bytes against the budget; false when they do not fit. */
static bool budget_take(struct extract *x, uint64_t n)
{
	if (x->stats.stream_bytes + n > x->cfg.stream_budget_bytes)
		return false;
	x->stats.stream_bytes += n;
	if (x->stats.stream_bytes > x->stats.stream_bytes_peak)
		x->stats.stream_bytes_peak = x->stats.stream_bytes;
	return true;
}

/*
 * Keeps a copy of the n bytes at p, stream sequence number seq, past the
 * next expected byte; false when it cannot be held (not wanted, too far,
 * too many, over the budget).
 */
static bool hold_segment(struct extract *x, struct stream *st, uint32_t seq,
			 const uint8_t *p, uint32_t n)
{
	uint32_t ahead = seq - st->next_seq, room;
	struct stream_held *h = st->held;
	uint8_t *copy;

	if (!st->hold_reordered || st->len >= st->max)
		return false;
	room = st->max - st->len;
	if (ahead >= room)
		return false;
	if (n > room - ahead)
		n = room - ahead; /* the rest could never be buffered */
	for (uint32_t i = 0; h && i < h->n; i++)
		if (h->seg[i].seq == seq && h->seg[i].len >= n)
			return true; /* a repeat of one held already */
	if (h && h->n == STREAM_HELD_MAX)
		return false;
	if (!h) {
		if (!budget_take(x, sizeof(*h)))
			return false;
		h = calloc(1, sizeof(*h));
		if (!h) {
			x->stats.stream_bytes -= sizeof(*h);
			return false;
		}
		st->held = h;
	}
	if (!budget_take(x, n))
		return false;
	copy = malloc(n);
	if (!copy) {
		x->stats.stream_bytes -= n;
		return false;
	}
	memcpy(copy, p, n);
	h->seg[h->n++] = (struct held_segment){ seq, n, copy };
	return true;
}

/*
 * Appends the held segments that now follow the stream's last byte, in
 * turn, and drops those it holds already. STREAM_DATA, or STREAM_REFUSED
 * (the stream was stopped and its held copies released).
 */
static enum stream_result append_held(struct extract *x, struct stream *st)
{
	struct stream_held *h;
	bool moved = true;

	while (moved && (h = st->held) != NULL && st->state != STREAM_STOPPED) {
		moved = false;
		for (uint32_t i = 0; i < h->n; i++) {
			struct held_segment seg = h->seg[i];
			int32_t ahead = (int32_t)(seg.seq - st->next_seq);
			uint32_t behind = (uint32_t)-ahead;
			enum stream_result r = STREAM_DATA;

			if (ahead > 0)
				continue;
			h->seg[i] = h->seg[--h->n];
			x->stats.stream_bytes -= seg.len;
			if (behind < seg.len) {
				st->next_seq += seg.len - behind;
				r = stream_append(x, st, seg.data + behind,
						  seg.len - behind);
			}
			free(seg.data);
			if (r == STREAM_REFUSED)
				return r;
			moved = true;
			break;
		}
	}
	if (st->held && st->held->n == 0)
		held_release(x, st);
	return STREAM_DATA;
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
	enum stream_result res;
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
		return hold_segment(x, st, seq, cursor_ptr(&payload), n)
			       ? STREAM_NOTHING
			       : STREAM_GAP;
	if ((uint32_t)-ahead >= n)
		return STREAM_NOTHING; /* all retransmitted */
	cursor_skip(&payload, (uint32_t)-ahead);
	n -= (uint32_t)-ahead;
	st->next_seq += n;
	res = stream_append(x, st, cursor_ptr(&payload), n);
	if (res == STREAM_DATA && st->held)
		res = append_held(x, st);
	return res;
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
	bool hold = st->hold_reordered;

	budget_release(x, st);
	stream_init(st, max);
	st->hold_reordered = hold;
}

void stream_free(struct extract *x, struct stream *st)
{
	budget_release(x, st);
	st->state = STREAM_STOPPED;
	st->skip = 0;
}
