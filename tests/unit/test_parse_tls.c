/*
 * test_parse_tls.c — table-driven tests of analyze/parse/tls.c,
 * tls_fingerprint.c and x509.c (also: the n-th ClientHello of a chunk,
 * the HelloRetryRequest mark).
 *
 * Real payloads come from /work/shared/pcaps/ndpi (capture and frame noted
 * on each). Oracles: JA3 / JA3S MD5 and SNI from tshark 4.0.17
 * (tls.handshake.ja3, ja3s, extensions_server_name); the certificate
 * SHA-1 is the SHA-1 of tshark's tls.handshake.certificate bytes; JA4 and
 * subject / issuer are what nDPI's test results (tests/cfgs/default/result)
 * print for the same captures, and the JA4 worked example of FoxIO's
 * technical_details/JA4.md. Every input is copied into an exact-size heap
 * buffer so ASan sees any read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/test_bytes.h"

#include "analyze/parse/tls.h"

#define BIT(a) ((anomaly_set)1 << (a))

static struct tls_handshake_info info; /* large: not on the stack */
static struct tls_client_hello hello;

#include "tests/unit/parse_tls_vectors.h"


struct real_case {
	const char *source;
	const char *hex;
	bool bare;             /* a bare handshake message (QUIC) */
	enum tls_transport transport;
	const char *ja3_md5;   /* tshark */
	const char *ja4;       /* nDPI */
	const char *sni;       /* tshark */
	const char *ja3s_md5;  /* tshark */
	const char *cert_sha1; /* SHA-1 of tshark's certificate bytes */
	const char *subject, *issuer; /* nDPI */
};

static const struct real_case real_cases[] = {
	{ "chrome.pcap:4", chrome_ch_hex, false, TLS_OVER_TCP,
	  "aa50c12a5dfa717d9d6ab34e97de79d5",
	  "t13d1516h2_8daaf6152771_e5627efa2ab1", "www.iit.cnr.it", NULL,
	  NULL, NULL, NULL },
	{ "chrome.pcap:6", chrome_sh_hex, false, TLS_OVER_TCP, NULL, NULL,
	  NULL, "15af977ce25de452b96affa2addb1036", NULL, NULL, NULL },
	{ "tls-rdn-extract.pcap:1", rdn_ch_hex, false, TLS_OVER_TCP,
	  "2201d8e006f8f005a6b415f61e677532",
	  "t10d120500_d94e65cdb899_c35b4a14be45", "ads1.msads.net", NULL,
	  NULL, NULL, NULL },
	{ "selfsigned.pcap:stream 0", selfsigned_flight_hex, false,
	  TLS_OVER_TCP, NULL, NULL, NULL, "0debd3853f330c574b05e0b6d882dc27",
	  "afcc9849f2000e0521186c775f2acf10446ed88b",
	  "C=IT, ST=Some-State, O=ntop.org",
	  "C=IT, ST=Some-State, O=ntop.org" },
	{ "quic-23.pcap:1", quic_ch_hex, true, TLS_OVER_QUIC,
	  "d9e7bdb15af8e499820ca74a68affd78",
	  "q13d0308h2_55b375c5d22e_23ed935430f2", "quic.aiortc.org", NULL,
	  NULL, NULL, NULL },
};

static void check_real(const struct real_case *c,
		       const struct tls_handshake_info *in)
{
	const struct tls_client_hello *ch = &in->client_hello;

	if (in->anomalies != 0)
		fail_msg("%s: anomalies %llx", c->source,
			 (unsigned long long)in->anomalies);
	if (c->ja3_md5 && (!in->has_client_hello ||
			   strcmp(ch->ja3_md5, c->ja3_md5) ||
			   strcmp(ch->ja4, c->ja4) || strcmp(ch->sni, c->sni)))
		fail_msg("%s: ja3 %s ja4 %s sni %s", c->source, ch->ja3_md5,
			 ch->ja4, ch->sni);
	if (c->ja3s_md5 && (!in->has_server_hello ||
			    strcmp(in->server_hello.ja3s_md5, c->ja3s_md5)))
		fail_msg("%s: ja3s %s", c->source, in->server_hello.ja3s_md5);
	if (c->cert_sha1 &&
	    (!in->has_certificate ||
	     strcmp(in->certificate.sha1, c->cert_sha1) ||
	     strcmp(in->certificate.names.subject, c->subject) ||
	     strcmp(in->certificate.names.issuer, c->issuer)))
		fail_msg("%s: cert %s subject '%s' issuer '%s'", c->source,
			 in->certificate.sha1, in->certificate.names.subject,
			 in->certificate.names.issuer);
}

