/*
 * frame.h — one frame of hypotheses per link of the attribution chain
 * (DESIGN.md "Scoring: one frame of hypotheses per link"; the method and
 * why: docs/scoring.md "The frame").
 *
 * On one link the named hypotheses and "someone else" are mutually
 * exclusive answers to one question ("who operated this
 * infrastructure?"): the frame Θ, its members numbered 0..size-1. Every
 * piece of evidence (an artefact matched in the traffic, or a claim)
 * puts mass on the set of answers it fits: a pattern that several
 * hypotheses share supports that set, not each member; a contradicting
 * item supports the complement of what it contradicts.
 *
 * Weights are evidence amounts: an item of discounted mass w brings
 * r = w / (1 - w), the amount that, fused cumulatively with nothing,
 * gives belief w. The cheap class (one forger can plant it all) is the
 * mean of its items' amounts; each costly source is the mean of its
 * items' amounts; the classes and sources add up (cumulative fusion).
 * The frame's masses are r_A / (1 + R) per focal set A and 1 / (1 + R)
 * on Θ (uncertainty), R the total: for a frame of one hypothesis this is
 * exactly subjective logic's cumulative and averaging fusion of binomial
 * opinions (Jøsang 2016, ch. 12), and for a larger frame the
 * corresponding fusion of hyper-opinions. Sums and means of amounts are
 * monotone and do not depend on order; conflict is measured, never
 * turned into a switch.
 *
 * Pure apart from allocation of the result (frame_fusion_free()).
 */
#ifndef ATTRIB_FRAME_H
#define ATTRIB_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where no item of a party is a source, e.g. the cheap class. */
#define FRAME_CHEAP_PARTY UINT32_MAX

/* One artefact's (or claim's) evidence on the link. The caller has
 * already merged duplicates: the same artefact appears once. */
struct frame_item {
	const uint32_t *members; /* sorted, distinct, each < size */
	uint32_t n_members;      /* at least 1 */
	bool negated;            /* focal set is Θ minus members */
	double w;                /* discounted mass p·s in [0, 1) */
	bool cheap;              /* forgeability class */
	uint32_t source;         /* its information source, 0..n_sources-1 */
};

/* A measured conflict between two parties (the cheap class, or a costly
 * source), or inside one source that both supports and contradicts one
 * hypothesis. */
struct frame_conflict {
	double k;                /* degree in [0, 1] */
	bool self;               /* a source against itself */
	uint32_t party[2];       /* source index or FRAME_CHEAP_PARTY */
	size_t item[2];          /* the items that disagree most */
};

struct frame_fusion {
	uint32_t size;
	double R, R_cheap, R_costly; /* evidence totals */
	double u;                    /* mass on Θ: 1 / (1 + R) */
	double *bel, *dis;           /* [size]: mass on {x}; on sets ∌ x */
	double *cheap_bel, *cheap_dis;   /* the cheap class alone */
	double *costly_bel, *costly_dis; /* the costly sources alone */
	size_t n_cheap;              /* cheap items */
	size_t n_sources;            /* costly sources with items */
	double *r;                   /* [n items]: w / (1 - w) */
	uint32_t *group;             /* [n items]: 0 cheap, 1 + source */
	double *group_sum;           /* [1 + n_sources]: Σ r in the group */
	double *group_pos;           /* [1 + n_sources]: Σ r of its items
					whose set is not negated */
	size_t *group_n;             /* [1 + n_sources]: items in it */
	struct frame_conflict *conflicts; /* every pair with k > 0, and
					     every self-contradiction */
	size_t n_conflicts;
	double max_conflict;         /* largest k between parties */
};

/*
 * Fuses n items over a frame of size members, with n_sources sources
 * (items' source < n_sources). Fills *out (free with
 * frame_fusion_free()). Returns 0, or -1 when out of memory (out is then
 * empty). The result is the same for any order of the items except in
 * the last bits of floating-point sums, which run in item order: pass
 * items in a canonical order for bit-reproducibility.
 */
int frame_fuse(const struct frame_item *items, size_t n, uint32_t size,
	       uint32_t n_sources, struct frame_fusion *out);

void frame_fusion_free(struct frame_fusion *f);

/* True when the focal sets of a and b share no member of a frame of
 * size members. */
bool frame_disjoint(const struct frame_item *a, const struct frame_item *b,
		    uint32_t size);

/* The single member of an item's focal set, or -1 when it has several. */
long frame_singleton(const struct frame_item *it, uint32_t size);

/* True when the item's focal set holds member x. */
bool frame_contains(const struct frame_item *it, uint32_t x);

#endif
