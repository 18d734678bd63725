/*
 * fuzz_parse.c — libFuzzer harness for the protocol parsers in
 * analyze/parse/ (DNS, TLS, X.509, HTTP, SSH).
 *
 * The first input byte chooses the parser, the rest is its input. Besides
 * the sanitizers, the harness checks the parsers' contracts: consumed
 * counts stay within the input, loops over a stream make progress, and
 * every text field is NUL-terminated inside its array.
 *
 * Sources it needs: every .c file in analyze/parse/ (dns, http, ssh, text,
 * tls, tls_fingerprint, x509), analyze/digest.c and capture/anomaly.c;
 * link with -lgcrypt; build with clang -fsanitize=fuzzer,address,undefined
 * -I. (the repository root).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/parse/dns.h"
#include "analyze/parse/http.h"
#include "analyze/parse/ssh.h"
#include "analyze/parse/tls.h"
#include "analyze/parse/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum fuzz_target {
	FUZZ_DNS,
	FUZZ_DNS_TCP,
	FUZZ_TLS_RECORDS,
	FUZZ_TLS_BARE_HELLO,
	FUZZ_X509,
	FUZZ_HTTP,
	FUZZ_SSH,
	FUZZ_TARGETS,
};

#define MAX_STREAM_STEPS 4096

static struct dns_message dns;
static struct tls_handshake_info tls;
static struct http_request http;
static struct ssh_banner banner;
static struct ssh_kexinit kex;
static struct x509_names names;

/* Traps unless s is NUL-terminated within its size bytes. */
#define CHECK_TEXT(s)                                                          \
	do {                                                                   \
		if (memchr((s), '\0', sizeof(s)) == NULL)                      \
			__builtin_trap();                                      \
	} while (0)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			__builtin_trap();                                      \
	} while (0)

static void fuzz_dns(const uint8_t *p, size_t n)
{
	dns_parse(p, n, &dns);
	CHECK(dns.n_questions <= DNS_MAX_QUESTIONS);
	CHECK(dns.n_answers <= DNS_MAX_ANSWERS);
	CHECK(dns.parsed_len <= n);
	for (uint32_t i = 0; i < dns.n_questions; i++)
		CHECK_TEXT(dns.questions[i].name);
	for (uint32_t i = 0; i < dns.n_answers; i++) {
		CHECK_TEXT(dns.answers[i].name);
		CHECK_TEXT(dns.answers[i].data);
	}
}

static void fuzz_dns_tcp(const uint8_t *p, size_t n)
{
	size_t off = 0;

	for (int step = 0; step < MAX_STREAM_STEPS && off < n; step++) {
		const uint8_t *msg;
		size_t msg_len, used;

		if (dns_tcp_next(p + off, n - off, &msg, &msg_len, &used) !=
		    DNS_STATUS_OK)
			break;
		CHECK(used >= 2 && used <= n - off);
		fuzz_dns(msg, msg_len);
		off += used;
	}
}

static void check_client_hello(const struct tls_client_hello *ch)
{
	CHECK(ch->n_ciphers <= TLS_MAX_CIPHERS);
	CHECK(ch->n_extensions <= TLS_MAX_EXTENSIONS);
	CHECK(ch->n_alpn <= TLS_MAX_ALPN);
	CHECK_TEXT(ch->sni);
	CHECK_TEXT(ch->ja3);
	CHECK_TEXT(ch->ja3_md5);
	CHECK_TEXT(ch->ja4);
	for (uint32_t i = 0; i < ch->n_alpn; i++)
		CHECK_TEXT(ch->alpn[i]);
	CHECK(ch->ja4[0] == '\0' || strlen(ch->ja4) == 36);
}

static void fuzz_tls(const uint8_t *p, size_t n)
{
	size_t used;

	tls_parse_records(p, n, TLS_OVER_TCP, &tls, &used);
	CHECK(used <= n);
	CHECK(tls.hs_len <= TLS_HANDSHAKE_BUF);
	check_client_hello(&tls.client_hello);
	CHECK_TEXT(tls.server_hello.ja3s);
	CHECK_TEXT(tls.server_hello.alpn);
	CHECK_TEXT(tls.certificate.sha1);
	CHECK_TEXT(tls.certificate.names.subject);
	CHECK_TEXT(tls.certificate.names.issuer);
}

static void fuzz_tls_bare(const uint8_t *p, size_t n)
{
	anomaly_set a = 0;

	tls_parse_client_hello(p, n, TLS_OVER_QUIC, &tls.client_hello, &a);
	check_client_hello(&tls.client_hello);
}

static void fuzz_x509(const uint8_t *p, size_t n)
{
	anomaly_set a = 0;

	x509_read_names(p, n, &names, &a);
	CHECK_TEXT(names.subject);
	CHECK_TEXT(names.issuer);
}

static void fuzz_http(const uint8_t *p, size_t n)
{
	size_t off = 0;

	for (int step = 0; step < MAX_STREAM_STEPS && off < n; step++) {
		size_t used;
		enum http_status st =
			http_parse_request(p + off, n - off, &http, &used);

		CHECK(used <= n - off);
		CHECK_TEXT(http.method);
		CHECK_TEXT(http.target);
		CHECK_TEXT(http.version);
		CHECK_TEXT(http.host);
		CHECK_TEXT(http.user_agent);
		if (st != HTTP_STATUS_OK)
			break;
		CHECK(used > 0);
		off += used;
	}
}

static void fuzz_ssh(const uint8_t *p, size_t n)
{
	size_t used = 0, used2;

	ssh_parse_banner(p, n, &banner, &used);
	CHECK(used <= n);
	CHECK_TEXT(banner.text);
	CHECK_TEXT(banner.software);
	CHECK_TEXT(banner.comments);
	ssh_parse_kexinit(p + used, n - used, &kex, &used2);
	CHECK(used2 <= n - used);
	for (int i = 0; i < SSH_KEXINIT_LISTS; i++)
		CHECK_TEXT(kex.lists[i]);
	CHECK_TEXT(kex.hassh);
	CHECK_TEXT(kex.hassh_server);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	size_t n;

	if (size < 1)
		return 0;
	/* An exact-size copy, so ASan catches reads past the end. */
	n = size - 1;
	copy = malloc(n ? n : 1);
	if (copy == NULL)
		return 0;
	if (n)
		memcpy(copy, data + 1, n);
	switch (data[0] % FUZZ_TARGETS) {
	case FUZZ_DNS:
		fuzz_dns(copy, n);
		break;
	case FUZZ_DNS_TCP:
		fuzz_dns_tcp(copy, n);
		break;
	case FUZZ_TLS_RECORDS:
		fuzz_tls(copy, n);
		break;
	case FUZZ_TLS_BARE_HELLO:
		fuzz_tls_bare(copy, n);
		break;
	case FUZZ_X509:
		fuzz_x509(copy, n);
		break;
	case FUZZ_HTTP:
		fuzz_http(copy, n);
		break;
	case FUZZ_SSH:
		fuzz_ssh(copy, n);
		break;
	}
	free(copy);
	return 0;
}
