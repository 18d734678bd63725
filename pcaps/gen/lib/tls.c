/*
 * tls.c — TLS message building for the scenario generator (tls.h):
 * ClientHello from a profile, the server flights of TLS 1.3 and 1.2, and
 * the opaque records that follow. The profiles themselves and their
 * fingerprints are in tls_profiles.c.
 */
#include "pcaps/gen/lib/tls.h"

#include <string.h>

#include "pcaps/gen/lib/tls_internal.h"
#include "pcaps/gen/lib/x509.h"

/* ---- ClientHello ---- */

/* GREASE_SLOT values for one ClientHello (RFC 8701: 0x?a?a, both bytes equal) */
struct grease {
	uint16_t cipher, first_ext, last_ext, group, version;
};

static uint16_t grease_value(struct rng *r)
{
	uint16_t nibble = (uint16_t)rng_range(r, 0, 15);
	return (uint16_t)(((nibble << 4 | 0xa) << 8) | (nibble << 4 | 0xa));
}

static uint16_t or_grease(uint16_t v, uint16_t grease)
{
	return v == GREASE_SLOT ? grease : v;
}

/* ALPN protocol_name_list from "a,b" */
static void put_alpn_list(struct buf *b, const char *alpn)
{
	const char *p = alpn;

	buf_open(b, 2);
	while (*p) {
		size_t n = strcspn(p, ",");
		buf_u8(b, (uint8_t)n);
		buf_bytes(b, p, n);
		p += n;
		if (*p == ',')
			p++;
	}
	buf_close(b);
}

static void put_u16_list(struct buf *b, int width, const uint16_t *v,
			 size_t n, uint16_t grease)
{
	buf_open(b, width);
	for (size_t i = 0; i < n; i++)
		buf_u16(b, or_grease(v[i], grease));
	buf_close(b);
}

/* The body of one ClientHello extension. */
static void put_client_extension(struct buf *b, const struct tls_profile *p,
				 uint16_t type, const char *sni,
				 const char *alpn, const struct grease *g,
				 struct rng *r)
{
	uint8_t key[X25519_KEY_LEN];

	switch (type) {
	case EXT_SERVER_NAME:
		buf_open(b, 2);
		buf_u8(b, 0); /* host_name */
		buf_open(b, 2);
		buf_text(b, sni);
		buf_close(b);
		buf_close(b);
		break;
	case EXT_STATUS_REQUEST:
		buf_u8(b, 1); /* ocsp, no responder ids, no extensions */
		buf_u16(b, 0);
		buf_u16(b, 0);
		break;
	case EXT_SUPPORTED_GROUPS:
		put_u16_list(b, 2, p->groups, p->group_count, g->group);
		break;
	case EXT_EC_POINT_FORMATS:
		buf_u8(b, 1);
		buf_u8(b, 0); /* uncompressed */
		break;
	case EXT_SIGNATURE_ALGORITHMS:
		put_u16_list(b, 2, p->sigalgs, p->sigalg_count, 0);
		break;
	case EXT_ALPN:
		put_alpn_list(b, alpn);
		break;
	case EXT_SUPPORTED_VERSIONS:
		put_u16_list(b, 1, p->versions, p->version_count, g->version);
		break;
	case EXT_PSK_KEY_EXCHANGE_MODES:
		buf_u8(b, 1);
		buf_u8(b, 1); /* psk_dhe_ke */
		break;
	case EXT_KEY_SHARE:
		buf_open(b, 2);
		if (p->groups[0] == GREASE_SLOT) {
			buf_u16(b, g->group);
			buf_u16(b, 1);
			buf_u8(b, 0);
		}
		rng_bytes(r, key, sizeof(key));
		buf_u16(b, GROUP_X25519);
		buf_u16(b, X25519_KEY_LEN);
		buf_bytes(b, key, sizeof(key));
		buf_close(b);
		break;
	case EXT_COMPRESS_CERTIFICATE:
		buf_u8(b, 2);
		buf_u16(b, 2); /* brotli */
		break;
	case EXT_RENEGOTIATION_INFO:
		buf_u8(b, 0);
		break;
	default: /* empty: SCT, EtM, EMS, session ticket, GREASE_SLOT */
		break;
	}
}

