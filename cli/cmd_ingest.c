/*
 * cmd_ingest.c — `attrib ingest --db CASE.db PATH...`: read capture files
 * (or every capture file below a folder) into the case.
 *
 * Per file: open (hashing as libpcap reads), skip when the case already
 * holds a complete source with the same SHA-256, decode every packet and
 * hand it to the pipeline, record the hash and a custody entry. A file
 * that ends in an error keeps the evidence read before the error; the run
 * goes on with the next file and exits 2 at the end. This thread reads,
 * hashes and decodes; with --jobs N (default: the online cores) N flow
 * workers and a writer thread do the rest (analyze/ingest/pipeline.h),
 * with the same evidence for every N.
 *
 * SIGINT or SIGTERM stops the run between two packets: the evidence read
 * so far is committed, an `ingest-interrupted` custody entry says where
 * it stopped, and the run exits 130 (128 + SIGINT); running the same
 * command again completes the file. A second signal ends the process at
 * once (the case stays as last committed).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/ingest/case_behaviour.h"
#include "analyze/flow/dpi.h"
#include "analyze/evidence/store.h"
#include "analyze/ingest/pipeline.h"
#include "analyze/ingest/shard.h"
#include "analyze/vocab/version.h"
#include "capture/decode.h"
#include "capture/defrag.h"
#include "capture/source.h"
#include "cli/cli.h"
#include "cli/out.h"
#include "cli/progress.h"

enum {
	ERR_LEN = 1024,
	PROGRESS_EVERY_PACKETS = 4096,
	MAX_JOBS = 256,        /* --jobs accepts 1..MAX_JOBS */
	EXIT_INTERRUPTED = 130 /* 128 + SIGINT, as a shell reports it */
};

/* The signal that asked the run to stop (SIGINT, SIGTERM), or 0. */
static volatile sig_atomic_t ingest_stop;

static void on_stop_signal(int sig)
{
	ingest_stop = sig;
	signal(sig, SIG_DFL); /* a second one ends the process at once */
}

/* Catches SIGINT and SIGTERM for the run (no SA_RESTART: a wait for
 * another process's claim returns early), saving the old actions. */
static void catch_stop_signals(struct sigaction old[2])
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	ingest_stop = 0;
	sigaction(SIGINT, &sa, &old[0]);
	sigaction(SIGTERM, &sa, &old[1]);
}

static void restore_stop_signals(const struct sigaction old[2])
{
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
}

struct run {
	struct store *st;
	struct pipeline *pl;
	struct defrag *df;         /* IP reassembly, before the flow table */
	struct pipeline_config cfg;
	struct progress progress;
	const char *args;
	unsigned long jobs;
	uint64_t packets, flows, anomalies, skipped, failed, done;
	char stopped_in[PATH_MAX + 160]; /* what an interruption kept */
};

/* True (1) when the case already holds this file's content. */
static int already_ingested(struct run *r, const char *path, uint64_t size)
{
	int same_size = store_has_source_size(r->st, size);
	if (same_size <= 0)
		return same_size;
	uint8_t sha[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1], err[ERR_LEN];
	if (file_sha256(path, sha, err, sizeof err) != 0) {
		cli_error("%s", err);
		return -1;
	}
	sha256_hex(sha, hex);
	int64_t id = store_source_by_sha256(r->st, hex);
	if (id > 0)
		cli_error("%s: already in the case as source %" PRId64
			  " (sha256 %.16s…); nothing to do", path, id, hex);
	return id < 0 ? -1 : id > 0;
}

/*
 * Stops the run inside a file at a signal: commits the evidence of frames
 * 1..frame, records an ingest-interrupted custody entry and notes what
 * was kept for the closing message. Returns 2 (stopped), or -1 when the
 * commit failed.
 */
static int stop_in_file(struct run *r, const char *path,
			const struct store_resume *resume, uint64_t frame)
{
	char err[ERR_LEN], detail[PATH_MAX + 256];
	const char *sig = ingest_stop == SIGTERM ? "SIGTERM" : "SIGINT";
	if (pipeline_commit(r->pl, err, sizeof err) != 0) {
		cli_error("%s: %s", path, err);
		return -1;
	}
	snprintf(detail, sizeof detail,
		 "source %" PRId64 " %s stopped by %s after frame %" PRIu64
		 ": frames 1-%" PRIu64 " committed, source partial; the same "
		 "command completes it",
		 resume->source_id, path, sig, frame, frame);
	if (store_custody(r->st, "ingest-interrupted", r->args, detail) != 0 ||
	    store_commit(r->st) != 0) {
		cli_error("%s: %s", path, store_error(r->st));
		return -1;
	}
	snprintf(r->stopped_in, sizeof r->stopped_in,
		 "%s: frames 1-%" PRIu64 " committed (source %" PRId64
		 ", partial)", path, frame, resume->source_id);
	return 2;
}

