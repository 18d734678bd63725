/*
 * cmd_score.c — `attrib score --db CASE.db --models PATH... [--json]
 * [--head FILE]`: loads the models (YAML, STIX 2.1), matches the case's
 * indicators against their patterns, scores every hypothesis along the
 * attribution chain, stores the run in the case (chained, citing the
 * observations used) and prints a summary or the score document.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analyze/evidence/store.h"
#include "analyze/intel/match.h"
#include "analyze/score/score_doc.h"
#include "cli/cli.h"
#include "cli/out.h"

static void usage_score(FILE *out)
{
	fprintf(out, "usage: attrib score --db CASE.db --models PATH... "
		     "[--json] [--head FILE]\n"
		     "  PATH: YAML model files (.yaml/.yml), STIX 2.1 bundles "
		     "(.json), or folders of them\n");
}

/* ---- feeding the matcher ---- */

struct feed {
	struct matcher *m;
	int failed;
};

static int feed_indicator(void *ctx, const struct store_indicator *r)
{
	struct feed *f = ctx;
	if (!strcmp(r->kind, "beacon") || !strcmp(r->kind, "activity.hours"))
		return 0; /* fed with their detail below */
	if (matcher_feed(f->m, r->kind, r->value, NULL, r->count) != 0) {
		f->failed = 1;
		return -1;
	}
	return 0;
}

static int feed_observation(void *ctx, const struct store_obs_row *r)
{
	struct feed *f = ctx;
	if (matcher_feed(f->m, r->kind, r->value, r->detail, 1) != 0) {
		f->failed = 1;
		return -1;
	}
	return 0;
}

static int feed_case(struct store *st, struct matcher *m)
{
	struct feed f = {m, 0};
	if (store_each_indicator(st, NULL, feed_indicator, &f) != 0 ||
	    store_each_observation(st, "beacon", feed_observation, &f) != 0 ||
	    store_each_observation(st, "activity.hours", feed_observation,
				   &f) != 0) {
		cli_error("score: %s", f.failed ? "out of memory matching"
						: store_error(st));
		return -1;
	}
	return 0;
}

/* ---- citations ---- */

struct cite_ctx {
	struct score_citations *c;
};

static int add_cite(void *ctx, const struct store_obs_row *r)
{
	struct score_citations *c = ((struct cite_ctx *)ctx)->c;
	if (c->n >= SCORE_MAX_CITED)
		return 1;
	struct score_cite *k = &c->c[c->n++];
	k->observation = r->id;
	snprintf(k->source_sha256, sizeof k->source_sha256, "%s",
		 r->source_sha256);
	k->frame = r->frame;
	k->ts_us = r->ts_us;
	snprintf(k->kind, sizeof k->kind, "%s", r->kind);
	snprintf(k->value, sizeof k->value, "%s", r->value);
	return 0;
}

/* Up to SCORE_MAX_CITED observations per item, from its first values. */
static struct score_citations **collect_cites(struct store *st,
					      const struct assessment *as)
{
	struct score_citations **all = calloc(as->n_hyps + 1, sizeof *all);
	if (!all)
		return NULL;
	for (size_t h = 0; h < as->n_hyps; h++) {
		const struct assess_hyp *ah = &as->hyps[h];
		all[h] = calloc(ah->n_items + 1, sizeof *all[h]);
		if (!all[h])
			return all; /* partial: cited lists stay short */
		for (size_t i = 0; i < ah->n_items; i++) {
			const struct match_hit *hit = ah->items[i].hit;
			struct cite_ctx cc = {&all[h][i]};
			for (size_t v = 0; hit && v < hit->n_values &&
					   cc.c->n < SCORE_MAX_CITED;
			     v++)
				if (store_each_observation_of(
					    st, hit->kind[v], hit->value[v],
					    (unsigned)(SCORE_MAX_CITED - cc.c->n),
					    add_cite, &cc) < 0)
					return all;
		}
	}
	return all;
}

static void free_cites(struct score_citations **c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		free(c[i]);
	free(c);
}

/* ---- storing ---- */

static int sources_json(void *ctx, int64_t id, const char *path,
			const char *sha256, uint64_t packets)
{
	json_array_append_new((json_t *)ctx,
			      json_pack("{s:I,s:s,s:s,s:I}", "id", (json_int_t)id,
					"path", path, "sha256", sha256,
					"packets", (json_int_t)packets));
	return 0;
}

