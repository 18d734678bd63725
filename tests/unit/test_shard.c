/*
 * test_shard.c — properties of the shard choice (analyze/ingest/shard.h)
 * over random file names: the N shards partition the files, adding files
 * moves none of the others, removing shards moves only the files of the
 * shards removed, and shares stay near 1/N; plus the "K/N" parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analyze/ingest/shard.h"

enum { FILES = 4000, NAME_LEN = 48 };

static char names[FILES][NAME_LEN];

static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void make_names(uint64_t seed)
{
	for (int i = 0; i < FILES; i++)
		snprintf(names[i], NAME_LEN, "site%u/day%02u/cap-%llx.pcap",
			 (unsigned)(rng_next(&seed) % 7),
			 (unsigned)(rng_next(&seed) % 31),
			 (unsigned long long)rng_next(&seed));
}

/* Every file is taken by exactly one shard, the one whose weight is
 * highest, whatever N; each shard's share is near 1/N. */
static void test_partition_and_balance(void **state)
{
	(void)state;
	static const unsigned counts[] = {1, 2, 3, 4, 7, 16, 64};
	make_names(42);
	for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
		unsigned n = counts[c], taken[64] = {0};
		for (int i = 0; i < FILES; i++) {
			unsigned k = shard_of(names[i], n), owners = 0;
			assert_true(k < n);
			for (unsigned j = 0; j < n; j++) {
				if (j != k)
					assert_true(shard_weight(names[i], j) <
						    shard_weight(names[i], k));
				owners += shard_of(names[i], n) == j;
			}
			assert_int_equal(owners, 1);
			taken[k]++;
		}
		unsigned total = 0;
		for (unsigned j = 0; j < n; j++) {
			double share = (double)taken[j] * n / FILES;
			/* binomial: the share's deviation is sqrt(n/FILES);
			 * allow 4 of them */
			double dev = 4 * sqrt((double)n / FILES);
			assert_true(share > 1 - dev && share < 1 + dev);
			total += taken[j];
		}
		assert_int_equal(total, FILES);
	}
}

/* Adding files elsewhere moves no file; going from N to N+1 shards moves
 * only files to the new shard (about 1/(N+1) of them). */
static void test_stability(void **state)
{
	(void)state;
	make_names(7);
	unsigned before[FILES];
	for (int i = 0; i < FILES / 2; i++)
		before[i] = shard_of(names[i], 4);
	for (int i = 0; i < FILES / 2; i++) /* the other half "added" */
		assert_int_equal(shard_of(names[i], 4), before[i]);
	unsigned moved = 0;
	for (int i = 0; i < FILES; i++) {
		unsigned a = shard_of(names[i], 4), b = shard_of(names[i], 5);
		if (a != b) {
			assert_int_equal(b, 4);
			moved++;
		}
	}
	assert_true(moved > FILES / 5 * 8 / 10 && moved < FILES / 5 * 12 / 10);
}

static void test_parse(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		bool ok;
		unsigned k, n;
	} cases[] = {
		{"0/1", true, 0, 1},     {"3/4", true, 3, 4},
		{"12/100", true, 12, 100}, {"4/4", false, 0, 0},
		{"0/0", false, 0, 0},    {"-1/4", false, 0, 0},
		{"1/-4", false, 0, 0},   {"1/4x", false, 0, 0},
		{"1", false, 0, 0},      {"/4", false, 0, 0},
		{"1/", false, 0, 0},     {" 1/4", false, 0, 0},
		{"0/100001", false, 0, 0}, {"", false, 0, 0},
		{"99999999999999999999/4", false, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		unsigned k = 99, n = 99;
		bool ok = shard_parse(cases[i].text, &k, &n);
		assert_int_equal(ok, cases[i].ok);
		if (ok) {
			assert_int_equal(k, cases[i].k);
			assert_int_equal(n, cases[i].n);
		}
	}
	assert_false(shard_parse(NULL, NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partition_and_balance),
		cmocka_unit_test(test_stability),
		cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
