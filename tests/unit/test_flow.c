/*
 * test_flow.c — cmocka tests of the flow table (analyze/flow/flow.h).
 *
 * Packets are built by filling struct packet fields directly; the table
 * never reads packet bytes. A close callback records every closed flow so
 * the tests can check reasons, order and that each flow closes once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "analyze/flow/flow.h"

#define MS_US 1000ull
#define S_US 1000000ull
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17, PROTO_ICMPV6 = 58 };
enum { FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10 };
enum { CLOSE_LOG_MAX = 64 };

/* What the close callback saw. */
struct close_log {
	struct close_record {
		uint64_t id, packets;
		enum flow_close_reason why;
	} rec[CLOSE_LOG_MAX];      /* the first closes, in order */
	size_t n;                /* closes, also beyond CLOSE_LOG_MAX */
	size_t by_reason[FLOW_CLOSE_END + 1];
	uint8_t *closed_per_id;  /* optional: closes of id i + 1 at [i] */
	uint64_t closed_cap;     /* entries of closed_per_id */
	uint64_t packets_closed; /* sum of packets of closed flows */
	int user_mismatch;       /* closes whose user was not the marker */
	void *user_marker;
};

static void record_close(struct flow *f, enum flow_close_reason why,
			 void *ctx)
{
	struct close_log *log = ctx;
	uint64_t packets = f->packets[0] + f->packets[1];
	if (log->n < CLOSE_LOG_MAX)
		log->rec[log->n] = (struct close_record){f->id, packets, why};
	log->n++;
	log->by_reason[why]++;
	log->packets_closed += packets;
	if (log->closed_per_id && f->id - 1 < log->closed_cap)
		log->closed_per_id[f->id - 1]++;
	if (log->user_marker && f->user != log->user_marker)
		log->user_mismatch++;
	f->user = NULL;
}

static struct flow_table_config test_config(void)
{
	struct flow_table_config cfg;
	flow_table_config_default(&cfg);
	return cfg;
}

/* A table configured by cfg (defaults when NULL) logging into *log. */
static struct flow_table *new_table(const struct flow_table_config *cfg,
				    struct close_log *log)
{
	struct flow_table_config defaults = test_config();
	memset(log, 0, sizeof *log);
	struct flow_table *t =
		flow_table_create(cfg ? cfg : &defaults, record_close, log);
	assert_non_null(t);
	return t;
}

/* Host h: 10.0.0.h for IPv4, fd00::h for IPv6. */
static void host_addr(uint8_t version, uint8_t h, uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = version == 4 ? 10 : 0xfd;
	out[version == 4 ? 3 : 15] = h;
}

static struct packet make_packet(uint8_t version, uint8_t proto,
				 uint8_t src, uint16_t sport, uint8_t dst,
				 uint16_t dport, uint64_t ts_us)
{
	static uint64_t frame;
	struct packet p = {
		.frame = ++frame, .ts_us = ts_us, .caplen = 100, .wirelen = 100,
		.ip_version = version, .l4_proto = proto, .flags = PKT_HAS_L4,
		.sport = sport, .dport = dport};
	host_addr(version, src, p.src);
	host_addr(version, dst, p.dst);
	return p;
}

static struct flow *feed(struct flow_table *t, const struct packet *p,
			 enum flow_dir *dir, bool *created)
{
	struct flow *f = flow_table_update(t, p, dir, created);
	assert_non_null(f);
	return f;
}

