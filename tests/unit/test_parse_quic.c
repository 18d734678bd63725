/*
 * test_parse_quic.c — cmocka tests of analyze/parse/quic.c: the Initial
 * keys and sample packets of RFC 9001 and RFC 9369 Appendix A (keys,
 * header protection, packet number, the ClientHello inside); CRYPTO
 * reassembly out of order and across packets and connection IDs; and
 * hostile input — every truncation of a sample packet, a flipped byte,
 * unknown versions, long connection IDs, huge or scattered CRYPTO
 * offsets, frames an Initial may not carry — giving anomalies, never a
 * crash. Inputs sit in exact-size heap buffers so ASan sees over-reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "analyze/parse/quic.h"
#include "test_bytes.h"
#include "quic_seal.h"
#include "quic_vectors.h"

static struct quic_scratch scratch;
static struct tls_client_hello hello;

static void state_init(struct quic_state *st)
{
	memset(st, 0, sizeof(*st));
	st->crypto_room = QUIC_CRYPTO_MAX;
}

static void assert_hex(const uint8_t *got, size_t n, const char *hex)
{
	size_t len;
	uint8_t *want = from_hex(hex, &len);

	assert_int_equal(len, n);
	assert_memory_equal(got, want, n);
	free(want);
}

static void test_versions(void **state)
{
	const struct quic_version *v;

	(void)state;
	v = quic_version_find(QUIC_VERSION_1);
	assert_non_null(v);
	assert_int_equal(v->initial_type, 0);
	v = quic_version_find(QUIC_VERSION_2);
	assert_non_null(v);
	assert_int_equal(v->initial_type, 1);
	assert_int_equal(v->retry_type, 0);
	assert_string_equal(v->key_label, "quicv2 key");
	assert_non_null(quic_version_find(0xff00001du));
	assert_null(quic_version_find(0));
	assert_null(quic_version_find(0xbabababau));
	assert_true(quic_version_reserved(0xbabababau));
	assert_true(quic_version_reserved(0x0a1a2afau));
	assert_false(quic_version_reserved(QUIC_VERSION_1));
	assert_null(quic_version_find(0x51303530u)); /* gQUIC Q050 */
}

static void check_keys(uint32_t version, bool server, const char *key,
		       const char *iv, const char *hp)
{
	struct quic_keys k;
	size_t n;
	uint8_t *cid = from_hex(RFC_DCID, &n);

	assert_true(quic_initial_keys(quic_version_find(version), cid, n,
				      server, &k));
	assert_hex(k.key, sizeof(k.key), key);
	assert_hex(k.iv, sizeof(k.iv), iv);
	assert_hex(k.hp, sizeof(k.hp), hp);
	free(cid);
}

static void test_keys_rfc9001(void **state)
{
	(void)state;
	check_keys(QUIC_VERSION_1, false, RFC9001_CLIENT_KEY,
		   RFC9001_CLIENT_IV, RFC9001_CLIENT_HP);
	check_keys(QUIC_VERSION_1, true, RFC9001_SERVER_KEY,
		   RFC9001_SERVER_IV, RFC9001_SERVER_HP);
}

static void test_keys_rfc9369(void **state)
{
	(void)state;
	check_keys(QUIC_VERSION_2, false, RFC9369_CLIENT_KEY,
		   RFC9369_CLIENT_IV, RFC9369_CLIENT_HP);
	check_keys(QUIC_VERSION_2, true, RFC9369_SERVER_KEY,
		   RFC9369_SERVER_IV, RFC9369_SERVER_HP);
}

