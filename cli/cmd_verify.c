/*
 * cmd_verify.c — `attrib verify --db CASE.db [--head FILE]`: recomputes
 * the hash chain, compares its head with the head file, re-hashes every
 * source file still present and re-reads every packet an observation
 * cites at its stored offset.
 * Exit 0 intact, 1 tampered (the first bad record named; a damaged
 * database file counts: a failed integrity check, a malformed schema),
 * 2 error (e.g. not a database at all).
 *
 * An intact verification is recorded in custody (and so moves the head).
 * A failed one writes nothing to the case: the case is evidence under
 * question, and the head file must keep naming the last good head.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/evidence/store.h"
#include "capture/source.h"
#include "cli/cli.h"

enum { MAX_PACKET_BYTES = 262144 };

struct files_check {
	uint64_t sources, rehashed, missing, mismatched, partial;
	uint64_t packets, packets_bad, packets_skipped;
	char first_bad[1024];
	/* the source whose file is open for packet checks */
	struct store *st;
	int64_t open_id;
	FILE *open_file;
	bool open_ok;
	uint8_t *buf;
};

static void bad(struct files_check *fc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void bad(struct files_check *fc, const char *fmt, ...)
{
	if (fc->first_bad[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fc->first_bad, sizeof fc->first_bad, fmt, ap);
	va_end(ap);
}

static int check_source(void *ctx, int64_t id, const char *path,
			const char *sha256, const char *status)
{
	struct files_check *fc = ctx;
	fc->sources++;
	if (!strcmp(status, "partial"))
		fc->partial++;
	if (!sha256[0])
		return 0; /* not read to the end yet: no hash to compare */
	if (access(path, F_OK) != 0) {
		fc->missing++;
		fprintf(stderr, "attrib: verify: source %" PRId64 " %s is missing"
				" (its hash cannot be re-checked)\n", id, path);
		return 0;
	}
	uint8_t sha[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1], err[1024];
	if (file_sha256(path, sha, err, sizeof err) != 0) {
		fc->missing++;
		fprintf(stderr, "attrib: verify: %s\n", err);
		return 0;
	}
	sha256_hex(sha, hex);
	fc->rehashed++;
	if (strcmp(hex, sha256) != 0) {
		fc->mismatched++;
		bad(fc, "source %" PRId64 " %s (%s) changed: SHA-256 is now %.16s…, "
			"recorded %.16s…", id, path, status, hex, sha256);
	}
	return 0;
}

/* Path of source id (NULL if unknown), via the source list. */
struct find_path {
	int64_t id;
	char path[4096];
	bool hashed;
};

static int find_source(void *ctx, int64_t id, const char *path,
		       const char *sha256, const char *status)
{
	struct find_path *fp = ctx;
	if (id != fp->id)
		return 0;
	snprintf(fp->path, sizeof fp->path, "%s", path);
	fp->hashed = sha256[0] != '\0';
	return 1;
}

static int check_packet(void *ctx, int64_t source_id, uint64_t frame,
			uint64_t offset, uint32_t caplen, const char *sha)
{
	struct files_check *fc = ctx;
	if (source_id != fc->open_id) {
		if (fc->open_file)
			fclose(fc->open_file);
		fc->open_file = NULL;
		fc->open_id = source_id;
		struct find_path fp = {.id = source_id};
		if (store_each_source(fc->st, find_source, &fp) == 1 &&
		    fp.path[0])
			fc->open_file = fopen(fp.path, "rb");
	}
	if (!fc->open_file || caplen > MAX_PACKET_BYTES) {
		fc->packets_skipped++;
		return 0;
	}
	char err[256], hex[2 * SHA256_LEN + 1];
	uint8_t digest[SHA256_LEN];
	fc->packets++;
	if (capture_read_packet(fc->open_file, offset, caplen, fc->buf, err,
				sizeof err) != 0) {
		fc->packets_bad++;
		bad(fc, "source %" PRId64 " frame %" PRIu64 ": %s", source_id,
		    frame, err);
		return 0;
	}
	sha256_buffer(fc->buf, caplen, digest);
	sha256_hex(digest, hex);
	if (strcmp(hex, sha) != 0) {
		fc->packets_bad++;
		bad(fc, "source %" PRId64 " frame %" PRIu64 " (offset %" PRIu64
			"): packet bytes no longer match the observation's hash",
		    source_id, frame, offset);
	}
	return 0;
}

static void usage_verify(FILE *out)
{
	fprintf(out, "usage: attrib verify --db CASE.db [--head FILE]\n"
		     "  exit 0 intact, 1 tampered, 2 error\n");
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"head", required_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *head = NULL;
	char args[4096], err[1024], head_default[4200];
	cli_join_args(argc, argv, args, sizeof args);
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:H:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'H': head = optarg; break;
		case 'h': usage_verify(stdout); return EXIT_OK;
		default: usage_verify(stderr); return EXIT_INPUT;
		}
	}
	if (!db || optind != argc) {
		cli_error("verify: --db CASE.db is required, and nothing else");
		usage_verify(stderr);
		return EXIT_INPUT;
	}
	if (access(db, R_OK) != 0) {
		cli_error("%s: %s", db, strerror(errno));
		return EXIT_INPUT;
	}
	if (head && access(head, R_OK) != 0) {
		cli_error("%s: head file: %s", head, strerror(errno));
		return EXIT_INPUT;
	}
	/* A database too damaged to open is a finding: say so before
	 * store_open() (which would only fail) touches it. */
	if (store_probe(db, err, sizeof err) == 0) {
		printf("database integrity: damaged: %s\n"
		       "verdict: TAMPERED — database damaged: %s\n", err, err);
		cli_error("%s: TAMPERED: database damaged: %s", db, err);
		return EXIT_FINDING;
	}
	struct store *st = store_open(db, err, sizeof err);
	if (!st) {
		/* SQLite reads the file (the probe passed) but it no longer
		 * opens as an attrib case: its schema was changed. */
		printf("database integrity: damaged: %s\n"
		       "verdict: TAMPERED — not an intact attrib case: %s\n",
		       err, err);
		cli_error("%s: TAMPERED: not an intact attrib case: %s", db, err);
		return EXIT_FINDING;
	}
	if (head)
		store_set_head_path(st, head);
	else {
		snprintf(head_default, sizeof head_default, "%s", store_head_path(st));
		head = head_default;
	}
	int rc = EXIT_OK;
	struct store_verify v;
	struct files_check fc = {.st = st, .open_id = -1};
	char damage[1024] = "";
	/* A damaged database file is a finding, not an error: what can still
	 * be read is checked and the verdict says TAMPERED. */
	int integrity = store_integrity_check(st);
	if (integrity < 0) {
		cli_error("%s", store_error(st));
		rc = EXIT_INPUT;
		goto close_store;
	}
	if (integrity == 0)
		snprintf(damage, sizeof damage, "database damaged: %s",
			 store_error(st));
	bool chain_read = store_verify_chain(st, head, &v) == 0;
	if (!chain_read && integrity) {
		cli_error("%s", store_error(st));
		rc = EXIT_INPUT;
		goto close_store;
	}
	if (!(fc.buf = malloc(MAX_PACKET_BYTES))) {
		cli_error("out of memory");
		rc = EXIT_INTERNAL;
		goto close_store;
	}
	if (chain_read && (store_each_source(st, check_source, &fc) < 0 ||
			   store_each_cited_packet(st, check_packet, &fc) < 0) &&
	    integrity) {
		cli_error("%s", store_error(st));
		rc = EXIT_INPUT;
		goto close_store;
	}
	bool tampered = !chain_read || v.tampered || integrity == 0 ||
			fc.mismatched || fc.packets_bad;
	if (chain_read) {
		printf("chain: %" PRIu64 " entries, head %" PRIu64 " %s\n",
		       v.entries, v.head_seq, v.head_hash);
		printf("head file: %s\n", v.external);
	} else {
		printf("chain: not readable (%s)\n", store_error(st));
	}
	printf("database integrity: %s\n", integrity ? "ok" : damage);
	printf("sources: %" PRIu64 ", re-hashed %" PRIu64 ", changed %" PRIu64
	       ", missing %" PRIu64 ", unfinished %" PRIu64 "\n",
	       fc.sources, fc.rehashed, fc.mismatched, fc.missing, fc.partial);
	printf("cited packets re-read: %" PRIu64 ", wrong %" PRIu64
	       ", not checkable %" PRIu64 "\n",
	       fc.packets, fc.packets_bad, fc.packets_skipped);
	if (tampered) {
		const char *first = chain_read && v.problems ? v.first_problem
				    : fc.first_bad[0] ? fc.first_bad
				    : damage;
		printf("verdict: TAMPERED — %s\n", first);
		cli_error("%s: TAMPERED: %s (%" PRIu64 " problems in the chain)",
			  db, first, chain_read ? v.problems : 0);
		rc = EXIT_FINDING;
		goto close_store;
	}
	printf("verdict: intact\n");
	char detail[1200];
	snprintf(detail, sizeof detail,
		 "intact: %" PRIu64 " chain entries, %" PRIu64 " sources "
		 "re-hashed, %" PRIu64 " missing, %" PRIu64 " cited packets re-read",
		 v.entries, fc.rehashed, fc.missing, fc.packets);
	if (store_custody(st, "verify", args, detail) != 0 ||
	    store_commit(st) != 0) {
		cli_error("%s", store_error(st));
		rc = EXIT_INTERNAL;
		goto close_store;
	}
	uint64_t seq;
	char hex[65];
	store_head(st, &seq, hex);
	printf("head: %" PRIu64 " %s (written to %s)\n", seq, hex,
	       store_head_path(st));
close_store:
	if (fc.open_file)
		fclose(fc.open_file);
	free(fc.buf);
	if (store_close(st, err, sizeof err) != 0) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
	}
	return rc;
}
