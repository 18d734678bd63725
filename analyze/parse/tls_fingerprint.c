/*
 * tls_fingerprint.c — JA3, JA3S and JA4 from parsed Hello messages
 * (declared in tls.h).
 *
 * JA3 / JA3S follow the Salesforce definition as tshark implements it
 * (tls.handshake.ja3_full / ja3s_full): decimal values, '-' inside a
 * field, ',' between fields, GREASE left out of ciphers, extensions and
 * groups. JA4 follows FoxIO's technical_details/JA4.md:
 *
 *   JA4_a = proto version sni ciphers(2 digits) extensions(2 digits) alpn
 *   JA4_b = sha256("c1,c2,...")[0..12]   ciphers sorted, 4-digit hex
 *   JA4_c = sha256("e1,e2,..._s1,s2,...")[0..12]
 *           extensions sorted without SNI and ALPN, then "_" and the
 *           signature algorithms in wire order ("_..." left out if none)
 *
 * GREASE is ignored everywhere; counts are capped at 99; an empty cipher
 * or extension list hashes to "000000000000"; the ALPN part is the first
 * and last byte of the first ALPN value when both are alphanumeric, else
 * the first and last hex digit of its hex form, and "00" when there is no
 * first value.
 */
#include <stdlib.h>
#include <string.h>

#include "analyze/crypto/digest.h"
#include "analyze/parse/text.h"
#include "analyze/parse/tls.h"

#define JA4_HASH_LEN 12
#define JA4_COUNT_CAP 99

bool tls_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* Appends the non-GREASE values of list, '-' separated, in decimal. */
static void put_dec_list(struct textbuf *t, const uint16_t *list, uint32_t n)
{
	bool first = true;

	for (uint32_t i = 0; i < n; i++) {
		if (tls_is_grease(list[i]))
			continue;
		if (!first)
			textbuf_putc(t, '-');
		textbuf_put_uint(t, list[i]);
		first = false;
	}
}

void tls_fingerprint_server(struct tls_server_hello *sh)
{
	struct textbuf t;

	sh->ja3s[0] = '\0';
	sh->ja3s_md5[0] = '\0';
	if (sh->lists_truncated || !sh->complete)
		return;
	textbuf_init(&t, sh->ja3s, sizeof(sh->ja3s));
	textbuf_put_uint(&t, sh->legacy_version);
	textbuf_putc(&t, ',');
	textbuf_put_uint(&t, sh->cipher);
	textbuf_putc(&t, ',');
	put_dec_list(&t, sh->extensions, sh->n_extensions);
	if (t.overflow) {
		sh->ja3s[0] = '\0';
		return;
	}
	digest_md5_hex(sh->ja3s, t.len, sh->ja3s_md5);
}

static void ja3_client(struct tls_client_hello *ch)
{
	struct textbuf t;

	textbuf_init(&t, ch->ja3, sizeof(ch->ja3));
	textbuf_put_uint(&t, ch->legacy_version);
	textbuf_putc(&t, ',');
	put_dec_list(&t, ch->ciphers, ch->n_ciphers);
	textbuf_putc(&t, ',');
	put_dec_list(&t, ch->extensions, ch->n_extensions);
	textbuf_putc(&t, ',');
	put_dec_list(&t, ch->groups, ch->n_groups);
	textbuf_putc(&t, ',');
	for (uint32_t i = 0; i < ch->n_point_formats; i++) {
		if (i > 0)
			textbuf_putc(&t, '-');
		textbuf_put_uint(&t, ch->point_formats[i]);
	}
	if (t.overflow) {
		ch->ja3[0] = '\0';
		return;
	}
	digest_md5_hex(ch->ja3, t.len, ch->ja3_md5);
}

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return (x > y) - (x < y);
}

/* Copies the non-GREASE values of src not in skip[0..n_skip) into dst. */
static uint32_t copy_filtered(uint16_t *dst, const uint16_t *src, uint32_t n,
			      const uint16_t *skip, size_t n_skip)
{
	uint32_t out = 0;

	for (uint32_t i = 0; i < n; i++) {
		bool drop = tls_is_grease(src[i]);

		for (size_t k = 0; k < n_skip && !drop; k++)
			drop = src[i] == skip[k];
		if (!drop)
			dst[out++] = src[i];
	}
	return out;
}

static void put_hex_list(struct textbuf *t, const uint16_t *list, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i > 0)
			textbuf_putc(t, ',');
		textbuf_put_hex16(t, list[i]);
	}
}

