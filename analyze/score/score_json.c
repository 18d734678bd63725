/*
 * score_json.c — the score document (docs/report-format.md) of an
 * assessment, built with jansson. Every array has a fixed order, so the
 * same case and models give the same document apart from run id and
 * time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/vocab/kinds.h"
#include "analyze/score/score_doc.h"
#include "analyze/vocab/reproducible.h"
#include "analyze/vocab/version.h"

uint64_t score_output_time_us(uint64_t now_us)
{
	uint64_t s;
	return attrib_source_date_epoch(&s) ? s * 1000000u : now_us;
}

bool score_reproducible(void)
{
	uint64_t s;
	return attrib_source_date_epoch(&s);
}

void score_iso_time(uint64_t us, char out[32])
{
	time_t t = (time_t)(us / 1000000u);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "?");
}

void score_flags_text(unsigned flags, char *out, size_t size)
{
	snprintf(out, size, "%s%s%s",
		 flags & LINK_FLAG_CONFLICT ? "CONFLICT" : "",
		 (flags & LINK_FLAG_CONFLICT) && (flags & LINK_FLAG_FALSE_FLAG)
			 ? ","
			 : "",
		 flags & LINK_FLAG_FALSE_FLAG ? "FALSE_FLAG" : "");
}

/* A JSON number that is never NaN or infinite (jansson refuses those). */
static json_t *num(double v)
{
	return json_real(isfinite(v) ? v : 0.0);
}

static json_t *bdu(struct opinion o)
{
	return json_pack("{s:o,s:o,s:o}", "belief", num(o.b), "disbelief",
			 num(o.d), "uncertainty", num(o.u));
}

static json_t *flags_array(unsigned flags)
{
	json_t *a = json_array();
	if (flags & LINK_FLAG_CONFLICT)
		json_array_append_new(a, json_string("CONFLICT"));
	if (flags & LINK_FLAG_FALSE_FLAG)
		json_array_append_new(a, json_string("FALSE_FLAG"));
	return a;
}

static json_t *link_json(const struct assess_hyp *ah, enum model_link l)
{
	const struct assess_link *L = &ah->links[l];
	struct opinion o = L->op;
	json_t *items = json_array();
	for (size_t i = 0; i < ah->n_items; i++)
		if (ah->items[i].link == l)
			json_array_append_new(items,
					      json_string(ah->items[i].id));
	json_t *cheap = bdu(L->fusion.cheap);
	json_object_set_new(cheap, "items",
			    json_integer((json_int_t)L->fusion.cheap_items));
	json_t *costly = bdu(L->fusion.costly);
	json_object_set_new(costly, "items",
			    json_integer((json_int_t)L->fusion.costly_items));
	json_object_set_new(costly, "sources",
			    json_integer((json_int_t)L->fusion.costly_sources));
	json_t *j = bdu(o);
	json_object_set_new(j, "plausibility", num(opinion_plausibility(o)));
	json_object_set_new(j, "base_rate", num(o.a));
	json_object_set_new(j, "expectation", num(opinion_expectation(o)));
	json_object_set_new(j, "ci90",
			    json_pack("[o,o]", num(L->ci90.lo), num(L->ci90.hi)));
	json_object_set_new(j, "phrase", json_string(L->phrase_text));
	json_object_set_new(j, "confidence",
			    json_string(confidence_name(L->confidence)));
	json_object_set_new(j, "stix_confidence",
			    json_integer(opinion_stix_confidence(o)));
	json_object_set_new(j, "conflict", num(L->conflict));
	json_object_set_new(j, "flags", flags_array(L->flags));
	json_object_set_new(j, "cheap", cheap);
	json_object_set_new(j, "costly", costly);
	json_object_set_new(j, "items", items);
	if (L->has_derived)
		json_object_set_new(j, "derived", bdu(L->derived));
	return j;
}

static json_t *chain_json(const struct chain_reading *c,
			  const enum model_link *links, size_t n)
{
	json_t *names = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(names, json_string(model_link_name(links[i])));
	return json_pack(
		"{s:o,s:{s:o,s:o},s:{s:o,s:o,s:s,s:s}}", "links", names,
		"joint", "belief", num(c->joint_bel), "plausibility",
		num(c->joint_pl), "weakest", "belief", num(c->weakest_bel),
		"plausibility", num(c->weakest_pl), "belief_link",
		model_link_name(links[c->weakest_bel_link]), "plausibility_link",
		model_link_name(links[c->weakest_pl_link]));
}

