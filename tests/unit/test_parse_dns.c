/*
 * test_parse_dns.c — table-driven tests of analyze/parse/dns.c.
 *
 * Real payloads come from /work/shared/pcaps/ndpi (capture and frame noted
 * on each); expected names are what `tshark -T fields -e dns.qry.name
 * -e dns.cname -e dns.a -e dns.aaaa` (Wireshark 4.0.17) printed for them.
 * Every input is copied into an exact-size heap buffer so ASan sees any
 * read past the end.
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

#include "analyze/parse/dns.h"

#define BIT(a) ((anomaly_set)1 << (a))

static struct dns_message msg; /* ~100 KiB: not on the stack */

struct real_case {
	const char *source; /* capture:frame */
	const char *hex;    /* UDP payload */
	const char *qname;
	const char *answer; /* first A or AAAA, "" if none */
	const char *cname;  /* first CNAME target, "" if none */
	unsigned rcode;
	bool response;
};

static const struct real_case real_cases[] = {
	{ "KakaoTalk_chat.pcap:5",
	  "86ed818000010002000000000461757468056b616b616f03636f6d00000100"
	  "01c00c00050001000005c7000a046175746802676cc011c02c000100010000"
	  "00560004d267f00f",
	  "auth.kakao.com", "210.103.240.15", "auth.gl.kakao.com", 0, true },
	{ "teams.pcap:720",
	  "f401818000010002000000000f74726f75746572322d617373652d61077472"
	  "6f75746572057465616d73096d6963726f736f667403636f6d00001c0001c0"
	  "0c0005000100000d8b001e0f74726f75746572322d617373652d6108636c6f"
	  "7564617070036e657400c049001c00010000000500102a010111f100700000"
	  "0000006fdd54a1",
	  "trouter2-asse-a.trouter.teams.microsoft.com",
	  "2a01:111:f100:7000::6fdd:54a1", "trouter2-asse-a.cloudapp.net", 0,
	  true },
	{ "punycode-idn.pcap:4",
	  "fb0581830001000000000000037777770d786e2d2d6d6e6963682d6b766103"
	  "636f6d0000010001",
	  "www.xn--mnich-kva.com", "", "", 3, true },
	{ "dns-invalid-chars.pcap:1",
	  "9f6c010000010000000000000377777717616c6c796f757262610405066172"
	  "6562656c6f6e67746f02636e0000010001",
	  "www.allyourba\\004\\005\\006arebelongto.cn", "", "", 0, false },
	{ "dns-invalid-chars.pcap:2",
	  "9f6c818000010001000000000377777717616c6c796f757262617365736172"
	  "650102036f6e67746f02636e0000010001c00c000100010000003c000413b9"
	  "8df1",
	  "www.allyourbasesare\\001\\002\\003ongto.cn", "19.185.141.241", "",
	  0, true },
};

static void test_real_payloads(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(real_cases) / sizeof(real_cases[0]); i++) {
		const struct real_case *c = &real_cases[i];
		size_t len;
		uint8_t *p = from_hex(c->hex, &len);
		const char *answer = "", *cname = "";

		if (dns_parse(p, len, &msg) != DNS_STATUS_OK || msg.anomalies)
			fail_msg("%s: status or anomalies", c->source);
		for (uint32_t k = 0; k < msg.n_answers; k++) {
			const struct dns_answer *a = &msg.answers[k];

			if ((a->type == DNS_TYPE_A || a->type == DNS_TYPE_AAAA) &&
			    answer[0] == '\0')
				answer = a->data;
			if (a->type == DNS_TYPE_CNAME && cname[0] == '\0')
				cname = a->data;
		}
		if (msg.n_questions != 1 ||
		    strcmp(msg.questions[0].name, c->qname) != 0 ||
		    strcmp(answer, c->answer) != 0 ||
		    strcmp(cname, c->cname) != 0 || msg.rcode != c->rcode ||
		    msg.is_response != c->response || msg.parsed_len != len)
			fail_msg("%s: got q=%s a=%s cname=%s rcode=%u", c->source,
				 msg.n_questions ? msg.questions[0].name : "-",
				 answer, cname, msg.rcode);
		free(p);
	}
}

