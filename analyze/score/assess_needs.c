/*
 * assess_needs.c — for each legal standard, whether the state chain
 * meets it and what each link would need to (docs/scoring.md).
 * Sensitivity is in assess_sens.c.
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
		if (model_claim_type_is_location((enum model_claim_type)t))
			continue; /* never enough, never on L4 */
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
		for (size_t i = 0; i < ASSESS_STATE_LINKS; i++) {
			if (ah->h->type != MODEL_HYP_UNKNOWN) {
				need_for(as, ah, i, std->threshold,
					 &out->need[i]);
				continue;
			}
			memset(&out->need[i], 0, sizeof out->need[i]);
			out->need[i].link = ASSESS_STATE_CHAIN[i];
			snprintf(out->need[i].feasible,
				 sizeof out->need[i].feasible, "someone else "
				 "is judged on the named chains: evidence "
				 "that none of them did it raises its belief");
		}
	}
	return 0;
}
