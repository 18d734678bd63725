/*
 * cmd_summary.c — `attrib summary --db CASE.db`: sources, flow counts by
 * protocol and anomaly counts of a case.
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "analyze/evidence/store.h"
#include "cli/cli.h"

int cmd_summary(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'h':
			printf("usage: attrib summary --db CASE.db\n");
			return EXIT_OK;
		default:
			fprintf(stderr, "usage: attrib summary --db CASE.db\n");
			return EXIT_INPUT;
		}
	}
	if (!db || optind != argc) {
		if (!db)
			cli_error("summary: --db CASE.db is required");
		else
			cli_error("summary: unexpected argument '%s'",
				  argv[optind]);
		return EXIT_INPUT;
	}
	char err[1024];
	struct store *st = cli_open_case(db);
	if (!st)
		return EXIT_INPUT;
	int rc = EXIT_OK;
	if (store_print_summary(st, stdout) != 0) {
		cli_error("%s", store_error(st));
		rc = EXIT_INTERNAL;
	}
	if (store_close(st, err, sizeof err) != 0) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
	}
	return rc;
}
