/*
 * sessions.c — DNS, TLS and HTTP sessions as frames (sessions.h).
 */
#include "pcaps/gen/lib/sessions.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pcaps/gen/lib/buf.h"
#include "pcaps/gen/lib/dns.h"
#include "pcaps/gen/lib/rng.h"
#include "pcaps/gen/lib/tls.h"
#include "pcaps/gen/lib/wire.h"
#include "pcaps/gen/lib/x509.h"

#define DNS_TTL_S SESSION_DNS_TTL_S
#define SESSION_MAX_MESSAGES 8
#define STREAM_PAYLOAD 1 /* rng stream ids within one session's seed */
#define STREAM_CLIENT_LEG 2
#define STREAM_RELAY_LEG 3
#define STREAM_DNS 4

/* ---- DNS ---- */

int64_t session_dns(const struct session_env *env, const struct directive *d,
		    int64_t t_us, uint64_t seed)
{
	struct rng r = rng_stream(seed, STREAM_DNS);
	uint16_t id = (uint16_t)rng_u64(&r);
	uint16_t port = port_table_next(env->ports, d->client);
	int64_t rtt_us = (int64_t)rng_range(&r, 800, 12000);
	uint16_t ip_id = (uint16_t)rng_u64(&r);
	struct buf q, a;

	buf_init(&q);
	dns_query(&q, id, d->name);
	buf_init(&a);
	dns_response(&a, id, d->name, d->answers, d->answer_count, DNS_TTL_S);
	if (!buf_ok(&q) || !buf_ok(&a))
		return t_us;
	wire_udp(env->out, t_us, d->client, port, d->resolver, DNS_PORT,
		 WIRE_CLIENT_TTL, ip_id, q.data, q.len);
	wire_udp(env->out, t_us + rtt_us, d->resolver, DNS_PORT, d->client,
		 port, WIRE_SERVER_TTL, (uint16_t)(ip_id ^ 0x5a5a), a.data,
		 a.len);
	return t_us + rtt_us;
}

/* Looks up the session's name first when it has a resolver; returns when
 * the connection may start. */
static int64_t lookup_first(const struct session_env *env,
			    const struct directive *d, int64_t t_us,
			    uint64_t seed)
{
	struct directive lookup;

	if (!d->resolver)
		return t_us;
	lookup = *d;
	lookup.answers[0] = d->server;
	lookup.answer_count = 1;
	return session_dns(env, &lookup, t_us, seed) + 1500;
}

/* The relay whose listening address is server, or NULL. */
static const struct directive *relay_for(const struct scenario *sc,
					 uint32_t server)
{
	for (size_t i = 0; i < sc->directive_count; i++) {
		const struct directive *d = &sc->directives[i];
		if (d->kind == DIRECTIVE_RELAY && d->listen == server)
			return d;
	}
	return NULL;
}

/* ---- a conversation played over one TCP connection, or two ---- */

/* The application messages of one session, in order. */
struct conversation {
	size_t count;
	bool from_client[SESSION_MAX_MESSAGES];
	int64_t think_us[SESSION_MAX_MESSAGES]; /* client's pause before */
	struct buf message[SESSION_MAX_MESSAGES];
};

/* The next message slot, emptied; NULL (and nothing sent) when full. */
static struct buf *next_message(struct conversation *cv, bool from_client,
				int64_t think_us)
{
	struct buf *b;

	if (cv->count == SESSION_MAX_MESSAGES)
		return NULL;
	b = &cv->message[cv->count];
	cv->from_client[cv->count] = from_client;
	cv->think_us[cv->count] = think_us;
	cv->count++;
	buf_init(b);
	return b;
}

/* Plays cv from d->client to d->server:d->port starting at t_us. When
 * the server is a relay, the relay's connection to its upstream carries
 * every message too, and the client sees each server message only after
 * the upstream's answer has come back through the relay. */
