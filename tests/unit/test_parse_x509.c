/*
 * test_parse_x509.c — tests of analyze/parse/x509.c and of Certificate
 * messages in analyze/parse/tls.c: hostile DER and a minimal certificate
 * built by hand (the real certificates are in test_parse_tls.c).
 *
 * Every input is copied into an exact-size heap buffer so ASan sees any
 * read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/test_bytes.h"

#include "analyze/parse/tls.h"

#define BIT(a) ((anomaly_set)1 << (a))

static struct tls_handshake_info info; /* large: not on the stack */

static enum tls_status run(const struct wbuf *w, size_t *used)
{
	uint8_t *p = dup_bytes(w->b, w->n);
	enum tls_status st = tls_parse_records(p, w->n, TLS_OVER_TCP, &info,
					       used);

	free(p);
	return st;
}

/* Certificate messages and DER that lie about their lengths. */
static void test_hostile_certificate(void **state)
{
	static const struct {
		const char *name;
		const char *der; /* hex of the first certificate */
	} cases[] = {
		{ "empty DER", "" },
		{ "length past the end", "3082ffff3000" },
		{ "indefinite length", "30803080" },
		{ "five length octets", "3085000000000130" },
		{ "high tag number", "1f8101" },
		{ "no tbs", "3000" },
		{ "tbs without issuer", "30053003020101" },
	};
	static struct wbuf rec, msg;
	size_t used;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t der_len;
		uint8_t *der = from_hex(cases[i].der, &der_len);

		msg.n = 0;
		put8(&msg, 11);
		put24(&msg, 3 + 3 + der_len);
		put24(&msg, 3 + der_len);
		put24(&msg, der_len);
		put(&msg, der, der_len);
		rec.n = 0;
		put8(&rec, 22);
		put16(&rec, 0x0303);
		put16(&rec, (unsigned)msg.n);
		put(&rec, msg.b, msg.n);
		run(&rec, &used);
		if (!info.has_certificate ||
		    info.certificate.first_len != der_len ||
		    !anomaly_has(info.anomalies, ANOM_TLS_MALFORMED))
			fail_msg("%s: has %d anomalies %llx", cases[i].name,
				 info.has_certificate,
				 (unsigned long long)info.anomalies);
		free(der);
	}

	/*
	 * A well-formed minimal certificate: a multi-valued RDN, a
	 * BMPString, RFC 4514 escapes, an attribute we do not keep.
	 */
	{
		size_t der_len;
		uint8_t *der = from_hex(
			"30553053a00302010202010130003043311430080603550403"
			"130161300806035504030c0162310d300b060355040a1e0400"
			"dc002c310d300b060355040b130420237820310d300b06032a"
			"86481304736b697030003000",
			&der_len);
		struct x509_names names;
		anomaly_set a = 0;

		assert_true(x509_read_names(der, der_len, &names, &a));
		assert_int_equal(a, 0);
		assert_string_equal(names.issuer,
				    "CN=a+CN=b, O=\xc3\x9c\\,, OU=\\ #x\\ ");
		assert_string_equal(names.subject, "");
		free(der);
	}

	/* A certificate length past the message. */
	rec.n = 0;
	put(&rec, "\x16\x03\x03\x00\x0a\x0b\x00\x00\x06\x00\x00\x03\x00\x00\x09",
	    15);
	assert_int_equal(run(&rec, &used), TLS_STATUS_MALFORMED);
	assert_false(info.has_certificate);
	assert_int_equal(info.anomalies, BIT(ANOM_TLS_MALFORMED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_certificate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
