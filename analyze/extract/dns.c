/*
 * dns.c — DNS family: dns.query and dns.answer from every DNS message of
 * a flow (queries and responses, every packet, not only what DPI saw).
 *
 * Which flows: UDP with port 53 (DNS), 5353 (mDNS) or 5355 (LLMNR) on
 * either side, TCP with port 53 (messages framed by a 2-byte length,
 * RFC 1035 4.2.2, reassembled per direction), other UDP flows whose first
 * datagram passes a strict DNS test (dns_looks_like(); NetBIOS ports
 * excluded: NBNS uses DNS's wire format for NetBIOS names), and any other UDP
 * or unowned TCP flow nDPI classifies as DNS, mDNS or LLMNR (from the
 * packet that completed detection on).
 *
 * Observations, each citing the packet that carried the message:
 *   dns.query  value: the question name as tshark prints dns.qry.name;
 *              one per question of every message (a response repeats its
 *              question, and is a separate observation);
 *              detail: "qtype=A msg=query id=0x1234" or, for responses,
 *              "qtype=A msg=response id=0x1234 rcode=NXDOMAIN".
 *   dns.answer value: the address (A, AAAA) or target name (CNAME) of
 *              each such record in the answer section;
 *              detail: "name=<owner> type=CNAME ttl=300 qname=<first
 *              question> qtype=A rcode=NOERROR".
 * Parser anomalies (malformed messages, pointer loops, over-long names)
 * become anomaly observations (layer=dns).
 */
#include "analyze/extract/extract_internal.h"

#include <stdlib.h>

#include "analyze/parse/dns.h"
#include "analyze/parse/text.h"

#define DNS_PORT 53
#define MDNS_PORT 5353
#define LLMNR_PORT 5355
#define NBNS_PORT 137   /* NetBIOS names: DNS wire format, not DNS names */
#define NBDGM_PORT 138
/* A length-prefixed message is at most 2 + 65535 bytes. */
#define DNS_TCP_STREAM_MAX (2u + 65535u)

struct dns_ctx {
	struct dns_message msg; /* large: one per stage */
};

struct dns_flow {
	struct stream dir[2];
};

static int dns_ctx_create(struct extract *x)
{
	x->ctx[FAM_DNS] = malloc(sizeof(struct dns_ctx));
	return x->ctx[FAM_DNS] ? 0 : -1;
}

static void dns_ctx_destroy(struct extract *x)
{
	free(x->ctx[FAM_DNS]);
	x->ctx[FAM_DNS] = NULL;
}

/* Appends the mnemonic of a record type ("AAAA"), or "TYPE<n>". */
static void put_type(struct textbuf *t, uint16_t type)
{
	static const struct {
		uint16_t type;
		const char *name;
	} names[] = {
		{1, "A"},      {2, "NS"},    {5, "CNAME"}, {6, "SOA"},
		{12, "PTR"},   {15, "MX"},   {16, "TXT"},  {28, "AAAA"},
		{33, "SRV"},   {35, "NAPTR"}, {41, "OPT"}, {43, "DS"},
		{46, "RRSIG"}, {48, "DNSKEY"}, {64, "SVCB"}, {65, "HTTPS"},
		{252, "AXFR"}, {255, "ANY"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].type == type) {
			textbuf_puts(t, names[i].name);
			return;
		}
	}
	textbuf_puts(t, "TYPE");
	textbuf_put_uint(t, type);
}

/* Appends the mnemonic of a response code ("NXDOMAIN"), or "RCODE<n>". */
static void put_rcode(struct textbuf *t, uint8_t rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
		"NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
		"NXRRSET", "NOTAUTH", "NOTZONE",
	};

	if (rcode < sizeof(names) / sizeof(names[0])) {
		textbuf_puts(t, names[rcode]);
		return;
	}
	textbuf_puts(t, "RCODE");
	textbuf_put_uint(t, rcode);
}

/* Emits the questions and address/alias answers of one parsed message.
 * (Details are built without printf: this runs for every message.) */
