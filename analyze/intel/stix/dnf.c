/*
 * dnf.c — a parsed STIX pattern as alternatives (pattern_internal.h):
 * observation expressions joined by OR are alternatives; within one
 * observation, comparisons are put in disjunctive normal form (AND
 * distributed over OR, IN expanded into one equality per member), bounded
 * by STIX_PATTERN_MAX_ALTS alternatives of at most STIX_PATTERN_MAX_AND
 * comparisons. Observation expressions joined by AND or FOLLOWEDBY, and
 * qualified ones, are one alternative each with the reason attrib cannot
 * evaluate them.
 */
#include "analyze/intel/stix/pattern_internal.h"

#include <stdlib.h>
#include <string.h>

static void terms_free(struct terms *ts)
{
	free(ts->v);
	ts->v = NULL;
	ts->n = ts->cap = 0;
}

static int terms_push(struct terms *ts, const struct term *t)
{
	if (ts->n == ts->cap) {
		size_t ncap = ts->cap ? ts->cap * 2 : 4;
		struct term *v = realloc(ts->v, ncap * sizeof *v);
		if (!v)
			return -1;
		ts->v = v;
		ts->cap = ncap;
	}
	ts->v[ts->n++] = *t;
	return 0;
}

/* Results of dnf(): 0, -1 out of memory, or a reason it is too big. */
const char *const pattern_too_many_alts =
	"more than 1024 alternatives after expanding OR, AND and IN";
static const char *const too_many_ands =
	"more than 16 comparisons joined by AND in one alternative";

/*
 * The comparisons under node n as alternatives of AND-joined tests
 * (disjunctive normal form), bounded by STIX_PATTERN_MAX_ALTS and
 * STIX_PATTERN_MAX_AND. Returns 0, -1 (out of memory) or 1 with *why.
 */
