/*
 * tls_profiles.c — the generator's fixed TLS client profiles (tls.h) and
 * the JA3 and JA4 their ClientHellos produce, computed here from the
 * lists (not by parsing packets) and written into truth files, so the
 * extractors are checked against an independent computation. JA3 follows
 * the Salesforce definition, JA4 the FoxIO specification (client part).
 */
#include "pcaps/gen/lib/tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/crypto/digest.h"
#include "pcaps/gen/lib/tls_internal.h"

#define LIST(...) (const uint16_t[]){__VA_ARGS__}, \
	sizeof((const uint16_t[]){__VA_ARGS__}) / sizeof(uint16_t)

static const struct tls_profile profiles[] = {
	{
		"implant-a",
		LIST(0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0xc02b, 0xc02f,
		     0x009f, 0x009e, 0x00ff),
		LIST(EXT_SERVER_NAME, EXT_EC_POINT_FORMATS,
		     EXT_SUPPORTED_GROUPS, EXT_SESSION_TICKET, EXT_ALPN,
		     EXT_ENCRYPT_THEN_MAC, EXT_EXTENDED_MASTER_SECRET,
		     EXT_SIGNATURE_ALGORITHMS, EXT_SUPPORTED_VERSIONS,
		     EXT_PSK_KEY_EXCHANGE_MODES, EXT_KEY_SHARE),
		LIST(GROUP_X25519, 0x0017, 0x0018),
		LIST(0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805,
		     0x0806, 0x0401, 0x0501, 0x0601),
		LIST(VERSION_TLS13, VERSION_TLS12),
		"http/1.1",
	},
	{
		"implant-b",
		LIST(0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009,
		     0xc013, 0xc00a, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
		     0x1301, 0x1302, 0x1303),
		LIST(EXT_SERVER_NAME, EXT_STATUS_REQUEST,
		     EXT_SUPPORTED_GROUPS, EXT_EC_POINT_FORMATS,
		     EXT_SIGNATURE_ALGORITHMS, EXT_RENEGOTIATION_INFO,
		     EXT_ALPN, EXT_SCT, EXT_SUPPORTED_VERSIONS, EXT_KEY_SHARE),
		LIST(GROUP_X25519, 0x0017, 0x0018, 0x0019),
		LIST(0x0804, 0x0403, 0x0807, 0x0805, 0x0806, 0x0401, 0x0501,
		     0x0601, 0x0503, 0x0603),
		LIST(VERSION_TLS13, VERSION_TLS12),
		"h2,http/1.1",
	},
	{
		"browser",
		LIST(GREASE_SLOT, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c,
		     0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d,
		     0x002f, 0x0035),
		LIST(GREASE_SLOT, EXT_SERVER_NAME, EXT_EXTENDED_MASTER_SECRET,
		     EXT_RENEGOTIATION_INFO, EXT_SUPPORTED_GROUPS,
		     EXT_EC_POINT_FORMATS, EXT_SESSION_TICKET, EXT_ALPN,
		     EXT_STATUS_REQUEST, EXT_SIGNATURE_ALGORITHMS, EXT_SCT,
		     EXT_KEY_SHARE, EXT_PSK_KEY_EXCHANGE_MODES,
		     EXT_SUPPORTED_VERSIONS, EXT_COMPRESS_CERTIFICATE, GREASE_SLOT),
		LIST(GREASE_SLOT, GROUP_X25519, 0x0017, 0x0018),
		LIST(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806,
		     0x0601),
		LIST(GREASE_SLOT, VERSION_TLS13, VERSION_TLS12),
		"h2,http/1.1",
	},
};

#define PROFILE_COUNT (sizeof(profiles) / sizeof(profiles[0]))

const struct tls_profile *tls_profile_find(const char *name)
{
	if (strcmp(name, "implant") == 0)
		name = "implant-a";
	for (size_t i = 0; i < PROFILE_COUNT; i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

const char *tls_profile_name(const struct tls_profile *p)
{
	return p->name;
}

const char *tls_profile_alpn(const struct tls_profile *p)
{
	return p->alpn;
}

/* ---- fingerprints of a profile (for truth files) ---- */

static bool is_grease(uint16_t v)
{
	return v == GREASE_SLOT;
}

/* Appends "sep"-joined decimal values (GREASE_SLOT skipped) to out. */
static void join_decimal(char *out, size_t size, const uint16_t *v, size_t n)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(out);
		if (is_grease(v[i]))
			continue;
		snprintf(out + used, size - used, "%s%u", first ? "" : "-",
			 v[i]);
		first = false;
	}
}

static int compare_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return (x > y) - (x < y);
}

/* The first 12 hex digits of SHA-256 of text ("000000000000" if empty,
 * as the JA4 specification says). */
static int truncated_sha256(const char *text, char out[13])
{
	char hex[DIGEST_SHA256_HEX_SIZE];

	if (!*text) {
		strcpy(out, "000000000000");
		return 0;
	}
	if (!digest_sha256_hex(text, strlen(text), hex))
		return -1;
	memcpy(out, hex, 12);
	out[12] = '\0';
	return 0;
}

/* Comma-joined 4-digit hex of v (GREASE_SLOT and `skip` values left out),
 * sorted when asked. */
