/*
 * test_flow_sort.c — flow starts in series order (analyze/evidence/
 * flow_sort.c) against SQLite's own ORDER BY over the same rows, the
 * independent oracle: random flows (few addresses, so that keys tie;
 * addresses that are prefixes of others; bytes above 0x7f), in one chunk
 * and in many runs merged from the temporary file, in both orders. Also:
 * a callback's non-zero value stops the walk and is returned, a text
 * longer than the limit is refused, and a second walk is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/evidence/flow_sort.h"

static const char *const addrs[] = {
	"10.0.0.1", "10.0.0.10", "10.0.0.100", "10.0.0.2", "192.0.2.7",
	"2001:db8::1", "2001:db8::", "fe80::1", "\xc3\xa9t\xc3\xa9", "",
	"10.0.0.1\x7f", "9.9.9.9",
};
enum { NADDRS = sizeof addrs / sizeof addrs[0] };

/* What a walk saw, as one line per flow. */
struct seen {
	char *text;
	size_t len, cap;
	int stop_at, calls;
};

static void put(struct seen *s, const char *line)
{
	size_t n = strlen(line);
	if (s->len + n + 1 > s->cap) {
		s->cap = (s->len + n + 1) * 2;
		s->text = realloc(s->text, s->cap);
		assert_non_null(s->text);
	}
	memcpy(s->text + s->len, line, n + 1);
	s->len += n;
}

static int see(void *ctx, const struct store_flow_start *f)
{
	struct seen *s = ctx;
	char line[512];
	snprintf(line, sizeof line, "%lld %lld %d %d %s|%s %u %lld %u %lld\n",
		 (long long)f->flow_id, (long long)f->source_id, f->ip_version,
		 f->l4_proto, f->client, f->server, f->server_port,
		 (long long)f->first_us, f->client_port,
		 (long long)f->last_us);
	put(s, line);
	return ++s->calls == s->stop_at ? 42 : 0;
}

static void sql(sqlite3 *db, const char *q)
{
	char *err = NULL;
	if (sqlite3_exec(db, q, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", q, err);
}

/* n random flows into the table and the sort, compared in order. */
static void compare(int n, size_t chunk, enum store_flow_order order,
		    unsigned seed, bool want_runs)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	sql(db, "CREATE TABLE flows (id INTEGER, source_id INTEGER,"
		" ip_version INTEGER, l4_proto INTEGER, client TEXT,"
		" server TEXT, server_port INTEGER, first_ts_us INTEGER,"
		" client_port INTEGER, last_ts_us INTEGER)");
	sqlite3_stmt *ins = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO flows VALUES"
					    "(?,?,?,?,?,?,?,?,?,?)", -1, &ins,
					    NULL), SQLITE_OK);
	struct flow_sort *fs = flow_sort_create(order, chunk);
	assert_non_null(fs);
	char err[256];
	srand(seed);
	for (int i = 0; i < n; i++) {
		const char *c = addrs[rand() % NADDRS];
		const char *s = addrs[rand() % NADDRS];
		struct flow_sort_row r = {
			.flow_id = 1 + (rand() % 7 == 0 ? i / 2 : i) * 3,
			.source_id = 1 + rand() % 3,
			.ip_version = rand() % 2 ? 4 : 6,
			.l4_proto = rand() % 2 ? 6 : 17,
			.client = c, .client_len = strlen(c),
			.server = s, .server_len = strlen(s),
			.server_port = rand() % 4 * 1000,
			.first_us = (int64_t)(rand() % 50) * 1000000 -
				    (rand() % 5 == 0 ? 7000000000LL : 0),
			.client_port = 1024 + rand() % 60000,
			.last_us = rand(),
		};
		assert_int_equal(flow_sort_add(fs, &r, err, sizeof err), 0);
		int64_t v[] = {r.flow_id, r.source_id, r.ip_version,
			       r.l4_proto};
		for (int k = 0; k < 4; k++)
			sqlite3_bind_int64(ins, k + 1, v[k]);
		sqlite3_bind_text(ins, 5, c, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, s, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 7, r.server_port);
		sqlite3_bind_int64(ins, 8, r.first_us);
		sqlite3_bind_int64(ins, 9, r.client_port);
		sqlite3_bind_int64(ins, 10, r.last_us);
		assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	/* rowid last: SQLite's own tie-break is unspecified; rows added
	 * earlier come first in the sort, as rowids do */
	char q[512];
	snprintf(q, sizeof q, "SELECT id, source_id, ip_version, l4_proto,"
		 " client, server, server_port, first_ts_us, client_port,"
		 " last_ts_us FROM flows ORDER BY %s, rowid",
		 order == STORE_FLOWS_BY_PAIR
			 ? "ip_version, client, server, server_port, l4_proto,"
			   " first_ts_us, id"
			 : "ip_version, client, first_ts_us, id");
	sqlite3_stmt *sel = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &sel, NULL), SQLITE_OK);
	struct seen want = {0}, got = {0};
	while (sqlite3_step(sel) == SQLITE_ROW) {
		struct store_flow_start f = {
			sqlite3_column_int64(sel, 0),
			sqlite3_column_int64(sel, 1),
			sqlite3_column_int(sel, 2), sqlite3_column_int(sel, 3),
			(const char *)sqlite3_column_text(sel, 4),
			(const char *)sqlite3_column_text(sel, 5),
			(unsigned)sqlite3_column_int(sel, 6),
			sqlite3_column_int64(sel, 7),
			(unsigned)sqlite3_column_int(sel, 8),
			sqlite3_column_int64(sel, 9),
		};
		see(&want, &f);
	}
	sqlite3_finalize(sel);
	sqlite3_close(db);
	if (want_runs)
		assert_true(flow_sort_runs(fs) > 2);
	else
		assert_int_equal(flow_sort_runs(fs), 0);
	assert_int_equal(flow_sort_each(fs, see, &got, err, sizeof err), 0);
	assert_int_equal(got.calls, n);
	assert_string_equal(got.text, want.text);
	/* once only */
	assert_int_equal(flow_sort_each(fs, see, &got, err, sizeof err), -1);
	flow_sort_destroy(fs);
	free(want.text);
	free(got.text);
}

