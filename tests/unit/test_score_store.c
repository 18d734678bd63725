/*
 * test_score_store.c — a score run stored as several chained rows
 * (analyze/evidence/scores.c, score_run_parts): the parts read back as
 * one document in part order, every part is in the chain, and a changed
 * part is found by verification.
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

#include "analyze/evidence/report_read.h"
#include "analyze/evidence/store.h"

static void test_parts_round_trip(void **state)
{
	(void)state;
	char dir[] = "/tmp/attrib-score-store-XXXXXX", db[128], head[140],
	     err[512];
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/case.db", dir);
	snprintf(head, sizeof head, "%s.head", db);
	struct store *st = store_open(db, err, sizeof err);
	assert_non_null(st);
	static const char *const parts[] = {"{\"format\":\"attrib-score-1\",",
					    "\"hypotheses\":[{\"id\":\"é",
					    "\"}]}"};
	struct store_score_run row = {1, "[]", "{}", "", 0, 1000000};
	assert_int_equal(store_score_run(st, &row), 0);
	for (int k = 0; k < 3; k++)
		assert_int_equal(store_score_run_part(st, 1, k, parts[k],
						      strlen(parts[k])), 0);
	assert_int_equal(store_commit(st), 0);

	int64_t run = 0, ts = 0;
	char *doc = NULL;
	size_t len = 0;
	assert_int_equal(report_read_latest_run(st, 1 << 20, &run, &ts, &doc,
						&len), 1);
	char want[256];
	snprintf(want, sizeof want, "%s%s%s", parts[0], parts[1], parts[2]);
	assert_int_equal(run, 1);
	assert_int_equal(len, strlen(want));
	assert_string_equal(doc, want);
	free(doc);

	struct store_verify v;
	assert_int_equal(store_verify_chain(st, head, &v), 0);
	assert_false(v.tampered);
	assert_int_equal(v.entries, 4); /* the run and its three parts */
	assert_int_equal(store_close(st, err, sizeof err), 0);

	/* change one part behind attrib's back: verification finds it */
	sqlite3 *raw;
	assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "UPDATE score_run_parts SET "
				      "text='x' WHERE part=1", NULL, NULL,
				      NULL), SQLITE_OK);
	sqlite3_close(raw);
	st = store_open(db, err, sizeof err);
	assert_non_null(st);
	assert_int_equal(store_verify_chain(st, head, &v), 0);
	assert_true(v.tampered);
	assert_non_null(strstr(v.first_problem, "score_run_part"));
	assert_int_equal(store_close(st, err, sizeof err), 0);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parts_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
