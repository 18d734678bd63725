/*
 * store.c — the evidence store (see store.h). The only file that includes
 * sqlite3.h.
 *
 * Durability: WAL journal, synchronous=NORMAL, one open transaction per
 * batch. A batch is committed by store_checkpoint(); a crash loses at most
 * the open batch and leaves the database at the previous commit.
 */
#include "analyze/evidence/store.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>



#include "analyze/evidence/store_internal.h"
#include "analyze/version.h"

static const char schema_sql[] =
#include "schema.inc"
	;

void store_fail(struct store *st, const char *what)
{
	snprintf(st->err, sizeof st->err, "%s: %s: %s", st->path, what,
		 sqlite3_errmsg(st->db));
}

static int exec_sql(struct store *st, const char *sql, const char *what)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(st->err, sizeof st->err, "%s: %s: %s", st->path, what,
			 msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int txn_begin(struct store *st)
{
	if (st->in_txn)
		return 0;
	if (exec_sql(st, "BEGIN IMMEDIATE", "begin transaction") != 0)
		return -1;
	st->in_txn = true;
	return 0;
}

int store_txn_commit(struct store *st)
{
	if (!st->in_txn)
		return 0;
	if (exec_sql(st, "COMMIT", "commit") != 0) {
		char saved[STORE_ERR_LEN];
		memcpy(saved, st->err, sizeof saved);
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		memcpy(st->err, saved, sizeof saved);
		st->in_txn = false;
		return -1;
	}
	st->in_txn = false;
	return 0;
}

static uint64_t now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	struct store *st = calloc(1, sizeof *st);
	if (!st) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	snprintf(st->path, sizeof st->path, "%s", path);
	if (sqlite3_open_v2(path, &st->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open database: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail_db;
	}
	sqlite3_busy_timeout(st->db, 5000);
	if (exec_sql(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			 "PRAGMA cache_size=-8192; PRAGMA foreign_keys=ON;",
		     "configure") != 0 ||
	    exec_sql(st, schema_sql, "create schema") != 0)
		goto fail_msg;
	char sql[160];
	snprintf(sql, sizeof sql,
		 "INSERT OR IGNORE INTO meta VALUES('schema_version','1'),"
		 "('created_us','%" PRIu64 "')", now_us());
	if (exec_sql(st, sql, "write meta") != 0)
		goto fail_msg;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO flows VALUES(?,?,?,?,?,?,?,?,?,?,?,"
			       "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &st->ins_flow, NULL) != SQLITE_OK) {
		store_fail(st, "prepare");
		goto fail_msg;
	}
	return st;

fail_msg:
	snprintf(err, errlen, "%s", st->err);
fail_db:
	sqlite3_close(st->db);
	free(st);
	return NULL;
}

int store_close(struct store *st, char *err, size_t errlen)
{
	if (!st)
		return 0;
	int rc = 0;
	if (store_txn_commit(st) != 0) {
		snprintf(err, errlen, "%s", st->err);
		rc = -1;
	}
	sqlite3_finalize(st->ins_flow);
	if (sqlite3_close(st->db) != SQLITE_OK && rc == 0) {
		snprintf(err, errlen, "%s: close: %s", st->path,
			 sqlite3_errmsg(st->db));
		rc = -1;
	}
	free(st);
	return rc;
}

const char *store_error(const struct store *st)
{
	return st->err;
}

/* Runs a one-row, one-integer query with optional text/int binds. */
static int query_int64(struct store *st, const char *sql, int64_t *out,
		       const char *text, const int64_t *num)
{
	sqlite3_stmt *q = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "query");
		return -1;
	}
	int idx = 1;
	if (text)
		sqlite3_bind_text(q, idx++, text, -1, SQLITE_STATIC);
	if (num)
		sqlite3_bind_int64(q, idx++, *num);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		*out = sqlite3_column_int64(q, 0);
		rc = 1;
	} else if (step == SQLITE_DONE) {
		rc = 0;
	} else {
		store_fail(st, "query");
	}
	sqlite3_finalize(q);
	return rc;
}

int64_t store_source_by_sha256(struct store *st, const char *sha_hex)
{
	int64_t id = 0;
	int rc = query_int64(st,
			     "SELECT id FROM sources WHERE sha256=? AND "
			     "status='complete' ORDER BY id LIMIT 1",
			     &id, sha_hex, NULL);
	return rc < 0 ? -1 : rc == 0 ? 0 : id;
}

int store_has_source_size(struct store *st, uint64_t size)
{
	int64_t n = 0, sz = (int64_t)size;
	int rc = query_int64(st,
			     "SELECT count(*) FROM sources WHERE size=? AND "
			     "status='complete'",
			     &n, NULL, &sz);
	return rc < 0 ? -1 : n > 0;
}

/*
 * Flow ids are source_id * FLOW_ID_STRIDE + n (n = 1, 2, ... within the
 * source), so they are known when a flow is created, identical when an
 * interrupted source is replayed, and never collide across sources.
 */
#define FLOW_ID_STRIDE UINT64_C(1000000000)

