/*
 * scenario_file.h — the generator's scenario format (pcaps/gen/README.md
 * documents it for users): one statement per line, `#` starts a comment,
 * a keyword followed by key=value pairs (values with spaces in double
 * quotes). Settings: seed, start, duration, utc_offset, work_hours.
 * Directives: beacon / tls, dns, http, background, relay. Ground-truth
 * statements (what no packet shows: who made the traffic, which links of
 * the attribution chain hold): actor, links, model.
 *
 * Parsing is strict: an unknown keyword or key, a missing required key or
 * a bad value is an error naming file:line, since a silently ignored
 * typo would give a capture whose truth file lies.
 */
#ifndef ATTRIB_GEN_SCENARIO_FILE_H
#define ATTRIB_GEN_SCENARIO_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SCENARIO_MAX_DIRECTIVES 64
#define SCENARIO_TEXT_MAX 256  /* names, user agents, paths */
#define SCENARIO_MAX_ANSWERS 8
#define SCENARIO_LINE_MAX 2048
#define SCENARIO_ID_MAX 65        /* hypothesis ids: [A-Za-z0-9._-]{1,64} */
#define SCENARIO_MAX_HYPOTHESES 16
#define SCENARIO_MAX_MODELS 8
#define SCENARIO_LINK_COUNT 5     /* L1, L2, L3, L3i, L4 */

enum directive_kind {
	DIRECTIVE_TLS,        /* `beacon` or `tls`: TLS sessions */
	DIRECTIVE_DNS,        /* DNS lookups */
	DIRECTIVE_HTTP,       /* HTTP/1.1 GET sessions */
	DIRECTIVE_BACKGROUND, /* many clients browsing many sites */
	DIRECTIVE_RELAY,      /* a hop point forwarding to an upstream */
	DIRECTIVE_SSH,        /* interactive SSH sessions */
};

enum timing_kind {
	TIMING_NONE,     /* relay: no events of its own */
	TIMING_PERIODIC, /* period, jitter, missed */
	TIMING_POISSON,  /* rate */
	TIMING_COUNT,    /* count events at uniform random times */
};

/* When a directive's events happen. */
struct timing {
	enum timing_kind kind;
	double period_s;    /* periodic: mean interval */
	double jitter;      /* periodic: interval × (1 + jitter × U[−1, 1]) */
	double missed;      /* periodic: chance a beat sends nothing */
	double rate_per_s;  /* poisson */
	uint32_t count;     /* count */
	bool work_hours;    /* only in local working hours, Monday–Friday */
	int utc_offset_h;   /* the local time zone of those hours */
	int work_start_h;   /* local, inclusive */
	int work_end_h;     /* local, exclusive */
};

struct directive {
	enum directive_kind kind;
	char keyword[16];       /* as written: beacon, tls, dns, ... */
	int line;
	struct timing timing;
	uint32_t client, server, resolver; /* host-order IPv4; 0 = unset */
	uint16_t port;
	char name[SCENARIO_TEXT_MAX];      /* SNI, DNS name or HTTP host */
	char user_agent[SCENARIO_TEXT_MAX];
	char path[SCENARIO_TEXT_MAX];
	char profile[32];                  /* TLS client profile */
	char alpn[64];                     /* offered ALPN, "" = none */
	int tls_version;                   /* 12 or 13 */
	char cert_cn[SCENARIO_TEXT_MAX];   /* TLS 1.2 certificate name */
	uint64_t cert_seed;                /* the certificate's own seed */
	bool cert_seed_given;              /* else the scenario's seed */
	bool channel;                      /* TLS: one long connection */
	uint32_t answers[SCENARIO_MAX_ANSWERS];
	size_t answer_count;
	uint32_t client_net;   /* background: clients are net + 10 + i */
	uint32_t client_count; /* background */
	uint32_t site_count;   /* background */
	uint32_t listen, upstream; /* relay */
	int64_t delay_us;          /* relay: forwarding delay */
	char actor[SCENARIO_ID_MAX];   /* truth: whose own traffic, or "" */
	char planted[SCENARIO_ID_MAX]; /* truth: planted to point at, or "" */
};

/* Ground truth about one hypothesis: whether each link of the chain
 * truly holds for it (docs: pcaps/gen/README.md "Ground truth"). */
struct hypothesis_truth {
	char id[SCENARIO_ID_MAX];
	bool holds[SCENARIO_LINK_COUNT]; /* L1, L2, L3, L3i, L4 */
};

struct scenario {
	char name[64];       /* the file's base name without .scn */
	uint64_t seed;
	int64_t start_us;    /* µs since the epoch */
	int64_t duration_us;
	int utc_offset_h;    /* default for hours=work */
	int work_start_h, work_end_h;
	struct directive directives[SCENARIO_MAX_DIRECTIVES];
	size_t directive_count;
	char actor[SCENARIO_ID_MAX];     /* truth: the true actor; "" unset */
	struct hypothesis_truth hypotheses[SCENARIO_MAX_HYPOTHESES];
	size_t hypothesis_count;
	char models[SCENARIO_MAX_MODELS][SCENARIO_TEXT_MAX]; /* to score with */
	size_t model_count;
};

/* "L1", "L2", "L3", "L3i", "L4" for i in 0..SCENARIO_LINK_COUNT-1. */
extern const char *const scenario_link_names[SCENARIO_LINK_COUNT];

/* Reads a scenario from f (named path in messages) into *out. Returns 0,
 * or -1 with "path:line: reason" in err. */
int scenario_parse(FILE *f, const char *path, struct scenario *out,
		   char *err, size_t errlen);

/* Formats t_us as 2024-03-04T00:00:00Z into buf (≥ 21 bytes). */
char *scenario_format_time(int64_t t_us, char *buf);

#endif
