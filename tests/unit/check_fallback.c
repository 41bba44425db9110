// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for migratetype fallback and stealing (src/mm/page_alloc.c:
 * __rmqueue_fallback, find_suitable_fallback, steal_suitable_fallback,
 * Linux 5.4): the fallbacks[] order per migratetype, largest block first,
 * whole-pageblock steal changing the pageblock type, find_smallest for
 * MOVABLE requests that cannot steal, HIGHATOMIC never used as a fallback,
 * PGR_ALLOC_NOFRAGMENT and PGR_ALLOC_NO_FALLBACK.  Default orders (11, 9);
 * most setups use a 2048-page zone of four pageblocks:
 *
 *   pb0 [0,512)  pb1 [512,1024)  pb2 [1024,1536)  pb3 [1536,2048)
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>

#include "mm_helpers.h"

static const int fallbacks[3][2] = {
	[PGR_MIGRATE_UNMOVABLE] = { PGR_MIGRATE_RECLAIMABLE,
				    PGR_MIGRATE_MOVABLE },
	[PGR_MIGRATE_MOVABLE] = { PGR_MIGRATE_RECLAIMABLE,
				  PGR_MIGRATE_UNMOVABLE },
	[PGR_MIGRATE_RECLAIMABLE] = { PGR_MIGRATE_UNMOVABLE,
				      PGR_MIGRATE_MOVABLE },
};

/* Every pageblock taken at order 9: nothing free, nothing merges. */
static struct pgr_node *all_taken(struct pgr_zone **z)
{
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, z);

	for (uint64_t p = 0; p < 2048; p += MMH_PB_PAGES)
		mmh_take(*z, p, MMH_PB);
	return n;
}

/* Give the (taken) pageblock at @pfn type @mt and free it at order 9. */
static void free_pageblock_as(struct pgr_zone *z, uint64_t pfn, int mt)
{
	mmh_set_mt(z, pfn, mt);
	mmh_free(z, pfn, MMH_PB);
	mmh_expect_block(z, pfn, PGR_PAGE_FREE, MMH_PB, mt);
}

static void expect_unchanged_after_enomem(struct pgr_zone *z, unsigned order,
					  int mt, unsigned flags)
{
	struct mmh_snap a, b;
	uint64_t pfn = 42;
	const char *diff;

	mmh_snap_take(z, &a);
	ck_assert_int_eq(pgr_alloc_pages(z, order, (enum pgr_migratetype)mt,
					 flags, &pfn),
			 -ENOMEM);
	ck_assert_str_ne(pgr_errmsg(), "");
	MMH_CHECK(z);
	mmh_snap_take(z, &b);
	diff = mmh_snap_diff(&a, &b);
	ck_assert_msg(diff == NULL, "state changed on -ENOMEM: %s", diff);
	mmh_snap_free(&a);
	mmh_snap_free(&b);
}

/*
 * Loop over the start type S (UNMOVABLE, MOVABLE, RECLAIMABLE):
 *
 *   pb0: free o9, type F1 = fallbacks[S][0]
 *   pb2: free o9, type F2 = fallbacks[S][1]     pb1, pb3 allocated
 *
 * Expect an order-0 request of S to steal pb0 (the first fallback wins at
 * equal order): it returns 0, pb0 becomes S (order >= pageblock_order
 * steals the whole block), pb2 keeps F2.
 */
START_TEST(test_fallback_order_first_choice)
{
	int S = _i;
	struct pgr_zone *z;
	struct pgr_node *n = all_taken(&z);

	free_pageblock_as(z, 0, fallbacks[S][0]);
	free_pageblock_as(z, 1024, fallbacks[S][1]);
	ck_assert_uint_eq(mmh_alloc(z, 0, S, 0), 0);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0), S);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 1024), fallbacks[S][1]);
	mmh_expect_block(z, 1024, PGR_PAGE_FREE, MMH_PB, fallbacks[S][1]);
	mmh_expect_block(z, 256, PGR_PAGE_FREE, MMH_PB - 1, S);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Loop over S:
 *
 *   pb0: free o9, HIGHATOMIC (never a fallback)
 *   pb2: free o9, type F2 = fallbacks[S][1]
 *
 * Expect the request to take pb2 (returns 1024, pb2 becomes S) and pb0 to
 * stay HIGHATOMIC and free.  With pb2 gone too, expect -ENOMEM and no
 * change: a HIGHATOMIC pageblock is never stolen or converted.
 */
