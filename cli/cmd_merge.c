/*
 * cmd_merge.c — `attrib merge --db OUT.db [--head FILE] [--chain-only]
 * IN.db...`:
 * combines shard cases (made by `attrib ingest --shard K/N` anywhere)
 * into one case, keeping custody.
 *
 * Every input is verified first, as `attrib verify` would (integrity, the
 * chain against its head file IN.db.head, source files still present
 * re-hashed, cited packets re-read; with --chain-only the database and
 * chain only, for captures too large to read twice); a tampered input is
 * refused with exit 1, an unfinished one (a partial source, no head file,
 * a pending commit) or an unreadable one with exit 2, naming it, and
 * nothing is
 * written to OUT. Then each is copied in (analyze/evidence/merge.h), one
 * `merge` custody entry per input recording its path, head and sources'
 * SHA-256; behaviour is recomputed over the merged flows and the
 * indicators table rebuilt.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/ingest/case_behaviour.h"
#include "analyze/evidence/merge.h"
#include "analyze/evidence/store.h"
#include "cli/case_check.h"
#include "cli/cli.h"
#include "cli/out.h"

struct shard_head {
	char path[PATH_MAX];
	uint64_t seq;
	char hash[65];
};

static void usage_merge(FILE *out)
{
	fprintf(out, "usage: attrib merge --db OUT.db [--head FILE] "
		     "[--chain-only] IN.db...\n"
		     "  IN.db: shard cases, each with its head file IN.db.head\n"
		     "  --chain-only: verify the inputs' databases and chains, "
		     "not their capture\n"
		     "                files and cited packets (verify the "
		     "merged case later)\n"
		     "  exit 0 merged, 1 an input is tampered, 2 an input is "
		     "unfinished or unreadable\n");
}

static int count_source(void *ctx, int64_t id, const char *path,
			const char *sha256, const char *status)
{
	struct case_check *cc = ctx;
	(void)id, (void)path, (void)sha256;
	cc->sources++;
	cc->partial += !strcmp(status, "partial");
	return 0;
}

/*
 * --chain-only: the checks of case_check_run() that read only the
 * database (integrity, the chain against the head file, unfinished
 * sources), not the capture files. Same conventions.
 */
static int check_chain_only(struct store *st, const char *head,
			    struct case_check *cc)
{
	memset(cc, 0, sizeof *cc);
	cc->integrity = store_integrity_check(st);
	if (cc->integrity < 0 ||
	    store_verify_chain(st, head, &cc->chain) != 0 ||
	    store_each_source(st, count_source, cc) != 0) {
		cli_error("%s", store_error(st));
		return -1;
	}
	cc->chain_read = true;
	if (!cc->integrity) {
		cc->tampered = true;
		cc->first_problem = "database damaged";
	} else if (cc->chain.tampered) {
		cc->tampered = true;
		cc->first_problem = cc->chain.first_problem;
	}
	return 0;
}

/* Verifies one input; fills h. Returns an exit code. */
static int verify_input(const char *db, bool chain_only,
			struct shard_head *h)
{
	char err[1024], head[PATH_MAX + 8];
	if (!realpath(db, h->path)) {
		cli_error("merge: %s: %s", db, strerror(errno));
		return EXIT_INPUT;
	}
	snprintf(head, sizeof head, "%s.head", db);
	if (access(head, R_OK) != 0) {
		cli_error("merge: %s: refused: no head file %s (%s); copy it "
			  "with the case", db, head, strerror(errno));
		return EXIT_INPUT;
	}
	if (store_probe(db, err, sizeof err) != 1) {
		cli_error("merge: %s: refused: TAMPERED: database damaged: %s",
			  db, err);
		return EXIT_FINDING;
	}
	struct store *st = store_open_mode(db, STORE_EXISTING, err, sizeof err);
	if (!st) {
		cli_error("merge: %s: refused: not an intact attrib case: %s", db,
			  err);
		return EXIT_FINDING;
	}
	struct case_check cc;
	int rc = EXIT_OK, crc = chain_only ? check_chain_only(st, head, &cc)
					   : case_check_run(st, head, &cc);
	if (crc != 0)
		rc = crc == -2 ? EXIT_INTERNAL : EXIT_INPUT;
	else if (cc.tampered) {
		cli_error("merge: %s: refused: TAMPERED: %s", db,
			  cc.first_problem);
		rc = EXIT_FINDING;
	} else if (cc.partial) {
		cli_error("merge: %s: refused: unfinished: %" PRIu64
			  " source(s) partial; complete the ingest first",
			  db, cc.partial);
		rc = EXIT_INPUT;
	} else if (!cc.chain.external_checked ||
		   strstr(cc.chain.external, "pending")) {
		cli_error("merge: %s: refused: unfinished: %s", db,
			  cc.chain.external);
		rc = EXIT_INPUT;
	} else {
		h->seq = cc.chain.head_seq;
		memcpy(h->hash, cc.chain.head_hash, sizeof h->hash);
		printf("verified %s%s: intact, head %" PRIu64 " %.16s…, %" PRIu64
		       " sources\n", cli_safe(db),
		       chain_only ? " (chain only)" : "", h->seq, h->hash,
		       cc.sources);
	}
	if (store_close(st, err, sizeof err) != 0) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
	}
	return rc;
}

