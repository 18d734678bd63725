/*
 * misp.c — the MISP export (`attrib report --format misp`): one MISP
 * event, {"Event": {...}}, drawn from the report document like every
 * other format (docs/report-format.md, "MISP").
 *
 *   - one attribute per distinct indicator value the hypotheses' evidence
 *     matched, typed by MISP's attribute types, with its citations
 *     (observation, capture SHA-256, frame) in the comment, first/last
 *     seen, and tags: admiralty-scale source reliability and information
 *     credibility of the evidence that matched it, attrib's hypothesis,
 *     link and direction;
 *   - one attribute per value of the indicator tables (the most frequent
 *     values of each kind) not already there, with its first citation;
 *   - per named hypothesis and link with evidence, a threat-actor
 *     attribute (category Attribution) tagged with the estimative-language
 *     likelihood of the link's [Bel, Pl] phrase and the confidence.
 * The event uuid and every attribute uuid are version-5 UUIDs from the
 * case's chain head, so the same case at the same head gives the same
 * event.
 */
#include "analyze/report/report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/report/stix.h"

enum { MISP_COMMENT_MAX = 2000 };

/* attrib kinds and MISP's attribute type and category for them. */
static const struct {
	const char *kind, *type, *category;
} kind_types[] = {
	{"ip.src", "ip-src", "Network activity"},
	{"ip.dst", "ip-dst", "Network activity"},
	{"dns.query", "domain", "Network activity"},
	{"tls.sni", "hostname", "Network activity"},
	{"http.host", "hostname", "Network activity"},
	{"http.url", "url", "Network activity"},
	{"http.user_agent", "user-agent", "Network activity"},
	{"tls.ja3", "ja3-fingerprint-md5", "Network activity"},
	{"tls.ja3s", "ja3-fingerprint-md5", "Network activity"},
	{"ssh.hassh", "hassh-md5", "Network activity"},
	{"tls.cert.sha1", "x509-fingerprint-sha1", "Network activity"},
};

/* The MISP type of a kind's value (dns.answer: by its form); "text" for
 * kinds MISP has no type for. */
static const char *misp_type(const char *kind, const char *value,
			     const char **category)
{
	*category = "Network activity";
	if (!strcmp(kind, "dns.answer"))
		return strchr(value, ':') || strspn(value, "0123456789.") ==
							     strlen(value)
			       ? "ip-dst"
			       : "hostname";
	for (size_t i = 0; i < sizeof kind_types / sizeof kind_types[0]; i++)
		if (!strcmp(kind, kind_types[i].kind)) {
			*category = kind_types[i].category;
			return kind_types[i].type;
		}
	*category = "Other";
	return "text";
}

/*
 * The estimative-language likelihood for a link: the ICD 203 word of
 * its [Bel, Pl] phrase when that is one word; when the phrase spans two
 * ("between unlikely and likely"), the word of the projected probability
 * (the link's expectation, Bel + a·u), since a MISP tag holds one word;
 * NULL for "cannot judge" (Pl − Bel > 0.5), which no word expresses.
 */
static const char *likelihood_tag(const char *phrase, double expectation)
{
	static const struct {
		const char *phrase, *tag;
		double below; /* the ICD 203 band's upper end */
	} map[] = {
		{"almost no chance", "almost-no-chance", 0.05},
		{"very unlikely", "very-unlikely", 0.20},
		{"unlikely", "unlikely", 0.45},
		{"roughly even chance", "roughly-even-chance", 0.55},
		{"likely", "likely", 0.80},
		{"very likely", "very-likely", 0.95},
		{"almost certain", "almost-certain", 2.0},
	};
	enum { N = sizeof map / sizeof map[0] };
	if (!strcasecmp(phrase, "cannot judge") || !phrase[0])
		return NULL;
	for (size_t i = 0; i < N; i++)
		if (!strcasecmp(phrase, map[i].phrase))
			return map[i].tag;
	if (isnan(expectation))
		return NULL;
	for (size_t i = 0; i < N; i++)
		if (expectation < map[i].below ||
		    (i == 3 && expectation <= map[i].below))
			return map[i].tag;
	return NULL;
}

