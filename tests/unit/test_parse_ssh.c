/*
 * test_parse_ssh.c — table-driven tests of analyze/parse/ssh.c.
 *
 * Real payloads come from /work/shared/pcaps/ndpi/ssh.pcap; the expected
 * HASSH values are tshark's (Wireshark 4.0.17) ssh.kex.hassh and
 * ssh.kex.hasshserver for the same frames. Every input is copied into an
 * exact-size heap buffer so ASan sees any read past the end.
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

#include "analyze/parse/ssh.h"

#define BIT(a) ((anomaly_set)1 << (a))

static struct ssh_kexinit kex; /* ~20 KiB: not on the stack */
static struct ssh_banner banner;

/* ssh.pcap frame 8: client KEXINIT (OpenSSH_5.3), one TCP segment. */
static const char client_kexinit_hex[] =
	"00000384041418ba31471acef22d8889d6d144500df40000007e646966666965"
	"2d68656c6c6d616e2d67726f75702d65786368616e67652d7368613235362c64"
	"69666669652d68656c6c6d616e2d67726f75702d65786368616e67652d736861"
	"312c6469666669652d68656c6c6d616e2d67726f757031342d736861312c6469"
	"666669652d68656c6c6d616e2d67726f7570312d73686131000000837373682d"
	"7273612d636572742d763031406f70656e7373682e636f6d2c7373682d647373"
	"2d636572742d763031406f70656e7373682e636f6d2c7373682d7273612d6365"
	"72742d763030406f70656e7373682e636f6d2c7373682d6473732d636572742d"
	"763030406f70656e7373682e636f6d2c7373682d7273612c7373682d64737300"
	"00009d6165733132382d6374722c6165733139322d6374722c6165733235362d"
	"6374722c617263666f75723235362c617263666f75723132382c616573313238"
	"2d6362632c336465732d6362632c626c6f77666973682d6362632c6361737431"
	"32382d6362632c6165733139322d6362632c6165733235362d6362632c617263"
	"666f75722c72696a6e6461656c2d636263406c797361746f722e6c69752e7365"
	"0000009d6165733132382d6374722c6165733139322d6374722c616573323536"
	"2d6374722c617263666f75723235362c617263666f75723132382c6165733132"
	"382d6362632c336465732d6362632c626c6f77666973682d6362632c63617374"
	"3132382d6362632c6165733139322d6362632c6165733235362d6362632c6172"
	"63666f75722c72696a6e6461656c2d636263406c797361746f722e6c69752e73"
	"6500000069686d61632d6d64352c686d61632d736861312c756d61632d363440"
	"6f70656e7373682e636f6d2c686d61632d726970656d643136302c686d61632d"
	"726970656d64313630406f70656e7373682e636f6d2c686d61632d736861312d"
	"39362c686d61632d6d64352d393600000069686d61632d6d64352c686d61632d"
	"736861312c756d61632d3634406f70656e7373682e636f6d2c686d61632d7269"
	"70656d643136302c686d61632d726970656d64313630406f70656e7373682e63"
	"6f6d2c686d61632d736861312d39362c686d61632d6d64352d39360000001a6e"
	"6f6e652c7a6c6962406f70656e7373682e636f6d2c7a6c69620000001a6e6f6e"
	"652c7a6c6962406f70656e7373682e636f6d2c7a6c6962000000000000000000"
	"0000000000000000";

/* ssh.pcap frame 10: server KEXINIT (OpenSSH_5.6). */
static const char server_kexinit_hex[] =
	"0000030c0a1400f2294e8c29fd1dc45641ba5dafaad70000007e646966666965"
	"2d68656c6c6d616e2d67726f75702d65786368616e67652d7368613235362c64"
	"69666669652d68656c6c6d616e2d67726f75702d65786368616e67652d736861"
	"312c6469666669652d68656c6c6d616e2d67726f757031342d736861312c6469"
	"666669652d68656c6c6d616e2d67726f7570312d736861310000000f7373682d"
	"7273612c7373682d6473730000009d6165733132382d6374722c616573313932"
	"2d6374722c6165733235362d6374722c617263666f75723235362c617263666f"
	"75723132382c6165733132382d6362632c336465732d6362632c626c6f776669"
	"73682d6362632c636173743132382d6362632c6165733139322d6362632c6165"
	"733235362d6362632c617263666f75722c72696a6e6461656c2d636263406c79"
	"7361746f722e6c69752e73650000009d6165733132382d6374722c6165733139"
	"322d6374722c6165733235362d6374722c617263666f75723235362c61726366"
	"6f75723132382c6165733132382d6362632c336465732d6362632c626c6f7766"
	"6973682d6362632c636173743132382d6362632c6165733139322d6362632c61"
	"65733235362d6362632c617263666f75722c72696a6e6461656c2d636263406c"
	"797361746f722e6c69752e736500000069686d61632d6d64352c686d61632d73"
	"6861312c756d61632d3634406f70656e7373682e636f6d2c686d61632d726970"
	"656d643136302c686d61632d726970656d64313630406f70656e7373682e636f"
	"6d2c686d61632d736861312d39362c686d61632d6d64352d393600000069686d"
	"61632d6d64352c686d61632d736861312c756d61632d3634406f70656e737368"
	"2e636f6d2c686d61632d726970656d643136302c686d61632d726970656d6431"
	"3630406f70656e7373682e636f6d2c686d61632d736861312d39362c686d6163"
	"2d6d64352d3936000000156e6f6e652c7a6c6962406f70656e7373682e636f6d"
	"000000156e6f6e652c7a6c6962406f70656e7373682e636f6d00000000000000"
	"00000000000000000000000000000000";

