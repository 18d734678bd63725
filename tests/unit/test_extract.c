/*
 * test_extract.c — cmocka tests of the extraction stage (analyze/extract/):
 * kinds, net, DNS (UDP and TCP, several messages per flow, hostile names),
 * nDPI verdicts and fallbacks, the anomaly cap, the stream memory budget.
 * HTTP and SSH are in test_extract_http.c, TLS in test_extract_tls.c,
 * beacon and activity.hours in test_extract_behaviour.c.
 */
#include "test_extract_helpers.h"

/* --- DNS message builder -------------------------------------------- */

static size_t put_name(uint8_t *p, const char *name)
{
	size_t o = 0;

	while (*name) {
		size_t n = strcspn(name, ".");

		p[o++] = (uint8_t)n;
		memcpy(p + o, name, n);
		o += n;
		name += n;
		if (*name == '.')
			name++;
	}
	p[o++] = 0;
	return o;
}

static size_t put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

struct test_rr {
	const char *owner; /* NULL: pointer to the question name */
	uint16_t type;
	const char *data;  /* dotted quad for A, a name for CNAME */
};

static size_t dns_build(uint8_t *buf, uint16_t id, uint16_t flags,
			const char *qname, uint16_t qtype,
			const struct test_rr *rr, int nrr)
{
	size_t o = 0;

	o += put16(buf + o, id);
	o += put16(buf + o, flags);
	o += put16(buf + o, 1);
	o += put16(buf + o, (uint16_t)nrr);
	o += put16(buf + o, 0);
	o += put16(buf + o, 0);
	o += put_name(buf + o, qname);
	o += put16(buf + o, qtype);
	o += put16(buf + o, 1);
	for (int i = 0; i < nrr; i++) {
		size_t rdlen_at;

		if (rr[i].owner)
			o += put_name(buf + o, rr[i].owner);
		else
			o += put16(buf + o, 0xc00c);
		o += put16(buf + o, rr[i].type);
		o += put16(buf + o, 1);
		o += put16(buf + o, 0);
		o += put16(buf + o, 300);
		rdlen_at = o;
		o += 2;
		if (rr[i].type == 1) {
			unsigned a, b, c, d;

			sscanf(rr[i].data, "%u.%u.%u.%u", &a, &b, &c, &d);
			buf[o++] = (uint8_t)a, buf[o++] = (uint8_t)b;
			buf[o++] = (uint8_t)c, buf[o++] = (uint8_t)d;
		} else {
			o += put_name(buf + o, rr[i].data);
		}
		put16(buf + rdlen_at, (uint16_t)(o - rdlen_at - 2));
	}
	return o;
}

static void test_kinds(void **state)
{
	for (int k = 0; k < OBS_KIND_COUNT; k++) {
		const char *name = obs_kind_name((enum obs_kind)k);

		assert_true(strlen(name) > 0);
		assert_int_equal(obs_kind_parse(name), k);
		assert_true(obs_kind_forgeability((enum obs_kind)k) >= 0.0);
		assert_true(obs_kind_forgeability((enum obs_kind)k) <= 1.0);
		assert_true(obs_kind_specificity((enum obs_kind)k) >= 0.0);
		assert_true(obs_kind_specificity((enum obs_kind)k) <= 1.0);
	}
	assert_string_equal(obs_kind_name(OBS_TLS_CERT_SHA1), "tls.cert.sha1");
	assert_string_equal(obs_kind_name(OBS_KIND_COUNT), "");
	assert_int_equal(obs_kind_parse("tls.ja5"), -1);
	assert_int_equal(obs_kind_parse(NULL), -1);
	/* DESIGN.md: user agents and working hours are cheap to forge. */
	assert_true(obs_kind_forgeability(OBS_HTTP_USER_AGENT) >= 0.5);
	assert_true(obs_kind_forgeability(OBS_ACTIVITY_HOURS) >= 0.5);
	assert_true(obs_kind_forgeability(OBS_TLS_CERT_SHA1) < 0.5);
}

