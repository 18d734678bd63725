/*
 * assess_needs.c — for each legal standard, whether the state chain
 * meets it and what each link would need to; and leave-one-out
 * sensitivity over items and classes of evidence (docs/scoring.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/vocab/kinds.h"
#include "analyze/score/assess_internal.h"

/* The strongest single claim of a type: strength 1, credibility 1
 * (×0.95), reliability A (0.95), forgeability of the type. */
static double best_claim(enum model_claim_type t, double delta)
{
	return opinion_discount_factor(0.95, model_claim_type_forgeability(t),
				       delta) * 0.95;
}

static void feasibility(struct assess_need *n, double y, double delta)
{
	char list[120] = "";
	size_t used = 0;
	int count = 0;
	double best = 0;
	enum model_claim_type best_t = MODEL_CLAIM_ACKNOWLEDGEMENT;
	for (int t = 0; t < MODEL_CLAIM_TYPE_COUNT; t++) {
		double x = best_claim((enum model_claim_type)t, delta);
		if (x > best) {
			best = x;
			best_t = (enum model_claim_type)t;
		}
		if (x + OPINION_EPS < n->strength_needed)
			continue;
		int w = snprintf(list + used, sizeof list - used, "%s%s",
				 count ? ", " : "",
				 model_claim_type_name((enum model_claim_type)t));
		if (w > 0 && (size_t)w < sizeof list - used)
			used += (size_t)w;
		count++;
	}
	if (count) {
		snprintf(n->feasible, sizeof n->feasible, "one more "
			 "independent source rated A1 could (%s)", list);
		return;
	}
	double y1 = best / (1.0 - best);
	double k = y1 > 0 ? ceil(y / y1 - 1e-9) : INFINITY;
	if (isfinite(k) && k < 1e6)
		snprintf(n->feasible, sizeof n->feasible, "no single claim "
			 "can; %.0f independent A1 %s claims could", k,
			 model_claim_type_name(best_t));
	else
		snprintf(n->feasible, sizeof n->feasible, "no claim can "
			 "(deception prior leaves no weight to claims)");
}

static void need_for(const struct assessment *as,
		     const struct assess_hyp *ah, size_t i, double thr,
		     struct assess_need *n)
{
	enum model_link l = ASSESS_STATE_CHAIN[i];
	struct opinion o = ah->links[l].op;
	double others = 1.0;
	char zero[40] = "";
	size_t used = 0;
	memset(n, 0, sizeof *n);
	n->link = l;
	for (size_t j = 0; j < ASSESS_STATE_LINKS; j++) {
		if (j == i)
			continue;
		double b = ah->links[ASSESS_STATE_CHAIN[j]].op.b;
		others *= b;
		if (b <= 0) {
			int w = snprintf(zero + used, sizeof zero - used,
					 "%s%s", used ? ", " : "",
					 model_link_name(ASSESS_STATE_CHAIN[j]));
			if (w > 0 && (size_t)w < sizeof zero - used)
				used += (size_t)w;
		}
	}
	if (others <= 0) {
		snprintf(n->feasible, sizeof n->feasible, "impossible on this "
			 "link alone: %s %s no belief yet", zero,
			 strchr(zero, ',') ? "have" : "has");
		return;
	}
	n->belief_needed = thr / others;
	if (n->belief_needed > 1.0 + OPINION_EPS) {
		snprintf(n->feasible, sizeof n->feasible, "impossible on this "
			 "link alone: the other links' joint belief %.3f is "
			 "below %.2f", others, thr);
		return;
	}
	n->possible = true;
	if (o.b + OPINION_EPS >= n->belief_needed) {
		n->has_strength = true;
		snprintf(n->feasible, sizeof n->feasible, "this link is "
			 "already strong enough");
		return;
	}
	if (o.u < 1e-12 || n->belief_needed >= 1.0 - 1e-12) {
		snprintf(n->feasible, sizeof n->feasible, "only certainty "
			 "would do: no finite evidence can");
		return;
	}
	double B = o.b / o.u, D = o.d / o.u;
	double Bn = n->belief_needed * (1.0 + D) / (1.0 - n->belief_needed);
	double y = Bn - B;
	n->has_strength = true;
	n->strength_needed = y / (1.0 + y);
	feasibility(n, y, as->deception);
}

int assess_standards(const struct assessment *as, struct assess_hyp *ah)
{
	ah->standards = calloc(as->n_standards ? as->n_standards : 1,
			       sizeof *ah->standards);
	if (!ah->standards)
		return -1;
	for (size_t s = 0; s < as->n_standards; s++) {
		const struct legal_standard *std = &as->standards[s];
		struct assess_standard *out = &ah->standards[s];
		out->joint = legal_assess_bel_pl(std, ah->state.joint_bel,
						 ah->state.joint_pl);
		out->weakest = legal_assess_bel_pl(std, ah->state.weakest_bel,
						   ah->state.weakest_pl);
		for (size_t i = 0; i < ASSESS_STATE_LINKS; i++)
			need_for(as, ah, i, std->threshold, &out->need[i]);
	}
	return 0;
}

/* ---- sensitivity ---- */

struct rescore {
	struct opinion ops[MODEL_LINK_COUNT];
	unsigned flags[MODEL_LINK_COUNT];
	struct chain_reading state;
};

