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
#include "analyze/intel/yaml_tree.h"

enum { PATH_ORIGIN_MAX = 4200 };

struct reader {
	struct model_set *ms;
	const char *path;
	char *err;
	size_t errlen;
	char default_source[256];
};

static int fail(struct reader *r, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct reader *r, const struct ynode *n, const char *fmt, ...)
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

static void origin_of(const struct reader *r, const struct ynode *n,
		      char *out, size_t size)
{
	snprintf(out, size, "%s:%u:%u", r->path, n->line, n->col);
}

/* Checks that map is a mapping whose keys are all in allowed (NULL
 * terminated) and that every required key (allowed entries starting with
 * '!') is present. */
static int check_keys(struct reader *r, const struct ynode *map,
		      const char *what, const char *const *allowed)
{
	char list[512] = "";
	size_t used = 0;
	if (!map || map->type != YNODE_MAPPING)
		return fail(r, map, "%s: expected a mapping (key: value "
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
			return fail(r, map->items[i], "unknown key \"%s\" in %s "
				    "(expected one of: %s)", key, what, list);
	}
	for (const char *const *a = allowed; *a; a++)
		if (**a == '!' && !ytree_get(map, *a + 1))
			return fail(r, map, "%s: missing required key \"%s\"",
				    what, *a + 1);
	return 0;
}

/* The scalar text of key, or NULL when absent; error when not a scalar
 * or empty. */
static int get_text(struct reader *r, const struct ynode *map,
		    const char *key, const char **out)
{
	const struct ynode *v = ytree_get(map, key);
	*out = NULL;
	if (!v)
		return 0;
	if (v->type != YNODE_SCALAR)
		return fail(r, v, "%s: expected a single value, got %s", key,
			    ytree_type_name(v->type));
	if (!v->text[0])
		return fail(r, v, "%s: expected a value, got an empty one", key);
	*out = v->text;
	return 0;
}

static int parse_number(struct reader *r, const struct ynode *v,
			const char *key, double lo, double hi, double *out)
{
	char *end;
	if (v->type != YNODE_SCALAR)
		return fail(r, v, "%s: expected a number, got %s", key,
			    ytree_type_name(v->type));
	errno = 0;
	double d = strtod(v->text, &end);
	if (end == v->text || *end || errno || !isfinite(d))
		return fail(r, v, "%s: expected a number, got \"%s\"", key,
			    v->text);
	if (d < lo || d > hi)
		return fail(r, v, "%s: expected a number in [%g, %g], got %s",
			    key, lo, hi, v->text);
	*out = d;
	return 0;
}

/* Optional number: *set tells whether it was given. */
static int get_number(struct reader *r, const struct ynode *map,
		      const char *key, double lo, double hi, double *out,
		      bool *set)
{
	const struct ynode *v = ytree_get(map, key);
	if (set)
		*set = v != NULL;
	return v ? parse_number(r, v, key, lo, hi, out) : 0;
}

static int get_bool(struct reader *r, const struct ynode *map,
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
		return fail(r, v, "%s: expected true or false", key);
	return 0;
}

static bool valid_id(const char *s)
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

static int get_id(struct reader *r, const struct ynode *map,
		  const char **out)
{
	if (get_text(r, map, "id", out) != 0)
		return -1;
	if (!valid_id(*out))
		return fail(r, ytree_get(map, "id"), "id: expected 1 to 64 of "
			    "A-Z a-z 0-9 . _ -, got \"%s\"", *out);
	return 0;
}

static int get_link(struct reader *r, const struct ynode *map,
		    enum model_link *out)
{
	const char *t;
	if (get_text(r, map, "link", &t) != 0)
		return -1;
	int l = model_link_parse(t);
	if (l < 0)
		return fail(r, ytree_get(map, "link"), "link: expected one of "
			    "L1, L2, L3, L3i, L4, got \"%s\"", t);
	*out = (enum model_link)l;
	return 0;
}