/* Ingests one file. Returns 0, 1 when the file ended in an input error
 * (evidence before it kept), 2 when a signal stopped it (evidence before
 * it committed), -1 when the case cannot go on. */
static int ingest_file(struct run *r, const char *given)
{
	char path[PATH_MAX], err[ERR_LEN];
	if (!realpath(given, path))
		snprintf(path, sizeof path, "%s", given);
	struct source *src = source_open_file(path, err, sizeof err);
	if (!src) {
		cli_error("%s", err);
		return 1;
	}
	int rc = 0;
	uint64_t size = source_size(src);
	/* One process at a time per file (store_claim_source); the
	 * duplicate check after the claim sees what the other one did. */
	int claim = store_claim_source(r->st, size, false);
	if (claim == 0) {
		cli_error("%s: another attrib process is ingesting this "
			  "file (or one of the same size) into the case; "
			  "waiting for it to finish", path);
		claim = store_claim_source(r->st, size, true);
	}
	if (claim == -2) {
		rc = 2; /* interrupted while waiting: nothing of it read */
		goto close_source;
	}
	if (claim < 0) {
		cli_error("%s: %s", path, store_error(r->st));
		rc = -1;
		goto close_source;
	}
	int dup = already_ingested(r, path, size);
	if (dup != 0) {
		rc = dup < 0 ? -1 : 0;
		r->skipped += dup > 0;
		goto close_source;
	}
	struct store_source meta = {
		.path = path, .size = size, .format = source_format(src),
		.linktype = source_linktype(src),
		.linktype_name = source_linktype_name(src),
		.tool_version = ATTRIB_VERSION,
		.pcap_version = source_library_version(),
		.ndpi_version = dpi_version(),
	};
	struct store_resume resume;
	if (pipeline_begin(r->pl, &meta, &resume, err, sizeof err) != 0) {
		cli_error("%s: %s", path, err);
		rc = -1;
		goto close_source;
	}
	if (resume.resumed)
		cli_error("%s: completing an interrupted ingest "
			  "(frames 1-%" PRIu64 " already committed)",
			  path, resume.replay_until);
	struct packet pkt;
	enum source_status status;
	defrag_end(r->df); /* no fragment carries over from another source */
	while ((status = source_next(src, &pkt)) == SOURCE_PACKET) {
		decode_packet(&pkt);
		if (source_record_over_snaplen(src))
			anomaly_add(&pkt.anomalies, ANOM_RECORD_OVER_SNAPLEN);
		if (pipeline_packet(r->pl, defrag_packet(r->df, &pkt), err,
				    sizeof err) != 0) {
			cli_error("%s: %s", path, err);
			rc = -1;
			goto close_source;
		}
		if (pkt.frame % PROGRESS_EVERY_PACKETS == 0)
			progress_update(&r->progress, source_bytes_read(src),
					r->packets + pkt.frame);
		if (ingest_stop) {
			rc = stop_in_file(r, path, &resume, pkt.frame);
			goto close_source;
		}
	}
	/* datagrams still missing fragments at the end of the source */
	for (unsigned n = defrag_end(r->df); n > 0; n--)
		pipeline_file_anomaly(r->pl, ANOM_FRAGMENTS_INCOMPLETE,
				      source_frames(src));
	const char *error = NULL;
	if (status == SOURCE_ERROR) {
		error = source_error(src);
		cli_error("%s", error);
		pipeline_file_anomaly(r->pl, ANOM_FILE_TRUNCATED,
				      source_frames(src) + 1);
		rc = 1;
	}
	uint8_t sha[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	bool hashed = source_finish_hash(src, sha) == 0;
	/* A compressed capture: the file as stored is the source's hash;
	 * custody also keeps the hash of the decompressed stream. */
	char stream_note[2 * SHA256_LEN + 40] = "";
	uint8_t stream_sha[SHA256_LEN];
	if (hashed)
		sha256_hex(sha, hex);
	else
		cli_error("%s", source_error(src));
	if (hashed && source_stream_sha256(src, stream_sha)) {
		char stream_hex[2 * SHA256_LEN + 1];
		sha256_hex(stream_sha, stream_hex);
		snprintf(stream_note, sizeof stream_note,
			 " decompressed-sha256 %s", stream_hex);
	}
	/* The custody entry goes into the transaction that finishes the
	 * source: a finished source always has its ingest entry. The flows
	 * are closed and written first: the store is this thread's again. */
	if (pipeline_flush(r->pl, err, sizeof err) != 0) {
		cli_error("%s: %s", path, err);
		rc = -1;
		goto close_source;
	}
	const struct pipeline_stats *ps = pipeline_stats(r->pl);
	char detail[PATH_MAX + 256];
	snprintf(detail, sizeof detail,
		 "source %" PRId64 " %s sha256 %s%s packets %" PRIu64
		 " flows %" PRIu64 " status %s%s",
		 resume.source_id, path, hashed ? hex : "unknown", stream_note,
		 ps->packets,
		 ps->flows, error ? "error" : "complete",
		 resume.resumed ? " (completed an interrupted ingest)" : "");
	if (store_custody(r->st, "ingest", r->args, detail) != 0) {
		cli_error("%s: %s", path, store_error(r->st));
		rc = -1;
		goto close_source;
	}
	if (pipeline_end(r->pl, hashed ? hex : NULL,
			 error ? "error" : "complete", error, err,
			 sizeof err) != 0) {
		cli_error("%s: %s", path, err);
		rc = -1;
		goto close_source;
	}
	r->packets += ps->packets;
	r->flows += ps->flows;
	r->anomalies += ps->anomalies;
	r->done++;
close_source:
	store_release_claim(r->st);
	progress_file_done(&r->progress, size);
	source_close(src);
	return rc;
}

int cli_ingest_files(struct store *st, const struct file_list *files,
		     const char *args, uint64_t batch, unsigned long jobs)
{
	int rc = EXIT_OK;
	char err[ERR_LEN];
	struct run r = {.args = args, .jobs = jobs};
	pipeline_config_default(&r.cfg);
	if (batch)
		r.cfg.checkpoint_packets = batch;
	r.cfg.jobs = (unsigned)jobs;
	r.st = st;
	if (!(r.pl = pipeline_create(r.st, &r.cfg, err, sizeof err))) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
		goto close_all;
	}
	if (!(r.df = defrag_create(NULL))) {
		cli_error("out of memory (reassembly)");
		rc = EXIT_INTERNAL;
		goto close_all;
	}
	double t0 = cli_now();
	progress_start(&r.progress, files->total_bytes);
	struct sigaction old_actions[2];
	catch_stop_signals(old_actions);
	size_t i;
	for (i = 0; i < files->count && !ingest_stop; i++) {
		int frc = ingest_file(&r, files->paths[i]);
		if (frc < 0) {
			rc = EXIT_INTERNAL;
			break;
		}
		if (frc == 1) {
			r.failed++;
			rc = EXIT_INPUT;
		}
	}
	progress_finish(&r.progress);
	int stopped = ingest_stop;
	restore_stop_signals(old_actions);
	if (stopped && rc != EXIT_INTERNAL) {
		/* Committed already; the derived tables wait for the run that
		 * completes the ingest. */
		cli_error("interrupted by %s: %s%s%" PRIu64 " of %zu files "
			  "complete, %zu not started; run the same command again "
			  "to resume",
			  stopped == SIGTERM ? "SIGTERM" : "SIGINT", r.stopped_in,
			  r.stopped_in[0] ? "; " : "", r.done + r.skipped,
			  files->count, files->count - i);
		rc = EXIT_INTERRUPTED;
	}
	/* After a failed write (e.g. disk full) the case stays as last
	 * committed: the derived tables are not rebuilt. */
	/* Behaviour over the flows of the whole case (beacons spread over
	 * several files), once the indexes it looks up by are built. */
	struct behaviour_stats bs;
	if (rc != EXIT_INTERNAL && rc != EXIT_INTERRUPTED &&
	    (store_build_indexes(r.st) != 0 ||
	     case_behaviour_recompute(r.st, &bs) != 0 ||
	     (bs.written && store_build_indexes(r.st) != 0))) {
		cli_error("%s", store_error(r.st));
		rc = EXIT_INTERNAL;
	}
	uint64_t head_seq;
	char head_hex[65];
	store_head(r.st, &head_seq, head_hex);
	if (head_seq)
		printf("head: %" PRIu64 " %s (written to %s)\n", head_seq,
		       head_hex, cli_safe(store_head_path(r.st)));
	double secs = cli_now() - t0;
	if (r.progress.enabled || files->skipped)
		fprintf(stderr,
			"ingested %" PRIu64 " of %zu files (%" PRIu64
			" already in the case, %" PRIu64 " with errors; %zu other"
			" files skipped, named above): %" PRIu64
			" packets, %" PRIu64 " flows, %" PRIu64
			" anomalies in %.1f s (%.1f MB/s, %.0f packets/s)\n",
			r.done, files->count, r.skipped, r.failed,
			files->skipped, r.packets,
			r.flows, r.anomalies, secs,
			secs > 0 ? (double)files->total_bytes / 1e6 / secs : 0,
			secs > 0 ? (double)r.packets / secs : 0);
close_all:
	defrag_destroy(r.df);
	pipeline_destroy(r.pl);
	return rc;
}

