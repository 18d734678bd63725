/*
 * scenario.c — the lab scenario generator: reads a scenario file
 * (pcaps/gen/README.md) and writes the capture it describes as a pcap,
 * and optionally its ground truth. The same file and seed always give a
 * byte-identical capture: all randomness comes from the scenario's seed
 * (pcaps/gen/lib/rng.h), never from the clock.
 *
 *   scenario -o OUT.pcap [-t OUT.truth] SCENARIO.scn
 *
 * Exit status: 0 written, 2 usage or scenario error, 3 write error.
 * Its pieces live in pcaps/gen/lib/: the format (scenario_file.c,
 * scenario_line.c), event times (schedule.c), sessions (sessions.c) built
 * from TLS, DNS and X.509 messages (tls.c, tls_profiles.c, dns.c,
 * x509.c) over TCP/UDP frames (wire.c), the frame list and pcap writer
 * (pktlist.c) and the truth file (truth.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcaps/gen/lib/pktlist.h"
#include "pcaps/gen/lib/rng.h"
#include "pcaps/gen/lib/scenario_file.h"
#include "pcaps/gen/lib/schedule.h"
#include "pcaps/gen/lib/sessions.h"
#include "pcaps/gen/lib/truth.h"
#include "pcaps/gen/lib/wire.h"

#define EXIT_USAGE 2
#define EXIT_WRITE 3
#define STREAM_SCHEDULE 1000  /* rng stream ids per directive: + index */
#define STREAM_SESSIONS 2000
#define STREAM_BACKGROUND 3000
#define BACKGROUND_SITE_NET 0xc6336414 /* 198.51.100.20: site 0 */
#define BACKGROUND_TLS_SHARE 0.75      /* the rest is plain HTTP */

/* What an event callback needs to build the directive's sessions. */
struct run_ctx {
	const struct session_env *env;
	const struct directive *d;
	struct rng session_seeds; /* one seed per event */
	struct rng picks;         /* background: client, site, protocol */
	int64_t last_lookup_us;   /* the client's cached DNS answer */
	struct tls_channel channel; /* channel=1: the one connection */
};

static const char *const site_words[] = {
	"news",   "mail",  "shop",   "video", "docs",    "maps",  "weather",
	"forum",  "wiki",  "photos", "music", "travel",  "bank",  "games",
	"sport",  "cdn",   "search", "social", "jobs",   "recipes",
};
#define SITE_WORD_COUNT (sizeof(site_words) / sizeof(site_words[0]))

/* One background visit: a client of the net browses one of the sites,
 * over HTTPS (browser profile) or HTTP, after a DNS lookup. */
static void background_visit(struct run_ctx *run, int64_t t_us,
			     uint64_t seed)
{
	const struct directive *bg = run->d;
	struct directive visit;
	uint32_t site = (uint32_t)rng_range(&run->picks, 0, bg->site_count - 1);
	uint32_t round = site / SITE_WORD_COUNT;

	memset(&visit, 0, sizeof(visit));
	visit.client = bg->client_net + 10 +
		       (uint32_t)rng_range(&run->picks, 0, bg->client_count - 1);
	visit.server = BACKGROUND_SITE_NET + site;
	visit.resolver = bg->resolver;
	if (round)
		snprintf(visit.name, sizeof(visit.name), "%s%u.example",
			 site_words[site % SITE_WORD_COUNT], round + 1);
	else
		snprintf(visit.name, sizeof(visit.name), "%s.example",
			 site_words[site]);
	if (rng_unit(&run->picks) < BACKGROUND_TLS_SHARE) {
		visit.kind = DIRECTIVE_TLS;
		visit.port = 443;
		snprintf(visit.profile, sizeof(visit.profile), "browser");
		snprintf(visit.alpn, sizeof(visit.alpn), "h2,http/1.1");
		visit.tls_version = 13;
		session_tls(run->env, &visit, t_us, seed);
	} else {
		visit.kind = DIRECTIVE_HTTP;
		visit.port = 80;
		snprintf(visit.user_agent, sizeof(visit.user_agent),
			 "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) "
			 "Gecko/20100101 Firefox/115.0");
		snprintf(visit.path, sizeof(visit.path), "/");
		session_http(run->env, &visit, t_us, seed);
	}
}