static void test_dns_udp_messages(void **state)
{
	struct fx fx;
	struct conn c;
	uint8_t msg[512];
	size_t n;
	const struct test_rr answers[] = {
		{NULL, 5, "web.example.net"},
		{"web.example.net", 1, "192.0.2.7"},
	};
	const struct rec *r;

	fx_init(&fx, NULL);
	conn_init(&c, 7, T_UDP, "10.0.0.5", 40000, "192.0.2.53", 53, 1000);
	n = dns_build(msg, 1, 0x0100, "www.example.com", 1, NULL, 0);
	conn_send(&fx, &c, FLOW_DIR_C2S, msg, n);
	n = dns_build(msg, 1, 0x8180, "www.example.com", 1, answers, 2);
	conn_send(&fx, &c, FLOW_DIR_S2C, msg, n);
	n = dns_build(msg, 2, 0x0100, "mail.example.org", 28, NULL, 0);
	conn_send(&fx, &c, FLOW_DIR_C2S, msg, n);
	n = dns_build(msg, 2, 0x8183, "mail.example.org", 28, NULL, 0);
	conn_send(&fx, &c, FLOW_DIR_S2C, msg, n);
	conn_end(&fx, &c, NULL, NULL);

	assert_int_equal(log_count(&fx.log, OBS_DNS_QUERY), 4);
	assert_int_equal(log_count_value(&fx.log, OBS_DNS_QUERY,
					 "www.example.com"), 2);
	r = log_find(&fx.log, OBS_DNS_QUERY, "mail.example.org");
	assert_true(detail_has(r, "qtype=AAAA"));
	assert_true(detail_has(r, "msg=query"));
	r = log_nth(&fx.log, OBS_DNS_QUERY, 3);
	assert_true(detail_has(r, "rcode=NXDOMAIN"));
	assert_int_equal(r->frame, 4);
	assert_int_equal(log_count(&fx.log, OBS_DNS_ANSWER), 2);
	r = log_find(&fx.log, OBS_DNS_ANSWER, "web.example.net");
	assert_true(detail_has(r, "type=CNAME"));
	assert_true(detail_has(r, "qname=www.example.com"));
	assert_true(detail_has(r, "rcode=NOERROR"));
	assert_int_equal(r->frame, 2);
	assert_int_equal(r->flow_id, 7);
	assert_true(r->had_pkt);
	r = log_find(&fx.log, OBS_DNS_ANSWER, "192.0.2.7");
	assert_true(detail_has(r, "name=web.example.net type=A"));
	/* net: one ip.src / ip.dst for the flow, citing its first packet. */
	assert_int_equal(log_count(&fx.log, OBS_IP_SRC), 1);
	r = log_find(&fx.log, OBS_IP_DST, "192.0.2.53");
	assert_non_null(r);
	assert_int_equal(r->frame, 1);
	assert_true(detail_has(r, "proto=udp port=53"));
	assert_true(detail_has(log_nth(&fx.log, OBS_IP_SRC, 0), "ttl=64"));
	fx_free(&fx);
}

static void test_dns_tcp_framing(void **state)
{
	struct fx fx;
	struct conn c;
	uint8_t msg[512], seg[1024];
	size_t n, o = 0;

	fx_init(&fx, NULL);
	conn_init(&c, 8, T_TCP, "10.0.0.5", 40001, "192.0.2.53", 53, 1000);
	conn_handshake(&fx, &c);
	/* Two framed queries in one segment. */
	n = dns_build(msg, 3, 0x0100, "a.example", 1, NULL, 0);
	o += put16(seg + o, (uint16_t)n);
	memcpy(seg + o, msg, n), o += n;
	n = dns_build(msg, 4, 0x0100, "b.example", 1, NULL, 0);
	o += put16(seg + o, (uint16_t)n);
	memcpy(seg + o, msg, n), o += n;
	conn_send(&fx, &c, FLOW_DIR_C2S, seg, o);
	/* A third one split across two segments, inside the length field. */
	n = dns_build(msg, 5, 0x0100, "c.example", 1, NULL, 0);
	o = put16(seg, (uint16_t)n);
	memcpy(seg + o, msg, n), o += n;
	conn_send(&fx, &c, FLOW_DIR_C2S, seg, 1);
	assert_int_equal(log_count(&fx.log, OBS_DNS_QUERY), 2);
	conn_send(&fx, &c, FLOW_DIR_C2S, seg + 1, o - 1);
	assert_int_equal(log_count(&fx.log, OBS_DNS_QUERY), 3);
	assert_non_null(log_find(&fx.log, OBS_DNS_QUERY, "c.example"));
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	fx_free(&fx);
}

