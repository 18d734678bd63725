/*
 * test_extract_http.c — cmocka tests of the HTTP and SSH families over
 * reassembled TCP streams: persistent connections, requests split across
 * segments, bodies skipped by length and by chunk framing, pipelining,
 * retransmissions, gaps and resynchronisation, protocols that look like
 * HTTP but are not, banners and KEXINIT/HASSH on both sides, and hostile
 * input (a line without end, an over-long banner).
 */
#include "test_extract_helpers.h"

#include "analyze/crypto/digest.h"

static void http_conn(struct fx *fx, struct conn *c, uint64_t id)
{
	conn_init(c, id, T_TCP, "10.0.0.5", 40000, "198.51.100.20", 80, 1000);
	conn_handshake(fx, c);
}

static void test_http_persistent_split(void **state)
{
	struct fx fx;
	struct conn c;
	const struct rec *r;

	fx_init(&fx, NULL);
	http_conn(&fx, &c, 1);
	conn_send_str(&fx, &c, FLOW_DIR_C2S,
		      "GET /a HTTP/1.1\r\nHost: example.test\r\n"
		      "User-Agent: UA-1\r\n\r\n");
	conn_send_str(&fx, &c, FLOW_DIR_S2C,
		      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
	conn_send_str(&fx, &c, FLOW_DIR_C2S,
		      "GET /b?x=1 HTTP/1.1\r\nHost: exam");
	assert_int_equal(log_count(&fx.log, OBS_HTTP_URL), 1);
	conn_send_str(&fx, &c, FLOW_DIR_C2S,
		      "ple.test\r\nUser-Agent: UA-2\r\n\r\n");
	conn_end(&fx, &c, NULL, NULL);

	assert_int_equal(log_count(&fx.log, OBS_HTTP_URL), 2);
	assert_int_equal(log_count_value(&fx.log, OBS_HTTP_HOST,
					 "example.test"), 2);
	r = log_find(&fx.log, OBS_HTTP_URL, "http://example.test/a");
	assert_true(detail_has(r, "method=GET version=HTTP/1.1"));
	assert_int_equal(r->frame, 3);
	r = log_find(&fx.log, OBS_HTTP_URL, "http://example.test/b?x=1");
	assert_non_null(r);
	assert_int_equal(r->frame, 6); /* the segment that completed it */
	assert_non_null(log_find(&fx.log, OBS_HTTP_USER_AGENT, "UA-1"));
	assert_non_null(log_find(&fx.log, OBS_HTTP_USER_AGENT, "UA-2"));
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);
	fx_free(&fx);
}

static void test_http_bodies_and_pipelining(void **state)
{
	struct fx fx;
	struct conn c;

	fx_init(&fx, NULL);
	http_conn(&fx, &c, 2);
	/* Content-Length body split across segments. */
	conn_send_str(&fx, &c, FLOW_DIR_C2S,
		      "POST /up HTTP/1.1\r\nHost: h.test\r\n"
		      "Content-Length: 10\r\n\r\n01234");
	conn_send_str(&fx, &c, FLOW_DIR_C2S, "56789");
	/* Chunked body: a chunk longer than what is buffered, then two
	 * pipelined requests in one segment. */
	conn_send_str(&fx, &c, FLOW_DIR_C2S,
		      "POST /c HTTP/1.1\r\nHost: h.test\r\n"
		      "Transfer-Encoding: chunked\r\n\r\n4\r\nab");
	conn_send_str(&fx, &c, FLOW_DIR_C2S, "cd\r\n5;ext=1\r\nhel");
	conn_send_str(&fx, &c, FLOW_DIR_C2S,
		      "lo\r\n0\r\nTrailer: x\r\n\r\n"
		      "GET /p1 HTTP/1.1\r\nHost: h.test\r\n\r\n"
		      "HEAD /p2 HTTP/1.1\r\nHost: h.test\r\n\r\n");
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_HTTP_URL), 4);
	assert_non_null(log_find(&fx.log, OBS_HTTP_URL, "http://h.test/up"));
	assert_non_null(log_find(&fx.log, OBS_HTTP_URL, "http://h.test/c"));
	assert_non_null(log_find(&fx.log, OBS_HTTP_URL, "http://h.test/p1"));
	assert_true(detail_has(log_find(&fx.log, OBS_HTTP_URL,
					"http://h.test/p2"), "method=HEAD"));
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);
	fx_free(&fx);
}

