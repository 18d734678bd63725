/*
 * dns.c — DNS message parser (see dns.h).
 *
 * All reads of message bytes go through a cursor over the whole message,
 * because compression pointers are offsets from its start.
 */
#include "analyze/parse/dns.h"

#include <stddef.h>
#include <string.h>

#include "analyze/parse/text.h"
#include "capture/cursor.h"

#define DNS_QR_BIT 0x8000u
#define DNS_TC_BIT 0x0200u
#define DNS_LABEL_POINTER 0xc0u
#define DNS_LABEL_MAX 63

/*
 * Reads the name starting at offset start of the message behind whole and
 * writes its text form to out. *end receives the offset just past the name
 * as it sits at start (after the first pointer, if any). Returns false when
 * that end is unknown (the message ended or a bad label came first); name
 * problems found after the end is known are recorded in *anom only.
 */
static bool dns_read_name(const struct cursor *whole, size_t start,
			  size_t *end, char *out, size_t out_size,
			  anomaly_set *anom)
{
	uint8_t name[DNS_NAME_WIRE_MAX];
	size_t name_len = 0;
	size_t wire_len = 1; /* the root label that ends every name */
	size_t seg_start = start;
	unsigned jumps = 0;
	bool have_end = false, complete = false, too_long = false;
	struct cursor c = *whole;
	struct textbuf t;

	textbuf_init(&t, out, out_size);
	if (!cursor_seek(&c, start)) {
		anomaly_add(anom, ANOM_DNS_MALFORMED);
		return false;
	}
	for (;;) {
		uint8_t b, lo;

		if (!cursor_u8(&c, &b)) {
			anomaly_add(anom, ANOM_DNS_MALFORMED);
			break;
		}
		if (b == 0) {
			if (!have_end)
				*end = c.off;
			have_end = complete = true;
			break;
		}
		if ((b & DNS_LABEL_POINTER) == DNS_LABEL_POINTER) {
			size_t target;

			if (!cursor_u8(&c, &lo)) {
				anomaly_add(anom, ANOM_DNS_MALFORMED);
				break;
			}
			if (!have_end)
				*end = c.off;
			have_end = true;
			target = (size_t)(b & ~DNS_LABEL_POINTER) << 8 | lo;
			if (target >= c.len) {
				anomaly_add(anom, ANOM_DNS_MALFORMED);
				break;
			}
			/* Strictly backwards from where this run began. */
			if (target >= seg_start ||
			    ++jumps > DNS_MAX_POINTER_JUMPS) {
				anomaly_add(anom, ANOM_DNS_POINTER_LOOP);
				break;
			}
			seg_start = target;
			cursor_seek(&c, target);
			continue;
		}
		if (b > DNS_LABEL_MAX) { /* 0x40 / 0x80: obsolete label types */
			anomaly_add(anom, ANOM_DNS_MALFORMED);
			break;
		}
		if (!cursor_has(&c, b)) {
			anomaly_add(anom, ANOM_DNS_MALFORMED);
			break;
		}
		wire_len += 1 + (size_t)b;
		if (wire_len > DNS_NAME_WIRE_MAX) {
			/* Keep walking to find where the name ends. */
			too_long = true;
			cursor_skip(&c, b);
			continue;
		}
		if (name_len > 0)
			name[name_len++] = '.';
		cursor_copy(&c, name + name_len, b);
		name_len += b;
	}
	if (too_long)
		anomaly_add(anom, ANOM_FIELD_TOO_LONG);
	if (name_len == 0 && complete && !too_long)
		textbuf_puts(&t, "<Root>");
	else
		text_put_escaped(&t, name, name_len);
	return have_end;
}

/* Reads the 12-byte header; false if the message is shorter. */
static bool dns_read_header(struct cursor *c, struct dns_message *out)
{
	if (!cursor_be16(c, &out->id) || !cursor_be16(c, &out->flags) ||
	    !cursor_be16(c, &out->qdcount) || !cursor_be16(c, &out->ancount) ||
	    !cursor_be16(c, &out->nscount) || !cursor_be16(c, &out->arcount))
		return false;
	out->is_response = (out->flags & DNS_QR_BIT) != 0;
	out->opcode = (uint8_t)((out->flags >> 11) & 0x0f);
	out->truncated = (out->flags & DNS_TC_BIT) != 0;
	out->rcode = (uint8_t)(out->flags & 0x0f);
	return true;
}

