/*
 * test_parse_rdpudp.c — table-driven tests of analyze/parse/rdpudp.c:
 * real datagrams of rdp2.pcap (/work/shared/pcaps/ndpi, frame noted;
 * fields as tshark 4.0.17's RDPUDP dissector shows them) — the SYN
 * exchange of a version 3 (MS-RDPEUDP2) and of a lossy version 2 session,
 * their data packets and acknowledgements; hostile datagrams (every
 * truncation, an ACK vector or delayed-ack count past the end, an
 * oversized version 3 datagram) give MALFORMED, never a read past the end
 * (each input in an exact-size heap buffer for ASan).
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

#include "analyze/parse/rdpudp.h"

#define SYN_LEN 1232 /* SYNs are padded with zeros to the MTU */

static struct rdpudp_data data; /* large: not on the stack */

/* Hex into an exact-size buffer, padded with zeros to pad bytes. */
static uint8_t *padded(const char *hex, size_t pad, size_t *n)
{
	size_t len;
	uint8_t *h = from_hex(hex, &len);
	uint8_t *p;

	if (pad < len)
		pad = len;
	p = calloc(1, pad);
	assert_non_null(p);
	memcpy(p, h, len);
	free(h);
	*n = pad;
	return p;
}

static void test_syn(void **state)
{
	static const struct {
		const char *source, *hex;
		bool ok, ack, lossy;
		uint32_t isn;
		uint16_t version;
	} cases[] = {
		{ "rdp2.pcap:1 SYN, correlation id, version 3",
		  "ffffffff00401801bbff568704d004d0a69040c1df7948b78fa08c4d6363"
		  "00000000000000000000000000000000000000010101",
		  true, false, false, 0xbbff5687, RDPUDP_VERSION_3 },
		{ "rdp2.pcap:2 SYN+ACK, version 3",
		  "bbff5687004010054d67796604d004d000010101",
		  true, true, false, 0x4d677966, RDPUDP_VERSION_3 },
		{ "rdp2.pcap:33 SYN, lossy",
		  "ffffffff00401a019fd6752b04d004d072b53b847b4a475db6ab6b230402"
		  "0000000000000000000000000000000000000001000271bbbe88",
		  true, false, true, 0x9fd6752b, 2 },
		{ "rdp2.pcap:34 SYN+ACK, version 2",
		  "9fd6752b00401005c76d5c1704d004d000010002",
		  true, true, false, 0xc76d5c17, 2 },
		{ "SYN without SYNEX: version 1",
		  "ffffffff0040000100000001048c048c", true, false, false, 1, 1 },
		{ "SYN whose snSourceAck is not all ones",
		  "fffffffe00401801bbff568704d004d0", false, false, false, 0,
		  0 },
		{ "MTU out of range", "ffffffff00400001000000010400048c",
		  false, false, false, 0, 0 },
		{ "not a SYN", "ffffffff00400004000000010400048c", false, false,
		  false, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rdpudp_syn syn;
		size_t n;
		uint8_t *p = padded(cases[i].hex, 0, &n);
		bool ok = rdpudp_parse_syn(p, n, &syn);

		if (ok != cases[i].ok ||
		    (ok && (syn.ack != cases[i].ack ||
			    syn.lossy != cases[i].lossy ||
			    syn.initial_seq != cases[i].isn ||
			    syn.version != cases[i].version)))
			fail_msg("%s", cases[i].source);
		free(p);
		p = padded(cases[i].hex, SYN_LEN, &n);
		assert_int_equal(rdpudp_parse_syn(p, n, &syn), cases[i].ok);
		free(p);
	}
}

struct data_case {
	const char *source, *hex;
	bool v3;
	enum rdpudp_status status;
	uint32_t seq;
	size_t payload_len;
	const char *payload_start; /* hex */
};

static const struct data_case data_cases[] = {
	{ "rdp2.pcap:3 version 3 data, ClientHello (DelayAckInfo, AOA)",
	  "0014c101f40164e06400010016030200800100007c030260b8d15434f6002eb4",
	  true, RDPUDP_OK, 1, 20, "160302008001" },
	{ "rdp2.pcap:5 version 3 data again (AOA)",
	  "0114c066006600e00016030200800100007c0302", true, RDPUDP_OK, 1, 11,
	  "16030200" },
	{ "rdp2.pcap:4 version 3 dummy", "0014c064006500f0", true,
	  RDPUDP_NO_DATA, 0, 0, NULL },
	{ "rdp2.pcap:6 version 3 ACK, OverheadSize, DelayAckInfo, dummy",
	  "0055c16400db05f000000a01f4016400640000000000000000", true,
	  RDPUDP_NO_DATA, 0, 0,
	  NULL },
	{ "rdp2.pcap:35 version 2 data, DTLS ClientHello (cut)",
	  "c76d5c170400000c000000009fd6752c9fd6752c16feff0000000000",
	  false, RDPUDP_OK, 0x9fd6752c, 8, "16feff" },
	{ "rdp2.pcap:37 version 2 data, an ACK vector of one",
	  "9fd6752c00c8000c0001004cc76d5c18c76d5c1816feff", false, RDPUDP_OK,
	  0xc76d5c18, 3, "16feff" },
	{ "rdp2.pcap:39 version 2 ACK, a vector of three",
	  "9fd6752e00c80004000300c0006d5c18", false, RDPUDP_NO_DATA, 0, 0,
	  NULL },
	{ "MS-RDPEUDP 4.2.3 example, ACK of ACKs",
	  "d6cf0ab80400010c00010400d6cf0ab8ec471ae4ec471ae417030300", false,
	  RDPUDP_OK, 0xec471ae4, 4, "17030300" },
	{ "version 2 FEC data: not read",
	  "0000000104000018000000010000000200000002", false, RDPUDP_NO_DATA,
	  0, 0, NULL },
	{ "version 2 ACK vector past the datagram",
	  "9fd6752e00c8000400ff00c0", false, RDPUDP_MALFORMED, 0, 0, NULL },
	{ "version 2 data without its source header",
	  "9fd6752e00c80008000000", false, RDPUDP_MALFORMED, 0, 0, NULL },
	{ "version 3 ACK with 15 delayed acks past the end",
	  "0001c00000000000000f00", true, RDPUDP_MALFORMED, 0, 0, NULL },
	{ "version 3 ACKVEC with a time stamp past the end",
	  "000cc00000000000e5", true, RDPUDP_MALFORMED, 0, 0, NULL },
	{ "version 3 data without a channel number", "0004c10000000000",
	  true, RDPUDP_MALFORMED, 0, 0, NULL },
	{ "version 3, 7 bytes", "0004c000000000", true, RDPUDP_MALFORMED, 0,
	  0, NULL },
};

static void check_case(const struct data_case *c, const uint8_t *p,
		       size_t n)
{
	enum rdpudp_status st = c->v3 ? rdpudp_parse_v3(p, n, &data)
				       : rdpudp_parse_v1(p, n, &data);

	if (st != c->status || (st == RDPUDP_OK &&
				(data.seq != c->seq ||
				 data.payload_len != c->payload_len)))
		fail_msg("%s: status %d seq %#x payload %zu", c->source, st,
			 data.seq, data.payload_len);
	if (c->payload_start) {
		size_t len;
		uint8_t *want = from_hex(c->payload_start, &len);

		assert_memory_equal(data.payload, want, len);
		free(want);
	}
}

static void test_data(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(data_cases) / sizeof(data_cases[0]);
	     i++) {
		size_t n;
		uint8_t *p = from_hex(data_cases[i].hex, &n);

		check_case(&data_cases[i], p, n);
		/* Every truncation: read only what is there. */
		for (size_t cut = 0; cut < n; cut++) {
			uint8_t *q = dup_bytes(p, cut);

			if ((data_cases[i].v3 ? rdpudp_parse_v3(q, cut, &data)
					      : rdpudp_parse_v1(q, cut, &data)) ==
			    RDPUDP_OK)
				assert_true(data.payload_len < cut);
			rdpudp_parse_syn(q, cut,
					 &(struct rdpudp_syn){ .ack = false });
			free(q);
		}
		free(p);
	}
}

static void test_oversized(void **state)
{
	size_t n;
	uint8_t *p = padded("0014c101f40164e0640001001603", RDPUDP_DATAGRAM_MAX + 1,
			    &n);

	(void)state;
	assert_int_equal(rdpudp_parse_v3(p, n, &data), RDPUDP_MALFORMED);
	assert_int_equal(rdpudp_parse_v3(p, n - 1, &data), RDPUDP_OK);
	assert_int_equal(data.payload_len, RDPUDP_DATAGRAM_MAX - 12);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_oversized),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