void tls_client_hello(struct buf *b, const struct tls_profile *p,
		      const char *sni, const char *alpn, struct rng *r)
{
	uint8_t random[32], session_id[32];
	struct grease g;

	g.cipher = grease_value(r);
	g.first_ext = grease_value(r);
	do
		g.last_ext = grease_value(r);
	while (g.last_ext == g.first_ext);
	g.group = grease_value(r);
	g.version = grease_value(r);
	rng_bytes(r, random, sizeof(random));
	rng_bytes(r, session_id, sizeof(session_id));

	buf_u8(b, CONTENT_HANDSHAKE);
	buf_u16(b, VERSION_TLS10);
	buf_open(b, 2);
	buf_u8(b, HS_CLIENT_HELLO);
	buf_open(b, 3);
	buf_u16(b, VERSION_TLS12);
	buf_bytes(b, random, sizeof(random));
	buf_u8(b, sizeof(session_id));
	buf_bytes(b, session_id, sizeof(session_id));
	put_u16_list(b, 2, p->ciphers, p->cipher_count, g.cipher);
	buf_u8(b, 1);
	buf_u8(b, 0); /* null compression */
	buf_open(b, 2);
	for (size_t i = 0; i < p->extension_count; i++) {
		uint16_t type = p->extensions[i];
		if (type == EXT_SERVER_NAME && (!sni || !*sni))
			continue;
		if (type == EXT_ALPN && !*alpn)
			continue;
		if (type == GREASE_SLOT)
			type = i == 0 ? g.first_ext : g.last_ext;
		buf_u16(b, type);
		buf_open(b, 2);
		put_client_extension(b, p, type, sni, alpn, &g, r);
		buf_close(b);
	}
	buf_close(b);
	buf_close(b);
	buf_close(b);
}

/* ---- server flights and later records ---- */

static void server_hello(struct buf *b, uint16_t cipher, bool tls13,
			 const char *alpn_selected, struct rng *r)
{
	uint8_t random[32], session_id[32], key[X25519_KEY_LEN];

	rng_bytes(r, random, sizeof(random));
	rng_bytes(r, session_id, sizeof(session_id));
	buf_u8(b, HS_SERVER_HELLO);
	buf_open(b, 3);
	buf_u16(b, VERSION_TLS12);
	buf_bytes(b, random, sizeof(random));
	buf_u8(b, sizeof(session_id));
	buf_bytes(b, session_id, sizeof(session_id));
	buf_u16(b, cipher);
	buf_u8(b, 0);
	buf_open(b, 2);
	if (tls13) {
		buf_u16(b, EXT_SUPPORTED_VERSIONS);
		buf_u16(b, 2);
		buf_u16(b, VERSION_TLS13);
		rng_bytes(r, key, sizeof(key));
		buf_u16(b, EXT_KEY_SHARE);
		buf_u16(b, 4 + X25519_KEY_LEN);
		buf_u16(b, GROUP_X25519);
		buf_u16(b, X25519_KEY_LEN);
		buf_bytes(b, key, sizeof(key));
	} else {
		buf_u16(b, EXT_RENEGOTIATION_INFO);
		buf_u16(b, 1);
		buf_u8(b, 0);
		buf_u16(b, EXT_EC_POINT_FORMATS);
		buf_u16(b, 2);
		buf_u8(b, 1);
		buf_u8(b, 0);
		buf_u16(b, EXT_EXTENDED_MASTER_SECRET);
		buf_u16(b, 0);
		if (*alpn_selected) {
			buf_u16(b, EXT_ALPN);
			buf_open(b, 2);
			put_alpn_list(b, alpn_selected);
			buf_close(b);
		}
	}
	buf_close(b);
	buf_close(b);
}

