/*
 * cmd_flows.c — `attrib flows --db CASE.db [--json] [--addr A] [--port P]
 * [--proto P] [--community-id ID]`: the case's sessions, as a table or
 * one JSON object per flow (docs/json-output.md).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/evidence/store.h"
#include "cli/cli.h"
#include "cli/flow_json.h"
#include "cli/geo.h"
#include "cli/out.h"

struct flows_ctx {
	bool json;
	uint64_t rows;
};

static int print_flow(void *ctx, const struct store_flow_row *r)
{
	struct flows_ctx *fc = ctx;
	fc->rows++;
	if (fc->json) {
		json_t *o = cli_flow_json(r);
		if (!o)
			return -1;
		int rc = cli_json_line(o);
		json_decref(o);
		return rc;
	}
	char first[48];
	const char *l4 = store_ip_proto_name(r->l4_proto);
	cli_iso_time(r->first_ts_us, first, sizeof first);
	char ep[160];
	snprintf(ep, sizeof ep, "%s:%d -> %s:%d", cli_safe(r->client),
		 r->client_port, cli_safe(r->server), r->server_port);
	return printf("%10" PRId64 " %-5s %-52s %-20s%s %8" PRIu64 " %8" PRIu64
		      " %7" PRIu64 "/%-7" PRIu64 " %-12s %s\n",
		      r->id, l4 ? l4 : "?", ep, cli_safe(r->proto),
		      r->guessed ? "?" : " ",
		      r->first_frame, r->last_frame, r->packets_c2s,
		      r->packets_s2c, cli_safe(r->close_reason),
		      r->community_id[0] ? cli_safe(r->community_id) : "-") < 0
		       ? -1
		       : 0;
}

static void usage_flows(FILE *out)
{
	fputs("usage: attrib flows --db CASE.db [--json] [--addr ADDR] "
	      "[--port PORT]\n"
	      "                    [--proto tcp|udp|icmp|NUMBER|NDPI-NAME] "
	      "[--community-id ID]\n"
	      "                    [--geoip FILE.mmdb] [--asn FILE.mmdb]\n",
	      out);
}

int cmd_flows(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{"addr", required_argument, NULL, 'a'},
		{"port", required_argument, NULL, 'p'},
		{"proto", required_argument, NULL, 'P'},
		{"community-id", required_argument, NULL, 'c'},
		CLI_GEO_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	struct store_flow_filter filt = {.port = -1};
	struct flows_ctx fc = {0};
	struct cli_geo geo = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:ja:p:P:c:hG:A:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'j': fc.json = true; break;
		case 'a': filt.addr = optarg; break;
		case 'p': {
			char *end;
			long p = strtol(optarg, &end, 10);
			if (!*optarg || *end || p < 0 || p > 65535) {
				cli_error("flows: --port: '%s' is not a port "
					  "number", optarg);
				return EXIT_INPUT;
			}
			filt.port = (int)p;
			break;
		}
		case 'P': filt.proto = optarg; break;
		case 'c': filt.community_id = optarg; break;
		case 'h': usage_flows(stdout); return EXIT_OK;
		default:
			if (cli_geo_option(&geo, c, optarg))
				break;
			usage_flows(stderr);
			return EXIT_INPUT;
		}
	}
	if (!db || optind != argc) {
		cli_error("flows: --db CASE.db is required, and nothing else");
		usage_flows(stderr);
		return EXIT_INPUT;
	}
	if (cli_geo_open(&geo) != 0)
		return EXIT_INPUT;
	struct store *st = cli_open_case(db);
	if (!st) {
		cli_geo_close(&geo);
		return EXIT_INPUT;
	}
	int rc = EXIT_OK;
	char args[4096];
	cli_join_args(argc, argv, args, sizeof args);
	if (cli_geo_active(&geo)) {
		cli_json_geo = &geo;
		if (cli_geo_custody(&geo, st, args) != 0)
			rc = EXIT_INTERNAL;
	}
	if (!fc.json)
		printf("%10s %-5s %-52s %-21s %8s %8s %15s %-12s %s\n", "flow",
		       "l4", "client -> server", "protocol (?=guessed)",
		       "first", "last", "packets c/s", "closed",
		       "community_id");
	if (rc == EXIT_OK && (store_each_flow(st, &filt, print_flow, &fc) != 0 ||
	    cli_out_flush(stdout, "standard output") != 0)) {
		if (cli_out_failed(stdout))
			cli_out_error("standard output", 0);
		else
			cli_error("flows: %s", store_error(st)[0]
						       ? store_error(st)
						       : "out of memory");
		rc = EXIT_INTERNAL;
	}
	char err[1024];
	cli_json_geo = NULL;
	cli_geo_close(&geo);
	if (store_close(st, err, sizeof err) != 0) {
		cli_error("%s", err);
		rc = EXIT_INTERNAL;
	}
	return rc;
}
