/*
 * truth.c — writing a scenario's ground truth (truth.h).
 */
#include "pcaps/gen/lib/truth.h"

#include <stdbool.h>
#include <string.h>

#include "pcaps/gen/lib/tls.h"
#include "pcaps/gen/lib/wire.h"
#include "pcaps/gen/lib/x509.h"

static const char *timing_name(enum timing_kind kind)
{
	switch (kind) {
	case TIMING_PERIODIC:
		return "periodic";
	case TIMING_POISSON:
		return "poisson";
	case TIMING_COUNT:
		return "count";
	case TIMING_NONE:
		break;
	}
	return "none";
}

static void write_timing(FILE *f, size_t n, const struct timing *t)
{
	fprintf(f, "d%zu.timing=%s\n", n, timing_name(t->kind));
	if (t->kind == TIMING_PERIODIC)
		fprintf(f, "d%zu.period_s=%g\nd%zu.jitter=%g\nd%zu.missed=%g\n",
			n, t->period_s, n, t->jitter, n, t->missed);
	else if (t->kind == TIMING_POISSON)
		fprintf(f, "d%zu.rate_per_h=%g\n", n, t->rate_per_s * 3600.0);
	else if (t->kind == TIMING_COUNT)
		fprintf(f, "d%zu.count=%u\n", n, t->count);
	fprintf(f, "d%zu.hours=%s\n", n, t->work_hours ? "work" : "all");
	if (t->work_hours)
		fprintf(f, "d%zu.utc_offset_h=%+d\n", n, t->utc_offset_h);
}

static void write_tls(FILE *f, size_t n, const struct directive *d,
		      uint64_t scenario_seed)
{
	const struct tls_profile *p = tls_profile_find(d->profile);
	char ja3[TLS_JA3_TEXT_MAX], md5[TLS_JA3_MD5_SIZE], ja4[TLS_JA4_TEXT_MAX];

	fprintf(f, "d%zu.sni=%s\nd%zu.profile=%s\nd%zu.alpn=%s\n"
		   "d%zu.tls=%s\n",
		n, d->name, n, d->profile, n, d->alpn, n,
		d->tls_version == 12 ? "1.2" : "1.3");
	if (d->cert_cn[0]) {
		char sha1[41];
		uint64_t base = d->cert_seed_given ? d->cert_seed : scenario_seed;
		fprintf(f, "d%zu.cert_cn=%s\n", n, d->cert_cn);
		if (d->cert_seed_given)
			fprintf(f, "d%zu.cert_seed=%llu\n", n,
				(unsigned long long)d->cert_seed);
		if (x509_sha1_hex(d->cert_cn, x509_name_seed(base, d->cert_cn),
				  sha1) == 0)
			fprintf(f, "d%zu.cert_sha1=%s\n", n, sha1);
	}
	if (p && tls_profile_fingerprints(p, d->alpn, ja3, md5, ja4) == 0)
		fprintf(f, "d%zu.ja3=%s\nd%zu.ja3_md5=%s\nd%zu.ja4=%s\n", n,
			ja3, n, md5, n, ja4);
}

/* A pair "client>server:port" for the beacon lists. */
static void write_pair(FILE *f, const struct directive *d, int *first)
{
	char client[16], server[16];

	fprintf(f, "%s%s>%s:%u", *first ? "" : ",",
		wire_format_ipv4(d->client, client),
		wire_format_ipv4(d->server, server), d->port);
	*first = 0;
}

static void write_directive(FILE *f, size_t n, const struct directive *d,
			    uint64_t events, uint64_t scenario_seed)
{
	char ip[16];

	fprintf(f, "d%zu.kind=%s\nd%zu.line=%d\nd%zu.events=%llu\n", n,
		d->keyword, n, d->line, n, (unsigned long long)events);
	if (d->actor[0])
		fprintf(f, "d%zu.actor=%s\n", n, d->actor);
	if (d->planted[0])
		fprintf(f, "d%zu.planted=%s\n", n, d->planted);
	if (d->kind == DIRECTIVE_RELAY) {
		fprintf(f, "d%zu.listen=%s\n", n, wire_format_ipv4(d->listen, ip));
		fprintf(f, "d%zu.upstream=%s\nd%zu.delay_ms=%lld\n", n,
			wire_format_ipv4(d->upstream, ip), n,
			(long long)(d->delay_us / 1000));
		return;
	}
	write_timing(f, n, &d->timing);
	if (d->kind == DIRECTIVE_BACKGROUND) {
		fprintf(f, "d%zu.net=%s\nd%zu.clients=%u\nd%zu.sites=%u\n", n,
			wire_format_ipv4(d->client_net, ip), n, d->client_count,
			n, d->site_count);
		return;
	}
	fprintf(f, "d%zu.client=%s\n", n, wire_format_ipv4(d->client, ip));
	if (d->server)
		fprintf(f, "d%zu.server=%s\nd%zu.port=%u\n", n,
			wire_format_ipv4(d->server, ip), n, d->port);
	if (d->resolver)
		fprintf(f, "d%zu.resolver=%s\n", n,
			wire_format_ipv4(d->resolver, ip));
	if (d->kind == DIRECTIVE_TLS)
		write_tls(f, n, d, scenario_seed);
	else if (d->kind == DIRECTIVE_HTTP)
		fprintf(f, "d%zu.host=%s\nd%zu.user_agent=%s\nd%zu.path=%s\n", n,
			d->name, n, d->user_agent, n, d->path);
	else if (d->kind == DIRECTIVE_DNS) {
		fprintf(f, "d%zu.name=%s\nd%zu.answers=", n, d->name, n);
		for (size_t a = 0; a < d->answer_count; a++)
			fprintf(f, "%s%s", a ? "," : "",
				wire_format_ipv4(d->answers[a], ip));
		fprintf(f, "\n");
	}
}

