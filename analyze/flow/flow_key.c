/*
 * flow_key.c — canonical flow keys, their hash, and the worker shard of a
 * packet (see flow_key.h).
 */
#include "analyze/flow/flow_key.h"

#include <string.h>

enum {
	IP_PROTO_ICMP = 1,
	IP_PROTO_ICMPV6 = 58,
};

bool flow_key_from_packet(const struct packet *pkt, struct flow_key *key)
{
	size_t addr_len = pkt->ip_version == 4 ? 4 : 16;
	uint16_t sport = pkt->sport, dport = pkt->dport;
	/* ICMP: request and reply differ in type, so neither port nor type
	 * goes into the key; one flow per host pair. */
	if (pkt->l4_proto == IP_PROTO_ICMP || pkt->l4_proto == IP_PROTO_ICMPV6)
		sport = dport = 0;

	int order = memcmp(pkt->src, pkt->dst, addr_len);
	bool src_is_lo = order < 0 || (order == 0 && sport <= dport);
	const uint8_t *lo = src_is_lo ? pkt->src : pkt->dst;
	const uint8_t *hi = src_is_lo ? pkt->dst : pkt->src;

	memset(key, 0, sizeof *key);
	memcpy(key->addr_lo, lo, addr_len);
	memcpy(key->addr_hi, hi, addr_len);
	key->port_lo = src_is_lo ? sport : dport;
	key->port_hi = src_is_lo ? dport : sport;
	key->tunnel_id = pkt->tunnel_id;
	key->vlan = pkt->vlan_count > 0 ? pkt->vlan[0] : 0;
	key->ip_version = pkt->ip_version;
	key->l4_proto = pkt->l4_proto;
	return src_is_lo;
}

static uint64_t rotate_left64(uint64_t x, unsigned n)
{
	return (x << n) | (x >> (64 - n));
}

static uint64_t load_u64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

uint64_t flow_key_hash(const struct flow_key *key)
{
	const uint64_t mul_a = 0x9e3779b97f4a7c15ull;
	const uint64_t mul_b = 0xc2b2ae3d27d4eb4full;
	const uint8_t *b = (const uint8_t *)key;
	uint64_t h = 0x243f6a8885a308d3ull;
	for (size_t i = 0; i + 8 <= sizeof *key; i += 8)
		h = rotate_left64(h ^ (load_u64(b + i) * mul_a), 29) * mul_b;
	uint32_t tail;
	memcpy(&tail, b + sizeof *key - sizeof tail, sizeof tail);
	h = rotate_left64(h ^ (tail * mul_a), 29) * mul_b;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

unsigned flow_shard_of_packet(const struct packet *pkt, unsigned shards)
{
	if (shards <= 1 || pkt->ip_version == 0)
		return 0;
	/* the key with the ports and transport left out: the host pair */
	struct flow_key key;
	flow_key_from_packet(pkt, &key);
	int order = memcmp(pkt->src, pkt->dst, sizeof pkt->src);
	memcpy(key.addr_lo, order <= 0 ? pkt->src : pkt->dst, 16);
	memcpy(key.addr_hi, order <= 0 ? pkt->dst : pkt->src, 16);
	if (pkt->ip_version == 4) {
		memset(key.addr_lo + 4, 0, 12);
		memset(key.addr_hi + 4, 0, 12);
	}
	key.port_lo = key.port_hi = 0;
	key.l4_proto = 0;
	return (unsigned)(flow_key_hash(&key) % shards);
}
