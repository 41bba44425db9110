// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the workload generators (src/workload/): every kind is
 * deterministic per seed (the same seed gives the same calls, recorded as
 * a trace; another seed other calls), keeps the zone consistent, returns
 * it whole after free_all, paces steps on the engine clock, and refuses
 * bad input with a message.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

#include "mm_helpers.h"

static struct pgr_workload_config kind_cfg(enum pgr_workload_kind k,
					   uint64_t seed)
{
	struct pgr_workload_config cfg = { .kind = k, .seed = seed };

	cfg.churn.occupancy = 0.5;
	cfg.fill.occupancy = 0.6;
	cfg.fill.order = 2;
	cfg.fill.hold_ops = 3;
	cfg.page_fault1.order = 9;
	return cfg;
}

/* Run @k for @steps on a fresh 16 MiB zone, recording into a new trace. */
static struct pgr_trace *record_run(enum pgr_workload_kind k, uint64_t seed,
				    unsigned steps)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0x1000, 4096, &z);
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_workload_config cfg = kind_cfg(k, seed);
	struct pgr_workload *w;

	ck_assert_ptr_nonnull(t);
	cfg.record = t;
	w = pgr_workload_create(z, &cfg);
	ck_assert_msg(w, "create %s: %s", pgr_workload_kind_name(k),
		      pgr_errmsg());
	ck_assert_int_eq(pgr_workload_fill(w), 0);
	for (unsigned i = 0; i < steps; i++) {
		int err = pgr_workload_step(w);

		ck_assert_msg(!err || err == -ENOMEM, "step: %d", err);
		pgr_workload_set_time(w, (uint64_t)(i + 1) * 1000);
	}
	MMH_CHECK(z);
	ck_assert_int_eq(pgr_workload_free_all(w), 0);
	/* BUILD keeps nothing behind either: the zone is whole again */
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, 4096);
	MMH_CHECK(z);
	pgr_workload_destroy(w);
	pgr_node_destroy(n);
	return t;
}

START_TEST(test_workload_deterministic_per_seed)
{
	enum pgr_workload_kind k = (enum pgr_workload_kind)_i;
	struct pgr_trace *a = record_run(k, 7, 3000);
	struct pgr_trace *b = record_run(k, 7, 3000);
	struct pgr_trace *c = record_run(k, 8, 3000);

	ck_assert_uint_gt(pgr_trace_nr_events(a), 1000);
	ck_assert_msg(mmh_trace_events_equal(a, b),
		      "%s: same seed, other calls", pgr_workload_kind_name(k));
	/* page_fault1 draws no random number: every step is the same pair */
	if (k != PGR_WORKLOAD_PAGE_FAULT1)
		ck_assert_msg(!mmh_trace_events_equal(a, c),
			      "%s: seed has no effect",
			      pgr_workload_kind_name(k));
	pgr_trace_destroy(a);
	pgr_trace_destroy(b);
	pgr_trace_destroy(c);
}
END_TEST

/* CHURN stays near its target; FILL_FREE cycles; counters add up. */
START_TEST(test_workload_counters)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 8192, &z);
	struct pgr_workload_config cfg = kind_cfg(PGR_WORKLOAD_CHURN, 1);
	struct pgr_workload_stats st;
	struct pgr_workload *w = pgr_workload_create(z, &cfg);

	ck_assert_ptr_nonnull(w);
	pgr_workload_fill(w);
	for (int i = 0; i < 5000; i++)
		pgr_workload_step(w);
	ck_assert_int_eq(pgr_workload_get_stats(w, &st), 0);
	ck_assert_uint_eq(st.target_pages, 4096);
	ck_assert_uint_eq(8192 - mmh_info(z).nr_free_pages, st.live_pages);
	ck_assert_uint_eq(st.allocs - st.frees, st.live_blocks);
	ck_assert_uint_gt(st.live_pages, 4096 / 2);
	pgr_workload_free_all(w);
	pgr_workload_destroy(w);

	cfg = kind_cfg(PGR_WORKLOAD_FILL_FREE, 1);
	w = pgr_workload_create(z, &cfg);
	ck_assert_ptr_nonnull(w);
	for (int i = 0; i < 5000; i++)
		ck_assert_int_eq(pgr_workload_step(w), 0);
	pgr_workload_get_stats(w, &st);
	/* 0.6 * 8192 / 4 blocks in, 3 held, out again: 2049-step cycles */
	ck_assert_uint_eq(st.cycles, 2);
	ck_assert_uint_le(st.live_pages, 8192 * 6 / 10);
	pgr_workload_free_all(w);
	pgr_workload_destroy(w);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, 8192);
	pgr_node_destroy(n);
}
END_TEST

/*
 * CHURN drifts back to its target: 60 % allocations below it, 40 %
 * above.  With small blocks (orders 0..2, uniform) on 8192 pages at 0.5,
 * expect every one of 5000 steps to stay within 256 pages of 4096 (on
 * seeds 1..8 it stays within 60; a walk drifting away instead averages
 * more than 400 pages off).
 */
