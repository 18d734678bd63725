/*
 * test_model_dir.c — cmocka tests of the --models folder walk
 * (analyze/intel/model_dir.c): model files in subfolders load, depth
 * first in byte order of the names; entries that are no model file are
 * skipped with their reason; folders past MODEL_DIR_MAX_DEPTH are
 * skipped, and so are links back to a folder being walked; a tree
 * without model files and a broken model are errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/intel/model.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static char dir[] = "/tmp/attrib-model-dir-XXXXXX";

static const char model_text[] =
	"format: attrib-model-1\nname: m\nhypotheses:\n  - id: a\n"
	"    indicators:\n      - id: x\n"
	"        match: {kind: tls.sni, value: x.example}\n"
	"        link: L1\n        reliability: A\n";

/* Creates dir/rel (its folders first); a name ending in '/' is a folder. */
static void make(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0700);
			*p = '/';
		}
	if (rel[strlen(rel) - 1] == '/')
		return;
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

struct skips {
	char lines[16][512];
	size_t n;
};

static void on_skip(void *ctx, const char *path, const char *reason)
{
	struct skips *s = ctx;
	assert_true(s->n < ARRAY_LEN(s->lines));
	snprintf(s->lines[s->n++], sizeof s->lines[0], "%s: %s",
		 path + strlen(dir) + 1, reason);
}

static void reset(void)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'/*", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_subfolders_in_order(void **state)
{
	(void)state;
	reset();
	make("m/z.yaml", model_text);
	make("m/b/two.yml", model_text);
	make("m/b/c/three.yaml", model_text);
	make("m/a/one.yaml", model_text);
	make("m/README.md", "not a model\n");
	make("m/b/prefixes.csv", "192.0.2.0/24,x\n");
	make("m/.hidden.yaml", model_text);
	make("m/b/feed/misp-event.json", "{\"Event\": {\"info\": \"x\"}}");
	make("m/b/list.json", "[1, 2]");
	make("m/empty/", NULL);
	char path[300], err[512];
	snprintf(path, sizeof path, "%s/m", dir);
	struct skips sk = {0};
	struct model_set *ms = model_set_create();
	assert_int_equal(model_load_tree(ms, path, on_skip, &sk, err,
					 sizeof err), 0);
	static const char *const want[] = {
		"m/a/one.yaml", "m/b/c/three.yaml", "m/b/two.yml", "m/z.yaml",
	};
	assert_int_equal(ms->n_files, ARRAY_LEN(want));
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		assert_string_equal(ms->files[i].path + strlen(dir) + 1,
				    want[i]);
	static const char *const want_skip[] = {
		"m/.hidden.yaml: hidden",
		"m/README.md: not a model file (.yaml, .yml, .json)",
		"m/b/feed/misp-event.json: JSON but not a STIX bundle (no "
		"\"type\": \"bundle\")",
		"m/b/list.json: JSON but not a STIX bundle (no \"type\": "
		"\"bundle\")",
		"m/b/prefixes.csv: not a model file (.yaml, .yml, .json)",
	};
	assert_int_equal(sk.n, ARRAY_LEN(want_skip));
	for (size_t i = 0; i < ARRAY_LEN(want_skip); i++)
		assert_string_equal(sk.lines[i], want_skip[i]);
	model_set_destroy(ms);
}

static void test_depth_bound(void **state)
{
	(void)state;
	reset();
	/* one model at the deepest level read, one just below it */
	char rel[512] = "d/";
	for (unsigned i = 0; i < MODEL_DIR_MAX_DEPTH; i++)
		strcat(rel, "s/");
	char at[600], below[600];
	snprintf(at, sizeof at, "%sok.yaml", rel);
	snprintf(below, sizeof below, "%ss/deep.yaml", rel);
	make(at, model_text);
	make(below, model_text);
	char path[300], err[512];
	snprintf(path, sizeof path, "%s/d", dir);
	struct skips sk = {0};
	struct model_set *ms = model_set_create();
	assert_int_equal(model_load_tree(ms, path, on_skip, &sk, err,
					 sizeof err), 0);
	assert_int_equal(ms->n_files, 1);
	assert_non_null(strstr(ms->files[0].path, "ok.yaml"));
	assert_int_equal(sk.n, 1);
	assert_non_null(strstr(sk.lines[0], "deeper than"));
	model_set_destroy(ms);
}

static void test_link_loops(void **state)
{
	(void)state;
	reset();
	make("l/sub/one.yaml", model_text);
	char path[300], target[300], err[512];
	/* three links back up: walked blindly, 3^8 folders */
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/l/sub/up%d", dir, i);
		snprintf(target, sizeof target, "%s/l", dir);
		assert_int_equal(symlink(target, path), 0);
	}
	snprintf(path, sizeof path, "%s/l/self", dir);
	assert_int_equal(symlink(".", path), 0);
	snprintf(path, sizeof path, "%s/l", dir);
	struct skips sk = {0};
	struct model_set *ms = model_set_create();
	assert_int_equal(model_load_tree(ms, path, on_skip, &sk, err,
					 sizeof err), 0);
	assert_int_equal(ms->n_files, 1);
	assert_int_equal(sk.n, 4);
	for (size_t i = 0; i < sk.n; i++)
		assert_non_null(strstr(sk.lines[i], "a link to a folder it is in"));
	model_set_destroy(ms);
}

static void test_fifos(void **state)
{
	(void)state;
	reset();
	make("f/ok.yaml", model_text);
	char path[300], err[512] = "";
	snprintf(path, sizeof path, "%s/f/pipe.txt", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof path, "%s/f", dir);
	struct skips sk = {0};
	struct model_set *ms = model_set_create();
	/* a FIFO without a model's name is skipped, never opened */
	assert_int_equal(model_load_tree(ms, path, on_skip, &sk, err,
					 sizeof err), 0);
	assert_int_equal(sk.n, 1);
	assert_string_equal(sk.lines[0], "f/pipe.txt: not a model file "
			    "(.yaml, .yml, .json)");
	model_set_destroy(ms);
	/* with a model's name it is refused, as when named directly */
	snprintf(path, sizeof path, "%s/f/pipe.yaml", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof path, "%s/f", dir);
	ms = model_set_create();
	assert_int_equal(model_load_tree(ms, path, NULL, NULL, err,
					 sizeof err), -1);
	assert_non_null(strstr(err, "pipe.yaml"));
	model_set_destroy(ms);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *files[3];
		const char *want; /* in err */
	} cases[] = {
		{{"e/notes.txt", "e/sub/more.md", NULL}, "no model files"},
		{{"e/sub/bad.yaml", NULL, NULL}, "bad.yaml"},
		{{"e/ok.yaml", "e/sub/x/broken.json", NULL}, "broken.json"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		reset();
		for (size_t j = 0; j < 3 && cases[i].files[j]; j++)
			make(cases[i].files[j],
			     strstr(cases[i].files[j], "ok.yaml")
				     ? model_text
				     : "format: [unclosed\n");
		char path[300], err[512] = "";
		snprintf(path, sizeof path, "%s/e", dir);
		struct model_set *ms = model_set_create();
		assert_int_equal(model_load_tree(ms, path, NULL, NULL, err,
						 sizeof err), -1);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err,
				 cases[i].want);
		model_set_destroy(ms);
	}
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subfolders_in_order),
		cmocka_unit_test(test_depth_bound),
		cmocka_unit_test(test_link_loops),
		cmocka_unit_test(test_fifos),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
