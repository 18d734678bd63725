/*
 * tls.c — TLS records, handshake reassembly, ClientHello, ServerHello and
 * Certificate (see tls.h). Fingerprints are in tls_fingerprint.c, the
 * Certificate message body in tls_certificate.c, the certificate name
 * walker in x509.c.
 */
#include "analyze/parse/tls.h"

#include <stddef.h>
#include <string.h>

#include "analyze/parse/text.h"
#include "analyze/parse/tls_certificate.h"
#include "capture/cursor.h"

#define TLS_CT_CHANGE_CIPHER_SPEC 20
#define TLS_CT_MIN 20
#define TLS_CT_MAX 24
#define TLS_CT_HANDSHAKE 22
#define TLS_HS_HEADER_LEN 4
#define TLS_RANDOM_LEN 32
#define TLS_SESSION_ID_MAX 32
#define TLS_SNI_HOST_NAME 0
#define TLS_VERSION_1_3 0x0304

static void push16(uint16_t *list, uint32_t *n, uint32_t *seen, uint32_t max,
		   uint16_t v, bool *truncated)
{
	(*seen)++;
	if (*n < max)
		list[(*n)++] = v;
	else
		*truncated = true;
}

/*
 * Reads a vector of 16-bit values with a length prefix of prefix_len
 * bytes (1 or 2). Returns false when the length is odd or overruns ext.
 */
static bool read_u16_vector(struct cursor *ext, int prefix_len,
			    uint16_t *list, uint32_t *n, uint32_t *seen,
			    uint32_t max, bool *truncated)
{
	struct cursor v;
	uint16_t len16, item;
	uint8_t len8;
	size_t len;

	if (prefix_len == 1) {
		if (!cursor_u8(ext, &len8))
			return false;
		len = len8;
	} else {
		if (!cursor_be16(ext, &len16))
			return false;
		len = len16;
	}
	if (len % 2 != 0 || !cursor_sub(ext, len, &v))
		return false;
	while (cursor_be16(&v, &item))
		push16(list, n, seen, max, item, truncated);
	return true;
}

static bool read_sni(struct cursor *ext, struct tls_client_hello *ch,
		     anomaly_set *anom)
{
	struct cursor list, name;
	uint16_t list_len, name_len;
	uint8_t type;
	bool have = false;

	if (cursor_left(ext) == 0)
		return true; /* the server's empty acknowledgement form */
	if (!cursor_be16(ext, &list_len) || !cursor_sub(ext, list_len, &list))
		return false;
	while (cursor_left(&list) > 0) {
		struct textbuf t;
		size_t keep;

		if (!cursor_u8(&list, &type) ||
		    !cursor_be16(&list, &name_len) ||
		    !cursor_sub(&list, name_len, &name))
			return false;
		if (type != TLS_SNI_HOST_NAME || have)
			continue;
		have = true;
		keep = cursor_left(&name);
		if (keep > TLS_SNI_RAW_MAX) {
			keep = TLS_SNI_RAW_MAX;
			anomaly_add(anom, ANOM_FIELD_TOO_LONG);
		}
		textbuf_init(&t, ch->sni, sizeof(ch->sni));
		text_put_escaped(&t, cursor_ptr(&name), keep);
	}
	return true;
}

/* ALPN protocol_name_list; *first_* describe the first entry. */
static bool read_alpn(struct cursor *ext, char names[][TLS_ALPN_TEXT_SIZE],
		      uint32_t max, uint32_t *n, uint32_t *seen,
		      struct tls_client_hello *ch, anomaly_set *anom)
{
	struct cursor list, name;
	uint16_t list_len;
	uint8_t len, b;

	if (!cursor_be16(ext, &list_len) || !cursor_sub(ext, list_len, &list))
		return false;
	while (cursor_left(&list) > 0) {
		if (!cursor_u8(&list, &len) || !cursor_sub(&list, len, &name))
			return false;
		if (len == 0) /* RFC 7301 3.1: names are not empty */
			anomaly_add(anom, ANOM_TLS_MALFORMED);
		if (*seen == 0 && ch != NULL) {
			ch->alpn0_len = len;
			if (cursor_peek_u8(&name, 0, &b))
				ch->alpn0_first = b;
			if (len > 0 && cursor_peek_u8(&name, len - 1u, &b))
				ch->alpn0_last = b;
		}
		if (*n < max) {
			struct textbuf t;

			textbuf_init(&t, names[*n], TLS_ALPN_TEXT_SIZE);
			text_put_escaped(&t, cursor_ptr(&name), len);
			(*n)++;
		}
		(*seen)++;
	}
	return true;
}

