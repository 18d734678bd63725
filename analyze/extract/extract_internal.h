/*
 * extract_internal.h — what registry.c shares with the family files
 * (net.c, dns.c, http.c, tls.c, quic.c, dtls.c, ssh.c, carrier/openvpn.c,
 * carrier/rdpudp.c, ndpi.c, anomaly.c, behaviour.c):
 * the extractor vtable, the stage and per-flow state, observation and
 * anomaly helpers, and bounded TCP stream reassembly (stream.c).
 *
 * Not part of the extract.h contract; nothing outside analyze/extract/
 * and its unit tests includes it.
 */
#ifndef ATTRIB_EXTRACT_INTERNAL_H
#define ATTRIB_EXTRACT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/extract/extract.h"
#include "capture/cursor.h"

enum { IP_PROTO_TCP = 6, IP_PROTO_UDP = 17 };
enum { TCP_FLAG_SYN = 0x02 };

/* Families, in the order their hooks run (behaviour last: it reads what
 * the others found at flow end). */
enum extract_family {
	FAM_NET,
	FAM_DNS,
	FAM_HTTP,
	FAM_TLS,
	FAM_QUIC,
	FAM_DTLS,
	FAM_SSH,
	FAM_OPENVPN,
	FAM_RDPUDP,
	FAM_NDPI,
	FAM_ANOMALY,
	FAM_BEHAVIOUR,
	FAM_COUNT
};

/* Side of a two-sided value (SSH banner and HASSH); 0 for the rest. */
enum { SIDE_CLIENT = 0, SIDE_SERVER = 1 };

struct extract;
struct extract_flow;

/*
 * One indicator family. Every hook is optional (NULL). Hooks get the
 * stage x and, for flow hooks, the flow's state s (never NULL).
 */
struct extractor {
	const char *name;
	/* Sets up x->ctx[family]; 0, or -1 when out of memory. */
	int (*ctx_create)(struct extract *x);
	void (*ctx_destroy)(struct extract *x);
	/* Every packet with decode anomalies, with or without a flow
	 * (s NULL then). */
	void (*every_packet)(struct extract *x, struct extract_flow *s,
			     const struct packet *pkt);
	/* The flow's first packet: true to receive the flow's packets. */
	bool (*flow_start)(struct extract *x, struct extract_flow *s,
			   const struct flow *f, const struct packet *pkt);
	/* A payload packet of a TCP flow no family owns yet: true to own
	 * it (and receive this packet and the following ones). */
	bool (*tcp_claim)(const struct flow *f, enum flow_dir dir,
			  const struct cursor *payload);
	void (*packet)(struct extract *x, struct extract_flow *s,
		       const struct flow *f, enum flow_dir dir,
		       const struct packet *pkt);
	/* nDPI finished; meta may be NULL. */
	void (*dpi_done)(struct extract *x, struct extract_flow *s,
			 const struct flow *f, const struct dpi_result *r,
			 const struct dpi_meta *meta);
	void (*flow_end)(struct extract *x, struct extract_flow *s,
			 const struct flow *f);
	/* Releases s->fam[family] (also called when a family is done). */
	void (*flow_free)(struct extract *x, struct extract_flow *s);
	void (*source_end)(struct extract *x);
};

extern const struct extractor extract_net, extract_dns, extract_http,
	extract_tls, extract_quic, extract_dtls, extract_ssh, extract_openvpn,
	extract_rdpudp, extract_ndpi, extract_anomaly, extract_behaviour;

struct extract {
	struct obs_sink sink;
	struct extract_config cfg;
	struct extract_stats stats;
	void *ctx[FAM_COUNT];          /* per-family context, owned there */
	/* Cite of the packet being fed, computed on first use. */
	const struct packet *cite_pkt;
	struct obs_cite cite;
	char detail[OBS_DETAIL_MAX];   /* scratch for families' detail */
	/* Kinds recorded once per distinct value per source: hashes of the
	 * (kind, value) pairs emitted so far (open addressing, 0 = empty). */
	uint64_t *seen;
	size_t seen_cap, seen_used;
};

/*
 * Flow-level kinds (ip.src, ip.dst, ndpi.proto, ndpi.risk) restate what the
 * flows table already holds for every flow; they are recorded once per
 * distinct value per source, citing the first packet that showed it.
 * True when (kind, value) was already recorded for this source.
 */
bool ex_seen_in_source(struct extract *x, enum obs_kind kind,
		       const char *value);

/* Forgets the values seen (at the end of a source). */
void ex_seen_reset(struct extract *x);

struct extract_flow {
	struct obs_cite first;   /* the flow's first packet */
	uint64_t flow_id;
	uint64_t emitted;        /* bit (kind * 2 + side) per kind emitted */
	uint32_t active;         /* bit per family wanting packets */
	uint32_t finished;       /* bit per family that let go of the flow */
	uint8_t started;         /* flow_start hooks ran */
	uint8_t l4_proto;        /* the flow's transport and server port, */
	uint16_t server_port;    /* for decode_as= hints (emit.c) */
	uint16_t client_port;
	uint8_t dpi_done;        /* dpi_done hooks ran */
	uint8_t tcp_claimed;     /* a family owns the TCP payload */
	uint8_t claim_offers;    /* payload packets offered for claiming */
	char *server_name;       /* first SNI or HTTP Host (behaviour) */
	void *fam[FAM_COUNT];    /* per-family state, owned by the family */
};

