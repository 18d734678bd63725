/*
 * cipher.c — libgcrypt-backed HKDF-SHA256, AES-128 block and AES-128-GCM
 * decryption (see cipher.h). With analyze/crypto/digest.c, the only files under
 * analyze/ that include gcrypt.h; the library is initialised there.
 */
#include "analyze/crypto/cipher.h"

#include <gcrypt.h>
#include <string.h>

#include "analyze/crypto/digest.h"

#define TLS13_LABEL_PREFIX "tls13 "
#define HKDF_LABEL_MAX 255

/* out = HMAC-SHA256(key, a || b); b may be NULL when b_len is 0. */
static bool hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *a,
			size_t a_len, const uint8_t *b, size_t b_len,
			uint8_t out[CIPHER_SHA256_LEN])
{
	gcry_mac_hd_t h;
	size_t out_len = CIPHER_SHA256_LEN;
	bool ok;

	if (!digest_init() || key_len == 0)
		return false;
	if (gcry_mac_open(&h, GCRY_MAC_HMAC_SHA256, 0, NULL) != 0)
		return false;
	ok = gcry_mac_setkey(h, key, key_len) == 0 &&
	     gcry_mac_write(h, a, a_len) == 0 &&
	     (b_len == 0 || gcry_mac_write(h, b, b_len) == 0) &&
	     gcry_mac_read(h, out, &out_len) == 0 &&
	     out_len == CIPHER_SHA256_LEN;
	gcry_mac_close(h);
	return ok;
}

bool cipher_hkdf_extract(const uint8_t *salt, size_t salt_len,
			 const uint8_t *ikm, size_t ikm_len,
			 uint8_t prk[CIPHER_SHA256_LEN])
{
	return hmac_sha256(salt, salt_len, ikm, ikm_len, NULL, 0, prk);
}

bool cipher_hkdf_expand_label(const uint8_t secret[CIPHER_SHA256_LEN],
			      const char *label, uint8_t *out, size_t out_len)
{
	/* HkdfLabel: uint16 length, opaque label<7..255>, opaque context<0..255> */
	uint8_t info[2 + 1 + HKDF_LABEL_MAX + 1];
	uint8_t block[CIPHER_SHA256_LEN], counter;
	size_t prefix = strlen(TLS13_LABEL_PREFIX), label_len = strlen(label);
	size_t info_len = 0, done = 0;

	if (out_len == 0 || out_len > 255 ||
	    prefix + label_len > HKDF_LABEL_MAX)
		return false;
	info[info_len++] = (uint8_t)(out_len >> 8);
	info[info_len++] = (uint8_t)out_len;
	info[info_len++] = (uint8_t)(prefix + label_len);
	memcpy(info + info_len, TLS13_LABEL_PREFIX, prefix);
	info_len += prefix;
	memcpy(info + info_len, label, label_len);
	info_len += label_len;
	info[info_len++] = 0; /* empty context */

	/* HKDF-Expand (RFC 5869 2.3): T(i) = HMAC(PRK, T(i-1) || info || i) */
	for (counter = 1; done < out_len; counter++) {
		uint8_t msg[CIPHER_SHA256_LEN + sizeof(info) + 1];
		size_t msg_len = 0, take;

		if (counter > 1) {
			memcpy(msg, block, CIPHER_SHA256_LEN);
			msg_len = CIPHER_SHA256_LEN;
		}
		memcpy(msg + msg_len, info, info_len);
		msg_len += info_len;
		msg[msg_len++] = counter;
		if (!hmac_sha256(secret, CIPHER_SHA256_LEN, msg, msg_len, NULL,
				 0, block))
			return false;
		take = out_len - done < CIPHER_SHA256_LEN ? out_len - done
							  : CIPHER_SHA256_LEN;
		memcpy(out + done, block, take);
		done += take;
	}
	return true;
}

bool cipher_aes128_block(const uint8_t key[CIPHER_AES128_KEY_LEN],
			 const uint8_t in[CIPHER_AES_BLOCK_LEN],
			 uint8_t out[CIPHER_AES_BLOCK_LEN])
{
	gcry_cipher_hd_t h;
	bool ok;

	if (!digest_init())
		return false;
	if (gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0) !=
	    0)
		return false;
	ok = gcry_cipher_setkey(h, key, CIPHER_AES128_KEY_LEN) == 0 &&
	     gcry_cipher_encrypt(h, out, CIPHER_AES_BLOCK_LEN, in,
				 CIPHER_AES_BLOCK_LEN) == 0;
	gcry_cipher_close(h);
	return ok;
}

/* An AES-128-GCM handle keyed, with its nonce set and the additional data
 * authenticated; false (nothing left open) on failure. */
static bool gcm_start(gcry_cipher_hd_t *h,
		      const uint8_t key[CIPHER_AES128_KEY_LEN],
		      const uint8_t nonce[CIPHER_GCM_NONCE_LEN],
		      const uint8_t *aad, size_t aad_len)
{
	if (!digest_init())
		return false;
	if (gcry_cipher_open(h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0) !=
	    0)
		return false;
	if (gcry_cipher_setkey(*h, key, CIPHER_AES128_KEY_LEN) == 0 &&
	    gcry_cipher_setiv(*h, nonce, CIPHER_GCM_NONCE_LEN) == 0 &&
	    gcry_cipher_authenticate(*h, aad, aad_len) == 0 &&
	    gcry_cipher_final(*h) == 0)
		return true;
	gcry_cipher_close(*h);
	return false;
}

bool cipher_aes128_gcm_open(const uint8_t key[CIPHER_AES128_KEY_LEN],
			    const uint8_t nonce[CIPHER_GCM_NONCE_LEN],
			    const uint8_t *aad, size_t aad_len,
			    const uint8_t *ct, size_t ct_len,
			    const uint8_t tag[CIPHER_GCM_TAG_LEN], uint8_t *pt)
{
	gcry_cipher_hd_t h;

	if (!gcm_start(&h, key, nonce, aad, aad_len))
		return false;
	bool ok = gcry_cipher_decrypt(h, pt, ct_len, ct, ct_len) == 0 &&
		  gcry_cipher_checktag(h, tag, CIPHER_GCM_TAG_LEN) == 0;
	gcry_cipher_close(h);
	return ok;
}

bool cipher_aes128_gcm_seal(const uint8_t key[CIPHER_AES128_KEY_LEN],
			    const uint8_t nonce[CIPHER_GCM_NONCE_LEN],
			    const uint8_t *aad, size_t aad_len,
			    const uint8_t *pt, size_t pt_len, uint8_t *ct,
			    uint8_t tag[CIPHER_GCM_TAG_LEN])
{
	gcry_cipher_hd_t h;

	if (!gcm_start(&h, key, nonce, aad, aad_len))
		return false;
	bool ok = gcry_cipher_encrypt(h, ct, pt_len, pt, pt_len) == 0 &&
		  gcry_cipher_gettag(h, tag, CIPHER_GCM_TAG_LEN) == 0;
	gcry_cipher_close(h);
	return ok;
}
