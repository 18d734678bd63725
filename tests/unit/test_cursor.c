/*
 * test_cursor.c — table-driven tests of the bounds-checked cursor
 * (capture/cursor.h).
 *
 * Every buffer is an exact-size heap copy so AddressSanitizer reports any
 * read past the end. Each read is tried at every start offset of a short
 * buffer: it must succeed and advance exactly when enough bytes remain,
 * and otherwise fail and leave the cursor where it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "capture/cursor.h"

static const uint8_t sample[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };

/* An exact-size heap copy of the sample (NULL for length 0). */
static uint8_t *sample_copy(size_t n)
{
	uint8_t *copy;

	if (n == 0)
		return NULL;
	copy = malloc(n);
	assert_non_null(copy);
	memcpy(copy, sample, n);
	return copy;
}

/* One fixed-width read: how many bytes it takes and what it returns. */
struct read_case {
	const char *name;
	size_t width;
	bool (*read)(struct cursor *c, uint64_t *value);
	uint64_t (*expect)(const uint8_t *p); /* value of the bytes at p */
};

static bool read_u8(struct cursor *c, uint64_t *value)
{
	uint8_t v = 0;
	bool ok = cursor_u8(c, &v);
	*value = v;
	return ok;
}

static bool read_be16(struct cursor *c, uint64_t *value)
{
	uint16_t v = 0;
	bool ok = cursor_be16(c, &v);
	*value = v;
	return ok;
}

static bool read_be24(struct cursor *c, uint64_t *value)
{
	uint32_t v = 0;
	bool ok = cursor_be24(c, &v);
	*value = v;
	return ok;
}

static bool read_be32(struct cursor *c, uint64_t *value)
{
	uint32_t v = 0;
	bool ok = cursor_be32(c, &v);
	*value = v;
	return ok;
}

static bool read_le16(struct cursor *c, uint64_t *value)
{
	uint16_t v = 0;
	bool ok = cursor_le16(c, &v);
	*value = v;
	return ok;
}

static bool read_le32(struct cursor *c, uint64_t *value)
{
	uint32_t v = 0;
	bool ok = cursor_le32(c, &v);
	*value = v;
	return ok;
}

static bool read_copy3(struct cursor *c, uint64_t *value)
{
	uint8_t v[3] = { 0 };
	bool ok = cursor_copy(c, v, sizeof v);
	*value = (uint64_t)v[0] << 16 | (uint64_t)v[1] << 8 | v[2];
	return ok;
}

static bool read_bytes2(struct cursor *c, uint64_t *value)
{
	const uint8_t *p = NULL;
	bool ok = cursor_bytes(c, 2, &p);
	*value = ok ? (uint64_t)p[0] << 8 | p[1] : 0;
	return ok;
}

static bool read_skip5(struct cursor *c, uint64_t *value)
{
	*value = 0;
	return cursor_skip(c, 5);
}

