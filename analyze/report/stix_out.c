/*
 * stix_out.c — the STIX 2.1 export: one bundle holding
 *   - an identity for attrib (created_by_ref of everything it makes);
 *   - a campaign, the activity observed in the case;
 *   - per named hypothesis a threat-actor (type actor) or intrusion-set,
 *     and an `attributed-to` relationship from the campaign to it whose
 *     `confidence` is 100 × the belief that the activity is the actor's
 *     (L1 · L2: packet → infrastructure → operator);
 *   - per matched indicator value an indicator (STIX pattern), the
 *     observed-data with its cyber-observable, `based-on` from indicator
 *     to observed-data, and `indicates` (or `related-to` when the
 *     evidence contradicts the hypothesis) to the actor, with the
 *     confidence of that piece of evidence (100 × its discounted belief);
 *   - a note with the uncertainty and the legal gap.
 *
 * Identifiers are version-5 UUIDs: cyber-observables from their
 * id-contributing properties in the STIX namespace, as STIX 2.1 asks;
 * everything else from the case's chain head and the object's key, so
 * the same case at the same head gives the same bundle (STIX suggests
 * version 4 for those; reproducibility matters more here). A hypothesis
 * whose id already is a STIX id (a model read from STIX) keeps it.
 * Values go into patterns as quoted literals with ' and \ escaped.
 * attrib-specific facts are custom properties prefixed x_attrib_.
 */
#include "analyze/report/report_internal.h"

#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/report/stix.h"

struct stix {
	json_t *objects;
	json_t *seen;           /* id -> true, to add each object once */
	char head[65];          /* the case's chain head: the id namespace */
	char created[40];       /* the report time, STIX timestamp */
	char identity[64];
	char err[200];
	const json_t *doc;      /* the report document */
};

/* Adds obj (stealing it) unless an object with its id is there. */
static int add(struct stix *x, json_t *obj)
{
	const char *id = rj_str(obj, "id");
	if (!obj || !id[0])
		return -1;
	if (json_object_get(x->seen, id)) {
		json_decref(obj);
		return 0;
	}
	if (json_object_set_new(x->seen, id, json_true()) != 0 ||
	    json_array_append_new(x->objects, obj) != 0)
		return -1;
	return 0;
}

/* The common properties of an SDO or SRO. */
static json_t *sdo(const struct stix *x, const char *type, const char *id)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", type,
			 "spec_version", "2.1", "id", id, "created", x->created,
			 "modified", x->created, "created_by_ref", x->identity);
}

/* 0..100 from a belief. */
static int confidence(double b)
{
	return (int)floor(unit_clamp(b) * 100 + 0.5 + 1e-9);
}

/* The extension-definition of STIX_FINGERPRINT_TYPE (added once); its
 * id into id. The id is fixed (a version-5 UUID of the type's name), so
 * every attrib bundle names the same definition. */
static int add_fingerprint_extension(struct stix *x, char *id, size_t n)
{
	if (!stix_uuid5(stix_ns, "extension-definition",
			"attrib:" STIX_FINGERPRINT_TYPE ":1", id, n))
		return -1;
	json_t *o = sdo(x, "extension-definition", id);
	if (!o || rj_set(o, "name", json_string("attrib fingerprint")) ||
	    rj_set(o, "description",
		   json_string("TLS and SSH client and server fingerprints "
			       "as attrib observes them: ja3 and ja3s (MD5, "
			       "Salesforce JA3), ja4 (FoxIO JA4, TLS client), "
			       "hassh (MD5, Salesforce HASSH and "
			       "HASSHServer).")) ||
	    rj_set(o, "schema",
		   json_string("https://attrib.invalid/docs/report-format.md#stix")) ||
	    rj_set(o, "version", json_string("1.0")) ||
	    rj_set(o, "extension_types", json_pack("[s]", "new-sco"))) {
		json_decref(o);
		return -1;
	}
	return add(x, o);
}

/* The MaxMind annotation (`attrib report --asn/--geoip`) the document
 * holds for an address, on a cited observation or an indicator table
 * value; NULL when none. */
static const json_t *geo_of(const json_t *doc, const char *addr)
{
	size_t i, j, k;
	json_t *h, *e, *c;
	json_array_foreach(rj_arr(doc, "hypotheses"), i, h)
		json_array_foreach(rj_arr(h, "evidence"), j, e)
			json_array_foreach(rj_arr(e, "cited"), k, c)
				if (rj_obj(c, "geo") &&
				    !strcmp(rj_str(c, "value"), addr))
					return rj_obj(c, "geo");
	json_array_foreach(rj_arr(rj_obj(doc, "indicators"), "kinds"), i, e)
		json_array_foreach(rj_arr(e, "top"), j, c)
			if (rj_obj(c, "geo") && !strcmp(rj_str(c, "value"), addr))
				return rj_obj(c, "geo");
	return NULL;
}

