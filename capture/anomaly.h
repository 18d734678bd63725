/*
 * anomaly.h — named decode anomalies.
 *
 * Malformed input is evidence, not an error: each way a packet or file can
 * be malformed has a name here, decoders set it on the packet and carry on,
 * and later stages count and store it (indicator kind `anomaly`).
 * The names are part of the evidence vocabulary: append, never renumber.
 */
#ifndef ATTRIB_ANOMALY_H
#define ATTRIB_ANOMALY_H

#include <stdint.h>

#define ANOMALY_LIST(X)                                                        \
	X(CAPLEN_OVER_WIRELEN, "caplen_over_wirelen")                           \
	X(SNAPLEN_CUT, "snaplen_cut")                                           \
	X(TIME_BACKWARDS, "time_backwards")                                     \
	X(LINK_TRUNCATED, "link_truncated")                                     \
	X(LINK_UNSUPPORTED, "link_unsupported")                                 \
	X(ETHERTYPE_UNSUPPORTED, "ethertype_unsupported")                       \
	X(VLAN_TOO_DEEP, "vlan_too_deep")                                       \
	X(IPV4_TRUNCATED, "ipv4_truncated")                                     \
	X(IPV4_BAD_VERSION, "ipv4_bad_version")                                 \
	X(IPV4_BAD_IHL, "ipv4_bad_ihl")                                         \
	X(IPV4_BAD_TOTAL_LENGTH, "ipv4_bad_total_length")                       \
	X(IPV4_OPTIONS, "ipv4_options")                                         \
	X(IPV4_FRAGMENT, "ipv4_fragment")                                       \
	X(IPV4_BAD_CHECKSUM, "ipv4_bad_checksum")                               \
	X(IPV6_TRUNCATED, "ipv6_truncated")                                     \
	X(IPV6_BAD_VERSION, "ipv6_bad_version")                                 \
	X(IPV6_BAD_PAYLOAD_LENGTH, "ipv6_bad_payload_length")                   \
	X(IPV6_EXT_TRUNCATED, "ipv6_ext_truncated")                             \
	X(IPV6_EXT_CHAIN_TOO_LONG, "ipv6_ext_chain_too_long")                   \
	X(IPV6_FRAGMENT, "ipv6_fragment")                                       \
	X(TCP_TRUNCATED, "tcp_truncated")                                       \
	X(TCP_BAD_OFFSET, "tcp_bad_offset")                                     \
	X(TCP_BAD_FLAGS, "tcp_bad_flags")                                       \
	X(UDP_TRUNCATED, "udp_truncated")                                       \
	X(UDP_BAD_LENGTH, "udp_bad_length")                                     \
	X(ICMP_TRUNCATED, "icmp_truncated")                                     \
	X(L4_UNSUPPORTED, "l4_unsupported")                                     \
	X(TUNNEL_TOO_DEEP, "tunnel_too_deep")                                   \
	X(GRE_TRUNCATED, "gre_truncated")                                       \
	X(GRE_UNSUPPORTED, "gre_unsupported")                                   \
	X(GTP_TRUNCATED, "gtp_truncated")                                       \
	X(GTP_UNSUPPORTED, "gtp_unsupported")                                   \
	X(PORT_ZERO, "port_zero")                                               \
	X(LAND_ATTACK, "land_attack")                                           \
	X(FILE_TRUNCATED, "file_truncated")                                     \
	X(FILE_CORRUPT, "file_corrupt")                                         \
	X(FLOW_TABLE_FULL, "flow_table_full")                                   \
	X(DNS_MALFORMED, "dns_malformed")                                       \
	X(DNS_POINTER_LOOP, "dns_pointer_loop")                                 \
	X(TLS_MALFORMED, "tls_malformed")                                       \
	X(HTTP_MALFORMED, "http_malformed")                                     \
	X(SSH_MALFORMED, "ssh_malformed")                                       \
	X(FIELD_TOO_LONG, "field_too_long")                                     \
	X(MPLS_TOO_DEEP, "mpls_too_deep")                                       \
	X(QUIC_MALFORMED, "quic_malformed")                                     \
	X(QUIC_UNDECRYPTABLE, "quic_undecryptable")                             \
	X(CAPWAP_TRUNCATED, "capwap_truncated")                                 \
	X(OPENVPN_MALFORMED, "openvpn_malformed")                               \
	X(RDPUDP_MALFORMED, "rdpudp_malformed")                                 \
	X(RECORD_OVER_SNAPLEN, "record_over_snaplen")                           \
	X(LINK_NON_IP, "link_non_ip")                                           \
	X(PPP_PROTOCOL_UNSUPPORTED, "ppp_protocol_unsupported")                 \
	X(MPLS_PAYLOAD_UNSUPPORTED, "mpls_payload_unsupported")                 \
	X(FRAGMENT_OVERLAP_CONFLICT, "fragment_overlap_conflict")               \
	X(FRAGMENTS_TOO_MANY, "fragments_too_many")                             \
	X(FRAGMENTS_INCOMPLETE, "fragments_incomplete")                         \
	X(FRAGMENTS_EVICTED, "fragments_evicted")                               \
	X(FRAGMENT_TOO_LONG, "fragment_too_long")                               \
	X(X509_MALFORMED, "x509_malformed")

enum anomaly {
#define ANOMALY_ENUM(id, name) ANOM_##id,
	ANOMALY_LIST(ANOMALY_ENUM)
#undef ANOMALY_ENUM
	ANOM_COUNT
};

/* A set of anomalies on one packet: bit (1 << id). */
typedef uint64_t anomaly_set;

_Static_assert(ANOM_COUNT <= 64, "anomaly_set holds 64 anomalies");

static inline void anomaly_add(anomaly_set *set, enum anomaly a)
{
	*set |= (anomaly_set)1 << a;
}

static inline int anomaly_has(anomaly_set set, enum anomaly a)
{
	return (int)((set >> a) & 1u);
}

/* Stable lower-case name of a, or "unknown" when out of range. */
const char *anomaly_name(enum anomaly a);

#endif
