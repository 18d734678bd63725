/*
 * test_text.c — bounded text output (analyze/parse/text.h): tshark-style
 * escaping, what is kept when the buffer is too small, and address text
 * (which must equal inet_ntop's).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/parse/text.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct escape_case {
	const char *in;
	size_t in_len;
	const char *want;
};

static void test_escape(void **state)
{
	(void)state;
	static const struct escape_case cases[] = {
		{"www.example.com", 15, "www.example.com"},
		{"", 0, ""},
		{"a\\b", 3, "a\\b"},
		{"tab\there", 8, "tab\\there"},
		{"nul\0x", 5, "nul\\000x"},
		{"\x7f", 1, "\\177"},
		{"caf\xc3\xa9!", 6, "caf\xc3\xa9!"},
		{"bad\xff", 4, "bad\xef\xbf\xbd"},
		{"\xe2\x80\x8bzw", 5, "\\u200Bzw"},
		{"cut\xc3", 4, "cut\xef\xbf\xbd"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char out[64];
		struct textbuf t;
		textbuf_init(&t, out, sizeof out);
		assert_true(text_put_escaped(&t, (const uint8_t *)cases[i].in,
					     cases[i].in_len));
		assert_string_equal(out, cases[i].want);
		assert_int_equal(t.len, strlen(cases[i].want));
	}
}

/* Too small a buffer keeps the whole characters that fit, never half an
 * escape, and everything after the first refusal is dropped. */
static void test_escape_cut(void **state)
{
	(void)state;
	static const struct {
		size_t size;
		const char *want;
	} cuts[] = {
		{0, NULL}, {1, ""}, {2, "a"}, {3, "ab"}, {6, "ab"},
		{7, "ab\\001"}, {8, "ab\\001c"}, {9, "ab\\001c"},
		{10, "ab\\001c\xc3\xa9"}, {11, "ab\\001c\xc3\xa9" "d"},
	};
	static const char in[] = "ab\001c\xc3\xa9" "d";
	for (size_t i = 0; i < ARRAY_LEN(cuts); i++) {
		char out[16];
		memset(out, 'Z', sizeof out);
		struct textbuf t;
		textbuf_init(&t, out, cuts[i].size);
		bool all = text_put_escaped(&t, (const uint8_t *)in,
					    sizeof in - 1);
		assert_int_equal(all, cuts[i].size == 11);
		assert_int_equal(t.overflow, cuts[i].size != 11);
		if (!cuts[i].want) {
			assert_int_equal(out[0], 'Z');
			continue;
		}
		assert_string_equal(out, cuts[i].want);
		/* a later put is dropped once one was refused */
		if (t.overflow) {
			assert_false(textbuf_puts(&t, ""));
			assert_string_equal(out, cuts[i].want);
		}
	}
}

static void test_put_after_escape(void **state)
{
	(void)state;
	char out[32];
	struct textbuf t;
	textbuf_init(&t, out, sizeof out);
	assert_true(textbuf_puts(&t, "v="));
	assert_true(text_put_escaped(&t, (const uint8_t *)"a\nb", 3));
	assert_true(textbuf_put_uint(&t, 4096));
	assert_string_equal(out, "v=a\\nb4096");
}

/* text_oneline(): terminal sequences, line breaks, C1 controls and
 * bidirectional overrides come out as visible escapes; a cut ends in
 * "...". */
static void test_oneline(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t size;
		const char *want;
	} cases[] = {
		{"plain name", 64, "plain name"},
		{"\x1b]0;owned\x07title", 64, "\\033]0;owned\\atitle"},
		{"one\ntwo\rthree", 64, "one\\ntwo\\rthree"},
		{"\x1b[2J\x1b[31mred", 64, "\\033[2J\\033[31mred"},
		{"csi\xc2\x9b" "31m", 64, "csi\\u009B31m"},
		{"rtl\xe2\x80\xae" "fdp.exe", 64, "rtl\\u202Efdp.exe"},
		{"caf\xc3\xa9", 64, "caf\xc3\xa9"},
		{"abcdefghij", 8, "abcd..."},
		{"ab\ncd", 7, "ab..."},
		{"abc", 4, "..."},
		{NULL, 8, ""},
		{"x", 3, ""},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char out[64];
		assert_ptr_equal(text_oneline(cases[i].in, out, cases[i].size),
				 out);
		assert_string_equal(out, cases[i].want);
	}
}

