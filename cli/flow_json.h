/*
 * flow_json.h — what `attrib flows`, `attrib indicators --json/--eve` and
 * `attrib match` say of a flow, in one place so every command names the
 * same fields the same way (docs/json-output.md).
 */
#ifndef ATTRIB_CLI_FLOW_JSON_H
#define ATTRIB_CLI_FLOW_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "analyze/evidence/flow_query.h"

/* ISO 8601 UTC with microseconds ("2024-03-04T09:00:00.000000Z"). */
void cli_iso_time(uint64_t ts_us, char *out, size_t n);

/* Suricata's timestamp form ("2024-03-04T09:00:00.000000+0000"). */
void cli_eve_time(uint64_t ts_us, char *out, size_t n);

/* Adds the flow's endpoints to o: src_ip, src_port, dest_ip, dest_port
 * (the client is the source), proto ("TCP", "UDP", ... as Suricata
 * writes it, or the number), community_id (omitted when ""), flow_id;
 * with cli_json_geo, src_geo and dest_geo where the databases know the
 * address.
 * 0, or -1 when memory ran out. */
int cli_json_add_endpoints(json_t *o, const struct store_flow_row *r);

struct cli_geo;
/* The databases cli_json_add_endpoints() annotates src_geo and dest_geo
 * from (NULL: none); set by a command given --geoip or --asn. */
extern const struct cli_geo *cli_json_geo;

/* A new object describing the whole flow (the endpoints above, VLAN,
 * tunnel, frames, times, packets and bytes each way, nDPI's protocol,
 * guessed flag, category, risks by name, close reason, source SHA-256).
 * The caller owns it; NULL when memory ran out. */
json_t *cli_flow_json(const struct store_flow_row *r);

/* An observation's detail ("qtype=1 msg=query") as an object of its
 * key=value pairs (integers where the value is one); detail_json.c says
 * how. The caller owns it; NULL when memory ran out. */
json_t *cli_detail_json(const char *detail);

/* Writes o as one compact line to stdout. 0, or -1 when the write failed. */
int cli_json_line(json_t *o);

#endif
