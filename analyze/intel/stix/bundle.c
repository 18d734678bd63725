/*
 * bundle.c — opening a STIX bundle for load.c: JSON parsing with jansson,
 * the structural checks, version selection, the id index, edges and
 * typed property readers (bundle.h).
 */
#include "analyze/intel/stix/bundle.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The object types attrib reads; every other type is counted unused. */
static const char *const used_types[] = {
	"threat-actor", "intrusion-set", "indicator", "relationship",
	"identity",
};

static bool is_used_type(const char *type)
{
	for (size_t i = 0; i < sizeof used_types / sizeof used_types[0]; i++)
		if (!strcmp(type, used_types[i]))
			return true;
	return false;
}

int bundle_oom(struct bundle *b)
{
	snprintf(b->err, b->errlen, "%s: out of memory", b->name);
	return -1;
}

int obj_error(struct bundle *b, const struct obj *o, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(b->err, b->errlen, "%s: objects[%zu] (%.100s): %s", b->name,
		 o->pos, o->id, msg);
	return -1;
}

int bundle_report(struct bundle *b, const char *id, const char *suffix,
		  const char *text, const char *reason)
{
	char origin[512];
	snprintf(origin, sizeof origin, "%s: %s%s", b->name, id,
		 suffix ? suffix : "");
	if (model_add_unevaluated(b->ms, origin, text, reason) != 0)
		return bundle_oom(b);
	return 0;
}

/* ---- ids and versions ---- */

bool stix_is_id(const char *id, const char *type)
{
	size_t tl = strlen(type);
	if (strncmp(id, type, tl) != 0 || strncmp(id + tl, "--", 2) != 0)
		return false;
	const char *u = id + tl + 2;
	if (strlen(u) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? u[i] != '-' : !isxdigit((unsigned char)u[i]))
			return false;
	}
	return true;
}

/*
 * Orders two STIX timestamps ("2024-05-01T10:00:00.25Z"): the part
 * before the fraction compares as text (fixed width), fractions of
 * different lengths as decimal digits. An absent one is the oldest.
 */