static int get_direction(struct reader *r, const struct ynode *map,
			 enum opinion_direction *out)
{
	const char *t;
	*out = OPINION_SUPPORTS;
	if (get_text(r, map, "direction", &t) != 0)
		return -1;
	if (!t || !strcmp(t, "supports"))
		return 0;
	if (!strcmp(t, "contradicts")) {
		*out = OPINION_CONTRADICTS;
		return 0;
	}
	return fail(r, ytree_get(map, "direction"), "direction: expected "
		    "supports or contradicts, got \"%s\"", t);
}

static int get_reliability(struct reader *r, const struct ynode *map,
			   char *out)
{
	const char *t;
	double unused;
	if (get_text(r, map, "reliability", &t) != 0)
		return -1;
	if (strlen(t) != 1 || admiralty_reliability(t[0], &unused) != 0)
		return fail(r, ytree_get(map, "reliability"), "reliability: "
			    "expected an Admiralty rating A, B, C, D, E or F, "
			    "got \"%s\"", t);
	*out = (char)(t[0] & ~0x20);
	return 0;
}

/* A two-number range [lo, hi] within [min, max]. */
static int get_range(struct reader *r, const struct ynode *v,
		     const char *key, double min, double max, double *lo,
		     double *hi)
{
	if (v->type != YNODE_SEQUENCE || v->n != 2)
		return fail(r, v, "%s: expected a range [LOW, HIGH]", key);
	if (parse_number(r, v->items[0], key, min, max, lo) != 0 ||
	    parse_number(r, v->items[1], key, min, max, hi) != 0)
		return -1;
	if (*lo > *hi)
		return fail(r, v, "%s: the range's low end %g is above its "
			    "high end %g", key, *lo, *hi);
	return 0;
}

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
static int read_match(struct reader *r, const struct ynode *m,
		      struct model_pattern *p)
{
	static const char *const keys[] = {
		"!kind", "value", "suffix", "cidr", "glob", "period",
		"utc_offset", "asn", "country", NULL,
	};
	const char *kind;
	const struct ynode *which = NULL;
	if (check_keys(r, m, "match", keys) != 0 ||
	    get_text(r, m, "kind", &kind) != 0)
		return -1;
	p->kind = !strcmp(kind, "ip") ? MODEL_KIND_ANY_IP : obs_kind_parse(kind);
	if (p->kind == -1)
		return fail(r, ytree_get(m, "kind"), "kind: \"%s\" is not an "
			    "indicator kind (see `attrib indicators`; or ip)",
			    kind);
	for (int i = 0; i < 8; i++) {
		const struct ynode *v = ytree_get(m, model_match_name((enum model_match)i));
		if (!v)
			continue;
		if (which)
			return fail(r, v, "match: give exactly one of value, "
				    "suffix, cidr, glob, period, utc_offset, "
				    "asn, country");
		which = v;
		p->match = (enum model_match)i;
	}
	if (!which)
		return fail(r, m, "match: missing the matcher (one of value, "
			    "suffix, cidr, glob, period, utc_offset, asn, "
			    "country)");
	const char *key = model_match_name(p->match);
	if (p->match != MODEL_MATCH_PERIOD && p->match != MODEL_MATCH_UTC_OFFSET &&
	    (which->type != YNODE_SCALAR || !which->text[0]))
		return fail(r, which, "%s: expected a non-empty single value",
			    key);
	switch (p->match) {
	case MODEL_MATCH_EXACT:
	case MODEL_MATCH_GLOB:
		if (p->kind == OBS_BEACON || p->kind == OBS_ACTIVITY_HOURS)
			return fail(r, which, "%s: %s values are matched with "
				    "%s", key, kind,
				    p->kind == OBS_BEACON ? "period"
							  : "utc_offset");
		p->text = which->text;
		return 0;
	case MODEL_MATCH_SUFFIX:
		if (!kind_is_name(p->kind))
			return fail(r, which, "suffix: applies to dns.query, "
				    "dns.answer, tls.sni, http.host and "
				    "tls.cert.subject, not %s", kind);
		p->text = which->text[0] == '.' ? which->text + 1 : which->text;
		return 0;
	case MODEL_MATCH_CIDR:
		if (!kind_is_address(p->kind))
			return fail(r, which, "cidr: applies to ip, ip.src, "
				    "ip.dst and dns.answer, not %s", kind);
		if (!model_parse_cidr(which->text, p->addr, &p->family,
				      &p->prefix_len))
			return fail(r, which, "cidr: expected an address "
				    "prefix such as 203.0.113.0/24 or "
				    "2001:db8::/32, got \"%s\"", which->text);
		p->text = which->text;
		return 0;
	case MODEL_MATCH_PERIOD:
		if (p->kind != OBS_BEACON)
			return fail(r, which, "period: applies to kind beacon, "
				    "not %s", kind);
		return get_range(r, which, key, 0, 1e9, &p->lo, &p->hi);
	case MODEL_MATCH_UTC_OFFSET:
		if (p->kind != OBS_ACTIVITY_HOURS)
			return fail(r, which, "utc_offset: applies to kind "
				    "activity.hours, not %s", kind);
		return get_range(r, which, key, -12, 14, &p->lo, &p->hi);
	case MODEL_MATCH_ASN:
	case MODEL_MATCH_COUNTRY:
		if (!kind_is_address(p->kind))
			return fail(r, which, "%s: applies to ip, ip.src, "
				    "ip.dst and dns.answer, not %s", key, kind);
		if (!r->ms->n_prefixes && !r->ms->n_mmdb)
			return fail(r, which, "%s: needs a prefix table "
				    "(top-level key prefixes)", key);
		if (p->match == MODEL_MATCH_ASN) {
			double asn;
			if (parse_number(r, which, key, 0, 4294967295.0,
					 &asn) != 0)
				return -1;
			if (asn != floor(asn))
				return fail(r, which, "asn: expected a whole "
					    "number");
			p->asn = (uint32_t)asn;
		} else if (strlen(which->text) != 2 || which->text[0] < 'A' ||
			   which->text[0] > 'Z' || which->text[1] < 'A' ||
			   which->text[1] > 'Z') {
			return fail(r, which, "country: expected two upper-case "
				    "letters, got \"%s\"", which->text);
		}
		p->text = which->text;
		return 0;
	}
	return 0;
}

