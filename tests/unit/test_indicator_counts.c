/*
 * test_indicator_counts.c — the in-memory indicators table
 * (analyze/evidence/indicator_counts.h): counts, distinct sources, first
 * and last time per (kind, value), the order they are handed out in, the
 * memory budget and what happens past it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/evidence/indicator_counts.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct add {
	const char *kind, *value;
	int64_t source, ts;
};

struct want {
	const char *kind, *value;
	int64_t count, sources, first, last;
};

struct collected {
	struct want rows[16];
	char text[16][2][64];
	size_t n;
};

static int collect(void *ctx, const struct indicator_count *e)
{
	struct collected *c = ctx;
	assert_true(c->n < ARRAY_LEN(c->rows));
	assert_int_equal(strlen(e->kind), e->kind_len);
	assert_int_equal(strlen(e->value), e->value_len);
	snprintf(c->text[c->n][0], sizeof c->text[0][0], "%s", e->kind);
	snprintf(c->text[c->n][1], sizeof c->text[0][1], "%s", e->value);
	c->rows[c->n] = (struct want){c->text[c->n][0], c->text[c->n][1],
				      e->count, e->sources, e->first_us,
				      e->last_us};
	c->n++;
	return 0;
}

static void check(struct indicator_counts *ic, const struct want *want,
		  size_t n)
{
	struct collected got = {0};
	assert_int_equal(indicator_counts_each(ic, collect, &got), 0);
	assert_int_equal(got.n, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(got.rows[i].kind, want[i].kind);
		assert_string_equal(got.rows[i].value, want[i].value);
		assert_int_equal(got.rows[i].count, want[i].count);
		assert_int_equal(got.rows[i].sources, want[i].sources);
		assert_int_equal(got.rows[i].first, want[i].first);
		assert_int_equal(got.rows[i].last, want[i].last);
	}
}

/* Counts, distinct sources, times out of order, and the order of the
 * result: kind then value, bytewise, a prefix first (SQLite's BINARY). */
static void test_counts_and_order(void **state)
{
	(void)state;
	static const struct add adds[] = {
		{"tls.sni", "b.example", 1, 50},
		{"ip.src", "192.0.2.1", 1, 10},
		{"tls.sni", "a.example", 1, 20},
		{"tls.sni", "b.example", 1, 30},  /* earlier than the first */
		{"tls.sni", "b.example", 2, 90},  /* a second source */
		{"tls.sni", "b.example", 2, 70},
		{"tls.sni", "B.example", 2, 5},   /* upper case sorts first */
		{"tls.sni", "a.example.test", 3, 40},
		{"ip.dst", "192.0.2.1", 3, 15},   /* same value, other kind */
		{"tls.sni", "a.example", 3, 25},
	};
	static const struct want want[] = {
		{"ip.dst", "192.0.2.1", 1, 1, 15, 15},
		{"ip.src", "192.0.2.1", 1, 1, 10, 10},
		{"tls.sni", "B.example", 1, 1, 5, 5},
		{"tls.sni", "a.example", 2, 2, 20, 25},
		{"tls.sni", "a.example.test", 1, 1, 40, 40},
		{"tls.sni", "b.example", 4, 2, 30, 90},
	};
	struct indicator_counts *ic = indicator_counts_create(1 << 20);
	assert_non_null(ic);
	for (size_t i = 0; i < ARRAY_LEN(adds); i++)
		assert_true(indicator_counts_add(ic, adds[i].kind,
						 adds[i].value, adds[i].source,
						 adds[i].ts));
	assert_false(indicator_counts_overflowed(ic));
	assert_int_equal(indicator_counts_size(ic), ARRAY_LEN(want));
	check(ic, want, ARRAY_LEN(want));
	indicator_counts_clear(ic);
	assert_int_equal(indicator_counts_size(ic), 0);
	check(ic, NULL, 0);
	assert_true(indicator_counts_add(ic, "dns.query", "x.test", 9, 1));
	static const struct want after[] = {{"dns.query", "x.test", 1, 1, 1, 1}};
	check(ic, after, 1);
	indicator_counts_destroy(ic);
}

struct sum {
	int64_t total;
	size_t n;
};

static int add_up(void *ctx, const struct indicator_count *e)
{
	struct sum *s = ctx;
	s->total += e->count;
	s->n++;
	return 0;
}

/* Many distinct values (the tables grow several times), value i added
 * i % 7 + 1 times: every one is found again, none is lost. */
