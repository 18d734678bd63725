/*
 * svg.c — the report's charts as inline SVG, drawn from the report
 * document: the attribution chain as interval bars with the legal
 * thresholds, activity by UTC hour, a beacon's inter-arrival histogram,
 * and the timeline of observations.
 *
 * Charts are plain SVG 1.1 elements inside the HTML page: no scripts, no
 * external references, no fonts beyond the page's. Every coordinate is
 * computed from values clamped to their range first, so a hostile or
 * broken document cannot produce NaN or huge geometry; every text is
 * escaped. Colours keep their order in greyscale (belief darkest,
 * uncertainty lightest) so printed reports read the same.
 */
#include "analyze/report/report_internal.h"

#include <math.h>
#include <string.h>

#define C_BELIEF "#1f4e79"
#define C_UNCERTAIN "#dbe5f1"
#define C_DISBELIEF "#c9736b"
#define C_AXIS "#555"
#define C_GRID "#ddd"
#define C_BAR "#3a6ea5"
#define C_THRESHOLD "#8b1a1a"

enum {
	CHAIN_W = 760, CHAIN_LABEL_W = 190, CHAIN_PLOT_W = 440,
	CHAIN_ROW_H = 26, CHAIN_TOP = 40, CHART_H = 170
};

static double px(double v)
{
	return CHAIN_LABEL_W + unit_clamp(v) * CHAIN_PLOT_W;
}

static void svg_open(FILE *f, const char *id, int w, int h, const char *label)
{
	fprintf(f, "<svg id=\"");
	html_put(f, id);
	fprintf(f, "\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
		   "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
		   "role=\"img\" aria-label=\"", w, h, w, h);
	html_put(f, label);
	fprintf(f, "\"><title>");
	html_put(f, label);
	fprintf(f, "</title>\n");
}

/* One bar: belief, uncertainty (hatched), disbelief, and the 90%
 * interval as a whisker when ci is not NULL. */
static void interval_bar(FILE *f, const char *id, double y, double bel,
			 double pl, const double *ci)
{
	bel = unit_clamp(bel);
	pl = unit_clamp(pl);
	if (pl < bel)
		pl = bel;
	double top = y + 6, h = 14;
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
		   " fill=\"" C_BELIEF "\"/>", px(0), top, px(bel) - px(0), h);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
		   " fill=\"url(#", px(bel), top, px(pl) - px(bel), h);
	html_put(f, id);
	fprintf(f, "-hatch)\" stroke=\"#9fb3cc\" stroke-width=\"0.5\"/>");
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
		   " fill=\"" C_DISBELIEF "\"/>", px(pl), top, px(1) - px(pl), h);
	if (ci) {
		double lo = px(unit_clamp(ci[0])), hi = px(unit_clamp(ci[1]));
		double cy = top + h + 3;
		fprintf(f, "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fV%.1f\""
			   " stroke=\"#111\" stroke-width=\"1.2\" fill=\"none\"/>",
			lo, cy - 3, cy + 3, lo, cy, hi, hi, cy - 3, cy + 3);
	}
	fputc('\n', f);
}

static void row_label(FILE *f, double y, const char *bold, const char *rest)
{
	fprintf(f, "<text x=\"4\" y=\"%.1f\" class=\"lbl\"><tspan "
		   "font-weight=\"bold\">", y + 17);
	html_put(f, bold);
	fprintf(f, "</tspan> ");
	html_put(f, rest);
	fprintf(f, "</text>");
}

static void row_numbers(FILE *f, double y, double bel, double pl)
{
	char b[16], p[16];
	report_fmt_prob(unit_clamp(bel), b);
	report_fmt_prob(unit_clamp(pl), p);
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"num\">[", CHAIN_LABEL_W +
		CHAIN_PLOT_W + 10, y + 17);
	html_put(f, b);
	fputs(", ", f);
	html_put(f, p);
	fputs("]</text>\n", f);
}

