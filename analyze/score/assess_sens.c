/*
 * assess_sens.c — leave-one-out sensitivity (docs/scoring.md
 * "Sensitivity"): for each artefact a hypothesis's links rest on, and
 * each class of them, the belief of the link and of the state chain
 * without it. Linear in the number of artefacts: the frame's totals are
 * sums and means per group, so leaving items out changes only the
 * groups they belong to, and each change is O(1) per item.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/vocab/kinds.h"
#include "analyze/score/assess_internal.h"

/* One artefact mentioning the hypothesis's member x on a link. */
struct mention {
	size_t a;        /* frame item */
	uint32_t g;      /* its group */
	double r;
	bool pos;        /* set not negated */
	bool cont;       /* pos and contains x */
	bool excl;       /* negated and x among the excluded */
	bool single;     /* the set is {x} */
};

/* Per group of the link, what x's artefacts there add up to. */
struct group_agg {
	uint32_t g;
	double S, C, E;
};

struct view {
	const struct frame_fusion *F;
	struct mention *m;
	size_t n;
	struct group_agg *agg;    /* one per group met, in group order */
	size_t *agg_of;           /* mention -> agg index */
	double R, B, D;           /* totals (amounts, not masses) */
};

static int cmp_mention(const void *pa, const void *pb)
{
	const struct mention *a = pa, *b = pb;
	if (a->g != b->g)
		return a->g < b->g ? -1 : 1;
	return (a->a > b->a) - (a->a < b->a);
}

static void view_free(struct view *v)
{
	free(v->m);
	free(v->agg);
	free(v->agg_of);
}

static int view_build(const struct frame_item *items,
		      const struct frame_fusion *F, const size_t *arts,
		      size_t n, uint32_t x, struct view *v)
{
	memset(v, 0, sizeof *v);
	v->F = F;
	v->m = calloc(n ? n : 1, sizeof *v->m);
	v->agg = calloc(n ? n : 1, sizeof *v->agg);
	v->agg_of = calloc(n ? n : 1, sizeof *v->agg_of);
	if (!v->m || !v->agg || !v->agg_of)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct frame_item *it = &items[arts[i]];
		struct mention *m = &v->m[i];
		m->a = arts[i];
		m->g = F->group[arts[i]];
		m->r = F->r[arts[i]];
		m->pos = !it->negated;
		m->cont = m->pos && frame_contains(it, x);
		m->excl = it->negated && !frame_contains(it, x);
		m->single = frame_singleton(it, F->size) == (long)x;
	}
	qsort(v->m, n, sizeof *v->m, cmp_mention);
	v->n = n;
	size_t na = 0;
	for (size_t i = 0; i < n; i++) {
		const struct mention *m = &v->m[i];
		if (!na || v->agg[na - 1].g != m->g)
			v->agg[na++].g = m->g;
		struct group_agg *g = &v->agg[na - 1];
		g->S += m->single ? m->r : 0;
		g->C += m->cont ? m->r : 0;
		g->E += m->excl ? m->r : 0;
		v->agg_of[i] = na - 1;
	}
	v->R = F->R;
	v->B = F->bel[x] * (1 + F->R);
	v->D = F->dis[x] * (1 + F->R);
	return 0;
}

/* b and d of x without the mentions whose positions are in pos[0..k)
 * (ascending). */
static void view_without(const struct view *v, const size_t *pos, size_t k,
			 double *b, double *d)
{
	const struct frame_fusion *F = v->F;
	double R = v->R, B = v->B, D = v->D;
	size_t i = 0;
	while (i < k) {
		size_t ai = v->agg_of[pos[i]];
		const struct group_agg *g = &v->agg[ai];
		double dn = 0, dsum = 0, dpos = 0, dS = 0, dC = 0, dE = 0;
		for (; i < k && v->agg_of[pos[i]] == ai; i++) {
			const struct mention *m = &v->m[pos[i]];
			dn += 1;
			dsum += m->r;
			dpos += m->pos ? m->r : 0;
			dS += m->single ? m->r : 0;
			dC += m->cont ? m->r : 0;
			dE += m->excl ? m->r : 0;
		}
		double n = (double)F->group_n[g->g], left = n - dn;
		double sum = F->group_sum[g->g], psum = F->group_pos[g->g];
		R -= sum / n;
		B -= g->S / n;
		D -= (psum - g->C + g->E) / n;
		if (left > 0) {
			R += (sum - dsum) / left;
			B += (g->S - dS) / left;
			D += (psum - dpos - (g->C - dC) + (g->E - dE)) / left;
		}
	}
	R = fmax(R, 0);
	*b = fmin(fmax(B / (1 + R), 0), 1);
	*d = fmin(fmax(D / (1 + R), 0), 1 - *b);
}

/* Class name of an artefact for grouping pass g: "cheap:L2"/"costly:L2",
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

/* The state chain of ah with new (b, d) on some links. */
static void chain_with(const struct assess_hyp *ah, const double *b,
		       const double *d, const bool *changed,
		       double *bel, double *pl)
{
	struct opinion ops[MODEL_LINK_COUNT];
	struct chain_reading c;
	for (int l = 0; l < MODEL_LINK_COUNT; l++) {
		ops[l] = ah->links[l].op;
		if (changed[l])
			ops[l] = (struct opinion){b[l], d[l],
						  fmax(0, 1 - b[l] - d[l]),
						  ops[l].a};
	}
	assess_state_chain(ops, &c);
	*bel = c.joint_bel;
	*pl = c.joint_pl;
}

