/*
 * test_x509_cert.c — certificate fields through GnuTLS
 * (analyze/parse/x509_cert.c): a known certificate gives its serial,
 * validity, key, SANs, DNs and self-signature; every prefix and thousands
 * of random byte flips give x509_malformed or a reading, never a crash,
 * and every text stays NUL-terminated in its buffer; a certificate read
 * again gives what its first reading gave. Inputs are copied to
 * exact-size buffers so ASan sees over-reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/parse/x509_cache.h"
#include "analyze/parse/x509_cert.h"
#include "tests/unit/x509_cert_vector.h"

static struct x509_cert cert; /* large: not on the stack */

static bool read_copy(const uint8_t *der, size_t n, anomaly_set *a)
{
	uint8_t *copy = malloc(n ? n : 1);
	assert_non_null(copy);
	memcpy(copy, der, n);
	bool ok = x509_cert_read(copy, n, &cert, a);
	free(copy);
	return ok;
}

static void test_known_certificate(void **state)
{
	static const struct {
		const char *value;
		enum x509_san_type type;
	} sans[] = {
		{"c2.example", X509_SAN_DNS},
		{"*.cdn.example", X509_SAN_DNS},
		{"ops@example.org", X509_SAN_EMAIL},
		{"192.0.2.7", X509_SAN_IP},
		{"https://c2.example/x", X509_SAN_URI},
	};
	anomaly_set a = 0;
	(void)state;
	assert_true(read_copy(cert_der, cert_der_len, &a));
	assert_int_equal(a, 0);
	assert_true(cert.ok);
	assert_string_equal(cert.serial, "00a1b2c3d4e5f6");
	assert_string_equal(cert.not_before, "2026-12-07T15:29:42Z");
	assert_string_equal(cert.not_after, "2036-12-04T15:29:42Z");
	assert_string_equal(cert.key, "EC/ECDSA 256");
	assert_true(cert.self_signed);
	assert_string_equal(cert.subject_dn, "CN=c2.example,O=Example Lab,C=DE");
	assert_string_equal(cert.issuer_dn, cert.subject_dn);
	assert_int_equal(cert.n_sans, sizeof sans / sizeof sans[0]);
	const char *p = cert.sans;
	for (unsigned i = 0; i < cert.n_sans; i++) {
		assert_string_equal(p, sans[i].value);
		assert_int_equal(cert.san_type[i], sans[i].type);
		p += strlen(p) + 1;
	}
}

static void check_texts(void)
{
	const char *fields[] = {cert.serial, cert.not_before, cert.not_after,
				cert.key, cert.subject_dn, cert.issuer_dn};
	size_t sizes[] = {sizeof cert.serial, sizeof cert.not_before,
			  sizeof cert.not_after, sizeof cert.key,
			  sizeof cert.subject_dn, sizeof cert.issuer_dn};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		assert_non_null(memchr(fields[i], 0, sizes[i]));
	assert_true(cert.n_sans <= X509_CERT_MAX_SANS);
}

/* Every prefix, and random byte flips: a reading or x509_malformed. */
static void test_hostile_bytes(void **state)
{
	uint8_t buf[sizeof cert_der];
	(void)state;
	for (size_t n = 0; n < cert_der_len; n++) {
		anomaly_set a = 0;
		bool ok = read_copy(cert_der, n, &a);
		assert_false(ok);
		assert_true(anomaly_has(a, ANOM_X509_MALFORMED));
		check_texts();
	}
	srand(18);
	for (int round = 0; round < 3000; round++) {
		anomaly_set a = 0;
		memcpy(buf, cert_der, cert_der_len);
		for (int k = 0; k < 1 + round % 4; k++)
			buf[rand() % cert_der_len] = (uint8_t)rand();
		bool ok = read_copy(buf, cert_der_len, &a);
		assert_int_equal(ok, cert.ok);
		assert_true(ok || anomaly_has(a, ANOM_X509_MALFORMED));
		check_texts();
	}
}

