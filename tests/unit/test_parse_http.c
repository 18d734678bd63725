/*
 * test_parse_http.c — table-driven tests of analyze/parse/http.c.
 *
 * Real requests come from /work/shared/pcaps/ndpi (capture and frame noted
 * on each); expected fields are what tshark (Wireshark 4.0.17) printed
 * for http.request.method, http.request.uri, http.request.version,
 * http.host and http.user_agent. Every input is copied into an exact-size
 * heap buffer so ASan sees any read past the end.
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

#include "analyze/parse/http.h"

#define BIT(a) ((anomaly_set)1 << (a))

static struct http_request req;

struct real_case {
	const char *source;
	const char *hex; /* TCP payload */
	const char *method, *target, *version, *host, *user_agent;
	uint64_t body_missing;
	anomaly_set anomalies;
};

static const struct real_case real_cases[] = {
	{ "http.pcapng:4",
	  "474554202f20485454502f312e310d0a486f73743a20676f6f676c652e636f"
	  "6d0d0a557365722d4167656e743a206375726c2f372e36382e300d0a416363"
	  "6570743a202a2f2a0d0a0d0a",
	  "GET", "/", "HTTP/1.1", "google.com", "curl/7.68.0", 0, 0 },
	/*
	 * Spaces in the target: tshark stops the URI at the first space;
	 * we keep everything up to the version and flag the line.
	 */
	{ "WebattackRCE.pcap:535",
	  "474554202f6367692d62696e2f68616e646c65722f6e6574736f6e61723b63"
	  "6174202f6574632f7061737377647c3f646174613d446f776e6c6f61642048"
	  "5454502f312e310d0a436f6e6e656374696f6e3a204b6565702d416c697665"
	  "0d0a557365722d4167656e743a204d6f7a696c6c612f352e303020284e696b"
	  "746f2f322e312e3629202845766173696f6e733a4e6f6e65292028546573743a"
	  "303031303730290d0a486f73743a203132372e302e302e310d0a0d0a",
	  "GET", "/cgi-bin/handler/netsonar;cat /etc/passwd|?data=Download",
	  "HTTP/1.1", "127.0.0.1",
	  "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:001070)", 0,
	  BIT(ANOM_HTTP_MALFORMED) },
	/* The 289-byte body is in the next segment. */
	{ "ipp.pcap:6",
	  "504f5354202f6970702f20485454502f312e310d0a436f6e74656e742d4c65"
	  "6e6774683a203238390d0a436f6e74656e742d547970653a206170706c6963"
	  "6174696f6e2f6970700d0a486f73743a2031302e31302e31302e3235310d0a"
	  "557365722d4167656e743a20435550532f312e332e340d0a4578706563743a"
	  "203130302d636f6e74696e75650d0a0d0a",
	  "POST", "/ipp/", "HTTP/1.1", "10.10.10.251", "CUPS/1.3.4", 289, 0 },
};

static void test_real_requests(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(real_cases) / sizeof(real_cases[0]); i++) {
		const struct real_case *c = &real_cases[i];
		size_t len, used;
		uint8_t *p = from_hex(c->hex, &len);

		if (http_parse_request(p, len, &req, &used) != HTTP_STATUS_OK ||
		    used != len || req.anomalies != c->anomalies ||
		    strcmp(req.method, c->method) ||
		    strcmp(req.target, c->target) ||
		    strcmp(req.version, c->version) ||
		    strcmp(req.host, c->host) ||
		    strcmp(req.user_agent, c->user_agent) ||
		    req.body_missing != c->body_missing)
			fail_msg("%s: %s %s %s host=%s ua=%s anomalies %llx",
				 c->source, req.method, req.target, req.version,
				 req.host, req.user_agent,
				 (unsigned long long)req.anomalies);
		free(p);
	}
}

