/*
 * reasm.c — bounded reassembly of a byte stream by offset (see reasm.h).
 */
#include "analyze/parse/reasm.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define REASM_MIN_CAP 4096u

/* Grows the buffer to hold end bytes, within room. */
static bool reserve(struct reasm *r, uint32_t end, size_t room)
{
	uint32_t cap = r->cap ? r->cap : REASM_MIN_CAP;
	uint8_t *nb;

	if (end <= r->cap)
		return true;
	while (cap < end && cap <= UINT32_MAX / 2)
		cap *= 2;
	if (cap > room)
		cap = (uint32_t)room;
	if (cap < end)
		return false;
	nb = realloc(r->buf, cap);
	if (!nb)
		return false;
	r->buf = nb;
	r->cap = cap;
	return true;
}

/*
 * Records that [start, end) is present: merges it into the pieces and
 * moves the contiguous prefix forward. False (nothing changed) when that
 * would leave more than REASM_PIECES pieces.
 */
static bool mark(struct reasm *r, uint32_t start, uint32_t end)
{
	struct reasm_piece out[REASM_PIECES + 1];
	uint32_t n = 0, i = 0;

	for (; i < r->n_pieces && r->pieces[i].end < start; i++)
		out[n++] = r->pieces[i];
	for (; i < r->n_pieces && r->pieces[i].start <= end; i++) {
		if (r->pieces[i].start < start)
			start = r->pieces[i].start;
		if (r->pieces[i].end > end)
			end = r->pieces[i].end;
	}
	out[n].start = start;
	out[n++].end = end;
	for (; i < r->n_pieces; i++)
		out[n++] = r->pieces[i];
	if (n > REASM_PIECES && out[0].start > r->contiguous)
		return false;
	/* The first piece may now join the prefix. */
	i = 0;
	if (out[0].start <= r->contiguous) {
		if (out[0].end > r->contiguous)
			r->contiguous = out[0].end;
		i = 1;
	}
	r->n_pieces = n - i;
	memcpy(r->pieces, out + i, r->n_pieces * sizeof(out[0]));
	return true;
}

enum reasm_result reasm_add(struct reasm *r, uint64_t off, const uint8_t *p,
			    size_t n, size_t max, size_t room)
{
	uint32_t start, end;

	if (max > UINT32_MAX)
		max = UINT32_MAX;
	if (room > max)
		room = max;
	if (off > max || n > max - off)
		return REASM_TOO_FAR;
	start = (uint32_t)off;
	end = (uint32_t)(off + n);
	if (n == 0 || end <= r->contiguous)
		return REASM_OK; /* nothing new */
	if (!reserve(r, end, room))
		return REASM_NO_ROOM;
	/* Bytes already in the prefix stay as first received. */
	if (start < r->contiguous) {
		p += r->contiguous - start;
		start = r->contiguous;
	}
	if (!mark(r, start, end))
		return REASM_SCATTERED;
	memcpy(r->buf + start, p, end - start);
	return REASM_OK;
}

void reasm_free(struct reasm *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}
