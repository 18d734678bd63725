/*
 * model.h — attribution models in memory: hypotheses, the indicator
 * patterns that speak for or against each one on a link of the
 * attribution chain, and non-technical claims.
 *
 * Models come from authored YAML files (yaml.c, docs/model-format.md)
 * and from STIX 2.1 bundles (stix/); both loaders build the same
 * structures through the builder functions below, which copy everything
 * they are given. A model set owns all its memory: model_set_destroy()
 * frees it.
 *
 * Every pattern, claim and hypothesis remembers where it came from
 * ("models/a.yaml:12:7" or "intel.json: indicator--…"), so a score can
 * name the line that produced each piece of evidence.
 */
#ifndef ATTRIB_MODEL_H
#define ATTRIB_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/score/opinion.h"

/* The links of the attribution chain (DESIGN.md "Scoring"). */
enum model_link {
	MODEL_L1,  /* packet -> infrastructure */
	MODEL_L2,  /* infrastructure -> operator */
	MODEL_L3,  /* operator -> organisation */
	MODEL_L3I, /* operator -> individual */
	MODEL_L4,  /* organisation -> state */
	MODEL_LINK_COUNT
};

/* "L1", "L2", "L3", "L3i", "L4"; "" when out of range. */
const char *model_link_name(enum model_link l);
/* The link of a name (case-insensitive), or -1. */
int model_link_parse(const char *name);

enum model_hypothesis_type {
	MODEL_HYP_ACTOR,         /* a named actor (threat actor, group) */
	MODEL_HYP_INTRUSION_SET, /* a named set of operations */
	MODEL_HYP_UNKNOWN,       /* "unknown actor": none of the named ones */
	MODEL_HYP_FALSE_FLAG,    /* "false flag / imitation" */
};

/* "actor", "intrusion-set", "unknown", "false-flag". */
const char *model_hypothesis_type_name(enum model_hypothesis_type t);
/* The type of a name, or -1. */
int model_hypothesis_type_parse(const char *name);

/* How a pattern compares an observation's value. */
enum model_match {
	MODEL_MATCH_EXACT,      /* value equal (names compared without case) */
	MODEL_MATCH_SUFFIX,     /* name equal to, or ending in "." + text */
	MODEL_MATCH_CIDR,       /* address inside addr/prefix_len */
	MODEL_MATCH_GLOB,       /* fnmatch(3) pattern, no flags */
	MODEL_MATCH_PERIOD,     /* beacon period in [lo, hi] seconds */
	MODEL_MATCH_UTC_OFFSET, /* working-hours MAP offset in [lo, hi] h */
	MODEL_MATCH_ASN,        /* address in a prefix of that ASN */
	MODEL_MATCH_COUNTRY,    /* address in a prefix of that country */
};

/* "value", "suffix", "cidr", "glob", "period", "utc_offset", "asn",
 * "country": the YAML key of each. */
const char *model_match_name(enum model_match m);

/* A pattern's kind: an enum obs_kind, or MODEL_KIND_ANY_IP for "ip",
 * which means ip.src, ip.dst and dns.answer. */
enum { MODEL_KIND_ANY_IP = -2 };

struct model_pattern {
	char *id;               /* unique within its hypothesis */
	int kind;               /* enum obs_kind or MODEL_KIND_ANY_IP */
	enum model_match match;
	char *text;             /* exact value, suffix, glob, country code */
	uint8_t addr[16];       /* CIDR network, network byte order */
	int family;             /* 4 or 6 for CIDR */
	int prefix_len;
	double lo, hi;          /* period (s) or UTC offset (h) range */
	uint32_t asn;
	enum model_link link;
	enum opinion_direction direction;
	char reliability;       /* Admiralty source reliability 'A'..'F' */
	int credibility;        /* Admiralty information credibility 1..6 of
				   "this pattern belongs to the hypothesis"
				   (STIX: the indicator's confidence); scales
				   s like a claim's strength; 0 = not given
				   (YAML), s unscaled */
	double f, s;            /* forgeability and specificity in use */
	bool f_override, s_override;
	bool location;          /* "came from infrastructure in X": never L4 */
	char *source;           /* independent information source label */
	char *note;             /* free text, may be NULL */
	char *origin;           /* where it was defined */
};

