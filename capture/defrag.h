/*
 * defrag.h — IPv4 and IPv6 reassembly of decoded packets.
 *
 * Called where packets are decoded, before anything hashes them to a flow:
 *
 *     decode_packet(&pkt);
 *     const struct packet *p = defrag_packet(d, &pkt);
 *     ... hand p on (a held fragment has PKT_DEFRAG_HELD set) ...
 *     at the end of a source: defrag_end(d) incomplete datagrams dropped
 *
 * A fragment (of the innermost IP layer) is held and comes back with
 * PKT_DEFRAG_HELD: no flow should hold it. The fragment that completes a
 * datagram comes back as a new packet: the datagram as raw IP, decoded,
 * with PKT_REASSEMBLED, the completing frame's number, time, file offset
 * and bytes as stored (record, record_caplen: what a citation hashes,
 * docs/evidence.md) and every fragment's frame number.
 *
 * Overlaps: the first-arrived bytes are kept; a later fragment whose bytes
 * differ where it overlaps is fragment_overlap_conflict (evidence of
 * evasion: different stacks keep different bytes). Bounds (struct
 * defrag_config): fragments per datagram (fragments_too_many), datagram
 * length (fragment_too_long), datagrams in flight and bytes held (the
 * oldest datagram is dropped: fragments_evicted), time since a datagram's
 * first fragment (fragments_incomplete). Each anomaly is added to the
 * packet being offered when it is found.
 */
#ifndef ATTRIB_DEFRAG_H
#define ATTRIB_DEFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

struct defrag_config {
	unsigned max_fragments;   /* per datagram */
	unsigned max_datagrams;   /* in flight */
	size_t max_bytes_held;    /* over all datagrams in flight */
	uint64_t timeout_us;      /* from a datagram's first fragment */
};

/* Defaults: 64 fragments, 1024 datagrams, 8 MiB held, 30 s (Linux's
 * ipfrag_time). */
void defrag_config_default(struct defrag_config *cfg);

struct defrag;

/* Creates a reassembler (caller owns it; defrag_destroy()). NULL when out
 * of memory. cfg NULL means the defaults. */
struct defrag *defrag_create(const struct defrag_config *cfg);

void defrag_destroy(struct defrag *d);

/*
 * Offers a decoded packet. Returns pkt itself when it is no fragment, a
 * fragment that cannot be reassembled (cut by the snap length, malformed)
 * or a fragment now held (PKT_DEFRAG_HELD set on pkt); or the reassembled
 * datagram, owned by d and valid until the next call. Anomalies found on
 * the way are added to pkt (and to the datagram returned).
 */
const struct packet *defrag_packet(struct defrag *d, struct packet *pkt);

/* Drops every datagram in flight (the end of a source); returns how many
 * were incomplete (the caller records fragments_incomplete for each). */
unsigned defrag_end(struct defrag *d);

/* Datagrams in flight and bytes held, for tests. */
unsigned defrag_in_flight(const struct defrag *d);
size_t defrag_bytes_held(const struct defrag *d);

#endif