static void on_event(void *ctx, int64_t t_us)
{
	struct run_ctx *run = ctx;
	uint64_t seed = rng_u64(&run->session_seeds);

	struct directive session;

	switch (run->d->kind) {
	case DIRECTIVE_TLS:
	case DIRECTIVE_HTTP:
		/* the client resolves the name again once its answer expires */
		session = *run->d;
		if (t_us - run->last_lookup_us < SESSION_DNS_TTL_S * 1000000LL)
			session.resolver = 0;
		else if (session.resolver)
			run->last_lookup_us = t_us;
		if (session.kind == DIRECTIVE_TLS && session.channel)
			session_tls_channel(run->env, &session, &run->channel,
					    t_us, seed);
		else if (session.kind == DIRECTIVE_TLS)
			session_tls(run->env, &session, t_us, seed);
		else
			session_http(run->env, &session, t_us, seed);
		break;
	case DIRECTIVE_DNS:
		session_dns(run->env, run->d, t_us, seed);
		break;
	case DIRECTIVE_BACKGROUND:
		background_visit(run, t_us, seed);
		break;
	case DIRECTIVE_SSH:
		session_ssh(run->env, run->d, t_us, seed);
		break;
	case DIRECTIVE_RELAY:
		break;
	}
}

/* Generates every directive's events into env->out; events[i] counts
 * directive i's. */
static void generate(const struct session_env *env, uint64_t *events)
{
	const struct scenario *sc = env->scenario;

	for (size_t i = 0; i < sc->directive_count; i++) {
		struct rng schedule = rng_stream(sc->seed, STREAM_SCHEDULE + i);
		static struct run_ctx run; /* holds a connection: off the stack */
		memset(&run, 0, sizeof run);
		run.env = env;
		run.d = &sc->directives[i];
		run.session_seeds = rng_stream(sc->seed, STREAM_SESSIONS + i);
		run.picks = rng_stream(sc->seed, STREAM_BACKGROUND + i);
		run.last_lookup_us = INT64_MIN / 2;
		events[i] = schedule_run(&sc->directives[i].timing, sc->start_us,
					 sc->start_us + sc->duration_us,
					 &schedule, on_event, &run);
		session_tls_channel_close(&run.channel);
	}
}

static int write_truth(const char *path, const struct scenario *sc,
		       const uint64_t *events, uint64_t packets)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f) {
		perror(path);
		return -1;
	}
	rc = truth_write(f, sc, events, packets);
	if (fclose(f) != 0)
		rc = -1;
	if (rc != 0)
		fprintf(stderr, "%s: write failed\n", path);
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: scenario -o OUT.pcap [-t OUT.truth] "
			"SCENARIO.scn\n");
}

int main(int argc, char **argv)
{
	static struct scenario sc;
	static uint64_t events[SCENARIO_MAX_DIRECTIVES];
	static struct port_table ports;
	const char *pcap_path = NULL, *truth_path = NULL, *err_text;
	struct session_env env;
	struct pktlist *packets;
	char err[512];
	FILE *f;
	int opt, rc = EXIT_WRITE;

	while ((opt = getopt(argc, argv, "o:t:h")) != -1) {
		if (opt == 'o')
			pcap_path = optarg;
		else if (opt == 't')
			truth_path = optarg;
		else {
			usage();
			return opt == 'h' ? 0 : EXIT_USAGE;
		}
	}
	if (!pcap_path || optind != argc - 1) {
		usage();
		return EXIT_USAGE;
	}
	f = fopen(argv[optind], "r");
	if (!f) {
		perror(argv[optind]);
		return EXIT_USAGE;
	}
	if (scenario_parse(f, argv[optind], &sc, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		fclose(f);
		return EXIT_USAGE;
	}
	fclose(f);

	packets = pktlist_create();
	if (!packets) {
		fprintf(stderr, "scenario: out of memory\n");
		return EXIT_WRITE;
	}
	port_table_init(&ports, sc.seed);
	env.out = packets;
	env.scenario = &sc;
	env.ports = &ports;
	generate(&env, events);
	if (pktlist_failed(packets, &err_text)) {
		fprintf(stderr, "%s: %s\n", argv[optind], err_text);
		goto destroy_packets;
	}
	if (pktlist_write_pcap(packets, pcap_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		goto destroy_packets;
	}
	if (truth_path &&
	    write_truth(truth_path, &sc, events, pktlist_count(packets)) != 0)
		goto destroy_packets;
	printf("scenario %s: %zu packets to %s\n", sc.name,
	       pktlist_count(packets), pcap_path);
	rc = 0;
destroy_packets:
	pktlist_destroy(packets);
	return rc;
}
