/*
 * fuzz_parse.c — libFuzzer harness for the protocol parsers in
 * analyze/parse/ (DNS, TLS, DTLS, X.509, HTTP, SSH, QUIC Initial packets,
 * the PROXY protocol header, OpenVPN control packets, RDP-UDP datagrams,
 * the in-order message queue of the TLS carriers).
 *
 * The first input byte chooses the parser, the rest is its input. Besides
 * the sanitizers, the harness checks the parsers' contracts: consumed
 * counts stay within the input, loops over a stream make progress, and
 * every text field is NUL-terminated inside its array. QUIC is fuzzed three
 * ways: raw datagrams (header parsing, header protection, failed
 * decryption), plaintext frames (frame walk, CRYPTO reassembly), and
 * plaintext sealed into a valid Initial first (tests/unit/quic_seal.h), so
 * that the whole path runs and a sealed packet must open.
 *
 * Sources it needs: every .c file in analyze/parse/ (dns, dtls, http,
 * msgq, openvpn, proxy, quic, rdpudp, reasm, ssh, text, tls,
 * tls_fingerprint, x509, x509_cert), analyze/crypto/digest.c,
 * analyze/crypto/cipher.c and capture/anomaly.c;
 * link with -lgcrypt -lgnutls; build with clang -fsanitize=fuzzer,address,undefined
 * -I. (the repository root).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/parse/dns.h"
#include "analyze/parse/dtls.h"
#include "analyze/parse/http.h"
#include "analyze/parse/msgq.h"
#include "analyze/parse/openvpn.h"
#include "analyze/parse/proxy.h"
#include "analyze/parse/quic.h"
#include "analyze/parse/rdpudp.h"
#include "analyze/parse/ssh.h"
#include "analyze/parse/tls.h"
#include "analyze/parse/x509.h"
#include "analyze/parse/x509_cert.h"
#include "tests/unit/quic_seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum fuzz_target {
	FUZZ_DNS,
	FUZZ_DNS_TCP,
	FUZZ_TLS_RECORDS,
	FUZZ_TLS_BARE_HELLO,
	FUZZ_X509,
	FUZZ_HTTP,
	FUZZ_SSH,
	FUZZ_QUIC_DATAGRAM,
	FUZZ_QUIC_FRAMES,
	FUZZ_QUIC_SEALED,
	FUZZ_PROXY,
	FUZZ_DTLS,
	FUZZ_OPENVPN,
	FUZZ_MSGQ,
	FUZZ_RDPUDP,
	FUZZ_TARGETS,
};

#define MAX_STREAM_STEPS 4096

static struct dns_message dns;
static struct tls_handshake_info tls;
static struct http_request http;
static struct ssh_banner banner;
static struct ssh_kexinit kex;
static struct x509_names names;
static struct x509_cert cert;
static struct quic_scratch quic_scratch;
static struct tls_client_hello quic_hello;
static struct rdpudp_data rdpudp;

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
	/* the same bytes through GnuTLS (x509_cert.c) */
	bool ok = x509_cert_read(p, n, &cert, &a);
	CHECK(ok == cert.ok);
	CHECK(ok || anomaly_has(a, ANOM_X509_MALFORMED));
	CHECK_TEXT(cert.serial);
	CHECK_TEXT(cert.not_before);
	CHECK_TEXT(cert.not_after);
	CHECK_TEXT(cert.key);
	CHECK_TEXT(cert.subject_dn);
	CHECK_TEXT(cert.issuer_dn);
	CHECK(cert.n_sans <= X509_CERT_MAX_SANS);
	size_t used = 0;
	for (unsigned i = 0; i < cert.n_sans; i++) {
		CHECK(used < sizeof cert.sans);
		CHECK(memchr(cert.sans + used, 0, sizeof cert.sans - used));
		used += strlen(cert.sans + used) + 1;
	}
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

/* The reassembly's invariants, then the ClientHello it may hold. */
static void check_quic(struct quic_state *st)
{
	const struct reasm *cs = &st->crypto;
	anomaly_set a = 0;
	uint32_t last = cs->contiguous;

	CHECK(cs->cap <= QUIC_CRYPTO_MAX);
	CHECK(cs->contiguous <= cs->cap);
	CHECK(cs->n_pieces <= REASM_PIECES);
	for (uint32_t i = 0; i < cs->n_pieces; i++) {
		CHECK(cs->pieces[i].start > last);
		CHECK(cs->pieces[i].end > cs->pieces[i].start);
		CHECK(cs->pieces[i].end <= cs->cap);
		last = cs->pieces[i].end;
	}
	quic_client_hello(st, &quic_hello, &a);
	check_client_hello(&quic_hello);
	quic_state_free(st);
}

