/*
 * yaml_reader.c — the typed getters of the YAML model reader
 * (yaml_reader.h): keys, text, numbers, ranges, booleans, ids, links,
 * directions and reliabilities, each checked with its position.
 */
#include "analyze/intel/yaml_reader.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int yr_fail(struct yaml_reader *r, const struct ynode *n, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* a value quoted from the file (a multi-line scalar) must not break
	 * the one-line error */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	snprintf(r->err, r->errlen, "%s:%u:%u: %s", r->path, n ? n->line : 1,
		 n ? n->col : 1, msg);
	return -1;
}

void yr_origin(const struct yaml_reader *r, const struct ynode *n,
	       char *out, size_t size)
{
	snprintf(out, size, "%s:%u:%u", r->path, n->line, n->col);
}

/* Checks that map is a mapping whose keys are all in allowed (NULL
 * terminated) and that every required key (allowed entries starting with
 * '!') is present. */
int yr_check_keys(struct yaml_reader *r, const struct ynode *map,
		  const char *what, const char *const *allowed)
{
	char list[512] = "";
	size_t used = 0;
	if (!map || map->type != YNODE_MAPPING)
		return yr_fail(r, map, "%s: expected a mapping (key: value "
			       "lines), got %s", what,
			       map ? ytree_type_name(map->type) : "nothing");
	for (const char *const *a = allowed; *a; a++) {
		const char *name = **a == '!' ? *a + 1 : *a;
		int w = snprintf(list + used, sizeof list - used, "%s%s",
				 used ? ", " : "", name);
		if (w > 0 && (size_t)w < sizeof list - used)
			used += (size_t)w;
	}
	for (size_t i = 0; i < map->n; i += 2) {
		const char *key = map->items[i]->text;
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(key, **a == '!' ? *a + 1 : *a);
		if (!ok)
			return yr_fail(r, map->items[i], "unknown key \"%s\" in %s "
				       "(expected one of: %s)", key, what, list);
	}
	for (const char *const *a = allowed; *a; a++)
		if (**a == '!' && !ytree_get(map, *a + 1))
			return yr_fail(r, map, "%s: missing required key \"%s\"",
				       what, *a + 1);
	return 0;
}

/* The scalar text of key, or NULL when absent; error when not a scalar
 * or empty. */
int yr_text(struct yaml_reader *r, const struct ynode *map,
	    const char *key, const char **out)
{
	const struct ynode *v = ytree_get(map, key);
	*out = NULL;
	if (!v)
		return 0;
	if (v->type != YNODE_SCALAR)
		return yr_fail(r, v, "%s: expected a single value, got %s", key,
			       ytree_type_name(v->type));
	if (!v->text[0])
		return yr_fail(r, v, "%s: expected a value, got an empty one", key);
	*out = v->text;
	return 0;
}

int yr_parse_number(struct yaml_reader *r, const struct ynode *v,
		    const char *key, double lo, double hi, double *out)
{
	char *end;
	if (v->type != YNODE_SCALAR)
		return yr_fail(r, v, "%s: expected a number, got %s", key,
			       ytree_type_name(v->type));
	errno = 0;
	double d = strtod(v->text, &end);
	if (end == v->text || *end || errno || !isfinite(d))
		return yr_fail(r, v, "%s: expected a number, got \"%s\"", key,
			       v->text);
	if (d < lo || d > hi)
		return yr_fail(r, v, "%s: expected a number in [%g, %g], got %s",
			       key, lo, hi, v->text);
	*out = d;
	return 0;
}

/* Optional number: *set tells whether it was given. */
int yr_number(struct yaml_reader *r, const struct ynode *map,
	      const char *key, double lo, double hi, double *out,
	      bool *set)
{
	const struct ynode *v = ytree_get(map, key);
	if (set)
		*set = v != NULL;
	return v ? yr_parse_number(r, v, key, lo, hi, out) : 0;
}

int yr_bool(struct yaml_reader *r, const struct ynode *map,
	    const char *key, bool *out)
{
	const struct ynode *v = ytree_get(map, key);
	if (!v)
		return 0;
	if (v->type == YNODE_SCALAR && !strcmp(v->text, "true"))
		*out = true;
	else if (v->type == YNODE_SCALAR && !strcmp(v->text, "false"))
		*out = false;
	else
		return yr_fail(r, v, "%s: expected true or false", key);
	return 0;
}

bool yr_valid_id(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return n >= 1 && n <= 64;
}

int yr_id(struct yaml_reader *r, const struct ynode *map,
	  const char **out)
{
	if (yr_text(r, map, "id", out) != 0)
		return -1;
	if (!yr_valid_id(*out))
		return yr_fail(r, ytree_get(map, "id"), "id: expected 1 to 64 of "
			       "A-Z a-z 0-9 . _ -, got \"%s\"", *out);
	return 0;
}

int yr_link(struct yaml_reader *r, const struct ynode *map,
	    enum model_link *out)
{
	const char *t;
	if (yr_text(r, map, "link", &t) != 0)
		return -1;
	int l = model_link_parse(t);
	if (l < 0)
		return yr_fail(r, ytree_get(map, "link"), "link: expected one of "
			       "L1, L2, L3, L3i, L4, got \"%s\"", t);
	*out = (enum model_link)l;
	return 0;
}

int yr_direction(struct yaml_reader *r, const struct ynode *map,
		 enum opinion_direction *out)
{
	const char *t;
	*out = OPINION_SUPPORTS;
	if (yr_text(r, map, "direction", &t) != 0)
		return -1;
	if (!t || !strcmp(t, "supports"))
		return 0;
	if (!strcmp(t, "contradicts")) {
		*out = OPINION_CONTRADICTS;
		return 0;
	}
	return yr_fail(r, ytree_get(map, "direction"), "direction: expected "
		       "supports or contradicts, got \"%s\"", t);
}

int yr_reliability(struct yaml_reader *r, const struct ynode *map,
		   char *out)
{
	const char *t;
	double unused;
	if (yr_text(r, map, "reliability", &t) != 0)
		return -1;
	if (strlen(t) != 1 || admiralty_reliability(t[0], &unused) != 0)
		return yr_fail(r, ytree_get(map, "reliability"), "reliability: "
			       "expected an Admiralty rating A, B, C, D, E or F, "
			       "got \"%s\"", t);
	*out = (char)(t[0] & ~0x20);
	return 0;
}

/* A two-number range [lo, hi] within [min, max]. */
int yr_range(struct yaml_reader *r, const struct ynode *v,
	     const char *key, double min, double max, double *lo,
	     double *hi)
{
	if (v->type != YNODE_SEQUENCE || v->n != 2)
		return yr_fail(r, v, "%s: expected a range [LOW, HIGH]", key);
	if (yr_parse_number(r, v->items[0], key, min, max, lo) != 0 ||
	    yr_parse_number(r, v->items[1], key, min, max, hi) != 0)
		return -1;
	if (*lo > *hi)
		return yr_fail(r, v, "%s: the range's low end %g is above its "
			       "high end %g", key, *lo, *hi);
	return 0;
}

