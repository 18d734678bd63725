/*
 * net.c — network family: ip.src and ip.dst.
 *
 * At the flow's first packet: the client address (the sender of that
 * packet) as ip.src and the server address as ip.dst, both citing it.
 * ex_emit() keeps only the first occurrence of each address per source
 * (the flows table holds every flow's endpoints).
 * Detail: transport, the endpoint's port, and for ip.src the TTL (IPv4)
 * or hop limit (IPv6) the packet arrived with, a hint of hop distance.
 */
#include "analyze/extract/extract_internal.h"

#include "analyze/parse/text.h"

static const char *transport_name(uint8_t proto)
{
	switch (proto) {
	case 1: return "icmp";
	case IP_PROTO_TCP: return "tcp";
	case IP_PROTO_UDP: return "udp";
	case 58: return "icmpv6";
	case 132: return "sctp";
	default: return NULL;
	}
}

/* "proto=tcp port=443" (+ " ttl=64" when ttl >= 0, + " vlan=N"); runs
 * for every flow, so no printf. */
static void endpoint_detail(struct textbuf *t, const struct flow *f,
			    uint16_t port, int ttl)
{
	const char *proto = transport_name(f->l4_proto);

	textbuf_puts(t, "proto=");
	if (proto)
		textbuf_puts(t, proto);
	else
		textbuf_put_uint(t, f->l4_proto);
	textbuf_puts(t, " port=");
	textbuf_put_uint(t, port);
	if (ttl >= 0) {
		textbuf_puts(t, " ttl=");
		textbuf_put_uint(t, (unsigned long)ttl);
	}
	if (f->vlan) {
		textbuf_puts(t, " vlan=");
		textbuf_put_uint(t, f->vlan);
	}
}

static bool net_flow_start(struct extract *x, struct extract_flow *s,
			   const struct flow *f, const struct packet *pkt)
{
	char addr[64], detail[128];
	struct textbuf t;

	ex_addr_text(f->client, f->ip_version, addr, sizeof(addr));
	textbuf_init(&t, detail, sizeof(detail));
	endpoint_detail(&t, f, f->client_port, pkt->ttl);
	ex_emit(x, s, OBS_IP_SRC, 0, addr, detail, pkt);
	ex_addr_text(f->server, f->ip_version, addr, sizeof(addr));
	textbuf_init(&t, detail, sizeof(detail));
	endpoint_detail(&t, f, f->server_port, -1);
	ex_emit(x, s, OBS_IP_DST, 0, addr, detail, pkt);
	return false;
}

const struct extractor extract_net = {
	.name = "net",
	.flow_start = net_flow_start,
};
