/*
 * pipeline.c — decoded packets → flows → DPI → evidence store
 * (see pipeline.h).
 *
 * Per flow the pipeline hangs a small record on flow->user: the DPI state
 * while detection runs (freed as soon as DPI is done, so memory is bounded
 * by the flows still under detection) and the DPI result after.
 */
#include "analyze/ingest/pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/crypto/digest.h"
#include "analyze/extract/extract.h"

struct flow_dpi {
	struct dpi_flow *state;    /* NULL once detection is done */
	struct extract_flow *xf;   /* indicator extractors' state */
	struct dpi_result result;
};

struct pipeline {
	struct store *st;
	struct dpi *dpi;
	struct extract *extract;
	struct dpi_meta meta;      /* scratch for dpi_meta() */
	struct pipeline_config cfg;
	struct flow_table *flows;
	int64_t source_id;
	uint64_t since_checkpoint;
	uint64_t last_frame;
	uint64_t prev_ts_us;
	int write_failed;
	struct pipeline_stats stats;
};

void pipeline_config_default(struct pipeline_config *cfg)
{
	flow_table_config_default(&cfg->flows);
	/* Each commit syncs the WAL and writes the head file twice (file
	 * and folder synced): at 65,536 packets those syncs were about a
	 * tenth of the benchmark's wall time. A kill -9 loses at most one
	 * batch, which a rerun reads again. */
	cfg->checkpoint_packets = 262144;
}

static const char *close_reason_name(enum flow_close_reason why)
{
	switch (why) {
	case FLOW_CLOSE_IDLE: return "idle";
	case FLOW_CLOSE_HARD: return "hard_timeout";
	case FLOW_CLOSE_TCP_END: return "tcp_end";
	case FLOW_CLOSE_EVICTED: return "evicted";
	case FLOW_CLOSE_END: return "end_of_input";
	}
	return "unknown";
}

/* Detection of the flow is over: read nDPI's verdict and metadata, hand
 * them to the extractors, free nDPI's state. */
static void finish_dpi(struct pipeline *p, struct flow *f,
		       struct flow_dpi *fd)
{
	dpi_result(p->dpi, fd->state, &fd->result);
	bool has_meta = dpi_meta(fd->state, &p->meta);
	extract_dpi_done(p->extract, &fd->xf, f, &fd->result,
			 has_meta ? &p->meta : NULL);
	dpi_flow_free(fd->state);
	fd->state = NULL;
}

/* Flow table callback: finish detection and extraction, store the flow,
 * free its state. */
static void on_flow_close(struct flow *f, enum flow_close_reason why,
			  void *ctx)
{
	struct pipeline *p = ctx;
	struct flow_dpi *fd = f->user;
	struct dpi_result unknown;
	const struct dpi_result *r = &unknown;
	if (fd) {
		if (fd->state)
			finish_dpi(p, f, fd);
		extract_flow_end(p->extract, &fd->xf, f, NULL, NULL);
		r = &fd->result;
	} else {
		memset(&unknown, 0, sizeof unknown);
		snprintf(unknown.proto, sizeof unknown.proto, "Unknown");
		snprintf(unknown.category, sizeof unknown.category,
			 "Unspecified");
	}
	if (why == FLOW_CLOSE_EVICTED)
		store_anomaly(p->st, ANOM_FLOW_TABLE_FULL, p->last_frame);
	if (!p->write_failed &&
	    store_flow(p->st, p->source_id, f, r, close_reason_name(why)) != 0)
		p->write_failed = 1;
	free(fd);
	f->user = NULL;
}

/* Sink of the extractors: observations go to the store with the packet
 * citation the extractors computed (its bytes hashed once per packet). */
