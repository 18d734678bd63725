/*
 * yaml_reader.h — the typed reading of the YAML model tree that yaml.c
 * builds on: every getter checks the node's type and range and, on an
 * error, writes "file:line:col: what was expected" and returns -1.
 */
#ifndef ATTRIB_YAML_READER_H
#define ATTRIB_YAML_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "analyze/intel/model.h"
#include "analyze/intel/yaml_tree.h"

struct yaml_reader {
	struct model_set *ms;
	const char *path;
	char *err;
	size_t errlen;
	char default_source[256];
};

int yr_fail(struct yaml_reader *r, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void yr_origin(const struct yaml_reader *r, const struct ynode *n,
	       char *out, size_t size);

/* Checks that map is a mapping whose keys are all in allowed (NULL
 * terminated) and that every required key (allowed entries starting with
 * '!') is present. */
int yr_check_keys(struct yaml_reader *r, const struct ynode *map,
		  const char *what, const char *const *allowed);

/* The scalar text of key, or NULL when absent; error when not a scalar
 * or empty. */
int yr_text(struct yaml_reader *r, const struct ynode *map,
	    const char *key, const char **out);

int yr_parse_number(struct yaml_reader *r, const struct ynode *v,
		    const char *key, double lo, double hi, double *out);

/* Optional number: *set tells whether it was given. */
int yr_number(struct yaml_reader *r, const struct ynode *map,
	      const char *key, double lo, double hi, double *out,
	      bool *set);

int yr_bool(struct yaml_reader *r, const struct ynode *map,
	    const char *key, bool *out);

bool yr_valid_id(const char *s);

int yr_id(struct yaml_reader *r, const struct ynode *map,
	  const char **out);

int yr_link(struct yaml_reader *r, const struct ynode *map,
	    enum model_link *out);

int yr_direction(struct yaml_reader *r, const struct ynode *map,
		 enum opinion_direction *out);

int yr_reliability(struct yaml_reader *r, const struct ynode *map,
		   char *out);

/* A two-number range [lo, hi] within [min, max]. */
int yr_range(struct yaml_reader *r, const struct ynode *v,
	     const char *key, double min, double max, double *lo,
	     double *hi);

#endif
