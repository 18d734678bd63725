/*
 * markdown.c — the Markdown report: the HTML report's content for review
 * in a repository (GitHub-flavoured tables). Charts become text: bars of
 * block characters for [Bel, Pl] (█ belief, ░ open, ▒ disbelief) with
 * the thresholds marked beneath, and sparklines (▁…█) for counts.
 *
 * Every string from the document goes through md_put() or md_code(), so
 * no value can open a link, an image, raw HTML or a new table cell; case
 * strings never go into fenced blocks.
 */
#include "analyze/report/report_internal.h"
#include "analyze/report/markdown.h"

#include <math.h>
#include <string.h>

enum { CHAIN_BAR = 40, GLANCE_BAR = 10 };

static const char *const spark[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆",
				    "▇", "█"};

void mdw_line(FILE *f, const char *s)
{
	fputs(s, f);
	fputc('\n', f);
}

/* A [Bel, Pl] bar of n cells. */
void mdw_bar(FILE *f, double bel, double pl, int n)
{
	bel = unit_clamp(bel);
	pl = unit_clamp(pl);
	int b = (int)lround(bel * n), p = (int)lround(pl * n);
	if (p < b)
		p = b;
	for (int i = 0; i < n; i++)
		fputs(i < b ? "█" : i < p ? "░" : "▒", f);
}

/* Counts as a sparkline, one character per value, scaled to the max. */
void mdw_sparkline(FILE *f, const json_t *counts)
{
	double max = 0;
	size_t i;
	json_t *v;
	json_array_foreach(counts, i, v)
		if (json_number_value(v) > max)
			max = json_number_value(v);
	json_array_foreach(counts, i, v) {
		double x = json_number_value(v);
		int k = !(x > 0) || !(max > 0) ? 0 : 1 + (int)(x / max * 7.999);
		fputs(spark[k > 8 ? 8 : k], f);
	}
}

void mdw_prob(FILE *f, double v)
{
	char b[16];
	report_fmt_prob(v, b);
	fputs(b, f);
}

/* "| a | b |" header and its separator. */
void mdw_table_head(FILE *f, const char *const *cols, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fputs("| ", f);
		md_put(f, cols[i]);
		fputc(' ', f);
	}
	fputs("|\n", f);
	for (size_t i = 0; i < n; i++)
		fputs("|---", f);
	fputs("|\n", f);
}

void mdw_cell(FILE *f, const char *s)
{
	fputs("| ", f);
	md_put(f, s);
	fputc(' ', f);
}

void mdw_cell_code(FILE *f, const char *s)
{
	fputs("| ", f);
	if (s[0])
		md_code(f, s);
	fputc(' ', f);
}

void mdw_cell_prob(FILE *f, double v)
{
	fputs("| ", f);
	mdw_prob(f, v);
	fputc(' ', f);
}

void mdw_cell_time(FILE *f, const char *iso)
{
	char t[24];
	report_short_time(iso, t);
	fprintf(f, "| %s ", t);
}

void mdw_cell_int(FILE *f, int64_t v)
{
	fprintf(f, "| %lld ", (long long)v);
}

void mdw_bullets(FILE *f, const json_t *arr)
{
	size_t i;
	json_t *s;
	json_array_foreach(arr, i, s) {
		fputs("- ", f);
		md_put(f, json_is_string(s) ? json_string_value(s) : "");
		fputc('\n', f);
	}
}

void mdw_paras(FILE *f, const json_t *arr)
{
	size_t i;
	json_t *s;
	json_array_foreach(arr, i, s) {
		md_put(f, json_is_string(s) ? json_string_value(s) : "");
		fputs("\n\n", f);
	}
}

/* ---- sections ---- */

static void header(FILE *f, const json_t *doc)
{
	const json_t *cs = rj_obj(doc, "case"), *v = rj_obj(doc, "verification");
	mdw_line(f, "# Attribution evidence report\n");
	fputs("Case ", f);
	md_code(f, rj_str(cs, "path"));
	if (rj_str(cs, "note")[0]) {
		fputs(" (", f);
		md_put(f, rj_str(cs, "note"));
		fputc(')', f);
	}
	fputs(" · report made ", f);
	md_put(f, rj_str(rj_obj(doc, "report"), "time"));
	fputs(" by attrib ", f);
	md_put(f, rj_str(rj_obj(doc, "report"), "tool_version"));
	fputs("\n\nEvidence chain: **", f);
	md_put(f, rj_str(v, "status"));
	fputs("**", f);
	if (rj_str(v, "head_hash")[0]) {
		fprintf(f, " · head %lld ", (long long)rj_int(v, "head_seq", 0));
		md_code(f, rj_str(v, "head_hash"));
	}
	fputs("\n\n", f);
	if (!strcmp(rj_str(v, "status"), "tampered")) {
		fputs("> **TAMPERED**: ", f);
		md_put(f, rj_str(v, "first_problem"));
		fputs(". Nothing in this report can be relied on until that is "
		      "explained.\n\n", f);
	}
}