static void fuzz_quic_datagram(const uint8_t *p, size_t n)
{
	struct quic_state st;
	struct quic_datagram_info info;

	memset(&st, 0, sizeof(st));
	st.crypto_room = QUIC_CRYPTO_MAX;
	quic_read_datagram(&st, p, n, true, &quic_scratch, &info);
	CHECK(info.opened <= info.initials && info.initials <= info.packets);
	check_quic(&st);
}

static void fuzz_quic_frames(const uint8_t *p, size_t n)
{
	struct quic_state st;
	anomaly_set a = 0;
	bool room = false;

	memset(&st, 0, sizeof(st));
	st.crypto_room = n % 2 ? QUIC_CRYPTO_MAX : 4096;
	quic_read_frames(&st, p, n, &a, &room);
	check_quic(&st);
}

/* The first byte picks the version and packet number length; the rest,
 * padded to 4 bytes, is the plaintext of a sealed client Initial. */
static void fuzz_quic_sealed(const uint8_t *p, size_t n)
{
	static const uint32_t versions[] = { QUIC_VERSION_1, QUIC_VERSION_2,
					     0xff00001du, 0xfaceb001u };
	static const uint8_t dcid[8] = "fuzzdcid";
	uint8_t plain[4096] = { 0 }, packet[4096 + 64];
	struct quic_state st;
	struct quic_datagram_info info;
	const struct quic_version *v;
	size_t len, plain_len;

	if (n < 1 || n - 1 > sizeof(plain))
		return;
	v = quic_version_find(versions[p[0] % 4]);
	memcpy(plain, p + 1, n - 1);
	plain_len = n - 1 < 4 ? 4 : n - 1;
	len = quic_seal_initial(v, 0, dcid, sizeof(dcid), dcid, sizeof(dcid),
				p[0] >> 4, 1 + (p[0] >> 2) % 4, plain,
				plain_len, packet, sizeof(packet));
	CHECK(len > 0);
	memset(&st, 0, sizeof(st));
	st.crypto_room = QUIC_CRYPTO_MAX;
	quic_read_datagram(&st, packet, len, true, &quic_scratch, &info);
	CHECK(info.opened == 1);
	check_quic(&st);
}

/* The input as two datagrams of one flow (split at its first byte's
 * value), then the ClientHello and Certificate they may hold, and once
 * more after they were released (the next ClientHello; no other
 * Certificate); also as a bare DTLS ClientHello and Certificate. */
static void fuzz_dtls(const uint8_t *p, size_t n)
{
	static struct tls_certificate cert;
	struct dtls_state st;
	struct dtls_datagram_info info;
	anomaly_set a = 0;
	size_t cut = n ? p[0] % (n + 1) : 0;

	memset(&st, 0, sizeof(st));
	st.room = n % 3 ? DTLS_HELLO_MAX + 4 : 512;
	dtls_read_datagram(&st, p, cut, true, &info);
	dtls_read_datagram(&st, p + cut, n - cut, false, &info);
	CHECK(st.hello.contiguous <= st.hello.cap);
	CHECK(st.cert.contiguous <= st.cert.cap);
	dtls_client_hello(&st, &quic_hello, &a);
	check_client_hello(&quic_hello);
	if (dtls_certificate(&st, &cert, &a) == TLS_STATUS_OK)
		CHECK(cert.n_certs > 0 && cert.n_chain <= TLS_CERT_CHAIN_MAX);
	dtls_hello_done(&st);
	dtls_certificate_done(&st);
	CHECK(st.hellos_done <= DTLS_HELLOS && !st.have_hello);
	CHECK(!st.have_cert && st.cert.buf == NULL);
	dtls_read_datagram(&st, p + cut, n - cut, true, &info);
	CHECK(info.cert_fragments == 0);
	dtls_client_hello(&st, &quic_hello, &a);
	check_client_hello(&quic_hello);
	dtls_state_free(&st);
	tls_parse_client_hello(p, n, TLS_OVER_DTLS, &quic_hello, &a);
	check_client_hello(&quic_hello);
	if (tls_parse_certificate(p, n, &cert, &a) == TLS_STATUS_OK)
		CHECK(cert.n_certs > 0 && cert.n_chain <= TLS_CERT_CHAIN_MAX);
}

