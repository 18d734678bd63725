/*
 * community_id.h — Community ID v1 flow hashing (the published spec,
 * github.com/corelight/community-id-spec), so a flow in attrib joins the
 * same flow in Zeek, Suricata, Arkime and Wireshark by one string.
 *
 *   id = "1:" base64(SHA-1(seed16 | addr_a | addr_b | proto | 0 |
 *                           port_a16 | port_b16))
 *
 * with every field in network byte order and the endpoints ordered so the
 * smaller (address, port) comes first. TCP, UDP and SCTP hash their
 * ports; ICMP and ICMPv6 hash (type, counter-type) for the request/reply
 * types that pair up (echo, router, neighbour, ...) and (type, code),
 * unordered, for the rest; every other IP protocol hashes no ports.
 * Pure: no I/O, no allocation visible to the caller.
 */
#ifndef ATTRIB_COMMUNITY_ID_H
#define ATTRIB_COMMUNITY_ID_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/flow/flow.h"

/* "1:" + 28 base64 characters + NUL. */
enum { COMMUNITY_ID_SIZE = 31 };

/* One direction of a flow as the spec takes it. For ICMP and ICMPv6,
 * sport is the type and dport the code. Addresses are 4 bytes (IPv4) or
 * 16 (IPv6) as ip_version says. */
struct community_tuple {
	uint8_t ip_version;   /* 4 or 6 */
	uint8_t proto;        /* IP protocol number */
	const uint8_t *src, *dst;
	uint16_t sport, dport;
	bool has_ports;       /* the L4 header was read */
};

/*
 * Writes the Community ID v1 of t with seed into out ("" and false when
 * the IP version is neither 4 nor 6 or SHA-1 is unavailable). A
 * port-bearing protocol without has_ports (a non-first fragment, a
 * truncated header) is hashed like a protocol without ports, as
 * Wireshark hashes such a packet; the spec leaves that case open.
 */
bool community_id_v1(const struct community_tuple *t, uint16_t seed,
		     char out[COMMUNITY_ID_SIZE]);

/*
 * The Community ID (seed 0) of flow f: its client and server, the ports
 * or, for ICMP, the type and code of the packet that opened it. false
 * and "" as community_id_v1().
 */
bool community_id_of_flow(const struct flow *f, char out[COMMUNITY_ID_SIZE]);

/* Base64 (RFC 4648, padded) of n bytes into out, which holds at least
 * 4*ceil(n/3)+1 bytes; returns the length written. */
unsigned community_base64(const uint8_t *in, unsigned n, char *out);

#endif
