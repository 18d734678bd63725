/*
 * load.c — STIX 2.1 bundles as models (docs/model-format.md, "STIX 2.1
 * input"), read with jansson.
 *
 * A bundle is read in passes over the latest version of each object
 * (several versions of one id: the latest `modified` wins): which
 * intrusion sets fold into a threat actor; the hypotheses; the
 * relationships (claims, and which indicator indicates what); the
 * indicators (patterns). Structural faults — not JSON, not a bundle, a
 * property of the wrong type, an unknown x_attrib_ property — stop the
 * load with one line naming the file and the object. What is well formed
 * but cannot be used (revoked objects, missing endpoints, patterns attrib
 * cannot evaluate) goes to ms->uneval with the reason.
 */
#include "analyze/intel/stix/stix.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/intel/stix/bundle.h"

int stix_confidence_credibility(long long confidence)
{
	if (confidence < 0 || confidence > 100)
		return 6;
	if (confidence >= 80)
		return 1;
	if (confidence >= 60)
		return 2;
	if (confidence >= 40)
		return 3;
	if (confidence >= 20)
		return 4;
	return 5;
}

/* ---- reports ---- */

/* "SOURCE RELATIONSHIP TARGET", the text reported for a relationship. */
static void rel_text(const struct rel *r, char *buf, size_t len)
{
	snprintf(buf, len, "%.128s %.64s %.128s", r->source, r->type,
		 r->target);
}

