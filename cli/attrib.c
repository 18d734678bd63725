/*
 * attrib.c — command dispatch. Each command lives in cli/cmd_*.c.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/vocab/reproducible.h"
#include "analyze/evidence/store.h"
#include "analyze/parse/text.h"
#include "analyze/vocab/version.h"
#include "analyze/ingest/pipeline.h"
#include "cli/cli.h"
#include "cli/suggest.h"
#include "cli/out.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static const struct command commands[] = {
	{"ingest", cmd_ingest, "ingest  --db CASE.db [--shard K/N] PATH...   read pcap/pcapng files or folders into a case"},
	{"capture", cmd_capture, "capture --db CASE.db -i IFACE [-f BPF] [-w DIR] [--rotate-mb N] [--rotate-s N]\n"
				 "          [--duration S] [--count N] [--user USER]  live traffic into pcapng files and the case"},
	{"verify", cmd_verify, "verify  --db CASE.db [--head FILE] [--shard-dir DIR]  re-check the evidence chain, source files and cited packets"},
	{"indicators", cmd_indicators, "indicators --db CASE.db [--kind KIND]... [--json | --eve] [--geoip F] [--asn F]  every observation"},
	{"score", cmd_score, "score   --db CASE.db --models PATH... [--json]  score attribution hypotheses"},
	{"analyze", cmd_analyze, "analyze [--db CASE.db] --models PATH... -o REPORT PATH...  ingest, score and report in one"},
	{"report", cmd_report, "report  --db CASE.db --format html|md|json|stix|misp -o FILE [--geoip F] [--asn F]  the case's report"},
	{"flows", cmd_flows, "flows   --db CASE.db [--json] [--addr A] [--port P] [--proto P] [--community-id ID] [--geoip F] [--asn F]  the sessions"},
	{"match", cmd_match, "match   --db CASE.db --intel PATH... [--json]  observations named by IOC lists, Zeek intel, MISP, Suricata datasets, models"},
	{"merge", cmd_merge, "merge   --db OUT.db IN.db...      combine shard cases, verifying each first"},
	{"summary", cmd_summary, "summary --db CASE.db           sources, flows by protocol, anomalies"},
};

static void usage(FILE *out)
{
	fprintf(out, "attrib %s — network evidence for attribution\n\nusage:\n",
		ATTRIB_VERSION);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  attrib %s\n", commands[i].usage);
	fprintf(out, "  attrib help CMD                    a command's options\n"
		     "  attrib -V | --version              the version\n"
		     "\nexit codes: 0 success, 1 finding, 2 usage or input "
		     "error, 3 internal error, 130 interrupted\n"
		     "manual: man attrib\n");
}

void cli_error(const char *fmt, ...)
{
	/* File names, names from models and values from captures go into
	 * messages: escaped as one, the message stays one line and cannot
	 * drive the terminal. */
	char msg[4096], safe[TEXT_ONELINE_SIZE(sizeof msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "attrib: %s\n", text_oneline(msg, safe, sizeof safe));
}

void cli_join_args(int argc, char **argv, char *out, size_t outlen)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; i < argc && used + 1 < outlen; i++) {
		bool quote = argv[i][0] == '\0' ||
			     strpbrk(argv[i], " \t\n'\"\\$`") != NULL;
		/* SOURCE_DATE_EPOCH: paths without folders, so copies of a
		 * case anywhere record the same command line */
		int n = snprintf(out + used, outlen - used,
				 quote ? "%s'%s'" : "%s%s", i ? " " : "",
				 attrib_output_path(argv[i]));
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

struct store *cli_open_case(const char *db)
{
	char err[1024];
	if (cli_case_path_check(db, false) != 0)
		return NULL;
	if (access(db, R_OK) != 0) {
		cli_error("%s: %s", db, strerror(errno));
		return NULL;
	}
	/* An existing case only; read-only when it cannot be written (the
	 * command then says what it could not record). */
	struct store *st = store_open_mode(db, STORE_EXISTING, err, sizeof err);
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

/* The command named name, or NULL. */
static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/* "unknown command" with the nearest command when one is near. */
static int unknown_command(const char *name)
{
	enum { N = sizeof commands / sizeof commands[0] };
	const char *names[N + 2];
	for (size_t i = 0; i < N; i++)
		names[i] = commands[i].name;
	names[N] = "help";    /* the words dispatch() knows besides */
	names[N + 1] = "version";
	const char *near = cli_suggest(name, names, N + 2);
	if (near)
		cli_error("unknown command '%s' (did you mean '%s'? try: attrib "
			  "help)", name, near);
	else
		cli_error("unknown command '%s' (try: attrib help)", name);
	return EXIT_INPUT;
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_INPUT;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    (!strcmp(argv[1], "help") && argc == 2)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		/* attrib help CMD: the command's own --help */
		const struct command *c = find_command(argv[2]);
		if (!c)
			return unknown_command(argv[2]);
		char *help_argv[] = {argv[2], "--help", NULL};
		return c->run(2, help_argv);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") ||
	    !strcmp(argv[1], "version")) {
		printf("attrib %s\n", ATTRIB_VERSION);
		return EXIT_OK;
	}
	const struct command *c = find_command(argv[1]);
	if (c)
		return c->run(argc - 1, argv + 1);
	return unknown_command(argv[1]);
}

int main(int argc, char **argv)
{
	/* A file-size limit must surface as a write error we report, not
	 * as a signal that kills the process mid-commit. */
	signal(SIGXFSZ, SIG_IGN);
#ifdef M_ARENA_MAX
	/* One malloc arena for every thread: the ingest's flow workers and
	 * writer each kept the peak of an arena of their own (about 10 MB
	 * more peak RSS at --jobs 4), while what they allocate per flow
	 * mostly comes from glibc's per-thread caches anyway. */
	mallopt(M_ARENA_MAX, 1);
#endif
	/* Every command's output is checked once more at the end: a write
	 * that failed turns the exit code into 3 (cli/out.h). */
	return cli_out_finish(dispatch(argc, argv));
}
