/*
 * test_extract_tls.c — cmocka tests of the TLS family: a ClientHello split
 * across segments gives SNI, ALPN, JA3 and JA4 (checked against values
 * computed here from the JA3/JA4 definitions); ServerHello and
 * Certificate give JA3S and the leaf's SHA-1, subject and issuer; a TLS
 * 1.3 server ends the family without a certificate, and nDPI's values
 * fill only what our parse lacks; hostile lengths give anomalies; after a
 * HelloRetryRequest the second ClientHello is read too; a TLS 1.2
 * client's Certificate is read (side=client); segments of a direction
 * that arrive out of order are held until the gap fills.
 *
 * The certificate is a test leaf made with openssl for this file
 * (O=Attrib Test, CN=c2.example, issued by C=XX, O=Attrib Test CA,
 * CN=Test Root; SHA-1 04cefd2837c2396714d101ccbae84dfc521e5785).
 */
#include "test_extract_helpers.h"

#include "analyze/crypto/digest.h"

static const uint8_t leaf_der[] = {
  0x30, 0x82, 0x01, 0x4d, 0x30, 0x81, 0xf3, 0x02, 0x01, 0x07, 0x30, 0x0a,
  0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x30, 0x3a,
  0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, 0x58,
  0x58, 0x31, 0x17, 0x30, 0x15, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x0e,
  0x41, 0x74, 0x74, 0x72, 0x69, 0x62, 0x20, 0x54, 0x65, 0x73, 0x74, 0x20,
  0x43, 0x41, 0x31, 0x12, 0x30, 0x10, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c,
  0x09, 0x54, 0x65, 0x73, 0x74, 0x20, 0x52, 0x6f, 0x6f, 0x74, 0x30, 0x1e,
  0x17, 0x0d, 0x32, 0x36, 0x31, 0x31, 0x32, 0x34, 0x31, 0x39, 0x34, 0x37,
  0x33, 0x38, 0x5a, 0x17, 0x0d, 0x33, 0x36, 0x31, 0x31, 0x32, 0x31, 0x31,
  0x39, 0x34, 0x37, 0x33, 0x38, 0x5a, 0x30, 0x2b, 0x31, 0x14, 0x30, 0x12,
  0x06, 0x03, 0x55, 0x04, 0x0a, 0x0c, 0x0b, 0x41, 0x74, 0x74, 0x72, 0x69,
  0x62, 0x20, 0x54, 0x65, 0x73, 0x74, 0x31, 0x13, 0x30, 0x11, 0x06, 0x03,
  0x55, 0x04, 0x03, 0x0c, 0x0a, 0x63, 0x32, 0x2e, 0x65, 0x78, 0x61, 0x6d,
  0x70, 0x6c, 0x65, 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
  0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03,
  0x01, 0x07, 0x03, 0x42, 0x00, 0x04, 0x94, 0x98, 0x95, 0x45, 0xf1, 0x54,
  0x2e, 0x2f, 0xc1, 0x80, 0xf5, 0x56, 0xb4, 0xd5, 0xcd, 0x17, 0x28, 0xf4,
  0x77, 0x91, 0xac, 0x05, 0x70, 0xce, 0x67, 0xbf, 0x89, 0xcc, 0x25, 0x71,
  0xf1, 0x27, 0xa4, 0xb5, 0x94, 0x2c, 0x2f, 0x31, 0x0c, 0x50, 0x6f, 0xbd,
  0x2d, 0x64, 0xdb, 0xe6, 0x14, 0x70, 0x1d, 0xe6, 0x28, 0xef, 0x49, 0xe1,
  0x2e, 0x87, 0x89, 0xd5, 0x7e, 0x69, 0x41, 0x41, 0xa6, 0xf7, 0x30, 0x0a,
  0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x03, 0x49,
  0x00, 0x30, 0x46, 0x02, 0x21, 0x00, 0xce, 0x10, 0x34, 0x82, 0xb0, 0x86,
  0x90, 0xcc, 0xff, 0xfc, 0xee, 0x32, 0x59, 0x2d, 0x61, 0xdf, 0xb1, 0xf2,
  0x14, 0x9e, 0xd5, 0x6f, 0x2e, 0x70, 0x70, 0x90, 0x80, 0x90, 0xc7, 0x25,
  0xab, 0xbf, 0x02, 0x21, 0x00, 0xbc, 0xbe, 0xff, 0x88, 0xbd, 0x94, 0xa2,
  0xf9, 0x62, 0x89, 0x0f, 0x6a, 0x82, 0xce, 0x3f, 0xc0, 0x75, 0x8a, 0x70,
  0x1d, 0xcd, 0x76, 0x4f, 0xd2, 0x7c, 0xd4, 0x7e, 0x5c, 0x11, 0x61, 0x2e,
  0xba
};

