/*
 * test_bytes.h — test inputs in exact-size heap buffers, so that
 * AddressSanitizer sees any read past the end. Include after cmocka.h.
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

#endif
