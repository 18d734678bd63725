/*
 * rng.h — the scenario generator's deterministic random numbers.
 *
 * splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): a 64-bit counter passed through a mixing
 * function. Small, fast, and identical on every platform, so a scenario
 * and its seed always give the same capture. Never seeded from the clock.
 */
#ifndef ATTRIB_GEN_RNG_H
#define ATTRIB_GEN_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t state;
};

/* A stream for (seed, stream_id): different ids give unrelated streams,
 * so adding one directive to a scenario leaves the others' draws alone. */
struct rng rng_stream(uint64_t seed, uint64_t stream_id);

/* The next 64 random bits. */
uint64_t rng_u64(struct rng *r);

/* Uniform in [0, 1). */
double rng_unit(struct rng *r);

/* Uniform in [lo, hi] (inclusive; lo ≤ hi). */
uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi);

/* Exponential with the given mean (> 0). */
double rng_exponential(struct rng *r, double mean);

/* Fills buf with n random bytes. */
void rng_bytes(struct rng *r, uint8_t *buf, size_t n);

#endif
