/*
 * model.c — the in-memory model set: lifetime, the builder the YAML and
 * STIX loaders share, finishing (implicit hypotheses, canonical order),
 * model files and prefix tables, and the small address parsers.
 */
#include "analyze/intel/model.h"

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
#include "analyze/vocab/kinds.h"

static const char *const link_names[MODEL_LINK_COUNT] = {
	"L1", "L2", "L3", "L3i", "L4",
};

const char *model_link_name(enum model_link l)
{
	return (unsigned)l < MODEL_LINK_COUNT ? link_names[l] : "";
}

int model_link_parse(const char *name)
{
	for (int i = 0; name && i < MODEL_LINK_COUNT; i++)
		if (!strcasecmp(name, link_names[i]))
			return i;
	return -1;
}

static const char *const hyp_type_names[] = {
	"actor", "intrusion-set", "unknown", "false-flag",
};

const char *model_hypothesis_type_name(enum model_hypothesis_type t)
{
	return (unsigned)t < 4 ? hyp_type_names[t] : "";
}

int model_hypothesis_type_parse(const char *name)
{
	for (int i = 0; name && i < 4; i++)
		if (!strcmp(name, hyp_type_names[i]))
			return i;
	return -1;
}

static const char *const match_names[] = {
	"value", "suffix", "cidr", "glob", "period", "utc_offset", "asn",
	"country",
};

const char *model_match_name(enum model_match m)
{
	return (unsigned)m < sizeof match_names / sizeof match_names[0]
		       ? match_names[m]
		       : "";
}

static const struct {
	const char *name;
	double f;
} claim_types[MODEL_CLAIM_TYPE_COUNT] = {
	[MODEL_CLAIM_VENDOR_REPORT] = {"vendor-report", 0.30},
	[MODEL_CLAIM_SEIZED_LOGS] = {"seized-logs", 0.10},
	[MODEL_CLAIM_INTELLIGENCE] = {"intelligence", 0.20},
	[MODEL_CLAIM_ACKNOWLEDGEMENT] = {"acknowledgement", 0.05},
	[MODEL_CLAIM_OTHER] = {"other", 0.50},
	[MODEL_CLAIM_GEOLOCATION] = {"geolocation", 0.70},
	[MODEL_CLAIM_REGISTRATION] = {"registration", 0.80},
	[MODEL_CLAIM_ASN_COUNTRY] = {"asn-country", 0.70},
};

bool model_claim_type_is_location(enum model_claim_type t)
{
	return t == MODEL_CLAIM_GEOLOCATION || t == MODEL_CLAIM_REGISTRATION ||
	       t == MODEL_CLAIM_ASN_COUNTRY;
}

const char *model_claim_type_name(enum model_claim_type t)
{
	return (unsigned)t < MODEL_CLAIM_TYPE_COUNT ? claim_types[t].name : "";
}

int model_claim_type_parse(const char *name)
{
	for (int i = 0; name && i < MODEL_CLAIM_TYPE_COUNT; i++)
		if (!strcmp(name, claim_types[i].name))
			return i;
	return -1;
}

double model_claim_type_forgeability(enum model_claim_type t)
{
	return (unsigned)t < MODEL_CLAIM_TYPE_COUNT ? claim_types[t].f : 1.0;
}

/* ---- lifetime ---- */

struct model_set *model_set_create(void)
{
	struct model_set *ms = calloc(1, sizeof *ms);
	if (ms)
		ms->deception = 1.0;
	return ms;
}

static void pattern_free(struct model_pattern *p)
{
	free(p->id);
	free(p->text);
	free(p->source);
	free(p->note);
	free(p->origin);
}

static void claim_free(struct model_claim *c)
{
	free(c->id);
	free(c->source);
	free(c->description);
	free(c->origin);
}