static void test_both_directions_one_flow(void **state)
{
	/* Packet a goes client → server, b is the reply (ICMP: type). */
	static const struct {
		uint8_t version, proto, client, server;
		uint16_t a_sport, a_dport, b_sport, b_dport;
		uint16_t want_cport, want_sport;
	} rows[] = {
		{4, PROTO_TCP, 1, 2, 40000, 80, 80, 40000, 40000, 80},
		{4, PROTO_TCP, 9, 2, 40000, 80, 80, 40000, 40000, 80},
		{4, PROTO_UDP, 3, 4, 53, 53, 53, 53, 53, 53},
		{6, PROTO_TCP, 7, 5, 1234, 443, 443, 1234, 1234, 443},
		{4, PROTO_ICMP, 1, 2, 8, 0, 0, 0, 0, 0},
		{6, PROTO_ICMPV6, 1, 2, 128, 0, 129, 0, 0, 0},
		{4, PROTO_UDP, 6, 6, 7, 7, 7, 7, 7, 7}, /* land: all C2S */
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct close_log log;
		struct flow_table *t = new_table(NULL, &log);
		struct packet a = make_packet(
			rows[i].version, rows[i].proto, rows[i].client,
			rows[i].a_sport, rows[i].server, rows[i].a_dport, S_US);
		struct packet b = make_packet(
			rows[i].version, rows[i].proto, rows[i].server,
			rows[i].b_sport, rows[i].client, rows[i].b_dport,
			2 * S_US);
		b.wirelen = 300;
		b.anomalies = (anomaly_set)1 << ANOM_PORT_ZERO;
		bool land = memcmp(&a.src, &a.dst, 16) == 0 &&
			    a.sport == a.dport;
		enum flow_dir da, db;
		bool ca, cb;
		struct flow *f = feed(t, &a, &da, &ca);
		assert_ptr_equal(feed(t, &b, &db, &cb), f);
		assert_true(ca && !cb);
		assert_int_equal(da, FLOW_DIR_C2S);
		assert_int_equal(db, land ? FLOW_DIR_C2S : FLOW_DIR_S2C);
		assert_int_equal(flow_table_count(t), 1);
		assert_memory_equal(f->client, a.src, 16);
		assert_memory_equal(f->server, a.dst, 16);
		assert_int_equal(f->client_port, rows[i].want_cport);
		assert_int_equal(f->server_port, rows[i].want_sport);
		assert_int_equal(f->packets[0] + f->packets[1], 2);
		assert_int_equal(f->bytes[0] + f->bytes[1], 400);
		assert_int_equal(f->bytes[FLOW_DIR_S2C], land ? 0 : 300);
		assert_int_equal(f->anomalies, 1);
		assert_true(f->first_us == S_US && f->last_us == 2 * S_US);
		assert_true(f->first_frame == a.frame &&
			    f->last_frame == b.frame);
		assert_true(f->ip_version == rows[i].version &&
			    f->l4_proto == rows[i].proto);
		flow_table_flush(t);
		assert_int_equal(log.n, 1);
		assert_int_equal(log.rec[0].why, FLOW_CLOSE_END);
		flow_table_destroy(t);
	}
}

static void test_context_separates_flows(void **state)
{
	/* Fed in order to one table; each row is new or joins an earlier. */
	static const struct {
		uint8_t vlan_count, version;
		uint16_t vlan0, vlan1;
		uint32_t tunnel_id;
		bool want_new;
	} rows[] = {
		{0, 4, 0, 0, 0, true},    {1, 4, 10, 0, 0, true},
		{1, 4, 20, 0, 0, true},   {2, 4, 10, 99, 0, false}, /* outer */
		{0, 4, 0, 0, 7, true},    {0, 4, 0, 0, 8, true},
		{1, 4, 10, 0, 7, true},
		{0, 6, 0, 0, 0, true},    /* same address bytes, IPv6 */
		{0, 4, 55, 0, 0, false},  /* untagged: vlan[0] is ignored */
		{0, 4, 0, 0, 0, false},
		{0, 0, 0, 0, 0, false},   /* no IP layer: refused */
	};
	struct close_log log;
	struct flow_table *t = new_table(NULL, &log);
	size_t want_count = 0;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct packet p = make_packet(4, PROTO_UDP, 1, 5000, 2, 53,
					      (1 + i) * S_US);
		p.ip_version = rows[i].version;
		p.vlan_count = rows[i].vlan_count;
		p.vlan[0] = rows[i].vlan0;
		p.vlan[1] = rows[i].vlan1;
		p.tunnel_id = rows[i].tunnel_id;
		p.tunnel_kind = rows[i].tunnel_id ? TUNNEL_GTPU : TUNNEL_NONE;
		bool created = true;
		if (p.ip_version == 0) {
			assert_null(flow_table_update(t, &p, NULL, &created));
			assert_false(created);
			continue;
		}
		struct flow *f = feed(t, &p, NULL, &created);
		assert_int_equal(created, rows[i].want_new);
		want_count += rows[i].want_new;
		assert_int_equal(flow_table_count(t), want_count);
		if (created) {
			assert_int_equal(f->vlan, p.vlan_count ? p.vlan[0] : 0);
			assert_int_equal(f->tunnel_id, rows[i].tunnel_id);
			assert_int_equal(f->tunnel_kind, p.tunnel_kind);
		}
	}
	flow_table_flush(t);
	assert_int_equal(log.n, want_count);
	flow_table_destroy(t);
}

