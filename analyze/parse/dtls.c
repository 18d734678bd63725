/*
 * dtls.c — DTLS records and the handshake fragments of the ClientHello
 * and the Certificate (see dtls.h). The messages themselves are tls.c's.
 */
#include "analyze/parse/dtls.h"

#include "capture/cursor.h"

#define DTLS_CT_HANDSHAKE 22
#define DTLS13_UNIFIED_MASK 0xe0 /* RFC 9147 4: 001CSLEE */
#define DTLS13_UNIFIED_BITS 0x20
#define DTLS_HS_HEADER_LEN 12
#define DTLS_SEQUENCE_LEN 6
#define TLS_HS_HEADER_LEN 4

static bool known_version(uint16_t v)
{
	return v == 0xfeff || v == 0xfefd || v == 0xfefc || v == 0x0100;
}

bool dtls_looks_like(const uint8_t *d, size_t len)
{
	struct cursor c;
	uint16_t version, epoch;
	uint8_t type;

	cursor_init(&c, d, len);
	return cursor_u8(&c, &type) && type == DTLS_CT_HANDSHAKE &&
	       cursor_be16(&c, &version) && known_version(version) &&
	       cursor_be16(&c, &epoch) && epoch == 0 &&
	       cursor_has(&c, DTLS_SEQUENCE_LEN + 2);
}

const char *dtls_version_name(uint16_t record_version)
{
	switch (record_version) {
	case 0xfeff: return "1.0";
	case 0xfefd: return "1.2";
	case 0xfefc: return "1.3";
	case 0x0100: return "0.9";
	default: return "?";
	}
}

static bool read_before(const struct dtls_state *st, uint16_t seq)
{
	for (uint8_t i = 0; i < st->hellos_done; i++)
		if (st->done_seq[i] == seq)
			return true;
	return false;
}

/* Adds one fragment [off, off + len(data)) of a message of len bytes to
 * r, behind the TLS handshake header of type (the form the TLS parser
 * expects). */
