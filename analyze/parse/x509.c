/*
 * x509.c — bounded DER walk to a certificate's subject and issuer
 * (see x509.h).
 */
#include "analyze/parse/x509.h"

#include <string.h>

#include "analyze/parse/text.h"
#include "capture/cursor.h"

#define DER_SEQUENCE 0x30
#define DER_SET 0x31
#define DER_INTEGER 0x02
#define DER_OID 0x06
#define DER_EXPLICIT_0 0xa0
#define DER_MAX_LENGTH_OCTETS 4

#define DER_NUMERIC_STRING 0x12
#define DER_PRINTABLE_STRING 0x13
#define DER_T61_STRING 0x14
#define DER_IA5_STRING 0x16
#define DER_VISIBLE_STRING 0x1a
#define DER_UNIVERSAL_STRING 0x1c
#define DER_BMP_STRING 0x1e
#define DER_UTF8_STRING 0x0c

/* Reads one tag-length-value; *value covers the contents. */
static bool der_read(struct cursor *c, uint8_t *tag, struct cursor *value)
{
	uint8_t b;
	size_t len = 0;

	if (!cursor_u8(c, tag) || (*tag & 0x1f) == 0x1f || !cursor_u8(c, &b))
		return false; /* no high-tag-number form on our path */
	if (b < 0x80) {
		len = b;
	} else {
		unsigned n = b & 0x7f;

		/* 0x80 is BER's indefinite length: not DER. */
		if (n == 0 || n > DER_MAX_LENGTH_OCTETS)
			return false;
		while (n-- > 0) {
			if (!cursor_u8(c, &b))
				return false;
			len = len << 8 | b;
		}
	}
	return cursor_sub(c, len, value);
}

static bool der_expect(struct cursor *c, uint8_t want, struct cursor *value)
{
	uint8_t tag;

	return der_read(c, &tag, value) && tag == want;
}

/* Short name of an id-at attribute (2.5.4.x), or NULL if not kept. */
static const char *attribute_label(struct cursor oid)
{
	uint8_t v[3];

	if (cursor_left(&oid) != sizeof(v) ||
	    !cursor_copy(&oid, v, sizeof(v)) || v[0] != 0x55 || v[1] != 0x04)
		return NULL;
	switch (v[2]) {
	case 3: return "CN";
	case 6: return "C";
	case 7: return "L";
	case 8: return "ST";
	case 10: return "O";
	case 11: return "OU";
	default: return NULL;
	}
}

/* Encodes cp as UTF-8 at out[*n] (room for 4 bytes is the caller's). */
static void put_utf8(uint8_t *out, size_t *n, uint32_t cp)
{
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		out[(*n)++] = (uint8_t)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (uint8_t)(0xc0 | cp >> 6);
		out[(*n)++] = (uint8_t)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*n)++] = (uint8_t)(0xe0 | cp >> 12);
		out[(*n)++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (uint8_t)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (uint8_t)(0xf0 | cp >> 18);
		out[(*n)++] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		out[(*n)++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (uint8_t)(0x80 | (cp & 0x3f));
	}
}

/*
 * Converts a string value to bytes for rendering: 8-bit string types as
 * they are, BMP (UCS-2) and Universal (UCS-4) strings to UTF-8. Returns
 * the byte count; *cut is set when the value was longer than we render.
 */
static size_t value_bytes(uint8_t tag, struct cursor v, uint8_t *out,
			  bool *cut)
{
	size_t n = 0, unit = 1;

	if (tag == DER_BMP_STRING)
		unit = 2;
	else if (tag == DER_UNIVERSAL_STRING)
		unit = 4;
	*cut = cursor_left(&v) > X509_VALUE_MAX;
	for (size_t i = 0; i < X509_VALUE_MAX / unit; i++) {
		uint8_t b;
		uint16_t u16;
		uint32_t u32;

		if (unit == 1 && cursor_u8(&v, &b))
			out[n++] = b;
		else if (unit == 2 && cursor_be16(&v, &u16))
			put_utf8(out, &n, u16);
		else if (unit == 4 && cursor_be32(&v, &u32))
			put_utf8(out, &n, u32);
		else
			break;
	}
	return n;
}

