/*
 * tls.h — TLS handshake messages for the scenario generator: a
 * ClientHello from a fixed client profile (so every connection of one
 * profile has the same JA3 and JA4), the server's answer for TLS 1.3 or
 * TLS 1.2 (with a certificate in clear), and the records that follow.
 *
 * Profiles (their lists are in tls.c):
 *   implant-a  a small C2 client over an OpenSSL-like stack;
 *   implant-b  a different C2 client over a Go-like stack;
 *   browser    a desktop browser, GREASE values included (drawn per
 *              connection, which leaves JA3 and JA4 unchanged: both skip
 *              GREASE).
 * All random fields (client and server random, session id, key shares,
 * "encrypted" bytes) come from the caller's rng, so a session can be
 * replayed byte for byte (the relay leg does that).
 */
#ifndef ATTRIB_GEN_TLS_H
#define ATTRIB_GEN_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "pcaps/gen/lib/buf.h"
#include "pcaps/gen/lib/rng.h"

#define TLS_JA3_TEXT_MAX 1024
#define TLS_JA3_MD5_SIZE 33 /* 32 hex digits + NUL */
#define TLS_JA4_TEXT_MAX 40

struct tls_profile;

/* The profile called name, or NULL. */
const struct tls_profile *tls_profile_find(const char *name);

/* The profile's name (static text). */
const char *tls_profile_name(const struct tls_profile *p);

/* The ALPN list the profile offers by default ("h2,http/1.1"). */
const char *tls_profile_alpn(const struct tls_profile *p);

/* The JA3 string, JA3 MD5 and JA4 of the profile's ClientHello with SNI
 * present and the given ALPN list (comma-separated, "" for none).
 * Returns 0, or -1 when a buffer is too small or hashing fails. */
int tls_profile_fingerprints(const struct tls_profile *p, const char *alpn,
			     char ja3[TLS_JA3_TEXT_MAX],
			     char ja3_md5[TLS_JA3_MD5_SIZE],
			     char ja4[TLS_JA4_TEXT_MAX]);

/* Appends one handshake record holding the profile's ClientHello for sni
 * (NULL or "" for none) offering alpn (comma-separated, "" for none). */
void tls_client_hello(struct buf *b, const struct tls_profile *p,
		      const char *sni, const char *alpn, struct rng *r);

/* Appends the server's first flight of a TLS 1.3 handshake: ServerHello
 * (cipher 0x1301, x25519 key share), ChangeCipherSpec, and one
 * application-data record of encrypted_len opaque bytes. */
void tls13_server_flight(struct buf *b, size_t encrypted_len,
			 struct rng *r);

/* Appends the server's first flight of a TLS 1.2 ECDHE-ECDSA handshake:
 * ServerHello (0xc02b; ALPN `alpn_selected` unless ""), Certificate (one
 * self-signed certificate for cert_cn), ServerKeyExchange (x25519),
 * ServerHelloDone. seed fixes the certificate's key, serial and
 * signature, so the same seed gives the same certificate (reuse across
 * servers is how scenarios plant it). */
void tls12_server_flight(struct buf *b, const char *alpn_selected,
			 const char *cert_cn, uint64_t cert_seed,
			 struct rng *r);

/* TLS 1.2 client second flight: ClientKeyExchange, ChangeCipherSpec,
 * encrypted Finished. */
void tls12_client_finish(struct buf *b, struct rng *r);

/* TLS 1.2 server: ChangeCipherSpec and encrypted Finished. */
void tls12_server_finish(struct buf *b, struct rng *r);

/* TLS 1.3 client: ChangeCipherSpec and encrypted Finished. */
void tls13_client_finish(struct buf *b, struct rng *r);

/* One application-data record of len opaque bytes. */
void tls_application_data(struct buf *b, size_t len, struct rng *r);

#endif
