/*
 * dns.c — DNS query and response building (dns.h).
 */
#include "pcaps/gen/lib/dns.h"

#include <string.h>

#define DNS_FLAGS_QUERY 0x0100    /* RD */
#define DNS_FLAGS_RESPONSE 0x8180 /* QR RD RA, NOERROR */
#define DNS_RCODE_NXDOMAIN 3
#define DNS_TYPE_A 1
#define DNS_CLASS_IN 1
#define DNS_POINTER_TO_QUESTION 0xc00c /* the name at offset 12 */

static void put_name(struct buf *b, const char *name)
{
	const char *p = name;

	while (*p) {
		size_t n = strcspn(p, ".");
		if (n == 0 || n > 63) {
			b->overflow = true; /* not a name we can encode */
			return;
		}
		buf_u8(b, (uint8_t)n);
		buf_bytes(b, p, n);
		p += n;
		if (*p == '.')
			p++;
	}
	buf_u8(b, 0);
}

static void header_and_question(struct buf *b, uint16_t id, uint16_t flags,
				uint16_t answers, const char *name)
{
	buf_u16(b, id);
	buf_u16(b, flags);
	buf_u16(b, 1); /* questions */
	buf_u16(b, answers);
	buf_u16(b, 0); /* authority */
	buf_u16(b, 0); /* additional */
	put_name(b, name);
	buf_u16(b, DNS_TYPE_A);
	buf_u16(b, DNS_CLASS_IN);
}

void dns_query(struct buf *b, uint16_t id, const char *name)
{
	header_and_question(b, id, DNS_FLAGS_QUERY, 0, name);
}

void dns_response(struct buf *b, uint16_t id, const char *name,
		  const uint32_t *answers, size_t answer_count,
		  uint32_t ttl_s)
{
	uint16_t flags = DNS_FLAGS_RESPONSE;

	if (answer_count > DNS_MAX_ANSWERS)
		answer_count = DNS_MAX_ANSWERS;
	if (answer_count == 0)
		flags |= DNS_RCODE_NXDOMAIN;
	header_and_question(b, id, flags, (uint16_t)answer_count, name);
	for (size_t i = 0; i < answer_count; i++) {
		buf_u16(b, DNS_POINTER_TO_QUESTION);
		buf_u16(b, DNS_TYPE_A);
		buf_u16(b, DNS_CLASS_IN);
		buf_u32(b, ttl_s);
		buf_u16(b, 4);
		buf_u32(b, answers[i]);
	}
}
