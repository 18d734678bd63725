/*
 * ndpi.c — nDPI family: ndpi.proto and ndpi.risk per flow, and nDPI's
 * values where our own parsers gave none.
 *
 * At extract_dpi_done() the family emits nDPI's verdict (kept until flow
 * end only when DPI finished before the flow's first packet reached us)
 * and keeps, packed into one small allocation, the non-empty metadata
 * strings it may need at flow end. Citing the flow's first packet:
 *   ndpi.proto value: nDPI's protocol name ("TLS.Google", "DNS",
 *              "Unknown"); detail "category=Web" (+ " guessed=yes" when
 *              nDPI only guessed from ports or addresses).
 *   ndpi.risk  one per risk bit; value: nDPI's risk name; detail
 *              "proto=<ndpi.proto value>".
 * (ex_emit() keeps only the first occurrence of each protocol and risk
 * name per source: the flows table holds every flow's verdict.)
 * and at flow end, for each of these kinds the flow has no observation of
 * from our own parsers, nDPI's value with detail "impl=ndpi":
 *   TLS-like flows (TLS, QUIC, DTLS, implicit-TLS mail; for QUIC and
 *   DTLS only where our own reading gave nothing, e.g. Google QUIC):
 *   tls.sni, tls.alpn (one per protocol of nDPI's comma list), tls.ja3,
 *   tls.ja3s, tls.cert.sha1, tls.cert.subject, tls.cert.issuer;
 *   SSH: ssh.banner and ssh.hassh per side (HASSH in lower case);
 *   HTTP: http.host, http.user_agent, http.url ("http://" + nDPI's
 *   host-and-path, the method in the detail); DNS: dns.query.
 * So coverage is never worse than nDPI's, and the detail says whose value
 * it is. nDPI strings are escaped as tshark prints strings.
 */
#include "analyze/extract/extract_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/parse/text.h"

#define NDPI_MAX_VALUES 16
#define NDPI_STASH_TEXT_MAX 4096

struct ndpi_value {
	uint8_t kind, side;
	uint16_t off; /* into text */
};

struct ndpi_flow_info {
	char proto[DPI_NAME_LEN];
	char category[DPI_NAME_LEN];
	char http_method[DPI_META_METHOD_LEN];
	uint64_t risk;
	bool have_result, guessed;
	uint8_t n_values;
	struct ndpi_value values[NDPI_MAX_VALUES];
	uint16_t text_len;
	char text[]; /* NUL-separated values */
};

struct stash_builder {
	struct ndpi_value values[NDPI_MAX_VALUES];
	uint8_t n;
	char text[NDPI_STASH_TEXT_MAX];
	size_t len;
};

static void stash_add(struct stash_builder *b, enum obs_kind kind,
		      unsigned side, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || b->n >= NDPI_MAX_VALUES ||
	    n + 1 > sizeof(b->text) - b->len)
		return;
	b->values[b->n++] = (struct ndpi_value){(uint8_t)kind, (uint8_t)side,
						(uint16_t)b->len};
	memcpy(b->text + b->len, s, n + 1);
	b->len += n + 1;
}

/* True when nDPI's TLS fields (and host as SNI) apply to the flow. */
static bool tls_like(const struct dpi_result *r, const struct dpi_meta *m)
{
	if (m->ja3_client[0] || m->ja3_server[0] || m->cert_sha1[0] ||
	    m->tls_version)
		return true;
	return r && (strstr(r->proto, "TLS") || strstr(r->proto, "QUIC"));
}

static void stash_meta(struct stash_builder *b, const struct dpi_result *r,
		       const struct dpi_meta *m)
{
	char lower[DPI_META_HASH_LEN];

	if (tls_like(r, m)) {
		stash_add(b, OBS_TLS_SNI, 0, m->host);
		stash_add(b, OBS_TLS_ALPN, 0, m->tls_alpn);
		stash_add(b, OBS_TLS_JA3, 0, m->ja3_client);
		stash_add(b, OBS_TLS_JA3S, 0, m->ja3_server);
		stash_add(b, OBS_TLS_CERT_SHA1, 0, m->cert_sha1);
		stash_add(b, OBS_TLS_CERT_SUBJECT, 0, m->cert_subject);
		stash_add(b, OBS_TLS_CERT_ISSUER, 0, m->cert_issuer);
	} else if (m->http_method[0]) {
		stash_add(b, OBS_HTTP_HOST, 0, m->host);
		stash_add(b, OBS_HTTP_USER_AGENT, 0, m->http_user_agent);
		stash_add(b, OBS_HTTP_URL, 0, m->http_url);
	} else if (m->dns_valid) {
		stash_add(b, OBS_DNS_QUERY, 0, m->host);
	}
	stash_add(b, OBS_SSH_BANNER, SIDE_CLIENT, m->ssh_client);
	stash_add(b, OBS_SSH_BANNER, SIDE_SERVER, m->ssh_server);
	for (int side = 0; side < 2; side++) {
		const char *h = side ? m->hassh_server : m->hassh_client;
		size_t i = 0;

		for (; h[i] && i + 1 < sizeof(lower); i++)
			lower[i] = (char)tolower((unsigned char)h[i]);
		lower[i] = '\0';
		stash_add(b, OBS_SSH_HASSH, (unsigned)side, lower);
	}
}

/* Emits ndpi.proto and one ndpi.risk per risk bit, citing the flow's
 * first packet. */