#define LEAF_SHA1 "04cefd2837c2396714d101ccbae84dfc521e5785"
/* Segments a TCP stream holds past a gap (STREAM_HELD_MAX, stream.c). */
#define HELD_MAX 8

/* A byte string built front to back, with back-patched lengths. */
struct bytes {
	uint8_t b[4096];
	size_t n;
};

static void u8(struct bytes *w, unsigned v)
{
	assert_true(w->n < sizeof(w->b));
	w->b[w->n++] = (uint8_t)v;
}

static void u16(struct bytes *w, unsigned v)
{
	u8(w, v >> 8);
	u8(w, v & 0xff);
}

static void u24(struct bytes *w, unsigned v)
{
	u8(w, v >> 16);
	u16(w, v & 0xffff);
}

static void raw(struct bytes *w, const void *p, size_t n)
{
	assert_true(n <= sizeof(w->b) - w->n);
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

/* Starts a length field of width 1..3 bytes; returns where it is. */
static size_t len_open(struct bytes *w, int width)
{
	size_t at = w->n;

	for (int i = 0; i < width; i++)
		u8(w, 0);
	return at;
}

static void len_close(struct bytes *w, size_t at, int width)
{
	size_t v = w->n - at - (size_t)width;

	for (int i = width - 1; i >= 0; i--, v >>= 8)
		w->b[at + (size_t)i] = (uint8_t)v;
}

/* A handshake record around one handshake message body. */
static void record_open(struct bytes *w, size_t *rec, size_t *hs,
			unsigned hs_type)
{
	u8(w, 0x16);
	u16(w, 0x0301);
	*rec = len_open(w, 2);
	u8(w, hs_type);
	*hs = len_open(w, 3);
}

static void record_close(struct bytes *w, size_t rec, size_t hs)
{
	len_close(w, hs, 3);
	len_close(w, rec, 2);
}

/* A ClientHello; cookie adds a cookie extension (as after a
 * HelloRetryRequest), which changes JA3 and JA4. */
static void client_hello_with(struct bytes *w, bool bad_ext_len,
			      bool cookie)
{
	size_t rec, hs, l, e, x;

	record_open(w, &rec, &hs, 1);
	u16(w, 0x0303);
	for (int i = 0; i < 32; i++)
		u8(w, (unsigned)i);
	u8(w, 32);
	for (int i = 0; i < 32; i++)
		u8(w, 0xee);
	l = len_open(w, 2);
	u16(w, 0x0a0a); /* GREASE */
	u16(w, 0x1301);
	u16(w, 0x1302);
	u16(w, 0xc02f);
	len_close(w, l, 2);
	u8(w, 1);
	u8(w, 0);
	e = len_open(w, 2);
	u16(w, 0x1a1a); /* GREASE extension */
	u16(w, 0);
	u16(w, 0x0000); /* server_name */
	x = len_open(w, 2);
	l = len_open(w, 2);
	u8(w, 0);
	u16(w, 10);
	raw(w, "c2.example", 10);
	len_close(w, l, 2);
	len_close(w, x, 2);
	u16(w, 0x000a); /* supported_groups */
	x = len_open(w, 2);
	l = len_open(w, 2);
	u16(w, 0x2a2a);
	u16(w, 0x001d);
	u16(w, 0x0017);
	len_close(w, l, 2);
	len_close(w, x, 2);
	u16(w, 0x000b); /* ec_point_formats */
	u16(w, 2);
	u8(w, 1);
	u8(w, 0);
	u16(w, 0x0010); /* ALPN */
	x = len_open(w, 2);
	l = len_open(w, 2);
	u8(w, 2);
	raw(w, "h2", 2);
	u8(w, 8);
	raw(w, "http/1.1", 8);
	len_close(w, l, 2);
	len_close(w, x, 2);
	u16(w, 0x000d); /* signature_algorithms */
	u16(w, 6);
	u16(w, 4);
	u16(w, 0x0403);
	u16(w, 0x0804);
	u16(w, 0x002b); /* supported_versions */
	u16(w, 7);
	u8(w, 6);
	u16(w, 0x3a3a);
	u16(w, 0x0304);
	u16(w, 0x0303);
	if (cookie) {
		u16(w, 0x002c);
		u16(w, 4);
		u16(w, 2);
		u16(w, 0xc00c);
	}
	if (bad_ext_len) {
		u16(w, 0x0015); /* padding whose length runs past the end */
		u16(w, 400);
		u8(w, 0);
	}
	len_close(w, e, 2);
	record_close(w, rec, hs);
}

static void client_hello(struct bytes *w, bool bad_ext_len)
{
	client_hello_with(w, bad_ext_len, false);
}

/* RFC 8446 4.1.3: the random of a HelloRetryRequest. */
static const uint8_t retry_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
	0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
	0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* ServerHello (TLS 1.2, or 1.3 through supported_versions; retry: a
 * HelloRetryRequest). */
static void server_hello_as(struct bytes *w, bool tls13, bool retry)
{
	size_t rec, hs, e;

	record_open(w, &rec, &hs, 2);
	u16(w, 0x0303);
	if (retry)
		raw(w, retry_random, sizeof(retry_random));
	else
		for (int i = 0; i < 32; i++)
			u8(w, 0x55);
	u8(w, 0);
	u16(w, tls13 ? 0x1301 : 0xc02f);
	u8(w, 0);
	e = len_open(w, 2);
	if (tls13) {
		u16(w, 0x002b);
		u16(w, 2);
		u16(w, 0x0304);
	} else {
		u16(w, 0xff01);
		u16(w, 1);
		u8(w, 0);
		u16(w, 0x000b);
		u16(w, 2);
		u8(w, 1);
		u8(w, 0);
	}
	len_close(w, e, 2);
	record_close(w, rec, hs);
}

static void server_hello(struct bytes *w, bool tls13)
{
	server_hello_as(w, tls13, false);
}

/* A Certificate message holding the test leaf, in its own record. */
static void certificate_message(struct bytes *w)
{
	size_t rec, hs, l;

	record_open(w, &rec, &hs, 11);
	l = len_open(w, 3);
	u24(w, sizeof(leaf_der));
	raw(w, leaf_der, sizeof(leaf_der));
	len_close(w, l, 3);
	record_close(w, rec, hs);
}

static void certificate(struct bytes *w)
{
	certificate_message(w);
	/* ServerHelloDone */
	raw(w, "\x16\x03\x03\x00\x04\x0e\x00\x00\x00", 9);
}

static void tls_conn(struct fx *fx, struct conn *c, uint64_t id)
{
	conn_init(c, id, T_TCP, "10.0.0.5", 40100, "203.0.113.10", 8443, 1000);
	conn_handshake(fx, c);
}

static void hash12(const char *in, char out[13])
{
	char hex[DIGEST_SHA256_HEX_SIZE];

	digest_sha256_hex(in, strlen(in), hex);
	memcpy(out, hex, 12);
	out[12] = '\0';
}

static void test_tls_client_and_server(void **state)
{
	struct fx fx;
	struct conn c;
	struct bytes ch = {.n = 0}, sv = {.n = 0};
	const char *ja3 = "771,4865-4866-49199,0-10-11-16-13-43,29-23,0";
	const char *ja3s = "771,49199,65281-11";
	char ja3_md5[DIGEST_MD5_HEX_SIZE], ja3s_md5[DIGEST_MD5_HEX_SIZE];
	char b[13], cc[13], ja4[64], sha1[DIGEST_SHA1_HEX_SIZE];
	const struct rec *r;

	digest_md5_hex(ja3, strlen(ja3), ja3_md5);
	digest_md5_hex(ja3s, strlen(ja3s), ja3s_md5);
	hash12("1301,1302,c02f", b);
	hash12("000a,000b,000d,002b_0403,0804", cc);
	snprintf(ja4, sizeof(ja4), "t13d0306h2_%s_%s", b, cc);
	digest_sha1_hex(leaf_der, sizeof(leaf_der), sha1);
	assert_string_equal(sha1, LEAF_SHA1);

	fx_init(&fx, NULL);
	tls_conn(&fx, &c, 40);
	client_hello(&ch, false);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b, 60);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 0);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b + 60, ch.n - 60);
	server_hello(&sv, false);
	certificate(&sv);
	conn_send(&fx, &c, FLOW_DIR_S2C, sv.b, 100);
	conn_send(&fx, &c, FLOW_DIR_S2C, sv.b + 100, sv.n - 100);
	/* TLS 1.2: the client's side waits for its certificate or CCS. */
	assert_true(extract_stats(fx.x)->stream_bytes > 0);
	conn_send(&fx, &c, FLOW_DIR_C2S, "\x14\x03\x03\x00\x01\x01", 6);
	/* Both directions are done: buffers given back before flow end. */
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	conn_end(&fx, &c, NULL, NULL);

	r = log_find(&fx.log, OBS_TLS_SNI, "c2.example");
	assert_true(detail_has(r, "impl=attrib"));
	assert_int_equal(r->frame, 4);
	assert_int_equal(log_count(&fx.log, OBS_TLS_ALPN), 2);
	assert_true(detail_has(log_find(&fx.log, OBS_TLS_ALPN, "http/1.1"),
			       "list=h2,http/1.1"));
	r = log_find(&fx.log, OBS_TLS_JA3, ja3_md5);
	assert_non_null(r);
	assert_true(detail_has(r, "impl=attrib ja3=771,4865-4866-49199,"));
	r = log_find(&fx.log, OBS_TLS_JA4, ja4);
	assert_true(detail_has(r, "impl=attrib"));
	r = log_find(&fx.log, OBS_TLS_JA3S, ja3s_md5);
	assert_true(detail_has(r, "ja3s=771,49199,65281-11"));
	r = log_find(&fx.log, OBS_TLS_CERT_SHA1, LEAF_SHA1);
	assert_true(detail_has(r, "impl=attrib certs=1"));
	assert_int_equal(r->frame, 6);
	assert_non_null(log_find(&fx.log, OBS_TLS_CERT_SUBJECT,
				 "O=Attrib Test, CN=c2.example"));
	assert_non_null(log_find(&fx.log, OBS_TLS_CERT_ISSUER,
				 "C=XX, O=Attrib Test CA, CN=Test Root"));
	assert_int_equal(log_count(&fx.log, OBS_TLS_CERT_SHA1), 1);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);
	fx_free(&fx);
}

