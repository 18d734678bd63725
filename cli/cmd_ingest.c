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
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/flow/dpi.h"
#include "analyze/evidence/store.h"
#include "analyze/ingest/pipeline.h"
#include "analyze/vocab/version.h"
#include "capture/decode.h"
#include "capture/source.h"
#include "cli/cli.h"
#include "cli/progress.h"

enum { ERR_LEN = 1024, MAX_DIR_DEPTH = 16, PROGRESS_EVERY_PACKETS = 4096 };

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

/* True when the file starts with a pcap or pcapng magic number. */
static bool looks_like_capture(const char *path)
{
	unsigned char m[4];
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	size_t n = fread(m, 1, sizeof m, f);
	fclose(f);
	if (n != sizeof m)
		return false;
	uint32_t v = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
		     (uint32_t)m[2] << 8 | m[3];
	return v == 0xa1b2c3d4u || v == 0xd4c3b2a1u || v == 0xa1b23c4du ||
	       v == 0x4d3cb2a1u || v == 0x0a0d0d0au;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the capture files below dir (sorted, recursive, bounded depth). */
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
		char path[PATH_MAX];
		struct stat sb;
		if (rc == 0 && name[0] != '.' &&
		    snprintf(path, sizeof path, "%s/%s", dir, name) <
			    (int)sizeof path &&
		    lstat(path, &sb) == 0) {
			if (S_ISDIR(sb.st_mode))
				rc = walk_dir(l, path, depth + 1);
			else if (S_ISREG(sb.st_mode) && looks_like_capture(path))
				rc = list_add(l, path, (uint64_t)sb.st_size);
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
			size_t before = l->count;
			if (walk_dir(l, paths[i], 0) != 0)
				return -1;
			qsort(l->paths + before, l->count - before,
			      sizeof *l->paths, cmp_str);
		} else if (list_add(l, paths[i], (uint64_t)sb.st_size) != 0) {
			cli_error("out of memory");
			return -1;
		}
	}
	return 0;
}

struct run {
	struct store *st;
	struct pipeline *pl;
	struct pipeline_config cfg;
	struct progress progress;
	const char *args;
	unsigned long jobs;
	uint64_t packets, flows, anomalies, skipped, failed, done;
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
		fprintf(stderr,
			"attrib: %s: already in the case as source %" PRId64
			" (sha256 %.16s…); nothing to do\n",
			path, id, hex);
	return id < 0 ? -1 : id > 0;
}

/* Ingests one file. Returns 0, 1 when the file ended in an input error
 * (evidence before it kept), -1 when the case cannot go on. */
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
		fprintf(stderr,
			"attrib: %s: completing an interrupted ingest "
			"(frames 1-%" PRIu64 " already committed)\n",
			path, resume.replay_until);
	struct packet pkt;
	enum source_status status;
	while ((status = source_next(src, &pkt)) == SOURCE_PACKET) {
		decode_packet(&pkt);
		if (pipeline_packet(r->pl, &pkt, err, sizeof err) != 0) {
			cli_error("%s: %s", path, err);
			rc = -1;
			goto close_source;
		}
		if (pkt.frame % PROGRESS_EVERY_PACKETS == 0)
			progress_update(&r->progress, source_bytes_read(src),
					r->packets + pkt.frame);
	}
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
	if (hashed)
		sha256_hex(sha, hex);
	else
		cli_error("%s", source_error(src));
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
		 "source %" PRId64 " %s sha256 %s packets %" PRIu64
		 " flows %" PRIu64 " status %s%s",
		 resume.source_id, path, hashed ? hex : "unknown", ps->packets,
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
	double t0 = cli_now();
	progress_start(&r.progress, files->total_bytes);
	for (size_t i = 0; i < files->count; i++) {
		int frc = ingest_file(&r, files->paths[i]);
		if (frc < 0) {
			rc = EXIT_INTERNAL;
			break;
		}
		if (frc > 0) {
			r.failed++;
			rc = EXIT_INPUT;
		}
	}
	progress_finish(&r.progress);
	/* After a failed write (e.g. disk full) the case stays as last
	 * committed: the derived tables are not rebuilt. */
	if (rc != EXIT_INTERNAL && store_build_indexes(r.st) != 0) {
		cli_error("%s", store_error(r.st));
		rc = EXIT_INTERNAL;
	}
	uint64_t head_seq;
	char head_hex[65];
	store_head(r.st, &head_seq, head_hex);
	if (head_seq)
		printf("head: %" PRIu64 " %s (written to %s)\n", head_seq,
		       head_hex, store_head_path(r.st));
	double secs = cli_now() - t0;
	if (r.progress.enabled)
		fprintf(stderr,
			"ingested %" PRIu64 " of %zu files (%" PRIu64
			" already in the case, %" PRIu64 " with errors): %" PRIu64
			" packets, %" PRIu64 " flows, %" PRIu64
			" anomalies in %.1f s (%.1f MB/s, %.0f packets/s)\n",
			r.done, files->count, r.skipped, r.failed, r.packets,
			r.flows, r.anomalies, secs,
			secs > 0 ? (double)files->total_bytes / 1e6 / secs : 0,
			secs > 0 ? (double)r.packets / secs : 0);
close_all:
	pipeline_destroy(r.pl);
	return rc;
}

static void usage_ingest(void)
{
	fprintf(stderr, "usage: attrib ingest --db CASE.db [--head FILE] "
			"[--batch PACKETS] [--jobs N] PATH...\n"
			"  PATH: pcap or pcapng files, or folders of them\n"
			"  --batch: commit the evidence every PACKETS packets "
			"(default 262144)\n"
			"  --jobs: flow workers (default: the online cores; "
			"1: one thread);\n"
			"          the evidence is the same for every N\n");
}

int cmd_ingest(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"head", required_argument, NULL, 'H'},
		{"batch", required_argument, NULL, 'b'},
		{"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *head = NULL;
	uint64_t batch = 0;
	unsigned long jobs = cli_default_jobs();
	char *end;
	int c;
	char all_args[4096];
	cli_join_args(argc, argv, all_args, sizeof all_args);
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:H:b:j:h", opts, NULL)) != -1) {
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
			if (errno || *end || jobs == 0 || optarg[0] == '-') {
				cli_error("ingest: --jobs takes a number of "
					  "threads > 0, not '%s'", optarg);
				return EXIT_INPUT;
			}
			break;
		case 'h': usage_ingest(); return EXIT_OK;
		default: usage_ingest(); return EXIT_INPUT;
		}
	}
	if (!db || optind >= argc) {
		if (!db)
			cli_error("ingest: --db CASE.db is required");
		else
			cli_error("ingest: no capture file or folder given");
		usage_ingest();
		return EXIT_INPUT;
	}
	struct file_list files = {0};
	if (cli_collect_captures(&files, argc - optind, argv + optind) != 0) {
		cli_file_list_free(&files);
		return EXIT_INPUT;
	}
	int rc = EXIT_OK;
	char err[ERR_LEN];
	struct store *st = store_open(db, err, sizeof err);
	if (!st) {
		cli_error("%s", err);
		rc = EXIT_INPUT;
		goto free_files;
	}
	if (head)
		store_set_head_path(st, head);
	rc = cli_ingest_files(st, &files, all_args, batch, jobs);
	if (store_close(st, err, sizeof err) != 0) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
	}
free_files:
	cli_file_list_free(&files);
	return rc;
}
