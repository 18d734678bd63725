/*
 * test_parse_openvpn.c — table-driven tests of analyze/parse/openvpn.c:
 * real control packets (openvpn.pcap in /work/shared/pcaps/ndpi, frame
 * noted; fields as tshark 4.0.17's OpenVPN dissector shows them, decoded
 * with the HMAC size noted) read under their layout, the layouts they vote
 * for, the flow-start test; hostile packets (every truncation, too many
 * acks, data and unknown opcodes) give MALFORMED or nothing, never a read
 * past the end (each input in an exact-size heap buffer for ASan).
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

#include "analyze/parse/openvpn.h"

struct real_packet {
	const char *source;
	const char *hex;
	unsigned hmac;          /* the layout it was sent with */
	uint8_t opcode, n_acks;
	uint32_t message_id;    /* when it has one */
	size_t payload_len;
	uint8_t layouts;        /* openvpn_layouts() without a peer */
	bool starts_flow;
};

static const struct real_packet real[] = {
	{ "openvpn.pcap:1 P_CONTROL_HARD_RESET_CLIENT_V2, no tls-auth",
	  "38334857703d96db390000000000", 0, OPENVPN_HARD_RESET_CLIENT_V2, 0,
	  0, 0, 0x01, true },
	{ "openvpn.pcap:2 P_CONTROL_HARD_RESET_SERVER_V2",
	  "40d31c3a6964602fa00100000000334857703d96db3900000000", 0,
	  OPENVPN_HARD_RESET_SERVER_V2, 1, 0, 0, 0x01, true },
	{ "openvpn.pcap:3 P_ACK_V1",
	  "28334857703d96db390100000000d31c3a6964602fa0", 0, OPENVPN_ACK_V1,
	  1, 0, 0, 0x01, false },
	{ "openvpn.pcap:220 (TCP) reset, tls-auth HMAC-SHA1",
	  "3892b8af4a777fc742781024c276d9a1a8c2321879a02264b3ccbc807700000001"
	  "577e73b30000000000", 20, OPENVPN_HARD_RESET_CLIENT_V2, 0, 0, 0,
	  0x04, true },
	{ "openvpn.pcap:222 (TCP) server reset, HMAC-SHA1",
	  "40d916c4860cb1d8cfa373cfd663159fc0253b52973b189f7f6cb9df8b00000001"
	  "577e737d010000000092b8af4a777fc74200000000", 20,
	  OPENVPN_HARD_RESET_SERVER_V2, 1, 0, 0, 0x04, true },
	{ "openvpn.pcap:224 (TCP) ack, HMAC-SHA1",
	  "2892b8af4a777fc74228ba4bb4a361e4c2c58f21f72b20f53b7846d1c200000002"
	  "577e73b30100000000d916c4860cb1d8cf", 20, OPENVPN_ACK_V1, 1, 0, 0,
	  0x04, false },
	{ "openvpn.pcap:661 reset, HMAC-SHA512",
	  "389753568924842f7ba6451d00b204542cec1183d286579c7a0d1b4e77c933bd1e"
	  "44c778043835399e46c15b986f91d1883467f203c379ef843943c991f4d7fa2209"
	  "3a4bff93864fb800000001669fcf310000000000", 64,
	  OPENVPN_HARD_RESET_CLIENT_V2, 0, 0, 0, 0x20, true },
	{ "openvpn.pcap:4 P_CONTROL_V1 starting the ClientHello (cut)",
	  "20334857703d96db39000000000116030101100100010c0303e4c42f6110300b",
	  0, OPENVPN_CONTROL_V1, 0, 1, 18, 0x01, false },
	{ "openvpn.pcap:18 P_CONTROL_V1 acking 2 (cut)",
	  "20d31c3a6964602fa0020000000300000004334857703d96db3900000006170303"
	  "004a", 0, OPENVPN_CONTROL_V1, 2, 6, 5, 0x00, false },
	/* tls-crypt: what follows the session id's packet id is encrypted;
	 * no layout reads it as OpenVPN sends it. */
	{ "openvpn.pcap:618 (TCP) tls-crypt reset",
	  "382a56d979d99eccf40000000163cf4ff5b89824b0aa4e93c089c1e24af5443766"
	  "b5cab18c23c17d51081eb196a229085eec179d0d88", 0,
	  OPENVPN_HARD_RESET_CLIENT_V2, 0, 0x163, 40, 0x00, false },
};