static void dns_emit_message(struct extract *x, struct extract_flow *s,
			     const struct dns_message *m,
			     const struct packet *pkt)
{
	struct textbuf t;

	for (uint32_t i = 0; i < m->n_questions; i++) {
		const struct dns_question *q = &m->questions[i];

		textbuf_init(&t, x->detail, sizeof(x->detail));
		textbuf_puts(&t, "qtype=");
		put_type(&t, q->type);
		textbuf_puts(&t, m->is_response ? " msg=response id=0x"
						: " msg=query id=0x");
		textbuf_put_hex16(&t, m->id);
		if (m->is_response) {
			textbuf_puts(&t, " rcode=");
			put_rcode(&t, m->rcode);
		}
		ex_emit(x, s, OBS_DNS_QUERY, 0, q->name, x->detail, pkt);
	}
	for (uint32_t i = 0; i < m->n_answers; i++) {
		const struct dns_answer *a = &m->answers[i];

		if (a->type != DNS_TYPE_A && a->type != DNS_TYPE_AAAA &&
		    a->type != DNS_TYPE_CNAME)
			continue;
		textbuf_init(&t, x->detail, sizeof(x->detail));
		textbuf_puts(&t, "name=");
		textbuf_puts(&t, a->name);
		textbuf_puts(&t, " type=");
		put_type(&t, a->type);
		textbuf_puts(&t, " ttl=");
		textbuf_put_uint(&t, a->ttl);
		if (m->n_questions) {
			textbuf_puts(&t, " qname=");
			textbuf_puts(&t, m->questions[0].name);
			textbuf_puts(&t, " qtype=");
			put_type(&t, m->questions[0].type);
		}
		textbuf_puts(&t, " rcode=");
		put_rcode(&t, m->rcode);
		ex_emit(x, s, OBS_DNS_ANSWER, 0, a->data, x->detail, pkt);
	}
	ex_anomalies(x, s, m->anomalies, "dns", pkt);
}

static void dns_parse_emit(struct extract *x, struct extract_flow *s,
			   const uint8_t *msg, size_t len,
			   const struct packet *pkt)
{
	struct dns_ctx *c = x->ctx[FAM_DNS];

	dns_parse(msg, len, &c->msg);
	dns_emit_message(x, s, &c->msg, pkt);
}

static bool is_dns_port(uint16_t port, bool udp)
{
	return port == DNS_PORT ||
	       (udp && (port == MDNS_PORT || port == LLMNR_PORT));
}

/* True when every character of a question name is a host-name one. */
static bool hostname_text(const char *name)
{
	for (; *name; name++) {
		char ch = *name;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		      ch == '.'))
			return false;
	}
	return true;
}

/*
 * Does the first datagram of a UDP flow on another port look like one
 * DNS message? The header is tested through a cursor first (standard
 * query opcode, Z bit clear, one question, small counts, no answers in a
 * query, a plausible first label); only candidates are parsed, and the
 * parse must be clean with one IN/CH/ANY question whose name is made of
 * host-name characters. Catches DNS on 443 and similar (DNSCrypt
 * certificate queries, vendors' resolvers) as tshark's heuristic does.
 */
static bool dns_looks_like(struct extract *x, const struct packet *pkt)
{
	struct dns_ctx *c = x->ctx[FAM_DNS];
	struct cursor p, h;
	uint16_t id, flags, qd, an, ns, ar;
	uint8_t label;
	const uint8_t *msg;
	size_t len;

	if (!ex_payload(pkt, &p))
		return false;
	h = p;
	if (!cursor_be16(&h, &id) || !cursor_be16(&h, &flags) ||
	    !cursor_be16(&h, &qd) || !cursor_be16(&h, &an) ||
	    !cursor_be16(&h, &ns) || !cursor_be16(&h, &ar) ||
	    !cursor_u8(&h, &label))
		return false;
	if (((flags >> 11) & 0x0f) != 0 || (flags & 0x0040) || qd != 1 ||
	    an > DNS_MAX_ANSWERS || ns > DNS_MAX_ANSWERS ||
	    ar > DNS_MAX_ANSWERS || label == 0 || label > 63)
		return false;
	if (!(flags & 0x8000) && (an || ns))
		return false;
	len = cursor_left(&p);
	if (!cursor_bytes(&p, len, &msg) ||
	    dns_parse(msg, len, &c->msg) != DNS_STATUS_OK ||
	    c->msg.anomalies || c->msg.n_questions != 1)
		return false;
	if (ns == 0 && ar == 0 && c->msg.parsed_len != len)
		return false;
	switch (c->msg.questions[0].qclass & 0x7fff) {
	case 1: case 3: case 255:
		break;
	default:
		return false;
	}
	return c->msg.questions[0].type != 0 &&
	       hostname_text(c->msg.questions[0].name);
}