/* Parses the contents of one ClientHello extension. */
static bool read_client_extension(uint16_t type, struct cursor ext,
				  struct tls_client_hello *ch,
				  anomaly_set *anom)
{
	bool *tr = &ch->lists_truncated;
	bool ok = true;

	switch (type) {
	case TLS_EXT_SERVER_NAME:
		ch->has_sni = true;
		ok = read_sni(&ext, ch, anom);
		break;
	case TLS_EXT_SUPPORTED_GROUPS:
		ok = read_u16_vector(&ext, 2, ch->groups, &ch->n_groups,
				     &ch->groups_seen, TLS_MAX_GROUPS, tr);
		break;
	case TLS_EXT_EC_POINT_FORMATS: {
		struct cursor v;
		uint8_t len, f;

		ok = cursor_u8(&ext, &len) && cursor_sub(&ext, len, &v);
		while (ok && cursor_u8(&v, &f)) {
			ch->point_formats_seen++;
			if (ch->n_point_formats < TLS_MAX_POINT_FORMATS)
				ch->point_formats[ch->n_point_formats++] = f;
			else
				*tr = true;
		}
		break;
	}
	case TLS_EXT_SIGNATURE_ALGORITHMS:
		ok = read_u16_vector(&ext, 2, ch->sigalgs, &ch->n_sigalgs,
				     &ch->sigalgs_seen, TLS_MAX_SIGALGS, tr);
		break;
	case TLS_EXT_ALPN:
		ch->has_alpn = true;
		ok = read_alpn(&ext, ch->alpn, TLS_MAX_ALPN, &ch->n_alpn,
			       &ch->alpn_seen, ch, anom);
		break;
	case TLS_EXT_SUPPORTED_VERSIONS:
		ok = read_u16_vector(&ext, 1, ch->versions, &ch->n_versions,
				     &ch->versions_seen, TLS_MAX_VERSIONS, tr);
		break;
	default:
		return true;
	}
	/* The inner vector must fill the extension exactly. */
	return ok && cursor_left(&ext) == 0;
}

