/*
 * cursor.h — bounds-checked reads over untrusted bytes.
 *
 * Every read of packet or file bytes goes through a cursor. A read either
 * succeeds completely and advances, or fails, returns false and leaves the
 * cursor where it was. The length test is written as `n <= len - off`,
 * which cannot overflow because the cursor keeps off <= len at all times.
 * Pure: no I/O, no allocation.
 */
#ifndef ATTRIB_CURSOR_H
#define ATTRIB_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *base; /* first byte; may be NULL only when len == 0 */
	size_t len;          /* bytes available from base */
	size_t off;          /* next byte to read; invariant off <= len */
};

/* Starts a cursor over len bytes at p. The bytes stay owned by the caller. */
static inline void cursor_init(struct cursor *c, const uint8_t *p, size_t len)
{
	c->base = p;
	c->len = p ? len : 0;
	c->off = 0;
}

/* Bytes left to read. */
static inline size_t cursor_left(const struct cursor *c)
{
	return c->len - c->off;
}

/* True when at least n more bytes can be read. */
static inline bool cursor_has(const struct cursor *c, size_t n)
{
	return n <= c->len - c->off;
}

/* Pointer to the next byte (valid for cursor_left() bytes). */
static inline const uint8_t *cursor_ptr(const struct cursor *c)
{
	return c->base ? c->base + c->off : NULL;
}

static inline bool cursor_skip(struct cursor *c, size_t n)
{
	if (!cursor_has(c, n))
		return false;
	c->off += n;
	return true;
}

/* Moves to absolute offset pos (0..len). */
static inline bool cursor_seek(struct cursor *c, size_t pos)
{
	if (pos > c->len)
		return false;
	c->off = pos;
	return true;
}

static inline bool cursor_u8(struct cursor *c, uint8_t *v)
{
	if (!cursor_has(c, 1))
		return false;
	*v = c->base[c->off];
	c->off += 1;
	return true;
}

static inline bool cursor_be16(struct cursor *c, uint16_t *v)
{
	if (!cursor_has(c, 2))
		return false;
	const uint8_t *p = c->base + c->off;
	*v = (uint16_t)((unsigned)p[0] << 8 | p[1]);
	c->off += 2;
	return true;
}

static inline bool cursor_be24(struct cursor *c, uint32_t *v)
{
	if (!cursor_has(c, 3))
		return false;
	const uint8_t *p = c->base + c->off;
	*v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	c->off += 3;
	return true;
}

static inline bool cursor_be32(struct cursor *c, uint32_t *v)
{
	if (!cursor_has(c, 4))
		return false;
	const uint8_t *p = c->base + c->off;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	     (uint32_t)p[2] << 8 | p[3];
	c->off += 4;
	return true;
}

static inline bool cursor_le16(struct cursor *c, uint16_t *v)
{
	if (!cursor_has(c, 2))
		return false;
	const uint8_t *p = c->base + c->off;
	*v = (uint16_t)((unsigned)p[1] << 8 | p[0]);
	c->off += 2;
	return true;
}

static inline bool cursor_le32(struct cursor *c, uint32_t *v)
{
	if (!cursor_has(c, 4))
		return false;
	const uint8_t *p = c->base + c->off;
	*v = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	     (uint32_t)p[1] << 8 | p[0];
	c->off += 4;
	return true;
}

/* Copies n bytes out. */
static inline bool cursor_copy(struct cursor *c, void *dst, size_t n)
{
	if (!cursor_has(c, n))
		return false;
	for (size_t i = 0; i < n; i++)
		((uint8_t *)dst)[i] = c->base[c->off + i];
	c->off += n;
	return true;
}

/* Points *p at the next n bytes (borrowed from the cursor's buffer). */
static inline bool cursor_bytes(struct cursor *c, size_t n, const uint8_t **p)
{
	if (!cursor_has(c, n))
		return false;
	*p = c->base + c->off;
	c->off += n;
	return true;
}

/* Splits off the next n bytes as a sub-cursor and advances past them. */
static inline bool cursor_sub(struct cursor *c, size_t n, struct cursor *sub)
{
	if (!cursor_has(c, n))
		return false;
	cursor_init(sub, c->base + c->off, n);
	c->off += n;
	return true;
}

/* Reads the byte at absolute position pos without moving. */
static inline bool cursor_peek_u8(const struct cursor *c, size_t pos, uint8_t *v)
{
	if (pos >= c->len)
		return false;
	*v = c->base[pos];
	return true;
}

/* The 32-bit value in the 4 bytes at p (a fixed-size field a caller has
 * already read whole), in the byte order big or little. */
static inline uint32_t cursor_load32(const uint8_t p[4], bool big)
{
	struct cursor c;
	uint32_t v = 0;
	cursor_init(&c, p, 4);
	if (big)
		cursor_be32(&c, &v);
	else
		cursor_le32(&c, &v);
	return v;
}

#endif