void svg_chain(FILE *f, const char *id, const json_t *h,
	       const json_t *standards)
{
	const json_t *links = rj_obj(h, "links");
	const json_t *chain = rj_obj(h, "chain");
	int rows = REPORT_LINKS + 2;
	int height = CHAIN_TOP + rows * CHAIN_ROW_H + 12 + 34;
	char label[600];
	snprintf(label, sizeof label,
		 "Attribution chain of %s: belief and plausibility per link, "
		 "with the thresholds of the standards of proof",
		 rj_str(h, "name")[0] ? rj_str(h, "name") : rj_str(h, "id"));
	svg_open(f, id, CHAIN_W, height, label);
	fprintf(f, "<defs><pattern id=\"");
	html_put(f, id);
	fprintf(f, "-hatch\" width=\"6\" height=\"6\" "
		   "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
		   "<rect width=\"6\" height=\"6\" fill=\"" C_UNCERTAIN "\"/>"
		   "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9fb3cc\" "
		   "stroke-width=\"2\"/></pattern></defs>\n");
	double bottom = CHAIN_TOP + rows * CHAIN_ROW_H + 6;
	/* axis grid */
	for (int i = 0; i <= 4; i++) {
		double x = px(i / 4.0);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" "
			   "stroke=\"" C_GRID "\"/><text x=\"%.1f\" y=\"%.1f\" "
			   "class=\"tick\" text-anchor=\"middle\">%.2f</text>\n",
			x, CHAIN_TOP, x, bottom, x, bottom + 12, i / 4.0);
	}
	for (int i = 0; i < REPORT_LINKS; i++) {
		const char *name = report_link_names[i];
		const json_t *l = rj_obj(links, name);
		double y = CHAIN_TOP + i * CHAIN_ROW_H;
		json_t *ci = rj_arr(l, "ci90");
		double c[2] = {unit_clamp(json_number_value(json_array_get(ci, 0))),
			       unit_clamp(json_number_value(json_array_get(ci, 1)))};
		row_label(f, y, name, report_link_title(name));
		interval_bar(f, id, y, rj_unit(l, "belief"), rj_unit(l, "plausibility"),
			     json_array_size(ci) == 2 ? c : NULL);
		row_numbers(f, y, rj_unit(l, "belief"), rj_unit(l, "plausibility"));
	}
	const json_t *joint = rj_obj(chain, "joint"), *weak = rj_obj(chain, "weakest");
	double y = CHAIN_TOP + REPORT_LINKS * CHAIN_ROW_H;
	fprintf(f, "<line x1=\"4\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		   "stroke=\"" C_AXIS "\"/>\n", y + 2, CHAIN_W - 4, y + 2);
	row_label(f, y + 2, "joint", "L1·L2·L3·L4 (state)");
	interval_bar(f, id, y + 2, rj_unit(joint, "belief"),
		     rj_unit(joint, "plausibility"), NULL);
	row_numbers(f, y + 2, rj_unit(joint, "belief"), rj_unit(joint, "plausibility"));
	y += CHAIN_ROW_H;
	row_label(f, y + 2, "weakest", "link (minimum)");
	interval_bar(f, id, y + 2, rj_unit(weak, "belief"),
		     rj_unit(weak, "plausibility"), NULL);
	row_numbers(f, y + 2, rj_unit(weak, "belief"), rj_unit(weak, "plausibility"));
	/* thresholds of the standards of proof, over every row */
	size_t i;
	json_t *s;
	json_array_foreach(standards, i, s) {
		double t = rj_unit(s, "threshold");
		double x = px(t);
		fprintf(f, "<line class=\"threshold\" x1=\"%.1f\" y1=\"%d\" "
			   "x2=\"%.1f\" y2=\"%.1f\" stroke=\"" C_THRESHOLD "\" "
			   "stroke-width=\"1.3\" stroke-dasharray=\"4 3\"><title>",
			x, CHAIN_TOP - 6, x, bottom);
		html_put(f, rj_str(s, "name"));
		fprintf(f, "</title></line><text x=\"%.1f\" y=\"%.1f\" "
			   "class=\"thr\" text-anchor=\"middle\">%.2f</text>\n",
			x, (double)(CHAIN_TOP - 10 - (i % 2) * 12), t);
	}
	/* legend */
	double ly = bottom + 24;
	fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\""
		   C_BELIEF "\"/><text x=\"%d\" y=\"%.1f\" class=\"tick\">belief "
		   "(Bel)</text>", CHAIN_LABEL_W, ly, CHAIN_LABEL_W + 18, ly + 9);
	fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"14\" height=\"10\" "
		   "fill=\"url(#", CHAIN_LABEL_W + 95, ly);
	html_put(f, id);
	fprintf(f, "-hatch)\" stroke=\"#9fb3cc\"/><text x=\"%d\" "
		   "y=\"%.1f\" class=\"tick\">uncertainty (to Pl)</text>",
		CHAIN_LABEL_W + 113, ly + 9);
	fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\""
		   C_DISBELIEF "\"/><text x=\"%d\" y=\"%.1f\" class=\"tick\">"
		   "disbelief</text>", CHAIN_LABEL_W + 225, ly,
		CHAIN_LABEL_W + 243, ly + 9);
	fprintf(f, "<path d=\"M%d %.1fH%d\" stroke=\"#111\" stroke-width=\"1.2\"/>"
		   "<text x=\"%d\" y=\"%.1f\" class=\"tick\">90%% interval</text>",
		CHAIN_LABEL_W + 305, ly + 5, CHAIN_LABEL_W + 320,
		CHAIN_LABEL_W + 324, ly + 9);
	fprintf(f, "<path d=\"M%d %.1fH%d\" stroke=\"" C_THRESHOLD "\" "
		   "stroke-dasharray=\"4 3\" stroke-width=\"1.3\"/><text x=\"%d\" "
		   "y=\"%.1f\" class=\"tick\">standard of proof</text>",
		CHAIN_LABEL_W + 405, ly + 5, CHAIN_LABEL_W + 425,
		CHAIN_LABEL_W + 429, ly + 9);
	fprintf(f, "</svg>\n");
}