static bool dns_flow_start(struct extract *x, struct extract_flow *s,
			   const struct flow *f, const struct packet *pkt)
{
	bool udp = f->l4_proto == IP_PROTO_UDP;

	if (!udp && f->l4_proto != IP_PROTO_TCP)
		return false;
	if (is_dns_port(f->server_port, udp) ||
	    is_dns_port(f->client_port, udp)) {
		if (!udp)
			s->tcp_claimed = 1;
		return true;
	}
	return udp && pkt->payload_len >= DNS_HEADER_LEN + 5 &&
	       f->server_port != NBNS_PORT && f->client_port != NBNS_PORT &&
	       f->server_port != NBDGM_PORT && f->client_port != NBDGM_PORT &&
	       dns_looks_like(x, pkt);
}

static void dns_dpi_done(struct extract *x, struct extract_flow *s,
			 const struct flow *f, const struct dpi_result *r,
			 const struct dpi_meta *meta)
{
	if (!meta || !meta->dns_valid)
		return;
	if (f->l4_proto == IP_PROTO_UDP) {
		s->active |= 1u << FAM_DNS;
	} else if (f->l4_proto == IP_PROTO_TCP && !s->tcp_claimed) {
		s->tcp_claimed = 1;
		s->active |= 1u << FAM_DNS;
	}
}

/* Splits and parses the complete length-prefixed messages buffered. */
static void dns_tcp_drain(struct extract *x, struct extract_flow *s,
			  struct stream *st, const struct packet *pkt)
{
	size_t off = 0;

	if (!st->buf)
		return;
	for (;;) {
		const uint8_t *msg;
		size_t msg_len, used;

		if (dns_tcp_next(st->buf + off, st->len - off, &msg, &msg_len,
				 &used) != DNS_STATUS_OK)
			break;
		dns_parse_emit(x, s, msg, msg_len, pkt);
		off += used;
	}
	stream_consume(st, off);
}

static void dns_tcp_packet(struct extract *x, struct extract_flow *s,
			   enum flow_dir dir, const struct packet *pkt)
{
	struct dns_flow *df = s->fam[FAM_DNS];
	struct stream *st;

	if (!df) {
		df = calloc(1, sizeof(*df));
		if (!df) {
			ex_family_done(x, s, FAM_DNS);
			return;
		}
		stream_init(&df->dir[0], DNS_TCP_STREAM_MAX);
		stream_init(&df->dir[1], DNS_TCP_STREAM_MAX);
		s->fam[FAM_DNS] = df;
	}
	st = &df->dir[dir];
	switch (stream_feed(x, st, pkt)) {
	case STREAM_DATA:
		dns_tcp_drain(x, s, st, pkt);
		break;
	case STREAM_GAP:
		x->stats.streams_gap++;
		stream_free(x, st);
		break;
	case STREAM_NOTHING:
	case STREAM_REFUSED:
		break;
	}
	if (df->dir[0].state == STREAM_STOPPED &&
	    df->dir[1].state == STREAM_STOPPED)
		ex_family_done(x, s, FAM_DNS);
}

static void dns_packet(struct extract *x, struct extract_flow *s,
		       const struct flow *f, enum flow_dir dir,
		       const struct packet *pkt)
{
	struct cursor payload;
	const uint8_t *p;
	size_t n;

	if (f->l4_proto == IP_PROTO_TCP) {
		dns_tcp_packet(x, s, dir, pkt);
		return;
	}
	if (!ex_payload(pkt, &payload))
		return;
	n = cursor_left(&payload);
	if (cursor_bytes(&payload, n, &p))
		dns_parse_emit(x, s, p, n, pkt);
}

static void dns_flow_free(struct extract *x, struct extract_flow *s)
{
	struct dns_flow *df = s->fam[FAM_DNS];

	if (!df)
		return;
	stream_free(x, &df->dir[0]);
	stream_free(x, &df->dir[1]);
	free(df);
	s->fam[FAM_DNS] = NULL;
}

const struct extractor extract_dns = {
	.name = "dns",
	.ctx_create = dns_ctx_create,
	.ctx_destroy = dns_ctx_destroy,
	.flow_start = dns_flow_start,
	.packet = dns_packet,
	.dpi_done = dns_dpi_done,
	.flow_free = dns_flow_free,
};