static void play(const struct session_env *env, const struct directive *d,
		 const struct conversation *cv, int64_t t_us, uint64_t seed)
{
	const struct directive *relay = relay_for(env->scenario, d->server);
	struct rng client_leg = rng_stream(seed, STREAM_CLIENT_LEG);
	struct rng relay_leg = rng_stream(seed, STREAM_RELAY_LEG);
	struct tcp_conn a, b;
	int64_t half_a, forward_us = relay ? relay->delay_us : 0;

	tcp_conn_init(&a, env->out, &client_leg, d->client,
		      port_table_next(env->ports, d->client), d->server,
		      d->port, t_us, (int64_t)rng_range(&client_leg, 18000, 95000));
	half_a = a.rtt_us / 2;
	tcp_handshake(&a);
	if (relay) {
		tcp_conn_init(&b, env->out, &relay_leg, relay->listen,
			      port_table_next(env->ports, relay->listen),
			      relay->upstream, d->port,
			      t_us + half_a + forward_us,
			      (int64_t)rng_range(&relay_leg, 18000, 95000));
		tcp_handshake(&b);
	}
	for (size_t i = 0; i < cv->count; i++) {
		const struct buf *m = &cv->message[i];
		if (!buf_ok(m))
			continue;
		if (cv->from_client[i]) {
			tcp_send_at(&a, true, m->data, m->len,
				    a.now_us + cv->think_us[i]);
			if (relay)
				tcp_send_at(&b, true, m->data, m->len,
					    a.now_us + half_a + forward_us);
		} else if (relay) {
			tcp_send_at(&b, false, m->data, m->len,
				    b.now_us + b.rtt_us);
			tcp_send_at(&a, false, m->data, m->len,
				    b.now_us + forward_us + half_a);
		} else {
			tcp_send_at(&a, false, m->data, m->len,
				    a.now_us + a.rtt_us);
		}
	}
	tcp_fin_at(&a, true, a.now_us + 200);
	if (relay) {
		tcp_fin_at(&b, true, a.now_us + half_a + forward_us);
		tcp_fin_at(&b, false, b.now_us + b.rtt_us);
		tcp_ack_at(&b, true, b.now_us + 60);
		tcp_fin_at(&a, false, b.now_us + half_a);
	} else {
		tcp_fin_at(&a, false, a.now_us + a.rtt_us);
	}
	tcp_ack_at(&a, true, a.now_us + 60);
}

/* ---- TLS ---- */

/* The messages of one TLS session; payload bytes from the seed. */
static void tls_conversation(const struct session_env *env,
			     const struct directive *d, uint64_t seed,
			     struct conversation *cv)
{
	struct rng payload = rng_stream(seed, STREAM_PAYLOAD);
	const struct tls_profile *profile = tls_profile_find(d->profile);
	bool browser = strcmp(d->profile, "browser") == 0;
	size_t request_len = (size_t)(browser ? rng_range(&payload, 200, 400)
					      : rng_range(&payload, 120, 200));
	size_t response_len = (size_t)(browser ? rng_range(&payload, 300, 900)
					       : rng_range(&payload, 40, 160));
	struct buf *m;

	cv->count = 0;
	if (!profile)
		return;
	if ((m = next_message(cv, true, 300)))
		tls_client_hello(m, profile, d->name, d->alpn, &payload);
	if (d->tls_version == 12) {
		char alpn_selected[64];
		uint64_t cert_seed = x509_name_seed(
			d->cert_seed_given ? d->cert_seed : env->scenario->seed,
			d->cert_cn);
		snprintf(alpn_selected, sizeof(alpn_selected), "%.*s",
			 (int)strcspn(d->alpn, ","), d->alpn);
		if ((m = next_message(cv, false, 0)))
			tls12_server_flight(m, alpn_selected, d->cert_cn,
					    cert_seed, &payload);
		if ((m = next_message(cv, true, 1200)))
			tls12_client_finish(m, &payload);
		if ((m = next_message(cv, false, 0)))
			tls12_server_finish(m, &payload);
		m = next_message(cv, true, 1500);
	} else {
		if ((m = next_message(cv, false, 0)))
			tls13_server_flight(m, (size_t)rng_range(&payload, 120, 300),
					    &payload);
		if ((m = next_message(cv, true, 1500)))
			tls13_client_finish(m, &payload);
	}
	if (m)
		tls_application_data(m, request_len, &payload);
	if ((m = next_message(cv, false, 0)))
		tls_application_data(m, response_len, &payload);
}