/*
 * Hands one observation to the sink. Cites pkt when not NULL (its cite is
 * computed once per packet), else the flow's first packet. s may be NULL
 * (a packet without a flow; pkt must be given then). value is cut
 * to fit OBS_VALUE_MAX at a character boundary; an empty value is not
 * emitted. Records the kind (and side) in s->emitted and the first
 * tls.sni / http.host in s->server_name.
 */
void ex_emit(struct extract *x, struct extract_flow *s, enum obs_kind kind,
	     unsigned side, const char *value, const char *detail,
	     const struct packet *pkt);

/* Same, citing *cite, for observations of no single flow (flow_id 0
 * allowed). */
void ex_emit_cited(struct extract *x, enum obs_kind kind, const char *value,
		   const char *detail, const struct obs_cite *cite,
		   uint64_t flow_id);

/* True when flow state s already emitted kind (on side). */
static inline bool ex_emitted(const struct extract_flow *s,
			      enum obs_kind kind, unsigned side)
{
	return (s->emitted >> (kind * 2u + side)) & 1u;
}

/*
 * Emits an `anomaly` observation per anomaly in set, subject to the
 * per-name cap (anomaly.c). layer names who found it ("decode", "dns",
 * "http", "tls", "ssh", "openvpn", "rdpudp"). s may be NULL (no flow).
 */
void ex_anomalies(struct extract *x, struct extract_flow *s,
		  anomaly_set set, const char *layer,
		  const struct packet *pkt);

/* The family no longer wants the flow: clears its bit, frees its state,
 * and notes it in s->finished. */
void ex_family_done(struct extract *x, struct extract_flow *s,
		    enum extract_family fam);

struct tls_client_hello;

/*
 * Emits what a parsed ClientHello gives (tls.c): tls.sni, one tls.alpn
 * per offered protocol (detail list=), tls.ja3 (detail ja3=<string>) and
 * tls.ja4, each with detail "impl=attrib", then " " and transport when
 * it is not NULL or empty ("quic=1" for a QUIC Initial's ClientHello,
 * "dtls=1.2", "carrier=openvpn").
 */
void ex_emit_client_hello(struct extract *x, struct extract_flow *s,
			  const struct tls_client_hello *ch,
			  const char *transport, const struct packet *pkt);

struct tls_certificate;

/*
 * Emits the certificate chain GnuTLS read (tls_cert.c): tls.cert.san,
 * .serial, .not_before, .not_after, .key, .self_signed, .subject_dn and
 * .issuer_dn per certificate, detail "impl=gnutls [carrier] cert=<n>".
 */
void ex_emit_cert_chain(struct extract *x, struct extract_flow *s,
			const struct tls_certificate *cert,
			const char *carrier, const struct packet *pkt);

/*
 * Emits a Certificate message's values: tls.cert.sha1, .subject and
 * .issuer of its first certificate (detail "impl=attrib [words]
 * certs=<count>"), then the chain (ex_emit_cert_chain(), with words).
 * words: detail words naming where it was read ("carrier=openvpn",
 * "dtls=1.2", "side=client" for a client's certificate), or NULL.
 */
void ex_emit_certificate(struct extract *x, struct extract_flow *s,
			 const struct tls_certificate *cert, const char *words,
			 const struct packet *pkt);

/* A hash of a ClientHello's fingerprints, SNI and ALPN list: two
 * ClientHellos of one flow with the same hash give the same values. */
uint64_t ex_client_hello_hash(const struct tls_client_hello *ch);

/* Cursor over the packet's captured L4 payload; false when empty or out
 * of the captured range. */
bool ex_payload(const struct packet *pkt, struct cursor *out);

/*
 * Writes untrusted bytes (e.g. an nDPI string) as tshark-style escaped
 * text into out (size bytes, NUL-terminated, cut at a character).
 */
void ex_escape(const char *in, char *out, size_t size);

/* Address text of a flow endpoint (ip_version 4 or 6) into out. */
void ex_addr_text(const uint8_t addr[16], uint8_t ip_version, char *out,
		  size_t size);

/* --- TCP stream reassembly (stream.c) --------------------------------- */

enum stream_state {
	STREAM_NEW = 0,  /* no start sequence number yet */
	STREAM_OPEN,     /* appending in-order bytes */
	STREAM_STOPPED,  /* gap, budget or done: takes nothing more */
};

/* Segments a stream that holds reordered ones keeps past a gap. */
#define STREAM_HELD_MAX 8

struct stream_held; /* stream.c: copies of segments past a gap */

/*
 * One direction of a TCP connection: in-order payload bytes from the
 * start (or from a resynchronisation point), up to max bytes buffered.
 * skip bytes of stream are dropped unbuffered first (e.g. an HTTP body).
 * The buffer grows by doubling and counts against the stage's budget.
 * With hold_reordered set (before the first segment), a segment that
 * starts past the next expected byte is kept (a copy, at most
 * STREAM_HELD_MAX of them, within max and the budget) until the missing
 * bytes arrive, instead of being reported as a gap.
 */
