/*
 * cipher.h — the symmetric primitives that QUIC Initial packet protection
 * needs (RFC 9001 5): HKDF-Extract and TLS 1.3's HKDF-Expand-Label over
 * SHA-256, one AES-128 block (header protection), and AES-128-GCM
 * decryption with its tag checked.
 *
 * Thin wrappers around libgcrypt, so that parsers never include gcrypt.h
 * themselves; analyze/crypto/cipher.c and analyze/crypto/digest.c are the only files
 * under analyze/ that do (digest.c initialises the library). Pure
 * otherwise: no I/O, nothing kept between calls. Every function returns
 * false when libgcrypt fails or refuses; outputs are then unspecified.
 */
#ifndef ATTRIB_CIPHER_H
#define ATTRIB_CIPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CIPHER_SHA256_LEN 32
#define CIPHER_AES128_KEY_LEN 16
#define CIPHER_AES_BLOCK_LEN 16
#define CIPHER_GCM_NONCE_LEN 12
#define CIPHER_GCM_TAG_LEN 16

/* HKDF-Extract (RFC 5869 2.2) with SHA-256: prk = HMAC(salt, ikm). */
bool cipher_hkdf_extract(const uint8_t *salt, size_t salt_len,
			 const uint8_t *ikm, size_t ikm_len,
			 uint8_t prk[CIPHER_SHA256_LEN]);

/*
 * HKDF-Expand-Label (RFC 8446 7.1) with SHA-256 and an empty context:
 * out_len bytes (1..255) from secret, for label without its "tls13 "
 * prefix (at most 249 characters), e.g. "quic key".
 */
bool cipher_hkdf_expand_label(const uint8_t secret[CIPHER_SHA256_LEN],
			      const char *label, uint8_t *out, size_t out_len);

/* out = AES-128(key, in): one block, as ECB mode computes it. */
bool cipher_aes128_block(const uint8_t key[CIPHER_AES128_KEY_LEN],
			 const uint8_t in[CIPHER_AES_BLOCK_LEN],
			 uint8_t out[CIPHER_AES_BLOCK_LEN]);

/*
 * AES-128-GCM decryption (AEAD_AES_128_GCM, RFC 5116): ct_len bytes of
 * ciphertext at ct, then the 16-byte tag at tag, authenticated with
 * aad_len bytes of associated data. Writes ct_len bytes of plaintext to pt
 * (which may not overlap ct). False when the tag does not match: pt must
 * not be used then.
 */
bool cipher_aes128_gcm_open(const uint8_t key[CIPHER_AES128_KEY_LEN],
			    const uint8_t nonce[CIPHER_GCM_NONCE_LEN],
			    const uint8_t *aad, size_t aad_len,
			    const uint8_t *ct, size_t ct_len,
			    const uint8_t tag[CIPHER_GCM_TAG_LEN], uint8_t *pt);

/*
 * AES-128-GCM encryption, the inverse of cipher_aes128_gcm_open(): writes
 * pt_len bytes of ciphertext to ct (which may not overlap pt) and the tag
 * to tag. attrib only decrypts; tests and the fuzz harness use this to
 * build protected packets.
 */
bool cipher_aes128_gcm_seal(const uint8_t key[CIPHER_AES128_KEY_LEN],
			    const uint8_t nonce[CIPHER_GCM_NONCE_LEN],
			    const uint8_t *aad, size_t aad_len,
			    const uint8_t *pt, size_t pt_len, uint8_t *ct,
			    uint8_t tag[CIPHER_GCM_TAG_LEN]);

#endif