static void test_tls13_and_ndpi_fill(void **state)
{
	struct fx fx;
	struct conn c;
	struct bytes ch = {.n = 0}, sv = {.n = 0};
	struct dpi_result r;
	struct dpi_meta m;

	fx_init(&fx, NULL);
	tls_conn(&fx, &c, 41);
	client_hello(&ch, false);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b, ch.n);
	server_hello(&sv, true);
	raw(&sv, "\x14\x03\x03\x00\x01\x01", 6);          /* CCS */
	raw(&sv, "\x17\x03\x03\x00\x03\xaa\xbb\xcc", 8);  /* encrypted */
	conn_send(&fx, &c, FLOW_DIR_S2C, sv.b, sv.n);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	snprintf(r.proto, sizeof(r.proto), "TLS");
	snprintf(m.host, sizeof(m.host), "other.example");
	snprintf(m.ja3_client, sizeof(m.ja3_client),
		 "ffffffffffffffffffffffffffffffff");
	snprintf(m.cert_sha1, sizeof(m.cert_sha1), "%s", LEAF_SHA1);
	m.tls_version = 0x0304;
	conn_end(&fx, &c, &r, &m);
	/* Ours win where we have them; nDPI fills the rest (impl=ndpi). */
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 1);
	assert_non_null(log_find(&fx.log, OBS_TLS_SNI, "c2.example"));
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 1);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3S), 1);
	assert_true(detail_has(log_find(&fx.log, OBS_TLS_CERT_SHA1, LEAF_SHA1),
			       "impl=ndpi"));
	fx_free(&fx);
}

