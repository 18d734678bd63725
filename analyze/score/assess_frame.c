/*
 * assess_frame.c — builds and fuses the frame of each link
 * (docs/scoring.md "The frame"): every matched pattern and claim of the
 * named hypotheses and of "someone else" becomes mass on the set of
 * answers it fits; the same artefact (kind and value, or the same claim)
 * counts once whatever its source or file; flags CONFLICT (with the
 * degree and both sides) and FALSE_FLAG per hypothesis and link.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/score/assess_internal.h"

/* One item's place in the link's frame, before grouping. */
struct contrib {
	struct assess_item *it;
	uint32_t x; /* frame member */
};

static int cmp_contrib(const void *pa, const void *pb)
{
	const struct contrib *a = pa, *b = pb;
	int c = strcmp(a->it->key, b->it->key);
	if (c)
		return c;
	if (a->it->direction != b->it->direction)
		return a->it->direction < b->it->direction ? -1 : 1;
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	c = strcmp(a->it->source, b->it->source);
	return c ? c : strcmp(a->it->id, b->it->id);
}

static double item_mass(const struct assess_item *it)
{
	return it->op.b + it->op.d;
}

/* The item that speaks for a group: the heaviest; ties to the smaller
 * source label, then id (so no order of files decides). */
static bool heavier(const struct assess_item *a, const struct assess_item *b)
{
	double ma = item_mass(a), mb = item_mass(b);
	if (ma != mb)
		return ma > mb;
	int c = strcmp(a->source, b->source);
	return c ? c < 0 : strcmp(a->id, b->id) < 0;
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends one frame item made of contributions c[lo, hi) with the
 * given direction (both: -1); returns its index. */
static size_t emit(struct assess_frame *F, struct contrib *c, size_t lo,
		   size_t hi, int dir, bool negated)
{
	size_t k = F->n;
	struct frame_item *fi = &F->items[k];
	uint32_t *mem = F->members + F->n_members;
	uint32_t nm = 0;
	struct assess_item *rep = NULL;
	for (size_t i = lo; i < hi; i++) {
		if (dir >= 0 && (int)c[i].it->direction != dir)
			continue;
		if (!nm || mem[nm - 1] != c[i].x) {
			/* contributions are sorted by x within a direction;
			 * keep the list sorted and unique */
			uint32_t at = nm;
			while (at > 0 && mem[at - 1] > c[i].x)
				at--;
			if (!(at > 0 && mem[at - 1] == c[i].x)) {
				memmove(mem + at + 1, mem + at,
					(nm - at) * sizeof *mem);
				mem[at] = c[i].x;
				nm++;
			}
		}
		if (!rep || heavier(c[i].it, rep))
			rep = c[i].it;
	}
	fi->members = mem;
	fi->n_members = nm;
	fi->negated = negated;
	fi->w = item_mass(rep);
	fi->cheap = rep->cheap;
	F->rep[k] = rep;
	F->n_members += nm;
	F->n++;
	return k;
}

/* Groups the link's contributions by artefact into frame items. */
static void group_artefacts(struct assess_frame *F, struct contrib *c,
			    size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i, nsup = 0, ncon = 0;
		while (j < n && !strcmp(c[j].it->key, c[i].it->key))
			j++;
		bool overlap = false;
		for (size_t a = i; a < j; a++) {
			if (c[a].it->direction == OPINION_SUPPORTS)
				nsup++;
			else
				ncon++;
		}
		/* the supporting contributions come first, then the
		 * contradicting ones, each sorted by member: a hypothesis in
		 * both is found by one merge (linear however many
		 * hypotheses share the artefact) */
		for (size_t a = i, b = i + nsup; a < i + nsup && b < j && !overlap;) {
			if (c[a].x == c[b].x)
				overlap = true;
			else if (c[a].x < c[b].x)
				a++;
			else
				b++;
		}
		if (overlap) {
			/* sources disagree about this very artefact: both
			 * statements stand, and their conflict is measured */
			size_t ks = emit(F, c, i, j, OPINION_SUPPORTS, false);
			size_t kc = emit(F, c, i, j, OPINION_CONTRADICTS, true);
			for (size_t a = i; a < j; a++)
				c[a].it->artefact =
					c[a].it->direction == OPINION_SUPPORTS
						? ks
						: kc;
		} else {
			/* one statement: for the supported set (which
			 * excludes the contradicted ones), or against the
			 * contradicted ones when nothing supports */
			size_t k = nsup ? emit(F, c, i, j, OPINION_SUPPORTS,
					       false)
					: emit(F, c, i, j, OPINION_CONTRADICTS,
					       true);
			for (size_t a = i; a < j; a++)
				c[a].it->artefact = k;
		}
		(void)ncon;
		i = j;
	}
}

/* Dense source indices by label, sorted. */
static int index_sources(struct assess_frame *F)
{
	const char **labels = malloc((F->n ? F->n : 1) * sizeof *labels);
	if (!labels)
		return -1;
	for (size_t k = 0; k < F->n; k++)
		labels[k] = F->rep[k]->source;
	qsort(labels, F->n, sizeof *labels, cmp_label);
	size_t u = 0;
	for (size_t k = 0; k < F->n; k++)
		if (!u || strcmp(labels[u - 1], labels[k]))
			labels[u++] = labels[k];
	F->sources = labels;
	F->n_sources = (uint32_t)u;
	for (size_t k = 0; k < F->n; k++) {
		const char **hit = bsearch(&F->rep[k]->source, labels, u,
					   sizeof *labels, cmp_label);
		F->items[k].source = (uint32_t)(hit - labels);
	}
	return 0;
}