enum model_claim_type {
	MODEL_CLAIM_VENDOR_REPORT,
	MODEL_CLAIM_SEIZED_LOGS,
	MODEL_CLAIM_INTELLIGENCE,
	MODEL_CLAIM_ACKNOWLEDGEMENT,
	MODEL_CLAIM_OTHER,
	MODEL_CLAIM_GEOLOCATION,   /* where infrastructure is (location) */
	MODEL_CLAIM_REGISTRATION,  /* who registered a name or block (location) */
	MODEL_CLAIM_ASN_COUNTRY,   /* the country of an AS (location) */
	MODEL_CLAIM_TYPE_COUNT
};

/* "vendor-report", "seized-logs", "intelligence", "acknowledgement",
 * "other", "geolocation", "registration", "asn-country". */
const char *model_claim_type_name(enum model_claim_type t);
int model_claim_type_parse(const char *name);
/* Default forgeability of a claim type (docs/model-format.md). */
double model_claim_type_forgeability(enum model_claim_type t);
/* True for the claim types that only say where infrastructure is
 * (geolocation, registration, asn-country): never evidence on L4. */
bool model_claim_type_is_location(enum model_claim_type t);

struct model_claim {
	char *id;
	enum model_claim_type type;
	enum model_link link;
	enum opinion_direction direction;
	char reliability;       /* Admiralty source reliability 'A'..'F' */
	int credibility;        /* Admiralty information credibility 1..6 */
	double strength;        /* what the claim says if true, 0..1 */
	double f;               /* forgeability in use */
	bool f_override;
	bool location;          /* says only where infrastructure is (the
				   location types, or `location: true`):
				   never L4 */
	char *source;
	char *description;      /* may be NULL */
	char *origin;
};

struct model_hypothesis {
	char *id;
	char *name;
	enum model_hypothesis_type type;
	double base_rate;
	struct model_pattern *patterns;
	size_t n_patterns, cap_patterns;
	struct model_claim *claims;
	size_t n_claims, cap_claims;
	char *origin;
	bool implicit;          /* added by model_set_finish(), not authored */
};

/* A pattern a loader could not evaluate (reported, never dropped
 * silently). */
struct model_unevaluated {
	char *origin;           /* file and object or line */
	char *pattern;          /* the pattern text as given */
	char *reason;
};

/* One model file that was loaded. */
struct model_file {
	char *path;
	char sha256[65];
	const char *format;     /* "yaml", "stix" or "mmdb" (static) */
	size_t objects;         /* STIX: objects in the bundle */
	size_t objects_unused;  /* STIX: of types (or relationships) attrib
				   does not use; counted, not listed */
};

/* One row of a prefix table (ASN/country lookups). */
struct model_prefix {
	uint8_t addr[16];
	int family, prefix_len;
	uint32_t asn;
	char country[3];
};

struct model_standard {
	char *name;
	double threshold;
	bool strict;            /* met when Bel > threshold, else ≥ */
};

struct geo_db;
enum { MODEL_MMDB_MAX = 4 };

struct model_set {
	struct model_hypothesis *hyps;
	size_t n_hyps, cap_hyps;
	struct model_unevaluated *uneval;
	size_t n_uneval, cap_uneval;
	struct model_file *files;
	size_t n_files, cap_files;
	struct model_prefix *prefixes;
	size_t n_prefixes, cap_prefixes;
	struct geo_db *mmdb[MODEL_MMDB_MAX]; /* prefix tables given as
	                                       MaxMind DB files */
	size_t n_mmdb;
	struct model_standard *standards; /* none: the defaults */
	size_t n_standards, cap_standards;
	double deception;       /* δ, default 1 */
	bool deception_set;
	bool finished;
};

