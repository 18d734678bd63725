/*
 * cmd_report.c — `attrib report --db CASE.db --format html|md|json|stix|misp
 * -o FILE`: verifies the case (attrib verify's checks), builds the report
 * document and writes it in one format.
 *
 * Where the report goes (cli/report_out.h): a regular FILE is written
 * to a temporary file next to it and renamed into place, so FILE is
 * either the old file or the whole new report; -o - and a character
 * device are written as streams; a link, FIFO, socket, block device or
 * folder is refused and left as it is.
 * When the case verifies intact, a custody entry `report` records the
 * file, its SHA-256, the format and the head the report states. When it
 * does not, the report is still written (its first line says TAMPERED),
 * nothing is added to the case, and the exit status is 1.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/evidence/store.h"
#include "analyze/report/report.h"
#include "analyze/score/score_doc.h"
#include "analyze/vocab/reproducible.h"
#include "capture/source.h"
#include "cli/case_check.h"
#include "cli/cli.h"
#include "cli/geo.h"
#include "cli/out.h"
#include "cli/report_out.h"

/* The checks' result in the report's terms. */
static void fill_verification(const struct case_check *cc,
			      const char *head_path,
			      struct report_verification *v)
{
	*v = (struct report_verification){
		.done = true,
		.tampered = cc->tampered,
		.first_problem = cc->first_problem,
		.chain_entries = cc->chain_read ? cc->chain.entries : 0,
		.head_seq = cc->chain_read ? cc->chain.head_seq : 0,
		.head_hash = cc->chain_read ? cc->chain.head_hash : NULL,
		.head_file = attrib_output_path(head_path),
		.head_file_result = cc->chain_read ? cc->chain.external
						   : cc->chain_error,
		.head_file_checked = cc->chain_read &&
				     cc->chain.external_checked,
		.integrity = cc->integrity ? "ok" : cc->damage,
		.sources = cc->sources,
		.sources_rehashed = cc->rehashed,
		.sources_changed = cc->mismatched,
		.sources_missing = cc->missing,
		.sources_unfinished = cc->partial,
		.packets_reread = cc->packets,
		.packets_wrong = cc->packets_bad,
		.packets_not_checkable = cc->packets_skipped,
		.checked_us = (int64_t)score_output_time_us(store_now_us()),
	};
}

/* The MaxMind databases `attrib report --geoip/--asn` gave, for
 * cli_report_case(); NULL when none. */
static const struct cli_geo *report_geo;

int cli_report_case(struct store *st, const char *db, const char *head,
		    const char *out_path, int format, const char *args,
		    const char *case_note)
{
	struct case_check cc;
	int crc = case_check_run(st, head, &cc);
	if (crc != 0)
		return crc == -2 ? EXIT_INTERNAL : EXIT_INPUT;
	struct report_verification v;
	fill_verification(&cc, head, &v);
	/* SOURCE_DATE_EPOCH: same bytes for copies of a case anywhere */
	struct report_options opt = {
		.case_path = attrib_output_path(db),
		.arguments = args, .case_note = case_note,
		.now_us = (int64_t)score_output_time_us(store_now_us())};
	char err[1024];
	json_t *doc = report_build(st, &v, &opt, err, sizeof err);
	if (!doc) {
		cli_error("%s: %s", db, err);
		return EXIT_INTERNAL;
	}
	if (report_geo && cli_geo_annotate_report(report_geo, doc) != 0) {
		cli_error("%s: out of memory", db);
		json_decref(doc);
		return EXIT_INTERNAL;
	}
	int rc = EXIT_OK;
	bool to_stdout = !strcmp(out_path, "-");
	struct report_out ro;
	int wrc = report_out_write(doc, format, out_path, &ro, err,
				   sizeof err);
	if (wrc != 0) {
		if (err[0])
			cli_error("%s", err);
		json_decref(doc);
		return wrc == -2 ? EXIT_INPUT : EXIT_INTERNAL;
	}
	json_t *run = json_object_get(doc, "run");
	json_int_t run_id = json_integer_value(json_object_get(run, "id"));
	json_decref(doc);
	if (cc.tampered) {
		cli_error("%s: TAMPERED: %s; the report says so, and nothing "
			  "was added to the case", db, cc.first_problem);
		return EXIT_FINDING;
	}
	char detail[PATH_MAX + 512], runs[32];
	if (run_id)
		snprintf(runs, sizeof runs, "%lld", (long long)run_id);
	else
		snprintf(runs, sizeof runs, "none");
	snprintf(detail, sizeof detail,
		 "%s report %s%s sha256 %s (%" PRIu64 " bytes); states head "
		 "%" PRIu64 " %s; score run %s",
		 report_format_name((enum report_format)format),
		 to_stdout ? "(standard output)"
			   : attrib_output_path(out_path),
		 ro.stream && !to_stdout ? " (character device)" : "",
		 ro.sha256, ro.bytes,
		 cc.chain.head_seq, cc.chain.head_hash, runs);
	const char *ro_why;
	bool readonly = store_readonly(st, &ro_why);
	if (readonly)
		cli_error("%s: the case is read-only (%s): the report is "
			  "written, no custody entry is recorded", db, ro_why);
	else if (store_custody(st, "report", args, detail) != 0 ||
		 store_commit(st) != 0) {
		cli_error("%s", store_error(st));
		return EXIT_INTERNAL;
	}
	uint64_t seq;
	char head_hex[65];
	store_head(st, &seq, head_hex);
	FILE *msg = to_stdout ? stderr : stdout;
	if (!to_stdout)
		fprintf(msg, "report: %s (%s, sha256 %s)\n", cli_safe(out_path),
			report_format_name((enum report_format)format),
			ro.sha256);
	if (readonly)
		fprintf(msg, "head: %" PRIu64 " %s (unchanged)\n", seq,
			head_hex);
	else
		fprintf(msg, "head: %" PRIu64 " %s (written to %s)\n", seq,
			head_hex, cli_safe(store_head_path(st)));
	return rc;
}

