// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reporting against concurrent allocators (REAL clock): worker threads
 * allocate blocks of random order from guest RAM, write a pattern into
 * every page, verify it and free the block, while the engine's thread
 * reports free pages into the memory sink, which punches them out of the
 * memfd.  A page reported while allocated would read back as zeroes.
 * At pauses the zone must account for every page (free + allocated +
 * isolated == size) and pass the walker.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "reporting_util.h"

#define NR_THREADS 3
#define MS	   1000000ULL

struct shared {
	struct pgr_node *node;
	struct pgr_zone *zone;
	struct pgr_guest_ram *ram;
	atomic_bool pause, stop;
	atomic_int paused;
	atomic_ulong ops, bad;
};

struct worker {
	struct shared *sh;
	unsigned int tid;
	struct pgr_rand rand;
	struct test_block held[64];
	unsigned int nr_held;
};

static uint64_t pattern(uint64_t pfn, unsigned int tid)
{
	return (pfn * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)tid << 56) ^ 1;
}

static void fill(struct worker *w, const struct test_block *b)
{
	for (uint64_t pfn = b->pfn; pfn < b->pfn + (1ULL << b->order); pfn++) {
		uint64_t *p = pgr_guest_ram_addr(w->sh->ram, pfn);

		p[0] = pattern(pfn, w->tid);
		p[PGR_PAGE_SIZE / 8 - 1] = ~pattern(pfn, w->tid);
	}
}

static void verify(struct worker *w, const struct test_block *b)
{
	for (uint64_t pfn = b->pfn; pfn < b->pfn + (1ULL << b->order); pfn++) {
		uint64_t *p = pgr_guest_ram_addr(w->sh->ram, pfn);

		if (p[0] != pattern(pfn, w->tid) ||
		    p[PGR_PAGE_SIZE / 8 - 1] != ~pattern(pfn, w->tid))
			atomic_fetch_add(&w->sh->bad, 1);
	}
}