static int dnf(struct stix_pattern_mem *m, int n, struct terms *out,
	       const char **why)
{
	const struct node *nd = &m->nodes[n];
	struct term t;
	if (nd->kind == N_CMP) {
		const struct cmp_rec *r = &m->cmps[nd->cmp];
		for (size_t i = 0; i < r->n_tests; i++) {
			t.n = 1;
			t.test[0] = (uint32_t)(r->test_first + i);
			t.start = r->pub.start;
			t.end = r->pub.end;
			if (out->n >= STIX_PATTERN_MAX_ALTS)
				return *why = pattern_too_many_alts, 1;
			if (terms_push(out, &t) != 0)
				return -1;
		}
		return 0;
	}
	if (nd->kind == N_OR) {
		for (int c = nd->child; c >= 0; c = m->nodes[c].next) {
			int rc = dnf(m, c, out, why);
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	/* N_AND: the product of the children's alternatives */
	struct terms acc = {0}, next = {0}, part = {0};
	int rc = 0;
	/* every product term is shown as the whole AND expression */
	t.n = 0;
	t.start = nd->start;
	t.end = nd->end;
	if (terms_push(&acc, &t) != 0)
		return -1;
	for (int c = nd->child; c >= 0 && rc == 0; c = m->nodes[c].next) {
		terms_free(&part);
		if ((rc = dnf(m, c, &part, why)) != 0)
			break;
		if (part.n && acc.n > STIX_PATTERN_MAX_ALTS / part.n) {
			*why = pattern_too_many_alts;
			rc = 1;
			break;
		}
		for (size_t i = 0; i < acc.n && rc == 0; i++)
			for (size_t j = 0; j < part.n && rc == 0; j++) {
				const struct term *a = &acc.v[i],
						  *b = &part.v[j];
				if (a->n + b->n > STIX_PATTERN_MAX_AND) {
					*why = too_many_ands;
					rc = 1;
					break;
				}
				t = *a;
				memcpy(t.test + t.n, b->test,
				       b->n * sizeof b->test[0]);
				t.n += b->n;
				if (terms_push(&next, &t) != 0)
					rc = -1;
			}
		terms_free(&acc);
		acc = next;
		next = (struct terms){0};
	}
	terms_free(&part);
	terms_free(&next);
	for (size_t i = 0; rc == 0 && i < acc.n; i++) {
		if (out->n >= STIX_PATTERN_MAX_ALTS) {
			*why = pattern_too_many_alts;
			rc = 1;
		} else if (terms_push(out, &acc.v[i]) != 0) {
			rc = -1;
		}
	}
	terms_free(&acc);
	return rc;
}

/* Appends one alternative: tests (n of them) or a reason. */
static int add_alt(struct stix_pattern *p, const uint32_t *tests, size_t n,
		   const char *reason, size_t start, size_t end)
{
	struct stix_pattern_mem *m = p->mem;
	if (p->n_alts >= STIX_PATTERN_MAX_ALTS)
		return 1;
	if (p->n_alts == m->cap_alts) {
		size_t ncap = m->cap_alts ? m->cap_alts * 2 : 4;
		struct stix_alt *v = realloc(p->alts, ncap * sizeof *v);
		if (!v)
			return -1;
		p->alts = v;
		size_t *f = realloc(m->alt_first, ncap * sizeof *f);
		if (!f)
			return -1;
		m->alt_first = f;
		m->cap_alts = ncap;
	}
	if (n > m->cap_alt_tests - m->n_alt_tests) {
		size_t ncap = m->cap_alt_tests ? m->cap_alt_tests * 2 : 16;
		while (ncap - m->n_alt_tests < n)
			ncap *= 2;
		uint32_t *v = realloc(m->alt_test_ref, ncap * sizeof *v);
		if (!v)
			return -1;
		m->alt_test_ref = v;
		m->cap_alt_tests = ncap;
	}
	m->alt_first[p->n_alts] = m->n_alt_tests;
	struct stix_alt *a = &p->alts[p->n_alts++];
	memset(a, 0, sizeof *a);
	a->n_tests = n; /* tests is set by resolve() */
	a->reason = reason;
	a->start = start;
	a->end = end;
	if (n)
		memcpy(m->alt_test_ref + m->n_alt_tests, tests,
		       n * sizeof *tests);
	m->n_alt_tests += n;
	return 0;
}

static const char *const obs_and_reason =
	"observation expressions joined by AND are not evaluated (each "
	"pattern attrib scores matches one observation)";
static const char *const followedby_reason =
	"FOLLOWEDBY is not evaluated (observations are not put in order)";
static const char *const never_reason =
	"can never match (IN with an empty set)";

/* The alternatives of observation node n. 0, -1 out of memory, 1 too
 * many. */
static int collect(struct stix_pattern *p, int n)
{
	struct stix_pattern_mem *m = p->mem;
	const struct node *nd = &m->nodes[n];
	int rc = 0;
	switch (nd->kind) {
	case N_OBS_OR:
		for (int c = nd->child; c >= 0 && rc == 0; c = m->nodes[c].next)
			rc = collect(p, c);
		return rc;
	case N_OBS_AND:
		return add_alt(p, NULL, 0, obs_and_reason, nd->start, nd->end);
	case N_FOLLOWEDBY:
		return add_alt(p, NULL, 0, followedby_reason, nd->start,
			       nd->end);
	case N_QUALIFIED:
		return add_alt(p, NULL, 0, nd->reason, nd->start, nd->end);
	case N_OBS:
		break;
	default:
		return -1; /* not an observation: cannot happen */
	}
	struct terms ts = {0};
	const char *why = NULL;
	size_t start = nd->start, end = nd->end;
	rc = dnf(m, nd->child, &ts, &why);
	if (rc == 1)
		rc = add_alt(p, NULL, 0, why, start, end);
	else if (rc == 0 && ts.n == 0)
		rc = add_alt(p, NULL, 0, never_reason, start, end);
	/* an observation that is one alternative is shown whole */
	for (size_t i = 0; rc == 0 && i < ts.n; i++)
		rc = add_alt(p, ts.v[i].test, ts.v[i].n, NULL,
			     ts.n == 1 ? start : ts.v[i].start,
			     ts.n == 1 ? end : ts.v[i].end);
	terms_free(&ts);
	return rc;
}

/* Numbers every comparison's tests (IN: one per member). */
static int number_tests(struct stix_pattern_mem *m)
{
	size_t total = 0;
	for (size_t i = 0; i < m->n_cmps; i++) {
		struct cmp_rec *r = &m->cmps[i];
		r->test_first = total;
		r->n_tests = r->pub.op == STIX_OP_IN ? r->n_members : 1;
		total += r->n_tests;
	}
	m->tests = calloc(total ? total : 1, sizeof *m->tests);
	if (!m->tests)
		return -1;
	for (size_t i = 0; i < m->n_cmps; i++) {
		const struct cmp_rec *r = &m->cmps[i];
		for (size_t j = 0; j < r->n_tests; j++) {
			struct test_ref *t = &m->tests[r->test_first + j];
			t->cmp = i;
			t->member = r->pub.op == STIX_OP_IN
					    ? (long)(r->member_first + j)
					    : -1;
		}
	}
	m->n_tests = total;
	return 0;
}

/* Turns the alternatives' indices into pointers, now nothing moves. */
static int resolve(struct stix_pattern *p)
{
	struct stix_pattern_mem *m = p->mem;
	size_t n = m->n_alt_tests;
	m->alt_tests = calloc(n ? n : 1, sizeof *m->alt_tests);
	if (!m->alt_tests)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct test_ref *r = &m->tests[m->alt_test_ref[i]];
		struct stix_test *t = &m->alt_tests[i];
		t->cmp = &m->cmps[r->cmp].pub;
		t->op = r->member >= 0 ? STIX_OP_EQ : t->cmp->op;
		t->value = r->member >= 0 ? &m->members[r->member]
					  : &t->cmp->value;
	}
	for (size_t i = 0; i < p->n_alts; i++)
		p->alts[i].tests = m->alt_tests + m->alt_first[i];
	return 0;
}


int pattern_alternatives(struct stix_pattern *p, int root)
{
	if (number_tests(p->mem) != 0)
		return -1;
	int rc = collect(p, root);
	if (rc != 0)
		return rc;
	return resolve(p) != 0 ? -1 : 0;
}