/* Builds header (id 1, query, given counts) + body into buf; returns len. */
static size_t build(uint8_t *buf, uint16_t qd, uint16_t an, const uint8_t *body,
		    size_t body_len)
{
	const uint8_t header[12] = { 0, 1, 0x01, 0x00, (uint8_t)(qd >> 8),
				     (uint8_t)qd, (uint8_t)(an >> 8),
				     (uint8_t)an, 0, 0, 0, 0 };

	memcpy(buf, header, sizeof(header));
	if (body_len > 0)
		memcpy(buf + sizeof(header), body, body_len);
	return sizeof(header) + body_len;
}

/*
 * One-label names with odd bytes: what tshark 4.0.17 printed for the same
 * queries (crafted with text2pcap, checked with -T fields -e dns.qry.name).
 */
struct escape_case {
	const char *label;  /* raw label bytes */
	const char *expect; /* the name tshark printed, ".com" appended */
};

static const struct escape_case escape_cases[] = {
	{ "a.b", "a.b.com" },                 /* a dot inside a label */
	{ "a\\b", "a\\b.com" },               /* backslash as is */
	{ "a b", "a b.com" },
	{ "a\x7f" "b", "a\\177b.com" },
	{ "caf\xc3\xa9", "caf\xc3\xa9.com" },  /* valid UTF-8 kept */
	{ "a\xff" "b", "a\xef\xbf\xbd" "b.com" }, /* invalid: U+FFFD */
	{ "a\tb\nc\rd", "a\\tb\\nc\\rd.com" },
	{ "a\x07\x08\x0c\x0bz", "a\\a\\b\\f\\vz.com" },
	{ "a\xc2\x80" "b", "a\\u0080b.com" },  /* C1 control */
	{ "a\xe2\x80\x8b" "b", "a\\u200Bb.com" }, /* format character */
	{ "a\xed\xa0\x80" "b", "a\xef\xbf\xbd" "b.com" }, /* surrogate */
	{ "a\xc0\xaf" "b", "a/b.com" },        /* overlong, decoded */
	{ "a\xf4\x90\x80\x80" "b", "a\xef\xbf\xbd" "b.com" },
	{ "a\x80\x80" "b", "a\xef\xbf\xbd\xef\xbf\xbd" "b.com" },
	{ "a\xc3\xc3\xa9" "b", "a\xef\xbf\xbd\xc3\xa9" "b.com" },
	{ "a\xf0\x9f\x98\x80", "a\xf0\x9f\x98\x80.com" },
	{ "a\xef\xbb\xbf" "b", "a\\uFEFFb.com" },
	{ "a\xf4\x8f\xbf\xbf" "b", "a\\U0010FFFFb.com" },
};

static void test_name_escaping(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(escape_cases) / sizeof(escape_cases[0]);
	     i++) {
		const struct escape_case *c = &escape_cases[i];
		uint8_t body[128], wire[160];
		size_t n = strlen(c->label), len = 0;
		uint8_t *p;

		body[len++] = (uint8_t)n;
		memcpy(body + len, c->label, n);
		len += n;
		memcpy(body + len, "\x03" "com\x00\x00\x01\x00\x01", 9);
		len += 9;
		len = build(wire, 1, 0, body, len);
		p = dup_bytes(wire, len);
		if (dns_parse(p, len, &msg) != DNS_STATUS_OK ||
		    strcmp(msg.questions[0].name, c->expect) != 0)
			fail_msg("escape case %zu: got '%s'", i,
				 msg.questions[0].name);
		free(p);
	}
}

struct hostile_case {
	const char *name;
	uint16_t qd, an;
	const uint8_t *body;
	size_t body_len;
	enum dns_status status;
	anomaly_set anomalies; /* exactly these */
};

/* Question name at offset 12. */
static const uint8_t self_pointer[] = { 0xc0, 0x0c, 0, 1, 0, 1 };
static const uint8_t forward_pointer[] = { 0xc0, 0x12, 0, 1, 0, 1,
					   0x01, 'a', 0 };
