/*
 * progress.h — a progress line on a terminal: for ingest, bytes
 * done/total, packets/s and ETA on stderr, redrawn at most a few times a
 * second; for capture, a status line of the caller's making. Silent when
 * stderr is not a terminal.
 */
#ifndef ATTRIB_PROGRESS_H
#define ATTRIB_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool enabled;
	uint64_t total_bytes;
	uint64_t done_before;  /* bytes of files already finished */
	double start, last_draw;
	bool drawn;
};

/* Starts a progress line over total_bytes; enabled only on a terminal. */
void progress_start(struct progress *pr, uint64_t total_bytes);

/* Redraws if due: file_bytes read of the current file, packets so far. */
void progress_update(struct progress *pr, uint64_t file_bytes,
		     uint64_t packets);

/* Redraws the line with the text given (capture's status line). The
 * caller decides how often. */
void progress_text(struct progress *pr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Marks the current file done (size bytes) for the totals. */
void progress_file_done(struct progress *pr, uint64_t size);

/* Clears the line. */
void progress_finish(struct progress *pr);

#endif
