/*
 * test_parse_dtls.c — cmocka tests of analyze/parse/dtls.c: a DTLS
 * ClientHello in one record, in fragments across datagrams and out of
 * order, with and without a cookie (checked against a JA3 string written
 * here from the JA3 definition), only the first ClientHello kept; a
 * Certificate in fragments, read through GnuTLS, its retransmission
 * ignored; and
 * hostile input — fragments past their message, records past their
 * datagram, oversized or scattered messages, every truncation — giving
 * anomalies, never a crash. Inputs sit in exact-size heap buffers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "analyze/crypto/digest.h"
#include "analyze/parse/dtls.h"
#include "test_bytes.h"
#include "dtls_build.h"
#include "tests/unit/x509_cert_vector.h"

static struct tls_client_hello hello;

static void state_init(struct dtls_state *st)
{
	memset(st, 0, sizeof(*st));
	st->room = DTLS_HELLO_MAX + 4;
}

/* Reads w as one datagram (in an exact-size copy). */
static void read_dgram(struct dtls_state *st, const struct wbuf *w,
		       struct dtls_datagram_info *info)
{
	uint8_t *d = dup_bytes(w->b, w->n);

	dtls_read_datagram(st, d, w->n, true, info);
	free(d);
}

static void check_hello(const struct dtls_state *st)
{
	char md5[DIGEST_MD5_HEX_SIZE];
	anomaly_set anom = 0;

	assert_int_equal(dtls_client_hello(st, &hello, &anom), TLS_STATUS_OK);
	assert_int_equal(anom, 0);
	assert_string_equal(hello.sni, "dtls.example");
	assert_string_equal(hello.ja3, HELLO_JA3);
	digest_md5_hex(HELLO_JA3, strlen(HELLO_JA3), md5);
	assert_string_equal(hello.ja3_md5, md5);
	assert_memory_equal(hello.ja4, "dd2d0204", 8); /* DTLS 1.2, SNI */
}

static void test_one_record(void **state)
{
	struct wbuf body = {0}, w = {0};
	struct dtls_state st;
	struct dtls_datagram_info info;
	uint8_t *d;

	(void)state;
	assert_true(dtls_looks_like((const uint8_t *)"\x16\xfe\xfd\0\0\0\0\0\0"
						     "\0\0\0\x10", 13));
	assert_false(dtls_looks_like((const uint8_t *)"\x16\x03\x01\0\0\0\0\0"
						      "\0\0\0\0\x10", 13));
	assert_false(dtls_looks_like((const uint8_t *)"\x16\xfe\xfd\0\1\0\0\0"
						      "\0\0\0\0\x10", 13));
	hello_body(&body, 0);
	record(&w, 0xfefd, 0, body.b, body.n, 0, body.n);
	state_init(&st);
	read_dgram(&st, &w, &info);
	assert_int_equal(info.records, 1);
	assert_int_equal(info.hello_fragments, 1);
	assert_int_equal(info.anomalies, 0);
	check_hello(&st);
	assert_string_equal(dtls_version_name(st.record_version), "1.2");
	dtls_state_free(&st);
	/* The same in the pre-RFC 0x0100 record version, with a cookie. */
	body.n = 0;
	w.n = 0;
	hello_body(&body, 20);
	record(&w, 0x0100, 0, body.b, body.n, 0, body.n);
	d = dup_bytes(w.b, w.n);
	state_init(&st);
	dtls_read_datagram(&st, d, w.n, true, &info);
	check_hello(&st);
	assert_string_equal(dtls_version_name(st.record_version), "0.9");
	dtls_state_free(&st);
	free(d);
}

/* Three fragments over two datagrams, the last first; the client's second
 * ClientHello (message_seq 1, with a cookie) waits until the first was
 * read, then is kept; retransmissions of the first are ignored after. */
