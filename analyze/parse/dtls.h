/*
 * dtls.h — the DTLS ClientHello and Certificate (RFC 6347 4.2, RFC 9147
 * 5): handshake records of epoch 0 read from UDP datagrams, the first
 * ClientHello's fragments put back together by offset (reasm.h) behind a
 * TLS handshake header, and handed to the TLS parser (tls.h,
 * TLS_OVER_DTLS: the cookie is skipped, JA4 starts with 'd'); the same
 * for the sender's first Certificate message (tls_parse_certificate():
 * DTLS 1.0 and 1.2 send it in the clear, DTLS 1.3 encrypted).
 *
 * Record versions: 0xfeff (DTLS 1.0), 0xfefd (1.2, and 1.3's ClientHello),
 * 0xfefc, and 0x0100 (the DTLS of OpenSSL before 0.9.8f, which Cisco
 * AnyConnect still sends). A datagram whose first record header is not one
 * of these is not read. One ClientHello at a time is put back together
 * (its message_seq and length: fragments of others are ignored, unless a
 * later message_seq shows the client gave up on the kept one); once it
 * was read, dtls_hello_done() makes room for the next one, up to
 * DTLS_HELLOS: a client's second ClientHello follows a HelloVerifyRequest
 * (with a cookie) or a DTLS 1.3 HelloRetryRequest. Retransmissions of a
 * ClientHello already read (the same message_seq) are ignored. A record of
 * epoch 1 or more, or a DTLS 1.3 ciphertext header, marks the sender as
 * encrypting: no plaintext ClientHello follows.
 *
 * Of Certificate messages, the first message_seq seen is kept, its
 * fragments put together as the ClientHello's are, and read once whole
 * (dtls_certificate()); the sender's later ones (retransmissions) are
 * ignored.
 *
 * Anomalies: tls_malformed (a record or handshake fragment running past
 * its container, a fragment past its message's length), field_too_long (a
 * ClientHello over DTLS_HELLO_MAX or a Certificate over DTLS_CERT_MAX, or
 * one in more than REASM_PIECES pieces).
 * Pure: no I/O; allocates only the reassembly buffers, released by
 * dtls_hello_done(), dtls_certificate_done() and dtls_state_free().
 */
#ifndef ATTRIB_PARSE_DTLS_H
#define ATTRIB_PARSE_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/parse/reasm.h"
#include "analyze/parse/tls.h"
#include "capture/anomaly.h"

#define DTLS_RECORD_HEADER_LEN 13
#define DTLS_HELLO_MAX (64u * 1024u) /* ClientHello bytes kept */
#define DTLS_HELLOS 4                /* ClientHellos read per sender */
#define DTLS_CERT_MAX (64u * 1024u)  /* Certificate bytes kept */

/* One sender's DTLS ClientHellos and Certificate. Zero it, then set
 * room. */
struct dtls_state {
	size_t room;             /* set by the caller: the most each
	                            reassembly buffer may hold */
	bool have_hello;         /* a ClientHello fragment is kept */
	bool encrypting;         /* an encrypted record was seen */
	uint16_t record_version; /* of that fragment's record */
	uint16_t hello_seq;      /* its message_seq */
	uint32_t hello_len;      /* its length */
	struct reasm hello;      /* TLS handshake header, then the body */
	uint8_t hellos_done;     /* ClientHellos read (dtls_hello_done()) */
	uint16_t done_seq[DTLS_HELLOS]; /* their message_seq */
	bool have_cert;          /* a Certificate fragment is kept */
	bool cert_done;          /* the Certificate was read (or given up) */
	uint16_t cert_version;   /* record version of its first fragment */
	uint16_t cert_seq;       /* its message_seq */
	uint32_t cert_len;       /* its length */
	struct reasm cert;       /* TLS handshake header, then the body */
};

/* What one datagram held. */
struct dtls_datagram_info {
	uint32_t records;         /* DTLS records read */
	uint32_t hello_fragments; /* fragments of the kept ClientHello */
	uint32_t cert_fragments;  /* fragments of the kept Certificate */
	bool out_of_room;         /* the reassembly needed more than room */
	anomaly_set anomalies;
};

/*
 * True when the len bytes at d start with the header of a DTLS handshake
 * record of epoch 0 and a version listed above (the test for a flow's
 * first datagram).
 */
bool dtls_looks_like(const uint8_t *d, size_t len);

/*
 * Reads the records of one UDP datagram into st. captured_whole: the
 * datagram was captured to its end, so a record running past it is
 * tls_malformed. info is fully overwritten.
 */
void dtls_read_datagram(struct dtls_state *st, const uint8_t *d, size_t len,
			bool captured_whole, struct dtls_datagram_info *info);

/*
 * Parses the kept ClientHello once all of it is there (tls.h's
 * tls_parse_client_hello(), TLS_OVER_DTLS). TLS_STATUS_NEED_MORE until
 * then; TLS_STATUS_OK; TLS_STATUS_MALFORMED with anomalies in *anomalies
 * (a broken ClientHello, or one longer than DTLS_HELLO_MAX).
 */
enum tls_status dtls_client_hello(const struct dtls_state *st,
				  struct tls_client_hello *ch,
				  anomaly_set *anomalies);

/*
 * The kept ClientHello was read (or given up): its reassembly buffer is
 * released, its retransmissions will be ignored, and the next ClientHello
 * is kept, while fewer than DTLS_HELLOS were read.
 */
void dtls_hello_done(struct dtls_state *st);

/*
 * Parses the kept Certificate once all of it is there
 * (tls_parse_certificate()). TLS_STATUS_NEED_MORE until then;
 * TLS_STATUS_OK; TLS_STATUS_MALFORMED with anomalies in *anomalies (a
 * broken message, or one longer than DTLS_CERT_MAX).
 */
enum tls_status dtls_certificate(const struct dtls_state *st,
				 struct tls_certificate *cert,
				 anomaly_set *anomalies);

/* The kept Certificate was read (or given up): its buffer is released
 * and no other Certificate of the sender is kept. */
void dtls_certificate_done(struct dtls_state *st);

/* Name of the record version: "1.0", "1.2", "1.3" or "0.9" (0x0100). */
const char *dtls_version_name(uint16_t record_version);

/* Releases the reassembly buffers. */
void dtls_state_free(struct dtls_state *st);

#endif
