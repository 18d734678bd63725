/*
 * tls.h — TLS record layer and handshake parser: ClientHello, ServerHello
 * and the server Certificate, with JA3, JA3S and JA4 fingerprints.
 *
 * tls_parse_records() takes one direction's contiguous chunk of a TCP
 * stream holding one or more TLS records (RFC 8446 5.1). Handshake records
 * are reassembled into whole handshake messages (a message may span
 * records and a record may hold several messages) in a bounded buffer
 * inside the output struct. Records after a ChangeCipherSpec are counted
 * but their (encrypted) content is not read, except a record that begins
 * a whole plaintext Hello (a TLS 1.3 client may send the compatibility CCS
 * before its second ClientHello). One ClientHello of the chunk is kept (the
 * first, or the n-th with tls_parse_records_nth(): a client sends a second
 * one after a HelloRetryRequest) and all are counted; the first ServerHello
 * and Certificate are kept. A ServerHello whose random is RFC 8446 4.1.3's
 * HelloRetryRequest value is marked so. The Certificate is read in its TLS
 * 1.2 form only (TLS 1.3 encrypts it), and a chain too long for the
 * reassembly buffer or cut by the end of the chunk still yields its leaf.
 *
 * tls_parse_client_hello() takes one bare handshake message, as QUIC
 * CRYPTO frames carry it after decryption (RFC 9001 4.1.3), or a DTLS
 * ClientHello put back together behind a TLS handshake header (dtls.h),
 * whose cookie it skips; tls_parse_certificate() a DTLS Certificate
 * message put back together the same way.
 *
 * Fingerprints (see tls_fingerprint.c for the exact definitions):
 *   JA3  (Salesforce): "version,ciphers,extensions,groups,point_formats",
 *        decimal values joined by '-', GREASE removed, and its MD5;
 *   JA3S: "version,cipher,extensions" of the ServerHello, and its MD5;
 *   JA4  (FoxIO, BSD-3-Clause, client only): e.g.
 *        "t13d1516h2_8daaf6152771_e5627efa2ab1".
 * GREASE (RFC 8701) is 0x0a0a, 0x1a1a, ... 0xfafa (both bytes equal, low
 * nibbles 0xa), as in tshark and the JA3/JA4 reference code.
 *
 * Lists longer than their bound are ANOM_FIELD_TOO_LONG; the kept prefix
 * is stored but the fingerprints are left empty, since they would be
 * wrong. Length fields that overrun their container, zero-length
 * handshake records, duplicate extensions and empty ALPN names are
 * ANOM_TLS_MALFORMED; a Hello with a broken body keeps what was read
 * before the fault but gets no fingerprint (tshark computes one from the
 * part it could read).
 * Pure: no allocation, no I/O (digests via analyze/crypto/digest.h).
 */
#ifndef ATTRIB_PARSE_TLS_H
#define ATTRIB_PARSE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/crypto/digest.h"
#include "analyze/parse/x509.h"
#include "analyze/parse/x509_cert.h"
#include "capture/anomaly.h"

#define TLS_RECORD_HEADER_LEN 5
#define TLS_RECORD_MAX (16384 + 2048)  /* RFC 8446 5.2 ciphertext bound */
#define TLS_HANDSHAKE_BUF 32768        /* reassembly of one message */

#define TLS_MAX_CIPHERS 512
#define TLS_MAX_EXTENSIONS 128
#define TLS_MAX_GROUPS 128
#define TLS_MAX_POINT_FORMATS 32
#define TLS_MAX_SIGALGS 128
#define TLS_MAX_VERSIONS 32
#define TLS_MAX_ALPN 16
#define TLS_ALPN_RAW_MAX 255           /* RFC 7301: 1..255 bytes each */
#define TLS_SNI_RAW_MAX 255            /* longer host names are cut */
/* Escaped text can take 4 bytes per input byte, plus the NUL. */
#define TLS_SNI_TEXT_SIZE (4 * TLS_SNI_RAW_MAX + 1)
#define TLS_ALPN_TEXT_SIZE 256         /* an escaped ALPN may be cut */
#define TLS_JA3_SIZE 8192
#define TLS_JA4_SIZE 40                /* 36 characters + NUL */

#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_SERVER_HELLO 2
#define TLS_HS_CERTIFICATE 11

