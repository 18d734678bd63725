/*
 * test_merge.c — store_merge_case() (analyze/evidence/merge.h) on shard
 * cases written through the store's own API: the merged chain verifies,
 * ids are renumbered while citations stay, a source in two shards is kept
 * once with both custody lines, a shard merged again changes nothing, a
 * shard whose head is not the one verified is refused, and every merge
 * is recorded (store_each_merged_shard).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "analyze/evidence/merge.h"
#include "analyze/evidence/store.h"

struct fixture {
	char dir[64];
	char path[4][96]; /* shard a, shard b, merged, scratch */
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	snprintf(fx->dir, sizeof fx->dir, "/tmp/attrib-merge-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	static const char *const names[] = {"a.db", "b.db", "out.db", "x.db"};
	char dir[sizeof fx->dir];
	memcpy(dir, fx->dir, sizeof dir);
	for (int i = 0; i < 4; i++)
		snprintf(fx->path[i], sizeof fx->path[i], "%s/%s", dir,
			 names[i]);
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

/* One capture file of a shard: its SHA-256 stand-in and size. */
struct file {
	const char *sha, *path;
	uint64_t size;
	unsigned flows;
};

/* Ingests files into the case at db through the store's API: per file
 * flows with one observation each, an anomaly, a custody line. */
static void make_shard(const char *db, const struct file *files, size_t n,
		       const char *host_note)
{
	char err[256];
	struct store *st = store_open(db, err, sizeof err);
	assert_non_null(st);
	for (size_t i = 0; i < n; i++) {
		struct store_source src = {
			.path = files[i].path, .size = files[i].size,
			.format = "pcap", .linktype = 1,
			.linktype_name = "EN10MB", .tool_version = "t",
			.pcap_version = "p", .ndpi_version = "n",
		};
		struct store_resume res;
		assert_int_equal(store_source_begin(st, &src, &res), 0);
		struct dpi_result r = {.master_id = 7, .app_id = 7};
		snprintf(r.proto, sizeof r.proto, "HTTP");
		snprintf(r.category, sizeof r.category, "Web");
		for (unsigned k = 0; k < files[i].flows; k++) {
			uint64_t frame = k + 1;
			struct flow f;
			memset(&f, 0, sizeof f);
			f.id = res.first_flow_id + k;
			f.ip_version = 4;
			f.l4_proto = 6;
			f.client[0] = 10;
			f.client[3] = (uint8_t)(i + 1);
			f.server[0] = 203;
			f.server[3] = (uint8_t)k;
			f.client_port = (uint16_t)(40000 + k);
			f.server_port = 80;
			f.first_frame = f.last_frame = frame;
			f.first_us = f.last_us = 1000000 * frame;
			f.packets[0] = 1;
			store_set_frame(st, frame);
			char value[32], sha[65];
			snprintf(value, sizeof value, "host%u.example", k);
			/* the packet's SHA-256: the file's letter, 64 times */
			memset(sha, files[i].sha[0], 64);
			sha[64] = '\0';
			struct store_obs o = {
				.kind = "http.host", .value = value,
				.frame = frame, .file_offset = 24 + 100 * k,
				.ts_us = f.first_us, .flow_id = f.id,
				.caplen = 60, .packet_sha256 = sha,
			};
			assert_int_equal(store_observation(st, res.source_id, &o),
					 0);
			assert_int_equal(store_flow(st, res.source_id, &f, &r,
						    "idle"), 0);
			store_anomaly(st, ANOM_SNAPLEN_CUT, frame);
		}
		assert_int_equal(store_custody(st, "ingest", host_note,
					       files[i].sha), 0);
		assert_int_equal(store_source_finish(st, res.source_id,
						     files[i].sha,
						     files[i].flows, 1,
						     files[i].flows,
						     "complete", NULL), 0);
	}
	assert_int_equal(store_build_indexes(st), 0);
	assert_int_equal(store_close(st, err, sizeof err), 0);
}

/* The head of the case at db, verified against its head file. */
static void verified_head(const char *db, uint64_t *seq, char hash[65])
{
	char err[256], head[128];
	struct store *st = store_open(db, err, sizeof err);
	assert_non_null(st);
	snprintf(head, sizeof head, "%s.head", db);
	struct store_verify v;
	assert_int_equal(store_verify_chain(st, head, &v), 0);
	assert_false(v.tampered);
	assert_true(v.external_checked);
	*seq = v.head_seq;
	memcpy(hash, v.head_hash, 65);
	assert_int_equal(store_close(st, err, sizeof err), 0);
}

static int merge(const char *out, const char *shard,
		 struct store_merge_stats *s)
{
	char err[256], hash[65];
	uint64_t seq;
	verified_head(shard, &seq, hash);
	struct store *st = store_open(out, err, sizeof err);
	assert_non_null(st);
	int rc = store_merge_case(st, shard, seq, hash, "attrib merge test", s);
	assert_int_equal(store_close(st, err, sizeof err), 0);
	return rc;
}

static const struct file shard_a[] = {
	{"aa", "/cap/a.pcap", 100, 3},
	{"cc", "/cap/c.pcap", 300, 2},
};
static const struct file shard_b[] = {
	{"bb", "/cap/b.pcap", 200, 4},
	{"cc", "/cap/c.pcap", 300, 2},
};

static void test_merge_two_shards(void **state)
{
	struct fixture *fx = *state;
	make_shard(fx->path[0], shard_a, 2, "host-a");
	make_shard(fx->path[1], shard_b, 2, "host-b");
	struct store_merge_stats s;
	assert_int_equal(merge(fx->path[2], fx->path[0], &s), 0);
	assert_int_equal(s.sources_new, 2);
	assert_int_equal(s.flows, 5);
	assert_int_equal(merge(fx->path[2], fx->path[1], &s), 0);
	assert_int_equal(s.sources_new, 1);
	assert_int_equal(s.sources_held, 1);
	assert_int_equal(s.flows, 4);
	assert_int_equal(s.observations, 4);

	const char *out = fx->path[2];
	static const struct {
		const char *sql;
		long long want;
	} expect[] = {
		{"SELECT count(*) FROM sources", 3},
		{"SELECT count(*) FROM sources WHERE sha256='cc'", 1},
		{"SELECT count(*) FROM flows", 9},
		{"SELECT count(*) FROM observations", 9},
		{"SELECT count(*) FROM anomalies", 3},
		/* both shards' ingest lines for cc */
		{"SELECT count(*) FROM custody WHERE action='ingest' AND"
		 " detail='cc'", 2},
		{"SELECT count(*) FROM custody WHERE action='merge'", 2},
		/* flow ids follow their new source id */
		{"SELECT count(*) FROM flows WHERE id/1000000000 != source_id", 0},
		{"SELECT count(*) FROM observations o JOIN flows f ON"
		 " f.id=o.flow_id WHERE f.source_id != o.source_id", 0},
		/* citations unchanged: bb's packets at their offsets */
		{"SELECT count(*) FROM observations o JOIN sources s ON"
		 " s.id=o.source_id WHERE s.sha256='bb' AND"
		 " o.file_offset=24+100*(o.frame-1) AND o.packet_sha256=replace(hex(zeroblob(32)),'00','bb')", 4},
		{"SELECT count(DISTINCT chain_seq) FROM (SELECT chain_seq FROM"
		 " sources UNION ALL SELECT chain_seq FROM flows UNION ALL"
		 " SELECT chain_seq FROM observations UNION ALL SELECT"
		 " chain_seq FROM custody UNION ALL SELECT chain_seq FROM"
		 " anomalies)", 3 + 9 + 9 + 6 + 3},
	};
	for (size_t i = 0; i < sizeof expect / sizeof *expect; i++) {
		long long got = query(out, expect[i].sql);
		if (got != expect[i].want)
			fail_msg("%s: %lld, expected %lld", expect[i].sql, got,
				 expect[i].want);
	}
	uint64_t seq;
	char hash[65];
	verified_head(out, &seq, hash); /* the merged chain verifies */
	/* one packet row per cited packet, one value row per distinct
	 * (kind, value), host0 to host3: no chain entries of their own */
	assert_int_equal(query(out, "SELECT count(*) FROM packets"), 9);
	assert_int_equal(query(out, "SELECT count(*) FROM indicator_values"),
			 4);
	assert_int_equal(seq, 3 + 9 + 9 + 6 + 3);
}

static int count_shard(void *ctx, const struct store_shard_record *r)
{
	int *n = ctx;
	assert_true(r->head_seq > 0);
	assert_int_equal(strlen(r->head_hash), 64);
	assert_non_null(strstr(r->path, (*n)++ == 0 ? "a.db" : "b.db"));
	return 0;
}

static void test_merge_again_and_refusals(void **state)
{
	struct fixture *fx = *state;
	make_shard(fx->path[0], shard_a, 2, "host-a");
	make_shard(fx->path[1], shard_b, 1, "host-b");
	struct store_merge_stats s;
	assert_int_equal(merge(fx->path[2], fx->path[0], &s), 0);
	assert_int_equal(merge(fx->path[2], fx->path[1], &s), 0);
	uint64_t seq, again;
	char hash[65], hash2[65];
	verified_head(fx->path[2], &seq, hash);
	assert_int_equal(merge(fx->path[2], fx->path[0], &s), 0);
	assert_true(s.already);
	verified_head(fx->path[2], &again, hash2);
	assert_int_equal(again, seq); /* nothing written */
	assert_string_equal(hash2, hash);

	char err[256];
	struct store *st = store_open(fx->path[2], err, sizeof err);
	assert_non_null(st);
	/* a head that is not the shard's: changed since it was verified */
	assert_int_equal(store_merge_case(st, fx->path[1], 1, hash, "x", &s),
			 1);
	assert_non_null(strstr(store_error(st), "changed since"));
	int n = 0;
	assert_int_equal(store_each_merged_shard(st, count_shard, &n), 0);
	assert_int_equal(n, 2);
	/* the case is still usable after a refusal */
	assert_int_equal(store_custody(st, "note", "x", "y"), 0);
	assert_int_equal(store_close(st, err, sizeof err), 0);
	verified_head(fx->path[2], &again, hash2);
	assert_int_equal(again, seq + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_merge_two_shards, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_merge_again_and_refusals,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
