/*
 * yaml.c — authored YAML models (schema: docs/model-format.md) into a
 * model set. The text is parsed into a tree with positions
 * (yaml_tree.c), then every mapping is checked against the keys it may
 * hold, so each error names file:line:col and what was expected.
 */
#include "analyze/intel/feed_model.h"
#include "analyze/intel/model.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/vocab/kinds.h"
#include "analyze/intel/yaml_reader.h"
#include "analyze/intel/yaml_tree.h"

enum { PATH_ORIGIN_MAX = 4200 };

static bool kind_is_address(int kind)
{
	return kind == MODEL_KIND_ANY_IP || kind == OBS_IP_SRC ||
	       kind == OBS_IP_DST || kind == OBS_DNS_ANSWER;
}

static bool kind_is_name(int kind)
{
	return kind == OBS_DNS_QUERY || kind == OBS_DNS_ANSWER ||
	       kind == OBS_TLS_SNI || kind == OBS_HTTP_HOST ||
	       kind == OBS_TLS_CERT_SUBJECT;
}

/* The matcher of a `match:` mapping: kind plus exactly one matcher. */
static int read_match(struct yaml_reader *r, const struct ynode *m,
		      struct model_pattern *p)
{
	static const char *const keys[] = {
		"!kind", "value", "suffix", "cidr", "glob", "period",
		"utc_offset", "asn", "country", NULL,
	};
	const char *kind;
	const struct ynode *which = NULL;
	if (yr_check_keys(r, m, "match", keys) != 0 ||
	    yr_text(r, m, "kind", &kind) != 0)
		return -1;
	p->kind = !strcmp(kind, "ip") ? MODEL_KIND_ANY_IP : obs_kind_parse(kind);
	if (p->kind == -1)
		return yr_fail(r, ytree_get(m, "kind"), "kind: \"%s\" is not an "
			       "indicator kind (see `attrib indicators`; or ip)",
			       kind);
	for (int i = 0; i < 8; i++) {
		const struct ynode *v = ytree_get(m, model_match_name((enum model_match)i));
		if (!v)
			continue;
		if (which)
			return yr_fail(r, v, "match: give exactly one of value, "
				       "suffix, cidr, glob, period, utc_offset, "
				       "asn, country");
		which = v;
		p->match = (enum model_match)i;
	}
	if (!which)
		return yr_fail(r, m, "match: missing the matcher (one of value, "
			       "suffix, cidr, glob, period, utc_offset, asn, "
			       "country)");
	const char *key = model_match_name(p->match);
	if (p->match != MODEL_MATCH_PERIOD && p->match != MODEL_MATCH_UTC_OFFSET &&
	    (which->type != YNODE_SCALAR || !which->text[0]))
		return yr_fail(r, which, "%s: expected a non-empty single value",
			       key);
	switch (p->match) {
	case MODEL_MATCH_EXACT:
	case MODEL_MATCH_GLOB:
		if (p->kind == OBS_BEACON || p->kind == OBS_ACTIVITY_HOURS)
			return yr_fail(r, which, "%s: %s values are matched with "
				       "%s", key, kind,
				       p->kind == OBS_BEACON ? "period"
				       : "utc_offset");
		p->text = which->text;
		return 0;
	case MODEL_MATCH_SUFFIX:
		if (!kind_is_name(p->kind))
			return yr_fail(r, which, "suffix: applies to dns.query, "
				       "dns.answer, tls.sni, http.host and "
				       "tls.cert.subject, not %s", kind);
		p->text = which->text[0] == '.' ? which->text + 1 : which->text;
		return 0;
	case MODEL_MATCH_CIDR:
		if (!kind_is_address(p->kind))
			return yr_fail(r, which, "cidr: applies to ip, ip.src, "
				       "ip.dst and dns.answer, not %s", kind);
		if (!model_parse_cidr(which->text, p->addr, &p->family,
				      &p->prefix_len))
			return yr_fail(r, which, "cidr: expected an address "
				       "prefix such as 203.0.113.0/24 or "
				       "2001:db8::/32, got \"%s\"", which->text);
		p->text = which->text;
		return 0;
	case MODEL_MATCH_PERIOD:
		if (p->kind != OBS_BEACON)
			return yr_fail(r, which, "period: applies to kind beacon, "
				       "not %s", kind);
		return yr_range(r, which, key, 0, 1e9, &p->lo, &p->hi);
	case MODEL_MATCH_UTC_OFFSET:
		if (p->kind != OBS_ACTIVITY_HOURS)
			return yr_fail(r, which, "utc_offset: applies to kind "
				       "activity.hours, not %s", kind);
		return yr_range(r, which, key, -12, 14, &p->lo, &p->hi);
	case MODEL_MATCH_ASN:
	case MODEL_MATCH_COUNTRY:
		if (!kind_is_address(p->kind))
			return yr_fail(r, which, "%s: applies to ip, ip.src, "
				       "ip.dst and dns.answer, not %s", key, kind);
		if (!r->ms->n_prefixes && !r->ms->n_mmdb)
			return yr_fail(r, which, "%s: needs a prefix table "
				       "(top-level key prefixes)", key);
		if (p->match == MODEL_MATCH_ASN) {
			double asn;
			if (yr_parse_number(r, which, key, 0, 4294967295.0,
					    &asn) != 0)
				return -1;
			if (asn != floor(asn))
				return yr_fail(r, which, "asn: expected a whole "
					       "number");
			p->asn = (uint32_t)asn;
		} else if (strlen(which->text) != 2 || which->text[0] < 'A' ||
			   which->text[0] > 'Z' || which->text[1] < 'A' ||
			   which->text[1] > 'Z') {
			return yr_fail(r, which, "country: expected two upper-case "
				       "letters, got \"%s\"", which->text);
		}
		p->text = which->text;
		return 0;
	}
	return 0;
}