static bool same_cert(const struct x509_cert *a, const struct x509_cert *b)
{
	return a->ok == b->ok && a->self_signed == b->self_signed &&
	       !strcmp(a->serial, b->serial) &&
	       !strcmp(a->not_before, b->not_before) &&
	       !strcmp(a->not_after, b->not_after) &&
	       !strcmp(a->key, b->key) &&
	       !strcmp(a->subject_dn, b->subject_dn) &&
	       !strcmp(a->issuer_dn, b->issuer_dn) && a->n_sans == b->n_sans &&
	       !memcmp(a->san_type, b->san_type, sizeof a->san_type) &&
	       !memcmp(a->sans, b->sans, sizeof a->sans);
}

/*
 * A certificate read again (from the thread's cache of parsed ones, or
 * parsed again after it was replaced there) gives what its first reading
 * gave: the same fields, result and anomalies, whatever the anomaly set
 * held before. Inputs: the known certificate, prefixes and random flips,
 * read in an order that replaces cache slots.
 */
static void test_read_again_same(void **state)
{
	static struct x509_cert first;
	uint8_t bufs[40][sizeof cert_der];
	size_t lens[40];
	(void)state;
	srand(7);
	for (int i = 0; i < 40; i++) {
		memcpy(bufs[i], cert_der, cert_der_len);
		lens[i] = i == 0 ? cert_der_len
			: i < 8 ? (size_t)rand() % cert_der_len
				: cert_der_len;
		for (int k = 0; i >= 8 && k < 1 + i % 3; k++)
			bufs[i][rand() % cert_der_len] = (uint8_t)rand();
	}
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 40; i++) {
			anomaly_set a = 0, b = (anomaly_set)1 << ANOM_TLS_MALFORMED;
			bool ok1 = read_copy(bufs[i], lens[i], &a);
			first = cert;
			bool ok2 = read_copy(bufs[i], lens[i], &b);
			assert_int_equal(ok1, ok2);
			assert_true(same_cert(&first, &cert));
			assert_true(b == (a | (anomaly_set)1 << ANOM_TLS_MALFORMED));
		}
}

/*
 * More distinct certificates than the cache holds, each read before and
 * after thousands of others replaced it: every reading gives what its
 * first gave, and the cache stays within its entries and bytes. A
 * worker thread's cache is freed when the thread ends (ASan's leak
 * check sees the rest).
 */
enum { MANY = 3 * X509_CACHE_SETS * X509_CACHE_WAYS };
static uint8_t many[MANY][sizeof cert_der];
static struct x509_cert firsts[64];

static void *read_many(void *arg)
{
	static _Thread_local struct x509_cert now;
	unsigned entries;
	size_t bytes;
	(void)arg;
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < MANY; i++) {
			anomaly_set a = 0, b = 0;
			bool ok = read_copy(many[i], cert_der_len, &a);
			now = cert;
			if (read_copy(many[i], cert_der_len, &b) != ok || a != b ||
			    !same_cert(&now, &cert))
				return "a certificate read twice differs";
			if (i % (MANY / 64) == 0) {
				struct x509_cert *f = &firsts[i / (MANY / 64)];
				if (round == 0)
					*f = cert;
				else if (!same_cert(f, &cert))
					return "a reading differs from the first";
			}
		}
	x509_cache_usage(&entries, &bytes);
	if (entries > X509_CACHE_SETS * X509_CACHE_WAYS ||
	    bytes > X509_CACHE_BYTES || entries == 0)
		return "the cache is out of its bounds";
	return NULL;
}

static void test_cache_bounded(void **state)
{
	(void)state;
	srand(11);
	for (int i = 0; i < MANY; i++) {
		memcpy(many[i], cert_der, cert_der_len);
		/* the serial's last bytes: a distinct certificate that parses */
		many[i][15] = (uint8_t)i;
		many[i][16] = (uint8_t)(i >> 8);
		if (i % 5 == 4)
			many[i][rand() % cert_der_len] ^= 0x5a;
	}
	assert_null(read_many(NULL));
	pthread_t t;
	void *why = NULL;
	assert_int_equal(pthread_create(&t, NULL, read_many, NULL), 0);
	assert_int_equal(pthread_join(t, &why), 0);
	assert_null(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_certificate),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_read_again_same),
		cmocka_unit_test(test_cache_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
