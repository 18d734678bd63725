/*
 * pattern.c — the parser of the STIX 2.1 patterning language (STIX 2.1
 * part 9), read into alternatives attrib can try one at a time (stix.h).
 *
 * Recursive descent following the grammar's precedence (FOLLOWEDBY < OR <
 * AND, for observation and for comparison expressions). Operands joined
 * by one operator become one n-ary node, so recursion is bounded by the
 * nesting cap (STIX_PATTERN_MAX_DEPTH) rather than by the number of
 * terms; nodes, comparisons and set members together are capped by
 * STIX_PATTERN_MAX_NODES. Tokens come from lex.c, alternatives from dnf.c.
 */
#include "analyze/intel/stix/pattern_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[] = {
	[STIX_OP_EQ] = "=", [STIX_OP_NEQ] = "!=", [STIX_OP_GT] = ">",
	[STIX_OP_GE] = ">=", [STIX_OP_LT] = "<", [STIX_OP_LE] = "<=",
	[STIX_OP_IN] = "IN", [STIX_OP_LIKE] = "LIKE",
	[STIX_OP_MATCHES] = "MATCHES", [STIX_OP_ISSUBSET] = "ISSUBSET",
	[STIX_OP_ISSUPERSET] = "ISSUPERSET", [STIX_OP_EXISTS] = "EXISTS",
};

const char *stix_op_name(enum stix_op op)
{
	return (unsigned)op < sizeof op_names / sizeof op_names[0]
		       ? op_names[op]
		       : "";
}

/* Grows an array to hold one more element, within the node budget. */
static int grow(struct parser *ps, void **arr, size_t *cap, size_t n,
		size_t sz)
{
	struct stix_pattern_mem *m = ps->m;
	if (m->n_nodes + m->n_cmps + m->n_members >= STIX_PATTERN_MAX_NODES)
		return pattern_fail(
			ps,
			"too many comparisons, groups or set members "
			"(more than 8192)",
			ps->pos);
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *q = realloc(*arr, ncap * sz);
	if (!q)
		return pattern_fail_oom(ps);
	*arr = q;
	*cap = ncap;
	return 0;
}

/* ---- parser ---- */

static int new_node(struct parser *ps, enum node_kind kind, size_t start)
{
	struct stix_pattern_mem *m = ps->m;
	if (grow(ps, (void **)&m->nodes, &m->cap_nodes, m->n_nodes,
		 sizeof *m->nodes) != 0)
		return -1;
	struct node *n = &m->nodes[m->n_nodes];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->child = n->next = n->cmp = -1;
	n->start = start;
	n->end = start;
	return (int)m->n_nodes++;
}

typedef int (*parse_fn)(struct parser *ps);

/* sub (kw sub)*: the single operand itself, or an n-ary node of kind. */
static int parse_nary(struct parser *ps, enum node_kind kind, const char *kw,
		      parse_fn sub)
{
	int first = sub(ps);
	if (first < 0 || !lex_at_keyword(ps, kw))
		return first;
	int n = new_node(ps, kind, ps->m->nodes[first].start);
	if (n < 0)
		return -1;
	ps->m->nodes[n].child = first;
	int last = first;
	while (lex_at_keyword(ps, kw)) {
		lex_advance(ps);
		int c = sub(ps);
		if (c < 0)
			return -1;
		ps->m->nodes[last].next = c;
		last = c;
	}
	ps->m->nodes[n].end = ps->m->nodes[last].end;
	return n;
}

static int enter(struct parser *ps)
{
	if (++ps->depth > STIX_PATTERN_MAX_DEPTH)
		return pattern_fail(ps, "nested deeper than 32 levels",
				    lex_cur(ps)->start);
	return 0;
}

