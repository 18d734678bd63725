/*
 * test_extract_quic.c — cmocka tests of the QUIC family: the RFC 9001 and
 * RFC 9369 sample Initials give tls.sni, tls.alpn, tls.ja3 and a 'q' JA4
 * with impl=attrib and the QUIC version; a ClientHello over two datagrams
 * cites the second; nDPI's values are used only when our decryption gave
 * nothing; the family claims only QUIC-looking flows, reads only the
 * client's datagrams, gives up after QUIC_CLIENT_DATAGRAMS, and keeps its
 * reassembly inside the stream budget.
 */
#include "test_extract_helpers.h"

#include "analyze/parse/quic.h"
#include "test_bytes.h"
#include "quic_seal.h"
#include "quic_vectors.h"

static uint8_t *sample(const char *hex, size_t *n)
{
	return from_hex(hex, n);
}

static void send_hex(struct fx *fx, struct conn *c, enum flow_dir dir,
		     const char *hex)
{
	size_t n;
	uint8_t *d = sample(hex, &n);

	conn_send(fx, c, dir, d, n);
	free(d);
}

static void test_rfc_samples(void **state)
{
	static const struct {
		const char *packet, *name;
	} cases[] = {
		{ rfc9001_client_initial, "quic=1" },
		{ rfc9369_client_initial, "quic=2" },
	};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct fx fx;
		struct conn c;
		const struct rec *r;

		fx_init(&fx, NULL);
		conn_init(&c, 1, T_UDP, "10.0.0.5", 50000, "192.0.2.10", 443,
			  1000);
		send_hex(&fx, &c, FLOW_DIR_C2S, cases[i].packet);
		r = log_find(&fx.log, OBS_TLS_SNI, "example.com");
		assert_non_null(r);
		assert_int_equal(r->frame, 1);
		assert_true(detail_has(r, "impl=attrib"));
		assert_true(detail_has(r, cases[i].name));
		r = log_find(&fx.log, OBS_TLS_ALPN, "alpn");
		assert_true(detail_has(r, "list=alpn"));
		r = log_nth(&fx.log, OBS_TLS_JA3, 0);
		assert_non_null(r);
		assert_true(detail_has(r, "ja3=771,4865-4866,"));
		r = log_nth(&fx.log, OBS_TLS_JA4, 0);
		assert_non_null(r);
		assert_memory_equal(r->value, "q13d0211an_", 11);
		assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);
		conn_end(&fx, &c, NULL, NULL);
		assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
		fx_free(&fx);
	}
}

/* The ClientHello of the RFC sample, split over two sealed Initials. */
static size_t sealed_half(int half, uint8_t *out, size_t cap)
{
	const struct quic_version *v = quic_version_find(QUIC_VERSION_1);
	static const uint8_t dcid[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct wbuf w = { 0 };
	size_t n, len;
	uint8_t *frame = from_hex(RFC_CLIENT_CRYPTO_FRAME, &n);
	const uint8_t *ch = frame + 4; /* past 06 00 40f1 */
	size_t ch_len = n - 4, cut = 100;

	put8(&w, 0x06);
	put16(&w, 0x4000 | (unsigned)(half ? cut : 0));
	put16(&w, 0x4000 | (unsigned)(half ? ch_len - cut : cut));
	put(&w, half ? ch + cut : ch, half ? ch_len - cut : cut);
	while (w.n < 1100)
		put8(&w, 0);
	len = quic_seal_initial(v, 0, dcid, sizeof(dcid), dcid, sizeof(dcid),
				(uint64_t)half, 2, w.b, w.n, out, cap);
	assert_true(len > 0);
	free(frame);
	return len;
}

static void test_two_datagrams_and_server_side(void **state)
{
	struct fx fx;
	struct conn c;
	uint8_t d[1400];
	size_t n;
	const struct rec *r;

	(void)state;
	fx_init(&fx, NULL);
	conn_init(&c, 2, T_UDP, "10.0.0.5", 50001, "192.0.2.10", 443, 1000);
	n = sealed_half(1, d, sizeof(d)); /* the second half first */
	conn_send(&fx, &c, FLOW_DIR_C2S, d, n);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 0);
	/* A server datagram is not read as the client's. */
	conn_send(&fx, &c, FLOW_DIR_S2C, d, n);
	n = sealed_half(0, d, sizeof(d));
	conn_send(&fx, &c, FLOW_DIR_C2S, d, n);
	r = log_find(&fx.log, OBS_TLS_SNI, "example.com");
	assert_non_null(r);
	assert_int_equal(r->frame, 3);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);
	conn_end(&fx, &c, NULL, NULL);
	fx_free(&fx);
}

