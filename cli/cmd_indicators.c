/*
 * cmd_indicators.c — `attrib indicators --db CASE.db [--kind KIND]...
 * [--json | --eve]`: every observation, as a readable table, as one JSON
 * object per line, or as Suricata eve-style events (docs/json-output.md).
 *
 * --json keeps the contract fields {"kind", "value", "source_sha256",
 * "frame", "offset", "ts", "flow"} (ts in ISO 8601 UTC with microseconds)
 * and adds detail (an object), src_ip, src_port, dest_ip, dest_port,
 * proto, community_id and flow_id from the observation's flow.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/evidence/store.h"
#include "analyze/vocab/kinds.h"
#include "cli/cli.h"
#include "cli/eve.h"
#include "cli/flow_json.h"
#include "cli/geo.h"
#include "cli/out.h"
#include "cli/suggest.h"

enum { MAX_KINDS = OBS_KIND_COUNT };

enum out_mode { OUT_TABLE, OUT_JSON, OUT_EVE };

struct print_ctx {
	enum out_mode mode;
	bool kinds[MAX_KINDS];
	bool any_kind;                 /* no --kind: every kind */
	struct store_flow_lookup *flows;
	struct store_flow_row flow;    /* the last flow looked up */
	int64_t flow_id;               /* its id, 0 none */
	int flow_found;
	int out_errno;                 /* writing to standard output failed:
	                                  its errno */
	uint64_t rows;
};

/* The observation's flow, looked up once per run of its observations. */
static const struct store_flow_row *obs_flow(struct print_ctx *pc,
					     uint64_t id, int *err)
{
	if (!id)
		return NULL;
	if ((int64_t)id != pc->flow_id) {
		pc->flow_found = store_flow_lookup_get(pc->flows, (int64_t)id,
						       &pc->flow);
		pc->flow_id = pc->flow_found == 1 ? (int64_t)id : 0;
		if (pc->flow_found < 0)
			*err = -1;
	}
	return pc->flow_found == 1 ? &pc->flow : NULL;
}

