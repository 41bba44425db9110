// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Races between zones (meant for the TSan build, runs in every build): a
 * node with 2 zones and shuffling on, the REAL clock, every strategy, a
 * memory sink, and 12 threads that allocate, write, verify and free in
 * both zones while one of them runs the node-wide checker.  Under TSan
 * this used to report the node's shuffle PRNG (shuffle_rand, rand)
 * updated under two different zone locks, and the checker of one zone
 * reading rep->batch.zone while the engine wrote it under the other's.
 * Expect: no pattern lost, the walker clean, every page accounted for.
 *
 *   test_race_zones [MS_PER_STRATEGY]   (default 300)
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <pagereport/pagereport.h>

#include "balloon_helpers.h"

#define NR_THREADS 12
#define ZONE_PAGES 32768 /* 128 MiB per zone: upstream gates below 16k free */

static struct pgr_node *node;
static struct pgr_guest_ram *ram;
static atomic_bool stop;
static atomic_ulong bad, ops, checks;

struct blk {
	uint64_t pfn;
	unsigned int order, zone;
};

static uint64_t pat(uint64_t pfn)
{
	return pfn * 0x9e3779b97f4a7c15ULL + 7;
}

static void *worker(void *arg)
{
	uint64_t st = (uintptr_t)arg * 0x2545f4914f6cdd1dULL + t_seed;
	struct blk h[16];
	unsigned int n = 0, i, tid = (unsigned int)(uintptr_t)arg;
	char msg[256];

	while (!atomic_load(&stop)) {
		st ^= st << 13;
		st ^= st >> 7;
		st ^= st << 17;
		/* thread 0 also runs the checker now and then */
		if (tid == 0 && !(st & 15)) {
			if (pgr_node_check(node, msg, sizeof(msg)) != 0) {
				fprintf(stderr, "check: %s\n", msg);
				atomic_fetch_add(&bad, 1);
			}
			atomic_fetch_add(&checks, 1);
		}
		if (n < 16 && (st & 1)) {
			struct blk *b = &h[n];
			uint64_t p;

			b->zone = (unsigned int)((st >> 4) & 1);
			/* MAX_ORDER-1 blocks: their frees draw shuffle bits */
			b->order = (st & 0xf0) ? (unsigned int)((st >> 8) % 6)
					       : 10;
			if (pgr_alloc_pages(pgr_node_zone(node, b->zone),
					    b->order, PGR_MIGRATE_MOVABLE, 0,
					    &b->pfn))
				continue;
			for (p = b->pfn; p < b->pfn + (1ULL << b->order); p++)
				*(uint64_t *)pgr_guest_ram_addr(ram, p) =
					pat(p);
			n++;
			continue;
		}
		if (!n)
			continue;
		i = (unsigned int)((st >> 20) % n);
		for (uint64_t p = h[i].pfn; p < h[i].pfn + (1ULL << h[i].order);
		     p++)
			if (*(uint64_t *)pgr_guest_ram_addr(ram, p) != pat(p))
				atomic_fetch_add(&bad, 1);
		T_ASSERT(pgr_free_pages(pgr_node_zone(node, h[i].zone),
					h[i].pfn, h[i].order) == 0);
		h[i] = h[--n];
		atomic_fetch_add(&ops, 1);
	}
	while (n--)
		T_ASSERT(pgr_free_pages(pgr_node_zone(node, h[n].zone),
					h[n].pfn, h[n].order) == 0);
	return NULL;
}

static void run(enum pgr_strategy s, unsigned int ms)
{
	struct pgr_node_config nc = { .nr_zones = 2, .shuffle = true };
	struct pgr_reporting_config rc = { .strategy = s,
					   .clock = PGR_CLOCK_REAL,
					   .delay_ns = 1000000ULL,
					   .delay_set = true };
	struct pgr_reporting_stats rs;
	pthread_t th[NR_THREADS];
	struct pgr_sink *sink;
	char msg[256];
	unsigned long i;
	uint64_t t0;

	nc.seed = t_seed;
	nc.zones[0].start_pfn = 0x10000;
	nc.zones[0].nr_pages = ZONE_PAGES;
	nc.zones[1].start_pfn = 0x10000 + ZONE_PAGES;
	nc.zones[1].nr_pages = ZONE_PAGES;
	node = pgr_node_create(&nc);
	T_ASSERT(node);
	T_ASSERT(pgr_zone_populate(pgr_node_zone(node, 0)) == 0);
	T_ASSERT(pgr_zone_populate(pgr_node_zone(node, 1)) == 0);
	ram = pgr_guest_ram_create_for_node(node);
	T_ASSERT(ram);
	sink = pgr_sink_memory_create(ram, PGR_DISCARD_PUNCH_HOLE, 16);
	T_ASSERT(sink);
	T_ASSERT(pgr_reporting_register(node, sink, &rc) == 0);
	atomic_store(&stop, false);
	for (i = 0; i < NR_THREADS; i++)
		T_ASSERT(pthread_create(&th[i], NULL, worker, (void *)i) == 0);
	t0 = t_now_ns();
	while (t_now_ns() - t0 < ms * 1000000ULL) {
		/* reshuffle now and then: more PRNG traffic */
		pgr_zone_shuffle(pgr_node_zone(node, (t0 / 7) & 1));
		usleep(20000);
	}
	atomic_store(&stop, true);
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(th[i], NULL);
	T_ASSERT(pgr_reporting_flush(node, 30000000000ULL) == 0);
	T_ASSERT(pgr_reporting_get_stats(node, &rs) == 0);
	T_ASSERT(pgr_reporting_unregister(node) == 0);
	printf("%s: %lu alloc/free, %lu checks, %llu blocks reported, %lu "
	       "bad\n",
	       pgr_strategy_name(s), atomic_load(&ops), atomic_load(&checks),
	       (unsigned long long)rs.blocks_reported, atomic_load(&bad));
	T_ASSERT(pgr_node_check(node, msg, sizeof(msg)) == 0);
	T_ASSERT(atomic_load(&bad) == 0);
	T_ASSERT(atomic_load(&ops) > 0);
	pgr_sink_destroy(sink);
	pgr_guest_ram_destroy(ram);
	pgr_node_destroy(node);
}

int main(int argc, char **argv)
{
	unsigned int ms = argc > 1 ? (unsigned int)atoi(argv[1]) : 300;
	int s;

	t_seed_init();
	for (s = 0; s < PGR_NR_STRATEGIES; s++)
		run((enum pgr_strategy)s, ms);
	printf("PASS\n");
	return 0;
}
