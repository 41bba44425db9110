// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Randomized traces against the reporting engine, for every strategy:
 *
 *  - invariants: a churn trace with the walker (ALGORITHM.md §6 A-C) after
 *    every step and inside every report (zone lock dropped, batch isolated,
 *    v11 ACTIVE), where the sink also mutates the zone as other CPUs would;
 *  - equivalence: v11-boundary and v11-rescan on two nodes fed the same
 *    trace report the same ranges in the same batches; rescan visits more;
 *  - convergence: after churn, with no more frees, requests drain the zone:
 *    every free block of order >= rep_order ends up Reported;
 *  - sink errors: nothing is lost; upstream leaves the pages unmarked and
 *    stops the pass, v11 marks them (or retries with skip_mark_on_error).
 */
#include "config.h"

#include <check.h>

#include "reporting_util.h"

#define MS  1000000ULL
#define SEC 1000000000ULL

static char msg[512];

#define CHECK_OK(t)                                                           \
	ck_assert_msg(trace_check(t, msg, sizeof(msg)) == 0, "seed %llu: %s", \
		      (unsigned long long)test_seed(), msg)

static struct pgr_reporting_config rcfg(enum pgr_strategy s)
{
	struct pgr_reporting_config c = {
		.strategy = s,
		.clock = PGR_CLOCK_VIRTUAL,
	};

	return c;
}

/* ---- invariants ---------------------------------------------------------- */

/* Inside report(): check, then a few steps of "another CPU", check again. */
static void mutate_in_report(struct hook_sink *h, const struct pgr_range *r,
			     unsigned int n)
{
	struct trace *t = h->arg;
	uint64_t adv = t->max_advance_ns;
	unsigned int k = (unsigned int)pgr_rand_below(&t->rand, 4);

	(void)r;
	(void)n;
	CHECK_OK(t);
	t->max_advance_ns = 0; /* the clock cannot move inside the work */
	for (unsigned int i = 0; i < k; i++)
		ck_assert_int_eq(trace_step(t), 0);
	t->max_advance_ns = adv;
	CHECK_OK(t);
}

/*
 *   loop i: strategy = i % 4 (all four), layout = BIG/SMALL/TINY,
 *   shuffle off/on
 * Expect every invariant to hold after every step, and at the end the
 * engine to have reported something, except upstream on TINY (4096 pages,
 * pageblock 9): the watermark gate low + 32 << 9 exceeds the zone, so
 * every pass skips it (ALGORITHM.md §6 D13); and bitmap on TINY: 8 bits
 * of order 9 can never reach v12's per-zone threshold of 16.
 */
START_TEST(test_reporting_trace_invariants)
{
	enum pgr_strategy s = (enum pgr_strategy)(_i % PGR_NR_STRATEGIES);
	enum test_layout l = (enum test_layout)((_i / PGR_NR_STRATEGIES) % 3);
	bool shuffle = (_i / (3 * PGR_NR_STRATEGIES)) % 2;
	uint64_t seed = test_seed() * 1000 + (uint64_t)_i;
	unsigned int steps = l == LAYOUT_BIG ? 1500 : 4000;
	struct pgr_reporting_config c = rcfg(s);
	struct pgr_reporting_stats st;
	struct pgr_node *node = test_node(l, 0, shuffle, seed);
	struct pgr_sink *rec = recorder(16, 0);
	struct hook_sink h;
	struct trace t;

	ck_assert_ptr_nonnull(node);
	ck_assert_ptr_nonnull(rec);
	trace_init(&t, node, seed);
	t.extra_ops = true;
	t.max_advance_ns = s == PGR_STRATEGY_UPSTREAM ? 3 * SEC : 300 * MS;
	hook_sink_init(&h, rec);
	h.fn = mutate_in_report;
	h.arg = &t;
	ck_assert_int_eq(pgr_zone_populate(t.zone), 0);
	ck_assert_int_eq(pgr_reporting_register(node, &h.sink, &c), 0);
	CHECK_OK(&t);
	for (unsigned int i = 0; i < steps; i++) {
		int err = trace_step(&t);

		ck_assert_msg(err == 0, "seed %llu step %u: %d %s",
			      (unsigned long long)seed, i, err, pgr_errmsg());
		CHECK_OK(&t);
	}
	ck_assert_int_eq(trace_unisolate(&t), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(node, 600 * SEC, NULL),
			 0);
	CHECK_OK(&t);
	ck_assert_int_eq(pgr_reporting_get_stats(node, &st), 0);
	if (s == PGR_STRATEGY_UPSTREAM && l == LAYOUT_TINY) {
		ck_assert_uint_eq(st.blocks_reported, 0);
		ck_assert_uint_eq(rep_counter(node, "zones_gated"), st.passes);
		ck_assert_uint_gt(st.passes, 0);
	} else if (s == PGR_STRATEGY_BITMAP && l == LAYOUT_TINY) {
		/* 8 order-9 blocks: free_pages never reaches max_pages 16 */
		ck_assert_uint_eq(st.blocks_reported, 0);
		ck_assert_uint_eq(st.requests, 0);
	} else {
		ck_assert_uint_gt(st.blocks_reported, 0);
	}
	ck_assert_uint_eq(st.batches, pgr_sink_recorder_nr_batches(rec));
	ck_assert_int_eq(pgr_reporting_unregister(node), 0);
	CHECK_OK(&t);
	while (t.nr_blocks)
		ck_assert_int_eq(trace_free_at(&t, 0), 0);
	CHECK_OK(&t);
	trace_fini(&t);
	pgr_node_destroy(node);
	pgr_sink_destroy(rec);
}
END_TEST