void model_set_destroy(struct model_set *ms)
{
	if (!ms)
		return;
	for (size_t i = 0; i < ms->n_hyps; i++) {
		struct model_hypothesis *h = &ms->hyps[i];
		for (size_t j = 0; j < h->n_patterns; j++)
			pattern_free(&h->patterns[j]);
		for (size_t j = 0; j < h->n_claims; j++)
			claim_free(&h->claims[j]);
		free(h->patterns);
		free(h->claims);
		free(h->id);
		free(h->name);
		free(h->origin);
	}
	for (size_t i = 0; i < ms->n_uneval; i++) {
		free(ms->uneval[i].origin);
		free(ms->uneval[i].pattern);
		free(ms->uneval[i].reason);
	}
	for (size_t i = 0; i < ms->n_files; i++)
		free(ms->files[i].path);
	for (size_t i = 0; i < ms->n_standards; i++)
		free(ms->standards[i].name);
	free(ms->hyps);
	free(ms->uneval);
	free(ms->files);
	free(ms->prefixes);
	free(ms->standards);
	for (size_t i = 0; i < ms->n_mmdb; i++)
		geo_db_close(ms->mmdb[i]);
	free(ms);
}

/* Grows an array of elements of size sz to hold one more; 0 or -1. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = realloc(*arr, ncap * sz);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* strdup that maps NULL to NULL; *fail is set when memory runs out. */
static char *dup_or_null(const char *s, bool *fail)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*fail = true;
	return d;
}

/* ---- building ---- */

struct model_hypothesis *model_hypothesis_find(const struct model_set *ms,
					       const char *id)
{
	for (size_t i = 0; i < ms->n_hyps; i++)
		if (!strcmp(ms->hyps[i].id, id))
			return &ms->hyps[i];
	return NULL;
}

struct model_hypothesis *model_hypothesis_get(struct model_set *ms,
					      const char *id,
					      const char *name,
					      enum model_hypothesis_type type,
					      const char *origin)
{
	struct model_hypothesis *h = model_hypothesis_find(ms, id);
	if (h)
		return h;
	if (grow((void **)&ms->hyps, &ms->cap_hyps, ms->n_hyps,
		 sizeof *ms->hyps) != 0)
		return NULL;
	h = &ms->hyps[ms->n_hyps];
	memset(h, 0, sizeof *h);
	bool fail = false;
	h->id = dup_or_null(id, &fail);
	h->name = dup_or_null(name ? name : id, &fail);
	h->origin = dup_or_null(origin ? origin : "", &fail);
	h->type = type;
	h->base_rate = OPINION_DEFAULT_BASE_RATE;
	if (fail) {
		free(h->id);
		free(h->name);
		free(h->origin);
		return NULL;
	}
	ms->n_hyps++;
	return h;
}

int model_add_pattern(struct model_hypothesis *h,
		      const struct model_pattern *p)
{
	if (grow((void **)&h->patterns, &h->cap_patterns, h->n_patterns,
		 sizeof *h->patterns) != 0)
		return -1;
	struct model_pattern *q = &h->patterns[h->n_patterns];
	bool fail = false;
	*q = *p;
	q->id = dup_or_null(p->id, &fail);
	q->text = dup_or_null(p->text, &fail);
	q->source = dup_or_null(p->source, &fail);
	q->note = dup_or_null(p->note, &fail);
	q->origin = dup_or_null(p->origin ? p->origin : "", &fail);
	if (fail) {
		pattern_free(q);
		return -1;
	}
	int kind = p->kind == MODEL_KIND_ANY_IP ? OBS_IP_DST : p->kind;
	if (!p->f_override)
		q->f = obs_kind_forgeability((enum obs_kind)kind);
	if (!p->s_override)
		q->s = obs_kind_specificity((enum obs_kind)kind);
	if (p->match == MODEL_MATCH_ASN || p->match == MODEL_MATCH_COUNTRY)
		q->location = true;
	h->n_patterns++;
	return 0;
}

