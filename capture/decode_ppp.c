/*
 * decode_ppp.c — PPP frames (RFC 1661, with address/control- and
 * protocol-field compression) and PPPoE sessions (RFC 2516), for the link
 * decoders of decode_link.c: Ethernet's PPPoE sessions and the PPP link
 * types. Cursor convention: decode_link.c.
 */
#include <stddef.h>

#include "decode.h"

enum {
	PPP_PROTO_IPV4 = 0x0021,
	PPP_PROTO_IPV6 = 0x0057,
	PPP_PROTO_CONTROL_MIN = 0x8000, /* NCPs and link control (RFC 1661) */
	PPP_ADDRESS_ALL = 0xff,
	PPP_CONTROL_UI = 0x03,
	PPP_ADDR_CTRL_BYTES = 2,
	PPPOE_FIXED_BYTES = 6,          /* ver/type, code, session, length */
	PPPOE_VER_TYPE = 0x11,
};

/*
 * A PPP frame from its (optional) address and control bytes: with
 * address/control-field compression the 0xff 0x03 are absent; with
 * protocol-field compression (RFC 1661 6.5) a protocol below 0x100 is one
 * byte, recognisable because a protocol's first byte is even and its last
 * odd. IPv4 and IPv6 go to decode_ip(); control protocols (0x8000 and up:
 * LCP, IPCP, CHAP …) are link_non_ip, any other protocol
 * ppp_protocol_unsupported.
 */
bool ppp_header_read(struct cursor *c, uint16_t *protocol)
{
	uint8_t address = 0, control = 0, first, second;

	if (cursor_peek_u8(c, c->off, &address) &&
	    cursor_peek_u8(c, c->off + 1, &control) &&
	    address == PPP_ADDRESS_ALL && control == PPP_CONTROL_UI)
		cursor_skip(c, PPP_ADDR_CTRL_BYTES);
	if (!cursor_u8(c, &first))
		return false;
	*protocol = first;
	if ((first & 1) == 0) {
		if (!cursor_u8(c, &second))
			return false;
		*protocol = (uint16_t)(first << 8 | second);
	}
	return true;
}

int ppp_ip_version(uint16_t protocol)
{
	return protocol == PPP_PROTO_IPV4   ? 4
	       : protocol == PPP_PROTO_IPV6 ? 6
					    : 0;
}

void decode_ppp_frame(struct packet *pkt, struct cursor *c)
{
	uint16_t protocol;

	if (!ppp_header_read(c, &protocol)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return;
	}
	int version = ppp_ip_version(protocol);
	if (version)
		decode_ip(pkt, c, version);
	else if (protocol >= PPP_PROTO_CONTROL_MIN)
		anomaly_add(&pkt->anomalies, ANOM_LINK_NON_IP);
	else
		anomaly_add(&pkt->anomalies, ANOM_PPP_PROTOCOL_UNSUPPORTED);
}

/* PPPoE session stage: fixed header, then a PPP frame (RFC 2516). */
void decode_pppoe_session(struct packet *pkt, struct cursor *c)
{
	uint8_t ver_type;

	if (!cursor_peek_u8(c, c->off, &ver_type) ||
	    !cursor_skip(c, PPPOE_FIXED_BYTES)) {
		anomaly_add(&pkt->anomalies, ANOM_LINK_TRUNCATED);
		return;
	}
	if (ver_type != PPPOE_VER_TYPE) {
		anomaly_add(&pkt->anomalies, ANOM_ETHERTYPE_UNSUPPORTED);
		return;
	}
	decode_ppp_frame(pkt, c);
}
