/*
 * test_defrag.c — IP reassembly (capture/defrag.c): every order of a
 * datagram's fragments gives the same datagram; overlaps keep the
 * first-arrived bytes and name a conflict; the bounds (fragments per
 * datagram, datagrams in flight, bytes held, timeout) drop with their
 * anomaly. Each fragment is copied into an exact-size buffer so ASan sees
 * over-reads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"
#include "capture/defrag.h"

enum { PAYLOAD_BYTES = 1200, LINKTYPE_RAW_IP = 101 };

static uint8_t payload[PAYLOAD_BYTES];

/* An IPv4 fragment of a UDP datagram (id ident): bytes [off, off+len) of
 * payload[], raw IP. Returns its length in out. */
static size_t ipv4_fragment(uint8_t *out, uint16_t ident, size_t off,
			    size_t len, int more, uint8_t src_last)
{
	uint16_t frag = (uint16_t)((more ? 0x2000 : 0) | (off / 8));
	size_t total = 20 + len;
	uint8_t h[20] = { 0x45, 0, (uint8_t)(total >> 8), (uint8_t)total,
			  (uint8_t)(ident >> 8), (uint8_t)ident,
			  (uint8_t)(frag >> 8), (uint8_t)frag, 64, 17, 0, 0,
			  192, 0, 2, src_last, 10, 0, 0, 1 };
	memcpy(out, h, sizeof h);
	memcpy(out + 20, payload + (off + len <= PAYLOAD_BYTES ? off : 0), len);
	return total;
}

/* Offers one fragment (copied to an exact-size buffer); returns the
 * reassembled datagram's length or 0, and its anomalies in *anom. */
static size_t offer(struct defrag *d, const uint8_t *bytes, size_t n,
		    uint64_t frame, uint64_t ts_us, uint8_t *whole,
		    anomaly_set *anom)
{
	uint8_t *copy = malloc(n);
	struct packet pkt;
	const struct packet *out;
	size_t got = 0;

	assert_non_null(copy);
	memcpy(copy, bytes, n);
	memset(&pkt, 0, sizeof pkt);
	pkt.frame = frame;
	pkt.ts_us = ts_us;
	pkt.caplen = pkt.wirelen = (uint32_t)n;
	pkt.linktype = LINKTYPE_RAW_IP;
	pkt.data = copy;
	decode_packet(&pkt);
	out = defrag_packet(d, &pkt);
	if (anom)
		*anom |= pkt.anomalies;
	if (out != &pkt) {
		assert_true(out->flags & PKT_REASSEMBLED);
		assert_int_equal(out->frame, frame);
		assert_ptr_equal(out->record, copy);
		assert_int_equal(out->record_caplen, n);
		assert_int_equal(out->ip_version, 4);
		assert_true(out->flags & PKT_HAS_L4);
		got = out->caplen;
		memcpy(whole, out->data, out->caplen);
	} else {
		assert_false(pkt.flags & PKT_REASSEMBLED);
	}
	free(copy);
	return got;
}

