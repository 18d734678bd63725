/*
 * rdpudp.c — RDP-UDP's SYN exchange and data packets (see rdpudp.h).
 */
#include "analyze/parse/rdpudp.h"

#include <string.h>

#include "capture/cursor.h"

/* MS-RDPEUDP 2.2.2.1 uFlags. */
#define FLAG_SYN 0x0001
#define FLAG_ACK 0x0004
#define FLAG_DATA 0x0008
#define FLAG_FEC 0x0010
#define FLAG_ACK_OF_ACKS 0x0100
#define FLAG_SYNLOSSY 0x0200
#define FLAG_CORRELATION_ID 0x0800
#define FLAG_SYNEX 0x1000
#define SYN_SOURCE_ACK 0xffffffffu
#define MTU_MIN 1132
#define MTU_MAX 1232
#define CORRELATION_LEN 32  /* the id and its reserved bytes */
#define ACK_VECTOR_ALIGN 4

/* MS-RDPEUDP2 2.2.1.1 flags. */
#define V3_ACK 0x001
#define V3_DATA 0x004
#define V3_ACKVEC 0x008
#define V3_AOA 0x010
#define V3_OVERHEADSIZE 0x040
#define V3_DELAYACKINFO 0x100
#define V3_FLAGS_MASK 0x0fff
#define V3_SWAPPED_BYTE 7
#define V3_TYPE_DATA 0
#define V3_ACK_FIXED 7      /* SeqNum, receivedTS, gap, delayed count */
#define V3_DELAYACKINFO_LEN 3
#define V3_ACKVEC_TIMESTAMP 0x80
#define V3_ACKVEC_SIZE_MASK 0x7f
#define V3_ACKVEC_TIMESTAMP_LEN 4

bool rdpudp_parse_syn(const uint8_t *p, size_t n, struct rdpudp_syn *out)
{
	struct cursor c;
	uint32_t source_ack;
	uint16_t window, flags, up_mtu, down_mtu, ex_flags;

	memset(out, 0, sizeof(*out));
	cursor_init(&c, p, n);
	if (!cursor_be32(&c, &source_ack) || !cursor_be16(&c, &window) ||
	    !cursor_be16(&c, &flags) || !(flags & FLAG_SYN) ||
	    !cursor_be32(&c, &out->initial_seq) ||
	    !cursor_be16(&c, &up_mtu) || !cursor_be16(&c, &down_mtu) ||
	    up_mtu < MTU_MIN || up_mtu > MTU_MAX || down_mtu < MTU_MIN ||
	    down_mtu > MTU_MAX)
		return false;
	out->ack = (flags & FLAG_ACK) != 0;
	if (!out->ack && source_ack != SYN_SOURCE_ACK)
		return false;
	out->lossy = (flags & FLAG_SYNLOSSY) != 0;
	out->version = 1;
	if ((flags & FLAG_CORRELATION_ID) && !cursor_skip(&c, CORRELATION_LEN))
		return false;
	if ((flags & FLAG_SYNEX) &&
	    (!cursor_be16(&c, &ex_flags) || !cursor_be16(&c, &out->version)))
		return false;
	return true;
}

enum rdpudp_status rdpudp_parse_v1(const uint8_t *p, size_t n,
				   struct rdpudp_data *out)
{
	struct cursor c;
	uint32_t source_ack, coded;
	uint16_t window, flags, vec_size;

	out->seq = 0;
	out->payload = NULL;
	out->payload_len = 0;
	cursor_init(&c, p, n);
	if (!cursor_be32(&c, &source_ack) || !cursor_be16(&c, &window) ||
	    !cursor_be16(&c, &flags))
		return RDPUDP_MALFORMED;
	if (flags & FLAG_SYN)
		return RDPUDP_NO_DATA;
	if (flags & FLAG_ACK) {
		size_t pad;

		if (!cursor_be16(&c, &vec_size) || !cursor_skip(&c, vec_size))
			return RDPUDP_MALFORMED;
		pad = (ACK_VECTOR_ALIGN - (2u + vec_size) % ACK_VECTOR_ALIGN) %
		      ACK_VECTOR_ALIGN;
		if (!cursor_skip(&c, pad))
			return RDPUDP_MALFORMED;
	}
	if ((flags & FLAG_ACK_OF_ACKS) && !cursor_skip(&c, 4))
		return RDPUDP_MALFORMED;
	if (!(flags & FLAG_DATA) || (flags & FLAG_FEC))
		return RDPUDP_NO_DATA;
	if (!cursor_be32(&c, &coded) || !cursor_be32(&c, &out->seq))
		return RDPUDP_MALFORMED;
	out->payload_len = cursor_left(&c);
	out->payload = out->payload_len ? cursor_ptr(&c) : NULL;
	return RDPUDP_OK;
}

enum rdpudp_status rdpudp_parse_v3(const uint8_t *p, size_t n,
				   struct rdpudp_data *out)
{
	struct cursor c;
	uint16_t header, flags, seq;
	uint8_t prefix, b;

	out->seq = 0;
	out->payload = NULL;
	out->payload_len = 0;
	if (n <= V3_SWAPPED_BYTE || n > RDPUDP_DATAGRAM_MAX)
		return RDPUDP_MALFORMED;
	memcpy(out->unswapped, p, n);
	b = out->unswapped[0];
	out->unswapped[0] = out->unswapped[V3_SWAPPED_BYTE];
	out->unswapped[V3_SWAPPED_BYTE] = b;
	cursor_init(&c, out->unswapped, n);
	if (!cursor_u8(&c, &prefix) || !cursor_le16(&c, &header))
		return RDPUDP_MALFORMED;
	flags = header & V3_FLAGS_MASK;
	if (flags & V3_ACK) {
		/* numDelayedAcks is the low nibble (fields are listed from
		 * the least significant bit, as the header's flags). */
		if (!cursor_skip(&c, V3_ACK_FIXED - 1) || !cursor_u8(&c, &b) ||
		    !cursor_skip(&c, b & 0x0f))
			return RDPUDP_MALFORMED;
	}
	if ((flags & V3_OVERHEADSIZE) && !cursor_skip(&c, 1))
		return RDPUDP_MALFORMED;
	if ((flags & V3_DELAYACKINFO) && !cursor_skip(&c, V3_DELAYACKINFO_LEN))
		return RDPUDP_MALFORMED;
	if ((flags & V3_AOA) && !cursor_skip(&c, 2))
		return RDPUDP_MALFORMED;
	if ((flags & V3_DATA) && !cursor_skip(&c, 2))
		return RDPUDP_MALFORMED;
	if (flags & V3_ACKVEC) {
		if (!cursor_skip(&c, 2) || !cursor_u8(&c, &b) ||
		    ((b & V3_ACKVEC_TIMESTAMP) &&
		     !cursor_skip(&c, V3_ACKVEC_TIMESTAMP_LEN)) ||
		    !cursor_skip(&c, b & V3_ACKVEC_SIZE_MASK))
			return RDPUDP_MALFORMED;
	}
	if (!(flags & V3_DATA) || ((prefix >> 1) & 0x0f) != V3_TYPE_DATA)
		return RDPUDP_NO_DATA;
	if (!cursor_le16(&c, &seq))
		return RDPUDP_MALFORMED;
	out->seq = seq;
	out->payload_len = cursor_left(&c);
	out->payload = out->payload_len ? cursor_ptr(&c) : NULL;
	return RDPUDP_OK;
}
