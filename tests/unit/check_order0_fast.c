// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for the order-0 fast paths of pgr_alloc_pages and
 * pgr_free_pages (src/mm/page_alloc.c: alloc_order0_locked and
 * free_order0_locked, the kernel's likely(order == 0) in rmqueue() and
 * free_unref_page()).  They must be observably the same as the full path
 * of __rmqueue_smallest / __free_one_page:
 *  - differential: one random alloc/free trace on two zones whose blocks
 *    are the same, one 4-page aligned (fast path) and one that starts a
 *    page later (full path only), must hand out the same pfns and leave
 *    the same free lists, head to tail, after every step;
 *  - bad order-0 frees are refused with the zone unchanged;
 *  - with reporting at order 0, an order-0 free still notifies reporting;
 *  - an order-0 allocation clears the engine's PG_discarded mark.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include <pagereport/reporting.h>
#include <pagereport/sink.h>

#include "mm_helpers.h"
#include "rand.h"

#define NR 2048 /* pages per zone */

struct live {
	uint64_t pfn;
	unsigned order;
};

/* Every free list of @a and @b, head to tail, is the same. */
static void expect_same_lists(struct pgr_zone *a, struct pgr_zone *b,
			      unsigned mo, unsigned step)
{
	static uint64_t la[NR], lb[NR];

	for (unsigned o = 0; o < mo; o++)
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			size_t na = mmh_list(a, o, mt, la, NR);
			size_t nb = mmh_list(b, o, mt, lb, NR);

			ck_assert_msg(na == nb,
				      "step %u: list o%u mt%d lengths %zu/%zu",
				      step, o, mt, na, nb);
			for (size_t i = 0; i < na; i++)
				ck_assert_msg(la[i] == lb[i],
					      "step %u: list o%u mt%d [%zu]: "
					      "%#" PRIx64 " / %#" PRIx64,
					      step, o, mt, i, la[i], lb[i]);
		}
}

/*
 * Zone A is [4, 4 + NR + 1) with pfn 4 taken for good: aligned, so
 * order-0 calls take the fast path.  Zone B is [5, 5 + NR): the same
 * pages but a start that is not 4-page aligned, so every order-0 free
 * takes the full path.  Pfn 4 busy in A and outside B look the same to
 * merging and to buddy_merge_likely().  Both are first emptied page by
 * page and refilled in one order, so that their lists start equal; then
 * the same trace (mostly order 0, some orders 1..3 so that blocks merge
 * and split, MOVABLE and UNMOVABLE) runs on both.  _i selects max_order:
 * 0 the default, 1 max_order 2 (pageblock_order 1).
 */
