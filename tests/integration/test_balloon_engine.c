// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The reporting engine (REAL clock, every strategy) with the balloon sink
 * and the real daemon, under a threaded workload:
 *
 *   4 threads: alloc 2^k pages -> write a signature in every page ->
 *              sleep a little -> verify every page -> free
 *   engine:    reports free blocks -> daemon punches holes in the memfd
 *
 * Expect no allocated page ever to lose its signature (the host never
 * discards memory that is in use), reports to have happened, and, once
 * the workload stops, the memfd to shrink.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <pagereport/balloon.h>
#include <pagereport/pagereport.h>

#include "balloon_helpers.h"
#include "sig_churn.h"

/* 256 MiB: upstream gates reporting on low wmark + (32 << order) pages. */
#define NR_PAGES   65536
#define HELD	   48
#define NR_THREADS 4
#define RUN_NS	   1200000000ULL

static struct pgr_node *node;
static struct pgr_guest_ram *ram;
static atomic_bool stop;
static atomic_ulong corrupt, ops;

static void run_strategy(enum pgr_strategy s)
{
	struct pgr_node_config ncfg = { .nr_zones = 1 };
	struct pgr_reporting_config rcfg = { .strategy = s,
					     .clock = PGR_CLOCK_REAL,
					     .delay_ns = 20000000ULL,
					     .delay_set = true };
	struct pgr_balloon_config bcfg = { .fd = -1 };
	struct pgr_balloon_stats bst;
	struct pgr_reporting_stats rst;
	pthread_t th[NR_THREADS];
	struct t_churn_thread args[NR_THREADS];
	struct t_churn churn = { .stop = &stop,
				 .bad = &corrupt,
				 .ops = &ops,
				 .held = HELD,
				 .pause_us = 200 };
	uint64_t t0, before, after;
	struct pgr_sink *sink;
	unsigned long i;
	int fd;
	pid_t pid;

	ncfg.zones[0].nr_pages = NR_PAGES;
	ncfg.zones[0].start_pfn = 0x40000;
	node = pgr_node_create(&ncfg);
	T_ASSERT(node);
	T_ASSERT(pgr_zone_populate(pgr_node_zone(node, 0)) == 0);
	ram = pgr_guest_ram_create_for_node(node);
	T_ASSERT(ram);
	/* Make all of RAM resident so discards are visible. */
	memset(pgr_guest_ram_addr(ram, 0x40000), 1,
	       (size_t)NR_PAGES * PGR_PAGE_SIZE);

	pid = t_daemon_start(NULL, &fd, NULL);
	T_ASSERT(pid > 0);
	bcfg.fd = fd;
	bcfg.ram = ram;
	sink = pgr_sink_balloon_create(&bcfg);
	T_ASSERT(sink);
	if (pgr_reporting_register(node, sink, &rcfg) != 0) {
		fprintf(stderr, "register: %s\n", pgr_errmsg());
		T_ASSERT(0);
	}

	atomic_store(&stop, false);
	atomic_store(&corrupt, 0);
	atomic_store(&ops, 0);
	churn.zone = pgr_node_zone(node, 0);
	churn.ram = ram;
	t_churn_start(&churn, th, args, NR_THREADS);
	t0 = t_now_ns();
	while (t_now_ns() - t0 < RUN_NS)
		usleep(50000);
	atomic_store(&stop, true);
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(th[i], NULL);

	/* Quiet now: let the engine report what is left. */
	T_ASSERT(pgr_guest_ram_allocated_bytes(ram, &before) == 0);
	usleep(300000);
	pgr_reporting_flush(node, 5000000000ULL);
	T_ASSERT(pgr_guest_ram_allocated_bytes(ram, &after) == 0);
	T_ASSERT(pgr_reporting_get_stats(node, &rst) == 0);
	T_ASSERT(pgr_sink_balloon_get_stats(sink, &bst) == 0);
	printf("%s: %lu alloc/free, %llu reports, %llu MiB reported, "
	       "%lu corrupt pages, resident %llu -> %llu MiB\n",
	       pgr_strategy_name(s), atomic_load(&ops),
	       (unsigned long long)bst.reports,
	       (unsigned long long)(bst.bytes >> 20), atomic_load(&corrupt),
	       (unsigned long long)(before >> 20),
	       (unsigned long long)(after >> 20));
	T_ASSERT(atomic_load(&corrupt) == 0);
	T_ASSERT(atomic_load(&ops) > 0);
	T_ASSERT(bst.reports > 0 && bst.errors == 0);
	T_ASSERT(rst.batch_errors == 0);
	T_ASSERT(after < (uint64_t)NR_PAGES * PGR_PAGE_SIZE);

	T_ASSERT(pgr_reporting_unregister(node) == 0);
	pgr_sink_destroy(sink);
	T_ASSERT(t_daemon_stop(pid, SIGTERM) == 0);
	pgr_guest_ram_destroy(ram);
	pgr_node_destroy(node);
}