/* A property name: an identifier without '-', or a quoted string. */
static int parse_step(struct parser *ps, struct stix_path *path, bool first)
{
	const struct token *t = lex_cur(ps);
	if (t->type == T_IDENT && strchr(t->text, '-'))
		return pattern_fail(ps,
				    "a property name with '-' must be quoted",
				    t->start);
	if (t->type != T_IDENT && t->type != T_STRING)
		return pattern_fail(
			ps,
			first ? "expected a property name after ':'"
			      : "expected a property name after '.'",
			t->start);
	if (path->n_steps < STIX_PATH_MAX_STEPS)
		path->step[path->n_steps++] = t->text;
	else
		path->too_long = true;
	lex_advance(ps);
	return 0;
}

static int parse_path(struct parser *ps, struct stix_path *path)
{
	const struct token *t = lex_cur(ps);
	memset(path, 0, sizeof *path);
	if (t->type != T_IDENT)
		return pattern_fail(ps, "expected an object type", t->start);
	path->object = t->text;
	lex_advance(ps);
	if (lex_expect(ps, T_COLON, "expected ':' after the object type") !=
		    0 ||
	    parse_step(ps, path, true) != 0)
		return -1;
	for (;;) {
		if (lex_at(ps, T_DOT)) {
			lex_advance(ps);
			if (parse_step(ps, path, false) != 0)
				return -1;
		} else if (lex_at(ps, T_LBRACK)) {
			lex_advance(ps);
			t = lex_cur(ps);
			if (t->type != T_STAR &&
			    !(t->type == T_INT && t->num == floor(t->num)))
				return pattern_fail(ps,
						    "expected an index or '*'",
						    t->start);
			if (path->n_steps < STIX_PATH_MAX_STEPS) {
				path->index[path->n_steps] = true;
				path->step[path->n_steps++] =
					t->type == T_STAR ? "*" : "n";
			} else {
				path->too_long = true;
			}
			lex_advance(ps);
			if (lex_expect(ps, T_RBRACK,
				       "expected ']' after an index") != 0)
				return -1;
		} else {
			return 0;
		}
	}
}

/* A literal; orderable excludes booleans. */
static int parse_literal(struct parser *ps, struct stix_value *v,
			 bool orderable)
{
	const struct token *t = lex_cur(ps);
	memset(v, 0, sizeof *v);
	v->text = "";
	switch (t->type) {
	case T_STRING: v->type = STIX_V_STRING; break;
	case T_INT: v->type = STIX_V_INT; break;
	case T_FLOAT: v->type = STIX_V_FLOAT; break;
	case T_TIMESTAMP: v->type = STIX_V_TIMESTAMP; break;
	case T_BINARY: v->type = STIX_V_BINARY; break;
	case T_HEX: v->type = STIX_V_HEX; break;
	case T_IDENT:
		if (!orderable && (!strcmp(t->text, "true") ||
				   !strcmp(t->text, "false"))) {
			v->type = STIX_V_BOOL;
			v->boolean = t->text[0] == 't';
			lex_advance(ps);
			return 0;
		}
		/* fall through */
	default:
		return pattern_fail(ps, "expected a value", t->start);
	}
	v->text = t->text;
	v->len = t->len;
	v->num = t->num;
	lex_advance(ps);
	return 0;
}

/* ( [literal (, literal)*] ): the members go to mem->members. */
static int parse_set(struct parser *ps, size_t *first, size_t *n)
{
	struct stix_pattern_mem *m = ps->m;
	if (lex_expect(ps, T_LPAREN, "expected '(' after IN") != 0)
		return -1;
	*first = m->n_members;
	*n = 0;
	if (lex_at(ps, T_RPAREN)) {
		lex_advance(ps);
		return 0;
	}
	for (;;) {
		struct stix_value v;
		if (parse_literal(ps, &v, false) != 0 ||
		    grow(ps, (void **)&m->members, &m->cap_members,
			 m->n_members, sizeof *m->members) != 0)
			return -1;
		m->members[m->n_members++] = v;
		(*n)++;
		if (lex_at(ps, T_RPAREN)) {
			lex_advance(ps);
			return 0;
		}
		if (lex_expect(ps, T_COMMA, "expected ',' or ')' in a set") !=
		    0)
			return -1;
	}
}

