/*
 * buf.h — a fixed-capacity byte builder for the generator's protocol
 * messages (TLS, DNS, HTTP, X.509): big-endian integers, byte strings,
 * and nested length-prefixed blocks whose length is patched when the
 * block closes. Writing past the capacity or nesting too deep sets
 * `overflow` and writes nothing more, so builders check once at the end.
 */
#ifndef ATTRIB_GEN_BUF_H
#define ATTRIB_GEN_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUF_CAPACITY 4096 /* bytes: more than any generated message */
#define BUF_MAX_DEPTH 12  /* open length-prefixed blocks */

struct buf {
	uint8_t data[BUF_CAPACITY];
	size_t len;
	bool overflow;
	size_t open_at[BUF_MAX_DEPTH]; /* offsets of open length fields */
	uint8_t open_width[BUF_MAX_DEPTH];
	int depth;
};

/* Empties b. */
void buf_init(struct buf *b);

/* Append v big-endian (8, 16, 24 or 32 bits), n bytes at p, or the
 * characters of s without its NUL. */
void buf_u8(struct buf *b, uint8_t v);
void buf_u16(struct buf *b, uint16_t v);
void buf_u24(struct buf *b, uint32_t v);
void buf_u32(struct buf *b, uint32_t v);
void buf_bytes(struct buf *b, const void *p, size_t n);
void buf_text(struct buf *b, const char *s);

/* Opens a block preceded by a big-endian length of width bytes (1, 2 or
 * 3); buf_close() writes the length of what was added since. */
void buf_open(struct buf *b, int width);
void buf_close(struct buf *b);

/* Opens a DER element with the given tag; buf_der_close() writes its
 * definite length (short or long form) and moves the content after it. */
void buf_der_open(struct buf *b, uint8_t tag);
void buf_der_close(struct buf *b);

/* True when b is complete: no overflow and no block left open. */
bool buf_ok(const struct buf *b);

#endif
