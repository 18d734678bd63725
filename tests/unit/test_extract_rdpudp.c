/*
 * test_extract_rdpudp.c — cmocka tests of the RDP-UDP family: the
 * MS-RDPEUDP2 session of rdp2.pcap (/work/shared/pcaps/ndpi, frames 1-6)
 * gives tshark's SNI and JA3 with "carrier=rdpudp version=3", its
 * retransmitted ClientHello nothing more; a reliable version 2 session
 * with pieces out of order is put back together; the lossy session of
 * rdp2.pcap (frames 33-38, DTLS) is left alone; hostile data packets and
 * sequence numbers far ahead give rdpudp_malformed.
 */
#include "test_extract_helpers.h"

#include "test_bytes.h"

#define SYN_LEN 1232

/* Hex padded with zeros to pad bytes, sent as one datagram. */
static void send_hex(struct fx *fx, struct conn *c, enum flow_dir dir,
		     const char *hex, size_t pad)
{
	size_t len;
	uint8_t *h = from_hex(hex, &len);
	uint8_t *p;

	if (pad < len)
		pad = len;
	p = calloc(1, pad);
	assert_non_null(p);
	memcpy(p, h, len);
	conn_send(fx, c, dir, p, pad);
	free(p);
	free(h);
}

static const char frame3[] =
	"0014c101f40164e06400010016030200800100007c030260b8d15434f6002eb4"
	"1acb7d240955bda36c57d6ebef9bc33073450701d76e9b00000ec00ac009c014"
	"c0130035002f000a0100004500000022002000001d57494e2d3851534f304433"
	"4f4b42492e48415244454e494e472e434f4d000a00080006001d00170018000b"
	"000201000023000000170000ff01000100";
static const char frame5[] =
	"0114c066006600e00016030200800100007c030260b8d15434f6002eb41acb7d"
	"240955bda36c57d6ebef9bc33073450701d76e9b00000ec00ac009c014c01300"
	"35002f000a0100004500000022002000001d57494e2d3851534f3044334f4b42"
	"492e48415244454e494e472e434f4d000a00080006001d00170018000b000201"
	"000023000000170000ff01000100";

static void v3_session_start(struct fx *fx, struct conn *c, uint64_t id)
{
	conn_init(c, id, T_UDP, "192.168.122.181", 54759, "192.168.122.2",
		  3389, 1000);
	send_hex(fx, c, FLOW_DIR_C2S,
		 "ffffffff00401801bbff568704d004d0a69040c1df7948b78fa08c4d6363"
		 "00000000000000000000000000000000000000010101",
		 SYN_LEN);
	send_hex(fx, c, FLOW_DIR_S2C,
		 "bbff5687004010054d67796604d004d000010101", SYN_LEN);
}

static void test_rdp2_version3(void **state)
{
	struct fx fx;
	struct conn c;
	const struct rec *r;

	(void)state;
	fx_init(&fx, NULL);
	v3_session_start(&fx, &c, 1);
	send_hex(&fx, &c, FLOW_DIR_C2S, frame3, 0);
	send_hex(&fx, &c, FLOW_DIR_C2S, "0014c064006500f0", 1007);
	send_hex(&fx, &c, FLOW_DIR_C2S, frame5, 0);
	send_hex(&fx, &c, FLOW_DIR_S2C,
		 "0055c16400db05f000000a01f401640064", 1018);
	conn_end(&fx, &c, NULL, NULL);
	r = log_find(&fx.log, OBS_TLS_SNI, "WIN-8QSO0D3OKBI.HARDENING.COM");
	assert_non_null(r);
	assert_int_equal(r->frame, 3);
	assert_true(detail_has(r, "impl=attrib carrier=rdpudp version=3"));
	/* tshark's tls.handshake.ja3 for frame 3 */
	r = log_find(&fx.log, OBS_TLS_JA3, "84869b491ae5b9469d83b4c661763cd9");
	assert_non_null(r);
	assert_int_equal(r->frame, 3);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 1);
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 1);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	fx_free(&fx);
}

/* A version 1/2 data packet: ACK with an empty vector, DATA, snCoded and
 * snSourceStart seq, then payload. */
static void send_v1(struct fx *fx, struct conn *c, enum flow_dir dir,
		    uint32_t seq, const uint8_t *payload, size_t n)
{
	struct wbuf w = { .n = 0 };

	put(&w, "\x00\x00\x00\x01\x04\x00\x00\x0c\x00\x00\x00\x00", 12);
	put16(&w, seq >> 16);
	put16(&w, seq & 0xffff);
	put16(&w, seq >> 16);
	put16(&w, seq & 0xffff);
	put(&w, payload, n);
	conn_send(fx, c, dir, w.b, w.n);
}

/* A small TLS ClientHello record (SNI rdp.example). */
static void client_hello(struct wbuf *w)
{
	static const char sni[] = "rdp.example";

	put(w, "\x16\x03\x01", 3);
	put16(w, 4 + 2 + 32 + 1 + 2 + 2 + 2 + 2 + 9 + sizeof(sni) - 1);
	put8(w, 1);
	put24(w, 2 + 32 + 1 + 2 + 2 + 2 + 2 + 9 + sizeof(sni) - 1);
	put16(w, 0x0303);
	for (int i = 0; i < 32; i++)
		put8(w, 7);
	put8(w, 0);
	put16(w, 2);
	put16(w, 0x002f);
	put16(w, 0x0100);
	put16(w, 9 + sizeof(sni) - 1);
	put16(w, 0);
	put16(w, 5 + sizeof(sni) - 1);
	put16(w, 3 + sizeof(sni) - 1);
	put8(w, 0);
	put16(w, sizeof(sni) - 1);
	put(w, sni, sizeof(sni) - 1);
}