static void test_fragments(void **state)
{
	struct wbuf body = {0}, w = {0}, second = {0};
	struct dtls_state st;
	struct dtls_datagram_info info;

	(void)state;
	hello_body(&body, 0);
	state_init(&st);
	record(&w, 0xfeff, 0, body.b, body.n, 60, body.n - 60);
	read_dgram(&st, &w, &info);
	assert_int_equal(dtls_client_hello(&st, &hello, &info.anomalies),
			 TLS_STATUS_NEED_MORE);
	w.n = 0;
	record(&w, 0xfeff, 0, body.b, body.n, 0, 30);
	record(&w, 0xfeff, 0, body.b, body.n, 20, 45); /* overlaps both */
	read_dgram(&st, &w, &info);
	assert_int_equal(info.records, 2);
	assert_int_equal(info.hello_fragments, 2);
	check_hello(&st);
	hello_body(&second, 16);
	w.n = 0;
	record(&w, 0xfeff, 1, second.b, second.n, 0, second.n);
	read_dgram(&st, &w, &info);
	assert_int_equal(info.hello_fragments, 0);
	check_hello(&st);
	dtls_hello_done(&st);
	assert_false(st.have_hello);
	assert_int_equal(st.hellos_done, 1);
	/* The first again (a retransmission): ignored. */
	w.n = 0;
	record(&w, 0xfeff, 0, body.b, body.n, 0, body.n);
	read_dgram(&st, &w, &info);
	assert_int_equal(info.hello_fragments, 0);
	assert_false(st.have_hello);
	w.n = 0;
	record(&w, 0xfeff, 1, second.b, second.n, 0, second.n);
	read_dgram(&st, &w, &info);
	assert_int_equal(info.hello_fragments, 1);
	assert_int_equal(st.hello_seq, 1);
	check_hello(&st);
	dtls_hello_done(&st);
	dtls_state_free(&st);
}

/* A later ClientHello replaces one that never completed; a sender is
 * encrypting after a record of epoch 1 or a DTLS 1.3 ciphertext header;
 * at most DTLS_HELLOS are read. */
static void test_later_hellos(void **state)
{
	struct wbuf body = {0}, w = {0};
	struct dtls_state st;
	struct dtls_datagram_info info;

	(void)state;
	hello_body(&body, 0);
	state_init(&st);
	record(&w, 0xfefd, 0, body.b, body.n, 0, 20);
	read_dgram(&st, &w, &info);
	assert_true(st.have_hello);
	w.n = 0;
	record(&w, 0xfefd, 2, body.b, body.n, 0, body.n);
	read_dgram(&st, &w, &info);
	assert_int_equal(st.hello_seq, 2);
	check_hello(&st);
	for (uint16_t seq = 3; seq < 3 + 2 * DTLS_HELLOS; seq++) {
		dtls_hello_done(&st);
		w.n = 0;
		record(&w, 0xfefd, seq, body.b, body.n, 0, body.n);
		read_dgram(&st, &w, &info);
	}
	assert_int_equal(st.hellos_done, DTLS_HELLOS);
	assert_false(st.have_hello);
	assert_false(st.encrypting);
	/* Epoch 1. */
	w.n = 0;
	put(&w, "\x16\xfe\xfd\x00\x01\0\0\0\0\0\1\x00\x02\xaa\xbb",
	    15);
	read_dgram(&st, &w, &info);
	assert_true(st.encrypting);
	dtls_state_free(&st);
	/* A DTLS 1.3 unified header. */
	state_init(&st);
	w.n = 0;
	put(&w, "\x2c\x00\x01\xaa", 4);
	read_dgram(&st, &w, &info);
	assert_true(st.encrypting);
	assert_int_equal(info.anomalies, 0);
	dtls_state_free(&st);
}

static void test_hostile(void **state)
{
	struct wbuf body = {0}, w = {0};
	struct dtls_state st;
	struct dtls_datagram_info info;
	uint8_t *full;
	size_t n;

	(void)state;
	hello_body(&body, 0);
	/* A fragment past its message. */
	state_init(&st);
	record(&w, 0xfefd, 0, body.b, body.n, 0, body.n);
	w.b[13 + 1 + 3 + 2 + 2] = 0xff; /* fragment offset low byte */
	read_dgram(&st, &w, &info);
	assert_int_equal(info.anomalies, (anomaly_set)1 << ANOM_TLS_MALFORMED);
	assert_false(st.have_hello);
	/* A record past its datagram, captured whole or not. */
	w.n = 0;
	record(&w, 0xfefd, 0, body.b, body.n, 0, body.n);
	w.n -= 10;
	read_dgram(&st, &w, &info);
	assert_int_equal(info.anomalies, (anomaly_set)1 << ANOM_TLS_MALFORMED);
	full = dup_bytes(w.b, w.n);
	dtls_read_datagram(&st, full, w.n, false, &info);
	assert_int_equal(info.anomalies, 0);
	free(full);
	dtls_state_free(&st);
	/* A ClientHello claiming 16 MiB. */
	state_init(&st);
	w.n = 0;
	record(&w, 0xfefd, 0, body.b, body.n, 0, 20);
	w.b[13 + 1] = 0xff;
	read_dgram(&st, &w, &info);
	assert_int_equal(info.anomalies, (anomaly_set)1 << ANOM_FIELD_TOO_LONG);
	assert_int_equal(dtls_client_hello(&st, &hello, &info.anomalies),
			 TLS_STATUS_MALFORMED);
	dtls_state_free(&st);
	/* More than REASM_PIECES separate fragments. */
	state_init(&st);
	w.n = 0;
	for (size_t i = 1; i <= REASM_PIECES + 1; i++)
		record(&w, 0xfefd, 0, body.b, body.n, 2 * i, 1);
	read_dgram(&st, &w, &info);
	assert_int_equal(info.anomalies, (anomaly_set)1 << ANOM_FIELD_TOO_LONG);
	dtls_state_free(&st);
	/* Not DTLS: nothing read, no anomaly. */
	state_init(&st);
	w.n = 0;
	put(&w, "\x16\x03\x01\x00\x05hello", 10);
	read_dgram(&st, &w, &info);
	assert_int_equal(info.records, 0);
	assert_int_equal(info.anomalies, 0);
	dtls_state_free(&st);
	/* Every truncation of a good datagram. */
	w.n = 0;
	record(&w, 0xfefd, 0, body.b, body.n, 0, body.n);
	for (n = 0; n < w.n; n++) {
		uint8_t *d = dup_bytes(w.b, n);

		state_init(&st);
		dtls_read_datagram(&st, d, n, true, &info);
		assert_int_equal(dtls_client_hello(&st, &hello,
						   &info.anomalies),
				 TLS_STATUS_NEED_MORE);
		dtls_state_free(&st);
		free(d);
	}
}

