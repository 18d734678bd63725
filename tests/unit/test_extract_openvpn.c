/*
 * test_extract_openvpn.c — cmocka tests of the OpenVPN family: the TLS
 * handshake in the control channel, over UDP and TCP, without and with
 * tls-auth (the HMAC's length found from the packets), with messages out
 * of order, gives the TLS family's values with "carrier=openvpn hmac=N";
 * flows nDPI calls OpenVPN are read from its verdict on; hostile control
 * packets (too many acks, ids far ahead, endless repeats, a TCP length of
 * 0) give openvpn_malformed and no crash; tls-crypt-like flows are left
 * alone without anomalies.
 */
#include "test_extract_helpers.h"

#include "test_bytes.h"

enum { OP_RESET_C = 7, OP_RESET_S = 8, OP_CONTROL = 4, OP_ACK = 5 };

/* One side of a made-up OpenVPN session. */
struct ovpn {
	uint64_t sid[2];     /* by flow direction */
	unsigned hmac;       /* tls-auth HMAC bytes, 0: none */
	uint32_t replay[2];  /* tls-auth packet ids */
	bool tcp;
};

static void put64(struct wbuf *w, uint64_t v)
{
	put16(w, (unsigned)(v >> 48));
	put16(w, (unsigned)(v >> 32));
	put16(w, (unsigned)(v >> 16));
	put16(w, (unsigned)v);
}

/* One control packet from side dir: acks n_acks ids starting at ack0;
 * mid < 0 for none (P_ACK_V1). */
static void packet(struct wbuf *w, struct ovpn *o, int dir, unsigned op,
		   unsigned n_acks, uint32_t ack0, long mid,
		   const void *payload, size_t n)
{
	size_t at = w->n;

	if (o->tcp)
		put16(w, 0);
	put8(w, op << 3);
	put64(w, o->sid[dir]);
	if (o->hmac) {
		for (unsigned i = 0; i < o->hmac; i++)
			put8(w, 0xa5 ^ i);
		put16(w, 0);
		put16(w, ++o->replay[dir]);
		put(w, "\x60\x00\x00\x01", 4);
	}
	put8(w, n_acks);
	for (unsigned i = 0; i < n_acks; i++) {
		put16(w, 0);
		put16(w, ack0 + i);
	}
	if (n_acks)
		put64(w, o->sid[!dir]);
	if (mid >= 0) {
		put16(w, 0);
		put16(w, (unsigned)mid);
	}
	if (n)
		put(w, payload, n);
	if (o->tcp) {
		size_t len = w->n - at - 2;

		w->b[at] = (uint8_t)(len >> 8);
		w->b[at + 1] = (uint8_t)len;
	}
}

/* A TLS record with a ClientHello (SNI vpn.example). */
static void client_hello(struct wbuf *w)
{
	static const char sni[] = "vpn.example";
	size_t rec, hs, ext;

	put8(w, 22);
	put16(w, 0x0301);
	rec = w->n;
	put16(w, 0);
	put8(w, 1);
	hs = w->n;
	put24(w, 0);
	put16(w, 0x0303);
	for (int i = 0; i < 32; i++)
		put8(w, (unsigned)i);
	put8(w, 0);
	put16(w, 4);
	put16(w, 0xc02f);
	put16(w, 0x009f);
	put8(w, 1);
	put8(w, 0);
	ext = w->n;
	put16(w, 0);
	put16(w, 0x0000);
	put16(w, (unsigned)(sizeof(sni) - 1 + 5));
	put16(w, (unsigned)(sizeof(sni) - 1 + 3));
	put8(w, 0);
	put16(w, (unsigned)(sizeof(sni) - 1));
	put(w, sni, sizeof(sni) - 1);
	put16(w, 0xff01);
	put16(w, 1);
	put8(w, 0);
	w->b[ext] = (uint8_t)((w->n - ext - 2) >> 8);
	w->b[ext + 1] = (uint8_t)(w->n - ext - 2);
	w->b[hs] = 0;
	w->b[hs + 1] = (uint8_t)((w->n - hs - 3) >> 8);
	w->b[hs + 2] = (uint8_t)(w->n - hs - 3);
	w->b[rec] = (uint8_t)((w->n - rec - 2) >> 8);
	w->b[rec + 1] = (uint8_t)(w->n - rec - 2);
}