static void usage_report(FILE *out)
{
	fprintf(out,
		"usage: attrib report --db CASE.db [--format html|md|json|stix|misp] "
		"-o FILE [--head FILE]\n"
		"         [--geoip FILE.mmdb] [--asn FILE.mmdb]\n"
		"  the format defaults to the one FILE's extension names "
		"(.html, .md, .json, .stix.json, .misp.json);\n"
		"  -o - writes to standard output (then --format is needed)\n"
		"  exit 0 written, 1 written but the case is TAMPERED, 2 usage "
		"or input error\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"head", required_argument, NULL, 'H'},
		CLI_GEO_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *fmt = NULL, *out = NULL, *head = NULL;
	char args[4096], err[1024], head_default[4200];
	cli_join_args(argc, argv, args, sizeof args);
	int c;
	optind = 1;
	struct cli_geo geo = {0};
	while ((c = getopt_long(argc, argv, "d:f:o:H:hG:A:", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'f': fmt = optarg; break;
		case 'o': out = optarg; break;
		case 'H': head = optarg; break;
		case 'h': usage_report(stdout); return EXIT_OK;
		default:
			if (cli_geo_option(&geo, c, optarg))
				break;
			usage_report(stderr);
			return EXIT_INPUT;
		}
	}
	if (!db || !out || optind != argc) {
		cli_error("report: --db CASE.db and -o FILE are required, and "
			  "nothing else");
		usage_report(stderr);
		return EXIT_INPUT;
	}
	int format = fmt ? report_format_parse(fmt)
			 : report_format_from_path(out);
	if (format < 0) {
		if (fmt)
			cli_error("report: unknown format '%s' (html, md, json, "
				  "stix, misp)", fmt);
		else
			cli_error("report: %s: give --format, the extension "
				  "names no format", out);
		return EXIT_INPUT;
	}
	if (report_out_check(out, err, sizeof err) != 0) {
		cli_error("report: %s", err);
		return EXIT_INPUT;
	}
	if (cli_case_path_check(db, false) != 0)
		return EXIT_INPUT;
	if (access(db, R_OK) != 0) {
		cli_error("%s: %s", db, strerror(errno));
		return EXIT_INPUT;
	}
	if (store_probe(db, err, sizeof err) == 0) {
		cli_error("%s: TAMPERED: database damaged: %s (no report; run "
			  "attrib verify)", db, err);
		return EXIT_FINDING;
	}
	if (cli_geo_open(&geo) != 0)
		return EXIT_INPUT;
	struct store *st = cli_open_case(db);
	if (!st) {
		cli_geo_close(&geo);
		return EXIT_INPUT;
	}
	int rc = EXIT_INPUT;
	if (cli_geo_active(&geo)) {
		report_geo = &geo;
		if (cli_geo_custody(&geo, st, args) != 0)
			rc = EXIT_INTERNAL;
	}
	if (rc == EXIT_INPUT && cli_set_head(st, head) == 0) {
		snprintf(head_default, sizeof head_default, "%s",
			 store_head_path(st));
		rc = cli_report_case(st, db, head_default, out, format, args,
				     NULL);
	}
	report_geo = NULL;
	cli_geo_close(&geo);
	if (store_close(st, err, sizeof err) != 0) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
	}
	return rc;
}
