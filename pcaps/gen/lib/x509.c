/*
 * x509.c — the generator's self-signed certificate in DER (x509.h).
 */
#include "pcaps/gen/lib/x509.h"

#include <string.h>

#include "analyze/crypto/digest.h"
#include "pcaps/gen/lib/rng.h"

#define DER_INTEGER 0x02
#define DER_BIT_STRING 0x03
#define DER_OCTET_STRING 0x04
#define DER_UTF8_STRING 0x0c
#define DER_UTC_TIME 0x17
#define DER_SEQUENCE 0x30
#define DER_SET 0x31
#define DER_CONTEXT_0 0xa0 /* [0] constructed: version */
#define DER_CONTEXT_3 0xa3 /* [3] constructed: extensions */
#define DER_DNS_NAME 0x82  /* GeneralName [2] IA5String, implicit */

static const uint8_t oid_ecdsa_sha256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d,
					   0x04, 0x03, 0x02};
static const uint8_t oid_common_name[] = {0x55, 0x04, 0x03};
static const uint8_t oid_ec_public_key[] = {0x2a, 0x86, 0x48, 0xce, 0x3d,
					    0x02, 0x01};
static const uint8_t oid_prime256v1[] = {0x2a, 0x86, 0x48, 0xce, 0x3d,
					 0x03, 0x01, 0x07};
static const uint8_t oid_subject_alt_name[] = {0x55, 0x1d, 0x11};

static void der_oid(struct buf *b, const uint8_t *oid, size_t len)
{
	buf_u8(b, 0x06);
	buf_u8(b, (uint8_t)len);
	buf_bytes(b, oid, len);
}

static void der_string(struct buf *b, uint8_t tag, const char *s)
{
	buf_der_open(b, tag);
	buf_text(b, s);
	buf_der_close(b);
}

/* A positive INTEGER of n random bytes (top bit clear, never zero). */
static void der_random_integer(struct buf *b, size_t n, struct rng *r)
{
	uint8_t bytes[32];

	rng_bytes(r, bytes, n);
	bytes[0] = (uint8_t)((bytes[0] & 0x7f) | 0x10);
	buf_der_open(b, DER_INTEGER);
	buf_bytes(b, bytes, n);
	buf_der_close(b);
}

static void ecdsa_sha256_algorithm(struct buf *b)
{
	buf_der_open(b, DER_SEQUENCE);
	der_oid(b, oid_ecdsa_sha256, sizeof(oid_ecdsa_sha256));
	buf_der_close(b);
}

static void name(struct buf *b, const char *cn)
{
	buf_der_open(b, DER_SEQUENCE);
	buf_der_open(b, DER_SET);
	buf_der_open(b, DER_SEQUENCE);
	der_oid(b, oid_common_name, sizeof(oid_common_name));
	der_string(b, DER_UTF8_STRING, cn);
	buf_der_close(b);
	buf_der_close(b);
	buf_der_close(b);
}

static void public_key(struct buf *b, struct rng *r)
{
	uint8_t point[65];

	point[0] = 0x04; /* uncompressed */
	rng_bytes(r, point + 1, sizeof(point) - 1);
	buf_der_open(b, DER_SEQUENCE);
	buf_der_open(b, DER_SEQUENCE);
	der_oid(b, oid_ec_public_key, sizeof(oid_ec_public_key));
	der_oid(b, oid_prime256v1, sizeof(oid_prime256v1));
	buf_der_close(b);
	buf_der_open(b, DER_BIT_STRING);
	buf_u8(b, 0); /* no unused bits */
	buf_bytes(b, point, sizeof(point));
	buf_der_close(b);
	buf_der_close(b);
}

static void subject_alt_name(struct buf *b, const char *cn)
{
	buf_der_open(b, DER_CONTEXT_3);
	buf_der_open(b, DER_SEQUENCE);
	buf_der_open(b, DER_SEQUENCE);
	der_oid(b, oid_subject_alt_name, sizeof(oid_subject_alt_name));
	buf_der_open(b, DER_OCTET_STRING);
	buf_der_open(b, DER_SEQUENCE);
	der_string(b, DER_DNS_NAME, cn);
	buf_der_close(b);
	buf_der_close(b);
	buf_der_close(b);
	buf_der_close(b);
	buf_der_close(b);
}

void x509_self_signed(struct buf *b, const char *cn, uint64_t seed)
{
	struct rng r = rng_stream(seed, 0x509);

	buf_der_open(b, DER_SEQUENCE); /* Certificate */
	buf_der_open(b, DER_SEQUENCE); /* TBSCertificate */
	buf_der_open(b, DER_CONTEXT_0);
	buf_bytes(b, (const uint8_t[]){DER_INTEGER, 1, 2}, 3); /* v3 */
	buf_der_close(b);
	der_random_integer(b, 16, &r); /* serial number */
	ecdsa_sha256_algorithm(b);
	name(b, cn); /* issuer */
	buf_der_open(b, DER_SEQUENCE);
	der_string(b, DER_UTC_TIME, "240101000000Z");
	der_string(b, DER_UTC_TIME, "260101000000Z");
	buf_der_close(b);
	name(b, cn); /* subject */
	public_key(b, &r);
	subject_alt_name(b, cn);
	buf_der_close(b);

	ecdsa_sha256_algorithm(b);
	buf_der_open(b, DER_BIT_STRING);
	buf_u8(b, 0);
	buf_der_open(b, DER_SEQUENCE); /* Ecdsa-Sig-Value */
	der_random_integer(b, 32, &r);
	der_random_integer(b, 32, &r);
	buf_der_close(b);
	buf_der_close(b);
	buf_der_close(b);
}

uint64_t x509_name_seed(uint64_t base, const char *cn)
{
	for (const char *p = cn; *p; p++) /* FNV-1a */
		base = (base ^ (uint8_t)*p) * 0x100000001b3ULL;
	return base;
}

int x509_sha1_hex(const char *cn, uint64_t seed, char out[DIGEST_SHA1_HEX_SIZE])
{
	struct buf b; /* 4 KiB: the certificate is about 400 bytes */

	buf_init(&b);
	x509_self_signed(&b, cn, seed);
	if (!buf_ok(&b) || !digest_sha1_hex(b.data, b.len, out))
		return -1;
	return 0;
}
