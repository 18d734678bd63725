/*
 * decode.h — link, IP, L4 and tunnel decoding into struct packet.
 *
 * Pure: reads pkt->data[0..caplen) through a cursor, writes the decoded
 * fields of pkt, never fails. Whatever cannot be decoded is recorded as an
 * anomaly and decoding stops at that layer.
 */
#ifndef ATTRIB_DECODE_H
#define ATTRIB_DECODE_H

#include <stdbool.h>
#include "cursor.h"
#include "packet.h"

/* Caps on what one packet can make the decoder walk. */
enum {
	DECODE_MAX_TUNNEL_DEPTH = 3,
	DECODE_MAX_IPV6_EXT = 8,
};

/*
 * Decodes pkt->data as link type pkt->linktype. Clears and fills every
 * decoded field. Returns true when an IP layer was found (ip_version != 0).
 */
bool decode_packet(struct packet *pkt);

/* True when linktype is one decode_packet() understands. */
bool decode_linktype_supported(int linktype);

/* Internal entry points shared by the decode_*.c files. */
bool decode_ip(struct packet *pkt, struct cursor *c, int version_hint);
void decode_l4(struct packet *pkt, struct cursor *c, uint8_t proto);
bool decode_tunnel_gre(struct packet *pkt, struct cursor *c);
bool decode_tunnel_gtpu(struct packet *pkt, struct cursor *c);
bool decode_tunnel_vxlan(struct packet *pkt, struct cursor *c);
bool decode_tunnel_capwap(struct packet *pkt, struct cursor *c);
bool decode_llc_snap(struct packet *pkt, struct cursor *c,
		     uint16_t *ethertype);
/* PPP's header (decode_ppp.c): the optional address and control bytes,
 * then the protocol, one byte under protocol-field compression; false
 * when the packet ends first. */
bool ppp_header_read(struct cursor *c, uint16_t *protocol);
/* 4 or 6 for PPP's IPv4 and IPv6 protocol numbers, else 0. */
int ppp_ip_version(uint16_t protocol);
/* A PPP frame (decode_ppp.c): optional address and control bytes, the
 * protocol (compressed or not), then IP; other protocols get a named
 * anomaly. */
void decode_ppp_frame(struct packet *pkt, struct cursor *c);
/* A PPPoE session-stage header, then its PPP frame. */
void decode_pppoe_session(struct packet *pkt, struct cursor *c);

#endif