/* An address SCO's ASN as an autonomous-system object it belongs to
 * (belongs_to_refs) and its country as x_attrib_country. 0 or -1. */
static int add_geo(struct stix *x, json_t *sco, const char *addr)
{
	const json_t *geo = geo_of(x->doc, addr);
	if (!geo)
		return 0;
	int64_t asn = rj_int(geo, "asn", 0);
	if (asn > 0) {
		char canon[48], id[96];
		snprintf(canon, sizeof canon, "{\"number\":%lld}", (long long)asn);
		if (!stix_uuid5(stix_ns, "autonomous-system", canon, id,
				sizeof id))
			return -1;
		json_t *as = json_pack("{s:s, s:s, s:s, s:I}", "type",
				       "autonomous-system", "spec_version",
				       "2.1", "id", id, "number",
				       (json_int_t)asn);
		if (!as || (rj_str(geo, "as_org")[0] &&
			    rj_set(as, "name", rj_text(rj_str(geo, "as_org")))) ||
		    add(x, as) != 0 ||
		    rj_set(sco, "belongs_to_refs", json_pack("[s]", id)))
			return -1;
	}
	if (rj_str(geo, "country")[0] &&
	    rj_set(sco, "x_attrib_country", rj_text(rj_str(geo, "country"))))
		return -1;
	return 0;
}

/* The SCO itself; its id from the canonical (sorted, compact) JSON of
 * its id-contributing properties. */
static int add_observable(struct stix *x, const struct stix_observable *o,
			  char *id, size_t n)
{
	char *canon = json_dumps(o->props, JSON_COMPACT | JSON_SORT_KEYS);
	if (!canon || !stix_uuid5(stix_ns, o->type, canon, id, n)) {
		free(canon);
		return -1;
	}
	free(canon);
	json_t *sco = json_deep_copy(o->props);
	if (!sco || rj_set(sco, "type", json_string(o->type)) ||
	    rj_set(sco, "spec_version", json_string("2.1")) ||
	    rj_set(sco, "id", json_string(id))) {
		json_decref(sco);
		return -1;
	}
	if ((!strcmp(o->type, "ipv4-addr") || !strcmp(o->type, "ipv6-addr")) &&
	    add_geo(x, sco, rj_str(o->props, "value")) != 0) {
		json_decref(sco);
		return -1;
	}
	if (!strcmp(o->type, STIX_FINGERPRINT_TYPE)) {
		char ext[96];
		if (add_fingerprint_extension(x, ext, sizeof ext) != 0 ||
		    rj_set(sco, "extensions",
			   json_pack("{s:{s:s}}", ext, "extension_type",
				     "new-sco"))) {
			json_decref(sco);
			return -1;
		}
	}
	return add(x, sco);
}

/* ---- actors, evidence, note ---- */

static bool named(const json_t *h)
{
	const char *t = rj_str(h, "type");
	return !strcmp(t, "actor") || !strcmp(t, "intrusion-set");
}

/* The actor object of a named hypothesis; its id into id. */
static int add_actor(struct stix *x, const json_t *h, char *id, size_t n)
{
	const char *type = !strcmp(rj_str(h, "type"), "intrusion-set")
				   ? "intrusion-set"
				   : "threat-actor";
	const char *hid = rj_str(h, "id");
	if (stix_is_id(hid, type))
		snprintf(id, n, "%s", hid);
	else if (!stix_sdo_id(x->head, type, hid, id, n))
		return -1;
	json_t *o = sdo(x, type, id);
	char desc[400];
	snprintf(desc, sizeof desc,
		 "Attribution hypothesis %.200s of an attrib model, scored "
		 "against the evidence of one case.", hid);
	if (!o || rj_set(o, "name", rj_text(rj_str(h, "name")[0]
						    ? rj_str(h, "name") : hid)) ||
	    rj_set(o, "description", rj_text(desc)) ||
	    rj_set(o, "x_attrib_hypothesis", rj_text(hid))) {
		json_decref(o);
		return -1;
	}
	return add(x, o);
}