static json_t *standard_json(const struct assessment *as,
			     const struct assess_hyp *ah, size_t s)
{
	const struct assess_standard *st = &ah->standards[s];
	json_t *needs = json_array();
	for (size_t i = 0; i < ASSESS_STATE_LINKS; i++) {
		const struct assess_need *n = &st->need[i];
		json_array_append_new(
			needs,
			json_pack("{s:s,s:o,s:o,s:s,s:b}", "link",
				  model_link_name(n->link), "belief_needed",
				  n->possible ? num(n->belief_needed)
					      : json_null(),
				  "claim_strength_needed",
				  n->has_strength ? num(n->strength_needed)
						  : json_null(),
				  "feasible", n->feasible, "possible",
				  n->possible));
	}
	return json_pack(
		"{s:s,s:o,s:b,s:b,s:o,s:b,s:{s:b,s:o,s:b},s:o}", "name",
		as->standards[s].name, "threshold",
		num(as->standards[s].threshold), "strict",
		as->standards[s].strict, "met", st->joint.met, "gap",
		num(st->joint.gap), "reachable", st->joint.reachable, "weakest",
		"met", st->weakest.met, "gap", num(st->weakest.gap), "reachable",
		st->weakest.reachable, "needs", needs);
}

static json_t *item_json(const struct assess_item *it,
			 const struct score_citations *c)
{
	json_t *j = json_pack(
		"{s:s,s:s,s:s,s:s}", "id", it->id, "item_type",
		it->claim ? "claim" : "indicator", "link",
		model_link_name(it->link), "direction",
		it->direction == OPINION_SUPPORTS ? "supports" : "contradicts");
	const struct model_pattern *p = it->pattern;
	json_object_set_new(
		j, "kind",
		p ? json_string(p->kind == MODEL_KIND_ANY_IP
					? "ip"
					: obs_kind_name((enum obs_kind)p->kind))
		  : json_null());
	json_object_set_new(j, "match",
			    p ? json_string(model_match_name(p->match))
			      : json_null());
	char range[64];
	if (p && (p->match == MODEL_MATCH_PERIOD ||
		  p->match == MODEL_MATCH_UTC_OFFSET))
		snprintf(range, sizeof range, "[%g, %g]", p->lo, p->hi);
	else if (p && p->match == MODEL_MATCH_ASN)
		snprintf(range, sizeof range, "AS%u", p->asn);
	json_object_set_new(
		j, "pattern",
		!p ? json_null()
		   : (p->match == MODEL_MATCH_PERIOD ||
		      p->match == MODEL_MATCH_UTC_OFFSET ||
		      p->match == MODEL_MATCH_ASN)
			     ? json_string(range)
			     : json_string(p->text ? p->text : ""));
	json_object_set_new(j, "claim_type",
			    it->claim ? json_string(model_claim_type_name(
						it->claim->type))
				      : json_null());
	json_object_set_new(j, "description",
			    it->claim && it->claim->description
				    ? json_string(it->claim->description)
				    : json_null());
	json_object_set_new(j, "forgeability", num(it->f));
	json_object_set_new(j, "specificity", num(it->s));
	char rel[2] = {it->reliability, 0};
	json_object_set_new(j, "reliability", json_string(rel));
	int cred = it->claim ? it->claim->credibility
			     : p && p->credibility ? p->credibility : 0;
	json_object_set_new(j, "credibility",
			    cred ? json_integer(cred) : json_null());
	json_object_set_new(j, "discount", num(it->discount));
	json_object_set_new(j, "class", json_string(it->cheap ? "cheap"
							     : "costly"));
	json_object_set_new(j, "source", json_string(it->source));
	json_object_set_new(j, "location",
			    json_boolean(p && p->location));
	json_object_set_new(j, "opinion", bdu(it->op));
	json_object_set_new(j, "origin",
			    json_string(p ? p->origin : it->claim->origin));
	json_t *values = json_array(), *cited = json_array();
	if (it->hit) {
		json_object_set_new(j, "matches",
				    json_integer((json_int_t)it->hit->matches));
		json_object_set_new(
			j, "values_matched",
			json_integer((json_int_t)it->hit->values_matched));
		for (size_t v = 0; v < it->hit->n_values; v++)
			json_array_append_new(values,
					      json_string(it->hit->value[v]));
	} else {
		json_object_set_new(j, "matches", json_integer(0));
		json_object_set_new(j, "values_matched", json_integer(0));
	}
	for (size_t k = 0; c && k < c->n; k++) {
		char ts[32];
		score_iso_time(c->c[k].ts_us, ts);
		json_array_append_new(
			cited,
			json_pack("{s:I,s:s,s:I,s:s,s:s,s:s}", "observation",
				  (json_int_t)c->c[k].observation,
				  "source_sha256", c->c[k].source_sha256,
				  "frame", (json_int_t)c->c[k].frame, "kind",
				  c->c[k].kind, "value", c->c[k].value, "ts",
				  ts));
	}
	json_object_set_new(j, "values", values);
	json_object_set_new(j, "cited", cited);
	return j;
}

