/*
 * stix.c — STIX 2.1 bundles as models (docs/model-format.md, "STIX 2.1
 * input"). Until the reader is in, a bundle is refused with a clear error
 * rather than read partially.
 */
#include "analyze/model/model.h"

#include <stdio.h>

int model_load_stix(struct model_set *ms, const char *path, char *err,
		    size_t errlen)
{
	(void)ms;
	snprintf(err, errlen, "%s: STIX 2.1 bundles cannot be read by this "
		 "build yet", path);
	return -1;
}
