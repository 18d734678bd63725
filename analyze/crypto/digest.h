/*
 * digest.h — MD5, SHA-1 and SHA-256 of a buffer, as lower-case hex.
 *
 * Thin wrappers around libgcrypt so that parsers and fingerprint code never
 * include gcrypt.h themselves. The library is initialised on first use
 * (thread-safe, once per process). Pure otherwise: no allocation visible to
 * the caller, no I/O.
 */
#ifndef ATTRIB_DIGEST_H
#define ATTRIB_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sizes of the hex output buffers, terminating NUL included. */
#define DIGEST_MD5_HEX_SIZE 33
#define DIGEST_SHA1_HEX_SIZE 41
#define DIGEST_SHA256_HEX_SIZE 65

enum digest_algo {
	DIGEST_MD5,
	DIGEST_SHA1,
	DIGEST_SHA256,
};

/*
 * Writes the digest of len bytes at data as lower-case hex plus NUL into
 * out, which holds out_size bytes. data may be NULL when len is 0.
 * Returns false (and out = "" when out_size > 0) if out_size is smaller
 * than the algorithm's *_HEX_SIZE or libgcrypt cannot be initialised.
 */
bool digest_hex(enum digest_algo algo, const void *data, size_t len,
		char *out, size_t out_size);

/* digest_hex(DIGEST_MD5, ...) into a DIGEST_MD5_HEX_SIZE buffer. */
bool digest_md5_hex(const void *data, size_t len,
		    char out[DIGEST_MD5_HEX_SIZE]);

/* digest_hex(DIGEST_SHA1, ...) into a DIGEST_SHA1_HEX_SIZE buffer. */
bool digest_sha1_hex(const void *data, size_t len,
		     char out[DIGEST_SHA1_HEX_SIZE]);

/*
 * The 32 raw bytes of the SHA-256 of len bytes at data (NULL when len is
 * 0). false (out zeroed) if libgcrypt cannot be initialised.
 */
bool digest_sha256(const void *data, size_t len, uint8_t out[32]);

/* Writes n raw bytes as 2n lower-case hex digits plus NUL into out. */
void digest_raw_to_hex(const uint8_t *raw, size_t n, char *out);

/* digest_hex(DIGEST_SHA256, ...) into a DIGEST_SHA256_HEX_SIZE buffer. */
bool digest_sha256_hex(const void *data, size_t len,
		       char out[DIGEST_SHA256_HEX_SIZE]);

/*
 * Initialises libgcrypt once per process, unless another part of the
 * process already did (thread-safe). Called by every function here and by
 * analyze/crypto/cipher.c. False when the library cannot be initialised.
 */
bool digest_init(void);

#endif
