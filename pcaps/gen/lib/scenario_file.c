/*
 * scenario_file.c — the meaning of a scenario file (scenario_file.h):
 * settings, directives, their required keys and defaults. The lexical
 * work (pairs, value checks) is in scenario_line.c.
 */
#include "pcaps/gen/lib/scenario_file.h"

#include <ctype.h>
#include <string.h>

#include "pcaps/gen/lib/scenario_line.h"
#include "pcaps/gen/lib/scenario_truth.h"
#include "pcaps/gen/lib/tls.h"
#include "pcaps/gen/lib/wire.h"

#define US_PER_S 1000000LL
#define DEFAULT_START "2024-03-04T00:00:00Z" /* a Monday */
#define DEFAULT_DURATION_S (7 * 86400)
#define DEFAULT_RESOLVER 0xc0000235 /* 192.0.2.53 */
#define DEFAULT_BACKGROUND_NET 0x0a000100 /* 10.0.1.0 */
#define DEFAULT_USER_AGENT \
	"Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"
#define MAX_COUNT 100000
#define MAX_BACKGROUND_HOSTS 200

/* Reads the timing keys; *offset_given says whether utc_offset= was. */
static void parse_timing(struct line_ctx *c, struct timing *t,
			 bool *offset_given)
{
	const char *period = line_take(c, "period"), *rate = line_take(c, "rate");
	const char *count = line_take(c, "count"), *jitter = line_take(c, "jitter");
	const char *missed = line_take(c, "missed"), *hours = line_take(c, "hours");
	const char *offset = line_take(c, "utc_offset");

	if ((period != NULL) + (rate != NULL) + (count != NULL) != 1) {
		line_fail(c, "give exactly one of period=, rate=, count=");
		return;
	}
	if (period) {
		t->kind = TIMING_PERIODIC;
		t->period_s = line_seconds(c, "period", period);
		t->jitter = jitter ? line_number(c, "jitter", jitter, 0, 0.9) : 0;
		t->missed = missed ? line_number(c, "missed", missed, 0, 0.9) : 0;
	} else if (jitter || missed) {
		line_fail(c, "jitter= and missed= need period=");
	} else if (rate) {
		t->kind = TIMING_POISSON;
		t->rate_per_s = line_rate(c, rate);
	} else {
		t->kind = TIMING_COUNT;
		t->count = (uint32_t)line_number(c, "count", count, 1, MAX_COUNT);
	}
	if (hours && strcmp(hours, "work") != 0 && strcmp(hours, "all") != 0)
		line_fail(c, "hours=%s: use work or all", hours);
	t->work_hours = hours && strcmp(hours, "work") == 0;
	*offset_given = offset != NULL;
	if (offset)
		t->utc_offset_h = line_offset(c, offset);
}

