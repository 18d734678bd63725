/* progress.c — terminal progress line (see progress.h). */
#include "cli/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"

enum { PROGRESS_REDRAW_HZ = 4 };

void progress_start(struct progress *pr, uint64_t total_bytes)
{
	pr->enabled = isatty(STDERR_FILENO) == 1;
	pr->total_bytes = total_bytes;
	pr->done_before = 0;
	pr->start = cli_now();
	pr->last_draw = 0;
	pr->drawn = false;
}

void progress_update(struct progress *pr, uint64_t file_bytes,
		     uint64_t packets)
{
	if (!pr->enabled)
		return;
	double now = cli_now();
	if (now - pr->last_draw < 1.0 / PROGRESS_REDRAW_HZ)
		return;
	pr->last_draw = now;
	double elapsed = now - pr->start;
	double done = (double)(pr->done_before + file_bytes);
	double total = (double)pr->total_bytes;
	double rate = elapsed > 0 ? (double)packets / elapsed : 0;
	double eta = done > 0 && total > done ? elapsed * (total - done) / done
					      : 0;
	fprintf(stderr,
		"\r  %.1f / %.1f MB (%3.0f%%)  %.0f packets/s  ETA %d:%02d   ",
		done / 1e6, total / 1e6, total > 0 ? 100.0 * done / total : 100.0,
		rate, (int)eta / 60, (int)eta % 60);
	pr->drawn = true;
}

void progress_text(struct progress *pr, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	if (!pr->enabled)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\r%-78.78s", line);
	pr->last_draw = cli_now();
	pr->drawn = true;
}

void progress_file_done(struct progress *pr, uint64_t size)
{
	pr->done_before += size;
}

void progress_finish(struct progress *pr)
{
	if (pr->enabled && pr->drawn)
		fprintf(stderr, "\r%78s\r", "");
	pr->drawn = false;
}