static void test_tls_hostile(void **state)
{
	struct fx fx;
	struct conn c;
	struct bytes ch = {.n = 0};

	fx_init(&fx, NULL);
	/* An extension length running past the ClientHello. */
	tls_conn(&fx, &c, 42);
	client_hello(&ch, true);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b, ch.n);
	conn_end(&fx, &c, NULL, NULL);
	assert_non_null(log_find(&fx.log, OBS_ANOMALY, "tls_malformed"));
	assert_true(detail_has(log_find(&fx.log, OBS_ANOMALY, "tls_malformed"),
			       "layer=tls"));
	/* A record longer than TLS allows: reported at once. */
	log_clear(&fx.log);
	tls_conn(&fx, &c, 43);
	conn_send(&fx, &c, FLOW_DIR_C2S, "\x16\x03\x01\xff\xf0\x01\x00", 7);
	assert_non_null(log_find(&fx.log, OBS_ANOMALY, "tls_malformed"));
	/* A server record that never completes: the flow just ends. */
	conn_send(&fx, &c, FLOW_DIR_S2C, "\x16\x03\x03\x10\x00\x02", 6);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 1);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	/* A handshake message claimed longer than its record, then junk. */
	log_clear(&fx.log);
	tls_conn(&fx, &c, 44);
	conn_send(&fx, &c, FLOW_DIR_C2S,
		  "\x16\x03\x01\x00\x06\x01\x7f\xff\xff\x03\x03"
		  "\x15\x03\x01\x00\x02\x02\x28", 18);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 0);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	fx_free(&fx);
}