#define HELLO_JA3 "771,49199-159,0-65281,,"

/* A TLS 1.3 ServerHello record. */
static void server_hello(struct wbuf *w)
{
	put(w, "\x16\x03\x03\x00\x32\x02\x00\x00\x2e\x03\x03", 11);
	for (int i = 0; i < 32; i++)
		put8(w, 0x55);
	put(w, "\x00\x13\x01\x00\x00\x06\x00\x2b\x00\x02\x03\x04", 12);
}

static void send_w(struct fx *fx, struct conn *c, int dir, struct wbuf *w)
{
	conn_send(fx, c, (enum flow_dir)dir, w->b, w->n);
	w->n = 0;
}

/* Resets both ways and the client's ack: the layout is known after. */
static void open_session(struct fx *fx, struct conn *c, struct ovpn *o)
{
	struct wbuf w = { .n = 0 };

	packet(&w, o, 0, OP_RESET_C, 0, 0, 0, NULL, 0);
	send_w(fx, c, 0, &w);
	packet(&w, o, 1, OP_RESET_S, 1, 0, 0, NULL, 0);
	send_w(fx, c, 1, &w);
	packet(&w, o, 0, OP_ACK, 1, 0, -1, NULL, 0);
	send_w(fx, c, 0, &w);
}

/* The ClientHello in two messages, the second first; the ServerHello. */
static void handshake(struct fx *fx, struct conn *c, struct ovpn *o)
{
	struct wbuf ch = { .n = 0 }, sh = { .n = 0 }, w = { .n = 0 };
	size_t half;

	client_hello(&ch);
	half = ch.n / 2;
	packet(&w, o, 0, OP_CONTROL, 0, 0, 2, ch.b + half, ch.n - half);
	send_w(fx, c, 0, &w);
	packet(&w, o, 0, OP_CONTROL, 0, 0, 1, ch.b, half);
	send_w(fx, c, 0, &w);
	server_hello(&sh);
	packet(&w, o, 1, OP_CONTROL, 2, 1, 1, sh.b, sh.n);
	send_w(fx, c, 1, &w);
}

static void check_values(struct fx *fx, const char *carrier,
			 uint64_t hello_frame)
{
	const struct rec *r = log_find(&fx->log, OBS_TLS_SNI, "vpn.example");

	assert_non_null(r);
	assert_true(detail_has(r, carrier));
	assert_int_equal(r->frame, hello_frame);
	r = log_nth(&fx->log, OBS_TLS_JA3, 0);
	assert_non_null(r);
	assert_true(detail_has(r, "ja3=" HELLO_JA3));
	assert_true(detail_has(r, carrier));
	assert_non_null(log_nth(&fx->log, OBS_TLS_JA4, 0));
	r = log_nth(&fx->log, OBS_TLS_JA3S, 0);
	assert_true(detail_has(r, carrier));
	assert_true(detail_has(r, "ja3s=771,4865,43"));
	assert_int_equal(log_count(&fx->log, OBS_ANOMALY), 0);
	assert_int_equal(extract_stats(fx->x)->stream_bytes, 0);
}

static void test_udp_and_tls_auth(void **state)
{
	struct ovpn o = { { 0x1111222233334444ull, 0x5555666677778888ull },
			  0, { 0, 0 }, false };
	struct fx fx;
	struct conn c;

	(void)state;
	fx_init(&fx, NULL);
	conn_init(&c, 1, T_UDP, "10.0.0.5", 50000, "192.0.2.10", 1194, 1000);
	open_session(&fx, &c, &o);
	handshake(&fx, &c, &o);
	conn_end(&fx, &c, NULL, NULL);
	check_values(&fx, "impl=attrib carrier=openvpn hmac=0", 5);

	/* tls-auth with SHA-256 (32 bytes), on another port. */
	log_clear(&fx.log);
	o.hmac = 32;
	conn_init(&c, 2, T_UDP, "10.0.0.5", 50001, "192.0.2.10", 443, 1000);
	open_session(&fx, &c, &o);
	handshake(&fx, &c, &o);
	conn_end(&fx, &c, NULL, NULL);
	check_values(&fx, "carrier=openvpn hmac=32", 11);
	fx_free(&fx);
}