static void parse_tls(struct line_ctx *c, struct directive *d)
{
	const struct tls_profile *profile;
	const char *alpn = line_take(c, "alpn"), *version = line_take(c, "tls");
	const char *profile_name = line_take(c, "profile");
	const char *cert_seed = line_take(c, "cert_seed");
	const char *channel = line_take(c, "channel");

	line_ip(c, "client", line_require(c, "client"), &d->client);
	line_ip(c, "server", line_require(c, "server"), &d->server);
	line_ip(c, "resolver", line_take(c, "resolver"), &d->resolver);
	line_name(c, "sni", line_require(c, "sni"), d->name, sizeof(d->name));
	line_name(c, "cert_cn", line_take(c, "cert_cn"), d->cert_cn,
		  sizeof(d->cert_cn));
	if (!profile_name)
		profile_name = strcmp(d->keyword, "beacon") == 0 ? "implant-a"
								   : "browser";
	profile = tls_profile_find(profile_name);
	if (!profile) {
		line_fail(c, "profile=%s: use implant-a, implant-b or browser",
			  profile_name);
		return;
	}
	snprintf(d->profile, sizeof(d->profile), "%s", tls_profile_name(profile));
	if (alpn && strcmp(alpn, "none") == 0)
		alpn = "";
	snprintf(d->alpn, sizeof(d->alpn), "%s",
		 alpn ? alpn : tls_profile_alpn(profile));
	d->tls_version = d->cert_cn[0] ? 12 : 13;
	if (version && strcmp(version, "1.2") == 0)
		d->tls_version = 12;
	else if (version && strcmp(version, "1.3") == 0)
		d->tls_version = 13;
	else if (version)
		line_fail(c, "tls=%s: use 1.2 or 1.3", version);
	if (cert_seed && !d->cert_cn[0])
		line_fail(c, "cert_seed= needs cert_cn=");
	if (cert_seed) {
		d->cert_seed = (uint64_t)line_number(c, "cert_seed", cert_seed, 0,
						     9.0e15);
		d->cert_seed_given = true;
	}
	if (d->cert_cn[0] && d->tls_version != 12)
		line_fail(c, "cert_cn= needs tls=1.2 (TLS 1.3 encrypts the "
			     "certificate)");
	if (channel && strcmp(channel, "1") != 0 && strcmp(channel, "0") != 0)
		line_fail(c, "channel=%s: use 1 (one long connection) or 0",
			  channel);
	d->channel = channel && strcmp(channel, "1") == 0;
	if (strcmp(d->keyword, "beacon") == 0 &&
	    d->timing.kind != TIMING_PERIODIC)
		line_fail(c, "beacon needs period= (use tls for other timing)");
}

static void parse_answers(struct line_ctx *c, const char *text,
			  struct directive *d)
{
	char one[32];

	while (text && *text) {
		size_t n = strcspn(text, ",");
		if (n >= sizeof(one) || d->answer_count == SCENARIO_MAX_ANSWERS) {
			line_fail(c, "answer= takes up to %d addresses",
				  SCENARIO_MAX_ANSWERS);
			return;
		}
		memcpy(one, text, n);
		one[n] = '\0';
		line_ip(c, "answer", one, &d->answers[d->answer_count++]);
		text += n + (text[n] == ',');
	}
}

static void parse_http(struct line_ctx *c, struct directive *d)
{
	const char *ua = line_take(c, "ua"), *path = line_take(c, "path");

	line_ip(c, "client", line_require(c, "client"), &d->client);
	line_ip(c, "server", line_require(c, "server"), &d->server);
	line_ip(c, "resolver", line_take(c, "resolver"), &d->resolver);
	line_name(c, "host", line_require(c, "host"), d->name, sizeof(d->name));
	snprintf(d->user_agent, sizeof(d->user_agent), "%s",
		 ua ? ua : DEFAULT_USER_AGENT);
	snprintf(d->path, sizeof(d->path), "%s", path ? path : "/");
	if (d->path[0] != '/' || strpbrk(d->path, " \t\r\n"))
		line_fail(c, "path=%s must start with / and hold no spaces",
			  d->path);
}

static void parse_background(struct line_ctx *c, struct directive *d)
{
	const char *clients = line_require(c, "clients");
	const char *sites = line_take(c, "sites");

	if (clients)
		d->client_count = (uint32_t)line_number(c, "clients", clients,
							1, MAX_BACKGROUND_HOSTS);
	d->site_count = sites ? (uint32_t)line_number(c, "sites", sites, 1,
						      MAX_BACKGROUND_HOSTS)
			      : 20;
	d->client_net = DEFAULT_BACKGROUND_NET;
	line_ip(c, "net", line_take(c, "net"), &d->client_net);
	if ((d->client_net & 0xff) || (d->client_net >> 24) != 10)
		line_fail(c, "net= must be a 10.x.y.0 address");
	d->resolver = DEFAULT_RESOLVER;
	line_ip(c, "resolver", line_take(c, "resolver"), &d->resolver);
}