/* A Certificate in two fragments, out of order and in two datagrams,
 * read through GnuTLS; its retransmission ignored; hostile ones. */
static void test_certificate(void **state)
{
	static struct tls_certificate cert;
	struct wbuf body = {0}, w = {0};
	struct dtls_state st;
	struct dtls_datagram_info info;
	anomaly_set anom = 0;

	(void)state;
	cert_body(&body, cert_der, cert_der_len);
	state_init(&st);
	record_of(&w, 0xfefd, 11, 2, body.b, body.n, 100, body.n - 100);
	read_dgram(&st, &w, &info);
	assert_int_equal(info.cert_fragments, 1);
	assert_int_equal(info.hello_fragments, 0);
	assert_int_equal(dtls_certificate(&st, &cert, &anom),
			 TLS_STATUS_NEED_MORE);
	w.n = 0;
	record_of(&w, 0xfefd, 11, 2, body.b, body.n, 0, 100);
	read_dgram(&st, &w, &info);
	assert_int_equal(info.anomalies, 0);
	assert_int_equal(dtls_certificate(&st, &cert, &anom), TLS_STATUS_OK);
	assert_int_equal(anom, 0);
	assert_int_equal(cert.n_certs, 1);
	assert_int_equal(cert.n_chain, 1);
	assert_true(cert.chain[0].ok);
	assert_string_equal(cert.chain[0].serial, "00a1b2c3d4e5f6");
	assert_string_equal(cert.chain[0].sans, "c2.example");
	assert_string_equal(dtls_version_name(st.cert_version), "1.2");
	dtls_certificate_done(&st);
	/* Sent again (a retransmission): not kept. */
	w.n = 0;
	record_of(&w, 0xfefd, 11, 2, body.b, body.n, 0, body.n);
	read_dgram(&st, &w, &info);
	assert_int_equal(info.cert_fragments, 0);
	assert_int_equal(dtls_certificate(&st, &cert, &anom),
			 TLS_STATUS_NEED_MORE);
	dtls_state_free(&st);

	/* A Certificate claiming 16 MiB. */
	state_init(&st);
	w.n = 0;
	record_of(&w, 0xfefd, 11, 2, body.b, body.n, 0, 20);
	w.b[13 + 1] = 0xff;
	read_dgram(&st, &w, &info);
	assert_int_equal(info.anomalies, (anomaly_set)1 << ANOM_FIELD_TOO_LONG);
	assert_int_equal(dtls_certificate(&st, &cert, &anom),
			 TLS_STATUS_MALFORMED);
	dtls_state_free(&st);
	/* A certificate list longer than its message. */
	state_init(&st);
	body.b[2] = (uint8_t)(body.b[2] + 1);
	w.n = 0;
	record_of(&w, 0xfefd, 11, 2, body.b, body.n, 0, body.n);
	read_dgram(&st, &w, &info);
	anom = 0;
	assert_int_equal(dtls_certificate(&st, &cert, &anom),
			 TLS_STATUS_MALFORMED);
	assert_true(anomaly_has(anom, ANOM_TLS_MALFORMED));
	dtls_state_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_record),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_later_hellos),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_certificate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
