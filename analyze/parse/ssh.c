/*
 * ssh.c — SSH banner and KEXINIT parser, HASSH (see ssh.h).
 */
#include "analyze/parse/ssh.h"

#include <string.h>

#include "analyze/parse/text.h"
#include "capture/cursor.h"

#define SSH_MIN_PADDING 4
#define SSH_HASSH_LISTS 4
/* Four lists, three ';' separators. */
#define SSH_HASSH_INPUT_MAX (SSH_HASSH_LISTS * SSH_NAMELIST_MAX + 3)

static const char ssh_prefix[] = "SSH-";

/*
 * Finds the next LF within the first bound bytes of c. On success *line
 * covers the line without CR LF and c moves past the LF.
 * Returns 1 on success, 0 when there is no LF yet (and fewer than bound
 * bytes are left), -1 when bound bytes hold no LF.
 */
static int ssh_next_line(struct cursor *c, size_t bound, struct cursor *line,
			 bool *bare_lf)
{
	size_t left = cursor_left(c);
	size_t window = left < bound ? left : bound;
	const uint8_t *lf = window ? memchr(cursor_ptr(c), '\n', window) : NULL;
	uint8_t last;
	size_t n;

	if (lf == NULL)
		return left >= bound ? -1 : 0;
	n = (size_t)(lf - cursor_ptr(c));
	cursor_sub(c, n, line);
	cursor_skip(c, 1);
	*bare_lf = !(n > 0 && cursor_peek_u8(line, n - 1, &last) &&
		     last == '\r');
	if (!*bare_lf)
		line->len--;
	return 1;
}

/* 1: starts with "SSH-"; 0: too short to tell; -1: does not. */
static int ssh_starts_with_prefix(const struct cursor *c)
{
	uint8_t b;

	for (size_t i = 0; i < sizeof(ssh_prefix) - 1; i++) {
		if (!cursor_peek_u8(c, c->off + i, &b))
			return 0;
		if (b != (uint8_t)ssh_prefix[i])
			return -1;
	}
	return 1;
}

/*
 * A line a server may send before its banner must be text. Scans what is
 * there of the next line: 1 when it is a whole text line, 0 when it is
 * text so far but unfinished, -1 when it holds a control byte or passes
 * SSH_PREBANNER_LINE_MAX.
 */
static int ssh_scan_prebanner(const struct cursor *c)
{
	struct cursor scan = *c;
	uint8_t b;

	for (size_t n = 0; n < SSH_PREBANNER_LINE_MAX; n++) {
		if (!cursor_u8(&scan, &b))
			return 0;
		if (b == '\n')
			return 1;
		if ((b < 0x20 && b != '\t' && b != '\r') || b == 0x7f)
			return -1;
	}
	return -1;
}

static void ssh_put(const struct cursor *line, size_t from, size_t to,
		    char *out, size_t size)
{
	struct cursor c = *line, part;
	struct textbuf t;

	textbuf_init(&t, out, size);
	if (to > from && cursor_seek(&c, from) &&
	    cursor_sub(&c, to - from, &part))
		text_put_escaped(&t, cursor_ptr(&part), cursor_left(&part));
}

/* Splits "SSH-proto-software[ SP comments]" into out's fields. */
static void ssh_split_banner(struct cursor line, struct ssh_banner *out)
{
	size_t dash = SIZE_MAX, space = SIZE_MAX;
	size_t start = sizeof(ssh_prefix) - 1;
	uint8_t b;

	ssh_put(&line, 0, line.len, out->text, sizeof(out->text));
	cursor_seek(&line, start);
	while (cursor_u8(&line, &b)) {
		if ((b < 0x20 && b != '\t') || b == 0x7f)
			anomaly_add(&out->anomalies, ANOM_SSH_MALFORMED);
		if (b == '-' && dash == SIZE_MAX && space == SIZE_MAX)
			dash = line.off - 1;
		if (b == ' ' && space == SIZE_MAX)
			space = line.off - 1;
	}
	if (dash == SIZE_MAX) {
		anomaly_add(&out->anomalies, ANOM_SSH_MALFORMED);
		return;
	}
	ssh_put(&line, start, dash, out->proto_version,
		sizeof(out->proto_version));
	if (space == SIZE_MAX)
		space = line.len;
	ssh_put(&line, dash + 1, space, out->software, sizeof(out->software));
	if (space < line.len)
		ssh_put(&line, space + 1, line.len, out->comments,
			sizeof(out->comments));
}

enum ssh_status ssh_parse_banner(const uint8_t *buf, size_t len,
				 struct ssh_banner *out, size_t *consumed)
{
	struct cursor c, line;
	bool bare_lf;
	int r;

	memset(out, 0, sizeof(*out));
	*consumed = 0;
	cursor_init(&c, buf, len);
	for (;;) {
		r = ssh_starts_with_prefix(&c);
		if (r == 0)
			return SSH_STATUS_NEED_MORE;
		if (r > 0)
			break;
		r = ssh_scan_prebanner(&c);
		if (r == 0)
			return SSH_STATUS_NEED_MORE;
		if (r < 0) {
			if (out->prebanner_lines == 0)
				return SSH_STATUS_NOT_SSH;
			anomaly_add(&out->anomalies, ANOM_SSH_MALFORMED);
			goto malformed;
		}
		ssh_next_line(&c, SSH_PREBANNER_LINE_MAX, &line, &bare_lf);
		if (++out->prebanner_lines > SSH_MAX_PREBANNER_LINES) {
			anomaly_add(&out->anomalies, ANOM_SSH_MALFORMED);
			goto malformed;
		}
	}
	r = ssh_next_line(&c, SSH_BANNER_MAX, &line, &bare_lf);
	if (r == 0)
		return SSH_STATUS_NEED_MORE;
	if (r < 0) {
		/* Keep what fits of the over-long line as evidence. */
		cursor_sub(&c, SSH_BANNER_MAX, &line);
		ssh_put(&line, 0, line.len, out->text, sizeof(out->text));
		anomaly_add(&out->anomalies, ANOM_FIELD_TOO_LONG);
		goto malformed;
	}
	out->bare_lf = bare_lf;
	ssh_split_banner(line, out);
	*consumed = c.off;
	return out->proto_version[0] ? SSH_STATUS_OK : SSH_STATUS_MALFORMED;

malformed:
	*consumed = c.off;
	return SSH_STATUS_MALFORMED;
}

