/*
 * cmd_ingest.c — `attrib ingest --db CASE.db PATH...`: read capture files
 * (or every capture file below a folder) into the case.
 *
 * Per file: open (hashing as libpcap reads), skip when the case already
 * holds a complete source with the same SHA-256, decode every packet and
 * hand it to the pipeline, record the hash and a custody entry. A file
 * that ends in an error keeps the evidence read before the error; the run
 * goes on with the next file and exits 2 at the end. With --jobs 2 or
 * more, the file's SHA-256 is computed on a second thread; everything
 * else runs on one.
 *
 * SIGINT or SIGTERM stops the run between two packets: the evidence read
 * so far is committed, an `ingest-interrupted` custody entry says where
 * it stopped, and the run exits 130 (128 + SIGINT); running the same
 * command again completes the file. A second signal ends the process at
 * once (the case stays as last committed).
 */
#include <dirent.h>
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
	MAX_DIR_DEPTH = 16,
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

static int list_add(struct file_list *l, const char *path, uint64_t size)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **p = realloc(l->paths, cap * sizeof *p);
		if (!p)
			return -1;
		l->paths = p;
		l->cap = cap;
	}
	if (!(l->paths[l->count] = strdup(path)))
		return -1;
	l->count++;
	l->total_bytes += size;
	return 0;
}

void cli_file_list_free(struct file_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->paths[i]);
	free(l->paths);
}

/* NULL when the file (decompressed, if it is gzip) starts with a pcap or
 * pcapng magic number, else
 * why it is not taken as a capture. Never blocks (only regular files are
 * opened, capture_fopen_regular). */