int model_add_claim(struct model_hypothesis *h, const struct model_claim *c)
{
	if (grow((void **)&h->claims, &h->cap_claims, h->n_claims,
		 sizeof *h->claims) != 0)
		return -1;
	struct model_claim *q = &h->claims[h->n_claims];
	bool fail = false;
	*q = *c;
	q->id = dup_or_null(c->id, &fail);
	q->source = dup_or_null(c->source, &fail);
	q->description = dup_or_null(c->description, &fail);
	q->origin = dup_or_null(c->origin ? c->origin : "", &fail);
	if (fail) {
		claim_free(q);
		return -1;
	}
	if (!c->f_override)
		q->f = model_claim_type_forgeability(c->type);
	if (model_claim_type_is_location(c->type))
		q->location = true;
	h->n_claims++;
	return 0;
}

int model_add_unevaluated(struct model_set *ms, const char *origin,
			  const char *pattern, const char *reason)
{
	if (grow((void **)&ms->uneval, &ms->cap_uneval, ms->n_uneval,
		 sizeof *ms->uneval) != 0)
		return -1;
	struct model_unevaluated *u = &ms->uneval[ms->n_uneval];
	bool fail = false;
	u->origin = dup_or_null(origin ? origin : "", &fail);
	u->pattern = dup_or_null(pattern ? pattern : "", &fail);
	u->reason = dup_or_null(reason ? reason : "", &fail);
	if (fail) {
		free(u->origin);
		free(u->pattern);
		free(u->reason);
		return -1;
	}
	ms->n_uneval++;
	return 0;
}

int model_add_standard(struct model_set *ms, const char *name,
		       double threshold, bool strict)
{
	if (grow((void **)&ms->standards, &ms->cap_standards, ms->n_standards,
		 sizeof *ms->standards) != 0)
		return -1;
	struct model_standard *s = &ms->standards[ms->n_standards];
	s->name = strdup(name);
	if (!s->name)
		return -1;
	s->threshold = threshold;
	s->strict = strict;
	ms->n_standards++;
	return 0;
}

/* ---- files ---- */

int model_file_read(struct model_set *ms, const char *path,
		    const char *format, char **buf, size_t *len, char *err,
		    size_t errlen)
{
	FILE *f = intel_file_open(path, "model file", MODEL_FILE_MAX_BYTES,
				  err, errlen);
	char *data = NULL;
	size_t n = 0, cap = 0;
	*buf = NULL;
	*len = 0;
	if (!f)
		return -1;
	for (;;) {
		if (cap - n < 65536) {
			if (cap >= MODEL_FILE_MAX_BYTES + 65536) {
				snprintf(err, errlen, "%s: larger than %u MiB",
					 path, MODEL_FILE_MAX_BYTES >> 20);
				goto fail;
			}
			size_t ncap = cap ? cap * 2 : 65536 * 2;
			char *p = realloc(data, ncap + 1);
			if (!p) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			data = p;
			cap = ncap;
		}
		size_t got = fread(data + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto fail;
	}
	if (n > MODEL_FILE_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %u MiB", path,
			 MODEL_FILE_MAX_BYTES >> 20);
		goto fail;
	}
	fclose(f);
	data[n] = '\0';
	if (grow((void **)&ms->files, &ms->cap_files, ms->n_files,
		 sizeof *ms->files) != 0 ||
	    !(ms->files[ms->n_files].path = strdup(path))) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(data);
		return -1;
	}
	struct model_file *mf = &ms->files[ms->n_files++];
	mf->format = format;
	mf->objects = 0;
	mf->objects_unused = 0;
	if (!digest_hex(DIGEST_SHA256, data, n, mf->sha256, sizeof mf->sha256)) {
		snprintf(err, errlen, "%s: cannot hash", path);
		free(data);
		return -1;
	}
	*buf = data;
	*len = n;
	return 0;
fail:
	fclose(f);
	free(data);
	return -1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcasecmp(s + a - b, suffix);
}

/* ---- finishing ---- */

static int cmp_hyp(const void *a, const void *b)
{
	return strcmp(((const struct model_hypothesis *)a)->id,
		      ((const struct model_hypothesis *)b)->id);
}