static void test_http_retransmit_gap_resync(void **state)
{
	struct fx fx;
	struct conn c;
	const char *req = "GET /one HTTP/1.1\r\nHost: r.test\r\n\r\n";
	const char *part = "GET /two HTTP/1.1\r\nHo";

	fx_init(&fx, NULL);
	http_conn(&fx, &c, 3);
	conn_send_str(&fx, &c, FLOW_DIR_C2S, req);
	/* The same segment again: a retransmission. */
	conn_send_at(&fx, &c, FLOW_DIR_C2S, req, strlen(req), 0,
		     -(int32_t)strlen(req), 0);
	assert_int_equal(log_count(&fx.log, OBS_HTTP_URL), 1);
	/* A partial request, then a retransmission overlapping its end and
	 * carrying the rest. */
	conn_send_str(&fx, &c, FLOW_DIR_C2S, part);
	conn_send_at(&fx, &c, FLOW_DIR_C2S,
		     "HTTP/1.1\r\nHost: r.test\r\n\r\n", 26, 0, -12, 0);
	assert_int_equal(log_count(&fx.log, OBS_HTTP_URL), 2);
	assert_non_null(log_find(&fx.log, OBS_HTTP_URL, "http://r.test/two"));
	/* Bytes lost (a gap), then a segment starting a new request. */
	c.seq[0] += 700;
	conn_send_str(&fx, &c, FLOW_DIR_C2S,
		      "GET /three HTTP/1.1\r\nHost: r.test\r\n\r\n");
	assert_non_null(log_find(&fx.log, OBS_HTTP_URL,
				 "http://r.test/three"));
	assert_int_equal(extract_stats(fx.x)->streams_gap, 1);
	/* No Host: the server address stands in. */
	conn_send_str(&fx, &c, FLOW_DIR_C2S, "GET /nohost HTTP/1.0\r\n\r\n");
	assert_non_null(log_find(&fx.log, OBS_HTTP_URL,
				 "http://198.51.100.20/nohost"));
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_HTTP_URL), 4);
	fx_free(&fx);
}

static void test_http_not_http(void **state)
{
	struct fx fx;
	struct conn c;

	fx_init(&fx, NULL);
	/* RTSP looks like HTTP but is not. */
	conn_init(&c, 4, T_TCP, "10.0.0.5", 40010, "198.51.100.21", 554, 1000);
	conn_handshake(&fx, &c);
	conn_send_str(&fx, &c, FLOW_DIR_C2S,
		      "OPTIONS rtsp://cam.test/s RTSP/1.0\r\nCSeq: 1\r\n\r\n");
	conn_end(&fx, &c, NULL, NULL);
	/* Binary data on port 80. */
	conn_init(&c, 5, T_TCP, "10.0.0.5", 40011, "198.51.100.21", 80, 1000);
	conn_handshake(&fx, &c);
	conn_send(&fx, &c, FLOW_DIR_C2S, "\x00\x01\x02GET / HTTP/1.1\r\n\r\n",
		  21);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_HTTP_URL), 0);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	fx_free(&fx);
}