/* ---- equivalence ------------------------------------------------------- */

/*
 * Two nodes, same seed, same trace: v11-boundary and v11-rescan.
 * Expect identical batches after every step, and rescan to visit at least
 * as many list nodes on every trace and strictly more over all of them.
 */
START_TEST(test_reporting_v11_equivalence)
{
	enum test_layout l = _i ? LAYOUT_BIG : LAYOUT_SMALL;
	unsigned int nr_traces = l == LAYOUT_BIG ? 6 : 24;
	unsigned int steps = l == LAYOUT_BIG ? 3000 : 3000;
	uint64_t visited[2] = { 0, 0 };

	for (unsigned int k = 0; k < nr_traces; k++) {
		uint64_t seed = test_seed() * 7919 + k;
		struct pgr_node *node[2];
		struct pgr_sink *rec[2];
		struct trace t[2];
		struct pgr_reporting_stats st[2];

		for (int j = 0; j < 2; j++) {
			struct pgr_reporting_config c =
				rcfg(j ? PGR_STRATEGY_V11_RESCAN
				       : PGR_STRATEGY_V11_BOUNDARY);

			node[j] = test_node(l, 0, false, seed);
			rec[j] = recorder(1 + (unsigned int)(seed % 32), 0);
			ck_assert_ptr_nonnull(node[j]);
			trace_init(&t[j], node[j], seed);
			t[j].extra_ops = true;
			t[j].max_advance_ns = 300 * MS;
			/* vary the delay so work interleaves with the trace */
			c.delay_ns = (seed % 4) * 50 * MS;
			c.delay_set = true;
			ck_assert_int_eq(pgr_zone_populate(t[j].zone), 0);
			ck_assert_int_eq(
				pgr_reporting_register(node[j], rec[j], &c), 0);
		}
		for (unsigned int i = 0; i < steps; i++) {
			ck_assert_int_eq(trace_step(&t[0]), 0);
			ck_assert_int_eq(trace_step(&t[1]), 0);
			ck_assert_msg(
				pgr_sink_recorder_nr_batches(rec[0]) ==
					pgr_sink_recorder_nr_batches(rec[1]),
				"seed %llu step %u: batch counts differ",
				(unsigned long long)seed, i);
		}
		for (int j = 0; j < 2; j++) {
			ck_assert_int_eq(trace_unisolate(&t[j]), 0);
			ck_assert_int_eq(pgr_reporting_run_until_idle(
						 node[j], 600 * SEC, NULL),
					 0);
			CHECK_OK(&t[j]);
			pgr_reporting_get_stats(node[j], &st[j]);
			visited[j] += st[j].nodes_visited;
		}
		ck_assert_msg(
			recorders_equal(rec[0], rec[1], msg, sizeof(msg)) == 0,
			"seed %llu: %s", (unsigned long long)seed, msg);
		ck_assert_uint_eq(st[0].blocks_marked, st[1].blocks_marked);
		ck_assert_uint_ge(st[1].nodes_visited, st[0].nodes_visited);
		for (int j = 0; j < 2; j++) {
			pgr_node_destroy(node[j]);
			pgr_sink_destroy(rec[j]);
			trace_fini(&t[j]);
		}
	}
	ck_assert_uint_gt(visited[1], visited[0]);
}
END_TEST

/*
 * A populated zone reported in many small batches: every search after the
 * first re-walks the reported region in v11-rescan.
 * Expect the same batches and strictly more nodes visited by rescan.
 */
