/*
 * emit.c — helpers shared by the indicator families: handing observations
 * to the sink with their citation, payload cursors, escaping of strings
 * that did not come through our own parsers (nDPI's), address text.
 */
#include "analyze/extract/extract_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/parse/text.h"

/* Longest server name kept for the behaviour series (bytes). */
#define SERVER_NAME_MAX 255

/* Length of value cut to fit OBS_VALUE_MAX without splitting a UTF-8
 * character. */
static size_t value_fit(const char *value)
{
	size_t n = strnlen(value, OBS_VALUE_MAX);

	if (n < OBS_VALUE_MAX)
		return n;
	n = OBS_VALUE_MAX - 1;
	while (n > 0 && ((unsigned char)value[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* True when either port of the flow is one of ports[0..n): tshark
 * decodes a conversation by either side's port. */
static bool port_in(const struct extract_flow *s, const uint16_t *ports,
		    size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ports[i] == s->server_port || ports[i] == s->client_port)
			return true;
	return false;
}

/*
 * The tshark protocol name to decode the flow's server port as, when
 * kind was read by a protocol family on a port tshark does not decode as
 * that protocol by default (its registered ports, Wireshark 3.6–4.0), or
 * NULL. QUIC and DTLS observations carry quic= / dtls= in their detail.
 */
static const char *decode_as_hint(enum obs_kind kind, const char *detail,
				  const struct extract_flow *s)
{
	static const uint16_t tls_ports[] = {443, 465, 563, 585, 614, 636,
					     853, 989, 990, 992, 993, 994,
					     995, 5061, 8443};
	static const uint16_t http_ports[] = {80, 1900, 2710, 2869, 3128,
					      3132, 5985, 8080, 8088, 11371};
	static const uint16_t dns_ports[] = {53, 5353, 5355};
	bool udp = s->l4_proto == IP_PROTO_UDP;
	uint16_t port = s->server_port;

	if (s->l4_proto != IP_PROTO_TCP && !udp)
		return NULL;
	if (detail && strstr(detail, "carrier="))
		return NULL; /* TLS inside OpenVPN or RDP-UDP */
	switch (kind) {
	case OBS_DNS_QUERY:
	case OBS_DNS_ANSWER:
		return port_in(s, dns_ports, 3) ? NULL : "dns";
	case OBS_HTTP_HOST:
	case OBS_HTTP_USER_AGENT:
	case OBS_HTTP_URL:
		return udp || port_in(s, http_ports, 10) ? NULL : "http";
	case OBS_SSH_BANNER:
	case OBS_SSH_HASSH:
		return udp || port == 22 || s->client_port == 22 ? NULL : "ssh";
	case OBS_TLS_SNI: case OBS_TLS_ALPN: case OBS_TLS_JA3:
	case OBS_TLS_JA3S: case OBS_TLS_JA4: case OBS_TLS_CERT_SHA1:
	case OBS_TLS_CERT_SUBJECT: case OBS_TLS_CERT_ISSUER:
	case OBS_TLS_CERT_SAN: case OBS_TLS_CERT_SERIAL:
	case OBS_TLS_CERT_NOT_BEFORE: case OBS_TLS_CERT_NOT_AFTER:
	case OBS_TLS_CERT_KEY: case OBS_TLS_CERT_SELF_SIGNED:
	case OBS_TLS_CERT_SUBJECT_DN: case OBS_TLS_CERT_ISSUER_DN:
		if (detail && strstr(detail, "impl=ndpi"))
			return NULL;
		if (udp && detail && strstr(detail, "quic="))
			return port == 443 || s->client_port == 443 ? NULL
								    : "quic";
		if (udp)
			return port == 443 || port == 4433 ? NULL : "dtls";
		return port_in(s, tls_ports, 15) ? NULL : "tls";
	default:
		return NULL;
	}
}

static void sink_emit(struct extract *x, enum obs_kind kind,
		      const char *value, const char *detail,
		      const struct packet *pkt, const struct obs_cite *cite,
		      uint64_t flow_id, const struct extract_flow *s)
{
	char cut[OBS_VALUE_MAX];
	size_t n = value_fit(value);
	struct obs o;

	if (n == 0)
		return;
	if (value[n] != '\0') {
		memcpy(cut, value, n);
		cut[n] = '\0';
		value = cut;
	}
	char joined[OBS_DETAIL_MAX], hinted[OBS_DETAIL_MAX];
	const char *hint = s ? decode_as_hint(kind, detail, s) : NULL;
	if (hint) {
		/* read on a port tshark does not decode as this protocol */
		snprintf(hinted, sizeof hinted, "%s%sdecode_as=%s.port==%u,%s",
			 detail && detail[0] ? detail : "",
			 detail && detail[0] ? " " : "",
			 s->l4_proto == IP_PROTO_UDP ? "udp" : "tcp",
			 s->server_port, hint);
		detail = hinted;
	}
	if (pkt && pkt->fragment_count && pkt->fragment_frames) {
		/* read from a reassembled datagram: name every fragment */
		struct textbuf t;
		textbuf_init(&t, joined, sizeof joined);
		if (detail && detail[0]) {
			textbuf_puts(&t, detail);
			textbuf_puts(&t, " ");
		}
		textbuf_puts(&t, "fragments=");
		for (unsigned i = 0; i < pkt->fragment_count; i++) {
			if (i)
				textbuf_puts(&t, ",");
			textbuf_put_uint(&t, (unsigned long)pkt->fragment_frames[i]);
		}
		detail = joined;
	}
	o.kind = kind;
	o.value = value;
	o.detail = detail && detail[0] ? detail : NULL;
	o.pkt = pkt;
	o.cite = cite;
	o.flow_id = flow_id;
	x->stats.observations++;
	x->sink.emit(x->sink.ctx, &o);
}

enum {
	SEEN_INITIAL_CAP = 1024,
	SEEN_MAX_CAP = 1 << 21, /* 16 MiB of hashes; past it, no deduplication */
};

static bool once_per_source(enum obs_kind kind)
{
	return kind == OBS_IP_SRC || kind == OBS_IP_DST ||
	       kind == OBS_NDPI_PROTO || kind == OBS_NDPI_RISK;
}

/* FNV-1a over the kind and the value; never 0 (0 marks an empty slot). */
static uint64_t seen_hash(enum obs_kind kind, const char *value)
{
	uint64_t h = 0xcbf29ce484222325u ^ (uint64_t)kind;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		h = (h ^ *p) * 0x100000001b3u;
	return h ? h : 1;
}

static bool seen_grow(struct extract *x)
{
	size_t cap = x->seen_cap ? 2 * x->seen_cap : SEEN_INITIAL_CAP;
	if (cap > SEEN_MAX_CAP)
		return false;
	uint64_t *t = calloc(cap, sizeof *t);
	if (!t)
		return false;
	for (size_t i = 0; i < x->seen_cap; i++) {
		uint64_t h = x->seen[i];
		if (!h)
			continue;
		size_t j = h & (cap - 1);
		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = h;
	}
	free(x->seen);
	x->seen = t;
	x->seen_cap = cap;
	return true;
}

bool ex_seen_in_source(struct extract *x, enum obs_kind kind,
		       const char *value)
{
	if (!once_per_source(kind) || x->cfg.keep_repeats)
		return false;
	if (2 * (x->seen_used + 1) > x->seen_cap && !seen_grow(x))
		return false; /* bound reached: record every occurrence */
	uint64_t h = seen_hash(kind, value);
	size_t j = h & (x->seen_cap - 1);
	while (x->seen[j]) {
		if (x->seen[j] == h)
			return true;
		j = (j + 1) & (x->seen_cap - 1);
	}
	x->seen[j] = h;
	x->seen_used++;
	return false;
}

bool extract_seen_in_source(struct extract *x, enum obs_kind kind,
			    const char *value)
{
	return ex_seen_in_source(x, kind, value);
}

void ex_seen_reset(struct extract *x)
{
	free(x->seen);
	x->seen = NULL;
	x->seen_cap = x->seen_used = 0;
}

void ex_emit(struct extract *x, struct extract_flow *s, enum obs_kind kind,
	     unsigned side, const char *value, const char *detail,
	     const struct packet *pkt)
{
	const struct obs_cite *cite = s ? &s->first : NULL;

	if (!value || !value[0] || (!s && !pkt))
		return;
	if (ex_seen_in_source(x, kind, value))
		return;
	if (pkt) {
		if (x->cite_pkt != pkt) {
			obs_cite_from_packet(&x->cite, pkt);
			x->cite_pkt = pkt;
		}
		cite = &x->cite;
	}
	if (s) {
		s->emitted |= (uint64_t)1 << (kind * 2u + (side & 1u));
		if (!s->server_name &&
		    (kind == OBS_TLS_SNI || kind == OBS_HTTP_HOST))
			s->server_name = strndup(value, SERVER_NAME_MAX);
	}
	sink_emit(x, kind, value, detail, pkt, cite, s ? s->flow_id : 0, s);
}

void ex_emit_cited(struct extract *x, enum obs_kind kind, const char *value,
		   const char *detail, const struct obs_cite *cite,
		   uint64_t flow_id)
{
	if (!value || !value[0] || ex_seen_in_source(x, kind, value))
		return;
	sink_emit(x, kind, value, detail, NULL, cite, flow_id, NULL);
}

bool ex_payload(const struct packet *pkt, struct cursor *out)
{
	struct cursor whole;

	if (pkt->payload_len == 0 || !pkt->data)
		return false;
	cursor_init(&whole, pkt->data, pkt->caplen);
	return cursor_seek(&whole, pkt->payload_offset) &&
	       cursor_sub(&whole, pkt->payload_len, out);
}

void ex_escape(const char *in, char *out, size_t size)
{
	struct textbuf t;

	textbuf_init(&t, out, size);
	if (in)
		text_put_escaped(&t, (const uint8_t *)in, strlen(in));
}

void ex_addr_text(const uint8_t addr[16], uint8_t ip_version, char *out,
		  size_t size)
{
	text_ip_address(ip_version == 6 ? 6 : 4, addr, out, size);
}