static void parse_relay(struct line_ctx *c, struct directive *d)
{
	const char *delay = line_take(c, "delay_ms");

	line_ip(c, "listen", line_require(c, "listen"), &d->listen);
	line_ip(c, "upstream", line_require(c, "upstream"), &d->upstream);
	d->delay_us = 20000;
	if (delay)
		d->delay_us = (int64_t)(line_number(c, "delay_ms", delay, 0,
						    5000) * 1000.0);
}

static void parse_directive(struct line_ctx *c, struct directive *d,
			    bool *offset_given)
{
	const char *port = NULL;

	*offset_given = false;
	if (d->kind != DIRECTIVE_RELAY)
		parse_timing(c, &d->timing, offset_given);
	if (d->kind == DIRECTIVE_TLS || d->kind == DIRECTIVE_HTTP ||
	    d->kind == DIRECTIVE_SSH) {
		port = line_take(c, "port");
		d->port = d->kind == DIRECTIVE_TLS    ? 443
			  : d->kind == DIRECTIVE_HTTP ? 80
						      : 22;
		if (port)
			d->port = (uint16_t)line_number(c, "port", port, 1,
							65535);
	}
	switch (d->kind) {
	case DIRECTIVE_TLS:
		parse_tls(c, d);
		break;
	case DIRECTIVE_DNS:
		line_ip(c, "client", line_require(c, "client"), &d->client);
		line_ip(c, "resolver", line_require(c, "resolver"), &d->resolver);
		line_name(c, "name", line_require(c, "name"), d->name,
			  sizeof(d->name));
		parse_answers(c, line_take(c, "answer"), d);
		break;
	case DIRECTIVE_HTTP:
		parse_http(c, d);
		break;
	case DIRECTIVE_BACKGROUND:
		parse_background(c, d);
		break;
	case DIRECTIVE_RELAY:
		parse_relay(c, d);
		break;
	case DIRECTIVE_SSH:
		line_ip(c, "client", line_require(c, "client"), &d->client);
		line_ip(c, "server", line_require(c, "server"), &d->server);
		break;
	}
	if (d->kind != DIRECTIVE_BACKGROUND) /* background is nobody's */
		scenario_truth_directive(c, d);
	for (int i = 0; i < c->pair_count; i++)
		if (!c->pairs[i].used)
			line_fail(c, "unknown key %s= for %s", c->pairs[i].key,
				  d->keyword);
}

static const struct {
	const char *keyword;
	enum directive_kind kind;
} directive_keywords[] = {
	{"beacon", DIRECTIVE_TLS},   {"tls", DIRECTIVE_TLS},
	{"dns", DIRECTIVE_DNS},      {"http", DIRECTIVE_HTTP},
	{"background", DIRECTIVE_BACKGROUND}, {"relay", DIRECTIVE_RELAY},
	{"ssh", DIRECTIVE_SSH},
};

/* A setting: `keyword value`. Returns 1 if keyword is one, else 0. */
static int parse_setting(struct line_ctx *c, const char *keyword,
			 char *value, struct scenario *sc)
{
	int start_h, end_h;
	char tail;

	value += strspn(value, " \t");
	if (strcmp(keyword, "seed") == 0)
		sc->seed = (uint64_t)line_number(c, "seed", value, 0, 9.0e15);
	else if (strcmp(keyword, "start") == 0)
		sc->start_us = line_time(c, value);
	else if (strcmp(keyword, "duration") == 0)
		sc->duration_us =
			(int64_t)(line_seconds(c, "duration", value) * US_PER_S);
	else if (strcmp(keyword, "utc_offset") == 0)
		sc->utc_offset_h = line_offset(c, value);
	else if (strcmp(keyword, "work_hours") == 0) {
		if (sscanf(value, "%d-%d%c", &start_h, &end_h, &tail) != 2 ||
		    start_h < 0 || end_h > 24 || start_h >= end_h)
			line_fail(c, "work_hours %s: use e.g. 09-18", value);
		sc->work_start_h = start_h;
		sc->work_end_h = end_h;
	} else
		return scenario_truth_statement(c, keyword, value, sc);
	return 1;
}