static void test_real_payloads(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(real_cases) / sizeof(real_cases[0]); i++) {
		const struct real_case *c = &real_cases[i];
		size_t len, used = 0;
		uint8_t *p = from_hex(c->hex, &len);
		enum tls_status st;

		if (c->bare) {
			memset(&info, 0, sizeof(info));
			st = tls_parse_client_hello(p, len, c->transport,
						    &info.client_hello,
						    &info.anomalies);
			info.has_client_hello = true;
			used = len;
		} else {
			st = tls_parse_records(p, len, c->transport, &info,
					       &used);
		}
		if (st != TLS_STATUS_OK || used != len)
			fail_msg("%s: status %d used %zu", c->source, st, used);
		check_real(c, &info);
		free(p);
	}
}

/*
 * Re-frames the handshake bytes of a record stream into records of at most
 * frag bytes: messages then span records, and records hold several.
 */
static size_t reframe(const uint8_t *in, size_t len, size_t frag,
		      uint8_t *out)
{
	uint8_t hs[8192];
	size_t hs_len = 0, off = 0, n = 0;

	while (off + 5 <= len && in[off] == 22) {
		size_t l = (size_t)in[off + 3] << 8 | in[off + 4];

		memcpy(hs + hs_len, in + off + 5, l);
		hs_len += l;
		off += 5 + l;
	}
	for (size_t at = 0; at < hs_len; at += frag) {
		size_t l = hs_len - at < frag ? hs_len - at : frag;

		memcpy(out + n, "\x16\x03\x03", 3);
		out[n + 3] = (uint8_t)(l >> 8);
		out[n + 4] = (uint8_t)l;
		memcpy(out + n + 5, hs + at, l);
		n += 5 + l;
	}
	memcpy(out + n, in + off, len - off); /* the rest as it was */
	return n + len - off;
}

static void test_reassembly(void **state)
{
	static const size_t frags[] = { 1, 7, 100, 1000 };
	static uint8_t framed[65536];

	(void)state;
	for (size_t r = 0; r < sizeof(real_cases) / sizeof(real_cases[0]); r++) {
		const struct real_case *c = &real_cases[r];
		size_t len;
		uint8_t *orig;

		if (c->bare)
			continue;
		orig = from_hex(c->hex, &len);
		for (size_t f = 0; f < sizeof(frags) / sizeof(frags[0]); f++) {
			size_t n = reframe(orig, len, frags[f], framed), used;
			uint8_t *p = dup_bytes(framed, n);

			if (tls_parse_records(p, n, TLS_OVER_TCP, &info, &used) !=
			    TLS_STATUS_OK)
				fail_msg("%s in %zu-byte records", c->source,
					 frags[f]);
			check_real(c, &info);
			free(p);
		}
		free(orig);
	}
}

/* Every prefix of a flight: no crash, no anomaly, NEED_MORE until done. */
static void test_every_prefix(void **state)
{
	size_t len, used;
	uint8_t *orig = from_hex(selfsigned_flight_hex, &len);

	(void)state;
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *p = dup_bytes(orig, cut);
		enum tls_status st = tls_parse_records(p, cut, TLS_OVER_TCP,
						       &info, &used);

		if ((st != TLS_STATUS_NEED_MORE && st != TLS_STATUS_OK) ||
		    info.anomalies != 0 || used > cut)
			fail_msg("cut %zu: status %d anomalies %llx", cut, st,
				 (unsigned long long)info.anomalies);
		free(p);
	}
	free(orig);
	orig = from_hex(quic_ch_hex, &len);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *p = dup_bytes(orig, cut);
		anomaly_set a = 0;

		assert_int_equal(tls_parse_client_hello(p, cut, TLS_OVER_QUIC,
							&hello, &a),
				 TLS_STATUS_NEED_MORE);
		assert_int_equal(a, 0);
		free(p);
	}
	free(orig);
}

