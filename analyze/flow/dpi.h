/*
 * dpi.h — protocol detection per flow. dpi_ndpi.c is the only file that
 * includes ndpi_api.h; everything else sees this interface.
 *
 * Packets of a flow are fed in order until detection is final (including
 * nDPI's extra dissection, e.g. TLS certificates) or a give-up limit is
 * reached (as ndpiReader: 80 TCP, 24 UDP packets), then the result is
 * read and the per-flow state can be freed.
 *
 * Packets nDPI would never see from the reference reader (non-first
 * fragments, datagrams cut by the snap length, packets without an IP
 * layer) are accepted by dpi_feed and skipped: they neither count towards
 * the give-up limit nor reach nDPI.
 */
#ifndef ATTRIB_DPI_H
#define ATTRIB_DPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/packet.h"

enum { DPI_NAME_LEN = 64, DPI_MAX_RISKS = 64 };

struct dpi;
struct dpi_flow;

struct dpi_result {
	uint16_t master_id, app_id;    /* nDPI protocol ids */
	char proto[DPI_NAME_LEN];      /* "TLS.Google", "DNS", "Unknown" */
	char category[DPI_NAME_LEN];   /* "Web", "Network", ... */
	uint64_t risk;                 /* bit (1 << r) per nDPI risk r */
	bool guessed;                  /* protocol from a port/IP guess */
	uint32_t packets_seen;         /* packets given to nDPI */
};

/* Creates a detection module. NULL with a message in err on failure. */
struct dpi *dpi_create(char *err, size_t errlen);
void dpi_destroy(struct dpi *d);

/*
 * Forgets what detection learnt from earlier flows (nDPI's caches of hosts
 * seen speaking a protocol: speed tests, BitTorrent, STUN, Zoom, Teams,
 * miners, TLS certificates), so that the verdicts on one source do not
 * depend on the sources read before it. Called when a source begins, with
 * no flow state alive (dpi_flow_new's flows belong to the old module).
 * A module no flow has used yet is kept as it is. 0, or -1 when out of
 * memory: there is no module then, and dpi_flow_new() returns NULL until
 * a dpi_forget() succeeds.
 */
int dpi_forget(struct dpi *d);

/* nDPI's version string. */
const char *dpi_version(void);

/* New per-flow state; NULL when out of memory. Free with dpi_flow_free. */
struct dpi_flow *dpi_flow_new(struct dpi *d);
void dpi_flow_free(struct dpi_flow *f);

/*
 * Feeds the packet (its IP layer) to detection. dir is the packet's
 * direction in the flow (0 client to server). Returns true while DPI wants
 * more packets of this flow, false once it is done with it.
 */
bool dpi_feed(struct dpi *d, struct dpi_flow *f, const struct packet *pkt,
	      int dir);

/*
 * Writes the flow's result to *out. When detection was not final it gives
 * up first, allowing nDPI's guess (out->guessed says so). Idempotent.
 */
void dpi_result(struct dpi *d, struct dpi_flow *f, struct dpi_result *out);

/* Name of nDPI risk number r ("" when out of range). */
const char *dpi_risk_name(unsigned r);

/*
 * What nDPI learnt about a flow, for the indicator extractors. Every
 * string is a bounded copy, always NUL-terminated, "" when nDPI has no
 * value; longer values are cut to fit. TLS fields are filled for TLS,
 * QUIC, DTLS and the implicit-TLS mail protocols, SSH fields for SSH, DNS
 * fields (dns_valid) for DNS, LLMNR and mDNS.
 */
enum {
	DPI_META_HOST_LEN = 80,    /* nDPI keeps at most 79 characters */
	DPI_META_HASH_LEN = 33,    /* 32 hex digits (MD5) */
	DPI_META_SHA1_LEN = 41,    /* 40 hex digits */
	DPI_META_DN_LEN = 256,
	DPI_META_NAMES_LEN = 512,
	DPI_META_ALPN_LEN = 128,
	DPI_META_URL_LEN = 512,
	DPI_META_UA_LEN = 256,
	DPI_META_METHOD_LEN = 16,
	DPI_META_SSH_SIG_LEN = 48,
};

struct dpi_meta {
	/* SNI (TLS, QUIC), HTTP Host, DNS query name, DHCP/NetBIOS name */
	char host[DPI_META_HOST_LEN];
	/* TLS */
	char ja3_client[DPI_META_HASH_LEN];  /* JA3 MD5, hex as nDPI writes it */
	char ja3_server[DPI_META_HASH_LEN];  /* JA3S MD5 */
	char tls_alpn[DPI_META_ALPN_LEN];    /* client's ALPN list */
	char cert_sha1[DPI_META_SHA1_LEN];   /* server certificate, lower hex */
	char cert_subject[DPI_META_DN_LEN];  /* "C=US, O=..., CN=..." */
	char cert_issuer[DPI_META_DN_LEN];
	char cert_names[DPI_META_NAMES_LEN]; /* subjectAltNames, comma list */
	uint16_t tls_version;                /* e.g. 0x0303, 0 unknown */
	uint32_t cert_not_before, cert_not_after; /* Unix seconds, 0 unknown */
	/* HTTP */
	char http_method[DPI_META_METHOD_LEN];
	char http_url[DPI_META_URL_LEN];     /* host + path as nDPI keeps it */
	char http_user_agent[DPI_META_UA_LEN];
	uint16_t http_status;                /* response code, 0 none */
	/* SSH */
	char ssh_client[DPI_META_SSH_SIG_LEN]; /* client banner */
	char ssh_server[DPI_META_SSH_SIG_LEN];
	char hassh_client[DPI_META_HASH_LEN]; /* HASSH MD5, hex (nDPI: upper) */
	char hassh_server[DPI_META_HASH_LEN];
	/* DNS, as nDPI recorded it from the packets it saw */
	bool dns_valid;
	bool dns_is_query;                   /* last DNS packet was a query */
	uint16_t dns_query_type;             /* QTYPE, e.g. 1 = A */
	uint8_t dns_reply_code;              /* RCODE, 0 = NOERROR */
	uint8_t dns_answers;                 /* answer count of the response */
};

/*
 * Copies the flow's metadata to *out once detection is over (dpi_feed
 * returned false or dpi_result was called) and returns true. Before that
 * it zeroes *out and returns false. Reads f only; call it before
 * dpi_flow_free.
 */
bool dpi_meta(const struct dpi_flow *f, struct dpi_meta *out);

#endif