static void glance(FILE *f, const json_t *doc)
{
	static const char *const cols[] = {"hypothesis", "L1", "L2", "L3",
					   "L3i", "L4", "state chain",
					   "standards met"};
	const json_t *hyps = rj_arr(doc, "hypotheses");
	if (!json_array_size(hyps))
		return;
	mdw_line(f, "### At a glance\n");
	mdw_table_head(f, cols, 8);
	size_t i, j;
	json_t *h, *s;
	json_array_foreach(hyps, i, h) {
		if (report_hyp_collapsed(h))
			continue;
		mdw_cell(f, rj_str(h, "name")[0] ? rj_str(h, "name") : rj_str(h, "id"));
		for (int k = 0; k <= REPORT_LINKS; k++) {
			const json_t *l = k < REPORT_LINKS
				? rj_obj(rj_obj(h, "links"), report_link_names[k])
				: rj_obj(rj_obj(h, "chain"), "joint");
			fputs("| `", f);
			mdw_bar(f, rj_unit(l, "belief"), rj_unit(l, "plausibility"),
			    GLANCE_BAR);
			fputs("` ", f);
			mdw_prob(f, rj_unit(l, "belief"));
			fputs("–", f);
			mdw_prob(f, rj_unit(l, "plausibility"));
			fputc(' ', f);
		}
		fputs("| ", f);
		bool any = false;
		json_array_foreach(rj_arr(h, "standards"), j, s) {
			if (!rj_bool(s, "met"))
				continue;
			if (any)
				fputs(", ", f);
			md_put(f, rj_str(s, "name"));
			any = true;
		}
		fputs(any ? " |\n" : "none |\n", f);
	}
	char line[900];
	report_collapsed_line(hyps, line, sizeof line);
	if (line[0]) {
		fputs("\n", f);
		md_put(f, line);
		fputs("\n", f);
	}
	mdw_line(f, "\nBars run from 0 to 1: █ belief, ░ left open by the "
		"evidence (up to plausibility), ▒ disbelief. Numbers: belief–"
		"plausibility.\n");
}

static void summary(FILE *f, const json_t *doc)
{
	const json_t *sum = rj_obj(doc, "summary");
	mdw_line(f, "## Summary\n");
	mdw_paras(f, rj_arr(sum, "lead"));
	glance(f, doc);
	mdw_line(f, "> Likelihood words follow ICD 203: almost no chance (<5%), "
		"very unlikely (5–20%), unlikely (20–45%), roughly even chance "
		"(45–55%), likely (55–80%), very likely (80–95%), almost "
		"certain (≥95%), said of the interval [belief, plausibility] "
		"(\"between unlikely and likely\" when its ends fall in two "
		"bands); \"cannot judge\" when more than half of the "
		"question is still open. Confidence is stated apart: it says how "
		"much is open, not which way the evidence leans. A standard of "
		"proof is met on belief alone.\n");
	size_t i;
	json_t *h;
	json_array_foreach(rj_arr(sum, "hypotheses"), i, h) {
		fputs("### ", f);
		md_put(f, rj_str(h, "name"));
		fputs("\n\n", f);
		mdw_bullets(f, rj_arr(h, "likelihood"));
		fputc('\n', f);
		mdw_paras(f, rj_arr(h, "confidence"));
		mdw_paras(f, rj_arr(h, "standards"));
		size_t j;
		json_t *s;
		json_array_foreach(rj_arr(h, "flags"), j, s) {
			fputs("**", f);
			md_put(f, json_is_string(s) ? json_string_value(s) : "");
			fputs("**\n\n", f);
		}
	}
}

static void chain_text(FILE *f, const json_t *h, const json_t *standards)
{
	mdw_line(f, "```text");
	for (int i = 0; i <= REPORT_LINKS + 1; i++) {
		const json_t *l;
		const char *label;
		if (i < REPORT_LINKS) {
			l = rj_obj(rj_obj(h, "links"), report_link_names[i]);
			label = report_link_names[i];
		} else {
			l = rj_obj(rj_obj(h, "chain"),
				   i == REPORT_LINKS ? "joint" : "weakest");
			label = i == REPORT_LINKS ? "joint" : "weakest";
		}
		fprintf(f, "%-8s |", label);
		mdw_bar(f, rj_unit(l, "belief"), rj_unit(l, "plausibility"), CHAIN_BAR);
		fputs("|  [", f);
		mdw_prob(f, rj_unit(l, "belief"));
		fputs(", ", f);
		mdw_prob(f, rj_unit(l, "plausibility"));
		fputs("]\n", f);
	}
	char marks[CHAIN_BAR + 1];
	memset(marks, ' ', CHAIN_BAR);
	marks[CHAIN_BAR] = '\0';
	size_t k;
	json_t *s;
	json_array_foreach(standards, k, s) {
		int pos = (int)lround(rj_unit(s, "threshold") * CHAIN_BAR) - 1;
		if (pos >= 0 && pos < CHAIN_BAR)
			marks[pos] = '^';
	}
	fprintf(f, "          %s   ^ thresholds:", marks);
	json_array_foreach(standards, k, s)
		fprintf(f, " %.2f", rj_unit(s, "threshold"));
	mdw_line(f, "\n```\n");
}

