/*
 * openvpn.h — OpenVPN's control-channel packets, which carry the TLS
 * handshake (and its certificates) in the clear unless tls-crypt wraps
 * them.
 *
 * A packet (over UDP one per datagram; over TCP each after a 2-byte
 * length, see openvpn_tcp_length()):
 *   opcode (5 bits) and key id (3 bits)
 *   session id (8 bytes)
 *   with tls-auth: HMAC (hmac_len bytes), packet id (4), time (4)
 *   ack count (1); if not 0: that many acked message ids (4 each) and
 *     the peer's session id (8)
 *   message packet id (4), except in P_ACK_V1
 *   payload: TLS records in P_CONTROL_V1; nothing in P_ACK_V1 and, but
 *     for tls-crypt-v2's additions, in the resets
 * The HMAC's length is not on the wire (it depends on --auth): a layout
 * is one of OPENVPN_LAYOUTS lengths, none first, and openvpn_layouts()
 * says which ones a packet fits. Data packets (P_DATA_V1/V2) and tls-crypt-v2's
 * wrapped ones (P_CONTROL_HARD_RESET_CLIENT_V3, P_CONTROL_WKC_V1) carry
 * nothing readable here. At most OPENVPN_ACKS_MAX acks (OpenVPN sends at
 * most 8 per packet); more is malformed.
 * Pure: no allocation, no I/O; the payload points into the caller's bytes.
 */
#ifndef ATTRIB_PARSE_OPENVPN_H
#define ATTRIB_PARSE_OPENVPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum openvpn_opcode {
	OPENVPN_HARD_RESET_CLIENT_V1 = 1,
	OPENVPN_HARD_RESET_SERVER_V1 = 2,
	OPENVPN_SOFT_RESET_V1 = 3,
	OPENVPN_CONTROL_V1 = 4,
	OPENVPN_ACK_V1 = 5,
	OPENVPN_DATA_V1 = 6,
	OPENVPN_HARD_RESET_CLIENT_V2 = 7,
	OPENVPN_HARD_RESET_SERVER_V2 = 8,
	OPENVPN_DATA_V2 = 9,
	OPENVPN_HARD_RESET_CLIENT_V3 = 10,
	OPENVPN_CONTROL_WKC_V1 = 11,
};

#define OPENVPN_ACKS_MAX 8
#define OPENVPN_LAYOUTS 6
#define OPENVPN_TCP_LENGTH_LEN 2

struct openvpn_packet {
	uint8_t opcode, key_id;
	uint64_t session_id;
	uint32_t replay_id, replay_time; /* with tls-auth */
	uint8_t n_acks;
	uint32_t acks[OPENVPN_ACKS_MAX];
	uint64_t remote_session_id;      /* when n_acks > 0 */
	bool has_message_id;             /* all but P_ACK_V1 */
	uint32_t message_id;
	const uint8_t *payload;
	size_t payload_len;
};

enum openvpn_status {
	OPENVPN_OK,          /* a control packet, read */
	OPENVPN_NOT_CONTROL, /* data, wrapped by tls-crypt-v2, or unknown */
	OPENVPN_MALFORMED,   /* fields run past the packet, too many acks */
};

/* HMAC length of layout i (0 <= i < OPENVPN_LAYOUTS): 0, 16, 20, 32,
 * 48, 64 (none, MD5, SHA-1, SHA-256, SHA-384, SHA-512). */
unsigned openvpn_layout_hmac(unsigned layout);

/* True for the opcodes openvpn_parse() reads. */
bool openvpn_readable(uint8_t opcode);

/* The client's (true) or the server's hard resets. */
bool openvpn_client_reset(uint8_t opcode);
bool openvpn_server_reset(uint8_t opcode);

/*
 * Reads the n bytes at p as one packet with an HMAC of hmac_len bytes
 * (0: none) into *out (fully overwritten).
 */
enum openvpn_status openvpn_parse(const uint8_t *p, size_t n,
				  unsigned hmac_len,
				  struct openvpn_packet *out);

/* True when the packet's payload starts a TLS handshake record. */
bool openvpn_starts_tls_record(const struct openvpn_packet *pk);

/*
 * The layouts (bit i for layout i) under which the packet reads as
 * OpenVPN sends it: a reset or P_ACK_V1 with nothing after its fields (and
 * at least one ack in P_ACK_V1), or a P_CONTROL_V1 whose payload starts a
 * TLS handshake record; with tls-auth a packet id and time other than 0;
 * the peer's session id, when peer is not NULL and the packet acks
 * anything, equal to *peer. 0 for packets that tell nothing.
 */
uint8_t openvpn_layouts(const uint8_t *p, size_t n, const uint64_t *peer);

/*
 * The first packet of a flow as a client or server hard reset (key id 0,
 * message packet id 0) under some layout: the test for a flow to follow.
 */
bool openvpn_starts_flow(const uint8_t *p, size_t n);

/*
 * Over TCP: the length of the packet the n bytes at p start with (after
 * the 2-byte length); false when fewer than 2 bytes are there.
 */
bool openvpn_tcp_length(const uint8_t *p, size_t n, uint16_t *len);

#endif