/* SSDP requests in datagrams; a capture that starts with the reply. */
static void test_http_ssdp_and_reversed(void **state)
{
	struct fx fx;
	struct conn c;
	const char *search = "M-SEARCH * HTTP/1.1\r\n"
			     "HOST: 239.255.255.250:1900\r\n"
			     "MAN: \"ssdp:discover\"\r\nMX: 1\r\n"
			     "ST: ssdp:all\r\nUSER-AGENT: Chrome/99 Mac OS X\r\n\r\n";

	fx_init(&fx, NULL);
	conn_init(&c, 7, T_UDP, "10.0.0.5", 51000, "239.255.255.250", 1900,
		  1000);
	conn_send_str(&fx, &c, FLOW_DIR_C2S, search);
	conn_send_str(&fx, &c, FLOW_DIR_S2C,
		      "HTTP/1.1 200 OK\r\nST: ssdp:all\r\n\r\n");
	conn_send_str(&fx, &c, FLOW_DIR_C2S, search);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count_value(&fx.log, OBS_HTTP_HOST,
					 "239.255.255.250:1900"), 2);
	assert_non_null(log_find(&fx.log, OBS_HTTP_URL,
				 "http://239.255.255.250:1900*"));
	assert_non_null(log_find(&fx.log, OBS_HTTP_USER_AGENT,
				 "Chrome/99 Mac OS X"));

	/* The first packet seen is the server's: requests go "S2C". */
	log_clear(&fx.log);
	conn_init(&c, 8, T_TCP, "198.51.100.20", 80, "10.0.0.5", 1044, 1000);
	conn_send_str(&fx, &c, FLOW_DIR_C2S,
		      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	conn_send_str(&fx, &c, FLOW_DIR_S2C,
		      "GET /icons/logo.png HTTP/1.1\r\nHost: rev.test\r\n\r\n");
	conn_send_str(&fx, &c, FLOW_DIR_C2S,
		      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	conn_send_str(&fx, &c, FLOW_DIR_S2C,
		      "GET /b HTTP/1.1\r\nHost: rev.test\r\n\r\n");
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_HTTP_URL), 2);
	assert_non_null(log_find(&fx.log, OBS_HTTP_URL,
				 "http://rev.test/icons/logo.png"));
	fx_free(&fx);
}

static void test_http_hostile(void **state)
{
	struct fx fx;
	struct conn c;
	char *line = malloc(12000);
	uint32_t cap_before;

	fx_init(&fx, NULL);
	http_conn(&fx, &c, 6);
	/* A request line that never ends, in 1000-byte segments. */
	memcpy(line, "GET /", 5);
	memset(line + 5, 'a', 12000 - 5);
	for (size_t off = 0; off < 12000; off += 1000)
		conn_send(&fx, &c, FLOW_DIR_C2S, line + off, 1000);
	assert_non_null(log_find(&fx.log, OBS_ANOMALY, "field_too_long"));
	assert_true(detail_has(log_find(&fx.log, OBS_ANOMALY,
					"field_too_long"), "layer=http"));
	/* NUL bytes and a bare LF: emitted, with an anomaly. */
	conn_send(&fx, &c, FLOW_DIR_C2S,
		  "GET /z HTTP/1.1\nHost: a\0b\r\n\r\n", 29);
	cap_before = (uint32_t)log_count(&fx.log, OBS_HTTP_URL);
	conn_end(&fx, &c, NULL, NULL);
	assert_non_null(log_find(&fx.log, OBS_ANOMALY, "http_malformed"));
	assert_int_equal(cap_before, 1);
	free(line);
	fx_free(&fx);
}

/* --- SSH --------------------------------------------------------------- */

static size_t put_list(uint8_t *p, const char *s)
{
	size_t n = strlen(s);

	p[0] = (uint8_t)(n >> 24), p[1] = (uint8_t)(n >> 16);
	p[2] = (uint8_t)(n >> 8), p[3] = (uint8_t)n;
	memcpy(p + 4, s, n);
	return 4 + n;
}

/* A KEXINIT binary packet with the given ten name-lists. */
static size_t kexinit_build(uint8_t *buf, const char *const lists[10])
{
	size_t o = 5, payload_len, pad;

	buf[o++] = 20;
	memset(buf + o, 0x42, 16), o += 16;
	for (int i = 0; i < 10; i++)
		o += put_list(buf + o, lists[i]);
	buf[o++] = 0;
	memset(buf + o, 0, 4), o += 4;
	payload_len = o - 5;
	pad = 8 - (5 + payload_len) % 8;
	if (pad < 4)
		pad += 8;
	memset(buf + o, 0, pad), o += pad;
	buf[4] = (uint8_t)pad;
	payload_len = o - 4;
	buf[0] = (uint8_t)(payload_len >> 24), buf[1] = (uint8_t)(payload_len >> 16);
	buf[2] = (uint8_t)(payload_len >> 8), buf[3] = (uint8_t)payload_len;
	return o;
}