struct misp {
	json_t *attrs;    /* the Attribute array */
	json_t *index;    /* "type\x1fvalue" -> its attribute (borrowed) */
	char head[65];
	const json_t *doc;
};

static int add_tag(json_t *attr, const char *name)
{
	json_t *tags = rj_arr(attr, "Tag");
	size_t i;
	json_t *t;
	json_array_foreach(tags, i, t)
		if (!strcmp(rj_str(t, "name"), name))
			return 0;
	return json_array_append_new(tags, json_pack("{s:s}", "name", name));
}

/* Appends text to the attribute's comment ("; " between), capped. */
static int add_comment(json_t *attr, const char *text)
{
	const char *old = rj_str(attr, "comment");
	size_t n = strlen(old);
	if (n >= MISP_COMMENT_MAX)
		return 0;
	char *buf = malloc(n + strlen(text) + 3);
	if (!buf)
		return -1;
	sprintf(buf, "%s%s%s", old, n ? "; " : "", text);
	if (strlen(buf) > MISP_COMMENT_MAX)
		strcpy(buf + MISP_COMMENT_MAX - 3, "...");
	int rc = rj_set(attr, "comment", rj_text(buf));
	free(buf);
	return rc;
}

/* The attribute of (type, value), made when absent. */
static json_t *attribute(struct misp *m, const char *kind, const char *value)
{
	const char *category, *type = misp_type(kind, value, &category);
	char *key = malloc(strlen(type) + strlen(value) + 2);
	if (!key)
		return NULL;
	sprintf(key, "%s\x1f%s", type, value);
	json_t *a = json_object_get(m->index, key);
	if (a) {
		free(key);
		return a;
	}
	char id[96];
	if (!stix_sdo_id(m->head, "misp-attribute", key, id, sizeof id)) {
		free(key);
		return NULL;
	}
	a = json_pack("{s:s, s:s, s:s, s:o, s:b, s:s, s:s, s:[]}", "uuid",
		      id + strlen("misp-attribute--"), "type", type, "category",
		      category, "value", rj_text(value), "to_ids", 0,
		      "distribution", "5", "comment", "", "Tag");
	if (!a || json_object_set_new(m->index, key, json_incref(a)) != 0 ||
	    json_array_append_new(m->attrs, a) != 0)
		a = NULL;
	free(key);
	if (a && !strcmp(type, "text")) {
		char tag[96];
		snprintf(tag, sizeof tag, "attrib:kind=\"%.64s\"", kind);
		add_tag(a, tag);
	}
	return a;
}

/* Sets first_seen/last_seen of attr to include time ts (ISO). */
static void seen(json_t *attr, const char *ts)
{
	if (!ts || !ts[0])
		return;
	const char *first = rj_str(attr, "first_seen");
	const char *last = rj_str(attr, "last_seen");
	if (!first[0] || strcmp(ts, first) < 0)
		rj_set(attr, "first_seen", json_string(ts));
	if (!last[0] || strcmp(ts, last) > 0)
		rj_set(attr, "last_seen", json_string(ts));
}

static int cite_comment(json_t *attr, const json_t *c)
{
	char text[200];
	snprintf(text, sizeof text, "observation %lld: frame %lld of sha256 %s",
		 (long long)rj_int(c, "observation", 0),
		 (long long)rj_int(c, "frame", 0), rj_str(c, "source_sha256"));
	return add_comment(attr, text);
}

