/*
 * prefixes.c — the model set's prefix tables (text files of CIDR prefixes
 * with their ASN and owner, and MaxMind databases) and the small address
 * parsers the models and the scorer share.
 */
#include "analyze/intel/model.h"
#include "analyze/intel/model_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "analyze/crypto/digest.h"
#include "analyze/intel/mmdb.h"
#include "analyze/intel/file.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcasecmp(s + a - b, suffix);
}

bool model_parse_cidr(const char *text, uint8_t addr[16], int *family,
		      int *prefix_len)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	if (alen == 0 || alen >= sizeof buf)
		return false;
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	memset(addr, 0, 16);
	int fam, max;
	if (inet_pton(AF_INET, buf, addr) == 1) {
		fam = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		fam = 6;
		max = 128;
	} else {
		return false;
	}
	int len = max;
	if (slash) {
		const char *p = slash + 1;
		if (*p < '0' || *p > '9')
			return false;
		len = 0;
		for (; *p >= '0' && *p <= '9'; p++) {
			len = len * 10 + (*p - '0');
			if (len > max)
				return false;
		}
		if (*p)
			return false;
	}
	for (int bit = len; bit < max; bit++)
		addr[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	*family = fam;
	*prefix_len = len;
	return true;
}

int model_parse_addr(const char *text, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, text, out) == 1)
		return 6;
	return 0;
}

static bool prefix_holds(const uint8_t *a, const uint8_t *net, int len)
{
	int full = len / 8, rest = len % 8;
	if (memcmp(a, net, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xffu << (8 - rest));
	return (a[full] & mask) == (net[full] & mask);
}

bool model_addr_in(const char *addr_text, const uint8_t net[16], int family,
		   int prefix_len)
{
	uint8_t a[16];
	return model_parse_addr(addr_text, a) == family &&
	       prefix_holds(a, net, prefix_len);
}

const struct model_prefix *model_prefix_lookup(const struct model_set *ms,
					       const char *addr_text)
{
	uint8_t a[16];
	int fam = model_parse_addr(addr_text, a);
	const struct model_prefix *best = NULL;
	if (!fam)
		return NULL;
	for (size_t i = 0; i < ms->n_prefixes; i++) {
		const struct model_prefix *p = &ms->prefixes[i];
		if (p->family == fam && prefix_holds(a, p->addr, p->prefix_len) &&
		    (!best || p->prefix_len > best->prefix_len))
			best = p;
	}
	if (best || !ms->n_mmdb)
		return best;
	static _Thread_local struct model_prefix from_mmdb;
	struct geo_info gi;
	memset(&gi, 0, sizeof gi);
	for (size_t i = 0; i < ms->n_mmdb; i++)
		(void)geo_db_lookup(ms->mmdb[i], addr_text, &gi);
	if (!gi.found)
		return NULL;
	memset(&from_mmdb, 0, sizeof from_mmdb);
	from_mmdb.family = fam;
	from_mmdb.asn = gi.asn;
	memcpy(from_mmdb.country, gi.country, sizeof from_mmdb.country);
	return &from_mmdb;
}

/* A MaxMind DB given as a prefix table (model_load_prefixes). */
static int load_mmdb_prefixes(struct model_set *ms, const char *path,
			      char *err, size_t errlen)
{
	if (ms->n_mmdb == MODEL_MMDB_MAX) {
		snprintf(err, errlen, "%s: more than %d MaxMind DB prefix "
			 "tables", path, MODEL_MMDB_MAX);
		return -1;
	}
	struct geo_db *db = geo_db_open(path, err, errlen);
	if (!db)
		return -1;
	char *p = strdup(path);
	if (!p || model_grow((void **)&ms->files, &ms->cap_files, ms->n_files,
		       sizeof *ms->files) != 0) {
		free(p);
		geo_db_close(db);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	struct model_file *f = &ms->files[ms->n_files++];
	memset(f, 0, sizeof *f);
	f->path = p;
	f->format = "mmdb";
	memcpy(f->sha256, geo_db_sha256(db), sizeof f->sha256);
	ms->mmdb[ms->n_mmdb++] = db;
	return 0;
}

/* Parses "PREFIX,ASN,CC" (already stripped of the line end) into p. */
static const char *parse_prefix_line(char *line, struct model_prefix *p)
{
	char *c1 = strchr(line, ',');
	char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	if (!c2)
		return "expected PREFIX,ASN,COUNTRY";
	*c1 = *c2 = '\0';
	if (!model_parse_cidr(line, p->addr, &p->family, &p->prefix_len))
		return "not an address prefix";
	char *end;
	errno = 0;
	unsigned long asn = strtoul(c1 + 1, &end, 10);
	if (c1[1] < '0' || c1[1] > '9' || *end || errno || asn > 4294967295ul)
		return "ASN is not a number in 0..4294967295";
	p->asn = (uint32_t)asn;
	const char *cc = c2 + 1;
	if (strlen(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' ||
	    cc[1] > 'Z')
		return "country is not two upper-case letters";
	memcpy(p->country, cc, 3);
	return NULL;
}

int model_load_prefixes(struct model_set *ms, const char *path, char *err,
			size_t errlen)
{
	if (ends_with(path, ".mmdb"))
		return load_mmdb_prefixes(ms, path, err, errlen);
	FILE *f = intel_file_open(path, "prefix table",
				  MODEL_PREFIX_TABLE_MAX_BYTES, err, errlen);
	char line[256];
	unsigned lineno = 0;
	int rc = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t n = strlen(line);
		if (n == sizeof line - 1 && line[n - 1] != '\n') {
			snprintf(err, errlen, "%s:%u: line too long", path,
				 lineno);
			rc = -1;
			break;
		}
		/* fgets stops at a newline, a full buffer or the end: a
		 * line that ends otherwise was cut short by a NUL byte */
		if ((n == 0 || line[n - 1] != '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%u: a NUL byte: not a text "
				 "file", path, lineno);
			rc = -1;
			break;
		}
		if (ms->n_prefixes >= MODEL_PREFIXES_MAX) {
			snprintf(err, errlen, "%s:%u: more than %u prefixes",
				 path, lineno, MODEL_PREFIXES_MAX);
			rc = -1;
			break;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
			     line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		struct model_prefix p;
		memset(&p, 0, sizeof p);
		const char *why = parse_prefix_line(s, &p);
		if (why) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			rc = -1;
			break;
		}
		if (model_grow((void **)&ms->prefixes, &ms->cap_prefixes,
			 ms->n_prefixes, sizeof *ms->prefixes) != 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			rc = -1;
			break;
		}
		ms->prefixes[ms->n_prefixes++] = p;
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -1;
	}
	fclose(f);
	return rc;
}
