/*
 * flow_query.c — flows read back from a case (flow_query.h): the listing
 * with its filters, and lookups by id. The community_id column is read
 * when the case has it (older cases: "").
 */
#include "analyze/evidence/flow_query.h"

#include "analyze/evidence/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FLOW_COLUMNS                                                          \
	"f.id, f.source_id, coalesce(s.sha256,''), s.path, f.ip_version, "    \
	"f.l4_proto, f.client, f.server, f.client_port, f.server_port, "      \
	"f.vlan, f.tunnel, f.tunnel_id, f.first_ts_us, f.last_ts_us, "        \
	"f.first_frame, f.last_frame, f.packets_c2s, f.packets_s2c, "         \
	"f.bytes_c2s, f.bytes_s2c, f.proto, f.category, f.guessed, f.risk, "  \
	"f.close_reason, "
#define FLOW_FROM " FROM flows f JOIN sources s ON s.id=f.source_id"

static const struct {
	int num;
	const char *name;
} ip_protos[] = {
	{1, "icmp"}, {2, "igmp"}, {4, "ipip"}, {6, "tcp"}, {17, "udp"},
	{41, "ipv6"}, {47, "gre"}, {50, "esp"}, {51, "ah"}, {58, "icmpv6"},
	{89, "ospf"}, {103, "pim"}, {112, "vrrp"}, {132, "sctp"},
};

const char *store_ip_proto_name(int p)
{
	for (size_t i = 0; i < sizeof ip_protos / sizeof ip_protos[0]; i++)
		if (ip_protos[i].num == p)
			return ip_protos[i].name;
	return NULL;
}

/* The SELECT list, with the community_id column or '' in its place. */
static void flow_select(struct store *st, char *sql, size_t n,
			const char *tail)
{
	bool cid = store_has_column(st, "flows", "community_id");
	snprintf(sql, n, "SELECT " FLOW_COLUMNS "%s" FLOW_FROM "%s",
		 cid ? "coalesce(f.community_id,'')" : "''", tail);
}

static const char *text(sqlite3_stmt *q, int c)
{
	const unsigned char *t = sqlite3_column_text(q, c);
	return t ? (const char *)t : "";
}

static void read_row(sqlite3_stmt *q, struct store_flow_row *r)
{
	int c = 0;
	r->id = sqlite3_column_int64(q, c++);
	r->source_id = sqlite3_column_int64(q, c++);
	r->source_sha256 = text(q, c++);
	r->source_path = text(q, c++);
	r->ip_version = sqlite3_column_int(q, c++);
	r->l4_proto = sqlite3_column_int(q, c++);
	r->client = text(q, c++);
	r->server = text(q, c++);
	r->client_port = sqlite3_column_int(q, c++);
	r->server_port = sqlite3_column_int(q, c++);
	r->vlan = sqlite3_column_int(q, c++);
	r->tunnel = text(q, c++);
	r->tunnel_id = sqlite3_column_int64(q, c++);
	r->first_ts_us = (uint64_t)sqlite3_column_int64(q, c++);
	r->last_ts_us = (uint64_t)sqlite3_column_int64(q, c++);
	r->first_frame = (uint64_t)sqlite3_column_int64(q, c++);
	r->last_frame = (uint64_t)sqlite3_column_int64(q, c++);
	r->packets_c2s = (uint64_t)sqlite3_column_int64(q, c++);
	r->packets_s2c = (uint64_t)sqlite3_column_int64(q, c++);
	r->bytes_c2s = (uint64_t)sqlite3_column_int64(q, c++);
	r->bytes_s2c = (uint64_t)sqlite3_column_int64(q, c++);
	r->proto = text(q, c++);
	r->category = text(q, c++);
	r->guessed = sqlite3_column_int(q, c++) != 0;
	r->risk = (uint64_t)sqlite3_column_int64(q, c++);
	r->close_reason = text(q, c++);
	r->community_id = text(q, c++);
}

/* nDPI's "TLS.Google" matches "tls", "google" and "tls.google". */
static bool ndpi_name_matches(const char *proto, const char *want)
{
	if (!strcasecmp(proto, want))
		return true;
	const char *dot = strchr(proto, '.');
	if (!dot)
		return false;
	size_t head = (size_t)(dot - proto);
	return (strlen(want) == head && !strncasecmp(proto, want, head)) ||
	       !strcasecmp(dot + 1, want);
}

static bool proto_matches(const struct store_flow_row *r, const char *want)
{
	char *end;
	long num = strtol(want, &end, 10);
	if (*want && !*end)
		return num == r->l4_proto;
	const char *l4 = store_ip_proto_name(r->l4_proto);
	return (l4 && !strcasecmp(l4, want)) || ndpi_name_matches(r->proto, want);
}

static bool row_matches(const struct store_flow_row *r,
			const struct store_flow_filter *f)
{
	if (!f)
		return true;
	if (f->addr && strcmp(r->client, f->addr) && strcmp(r->server, f->addr))
		return false;
	if (f->port >= 0 && r->client_port != f->port &&
	    r->server_port != f->port)
		return false;
	if (f->proto && !proto_matches(r, f->proto))
		return false;
	if (f->community_id && strcmp(r->community_id, f->community_id))
		return false;
	return true;
}

int store_each_flow(struct store *st, const struct store_flow_filter *filt,
		    store_flow_fn fn, void *ctx)
{
	if (store_txn_commit(st) != 0)
		return -1;
	char sql[1024];
	sqlite3_stmt *q = NULL;
	flow_select(st, sql, sizeof sql,
		    " ORDER BY f.source_id, f.first_frame, f.id");
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "read flows");
		return -1;
	}
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_flow_row r;
		read_row(q, &r);
		if (row_matches(&r, filt))
			rc = fn(ctx, &r);
	}
	if (rc == 0 && step != SQLITE_DONE) {
		store_fail(st, "read flows");
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}

struct store_flow_lookup {
	struct store *st;
	sqlite3_stmt *q;
};

struct store_flow_lookup *store_flow_lookup_open(struct store *st)
{
	if (store_txn_commit(st) != 0)
		return NULL;
	struct store_flow_lookup *l = calloc(1, sizeof *l);
	if (!l) {
		snprintf(st->err, sizeof st->err, "%s: out of memory", st->path);
		return NULL;
	}
	char sql[1024];
	l->st = st;
	flow_select(st, sql, sizeof sql, " WHERE f.id=?1");
	if (sqlite3_prepare_v2(st->db, sql, -1, &l->q, NULL) != SQLITE_OK) {
		store_fail(st, "read flows");
		free(l);
		return NULL;
	}
	return l;
}

int store_flow_lookup_get(struct store_flow_lookup *l, int64_t id,
			  struct store_flow_row *r)
{
	sqlite3_reset(l->q);
	sqlite3_bind_int64(l->q, 1, id);
	int step = sqlite3_step(l->q);
	if (step == SQLITE_ROW) {
		read_row(l->q, r);
		return 1;
	}
	if (step == SQLITE_DONE)
		return 0;
	store_fail(l->st, "read flows");
	return -1;
}

void store_flow_lookup_close(struct store_flow_lookup *l)
{
	if (!l)
		return;
	sqlite3_finalize(l->q);
	free(l);
}