static int report_rel(struct bundle *b, const struct rel *r,
		      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int report_rel(struct bundle *b, const struct rel *r,
		      const char *fmt, ...)
{
	char text[400], reason[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	rel_text(r, text, sizeof text);
	return bundle_report(b, r->o->id, NULL, text, reason);
}

/* ---- pass 1: intrusion sets attributed to threat actors ---- */

/* The object an endpoint names, when it is usable for this purpose. */
static const struct obj *endpoint(struct bundle *b, const char *id,
				  const char *type)
{
	const struct obj *o = bundle_find(b, id);
	return o && !o->revoked && !strcmp(o->type, type) ? o : NULL;
}

static int find_folds(struct bundle *b)
{
	for (size_t i = 0; i < b->n_rels; i++) {
		const struct rel *r = &b->rels[i];
		const struct obj *is, *ta;
		if (r->o->revoked || strcmp(r->type, "attributed-to") != 0 ||
		    !(is = endpoint(b, r->source, "intrusion-set")) ||
		    !(ta = endpoint(b, r->target, "threat-actor")))
			continue;
		if (bundle_edge(b, &b->folds, is, ta) != 0)
			return -1;
	}
	edges_sort(&b->folds);
	return 0;
}

/* ---- pass 2: hypotheses ---- */

static int add_hypotheses(struct bundle *b)
{
	for (size_t i = 0; i < b->n_objs; i++) {
		struct obj *o = &b->objs[i];
		bool ta = !strcmp(o->type, "threat-actor");
		if (!o->latest || (!ta && strcmp(o->type, "intrusion-set")))
			continue;
		if (o->revoked) {
			if (bundle_report(b, o->id, NULL, "", "revoked") != 0)
				return -1;
			continue;
		}
		if (!ta && edges_from(&b->folds, o, NULL))
			continue; /* folded into its threat actor(s) */
		const char *name;
		double base_rate;
		bool has_rate;
		/* x_attrib_hypothesis: the hypothesis id attrib's own STIX
		 * export names the actor after (report/stix_out.c); read
		 * back, the STIX id stays the hypothesis id. */
		static const char *const allowed[] = {"x_attrib_base_rate",
						      "x_attrib_hypothesis",
						      NULL};
		if (obj_check_x(b, o, allowed) != 0 ||
		    obj_string(b, o, "name", false, &name) != 0 ||
		    obj_unit(b, o, "x_attrib_base_rate", &base_rate,
			     &has_rate) != 0)
			return -1;
		char origin[512];
		snprintf(origin, sizeof origin, "%s: %s", b->name, o->id);
		struct model_hypothesis *h = model_hypothesis_get(
			b->ms, o->id, name,
			ta ? MODEL_HYP_ACTOR : MODEL_HYP_INTRUSION_SET, origin);
		if (!h)
			return bundle_oom(b);
		if (has_rate)
			h->base_rate = base_rate;
		o->hyp = (long)(h - b->ms->hyps);
	}
	return 0;
}

/* ---- pass 3: relationships ---- */

static const char *name_of(const struct obj *o)
{
	json_t *v = json_object_get(o->j, "name");
	return json_is_string(v) ? json_string_value(v) : o->id;
}

/* attributed-to between objects of the bundle: a claim. */
static int add_claim(struct bundle *b, const struct rel *r,
		     const struct obj *src, const struct obj *tgt)
{
	static const char *const allowed[] = {
		"x_attrib_link", "x_attrib_direction", "x_attrib_reliability",
		"x_attrib_strength", "x_attrib_forgeability",
		"x_attrib_claim_type", NULL,
	};
	struct model_claim c;
	const char *claim_type, *description, *source, *klass = NULL;
	int link;
	bool has_strength;
	char text[600], origin[512];
	memset(&c, 0, sizeof c);
	if (obj_check_x(b, r->o, allowed) != 0 ||
	    obj_common(b, r->o, &link, &c.direction, &c.reliability,
		       &c.credibility, &source) != 0 ||
	    obj_unit(b, r->o, "x_attrib_strength", &c.strength,
		     &has_strength) != 0 ||
	    obj_unit(b, r->o, "x_attrib_forgeability", &c.f, &c.f_override)
		    != 0 ||
	    obj_string(b, r->o, "x_attrib_claim_type", false, &claim_type)
		    != 0 ||
	    obj_string(b, r->o, "description", false, &description) != 0)
		return -1;
	if (!strcmp(tgt->type, "identity") &&
	    obj_string(b, tgt, "identity_class", false, &klass) != 0)
		return -1;
	c.type = MODEL_CLAIM_INTELLIGENCE;
	if (claim_type) {
		int t = model_claim_type_parse(claim_type);
		if (t < 0)
			return obj_error(b, r->o, "x_attrib_claim_type: "
					 "expected one of vendor-report, "
					 "seized-logs, intelligence, "
					 "acknowledgement, other, geolocation, "
					 "registration, asn-country, got "
					 "\"%.40s\"", claim_type);
		c.type = (enum model_claim_type)t;
	}
	if (!has_strength)
		c.strength = 0.8;
	/* an intrusion set's operators to an organisation: L3; a threat
	 * actor to an individual: L3i, to any other identity: L4 */
	c.link = !strcmp(src->type, "intrusion-set") ? MODEL_L3
		 : klass && !strcmp(klass, "individual") ? MODEL_L3I
							 : MODEL_L4;
	if (link >= 0)
		c.link = (enum model_link)link;
	char why[400];
	c.id = (char *)r->o->id;
	if (!model_claim_admissible(&c, why, sizeof why))
		return obj_error(b, r->o, "%s", why);
	c.source = (char *)(source ? source : b->label);
	c.id = (char *)r->o->id;
	if (!description) {
		snprintf(text, sizeof text, "%s \"%.200s\" attributed to %s "
			 "\"%.200s\"%s%.40s%s", src->type, name_of(src),
			 tgt->type, name_of(tgt), klass ? " (" : "",
			 klass ? klass : "", klass ? ")" : "");
		description = text;
	}
	c.description = (char *)description;
	snprintf(origin, sizeof origin, "%s: %s", b->name, r->o->id);
	c.origin = origin;
	/* the claim speaks for the threat actor, whichever end it is */
	const struct obj *ta = !strcmp(src->type, "threat-actor") ? src : tgt;
	if (model_add_claim(&b->ms->hyps[ta->hyp], &c) != 0)
		return bundle_oom(b);
	return 0;
}

/* Checks both ends exist and are not revoked; reports otherwise.
 * 1 when usable, 0 when reported, -1 on failure. */
static int rel_ends(struct bundle *b, const struct rel *r,
		    const struct obj **src, const struct obj **tgt)
{
	const char *which[2] = {"source", "target"};
	const char *ids[2] = {r->source, r->target};
	const struct obj *o[2];
	for (int i = 0; i < 2; i++) {
		o[i] = bundle_find(b, ids[i]);
		if (!o[i])
			return report_rel(b, r, "%s %.128s is not in the "
					  "bundle", which[i], ids[i]) ? -1 : 0;
		if (o[i]->revoked)
			return report_rel(b, r, "%s %.128s is revoked",
					  which[i], ids[i]) ? -1 : 0;
	}
	*src = o[0];
	*tgt = o[1];
	return 1;
}

static bool is_hyp_type(const char *type)
{
	return !strcmp(type, "threat-actor") || !strcmp(type, "intrusion-set");
}

static int use_relationships(struct bundle *b)
{
	for (size_t i = 0; i < b->n_rels; i++) {
		const struct rel *r = &b->rels[i];
		const struct obj *src, *tgt;
		bool indicates = !strcmp(r->type, "indicates");
		bool attributed = !strcmp(r->type, "attributed-to");
		int rc;
		if (!indicates && !attributed) {
			b->counts->objects_unused++;
			continue;
		}
		if (r->o->revoked) {
			if (report_rel(b, r, "revoked") != 0)
				return -1;
			continue;
		}
		if ((rc = rel_ends(b, r, &src, &tgt)) <= 0) {
			if (rc < 0)
				return -1;
			continue;
		}
		if (indicates) {
			static const char *const none[] = {NULL};
			if (obj_check_x(b, r->o, none) != 0)
				return -1;
			if (strcmp(src->type, "indicator") != 0 ||
			    !is_hyp_type(tgt->type)) {
				b->counts->objects_unused++;
				continue;
			}
			if (bundle_edge(b, &b->indicates, src, tgt) != 0)
				return -1;
		} else if (!strcmp(src->type, "intrusion-set") &&
			   !strcmp(tgt->type, "threat-actor")) {
			if (add_claim(b, r, src, tgt) != 0)
				return -1;
		} else if (!strcmp(src->type, "threat-actor") &&
			   !strcmp(tgt->type, "identity")) {
			if (add_claim(b, r, src, tgt) != 0)
				return -1;
		} else {
			b->counts->objects_unused++;
		}
	}
	edges_sort(&b->indicates);
	return 0;
}

/* ---- pass 4: indicators ---- */

struct targets {
	long *v;
	size_t n, cap;
};

/* Adds hypothesis h to t unless it is there already. */
static int target_add(struct bundle *b, struct targets *t, long h)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i] == h)
			return 0;
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 8;
		long *v = realloc(t->v, ncap * sizeof *v);
		if (!v)
			return bundle_oom(b);
		t->v = v;
		t->cap = ncap;
	}
	t->v[t->n++] = h;
	return 0;
}

