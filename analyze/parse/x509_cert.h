/*
 * x509_cert.h — the fields of an X.509 certificate that pivot between
 * cases (subjectAltName entries, serial, validity, key, self-signature,
 * full subject and issuer DN), read through GnuTLS.
 *
 * GnuTLS parses each certificate once (x509_cert.c is the only file that
 * includes it); the small DER walker of x509.h keeps giving the
 * tls.cert.subject / tls.cert.issuer values it always gave. Text is
 * rendered as tshark renders strings (text_put_escaped()); every field is
 * cut to its buffer (ANOM_FIELD_TOO_LONG), never overrun.
 */
#ifndef ATTRIB_PARSE_X509_CERT_H
#define ATTRIB_PARSE_X509_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/anomaly.h"

enum {
	X509_CERT_DN_SIZE = 1024,
	X509_CERT_SAN_TEXT_SIZE = 8192, /* every entry, NUL-separated */
	X509_CERT_MAX_SANS = 256,
	X509_CERT_SERIAL_SIZE = 2 * 64 + 1, /* hex of up to 64 bytes */
	X509_CERT_TIME_SIZE = 24,           /* 2024-03-04T12:00:00Z */
	X509_CERT_KEY_SIZE = 32,
};

/* Kinds of subjectAltName entries kept. */
enum x509_san_type {
	X509_SAN_DNS, X509_SAN_EMAIL, X509_SAN_URI, X509_SAN_IP,
};

/* The small fields come first, up to subject_dn: the cache of parsed
 * certificates (x509_cache.c) keeps them whole and the rest as used. */
struct x509_cert {
	bool ok;                      /* GnuTLS read the certificate */
	bool self_signed;             /* issuer = subject, own key verifies */
	unsigned n_sans;
	char serial[X509_CERT_SERIAL_SIZE];      /* lower-case hex, as DER */
	char not_before[X509_CERT_TIME_SIZE];    /* ISO 8601 UTC, or "" */
	char not_after[X509_CERT_TIME_SIZE];
	char key[X509_CERT_KEY_SIZE];            /* "RSA 2048", "ECDSA 256" */
	char subject_dn[X509_CERT_DN_SIZE];      /* RFC 4514 (GnuTLS) */
	char issuer_dn[X509_CERT_DN_SIZE];
	uint8_t san_type[X509_CERT_MAX_SANS];    /* enum x509_san_type */
	char sans[X509_CERT_SAN_TEXT_SIZE];      /* n_sans strings, each
	                                            NUL-terminated */
};

/*
 * Reads the DER certificate in len bytes at der into *out. Returns false
 * (out->ok false) and adds ANOM_X509_MALFORMED when GnuTLS refuses it; a
 * field cut to fit adds ANOM_FIELD_TOO_LONG. Allocates only inside GnuTLS
 * and frees it before returning.
 */
bool x509_cert_read(const uint8_t *der, size_t len, struct x509_cert *out,
		    anomaly_set *anomalies);

/* Short name of a subjectAltName type ("dns", "email", "uri", "ip"). */
const char *x509_san_type_name(enum x509_san_type t);

#endif
