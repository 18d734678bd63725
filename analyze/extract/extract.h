/*
 * extract.h — indicator extraction: turns decoded packets and nDPI flow
 * metadata into observations (one per occurrence of an indicator).
 *
 * Each indicator family is one file behind a const table of small vtables
 * (registry.c). The pipeline calls extract_packet() for every packet of a
 * flow (not only those DPI saw), extract_dpi_done() once when nDPI has
 * finished with the flow, and extract_flow_end() once when the flow
 * closes; extractors hand observations to the sink. Per-flow extractor
 * state is allocated lazily, bounded in size, and freed at flow end.
 *
 * Values, formats and the implementation behind each kind are documented
 * in docs/indicators.md.
 */
#ifndef ATTRIB_EXTRACT_H
#define ATTRIB_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/flow/dpi.h"
#include "analyze/vocab/kinds.h"
#include "analyze/flow/flow.h"
#include "capture/packet.h"


/* Longest detail text extractors write, NUL included. */
enum { OBS_DETAIL_MAX = 12288 };

/*
 * The packet an observation cites, kept when the packet itself is gone
 * (e.g. for observations emitted at flow end). sha256 is of the packet's
 * captured bytes.
 */
struct obs_cite {
	uint64_t frame, file_offset, ts_us;
	uint32_t caplen;
	uint8_t sha256[32];
};

/* Fills *c from a packet (hashes its captured bytes). */
void obs_cite_from_packet(struct obs_cite *c, const struct packet *pkt);

/*
 * One observation, valid only during the sink's emit call. value is
 * NUL-terminated text (shorter than OBS_VALUE_MAX bytes, printable:
 * extractors escape what is not, as tshark prints strings). cite is never
 * NULL: it is the packet the value was read from (hashed once per packet)
 * or, for flow- and source-level observations, the packet they cite (the
 * flow's first packet; for behaviour, the first packet of the series'
 * first flow). pkt is that packet when it is still in memory (the sink
 * may read its bytes), else NULL. detail is optional context, "key=value"
 * pairs separated by spaces (e.g. "impl=attrib", "qtype=A rcode=NOERROR"),
 * shorter than OBS_DETAIL_MAX, NULL when none. flow_id is 0 for
 * anomalies of packets without a flow; behaviour observations carry the
 * id of their series' earliest flow. The flow-level kinds ip.src, ip.dst,
 * ndpi.proto and ndpi.risk are emitted once per distinct value per
 * source (the flows table holds them for every flow); every other kind
 * at every occurrence.
 */
struct obs {
	enum obs_kind kind;
	const char *value;
	const char *detail;
	const struct packet *pkt;
	const struct obs_cite *cite;
	uint64_t flow_id;
};

/* A long flow's client bursts (start times, payload bytes), n of each;
 * what the behaviour family keeps per flow for in-flow beacons. */
struct obs_bursts {
	const int64_t *times, *sizes;
	uint32_t n;
};

/* Where observations go (the pipeline stores them). */
struct obs_sink {
	void (*emit)(void *ctx, const struct obs *o);
	void *ctx;
	/* Optional. When set, the behaviour family does not keep series
	 * itself: each closed flow's start (the flow, its first packet, its
	 * server name or NULL) goes here instead, so that the owner can feed
	 * the flows of several stages into one stage's series in one order
	 * (extract_behaviour_flow()). Arguments valid during the call. */
	void (*flow_summary)(void *ctx, const struct flow *f,
			     const struct obs_cite *first,
			     const char *server_name,
			     const struct obs_bursts *bursts);
};

/* Bounds of the extraction stage (see extract_config_default()). */
struct extract_config {
	size_t stream_budget_bytes;   /* all TCP stream buffers together */
	uint32_t anomaly_obs_cap;     /* anomaly observations per name/source */
	uint32_t http_max_requests;   /* requests parsed per flow */
	uint32_t behaviour_max_series;  /* beacon series per source */
	uint32_t behaviour_max_times;   /* flow starts kept per series */
	uint32_t behaviour_max_total_times; /* flow starts kept per source */
	uint32_t behaviour_max_hosts;   /* activity.hours hosts per source */
	/* Name of nDPI risk bit r, for ndpi.risk values: the pipeline
	 * passes dpi_risk_name (extract itself does not link nDPI). NULL, or
	 * a name of "", gives "risk<r>". */
	const char *(*risk_name)(unsigned r);
	/* Emit every occurrence of the once-per-source kinds and every
	 * anomaly (numbered n= as usual, not capped): for a stage whose
	 * observations a later stage merges with others', which then keeps
	 * the first of each value and caps the anomalies in the merged
	 * order (extract_seen_in_source(), the ingest writer). */
	bool keep_repeats;
};