static const struct {
	enum tok_type tok;
	const char *kw;
	enum stix_op op;
} operators[] = {
	{T_EQ, NULL, STIX_OP_EQ},         {T_NEQ, NULL, STIX_OP_NEQ},
	{T_GT, NULL, STIX_OP_GT},         {T_GE, NULL, STIX_OP_GE},
	{T_LT, NULL, STIX_OP_LT},         {T_LE, NULL, STIX_OP_LE},
	{T_IDENT, "IN", STIX_OP_IN},      {T_IDENT, "LIKE", STIX_OP_LIKE},
	{T_IDENT, "MATCHES", STIX_OP_MATCHES},
	{T_IDENT, "ISSUBSET", STIX_OP_ISSUBSET},
	{T_IDENT, "ISSUPERSET", STIX_OP_ISSUPERSET},
};

/* path [NOT] op value, or EXISTS path. */
static int parse_comparison(struct parser *ps)
{
	struct stix_pattern_mem *m = ps->m;
	struct cmp_rec rec;
	size_t start = lex_cur(ps)->start;
	memset(&rec, 0, sizeof rec);
	if (lex_at_keyword(ps, "EXISTS")) {
		lex_advance(ps);
		rec.pub.op = STIX_OP_EXISTS;
		rec.pub.value.type = STIX_V_NONE;
		rec.pub.value.text = ""; /* stix.h: text is never NULL */
		if (parse_path(ps, &rec.pub.path) != 0)
			return -1;
	} else {
		if (parse_path(ps, &rec.pub.path) != 0)
			return -1;
		if (lex_at_keyword(ps, "NOT")) {
			rec.pub.negated = true;
			lex_advance(ps);
		}
		const struct token *t = lex_cur(ps);
		size_t i, n_ops = sizeof operators / sizeof operators[0];
		for (i = 0; i < n_ops; i++)
			if (t->type == operators[i].tok &&
			    (!operators[i].kw || !strcmp(t->text,
							 operators[i].kw)))
				break;
		if (i == n_ops)
			return pattern_fail(
				ps, "expected a comparison operator", t->start);
		rec.pub.op = operators[i].op;
		lex_advance(ps);
		switch (rec.pub.op) {
		case STIX_OP_IN:
			rec.pub.value.type = STIX_V_SET;
			rec.pub.value.text = "";
			if (parse_set(ps, &rec.member_first, &rec.n_members)
			    != 0)
				return -1;
			break;
		case STIX_OP_LIKE:
		case STIX_OP_MATCHES:
		case STIX_OP_ISSUBSET:
		case STIX_OP_ISSUPERSET:
			if (!lex_at(ps, T_STRING))
				return pattern_fail(ps,
						    "expected a quoted string",
						    lex_cur(ps)->start);
			/* fall through */
		default:
			if (parse_literal(ps, &rec.pub.value,
					  rec.pub.op != STIX_OP_EQ &&
						  rec.pub.op != STIX_OP_NEQ) !=
			    0)
				return -1;
		}
	}
	rec.pub.start = start;
	rec.pub.end = ps->tok.end;
	if (ps->have_tok) /* the next token is already read: end before it */
		rec.pub.end = ps->tok.start;
	while (rec.pub.end > start && lex_is_space(ps->s[rec.pub.end - 1]))
		rec.pub.end--;
	if (grow(ps, (void **)&m->cmps, &m->cap_cmps, m->n_cmps,
		 sizeof *m->cmps) != 0)
		return -1;
	int n = new_node(ps, N_CMP, start);
	if (n < 0)
		return -1;
	m->cmps[m->n_cmps] = rec;
	m->nodes[n].cmp = (int)m->n_cmps++;
	m->nodes[n].end = rec.pub.end;
	return n;
}

