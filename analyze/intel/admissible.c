/*
 * admissible.c — which evidence may speak to which link of the
 * attribution chain (DESIGN.md "Scoring: admissible evidence per link").
 * Both loaders (yaml.c, stix/) call these and turn a refusal into a load
 * error naming where the evidence was written.
 */
#include "analyze/intel/model.h"

#include <stdio.h>

bool model_pattern_admissible(const struct model_pattern *p, char *why,
			      size_t size)
{
	if (p->link == MODEL_L1 || p->link == MODEL_L2)
		return true;
	snprintf(why, size, "indicator \"%s\" is read from packets and "
		 "speaks to L1 and L2 only, not %s: %s takes claims (%s)",
		 p->id ? p->id : "", model_link_name(p->link),
		 model_link_name(p->link),
		 p->location || p->link == MODEL_L4
			 ? "origin is not attribution"
			 : "a vendor report, seized logs, intelligence, an "
			   "admission");
	return false;
}

bool model_claim_admissible(const struct model_claim *c, char *why,
			    size_t size)
{
	bool location = c->location || model_claim_type_is_location(c->type);
	if (!location || c->link != MODEL_L4)
		return true;
	snprintf(why, size, "claim \"%s\" (%s) only says where infrastructure "
		 "is and cannot speak to L4 (origin is not attribution)",
		 c->id ? c->id : "", model_claim_type_name(c->type));
	return false;
}