/* Pipelined requests: each call consumes exactly one. */
static void test_pipelined(void **state)
{
	static const char stream[] =
		"POST /a HTTP/1.1\r\nHost: one\r\nContent-Length: 5\r\n\r\nhello"
		"PUT /b HTTP/1.1\r\nHost: two\r\nTransfer-Encoding: chunked\r\n"
		"\r\n3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\n"
		"\r\nGET /c HTTP/1.0\r\nUser-Agent: three\r\n\r\n";
	static const struct {
		const char *method, *target, *host;
	} want[] = { { "POST", "/a", "one" }, { "PUT", "/b", "two" },
		     { "GET", "/c", "" } };
	size_t len = sizeof(stream) - 1, off = 0, used;
	uint8_t *p = dup_bytes(stream, len);

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(http_parse_request(p + off, len - off, &req,
						    &used),
				 HTTP_STATUS_OK);
		assert_string_equal(req.method, want[i].method);
		assert_string_equal(req.target, want[i].target);
		assert_string_equal(req.host, want[i].host);
		assert_int_equal(req.anomalies, 0);
		off += used;
	}
	assert_int_equal(off, len);
	assert_string_equal(req.user_agent, "three");
	assert_string_equal(req.version, "HTTP/1.0");
	free(p);
}

struct hostile_case {
	const char *name;
	const char *input;
	size_t len;
	enum http_status status;
	anomaly_set anomalies;
};

#define CASE(name, lit, st, an) { name, lit, sizeof(lit) - 1, st, an }

static const struct hostile_case hostile_cases[] = {
	CASE("line without end", "GET / HTTP/1.1\r\nHost: a",
	     HTTP_STATUS_NEED_MORE, 0),
	CASE("request line cut", "GET /ind", HTTP_STATUS_NEED_MORE, 0),
	CASE("method only", "GET", HTTP_STATUS_NEED_MORE, 0),
	CASE("empty", "", HTTP_STATUS_NEED_MORE, 0),
	CASE("response", "HTTP/1.1 200 OK\r\n\r\n", HTTP_STATUS_NOT_REQUEST, 0),
	CASE("TLS bytes", "\x16\x03\x01\x02\x00\x01", HTTP_STATUS_NOT_REQUEST,
	     0),
	CASE("NUL in target", "GET /a\0b HTTP/1.1\r\n\r\n", HTTP_STATUS_OK,
	     BIT(ANOM_HTTP_MALFORMED)),
	CASE("NUL in header", "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n",
	     HTTP_STATUS_OK, BIT(ANOM_HTTP_MALFORMED)),
	CASE("bare LF", "GET / HTTP/1.1\nHost: a\n\n", HTTP_STATUS_OK,
	     BIT(ANOM_HTTP_MALFORMED)),
	CASE("no version", "GET /\r\n\r\n", HTTP_STATUS_OK,
	     BIT(ANOM_HTTP_MALFORMED)),
	CASE("folded header", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
	     HTTP_STATUS_OK, BIT(ANOM_HTTP_MALFORMED)),
	CASE("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
	     HTTP_STATUS_OK, BIT(ANOM_HTTP_MALFORMED)),
	CASE("no colon", "GET / HTTP/1.1\r\nHost\r\n\r\n", HTTP_STATUS_OK,
	     BIT(ANOM_HTTP_MALFORMED)),
	CASE("duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	     HTTP_STATUS_OK, BIT(ANOM_HTTP_MALFORMED)),
	CASE("conflicting Content-Length",
	     "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx",
	     HTTP_STATUS_OK, BIT(ANOM_HTTP_MALFORMED)),
	CASE("bad Content-Length", "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
	     HTTP_STATUS_OK, BIT(ANOM_HTTP_MALFORMED)),
	CASE("CL and chunked",
	     "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: "
	     "chunked\r\n\r\n0\r\n\r\n",
	     HTTP_STATUS_OK, BIT(ANOM_HTTP_MALFORMED)),
	CASE("bad chunk size",
	     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	     HTTP_STATUS_MALFORMED, BIT(ANOM_HTTP_MALFORMED)),
	CASE("chunk without CRLF",
	     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
	     HTTP_STATUS_MALFORMED, BIT(ANOM_HTTP_MALFORMED)),
	CASE("chunk size overflow",
	     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	     "ffffffffffffffffff\r\n",
	     HTTP_STATUS_MALFORMED, BIT(ANOM_HTTP_MALFORMED)),
};

static void test_hostile(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hostile_cases) / sizeof(hostile_cases[0]);
	     i++) {
		const struct hostile_case *c = &hostile_cases[i];
		uint8_t *p = dup_bytes(c->input, c->len);
		size_t used;
		enum http_status st = http_parse_request(p, c->len, &req, &used);

		if (st != c->status || req.anomalies != c->anomalies)
			fail_msg("%s: status %d anomalies %llx", c->name, st,
				 (unsigned long long)req.anomalies);
		if (st == HTTP_STATUS_OK && used > c->len)
			fail_msg("%s: consumed past the end", c->name);
		free(p);
	}
}

