/*
 * assess_internal.h — what assess.c and assess_needs.c share. Private to
 * analyze/score/.
 */
#ifndef ATTRIB_ASSESS_INTERNAL_H
#define ATTRIB_ASSESS_INTERNAL_H

#include "analyze/score/assess.h"

/* 64-bit FNV-1a of an information source label (its independence key). */
uint64_t assess_source_key(const char *s);

/* Fuses each link of ah from its items, leaving out those with skip[i]
 * (skip may be NULL). scratch holds at least ah->n_items entries. */
int assess_fuse_links(const struct assessment *as,
		      const struct assess_hyp *ah, const bool *skip,
		      struct link_fusion out[MODEL_LINK_COUNT],
		      struct link_evidence *scratch);

/* The state chain (L1 L2 L3 L4) of five link opinions. */
void assess_state_chain(const struct opinion links[MODEL_LINK_COUNT],
			struct chain_reading *state);

/* Fills ah->standards (assess_needs.c). 0 or -1 (out of memory). */
int assess_standards(const struct assessment *as, struct assess_hyp *ah);

/* Fills ah->sens by leaving out each item and each class. 0 or -1. */
int assess_sensitivity(const struct assessment *as, struct assess_hyp *ah,
		       struct link_evidence *scratch);

#endif