START_TEST(test_fallback_order_second_choice_skips_highatomic)
{
	int S = _i;
	struct pgr_zone *z;
	struct pgr_node *n = all_taken(&z);

	free_pageblock_as(z, 0, PGR_MIGRATE_HIGHATOMIC);
	free_pageblock_as(z, 1024, fallbacks[S][1]);
	ck_assert_uint_eq(mmh_alloc(z, MMH_PB, S, 0), 1024);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 1024), S);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0),
			 PGR_MIGRATE_HIGHATOMIC);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_HIGHATOMIC);
	expect_unchanged_after_enomem(z, 0, S, 0);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0),
			 PGR_MIGRATE_HIGHATOMIC);
	/* A HIGHATOMIC request takes it, with no fallback needed. */
	ck_assert_uint_eq(mmh_alloc(z, 0, PGR_MIGRATE_HIGHATOMIC, 0), 0);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0),
			 PGR_MIGRATE_HIGHATOMIC);
	pgr_node_destroy(n);
}
END_TEST

/*
 *   pb0: free o9 MOVABLE          pb1: allocated
 *   pb2+pb3: free o10 MOVABLE
 *
 * Expect an UNMOVABLE order-0 request to steal the largest block, the
 * order-10 one: it returns 1024, both pb2 and pb3 become UNMOVABLE, the
 * upper halves (1536 o9 ... 1025 o0) sit on UNMOVABLE lists, and pb0 is
 * untouched.
 */
START_TEST(test_fallback_largest_block_first)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);

	mmh_take(z, 512, MMH_PB);
	ck_assert_uint_eq(mmh_alloc(z, 0, PGR_MIGRATE_UNMOVABLE, 0), 1024);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 1024),
			 PGR_MIGRATE_UNMOVABLE);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 1536),
			 PGR_MIGRATE_UNMOVABLE);
	for (unsigned k = 0; k < MMH_MO - 1; k++)
		mmh_expect_block(z, 1024 + (1ULL << k), PGR_PAGE_FREE, k,
				 PGR_MIGRATE_UNMOVABLE);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0), PGR_MIGRATE_MOVABLE);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_MOVABLE);
	pgr_node_destroy(n);
}
END_TEST

/*
 *   pb0 MOVABLE: [0: taken o0][1 o0][2 o1][4 o2] ... [256 o8]  (511 free)
 *   pb1, pb2, pb3: allocated
 *
 * Expect an UNMOVABLE order-0 request to find the largest fallback (256,
 * o8), steal the whole pageblock (511 free >= 256 pages): pb0 becomes
 * UNMOVABLE, every free block of pb0 moves to the UNMOVABLE lists, and the
 * retried __rmqueue_smallest returns the order-0 page 1.
 */
START_TEST(test_fallback_whole_pageblock_steal)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);
	uint64_t l[4];

	mmh_take(z, 512, MMH_PB);
	mmh_take(z, 1024, MMH_MO - 1);
	mmh_take(z, 0, 0);
	ck_assert_uint_eq(mmh_alloc(z, 0, PGR_MIGRATE_UNMOVABLE, 0), 1);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0),
			 PGR_MIGRATE_UNMOVABLE);
	for (unsigned k = 1; k < MMH_PB; k++) {
		mmh_expect_block(z, 1ULL << k, PGR_PAGE_FREE, k,
				 PGR_MIGRATE_UNMOVABLE);
		ck_assert_uint_eq(mmh_list(z, k, PGR_MIGRATE_MOVABLE, l, 4), 0);
	}
	ck_assert_uint_eq(mmh_info(z).nr_pageblocks_mt[PGR_MIGRATE_UNMOVABLE],
			  1);
	pgr_node_destroy(n);
}
END_TEST

