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

/* The deception prior in use for an item of forgeability f: for cheap
 * items never below OPINION_DELTA_CHEAP_FLOOR, so that cheap indicators
 * alone never exceed belief 0.5 whatever a model sets (docs/scoring.md
 * "Bounds"). */
static double delta_for(double f, double delta, double cheap_f)
{
	if (f >= cheap_f - OPINION_EPS && delta < OPINION_DELTA_CHEAP_FLOOR)
		return OPINION_DELTA_CHEAP_FLOOR;
	return delta;
}

static void make_item(struct assess_item *it, double a, double delta,
		      double cheap_f)
{
	double r = 0.5;
	admiralty_reliability(it->reliability, &r);
	it->cheap = it->f >= cheap_f - OPINION_EPS;
	it->discount = opinion_discount_factor(
		r, it->f, delta_for(it->f, delta, cheap_f));
	it->op = opinion_discount(opinion_from_indicator(it->s, it->direction,
							 a),
				  it->discount);
}

/* The artefact a pattern matches (kind and matcher, names without case)
 * or the claim (link, type and what it says): the same artefact counts
 * once whatever file or source label carries it. */
static char *artefact_key(const struct assess_item *it)
{
	char buf[1400];
	const struct model_pattern *p = it->pattern;
	if (p) {
		char m[1100];
		switch (p->match) {
		case MODEL_MATCH_PERIOD:
		case MODEL_MATCH_UTC_OFFSET:
			snprintf(m, sizeof m, "%.17g..%.17g", p->lo, p->hi);
			break;
		case MODEL_MATCH_ASN:
			snprintf(m, sizeof m, "%u", p->asn);
			break;
		default:
			snprintf(m, sizeof m, "%s", p->text ? p->text : "");
			for (char *c = m; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c + 32);
		}
		snprintf(buf, sizeof buf, "p|%s|%d|%s|%s",
			 model_link_name(it->link), p->kind,
			 model_match_name(p->match), m);
	} else {
		const struct model_claim *c = it->claim;
		snprintf(buf, sizeof buf, "c|%s|%s|%s",
			 model_link_name(it->link),
			 model_claim_type_name(c->type),
			 c->description ? c->description : c->id);
	}
	return strdup(buf);
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

/* Collects the hypothesis's evidence: every admissible pattern that
 * matched at least one observation, and every admissible claim (the
 * loaders refuse the others; this is the second line). */
static int collect_items(struct assessment *as, struct assess_hyp *ah,
			 const struct matcher *m, size_t hi)
{
	const struct model_hypothesis *h = ah->h;
	size_t cap = h->n_patterns + h->n_claims;
	char why[400];
	ah->items = calloc(cap ? cap : 1, sizeof *ah->items);
	if (!ah->items)
		return -1;
	for (size_t j = 0; j < h->n_patterns; j++) {
		const struct model_pattern *p = &h->patterns[j];
		const struct match_hit *hit = matcher_hit(m, hi, j);
		if (hit->matches == 0 ||
		    !model_pattern_admissible(p, why, sizeof why))
			continue;
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
		if (!model_claim_admissible(c, why, sizeof why))
			continue;
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
	for (size_t i = 0; i < ah->n_items; i++)
		if (!(ah->items[i].key = artefact_key(&ah->items[i])))
			return -1;
	qsort(ah->items, ah->n_items, sizeof *ah->items, cmp_item);
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

bool assess_is_named(const struct model_hypothesis *h)
{
	return h->type == MODEL_HYP_ACTOR || h->type == MODEL_HYP_INTRUSION_SET;
}

/* Frame members: the named hypotheses in model order, then "someone
 * else" (every hypothesis of type unknown). False-flag hypotheses stay
 * outside: "the clues were planted" is not an answer to "who". */
static int number_frame(struct assessment *as)
{
	size_t named = 0, unknown = SIZE_MAX;
	as->hyp_frame = malloc((as->n_hyps ? as->n_hyps : 1) *
			       sizeof *as->hyp_frame);
	as->frame_hyp = malloc((as->n_hyps + 1) * sizeof *as->frame_hyp);
	if (!as->hyp_frame || !as->frame_hyp)
		return -1;
	for (size_t h = 0; h < as->n_hyps; h++) {
		as->hyp_frame[h] = -1;
		if (assess_is_named(as->hyps[h].h)) {
			as->frame_hyp[named] = h;
			as->hyp_frame[h] = (long)named++;
		} else if (as->hyps[h].h->type == MODEL_HYP_UNKNOWN &&
			   unknown == SIZE_MAX) {
			unknown = h;
		}
	}
	as->frame_size = (uint32_t)named + 1;
	as->frame_hyp[named] = unknown;
	for (size_t h = 0; h < as->n_hyps; h++)
		if (as->hyps[h].h->type == MODEL_HYP_UNKNOWN)
			as->hyp_frame[h] = (long)named;
	return 0;
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

static struct opinion make_op(double b, double d, double a)
{
	b = fmin(fmax(b, 0), 1);
	d = fmin(fmax(d, 0), 1 - b);
	return (struct opinion){b, d, fmax(0.0, 1.0 - b - d), a};
}

/* A frame hypothesis's link: its belief and disbelief in the frame, the
 * two classes' views, counts, and FALSE_FLAG (named only): cheap
 * artefacts point at it while the costly evidence points away. */
static void read_frame_link(struct assessment *as, struct assess_hyp *ah,
			    enum model_link l)
{
	const struct frame_fusion *F = &as->frames[l].fusion;
	uint32_t x = (uint32_t)as->hyp_frame[ah - as->hyps];
	struct assess_link *L = &ah->links[l];
	struct link_fusion *lf = &L->fusion;
	double a = ah->h->base_rate;
	lf->fused = make_op(F->bel[x], F->dis[x], a);
	lf->cheap = make_op(F->cheap_bel[x], F->cheap_dis[x], a);
	lf->costly = make_op(F->costly_bel[x], F->costly_dis[x], a);
	const char *last = NULL;
	for (size_t i = 0; i < ah->n_items; i++) {
		const struct assess_item *it = &ah->items[i];
		if (it->link != l)
			continue;
		if (it->cheap) {
			lf->cheap_items++;
		} else {
			lf->costly_items++;
			if (!last || strcmp(last, it->source))
				lf->costly_sources++;
			last = it->source;
		}
	}
	L->op = lf->fused;
	if (!assess_is_named(ah->h))
		return;
	double planted = planted_strength(ah, l);
	double against = lf->costly.d - lf->costly.b;
	if (planted >= ASSESS_PLANTED_MIN - OPINION_EPS &&
	    against >= as->params.false_flag_min_net - OPINION_EPS) {
		L->flags |= LINK_FLAG_FALSE_FLAG;
		snprintf(L->detail, sizeof L->detail, "cheap artefacts point "
			 "at %s (strength %.2f as fact), costly evidence "
			 "points away (d-b=%.2f)", ah->h->id, planted,
			 against);
	}
}

/* A hypothesis outside the frame (false flag): its own evidence in a
 * frame of two, "it" and "not it". */
static int read_own_link(struct assess_hyp *ah, enum model_link l)
{
	struct frame_item *fi = calloc(ah->n_items + 1, sizeof *fi);
	static const uint32_t zero = 0;
	struct frame_fusion F;
	size_t n = 0;
	if (!fi)
		return -1;
	for (size_t i = 0; i < ah->n_items; i++) {
		const struct assess_item *it = &ah->items[i];
		if (it->link != l)
			continue;
		fi[n++] = (struct frame_item){
			&zero, 1, it->direction == OPINION_CONTRADICTS,
			it->op.b + it->op.d, it->cheap, 0};
	}
	int rc = frame_fuse(fi, n, 2, 1, &F);
	free(fi);
	if (rc != 0)
		return -1;
	struct link_fusion *lf = &ah->links[l].fusion;
	double a = ah->h->base_rate;
	lf->fused = make_op(F.bel[0], F.dis[0], a);
	lf->cheap = make_op(F.cheap_bel[0], F.cheap_dis[0], a);
	lf->costly = make_op(F.costly_bel[0], F.costly_dis[0], a);
	lf->cheap_items = F.n_cheap;
	lf->costly_items = n - F.n_cheap;
	lf->costly_sources = F.n_sources;
	ah->links[l].op = lf->fused;
	frame_fusion_free(&F);
	return 0;
}

/* "False flag" on link l: for each named hypothesis with FALSE_FLAG
 * there, the costly class's lean against it times the strength of the
 * planted-looking artefacts; the largest of those, fused cumulatively
 * with the hypothesis's own evidence. */
static void derive_false_flag(struct assessment *as, struct assess_hyp *ah,
			      enum model_link l)
{
	struct assess_link *L = &ah->links[l];
	double b = 0.0;
	for (size_t i = 0; i < as->n_hyps; i++) {
		const struct assess_hyp *o = &as->hyps[i];
		const struct assess_link *ol = &o->links[l];
		if (!assess_is_named(o->h) || !(ol->flags & LINK_FLAG_FALSE_FLAG))
			continue;
		double against = ol->fusion.costly.d - ol->fusion.costly.b;
		double v = fmax(0.0, against) * planted_strength(o, l);
		if (v > b) {
			b = v;
			snprintf(L->detail, sizeof L->detail, "artefacts of %s "
				 "planted where costly evidence points away "
				 "(d-b=%.2f)", o->h->id, against);
		}
	}
	L->derived = (struct opinion){b, 0.0, 1.0 - b, ah->h->base_rate};
	L->has_derived = true;
	L->op = L->n_items ? opinion_cumulative(L->derived, L->fusion.fused)
			   : L->derived;
}

static void read_link(struct assess_link *L)
{
	L->ci90 = opinion_ci90(L->op);
	L->phrase = opinion_icd203(L->op);
	icd203_interval_text(L->op.b, L->op.b + L->op.u, L->phrase_text,
			     sizeof L->phrase_text);
	L->confidence = opinion_confidence(L->op);
}

/* "Someone else" on a chain of links: it did it whenever some link of
 * every named chain fails. Pl = 1 - Σ named joint beliefs (at least);
 * Bel = the larger of its own belief on any link (nobody named did that
 * link) and 1 - Σ named joint plausibilities. The weakest-link reading
 * is the same pair. */
static struct chain_reading someone_else_chain(const struct assessment *as,
					       const struct assess_hyp *ah,
					       const enum model_link *links,
					       size_t n, size_t which)
{
	double sum_bel = 0, sum_pl = 0, own = 0;
	for (size_t h = 0; h < as->n_hyps; h++) {
		const struct assess_hyp *o = &as->hyps[h];
		if (!assess_is_named(o->h))
			continue;
		const struct chain_reading *c = which == 0 ? &o->state
					       : which == 1 ? &o->organisation
							    : &o->individual;
		sum_bel += c->joint_bel;
		sum_pl += c->joint_pl;
	}
	for (size_t i = 0; i < n; i++)
		own = fmax(own, ah->links[links[i]].op.b);
	double pl = fmin(1.0, fmax(0.0, 1.0 - sum_bel));
	double bel = fmin(pl, fmax(own, 1.0 - sum_pl));
	return (struct chain_reading){bel, pl, bel, pl, 0, 0};
}

static const enum model_link ORG_CHAIN[3] = {MODEL_L1, MODEL_L2, MODEL_L3};
static const enum model_link IND_CHAIN[3] = {MODEL_L1, MODEL_L2, MODEL_L3I};

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

static void read_unknown_chains(const struct assessment *as,
				struct assess_hyp *ah)
{
	ah->state = someone_else_chain(as, ah, ASSESS_STATE_CHAIN,
				       ASSESS_STATE_LINKS, 0);
	ah->organisation = someone_else_chain(as, ah, ORG_CHAIN, 3, 1);
	ah->individual = someone_else_chain(as, ah, IND_CHAIN, 3, 2);
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
		for (size_t j = 0; j < ah->n_items; j++)
			ah->links[ah->items[j].link].n_items++;
	}
	if (number_frame(as) != 0)
		goto oom;
	for (int l = 0; l < MODEL_LINK_COUNT; l++) {
		if (assess_build_frame(as, (enum model_link)l) != 0)
			goto oom;
		for (size_t i = 0; i < as->n_hyps; i++) {
			struct assess_hyp *ah = &as->hyps[i];
			if (as->hyp_frame[i] >= 0)
				read_frame_link(as, ah, (enum model_link)l);
			else if (read_own_link(ah, (enum model_link)l) != 0)
				goto oom;
		}
		assess_frame_conflicts(as, (enum model_link)l);
	}
	/* The false-flag hypotheses read the named ones' flags. */
	for (size_t i = 0; i < as->n_hyps; i++)
		if (as->hyp_frame[i] < 0)
			for (int l = 0; l < MODEL_LINK_COUNT; l++)
				derive_false_flag(as, &as->hyps[i],
						  (enum model_link)l);
	for (size_t i = 0; i < as->n_hyps; i++) {
		struct assess_hyp *ah = &as->hyps[i];
		for (int l = 0; l < MODEL_LINK_COUNT; l++)
			read_link(&ah->links[l]);
		if (ah->h->type != MODEL_HYP_UNKNOWN)
			read_chains(ah);
	}
	for (size_t i = 0; i < as->n_hyps; i++) {
		struct assess_hyp *ah = &as->hyps[i];
		if (ah->h->type == MODEL_HYP_UNKNOWN)
			read_unknown_chains(as, ah);
		if (assess_standards(as, ah) != 0 ||
		    assess_sensitivity(as, ah) != 0)
			goto oom;
	}
	*out = as;
	return 0;
oom:
	assess_free(as);
	snprintf(err, errlen, "out of memory while scoring");
	return -1;
}

void assess_free(struct assessment *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_hyps; i++) {
		for (size_t j = 0; j < a->hyps[i].n_items; j++)
			free(a->hyps[i].items[j].key);
		free(a->hyps[i].items);
		free(a->hyps[i].standards);
		free(a->hyps[i].sens);
	}
	for (int l = 0; l < MODEL_LINK_COUNT; l++)
		assess_frame_free(&a->frames[l]);
	free(a->hyp_frame);
	free(a->frame_hyp);
	free(a->hyps);
	free(a->standards);
	free(a);
}