/* JA4 of FoxIO's worked example (technical_details/JA4.md). */
static void spec_example(struct tls_client_hello *ch)
{
	static const uint16_t ciphers[] = { 0x1301, 0x1302, 0x1303, 0xc02b,
					    0xc02f, 0xc02c, 0xc030, 0xcca9,
					    0xcca8, 0xc013, 0xc014, 0x009c,
					    0x009d, 0x002f, 0x0035 };
	static const uint16_t exts[] = { 0x001b, 0x0000, 0x0033, 0x0010,
					 0x4469, 0x0017, 0x002d, 0x000d,
					 0x0005, 0x0023, 0x0012, 0x002b,
					 0xff01, 0x000b, 0x000a, 0x0015 };
	static const uint16_t sigalgs[] = { 0x0403, 0x0804, 0x0401, 0x0503,
					    0x0805, 0x0501, 0x0806, 0x0601 };

	memset(ch, 0, sizeof(*ch));
	ch->complete = true;
	ch->legacy_version = 0x0303;
	ch->versions[0] = 0x0304;
	ch->n_versions = 1;
	memcpy(ch->ciphers, ciphers, sizeof(ciphers));
	ch->n_ciphers = sizeof(ciphers) / sizeof(ciphers[0]);
	memcpy(ch->extensions, exts, sizeof(exts));
	ch->n_extensions = sizeof(exts) / sizeof(exts[0]);
	memcpy(ch->sigalgs, sigalgs, sizeof(sigalgs));
	ch->n_sigalgs = sizeof(sigalgs) / sizeof(sigalgs[0]);
	ch->has_sni = ch->has_alpn = true;
	ch->alpn_seen = ch->n_alpn = 1;
	ch->alpn0_len = 2;
	ch->alpn0_first = 'h';
	ch->alpn0_last = '2';
}

