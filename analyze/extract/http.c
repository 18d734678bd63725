/*
 * http.c — HTTP family: http.host, http.user_agent and http.url for every
 * request of a connection (persistent and pipelined ones included).
 *
 * Which flows: a TCP flow, on any port, with a segment that starts with
 * an upper-case method token and a space and, when the first line is
 * complete in it, ends that line with "HTTP/d.d" (so RTSP and SIP are not
 * taken for HTTP); requests are then read in that segment's direction
 * (the client's, unless the capture began with the server's reply). Also
 * SSDP (HTTP requests in UDP datagrams, port 1900), one per datagram.
 *
 * The requests' stream is reassembled (stream.c, at most
 * HTTP_STREAM_MAX bytes buffered) and requests are parsed as they
 * complete; consumed bytes are dropped. Bodies are skipped without being
 * buffered: Content-Length ones by count, chunked ones by walking the
 * chunk framing. When the stream cannot be followed (a sequence gap, a
 * request that cannot be delimited, a head larger than the buffer) the
 * family resynchronises: it drops what it has and tries each of the next
 * HTTP_RESYNC_PROBES segments as the start of a request. At most
 * cfg.http_max_requests requests are parsed per flow.
 *
 * Observations cite the packet that completed the request (as Wireshark
 * shows a reassembled request at its last segment):
 *   http.host       the Host header as sent;        detail "method=GET"
 *   http.user_agent the User-Agent header as sent;  detail "method=GET"
 *   http.url        the full URI, built like tshark's
 *                   http.request.full_uri: "http://" + Host + target for
 *                   origin-form targets (the server address and port
 *                   when there is no Host), the target itself when it is
 *                   absolute-form or a CONNECT authority;
 *                   detail "method=GET version=HTTP/1.1".
 * Text is escaped as tshark prints it. Parser anomalies become anomaly
 * observations (layer=http).
 */
#include "analyze/extract/extract_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/parse/http.h"
#include "analyze/parse/text.h"

#define HTTP_STREAM_MAX (64u * 1024u)
#define HTTP_RESYNC_PROBES 8
#define HTTP_MAX_RESYNCS 16
#define HTTP_CLAIM_METHOD_MAX 16
#define HTTP_CHUNK_LINE_MAX 1024
#define HTTP_TRAILERS_MAX 128
#define HTTP_DEFAULT_PORT 80
#define SSDP_PORT 1900

enum http_body {
	BODY_NONE,      /* expecting a request head */
	BODY_CHUNK_SIZE, /* expecting a chunk-size line */
	BODY_CHUNK_END, /* expecting the CRLF after chunk data */
	BODY_TRAILER,   /* expecting trailer lines up to an empty one */
};

struct http_ctx {
	struct http_request req;
	char url[HTTP_TARGET_SIZE + HTTP_HOST_SIZE + 80]; /* cut by ex_emit() */
};

struct http_flow {
	struct stream st;     /* the direction requests go */
	uint8_t dir;          /* that direction (enum flow_dir) */
	uint32_t requests;
	uint32_t trailers;
	uint8_t probes_left;  /* segment starts to try while unsynchronised */
	uint8_t resyncs;      /* times the stream was lost after a request */
	uint8_t body;         /* enum http_body */
	bool synced;          /* the buffer starts at a request boundary */
};

static int http_ctx_create(struct extract *x)
{
	x->ctx[FAM_HTTP] = malloc(sizeof(struct http_ctx));
	return x->ctx[FAM_HTTP] ? 0 : -1;
}

static void http_ctx_destroy(struct extract *x)
{
	free(x->ctx[FAM_HTTP]);
	x->ctx[FAM_HTTP] = NULL;
}

/* True when the line in c (no line end) ends in "HTTP/d.d". */
static bool line_ends_with_version(struct cursor line)
{
	uint8_t v[9];

	if (cursor_left(&line) < sizeof(v) ||
	    !cursor_seek(&line, line.len - sizeof(v)) ||
	    !cursor_copy(&line, v, sizeof(v)))
		return false;
	return memcmp(v, " HTTP/", 6) == 0 && v[6] >= '0' && v[6] <= '9' &&
	       v[7] == '.' && v[8] >= '0' && v[8] <= '9';
}

static bool http_tcp_claim(const struct flow *f, enum flow_dir dir,
			   const struct cursor *payload)
{
	struct cursor c = *payload, line;
	const uint8_t *lf;
	unsigned n = 0;
	uint8_t b = 0;

	while (cursor_u8(&c, &b) && b >= 'A' && b <= 'Z')
		if (++n > HTTP_CLAIM_METHOD_MAX)
			return false;
	if (n < 3 || b != ' ')
		return false;
	c = *payload;
	lf = memchr(cursor_ptr(&c), '\n', cursor_left(&c));
	if (!lf)
		return true; /* first line not complete yet: give it a chance */
	if (!cursor_sub(&c, (size_t)(lf - cursor_ptr(&c)), &line))
		return false;
	if (cursor_peek_u8(&line, line.len ? line.len - 1 : 0, &b) &&
	    b == '\r')
		line.len--;
	return line_ends_with_version(line);
}

