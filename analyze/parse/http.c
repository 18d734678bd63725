/*
 * http.c — HTTP/1.x request parser (see http.h).
 *
 * Lines are split off with a cursor; each line is then read through its
 * own sub-cursor, so no byte is touched outside the caller's buffer.
 */
#include "analyze/parse/http.h"

#include <string.h>
#include <strings.h>

#include "analyze/parse/text.h"
#include "capture/cursor.h"

#define HTTP_MAX_LEADING_EMPTY_LINES 4 /* RFC 9112 2.2 tolerance */
#define HTTP_CONTENT_LENGTH_DIGITS 19  /* fits uint64_t */
#define HTTP_CHUNK_SIZE_DIGITS 15      /* keeps the size under 2^60 */

enum line_result {
	LINE_OK,
	LINE_NEED_MORE,
	LINE_TOO_LONG,
};

static bool is_tchar(uint8_t b)
{
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') ||
	       (b >= 'A' && b <= 'Z') ||
	       (b != '\0' && strchr("!#$%&'*+-.^_`|~", b) != NULL);
}

static bool is_ows(uint8_t b)
{
	return b == ' ' || b == '\t';
}

/*
 * Splits the next line off c: *line covers its content without CR LF.
 * Sets *bare_lf when the line ended in LF alone.
 */
static enum line_result http_next_line(struct cursor *c, struct cursor *line,
				       bool *bare_lf)
{
	size_t left = cursor_left(c);
	size_t window = left < HTTP_LINE_MAX ? left : HTTP_LINE_MAX;
	const uint8_t *lf = NULL;
	size_t n;
	uint8_t last;

	if (window > 0)
		lf = memchr(cursor_ptr(c), '\n', window);
	if (lf == NULL)
		return left >= HTTP_LINE_MAX ? LINE_TOO_LONG : LINE_NEED_MORE;
	n = (size_t)(lf - cursor_ptr(c));
	cursor_sub(c, n, line);
	cursor_skip(c, 1);
	*bare_lf = !(n > 0 && cursor_peek_u8(line, n - 1, &last) &&
		     last == '\r');
	if (!*bare_lf)
		line->len--; /* drop the CR; off is still 0 */
	return LINE_OK;
}

/* True when the line holds NUL or a control character other than HT. */
static bool has_controls(struct cursor line)
{
	uint8_t b;

	while (cursor_u8(&line, &b))
		if ((b < 0x20 && b != '\t') || b == 0x7f)
			return true;
	return false;
}

/* Copies [from, to) of line as escaped text into out. */
static void put_span(const struct cursor *line, size_t from, size_t to,
		     char *out, size_t out_size, anomaly_set *anom)
{
	struct cursor span = *line;
	struct cursor part;
	struct textbuf t;

	textbuf_init(&t, out, out_size);
	if (!cursor_seek(&span, from) || to < from ||
	    !cursor_sub(&span, to - from, &part))
		return;
	if (!text_put_escaped(&t, cursor_ptr(&part), cursor_left(&part)))
		anomaly_add(anom, ANOM_FIELD_TOO_LONG);
}

/*
 * Decides from the first bytes whether c starts with "token SP".
 * Returns HTTP_STATUS_OK, HTTP_STATUS_NEED_MORE or HTTP_STATUS_NOT_REQUEST.
 */
static enum http_status http_starts_like_request(const struct cursor *c)
{
	struct cursor probe = *c;
	size_t n = 0;
	uint8_t b;

	while (cursor_u8(&probe, &b)) {
		if (b == ' ')
			return n > 0 ? HTTP_STATUS_OK : HTTP_STATUS_NOT_REQUEST;
		if (!is_tchar(b) || ++n > HTTP_METHOD_MAX)
			return HTTP_STATUS_NOT_REQUEST;
	}
	return HTTP_STATUS_NEED_MORE;
}

static bool is_http_version(const struct cursor *line, size_t from, size_t to)
{
	uint8_t v[8];
	struct cursor c = *line;

	if (to - from != sizeof(v) || !cursor_seek(&c, from) ||
	    !cursor_copy(&c, v, sizeof(v)))
		return false;
	return memcmp(v, "HTTP/", 5) == 0 && v[5] >= '0' && v[5] <= '9' &&
	       v[6] == '.' && v[7] >= '0' && v[7] <= '9';
}