static void test_one_chunk(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 20; seed++) {
		compare(500, 1 << 20, STORE_FLOWS_BY_PAIR, seed, false);
		compare(500, 1 << 20, STORE_FLOWS_BY_CLIENT, seed, false);
	}
}

static void test_many_runs(void **state)
{
	(void)state;
	/* 64 KiB chunks (the least): about 800 flows a run */
	for (unsigned seed = 1; seed <= 6; seed++) {
		compare(9000 + 700 * (int)seed, 0, STORE_FLOWS_BY_PAIR, seed,
			true);
		compare(9000 + 700 * (int)seed, 0, STORE_FLOWS_BY_CLIENT,
			seed, true);
	}
}

/* No flow, and one: the walk calls nothing, or once. */
static void test_empty(void **state)
{
	(void)state;
	char err[256];
	for (int n = 0; n <= 1; n++) {
		struct flow_sort *fs = flow_sort_create(STORE_FLOWS_BY_PAIR, 0);
		assert_non_null(fs);
		struct flow_sort_row r = {.flow_id = 5, .client = "a",
					  .client_len = 1, .server = "b",
					  .server_len = 1};
		if (n)
			assert_int_equal(flow_sort_add(fs, &r, err, sizeof err),
					 0);
		struct seen s = {0};
		assert_int_equal(flow_sort_each(fs, see, &s, err, sizeof err),
				 0);
		assert_int_equal(s.calls, n);
		free(s.text);
		flow_sort_destroy(fs);
	}
}

static void test_stop_and_limits(void **state)
{
	(void)state;
	char err[256];
	for (size_t chunk = 0; chunk <= (1u << 20); chunk += 1u << 20) {
		struct flow_sort *fs =
			flow_sort_create(STORE_FLOWS_BY_CLIENT, chunk);
		assert_non_null(fs);
		for (int i = 0; i < 5000; i++) {
			struct flow_sort_row r = {
				.flow_id = i, .ip_version = 4,
				.client = "10.1.1.1", .client_len = 8,
				.server = "10.2.2.2", .server_len = 8,
				.first_us = 5000 - i,
			};
			assert_int_equal(flow_sort_add(fs, &r, err, sizeof err),
					 0);
		}
		struct seen s = {.stop_at = 3};
		assert_int_equal(flow_sort_each(fs, see, &s, err, sizeof err),
				 42);
		assert_int_equal(s.calls, 3);
		assert_true(strncmp(s.text, "4999 ", 5) == 0);
		free(s.text);
		flow_sort_destroy(fs);
	}
	struct flow_sort *fs = flow_sort_create(STORE_FLOWS_BY_PAIR, 0);
	assert_non_null(fs);
	static char big[FLOW_SORT_TEXT_MAX + 2];
	memset(big, 'a', sizeof big - 1);
	struct flow_sort_row r = {
		.flow_id = 77, .client = big, .client_len = strlen(big),
		.server = "", .server_len = 0,
	};
	assert_int_equal(flow_sort_add(fs, &r, err, sizeof err), -1);
	assert_non_null(strstr(err, "flow 77"));
	flow_sort_destroy(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_chunk),
		cmocka_unit_test(test_many_runs),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_stop_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
