/*
 * pattern_internal.h — what the three parts of the STIX pattern reader
 * share (lex.c: tokens; pattern.c: the parser; dnf.c: alternatives).
 * Internal to analyze/intel/stix/.
 */
#ifndef ATTRIB_STIX_PATTERN_INTERNAL_H
#define ATTRIB_STIX_PATTERN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/intel/stix/stix.h"

enum tok_type {
	T_END, T_IDENT, T_STRING, T_TIMESTAMP, T_BINARY, T_HEX, T_INT, T_FLOAT,
	T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_COLON, T_DOT, T_COMMA,
	T_STAR, T_EQ, T_NEQ, T_LT, T_LE, T_GT, T_GE,
};

struct token {
	enum tok_type type;
	size_t start, end;  /* its bytes in the pattern */
	const char *text;   /* decoded identifier or literal (arena) */
	size_t len;
	double num;
};

enum node_kind {
	N_CMP, N_AND, N_OR,                      /* comparison expressions */
	N_OBS, N_OBS_AND, N_OBS_OR, N_FOLLOWEDBY, /* observation expressions */
	N_QUALIFIED,
};

struct node {
	enum node_kind kind;
	int child, next;       /* first child, next sibling; -1 for none */
	int cmp;               /* N_CMP: index into mem->cmps */
	const char *reason;    /* N_QUALIFIED: why it is not evaluated */
	size_t start, end;
};

struct cmp_rec {
	struct stix_cmp pub;
	size_t member_first, n_members; /* IN: its set, in mem->members */
	size_t test_first, n_tests;     /* its tests, in mem->tests */
};

/* A test while alternatives are built: indices, not pointers, since the
 * arrays they point into may still move. */
struct test_ref {
	size_t cmp;
	long member;           /* index into members, or -1 */
};

struct term {
	uint32_t test[STIX_PATTERN_MAX_AND];
	size_t n;
	size_t start, end;
};

struct terms {
	struct term *v;
	size_t n, cap;
};

struct stix_pattern_mem {
	char *arena;
	size_t arena_used, arena_cap;
	struct node *nodes;
	size_t n_nodes, cap_nodes;
	struct cmp_rec *cmps;
	size_t n_cmps, cap_cmps;
	struct stix_value *members;
	size_t n_members, cap_members;
	struct test_ref *tests;
	size_t n_tests;
	struct stix_test *alt_tests;  /* what the alternatives point into */
	uint32_t *alt_test_ref;       /* indices into tests, while building */
	size_t n_alt_tests, cap_alt_tests;
	size_t *alt_first;            /* each alternative's first test */
	size_t cap_alts;
};

struct parser {
	const char *s;
	size_t len, pos;
	struct token tok;
	bool have_tok;
	int depth;
	struct stix_pattern *p;
	struct stix_pattern_mem *m;
	const char *error;
	size_t error_at;
	bool oom;
};

/* Records the first error (why, at byte offset at); returns -1. */
int pattern_fail(struct parser *ps, const char *why, size_t at);
/* Records running out of memory; returns -1. */
int pattern_fail_oom(struct parser *ps);

/* ---- tokens (lex.c) ---- */

bool lex_is_space(char c);
/* The current token, read on first use. After a tokenizer error it is
 * T_END (and the error is recorded), so the parser stops. */
const struct token *lex_cur(struct parser *ps);
/* Moves past the current token. */
void lex_advance(struct parser *ps);
bool lex_at(struct parser *ps, enum tok_type type);
/* The current token is the identifier kw (keywords are upper case). */
bool lex_at_keyword(struct parser *ps, const char *kw);
/* Moves past a token of this type, or fails with why. */
int lex_expect(struct parser *ps, enum tok_type type, const char *why);

/* ---- alternatives (dnf.c) ---- */

/*
 * Fills p->alts from the parsed observation tree under root: 0, -1 when
 * out of memory, 1 when there are more than STIX_PATTERN_MAX_ALTS.
 */
int pattern_alternatives(struct stix_pattern *p, int root);

/* Reason given when a pattern expands to too many alternatives. */
extern const char *const pattern_too_many_alts;

#endif