/* A PROXY protocol header (v1 line, v2 binary) before the ClientHello
 * is skipped; a PROXY line that never ends is not TLS. */
static void test_tls_after_proxy_header(void **state)
{
	static const char v1[] = "PROXY TCP4 198.51.100.7 192.0.2.1 5000 443\r\n";
	static const uint8_t v2[] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
		0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c, 198, 51, 100, 7, 192, 0,
		2, 1, 0x13, 0x88, 0x01, 0xbb,
	};
	struct fx fx;
	struct conn c;
	struct bytes w = {.n = 0};

	(void)state;
	fx_init(&fx, NULL);
	tls_conn(&fx, &c, 45);
	raw(&w, v1, sizeof(v1) - 1);
	client_hello(&w, false);
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b, w.n);
	conn_end(&fx, &c, NULL, NULL);
	assert_non_null(log_find(&fx.log, OBS_TLS_SNI, "c2.example"));

	log_clear(&fx.log);
	w.n = 0;
	tls_conn(&fx, &c, 46);
	raw(&w, v2, sizeof(v2));
	client_hello(&w, false);
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b, w.n);
	conn_end(&fx, &c, NULL, NULL);
	assert_non_null(log_find(&fx.log, OBS_TLS_SNI, "c2.example"));
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);

	log_clear(&fx.log);
	w.n = 0;
	tls_conn(&fx, &c, 47);
	raw(&w, "PROXY TCP4 198.51.100.7", 23);
	client_hello(&w, false);
	conn_send(&fx, &c, FLOW_DIR_C2S, w.b, w.n);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 0);
	fx_free(&fx);
}

/* After a HelloRetryRequest the client's second ClientHello is read too
 * (citing its own packet); one with the same fingerprints as the first
 * gives nothing new. */
