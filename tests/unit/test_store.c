/*
 * test_store.c — the evidence store: sources, flows, checkpoints, the
 * replay of an interrupted source (also when the last frame ended a
 * batch), duplicate lookup, custody, and the derived indicators table
 * (kept in memory across runs, rebuilt when it cannot be).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "analyze/evidence/store.h"

struct fixture {
	char dir[64];
	char db[96];
};

/* A cited packet's SHA-256 (any 64 hex characters will do here). */
#define PACKET_SHA "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	snprintf(fx->dir, sizeof fx->dir, "/tmp/attrib-store-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->db, sizeof fx->db, "%s/case.db", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* Reads one integer with the sqlite3 library directly (an independent view
 * of what the store wrote). */
static long long query(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *q = NULL;
	long long v = -1;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(h);
	return v;
}

static const struct store_source sample_source = {
	.path = "/cases/a.pcap", .size = 1000, .format = "pcap",
	.linktype = 1, .linktype_name = "EN10MB", .tool_version = "t",
	.pcap_version = "p", .ndpi_version = "n",
};

static void make_flow(struct flow *f, uint64_t id, uint64_t frame)
{
	memset(f, 0, sizeof *f);
	f->id = id;
	f->ip_version = 4;
	f->l4_proto = 17;
	f->client[0] = 10;
	f->server[0] = 192;
	f->client_port = 5353;
	f->server_port = 53;
	f->first_frame = f->last_frame = frame;
	f->packets[0] = 1;
}

static struct dpi_result dns_result(void)
{
	struct dpi_result r = {.master_id = 5, .app_id = 5};
	snprintf(r.proto, sizeof r.proto, "DNS");
	snprintf(r.category, sizeof r.category, "Network");
	return r;
}

/* Writes flows at frames 1..n (one per frame), checkpointing after frame
 * stop_commit, and returns without finishing when crash is true. */
static void ingest_frames(const char *db, uint64_t n, uint64_t stop_commit,
			  bool crash, struct store_resume *out)
{
	char err[256];
	struct store *st = store_open(db, err, sizeof err);
	assert_non_null(st);
	assert_int_equal(store_source_begin(st, &sample_source, out), 0);
	struct dpi_result r = dns_result();
	for (uint64_t frame = 1; frame <= n; frame++) {
		store_set_frame(st, frame);
		struct flow f;
		make_flow(&f, out->first_flow_id + frame - 1, frame);
		assert_int_equal(store_flow(st, out->source_id, &f, &r, "idle"), 0);
		store_anomaly(st, ANOM_SNAPLEN_CUT, frame);
		if (frame == stop_commit)
			assert_int_equal(store_checkpoint(st, out->source_id, frame,
							  frame, 1, frame),
					 0);
	}
	if (crash)
		return; /* as kill -9 would: the open batch is never committed */
	assert_int_equal(store_source_finish(st, out->source_id,
					     "abc123", n, 1, n, "complete",
					     NULL),
			 0);
	assert_int_equal(store_close(st, err, sizeof err), 0);
}

static void test_source_complete(void **state)
{
	struct fixture *fx = *state;
	struct store_resume res;
	ingest_frames(fx->db, 10, 5, false, &res);
	assert_false(res.resumed);
	assert_int_equal(query(fx->db, "SELECT count(*) FROM flows"), 10);
	assert_int_equal(query(fx->db, "SELECT packets FROM sources"), 10);
	assert_int_equal(query(fx->db,
			       "SELECT count FROM anomalies WHERE "
			       "name='snaplen_cut'"),
			 10);
	assert_int_equal(query(fx->db,
			       "SELECT count(*) FROM sources WHERE "
			       "status='complete' AND sha256='abc123'"),
			 1);
	assert_int_equal(query(fx->db, "PRAGMA page_size"), 8192);
	char err[256];
	struct store *st = store_open(fx->db, err, sizeof err);
	assert_non_null(st);
	assert_int_equal(store_source_by_sha256(st, "abc123"), res.source_id);
	assert_int_equal(store_source_by_sha256(st, "ffff"), 0);
	assert_int_equal(store_has_source_size(st, 1000), 1);
	assert_int_equal(store_has_source_size(st, 999), 0);
	assert_int_equal(store_close(st, err, sizeof err), 0);
}

/* A crash after the checkpoint at frame 4 keeps flows 1..4; the rerun
 * replays frames 1..4 without writing and completes with no duplicate. */
