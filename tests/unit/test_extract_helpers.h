/*
 * test_extract_helpers.h — shared scaffolding of the extraction unit tests
 * (test_extract*.c): a sink that records observations, flows and TCP/UDP
 * connections built by hand, and packets whose payload sits in an
 * exact-size heap buffer so ASan sees any over-read.
 *
 * Included by one test file each; everything is static.
 */
#ifndef ATTRIB_TEST_EXTRACT_HELPERS_H
#define ATTRIB_TEST_EXTRACT_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/extract/extract.h"

/* Not every test file uses every helper. */
#define TEST_HELPER static __attribute__((unused))

enum { T_TCP = 6, T_UDP = 17 };
enum { T_FIN = 0x01, T_SYN = 0x02, T_ACK = 0x10 };

/* One recorded observation (copied out of the sink call). */
struct rec {
	enum obs_kind kind;
	char *value;
	char *detail;
	uint64_t frame, flow_id;
	int had_pkt;
};

struct sink_log {
	struct rec *r;
	size_t n, cap;
};

TEST_HELPER void log_emit(void *ctx, const struct obs *o)
{
	struct sink_log *log = ctx;

	assert_non_null(o->cite);
	assert_non_null(o->value);
	assert_true(strlen(o->value) > 0 && strlen(o->value) < OBS_VALUE_MAX);
	if (o->detail)
		assert_true(strlen(o->detail) < OBS_DETAIL_MAX);
	if (o->pkt)
		assert_int_equal(o->pkt->frame, o->cite->frame);
	if (getenv("EXTRACT_TEST_DUMP")) /* to see what a test produced */
		fprintf(stderr, "  obs %s frame=%llu flow=%llu value=[%s] "
			"detail=[%s]\n", obs_kind_name(o->kind),
			(unsigned long long)o->cite->frame,
			(unsigned long long)o->flow_id, o->value,
			o->detail ? o->detail : "");
	if (log->n == log->cap) {
		log->cap = log->cap ? log->cap * 2 : 64;
		log->r = realloc(log->r, log->cap * sizeof(*log->r));
		assert_non_null(log->r);
	}
	log->r[log->n++] = (struct rec){
		o->kind, strdup(o->value), o->detail ? strdup(o->detail) : NULL,
		o->cite->frame, o->flow_id, o->pkt != NULL,
	};
}

TEST_HELPER void log_clear(struct sink_log *log)
{
	for (size_t i = 0; i < log->n; i++) {
		free(log->r[i].value);
		free(log->r[i].detail);
	}
	free(log->r);
	memset(log, 0, sizeof(*log));
}

TEST_HELPER size_t log_count(const struct sink_log *log,
			     enum obs_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < log->n; i++)
		n += log->r[i].kind == kind;
	return n;
}

/* The i-th observation of a kind, or NULL. */
TEST_HELPER const struct rec *log_nth(const struct sink_log *log,
				 enum obs_kind kind, size_t i)
{
	for (size_t j = 0; j < log->n; j++)
		if (log->r[j].kind == kind && i-- == 0)
			return &log->r[j];
	return NULL;
}

/* The first observation of kind with value, or NULL. */
TEST_HELPER const struct rec *log_find(const struct sink_log *log,
				  enum obs_kind kind, const char *value)
{
	for (size_t j = 0; j < log->n; j++)
		if (log->r[j].kind == kind && strcmp(log->r[j].value, value) == 0)
			return &log->r[j];
	return NULL;
}

TEST_HELPER size_t log_count_value(const struct sink_log *log,
				   enum obs_kind kind, const char *value)
{
	size_t n = 0;

	for (size_t j = 0; j < log->n; j++)
		n += log->r[j].kind == kind &&
		     strcmp(log->r[j].value, value) == 0;
	return n;
}

TEST_HELPER int detail_has(const struct rec *r, const char *needle)
{
	return r && r->detail && strstr(r->detail, needle) != NULL;
}

/* A test fixture: the stage, its log, a frame counter. */
struct fx {
	struct extract *x;
	struct sink_log log;
	uint64_t frame;
};

TEST_HELPER void fx_init(struct fx *fx,
			 const struct extract_config *cfg)
{
	struct obs_sink sink = {.emit = log_emit, .ctx = &fx->log};

	memset(fx, 0, sizeof(*fx));
	sink.ctx = &fx->log;
	fx->x = extract_create(&sink, cfg);
	assert_non_null(fx->x);
}

TEST_HELPER void fx_free(struct fx *fx)
{
	extract_destroy(fx->x);
	log_clear(&fx->log);
}