static void test_idle_expiry_per_class(void **state)
{
	/* Defaults: TCP idle 300 s, other 60 s. */
	static const struct {
		uint8_t proto;
		uint64_t gap_us;
		bool use_expire, want_closed; /* expire(), else a packet */
	} rows[] = {
		{PROTO_TCP, 300 * S_US, false, false},
		{PROTO_TCP, 300 * S_US + 1, false, true},
		{PROTO_TCP, 300 * S_US, true, false},
		{PROTO_TCP, 300 * S_US + 1, true, true},
		{PROTO_UDP, 60 * S_US, false, false},
		{PROTO_UDP, 60 * S_US + 1, false, true},
		{PROTO_UDP, 60 * S_US, true, false},
		{PROTO_UDP, 60 * S_US + 1, true, true},
		{PROTO_ICMP, 61 * S_US, false, true},
		{PROTO_ICMP, 59 * S_US, true, false},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct close_log log;
		struct flow_table *t = new_table(NULL, &log);
		uint64_t t0 = 1000 * S_US;
		struct packet p = make_packet(4, rows[i].proto, 1, 1000, 2, 80,
					      t0);
		uint64_t first_id = feed(t, &p, NULL, NULL)->id;
		if (rows[i].use_expire) {
			flow_table_expire(t, t0 + rows[i].gap_us);
			assert_int_equal(flow_table_count(t),
					 rows[i].want_closed ? 0 : 1);
		} else {
			p.ts_us = t0 + rows[i].gap_us;
			bool created;
			struct flow *f = feed(t, &p, NULL, &created);
			assert_int_equal(created, rows[i].want_closed);
			assert_int_equal(f->id,
					 first_id + rows[i].want_closed);
		}
		assert_int_equal(log.n, rows[i].want_closed);
		assert_int_equal(log.by_reason[FLOW_CLOSE_IDLE], log.n);
		assert_true(log.n == 0 || log.rec[0].id == first_id);
		flow_table_destroy(t);
	}
}

/*
 * Packets of other flows run expiry as packet time passes; between two
 * periodic runs a packet still finds its own flow idle.
 */
static void test_update_expires_other_flows(void **state)
{
	struct close_log log;
	struct flow_table *t = new_table(NULL, &log);
	struct packet a = make_packet(4, PROTO_UDP, 1, 1000, 2, 53, 0);
	struct packet b = make_packet(4, PROTO_UDP, 3, 1000, 2, 53, 0);
	struct packet c = make_packet(4, PROTO_UDP, 4, 1000, 2, 53, 0);
	feed(t, &a, NULL, NULL);
	feed(t, &c, NULL, NULL);
	for (uint64_t s = 1; s <= 61; s++) {
		b.ts_us = s * S_US;
		feed(t, &b, NULL, NULL);
	}
	assert_int_equal(log.n, 2); /* a and c, idle 61 s */
	c.ts_us = 62 * S_US; /* new c, seen at 62 s; expiry ran */
	feed(t, &c, NULL, NULL);
	b.ts_us = 122 * S_US; /* expiry runs: b idle 61 s, c only 60 s */
	feed(t, &b, NULL, NULL);
	assert_int_equal(log.n, 3);
	bool created;
	c.ts_us = 122 * S_US + 500 * MS_US; /* before the next run */
	feed(t, &c, NULL, &created);
	assert_true(created);
	assert_int_equal(log.by_reason[FLOW_CLOSE_IDLE], 4);
	flow_table_destroy(t);
}

