/*
 * pending.c — the Markdown and STIX writers are not written yet: both
 * formats fail with "cannot write the report".
 */
#include "analyze/report/report_internal.h"

int report_write_markdown(const json_t *doc, FILE *out)
{
	return -1;
}

int report_write_stix(const json_t *doc, FILE *out, char *err, size_t errlen)
{
	snprintf(err, errlen, "STIX output is not written yet");
	return -1;
}