static int find_partial(struct store *st, const struct store_source *src,
			struct store_resume *out)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, committed_frame, first_flow_id FROM "
			       "sources WHERE path=? AND size=? AND "
			       "status='partial' ORDER BY id DESC LIMIT 1",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "query");
		return -1;
	}
	sqlite3_bind_text(q, 1, src->path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (int64_t)src->size);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		out->source_id = sqlite3_column_int64(q, 0);
		out->replay_until = (uint64_t)sqlite3_column_int64(q, 1);
		out->first_flow_id = (uint64_t)sqlite3_column_int64(q, 2);
		out->resumed = true;
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		store_fail(st, "query");
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}

int store_source_begin(struct store *st, const struct store_source *src,
		       struct store_resume *out)
{
	memset(out, 0, sizeof *out);
	memset(st->tally, 0, sizeof st->tally);
	if (store_txn_commit(st) != 0 || txn_begin(st) != 0)
		return -1;
	int found = find_partial(st, src, out);
	if (found < 0)
		goto rollback;
	if (found == 0) {
		sqlite3_stmt *q = NULL;
		if (sqlite3_prepare_v2(
			    st->db,
			    "INSERT INTO sources(path,size,format,linktype,"
			    "linktype_name,status,first_flow_id,tool_version,"
			    "pcap_version,ndpi_version,clock_note,ingested_us)"
			    " VALUES(?,?,?,?,?,'partial',?,?,?,?,?,?)",
			    -1, &q, NULL) != SQLITE_OK) {
			store_fail(st, "prepare source");
			goto rollback;
		}
		sqlite3_bind_text(q, 1, src->path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, (int64_t)src->size);
		sqlite3_bind_text(q, 3, src->format, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 4, src->linktype);
		sqlite3_bind_text(q, 5, src->linktype_name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 6, 0);
		sqlite3_bind_text(q, 7, src->tool_version, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 8, src->pcap_version, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 9, src->ndpi_version, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 10,
				  "packet times are the capturing host's clock, "
				  "not independently verified",
				  -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 11, (int64_t)now_us());
		int step = sqlite3_step(q);
		sqlite3_finalize(q);
		if (step != SQLITE_DONE) {
			store_fail(st, "insert source");
			goto rollback;
		}
		out->source_id = sqlite3_last_insert_rowid(st->db);
		out->first_flow_id =
			(uint64_t)out->source_id * FLOW_ID_STRIDE + 1;
		char sql[128];
		snprintf(sql, sizeof sql,
			 "UPDATE sources SET first_flow_id=%" PRIu64
			 " WHERE id=%" PRId64,
			 out->first_flow_id, out->source_id);
		if (exec_sql(st, sql, "insert source") != 0)
			goto rollback;
	}
	st->replay_until = out->replay_until;
	st->frame = 0;
	if (store_txn_commit(st) != 0 || txn_begin(st) != 0)
		return -1;
	return 0;

rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_txn = false;
	return -1;
}

void store_set_frame(struct store *st, uint64_t frame)
{
	st->frame = frame;
}

static bool replaying(const struct store *st)
{
	return st->frame <= st->replay_until && st->replay_until > 0;
}

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
	default: return "";
	}
}