static uint64_t value_u8(const uint8_t *p) { return p[0]; }
static uint64_t value_be16(const uint8_t *p) { return (uint64_t)p[0] << 8 | p[1]; }
static uint64_t value_be24(const uint8_t *p)
{
	return (uint64_t)p[0] << 16 | (uint64_t)p[1] << 8 | p[2];
}
static uint64_t value_be32(const uint8_t *p)
{
	return (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
}
static uint64_t value_le16(const uint8_t *p) { return (uint64_t)p[1] << 8 | p[0]; }
static uint64_t value_le32(const uint8_t *p)
{
	return (uint64_t)p[3] << 24 | (uint64_t)p[2] << 16 | (uint64_t)p[1] << 8 | p[0];
}
static uint64_t value_none(const uint8_t *p) { return 0; }

static const struct read_case read_cases[] = {
	{ "u8", 1, read_u8, value_u8 },
	{ "be16", 2, read_be16, value_be16 },
	{ "be24", 3, read_be24, value_be24 },
	{ "be32", 4, read_be32, value_be32 },
	{ "le16", 2, read_le16, value_le16 },
	{ "le32", 4, read_le32, value_le32 },
	{ "copy 3", 3, read_copy3, value_be24 },
	{ "bytes 2", 2, read_bytes2, value_be16 },
	{ "skip 5", 5, read_skip5, value_none },
};

/* Every read, at every offset of every buffer length up to the sample. */
static void test_reads_at_every_offset(void **state)
{
	for (size_t r = 0; r < sizeof read_cases / sizeof read_cases[0]; r++) {
		const struct read_case *rc = &read_cases[r];

		for (size_t len = 0; len <= sizeof sample; len++) {
			uint8_t *buf = sample_copy(len);

			for (size_t off = 0; off <= len; off++) {
				struct cursor c;
				uint64_t value = 0;
				bool fits = rc->width <= len - off;

				cursor_init(&c, buf, len);
				assert_true(cursor_seek(&c, off));
				bool ok = rc->read(&c, &value);
				if (ok != fits)
					fail_msg("%s at %zu of %zu: got %d", rc->name,
						 off, len, ok);
				assert_int_equal(c.off, fits ? off + rc->width : off);
				if (fits)
					assert_int_equal(value, rc->expect(sample + off));
			}
			free(buf);
		}
	}
}

static void test_init_with_null_has_no_bytes(void **state)
{
	struct cursor c;
	uint8_t v;

	cursor_init(&c, NULL, 100);
	assert_int_equal(c.len, 0);
	assert_int_equal(cursor_left(&c), 0);
	assert_false(cursor_has(&c, 1));
	assert_true(cursor_has(&c, 0));
	assert_false(cursor_u8(&c, &v));
	assert_null(cursor_ptr(&c));
	assert_false(cursor_peek_u8(&c, 0, &v));
}

/* Huge lengths must fail, not wrap around in the bounds test. */
static void test_huge_lengths_fail(void **state)
{
	static const size_t huge[] = { SIZE_MAX, SIZE_MAX - 1, SIZE_MAX / 2 + 1,
				       (size_t)1 << 32 };
	uint8_t *buf = sample_copy(sizeof sample);
	uint8_t out[4];
	const uint8_t *p;
	struct cursor c, sub;

	for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
		cursor_init(&c, buf, sizeof sample);
		assert_true(cursor_skip(&c, 3));
		assert_false(cursor_has(&c, huge[i]));
		assert_false(cursor_skip(&c, huge[i]));
		assert_false(cursor_bytes(&c, huge[i], &p));
		assert_false(cursor_sub(&c, huge[i], &sub));
		assert_false(cursor_copy(&c, out, huge[i]));
		assert_false(cursor_seek(&c, huge[i]));
		assert_false(cursor_peek_u8(&c, huge[i], out));
		assert_int_equal(c.off, 3);
	}
	free(buf);
}

static void test_seek_and_peek(void **state)
{
	uint8_t *buf = sample_copy(sizeof sample);
	struct cursor c;
	uint8_t v;

	cursor_init(&c, buf, sizeof sample);
	assert_true(cursor_seek(&c, sizeof sample));
	assert_int_equal(cursor_left(&c), 0);
	assert_false(cursor_seek(&c, sizeof sample + 1));
	assert_int_equal(c.off, sizeof sample);
	assert_true(cursor_seek(&c, 2));
	assert_true(cursor_peek_u8(&c, 0, &v)); /* absolute position */
	assert_int_equal(v, 0x01);
	assert_true(cursor_peek_u8(&c, sizeof sample - 1, &v));
	assert_int_equal(v, 0x07);
	assert_false(cursor_peek_u8(&c, sizeof sample, &v));
	assert_int_equal(c.off, 2);
	assert_ptr_equal(cursor_ptr(&c), buf + 2);
	free(buf);
}

static void test_sub_cursor_is_bounded(void **state)
{
	uint8_t *buf = sample_copy(sizeof sample);
	struct cursor c, sub;
	uint32_t v32;
	uint16_t v16;

	cursor_init(&c, buf, sizeof sample);
	assert_true(cursor_skip(&c, 1));
	assert_true(cursor_sub(&c, 3, &sub));
	assert_int_equal(c.off, 4);
	assert_int_equal(sub.off, 0);
	assert_int_equal(sub.len, 3);
	assert_false(cursor_be32(&sub, &v32)); /* bytes exist, but not in sub */
	assert_true(cursor_be16(&sub, &v16));
	assert_int_equal(v16, 0x0203);
	assert_false(cursor_sub(&c, 4, &sub));
	assert_int_equal(c.off, 4);
	assert_true(cursor_sub(&c, 3, &sub));
	assert_int_equal(cursor_left(&c), 0);
	assert_true(cursor_sub(&c, 0, &sub));
	assert_int_equal(sub.len, 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_at_every_offset),
		cmocka_unit_test(test_init_with_null_has_no_bytes),
		cmocka_unit_test(test_huge_lengths_fail),
		cmocka_unit_test(test_seek_and_peek),
		cmocka_unit_test(test_sub_cursor_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
