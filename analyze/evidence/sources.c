/*
 * sources.c — capture-file sources in the evidence store: duplicate
 * lookup, starting or resuming a source, batch checkpoints, anomaly
 * counts, and finishing (which chains the source and its anomaly counts).
 */
#include "analyze/evidence/store_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "analyze/vocab/reproducible.h"
#include "analyze/vocab/version.h"

/*
 * Flow ids are source_id * FLOW_ID_STRIDE + n (n = 1, 2, ... within the
 * source), so they are known when a flow is created, identical when an
 * interrupted source is replayed, and never collide across sources.
 */
#define FLOW_ID_STRIDE UINT64_C(1000000000)

uint64_t store_now_us(void)
{
	uint64_t epoch;
	if (attrib_source_date_epoch(&epoch))
		return epoch * 1000000u; /* SOURCE_DATE_EPOCH */
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
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
 * The replay mark of a source: meta key "replay:ID" holds "FRAME RECORDS",
 * the frame of the source's last checkpoint and how many flows and
 * observations that frame had produced when it was committed. Records a
 * frame produces after its checkpoint (the flows closed at the end of the
 * input, when the last frame ends a batch) are then told apart from the
 * committed ones on replay. Not evidence: removed when the source is
 * finished.
 */
static uint64_t replay_records(struct store *st, int64_t source_id,
			       uint64_t committed_frame)
{
	sqlite3_stmt *q = NULL;
	uint64_t n = UINT64_MAX; /* no mark: skip the whole frame */
	char key[48];
	snprintf(key, sizeof key, "replay:%" PRId64, source_id);
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key=?", -1,
			       &q, NULL) != SQLITE_OK)
		return n;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
	unsigned long long frame, records;
	if (sqlite3_step(q) == SQLITE_ROW &&
	    sscanf((const char *)sqlite3_column_text(q, 0), "%llu %llu", &frame,
		   &records) == 2 &&
	    frame == committed_frame)
		n = records;
	sqlite3_finalize(q);
	return n;
}

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
		st->replay_records = replay_records(st, out->source_id,
						    out->replay_until);
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
	memset(st->unplaced, 0, sizeof st->unplaced);
	st->replay_records = 0;
	if (store_txn_commit(st) != 0 || store_txn_begin(st) != 0)
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
		sqlite3_bind_int64(q, 11, (int64_t)store_now_us());
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
		if (store_exec(st, sql, "insert source") != 0)
			goto rollback;
	}
	st->replay_until = out->replay_until;
	st->frame = 0;
	st->frame_records = 0;
	/* the next write opens the next transaction */
	return store_txn_commit(st);

rollback:
	store_txn_rollback(st);
	return -1;
}


void store_anomaly(struct store *st, enum anomaly a, uint64_t frame)
{
	if ((unsigned)a >= ANOM_COUNT)
		return;
	struct anomaly_tally *t = &st->tally[a];
	if (t->count++ == 0)
		t->first_frame = frame;
}

void store_anomaly_count(struct store *st, enum anomaly a, uint64_t count,
			 uint64_t first_frame)
{
	if ((unsigned)a >= ANOM_COUNT || count == 0)
		return;
	struct anomaly_tally *t = &st->tally[a];
	if (t->count == 0 || first_frame < t->first_frame)
		t->first_frame = first_frame;
	t->count += count;
}

void store_unplaced(struct store *st, enum anomaly reason, uint64_t frame)
{
	if ((unsigned)reason >= ANOM_COUNT)
		return;
	struct anomaly_tally *t = &st->unplaced[reason];
	if (t->count++ == 0)
		t->first_frame = frame;
}

void store_unplaced_count(struct store *st, enum anomaly reason,
			  uint64_t count, uint64_t first_frame)
{
	if ((unsigned)reason >= ANOM_COUNT || count == 0)
		return;
	struct anomaly_tally *t = &st->unplaced[reason];
	if (t->count == 0 || first_frame < t->first_frame)
		t->first_frame = first_frame;
	t->count += count;
}

/* Writes the tallies in one array as rows named prefix + anomaly name. */
static int write_tally_rows(struct store *st, sqlite3_stmt *q,
			    int64_t source_id,
			    const struct anomaly_tally *tally,
			    const char *prefix)
{
	char name[96];
	for (int a = 0; a < ANOM_COUNT; a++) {
		if (tally[a].count == 0)
			continue;
		snprintf(name, sizeof name, "%s%s", prefix,
			 anomaly_name((enum anomaly)a));
		sqlite3_bind_int64(q, 1, source_id);
		sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q, 3, (int64_t)tally[a].count);
		sqlite3_bind_int64(q, 4, (int64_t)tally[a].first_frame);
		int step = sqlite3_step(q);
		sqlite3_reset(q);
		if (step != SQLITE_DONE) {
			store_fail(st, "write anomalies");
			return -1;
		}
	}
	return 0;
}