static void test_hard_timeout(void **state)
{
	static const struct {
		uint64_t ts_s, want_closes;
		bool want_new;
	} rows[] = {
		{0, 0, true}, {300, 0, false}, {600, 0, false}, {900, 0, false},
		{1000, 0, false}, /* age exactly hard_us */
		{1001, 1, true},  /* older: closes, packet starts a new flow */
		{1500, 1, false}, {2001, 1, false}, {2002, 2, true},
	};
	struct close_log log;
	struct flow_table_config cfg = test_config();
	cfg.hard_us = 1000 * S_US;
	cfg.udp_idle_us = 600 * S_US;
	struct flow_table *t = new_table(&cfg, &log);
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct packet p = make_packet(4, PROTO_UDP, 1, 1000, 2, 53,
					      rows[i].ts_s * S_US);
		bool created;
		struct flow *f = feed(t, &p, NULL, &created);
		assert_int_equal(created, rows[i].want_new);
		assert_int_equal(log.n, rows[i].want_closes);
		if (created)
			assert_int_equal(f->packets[FLOW_DIR_C2S], 1);
	}
	assert_int_equal(log.rec[0].why, FLOW_CLOSE_HARD);
	assert_int_equal(log.rec[0].packets, 5);
	assert_int_equal(log.rec[1].why, FLOW_CLOSE_HARD);
	flow_table_destroy(t);
}

enum step_kind { STEP_C2S, STEP_S2C, STEP_EXPIRE };

/*
 * TCP scenarios, one table; a new scenario (fresh table, linger 2 s)
 * starts at each change of `scenario`. Every close is FLOW_CLOSE_TCP_END.
 */
static const struct tcp_step {
	int scenario;
	enum step_kind kind;
	uint8_t flags;
	uint64_t ms;
	bool want_new;      /* packets: a new flow */
	size_t want_closes; /* closes so far */
	size_t want_count;  /* open flows after the step */
} tcp_steps[] = {
	{1, STEP_C2S, SYN, 0, true, 0, 1}, /* FIN both ways, then linger */
	{1, STEP_S2C, SYN | ACK, 10, false, 0, 1},
	{1, STEP_C2S, FIN | ACK, 20, false, 0, 1},
	{1, STEP_S2C, FIN | ACK, 30, false, 0, 1},
	{1, STEP_C2S, ACK, 1000, false, 0, 1},
	{1, STEP_EXPIRE, 0, 3000, false, 0, 1},
	{1, STEP_EXPIRE, 0, 3001, false, 1, 0},
	{2, STEP_C2S, SYN, 0, true, 0, 1}, /* RST, then linger */
	{2, STEP_S2C, RST | ACK, 10, false, 0, 1},
	{2, STEP_EXPIRE, 0, 2010, false, 0, 1},
	{2, STEP_EXPIRE, 0, 2011, false, 1, 0},
	{3, STEP_C2S, SYN, 0, true, 0, 1}, /* one way FIN: not ended */
	{3, STEP_C2S, FIN | ACK, 10, false, 0, 1},
	{3, STEP_EXPIRE, 0, 5000, false, 0, 1},
	{3, STEP_C2S, FIN | ACK, 6000, false, 0, 1},
	{3, STEP_EXPIRE, 0, 9000, false, 0, 1},
	{4, STEP_C2S, SYN, 0, true, 0, 1}, /* bare SYN after end: new */
	{4, STEP_C2S, FIN | ACK, 10, false, 0, 1},
	{4, STEP_S2C, FIN | ACK, 20, false, 0, 1},
	{4, STEP_C2S, SYN, 500, true, 1, 1},
	{4, STEP_S2C, SYN | ACK, 510, false, 1, 1},
	{5, STEP_C2S, SYN, 0, true, 0, 1}, /* SYN-ACK joins, SYN opens */
	{5, STEP_S2C, RST, 10, false, 0, 1},
	{5, STEP_S2C, SYN | ACK, 20, false, 0, 1},
	{5, STEP_S2C, SYN, 30, true, 1, 1},
	{6, STEP_C2S, SYN, 0, true, 0, 1}, /* packet after the linger */
	{6, STEP_C2S, RST, 10, false, 0, 1},
	{6, STEP_C2S, ACK, 5000, true, 1, 1},
};

