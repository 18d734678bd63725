/*
 * msgq.h — a byte stream carried in numbered messages, handed on in
 * order: OpenVPN's control channel (message packet ids) and RDP-UDP's
 * reliable data (source or channel sequence numbers) split a TLS stream
 * into messages that may arrive repeated, reordered or not at all.
 *
 * The first message added fixes where the stream starts, unless
 * msgq_start() did. A message numbered next is handed on at once, then
 * every held one that follows it; one ahead of next by less than
 * MSGQ_WINDOW is held (a copy, at most MSGQ_HELD of them, each at most
 * MSGQ_MSG_MAX bytes, all within the caller's room); one behind next, or
 * held already, is a repeat. Numbers are compared modulo 2^bits (16 or
 * 32 bits), so they may wrap.
 * Pure but for the held copies, released as they are handed on and by
 * msgq_free().
 */
#ifndef ATTRIB_PARSE_MSGQ_H
#define ATTRIB_PARSE_MSGQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSGQ_WINDOW 64     /* how far ahead of next a message may be */
#define MSGQ_HELD 16       /* messages waiting for a missing one */
#define MSGQ_MSG_MAX 4096  /* bytes of one held message */

struct msgq_held {
	uint32_t seq;
	uint32_t len;
	uint8_t *data;
};

/* Set up with msgq_init(). */
struct msgq {
	uint32_t mask;      /* 0xffff or 0xffffffff */
	bool started;
	uint32_t next;      /* number of the next message to hand on */
	uint32_t n_held;
	size_t held_bytes;  /* bytes allocated for held copies */
	uint32_t handed_on; /* messages handed on so far */
	struct msgq_held held[MSGQ_HELD];
};

enum msgq_result {
	MSGQ_HANDED_ON, /* it was next: handed on, with the held ones after */
	MSGQ_KEPT,      /* ahead of next: held */
	MSGQ_REPEAT,    /* behind next or already held: dropped */
	MSGQ_TOO_FAR,   /* MSGQ_WINDOW or more ahead of next: dropped */
	MSGQ_FULL,      /* ahead, but MSGQ_HELD messages wait already */
	MSGQ_TOO_LONG,  /* ahead, but longer than MSGQ_MSG_MAX */
	MSGQ_NO_ROOM,   /* ahead, but the copy would pass room (or malloc) */
};

/* Receives one message's bytes, in order (ctx as given to msgq_add()). */
typedef void (*msgq_sink)(void *ctx, const uint8_t *p, size_t n);

/* An empty queue of bits-bit numbers (16 or 32). */
void msgq_init(struct msgq *q, unsigned bits);

/* The stream starts at message number next (before any is added). */
void msgq_start(struct msgq *q, uint32_t next);

/*
 * Adds message seq of n bytes at p. When it is next, it and the held
 * messages that follow go to sink (sink may add to nothing else of q).
 * room: the most bytes held copies may take in all (held_bytes included).
 */
enum msgq_result msgq_add(struct msgq *q, uint32_t seq, const uint8_t *p,
			  size_t n, size_t room, msgq_sink sink, void *ctx);

/* Releases the held copies; the queue keeps its place. */
void msgq_free(struct msgq *q);

#endif