static void add_fragment(struct reasm *r, uint8_t type, uint32_t len,
			 uint32_t off, struct cursor data, size_t room,
			 struct dtls_datagram_info *info)
{
	uint8_t header[TLS_HS_HEADER_LEN] = {
		type, (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len,
	};
	enum reasm_result res;

	res = reasm_add(r, 0, header, sizeof(header),
			TLS_HS_HEADER_LEN + (size_t)len, room);
	if (res == REASM_OK)
		res = reasm_add(r, TLS_HS_HEADER_LEN + (uint64_t)off,
				cursor_ptr(&data), cursor_left(&data),
				TLS_HS_HEADER_LEN + (size_t)len, room);
	if (res == REASM_NO_ROOM)
		info->out_of_room = true;
	else if (res != REASM_OK)
		anomaly_add(&info->anomalies, ANOM_FIELD_TOO_LONG);
}

/* Keeps one fragment of the ClientHello being put back together. */
static void keep_fragment(struct dtls_state *st, uint16_t record_version,
			  uint16_t seq, uint32_t len, uint32_t off,
			  struct cursor data, struct dtls_datagram_info *info)
{
	if (st->hellos_done >= DTLS_HELLOS || read_before(st, seq))
		return;
	/* A later message_seq while the kept one is incomplete: the client
	 * moved on from it. */
	if (st->have_hello && seq != st->hello_seq &&
	    (int16_t)(seq - st->hello_seq) > 0 &&
	    st->hello.contiguous < TLS_HS_HEADER_LEN + st->hello_len) {
		reasm_free(&st->hello);
		st->have_hello = false;
	}
	if (!st->have_hello) {
		st->have_hello = true;
		st->record_version = record_version;
		st->hello_seq = seq;
		st->hello_len = len;
		if (len > DTLS_HELLO_MAX)
			anomaly_add(&info->anomalies, ANOM_FIELD_TOO_LONG);
	}
	if (seq != st->hello_seq || len != st->hello_len ||
	    len > DTLS_HELLO_MAX)
		return; /* an earlier ClientHello, or one we do not keep */
	info->hello_fragments++;
	add_fragment(&st->hello, TLS_HS_CLIENT_HELLO, len, off, data,
		     st->room, info);
}

/* Keeps one fragment of the sender's first Certificate message. */
static void keep_cert_fragment(struct dtls_state *st, uint16_t record_version,
			       uint16_t seq, uint32_t len, uint32_t off,
			       struct cursor data,
			       struct dtls_datagram_info *info)
{
	if (st->cert_done)
		return;
	if (!st->have_cert) {
		st->have_cert = true;
		st->cert_version = record_version;
		st->cert_seq = seq;
		st->cert_len = len;
		if (len > DTLS_CERT_MAX)
			anomaly_add(&info->anomalies, ANOM_FIELD_TOO_LONG);
	}
	if (seq != st->cert_seq || len != st->cert_len || len > DTLS_CERT_MAX)
		return;
	info->cert_fragments++;
	add_fragment(&st->cert, TLS_HS_CERTIFICATE, len, off, data, st->room,
		     info);
}

/* Reads the handshake fragments of one handshake record. */
static void read_handshake(struct dtls_state *st, uint16_t record_version,
			   struct cursor frag, struct dtls_datagram_info *info)
{
	while (cursor_left(&frag) > 0) {
		struct cursor data;
		uint32_t len, off, frag_len;
		uint16_t seq;
		uint8_t type;

		if (!cursor_u8(&frag, &type) || !cursor_be24(&frag, &len) ||
		    !cursor_be16(&frag, &seq) || !cursor_be24(&frag, &off) ||
		    !cursor_be24(&frag, &frag_len) ||
		    !cursor_sub(&frag, frag_len, &data) || off > len ||
		    frag_len > len - off) {
			anomaly_add(&info->anomalies, ANOM_TLS_MALFORMED);
			return;
		}
		if (type == TLS_HS_CLIENT_HELLO)
			keep_fragment(st, record_version, seq, len, off, data,
				      info);
		else if (type == TLS_HS_CERTIFICATE)
			keep_cert_fragment(st, record_version, seq, len, off,
					   data, info);
	}
}

void dtls_read_datagram(struct dtls_state *st, const uint8_t *d, size_t len,
			bool captured_whole, struct dtls_datagram_info *info)
{
	struct cursor c;

	*info = (struct dtls_datagram_info){ 0 };
	cursor_init(&c, d, len);
	while (cursor_left(&c) > 0) {
		struct cursor frag;
		uint16_t version, epoch, rec_len;
		uint8_t type;

		if (cursor_peek_u8(&c, c.off, &type) &&
		    (type & DTLS13_UNIFIED_MASK) == DTLS13_UNIFIED_BITS) {
			st->encrypting = true;
			return; /* DTLS 1.3 ciphertext: nothing more to read */
		}
		if (!cursor_u8(&c, &type) || !cursor_be16(&c, &version) ||
		    !cursor_be16(&c, &epoch) ||
		    !cursor_skip(&c, DTLS_SEQUENCE_LEN) ||
		    !cursor_be16(&c, &rec_len)) {
			if (info->records > 0 && captured_whole)
				anomaly_add(&info->anomalies,
					    ANOM_TLS_MALFORMED);
			return;
		}
		if (!known_version(version))
			return; /* not DTLS (or trailing bytes): stop */
		if (!cursor_sub(&c, rec_len, &frag)) {
			if (captured_whole)
				anomaly_add(&info->anomalies,
					    ANOM_TLS_MALFORMED);
			return;
		}
		info->records++;
		if (epoch > 0)
			st->encrypting = true;
		else if (type == DTLS_CT_HANDSHAKE)
			read_handshake(st, version, frag, info);
	}
}

enum tls_status dtls_client_hello(const struct dtls_state *st,
				  struct tls_client_hello *ch,
				  anomaly_set *anomalies)
{
	if (!st->have_hello)
		return TLS_STATUS_NEED_MORE;
	if (st->hello_len > DTLS_HELLO_MAX)
		return TLS_STATUS_MALFORMED; /* field_too_long said so */
	if (st->hello.contiguous < TLS_HS_HEADER_LEN + st->hello_len)
		return TLS_STATUS_NEED_MORE;
	return tls_parse_client_hello(st->hello.buf,
				      TLS_HS_HEADER_LEN + st->hello_len,
				      TLS_OVER_DTLS, ch, anomalies);
}

void dtls_hello_done(struct dtls_state *st)
{
	if (st->have_hello && st->hellos_done < DTLS_HELLOS)
		st->done_seq[st->hellos_done++] = st->hello_seq;
	st->have_hello = false;
	reasm_free(&st->hello);
}

enum tls_status dtls_certificate(const struct dtls_state *st,
				 struct tls_certificate *cert,
				 anomaly_set *anomalies)
{
	if (!st->have_cert || st->cert_done)
		return TLS_STATUS_NEED_MORE;
	if (st->cert_len > DTLS_CERT_MAX)
		return TLS_STATUS_MALFORMED; /* field_too_long said so */
	if (st->cert.contiguous < TLS_HS_HEADER_LEN + st->cert_len)
		return TLS_STATUS_NEED_MORE;
	return tls_parse_certificate(st->cert.buf,
				     TLS_HS_HEADER_LEN + st->cert_len, cert,
				     anomalies);
}

void dtls_certificate_done(struct dtls_state *st)
{
	st->cert_done = true;
	st->have_cert = false;
	reasm_free(&st->cert);
}

void dtls_state_free(struct dtls_state *st)
{
	reasm_free(&st->hello);
	reasm_free(&st->cert);
}
