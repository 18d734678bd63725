/*
 * wire.h — Ethernet/IPv4/TCP/UDP frames for the scenario generator, with
 * correct IPv4 header and TCP/UDP checksums, and TCP connections that
 * keep their own sequence numbers and clock.
 *
 * The capture point is the clients' side of the path: a client's packet
 * is captured when sent, the server's answer one round trip later. Every
 * address maps to a locally administered MAC 02:00:a.b.c.d, so frames
 * are reproducible and never collide with a real vendor's MAC.
 */
#ifndef ATTRIB_GEN_WIRE_H
#define ATTRIB_GEN_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcaps/gen/lib/pktlist.h"
#include "pcaps/gen/lib/rng.h"

#define WIRE_MSS 1460          /* TCP payload bytes per segment */
#define WIRE_CLIENT_TTL 64     /* TTL of packets from the capture side */
#define WIRE_SERVER_TTL 51     /* TTL of packets from far away */
#define WIRE_EPHEMERAL_LO 49152
#define WIRE_EPHEMERAL_HI 65535

/* One UDP datagram from src to dst at ts_us. */
void wire_udp(struct pktlist *out, int64_t ts_us, uint32_t src_ip,
	      uint16_t src_port, uint32_t dst_ip, uint16_t dst_port,
	      uint8_t ttl, uint16_t ip_id, const uint8_t *payload, size_t len);

/* Ephemeral ports handed out per client address in turn, as an OS
 * does, so two connections of one client never share a 5-tuple (random
 * ports would collide after a few hundred sessions and merge flows).
 * Each client starts at a port drawn from its address and the seed. */
#define WIRE_PORT_TABLE_SIZE 4096 /* distinct clients; more share a slot */

struct port_table {
	uint64_t seed;
	uint32_t ip[WIRE_PORT_TABLE_SIZE];
	uint16_t next[WIRE_PORT_TABLE_SIZE];
	uint8_t used[WIRE_PORT_TABLE_SIZE];
};

/* Empties the table; seed varies the starting ports. */
void port_table_init(struct port_table *t, uint64_t seed);

/* The next ephemeral port of client ip. */
uint16_t port_table_next(struct port_table *t, uint32_t ip);

/* One TCP connection as seen from the capture point. Fill it with
 * tcp_conn_init(); the functions below add frames to out and move now_us
 * forward. */
struct tcp_conn {
	struct pktlist *out;
	uint32_t client_ip, server_ip;
	uint16_t client_port, server_port;
	uint32_t client_seq, server_seq; /* next sequence number to send */
	uint16_t client_ip_id, server_ip_id;
	int64_t now_us; /* time of the last frame */
	int64_t rtt_us; /* client → server → client */
};

/* A connection from client_ip:client_port (ISNs and IP ids drawn from
 * r) to server_ip:server_port, opening at start_us. */
void tcp_conn_init(struct tcp_conn *c, struct pktlist *out, struct rng *r,
		   uint32_t client_ip, uint16_t client_port,
		   uint32_t server_ip, uint16_t server_port, int64_t start_us,
		   int64_t rtt_us);

/* SYN at now_us, SYN-ACK one RTT later, ACK. */
void tcp_handshake(struct tcp_conn *c);

/* One side sends len bytes at t_us (or at the last frame's time if that
 * is later), in segments of at most WIRE_MSS bytes, PSH on the last. */
void tcp_send_at(struct tcp_conn *c, bool from_client, const uint8_t *data,
		 size_t len, int64_t t_us);

/* One side sends FIN-ACK, or a bare ACK, at t_us (or later, as above). */
void tcp_fin_at(struct tcp_conn *c, bool from_client, int64_t t_us);
void tcp_ack_at(struct tcp_conn *c, bool from_client, int64_t t_us);

/* Parses dotted-quad IPv4 text into host order; 0 on success, -1 if not
 * an address. */
int wire_parse_ipv4(const char *text, uint32_t *ip);

/* Formats a host-order address into buf (≥ 16 bytes); returns buf. */
char *wire_format_ipv4(uint32_t ip, char *buf);

#endif