/* The attribution truth (scenario_truth.h), only when the scenario has
 * any: the true actor, the models, per hypothesis and link whether it
 * holds, and which directives are an actor's own or planted. */
static void write_attribution(FILE *f, const struct scenario *sc)
{
	const char *sep = "";

	if (!sc->actor[0])
		return;
	fprintf(f, "actor=%s\nmodels=", sc->actor);
	for (size_t i = 0; i < sc->model_count; i++)
		fprintf(f, "%s%s", i ? "," : "", sc->models[i]);
	fprintf(f, "\nhypotheses=");
	for (size_t i = 0; i < sc->hypothesis_count; i++)
		fprintf(f, "%s%s", i ? "," : "", sc->hypotheses[i].id);
	fprintf(f, "\n");
	for (size_t i = 0; i < sc->hypothesis_count; i++)
		for (int l = 0; l < SCENARIO_LINK_COUNT; l++)
			fprintf(f, "holds.%s.%s=%d\n", sc->hypotheses[i].id,
				scenario_link_names[l],
				sc->hypotheses[i].holds[l] ? 1 : 0);
	fprintf(f, "actor_directives=");
	for (size_t i = 0; i < sc->directive_count; i++)
		if (sc->directives[i].actor[0]) {
			fprintf(f, "%sd%zu", sep, i + 1);
			sep = ",";
		}
	fprintf(f, "\nplanted_directives=");
	sep = "";
	for (size_t i = 0; i < sc->directive_count; i++)
		if (sc->directives[i].planted[0]) {
			fprintf(f, "%sd%zu", sep, i + 1);
			sep = ",";
		}
	fprintf(f, "\n");
}

int truth_write(FILE *f, const struct scenario *sc, const uint64_t *events,
		uint64_t packets)
{
	char start[24];
	int first = 1;

	fprintf(f, "# Ground truth of scenario %s, written by the generator "
		   "(pcaps/gen/scenario.c).\n# Regenerate, never edit: "
		   "tests/gen-scenarios.sh checks it byte for byte.\n",
		sc->name);
	fprintf(f, "scenario=%s\nseed=%llu\nstart=%s\nduration_s=%lld\n",
		sc->name, (unsigned long long)sc->seed,
		scenario_format_time(sc->start_us, start),
		(long long)(sc->duration_us / 1000000));
	fprintf(f, "utc_offset_h=%+d\nwork_hours_local=%02d-%02d\n"
		   "work_days_local=mon-fri\npackets=%llu\ndirectives=%zu\n",
		sc->utc_offset_h, sc->work_start_h, sc->work_end_h,
		(unsigned long long)packets, sc->directive_count);

	/* the pairs that beacon (periodic TLS/HTTP) and those that do not */
	fprintf(f, "beacon_pairs=");
	for (size_t i = 0; i < sc->directive_count; i++) {
		const struct directive *d = &sc->directives[i];
		if ((d->kind == DIRECTIVE_TLS || d->kind == DIRECTIVE_HTTP) &&
		    d->timing.kind == TIMING_PERIODIC)
			write_pair(f, d, &first);
	}
	fprintf(f, "\nnot_beacon_pairs=");
	first = 1;
	for (size_t i = 0; i < sc->directive_count; i++) {
		const struct directive *d = &sc->directives[i];
		if ((d->kind == DIRECTIVE_TLS || d->kind == DIRECTIVE_HTTP) &&
		    d->timing.kind != TIMING_PERIODIC)
			write_pair(f, d, &first);
	}
	fprintf(f, "\nwork_hours_hosts=");
	first = 1;
	for (size_t i = 0; i < sc->directive_count; i++) {
		const struct directive *d = &sc->directives[i];
		char ip[16];
		bool repeated = false;
		if (!d->timing.work_hours || !d->client)
			continue;
		for (size_t j = 0; j < i; j++)
			repeated = repeated ||
				   (sc->directives[j].timing.work_hours &&
				    sc->directives[j].client == d->client &&
				    sc->directives[j].timing.utc_offset_h ==
					    d->timing.utc_offset_h);
		if (repeated)
			continue;
		fprintf(f, "%s%s@%+d", first ? "" : ",",
			wire_format_ipv4(d->client, ip), d->timing.utc_offset_h);
		first = 0;
	}
	fprintf(f, "\n");
	write_attribution(f, sc);
	for (size_t i = 0; i < sc->directive_count; i++)
		write_directive(f, i + 1, &sc->directives[i], events[i],
				sc->seed);
	return ferror(f) ? -1 : 0;
}
