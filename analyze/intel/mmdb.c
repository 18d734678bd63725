/*
 * mmdb.c — MaxMind DB lookups (mmdb.h), the only user of libmaxminddb.
 */
#include "analyze/intel/mmdb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <maxminddb.h>

#include "analyze/crypto/digest.h"

enum { MMDB_HASH_CHUNK = 1 << 16 };

struct geo_db {
	MMDB_s mmdb;
	char path[4096];
	char sha256[DIGEST_SHA256_HEX_SIZE];
};

/* SHA-256 of the whole file (MMDB files are tens of MB at most: read in
 * one buffer). */
static int hash_file(const char *path, char out[DIGEST_SHA256_HEX_SIZE],
		     char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = -1;
	for (;;) {
		if (cap - len < MMDB_HASH_CHUNK) {
			char *nb = realloc(buf, cap + 4 * MMDB_HASH_CHUNK);
			if (!nb) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto done;
			}
			buf = nb;
			cap += 4 * MMDB_HASH_CHUNK;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto done;
	}
	if (!digest_sha256_hex(buf, len, out)) {
		snprintf(err, errlen, "%s: cannot hash", path);
		goto done;
	}
	rc = 0;
done:
	free(buf);
	fclose(f);
	return rc;
}

struct geo_db *geo_db_open(const char *path, char *err, size_t errlen)
{
	struct geo_db *db = calloc(1, sizeof *db);
	if (!db) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	snprintf(db->path, sizeof db->path, "%s", path);
	int status = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);
	if (status != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s: not a MaxMind DB: %s", path,
			 status == MMDB_IO_ERROR ? strerror(errno)
						 : MMDB_strerror(status));
		free(db);
		return NULL;
	}
	if (hash_file(path, db->sha256, err, errlen) != 0) {
		MMDB_close(&db->mmdb);
		free(db);
		return NULL;
	}
	return db;
}

void geo_db_close(struct geo_db *db)
{
	if (!db)
		return;
	MMDB_close(&db->mmdb);
	free(db);
}

const char *geo_db_path(const struct geo_db *db)
{
	return db->path;
}

const char *geo_db_sha256(const struct geo_db *db)
{
	return db->sha256;
}

uint64_t geo_db_build_epoch(const struct geo_db *db)
{
	return db->mmdb.metadata.build_epoch;
}

const char *geo_db_type(const struct geo_db *db)
{
	return db->mmdb.metadata.database_type ? db->mmdb.metadata.database_type
					       : "";
}

/* The string at path (NULL-terminated list of keys) into out, when it
 * is one. */
static void get_string(MMDB_entry_s *e, char *out, size_t n,
		       const char *const *path)
{
	MMDB_entry_data_s d;
	if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data ||
	    d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return;
	size_t len = d.data_size < n - 1 ? d.data_size : n - 1;
	memcpy(out, d.utf8_string, len);
	out[len] = '\0';
}

int geo_db_lookup(const struct geo_db *db, const char *addr,
		  struct geo_info *out)
{
	int gai = 0, status = 0;
	MMDB_lookup_result_s r = MMDB_lookup_string(&db->mmdb, addr, &gai,
						    &status);
	if (gai != 0)
		return 0; /* not an address */
	if (status != MMDB_SUCCESS)
		return -1;
	if (!r.found_entry)
		return 0;
	out->found = true;
	if (!out->asn) {
		static const char *const p[] = {"autonomous_system_number", NULL};
		MMDB_entry_data_s d;
		if (MMDB_aget_value(&r.entry, &d, p) == MMDB_SUCCESS &&
		    d.has_data)
			out->asn = d.type == MMDB_DATA_TYPE_UINT32 ? d.uint32
				   : d.type == MMDB_DATA_TYPE_UINT16 ? d.uint16
				   : d.type == MMDB_DATA_TYPE_UINT64
					   ? (uint32_t)d.uint64
					   : 0;
	}
	if (!out->as_org[0]) {
		static const char *const p[] = {"autonomous_system_organization",
						NULL};
		get_string(&r.entry, out->as_org, sizeof out->as_org, p);
	}
	if (!out->country[0]) {
		static const char *const c[] = {"country", "iso_code", NULL};
		static const char *const rc[] = {"registered_country",
						 "iso_code", NULL};
		get_string(&r.entry, out->country, sizeof out->country, c);
		if (!out->country[0])
			get_string(&r.entry, out->country, sizeof out->country,
				   rc);
	}
	return 0;
}