static void test_resume_after_crash(void **state)
{
	struct fixture *fx = *state;
	struct store_resume first, second;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		ingest_frames(fx->db, 8, 4, true, &first);
		_exit(0); /* no commit of frames 5..8 */
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(query(fx->db, "SELECT count(*) FROM flows"), 4);
	assert_int_equal(query(fx->db, "SELECT committed_frame FROM sources"),
			 4);
	assert_int_equal(query(fx->db,
			       "SELECT count(*) FROM sources WHERE "
			       "status='partial'"),
			 1);
	ingest_frames(fx->db, 8, 6, false, &second);
	assert_true(second.resumed);
	assert_int_equal(second.replay_until, 4);
	assert_int_equal(query(fx->db, "SELECT count(*) FROM sources"), 1);
	assert_int_equal(query(fx->db, "SELECT count(*) FROM flows"), 8);
	assert_int_equal(query(fx->db, "SELECT count(DISTINCT id) FROM flows"),
			 8);
	assert_int_equal(query(fx->db,
			       "SELECT count FROM anomalies WHERE "
			       "name='snaplen_cut'"),
			 8);
}

/* Frames 1..4 with one flow each, a checkpoint after frame `commit_at`
 * (0: none), then the end of the input closes one more flow (still at
 * frame 4); crash before finishing, or finish. */
static void ingest_with_end_flush(const char *db, uint64_t commit_at,
				  bool crash, struct store_resume *out)
{
	char err[256];
	struct store *st = store_open(db, err, sizeof err);
	assert_non_null(st);
	assert_int_equal(store_source_begin(st, &sample_source, out), 0);
	struct dpi_result r = dns_result();
	struct flow f;
	for (uint64_t frame = 1; frame <= 4; frame++) {
		store_set_frame(st, frame);
		make_flow(&f, out->first_flow_id + frame - 1, frame);
		assert_int_equal(store_flow(st, out->source_id, &f, &r, "idle"), 0);
		if (frame == commit_at)
			assert_int_equal(store_checkpoint(st, out->source_id, frame,
							  frame, 1, frame),
					 0);
	}
	make_flow(&f, out->first_flow_id + 4, 4);
	assert_int_equal(store_flow(st, out->source_id, &f, &r, "end_of_input"),
			 0);
	if (crash)
		return;
	assert_int_equal(store_source_finish(st, out->source_id, "abc123", 4, 1,
					     4, "complete", NULL),
			 0);
	assert_int_equal(store_close(st, err, sizeof err), 0);
}

/* The last frame ends a batch: its checkpoint commits frames 1..4, the
 * flow closed at the end of the input is not committed when the run
 * dies. The rerun (whether or not it checkpoints at frame 4 again) must
 * write that flow and only it. */
static void test_resume_after_last_frame_checkpoint(void **state)
{
	struct fixture *fx = *state;
	for (uint64_t again = 0; again <= 4; again += 4) {
		struct store_resume first, second;
		char cmd[160];
		snprintf(cmd, sizeof cmd, "rm -f '%s' '%s-wal' '%s-shm'", fx->db,
			 fx->db, fx->db);
		assert_int_equal(system(cmd), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			ingest_with_end_flush(fx->db, 4, true, &first);
			_exit(0);
		}
		int status = 0;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_int_equal(query(fx->db, "SELECT count(*) FROM flows"), 4);
		ingest_with_end_flush(fx->db, again, false, &second);
		assert_true(second.resumed);
		assert_int_equal(second.replay_until, 4);
		assert_int_equal(query(fx->db, "SELECT count(*) FROM flows"), 5);
		assert_int_equal(query(fx->db,
				       "SELECT count(*) FROM flows WHERE "
				       "close_reason='end_of_input'"),
				 1);
		assert_int_equal(query(fx->db, "SELECT count(*) FROM meta WHERE "
					       "key LIKE 'replay:%'"),
				 0);
	}
}

static void test_flow_ids_per_source(void **state)
{
	struct fixture *fx = *state;
	char err[256];
	struct store *st = store_open(fx->db, err, sizeof err);
	assert_non_null(st);
	struct store_resume a, b;
	assert_int_equal(store_source_begin(st, &sample_source, &a), 0);
	assert_int_equal(store_source_finish(st, a.source_id, "aa", 0, 0, 0,
					     "complete", NULL),
			 0);
	struct store_source other = sample_source;
	other.path = "/cases/b.pcap";
	assert_int_equal(store_source_begin(st, &other, &b), 0);
	assert_true(b.first_flow_id > a.first_flow_id);
	assert_int_equal(store_custody(st, "ingest", "attrib ingest x", "d"), 0);
	assert_int_equal(store_close(st, err, sizeof err), 0);
	assert_int_equal(query(fx->db, "SELECT count(*) FROM custody"), 1);
}

