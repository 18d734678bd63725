/*
 * carrier.h — what the TLS carriers (openvpn.c, rdpudp.c) share: a
 * direction's numbered messages (analyze/parse/msgq.h) put in order and
 * appended to a TLS session's stream (struct tls_session, tls.c).
 *
 * Bounded: held messages count against the stage's stream budget like
 * the TCP streams; a direction that repeats more than CARRIER_REPEATS_MAX
 * messages, or whose numbers run beyond the queue's window or leave more
 * than MSGQ_HELD messages waiting, is given up (and reported, so the
 * carrier can record its anomaly).
 */
#ifndef ATTRIB_EXTRACT_CARRIER_H
#define ATTRIB_EXTRACT_CARRIER_H

#include "analyze/extract/extract_internal.h"
#include "analyze/parse/msgq.h"

#define CARRIER_REPEATS_MAX 32

/* One direction's messages. */
struct carrier_stream {
	struct msgq q;
	uint16_t repeats;
};

enum carrier_result {
	CARRIER_OK,      /* taken (handed on, held, or a harmless repeat) */
	CARRIER_BROKEN,  /* the numbering does not hold: direction given up */
	CARRIER_STOPPED, /* the session's direction is done or over budget */
};

/* An empty direction of bits-bit message numbers. */
void carrier_init(struct carrier_stream *cs, unsigned bits);

/*
 * Adds message seq (n bytes at p) of the session's role; whatever comes
 * in order goes to the session, which reads it (tls_session_update(),
 * citing pkt). A CARRIER_BROKEN or CARRIER_STOPPED direction is stopped
 * in the session too.
 */
enum carrier_result carrier_feed(struct extract *x, struct extract_flow *s,
				 struct tls_session *ts, enum flow_dir role,
				 struct carrier_stream *cs, uint32_t seq,
				 const uint8_t *p, size_t n,
				 const struct packet *pkt);

/* Frees the held messages and gives their budget back. */
void carrier_free(struct extract *x, struct carrier_stream *cs);

#endif
