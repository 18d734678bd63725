/*
 * rng.c — splitmix64 streams for the scenario generator (rng.h).
 */
#include "pcaps/gen/lib/rng.h"

#include <math.h>

#define GOLDEN_GAMMA 0x9e3779b97f4a7c15ULL

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct rng rng_stream(uint64_t seed, uint64_t stream_id)
{
	struct rng r = {mix64(seed + GOLDEN_GAMMA) ^
			mix64(stream_id * GOLDEN_GAMMA + 1)};
	return r;
}

uint64_t rng_u64(struct rng *r)
{
	r->state += GOLDEN_GAMMA;
	return mix64(r->state);
}

double rng_unit(struct rng *r)
{
	/* the top 53 bits fill a double's mantissa exactly */
	return (double)(rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo + 1;

	if (span == 0) /* the whole 64-bit range */
		return rng_u64(r);
	return lo + rng_u64(r) % span;
}

double rng_exponential(struct rng *r, double mean)
{
	return -mean * log1p(-rng_unit(r));
}

void rng_bytes(struct rng *r, uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t bits = rng_u64(r);
		for (size_t j = 0; j < 8 && i + j < n; j++)
			buf[i + j] = (uint8_t)(bits >> (8 * j));
	}
}