/* ---- lifetime (model.c) ---- */

/* An empty set (deception 1, no standards: the defaults). NULL when out
 * of memory. The caller owns it: model_set_destroy(). */
struct model_set *model_set_create(void);
void model_set_destroy(struct model_set *ms);

/* ---- the paths given to --models (model_dir.c) ---- */

/* Folders below a --models folder that are read: deeper ones are skipped
 * (with that reason), which also ends a loop of symbolic links. */
#define MODEL_DIR_MAX_DEPTH 8u
/* Entries read from all the folders of one tree, and model files. */
#define MODEL_DIR_MAX_ENTRIES 65536u
#define MODEL_DIR_MAX_FILES 4096u

/* Told of each entry of a folder that was not loaded: its path and why
 * ("not a model file (.yaml, .yml, .json)", "hidden", ...). */
typedef void (*model_skip_fn)(void *ctx, const char *path,
			      const char *reason);

/*
 * Loads one path: a YAML model (.yaml/.yml), a STIX 2.1 bundle (.json),
 * or a directory and its subfolders (up to MODEL_DIR_MAX_DEPTH levels):
 * every *.yaml, *.yml and *.json file in it, depth first, each folder's
 * entries in byte order of their names, so the same tree loads in the
 * same order on every machine. Entries that are no model file (other
 * extensions, valid JSON that is no STIX bundle, hidden names, folders
 * too deep, links back to a folder being walked, entries that cannot be
 * looked at) are skipped and passed to skip (when not NULL) with the
 * reason; a model file that does not load is an error, not a skip, and
 * so is a FIFO or device with a model's name. Each file's SHA-256 is
 * recorded. Returns 0, or -1 with one line in err naming the file (and
 * line:column where there is one), also when a folder holds no model
 * file at any depth.
 */
int model_load_tree(struct model_set *ms, const char *path,
		    model_skip_fn skip, void *ctx, char *err, size_t errlen);

/* model_load_tree() without telling anyone of skipped entries. */
int model_load_path(struct model_set *ms, const char *path, char *err,
		    size_t errlen);

/* The YAML loader (yaml.c): 0 or -1 with "file:line:col: ..." in err. */
int model_load_yaml(struct model_set *ms, const char *path, char *err,
		    size_t errlen);

/* The STIX 2.1 loader (stix/load.c): 0 or -1 with "file: ..." in err.
 * Patterns it cannot evaluate go to ms->uneval, not to err. */
int model_load_stix(struct model_set *ms, const char *path, char *err,
		    size_t errlen);

/*
 * Completes a set after loading: adds the "unknown" and "false-flag"
 * hypotheses when no loaded file declared them (marked implicit), sorts
 * hypotheses by id and each one's patterns and claims by id, so nothing
 * depends on the order files or entries were given in. Returns 0, or -1
 * (duplicate ids within a hypothesis, no hypothesis at all) with err.
 */
int model_set_finish(struct model_set *ms, char *err, size_t errlen);

/* ---- building (model.c; used by the loaders) ---- */

/* The hypothesis with this id, created when absent (name defaults to
 * the id). NULL when out of memory. A second declaration of the same id
 * (e.g. in another file) returns the first one: their evidence is
 * merged. */
struct model_hypothesis *model_hypothesis_get(struct model_set *ms,
					      const char *id,
					      const char *name,
					      enum model_hypothesis_type type,
					      const char *origin);

/* The hypothesis with this id, or NULL. */
struct model_hypothesis *model_hypothesis_find(const struct model_set *ms,
					       const char *id);

/* Copies p (its strings are duplicated) into h. When p does not
 * override them, f and s are taken from the kind's defaults (for
 * MODEL_KIND_ANY_IP, ip.dst's). 0, or -1 when out of memory. */