/*
 * The daemon hangs (SIGSTOP) while the engine reports: Expect report() to
 * fail with PGR_SINK_HELD, nothing to be discarded, the reported pages to
 * stay isolated (pages_held, in the engine's and the sink's stats) and
 * every other page to stay with the allocator.
 */
static void run_dead_daemon(void)
{
	struct pgr_node_config ncfg = { .nr_zones = 1 };
	struct pgr_reporting_config rcfg = { .strategy =
						     PGR_STRATEGY_V11_BOUNDARY,
					     .clock = PGR_CLOCK_REAL,
					     .delay_ns = 10000000ULL,
					     .delay_set = true };
	struct pgr_balloon_config bcfg = { .fd = -1,
					   .timeout_ns = 200000000ULL };
	struct pgr_reporting_stats rst = { 0 };
	struct pgr_balloon_stats bst;
	struct pgr_zone *z;
	uint64_t before, after, pfn, t0, got = 0;
	struct pgr_sink *sink;
	int fd = -1, status;
	pid_t pid;

	ncfg.zones[0].nr_pages = NR_PAGES;
	ncfg.zones[0].start_pfn = 0x40000;
	node = pgr_node_create(&ncfg);
	T_ASSERT(node);
	z = pgr_node_zone(node, 0);
	T_ASSERT(pgr_zone_populate(z) == 0);
	ram = pgr_guest_ram_create_for_node(node);
	T_ASSERT(ram);
	memset(pgr_guest_ram_addr(ram, 0x40000), 1,
	       (size_t)NR_PAGES * PGR_PAGE_SIZE);
	T_ASSERT(pgr_guest_ram_allocated_bytes(ram, &before) == 0);
	pid = t_daemon_start(NULL, &fd, NULL);
	bcfg.fd = fd;
	bcfg.ram = ram;
	sink = pgr_sink_balloon_create(&bcfg);
	T_ASSERT(sink);
	kill(pid, SIGSTOP);
	T_ASSERT(pgr_reporting_register(node, sink, &rcfg) == 0);
	t0 = t_now_ns();
	while (rst.batch_errors == 0 && t_now_ns() - t0 < 5000000000ULL) {
		usleep(20000);
		T_ASSERT(pgr_reporting_get_stats(node, &rst) == 0);
	}
	T_ASSERT(pgr_reporting_get_stats(node, &rst) == 0);
	T_ASSERT(pgr_reporting_unregister(node) == 0);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	T_ASSERT(pgr_guest_ram_allocated_bytes(ram, &after) == 0);
	printf("dead daemon: %llu failed batches, %llu ok, resident %llu -> "
	       "%llu MiB\n",
	       (unsigned long long)rst.batch_errors,
	       (unsigned long long)(rst.batches - rst.batch_errors),
	       (unsigned long long)(before >> 20),
	       (unsigned long long)(after >> 20));
	T_ASSERT(rst.batch_errors >= 1);
	T_ASSERT(after == before);
	/* No page went missing: the whole zone is still allocatable. */
	while (pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn) == 0)
		got++;
	T_ASSERT(pgr_sink_balloon_get_stats(sink, &bst) == 0);
	printf("dead daemon: %llu pages held, %llu allocatable\n",
	       (unsigned long long)rst.pages_held, (unsigned long long)got);
	T_ASSERT(rst.pages_held > 0 && rst.pages_held == bst.pages_held);
	T_ASSERT(got + rst.pages_held == NR_PAGES);
	pgr_sink_destroy(sink);
	pgr_guest_ram_destroy(ram);
	pgr_node_destroy(node);
}

int main(void)
{
	int s;

	t_seed_init();
	if (access(t_daemon_path(), X_OK) != 0) {
		fprintf(stderr, "FAIL: %s not built\n", t_daemon_path());
		return 1;
	}
	for (s = 0; s < PGR_NR_STRATEGIES; s++)
		run_strategy((enum pgr_strategy)s);
	run_dead_daemon();
	printf("PASS\n");
	return 0;
}