static void test_dns_hostile(void **state)
{
	struct fx fx;
	struct conn c;
	uint8_t msg[1024];
	size_t o = 0;

	fx_init(&fx, NULL);
	conn_init(&c, 9, T_UDP, "10.0.0.5", 40002, "192.0.2.53", 53, 1000);
	/* A question whose name is a pointer to itself. */
	o += put16(msg + o, 6);
	o += put16(msg + o, 0x0100);
	o += put16(msg + o, 1);
	o += put16(msg + o, 0);
	o += put16(msg + o, 0);
	o += put16(msg + o, 0);
	o += put16(msg + o, 0xc00c);
	o += put16(msg + o, 1);
	o += put16(msg + o, 1);
	conn_send(&fx, &c, FLOW_DIR_C2S, msg, o);
	assert_non_null(log_find(&fx.log, OBS_ANOMALY, "dns_pointer_loop"));
	assert_true(detail_has(log_find(&fx.log, OBS_ANOMALY,
					"dns_pointer_loop"), "layer=dns"));
	/* A name of five 63-byte labels: over 255 bytes. */
	o = 12;
	memset(msg, 0, 12);
	msg[5] = 1;
	for (int i = 0; i < 5; i++) {
		msg[o++] = 63;
		memset(msg + o, 'a', 63);
		o += 63;
	}
	msg[o++] = 0;
	o += put16(msg + o, 1);
	o += put16(msg + o, 1);
	conn_send(&fx, &c, FLOW_DIR_C2S, msg, o);
	assert_non_null(log_find(&fx.log, OBS_ANOMALY, "field_too_long"));
	/* Truncated header, and garbage. */
	conn_send(&fx, &c, FLOW_DIR_C2S, "\x01\x02\x03", 3);
	assert_non_null(log_find(&fx.log, OBS_ANOMALY, "dns_malformed"));
	conn_end(&fx, &c, NULL, NULL);
	fx_free(&fx);
}

/* DNS on an unusual port, recognised by nDPI on the first packet. */
static void test_dns_by_ndpi(void **state)
{
	struct fx fx;
	struct conn c;
	uint8_t msg[512];
	size_t n;
	struct dpi_result r;
	struct dpi_meta m;

	fx_init(&fx, NULL);
	conn_init(&c, 10, T_UDP, "10.0.0.5", 40003, "192.0.2.53", 5300, 1000);
	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	snprintf(r.proto, sizeof(r.proto), "DNS");
	snprintf(r.category, sizeof(r.category), "Network");
	m.dns_valid = true;
	snprintf(m.host, sizeof(m.host), "odd.example");
	/* The pipeline calls extract_dpi_done before extract_packet. */
	extract_dpi_done(fx.x, &c.st, &c.f, &r, &m);
	/* A name the DNS heuristic would refuse: only nDPI's word counts. */
	n = dns_build(msg, 1, 0x0100, "odd.example", 1, NULL, 0);
	msg[2] |= 0x78; /* opcode 15 */
	conn_send(&fx, &c, FLOW_DIR_C2S, msg, n);
	conn_send(&fx, &c, FLOW_DIR_C2S, msg, n);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count_value(&fx.log, OBS_DNS_QUERY, "odd.example"),
			 2);
	/* Our parse had it, so no nDPI copy. */
	assert_false(detail_has(log_nth(&fx.log, OBS_DNS_QUERY, 1),
				"impl=ndpi"));
	assert_non_null(log_find(&fx.log, OBS_NDPI_PROTO, "DNS"));
	assert_int_equal(log_count(&fx.log, OBS_IP_SRC), 1);
	assert_int_equal(log_nth(&fx.log, OBS_NDPI_PROTO, 0)->frame, 1);
	fx_free(&fx);
}

