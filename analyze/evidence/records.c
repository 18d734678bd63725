/*
 * records.c — evidence records written during ingest: flows, observations
 * and custody entries, each chained as it is written (flows and
 * observations reach SQLite by multi-row INSERTs, row_batch.c, before the
 * transaction commits); the derived indicators table and the indexes
 * built after bulk load.
 */
#include "analyze/evidence/store_internal.h"

#include <arpa/inet.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "analyze/crypto/digest.h"
#include "analyze/flow/community_id.h"
#include "analyze/parse/text.h"
#include "analyze/vocab/version.h"

static void addr_text(int version, const uint8_t *addr, char *out, size_t n)
{
	if (text_ip_address(version == 6 ? 6 : 4, addr, out, n) == 0)
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
	if (rb->b)
		row_batch_int(rb->b, v);
	else
		sqlite3_bind_int64(rb->q, rb->idx++, v);
	chain_enc_int(&rb->st->enc, v);
}

void rb_text(struct rowbind *rb, const char *s)
{
	if (!s) {
		if (rb->b)
			row_batch_null(rb->b);
		else
			sqlite3_bind_null(rb->q, rb->idx++);
		chain_enc_null(&rb->st->enc);
		return;
	}
	size_t n = strlen(s);
	if (rb->b)
		row_batch_text(rb->b, s, n);
	else
		sqlite3_bind_text(rb->q, rb->idx++, s, (int)n, SQLITE_STATIC);
	chain_enc_text(&rb->st->enc, s, n);
}

void rb_real(struct rowbind *rb, double v)
{
	if (rb->b)
		row_batch_real(rb->b, v);
	else
		sqlite3_bind_double(rb->q, rb->idx++, v);
	chain_enc_real(&rb->st->enc, v);
}

int rb_insert(struct rowbind *rb, const char *what)
{
	struct store *st = rb->st;
	bool raw = st->layout == STORE_LAYOUT_NEW;
	if (store_txn_begin(st) != 0 || store_chain_end(st) != 0)
		goto fail;
	if (rb->b) {
		row_batch_int(rb->b, (int64_t)st->chain_seq);
		if (raw)
			row_batch_blob(rb->b, st->chain_head_raw,
				       sizeof st->chain_head_raw);
		else
			row_batch_text(rb->b, st->chain_head, CHAIN_HEX_LEN);
		/* observation rows refer to packet rows: those go first */
		if (row_batch_end_row(rb->b) &&
		    ((rb->b == &st->obs &&
		      store_flush_batch(st, &st->packets, "insert packet") != 0) ||
		     store_flush_batch(st, rb->b, what) != 0))
			goto fail;
		return 0;
	}
	sqlite3_bind_int64(rb->q, rb->idx, (int64_t)st->chain_seq);
	/* chain_head stays as it is until the next entry: no copy needed */
	if (raw)
		sqlite3_bind_blob(rb->q, rb->idx + 1, st->chain_head_raw,
				  sizeof st->chain_head_raw, SQLITE_STATIC);
	else
		sqlite3_bind_text(rb->q, rb->idx + 1, st->chain_head,
				  CHAIN_HEX_LEN, SQLITE_STATIC);
	int step = sqlite3_step(rb->q);
	sqlite3_reset(rb->q);
	if (step == SQLITE_DONE)
		return 0;
	store_fail(st, what);
fail:
	store_txn_rollback(st);
	return -1;
}

int store_flow(struct store *st, int64_t source_id, const struct flow *f,
	       const struct dpi_result *r, const char *close_reason)
{
#ifdef ATTRIB_BENCH_NO_STORE
	return 0; /* benchmark-only build (make bench): no evidence rows */
#endif
	if (store_replaying(st))
		return 0;
	char client[INET6_ADDRSTRLEN], server[INET6_ADDRSTRLEN];
	addr_text(f->ip_version, f->client, client, sizeof client);
	addr_text(f->ip_version, f->server, server, sizeof server);
	struct rowbind rb = {st, NULL, 0, &st->flows};
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
	if (st->flows_community_id) {
		char cid[COMMUNITY_ID_SIZE];
		rb_text(&rb, community_id_of_flow(f, cid) ? cid : NULL);
	}
	return rb_insert(&rb, "insert flow");
}

