/*
 * score_text.c — the readable summary `attrib score` prints: per
 * hypothesis its links as belief / plausibility with the ICD 203 phrase,
 * the chain, each legal standard with what would be needed, flags, and
 * the evidence that moves the result most.
 */
#include <stdio.h>
#include <string.h>

#include "analyze/parse/text.h"
#include "analyze/score/score_doc.h"

/* Names, ids, paths and texts from model files go out escaped as one
 * line (text_oneline()): nothing in a model can split a line or drive
 * the terminal. Each use has its own buffer. */
typedef char safe_text[TEXT_ONELINE_SIZE(1024)];
#define SAFE(s, buf) text_oneline((s), (buf), sizeof(buf))

static void print_link(FILE *out, const struct assess_hyp *ah,
		       enum model_link l)
{
	const struct assess_link *L = &ah->links[l];
	char flags[40];
	score_flags_text(L->flags, flags, sizeof flags);
	fprintf(out, "  %-4s %6.3f %6.3f %6.3f %6.3f  [%5.3f, %5.3f]  %-40s "
		     "%-9s %3zu  %s\n",
		model_link_name(l), L->op.b, L->op.d, L->op.u,
		opinion_plausibility(L->op), L->ci90.lo, L->ci90.hi,
		L->phrase_text, confidence_name(L->confidence),
		L->n_items, flags);
}

static void print_standards(FILE *out, const struct assessment *as,
			    const struct assess_hyp *ah)
{
	for (size_t s = 0; s < as->n_standards; s++) {
		const struct assess_standard *st = &ah->standards[s];
		safe_text b1, b2;
		fprintf(out, "    %-32s %s %.2f: %s",
			SAFE(as->standards[s].name, b1),
			as->standards[s].strict ? ">" : ">=",
			as->standards[s].threshold,
			st->joint.met ? "MET" : "not met");
		if (!st->joint.met)
			fprintf(out, ", gap %.3f, %s", st->joint.gap,
				st->joint.reachable
					? "still reachable"
					: "out of reach of any evidence on "
					  "these links as they stand");
		fputc('\n', out);
		if (st->joint.met)
			continue;
		/* The link with the smallest belief need, as the example. */
		const struct assess_need *best = NULL;
		for (size_t i = 0; i < ASSESS_STATE_LINKS; i++) {
			const struct assess_need *n = &st->need[i];
			if (n->possible && (!best ||
					    n->belief_needed < best->belief_needed))
				best = n;
		}
		if (!best) {
			fprintf(out, "      no single link can close the gap: "
				     "%s\n", SAFE(st->need[3].feasible, b2));
			continue;
		}
		fprintf(out, "      e.g. %s would need belief %.3f",
			model_link_name(best->link), best->belief_needed);
		if (best->has_strength)
			fprintf(out, " (one more source of strength %.3f)",
				best->strength_needed);
		fprintf(out, ": %s\n", SAFE(best->feasible, b2));
	}
}

static void print_hyp(FILE *out, const struct assessment *as,
		      const struct assess_hyp *ah)
{
	safe_text b1, b2;
	fprintf(out, "\n%s — %s [%s%s]\n", SAFE(ah->h->id, b1),
		SAFE(ah->h->name, b2),
		model_hypothesis_type_name(ah->h->type),
		ah->h->implicit ? ", implicit" : "");
	fprintf(out, "  link belief disbel uncert  plaus  90%% interval     "
		     "phrase (of [belief, plausibility])       confidence items "
		     "flags\n");
	for (int l = 0; l < MODEL_LINK_COUNT; l++)
		print_link(out, ah, (enum model_link)l);
	fprintf(out, "  state chain L1-L2-L3-L4: joint Bel %.3f Pl %.3f; "
		     "weakest link Bel %.3f (%s) Pl %.3f (%s)\n",
		ah->state.joint_bel, ah->state.joint_pl, ah->state.weakest_bel,
		model_link_name(ASSESS_STATE_CHAIN[ah->state.weakest_bel_link]),
		ah->state.weakest_pl,
		model_link_name(ASSESS_STATE_CHAIN[ah->state.weakest_pl_link]));
	fprintf(out, "  individual chain L1-L2-L3i: joint Bel %.3f Pl %.3f\n",
		ah->individual.joint_bel, ah->individual.joint_pl);
	for (int l = 0; l < MODEL_LINK_COUNT; l++)
		if (ah->links[l].detail[0])
			fprintf(out, "  %s %s: %s\n",
				model_link_name((enum model_link)l),
				ah->links[l].flags & LINK_FLAG_FALSE_FLAG
					? "FALSE_FLAG"
				: ah->links[l].flags & LINK_FLAG_CONFLICT
					? "CONFLICT"
					: "derived",
				SAFE(ah->links[l].detail, b1));
	fprintf(out, "  legal standards (state chain, on belief):\n");
	print_standards(out, as, ah);
	size_t shown = 0;
	for (size_t i = 0; i < ah->n_sens && shown < 3; i++) {
		const struct assess_sensitivity *s = &ah->sens[i];
		if (s->link_belief_delta == 0 && s->joint_belief_delta == 0 &&
		    s->joint_plausibility_delta == 0 && !s->flags_changed)
			continue;
		if (!shown++)
			fprintf(out, "  most influential evidence (left out):\n");
		fprintf(out, "    %-28s %s belief %+.3f, chain belief %+.3f, "
			     "plausibility %+.3f%s\n",
			SAFE(s->removed, b1), model_link_name(s->link),
			s->link_belief_delta, s->joint_belief_delta,
			s->joint_plausibility_delta,
			s->flags_changed ? ", flags change" : "");
	}
}

void score_print(FILE *out, const struct assessment *as,
		 const struct score_run_info *run)
{
	const struct model_set *ms = as->ms;
	char when[32];
	score_iso_time(run->time_us, when);
	fprintf(out, "score run %lld at %s: %zu hypotheses against %llu "
		     "observations\n",
		(long long)run->id, when, as->n_hyps,
		(unsigned long long)run->observations);
	safe_text b1, b2;
	for (size_t i = 0; i < ms->n_files; i++)
		fprintf(out, "model %s (%s, sha256 %s)\n",
			SAFE(ms->files[i].path, b1), ms->files[i].format,
			ms->files[i].sha256);
	if (ms->n_uneval)
		fprintf(out, "not evaluated: %zu patterns (listed in --json "
			     "under not_evaluated), e.g. %s: %s\n",
			ms->n_uneval, SAFE(ms->uneval[0].origin, b1),
			SAFE(ms->uneval[0].reason, b2));
	for (size_t h = 0; h < as->n_hyps; h++)
		print_hyp(out, as, &as->hyps[h]);
	fprintf(out, "\nBelief is what the evidence establishes; "
		     "plausibility what it leaves open. Standards are judged "
		     "on belief: ignorance earns no credit.\n");
}