static int store_rows(struct store *st, int64_t run,
		      const struct assessment *as,
		      struct score_citations **cites)
{
	for (size_t h = 0; h < as->n_hyps; h++) {
		const struct assess_hyp *ah = &as->hyps[h];
		for (int l = 0; l < MODEL_LINK_COUNT; l++) {
			const struct assess_link *L = &ah->links[l];
			char flags[40];
			score_flags_text(L->flags, flags, sizeof flags);
			struct store_score_row r = {
				ah->h->id, model_link_name((enum model_link)l),
				L->phrase_text,
				confidence_name(L->confidence), flags,
				L->op.b, L->op.d, L->op.u,
				opinion_plausibility(L->op), L->ci90.lo,
				L->ci90.hi,
			};
			if (store_score(st, run, &r) != 0)
				return -1;
		}
		const struct chain_reading *ch[2] = {&ah->state, &ah->individual};
		const char *names[2] = {"chain:state", "chain:individual"};
		for (int c = 0; c < 2; c++) {
			struct store_score_row r = {
				ah->h->id, names[c], "", "", "",
				ch[c]->joint_bel, 1.0 - ch[c]->joint_pl,
				ch[c]->joint_pl - ch[c]->joint_bel,
				ch[c]->joint_pl, ch[c]->joint_bel,
				ch[c]->joint_pl,
			};
			if (store_score(st, run, &r) != 0)
				return -1;
		}
		for (size_t i = 0; i < ah->n_items; i++) {
			const struct assess_item *it = &ah->items[i];
			char cited[SCORE_MAX_CITED * 21 + 1] = "", rel[2] = {
				it->reliability, 0};
			size_t used = 0;
			const struct score_citations *c =
				cites && cites[h] ? &cites[h][i] : NULL;
			for (size_t k = 0; c && k < c->n; k++)
				used += (size_t)snprintf(
					cited + used, sizeof cited - used,
					"%s%" PRId64, k ? "," : "",
					c->c[k].observation);
			struct store_score_evidence e = {
				ah->h->id, model_link_name(it->link), it->id,
				it->claim ? "claim" : "indicator",
				it->direction == OPINION_SUPPORTS
					? "supports"
					: "contradicts",
				rel, cited,
				it->pattern ? it->pattern->origin
					    : it->claim->origin,
				it->f, it->s, it->discount,
				it->hit ? it->hit->matches : 0,
			};
			if (store_score_evidence(st, run, &e) != 0)
				return -1;
		}
	}
	return 0;
}

static char *model_list_json(const struct model_set *ms)
{
	json_t *a = json_array();
	for (size_t i = 0; i < ms->n_files; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "path",
						   ms->files[i].path, "sha256",
						   ms->files[i].sha256, "format",
						   ms->files[i].format));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* ---- the command ---- */

struct score_opts {
	const char *db, *head;
	const char **models;
	size_t n_models;
	bool json;
};

static int parse_args(int argc, char **argv, struct score_opts *o)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"models", required_argument, NULL, 'm'},
		{"json", no_argument, NULL, 'j'},
		{"head", required_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	o->models = calloc((size_t)argc + 1, sizeof *o->models);
	if (!o->models)
		return EXIT_INTERNAL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:m:jH:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'm': o->models[o->n_models++] = optarg; break;
		case 'j': o->json = true; break;
		case 'H': o->head = optarg; break;
		case 'h': usage_score(stdout); return EXIT_OK + 100;
		default: usage_score(stderr); return EXIT_INPUT;
		}
	}
	/* --models A B C: the paths after the first are operands. */
	while (o->n_models && optind < argc)
		o->models[o->n_models++] = argv[optind++];
	if (!o->db || !o->n_models || optind != argc) {
		cli_error("score: --db CASE.db and --models PATH... are "
			  "required");
		usage_score(stderr);
		return EXIT_INPUT;
	}
	return -1;
}

/* A --models folder's entry that is no model file: said on stderr. */
static void model_skipped(void *ctx, const char *path, const char *reason)
{
	cli_error("models: skipped %s: %s", path, reason);
}

struct model_set *cli_load_models(const char *const *paths, size_t n)
{
	char err[1024];
	struct model_set *ms = model_set_create();
	if (!ms) {
		cli_error("score: out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (model_load_tree(ms, paths[i], model_skipped, NULL, err,
				    sizeof err) != 0)
			goto fail;
	if (model_set_finish(ms, err, sizeof err) == 0)
		return ms;
fail:
	cli_error("%s", err);
	model_set_destroy(ms);
	return NULL;
}

