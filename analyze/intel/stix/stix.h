/*
 * stix.h — the STIX 2.1 reader (docs/model-format.md, "STIX 2.1 input")
 * in the parts that are tested and fuzzed on their own:
 *
 *   lex.c, pattern.c, dnf.c  the STIX patterning language: a bounded
 *                  tokenizer and parser that reduce a pattern to
 *                  alternatives, each a set of comparisons joined by AND;
 *   map.c          one alternative as one attrib matcher (indicator kind,
 *                  exact value, CIDR, glob or range), or the reason it
 *                  cannot be evaluated;
 *   bundle.c, load.c  bundles: objects, versions, relationships, and the
 *                  hypotheses, patterns and claims they become
 *                  (model_load_stix(), declared in model.h).
 *
 * Nothing here is part of attrib's interface outside analyze/intel/.
 */
#ifndef ATTRIB_STIX_STIX_H
#define ATTRIB_STIX_STIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/intel/model.h"

/* ---- patterns (lex.c, pattern.c, dnf.c) ---- */

#define STIX_PATTERN_MAX_BYTES 65536u /* longer patterns are not parsed */
#define STIX_PATTERN_MAX_DEPTH 32     /* nested '(' and '[' */
#define STIX_PATTERN_MAX_NODES 8192   /* comparisons, groups, set members */
#define STIX_PATTERN_MAX_ALTS 1024    /* alternatives after expansion */
#define STIX_PATTERN_MAX_AND 16       /* comparisons in one alternative */
#define STIX_PATH_MAX_STEPS 8         /* object path steps kept */

enum stix_op {
	STIX_OP_EQ,         /* = or == */
	STIX_OP_NEQ,        /* != or <> */
	STIX_OP_GT,
	STIX_OP_GE,
	STIX_OP_LT,
	STIX_OP_LE,
	STIX_OP_IN,
	STIX_OP_LIKE,
	STIX_OP_MATCHES,
	STIX_OP_ISSUBSET,
	STIX_OP_ISSUPERSET,
	STIX_OP_EXISTS,
};

/* "=", "!=", ..., "LIKE", "EXISTS". */
const char *stix_op_name(enum stix_op op);

enum stix_value_type {
	STIX_V_NONE,      /* EXISTS has no value */
	STIX_V_STRING,    /* 'text' */
	STIX_V_INT,
	STIX_V_FLOAT,
	STIX_V_BOOL,
	STIX_V_TIMESTAMP, /* t'...' */
	STIX_V_BINARY,    /* b'...' (base64) */
	STIX_V_HEX,       /* h'...' */
	STIX_V_SET,       /* ( ... ) of IN: each member is a test */
};

struct stix_value {
	enum stix_value_type type;
	const char *text;  /* decoded text (escapes resolved), NUL-terminated;
			      "" for numbers and booleans */
	size_t len;        /* strlen(text) */
	double num;        /* INT and FLOAT */
	bool boolean;
};

/* An object path: "ipv4-addr:value", "x509-certificate:hashes.'SHA-1'". */
struct stix_path {
	const char *object;                     /* object type */
	const char *step[STIX_PATH_MAX_STEPS];  /* property names, decoded */
	bool index[STIX_PATH_MAX_STEPS];        /* step is "[n]" or "[*]" */
	size_t n_steps;                         /* steps kept */
	bool too_long;                          /* more steps than kept */
};

/* One comparison as written. */
struct stix_cmp {
	struct stix_path path;
	enum stix_op op;
	bool negated;            /* NOT before the operator */
	struct stix_value value; /* STIX_V_SET for IN */
	size_t start, end;       /* its bytes in the pattern */
};

/* One comparison of an alternative: IN is expanded into one alternative
 * per member, each an equality with that member. */
struct stix_test {
	const struct stix_cmp *cmp;
	enum stix_op op;                /* cmp->op, or EQ for an IN member */
	const struct stix_value *value; /* cmp->value, or the member */
};

/* One way the pattern can match: tests joined by AND, or a part of the
 * pattern that cannot be evaluated at all (reason set, no tests). */
struct stix_alt {
	const struct stix_test *tests;
	size_t n_tests;
	const char *reason;      /* static text, or NULL */
	size_t start, end;       /* its bytes in the pattern */
};

struct stix_pattern_mem;

struct stix_pattern {
	struct stix_alt *alts;   /* in the order the pattern gives them */
	size_t n_alts;
	const char *error;       /* NULL, or why the pattern is malformed */
	size_t error_at;         /* byte offset of the error */
	struct stix_pattern_mem *mem;
};

/*
 * Parses a STIX pattern of len bytes (it need not be NUL-terminated).
 * Observation expressions joined by OR, and comparisons joined by OR
 * within one observation, become separate alternatives; AND between
 * comparisons is distributed over OR; observation expressions joined by
 * AND or FOLLOWEDBY, and qualified ones (WITHIN, REPEATS, START/STOP),
 * become one alternative each with a reason. A malformed pattern (or one
 * past the limits above) gives error and error_at and no alternatives.
 * Returns NULL only when out of memory; the caller frees the result with
 * stix_pattern_free(), and the result does not point into text.
 */
struct stix_pattern *stix_pattern_parse(const char *text, size_t len);
void stix_pattern_free(struct stix_pattern *p);

/* ---- one alternative as an attrib matcher (map.c) ---- */

#define STIX_MAP_MAX_KINDS 3
#define STIX_MAP_TEXT_MAX (2 * 1024 + 1) /* a glob of an escaped value */

struct stix_match {
	int kinds[STIX_MAP_MAX_KINDS]; /* enum obs_kind or MODEL_KIND_ANY_IP */
	size_t n_kinds;                /* > 1: a domain name, one per kind */
	enum model_match match;        /* EXACT CIDR GLOB PERIOD UTC_OFFSET */
	char text[STIX_MAP_TEXT_MAX];  /* EXACT, GLOB; CIDR as "net/len" */
	uint8_t addr[16];              /* CIDR */
	int family, prefix_len;
	double lo, hi;                 /* PERIOD, UTC_OFFSET */
	enum model_link link;          /* default link of the kind */
};

/* "ip" for MODEL_KIND_ANY_IP, else the kind's contract name. */
const char *stix_kind_name(int kind);

/*
 * Maps one evaluable alternative (reason NULL) to a matcher. Returns 0,
 * or -1 with the reason it cannot be evaluated in why (one line).
 */
int stix_map_alt(const struct stix_alt *alt, struct stix_match *out,
		 char *why, size_t whylen);

/* ---- bundles (bundle.c, load.c) ---- */

/* Admiralty information credibility 1..5 of a STIX confidence 0..100
 * (STIX 2.1 Appendix A); 6 for a value outside 0..100. */
int stix_confidence_credibility(long long confidence);

struct stix_counts {
	size_t objects;        /* objects in the bundle */
	size_t objects_unused; /* of types, or relationships, attrib ignores */
};

/*
 * Reads a bundle already in memory (len bytes; buf need not be
 * NUL-terminated) into ms. name is the file's path, used in origins,
 * errors and as the default source label (its last component). 0, or -1
 * with "name: reason" in err. Patterns and relationships that cannot be
 * used go to ms->uneval.
 */
int stix_bundle_load(struct model_set *ms, const char *name, const char *buf,
		     size_t len, struct stix_counts *counts, char *err,
		     size_t errlen);

/* True when id is "type--" followed by a UUID (8-4-4-4-12 hex digits,
 * any version). */
bool stix_is_id(const char *id, const char *type);

#endif