static void test_tcp_end(void **state)
{
	struct close_log log;
	struct flow_table *t = NULL;
	struct flow_table_config cfg = test_config();
	cfg.tcp_linger_us = 2 * S_US;
	for (size_t i = 0; i < ARRAY_LEN(tcp_steps); i++) {
		const struct tcp_step *s = &tcp_steps[i];
		if (i == 0 || s->scenario != tcp_steps[i - 1].scenario) {
			flow_table_destroy(t);
			t = new_table(&cfg, &log);
		}
		uint64_t ts = s->ms * MS_US;
		if (s->kind == STEP_EXPIRE) {
			flow_table_expire(t, ts);
		} else {
			bool c2s = s->kind == STEP_C2S, created;
			struct packet p = make_packet(
				4, PROTO_TCP, c2s ? 1 : 2, c2s ? 40000 : 80,
				c2s ? 2 : 1, c2s ? 80 : 40000, ts);
			p.tcp_flags = s->flags;
			struct flow *f = feed(t, &p, NULL, &created);
			assert_int_equal(created, s->want_new);
			if (created)
				assert_memory_equal(f->client, p.src, 16);
		}
		assert_int_equal(log.n, s->want_closes);
		assert_int_equal(log.by_reason[FLOW_CLOSE_TCP_END], log.n);
		assert_int_equal(flow_table_count(t), s->want_count);
	}
	flow_table_destroy(t);
}

/* Also: ids run from first_id, one per created flow. */
static void test_eviction_when_full(void **state)
{
	/* Clients 1..10 open a flow each; client 1 speaks again after 4. */
	static const uint8_t clients[] = {1, 2, 3, 4, 1, 5, 6, 7, 8, 9, 10};
	static const uint64_t want_evicted[] = {1, 2, 3, 0, 4, 5}; /* + id */
	static const uint64_t first_ids[] = {1, 1000, 1ull << 40};
	for (size_t k = 0; k < ARRAY_LEN(first_ids); k++) {
		struct close_log log;
		struct flow_table_config cfg = test_config();
		cfg.max_flows = 4;
		cfg.first_id = first_ids[k];
		struct flow_table *t = new_table(&cfg, &log);
		uint64_t created_total = 0;
		for (size_t i = 0; i < ARRAY_LEN(clients); i++) {
			struct packet p = make_packet(4, PROTO_UDP, clients[i],
						      5000, 200, 53,
						      (1 + i) * S_US);
			bool created;
			uint64_t id = feed(t, &p, NULL, &created)->id;
			if (created)
				assert_int_equal(id, cfg.first_id +
							     created_total++);
			assert_true(flow_table_count(t) <= cfg.max_flows);
		}
		assert_int_equal(flow_table_next_id(t),
				 cfg.first_id + created_total);
		assert_int_equal(log.n, ARRAY_LEN(want_evicted));
		for (size_t i = 0; i < ARRAY_LEN(want_evicted); i++) {
			assert_int_equal(log.rec[i].id,
					 cfg.first_id + want_evicted[i]);
			assert_int_equal(log.rec[i].why, FLOW_CLOSE_EVICTED);
		}
		flow_table_flush(t);
		assert_int_equal(log.n, created_total);
		assert_int_equal(created_total, 10);
		flow_table_destroy(t);
	}
}

/* Many open flows: the bucket array doubles several times on the way
 * (from 1,024 buckets), and every flow is still found, in both
 * directions, with its id; the flows then close once each. */