/* Writes value bytes with RFC 4514 escapes for its special characters. */
static void put_value(struct textbuf *t, const uint8_t *p, size_t n)
{
	struct cursor c;
	size_t run_start = 0;
	uint8_t b;

	cursor_init(&c, p, n);
	while (cursor_u8(&c, &b)) {
		size_t at = c.off - 1;
		bool special = strchr(",+\"\\<>;", b) != NULL && b != '\0';

		special |= at == 0 && (b == '#' || b == ' ');
		special |= at == n - 1 && b == ' ';
		if (!special)
			continue;
		text_put_escaped(t, p + run_start, at - run_start);
		textbuf_putc(t, '\\');
		textbuf_putc(t, (char)b);
		run_start = at + 1;
	}
	text_put_escaped(t, p + run_start, n - run_start);
}

static bool is_string_tag(uint8_t tag)
{
	switch (tag) {
	case DER_UTF8_STRING:
	case DER_NUMERIC_STRING:
	case DER_PRINTABLE_STRING:
	case DER_T61_STRING:
	case DER_IA5_STRING:
	case DER_VISIBLE_STRING:
	case DER_UNIVERSAL_STRING:
	case DER_BMP_STRING:
		return true;
	default:
		return false;
	}
}

/* Renders a Name (SEQUENCE OF SET OF AttributeTypeAndValue) into out. */
static bool render_name(struct cursor name, char *out, size_t size,
			anomaly_set *anomalies)
{
	uint8_t value[2 * X509_VALUE_MAX];
	struct textbuf t;
	bool first = true;

	textbuf_init(&t, out, size);
	while (cursor_left(&name) > 0) {
		struct cursor set;
		bool first_in_set = true;

		if (!der_expect(&name, DER_SET, &set))
			return false;
		while (cursor_left(&set) > 0) {
			struct cursor atv, oid, val;
			const char *label;
			uint8_t tag;
			size_t n;
			bool cut;

			if (!der_expect(&set, DER_SEQUENCE, &atv) ||
			    !der_expect(&atv, DER_OID, &oid) ||
			    !der_read(&atv, &tag, &val))
				return false;
			label = attribute_label(oid);
			if (label == NULL)
				continue;
			if (!first)
				textbuf_puts(&t, first_in_set ? ", " : "+");
			textbuf_puts(&t, label);
			textbuf_putc(&t, '=');
			if (is_string_tag(tag)) {
				n = value_bytes(tag, val, value, &cut);
				put_value(&t, value, n);
				if (cut)
					anomaly_add(anomalies,
						    ANOM_FIELD_TOO_LONG);
			}
			first = first_in_set = false;
		}
	}
	if (t.overflow)
		anomaly_add(anomalies, ANOM_FIELD_TOO_LONG);
	return true;
}

bool x509_read_names(const uint8_t *der, size_t len, struct x509_names *out,
		     anomaly_set *anomalies)
{
	struct cursor c, cert, tbs, skip, issuer, subject;
	uint8_t tag;

	out->subject[0] = '\0';
	out->issuer[0] = '\0';
	cursor_init(&c, der, len);
	if (!der_expect(&c, DER_SEQUENCE, &cert) ||
	    !der_expect(&cert, DER_SEQUENCE, &tbs))
		goto malformed;
	/* Optional [0] EXPLICIT version. */
	if (cursor_peek_u8(&tbs, tbs.off, &tag) && tag == DER_EXPLICIT_0 &&
	    !der_read(&tbs, &tag, &skip))
		goto malformed;
	if (!der_expect(&tbs, DER_INTEGER, &skip) ||    /* serialNumber */
	    !der_expect(&tbs, DER_SEQUENCE, &skip) ||   /* signature */
	    !der_expect(&tbs, DER_SEQUENCE, &issuer) ||
	    !der_expect(&tbs, DER_SEQUENCE, &skip) ||   /* validity */
	    !der_expect(&tbs, DER_SEQUENCE, &subject))
		goto malformed;
	if (!render_name(issuer, out->issuer, sizeof(out->issuer),
			 anomalies) ||
	    !render_name(subject, out->subject, sizeof(out->subject),
			 anomalies))
		goto malformed;
	return true;

malformed:
	out->subject[0] = '\0';
	out->issuer[0] = '\0';
	anomaly_add(anomalies, ANOM_TLS_MALFORMED);
	return false;
}