static void test_tcp(void **state)
{
	struct ovpn o = { { 0x0102030405060708ull, 0x1112131415161718ull },
			  20, { 0, 0 }, true };
	struct wbuf w = { .n = 0 }, ch = { .n = 0 }, sh = { .n = 0 };
	struct fx fx;
	struct conn c;

	(void)state;
	fx_init(&fx, NULL);
	conn_init(&c, 3, T_TCP, "10.0.0.5", 40000, "192.0.2.10", 1194, 1000);
	conn_handshake(&fx, &c);
	/* Both resets' packets and the ack in odd segment boundaries. */
	packet(&w, &o, 0, OP_RESET_C, 0, 0, 0, NULL, 0);
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b, 10);
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b + 10, w.n - 10);
	w.n = 0;
	packet(&w, &o, 1, OP_RESET_S, 1, 0, 0, NULL, 0);
	send_w(&fx, &c, 1, &w);
	/* The ack and the whole ClientHello in one segment. */
	packet(&w, &o, 0, OP_ACK, 1, 0, -1, NULL, 0);
	client_hello(&ch);
	packet(&w, &o, 0, OP_CONTROL, 0, 0, 1, ch.b, ch.n);
	send_w(&fx, &c, 0, &w);                   /* frame 6 */
	/* A data packet too long to be control: skipped unread. */
	put16(&w, 5000);
	for (int i = 0; i < 40; i++)
		put8(&w, 0x48);
	send_w(&fx, &c, 1, &w);
	w.n = 0;
	for (int i = 0; i < 4960; i++)
		put8(&w, 0x00);
	send_w(&fx, &c, 1, &w);
	server_hello(&sh);
	packet(&w, &o, 1, OP_CONTROL, 1, 1, 1, sh.b, sh.n);
	send_w(&fx, &c, 1, &w);
	conn_end(&fx, &c, NULL, NULL);
	check_values(&fx, "carrier=openvpn hmac=20", 6);
	fx_free(&fx);
}

/* A flow picked up mid-way is read once nDPI calls it OpenVPN. */
static void test_from_ndpi(void **state)
{
	struct ovpn o = { { 0x2122232425262728ull, 0x3132333435363738ull },
			  0, { 0, 0 }, false };
	struct wbuf w = { .n = 0 };
	struct dpi_result r;
	struct fx fx;
	struct conn c;

	(void)state;
	memset(&r, 0, sizeof(r));
	snprintf(r.proto, sizeof(r.proto), "OpenVPN");
	fx_init(&fx, NULL);
	conn_init(&c, 4, T_UDP, "10.0.0.5", 50002, "192.0.2.10", 1194, 1000);
	packet(&w, &o, 0, OP_ACK, 1, 7, -1, NULL, 0);
	send_w(&fx, &c, 0, &w);
	extract_dpi_done(fx.x, &c.st, &c.f, &r, NULL);
	open_session(&fx, &c, &o);
	handshake(&fx, &c, &o);
	conn_end(&fx, &c, NULL, NULL);
	check_values(&fx, "carrier=openvpn hmac=0", 6);

	/* A flow read from its resets and done before nDPI's verdict is not
	 * read again from the verdict on. */
	log_clear(&fx.log);
	conn_init(&c, 11, T_UDP, "10.0.0.5", 50008, "192.0.2.10", 1194, 1000);
	open_session(&fx, &c, &o);
	handshake(&fx, &c, &o);
	extract_dpi_done(fx.x, &c.st, &c.f, &r, NULL);
	open_session(&fx, &c, &o);
	handshake(&fx, &c, &o);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 1);

	/* Not OpenVPN and nDPI says nothing: not read. */
	log_clear(&fx.log);
	conn_init(&c, 5, T_UDP, "10.0.0.5", 50003, "192.0.2.10", 1194, 1000);
	conn_send(&fx, &c, FLOW_DIR_C2S, "\x38hello", 6);
	handshake(&fx, &c, &o);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 0);
	fx_free(&fx);
}

static size_t anomalies(const struct fx *fx)
{
	return log_count_value(&fx->log, OBS_ANOMALY, "openvpn_malformed");
}