START_TEST(test_order0_fast_matches_full_path)
{
	const unsigned mo = _i ? 2 : MMH_MO, pb = _i ? 1 : 0;
	struct pgr_zone *za, *zb;
	struct pgr_node *na = mmh_populated(mo, pb, 4, NR + 1, &za);
	struct pgr_node *nb = mmh_populated(mo, pb, 5, NR, &zb);
	struct live *live = calloc(NR, sizeof(*live));
	struct pgr_rand r;
	size_t nlive = 0;

	ck_assert_ptr_nonnull(live);
	pgr_rand_seed(&r, mmh_seed());
	mmh_take(za, 4, 0);
	for (uint64_t p = 5; p < 5 + NR; p++) {
		mmh_take(za, p, 0);
		mmh_take(zb, p, 0);
	}
	/* Refill in a random order: a mix of head and tail placements. */
	for (uint64_t i = 0; i < NR; i++) {
		uint64_t j = i + pgr_rand_below(&r, NR - i);

		uint64_t t;

		if (!live[i].pfn)
			live[i].pfn = 5 + i;
		if (!live[j].pfn)
			live[j].pfn = 5 + j;
		t = live[i].pfn;
		live[i].pfn = live[j].pfn;
		live[j].pfn = t;
	}
	for (uint64_t i = 0; i < NR / 2; i++) {
		mmh_free(za, live[i].pfn, 0);
		mmh_free(zb, live[i].pfn, 0);
	}
	for (uint64_t i = NR / 2; i < NR; i++)
		live[nlive++] = (struct live){ live[i].pfn, 0 };
	expect_same_lists(za, zb, mo, 0);

	for (unsigned step = 1; step <= 6000; step++) {
		if (pgr_rand_below(&r, 100) < 52 || !nlive) {
			unsigned o = pgr_rand_below(&r, 10) < 8
					     ? 0
					     : 1 + (unsigned)pgr_rand_below(
							   &r, mo > 2 ? 3 : 1);
			int mt = pgr_rand_below(&r, 4) ? PGR_MIGRATE_MOVABLE
						       : PGR_MIGRATE_UNMOVABLE;
			uint64_t pa = 0, pb2 = 0;
			int ea = pgr_alloc_pages(za, o, mt, 0, &pa);
			int eb = pgr_alloc_pages(zb, o, mt, 0, &pb2);

			ck_assert_int_eq(ea, eb);
			MMH_CHECK(za);
			MMH_CHECK(zb);
			if (ea)
				continue;
			ck_assert_msg(pa == pb2,
				      "step %u: order %u got %#" PRIx64
				      " / %#" PRIx64,
				      step, o, pa, pb2);
			live[nlive++] = (struct live){ pa, o };
		} else {
			size_t i = pgr_rand_below(&r, nlive);

			mmh_free(za, live[i].pfn, live[i].order);
			mmh_free(zb, live[i].pfn, live[i].order);
			live[i] = live[--nlive];
		}
		if (step % 97 == 0)
			expect_same_lists(za, zb, mo, step);
	}
	expect_same_lists(za, zb, mo, 6000);
	ck_assert_uint_eq(mmh_info(za).nr_free_pages,
			  mmh_info(zb).nr_free_pages);
	free(live);
	pgr_node_destroy(na);
	pgr_node_destroy(nb);
}
END_TEST

/* A refused free leaves every counter, list and page as it was. */
static void expect_refused(struct pgr_zone *z, uint64_t pfn, unsigned order,
			   int err)
{
	struct mmh_snap before, after;
	const char *diff;

	mmh_snap_take(z, &before);
	ck_assert_int_eq(pgr_free_pages(z, pfn, order), err);
	mmh_snap_take(z, &after);
	diff = mmh_snap_diff(&before, &after);
	ck_assert_msg(!diff, "free %#" PRIx64 "/%u changed %s", pfn, order,
		      diff);
	mmh_snap_free(&before);
	mmh_snap_free(&after);
}

/*
 * Order-0 frees of what is not an allocated order-0 head: a free page,
 * the head and a tail page of an order-2 allocation, an isolated page, a
 * page freed twice, and a page whose buddy is free (it must merge, not be
 * listed twice).
 */
START_TEST(test_order0_fast_refuses_bad_frees)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, NR, &z);
	uint64_t a;

	mmh_take(z, 8, 2);
	mmh_take(z, 16, 0);
	mmh_take(z, 17, 0);
	mmh_take(z, 18, 1);
	mmh_take(z, 20, 0);
	ck_assert_int_eq(pgr_isolate_free_page(z, 21, 0), 0);
	expect_refused(z, 24, 0, -EINVAL); /* free */
	expect_refused(z, 8, 0, -EINVAL);  /* order-2 head */
	expect_refused(z, 9, 0, -EINVAL);  /* tail of it */
	expect_refused(z, 21, 0, -EINVAL); /* isolated */
	mmh_free(z, 16, 0);
	expect_refused(z, 16, 0, -EINVAL); /* twice */
	/* 17's buddy 16 is free: they merge into an order-1 block. */
	mmh_free(z, 17, 0);
	mmh_expect_block(z, 16, PGR_PAGE_FREE, 1, PGR_MIGRATE_MOVABLE);
	a = mmh_alloc(z, 0, PGR_MIGRATE_MOVABLE, 0);
	mmh_free(z, a, 0);
	expect_refused(z, a, 0, -EINVAL);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Reporting at order 0 (upstream, page_reporting_order 0): an order-0
 * free is the only thing that can start a pass, through
 * page_reporting_notify_free(); the fast path must not skip it.
 */
