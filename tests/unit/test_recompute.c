/*
 * test_recompute.c — behaviour over the flows of a whole case
 * (analyze/behaviour/recompute.h): a periodic series whose flows come
 * from two sources is one beacon, whatever source each flow is in; a
 * short series is not judged; resolver ports are left out; a host with
 * enough flows gets one activity.hours reading; every reading names the
 * earliest flow and carries "scope=case ".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "analyze/behaviour/recompute.h"

#define HOUR_US 3600000000LL
#define START_US 1709510400000000LL /* 2024-03-04T00:00:00Z */

struct got {
	int beacons, hours;
	int64_t flow_id, source_id;
	char value[256];
	bool scoped, server_named;
};

static int collect(void *ctx, const struct behaviour_reading *r)
{
	struct got *g = ctx;
	if (!strcmp(r->kind, "beacon")) {
		g->beacons++;
		g->server_named = r->server != NULL;
	} else
		g->hours++;
	g->flow_id = r->flow_id;
	g->source_id = r->source_id;
	snprintf(g->value, sizeof g->value, "%s", r->value);
	g->scoped = !strncmp(r->detail, "scope=case ", 11);
	return 0;
}

/* n hourly flows client→server:port, the first half in source 1 and the
 * rest in source 2 (ids 1..n). */
static void feed_series(struct behaviour_pass *p, int n, unsigned port,
			const char *server)
{
	for (int i = 0; i < n; i++) {
		struct behaviour_flow f = {
			.flow_id = i + 1, .source_id = i < n / 2 ? 1 : 2,
			.ip_version = 4, .l4_proto = 6,
			.client = "10.0.0.5", .server = server,
			.server_port = port,
			.first_us = START_US + i * HOUR_US + (i % 3) * 20000000,
		};
		assert_int_equal(behaviour_pass_add(p, &f), 0);
	}
}

static void test_pairs(void **state)
{
	(void)state;
	static const struct {
		int flows;
		unsigned port;
		int beacons;
	} cases[] = {
		{9, 443, 1},  /* spread over two sources: one beacon */
		{5, 443, 0},  /* fewer than BEACON_MIN_BEATS: not judged */
		{9, 53, 0},   /* a resolver port: not a series */
		{24, 8443, 1},
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		struct got g = {0};
		struct behaviour_pass *p =
			behaviour_pass_create(BEHAVIOUR_PAIRS, collect, &g);
		assert_non_null(p);
		feed_series(p, cases[c].flows, cases[c].port, "203.0.113.10");
		assert_int_equal(behaviour_pass_finish(p), 0);
		behaviour_pass_destroy(p);
		assert_int_equal(g.beacons, cases[c].beacons);
		if (!g.beacons)
			continue;
		assert_int_equal(g.flow_id, 1);
		assert_int_equal(g.source_id, 1);
		assert_true(g.scoped);
		assert_true(g.server_named);
		char want[64];
		snprintf(want, sizeof want, "10.0.0.5->203.0.113.10:%u ",
			 cases[c].port);
		assert_memory_equal(g.value, want, strlen(want));
	}
}

/* Two series of one client, fed in pair order: each judged alone. */
static void test_two_series(void **state)
{
	(void)state;
	struct got g = {0};
	struct behaviour_pass *p =
		behaviour_pass_create(BEHAVIOUR_PAIRS, collect, &g);
	feed_series(p, 9, 443, "203.0.113.10");
	feed_series(p, 9, 443, "203.0.113.11");
	assert_int_equal(behaviour_pass_finish(p), 0);
	assert_int_equal(behaviour_pass_judged(p), 2);
	behaviour_pass_destroy(p);
	assert_int_equal(g.beacons, 2);
}

static void test_hosts(void **state)
{
	(void)state;
	static const struct {
		int flows, readings;
	} cases[] = {{19, 0}, {20, 1}, {60, 1}};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		struct got g = {0};
		struct behaviour_pass *p =
			behaviour_pass_create(BEHAVIOUR_HOSTS, collect, &g);
		feed_series(p, cases[c].flows, 443, "203.0.113.10");
		assert_int_equal(behaviour_pass_finish(p), 0);
		behaviour_pass_destroy(p);
		assert_int_equal(g.hours, cases[c].readings);
		if (g.hours) {
			assert_true(g.scoped);
			assert_int_equal(g.flow_id, 1);
			assert_memory_equal(g.value, "10.0.0.5 utc_hours=", 19);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_two_series),
		cmocka_unit_test(test_hosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