/* Reads one RFC sample packet and checks what came out of it. */
static void check_sample(const char *packet_hex, uint32_t version,
			 const char *first_header_byte)
{
	struct quic_state st;
	struct quic_datagram_info info;
	anomaly_set anom = 0;
	size_t n, frame_len;
	uint8_t *d = from_hex(packet_hex, &n);
	uint8_t *frame = from_hex(RFC_CLIENT_CRYPTO_FRAME, &frame_len);

	state_init(&st);
	quic_read_datagram(&st, d, n, true, &scratch, &info);
	assert_int_equal(info.anomalies, 0);
	assert_int_equal(info.packets, 1);
	assert_int_equal(info.initials, 1);
	assert_int_equal(info.opened, 1);
	assert_int_equal(info.crypto_frames, 1);
	assert_int_equal(info.first_version, version);
	assert_int_equal(st.version, version);
	/* Header protection off: first byte, packet number 2 in 4 bytes. */
	assert_hex(scratch.header, 1, first_header_byte);
	assert_hex(scratch.header + 18, 4, "00000002");
	assert_true(st.have_pn);
	assert_int_equal(st.largest_pn, 2);
	assert_memory_equal(scratch.plain, frame, frame_len);
	assert_int_equal(st.odcid_len, 8);
	assert_int_equal(st.crypto.contiguous, 241);
	assert_int_equal(st.crypto.n_pieces, 0);

	assert_int_equal(quic_client_hello(&st, &hello, &anom), TLS_STATUS_OK);
	assert_int_equal(anom, 0);
	assert_true(hello.complete);
	assert_string_equal(hello.sni, "example.com");
	assert_int_equal(hello.n_alpn, 1);
	assert_string_equal(hello.alpn[0], "alpn");
	assert_true(hello.ja3_md5[0] != '\0');
	/* JA4 of QUIC: 'q', TLS 1.3, SNI, 2 ciphers, 11 extensions, "an". */
	assert_memory_equal(hello.ja4, "q13d0211an_", 11);
	quic_state_free(&st);
	free(frame);
	free(d);
}

static void test_rfc9001_client_initial(void **state)
{
	(void)state;
	check_sample(rfc9001_client_initial, QUIC_VERSION_1, "c3");
	assert_hex(scratch.header, 22, RFC9001_CLIENT_HEADER);
}

static void test_rfc9369_client_initial(void **state)
{
	(void)state;
	/* Version 2: Initial is packet type 0b01, so 0xd3 unprotected. */
	check_sample(rfc9369_client_initial, QUIC_VERSION_2, "d3");
}

/* Every prefix of the sample: no crash, nothing opened, an anomaly when
 * the datagram was captured whole, none when the capture cut it. */
static void test_every_truncation(void **state)
{
	size_t n;
	uint8_t *full = from_hex(rfc9001_client_initial, &n);

	(void)state;
	for (size_t len = 1; len < n; len++) {
		struct quic_state st;
		struct quic_datagram_info info;
		uint8_t *d = dup_bytes(full, len);

		state_init(&st);
		quic_read_datagram(&st, d, len, true, &scratch, &info);
		assert_int_equal(info.opened, 0);
		assert_true(info.truncated);
		assert_true(anomaly_has(info.anomalies, ANOM_QUIC_MALFORMED));
		quic_read_datagram(&st, d, len, false, &scratch, &info);
		assert_int_equal(info.anomalies, 0);
		assert_int_equal(st.crypto.contiguous, 0);
		quic_state_free(&st);
		free(d);
	}
	free(full);
}

static void test_flipped_byte(void **state)
{
	size_t n;
	uint8_t *d = from_hex(rfc9001_client_initial, &n);
	struct quic_state st;
	struct quic_datagram_info info;

	(void)state;
	d[600] ^= 0x01;
	state_init(&st);
	quic_read_datagram(&st, d, n, true, &scratch, &info);
	assert_int_equal(info.initials, 1);
	assert_int_equal(info.opened, 0);
	assert_int_equal(info.anomalies,
			 (anomaly_set)1 << ANOM_QUIC_UNDECRYPTABLE);
	assert_false(st.have_odcid);
	quic_state_free(&st);
	free(d);
}

