/* yaml.c — authored YAML models (docs/model-format.md). */
#include "analyze/model/model.h"

#include <stdio.h>

int model_load_yaml(struct model_set *ms, const char *path, char *err,
		    size_t errlen)
{
	(void)ms;
	snprintf(err, errlen, "%s: YAML models cannot be read by this build "
		 "yet", path);
	return -1;
}