static int read_indicator(struct yaml_reader *r, struct model_hypothesis *h,
			  const struct ynode *n)
{
	static const char *const keys[] = {
		"!id", "!match", "!link", "direction", "!reliability",
		"specificity", "forgeability", "location", "source", "note",
		NULL,
	};
	struct model_pattern p;
	char origin[PATH_ORIGIN_MAX];
	memset(&p, 0, sizeof p);
	if (yr_check_keys(r, n, "indicator", keys) != 0 ||
	    yr_id(r, n, (const char **)&p.id) != 0 ||
	    read_match(r, ytree_get(n, "match"), &p) != 0 ||
	    yr_link(r, n, &p.link) != 0 ||
	    yr_direction(r, n, &p.direction) != 0 ||
	    yr_reliability(r, n, &p.reliability) != 0 ||
	    yr_number(r, n, "specificity", 0, 1, &p.s, &p.s_override) != 0 ||
	    yr_number(r, n, "forgeability", 0, 1, &p.f, &p.f_override) != 0 ||
	    yr_bool(r, n, "location", &p.location) != 0 ||
	    yr_text(r, n, "source", (const char **)&p.source) != 0 ||
	    yr_text(r, n, "note", (const char **)&p.note) != 0)
		return -1;
	if (p.match == MODEL_MATCH_ASN || p.match == MODEL_MATCH_COUNTRY)
		p.location = true;
	char why[400];
	if (!model_pattern_admissible(&p, why, sizeof why))
		return yr_fail(r, ytree_get(n, "link"), "%s", why);
	if (!p.source)
		p.source = r->default_source;
	yr_origin(r, n, origin, sizeof origin);
	p.origin = origin;
	if (model_add_pattern(h, &p) != 0)
		return yr_fail(r, n, "out of memory");
	return 0;
}

static void relative_path(const char *model, const char *name, char *out,
			  size_t n);

/* A feed: every entry of an intel file as evidence for h (feed_model.h). */
static int read_feed(struct yaml_reader *r, struct model_hypothesis *h,
		     const struct ynode *n)
{
	static const char *const keys[] = {
		"!id", "!path", "!link", "direction", "!reliability", "source",
		NULL,
	};
	struct model_feed f;
	const char *path, *source;
	char origin[PATH_ORIGIN_MAX], full[4096], err[1200];
	memset(&f, 0, sizeof f);
	if (yr_check_keys(r, n, "feed", keys) != 0 || yr_id(r, n, &f.id) != 0 ||
	    yr_text(r, n, "path", &path) != 0 ||
	    yr_link(r, n, &f.link) != 0 ||
	    yr_direction(r, n, &f.direction) != 0 ||
	    yr_reliability(r, n, &f.reliability) != 0 ||
	    yr_text(r, n, "source", &source) != 0)
		return -1;
	if (f.link != MODEL_L1 && f.link != MODEL_L2)
		return yr_fail(r, ytree_get(n, "link"), "link: a feed is technical "
			       "evidence and speaks to L1 or L2 only, got %s",
			       model_link_name(f.link));
	relative_path(r->path, path, full, sizeof full);
	yr_origin(r, n, origin, sizeof origin);
	f.path = full;
	f.source = source ? source : r->default_source;
	f.origin = origin;
	size_t added, unused;
	if (model_add_feed(h, &f, &added, &unused, err, sizeof err) != 0)
		return yr_fail(r, ytree_get(n, "path"), "feed: %s", err);
	if (added == 0)
		return yr_fail(r, ytree_get(n, "path"), "feed %s: no entry attrib "
			       "can compare with an observation (%zu not used)",
			       path, unused);
	return 0;
}

