/*
 * html.h — what html.c and html_parts.c share: small table helpers and
 * the sections html_parts.c draws. Not for use outside analyze/report/.
 */
#ifndef ATTRIB_REPORT_HTML_H
#define ATTRIB_REPORT_HTML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* <tag>escaped s</tag> */
void html_text_el(FILE *f, const char *tag, const char *s);
/* One table cell: text, code, a probability ("0.41"), an integer. */
void html_td(FILE *f, const char *s);
void html_td_code(FILE *f, const char *s);
void html_td_prob(FILE *f, double v);
void html_td_int(FILE *f, int64_t v);
/* A time cell: "2024-03-04 01:04:23" (UTC). */
void html_td_time(FILE *f, const char *iso);
/* A row of n header cells. */
void html_head_row(FILE *f, const char *const *cols, size_t n);

/* Sections (html_parts.c). */
void html_hypotheses(FILE *f, const json_t *doc);
void html_indicators(FILE *f, const json_t *doc);
void html_behaviour(FILE *f, const json_t *doc);
void html_timeline(FILE *f, const json_t *doc);

#endif
