/*
 * cmd_capture.c — `attrib capture --db CASE.db -i IFACE ...`: capture live
 * traffic into preserved pcapng files and analyse it as it comes, through
 * the same pipeline as `attrib ingest` (docs/capture.md).
 *
 * Order of start-up: options; the interface opened and the filter set
 * (as root or with CAP_NET_RAW); privileges dropped (to --user, nobody by
 * default, when root; otherwise to no capabilities), and a failure to drop
 * ends the run before any packet is analysed; then, as the unprivileged
 * user, the case and the folder of files are opened. A bad interface or
 * filter therefore leaves no case behind.
 *
 * SIGINT and SIGTERM stop the capture: the packets already captured are
 * taken, the current file is synced, hashed and chained, the evidence
 * committed and the head printed. SIGUSR1 prints the counters. The
 * signals are blocked except while waiting for packets, so they never
 * interrupt a write.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/ingest/case_behaviour.h"
#include "analyze/flow/dpi.h"
#include "capture/defrag.h"
#include "capture/privilege.h"
#include "cli/capture.h"
#include "cli/cli.h"
#include "cli/out.h"
#include "cli/progress.h"

enum {
	ERR_LEN = 2048,
	WAIT_MS = 250,               /* longest sleep between checks */
	DISPATCH_MAX = 4096,         /* packets per dispatch */
	DRAIN_ROUNDS = 16,           /* dispatches to empty the buffer at the end */
	DEFAULT_SNAPLEN = 262144,
	DEFAULT_BUFFER_MB = 8,
	DEFAULT_BATCH = 65536,
	MAX_FILTER_LEN = 8192,
};
static const double DEFAULT_COMMIT_S = 1.0;

static volatile sig_atomic_t got_stop, got_usr1;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_stop = sig;
}

static void usage_capture(FILE *out)
{
	fprintf(out,
		"usage: attrib capture --db CASE.db -i IFACE [-f BPF] [-w DIR]\n"
		"         [--rotate-mb N] [--rotate-s N] [--duration S] [--count N]\n"
		"         [--user USER] [-s SNAPLEN] [-B BUFFER_MB] [--no-promisc]\n"
		"         [--batch N] [--commit-s S] [--head FILE] [--jobs N]\n"
		"  -w DIR         where the pcapng files go (default CASE.db.capture)\n"
		"  --rotate-mb N  start a new file before one passes N MB (10^6 bytes)\n"
		"  --rotate-s N   start a new file every N seconds\n"
		"  --duration S   stop after S seconds; --count N: after N packets\n"
		"  --user USER    analyse as USER after opening the interface\n"
		"                 (as root; default nobody)\n"
		"  -s SNAPLEN     bytes kept per packet (default %d)\n"
		"  -B BUFFER_MB   kernel capture buffer (default %d MiB)\n"
		"  --batch N, --commit-s S  commit the evidence every N packets or S\n"
		"                 seconds (default %d, %.0f)\n"
		"  --jobs N       flow workers analysing the packets (default: the\n"
		"                 online cores; 1: one thread)\n"
		"SIGINT/SIGTERM stop and commit; SIGUSR1 prints the counters.\n",
		DEFAULT_SNAPLEN, DEFAULT_BUFFER_MB, DEFAULT_BATCH,
		DEFAULT_COMMIT_S);
}

/* A whole number in [min, max]; prints the error. */
static int parse_count(const char *opt, const char *text, uint64_t min,
		       uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || *end || text[0] == '-' || text[0] == '\0' || v < min ||
	    v > max) {
		cli_error("capture: %s takes a whole number from %" PRIu64
			  " to %" PRIu64 ", not '%s'", opt, min, max, text);
		return -1;
	}
	*out = v;
	return 0;
}

/* A number > 0 (decimals allowed) up to max; prints the error. */
static int parse_amount(const char *opt, const char *text, double max,
			double *out)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (errno || *end || text[0] == '\0' || !isfinite(v) || v <= 0 ||
	    v > max) {
		cli_error("capture: %s takes a number above 0 and up to %.0f, "
			  "not '%s'", opt, max, text);
		return -1;
	}
	*out = v;
	return 0;
}