/* True when list[0..n) already holds v. */
static bool seen_before(const uint16_t *list, uint32_t n, uint16_t v)
{
	for (uint32_t i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

/*
 * Walks an extensions block, storing types in list and handing each body
 * to the client or server reader. Returns false if the framing overruns.
 */
static bool read_extensions(struct cursor *body, uint16_t *list, uint32_t *n,
			    uint32_t *seen, bool *truncated,
			    struct tls_client_hello *ch,
			    struct tls_server_hello *sh, anomaly_set *anom)
{
	struct cursor block, ext;
	uint16_t block_len, type, len;

	if (cursor_left(body) == 0)
		return true; /* extensions are optional before TLS 1.3 */
	if (!cursor_be16(body, &block_len) ||
	    !cursor_sub(body, block_len, &block))
		return false;
	if (cursor_left(body) != 0)
		anomaly_add(anom, ANOM_TLS_MALFORMED); /* trailing bytes */
	while (cursor_left(&block) > 0) {
		if (!cursor_be16(&block, &type) || !cursor_be16(&block, &len) ||
		    !cursor_sub(&block, len, &ext))
			return false;
		if (seen_before(list, *n, type)) /* RFC 8446 4.2 */
			anomaly_add(anom, ANOM_TLS_MALFORMED);
		push16(list, n, seen, TLS_MAX_EXTENSIONS, type, truncated);
		if (ch != NULL && !read_client_extension(type, ext, ch, anom))
			anomaly_add(anom, ANOM_TLS_MALFORMED);
		if (sh != NULL && type == TLS_EXT_SUPPORTED_VERSIONS &&
		    !cursor_be16(&ext, &sh->selected_version))
			anomaly_add(anom, ANOM_TLS_MALFORMED);
		if (sh != NULL && type == TLS_EXT_ALPN) {
			char names[1][TLS_ALPN_TEXT_SIZE] = { "" };
			uint32_t kept = 0, count = 0;

			if (!read_alpn(&ext, names, 1, &kept, &count, NULL,
				       anom))
				anomaly_add(anom, ANOM_TLS_MALFORMED);
			memcpy(sh->alpn, names[0], sizeof(sh->alpn));
		}
	}
	return true;
}

/* Reads the 4-byte handshake header; *body covers the message body. */
static enum tls_status read_handshake_header(struct cursor *c, uint8_t want,
					     struct cursor *body)
{
	uint8_t type;
	uint32_t len;

	if (!cursor_u8(c, &type) || !cursor_be24(c, &len))
		return TLS_STATUS_NEED_MORE;
	if (type != want)
		return TLS_STATUS_MALFORMED;
	if (!cursor_sub(c, len, body))
		return TLS_STATUS_NEED_MORE;
	return TLS_STATUS_OK;
}

enum tls_status tls_parse_client_hello(const uint8_t *msg, size_t len,
				       enum tls_transport transport,
				       struct tls_client_hello *out,
				       anomaly_set *anomalies)
{
	struct cursor c, body, sid, suites, comp;
	uint16_t suites_len, suite;
	uint8_t comp_len, cookie_len;
	enum tls_status st;

	memset(out, 0, sizeof(*out));
	cursor_init(&c, msg, len);
	st = read_handshake_header(&c, TLS_HS_CLIENT_HELLO, &body);
	if (st != TLS_STATUS_OK)
		goto fail;
	if (!cursor_be16(&body, &out->legacy_version) ||
	    !cursor_skip(&body, TLS_RANDOM_LEN) ||
	    !cursor_u8(&body, &out->session_id_len) ||
	    out->session_id_len > TLS_SESSION_ID_MAX ||
	    !cursor_sub(&body, out->session_id_len, &sid) ||
	    /* DTLS (RFC 6347 4.2.1): a cookie<0..255> comes next */
	    (transport == TLS_OVER_DTLS &&
	     (!cursor_u8(&body, &cookie_len) ||
	      !cursor_skip(&body, cookie_len))) ||
	    !cursor_be16(&body, &suites_len) || suites_len % 2 != 0 ||
	    !cursor_sub(&body, suites_len, &suites) ||
	    !cursor_u8(&body, &comp_len) ||
	    !cursor_sub(&body, comp_len, &comp))
		goto malformed;
	while (cursor_be16(&suites, &suite))
		push16(out->ciphers, &out->n_ciphers, &out->ciphers_seen,
		       TLS_MAX_CIPHERS, suite, &out->lists_truncated);
	if (!read_extensions(&body, out->extensions, &out->n_extensions,
			     &out->extensions_seen, &out->lists_truncated, out,
			     NULL, anomalies))
		goto malformed;
	if (out->lists_truncated)
		anomaly_add(anomalies, ANOM_FIELD_TOO_LONG);
	out->complete = true;
	tls_fingerprint_client(out, transport);
	return TLS_STATUS_OK;

malformed:
	st = TLS_STATUS_MALFORMED;
fail:
	if (st == TLS_STATUS_MALFORMED)
		anomaly_add(anomalies, ANOM_TLS_MALFORMED);
	return st;
}

/* RFC 8446 4.1.3: the random of a HelloRetryRequest, SHA-256 of the
 * text "HelloRetryRequest". */
static const uint8_t hello_retry_random[TLS_RANDOM_LEN] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
	0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
	0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static void parse_server_hello(struct cursor body, struct tls_server_hello *sh,
			       anomaly_set *anom)
{
	struct cursor sid;
	const uint8_t *random;
	uint8_t sid_len;

	memset(sh, 0, sizeof(*sh));
	if (!cursor_be16(&body, &sh->legacy_version) ||
	    !cursor_bytes(&body, TLS_RANDOM_LEN, &random)) {
		anomaly_add(anom, ANOM_TLS_MALFORMED);
		return;
	}
	sh->hello_retry =
		memcmp(random, hello_retry_random, TLS_RANDOM_LEN) == 0;
	if (!cursor_u8(&body, &sid_len) || sid_len > TLS_SESSION_ID_MAX ||
	    !cursor_sub(&body, sid_len, &sid) ||
	    !cursor_be16(&body, &sh->cipher) ||
	    !cursor_u8(&body, &sh->compression) ||
	    !read_extensions(&body, sh->extensions, &sh->n_extensions,
			     &sh->extensions_seen, &sh->lists_truncated, NULL,
			     sh, anom)) {
		anomaly_add(anom, ANOM_TLS_MALFORMED);
		return;
	}
	if (sh->lists_truncated)
		anomaly_add(anom, ANOM_FIELD_TOO_LONG);
	sh->complete = true;
	tls_fingerprint_server(sh);
}

/* Hands one complete handshake message (header included) to its parser. */
static void dispatch_message(struct tls_handshake_info *out,
			     struct cursor msg, enum tls_transport transport)
{
	struct tls_client_hello *ch = &out->client_hello;
	struct cursor body = msg;
	uint8_t type;
	uint32_t len;

	out->handshake_messages++;
	if (!cursor_u8(&body, &type) || !cursor_be24(&body, &len))
		return;
	switch (type) {
	case TLS_HS_CLIENT_HELLO:
		/* One is kept: a second follows a HelloRetryRequest. */
		if (out->client_hellos++ != out->keep_hello)
			return;
		tls_parse_client_hello(cursor_ptr(&msg), cursor_left(&msg),
				       transport, ch, &out->anomalies);
		out->has_client_hello = true;
		return;
	case TLS_HS_SERVER_HELLO:
		if (!out->has_server_hello)
			parse_server_hello(body, &out->server_hello,
					   &out->anomalies);
		out->has_server_hello = true;
		return;
	case TLS_HS_CERTIFICATE:
		/* TLS 1.3 sends it encrypted; its plaintext form differs. */
		if (!out->has_certificate &&
		    out->server_hello.selected_version != TLS_VERSION_1_3)
			out->has_certificate = tls_certificate_read(
				body, false, &out->certificate,
				&out->anomalies);
		return;
	default:
		return;
	}
}

/* Parses every complete message at the head of hs_buf and drops it. */
static void drain_messages(struct tls_handshake_info *out,
			   enum tls_transport transport)
{
	struct cursor c, msg;
	uint8_t type;
	uint32_t len;

	cursor_init(&c, out->hs_buf, out->hs_len);
	for (;;) {
		struct cursor peek = c;

		if (!cursor_u8(&peek, &type) || !cursor_be24(&peek, &len) ||
		    !cursor_sub(&c, TLS_HS_HEADER_LEN + (size_t)len, &msg))
			break;
		dispatch_message(out, msg, transport);
	}
	memmove(out->hs_buf, out->hs_buf + c.off, out->hs_len - c.off);
	out->hs_len -= c.off;
}

/*
 * Called with hs_buf full and its head message still incomplete: that
 * message is longer than we reassemble. A Certificate is read as far as it
 * goes (the first certificate is what we want); anything else is skipped.
 */
static void overflow_message(struct tls_handshake_info *out)
{
	struct cursor c, body;
	uint8_t type;
	uint32_t len;

	cursor_init(&c, out->hs_buf, out->hs_len);
	cursor_u8(&c, &type);
	cursor_be24(&c, &len);
	body = c;
	if (type == TLS_HS_CERTIFICATE && !out->has_certificate &&
	    out->server_hello.selected_version != TLS_VERSION_1_3)
		out->has_certificate = tls_certificate_read(
			body, true, &out->certificate, &out->anomalies);
	else
		anomaly_add(&out->anomalies, ANOM_FIELD_TOO_LONG);
	out->handshake_messages++;
	/* Incomplete, so TLS_HS_HEADER_LEN + len > hs_len. */
	out->hs_skip =
		(uint32_t)(TLS_HS_HEADER_LEN + (size_t)len - out->hs_len);
	out->hs_len = 0;
}

/* Appends one handshake record's fragment to the reassembly. */
static void feed_handshake(struct tls_handshake_info *out, struct cursor frag,
			   enum tls_transport transport)
{
	while (cursor_left(&frag) > 0) {
		size_t n;

		if (out->hs_skip > 0) {
			n = cursor_left(&frag);
			if (n > out->hs_skip)
				n = out->hs_skip;
			cursor_skip(&frag, n);
			out->hs_skip -= (uint32_t)n;
			continue;
		}
		n = TLS_HANDSHAKE_BUF - out->hs_len;
		if (n > cursor_left(&frag))
			n = cursor_left(&frag);
		cursor_copy(&frag, out->hs_buf + out->hs_len, n);
		out->hs_len += n;
		drain_messages(out, transport);
		if (out->hs_len == TLS_HANDSHAKE_BUF)
			overflow_message(out);
	}
}

/*
 * After a ChangeCipherSpec, handshake records are normally encrypted, but
 * a TLS 1.3 client may send the compatibility CCS before a plaintext
 * (second) ClientHello. Accept a record that starts a Hello fitting it.
 */
static bool plaintext_hello(const struct tls_handshake_info *out,
			    struct cursor frag)
{
	uint8_t type;
	uint32_t len;

	return out->hs_len == 0 && out->hs_skip == 0 &&
	       cursor_u8(&frag, &type) &&
	       (type == TLS_HS_CLIENT_HELLO || type == TLS_HS_SERVER_HELLO) &&
	       cursor_be24(&frag, &len) && cursor_has(&frag, len);
}

/* Checks a record header without consuming it: 1 TLS, 0 short, -1 not. */
static int peek_record_header(const struct cursor *c, uint8_t *type,
			      uint16_t *version, uint16_t *len)
{
	struct cursor h = *c;
	uint8_t t;

	if (!cursor_u8(&h, &t) || !cursor_be16(&h, version) ||
	    !cursor_be16(&h, len))
		return 0;
	*type = t;
	if (t < TLS_CT_MIN || t > TLS_CT_MAX || (*version >> 8) != 3)
		return -1;
	return 1;
}

enum tls_status tls_parse_records(const uint8_t *buf, size_t len,
				  enum tls_transport transport,
				  struct tls_handshake_info *out,
				  size_t *consumed)
{
	return tls_parse_records_nth(buf, len, transport, 0, out, consumed);
}

enum tls_status tls_parse_records_nth(const uint8_t *buf, size_t len,
				      enum tls_transport transport,
				      uint32_t keep_hello,
				      struct tls_handshake_info *out,
				      size_t *consumed)
{
	enum tls_status st = TLS_STATUS_OK;
	struct cursor c, rec, frag;
	uint16_t version, rec_len;
	uint8_t type;
	int r;

	/* hs_buf needs no clearing: only hs_len bytes of it are ever read;
	 * nor does the certificate chain past n_chain (tls.h): together
	 * 118 KiB of the 150 that would be cleared on every call */
	memset(out, 0, offsetof(struct tls_handshake_info, certificate.chain));
	memset((char *)out + offsetof(struct tls_handshake_info, certificate) +
		       sizeof out->certificate,
	       0,
	       offsetof(struct tls_handshake_info, hs_buf) -
		       offsetof(struct tls_handshake_info, certificate) -
		       sizeof out->certificate);
	out->keep_hello = keep_hello;
	out->hs_len = 0;
	out->hs_skip = 0;
	*consumed = 0;
	cursor_init(&c, buf, len);
	r = peek_record_header(&c, &type, &version, &rec_len);
	if (r < 0)
		return TLS_STATUS_NOT_TLS;
	out->record_version = version;
	while (cursor_left(&c) > 0) {
		r = peek_record_header(&c, &type, &version, &rec_len);
		if (r == 0) {
			st = TLS_STATUS_NEED_MORE;
			break;
		}
		if (r < 0 || rec_len > TLS_RECORD_MAX) {
			anomaly_add(&out->anomalies, ANOM_TLS_MALFORMED);
			st = TLS_STATUS_MALFORMED;
			break;
		}
		rec = c;
		if (!cursor_skip(&rec, TLS_RECORD_HEADER_LEN) ||
		    !cursor_sub(&rec, rec_len, &frag)) {
			st = TLS_STATUS_NEED_MORE;
			break;
		}
		c = rec;
		out->records++;
		if (type == TLS_CT_CHANGE_CIPHER_SPEC)
			out->saw_change_cipher_spec = true;
		if (type != TLS_CT_HANDSHAKE ||
		    (out->saw_change_cipher_spec &&
		     !plaintext_hello(out, frag)))
			continue;
		if (rec_len == 0) /* RFC 8446 5.1 forbids it */
			anomaly_add(&out->anomalies, ANOM_TLS_MALFORMED);
		feed_handshake(out, frag, transport);
	}
	*consumed = c.off;
	if (st == TLS_STATUS_OK && (out->hs_len > 0 || out->hs_skip > 0))
		st = TLS_STATUS_NEED_MORE;
	/* A chain cut by the end of the chunk may still hold the leaf. */
	if (out->hs_len > 0 && !out->has_certificate) {
		struct cursor p;
		uint8_t t;
		uint32_t mlen;

		cursor_init(&p, out->hs_buf, out->hs_len);
		if (cursor_u8(&p, &t) && t == TLS_HS_CERTIFICATE &&
		    cursor_be24(&p, &mlen) &&
		    out->server_hello.selected_version != TLS_VERSION_1_3) {
			anomaly_set scratch = 0;

			out->has_certificate = tls_certificate_read(
				p, true, &out->certificate, &scratch);
			/* Only a complete leaf counts; its anomalies too. */
			if (out->has_certificate)
				out->anomalies |= scratch;
		}
	}
	if (st == TLS_STATUS_OK &&
	    anomaly_has(out->anomalies, ANOM_TLS_MALFORMED))
		st = TLS_STATUS_MALFORMED;
	return st;
}