int cli_score_case(struct store *st, const struct model_set *ms, bool json,
		   const char *args)
{
	char err[1024];
	struct matcher *m = NULL;
	struct assessment *as = NULL;
	struct score_citations **cites = NULL;
	json_t *sources = json_array();
	char *result = NULL, *models = NULL;
	int rc = EXIT_INTERNAL;
	if (!(m = matcher_create(ms, err, sizeof err))) {
		cli_error("score: %s", err);
		goto done;
	}
	struct score_run_info run = {.time_us = score_output_time_us(
					     store_now_us()),
				     .sources = sources};
	if (feed_case(st, m) != 0)
		goto done;
	if (assess_run(ms, m, &as, err, sizeof err) != 0) {
		cli_error("score: %s", err);
		goto done;
	}
	cites = collect_cites(st, as);
	if (store_count_observations(st, &run.observations) != 0 ||
	    store_next_score_run(st, &run.id) != 0 ||
	    store_each_source_info(st, sources_json, sources) != 0) {
		cli_error("score: %s", store_error(st));
		goto done;
	}
	size_t result_len = 0;
	result = score_document_text(as, &run, cites, &result_len);
	models = model_list_json(ms);
	if (!result || !models) {
		cli_error("score: out of memory");
		goto done;
	}
	char params[256];
	snprintf(params, sizeof params,
		 "{\"deception\":%.17g,\"conflict_threshold\":%.17g,"
		 "\"cheap_forgeability\":%.17g,\"false_flag_min_net\":%.17g}",
		 as->deception, as->params.conflict_threshold,
		 as->params.cheap_f, as->params.false_flag_min_net);
	/* a large document goes into chained parts, not one capped row */
	bool parts = result_len > STORE_SCORE_PART_BYTES;
	struct store_score_run row = {run.id, models, params,
				      parts ? "" : result, run.observations,
				      run.time_us};
	char detail[256];
	snprintf(detail, sizeof detail, "run %" PRId64 ": %zu hypotheses, "
		 "%zu model files, %zu patterns not evaluated", run.id,
		 as->n_hyps, ms->n_files, ms->n_uneval);
	const char *ro_why;
	bool readonly = store_readonly(st, &ro_why);
	int prc = 0;
	if (readonly) {
		/* the result is shown, not stored */
		cli_error("score: %s: the case is read-only (%s): this run is "
			  "shown but not stored, and no custody entry is "
			  "recorded", store_head_path(st), ro_why);
	} else {
		prc = store_score_run(st, &row);
		for (size_t at = 0, k = 0; prc == 0 && parts && at < result_len;
		     k++) {
			size_t n = result_len - at < STORE_SCORE_PART_BYTES
					   ? result_len - at
					   : STORE_SCORE_PART_BYTES;
			/* parts end on a character boundary (UTF-8 text each) */
			while (n > 1 && at + n < result_len &&
			       ((unsigned char)result[at + n] & 0xC0) == 0x80)
				n--;
			prc = store_score_run_part(st, run.id, (int64_t)k,
						   result + at, n);
			at += n;
		}
	}
	if (!readonly &&
	    (prc != 0 || store_rows(st, run.id, as, cites) ||
	     store_custody(st, "score", args, detail) != 0 ||
	     store_commit(st) != 0)) {
		cli_error("score: %s", store_error(st));
		goto done;
	}
	/* The run is stored; what follows only shows it. */
	if (json) {
		/* ASCII only (score_document_text()): a C1 control or a
		 * bidirectional override in a name reaches a terminal as
		 * \uXXXX, not as itself */
		if (fwrite(result, 1, result_len, stdout) != result_len ||
		    putchar('\n') == EOF) {
			cli_out_error("standard output", errno);
			goto done;
		}
	} else {
		score_print(stdout, as, &run);
	}
	if (cli_out_flush(stdout, "standard output") != 0)
		goto done;
	uint64_t seq;
	char hex[65];
	store_head(st, &seq, hex);
	if (readonly)
		fprintf(json ? stderr : stdout, "head: %" PRIu64 " %s "
			"(unchanged)\n", seq, hex);
	else
		fprintf(json ? stderr : stdout, "head: %" PRIu64 " %s "
			"(written to %s)\n", seq, hex, store_head_path(st));
	rc = EXIT_OK;
done:
	free_cites(cites, as ? as->n_hyps : 0);
	assess_free(as);
	matcher_destroy(m);
	json_decref(sources);
	free(result);
	free(models);
	return rc;
}

int cmd_score(int argc, char **argv)
{
	struct score_opts o = {0};
	int rc = parse_args(argc, argv, &o);
	if (rc >= 0) {
		free(o.models);
		return rc == EXIT_OK + 100 ? EXIT_OK : rc;
	}
	char err[1024], args[4096];
	struct model_set *ms = NULL;
	struct store *st = NULL;
	rc = EXIT_INPUT;
	if (!(ms = cli_load_models(o.models, o.n_models)) ||
	    !(st = cli_open_case(o.db)))
		goto done;
	if (cli_set_head(st, o.head) != 0)
		goto done;
	cli_join_args(argc, argv, args, sizeof args);
	rc = cli_score_case(st, ms, o.json, args);
done:
	if (st && store_close(st, err, sizeof err) != 0 && rc == EXIT_OK) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
	}
	model_set_destroy(ms);
	free(o.models);
	return rc;
}
