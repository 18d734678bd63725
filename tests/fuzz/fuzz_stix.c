/*
 * fuzz_stix.c — libFuzzer harness for the STIX 2.1 reader
 * (analyze/intel/stix/): the pattern parser and matcher mapping, and
 * whole bundles.
 *
 * The first input byte chooses the target (even: a pattern, odd: a
 * bundle), the rest is its input. Besides the sanitizers, the harness
 * checks the reader's contracts: alternatives' spans lie inside the
 * pattern, an alternative either has tests or a reason, a malformed
 * pattern has no alternatives, matchers' texts are NUL-terminated, an
 * error is one line that names the file, and every pattern and report
 * the loader adds has an origin.
 *
 * Sources it needs: analyze/intel/stix/*.c, model.c, admissible.c,
 * file.c and mmdb.c of analyze/intel, analyze/vocab/kinds.c and
 * analyze/crypto/digest.c; link with -ljansson -lgcrypt -lmaxminddb. It supplies a YAML loader stub, so it links without the
 * extractors and libyaml.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/vocab/kinds.h"
#include "analyze/intel/model.h"
#include "analyze/intel/stix/stix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond))                                                   \
			__builtin_trap();                                      \
	} while (0)

int model_load_yaml(struct model_set *ms, const char *path, char *err,
		    size_t errlen)
{
	(void)ms;
	snprintf(err, errlen, "%s: no YAML in this harness", path);
	return -1;
}

static void fuzz_pattern(const char *text, size_t n)
{
	static struct stix_match m;
	char why[512];
	struct stix_pattern *p = stix_pattern_parse(text, n);
	if (!p)
		return; /* out of memory */
	CHECK(!p->error || p->n_alts == 0);
	CHECK(p->n_alts <= STIX_PATTERN_MAX_ALTS);
	for (size_t i = 0; i < p->n_alts; i++) {
		const struct stix_alt *a = &p->alts[i];
		CHECK(a->start <= a->end && a->end <= n);
		CHECK((a->reason != NULL) == (a->n_tests == 0));
		CHECK(a->n_tests <= STIX_PATTERN_MAX_AND);
		for (size_t j = 0; j < a->n_tests; j++) {
			const struct stix_cmp *c = a->tests[j].cmp;
			CHECK(c->start <= c->end && c->end <= n);
			CHECK(c->path.n_steps <= STIX_PATH_MAX_STEPS);
			CHECK(strlen(a->tests[j].value->text) ==
			      a->tests[j].value->len);
		}
		if (stix_map_alt(a, &m, why, sizeof why) == 0) {
			CHECK(memchr(m.text, '\0', sizeof m.text) != NULL);
			CHECK(m.n_kinds >= 1 &&
			      m.n_kinds <= STIX_MAP_MAX_KINDS);
		} else {
			CHECK(why[0] != '\0');
		}
	}
	stix_pattern_free(p);
}

static void fuzz_bundle(const char *buf, size_t n)
{
	static const char name[] = "fuzz.json";
	char err[512];
	struct stix_counts counts = {0};
	struct model_set *ms = model_set_create();
	if (!ms)
		return;
	err[0] = '\0';
	if (stix_bundle_load(ms, name, buf, n, &counts, err, sizeof err)
	    != 0) {
		CHECK(!strncmp(err, name, sizeof name - 1));
		CHECK(!strchr(err, '\n'));
	}
	CHECK(counts.objects_unused <= counts.objects);
	for (size_t i = 0; i < ms->n_hyps; i++)
		for (size_t j = 0; j < ms->hyps[i].n_patterns; j++)
			CHECK(!strncmp(ms->hyps[i].patterns[j].origin, name,
				       sizeof name - 1));
	for (size_t i = 0; i < ms->n_uneval; i++)
		CHECK(!strncmp(ms->uneval[i].origin, name, sizeof name - 1));
	(void)model_set_finish(ms, err, sizeof err);
	model_set_destroy(ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	/* an exact-size copy, so that reads past the end are caught */
	size_t n = size - 1;
	char *copy = malloc(n ? n : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, n);
	if (data[0] & 1)
		fuzz_bundle(copy, n);
	else
		fuzz_pattern(copy, n);
	free(copy);
	return 0;
}