static void on_observation(void *ctx, const struct obs *o)
{
	struct pipeline *p = ctx;
	struct store_obs so = {
		.kind = obs_kind_name(o->kind), .value = o->value,
		.detail = o->detail, .flow_id = o->flow_id,
	};
	if (!o->cite)
		return; /* an observation must cite a packet */
	char hex[DIGEST_SHA256_HEX_SIZE];
	digest_raw_to_hex(o->cite->sha256, sizeof o->cite->sha256, hex);
	so.frame = o->cite->frame;
	so.file_offset = o->cite->file_offset;
	so.caplen = o->cite->caplen;
	so.ts_us = o->cite->ts_us;
	so.packet_sha256 = hex;
	if (!p->write_failed &&
	    store_observation(p->st, p->source_id, &so) != 0)
		p->write_failed = 1;
}

struct pipeline *pipeline_create(struct store *st, struct dpi *dpi,
				 const struct pipeline_config *cfg,
				 char *err, size_t errlen)
{
	struct pipeline *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->st = st;
	p->dpi = dpi;
	p->cfg = *cfg;
	struct obs_sink sink = {.emit = on_observation, .ctx = p};
	struct extract_config xc;
	extract_config_default(&xc);
	xc.risk_name = dpi_risk_name;
	if (!(p->extract = extract_create(&sink, &xc))) {
		snprintf(err, errlen, "out of memory (extractors)");
		free(p);
		return NULL;
	}
	return p;
}

int pipeline_begin(struct pipeline *p, const struct store_source *src,
		   struct store_resume *resume, char *err, size_t errlen)
{
	if (store_source_begin(p->st, src, resume) != 0) {
		snprintf(err, errlen, "%s", store_error(p->st));
		return -1;
	}
	memset(&p->stats, 0, sizeof p->stats);
	p->source_id = resume->source_id;
	p->since_checkpoint = 0;
	p->last_frame = 0;
	p->prev_ts_us = 0;
	p->write_failed = 0;
	struct flow_table_config fc = p->cfg.flows;
	fc.first_id = resume->first_flow_id;
	flow_table_destroy(p->flows);
	p->flows = flow_table_create(&fc, on_flow_close, p);
	if (!p->flows) {
		snprintf(err, errlen, "out of memory (flow table)");
		return -1;
	}
	/* each source's verdicts its own, whatever was read before (dpi.h) */
	if (dpi_forget(p->dpi) != 0) {
		snprintf(err, errlen, "out of memory (nDPI module)");
		return -1;
	}
	return 0;
}

static void count_anomalies(struct pipeline *p, const struct packet *pkt)
{
	anomaly_set set = pkt->anomalies;
	while (set) {
		int a = __builtin_ctzll(set);
		set &= set - 1;
		store_anomaly(p->st, (enum anomaly)a, pkt->frame);
		p->stats.anomalies++;
	}
}

/* Gives the packet to DPI while the flow's detection still runs. */
static int feed_dpi(struct pipeline *p, struct flow *f, bool created,
		    enum flow_dir dir, const struct packet *pkt)
{
	struct flow_dpi *fd = f->user;
	if (created && !fd) {
		fd = calloc(1, sizeof *fd);
		if (!fd)
			return -1;
		fd->state = dpi_flow_new(p->dpi);
		if (!fd->state) {
			free(fd);
			return -1;
		}
		f->user = fd;
	}
	if (!fd || !fd->state)
		return 0;

	p->stats.dpi_packets++;
	if (!dpi_feed(p->dpi, fd->state, pkt, (int)dir))
		finish_dpi(p, f, fd);
	return 0;
}

static int checkpoint(struct pipeline *p, char *err, size_t errlen)
{
	if (store_checkpoint(p->st, p->source_id, p->last_frame,
			     p->stats.packets, p->stats.first_us,
			     p->stats.last_us) != 0) {
		snprintf(err, errlen, "%s", store_error(p->st));
		return -1;
	}
	p->since_checkpoint = 0;
	return 0;
}

