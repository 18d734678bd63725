/*
 * markdown_case.c — the Markdown report's sections about the case itself:
 * what the packets cannot show, indicators, behaviour and timeline,
 * evidence and citations, verification, custody and method. The page and
 * the hypotheses are markdown.c's.
 */
#include "analyze/report/report_internal.h"
#include "analyze/report/markdown.h"

#include <string.h>

void mdw_limits(FILE *f, const json_t *doc)
{
	mdw_line(f, "## What these packets cannot show\n");
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

void mdw_indicators(FILE *f, const json_t *doc)
{
	static const char *const kcols[] = {"kind", "observations", "distinct",
					    "forgeability", "specificity",
					    "class", "most frequent values"};
	mdw_line(f, "## Indicators and their forgeability\n");
	mdw_table_head(f, kcols, 7);
	size_t i, j;
	json_t *k, *v;
	json_array_foreach(rj_arr(rj_obj(doc, "indicators"), "kinds"), i, k) {
		mdw_cell_code(f, rj_str(k, "kind"));
		mdw_cell_int(f, rj_int(k, "observations", 0));
		mdw_cell_int(f, rj_int(k, "distinct", 0));
		mdw_cell_prob(f, rj_unit(k, "forgeability"));
		mdw_cell_prob(f, rj_unit(k, "specificity"));
		mdw_cell(f, rj_str(k, "class"));
		fputs("| ", f);
		json_array_foreach(rj_arr(k, "top"), j, v) {
			if (j)
				fputs(", ", f);
			md_code(f, rj_str(v, "value"));
			fprintf(f, " ×%lld (source %lld frame %lld)",
				(long long)rj_int(v, "count", 0),
				(long long)rj_int(rj_obj(v, "cite"), "source_id", 0),
				(long long)rj_int(rj_obj(v, "cite"), "frame", 0));
		}
		fputs(" |\n", f);
	}
	fputc('\n', f);
}

void mdw_behaviour(FILE *f, const json_t *doc)
{
	const json_t *act = rj_obj(doc, "activity"), *bc = rj_obj(doc, "beacons");
	size_t i;
	json_t *x;
	mdw_line(f, "## Behaviour: working hours and beacons\n");
	if (json_array_size(rj_arr(act, "hosts"))) {
		fputs("Connection starts of all hosts by UTC hour, 00 to 23: `", f);
		mdw_sparkline(f, rj_arr(act, "total_by_utc_hour"));
		mdw_line(f, "`\n");
		static const char *const cols[] = {"host", "starts", "by UTC hour",
						   "offset", "probability",
						   "informative"};
		mdw_table_head(f, cols, 6);
		json_array_foreach(rj_arr(act, "hosts"), i, x) {
			char off[16];
			snprintf(off, sizeof off, "UTC%+lld",
				 (long long)rj_int(x, "map_offset_h", 0));
			mdw_cell_code(f, rj_str(x, "host"));
			mdw_cell_int(f, rj_int(x, "events", 0));
			fputs("| `", f);
			mdw_sparkline(f, rj_arr(x, "by_utc_hour"));
			fputs("` ", f);
			mdw_cell(f, off);
			mdw_cell_prob(f, rj_unit(x, "map_probability"));
			mdw_cell(f, rj_bool(x, "informative") ? "yes" : "no");
			fputs("|\n", f);
		}
		fputc('\n', f);
	}
	if (json_array_size(rj_arr(bc, "shown"))) {
		static const char *const cols[] = {
			"series", "period (s)", "jitter", "score",
			"intervals, 0 to 3× the median", "frame"};
		mdw_table_head(f, cols, 6);
		json_array_foreach(rj_arr(bc, "shown"), i, x) {
			mdw_cell_code(f, rj_str(x, "value"));
			fprintf(f, "| %.1f ", rj_num(x, "period_s", 0));
			mdw_cell_prob(f, rj_unit(x, "jitter"));
			mdw_cell_prob(f, rj_unit(x, "score"));
			fputs("| `", f);
			mdw_sparkline(f, rj_arr(rj_obj(x, "intervals"), "counts"));
			fputs("` ", f);
			mdw_cell_int(f, rj_int(rj_obj(x, "cite"), "frame", 0));
			fputs("|\n", f);
		}
		fputc('\n', f);
	}
	const json_t *tl = rj_obj(doc, "timeline");
	if (json_array_size(rj_arr(tl, "series"))) {
		mdw_line(f, "### Timeline of observations\n");
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
			mdw_sparkline(f, rj_arr(x, "counts"));
			fputs("`\n", f);
		}
		fputc('\n', f);
	}
}

