/*
 * score_doc.h — an assessment as the score document of
 * docs/report-format.md (JSON, built with jansson), and as the readable
 * summary `attrib score` prints.
 */
#ifndef ATTRIB_SCORE_DOC_H
#define ATTRIB_SCORE_DOC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "analyze/score/assess.h"

enum {
	SCORE_MAX_CITED = 5,        /* observations cited per item */
	SCORE_MAX_SENSITIVITY = 100 /* sensitivity entries per hypothesis */
};

/* One observation cited by an item. */
struct score_cite {
	int64_t observation;
	char source_sha256[65];
	uint64_t frame;
	uint64_t ts_us;
	char kind[32];
	char value[256];        /* truncated for the document */
};

/* The citations of every item: cites[h][i] for item i of hypothesis h. */
struct score_citations {
	struct score_cite c[SCORE_MAX_CITED];
	size_t n;
};

struct score_run_info {
	int64_t id;
	uint64_t time_us;
	uint64_t observations;
	json_t *sources;        /* borrowed: array of {id, path, sha256, packets} */
};

/*
 * The score document. cites may be NULL (no citations). Returns a new
 * reference (the caller json_decref()s it), or NULL when out of memory.
 */
json_t *score_document(const struct assessment *as,
		       const struct score_run_info *run,
		       struct score_citations *const *cites);

/*
 * The time outputs carry: SOURCE_DATE_EPOCH (whole seconds since 1970,
 * decimal) when that variable is set and valid, else now_us. So the same
 * inputs give the same bytes (docs/report-format.md "Reproducible
 * output").
 */
uint64_t score_output_time_us(uint64_t now_us);

/* True when SOURCE_DATE_EPOCH is set and valid: outputs then also name
 * the case and head files without their folders, so copies of one case
 * in different places give the same bytes. */
bool score_reproducible(void);

/*
 * The same document as compact JSON text, built one hypothesis at a time
 * so that memory holds the text, not the whole tree (10,000 hypotheses).
 * *len gets its length. NULL when out of memory; the caller frees it.
 */
char *score_document_text(const struct assessment *as,
			  const struct score_run_info *run,
			  struct score_citations *const *cites, size_t *len);

/* ISO 8601 UTC text of a time in microseconds ("2024-03-04T09:00:00Z"). */
void score_iso_time(uint64_t us, char out[32]);

/* The flags of a link as "CONFLICT,FALSE_FLAG" ("" when none). */
void score_flags_text(unsigned flags, char *out, size_t size);

/* Writes the readable summary of an assessment to out. */
void score_print(FILE *out, const struct assessment *as,
		 const struct score_run_info *run);

#endif
