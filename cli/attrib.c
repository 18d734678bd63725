/*
 * attrib.c — command dispatch. Each command lives in cli/cmd_*.c.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/evidence/store.h"
#include "analyze/vocab/version.h"
#include "analyze/ingest/pipeline.h"
#include "cli/cli.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static const struct command commands[] = {
	{"ingest", cmd_ingest, "ingest  --db CASE.db PATH...   read pcap/pcapng files or folders into a case"},
	{"capture", cmd_capture, "capture --db CASE.db -i IFACE [-f BPF] [-w DIR] [--rotate-mb N] [--rotate-s N]\n"
				 "          [--duration S] [--count N] [--user USER]  live traffic into pcapng files and the case"},
	{"verify", cmd_verify, "verify  --db CASE.db [--head FILE]  re-check the evidence chain, source files and cited packets"},
	{"indicators", cmd_indicators, "indicators --db CASE.db [--kind KIND] [--json]  every observation"},
	{"score", cmd_score, "score   --db CASE.db --models PATH... [--json]  score attribution hypotheses"},
	{"analyze", cmd_analyze, "analyze [--db CASE.db] --models PATH... -o REPORT PATH...  ingest, score and report in one"},
	{"report", cmd_report, "report  --db CASE.db --format html|md|json|stix -o FILE  the case's report"},
	{"summary", cmd_summary, "summary --db CASE.db           sources, flows by protocol, anomalies"},
};

static void usage(FILE *out)
{
	fprintf(out, "attrib %s — network evidence for attribution\n\nusage:\n",
		ATTRIB_VERSION);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  attrib %s\n", commands[i].usage);
	fprintf(out, "\nexit codes: 0 success, 1 finding, 2 usage or input "
		     "error, 3 internal error\n");
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("attrib: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void cli_join_args(int argc, char **argv, char *out, size_t outlen)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; i < argc && used + 1 < outlen; i++) {
		bool quote = argv[i][0] == '\0' ||
			     strpbrk(argv[i], " \t\n'\"\\$`") != NULL;
		int n = snprintf(out + used, outlen - used,
				 quote ? "%s'%s'" : "%s%s", i ? " " : "",
				 argv[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

struct store *cli_open_case(const char *db)
{
	char err[1024];
	if (access(db, R_OK) != 0) {
		cli_error("%s: no such case database", db);
		return NULL;
	}
	struct store *st = store_open(db, err, sizeof err);
	if (!st)
		cli_error("%s", err);
	return st;
}

unsigned cli_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > PIPELINE_MAX_JOBS ? PIPELINE_MAX_JOBS : (unsigned)n;
}

double cli_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	/* A file-size limit must surface as a write error we report, not
	 * as a signal that kills the process mid-commit. */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return EXIT_INPUT;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("attrib %s\n", ATTRIB_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	cli_error("unknown command '%s' (try: attrib --help)", argv[1]);
	return EXIT_INPUT;
}