/* Builds the full URI of the request into c->url. */
static void http_build_url(struct http_ctx *c, const struct flow *f)
{
	const struct http_request *r = &c->req;
	char addr[64];
	struct textbuf t;

	textbuf_init(&t, c->url, sizeof(c->url));
	if (strncasecmp(r->target, "http://", 7) == 0 ||
	    strncasecmp(r->target, "https://", 8) == 0 ||
	    strcmp(r->method, "CONNECT") == 0) {
		textbuf_puts(&t, r->target);
		return;
	}
	textbuf_puts(&t, "http://");
	if (r->host[0]) {
		textbuf_puts(&t, r->host);
	} else {
		ex_addr_text(f->server, f->ip_version, addr, sizeof(addr));
		if (f->ip_version == 6)
			textbuf_putc(&t, '[');
		textbuf_puts(&t, addr);
		if (f->ip_version == 6)
			textbuf_putc(&t, ']');
		if (f->server_port != HTTP_DEFAULT_PORT) {
			textbuf_putc(&t, ':');
			textbuf_put_uint(&t, f->server_port);
		}
	}
	textbuf_puts(&t, r->target);
}

static void http_emit_request(struct extract *x, struct extract_flow *s,
			      const struct flow *f, const struct packet *pkt)
{
	struct http_ctx *c = x->ctx[FAM_HTTP];
	const struct http_request *r = &c->req;
	struct textbuf t;

	textbuf_init(&t, x->detail, sizeof(x->detail));
	textbuf_puts(&t, "method=");
	textbuf_puts(&t, r->method);
	if (r->has_host)
		ex_emit(x, s, OBS_HTTP_HOST, 0, r->host, x->detail, pkt);
	if (r->has_user_agent)
		ex_emit(x, s, OBS_HTTP_USER_AGENT, 0, r->user_agent,
			x->detail, pkt);
	http_build_url(c, f);
	textbuf_puts(&t, " version=");
	textbuf_puts(&t, r->version[0] ? r->version : "none");
	ex_emit(x, s, OBS_HTTP_URL, 0, c->url, x->detail, pkt);
	ex_anomalies(x, s, r->anomalies, "http", pkt);
}

/*
 * Drops the stream; the next segments are tried as request starts.
 * Returns false (and ends the family for the flow) after
 * HTTP_MAX_RESYNCS: a connection that keeps losing sync (e.g. upgraded
 * to another protocol) is not worth probing forever.
 */
static bool http_resync(struct extract *x, struct extract_flow *s,
			struct http_flow *hf)
{
	if (++hf->resyncs > HTTP_MAX_RESYNCS) {
		ex_family_done(x, s, FAM_HTTP);
		return false;
	}
	stream_reset(x, &hf->st);
	hf->body = BODY_NONE;
	hf->synced = false;
	hf->probes_left = HTTP_RESYNC_PROBES;
	return true;
}

/*
 * One step of the chunked-body walk over the buffered stream.
 * 1: progress, 0: needs more bytes, -1: framing broken.
 */
static int chunk_step(struct http_flow *hf)
{
	struct stream *st = &hf->st;
	struct cursor c, line;
	const uint8_t *lf;
	size_t window;
	uint64_t size;
	uint8_t b;

	cursor_init(&c, st->buf, st->len);
	window = cursor_left(&c) < HTTP_CHUNK_LINE_MAX ? cursor_left(&c)
						     : HTTP_CHUNK_LINE_MAX;
	lf = window ? memchr(cursor_ptr(&c), '\n', window) : NULL;
	if (!lf)
		return cursor_left(&c) >= HTTP_CHUNK_LINE_MAX ? -1 : 0;
	if (!cursor_sub(&c, (size_t)(lf - cursor_ptr(&c)), &line))
		return -1;
	cursor_skip(&c, 1);
	if (line.len > 0 && cursor_peek_u8(&line, line.len - 1, &b) &&
	    b == '\r')
		line.len--;
	switch (hf->body) {
	case BODY_CHUNK_SIZE:
		if (!http_chunk_size(line, &size))
			return -1;
		if (size == 0) {
			hf->body = BODY_TRAILER;
			hf->trailers = 0;
		} else if (size <= cursor_left(&c)) {
			cursor_skip(&c, (size_t)size);
			hf->body = BODY_CHUNK_END;
		} else {
			st->skip = size - cursor_left(&c);
			cursor_seek(&c, c.len);
			hf->body = BODY_CHUNK_END;
		}
		break;
	case BODY_CHUNK_END:
		if (line.len != 0)
			return -1;
		hf->body = BODY_CHUNK_SIZE;
		break;
	default: /* BODY_TRAILER */
		if (line.len == 0)
			hf->body = BODY_NONE;
		else if (++hf->trailers > HTTP_TRAILERS_MAX)
			return -1;
		break;
	}
	stream_consume(st, c.off);
	return 1;
}

