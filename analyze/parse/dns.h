/*
 * dns.h — DNS message parser (RFC 1035) for indicator extraction.
 *
 * Parses one DNS message (a UDP payload, or one message split off a TCP
 * stream with dns_tcp_next()) into a flat, fixed-size struct: header, the
 * question section and the answer section. Authority and additional
 * sections are counted from the header only.
 *
 * Names are decompressed with bounded pointer following: at most
 * DNS_MAX_POINTER_JUMPS jumps, and every pointer must point strictly before
 * the start of the label run it was reached from, so self-pointers, forward
 * pointers and cycles all stop at once (ANOM_DNS_POINTER_LOOP). A name over
 * 255 bytes in wire form is ANOM_FIELD_TOO_LONG. Names are stored as text
 * the way tshark prints dns.qry.name (see text_put_escaped(); the root is
 * "<Root>").
 *
 * Pure: no allocation, no I/O. The output struct is large (about 100 KiB);
 * callers should keep one per thread rather than put it on a deep stack.
 */
#ifndef ATTRIB_PARSE_DNS_H
#define ATTRIB_PARSE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/anomaly.h"

#define DNS_HEADER_LEN 12
#define DNS_NAME_WIRE_MAX 255     /* RFC 1035 3.1, length octets included */
#define DNS_MAX_POINTER_JUMPS 16
#define DNS_MAX_QUESTIONS 32      /* kept; the rest are only counted */
#define DNS_MAX_ANSWERS 32
/* Worst case of the escaped text: 4 output bytes per name byte, plus NUL. */
#define DNS_NAME_TEXT_SIZE 1024

#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_AAAA 28

enum dns_status {
	DNS_STATUS_OK = 0,   /* parsed to the end of the answer section */
	DNS_STATUS_NEED_MORE, /* dns_tcp_next(): frame not complete yet */
	DNS_STATUS_MALFORMED, /* stopped early; see the anomalies */
};

struct dns_question {
	char name[DNS_NAME_TEXT_SIZE];
	uint16_t type;
	uint16_t qclass;
};

struct dns_answer {
	char name[DNS_NAME_TEXT_SIZE];
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlength;
	/*
	 * A: dotted quad; AAAA: RFC 5952 text; CNAME: the decoded name.
	 * Empty for every other type, or when the rdata is malformed.
	 */
	char data[DNS_NAME_TEXT_SIZE];
};

struct dns_message {
	uint16_t id;
	uint16_t flags;      /* the raw 16-bit flags word */
	bool is_response;    /* QR bit */
	uint8_t opcode;
	uint8_t rcode;       /* header RCODE (EDNS extension not applied) */
	bool truncated;      /* TC bit */
	uint16_t qdcount, ancount, nscount, arcount; /* as in the header */

	uint32_t questions_seen; /* parsed, kept or not */
	uint32_t answers_seen;
	uint32_t n_questions;    /* kept in questions[] */
	uint32_t n_answers;      /* kept in answers[] */
	struct dns_question questions[DNS_MAX_QUESTIONS];
	struct dns_answer answers[DNS_MAX_ANSWERS];

	size_t parsed_len;       /* bytes read to the end of the answers */
	anomaly_set anomalies;
};

/*
 * Parses the DNS message in len bytes at msg into *out (fully overwritten).
 * The bytes stay owned by the caller and are not referenced afterwards.
 * Returns DNS_STATUS_OK when the header, all qdcount questions and all
 * ancount answers were read; DNS_STATUS_MALFORMED when the message ended
 * early or was inconsistent (out holds everything read before that point,
 * out->anomalies says why). Name problems that leave the record boundaries
 * known (pointer loops, over-long names) are recorded and parsing goes on.
 */
enum dns_status dns_parse(const uint8_t *msg, size_t len,
			  struct dns_message *out);

/*
 * Splits one DNS-over-TCP message (RFC 1035 4.2.2: 2-byte length prefix)
 * off the start of a stream chunk. On DNS_STATUS_OK, *msg and *msg_len point
 * into buf at the message and *consumed is 2 + *msg_len, so the caller can
 * continue at buf + *consumed. On DNS_STATUS_NEED_MORE the chunk holds less
 * than one whole frame; nothing is consumed.
 */
enum dns_status dns_tcp_next(const uint8_t *buf, size_t len,
			     const uint8_t **msg, size_t *msg_len,
			     size_t *consumed);

#endif
