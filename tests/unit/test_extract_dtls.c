/*
 * test_extract_dtls.c — cmocka tests of the DTLS family: a ClientHello
 * after STUN on one port pair (WebRTC), and behind CAPWAP's DTLS preamble,
 * gives tls.sni, tls.ja3 and a 'd' JA4 with impl=attrib and the record
 * version; other UDP flows are not read; nDPI's values only fill in when
 * our parse gave none; a second ClientHello after a HelloVerifyRequest is
 * read too; each side's Certificate gives the certificate kinds.
 */
#include "test_extract_helpers.h"

#include "test_bytes.h"
#include "dtls_build.h"
#include "tests/unit/x509_cert_vector.h"

/* A STUN Binding request (RFC 5389): type, length 0, cookie, id. */
static const uint8_t stun[20] = {
	0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7,
	8, 9, 10, 11, 12,
};

static void test_after_stun_and_capwap(void **state)
{
	struct wbuf body = {0}, w = {0};
	struct fx fx;
	struct conn c;
	const struct rec *r;

	(void)state;
	hello_body(&body, 0);
	fx_init(&fx, NULL);
	conn_init(&c, 1, T_UDP, "10.0.0.5", 50000, "192.0.2.10", 3478, 1000);
	conn_send(&fx, &c, FLOW_DIR_C2S, stun, sizeof(stun));
	conn_send(&fx, &c, FLOW_DIR_S2C, stun, sizeof(stun));
	record(&w, 0xfefd, 0, body.b, body.n, 0, body.n);
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b, w.n);
	conn_end(&fx, &c, NULL, NULL);
	r = log_find(&fx.log, OBS_TLS_SNI, "dtls.example");
	assert_non_null(r);
	assert_int_equal(r->frame, 3);
	assert_true(detail_has(r, "impl=attrib dtls=1.2"));
	r = log_nth(&fx.log, OBS_TLS_JA3, 0);
	assert_true(detail_has(r, "ja3=" HELLO_JA3));
	assert_memory_equal(log_nth(&fx.log, OBS_TLS_JA4, 0)->value, "dd2d", 4);

	log_clear(&fx.log);
	conn_init(&c, 2, T_UDP, "10.0.0.5", 50001, "192.0.2.10", 5246, 1000);
	w.n = 0;
	put(&w, "\x01\x00\x00\x00", 4);
	record(&w, 0xfeff, 0, body.b, body.n, 0, body.n);
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b, w.n);
	conn_end(&fx, &c, NULL, NULL);
	assert_true(detail_has(log_find(&fx.log, OBS_TLS_SNI, "dtls.example"),
			       "dtls=1.0"));
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	fx_free(&fx);
}

static void test_which_flows_and_ndpi(void **state)
{
	static const uint8_t rtp[24] = { 0x80, 0x60, 0x00, 0x01 };
	struct wbuf body = {0}, w = {0};
	struct dpi_result r;
	struct dpi_meta m;
	struct fx fx;
	struct conn c;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	snprintf(r.proto, sizeof(r.proto), "DTLS");
	snprintf(m.host, sizeof(m.host), "ndpi.example");
	snprintf(m.ja3_client, sizeof(m.ja3_client),
		 "0123456789abcdef0123456789abcdef");
	hello_body(&body, 0);
	record(&w, 0xfefd, 0, body.b, body.n, 0, body.n);

	/* RTP first: not a flow this family reads; nDPI's values stand. */
	fx_init(&fx, NULL);
	conn_init(&c, 3, T_UDP, "10.0.0.5", 50002, "192.0.2.10", 9000, 1000);
	conn_send(&fx, &c, FLOW_DIR_C2S, rtp, sizeof(rtp));
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b, w.n);
	conn_end(&fx, &c, &r, &m);
	assert_true(detail_has(log_find(&fx.log, OBS_TLS_SNI, "ndpi.example"),
			       "impl=ndpi"));
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA4), 0);

	/* DTLS first: ours, and nDPI's are not emitted. */
	log_clear(&fx.log);
	conn_init(&c, 4, T_UDP, "10.0.0.5", 50003, "192.0.2.10", 9000, 1000);
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b, w.n);
	conn_end(&fx, &c, &r, &m);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 1);
	assert_non_null(log_find(&fx.log, OBS_TLS_SNI, "dtls.example"));
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 1);
	fx_free(&fx);
}

/* A HelloVerifyRequest record from the server (handshake type 3). */
static void verify_request(struct wbuf *w)
{
	put8(w, 22);
	put16(w, 0xfefd);
	put16(w, 0);
	put(w, "\0\0\0\0\0\0", 6);
	put16(w, 12 + 3 + 4);
	put8(w, 3);
	put24(w, 7);
	put16(w, 0);
	put24(w, 0);
	put24(w, 7);
	put16(w, 0xfeff);
	put8(w, 4);
	put(w, "\xc0\xc0\xc0\xc0", 4);
}

/* After a HelloVerifyRequest the second ClientHello (with the cookie) is
 * read too: emitted, citing its datagram, when its fingerprints differ,
 * and not when they are the same; retransmissions are not read again;
 * the family lets go once both sides encrypt. */
