/*
 * link_fusion.c — fuses the evidence on one link of the attribution chain
 * by class: cheap indicators (one forger can plant them all) are one
 * common-cause class and are averaged; costly indicators are averaged
 * within each source and fused across independent sources; then the two
 * classes are fused cumulatively. Conflict is measured and flagged, never
 * turned into a switch of rule (so fusion stays monotone). Pure: no I/O, no
 * allocation (the items are sorted in place).
 */
#include "analyze/score/opinion.h"

#include <stdlib.h>
#include <string.h>

const struct link_fusion_params LINK_FUSION_DEFAULTS = {
	.base_rate = OPINION_DEFAULT_BASE_RATE,
	.cheap_f = OPINION_CHEAP_FORGEABILITY,
	.conflict_threshold = OPINION_CONFLICT_THRESHOLD,
	.false_flag_min_net = OPINION_FALSE_FLAG_MIN_NET,
};

static int compare_u64(uint64_t x, uint64_t y)
{
	return (x > y) - (x < y);
}

static int compare_f(double x, double y)
{
	uint64_t bx, by;
	memcpy(&bx, &x, sizeof bx);
	memcpy(&by, &y, sizeof by);
	return compare_u64(bx, by); /* any fixed order will do */
}

/* Cheap class: one averaging group, so the opinion leads the order. */
static int compare_cheap(const void *px, const void *py)
{
	const struct link_evidence *x = px, *y = py;
	int c = opinion_compare(&x->op, &y->op);
	if (c == 0)
		c = compare_f(x->f, y->f);
	if (c == 0)
		c = compare_u64(x->source, y->source);
	if (c == 0)
		c = compare_u64(x->ref, y->ref);
	return c;
}

/* Costly class: one averaging group per source, so the source leads. */
static int compare_costly(const void *px, const void *py)
{
	const struct link_evidence *x = px, *y = py;
	int c = compare_u64(x->source, y->source);
	if (c == 0)
		c = opinion_compare(&x->op, &y->op);
	if (c == 0)
		c = compare_f(x->f, y->f);
	if (c == 0)
		c = compare_u64(x->ref, y->ref);
	return c;
}

static bool is_cheap(const struct link_evidence *item,
		     const struct link_fusion_params *params)
{
	return item->f >= params->cheap_f - OPINION_EPS;
}

/* Moves the cheap items to the front; returns how many there are. */
static size_t partition_cheap(struct link_evidence *items, size_t n,
			      const struct link_fusion_params *params)
{
	size_t cheap = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_cheap(&items[i], params))
			continue;
		struct link_evidence t = items[cheap];
		items[cheap] = items[i];
		items[i] = t;
		cheap++;
	}
	return cheap;
}

/* Averages the distinct opinions of items[begin, end) (sorted so that
 * equal opinions are adjacent). *distinct gets how many there were. */
static struct opinion average_distinct(const struct link_evidence *items,
				       size_t begin, size_t end,
				       size_t *distinct)
{
	struct opinion_acc acc;
	opinion_acc_init(&acc);
	for (size_t i = begin; i < end; i++) {
		if (i > begin &&
		    opinion_compare(&items[i].op, &items[i - 1].op) == 0)
			continue;
		opinion_acc_add(&acc, items[i].op);
	}
	*distinct = acc.n;
	return opinion_acc_average(&acc);
}

/* +1 when the opinion leans to support by at least min_net, -1 when it
 * leans against by at least min_net, else 0. */
static int leaning(struct opinion o, double min_net)
{
	if (o.b - o.d >= min_net - OPINION_EPS)
		return 1;
	if (o.d - o.b >= min_net - OPINION_EPS)
		return -1;
	return 0;
}

static void fuse_costly(const struct link_evidence *items, size_t begin,
			size_t end, const struct link_fusion_params *params,
			struct link_fusion *out)
{
	struct opinion_acc across;
	opinion_acc_init(&across);
	size_t i = begin;
	while (i < end) {
		size_t group_end = i + 1, distinct;
		while (group_end < end &&
		       items[group_end].source == items[i].source)
			group_end++;
		opinion_acc_add(&across,
				average_distinct(items, i, group_end,
						 &distinct));
		out->costly_items += distinct;
		i = group_end;
	}
	out->costly_sources = across.n;
	/* conflict is measured and flagged, never a switch of rule: an
	 * agreeing source must never lower belief */
	double k = opinion_acc_conflict(&across);
	if (k > out->max_conflict)
		out->max_conflict = k;
	if (k > params->conflict_threshold + OPINION_EPS)
		out->flags |= LINK_FLAG_CONFLICT;
	out->costly = opinion_acc_cumulative(&across);
}

void link_fuse(struct link_evidence *items, size_t n,
	       const struct link_fusion_params *params,
	       struct link_fusion *out)
{
	if (!params)
		params = &LINK_FUSION_DEFAULTS;
	struct opinion vacuous = opinion_vacuous(params->base_rate);
	*out = (struct link_fusion){
		.fused = vacuous, .cheap = vacuous, .costly = vacuous};
	if (n == 0)
		return;

	size_t cheap = partition_cheap(items, n, params);
	if (cheap > 1)
		qsort(items, cheap, sizeof *items, compare_cheap);
	if (n - cheap > 1)
		qsort(items + cheap, n - cheap, sizeof *items, compare_costly);

	if (cheap > 0)
		out->cheap = average_distinct(items, 0, cheap,
					      &out->cheap_items);
	if (n > cheap)
		fuse_costly(items, cheap, n, params, out);

	if (cheap == 0) {
		out->fused = out->costly;
		return;
	}
	if (cheap == n) {
		out->fused = out->cheap;
		return;
	}
	double k = opinion_conflict(out->cheap, out->costly);
	if (k > out->max_conflict)
		out->max_conflict = k;
	if (k > params->conflict_threshold + OPINION_EPS)
		out->flags |= LINK_FLAG_CONFLICT;
	out->fused = opinion_cumulative(out->cheap, out->costly);
	if (leaning(out->cheap, params->false_flag_min_net) *
		    leaning(out->costly, params->false_flag_min_net) < 0)
		out->flags |= LINK_FLAG_FALSE_FLAG;
}
