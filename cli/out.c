/* out.c — checked output for every command (see out.h). */
#include "cli/out.h"

#include <errno.h>
#include <string.h>

#include "analyze/parse/text.h"
#include "cli/cli.h"

/* Longest string cli_safe() shows whole. */
enum { CLI_SAFE_MAX_IN = 4096 };

const char *cli_safe(const char *s)
{
	static _Thread_local char slots[CLI_SAFE_SLOTS]
				       [TEXT_ONELINE_SIZE(CLI_SAFE_MAX_IN)];
	static _Thread_local unsigned next;
	char *out = slots[next++ % CLI_SAFE_SLOTS];
	return text_oneline(s, out, sizeof slots[0]);
}

/* Whether the one line about failed output has been said. */
static bool out_error_said;

bool cli_out_failed(FILE *f)
{
	return ferror(f) != 0;
}

void cli_out_error(const char *what, int err)
{
	if (out_error_said)
		return;
	out_error_said = true;
	cli_error("%s: cannot write: %s", what,
		  err ? strerror(err) : "write error");
}

int cli_out_flush(FILE *f, const char *what)
{
	errno = 0;
	int rc = fflush(f);
	int err = errno;
	if (rc == 0 && !ferror(f))
		return 0;
	cli_out_error(what, err);
	return -1;
}

int cli_out_finish(int rc)
{
	bool failed = false;
	if (cli_out_flush(stdout, "standard output") != 0)
		failed = true;
	/* standard error is unbuffered: its error flag is all there is */
	if (fflush(stderr) != 0 || ferror(stderr))
		failed = true;
	return failed ? EXIT_INTERNAL : rc;
}