static int cmp_timestamp(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	size_t la = strcspn(a, ".Z"), lb = strcspn(b, ".Z");
	int c = strncmp(a, b, la < lb ? la : lb);
	if (c != 0 || la != lb)
		return c != 0 ? c : la < lb ? -1 : 1;
	const char *fa = a[la] == '.' ? a + la + 1 : "";
	const char *fb = b[lb] == '.' ? b + lb + 1 : "";
	for (;;) {
		bool da = isdigit((unsigned char)*fa);
		bool db = isdigit((unsigned char)*fb);
		if (!da && !db)
			return 0;
		char ca = da ? *fa++ : '0', cb = db ? *fb++ : '0';
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
}

static int cmp_obj_id(const void *x, const void *y)
{
	const struct obj *a = *(struct obj *const *)x;
	const struct obj *b = *(struct obj *const *)y;
	int c = strcmp(a->id, b->id);
	return c ? c : a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Marks the latest version of each id and keeps only those in by_id. */
static int pick_versions(struct bundle *b)
{
	size_t n = b->n_ids, out = 0;
	qsort(b->by_id, n, sizeof *b->by_id, cmp_obj_id);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		struct obj *best = b->by_id[i];
		for (; j < n && !strcmp(b->by_id[j]->id, best->id); j++) {
			struct obj *o = b->by_id[j];
			int c = cmp_timestamp(o->modified, best->modified);
			if (c > 0) {
				best = o;
			} else if (c == 0 && is_used_type(o->type) &&
				   !json_equal(o->j, best->j)) {
				char why[160];
				snprintf(why, sizeof why, "objects[%zu] and "
					 "objects[%zu] differ but have the "
					 "same id and modified; the first is "
					 "used", best->pos, o->pos);
				if (bundle_report(b, o->id, NULL, "", why) != 0)
					return -1;
			}
		}
		best->latest = true;
		b->by_id[out++] = best;
		i = j;
	}
	b->n_ids = out;
	return 0;
}

struct obj *bundle_find(const struct bundle *b, const char *id)
{
	size_t lo = 0, hi = b->n_ids;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(b->by_id[mid]->id, id);
		if (c == 0)
			return b->by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- opening ---- */

static const char *json_type_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* Reads entry i of "objects" into b->objs[i]. */
static int read_entry(struct bundle *b, json_t *j, size_t i)
{
	struct obj *o = &b->objs[i];
	json_t *type = json_object_get(j, "type"), *id;
	json_t *mod, *rev;
	if (!json_is_object(j)) {
		snprintf(b->err, b->errlen, "%s: objects[%zu]: expected a "
			 "JSON object, got %s", b->name, i, json_type_name(j));
		return -1;
	}
	id = json_object_get(j, "id");
	if (!json_is_string(type) || !json_is_string(id)) {
		snprintf(b->err, b->errlen, "%s: objects[%zu]: \"%s\" is "
			 "missing or not a string", b->name, i,
			 json_is_string(type) ? "id" : "type");
		return -1;
	}
	o->j = j;
	o->type = json_string_value(type);
	o->id = json_string_value(id);
	o->pos = i;
	o->hyp = -1;
	b->counts->objects++;
	if (!is_used_type(o->type)) {
		b->counts->objects_unused++;
		return 0;
	}
	if (!stix_is_id(o->id, o->type))
		return obj_error(b, o, "id is not %s--UUID", o->type);
	mod = json_object_get(j, "modified");
	rev = json_object_get(j, "revoked");
	if (mod && !json_is_string(mod))
		return obj_error(b, o, "modified: expected a string");
	if (rev && !json_is_boolean(rev))
		return obj_error(b, o, "revoked: expected true or false");
	o->modified = mod ? json_string_value(mod) : NULL;
	o->revoked = json_is_true(rev);
	return 0;
}

/* The relationships' types and ends (latest versions, bundle order). */
static int read_relationships(struct bundle *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->n_objs; i++)
		n += b->objs[i].latest &&
		     !strcmp(b->objs[i].type, "relationship");
	b->rels = calloc(n ? n : 1, sizeof *b->rels);
	if (!b->rels)
		return bundle_oom(b);
	for (size_t i = 0; i < b->n_objs; i++) {
		const struct obj *o = &b->objs[i];
		struct rel *r = &b->rels[b->n_rels];
		if (!o->latest || strcmp(o->type, "relationship") != 0)
			continue;
		r->o = o;
		if (obj_string(b, o, "relationship_type", true, &r->type) ||
		    obj_string(b, o, "source_ref", true, &r->source) ||
		    obj_string(b, o, "target_ref", true, &r->target))
			return -1;
		b->n_rels++;
	}
	return 0;
}

int bundle_open(struct bundle *b, struct model_set *ms, const char *name,
		const char *buf, size_t len, struct stix_counts *counts,
		char *err, size_t errlen)
{
	json_error_t je;
	memset(b, 0, sizeof *b);
	b->ms = ms;
	b->name = name;
	b->label = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	b->counts = counts;
	b->err = err;
	b->errlen = errlen;
	b->root = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
			     &je);
	if (!b->root) {
		snprintf(err, errlen, "%s:%d:%d: not valid JSON: %s", name,
			 je.line, je.column, je.text);
		return -1;
	}
	if (!json_is_object(b->root)) {
		snprintf(err, errlen, "%s: not a STIX bundle: the top level is "
			 "%s, not an object", name, json_type_name(b->root));
		return -1;
	}
	json_t *type = json_object_get(b->root, "type");
	if (!json_is_string(type) ||
	    strcmp(json_string_value(type), "bundle") != 0) {
		char got[64];
		if (json_is_string(type))
			snprintf(got, sizeof got, "\"%.40s\"",
				 json_string_value(type));
		else
			snprintf(got, sizeof got, "%s",
				 type ? "not a string" : "missing");
		snprintf(err, errlen, "%s: not a STIX bundle: \"type\" is %s, "
			 "expected \"bundle\"", name, got);
		return -1;
	}
	json_t *objects = json_object_get(b->root, "objects");
	if (objects && !json_is_array(objects)) {
		snprintf(err, errlen, "%s: \"objects\" is %s, not an array",
			 name, json_type_name(objects));
		return -1;
	}
	size_t n = objects ? json_array_size(objects) : 0;
	if (n > STIX_BUNDLE_MAX_OBJECTS) {
		snprintf(err, errlen, "%s: more than %u objects", name,
			 STIX_BUNDLE_MAX_OBJECTS);
		return -1;
	}
	b->objs = calloc(n ? n : 1, sizeof *b->objs);
	b->by_id = calloc(n ? n : 1, sizeof *b->by_id);
	if (!b->objs || !b->by_id)
		return bundle_oom(b);
	for (size_t i = 0; i < n; i++) {
		if (read_entry(b, json_array_get(objects, i), i) != 0)
			return -1;
		b->by_id[i] = &b->objs[i];
	}
	b->n_objs = b->n_ids = n;
	if (pick_versions(b) != 0)
		return -1;
	return read_relationships(b);
}

void bundle_close(struct bundle *b)
{
	free(b->objs);
	free(b->by_id);
	free(b->rels);
	free(b->folds.v);
	free(b->indicates.v);
	json_decref(b->root);
	memset(b, 0, sizeof *b);
}

/* ---- edges ---- */

int bundle_edge(struct bundle *b, struct edges *e, const struct obj *from,
		const struct obj *to)
{
	if (e->n == e->cap) {
		size_t ncap = e->cap ? e->cap * 2 : 16;
		struct edge *v = realloc(e->v, ncap * sizeof *v);
		if (!v)
			return bundle_oom(b);
		e->v = v;
		e->cap = ncap;
	}
	e->v[e->n++] = (struct edge){from, to};
	return 0;
}

static int cmp_edge(const void *x, const void *y)
{
	const struct edge *a = x, *b = y;
	if (a->from->pos != b->from->pos)
		return a->from->pos < b->from->pos ? -1 : 1;
	return a->to->pos < b->to->pos ? -1 : a->to->pos > b->to->pos;
}

