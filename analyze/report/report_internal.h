/*
 * report_internal.h — what the report files share: tolerant reads of the
 * report document, turning case bytes into valid UTF-8, escaping for
 * HTML and Markdown, and the wording of the attribution chain's links.
 * Not for use outside analyze/report/.
 *
 * The document a renderer reads came from a case that may have been
 * crafted, so every getter here accepts a missing key or a value of the
 * wrong type and returns a harmless default instead.
 */
#ifndef ATTRIB_REPORT_INTERNAL_H
#define ATTRIB_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "analyze/report/report.h"

/* The links of the attribution chain, in report order. */
#define REPORT_LINKS 5
extern const char *const report_link_names[REPORT_LINKS];

/* "packet → infrastructure" and so on, for a link name; "" if unknown. */
const char *report_link_title(const char *link);

/* The sentence subject of a link for a hypothesis named name, written to
 * out: "the traffic came from infrastructure used by NAME" (L1), ... */
void report_link_claim(const char *link, const char *name, char *out,
		       size_t n);

/* ---- tolerant getters ---- */

/* The string at key, or "" (never NULL). */
const char *rj_str(const json_t *o, const char *key);
/* The string at key, or NULL when absent or not a string. */
const char *rj_str_or_null(const json_t *o, const char *key);
/* A number (integer or real) at key, or dflt. */
double rj_num(const json_t *o, const char *key, double dflt);
/* A number at key clamped to [0, 1]; 0 when absent. */
double rj_unit(const json_t *o, const char *key);
/* An integer at key (reals truncated), or dflt. */
int64_t rj_int(const json_t *o, const char *key, int64_t dflt);
/* true only for a JSON true at key. */
bool rj_bool(const json_t *o, const char *key);
/* The array / object at key, or NULL (json_array_size(NULL) is 0). */
json_t *rj_arr(const json_t *o, const char *key);
json_t *rj_obj(const json_t *o, const char *key);
/* Clamps v to [0, 1]; NaN gives 0. */
double unit_clamp(double v);

/* ---- building ---- */

/* A JSON string of n bytes of s, made valid UTF-8: invalid sequences and
 * NUL bytes become U+FFFD. Never NULL unless out of memory. */
json_t *rj_text_n(const char *s, size_t n);
json_t *rj_text(const char *s);
/* Sets key to v (stealing the reference); returns -1 if v is NULL or the
 * set failed. */
int rj_set(json_t *o, const char *key, json_t *v);
/* An ISO 8601 UTC string of a time in µs: seconds, or with microseconds
 * when usec is true. JSON null for 0. */
json_t *rj_time(int64_t us, bool usec);

/* ---- text ---- */

/* Formats µs since the epoch as "2024-03-04T09:00:00Z" into out (32). */
void report_fmt_time(int64_t us, char out[32]);
/* Parses "YYYY-MM-DDTHH:MM:SS[.ffffff]Z"; 0 when it cannot. */
int64_t report_parse_time(const char *s);
/* An ISO time as "2024-03-04 01:04:23" (UTC, whole seconds) into out;
 * "" for "", "?" when it does not parse. */
void report_short_time(const char *iso, char out[24]);
/* Seconds for people: "45 s", "12 min", "3.5 h", "2.1 days". */
void report_fmt_duration(double s, char out[32]);
/* A probability for people: "0.41", "0.00", "1.00", "<0.01" for tiny
 * positive values ("–" for NaN). out holds 16 bytes. */
void report_fmt_prob(double v, char out[16]);

/* True for a named hypothesis (actor, intrusion set) that no evidence
 * speaks to: reports show all of those on one line, not one section
 * each (10,000 hypotheses stay readable). */
bool report_hyp_collapsed(const json_t *h);

/* That line for the hypotheses of hyps ("" when none): "3 hypotheses
 * with no evidence of their own (a, b, c): belief 0 on every link; ...". */
void report_collapsed_line(const json_t *hyps, char *out, size_t n);

/* Writes s for HTML text or a quoted attribute value: & < > " ' as
 * entities, controls other than tab and newline (C1 included) and
 * bidirectional overrides as U+FFFD. */
void html_put(FILE *f, const char *s);
/* Writes s as Markdown inline text: the characters that could open
 * emphasis, code, a link or image ([ ]), a table cell, strikethrough or a
 * heading are backslash-escaped, & < > written as entities (so no HTML
 * gets through), newlines and C0 controls as spaces, C1 controls and
 * bidirectional overrides as U+FFFD. */
void md_put(FILE *f, const char *s);
/* Writes s as a Markdown code span, safe inside a table cell. */
void md_code(FILE *f, const char *s);
/* Quotes s for a POSIX shell ('...' with ' as '\''), unquoted when it is
 * made only of safe characters. NULL when out of memory; free it. */
char *report_shell_quote(const char *s);

/* ---- parts of report_build() ---- */

struct store;

/* Adds indicators, activity, beacons and timeline (build_case.c). */
int report_build_case(struct store *st, json_t *doc,
		      const struct report_options *opt, json_t *caps,
		      char *err, size_t errlen);
/* Adds summary and limits (summary.c), from everything else in doc. */
int report_build_summary(json_t *doc);
/* The path of the case's source with this SHA-256, "" when none. */
const char *report_source_path(const json_t *doc, const char *sha);
/* "tshark -r PATH [-d DECODE_AS] -Y frame.number==N" for a packet of the
 * source with this SHA-256 (doc's sources), with -d when decode_as is
 * not empty ("tcp.port==8443,tls": the protocol was read on a port tshark
 * does not decode as it); JSON null when the source is unknown; NULL
 * when out of memory. */
json_t *report_tshark(const json_t *doc, const char *sha, int64_t frame,
		      const char *decode_as);
/* A citation {"observation", "source_sha256", "frame", "ts",
 * "source_path", "tshark"}, the tshark command with the observation's
 * decode_as= hint read from st; NULL when out of memory. */
json_t *report_cite(struct store *st, const json_t *doc, int64_t obs,
		    const char *sha, uint64_t frame, int64_t ts_us);
/* Appends {"what", "shown", "total", "how"} to caps. */
void report_cap(json_t *caps, const char *what, uint64_t shown,
		uint64_t total, const char *how);

/* ---- charts (svg.c), each one <svg> element with the given id ---- */

/* The chain of hypothesis h: a [Bel, Pl] bar per link with its 90%
 * interval, the joint and weakest-link readings, and a dashed line at
 * each standard's threshold. */
void svg_chain(FILE *f, const char *id, const json_t *h,
	       const json_t *standards);
/* A small [Bel, Pl] bar for a table cell (no id, no text; a dashed mark
 * at 0.5). */
void svg_mini_bar(FILE *f, double bel, double pl);
/* 24 bars of counts by UTC hour. */
void svg_hours(FILE *f, const char *id, const json_t *counts,
	       const char *label);
/* A beacon's inter-arrival histogram (its "intervals" object), with the
 * period marked. */
void svg_histogram(FILE *f, const char *id, const json_t *beacon,
		   const char *label);
/* The timeline object: one row of cells per indicator family, marks for
 * the cited observations. */
void svg_timeline(FILE *f, const char *id, const json_t *timeline);

/* ---- renderers ---- */

int report_write_html(const json_t *doc, FILE *out);
int report_write_markdown(const json_t *doc, FILE *out);
int report_write_stix(const json_t *doc, FILE *out, char *err,
		      size_t errlen);
int report_write_misp(const json_t *doc, FILE *out, char *err,
		      size_t errlen);

#endif