static bool dns_read_question(struct cursor *c, struct dns_message *out)
{
	struct dns_question scratch, *q = &scratch;
	size_t end;

	if (out->n_questions < DNS_MAX_QUESTIONS)
		q = &out->questions[out->n_questions];
	if (!dns_read_name(c, c->off, &end, q->name, sizeof(q->name),
			   &out->anomalies))
		return false;
	cursor_seek(c, end);
	if (!cursor_be16(c, &q->type) || !cursor_be16(c, &q->qclass)) {
		anomaly_add(&out->anomalies, ANOM_DNS_MALFORMED);
		return false;
	}
	out->questions_seen++;
	if (q != &scratch)
		out->n_questions++;
	return true;
}

/* Fills a->data from the rdata at [start, start + a->rdlength). */
static void dns_read_rdata(const struct cursor *c, size_t start,
			   struct dns_answer *a, anomaly_set *anom)
{
	struct cursor rd = *c;
	uint8_t addr[16];
	size_t end;

	a->data[0] = '\0';
	/* Empty rdata is legal (IQUERY, UPDATE deletes): nothing to show. */
	if (a->rdlength == 0)
		return;
	cursor_seek(&rd, start);
	switch (a->type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA: {
		size_t want = a->type == DNS_TYPE_A ? 4 : 16;

		if (a->rdlength != want || !cursor_copy(&rd, addr, want)) {
			anomaly_add(anom, ANOM_DNS_MALFORMED);
			return;
		}
		text_ip_address(a->type == DNS_TYPE_A ? 4 : 6, addr, a->data,
				sizeof(a->data));
		return;
	}
	case DNS_TYPE_CNAME:
		if (!dns_read_name(c, start, &end, a->data, sizeof(a->data),
				   anom) ||
		    end != start + a->rdlength)
			anomaly_add(anom, ANOM_DNS_MALFORMED);
		return;
	default:
		return;
	}
}

static bool dns_read_answer(struct cursor *c, struct dns_message *out)
{
	struct dns_answer scratch, *a = &scratch;
	size_t end, rdata_start;

	if (out->n_answers < DNS_MAX_ANSWERS)
		a = &out->answers[out->n_answers];
	if (!dns_read_name(c, c->off, &end, a->name, sizeof(a->name),
			   &out->anomalies))
		return false;
	cursor_seek(c, end);
	if (!cursor_be16(c, &a->type) || !cursor_be16(c, &a->rclass) ||
	    !cursor_be32(c, &a->ttl) || !cursor_be16(c, &a->rdlength)) {
		anomaly_add(&out->anomalies, ANOM_DNS_MALFORMED);
		return false;
	}
	rdata_start = c->off;
	if (!cursor_skip(c, a->rdlength)) {
		anomaly_add(&out->anomalies, ANOM_DNS_MALFORMED);
		return false;
	}
	/* The scratch record is only counted, so its rdata is not decoded. */
	if (a != &scratch)
		dns_read_rdata(c, rdata_start, a, &out->anomalies);
	out->answers_seen++;
	if (a != &scratch)
		out->n_answers++;
	return true;
}

enum dns_status dns_parse(const uint8_t *msg, size_t len,
			  struct dns_message *out)
{
	struct cursor c;

	/* The record arrays are ~100 KiB and entries below n_questions and
	 * n_answers are always written whole, so only the rest is cleared:
	 * this runs for every DNS message of a capture. */
	memset(out, 0, offsetof(struct dns_message, questions));
	out->parsed_len = 0;
	out->anomalies = 0;
	cursor_init(&c, msg, len);
	if (!dns_read_header(&c, out)) {
		anomaly_add(&out->anomalies, ANOM_DNS_MALFORMED);
		return DNS_STATUS_MALFORMED;
	}
	/* Each record reads at least one byte, so the message bounds these. */
	for (unsigned i = 0; i < out->qdcount; i++) {
		if (!dns_read_question(&c, out))
			goto stopped;
	}
	for (unsigned i = 0; i < out->ancount; i++) {
		if (!dns_read_answer(&c, out))
			goto stopped;
	}
	out->parsed_len = c.off;
	return DNS_STATUS_OK;

stopped:
	out->parsed_len = c.off;
	return DNS_STATUS_MALFORMED;
}

enum dns_status dns_tcp_next(const uint8_t *buf, size_t len,
			     const uint8_t **msg, size_t *msg_len,
			     size_t *consumed)
{
	struct cursor c;
	uint16_t frame_len;

	*msg = NULL;
	*msg_len = 0;
	*consumed = 0;
	cursor_init(&c, buf, len);
	if (!cursor_be16(&c, &frame_len) ||
	    !cursor_bytes(&c, frame_len, msg)) {
		*msg = NULL;
		return DNS_STATUS_NEED_MORE;
	}
	*msg_len = frame_len;
	*consumed = c.off;
	return DNS_STATUS_OK;
}
