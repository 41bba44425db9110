// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for merging in __free_one_page() (src/mm/page_alloc.c), every
 * case of ALGORITHM.md §1.3: merge with a free buddy at each order; no
 * merge with an allocated buddy, a buddy of another order, a buddy outside
 * the zone (unaligned zone start, zone end, the neighbouring zone); the
 * MAX_ORDER-1 cap; the pageblock cap with the isolate/non-isolate boundary
 * (checked again at every order above pageblock_order); and a buddy held
 * by pgr_isolate_free_page.  Shuffle is off.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "mm_helpers.h"

/*
 * Order o (loop 0..MAX_ORDER-2), zone of four order-10 blocks:
 *
 *   0       1<<o     2<<o           4<<o
 *   [A: o]  [B: o]   [C: o+1]       [free ...]     (C only when o+1 < 10)
 *
 * Free A: buddy B allocated, expect A free at order o.  Free B: expect one
 * merge, a free order-(o+1) block at 0 with B a tail page, and no further
 * merge because C is allocated.  Free C: expect everything back to order 10.
 */
START_TEST(test_merge_one_level_each_order)
{
	unsigned o = (unsigned)_i;
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 4096, &z);
	uint64_t A = 0, B = 1ULL << o, C = 2ULL << o;
	unsigned co = o + 1 < MMH_MO - 1 ? o + 1 : MMH_MO - 1;
	struct pgr_zone_info before, after;

	mmh_take(z, A, o);
	mmh_take(z, B, o);
	mmh_take(z, C, co);
	mmh_free(z, A, o);
	mmh_expect_block(z, A, PGR_PAGE_FREE, o, PGR_MIGRATE_MOVABLE);
	before = mmh_info(z);
	mmh_free(z, B, o);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, o + 1, PGR_MIGRATE_MOVABLE);
	mmh_expect_block(z, B, PGR_PAGE_TAIL, 0, -1);
	after = mmh_info(z);
	ck_assert_uint_eq(after.nr_free[o], before.nr_free[o] - 1);
	ck_assert_uint_eq(after.nr_free[o + 1], before.nr_free[o + 1] + 1);
	ck_assert_uint_eq(after.nr_free_pages,
			  before.nr_free_pages + (1ULL << o));
	mmh_free(z, C, co);
	after = mmh_info(z);
	ck_assert_uint_eq(after.nr_free[MMH_MO - 1], 4);
	ck_assert_uint_eq(after.nr_free_pages, 4096);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Order o (loop 1..MAX_ORDER-2):
 *
 *   0        1<<o          (1<<o)+(1<<(o-1))
 *   [A: o]   [free: o-1]   [D: o-1]
 *
 * Free A: its buddy head 1<<o is free but of order o-1.  Expect no merge
 * (A free at order o).  Free D: expect it to merge with 1<<o, then with A,
 * then all the way up: four order-10 blocks again.
 */
START_TEST(test_merge_not_with_buddy_of_other_order)
{
	unsigned o = (unsigned)_i;
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 4096, &z);
	uint64_t D = (1ULL << o) + (1ULL << (o - 1));
	struct pgr_zone_info info;

	mmh_take(z, 0, o);
	mmh_take(z, D, o - 1);
	mmh_expect_block(z, 1ULL << o, PGR_PAGE_FREE, o - 1,
			 PGR_MIGRATE_MOVABLE);
	mmh_free(z, 0, o);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, o, PGR_MIGRATE_MOVABLE);
	mmh_expect_block(z, 1ULL << o, PGR_PAGE_FREE, o - 1,
			 PGR_MIGRATE_MOVABLE);
	mmh_free(z, D, o - 1);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free[MMH_MO - 1], 4);
	for (unsigned k = 0; k < MMH_MO - 1; k++)
		ck_assert_uint_eq(info.nr_free[k], 0);
	pgr_node_destroy(n);
}
END_TEST

/*
 * One node, two zones with an unaligned boundary at pfn 1000:
 *
 *   zone 0 [0, 1000): ... [960: o5][992: o3]
 *   zone 1 [1000, 3096): [1000: o3][1008: o4][1024: o10][2048: o10]...
 *
 * pfn 992 is a free order-3 buddy of 1000, but in the other zone.  Expect
 * taking and freeing 1000 (order 3) and 1008 (order 4) to leave them
 * unmerged, and zone 0 untouched.
 */
