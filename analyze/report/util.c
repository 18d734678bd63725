/*
 * util.c — the report files' shared helpers (report_internal.h): tolerant
 * reads of the document, valid UTF-8 from case bytes, escaping for HTML,
 * Markdown and the shell, times and probabilities for people, and the
 * words for each link of the attribution chain.
 */
#include "analyze/report/report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const report_link_names[REPORT_LINKS] = {"L1", "L2", "L3", "L3i",
						     "L4"};

static const struct {
	const char *link, *title, *claim;
} link_words[REPORT_LINKS] = {
	{"L1", "packet → infrastructure",
	 "the observed traffic involved infrastructure used by %s"},
	{"L2", "infrastructure → operator",
	 "that infrastructure was operated by %s"},
	{"L3", "operator → organisation",
	 "the operators acted for the organisation behind %s"},
	{"L3i", "operator → individual",
	 "an identified individual operated it for %s"},
	{"L4", "organisation → state",
	 "a state instructed, directed or controlled %s"},
};

const char *report_link_title(const char *link)
{
	for (int i = 0; i < REPORT_LINKS; i++)
		if (!strcmp(link, link_words[i].link))
			return link_words[i].title;
	return "";
}

void report_link_claim(const char *link, const char *name, char *out,
		       size_t n)
{
	for (int i = 0; i < REPORT_LINKS; i++)
		if (!strcmp(link, link_words[i].link)) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			snprintf(out, n, link_words[i].claim, name);
#pragma GCC diagnostic pop
			return;
		}
	snprintf(out, n, "link %s holds for %s", link, name);
}

/* ---- tolerant getters ---- */

const char *rj_str(const json_t *o, const char *key)
{
	const char *s = rj_str_or_null(o, key);
	return s ? s : "";
}

const char *rj_str_or_null(const json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

double rj_num(const json_t *o, const char *key, double dflt)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	if (!json_is_number(v))
		return dflt;
	double d = json_number_value(v);
	return isfinite(d) ? d : dflt;
}

double unit_clamp(double v)
{
	if (!(v > 0)) /* NaN too */
		return 0;
	return v > 1 ? 1 : v;
}

double rj_unit(const json_t *o, const char *key)
{
	return unit_clamp(rj_num(o, key, 0));
}

int64_t rj_int(const json_t *o, const char *key, int64_t dflt)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d > -9e18 && d < 9e18)
			return (int64_t)d;
	}
	return dflt;
}

bool rj_bool(const json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	return json_is_true(v);
}

json_t *rj_arr(const json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	return json_is_array(v) ? v : NULL;
}

json_t *rj_obj(const json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	return json_is_object(v) ? v : NULL;
}

/* ---- building ---- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min, cp;
	if (c >= 0x01 && c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, cp = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

json_t *rj_text_n(const char *s, size_t n)
{
	if (!s)
		return json_string("");
	/* at most 3 output bytes per input byte */
	if (n > (SIZE_MAX - 1) / 3)
		return NULL;
	char *out = malloc(3 * n + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t len = utf8_valid_len(p + i, n - i);
		if (len == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, p + i, len);
		o += len;
		i += len;
	}
	json_t *v = json_stringn_nocheck(out, o);
	free(out);
	return v;
}

json_t *rj_text(const char *s)
{
	return rj_text_n(s, s ? strlen(s) : 0);
}

int rj_set(json_t *o, const char *key, json_t *v)
{
	if (!v)
		return -1;
	return json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

json_t *rj_time(int64_t us, bool usec)
{
	char t[32];
	if (us == 0)
		return json_null();
	report_fmt_time(us, t);
	if (usec) {
		int64_t frac = us % 1000000;
		if (frac < 0)
			frac += 1000000;
		size_t len = strlen(t);
		if (len > 1 && t[len - 1] == 'Z')
			snprintf(t + len - 1, sizeof t - (len - 1), ".%06dZ",
				 (int)frac);
	}
	return json_string(t);
}

/* ---- text ---- */

void report_fmt_time(int64_t us, char out[32])
{
	int64_t secs = us / 1000000;
	if (us < 0 && us % 1000000)
		secs--;
	time_t t = (time_t)secs;
	struct tm tm;
	if (!gmtime_r(&t, &tm) ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "?");
}

int64_t report_parse_time(const char *s)
{
	int y, mo, d, h, mi, sec, n = 0;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
			 &sec, &n) != 6)
		return 0;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60 || h < 0 || mi < 0 || sec < 0)
		return 0;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			.tm_hour = h, .tm_min = mi, .tm_sec = sec};
	int64_t us = (int64_t)timegm(&tm) * 1000000;
	const char *p = s + n;
	if (*p == '.') {
		int64_t scale = 100000;
		for (p++; *p >= '0' && *p <= '9'; p++) {
			us += (*p - '0') * scale;
			scale /= 10;
		}
	}
	return us;
}