#define TLS_EXT_SERVER_NAME 0x0000
#define TLS_EXT_SUPPORTED_GROUPS 0x000a
#define TLS_EXT_EC_POINT_FORMATS 0x000b
#define TLS_EXT_SIGNATURE_ALGORITHMS 0x000d
#define TLS_EXT_ALPN 0x0010
#define TLS_EXT_SUPPORTED_VERSIONS 0x002b

enum tls_status {
	TLS_STATUS_OK = 0,     /* every record in the chunk was read */
	TLS_STATUS_NEED_MORE,  /* the last record (or message) is incomplete */
	TLS_STATUS_MALFORMED,  /* broken structure; see the anomalies */
	TLS_STATUS_NOT_TLS,    /* the chunk does not start with a TLS record */
};

/* Transport, for the first character of JA4. */
enum tls_transport {
	TLS_OVER_TCP,  /* 't' */
	TLS_OVER_QUIC, /* 'q' */
	TLS_OVER_DTLS, /* 'd' (records: dtls.h; the ClientHello has a cookie) */
};

struct tls_client_hello {
	uint16_t legacy_version;
	uint8_t session_id_len;
	/* Each list keeps wire order and GREASE; *_seen counts the wire. */
	uint16_t ciphers[TLS_MAX_CIPHERS];
	uint32_t n_ciphers, ciphers_seen;
	uint16_t extensions[TLS_MAX_EXTENSIONS];
	uint32_t n_extensions, extensions_seen;
	uint16_t groups[TLS_MAX_GROUPS];
	uint32_t n_groups, groups_seen;
	uint8_t point_formats[TLS_MAX_POINT_FORMATS];
	uint32_t n_point_formats, point_formats_seen;
	uint16_t sigalgs[TLS_MAX_SIGALGS];
	uint32_t n_sigalgs, sigalgs_seen;
	uint16_t versions[TLS_MAX_VERSIONS]; /* supported_versions */
	uint32_t n_versions, versions_seen;

	bool has_sni;                  /* the extension is present */
	char sni[TLS_SNI_TEXT_SIZE];   /* first host_name entry, as text */
	bool has_alpn;                 /* the extension is present */
	char alpn[TLS_MAX_ALPN][TLS_ALPN_TEXT_SIZE];
	uint32_t n_alpn, alpn_seen;
	/* First and last raw bytes of the first ALPN value (for JA4). */
	uint8_t alpn0_first, alpn0_last;
	uint8_t alpn0_len;

	bool complete;                 /* parsed to its end without error */
	bool lists_truncated;          /* some list passed its bound */
	/* Fingerprints: "" unless complete and no list was truncated. */
	char ja3[TLS_JA3_SIZE];
	char ja3_md5[DIGEST_MD5_HEX_SIZE];
	char ja4[TLS_JA4_SIZE];
};

struct tls_server_hello {
	uint16_t legacy_version;
	uint16_t cipher;
	uint8_t compression;
	uint16_t extensions[TLS_MAX_EXTENSIONS];
	uint32_t n_extensions, extensions_seen;
	uint16_t selected_version;     /* supported_versions, 0 if absent */
	bool hello_retry;              /* a HelloRetryRequest (RFC 8446 4.1.3) */
	char alpn[TLS_ALPN_TEXT_SIZE]; /* the selected protocol, or "" */
	bool complete;                 /* parsed to its end without error */
	bool lists_truncated;
	char ja3s[TLS_JA3_SIZE];
	char ja3s_md5[DIGEST_MD5_HEX_SIZE];
};

#define TLS_CERT_CHAIN_MAX 8     /* certificates read through GnuTLS */

struct tls_certificate {
	uint32_t n_certs;        /* certificates seen in the message */
	uint32_t first_len;      /* DER length of the first one */
	char sha1[DIGEST_SHA1_HEX_SIZE]; /* of the first DER, lower-case hex */
	struct x509_names names; /* subject and issuer of the first one */
	uint32_t n_chain;        /* of chain[]: the first TLS_CERT_CHAIN_MAX
	                            certificates, in message order; entries
	                            past n_chain are left as they were (each
	                            is written whole when read), so that
	                            clearing the struct costs little */
	struct x509_cert chain[TLS_CERT_CHAIN_MAX];
};

