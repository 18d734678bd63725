/*
 * match.h — matching a case's indicator values against every pattern of
 * a model set, in one pass over the distinct values.
 *
 * Exact values, name suffixes and CIDR networks are looked up in a hash
 * table (a value costs one probe, one per label of a name, one per
 * prefix length in use for an address), so the cost does not grow with
 * the number of such patterns; glob, beacon-period, UTC-offset, ASN and
 * country patterns are tried one by one against values of their kinds.
 */
#ifndef ATTRIB_MATCH_H
#define ATTRIB_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/intel/model.h"

#define MATCH_MAX_VALUES 10 /* distinct values kept per pattern */

/* What one pattern matched. */
struct match_hit {
	uint64_t matches;                  /* observations (sum of counts) */
	uint64_t values_matched;           /* distinct values */
	char *kind[MATCH_MAX_VALUES];      /* the first distinct values fed, */
	char *value[MATCH_MAX_VALUES];     /* with their kinds */
	size_t n_values;
};

struct matcher;

/*
 * Compiles the patterns of a finished model set (borrowed: it must
 * outlive the matcher). NULL with err on failure (out of memory).
 */
struct matcher *matcher_create(const struct model_set *ms, char *err,
			       size_t errlen);
void matcher_destroy(struct matcher *m);

/*
 * Feeds one distinct value of a kind (contract name) that count
 * observations hold. detail is the observation's detail, needed for
 * activity.hours (the working-hours estimate), else may be NULL.
 * Returns 0, or -1 when out of memory.
 */
int matcher_feed(struct matcher *m, const char *kind, const char *value,
		 const char *detail, uint64_t count);

/* What pattern j of hypothesis i (indices into ms) matched; never NULL. */
const struct match_hit *matcher_hit(const struct matcher *m, size_t hyp,
				    size_t pattern);

/* Parses a beacon observation's "period=299.1s" into seconds; false when
 * absent. */
bool match_beacon_period(const char *value, double *seconds);

/* Reads an activity.hours detail: true when it says informative=yes and
 * has a map_offset, put in *offset_h. */
bool match_hours_offset(const char *detail, int *offset_h);

#endif
