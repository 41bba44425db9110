// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * alloc-pair: the cost of one order-0 pgr_alloc_pages + pgr_free_pages
 * pair in the steady state of a fragmented zone (the order-0 MOVABLE list
 * is never empty, so every alloc is __rmqueue_smallest at order 0 and
 * every free is __free_one_page with a busy buddy: no split, no merge).
 * This is the buddy fast path (per-CPU lists off, as in every profile but
 * 6.1).  With --pcp the zone has Linux 6.1's per-CPU lists
 * (pgr_node_config.pcp = PGR_PCP_ON, src/mm/pcp.c) and the pair is a pcp
 * list take and put instead.  With --split the zone stays pristine (every
 * page free in MAX_ORDER-1 blocks), so every alloc splits a top block down
 * to order 0 (expand, 10 levels with max_order 11) and every free merges
 * it back (__free_one_page through every order): the split/merge pair.
 *
 * Instructions per pair (the number the model is tuned for), in a release
 * build (configure --enable-debug=0 CFLAGS='-O2 -g'):
 *
 *   valgrind --tool=callgrind --toggle-collect=run_pairs \
 *            --callgrind-out-file=/dev/null bench/alloc-pair 100000
 *
 * then divide "Collected" (Ir) by the pair count (run_pairs runs once;
 * the warm-up and the set-up are not collected).  Natively the program
 * prints ns per pair of that one timed run, in CPU time of the thread
 * (machine-dependent, but not the machine's other load).  Usage:
 *
 *   bench/alloc-pair [--pcp] [--split] [N]   N pairs per run (1000000)
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pagereport/mm.h>

#define ZONE_PAGES (1u << 16)

/* CPU time of this thread: a shared machine's other load stays out. */
static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline __attribute__((always_inline)) int pairs(struct pgr_zone *z,
						       unsigned long n)
{
	uint64_t pfn;

	for (unsigned long i = 0; i < n; i++) {
		if (pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn) ||
		    pgr_free_pages(z, pfn, 0))
			return -1;
	}
	return 0;
}

int warm_up(struct pgr_zone *z, unsigned long n);
int run_pairs(struct pgr_zone *z, unsigned long n);

/* Warm caches and branch predictors; not collected. */
__attribute__((noinline)) int warm_up(struct pgr_zone *z, unsigned long n)
{
	return pairs(z, n);
}

/* The measured loop, called once: out of line for --toggle-collect. */
__attribute__((noinline)) int run_pairs(struct pgr_zone *z, unsigned long n)
{
	return pairs(z, n);
}

/*
 * Allocate the whole zone at order 0, then free every other page: no two
 * free pages are buddies, so nothing merges and the order-0 list holds
 * half the zone.  The alloc+free pair then takes and returns the head.
 */
static int fragment(struct pgr_zone *z)
{
	uint64_t pfn;
	int err;

	while (!(err = pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn)))
		;
	if (err != -ENOMEM)
		return err;
	for (pfn = 1; pfn < ZONE_PAGES; pfn += 2) {
		err = pgr_free_pages(z, pfn, 0);
		if (err)
			return err;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct pgr_node_config cfg = { .nr_zones = 1 };
	unsigned long n = 1000000;
	bool split = false;
	struct pgr_node *node;
	struct pgr_zone *z;
	double t0, ns;
	int err;

	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "--pcp")) {
			cfg.pcp = PGR_PCP_ON;
		} else if (!strcmp(argv[1], "--split")) {
			split = true;
		} else {
			argc = 99;
			break;
		}
		argv++;
		argc--;
	}
	if (argc > 2) {
		fprintf(stderr, "usage: %s [--pcp] [--split] [pairs]\n",
			argv[0]);
		return 2;
	}
	if (argc == 2) {
		char *end;

		n = strtoul(argv[1], &end, 0);
		if (*end || !n) {
			fprintf(stderr, "alloc-pair: bad pair count '%s'\n",
				argv[1]);
			return 2;
		}
	}

	cfg.zones[0].nr_pages = ZONE_PAGES;
	node = pgr_node_create(&cfg);
	if (!node) {
		fprintf(stderr, "alloc-pair: pgr_node_create: %s\n",
			strerror(errno));
		return 1;
	}
	z = pgr_node_zone(node, 0);
	err = pgr_zone_populate(z);
	if (!err && !split)
		err = fragment(z);
	if (err) {
		fprintf(stderr, "alloc-pair: setup: %s\n", pgr_errmsg());
		pgr_node_destroy(node);
		return 1;
	}

	err = warm_up(z, n < 10000 ? n : 10000);
	t0 = now_ns();
	if (!err)
		err = run_pairs(z, n);
	ns = (now_ns() - t0) / (double)n;
	if (err) {
		fprintf(stderr, "alloc-pair: %s\n", pgr_errmsg());
		pgr_node_destroy(node);
		return 1;
	}
	printf("order-0 alloc+free%s%s: %lu pairs, %.1f ns/pair\n",
	       cfg.pcp == PGR_PCP_ON ? " (pcp)" : "",
	       split ? " (split+merge)" : "", n, ns);
	pgr_node_destroy(node);
	return 0;
}