int pipeline_packet(struct pipeline *p, const struct packet *pkt, char *err,
		    size_t errlen)
{
	store_set_frame(p->st, pkt->frame);
	p->last_frame = pkt->frame;
	p->stats.packets++;
	p->stats.bytes += pkt->caplen;
	if (p->stats.packets == 1 || pkt->ts_us < p->stats.first_us)
		p->stats.first_us = pkt->ts_us;
	if (pkt->ts_us > p->stats.last_us)
		p->stats.last_us = pkt->ts_us;
	if (pkt->ts_us < p->prev_ts_us)
		pipeline_file_anomaly(p, ANOM_TIME_BACKWARDS, pkt->frame);
	p->prev_ts_us = pkt->ts_us;
	if (pkt->anomalies)
		count_anomalies(p, pkt);
	bool held = (pkt->flags & PKT_DEFRAG_HELD) != 0;
	if (pkt->ip_version && !held) {
		p->stats.ip_packets++;
		enum flow_dir dir;
		bool created = false;
		struct flow *f = flow_table_update(p->flows, pkt, &dir, &created);
		if (!f || feed_dpi(p, f, created, dir, pkt) != 0) {
			snprintf(err, errlen, "frame %llu: out of memory",
				 (unsigned long long)pkt->frame);
			return -1;
		}
		struct flow_dpi *fd = f->user;
#ifdef ATTRIB_BENCH_NO_EXTRACT
		(void)fd; /* benchmark-only build (make bench): no extraction */
#else
		extract_packet(p->extract, fd ? &fd->xf : NULL, f, dir, pkt);
#endif
		if (created)
			p->stats.flows++;
	} else {
		/* no flow can hold it: counted under why (no silent loss); a
		 * fragment held for reassembly under ipv4/ipv6_fragment */
		store_unplaced(p->st,
			       !held ? packet_unplaced_reason(pkt)
			       : pkt->ip_version == 6 ? ANOM_IPV6_FRAGMENT
						      : ANOM_IPV4_FRAGMENT,
			       pkt->frame);
#ifndef ATTRIB_BENCH_NO_EXTRACT
		extract_packet(p->extract, NULL, NULL, FLOW_DIR_C2S, pkt);
#endif
	}
	if (p->write_failed) {
		snprintf(err, errlen, "%s", store_error(p->st));
		return -1;
	}
	if (++p->since_checkpoint >= p->cfg.checkpoint_packets)
		return checkpoint(p, err, errlen);
	return 0;
}

int pipeline_commit(struct pipeline *p, char *err, size_t errlen)
{
	if (p->write_failed) {
		snprintf(err, errlen, "%s", store_error(p->st));
		return -1;
	}
	return checkpoint(p, err, errlen);
}

void pipeline_file_anomaly(struct pipeline *p, enum anomaly a, uint64_t frame)
{
	store_anomaly(p->st, a, frame);
	p->stats.anomalies++;
}

int pipeline_end(struct pipeline *p, const char *sha_hex, const char *status,
		 const char *error, char *err, size_t errlen)
{
	if (p->flows)
		flow_table_flush(p->flows);
	extract_source_end(p->extract);
	if (p->write_failed) {
		snprintf(err, errlen, "%s", store_error(p->st));
		return -1;
	}
	if (store_source_finish(p->st, p->source_id, sha_hex, p->stats.packets,
				p->stats.first_us, p->stats.last_us, status,
				error) != 0) {
		snprintf(err, errlen, "%s", store_error(p->st));
		return -1;
	}
	return 0;
}

const struct pipeline_stats *pipeline_stats(const struct pipeline *p)
{
	return &p->stats;
}

void pipeline_destroy(struct pipeline *p)
{
	if (!p)
		return;
	if (p->flows) {
		p->write_failed = 1; /* an unfinished source writes nothing more */
		flow_table_flush(p->flows);
		flow_table_destroy(p->flows);
	}
	extract_destroy(p->extract);
	free(p);
}