static const char *not_a_capture(const char *path, char *why, size_t len)
{
	unsigned char m[4];
	FILE *f = capture_fopen_regular(path, why, len);
	if (!f)
		return why;
	/* gzip-compressed: the magic is the decompressed stream's. */
	f = capture_open_decompressed(f);
	if (!f)
		return "out of memory";
	size_t n = fread(m, 1, sizeof m, f);
	fclose(f);
	if (n == 0)
		return "empty file";
	if (n != sizeof m)
		return "too short for a capture";
	uint32_t v = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
		     (uint32_t)m[2] << 8 | m[3];
	if (v == 0xa1b2c3d4u || v == 0xd4c3b2a1u || v == 0xa1b23c4du ||
	    v == 0x4d3cb2a1u || v == 0x0a0d0d0au)
		return NULL;
	return "not a pcap or pcapng file (no capture magic number)";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Why an entry of a folder that is not a folder or a regular file is
 * skipped. */
static const char *special_kind(mode_t mode)
{
	if (S_ISLNK(mode))
		return "symbolic link, not followed";
	if (S_ISFIFO(mode))
		return "FIFO, not a regular file";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "device node, not a regular file";
	if (S_ISSOCK(mode))
		return "socket, not a regular file";
	return "not a regular file";
}

static void skip(struct file_list *l, const char *path, const char *why)
{
	l->skipped++;
	cli_error("%s: skipped: %s", path, why);
}

/* Adds the capture files below dir (sorted, recursive, bounded depth);
 * names every other entry with the reason it is skipped. */
static int walk_dir(struct file_list *l, const char *dir, int depth)
{
	if (depth > MAX_DIR_DEPTH) {
		cli_error("%s: folders nested deeper than %d, not followed", dir,
			  MAX_DIR_DEPTH);
		return 0;
	}
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		cli_error("%s: %s", dir, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char path[PATH_MAX], why[256];
		struct stat sb;
		const char *reason;
		if (rc != 0 || !strcmp(name, ".") || !strcmp(name, "..")) {
			/* nothing */
		} else if (snprintf(path, sizeof path, "%s/%s", dir, name) >=
			   (int)sizeof path) {
			l->skipped++;
			cli_error("%s/%.64s…: skipped: path too long", dir, name);
		} else if (lstat(path, &sb) != 0) {
			skip(l, path, strerror(errno));
		} else if (S_ISDIR(sb.st_mode)) {
			rc = walk_dir(l, path, depth + 1);
		} else if (!S_ISREG(sb.st_mode)) {
			skip(l, path, special_kind(sb.st_mode));
		} else if ((reason = not_a_capture(path, why, sizeof why))) {
			skip(l, path, reason);
		} else if (list_add(l, path, (uint64_t)sb.st_size) != 0) {
			cli_error("out of memory");
			rc = -1;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int cli_collect_captures(struct file_list *l, int n, char **paths)
{
	for (int i = 0; i < n; i++) {
		struct stat sb;
		if (stat(paths[i], &sb) != 0) {
			cli_error("%s: %s", paths[i], strerror(errno));
			return -1;
		}
		if (S_ISDIR(sb.st_mode)) {
			size_t before = l->count, skipped = l->skipped;
			if (walk_dir(l, paths[i], 0) != 0)
				return -1;
			if (l->count == before)
				cli_error("%s: no pcap or pcapng file in this folder"
					  " (%zu other files skipped)",
					  paths[i], l->skipped - skipped);
			qsort(l->paths + before, l->count - before,
			      sizeof *l->paths, cmp_str);
		} else if (list_add(l, paths[i], (uint64_t)sb.st_size) != 0) {
			cli_error("out of memory");
			return -1;
		}
	}
	if (l->count == 0) {
		cli_error("no capture file to ingest");
		return -1;
	}
	return 0;
}

/* The name a file is sharded by: its path below the folder argument it
 * was found under, or its base name when the argument is the file. */
static const char *shard_name(const char *arg, const char *path,
			      bool is_dir)
{
	if (is_dir) {
		path += strlen(arg);
		while (*path == '/')
			path++;
		return path;
	}
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Like cli_collect_captures(), keeping only the files of shard k of n
 * (analyze/ingest/shard.h). 0, or -1 with the error printed. */
static int collect_shard(struct file_list *l, int n, char **paths,
			 unsigned k, unsigned shards)
{
	for (int i = 0; i < n; i++) {
		struct file_list all = {0};
		struct stat sb;
		int rc = cli_collect_captures(&all, 1, paths + i);
		bool is_dir = rc == 0 && stat(paths[i], &sb) == 0 &&
			      S_ISDIR(sb.st_mode);
		for (size_t f = 0; rc == 0 && f < all.count; f++) {
			const char *p = all.paths[f];
			if (shard_of(shard_name(paths[i], p, is_dir), shards) !=
			    k)
				continue;
			if (stat(p, &sb) != 0 ||
			    list_add(l, p, (uint64_t)sb.st_size) != 0) {
				cli_error("%s: %s", p, strerror(errno));
				rc = -1;
			}
		}
		cli_file_list_free(&all);
		if (rc != 0)
			return -1;
	}
	return 0;
}

struct run {
	struct store *st;
	struct dpi *dpi;
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
	if (r->jobs >= 2)
		source_hash_on_thread(src); /* -1: hashed on this thread */
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
	 * source: a finished source always has its ingest entry. */
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
	r.st = st;
	if (!(r.dpi = dpi_create(err, sizeof err)) ||
	    !(r.pl = pipeline_create(r.st, r.dpi, &r.cfg, err, sizeof err))) {
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
	dpi_destroy(r.dpi);
	return rc;
}

static void usage_ingest(void)
{
	fprintf(stderr, "usage: attrib ingest --db CASE.db [--head FILE] "
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
			"  --jobs: threads to use, 1 to 256 (default 1); with 2 or more, "
			"each file's SHA-256\n"
			"          is computed on a second thread\n");
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
	unsigned long jobs = 1;
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
		case 'h': usage_ingest(); return EXIT_OK;
		default: usage_ingest(); return EXIT_INPUT;
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
		usage_ingest();
		return EXIT_INPUT;
	}
	struct file_list files = {0};
	if ((shard_n ? collect_shard(&files, argc - optind, argv + optind,
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
