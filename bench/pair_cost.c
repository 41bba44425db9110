// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pair-cost: the cost of one order-0 pgr_alloc_pages + pgr_free_pages pair
 * in a fragmented zone of a given size (1 GiB, 32 GiB, 1 TiB), where the
 * order-0 fast path applies (mm/page_alloc.c's likely(order == 0); the
 * kernel's per-cpu lists are not modelled).  bench/pair-cost.sh runs it
 * at the three sizes natively (ns) and under callgrind (instructions).
 *
 * Set-up, scalable to 1 TiB (2^28 pages, 3 GiB of metadata, mapped on
 * demand): the whole zone is allocated at MAX_ORDER-1; W of those blocks
 * (a quarter of them, at most 1024: W = 64 at 1 GiB, 1024 from 16 GiB up),
 * spread evenly over the zone, are freed and cut into order-0 pages, and
 * every odd page of them is freed again.  No free page has a free buddy,
 * so nothing merges: the order-0 list holds W * 512 pages spread over the
 * zone, and the even pages stay allocated.
 *
 * Patterns (each pair is one alloc and one free):
 *   lifo    free what was just allocated: the head of the list goes and
 *           comes back (the hot case; bench/alloc-pair does the same);
 *   random  allocate the head, free a random one of W * 256 allocated odd
 *           pages (a pool the allocations join): every free touches the
 *           metadata of a random one of them, as a workload whose frees
 *           are not in allocation order does: 1 MiB of cache lines at
 *           1 GiB, 16 MiB at 32 GiB and 1 TiB (more TLB reach there).  The
 *           pool's random pick is part of the timed loop (a few ns, and
 *           the pool array: 8 bytes per entry).
 *
 * Instructions: callgrind counts inside the two calls only,
 *   valgrind --tool=callgrind --toggle-collect=pgr_alloc_pages \
 *            --toggle-collect=pgr_free_pages bench/pair-cost --mem 32G
 * "Collected" / pairs.  Natively the program prints ns per pair: the
 * median, min and max of --rounds timed rounds of --pairs pairs each
 * (CLOCK_MONOTONIC, one thread; machine-dependent).  Usage:
 *
 *   bench/pair-cost [--mem SIZE] [--pattern lifo|random] [--pairs N]
 *                   [--rounds R] [--seed S]
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pagereport/mm.h>

#include "rand.h"

/* Under callgrind: count only the measured round (no-ops otherwise). */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_ZERO_STATS
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#define MAX_WINDOWS 1024 /* MAX_ORDER-1 blocks cut into order-0 pages */

struct pc_state {
	struct pgr_zone *z;
	struct bench_rand rand;
	uint64_t *pool; /* allocated odd pages (random pattern) */
	size_t nr_pool, pool_target;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int parse_size(const char *s, uint64_t *r)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned shift = 0;

	if (end == s || !v)
		return -EINVAL;
	switch (*end) {
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	case 'T':
	case 't':
		shift = 40;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	if (*end && strcmp(end + 1, "") && strcmp(end + 1, "iB") &&
	    strcmp(end + 1, "B"))
		return -EINVAL;
	if (shift && v > (1ULL << (63 - shift)))
		return -ERANGE;
	*r = (uint64_t)v << shift;
	return 0;
}

int run_lifo(struct pc_state *s, unsigned long n);
int run_random(struct pc_state *s, unsigned long n);

/* Out of line, for callgrind and for a clean loop. */
__attribute__((noinline)) int run_lifo(struct pc_state *s, unsigned long n)
{
	struct pgr_zone *z = s->z;
	uint64_t pfn;

	for (unsigned long i = 0; i < n; i++)
		if (pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn) ||
		    pgr_free_pages(z, pfn, 0))
			return -1;
	return 0;
}

__attribute__((noinline)) int run_random(struct pc_state *s, unsigned long n)
{
	struct pgr_zone *z = s->z;
	uint64_t pfn;

	for (unsigned long i = 0; i < n; i++) {
		size_t k;

		if (pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn))
			return -1;
		s->pool[s->nr_pool++] = pfn;
		k = (size_t)bench_rand_below(&s->rand, s->nr_pool);
		pfn = s->pool[k];
		s->pool[k] = s->pool[--s->nr_pool];
		if (pgr_free_pages(z, pfn, 0))
			return -1;
	}
	return 0;
}