/* DNS on another UDP port is recognised from its first datagram. */
static void test_dns_heuristic(void **state)
{
	struct fx fx;
	struct conn c;
	uint8_t msg[512];
	size_t n;

	fx_init(&fx, NULL);
	conn_init(&c, 14, T_UDP, "10.0.0.5", 40005, "198.51.100.53", 443, 1000);
	n = dns_build(msg, 9, 0x0100, "2.dnscrypt-cert.example.net", 16, NULL,
		      0);
	conn_send(&fx, &c, FLOW_DIR_C2S, msg, n);
	n = dns_build(msg, 9, 0x8180, "2.dnscrypt-cert.example.net", 16, NULL,
		      0);
	conn_send(&fx, &c, FLOW_DIR_S2C, msg, n);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count_value(&fx.log, OBS_DNS_QUERY,
					 "2.dnscrypt-cert.example.net"), 2);
	/* Not DNS: a datagram whose header does not fit (a QUIC Initial cut
	 * short, which the QUIC family reports), and one that nearly does
	 * but has an odd name. */
	log_clear(&fx.log);
	conn_init(&c, 15, T_UDP, "10.0.0.5", 40006, "198.51.100.53", 443, 1000);
	conn_send(&fx, &c, FLOW_DIR_C2S, "\xc3\x00\x00\x00\x01\x08\x11\x22"
		  "\x33\x44\x55\x66\x77\x88\x99\xaa\xbb", 17);
	conn_end(&fx, &c, NULL, NULL);
	conn_init(&c, 16, T_UDP, "10.0.0.5", 40007, "198.51.100.53", 4000, 1000);
	n = dns_build(msg, 9, 0x0100, "a b.example", 1, NULL, 0);
	conn_send(&fx, &c, FLOW_DIR_C2S, msg, n);
	n = dns_build(msg, 9, 0x0100, "ok.example", 1, NULL, 0);
	conn_send(&fx, &c, FLOW_DIR_C2S, msg, n);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_DNS_QUERY), 0);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 1);
	assert_non_null(log_find(&fx.log, OBS_ANOMALY, "quic_malformed"));
	fx_free(&fx);
}

static const char *test_risk_name(unsigned r)
{
	static char buf[32];

	if (r == 5)
		return "";
	snprintf(buf, sizeof(buf), "Risk number %u", r);
	return buf;
}

static void test_ndpi_verdict_and_fallback(void **state)
{
	struct extract_config cfg;
	struct fx fx;
	struct conn c;
	struct dpi_result r;
	struct dpi_meta m;
	const struct rec *o;

	extract_config_default(&cfg);
	cfg.risk_name = test_risk_name;
	fx_init(&fx, &cfg);
	/* QUIC: we do not decrypt it; nDPI's values come with impl=ndpi. */
	conn_init(&c, 11, T_UDP, "10.0.0.5", 50000, "198.51.100.9", 443, 1000);
	conn_send(&fx, &c, FLOW_DIR_C2S, "\xc3\x00\x00\x00\x01", 5);
	conn_send(&fx, &c, FLOW_DIR_S2C, "\xc3\x00\x00\x00\x01", 5);
	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	snprintf(r.proto, sizeof(r.proto), "QUIC.Google");
	snprintf(r.category, sizeof(r.category), "Web");
	r.risk = (1ull << 2) | (1ull << 5) | (1ull << 40);
	snprintf(m.host, sizeof(m.host), "www.example.com");
	snprintf(m.ja3_client, sizeof(m.ja3_client),
		 "0123456789abcdef0123456789abcdef");
	snprintf(m.tls_alpn, sizeof(m.tls_alpn), "h3,h3-29");
	m.tls_version = 0x0304;
	/* Flow closes while DPI was still running: r and meta at flow end. */
	conn_end(&fx, &c, &r, &m);

	o = log_find(&fx.log, OBS_NDPI_PROTO, "QUIC.Google");
	assert_true(detail_has(o, "category=Web"));
	assert_int_equal(o->frame, 1);
	assert_false(o->had_pkt);
	assert_int_equal(log_count(&fx.log, OBS_NDPI_RISK), 3);
	assert_non_null(log_find(&fx.log, OBS_NDPI_RISK, "Risk number 2"));
	assert_non_null(log_find(&fx.log, OBS_NDPI_RISK, "risk5"));
	assert_true(detail_has(log_find(&fx.log, OBS_NDPI_RISK,
					"Risk number 40"), "proto=QUIC.Google"));
	assert_true(detail_has(log_find(&fx.log, OBS_TLS_SNI,
					"www.example.com"), "impl=ndpi"));
	assert_true(detail_has(log_find(&fx.log, OBS_TLS_JA3,
					"0123456789abcdef0123456789abcdef"),
			       "impl=ndpi"));
	assert_int_equal(log_count(&fx.log, OBS_TLS_ALPN), 2);
	assert_true(detail_has(log_find(&fx.log, OBS_TLS_ALPN, "h3-29"),
			       "list=h3,h3-29"));

	/* SSH flow our parse never saw a banner of: nDPI's, HASSH lowered. */
	log_clear(&fx.log);
	conn_init(&c, 12, T_TCP, "10.0.0.5", 50001, "198.51.100.9", 22, 1000);
	conn_handshake(&fx, &c);
	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	snprintf(r.proto, sizeof(r.proto), "SSH");
	snprintf(m.ssh_client, sizeof(m.ssh_client), "SSH-2.0-Go");
	snprintf(m.hassh_client, sizeof(m.hassh_client),
		 "ABCDEF0123456789ABCDEF0123456789");
	extract_dpi_done(fx.x, &c.st, &c.f, &r, &m);
	conn_end(&fx, &c, NULL, NULL);
	o = log_find(&fx.log, OBS_SSH_HASSH, "abcdef0123456789abcdef0123456789");
	assert_true(detail_has(o, "side=client impl=ndpi"));
	assert_true(detail_has(log_find(&fx.log, OBS_SSH_BANNER, "SSH-2.0-Go"),
			       "side=client impl=ndpi"));
	assert_int_equal(log_count(&fx.log, OBS_TLS_SNI), 0);
	fx_free(&fx);
}

