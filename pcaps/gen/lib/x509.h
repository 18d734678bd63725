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

#endif