static void link_table(FILE *f, const json_t *h)
{
	static const char *const cols[] = {
		"link", "question", "belief", "disbelief", "uncertainty",
		"plausibility", "90% interval", "ICD 203", "confidence", "flags"};
	mdw_table_head(f, cols, 10);
	for (int i = 0; i < REPORT_LINKS; i++) {
		const char *name = report_link_names[i];
		const json_t *l = rj_obj(rj_obj(h, "links"), name);
		const json_t *ci = rj_arr(l, "ci90");
		mdw_cell(f, name);
		mdw_cell(f, report_link_title(name));
		mdw_cell_prob(f, rj_unit(l, "belief"));
		mdw_cell_prob(f, rj_unit(l, "disbelief"));
		mdw_cell_prob(f, rj_unit(l, "uncertainty"));
		mdw_cell_prob(f, rj_unit(l, "plausibility"));
		fputs("| ", f);
		mdw_prob(f, unit_clamp(json_number_value(json_array_get(ci, 0))));
		fputs("–", f);
		mdw_prob(f, unit_clamp(json_number_value(json_array_get(ci, 1))));
		fputc(' ', f);
		mdw_cell(f, rj_str(l, "phrase"));
		mdw_cell(f, rj_str(l, "confidence"));
		fputs("| ", f);
		size_t k;
		json_t *fl;
		json_array_foreach(rj_arr(l, "flags"), k, fl) {
			md_put(f, json_is_string(fl) ? json_string_value(fl) : "");
			fputc(' ', f);
		}
		fputs("|\n", f);
	}
	fputc('\n', f);
}

static void standards(FILE *f, const json_t *h)
{
	static const char *const cols[] = {
		"standard of proof", "threshold", "met", "gap", "reachable",
		"weakest link", "what each link would need"};
	mdw_line(f, "#### Standards of proof on the state chain\n");
	mdw_table_head(f, cols, 7);
	size_t i, j;
	json_t *s, *n;
	json_array_foreach(rj_arr(h, "standards"), i, s) {
		const json_t *w = rj_obj(s, "weakest");
		mdw_cell(f, rj_str(s, "name"));
		mdw_cell_prob(f, rj_unit(s, "threshold"));
		mdw_cell(f, rj_bool(s, "met") ? "met" : "not met");
		mdw_cell_prob(f, rj_unit(s, "gap"));
		mdw_cell(f, rj_bool(s, "reachable") ? "yes" : "no: out of reach");
		mdw_cell(f, rj_bool(w, "met") ? "met"
			: rj_bool(w, "reachable") ? "not met, reachable"
						  : "not met, out of reach");
		fputs("| ", f);
		bool any = false;
		json_array_foreach(rj_arr(s, "needs"), j, n) {
			if (!rj_bool(n, "possible"))
				continue;
			md_put(f, rj_str(n, "link"));
			fputs(": belief ≥ ", f);
			mdw_prob(f, rj_unit(n, "belief_needed"));
			if (rj_str(n, "feasible")[0]) {
				fputs(" (", f);
				md_put(f, rj_str(n, "feasible"));
				fputc(')', f);
			}
			fputs("; ", f);
			any = true;
		}
		if (!any && rj_bool(s, "met"))
			fputs("met", f);
		else if (!any) {
			fputs("no single link can get there alone", f);
			json_array_foreach(rj_arr(s, "needs"), j, n) {
				fputs(j ? "; " : ": ", f);
				md_put(f, rj_str(n, "link"));
				fputs(" ", f);
				md_put(f, rj_str(n, "feasible"));
			}
		}
		fputs(" |\n", f);
	}
	fputc('\n', f);
}