int store_flow(struct store *st, int64_t source_id, const struct flow *f,
	       const struct dpi_result *r, const char *close_reason)
{
	if (replaying(st))
		return 0;
	char client[INET6_ADDRSTRLEN], server[INET6_ADDRSTRLEN];
	addr_text(f->ip_version, f->client, client, sizeof client);
	addr_text(f->ip_version, f->server, server, sizeof server);
	sqlite3_stmt *q = st->ins_flow;
	int i = 1;
	sqlite3_bind_int64(q, i++, (int64_t)f->id);
	sqlite3_bind_int64(q, i++, source_id);
	sqlite3_bind_int(q, i++, f->ip_version);
	sqlite3_bind_int(q, i++, f->l4_proto);
	sqlite3_bind_text(q, i++, client, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, i++, f->client_port);
	sqlite3_bind_text(q, i++, server, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, i++, f->server_port);
	sqlite3_bind_int(q, i++, f->vlan);
	sqlite3_bind_text(q, i++, tunnel_name(f->tunnel_kind), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(q, i++, f->tunnel_id);
	sqlite3_bind_int64(q, i++, (int64_t)f->first_us);
	sqlite3_bind_int64(q, i++, (int64_t)f->last_us);
	sqlite3_bind_int64(q, i++, (int64_t)f->first_frame);
	sqlite3_bind_int64(q, i++, (int64_t)f->last_frame);
	sqlite3_bind_int64(q, i++, (int64_t)f->packets[FLOW_DIR_C2S]);
	sqlite3_bind_int64(q, i++, (int64_t)f->packets[FLOW_DIR_S2C]);
	sqlite3_bind_int64(q, i++, (int64_t)f->bytes[FLOW_DIR_C2S]);
	sqlite3_bind_int64(q, i++, (int64_t)f->bytes[FLOW_DIR_S2C]);
	sqlite3_bind_text(q, i++, r->proto, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, i++, r->master_id);
	sqlite3_bind_int(q, i++, r->app_id);
	sqlite3_bind_text(q, i++, r->category, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, i++, (int64_t)r->risk);
	sqlite3_bind_int(q, i++, r->guessed);
	sqlite3_bind_text(q, i++, close_reason, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	sqlite3_reset(q);
	if (step != SQLITE_DONE) {
		store_fail(st, "insert flow");
		return -1;
	}
	return 0;
}

void store_anomaly(struct store *st, enum anomaly a, uint64_t frame)
{
	if ((unsigned)a >= ANOM_COUNT)
		return;
	struct anomaly_tally *t = &st->tally[a];
	if (t->count++ == 0)
		t->first_frame = frame;
}

static int write_tally(struct store *st, int64_t source_id)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT OR REPLACE INTO anomalies VALUES(?,?,?,?)",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "prepare anomalies");
		return -1;
	}
	int rc = 0;
	for (int a = 0; a < ANOM_COUNT && rc == 0; a++) {
		if (st->tally[a].count == 0)
			continue;
		sqlite3_bind_int64(q, 1, source_id);
		sqlite3_bind_text(q, 2, anomaly_name((enum anomaly)a), -1,
				  SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, (int64_t)st->tally[a].count);
		sqlite3_bind_int64(q, 4, (int64_t)st->tally[a].first_frame);
		if (sqlite3_step(q) != SQLITE_DONE) {
			store_fail(st, "write anomalies");
			rc = -1;
		}
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	return rc;
}

/* Writes the source's progress row inside the open transaction. */
static int write_progress(struct store *st, int64_t source_id, uint64_t frame,
			  uint64_t packets, uint64_t first_us, uint64_t last_us)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "UPDATE sources SET committed_frame="
			       "max(committed_frame,?), packets=max(packets,?),"
			       " first_ts_us=?, last_ts_us=? WHERE id=?",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "prepare progress");
		return -1;
	}
	sqlite3_bind_int64(q, 1, (int64_t)frame);
	sqlite3_bind_int64(q, 2, (int64_t)packets);
	if (packets) {
		sqlite3_bind_int64(q, 3, (int64_t)first_us);
		sqlite3_bind_int64(q, 4, (int64_t)last_us);
	}
	sqlite3_bind_int64(q, 5, source_id);
	int step = sqlite3_step(q);
	sqlite3_finalize(q);
	if (step != SQLITE_DONE) {
		store_fail(st, "write progress");
		return -1;
	}
	return 0;
}

int store_checkpoint(struct store *st, int64_t source_id, uint64_t frame,
		     uint64_t packets, uint64_t first_us, uint64_t last_us)
{
	if (txn_begin(st) != 0 || write_tally(st, source_id) != 0 ||
	    write_progress(st, source_id, frame, packets, first_us, last_us) != 0)
		goto rollback;
	if (store_txn_commit(st) != 0)
		return -1;
	return txn_begin(st);

rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_txn = false;
	return -1;
}

int store_source_finish(struct store *st, int64_t source_id,
			const char *sha_hex, uint64_t packets,
			uint64_t first_us, uint64_t last_us,
			const char *status, const char *error)
{
	uint64_t frame = st->frame;
	if (store_checkpoint(st, source_id, frame, packets, first_us,
			     last_us) != 0)
		return -1;
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "UPDATE sources SET sha256=?, status=?, error=?,"
			       " packets=? WHERE id=?",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "prepare finish");
		return -1;
	}
	if (sha_hex)
		sqlite3_bind_text(q, 1, sha_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, status, -1, SQLITE_STATIC);
	if (error)
		sqlite3_bind_text(q, 3, error, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, (int64_t)packets);
	sqlite3_bind_int64(q, 5, source_id);
	int step = sqlite3_step(q);
	sqlite3_finalize(q);
	if (step != SQLITE_DONE) {
		store_fail(st, "finish source");
		return -1;
	}
	st->replay_until = 0;
	return store_txn_commit(st);
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
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO custody(ts_us,action,actor,host,"
			       "tool_version,arguments,detail) "
			       "VALUES(?,?,?,?,?,?,?)",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "prepare custody");
		return -1;
	}
	sqlite3_bind_int64(q, 1, (int64_t)now_us());
	sqlite3_bind_text(q, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 4, host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 5, ATTRIB_VERSION, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, args, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, detail, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	sqlite3_finalize(q);
	if (step != SQLITE_DONE) {
		store_fail(st, "write custody");
		return -1;
	}
	return 0;
}

int store_build_indexes(struct store *st)
{
	if (store_txn_commit(st) != 0)
		return -1;
	return exec_sql(st,
			"CREATE INDEX IF NOT EXISTS flows_source ON flows(source_id);"
			"CREATE INDEX IF NOT EXISTS flows_proto ON flows(proto);"
			"CREATE INDEX IF NOT EXISTS sources_sha ON sources(sha256);",
			"build indexes");
}

