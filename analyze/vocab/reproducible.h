/*
 * reproducible.h — SOURCE_DATE_EPOCH (https://reproducible-builds.org/
 * specs/source-date-epoch/): when it is set, every time stamp attrib
 * writes is that time, and paths it records are named without their
 * folders, so the same inputs give the same bytes wherever the case lies
 * (docs/report-format.md "Reproducible output").
 */
#ifndef ATTRIB_REPRODUCIBLE_H
#define ATTRIB_REPRODUCIBLE_H

#include <stdbool.h>
#include <stdint.h>

/* True with *seconds when SOURCE_DATE_EPOCH holds a valid decimal number
 * of seconds since 1970 (at most 9999-12-31). */
bool attrib_source_date_epoch(uint64_t *seconds);

/* path without its folders when SOURCE_DATE_EPOCH is set, else path
 * itself (a pointer into path either way). */
const char *attrib_output_path(const char *path);

#endif