/*
 * A live source grows: its size follows the checkpoints. store_discard()
 * drops the open batch (flows written after the last checkpoint) but,
 * unlike a failed write, lets a custody entry be committed after it; the
 * source stays partial with the size and frame of its last checkpoint.
 */
static void test_discard_and_size(void **state)
{
	struct fixture *fx = *state;
	struct store_resume res;
	char err[256];
	struct store *st = store_open(fx->db, err, sizeof err);
	assert_non_null(st);
	assert_int_equal(store_source_begin(st, &sample_source, &res), 0);
	struct dpi_result r = dns_result();
	for (uint64_t frame = 1; frame <= 6; frame++) {
		store_set_frame(st, frame);
		struct flow f;
		make_flow(&f, res.first_flow_id + frame - 1, frame);
		assert_int_equal(store_flow(st, res.source_id, &f, &r, "idle"), 0);
		if (frame == 3) {
			assert_int_equal(store_source_set_size(st, res.source_id,
							       3000), 0);
			assert_int_equal(store_checkpoint(st, res.source_id, 3,
							  3, 1, 3), 0);
		}
	}
	assert_int_equal(store_source_set_size(st, res.source_id, 6000), 0);
	assert_int_equal(store_discard(st), 0);
	assert_int_equal(store_custody(st, "capture-end", "args", "stopped"), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_close(st, err, sizeof err), 0);
	assert_int_equal(query(fx->db, "SELECT count(*) FROM flows"), 3);
	assert_int_equal(query(fx->db, "SELECT size FROM sources"), 3000);
	assert_int_equal(query(fx->db, "SELECT committed_frame FROM sources"), 3);
	assert_int_equal(query(fx->db, "SELECT count(*) FROM sources WHERE "
				       "status='partial' AND chain_seq IS NULL"), 1);
	/* the chain: 3 flows and the custody entry, numbered 1..4 */
	assert_int_equal(query(fx->db, "SELECT chain_seq FROM custody"), 4);
	assert_int_equal(query(fx->db, "SELECT value FROM meta WHERE "
				       "key='chain_seq'"), 4);
}

/*
 * Two writers on one case (as a capture and `attrib score` or `attrib
 * verify` are): each transaction takes up the chain where the other's
 * commit left it, so the chain stays whole.
 */
static void test_two_writers(void **state)
{
	struct fixture *fx = *state;
	struct store_resume res;
	char err[256];
	struct store *a = store_open(fx->db, err, sizeof err);
	struct store *b = store_open(fx->db, err, sizeof err);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(store_source_begin(a, &sample_source, &res), 0);
	struct dpi_result r = dns_result();
	for (uint64_t frame = 1; frame <= 6; frame++) {
		store_set_frame(a, frame);
		struct flow f;
		make_flow(&f, res.first_flow_id + frame - 1, frame);
		assert_int_equal(store_flow(a, res.source_id, &f, &r, "idle"), 0);
		if (frame % 2 == 0) {
			assert_int_equal(store_checkpoint(a, res.source_id, frame,
							  frame, 1, frame), 0);
			/* the other writer gets in between two batches */
			assert_int_equal(store_custody(b, "verify", "args", "x"), 0);
			assert_int_equal(store_commit(b), 0);
		}
	}
	assert_int_equal(store_source_finish(a, res.source_id, "abc", 6, 1, 6,
					     "complete", NULL), 0);
	assert_int_equal(store_close(a, err, sizeof err), 0);
	assert_int_equal(store_close(b, err, sizeof err), 0);

	struct store *v = store_open(fx->db, err, sizeof err);
	struct store_verify out;
	char head[128];
	assert_non_null(v);
	snprintf(head, sizeof head, "%s.head", fx->db);
	assert_int_equal(store_verify_chain(v, head, &out), 0);
	assert_false(out.tampered);
	assert_int_equal(out.problems, 0);
	/* 6 flows, 3 custody entries, the source: entries 1..10 */
	assert_int_equal(out.entries, 10);
	assert_int_equal(out.head_seq, 10);
	assert_int_equal(store_close(v, err, sizeof err), 0);
}