/* Cuts a comment (# outside quotes) and trailing space off line. */
static void strip_comment(char *line)
{
	bool quoted = false;
	size_t n;

	for (char *p = line; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '#' && !quoted) {
			*p = '\0';
			break;
		}
	}
	n = strlen(line);
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
}

static void set_defaults(struct scenario *sc, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	memset(sc, 0, sizeof(*sc));
	base = base ? base + 1 : path;
	n = strcspn(base, ".");
	snprintf(sc->name, sizeof(sc->name), "%.*s", (int)n, base);
	sc->seed = 1;
	sc->duration_us = (int64_t)DEFAULT_DURATION_S * US_PER_S;
	sc->work_start_h = 9;
	sc->work_end_h = 18;
}

/* Handles one non-empty line. */
static int parse_line(struct line_ctx *c, char *text, struct scenario *sc,
		      bool *offset_given)
{
	size_t n = strcspn(text, " \t");
	char keyword[16];
	struct directive *d;

	if (n >= sizeof(keyword))
		return line_fail(c, "unknown statement %.20s", text);
	memcpy(keyword, text, n);
	keyword[n] = '\0';
	if (parse_setting(c, keyword, text + n, sc))
		return c->failed ? -1 : 0;
	for (size_t k = 0;
	     k < sizeof(directive_keywords) / sizeof(directive_keywords[0]); k++) {
		if (strcmp(keyword, directive_keywords[k].keyword) != 0)
			continue;
		if (sc->directive_count == SCENARIO_MAX_DIRECTIVES)
			return line_fail(c, "more than %d directives",
					 SCENARIO_MAX_DIRECTIVES);
		d = &sc->directives[sc->directive_count];
		memset(d, 0, sizeof(*d));
		d->kind = directive_keywords[k].kind;
		d->line = c->line;
		snprintf(d->keyword, sizeof(d->keyword), "%s", keyword);
		if (line_split_pairs(c, text + n) == 0)
			parse_directive(c, d, &offset_given[sc->directive_count]);
		sc->directive_count++;
		return c->failed ? -1 : 0;
	}
	return line_fail(c, "unknown statement %s", keyword);
}

int scenario_parse(FILE *f, const char *path, struct scenario *out,
		   char *err, size_t errlen)
{
	bool offset_given[SCENARIO_MAX_DIRECTIVES] = {false};
	char text[SCENARIO_LINE_MAX];
	struct line_ctx c;
	int line = 0;

	set_defaults(out, path);
	memset(&c, 0, sizeof(c));
	c.path = path;
	c.err = err;
	c.errlen = errlen;
	c.line = 0;
	out->start_us = line_time(&c, DEFAULT_START);
	while (fgets(text, sizeof(text), f)) {
		char *start;
		line++;
		memset(&c, 0, sizeof(c));
		c.path = path;
		c.line = line;
		c.err = err;
		c.errlen = errlen;
		if (!strchr(text, '\n') && !feof(f))
			return line_fail(&c, "line longer than %d bytes",
					 SCENARIO_LINE_MAX - 2);
		strip_comment(text);
		start = text + strspn(text, " \t");
		if (*start && parse_line(&c, start, out, offset_given) != 0)
			return -1;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		return -1;
	}
	for (size_t i = 0; i < out->directive_count; i++) {
		struct timing *t = &out->directives[i].timing;
		if (!offset_given[i])
			t->utc_offset_h = out->utc_offset_h;
		t->work_start_h = out->work_start_h;
		t->work_end_h = out->work_end_h;
	}
	return scenario_truth_check(out, path, err, errlen);
}