struct real_case {
	const char *source;
	const char *hex;
	const char *hassh;        /* tshark ssh.kex.hassh, or NULL */
	const char *hassh_server; /* tshark ssh.kex.hasshserver, or NULL */
};

static void test_real_kexinit(void **state)
{
	static const struct real_case cases[] = {
		{ "ssh.pcap:8", client_kexinit_hex,
		  "21b457a327ce7a2d4fce5ef2c42400bd", NULL },
		{ "ssh.pcap:10", server_kexinit_hex, NULL,
		  "b1c6c0d56317555b85c7005a3de29325" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len, used;
		uint8_t *p = from_hex(cases[i].hex, &len);

		if (ssh_parse_kexinit(p, len, &kex, &used) != SSH_STATUS_OK ||
		    used != len || kex.anomalies != 0)
			fail_msg("%s: not parsed cleanly", cases[i].source);
		if (cases[i].hassh && strcmp(kex.hassh, cases[i].hassh) != 0)
			fail_msg("%s: hassh %s", cases[i].source, kex.hassh);
		if (cases[i].hassh_server &&
		    strcmp(kex.hassh_server, cases[i].hassh_server) != 0)
			fail_msg("%s: hasshServer %s", cases[i].source,
				 kex.hassh_server);
		free(p);
	}
	/* The lists as tshark shows them (ssh.kex_algorithms, ...). */
	{
		size_t len, used;
		uint8_t *p = from_hex(client_kexinit_hex, &len);

		ssh_parse_kexinit(p, len, &kex, &used);
		assert_string_equal(kex.lists[SSH_KEX],
				    "diffie-hellman-group-exchange-sha256,"
				    "diffie-hellman-group-exchange-sha1,"
				    "diffie-hellman-group14-sha1,"
				    "diffie-hellman-group1-sha1");
		assert_string_equal(kex.lists[SSH_CMP_C2S],
				    "none,zlib@openssh.com,zlib");
		free(p);
	}
}

struct banner_case {
	const char *name;
	const char *input;
	enum ssh_status status;
	anomaly_set anomalies;
	const char *software; /* expected when status is OK */
	size_t consumed;
};

static void test_banner(void **state)
{
	char long_line[300 + 1];
	static const struct banner_case fixed[] = {
		{ "ssh.pcap:4", "SSH-2.0-OpenSSH_5.3\r\n", SSH_STATUS_OK, 0,
		  "OpenSSH_5.3", 21 },
		{ "comments", "SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7\r\nXX",
		  SSH_STATUS_OK, 0, "OpenSSH_7.4p1", 40 },
		{ "bare LF", "SSH-1.99-Cisco-1.25\n", SSH_STATUS_OK, 0,
		  "Cisco-1.25", 20 },
		{ "prebanner lines", "hello\r\nworld\r\nSSH-2.0-x\r\n",
		  SSH_STATUS_OK, 0, "x", 25 },
		{ "no CRLF yet", "SSH-2.0-Open", SSH_STATUS_NEED_MORE, 0, NULL,
		  0 },
		{ "prefix only", "SS", SSH_STATUS_NEED_MORE, 0, NULL, 0 },
		{ "no second dash", "SSH-2.0\r\n", SSH_STATUS_MALFORMED,
		  BIT(ANOM_SSH_MALFORMED), NULL, 9 },
		{ "NUL in banner", "SSH-2.0-a\0b\r\n", SSH_STATUS_OK,
		  BIT(ANOM_SSH_MALFORMED), "a\\000b", 13 },
		{ "binary", "\x16\x03\x01\x00", SSH_STATUS_NOT_SSH, 0, NULL,
		  0 },
		{ "empty", "", SSH_STATUS_NEED_MORE, 0, NULL, 0 },
	};
	size_t input_len[] = { 21, 42, 20, 25, 12, 2, 9, 13, 4, 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		const struct banner_case *c = &fixed[i];
		uint8_t *p = dup_bytes(c->input, input_len[i]);
		size_t used;
		enum ssh_status st = ssh_parse_banner(p, input_len[i], &banner,
						      &used);

		if (st != c->status || banner.anomalies != c->anomalies ||
		    used != c->consumed ||
		    (c->software && strcmp(banner.software, c->software)))
			fail_msg("%s: status %d anomalies %llx used %zu sw '%s'",
				 c->name, st,
				 (unsigned long long)banner.anomalies, used,
				 banner.software);
		free(p);
	}
	/* 300 bytes without a line end: over the 255-byte bound. */
	memset(long_line, 'A', sizeof(long_line) - 1);
	memcpy(long_line, "SSH-2.0-", 8);
	{
		uint8_t *p = dup_bytes(long_line, 300);
		size_t used;

		assert_int_equal(ssh_parse_banner(p, 300, &banner, &used),
				 SSH_STATUS_MALFORMED);
		assert_int_equal(banner.anomalies, BIT(ANOM_FIELD_TOO_LONG));
		assert_int_equal(strlen(banner.text), SSH_BANNER_MAX);
		free(p);
	}
	/* Too many text lines before the banner. */
	{
		char many[SSH_MAX_PREBANNER_LINES * 3 + 8];
		size_t n = 0, used;
		uint8_t *p;

		for (int i = 0; i <= SSH_MAX_PREBANNER_LINES; i++) {
			memcpy(many + n, "x\r\n", 3);
			n += 3;
		}
		p = dup_bytes(many, n);
		assert_int_equal(ssh_parse_banner(p, n, &banner, &used),
				 SSH_STATUS_MALFORMED);
		assert_int_equal(banner.anomalies, BIT(ANOM_SSH_MALFORMED));
		free(p);
	}
}

/* Builds a KEXINIT packet from ten name-lists; returns its length. */
static size_t build_kexinit(uint8_t *buf, const char *lists[10],
			    const size_t list_len[10], uint8_t padding)
{
	size_t n = 5;

	buf[n++] = 20;
	memset(buf + n, 0x11, 16); /* cookie */
	n += 16;
	for (int i = 0; i < 10; i++) {
		uint32_t l = (uint32_t)list_len[i];

		buf[n++] = (uint8_t)(l >> 24);
		buf[n++] = (uint8_t)(l >> 16);
		buf[n++] = (uint8_t)(l >> 8);
		buf[n++] = (uint8_t)l;
		memcpy(buf + n, lists[i], l);
		n += l;
	}
	buf[n++] = 0;                 /* first_kex_packet_follows */
	memset(buf + n, 0, 4 + padding); /* reserved + padding */
	n += 4 + padding;
	{
		uint32_t packet_len = (uint32_t)(n - 4);

		buf[0] = (uint8_t)(packet_len >> 24);
		buf[1] = (uint8_t)(packet_len >> 16);
		buf[2] = (uint8_t)(packet_len >> 8);
		buf[3] = (uint8_t)packet_len;
		buf[4] = padding;
	}
	return n;
}

static void test_kexinit_synthetic(void **state)
{
	static uint8_t buf[16384];
	static char big[SSH_NAMELIST_MAX + 2];
	const char *lists[10] = { "kex1,kex2", "ssh-ed25519", "aes128-ctr",
				  "aes256-ctr", "hmac-sha2-256", "hmac-sha1",
				  "none", "zlib", "", "" };
	size_t lens[10];
	size_t len, used;
	uint8_t *p;

	(void)state;
	for (int i = 0; i < 10; i++)
		lens[i] = strlen(lists[i]);
	len = build_kexinit(buf, lists, lens, 4);

	/* Clean: HASSH over "kex;enc;mac;cmp" of each direction. */
	p = dup_bytes(buf, len);
	assert_int_equal(ssh_parse_kexinit(p, len, &kex, &used), SSH_STATUS_OK);
	assert_int_equal(used, len);
	assert_int_equal(kex.anomalies, 0);
	/* md5("kex1,kex2;aes128-ctr;hmac-sha2-256;none") */
	assert_string_equal(kex.hassh, "acff234468b130be6fe0a9d2f7cc8c86");
	/* md5("kex1,kex2;aes256-ctr;hmac-sha1;zlib") */
	assert_string_equal(kex.hassh_server, "0341d220dc30cf2b96492a90c4c926fc");
	free(p);

	/* Every truncation of the packet: NEED_MORE, never a crash. */
	for (size_t cut = 0; cut < len; cut++) {
		p = dup_bytes(buf, cut);
		assert_int_equal(ssh_parse_kexinit(p, cut, &kex, &used),
				 SSH_STATUS_NEED_MORE);
		assert_int_equal(used, 0);
		free(p);
	}

	/* A name-list length running past the payload. */
	{
		uint8_t *q = dup_bytes(buf, len);

		q[5 + 1 + 16 + 3] = 0xff; /* kex list length low byte */
		assert_int_equal(ssh_parse_kexinit(q, len, &kex, &used),
				 SSH_STATUS_MALFORMED);
		assert_int_equal(kex.anomalies, BIT(ANOM_SSH_MALFORMED));
		q[5 + 1 + 16] = 0xff; /* and a huge one */
		assert_int_equal(ssh_parse_kexinit(q, len, &kex, &used),
				 SSH_STATUS_MALFORMED);
		free(q);
	}

	/* Padding under 4 bytes: flagged, still parsed. */
	len = build_kexinit(buf, lists, lens, 2);
	p = dup_bytes(buf, len);
	assert_int_equal(ssh_parse_kexinit(p, len, &kex, &used), SSH_STATUS_OK);
	assert_int_equal(kex.anomalies, BIT(ANOM_SSH_MALFORMED));
	free(p);

	/* Not a KEXINIT. */
	len = build_kexinit(buf, lists, lens, 4);
	buf[5] = 21;
	p = dup_bytes(buf, len);
	assert_int_equal(ssh_parse_kexinit(p, len, &kex, &used),
			 SSH_STATUS_MALFORMED);
	free(p);

	/* packet_length far beyond any KEXINIT. */
	p = dup_bytes("\x7f\xff\xff\xff\x04\x14", 6);
	assert_int_equal(ssh_parse_kexinit(p, 6, &kex, &used),
			 SSH_STATUS_MALFORMED);
	free(p);

	/* padding_length larger than the packet. */
	p = dup_bytes("\x00\x00\x00\x08\xff\x14\x00\x00\x00\x00\x00\x00", 12);
	assert_int_equal(ssh_parse_kexinit(p, 12, &kex, &used),
			 SSH_STATUS_MALFORMED);
	free(p);

	/* An oversized list: FIELD_TOO_LONG, HASSH left empty. */
	memset(big, 'a', sizeof(big) - 1);
	lists[SSH_ENC_C2S] = big;
	lens[SSH_ENC_C2S] = sizeof(big) - 1;
	len = build_kexinit(buf, lists, lens, 4);
	p = dup_bytes(buf, len);
	assert_int_equal(ssh_parse_kexinit(p, len, &kex, &used), SSH_STATUS_OK);
	assert_true(anomaly_has(kex.anomalies, ANOM_FIELD_TOO_LONG));
	assert_string_equal(kex.hassh, "");
	assert_string_equal(kex.hassh_server, "0341d220dc30cf2b96492a90c4c926fc");
	free(p);

	/* Bytes outside 0x21..0x7e in a list. */
	lists[SSH_ENC_C2S] = "aes\x01 ctr";
	lens[SSH_ENC_C2S] = 8;
	len = build_kexinit(buf, lists, lens, 4);
	p = dup_bytes(buf, len);
	assert_int_equal(ssh_parse_kexinit(p, len, &kex, &used), SSH_STATUS_OK);
	assert_int_equal(kex.anomalies, BIT(ANOM_SSH_MALFORMED));
	assert_string_equal(kex.lists[SSH_ENC_C2S], "aes\\001 ctr");
	free(p);
}

/* A banner and a KEXINIT in one chunk, read one after the other. */
static void test_banner_then_kexinit(void **state)
{
	size_t klen, used, used2;
	uint8_t *k = from_hex(client_kexinit_hex, &klen);
	uint8_t *p = malloc(21 + klen);

	(void)state;
	assert_non_null(p);
	memcpy(p, "SSH-2.0-OpenSSH_5.3\r\n", 21);
	memcpy(p + 21, k, klen);
	assert_int_equal(ssh_parse_banner(p, 21 + klen, &banner, &used),
			 SSH_STATUS_OK);
	assert_int_equal(used, 21);
	assert_string_equal(banner.proto_version, "2.0");
	assert_int_equal(ssh_parse_kexinit(p + used, klen, &kex, &used2),
			 SSH_STATUS_OK);
	assert_string_equal(kex.hassh, "21b457a327ce7a2d4fce5ef2c42400bd");
	free(p);
	free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_kexinit),
		cmocka_unit_test(test_banner),
		cmocka_unit_test(test_kexinit_synthetic),
		cmocka_unit_test(test_banner_then_kexinit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