START_TEST(test_reporting_v11_rescan_visits_more)
{
	struct pgr_reporting_stats st[2];
	struct pgr_sink *rec[2];
	struct pgr_node *node[2];

	for (int j = 0; j < 2; j++) {
		struct pgr_reporting_config c =
			rcfg(j ? PGR_STRATEGY_V11_RESCAN
			       : PGR_STRATEGY_V11_BOUNDARY);

		node[j] = test_node(LAYOUT_SMALL, 0, false, 1);
		rec[j] = recorder(4, 0);
		ck_assert_int_eq(pgr_zone_populate(pgr_node_zone(node[j], 0)),
				 0);
		ck_assert_int_eq(pgr_reporting_register(node[j], rec[j], &c),
				 0);
		ck_assert_int_eq(
			pgr_reporting_run_until_idle(node[j], SEC, NULL), 0);
		pgr_reporting_get_stats(node[j], &st[j]);
	}
	ck_assert_int_eq(recorders_equal(rec[0], rec[1], msg, sizeof(msg)), 0);
	/* 4096 pages = 64 blocks of order 6, 16 batches of 4 */
	ck_assert_uint_eq(st[0].blocks_marked, 64);
	ck_assert_uint_eq(st[0].batches, 16);
	ck_assert_uint_gt(st[1].nodes_visited, st[0].nodes_visited);
	for (int j = 0; j < 2; j++) {
		pgr_node_destroy(node[j]);
		pgr_sink_destroy(rec[j]);
	}
}
END_TEST

/* ---- convergence --------------------------------------------------------- */

/*
 * Churn, then no more frees.  A request runs to the end of the zone (v11)
 * or repeats passes while the budget runs out (upstream); a drain that
 * merges leaves the merged block unreported until the next request, so we
 * request again (re-register: flags survive) at most once per order.
 * Expect every free block of order >= rep_order Reported.
 */
START_TEST(test_reporting_convergence)
{
	enum pgr_strategy s = (enum pgr_strategy)(_i % 3);
	enum test_layout l = _i / 3 ? LAYOUT_BIG : LAYOUT_SMALL;
	uint64_t seed = test_seed() * 31 + (uint64_t)_i;
	struct pgr_reporting_config c = rcfg(s);
	struct pgr_node *node = test_node(l, 0, false, seed);
	struct pgr_sink *rec = recorder(16, 0);
	struct pgr_reporting_stats st;
	struct pgr_zone_info info;
	unsigned int rounds = 0;
	struct trace t;

	trace_init(&t, node, seed);
	t.extra_ops = true;
	t.max_advance_ns = 300 * MS;
	ck_assert_int_eq(pgr_zone_populate(t.zone), 0);
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	for (unsigned int i = 0; i < 6000; i++)
		ck_assert_int_eq(trace_step(&t), 0);
	ck_assert_int_eq(trace_unisolate(&t), 0);
	pgr_zone_get_info(t.zone, &info);
	for (;;) {
		ck_assert_int_eq(
			pgr_reporting_run_until_idle(node, 3600 * SEC, NULL),
			0);
		CHECK_OK(&t);
		if (!unreported_blocks(t.zone, info.pageblock_order))
			break;
		ck_assert_uint_lt(++rounds, info.max_order);
		ck_assert_int_eq(pgr_reporting_unregister(node), 0);
		ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	}
	pgr_reporting_get_stats(node, &st);
	ck_assert_uint_gt(st.blocks_marked, 0);
	ck_assert_int_eq(pgr_reporting_unregister(node), 0);
	trace_fini(&t);
	pgr_node_destroy(node);
	pgr_sink_destroy(rec);
}
END_TEST

/*
 * Upstream on an idle, freshly populated big zone: 128 order-10 blocks,
 * budget DIV_ROUND_UP(128, 32 * 16) = 1 => 2 reports of 32 per pass.
 * Expect several passes 2 s apart, budget_exhausted counted, and the
 * whole zone Reported at the end of the last one.
 */
START_TEST(test_reporting_upstream_budget_passes)
{
	struct pgr_reporting_config c = rcfg(PGR_STRATEGY_UPSTREAM);
	struct pgr_node *node = test_node(LAYOUT_BIG, 131072, false, 1);
	struct pgr_sink *rec = recorder(32, 0);
	struct pgr_reporting_stats st;
	uint64_t elapsed;

	ck_assert_int_eq(pgr_zone_populate(pgr_node_zone(node, 0)), 0);
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	ck_assert_int_eq(
		pgr_reporting_run_until_idle(node, 3600 * SEC, &elapsed), 0);
	pgr_reporting_get_stats(node, &st);
	ck_assert_uint_eq(unreported_blocks(pgr_node_zone(node, 0), 9), 0);
	ck_assert_uint_eq(st.blocks_marked, 128);
	ck_assert_uint_ge(st.passes, 2);
	ck_assert_uint_gt(rep_counter(node, "budget_exhausted"), 0);
	ck_assert_uint_eq(elapsed, st.passes * PGR_UPSTREAM_DELAY_NS);
	pgr_node_destroy(node);
	pgr_sink_destroy(rec);
}
END_TEST

