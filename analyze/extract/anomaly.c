/*
 * anomaly.c — anomaly family: malformed input as `anomaly` observations.
 *
 * Two sources: the decoder's anomalies on each packet (layer=decode; not
 * link_non_ip, which only names ordinary non-IP traffic) and
 * the protocol parsers' anomalies reported by the other families through
 * ex_anomalies() (layer=dns, http, tls, ssh). The value is the anomaly's
 * stable name (capture/anomaly.h); the detail names the layer and the
 * occurrence number within the source ("layer=dns n=3").
 *
 * Cap: the first cfg.anomaly_obs_cap (default 100) occurrences of each
 * anomaly name per source become observations; later ones are only
 * counted (stats.anomalies_not_emitted). The evidence store counts every
 * decode anomaly separately, so the cap bounds the evidence volume a
 * hostile capture can cause without losing the totals.
 */
#include "analyze/extract/extract_internal.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/parse/text.h"

struct anomaly_ctx {
	uint64_t seen[ANOM_COUNT]; /* occurrences in this source */
};

static int anomaly_ctx_create(struct extract *x)
{
	x->ctx[FAM_ANOMALY] = calloc(1, sizeof(struct anomaly_ctx));
	return x->ctx[FAM_ANOMALY] ? 0 : -1;
}

static void anomaly_ctx_destroy(struct extract *x)
{
	free(x->ctx[FAM_ANOMALY]);
	x->ctx[FAM_ANOMALY] = NULL;
}

void ex_anomalies(struct extract *x, struct extract_flow *s,
		  anomaly_set set, const char *layer,
		  const struct packet *pkt)
{
	struct anomaly_ctx *c = x->ctx[FAM_ANOMALY];
	char detail[64];
	struct textbuf t;

	while (set) {
		int a = __builtin_ctzll(set);

		set &= set - 1;
		if (a >= ANOM_COUNT)
			break;
		c->seen[a]++;
		if (c->seen[a] > x->cfg.anomaly_obs_cap &&
		    !x->cfg.keep_repeats) {
			x->stats.anomalies_not_emitted++;
			continue;
		}
		textbuf_init(&t, detail, sizeof(detail));
		textbuf_puts(&t, "layer=");
		textbuf_puts(&t, layer);
		textbuf_puts(&t, " n=");
		textbuf_put_uint(&t, (unsigned long)c->seen[a]);
		ex_emit(x, s, OBS_ANOMALY, 0, anomaly_name((enum anomaly)a),
			detail, pkt);
	}
}

/*
 * link_non_ip names ordinary traffic that carries no IP (ARP, LLDP, PPP
 * control): counted by the store (packets without a flow), not evidence.
 */
static void anomaly_every_packet(struct extract *x, struct extract_flow *s,
				 const struct packet *pkt)
{
	ex_anomalies(x, s,
		     pkt->anomalies & ~((anomaly_set)1 << ANOM_LINK_NON_IP),
		     "decode", pkt);
}

static void anomaly_source_end(struct extract *x)
{
	struct anomaly_ctx *c = x->ctx[FAM_ANOMALY];

	memset(c->seen, 0, sizeof(c->seen));
}

const struct extractor extract_anomaly = {
	.name = "anomaly",
	.ctx_create = anomaly_ctx_create,
	.ctx_destroy = anomaly_ctx_destroy,
	.every_packet = anomaly_every_packet,
	.source_end = anomaly_source_end,
};
