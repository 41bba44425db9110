// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A workload for pagereport-guest (README, "Record a real guest"):
 * anonymous memory in three phases, marked with pgr-phase.  grow:
 * MiB (default 400) of chunks of 64 KiB to 8 MiB, every page touched;
 * churn: ROUNDS (default 300) times, one chunk freed and another of a new
 * size allocated and touched; shrink: every chunk freed in random order,
 * then a settle.  Seeded, so every run asks for the same sizes.  glibc
 * serves chunks of 128 KiB and more with mmap (freed at once with
 * munmap), the rest from its heap.  Build it static (the guest has no
 * C library): gcc -O2 -static -o memchurn memchurn.c
 *
 *   pagereport-guest -o rec -- memchurn [MiB [ROUNDS]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void run(const char *cmd)
{
	if (system(cmd))
		fprintf(stderr, "memchurn: %s failed\n", cmd);
}

static size_t chunk_size(void)
{
	return (size_t)(64 << 10) << (next() % 8); /* 64 KiB .. 8 MiB */
}

int main(int argc, char **argv)
{
	size_t total = (size_t)(argc > 1 ? atol(argv[1]) : 400) << 20;
	long rounds = argc > 2 ? atol(argv[2]) : 300;
	size_t cap = 4096, n = 0, have = 0;
	char **p = calloc(cap, sizeof(*p));
	size_t *sz = calloc(cap, sizeof(*sz));

	if (!p || !sz || !total)
		return 1;
	run("pgr-phase grow");
	while (have < total && n < cap) {
		sz[n] = chunk_size();
		p[n] = malloc(sz[n]);
		if (!p[n])
			return 1;
		memset(p[n], (int)n, sz[n]);
		have += sz[n++];
	}
	run("pgr-phase churn");
	for (long r = 0; r < rounds; r++) {
		size_t i = next() % n;

		free(p[i]);
		sz[i] = chunk_size();
		p[i] = malloc(sz[i]);
		if (!p[i])
			return 1;
		memset(p[i], (int)r, sz[i]);
	}
	run("pgr-phase shrink");
	for (size_t k = n; k > 1; k--) {
		size_t i = next() % k;
		char *t = p[i];

		p[i] = p[k - 1];
		p[k - 1] = t;
	}
	for (size_t i = 0; i < n; i++)
		free(p[i]);
	run("pgr-phase -s freed");
	run("pgr-settle");
	printf("memchurn: %zu chunks, %zu MiB, %ld rounds\n", n, have >> 20,
	       rounds);
	return 0;
}
