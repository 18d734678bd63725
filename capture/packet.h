/*
 * packet.h — the one flat packet struct.
 *
 * A source fills the record fields (frame, time, offset, bytes); the decoder
 * (decode.h) fills the rest once. Later stages read these fields and, for
 * payload, only the byte range [payload_offset, payload_offset+payload_len)
 * through a cursor — never raw indexing.
 */
#ifndef ATTRIB_PACKET_H
#define ATTRIB_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "anomaly.h"

enum { PACKET_MAX_VLANS = 2, PACKET_MAX_TUNNELS = 4 };

enum tunnel_kind {
	TUNNEL_NONE = 0,
	TUNNEL_IPIP,  /* IPv4 or IPv6 carried directly in IPv4 or IPv6 */
	TUNNEL_GRE,
	TUNNEL_GTPU,
	TUNNEL_VXLAN,   /* tunnel_id: the VNI */
	TUNNEL_CAPWAP,  /* CAPWAP data channel; tunnel_id 0 */
};

/* Packet flag bits (struct packet.flags). */
enum {
	PKT_IPV4_OPTIONS = 1u << 0,
	PKT_FRAGMENT = 1u << 1,       /* any fragment: L4 may be absent */
	PKT_FIRST_FRAGMENT = 1u << 2, /* offset 0, more fragments follow */
	PKT_TRUNCATED_L3 = 1u << 3,   /* IP datagram longer than captured */
	PKT_HAS_L4 = 1u << 4,         /* sport/dport (or ICMP type) valid */
	PKT_DEFRAG_HELD = 1u << 5,    /* a fragment kept for reassembly: no
	                                 flow holds it (capture/defrag.h) */
	PKT_REASSEMBLED = 1u << 6,    /* data is a reassembled datagram */
};

struct packet {
	/* --- set by the source --- */
	uint64_t frame;       /* 1-based, as Wireshark numbers frames */
	uint64_t ts_us;       /* capture time, microseconds since the epoch */
	uint64_t file_offset; /* byte offset of the record in its file */
	uint32_t caplen;      /* bytes captured (length of data) */
	uint32_t wirelen;     /* bytes on the wire */
	int linktype;         /* DLT_* of the source */
	const uint8_t *data;  /* caplen bytes, owned by the source, valid
	                         until the next read */

	/* --- set by decode_packet() --- */
	anomaly_set anomalies;
	uint32_t flags;
	uint16_t vlan[PACKET_MAX_VLANS];
	uint8_t vlan_count;
	uint8_t tunnel_depth;          /* encapsulations crossed */
	uint8_t tunnel_kind;           /* innermost enum tunnel_kind */
	uint32_t tunnel_id;            /* GTP TEID or GRE key, else 0 */
	uint8_t ip_version;            /* 0 when no IP layer was found */
	uint8_t ttl;                   /* IPv4 TTL or IPv6 hop limit */
	uint8_t l4_proto;              /* IP protocol of the innermost layer */
	uint8_t tcp_flags;
	uint8_t icmp_type, icmp_code;
	uint8_t src[16], dst[16];      /* IPv4 uses the first 4 bytes */
	uint16_t sport, dport;
	uint32_t tcp_seq, tcp_ack;
	uint32_t ip_offset;            /* innermost IP header within data */
	uint32_t ip_len;               /* captured bytes of that IP datagram */
	uint32_t l4_offset;
	uint32_t payload_offset;       /* L4 payload within data */
	uint32_t payload_len;          /* captured payload bytes */

	/* --- set by defrag_packet() on a reassembled datagram, else 0 --- */
	const uint8_t *record;         /* the completing frame's bytes as
	                                  stored (what a citation hashes) */
	uint32_t record_caplen;
	uint8_t fragment_count;        /* frames of fragment_frames[] */
	const uint64_t *fragment_frames; /* every fragment's frame, ascending */
};

/*
 * Anomalies that describe a packet without saying why decoding stopped:
 * they can sit on any packet, placed in a flow or not.
 */
#define PACKET_ANOMALIES_NOT_A_REASON                                          \
	((anomaly_set)1 << ANOM_CAPLEN_OVER_WIRELEN |                          \
	 (anomaly_set)1 << ANOM_SNAPLEN_CUT |                                  \
	 (anomaly_set)1 << ANOM_TIME_BACKWARDS |                               \
	 (anomaly_set)1 << ANOM_RECORD_OVER_SNAPLEN)

/*
 * Why a decoded packet has no IP layer and so cannot be placed in a flow:
 * the first anomaly in enum order that stops decoding — the outermost
 * layer's, as link anomalies come before IP ones. decode_packet()
 * guarantees every packet without IP has one, so packets = packets in
 * flows + packets counted by this reason. ANOM_COUNT when pkt has an IP
 * layer.
 */
static inline enum anomaly packet_unplaced_reason(const struct packet *pkt)
{
	anomaly_set reasons = pkt->anomalies & ~PACKET_ANOMALIES_NOT_A_REASON;

	if (pkt->ip_version != 0 || reasons == 0)
		return ANOM_COUNT;
	return (enum anomaly)__builtin_ctzll(reasons);
}

#endif
