/*
 * carrier.c — a carrier's numbered messages into a TLS session (see
 * carrier.h).
 */
#include "analyze/extract/carrier/carrier.h"

/* Where handed-on bytes go. */
struct session_sink {
	struct extract *x;
	struct stream *st;
	bool refused;
};

static void to_session(void *ctx, const uint8_t *p, size_t n)
{
	struct session_sink *k = ctx;

	if (stream_append(k->x, k->st, p, n) == STREAM_REFUSED)
		k->refused = true;
}

void carrier_init(struct carrier_stream *cs, unsigned bits)
{
	msgq_init(&cs->q, bits);
	cs->repeats = 0;
}

void carrier_free(struct extract *x, struct carrier_stream *cs)
{
	x->stats.stream_bytes -= cs->q.held_bytes;
	msgq_free(&cs->q);
}

/* The most bytes the queue's held copies may take: the stage's budget
 * left, and what they hold already. */
static size_t room(const struct extract *x, const struct carrier_stream *cs)
{
	if (x->stats.stream_bytes >= x->cfg.stream_budget_bytes)
		return cs->q.held_bytes;
	return cs->q.held_bytes +
	       (size_t)(x->cfg.stream_budget_bytes - x->stats.stream_bytes);
}

static enum carrier_result give_up(struct extract *x, struct tls_session *ts,
				   enum flow_dir role,
				   struct carrier_stream *cs,
				   enum carrier_result why)
{
	carrier_free(x, cs);
	tls_session_stop(x, ts, role);
	return why;
}

enum carrier_result carrier_feed(struct extract *x, struct extract_flow *s,
				 struct tls_session *ts, enum flow_dir role,
				 struct carrier_stream *cs, uint32_t seq,
				 const uint8_t *p, size_t n,
				 const struct packet *pkt)
{
	struct session_sink sink = { x, &ts->dir[role], false };
	size_t held = cs->q.held_bytes;
	enum msgq_result r;

	if (tls_session_role_done(ts, role))
		return CARRIER_STOPPED;
	r = msgq_add(&cs->q, seq, p, n, room(x, cs), to_session, &sink);
	x->stats.stream_bytes += cs->q.held_bytes;
	x->stats.stream_bytes -= held;
	if (x->stats.stream_bytes > x->stats.stream_bytes_peak)
		x->stats.stream_bytes_peak = x->stats.stream_bytes;
	switch (r) {
	case MSGQ_HANDED_ON:
		if (sink.refused)
			return give_up(x, ts, role, cs, CARRIER_STOPPED);
		tls_session_update(x, s, ts, role, pkt);
		if (tls_session_role_done(ts, role))
			carrier_free(x, cs);
		return CARRIER_OK;
	case MSGQ_KEPT:
		return CARRIER_OK;
	case MSGQ_REPEAT:
		if (++cs->repeats <= CARRIER_REPEATS_MAX)
			return CARRIER_OK;
		return give_up(x, ts, role, cs, CARRIER_BROKEN);
	case MSGQ_NO_ROOM:
		x->stats.streams_over_budget++;
		return give_up(x, ts, role, cs, CARRIER_STOPPED);
	case MSGQ_TOO_FAR:
	case MSGQ_FULL:
	case MSGQ_TOO_LONG:
		break;
	}
	return give_up(x, ts, role, cs, CARRIER_BROKEN);
}
