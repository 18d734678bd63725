/*
 * json.c — report formats by name and extension, report_write()'s
 * dispatch, and the JSON format: the report document itself, keys in the
 * order they were built, numbers with 17 significant digits so they
 * round-trip, ASCII only (every other character as \uXXXX).
 */
#include "analyze/report/report_internal.h"

#include <string.h>
#include <strings.h>

static const char *const format_names[] = {
	[REPORT_HTML] = "html",
	[REPORT_MARKDOWN] = "md",
	[REPORT_JSON] = "json",
	[REPORT_STIX] = "stix",
	[REPORT_MISP] = "misp",
};

int report_format_parse(const char *name)
{
	if (!name)
		return -1;
	for (int f = REPORT_HTML; f <= REPORT_MISP; f++)
		if (!strcmp(name, format_names[f]))
			return f;
	return !strcmp(name, "markdown") ? REPORT_MARKDOWN : -1;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcasecmp(s + n - m, suffix);
}

int report_format_from_path(const char *path)
{
	if (!path)
		return -1;
	if (ends_with(path, ".html") || ends_with(path, ".htm"))
		return REPORT_HTML;
	if (ends_with(path, ".md") || ends_with(path, ".markdown"))
		return REPORT_MARKDOWN;
	if (ends_with(path, ".misp.json"))
		return REPORT_MISP;
	if (ends_with(path, ".stix.json") || ends_with(path, ".stix"))
		return REPORT_STIX;
	if (ends_with(path, ".json"))
		return REPORT_JSON;
	return -1;
}

const char *report_format_name(enum report_format f)
{
	return (unsigned)f <= REPORT_MISP ? format_names[f] : "";
}

static int write_json(const json_t *doc, FILE *out)
{
	return json_dumpf(doc, out,
			  JSON_INDENT(1) | JSON_PRESERVE_ORDER |
				  JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17)) ==
			       0 &&
		       fputc('\n', out) != EOF
		       ? 0
		       : -1;
}

int report_write(const json_t *doc, enum report_format f, FILE *out,
		 char *err, size_t errlen)
{
	int rc;
	err[0] = '\0';
	switch (f) {
	case REPORT_HTML: rc = report_write_html(doc, out); break;
	case REPORT_MARKDOWN: rc = report_write_markdown(doc, out); break;
	case REPORT_JSON: rc = write_json(doc, out); break;
	case REPORT_STIX: rc = report_write_stix(doc, out, err, errlen); break;
	case REPORT_MISP: rc = report_write_misp(doc, out, err, errlen); break;
	default:
		snprintf(err, errlen, "unknown report format");
		return -1;
	}
	if (rc == 0 && (fflush(out) != 0 || ferror(out)))
		rc = -1;
	if (rc != 0 && !err[0])
		snprintf(err, errlen, "cannot write the report");
	return rc;
}