static void test_ja4_spec(void **state)
{
	static const struct {
		const char *name;
		uint8_t len, first, last;
		const char *alpn;
	} alpn_cases[] = {
		/* The spec's list of non-alphanumeric examples. */
		{ "0xab", 1, 0xab, 0xab, "ab" },
		{ "0xab 0xcd", 2, 0xab, 0xcd, "ad" },
		{ "0x30 0xab", 2, 0x30, 0xab, "3b" },
		{ "0x30 0x31 0xab 0xcd", 4, 0x30, 0xcd, "3d" },
		{ "0x30 0xab 0xcd 0x31", 4, 0x30, 0x31, "01" },
		{ "http/1.1", 8, 'h', '1', "h1" },
		{ "single char", 1, 'x', 'x', "xx" },
		{ "empty first value", 0, 0, 0, "00" },
	};

	(void)state;
	spec_example(&hello);
	tls_fingerprint_client(&hello, TLS_OVER_TCP);
	assert_string_equal(hello.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");

	/* No signature algorithms: no "_" and the spec's other hash. */
	hello.n_sigalgs = 0;
	tls_fingerprint_client(&hello, TLS_OVER_TCP);
	assert_string_equal(hello.ja4, "t13d1516h2_8daaf6152771_6d807ffa2a79");

	/* GREASE anywhere changes nothing. */
	spec_example(&hello);
	hello.ciphers[hello.n_ciphers++] = 0x2a2a;
	hello.extensions[hello.n_extensions++] = 0xfafa;
	hello.sigalgs[hello.n_sigalgs++] = 0x0a0a;
	hello.versions[hello.n_versions++] = 0x7a7a;
	tls_fingerprint_client(&hello, TLS_OVER_TCP);
	assert_string_equal(hello.ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");

	for (size_t i = 0; i < sizeof(alpn_cases) / sizeof(alpn_cases[0]);
	     i++) {
		char want[] = "t13d1516xx_8daaf6152771_e5627efa2ab1";

		spec_example(&hello);
		hello.alpn0_len = alpn_cases[i].len;
		hello.alpn0_first = alpn_cases[i].first;
		hello.alpn0_last = alpn_cases[i].last;
		tls_fingerprint_client(&hello, TLS_OVER_TCP);
		want[8] = alpn_cases[i].alpn[0];
		want[9] = alpn_cases[i].alpn[1];
		if (strcmp(hello.ja4, want) != 0)
			fail_msg("ALPN %s: %s", alpn_cases[i].name, hello.ja4);
	}

	/* Version from legacy_version when supported_versions is absent. */
	spec_example(&hello);
	hello.n_versions = 0;
	hello.legacy_version = 0x0300;
	hello.has_sni = false;
	hello.has_alpn = false;
	tls_fingerprint_client(&hello, TLS_OVER_QUIC);
	assert_string_equal(hello.ja4, "qs3i151600_8daaf6152771_e5627efa2ab1");

	/* GREASE detection is RFC 8701's: both bytes equal. */
	assert_true(tls_is_grease(0x0a0a));
	assert_true(tls_is_grease(0xfafa));
	assert_false(tls_is_grease(0x0a1a));
	assert_false(tls_is_grease(0x1301));
}

/*
 * Builds a TLS 1.0 record holding one ClientHello: n_ciphers suites from
 * ciphers (repeated), and the given raw extensions block (NULL: none).
 */
static void build_hello(struct wbuf *rec, const uint16_t *ciphers,
			size_t n_ciphers, const struct wbuf *exts)
{
	struct wbuf body = { .n = 0 };
	static const uint8_t random[32];

	put16(&body, 0x0301);
	put(&body, random, sizeof(random));
	put8(&body, 0);
	put16(&body, (unsigned)(2 * n_ciphers));
	for (size_t i = 0; i < n_ciphers; i++)
		put16(&body, ciphers[i % 2]);
	put8(&body, 1);
	put8(&body, 0);
	if (exts) {
		put16(&body, (unsigned)exts->n);
		put(&body, exts->b, exts->n);
	}
	rec->n = 0;
	put8(rec, 22);
	put16(rec, 0x0301);
	put16(rec, (unsigned)(body.n + 4));
	put8(rec, 1);
	put24(rec, body.n);
	put(rec, body.b, body.n);
}

static void ext(struct wbuf *w, unsigned type, const struct wbuf *data)
{
	put16(w, type);
	put16(w, (unsigned)data->n);
	put(w, data->b, data->n);
}

static enum tls_status run(const struct wbuf *w, size_t *used)
{
	uint8_t *p = dup_bytes(w->b, w->n);
	enum tls_status st = tls_parse_records(p, w->n, TLS_OVER_TCP, &info,
					       used);

	free(p);
	return st;
}

static void test_hostile_hello(void **state)
{
	static const uint16_t suites[] = { 0x002f, 0x0035 };
	static const uint16_t grease[] = { 0x0a0a, 0x1a1a };
	static struct wbuf rec, exts, data;
	size_t used;

	(void)state;
	/* Zero-length everything: no suites, no extensions. */
	build_hello(&rec, suites, 0, NULL);
	assert_int_equal(run(&rec, &used), TLS_STATUS_OK);
	assert_int_equal(info.anomalies, 0);
	assert_string_equal(info.client_hello.ja3, "769,,,,");
	assert_string_equal(info.client_hello.ja4,
			    "t10i000000_000000000000_000000000000");

	/* GREASE-only suites and groups. */
	exts.n = data.n = 0;
	put16(&data, 4);
	put16(&data, 0x2a2a);
	put16(&data, 0x3a3a);
	ext(&exts, 0x000a, &data);
	build_hello(&rec, grease, 2, &exts);
	assert_int_equal(run(&rec, &used), TLS_STATUS_OK);
	assert_string_equal(info.client_hello.ja3, "769,,10,,");
	assert_string_equal(info.client_hello.ja4,
			    "t10i000100_000000000000_a8f3e973773c");

	/* SNI longer than the field: cut to 255 bytes and flagged. */
	exts.n = data.n = 0;
	put16(&data, 3 + 300);
	put8(&data, 0);
	put16(&data, 300);
	for (int i = 0; i < 300; i++)
		put8(&data, 'a' + i % 26);
	ext(&exts, 0x0000, &data);
	build_hello(&rec, suites, 2, &exts);
	assert_int_equal(run(&rec, &used), TLS_STATUS_OK);
	assert_int_equal(info.anomalies, BIT(ANOM_FIELD_TOO_LONG));
	assert_int_equal(strlen(info.client_hello.sni), TLS_SNI_RAW_MAX);
	assert_true(info.client_hello.ja4[0] != '\0');

	/* SNI list length past the extension: flagged, parse goes on. */
	exts.n = data.n = 0;
	put16(&data, 40);
	put8(&data, 0);
	put16(&data, 1);
	put8(&data, 'x');
	ext(&exts, 0x0000, &data);
	build_hello(&rec, suites, 2, &exts);
	assert_int_equal(run(&rec, &used), TLS_STATUS_MALFORMED);
	assert_int_equal(info.anomalies, BIT(ANOM_TLS_MALFORMED));

	/* An extension length past the extensions block. */
	exts.n = 0;
	put16(&exts, 0x0017);
	put16(&exts, 500);
	build_hello(&rec, suites, 2, &exts);
	assert_int_equal(run(&rec, &used), TLS_STATUS_MALFORMED);
	assert_int_equal(info.anomalies, BIT(ANOM_TLS_MALFORMED));
	assert_true(info.has_client_hello);
	assert_false(info.client_hello.complete);
	assert_string_equal(info.client_hello.ja3, "");
	assert_int_equal(info.client_hello.n_ciphers, 2);

	/* The same extension twice. */
	exts.n = data.n = 0;
	ext(&exts, 0x0017, &data);
	ext(&exts, 0x0017, &data);
	build_hello(&rec, suites, 2, &exts);
	assert_int_equal(run(&rec, &used), TLS_STATUS_MALFORMED);
	assert_int_equal(info.anomalies, BIT(ANOM_TLS_MALFORMED));

	/* More suites than we keep: stored prefix, no fingerprints. */
	build_hello(&rec, suites, TLS_MAX_CIPHERS + 10, NULL);
	assert_int_equal(run(&rec, &used), TLS_STATUS_OK);
	assert_int_equal(info.anomalies, BIT(ANOM_FIELD_TOO_LONG));
	assert_int_equal(info.client_hello.ciphers_seen, TLS_MAX_CIPHERS + 10);
	assert_string_equal(info.client_hello.ja3, "");
	assert_string_equal(info.client_hello.ja4, "");

	/* Handshake length past its record: waits for more records. */
	build_hello(&rec, suites, 2, NULL);
	rec.b[7] = 0x40;
	assert_int_equal(run(&rec, &used), TLS_STATUS_NEED_MORE);
	assert_int_equal(info.anomalies, 0);
	assert_false(info.has_client_hello);

	/* Record length past the chunk: NEED_MORE, nothing consumed. */
	build_hello(&rec, suites, 2, NULL);
	rec.b[3] = 0x10;
	assert_int_equal(run(&rec, &used), TLS_STATUS_NEED_MORE);
	assert_int_equal(used, 0);
	assert_int_equal(info.anomalies, 0);

	/* Record length over the RFC 8446 bound. */
	rec.b[3] = 0xff;
	assert_int_equal(run(&rec, &used), TLS_STATUS_MALFORMED);
	assert_int_equal(info.anomalies, BIT(ANOM_TLS_MALFORMED));

	/* A zero-length handshake record. */
	rec.n = 0;
	put(&rec, "\x16\x03\x01\x00\x00", 5);
	assert_int_equal(run(&rec, &used), TLS_STATUS_MALFORMED);
	assert_int_equal(info.anomalies, BIT(ANOM_TLS_MALFORMED));

	/* Not TLS at all. */
	rec.n = 0;
	put(&rec, "GET / HTTP/1.1\r\n", 16);
	assert_int_equal(run(&rec, &used), TLS_STATUS_NOT_TLS);
	assert_int_equal(info.anomalies, 0);

	/* A good record followed by a bad content type. */
	build_hello(&rec, suites, 2, NULL);
	put(&rec, "\x63\x03\x01\x00\x00", 5);
	assert_int_equal(run(&rec, &used), TLS_STATUS_MALFORMED);
	assert_true(info.has_client_hello);
	assert_int_equal(used, rec.n - 5);
}

/* Bare ClientHello messages that lie about their structure. */
static void test_hostile_bare(void **state)
{
	static const struct {
		const char *name;
		const char *hex;
		enum tls_status status;
	} cases[] = {
		{ "not a ClientHello", "02000004" "03010000", TLS_STATUS_MALFORMED },
		{ "length past the end", "010000ff0301", TLS_STATUS_NEED_MORE },
		{ "session id of 33",
		  "01000023" "0301" "0000000000000000000000000000000000000000"
		  "000000000000000000000000" "21",
		  TLS_STATUS_MALFORMED },
		{ "odd suites length",
		  "0100002a" "0303" "0000000000000000000000000000000000000000"
		  "000000000000000000000000" "00" "0003002f00" "0100",
		  TLS_STATUS_MALFORMED },
		{ "empty", "", TLS_STATUS_NEED_MORE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		uint8_t *p = from_hex(cases[i].hex, &len);
		anomaly_set a = 0;
		enum tls_status st = tls_parse_client_hello(p, len, TLS_OVER_QUIC,
							    &hello, &a);

		if (st != cases[i].status ||
		    (st == TLS_STATUS_MALFORMED) !=
			    anomaly_has(a, ANOM_TLS_MALFORMED))
			fail_msg("%s: status %d anomalies %llx", cases[i].name,
				 st, (unsigned long long)a);
		free(p);
	}
}

/* A ServerHello record with the given random (TLS 1.3 by
 * supported_versions). */
static void build_server_hello(struct wbuf *rec, const uint8_t random[32])
{
	rec->n = 0;
	put8(rec, 22);
	put16(rec, 0x0303);
	put16(rec, 4 + 2 + 32 + 1 + 2 + 1 + 2 + 6);
	put8(rec, 2);
	put24(rec, 2 + 32 + 1 + 2 + 1 + 2 + 6);
	put16(rec, 0x0303);
	put(rec, random, 32);
	put8(rec, 0);
	put16(rec, 0x1301);
	put8(rec, 0);
	put16(rec, 6);
	put16(rec, 0x002b);
	put16(rec, 2);
	put16(rec, 0x0304);
}

/* Two ClientHellos in one chunk (the second after a HelloRetryRequest,
 * behind the compatibility ChangeCipherSpec): each can be kept; a
 * ServerHello with RFC 8446's special random is a HelloRetryRequest. */
static void test_second_hello_and_retry(void **state)
{
	static const uint16_t suites[] = { 0x1301, 0x1302 };
	static const uint8_t retry_random[32] = {
		0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d,
		0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16,
		0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8,
		0x33, 0x9c,
	};
	static const uint8_t plain_random[32] = { 1, 2, 3 };
	static struct wbuf first, second, chunk, exts, data;
	uint8_t *p;
	size_t used;

	(void)state;
	build_hello(&first, suites, 2, NULL);
	exts.n = data.n = 0;
	put16(&data, 2);
	put16(&data, 0xabcd);
	ext(&exts, 0x002c, &data); /* cookie */
	build_hello(&second, suites, 2, &exts);
	chunk.n = 0;
	put(&chunk, first.b, first.n);
	put(&chunk, "\x14\x03\x03\x00\x01\x01", 6);
	put(&chunk, second.b, second.n);
	p = dup_bytes(chunk.b, chunk.n);
	assert_int_equal(tls_parse_records_nth(p, chunk.n, TLS_OVER_TCP, 0,
					       &info, &used),
			 TLS_STATUS_OK);
	assert_int_equal(info.client_hellos, 2);
	assert_true(info.has_client_hello);
	assert_string_equal(info.client_hello.ja3, "769,4865-4866,,,");
	assert_int_equal(tls_parse_records_nth(p, chunk.n, TLS_OVER_TCP, 1,
					       &info, &used),
			 TLS_STATUS_OK);
	assert_true(info.has_client_hello);
	assert_string_equal(info.client_hello.ja3, "769,4865-4866,44,,");
	/* No third one: nothing kept. */
	assert_int_equal(tls_parse_records_nth(p, chunk.n, TLS_OVER_TCP, 2,
					       &info, &used),
			 TLS_STATUS_OK);
	assert_false(info.has_client_hello);
	free(p);
	/* The second one cut short: not had yet. */
	p = dup_bytes(chunk.b, chunk.n - 3);
	assert_int_equal(tls_parse_records_nth(p, chunk.n - 3, TLS_OVER_TCP,
					       1, &info, &used),
			 TLS_STATUS_NEED_MORE);
	assert_false(info.has_client_hello);
	assert_int_equal(info.client_hellos, 1);
	free(p);

	build_server_hello(&chunk, retry_random);
	p = dup_bytes(chunk.b, chunk.n);
	assert_int_equal(tls_parse_records(p, chunk.n, TLS_OVER_TCP, &info,
					   &used),
			 TLS_STATUS_OK);
	assert_true(info.has_server_hello);
	assert_true(info.server_hello.hello_retry);
	assert_int_equal(info.server_hello.selected_version, 0x0304);
	free(p);
	build_server_hello(&chunk, plain_random);
	p = dup_bytes(chunk.b, chunk.n);
	tls_parse_records(p, chunk.n, TLS_OVER_TCP, &info, &used);
	assert_true(info.has_server_hello);
	assert_false(info.server_hello.hello_retry);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_payloads),
		cmocka_unit_test(test_reassembly),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_ja4_spec),
		cmocka_unit_test(test_hostile_hello),
		cmocka_unit_test(test_hostile_bare),
		cmocka_unit_test(test_second_hello_and_retry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