/* True when every byte is a printable, non-space US-ASCII character. */
static bool ssh_namelist_clean(struct cursor list)
{
	uint8_t b;

	while (cursor_u8(&list, &b))
		if (b < 0x21 || b > 0x7e)
			return false;
	return true;
}

/* Appends list to the HASSH input; false if it is over the bound. */
static bool ssh_hassh_append(struct textbuf *t, const struct cursor *list,
			     bool first)
{
	if (cursor_left(list) > SSH_NAMELIST_MAX)
		return false;
	if (!first)
		textbuf_putc(t, ';');
	return textbuf_putn(t, (const char *)cursor_ptr(list),
			    cursor_left(list));
}

static void ssh_hassh(const struct cursor lists[SSH_KEXINIT_LISTS],
		      struct ssh_kexinit *out)
{
	static const enum ssh_namelist client[SSH_HASSH_LISTS] = {
		SSH_KEX, SSH_ENC_C2S, SSH_MAC_C2S, SSH_CMP_C2S
	};
	static const enum ssh_namelist server[SSH_HASSH_LISTS] = {
		SSH_KEX, SSH_ENC_S2C, SSH_MAC_S2C, SSH_CMP_S2C
	};
	char input[SSH_HASSH_INPUT_MAX + 1];
	struct textbuf t;
	bool ok = true;

	textbuf_init(&t, input, sizeof(input));
	for (int i = 0; i < SSH_HASSH_LISTS; i++)
		ok &= ssh_hassh_append(&t, &lists[client[i]], i == 0);
	if (ok)
		digest_md5_hex(input, t.len, out->hassh);

	ok = true;
	textbuf_init(&t, input, sizeof(input));
	for (int i = 0; i < SSH_HASSH_LISTS; i++)
		ok &= ssh_hassh_append(&t, &lists[server[i]], i == 0);
	if (ok)
		digest_md5_hex(input, t.len, out->hassh_server);
}

/* Reads the KEXINIT payload after the message code. */
static bool ssh_read_kexinit_payload(struct cursor *p, struct ssh_kexinit *out)
{
	struct cursor lists[SSH_KEXINIT_LISTS];
	uint8_t follows;
	uint32_t reserved;

	if (!cursor_copy(p, out->cookie, sizeof(out->cookie)))
		return false;
	for (int i = 0; i < SSH_KEXINIT_LISTS; i++) {
		uint32_t n;
		struct textbuf t;

		if (!cursor_be32(p, &n) || !cursor_sub(p, n, &lists[i]))
			return false;
		if (n > SSH_NAMELIST_MAX)
			anomaly_add(&out->anomalies, ANOM_FIELD_TOO_LONG);
		if (!ssh_namelist_clean(lists[i]))
			anomaly_add(&out->anomalies, ANOM_SSH_MALFORMED);
		textbuf_init(&t, out->lists[i], sizeof(out->lists[i]));
		text_put_escaped(&t, cursor_ptr(&lists[i]),
				 cursor_left(&lists[i]));
	}
	if (!cursor_u8(p, &follows) || !cursor_be32(p, &reserved))
		return false;
	out->first_kex_packet_follows = follows != 0;
	ssh_hassh(lists, out);
	return true;
}

enum ssh_status ssh_parse_kexinit(const uint8_t *buf, size_t len,
				  struct ssh_kexinit *out, size_t *consumed)
{
	struct cursor c, packet, payload;
	uint8_t msg;

	memset(out, 0, sizeof(*out));
	*consumed = 0;
	cursor_init(&c, buf, len);
	if (!cursor_be32(&c, &out->packet_length) ||
	    !cursor_u8(&c, &out->padding_length)) {
		return SSH_STATUS_NEED_MORE;
	}
	/* Room for the message code at least, and a sane upper bound. */
	if (out->packet_length < 2u + out->padding_length ||
	    out->packet_length > SSH_PACKET_MAX)
		goto malformed;
	if (!cursor_sub(&c, out->packet_length - 1, &packet))
		return SSH_STATUS_NEED_MORE;
	if (out->padding_length < SSH_MIN_PADDING)
		anomaly_add(&out->anomalies, ANOM_SSH_MALFORMED);
	if (!cursor_sub(&packet, out->packet_length - 1 - out->padding_length,
			&payload) ||
	    !cursor_u8(&payload, &msg) || msg != SSH_MSG_KEXINIT ||
	    !ssh_read_kexinit_payload(&payload, out))
		goto malformed;
	*consumed = c.off;
	return SSH_STATUS_OK;

malformed:
	anomaly_add(&out->anomalies, ANOM_SSH_MALFORMED);
	*consumed = c.off;
	return SSH_STATUS_MALFORMED;
}
