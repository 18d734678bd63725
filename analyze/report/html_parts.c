/*
 * html_parts.c — the HTML report's sections about each hypothesis (the
 * chain chart, link readings, standards of proof with what each link
 * would need, flags, sensitivity, the evidence used) and about the case's
 * indicators, behaviour and timeline. The page itself is html.c's.
 */
#include "analyze/report/report_internal.h"
#include "analyze/report/html.h"

#include <string.h>

enum { SENSITIVITY_ROWS = 10, HOST_CHARTS = 3 };

static void link_table(FILE *f, const json_t *h)
{
	static const char *const cols[] = {
		"link", "question", "belief", "disbelief", "uncertainty",
		"plausibility", "90% interval", "ICD 203", "confidence",
		"evidence", "flags"};
	fputs("<table>", f);
	html_head_row(f, cols, 11);
	for (int i = 0; i < REPORT_LINKS; i++) {
		const char *name = report_link_names[i];
		const json_t *l = rj_obj(rj_obj(h, "links"), name);
		const json_t *ci = rj_arr(l, "ci90");
		char lo[16], hi[16], iv[40];
		report_fmt_prob(unit_clamp(json_number_value(json_array_get(ci, 0))), lo);
		report_fmt_prob(unit_clamp(json_number_value(json_array_get(ci, 1))), hi);
		snprintf(iv, sizeof iv, "%s – %s", lo, hi);
		fputs("<tr>", f);
		html_text_el(f, "th", name);
		html_td(f, report_link_title(name));
		html_td_prob(f, rj_unit(l, "belief"));
		html_td_prob(f, rj_unit(l, "disbelief"));
		html_td_prob(f, rj_unit(l, "uncertainty"));
		html_td_prob(f, rj_unit(l, "plausibility"));
		html_td(f, iv);
		html_td(f, rj_str(l, "phrase"));
		html_td(f, rj_str(l, "confidence"));
		html_td_int(f, (int64_t)json_array_size(rj_arr(l, "items")));
		fputs("<td class=\"flag\">", f);
		size_t k;
		json_t *fl;
		json_array_foreach(rj_arr(l, "flags"), k, fl) {
			html_put(f, json_is_string(fl) ? json_string_value(fl) : "");
			fputc(' ', f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* One cell of "what it would take": the need of link on standard s. */
static void need_cell(FILE *f, const json_t *s, const char *link)
{
	size_t i;
	json_t *n;
	json_array_foreach(rj_arr(s, "needs"), i, n) {
		if (strcmp(rj_str(n, "link"), link) != 0)
			continue;
		char b[16], c[16];
		if (!rj_bool(n, "possible")) {
			fputs("<td class=\"muted\">", f);
			html_put(f, rj_str(n, "feasible")[0]
					    ? rj_str(n, "feasible")
					    : "impossible on this link alone");
			fputs("</td>", f);
			return;
		}
		report_fmt_prob(rj_unit(n, "belief_needed"), b);
		fprintf(f, "<td>belief ≥ %s", b);
		if (json_is_number(json_object_get(n, "claim_strength_needed"))) {
			report_fmt_prob(rj_unit(n, "claim_strength_needed"), c);
			fprintf(f, "; one more source of strength %s", c);
		}
		if (rj_str(n, "feasible")[0]) {
			fputs("<br><span class=\"muted\">", f);
			html_put(f, rj_str(n, "feasible"));
			fputs("</span>", f);
		}
		fputs("</td>", f);
		return;
	}
	fputs("<td class=\"muted\">–</td>", f);
}

static void standards_table(FILE *f, const json_t *h)
{
	static const char *const cols[] = {
		"standard of proof", "threshold", "met (joint)", "gap",
		"reachable", "weakest-link reading", "L1 would need",
		"L2 would need", "L3 would need", "L4 would need"};
	fputs("<h4>Standards of proof on the state chain</h4>\n<table>", f);
	html_head_row(f, cols, 10);
	size_t i;
	json_t *s;
	json_array_foreach(rj_arr(h, "standards"), i, s) {
		const json_t *w = rj_obj(s, "weakest");
		char wk[64], g[16];
		report_fmt_prob(rj_unit(w, "gap"), g);
		snprintf(wk, sizeof wk, "%s, gap %s, %s",
			 rj_bool(w, "met") ? "met" : "not met", g,
			 rj_bool(w, "reachable") ? "reachable" : "out of reach");
		fputs("<tr>", f);
		html_td(f, rj_str(s, "name"));
		html_td_prob(f, rj_unit(s, "threshold"));
		html_td(f, rj_bool(s, "met") ? "met" : "not met");
		html_td_prob(f, rj_unit(s, "gap"));
		html_td(f, rj_bool(s, "reachable") ? "yes" : "no: out of reach");
		html_td(f, wk);
		if (rj_bool(s, "met")) {
			fputs("<td colspan=\"4\" class=\"muted\">met</td>", f);
		} else {
			need_cell(f, s, "L1");
			need_cell(f, s, "L2");
			need_cell(f, s, "L3");
			need_cell(f, s, "L4");
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<p class=\"muted\">“Would need”: the belief that "
	      "link alone must reach, the others as they are, for the joint "
	      "belief to meet the standard, and the strength of one more "
	      "independent supporting source that would lift it there, or why "
	      "no belief on that link alone is enough.</p>\n", f);
}

static void flags(FILE *f, const json_t *h)
{
	const json_t *arr = rj_arr(h, "flags");
	if (!json_array_size(arr))
		return;
	fputs("<h4>Flags</h4>\n<ul>", f);
	size_t i;
	json_t *fl;
	json_array_foreach(arr, i, fl) {
		const char *name = rj_str(fl, "flag");
		fputs("<li><span class=\"flag\">", f);
		html_put(f, name);
		fputs("</span> on ", f);
		html_put(f, rj_str(fl, "link"));
		fputs(": ", f);
		html_put(f, !strcmp(name, "CONFLICT")
				    ? "independent sources contradict each other "
				      "on this link. The conflict is kept as "
				      "uncertainty (Yager's rule), never "
				      "averaged away: the link cannot be settled "
				      "until someone explains the disagreement."
			    : !strcmp(name, "FALSE_FLAG")
				    ? "cheap, easily planted indicators point "
				      "one way and costly ones the other. That "
				      "is the pattern a deliberate false flag "
				      "leaves: trust the costly side, and ask "
				      "who gains from the cheap one."
				    : "a flag this report version does not know.");
		fputs(" <span class=\"muted\">(", f);
		html_put(f, rj_str(fl, "detail"));
		fputs(")</span></li>\n", f);
	}
	fputs("</ul>\n", f);
}

/* A change, with the digits it needs: joint beliefs are often small. */
static void signed_cell(FILE *f, double v, int digits)
{
	double half = digits == 3 ? 0.0005 : 0.005;
	if (!(v >= half || v <= -half))
		fprintf(f, "<td class=\"n\">%.*f</td>", digits, 0.0);
	else
		fprintf(f, "<td class=\"n\">%+.*f</td>", digits, v);
}

static void sensitivity(FILE *f, const json_t *h)
{
	static const char *const cols[] = {
		"left out", "type", "link", "link belief", "change",
		"joint belief change", "joint plausibility change",
		"flags change"};
	const json_t *arr = rj_arr(h, "sensitivity");
	fputs("<h4>Sensitivity: which evidence moves the conclusion</h4>\n", f);
	if (!json_array_size(arr)) {
		fputs("<p>No evidence to leave out.</p>\n", f);
		return;
	}
	fputs("<p class=\"muted\">Each row scores the hypothesis again without "
	      "one piece or class of evidence; largest effect first.</p><table>", f);
	html_head_row(f, cols, 8);
	size_t i;
	json_t *s;
	json_array_foreach(arr, i, s) {
		if (i >= SENSITIVITY_ROWS)
			break;
		fputs("<tr>", f);
		html_td_code(f, rj_str(s, "removed"));
		html_td(f, rj_str(s, "removed_type"));
		html_td(f, rj_str(s, "link"));
		html_td_prob(f, rj_unit(s, "link_belief"));
		signed_cell(f, rj_num(s, "link_belief_delta", 0), 2);
		signed_cell(f, rj_num(s, "joint_belief_delta", 0), 3);
		signed_cell(f, rj_num(s, "joint_plausibility_delta", 0), 3);
		html_td(f, rj_bool(s, "flags_changed") ? "yes" : "no");
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	if (json_array_size(arr) > SENSITIVITY_ROWS)
		fprintf(f, "<p class=\"muted\">%d of %zu rows shown.</p>\n",
			SENSITIVITY_ROWS, json_array_size(arr));
}

static void evidence_items(FILE *f, const json_t *h)
{
	static const char *const cols[] = {
		"evidence", "link", "says", "kind or claim", "pattern or source",
		"f / s", "reliability", "class", "weight", "opinion b / d / u",
		"matched"};
	const json_t *arr = rj_arr(h, "evidence");
	fputs("<h4>Evidence used</h4>\n", f);
	if (!json_array_size(arr)) {
		fputs("<p>No pattern of this hypothesis matched and it has no "
		      "claims: every link is vacuous (belief 0, plausibility "
		      "1).</p>\n", f);
		return;
	}
	fputs("<table>", f);
	html_head_row(f, cols, 11);
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e) {
		const json_t *op = rj_obj(e, "opinion");
		bool claim = !strcmp(rj_str(e, "item_type"), "claim");
		char rel[32], opinion[64], fs[40], b[16], d[16], u[16];
		if (claim)
			snprintf(rel, sizeof rel, "%.4s%lld",
				 rj_str(e, "reliability"),
				 (long long)rj_int(e, "credibility", 6));
		else
			snprintf(rel, sizeof rel, "%.4s", rj_str(e, "reliability"));
		report_fmt_prob(rj_unit(op, "belief"), b);
		report_fmt_prob(rj_unit(op, "disbelief"), d);
		report_fmt_prob(rj_unit(op, "uncertainty"), u);
		snprintf(opinion, sizeof opinion, "%s / %s / %s", b, d, u);
		report_fmt_prob(rj_unit(e, "forgeability"), b);
		report_fmt_prob(rj_unit(e, "specificity"), d);
		snprintf(fs, sizeof fs, "%s / %s", b, d);
		fputs("<tr><td><code>", f);
		html_put(f, rj_str(e, "id"));
		fputs("</code><br><span class=\"muted small\">", f);
		html_put(f, rj_str(e, "origin"));
		fputs("</span></td>", f);
		html_td(f, rj_str(e, "link"));
		html_td(f, rj_str(e, "direction"));
		html_td(f, claim ? rj_str(e, "claim_type") : rj_str(e, "kind"));
		html_td_code(f, claim ? rj_str(e, "source") : rj_str(e, "pattern"));
		fputs("<td class=\"nw\">", f);
		html_put(f, fs);
		fputs("</td>", f);
		html_td(f, rel);
		html_td(f, rj_str(e, "class"));
		html_td_prob(f, rj_unit(e, "discount"));
		fputs("<td class=\"nw\">", f);
		html_put(f, opinion);
		fputs("</td>", f);
		if (claim)
			html_td(f, "claim");
		else
			html_td_int(f, rj_int(e, "matches", 0));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<p class=\"muted\">f / s: forgeability and "
	      "specificity. Claims give their source instead of a pattern, and "
	      "Admiralty reliability with credibility (B2: usually reliable, "
	      "probably true). Weight = reliability × (1 − forgeability × δ). "
	      "The packets behind each pattern are listed under <a "
	      "href=\"#evidence\">Evidence</a>.</p>\n", f);
}

void html_hypotheses(FILE *f, const json_t *doc)
{
	fputs("<section id=\"hypotheses\"><h2>Hypotheses along the attribution "
	      "chain</h2>\n", f);
	if (!json_array_size(rj_arr(doc, "hypotheses")))
		fputs("<p>No hypotheses were scored for this case.</p>\n", f);
	size_t i;
	json_t *h;
	json_array_foreach(rj_arr(doc, "hypotheses"), i, h) {
		char id[48];
		if (report_hyp_collapsed(h))
			continue;
		fprintf(f, "<article class=\"card\" id=\"hyp-%zu\"><h3>", i + 1);
		html_put(f, rj_str(h, "name")[0] ? rj_str(h, "name")
						 : rj_str(h, "id"));
		fputs(" <span class=\"muted\">(", f);
		html_put(f, rj_str(h, "id"));
		fputs(", ", f);
		html_put(f, rj_str(h, "type"));
		fputs(")</span></h3>\n", f);
		snprintf(id, sizeof id, "chain-chart-%zu", i + 1);
		svg_chain(f, id, h, rj_arr(doc, "standards"));
		link_table(f, h);
		standards_table(f, h);
		flags(f, h);
		sensitivity(f, h);
		evidence_items(f, h);
		fputs("</article>\n", f);
	}
	char line[900];
	report_collapsed_line(rj_arr(doc, "hypotheses"), line, sizeof line);
	if (line[0]) {
		fputs("<article class=\"card\"><h3>Hypotheses with no "
		      "evidence</h3><p>", f);
		html_put(f, line);
		fputs("</p></article>\n", f);
	}
	fputs("</section>\n", f);
}

/* "source 1, frame 14 (obs 18)" with the tshark command as a tooltip. */
static void cite_cell(FILE *f, const json_t *c)
{
	fputs("<td class=\"nw\" title=\"", f);
	html_put(f, rj_str(c, "tshark"));
	fprintf(f, "\">source %lld, frame %lld <span class=\"muted\">(obs "
		   "%lld)</span></td>", (long long)rj_int(c, "source_id", 0),
		(long long)rj_int(c, "frame", 0),
		(long long)rj_int(c, "observation", 0));
}

void html_indicators(FILE *f, const json_t *doc)
{
	static const char *const kcols[] = {
		"kind", "observations", "distinct values", "forgeability",
		"specificity", "class"};
	static const char *const vcols[] = {
		"value", "observations", "sources", "first seen (UTC)",
		"last seen (UTC)", "first observation"};
	const json_t *ind = rj_obj(doc, "indicators");
	const json_t *kinds = rj_arr(ind, "kinds");
	size_t i, j;
	json_t *k, *v;
	fputs("<section id=\"indicators\"><h2>Indicators and their "
	      "forgeability</h2>\n<p>Forgeability: how cheaply an adversary can "
	      "produce or plant the value (1: free). Specificity: how rarely "
	      "unrelated parties share it (1: unique). Cheap kinds "
	      "(forgeability ≥ 0.5) are defaults from docs/indicators.md; a "
	      "model may override them per pattern.</p>\n<table>", f);
	html_head_row(f, kcols, 6);
	json_array_foreach(kinds, i, k) {
		fprintf(f, "<tr><td><a href=\"#kind-%zu\"><code>", i + 1);
		html_put(f, rj_str(k, "kind"));
		fputs("</code></a></td>", f);
		html_td_int(f, rj_int(k, "observations", 0));
		html_td_int(f, rj_int(k, "distinct", 0));
		html_td_prob(f, rj_unit(k, "forgeability"));
		html_td_prob(f, rj_unit(k, "specificity"));
		html_td(f, rj_str(k, "class"));
		fputs("</tr>\n", f);
	}
	if (!json_array_size(kinds))
		fputs("<tr><td colspan=\"6\">No observations.</td></tr>", f);
	fputs("</table>\n<p class=\"muted\">Below, the most frequent values "
	      "of each kind. “Source 1, frame 14” is packet 14 of capture "
	      "file 1 (see <a href=\"#evidence\">Evidence</a>): <code>tshark "
	      "-r FILE -Y frame.number==14</code> shows it.</p>\n", f);
	json_array_foreach(kinds, i, k) {
		const json_t *top = rj_arr(k, "top");
		fprintf(f, "<h4 id=\"kind-%zu\"><code>", i + 1);
		html_put(f, rj_str(k, "kind"));
		fprintf(f, "</code> <span class=\"muted\">(%zu most frequent of "
			   "%lld distinct)</span></h4>\n<table>",
			json_array_size(top), (long long)rj_int(k, "distinct", 0));
		html_head_row(f, vcols, 6);
		json_array_foreach(top, j, v) {
			fputs("<tr>", f);
			const json_t *geo = rj_obj(v, "geo");
			if (geo) {
				/* MaxMind enrichment (attrib report --geoip,
				 * --asn): ASN, organisation, country */
				char g[200], as[32] = "";
				int64_t asn = rj_int(geo, "asn", 0);
				if (asn)
					snprintf(as, sizeof as, "AS%lld ",
						 (long long)asn);
				snprintf(g, sizeof g, "%s%s%s%s",
					 as,
					 rj_str(geo, "as_org"),
					 rj_str(geo, "country")[0] ? ", " : "",
					 rj_str(geo, "country"));
				fputs("<td><code>", f);
				html_put(f, rj_str(v, "value"));
				fputs("</code> <span class=\"muted geo\">", f);
				html_put(f, g);
				fputs("</span></td>", f);
			} else {
				html_td_code(f, rj_str(v, "value"));
			}
			html_td_int(f, rj_int(v, "count", 0));
			html_td_int(f, rj_int(v, "sources", 0));
			html_td_time(f, rj_str(v, "first_seen"));
			html_td_time(f, rj_str(v, "last_seen"));
			cite_cell(f, rj_obj(v, "cite"));
			fputs("</tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("</section>\n", f);
}

static void hours_section(FILE *f, const json_t *act)
{
	static const char *const cols[] = {
		"host", "connection starts", "most probable UTC offset",
		"probability", "90% credible offsets", "informative",
		"first observation"};
	const json_t *hosts = rj_arr(act, "hosts");
	size_t i;
	json_t *h;
	fputs("<h3>Activity by UTC hour</h3>\n", f);
	if (!json_array_size(hosts)) {
		fputs("<p>No host had enough connections for a working-hours "
		      "estimate.</p>\n", f);
		return;
	}
	fprintf(f, "<p>Connection starts of all %lld hosts with an estimate, "
		   "by hour of the day in UTC. Working hours are cheap to fake "
		   "and shared by everyone in a time zone: weak evidence, at "
		   "most.</p>\n", (long long)rj_int(act, "hosts_total", 0));
	svg_hours(f, "hours-all", rj_arr(act, "total_by_utc_hour"),
		  "Connection starts of all hosts by UTC hour");
	fputs("<table>", f);
	html_head_row(f, cols, 7);
	json_array_foreach(hosts, i, h) {
		char off[16];
		snprintf(off, sizeof off, "UTC%+lld",
			 (long long)rj_int(h, "map_offset_h", 0));
		fputs("<tr>", f);
		html_td_code(f, rj_str(h, "host"));
		html_td_int(f, rj_int(h, "events", 0));
		html_td(f, off);
		html_td_prob(f, rj_unit(h, "map_probability"));
		html_td(f, rj_str(h, "credible90"));
		html_td(f, rj_bool(h, "informative") ? "yes" : "no");
		cite_cell(f, rj_obj(h, "cite"));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	json_array_foreach(hosts, i, h) {
		if (i >= HOST_CHARTS)
			break;
		char id[32], label[300];
		snprintf(id, sizeof id, "hours-host-%zu", i + 1);
		snprintf(label, sizeof label, "Connection starts of %s by UTC hour",
			 rj_str(h, "host"));
		fputs("<h4>", f);
		html_put(f, label);
		fputs("</h4>", f);
		svg_hours(f, id, rj_arr(h, "by_utc_hour"), label);
	}
}

static void beacons_section(FILE *f, const json_t *bc)
{
	static const char *const cols[] = {
		"series", "period (s)", "jitter", "beats", "score",
		"first observation"};
	const json_t *shown = rj_arr(bc, "shown");
	size_t i;
	json_t *b;
	fputs("<h3>Beacons</h3>\n", f);
	if (!json_array_size(shown)) {
		fputs("<p>No connection series was regular enough to be called "
		      "a beacon.</p>\n", f);
		return;
	}
	fprintf(f, "<p>%lld series judged periodic (docs/indicators.md, "
		   "“Beaconing”). A beacon shows automation, not who runs it; a "
		   "default C2 profile is cheap to copy.</p><table>",
		(long long)rj_int(bc, "total", 0));
	html_head_row(f, cols, 6);
	json_array_foreach(shown, i, b) {
		char per[32];
		snprintf(per, sizeof per, "%.1f", rj_num(b, "period_s", 0));
		fputs("<tr>", f);
		html_td_code(f, rj_str(b, "value"));
		html_td(f, per);
		html_td_prob(f, rj_unit(b, "jitter"));
		html_td_int(f, rj_int(b, "beats", 0));
		html_td_prob(f, rj_unit(b, "score"));
		cite_cell(f, rj_obj(b, "cite"));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	json_array_foreach(shown, i, b) {
		char id[32], label[1200];
		snprintf(id, sizeof id, "beacon-hist-%zu", i + 1);
		snprintf(label, sizeof label, "Time between connections of %s",
			 rj_str(b, "value"));
		fputs("<h4>", f);
		html_put(f, label);
		fputs("</h4>", f);
		svg_histogram(f, id, b, label);
	}
}

void html_behaviour(FILE *f, const json_t *doc)
{
	fputs("<section id=\"behaviour\"><h2>Behaviour: working hours and "
	      "beacons</h2>\n", f);
	hours_section(f, rj_obj(doc, "activity"));
	beacons_section(f, rj_obj(doc, "beacons"));
	fputs("</section>\n", f);
}

void html_timeline(FILE *f, const json_t *doc)
{
	const json_t *tl = rj_obj(doc, "timeline");
	fputs("<section id=\"timeline\"><h2>Timeline of observations</h2>\n", f);
	if (!json_array_size(rj_arr(tl, "series"))) {
		fputs("<p>No timed observations.</p></section>\n", f);
		return;
	}
	fputs("<p>Observations per time cell and indicator family, from the "
	      "first to the last packet of the case; triangles mark the "
	      "observations the scores cite.</p>\n", f);
	svg_timeline(f, "timeline-chart", tl);
	fputs("</section>\n", f);
}
