/*
 * test_score_frame.c — whole assessments (analyze/score/assess*.c) on
 * small hand-built models, for the frame's promises: evidence shared by
 * ten hypotheses gives none of them belief; two vendors naming different
 * actors raise CONFLICT with both names; "someone else" is never
 * eliminated by silence; a deception prior of 0 cannot lift cheap
 * evidence above 0.5; textbook planted clues (user agent, JA3, working
 * hours, a language marker) against certificate reuse or seized logs
 * raise FALSE_FLAG at default ratings and the false-flag hypothesis
 * gains belief; the linear sensitivity equals a rescore without the item.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/intel/match.h"
#include "analyze/score/assess.h"
#include "analyze/vocab/kinds.h"

struct ev {
	const char *hyp, *id;
	const char *kind;        /* NULL: a claim */
	const char *value;       /* pattern value, or claim description */
	enum model_link link;
	bool contradicts;
	char rel;
	const char *source;
	int claim_type;          /* claims */
	double strength;         /* claims; 0: 0.8 */
	double s;                /* patterns: 0 = the kind's default */
};

struct run {
	struct model_set *ms;
	struct matcher *m;
	struct assessment *as;
};

static void run_model(const struct ev *ev, size_t n, double deception,
		      struct run *r)
{
	char err[256];
	r->ms = model_set_create();
	assert_non_null(r->ms);
	r->ms->deception = deception;
	for (size_t i = 0; i < n; i++) {
		struct model_hypothesis *h = model_hypothesis_get(
			r->ms, ev[i].hyp, NULL, MODEL_HYP_ACTOR, "t");
		assert_non_null(h);
		enum opinion_direction dir = ev[i].contradicts
						     ? OPINION_CONTRADICTS
						     : OPINION_SUPPORTS;
		if (!ev[i].kind) {
			struct model_claim c = {
				.id = (char *)ev[i].id,
				.type = (enum model_claim_type)ev[i].claim_type,
				.link = ev[i].link, .direction = dir,
				.reliability = ev[i].rel, .credibility = 2,
				.strength = ev[i].strength ? ev[i].strength : 0.8,
				.source = (char *)ev[i].source,
				.description = (char *)ev[i].value};
			assert_int_equal(model_add_claim(h, &c), 0);
			continue;
		}
		struct model_pattern p;
		memset(&p, 0, sizeof p);
		p.id = (char *)ev[i].id;
		p.kind = obs_kind_parse(ev[i].kind);
		p.link = ev[i].link;
		p.direction = dir;
		p.reliability = ev[i].rel;
		p.source = (char *)ev[i].source;
		if (p.kind == OBS_ACTIVITY_HOURS) {
			p.match = MODEL_MATCH_UTC_OFFSET;
			p.lo = 7;
			p.hi = 9;
		} else {
			p.match = MODEL_MATCH_EXACT;
			p.text = (char *)ev[i].value;
		}
		if (ev[i].s > 0) {
			p.s = ev[i].s;
			p.s_override = true;
		}
		assert_int_equal(model_add_pattern(h, &p), 0);
	}
	assert_int_equal(model_set_finish(r->ms, err, sizeof err), 0);
	r->m = matcher_create(r->ms, err, sizeof err);
	assert_non_null(r->m);
	for (size_t i = 0; i < n; i++) {
		if (!ev[i].kind)
			continue;
		if (!strcmp(ev[i].kind, "activity.hours"))
			assert_int_equal(matcher_feed(r->m, ev[i].kind, "10.0.0.1",
						      "hours=9-18 informative=yes "
						      "map_offset=8 map_p=0.9", 1),
					 0);
		else
			assert_int_equal(matcher_feed(r->m, ev[i].kind,
						      ev[i].value, NULL, 1), 0);
	}
	assert_int_equal(assess_run(r->ms, r->m, &r->as, err, sizeof err), 0);
}