static json_t *obs_json(struct print_ctx *pc, const struct store_obs_row *r,
			int *err)
{
	char ts[48];
	cli_iso_time(r->ts_us, ts, sizeof ts);
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:I}", "kind",
			      r->kind, "value", r->value, "source_sha256",
			      r->source_sha256, "frame", (json_int_t)r->frame,
			      "offset", (json_int_t)r->file_offset, "ts", ts,
			      "flow", (json_int_t)r->flow_id);
	json_t *detail = cli_detail_json(r->detail);
	if (!o || !detail || json_object_set_new(o, "detail", detail)) {
		json_decref(o);
		return NULL;
	}
	const struct store_flow_row *f = obs_flow(pc, r->flow_id, err);
	if (f && cli_json_add_endpoints(o, f) != 0) {
		json_decref(o);
		return NULL;
	}
	json_t *vg = cli_json_geo ? cli_geo_json(cli_json_geo, r->value) : NULL;
	if (vg && json_object_set_new(o, "value_geo", vg) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int print_obs(void *ctx, const struct store_obs_row *r)
{
	struct print_ctx *pc = ctx;
	if (!pc->any_kind) {
		int k = obs_kind_parse(r->kind);
		if (k < 0 || !pc->kinds[k])
			return 0;
	}
	pc->rows++;
	if (pc->mode == OUT_TABLE) {
		char ts[48];
		cli_iso_time(r->ts_us, ts, sizeof ts);
		if (printf("%-16s %-48s %8" PRIu64 "  %.12s  %s\n",
			   cli_safe(r->kind), cli_safe(r->value), r->frame,
			   cli_safe(r->source_sha256), ts) < 0) {
			pc->out_errno = errno ? errno : EIO;
			return -1;
		}
		return 0;
	}
	int err = 0;
	json_t *o = pc->mode == OUT_JSON
			    ? obs_json(pc, r, &err)
			    : cli_eve_event(r, obs_flow(pc, r->flow_id, &err));
	if (!o || err) {
		json_decref(o);
		return -1;
	}
	int rc = cli_json_line(o);
	json_decref(o);
	if (rc != 0)
		pc->out_errno = errno ? errno : EIO;
	return rc;
}

static void usage_indicators(FILE *out)
{
	fprintf(out, "usage: attrib indicators --db CASE.db [--kind KIND]... "
		     "[--json | --eve]\n"
		     "                         [--geoip FILE.mmdb] [--asn "
		     "FILE.mmdb]\n  kinds:");
	for (int k = 0; k < OBS_KIND_COUNT; k++)
		fprintf(out, " %s", obs_kind_name((enum obs_kind)k));
	fputc('\n', out);
}

/* Marks kind in pc; false (with the error and a suggestion printed) when
 * it is no kind. */
static bool add_kind(struct print_ctx *pc, const char *kind)
{
	int k = obs_kind_parse(kind);
	if (k >= 0) {
		pc->kinds[k] = true;
		pc->any_kind = false;
		return true;
	}
	const char *names[OBS_KIND_COUNT];
	for (int i = 0; i < OBS_KIND_COUNT; i++)
		names[i] = obs_kind_name((enum obs_kind)i);
	const char *near = cli_suggest(kind, names, OBS_KIND_COUNT);
	if (near)
		cli_error("indicators: unknown kind '%s' (did you mean '%s'?)",
			  kind, near);
	else
		cli_error("indicators: unknown kind '%s'", kind);
	return false;
}

int cmd_indicators(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"kind", required_argument, NULL, 'k'},
		{"json", no_argument, NULL, 'j'},
		{"eve", no_argument, NULL, 'e'},
		CLI_GEO_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	struct print_ctx pc = {.any_kind = true};
	struct cli_geo geo = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:k:jehG:A:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'k':
			if (!add_kind(&pc, optarg)) {
				usage_indicators(stderr);
				return EXIT_INPUT;
			}
			break;
		case 'j': pc.mode = pc.mode == OUT_EVE ? -1 : OUT_JSON; break;
		case 'e': pc.mode = pc.mode == OUT_JSON ? -1 : OUT_EVE; break;
		case 'h': usage_indicators(stdout); return EXIT_OK;
		default:
			if (cli_geo_option(&geo, c, optarg))
				break;
			usage_indicators(stderr);
			return EXIT_INPUT;
		}
	}
	if (!db || optind != argc || (int)pc.mode < 0) {
		cli_error("indicators: --db CASE.db is required, --json and "
			  "--eve exclude each other, and nothing else");
		usage_indicators(stderr);
		return EXIT_INPUT;
	}
	char err[1024];
	if (cli_geo_open(&geo) != 0)
		return EXIT_INPUT;
	struct store *st = cli_open_case(db);
	if (!st) {
		cli_geo_close(&geo);
		return EXIT_INPUT;
	}
	int rc = EXIT_OK;
	if (cli_geo_active(&geo)) {
		char args[4096];
		cli_join_args(argc, argv, args, sizeof args);
		cli_json_geo = &geo;
		if (cli_geo_custody(&geo, st, args) != 0)
			rc = EXIT_INTERNAL;
	}
	/* one kind: let SQLite filter; several: filter here, in id order */
	const char *one = NULL;
	for (int k = 0, n = 0; k < OBS_KIND_COUNT; k++)
		if (pc.kinds[k])
			one = n++ ? NULL : obs_kind_name((enum obs_kind)k);
	if (pc.mode != OUT_TABLE && !(pc.flows = store_flow_lookup_open(st)))
		rc = EXIT_INTERNAL;
	if (rc == EXIT_OK && pc.mode == OUT_TABLE)
		printf("%-16s %-48s %8s  %-12s  %s\n", "kind", "value", "frame",
		       "source", "time (UTC)");
	if (rc == EXIT_OK &&
	    (store_each_observation(st, pc.any_kind ? NULL : one, print_obs,
				    &pc) != 0 ||
	     cli_out_flush(stdout, "standard output") != 0))
		rc = EXIT_INTERNAL;
	if (rc != EXIT_OK) {
		if (pc.out_errno || cli_out_failed(stdout))
			cli_out_error("standard output", pc.out_errno);
		else
			cli_error("indicators: %s", store_error(st)[0]
							    ? store_error(st)
							    : "out of memory");
	}
	store_flow_lookup_close(pc.flows);
	cli_json_geo = NULL;
	cli_geo_close(&geo);
	if (store_close(st, err, sizeof err) != 0) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
	}
	return rc;
}
