/*
 * tls_certificate.h — the body of a TLS 1.2 style Certificate handshake
 * message, for tls.c's record parser (tls_parse_certificate(), the public
 * reading of a whole message, is declared in tls.h).
 */
#ifndef ATTRIB_PARSE_TLS_CERTIFICATE_H
#define ATTRIB_PARSE_TLS_CERTIFICATE_H

#include <stdbool.h>

#include "analyze/parse/tls.h"
#include "capture/cursor.h"

/*
 * Reads the certificate_list in body into *cert (fully overwritten): the
 * count, the first certificate's SHA-1 and names, and the first
 * TLS_CERT_CHAIN_MAX certificates through GnuTLS. With partial set, body
 * is only a prefix of the message: a missing tail is not an error as long
 * as the first certificate is complete. True when at least one
 * certificate was read; anomalies are added to *anom.
 */
bool tls_certificate_read(struct cursor body, bool partial,
			  struct tls_certificate *cert, anomaly_set *anom);

#endif
