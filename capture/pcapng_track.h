/*
 * pcapng_track.h — a tracker of pcapng block boundaries in the bytes read
 * from a file (in order, in pieces of any size). libpcap reads whole
 * blocks, some of which are not packets; the tracker queues the span of
 * each packet block (enhanced, simple, obsolete packet block), and the
 * packet libpcap returns is the queued block that ends where libpcap
 * stands. Bounded: past PCAPNG_TRACK_QUEUE_MAX blocks read ahead, or at
 * a header libpcap would reject, the tracker gives up (lost) and callers
 * fall back to their own guess.
 */
#ifndef ATTRIB_PCAPNG_TRACK_H
#define ATTRIB_PCAPNG_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	PCAPNG_HEAD_BYTES = 12, /* type, length, section byte order */
	/* Packet blocks read ahead of libpcap: a 1 MiB chunk of the
	 * smallest (16-byte) blocks, and then some. */
	PCAPNG_TRACK_QUEUE_MAX = 2 * (1 << 20) / 16,
};

/* Block type of a section header, the same in both byte orders. */
enum { PCAPNG_SHB_TYPE = 0x0a0d0d0a };

/* Where a pcapng block lies in the file. */
struct block_span {
	uint64_t start, end;
};

/* Follows pcapng block boundaries in the bytes read from the file. */
struct pcapng_tracker {
	uint64_t pos;         /* bytes seen so far */
	uint64_t block_start; /* offset of the block being read */
	uint64_t block_end;   /* its end, once its header is complete */
	uint8_t head[PCAPNG_HEAD_BYTES];
	size_t head_have;
	bool big_endian;      /* byte order of the current section */
	bool lost;            /* a header libpcap would reject, or no memory */
	struct block_span *queue; /* packet blocks libpcap has not returned */
	size_t queue_cap;     /* a power of two */
	size_t queue_first;
	size_t queue_len;
};

/* Advances the tracker over the next n bytes of the file. A zeroed
 * struct is a tracker at the start of a file. */
void pcapng_track(struct pcapng_tracker *t, const uint8_t *p, size_t n);
/* Start of the packet block libpcap just returned, which ends at `end`,
 * or `fallback` if the tracker does not know it; forgets the blocks
 * before it. */
uint64_t pcapng_packet_start(struct pcapng_tracker *t, uint64_t end,
			     uint64_t fallback);
/* Frees the tracker's queue. */
void pcapng_track_free(struct pcapng_tracker *t);

#endif