static int read_claim(struct yaml_reader *r, struct model_hypothesis *h,
		      const struct ynode *n)
{
	static const char *const keys[] = {
		"!id", "!type", "!link", "direction", "!reliability",
		"!credibility", "strength", "forgeability", "location",
		"!source", "description", NULL,
	};
	struct model_claim c;
	const char *type;
	double cred = 0;
	char origin[PATH_ORIGIN_MAX];
	memset(&c, 0, sizeof c);
	c.strength = 0.8;
	if (yr_check_keys(r, n, "claim", keys) != 0 ||
	    yr_id(r, n, (const char **)&c.id) != 0 ||
	    yr_text(r, n, "type", &type) != 0)
		return -1;
	int t = model_claim_type_parse(type);
	if (t < 0)
		return yr_fail(r, ytree_get(n, "type"), "type: expected one of "
			       "vendor-report, seized-logs, intelligence, "
			       "acknowledgement, other, geolocation, "
			       "registration, asn-country, got \"%s\"", type);
	c.type = (enum model_claim_type)t;
	if (yr_link(r, n, &c.link) != 0 ||
	    yr_direction(r, n, &c.direction) != 0 ||
	    yr_reliability(r, n, &c.reliability) != 0 ||
	    yr_number(r, n, "credibility", 1, 6, &cred, NULL) != 0 ||
	    yr_number(r, n, "strength", 0, 1, &c.strength, NULL) != 0 ||
	    yr_number(r, n, "forgeability", 0, 1, &c.f, &c.f_override) != 0 ||
	    yr_bool(r, n, "location", &c.location) != 0 ||
	    yr_text(r, n, "source", (const char **)&c.source) != 0 ||
	    yr_text(r, n, "description", (const char **)&c.description) != 0)
		return -1;
	if (cred != floor(cred))
		return yr_fail(r, ytree_get(n, "credibility"), "credibility: "
			       "expected an Admiralty rating 1 to 6");
	c.credibility = (int)cred;
	char why[400];
	if (!model_claim_admissible(&c, why, sizeof why))
		return yr_fail(r, ytree_get(n, "link"), "%s", why);
	yr_origin(r, n, origin, sizeof origin);
	c.origin = origin;
	if (model_add_claim(h, &c) != 0)
		return yr_fail(r, n, "out of memory");
	return 0;
}

/* Calls fn for each item of the list under key (absent: nothing). */
static int each_item(struct yaml_reader *r, struct model_hypothesis *h,
		     const struct ynode *map, const char *key,
		     int (*fn)(struct yaml_reader *, struct model_hypothesis *,
			       const struct ynode *))
{
	const struct ynode *list = ytree_get(map, key);
	if (!list)
		return 0;
	if (list->type != YNODE_SEQUENCE)
		return yr_fail(r, list, "%s: expected a list (lines starting with "
			       "\"- \"), got %s", key, ytree_type_name(list->type));
	for (size_t i = 0; i < list->n; i++)
		if (fn(r, h, list->items[i]) != 0)
			return -1;
	return 0;
}

static int read_hypothesis(struct yaml_reader *r, const struct ynode *n)
{
	static const char *const keys[] = {
		"!id", "name", "type", "base_rate", "description",
		"indicators", "claims", "feeds", NULL,
	};
	const char *id, *name, *type_text;
	double base_rate = OPINION_DEFAULT_BASE_RATE;
	bool base_set = false;
	int type = MODEL_HYP_ACTOR;
	char origin[PATH_ORIGIN_MAX];
	if (yr_check_keys(r, n, "hypothesis", keys) != 0 ||
	    yr_id(r, n, &id) != 0 || yr_text(r, n, "name", &name) != 0 ||
	    yr_text(r, n, "type", &type_text) != 0 ||
	    yr_number(r, n, "base_rate", 0, 1, &base_rate, &base_set) != 0)
		return -1;
	if (type_text && (type = model_hypothesis_type_parse(type_text)) < 0)
		return yr_fail(r, ytree_get(n, "type"), "type: expected one of "
			       "actor, intrusion-set, unknown, false-flag, got "
			       "\"%s\"", type_text);
	struct model_hypothesis *h = model_hypothesis_find(r->ms, id);
	if (h && h->type != (enum model_hypothesis_type)type)
		return yr_fail(r, n, "hypothesis \"%s\" was declared as %s at %s",
			       id, model_hypothesis_type_name(h->type),
			       h->origin);
	if (h && base_set && h->base_rate != base_rate)
		return yr_fail(r, ytree_get(n, "base_rate"), "hypothesis \"%s\": "
			       "base_rate %g differs from %g given at %s", id,
			       base_rate, h->base_rate, h->origin);
	yr_origin(r, n, origin, sizeof origin);
	h = model_hypothesis_get(r->ms, id, name, (enum model_hypothesis_type)type,
				 origin);
	if (!h)
		return yr_fail(r, n, "out of memory");
	if (base_set)
		h->base_rate = base_rate;
	return each_item(r, h, n, "indicators", read_indicator) ||
		       each_item(r, h, n, "claims", read_claim) ||
		       each_item(r, h, n, "feeds", read_feed)
		       ? -1
		       : 0;
}

