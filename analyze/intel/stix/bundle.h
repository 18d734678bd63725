/*
 * bundle.h — a STIX bundle held open while load.c maps it: the
 * parsed JSON, the latest version of every object indexed by id, the
 * relationships, edges between objects, and typed property readers that
 * fail with one line naming the file and the object. Internal to
 * analyze/intel/stix/ (load.c and bundle.c).
 */
#ifndef ATTRIB_STIX_BUNDLE_H
#define ATTRIB_STIX_BUNDLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "analyze/intel/stix/stix.h"

#define STIX_BUNDLE_MAX_OBJECTS 1000000u

/* One entry of the bundle's "objects". */
struct obj {
	json_t *j;
	const char *type, *id;
	const char *modified;  /* NULL when absent */
	size_t pos;            /* index in "objects" */
	bool latest;           /* the version of its id that is used */
	bool revoked;
	long hyp;              /* its hypothesis in ms->hyps, or -1 */
};

/* A relationship object (latest version), in bundle order. */
struct rel {
	const struct obj *o;
	const char *type, *source, *target;
};

struct edge {
	const struct obj *from, *to;
};

struct edges {
	struct edge *v;
	size_t n, cap;
};

/* An indicator's pattern text and what all its patterns share. */
struct indicator {
	const struct obj *o;
	const char *pattern;
	int link;                  /* x_attrib_link, or -1 */
	struct model_pattern proto;
	char origin[512];
};

struct bundle {
	struct model_set *ms;
	const char *name;          /* the file, in origins and errors */
	const char *label;         /* its last component: default source */
	json_t *root;
	struct obj *objs;          /* in bundle order */
	size_t n_objs;
	struct obj **by_id;        /* latest versions, sorted by id */
	size_t n_ids;
	struct rel *rels;
	size_t n_rels;
	struct edges folds;        /* intrusion set -> threat actor */
	struct edges indicates;    /* indicator -> threat actor/intrusion set */
	struct stix_counts *counts;
	char *err;
	size_t errlen;
};

/*
 * Parses buf as a bundle and indexes it: every entry must be an object
 * with string "type" and "id"; objects of the types attrib reads must
 * have well-formed ids; of several versions of one id, the latest
 * `modified` is used (identical repeats are ignored, differing ones with
 * the same `modified` reported). 0, or -1 with "name: reason" in err.
 * bundle_close() must be called either way.
 */
int bundle_open(struct bundle *b, struct model_set *ms, const char *name,
		const char *buf, size_t len, struct stix_counts *counts,
		char *err, size_t errlen);
void bundle_close(struct bundle *b);

/* The latest version of id, or NULL. */
struct obj *bundle_find(const struct bundle *b, const char *id);

/* Records a part of the bundle that is not used, with origin
 * "name: ID[suffix]". 0, or -1 (out of memory, err set). */
int bundle_report(struct bundle *b, const char *id, const char *suffix,
		  const char *text, const char *reason);

/* Sets err to "name: out of memory"; returns -1. */
int bundle_oom(struct bundle *b);

int bundle_edge(struct bundle *b, struct edges *e, const struct obj *from,
		const struct obj *to);
/* Sorts by source, so that edges_from() can find them. */
void edges_sort(struct edges *e);
/* The edges from `from` (sorted edges): a pointer to the first and their
 * number in *n (n may be NULL), or NULL when there is none. */
const struct edge *edges_from(const struct edges *e, const struct obj *from,
			      size_t *n);

/* ---- properties; each returns 0, or -1 with err set ---- */

/* Sets err to "name: objects[N] (ID): ..."; returns -1. */
int obj_error(struct bundle *b, const struct obj *o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Every property starting with "x_attrib_" must be in allowed (NULL
 * terminated): a misspelt one would otherwise silently do nothing. */
int obj_check_x(struct bundle *b, const struct obj *o,
		const char *const *allowed);

/* A string property (NULL when absent and not required). */
int obj_string(struct bundle *b, const struct obj *o, const char *key,
	       bool required, const char **out);

/* A number in [0, 1]; *given false when absent. */
int obj_unit(struct bundle *b, const struct obj *o, const char *key,
	     double *out, bool *given);

/* What indicators and relationships share: x_attrib_link (-1 when
 * absent), x_attrib_direction (supports), x_attrib_reliability ('F'),
 * confidence as Admiralty credibility (6 when absent), created_by_ref
 * (NULL when absent). */
int obj_common(struct bundle *b, const struct obj *o, int *link,
	       enum opinion_direction *direction, char *reliability,
	       int *credibility, const char **source);

/* Fills ind->proto, ind->link and ind->origin from the indicator's
 * properties (ind->o set). */
int bundle_indicator_proto(struct bundle *b, struct indicator *ind);

#endif
