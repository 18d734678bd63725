/*
 * html.c — the HTML report: one self-contained page (inline CSS, inline
 * SVG charts, no scripts, no external requests — a Content-Security-
 * Policy of default-src 'none' makes a browser refuse any that slipped
 * through), readable printed (@media print).
 *
 * This file draws the page, the summary, the limits, the case's evidence
 * (sources, citations), verification, custody and method; html_parts.c
 * draws each hypothesis and the indicator and behaviour sections. Every
 * string from the document goes through html_put().
 */
#include "analyze/report/report_internal.h"
#include "analyze/report/html.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_CITED_ROWS = 400 };

static const char css[] =
	":root{--ink:#1a1a1a;--muted:#5a5a5a;--line:#c8ccd2;--accent:#1f4e79;"
	"--warn:#8b1a1a}\n"
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
	"'DejaVu Sans',sans-serif;color:var(--ink);max-width:1040px;"
	"margin:0 auto;padding:20px 28px;background:#fff}\n"
	"h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;border-bottom:2px "
	"solid var(--accent);padding-bottom:3px;margin-top:36px}"
	"h3{font-size:17px;margin:22px 0 6px}h4{font-size:15px;margin:16px 0 4px}\n"
	"table{border-collapse:collapse;width:100%;margin:6px 0 14px;"
	"font-size:13px}th,td{border:1px solid var(--line);padding:3px 6px;"
	"text-align:left;vertical-align:top}th{background:#eef2f7}"
	"td.n{text-align:right;white-space:nowrap;"
	"font-variant-numeric:tabular-nums}td.nw{white-space:nowrap}"
	".small{font-size:12px}table.glance td{vertical-align:middle}\n"
	"code,.mono{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;"
	"font-size:12px;overflow-wrap:anywhere}\n"
	".badge{display:inline-block;padding:1px 8px;border-radius:4px;"
	"font-weight:bold}.intact{background:#e3f1e3;color:#1b5e20}"
	".tampered{background:#fde2e0;color:var(--warn)}"
	".not-verified{background:#eee;color:#333}\n"
	".banner{border:2px solid var(--warn);background:#fdecea;padding:10px "
	"14px;margin:12px 0;font-weight:bold}\n"
	".card{border:1px solid var(--line);border-radius:6px;padding:4px 16px "
	"12px;margin:16px 0}.muted{color:var(--muted)}"
	".flag{color:var(--warn);font-weight:bold}\n"
	".chart{max-width:100%;height:auto;display:block;margin:6px 0}"
	"svg text{font-family:system-ui,'DejaVu Sans',sans-serif}"
	"svg .lbl{font-size:12px}svg .tick{font-size:10px;fill:#444}"
	"svg .num{font-size:11px;font-family:'DejaVu Sans Mono',monospace}"
	"svg .thr{font-size:10px;fill:#8b1a1a}\n"
	"dt{font-weight:bold;margin-top:6px}nav ol{columns:2;margin:6px 0}.lead p{margin:6px 0}"
	".key{background:#f6f8fb;border-left:4px solid var(--accent);"
	"padding:6px 12px;margin:10px 0;font-size:14px}\n"
	"@media print{body{max-width:none;padding:0;font-size:10.5pt}"
	"nav{display:none}h2{break-after:avoid}h3,h4{break-after:avoid}"
	".chart,tr,.key,.banner{break-inside:avoid}"
	".card{border:none;padding:0}a{color:inherit;text-decoration:none}"
	"th{background:#eee}}\n";

void html_text_el(FILE *f, const char *tag, const char *s)
{
	fprintf(f, "<%s>", tag);
	html_put(f, s);
	fprintf(f, "</%s>", tag);
}

void html_td(FILE *f, const char *s)
{
	html_text_el(f, "td", s);
}

void html_td_code(FILE *f, const char *s)
{
	fputs("<td><code>", f);
	html_put(f, s);
	fputs("</code></td>", f);
}

void html_td_prob(FILE *f, double v)
{
	char b[16];
	report_fmt_prob(v, b);
	fprintf(f, "<td class=\"n\">%s</td>", b);
}