static void usage_ingest(FILE *out)
{
	fprintf(out, "usage: attrib ingest --db CASE.db [--head FILE] "
			"[--batch PACKETS] [--jobs N]\n"
			"                     [--shard K/N] PATH...\n"
			"       attrib ingest --shard K/N --list PATH...\n"
			"  PATH: pcap or pcapng files, or folders of them\n"
			"  --shard: ingest only part K (0..N-1) of N of the "
			"files (docs/scale-out.md)\n"
			"  --list: print the files the shard takes, ingest "
			"nothing\n"
			"  --batch: commit the evidence every PACKETS packets "
			"(default 262144)\n"
			"  --jobs: flow workers, 1 to 256 (default: the online "
			"cores; 1: one thread);\n"
			"          the evidence is the same for every N\n");
}

int cmd_ingest(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"head", required_argument, NULL, 'H'},
		{"batch", required_argument, NULL, 'b'},
		{"jobs", required_argument, NULL, 'j'},
		{"shard", required_argument, NULL, 's'},
		{"list", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *head = NULL;
	uint64_t batch = 0;
	unsigned long jobs = cli_default_jobs();
	unsigned shard_k = 0, shard_n = 0;
	bool list_only = false;
	char *end;
	int c;
	char all_args[4096];
	cli_join_args(argc, argv, all_args, sizeof all_args);
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:H:b:j:s:lh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'H': head = optarg; break;
		case 'b':
			errno = 0;
			batch = strtoull(optarg, &end, 10);
			if (errno || *end || batch == 0 || optarg[0] == '-') {
				cli_error("ingest: --batch takes a number of "
					  "packets > 0, not '%s'", optarg);
				return EXIT_INPUT;
			}
			break;
		case 'j':
			errno = 0;
			jobs = strtoul(optarg, &end, 10);
			if (errno || *end || jobs == 0 || jobs > MAX_JOBS ||
			    optarg[0] == '-' || optarg[0] == '\0') {
				cli_error("ingest: --jobs takes a number of "
					  "threads from 1 to %d, not '%s'",
					  MAX_JOBS, optarg);
				return EXIT_INPUT;
			}
			break;
		case 's':
			if (!shard_parse(optarg, &shard_k, &shard_n)) {
				cli_error("ingest: --shard takes K/N with 0 <= K "
					  "< N <= %u, not '%s'",
					  SHARD_MAX_COUNT, optarg);
				return EXIT_INPUT;
			}
			break;
		case 'l': list_only = true; break;
		case 'h': usage_ingest(stdout); return EXIT_OK;
		default: usage_ingest(stderr); return EXIT_INPUT;
		}
	}
	if (list_only && !shard_n) {
		cli_error("ingest: --list needs --shard K/N");
		return EXIT_INPUT;
	}
	if ((!db && !list_only) || optind >= argc) {
		if (!db && !list_only)
			cli_error("ingest: --db CASE.db is required");
		else
			cli_error("ingest: no capture file or folder given");
		usage_ingest(stderr);
		return EXIT_INPUT;
	}
	struct file_list files = {0};
	if ((shard_n ? cli_collect_shard(&files, argc - optind, argv + optind,
				     shard_k, shard_n)
		     : cli_collect_captures(&files, argc - optind,
					    argv + optind)) != 0) {
		cli_file_list_free(&files);
		return EXIT_INPUT;
	}
	int rc = EXIT_OK;
	if (list_only) {
		for (size_t i = 0; i < files.count; i++)
			printf("%s\n", cli_safe(files.paths[i]));
		fprintf(stderr, "shard %u/%u: %zu files, %" PRIu64 " bytes\n",
			shard_k, shard_n, files.count, files.total_bytes);
		goto free_files;
	}
	if (shard_n && files.count == 0) {
		/* no case for an empty shard: a case without a chain has no
		 * head file to merge by */
		fprintf(stderr, "attrib: shard %u/%u takes none of the files; "
				"no case written\n", shard_k, shard_n);
		goto free_files;
	}
	char err[ERR_LEN];
	if (cli_case_path_check(db, true) != 0 ||
	    (head && cli_head_check(head) != 0)) {
		rc = EXIT_INPUT;
		goto free_files;
	}
	struct store *st = store_open(db, err, sizeof err);
	if (!st) {
		cli_error("%s", err);
		rc = EXIT_INPUT;
		goto free_files;
	}
	if (cli_set_head(st, head) != 0)
		rc = EXIT_INPUT;
	else
		rc = cli_ingest_files(st, &files, all_args, batch, jobs);
	if (store_close(st, err, sizeof err) != 0) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
	}
free_files:
	cli_file_list_free(&files);
	return rc;
}