static void join_hex(char *out, size_t size, const uint16_t *v, size_t n,
		     bool sorted, const uint16_t *skip, size_t skip_count)
{
	uint16_t kept[64];
	size_t count = 0;

	for (size_t i = 0; i < n && count < 64; i++) {
		bool drop = is_grease(v[i]);
		for (size_t s = 0; s < skip_count; s++)
			drop = drop || v[i] == skip[s];
		if (!drop)
			kept[count++] = v[i];
	}
	if (sorted)
		qsort(kept, count, sizeof(kept[0]), compare_u16);
	out[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		size_t used = strlen(out);
		snprintf(out + used, size - used, "%s%04x", i ? "," : "",
			 kept[i]);
	}
}

/* JA4's ALPN part: first and last character of the first protocol, or
 * the first and last hex digit of its bytes when either is not
 * alphanumeric; "00" with no ALPN. */
static void ja4_alpn(const char *alpn, char out[3])
{
	size_t n = strcspn(alpn, ",");
	unsigned char first, last;
	bool alnum;

	strcpy(out, "00");
	if (n == 0)
		return;
	first = (unsigned char)alpn[0];
	last = (unsigned char)alpn[n - 1];
	alnum = ((first >= '0' && first <= '9') || (first >= 'a' && first <= 'z') ||
		 (first >= 'A' && first <= 'Z')) &&
		((last >= '0' && last <= '9') || (last >= 'a' && last <= 'z') ||
		 (last >= 'A' && last <= 'Z'));
	if (alnum) {
		out[0] = (char)first;
		out[1] = (char)last;
	} else {
		static const char digits[] = "0123456789abcdef";
		out[0] = digits[first >> 4];
		out[1] = digits[last & 0xf];
	}
}

int tls_profile_fingerprints(const struct tls_profile *p, const char *alpn,
			     char ja3[TLS_JA3_TEXT_MAX],
			     char ja3_md5[TLS_JA3_MD5_SIZE],
			     char ja4[TLS_JA4_TEXT_MAX])
{
	static const uint16_t sni_and_alpn[] = {EXT_SERVER_NAME, EXT_ALPN};
	uint16_t extensions[64];
	size_t ext_count = 0, cipher_count = 0;
	char list[512], sigalgs[256], ext_text[1024], alpn_part[3];
	char cipher_hash[13], ext_hash[13];
	bool has_point_formats = false, tls13 = false;

	for (size_t i = 0; i < p->extension_count && ext_count < 64; i++) {
		if (p->extensions[i] == EXT_ALPN && !*alpn)
			continue;
		if (p->extensions[i] == EXT_EC_POINT_FORMATS)
			has_point_formats = true;
		extensions[ext_count++] = p->extensions[i];
	}
	for (size_t i = 0; i < p->version_count; i++)
		tls13 = tls13 || p->versions[i] == VERSION_TLS13;

	/* JA3: version,ciphers,extensions,groups,point formats */
	snprintf(ja3, TLS_JA3_TEXT_MAX, "%u,", VERSION_TLS12);
	join_decimal(ja3, TLS_JA3_TEXT_MAX, p->ciphers, p->cipher_count);
	strncat(ja3, ",", TLS_JA3_TEXT_MAX - strlen(ja3) - 1);
	join_decimal(ja3, TLS_JA3_TEXT_MAX, extensions, ext_count);
	strncat(ja3, ",", TLS_JA3_TEXT_MAX - strlen(ja3) - 1);
	join_decimal(ja3, TLS_JA3_TEXT_MAX, p->groups, p->group_count);
	strncat(ja3, has_point_formats ? ",0" : ",",
		TLS_JA3_TEXT_MAX - strlen(ja3) - 1);
	if (strlen(ja3) + 1 >= TLS_JA3_TEXT_MAX ||
	    !digest_md5_hex(ja3, strlen(ja3), ja3_md5))
		return -1;

	/* JA4: t, version, d (SNI), counts, ALPN _ ciphers _ extensions */
	for (size_t i = 0; i < p->cipher_count; i++)
		cipher_count += !is_grease(p->ciphers[i]);
	join_hex(list, sizeof(list), p->ciphers, p->cipher_count, true, NULL,
		 0);
	if (truncated_sha256(list, cipher_hash) != 0)
		return -1;
	join_hex(list, sizeof(list), extensions, ext_count, true,
		 sni_and_alpn, 2);
	join_hex(sigalgs, sizeof(sigalgs), p->sigalgs, p->sigalg_count, false,
		 NULL, 0);
	snprintf(ext_text, sizeof(ext_text), "%s%s%s", list,
		 *sigalgs ? "_" : "", sigalgs);
	if (truncated_sha256(ext_text, ext_hash) != 0)
		return -1;
	{
		size_t real_ext = 0;
		for (size_t i = 0; i < ext_count; i++)
			real_ext += !is_grease(extensions[i]);
		ja4_alpn(alpn, alpn_part);
		snprintf(ja4, TLS_JA4_TEXT_MAX, "t%sd%02zu%02zu%s_%s_%s",
			 tls13 ? "13" : "12", cipher_count > 99 ? 99 : cipher_count,
			 real_ext > 99 ? 99 : real_ext, alpn_part, cipher_hash,
			 ext_hash);
	}
	return 0;
}