static int add_relationship(struct stix *x, const char *type,
			    const char *src, const char *dst, int conf,
			    const char *desc, json_t **out)
{
	char id[96], key[400];
	snprintf(key, sizeof key, "rel:%s:%s:%s", type, src, dst);
	if (!stix_sdo_id(x->head, "relationship", key, id, sizeof id))
		return -1;
	json_t *r = sdo(x, "relationship", id);
	if (!r || rj_set(r, "relationship_type", json_string(type)) ||
	    rj_set(r, "source_ref", json_string(src)) ||
	    rj_set(r, "target_ref", json_string(dst)) ||
	    (conf >= 0 && rj_set(r, "confidence", json_integer(conf))) ||
	    (desc && rj_set(r, "description", rj_text(desc)))) {
		json_decref(r);
		return -1;
	}
	if (out)
		*out = r;
	return add(x, r);
}

/* Earliest and latest "ts" of an item's cited observations. */
static void cited_span(const json_t *e, const char **first, const char **last)
{
	size_t i;
	json_t *c;
	*first = *last = NULL;
	json_array_foreach(rj_arr(e, "cited"), i, c) {
		const char *ts = rj_str_or_null(c, "ts");
		if (!ts || !report_parse_time(ts))
			continue;
		if (!*first || strcmp(ts, *first) < 0)
			*first = ts;
		if (!*last || strcmp(ts, *last) > 0)
			*last = ts;
	}
}

/* A STIX timestamp from an attrib one ("...Z", micro- or no seconds). */
static json_t *stix_time(const char *ts)
{
	int64_t us = report_parse_time(ts);
	char t[32];
	report_fmt_time(us, t);
	size_t n = strlen(t);
	if (n > 1)
		snprintf(t + n - 1, sizeof t - (n - 1), ".%03dZ",
			 (int)(us % 1000000 / 1000));
	return json_string(t);
}

/* One evidence item of hypothesis h (actor id): observed-data, its
 * observables, one indicator per value and the relationships. */
static int add_item(struct stix *x, const json_t *h, const json_t *e,
		    const char *actor)
{
	const char *kind = rj_str(e, "kind"), *first, *last;
	const json_t *values = rj_arr(e, "values");
	if (strcmp(rj_str(e, "item_type"), "indicator") != 0 ||
	    rj_int(e, "matches", 0) <= 0 || !json_array_size(values))
		return 0;
	char od_id[96], key[600], ind_id[96], sco_id[128];
	cited_span(e, &first, &last);
	json_t *refs = json_array(), *od = NULL;
	if (!refs)
		return -1;
	if (first) {
		snprintf(key, sizeof key, "observed:%s:%s", rj_str(h, "id"),
			 rj_str(e, "id"));
		if (!stix_sdo_id(x->head, "observed-data", key, od_id, sizeof od_id))
			goto fail;
		od = sdo(x, "observed-data", od_id);
	}
	size_t i;
	json_t *v;
	json_array_foreach(values, i, v) {
		const char *value = json_is_string(v) ? json_string_value(v) : "";
		struct stix_observable o;
		if (stix_observable_of(kind, value, &o) != 0)
			goto fail;
		int rc = add_observable(x, &o, sco_id, sizeof sco_id);
		char *pat = rc == 0 ? stix_pattern_of(&o, kind, value) : NULL;
		json_decref(o.props);
		if (!pat)
			goto fail;
		json_array_append_new(refs, json_string(sco_id));
		snprintf(key, sizeof key, "indicator:%.500s", pat);
		json_t *ind = stix_sdo_id(x->head, "indicator", key, ind_id, sizeof ind_id)
				      ? sdo(x, "indicator", ind_id) : NULL;
		char name[300];
		snprintf(name, sizeof name, "%s %.250s", kind, value);
		if (!ind || rj_set(ind, "name", rj_text(name)) ||
		    rj_set(ind, "pattern", rj_text(pat)) ||
		    rj_set(ind, "pattern_type", json_string("stix")) ||
		    rj_set(ind, "valid_from", first ? stix_time(first)
						    : json_string(x->created)) ||
		    add(x, ind) != 0) {
			free(pat);
			goto fail;
		}
		free(pat);
		bool supports = !strcmp(rj_str(e, "direction"), "supports");
		char desc[300];
		snprintf(desc, sizeof desc, "%s %s on %s (evidence %.100s, "
			 "forgeability %.2f)", supports ? "supports" : "contradicts",
			 rj_str(h, "id"), rj_str(e, "link"), rj_str(e, "id"),
			 rj_unit(e, "forgeability"));
		double b = rj_unit(rj_obj(e, "opinion"), supports ? "belief"
								  : "disbelief");
		if (add_relationship(x, supports ? "indicates" : "related-to",
				     ind_id, actor, confidence(b), desc, NULL) ||
		    (od && add_relationship(x, "based-on", ind_id, od_id, -1,
					    NULL, NULL)))
			goto fail;
	}
	if (od) {
		json_t *cites = json_array();
		size_t k;
		json_t *c;
		json_array_foreach(rj_arr(e, "cited"), k, c)
			json_array_append_new(cites, json_pack(
				"{s:I, s:s, s:I}", "observation",
				(json_int_t)rj_int(c, "observation", 0),
				"source_sha256", rj_str(c, "source_sha256"),
				"frame", (json_int_t)rj_int(c, "frame", 0)));
		if (rj_set(od, "first_observed", stix_time(first)) ||
		    rj_set(od, "last_observed", stix_time(last)) ||
		    rj_set(od, "number_observed",
			   json_integer((json_int_t)rj_int(e, "matches", 1))) ||
		    rj_set(od, "object_refs", refs) ||
		    rj_set(od, "x_attrib_citations", cites)) {
			json_decref(od);
			return -1;
		}
		return add(x, od);
	}
	json_decref(refs);
	return 0;
fail:
	json_decref(refs);
	json_decref(od);
	if (!x->err[0])
		snprintf(x->err, sizeof x->err, "out of memory");
	return -1;
}