int store_observation(struct store *st, int64_t source_id,
		      const struct store_obs *o)
{
#ifdef ATTRIB_BENCH_NO_STORE
	return 0; /* benchmark-only build (make bench): no evidence rows */
#endif
	if (store_replaying(st))
		return 0;
	struct rowbind rb = {st, NULL, 0, &st->obs};
	int64_t value = 0;
	if (st->layout == STORE_LAYOUT_NEW) {
		/* the packet, the value and the detail, each written once,
		 * then the observation that refers to them; its chain entry
		 * holds the observation whole, as the view observations gives
		 * it (the same values as a row of the older table) */
		int64_t packet = obs_packet_id(st, source_id, o);
		value = packet < 0 ? -1 : obs_value_id(st, o->kind, o->value);
		int64_t detail = value < 0 ? -1 : obs_detail_id(st, o->detail);
		if (detail < 0)
			return -1;
		/* as the view gives it: lower-case hex of the bytes stored */
		char hex[CHAIN_HEX_LEN + 1];
		uint8_t raw[CHAIN_HEX_LEN / 2];
		if (o->packet_sha256_raw)
			memcpy(raw, o->packet_sha256_raw, sizeof raw);
		else if (!o->packet_sha256 ||
			 !chain_hex_to_raw(o->packet_sha256, raw)) {
			snprintf(st->err, sizeof st->err, "%s: insert "
				 "observation: the packet's SHA-256 is not 64 "
				 "hex characters", st->path);
			store_txn_rollback(st);
			return -1;
		}
		digest_raw_to_hex(raw, sizeof raw, hex);
		struct chain_enc *e = &st->enc;
		struct row_batch *b = &st->obs;
		store_chain_begin(st, "observation");
		chain_enc_int(e, st->next_obs_id);
		chain_enc_int(e, source_id);
		chain_enc_int(e, (int64_t)o->frame);
		chain_enc_int(e, (int64_t)o->file_offset);
		chain_enc_int(e, o->caplen);
		chain_enc_int(e, (int64_t)o->ts_us);
		chain_enc_int(e, (int64_t)o->flow_id);
		chain_enc_text(e, o->kind, strlen(o->kind));
		chain_enc_text(e, o->value, strlen(o->value));
		if (o->detail)
			chain_enc_text(e, o->detail, strlen(o->detail));
		else
			chain_enc_null(e);
		chain_enc_text(e, hex, CHAIN_HEX_LEN);
		row_batch_int(b, st->next_obs_id);
		row_batch_int(b, packet);
		row_batch_int(b, (int64_t)o->flow_id);
		row_batch_int(b, value);
		if (detail)
			row_batch_int(b, detail);
		else
			row_batch_null(b);
	} else {
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
		char hex[CHAIN_HEX_LEN + 1];
		if (!o->packet_sha256 && o->packet_sha256_raw)
			digest_raw_to_hex(o->packet_sha256_raw, CHAIN_HEX_LEN / 2,
					  hex);
		rb_text(&rb, o->packet_sha256 ? o->packet_sha256
			: o->packet_sha256_raw ? hex : NULL);
	}
	if (rb_insert(&rb, "insert observation") != 0)
		return -1;
	st->next_obs_id++;
	/* the counts keep the value's row id: obs_value_id() finds it there */
	indicator_counts_add_id(st->counts, o->kind, o->value, source_id,
				(int64_t)o->ts_us, value);
	st->indicators_counted++;
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
	struct rowbind rb = {st, st->ins_custody, 1, NULL};
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

static int upsert_indicator(void *ctx, const struct indicator_count *e)
{
	sqlite3_stmt *q = ctx;
	sqlite3_bind_text(q, 1, e->kind, (int)e->kind_len, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, e->value, (int)e->value_len, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, e->count);
	sqlite3_bind_int64(q, 4, e->sources);
	sqlite3_bind_int64(q, 5, e->first_us);
	sqlite3_bind_int64(q, 6, e->last_us);
	int step = sqlite3_step(q);
	sqlite3_reset(q);
	return step == SQLITE_DONE ? 0 : -1;
}

/*
 * True when the counts kept in memory are exactly what the indicators
 * table lacks: the table still counts the observations up to the one it
 * counted when this store started (no other process rebuilt it since),
 * and every observation after that one is one this store counted (no
 * other process wrote any). Called with the write transaction open.
 */
static bool counts_complete(struct store *st)
{
	sqlite3_stmt *q = NULL;
	bool ok = false;
	char sql[192];
	snprintf(sql, sizeof sql,
		 "SELECT (SELECT coalesce(CAST(value AS INTEGER), 0) FROM meta"
		 " WHERE key='indicators_obs'), (SELECT count(*) FROM %s"
		 " WHERE id>?)", store_obs_table(st));
	if (indicator_counts_overflowed(st->counts) ||
	    sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int64(q, 1, st->indicators_base);
	if (sqlite3_step(q) == SQLITE_ROW)
		ok = sqlite3_column_int64(q, 0) == st->indicators_base &&
		     sqlite3_column_int64(q, 1) == st->indicators_counted;
	sqlite3_finalize(q);
	return ok;
}

/*
 * Adds the counts kept in memory to the indicators table, in key order
 * (so the table's B-tree is appended to, not written at random). The
 * sources counted in memory are new to the table: a source whose earlier
 * observations the table may hold is one resumed after an interrupted
 * run, and such a run leaves the table behind (indicators_obs), so the
 * counts of the next one are not used.
 */
static int merge_counts(struct store *st)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(
		    st->db,
		    "INSERT INTO indicators VALUES(?,?,?,?,?,?)"
		    " ON CONFLICT(kind, value) DO UPDATE SET"
		    " count=count+excluded.count,"
		    " sources=sources+excluded.sources,"
		    " first_ts_us=min(first_ts_us, excluded.first_ts_us),"
		    " last_ts_us=max(last_ts_us, excluded.last_ts_us)",
		    -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "prepare indicators");
		return -1;
	}
	int rc = indicator_counts_each(st->counts, upsert_indicator, q);
	if (rc != 0)
		store_fail(st, "write indicators");
	sqlite3_finalize(q);
	return rc;
}

