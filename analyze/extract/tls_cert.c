/*
 * tls_cert.c — the certificate chain of a TLS server as indicators, from
 * GnuTLS's reading of each certificate (analyze/parse/x509_cert.h).
 *
 * For each of the first TLS_CERT_CHAIN_MAX certificates of the server's
 * Certificate message (position n, 0 = leaf), with detail
 * "impl=gnutls [carrier=…] cert=n":
 *   tls.cert.san          each subjectAltName entry (detail adds
 *                         type=dns|email|uri|ip)
 *   tls.cert.serial       serial number, lower-case hex of its DER bytes
 *   tls.cert.not_before / tls.cert.not_after   ISO 8601 UTC
 *   tls.cert.key          public-key algorithm and size ("RSA 2048")
 *   tls.cert.self_signed  the subject DN of a certificate whose issuer is
 *                         its subject and whose own key verifies it
 *   tls.cert.subject_dn / tls.cert.issuer_dn   full DN, RFC 4514
 * A certificate GnuTLS refuses gives x509_malformed (through the parser's
 * anomalies) and none of these.
 */
#include "analyze/extract/extract_internal.h"

#include <stdio.h>
#include <string.h>

#include "analyze/parse/tls.h"

void ex_emit_cert_chain(struct extract *x, struct extract_flow *s,
			const struct tls_certificate *cert,
			const char *carrier, const struct packet *pkt)
{
	char base[96];
	const char *sep = carrier && carrier[0] ? " " : "";

	for (uint32_t n = 0; n < cert->n_chain && n < TLS_CERT_CHAIN_MAX; n++) {
		const struct x509_cert *c = &cert->chain[n];
		const char *san = c->sans;

		if (!c->ok)
			continue;
		snprintf(base, sizeof base, "impl=gnutls%s%s cert=%u", sep,
			 carrier ? carrier : "", n);
		for (unsigned i = 0; i < c->n_sans; i++) {
			snprintf(x->detail, sizeof x->detail, "%s type=%s",
				 base,
				 x509_san_type_name(
					 (enum x509_san_type)c->san_type[i]));
			ex_emit(x, s, OBS_TLS_CERT_SAN, 0, san, x->detail, pkt);
			san += strlen(san) + 1;
		}
		ex_emit(x, s, OBS_TLS_CERT_SERIAL, 0, c->serial, base, pkt);
		ex_emit(x, s, OBS_TLS_CERT_NOT_BEFORE, 0, c->not_before, base,
			pkt);
		ex_emit(x, s, OBS_TLS_CERT_NOT_AFTER, 0, c->not_after, base,
			pkt);
		ex_emit(x, s, OBS_TLS_CERT_KEY, 0, c->key, base, pkt);
		if (c->self_signed)
			ex_emit(x, s, OBS_TLS_CERT_SELF_SIGNED, 0,
				c->subject_dn[0] ? c->subject_dn : c->serial,
				base, pkt);
		ex_emit(x, s, OBS_TLS_CERT_SUBJECT_DN, 0, c->subject_dn, base,
			pkt);
		ex_emit(x, s, OBS_TLS_CERT_ISSUER_DN, 0, c->issuer_dn, base,
			pkt);
	}
}