/* A flow between two IPv4 hosts, as the flow table would give it. */
struct conn {
	struct flow f;
	struct extract_flow *st;
	uint32_t seq[2];
	uint64_t ts_us;
};

TEST_HELPER void conn_init(struct conn *c, uint64_t id, uint8_t proto,
		      const char *client, uint16_t cport, const char *server,
		      uint16_t sport, uint64_t ts_us)
{
	unsigned a, b, cc, d;

	memset(c, 0, sizeof(*c));
	c->f.id = id;
	c->f.l4_proto = proto;
	c->f.ip_version = 4;
	assert_int_equal(sscanf(client, "%u.%u.%u.%u", &a, &b, &cc, &d), 4);
	c->f.client[0] = (uint8_t)a, c->f.client[1] = (uint8_t)b;
	c->f.client[2] = (uint8_t)cc, c->f.client[3] = (uint8_t)d;
	assert_int_equal(sscanf(server, "%u.%u.%u.%u", &a, &b, &cc, &d), 4);
	c->f.server[0] = (uint8_t)a, c->f.server[1] = (uint8_t)b;
	c->f.server[2] = (uint8_t)cc, c->f.server[3] = (uint8_t)d;
	c->f.client_port = cport;
	c->f.server_port = sport;
	c->f.first_us = c->f.last_us = ts_us;
	c->ts_us = ts_us;
	c->seq[0] = 1000;
	c->seq[1] = 50000;
}

/* Feeds one packet of the connection; the payload is copied into an
 * exact-size buffer that is freed after the call. seq_delta moves the
 * segment's sequence number relative to the next expected one (to make
 * gaps or retransmissions) without advancing the tracker. */
TEST_HELPER void conn_send_at(struct fx *fx, struct conn *c,
			      enum flow_dir dir, const void *payload,
			      size_t n, uint8_t flags, int32_t seq_delta,
			      anomaly_set anomalies)
{
	struct packet pkt;
	uint8_t *data = n ? malloc(n) : NULL;

	if (n)
		memcpy(data, payload, n);
	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = ++fx->frame;
	pkt.ts_us = c->ts_us;
	pkt.file_offset = 24 + 100 * pkt.frame;
	pkt.caplen = pkt.wirelen = (uint32_t)n;
	pkt.data = data;
	pkt.anomalies = anomalies;
	pkt.ip_version = 4;
	pkt.ttl = 64;
	pkt.l4_proto = c->f.l4_proto;
	pkt.tcp_flags = c->f.l4_proto == T_TCP ? (flags ? flags : T_ACK) : 0;
	pkt.flags = PKT_HAS_L4;
	memcpy(pkt.src, dir == FLOW_DIR_C2S ? c->f.client : c->f.server, 16);
	memcpy(pkt.dst, dir == FLOW_DIR_C2S ? c->f.server : c->f.client, 16);
	pkt.sport = dir == FLOW_DIR_C2S ? c->f.client_port : c->f.server_port;
	pkt.dport = dir == FLOW_DIR_C2S ? c->f.server_port : c->f.client_port;
	pkt.tcp_seq = c->seq[dir] + (uint32_t)seq_delta;
	pkt.payload_offset = 0;
	pkt.payload_len = (uint32_t)n;
	c->f.packets[dir]++;
	c->f.last_us = c->ts_us;
	extract_packet(fx->x, &c->st, &c->f, dir, &pkt);
	if (seq_delta == 0)
		c->seq[dir] += (uint32_t)n + ((flags & T_SYN) ? 1u : 0u);
	free(data);
	c->ts_us += 1000;
}

TEST_HELPER void conn_send(struct fx *fx, struct conn *c,
			   enum flow_dir dir, const void *payload, size_t n)
{
	conn_send_at(fx, c, dir, payload, n, 0, 0, 0);
}

TEST_HELPER void conn_send_str(struct fx *fx, struct conn *c,
			       enum flow_dir dir, const char *s)
{
	conn_send(fx, c, dir, s, strlen(s));
}

/* SYN, SYN-ACK: the start of both directions' sequence spaces. */
TEST_HELPER void conn_handshake(struct fx *fx, struct conn *c)
{
	conn_send_at(fx, c, FLOW_DIR_C2S, NULL, 0, T_SYN, 0, 0);
	conn_send_at(fx, c, FLOW_DIR_S2C, NULL, 0, T_SYN | T_ACK, 0, 0);
}

TEST_HELPER void conn_end(struct fx *fx, struct conn *c,
		     const struct dpi_result *r, const struct dpi_meta *m)
{
	extract_flow_end(fx->x, &c->st, &c->f, r, m);
	assert_null(c->st);
}

#endif
