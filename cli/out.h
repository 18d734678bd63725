/*
 * out.h — checked output for every command.
 *
 * Every write and flush to standard output, standard error or a file a
 * command writes is checked: when output fails the command exits 3 with
 * one line on standard error ("attrib: standard output: No space left on
 * device"), never 0 with the output silently lost.
 *
 * How a command uses it:
 *   - main() passes every command's exit code through cli_out_finish(),
 *     which flushes standard output and standard error and turns a
 *     failure into EXIT_INTERNAL with that one line. A command that only
 *     prints with printf()/fprintf() and returns needs nothing more.
 *   - A command that records something (a custody entry, a score run)
 *     that depends on its output having been written calls
 *     cli_out_flush(stdout, "standard output") before recording, and
 *     stops with EXIT_INTERNAL when it fails (the line is already said).
 *   - A long loop of printing stops early with cli_out_failed(stdout):
 *     true once the stream's error flag is set.
 *   - Where output failed and the caller knows it (a write function
 *     returned an error), cli_out_error(what, errno) says so once.
 * The line is printed at most once per process, whichever of these
 * notices the failure first.
 *
 * Whatever a command prints that it did not write itself (file names,
 * names from models, values from captures) goes through cli_safe() (or
 * cli_error(), which escapes the whole message), so one line stays one
 * line and nothing in it can drive the terminal.
 */
#ifndef ATTRIB_CLI_OUT_H
#define ATTRIB_CLI_OUT_H

#include <stdbool.h>
#include <stdio.h>

/* s (a file name, a name from a model, a value from a capture) escaped
 * for one line of text output with text_oneline() (analyze/parse/text.h):
 * no control character gets through, a long string is cut with "...".
 * The result lives in one of CLI_SAFE_SLOTS buffers of this thread used
 * in turn, so one printf() can take that many; copy it to keep it. */
#define CLI_SAFE_SLOTS 4
const char *cli_safe(const char *s);

/* True when writing to f has failed (its error flag is set). */
bool cli_out_failed(FILE *f);

/* Says once, on standard error, that writing to `what` ("standard
 * output", a file name) failed with errno value err (0: unknown). */
void cli_out_error(const char *what, int err);

/* Flushes f and checks its error flag. 0 when everything written to f so
 * far has reached the system; -1 after saying so (cli_out_error) when it
 * has not. what names f in that line. */
int cli_out_flush(FILE *f, const char *what);

/* The exit code of a command whose code was rc, after flushing standard
 * output and standard error: EXIT_INTERNAL when either failed (the line
 * said once, when standard error can still take it), else rc. */
int cli_out_finish(int rc);

#endif