void html_td_time(FILE *f, const char *iso)
{
	char t[24];
	report_short_time(iso, t);
	fprintf(f, "<td class=\"nw\">%s</td>", t);
}

void html_td_int(FILE *f, int64_t v)
{
	fprintf(f, "<td class=\"n\">%lld</td>", (long long)v);
}

void html_head_row(FILE *f, const char *const *cols, size_t n)
{
	fputs("<tr>", f);
	for (size_t i = 0; i < n; i++)
		html_text_el(f, "th", cols[i]);
	fputs("</tr>\n", f);
}

/* ---- page parts ---- */

static void header(FILE *f, const json_t *doc)
{
	const json_t *cs = rj_obj(doc, "case");
	const json_t *v = rj_obj(doc, "verification");
	const char *status = rj_str(v, "status");
	fputs("<header><h1>Attribution evidence report</h1>\n<p>Case <code>", f);
	html_put(f, rj_str(cs, "path"));
	fputs("</code>", f);
	if (rj_str(cs, "note")[0]) {
		fputs(" (", f);
		html_put(f, rj_str(cs, "note"));
		fputs(")", f);
	}
	fputs(" · report made ", f);
	html_put(f, rj_str(rj_obj(doc, "report"), "time"));
	fputs(" by attrib ", f);
	html_put(f, rj_str(rj_obj(doc, "report"), "tool_version"));
	fputs("</p>\n<p>Evidence chain: <span class=\"badge ", f);
	fputs(!strcmp(status, "intact")	    ? "intact"
	      : !strcmp(status, "tampered") ? "tampered"
					    : "not-verified", f);
	fputs("\">", f);
	html_put(f, status);
	fputs("</span>", f);
	if (json_is_integer(json_object_get(v, "head_seq"))) {
		fprintf(f, " · head %lld <code>",
			(long long)rj_int(v, "head_seq", 0));
		html_put(f, rj_str(v, "head_hash"));
		fputs("</code>", f);
	}
	fputs("</p></header>\n", f);
	if (!strcmp(status, "tampered")) {
		fputs("<div class=\"banner\">TAMPERED: ", f);
		html_put(f, rj_str(v, "first_problem"));
		fputs(". Nothing in this report can be relied on until that is "
		      "explained.</div>\n", f);
	}
}

static void nav(FILE *f)
{
	static const char *const items[][2] = {
		{"summary", "Summary"},
		{"hypotheses", "Hypotheses along the attribution chain"},
		{"limits", "What these packets cannot show"},
		{"indicators", "Indicators and their forgeability"},
		{"behaviour", "Behaviour: working hours and beacons"},
		{"timeline", "Timeline of observations"},
		{"evidence", "Evidence: sources and cited packets"},
		{"verification", "Verification"},
		{"custody", "Custody log"},
		{"method", "Method, models and what was left out"},
	};
	fputs("<nav><strong>Contents</strong><ol>", f);
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
		fprintf(f, "<li><a href=\"#%s\">%s</a></li>", items[i][0],
			items[i][1]);
	fputs("</ol></nav>\n", f);
}

static void paragraphs(FILE *f, const json_t *arr)
{
	size_t i;
	json_t *s;
	json_array_foreach(arr, i, s)
		html_text_el(f, "p", json_is_string(s) ? json_string_value(s) : "");
}

static void glance_cell(FILE *f, double bel, double pl)
{
	char b[16], p[16];
	report_fmt_prob(bel, b);
	report_fmt_prob(pl, p);
	fputs("<td class=\"nw\">", f);
	svg_mini_bar(f, bel, pl);
	fprintf(f, "<br><span class=\"small\">%s – %s</span></td>", b, p);
}

/* One row per hypothesis: each link and the state chain as a [Bel, Pl]
 * bar, and the standards met. */
