/*
 * reasm.h — a byte stream put back together from pieces that arrive by
 * offset, in any order, overlapping or repeated: QUIC CRYPTO frames
 * (quic.c) and DTLS handshake fragments (dtls.c).
 *
 * Bounded: the caller gives, per piece, the highest offset the stream may
 * reach (data past it is refused) and the room the buffer may take; at
 * most REASM_PIECES separate ranges wait for a gap to fill. Bytes already
 * in the contiguous prefix stay as first received.
 * Pure but for its one buffer, which grows (doubling from 4 KiB) to the
 * highest end received and is released by reasm_free().
 */
#ifndef ATTRIB_PARSE_REASM_H
#define ATTRIB_PARSE_REASM_H

#include <stddef.h>
#include <stdint.h>

#define REASM_PIECES 32

/* A range [start, end) of stream offsets. */
struct reasm_piece {
	uint32_t start, end;
};

/* Zero it before the first reasm_add(). */
struct reasm {
	uint8_t *buf;        /* bytes by offset; NULL before the first piece */
	uint32_t cap;        /* bytes allocated */
	uint32_t contiguous; /* bytes present from offset 0 */
	uint32_t n_pieces;   /* received ranges past a gap: sorted, apart */
	struct reasm_piece pieces[REASM_PIECES];
};

enum reasm_result {
	REASM_OK,        /* kept (or nothing new) */
	REASM_TOO_FAR,   /* it ends past max */
	REASM_SCATTERED, /* it would make more than REASM_PIECES ranges */
	REASM_NO_ROOM,   /* the buffer would pass room (or malloc failed) */
};

/*
 * Adds the n bytes at p as stream offsets [off, off + n). max: the
 * highest end the stream may have; room: the most bytes the buffer may
 * take (at most max). Nothing changes unless REASM_OK.
 */
enum reasm_result reasm_add(struct reasm *r, uint64_t off, const uint8_t *p,
			    size_t n, size_t max, size_t room);

/* Releases the buffer; r is empty again (zeroed). */
void reasm_free(struct reasm *r);

#endif
