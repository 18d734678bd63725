/*
 * flow_json.c — flows and their endpoints as JSON (flow_json.h).
 */
#include "cli/flow_json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "analyze/flow/dpi.h"
#include "cli/geo.h"

const struct cli_geo *cli_json_geo;

/* ts_us as YYYY-MM-DDTHH:MM:SS.uuuuuu followed by zone ("Z", "+0000"). */
static void utc_time(uint64_t ts_us, const char *zone, char *out, size_t n)
{
	time_t secs = (time_t)(ts_us / 1000000u);
	struct tm tm;
	if (!gmtime_r(&secs, &tm)) {
		snprintf(out, n, "?");
		return;
	}
	char base[32];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%06u%s", base, (unsigned)(ts_us % 1000000u), zone);
}

void cli_iso_time(uint64_t ts_us, char *out, size_t n)
{
	utc_time(ts_us, "Z", out, n);
}

void cli_eve_time(uint64_t ts_us, char *out, size_t n)
{
	utc_time(ts_us, "+0000", out, n);
}

/* Suricata's upper-case protocol name, or the number as text. */
static void proto_text(int p, char *out, size_t n)
{
	const char *name = store_ip_proto_name(p);
	if (!name) {
		snprintf(out, n, "%d", p);
		return;
	}
	if (p == 58)
		name = "ipv6-icmp"; /* Suricata's spelling */
	size_t i = 0;
	for (; name[i] && i + 1 < n; i++)
		out[i] = (char)toupper((unsigned char)name[i]);
	out[i] = '\0';
}

static int set(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

int cli_json_add_endpoints(json_t *o, const struct store_flow_row *r)
{
	char proto[16];
	proto_text(r->l4_proto, proto, sizeof proto);
	int rc = 0;
	rc |= set(o, "src_ip", json_string(r->client));
	rc |= set(o, "src_port", json_integer(r->client_port));
	rc |= set(o, "dest_ip", json_string(r->server));
	rc |= set(o, "dest_port", json_integer(r->server_port));
	rc |= set(o, "proto", json_string(proto));
	if (r->community_id[0])
		rc |= set(o, "community_id", json_string(r->community_id));
	rc |= set(o, "flow_id", json_integer(r->id));
	if (cli_json_geo) {
		json_t *g = cli_geo_json(cli_json_geo, r->client);
		if (g)
			rc |= set(o, "src_geo", g);
		g = cli_geo_json(cli_json_geo, r->server);
		if (g)
			rc |= set(o, "dest_geo", g);
	}
	return rc ? -1 : 0;
}

json_t *cli_flow_json(const struct store_flow_row *r)
{
	json_t *o = json_object();
	json_t *risks = json_array();
	char first[48], last[48];
	if (!o || !risks)
		goto fail;
	for (unsigned b = 0; b < 64; b++)
		if ((r->risk >> b) & 1) {
			const char *name = dpi_risk_name(b);
			if (json_array_append_new(risks, name[0]
							   ? json_string(name)
							   : json_integer(b)))
				goto fail;
		}
	cli_iso_time(r->first_ts_us, first, sizeof first);
	cli_iso_time(r->last_ts_us, last, sizeof last);
	int rc = set(o, "flow_id", json_integer(r->id));
	if (r->community_id[0])
		rc |= set(o, "community_id", json_string(r->community_id));
	rc |= cli_json_add_endpoints(o, r);
	rc |= set(o, "ip_version", json_integer(r->ip_version));
	rc |= set(o, "vlan", json_integer(r->vlan));
	rc |= set(o, "tunnel", json_string(r->tunnel));
	rc |= set(o, "tunnel_id", json_integer(r->tunnel_id));
	rc |= set(o, "first_frame", json_integer((json_int_t)r->first_frame));
	rc |= set(o, "last_frame", json_integer((json_int_t)r->last_frame));
	rc |= set(o, "first_ts", json_string(first));
	rc |= set(o, "last_ts", json_string(last));
	rc |= set(o, "pkts_toserver", json_integer((json_int_t)r->packets_c2s));
	rc |= set(o, "pkts_toclient", json_integer((json_int_t)r->packets_s2c));
	rc |= set(o, "bytes_toserver", json_integer((json_int_t)r->bytes_c2s));
	rc |= set(o, "bytes_toclient", json_integer((json_int_t)r->bytes_s2c));
	rc |= set(o, "app_proto", json_string(r->proto));
	rc |= set(o, "app_proto_guessed", json_boolean(r->guessed));
	rc |= set(o, "category", json_string(r->category));
	rc |= json_object_set(o, "risks", risks);
	rc |= set(o, "close_reason", json_string(r->close_reason));
	rc |= set(o, "source_sha256", json_string(r->source_sha256));
	json_decref(risks);
	if (rc) {
		json_decref(o);
		return NULL;
	}
	return o;
fail:
	json_decref(risks);
	json_decref(o);
	return NULL;
}

int cli_json_line(json_t *o)
{
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
				       JSON_ENSURE_ASCII);
	if (!line)
		return -1;
	int rc = puts(line) < 0 ? -1 : 0;
	free(line);
	return rc;
}