/* Appends a formatted line to a growing note text. */
static void note_add(char **text, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note_add(char **text, size_t *len, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || !*text)
		return;
	size_t add_len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
	char *p = realloc(*text, *len + add_len + 1);
	if (!p) {
		free(*text);
		*text = NULL;
		return;
	}
	memcpy(p + *len, buf, add_len + 1);
	*text = p;
	*len += add_len;
}

/* The note's text: the uncertainty per hypothesis and the legal gap. */
static char *note_text(const json_t *doc)
{
	size_t len = 0, i, j;
	char *t = calloc(1, 1);
	json_t *h, *s;
	note_add(&t, &len, "Uncertainty and the legal gap (attrib report, "
		 "case %s).\n", rj_str(rj_obj(doc, "case"), "path"));
	json_array_foreach(rj_arr(rj_obj(doc, "summary"), "lead"), i, s)
		note_add(&t, &len, "%s\n", json_string_value(s) ?
					   json_string_value(s) : "");
	json_array_foreach(rj_arr(doc, "hypotheses"), i, h) {
		note_add(&t, &len, "\n%s (%s):", rj_str(h, "name"),
			 rj_str(h, "id"));
		for (int k = 0; k < REPORT_LINKS; k++) {
			const json_t *l = rj_obj(rj_obj(h, "links"),
						 report_link_names[k]);
			note_add(&t, &len, " %s [%.2f, %.2f] %s;",
				 report_link_names[k], rj_unit(l, "belief"),
				 rj_unit(l, "plausibility"), rj_str(l, "phrase"));
		}
		const json_t *joint = rj_obj(rj_obj(h, "chain"), "joint");
		note_add(&t, &len, " state chain belief %.2f, plausibility %.2f.",
			 rj_unit(joint, "belief"), rj_unit(joint, "plausibility"));
		json_array_foreach(rj_arr(h, "standards"), j, s)
			note_add(&t, &len, " %s (%.2f): %s, gap %.2f, %s.",
				 rj_str(s, "name"), rj_unit(s, "threshold"),
				 rj_bool(s, "met") ? "met" : "not met",
				 rj_unit(s, "gap"),
				 rj_bool(s, "reachable") ? "reachable"
							 : "out of reach");
	}
	note_add(&t, &len, "\nWhat the packets cannot show:");
	json_array_foreach(rj_arr(doc, "limits"), i, s)
		note_add(&t, &len, " %s: %s", rj_str(s, "title"),
			 rj_str(s, "text"));
	return t;
}

