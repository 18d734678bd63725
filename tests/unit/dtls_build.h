/*
 * dtls_build.h — a DTLS ClientHello, a Certificate body and their
 * handshake records, built for the DTLS tests (test_parse_dtls.c, test_extract_dtls.c). Include after
 * test_bytes.h; everything is static.
 */
#ifndef ATTRIB_TEST_DTLS_BUILD_H
#define ATTRIB_TEST_DTLS_BUILD_H

/* A ClientHello body (no handshake header) with a cookie of cookie_len. */
static __attribute__((unused)) void hello_body(struct wbuf *w, unsigned cookie_len)
{
	static const char sni[] = "dtls.example";
	size_t ext, at;

	put16(w, 0xfefd);
	for (int i = 0; i < 32; i++)
		put8(w, (unsigned)i);
	put8(w, 0); /* session id */
	put8(w, cookie_len);
	for (unsigned i = 0; i < cookie_len; i++)
		put8(w, 0xc0);
	put16(w, 6);
	put16(w, 0x0a0a); /* GREASE */
	put16(w, 0xc02b);
	put16(w, 0xc02f);
	put8(w, 1);
	put8(w, 0);
	ext = w->n;
	put16(w, 0);
	put16(w, 0x0000); /* server_name */
	put16(w, (unsigned)(sizeof(sni) - 1 + 5));
	put16(w, (unsigned)(sizeof(sni) - 1 + 3));
	put8(w, 0);
	put16(w, (unsigned)(sizeof(sni) - 1));
	put(w, sni, sizeof(sni) - 1);
	put16(w, 0x000a); /* supported_groups */
	put16(w, 6);
	put16(w, 4);
	put16(w, 0x001d);
	put16(w, 0x0017);
	put16(w, 0x000b); /* ec_point_formats */
	put16(w, 2);
	put8(w, 1);
	put8(w, 0);
	put16(w, 0x000e); /* use_srtp */
	put16(w, 5);
	put16(w, 2);
	put16(w, 0x0001);
	put8(w, 0);
	at = w->n - ext - 2;
	w->b[ext] = (uint8_t)(at >> 8);
	w->b[ext + 1] = (uint8_t)at;
}

#define HELLO_JA3 "65277,49195-49199,0-10-11-14,29-23,0"

/* A handshake record: one fragment [off, off + n) of a message of type
 * and len. */
static __attribute__((unused)) void record_of(struct wbuf *w, uint16_t version,
		   unsigned type, uint16_t seq, const uint8_t *body, size_t len,
		   size_t off, size_t n)
{
	put8(w, 22);
	put16(w, version);
	put16(w, 0);              /* epoch */
	put(w, "\0\0\0\0\0\1", 6); /* sequence number */
	put16(w, (unsigned)(12 + n));
	put8(w, type);
	put24(w, len);
	put16(w, seq);
	put24(w, off);
	put24(w, n);
	put(w, body + off, n);
}

/* A ClientHello record: one fragment [off, off + n) of a message of len. */
static __attribute__((unused)) void record(struct wbuf *w, uint16_t version, uint16_t seq,
		   const uint8_t *body, size_t len, size_t off, size_t n)
{
	record_of(w, version, 1, seq, body, len, off, n);
}

/* A Certificate body (no handshake header) holding one DER certificate. */
static __attribute__((unused)) void cert_body(struct wbuf *w, const uint8_t *der,
		      size_t len)
{
	put24(w, (unsigned)(3 + len));
	put24(w, (unsigned)len);
	put(w, der, len);
}

#endif
