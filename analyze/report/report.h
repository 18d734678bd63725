/*
 * report.h — attrib's reports: one report document built from a case,
 * rendered as HTML, Markdown, JSON or a STIX 2.1 bundle.
 *
 * report_build() reads the case (the latest score run's document, the
 * sources, observations, custody log) and assembles the report document,
 * a JSON object documented field by field in docs/report-format.md
 * ("Report document"). Every renderer draws only on that document, so the
 * four formats say the same thing, and the JSON format is the document
 * itself. Tables that could grow with the capture (indicator values,
 * hosts, beacons, custody, sources) are capped when the document is
 * built, and the document lists every cap in `caps`.
 *
 * Everything the case holds is treated as hostile: strings are made valid
 * UTF-8 when the document is built, and each renderer escapes them for
 * its format (HTML, Markdown, STIX pattern literals).
 *
 * Verification is done by the caller (it re-reads capture files, which is
 * capture/'s business, wired by the CLI) and handed in.
 */
#ifndef ATTRIB_REPORT_H
#define ATTRIB_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct store;

enum report_format {
	REPORT_HTML,
	REPORT_MARKDOWN,
	REPORT_JSON,
	REPORT_STIX,
	REPORT_MISP,
};

/* The format named "html", "md" (or "markdown"), "json", "stix" or
 * "misp"; -1 for anything else. */
int report_format_parse(const char *name);

/* The format a file name implies: .html/.htm, .md/.markdown, .stix.json
 * or .stix (STIX), .misp.json (MISP), .json; -1 when the extension says
 * nothing. */
int report_format_from_path(const char *path);

/* "html", "md", "json", "stix", "misp". */
const char *report_format_name(enum report_format f);

/* What the caller found when it verified the case just before the report
 * (cli/case_check.h). Strings are copied into the document. */
struct report_verification {
	bool done;               /* false: the report says "not verified" */
	bool tampered;
	const char *first_problem;   /* when tampered */
	uint64_t chain_entries, head_seq;
	const char *head_hash;       /* 64 hex */
	const char *head_file;       /* path compared with */
	const char *head_file_result;/* what the comparison found */
	bool head_file_checked;
	const char *integrity;       /* "ok" or what is damaged */
	uint64_t sources, sources_rehashed, sources_changed, sources_missing,
		sources_unfinished;
	uint64_t packets_reread, packets_wrong, packets_not_checkable;
	int64_t checked_us;          /* when (µs since the epoch) */
};

struct report_options {
	const char *case_path;   /* the database, as the user named it */
	const char *arguments;   /* the command line that made the report */
	const char *case_note;   /* said of the case (e.g. that it was
	                            temporary and is gone); may be NULL */
	int64_t now_us;          /* the report's time */
	/* caps; 0 means the default (REPORT_DEFAULT_* below) */
	unsigned top_values;     /* values shown per indicator kind */
	unsigned hosts;          /* activity-hours hosts shown */
	unsigned beacons;        /* beacons shown (with a histogram each) */
	unsigned custody;        /* custody entries shown (the last ones) */
	unsigned sources;        /* sources listed */
	unsigned timeline_bins;  /* time bins of the observation timeline */
};

#define REPORT_DEFAULT_TOP_VALUES 10
#define REPORT_DEFAULT_HOSTS 8
#define REPORT_DEFAULT_BEACONS 8
#define REPORT_DEFAULT_CUSTODY 200
#define REPORT_DEFAULT_SOURCES 500
#define REPORT_DEFAULT_TIMELINE_BINS 96
/* A score document longer than this is not read (the chain caps an entry
 * at 64 MiB, so only a damaged case can hold one). */
#define REPORT_MAX_SCORE_BYTES (64u << 20)

/*
 * Builds the report document of the case st. Returns a new JSON object
 * (the caller owns the reference), or NULL with a one-line message in
 * err. A case without a score run, or whose latest score document cannot
 * be read, still gives a document: `scored` is false and `limits` says
 * why.
 */
json_t *report_build(struct store *st, const struct report_verification *v,
		     const struct report_options *opt, char *err,
		     size_t errlen);

/*
 * Writes doc as format f to out. Returns 0, or -1 with a message in err
 * (a write error, or a document the STIX writer cannot express). The
 * document is not changed.
 */
int report_write(const json_t *doc, enum report_format f, FILE *out,
		 char *err, size_t errlen);

#endif