/* ---- sink errors ------------------------------------------------------- */

static bool range_reported(struct pgr_node *node, const struct pgr_range *r)
{
	struct pgr_page_info pi;

	ck_assert_int_eq(
		pgr_page_get_info(pgr_node_zone(node, r->zone), r->pfn, &pi),
		0);
	return pi.state == PGR_PAGE_FREE && pi.order == r->order && pi.reported;
}

/*
 * A fresh zone of 64 order-6 blocks; the first report fails (-EIO).
 * Expect no page lost; upstream: that batch unmarked, pass stopped (one
 * batch), a later free reports them; v11: the batch marked anyway;
 * v11 + skip_mark_on_error: unmarked, and the same cycle reports them.
 */
START_TEST(test_reporting_sink_errors)
{
	enum pgr_strategy s = (enum pgr_strategy)(_i % 3);
	bool skip = _i >= 3;
	struct pgr_reporting_config c = rcfg(s);
	struct pgr_node *node = test_node(LAYOUT_SMALL, 0, false, 1);
	struct pgr_sink *rec = recorder(8, 1);
	struct pgr_recorded_batch b0;
	struct pgr_reporting_stats st;
	struct pgr_param skip_mark = { .name = "skip_mark_on_error",
				       .value = 1 };
	struct trace t;

	/* v11's parameter (upstream never marks a failed batch) */
	if (skip && s != PGR_STRATEGY_UPSTREAM) {
		c.params = &skip_mark;
		c.nr_params = 1;
	}
	trace_init(&t, node, 1);
	ck_assert_int_eq(pgr_zone_populate(t.zone), 0);
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(node, 3600 * SEC, NULL),
			 0);
	CHECK_OK(&t);
	ck_assert_int_eq(pgr_sink_recorder_batch(rec, 0, &b0), 0);
	ck_assert_int_eq(b0.ret, -EIO);
	ck_assert_uint_eq(b0.n, 8);
	pgr_reporting_get_stats(node, &st);
	ck_assert_uint_eq(st.batch_errors, 1);

	if (s == PGR_STRATEGY_UPSTREAM) {
		ck_assert_uint_eq(pgr_sink_recorder_nr_batches(rec), 1);
		for (unsigned int i = 0; i < b0.n; i++)
			ck_assert(!range_reported(node, &b0.ranges[i]));
		ck_assert_uint_eq(unreported_blocks(t.zone, 4), 64);
		/* any free requests a pass: everything gets reported */
		ck_assert_int_eq(trace_alloc(&t, 0, PGR_MIGRATE_MOVABLE), 0);
		ck_assert_int_eq(trace_free_at(&t, 0), 0);
		ck_assert_int_eq(
			pgr_reporting_run_until_idle(node, 3600 * SEC, NULL),
			0);
		ck_assert_uint_eq(unreported_blocks(t.zone, 4), 0);
	} else if (!skip) {
		for (unsigned int i = 0; i < b0.n; i++)
			ck_assert(range_reported(node, &b0.ranges[i]));
		ck_assert_uint_eq(unreported_blocks(t.zone, 4), 0);
		/* 64 blocks, 8 per batch: the failed one is not redone */
		ck_assert_uint_eq(pgr_sink_recorder_nr_batches(rec), 8);
	} else {
		/* the unmarked pages went back in front of the boundary */
		ck_assert_uint_eq(pgr_sink_recorder_nr_batches(rec), 9);
		ck_assert_uint_eq(unreported_blocks(t.zone, 4), 0);
	}
	CHECK_OK(&t);
	pgr_node_destroy(node);
	pgr_sink_destroy(rec);
	trace_fini(&t);
}
END_TEST

static Suite *reporting_trace_suite(void)
{
	Suite *s = suite_create("reporting_trace");
	TCase *tc;

	tc = tcase_create("invariants");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_reporting_trace_invariants, 0,
			    6 * PGR_NR_STRATEGIES);
	suite_add_tcase(s, tc);

	tc = tcase_create("equivalence");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_reporting_v11_equivalence, 0, 2);
	tcase_add_test(tc, test_reporting_v11_rescan_visits_more);
	suite_add_tcase(s, tc);

	tc = tcase_create("convergence");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_reporting_convergence, 0, 6);
	tcase_add_test(tc, test_reporting_upstream_budget_passes);
	suite_add_tcase(s, tc);

	tc = tcase_create("sink_errors");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_reporting_sink_errors, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(reporting_trace_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		fprintf(stderr, "PGR_SEED=%llu\n",
			(unsigned long long)test_seed());
	return failed ? 1 : 0;
}