static void test_unknown_version_and_long_cid(void **state)
{
	size_t n;
	uint8_t *d = from_hex(rfc9001_client_initial, &n);
	struct quic_state st;
	struct quic_datagram_info info;

	(void)state;
	state_init(&st);
	memcpy(d + 1, "\x12\x34\x56\x78", 4);
	quic_read_datagram(&st, d, n, true, &scratch, &info);
	assert_true(info.unknown_version);
	assert_int_equal(info.first_version, 0x12345678u);
	assert_int_equal(info.initials, 0);
	assert_int_equal(info.anomalies, 0);

	memcpy(d + 1, "\x00\x00\x00\x01", 4);
	d[5] = 21; /* DCID length */
	quic_read_datagram(&st, d, n, true, &scratch, &info);
	assert_true(anomaly_has(info.anomalies, ANOM_QUIC_MALFORMED));
	assert_int_equal(info.opened, 0);

	d[0] = 0x40; /* a short header: not read */
	quic_read_datagram(&st, d, n, true, &scratch, &info);
	assert_int_equal(info.packets, 0);
	assert_int_equal(info.anomalies, 0);
	quic_state_free(&st);
	free(d);
}

/* A Handshake packet, then the sample Initial, then zero padding. */
static void test_coalesced(void **state)
{
	size_t n;
	uint8_t *sample = from_hex(rfc9001_client_initial, &n);
	struct wbuf w = {0};
	struct quic_state st;
	struct quic_datagram_info info;
	uint8_t *d;

	(void)state;
	put8(&w, 0xe0);         /* long header, type 2 (Handshake) */
	put(&w, "\x00\x00\x00\x01", 4);
	put8(&w, 0);            /* DCID length */
	put8(&w, 0);            /* SCID length */
	put8(&w, 30);           /* Length */
	for (int i = 0; i < 30; i++)
		put8(&w, 0x5a);
	put(&w, sample, n);
	for (int i = 0; i < 40; i++)
		put8(&w, 0);
	d = dup_bytes(w.b, w.n);
	state_init(&st);
	quic_read_datagram(&st, d, w.n, true, &scratch, &info);
	assert_int_equal(info.packets, 2);
	assert_int_equal(info.opened, 1);
	assert_int_equal(info.anomalies, 0);
	assert_int_equal(st.crypto.contiguous, 241);
	quic_state_free(&st);
	free(d);
	free(sample);
}

/* A ClientHello's bytes from the RFC sample's CRYPTO frame. */
static uint8_t *sample_hello(size_t *len)
{
	size_t n;
	uint8_t *frame = from_hex(RFC_CLIENT_CRYPTO_FRAME, &n);
	uint8_t *ch;

	/* 06 00 40f1: type, offset 0, length 241 */
	*len = n - 4;
	ch = dup_bytes(frame + 4, *len);
	free(frame);
	return ch;
}

/* Appends a CRYPTO frame (2-byte varints for offset and length). */
static void put_crypto(struct wbuf *w, unsigned off, const uint8_t *p,
		       size_t n)
{
	put8(w, 0x06);
	put16(w, 0x4000 | off);
	put16(w, 0x4000 | (unsigned)n);
	put(w, p, n);
}

static void test_frames_out_of_order(void **state)
{
	size_t n;
	uint8_t *ch = sample_hello(&n);
	struct wbuf w = {0};
	struct quic_state st;
	anomaly_set anom = 0;
	bool room = false;
	uint8_t *p;

	(void)state;
	/* Three pieces, last first, with PING, PADDING and an ACK between. */
	put_crypto(&w, 200, ch + 200, n - 200);
	put8(&w, 0x01);
	put(&w, "\x02\x05\x00\x01\x00\x01\x02", 7); /* ACK, one range */
	put_crypto(&w, 100, ch + 100, 100);
	put8(&w, 0x00);
	put8(&w, 0x00);
	put_crypto(&w, 0, ch, 120); /* overlaps the middle piece */
	p = dup_bytes(w.b, w.n);
	state_init(&st);
	assert_int_equal(quic_read_frames(&st, p, w.n, &anom, &room), 3);
	assert_int_equal(anom, 0);
	assert_false(room);
	assert_int_equal(st.crypto.contiguous, n);
	assert_int_equal(st.crypto.n_pieces, 0);
	assert_int_equal(quic_client_hello(&st, &hello, &anom), TLS_STATUS_OK);
	assert_string_equal(hello.sni, "example.com");
	quic_state_free(&st);
	free(p);
	free(ch);
}