/* Appends the first 12 hex digits of sha256(text), or twelve zeros. */
static void put_truncated_sha256(struct textbuf *t, const char *text,
				 size_t len, bool empty)
{
	char hex[DIGEST_SHA256_HEX_SIZE];

	if (empty || !digest_sha256_hex(text, len, hex)) {
		textbuf_puts(t, "000000000000");
		return;
	}
	textbuf_putn(t, hex, JA4_HASH_LEN);
}

static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	default: return "00";
	}
}

static bool is_alnum(uint8_t b)
{
	return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') ||
	       (b >= 'a' && b <= 'z');
}

static void ja4_alpn(struct textbuf *t, const struct tls_client_hello *ch)
{
	static const char hex[] = "0123456789abcdef";
	char s[2];

	if (!ch->has_alpn || ch->alpn_seen == 0 || ch->alpn0_len == 0) {
		textbuf_puts(t, "00");
		return;
	}
	if (is_alnum(ch->alpn0_first) && is_alnum(ch->alpn0_last)) {
		s[0] = (char)ch->alpn0_first;
		s[1] = (char)ch->alpn0_last;
	} else {
		s[0] = hex[ch->alpn0_first >> 4];
		s[1] = hex[ch->alpn0_last & 0x0f];
	}
	textbuf_putn(t, s, 2);
}

static void ja4_client(struct tls_client_hello *ch,
		       enum tls_transport transport)
{
	static const uint16_t not_in_c[] = { TLS_EXT_SERVER_NAME,
					     TLS_EXT_ALPN };
	uint16_t sorted[TLS_MAX_CIPHERS > TLS_MAX_EXTENSIONS ?
			TLS_MAX_CIPHERS : TLS_MAX_EXTENSIONS];
	uint16_t sigalgs[TLS_MAX_SIGALGS];
	char text[TLS_JA3_SIZE];
	struct textbuf t, raw;
	uint16_t version = ch->legacy_version, best = 0;
	uint32_t n, n_sig;

	for (uint32_t i = 0; i < ch->n_versions; i++)
		if (!tls_is_grease(ch->versions[i]) && ch->versions[i] > best)
			best = ch->versions[i];
	if (best != 0)
		version = best;

	textbuf_init(&t, ch->ja4, sizeof(ch->ja4));
	textbuf_putc(&t, transport == TLS_OVER_QUIC   ? 'q'
			 : transport == TLS_OVER_DTLS ? 'd'
						      : 't');
	textbuf_puts(&t, ja4_version(version));
	textbuf_putc(&t, ch->has_sni ? 'd' : 'i');

	n = copy_filtered(sorted, ch->ciphers, ch->n_ciphers, NULL, 0);
	textbuf_putc(&t, (char)('0' + (n > JA4_COUNT_CAP ? 9 : n / 10)));
	textbuf_putc(&t, (char)('0' + (n > JA4_COUNT_CAP ? 9 : n % 10)));
	n = copy_filtered(sorted, ch->extensions, ch->n_extensions, NULL, 0);
	textbuf_putc(&t, (char)('0' + (n > JA4_COUNT_CAP ? 9 : n / 10)));
	textbuf_putc(&t, (char)('0' + (n > JA4_COUNT_CAP ? 9 : n % 10)));
	ja4_alpn(&t, ch);
	textbuf_putc(&t, '_');

	n = copy_filtered(sorted, ch->ciphers, ch->n_ciphers, NULL, 0);
	qsort(sorted, n, sizeof(sorted[0]), cmp_u16);
	textbuf_init(&raw, text, sizeof(text));
	put_hex_list(&raw, sorted, n);
	put_truncated_sha256(&t, text, raw.len, n == 0);
	textbuf_putc(&t, '_');

	n = copy_filtered(sorted, ch->extensions, ch->n_extensions, not_in_c,
			  sizeof(not_in_c) / sizeof(not_in_c[0]));
	qsort(sorted, n, sizeof(sorted[0]), cmp_u16);
	n_sig = copy_filtered(sigalgs, ch->sigalgs, ch->n_sigalgs, NULL, 0);
	textbuf_init(&raw, text, sizeof(text));
	put_hex_list(&raw, sorted, n);
	if (n_sig > 0) {
		textbuf_putc(&raw, '_');
		put_hex_list(&raw, sigalgs, n_sig);
	}
	put_truncated_sha256(&t, text, raw.len, n == 0);
	if (t.overflow)
		ch->ja4[0] = '\0';
}

void tls_fingerprint_client(struct tls_client_hello *ch,
			    enum tls_transport transport)
{
	ch->ja3[0] = '\0';
	ch->ja3_md5[0] = '\0';
	ch->ja4[0] = '\0';
	if (ch->lists_truncated || !ch->complete)
		return;
	ja3_client(ch);
	ja4_client(ch, transport);
}
