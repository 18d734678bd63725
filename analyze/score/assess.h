/*
 * assess.h — scoring a model set against what a case matched: one
 * opinion per hypothesis and link of the attribution chain, the chain
 * readings, the legal standards with what each link would need, and
 * leave-one-out sensitivity. docs/scoring.md gives the method.
 *
 * Pure: reads the model set and the matcher's hits, allocates the
 * result, no I/O. The result does not depend on the order of files,
 * hypotheses, patterns or claims (the model set is in canonical order
 * and every fusion sorts its input).
 */
#ifndef ATTRIB_ASSESS_H
#define ATTRIB_ASSESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/intel/match.h"
#include "analyze/intel/model.h"
#include "analyze/score/frame.h"
#include "analyze/score/opinion.h"

/* One piece of evidence: a pattern that matched, or a claim. */
struct assess_item {
	const char *id;
	const struct model_pattern *pattern;  /* NULL for a claim */
	const struct model_claim *claim;      /* NULL for a pattern */
	const struct match_hit *hit;          /* patterns only */
	enum model_link link;
	enum opinion_direction direction;
	double f;               /* forgeability */
	double s;               /* specificity, or strength × credibility */
	double discount;        /* p = R·(1 − f·δ) */
	char reliability;
	struct opinion op;      /* discounted */
	const char *source;
	bool cheap;             /* f ≥ the cheap threshold */
	char *key;              /* the artefact: kind and value, or the claim */
	size_t artefact;        /* its frame item on its link */
};

enum { ASSESS_STATE_LINKS = 4 }; /* L1 L2 L3 L4 */

struct assess_link {
	struct link_fusion fusion;  /* of the hypothesis's own evidence */
	struct opinion op;          /* the link's opinion */
	struct interval ci90;
	enum icd203 phrase;
	enum confidence_level confidence;
	unsigned flags;             /* enum link_flag */
	double conflict;            /* largest K met */
	char detail[200];           /* why a flag was raised */
	char phrase_text[64];       /* ICD 203 words for [Bel, Pl] */
	size_t n_items;             /* own evidence on this link */
	struct opinion derived;     /* false-flag: from the named */
	bool has_derived;
};

/* What link i of the state chain would need for a standard. */
struct assess_need {
	enum model_link link;
	bool possible;          /* some belief ≤ 1 on this link would do */
	double belief_needed;
	bool has_strength;
	double strength_needed; /* one more independent source, discounted */
	char feasible[200];
};

struct assess_standard {
	struct legal_verdict joint, weakest;
	struct assess_need need[ASSESS_STATE_LINKS];
};

struct assess_sensitivity {
	char removed[96];       /* item id, or class "cheap:L2", "kind:…" */
	bool is_class;
	enum model_link link;   /* the (first) link it changed */
	double link_belief, link_belief_delta;
	double joint_belief, joint_belief_delta;
	double joint_plausibility, joint_plausibility_delta;
	bool flags_changed;
};

struct assess_hyp {
	const struct model_hypothesis *h;
	struct assess_item *items;   /* sorted by link, then id */
	size_t n_items;
	struct assess_link links[MODEL_LINK_COUNT];
	struct chain_reading state;  /* L1 L2 L3 L4 */
	struct chain_reading organisation; /* L1 L2 L3 */
	struct chain_reading individual;   /* L1 L2 L3i */
	struct assess_standard *standards; /* one per standard */
	struct assess_sensitivity *sens;   /* largest effect first */
	size_t n_sens;
};

/* One link's frame: the named hypotheses and "someone else". */
struct assess_frame {
	struct frame_item *items;        /* one per artefact, canonical order */
	const struct assess_item **rep;  /* the item that speaks for each */
	size_t n;
	uint32_t *members;               /* storage of the items' sets */
	size_t n_members;
	const char **sources;            /* labels by source index (sorted) */
	uint32_t n_sources;
	size_t *mention_off, *mention;   /* artefacts mentioning member x:
					    mention[mention_off[x] ..
					    mention_off[x + 1]) */
	struct frame_fusion fusion;
};

struct assessment {
	const struct model_set *ms;
	struct legal_standard *standards;
	size_t n_standards;
	struct link_fusion_params params;
	double deception;
	struct assess_hyp *hyps;     /* in the model set's order (by id) */
	size_t n_hyps;
	long *hyp_frame;             /* hypothesis -> frame member, or -1
					(false flag: outside the frame) */
	size_t *frame_hyp;           /* frame member -> hypothesis (for
					"someone else": the first unknown) */
	uint32_t frame_size;         /* named hypotheses + someone else */
	struct assess_frame frames[MODEL_LINK_COUNT];
};

/*
 * Scores every hypothesis of the finished model set ms with the hits of
 * m. Returns 0 with *out (free with assess_free()), or -1 with err (out
 * of memory).
 */
int assess_run(const struct model_set *ms, const struct matcher *m,
	       struct assessment **out, char *err, size_t errlen);

void assess_free(struct assessment *a);

/* The state chain's link indices: L1, L2, L3, L4. */
extern const enum model_link ASSESS_STATE_CHAIN[ASSESS_STATE_LINKS];

#endif