void edges_sort(struct edges *e)
{
	if (e->n)
		qsort(e->v, e->n, sizeof *e->v, cmp_edge);
}

const struct edge *edges_from(const struct edges *e, const struct obj *from,
			      size_t *n)
{
	size_t lo = 0, hi = e->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e->v[mid].from->pos < from->pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < e->n && e->v[end].from == from)
		end++;
	if (n)
		*n = end - lo;
	return end > lo ? &e->v[lo] : NULL;
}

/* ---- properties ---- */

int obj_check_x(struct bundle *b, const struct obj *o,
		const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(o->j, key, v) {
		if (strncmp(key, "x_attrib_", 9) != 0)
			continue;
		bool ok = false;
		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = !strcmp(key, allowed[i]);
		if (!ok) {
			char list[300] = "";
			size_t at = 0;
			for (size_t i = 0; allowed[i] && at < sizeof list; i++)
				at += (size_t)snprintf(list + at,
						       sizeof list - at, "%s%s",
						       i ? ", " : "",
						       allowed[i]);
			return obj_error(
				b, o,
				"unknown property \"%.60s\" on "
				"%s %s (expected %s)",
				key,
				!strcmp(o->type, "relationship") ? "a" : "an",
				o->type,
				allowed[0] ? list
					   : "no x_attrib_ "
					     "property here");
		}
	}
	return 0;
}

int obj_string(struct bundle *b, const struct obj *o, const char *key,
	       bool required, const char **out)
{
	json_t *v = json_object_get(o->j, key);
	*out = NULL;
	if (!v && !required)
		return 0;
	if (!json_is_string(v))
		return obj_error(b, o, "%s: %s", key,
				 v ? "expected a string" : "missing");
	*out = json_string_value(v);
	return 0;
}

int obj_unit(struct bundle *b, const struct obj *o, const char *key,
	     double *out, bool *given)
{
	json_t *v = json_object_get(o->j, key);
	*given = v != NULL;
	if (!v)
		return 0;
	double d = json_number_value(v);
	if (!json_is_number(v) || !(d >= 0 && d <= 1))
		return obj_error(b, o, "%s: expected a number in [0, 1]", key);
	*out = d;
	return 0;
}

int obj_common(struct bundle *b, const struct obj *o, int *link,
	       enum opinion_direction *direction, char *reliability,
	       int *credibility, const char **source)
{
	const char *s;
	json_t *conf = json_object_get(o->j, "confidence");
	*link = -1;
	*direction = OPINION_SUPPORTS;
	*reliability = 'F';
	*credibility = 6;
	if (obj_string(b, o, "x_attrib_link", false, &s) != 0)
		return -1;
	if (s && (*link = model_link_parse(s)) < 0)
		return obj_error(b, o, "x_attrib_link: expected one of L1, L2, "
				 "L3, L3i, L4, got \"%.20s\"", s);
	if (obj_string(b, o, "x_attrib_direction", false, &s) != 0)
		return -1;
	if (s && strcmp(s, "supports") != 0) {
		if (strcmp(s, "contradicts") != 0)
			return obj_error(b, o, "x_attrib_direction: expected "
					 "supports or contradicts, got "
					 "\"%.20s\"", s);
		*direction = OPINION_CONTRADICTS;
	}
	if (obj_string(b, o, "x_attrib_reliability", false, &s) != 0)
		return -1;
	if (s) {
		if (strlen(s) != 1 || s[0] < 'A' || s[0] > 'F')
			return obj_error(b, o, "x_attrib_reliability: expected "
					 "one of A, B, C, D, E, F, got "
					 "\"%.20s\"", s);
		*reliability = s[0];
	}
	if (conf) {
		json_int_t c = json_integer_value(conf);
		if (!json_is_integer(conf) || c < 0 || c > 100)
			return obj_error(b, o, "confidence: expected a whole "
					 "number 0..100");
		*credibility = stix_confidence_credibility(c);
	}
	return obj_string(b, o, "created_by_ref", false, source);
}

int bundle_indicator_proto(struct bundle *b, struct indicator *ind)
{
	struct model_pattern *p = &ind->proto;
	const struct obj *o = ind->o;
	const char *source, *name;
	memset(p, 0, sizeof *p);
	if (obj_common(b, o, &ind->link, &p->direction, &p->reliability,
		       &p->credibility, &source) != 0 ||
	    obj_unit(b, o, "x_attrib_forgeability", &p->f, &p->f_override) ||
	    obj_unit(b, o, "x_attrib_specificity", &p->s, &p->s_override) ||
	    obj_string(b, o, "name", false, &name) != 0)
		return -1;
	if (ind->link >= 0) {
		char why[400];
		p->link = (enum model_link)ind->link;
		p->id = (char *)o->id;
		if (!model_pattern_admissible(p, why, sizeof why))
			return obj_error(b, o, "x_attrib_link: %s", why);
		p->id = NULL;
	}
	p->source = (char *)(source ? source : b->label);
	p->note = (char *)name;
	snprintf(ind->origin, sizeof ind->origin, "%s: %s", b->name, o->id);
	p->origin = ind->origin;
	return 0;
}