/* Over random byte strings: the result of text_oneline() in a buffer of
 * TEXT_ONELINE_SIZE(n) is never cut and holds no C0 control, no DEL and
 * no C1 control (as UTF-8: C2 80..C2 9F). */
static void test_oneline_random(void **state)
{
	(void)state;
	srand(13);
	for (int round = 0; round < 20000; round++) {
		char in[40];
		size_t n = (size_t)(rand() % (int)(sizeof in - 1));
		for (size_t i = 0; i < n; i++)
			in[i] = (char)(rand() % 255 + 1); /* no NUL inside */
		in[n] = '\0';
		char out[TEXT_ONELINE_SIZE(sizeof in)], big[1024];
		text_oneline(in, out, TEXT_ONELINE_SIZE(n));
		text_oneline(in, big, sizeof big);
		assert_string_equal(out, big); /* not cut */
		size_t len = strlen(out);
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)out[i];
			assert_true(c >= 0x20 && c != 0x7f);
			if (c == 0xc2 && i + 1 < len)
				assert_false((unsigned char)out[i + 1] >= 0x80 &&
					     (unsigned char)out[i + 1] <= 0x9f);
		}
	}
}

/* Address text equals inet_ntop's, for IPv4 digit counts and IPv6
 * compression cases, and pseudo-random addresses of both. */
static void test_ip_address(void **state)
{
	(void)state;
	static const uint8_t v4[][4] = {
		{0, 0, 0, 0},     {255, 255, 255, 255}, {192, 0, 2, 1},
		{10, 100, 9, 99}, {1, 20, 200, 0},
	};
	static const uint8_t v6[][16] = {
		{0},
		{0x20, 0x01, 0x0d, 0xb8, [15] = 1},
		{[10] = 0xff, [11] = 0xff, [12] = 192, [13] = 0, [14] = 2, [15] = 1},
		{0xfe, 0x80, [8] = 0x12, [9] = 0x34},
	};
	char got[TEXT_IP_ADDRESS_SIZE], want[INET6_ADDRSTRLEN];
	for (size_t i = 0; i < ARRAY_LEN(v4); i++) {
		assert_non_null(inet_ntop(AF_INET, v4[i], want, sizeof want));
		assert_int_equal(text_ip_address(4, v4[i], got, sizeof got),
				 strlen(want));
		assert_string_equal(got, want);
	}
	for (size_t i = 0; i < ARRAY_LEN(v6); i++) {
		assert_non_null(inet_ntop(AF_INET6, v6[i], want, sizeof want));
		assert_int_equal(text_ip_address(6, v6[i], got, sizeof got),
				 strlen(want));
		assert_string_equal(got, want);
	}
	uint32_t x = 12345;
	for (int i = 0; i < 20000; i++) {
		uint8_t a[16];
		for (size_t k = 0; k < sizeof a; k++) {
			x = x * 1103515245u + 12345u;
			a[k] = (uint8_t)(x >> 16);
			if ((x >> 8) % 3 == 0)
				a[k] = 0; /* zero runs for IPv6 compression */
		}
		int version = i % 2 ? 6 : 4;
		assert_non_null(inet_ntop(version == 6 ? AF_INET6 : AF_INET, a,
					  want, sizeof want));
		text_ip_address(version, a, got, sizeof got);
		assert_string_equal(got, want);
	}
	/* too small: nothing, "" */
	assert_int_equal(text_ip_address(4, v4[1], got, 15), 0);
	assert_string_equal(got, "");
	assert_int_equal(text_ip_address(4, v4[1], got, 16), 15);
	assert_int_equal(text_ip_address(5, v4[1], got, sizeof got), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_cut),
		cmocka_unit_test(test_put_after_escape),
		cmocka_unit_test(test_ip_address),
		cmocka_unit_test(test_oneline),
		cmocka_unit_test(test_oneline_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