START_TEST(test_merge_not_across_zones)
{
	struct pgr_node_config cfg = {
		.nr_zones = 2,
		.zones = { { .name = "DMA32",
			     .start_pfn = 0,
			     .nr_pages = 1000 },
			   { .name = "Normal",
			     .start_pfn = 1000,
			     .nr_pages = 2096 } },
	};
	struct pgr_node *n = pgr_node_create(&cfg);
	struct pgr_zone *z0, *z1;
	struct mmh_snap s0, s0b;
	const char *diff;

	ck_assert_ptr_nonnull(n);
	z0 = pgr_node_zone(n, 0);
	z1 = pgr_node_zone(n, 1);
	ck_assert_int_eq(pgr_zone_populate(z0), 0);
	MMH_CHECK(z0);
	ck_assert_int_eq(pgr_zone_populate(z1), 0);
	MMH_CHECK(z1);
	mmh_expect_block(z0, 992, PGR_PAGE_FREE, 3, PGR_MIGRATE_MOVABLE);
	mmh_expect_block(z1, 1000, PGR_PAGE_FREE, 3, PGR_MIGRATE_MOVABLE);
	mmh_snap_take(z0, &s0);

	mmh_take(z1, 1000, 3);
	mmh_free(z1, 1000, 3);
	mmh_expect_block(z1, 1000, PGR_PAGE_FREE, 3, PGR_MIGRATE_MOVABLE);
	mmh_take(z1, 1008, 4);
	mmh_take(z1, 1000, 3);
	mmh_free(z1, 1008, 4);
	mmh_free(z1, 1000, 3);
	mmh_expect_block(z1, 1000, PGR_PAGE_FREE, 3, PGR_MIGRATE_MOVABLE);
	mmh_expect_block(z1, 1008, PGR_PAGE_FREE, 4, PGR_MIGRATE_MOVABLE);
	ck_assert_uint_eq(mmh_info(z1).nr_free_pages, 2096);

	mmh_snap_take(z0, &s0b);
	diff = mmh_snap_diff(&s0, &s0b);
	ck_assert_msg(diff == NULL, "zone 0 changed: %s", diff);
	ck_assert_int_eq(pgr_node_check(n, NULL, 0), 0);
	mmh_snap_free(&s0);
	mmh_snap_free(&s0b);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Single zone [1000, 3096) (unaligned start) and [0, 3000) (end not
 * aligned):
 *
 *   [1000: o3] buddy 992 is below the zone start
 *   [2992: o3] buddy 3000 is past the zone end
 *   [2996: o2] buddy 2992 allocated; its order-3 buddy 3000 is outside
 *
 * Expect every free to stay at its order and nothing outside to be read
 * as a buddy (the sanitizer build catches stray reads).
 */
START_TEST(test_merge_not_outside_zone)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 1000, 2096, &z);

	mmh_take(z, 1000, 3);
	mmh_free(z, 1000, 3);
	mmh_expect_block(z, 1000, PGR_PAGE_FREE, 3, PGR_MIGRATE_MOVABLE);
	mmh_take(z, 3088, 3);
	mmh_free(z, 3088, 3);
	mmh_expect_block(z, 3088, PGR_PAGE_FREE, 3, PGR_MIGRATE_MOVABLE);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, 2096);
	pgr_node_destroy(n);

	n = mmh_populated(0, 0, 0, 3000, &z);
	mmh_expect_block(z, 2992, PGR_PAGE_FREE, 3, PGR_MIGRATE_MOVABLE);
	mmh_take(z, 2992, 3);
	mmh_free(z, 2992, 3);
	mmh_expect_block(z, 2992, PGR_PAGE_FREE, 3, PGR_MIGRATE_MOVABLE);
	mmh_take(z, 2992, 2);
	mmh_take(z, 2996, 2);
	mmh_free(z, 2996, 2);
	mmh_expect_block(z, 2996, PGR_PAGE_FREE, 2, PGR_MIGRATE_MOVABLE);
	mmh_free(z, 2992, 2);
	mmh_expect_block(z, 2992, PGR_PAGE_FREE, 3, PGR_MIGRATE_MOVABLE);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, 3000);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Loop over (max_order, pageblock_order) = (11, 9), (6, 3), (4, 1), zone of
 * 8 MAX_ORDER-1 blocks.  Take everything at order 0, free it all again.
 * Expect only blocks of order MAX_ORDER-1 (8 of them) afterwards: merging
 * never goes past MAX_ORDER-1 even though every larger buddy is free.
 */