/* See the header: 64 windows of alternating free/allocated pages. */
static int fragment(struct pc_state *s, const struct pgr_zone_info *info)
{
	const unsigned top = info->max_order - 1;
	const uint64_t block = 1ULL << top;
	uint64_t nr_blocks = info->nr_pages >> top, pfn, step;
	int err;

	uint64_t nr_windows =
		nr_blocks / 4 < MAX_WINDOWS ? nr_blocks / 4 : MAX_WINDOWS;

	if (!nr_windows)
		return -EINVAL;
	for (uint64_t i = 0; i < nr_blocks; i++) {
		err = pgr_alloc_pages(s->z, top, PGR_MIGRATE_MOVABLE, 0, &pfn);
		if (err)
			return err;
	}
	step = nr_blocks / nr_windows;
	for (uint64_t w = 0; w < nr_windows; w++) {
		uint64_t base = info->start_pfn + w * step * block;

		/* Cut it page by page (the order-0 list is not empty). */
		err = pgr_free_pages(s->z, base, top);
		for (uint64_t i = 0; !err && i < block; i++)
			err = pgr_take_block(s->z, base + i, 0);
		for (uint64_t i = 1; !err && i < block; i += 2)
			err = pgr_free_pages(s->z, base + i, 0);
		if (err)
			return err;
	}
	/* The pool: half the odd pages, taken from the list head. */
	s->pool_target = (size_t)(nr_windows * block / 4);
	s->pool = malloc((s->pool_target + 1) * sizeof(*s->pool));
	if (!s->pool)
		return -ENOMEM;
	for (s->nr_pool = 0; s->nr_pool < s->pool_target; s->nr_pool++) {
		err = pgr_alloc_pages(s->z, 0, PGR_MIGRATE_MOVABLE, 0,
				      &s->pool[s->nr_pool]);
		if (err)
			return err;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
		"usage: %s [--mem SIZE] [--pattern lifo|random] [--pairs N] "
		"[--rounds R] [--seed S]\n"
		"  order-0 alloc+free pair cost in a fragmented zone "
		"(default 1G, lifo, 1000000 pairs, 7 rounds)\n",
		argv0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "pattern", required_argument, NULL, 'p' },
		{ "pairs", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pgr_node_config cfg = { .nr_zones = 1 };
	struct pc_state s = { 0 };
	struct pgr_zone_info info;
	uint64_t mem = 1ULL << 30, seed = 1;
	unsigned long n = 1000000, rounds = 7;
	bool pattern_random = false;
	struct pgr_node *node;
	double ns[64];
	int c, err;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end = NULL;

		switch (c) {
		case 'm':
			if (parse_size(optarg, &mem) || mem < (64ULL << 22)) {
				fprintf(stderr,
					"pair-cost: bad --mem '%s' (at least "
					"256M)\n",
					optarg);
				return 2;
			}
			break;
		case 'p':
			if (!strcmp(optarg, "random"))
				pattern_random = true;
			else if (strcmp(optarg, "lifo")) {
				fprintf(stderr,
					"pair-cost: bad --pattern '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			n = strtoul(optarg, &end, 0);
			if (*end || !n) {
				fprintf(stderr, "pair-cost: bad --pairs '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'r':
			rounds = strtoul(optarg, &end, 0);
			if (*end || !rounds || rounds > 64) {
				fprintf(stderr,
					"pair-cost: bad --rounds '%s' "
					"(1..64)\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			seed = strtoull(optarg, &end, 0);
			if (*end) {
				fprintf(stderr, "pair-cost: bad --seed '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr, argv[0]);
		return 2;
	}

	/* ZONE_NORMAL at 4 GiB, as the bench runner's guests. */
	cfg.zones[0].name = "Normal";
	cfg.zones[0].start_pfn = 0x100000;
	cfg.zones[0].nr_pages = mem >> 12;
	node = pgr_node_create(&cfg);
	if (!node) {
		fprintf(stderr, "pair-cost: pgr_node_create: %s\n",
			pgr_errmsg());
		return 1;
	}
	s.z = pgr_node_zone(node, 0);
	bench_rand_seed(&s.rand, seed);
	err = pgr_zone_populate(s.z);
	if (!err)
		err = pgr_zone_get_info(s.z, &info);
	if (!err)
		err = fragment(&s, &info);
	if (err) {
		fprintf(stderr, "pair-cost: set-up: %s\n", pgr_errmsg());
		goto out;
	}
	/* Warm-up round, then the timed ones. */
	err = pattern_random ? run_random(&s, n < 100000 ? n : 100000)
			     : run_lifo(&s, n < 100000 ? n : 100000);
	for (unsigned long r = 0; !err && r < rounds; r++) {
		double t0;

		CALLGRIND_ZERO_STATS;
		t0 = now_ns();
		err = pattern_random ? run_random(&s, n) : run_lifo(&s, n);
		ns[r] = (now_ns() - t0) / (double)n;
		CALLGRIND_DUMP_STATS_AT("pair-cost round");
	}
	if (err) {
		fprintf(stderr, "pair-cost: %s\n", pgr_errmsg());
		goto out;
	}
	qsort(ns, rounds, sizeof(ns[0]), cmp_double);
	printf("mem=%lluMiB pattern=%s pairs=%lu rounds=%lu "
	       "metadata_bytes=%zu ns_per_pair median=%.1f min=%.1f "
	       "max=%.1f\n",
	       (unsigned long long)(mem >> 20),
	       pattern_random ? "random" : "lifo", n, rounds,
	       info.metadata_bytes, ns[rounds / 2], ns[0], ns[rounds - 1]);
out:
	free(s.pool);
	pgr_node_destroy(node);
	return err ? 1 : 0;
}