void session_tls(const struct session_env *env, const struct directive *d,
		 int64_t t_us, uint64_t seed)
{
	static struct conversation cv; /* 32 KB: kept off the stack */

	tls_conversation(env, d, seed, &cv);
	play(env, d, &cv, lookup_first(env, d, t_us, seed), seed);
}

/* ---- a long TLS channel ---- */

/* Sends every message of cv on the open connection a, no FIN. */
static void play_on(struct tcp_conn *a, const struct conversation *cv)
{
	for (size_t i = 0; i < cv->count; i++) {
		const struct buf *m = &cv->message[i];
		if (!buf_ok(m))
			continue;
		if (cv->from_client[i])
			tcp_send_at(a, true, m->data, m->len,
				    a->now_us + cv->think_us[i]);
		else
			tcp_send_at(a, false, m->data, m->len,
				    a->now_us + a->rtt_us);
	}
}

void session_tls_channel(const struct session_env *env,
			 const struct directive *d, struct tls_channel *ch,
			 int64_t t_us, uint64_t seed)
{
	static struct conversation cv;
	struct rng payload = rng_stream(seed, STREAM_PAYLOAD);

	if (!ch->open) {
		ch->rng = rng_stream(seed, STREAM_CLIENT_LEG);
		tls_conversation(env, d, seed, &cv);
		tcp_conn_init(&ch->conn, env->out, &ch->rng, d->client,
			      port_table_next(env->ports, d->client), d->server,
			      d->port, lookup_first(env, d, t_us, seed),
			      (int64_t)rng_range(&ch->rng, 18000, 95000));
		tcp_handshake(&ch->conn);
		play_on(&ch->conn, &cv);
		ch->open = true;
		return;
	}
	cv.count = 0;
	struct buf *m = next_message(&cv, true, 0);
	if (m)
		tls_application_data(m, (size_t)rng_range(&payload, 120, 200),
				     &payload);
	if ((m = next_message(&cv, false, 0)))
		tls_application_data(m, (size_t)rng_range(&payload, 40, 160),
				     &payload);
	/* the check-in leaves at t_us, whatever the last frame's time */
	if (cv.count)
		cv.think_us[0] = t_us > ch->conn.now_us ? t_us - ch->conn.now_us
							: 0;
	play_on(&ch->conn, &cv);
}

void session_tls_channel_close(struct tls_channel *ch)
{
	if (!ch->open)
		return;
	tcp_fin_at(&ch->conn, true, ch->conn.now_us + 200);
	tcp_fin_at(&ch->conn, false, ch->conn.now_us + ch->conn.rtt_us);
	tcp_ack_at(&ch->conn, true, ch->conn.now_us + 60);
	ch->open = false;
}

/* ---- SSH ---- */

/* An SSH binary packet holding a KEXINIT with OpenSSH-like lists
 * (RFC 4253 7.1); the cookie and the padding from r. */
static void ssh_kexinit(struct buf *m, struct rng *r)
{
	static const char *const lists[] = {
		"curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha256",
		"ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512",
		"chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com",
		"chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com",
		"umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com",
		"umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com",
		"none,zlib@openssh.com", "none,zlib@openssh.com", "", "",
	};
	size_t payload = 1 + 16 + 5;
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		payload += 4 + strlen(lists[i]);
	size_t padding = 8 - (5 + payload) % 8;
	if (padding < 4)
		padding += 8;
	buf_u32(m, (uint32_t)(1 + payload + padding));
	buf_u8(m, (uint8_t)padding);
	buf_u8(m, 20); /* SSH_MSG_KEXINIT */
	for (int i = 0; i < 16; i++)
		buf_u8(m, (uint8_t)rng_u64(r));
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		buf_u32(m, (uint32_t)strlen(lists[i]));
		buf_text(m, lists[i]);
	}
	buf_u8(m, 0);  /* first_kex_packet_follows */
	buf_u32(m, 0); /* reserved */
	for (size_t i = 0; i < padding; i++)
		buf_u8(m, (uint8_t)rng_u64(r));
}

