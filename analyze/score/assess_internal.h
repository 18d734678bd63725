/*
 * assess_internal.h — what assess.c and assess_needs.c share. Private to
 * analyze/score/.
 */
#ifndef ATTRIB_ASSESS_INTERNAL_H
#define ATTRIB_ASSESS_INTERNAL_H

#include "analyze/score/assess.h"

/* 64-bit FNV-1a of an information source label (its independence key). */
uint64_t assess_source_key(const char *s);

/* Builds and fuses the frame of link l from every frame hypothesis's
 * items (assess_frame.c). 0 or -1 (out of memory). */
int assess_build_frame(struct assessment *as, enum model_link l);
void assess_frame_free(struct assess_frame *F);

/* Raises CONFLICT on the hypotheses each measured conflict of link l
 * names, with the degree and both sides (assess_frame.c). */
void assess_frame_conflicts(struct assessment *as, enum model_link l);

/* Named: an actor or intrusion set (a member of the frame). */
bool assess_is_named(const struct model_hypothesis *h);

/* A cheap artefact must weigh this much as a fact (s × R) to count as a
 * planted clue for FALSE_FLAG. */
#define ASSESS_PLANTED_MIN 0.02

/* The state chain (L1 L2 L3 L4) of five link opinions. */
void assess_state_chain(const struct opinion links[MODEL_LINK_COUNT],
			struct chain_reading *state);

/* Fills ah->standards (assess_needs.c). 0 or -1 (out of memory). */
int assess_standards(const struct assessment *as, struct assess_hyp *ah);

/* Fills ah->sens by leaving out each item and each class. 0 or -1. */
int assess_sensitivity(const struct assessment *as, struct assess_hyp *ah);

#endif