static void test_second_hello(void **state)
{
	static const char epoch1[] =
		"\x17\xfe\xfd\x00\x01\0\0\0\0\0\1\x00\x02\xaa\xbb";
	struct wbuf body = {0}, body2 = {0}, w = {0}, w2 = {0}, hvr = {0};
	struct fx fx;
	struct conn c;
	const struct rec *r;

	(void)state;
	hello_body(&body, 0);
	hello_body(&body2, 4);
	/* The second offers another suite: 0xc02f becomes 0xc030. */
	body2.b[2 + 32 + 1 + 1 + 4 + 2 + 2 + 2 + 1] = 0x30;
	record(&w, 0xfefd, 0, body.b, body.n, 0, body.n);
	record(&w2, 0xfefd, 1, body2.b, body2.n, 0, body2.n);
	verify_request(&hvr);

	fx_init(&fx, NULL);
	conn_init(&c, 5, T_UDP, "10.0.0.5", 50004, "192.0.2.10", 4433, 1000);
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b, w.n);
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b, w.n);   /* retransmitted */
	conn_send(&fx, &c, FLOW_DIR_S2C, hvr.b, hvr.n);
	conn_send(&fx, &c, FLOW_DIR_C2S, w2.b, w2.n); /* frame 4 */
	conn_send(&fx, &c, FLOW_DIR_C2S, epoch1, sizeof(epoch1) - 1);
	conn_send(&fx, &c, FLOW_DIR_S2C, epoch1, sizeof(epoch1) - 1);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	conn_send(&fx, &c, FLOW_DIR_C2S, w2.b, w2.n); /* not read: done */
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 2);
	assert_int_equal(log_nth(&fx.log, OBS_TLS_JA3, 0)->frame, 1);
	r = log_nth(&fx.log, OBS_TLS_JA3, 1);
	assert_int_equal(r->frame, 4);
	assert_true(detail_has(r, "ja3=65277,49195-49200,"));
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 2);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);

	/* The same fingerprints with the cookie: one set of values. */
	log_clear(&fx.log);
	w2.n = body2.n = 0;
	hello_body(&body2, 4);
	record(&w2, 0xfefd, 1, body2.b, body2.n, 0, body2.n);
	conn_init(&c, 6, T_UDP, "10.0.0.5", 50005, "192.0.2.10", 4433, 1000);
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b, w.n);
	conn_send(&fx, &c, FLOW_DIR_S2C, hvr.b, hvr.n);
	conn_send(&fx, &c, FLOW_DIR_C2S, w2.b, w2.n);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 1);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 1);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	fx_free(&fx);
}

/* WebRTC's mutual authentication: the server's Certificate (in two
 * fragments) and the client's give the certificate kinds, with the record
 * version, the client's with side=client. */
static void test_certificates(void **state)
{
	static const char epoch1[] =
		"\x17\xfe\xfd\x00\x01\0\0\0\0\0\1\x00\x02\xaa\xbb";
	struct wbuf body = {0}, cert = {0}, w = {0};
	struct fx fx;
	struct conn c;
	const struct rec *r;

	(void)state;
	hello_body(&body, 0);
	cert_body(&cert, cert_der, cert_der_len);
	fx_init(&fx, NULL);
	conn_init(&c, 7, T_UDP, "10.0.0.5", 50006, "192.0.2.10", 4433, 1000);
	record(&w, 0xfefd, 0, body.b, body.n, 0, body.n);
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b, w.n);             /* 1 */
	w.n = 0;
	record_of(&w, 0xfefd, 11, 1, cert.b, cert.n, 0, 200);
	conn_send(&fx, &c, FLOW_DIR_S2C, w.b, w.n);             /* 2 */
	assert_int_equal(log_count(&fx.log, OBS_TLS_CERT_SERIAL), 0);
	w.n = 0;
	record_of(&w, 0xfefd, 11, 1, cert.b, cert.n, 200, cert.n - 200);
	conn_send(&fx, &c, FLOW_DIR_S2C, w.b, w.n);             /* 3 */
	w.n = 0;
	record_of(&w, 0xfefd, 11, 1, cert.b, cert.n, 0, cert.n);
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b, w.n);             /* 4 */
	conn_send(&fx, &c, FLOW_DIR_C2S, epoch1, sizeof(epoch1) - 1);
	conn_send(&fx, &c, FLOW_DIR_S2C, epoch1, sizeof(epoch1) - 1);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_CERT_SERIAL), 2);
	r = log_nth(&fx.log, OBS_TLS_CERT_SERIAL, 0);
	assert_string_equal(r->value, "00a1b2c3d4e5f6");
	assert_int_equal(r->frame, 3);
	assert_true(detail_has(r, "impl=gnutls dtls=1.2 cert=0"));
	r = log_nth(&fx.log, OBS_TLS_CERT_SERIAL, 1);
	assert_int_equal(r->frame, 4);
	assert_true(detail_has(r, "impl=gnutls dtls=1.2 side=client cert=0"));
	r = log_nth(&fx.log, OBS_TLS_CERT_SHA1, 0);
	assert_true(detail_has(r, "impl=attrib dtls=1.2 certs=1"));
	assert_non_null(log_find(&fx.log, OBS_TLS_CERT_SAN, "*.cdn.example"));
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 1);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_after_stun_and_capwap),
		cmocka_unit_test(test_which_flows_and_ndpi),
		cmocka_unit_test(test_second_hello),
		cmocka_unit_test(test_certificates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