/* Parses every complete request buffered. */
static void http_drain(struct extract *x, struct extract_flow *s,
		       const struct flow *f, struct http_flow *hf,
		       const struct packet *pkt)
{
	struct http_ctx *c = x->ctx[FAM_HTTP];
	struct stream *st = &hf->st;

	while (st->len > 0) {
		enum http_status status;
		size_t used;
		int step;

		if (hf->body != BODY_NONE) {
			step = chunk_step(hf);
			if (step < 0) {
				ex_anomalies(x, s,
					     (anomaly_set)1 << ANOM_HTTP_MALFORMED,
					     "http", pkt);
				http_resync(x, s, hf);
				return;
			}
			if (step == 0)
				break;
			continue;
		}
		if (hf->requests >= x->cfg.http_max_requests) {
			x->stats.http_requests_capped++;
			ex_family_done(x, s, FAM_HTTP);
			return;
		}
		status = http_parse_request(st->buf, st->len, &c->req, &used);
		switch (status) {
		case HTTP_STATUS_OK:
			hf->requests++;
			hf->synced = true;
			http_emit_request(x, s, f, pkt);
			if (c->req.body_incomplete) {
				stream_consume(st, c->req.head_len);
				hf->body = BODY_CHUNK_SIZE;
			} else {
				stream_consume(st, used);
				st->skip = c->req.body_missing;
			}
			break;
		case HTTP_STATUS_NEED_MORE:
			if (!st->full)
				return;
			ex_anomalies(x, s, (anomaly_set)1 << ANOM_FIELD_TOO_LONG,
				     "http", pkt);
			http_resync(x, s, hf);
			return;
		case HTTP_STATUS_MALFORMED:
			ex_anomalies(x, s, c->req.anomalies, "http", pkt);
			http_resync(x, s, hf);
			return;
		case HTTP_STATUS_NOT_REQUEST:
			if (hf->synced) {
				http_resync(x, s, hf);
				return;
			}
			if (hf->probes_left == 0) {
				ex_family_done(x, s, FAM_HTTP);
				return;
			}
			hf->probes_left--;
			stream_reset(x, st);
			return;
		}
	}
	if (st->full) /* bytes after the buffer were lost */
		http_resync(x, s, hf);
}

/* SSDP: each datagram holds at most one request (no reassembly). */
static void http_udp_packet(struct extract *x, struct extract_flow *s,
			    const struct flow *f, const struct packet *pkt)
{
	struct http_ctx *c = x->ctx[FAM_HTTP];
	struct cursor payload;
	const uint8_t *p;
	size_t n, used;

	if (!ex_payload(pkt, &payload))
		return;
	n = cursor_left(&payload);
	if (!cursor_bytes(&payload, n, &p))
		return;
	switch (http_parse_request(p, n, &c->req, &used)) {
	case HTTP_STATUS_OK:
		http_emit_request(x, s, f, pkt);
		break;
	case HTTP_STATUS_MALFORMED:
		ex_anomalies(x, s, c->req.anomalies, "http", pkt);
		break;
	default: /* responses and other datagrams */
		break;
	}
}

static bool http_flow_start(struct extract *x, struct extract_flow *s,
			    const struct flow *f, const struct packet *pkt)
{
	return f->l4_proto == IP_PROTO_UDP &&
	       (f->server_port == SSDP_PORT || f->client_port == SSDP_PORT);
}

static void http_packet(struct extract *x, struct extract_flow *s,
			const struct flow *f, enum flow_dir dir,
			const struct packet *pkt)
{
	struct http_flow *hf = s->fam[FAM_HTTP];
	enum stream_result res;

	if (f->l4_proto == IP_PROTO_UDP) {
		http_udp_packet(x, s, f, pkt);
		return;
	}
	if (!hf) {
		/* The claimed packet comes first: it fixes the direction. */
		hf = calloc(1, sizeof(*hf));
		if (!hf) {
			ex_family_done(x, s, FAM_HTTP);
			return;
		}
		stream_init(&hf->st, HTTP_STREAM_MAX);
		hf->probes_left = HTTP_RESYNC_PROBES;
		hf->dir = (uint8_t)dir;
		s->fam[FAM_HTTP] = hf;
	}
	if (dir != hf->dir)
		return;
	res = stream_feed(x, &hf->st, pkt);
	if (res == STREAM_GAP) {
		x->stats.streams_gap++;
		if (!http_resync(x, s, hf))
			return;
		res = stream_feed(x, &hf->st, pkt);
	}
	if (res == STREAM_REFUSED) {
		ex_family_done(x, s, FAM_HTTP);
		return;
	}
	if (res == STREAM_DATA)
		http_drain(x, s, f, hf, pkt);
}

static void http_flow_free(struct extract *x, struct extract_flow *s)
{
	struct http_flow *hf = s->fam[FAM_HTTP];

	if (!hf)
		return;
	stream_free(x, &hf->st);
	free(hf);
	s->fam[FAM_HTTP] = NULL;
}

const struct extractor extract_http = {
	.name = "http",
	.ctx_create = http_ctx_create,
	.ctx_destroy = http_ctx_destroy,
	.flow_start = http_flow_start,
	.tcp_claim = http_tcp_claim,
	.packet = http_packet,
	.flow_free = http_flow_free,
};
