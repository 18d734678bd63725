/*
 * flow.h — bounded bidirectional flow table.
 *
 * Flows are keyed on the canonical 5-tuple plus VLAN and tunnel context,
 * so both directions find the same flow. The table holds at most
 * max_flows flows; when it is full the least recently seen flow is closed
 * to make room. Idle flows close after an idle timeout, long flows after
 * a hard timeout. Every closed flow is handed to the close callback once,
 * which must release what it hung on the flow (flow->user).
 */
#ifndef ATTRIB_FLOW_H
#define ATTRIB_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/packet.h"

enum flow_dir { FLOW_DIR_C2S = 0, FLOW_DIR_S2C = 1 };

enum flow_close_reason {
	FLOW_CLOSE_IDLE,     /* no packet within the idle timeout */
	FLOW_CLOSE_HARD,     /* alive longer than the hard timeout */
	FLOW_CLOSE_TCP_END,  /* FIN both ways or RST, then a short linger */
	FLOW_CLOSE_EVICTED,  /* table full: least recently seen made room */
	FLOW_CLOSE_END,      /* end of input */
};

/*
 * The (address, port) pair that compares lower (memcmp of the 16 address
 * bytes, IPv4 zero-padded, then port) is addr_lo/port_lo. ICMP and ICMPv6
 * flows use port 0 on both sides: one flow per host pair and context.
 * vlan is the outermost VLAN id, 0 when untagged.
 */
struct flow_key {
	uint8_t addr_lo[16], addr_hi[16]; /* canonical order: lo < hi */
	uint16_t port_lo, port_hi;         /* ports of addr_lo, addr_hi */
	uint32_t tunnel_id;
	uint16_t vlan;
	uint8_t ip_version, l4_proto;
};

struct flow {
	uint64_t id;                   /* case-unique, assigned at creation */
	struct flow_key key;
	/* The client is the sender of the first packet seen. */
	uint8_t client[16], server[16];
	uint16_t client_port, server_port;
	uint8_t ip_version, l4_proto;
	uint16_t vlan;
	uint8_t tunnel_kind;
	uint32_t tunnel_id;
	uint64_t first_us, last_us;   /* smallest, largest packet time */
	uint64_t first_frame, last_frame; /* first, latest packet fed */
	/* Of the packet that opened the flow (for the Community ID): its
	 * ICMP type and code, and whether its L4 header was read. */
	uint8_t first_icmp_type, first_icmp_code;
	bool first_has_l4;
	uint64_t packets[2], bytes[2]; /* indexed by enum flow_dir */
	uint8_t tcp_fin_seen;          /* bit per direction */
	bool tcp_rst_seen;
	uint32_t anomalies;            /* anomalous packets in this flow */
	void *user;                    /* owned by the table's user */
	/* table internals */
	struct flow *hash_next;
	struct flow *lru_prev, *lru_next;
	uint8_t lru_class;
};

struct flow_table_config {
	size_t max_flows;
	uint64_t tcp_idle_us, udp_idle_us, hard_us, tcp_linger_us;
	uint64_t first_id; /* id given to the first flow created */
};

/*
 * Defaults: 65536 flows, TCP idle 300 s, other 60 s, hard 3600 s, TCP
 * linger 10 s, first id 1. A flow closes when idle (or, TCP ended, when
 * lingering) strictly longer than its timeout; max_flows 0 means 1.
 */
void flow_table_config_default(struct flow_table_config *cfg);

/*
 * Called exactly once per flow, before its slot is reused; f is valid
 * only during the call. Must not call back into the table.
 */
typedef void (*flow_close_fn)(struct flow *f, enum flow_close_reason why,
			      void *ctx);

struct flow_table;

/*
 * Creates an empty table; the caller owns it (flow_table_destroy()).
 * Allocates the whole pool up front. on_close may be NULL. NULL on
 * allocation failure.
 */
struct flow_table *flow_table_create(const struct flow_table_config *cfg,
				     flow_close_fn on_close, void *ctx);

/*
 * Finds or creates the flow of a decoded packet with an IP layer and
 * updates its counters and times. *dir receives the packet's direction,
 * *created whether the flow is new (either may be NULL). Closes flows that
 * time out first (periodic expiry at most once per second of packet time;
 * the packet's own flow is checked exactly). A packet finding its flow
 * idle, older than hard_us, or TCP-ended and reopened by a SYN without
 * ACK closes it and starts a new flow. Allocates no flow: the pool is
 * made by flow_table_create(); only the hash's bucket array is doubled as
 * the open flows grow (a failed doubling leaves the chains longer, never
 * fails the packet). Returns NULL only for a packet without an IP
 * layer (ip_version 0). The flow stays owned by the table; it is valid
 * until the close callback returns.
 */
struct flow *flow_table_update(struct flow_table *t, const struct packet *pkt,
			       enum flow_dir *dir, bool *created);

/*
 * As flow_table_update(), for a table that sees one shard of a capture:
 * clock_us is the largest packet time of the whole capture so far (the
 * reader's clock), used for idleness as the table's own clock would be,
 * and the table never runs periodic expiry by itself: the caller calls
 * flow_table_expire() when the reader's clock says so. Flows then close
 * at the same frames whatever the number of shards.
 */
struct flow *flow_table_update_clocked(struct flow_table *t,
				       const struct packet *pkt,
				       uint64_t clock_us, enum flow_dir *dir,
				       bool *created);

/*
 * Closes every flow idle longer than its timeout at time now_us
 * (microseconds). Idle time runs from the largest packet time the table
 * had seen when the flow's last packet came, so timestamps going
 * backwards never underflow it; a now_us before that counts as 0 idle.
 */
void flow_table_expire(struct flow_table *t, uint64_t now_us);

/* Closes every flow (reason FLOW_CLOSE_END), least recently seen first. */
void flow_table_flush(struct flow_table *t);

size_t flow_table_count(const struct flow_table *t);
/* Id the next flow created will get. */
uint64_t flow_table_next_id(const struct flow_table *t);

/*
 * Frees the table (NULL is a no-op). Open flows are dropped without the
 * callback: call flow_table_flush() first to see every flow.
 */
void flow_table_destroy(struct flow_table *t);

#endif