/*
 * Defaults: 32 MiB of stream buffers, 100 anomaly observations per anomaly
 * name and source, 10000 HTTP requests per flow, 65536 beacon series of at
 * most 4096 flow starts each (what the beacon scorer uses) and 2 M flow
 * starts per source in all,
 * 65536 activity hosts; risk_name NULL.
 */
void extract_config_default(struct extract_config *cfg);

/* What the stage dropped or bounded, for the ingest summary. */
struct extract_stats {
	uint64_t observations;        /* handed to the sink */
	uint64_t stream_bytes;        /* stream buffer bytes held now */
	uint64_t stream_bytes_peak;
	uint64_t streams_over_budget; /* streams refused a buffer */
	uint64_t streams_gap;         /* streams stopped at a sequence gap */
	uint64_t anomalies_not_emitted; /* over anomaly_obs_cap */
	uint64_t http_requests_capped;  /* flows that hit http_max_requests */
	uint64_t series_dropped;      /* flows whose series did not fit */
	uint64_t times_dropped;       /* flow starts not kept */
	uint64_t hosts_dropped;       /* flows of hosts that did not fit */
};

struct extract;
struct extract_flow;

/*
 * Creates the extraction stage; observations go to *sink (copied). cfg
 * NULL means the defaults. The caller owns the result
 * (extract_destroy()). NULL when out of memory.
 */
struct extract *extract_create(const struct obs_sink *sink,
			       const struct extract_config *cfg);
/*
 * Feeds one closed flow to x's behaviour series as its own flow end would
 * (f's id, addresses, ports, transport and first_us are read; first is
 * the flow's first packet; server_name and bursts may be NULL). Used by the owner of
 * a stage that collects the flow_summary calls of other stages. Nothing
 * is referenced after the call.
 */
void extract_behaviour_flow(struct extract *x, const struct flow *f,
			    const struct obs_cite *first,
			    const char *server_name,
			    const struct obs_bursts *bursts);

/*
 * True when kind is recorded once per distinct value per source (ip.src,
 * ip.dst, ndpi.proto, ndpi.risk) and x has seen (kind, value) in this
 * source already; else notes it and returns false. For an owner that
 * merges the observations of several stages.
 */
bool extract_seen_in_source(struct extract *x, enum obs_kind kind,
			    const char *value);

/* Frees x (NULL is a no-op). Flows still open are not closed. */
void extract_destroy(struct extract *x);

/*
 * Feeds one packet of flow f (direction dir). *state is the flow's
 * extractor state: NULL at first, allocated when an extractor needs it,
 * owned by the caller's flow from then on, freed by extract_flow_end().
 * For a packet without a flow (no IP layer) pass f = NULL and
 * state = NULL: only its decode anomalies are extracted. Packets no
 * extractor wants cost a few tests and no allocation.
 */
void extract_packet(struct extract *x, struct extract_flow **state,
		    const struct flow *f, enum flow_dir dir,
		    const struct packet *pkt);

/*
 * nDPI has finished with flow f: r is its final result and meta its
 * metadata (dpi_meta(); meta may be NULL when there is none). Call it once,
 * after dpi_result() and before dpi_flow_free(), and before
 * extract_packet() of the packet that completed detection, so extractors
 * that follow nDPI's verdict (DNS on unusual ports) see that packet too.
 * Emits ndpi.proto and ndpi.risk (citing the flow's first packet; kept
 * for flow end when the flow's first packet has not been fed yet) and
 * keeps, bounded, the nDPI values that extract_flow_end() may need. May
 * allocate *state. Neither r nor meta is referenced after the call.
 */
void extract_dpi_done(struct extract *x, struct extract_flow **state,
		      const struct flow *f, const struct dpi_result *r,
		      const struct dpi_meta *meta);

/*
 * The flow closed: emits what needs the whole flow (nDPI-produced values
 * our own parse did not give, with detail impl=ndpi),
 * feeds the behaviour accumulators, then frees *state and sets it to NULL.
 * When extract_dpi_done() was not called for this flow, r and meta are
 * used as in that call (either may be NULL); otherwise they are ignored.
 * Flow-level observations cite the flow's first packet. *state may be
 * NULL (a flow no extractor saw): then only r and meta are used.
 */
void extract_flow_end(struct extract *x, struct extract_flow **state,
		      const struct flow *f, const struct dpi_result *r,
		      const struct dpi_meta *meta);

/*
 * The source ended (after every flow was closed): emits the behaviour
 * observations computed over the source's flows — beacon per client→server
 * pair and per client→SNI/host, activity.hours per client host — and
 * resets the per-source accumulators (behaviour, anomaly caps).
 */
void extract_source_end(struct extract *x);

/* Counters since extract_create() (stream_bytes: held now). */
const struct extract_stats *extract_stats(const struct extract *x);

#endif