static void emit_verdict(struct extract *x, struct extract_flow *s,
			 const char *proto, const char *category,
			 bool guessed, uint64_t risk)
{
	struct textbuf t;
	char unnamed[16];

	textbuf_init(&t, x->detail, sizeof(x->detail));
	if (category[0]) {
		textbuf_puts(&t, "category=");
		textbuf_puts(&t, category);
	}
	if (guessed)
		textbuf_puts(&t, t.len ? " guessed=yes" : "guessed=yes");
	ex_emit(x, s, OBS_NDPI_PROTO, 0, proto, x->detail, NULL);
	textbuf_init(&t, x->detail, sizeof(x->detail));
	textbuf_puts(&t, "proto=");
	textbuf_puts(&t, proto);
	for (; risk; risk &= risk - 1) {
		unsigned bit = (unsigned)__builtin_ctzll(risk);
		const char *name = x->cfg.risk_name ? x->cfg.risk_name(bit)
						    : NULL;

		if (!name || !name[0]) {
			textbuf_init(&t, unnamed, sizeof(unnamed));
			textbuf_puts(&t, "risk");
			textbuf_put_uint(&t, bit);
			name = unnamed;
		}
		ex_emit(x, s, OBS_NDPI_RISK, 0, name, x->detail, NULL);
	}
}

/*
 * Emits the verdict at once when the flow's first packet is known (the
 * usual case), else keeps it for flow end; keeps nDPI's metadata strings
 * only when there are any. Most flows allocate nothing here.
 */
static void ndpi_dpi_done(struct extract *x, struct extract_flow *s,
			  const struct flow *f, const struct dpi_result *r,
			  const struct dpi_meta *meta)
{
	struct stash_builder b;
	struct ndpi_flow_info *info;
	bool defer = r && !s->started;

	if (r && s->started)
		emit_verdict(x, s, r->proto, r->category, r->guessed, r->risk);
	b.n = 0;
	b.len = 0;
	if (meta)
		stash_meta(&b, r, meta);
	if (b.n == 0 && !defer)
		return;
	info = calloc(1, sizeof(*info) + b.len);
	if (!info)
		return;
	if (defer) {
		info->have_result = true;
		snprintf(info->proto, sizeof(info->proto), "%s", r->proto);
		snprintf(info->category, sizeof(info->category), "%s",
			 r->category);
		info->risk = r->risk;
		info->guessed = r->guessed;
	}
	if (meta)
		snprintf(info->http_method, sizeof(info->http_method), "%s",
			 meta->http_method);
	info->n_values = b.n;
	memcpy(info->values, b.values, sizeof(b.values));
	memcpy(info->text, b.text, b.len);
	info->text_len = (uint16_t)b.len;
	free(s->fam[FAM_NDPI]);
	s->fam[FAM_NDPI] = info;
}

/* Emits each protocol of a comma-separated ALPN list. */
static void emit_alpn_list(struct extract *x, struct extract_flow *s,
			   const char *list)
{
	char one[OBS_VALUE_MAX], esc[OBS_VALUE_MAX];
	const char *p = list;

	ex_escape(list, esc, sizeof(esc));
	snprintf(x->detail, sizeof(x->detail), "impl=ndpi list=%s", esc);
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n > 0 && n < sizeof(one)) {
			memcpy(one, p, n);
			one[n] = '\0';
			ex_escape(one, esc, sizeof(esc));
			ex_emit(x, s, OBS_TLS_ALPN, 0, esc, x->detail, NULL);
		}
		p += n;
		if (*p == ',')
			p++;
	}
}

static void emit_fallback(struct extract *x, struct extract_flow *s,
			  const struct ndpi_flow_info *info,
			  const struct ndpi_value *v)
{
	char esc[OBS_VALUE_MAX], url[OBS_VALUE_MAX];
	const char *text = info->text + v->off;

	switch (v->kind) {
	case OBS_TLS_ALPN:
		emit_alpn_list(x, s, text);
		return;
	case OBS_SSH_BANNER:
	case OBS_SSH_HASSH:
		snprintf(x->detail, sizeof(x->detail), "side=%s impl=ndpi",
			 v->side ? "server" : "client");
		break;
	case OBS_HTTP_URL:
	case OBS_HTTP_HOST:
	case OBS_HTTP_USER_AGENT:
		ex_escape(info->http_method, esc, sizeof(esc));
		snprintf(x->detail, sizeof(x->detail), "method=%s impl=ndpi",
			 esc);
		if (v->kind == OBS_HTTP_URL && !strstr(text, "://")) {
			snprintf(url, sizeof(url), "http://%s", text);
			text = url;
		}
		break;
	default:
		snprintf(x->detail, sizeof(x->detail), "impl=ndpi");
		break;
	}
	ex_escape(text, esc, sizeof(esc));
	ex_emit(x, s, (enum obs_kind)v->kind, v->side, esc, x->detail, NULL);
}

static void ndpi_flow_end(struct extract *x, struct extract_flow *s,
			  const struct flow *f)
{
	const struct ndpi_flow_info *info = s->fam[FAM_NDPI];

	if (!info)
		return;
	if (info->have_result)
		emit_verdict(x, s, info->proto, info->category, info->guessed,
			     info->risk);
	for (uint8_t i = 0; i < info->n_values; i++) {
		const struct ndpi_value *v = &info->values[i];

		if (!ex_emitted(s, (enum obs_kind)v->kind, v->side))
			emit_fallback(x, s, info, v);
	}
}

static void ndpi_flow_free(struct extract *x, struct extract_flow *s)
{
	free(s->fam[FAM_NDPI]);
	s->fam[FAM_NDPI] = NULL;
}

const struct extractor extract_ndpi = {
	.name = "ndpi",
	.dpi_done = ndpi_dpi_done,
	.flow_end = ndpi_flow_end,
	.flow_free = ndpi_flow_free,
};