static void test_anomaly_cap(void **state)
{
	struct fx fx;
	struct conn c;
	struct packet pkt;
	const anomaly_set bad = (anomaly_set)1 << ANOM_IPV4_BAD_CHECKSUM;

	fx_init(&fx, NULL);
	conn_init(&c, 13, T_UDP, "10.0.0.5", 40004, "192.0.2.99", 9999, 1000);
	for (int i = 0; i < 150; i++)
		conn_send_at(&fx, &c, FLOW_DIR_C2S, "x", 1, 0, 0, bad);
	conn_end(&fx, &c, NULL, NULL);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 100);
	assert_int_equal(extract_stats(fx.x)->anomalies_not_emitted, 50);
	assert_true(detail_has(log_nth(&fx.log, OBS_ANOMALY, 99),
			       "layer=decode n=100"));
	assert_string_equal(log_nth(&fx.log, OBS_ANOMALY, 0)->value,
			    "ipv4_bad_checksum");
	/* A packet without a flow still gives its anomalies; the cap starts
	 * again with the next source. */
	extract_source_end(fx.x);
	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = 500;
	pkt.anomalies = (anomaly_set)1 << ANOM_LINK_TRUNCATED | bad;
	extract_packet(fx.x, NULL, NULL, FLOW_DIR_C2S, &pkt);
	assert_int_equal(log_count(&fx.log, OBS_ANOMALY), 102);
	assert_int_equal(log_nth(&fx.log, OBS_ANOMALY, 101)->flow_id, 0);
	assert_int_equal(log_nth(&fx.log, OBS_ANOMALY, 101)->frame, 500);
	fx_free(&fx);
}

/* Streams that would pass the budget are refused, and all is given back. */
static void test_stream_budget(void **state)
{
	struct extract_config cfg;
	struct fx fx;
	struct conn c[8];
	const char *partial = "GET /waiting-for-the-rest-of-the-line";

	extract_config_default(&cfg);
	cfg.stream_budget_bytes = 8192;
	fx_init(&fx, &cfg);
	for (int i = 0; i < 8; i++) {
		conn_init(&c[i], 20 + (uint64_t)i, T_TCP, "10.0.0.5",
			  (uint16_t)(41000 + i), "198.51.100.20", 80, 1000);
		conn_handshake(&fx, &c[i]);
		conn_send_str(&fx, &c[i], FLOW_DIR_C2S, partial);
		assert_true(extract_stats(fx.x)->stream_bytes <= 8192);
	}
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 8192);
	assert_int_equal(extract_stats(fx.x)->streams_over_budget, 4);
	for (int i = 0; i < 8; i++)
		conn_end(&fx, &c[i], NULL, NULL);
	assert_int_equal(extract_stats(fx.x)->stream_bytes, 0);
	assert_int_equal(extract_stats(fx.x)->stream_bytes_peak, 8192);
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_dns_udp_messages),
		cmocka_unit_test(test_dns_tcp_framing),
		cmocka_unit_test(test_dns_hostile),
		cmocka_unit_test(test_dns_by_ndpi),
		cmocka_unit_test(test_dns_heuristic),
		cmocka_unit_test(test_ndpi_verdict_and_fallback),
		cmocka_unit_test(test_anomaly_cap),
		cmocka_unit_test(test_stream_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