/* Ours when we have it; nDPI's (impl=ndpi) when decryption failed. */
static void test_ndpi_only_as_fallback(void **state)
{
	struct dpi_result r;
	struct dpi_meta m;
	struct fx fx;
	struct conn c;
	size_t n;
	uint8_t *d;
	const struct rec *rec;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	snprintf(r.proto, sizeof(r.proto), "QUIC");
	snprintf(m.host, sizeof(m.host), "ndpi.example");
	snprintf(m.ja3_client, sizeof(m.ja3_client),
		 "0123456789abcdef0123456789abcdef");

	fx_init(&fx, NULL);
	conn_init(&c, 3, T_UDP, "10.0.0.5", 50002, "192.0.2.10", 443, 1000);
	send_hex(&fx, &c, FLOW_DIR_C2S, rfc9001_client_initial);
	conn_end(&fx, &c, &r, &m);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 1);
	assert_null(log_find(&fx.log, OBS_TLS_SNI, "ndpi.example"));
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 1);
	fx_free(&fx);

	fx_init(&fx, NULL);
	conn_init(&c, 4, T_UDP, "10.0.0.5", 50003, "192.0.2.10", 443, 1000);
	d = sample(rfc9001_client_initial, &n);
	d[700] ^= 0x80;
	conn_send(&fx, &c, FLOW_DIR_C2S, d, n);
	free(d);
	assert_non_null(log_find(&fx.log, OBS_ANOMALY, "quic_undecryptable"));
	conn_end(&fx, &c, &r, &m);
	rec = log_find(&fx.log, OBS_TLS_SNI, "ndpi.example");
	assert_true(detail_has(rec, "impl=ndpi"));
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA4), 0);
	fx_free(&fx);
}

static void test_which_flows(void **state)
{
	struct fx fx;
	struct conn c;
	size_t n;
	uint8_t *d = sample(rfc9001_client_initial, &n);
	uint8_t rtp[40] = { 0x80, 0x60, 0x00, 0x01 };

	(void)state;
	fx_init(&fx, NULL);
	/* gQUIC Q050 first: not ours (nDPI reads gQUIC). */
	conn_init(&c, 5, T_UDP, "10.0.0.5", 50004, "192.0.2.10", 443, 1000);
	memcpy(d + 1, "Q050", 4);
	conn_send(&fx, &c, FLOW_DIR_C2S, d, n);
	memcpy(d + 1, "\x00\x00\x00\x01", 4);
	conn_send(&fx, &c, FLOW_DIR_C2S, d, n);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 0);
	conn_end(&fx, &c, NULL, NULL);

	/* RTP (0x80, no fixed bit) is not claimed either. */
	conn_init(&c, 6, T_UDP, "10.0.0.5", 50005, "192.0.2.10", 443, 1000);
	conn_send(&fx, &c, FLOW_DIR_C2S, rtp, sizeof(rtp));
	conn_send(&fx, &c, FLOW_DIR_C2S, d, n);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 0);
	conn_end(&fx, &c, NULL, NULL);

	/* A reserved version forcing negotiation, then version 1. */
	conn_init(&c, 7, T_UDP, "10.0.0.5", 50006, "192.0.2.10", 443, 1000);
	memcpy(d + 1, "\x1a\x2a\x3a\x4a", 4);
	conn_send(&fx, &c, FLOW_DIR_C2S, d, n);
	memcpy(d + 1, "\x00\x00\x00\x01", 4);
	conn_send(&fx, &c, FLOW_DIR_C2S, d, n);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 1);
	conn_end(&fx, &c, NULL, NULL);

	/* Over TCP it is not QUIC. */
	conn_init(&c, 8, T_TCP, "10.0.0.5", 50007, "192.0.2.10", 443, 1000);
	conn_send(&fx, &c, FLOW_DIR_C2S, d, n);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 1);
	conn_end(&fx, &c, NULL, NULL);
	free(d);
	fx_free(&fx);
}

/* After QUIC_CLIENT_DATAGRAMS (16) datagrams without a ClientHello the
 * family lets the flow go; a later ClientHello is not read. */
static void test_gives_up(void **state)
{
	struct fx fx;
	struct conn c;
	size_t n;
	uint8_t *d = sample(rfc9001_client_initial, &n);
	uint8_t junk[64] = { 0xc0, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
			     0x05, 1, 2, 3, 4, 5 }; /* pn too short to sample */

	(void)state;
	fx_init(&fx, NULL);
	conn_init(&c, 9, T_UDP, "10.0.0.5", 50008, "192.0.2.10", 443, 1000);
	for (int i = 0; i < 16; i++)
		conn_send(&fx, &c, FLOW_DIR_C2S, junk, 14);
	assert_non_null(log_find(&fx.log, OBS_ANOMALY, "quic_malformed"));
	conn_send(&fx, &c, FLOW_DIR_C2S, d, n);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 0);
	conn_end(&fx, &c, NULL, NULL);
	free(d);
	fx_free(&fx);
}

/* A reassembly that would pass the stream budget stops the flow. */
static void test_stream_budget(void **state)
{
	struct extract_config cfg;
	struct fx fx;
	struct conn c;

	(void)state;
	extract_config_default(&cfg);
	cfg.stream_budget_bytes = 100;
	fx_init(&fx, &cfg);
	conn_init(&c, 10, T_UDP, "10.0.0.5", 50009, "192.0.2.10", 443, 1000);
	send_hex(&fx, &c, FLOW_DIR_C2S, rfc9001_client_initial);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 0);
	assert_int_equal(extract_stats(fx.x)->streams_over_budget, 1);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	conn_end(&fx, &c, NULL, NULL);
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_samples),
		cmocka_unit_test(test_two_datagrams_and_server_side),
		cmocka_unit_test(test_ndpi_only_as_fallback),
		cmocka_unit_test(test_which_flows),
		cmocka_unit_test(test_gives_up),
		cmocka_unit_test(test_stream_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
