/*
 * model.c — the in-memory model set: lifetime, the builder the YAML and
 * STIX loaders share, finishing (implicit hypotheses, canonical order)
 * and model files. Prefix tables and addresses: prefixes.c.
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

int model_grow(void **arr, size_t *cap, size_t n, size_t sz)
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
	if (model_grow((void **)&ms->hyps, &ms->cap_hyps, ms->n_hyps,
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
	if (model_grow((void **)&h->patterns, &h->cap_patterns, h->n_patterns,
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
	if (model_grow((void **)&h->claims, &h->cap_claims, h->n_claims,
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
	if (model_grow((void **)&ms->uneval, &ms->cap_uneval, ms->n_uneval,
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
	if (model_grow((void **)&ms->standards, &ms->cap_standards, ms->n_standards,
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
	if (model_grow((void **)&ms->files, &ms->cap_files, ms->n_files,
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
