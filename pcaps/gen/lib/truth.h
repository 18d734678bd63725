/*
 * truth.h — the ground truth of a generated scenario as key=value lines
 * (pcaps/gen/README.md lists the keys): what was planted, where, with
 * which timing, and how many sessions each directive produced, so tests
 * can compare attrib's estimates with what is known to be true.
 */
#ifndef ATTRIB_GEN_TRUTH_H
#define ATTRIB_GEN_TRUTH_H

#include <stdint.h>
#include <stdio.h>

#include "pcaps/gen/lib/scenario_file.h"

/* Writes the truth of sc to f; events[i] is the number of events
 * directive i produced, packets the frames in the capture. Returns 0, or
 * -1 when the stream reports an error. */
int truth_write(FILE *f, const struct scenario *sc, const uint64_t *events,
		uint64_t packets);

#endif