static int read_indicator(struct reader *r, struct model_hypothesis *h,
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
	if (check_keys(r, n, "indicator", keys) != 0 ||
	    get_id(r, n, (const char **)&p.id) != 0 ||
	    read_match(r, ytree_get(n, "match"), &p) != 0 ||
	    get_link(r, n, &p.link) != 0 ||
	    get_direction(r, n, &p.direction) != 0 ||
	    get_reliability(r, n, &p.reliability) != 0 ||
	    get_number(r, n, "specificity", 0, 1, &p.s, &p.s_override) != 0 ||
	    get_number(r, n, "forgeability", 0, 1, &p.f, &p.f_override) != 0 ||
	    get_bool(r, n, "location", &p.location) != 0 ||
	    get_text(r, n, "source", (const char **)&p.source) != 0 ||
	    get_text(r, n, "note", (const char **)&p.note) != 0)
		return -1;
	if (p.match == MODEL_MATCH_ASN || p.match == MODEL_MATCH_COUNTRY)
		p.location = true;
	char why[400];
	if (!model_pattern_admissible(&p, why, sizeof why))
		return fail(r, ytree_get(n, "link"), "%s", why);
	if (!p.source)
		p.source = r->default_source;
	origin_of(r, n, origin, sizeof origin);
	p.origin = origin;
	if (model_add_pattern(h, &p) != 0)
		return fail(r, n, "out of memory");
	return 0;
}

static void relative_path(const char *model, const char *name, char *out,
			  size_t n);

