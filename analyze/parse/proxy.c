/*
 * proxy.c — PROXY protocol header length (see proxy.h).
 */
#include "analyze/parse/proxy.h"

#include <string.h>

#include "capture/cursor.h"

#define PROXY_V2_SIGNATURE_LEN 12
#define PROXY_V2_VERSION 0x20

static const uint8_t v1_prefix[6] = { 'P', 'R', 'O', 'X', 'Y', ' ' };
static const uint8_t v2_signature[PROXY_V2_SIGNATURE_LEN] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
};

size_t proxy_header_len(const uint8_t *p, size_t len)
{
	struct cursor c;
	uint8_t head[PROXY_V2_SIGNATURE_LEN], b, prev = 0, version_command,
					       family;
	uint16_t rest;

	cursor_init(&c, p, len);
	if (cursor_copy(&c, head, sizeof(v1_prefix)) &&
	    memcmp(head, v1_prefix, sizeof(v1_prefix)) == 0) {
		/* Printable text up to CR LF, within PROXY_V1_MAX bytes. */
		while (c.off < PROXY_V1_MAX && cursor_u8(&c, &b)) {
			if (prev == '\r' && b == '\n')
				return c.off;
			if ((b < ' ' || b > '~') && b != '\r')
				return 0;
			prev = b;
		}
		return 0;
	}
	cursor_init(&c, p, len);
	if (!cursor_copy(&c, head, sizeof(head)) ||
	    memcmp(head, v2_signature, sizeof(head)) != 0 ||
	    !cursor_u8(&c, &version_command) ||
	    (version_command & 0xf0) != PROXY_V2_VERSION ||
	    !cursor_u8(&c, &family) || !cursor_be16(&c, &rest) ||
	    !cursor_skip(&c, rest))
		return 0;
	return c.off;
}