static int write_tally(struct store *st, int64_t source_id)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT OR REPLACE INTO anomalies(source_id,name,count,"
			       "first_frame) VALUES(?,?,?,?)",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "prepare anomalies");
		return -1;
	}
	int rc = write_tally_rows(st, q, source_id, st->tally, "");
	if (rc == 0)
		rc = write_tally_rows(st, q, source_id, st->unplaced,
				      STORE_UNPLACED_PREFIX);
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
	if (frame != st->frame || frame < st->replay_until)
		return 0; /* the mark of the committed frame stays */
	char sql[160];
	snprintf(sql, sizeof sql,
		 "INSERT OR REPLACE INTO meta VALUES('replay:%" PRId64 "','%" PRIu64
		 " %" PRIu64 "')",
		 source_id, frame, st->frame_records);
	return store_exec(st, sql, "write progress");
}

int store_source_set_size(struct store *st, int64_t source_id,
			  uint64_t size)
{
	sqlite3_stmt *q = NULL;
	if (store_txn_begin(st) != 0)
		return -1;
	if (sqlite3_prepare_v2(st->db,
			       "UPDATE sources SET size=? WHERE id=? AND "
			       "chain_seq IS NULL",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "prepare source size");
		goto rollback;
	}
	sqlite3_bind_int64(q, 1, (int64_t)size);
	sqlite3_bind_int64(q, 2, source_id);
	int step = sqlite3_step(q);
	sqlite3_finalize(q);
	if (step != SQLITE_DONE) {
		store_fail(st, "write source size");
		goto rollback;
	}
	return 0;

rollback:
	store_txn_rollback(st);
	return -1;
}

int store_checkpoint(struct store *st, int64_t source_id, uint64_t frame,
		     uint64_t packets, uint64_t first_us, uint64_t last_us)
{
	if (store_txn_begin(st) != 0 || write_tally(st, source_id) != 0 ||
	    write_progress(st, source_id, frame, packets, first_us, last_us) != 0)
		goto rollback;
	/* the next write opens the next transaction: until then other
	 * processes can write to the case */
	return store_txn_commit(st);

rollback:
	store_txn_rollback(st);
	return -1;
}

/* Chains the source's anomaly counts and then the source row itself: both
 * are final once the source is finished. */
static int chain_source(struct store *st, int64_t source_id)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT rowid FROM anomalies WHERE source_id=? "
			       "AND chain_seq IS NULL ORDER BY name",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "chain anomalies");
		return -1;
	}
	sqlite3_bind_int64(q, 1, source_id);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)
		rc = store_chain_row(st, "anomalies", "anomaly",
				     sqlite3_column_int64(q, 0));
	sqlite3_finalize(q);
	if (rc != 0)
		return -1;
	return store_chain_row(st, "sources", "source", source_id);
}

int store_source_finish(struct store *st, int64_t source_id,
			const char *sha_hex, uint64_t packets,
			uint64_t first_us, uint64_t last_us,
			const char *status, const char *error)
{
	/* One transaction: the flows closed at the end of the input, the
	 * anomaly counts, the finished source row and its chain entries are
	 * committed together or not at all. */
	if (store_txn_begin(st) != 0 || write_tally(st, source_id) != 0 ||
	    write_progress(st, source_id, st->frame, packets, first_us,
			   last_us) != 0)
		goto rollback;
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "UPDATE sources SET sha256=?, status=?, error=?,"
			       " packets=? WHERE id=?",
			       -1, &q, NULL) != SQLITE_OK) {
		store_fail(st, "prepare finish");
		goto rollback;
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
		goto rollback;
	}
	char sql[96];
	snprintf(sql, sizeof sql, "DELETE FROM meta WHERE key='replay:%" PRId64 "'",
		 source_id);
	if (store_exec(st, sql, "finish source") != 0 ||
	    chain_source(st, source_id) != 0)
		goto rollback;
	if (store_txn_commit(st) != 0)
		return -1;
	st->replay_until = 0;
	return 0;

rollback:
	store_txn_rollback(st);
	return -1;
}
