/*
 * pcapng_track.c — follows pcapng block boundaries in the bytes libpcap
 * reads, so that source_file.c can tell where each packet block libpcap
 * returns starts in the file (pcapng_track.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "pcapng_track.h"

static const uint32_t PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

static void pcapng_queue_push(struct pcapng_tracker *t, struct block_span b)
{
	if (t->queue_len == t->queue_cap) {
		size_t cap = t->queue_cap ? 2 * t->queue_cap : 256;
		struct block_span *q;
		size_t i;

		if (cap > PCAPNG_TRACK_QUEUE_MAX ||
		    !(q = malloc(cap * sizeof(*q)))) {
			t->lost = true;
			return;
		}
		for (i = 0; i < t->queue_len; i++)
			q[i] = t->queue[(t->queue_first + i) & (t->queue_cap - 1)];
		free(t->queue);
		t->queue = q;
		t->queue_cap = cap;
		t->queue_first = 0;
	}
	t->queue[(t->queue_first + t->queue_len) & (t->queue_cap - 1)] = b;
	t->queue_len++;
}

/*
 * Takes the first 12 bytes of a block (every block has at least that
 * many): type, total length and, in a section header, the byte-order
 * magic that sets the order of the section. Queues packet blocks
 * (enhanced, simple and the obsolete packet block).
 */
static void pcapng_take_header(struct pcapng_tracker *t)
{
	uint32_t type = cursor_load32(t->head, t->big_endian);
	uint32_t len;

	if (cursor_load32(t->head, false) == PCAPNG_SHB_TYPE) {
		if (cursor_load32(t->head + 8, false) == PCAPNG_BYTE_ORDER_MAGIC)
			t->big_endian = false;
		else if (cursor_load32(t->head + 8, true) == PCAPNG_BYTE_ORDER_MAGIC)
			t->big_endian = true;
		else
			t->lost = true;
	}
	len = cursor_load32(t->head + 4, t->big_endian);
	if (len < PCAPNG_HEAD_BYTES)
		t->lost = true;
	t->block_end = t->block_start + len;
	if (!t->lost && (type == 6 || type == 3 || type == 2))
		pcapng_queue_push(t, (struct block_span){ t->block_start,
							  t->block_end });
}

void pcapng_track(struct pcapng_tracker *t, const uint8_t *p, size_t n)
{
	while (n > 0 && !t->lost) {
		size_t take;

		if (t->head_have < PCAPNG_HEAD_BYTES) {
			take = PCAPNG_HEAD_BYTES - t->head_have;
			if (take > n)
				take = n;
			memcpy(t->head + t->head_have, p, take);
			t->head_have += take;
			if (t->head_have == PCAPNG_HEAD_BYTES)
				pcapng_take_header(t);
		} else {
			uint64_t left = t->block_end - t->pos;

			take = left < n ? (size_t)left : n;
		}
		t->pos += take;
		p += take;
		n -= take;
		if (t->head_have == PCAPNG_HEAD_BYTES && t->pos == t->block_end) {
			t->block_start = t->block_end;
			t->head_have = 0;
		}
	}
}

uint64_t pcapng_packet_start(struct pcapng_tracker *t, uint64_t end,
				    uint64_t fallback)
{
	while (t->queue_len > 0) {
		struct block_span b = t->queue[t->queue_first];

		if (b.end > end)
			break;
		t->queue_first = (t->queue_first + 1) & (t->queue_cap - 1);
		t->queue_len--;
		if (b.end == end)
			return b.start;
	}
	return fallback;
}

void pcapng_track_free(struct pcapng_tracker *t)
{
	free(t->queue);
	t->queue = NULL;
	t->queue_cap = t->queue_first = t->queue_len = 0;
}