static int read_standard(struct yaml_reader *r, const struct ynode *n)
{
	static const char *const keys[] = {"!name", "!threshold", "strict",
					   NULL};
	const char *name;
	double thr;
	bool strict = false;
	if (yr_check_keys(r, n, "standard", keys) != 0 ||
	    yr_text(r, n, "name", &name) != 0 ||
	    yr_number(r, n, "threshold", 0, 1, &thr, NULL) != 0 ||
	    yr_bool(r, n, "strict", &strict) != 0)
		return -1;
	for (size_t i = 0; i < r->ms->n_standards; i++)
		if (!strcmp(r->ms->standards[i].name, name))
			return yr_fail(r, n, "standard \"%s\" is given twice",
				       name);
	if (model_add_standard(r->ms, name, thr, strict) != 0)
		return yr_fail(r, n, "out of memory");
	return 0;
}

/* path of a file named in the model, relative to the model's folder. */
static void relative_path(const char *model, const char *name, char *out,
			  size_t size)
{
	const char *slash = strrchr(model, '/');
	if (name[0] == '/' || !slash)
		snprintf(out, size, "%s", name);
	else
		snprintf(out, size, "%.*s/%s", (int)(slash - model), model,
			 name);
}

static int read_top(struct yaml_reader *r, const struct ynode *root)
{
	static const char *const keys[] = {
		"!format", "!name", "description", "source", "deception",
		"prefixes", "standards", "!hypotheses", NULL,
	};
	const char *format, *name, *source, *prefixes;
	double delta;
	bool delta_set;
	if (yr_check_keys(r, root, "the model", keys) != 0 ||
	    yr_text(r, root, "format", &format) != 0 ||
	    yr_text(r, root, "name", &name) != 0 ||
	    yr_text(r, root, "source", &source) != 0 ||
	    yr_text(r, root, "prefixes", &prefixes) != 0 ||
	    yr_number(r, root, "deception", 0, 1, &delta, &delta_set) != 0)
		return -1;
	if (strcmp(format, "attrib-model-1") != 0)
		return yr_fail(r, ytree_get(root, "format"), "format: expected "
			       "attrib-model-1, got \"%s\"", format);
	if (source) {
		snprintf(r->default_source, sizeof r->default_source, "%s",
			 source);
	} else {
		const char *base = strrchr(r->path, '/');
		snprintf(r->default_source, sizeof r->default_source, "%s",
			 base ? base + 1 : r->path);
	}
	if (delta_set) {
		if (r->ms->deception_set && r->ms->deception != delta)
			return yr_fail(r, ytree_get(root, "deception"),
				       "deception: %g differs from %g given by an "
				       "earlier model file", delta,
				       r->ms->deception);
		r->ms->deception = delta;
		r->ms->deception_set = true;
	}
	if (prefixes) {
		char full[4096];
		relative_path(r->path, prefixes, full, sizeof full);
		if (model_load_prefixes(r->ms, full, r->err, r->errlen) != 0)
			return -1;
	}
	const struct ynode *std = ytree_get(root, "standards");
	if (std && std->type != YNODE_SEQUENCE)
		return yr_fail(r, std, "standards: expected a list");
	for (size_t i = 0; std && i < std->n; i++)
		if (read_standard(r, std->items[i]) != 0)
			return -1;
	const struct ynode *hyps = ytree_get(root, "hypotheses");
	if (hyps->type != YNODE_SEQUENCE || hyps->n == 0)
		return yr_fail(r, hyps, "hypotheses: expected a non-empty list");
	for (size_t i = 0; i < hyps->n; i++)
		if (read_hypothesis(r, hyps->items[i]) != 0)
			return -1;
	return 0;
}

int model_load_yaml(struct model_set *ms, const char *path, char *err,
		    size_t errlen)
{
	struct yaml_reader r = {.ms = ms, .path = path, .err = err,
			   .errlen = errlen};
	char *text;
	size_t len;
	if (model_file_read(ms, path, "yaml", &text, &len, err, errlen) != 0)
		return -1;
	struct ynode *root = ytree_parse(path, text, len, err, errlen);
	free(text);
	if (!root)
		return -1;
	int rc = read_top(&r, root);
	ytree_free(root);
	return rc;
}