/* Fills o from the command line. 0, 1 for --help, -1 on a usage error. */
static int parse_options(int argc, char **argv, struct capture_options *o)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"interface", required_argument, NULL, 'i'},
		{"filter", required_argument, NULL, 'f'},
		{"dir", required_argument, NULL, 'w'},
		{"rotate-mb", required_argument, NULL, 'M'},
		{"rotate-s", required_argument, NULL, 'S'},
		{"duration", required_argument, NULL, 'D'},
		{"count", required_argument, NULL, 'c'},
		{"user", required_argument, NULL, 'u'},
		{"snaplen", required_argument, NULL, 's'},
		{"buffer-mb", required_argument, NULL, 'B'},
		{"no-promisc", no_argument, NULL, 'P'},
		{"batch", required_argument, NULL, 'b'},
		{"commit-s", required_argument, NULL, 'C'},
		{"head", required_argument, NULL, 'H'},
		{"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	uint64_t n;
	double mb;
	int ch;

	*o = (struct capture_options){
		.snaplen = DEFAULT_SNAPLEN,
		.buffer_bytes = DEFAULT_BUFFER_MB << 20,
		.batch = DEFAULT_BATCH,
		.commit_s = DEFAULT_COMMIT_S,
		.promisc = true,
		.jobs = cli_default_jobs(),
	};
	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:i:f:w:c:u:s:B:H:h", opts,
				 NULL)) != -1) {
		switch (ch) {
		case 'd': o->db = optarg; break;
		case 'i': o->ifname = optarg; break;
		case 'f': o->filter = optarg; break;
		case 'w': o->dir = optarg; break;
		case 'u': o->user = optarg; break;
		case 'H': o->head = optarg; break;
		case 'P': o->promisc = false; break;
		case 'M':
			if (parse_amount("--rotate-mb", optarg, 1e9, &mb) != 0)
				return -1;
			o->rotate_bytes = (uint64_t)(mb * 1e6);
			break;
		case 'S':
			if (parse_amount("--rotate-s", optarg, 1e9, &o->rotate_s))
				return -1;
			break;
		case 'D':
			if (parse_amount("--duration", optarg, 1e9, &o->duration_s))
				return -1;
			break;
		case 'C':
			if (parse_amount("--commit-s", optarg, 3600, &o->commit_s))
				return -1;
			break;
		case 'c':
			if (parse_count("--count", optarg, 1, UINT64_MAX / 2,
					&o->count) != 0)
				return -1;
			break;
		case 'b':
			if (parse_count("--batch", optarg, 1, UINT32_MAX,
					&o->batch) != 0)
				return -1;
			break;
		case 's':
			if (parse_count("-s/--snaplen", optarg, 64,
					PCAPNG_MAX_CAPLEN, &n) != 0)
				return -1;
			o->snaplen = (uint32_t)n;
			break;
		case 'B':
			if (parse_count("-B/--buffer-mb", optarg, 1, 2047, &n) != 0)
				return -1;
			o->buffer_bytes = (uint32_t)(n << 20);
			break;
		case 'j':
			if (parse_count("--jobs", optarg, 1, PIPELINE_MAX_JOBS,
					&n) != 0)
				return -1;
			o->jobs = (unsigned)n;
			break;
		case 'h': usage_capture(stdout); return 1;
		default: usage_capture(stderr); return -1;
		}
	}
	if (!o->db || !o->ifname || optind != argc) {
		cli_error("capture: %s", optind != argc
			  ? "unexpected argument (a filter goes after -f, quoted)"
			  : !o->db ? "--db CASE.db is required"
				   : "-i IFACE is required");
		usage_capture(stderr);
		return -1;
	}
	if (o->filter && strlen(o->filter) > MAX_FILTER_LEN) {
		cli_error("capture: filter longer than %d characters",
			  MAX_FILTER_LEN);
		return -1;
	}
	if (o->rotate_bytes && o->rotate_bytes < 1024) {
		cli_error("capture: --rotate-mb below 0.001 (1 kB)");
		return -1;
	}
	return 0;
}