START_TEST(test_workload_churn_stays_near_target)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 8192, &z);
	struct pgr_workload_config cfg =
		kind_cfg(PGR_WORKLOAD_CHURN, mmh_seed());
	struct pgr_workload_stats st;
	struct pgr_workload *w;

	cfg.churn.mix = PGR_CHURN_MIX_UNIFORM;
	cfg.churn.orders_set = true;
	cfg.churn.min_order = 0;
	cfg.churn.max_order = 2;
	w = pgr_workload_create(z, &cfg);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(pgr_workload_fill(w), 0);
	for (int i = 0; i < 5000; i++) {
		ck_assert_int_eq(pgr_workload_step(w), 0);
		ck_assert_int_eq(pgr_workload_get_stats(w, &st), 0);
		ck_assert_msg(st.live_pages + 256 >= 4096 &&
				      st.live_pages <= 4096 + 256,
			      "step %d: %llu live pages, target 4096", i,
			      (unsigned long long)st.live_pages);
	}
	ck_assert_uint_eq(st.target_pages, 4096);
	ck_assert_uint_gt(st.frees, 1000); /* it did churn */
	pgr_workload_free_all(w);
	pgr_workload_destroy(w);
	pgr_node_destroy(n);
}
END_TEST

/*
 * FILL_FREE to a target that is an exact multiple of the block: 8192
 * pages at occupancy 0.5 in order-9 blocks.  Expect the fill to stop at
 * exactly 4096 live pages in 8 blocks (the last block fits the target
 * exactly), then, stepping, the 8 blocks held and freed and the next
 * fill reaching 8 blocks again.
 */
START_TEST(test_workload_fill_exact_multiple)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 8192, &z);
	struct pgr_workload_config cfg = kind_cfg(PGR_WORKLOAD_FILL_FREE, 1);
	struct pgr_workload_stats st;
	struct pgr_workload *w;

	cfg.fill.occupancy = 0.5;
	cfg.fill.order = 9;
	cfg.fill.hold_ops = 2;
	w = pgr_workload_create(z, &cfg);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(pgr_workload_fill(w), 0);
	ck_assert_int_eq(pgr_workload_get_stats(w, &st), 0);
	ck_assert_uint_eq(st.target_pages, 4096);
	ck_assert_uint_eq(st.live_pages, 4096);
	ck_assert_uint_eq(st.live_blocks, 8);
	ck_assert_uint_eq(st.allocs, 8);
	ck_assert_uint_eq(st.alloc_failures, 0);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, 4096);
	/* 2 held, 8 freed, then the next fill: 8 blocks again */
	for (int i = 0; i < 2 + 8 + 8; i++)
		ck_assert_int_eq(pgr_workload_step(w), 0);
	ck_assert_int_eq(pgr_workload_get_stats(w, &st), 0);
	ck_assert_uint_eq(st.cycles, 1);
	ck_assert_uint_eq(st.frees, 8);
	ck_assert_uint_eq(st.live_pages, 4096);
	ck_assert_uint_eq(st.allocs, 16);
	MMH_CHECK(z);
	ck_assert_int_eq(pgr_workload_free_all(w), 0);
	pgr_workload_destroy(w);
	pgr_node_destroy(n);
}
END_TEST

/* pgr_workload_run paces at cfg.rate on the engine's clock. */
START_TEST(test_workload_run_on_engine_clock)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 8192, &z);
	struct pgr_workload_config cfg = kind_cfg(PGR_WORKLOAD_CHURN, 3);
	struct pgr_reporting_config rcfg = { .strategy =
						     PGR_STRATEGY_UPSTREAM };
	struct pgr_sink *sink = pgr_sink_null_create(32);
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_workload_stats st;
	struct pgr_workload *w;

	cfg.rate = 5000;
	cfg.record = t;
	ck_assert_int_eq(pgr_reporting_register(n, sink, &rcfg), 0);
	w = pgr_workload_create(z, &cfg);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(pgr_workload_run(w, 3000000000ULL, 0), 0);
	pgr_workload_get_stats(w, &st);
	ck_assert_uint_eq(st.ops, 15000);
	ck_assert_uint_eq(pgr_reporting_now(n), 3000000000ULL);
	/* recorded times are the engine's: the last one in the last ms */
	ck_assert_uint_ge(
		pgr_trace_events(t)[pgr_trace_nr_events(t) - 1].time_ns,
		2999000000ULL);
	pgr_workload_destroy(w);
	pgr_reporting_unregister(n);
	pgr_sink_destroy(sink);
	pgr_trace_destroy(t);
	pgr_node_destroy(n);
}
END_TEST