/* The UDP datagram: header then filler, as payload[]. */
static void fill_payload(void)
{
	for (size_t i = 0; i < PAYLOAD_BYTES; i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	payload[0] = 0x13; payload[1] = 0x88; /* port 5000 */
	payload[2] = 0x00; payload[3] = 0x35; /* port 53 */
	payload[4] = PAYLOAD_BYTES >> 8; payload[5] = PAYLOAD_BYTES & 0xff;
	payload[6] = payload[7] = 0;          /* no checksum */
}

/* Every order of 5 fragments (by a random shuffle, many times) gives the
 * same datagram, on the last fragment offered. */
static void test_any_order(void **state)
{
	uint8_t frag[5][600], whole[2000], first[2000];
	size_t len[5], first_len = 0;
	(void)state;
	fill_payload();
	for (int i = 0; i < 5; i++)
		len[i] = ipv4_fragment(frag[i], 1, (size_t)i * 240,
				       i == 4 ? PAYLOAD_BYTES - 960 : 240,
				       i != 4, 1);
	srand(7);
	for (int round = 0; round < 500; round++) {
		int order[5] = { 0, 1, 2, 3, 4 };
		for (int i = 4; i > 0; i--) {
			int j = rand() % (i + 1), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		struct defrag *d = defrag_create(NULL);
		assert_non_null(d);
		anomaly_set anom = 0;
		for (int i = 0; i < 5; i++) {
			size_t got = offer(d, frag[order[i]], len[order[i]],
					   (uint64_t)i + 1, 1000, whole, &anom);
			assert_int_equal(got != 0, i == 4);
			if (got && !first_len) {
				first_len = got;
				memcpy(first, whole, got);
			} else if (got) {
				assert_int_equal(got, first_len);
				assert_memory_equal(whole, first, got);
			}
		}
		assert_false(anomaly_has(anom, ANOM_FRAGMENT_OVERLAP_CONFLICT));
		assert_int_equal(defrag_in_flight(d), 0);
		assert_int_equal(defrag_bytes_held(d), 0);
		defrag_destroy(d);
	}
	assert_int_equal(first_len, 20 + PAYLOAD_BYTES);
	assert_memory_equal(first + 20, payload, PAYLOAD_BYTES);
}

/* A later fragment overlapping with different bytes: conflict named, the
 * first-arrived bytes kept. An identical overlap is no conflict. */
static void test_overlap_keeps_first(void **state)
{
	uint8_t a[700], b[700], evil[700], whole[2000];
	size_t na, nb, ne, got;
	anomaly_set anom = 0;
	(void)state;
	fill_payload();
	struct defrag *d = defrag_create(NULL);
	na = ipv4_fragment(a, 2, 0, 600, 1, 1);
	ne = ipv4_fragment(evil, 2, 0, 600, 1, 1);
	evil[20 + 100] ^= 0xff; /* a byte inside the overlap differs */
	nb = ipv4_fragment(b, 2, 600, PAYLOAD_BYTES - 600, 0, 1);
	assert_int_equal(offer(d, a, na, 1, 0, whole, &anom), 0);
	assert_int_equal(offer(d, a, na, 2, 0, whole, &anom), 0);
	assert_false(anomaly_has(anom, ANOM_FRAGMENT_OVERLAP_CONFLICT));
	assert_int_equal(offer(d, evil, ne, 3, 0, whole, &anom), 0);
	assert_true(anomaly_has(anom, ANOM_FRAGMENT_OVERLAP_CONFLICT));
	got = offer(d, b, nb, 4, 0, whole, &anom);
	assert_int_equal(got, 20 + PAYLOAD_BYTES);
	assert_memory_equal(whole + 20, payload, PAYLOAD_BYTES);
	defrag_destroy(d);
}

/* The bounds, each with its anomaly. */
static void test_bounds(void **state)
{
	uint8_t f[700], whole[2000];
	size_t n;
	anomaly_set anom = 0;
	(void)state;
	fill_payload();
	struct defrag_config cfg;
	defrag_config_default(&cfg);
	cfg.max_fragments = 4;
	cfg.max_datagrams = 2;
	cfg.timeout_us = 1000;
	struct defrag *d = defrag_create(&cfg);

	/* too many fragments */
	for (int i = 0; i < 5; i++) {
		n = ipv4_fragment(f, 3, (size_t)i * 8, 8, 1, 1);
		offer(d, f, n, (uint64_t)i + 1, 0, whole, &anom);
	}
	assert_true(anomaly_has(anom, ANOM_FRAGMENTS_TOO_MANY));
	/* datagrams in flight: a third evicts the oldest */
	anom = 0;
	for (uint8_t s = 1; s <= 3; s++) {
		n = ipv4_fragment(f, 4, 0, 8, 1, s);
		offer(d, f, n, 10 + s, 0, whole, &anom);
	}
	assert_true(anomaly_has(anom, ANOM_FRAGMENTS_EVICTED));
	assert_true(defrag_in_flight(d) <= 2);
	/* timeout: a packet 2 ms later drops them as incomplete */
	anom = 0;
	n = ipv4_fragment(f, 5, 0, 8, 1, 9);
	offer(d, f, n, 20, 2000, whole, &anom);
	assert_true(anomaly_has(anom, ANOM_FRAGMENTS_INCOMPLETE));
	assert_int_equal(defrag_in_flight(d), 1);
	assert_int_equal(defrag_end(d), 1);
	assert_int_equal(defrag_bytes_held(d), 0);
	defrag_destroy(d);

	/* bytes held: a second datagram past the bound evicts the first */
	defrag_config_default(&cfg);
	cfg.max_bytes_held = 1024;
	d = defrag_create(&cfg);
	anom = 0;
	n = ipv4_fragment(f, 6, 0, 512, 1, 1);
	offer(d, f, n, 1, 0, whole, &anom);
	n = ipv4_fragment(f, 7, 0, 512, 1, 2);
	offer(d, f, n, 2, 0, whole, &anom);
	assert_true(anomaly_has(anom, ANOM_FRAGMENTS_EVICTED));
	assert_true(defrag_bytes_held(d) <= 1024);
	defrag_destroy(d);
}

/* Non-fragments pass untouched; a datagram longer than IP allows is
 * fragment_too_long. */
static void test_pass_and_too_long(void **state)
{
	uint8_t f[700], whole[2000];
	anomaly_set anom = 0;
	(void)state;
	fill_payload();
	struct defrag *d = defrag_create(NULL);
	size_t n = ipv4_fragment(f, 8, 0, 64, 0, 1); /* no MF, offset 0 */
	assert_int_equal(offer(d, f, n, 1, 0, whole, &anom), 0);
	assert_int_equal(defrag_in_flight(d), 0);
	n = ipv4_fragment(f, 9, 65528, 64, 0, 1);
	offer(d, f, n, 2, 0, whole, &anom);
	assert_true(anomaly_has(anom, ANOM_FRAGMENT_TOO_LONG));
	assert_int_equal(defrag_in_flight(d), 0);
	defrag_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_order),
		cmocka_unit_test(test_overlap_keeps_first),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_pass_and_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
