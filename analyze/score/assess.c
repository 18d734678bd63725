/*
 * assess.c — from matched patterns and claims to opinions per hypothesis
 * and link, chain readings and legal standards (see assess.h and
 * docs/scoring.md). Sensitivity and the "what would it take" answers are
 * in assess_needs.c.
 */
#include "analyze/score/assess.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/vocab/kinds.h"
#include "analyze/score/assess_internal.h"

const enum model_link ASSESS_STATE_CHAIN[ASSESS_STATE_LINKS] = {
	MODEL_L1, MODEL_L2, MODEL_L3, MODEL_L4,
};

/* Admiralty information credibility 1..6 as a factor on strength. */
static double credibility_factor(int c)
{
	static const double k[7] = {0.50, 0.95, 0.75, 0.50, 0.25, 0.0, 0.50};
	return c >= 1 && c <= 6 ? k[c] : 0.50;
}

uint64_t assess_source_key(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; s && *s; s++) {
		h ^= (uint8_t)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static void make_item(struct assess_item *it, double a, double delta,
		      double cheap_f)
{
	double r = 0.5;
	admiralty_reliability(it->reliability, &r);
	it->discount = opinion_discount_factor(r, it->f, delta);
	it->op = opinion_discount(opinion_from_indicator(it->s, it->direction,
							 a),
				  it->discount);
	it->cheap = it->f >= cheap_f - OPINION_EPS;
}

static int cmp_item(const void *x, const void *y)
{
	const struct assess_item *a = x, *b = y;
	if (a->link != b->link)
		return a->link < b->link ? -1 : 1;
	int c = strcmp(a->id, b->id);
	if (c)
		return c;
	return (a->claim != NULL) - (b->claim != NULL);
}

/* Collects the hypothesis's evidence: every pattern that matched at
 * least one observation, and every claim. */
static int collect_items(struct assessment *as, struct assess_hyp *ah,
			 const struct matcher *m, size_t hi)
{
	const struct model_hypothesis *h = ah->h;
	size_t cap = h->n_patterns + h->n_claims;
	ah->items = calloc(cap ? cap : 1, sizeof *ah->items);
	if (!ah->items)
		return -1;
	for (size_t j = 0; j < h->n_patterns; j++) {
		const struct model_pattern *p = &h->patterns[j];
		const struct match_hit *hit = matcher_hit(m, hi, j);
		if (hit->matches == 0)
			continue;
		if (p->location && p->link == MODEL_L4)
			continue; /* origin is not attribution (loaders refuse) */
		struct assess_item *it = &ah->items[ah->n_items++];
		it->id = p->id;
		it->pattern = p;
		it->hit = hit;
		it->link = p->link;
		it->direction = p->direction;
		it->f = p->f;
		it->s = p->credibility ? p->s * credibility_factor(p->credibility)
				       : p->s;
		it->reliability = p->reliability;
		it->source = p->source ? p->source : "";
		make_item(it, h->base_rate, as->deception, as->params.cheap_f);
	}
	for (size_t j = 0; j < h->n_claims; j++) {
		const struct model_claim *c = &h->claims[j];
		struct assess_item *it = &ah->items[ah->n_items++];
		it->id = c->id;
		it->claim = c;
		it->link = c->link;
		it->direction = c->direction;
		it->f = c->f;
		it->s = c->strength * credibility_factor(c->credibility);
		it->reliability = c->reliability;
		it->source = c->source ? c->source : "";
		make_item(it, h->base_rate, as->deception, as->params.cheap_f);
	}
	qsort(ah->items, ah->n_items, sizeof *ah->items, cmp_item);
	return 0;
}

int assess_fuse_links(const struct assessment *as,
		      const struct assess_hyp *ah, const bool *skip,
		      struct link_fusion out[MODEL_LINK_COUNT],
		      struct link_evidence *scratch)
{
	struct link_fusion_params params = as->params;
	params.base_rate = ah->h->base_rate;
	for (int l = 0; l < MODEL_LINK_COUNT; l++) {
		size_t n = 0;
		for (size_t i = 0; i < ah->n_items; i++) {
			const struct assess_item *it = &ah->items[i];
			if (it->link != (enum model_link)l || (skip && skip[i]))
				continue;
			scratch[n].op = it->op;
			scratch[n].f = it->f;
			scratch[n].source = assess_source_key(it->source);
			scratch[n].ref = i;
			n++;
		}
		link_fuse(scratch, n, &params, &out[l]);
	}
	return 0;
}

void assess_state_chain(const struct opinion links[MODEL_LINK_COUNT],
			struct chain_reading *state)
{
	struct opinion ops[ASSESS_STATE_LINKS];
	for (int i = 0; i < ASSESS_STATE_LINKS; i++)
		ops[i] = links[ASSESS_STATE_CHAIN[i]];
	*state = chain_read(ops, ASSESS_STATE_LINKS);
}

static bool is_named(const struct model_hypothesis *h)
{
	return h->type == MODEL_HYP_ACTOR || h->type == MODEL_HYP_INTRUSION_SET;
}

/* "Unknown actor" on link l: believed as far as every named hypothesis
 * is disbelieved, disbelieved as far as any named one is believed. */
static struct opinion derive_unknown(const struct assessment *as,
				     enum model_link l, double a)
{
	double b = 1.0, d = 0.0;
	bool any = false;
	for (size_t i = 0; i < as->n_hyps; i++) {
		const struct assess_hyp *o = &as->hyps[i];
		if (!is_named(o->h))
			continue;
		any = true;
		b = fmin(b, o->links[l].op.d);
		d = fmax(d, o->links[l].op.b);
	}
	if (!any)
		return opinion_vacuous(a);
	return (struct opinion){b, d, fmax(0.0, 1.0 - b - d), a};
}

/* The strongest cheap artefact supporting o on link l, as a fact rather
 * than as attribution: specificity × reliability, not discounted by
 * forgeability (forgeability is what makes imitation possible). */
static double planted_strength(const struct assess_hyp *o, enum model_link l)
{
	double best = 0.0;
	for (size_t i = 0; i < o->n_items; i++) {
		const struct assess_item *it = &o->items[i];
		double r = 0.5;
		if (it->link != l || !it->cheap ||
		    it->direction != OPINION_SUPPORTS)
			continue;
		admiralty_reliability(it->reliability, &r);
		best = fmax(best, it->s * r);
	}
	return best;
}

/* "False flag" on link l: for each named hypothesis whose cheap and
 * costly evidence point apart there (FALSE_FLAG), the costly class's
 * disbelief times the strength of the planted-looking artefacts; the
 * largest of those. */
static struct opinion derive_false_flag(const struct assessment *as,
					enum model_link l, double a,
					char *detail, size_t size)
{
	double b = 0.0;
	for (size_t i = 0; i < as->n_hyps; i++) {
		const struct assess_hyp *o = &as->hyps[i];
		const struct link_fusion *f = &o->links[l].fusion;
		if (!is_named(o->h) || !(f->flags & LINK_FLAG_FALSE_FLAG))
			continue;
		double cheap_for = f->cheap.b - f->cheap.d;
		double costly_against = f->costly.d - f->costly.b;
		double planted = planted_strength(o, l);
		double v = cheap_for > 0 ? fmax(0.0, costly_against) * planted
					 : 0.0;
		if (v > b) {
			b = v;
			snprintf(detail, size, "artefacts of %s (strength "
				 "%.2f) planted where costly evidence "
				 "contradicts it (d-b=%.2f)",
				 o->h->id, planted, costly_against);
		}
	}
	return (struct opinion){b, 0.0, 1.0 - b, a};
}

static void read_link(struct assess_link *L)
{
	L->ci90 = opinion_ci90(L->op);
	L->phrase = opinion_icd203(L->op);
	L->confidence = opinion_confidence(L->op);
}

static void finish_named(struct assess_hyp *ah)
{
	for (int l = 0; l < MODEL_LINK_COUNT; l++) {
		struct assess_link *L = &ah->links[l];
		L->op = L->fusion.fused;
		L->flags = L->fusion.flags;
		L->conflict = L->fusion.max_conflict;
		if (L->flags & LINK_FLAG_FALSE_FLAG)
			snprintf(L->detail, sizeof L->detail,
				 "cheap evidence %s (b-d=%.2f), costly evidence "
				 "%s (d-b=%.2f)",
				 L->fusion.cheap.b > L->fusion.cheap.d
					 ? "supports"
					 : "contradicts",
				 L->fusion.cheap.b - L->fusion.cheap.d,
				 L->fusion.costly.d > L->fusion.costly.b
					 ? "contradicts"
					 : "supports",
				 L->fusion.costly.d - L->fusion.costly.b);
		else if (L->flags & LINK_FLAG_CONFLICT)
			snprintf(L->detail, sizeof L->detail,
				 "sources in conflict (K=%.2f): Yager's rule "
				 "kept the conflict as uncertainty",
				 L->conflict);
	}
}

static void finish_derived(struct assessment *as, struct assess_hyp *ah)
{
	for (int l = 0; l < MODEL_LINK_COUNT; l++) {
		struct assess_link *L = &ah->links[l];
		char detail[200] = "";
		struct opinion d =
			ah->h->type == MODEL_HYP_UNKNOWN
				? derive_unknown(as, (enum model_link)l,
						 ah->h->base_rate)
				: derive_false_flag(as, (enum model_link)l,
						    ah->h->base_rate, detail,
						    sizeof detail);
		L->flags = L->fusion.flags;
		L->conflict = L->fusion.max_conflict;
		L->derived = d;
		L->has_derived = true;
		if (L->n_items) {
			bool conflict = false;
			L->op = opinion_fuse_checked(d, L->fusion.fused,
						     as->params.conflict_threshold,
						     &conflict);
			if (conflict)
				L->flags |= LINK_FLAG_CONFLICT;
			L->conflict = fmax(L->conflict,
					   opinion_conflict(d, L->fusion.fused));
		} else {
			L->op = d;
		}
		snprintf(L->detail, sizeof L->detail, "%s", detail);
	}
}

static void read_chains(struct assess_hyp *ah)
{
	struct opinion ops[MODEL_LINK_COUNT];
	for (int l = 0; l < MODEL_LINK_COUNT; l++)
		ops[l] = ah->links[l].op;
	assess_state_chain(ops, &ah->state);
	struct opinion org[3] = {ops[MODEL_L1], ops[MODEL_L2], ops[MODEL_L3]};
	struct opinion ind[3] = {ops[MODEL_L1], ops[MODEL_L2], ops[MODEL_L3I]};
	ah->organisation = chain_read(org, 3);
	ah->individual = chain_read(ind, 3);
}

static int set_standards(struct assessment *as)
{
	const struct model_set *ms = as->ms;
	size_t n = ms->n_standards ? ms->n_standards
				   : LEGAL_STANDARDS_DEFAULT_COUNT;
	as->standards = calloc(n, sizeof *as->standards);
	if (!as->standards)
		return -1;
	for (size_t i = 0; i < n; i++)
		as->standards[i] =
			ms->n_standards
				? (struct legal_standard){ms->standards[i].name,
							  ms->standards[i].threshold,
							  ms->standards[i].strict}
				: LEGAL_STANDARDS_DEFAULT[i];
	as->n_standards = n;
	return 0;
}

int assess_run(const struct model_set *ms, const struct matcher *m,
	       struct assessment **out, char *err, size_t errlen)
{
	struct assessment *as = calloc(1, sizeof *as);
	struct link_evidence *scratch = NULL;
	size_t most = 1;
	*out = NULL;
	if (!as)
		goto oom;
	as->ms = ms;
	as->params = LINK_FUSION_DEFAULTS;
	as->deception = ms->deception;
	as->hyps = calloc(ms->n_hyps ? ms->n_hyps : 1, sizeof *as->hyps);
	if (!as->hyps || set_standards(as) != 0)
		goto oom;
	as->n_hyps = ms->n_hyps;
	for (size_t i = 0; i < ms->n_hyps; i++) {
		struct assess_hyp *ah = &as->hyps[i];
		ah->h = &ms->hyps[i];
		if (collect_items(as, ah, m, i) != 0)
			goto oom;
		if (ah->n_items > most)
			most = ah->n_items;
		for (size_t j = 0; j < ah->n_items; j++)
			ah->links[ah->items[j].link].n_items++;
	}
	scratch = calloc(most, sizeof *scratch);
	if (!scratch)
		goto oom;
	struct link_fusion fused[MODEL_LINK_COUNT];
	for (size_t i = 0; i < as->n_hyps; i++) {
		struct assess_hyp *ah = &as->hyps[i];
		assess_fuse_links(as, ah, NULL, fused, scratch);
		for (int l = 0; l < MODEL_LINK_COUNT; l++)
			ah->links[l].fusion = fused[l];
		if (is_named(ah->h))
			finish_named(ah);
	}
	/* Derived hypotheses read the named ones' results. */
	for (size_t i = 0; i < as->n_hyps; i++)
		if (!is_named(as->hyps[i].h))
			finish_derived(as, &as->hyps[i]);
	for (size_t i = 0; i < as->n_hyps; i++) {
		struct assess_hyp *ah = &as->hyps[i];
		for (int l = 0; l < MODEL_LINK_COUNT; l++)
			read_link(&ah->links[l]);
		read_chains(ah);
		if (assess_standards(as, ah) != 0 ||
		    assess_sensitivity(as, ah, scratch) != 0)
			goto oom;
	}
	free(scratch);
	*out = as;
	return 0;
oom:
	free(scratch);
	assess_free(as);
	snprintf(err, errlen, "out of memory while scoring");
	return -1;
}

void assess_free(struct assessment *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_hyps; i++) {
		free(a->hyps[i].items);
		free(a->hyps[i].standards);
		free(a->hyps[i].sens);
	}
	free(a->hyps);
	free(a->standards);
	free(a);
}