/* The hypotheses (indices into ms->hyps) indicator o speaks for: what it
 * indicates, with intrusion sets folded into their threat actors. */
static int indicator_targets(struct bundle *b, const struct obj *o,
			     struct targets *out)
{
	size_t k, nf;
	const struct edge *e = edges_from(&b->indicates, o, &k);
	out->n = 0;
	for (size_t i = 0; e && i < k; i++) {
		const struct obj *t = e[i].to;
		const struct edge *f = strcmp(t->type, "intrusion-set")
					       ? NULL
					       : edges_from(&b->folds, t, &nf);
		for (size_t j = 0; j < (f ? nf : 1); j++) {
			long h = f ? f[j].to->hyp : t->hyp;
			if (h >= 0 && target_add(b, out, h) != 0)
				return -1;
		}
	}
	return 0;
}

/* One alternative's patterns, in every hypothesis. */
static int add_alt_patterns(struct bundle *b, const struct indicator *ind,
			    const struct stix_match *m, const char *id,
			    const long *hyps, size_t n_hyps)
{
	struct model_pattern p = ind->proto;
	char pid[300];
	p.match = m->match;
	p.text = (char *)m->text;
	memcpy(p.addr, m->addr, sizeof p.addr);
	p.family = m->family;
	p.prefix_len = m->prefix_len;
	p.lo = m->lo;
	p.hi = m->hi;
	if (ind->link < 0)
		p.link = m->link;
	if (m->match == MODEL_MATCH_PERIOD ||
	    m->match == MODEL_MATCH_UTC_OFFSET)
		p.text = NULL;
	for (size_t k = 0; k < m->n_kinds; k++) {
		p.kind = m->kinds[k];
		if (m->n_kinds > 1)
			snprintf(pid, sizeof pid, "%s/%s", id,
				 stix_kind_name(p.kind));
		else
			snprintf(pid, sizeof pid, "%s", id);
		p.id = pid;
		for (size_t h = 0; h < n_hyps; h++)
			if (model_add_pattern(&b->ms->hyps[hyps[h]], &p) != 0)
				return bundle_oom(b);
	}
	return 0;
}