/* 12: label "a" then pointer to 16; 16: pointer back to 12 — a cycle. */
static const uint8_t two_cycle[] = { 0x01, 'a', 0xc0, 0x10, 0xc0, 0x0c,
				     0, 1, 0, 1 };
static const uint8_t pointer_past_end[] = { 0xc3, 0xff, 0, 1, 0, 1 };
static const uint8_t truncated_label[] = { 0x05, 'a', 'b' };
static const uint8_t bad_label_type[] = { 0x41, 'a', 0, 0, 1, 0, 1 };
static const uint8_t root_only[] = { 0, 0, 2, 0, 1 };
/* Answers: root name, type A, class IN, TTL 0, rdlength, rdata. */
static const uint8_t a_bad_rdlength[] = { 0, 0, 1, 0, 1, 0, 0, 0, 0,
					  0, 5, 1, 2, 3, 4, 5 };
static const uint8_t rdata_past_end[] = { 0, 0, 1, 0, 1, 0, 0, 0, 0,
					  0, 9, 1, 2 };
static const uint8_t empty_a[] = { 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0 };

static void test_hostile(void **state)
{
	const struct hostile_case cases[] = {
		{ "self pointer", 1, 0, self_pointer, sizeof(self_pointer),
		  DNS_STATUS_OK, BIT(ANOM_DNS_POINTER_LOOP) },
		{ "forward pointer", 1, 0, forward_pointer,
		  sizeof(forward_pointer), DNS_STATUS_OK,
		  BIT(ANOM_DNS_POINTER_LOOP) },
		{ "two-pointer cycle", 1, 0, two_cycle, sizeof(two_cycle),
		  DNS_STATUS_OK, BIT(ANOM_DNS_POINTER_LOOP) },
		{ "pointer past end", 1, 0, pointer_past_end,
		  sizeof(pointer_past_end), DNS_STATUS_OK,
		  BIT(ANOM_DNS_MALFORMED) },
		{ "truncated label", 1, 0, truncated_label,
		  sizeof(truncated_label), DNS_STATUS_MALFORMED,
		  BIT(ANOM_DNS_MALFORMED) },
		{ "extended label type", 1, 0, bad_label_type,
		  sizeof(bad_label_type), DNS_STATUS_MALFORMED,
		  BIT(ANOM_DNS_MALFORMED) },
		{ "qdcount past the message", 65535, 0, root_only,
		  sizeof(root_only), DNS_STATUS_MALFORMED,
		  BIT(ANOM_DNS_MALFORMED) },
		{ "ancount past the message", 0, 9, NULL, 0,
		  DNS_STATUS_MALFORMED, BIT(ANOM_DNS_MALFORMED) },
		{ "A with rdlength 5", 0, 1, a_bad_rdlength,
		  sizeof(a_bad_rdlength), DNS_STATUS_OK,
		  BIT(ANOM_DNS_MALFORMED) },
		{ "rdata past end", 0, 1, rdata_past_end,
		  sizeof(rdata_past_end), DNS_STATUS_MALFORMED,
		  BIT(ANOM_DNS_MALFORMED) },
		{ "empty A rdata (IQUERY)", 0, 1, empty_a, sizeof(empty_a),
		  DNS_STATUS_OK, 0 },
		{ "zero-length message", 0, 0, NULL, 0, DNS_STATUS_MALFORMED,
		  BIT(ANOM_DNS_MALFORMED) },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hostile_case *c = &cases[i];
		uint8_t wire[256];
		size_t len = build(wire, c->qd, c->an, c->body, c->body_len);
		uint8_t *p;
		enum dns_status st;

		if (strcmp(c->name, "zero-length message") == 0)
			len = 0;
		p = dup_bytes(wire, len);
		st = dns_parse(p, len, &msg);
		if (st != c->status || msg.anomalies != c->anomalies)
			fail_msg("%s: status %d anomalies %llx", c->name, st,
				 (unsigned long long)msg.anomalies);
		free(p);
	}
}