int model_add_pattern(struct model_hypothesis *h,
		      const struct model_pattern *p);

/* Copies c into h (f from the claim type unless overridden). 0 or -1. */
int model_add_claim(struct model_hypothesis *h, const struct model_claim *c);

/* ---- admissible evidence per link (admissible.c) ----
 * Whatever is read from packets (every indicator kind, behaviour,
 * anomalies, location) speaks to L1 and L2 only; L3, L3i and L4 take
 * claims only; a location claim never speaks to L4 (DESIGN.md "Scoring").
 * Each returns true when admissible, else false with the reason (one
 * line, no location: the loader prefixes file:line:col or the object). */
bool model_pattern_admissible(const struct model_pattern *p, char *why,
			      size_t size);
bool model_claim_admissible(const struct model_claim *c, char *why,
			    size_t size);

/* Records a pattern that cannot be evaluated. 0 or -1. */
int model_add_unevaluated(struct model_set *ms, const char *origin,
			  const char *pattern, const char *reason);

/* Adds a legal standard (replacing the defaults once any is added). */
int model_add_standard(struct model_set *ms, const char *name,
		       double threshold, bool strict);

/* Largest model file read, in bytes. */
#define MODEL_FILE_MAX_BYTES (64u << 20)

/*
 * Reads a whole model file (a regular file of at most
 * MODEL_FILE_MAX_BYTES: FIFOs and devices are refused, see file.h) into a new
 * NUL-terminated buffer (*buf, the caller frees it; *len excludes the
 * NUL), records it in ms->files with its SHA-256 and format ("yaml",
 * "stix"). 0, or -1 with "file: reason" in err.
 */
int model_file_read(struct model_set *ms, const char *path,
		    const char *format, char **buf, size_t *len, char *err,
		    size_t errlen);

/* Largest prefix table read, in bytes, and most prefixes in a model set. */
#define MODEL_PREFIX_TABLE_MAX_BYTES (64u << 20)
#define MODEL_PREFIXES_MAX (1u << 20)

/*
 * Reads a prefix table (a regular file of at most
 * MODEL_PREFIX_TABLE_MAX_BYTES; at most MODEL_PREFIXES_MAX prefixes in
 * all): text lines "PREFIX,ASN,COUNTRY" (e.g.
 * "198.51.100.0/24,64500,ZZ"), '#' comments and blank lines ignored; or,
 * for a file named *.mmdb, a MaxMind DB (ASN and country fields,
 * analyze/intel/mmdb.h), recorded in ms->files with format "mmdb" and its
 * SHA-256 (at most MODEL_MMDB_MAX). 0, or -1 with "file:line: ..." in err.
 */
int model_load_prefixes(struct model_set *ms, const char *path, char *err,
			size_t errlen);

/* ---- small parsers shared by the loaders (model.c) ---- */

/* Parses "203.0.113.0/24", "2001:db8::/32" or a bare address (a host
 * prefix) into addr/family/prefix_len, with the host bits cleared.
 * false on anything else. */
bool model_parse_cidr(const char *text, uint8_t addr[16], int *family,
		      int *prefix_len);

/* Parses an address text (IPv4 or IPv6) into 16 bytes, network order,
 * zero-filled: returns the family, 4 or 6, or 0 when it is no address. */
int model_parse_addr(const char *text, uint8_t out[16]);

/* True when the address text (IPv4 or IPv6) lies in the network. */
bool model_addr_in(const char *addr_text, const uint8_t net[16], int family,
		   int prefix_len);

/* The prefix-table row with the longest prefix holding addr_text, or
 * NULL; with no such row, what the MaxMind DB tables say of the address
 * (asn, country; addr and prefix_len unset), in a buffer of the calling
 * thread valid until its next call. */
const struct model_prefix *model_prefix_lookup(const struct model_set *ms,
					       const char *addr_text);

#endif
