// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The cost of each strategy on a 32 GiB zone (8388608 pages, MAX_ORDER 11,
 * pageblock 9), virtual clock, null sink of capacity 32:
 *   populate, register, run until idle, then a churn trace of N random
 *   allocations and frees at orders 0..10 (skewed small) towards 50 %
 *   occupancy, 1 ms of virtual time per operation, then run until idle.
 * Prints, per strategy and phase (initial report of the populated zone,
 * churn, drain after the churn, total): batches, pages reported, list
 * nodes visited per reported page, passes, virtual time to idle.
 *
 *   tests/unit/measure_reporting [nr_ops [seed]]     (default 200000 1)
 */
#include "config.h"

#include <inttypes.h>
#include <time.h>

#include "reporting_util.h"

#define MS 1000000ULL

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void print_phase(const char *what, const struct pgr_reporting_stats *a,
			const struct pgr_reporting_stats *b, uint64_t idle_ns)
{
	uint64_t pages = b->pages_reported - a->pages_reported;

	printf("  %-8s batches %7" PRIu64 "  pages %9" PRIu64
	       "  visited/page %8.4f  passes %3" PRIu64
	       "  virtual time to idle %7.3f s\n",
	       what, b->batches - a->batches, pages,
	       pages ? (double)(b->nodes_visited - a->nodes_visited) /
			       (double)pages
		     : 0.0,
	       b->passes - a->passes, (double)idle_ns / 1e9);
}

static int run(enum pgr_strategy s, uint64_t nr_ops, uint64_t seed)
{
	struct pgr_reporting_config c = { .strategy = s };
	struct pgr_node *node = test_node(LAYOUT_BIG, 8388608, false, seed);
	struct pgr_sink *sink = pgr_sink_null_create(32);
	struct pgr_reporting_stats z = { 0 }, a, b, e;
	struct pgr_zone_info info;
	uint64_t idle0 = 0, idle1 = 0, t0;
	struct trace t;
	int err;

	if (!node || !sink)
		return 1;
	trace_init(&t, node, seed);
	if (pgr_zone_populate(t.zone) || pgr_reporting_register(node, sink, &c))
		return 1;
	t0 = mono_ns();
	/* phase 1: the initial report of the whole populated zone */
	err = pgr_reporting_run_until_idle(node, 3600ULL * 1000 * MS, &idle0);
	pgr_reporting_get_stats(node, &a);
	/* phase 2: churn, 1 ms of virtual time per operation */
	for (uint64_t i = 0; !err && i < nr_ops; i++) {
		err = pgr_reporting_advance(node, MS);
		if (!err)
			err = trace_step(&t);
	}
	if (err) {
		fprintf(stderr, "%s: %d %s\n", pgr_strategy_name(s), err,
			pgr_errmsg());
		return 1;
	}
	pgr_reporting_get_stats(node, &b);
	/* phase 3: no more frees, run until idle */
	err = pgr_reporting_run_until_idle(node, 3600ULL * 1000 * MS, &idle1);
	pgr_reporting_get_stats(node, &e);
	pgr_zone_get_info(t.zone, &info);
	printf("%s: cpu %.2f s, occupancy at end %.1f %%, free blocks >= "
	       "order 9 left unreported %" PRIu64 "%s\n",
	       pgr_strategy_name(s), (double)(mono_ns() - t0) / 1e9,
	       100.0 * (double)info.nr_allocated_pages / (double)info.nr_pages,
	       unreported_blocks(t.zone, 9), err ? " (NOT IDLE)" : "");
	print_phase("initial", &z, &a, idle0);
	print_phase("churn", &a, &b, 0);
	print_phase("drain", &b, &e, idle1);
	print_phase("total", &z, &e, 0);
	trace_fini(&t);
	pgr_node_destroy(node);
	pgr_sink_destroy(sink);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t nr_ops = argc > 1 ? strtoull(argv[1], NULL, 0) : 200000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;

	printf("32 GiB zone, %" PRIu64 " ops, seed %" PRIu64 "\n", nr_ops,
	       seed);
	for (int s = 0; s < PGR_NR_STRATEGIES; s++)
		if (run((enum pgr_strategy)s, nr_ops, seed))
			return 1;
	return 0;
}