/*
 * The derived indicators table: when the counts kept in memory cover
 * every observation the table does not (meta 'indicators_obs' names the
 * last one it does), they are added to it; otherwise (an older case, a
 * run after an interrupted one, another process writing to the case,
 * counts over their memory budget) it is rebuilt by one sequential scan
 * and a sort (an index on (kind, value) would not cover source and time,
 * and a GROUP BY through it would fetch every row at random). Then the
 * indexes that later lookups need are built.
 */
int store_build_indexes(struct store *st)
{
	if (store_txn_commit(st) != 0 || store_txn_begin(st) != 0)
		return -1;
	int rc;
	bool new_layout = st->layout == STORE_LAYOUT_NEW;
	if (!counts_complete(st))
		rc = store_exec(st, new_layout ?
				"DELETE FROM indicators;"
				"INSERT INTO indicators SELECT v.kind, v.value,"
				" t.n, t.sources, t.first, t.last FROM"
				" (SELECT o.value_id AS id, count(*) AS n,"
				"  count(DISTINCT p.source_id) AS sources,"
				"  min(p.ts_us) AS first, max(p.ts_us) AS last"
				"  FROM observation_rows o NOT INDEXED JOIN"
				"  packets p ON p.id=o.packet_id"
				"  GROUP BY o.value_id) t"
				" JOIN indicator_values v ON v.id=t.id"
				" ORDER BY v.kind, v.value;" :
				"DELETE FROM indicators;"
				"INSERT INTO indicators SELECT kind, value,"
				" count(*), count(DISTINCT source_id),"
				" min(ts_us), max(ts_us)"
				" FROM observations NOT INDEXED"
				" GROUP BY kind, value;",
				"build indicators");
	else
		rc = merge_counts(st);
	char sql[128];
	snprintf(sql, sizeof sql,
		 "INSERT OR REPLACE INTO meta VALUES('indicators_obs','%lld')",
		 (long long)(st->next_obs_id - 1));
	if (rc != 0 || store_exec(st, sql, "build indicators") != 0) {
		store_txn_rollback(st);
		return -1;
	}
	if (store_txn_commit(st) != 0)
		return -1;
	indicator_counts_clear(st->counts);
	st->indicators_base = st->next_obs_id - 1;
	st->indicators_counted = 0;
	/* in turn with other writers (store_lock), as they may be
	 * committing large batches */
	store_lock(st, LOCK_EX);
	if (store_exec(st,
		"CREATE UNIQUE INDEX IF NOT EXISTS flows_id ON flows(id);"
		"CREATE INDEX IF NOT EXISTS flows_source ON flows(source_id);"
		"CREATE INDEX IF NOT EXISTS flows_proto ON flows(proto);"
		"CREATE INDEX IF NOT EXISTS sources_sha ON sources(sha256);",
		"build indexes") != 0 ||
	    store_exec(st, new_layout ?
		"CREATE INDEX IF NOT EXISTS observation_rows_value ON"
		" observation_rows(value_id);"
		"CREATE UNIQUE INDEX IF NOT EXISTS packets_at ON"
		" packets(source_id, file_offset);"
		"CREATE UNIQUE INDEX IF NOT EXISTS indicator_values_kv ON"
		" indicator_values(kind, value);"
		"CREATE UNIQUE INDEX IF NOT EXISTS details_text ON"
		" details(text);" :
		"CREATE INDEX IF NOT EXISTS obs_kind_value ON observations(kind, value);",
		"build indexes") != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		store_lock(st, LOCK_UN);
		return -1;
	}
	store_lock(st, LOCK_UN);
	return 0;
}
