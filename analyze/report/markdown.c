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

#include <math.h>
#include <string.h>

enum { CHAIN_BAR = 40, GLANCE_BAR = 10 };

static const char *const spark[] = {" ", "▁", "▂", "▃", "▄", "▅", "▆",
				    "▇", "█"};

static void line(FILE *f, const char *s)
{
	fputs(s, f);
	fputc('\n', f);
}

/* A [Bel, Pl] bar of n cells. */
static void bar(FILE *f, double bel, double pl, int n)
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
static void sparkline(FILE *f, const json_t *counts)
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

static void prob(FILE *f, double v)
{
	char b[16];
	report_fmt_prob(v, b);
	fputs(b, f);
}

/* "| a | b |" header and its separator. */
static void table_head(FILE *f, const char *const *cols, size_t n)
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

static void cell(FILE *f, const char *s)
{
	fputs("| ", f);
	md_put(f, s);
	fputc(' ', f);
}

static void cell_code(FILE *f, const char *s)
{
	fputs("| ", f);
	if (s[0])
		md_code(f, s);
	fputc(' ', f);
}

static void cell_prob(FILE *f, double v)
{
	fputs("| ", f);
	prob(f, v);
	fputc(' ', f);
}

static void cell_int(FILE *f, int64_t v)
{
	fprintf(f, "| %lld ", (long long)v);
}

static void bullets(FILE *f, const json_t *arr)
{
	size_t i;
	json_t *s;
	json_array_foreach(arr, i, s) {
		fputs("- ", f);
		md_put(f, json_is_string(s) ? json_string_value(s) : "");
		fputc('\n', f);
	}
}