/* Rows of the indicators table that differ from a GROUP BY over the
 * observations, both ways. */
static long long indicators_off(const char *db)
{
	static const char derived[] =
		"SELECT kind, value, count(*), count(DISTINCT source_id),"
		" min(ts_us), max(ts_us) FROM observations GROUP BY kind, value";
	char sql[512];
	snprintf(sql, sizeof sql,
		 "SELECT (SELECT count(*) FROM (SELECT * FROM indicators EXCEPT "
		 "%s)) + (SELECT count(*) FROM (%s EXCEPT SELECT * FROM "
		 "indicators))",
		 derived, derived);
	return query(db, sql);
}

/* One run over a source of n frames, two observations per frame (values
 * repeat across frames and sources), checkpointing after frame
 * commit_at; crash leaves without finishing, as kill -9 would. */
static void ingest_observations(const char *db, const char *path,
				uint64_t n, uint64_t commit_at, bool crash)
{
	char err[256], value[32];
	struct store *st = store_open(db, err, sizeof err);
	assert_non_null(st);
	struct store_source src = sample_source;
	src.path = path;
	struct store_resume res;
	assert_int_equal(store_source_begin(st, &src, &res), 0);
	for (uint64_t frame = 1; frame <= n; frame++) {
		store_set_frame(st, frame);
		snprintf(value, sizeof value, "h%llu.example",
			 (unsigned long long)(frame % 5));
		struct store_obs o = {
			.kind = "tls.sni", .value = value, .frame = frame,
			.file_offset = 24 + 100 * frame, .caplen = 60,
			.ts_us = 1000 * (frame % 7), .flow_id = res.first_flow_id,
			.packet_sha256 = PACKET_SHA,
		};
		assert_int_equal(store_observation(st, res.source_id, &o), 0);
		o.kind = "ip.src";
		o.value = path;
		assert_int_equal(store_observation(st, res.source_id, &o), 0);
		if (frame == commit_at)
			assert_int_equal(store_checkpoint(st, res.source_id,
							  frame, frame, 0, 0),
					 0);
	}
	if (crash)
		return;
	assert_int_equal(store_source_finish(st, res.source_id, path, n, 0,
					     7000, "complete", NULL),
			 0);
	assert_int_equal(store_build_indexes(st), 0);
	assert_int_equal(store_close(st, err, sizeof err), 0);
}

/* The indicators table equals the GROUP BY over the observations after
 * every run: added to from memory run after run, rebuilt after an
 * interrupted run and for a case whose table state is unknown. */
