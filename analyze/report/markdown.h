/*
 * markdown.h — what markdown.c and markdown_case.c share: line and table
 * helpers (every string through md_put/md_code) and the case sections.
 * Not for use outside analyze/report/.
 */
#ifndef ATTRIB_REPORT_MARKDOWN_H
#define ATTRIB_REPORT_MARKDOWN_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* s and a newline (s is ours, not escaped). */
void mdw_line(FILE *f, const char *s);
/* A [Bel, Pl] bar of n block characters. */
void mdw_bar(FILE *f, double bel, double pl, int n);
/* A sparkline of a JSON array of counts. */
void mdw_sparkline(FILE *f, const json_t *counts);
/* A probability as report_fmt_prob() writes it. */
void mdw_prob(FILE *f, double v);
/* A table header of n columns and its separator row. */
void mdw_table_head(FILE *f, const char *const *cols, size_t n);
/* One cell: text, code span, probability, integer ("| x "). */
void mdw_cell(FILE *f, const char *s);
void mdw_cell_code(FILE *f, const char *s);
void mdw_cell_prob(FILE *f, double v);
void mdw_cell_int(FILE *f, int64_t v);
/* A time cell, "2024-03-04 01:04:23" (UTC). */
void mdw_cell_time(FILE *f, const char *iso);
/* Each string of a JSON array as a bullet / as a paragraph. */
void mdw_bullets(FILE *f, const json_t *arr);
void mdw_paras(FILE *f, const json_t *arr);

/* The case sections (markdown_case.c). */
void mdw_limits(FILE *f, const json_t *doc);
void mdw_indicators(FILE *f, const json_t *doc);
void mdw_behaviour(FILE *f, const json_t *doc);
void mdw_evidence(FILE *f, const json_t *doc);
void mdw_verification(FILE *f, const json_t *doc);
void mdw_custody(FILE *f, const json_t *doc);
void mdw_method(FILE *f, const json_t *doc);

#endif
