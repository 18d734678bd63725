/*
 * scenario_line.c — the lexical half of the scenario parser
 * (scenario_line.h): splitting a line into key=value pairs, and parsing
 * and checking values (addresses in documentation ranges, reserved
 * names, durations, rates, times). scenario_file.c gives them meaning.
 */
#include "pcaps/gen/lib/scenario_file.h"
#include "pcaps/gen/lib/scenario_line.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pcaps/gen/lib/wire.h"

#define SECONDS_PER_DAY 86400LL
#define US_PER_S 1000000LL

int line_fail(struct line_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return -1;
	n = snprintf(c->err, c->errlen, "%s:%d: ", c->path, c->line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	c->failed = true;
	return -1;
}

/* Splits "key=value key2=\"a b\"" after the keyword into pairs. */
int line_split_pairs(struct line_ctx *c, char *p)
{
	while (*p) {
		struct line_pair *pr;
		char *key = p, *eq, *value;
		size_t n;

		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		eq = p + strcspn(p, "= \t");
		if (*eq != '=' || eq == key)
			return line_fail(c, "expected key=value near \"%.20s\"", p);
		if (c->pair_count == LINE_MAX_PAIRS)
			return line_fail(c, "more than %d settings", LINE_MAX_PAIRS);
		pr = &c->pairs[c->pair_count++];
		if ((size_t)(eq - key) >= sizeof(pr->key))
			return line_fail(c, "key too long");
		memcpy(pr->key, key, (size_t)(eq - key));
		pr->key[eq - key] = '\0';
		pr->used = false;
		value = eq + 1;
		if (*value == '"') {
			char *close = strchr(value + 1, '"');
			if (!close)
				return line_fail(c, "unclosed quote after %s=", pr->key);
			n = (size_t)(close - value - 1);
			p = close + 1;
			value++;
		} else {
			n = strcspn(value, " \t");
			p = value + n;
		}
		if (n >= sizeof(pr->value))
			return line_fail(c, "value of %s too long", pr->key);
		memcpy(pr->value, value, n);
		pr->value[n] = '\0';
	}
	return 0;
}

/* The value of key (marking it used), or NULL. */
const char *line_take(struct line_ctx *c, const char *key)
{
	for (int i = 0; i < c->pair_count; i++) {
		if (strcmp(c->pairs[i].key, key) == 0) {
			c->pairs[i].used = true;
			return c->pairs[i].value;
		}
	}
	return NULL;
}

const char *line_require(struct line_ctx *c, const char *key)
{
	const char *v = line_take(c, key);
	if (!v)
		line_fail(c, "missing %s=", key);
	return v;
}

/* ---- value parsers ---- */

static bool documentation_address(uint32_t ip)
{
	return (ip >> 24) == 10 || (ip >> 8) == 0xc00002 || /* 192.0.2/24 */
	       (ip >> 8) == 0xc63364 ||                     /* 198.51.100/24 */
	       (ip >> 8) == 0xcb0071;                       /* 203.0.113/24 */
}

void line_ip(struct line_ctx *c, const char *key, const char *text,
		     uint32_t *ip)
{
	if (!text)
		return;
	if (wire_parse_ipv4(text, ip) != 0)
		line_fail(c, "%s=%s is not an IPv4 address", key, text);
	else if (!documentation_address(*ip))
		line_fail(c, "%s=%s is outside 10/8, 192.0.2/24, 198.51.100/24 and "
			"203.0.113/24", key, text);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

void line_name(struct line_ctx *c, const char *key, const char *text,
		       char *out, size_t size)
{
	static const char *const reserved[] = {".example", ".test",
					       ".invalid", ".example.com",
					       ".example.net", ".example.org"};
	bool ok = false;

	if (!text)
		return;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		ok = ok || ends_with(text, reserved[i]) ||
		     strcmp(text, reserved[i] + 1) == 0;
	if (!ok)
		line_fail(c, "%s=%s is not under a reserved name (.example, .test, "
			".invalid)", key, text);
	snprintf(out, size, "%s", text);
}

double line_number(struct line_ctx *c, const char *key,
			   const char *text, double lo, double hi)
{
	char *end;
	double v = strtod(text, &end);

	if (end == text || *end || !isfinite(v) || v < lo || v > hi) {
		line_fail(c, "%s=%s is not a number in [%g, %g]", key, text, lo, hi);
		return lo;
	}
	return v;
}

/* "300", "300s", "5m", "2h", "14d" in seconds (> 0). */
double line_seconds(struct line_ctx *c, const char *key,
			    const char *text)
{
	char *end;
	double v = strtod(text, &end), unit = 1.0;

	if (strcmp(end, "m") == 0)
		unit = 60.0;
	else if (strcmp(end, "h") == 0)
		unit = 3600.0;
	else if (strcmp(end, "d") == 0)
		unit = 86400.0;
	else if (*end && strcmp(end, "s") != 0)
		end = (char *)text; /* unknown unit: reject below */
	if (end == text || !isfinite(v) || v <= 0.0 || v * unit > 3.2e7) {
		line_fail(c, "%s=%s is not a duration (300, 5m, 2h, 14d; up to a "
			"year)", key, text);
		return 1.0;
	}
	return v * unit;
}

/* "6/h", "0.5/m", "20/d", "0.01/s" in events per second. */
double line_rate(struct line_ctx *c, const char *text)
{
	char *end;
	double v = strtod(text, &end), per = 0.0;

	if (strcmp(end, "/s") == 0)
		per = 1.0;
	else if (strcmp(end, "/m") == 0)
		per = 60.0;
	else if (strcmp(end, "/h") == 0)
		per = 3600.0;
	else if (strcmp(end, "/d") == 0)
		per = 86400.0;
	if (end == text || per == 0.0 || !isfinite(v) || v <= 0.0 ||
	    v / per > 10.0) {
		line_fail(c, "rate=%s is not a rate (6/h, 0.5/m, 20/d; at most 10/s)",
		     text);
		return 1.0;
	}
	return v / per;
}

int line_offset(struct line_ctx *c, const char *text)
{
	return (int)line_number(c, "utc_offset", text, -12, 14);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, y ≥ 1970). */
static int64_t days_from_epoch(int y, int m, int d)
{
	static const int before_month[] = {0,   31,  59,  90,  120, 151,
					   181, 212, 243, 273, 304, 334};
	int64_t days = 0;

	for (int year = 1970; year < y; year++)
		days += (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
				? 366 : 365;
	days += before_month[m - 1] + d - 1;
	if (m > 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		days++;
	return days;
}

int64_t line_time(struct line_ctx *c, const char *text)
{
	int y, mo, d, h, mi, s;
	char z = 0, tail;

	if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &y, &mo, &d, &h, &mi,
		   &s, &z, &tail) != 7 || z != 'Z' || y < 1970 || y > 2100 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    s > 59) {
		line_fail(c, "start=%s is not YYYY-MM-DDTHH:MM:SSZ", text);
		return 0;
	}
	return ((days_from_epoch(y, mo, d) * SECONDS_PER_DAY) + h * 3600 +
		mi * 60 + s) * US_PER_S;
}

char *scenario_format_time(int64_t t_us, char *buf)
{
	int64_t secs = t_us / US_PER_S, days = secs / SECONDS_PER_DAY;
	int64_t rest = secs % SECONDS_PER_DAY;
	int y = 1970, m = 1;

	while (days >= days_from_epoch(y + 1, 1, 1))
		y++;
	days -= days_from_epoch(y, 1, 1);
	while (m < 12 && days >= days_from_epoch(y, m + 1, 1) -
					 days_from_epoch(y, 1, 1))
		m++;
	days -= days_from_epoch(y, m, 1) - days_from_epoch(y, 1, 1);
	snprintf(buf, 21, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m,
		 (int)days + 1, (int)(rest / 3600), (int)(rest % 3600 / 60),
		 (int)(rest % 60));
	return buf;
}