static void free_one(struct worker *w, unsigned int i)
{
	verify(w, &w->held[i]);
	if (pgr_free_pages(w->sh->zone, w->held[i].pfn, w->held[i].order))
		atomic_fetch_add(&w->sh->bad, 1);
	w->held[i] = w->held[--w->nr_held];
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;

	while (!atomic_load(&sh->stop)) {
		if (atomic_load(&sh->pause)) {
			atomic_fetch_add(&sh->paused, 1);
			while (atomic_load(&sh->pause))
				sched_yield();
			atomic_fetch_sub(&sh->paused, 1);
			continue;
		}
		if (w->nr_held < 64 && pgr_rand_below(&w->rand, 2)) {
			struct test_block b;
			int mt = (int)pgr_rand_below(&w->rand, 3);

			b.order = (unsigned int)pgr_rand_below(&w->rand, 7);
			if (pgr_alloc_pages(sh->zone, b.order, mt, 0, &b.pfn))
				continue;
			fill(w, &b);
			w->held[w->nr_held++] = b;
		} else if (w->nr_held) {
			free_one(w, (unsigned int)pgr_rand_below(&w->rand,
								 w->nr_held));
		}
		atomic_fetch_add(&sh->ops, 1);
	}
	while (w->nr_held)
		free_one(w, 0);
	return NULL;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The test is counted in operations and reports, never in time: a round
 * ends when the workers have done OPS_PER_ROUND more operations, and the
 * run goes on until the engine has reported at least once while they
 * run.  HANG_NS only turns a hang into a failure; no speed passes or
 * fails it (a TSan build on a loaded 2-vCPU machine did 917 ops in the
 * 600 ms the old time-based rounds gave it).
 */
#define NR_ROUNDS     10
#define OPS_PER_ROUND 200
#define HANG_NS	      (90000 * MS) /* below tcase_set_timeout(120) */

static bool reported_yet(struct shared *sh)
{
	struct pgr_reporting_stats st;

	ck_assert_int_eq(pgr_reporting_get_stats(sh->node, &st), 0);
	return st.blocks_reported > 0;
}

/*
 * loop i: strategy i.  Expect no pattern ever lost, every page accounted
 * for at each pause, the walker clean, and reports really made while the
 * workers ran (at least NR_ROUNDS * OPS_PER_ROUND operations).
 */
START_TEST(test_reporting_threads)
{
	enum pgr_strategy strat = (enum pgr_strategy)_i;
	struct pgr_reporting_config c = {
		.strategy = strat,
		.clock = PGR_CLOCK_REAL,
		.delay_ns = 2 * MS,
		.delay_set = true,
	};
	struct shared sh = { 0 };
	struct worker w[NR_THREADS];
	pthread_t th[NR_THREADS];
	struct pgr_reporting_stats st;
	struct pgr_sink_memory_stats ms;
	struct pgr_zone_info info;
	struct pgr_sink *sink;
	char msg[256];
	uint64_t t0;

	sh.node = test_node(LAYOUT_SMALL, 16384, false, test_seed());
	sh.zone = pgr_node_zone(sh.node, 0);
	sh.ram = pgr_guest_ram_create_for_node(sh.node);
	ck_assert_ptr_nonnull(sh.ram);
	sink = pgr_sink_memory_create(sh.ram, (enum pgr_discard_method)(_i % 2),
				      16);
	ck_assert_int_eq(pgr_zone_populate(sh.zone), 0);
	ck_assert_int_eq(pgr_reporting_register(sh.node, sink, &c), 0);
	for (unsigned int i = 0; i < NR_THREADS; i++) {
		w[i] = (struct worker){ .sh = &sh, .tid = i };
		pgr_rand_seed(&w[i].rand, test_seed() * 100 + i);
		ck_assert_int_eq(
			pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	t0 = now_ns();
	for (unsigned int round = 0; round < NR_ROUNDS || !reported_yet(&sh);
	     round++) {
		uint64_t target = (uint64_t)(round + 1) * OPS_PER_ROUND;

		while (atomic_load(&sh.ops) < target) {
			ck_assert_msg(
				now_ns() - t0 < HANG_NS,
				"hang: %lu of %llu operations after %llu "
				"s",
				atomic_load(&sh.ops),
				(unsigned long long)target,
				(unsigned long long)(HANG_NS / 1000 / MS));
			sleep_ms(1);
		}
		atomic_store(&sh.pause, true);
		while (atomic_load(&sh.paused) != NR_THREADS)
			sched_yield();
		/* the reporting thread may be mid-report: count isolated */
		ck_assert_int_eq(pgr_zone_get_info(sh.zone, &info), 0);
		ck_assert_uint_eq(info.nr_free_pages +
					  info.nr_free_isolate_pages +
					  info.nr_allocated_pages +
					  info.nr_isolated_pages,
				  info.nr_pages);
		ck_assert_msg(pgr_node_check(sh.node, msg, sizeof(msg)) == 0,
			      "seed %llu: %s", (unsigned long long)test_seed(),
			      msg);
		atomic_store(&sh.pause, false);
	}
	atomic_store(&sh.stop, true);
	for (unsigned int i = 0; i < NR_THREADS; i++)
		pthread_join(th[i], NULL);
	ck_assert_uint_eq(atomic_load(&sh.bad), 0);
	ck_assert_int_eq(pgr_reporting_flush(sh.node, 30000 * MS), 0);
	ck_assert_int_eq(pgr_reporting_get_stats(sh.node, &st), 0);
	ck_assert_int_eq(pgr_sink_memory_get_stats(sink, &ms), 0);
	ck_assert_uint_gt(st.blocks_reported, 0);
	ck_assert_uint_eq(ms.errors, 0);
	ck_assert_uint_eq(ms.bytes_discarded, st.bytes_reported);
	ck_assert_uint_ge(atomic_load(&sh.ops), NR_ROUNDS * OPS_PER_ROUND);
	ck_assert_int_eq(pgr_reporting_unregister(sh.node), 0);
	ck_assert_int_eq(pgr_zone_get_info(sh.zone, &info), 0);
	ck_assert_uint_eq(info.nr_allocated_pages + info.nr_isolated_pages, 0);
	ck_assert_int_eq(pgr_node_check(sh.node, msg, sizeof(msg)), 0);
	pgr_node_destroy(sh.node);
	pgr_sink_destroy(sink);
	pgr_guest_ram_destroy(sh.ram);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reporting_threads");
	TCase *tc = tcase_create("threads");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_reporting_threads, 0, PGR_NR_STRATEGIES);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		fprintf(stderr, "PGR_SEED=%llu\n",
			(unsigned long long)test_seed());
	return failed ? 1 : 0;
}