static void rescore(const struct assessment *as, const struct assess_hyp *ah,
		    const bool *skip, struct link_evidence *scratch,
		    struct rescore *r)
{
	struct link_fusion f[MODEL_LINK_COUNT];
	assess_fuse_links(as, ah, skip, f, scratch);
	for (int l = 0; l < MODEL_LINK_COUNT; l++) {
		const struct assess_link *L = &ah->links[l];
		size_t left = 0;
		for (size_t i = 0; i < ah->n_items; i++)
			left += ah->items[i].link == (enum model_link)l &&
				!skip[i];
		r->flags[l] = f[l].flags;
		if (!L->has_derived) {
			r->ops[l] = f[l].fused;
		} else if (left) {
			bool c = false;
			r->ops[l] = opinion_fuse_checked(
				L->derived, f[l].fused,
				as->params.conflict_threshold, &c);
			if (c)
				r->flags[l] |= LINK_FLAG_CONFLICT;
		} else {
			r->ops[l] = L->derived;
		}
	}
	assess_state_chain(r->ops, &r->state);
}

static void record(const struct assess_hyp *ah, const struct rescore *r,
		   const char *name, bool is_class, const bool *skip,
		   struct assess_sensitivity *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->removed, sizeof out->removed, "%s", name);
	out->is_class = is_class;
	out->link = MODEL_LINK_COUNT;
	for (size_t i = 0; i < ah->n_items; i++)
		if (skip[i]) {
			out->link = ah->items[i].link;
			break;
		}
	if (out->link == MODEL_LINK_COUNT)
		out->link = MODEL_L1;
	out->link_belief = r->ops[out->link].b;
	out->link_belief_delta = r->ops[out->link].b - ah->links[out->link].op.b;
	out->joint_belief = r->state.joint_bel;
	out->joint_belief_delta = r->state.joint_bel - ah->state.joint_bel;
	out->joint_plausibility = r->state.joint_pl;
	out->joint_plausibility_delta = r->state.joint_pl - ah->state.joint_pl;
	for (int l = 0; l < MODEL_LINK_COUNT; l++)
		out->flags_changed |= r->flags[l] != ah->links[l].flags;
}

static int cmp_sens(const void *x, const void *y)
{
	const struct assess_sensitivity *a = x, *b = y;
	double k[3][2] = {
		{fabs(a->joint_belief_delta), fabs(b->joint_belief_delta)},
		{fabs(a->link_belief_delta), fabs(b->link_belief_delta)},
		{fabs(a->joint_plausibility_delta),
		 fabs(b->joint_plausibility_delta)},
	};
	for (int i = 0; i < 3; i++)
		if (k[i][0] != k[i][1])
			return k[i][0] > k[i][1] ? -1 : 1;
	if (a->flags_changed != b->flags_changed)
		return a->flags_changed ? -1 : 1;
	return strcmp(a->removed, b->removed);
}

/* Class name of item i for grouping pass g: "cheap:L2"/"costly:L2",
 * "kind:tls.ja3", "claim:vendor-report". */
static void class_name(const struct assess_item *it, int g, char *out,
		       size_t size)
{
	if (g == 0)
		snprintf(out, size, "%s:%s", it->cheap ? "cheap" : "costly",
			 model_link_name(it->link));
	else if (it->claim)
		snprintf(out, size, "claim:%s",
			 model_claim_type_name(it->claim->type));
	else
		snprintf(out, size, "kind:%s",
			 it->pattern->kind == MODEL_KIND_ANY_IP
				 ? "ip"
				 : obs_kind_name((enum obs_kind)it->pattern->kind));
}

static int cmp_class(const void *x, const void *y, void *ctx)
{
	char (*class_names)[96] = ctx;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = strcmp(class_names[a], class_names[b]);
	return c ? c : (a > b) - (a < b);
}

int assess_sensitivity(const struct assessment *as, struct assess_hyp *ah,
		       struct link_evidence *scratch)
{
	size_t n = ah->n_items;
	bool *skip = calloc(n + 1, sizeof *skip);
	char (*names)[96] = calloc(n + 1, sizeof *names);
	size_t *order = calloc(n + 1, sizeof *order);
	ah->sens = calloc(3 * n + 1, sizeof *ah->sens);
	int rc = -1;
	if (!skip || !names || !order || !ah->sens)
		goto done;
	struct rescore r;
	for (size_t i = 0; i < n; i++) {
		skip[i] = true;
		rescore(as, ah, skip, scratch, &r);
		record(ah, &r, ah->items[i].id, false, skip,
		       &ah->sens[ah->n_sens++]);
		skip[i] = false;
	}
	/* Classes with at least two items (one item is its own entry). */
	for (int g = 0; g < 2; g++) {
		for (size_t i = 0; i < n; i++) {
			class_name(&ah->items[i], g, names[i], sizeof names[i]);
			order[i] = i;
		}
		qsort_r(order, n, sizeof *order, cmp_class, names);
		for (size_t i = 0; i < n;) {
			size_t j = i;
			while (j < n && !strcmp(names[order[j]], names[order[i]]))
				j++;
			if (j - i >= 2) {
				for (size_t k = i; k < j; k++)
					skip[order[k]] = true;
				rescore(as, ah, skip, scratch, &r);
				record(ah, &r, names[order[i]], true, skip,
				       &ah->sens[ah->n_sens++]);
				memset(skip, 0, n * sizeof *skip);
			}
			i = j;
		}
	}
	qsort(ah->sens, ah->n_sens, sizeof *ah->sens, cmp_sens);
	rc = 0;
done:
	free(skip);
	free(names);
	free(order);
	return rc;
}
