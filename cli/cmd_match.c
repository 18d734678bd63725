/*
 * cmd_match.c — `attrib match --db CASE.db --intel PATH... [--json]`:
 * every observation of the case that an intel entry names, with the
 * intel's source and entry and the observation's kind, value, frame,
 * source SHA-256 and Community ID (docs/intel.md). The intel is read by
 * analyze/intel/ioc*.c; what it could not use (files skipped, entries of
 * types attrib does not observe) is listed on stderr.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/evidence/store.h"
#include "analyze/intel/ioc.h"
#include "cli/cli.h"
#include "cli/flow_json.h"
#include "cli/out.h"

enum { MAX_INTEL = 256 };

struct match_ctx {
	const struct ioc_set *intel;
	struct store_flow_lookup *flows;
	const struct store_obs_row *obs;
	bool json;
	uint64_t hits;
	int failed;
};

static int print_hit(void *ctx, const struct ioc_entry *e)
{
	struct match_ctx *mc = ctx;
	const struct store_obs_row *o = mc->obs;
	struct store_flow_row fr;
	int found = o->flow_id ? store_flow_lookup_get(mc->flows,
						       (int64_t)o->flow_id, &fr)
			       : 0;
	if (found < 0)
		return -1;
	mc->hits++;
	if (!mc->json) {
		/* cli_safe() has CLI_SAFE_SLOTS buffers: at most that many
		 * per printf */
		if (printf("%s %s  %s = %s", ioc_type_name(e->type),
			   cli_safe(e->value), cli_safe(o->kind),
			   cli_safe(o->value)) < 0 ||
		    printf("  frame %" PRIu64 " of %.12s  %s  [%s, %s]\n",
			   o->frame, o->source_sha256,
			   found == 1 && fr.community_id[0] ? fr.community_id
							    : "-",
			   cli_safe(e->source), cli_safe(e->entry)) < 0)
			return -1;
		return 0;
	}
	char ts[48];
	cli_iso_time(o->ts_us, ts, sizeof ts);
	json_t *intel = json_pack("{s:s, s:s, s:s, s:s, s:s}", "source",
				  e->source, "entry", e->entry, "type",
				  ioc_type_name(e->type), "value", e->value,
				  "note", e->note);
	json_t *j = json_pack("{s:o, s:s, s:s, s:I, s:s, s:I, s:I, s:s, s:I}",
			      "intel", intel, "kind", o->kind, "value", o->value,
			      "observation_id", (json_int_t)o->id,
			      "source_sha256", o->source_sha256, "frame",
			      (json_int_t)o->frame, "offset",
			      (json_int_t)o->file_offset, "ts", ts, "flow",
			      (json_int_t)o->flow_id);
	if (!j || (found == 1 && cli_json_add_endpoints(j, &fr) != 0)) {
		json_decref(j);
		return -1;
	}
	int rc = cli_json_line(j);
	json_decref(j);
	return rc;
}

static int match_obs(void *ctx, const struct store_obs_row *r)
{
	struct match_ctx *mc = ctx;
	mc->obs = r;
	return ioc_match(mc->intel, r->kind, r->value, print_hit, mc);
}

static void usage_match(FILE *out)
{
	fputs("usage: attrib match --db CASE.db --intel PATH... [--json]\n"
	      "  PATH: an IOC list, CSV, Zeek intel file, MISP event JSON, MISP "
	      "feed folder,\n"
	      "        Suricata dataset (.lst), attrib model or STIX bundle, or "
	      "a folder of them;\n"
	      "        FORMAT:PATH forces list, csv, zeek, misp, suricata or "
	      "model\n",
	      out);
}

/* The notes of what the intel readers could not use, on stderr. */
static void print_notes(const struct ioc_set *s)
{
	size_t n;
	const struct ioc_file *files = ioc_files(s, &n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "match: read %s (%s, sha256 %.16s…): %zu "
				"entries, %zu unsupported\n",
			cli_safe(files[i].path), files[i].format, files[i].sha256,
			files[i].entries, files[i].unsupported);
	const struct ioc_skip *sk = ioc_skips(s, &n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "match: skipped %s: %s\n", cli_safe(sk[i].path),
			cli_safe(sk[i].reason));
	const char *reason;
	uint64_t count;
	for (size_t i = 0; ioc_unsupported_at(s, i, &reason, &count); i++)
		fprintf(stderr, "match: %" PRIu64 " entries not used: %s\n",
			count, cli_safe(reason));
}

int cmd_match(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"intel", required_argument, NULL, 'i'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *paths[MAX_INTEL];
	size_t np = 0;
	struct match_ctx mc = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:i:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'i':
			if (np == MAX_INTEL) {
				cli_error("match: more than %d --intel paths",
					  MAX_INTEL);
				return EXIT_INPUT;
			}
			paths[np++] = optarg;
			break;
		case 'j': mc.json = true; break;
		case 'h': usage_match(stdout); return EXIT_OK;
		default: usage_match(stderr); return EXIT_INPUT;
		}
	}
	/* "--intel a b c": the paths after the options are intel too */
	for (; optind < argc && np > 0 && np < MAX_INTEL; optind++)
		paths[np++] = argv[optind];
	if (!db || !np || optind != argc) {
		cli_error("match: --db CASE.db and at least one --intel PATH "
			  "are required");
		usage_match(stderr);
		return EXIT_INPUT;
	}
	struct ioc_set *intel = ioc_set_create();
	char err[1024];
	if (!intel) {
		cli_error("match: out of memory");
		return EXIT_INTERNAL;
	}
	for (size_t i = 0; i < np; i++)
		if (ioc_load_path(intel, paths[i], err, sizeof err) != 0) {
			cli_error("%s", err);
			ioc_set_destroy(intel);
			return EXIT_INPUT;
		}
	print_notes(intel);
	struct store *st = cli_open_case(db);
	if (!st) {
		ioc_set_destroy(intel);
		return EXIT_INPUT;
	}
	int rc = EXIT_OK;
	mc.intel = intel;
	if (!(mc.flows = store_flow_lookup_open(st)) ||
	    store_each_observation(st, NULL, match_obs, &mc) != 0 ||
	    cli_out_flush(stdout, "standard output") != 0) {
		if (cli_out_failed(stdout))
			cli_out_error("standard output", 0);
		else
			cli_error("match: %s", store_error(st)[0]
						       ? store_error(st)
						       : "out of memory");
		rc = EXIT_INTERNAL;
	}
	fprintf(stderr, "match: %" PRIu64 " hits from %zu intel entries\n",
		mc.hits, ioc_count(intel));
	store_flow_lookup_close(mc.flows);
	if (store_close(st, err, sizeof err) != 0) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
	}
	ioc_set_destroy(intel);
	return rc;
}