/* method SP request-target SP HTTP-version, split at first and last SP. */
static void http_read_request_line(struct cursor line, struct http_request *out)
{
	size_t first_sp = SIZE_MAX, last_sp = SIZE_MAX, spaces = 0;
	size_t end = line.len, tstart, tend;
	uint8_t b;

	if (has_controls(line))
		anomaly_add(&out->anomalies, ANOM_HTTP_MALFORMED);
	while (cursor_u8(&line, &b)) {
		if (b != ' ')
			continue;
		spaces++;
		if (first_sp == SIZE_MAX)
			first_sp = line.off - 1;
		last_sp = line.off - 1;
	}
	/* http_starts_like_request() saw "token SP", so first_sp is set. */
	put_span(&line, 0, first_sp, out->method, sizeof(out->method),
		 &out->anomalies);
	if (last_sp == first_sp || !is_http_version(&line, last_sp + 1, end)) {
		/* HTTP/0.9 style or junk after the target. */
		anomaly_add(&out->anomalies, ANOM_HTTP_MALFORMED);
		last_sp = end;
	} else {
		put_span(&line, last_sp + 1, end, out->version,
			 sizeof(out->version), &out->anomalies);
		spaces--;
	}
	/* Extra spaces around the target are flagged, not kept. */
	tstart = first_sp + 1;
	tend = last_sp;
	while (tstart < tend && cursor_peek_u8(&line, tstart, &b) && b == ' ')
		tstart++;
	while (tend > tstart && cursor_peek_u8(&line, tend - 1, &b) && b == ' ')
		tend--;
	if (spaces != 1 || tend == tstart)
		anomaly_add(&out->anomalies, ANOM_HTTP_MALFORMED);
	put_span(&line, tstart, tend, out->target, sizeof(out->target),
		 &out->anomalies);
}

/* True when [from, to) of line equals name, ignoring ASCII case. */
static bool span_equals(const struct cursor *line, size_t from, size_t to,
			const char *name)
{
	char buf[32];
	size_t n = strlen(name);
	struct cursor c = *line;

	if (to - from != n || n >= sizeof(buf) || !cursor_seek(&c, from) ||
	    !cursor_copy(&c, buf, n))
		return false;
	buf[n] = '\0';
	return strcasecmp(buf, name) == 0;
}

static void http_read_content_length(const struct cursor *line, size_t from,
				     size_t to, struct http_request *out)
{
	struct cursor c = *line;
	uint64_t v = 0;
	uint8_t b;
	bool ok = to > from && to - from <= HTTP_CONTENT_LENGTH_DIGITS &&
		  cursor_seek(&c, from);

	for (size_t i = from; ok && i < to; i++) {
		ok = cursor_u8(&c, &b) && b >= '0' && b <= '9';
		if (ok)
			v = v * 10 + (uint64_t)(b - '0');
	}
	if (!ok || (out->has_content_length && out->content_length != v)) {
		anomaly_add(&out->anomalies, ANOM_HTTP_MALFORMED);
		return;
	}
	out->has_content_length = true;
	out->content_length = v;
}

/* Sets out->chunked when the last transfer coding is "chunked". */
static void http_read_transfer_encoding(const struct cursor *line,
					size_t from, size_t to,
					struct http_request *out)
{
	size_t start = from;
	struct cursor c = *line;
	uint8_t b;

	cursor_seek(&c, from);
	for (size_t i = from; i < to && cursor_u8(&c, &b); i++)
		if (b == ',')
			start = i + 1;
	while (start < to && cursor_peek_u8(line, start, &b) && is_ows(b))
		start++;
	out->chunked = span_equals(line, start, to, "chunked");
}

static void http_read_header(struct cursor line, struct http_request *out)
{
	size_t colon = SIZE_MAX, vstart, vend = line.len;
	uint8_t b;
	bool bad_name = false;

	if (has_controls(line))
		anomaly_add(&out->anomalies, ANOM_HTTP_MALFORMED);
	if (cursor_peek_u8(&line, 0, &b) && is_ows(b)) {
		/* obs-fold: a continuation line (RFC 9112 5.2) */
		anomaly_add(&out->anomalies, ANOM_HTTP_MALFORMED);
		return;
	}
	while (cursor_u8(&line, &b)) {
		if (b == ':') {
			colon = line.off - 1;
			break;
		}
		bad_name |= !is_tchar(b);
	}
	if (colon == SIZE_MAX || colon == 0 || bad_name) {
		anomaly_add(&out->anomalies, ANOM_HTTP_MALFORMED);
		return;
	}
	vstart = colon + 1;
	while (vstart < vend && cursor_peek_u8(&line, vstart, &b) && is_ows(b))
		vstart++;
	while (vend > vstart && cursor_peek_u8(&line, vend - 1, &b) &&
	       is_ows(b))
		vend--;
	if (span_equals(&line, 0, colon, "host")) {
		if (out->has_host) {
			anomaly_add(&out->anomalies, ANOM_HTTP_MALFORMED);
			return;
		}
		out->has_host = true;
		put_span(&line, vstart, vend, out->host, sizeof(out->host),
			 &out->anomalies);
	} else if (span_equals(&line, 0, colon, "user-agent")) {
		if (out->has_user_agent)
			return;
		out->has_user_agent = true;
		put_span(&line, vstart, vend, out->user_agent,
			 sizeof(out->user_agent), &out->anomalies);
	} else if (span_equals(&line, 0, colon, "content-length")) {
		http_read_content_length(&line, vstart, vend, out);
	} else if (span_equals(&line, 0, colon, "transfer-encoding")) {
		http_read_transfer_encoding(&line, vstart, vend, out);
	}
}

