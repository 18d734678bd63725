/*
 * cmd_indicators.c — `attrib indicators --db CASE.db [--kind KIND]
 * [--json]`: every observation, as a readable table or as one JSON object
 * per line: {"kind", "value", "source_sha256", "frame", "offset", "ts",
 * "flow"} (ts in ISO 8601 UTC with microseconds).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "analyze/evidence/store.h"
#include "analyze/vocab/kinds.h"
#include "cli/cli.h"
#include "cli/out.h"

struct print_ctx {
	bool json;
	int out_errno; /* writing to standard output failed: its errno */
	uint64_t rows;
};

static void iso_time(uint64_t ts_us, char *out, size_t n)
{
	time_t secs = (time_t)(ts_us / 1000000u);
	struct tm tm;
	if (!gmtime_r(&secs, &tm)) {
		snprintf(out, n, "?");
		return;
	}
	char base[32];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%06uZ", base, (unsigned)(ts_us % 1000000u));
}

static int print_obs(void *ctx, const struct store_obs_row *r)
{
	struct print_ctx *pc = ctx;
	char ts[48];
	iso_time(r->ts_us, ts, sizeof ts);
	pc->rows++;
	if (!pc->json) {
		if (printf("%-16s %-48s %8" PRIu64 "  %.12s  %s\n",
			   cli_safe(r->kind), cli_safe(r->value), r->frame,
			   cli_safe(r->source_sha256), ts) < 0) {
			pc->out_errno = errno ? errno : EIO;
			return -1;
		}
		return 0;
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:I}", "kind",
			      r->kind, "value", r->value, "source_sha256",
			      r->source_sha256, "frame", (json_int_t)r->frame,
			      "offset", (json_int_t)r->file_offset, "ts", ts,
			      "flow", (json_int_t)r->flow_id);
	if (!o)
		return -1;
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
				       JSON_ENSURE_ASCII);
	json_decref(o);
	if (!line)
		return -1;
	int rc = puts(line) < 0 ? -1 : 0;
	free(line);
	if (rc != 0)
		pc->out_errno = errno ? errno : EIO;
	return rc;
}

static void usage_indicators(FILE *out)
{
	fprintf(out, "usage: attrib indicators --db CASE.db [--kind KIND] [--json]\n"
		     "  kinds:");
	for (int k = 0; k < OBS_KIND_COUNT; k++)
		fprintf(out, " %s", obs_kind_name((enum obs_kind)k));
	fputc('\n', out);
}

int cmd_indicators(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"kind", required_argument, NULL, 'k'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *kind = NULL;
	struct print_ctx pc = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:k:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'k': kind = optarg; break;
		case 'j': pc.json = true; break;
		case 'h': usage_indicators(stdout); return EXIT_OK;
		default: usage_indicators(stderr); return EXIT_INPUT;
		}
	}
	if (!db || optind != argc) {
		cli_error("indicators: --db CASE.db is required, and nothing else");
		usage_indicators(stderr);
		return EXIT_INPUT;
	}
	if (kind && obs_kind_parse(kind) < 0) {
		cli_error("indicators: unknown kind '%s'", kind);
		usage_indicators(stderr);
		return EXIT_INPUT;
	}
	char err[1024];
	struct store *st = cli_open_case(db);
	if (!st)
		return EXIT_INPUT;
	int rc = EXIT_OK;
	if (!pc.json)
		printf("%-16s %-48s %8s  %-12s  %s\n", "kind", "value", "frame",
		       "source", "time (UTC)");
	if (store_each_observation(st, kind, print_obs, &pc) != 0 ||
	    cli_out_flush(stdout, "standard output") != 0) {
		if (pc.out_errno || cli_out_failed(stdout))
			cli_out_error("standard output", pc.out_errno);
		else
			cli_error("%s", store_error(st)[0] ? store_error(st)
							   : "out of memory");
		rc = EXIT_INTERNAL;
	}
	if (store_close(st, err, sizeof err) != 0) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
	}
	return rc;
}