static void test_tls_hello_retry(void **state)
{
	struct fx fx;
	struct conn c;
	struct bytes ch = {.n = 0}, sv = {.n = 0};
	const struct rec *r0, *r1;

	(void)state;
	fx_init(&fx, NULL);
	tls_conn(&fx, &c, 48);
	client_hello(&ch, false);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b, ch.n);      /* frame 3 */
	/* Waiting for the server's answer: the client side is kept. */
	assert_true(extract_stats(fx.x)->stream_bytes > 0);
	server_hello_as(&sv, true, true);
	raw(&sv, "\x14\x03\x03\x00\x01\x01", 6);
	conn_send(&fx, &c, FLOW_DIR_S2C, sv.b, sv.n);      /* frame 4 */
	conn_send(&fx, &c, FLOW_DIR_C2S, "\x14\x03\x03\x00\x01\x01", 6);
	ch.n = 0;
	client_hello_with(&ch, false, true);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b, 50);        /* frame 6 */
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b + 50, ch.n - 50);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 2);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA4), 2);
	r0 = log_nth(&fx.log, OBS_TLS_JA3, 0);
	r1 = log_nth(&fx.log, OBS_TLS_JA3, 1);
	assert_int_equal(r0->frame, 3);
	assert_int_equal(r1->frame, 7);
	assert_true(detail_has(r1, "-13-43-44,29-23,0"));
	/* The SNI is the same but cited again with its ClientHello. */
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 2);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);

	/* The same ClientHello again after the retry: one set of values. */
	log_clear(&fx.log);
	tls_conn(&fx, &c, 49);
	ch.n = 0;
	client_hello(&ch, false);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b, ch.n);
	conn_send(&fx, &c, FLOW_DIR_S2C, sv.b, sv.n);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b, ch.n);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 1);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 1);

	/* No answer from the server: the client side closes at its
	 * ChangeCipherSpec (or the flow's end). */
	log_clear(&fx.log);
	tls_conn(&fx, &c, 50);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b, ch.n);
	conn_send(&fx, &c, FLOW_DIR_C2S, "\x14\x03\x03\x00\x01\x01", 6);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 1);
	fx_free(&fx);
}

/* TLS 1.2 client authentication: the client's Certificate, sent after
 * the server's flight, gives the certificate kinds with side=client;
 * a client that sends none is done at its ChangeCipherSpec. */
static void test_tls_client_certificate(void **state)
{
	struct fx fx;
	struct conn c;
	struct bytes ch = {.n = 0}, sv = {.n = 0}, cc = {.n = 0};
	const struct rec *r;

	(void)state;
	fx_init(&fx, NULL);
	tls_conn(&fx, &c, 51);
	client_hello(&ch, false);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b, ch.n);           /* 3 */
	server_hello(&sv, false);
	certificate(&sv);
	conn_send(&fx, &c, FLOW_DIR_S2C, sv.b, sv.n);           /* 4 */
	certificate_message(&cc);
	raw(&cc, "\x14\x03\x03\x00\x01\x01", 6);
	conn_send(&fx, &c, FLOW_DIR_C2S, cc.b, 80);             /* 5 */
	assert_int_equal(log_count(&fx.log, OBS_TLS_CERT_SHA1), 1);
	conn_send(&fx, &c, FLOW_DIR_C2S, cc.b + 80, cc.n - 80); /* 6 */
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_CERT_SHA1), 2);
	r = log_nth(&fx.log, OBS_TLS_CERT_SHA1, 0);
	assert_int_equal(r->frame, 4);
	assert_false(detail_has(r, "side=client"));
	r = log_nth(&fx.log, OBS_TLS_CERT_SHA1, 1);
	assert_int_equal(r->frame, 6);
	assert_true(detail_has(r, "impl=attrib side=client certs=1"));
	r = log_nth(&fx.log, OBS_TLS_CERT_SERIAL, 1);
	assert_non_null(r);
	assert_string_equal(r->value, "07");
	assert_true(detail_has(r, "impl=gnutls side=client cert=0"));
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);

	/* A TLS 1.3 ServerHello: the client's side closes there. */
	log_clear(&fx.log);
	tls_conn(&fx, &c, 52);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b, ch.n);
	sv.n = 0;
	server_hello(&sv, true);
	raw(&sv, "\x14\x03\x03\x00\x01\x01", 6);
	conn_send(&fx, &c, FLOW_DIR_S2C, sv.b, sv.n);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_CERT_SHA1), 0);
	fx_free(&fx);
}

