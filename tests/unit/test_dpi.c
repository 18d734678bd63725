/*
 * test_dpi.c — unit tests for analyze/flow/dpi_ndpi.c (dpi.h).
 *
 * Packets are built by hand (IPv4 header + TCP/UDP header + payload) and
 * copied into an exact-size heap buffer before they are fed, so ASan sees
 * any read past the datagram. Each test creates its own detection module.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "analyze/flow/dpi.h"

enum { IPV4_HDR_LEN = 20, TCP_HDR_LEN = 20, UDP_HDR_LEN = 8 };
enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_PSH = 0x08, TCP_ACK = 0x10 };

/* One endpoint pair; dir 0 sends a -> b, dir 1 b -> a. */
struct conv {
	uint8_t a[4], b[4];
	uint16_t aport, bport;
	uint8_t l4_proto;
};

/* A built packet: the struct plus its owned exact-size byte buffer. */
struct built {
	struct packet pkt;
	uint8_t *bytes;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t ipv4_checksum(const uint8_t *h)
{
	uint32_t sum = 0;
	for (int i = 0; i < IPV4_HDR_LEN; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Builds one packet of conversation c in direction dir carrying payload.
 * TCP packets get flags, seq and ack; frag_off is the IPv4 flags+offset
 * field (0 for an unfragmented datagram).
 */
static void build(struct built *out, const struct conv *c, int dir,
		  uint8_t tcp_flags, uint32_t seq, uint32_t ack,
		  const void *payload, size_t plen, uint16_t frag_off,
		  uint64_t ts_us)
{
	uint8_t tmp[2048];
	size_t l4len = c->l4_proto == 6 ? TCP_HDR_LEN : UDP_HDR_LEN;
	size_t total = IPV4_HDR_LEN + l4len + plen;
	assert_true(total <= sizeof tmp);
	memset(tmp, 0, sizeof tmp);
	const uint8_t *src = dir ? c->b : c->a, *dst = dir ? c->a : c->b;
	uint16_t sport = dir ? c->bport : c->aport;
	uint16_t dport = dir ? c->aport : c->bport;

	tmp[0] = 0x45;
	put16(tmp + 2, (uint16_t)total);
	put16(tmp + 4, 0x1234);
	put16(tmp + 6, frag_off);
	tmp[8] = 64;
	tmp[9] = c->l4_proto;
	memcpy(tmp + 12, src, 4);
	memcpy(tmp + 16, dst, 4);
	put16(tmp + 10, ipv4_checksum(tmp));

	uint8_t *l4 = tmp + IPV4_HDR_LEN;
	put16(l4, sport);
	put16(l4 + 2, dport);
	if (c->l4_proto == 6) {
		put32(l4 + 4, seq);
		put32(l4 + 8, ack);
		l4[12] = (TCP_HDR_LEN / 4) << 4;
		l4[13] = tcp_flags;
		put16(l4 + 14, 65535);
	} else {
		put16(l4 + 4, (uint16_t)(UDP_HDR_LEN + plen));
	}
	if (plen)
		memcpy(l4 + l4len, payload, plen);

	memset(out, 0, sizeof *out);
	out->bytes = malloc(total);
	assert_non_null(out->bytes);
	memcpy(out->bytes, tmp, total);

	struct packet *p = &out->pkt;
	p->frame = 1;
	p->ts_us = ts_us;
	p->caplen = p->wirelen = (uint32_t)total;
	p->data = out->bytes;
	p->ip_version = 4;
	p->ttl = 64;
	p->l4_proto = c->l4_proto;
	p->tcp_flags = tcp_flags;
	memcpy(p->src, src, 4);
	memcpy(p->dst, dst, 4);
	p->sport = sport;
	p->dport = dport;
	p->tcp_seq = seq;
	p->tcp_ack = ack;
	p->ip_offset = 0;
	p->ip_len = (uint32_t)total;
	p->l4_offset = IPV4_HDR_LEN;
	p->payload_offset = (uint32_t)(IPV4_HDR_LEN + l4len);
	p->payload_len = (uint32_t)plen;
	p->flags = PKT_HAS_L4;
	if (frag_off & 0x3fff) {
		p->flags |= PKT_FRAGMENT;
		if ((frag_off & 0x1fff) == 0)
			p->flags |= PKT_FIRST_FRAGMENT;
		else
			p->flags &= ~(uint32_t)PKT_HAS_L4;
	}
}

/* Builds, feeds and frees one packet; returns dpi_feed's answer. */
static bool feed(struct dpi *d, struct dpi_flow *f, const struct conv *c,
		 int dir, uint8_t tcp_flags, uint32_t seq, uint32_t ack,
		 const void *payload, size_t plen, uint64_t ts_us)
{
	struct built b;
	build(&b, c, dir, tcp_flags, seq, ack, payload, plen, 0, ts_us);
	bool more = dpi_feed(d, f, &b.pkt, dir);
	free(b.bytes);
	return more;
}

static int setup(void **state)
{
	char err[128];
	struct dpi *d = dpi_create(err, sizeof err);
	if (!d)
		return -1;
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	dpi_destroy(*state);
	return 0;
}

/* --- DNS ------------------------------------------------------------- */

/* Query for www.attrib.test, type A; the response adds one A record. */
static const uint8_t dns_query[] = {
	0x4a, 0x21, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 3,    'w',  'w',  'w',  6,    'a',  't',  't',  'r',  'i',
	'b',  4,    't',  'e',  's',  't',  0,    0x00, 0x01, 0x00, 0x01,
};
static const uint8_t dns_response[] = {
	0x4a, 0x21, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 3,    'w',  'w',  'w',  6,    'a',  't',  't',  'r',  'i',
	'b',  4,    't',  'e',  's',  't',  0,    0x00, 0x01, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00,
	0x04, 192,  0,    2,    7,
};

static const struct conv dns_conv = {
	{192, 0, 2, 10}, {198, 51, 100, 53}, 53000, 53, 17,
};

static void test_dns_pair(void **state)
{
	struct dpi *d = *state;
	struct dpi_flow *f = dpi_flow_new(d);
	assert_non_null(f);
	struct dpi_meta m;
	assert_false(dpi_meta(f, &m));

	/* Detected on the query; waits for the response to read it. */
	assert_true(feed(d, f, &dns_conv, 0, 0, 0, 0, dns_query,
			 sizeof dns_query, 1000000));
	assert_false(feed(d, f, &dns_conv, 1, 0, 0, 0, dns_response,
			  sizeof dns_response, 1020000));
	/* Done: further packets are refused without being counted. */
	assert_false(feed(d, f, &dns_conv, 0, 0, 0, 0, dns_query,
			  sizeof dns_query, 1030000));

	struct dpi_result r;
	dpi_result(d, f, &r);
	assert_string_equal(r.proto, "DNS");
	assert_int_equal(r.app_id, 5);
	assert_false(r.guessed);
	assert_int_equal(r.packets_seen, 2);
	assert_string_equal(r.category, "Network");

	assert_true(dpi_meta(f, &m));
	assert_string_equal(m.host, "www.attrib.test");
	assert_true(m.dns_valid);
	assert_int_equal(m.dns_query_type, 1);
	assert_int_equal(m.dns_reply_code, 0);
	assert_string_equal(m.ja3_client, "");
	assert_string_equal(m.http_url, "");
	dpi_flow_free(f);
}

/* --- HTTP ------------------------------------------------------------ */

static const char http_get[] =
	"GET /index.html HTTP/1.1\r\n"
	"Host: www.attrib.test\r\n"
	"User-Agent: attrib-test/1.0\r\n"
	"Accept: */*\r\n"
	"\r\n";
static const char http_ok[] =
	"HTTP/1.1 200 OK\r\n"
	"Content-Type: text/html\r\n"
	"Content-Length: 2\r\n"
	"\r\n"
	"ok";

static const struct conv http_conv = {
	{192, 0, 2, 20}, {203, 0, 113, 80}, 41000, 80, 6,
};

/* Handshake, GET and response; returns whether DPI still wants more. */
static bool feed_http(struct dpi *d, struct dpi_flow *f)
{
	const uint32_t cs = 1000, ss = 5000;
	size_t glen = sizeof http_get - 1, olen = sizeof http_ok - 1;
	bool more = true;
	more = more && feed(d, f, &http_conv, 0, TCP_SYN, cs, 0, NULL, 0, 1);
	more = more && feed(d, f, &http_conv, 1, TCP_SYN | TCP_ACK, ss,
			    cs + 1, NULL, 0, 2);
	more = more && feed(d, f, &http_conv, 0, TCP_ACK, cs + 1, ss + 1,
			    NULL, 0, 3);
	more = more && feed(d, f, &http_conv, 0, TCP_PSH | TCP_ACK, cs + 1,
			    ss + 1, http_get, glen, 4);
	more = more && feed(d, f, &http_conv, 1, TCP_PSH | TCP_ACK, ss + 1,
			    (uint32_t)(cs + 1 + glen), http_ok, olen, 5);
	return more;
}

static void test_http_get(void **state)
{
	struct dpi *d = *state;
	struct dpi_flow *f = dpi_flow_new(d);
	assert_non_null(f);
	assert_false(feed_http(d, f));

	struct dpi_result r;
	dpi_result(d, f, &r);
	assert_string_equal(r.proto, "HTTP");
	assert_int_equal(r.app_id, 7);
	assert_false(r.guessed);
	assert_string_equal(r.category, "Web");

	struct dpi_meta m;
	assert_true(dpi_meta(f, &m));
	assert_string_equal(m.host, "www.attrib.test");
	assert_string_equal(m.http_user_agent, "attrib-test/1.0");
	assert_non_null(strstr(m.http_url, "/index.html"));
	assert_string_equal(m.http_method, "GET");
	assert_int_equal(m.http_status, 200);
	assert_false(m.dns_valid);
	dpi_flow_free(f);
}

/* --- give-up --------------------------------------------------------- */

static const struct conv odd_conv = {
	{192, 0, 2, 30}, {198, 51, 100, 31}, 47001, 47002, 17,
};

static void test_unknown_udp_gives_up(void **state)
{
	struct dpi *d = *state;
	struct dpi_flow *f = dpi_flow_new(d);
	assert_non_null(f);
	uint8_t junk[48];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)(i * 37 + 11);

	/* 24 packets are not enough; the 25th makes DPI give up. */
	for (int i = 0; i < 24; i++) {
		junk[0] = (uint8_t)i;
		assert_true(feed(d, f, &odd_conv, i & 1, 0, 0, 0, junk,
				 sizeof junk, 1000 * (uint64_t)i));
	}
	assert_false(feed(d, f, &odd_conv, 0, 0, 0, 0, junk, sizeof junk,
			  50000));

	struct dpi_result r;
	dpi_result(d, f, &r);
	assert_int_equal(r.packets_seen, 25);
	assert_int_equal(r.app_id, 0);
	assert_int_equal(r.master_id, 0);
	assert_string_equal(r.proto, "Unknown");
	assert_false(r.guessed);
	dpi_flow_free(f);
}

/* A flow that ends before the limit gets nDPI's guess by port. */
static void test_guess_at_end(void **state)
{
	struct dpi *d = *state;
	static const struct conv c = {
		{192, 0, 2, 40}, {198, 51, 100, 41}, 40000, 443, 6,
	};
	struct dpi_flow *f = dpi_flow_new(d);
	assert_non_null(f);
	assert_true(feed(d, f, &c, 0, TCP_SYN, 1, 0, NULL, 0, 1));
	struct dpi_result r;
	dpi_result(d, f, &r);
	assert_true(r.guessed);
	assert_string_equal(r.proto, "TLS");
	assert_int_equal(r.packets_seen, 1);
	/* Finished by dpi_result: no more packets are taken. */
	assert_false(feed(d, f, &c, 1, TCP_SYN | TCP_ACK, 9, 2, NULL, 0, 2));
	dpi_flow_free(f);
}

/* --- result idempotence ---------------------------------------------- */

static void test_result_idempotent(void **state)
{
	struct dpi *d = *state;
	struct dpi_flow *f = dpi_flow_new(d);
	assert_non_null(f);
	assert_true(feed(d, f, &dns_conv, 0, 0, 0, 0, dns_query,
			 sizeof dns_query, 1));
	struct dpi_result a, b;
	dpi_result(d, f, &a); /* gives up the wait for the response */
	dpi_result(d, f, &b);
	assert_memory_equal(&a, &b, sizeof a);
	assert_string_equal(a.proto, "DNS");
	struct dpi_meta m1, m2;
	assert_true(dpi_meta(f, &m1));
	assert_true(dpi_meta(f, &m2));
	assert_memory_equal(&m1, &m2, sizeof m1);
	dpi_flow_free(f);
}

/* --- packets DPI skips ----------------------------------------------- */

static void test_skipped_packets(void **state)
{
	struct dpi *d = *state;
	struct dpi_flow *f = dpi_flow_new(d);
	assert_non_null(f);
	struct built b;

	/* Non-first fragment: no L4 header, not fed, not counted. */
	build(&b, &odd_conv, 0, 0, 0, 0, "abcdefgh", 8, 0x00b9, 1);
	assert_true(dpi_feed(d, f, &b.pkt, 0));
	free(b.bytes);

	/* Datagram cut by the snap length. */
	build(&b, &odd_conv, 0, 0, 0, 0, "abcdefgh", 8, 0, 2);
	b.pkt.flags |= PKT_TRUNCATED_L3;
	assert_true(dpi_feed(d, f, &b.pkt, 0));
	free(b.bytes);

	/* No IP layer. */
	build(&b, &odd_conv, 0, 0, 0, 0, "abcdefgh", 8, 0, 3);
	b.pkt.ip_version = 0;
	assert_true(dpi_feed(d, f, &b.pkt, 0));
	free(b.bytes);

	/* First fragment is fed. */
	build(&b, &odd_conv, 0, 0, 0, 0, "abcdefgh", 8, 0x2000, 4);
	assert_true(dpi_feed(d, f, &b.pkt, 0));
	free(b.bytes);

	struct dpi_result r;
	dpi_result(d, f, &r);
	assert_int_equal(r.packets_seen, 1);
	dpi_flow_free(f);
}

/* --- freeing --------------------------------------------------------- */

/* A TLS record announced longer than sent makes nDPI buffer it. */
static void test_free_mid_detection(void **state)
{
	struct dpi *d = *state;
	static const struct conv c = {
		{192, 0, 2, 50}, {198, 51, 100, 51}, 40050, 443, 6,
	};
	uint8_t rec[200];
	memset(rec, 0x41, sizeof rec);
	rec[0] = 0x16; /* handshake */
	rec[1] = 0x03;
	rec[2] = 0x01;
	put16(rec + 3, 1000); /* more than this segment holds */
	rec[5] = 0x01;        /* ClientHello */
	rec[6] = 0x00;
	put16(rec + 7, 996);

	struct dpi_flow *f = dpi_flow_new(d);
	assert_non_null(f);
	assert_true(feed(d, f, &c, 0, TCP_SYN, 1, 0, NULL, 0, 1));
	assert_true(feed(d, f, &c, 1, TCP_SYN | TCP_ACK, 7, 2, NULL, 0, 2));
	assert_true(feed(d, f, &c, 0, TCP_ACK, 2, 8, NULL, 0, 3));
	assert_true(feed(d, f, &c, 0, TCP_PSH | TCP_ACK, 2, 8, rec,
			 sizeof rec, 4));
	dpi_flow_free(f); /* LeakSanitizer checks nDPI's buffers went too */

	/* A finished flow holding HTTP strings. */
	f = dpi_flow_new(d);
	assert_non_null(f);
	assert_false(feed_http(d, f));
	dpi_flow_free(f);

	/* A flow never fed. */
	dpi_flow_free(dpi_flow_new(d));
	dpi_flow_free(NULL);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(dpi_risk_name(1000), "");
	assert_true(strlen(dpi_risk_name(1)) > 0);
	assert_non_null(dpi_version());
	assert_true(strlen(dpi_version()) > 0);
	dpi_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dns_pair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_udp_gives_up,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_guess_at_end, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_result_idempotent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_skipped_packets, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_free_mid_detection, setup,
						teardown),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
