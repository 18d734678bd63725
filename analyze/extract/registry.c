/*
 * registry.c — the const table of indicator families and the extraction
 * stage that drives them (see extract.h).
 *
 * Per packet the stage does as little as it can: decode anomalies go to
 * the anomaly family; a flow's first packet runs every family's
 * flow_start hook (which decides from ports whether it wants the flow);
 * a TCP payload packet of a flow no family owns yet is offered to the
 * tcp_claim hooks (HTTP, TLS, SSH, OpenVPN recognise their protocols from
 * the first bytes, on any port); after that only the families whose bit
 * is set in the flow's active mask see the flow's packets.
 */
#include "analyze/extract/extract_internal.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/behaviour/beacon.h"
#include "analyze/crypto/digest.h"

/* Payload packets of an unowned TCP flow offered for claiming; later
 * packets of it are ignored (covers server-first protocols and flows
 * picked up mid-stream). */
#define CLAIM_MAX_OFFERS 8

static const struct extractor *const extractors[FAM_COUNT] = {
	[FAM_NET] = &extract_net,
	[FAM_DNS] = &extract_dns,
	[FAM_HTTP] = &extract_http,
	[FAM_TLS] = &extract_tls,
	[FAM_QUIC] = &extract_quic,
	[FAM_DTLS] = &extract_dtls,
	[FAM_SSH] = &extract_ssh,
	[FAM_OPENVPN] = &extract_openvpn,
	[FAM_RDPUDP] = &extract_rdpudp,
	[FAM_NDPI] = &extract_ndpi,
	[FAM_ANOMALY] = &extract_anomaly,
	[FAM_BEHAVIOUR] = &extract_behaviour,
};


void obs_cite_from_packet(struct obs_cite *c, const struct packet *pkt)
{
	c->frame = pkt->frame;
	c->file_offset = pkt->file_offset;
	c->ts_us = pkt->ts_us;
	if (pkt->record) {
		/* a reassembled datagram: cite its completing frame as stored */
		c->caplen = pkt->record_caplen;
		digest_sha256(pkt->record, pkt->record_caplen, c->sha256);
		return;
	}
	c->caplen = pkt->caplen;
	digest_sha256(pkt->caplen ? pkt->data : NULL,
		      pkt->data ? pkt->caplen : 0, c->sha256);
}

void extract_config_default(struct extract_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->stream_budget_bytes = (size_t)32 << 20;
	cfg->anomaly_obs_cap = 100;
	cfg->http_max_requests = 10000;
	cfg->behaviour_max_series = 65536;
	cfg->behaviour_max_times = BEACON_MAX_TIMES;
	cfg->behaviour_max_total_times = 2u << 20;
	cfg->behaviour_max_hosts = 65536;
}

struct extract *extract_create(const struct obs_sink *sink,
			       const struct extract_config *cfg)
{
	struct extract *x = calloc(1, sizeof(*x));
	int made = 0;

	if (!x)
		return NULL;
	x->sink = *sink;
	if (cfg)
		x->cfg = *cfg;
	else
		extract_config_default(&x->cfg);
	for (; made < FAM_COUNT; made++) {
		const struct extractor *e = extractors[made];

		if (e->ctx_create && e->ctx_create(x) != 0)
			goto undo_contexts;
	}
	return x;

undo_contexts:
	while (made-- > 0)
		if (extractors[made]->ctx_destroy)
			extractors[made]->ctx_destroy(x);
	free(x);
	return NULL;
}

void extract_destroy(struct extract *x)
{
	if (!x)
		return;
	for (int i = 0; i < FAM_COUNT; i++)
		if (extractors[i]->ctx_destroy)
			extractors[i]->ctx_destroy(x);
	ex_seen_reset(x);
	free(x);
}

const struct extract_stats *extract_stats(const struct extract *x)
{
	return &x->stats;
}

static struct extract_flow *flow_state_new(const struct flow *f)
{
	struct extract_flow *s = calloc(1, sizeof(*s));

	if (s)
		s->flow_id = f->id;
	return s;
}

