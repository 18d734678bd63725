/*
 * x509_cache.h — the certificates a thread read last, by the SHA-256 of
 * their DER, so that a certificate seen on many connections is parsed
 * once (x509_cert.c).
 *
 * A server shows the same certificate on every connection, and GnuTLS's
 * parse is the dearest step of reading a handshake. A hit gives exactly
 * what the parse gave: the same fields, byte for byte, and the same
 * anomalies. Each thread has its own cache, so the flow workers share
 * nothing: 512 entries in sets of four, the least recently used of a set
 * replaced, and at most X509_CACHE_BYTES of entries (each holds only the
 * text its certificate has, not the fixed-size fields of struct
 * x509_cert). A thread's cache is freed when the thread ends.
 */
#ifndef ATTRIB_PARSE_X509_CACHE_H
#define ATTRIB_PARSE_X509_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/parse/x509_cert.h"

enum {
	X509_CACHE_SETS = 128,   /* power of two */
	X509_CACHE_WAYS = 4,
	X509_CACHE_BYTES = 1 << 20,
};

/* True, with *out, *read and *anomalies as the parse gave them, when the
 * certificate of SHA-256 key is cached. */
bool x509_cache_find(const uint8_t key[32], struct x509_cert *out,
		     bool *read, anomaly_set *anomalies);

/* Keeps the parse of the certificate of SHA-256 key: its result read,
 * the fields in *cert and the anomalies it added. Does nothing when
 * memory is short or the byte budget cannot hold it. */
void x509_cache_keep(const uint8_t key[32], const struct x509_cert *cert,
		     bool read, anomaly_set anomalies);

/* Entries held by this thread's cache and their bytes (for tests). */
void x509_cache_usage(unsigned *entries, size_t *bytes);

#endif
