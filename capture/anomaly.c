/* anomaly.c — names of decode anomalies (see anomaly.h). */
#include "anomaly.h"

static const char *const anomaly_names[ANOM_COUNT] = {
#define ANOMALY_NAME(id, name) [ANOM_##id] = name,
	ANOMALY_LIST(ANOMALY_NAME)
#undef ANOMALY_NAME
};

const char *anomaly_name(enum anomaly a)
{
	if ((unsigned)a >= ANOM_COUNT)
		return "unknown";
	return anomaly_names[a];
}
