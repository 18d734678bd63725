/*
 * x509.h — subject and issuer of an X.509 certificate (RFC 5280), read by
 * a small bounded DER walker.
 *
 * Only the path Certificate > TBSCertificate > issuer / subject is
 * walked, and only the attributes CN, O, OU, C, L and ST are kept. Names
 * are written in certificate (DER) order as "C=US, O=Example, CN=host",
 * the order nDPI and `openssl x509 -nameopt oneline` use (RFC 4514 itself
 * reverses it); values of a multi-valued RDN are joined with '+'. The RFC
 * 4514 special characters , + " \ < > ; (and a leading # or space, a
 * trailing space) are escaped with a backslash; other bytes are rendered
 * as tshark renders strings (see text_put_escaped()); BMPString and
 * UniversalString are converted to UTF-8 first.
 *
 * Every length is checked against its container; nesting is fixed by the
 * walk, so there is no recursion. Pure: no allocation, no I/O.
 */
#ifndef ATTRIB_PARSE_X509_H
#define ATTRIB_PARSE_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/anomaly.h"

#define X509_NAME_TEXT_SIZE 4096
#define X509_VALUE_MAX 1024  /* bytes of one attribute value we render */

struct x509_names {
	char subject[X509_NAME_TEXT_SIZE];
	char issuer[X509_NAME_TEXT_SIZE];
};

/*
 * Reads subject and issuer of the DER certificate in len bytes at der into
 * *out (both "" on failure). Returns false and adds ANOM_TLS_MALFORMED to
 * *anomalies when the DER structure is broken; a name or value cut to fit
 * adds ANOM_FIELD_TOO_LONG.
 */
bool x509_read_names(const uint8_t *der, size_t len, struct x509_names *out,
		     anomaly_set *anomalies);

#endif