static void test_growth(void **state)
{
	(void)state;
	enum { N = 50000 };
	struct indicator_counts *ic = indicator_counts_create(64 << 20);
	assert_non_null(ic);
	char v[32];
	int64_t want_total = 0;
	for (int round = 0; round < 7; round++)
		for (int i = 0; i < N; i++) {
			if (i % 7 < round)
				continue;
			snprintf(v, sizeof v, "198.51.%d.%d", i / 256, i % 256);
			assert_true(indicator_counts_add(ic, "ip.dst", v, 1,
							 round * N + i));
			want_total++;
		}
	assert_int_equal(indicator_counts_size(ic), N);
	struct sum s = {0, 0};
	assert_int_equal(indicator_counts_each(ic, add_up, &s), 0);
	assert_int_equal(s.n, N);
	assert_int_equal(s.total, want_total);
	indicator_counts_destroy(ic);
}

/* Past the budget the counts overflow, stay so, hold nothing and refuse
 * more; clear() makes them usable again. */
static void test_budget(void **state)
{
	(void)state;
	struct indicator_counts *ic = indicator_counts_create(200 << 10);
	assert_non_null(ic);
	char v[64];
	int i = 0;
	for (; i < 100000; i++) {
		snprintf(v, sizeof v, "host-%06d.example", i);
		if (!indicator_counts_add(ic, "tls.sni", v, 1, i))
			break;
	}
	assert_true(i > 100 && i < 100000);
	assert_true(indicator_counts_overflowed(ic));
	assert_int_equal(indicator_counts_size(ic), 0);
	assert_false(indicator_counts_add(ic, "tls.sni", "a.example", 1, 1));
	indicator_counts_clear(ic);
	assert_false(indicator_counts_overflowed(ic));
	assert_true(indicator_counts_add(ic, "tls.sni", "a.example", 1, 1));
	indicator_counts_drop(ic);
	assert_true(indicator_counts_overflowed(ic));
	indicator_counts_destroy(ic);
}

/* A stopping callback stops the walk and its value is returned. */
static int stop_at_second(void *ctx, const struct indicator_count *e)
{
	(void)e;
	return ++*(int *)ctx == 2 ? 7 : 0;
}

static void test_each_stops(void **state)
{
	(void)state;
	struct indicator_counts *ic = indicator_counts_create(1 << 20);
	assert_non_null(ic);
	assert_true(indicator_counts_add(ic, "k", "a", 1, 1));
	assert_true(indicator_counts_add(ic, "k", "b", 1, 1));
	assert_true(indicator_counts_add(ic, "k", "c", 1, 1));
	int calls = 0;
	assert_int_equal(indicator_counts_each(ic, stop_at_second, &calls), 7);
	assert_int_equal(calls, 2);
	indicator_counts_destroy(ic);
}

/* The row id kept with a pair: given at its first add (or a later one,
 * while it has none), found again through the slot table's growth,
 * never replaced, and gone after clear() or drop(). Random pairs, each
 * with an id of its own, checked against a plain array. */
static void test_value_ids(void **state)
{
	(void)state;
	enum { N = 5000 };
	static int64_t want[N];
	struct indicator_counts *ic = indicator_counts_create(8 << 20);
	assert_non_null(ic);
	char v[64];
	srand(3);
	for (int round = 0; round < 4 * N; round++) {
		int i = rand() % N;
		snprintf(v, sizeof v, "198.51.%d.%d", i / 256, i % 256);
		int64_t id = rand() % 3 == 0 ? 0 : 1000 + i;
		int64_t before = indicator_counts_id(ic, "ip.dst", v);
		assert_int_equal(before, want[i]);
		assert_true(indicator_counts_add_id(ic, "ip.dst", v, 1, round,
						    id));
		if (!want[i])
			want[i] = id;
		assert_int_equal(indicator_counts_id(ic, "ip.dst", v), want[i]);
		assert_int_equal(indicator_counts_id(ic, "ip.src", v), 0);
	}
	indicator_counts_clear(ic);
	assert_int_equal(indicator_counts_id(ic, "ip.dst", "198.51.0.1"), 0);
	assert_true(indicator_counts_add_id(ic, "ip.dst", "198.51.0.1", 1, 1,
					    42));
	assert_int_equal(indicator_counts_id(ic, "ip.dst", "198.51.0.1"), 42);
	indicator_counts_drop(ic);
	assert_int_equal(indicator_counts_id(ic, "ip.dst", "198.51.0.1"), 0);
	indicator_counts_destroy(ic);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_order),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_each_stops),
		cmocka_unit_test(test_value_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