static void test_reliable_version2(void **state)
{
	struct wbuf ch = { .n = 0 };
	struct fx fx;
	struct conn c;
	const struct rec *r;
	size_t third;

	(void)state;
	client_hello(&ch);
	third = ch.n / 3;
	fx_init(&fx, NULL);
	conn_init(&c, 2, T_UDP, "10.0.0.5", 50000, "192.0.2.10", 3389, 1000);
	/* SYN (SYNEX version 2), SYN+ACK: initial numbers 0x10 and 0x90. */
	send_hex(&fx, &c, FLOW_DIR_C2S,
		 "ffffffff00401001000000100480048000010002", SYN_LEN);
	send_hex(&fx, &c, FLOW_DIR_S2C,
		 "0000001000401005000000900480048000010002", SYN_LEN);
	send_v1(&fx, &c, FLOW_DIR_C2S, 0x13, ch.b + 2 * third,
		ch.n - 2 * third);
	send_v1(&fx, &c, FLOW_DIR_C2S, 0x11, ch.b, third);
	send_v1(&fx, &c, FLOW_DIR_C2S, 0x11, ch.b, third); /* again */
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 0);
	send_v1(&fx, &c, FLOW_DIR_C2S, 0x12, ch.b + third, third);
	r = log_find(&fx.log, OBS_TLS_SNI, "rdp.example");
	assert_non_null(r);
	assert_int_equal(r->frame, 6);
	assert_true(detail_has(r, "carrier=rdpudp version=2"));
	assert_true(detail_has(log_nth(&fx.log, OBS_TLS_JA3, 0),
			       "ja3=771,47,0,,"));
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	fx_free(&fx);
}

/* The lossy session of rdp2.pcap (DTLS): not read, no anomaly. */
static void test_lossy_left_alone(void **state)
{
	struct fx fx;
	struct conn c;

	(void)state;
	fx_init(&fx, NULL);
	conn_init(&c, 3, T_UDP, "10.50.181.210", 60355, "10.50.73.36", 3389,
		  1000);
	send_hex(&fx, &c, FLOW_DIR_C2S,
		 "ffffffff00401a019fd6752b04d004d072b53b847b4a475db6ab6b230402"
		 "0000000000000000000000000000000000000001000271bbbe88",
		 SYN_LEN);
	send_hex(&fx, &c, FLOW_DIR_S2C,
		 "9fd6752b00401005c76d5c1704d004d000010002", SYN_LEN);
	send_hex(&fx, &c, FLOW_DIR_C2S,
		 "c76d5c170400000c000000009fd6752c9fd6752c16feff00000000000000"
		 "0000780100006c000000000000006cfeff",
		 0);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 0);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);
	fx_free(&fx);
}

static void test_hostile(void **state)
{
	struct wbuf ch = { .n = 0 };
	struct fx fx;
	struct conn c;

	(void)state;
	client_hello(&ch);
	fx_init(&fx, NULL);
	/* Version 3: an ACK whose delayed acks run past the datagram. */
	v3_session_start(&fx, &c, 4);
	send_hex(&fx, &c, FLOW_DIR_S2C, "0001c00000000000000f00", 0);
	assert_int_equal(log_count_value(&fx.log, OBS_ANOMALY,
					 "rdpudp_malformed"),
			 1);
	assert_true(detail_has(log_find(&fx.log, OBS_ANOMALY,
					"rdpudp_malformed"),
			       "layer=rdpudp"));
	/* Version 3 data numbered far ahead of the first piece (channel
	 * 255; the wire's first and eighth bytes swapped). */
	send_hex(&fx, &c, FLOW_DIR_C2S, frame3, 0);
	send_hex(&fx, &c, FLOW_DIR_C2S, "1604c00000ff0000aabb", 0);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count_value(&fx.log, OBS_ANOMALY,
					 "rdpudp_malformed"),
			 2);

	/* Version 2: a source header cut short, pieces far ahead. */
	log_clear(&fx.log);
	conn_init(&c, 5, T_UDP, "10.0.0.5", 50001, "192.0.2.10", 3389, 1000);
	send_hex(&fx, &c, FLOW_DIR_C2S,
		 "ffffffff00401001000000100480048000010002", SYN_LEN);
	send_hex(&fx, &c, FLOW_DIR_C2S, "00000001040000080000", 0);
	send_v1(&fx, &c, FLOW_DIR_C2S, 0x5000, ch.b, ch.n);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count_value(&fx.log, OBS_ANOMALY,
					 "rdpudp_malformed"),
			 2);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 0);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);

	/* Not RDP-UDP: a datagram of 0xff bytes without the SYN's MTUs. */
	log_clear(&fx.log);
	conn_init(&c, 6, T_UDP, "10.0.0.5", 50002, "192.0.2.10", 3389, 1000);
	send_hex(&fx, &c, FLOW_DIR_C2S, "ffffffff00401001", 64);
	send_v1(&fx, &c, FLOW_DIR_C2S, 0x11, ch.b, ch.n);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_TLS_JA3), 0);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 0);
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rdp2_version3),
		cmocka_unit_test(test_reliable_version2),
		cmocka_unit_test(test_lossy_left_alone),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
