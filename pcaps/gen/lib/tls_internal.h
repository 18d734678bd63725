/*
 * tls_internal.h — what tls.c (message building) and tls_profiles.c (the
 * client profiles and their fingerprints) share: wire constants and the
 * profile struct. Not for use outside pcaps/gen/lib/tls*.c.
 */
#ifndef ATTRIB_GEN_TLS_INTERNAL_H
#define ATTRIB_GEN_TLS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#define GREASE_SLOT 0x0a0a /* in a profile list: "a GREASE value goes here" */

#define CONTENT_CHANGE_CIPHER_SPEC 20
#define CONTENT_HANDSHAKE 22
#define CONTENT_APPLICATION_DATA 23
#define HS_CLIENT_HELLO 1
#define HS_SERVER_HELLO 2
#define HS_CERTIFICATE 11
#define HS_SERVER_KEY_EXCHANGE 12
#define HS_SERVER_HELLO_DONE 14
#define HS_CLIENT_KEY_EXCHANGE 16
#define VERSION_TLS10 0x0301
#define VERSION_TLS12 0x0303
#define VERSION_TLS13 0x0304
#define GROUP_X25519 0x001d
#define X25519_KEY_LEN 32

enum tls_extension_type {
	EXT_SERVER_NAME = 0,
	EXT_STATUS_REQUEST = 5,
	EXT_SUPPORTED_GROUPS = 10,
	EXT_EC_POINT_FORMATS = 11,
	EXT_SIGNATURE_ALGORITHMS = 13,
	EXT_ALPN = 16,
	EXT_SCT = 18,
	EXT_ENCRYPT_THEN_MAC = 22,
	EXT_EXTENDED_MASTER_SECRET = 23,
	EXT_COMPRESS_CERTIFICATE = 27,
	EXT_SESSION_TICKET = 35,
	EXT_SUPPORTED_VERSIONS = 43,
	EXT_PSK_KEY_EXCHANGE_MODES = 45,
	EXT_KEY_SHARE = 51,
	EXT_RENEGOTIATION_INFO = 0xff01,
};

struct tls_profile {
	const char *name;
	const uint16_t *ciphers;
	size_t cipher_count;
	const uint16_t *extensions; /* in the order sent */
	size_t extension_count;
	const uint16_t *groups;
	size_t group_count;
	const uint16_t *sigalgs;
	size_t sigalg_count;
	const uint16_t *versions; /* supported_versions */
	size_t version_count;
	const char *alpn;         /* default offer */
};

#endif
