/*
 * mmdb.h — ASN, organisation and country of an address from MaxMind DB
 * files (GeoLite2/GeoIP2 ASN and Country or City, or any database with
 * the same fields), through libmaxminddb: the only file that includes
 * maxminddb.h.
 *
 * Each database opened is identified by its SHA-256 (of the file as
 * read) and its build epoch and type (from its metadata), which the CLI
 * records in custody with every use.
 */
#ifndef ATTRIB_MMDB_H
#define ATTRIB_MMDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct geo_db;

/* What the databases say of one address. */
struct geo_info {
	bool found;          /* some database holds the address */
	uint32_t asn;        /* 0 unknown */
	char as_org[128];    /* "" unknown */
	char country[3];     /* ISO 3166 alpha-2, "" unknown */
};

/*
 * Opens a MaxMind DB file and hashes it. NULL with "path: reason" in err
 * (not a MaxMind DB, unreadable, out of memory). The caller owns it:
 * geo_db_close().
 */
struct geo_db *geo_db_open(const char *path, char *err, size_t errlen);
void geo_db_close(struct geo_db *db);

const char *geo_db_path(const struct geo_db *db);
const char *geo_db_sha256(const struct geo_db *db); /* 64 hex */
uint64_t geo_db_build_epoch(const struct geo_db *db);
const char *geo_db_type(const struct geo_db *db);   /* database_type */

/*
 * Adds what db knows of the address text addr to *out (fields already
 * set are kept, so several databases fill one record): the ASN and
 * organisation (autonomous_system_number, autonomous_system_organization)
 * and the country (country.iso_code, else registered_country.iso_code).
 * 0, or -1 when the lookup failed (a damaged database); an address that
 * is not one, or not in the database, adds nothing.
 */
int geo_db_lookup(const struct geo_db *db, const char *addr,
		  struct geo_info *out);

#endif