static void at_a_glance(FILE *f, const json_t *doc)
{
	static const char *const cols[] = {"hypothesis", "L1", "L2", "L3",
					   "L3i", "L4", "state chain",
					   "standards met"};
	const json_t *hyps = rj_arr(doc, "hypotheses");
	if (!json_array_size(hyps))
		return;
	fputs("<table id=\"at-a-glance\" class=\"glance\">", f);
	html_head_row(f, cols, 8);
	size_t i, j;
	json_t *h, *s;
	json_array_foreach(hyps, i, h) {
		if (report_hyp_collapsed(h))
			continue;
		fprintf(f, "<tr><td><a href=\"#hyp-%zu\">", i + 1);
		html_put(f, rj_str(h, "name")[0] ? rj_str(h, "name")
						 : rj_str(h, "id"));
		fputs("</a></td>", f);
		for (int k = 0; k < REPORT_LINKS; k++) {
			const json_t *l = rj_obj(rj_obj(h, "links"),
						 report_link_names[k]);
			glance_cell(f, rj_unit(l, "belief"),
				    rj_unit(l, "plausibility"));
		}
		const json_t *joint = rj_obj(rj_obj(h, "chain"), "joint");
		glance_cell(f, rj_unit(joint, "belief"),
			    rj_unit(joint, "plausibility"));
		fputs("<td>", f);
		bool any = false;
		json_array_foreach(rj_arr(h, "standards"), j, s) {
			if (!rj_bool(s, "met"))
				continue;
			if (any)
				fputs(", ", f);
			html_put(f, rj_str(s, "name"));
			any = true;
		}
		fputs(any ? "</td></tr>\n" : "none</td></tr>\n", f);
	}
	char line[900];
	report_collapsed_line(hyps, line, sizeof line);
	fputs("</table>\n", f);
	if (line[0]) {
		fputs("<p>", f);
		html_put(f, line);
		fputs("</p>\n", f);
	}
	fputs("<p class=\"muted small\">Each bar runs from 0 to 1: "
	      "dark is belief, light is what the evidence leaves open (up to "
	      "plausibility), red is disbelief; the dashed mark is 0.5. "
	      "Numbers: belief – plausibility.</p>\n", f);
}

static void summary(FILE *f, const json_t *doc)
{
	const json_t *sum = rj_obj(doc, "summary");
	fputs("<section id=\"summary\"><h2>Summary</h2>\n<div class=\"lead\">", f);
	paragraphs(f, rj_arr(sum, "lead"));
	fputs("</div>\n", f);
	at_a_glance(f, doc);
	fputs("<div class=\"key\">Likelihood words follow ICD 203: "
	      "almost no chance (&lt;5%), very unlikely (5–20%), unlikely "
	      "(20–45%), roughly even chance (45–55%), likely (55–80%), very "
	      "likely (80–95%), almost certain (≥95%); “cannot judge” when "
	      "more than half of the question is still open. Confidence (high, "
	      "moderate, low) is stated apart: it says how much is open, not "
	      "which way the evidence leans. Belief counts only what the "
	      "evidence supports; plausibility adds everything it leaves open. "
	      "A standard of proof is met on belief alone.</div>\n", f);
	size_t i, j;
	json_t *h, *s;
	json_array_foreach(rj_arr(sum, "hypotheses"), i, h) {
		fprintf(f, "<h3><a href=\"#hyp-%zu\">", i + 1);
		html_put(f, rj_str(h, "name"));
		fputs("</a></h3>\n<ul>", f);
		json_array_foreach(rj_arr(h, "likelihood"), j, s)
			html_text_el(f, "li", json_string_value(s) ?
						      json_string_value(s) : "");
		fputs("</ul>\n", f);
		paragraphs(f, rj_arr(h, "confidence"));
		paragraphs(f, rj_arr(h, "standards"));
		json_array_foreach(rj_arr(h, "flags"), j, s) {
			fputs("<p class=\"flag\">", f);
			html_put(f, json_string_value(s) ? json_string_value(s)
							 : "");
			fputs("</p>\n", f);
		}
	}
	fputs("</section>\n", f);
}

static void limits(FILE *f, const json_t *doc)
{
	fputs("<section id=\"limits\"><h2>What these packets cannot show</h2>\n"
	      "<dl>", f);
	size_t i;
	json_t *l;
	json_array_foreach(rj_arr(doc, "limits"), i, l) {
		html_text_el(f, "dt", rj_str(l, "title"));
		html_text_el(f, "dd", rj_str(l, "text"));
	}
	fputs("</dl></section>\n", f);
}

