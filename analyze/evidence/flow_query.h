/*
 * flow_query.h — reading flows back from a case: the session view of
 * `attrib flows` and the flow of an observation (`attrib indicators
 * --json`, `attrib match`). Cases made before flows carried a Community
 * ID read with community_id "".
 */
#ifndef ATTRIB_FLOW_QUERY_H
#define ATTRIB_FLOW_QUERY_H

#include <stdbool.h>
#include <stdint.h>

struct store;

/* One flow as stored. Strings are valid during the callback (or, from
 * store_flow_lookup_get(), until the next get). */
struct store_flow_row {
	int64_t id, source_id;
	const char *source_sha256, *source_path;
	int ip_version, l4_proto;
	const char *client, *server;    /* client: sender of the first packet */
	int client_port, server_port;
	int vlan;
	const char *tunnel;             /* "" when none */
	int64_t tunnel_id;
	uint64_t first_ts_us, last_ts_us, first_frame, last_frame;
	uint64_t packets_c2s, packets_s2c, bytes_c2s, bytes_s2c;
	const char *proto, *category;   /* nDPI's verdict */
	bool guessed;                   /* nDPI guessed it from ports */
	uint64_t risk;                  /* bit (1 << r) per nDPI risk r */
	const char *close_reason;
	const char *community_id;       /* "" when none */
};

/* Which flows: NULL / -1 fields match everything. */
struct store_flow_filter {
	const char *addr;          /* client or server, exactly as stored */
	int port;                  /* client or server port; -1 any */
	const char *proto;         /* "tcp", "udp", "icmp", "icmpv6", "sctp",
	                              a protocol number, or nDPI's name
	                              (case-insensitive, master.app parts too) */
	const char *community_id;
};

typedef int (*store_flow_fn)(void *ctx, const struct store_flow_row *r);

/* Calls fn for every flow matching filt (NULL: all) in (source, first
 * frame) order; stops and returns fn's value when non-zero; -1 on error
 * (store_error()). */
int store_each_flow(struct store *st, const struct store_flow_filter *filt,
		    store_flow_fn fn, void *ctx);

/* A prepared lookup of flows by id, owned by the caller: open, get any
 * number of times, close (NULL is a no-op). open returns NULL on error
 * (store_error()). */
struct store_flow_lookup;
struct store_flow_lookup *store_flow_lookup_open(struct store *st);
/* 1 found (*r filled; its strings valid until the next get or close),
 * 0 no such flow, -1 error. */
int store_flow_lookup_get(struct store_flow_lookup *l, int64_t id,
			  struct store_flow_row *r);
void store_flow_lookup_close(struct store_flow_lookup *l);

/* Name of IP protocol number p ("tcp", "udp", "icmp", "icmpv6", "sctp",
 * "gre", ...), or NULL when attrib has no name for it. */
const char *store_ip_proto_name(int p);

#endif