/* Blocks the signals attrib handles (they are let in by live_wait())
 * and puts the mask to wait with in *wait_mask. */
static void setup_signals(sigset_t *wait_mask)
{
	struct sigaction sa;
	sigset_t handled;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&handled);
	sigaddset(&handled, SIGINT);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGUSR1);
	sigprocmask(SIG_BLOCK, &handled, wait_mask);
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGUSR1);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

/* One line of counters (SIGUSR1, the end). */
static void print_counters(struct capture *c, double t0)
{
	if (live_stats(c->live, &c->stats) != 0)
		memset(&c->stats, 0, sizeof c->stats);
	cli_error("%s: %" PRIu64 " packets in %" PRIu64 " files (%" PRIu64
		" in the current one), libpcap: received %" PRIu64
		", dropped %" PRIu64 ", dropped by the interface %" PRIu64
		"; %.1f s",
		c->o->ifname, c->packets, c->files,
		c->w ? pcapng_writer_packets(c->w) : 0, c->stats.received,
		c->stats.dropped, c->stats.if_dropped, cli_now() - t0);
}

/* The status line (terminal only): packets, drops, rate, current file. */
static void draw_status(struct capture *c, struct progress *pr,
			uint64_t *rate_packets, double *rate_t)
{
	double now = cli_now();
	if (!pr->enabled || now - pr->last_draw < 0.5)
		return;
	if (live_stats(c->live, &c->stats) != 0)
		return;
	double rate = now > *rate_t ? (double)(c->packets - *rate_packets) /
					      (now - *rate_t)
				    : 0;
	*rate_packets = c->packets;
	*rate_t = now;
	progress_text(pr, "  %s: %" PRIu64 " packets, %.0f/s, dropped %" PRIu64
		      " (interface %" PRIu64 "), file %u %.1f MB",
		      c->o->ifname, c->packets, rate, c->stats.dropped,
		      c->stats.if_dropped, c->file_no,
		      c->w ? (double)pcapng_writer_size(c->w) / 1e6 : 0.0);
}

/* Waits for packets and handles them until something stops the capture. */
static void capture_loop(struct capture *c, const sigset_t *wait_mask,
			 double t0)
{
	struct progress pr;
	uint64_t rate_packets = 0;
	double rate_t = t0;

	progress_start(&pr, 0);
	while (c->stop == STOP_RUNNING) {
		int wait_ms = WAIT_MS;
		if (c->o->duration_s > 0) {
			double left = c->o->duration_s - (cli_now() - t0);
			if (left * 1000 < wait_ms)
				wait_ms = left > 0 ? (int)(left * 1000) + 1 : 0;
		}
		if (live_wait(c->live, wait_ms, wait_mask) < 0) {
			c->stop = STOP_CAPTURE_ERROR;
			snprintf(c->err, sizeof c->err, "%s", live_error(c->live));
			break;
		}
		if (got_usr1) {
			got_usr1 = 0;
			progress_finish(&pr);
			print_counters(c, t0);
		}
		if (live_dispatch(c->live, DISPATCH_MAX, capture_packet, c) < 0 &&
		    c->stop == STOP_RUNNING) {
			c->stop = STOP_CAPTURE_ERROR;
			snprintf(c->err, sizeof c->err, "%s", live_error(c->live));
		}
		if (c->stop == STOP_RUNNING && got_stop) {
			c->stop = STOP_SIGNAL;
			c->stop_signal = got_stop;
		}
		if (c->stop == STOP_RUNNING && c->o->duration_s > 0 &&
		    cli_now() - t0 >= c->o->duration_s)
			c->stop = STOP_DURATION;
		if (c->stop == STOP_RUNNING)
			capture_tick(c);
		draw_status(c, &pr, &rate_packets, &rate_t);
	}
	progress_finish(&pr);
	/* What the kernel holds already was captured before the stop. */
	if (c->stop == STOP_SIGNAL || c->stop == STOP_DURATION) {
		enum capture_stop why = c->stop;
		c->stop = STOP_RUNNING;
		for (int i = 0; i < DRAIN_ROUNDS && c->stop == STOP_RUNNING; i++)
			if (live_dispatch(c->live, DISPATCH_MAX, capture_packet,
					  c) <= 0)
				break;
		if (c->stop == STOP_RUNNING || c->stop == STOP_COUNT)
			c->stop = why;
	}
}