/*
 *   pb0 UNMOVABLE: 480 pages allocated for UNMOVABLE, 32 free
 *   pb1, pb2, pb3: allocated
 *
 * Expect a MOVABLE order-0 request to steal from the largest UNMOVABLE
 * block (order >= pageblock_order/2, so it may steal): the free pages of
 * pb0 move to the MOVABLE lists, but 32 free + 0 movable < 256, so pb0
 * stays UNMOVABLE.  The page returned is inside pb0.
 */
START_TEST(test_fallback_movable_steal_keeps_type_when_few_free)
{
	struct pgr_zone *z;
	struct pgr_node *n = all_taken(&z);
	struct pgr_zone_info info;
	uint64_t pfn;

	free_pageblock_as(z, 0, PGR_MIGRATE_UNMOVABLE);
	for (unsigned i = 0; i < 30; i++)
		mmh_alloc(z, 4, PGR_MIGRATE_UNMOVABLE, PGR_ALLOC_NO_FALLBACK);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, 32);
	pfn = mmh_alloc(z, 0, PGR_MIGRATE_MOVABLE, 0);
	ck_assert_uint_lt(pfn, 512);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0),
			 PGR_MIGRATE_UNMOVABLE);
	info = mmh_info(z);
	for (unsigned k = 0; k < MMH_MO; k++)
		ck_assert_msg(info.nr_free_mt[k][PGR_MIGRATE_UNMOVABLE] == 0,
			      "order %u: %" PRIu64 " UNMOVABLE blocks left", k,
			      info.nr_free_mt[k][PGR_MIGRATE_UNMOVABLE]);
	ck_assert_uint_eq(info.nr_free_pages, 31);
	pgr_node_destroy(n);
}
END_TEST

/*
 *   pb0 UNMOVABLE: [0: free o3][8: free o1][10 .. 512: allocated]
 *   pb1, pb2, pb3: allocated
 *
 * The largest fallback for a MOVABLE order-0 request is order 3 < 4
 * (pageblock_order/2): it cannot steal, so find_smallest picks the
 * smallest fallback block, 8 (o1), and moves only that block.  Expect the
 * request to return 8, 9 on the MOVABLE order-0 list, 0 (o3) still on the
 * UNMOVABLE list and pb0 still UNMOVABLE.
 */
START_TEST(test_fallback_movable_find_smallest)
{
	struct pgr_zone *z;
	struct pgr_node *n = all_taken(&z);
	uint64_t l[2];

	free_pageblock_as(z, 0, PGR_MIGRATE_UNMOVABLE);
	mmh_take_range(z, 10, 512);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, 3, PGR_MIGRATE_UNMOVABLE);
	mmh_expect_block(z, 8, PGR_PAGE_FREE, 1, PGR_MIGRATE_UNMOVABLE);
	ck_assert_uint_eq(mmh_alloc(z, 0, PGR_MIGRATE_MOVABLE, 0), 8);
	ck_assert_uint_eq(mmh_list(z, 0, PGR_MIGRATE_MOVABLE, l, 2), 1);
	ck_assert_uint_eq(l[0], 9);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, 3, PGR_MIGRATE_UNMOVABLE);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0),
			 PGR_MIGRATE_UNMOVABLE);
	pgr_node_destroy(n);
}
END_TEST

/*
 *   pb0 MOVABLE: [0: taken][1 .. 511 free, orders 0..8]
 *   pb1 allocated, pb2+pb3 allocated
 *
 * Expect PGR_ALLOC_NOFRAGMENT (fallback only from blocks >= pageblock
 * order) to fail an UNMOVABLE request with -ENOMEM and change nothing.
 * Free pb1 (o9 MOVABLE, cannot merge with pb0): expect NOFRAGMENT to take
 * it (returns 512, pb1 becomes UNMOVABLE) and leave pb0 alone.  The next
 * UNMOVABLE request (no flag) needs no fallback: expect 513, the order-0
 * half that expand() left on the UNMOVABLE list, and pb0 still MOVABLE.
 */
