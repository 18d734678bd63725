/*
 * report_out.h — where `attrib report -o PATH` (and `attrib analyze -o`)
 * put a report, and what they may never do to PATH.
 *
 *   -o -               standard output, as a stream
 *   a character device written as a stream (opened without following a
 *                      link, never created, replaced or truncated away)
 *   a regular file, or written atomically: a temporary file in the same
 *   nothing yet         folder, fsync, then renamed over PATH (PATH is the
 *                      old file or the whole new report, never a part);
 *                      the folder is synced after the rename
 *   anything else      refused (exit 2) and left as it is: a symbolic
 *                      link, a FIFO, a socket, a block device, a folder
 *
 * The report is rendered into memory first, so its SHA-256 is that of
 * exactly the bytes written, and the custody entry is recorded only after
 * every byte reached PATH.
 */
#ifndef ATTRIB_CLI_REPORT_OUT_H
#define ATTRIB_CLI_REPORT_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* What was written. */
struct report_out {
	char sha256[65];  /* hex SHA-256 of the bytes written */
	uint64_t bytes;   /* how many */
	bool stream;      /* standard output or a character device */
};

/* 0 when path is a place a report may be written to (see above), -1 with
 * a one-line reason in err when it is not. Does not create anything. */
int report_out_check(const char *path, char *err, size_t errlen);

/* Renders doc in format (enum report_format) and writes it to path.
 * Returns 0 with *ro filled; -2 when path is refused or cannot be created
 * (a usage error, err says why); -1 when writing failed (err says why, or
 * is "" when the failure was already said on standard error, as for
 * standard output). Nothing is left at path's folder on failure but what
 * was there before. */
int report_out_write(const json_t *doc, int format, const char *path,
		     struct report_out *ro, char *err, size_t errlen);

#endif