static void test_indicators(void **state)
{
	struct fixture *fx = *state;
	ingest_observations(fx->db, "/cases/a.pcap", 20, 10, false);
	assert_int_equal(query(fx->db, "SELECT count(*) FROM indicators"), 6);
	assert_int_equal(indicators_off(fx->db), 0);
	ingest_observations(fx->db, "/cases/b.pcap", 30, 0, false);
	assert_int_equal(indicators_off(fx->db), 0);
	assert_int_equal(query(fx->db, "SELECT max(sources) FROM indicators"),
			 2);
	assert_int_equal(query(fx->db, "SELECT value FROM meta WHERE "
				       "key='indicators_obs'"),
			 100);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		ingest_observations(fx->db, "/cases/c.pcap", 12, 6, true);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(query(fx->db, "SELECT count(*) FROM observations"),
			 112);
	ingest_observations(fx->db, "/cases/c.pcap", 12, 0, false);
	assert_int_equal(query(fx->db, "SELECT count(*) FROM observations"),
			 124);
	assert_int_equal(indicators_off(fx->db), 0);

	/* another writer ingests and rebuilds the table between two batches
	 * of this one: this one's counts no longer fit the table */
	char err[256];
	struct store *a = store_open(fx->db, err, sizeof err);
	assert_non_null(a);
	struct store_source src = sample_source;
	src.path = "/cases/e.pcap";
	struct store_resume res;
	assert_int_equal(store_source_begin(a, &src, &res), 0);
	for (uint64_t frame = 1; frame <= 8; frame++) {
		store_set_frame(a, frame);
		struct store_obs o = {
			.kind = "dns.query", .value = frame % 2 ? "x.test" : "y.test",
			.frame = frame, .file_offset = frame, .caplen = 1,
			.ts_us = frame, .flow_id = res.first_flow_id,
			.packet_sha256 = PACKET_SHA,
		};
		assert_int_equal(store_observation(a, res.source_id, &o), 0);
		if (frame == 4) {
			assert_int_equal(store_checkpoint(a, res.source_id, frame,
							  frame, 0, 0), 0);
			ingest_observations(fx->db, "/cases/f.pcap", 5, 0, false);
		}
	}
	assert_int_equal(store_source_finish(a, res.source_id, "ee", 8, 1, 8,
					     "complete", NULL), 0);
	assert_int_equal(store_build_indexes(a), 0);
	assert_int_equal(store_close(a, err, sizeof err), 0);
	assert_int_equal(indicators_off(fx->db), 0);
	assert_int_equal(query(fx->db, "SELECT count FROM indicators WHERE "
				       "value='x.test'"), 4);

	/* a case made before the table was kept in memory */
	sqlite3 *h = NULL;
	assert_int_equal(sqlite3_open(fx->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
				      "DELETE FROM meta WHERE key='indicators_obs';"
				      "DELETE FROM indicators;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(h);
	ingest_observations(fx->db, "/cases/d.pcap", 3, 0, false);
	assert_int_equal(indicators_off(fx->db), 0);
	assert_int_equal(query(fx->db, "SELECT sum(count) FROM indicators"),
			 148);
}

/* Flows and observations go in by multi-row INSERTs: however many rows
 * wait at a checkpoint, all are committed, in order, with their own
 * values (the caller's buffer is reused between rows), and a batch cut
 * short by a crash leaves only what was committed. */
static void test_batched_rows(void **state)
{
	struct fixture *fx = *state;
	for (int crash = 0; crash <= 1; crash++) {
		char err[256], value[32], cmd[160];
		snprintf(cmd, sizeof cmd, "rm -f '%s' '%s-wal' '%s-shm'", fx->db,
			 fx->db, fx->db);
		assert_int_equal(system(cmd), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct store *st = store_open(fx->db, err, sizeof err);
			assert_non_null(st);
			struct store_resume res;
			assert_int_equal(store_source_begin(st, &sample_source,
							    &res), 0);
			struct dpi_result r = dns_result();
			for (uint64_t frame = 1; frame <= 37; frame++) {
				store_set_frame(st, frame);
				struct flow f;
				make_flow(&f, res.first_flow_id + frame - 1, frame);
				assert_int_equal(store_flow(st, res.source_id, &f, &r,
							    "idle"), 0);
				snprintf(value, sizeof value, "v%03llu",
					 (unsigned long long)frame);
				struct store_obs o = {
					.kind = "dns.query", .value = value,
					.frame = frame, .file_offset = frame,
					.caplen = 1, .ts_us = frame,
					.flow_id = f.id, .packet_sha256 = PACKET_SHA,
				};
				assert_int_equal(store_observation(
							 st, res.source_id, &o), 0);
				if (frame == 21)
					assert_int_equal(store_checkpoint(
						st, res.source_id, frame, frame,
						1, frame), 0);
			}
			if (!crash) {
				assert_int_equal(store_source_finish(
					st, res.source_id, "ab", 37, 1, 37,
					"complete", NULL), 0);
				assert_int_equal(store_close(st, err, sizeof err),
						 0);
			}
			_exit(0);
		}
		int status = 0;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		long long n = crash ? 21 : 37;
		assert_int_equal(query(fx->db, "SELECT count(*) FROM flows"), n);
		assert_int_equal(query(fx->db, "SELECT count(*) FROM observations"),
				 n);
		/* rows in order, each with its own value and chain entry */
		assert_int_equal(query(fx->db,
				       "SELECT count(*) FROM observations WHERE "
				       "value = printf('v%03d', id) AND frame = id"),
				 n);
		assert_int_equal(query(fx->db,
				       "SELECT count(*) FROM flows WHERE "
				       "first_frame = rowid"),
				 n);
		assert_int_equal(query(fx->db,
				       "SELECT count(DISTINCT chain_seq) FROM ("
				       "SELECT chain_seq FROM flows UNION ALL "
				       "SELECT chain_seq FROM observations)"),
				 2 * n);
	}
}

static void test_open_errors(void **state)
{
	(void)state;
	char err[256] = "";
	assert_null(store_open("/nonexistent-dir/x/case.db", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent-dir/x/case.db"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_source_complete, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resume_after_crash, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_resume_after_last_frame_checkpoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flow_ids_per_source, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_discard_and_size, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_writers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_indicators, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_batched_rows, setup,
						teardown),
		cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