static json_t *sens_json(const struct assess_sensitivity *s)
{
	return json_pack(
		"{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "removed",
		s->removed, "removed_type", s->is_class ? "class" : "item",
		"link", model_link_name(s->link), "link_belief",
		num(s->link_belief), "link_belief_delta",
		num(s->link_belief_delta), "joint_belief", num(s->joint_belief),
		"joint_belief_delta", num(s->joint_belief_delta),
		"joint_plausibility", num(s->joint_plausibility),
		"joint_plausibility_delta", num(s->joint_plausibility_delta),
		"flags_changed", s->flags_changed);
}

static json_t *hyp_json(const struct assessment *as, size_t h,
			const struct score_citations *cites)
{
	const struct assess_hyp *ah = &as->hyps[h];
	static const enum model_link org[3] = {MODEL_L1, MODEL_L2, MODEL_L3};
	static const enum model_link ind[3] = {MODEL_L1, MODEL_L2, MODEL_L3I};
	json_t *links = json_object(), *standards = json_array(),
	       *flags = json_array(), *evidence = json_array(),
	       *sens = json_array();
	for (int l = 0; l < MODEL_LINK_COUNT; l++) {
		json_object_set_new(links, model_link_name((enum model_link)l),
				    link_json(ah, (enum model_link)l));
		const struct assess_link *L = &ah->links[l];
		for (unsigned bit = LINK_FLAG_CONFLICT;
		     bit <= LINK_FLAG_FALSE_FLAG; bit <<= 1)
			if (L->flags & bit)
				json_array_append_new(
					flags,
					json_pack("{s:s,s:s,s:s}", "flag",
						  bit == LINK_FLAG_CONFLICT
							  ? "CONFLICT"
							  : "FALSE_FLAG",
						  "link",
						  model_link_name((enum model_link)l),
						  "detail", L->detail));
	}
	for (size_t s = 0; s < as->n_standards; s++)
		json_array_append_new(standards, standard_json(as, ah, s));
	for (size_t i = 0; i < ah->n_items; i++)
		json_array_append_new(evidence,
				      item_json(&ah->items[i],
						cites ? &cites[i] : NULL));
	size_t shown = ah->n_sens < SCORE_MAX_SENSITIVITY ? ah->n_sens
							  : SCORE_MAX_SENSITIVITY;
	for (size_t i = 0; i < shown; i++)
		json_array_append_new(sens, sens_json(&ah->sens[i]));
	json_t *chains = json_pack(
		"{s:o,s:o,s:o}", "state",
		chain_json(&ah->state, ASSESS_STATE_CHAIN, ASSESS_STATE_LINKS),
		"organisation", chain_json(&ah->organisation, org, 3),
		"individual", chain_json(&ah->individual, ind, 3));
	return json_pack(
		"{s:s,s:s,s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I}", "id",
		ah->h->id, "name", ah->h->name, "type",
		model_hypothesis_type_name(ah->h->type), "implicit",
		ah->h->implicit, "base_rate", num(ah->h->base_rate), "links",
		links, "chain",
		chain_json(&ah->state, ASSESS_STATE_CHAIN, ASSESS_STATE_LINKS),
		"chains", chains, "standards", standards, "flags", flags,
		"evidence", evidence, "sensitivity", sens,
		"sensitivity_omitted", (json_int_t)(ah->n_sens - shown));
}