static void flow_start(struct extract *x, struct extract_flow *s,
		       const struct flow *f, const struct packet *pkt)
{
	if (x->cite_pkt != pkt) {
		obs_cite_from_packet(&x->cite, pkt);
		x->cite_pkt = pkt;
	}
	s->first = x->cite;
	s->started = 1;
	s->l4_proto = f->l4_proto;
	s->server_port = f->server_port;
	s->client_port = f->client_port;
	for (int i = 0; i < FAM_COUNT; i++) {
		const struct extractor *e = extractors[i];

		if (e->flow_start && e->flow_start(x, s, f, pkt))
			s->active |= 1u << i;
	}
}

/* A packet with decode anomalies: to the every_packet hooks. */
static void every_packet(struct extract *x, struct extract_flow *s,
			 const struct packet *pkt)
{
	for (int i = 0; i < FAM_COUNT; i++)
		if (extractors[i]->every_packet)
			extractors[i]->every_packet(x, s, pkt);
}

/* Offers a payload packet of an unowned TCP flow to the claim hooks. */
static void offer_claim(struct extract_flow *s, const struct flow *f,
			enum flow_dir dir, const struct packet *pkt)
{
	struct cursor payload;

	if (s->claim_offers >= CLAIM_MAX_OFFERS || !ex_payload(pkt, &payload))
		return;
	s->claim_offers++;
	for (int i = 0; i < FAM_COUNT; i++) {
		const struct extractor *e = extractors[i];

		if (e->tcp_claim && e->tcp_claim(f, dir, &payload)) {
			s->active |= 1u << i;
			s->tcp_claimed = 1;
			return;
		}
	}
}

void extract_packet(struct extract *x, struct extract_flow **state,
		    const struct flow *f, enum flow_dir dir,
		    const struct packet *pkt)
{
	struct extract_flow *s = state ? *state : NULL;
	uint32_t active;

	x->cite_pkt = NULL; /* a new packet: its cite is not computed yet */
	if (!f || !state) {
		if (pkt->anomalies)
			every_packet(x, NULL, pkt);
		return;
	}
	if (!s) {
		s = flow_state_new(f);
		if (!s)
			return;
		*state = s;
	}
	if (!s->started)
		flow_start(x, s, f, pkt);
	if (pkt->anomalies)
		every_packet(x, s, pkt);
	if (!s->tcp_claimed && f->l4_proto == IP_PROTO_TCP &&
	    pkt->payload_len > 0)
		offer_claim(s, f, dir, pkt);
	active = s->active;
	while (active) {
		int i = __builtin_ctz(active);

		active &= active - 1;
		/* An earlier hook may have ended this family for the flow. */
		if ((s->active >> i) & 1u)
			extractors[i]->packet(x, s, f, dir, pkt);
	}
}

void extract_dpi_done(struct extract *x, struct extract_flow **state,
		      const struct flow *f, const struct dpi_result *r,
		      const struct dpi_meta *meta)
{
	struct extract_flow *s = *state;

	if (!s) {
		s = flow_state_new(f);
		if (!s)
			return;
		*state = s;
	}
	if (s->dpi_done)
		return;
	s->dpi_done = 1;
	for (int i = 0; i < FAM_COUNT; i++)
		if (extractors[i]->dpi_done)
			extractors[i]->dpi_done(x, s, f, r, meta);
}

void ex_family_done(struct extract *x, struct extract_flow *s,
		    enum extract_family fam)
{
	s->active &= ~(1u << fam);
	s->finished |= 1u << fam;
	if (extractors[fam]->flow_free)
		extractors[fam]->flow_free(x, s);
}

void extract_flow_end(struct extract *x, struct extract_flow **state,
		      const struct flow *f, const struct dpi_result *r,
		      const struct dpi_meta *meta)
{
	struct extract_flow *s = state ? *state : NULL;

	if (!s)
		return;
	x->cite_pkt = NULL;
	if (!s->dpi_done && (r || meta))
		extract_dpi_done(x, state, f, r, meta);
	if (s->started)
		for (int i = 0; i < FAM_COUNT; i++)
			if (extractors[i]->flow_end)
				extractors[i]->flow_end(x, s, f);
	for (int i = 0; i < FAM_COUNT; i++)
		if (extractors[i]->flow_free)
			extractors[i]->flow_free(x, s);
	free(s->server_name);
	free(s);
	*state = NULL;
}

void extract_source_end(struct extract *x)
{
	x->cite_pkt = NULL;
	for (int i = 0; i < FAM_COUNT; i++)
		if (extractors[i]->source_end)
			extractors[i]->source_end(x);
	ex_seen_reset(x);
}
