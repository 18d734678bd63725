/*
 * test_parse_msgq.c — cmocka tests of analyze/parse/msgq.c: messages
 * handed on in order whatever order they come in, repeats dropped, the
 * bounds (window, held count, message size, room) refused without
 * changing the queue, 16-bit numbers wrapping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/test_bytes.h"

#include "analyze/parse/msgq.h"

/* What the sink received, concatenated. */
struct out {
	char text[256];
	size_t n, calls;
};

static void sink(void *ctx, const uint8_t *p, size_t n)
{
	struct out *o = ctx;

	assert_true(o->n + n < sizeof(o->text));
	memcpy(o->text + o->n, p, n);
	o->n += n;
	o->text[o->n] = '\0';
	o->calls++;
}

static enum msgq_result add(struct msgq *q, uint32_t seq, const char *s,
			    struct out *o)
{
	size_t n = strlen(s);
	uint8_t *p = dup_bytes(s, n);
	enum msgq_result r = msgq_add(q, seq, p, n, 1u << 20, sink, o);

	free(p);
	return r;
}

static void test_order(void **state)
{
	struct msgq q;
	struct out o = { .n = 0 };

	(void)state;
	msgq_init(&q, 32);
	assert_int_equal(add(&q, 10, "a", &o), MSGQ_HANDED_ON);
	assert_int_equal(add(&q, 13, "d", &o), MSGQ_KEPT);
	assert_int_equal(add(&q, 12, "c", &o), MSGQ_KEPT);
	assert_int_equal(add(&q, 12, "c", &o), MSGQ_REPEAT);
	assert_int_equal(add(&q, 10, "a", &o), MSGQ_REPEAT);
	assert_string_equal(o.text, "a");
	assert_int_equal(add(&q, 11, "b", &o), MSGQ_HANDED_ON);
	assert_string_equal(o.text, "abcd");
	assert_int_equal(q.n_held, 0);
	assert_int_equal(q.held_bytes, 0);
	assert_int_equal(q.next, 14);
	assert_int_equal(q.handed_on, 4);
	msgq_free(&q);

	/* A start fixed beforehand: earlier numbers are repeats. */
	memset(&o, 0, sizeof(o));
	msgq_init(&q, 32);
	msgq_start(&q, 1);
	assert_int_equal(add(&q, 2, "y", &o), MSGQ_KEPT);
	assert_int_equal(add(&q, 0, "w", &o), MSGQ_REPEAT);
	assert_int_equal(add(&q, 1, "x", &o), MSGQ_HANDED_ON);
	assert_string_equal(o.text, "xy");
	msgq_free(&q);

	/* 16-bit numbers wrap. */
	memset(&o, 0, sizeof(o));
	msgq_init(&q, 16);
	assert_int_equal(add(&q, 0xffff, "1", &o), MSGQ_HANDED_ON);
	assert_int_equal(add(&q, 0x10001, "3", &o), MSGQ_KEPT);
	assert_int_equal(add(&q, 0, "2", &o), MSGQ_HANDED_ON);
	assert_string_equal(o.text, "123");
	assert_int_equal(add(&q, 0xfffe, "0", &o), MSGQ_REPEAT);
	msgq_free(&q);
}

/* Gaps, loops and floods: bounded, refused, the queue unharmed. */
static void test_bounds(void **state)
{
	static uint8_t big[MSGQ_MSG_MAX + 1];
	struct msgq q;
	struct out o = { .n = 0 };

	(void)state;
	msgq_init(&q, 32);
	assert_int_equal(add(&q, 100, "s", &o), MSGQ_HANDED_ON);
	assert_int_equal(add(&q, 101 + MSGQ_WINDOW, "far", &o),
			 MSGQ_TOO_FAR);
	assert_int_equal(add(&q, 0x7fffffff, "far", &o), MSGQ_TOO_FAR);
	for (uint32_t i = 0; i < MSGQ_HELD; i++)
		assert_int_equal(add(&q, 102 + i, "h", &o), MSGQ_KEPT);
	assert_int_equal(add(&q, 102 + MSGQ_HELD, "h", &o), MSGQ_FULL);
	/* A loop of the same numbers: repeats, nothing grows. */
	for (int round = 0; round < 3; round++)
		for (uint32_t i = 0; i < MSGQ_HELD; i++)
			assert_int_equal(add(&q, 102 + i, "h", &o),
					 MSGQ_REPEAT);
	assert_int_equal(q.n_held, MSGQ_HELD);
	assert_int_equal(q.held_bytes, MSGQ_HELD);
	msgq_free(&q);
	assert_int_equal(q.n_held, 0);

	msgq_init(&q, 32);
	assert_int_equal(add(&q, 0, "s", &o), MSGQ_HANDED_ON);
	assert_int_equal(msgq_add(&q, 2, big, sizeof(big), 1u << 20, sink,
				  &o),
			 MSGQ_TOO_LONG);
	assert_int_equal(msgq_add(&q, 2, big, 100, 99, sink, &o),
			 MSGQ_NO_ROOM);
	assert_int_equal(q.n_held, 0);
	/* A message that is next is handed on whatever its size. */
	assert_int_equal(msgq_add(&q, 1, big, 0, 0, sink, &o),
			 MSGQ_HANDED_ON);
	msgq_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
