/*
 * x509_cert.c — certificate fields through GnuTLS (see x509_cert.h). The
 * only file that includes GnuTLS.
 */
#include "analyze/parse/x509_cert.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "analyze/crypto/digest.h"
#include "analyze/parse/x509_cache.h"
#include "analyze/parse/text.h"

enum {
	SERIAL_MAX_BYTES = 64,
	SAN_MAX_BYTES = 2048, /* one entry as GnuTLS gives it */
	SAN_WALK_MAX = 4096,  /* entries looked at, kept or not */
	IPV4_BYTES = 4,
	IPV6_BYTES = 16,
};

const char *x509_san_type_name(enum x509_san_type t)
{
	switch (t) {
	case X509_SAN_DNS: return "dns";
	case X509_SAN_EMAIL: return "email";
	case X509_SAN_URI: return "uri";
	case X509_SAN_IP: return "ip";
	}
	return "unknown";
}

/* Writes n bytes as tshark renders a string, cut to size. */
static void put_text(char *out, size_t size, const void *p, size_t n,
		     anomaly_set *anom)
{
	struct textbuf t;
	textbuf_init(&t, out, size);
	if (!text_put_escaped(&t, p, n))
		anomaly_add(anom, ANOM_FIELD_TOO_LONG);
}

static void put_time(char *out, time_t when)
{
	struct tm tm;
	out[0] = '\0';
	if (when == (time_t)-1 || !gmtime_r(&when, &tm))
		return;
	strftime(out, X509_CERT_TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void read_serial(gnutls_x509_crt_t crt, struct x509_cert *out)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t serial[SERIAL_MAX_BYTES];
	size_t n = sizeof serial;

	if (gnutls_x509_crt_get_serial(crt, serial, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		out->serial[2 * i] = hex[serial[i] >> 4];
		out->serial[2 * i + 1] = hex[serial[i] & 15];
	}
	out->serial[2 * n] = '\0';
}

static void read_key(gnutls_x509_crt_t crt, struct x509_cert *out)
{
	unsigned int bits = 0;
	int alg = gnutls_x509_crt_get_pk_algorithm(crt, &bits);
	const char *name = alg < 0 ? NULL
				   : gnutls_pk_algorithm_get_name(
					     (gnutls_pk_algorithm_t)alg);
	if (name)
		snprintf(out->key, sizeof out->key, "%s %u", name, bits);
}

static void read_dn(int rc, gnutls_datum_t *dn, char *out, anomaly_set *anom)
{
	if (rc < 0)
		return;
	put_text(out, X509_CERT_DN_SIZE, dn->data, dn->size, anom);
	gnutls_free(dn->data);
	dn->data = NULL;
}

/* Appends one subjectAltName entry (text) to out->sans. */
static void add_san(struct x509_cert *out, size_t *used, enum x509_san_type t,
		    const void *p, size_t n, anomaly_set *anom)
{
	struct textbuf tb;
	if (out->n_sans >= X509_CERT_MAX_SANS ||
	    *used + 1 >= sizeof out->sans) {
		anomaly_add(anom, ANOM_FIELD_TOO_LONG);
		return;
	}
	textbuf_init(&tb, out->sans + *used, sizeof out->sans - *used);
	if (!text_put_escaped(&tb, p, n))
		anomaly_add(anom, ANOM_FIELD_TOO_LONG);
	*used += strlen(out->sans + *used) + 1;
	out->san_type[out->n_sans++] = (uint8_t)t;
}

static void read_sans(gnutls_x509_crt_t crt, struct x509_cert *out,
		      anomaly_set *anom)
{
	char buf[SAN_MAX_BYTES];
	size_t used = 0;

	for (unsigned seq = 0; seq < SAN_WALK_MAX; seq++) {
		size_t n = sizeof buf;
		unsigned int critical;
		int type = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf,
								&n, &critical);
		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return;
		if (type == GNUTLS_E_SHORT_MEMORY_BUFFER) {
			anomaly_add(anom, ANOM_FIELD_TOO_LONG);
			continue;
		}
		if (type < 0) {
			anomaly_add(anom, ANOM_X509_MALFORMED);
			return;
		}
		if (n > sizeof buf)
			n = sizeof buf;
		switch (type) {
		case GNUTLS_SAN_DNSNAME:
			add_san(out, &used, X509_SAN_DNS, buf, n, anom);
			break;
		case GNUTLS_SAN_RFC822NAME:
			add_san(out, &used, X509_SAN_EMAIL, buf, n, anom);
			break;
		case GNUTLS_SAN_URI:
			add_san(out, &used, X509_SAN_URI, buf, n, anom);
			break;
		case GNUTLS_SAN_IPADDRESS: {
			char ip[TEXT_IP_ADDRESS_SIZE];
			size_t len = 0;
			if (n == IPV4_BYTES || n == IPV6_BYTES)
				len = text_ip_address(n == IPV4_BYTES ? 4 : 6,
						      (const uint8_t *)buf, ip,
						      sizeof ip);
			if (len)
				add_san(out, &used, X509_SAN_IP, ip, len, anom);
			break;
		}
		default:
			break; /* otherName, directoryName …: not kept */
		}
	}
}

/* Issuer equals subject and the certificate's own key verifies it. */
static bool is_self_signed(gnutls_x509_crt_t crt)
{
	unsigned int status = 0;
	if (gnutls_x509_crt_check_issuer(crt, crt) != 1)
		return false;
	if (gnutls_x509_crt_verify(crt, &crt, 1,
				   GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
					   GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
					   GNUTLS_VERIFY_ALLOW_ANY_X509_V1_CA_CRT |
					   GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1,
				   &status) < 0)
		return false;
	return !(status & GNUTLS_CERT_SIGNATURE_FAILURE);
}

static bool parse(const uint8_t *der, size_t len, struct x509_cert *out,
		  anomaly_set *anomalies);

/* Through the thread's cache of parsed certificates (x509_cache.h). */
bool x509_cert_read(const uint8_t *der, size_t len, struct x509_cert *out,
		    anomaly_set *anomalies)
{
	uint8_t key[32];
	if (!der || len == 0 || !digest_sha256(der, len, key))
		return parse(der, len, out, anomalies);
	bool read;
	if (x509_cache_find(key, out, &read, anomalies))
		return read;
	anomaly_set added = 0;
	read = parse(der, len, out, &added);
	*anomalies |= added;
	if (!read && !anomaly_has(added, ANOM_X509_MALFORMED))
		return false; /* out of memory: not the certificate's verdict */
	x509_cache_keep(key, out, read, added);
	return read;
}

/* x509_cert_read() without the cache. */
static bool parse(const uint8_t *der, size_t len, struct x509_cert *out,
		  anomaly_set *anomalies)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t d = {(unsigned char *)der, (unsigned int)len};
	gnutls_datum_t dn = {NULL, 0};

	memset(out, 0, sizeof *out);
	if (!der || len == 0 || len > UINT32_MAX)
		goto malformed;
	if (gnutls_x509_crt_init(&crt) < 0)
		return false; /* out of memory: no verdict on the bytes */
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0)
		goto malformed_crt;
	read_serial(crt, out);
	put_time(out->not_before, gnutls_x509_crt_get_activation_time(crt));
	put_time(out->not_after, gnutls_x509_crt_get_expiration_time(crt));
	read_key(crt, out);
	read_dn(gnutls_x509_crt_get_dn3(crt, &dn, 0), &dn, out->subject_dn,
		anomalies);
	read_dn(gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0), &dn,
		out->issuer_dn, anomalies);
	read_sans(crt, out, anomalies);
	out->self_signed = is_self_signed(crt);
	out->ok = true;
	gnutls_x509_crt_deinit(crt);
	return true;

malformed_crt:
	gnutls_x509_crt_deinit(crt);
malformed:
	anomaly_add(anomalies, ANOM_X509_MALFORMED);
	return false;
}
