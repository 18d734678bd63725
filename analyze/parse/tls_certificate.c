/*
 * tls_certificate.c — the Certificate handshake message (TLS 1.2 form, as
 * DTLS carries it too): its certificate list, each certificate read by
 * x509.c (names) and x509_cert.c (GnuTLS). See tls_certificate.h and
 * tls.h.
 */
#include "analyze/parse/tls_certificate.h"

#include <stddef.h>
#include <string.h>

bool tls_certificate_read(struct cursor body, bool partial,
			  struct tls_certificate *cert, anomaly_set *anom)
{
	struct cursor list, der;
	uint32_t list_len, der_len;

	/* chain[] past n_chain is never read: each entry is written whole */
	memset(cert, 0, offsetof(struct tls_certificate, chain));
	if (!cursor_be24(&body, &list_len))
		goto malformed;
	if (!cursor_sub(&body, list_len, &list)) {
		if (!partial)
			goto malformed;
		list = body;
	} else if (cursor_left(&body) != 0) {
		anomaly_add(anom, ANOM_TLS_MALFORMED);
	}
	while (cursor_left(&list) > 0) {
		if (!cursor_be24(&list, &der_len) ||
		    !cursor_sub(&list, der_len, &der)) {
			if (partial && cert->n_certs > 0)
				return true;
			goto malformed;
		}
		if (cert->n_chain < TLS_CERT_CHAIN_MAX)
			x509_cert_read(cursor_ptr(&der), der_len,
				       &cert->chain[cert->n_chain++], anom);
		if (cert->n_certs++ > 0)
			continue;
		cert->first_len = der_len;
		digest_sha1_hex(cursor_ptr(&der), der_len, cert->sha1);
		x509_read_names(cursor_ptr(&der), der_len, &cert->names, anom);
	}
	return cert->n_certs > 0;

malformed:
	anomaly_add(anom, ANOM_TLS_MALFORMED);
	return false;
}

enum tls_status tls_parse_certificate(const uint8_t *msg, size_t len,
				      struct tls_certificate *out,
				      anomaly_set *anomalies)
{
	struct cursor c, body;
	uint8_t type;
	uint32_t mlen;

	memset(out, 0, offsetof(struct tls_certificate, chain));
	cursor_init(&c, msg, len);
	if (!cursor_u8(&c, &type) || !cursor_be24(&c, &mlen) ||
	    !cursor_sub(&c, mlen, &body))
		return TLS_STATUS_NEED_MORE;
	if (type != TLS_HS_CERTIFICATE)
		return TLS_STATUS_MALFORMED;
	return tls_certificate_read(body, false, out, anomalies)
		       ? TLS_STATUS_OK
		       : TLS_STATUS_MALFORMED;
}