static int build(struct stix *x, const json_t *doc)
{
	const json_t *cs = rj_obj(doc, "case");
	json_t *o, *note_refs = json_array();
	char campaign[96], id[96];
	if (!note_refs)
		return -1;
	/* attrib itself */
	if (!stix_uuid5(stix_ns, "identity", "attrib", x->identity,
		   sizeof x->identity))
		goto fail;
	o = sdo(x, "identity", x->identity);
	json_object_del(o, "created_by_ref");
	if (!o || rj_set(o, "name", json_string("attrib")) ||
	    rj_set(o, "identity_class", json_string("system")) ||
	    rj_set(o, "description",
		   json_string("Network evidence and attribution scoring")) ||
	    add(x, o))
		goto fail;
	/* the activity observed */
	if (!stix_sdo_id(x->head, "campaign", "observed-activity", campaign,
		    sizeof campaign) ||
	    !(o = sdo(x, "campaign", campaign)))
		goto fail;
	char name[300];
	snprintf(name, sizeof name, "Activity observed in case %.250s",
		 rj_str(cs, "path"));
	if (rj_set(o, "name", rj_text(name)) ||
	    (rj_str(cs, "first_packet")[0] &&
	     (rj_set(o, "first_seen", stix_time(rj_str(cs, "first_packet"))) ||
	      rj_set(o, "last_seen", stix_time(rj_str(cs, "last_packet"))))) ||
	    add(x, o) || json_array_append_new(note_refs, json_string(campaign)))
		goto fail;
	size_t i, j;
	json_t *h, *e;
	json_array_foreach(rj_arr(doc, "hypotheses"), i, h) {
		if (!named(h))
			continue;
		if (add_actor(x, h, id, sizeof id))
			goto fail;
		const json_t *links = rj_obj(h, "links");
		double b1 = rj_unit(rj_obj(links, "L1"), "belief");
		double b2 = rj_unit(rj_obj(links, "L2"), "belief");
		const json_t *joint = rj_obj(rj_obj(h, "chain"), "joint");
		char desc[600];
		snprintf(desc, sizeof desc,
			 "Belief that the activity is this actor's (L1 packet → "
			 "infrastructure × L2 infrastructure → operator): %.3f. "
			 "Belief along the whole chain to a state (L1·L2·L3·L4): "
			 "%.3f, plausibility %.3f. Confidence is 100 × belief; "
			 "what the evidence leaves open is not counted.",
			 b1 * b2, rj_unit(joint, "belief"),
			 rj_unit(joint, "plausibility"));
		json_t *rel = NULL;
		if (add_relationship(x, "attributed-to", campaign, id,
				     confidence(b1 * b2), desc, &rel))
			goto fail;
		json_t *chain = json_pack(
			"{s:f, s:f, s:f, s:f}", "operator_belief", b1 * b2,
			"state_belief", rj_unit(joint, "belief"),
			"state_plausibility", rj_unit(joint, "plausibility"),
			"l4_belief", rj_unit(rj_obj(links, "L4"), "belief"));
		if (rj_set(rel, "x_attrib_chain", chain) ||
		    json_array_append_new(note_refs, json_string(id)) ||
		    json_array_append_new(note_refs,
					  json_string(rj_str(rel, "id"))))
			goto fail;
		json_array_foreach(rj_arr(h, "evidence"), j, e)
			if (add_item(x, h, e, id))
				goto fail;
	}
	char *text = note_text(doc);
	if (!text || !stix_sdo_id(x->head, "note", "uncertainty", id, sizeof id) ||
	    !(o = sdo(x, "note", id))) {
		free(text);
		goto fail;
	}
	json_t *content = rj_text(text);
	free(text);
	if (rj_set(o, "abstract", json_string("Uncertainty and the legal gap")) ||
	    rj_set(o, "content", content) ||
	    rj_set(o, "authors", json_pack("[s]", "attrib")) ||
	    rj_set(o, "object_refs", note_refs) || add(x, o))
		return -1;
	return 0;
fail:
	json_decref(note_refs);
	return -1;
}

int report_write_stix(const json_t *doc, FILE *out, char *err, size_t errlen)
{
	struct stix x = {.objects = json_array(), .seen = json_object(),
			 .doc = doc};
	const json_t *v = rj_obj(doc, "verification");
	const char *head = rj_str(v, "head_hash");
	snprintf(x.head, sizeof x.head, "%s", head[0] ? head : "unverified");
	json_t *t = stix_time(rj_str(rj_obj(doc, "report"), "time"));
	snprintf(x.created, sizeof x.created, "%s",
		 json_string_value(t) ? json_string_value(t) : "");
	json_decref(t);
	char bundle_id[96];
	int rc = -1;
	if (!x.objects || !x.seen || build(&x, doc) != 0 ||
	    !stix_sdo_id(x.head, "bundle", x.created, bundle_id, sizeof bundle_id)) {
		snprintf(err, errlen, "STIX: %s", x.err[0] ? x.err
							   : "out of memory");
		goto done;
	}
	json_t *bundle = json_pack("{s:s, s:s, s:O}", "type", "bundle", "id",
				   bundle_id, "objects", x.objects);
	if (bundle &&
	    json_dumpf(bundle, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
					    JSON_ENSURE_ASCII) == 0 &&
	    fputc('\n', out) != EOF)
		rc = 0;
	json_decref(bundle);
done:
	json_decref(x.objects);
	json_decref(x.seen);
	return rc;
}
