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
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/evidence/store.h"
#include "cli/case_check.h"
#include "cli/cli.h"
#include "cli/out.h"
#include "cli/shard_check.h"

static void usage_verify(FILE *out)
{
	fprintf(out, "usage: attrib verify --db CASE.db [--head FILE] "
		     "[--shard-dir DIR]\n"
		     "  --shard-dir: re-check the head recorded for each "
		     "merged shard against\n"
		     "               the shard file of the same name in DIR\n"
		     "  exit 0 intact, 1 tampered, 2 error\n");
}

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"head", required_argument, NULL, 'H'},
		{"shard-dir", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *head = NULL, *shard_dir = NULL;
	char args[4096], err[1024], head_default[4200];
	cli_join_args(argc, argv, args, sizeof args);
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:H:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'H': head = optarg; break;
		case 's': shard_dir = optarg; break;
		case 'h': usage_verify(stdout); return EXIT_OK;
		default: usage_verify(stderr); return EXIT_INPUT;
		}
	}
	if (!db || optind != argc) {
		cli_error("verify: --db CASE.db is required, and nothing else");
		usage_verify(stderr);
		return EXIT_INPUT;
	}
	if (cli_case_path_check(db, false) != 0)
		return EXIT_INPUT;
	if (access(db, R_OK) != 0) {
		cli_error("%s: %s", db, strerror(errno));
		return EXIT_INPUT;
	}
	if (head && access(head, R_OK) != 0) {
		cli_error("%s: head file: %s", head, strerror(errno));
		return EXIT_INPUT;
	}
	/* What the file is, before anything opens it for writing: another
	 * program's database is refused and left as it is; one too damaged
	 * to open is a finding. */
	struct store_identity id;
	if (store_identify(db, &id, err, sizeof err) != 0) {
		cli_error("%s", err);
		return EXIT_INPUT;
	}
	if (id.kind == STORE_DAMAGED) {
		printf("database integrity: damaged: %s\n"
		       "verdict: TAMPERED — database damaged: %s\n",
		       cli_safe(err), cli_safe(err));
		cli_error("%s: TAMPERED: database damaged: %s", db, err);
		return EXIT_FINDING;
	}
	if (id.kind != STORE_CASE) {
		if (id.kind == STORE_EMPTY)
			cli_error("%s: an empty database, not an attrib case",
				  db);
		else
			cli_error("%s", err);
		return EXIT_INPUT;
	}
	struct store *st = store_open_mode(db, STORE_EXISTING, err, sizeof err);
	if (!st) {
		/* SQLite reads the file (the probe passed) but it no longer
		 * opens as an attrib case: its schema was changed. */
		printf("database integrity: damaged: %s\n"
		       "verdict: TAMPERED — not an intact attrib case: %s\n",
		       cli_safe(err), cli_safe(err));
		cli_error("%s: TAMPERED: not an intact attrib case: %s", db, err);
		return EXIT_FINDING;
	}
	int rc = EXIT_OK;
	if (cli_set_head(st, head) != 0) {
		rc = EXIT_INPUT;
		goto close_store;
	}
	if (!head) {
		snprintf(head_default, sizeof head_default, "%s", store_head_path(st));
		head = head_default;
	}
	struct case_check cc;
	int crc = case_check_run(st, head, &cc);
	if (crc != 0) {
		rc = crc == -2 ? EXIT_INTERNAL : EXIT_INPUT;
		goto close_store;
	}
	const struct store_verify *v = &cc.chain;
	bool tampered = cc.tampered;
	if (cc.chain_read) {
		printf("chain: %" PRIu64 " entries, head %" PRIu64 " %s\n",
		       v->entries, v->head_seq, v->head_hash);
		printf("head file: %s\n", cli_safe(v->external));
	} else {
		printf("chain: not readable (%s)\n", cli_safe(cc.chain_error));
	}
	printf("database integrity: %s\n",
	       cc.integrity ? "ok" : cli_safe(cc.damage));
	printf("sources: %" PRIu64 ", re-hashed %" PRIu64 ", changed %" PRIu64
	       ", missing %" PRIu64 ", unfinished %" PRIu64 "\n",
	       cc.sources, cc.rehashed, cc.mismatched, cc.missing, cc.partial);
	printf("cited packets re-read: %" PRIu64 ", wrong %" PRIu64
	       ", not checkable %" PRIu64 "\n",
	       cc.packets, cc.packets_bad, cc.packets_skipped);
	struct shard_check sc = {0};
	if (shard_dir) {
		if (shard_check_run(st, shard_dir, &sc) != 0) {
			rc = EXIT_INPUT;
			goto close_store;
		}
		printf("shards: %" PRIu64 ", head matches %" PRIu64
		       ", changed %" PRIu64 ", not in %s %" PRIu64 "\n",
		       sc.shards, sc.matched, sc.wrong, cli_safe(shard_dir),
		       sc.missing);
		if (sc.wrong && !tampered) {
			tampered = true;
			cc.first_problem = sc.first_wrong;
		}
	}
	if (tampered) {
		const char *first = cc.first_problem;
		printf("verdict: TAMPERED — %s\n", cli_safe(first));
		cli_error("%s: TAMPERED: %s (%" PRIu64 " problems in the chain)",
			  db, first, cc.chain_read ? v->problems : 0);
		rc = EXIT_FINDING;
		goto close_store;
	}
	printf("verdict: intact\n");
	/* the verdict is recorded only once it has been said */
	if (cli_out_flush(stdout, "standard output") != 0) {
		rc = EXIT_INTERNAL;
		goto close_store;
	}
	const char *why;
	if (store_readonly(st, &why)) {
		/* The verdict stands; only its record is missing. */
		printf("custody: no entry recorded: the case is read-only "
		       "(%s)\n", cli_safe(why));
		if (cli_out_flush(stdout, "standard output") != 0)
			rc = EXIT_INTERNAL;
		goto close_store;
	}
	char detail[1200];
	snprintf(detail, sizeof detail,
		 "intact: %" PRIu64 " chain entries, %" PRIu64 " sources "
		 "re-hashed, %" PRIu64 " missing, %" PRIu64 " cited packets re-read",
		 v->entries, cc.rehashed, cc.missing, cc.packets);
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
	       cli_safe(store_head_path(st)));
close_store:
	if (store_close(st, err, sizeof err) != 0) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
	}
	return rc;
}