void mdw_evidence(FILE *f, const json_t *doc)
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
	mdw_line(f, "## Evidence: sources and cited packets\n");
	mdw_table_head(f, scols, 7);
	json_array_foreach(rj_arr(doc, "sources"), i, s) {
		mdw_cell_int(f, rj_int(s, "id", 0));
		mdw_cell_code(f, rj_str(s, "path"));
		mdw_cell_code(f, rj_str(s, "sha256"));
		mdw_cell_int(f, rj_int(s, "packets", 0));
		mdw_cell_time(f, rj_str(s, "first_packet"));
		mdw_cell_time(f, rj_str(s, "last_packet"));
		mdw_cell(f, rj_str(s, "status"));
		fputs("|\n", f);
	}
	mdw_line(f, "\nPackets cited by the scores (frame numbers are "
		"Wireshark's):\n");
	mdw_table_head(f, ccols, 7);
	json_array_foreach(rj_arr(doc, "hypotheses"), i, h) {
		json_array_foreach(rj_arr(h, "evidence"), j, e) {
			json_array_foreach(rj_arr(e, "cited"), k, c) {
				if (++rows > MAX_ROWS)
					continue;
				mdw_cell(f, rj_str(h, "id"));
				mdw_cell_code(f, rj_str(e, "id"));
				mdw_cell_int(f, rj_int(c, "observation", 0));
				fputs("| ", f);
				md_put(f, rj_str(c, "kind"));
				fputs(": ", f);
				md_code(f, rj_str(c, "value"));
				fputc(' ', f);
				mdw_cell_code(f, rj_str(c, "source_sha256"));
				mdw_cell_int(f, rj_int(c, "frame", 0));
				mdw_cell_code(f, rj_str(c, "tshark"));
				fputs("|\n", f);
			}
		}
	}
	if (rows > MAX_ROWS)
		fprintf(f, "\n%d of %zu citations shown; the JSON report lists "
			   "them all.\n", MAX_ROWS, rows);
	fputc('\n', f);
}

void mdw_verification(FILE *f, const json_t *doc)
{
	const json_t *v = rj_obj(doc, "verification");
	const json_t *sf = rj_obj(v, "source_files");
	const json_t *cp = rj_obj(v, "cited_packets");
	mdw_line(f, "## Verification\n");
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

void mdw_custody(FILE *f, const json_t *doc)
{
	static const char *const cols[] = {"id", "time (UTC)", "action", "who",
					   "arguments", "result"};
	size_t i;
	json_t *c;
	mdw_line(f, "## Custody log\n");
	if ((int64_t)json_array_size(rj_arr(doc, "custody")) <
	    rj_int(doc, "custody_total", 0))
		fprintf(f, "The last %zu of %lld entries.\n\n",
			json_array_size(rj_arr(doc, "custody")),
			(long long)rj_int(doc, "custody_total", 0));
	mdw_table_head(f, cols, 6);
	json_array_foreach(rj_arr(doc, "custody"), i, c) {
		mdw_cell_int(f, rj_int(c, "id", 0));
		mdw_cell_time(f, rj_str(c, "time"));
		mdw_cell(f, rj_str(c, "action"));
		mdw_cell(f, rj_str(c, "actor"));
		mdw_cell_code(f, rj_str(c, "arguments"));
		mdw_cell(f, rj_str(c, "detail"));
		fputs("|\n", f);
	}
	fputc('\n', f);
}

void mdw_method(FILE *f, const json_t *doc)
{
	size_t i;
	json_t *m;
	mdw_line(f, "## Method, models and what was left out\n");
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
		mdw_line(f, "Nothing was left out: every table is complete.\n");
		return;
	}
	mdw_line(f, "Tables cut to keep the report light (the case and the JSON "
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

