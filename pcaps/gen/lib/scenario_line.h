/*
 * scenario_line.h — one line of a scenario file being parsed: its
 * key=value pairs and the value parsers shared by the settings and
 * directives in scenario_file.c. Every parser reports a problem through
 * line_fail() (the first one wins) and returns a harmless value, so the
 * caller checks ctx->failed once per line. Internal to pcaps/gen/lib.
 */
#ifndef ATTRIB_GEN_SCENARIO_LINE_H
#define ATTRIB_GEN_SCENARIO_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcaps/gen/lib/scenario_file.h"

#define LINE_MAX_PAIRS 24

struct line_pair {
	char key[32];
	char value[SCENARIO_TEXT_MAX];
	bool used;
};

struct line_ctx {
	const char *path;
	int line;
	struct line_pair pairs[LINE_MAX_PAIRS];
	int pair_count;
	char *err;       /* "path:line: reason" of the first failure */
	size_t errlen;
	bool failed;
};

/* Records "path:line: <message>" unless a failure is already recorded;
 * returns -1. */
int line_fail(struct line_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Splits the text after the keyword into pairs (key=value or
 * key="value with spaces"). Returns 0 or -1. */
int line_split_pairs(struct line_ctx *c, char *text);

/* The value of key, marking it used; NULL when absent. line_require()
 * also fails when it is absent. */
const char *line_take(struct line_ctx *c, const char *key);
const char *line_require(struct line_ctx *c, const char *key);

/* Parsers; text NULL leaves *out alone (line_ip, line_name). */
void line_ip(struct line_ctx *c, const char *key, const char *text,
	     uint32_t *out);
void line_name(struct line_ctx *c, const char *key, const char *text,
	       char *out, size_t size);
double line_number(struct line_ctx *c, const char *key, const char *text,
		   double lo, double hi);
double line_seconds(struct line_ctx *c, const char *key, const char *text);
double line_rate(struct line_ctx *c, const char *text);
int line_offset(struct line_ctx *c, const char *text);
int64_t line_time(struct line_ctx *c, const char *text);

#endif
