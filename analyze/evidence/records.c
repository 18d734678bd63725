/*
 * records.c — evidence records written during ingest: flows, observations
 * and custody entries, each chained as it is written; the derived
 * indicators table and the indexes built after bulk load.
 */
#include "analyze/evidence/store_internal.h"

#include <arpa/inet.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analyze/version.h"

static void addr_text(int version, const uint8_t *addr, char *out, size_t n)
{
	if (!inet_ntop(version == 6 ? AF_INET6 : AF_INET, addr, out,
		       (socklen_t)n))
		snprintf(out, n, "?");
}

static const char *tunnel_name(uint8_t kind)
{
	switch (kind) {
	case TUNNEL_IPIP: return "ipip";
	case TUNNEL_GRE: return "gre";
	case TUNNEL_GTPU: return "gtpu";
	case TUNNEL_VXLAN: return "vxlan";
	case TUNNEL_CAPWAP: return "capwap";
	default: return "";
	}
}

void rb_int(struct rowbind *rb, int64_t v)
{
	sqlite3_bind_int64(rb->q, rb->idx++, v);
	chain_enc_int(&rb->st->enc, v);
}

void rb_text(struct rowbind *rb, const char *s)
{
	if (!s) {
		sqlite3_bind_null(rb->q, rb->idx++);
		chain_enc_null(&rb->st->enc);
		return;
	}
	size_t n = strlen(s);
	sqlite3_bind_text(rb->q, rb->idx++, s, (int)n, SQLITE_STATIC);
	chain_enc_text(&rb->st->enc, s, n);
}

void rb_real(struct rowbind *rb, double v)
{
	sqlite3_bind_double(rb->q, rb->idx++, v);
	chain_enc_real(&rb->st->enc, v);
}

int rb_insert(struct rowbind *rb, const char *what)
{
	int rc = 0;
	if (store_txn_begin(rb->st) != 0 ||
	    store_chain_bind(rb->st, rb->q, rb->idx) != 0) {
		rc = -1;
	} else if (sqlite3_step(rb->q) != SQLITE_DONE) {
		store_fail(rb->st, what);
		rc = -1;
	}
	sqlite3_reset(rb->q);
	if (rc != 0)
		store_txn_rollback(rb->st);
	return rc;
}

int store_flow(struct store *st, int64_t source_id, const struct flow *f,
	       const struct dpi_result *r, const char *close_reason)
{
	if (store_replaying(st))
		return 0;
	char client[INET6_ADDRSTRLEN], server[INET6_ADDRSTRLEN];
	addr_text(f->ip_version, f->client, client, sizeof client);
	addr_text(f->ip_version, f->server, server, sizeof server);
	struct rowbind rb = {st, st->ins_flow, 1};
	store_chain_begin(st, "flow");
	rb_int(&rb, (int64_t)f->id);
	rb_int(&rb, source_id);
	rb_int(&rb, f->ip_version);
	rb_int(&rb, f->l4_proto);
	rb_text(&rb, client);
	rb_int(&rb, f->client_port);
	rb_text(&rb, server);
	rb_int(&rb, f->server_port);
	rb_int(&rb, f->vlan);
	rb_text(&rb, tunnel_name(f->tunnel_kind));
	rb_int(&rb, f->tunnel_id);
	rb_int(&rb, (int64_t)f->first_us);
	rb_int(&rb, (int64_t)f->last_us);
	rb_int(&rb, (int64_t)f->first_frame);
	rb_int(&rb, (int64_t)f->last_frame);
	rb_int(&rb, (int64_t)f->packets[FLOW_DIR_C2S]);
	rb_int(&rb, (int64_t)f->packets[FLOW_DIR_S2C]);
	rb_int(&rb, (int64_t)f->bytes[FLOW_DIR_C2S]);
	rb_int(&rb, (int64_t)f->bytes[FLOW_DIR_S2C]);
	rb_text(&rb, r->proto);
	rb_int(&rb, r->master_id);
	rb_int(&rb, r->app_id);
	rb_text(&rb, r->category);
	rb_int(&rb, (int64_t)r->risk);
	rb_int(&rb, r->guessed);
	rb_text(&rb, close_reason);
	return rb_insert(&rb, "insert flow");
}

int store_observation(struct store *st, int64_t source_id,
		      const struct store_obs *o)
{
	if (store_replaying(st))
		return 0;
	struct rowbind rb = {st, st->ins_obs, 1};
	store_chain_begin(st, "observation");
	rb_int(&rb, st->next_obs_id);
	rb_int(&rb, source_id);
	rb_int(&rb, (int64_t)o->frame);
	rb_int(&rb, (int64_t)o->file_offset);
	rb_int(&rb, o->caplen);
	rb_int(&rb, (int64_t)o->ts_us);
	rb_int(&rb, (int64_t)o->flow_id);
	rb_text(&rb, o->kind);
	rb_text(&rb, o->value);
	rb_text(&rb, o->detail);
	rb_text(&rb, o->packet_sha256);
	if (rb_insert(&rb, "insert observation") != 0)
		return -1;
	st->next_obs_id++;
	return 0;
}

int store_custody(struct store *st, const char *action, const char *args,
		  const char *detail)
{
	char host[256] = "unknown";
	if (gethostname(host, sizeof host - 1) != 0)
		snprintf(host, sizeof host, "unknown");
	struct passwd *pw = getpwuid(geteuid());
	char actor[128];
	snprintf(actor, sizeof actor, "%s (uid %u)", pw ? pw->pw_name : "?",
		 (unsigned)geteuid());
	struct rowbind rb = {st, st->ins_custody, 1};
	store_chain_begin(st, "custody");
	rb_int(&rb, st->next_custody_id);
	rb_int(&rb, (int64_t)store_now_us());
	rb_text(&rb, action);
	rb_text(&rb, actor);
	rb_text(&rb, host);
	rb_text(&rb, ATTRIB_VERSION);
	rb_text(&rb, args);
	rb_text(&rb, detail);
	if (rb_insert(&rb, "write custody") != 0)
		return -1;
	st->next_custody_id++;
	return 0;
}

/*
 * The derived indicators table is rebuilt first, by one sequential scan
 * and a sort (an index on (kind, value) would not cover source and time,
 * and a GROUP BY through it would fetch every row at random); the indexes
 * that later lookups need are built after.
 */
int store_build_indexes(struct store *st)
{
	if (store_txn_commit(st) != 0)
		return -1;
	if (store_exec(st,
		"BEGIN IMMEDIATE;"
		"DELETE FROM indicators;"
		"INSERT INTO indicators SELECT kind, value, count(*),"
		" count(DISTINCT source_id), min(ts_us), max(ts_us)"
		" FROM observations NOT INDEXED GROUP BY kind, value;"
		"COMMIT;"
		"CREATE UNIQUE INDEX IF NOT EXISTS flows_id ON flows(id);"
		"CREATE INDEX IF NOT EXISTS flows_source ON flows(source_id);"
		"CREATE INDEX IF NOT EXISTS flows_proto ON flows(proto);"
		"CREATE INDEX IF NOT EXISTS sources_sha ON sources(sha256);"
		"CREATE INDEX IF NOT EXISTS obs_kind_value ON observations(kind, value);",
		"build indicators and indexes") != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}