/* Attributes for one evidence item of hypothesis h. */
static int evidence_attrs(struct misp *m, const json_t *h, const json_t *e)
{
	if (strcmp(rj_str(e, "item_type"), "indicator") != 0)
		return 0;
	size_t i;
	json_t *c;
	json_array_foreach(rj_arr(e, "cited"), i, c) {
		json_t *a = attribute(m, rj_str(c, "kind"), rj_str(c, "value"));
		if (!a)
			return -1;
		char tag[160], text[300];
		const char *rel = rj_str(e, "reliability");
		if (rel[0] >= 'A' && rel[0] <= 'F') {
			snprintf(tag, sizeof tag,
				 "admiralty-scale:source-reliability=\"%c\"",
				 rel[0] - 'A' + 'a');
			add_tag(a, tag);
		}
		int64_t cred = rj_int(e, "credibility", 0);
		if (cred >= 1 && cred <= 6) {
			snprintf(tag, sizeof tag,
				 "admiralty-scale:information-credibility=\"%d\"",
				 (int)cred);
			add_tag(a, tag);
		}
		snprintf(tag, sizeof tag, "attrib:hypothesis=\"%.100s\"",
			 rj_str(h, "id"));
		add_tag(a, tag);
		snprintf(tag, sizeof tag, "attrib:link=\"%.8s\"", rj_str(e, "link"));
		add_tag(a, tag);
		snprintf(text, sizeof text, "%.100s %s %.100s on %s (%s)",
			 rj_str(e, "id"), rj_str(e, "direction"), rj_str(h, "id"),
			 rj_str(e, "link"), rj_str(c, "kind"));
		seen(a, rj_str(c, "ts"));
		if (add_comment(a, text) != 0 || cite_comment(a, c) != 0)
			return -1;
	}
	return 0;
}

/* A threat-actor attribute per link of h with evidence. */
static int hypothesis_attrs(struct misp *m, const json_t *h)
{
	if (rj_bool(h, "implicit"))
		return 0;
	const json_t *links = rj_obj(h, "links");
	for (int l = 0; l < REPORT_LINKS; l++) {
		const char *ln = report_link_names[l];
		const json_t *lk = rj_obj(links, ln);
		bool any = false;
		size_t i;
		json_t *e;
		json_array_foreach(rj_arr(h, "evidence"), i, e)
			any |= !strcmp(rj_str(e, "link"), ln);
		if (!lk || !any)
			continue;
		char key[300], id[96], comment[400];
		snprintf(key, sizeof key, "actor\x1f%s\x1f%s", rj_str(h, "id"), ln);
		if (!stix_sdo_id(m->head, "misp-attribute", key, id, sizeof id))
			return -1;
		char bel[16], pl[16];
		report_fmt_prob(rj_unit(lk, "belief"), bel);
		report_fmt_prob(rj_unit(lk, "plausibility"), pl);
		snprintf(comment, sizeof comment,
			 "%s (%s): %s that %s; belief %s, plausibility %s, "
			 "confidence %s",
			 ln, report_link_title(ln), rj_str(lk, "phrase"),
			 rj_str(h, "name"), bel, pl, rj_str(lk, "confidence"));
		json_t *a = json_pack("{s:s, s:s, s:s, s:o, s:b, s:s, s:o, s:[]}",
				      "uuid", id + strlen("misp-attribute--"),
				      "type", "threat-actor", "category",
				      "Attribution", "value",
				      rj_text(rj_str(h, "name")), "to_ids", 0,
				      "distribution", "5", "comment",
				      rj_text(comment), "Tag");
		if (!a || json_array_append_new(m->attrs, a) != 0)
			return -1;
		char tag[160];
		const char *lt = likelihood_tag(rj_str(lk, "phrase"),
						rj_num(lk, "expectation", NAN));
		if (lt) {
			snprintf(tag, sizeof tag, "estimative-language:"
				 "likelihood-probability=\"%s\"", lt);
			add_tag(a, tag);
		}
		const char *conf = rj_str(lk, "confidence");
		if (!strcmp(conf, "low") || !strcmp(conf, "moderate") ||
		    !strcmp(conf, "high")) {
			snprintf(tag, sizeof tag, "estimative-language:"
				 "confidence-in-analytic-judgment=\"%s\"", conf);
			add_tag(a, tag);
		}
		snprintf(tag, sizeof tag, "attrib:hypothesis=\"%.100s\"",
			 rj_str(h, "id"));
		add_tag(a, tag);
		snprintf(tag, sizeof tag, "attrib:link=\"%s\"", ln);
		add_tag(a, tag);
	}
	return 0;
}