static void frames_expect(const struct wbuf *w, anomaly_set want,
			  uint32_t contiguous)
{
	struct quic_state st;
	anomaly_set anom = 0;
	bool room = false;
	uint8_t *p = dup_bytes(w->b, w->n);

	state_init(&st);
	quic_read_frames(&st, p, w->n, &anom, &room);
	assert_int_equal(anom, want);
	assert_int_equal(st.crypto.contiguous, contiguous);
	quic_state_free(&st);
	free(p);
}

static void test_frames_hostile(void **state)
{
	static const uint8_t data[8] = "ABCDEFGH";
	struct wbuf w = {0};

	(void)state;
	/* Offset 2^62 - 1 (8-byte varint). */
	put8(&w, 0x06);
	put(&w, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	put8(&w, 4);
	put(&w, data, 4);
	frames_expect(&w, (anomaly_set)1 << ANOM_FIELD_TOO_LONG, 0);

	/* Ending past 64 KiB. */
	w.n = 0;
	put8(&w, 0x06);
	put(&w, "\x80\x00\xff\xfc", 4); /* 65532 */
	put8(&w, 8);
	put(&w, data, 8);
	frames_expect(&w, (anomaly_set)1 << ANOM_FIELD_TOO_LONG, 0);

	/* 33 separate pieces: the 33rd does not fit. */
	w.n = 0;
	for (unsigned i = 1; i <= REASM_PIECES + 1; i++)
		put_crypto(&w, 10 * i, data, 2);
	frames_expect(&w, (anomaly_set)1 << ANOM_FIELD_TOO_LONG, 0);

	/* A STREAM frame is not allowed in an Initial. */
	w.n = 0;
	put_crypto(&w, 0, data, 8);
	put8(&w, 0x08);
	put_crypto(&w, 8, data, 8);
	frames_expect(&w, (anomaly_set)1 << ANOM_QUIC_MALFORMED, 8);

	/* A CRYPTO length past the payload. */
	w.n = 0;
	put8(&w, 0x06);
	put8(&w, 0);
	put8(&w, 40);
	put(&w, data, 8);
	frames_expect(&w, (anomaly_set)1 << ANOM_QUIC_MALFORMED, 0);

	/* An ACK claiming 2^62 - 1 ranges ends at the payload's end. */
	w.n = 0;
	put(&w, "\x02\x00\x00", 3);
	put(&w, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	put(&w, "\x00\x01\x01\x01\x01", 5);
	frames_expect(&w, (anomaly_set)1 << ANOM_QUIC_MALFORMED, 0);

	/* A varint cut by the end. */
	w.n = 0;
	put8(&w, 0x06);
	put8(&w, 0xc0);
	frames_expect(&w, (anomaly_set)1 << ANOM_QUIC_MALFORMED, 0);

	/* CONNECTION_CLOSE ends the packet: what follows is not read. */
	w.n = 0;
	put(&w, "\x1c\x0a\x00\x02ok", 6);
	put_crypto(&w, 0, data, 8);
	frames_expect(&w, 0, 0);
}

static void test_crypto_room(void **state)
{
	static const uint8_t data[200];
	struct wbuf w = {0};
	struct quic_state st;
	anomaly_set anom = 0;
	bool room = false;
	uint8_t *p;

	(void)state;
	put_crypto(&w, 0, data, sizeof(data));
	p = dup_bytes(w.b, w.n);
	state_init(&st);
	st.crypto_room = 100;
	quic_read_frames(&st, p, w.n, &anom, &room);
	assert_true(room);
	assert_int_equal(anom, 0);
	assert_int_equal(st.crypto.contiguous, 0);
	quic_state_free(&st);
	free(p);
}

static void test_not_a_client_hello(void **state)
{
	struct quic_state st;
	anomaly_set anom = 0;
	bool room = false;
	struct wbuf w = {0};
	uint8_t *p;

	(void)state;
	state_init(&st);
	assert_int_equal(quic_client_hello(&st, &hello, &anom),
			 TLS_STATUS_NEED_MORE);
	put_crypto(&w, 0, (const uint8_t *)"\x02\x00\x00\x02\x03\x03", 6);
	p = dup_bytes(w.b, w.n);
	quic_read_frames(&st, p, w.n, &anom, &room);
	assert_int_equal(quic_client_hello(&st, &hello, &anom),
			 TLS_STATUS_MALFORMED);
	assert_true(anomaly_has(anom, ANOM_TLS_MALFORMED));
	quic_state_free(&st);
	free(p);

	/* A ClientHello claiming 16 MiB can never be complete here. */
	w.n = 0;
	anom = 0;
	state_init(&st);
	put_crypto(&w, 0, (const uint8_t *)"\x01\xff\xff\xff\x03\x03", 6);
	p = dup_bytes(w.b, w.n);
	quic_read_frames(&st, p, w.n, &anom, &room);
	assert_int_equal(quic_client_hello(&st, &hello, &anom),
			 TLS_STATUS_MALFORMED);
	assert_true(anomaly_has(anom, ANOM_FIELD_TOO_LONG));
	quic_state_free(&st);
	free(p);
}

/* Seals a packet carrying one CRYPTO frame plus padding. */
static uint8_t *seal_crypto(const struct quic_version *v, const char *dcid,
			    const char *key_cid, uint64_t pn, unsigned pn_len,
			    unsigned off, const uint8_t *p, size_t n,
			    size_t *len)
{
	struct wbuf w = {0};
	uint8_t out[2048];
	size_t dl, kl;
	uint8_t *d = from_hex(dcid, &dl), *k = from_hex(key_cid, &kl);

	put_crypto(&w, off, p, n);
	while (w.n < 300)
		put8(&w, 0);
	*len = quic_seal_initial(v, 0, d, dl, k, kl, pn, pn_len, w.b, w.n, out,
				 sizeof(out));
	assert_true(*len > 0);
	free(d);
	free(k);
	return dup_bytes(out, *len);
}

/* Seals one CRYPTO frame (seal_crypto()), reads it, checks it opened. */
static void read_sealed(struct quic_state *st, const struct quic_version *v,
			const char *dcid, const char *key_cid, uint64_t pn,
			unsigned pn_len, unsigned off, const uint8_t *p,
			size_t n, uint32_t opened)
{
	struct quic_datagram_info info;
	size_t len;
	uint8_t *d = seal_crypto(v, dcid, key_cid, pn, pn_len, off, p, n,
				 &len);

	quic_read_datagram(st, d, len, true, &scratch, &info);
	assert_int_equal(info.opened, opened);
	assert_int_equal(info.anomalies,
			 opened ? 0 : (anomaly_set)1 << ANOM_QUIC_UNDECRYPTABLE);
	free(d);
}

/*
 * A ClientHello in three Initials, the last first: the second names the
 * server's connection ID but keeps the first DCID's keys (as clients do
 * after the server's first Initial), the third comes after a Retry (its
 * own DCID's keys). A fourth, sealed with keys of neither, is refused.
 */
static void test_across_packets_and_cids(void **state)
{
	const struct quic_version *v = quic_version_find(QUIC_VERSION_1);
	struct quic_state st;
	anomaly_set anom = 0;
	size_t n;
	uint8_t *ch = sample_hello(&n);

	(void)state;
	state_init(&st);
	read_sealed(&st, v, "0102030405060708", "0102030405060708",
				  0, 1, 150, ch + 150, n - 150, 1);
	assert_int_equal(st.crypto.n_pieces, 1);
	read_sealed(&st, v, "aabbccdd", "0102030405060708", 1, 2,
				  60, ch + 60, 90, 1);
	read_sealed(&st, v, "feedfacecafe", "feedfacecafe", 2, 4, 0,
				  ch, 60, 1);
	assert_int_equal(st.crypto.contiguous, n);
	assert_int_equal(st.largest_pn, 2);
	assert_int_equal(quic_client_hello(&st, &hello, &anom), TLS_STATUS_OK);
	assert_string_equal(hello.sni, "example.com");
	read_sealed(&st, v, "aabbccdd", "0000", 3, 1, 0, ch, 10, 0);
	quic_state_free(&st);
	free(ch);
}

/* Packet number 260 sent in one byte (0x04) after 250: the nonce holds
 * the full number, so only the right decoding authenticates. */
static void test_packet_number_decoding(void **state)
{
	const struct quic_version *v = quic_version_find(0xff00001du);
	struct quic_state st;
	uint8_t b[4] = "ABCD";

	(void)state;
	state_init(&st);
	read_sealed(&st, v, "11", "11", 250, 2, 0, b, 4, 1);
	read_sealed(&st, v, "11", "11", 260, 1, 4, b, 4, 1);
	assert_int_equal(st.largest_pn, 260);
	assert_int_equal(st.crypto.contiguous, 8);
	quic_state_free(&st);
	/* An empty DCID is allowed, too. */
	state_init(&st);
	read_sealed(&st, v, "", "", 0, 1, 0, b, 4, 1);
	quic_state_free(&st);
}

/* A reserved version's Initial protected with draft-29 keys opens (by
 * trial); with keys of no known schedule it is undecryptable. */
static void test_reserved_version(void **state)
{
	const struct quic_version *v = quic_version_find(0xff00001du);
	static const uint8_t dcid[4] = { 9, 8, 7, 6 };
	struct quic_state st;
	struct quic_datagram_info info;
	uint8_t out[600], plain[300] = { 0x06, 0x00, 0x04, 'A', 'B', 'C', 'D' };
	size_t len;
	uint8_t *d;

	(void)state;
	len = quic_seal_initial(v, 0x2a3a4a5au, dcid, sizeof(dcid), dcid,
				sizeof(dcid), 0, 1, plain, sizeof(plain), out,
				sizeof(out));
	assert_true(len > 0);
	d = dup_bytes(out, len);
	state_init(&st);
	quic_read_datagram(&st, d, len, true, &scratch, &info);
	assert_int_equal(info.opened, 1);
	assert_int_equal(info.anomalies, 0);
	assert_int_equal(st.version, 0xff00001du);
	assert_int_equal(st.wire_version, 0x2a3a4a5au);
	assert_int_equal(st.crypto.contiguous, 4);
	quic_state_free(&st);
	free(d);

	/* Version 2's keys are not among the trials (its layout differs). */
	v = quic_version_find(QUIC_VERSION_2);
	len = quic_seal_initial(v, 0x2a3a4a5au, dcid, sizeof(dcid), dcid,
				sizeof(dcid), 0, 1, plain, sizeof(plain), out,
				sizeof(out));
	d = dup_bytes(out, len);
	state_init(&st);
	quic_read_datagram(&st, d, len, true, &scratch, &info);
	assert_int_equal(info.opened, 0);
	quic_state_free(&st);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_keys_rfc9001),
		cmocka_unit_test(test_keys_rfc9369),
		cmocka_unit_test(test_rfc9001_client_initial),
		cmocka_unit_test(test_rfc9369_client_initial),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_flipped_byte),
		cmocka_unit_test(test_unknown_version_and_long_cid),
		cmocka_unit_test(test_coalesced),
		cmocka_unit_test(test_frames_out_of_order),
		cmocka_unit_test(test_frames_hostile),
		cmocka_unit_test(test_crypto_room),
		cmocka_unit_test(test_not_a_client_hello),
		cmocka_unit_test(test_across_packets_and_cids),
		cmocka_unit_test(test_packet_number_decoding),
		cmocka_unit_test(test_reserved_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