START_TEST(test_order0_fast_free_notifies_order0_reporting)
{
	struct pgr_reporting_config cfg = {
		.strategy = PGR_STRATEGY_UPSTREAM,
		.clock = PGR_CLOCK_VIRTUAL,
		.order = 0,
		.order_set = true,
	};
	struct pgr_reporting_stats st;
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, NR, &z);
	struct pgr_sink *sink = pgr_sink_null_create(32);

	ck_assert_ptr_nonnull(sink);
	/* Everything allocated at order 0, then reporting registered. */
	for (uint64_t p = 0; p < NR; p++)
		mmh_take(z, p, 0);
	ck_assert_int_eq(pgr_reporting_register(n, sink, &cfg), 0);
	ck_assert_int_eq(
		pgr_reporting_run_until_idle(n, 60ULL * 1000000000, NULL), 0);
	/* Every other page: nothing merges, all frees are order 0. */
	for (uint64_t p = 0; p < NR; p += 2)
		mmh_free(z, p, 0);
	ck_assert_int_eq(
		pgr_reporting_run_until_idle(n, 60ULL * 1000000000, NULL), 0);
	ck_assert_int_eq(pgr_reporting_get_stats(n, &st), 0);
	ck_assert_uint_gt(st.pages_reported, 0);
	ck_assert_int_eq(pgr_reporting_unregister(n), 0);
	pgr_sink_destroy(sink);
	pgr_node_destroy(n);
}
END_TEST

/*
 * The engine marks host-discarded pages (PG_discarded) to count pages
 * reported again without having been reallocated.  An order-0 allocation
 * hands the page out again, so it must clear the mark, on the fast path
 * too.  Pages 0 and 1 form a reported, discarded order-1 block; the first
 * order-0 allocation splits it (full path, page 0), the second takes page
 * 1 from the order-0 list (fast path).
 */
START_TEST(test_order0_fast_alloc_clears_discarded)
{
	struct pgr_reporting_config cfg = {
		.strategy = PGR_STRATEGY_UPSTREAM,
		.clock = PGR_CLOCK_VIRTUAL,
		.order = 0,
		.order_set = true,
	};
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, NR, &z);
	struct pgr_sink *sink = pgr_sink_null_create(32);

	ck_assert_ptr_nonnull(sink);
	for (uint64_t p = 0; p < 16; p++)
		mmh_take(z, p, 0);
	mmh_free(z, 0, 0);
	mmh_free(z, 1, 0);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, 1, PGR_MIGRATE_MOVABLE);
	ck_assert_int_eq(pgr_reporting_register(n, sink, &cfg), 0);
	ck_assert_int_eq(
		pgr_reporting_run_until_idle(n, 60ULL * 1000000000, NULL), 0);
	ck_assert(mmh_page(z, 0).reported);
	ck_assert(mmh_page(z, 0).discarded);
	ck_assert(mmh_page(z, 1).discarded);

	ck_assert_uint_eq(mmh_alloc(z, 0, PGR_MIGRATE_MOVABLE, 0), 0);
	ck_assert(!mmh_page(z, 0).discarded);
	ck_assert(mmh_page(z, 1).discarded);
	ck_assert(!mmh_page(z, 1).reported);
	ck_assert_uint_eq(mmh_alloc(z, 0, PGR_MIGRATE_MOVABLE, 0), 1);
	ck_assert(!mmh_page(z, 1).discarded);
	ck_assert_int_eq(pgr_reporting_unregister(n), 0);
	pgr_sink_destroy(sink);
	pgr_node_destroy(n);
}
END_TEST

static Suite *order0_suite(void)
{
	Suite *s = suite_create("order0_fast");
	TCase *tc = tcase_create("order0");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_order0_fast_matches_full_path, 0, 2);
	tcase_add_test(tc, test_order0_fast_refuses_bad_frees);
	tcase_add_test(tc, test_order0_fast_free_notifies_order0_reporting);
	tcase_add_test(tc, test_order0_fast_alloc_clears_discarded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(order0_suite());
}