static void test_many_flows_found_after_growth(void **state)
{
	enum { FLOWS = 20000 };
	struct close_log log;
	struct flow_table *t = new_table(NULL, &log);
	for (uint32_t i = 0; i < FLOWS; i++) {
		struct packet p = make_packet(4, PROTO_UDP, (uint8_t)(1 + i % 200),
					      (uint16_t)(1024 + i / 200), 250,
					      53, S_US + i);
		bool created;
		assert_int_equal(feed(t, &p, NULL, &created)->id, i + 1);
		assert_true(created);
	}
	assert_int_equal(flow_table_count(t), FLOWS);
	for (uint32_t i = 0; i < FLOWS; i++) {
		struct packet p = make_packet(4, PROTO_UDP, 250, 53,
					      (uint8_t)(1 + i % 200),
					      (uint16_t)(1024 + i / 200),
					      S_US + FLOWS + i);
		bool created;
		enum flow_dir dir;
		assert_int_equal(feed(t, &p, &dir, &created)->id, i + 1);
		assert_false(created);
		assert_int_equal(dir, FLOW_DIR_S2C);
	}
	flow_table_flush(t);
	assert_int_equal(log.n, FLOWS);
	assert_int_equal(log.by_reason[FLOW_CLOSE_END], FLOWS);
	assert_int_equal(log.packets_closed, 2 * FLOWS);
	flow_table_destroy(t);
}

static void test_flush_closes_each_once(void **state)
{
	/* Flows 1..6 by client; touching order decides the flush order. */
	static const uint8_t touches[] = {1, 2, 3, 4, 5, 6, 2, 5, 1};
	static const uint64_t want_order[] = {3, 4, 6, 2, 5, 1};
	struct close_log log;
	struct flow_table *t = new_table(NULL, &log);
	for (size_t i = 0; i < ARRAY_LEN(touches); i++) {
		uint8_t proto = touches[i] % 2 ? PROTO_TCP : PROTO_UDP;
		struct packet p = make_packet(4, proto, touches[i], 1000, 50,
					      80, S_US + i);
		feed(t, &p, NULL, NULL);
	}
	flow_table_flush(t);
	assert_int_equal(flow_table_count(t), 0);
	assert_int_equal(log.n, ARRAY_LEN(want_order));
	for (size_t i = 0; i < ARRAY_LEN(want_order); i++) {
		assert_int_equal(log.rec[i].id, want_order[i]);
		assert_int_equal(log.rec[i].why, FLOW_CLOSE_END);
	}
	flow_table_flush(t); /* nothing left to close */
	assert_int_equal(log.n, ARRAY_LEN(want_order));
	struct packet p = make_packet(4, PROTO_UDP, 1, 1000, 50, 80, 2 * S_US);
	struct flow *f = feed(t, &p, NULL, NULL);
	assert_true(f->id == 7 && f->user == NULL); /* a new flow */
	flow_table_destroy(t);
}