/* Lines and header blocks past the bounds. */
static void test_bounds(void **state)
{
	size_t big = HTTP_LINE_MAX + 100, used, n;
	char *text = malloc(big + 64 * (HTTP_MAX_HEADERS + 2));
	uint8_t *p;

	(void)state;
	assert_non_null(text);

	/* Request line with no end within 8 KiB. */
	memcpy(text, "GET /", 5);
	memset(text + 5, 'a', big - 5);
	p = dup_bytes(text, big);
	assert_int_equal(http_parse_request(p, big, &req, &used),
			 HTTP_STATUS_MALFORMED);
	assert_int_equal(req.anomalies, BIT(ANOM_FIELD_TOO_LONG));
	free(p);

	/* A header line of 8 KiB + 100. */
	n = (size_t)sprintf(text, "GET / HTTP/1.1\r\nX-Big: ");
	memset(text + n, 'b', big);
	n += big;
	memcpy(text + n, "\r\n\r\n", 4);
	n += 4;
	p = dup_bytes(text, n);
	assert_int_equal(http_parse_request(p, n, &req, &used),
			 HTTP_STATUS_MALFORMED);
	assert_int_equal(req.anomalies, BIT(ANOM_FIELD_TOO_LONG));
	assert_string_equal(req.method, "GET");
	free(p);

	/* One header line too many. */
	n = (size_t)sprintf(text, "GET / HTTP/1.1\r\n");
	for (int i = 0; i <= HTTP_MAX_HEADERS; i++)
		n += (size_t)sprintf(text + n, "X-%d: v\r\n", i);
	n += (size_t)sprintf(text + n, "\r\n");
	p = dup_bytes(text, n);
	assert_int_equal(http_parse_request(p, n, &req, &used),
			 HTTP_STATUS_MALFORMED);
	assert_int_equal(req.anomalies, BIT(ANOM_FIELD_TOO_LONG));
	free(p);

	/* A User-Agent longer than its field: cut and flagged. */
	n = (size_t)sprintf(text, "GET / HTTP/1.1\r\nUser-Agent: ");
	memset(text + n, 'u', HTTP_USER_AGENT_SIZE + 10);
	n += HTTP_USER_AGENT_SIZE + 10;
	n += (size_t)sprintf(text + n, "\r\n\r\n");
	p = dup_bytes(text, n);
	assert_int_equal(http_parse_request(p, n, &req, &used), HTTP_STATUS_OK);
	assert_int_equal(req.anomalies, BIT(ANOM_FIELD_TOO_LONG));
	assert_int_equal(strlen(req.user_agent), HTTP_USER_AGENT_SIZE - 1);
	free(p);

	/* Every prefix of a request: never a crash, never past the end. */
	n = (size_t)sprintf(text, "POST /x HTTP/1.1\r\nHost: h\r\n"
				  "Transfer-Encoding: chunked\r\n\r\n"
				  "4\r\nabcd\r\n0\r\n\r\n");
	for (size_t cut = 0; cut <= n; cut++) {
		enum http_status st;

		p = dup_bytes(text, cut);
		st = http_parse_request(p, cut, &req, &used);
		assert_true(used <= cut);
		assert_true(st == HTTP_STATUS_OK || st == HTTP_STATUS_NEED_MORE);
		if (st == HTTP_STATUS_OK && cut < n)
			assert_true(req.body_incomplete);
		free(p);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_requests),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
