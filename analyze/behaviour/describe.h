/*
 * describe.h — the text of a beacon or activity.hours observation: its
 * value and detail, as docs/indicators.md gives them. Shared by the
 * behaviour family of one source (analyze/extract/behaviour.c) and the
 * recomputation over a whole case (recompute.h), so both write the same
 * value for the same judgement. Pure: writes only into the caller's
 * buffers (truncated to fit, always NUL-terminated).
 */
#ifndef ATTRIB_DESCRIBE_H
#define ATTRIB_DESCRIBE_H

#include <stdbool.h>
#include <stddef.h>

#include "analyze/behaviour/beacon.h"
#include "analyze/behaviour/beacon_parts.h"
#include "analyze/behaviour/hours.h"

/* label: "client->server:port[/proto]", "client->name" or
 * "client:port->server:port[/proto] in-flow"; series: "pair", "name" or
 * "in-flow"; parts: the named parts of the judgement
 * (beacon_parts.h), in the value and the detail. */
void describe_beacon(const char *label, const char *series,
		     const struct beacon_result *b,
		     const struct beacon_parts *parts, char *value,
		     size_t vsize, char *detail, size_t dsize);

/* host: the client's address text. */
void describe_hours(const char *host, const struct hours_histogram *h,
		    const struct hours_estimate *e, char *value, size_t vsize,
		    char *detail, size_t dsize);

#endif