START_TEST(test_merge_stops_at_max_order)
{
	static const unsigned cfg[][2] = { { 11, 9 }, { 6, 3 }, { 4, 1 } };
	unsigned mo = cfg[_i][0], pb = cfg[_i][1];
	uint64_t nr = 8ULL << (mo - 1);
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(mo, pb, 0, nr, &z);
	struct pgr_zone_info info = mmh_info(z);

	ck_assert_uint_eq(info.max_order, mo);
	ck_assert_uint_eq(info.pageblock_order, pb);
	ck_assert_uint_eq(info.nr_free[mo - 1], 8);
	for (uint64_t p = 0; p < nr; p += 1ULL << (mo - 1))
		mmh_take(z, p, 0); /* splits each top block */
	mmh_take_range(z, 1, 1ULL << (mo - 1));
	mmh_free(z, 0, 0);
	mmh_free_range(z, 1, 1ULL << (mo - 1));
	for (uint64_t p = 1ULL << (mo - 1); p < nr; p += 1ULL << (mo - 1))
		mmh_free(z, p, 0);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free[mo - 1], 8);
	for (unsigned k = 0; k < mo - 1; k++)
		ck_assert_uint_eq(info.nr_free[k], 0);
	ck_assert_uint_eq(info.nr_free_pages, nr);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Default orders.  Pageblocks [0,512) and [512,1024) form one order-10
 * block.
 *
 *   isolate [0,512)            -> 0: ISOLATE o9, 512: MOVABLE o9
 *   take 512 (o9), free it     -> buddy 0 is an ISOLATE pageblock
 *
 * Expect 512 to stay at order 9 on the MOVABLE list (no merge across the
 * isolate boundary) and 0 to stay on the ISOLATE list.  Undo: expect one
 * order-10 MOVABLE block again.
 */
START_TEST(test_merge_not_across_isolate_boundary)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);
	struct pgr_zone_info info;

	ck_assert_int_eq(pgr_isolate_range(z, 0, MMH_PB_PAGES), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_ISOLATE);
	mmh_expect_block(z, 512, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_MOVABLE);
	mmh_take(z, 512, MMH_PB);
	mmh_free(z, 512, MMH_PB);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_ISOLATE);
	mmh_expect_block(z, 512, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_MOVABLE);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free_pages, 2048 - 512);
	ck_assert_uint_eq(info.nr_free_isolate_pages, 512);

	ck_assert_int_eq(
		pgr_undo_isolate_range(z, 0, MMH_PB_PAGES, PGR_MIGRATE_MOVABLE),
		0);
	MMH_CHECK(z);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_MO - 1, PGR_MIGRATE_MOVABLE);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free_pages, 2048);
	ck_assert_uint_eq(info.nr_free_isolate_pages, 0);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Default orders.  Take 512 (o9), isolate [0,1024) (both pageblocks), free
 * 512: both halves are ISOLATE.  Expect them to merge into one order-10
 * block on the ISOLATE list, with NR_FREE_PAGES not counting it.
 */
START_TEST(test_merge_both_isolated_merge)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);
	struct pgr_zone_info info;
	uint64_t pfns[2];

	mmh_take(z, 512, MMH_PB);
	ck_assert_int_eq(pgr_isolate_range(z, 0, 2 * MMH_PB_PAGES), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_ISOLATE);
	mmh_free(z, 512, MMH_PB);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_MO - 1, PGR_MIGRATE_ISOLATE);
	ck_assert_uint_eq(mmh_list(z, MMH_MO - 1, PGR_MIGRATE_ISOLATE, pfns, 2),
			  1);
	ck_assert_uint_eq(pfns[0], 0);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free_pages, 1024);
	ck_assert_uint_eq(info.nr_free_isolate_pages, 1024);
	pgr_node_destroy(n);
}
END_TEST

