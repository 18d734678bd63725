/*
 * geo.h — MaxMind enrichment for the commands that print addresses
 * (`--geoip FILE.mmdb`, `--asn FILE.mmdb` on indicators, flows and
 * report): the databases, the annotation of an address, and the custody
 * entry that records which databases (path, SHA-256, build epoch, type)
 * each use consulted (docs/json-output.md, "MaxMind enrichment").
 */
#ifndef ATTRIB_CLI_GEO_H
#define ATTRIB_CLI_GEO_H

#include <stdbool.h>

#include <jansson.h>

#include "analyze/intel/mmdb.h"

struct store;

struct cli_geo {
	struct geo_db *db[2];   /* --asn, --geoip; NULL when not given */
	const char *path[2];
};

/* Long options of the two flags, for a command's option table. */
#define CLI_GEO_OPTIONS                                                       \
	{"geoip", required_argument, NULL, 'G'},                              \
	{"asn", required_argument, NULL, 'A'}

/* Takes option c ('G' or 'A') with its argument; true when it was one. */
bool cli_geo_option(struct cli_geo *g, int c, const char *arg);

/* Opens the databases named. 0, or -1 with the error printed. */
int cli_geo_open(struct cli_geo *g);
bool cli_geo_active(const struct cli_geo *g);
void cli_geo_close(struct cli_geo *g);

/* An object {"asn", "as_org", "country"} (known fields only) for the
 * address text addr, or NULL when no database knows it (or none is
 * open). The caller owns it. */
json_t *cli_geo_json(const struct cli_geo *g, const char *addr);

/* One line for text output: "AS64500 Example Org, ZZ", "" when unknown. */
void cli_geo_text(const struct cli_geo *g, const char *addr, char *out,
		  size_t n);

/* Records in custody (action "enrich") each database used, with its
 * path, SHA-256, build epoch and type, and the command line args. A case
 * opened read-only cannot take it: then one line on stderr says so. 0, or
 * -1 with the error printed. */
int cli_geo_custody(const struct cli_geo *g, struct store *st,
		    const char *args);

/* The databases as a JSON array [{path, sha256, build_epoch, type,
 * role}], for a report. NULL when out of memory. */
json_t *cli_geo_sources(const struct cli_geo *g);

/* Adds "geo" to the address values of a report document's indicator
 * tables (ip.src, ip.dst, dns.answer) and the databases as "enrichment".
 * 0, or -1 when out of memory. */
int cli_geo_annotate_report(const struct cli_geo *g, json_t *doc);

#endif
