/*
 * dns.h — DNS messages for the scenario generator (RFC 1035): a
 * recursive query for an A record and its response, with the answers
 * naming the question through a compression pointer as real resolvers do.
 */
#ifndef ATTRIB_GEN_DNS_H
#define ATTRIB_GEN_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "pcaps/gen/lib/buf.h"

#define DNS_PORT 53
#define DNS_MAX_ANSWERS 8

/* Appends a standard query (RD set) for the A record of name (dotted,
 * no trailing dot; labels of 1..63 bytes). */
void dns_query(struct buf *b, uint16_t id, const char *name);

/* Appends the response to that query: answer_count A records (host-order
 * IPv4, TTL ttl_s), or NXDOMAIN when answer_count is 0. */
void dns_response(struct buf *b, uint16_t id, const char *name,
		  const uint32_t *answers, size_t answer_count,
		  uint32_t ttl_s);

#endif