static const char *stop_text(const struct capture *c, char *buf, size_t n)
{
	switch (c->stop) {
	case STOP_SIGNAL:
		snprintf(buf, n, "stopped by %s", c->stop_signal == SIGTERM
							 ? "SIGTERM" : "SIGINT");
		break;
	case STOP_DURATION: snprintf(buf, n, "duration reached"); break;
	case STOP_COUNT: snprintf(buf, n, "packet count reached"); break;
	default: snprintf(buf, n, "stopped by an error: %s", c->err); break;
	}
	return buf;
}

/* Ends the capture: the current file closed (or given up after a failed
 * write), a custody entry with the final counters, the derived tables.
 * Returns the exit code. */
static int capture_finish(struct capture *c, double t0)
{
	char why[CAPTURE_ERR_LEN + 64], detail[CAPTURE_ERR_LEN + 512];
	bool failed = c->stop == STOP_WRITE_ERROR || c->stop == STOP_STORE_ERROR;

	if (!failed && c->w && capture_close_file(c) != 0)
		failed = true;
	if (failed)
		capture_give_up_file(c);
	if (live_stats(c->live, &c->stats) != 0)
		memset(&c->stats, 0, sizeof c->stats);
	snprintf(detail, sizeof detail,
		 "end: %s; %" PRIu64 " packets in %" PRIu64 " files, %" PRIu64
		 " flows; libpcap: received %" PRIu64 ", dropped %" PRIu64
		 ", dropped by the interface %" PRIu64 "; %.1f s",
		 stop_text(c, why, sizeof why), c->packets, c->files, c->flows,
		 c->stats.received, c->stats.dropped, c->stats.if_dropped,
		 cli_now() - t0);
	bool recorded = store_custody(c->st, "capture-end", c->args, detail) == 0 &&
			store_commit(c->st) == 0;
	/* behaviour over the flows of all the files, as an ingest of them
	 * would judge it */
	struct behaviour_stats bs;
	if (!failed && (!recorded || store_build_indexes(c->st) != 0 ||
			case_behaviour_recompute(c->st, &bs) != 0 ||
			(bs.written && store_build_indexes(c->st) != 0))) {
		failed = true;
		snprintf(c->err, sizeof c->err, "%s", store_error(c->st));
	}
	if (c->stop == STOP_CAPTURE_ERROR || failed)
		cli_error("%s", c->err);
	else
		cli_error("%s: %s: %" PRIu64 " packets in %" PRIu64
			  " files in %s; libpcap: received %" PRIu64
			  ", dropped %" PRIu64 ", dropped by the interface %" PRIu64,
			c->o->ifname, why, c->packets, c->files, c->dir,
			c->stats.received, c->stats.dropped,
			c->stats.if_dropped);
	if (failed)
		return EXIT_INTERNAL;
	return c->stop == STOP_CAPTURE_ERROR ? EXIT_INPUT : EXIT_OK;
}

/* Opens the case and the pipeline, records the start in custody and opens
 * the first file. Prints the error; returns an exit code or -1 to go on. */