static int use_pattern(struct bundle *b, const struct indicator *ind,
		       const long *hyps, size_t n_hyps)
{
	const struct obj *o = ind->o;
	char why[512], suffix[32], id[256];
	struct stix_match *m = NULL;
	struct stix_pattern *p =
		stix_pattern_parse(ind->pattern, strlen(ind->pattern));
	int rc = 0;
	if (!p || !(m = malloc(sizeof *m))) {
		rc = bundle_oom(b);
		goto out;
	}
	if (p->error) {
		snprintf(why, sizeof why, "pattern not parsed: %s (byte %zu)",
			 p->error, p->error_at);
		rc = bundle_report(b, o->id, NULL, ind->pattern, why);
		goto out;
	}
	for (size_t i = 0; rc == 0 && i < p->n_alts; i++) {
		const struct stix_alt *a = &p->alts[i];
		suffix[0] = '\0';
		if (p->n_alts > 1)
			snprintf(suffix, sizeof suffix, "#%zu", i + 1);
		snprintf(id, sizeof id, "%s%s", o->id, suffix);
		if (stix_map_alt(a, m, why, sizeof why) == 0) {
			rc = add_alt_patterns(b, ind, m, id, hyps, n_hyps);
			continue;
		}
		char *text = p->n_alts > 1 ? strndup(ind->pattern + a->start,
						     a->end - a->start)
					   : strdup(ind->pattern);
		if (!text) {
			rc = bundle_oom(b);
			break;
		}
		rc = bundle_report(b, o->id, suffix, text, why);
		free(text);
	}
out:
	free(m);
	stix_pattern_free(p);
	return rc;
}

static int use_indicators(struct bundle *b)
{
	static const char *const allowed[] = {
		"x_attrib_link", "x_attrib_direction", "x_attrib_reliability",
		"x_attrib_forgeability", "x_attrib_specificity", NULL,
	};
	struct targets hyps = {0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < b->n_objs; i++) {
		struct indicator ind;
		const struct obj *o = &b->objs[i];
		const char *ptype, *reason = NULL;
		char why[160];
		if (!o->latest || strcmp(o->type, "indicator") != 0)
			continue;
		memset(&ind, 0, sizeof ind);
		ind.o = o;
		if (obj_check_x(b, o, allowed) != 0 ||
		    obj_string(b, o, "pattern", true, &ind.pattern) != 0 ||
		    obj_string(b, o, "pattern_type", false, &ptype) != 0 ||
		    bundle_indicator_proto(b, &ind) != 0 ||
		    indicator_targets(b, o, &hyps) != 0) {
			rc = -1;
			break;
		}
		if (o->revoked) {
			reason = "revoked";
		} else if (ptype && strcmp(ptype, "stix") != 0) {
			snprintf(why, sizeof why, "pattern_type %.64s is not "
				 "evaluated (only stix)", ptype);
			reason = why;
		} else if (hyps.n == 0) {
			reason = "indicates no threat-actor or intrusion-set "
				 "of this bundle";
		}
		rc = reason ? bundle_report(b, o->id, NULL, ind.pattern, reason)
			    : use_pattern(b, &ind, hyps.v, hyps.n);
	}
	free(hyps.v);
	return rc;
}

/* Control characters quoted from the bundle (a JSON parser's excerpt
 * around an error, a value with a newline) must not break the one-line
 * error. */
static void error_one_line(char *err, size_t errlen)
{
	for (size_t i = 0; i < errlen && err[i]; i++)
		if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
			err[i] = ' ';
}

int stix_bundle_load(struct model_set *ms, const char *name, const char *buf,
		     size_t len, struct stix_counts *counts, char *err,
		     size_t errlen)
{
	struct bundle b;
	struct stix_counts local = {0};
	int rc = bundle_open(&b, ms, name, buf, len, counts ? counts : &local,
			     err, errlen);
	if (rc == 0)
		rc = find_folds(&b);
	if (rc == 0)
		rc = add_hypotheses(&b);
	if (rc == 0)
		rc = use_relationships(&b);
	if (rc == 0)
		rc = use_indicators(&b);
	bundle_close(&b);
	if (rc != 0 && err)
		error_one_line(err, errlen);
	return rc;
}

int model_load_stix(struct model_set *ms, const char *path, char *err,
		    size_t errlen)
{
	char *buf;
	size_t len;
	struct stix_counts counts = {0};
	if (model_file_read(ms, path, "stix", &buf, &len, err, errlen) != 0)
		return -1;
	struct model_file *mf = &ms->files[ms->n_files - 1];
	int rc = stix_bundle_load(ms, path, buf, len, &counts, err, errlen);
	mf->objects = counts.objects;
	mf->objects_unused = counts.objects_unused;
	free(buf);
	return rc;
}