static int cmp_pattern(const void *a, const void *b)
{
	return strcmp(((const struct model_pattern *)a)->id,
		      ((const struct model_pattern *)b)->id);
}

static int cmp_claim(const void *a, const void *b)
{
	return strcmp(((const struct model_claim *)a)->id,
		      ((const struct model_claim *)b)->id);
}

static bool has_type(const struct model_set *ms,
		     enum model_hypothesis_type t)
{
	for (size_t i = 0; i < ms->n_hyps; i++)
		if (ms->hyps[i].type == t)
			return true;
	return false;
}

static int add_implicit(struct model_set *ms, const char *id,
			const char *name, enum model_hypothesis_type t,
			char *err, size_t errlen)
{
	if (has_type(ms, t))
		return 0;
	const struct model_hypothesis *taken = model_hypothesis_find(ms, id);
	if (taken) {
		snprintf(err, errlen, "%s: hypothesis \"%s\" must have type "
			 "%s (attrib always scores a hypothesis of that id and "
			 "type)", taken->origin ? taken->origin : "(model)",
			 id, model_hypothesis_type_name(t));
		return -1;
	}
	struct model_hypothesis *h =
		model_hypothesis_get(ms, id, name, t, "(implicit)");
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h->implicit = true;
	return 0;
}

int model_set_finish(struct model_set *ms, char *err, size_t errlen)
{
	size_t named = 0;
	for (size_t i = 0; i < ms->n_hyps; i++)
		named += ms->hyps[i].type == MODEL_HYP_ACTOR ||
			 ms->hyps[i].type == MODEL_HYP_INTRUSION_SET;
	if (named == 0) {
		if (ms->n_files > 1)
			snprintf(err, errlen, "%s (and %zu more model files): "
				 "no actor or intrusion set to score",
				 ms->files[0].path, ms->n_files - 1);
		else
			snprintf(err, errlen, "%s: the model names no actor or "
				 "intrusion set to score",
				 ms->n_files ? ms->files[0].path : "(no model)");
		return -1;
	}
	if (add_implicit(ms, "unknown", "Unknown actor", MODEL_HYP_UNKNOWN,
			 err, errlen) != 0 ||
	    add_implicit(ms, "false-flag", "False flag / imitation",
			 MODEL_HYP_FALSE_FLAG, err, errlen) != 0)
		return -1;
	qsort(ms->hyps, ms->n_hyps, sizeof *ms->hyps, cmp_hyp);
	for (size_t i = 0; i < ms->n_hyps; i++) {
		struct model_hypothesis *h = &ms->hyps[i];
		if (h->n_patterns)
			qsort(h->patterns, h->n_patterns, sizeof *h->patterns,
			      cmp_pattern);
		if (h->n_claims)
			qsort(h->claims, h->n_claims, sizeof *h->claims,
			      cmp_claim);
		for (size_t j = 1; j < h->n_patterns; j++)
			if (!strcmp(h->patterns[j].id, h->patterns[j - 1].id)) {
				snprintf(err, errlen, "%s: indicator id \"%s\" "
					 "of hypothesis \"%s\" is used twice "
					 "(also at %s)",
					 h->patterns[j].origin,
					 h->patterns[j].id, h->id,
					 h->patterns[j - 1].origin);
				return -1;
			}
		for (size_t j = 1; j < h->n_claims; j++)
			if (!strcmp(h->claims[j].id, h->claims[j - 1].id)) {
				snprintf(err, errlen, "%s: claim id \"%s\" of "
					 "hypothesis \"%s\" is used twice (also "
					 "at %s)",
					 h->claims[j].origin, h->claims[j].id,
					 h->id, h->claims[j - 1].origin);
				return -1;
			}
	}
	ms->finished = true;
	return 0;
}

/* ---- addresses and prefix tables ---- */

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
	if (!p || grow((void **)&ms->files, &ms->cap_files, ms->n_files,
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
		if (grow((void **)&ms->prefixes, &ms->cap_prefixes,
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