struct stream {
	uint8_t *buf;
	uint32_t len, cap, max;
	uint32_t next_seq;
	uint64_t skip;
	uint8_t state;   /* enum stream_state */
	bool full;       /* in-order bytes were dropped at max (sticky until
	                    reset: the buffered bytes are no longer followed
	                    by the rest of the stream) */
	bool hold_reordered;
	struct stream_held *held; /* NULL until a segment is held */
};

enum stream_result {
	STREAM_NOTHING,  /* no new bytes (empty, retransmission, stopped) */
	STREAM_DATA,     /* new bytes buffered (or skipped) */
	STREAM_GAP,      /* bytes missing before this segment; nothing taken
	                    (with hold_reordered: and it could not be held) */
	STREAM_REFUSED,  /* over the stage's budget; the stream stopped */
};

void stream_init(struct stream *st, uint32_t max);
/* Appends the packet's new in-order payload bytes, then those of held
 * segments that now follow them (STREAM_DATA); a segment held for later
 * gives STREAM_NOTHING. */
enum stream_result stream_feed(struct extract *x, struct stream *st,
			       const struct packet *pkt);
/*
 * Appends n bytes that follow the stream's last ones (a carrier's
 * reassembled payload rather than a TCP segment): skip, max and the budget
 * apply as in stream_feed(). STREAM_DATA, STREAM_NOTHING (stopped, or
 * nothing kept) or STREAM_REFUSED.
 */
enum stream_result stream_append(struct extract *x, struct stream *st,
				 const uint8_t *p, size_t n);
/* Drops the first n buffered bytes (n <= len). */
void stream_consume(struct stream *st, size_t n);
/* Forgets everything: the next segment starts the stream again. */
void stream_reset(struct extract *x, struct stream *st);
/* Frees the buffer and stops the stream. */
void stream_free(struct extract *x, struct stream *st);

/* --- A TLS session read from two byte streams (tls.c) ----------------- */

/* ClientHellos read per session (a second follows a HelloRetryRequest). */
#define TLS_SESSION_HELLOS 4
#define TLS_SESSION_CARRIER_SIZE 48

/*
 * The start of a TLS session's two directions, indexed by role
 * (FLOW_DIR_C2S the TLS client, FLOW_DIR_S2C the server): over TCP
 * (tls.c) or reassembled from a carrier (OpenVPN's control channel,
 * RDP-UDP's reliable data). The owner appends bytes to dir[role]
 * (stream_feed() or stream_append()) and calls tls_session_update().
 */
struct tls_session {
	struct stream dir[2];
	uint32_t records[2];      /* complete records at the last parse */
	anomaly_set anomalies[2]; /* already emitted */
	uint8_t phase[2];         /* 0 open, 1 done */
	uint8_t hellos;           /* ClientHellos read */
	uint8_t distinct;         /* of them emitted (distinct fingerprints) */
	uint64_t hello_hash[TLS_SESSION_HELLOS];
	bool server_hello_seen;   /* the server's first ServerHello was read */
	bool hello_retry;         /* ... and it was a HelloRetryRequest */
	bool tls13;               /* ... and it chose TLS 1.3 */
	bool server_hello_emitted;
	bool client_cert_emitted; /* the client's Certificate was read */
	/* Detail words after "impl=attrib" ("carrier=openvpn"), or "". */
	char carrier[TLS_SESSION_CARRIER_SIZE];
};

/* Starts both directions (TLS_C2S_MAX and TLS_S2C_MAX bytes); carrier
 * may be NULL. */
void tls_session_init(struct tls_session *ts, const char *carrier);

/*
 * Reads what the role's stream holds once one more record is complete (or
 * the stream is full), and emits what became available, citing pkt: every
 * ClientHello with a fingerprint not seen before in the session (up to
 * TLS_SESSION_HELLOS read), the first ServerHello's JA3S, the leaf
 * certificates (the server's, and a client's), new parser anomalies
 * (layer=tls). The client side stays open after its first ClientHello
 * until the server's ServerHello shows whether a second one will follow
 * (a HelloRetryRequest) and, under TLS 1.2, until the client's
 * Certificate or ChangeCipherSpec.
 */
void tls_session_update(struct extract *x, struct extract_flow *s,
			struct tls_session *ts, enum flow_dir role,
			const struct packet *pkt);

/* The role's stream cannot be followed any more (gap, budget): done. */
void tls_session_stop(struct extract *x, struct tls_session *ts,
		      enum flow_dir role);

/* True when both directions are done; when the role's is. */
bool tls_session_done(const struct tls_session *ts);
bool tls_session_role_done(const struct tls_session *ts, enum flow_dir role);

/* The flow ended: reads what complete records are left, once more. */
void tls_session_end(struct extract *x, struct extract_flow *s,
		     struct tls_session *ts);

/* Frees both buffers. */
void tls_session_free(struct extract *x, struct tls_session *ts);

#endif