static void run_free(struct run *r)
{
	assess_free(r->as);
	matcher_destroy(r->m);
	model_set_destroy(r->ms);
}

static const struct assess_hyp *hyp(const struct run *r, const char *id)
{
	for (size_t i = 0; i < r->as->n_hyps; i++)
		if (!strcmp(r->as->hyps[i].h->id, id))
			return &r->as->hyps[i];
	fail_msg("no hypothesis %s", id);
	return NULL;
}

static void test_ten_hypotheses_same_evidence(void **state)
{
	(void)state;
	struct ev ev[10];
	char ids[10][8];
	for (int i = 0; i < 10; i++) {
		snprintf(ids[i], sizeof ids[i], "h%d", i);
		ev[i] = (struct ev){ids[i], "cert", "tls.cert.sha1",
				    "00112233445566778899aabbccddeeff00112233",
				    MODEL_L2, false, 'A', "vendor", 0, 0, 0};
	}
	struct run r;
	run_model(ev, 10, 1, &r);
	double sum = 0;
	for (int i = 0; i < 10; i++) {
		const struct assess_hyp *h = hyp(&r, ids[i]);
		assert_true(h->links[MODEL_L2].op.b == 0);
		sum += h->links[MODEL_L2].op.b;
	}
	/* someone else loses plausibility: one of the ten did it */
	const struct assess_hyp *u = hyp(&r, "unknown");
	assert_true(u->links[MODEL_L2].op.d > 0.5);
	assert_true(sum <= 1);
	run_free(&r);
}

static void test_two_vendors_conflict(void **state)
{
	(void)state;
	struct ev ev[2] = {
		{"G", "g-report", NULL, "vendor x: the operators are G's",
		 MODEL_L3, false, 'A', "vendor-x", MODEL_CLAIM_VENDOR_REPORT,
		 0.9, 0},
		{"H", "h-report", NULL, "vendor y: the operators are H's",
		 MODEL_L3, false, 'A', "vendor-y", MODEL_CLAIM_VENDOR_REPORT,
		 0.9, 0},
	};
	struct run r;
	run_model(ev, 2, 1, &r);
	const struct assess_link *g = &hyp(&r, "G")->links[MODEL_L3];
	const struct assess_link *h = &hyp(&r, "H")->links[MODEL_L3];
	assert_true(g->flags & LINK_FLAG_CONFLICT);
	assert_true(h->flags & LINK_FLAG_CONFLICT);
	assert_true(g->conflict > 0.1 && g->conflict == h->conflict);
	assert_non_null(strstr(g->detail, "vendor-x"));
	assert_non_null(strstr(g->detail, "vendor-y"));
	assert_non_null(strstr(g->detail, "G"));
	assert_non_null(strstr(g->detail, "H"));
	/* exclusive: they share the frame, neither gets 0.81 */
	assert_true(g->op.b + h->op.b <= 1);
	assert_true(g->op.b < 0.5 && fabs(g->op.b - h->op.b) < 1e-12);
	run_free(&r);
}

/* One named actor at joint belief about 0.30: someone else stays at
 * plausibility 1 - 0.30, and no standard is out of its reach that the
 * named belief does not force. */
static void test_no_elimination_by_silence(void **state)
{
	(void)state;
	struct ev ev[4];
	static const char *ids[4] = {"c1", "c2", "c3", "c4"};
	for (int l = 0; l < 4; l++)
		ev[l] = (struct ev){"A", ids[l], NULL, ids[l],
				    (enum model_link[]){MODEL_L1, MODEL_L2,
							MODEL_L3, MODEL_L4}[l],
				    false, 'A', ids[l],
				    MODEL_CLAIM_SEIZED_LOGS, 1.0, 0};
	struct run r;
	run_model(ev, 4, 1, &r);
	const struct assess_hyp *a = hyp(&r, "A"), *u = hyp(&r, "unknown");
	double joint = a->state.joint_bel;
	assert_true(joint > 0.1 && joint < 0.5);
	assert_true(fabs(u->state.joint_pl - (1 - joint)) < 1e-12);
	assert_true(u->state.joint_pl >= 0.5);
	assert_true(u->standards[0].joint.reachable);
	for (int l = 0; l < MODEL_LINK_COUNT; l++)
		assert_true(u->links[l].op.b == 0);
	run_free(&r);
}

