/*
 * flow_key.h — the canonical flow key of a decoded packet, its hash, and
 * the shard (flow worker) a packet belongs to.
 */
#ifndef ATTRIB_FLOW_KEY_H
#define ATTRIB_FLOW_KEY_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/flow/flow.h"
#include "capture/packet.h"

/*
 * Builds the canonical key of pkt (with an IP layer) into *key, every byte
 * written, and returns whether the packet's sender is key->addr_lo/port_lo.
 */
bool flow_key_from_packet(const struct packet *pkt, struct flow_key *key);

/* Mixes all key bytes; every input bit reaches every output bit. */
uint64_t flow_key_hash(const struct flow_key *key);

/*
 * Which of shards (≥ 1) workers handles pkt: a hash of the unordered
 * address pair, the tunnel id, the outer VLAN and the IP version, so both
 * directions of a flow, every flow between the same two hosts (whose
 * verdicts nDPI's host caches link) and every flow inside one tunnel
 * context land on the same worker. Packets without an IP layer go to
 * worker 0. Depends only on the packet, never on the thread count's
 * history: the same packet always lands on the same shard of n.
 */
unsigned flow_shard_of_packet(const struct packet *pkt, unsigned shards);

#endif
