/*
 * sim/rng.h - seeded pseudo-random numbers.
 *
 * xoshiro256** seeded through splitmix64 from (global seed, stream id), so
 * each component draws from its own stream and adding a component does not
 * perturb the others' sequences.  No other source of randomness is allowed in
 * anything simulated.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include "sim/types.h"

struct rng {
	uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);

static inline uint64_t rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return result;
}

/* Uniform integer in [0, n) without modulo bias (Lemire). n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);

#endif
