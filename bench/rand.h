/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bench programs' seeded PRNG: xoshiro256** (Blackman and Vigna)
 * seeded through splitmix64, the generator the library uses internally,
 * so a program keeps the event sequence it had when it shared the
 * library's (same seed, same numbers).  Bench links only the exported
 * library, which does not export its PRNG.  Not for cryptography.
 */
#ifndef BENCH_RAND_H
#define BENCH_RAND_H

#include <stdint.h>

struct bench_rand {
	uint64_t s[4];
};

static inline uint64_t bench_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t bench_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline void bench_rand_seed(struct bench_rand *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = bench_splitmix64(&seed);
}

static inline uint64_t bench_rand_u64(struct bench_rand *r)
{
	uint64_t *s = r->s;
	uint64_t result = bench_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = bench_rotl(s[3], 45);
	return result;
}

/* Uniform in [0, bound), bound > 0 (Lemire's method, unbiased). */
static inline uint64_t bench_rand_below(struct bench_rand *r, uint64_t bound)
{
	unsigned __int128 m = (unsigned __int128)bench_rand_u64(r) * bound;
	uint64_t low = (uint64_t)m;

	if (low < bound) {
		uint64_t threshold = -bound % bound;

		while (low < threshold) {
			m = (unsigned __int128)bench_rand_u64(r) * bound;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

#endif /* BENCH_RAND_H */
