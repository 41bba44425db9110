/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small seeded PRNG (splitmix64 seeding xoshiro256**): every random
 * choice of the model and the workloads comes from one of these, so the
 * same seed gives the same state.  Not for cryptography.
 */
#ifndef PGR_RAND_H
#define PGR_RAND_H

#include <stdint.h>

struct pgr_rand {
	uint64_t s[4];
};

void pgr_rand_seed(struct pgr_rand *r, uint64_t seed);
uint64_t pgr_rand_u64(struct pgr_rand *r);
/* Uniform in [0, bound), bound > 0 (Lemire's method, unbiased). */
uint64_t pgr_rand_below(struct pgr_rand *r, uint64_t bound);

#endif /* PGR_RAND_H */
