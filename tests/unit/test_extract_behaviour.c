/*
 * test_extract_behaviour.c — cmocka tests of the behaviour family: beacon
 * series per client→server pair and per client→server name, judged at
 * source end (a regular series is reported, Poisson traffic is not),
 * activity.hours per client host, the reset between sources, and the
 * bounded tables (one-off connections evicted so a recurring series
 * survives a flood of them).
 */
#include "test_extract_helpers.h"

#include <math.h>

/* One HTTP request per flow, so the flow has a server name. */
static void behaviour_flow(struct fx *fx, uint64_t id, const char *client,
			   uint16_t port, const char *server, uint64_t ts_us,
			   const char *host)
{
	struct conn c;
	char req[256];

	conn_init(&c, id, T_TCP, client, port, server, 80, ts_us);
	conn_handshake(fx, &c);
	snprintf(req, sizeof(req), "GET /beat HTTP/1.1\r\nHost: %s\r\n\r\n",
		 host);
	conn_send_str(fx, &c, FLOW_DIR_C2S, req);
	conn_end(fx, &c, NULL, NULL);
}

static void test_behaviour(void **state)
{
	struct fx fx;
	const uint64_t t0 = 1704067200ull * 1000000; /* 2024-01-01 00:00 UTC */
	uint64_t t = t0, rnd = 12345;
	const struct rec *o;

	fx_init(&fx, NULL);
	/* 40 beats every 300 s, jitter up to +-6 s. */
	for (int i = 0; i < 40; i++) {
		uint64_t jitter = (uint64_t)((i * 7919) % 13) * 1000000;

		behaviour_flow(&fx, 100 + (uint64_t)i, "10.0.0.5",
			       (uint16_t)(42000 + i), "203.0.113.10",
			       t0 + (uint64_t)i * 300000000 + jitter -
				       6000000,
			       "c2.example");
	}
	/* 40 connections at exponential (Poisson) intervals, mean 300 s. */
	for (int i = 0; i < 40; i++) {
		double u;

		rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
		u = (double)(rnd >> 11) / 9007199254740992.0;
		t += (uint64_t)(-300e6 * log(1.0 - u));
		behaviour_flow(&fx, 200 + (uint64_t)i, "10.0.0.6",
			       (uint16_t)(43000 + i), "203.0.113.11", t,
			       "news.example");
	}
	assert_int_equal(log_count(&fx.log, OBS_BEACON), 0);
	extract_source_end(fx.x);

	assert_int_equal(log_count(&fx.log, OBS_BEACON), 2);
	o = log_nth(&fx.log, OBS_BEACON, 0);
	assert_non_null(o);
	assert_memory_equal(o->value, "10.0.0.5->203.0.113.10:80 period=30",
			    strlen("10.0.0.5->203.0.113.10:80 period=30"));
	assert_true(detail_has(o, "series=pair"));
	assert_true(detail_has(o, "connections_seen=40"));
	assert_int_equal(o->flow_id, 100);
	assert_int_equal(o->frame, 1); /* the first flow's SYN */
	o = log_nth(&fx.log, OBS_BEACON, 1);
	assert_memory_equal(o->value, "10.0.0.5->c2.example period=",
			    strlen("10.0.0.5->c2.example period="));
	assert_true(detail_has(o, "series=name"));

	/* two hosts, and the pair of 10.0.0.6 (informative: its 40
	 * connections fall in three hours); the beacon's pair gives none */
	assert_int_equal(log_count(&fx.log, OBS_ACTIVITY_HOURS), 3);
	o = log_nth(&fx.log, OBS_ACTIVITY_HOURS, 0);
	assert_memory_equal(o->value, "10.0.0.6->203.0.113.11:80 utc_hours=",
			    strlen("10.0.0.6->203.0.113.11:80 utc_hours="));
	assert_true(detail_has(o, "scope=pair"));
	o = log_nth(&fx.log, OBS_ACTIVITY_HOURS, 1);
	assert_memory_equal(o->value, "10.0.0.5 utc_hours=",
			    strlen("10.0.0.5 utc_hours="));
	assert_true(detail_has(o, "events=40"));
	assert_true(detail_has(o, "map_offset="));
	assert_true(detail_has(o, "credible90="));
	/* Accumulators were reset: a second source starts empty. */
	log_clear(&fx.log);
	extract_source_end(fx.x);
	assert_int_equal(fx.log.n, 0);
	fx_free(&fx);
}

/* A flow of one SYN. */
static void syn_flow(struct fx *fx, uint64_t id, const char *client,
		     const char *server, uint16_t sport, uint64_t ts_us)
{
	struct conn c;

	conn_init(&c, id, T_TCP, client, (uint16_t)(30000 + id % 30000),
		  server, sport, ts_us);
	conn_send_at(fx, &c, FLOW_DIR_C2S, NULL, 0, T_SYN, 0, 0);
	conn_end(fx, &c, NULL, NULL);
}

/* Full tables evict one-offs, so a recurring series survives a flood. */
static void test_behaviour_eviction(void **state)
{
	struct extract_config cfg;
	struct fx fx;
	const uint64_t t0 = 1704067200ull * 1000000;
	uint64_t id = 1;
	char server[32];
	const struct rec *o;

	extract_config_default(&cfg);
	cfg.behaviour_max_series = 16;
	cfg.behaviour_max_hosts = 4;
	fx_init(&fx, &cfg);
	for (int i = 0; i < 60; i++) {
		uint64_t t = t0 + (uint64_t)i * 60000000;

		syn_flow(&fx, id++, "10.0.0.5", "203.0.113.10", 443, t);
		for (int j = 0; j < 10; j++) {
			snprintf(server, sizeof(server), "198.51.%d.%d", i, j);
			syn_flow(&fx, id++, j < 5 ? "10.0.0.7" : "10.0.0.8",
				 server, 80, t + 1000000 + (uint64_t)j);
		}
	}
	assert_true(extract_stats(fx.x)->series_dropped > 500);
	extract_source_end(fx.x);
	assert_int_equal(log_count(&fx.log, OBS_BEACON), 1);
	o = log_nth(&fx.log, OBS_BEACON, 0);
	assert_memory_equal(o->value, "10.0.0.5->203.0.113.10:443 period=60.0s",
			    strlen("10.0.0.5->203.0.113.10:443 period=60.0s"));
	assert_true(detail_has(o, "connections_seen=60"));
	assert_int_equal(o->flow_id, 1);
	/* Three hosts, each with enough events for an estimate. */
	assert_int_equal(log_count(&fx.log, OBS_ACTIVITY_HOURS), 3);
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_behaviour),
		cmocka_unit_test(test_behaviour_eviction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