static void test_hostile(void **state)
{
	struct ovpn o = { { 0x4142434445464748ull, 0x5152535455565758ull },
			  0, { 0, 0 }, false };
	struct wbuf w = { .n = 0 }, ch = { .n = 0 };
	struct fx fx;
	struct conn c;

	(void)state;
	client_hello(&ch);
	fx_init(&fx, NULL);
	/* 255 acks, an ack array past the packet, a length past it. */
	conn_init(&c, 6, T_UDP, "10.0.0.5", 50004, "192.0.2.10", 1194, 1000);
	open_session(&fx, &c, &o);
	put8(&w, OP_CONTROL << 3);
	put64(&w, o.sid[0]);
	put8(&w, 0xff);
	put(&w, "\0\0\0\1", 4);
	send_w(&fx, &c, 0, &w);
	put8(&w, OP_ACK << 3);
	put64(&w, o.sid[0]);
	put8(&w, 3);
	put(&w, "\0\0\0\1\0\0", 6);
	send_w(&fx, &c, 0, &w);
	assert_int_equal(anomalies(&fx), 2);
	assert_true(detail_has(log_find(&fx.log, OBS_ANOMALY,
					"openvpn_malformed"),
			       "layer=openvpn"));
	/* An id far ahead of the window. */
	packet(&w, &o, 0, OP_CONTROL, 0, 0, 1000, ch.b, ch.n);
	send_w(&fx, &c, 0, &w);
	assert_int_equal(anomalies(&fx), 3);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 0);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);

	/* Gaps: ids 3.. held until too many wait. */
	log_clear(&fx.log);
	conn_init(&c, 7, T_UDP, "10.0.0.5", 50005, "192.0.2.10", 1194, 1000);
	open_session(&fx, &c, &o);
	for (long id = 3; id < 3 + 20; id++) {
		packet(&w, &o, 0, OP_CONTROL, 0, 0, id, "\x17\x03\x03", 3);
		send_w(&fx, &c, 0, &w);
	}
	assert_int_equal(anomalies(&fx), 1);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);

	/* A loop of repeated ids: tolerated a while, then given up. */
	log_clear(&fx.log);
	conn_init(&c, 8, T_UDP, "10.0.0.5", 50006, "192.0.2.10", 1194, 1000);
	open_session(&fx, &c, &o);
	for (int i = 0; i < 60; i++) {
		packet(&w, &o, 0, OP_CONTROL, 0, 0, i % 2 ? 0 : 1, "\x16\x03",
		       2);
		send_w(&fx, &c, 0, &w);
	}
	assert_int_equal(anomalies(&fx), 1);
	conn_end(&fx, &c, NULL, NULL);

	/* TCP: a length of 0. */
	log_clear(&fx.log);
	o.tcp = true;
	conn_init(&c, 9, T_TCP, "10.0.0.5", 40001, "192.0.2.10", 1194, 1000);
	conn_handshake(&fx, &c);
	open_session(&fx, &c, &o);
	conn_send(&fx, &c, FLOW_DIR_C2S, "\x00\x00\x20", 3);
	assert_int_equal(anomalies(&fx), 1);
	conn_end(&fx, &c, NULL, NULL);
	o.tcp = false;

	/* Encrypted control channel (tls-crypt-like): no layout fits, the
	 * flow is left alone, no anomaly. */
	log_clear(&fx.log);
	conn_init(&c, 10, T_UDP, "10.0.0.5", 50007, "192.0.2.10", 1194, 1000);
	put8(&w, OP_RESET_C << 3);
	put64(&w, o.sid[0]);
	put(&w, "\0\0\0\0", 4);
	put(&w, "\0\0\0\1\x60\0\0\1", 8);
	for (int i = 0; i < 40; i++)
		put8(&w, (unsigned)(i * 37 + 11));
	send_w(&fx, &c, 0, &w);
	for (int i = 0; i < 10; i++) {
		put8(&w, (i % 2 ? OP_ACK : OP_CONTROL) << 3);
		put64(&w, o.sid[i % 2]);
		for (int j = 0; j < 60; j++)
			put8(&w, (unsigned)(i * 13 + j * 29 + 3));
		send_w(&fx, &c, i % 2, &w);
	}
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 0);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_and_tls_auth),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_from_ndpi),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
