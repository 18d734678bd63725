/*
 * openvpn.c — OpenVPN control-channel packets (see openvpn.h).
 */
#include "analyze/parse/openvpn.h"

#include <string.h>

#include "capture/cursor.h"

#define OPCODE_SHIFT 3
#define KEY_ID_MASK 0x07
#define SESSION_ID_LEN 8
#define TLS_HANDSHAKE_RECORD 0x16
#define TLS_MAJOR 0x03
#define TLS_MINOR_MAX 0x04

static const uint8_t layout_hmac[OPENVPN_LAYOUTS] = { 0, 16, 20, 32, 48, 64 };

unsigned openvpn_layout_hmac(unsigned layout)
{
	return layout < OPENVPN_LAYOUTS ? layout_hmac[layout] : 0;
}

bool openvpn_client_reset(uint8_t opcode)
{
	return opcode == OPENVPN_HARD_RESET_CLIENT_V1 ||
	       opcode == OPENVPN_HARD_RESET_CLIENT_V2;
}

bool openvpn_server_reset(uint8_t opcode)
{
	return opcode == OPENVPN_HARD_RESET_SERVER_V1 ||
	       opcode == OPENVPN_HARD_RESET_SERVER_V2;
}

bool openvpn_readable(uint8_t opcode)
{
	return openvpn_client_reset(opcode) || openvpn_server_reset(opcode) ||
	       opcode == OPENVPN_SOFT_RESET_V1 ||
	       opcode == OPENVPN_CONTROL_V1 || opcode == OPENVPN_ACK_V1;
}

static bool read_u64(struct cursor *c, uint64_t *v)
{
	uint32_t hi, lo;

	if (!cursor_be32(c, &hi) || !cursor_be32(c, &lo))
		return false;
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

enum openvpn_status openvpn_parse(const uint8_t *p, size_t n,
				  unsigned hmac_len,
				  struct openvpn_packet *out)
{
	struct cursor c;
	uint8_t first;

	memset(out, 0, sizeof(*out));
	cursor_init(&c, p, n);
	if (!cursor_u8(&c, &first))
		return OPENVPN_MALFORMED;
	out->opcode = first >> OPCODE_SHIFT;
	out->key_id = first & KEY_ID_MASK;
	if (!openvpn_readable(out->opcode))
		return OPENVPN_NOT_CONTROL;
	if (!read_u64(&c, &out->session_id))
		return OPENVPN_MALFORMED;
	if (hmac_len > 0 &&
	    (!cursor_skip(&c, hmac_len) || !cursor_be32(&c, &out->replay_id) ||
	     !cursor_be32(&c, &out->replay_time)))
		return OPENVPN_MALFORMED;
	if (!cursor_u8(&c, &out->n_acks) || out->n_acks > OPENVPN_ACKS_MAX)
		return OPENVPN_MALFORMED;
	for (uint8_t i = 0; i < out->n_acks; i++)
		if (!cursor_be32(&c, &out->acks[i]))
			return OPENVPN_MALFORMED;
	if (out->n_acks > 0 && !read_u64(&c, &out->remote_session_id))
		return OPENVPN_MALFORMED;
	if (out->opcode != OPENVPN_ACK_V1) {
		if (!cursor_be32(&c, &out->message_id))
			return OPENVPN_MALFORMED;
		out->has_message_id = true;
	}
	out->payload_len = cursor_left(&c);
	out->payload = out->payload_len ? cursor_ptr(&c) : NULL;
	return OPENVPN_OK;
}

bool openvpn_starts_tls_record(const struct openvpn_packet *pk)
{
	struct cursor c;
	uint8_t type, major, minor;

	cursor_init(&c, pk->payload, pk->payload_len);
	return cursor_u8(&c, &type) && type == TLS_HANDSHAKE_RECORD &&
	       cursor_u8(&c, &major) && major == TLS_MAJOR &&
	       cursor_u8(&c, &minor) && minor <= TLS_MINOR_MAX;
}

/* True when pk, read with an HMAC of hmac_len bytes, looks as OpenVPN
 * sends it (see openvpn_layouts()). */
static bool fits(const struct openvpn_packet *pk, unsigned hmac_len,
		 const uint64_t *peer)
{
	bool shape;

	if (hmac_len > 0 && (pk->replay_id == 0 || pk->replay_time == 0))
		return false;
	if (pk->n_acks > 0 && peer && pk->remote_session_id != *peer)
		return false;
	switch (pk->opcode) {
	case OPENVPN_ACK_V1:
		shape = pk->n_acks > 0 && pk->payload_len == 0;
		break;
	case OPENVPN_CONTROL_V1:
		shape = openvpn_starts_tls_record(pk);
		break;
	default: /* the resets */
		shape = pk->payload_len == 0;
		break;
	}
	return shape;
}

uint8_t openvpn_layouts(const uint8_t *p, size_t n, const uint64_t *peer)
{
	struct openvpn_packet pk;
	uint8_t mask = 0;

	for (unsigned i = 0; i < OPENVPN_LAYOUTS; i++)
		if (openvpn_parse(p, n, layout_hmac[i], &pk) == OPENVPN_OK &&
		    fits(&pk, layout_hmac[i], peer))
			mask |= (uint8_t)(1u << i);
	return mask;
}

bool openvpn_starts_flow(const uint8_t *p, size_t n)
{
	struct openvpn_packet pk;

	for (unsigned i = 0; i < OPENVPN_LAYOUTS; i++)
		if (openvpn_parse(p, n, layout_hmac[i], &pk) == OPENVPN_OK &&
		    (openvpn_client_reset(pk.opcode) ||
		     openvpn_server_reset(pk.opcode)) &&
		    pk.key_id == 0 && pk.message_id == 0 &&
		    (layout_hmac[i] == 0 ||
		     (pk.replay_id != 0 && pk.replay_time != 0)))
			return true;
	return false;
}

bool openvpn_tcp_length(const uint8_t *p, size_t n, uint16_t *len)
{
	struct cursor c;

	cursor_init(&c, p, n);
	return cursor_be16(&c, len);
}
