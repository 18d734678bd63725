/*
 * geo.c — MaxMind enrichment in the CLI (geo.h).
 */
#include "cli/geo.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyze/evidence/store.h"
#include "cli/cli.h"
#include "cli/out.h"

static const char *const roles[2] = {"asn", "geoip"};

bool cli_geo_option(struct cli_geo *g, int c, const char *arg)
{
	if (c != 'A' && c != 'G')
		return false;
	g->path[c == 'G'] = arg;
	return true;
}

int cli_geo_open(struct cli_geo *g)
{
	for (int i = 0; i < 2; i++) {
		char err[1024];
		if (!g->path[i] || g->db[i])
			continue;
		if (!(g->db[i] = geo_db_open(g->path[i], err, sizeof err))) {
			cli_error("--%s: %s", roles[i], err);
			cli_geo_close(g);
			return -1;
		}
	}
	return 0;
}

bool cli_geo_active(const struct cli_geo *g)
{
	return g->db[0] || g->db[1];
}

void cli_geo_close(struct cli_geo *g)
{
	for (int i = 0; i < 2; i++) {
		geo_db_close(g->db[i]);
		g->db[i] = NULL;
	}
}

static bool lookup(const struct cli_geo *g, const char *addr,
		   struct geo_info *gi)
{
	memset(gi, 0, sizeof *gi);
	for (int i = 0; i < 2; i++)
		if (g->db[i])
			(void)geo_db_lookup(g->db[i], addr, gi);
	return gi->found;
}

json_t *cli_geo_json(const struct cli_geo *g, const char *addr)
{
	struct geo_info gi;
	if (!cli_geo_active(g) || !lookup(g, addr, &gi))
		return NULL;
	json_t *o = json_object();
	if (!o)
		return NULL;
	int rc = 0;
	if (gi.asn)
		rc |= json_object_set_new(o, "asn", json_integer(gi.asn));
	if (gi.as_org[0])
		rc |= json_object_set_new(o, "as_org", json_string(gi.as_org));
	if (gi.country[0])
		rc |= json_object_set_new(o, "country", json_string(gi.country));
	if (rc || !json_object_size(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void cli_geo_text(const struct cli_geo *g, const char *addr, char *out,
		  size_t n)
{
	struct geo_info gi;
	out[0] = '\0';
	if (!cli_geo_active(g) || !lookup(g, addr, &gi))
		return;
	char as[40] = "";
	if (gi.asn)
		snprintf(as, sizeof as, "AS%" PRIu32, gi.asn);
	snprintf(out, n, "%s%s%s%s%s", as, as[0] && gi.as_org[0] ? " " : "",
		 gi.as_org, (as[0] || gi.as_org[0]) && gi.country[0] ? ", " : "",
		 gi.country);
}

int cli_geo_custody(const struct cli_geo *g, struct store *st,
		    const char *args)
{
	for (int i = 0; i < 2; i++) {
		if (!g->db[i])
			continue;
		const char *why;
		if (store_readonly(st, &why)) {
			fprintf(stderr, "attrib: the use of %s is not recorded in "
				"custody: %s\n", cli_safe(geo_db_path(g->db[i])),
				cli_safe(why ? why : "the case is read-only"));
			continue;
		}
		char detail[4600];
		snprintf(detail, sizeof detail,
			 "%s %s sha256=%s build_epoch=%" PRIu64 " type=%s",
			 roles[i], geo_db_path(g->db[i]), geo_db_sha256(g->db[i]),
			 geo_db_build_epoch(g->db[i]), geo_db_type(g->db[i]));
		if (store_custody(st, "enrich", args, detail) != 0 ||
		    store_commit(st) != 0) {
			cli_error("%s", store_error(st));
			return -1;
		}
	}
	return 0;
}

json_t *cli_geo_sources(const struct cli_geo *g)
{
	json_t *a = json_array();
	for (int i = 0; a && i < 2; i++) {
		if (!g->db[i])
			continue;
		json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s}", "role",
				      roles[i], "path", geo_db_path(g->db[i]),
				      "sha256", geo_db_sha256(g->db[i]),
				      "build_epoch",
				      (json_int_t)geo_db_build_epoch(g->db[i]),
				      "type", geo_db_type(g->db[i]));
		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int cli_geo_annotate_report(const struct cli_geo *g, json_t *doc)
{
	if (!cli_geo_active(g))
		return 0;
	json_t *kinds = json_object_get(json_object_get(doc, "indicators"),
					"kinds");
	size_t i, j;
	json_t *k, *t;
	json_array_foreach(kinds, i, k) {
		const char *kind = json_string_value(json_object_get(k, "kind"));
		if (!kind || (strcmp(kind, "ip.src") && strcmp(kind, "ip.dst") &&
			      strcmp(kind, "dns.answer")))
			continue;
		json_array_foreach(json_object_get(k, "top"), j, t) {
			const char *v = json_string_value(json_object_get(t, "value"));
			json_t *geo = v ? cli_geo_json(g, v) : NULL;
			if (geo && json_object_set_new(t, "geo", geo) != 0)
				return -1;
		}
	}
	/* the addresses the hypotheses' evidence cites (STIX uses them) */
	json_t *h, *e, *c;
	size_t n;
	json_array_foreach(json_object_get(doc, "hypotheses"), i, h)
		json_array_foreach(json_object_get(h, "evidence"), j, e)
			json_array_foreach(json_object_get(e, "cited"), n, c) {
				const char *kind = json_string_value(
					json_object_get(c, "kind"));
				const char *v = json_string_value(
					json_object_get(c, "value"));
				if (!kind || !v ||
				    (strcmp(kind, "ip.src") && strcmp(kind, "ip.dst") &&
				     strcmp(kind, "dns.answer")))
					continue;
				json_t *geo = cli_geo_json(g, v);
				if (geo && json_object_set_new(c, "geo", geo) != 0)
					return -1;
			}
	json_t *src = cli_geo_sources(g);
	return src ? json_object_set_new(doc, "enrichment", src) : -1;
}