static void change_cipher_spec(struct buf *b)
{
	buf_u8(b, CONTENT_CHANGE_CIPHER_SPEC);
	buf_u16(b, VERSION_TLS12);
	buf_u16(b, 1);
	buf_u8(b, 1);
}

/* A record of len opaque ("encrypted") bytes. */
static void opaque_record(struct buf *b, uint8_t content_type, size_t len,
			  struct rng *r)
{
	uint8_t bytes[BUF_CAPACITY];

	if (len > sizeof(bytes))
		len = sizeof(bytes);
	rng_bytes(r, bytes, len);
	buf_u8(b, content_type);
	buf_u16(b, VERSION_TLS12);
	buf_u16(b, (uint16_t)len);
	buf_bytes(b, bytes, len);
}

void tls13_server_flight(struct buf *b, size_t encrypted_len, struct rng *r)
{
	buf_u8(b, CONTENT_HANDSHAKE);
	buf_u16(b, VERSION_TLS12);
	buf_open(b, 2);
	server_hello(b, 0x1301, true, "", r);
	buf_close(b);
	change_cipher_spec(b);
	opaque_record(b, CONTENT_APPLICATION_DATA, encrypted_len, r);
}

void tls12_server_flight(struct buf *b, const char *alpn_selected,
			 const char *cert_cn, uint64_t cert_seed,
			 struct rng *r)
{
	uint8_t key[X25519_KEY_LEN], signature[72];

	buf_u8(b, CONTENT_HANDSHAKE);
	buf_u16(b, VERSION_TLS12);
	buf_open(b, 2);
	server_hello(b, 0xc02b, false, alpn_selected, r);

	buf_u8(b, HS_CERTIFICATE);
	buf_open(b, 3);
	buf_open(b, 3); /* certificate_list */
	buf_open(b, 3); /* one ASN.1Cert */
	x509_self_signed(b, cert_cn, cert_seed);
	buf_close(b);
	buf_close(b);
	buf_close(b);

	rng_bytes(r, key, sizeof(key));
	rng_bytes(r, signature, sizeof(signature));
	buf_u8(b, HS_SERVER_KEY_EXCHANGE);
	buf_open(b, 3);
	buf_u8(b, 3); /* named_curve */
	buf_u16(b, GROUP_X25519);
	buf_u8(b, X25519_KEY_LEN);
	buf_bytes(b, key, sizeof(key));
	buf_u16(b, 0x0403); /* ecdsa_secp256r1_sha256 */
	buf_u16(b, sizeof(signature));
	buf_bytes(b, signature, sizeof(signature));
	buf_close(b);

	buf_u8(b, HS_SERVER_HELLO_DONE);
	buf_u24(b, 0);
	buf_close(b);
}

void tls12_client_finish(struct buf *b, struct rng *r)
{
	uint8_t key[X25519_KEY_LEN];

	rng_bytes(r, key, sizeof(key));
	buf_u8(b, CONTENT_HANDSHAKE);
	buf_u16(b, VERSION_TLS12);
	buf_open(b, 2);
	buf_u8(b, HS_CLIENT_KEY_EXCHANGE);
	buf_open(b, 3);
	buf_u8(b, X25519_KEY_LEN);
	buf_bytes(b, key, sizeof(key));
	buf_close(b);
	buf_close(b);
	change_cipher_spec(b);
	opaque_record(b, CONTENT_HANDSHAKE, 40, r);
}

void tls12_server_finish(struct buf *b, struct rng *r)
{
	change_cipher_spec(b);
	opaque_record(b, CONTENT_HANDSHAKE, 40, r);
}

void tls13_client_finish(struct buf *b, struct rng *r)
{
	change_cipher_spec(b);
	opaque_record(b, CONTENT_APPLICATION_DATA, 53, r);
}

void tls_application_data(struct buf *b, size_t len, struct rng *r)
{
	opaque_record(b, CONTENT_APPLICATION_DATA, len, r);
}

