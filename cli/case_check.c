/*
 * case_check.c — the checks behind `attrib verify` (case_check.h):
 * integrity check, chain walk and head comparison (the evidence store's),
 * then every source file re-hashed and every cited packet re-read at its
 * stored offset (here, since reading capture files is capture/'s job and
 * the CLI wires the two).
 */
#include "cli/case_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <inttypes.h>

#include "capture/source.h"
#include "cli/cli.h"

enum { MAX_PACKET_BYTES = 262144 };

struct files_check {
	struct case_check *out;
	/* the source whose file is open for packet checks */
	struct store *st;
	int64_t open_id;
	FILE *open_file;
	uint8_t *buf;
};

static void bad(struct case_check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void bad(struct case_check *c, const char *fmt, ...)
{
	if (c->first_bad[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->first_bad, sizeof c->first_bad, fmt, ap);
	va_end(ap);
}

static int check_source(void *ctx, int64_t id, const char *path,
			const char *sha256, const char *status)
{
	struct case_check *c = ((struct files_check *)ctx)->out;
	c->sources++;
	if (!strcmp(status, "partial"))
		c->partial++;
	if (!sha256[0])
		return 0; /* not read to the end yet: no hash to compare */
	if (access(path, F_OK) != 0) {
		c->missing++;
		cli_error("verify: source %" PRId64 " %s is missing (its hash "
			  "cannot be re-checked)", id, path);
		return 0;
	}
	uint8_t sha[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1], err[1024];
	if (file_sha256(path, sha, err, sizeof err) != 0) {
		c->missing++;
		cli_error("verify: %s", err);
		return 0;
	}
	sha256_hex(sha, hex);
	c->rehashed++;
	if (strcmp(hex, sha256) != 0) {
		c->mismatched++;
		bad(c, "source %" PRId64 " %s (%s) changed: SHA-256 is now %.16s…, "
		       "recorded %.16s…", id, path, status, hex, sha256);
	}
	return 0;
}

/* Path of source id (NULL if unknown), via the source list. */
struct find_path {
	int64_t id;
	char path[4096];
};

static int find_source(void *ctx, int64_t id, const char *path,
		       const char *sha256, const char *status)
{
	struct find_path *fp = ctx;
	if (id != fp->id)
		return 0;
	snprintf(fp->path, sizeof fp->path, "%s", path);
	return 1;
}

static int check_packet(void *ctx, int64_t source_id, uint64_t frame,
			uint64_t offset, uint32_t caplen, const char *sha)
{
	struct files_check *fc = ctx;
	struct case_check *c = fc->out;
	if (source_id != fc->open_id) {
		if (fc->open_file)
			fclose(fc->open_file);
		fc->open_file = NULL;
		fc->open_id = source_id;
		struct find_path fp = {.id = source_id};
		char why[256];
		if (store_each_source(fc->st, find_source, &fp) == 1 &&
		    fp.path[0])
			fc->open_file = capture_fopen_regular(fp.path, why,
							     sizeof why);
		/* A compressed capture is cited at decompressed offsets. */
		if (fc->open_file)
			fc->open_file = capture_open_decompressed(
				fc->open_file);
	}
	if (!fc->open_file || caplen > MAX_PACKET_BYTES) {
		c->packets_skipped++;
		return 0;
	}
	char err[256], hex[2 * SHA256_LEN + 1];
	uint8_t digest[SHA256_LEN];
	c->packets++;
	if (capture_read_packet(fc->open_file, offset, caplen, fc->buf, err,
				sizeof err) != 0) {
		c->packets_bad++;
		bad(c, "source %" PRId64 " frame %" PRIu64 ": %s", source_id,
		    frame, err);
		return 0;
	}
	sha256_buffer(fc->buf, caplen, digest);
	sha256_hex(digest, hex);
	if (strcmp(hex, sha) != 0) {
		c->packets_bad++;
		bad(c, "source %" PRId64 " frame %" PRIu64 " (offset %" PRIu64
		       "): packet bytes no longer match the observation's hash",
		    source_id, frame, offset);
	}
	return 0;
}

int case_check_run(struct store *st, const char *head_path,
		   struct case_check *out)
{
	memset(out, 0, sizeof *out);
	struct files_check fc = {.out = out, .st = st, .open_id = -1};
	int rc = 0;
	/* A damaged database file is a finding, not an error: what can
	 * still be read is checked and the verdict says TAMPERED. */
	out->integrity = store_integrity_check(st);
	if (out->integrity < 0) {
		cli_error("%s", store_error(st));
		return -1;
	}
	if (out->integrity == 0)
		snprintf(out->damage, sizeof out->damage,
			 "database damaged: %s", store_error(st));
	out->chain_read = store_verify_chain(st, head_path, &out->chain) == 0;
	if (!out->chain_read) {
		snprintf(out->chain_error, sizeof out->chain_error, "%s",
			 store_error(st));
		if (out->integrity) {
			cli_error("%s", store_error(st));
			return -1;
		}
	}
	if (!(fc.buf = malloc(MAX_PACKET_BYTES))) {
		cli_error("out of memory");
		return -2;
	}
	/* Sources and cited packets are read by column name: when a table
	 * is no longer defined as attrib defines it (a finding already),
	 * failing to read them is part of that finding, not an error. */
	if (out->chain_read &&
	    (store_each_source(st, check_source, &fc) < 0 ||
	     store_each_cited_packet(st, check_packet, &fc) < 0) &&
	    out->integrity && !out->chain.tampered) {
		cli_error("%s", store_error(st));
		rc = -1;
		goto close_file;
	}
	out->tampered = !out->chain_read || out->chain.tampered ||
			out->integrity == 0 || out->mismatched ||
			out->packets_bad;
	if (out->tampered)
		out->first_problem =
			out->chain_read && out->chain.problems
				? out->chain.first_problem
			: out->first_bad[0] ? out->first_bad
					    : out->damage;
close_file:
	if (fc.open_file)
		fclose(fc.open_file);
	free(fc.buf);
	return rc;
}