/*
 * Question k's name is a pointer to question k-1's name, so question k
 * takes k-1 jumps: the 18th needs 17, one more than allowed.
 */
static void test_too_many_jumps(void **state)
{
	enum { N = DNS_MAX_POINTER_JUMPS + 2 };
	uint8_t wire[12 + 7 + 6 * N];
	size_t len = 12, prev = 12;
	uint8_t *p;

	(void)state;
	build(wire, N, 0, NULL, 0);
	memcpy(wire + len, "\x01" "a\x00\x00\x01\x00\x01", 7);
	len += 7;
	for (int i = 1; i < N; i++) {
		wire[len] = (uint8_t)(0xc0 | prev >> 8);
		wire[len + 1] = (uint8_t)prev;
		prev = len;
		memcpy(wire + len + 2, "\x00\x01\x00\x01", 4);
		len += 6;
	}
	p = dup_bytes(wire, len);
	assert_int_equal(dns_parse(p, len, &msg), DNS_STATUS_OK);
	assert_int_equal(msg.anomalies, BIT(ANOM_DNS_POINTER_LOOP));
	assert_int_equal(msg.questions_seen, N);
	assert_string_equal(msg.questions[N - 2].name, "a");
	free(p);
}

/* A name of 4 x 63-byte labels: 257 bytes in wire form. */
static void test_name_too_long(void **state)
{
	uint8_t wire[400];
	size_t len = 12;
	uint8_t *p;

	(void)state;
	build(wire, 1, 0, NULL, 0);
	for (int l = 0; l < 4; l++) {
		wire[len++] = 63;
		memset(wire + len, 'x', 63);
		len += 63;
	}
	memcpy(wire + len, "\x00\x00\x01\x00\x01", 5);
	len += 5;
	p = dup_bytes(wire, len);
	assert_int_equal(dns_parse(p, len, &msg), DNS_STATUS_OK);
	assert_int_equal(msg.anomalies, BIT(ANOM_FIELD_TOO_LONG));
	assert_int_equal(msg.questions_seen, 1);
	assert_int_equal(strlen(msg.questions[0].name), 3 * 63 + 2);
	free(p);
}

/* More questions than we keep: counted, not stored. */
static void test_count_bound(void **state)
{
	enum { N = DNS_MAX_QUESTIONS + 8 };
	uint8_t wire[12 + N * 5];
	size_t len;
	uint8_t *p;

	(void)state;
	build(wire, N, 0, NULL, 0);
	for (int i = 0; i < N; i++)
		memcpy(wire + 12 + 5 * i, "\x00\x00\x01\x00\x01", 5);
	len = sizeof(wire);
	p = dup_bytes(wire, len);
	assert_int_equal(dns_parse(p, len, &msg), DNS_STATUS_OK);
	assert_int_equal(msg.questions_seen, N);
	assert_int_equal(msg.n_questions, DNS_MAX_QUESTIONS);
	assert_string_equal(msg.questions[0].name, "<Root>");
	free(p);
}

static void test_tcp_framing(void **state)
{
	static const uint8_t stream[] = { 0, 2, 0xaa, 0xbb, 0, 3, 0xcc };
	const uint8_t *m;
	size_t m_len, used;
	uint8_t *p = dup_bytes(stream, sizeof(stream));

	(void)state;
	assert_int_equal(dns_tcp_next(p, sizeof(stream), &m, &m_len, &used),
			 DNS_STATUS_OK);
	assert_int_equal(m_len, 2);
	assert_int_equal(used, 4);
	assert_ptr_equal(m, p + 2);
	assert_int_equal(dns_tcp_next(p + used, sizeof(stream) - used, &m,
				      &m_len, &used),
			 DNS_STATUS_NEED_MORE);
	assert_int_equal(used, 0);
	assert_int_equal(dns_tcp_next(p, 1, &m, &m_len, &used),
			 DNS_STATUS_NEED_MORE);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_payloads),
		cmocka_unit_test(test_name_escaping),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_too_many_jumps),
		cmocka_unit_test(test_name_too_long),
		cmocka_unit_test(test_count_bound),
		cmocka_unit_test(test_tcp_framing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