static void test_time_backwards(void **state)
{
	struct close_log log;
	struct flow_table_config cfg = test_config();
	cfg.hard_us = 100 * S_US;
	struct flow_table *t = new_table(&cfg, &log);
	struct packet a = make_packet(4, PROTO_UDP, 1, 1000, 2, 53,
				      1000 * S_US);
	struct flow *fa = feed(t, &a, NULL, NULL);
	a.ts_us = 10 * S_US; /* 990 s back: neither idle nor hard timeout */
	bool created;
	assert_ptr_equal(feed(t, &a, NULL, &created), fa);
	assert_false(created);
	assert_true(fa->first_us == 10 * S_US && fa->last_us == 1000 * S_US);
	struct packet b = make_packet(4, PROTO_UDP, 3, 1000, 2, 53, 5 * S_US);
	feed(t, &b, NULL, &created);
	assert_true(created);
	flow_table_expire(t, 0);
	flow_table_expire(t, 5 * S_US);
	assert_int_equal(log.n, 0);
	assert_int_equal(flow_table_count(t), 2);
	/* Idleness runs on the largest time seen (1000 s) for both. */
	flow_table_expire(t, 1060 * S_US);
	assert_int_equal(log.n, 0);
	flow_table_expire(t, 1060 * S_US + 1);
	assert_int_equal(log.n, 2);
	assert_int_equal(flow_table_count(t), 0);
	flow_table_destroy(t);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_property_random_packets(void **state)
{
	enum { PACKETS = 300000, MAX_FLOWS = 48, HOSTS = 10 };
	static const uint16_t ports[] = {80, 443, 1000, 1001};
	static const uint8_t protos[] = {PROTO_TCP, PROTO_TCP, PROTO_UDP,
					 PROTO_ICMP};
	static const uint8_t tcp_flags[] = {SYN, SYN | ACK, ACK, ACK,
					    ACK, FIN | ACK, RST};
	struct flow_table_config cfg = {
		.max_flows = MAX_FLOWS, .tcp_idle_us = 30 * S_US,
		.udp_idle_us = 10 * S_US, .hard_us = 120 * S_US,
		.tcp_linger_us = S_US, .first_id = 1};
	int marker;
	struct close_log log;
	struct flow_table *t = new_table(&cfg, &log);
	log.closed_cap = PACKETS;
	log.closed_per_id = calloc(PACKETS, 1);
	log.user_marker = &marker;
	assert_non_null(log.closed_per_id);
	uint64_t rng = 0x9e3779b97f4a7c15ull, now = 1000 * S_US;
	uint64_t created_total = 0;
	for (uint64_t i = 0; i < PACKETS; i++) {
		uint64_t r = rng_next(&rng);
		now += r % (200 * MS_US);
		if (r % 1000 < 10)
			now -= (r >> 20) % (5 * S_US); /* time goes back */
		else if (r % 1000 == 999)
			now += 60 * S_US;
		uint64_t r2 = rng_next(&rng);
		struct packet p = make_packet(
			(r2 & 1) ? 6 : 4, protos[(r2 >> 1) % ARRAY_LEN(protos)],
			(uint8_t)((r2 >> 4) % HOSTS),
			ports[(r2 >> 12) % ARRAY_LEN(ports)],
			(uint8_t)((r2 >> 16) % HOSTS),
			ports[(r2 >> 24) % ARRAY_LEN(ports)], now);
		p.tcp_flags = tcp_flags[(r2 >> 28) % ARRAY_LEN(tcp_flags)];
		p.vlan_count = (r2 >> 32) % 8 == 0;
		p.vlan[0] = 7;
		p.anomalies = (r2 >> 36) % 16 == 0;
		if ((r2 >> 40) % 4 == 0) { /* a hot UDP flow: lives long */
			p = make_packet(4, PROTO_UDP, 0, 53, 1, 53, now);
			if ((r2 >> 42) & 1)
				p.src[3] = 1, p.dst[3] = 0;
		}
		enum flow_dir dir;
		bool created;
		struct flow *f = feed(t, &p, &dir, &created);
		if (created) {
			assert_int_equal(f->id, 1 + created_total);
			assert_null(f->user);
			f->user = &marker;
			created_total++;
		}
		/* The packet's endpoints are the flow's, in its direction. */
		assert_memory_equal(dir == FLOW_DIR_C2S ? f->client : f->server,
				    p.src, 16);
		assert_true(flow_table_count(t) <= MAX_FLOWS);
		if (r % 5000 == 0)
			flow_table_expire(t, now);
	}
	flow_table_flush(t);
	assert_int_equal(flow_table_count(t), 0);
	assert_int_equal(log.n, created_total);
	assert_int_equal(log.packets_closed, PACKETS);
	assert_int_equal(log.user_mismatch, 0);
	for (uint64_t id = 0; id < created_total; id++)
		assert_int_equal(log.closed_per_id[id], 1);
	for (int why = FLOW_CLOSE_IDLE; why <= FLOW_CLOSE_END; why++)
		assert_true(log.by_reason[why] > 0); /* every path was taken */
	free(log.closed_per_id);
	flow_table_destroy(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_directions_one_flow),
		cmocka_unit_test(test_context_separates_flows),
		cmocka_unit_test(test_idle_expiry_per_class),
		cmocka_unit_test(test_update_expires_other_flows),
		cmocka_unit_test(test_hard_timeout),
		cmocka_unit_test(test_tcp_end),
		cmocka_unit_test(test_eviction_when_full),
		cmocka_unit_test(test_many_flows_found_after_growth),
		cmocka_unit_test(test_flush_closes_each_once),
		cmocka_unit_test(test_time_backwards),
		cmocka_unit_test(test_property_random_packets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