static int parse_cmp_or(struct parser *ps);

/* The ')' closing a group that began at start: node n's span becomes the
 * whole group, parentheses included. */
static int group_end(struct parser *ps, int n, size_t start)
{
	size_t end = lex_cur(ps)->end;
	if (lex_expect(ps, T_RPAREN, "expected ')'") != 0)
		return -1;
	ps->m->nodes[n].start = start;
	ps->m->nodes[n].end = end;
	return 0;
}

static int parse_cmp_prim(struct parser *ps)
{
	size_t start = lex_cur(ps)->start;
	if (!lex_at(ps, T_LPAREN))
		return parse_comparison(ps);
	lex_advance(ps);
	if (enter(ps) != 0)
		return -1;
	int n = parse_cmp_or(ps);
	if (n < 0 || group_end(ps, n, start) != 0)
		return -1;
	ps->depth--;
	return n;
}

static int parse_cmp_and(struct parser *ps)
{
	return parse_nary(ps, N_AND, "AND", parse_cmp_prim);
}

static int parse_cmp_or(struct parser *ps)
{
	return parse_nary(ps, N_OR, "OR", parse_cmp_and);
}

static int parse_obs_fb(struct parser *ps);

static int parse_obs_prim(struct parser *ps)
{
	size_t start = lex_cur(ps)->start;
	int n;
	if (lex_at(ps, T_LBRACK)) {
		lex_advance(ps);
		if (enter(ps) != 0)
			return -1;
		int c = parse_cmp_or(ps);
		if (c < 0)
			return -1;
		size_t end = lex_cur(ps)->end;
		if (lex_expect(ps, T_RBRACK, "expected ']'") != 0)
			return -1;
		ps->depth--;
		if ((n = new_node(ps, N_OBS, start)) < 0)
			return -1;
		ps->m->nodes[n].child = c;
		ps->m->nodes[n].end = end;
		return n;
	}
	if (!lex_at(ps, T_LPAREN))
		return pattern_fail(ps, "expected '[' or '('", start);
	lex_advance(ps);
	if (enter(ps) != 0)
		return -1;
	n = parse_obs_fb(ps);
	if (n < 0 || group_end(ps, n, start) != 0)
		return -1;
	ps->depth--;
	return n;
}

/* WITHIN n SECONDS | REPEATS n TIMES | START t'..' STOP t'..'; *end is
 * the offset just after it. */
static int parse_qualifier(struct parser *ps, const char **reason,
			   size_t *end)
{
	const struct token *t;
	if (lex_at_keyword(ps, "WITHIN")) {
		*reason = "the WITHIN qualifier is not evaluated (each "
			  "alternative matches one observation, at any time)";
		lex_advance(ps);
		t = lex_cur(ps);
		if ((t->type != T_INT && t->type != T_FLOAT) || t->num <= 0)
			return pattern_fail(
				ps, "expected a positive number of seconds",
				t->start);
		lex_advance(ps);
		if (!lex_at_keyword(ps, "SECONDS"))
			return pattern_fail(ps, "expected SECONDS",
					    lex_cur(ps)->start);
	} else if (lex_at_keyword(ps, "REPEATS")) {
		*reason = "the REPEATS qualifier is not evaluated (a pattern "
			  "gives one piece of evidence however often it "
			  "matches)";
		lex_advance(ps);
		t = lex_cur(ps);
		if (t->type != T_INT || t->num <= 0)
			return pattern_fail(ps,
					    "expected a positive whole number",
					    t->start);
		lex_advance(ps);
		if (!lex_at_keyword(ps, "TIMES"))
			return pattern_fail(ps, "expected TIMES",
					    lex_cur(ps)->start);
	} else {
		*reason = "the START/STOP qualifier is not evaluated (no "
			  "time window is applied to observations)";
		lex_advance(ps);
		if (!lex_at(ps, T_TIMESTAMP))
			return pattern_fail(ps, "expected a timestamp t'...'",
				    lex_cur(ps)->start);
		lex_advance(ps);
		if (!lex_at_keyword(ps, "STOP"))
			return pattern_fail(ps, "expected STOP",
					    lex_cur(ps)->start);
		lex_advance(ps);
		if (!lex_at(ps, T_TIMESTAMP))
			return pattern_fail(ps, "expected a timestamp t'...'",
				    lex_cur(ps)->start);
	}
	*end = lex_cur(ps)->end;
	lex_advance(ps);
	return 0;
}

