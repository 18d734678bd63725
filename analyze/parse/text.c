/*
 * text.c — bounded text output and tshark-style escaping (see text.h).
 */
#include "analyze/parse/text.h"

#include <arpa/inet.h>
#include <string.h>

#include "capture/cursor.h"

#define UNICODE_REPLACEMENT 0xfffdu
#define UNICODE_MAX 0x10ffffu

void textbuf_init(struct textbuf *t, char *buf, size_t size)
{
	t->buf = buf;
	t->size = size;
	t->len = 0;
	t->overflow = false;
	if (size > 0)
		buf[0] = '\0';
}

bool textbuf_putn(struct textbuf *t, const char *s, size_t n)
{
	/* len < size always holds when size > 0, so size - len - 1 is safe. */
	if (t->overflow || t->size == 0 || n > t->size - t->len - 1) {
		t->overflow = true;
		return false;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
	return true;
}

bool textbuf_puts(struct textbuf *t, const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return textbuf_putn(t, s, n);
}

bool textbuf_putc(struct textbuf *t, char c)
{
	return textbuf_putn(t, &c, 1);
}

bool textbuf_put_uint(struct textbuf *t, unsigned long v)
{
	char digits[24];
	size_t n = sizeof(digits);

	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && n > 0);
	return textbuf_putn(t, digits + n, sizeof(digits) - n);
}

bool textbuf_put_hex16(struct textbuf *t, uint16_t v)
{
	static const char hex[] = "0123456789abcdef";
	char s[4] = { hex[v >> 12], hex[(v >> 8) & 15], hex[(v >> 4) & 15],
		      hex[v & 15] };

	return textbuf_putn(t, s, sizeof(s));
}

/* Encodes cp (<= U+10FFFF) as UTF-8 into out; returns the byte count. */
static size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

struct cp_range {
	uint32_t lo, hi;
};

/*
 * Code points tshark escapes although they are valid: C1 controls, the
 * format characters (general category Cf, Unicode 15) and the unassigned
 * ranges that are cheap to list (noncharacters, most of planes 2, 3, 14
 * and all of planes 4..13).
 */
static const struct cp_range unprintable[] = {
	{ 0x80, 0x9f },       { 0xad, 0xad },       { 0x600, 0x605 },
	{ 0x61c, 0x61c },     { 0x6dd, 0x6dd },     { 0x70f, 0x70f },
	{ 0x890, 0x891 },     { 0x8e2, 0x8e2 },     { 0x180e, 0x180e },
	{ 0x200b, 0x200f },   { 0x202a, 0x202e },   { 0x2060, 0x2064 },
	{ 0x2066, 0x206f },   { 0xfdd0, 0xfdef },   { 0xfeff, 0xfeff },
	{ 0xfff9, 0xfffb },   { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd },
	{ 0x13430, 0x1343f }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
	{ 0x2a6e0, 0x2a6ff }, { 0x2b73a, 0x2b73f }, { 0x2b81e, 0x2b81f },
	{ 0x2cea2, 0x2ceaf }, { 0x2ebe1, 0x2f7ff }, { 0x2fa1e, 0x2ffff },
	{ 0x3134b, 0x3134f }, { 0x323b0, 0xe0000 }, { 0xe0001, 0xe0001 },
	{ 0xe0002, 0xe001f }, { 0xe0020, 0xe007f }, { 0xe0080, 0xe00ff },
	{ 0xe01f0, 0xeffff },
};

static bool cp_printable(uint32_t cp)
{
	if ((cp & 0xfffe) == 0xfffe)
		return false; /* U+xxFFFE and U+xxFFFF are noncharacters */
	for (size_t i = 0; i < sizeof(unprintable) / sizeof(unprintable[0]);
	     i++)
		if (cp >= unprintable[i].lo && cp <= unprintable[i].hi)
			return false;
	return true;
}

static bool put_ascii(struct textbuf *t, uint8_t c)
{
	static const char letters[] = "abtnvfr"; /* \a = 7 .. \r = 13 */
	char esc[4] = { '\\', 0, 0, 0 };

	if (c >= 0x20 && c < 0x7f)
		return textbuf_putc(t, (char)c);
	if (c >= 7 && c <= 13) {
		esc[1] = letters[c - 7];
		return textbuf_putn(t, esc, 2);
	}
	esc[1] = (char)('0' + (c >> 6));
	esc[2] = (char)('0' + ((c >> 3) & 7));
	esc[3] = (char)('0' + (c & 7));
	return textbuf_putn(t, esc, 4);
}