static int capture_start(struct capture *c, const char *started_by, const char *privileges)
{
	char err[ERR_LEN], detail[ERR_LEN + 1024];
	struct pipeline_config cfg;

	if (cli_case_path_check(c->o->db, true) != 0 ||
	    (c->o->head && cli_head_check(c->o->head) != 0))
		return EXIT_INPUT;
	if (!(c->st = store_open(c->o->db, err, sizeof err))) {
		cli_error("%s", err);
		return EXIT_INPUT;
	}
	if (cli_set_head(c->st, c->o->head) != 0)
		return EXIT_INPUT;
	pipeline_config_default(&cfg);
	cfg.checkpoint_packets = UINT64_MAX; /* commits: capture_files.c */
	cfg.jobs = c->o->jobs;
	if (!(c->pl = pipeline_create(c->st, &cfg, err, sizeof err))) {
		cli_error("%s", err);
		return EXIT_INTERNAL;
	}
	if (!(c->df = defrag_create(NULL))) {
		cli_error("out of memory (reassembly)");
		return EXIT_INTERNAL;
	}
	snprintf(detail, sizeof detail,
		 "start: interface %s (%s), filter %s%s%s, snaplen %u, buffer %u "
		 "bytes, files in %s; started by %s; analysing as %s",
		 c->o->ifname, live_linktype_name(c->live),
		 c->o->filter ? "'" : "", c->o->filter ? c->o->filter : "none",
		 c->o->filter ? "'" : "", live_snaplen(c->live),
		 c->o->buffer_bytes, c->dir, started_by, privileges);
	if (store_custody(c->st, "capture-start", c->args, detail) != 0 ||
	    store_commit(c->st) != 0) {
		cli_error("%s", store_error(c->st));
		return EXIT_INTERNAL;
	}
	if (capture_open_file(c) != 0) {
		cli_error("%s", c->err);
		return EXIT_INTERNAL;
	}
	return -1;
}

int cmd_capture(int argc, char **argv)
{
	struct capture_options o;
	struct priv_plan plan;
	struct capture c;
	enum live_fault fault;
	char err[ERR_LEN], all_args[4096], started_by[128], privileges[256];
	sigset_t wait_mask;
	int rc;

	cli_join_args(argc, argv, all_args, sizeof all_args);
	rc = parse_options(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? EXIT_OK : EXIT_INPUT;
	memset(&c, 0, sizeof c);
	c.o = &o;
	c.args = all_args;
	setup_signals(&wait_mask);
	if (priv_plan(o.user, &plan, err, sizeof err) != 0) {
		cli_error("capture: %s", err);
		return EXIT_INPUT;
	}
	struct passwd *pw = getpwuid(getuid());
	snprintf(started_by, sizeof started_by, "%s (uid %u)",
		 pw ? pw->pw_name : "?", (unsigned)getuid());
	struct live_config lc = {
		.ifname = o.ifname, .filter = o.filter, .snaplen = o.snaplen,
		.buffer_bytes = o.buffer_bytes, .promisc = o.promisc,
	};
	if (!(c.live = live_open(&lc, err, sizeof err, &fault))) {
		cli_error("%s", err);
		return fault == LIVE_FAULT_INTERNAL ? EXIT_INTERNAL : EXIT_INPUT;
	}
	/* No captured byte is looked at before this point. */
	if (priv_drop(&plan, err, sizeof err) != 0) {
		cli_error("capture: cannot drop privileges: %s; refusing to "
			  "analyse traffic with them", err);
		rc = EXIT_INTERNAL;
		goto close_live;
	}
	priv_describe(privileges, sizeof privileges);
	if (capture_prepare_paths(&c, &plan) != 0) {
		rc = EXIT_INPUT;
		goto close_live;
	}
	capture_name_files(&c);
	rc = capture_start(&c, started_by, privileges);
	if (rc >= 0)
		goto close_all;
	cli_error("capturing on %s (%s, snaplen %u%s%s%s) into %s; "
		  "running as %s: %s",
		o.ifname, live_linktype_name(c.live), live_snaplen(c.live),
		o.filter ? ", filter '" : "", o.filter ? o.filter : "",
		o.filter ? "'" : "", c.dir, plan.user, privileges);
	double t0 = cli_now();
	c.derived_at = t0;
	capture_loop(&c, &wait_mask, t0);
	rc = capture_finish(&c, t0);
	uint64_t head_seq;
	char head_hex[65];
	store_head(c.st, &head_seq, head_hex);
	printf("head: %" PRIu64 " %s (written to %s)\n", head_seq, head_hex,
	       cli_safe(store_head_path(c.st)));
close_all:
	pipeline_destroy(c.pl);
	defrag_destroy(c.df);
	if (c.st && store_close(c.st, err, sizeof err) != 0) {
		cli_error("%s", err);
		if (rc == EXIT_OK)
			rc = EXIT_INTERNAL;
	}
close_live:
	live_close(c.live);
	return rc;
}