void report_short_time(const char *iso, char out[24])
{
	/* "2024-03-04T01:04:23.925013Z" -> "2024-03-04 01:04:23" */
	int64_t us = report_parse_time(iso);
	if (!us) {
		snprintf(out, 24, "%s", iso[0] ? "?" : "");
		return;
	}
	char t[32];
	report_fmt_time(us, t);
	t[10] = ' ';
	t[19] = '\0';
	snprintf(out, 24, "%s", t);
}

void report_fmt_duration(double s, char out[32])
{
	if (!(s >= 0))
		snprintf(out, 32, "?");
	else if (s < 120)
		snprintf(out, 32, "%.0f s", s);
	else if (s < 7200)
		snprintf(out, 32, "%.0f min", s / 60);
	else if (s < 172800)
		snprintf(out, 32, "%.1f h", s / 3600);
	else
		snprintf(out, 32, "%.1f days", s / 86400);
}

void report_fmt_prob(double v, char out[16])
{
	if (isnan(v))
		snprintf(out, 16, "–");
	else if (v > 0 && v < 0.005)
		snprintf(out, 16, "<0.01");
	else if (v < 1 && v >= 0.995)
		snprintf(out, 16, ">0.99");
	else
		snprintf(out, 16, "%.2f", v);
}

/* True when s starts with a bidirectional control (U+202A..U+202E,
 * U+2066..U+2069): they can make a value read as something it is not. */
static bool is_bidi_control(const unsigned char *s)
{
	return s[0] == 0xe2 &&
	       ((s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) ||
		(s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9));
}

/* True when s starts with a C1 control (U+0080..U+009F, C2 80..C2 9F in
 * UTF-8): some terminals act on them as on ESC sequences (U+009B is CSI). */
static bool is_c1_control(const unsigned char *s)
{
	return s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f;
}

void html_put(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); continue;
		case '<': fputs("&lt;", f); continue;
		case '>': fputs("&gt;", f); continue;
		case '"': fputs("&quot;", f); continue;
		case '\'': fputs("&#39;", f); continue;
		default: break;
		}
		if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f) {
			fputs("\xef\xbf\xbd", f);
		} else if (is_c1_control(p)) {
			fputs("\xef\xbf\xbd", f);
			p++;
		} else if (is_bidi_control(p)) {
			fputs("\xef\xbf\xbd", f);
			p += 2;
		} else {
			fputc(*p, f);
		}
	}
}

void md_put(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); continue;
		case '<': fputs("&lt;", f); continue;
		case '>': fputs("&gt;", f); continue;
		case '\\': case '`': case '*': case '_': case '[': case ']':
		case '|': case '~': case '#':
			fputc('\\', f);
			fputc(*p, f);
			continue;
		default: break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fputc(' ', f);
		} else if (is_c1_control(p)) {
			fputs("\xef\xbf\xbd", f);
			p++;
		} else if (is_bidi_control(p)) {
			fputs("\xef\xbf\xbd", f);
			p += 2;
		} else {
			fputc(*p, f);
		}
	}
}

void md_code(FILE *f, const char *s)
{
	size_t run = 0, longest = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
	fputc(' ', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '|')
			fputs("\\|", f);
		else if (*p < 0x20 || *p == 0x7f)
			fputc(' ', f);
		else if (is_c1_control(p)) {
			fputs("\xef\xbf\xbd", f);
			p++;
		} else if (is_bidi_control(p)) {
			fputs("\xef\xbf\xbd", f);
			p += 2;
		} else
			fputc(*p, f);
	}
	fputc(' ', f);
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
}

char *report_shell_quote(const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
				   "QRSTUVWXYZ0123456789_@%+=:,./-";
	size_t n = strlen(s);
	if (n > 0 && strspn(s, safe) == n)
		return strdup(s);
	if (n > (SIZE_MAX - 3) / 4)
		return NULL;
	char *out = malloc(4 * n + 3), *o = out;
	if (!out)
		return NULL;
	*o++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

bool report_hyp_collapsed(const json_t *h)
{
	const char *t = rj_str(h, "type");
	return (!strcmp(t, "actor") || !strcmp(t, "intrusion-set")) &&
	       json_array_size(rj_arr(h, "evidence")) == 0;
}

void report_collapsed_line(const json_t *hyps, char *out, size_t n)
{
	size_t i, count = 0, shown = 0, used;
	json_t *h;
	char names[600] = "";
	out[0] = '\0';
	json_array_foreach(hyps, i, h) {
		if (!report_hyp_collapsed(h))
			continue;
		count++;
		used = strlen(names);
		if (shown < 12 && used + 80 < sizeof names) {
			snprintf(names + used, sizeof names - used, "%s%s",
				 shown ? ", " : "", rj_str(h, "id"));
			shown++;
		}
	}
	if (!count)
		return;
	snprintf(out, n, "%zu hypothes%s with no evidence of %s own (%s%s): "
		 "belief 0 on every link; each keeps only the disbelief the "
		 "other hypotheses' evidence gives it.", count,
		 count == 1 ? "is" : "es", count == 1 ? "its" : "their", names,
		 count > shown ? ", …" : "");
}
