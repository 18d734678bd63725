/*
 * test_bytes.h — test inputs in exact-size heap buffers, so that
 * AddressSanitizer sees any read past the end, and a builder for
 * hostile messages. Include after cmocka.h.
 */
#ifndef ATTRIB_TEST_BYTES_H
#define ATTRIB_TEST_BYTES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes hex into an exact-size heap buffer (never NULL; caller frees). */
static inline uint8_t *from_hex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		p[i] = (uint8_t)v;
	}
	*len = n;
	return p;
}

/* Copies len bytes into an exact-size heap buffer (caller frees). */
static inline uint8_t *dup_bytes(const void *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	if (len)
		memcpy(p, src, len);
	return p;
}

/* A growing byte buffer for building hostile messages: put, put8,
 * put16 and put24 (big-endian) append, failing the test on overflow. */
struct wbuf {
	uint8_t b[8192];
	size_t n;
};

static inline void put(struct wbuf *w, const void *p, size_t n)
{
	assert_true(w->n + n <= sizeof(w->b));
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static inline void put8(struct wbuf *w, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(w, &b, 1);
}

static inline void put16(struct wbuf *w, unsigned v)
{
	put8(w, v >> 8);
	put8(w, v);
}

static inline void put24(struct wbuf *w, size_t v)
{
	put8(w, (unsigned)(v >> 16));
	put16(w, (unsigned)v);
}

#endif
