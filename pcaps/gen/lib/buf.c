/*
 * buf.c — the fixed-capacity byte builder (buf.h).
 */
#include "pcaps/gen/lib/buf.h"

#include <string.h>

#define DER_MARK 0 /* open_width of a DER block: length form decided late */

void buf_init(struct buf *b)
{
	b->len = 0;
	b->overflow = false;
	b->depth = 0;
}

static bool room(struct buf *b, size_t n)
{
	if (b->overflow || b->len + n > BUF_CAPACITY) {
		b->overflow = true;
		return false;
	}
	return true;
}

void buf_u8(struct buf *b, uint8_t v)
{
	if (room(b, 1))
		b->data[b->len++] = v;
}

void buf_u16(struct buf *b, uint16_t v)
{
	buf_u8(b, (uint8_t)(v >> 8));
	buf_u8(b, (uint8_t)v);
}

void buf_u24(struct buf *b, uint32_t v)
{
	buf_u8(b, (uint8_t)(v >> 16));
	buf_u16(b, (uint16_t)v);
}

void buf_u32(struct buf *b, uint32_t v)
{
	buf_u16(b, (uint16_t)(v >> 16));
	buf_u16(b, (uint16_t)v);
}

void buf_bytes(struct buf *b, const void *p, size_t n)
{
	if (n > 0 && room(b, n)) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
	}
}

void buf_text(struct buf *b, const char *s)
{
	buf_bytes(b, s, strlen(s));
}

static void push(struct buf *b, uint8_t width)
{
	if (b->depth >= BUF_MAX_DEPTH) {
		b->overflow = true;
		return;
	}
	b->open_at[b->depth] = b->len;
	b->open_width[b->depth] = width;
	b->depth++;
}

void buf_open(struct buf *b, int width)
{
	push(b, (uint8_t)width);
	for (int i = 0; i < width; i++)
		buf_u8(b, 0);
}

void buf_close(struct buf *b)
{
	size_t at, width, n;

	if (b->overflow || b->depth == 0 ||
	    b->open_width[b->depth - 1] == DER_MARK) {
		b->overflow = true;
		return;
	}
	b->depth--;
	at = b->open_at[b->depth];
	width = b->open_width[b->depth];
	n = b->len - at - width;
	if (width < 3 && n >> (8 * width)) {
		b->overflow = true;
		return;
	}
	for (size_t i = 0; i < width; i++)
		b->data[at + i] = (uint8_t)(n >> (8 * (width - 1 - i)));
}

void buf_der_open(struct buf *b, uint8_t tag)
{
	buf_u8(b, tag);
	push(b, DER_MARK);
}

void buf_der_close(struct buf *b)
{
	size_t at, n, extra;
	uint8_t head[3];

	if (b->overflow || b->depth == 0 ||
	    b->open_width[b->depth - 1] != DER_MARK) {
		b->overflow = true;
		return;
	}
	b->depth--;
	at = b->open_at[b->depth];
	n = b->len - at;
	if (n < 0x80) {
		head[0] = (uint8_t)n;
		extra = 1;
	} else if (n < 0x100) {
		head[0] = 0x81;
		head[1] = (uint8_t)n;
		extra = 2;
	} else {
		head[0] = 0x82;
		head[1] = (uint8_t)(n >> 8);
		head[2] = (uint8_t)n;
		extra = 3;
	}
	if (!room(b, extra))
		return;
	memmove(b->data + at + extra, b->data + at, n);
	memcpy(b->data + at, head, extra);
	b->len += extra;
}

bool buf_ok(const struct buf *b)
{
	return !b->overflow && b->depth == 0;
}
