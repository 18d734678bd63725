/*
 * reproducible.c — SOURCE_DATE_EPOCH (reproducible.h).
 */
#include "analyze/vocab/reproducible.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool attrib_source_date_epoch(uint64_t *seconds)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end;
	if (!e || *e < '0' || *e > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(e, &end, 10);
	if (*end || errno || v > 253402300799ull)
		return false;
	*seconds = (uint64_t)v;
	return true;
}

const char *attrib_output_path(const char *path)
{
	uint64_t s;
	const char *slash = path ? strrchr(path, '/') : NULL;
	return slash && slash[1] && attrib_source_date_epoch(&s) ? slash + 1
								 : path;
}
