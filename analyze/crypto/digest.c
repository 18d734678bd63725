/*
 * digest.c — libgcrypt-backed MD5 / SHA-1 / SHA-256 hex digests
 * (see digest.h). With analyze/crypto/cipher.c, the only files under analyze/
 * that include gcrypt.h; it also owns the library's initialisation.
 */
#include "analyze/crypto/digest.h"

#include <gcrypt.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

static pthread_once_t digest_once = PTHREAD_ONCE_INIT;
static bool digest_ready;

/*
 * Initialises libgcrypt unless another part of the process already did.
 * Hashing needs no secure memory, so it is disabled to avoid the warning
 * libgcrypt prints when secure memory is not set up.
 */
static void digest_init_once(void)
{
	if (!gcry_check_version(NULL))
		return;
	if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
		gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	}
	digest_ready = true;
}

bool digest_init(void)
{
	return pthread_once(&digest_once, digest_init_once) == 0 &&
	       digest_ready;
}

struct digest_info {
	int gcry_algo;
	size_t raw_len;
};

static bool digest_lookup(enum digest_algo algo, struct digest_info *info)
{
	switch (algo) {
	case DIGEST_MD5:
		*info = (struct digest_info){ GCRY_MD_MD5, 16 };
		return true;
	case DIGEST_SHA1:
		*info = (struct digest_info){ GCRY_MD_SHA1, 20 };
		return true;
	case DIGEST_SHA256:
		*info = (struct digest_info){ GCRY_MD_SHA256, 32 };
		return true;
	}
	return false;
}

void digest_raw_to_hex(const uint8_t *raw, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

bool digest_sha256(const void *data, size_t len, uint8_t out[32])
{
	static const uint8_t empty[1];
	if (pthread_once(&digest_once, digest_init_once) != 0 || !digest_ready) {
		memset(out, 0, 32);
		return false;
	}
	gcry_md_hash_buffer(GCRY_MD_SHA256, out, len ? data : empty, len);
	return true;
}

bool digest_hex(enum digest_algo algo, const void *data, size_t len,
		char *out, size_t out_size)
{
	static const uint8_t empty[1];
	struct digest_info info;
	uint8_t raw[32];

	if (out_size > 0)
		out[0] = '\0';
	if (!digest_lookup(algo, &info) || out_size < info.raw_len * 2 + 1)
		return false;
	if (!digest_init())
		return false;
	gcry_md_hash_buffer(info.gcry_algo, raw, len ? data : empty, len);
	digest_raw_to_hex(raw, info.raw_len, out);
	return true;
}

bool digest_md5_hex(const void *data, size_t len,
		    char out[DIGEST_MD5_HEX_SIZE])
{
	return digest_hex(DIGEST_MD5, data, len, out, DIGEST_MD5_HEX_SIZE);
}

bool digest_sha1_hex(const void *data, size_t len,
		     char out[DIGEST_SHA1_HEX_SIZE])
{
	return digest_hex(DIGEST_SHA1, data, len, out, DIGEST_SHA1_HEX_SIZE);
}

bool digest_sha256_hex(const void *data, size_t len,
		       char out[DIGEST_SHA256_HEX_SIZE])
{
	return digest_hex(DIGEST_SHA256, data, len, out,
			  DIGEST_SHA256_HEX_SIZE);
}