static void sources(FILE *f, const json_t *doc)
{
	static const char *const cols[] = {
		"id", "file", "SHA-256", "packets", "first packet",
		"last packet", "status", "in latest score run"};
	fputs("<h3>Capture files</h3>\n<table>", f);
	html_head_row(f, cols, 8);
	size_t i;
	json_t *s;
	json_array_foreach(rj_arr(doc, "sources"), i, s) {
		fputs("<tr>", f);
		html_td_int(f, rj_int(s, "id", 0));
		html_td_code(f, rj_str(s, "path"));
		html_td_code(f, rj_str(s, "sha256"));
		html_td_int(f, rj_int(s, "packets", 0));
		html_td_time(f, rj_str(s, "first_packet"));
		html_td_time(f, rj_str(s, "last_packet"));
		html_td(f, rj_str(s, "status"));
		html_td(f, !rj_bool(doc, "scored") ? "no score run"
			   : rj_bool(s, "in_latest_run") ? "yes" : "no");
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void cited(FILE *f, const json_t *doc)
{
	static const char *const cols[] = {
		"hypothesis", "evidence", "link", "observation", "kind: value",
		"source SHA-256", "frame", "shows the packet"};
	size_t rows = 0, total = 0, i, j, k;
	json_t *h, *e, *c;
	fputs("<h3>Packets cited by the scores</h3>\n<p class=\"muted\">Each "
	      "row is one observation a matched pattern rests on (up to ten "
	      "per pattern). Frame numbers are Wireshark's; the command "
	      "shows the packet from the capture file whose SHA-256 is "
	      "given.</p>\n<table>", f);
	html_head_row(f, cols, 8);
	json_array_foreach(rj_arr(doc, "hypotheses"), i, h) {
		json_array_foreach(rj_arr(h, "evidence"), j, e) {
			json_array_foreach(rj_arr(e, "cited"), k, c) {
				if (++total > MAX_CITED_ROWS)
					continue;
				rows++;
				char kv[64];
				fprintf(f, "<tr><td><a href=\"#hyp-%zu\">", i + 1);
				html_put(f, rj_str(h, "id"));
				fputs("</a></td>", f);
				html_td_code(f, rj_str(e, "id"));
				html_td(f, rj_str(e, "link"));
				html_td_int(f, rj_int(c, "observation", 0));
				snprintf(kv, sizeof kv, "%s: ", rj_str(c, "kind"));
				fputs("<td><code>", f);
				html_put(f, kv);
				html_put(f, rj_str(c, "value"));
				fputs("</code></td>", f);
				html_td_code(f, rj_str(c, "source_sha256"));
				html_td_int(f, rj_int(c, "frame", 0));
				html_td_code(f, rj_str(c, "tshark"));
				fputs("</tr>\n", f);
			}
		}
	}
	if (total == 0)
		fputs("<tr><td colspan=\"8\">No observation is cited: no "
		      "hypothesis was scored, or no pattern matched.</td></tr>", f);
	fputs("</table>\n", f);
	if (total > rows)
		fprintf(f, "<p class=\"muted\">%zu of %zu citations shown; the "
			   "JSON report lists them all.</p>\n", rows, total);
}

static void evidence(FILE *f, const json_t *doc)
{
	fputs("<section id=\"evidence\"><h2>Evidence: sources and cited "
	      "packets</h2>\n", f);
	sources(f, doc);
	cited(f, doc);
	fputs("</section>\n", f);
}

/* An integer cell, or "–" when the document does not give it. */
static void html_td_count(FILE *f, const json_t *o, const char *key)
{
	if (json_is_integer(json_object_get(o, key)))
		html_td_int(f, rj_int(o, key, 0));
	else
		fputs("<td class=\"n muted\">–</td>", f);
}

static void kv_row(FILE *f, const char *k, const char *v, bool code)
{
	fputs("<tr>", f);
	html_text_el(f, "th", k);
	code ? html_td_code(f, v) : html_td(f, v);
	fputs("</tr>\n", f);
}

static void verification(FILE *f, const json_t *doc)
{
	const json_t *v = rj_obj(doc, "verification");
	const json_t *sf = rj_obj(v, "source_files");
	const json_t *cp = rj_obj(v, "cited_packets");
	char buf[256];
	fputs("<section id=\"verification\"><h2>Verification</h2>\n<table>", f);
	kv_row(f, "status", rj_str(v, "status"), false);
	kv_row(f, "checked", rj_str(v, "checked"), false);
	snprintf(buf, sizeof buf, "%lld entries; head %lld",
		 (long long)rj_int(v, "chain_entries", 0),
		 (long long)rj_int(v, "head_seq", 0));
	kv_row(f, "hash chain", buf, false);
	kv_row(f, "head hash", rj_str(v, "head_hash"), true);
	kv_row(f, "head file", rj_str(v, "head_file"), true);
	kv_row(f, "head file comparison", rj_str(v, "head_file_result"), false);
	kv_row(f, "database integrity", rj_str(v, "integrity"), false);
	snprintf(buf, sizeof buf, "%lld sources: %lld re-hashed, %lld changed, "
		 "%lld missing, %lld unfinished",
		 (long long)rj_int(sf, "sources", 0),
		 (long long)rj_int(sf, "rehashed", 0),
		 (long long)rj_int(sf, "changed", 0),
		 (long long)rj_int(sf, "missing", 0),
		 (long long)rj_int(sf, "unfinished", 0));
	kv_row(f, "capture files", buf, false);
	snprintf(buf, sizeof buf, "%lld re-read, %lld wrong, %lld not checkable",
		 (long long)rj_int(cp, "reread", 0),
		 (long long)rj_int(cp, "wrong", 0),
		 (long long)rj_int(cp, "not_checkable", 0));
	kv_row(f, "cited packets", buf, false);
	if (rj_str(v, "first_problem")[0])
		kv_row(f, "first problem", rj_str(v, "first_problem"), false);
	kv_row(f, "how", rj_str(v, "method"), false);
	fputs("</table>\n<p>To check it yourself: <code>attrib verify --db ", f);
	char *q = report_shell_quote(rj_str(rj_obj(doc, "case"), "path"));
	html_put(f, q ? q : "CASE.db");
	free(q);
	fputs("</code>, or <code>tests/oracle/chain_verify.py</code>, a second "
	      "verifier written from docs/evidence.md alone. Keep a copy of the "
	      "head hash above elsewhere: only an outside copy exposes a "
	      "rewrite of the whole database.</p></section>\n", f);
}

static void custody(FILE *f, const json_t *doc)
{
	static const char *const cols[] = {"id", "time (UTC)", "action",
					   "who", "host", "version",
					   "arguments", "result"};
	const json_t *arr = rj_arr(doc, "custody");
	fputs("<section id=\"custody\"><h2>Custody log</h2>\n", f);
	if ((int64_t)json_array_size(arr) < rj_int(doc, "custody_total", 0))
		fprintf(f, "<p class=\"muted\">The last %zu of %lld entries.</p>",
			json_array_size(arr),
			(long long)rj_int(doc, "custody_total", 0));
	fputs("<table>", f);
	html_head_row(f, cols, 8);
	size_t i;
	json_t *c;
	json_array_foreach(arr, i, c) {
		fputs("<tr>", f);
		html_td_int(f, rj_int(c, "id", 0));
		html_td_time(f, rj_str(c, "time"));
		html_td(f, rj_str(c, "action"));
		html_td(f, rj_str(c, "actor"));
		html_td(f, rj_str(c, "host"));
		html_td(f, rj_str(c, "tool_version"));
		html_td_code(f, rj_str(c, "arguments"));
		html_td(f, rj_str(c, "detail"));
		fputs("</tr>\n", f);
	}
	fputs("</table><p class=\"muted\">Making this report adds an entry "
	      "<code>report</code> with the report file's SHA-256 after the "
	      "entries above.</p></section>\n", f);
}

static void method(FILE *f, const json_t *doc)
{
	static const char *const mcols[] = {"model file", "SHA-256", "format",
					    "hypotheses", "patterns", "claims"};
	static const char *const ccols[] = {"what", "shown", "of", "how"};
	static const char *const ncols[] = {"where", "pattern", "why not"};
	size_t i;
	json_t *m;
	fputs("<section id=\"method\"><h2>Method, models and what was left "
	      "out</h2>\n<p>Scores use subjective logic along the attribution "
	      "chain (docs/scoring.md): each matched indicator or claim is an "
	      "opinion discounted by its source's reliability and its "
	      "forgeability; cheap indicators count once as one class; links "
	      "multiply along the chain.</p>\n", f);
	if (rj_bool(doc, "scored")) {
		const json_t *p = rj_obj(doc, "parameters");
		fprintf(f, "<p>Parameters: deception prior δ = %g, conflict "
			   "threshold %g, cheap when forgeability ≥ %g, a class "
			   "points when |b − d| ≥ %g.</p>\n",
			rj_num(p, "deception", 0), rj_num(p, "conflict_threshold", 0),
			rj_num(p, "cheap_forgeability", 0),
			rj_num(p, "false_flag_min_net", 0));
		fputs("<table>", f);
		html_head_row(f, mcols, 6);
		json_array_foreach(rj_arr(doc, "models"), i, m) {
			fputs("<tr>", f);
			html_td_code(f, rj_str(m, "path"));
			html_td_code(f, rj_str(m, "sha256"));
			html_td(f, rj_str(m, "format"));
			html_td_count(f, m, "hypotheses");
			html_td_count(f, m, "patterns");
			html_td_count(f, m, "claims");
			fputs("</tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	if (json_array_size(rj_arr(doc, "not_evaluated"))) {
		fputs("<h3>Patterns not evaluated</h3><table>", f);
		html_head_row(f, ncols, 3);
		json_array_foreach(rj_arr(doc, "not_evaluated"), i, m) {
			if (i >= 100)
				break;
			fputs("<tr>", f);
			html_td_code(f, rj_str(m, "origin"));
			html_td_code(f, rj_str(m, "pattern"));
			html_td(f, rj_str(m, "reason"));
			fputs("</tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("<h3>What this report leaves out</h3>\n", f);
	if (!json_array_size(rj_arr(doc, "caps")))
		fputs("<p>Nothing: every table is complete.</p>\n", f);
	else {
		fputs("<p>To keep the page light whatever the size of the "
		      "capture, these tables are cut; the case and the JSON "
		      "report hold what is counted here.</p><table>", f);
		html_head_row(f, ccols, 4);
		json_array_foreach(rj_arr(doc, "caps"), i, m) {
			fputs("<tr>", f);
			html_td(f, rj_str(m, "what"));
			html_td_int(f, rj_int(m, "shown", 0));
			html_td_int(f, rj_int(m, "total", 0));
			html_td(f, rj_str(m, "how"));
			fputs("</tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("<p class=\"muted\">The same content as JSON: attrib report "
	      "--format json (fields in docs/report-format.md).</p>"
	      "</section>\n", f);
}

int report_write_html(const json_t *doc, FILE *f)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\""
	      "default-src 'none'; style-src 'unsafe-inline'\">"
	      "<meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\"><title>Attribution evidence report: ", f);
	html_put(f, rj_str(rj_obj(doc, "case"), "path"));
	fprintf(f, "</title>\n<style>\n%s</style></head>\n<body>\n", css);
	header(f, doc);
	nav(f);
	summary(f, doc);
	html_hypotheses(f, doc);
	limits(f, doc);
	html_indicators(f, doc);
	html_behaviour(f, doc);
	html_timeline(f, doc);
	evidence(f, doc);
	verification(f, doc);
	custody(f, doc);
	method(f, doc);
	fputs("<footer class=\"muted\"><p>attrib report document format "
	      "attrib-report-1. Every number above traces to an observation "
	      "id, a frame and the SHA-256 of a capture file.</p></footer>\n"
	      "</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