struct tls_handshake_info {
	/*
	 * A Hello is "had" once its message was complete, even if its body
	 * was malformed: the fields read before the fault are kept (see
	 * complete); has_client_hello refers to the ClientHello asked for. A
	 * certificate is had when its first DER was complete.
	 */
	bool has_client_hello, has_server_hello, has_certificate;
	uint32_t client_hellos;   /* complete ClientHello messages seen */
	struct tls_client_hello client_hello;
	struct tls_server_hello server_hello;
	struct tls_certificate certificate;

	uint16_t record_version;  /* of the first record */
	uint32_t records;         /* complete records read */
	uint32_t handshake_messages;
	bool saw_change_cipher_spec;
	anomaly_set anomalies;

	/* Reassembly state; internal to tls.c. */
	uint32_t keep_hello;      /* index of the ClientHello to keep */
	uint8_t hs_buf[TLS_HANDSHAKE_BUF];
	size_t hs_len;            /* bytes pending in hs_buf */
	uint32_t hs_skip;         /* bytes left of an over-long message */
};

/*
 * Parses the TLS records at the start of len bytes at buf into *out
 * (fully overwritten but for certificate.chain[] past n_chain; about
 * 150 KiB, so not for a deep stack). transport
 * selects the JA4 prefix. *consumed is the length of the complete records
 * read. TLS_STATUS_NEED_MORE: the chunk ends inside a record or a handshake
 * message; what was complete is in out, and to finish the rest call again
 * with a longer chunk from the same start (no state is kept between
 * calls). TLS_STATUS_MALFORMED: a record header was invalid (parsing
 * stopped there) or a message body was broken (see out->anomalies).
 * TLS_STATUS_NOT_TLS: the first record header is not TLS (unknown content
 * type or major version, SSLv2 framing, STARTTLS preamble); nothing is
 * read and no anomaly is set.
 */
enum tls_status tls_parse_records(const uint8_t *buf, size_t len,
				  enum tls_transport transport,
				  struct tls_handshake_info *out,
				  size_t *consumed);

/*
 * Same, keeping the ClientHello of index keep_hello (0: the first) in
 * out->client_hello; out->has_client_hello says whether it was complete
 * in the chunk, out->client_hellos how many were.
 */
enum tls_status tls_parse_records_nth(const uint8_t *buf, size_t len,
				      enum tls_transport transport,
				      uint32_t keep_hello,
				      struct tls_handshake_info *out,
				      size_t *consumed);

/*
 * Parses one ClientHello handshake message (4-byte handshake header
 * included) of len bytes at msg into *out (fully overwritten) and computes
 * its fingerprints; with TLS_OVER_DTLS the body has DTLS's cookie after
 * the session id. Anomalies are added to *anomalies. Returns
 * TLS_STATUS_OK; TLS_STATUS_NEED_MORE when the message runs past len;
 * TLS_STATUS_MALFORMED when it is not a ClientHello or its body is broken
 * (fields read before the fault are kept, out->complete is false and the
 * fingerprints are empty).
 */
enum tls_status tls_parse_client_hello(const uint8_t *msg, size_t len,
				       enum tls_transport transport,
				       struct tls_client_hello *out,
				       anomaly_set *anomalies);

/*
 * Parses one Certificate handshake message in its TLS 1.2 form (4-byte
 * handshake header included), as DTLS carries it put back together
 * (dtls.h), into *out (fully overwritten but for chain[] past n_chain).
 * TLS_STATUS_OK; TLS_STATUS_NEED_MORE when the message runs past len;
 * TLS_STATUS_MALFORMED when it is not a Certificate or a length in it is
 * broken (anomalies added to *anomalies).
 */
enum tls_status tls_parse_certificate(const uint8_t *msg, size_t len,
				      struct tls_certificate *out,
				      anomaly_set *anomalies);

/* True for the RFC 8701 GREASE values 0x0a0a, 0x1a1a, ..., 0xfafa. */
bool tls_is_grease(uint16_t v);

/*
 * Fills ch->ja3, ch->ja3_md5 and ch->ja4 from the parsed lists (done by
 * the parsers already; exported for tests). Leaves them "" when
 * ch->lists_truncated or !ch->complete.
 */
void tls_fingerprint_client(struct tls_client_hello *ch,
			    enum tls_transport transport);

/* Fills sh->ja3s and sh->ja3s_md5 (done by the parser already). */
void tls_fingerprint_server(struct tls_server_hello *sh);

#endif