/* The values of the indicator tables, with their first citation. */
static int table_attrs(struct misp *m)
{
	size_t i, j;
	json_t *k, *t;
	json_array_foreach(rj_arr(rj_obj(m->doc, "indicators"), "kinds"), i, k) {
		const char *kind = rj_str(k, "kind");
		const char *category;
		misp_type(kind, "", &category);
		if (!strcmp(category, "Other"))
			continue; /* ndpi.*, behaviour, anomalies: not IOCs */
		json_array_foreach(rj_arr(k, "top"), j, t) {
			json_t *a = attribute(m, kind, rj_str(t, "value"));
			if (!a)
				return -1;
			seen(a, rj_str(t, "first_seen"));
			seen(a, rj_str(t, "last_seen"));
			if (!rj_str(a, "comment")[0]) {
				char text[160];
				snprintf(text, sizeof text, "%s, %lld observations",
					 kind, (long long)rj_int(t, "count", 0));
				if (add_comment(a, text) != 0 ||
				    cite_comment(a, rj_obj(t, "cite")) != 0)
					return -1;
			}
		}
	}
	return 0;
}

int report_write_misp(const json_t *doc, FILE *out, char *err, size_t errlen)
{
	struct misp m = {.attrs = json_array(), .index = json_object(), .doc = doc};
	json_t *ev = NULL;
	int rc = -1;
	const char *head = rj_str(rj_obj(doc, "verification"), "head_hash");
	snprintf(m.head, sizeof m.head, "%s", head[0] ? head : "unverified");
	if (!m.attrs || !m.index)
		goto oom;
	size_t i;
	json_t *h;
	json_array_foreach(rj_arr(doc, "hypotheses"), i, h) {
		size_t j;
		json_t *e;
		json_array_foreach(rj_arr(h, "evidence"), j, e)
			if (evidence_attrs(&m, h, e) != 0)
				goto oom;
	}
	if (table_attrs(&m) != 0)
		goto oom;
	json_array_foreach(rj_arr(doc, "hypotheses"), i, h)
		if (hypothesis_attrs(&m, h) != 0)
			goto oom;
	const char *time = rj_str(rj_obj(doc, "report"), "time");
	int64_t us = report_parse_time(time);
	char date[16], ts[32], id[96], info[600];
	snprintf(date, sizeof date, "%.10s", time[0] ? time : "1970-01-01");
	snprintf(ts, sizeof ts, "%lld", (long long)(us / 1000000));
	if (!stix_sdo_id(m.head, "misp-event", "event", id, sizeof id))
		goto oom;
	const json_t *lead = rj_arr(rj_obj(doc, "summary"), "lead");
	snprintf(info, sizeof info, "attrib: %.200s: %.380s",
		 rj_str(rj_obj(doc, "case"), "path"),
		 json_string_value(json_array_get(lead, 0))
			 ? json_string_value(json_array_get(lead, 0))
			 : "case report");
	ev = json_pack("{s:{s:s, s:o, s:s, s:s, s:b, s:s, s:s, s:s, s:[{s:s}], "
		       "s:O}}",
		       "Event", "uuid", id + strlen("misp-event--"), "info",
		       rj_text(info), "date", date, "timestamp", ts,
		       "published", 0, "analysis", "2", "threat_level_id", "4",
		       "distribution", "0", "Tag", "name", "attrib:report",
		       "Attribute", m.attrs);
	if (!ev)
		goto oom;
	if (json_dumpf(ev, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
					JSON_ENSURE_ASCII) != 0 ||
	    fputc('\n', out) == EOF) {
		snprintf(err, errlen, "cannot write the report");
		goto done;
	}
	rc = 0;
	goto done;
oom:
	snprintf(err, errlen, "MISP: out of memory");
done:
	json_decref(ev);
	json_decref(m.attrs);
	json_decref(m.index);
	return rc;
}