void svg_mini_bar(FILE *f, double bel, double pl)
{
	enum { W = 96, H = 12 };
	bel = unit_clamp(bel);
	pl = unit_clamp(pl);
	if (pl < bel)
		pl = bel;
	fprintf(f, "<svg class=\"mini\" xmlns=\"http://www.w3.org/2000/svg\" "
		   "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "aria-hidden=\"true\"><rect width=\"%.1f\" height=\"%d\" "
		   "fill=\"" C_BELIEF "\"/><rect x=\"%.1f\" width=\"%.1f\" "
		   "height=\"%d\" fill=\"" C_UNCERTAIN "\" stroke=\"#9fb3cc\" "
		   "stroke-width=\"0.5\"/><rect x=\"%.1f\" width=\"%.1f\" "
		   "height=\"%d\" fill=\"" C_DISBELIEF "\"/>"
		   "<line x1=\"%.1f\" x2=\"%.1f\" y2=\"%d\" stroke=\"" C_THRESHOLD
		   "\" stroke-dasharray=\"2 2\"/></svg>",
		W, H, W, H, bel * W, H, bel * W, (pl - bel) * W, H, pl * W,
		(1 - pl) * W, H, 0.5 * W, 0.5 * W, H);
}

/* Largest value of a JSON array of numbers (0 when none). */
static double array_max(const json_t *a)
{
	double m = 0;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		if (json_is_number(v) && json_number_value(v) > m)
			m = json_number_value(v);
	return m;
}

