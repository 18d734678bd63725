/*
 * text.h — bounded text output for the protocol parsers.
 *
 * A textbuf writes into a caller-owned fixed-size char array and keeps it
 * NUL-terminated at all times. Every put is atomic: either all of its bytes
 * fit (with room for the NUL) or none are written and `overflow` is set,
 * so an escape sequence or UTF-8 character is never cut in half. Once
 * `overflow` is set every later put is dropped too, so the text is always
 * a prefix of what was meant.
 *
 * text_put_escaped() renders untrusted bytes the way Wireshark/tshark
 * render string fields (wsutil format_text), so names we store compare
 * equal to `tshark -T fields` output. Pure: no allocation, no I/O.
 */
#ifndef ATTRIB_PARSE_TEXT_H
#define ATTRIB_PARSE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct textbuf {
	char *buf;     /* caller's array, always NUL-terminated */
	size_t size;   /* bytes in buf, NUL included; 0 means nothing fits */
	size_t len;    /* characters written, excluding the NUL */
	bool overflow; /* some put did not fit and was dropped */
};

/* Starts writing at buf[0] (buf = "" when size > 0). */
void textbuf_init(struct textbuf *t, char *buf, size_t size);

/* Appends n bytes from s (not necessarily NUL-terminated), atomically. */
bool textbuf_putn(struct textbuf *t, const char *s, size_t n);

/* Appends a NUL-terminated string, atomically. */
bool textbuf_puts(struct textbuf *t, const char *s);

/* Appends one byte. */
bool textbuf_putc(struct textbuf *t, char c);

/* Appends v in decimal. */
bool textbuf_put_uint(struct textbuf *t, unsigned long v);

/* Appends v as exactly four lower-case hex digits. */
bool textbuf_put_hex16(struct textbuf *t, uint16_t v);

/*
 * Appends n untrusted bytes as tshark would print them:
 *  - printable ASCII 0x20..0x7e as is (backslash and dot included);
 *  - \a \b \f \n \r \t \v for those controls, \ooo (octal) for other ASCII
 *    controls and DEL;
 *  - UTF-8 decoded leniently (overlong forms accepted, 5- and 6-byte forms
 *    decoded); printable code points re-encoded as UTF-8, non-printable
 *    ones (controls, format characters, noncharacters, known-unassigned
 *    ranges) as \uXXXX or \UXXXXXXXX;
 *  - broken sequences, surrogates and values above U+10FFFF as U+FFFD.
 * Unassigned code points inside the BMP and plane 1 are printed as is,
 * where tshark escapes them (no Unicode tables here).
 * The output is always valid UTF-8. Returns false if it did not all fit
 * (output stops at the last whole character that fitted).
 */
bool text_put_escaped(struct textbuf *t, const uint8_t *p, size_t n);

/* A buffer for text_oneline() in which n input bytes are never cut: each
 * byte becomes at most four ("\ooo"), plus the NUL and the three bytes
 * kept back for "...". */
#define TEXT_ONELINE_SIZE(n) (4 * (size_t)(n) + 4)

/*
 * The one escaping every line attrib prints to a terminal goes through
 * (error messages, `score`, `summary`, `indicators` text): writes the
 * NUL-terminated untrusted string s into out (size bytes, at least 4) as
 * text_put_escaped() renders it, so it holds no control character at all
 * (no newline to split a line, no ESC or BEL to drive the terminal, no
 * C1 control or bidirectional override) and is valid UTF-8. When it does
 * not fit, it ends in "..." after the last whole character that fitted.
 * s NULL gives "". Returns out.
 */
const char *text_oneline(const char *s, char *out, size_t size);

/* Longest address text_ip_address() writes, NUL included (as
 * INET6_ADDRSTRLEN). */
#define TEXT_IP_ADDRESS_SIZE 46

/*
 * Writes an IPv4 (version 4: 4 bytes at addr) or IPv6 (16 bytes) address
 * into out (size bytes) exactly as inet_ntop(3) does, and returns its
 * length; "" and 0 when it does not fit or version is neither. IPv4 is
 * formatted here (it runs several times per flow), IPv6 by inet_ntop.
 */
size_t text_ip_address(int version, const uint8_t *addr, char *out,
		       size_t size);

#endif