/*
 * max_order 11, pageblock_order 3 (pageblocks of 8 pages), so the
 * isolate boundary has to be checked at every order from 3 up.
 *
 *   [0,16): ISOLATE (two pageblocks, free, merged to o4 on ISOLATE)
 *   [16,32): MOVABLE, taken as 16 (o3) and 24 (o3)
 *
 * Free 16 then 24: they merge to order 4 at 16 (same type).  Its order-4
 * buddy 0 is a free ISOLATE block.  Expect no merge with it (16 stays o4
 * MOVABLE, 0 stays o4 ISOLATE), as the kernel rechecks at each order
 * (max_order++ in __free_one_page); NR_FREE_PAGES must not include 0..15.
 */
START_TEST(test_merge_isolate_boundary_every_order)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(11, 3, 0, 2048, &z);
	struct pgr_zone_info info;

	mmh_take(z, 16, 3);
	mmh_take(z, 24, 3);
	ck_assert_int_eq(pgr_isolate_range(z, 0, 16), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, 4, PGR_MIGRATE_ISOLATE);
	mmh_free(z, 16, 3);
	mmh_free(z, 24, 3);
	mmh_expect_block(z, 16, PGR_PAGE_FREE, 4, PGR_MIGRATE_MOVABLE);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, 4, PGR_MIGRATE_ISOLATE);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free_pages, 2048 - 16);
	ck_assert_uint_eq(info.nr_free_isolate_pages, 16);
	ck_assert_int_eq(pgr_undo_isolate_range(z, 0, 16, PGR_MIGRATE_MOVABLE),
			 0);
	MMH_CHECK(z);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free_pages, 2048);
	ck_assert_uint_eq(info.nr_free[10], 2);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Order o (loop 0..MAX_ORDER-2); the default min watermark (128) is low:
 *
 *   0        1<<o
 *   [X: o]   [B: o]      X free then held by pgr_isolate_free_page
 *
 * Free B while X is isolated: X is not PageBuddy, expect no merge (B free
 * at order o).  Put X back: expect it to merge with B and then all the way
 * to order 10.
 */
START_TEST(test_merge_not_with_isolated_buddy)
{
	unsigned o = (unsigned)_i;
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 4096, &z);
	struct pgr_zone_info info;

	mmh_take(z, 0, o);
	mmh_take(z, 1ULL << o, o);
	mmh_free(z, 0, o);
	ck_assert_int_eq(pgr_isolate_free_page(z, 0, o), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, 0, PGR_PAGE_ISOLATED, o, -1);
	mmh_free(z, 1ULL << o, o);
	mmh_expect_block(z, 1ULL << o, PGR_PAGE_FREE, o, PGR_MIGRATE_MOVABLE);
	mmh_expect_block(z, 0, PGR_PAGE_ISOLATED, o, -1);
	ck_assert_int_eq(pgr_putback_isolated_page(z, 0, o), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_MO - 1, PGR_MIGRATE_MOVABLE);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free[MMH_MO - 1], 4);
	ck_assert_uint_eq(info.nr_free_pages, 4096);
	ck_assert_uint_eq(info.nr_isolated_pages, 0);
	pgr_node_destroy(n);
}
END_TEST

static Suite *merge_suite(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("buddy");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_merge_one_level_each_order, 0, MMH_MO - 1);
	tcase_add_loop_test(tc, test_merge_not_with_buddy_of_other_order, 1,
			    MMH_MO - 1);
	tcase_add_loop_test(tc, test_merge_not_with_isolated_buddy, 0,
			    MMH_MO - 1);
	suite_add_tcase(s, tc);

	tc = tcase_create("zone_edges");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_merge_not_across_zones);
	tcase_add_test(tc, test_merge_not_outside_zone);
	tcase_add_loop_test(tc, test_merge_stops_at_max_order, 0, 3);
	suite_add_tcase(s, tc);

	tc = tcase_create("pageblock_cap");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_merge_not_across_isolate_boundary);
	tcase_add_test(tc, test_merge_both_isolated_merge);
	tcase_add_test(tc, test_merge_isolate_boundary_every_order);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(merge_suite());
}