/* Opaque bytes standing for encrypted SSH packets. */
static void ssh_opaque(struct buf *m, size_t len, struct rng *r)
{
	for (size_t i = 0; i < len; i++)
		buf_u8(m, (uint8_t)rng_u64(r));
}

void session_ssh(const struct session_env *env, const struct directive *d,
		 int64_t t_us, uint64_t seed)
{
	static struct conversation cv;
	struct rng payload = rng_stream(seed, STREAM_PAYLOAD);
	struct rng leg = rng_stream(seed, STREAM_CLIENT_LEG);
	struct tcp_conn a;
	struct buf *m;

	cv.count = 0;
	if ((m = next_message(&cv, true, 0)))
		buf_text(m, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n");
	if ((m = next_message(&cv, false, 0)))
		buf_text(m, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n");
	if ((m = next_message(&cv, true, 2000)))
		ssh_kexinit(m, &payload);
	if ((m = next_message(&cv, false, 0)))
		ssh_kexinit(m, &payload);
	if ((m = next_message(&cv, true, 3000)))
		ssh_opaque(m, 48, &payload); /* key exchange */
	if ((m = next_message(&cv, false, 0)))
		ssh_opaque(m, 564, &payload);
	tcp_conn_init(&a, env->out, &leg, d->client,
		      port_table_next(env->ports, d->client), d->server,
		      d->port, t_us, (int64_t)rng_range(&leg, 18000, 95000));
	tcp_handshake(&a);
	play_on(&a, &cv);
	/* an interactive session: commands typed, output back */
	uint64_t commands = rng_range(&payload, 10, 60);
	for (uint64_t i = 0; i < commands; i++) {
		/* a person's pauses: log-uniform between 0.5 s and 120 s */
		int64_t think = (int64_t)(500000.0 *
					  exp(rng_unit(&payload) * log(240.0)));
		struct buf in, out;
		buf_init(&in);
		buf_init(&out);
		ssh_opaque(&in, (size_t)rng_range(&payload, 36, 120), &payload);
		ssh_opaque(&out, (size_t)rng_range(&payload, 36, 1400),
			   &payload);
		if (buf_ok(&in) && buf_ok(&out)) {
			tcp_send_at(&a, true, in.data, in.len, a.now_us + think);
			tcp_send_at(&a, false, out.data, out.len,
				    a.now_us + a.rtt_us);
		}
	}
	tcp_fin_at(&a, true, a.now_us + 200);
	tcp_fin_at(&a, false, a.now_us + a.rtt_us);
	tcp_ack_at(&a, true, a.now_us + 60);
}

/* ---- HTTP ---- */

static void http_conversation(const struct directive *d, uint64_t seed,
			      struct conversation *cv)
{
	static const char filler[] = "abcdefghijklmnopqrstuvwxyz";
	struct rng payload = rng_stream(seed, STREAM_PAYLOAD);
	size_t body_len = (size_t)rng_range(&payload, 64, 400);
	struct buf *m;
	char head[160];

	cv->count = 0;
	if ((m = next_message(cv, true, 400))) {
		buf_text(m, "GET ");
		buf_text(m, d->path);
		buf_text(m, " HTTP/1.1\r\nHost: ");
		buf_text(m, d->name);
		buf_text(m, "\r\nUser-Agent: ");
		buf_text(m, d->user_agent);
		buf_text(m, "\r\nAccept: */*\r\nConnection: close\r\n\r\n");
	}
	if ((m = next_message(cv, false, 0))) {
		snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 body_len);
		buf_text(m, head);
		buf_text(m, "<html>");
		for (size_t i = 13; i < body_len; i++)
			buf_u8(m, (uint8_t)filler[rng_range(&payload, 0, 25)]);
		buf_text(m, "</html>");
	}
}

void session_http(const struct session_env *env, const struct directive *d,
		  int64_t t_us, uint64_t seed)
{
	static struct conversation cv;

	http_conversation(d, seed, &cv);
	play(env, d, &cv, lookup_first(env, d, t_us, seed), seed);
}