static bool put_code_point(struct textbuf *t, uint32_t cp)
{
	static const char hex[] = "0123456789ABCDEF";
	char s[10];
	size_t n;

	if (cp > UNICODE_MAX || (cp >= 0xd800 && cp <= 0xdfff))
		cp = UNICODE_REPLACEMENT;
	if (cp_printable(cp) && cp >= 0x20 && cp != 0x7f) {
		n = utf8_encode(cp, s);
		return textbuf_putn(t, s, n);
	}
	s[0] = '\\';
	s[1] = cp > 0xffff ? 'U' : 'u';
	n = cp > 0xffff ? 8 : 4;
	for (size_t i = 0; i < n; i++)
		s[2 + i] = hex[(cp >> (4 * (n - 1 - i))) & 15];
	return textbuf_putn(t, s, 2 + n);
}

/* Continuation bytes expected after lead byte c; -1 for an invalid lead. */
static int utf8_trailing(uint8_t c, uint32_t *initial)
{
	if (c >= 0xc0 && c <= 0xdf) {
		*initial = c & 0x1f;
		return 1;
	}
	if (c >= 0xe0 && c <= 0xef) {
		*initial = c & 0x0f;
		return 2;
	}
	if (c >= 0xf0 && c <= 0xf7) {
		*initial = c & 0x07;
		return 3;
	}
	if (c >= 0xf8 && c <= 0xfb) {
		*initial = c & 0x03;
		return 4;
	}
	if (c >= 0xfc && c <= 0xfd) {
		*initial = c & 0x01;
		return 5;
	}
	return -1;
}

const char *text_oneline(const char *s, char *out, size_t size)
{
	struct textbuf t;
	if (size < 4) {
		if (size)
			out[0] = '\0';
		return out;
	}
	/* three bytes kept back for the "..." of a cut */
	textbuf_init(&t, out, size - 3);
	if (s && !text_put_escaped(&t, (const uint8_t *)s, strlen(s)))
		memcpy(out + t.len, "...", 4);
	return out;
}

bool text_put_escaped(struct textbuf *t, const uint8_t *p, size_t n)
{
	struct cursor c;
	uint8_t b;

	cursor_init(&c, p, n);
	for (;;) {
		/* A run of printable ASCII goes out as it is, in one put (cut at
		 * what fits, as putting it byte by byte would). */
		size_t run = 0;
		while (cursor_peek_u8(&c, c.off + run, &b) && b >= 0x20 &&
		       b < 0x7f)
			run++;
		if (run > 0) {
			size_t room = t->size > t->len ? t->size - t->len - 1 : 0;
			if (!t->overflow && run > room) {
				textbuf_putn(t, (const char *)p + c.off, room);
				t->overflow = true;
			}
			if (!textbuf_putn(t, (const char *)p + c.off, run))
				return false;
			cursor_skip(&c, run);
		}
		if (!cursor_u8(&c, &b))
			break;
		uint32_t cp;
		int need;
		bool ok;

		if (b < 0x80) {
			ok = put_ascii(t, b);
		} else if ((need = utf8_trailing(b, &cp)) < 0) {
			ok = put_code_point(t, UNICODE_REPLACEMENT);
		} else {
			uint8_t next;
			int got = 0;

			/* A non-continuation byte ends the sequence unread. */
			while (got < need && cursor_peek_u8(&c, c.off, &next) &&
			       (next & 0xc0) == 0x80) {
				cursor_skip(&c, 1);
				cp = cp << 6 | (next & 0x3f);
				got++;
			}
			if (got != need)
				cp = UNICODE_REPLACEMENT;
			ok = put_code_point(t, cp);
		}
		if (!ok)
			return false;
	}
	return true;
}

size_t text_ip_address(int version, const uint8_t *addr, char *out,
		       size_t size)
{
	if (size == 0)
		return 0;
	out[0] = '\0';
	if (version == 6) {
		if (!inet_ntop(AF_INET6, addr, out, (socklen_t)size)) {
			out[0] = '\0';
			return 0;
		}
		return strlen(out);
	}
	if (version != 4)
		return 0;
	char s[16];
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		unsigned v = addr[i];
		if (i > 0)
			s[n++] = '.';
		if (v >= 100)
			s[n++] = (char)('0' + v / 100);
		if (v >= 10)
			s[n++] = (char)('0' + v / 10 % 10);
		s[n++] = (char)('0' + v % 10);
	}
	if (n >= size)
		return 0;
	memcpy(out, s, n);
	out[n] = '\0';
	return n;
}