/* For each frame member, the artefacts that mention it (contain it, or
 * exclude it): CSR arrays mention_off[size + 1], mention[]. */
static int index_mentions(struct assess_frame *F, uint32_t size)
{
	size_t total = 0;
	F->mention_off = calloc((size_t)size + 2, sizeof *F->mention_off);
	if (!F->mention_off)
		return -1;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < F->n; k++) {
			const struct frame_item *fi = &F->items[k];
			long extra = fi->negated ? frame_singleton(fi, size) : -1;
			for (uint32_t m = 0; m <= fi->n_members; m++) {
				long x = m < fi->n_members ? (long)fi->members[m]
							   : extra;
				if (x < 0)
					continue;
				if (pass == 0)
					F->mention_off[x + 2]++;
				else
					F->mention[F->mention_off[x + 1]++] = k;
			}
		}
		if (pass == 0) {
			for (uint32_t x = 0; x < size; x++)
				F->mention_off[x + 2] += F->mention_off[x + 1];
			total = F->mention_off[size + 1];
			F->mention = malloc((total ? total : 1) *
					    sizeof *F->mention);
			if (!F->mention)
				return -1;
		}
	}
	return 0;
}

int assess_build_frame(struct assessment *as, enum model_link l)
{
	struct assess_frame *F = &as->frames[l];
	size_t n = 0;
	for (size_t h = 0; h < as->n_hyps; h++)
		if (as->hyp_frame[h] >= 0)
			for (size_t i = 0; i < as->hyps[h].n_items; i++)
				n += as->hyps[h].items[i].link == l;
	struct contrib *c = malloc((n ? n : 1) * sizeof *c);
	/* at most two frame items per contribution group; members at most
	 * one per contribution */
	F->items = calloc(n ? n : 1, sizeof *F->items);
	F->rep = calloc(n ? n : 1, sizeof *F->rep);
	F->members = malloc((n ? n : 1) * sizeof *F->members);
	if (!c || !F->items || !F->rep || !F->members) {
		free(c);
		return -1;
	}
	n = 0;
	for (size_t h = 0; h < as->n_hyps; h++) {
		if (as->hyp_frame[h] < 0)
			continue;
		for (size_t i = 0; i < as->hyps[h].n_items; i++)
			if (as->hyps[h].items[i].link == l)
				c[n++] = (struct contrib){
					&as->hyps[h].items[i],
					(uint32_t)as->hyp_frame[h]};
	}
	qsort(c, n, sizeof *c, cmp_contrib);
	group_artefacts(F, c, n);
	free(c);
	if (index_sources(F) != 0 || index_mentions(F, as->frame_size) != 0 ||
	    frame_fuse(F->items, F->n, as->frame_size, F->n_sources,
		       &F->fusion) != 0)
		return -1;
	return 0;
}

void assess_frame_free(struct assess_frame *F)
{
	free(F->items);
	free(F->rep);
	free(F->members);
	free(F->sources);
	free(F->mention_off);
	free(F->mention);
	frame_fusion_free(&F->fusion);
	memset(F, 0, sizeof *F);
}

/* "actor-a", "not actor-a", "actor-a|actor-b" for a frame item. */
static void set_text(const struct assessment *as, const struct frame_item *fi,
		     char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (uint32_t m = 0; m < fi->n_members && used + 1 < size; m++) {
		int w = snprintf(out + used, size - used, "%s%s%s",
				 m ? "|" : "", !m && fi->negated ? "not " : "",
				 as->hyps[as->frame_hyp[fi->members[m]]].h->id);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static const char *party_name(const struct assess_frame *F, uint32_t p)
{
	return p == FRAME_CHEAP_PARTY ? "the cheap class" : F->sources[p];
}

/* Raises CONFLICT on every hypothesis a measured conflict names. */
void assess_frame_conflicts(struct assessment *as, enum model_link l)
{
	const struct assess_frame *F = &as->frames[l];
	double thr = as->params.conflict_threshold;
	for (size_t c = 0; c < F->fusion.n_conflicts; c++) {
		const struct frame_conflict *k = &F->fusion.conflicts[c];
		bool raise = k->self ? k->k > OPINION_EPS
				     : k->k > thr + OPINION_EPS;
		char a[120], b[120], detail[200];
		set_text(as, &F->items[k->item[0]], a, sizeof a);
		set_text(as, &F->items[k->item[1]], b, sizeof b);
		if (k->self)
			snprintf(detail, sizeof detail, "source %s contradicts "
				 "itself (K=%.2f): %s against %s",
				 party_name(F, k->party[0]), k->k, a, b);
		else
			snprintf(detail, sizeof detail, "sources in conflict "
				 "(K=%.2f): %s says %s, %s says %s", k->k,
				 party_name(F, k->party[0]), a,
				 party_name(F, k->party[1]), b);
		for (int side = 0; side < 2; side++) {
			const struct frame_item *fi = &F->items[k->item[side]];
			for (uint32_t m = 0; m < fi->n_members; m++) {
				size_t h = as->frame_hyp[fi->members[m]];
				struct assess_link *L = &as->hyps[h].links[l];
				if (k->k > L->conflict)
					L->conflict = k->k;
				if (!raise || (L->flags & LINK_FLAG_CONFLICT))
					continue;
				L->flags |= LINK_FLAG_CONFLICT;
				if (!(L->flags & LINK_FLAG_FALSE_FLAG))
					snprintf(L->detail, sizeof L->detail,
						 "%s", detail);
			}
		}
	}
}