/* A bar chart of counts (n bars) with x labels from label(i). */
static void bars(FILE *f, const json_t *counts, size_t n, double x0,
		 double w, double y0, double h, const char *color)
{
	double max = array_max(counts);
	double bw = w / (double)(n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		double v = json_number_value(json_array_get(counts, i));
		if (!(v > 0) || !(max > 0))
			continue;
		double bh = v / max * h;
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			   "height=\"%.1f\" fill=\"%s\"><title>%.0f</title></rect>",
			x0 + (double)i * bw + 1, y0 + h - bh, bw - 2, bh, color, v);
	}
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		   "stroke=\"" C_AXIS "\"/>\n", x0, y0 + h, x0 + w, y0 + h);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" "
		   "text-anchor=\"end\">%.0f</text>\n", x0 - 4, y0 + 8, max);
}

void svg_hours(FILE *f, const char *id, const json_t *counts,
	       const char *label)
{
	double x0 = 50, w = 680, y0 = 14, h = 120;
	svg_open(f, id, CHAIN_W, CHART_H, label);
	bars(f, counts, 24, x0, w, y0, h, C_BAR);
	for (int hr = 0; hr < 24; hr += 3)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" "
			   "text-anchor=\"middle\">%02d:00</text>",
			x0 + (hr + 0.5) * w / 24, y0 + h + 14, hr);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" "
		   "text-anchor=\"middle\">hour of day, UTC</text>\n</svg>\n",
		x0 + w / 2, y0 + h + 30);
}

void svg_histogram(FILE *f, const char *id, const json_t *b,
		   const char *label)
{
	const json_t *iv = rj_obj(b, "intervals");
	const json_t *counts = rj_arr(iv, "counts");
	size_t n = json_array_size(counts);
	double width = rj_num(iv, "bin_seconds", 0);
	double x0 = 50, w = 680, y0 = 14, h = 110;
	svg_open(f, id, CHAIN_W, CHART_H, label);
	if (!n || !(width > 0)) {
		fprintf(f, "<text x=\"50\" y=\"60\" class=\"lbl\">no intervals "
			   "to draw</text></svg>\n");
		return;
	}
	bars(f, counts, n, x0, w, y0, h, C_BAR);
	double span = width * (double)n;
	double period = rj_num(b, "period_s", 0);
	if (period > 0 && period < span) {
		double x = x0 + period / span * w;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			   "stroke=\"" C_THRESHOLD "\" stroke-dasharray=\"4 3\"/>"
			   "<text x=\"%.1f\" y=\"%.1f\" class=\"thr\">period "
			   "%.1f s</text>\n", x, y0, x, y0 + h, x + 4, y0 + 8,
			period);
	}
	for (int k = 0; k <= 3; k++)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" "
			   "text-anchor=\"middle\">%.0f s</text>",
			x0 + k * w / 3, y0 + h + 14, span * k / 3);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" "
		   "text-anchor=\"middle\">time between connections (%lld "
		   "intervals; %lld longer than shown)</text>\n</svg>\n",
		x0 + w / 2, y0 + h + 30, (long long)rj_int(iv, "intervals", 0),
		(long long)rj_int(iv, "overflow", 0));
}

/* Ticks at round times (1 s … 30 days apart, at most 6 of them), each
 * labelled with what changed: the date on the first tick and where the
 * day changes, else the time of day ("03-05 00:00", "06:00", "12:00"). */