/* Segments of the server's flight that arrive out of order are held
 * until the missing one comes; more than the stream holds is a gap. */
static void test_tls_reordered_segments(void **state)
{
	struct fx fx;
	struct conn c;
	struct bytes ch = {.n = 0}, sv = {.n = 0};
	const size_t a = 60, b = 150;
	const struct rec *r;

	(void)state;
	fx_init(&fx, NULL);
	tls_conn(&fx, &c, 53);
	client_hello(&ch, false);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b, ch.n);                /* 3 */
	server_hello(&sv, false);
	certificate(&sv);
	assert_true(sv.n > b + 10);
	conn_send(&fx, &c, FLOW_DIR_S2C, sv.b, a);                   /* 4 */
	/* The tail first, twice (a retransmission of a held segment). */
	conn_send_at(&fx, &c, FLOW_DIR_S2C, sv.b + b, sv.n - b, 0,
		     (int32_t)(b - a), 0);                            /* 5 */
	conn_send_at(&fx, &c, FLOW_DIR_S2C, sv.b + b, sv.n - b, 0,
		     (int32_t)(b - a), 0);                            /* 6 */
	assert_int_equal(log_count(&fx.log, OBS_TLS_CERT_SHA1), 0);
	conn_send(&fx, &c, FLOW_DIR_S2C, sv.b + a, b - a);           /* 7 */
	c.seq[FLOW_DIR_S2C] += (uint32_t)(sv.n - b);
	r = log_find(&fx.log, OBS_TLS_CERT_SHA1, LEAF_SHA1);
	assert_non_null(r);
	assert_int_equal(r->frame, 7);
	assert_int_equal(extract_stats(fx.x)->streams_gap, 0);
	conn_send(&fx, &c, FLOW_DIR_C2S, "\x14\x03\x03\x00\x01\x01", 6);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	conn_end(&fx, &c, NULL, NULL);

	/* A missing segment that never comes, and more segments after it
	 * than are held: the side stops at the gap, its copies freed. */
	log_clear(&fx.log);
	tls_conn(&fx, &c, 54);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b, ch.n);
	conn_send(&fx, &c, FLOW_DIR_S2C, sv.b, a);
	for (int i = 0; i <= HELD_MAX; i++)
		conn_send_at(&fx, &c, FLOW_DIR_S2C, sv.b + b + i, 1, 0,
			     (int32_t)(b - a) + i, 0);
	assert_int_equal(extract_stats(fx.x)->streams_gap, 1);
	conn_send(&fx, &c, FLOW_DIR_S2C, sv.b + a, b - a);
	conn_send(&fx, &c, FLOW_DIR_C2S, "\x14\x03\x03\x00\x01\x01", 6);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_CERT_SHA1), 0);

	/* A flow that ends with segments still held gives them back. */
	log_clear(&fx.log);
	tls_conn(&fx, &c, 55);
	conn_send(&fx, &c, FLOW_DIR_C2S, ch.b, ch.n);
	conn_send(&fx, &c, FLOW_DIR_S2C, sv.b, a);
	conn_send_at(&fx, &c, FLOW_DIR_S2C, sv.b + b, sv.n - b, 0,
		     (int32_t)(b - a), 0);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	assert_int_equal(log_count(&fx.log, OBS_TLS_CERT_SHA1), 0);
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_client_and_server),
		cmocka_unit_test(test_tls13_and_ndpi_fill),
		cmocka_unit_test(test_tls_hostile),
		cmocka_unit_test(test_tls_after_proxy_header),
		cmocka_unit_test(test_tls_hello_retry),
		cmocka_unit_test(test_tls_reordered_segments),
		cmocka_unit_test(test_tls_client_certificate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
