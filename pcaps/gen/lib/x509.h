/*
 * x509.h — a minimal, well-formed, self-signed X.509 v3 certificate
 * (ECDSA P-256, subject = issuer = CN, a subjectAltName for the same
 * name) for TLS 1.2 server flights, so scenarios can plant a certificate
 * and reuse it across servers. The key and signature are random bytes
 * from the seed: the certificate parses but does not verify, which no
 * analysis of attrib depends on.
 */
#ifndef ATTRIB_GEN_X509_H
#define ATTRIB_GEN_X509_H

#include <stdint.h>

#include "pcaps/gen/lib/buf.h"

/* Appends the DER certificate for common name cn (valid 2024-01-01 to
 * 2026-01-01) to b. The same (cn, seed) always gives the same bytes. */
void x509_self_signed(struct buf *b, const char *cn, uint64_t seed);

/* The seed of the certificate for cn given a base seed (the scenario's,
 * or a directive's cert_seed): base mixed with cn by FNV-1a, so one base
 * gives each name its own certificate. */
uint64_t x509_name_seed(uint64_t base, const char *cn);

/* The lower-case hex SHA-1 (41 bytes with the NUL) of the DER
 * certificate x509_self_signed(cn, seed) writes: what a capture's
 * tls.cert.sha1 shows. Returns 0, or -1 if it could not be built. */
int x509_sha1_hex(const char *cn, uint64_t seed, char out[41]);

#endif
