/*
 * kinds.h — the indicator-kind vocabulary shared by extraction, models,
 * scoring and reports: each kind's contract name and its default
 * forgeability f and specificity s (reasons in docs/indicators.md).
 * Nothing here depends on any other part of analyze/.
 */
#ifndef ATTRIB_VOCAB_KINDS_H
#define ATTRIB_VOCAB_KINDS_H

/* Indicator kinds; the names are part of attrib's command-line contract.
 * Append only: extract_flow.emitted keeps two bits per kind in 64. */
#define OBS_KIND_LIST(X)                                                       \
	X(IP_SRC, "ip.src")                                                     \
	X(IP_DST, "ip.dst")                                                     \
	X(DNS_QUERY, "dns.query")                                               \
	X(DNS_ANSWER, "dns.answer")                                             \
	X(TLS_SNI, "tls.sni")                                                   \
	X(TLS_ALPN, "tls.alpn")                                                 \
	X(TLS_JA3, "tls.ja3")                                                   \
	X(TLS_JA3S, "tls.ja3s")                                                 \
	X(TLS_JA4, "tls.ja4")                                                   \
	X(TLS_CERT_SHA1, "tls.cert.sha1")                                       \
	X(TLS_CERT_SUBJECT, "tls.cert.subject")                                 \
	X(TLS_CERT_ISSUER, "tls.cert.issuer")                                   \
	X(HTTP_HOST, "http.host")                                               \
	X(HTTP_USER_AGENT, "http.user_agent")                                   \
	X(HTTP_URL, "http.url")                                                 \
	X(SSH_BANNER, "ssh.banner")                                             \
	X(SSH_HASSH, "ssh.hassh")                                               \
	X(NDPI_PROTO, "ndpi.proto")                                             \
	X(NDPI_RISK, "ndpi.risk")                                               \
	X(BEACON, "beacon")                                                     \
	X(ACTIVITY_HOURS, "activity.hours")                                     \
	X(ANOMALY, "anomaly")                                                   \
	X(TLS_CERT_SAN, "tls.cert.san")                                         \
	X(TLS_CERT_SERIAL, "tls.cert.serial")                                   \
	X(TLS_CERT_NOT_BEFORE, "tls.cert.not_before")                           \
	X(TLS_CERT_NOT_AFTER, "tls.cert.not_after")                             \
	X(TLS_CERT_KEY, "tls.cert.key")                                         \
	X(TLS_CERT_SELF_SIGNED, "tls.cert.self_signed")                         \
	X(TLS_CERT_SUBJECT_DN, "tls.cert.subject_dn")                           \
	X(TLS_CERT_ISSUER_DN, "tls.cert.issuer_dn")

enum obs_kind {
#define OBS_KIND_ENUM(id, name) OBS_##id,
	OBS_KIND_LIST(OBS_KIND_ENUM)
#undef OBS_KIND_ENUM
	OBS_KIND_COUNT
};

_Static_assert(OBS_KIND_COUNT <= 32, "two emitted bits per kind in 64");

/* Contract name of a kind ("dns.query"), "" when out of range. */
const char *obs_kind_name(enum obs_kind k);
/* Kind of a contract name, or -1 (also for NULL). */
int obs_kind_parse(const char *name);

/*
 * Default forgeability f and specificity s of a kind, both in [0, 1]
 * (DESIGN.md "Indicators"; reasons in docs/indicators.md). Model files may
 * override them. Out-of-range kinds give f = 1, s = 0 (worthless).
 */
double obs_kind_forgeability(enum obs_kind k);
double obs_kind_specificity(enum obs_kind k);

/* Longest value an observation keeps, in bytes, with its NUL. */
enum { OBS_VALUE_MAX = 1024 };

#endif
