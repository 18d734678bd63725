/*
 * scenario_truth.h — the ground-truth statements of a scenario file:
 * what no packet shows but a scored capture must be checked against.
 *
 *   actor ID|none                       the true actor
 *   links ID L1=1 L2=1 L3=0 L3i=0 L4=0   which links truly hold for ID
 *   model PATH                          a model to score the capture with
 *
 * and the directive keys actor=ID (the traffic is ID's own) and
 * planted=ID (the traffic carries artefacts planted to point at ID).
 * The generator only checks and copies them into the truth file; they
 * change no packet. Internal to pcaps/gen/lib.
 */
#ifndef ATTRIB_GEN_SCENARIO_TRUTH_H
#define ATTRIB_GEN_SCENARIO_TRUTH_H

#include "pcaps/gen/lib/scenario_file.h"
#include "pcaps/gen/lib/scenario_line.h"

/* Handles the statement `keyword rest` when keyword is actor, links or
 * model: returns 1 (failures go to c), else 0. */
int scenario_truth_statement(struct line_ctx *c, const char *keyword,
			     char *rest, struct scenario *sc);

/* Reads the actor= and planted= keys of a directive into d. */
void scenario_truth_directive(struct line_ctx *c, struct directive *d);

/* Checks the whole file once read: every hypothesis named by `actor`,
 * actor= or planted= has a `links` statement (when the file has any
 * truth statement at all). 0, or -1 with "path: reason" in err. */
int scenario_truth_check(const struct scenario *sc, const char *path,
			 char *err, size_t errlen);

#endif