static void paras(FILE *f, const json_t *arr)
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
	line(f, "# Attribution evidence report\n");
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
	line(f, "### At a glance\n");
	table_head(f, cols, 8);
	size_t i, j;
	json_t *h, *s;
	json_array_foreach(hyps, i, h) {
		cell(f, rj_str(h, "name")[0] ? rj_str(h, "name") : rj_str(h, "id"));
		for (int k = 0; k <= REPORT_LINKS; k++) {
			const json_t *l = k < REPORT_LINKS
				? rj_obj(rj_obj(h, "links"), report_link_names[k])
				: rj_obj(rj_obj(h, "chain"), "joint");
			fputs("| `", f);
			bar(f, rj_unit(l, "belief"), rj_unit(l, "plausibility"),
			    GLANCE_BAR);
			fputs("` ", f);
			prob(f, rj_unit(l, "belief"));
			fputs("–", f);
			prob(f, rj_unit(l, "plausibility"));
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
	line(f, "\nBars run from 0 to 1: █ belief, ░ left open by the "
		"evidence (up to plausibility), ▒ disbelief. Numbers: belief–"
		"plausibility.\n");
}

static void summary(FILE *f, const json_t *doc)
{
	const json_t *sum = rj_obj(doc, "summary");
	line(f, "## Summary\n");
	paras(f, rj_arr(sum, "lead"));
	glance(f, doc);
	line(f, "> Likelihood words follow ICD 203: almost no chance (<5%), "
		"very unlikely (5–20%), unlikely (20–45%), roughly even chance "
		"(45–55%), likely (55–80%), very likely (80–95%), almost "
		"certain (≥95%); \"cannot judge\" when more than half of the "
		"question is still open. Confidence is stated apart: it says how "
		"much is open, not which way the evidence leans. A standard of "
		"proof is met on belief alone.\n");
	size_t i;
	json_t *h;
	json_array_foreach(rj_arr(sum, "hypotheses"), i, h) {
		fputs("### ", f);
		md_put(f, rj_str(h, "name"));
		fputs("\n\n", f);
		bullets(f, rj_arr(h, "likelihood"));
		fputc('\n', f);
		paras(f, rj_arr(h, "confidence"));
		paras(f, rj_arr(h, "standards"));
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
	line(f, "```text");
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
		bar(f, rj_unit(l, "belief"), rj_unit(l, "plausibility"), CHAIN_BAR);
		fputs("|  [", f);
		prob(f, rj_unit(l, "belief"));
		fputs(", ", f);
		prob(f, rj_unit(l, "plausibility"));
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
	line(f, "\n```\n");
}

static void link_table(FILE *f, const json_t *h)
{
	static const char *const cols[] = {
		"link", "question", "belief", "disbelief", "uncertainty",
		"plausibility", "90% interval", "ICD 203", "confidence", "flags"};
	table_head(f, cols, 10);
	for (int i = 0; i < REPORT_LINKS; i++) {
		const char *name = report_link_names[i];
		const json_t *l = rj_obj(rj_obj(h, "links"), name);
		const json_t *ci = rj_arr(l, "ci90");
		cell(f, name);
		cell(f, report_link_title(name));
		cell_prob(f, rj_unit(l, "belief"));
		cell_prob(f, rj_unit(l, "disbelief"));
		cell_prob(f, rj_unit(l, "uncertainty"));
		cell_prob(f, rj_unit(l, "plausibility"));
		fputs("| ", f);
		prob(f, unit_clamp(json_number_value(json_array_get(ci, 0))));
		fputs("–", f);
		prob(f, unit_clamp(json_number_value(json_array_get(ci, 1))));
		fputc(' ', f);
		cell(f, rj_str(l, "phrase"));
		cell(f, rj_str(l, "confidence"));
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
	line(f, "#### Standards of proof on the state chain\n");
	table_head(f, cols, 7);
	size_t i, j;
	json_t *s, *n;
	json_array_foreach(rj_arr(h, "standards"), i, s) {
		const json_t *w = rj_obj(s, "weakest");
		cell(f, rj_str(s, "name"));
		cell_prob(f, rj_unit(s, "threshold"));
		cell(f, rj_bool(s, "met") ? "met" : "not met");
		cell_prob(f, rj_unit(s, "gap"));
		cell(f, rj_bool(s, "reachable") ? "yes" : "no: out of reach");
		cell(f, rj_bool(w, "met") ? "met"
			: rj_bool(w, "reachable") ? "not met, reachable"
						  : "not met, out of reach");
		fputs("| ", f);
		bool any = false;
		json_array_foreach(rj_arr(s, "needs"), j, n) {
			if (!rj_bool(n, "possible"))
				continue;
			md_put(f, rj_str(n, "link"));
			fputs(": belief ≥ ", f);
			prob(f, rj_unit(n, "belief_needed"));
			if (rj_str(n, "feasible")[0]) {
				fputs(" (", f);
				md_put(f, rj_str(n, "feasible"));
				fputc(')', f);
			}
			fputs("; ", f);
			any = true;
		}
		if (!any)
			fputs(rj_bool(s, "met") ? "met" : "no single link can get "
						 "there", f);
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
	line(f, "#### Sensitivity: which evidence moves the conclusion\n");
	table_head(f, cols, 7);
	json_array_foreach(rj_arr(h, "sensitivity"), i, x) {
		if (i >= 10)
			break;
		cell_code(f, rj_str(x, "removed"));
		cell(f, rj_str(x, "removed_type"));
		cell(f, rj_str(x, "link"));
		cell_prob(f, rj_unit(x, "link_belief"));
		fprintf(f, "| %+.2f | %+.2f | %+.2f |\n",
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
		line(f, "No pattern matched and no claim: every link is "
			"vacuous.\n");
		return;
	}
	line(f, "#### Evidence used\n");
	table_head(f, cols, 11);
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
		cell_code(f, rj_str(e, "id"));
		cell(f, rj_str(e, "link"));
		cell(f, rj_str(e, "direction"));
		cell(f, claim ? rj_str(e, "claim_type") : rj_str(e, "kind"));
		cell_code(f, claim ? rj_str(e, "source") : rj_str(e, "pattern"));
		fputs("| ", f);
		prob(f, rj_unit(e, "forgeability"));
		fputs(" / ", f);
		prob(f, rj_unit(e, "specificity"));
		fputc(' ', f);
		cell(f, rel);
		cell(f, rj_str(e, "class"));
		cell_prob(f, rj_unit(e, "discount"));
		if (claim)
			cell(f, "claim");
		else
			cell_int(f, rj_int(e, "matches", 0));
		cell_code(f, rj_str(e, "origin"));
		fputs("|\n", f);
	}
	fputc('\n', f);
}

static void hypotheses(FILE *f, const json_t *doc)
{
	line(f, "## Hypotheses along the attribution chain\n");
	if (!json_array_size(rj_arr(doc, "hypotheses")))
		line(f, "No hypotheses were scored for this case.\n");
	size_t i;
	json_t *h;
	json_array_foreach(rj_arr(doc, "hypotheses"), i, h) {
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
}

static void limits(FILE *f, const json_t *doc)
{
	line(f, "## What these packets cannot show\n");
	size_t i;
	json_t *l;
	json_array_foreach(rj_arr(doc, "limits"), i, l) {
		fputs("- **", f);
		md_put(f, rj_str(l, "title"));
		fputs("**: ", f);
		md_put(f, rj_str(l, "text"));
		fputc('\n', f);
	}
	fputc('\n', f);
}

static void indicators(FILE *f, const json_t *doc)
{
	static const char *const kcols[] = {"kind", "observations", "distinct",
					    "forgeability", "specificity",
					    "class", "most frequent values"};
	line(f, "## Indicators and their forgeability\n");
	table_head(f, kcols, 7);
	size_t i, j;
	json_t *k, *v;
	json_array_foreach(rj_arr(rj_obj(doc, "indicators"), "kinds"), i, k) {
		cell_code(f, rj_str(k, "kind"));
		cell_int(f, rj_int(k, "observations", 0));
		cell_int(f, rj_int(k, "distinct", 0));
		cell_prob(f, rj_unit(k, "forgeability"));
		cell_prob(f, rj_unit(k, "specificity"));
		cell(f, rj_str(k, "class"));
		fputs("| ", f);
		json_array_foreach(rj_arr(k, "top"), j, v) {
			if (j)
				fputs(", ", f);
			md_code(f, rj_str(v, "value"));
			fprintf(f, " ×%lld (frame %lld)",
				(long long)rj_int(v, "count", 0),
				(long long)rj_int(rj_obj(v, "cite"), "frame", 0));
		}
		fputs(" |\n", f);
	}
	fputc('\n', f);
}

static void behaviour(FILE *f, const json_t *doc)
{
	const json_t *act = rj_obj(doc, "activity"), *bc = rj_obj(doc, "beacons");
	size_t i;
	json_t *x;
	line(f, "## Behaviour: working hours and beacons\n");
	if (json_array_size(rj_arr(act, "hosts"))) {
		fputs("Connection starts of all hosts by UTC hour, 00 to 23: `", f);
		sparkline(f, rj_arr(act, "total_by_utc_hour"));
		line(f, "`\n");
		static const char *const cols[] = {"host", "starts", "by UTC hour",
						   "offset", "probability",
						   "informative"};
		table_head(f, cols, 6);
		json_array_foreach(rj_arr(act, "hosts"), i, x) {
			char off[16];
			snprintf(off, sizeof off, "UTC%+lld",
				 (long long)rj_int(x, "map_offset_h", 0));
			cell_code(f, rj_str(x, "host"));
			cell_int(f, rj_int(x, "events", 0));
			fputs("| `", f);
			sparkline(f, rj_arr(x, "by_utc_hour"));
			fputs("` ", f);
			cell(f, off);
			cell_prob(f, rj_unit(x, "map_probability"));
			cell(f, rj_bool(x, "informative") ? "yes" : "no");
			fputs("|\n", f);
		}
		fputc('\n', f);
	}
	if (json_array_size(rj_arr(bc, "shown"))) {
		static const char *const cols[] = {
			"series", "period (s)", "jitter", "score",
			"intervals, 0 to 3× the median", "frame"};
		table_head(f, cols, 6);
		json_array_foreach(rj_arr(bc, "shown"), i, x) {
			cell_code(f, rj_str(x, "value"));
			fprintf(f, "| %.1f ", rj_num(x, "period_s", 0));
			cell_prob(f, rj_unit(x, "jitter"));
			cell_prob(f, rj_unit(x, "score"));
			fputs("| `", f);
			sparkline(f, rj_arr(rj_obj(x, "intervals"), "counts"));
			fputs("` ", f);
			cell_int(f, rj_int(rj_obj(x, "cite"), "frame", 0));
			fputs("|\n", f);
		}
		fputc('\n', f);
	}
	const json_t *tl = rj_obj(doc, "timeline");
	if (json_array_size(rj_arr(tl, "series"))) {
		line(f, "### Timeline of observations\n");
		fputs("From ", f);
		md_put(f, rj_str(tl, "start"));
		fputs(" to ", f);
		md_put(f, rj_str(tl, "end"));
		fprintf(f, ", one character per %.0f s:\n\n",
			rj_num(tl, "bin_seconds", 0));
		json_array_foreach(rj_arr(tl, "series"), i, x) {
			fputs("- ", f);
			md_put(f, rj_str(x, "family"));
			fputs(": `", f);
			sparkline(f, rj_arr(x, "counts"));
			fputs("`\n", f);
		}
		fputc('\n', f);
	}
}

static void evidence(FILE *f, const json_t *doc)
{
	static const char *const scols[] = {"id", "file", "SHA-256", "packets",
					    "first packet", "last packet",
					    "status"};
	static const char *const ccols[] = {"hypothesis", "evidence",
					    "observation", "kind: value",
					    "source SHA-256", "frame",
					    "shows the packet"};
	enum { MAX_ROWS = 400 };
	size_t i, j, k, rows = 0;
	json_t *s, *h, *e, *c;
	line(f, "## Evidence: sources and cited packets\n");
	table_head(f, scols, 7);
	json_array_foreach(rj_arr(doc, "sources"), i, s) {
		cell_int(f, rj_int(s, "id", 0));
		cell_code(f, rj_str(s, "path"));
		cell_code(f, rj_str(s, "sha256"));
		cell_int(f, rj_int(s, "packets", 0));
		cell(f, rj_str(s, "first_packet"));
		cell(f, rj_str(s, "last_packet"));
		cell(f, rj_str(s, "status"));
		fputs("|\n", f);
	}
	line(f, "\nPackets cited by the scores (frame numbers are "
		"Wireshark's):\n");
	table_head(f, ccols, 7);
	json_array_foreach(rj_arr(doc, "hypotheses"), i, h) {
		json_array_foreach(rj_arr(h, "evidence"), j, e) {
			json_array_foreach(rj_arr(e, "cited"), k, c) {
				if (++rows > MAX_ROWS)
					continue;
				cell(f, rj_str(h, "id"));
				cell_code(f, rj_str(e, "id"));
				cell_int(f, rj_int(c, "observation", 0));
				fputs("| ", f);
				md_put(f, rj_str(c, "kind"));
				fputs(": ", f);
				md_code(f, rj_str(c, "value"));
				fputc(' ', f);
				cell_code(f, rj_str(c, "source_sha256"));
				cell_int(f, rj_int(c, "frame", 0));
				cell_code(f, rj_str(c, "tshark"));
				fputs("|\n", f);
			}
		}
	}
	if (rows > MAX_ROWS)
		fprintf(f, "\n%d of %zu citations shown; the JSON report lists "
			   "them all.\n", MAX_ROWS, rows);
	fputc('\n', f);
}

static void verification(FILE *f, const json_t *doc)
{
	const json_t *v = rj_obj(doc, "verification");
	const json_t *sf = rj_obj(v, "source_files");
	const json_t *cp = rj_obj(v, "cited_packets");
	line(f, "## Verification\n");
	fputs("- status: **", f);
	md_put(f, rj_str(v, "status"));
	fputs("**, checked ", f);
	md_put(f, rj_str(v, "checked"));
	fprintf(f, "\n- hash chain: %lld entries, head %lld ",
		(long long)rj_int(v, "chain_entries", 0),
		(long long)rj_int(v, "head_seq", 0));
	md_code(f, rj_str(v, "head_hash"));
	fputs("\n- head file: ", f);
	md_put(f, rj_str(v, "head_file_result"));
	fputs("\n- database integrity: ", f);
	md_put(f, rj_str(v, "integrity"));
	fprintf(f, "\n- capture files: %lld re-hashed, %lld changed, %lld "
		   "missing, %lld unfinished\n- cited packets: %lld re-read, "
		   "%lld wrong, %lld not checkable\n",
		(long long)rj_int(sf, "rehashed", 0),
		(long long)rj_int(sf, "changed", 0),
		(long long)rj_int(sf, "missing", 0),
		(long long)rj_int(sf, "unfinished", 0),
		(long long)rj_int(cp, "reread", 0),
		(long long)rj_int(cp, "wrong", 0),
		(long long)rj_int(cp, "not_checkable", 0));
	if (rj_str(v, "first_problem")[0]) {
		fputs("- first problem: ", f);
		md_put(f, rj_str(v, "first_problem"));
		fputc('\n', f);
	}
	fputs("- how: ", f);
	md_put(f, rj_str(v, "method"));
	fputs("\n\n", f);
}

static void custody(FILE *f, const json_t *doc)
{
	static const char *const cols[] = {"id", "time (UTC)", "action", "who",
					   "arguments", "result"};
	size_t i;
	json_t *c;
	line(f, "## Custody log\n");
	if ((int64_t)json_array_size(rj_arr(doc, "custody")) <
	    rj_int(doc, "custody_total", 0))
		fprintf(f, "The last %zu of %lld entries.\n\n",
			json_array_size(rj_arr(doc, "custody")),
			(long long)rj_int(doc, "custody_total", 0));
	table_head(f, cols, 6);
	json_array_foreach(rj_arr(doc, "custody"), i, c) {
		cell_int(f, rj_int(c, "id", 0));
		cell(f, rj_str(c, "time"));
		cell(f, rj_str(c, "action"));
		cell(f, rj_str(c, "actor"));
		cell_code(f, rj_str(c, "arguments"));
		cell(f, rj_str(c, "detail"));
		fputs("|\n", f);
	}
	fputc('\n', f);
}

static void method(FILE *f, const json_t *doc)
{
	size_t i;
	json_t *m;
	line(f, "## Method, models and what was left out\n");
	json_array_foreach(rj_arr(doc, "models"), i, m) {
		fputs("- model ", f);
		md_code(f, rj_str(m, "path"));
		fputs(" (", f);
		md_put(f, rj_str(m, "format"));
		fputs(", sha256 ", f);
		md_code(f, rj_str(m, "sha256"));
		fputs(")\n", f);
	}
	json_array_foreach(rj_arr(doc, "not_evaluated"), i, m) {
		if (i >= 100)
			break;
		fputs("- not evaluated: ", f);
		md_code(f, rj_str(m, "pattern"));
		fputs(" at ", f);
		md_code(f, rj_str(m, "origin"));
		fputs(": ", f);
		md_put(f, rj_str(m, "reason"));
		fputc('\n', f);
	}
	fputc('\n', f);
	if (!json_array_size(rj_arr(doc, "caps"))) {
		line(f, "Nothing was left out: every table is complete.\n");
		return;
	}
	line(f, "Tables cut to keep the report light (the case and the JSON "
		"report hold what is counted here):\n");
	json_array_foreach(rj_arr(doc, "caps"), i, m) {
		fputs("- ", f);
		md_put(f, rj_str(m, "what"));
		fprintf(f, ": %lld of %lld shown; ",
			(long long)rj_int(m, "shown", 0),
			(long long)rj_int(m, "total", 0));
		md_put(f, rj_str(m, "how"));
		fputc('\n', f);
	}
	fputc('\n', f);
}

int report_write_markdown(const json_t *doc, FILE *f)
{
	header(f, doc);
	summary(f, doc);
	hypotheses(f, doc);
	limits(f, doc);
	indicators(f, doc);
	behaviour(f, doc);
	evidence(f, doc);
	verification(f, doc);
	custody(f, doc);
	method(f, doc);
	line(f, "---\nattrib report document format attrib-report-1; the "
		"same content as JSON: `attrib report --format json`.");
	return ferror(f) ? -1 : 0;
}