bool http_chunk_size(struct cursor line, uint64_t *size)
{
	uint64_t v = 0;
	unsigned digits = 0;
	uint8_t b;

	while (cursor_u8(&line, &b) && b != ';' && !is_ows(b)) {
		unsigned d;

		if (b >= '0' && b <= '9')
			d = b - '0';
		else if ((b | 0x20) >= 'a' && (b | 0x20) <= 'f')
			d = (unsigned)((b | 0x20) - 'a' + 10);
		else
			return false;
		if (++digits > HTTP_CHUNK_SIZE_DIGITS)
			return false;
		v = v << 4 | d;
	}
	*size = v;
	return digits > 0;
}

/*
 * Walks a chunked body and its trailers. Returns false when the framing is
 * broken (anomaly set); sets out->body_incomplete when the chunk ends first.
 */
static bool http_skip_chunked(struct cursor *c, struct http_request *out)
{
	struct cursor line;
	bool bare_lf;
	uint64_t size;
	uint32_t trailers = 0;

	for (;;) {
		enum line_result r = http_next_line(c, &line, &bare_lf);

		if (r == LINE_NEED_MORE)
			goto incomplete;
		if (r == LINE_TOO_LONG || !http_chunk_size(line, &size))
			goto broken;
		if (size == 0)
			break;
		if (size > cursor_left(c))
			goto incomplete;
		cursor_skip(c, (size_t)size);
		r = http_next_line(c, &line, &bare_lf);
		if (r == LINE_NEED_MORE)
			goto incomplete;
		if (r == LINE_TOO_LONG || line.len != 0)
			goto broken;
	}
	for (;;) { /* trailer section, ended by an empty line */
		enum line_result r = http_next_line(c, &line, &bare_lf);

		if (r == LINE_NEED_MORE)
			goto incomplete;
		if (r == LINE_TOO_LONG || ++trailers > HTTP_MAX_HEADERS)
			goto broken;
		if (line.len == 0)
			return true;
	}

incomplete:
	out->body_incomplete = true;
	cursor_seek(c, c->len);
	return true;
broken:
	anomaly_add(&out->anomalies, ANOM_HTTP_MALFORMED);
	return false;
}

static void http_skip_sized_body(struct cursor *c, struct http_request *out)
{
	uint64_t left = cursor_left(c);

	if (out->content_length <= left) {
		cursor_skip(c, (size_t)out->content_length);
		return;
	}
	out->body_missing = out->content_length - left;
	cursor_seek(c, c->len);
}

enum http_status http_parse_request(const uint8_t *buf, size_t len,
				    struct http_request *out,
				    size_t *consumed)
{
	struct cursor c, line;
	enum http_status st;
	enum line_result r;
	bool bare_lf;

	memset(out, 0, sizeof(*out));
	*consumed = 0;
	cursor_init(&c, buf, len);
	for (int i = 0; i < HTTP_MAX_LEADING_EMPTY_LINES; i++) {
		uint8_t b0, b1;

		if (cursor_peek_u8(&c, c.off, &b0) && b0 == '\n')
			cursor_skip(&c, 1);
		else if (cursor_peek_u8(&c, c.off, &b0) && b0 == '\r' &&
			 cursor_peek_u8(&c, c.off + 1, &b1) && b1 == '\n')
			cursor_skip(&c, 2);
	}
	st = http_starts_like_request(&c);
	if (st != HTTP_STATUS_OK)
		return st;

	r = http_next_line(&c, &line, &bare_lf);
	if (r != LINE_OK)
		goto line_fault;
	if (bare_lf)
		anomaly_add(&out->anomalies, ANOM_HTTP_MALFORMED);
	http_read_request_line(line, out);

	for (;;) {
		r = http_next_line(&c, &line, &bare_lf);
		if (r != LINE_OK)
			goto line_fault;
		if (bare_lf)
			anomaly_add(&out->anomalies, ANOM_HTTP_MALFORMED);
		if (line.len == 0)
			break;
		if (++out->header_count > HTTP_MAX_HEADERS) {
			anomaly_add(&out->anomalies, ANOM_FIELD_TOO_LONG);
			goto malformed;
		}
		http_read_header(line, out);
	}
	out->head_len = c.off;

	if (out->chunked) {
		if (out->has_content_length)
			anomaly_add(&out->anomalies, ANOM_HTTP_MALFORMED);
		if (!http_skip_chunked(&c, out))
			goto malformed;
	} else if (out->has_content_length) {
		http_skip_sized_body(&c, out);
	}
	*consumed = c.off;
	return HTTP_STATUS_OK;

line_fault:
	if (r == LINE_NEED_MORE)
		return HTTP_STATUS_NEED_MORE;
	anomaly_add(&out->anomalies, ANOM_FIELD_TOO_LONG);
malformed:
	*consumed = c.off;
	return HTTP_STATUS_MALFORMED;
}