static void flags_sens(FILE *f, const json_t *h)
{
	static const char *const cols[] = {
		"left out", "type", "link", "link belief", "change",
		"joint belief change", "joint plausibility change"};
	size_t i;
	json_t *x;
	json_array_foreach(rj_arr(h, "flags"), i, x) {
		fputs("- **", f);
		md_put(f, rj_str(x, "flag"));
		fputs("** on ", f);
		md_put(f, rj_str(x, "link"));
		fputs(": ", f);
		md_put(f, rj_str(x, "detail"));
		fputc('\n', f);
	}
	if (json_array_size(rj_arr(h, "flags")))
		fputc('\n', f);
	if (!json_array_size(rj_arr(h, "sensitivity")))
		return;
	mdw_line(f, "#### Sensitivity: which evidence moves the conclusion\n");
	mdw_table_head(f, cols, 7);
	json_array_foreach(rj_arr(h, "sensitivity"), i, x) {
		if (i >= 10)
			break;
		mdw_cell_code(f, rj_str(x, "removed"));
		mdw_cell(f, rj_str(x, "removed_type"));
		mdw_cell(f, rj_str(x, "link"));
		mdw_cell_prob(f, rj_unit(x, "link_belief"));
		fprintf(f, "| %+.2f | %+.3f | %+.3f |\n",
			rj_num(x, "link_belief_delta", 0) + 0.0,
			rj_num(x, "joint_belief_delta", 0) + 0.0,
			rj_num(x, "joint_plausibility_delta", 0) + 0.0);
	}
	fputc('\n', f);
}

static void evidence_items(FILE *f, const json_t *h)
{
	static const char *const cols[] = {
		"evidence", "link", "says", "kind or claim", "pattern or source",
		"f / s", "reliability", "class", "weight", "matched", "defined at"};
	if (!json_array_size(rj_arr(h, "evidence"))) {
		mdw_line(f, "No pattern matched and no claim: every link is "
			"vacuous.\n");
		return;
	}
	mdw_line(f, "#### Evidence used\n");
	mdw_table_head(f, cols, 11);
	size_t i;
	json_t *e;
	json_array_foreach(rj_arr(h, "evidence"), i, e) {
		bool claim = !strcmp(rj_str(e, "item_type"), "claim");
		char rel[32];
		if (claim)
			snprintf(rel, sizeof rel, "%.4s%lld", rj_str(e, "reliability"),
				 (long long)rj_int(e, "credibility", 6));
		else
			snprintf(rel, sizeof rel, "%.4s", rj_str(e, "reliability"));
		mdw_cell_code(f, rj_str(e, "id"));
		mdw_cell(f, rj_str(e, "link"));
		mdw_cell(f, rj_str(e, "direction"));
		mdw_cell(f, claim ? rj_str(e, "claim_type") : rj_str(e, "kind"));
		mdw_cell_code(f, claim ? rj_str(e, "source") : rj_str(e, "pattern"));
		fputs("| ", f);
		mdw_prob(f, rj_unit(e, "forgeability"));
		fputs(" / ", f);
		mdw_prob(f, rj_unit(e, "specificity"));
		fputc(' ', f);
		mdw_cell(f, rel);
		mdw_cell(f, rj_str(e, "class"));
		mdw_cell_prob(f, rj_unit(e, "discount"));
		if (claim)
			mdw_cell(f, "claim");
		else
			mdw_cell_int(f, rj_int(e, "matches", 0));
		mdw_cell_code(f, rj_str(e, "origin"));
		fputs("|\n", f);
	}
	fputc('\n', f);
}

static void hypotheses(FILE *f, const json_t *doc)
{
	mdw_line(f, "## Hypotheses along the attribution chain\n");
	if (!json_array_size(rj_arr(doc, "hypotheses")))
		mdw_line(f, "No hypotheses were scored for this case.\n");
	size_t i;
	json_t *h;
	json_array_foreach(rj_arr(doc, "hypotheses"), i, h) {
		if (report_hyp_collapsed(h))
			continue;
		fputs("### ", f);
		md_put(f, rj_str(h, "name")[0] ? rj_str(h, "name") : rj_str(h, "id"));
		fputs(" (", f);
		md_put(f, rj_str(h, "id"));
		fputs(", ", f);
		md_put(f, rj_str(h, "type"));
		fputs(")\n\n", f);
		chain_text(f, h, rj_arr(doc, "standards"));
		link_table(f, h);
		standards(f, h);
		flags_sens(f, h);
		evidence_items(f, h);
	}
	char line[900];
	report_collapsed_line(rj_arr(doc, "hypotheses"), line, sizeof line);
	if (line[0]) {
		mdw_line(f, "### Hypotheses with no evidence\n");
		md_put(f, line);
		fputs("\n\n", f);
	}
}

int report_write_markdown(const json_t *doc, FILE *f)
{
	header(f, doc);
	summary(f, doc);
	hypotheses(f, doc);
	mdw_limits(f, doc);
	mdw_indicators(f, doc);
	mdw_behaviour(f, doc);
	mdw_evidence(f, doc);
	mdw_verification(f, doc);
	mdw_custody(f, doc);
	mdw_method(f, doc);
	mdw_line(f, "---\nattrib report document format attrib-report-1; the "
		"same content as JSON: `attrib report --format json`.");
	return ferror(f) ? -1 : 0;
}
