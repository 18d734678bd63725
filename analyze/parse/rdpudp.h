/*
 * rdpudp.h — RDP's UDP transport (MS-RDPEUDP, MS-RDPEUDP2), read as far
 * as the TLS it carries: the SYN exchange, and the data of each packet
 * with its sequence number.
 *
 * SYN and SYN+ACK (MS-RDPEUDP 2.2.2.1, 2.2.2.5, 2.2.2.8, 2.2.2.9; all
 * big-endian): RDPUDP_FEC_HEADER (snSourceAck, 0xffffffff in the SYN;
 * uReceiveWindowSize; uFlags), RDPUDP_SYNDATA_PAYLOAD (initial sequence
 * number, two MTUs of 1132..1232), with CORRELATION_ID a 16-byte id and 16
 * reserved bytes, with SYNEX the extended flags and uUdpVer (1, 2, or
 * 0x101: version 3, after which both sides speak MS-RDPEUDP2). SYNLOSSY
 * asks for the lossy mode, whose payload is DTLS instead of TLS.
 *
 * Versions 1 and 2 (MS-RDPEUDP 2.2.2): RDPUDP_FEC_HEADER; with ACK the ACK
 * vector (size, elements, padding to 4 bytes); with ACK_OF_ACKS a 4-byte
 * sequence number; with DATA (and not FEC) RDPUDP_SOURCE_PAYLOAD_HEADER
 * (snCoded, snSourceStart: the number of this piece of the stream) and the
 * payload. FEC packets carry coded data: nothing is read from them.
 *
 * Version 3 (MS-RDPEUDP2 2.2.1; little-endian): the sender swaps the first
 * and the eighth byte; then the prefix byte (packet type (b >> 1) & 15:
 * 0 data), a 16-bit header (flags in the low 12 bits), and the optional
 * parts in this order: ACK (7 bytes and one per delayed ack, the count in
 * the low nibble of its seventh byte: bit fields are listed from the least
 * significant bit, as the prefix's and header's show), OverheadSize
 * (1), DelayAckInfo (3), AckOfAcks (2), DataHeader (2), ACKVEC (3: base,
 * then the vector's size in the low 7 bits and the time stamp flag; 4 more
 * with a time stamp; the coded vector), DataBody (ChannelSeqNum: the
 * number of this piece of the stream; then the data).
 *
 * Pure: no allocation, no I/O. A version 3 datagram is unswapped into the
 * caller's struct rdpudp_data, whose payload then points there; otherwise
 * into the caller's bytes.
 */
#ifndef ATTRIB_PARSE_RDPUDP_H
#define ATTRIB_PARSE_RDPUDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RDPUDP_DATAGRAM_MAX 2048   /* MTUs are at most 1232 bytes */
#define RDPUDP_VERSION_3 0x0101

struct rdpudp_syn {
	bool ack;              /* SYN+ACK (the server's) */
	bool lossy;            /* SYNLOSSY: DTLS instead of TLS */
	uint32_t initial_seq;  /* snInitialSequenceNumber */
	uint16_t version;      /* uUdpVer; 1 without SYNEX */
};

struct rdpudp_data {
	uint32_t seq;          /* snSourceStart, or ChannelSeqNum (16 bits) */
	const uint8_t *payload;
	size_t payload_len;
	uint8_t unswapped[RDPUDP_DATAGRAM_MAX]; /* version 3's datagram */
};

enum rdpudp_status {
	RDPUDP_OK,        /* a data packet: seq and payload */
	RDPUDP_NO_DATA,   /* an acknowledgement, FEC or dummy packet */
	RDPUDP_MALFORMED, /* fields run past the datagram */
};

/*
 * Reads the n bytes at p as a SYN or SYN+ACK datagram: false unless the
 * SYN flag is set, the MTUs are in range and, without ACK, snSourceAck is
 * 0xffffffff.
 */
bool rdpudp_parse_syn(const uint8_t *p, size_t n, struct rdpudp_syn *out);

/* A data packet of version 1 or 2. */
enum rdpudp_status rdpudp_parse_v1(const uint8_t *p, size_t n,
				   struct rdpudp_data *out);

/* A packet of version 3 (MS-RDPEUDP2); RDPUDP_MALFORMED also for one
 * longer than RDPUDP_DATAGRAM_MAX. */
enum rdpudp_status rdpudp_parse_v3(const uint8_t *p, size_t n,
				   struct rdpudp_data *out);

#endif
