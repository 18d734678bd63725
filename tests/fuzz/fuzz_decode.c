/*
 * fuzz_decode.c — libFuzzer harness for decode_packet() (capture/decode_*.c).
 *
 * Input: the first byte picks a link type from those the decoder supports
 * (and whether the frame counts as cut by the snap length); the rest is the
 * captured packet, copied into an exact-size heap buffer so sanitizers see
 * any over-read. After decoding, the ranges the decoder reports must lie
 * inside the captured bytes, or the harness aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int fuzz_linktypes[] = { 0, 1, 9, 12, 14, 50, 101, 104, 108,
				      113, 228, 229, 276 };
enum {
	FUZZ_LINKTYPE_COUNT = sizeof fuzz_linktypes / sizeof fuzz_linktypes[0],
	FUZZ_SNAPLEN_EXTRA_BYTES = 100, /* wire length beyond the capture */
};

static void check_decoded_ranges(const struct packet *p)
{
	uint64_t ip_end = (uint64_t)p->ip_offset + p->ip_len;

	if ((uint64_t)p->payload_offset + p->payload_len > p->caplen ||
	    p->vlan_count > PACKET_MAX_VLANS ||
	    p->tunnel_depth > DECODE_MAX_TUNNEL_DEPTH)
		abort();
	if (p->ip_version != 0 &&
	    (ip_end > p->caplen || p->l4_offset < p->ip_offset ||
	     p->l4_offset > ip_end || p->payload_offset < p->l4_offset ||
	     p->payload_offset + (uint64_t)p->payload_len > ip_end))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct packet pkt;
	uint8_t *copy;
	size_t len;

	if (size < 1)
		return 0;
	len = size - 1;
	copy = malloc(len);
	if (len != 0 && copy == NULL)
		return 0;
	if (len != 0)
		memcpy(copy, data + 1, len);

	memset(&pkt, 0, sizeof pkt);
	pkt.frame = 1;
	pkt.linktype = fuzz_linktypes[data[0] % FUZZ_LINKTYPE_COUNT];
	pkt.caplen = (uint32_t)len;
	pkt.wirelen = (uint32_t)len;
	if ((data[0] / FUZZ_LINKTYPE_COUNT) & 1)
		pkt.wirelen += FUZZ_SNAPLEN_EXTRA_BYTES;
	pkt.data = copy;
	if (decode_packet(&pkt) != (pkt.ip_version != 0))
		abort();
	check_decoded_ranges(&pkt);
	free(copy);
	return 0;
}