/* A feed: every entry of an intel file as evidence for h (feed_model.h). */
static int read_feed(struct reader *r, struct model_hypothesis *h,
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
	if (check_keys(r, n, "feed", keys) != 0 || get_id(r, n, &f.id) != 0 ||
	    get_text(r, n, "path", &path) != 0 ||
	    get_link(r, n, &f.link) != 0 ||
	    get_direction(r, n, &f.direction) != 0 ||
	    get_reliability(r, n, &f.reliability) != 0 ||
	    get_text(r, n, "source", &source) != 0)
		return -1;
	if (f.link != MODEL_L1 && f.link != MODEL_L2)
		return fail(r, ytree_get(n, "link"), "link: a feed is technical "
			    "evidence and speaks to L1 or L2 only, got %s",
			    model_link_name(f.link));
	relative_path(r->path, path, full, sizeof full);
	origin_of(r, n, origin, sizeof origin);
	f.path = full;
	f.source = source ? source : r->default_source;
	f.origin = origin;
	size_t added, unused;
	if (model_add_feed(h, &f, &added, &unused, err, sizeof err) != 0)
		return fail(r, ytree_get(n, "path"), "feed: %s", err);
	if (added == 0)
		return fail(r, ytree_get(n, "path"), "feed %s: no entry attrib "
			    "can compare with an observation (%zu not used)",
			    path, unused);
	return 0;
}

static int read_claim(struct reader *r, struct model_hypothesis *h,
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
	if (check_keys(r, n, "claim", keys) != 0 ||
	    get_id(r, n, (const char **)&c.id) != 0 ||
	    get_text(r, n, "type", &type) != 0)
		return -1;
	int t = model_claim_type_parse(type);
	if (t < 0)
		return fail(r, ytree_get(n, "type"), "type: expected one of "
			    "vendor-report, seized-logs, intelligence, "
			    "acknowledgement, other, geolocation, "
			    "registration, asn-country, got \"%s\"", type);
	c.type = (enum model_claim_type)t;
	if (get_link(r, n, &c.link) != 0 ||
	    get_direction(r, n, &c.direction) != 0 ||
	    get_reliability(r, n, &c.reliability) != 0 ||
	    get_number(r, n, "credibility", 1, 6, &cred, NULL) != 0 ||
	    get_number(r, n, "strength", 0, 1, &c.strength, NULL) != 0 ||
	    get_number(r, n, "forgeability", 0, 1, &c.f, &c.f_override) != 0 ||
	    get_bool(r, n, "location", &c.location) != 0 ||
	    get_text(r, n, "source", (const char **)&c.source) != 0 ||
	    get_text(r, n, "description", (const char **)&c.description) != 0)
		return -1;
	if (cred != floor(cred))
		return fail(r, ytree_get(n, "credibility"), "credibility: "
			    "expected an Admiralty rating 1 to 6");
	c.credibility = (int)cred;
	char why[400];
	if (!model_claim_admissible(&c, why, sizeof why))
		return fail(r, ytree_get(n, "link"), "%s", why);
	origin_of(r, n, origin, sizeof origin);
	c.origin = origin;
	if (model_add_claim(h, &c) != 0)
		return fail(r, n, "out of memory");
	return 0;
}

/* Calls fn for each item of the list under key (absent: nothing). */
static int each_item(struct reader *r, struct model_hypothesis *h,
		     const struct ynode *map, const char *key,
		     int (*fn)(struct reader *, struct model_hypothesis *,
			       const struct ynode *))
{
	const struct ynode *list = ytree_get(map, key);
	if (!list)
		return 0;
	if (list->type != YNODE_SEQUENCE)
		return fail(r, list, "%s: expected a list (lines starting with "
			    "\"- \"), got %s", key, ytree_type_name(list->type));
	for (size_t i = 0; i < list->n; i++)
		if (fn(r, h, list->items[i]) != 0)
			return -1;
	return 0;
}

