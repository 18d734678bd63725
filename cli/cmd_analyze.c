/*
 * cmd_analyze.c — `attrib analyze [--db CASE.db] --models PATH... -o
 * REPORT PATH...`: ingest, score and report in one command.
 *
 * The models are loaded first, so a mistake in a model stops the run
 * before any capture is read. Without --db the case is made in a new
 * temporary folder and, unless --keep is given, removed after the
 * report: the report then says that its evidence database is gone (the
 * captures it cites are not). The report's format comes from REPORT's
 * extension (.html, .md, .json, .stix.json) unless --format names it.
 *
 * A capture that ends in an input error keeps the evidence read before
 * it, as with attrib ingest; scoring and the report still run, and the
 * exit status is 2. A tampered case gives the report and exit status 1.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/evidence/store.h"
#include "analyze/intel/model.h"
#include "analyze/report/report.h"
#include "cli/cli.h"
#include "cli/out.h"
#include "cli/report_out.h"

struct analyze_opts {
	const char *db, *out, *format, *head;
	const char **models;
	size_t n_models;
	bool keep;
	int format_id;
};

static void usage_analyze(FILE *out)
{
	fprintf(out,
		"usage: attrib analyze [--db CASE.db | --keep] --models PATH... "
		"-o REPORT [--format F] PATH...\n"
		"  ingest the capture files or folders PATH, score them with the "
		"models, write the report\n"
		"  --models takes every argument up to the next option; the "
		"captures come last\n"
		"  without --db the case is temporary (--keep keeps it and says "
		"where)\n");
}

/* getopt with '+' stops at the first operand: the operands right after
 * --models are more model paths, those after any other option are the
 * captures. Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct analyze_opts *o,
		      int *first_capture)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"models", required_argument, NULL, 'm'},
		{"output", required_argument, NULL, 'o'},
		{"format", required_argument, NULL, 'f'},
		{"head", required_argument, NULL, 'H'},
		{"keep", no_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	o->models = calloc((size_t)argc + 1, sizeof *o->models);
	if (!o->models)
		return EXIT_INTERNAL;
	int c, last = 0;
	optind = 1;
	for (;;) {
		c = getopt_long(argc, argv, "+d:m:o:f:H:kh", opts, NULL);
		if (c == -1) {
			if (last != 'm' || optind >= argc ||
			    !strcmp(argv[optind - 1], "--"))
				break;
			while (optind < argc && argv[optind][0] != '-')
				o->models[o->n_models++] = argv[optind++];
			continue;
		}
		last = c;
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'm': o->models[o->n_models++] = optarg; break;
		case 'o': o->out = optarg; break;
		case 'f': o->format = optarg; break;
		case 'H': o->head = optarg; break;
		case 'k': o->keep = true; break;
		case 'h': usage_analyze(stdout); return EXIT_OK;
		default: usage_analyze(stderr); return EXIT_INPUT;
		}
	}
	*first_capture = optind;
	if (!o->n_models || !o->out || optind >= argc) {
		cli_error("analyze: --models PATH..., -o REPORT and at least one "
			  "capture are required");
		usage_analyze(stderr);
		return EXIT_INPUT;
	}
	if (o->db && o->keep) {
		cli_error("analyze: --keep is for the temporary case; with --db "
			  "the case is kept anyway");
		return EXIT_INPUT;
	}
	o->format_id = o->format ? report_format_parse(o->format)
				 : report_format_from_path(o->out);
	if (o->format_id < 0) {
		cli_error("analyze: %s: give --format html|md|json|stix, the "
			  "name says no format", o->format ? o->format : o->out);
		return EXIT_INPUT;
	}
	char err[1024];
	if (report_out_check(o->out, err, sizeof err) != 0) {
		cli_error("analyze: %s", err);
		return EXIT_INPUT;
	}
	return -1;
}

/* Removes the temporary case: the database, its WAL files, the head file
 * and the folder. */
static void remove_temporary(const char *dir, const char *db)
{
	static const char *const suffix[] = {"", "-wal", "-shm", ".head",
					     ".head.tmp"};
	char path[PATH_MAX];
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(path, sizeof path, "%s%s", db, suffix[i]);
		unlink(path);
	}
	if (rmdir(dir) != 0)
		cli_error("%s: temporary case folder not removed: %s", dir,
			  strerror(errno));
}

/* The worse of two exit codes (internal > input > finding > ok). */
static int worse(int a, int b)
{
	static const int rank[] = {[EXIT_OK] = 0, [EXIT_FINDING] = 1,
				   [EXIT_INPUT] = 2, [EXIT_INTERNAL] = 3};
	return rank[b] > rank[a] ? b : a;
}

int cmd_analyze(int argc, char **argv)
{
	struct analyze_opts o = {0};
	int first = 0;
	int rc = parse_args(argc, argv, &o, &first);
	if (rc >= 0) {
		free(o.models);
		return rc;
	}
	char args[4096], err[1024], tmpdir[PATH_MAX] = "", dbpath[PATH_MAX];
	cli_join_args(argc, argv, args, sizeof args);
	struct model_set *ms = NULL;
	struct store *st = NULL;
	struct file_list files = {0};
	rc = EXIT_INPUT;
	if (!(ms = cli_load_models(o.models, o.n_models)) ||
	    cli_collect_captures(&files, argc - first, argv + first) != 0)
		goto done;
	if (!o.db) {
		const char *base = getenv("TMPDIR");
		snprintf(tmpdir, sizeof tmpdir, "%s/attrib-case-XXXXXX",
			 base && base[0] ? base : "/tmp");
		if (!mkdtemp(tmpdir)) {
			cli_error("%s: %s", tmpdir, strerror(errno));
			tmpdir[0] = '\0';
			goto done;
		}
		snprintf(dbpath, sizeof dbpath, "%s/case.db", tmpdir);
		o.db = dbpath;
	}
	if (cli_case_path_check(o.db, true) != 0 ||
	    (o.head && cli_head_check(o.head) != 0))
		goto done;
	if (!(st = store_open(o.db, err, sizeof err))) {
		cli_error("%s", err);
		goto done;
	}
	if (cli_set_head(st, o.head) != 0)
		goto done;
	int irc = cli_ingest_files(st, &files, args, 0, cli_default_jobs());
	if (irc == EXIT_INTERNAL || irc > EXIT_INTERNAL) { /* or interrupted (130) */
		rc = irc;
		goto done;
	}
	rc = cli_score_case(st, ms, false, args);
	if (rc != EXIT_OK)
		goto done;
	char head[PATH_MAX + 8];
	snprintf(head, sizeof head, "%s", store_head_path(st));
	rc = cli_report_case(st, o.db, head, o.out, o.format_id, args,
			     !tmpdir[0] ? NULL
			     : o.keep   ? "temporary case made by attrib "
					  "analyze, kept (--keep)"
					: "temporary case made by attrib "
					  "analyze, deleted after this report "
					  "(use --db CASE.db or --keep to keep "
					  "it); the captures it cites are "
					  "unchanged");
	rc = worse(rc, irc);
	if (tmpdir[0] && o.keep)
		printf("case: %s (kept; head file %s)\n", cli_safe(o.db),
		       cli_safe(head));
done:
	if (st && store_close(st, err, sizeof err) != 0) {
		cli_error("%s", err);
		rc = worse(rc, EXIT_INTERNAL);
	}
	if (tmpdir[0] && !o.keep)
		remove_temporary(tmpdir, dbpath);
	cli_file_list_free(&files);
	model_set_destroy(ms);
	free(o.models);
	return rc;
}