static void test_real_packets(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		const struct real_packet *c = &real[i];
		struct openvpn_packet pk;
		size_t n;
		uint8_t *p = from_hex(c->hex, &n);

		if (openvpn_parse(p, n, c->hmac, &pk) != OPENVPN_OK)
			fail_msg("%s: not read", c->source);
		if (pk.opcode != c->opcode || pk.key_id != 0 ||
		    pk.n_acks != c->n_acks ||
		    (pk.has_message_id && pk.message_id != c->message_id) ||
		    pk.payload_len != c->payload_len)
			fail_msg("%s: opcode %u acks %u id %u payload %zu",
				 c->source, pk.opcode, pk.n_acks,
				 pk.message_id, pk.payload_len);
		assert_int_equal(pk.has_message_id,
				 c->opcode != OPENVPN_ACK_V1);
		if (openvpn_layouts(p, n, NULL) != c->layouts)
			fail_msg("%s: layouts %#x", c->source,
				 openvpn_layouts(p, n, NULL));
		if (openvpn_starts_flow(p, n) != c->starts_flow)
			fail_msg("%s: starts_flow", c->source);
		free(p);
	}
}

/* An ack counts only when it names the peer's session. */
static void test_peer_session(void **state)
{
	static const unsigned hmac[OPENVPN_LAYOUTS] = { 0, 16, 20, 32, 48, 64 };
	const uint64_t server = 0xd31c3a6964602fa0ull, other = 1;
	struct openvpn_packet pk;
	size_t n;
	uint8_t *p = from_hex(real[2].hex, &n);

	(void)state;
	assert_int_equal(openvpn_layouts(p, n, &server), 0x01);
	assert_int_equal(openvpn_layouts(p, n, &other), 0x00);
	assert_int_equal(openvpn_parse(p, n, 0, &pk), OPENVPN_OK);
	assert_true(pk.remote_session_id == server);
	assert_int_equal(pk.acks[0], 0);
	free(p);
	for (unsigned i = 0; i < OPENVPN_LAYOUTS; i++)
		assert_int_equal(openvpn_layout_hmac(i), hmac[i]);
	assert_int_equal(openvpn_layout_hmac(OPENVPN_LAYOUTS), 0);
}

static void test_hostile(void **state)
{
	static const struct {
		const char *name, *hex;
		unsigned hmac;
		enum openvpn_status status;
	} cases[] = {
		{ "empty", "", 0, OPENVPN_MALFORMED },
		{ "P_DATA_V2", "48000001aabbccdd", 0, OPENVPN_NOT_CONTROL },
		{ "P_DATA_V1", "30aabbcc", 0, OPENVPN_NOT_CONTROL },
		{ "tls-crypt-v2 reset", "5011223344556677880f000000", 0,
		  OPENVPN_NOT_CONTROL },
		{ "opcode 31", "f8", 0, OPENVPN_NOT_CONTROL },
		{ "255 acks", "281122334455667788ff00000001", 0,
		  OPENVPN_MALFORMED },
		{ "9 acks", "28112233445566778809"
		  "000000010000000200000003000000040000000500000006000000070000"
		  "00080000000911223344556677aa", 0, OPENVPN_MALFORMED },
		{ "acks past the packet", "2811223344556677880300000001", 0,
		  OPENVPN_MALFORMED },
		{ "no remote session", "28112233445566778801000000011122", 0,
		  OPENVPN_MALFORMED },
		{ "HMAC past the packet", "38112233445566778800000000", 64,
		  OPENVPN_MALFORMED },
		{ "no message id", "2011223344556677880000", 0,
		  OPENVPN_MALFORMED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct openvpn_packet pk;
		size_t n;
		uint8_t *p = from_hex(cases[i].hex, &n);

		if (openvpn_parse(p, n, cases[i].hmac, &pk) != cases[i].status)
			fail_msg("%s", cases[i].name);
		assert_int_equal(openvpn_layouts(p, n, NULL), 0);
		assert_false(openvpn_starts_flow(p, n));
		free(p);
	}
	/* Every truncation of every real packet: read only what is there. */
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		size_t n;
		uint8_t *full = from_hex(real[i].hex, &n);

		for (size_t cut = 0; cut < n; cut++) {
			uint8_t *p = dup_bytes(full, cut);
			struct openvpn_packet pk;

			for (unsigned l = 0; l < OPENVPN_LAYOUTS; l++)
				if (openvpn_parse(p, cut, openvpn_layout_hmac(l),
						  &pk) == OPENVPN_OK)
					assert_true(pk.payload_len <= cut);
			openvpn_layouts(p, cut, NULL);
			openvpn_starts_flow(p, cut);
			free(p);
		}
		free(full);
	}
}

static void test_tcp_length(void **state)
{
	uint16_t len = 0;
	uint8_t *p = dup_bytes("\x00\x2a\x38", 3);

	(void)state;
	assert_true(openvpn_tcp_length(p, 3, &len));
	assert_int_equal(len, 42);
	assert_false(openvpn_tcp_length(p, 1, &len));
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_packets),
		cmocka_unit_test(test_peer_session),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_tcp_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