START_TEST(test_workload_bad_input)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 4096, &z);
	struct pgr_workload_config cfg = kind_cfg(PGR_WORKLOAD_CHURN, 1);
	struct pgr_workload_stats st;
	struct pgr_workload *w;

	errno = 0;
	ck_assert_ptr_null(pgr_workload_create(NULL, &cfg));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(pgr_workload_create(z, NULL));
	cfg.kind = (enum pgr_workload_kind)9;
	ck_assert_ptr_null(pgr_workload_create(z, &cfg));
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "kind"));
	cfg = kind_cfg(PGR_WORKLOAD_CHURN, 1);
	cfg.churn.occupancy = 1.5;
	ck_assert_ptr_null(pgr_workload_create(z, &cfg));
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "occupancy"));
	cfg.churn.occupancy = 0;
	ck_assert_ptr_null(pgr_workload_create(z, &cfg));
	cfg = kind_cfg(PGR_WORKLOAD_CHURN, 1);
	cfg.churn.orders_set = true;
	cfg.churn.min_order = 3;
	cfg.churn.max_order = 11;
	ck_assert_ptr_null(pgr_workload_create(z, &cfg));
	cfg = kind_cfg(PGR_WORKLOAD_CHURN, 1);
	cfg.migratetype_set = true;
	cfg.migratetype = PGR_MIGRATE_ISOLATE;
	ck_assert_ptr_null(pgr_workload_create(z, &cfg));
	cfg = kind_cfg(PGR_WORKLOAD_CHURN, 1);
	cfg.rate = -1;
	ck_assert_ptr_null(pgr_workload_create(z, &cfg));
	cfg = kind_cfg(PGR_WORKLOAD_FILL_FREE, 1);
	cfg.fill.order = 11;
	ck_assert_ptr_null(pgr_workload_create(z, &cfg));
	cfg = kind_cfg(PGR_WORKLOAD_PAGE_FAULT1, 1);
	cfg.page_fault1.order = 99;
	ck_assert_ptr_null(pgr_workload_create(z, &cfg));
	cfg = kind_cfg(PGR_WORKLOAD_BUILD, 1);
	cfg.build.jobs = 1000;
	ck_assert_ptr_null(pgr_workload_create(z, &cfg));
	cfg.build.jobs = 2;
	cfg.build.min_life_ms = 9;
	cfg.build.max_life_ms = 1;
	ck_assert_ptr_null(pgr_workload_create(z, &cfg));

	ck_assert_int_eq(pgr_workload_fill(NULL), -EINVAL);
	ck_assert_int_eq(pgr_workload_step(NULL), -EINVAL);
	ck_assert_int_eq(pgr_workload_run(NULL, 1, 1), -EINVAL);
	ck_assert_int_eq(pgr_workload_free_all(NULL), -EINVAL);
	ck_assert_int_eq(pgr_workload_free_fraction(NULL, 0.5), -EINVAL);
	ck_assert_int_eq(pgr_workload_set_time(NULL, 1), -EINVAL);
	ck_assert_int_eq(pgr_workload_get_stats(NULL, &st), -EINVAL);
	ck_assert_int_eq(pgr_workload_kind_from_name("nope"), -EINVAL);
	ck_assert_int_eq(pgr_workload_kind_from_name(NULL), -EINVAL);
	ck_assert_int_eq(pgr_workload_kind_from_name("fill-free"),
			 PGR_WORKLOAD_FILL_FREE);
	ck_assert_str_eq(pgr_workload_kind_name((enum pgr_workload_kind)77),
			 "unknown");
	pgr_workload_destroy(NULL);

	cfg = kind_cfg(PGR_WORKLOAD_CHURN, 1);
	w = pgr_workload_create(z, &cfg);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(pgr_workload_get_stats(w, NULL), -EINVAL);
	ck_assert_int_eq(pgr_workload_free_fraction(w, 1.5), -EINVAL);
	ck_assert_int_eq(pgr_workload_free_fraction(w, -0.1), -EINVAL);
	pgr_workload_fill(w);
	/* someone frees the workload's memory behind its back: -EIO, and
	 * the zone is not corrupted */
	{
		uint64_t pfn;
		struct pgr_page_info pi;

		for (pfn = 0; pfn < 4096; pfn++)
			if (!pgr_page_get_info(z, pfn, &pi) &&
			    pi.state == PGR_PAGE_ALLOCATED)
				break;
		ck_assert_int_eq(pgr_free_pages(z, pfn, pi.order), 0);
	}
	ck_assert_int_eq(pgr_workload_free_all(w), -EIO);
	ck_assert_int_eq(pgr_workload_step(w), -EIO);
	MMH_CHECK(z);
	pgr_workload_destroy(w);
	pgr_node_destroy(n);
}
END_TEST

static Suite *workload_suite(void)
{
	Suite *s = suite_create("workload");
	TCase *tc = tcase_create("workload");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_workload_deterministic_per_seed, 0,
			    PGR_NR_WORKLOADS);
	tcase_add_test(tc, test_workload_counters);
	tcase_add_test(tc, test_workload_fill_exact_multiple);
	tcase_add_test(tc, test_workload_churn_stays_near_target);
	tcase_add_test(tc, test_workload_run_on_engine_clock);
	tcase_add_test(tc, test_workload_bad_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(workload_suite());
}
