/*
 * wire.c — frame building for the scenario generator (wire.h): headers,
 * checksums, and the TCP connection state machine of a clean session.
 */
#include "pcaps/gen/lib/wire.h"

#include <stdio.h>
#include <string.h>

#define ETH_HEADER_LEN 14
#define IPV4_HEADER_LEN 20
#define TCP_HEADER_LEN 20
#define TCP_SYN_OPTIONS_LEN 12
#define UDP_HEADER_LEN 8
#define ETHERTYPE_IPV4 0x0800
#define IPPROTO_TCP_NUMBER 6
#define IPPROTO_UDP_NUMBER 17
#define IPV4_DONT_FRAGMENT 0x4000
#define FRAME_MAX (ETH_HEADER_LEN + IPV4_HEADER_LEN + TCP_HEADER_LEN + \
		   TCP_SYN_OPTIONS_LEN + WIRE_MSS)

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10

#define CLIENT_WINDOW 502  /* scaled by 2^7: about 64 KB */
#define SERVER_WINDOW 501
#define SYN_WINDOW 64240

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put_mac(uint8_t *p, uint32_t ip)
{
	p[0] = 0x02;
	p[1] = 0x00;
	put32(p + 2, ip);
}

/* The ones' complement sum of len bytes, folded into sum (RFC 1071). */
static uint32_t sum_bytes(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len % 2)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t fold_checksum(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Writes Ethernet and IPv4 headers for an l4_len-byte payload; returns
 * the start of the layer-4 header. */
static uint8_t *put_eth_ipv4(uint8_t *frame, uint32_t src, uint32_t dst,
			     uint8_t proto, uint8_t ttl, uint16_t ip_id,
			     size_t l4_len)
{
	uint8_t *ip = frame + ETH_HEADER_LEN;

	put_mac(frame, dst);
	put_mac(frame + 6, src);
	put16(frame + 12, ETHERTYPE_IPV4);
	memset(ip, 0, IPV4_HEADER_LEN);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IPV4_HEADER_LEN + l4_len));
	put16(ip + 4, ip_id);
	put16(ip + 6, proto == IPPROTO_TCP_NUMBER ? IPV4_DONT_FRAGMENT : 0);
	ip[8] = ttl;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, fold_checksum(sum_bytes(0, ip, IPV4_HEADER_LEN)));
	return ip + IPV4_HEADER_LEN;
}

/* The TCP/UDP checksum over the IPv4 pseudo-header and l4_len bytes. */
static uint16_t l4_checksum(uint32_t src, uint32_t dst, uint8_t proto,
			    const uint8_t *l4, size_t l4_len)
{
	uint8_t pseudo[12];

	put32(pseudo, src);
	put32(pseudo + 4, dst);
	pseudo[8] = 0;
	pseudo[9] = proto;
	put16(pseudo + 10, (uint16_t)l4_len);
	return fold_checksum(sum_bytes(sum_bytes(0, pseudo, 12), l4, l4_len));
}

void wire_udp(struct pktlist *out, int64_t ts_us, uint32_t src_ip,
	      uint16_t src_port, uint32_t dst_ip, uint16_t dst_port,
	      uint8_t ttl, uint16_t ip_id, const uint8_t *payload, size_t len)
{
	uint8_t frame[FRAME_MAX];
	size_t l4_len = UDP_HEADER_LEN + len;
	uint8_t *udp;
	uint16_t sum;

	if (ETH_HEADER_LEN + IPV4_HEADER_LEN + l4_len > sizeof(frame))
		return;
	udp = put_eth_ipv4(frame, src_ip, dst_ip, IPPROTO_UDP_NUMBER, ttl,
			   ip_id, l4_len);
	put16(udp, src_port);
	put16(udp + 2, dst_port);
	put16(udp + 4, (uint16_t)l4_len);
	put16(udp + 6, 0);
	if (len > 0)
		memcpy(udp + UDP_HEADER_LEN, payload, len);
	sum = l4_checksum(src_ip, dst_ip, IPPROTO_UDP_NUMBER, udp, l4_len);
	put16(udp + 6, sum ? sum : 0xffff); /* 0 means "no checksum" */
	pktlist_add(out, ts_us, frame, ETH_HEADER_LEN + IPV4_HEADER_LEN + l4_len);
}