static void record(const struct assess_hyp *ah, const char *name,
		   bool is_class, const double *b, const double *d,
		   const bool *changed, bool flags, bool chain,
		   struct assess_sensitivity *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->removed, sizeof out->removed, "%s", name);
	out->is_class = is_class;
	out->link = MODEL_L1;
	for (int l = MODEL_LINK_COUNT - 1; l >= 0; l--)
		if (changed[l])
			out->link = (enum model_link)l;
	out->link_belief = b[out->link];
	out->link_belief_delta = b[out->link] - ah->links[out->link].op.b;
	double bel = ah->state.joint_bel, pl = ah->state.joint_pl;
	if (chain)
		chain_with(ah, b, d, changed, &bel, &pl);
	out->joint_belief = bel;
	out->joint_belief_delta = bel - ah->state.joint_bel;
	out->joint_plausibility = pl;
	out->joint_plausibility_delta = pl - ah->state.joint_pl;
	out->flags_changed = flags;
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

struct entry {
	char name[96];
	int link;
	size_t pos;
};

static int cmp_entry(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	if (c)
		return c;
	if (a->link != b->link)
		return a->link < b->link ? -1 : 1;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

/* The artefacts mentioning ah on each link (its frame's, or a frame of
 * its own items for a hypothesis outside the frame). */
struct links_view {
	struct view v[MODEL_LINK_COUNT];
	const struct frame_item *items[MODEL_LINK_COUNT];
	const struct assess_item *const *rep[MODEL_LINK_COUNT];
};

int assess_sensitivity(const struct assessment *as, struct assess_hyp *ah)
{
	long x = as->hyp_frame[ah - as->hyps];
	struct links_view lv;
	struct entry *e = NULL;
	size_t ne = 0, total = 0;
	int rc = -1;
	memset(&lv, 0, sizeof lv);
	if (x < 0) /* false flag: derived from the named, not left out */
		return 0;
	for (int l = 0; l < MODEL_LINK_COUNT; l++) {
		const struct assess_frame *F = &as->frames[l];
		size_t lo = F->mention_off[x], hi = F->mention_off[x + 1];
		lv.items[l] = F->items;
		lv.rep[l] = F->rep;
		if (view_build(F->items, &F->fusion, F->mention + lo, hi - lo,
			       (uint32_t)x, &lv.v[l]) != 0)
			goto done;
		total += hi - lo;
	}
	e = calloc(3 * total + 1, sizeof *e);
	ah->sens = calloc(3 * total + 1, sizeof *ah->sens);
	if (!e || !ah->sens)
		goto done;
	double b[MODEL_LINK_COUNT], d[MODEL_LINK_COUNT];
	bool changed[MODEL_LINK_COUNT];
	bool chain = ah->h->type != MODEL_HYP_UNKNOWN;
	for (int l = 0; l < MODEL_LINK_COUNT; l++) {
		for (size_t p = 0; p < lv.v[l].n; p++) {
			const struct assess_item *rep = lv.rep[l][lv.v[l].m[p].a];
			memset(changed, 0, sizeof changed);
			changed[l] = true;
			view_without(&lv.v[l], &p, 1, &b[l], &d[l]);
			bool flags = ah->links[l].flags &&
				     (lv.v[l].n == 1 || rep->cheap);
			record(ah, rep->id, false, b, d, changed, flags, chain,
			       &ah->sens[ah->n_sens++]);
			for (int g = 0; g < 2; g++) {
				class_name(rep, g, e[ne].name,
					   sizeof e[ne].name);
				e[ne].link = l;
				e[ne].pos = p;
				ne++;
			}
		}
	}
	/* classes of at least two artefacts (one is its own entry) */
	qsort(e, ne, sizeof *e, cmp_entry);
	size_t *pos = calloc(ne + 1, sizeof *pos);
	if (!pos)
		goto done;
	for (size_t i = 0; i < ne;) {
		size_t j = i;
		while (j < ne && !strcmp(e[j].name, e[i].name))
			j++;
		if (j - i >= 2) {
			memset(changed, 0, sizeof changed);
			for (size_t k = i; k < j;) {
				int l = e[k].link;
				size_t c = 0;
				for (; k < j && e[k].link == l; k++)
					pos[c++] = e[k].pos;
				changed[l] = true;
				view_without(&lv.v[l], pos, c, &b[l], &d[l]);
			}
			record(ah, e[i].name, true, b, d, changed, false, chain,
			       &ah->sens[ah->n_sens++]);
		}
		i = j;
	}
	free(pos);
	qsort(ah->sens, ah->n_sens, sizeof *ah->sens, cmp_sens);
	rc = 0;
done:
	for (int l = 0; l < MODEL_LINK_COUNT; l++)
		view_free(&lv.v[l]);
	free(e);
	return rc;
}