/* One OpenVPN packet under every layout: what is read lies within it. */
static void fuzz_openvpn(const uint8_t *p, size_t n)
{
	struct openvpn_packet pk;
	const uint64_t peer = 0x0102030405060708ull;
	uint16_t len;

	for (unsigned i = 0; i < OPENVPN_LAYOUTS; i++) {
		if (openvpn_parse(p, n, openvpn_layout_hmac(i), &pk) !=
		    OPENVPN_OK)
			continue;
		CHECK(pk.n_acks <= OPENVPN_ACKS_MAX);
		CHECK(pk.payload_len <= n);
		CHECK(pk.payload_len == 0 ||
		      (pk.payload >= p && pk.payload + pk.payload_len == p + n));
		openvpn_starts_tls_record(&pk);
	}
	CHECK(openvpn_layouts(p, n, NULL) < (1u << OPENVPN_LAYOUTS));
	openvpn_layouts(p, n, &peer);
	openvpn_starts_flow(p, n);
	if (openvpn_tcp_length(p, n, &len) && (size_t)len + 2 <= n)
		openvpn_starts_flow(p + 2, len);
}

/* One datagram as an RDP-UDP SYN and as data of each version. */
static void fuzz_rdpudp(const uint8_t *p, size_t n)
{
	struct rdpudp_syn syn;

	rdpudp_parse_syn(p, n, &syn);
	if (rdpudp_parse_v1(p, n, &rdpudp) == RDPUDP_OK)
		CHECK(rdpudp.payload_len <= n &&
		      (rdpudp.payload_len == 0 ||
		       rdpudp.payload + rdpudp.payload_len == p + n));
	if (rdpudp_parse_v3(p, n, &rdpudp) == RDPUDP_OK)
		CHECK(rdpudp.payload_len <= n &&
		      (rdpudp.payload_len == 0 ||
		       rdpudp.payload + rdpudp.payload_len ==
			       rdpudp.unswapped + n));
}

static void count_bytes(void *ctx, const uint8_t *p, size_t n)
{
	size_t *total = ctx;

	CHECK(n == 0 || p != NULL);
	*total += n;
}

/* The input as messages: 2-byte number, 1-byte length, bytes; handed on
 * or held, never more than was given. */
static void fuzz_msgq(const uint8_t *p, size_t n)
{
	struct msgq q;
	size_t off = 0, given = 0, handed = 0;

	msgq_init(&q, n % 2 ? 16 : 32);
	for (int step = 0; step < MAX_STREAM_STEPS && off + 3 <= n; step++) {
		uint32_t seq = (uint32_t)p[off] << 8 | p[off + 1];
		size_t len = p[off + 2];

		off += 3;
		if (len > n - off)
			len = n - off;
		if (msgq_add(&q, seq, p + off, len, 4096, count_bytes,
			     &handed) <= MSGQ_KEPT)
			given += len;
		off += len;
		CHECK(q.n_held <= MSGQ_HELD);
		CHECK(q.held_bytes <= 4096);
		CHECK(handed <= given);
	}
	msgq_free(&q);
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
	case FUZZ_QUIC_DATAGRAM:
		fuzz_quic_datagram(copy, n);
		break;
	case FUZZ_QUIC_FRAMES:
		fuzz_quic_frames(copy, n);
		break;
	case FUZZ_QUIC_SEALED:
		fuzz_quic_sealed(copy, n);
		break;
	case FUZZ_PROXY:
		CHECK(proxy_header_len(copy, n) <= n);
		break;
	case FUZZ_DTLS:
		fuzz_dtls(copy, n);
		break;
	case FUZZ_OPENVPN:
		fuzz_openvpn(copy, n);
		break;
	case FUZZ_MSGQ:
		fuzz_msgq(copy, n);
		break;
	case FUZZ_RDPUDP:
		fuzz_rdpudp(copy, n);
		break;
	}
	free(copy);
	return 0;
}
