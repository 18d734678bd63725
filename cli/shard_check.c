/*
 * shard_check.c — recorded shard heads against shard files
 * (shard_check.h).
 */
#include "cli/shard_check.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analyze/evidence/merge.h"
#include "cli/cli.h"
#include "cli/out.h"

struct walk {
	const char *dir;
	struct shard_check *out;
};

static void wrong(struct shard_check *c, const char *a,
		  const char *b)
{
	c->wrong++;
	if (!c->first_wrong[0])
		snprintf(c->first_wrong, sizeof c->first_wrong, "shard %s: %s", a, b);
}

static int check_one(void *ctx, const struct store_shard_record *r)
{
	struct walk *w = ctx;
	struct shard_check *c = w->out;
	char file[PATH_MAX], head[PATH_MAX + 8], err[1024];
	const char *base = strrchr(r->path, '/');
	base = base ? base + 1 : r->path;
	c->shards++;
	snprintf(file, sizeof file, "%s/%s", w->dir, base);
	snprintf(head, sizeof head, "%s.head", file);
	if (access(file, R_OK) != 0) {
		c->missing++;
		printf("shard %s: not in %s (not checked)\n", cli_safe(base),
		       cli_safe(w->dir));
		return 0;
	}
	if (store_probe(file, err, sizeof err) != 1) {
		printf("shard %s: damaged: %s\n", cli_safe(base),
		       cli_safe(err));
		wrong(c, base, err);
		return 0;
	}
	struct store *st = store_open(file, err, sizeof err);
	if (!st) {
		printf("shard %s: not an intact case: %s\n", cli_safe(base),
		       cli_safe(err));
		wrong(c, base, err);
		return 0;
	}
	struct store_verify v;
	int rc = store_verify_chain(st, head, &v);
	if (rc != 0)
		cli_error("%s", store_error(st));
	else if (v.tampered) {
		printf("shard %s: TAMPERED: %s\n", cli_safe(base),
		       cli_safe(v.first_problem));
		wrong(c, base, v.first_problem);
	} else if (v.head_seq != r->head_seq ||
		   strcmp(v.head_hash, r->head_hash) != 0) {
		char what[256];
		snprintf(what, sizeof what,
			 "head %" PRIu64 " %.16s… is not the head merged "
			 "(%" PRIu64 " %.16s…)", v.head_seq, v.head_hash,
			 r->head_seq, r->head_hash);
		printf("shard %s: %s\n", cli_safe(base), what);
		wrong(c, base, what);
	} else {
		c->matched++;
		printf("shard %s: head matches the one merged (%" PRIu64
		       " %.16s…)\n", cli_safe(base), r->head_seq, r->head_hash);
	}
	store_close(st, err, sizeof err);
	return rc;
}

int shard_check_run(struct store *st, const char *dir,
		    struct shard_check *out)
{
	memset(out, 0, sizeof *out);
	struct walk w = {dir, out};
	if (store_each_merged_shard(st, check_one, &w) != 0) {
		cli_error("%s", store_error(st));
		return -1;
	}
	return 0;
}
