/*
 * http.h — HTTP/1.x request parser for indicator extraction.
 *
 * Reads one request (request line, header block, and the body when its
 * length is known from Content-Length or chunked framing) from the start of
 * a contiguous chunk of the client-to-server TCP stream, and reports how
 * many bytes it consumed, so pipelined requests are read by calling again
 * at buf + consumed. Keeps method, request target, version, Host and
 * User-Agent as text the way tshark prints them (see text_put_escaped()).
 *
 * Bounds: a request or header line longer than HTTP_LINE_MAX bytes is
 * ANOM_FIELD_TOO_LONG; more than HTTP_MAX_HEADERS header lines is
 * ANOM_FIELD_TOO_LONG; so is a value cut to fit its field. Extra spaces
 * in the request line are flagged and the target is taken from the first
 * space to the last one (tshark stops at the second space). NUL bytes,
 * control characters, bare LF line ends, folded headers, a space before
 * the colon, duplicate Host, conflicting Content-Length or Content-Length
 * with chunked are ANOM_HTTP_MALFORMED (parsing goes on; they are evidence
 * of hand-made clients or request smuggling).
 *
 * Pure: no allocation, no I/O.
 */
#ifndef ATTRIB_PARSE_HTTP_H
#define ATTRIB_PARSE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/anomaly.h"
#include "capture/cursor.h"

#define HTTP_LINE_MAX 8192     /* bytes in one line, line end included */
#define HTTP_MAX_HEADERS 128   /* header lines per request */
#define HTTP_METHOD_MAX 31     /* longest method token we call a request */
#define HTTP_METHOD_SIZE 32
#define HTTP_TARGET_SIZE 8192
#define HTTP_VERSION_SIZE 16
#define HTTP_HOST_SIZE 1024
#define HTTP_USER_AGENT_SIZE 2048

enum http_status {
	HTTP_STATUS_OK = 0,      /* one request read; *consumed bytes used */
	HTTP_STATUS_NEED_MORE,   /* the head is not complete in this chunk */
	HTTP_STATUS_MALFORMED,   /* cannot delimit the request; stop here */
	HTTP_STATUS_NOT_REQUEST, /* does not start like a request; no anomaly */
};

struct http_request {
	char method[HTTP_METHOD_SIZE];
	char target[HTTP_TARGET_SIZE];   /* request-target, as sent */
	char version[HTTP_VERSION_SIZE]; /* "HTTP/1.1"; "" if absent */
	char host[HTTP_HOST_SIZE];       /* first Host header value */
	char user_agent[HTTP_USER_AGENT_SIZE];
	bool has_host;
	bool has_user_agent;

	uint32_t header_count;  /* header lines read (folded lines included) */
	size_t head_len;        /* request line + headers + empty line */

	bool has_content_length;
	uint64_t content_length;
	bool chunked;           /* Transfer-Encoding ends in chunked */
	/*
	 * Body bytes that belong to this request but lie beyond the chunk
	 * (Content-Length framing): skip this many stream bytes before the
	 * next request. body_incomplete is set instead when a chunked body
	 * runs past the chunk, so the next request's start is unknown.
	 */
	uint64_t body_missing;
	bool body_incomplete;

	anomaly_set anomalies;
};

/*
 * Parses the request at the start of len bytes at buf into *out (fully
 * overwritten; the bytes are not referenced afterwards).
 *  HTTP_STATUS_OK: *consumed = head + body bytes present in buf.
 *  HTTP_STATUS_NEED_MORE: no line end yet within HTTP_LINE_MAX, or the
 *    header block is unfinished; *consumed = 0; out holds what was read.
 *    At the end of the stream this means a truncated request.
 *  HTTP_STATUS_MALFORMED: framing broken (over-long line, too many
 *    headers, bad chunk size); *consumed = bytes read up to the fault;
 *    out->anomalies says why. Do not parse further in this chunk.
 *  HTTP_STATUS_NOT_REQUEST: the data does not begin with a method token
 *    and a space (e.g. a response, TLS, or binary data); *consumed = 0.
 */
/*
 * Reads the hex chunk size at the start of a chunked-body size line (up to
 * ';', a space or a tab) into *size. False when the line holds no hex
 * digit, another character, or more than 15 digits.
 */
bool http_chunk_size(struct cursor line, uint64_t *size);

enum http_status http_parse_request(const uint8_t *buf, size_t len,
				    struct http_request *out,
				    size_t *consumed);

#endif
