/*
 * eve.h — an observation as a Suricata eve-style event (eve.c).
 */
#ifndef ATTRIB_CLI_EVE_H
#define ATTRIB_CLI_EVE_H

#include "analyze/evidence/store.h"
#include "cli/flow_json.h"

/* The event for observation o in flow (NULL when the observation has no
 * flow, e.g. a per-source anomaly). The caller owns it; NULL when memory
 * ran out. */
json_t *cli_eve_event(const struct store_obs_row *o,
		      const struct store_flow_row *flow);

#endif