START_TEST(test_fallback_nofragment)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);

	mmh_take(z, 512, MMH_PB);
	mmh_take(z, 1024, MMH_MO - 1);
	mmh_take(z, 0, 0);
	expect_unchanged_after_enomem(z, 0, PGR_MIGRATE_UNMOVABLE,
				      PGR_ALLOC_NOFRAGMENT);
	expect_unchanged_after_enomem(z, 3, PGR_MIGRATE_RECLAIMABLE,
				      PGR_ALLOC_NOFRAGMENT);
	mmh_free(z, 512, MMH_PB);
	mmh_expect_block(z, 512, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_MOVABLE);
	ck_assert_uint_eq(
		mmh_alloc(z, 0, PGR_MIGRATE_UNMOVABLE, PGR_ALLOC_NOFRAGMENT),
		512);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 512),
			 PGR_MIGRATE_UNMOVABLE);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0), PGR_MIGRATE_MOVABLE);
	ck_assert_uint_eq(mmh_alloc(z, 0, PGR_MIGRATE_UNMOVABLE, 0), 513);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0), PGR_MIGRATE_MOVABLE);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Only MOVABLE memory is free (a populated zone).  Expect -ENOMEM and no
 * change for: UNMOVABLE with PGR_ALLOC_NO_FALLBACK, and HIGHATOMIC (which
 * never falls back); and an UNMOVABLE request without flags to succeed.
 */
START_TEST(test_fallback_no_fallback_flag_and_highatomic)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);

	expect_unchanged_after_enomem(z, 0, PGR_MIGRATE_UNMOVABLE,
				      PGR_ALLOC_NO_FALLBACK);
	expect_unchanged_after_enomem(z, 0, PGR_MIGRATE_RECLAIMABLE,
				      PGR_ALLOC_NO_FALLBACK);
	expect_unchanged_after_enomem(z, 0, PGR_MIGRATE_HIGHATOMIC, 0);
	expect_unchanged_after_enomem(z, MMH_MO - 1, PGR_MIGRATE_HIGHATOMIC, 0);
	mmh_alloc(z, 0, PGR_MIGRATE_UNMOVABLE, 0);
	pgr_node_destroy(n);
}
END_TEST

/*
 *   pb0 UNMOVABLE: [0: free o4][16 .. 512: allocated MOVABLE]
 *   pb1, pb2, pb3: allocated
 *
 * A MOVABLE order-0 request falls back at order 4, exactly
 * pageblock_order / 2: can_steal_fallback() says yes at that order (5.4
 * "order >= pageblock_order / 2"), so the whole pageblock is stolen: its
 * 16 free pages plus 496 movable ones are >= 256, and pb0 becomes MOVABLE.
 * Expect the request to return 0, pb0 MOVABLE and 1..15 on MOVABLE lists.
 * (With "> pageblock_order / 2" only the one block would move and pb0
 * would stay UNMOVABLE.)
 */
START_TEST(test_fallback_steal_at_half_pageblock_order)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);
	const unsigned half = MMH_PB / 2;

	mmh_take_range(z, 1ULL << half, 2048);
	mmh_set_mt(z, 0, PGR_MIGRATE_UNMOVABLE);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, half, PGR_MIGRATE_UNMOVABLE);
	ck_assert_uint_eq(mmh_alloc(z, 0, PGR_MIGRATE_MOVABLE, 0), 0);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0), PGR_MIGRATE_MOVABLE);
	for (unsigned k = 0; k < half; k++)
		mmh_expect_block(z, 1ULL << k, PGR_PAGE_FREE, k,
				 PGR_MIGRATE_MOVABLE);
	pgr_node_destroy(n);
}
END_TEST

static Suite *fallback_suite(void)
{
	Suite *s = suite_create("fallback");
	TCase *tc = tcase_create("fallback_order");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_fallback_order_first_choice, 0, 3);
	tcase_add_loop_test(
		tc, test_fallback_order_second_choice_skips_highatomic, 0, 3);
	tcase_add_test(tc, test_fallback_largest_block_first);
	suite_add_tcase(s, tc);

	tc = tcase_create("steal");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fallback_whole_pageblock_steal);
	tcase_add_test(tc,
		       test_fallback_movable_steal_keeps_type_when_few_free);
	tcase_add_test(tc, test_fallback_movable_find_smallest);
	tcase_add_test(tc, test_fallback_steal_at_half_pageblock_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("flags");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_fallback_nofragment);
	tcase_add_test(tc, test_fallback_no_fallback_flag_and_highatomic);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(fallback_suite());
}
