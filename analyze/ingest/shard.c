/*
 * shard.c — rendezvous hashing of capture file names to shards (shard.h).
 */
#include "analyze/ingest/shard.h"

#include <errno.h>
#include <stdlib.h>

static uint64_t splitmix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t weight_of_hash(uint64_t h, unsigned k)
{
	return splitmix64(h ^ splitmix64((uint64_t)k + 1));
}

uint64_t shard_weight(const char *name, unsigned k)
{
	return weight_of_hash(fnv1a64(name), k);
}

unsigned shard_of(const char *name, unsigned n)
{
	uint64_t h = fnv1a64(name), best = 0;
	unsigned pick = 0;
	for (unsigned k = 0; k < n; k++) {
		uint64_t w = weight_of_hash(h, k);
		if (k == 0 || w > best) {
			best = w;
			pick = k;
		}
	}
	return pick;
}

/* A decimal number without sign or leading junk; end set past it. */
static bool parse_uint(const char *s, char **end, unsigned long *out)
{
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, end, 10);
	return errno == 0;
}

bool shard_parse(const char *text, unsigned *k, unsigned *n)
{
	char *end;
	unsigned long kk, nn;
	if (!text || !parse_uint(text, &end, &kk) || *end != '/' ||
	    !parse_uint(end + 1, &end, &nn) || *end != '\0')
		return false;
	if (nn < 1 || nn > SHARD_MAX_COUNT || kk >= nn)
		return false;
	*k = (unsigned)kk;
	*n = (unsigned)nn;
	return true;
}
