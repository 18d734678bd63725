/*
 * sessions.h — whole application sessions as frames: a DNS lookup, a
 * TLS session (TLS 1.3, or TLS 1.2 with a certificate in clear) and an
 * HTTP/1.1 GET, each over a clean TCP connection (handshake, data, FIN
 * teardown). A session whose server is a relay's listening address is
 * carried on by the relay over its own connection to the upstream,
 * message by message and in causal order: the client sees each server
 * message only after the upstream's answer has come back through the
 * relay (a TCP forwarder re-sends the bytes it receives).
 *
 * Every random choice of a session comes from its seed, so the same seed
 * gives the same bytes; a directive draws one seed per event.
 */
#ifndef ATTRIB_GEN_SESSIONS_H
#define ATTRIB_GEN_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "pcaps/gen/lib/pktlist.h"
#include "pcaps/gen/lib/rng.h"
#include "pcaps/gen/lib/scenario_file.h"
#include "pcaps/gen/lib/wire.h"

#define SESSION_DNS_TTL_S 3600 /* TTL of generated answers */

struct session_env {
	struct pktlist *out;
	const struct scenario *scenario; /* for its relays and seed */
	struct port_table *ports;        /* clients' ephemeral ports */
};

/* A DNS lookup of d->name by d->client at d->resolver, answered with
 * d->answers (NXDOMAIN when none), starting at t_us. Returns the time
 * the answer arrives. */
int64_t session_dns(const struct session_env *env, const struct directive *d,
		    int64_t t_us, uint64_t seed);

/* A TLS session described by d (client, server, port, name as SNI,
 * profile, alpn, tls_version, cert_cn), preceded by a DNS lookup of the
 * name when d->resolver is set. */
void session_tls(const struct session_env *env, const struct directive *d,
		 int64_t t_us, uint64_t seed);

/* A long TLS channel (directive key channel=1): one connection that the
 * first call opens (handshake and a first exchange, after a DNS lookup
 * when d->resolver is set) and every later call uses for one more
 * request/response of application data leaving the client at t_us;
 * session_tls_channel_close() ends it with a FIN exchange. */
struct tls_channel {
	struct tcp_conn conn;
	struct rng rng;   /* the connection's ISNs and IP ids */
	bool open;
};

void session_tls_channel(const struct session_env *env,
			 const struct directive *d, struct tls_channel *ch,
			 int64_t t_us, uint64_t seed);
void session_tls_channel_close(struct tls_channel *ch);

/* An interactive SSH session of d->client to d->server:d->port: banners,
 * KEXINIT both ways, a key exchange, then 10–60 commands with their
 * output (opaque bytes), the pauses before them log-uniform between
 * 0.5 s and 120 s as a person's are, then FIN. */
void session_ssh(const struct session_env *env, const struct directive *d,
		 int64_t t_us, uint64_t seed);

/* An HTTP/1.1 GET described by d (client, server, port, name as Host,
 * user_agent, path) answered 200 OK, preceded by a DNS lookup when
 * d->resolver is set. */
void session_http(const struct session_env *env, const struct directive *d,
		  int64_t t_us, uint64_t seed);

#endif