int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"head", required_argument, NULL, 'H'},
		{"chain-only", no_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *head = NULL;
	bool chain_only = false;
	char args[4096], err[1024], out_real[PATH_MAX];
	cli_join_args(argc, argv, args, sizeof args);
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:H:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'H': head = optarg; break;
		case 'c': chain_only = true; break;
		case 'h': usage_merge(stdout); return EXIT_OK;
		default: usage_merge(stderr); return EXIT_INPUT;
		}
	}
	if (!db || optind >= argc) {
		cli_error("merge: --db OUT.db and at least one IN.db are "
			  "required");
		usage_merge(stderr);
		return EXIT_INPUT;
	}
	if (cli_case_path_check(db, true) != 0 ||
	    (head && cli_head_check(head) != 0))
		return EXIT_INPUT;
	int n = argc - optind, rc = EXIT_OK;
	struct shard_head *heads = calloc((size_t)n, sizeof *heads);
	if (!heads) {
		cli_error("out of memory");
		return EXIT_INTERNAL;
	}
	double t0 = cli_now(), t_verified, t_copied;
	uint64_t rows = 0;
	bool out_exists = realpath(db, out_real) != NULL;
	for (int i = 0; i < n && rc == EXIT_OK; i++) {
		rc = verify_input(argv[optind + i], chain_only, &heads[i]);
		if (rc == EXIT_OK && out_exists &&
		    !strcmp(heads[i].path, out_real)) {
			cli_error("merge: %s: is the output case itself",
				  argv[optind + i]);
			rc = EXIT_INPUT;
		}
	}
	if (rc != EXIT_OK)
		goto free_heads;
	t_verified = cli_now();
	struct store *st = store_open(db, err, sizeof err);
	if (!st) {
		cli_error("%s", err);
		rc = EXIT_INPUT;
		goto free_heads;
	}
	if (cli_set_head(st, head) != 0)
		rc = EXIT_INPUT;
	for (int i = 0; i < n && rc == EXIT_OK; i++) {
		struct store_merge_stats s;
		int mrc = store_merge_case(st, heads[i].path, heads[i].seq,
					   heads[i].hash, args, &s);
		if (mrc != 0) {
			cli_error("merge: %s", store_error(st));
			rc = mrc > 0 ? EXIT_INPUT : EXIT_INTERNAL;
		} else if (s.already)
			printf("%s: already merged at head %" PRIu64
			       "; nothing to do\n",
			       cli_safe(heads[i].path), heads[i].seq);
		else {
			rows += s.sources_new + s.anomalies + s.flows +
				s.observations + s.custody + 1;
			printf("%s: merged %" PRIu64 " sources (%" PRIu64
			       " already in the case), %" PRIu64 " flows, %" PRIu64
			       " observations, %" PRIu64 " custody lines\n",
			       cli_safe(heads[i].path), s.sources_new,
			       s.sources_held,
			       s.flows, s.observations, s.custody);
		}
	}
	t_copied = cli_now();
	if (rc == EXIT_OK) {
		struct behaviour_stats bs;
		if (store_build_indexes(st) != 0 ||
		    case_behaviour_recompute(st, &bs) != 0 ||
		    (bs.written && store_build_indexes(st) != 0)) {
			cli_error("merge: %s", store_error(st));
			rc = EXIT_INTERNAL;
		} else if (bs.written)
			printf("behaviour over the merged flows: %" PRIu64
			       " new readings (%" PRIu64 " beacons)\n",
			       bs.written, bs.beacons_written);
	}
	if (rc == EXIT_OK)
		printf("time: %" PRIu64 " rows copied in %.2f s (%.0f rows/s); "
		       "inputs verified in %.2f s, behaviour and indicators "
		       "in %.2f s\n",
		       rows, t_copied - t_verified,
		       t_copied > t_verified ? (double)rows /
						       (t_copied - t_verified)
					     : 0.0,
		       t_verified - t0, cli_now() - t_copied);
	uint64_t seq;
	char hex[65];
	store_head(st, &seq, hex);
	if (store_close(st, err, sizeof err) != 0) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
	}
	if (seq)
		printf("head: %" PRIu64 " %s\n", seq, hex);
free_heads:
	free(heads);
	return rc;
}