static int read_hypothesis(struct reader *r, const struct ynode *n)
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
	if (check_keys(r, n, "hypothesis", keys) != 0 ||
	    get_id(r, n, &id) != 0 || get_text(r, n, "name", &name) != 0 ||
	    get_text(r, n, "type", &type_text) != 0 ||
	    get_number(r, n, "base_rate", 0, 1, &base_rate, &base_set) != 0)
		return -1;
	if (type_text && (type = model_hypothesis_type_parse(type_text)) < 0)
		return fail(r, ytree_get(n, "type"), "type: expected one of "
			    "actor, intrusion-set, unknown, false-flag, got "
			    "\"%s\"", type_text);
	struct model_hypothesis *h = model_hypothesis_find(r->ms, id);
	if (h && h->type != (enum model_hypothesis_type)type)
		return fail(r, n, "hypothesis \"%s\" was declared as %s at %s",
			    id, model_hypothesis_type_name(h->type),
			    h->origin);
	if (h && base_set && h->base_rate != base_rate)
		return fail(r, ytree_get(n, "base_rate"), "hypothesis \"%s\": "
			    "base_rate %g differs from %g given at %s", id,
			    base_rate, h->base_rate, h->origin);
	origin_of(r, n, origin, sizeof origin);
	h = model_hypothesis_get(r->ms, id, name, (enum model_hypothesis_type)type,
				 origin);
	if (!h)
		return fail(r, n, "out of memory");
	if (base_set)
		h->base_rate = base_rate;
	return each_item(r, h, n, "indicators", read_indicator) ||
		       each_item(r, h, n, "claims", read_claim) ||
		       each_item(r, h, n, "feeds", read_feed)
		       ? -1
		       : 0;
}

static int read_standard(struct reader *r, const struct ynode *n)
{
	static const char *const keys[] = {"!name", "!threshold", "strict",
					   NULL};
	const char *name;
	double thr;
	bool strict = false;
	if (check_keys(r, n, "standard", keys) != 0 ||
	    get_text(r, n, "name", &name) != 0 ||
	    get_number(r, n, "threshold", 0, 1, &thr, NULL) != 0 ||
	    get_bool(r, n, "strict", &strict) != 0)
		return -1;
	for (size_t i = 0; i < r->ms->n_standards; i++)
		if (!strcmp(r->ms->standards[i].name, name))
			return fail(r, n, "standard \"%s\" is given twice",
				    name);
	if (model_add_standard(r->ms, name, thr, strict) != 0)
		return fail(r, n, "out of memory");
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

static int read_top(struct reader *r, const struct ynode *root)
{
	static const char *const keys[] = {
		"!format", "!name", "description", "source", "deception",
		"prefixes", "standards", "!hypotheses", NULL,
	};
	const char *format, *name, *source, *prefixes;
	double delta;
	bool delta_set;
	if (check_keys(r, root, "the model", keys) != 0 ||
	    get_text(r, root, "format", &format) != 0 ||
	    get_text(r, root, "name", &name) != 0 ||
	    get_text(r, root, "source", &source) != 0 ||
	    get_text(r, root, "prefixes", &prefixes) != 0 ||
	    get_number(r, root, "deception", 0, 1, &delta, &delta_set) != 0)
		return -1;
	if (strcmp(format, "attrib-model-1") != 0)
		return fail(r, ytree_get(root, "format"), "format: expected "
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
			return fail(r, ytree_get(root, "deception"),
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
		return fail(r, std, "standards: expected a list");
	for (size_t i = 0; std && i < std->n; i++)
		if (read_standard(r, std->items[i]) != 0)
			return -1;
	const struct ynode *hyps = ytree_get(root, "hypotheses");
	if (hyps->type != YNODE_SEQUENCE || hyps->n == 0)
		return fail(r, hyps, "hypotheses: expected a non-empty list");
	for (size_t i = 0; i < hyps->n; i++)
		if (read_hypothesis(r, hyps->items[i]) != 0)
			return -1;
	return 0;
}

int model_load_yaml(struct model_set *ms, const char *path, char *err,
		    size_t errlen)
{
	struct reader r = {.ms = ms, .path = path, .err = err,
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