/* deception 0 cannot lift one user agent (or any cheap set) above 0.5. */
static void test_deception_zero_keeps_the_bound(void **state)
{
	(void)state;
	struct ev ev[3] = {
		{"A", "ua", "http.user_agent", "agent/1", MODEL_L2, false, 'A',
		 "x", 0, 0, 1.0},
		{"A", "ja3", "tls.ja3", "0123456789abcdef0123456789abcdef",
		 MODEL_L2, false, 'A', "y", 0, 0, 1.0},
		{"A", "sni", "tls.sni", "a.example", MODEL_L1, false, 'A', "z",
		 0, 0, 1.0},
	};
	struct run r;
	run_model(ev, 3, 0, &r);
	const struct assess_hyp *a = hyp(&r, "A");
	for (int l = 0; l < MODEL_LINK_COUNT; l++)
		assert_true(a->links[l].op.b <= 0.5 + 1e-12);
	assert_true(a->links[MODEL_L2].op.b > 0);
	run_free(&r);
}

/* Planted cheap clues for A (default ratings of their kinds, reliability
 * B), costly evidence for B. */
static void planted(const struct ev *clue, const struct ev *costly)
{
	struct ev ev[2] = {*clue, *costly};
	struct run r;
	run_model(ev, 2, 1, &r);
	const struct assess_hyp *a = hyp(&r, "A"), *b = hyp(&r, "B"),
				*ff = hyp(&r, "false-flag");
	assert_true(a->links[MODEL_L2].flags & LINK_FLAG_FALSE_FLAG);
	assert_true(ff->links[MODEL_L2].op.b > 0);
	assert_true(b->links[MODEL_L2].op.b > a->links[MODEL_L2].op.b);
	run_free(&r);
}

static void test_planted_clues_raise_false_flag(void **state)
{
	(void)state;
	static const struct ev clues[] = {
		{"A", "ua", "http.user_agent", "Mozilla/5.0 a-implant/2",
		 MODEL_L2, false, 'B', "intel", 0, 0, 0},
		{"A", "ja3", "tls.ja3", "2186757725478b266e3aa18833ad6046",
		 MODEL_L2, false, 'B', "intel", 0, 0, 0},
		{"A", "hours", "activity.hours", NULL, MODEL_L2, false, 'B',
		 "intel", 0, 0, 0},
		{"A", "language", NULL, "Russian-language strings in the implant",
		 MODEL_L2, false, 'B', "intel", MODEL_CLAIM_OTHER, 0.5, 0},
	};
	static const struct ev costly[] = {
		{"B", "cert", "tls.cert.sha1",
		 "43e61dcc1a52059c54fb746768f71265d2c7ecbb", MODEL_L2, false,
		 'B', "vendor-y", 0, 0, 0},
		{"B", "logs", NULL, "seized server logs show B's operators",
		 MODEL_L2, false, 'B', "prosecutor", MODEL_CLAIM_SEIZED_LOGS,
		 0.8, 0},
	};
	for (size_t i = 0; i < sizeof clues / sizeof clues[0]; i++)
		for (size_t j = 0; j < sizeof costly / sizeof costly[0]; j++)
			planted(&clues[i], &costly[j]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ten_hypotheses_same_evidence),
		cmocka_unit_test(test_two_vendors_conflict),
		cmocka_unit_test(test_no_elimination_by_silence),
		cmocka_unit_test(test_deception_zero_keeps_the_bound),
		cmocka_unit_test(test_planted_clues_raise_false_flag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