static int parse_obs_qualified(struct parser *ps)
{
	int n = parse_obs_prim(ps);
	while (n >= 0 && (lex_at_keyword(ps, "WITHIN") ||
			  lex_at_keyword(ps, "REPEATS") ||
			  lex_at_keyword(ps, "START"))) {
		const char *reason;
		size_t end = 0;
		if (parse_qualifier(ps, &reason, &end) != 0)
			return -1;
		int q = new_node(ps, N_QUALIFIED, ps->m->nodes[n].start);
		if (q < 0)
			return -1;
		ps->m->nodes[q].child = n;
		ps->m->nodes[q].reason = reason;
		ps->m->nodes[q].end = end;
		n = q;
	}
	return n;
}

static int parse_obs_and(struct parser *ps)
{
	return parse_nary(ps, N_OBS_AND, "AND", parse_obs_qualified);
}

static int parse_obs_or(struct parser *ps)
{
	return parse_nary(ps, N_OBS_OR, "OR", parse_obs_and);
}

static int parse_obs_fb(struct parser *ps)
{
	return parse_nary(ps, N_FOLLOWEDBY, "FOLLOWEDBY", parse_obs_or);
}

void stix_pattern_free(struct stix_pattern *p)
{
	if (!p)
		return;
	if (p->mem) {
		free(p->mem->arena);
		free(p->mem->nodes);
		free(p->mem->cmps);
		free(p->mem->members);
		free(p->mem->tests);
		free(p->mem->alt_tests);
		free(p->mem->alt_test_ref);
		free(p->mem->alt_first);
		free(p->mem);
	}
	free(p->alts);
	free(p);
}

/* Records a malformed pattern: no alternatives. */
static void set_error(struct stix_pattern *p, const char *why, size_t at)
{
	p->error = why;
	p->error_at = at;
	p->n_alts = 0;
}

struct stix_pattern *stix_pattern_parse(const char *text, size_t len)
{
	struct stix_pattern *p = calloc(1, sizeof *p);
	if (!p || !(p->mem = calloc(1, sizeof *p->mem)))
		goto oom;
	if (len > STIX_PATTERN_MAX_BYTES) {
		set_error(p, "pattern longer than 65536 bytes", 0);
		return p;
	}
	const char *nul = len ? memchr(text, '\0', len) : NULL;
	if (nul) {
		set_error(p, "NUL byte in the pattern", (size_t)(nul - text));
		return p;
	}
	p->mem->arena_cap = 2 * len + 16;
	if (!(p->mem->arena = malloc(p->mem->arena_cap)))
		goto oom;
	struct parser ps = {.s = text, .len = len, .p = p, .m = p->mem};
	int root = parse_obs_fb(&ps);
	if (root >= 0 && !lex_at(&ps, T_END))
		pattern_fail(&ps, "unexpected text after the pattern",
			     lex_cur(&ps)->start);
	if (ps.oom)
		goto oom;
	if (ps.error) {
		set_error(p, ps.error, ps.error_at);
		return p;
	}
	int rc = pattern_alternatives(p, root);
	if (rc < 0)
		goto oom;
	if (rc == 1)
		set_error(p, pattern_too_many_alts, 0);
	return p;
oom:
	stix_pattern_free(p);
	return NULL;
}
