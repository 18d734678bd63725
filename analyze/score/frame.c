/*
 * frame.c — fuses one link's evidence over the frame of its hypotheses
 * (frame.h; docs/scoring.md "The frame"): evidence amounts averaged in
 * the cheap class and within each costly source, added across them;
 * belief and disbelief of each member; conflict measured between every
 * pair of parties, and inside a source that says both yes and no.
 */
#include "analyze/score/frame.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/score/opinion.h"

bool frame_contains(const struct frame_item *it, uint32_t x)
{
	uint32_t lo = 0, hi = it->n_members;
	bool in = false;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (it->members[mid] == x) {
			in = true;
			break;
		}
		if (it->members[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return in != it->negated;
}

long frame_singleton(const struct frame_item *it, uint32_t size)
{
	if (!it->negated)
		return it->n_members == 1 ? (long)it->members[0] : -1;
	if (it->n_members + 1 != size)
		return -1;
	/* Θ minus all but one: the missing member */
	for (uint32_t i = 0; i < it->n_members; i++)
		if (it->members[i] != i)
			return (long)i;
	return (long)it->n_members;
}

/* Members common to two sorted lists. */
static uint32_t common(const uint32_t *a, uint32_t na, const uint32_t *b,
		       uint32_t nb)
{
	uint32_t i = 0, j = 0, c = 0;
	while (i < na && j < nb) {
		if (a[i] == b[j]) {
			c++;
			i++;
			j++;
		} else if (a[i] < b[j]) {
			i++;
		} else {
			j++;
		}
	}
	return c;
}

bool frame_disjoint(const struct frame_item *a, const struct frame_item *b,
		    uint32_t size)
{
	uint32_t c = common(a->members, a->n_members, b->members,
			    b->n_members);
	if (!a->negated && !b->negated)
		return c == 0;
	if (!a->negated)
		return c == a->n_members; /* a ⊆ excluded(b) */
	if (!b->negated)
		return c == b->n_members;
	return a->n_members + b->n_members - c == size; /* exclusions cover Θ */
}

void frame_fusion_free(struct frame_fusion *f)
{
	if (!f)
		return;
	free(f->bel);
	free(f->r);
	free(f->group);
	free(f->group_sum);
	free(f->group_pos);
	free(f->group_n);
	free(f->conflicts);
	memset(f, 0, sizeof *f);
}

/* Adds masses scale·r_i (items selected by want) into bel and dis. */
static void spread(const struct frame_item *items, size_t n,
		   const double *coef, int want, uint32_t size, double *bel,
		   double *dis)
{
	double pos_total = 0;
	for (size_t i = 0; i < n; i++) {
		const struct frame_item *it = &items[i];
		if (want >= 0 && it->cheap != (want == 1))
			continue;
		double m = coef[i];
		long one = frame_singleton(it, size);
		if (one >= 0)
			bel[one] += m;
		if (!it->negated) {
			pos_total += m;
			for (uint32_t k = 0; k < it->n_members; k++)
				dis[it->members[k]] -= m; /* contains x */
		} else {
			for (uint32_t k = 0; k < it->n_members; k++)
				dis[it->members[k]] += m; /* excludes x */
		}
	}
	for (uint32_t x = 0; x < size; x++) {
		double d = dis[x] + pos_total;
		dis[x] = d < 0 ? 0 : d > 1 ? 1 : d;
	}
}

/* ---- conflict between parties ---- */

struct party {
	uint32_t id;     /* source, or FRAME_CHEAP_PARTY */
	size_t *idx;     /* its items */
	size_t n;
	double R;        /* its evidence total */
};

struct scratch {
	double *sing;    /* mass of the other party's singletons {x} */
	double *neg1;    /* mass of its Θ∖{x} */
	size_t *complex; /* its other items */
};

/* Conflict K(P, Q) = Σ m_i m_j over pairs with disjoint focal sets,
 * m_i = coef_i / (1 + R_P): Dempster's conflict between the two
 * parties' mass functions. *best_i, *best_j: the pair contributing most.
 * Linear in the parties' items, apart from items whose focal set is
 * neither a singleton nor Θ minus one member (shared artefacts), which
 * are compared with every item of the other party. */
static double pair_conflict(const struct frame_item *items,
			    const double *coef, uint32_t size,
			    const struct party *P, const struct party *Q,
			    struct scratch *s, size_t *best_i, size_t *best_j)
{
	double tot_sing = 0, k = 0, best = -1;
	size_t nc = 0;
	for (size_t b = 0; b < Q->n; b++) {
		size_t j = Q->idx[b];
		const struct frame_item *it = &items[j];
		double m = coef[j] / (1 + Q->R);
		long one = frame_singleton(it, size);
		if (one >= 0) {
			s->sing[one] += m;
			tot_sing += m;
		} else if (it->negated && it->n_members == 1) {
			s->neg1[it->members[0]] += m;
		} else {
			s->complex[nc++] = j;
		}
	}
	*best_i = P->n ? P->idx[0] : 0;
	for (size_t a = 0; a < P->n; a++) {
		size_t i = P->idx[a];
		const struct frame_item *it = &items[i];
		double mi = coef[i] / (1 + P->R), c = 0;
		long one = frame_singleton(it, size);
		bool all = false;
		if (one >= 0)
			c = tot_sing - s->sing[one] + s->neg1[one];
		else if (it->negated && it->n_members == 1)
			c = s->sing[it->members[0]];
		else
			all = true;
		if (all) {
			for (size_t b = 0; b < Q->n; b++)
				if (frame_disjoint(it, &items[Q->idx[b]], size))
					c += coef[Q->idx[b]] / (1 + Q->R);
		} else {
			for (size_t b = 0; b < nc; b++)
				if (frame_disjoint(it, &items[s->complex[b]],
						   size))
					c += coef[s->complex[b]] / (1 + Q->R);
		}
		if (c < 0)
			c = 0;
		k += mi * c;
		if (mi * c > best) {
			best = mi * c;
			*best_i = i;
		}
	}
	for (size_t b = 0; b < Q->n; b++) {
		const struct frame_item *it = &items[Q->idx[b]];
		long one = frame_singleton(it, size);
		if (one >= 0)
			s->sing[one] = 0;
		else if (it->negated && it->n_members == 1)
			s->neg1[it->members[0]] = 0;
	}
	*best_j = Q->n ? Q->idx[0] : 0;
	best = -1;
	for (size_t b = 0; P->n && b < Q->n; b++) {
		size_t j = Q->idx[b];
		double m = frame_disjoint(&items[*best_i], &items[j], size)
				   ? coef[j]
				   : 0;
		if (m > best) {
			best = m;
			*best_j = j;
		}
	}
	return k > 1 ? 1 : k;
}

static int add_conflict(struct frame_fusion *f, size_t *cap,
			struct frame_conflict c)
{
	if (f->n_conflicts == *cap) {
		size_t ncap = *cap ? 2 * *cap : 8;
		struct frame_conflict *v =
			realloc(f->conflicts, ncap * sizeof *v);
		if (!v)
			return -1;
		f->conflicts = v;
		*cap = ncap;
	}
	f->conflicts[f->n_conflicts++] = c;
	return 0;
}

/* A source that both supports {x} and contradicts x on this link:
 * degree = the strongest support × the strongest contradiction (the
 * conflict of combining the two statements). */
static int self_contradictions(const struct frame_item *items,
			       const struct party *src, uint32_t size,
			       double *sup, double *con, size_t *sup_i,
			       size_t *con_i, struct frame_fusion *f,
			       size_t *cap)
{
	int rc = 0;
	for (size_t a = 0; a < src->n; a++) {
		size_t i = src->idx[a];
		const struct frame_item *it = &items[i];
		if (!it->negated && it->n_members == 1) {
			uint32_t x = it->members[0];
			if (it->w > sup[x]) {
				sup[x] = it->w;
				sup_i[x] = i;
			}
		} else if (it->negated) {
			for (uint32_t k = 0; k < it->n_members; k++) {
				uint32_t x = it->members[k];
				if (it->w > con[x]) {
					con[x] = it->w;
					con_i[x] = i;
				}
			}
		}
	}
	for (size_t a = 0; a < src->n; a++) {
		const struct frame_item *it = &items[src->idx[a]];
		for (uint32_t k = 0; k < it->n_members; k++) {
			uint32_t x = it->members[k];
			if (rc == 0 && sup[x] > 0 && con[x] > 0)
				rc = add_conflict(
					f, cap,
					(struct frame_conflict){
						.k = sup[x] * con[x],
						.self = true,
						.party = {src->id, src->id},
						.item = {sup_i[x], con_i[x]}});
			sup[x] = con[x] = 0;
		}
	}
	(void)size;
	return rc;
}

static int conflicts(const struct frame_item *items, size_t n,
		     const double *coef, uint32_t size, uint32_t n_sources,
		     struct frame_fusion *f)
{
	size_t nparty = (size_t)n_sources + 1, cap = 0;
	struct party *pt = calloc(nparty, sizeof *pt);
	struct party *src = calloc(nparty, sizeof *src);
	size_t *pool = malloc(2 * (n ? n : 1) * sizeof *pool);
	size_t *complex = malloc((n ? n : 1) * sizeof *complex);
	double *d = calloc(4 * (size_t)size, sizeof *d);
	size_t *ix = malloc(2 * (size_t)size * sizeof *ix);
	int rc = -1;
	if (!pt || !src || !pool || !complex || !d || !ix)
		goto done;
	/* parties: 0 the cheap class, 1 + s the costly items of source s;
	 * src[s]: every item of source s, for self-contradiction */
	for (size_t i = 0; i < n; i++) {
		pt[items[i].cheap ? 0 : 1 + items[i].source].n++;
		src[items[i].source].n++;
	}
	size_t at = 0;
	for (size_t p = 0; p < nparty; p++) {
		pt[p].idx = pool + at;
		at += pt[p].n;
		pt[p].id = p == 0 ? FRAME_CHEAP_PARTY : (uint32_t)(p - 1);
		pt[p].R = p == 0 ? f->R_cheap : 0;
		pt[p].n = 0;
	}
	for (size_t p = 0; p < nparty; p++) {
		src[p].idx = pool + at;
		at += src[p].n;
		src[p].id = (uint32_t)p;
		src[p].n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct party *q = &pt[items[i].cheap ? 0 : 1 + items[i].source];
		q->idx[q->n++] = i;
		q->R += items[i].cheap ? 0 : coef[i];
		src[items[i].source].idx[src[items[i].source].n++] = i;
	}
	struct scratch s = {d, d + size, complex};
	for (size_t p = 0; p < nparty; p++) {
		for (size_t q = p + 1; q < nparty; q++) {
			size_t bi, bj;
			if (!pt[p].n || !pt[q].n)
				continue;
			double k = pair_conflict(items, coef, size, &pt[p],
						 &pt[q], &s, &bi, &bj);
			if (k > f->max_conflict)
				f->max_conflict = k;
			if (k > OPINION_EPS &&
			    add_conflict(f, &cap,
					 (struct frame_conflict){
						 .k = k,
						 .party = {pt[p].id, pt[q].id},
						 .item = {bi, bj}}) != 0)
				goto done;
		}
	}
	for (size_t p = 0; p < n_sources; p++)
		if (src[p].n > 1 &&
		    self_contradictions(items, &src[p], size, d + 2 * size,
					d + 3 * size, ix, ix + size, f,
					&cap) != 0)
			goto done;
	rc = 0;
done:
	free(pt);
	free(src);
	free(pool);
	free(complex);
	free(d);
	free(ix);
	return rc;
}

int frame_fuse(const struct frame_item *items, size_t n, uint32_t size,
	       uint32_t n_sources, struct frame_fusion *out)
{
	size_t ng = (size_t)n_sources + 1;
	double *coef = NULL;
	memset(out, 0, sizeof *out);
	out->size = size;
	out->bel = calloc(6 * (size_t)(size ? size : 1), sizeof *out->bel);
	out->r = calloc(n ? n : 1, sizeof *out->r);
	out->group = calloc(n ? n : 1, sizeof *out->group);
	out->group_sum = calloc(ng, sizeof *out->group_sum);
	out->group_n = calloc(ng, sizeof *out->group_n);
	out->group_pos = calloc(ng, sizeof *out->group_pos);
	coef = calloc(n ? n : 1, sizeof *coef);
	if (!out->bel || !out->r || !out->group || !out->group_sum ||
	    !out->group_n || !out->group_pos || !coef)
		goto oom;
	out->dis = out->bel + size;
	out->cheap_bel = out->bel + 2 * (size_t)size;
	out->cheap_dis = out->bel + 3 * (size_t)size;
	out->costly_bel = out->bel + 4 * (size_t)size;
	out->costly_dis = out->bel + 5 * (size_t)size;

	for (size_t i = 0; i < n; i++) {
		double w = items[i].w;
		w = !(w > 0) ? 0 : w > 1 - 1e-12 ? 1 - 1e-12 : w;
		out->r[i] = w / (1 - w);
		out->group[i] = items[i].cheap ? 0 : 1 + items[i].source;
		out->group_sum[out->group[i]] += out->r[i];
		if (!items[i].negated)
			out->group_pos[out->group[i]] += out->r[i];
		out->group_n[out->group[i]]++;
	}
	out->n_cheap = out->group_n[0];
	for (size_t g = 1; g < ng; g++)
		out->n_sources += out->group_n[g] > 0;
	for (size_t i = 0; i < n; i++) {
		coef[i] = out->r[i] / (double)out->group_n[out->group[i]];
		if (items[i].cheap)
			out->R_cheap += coef[i];
		else
			out->R_costly += coef[i];
	}
	out->R = out->R_cheap + out->R_costly;
	out->u = 1 / (1 + out->R);

	/* masses: coef / (1 + R), for the whole and for each class */
	double *m = calloc(n ? n : 1, sizeof *m);
	if (!m)
		goto oom;
	for (size_t i = 0; i < n; i++)
		m[i] = coef[i] / (1 + out->R);
	spread(items, n, m, -1, size, out->bel, out->dis);
	for (size_t i = 0; i < n; i++)
		m[i] = coef[i] / (1 + out->R_cheap);
	spread(items, n, m, 1, size, out->cheap_bel, out->cheap_dis);
	for (size_t i = 0; i < n; i++)
		m[i] = coef[i] / (1 + out->R_costly);
	spread(items, n, m, 0, size, out->costly_bel, out->costly_dis);
	free(m);
	if (conflicts(items, n, coef, size, n_sources, out) != 0)
		goto oom;
	free(coef);
	return 0;
oom:
	free(coef);
	frame_fusion_free(out);
	return -1;
}