static void time_ticks(FILE *f, int64_t t0, int64_t t1, double x0, double w,
		       double bottom)
{
	static const int64_t steps_s[] = {
		1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
		10800, 21600, 43200, 86400, 172800, 604800, 2592000,
	};
	double span_s = (double)(t1 - t0) / 1e6;
	int64_t step = steps_s[sizeof steps_s / sizeof steps_s[0] - 1];
	for (size_t i = 0; i < sizeof steps_s / sizeof steps_s[0]; i++)
		if (span_s / (double)steps_s[i] <= 6) {
			step = steps_s[i];
			break;
		}
	int64_t step_us = step * 1000000, t = (t0 / step_us) * step_us;
	if (t < t0)
		t += step_us;
	char last_day[16] = "";
	for (int n = 0; t <= t1 && n < 8; t += step_us, n++) {
		char iso[32], label[24], day[16];
		report_fmt_time(t, iso); /* 2024-03-04T06:00:00... */
		snprintf(day, sizeof day, "%.10s", iso);
		if (step >= 86400)
			snprintf(label, sizeof label, "%.10s", iso);
		else if (strcmp(day, last_day) != 0)
			snprintf(label, sizeof label, "%.5s %.5s", iso + 5,
				 iso + 11);
		else if (step < 60)
			snprintf(label, sizeof label, "%.8s", iso + 11);
		else
			snprintf(label, sizeof label, "%.5s", iso + 11);
		snprintf(last_day, sizeof last_day, "%s", day);
		double x = x0 + (double)(t - t0) / (double)(t1 - t0) * w;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			   "y2=\"%.1f\" stroke=\"" C_AXIS "\"/><text x=\"%.1f\" "
			   "y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">"
			   "%s</text>", x, bottom, x, bottom + 4, x, bottom + 15,
			label);
	}
}

void svg_timeline(FILE *f, const char *id, const json_t *tl)
{
	const json_t *series = rj_arr(tl, "series");
	size_t rows = json_array_size(series);
	int64_t t0 = report_parse_time(rj_str(tl, "start"));
	int64_t t1 = report_parse_time(rj_str(tl, "end"));
	double x0 = 90, w = 640, y0 = 22, rh = 18;
	int height = (int)(y0 + (double)rows * rh + 40);
	svg_open(f, id, CHAIN_W, height,
		 "Timeline of observations by indicator family; darker cells "
		 "hold more observations, triangles mark cited observations");
	size_t i, j;
	json_t *s, *c;
	json_array_foreach(series, i, s) {
		const json_t *counts = rj_arr(s, "counts");
		size_t n = json_array_size(counts);
		double max = array_max(counts), y = y0 + (double)i * rh;
		fprintf(f, "<text x=\"4\" y=\"%.1f\" class=\"lbl\">", y + 13);
		html_put(f, rj_str(s, "family"));
		fprintf(f, "</text>");
		for (j = 0; j < n && max > 0; j++) {
			double v = json_number_value(json_array_get(counts, j));
			if (!(v > 0))
				continue;
			double op = 0.15 + 0.85 * log1p(v) / log1p(max);
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" "
				   "height=\"%.1f\" fill=\"" C_BELIEF "\" "
				   "fill-opacity=\"%.2f\"><title>%.0f</title></rect>",
				x0 + (double)j * w / (double)n, y + 2,
				w / (double)n, rh - 4, op, v);
		}
		fputc('\n', f);
	}
	double bottom = y0 + (double)rows * rh;
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		   "stroke=\"" C_AXIS "\"/>\n", x0, bottom, x0 + w, bottom);
	if (t1 > t0) {
		json_array_foreach(rj_arr(tl, "marks"), j, c) {
			int64_t t = report_parse_time(rj_str(c, "time"));
			if (t < t0 || t > t1)
				continue;
			double x = x0 + (double)(t - t0) / (double)(t1 - t0) * w;
			fprintf(f, "<path d=\"M%.1f %.1fl-4 -7h8z\" fill=\""
				   C_THRESHOLD "\"><title>", x, y0);
			html_put(f, rj_str(c, "hypothesis"));
			fputs(": ", f);
			html_put(f, rj_str(c, "item"));
			fputs("</title></path>", f);
		}
	}
	if (t1 > t0)
		time_ticks(f, t0, t1, x0, w, bottom);
	char cell[32], from[24], t[32];
	report_fmt_time(t0, t);
	report_short_time(t, from);
	report_fmt_duration(rj_num(tl, "bin_seconds", 0), cell);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" "
		   "text-anchor=\"middle\">UTC, from %s; one cell = %s</text>\n"
		   "</svg>\n", x0 + w / 2, bottom + 29, from, cell);
}
