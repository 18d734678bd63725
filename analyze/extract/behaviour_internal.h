/*
 * behaviour_internal.h — what the files of the behaviour family share
 * (behaviour.c, behaviour_inflow.c, behaviour_hours.c): series and host
 * keys, the family's context and its helpers. Private to
 * analyze/extract/.
 */
#ifndef ATTRIB_EXTRACT_BEHAVIOUR_INTERNAL_H
#define ATTRIB_EXTRACT_BEHAVIOUR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/behaviour/beacon.h"
#include "analyze/behaviour/beacon_parts.h"
#include "analyze/behaviour/hours.h"
#include "analyze/extract/acc_table.h"
#include "analyze/extract/extract_internal.h"

enum { KEY_PAIR = 1, KEY_NAME = 2, KEY_HOST = 3, KEY_CHANNEL = 4,
       KEY_CHANNEL_SIZES = 5, KEY_LONG_END = 6, KEY_PAIR_HOURS = 7 };
/* pair keys: head, server address, server port, transport */
#define KEY_PAIR_LEN (KEY_HEAD_LEN + 19)
/* acc.dense of a series judged a beacon (series never use dense) */
#define ACC_BEACON 2
/* Client bursts inside one flow (see the header comment). */
#define INFLOW_BURST_GAP_US 1000000LL     /* longer silence: a new burst */
#define INFLOW_MIN_FLOW_US 300000000LL     /* shorter flows: no series */
#define INFLOW_MIN_BURSTS 20               /* fewer: no series */
#define INFLOW_MAX_BURSTS BEACON_MAX_TIMES /* kept per flow */

/* channel keys: head, server address, server port, transport, client port */
#define KEY_CHANNEL_LEN (KEY_HEAD_LEN + 16 + 2 + 1 + 2)

/* One flow's client bursts (s->fam[FAM_BEHAVIOUR]). */
struct inflow {
	int64_t last_us;        /* the client's last payload packet */
	int64_t *times, *sizes; /* n bursts: start time, payload bytes */
	uint32_t n, cap;
	uint32_t dropped;       /* bursts past INFLOW_MAX_BURSTS */
};
/* type, ip version, client address, then the rest */
#define KEY_HEAD_LEN 18
#define KEY_MAX (KEY_HEAD_LEN + 16 + 2 + 1 + 256)
struct behaviour_ctx {
	struct acc_table series, hosts;
	struct acc_table pair_hours; /* hours per client→server pair */
	struct beacon_workspace ws;
	struct beacon_result beacon;
	struct beacon_parts parts;
	int64_t span_first_us, span_last_us; /* the source's flows */
	struct hours_histogram hist;
	struct hours_estimate est;
	uint8_t key[KEY_MAX];
};

/* Counts the flow in a and keeps the earliest flow's cite and id. */
void bh_acc_note_flow(struct acc_table *t, struct acc *a,
		      const struct extract_flow *s, const struct flow *f);
/* Appends a value (t0 first, then data); false when memory is short. */
bool bh_acc_add_time(struct acc *a, int64_t t);
/* "client->server:port[/proto]", "client->name" or
 * "client:port->server:port[/proto] in-flow" of a key. */
void bh_series_label(const struct acc *a, char *out, size_t size);
/* DNS resolver ports: no beacon series. */
bool bh_is_resolver_port(uint16_t port);

/* The extractor hooks for a flow's packets (client bursts). */
void bh_packet(struct extract *x, struct extract_flow *s,
	       const struct flow *f, enum flow_dir dir,
	       const struct packet *pkt);
void bh_flow_free(struct extract *x, struct extract_flow *s);
/* True when f continues a connection (beacon_parts.h); notes f's end. */
bool bh_continues_connection(struct extract *x, struct behaviour_ctx *c,
			     const struct flow *f);
/* Adds a long flow's bursts to its connection's series. */
void bh_inflow_add(struct extract *x, struct behaviour_ctx *c,
		   const struct extract_flow *s, const struct flow *f,
		   const struct inflow *b);
/* Working hours per pair and per service (behaviour_hours.c). */
void bh_pair_hours(struct extract *x, struct behaviour_ctx *c);

#endif