/* One TCP segment of the connection, in the given direction. */
static void tcp_segment(struct tcp_conn *c, bool from_client, uint8_t flags,
			const uint8_t *data, size_t len)
{
	static const uint8_t syn_options[TCP_SYN_OPTIONS_LEN] = {
		2, 4, WIRE_MSS >> 8, WIRE_MSS & 0xff, /* MSS */
		1, 1, 4, 2,                           /* NOP NOP SACK-permitted */
		1, 3, 3, 7,                           /* NOP window scale 7 */
	};
	uint8_t frame[FRAME_MAX];
	size_t options_len = (flags & TCP_SYN) ? TCP_SYN_OPTIONS_LEN : 0;
	size_t l4_len = TCP_HEADER_LEN + options_len + len;
	uint32_t src = from_client ? c->client_ip : c->server_ip;
	uint32_t dst = from_client ? c->server_ip : c->client_ip;
	uint32_t *seq = from_client ? &c->client_seq : &c->server_seq;
	uint32_t ack = from_client ? c->server_seq : c->client_seq;
	uint16_t window = from_client ? CLIENT_WINDOW : SERVER_WINDOW;
	uint16_t *ip_id = from_client ? &c->client_ip_id : &c->server_ip_id;
	uint8_t *tcp;

	tcp = put_eth_ipv4(frame, src, dst, IPPROTO_TCP_NUMBER,
			   from_client ? WIRE_CLIENT_TTL : WIRE_SERVER_TTL,
			   (*ip_id)++, l4_len);
	put16(tcp, from_client ? c->client_port : c->server_port);
	put16(tcp + 2, from_client ? c->server_port : c->client_port);
	put32(tcp + 4, *seq);
	put32(tcp + 8, (flags & TCP_ACK) ? ack : 0);
	tcp[12] = (uint8_t)(((TCP_HEADER_LEN + options_len) / 4) << 4);
	tcp[13] = flags;
	put16(tcp + 14, (flags & TCP_SYN) ? SYN_WINDOW : window);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	memcpy(tcp + TCP_HEADER_LEN, syn_options, options_len);
	if (len > 0)
		memcpy(tcp + TCP_HEADER_LEN + options_len, data, len);
	put16(tcp + 16, l4_checksum(src, dst, IPPROTO_TCP_NUMBER, tcp, l4_len));
	pktlist_add(c->out, c->now_us, frame,
		    ETH_HEADER_LEN + IPV4_HEADER_LEN + l4_len);
	*seq += (uint32_t)len + ((flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
}

void port_table_init(struct port_table *t, uint64_t seed)
{
	memset(t, 0, sizeof(*t));
	t->seed = seed;
}

uint16_t port_table_next(struct port_table *t, uint32_t ip)
{
	struct rng start = rng_stream(t->seed, ip);
	size_t slot = ip % WIRE_PORT_TABLE_SIZE;
	uint16_t port;

	/* linear probing; a full table lets clients share the last slot */
	for (size_t probe = 0; probe < WIRE_PORT_TABLE_SIZE; probe++) {
		size_t at = (slot + probe) % WIRE_PORT_TABLE_SIZE;
		if (!t->used[at] || t->ip[at] == ip) {
			slot = at;
			break;
		}
	}
	if (!t->used[slot] || t->ip[slot] != ip) {
		t->used[slot] = 1;
		t->ip[slot] = ip;
		t->next[slot] = (uint16_t)rng_range(&start, WIRE_EPHEMERAL_LO,
						    WIRE_EPHEMERAL_HI);
	}
	port = t->next[slot];
	t->next[slot] = port == WIRE_EPHEMERAL_HI ? WIRE_EPHEMERAL_LO
						  : (uint16_t)(port + 1);
	return port;
}

void tcp_conn_init(struct tcp_conn *c, struct pktlist *out, struct rng *r,
		   uint32_t client_ip, uint16_t client_port,
		   uint32_t server_ip, uint16_t server_port, int64_t start_us,
		   int64_t rtt_us)
{
	memset(c, 0, sizeof(*c));
	c->out = out;
	c->client_ip = client_ip;
	c->server_ip = server_ip;
	c->client_port = client_port;
	c->server_port = server_port;
	c->client_seq = (uint32_t)rng_u64(r);
	c->server_seq = (uint32_t)rng_u64(r);
	c->client_ip_id = (uint16_t)rng_u64(r);
	c->server_ip_id = (uint16_t)rng_u64(r);
	c->now_us = start_us;
	c->rtt_us = rtt_us;
}

void tcp_handshake(struct tcp_conn *c)
{
	tcp_segment(c, true, TCP_SYN, NULL, 0);
	c->now_us += c->rtt_us;
	tcp_segment(c, false, TCP_SYN | TCP_ACK, NULL, 0);
	c->now_us += 80;
	tcp_segment(c, true, TCP_ACK, NULL, 0);
}

static void advance_to(struct tcp_conn *c, int64_t t_us)
{
	if (t_us > c->now_us)
		c->now_us = t_us;
}

void tcp_send_at(struct tcp_conn *c, bool from_client, const uint8_t *data,
		 size_t len, int64_t t_us)
{
	advance_to(c, t_us);
	while (len > 0) {
		size_t chunk = len > WIRE_MSS ? WIRE_MSS : len;
		uint8_t flags = TCP_ACK | (chunk == len ? TCP_PSH : 0);
		tcp_segment(c, from_client, flags, data, chunk);
		data += chunk;
		len -= chunk;
		if (len > 0)
			c->now_us += 15;
	}
}

void tcp_fin_at(struct tcp_conn *c, bool from_client, int64_t t_us)
{
	advance_to(c, t_us);
	tcp_segment(c, from_client, TCP_FIN | TCP_ACK, NULL, 0);
}

void tcp_ack_at(struct tcp_conn *c, bool from_client, int64_t t_us)
{
	advance_to(c, t_us);
	tcp_segment(c, from_client, TCP_ACK, NULL, 0);
}

int wire_parse_ipv4(const char *text, uint32_t *ip)
{
	unsigned a, b, cc, d;
	char tail;

	if (sscanf(text, "%3u.%3u.%3u.%3u%c", &a, &b, &cc, &d, &tail) != 4)
		return -1;
	if (a > 255 || b > 255 || cc > 255 || d > 255)
		return -1;
	*ip = a << 24 | b << 16 | cc << 8 | d;
	return 0;
}

char *wire_format_ipv4(uint32_t ip, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
		 (ip >> 8) & 0xff, ip & 0xff);
	return buf;
}