/* The document without its hypotheses ("hypotheses": [] last). */
static json_t *document_head(const struct assessment *as,
			     const struct score_run_info *run)
{
	const struct model_set *ms = as->ms;
	char when[32];
	score_iso_time(run->time_us, when);
	json_t *models = json_array(), *uneval = json_array(),
	       *standards = json_array(), *hyps = json_array();
	for (size_t i = 0; i < ms->n_files; i++)
		json_array_append_new(
			models,
			json_pack("{s:s,s:s,s:s,s:I,s:I}", "path",
				  ms->files[i].path, "sha256",
				  ms->files[i].sha256, "format",
				  ms->files[i].format, "objects",
				  (json_int_t)ms->files[i].objects,
				  "objects_unused",
				  (json_int_t)ms->files[i].objects_unused));
	for (size_t i = 0; i < ms->n_uneval; i++)
		json_array_append_new(
			uneval, json_pack("{s:s,s:s,s:s}", "origin",
					  ms->uneval[i].origin, "pattern",
					  ms->uneval[i].pattern, "reason",
					  ms->uneval[i].reason));
	for (size_t i = 0; i < as->n_standards; i++)
		json_array_append_new(
			standards,
			json_pack("{s:s,s:o,s:b}", "name", as->standards[i].name,
				  "threshold", num(as->standards[i].threshold),
				  "strict", as->standards[i].strict));
	json_t *sources = run->sources ? json_incref(run->sources)
				       : json_array();
	return json_pack(
		"{s:s,s:{s:I,s:s,s:s},s:{s:o,s:o,s:o,s:o},s:o,s:o,s:o,s:I,s:o,"
		"s:o}",
		"format", "attrib-score-1", "run", "id", (json_int_t)run->id,
		"time", when, "tool_version", ATTRIB_VERSION, "parameters",
		"deception", num(as->deception), "conflict_threshold",
		num(as->params.conflict_threshold), "cheap_forgeability",
		num(as->params.cheap_f), "false_flag_min_net",
		num(as->params.false_flag_min_net), "models", models,
		"not_evaluated", uneval, "sources", sources, "observations",
		(json_int_t)run->observations, "standards", standards,
		"hypotheses", hyps);
}

json_t *score_document(const struct assessment *as,
		       const struct score_run_info *run,
		       struct score_citations *const *cites)
{
	json_t *doc = document_head(as, run);
	json_t *hyps = doc ? json_object_get(doc, "hypotheses") : NULL;
	for (size_t h = 0; hyps && h < as->n_hyps; h++)
		json_array_append_new(hyps,
				      hyp_json(as, h, cites ? cites[h] : NULL));
	return doc;
}

struct text_buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct text_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 16;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

char *score_document_text(const struct assessment *as,
			  const struct score_run_info *run,
			  struct score_citations *const *cites, size_t *len)
{
	struct text_buf b = {0};
	json_t *head = document_head(as, run);
	char *text = head ? json_dumps(head, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(head);
	/* the head ends in "hypotheses":[]} — open the array there */
	const char *tail = "\"hypotheses\":[]}";
	size_t tl = strlen(tail), hl = text ? strlen(text) : 0;
	if (!text || hl < tl || strcmp(text + hl - tl, tail) != 0 ||
	    buf_add(&b, text, hl - 2) != 0)
		goto fail;
	free(text);
	text = NULL;
	for (size_t h = 0; h < as->n_hyps; h++) {
		json_t *j = hyp_json(as, h, cites ? cites[h] : NULL);
		char *t = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
		json_decref(j);
		int rc = !t || (h && buf_add(&b, ",", 1) != 0) ||
			 buf_add(&b, t, strlen(t)) != 0;
		free(t);
		if (rc)
			goto fail;
	}
	if (buf_add(&b, "]}", 2) != 0)
		goto fail;
	*len = b.len;
	return b.p;
fail:
	free(text);
	free(b.p);
	return NULL;
}