static void test_ssh_banners_hassh(void **state)
{
	static const char *const lists[10] = {
		"curve25519-sha256,diffie-hellman-group14-sha256",
		"ssh-ed25519",
		"aes128-ctr,aes256-gcm@openssh.com", "aes256-ctr",
		"hmac-sha2-256", "hmac-sha1",
		"none", "zlib@openssh.com,none", "", "",
	};
	struct fx fx;
	struct conn c;
	uint8_t kex[1024];
	size_t n = kexinit_build(kex, lists);
	char want_c[DIGEST_MD5_HEX_SIZE], want_s[DIGEST_MD5_HEX_SIZE];
	const char *in_c = "curve25519-sha256,diffie-hellman-group14-sha256;"
			   "aes128-ctr,aes256-gcm@openssh.com;hmac-sha2-256;"
			   "none";
	const char *in_s = "curve25519-sha256,diffie-hellman-group14-sha256;"
			   "aes256-ctr;hmac-sha1;zlib@openssh.com,none";
	const struct rec *r;

	digest_md5_hex(in_c, strlen(in_c), want_c);
	digest_md5_hex(in_s, strlen(in_s), want_s);
	fx_init(&fx, NULL);
	conn_init(&c, 30, T_TCP, "10.0.0.5", 40020, "198.51.100.22", 2222, 1000);
	conn_handshake(&fx, &c);
	conn_send_str(&fx, &c, FLOW_DIR_S2C, "SSH-2.0-dropbear_2022.83\r\n");
	conn_send_str(&fx, &c, FLOW_DIR_C2S, "SSH-2.0-OpenSSH_9.6\r\n");
	/* The client's KEXINIT in two segments, the server's in one. */
	conn_send(&fx, &c, FLOW_DIR_C2S, kex, 100);
	conn_send(&fx, &c, FLOW_DIR_C2S, kex + 100, n - 100);
	conn_send(&fx, &c, FLOW_DIR_S2C, kex, n);
	/* Encrypted traffic afterwards is not looked at. */
	conn_send(&fx, &c, FLOW_DIR_C2S, "\x17\x99", 2);
	conn_end(&fx, &c, NULL, NULL);

	r = log_find(&fx.log, OBS_SSH_BANNER, "SSH-2.0-OpenSSH_9.6");
	assert_true(detail_has(r, "side=client"));
	r = log_find(&fx.log, OBS_SSH_BANNER, "SSH-2.0-dropbear_2022.83");
	assert_true(detail_has(r, "side=server"));
	r = log_find(&fx.log, OBS_SSH_HASSH, want_c);
	assert_true(detail_has(r, "side=client impl=attrib"));
	assert_true(detail_has(r, "algorithms=curve25519-sha256"));
	assert_int_equal(r->frame, 6);
	r = log_find(&fx.log, OBS_SSH_HASSH, want_s);
	assert_true(detail_has(r, "side=server impl=attrib"));
	assert_int_equal(log_count(&fx.log, OBS_SSH_HASSH), 2);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	fx_free(&fx);
}

static void test_ssh_hostile(void **state)
{
	struct fx fx;
	struct conn c;
	char banner[400];

	fx_init(&fx, NULL);
	conn_init(&c, 31, T_TCP, "10.0.0.5", 40021, "198.51.100.22", 22, 1000);
	conn_handshake(&fx, &c);
	memcpy(banner, "SSH-2.0-", 8);
	memset(banner + 8, 'A', 390);
	memcpy(banner + 398, "\r\n", 2);
	conn_send(&fx, &c, FLOW_DIR_C2S, banner, sizeof(banner));
	/* A KEXINIT claiming to be longer than any we accept. */
	conn_send_str(&fx, &c, FLOW_DIR_S2C, "SSH-2.0-srv\r\n");
	conn_send(&fx, &c, FLOW_DIR_S2C, "\x7f\xff\xff\xff\x04\x14", 6);
	conn_end(&fx, &c, NULL, NULL);
	assert_non_null(log_find(&fx.log, OBS_ANOMALY, "field_too_long"));
	assert_non_null(log_find(&fx.log, OBS_ANOMALY, "ssh_malformed"));
	assert_int_equal(log_count(&fx.log, OBS_SSH_BANNER), 1);
	assert_int_equal(log_count(&fx.log, OBS_SSH_HASSH), 0);
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_persistent_split),
		cmocka_unit_test(test_http_bodies_and_pipelining),
		cmocka_unit_test(test_http_retransmit_gap_resync),
		cmocka_unit_test(test_http_not_http),
		cmocka_unit_test(test_http_ssdp_and_reversed),
		cmocka_unit_test(test_http_hostile),
		cmocka_unit_test(test_ssh_banners_hassh),
		cmocka_unit_test(test_ssh_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
