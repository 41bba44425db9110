// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for pageblock isolation (src/mm/pageblock.c: the model of
 * start_isolate_page_range / undo_isolate_page_range and
 * move_freepages_block): free pages move to the ISOLATE lists and leave
 * NR_FREE_PAGES, free blocks straddling the range edge are split at
 * pageblock granularity, frees into an isolated range stay isolated, undo
 * merges back and restores every counter, and -EBUSY changes nothing.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "mm_helpers.h"

/*
 *   [0 ........ o10 ........ 1024][1024 ... o10 ... 2048]   all MOVABLE
 *   isolate [512, 1536)
 *
 * Expect 0 (o9) MOVABLE, 512 (o9) ISOLATE, 1024 (o9) ISOLATE, 1536 (o9)
 * MOVABLE; NR_FREE_PAGES 1024, nr_free_isolate_pages 1024, two isolated
 * pageblocks.  Undo: the exact same counters as before isolation, two
 * order-10 MOVABLE blocks.
 */
START_TEST(test_pageblock_isolation_splits_straddling_blocks)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);
	struct pgr_zone_info before = mmh_info(z), info;

	ck_assert_int_eq(pgr_isolate_range(z, 512, 1024), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_MOVABLE);
	mmh_expect_block(z, 512, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_ISOLATE);
	mmh_expect_block(z, 1024, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_ISOLATE);
	mmh_expect_block(z, 1536, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_MOVABLE);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free_pages, 1024);
	ck_assert_uint_eq(info.nr_free_isolate_pages, 1024);
	ck_assert_uint_eq(info.nr_isolate_pageblock, 2);
	ck_assert_uint_eq(info.nr_pageblocks_mt[PGR_MIGRATE_ISOLATE], 2);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 512),
			 PGR_MIGRATE_ISOLATE);
	mmh_expect_counts_match_lists(z);

	ck_assert_int_eq(
		pgr_undo_isolate_range(z, 512, 1024, PGR_MIGRATE_MOVABLE), 0);
	MMH_CHECK(z);
	info = mmh_info(z);
	ck_assert_msg(memcmp(&info, &before, sizeof(info)) == 0,
		      "counters differ after undo");
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_MO - 1, PGR_MIGRATE_MOVABLE);
	mmh_expect_block(z, 1024, PGR_PAGE_FREE, MMH_MO - 1,
			 PGR_MIGRATE_MOVABLE);
	pgr_node_destroy(n);
}
END_TEST

/*
 *   [512 .. 1024) isolated, with 600 (o0) and 640 (o6) allocated first
 *
 * Expect the free blocks inside to be on ISOLATE lists.  Free 600: it
 * stays ISOLATE, merges only inside the isolated pageblock, and
 * NR_FREE_PAGES is unchanged (512 o7: 640 o6 still taken); free 640: the
 * pageblock is one order-9 ISOLATE block, not merged with 0 (MOVABLE).  Undo to
 * MOVABLE: one order-10 block, NR_FREE_PAGES 2048, no ISOLATE pageblock left.
 */
START_TEST(test_pageblock_isolation_frees_stay_isolated)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);
	struct pgr_zone_info info;

	mmh_take(z, 600, 0);
	mmh_take(z, 640, 6);
	ck_assert_int_eq(pgr_isolate_range(z, 512, 512), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, 601, PGR_PAGE_FREE, 0, PGR_MIGRATE_ISOLATE);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free_pages, 2048 - 512);
	ck_assert_uint_eq(info.nr_free_isolate_pages, 512 - 65);
	mmh_free(z, 600, 0);
	mmh_expect_block(z, 512, PGR_PAGE_FREE, 7, PGR_MIGRATE_ISOLATE);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free_pages, 2048 - 512);
	ck_assert_uint_eq(info.nr_free_isolate_pages, 512 - 64);
	mmh_free(z, 640, 6);
	mmh_expect_block(z, 512, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_ISOLATE);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_MOVABLE);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free_pages, 2048 - 512);
	ck_assert_uint_eq(info.nr_free_isolate_pages, 512);
	ck_assert_uint_eq(info.nr_allocated_pages, 0);

	ck_assert_int_eq(
		pgr_undo_isolate_range(z, 512, 512, PGR_MIGRATE_MOVABLE), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_MO - 1, PGR_MIGRATE_MOVABLE);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free_pages, 2048);
	ck_assert_uint_eq(info.nr_free_isolate_pages, 0);
	ck_assert_uint_eq(info.nr_isolate_pageblock, 0);
	ck_assert_uint_eq(info.nr_pageblocks_mt[PGR_MIGRATE_MOVABLE], 4);
	pgr_node_destroy(n);
}
END_TEST

/*
 *   [0, 1024) isolated; then isolate [512, 1536) (overlaps) or [0, 512)
 *
 * Expect -EBUSY, an error message and nothing changed: in particular
 * pageblock [1024, 1536) is not left isolated by the failed call.
 */
START_TEST(test_pageblock_isolation_busy_changes_nothing)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);
	struct mmh_snap a, b;
	const char *diff;

	ck_assert_int_eq(pgr_isolate_range(z, 0, 1024), 0);
	MMH_CHECK(z);
	mmh_snap_take(z, &a);
	ck_assert_int_eq(pgr_isolate_range(z, 512, 1024), -EBUSY);
	ck_assert_str_ne(pgr_errmsg(), "");
	ck_assert_int_eq(pgr_isolate_range(z, 0, 512), -EBUSY);
	MMH_CHECK(z);
	mmh_snap_take(z, &b);
	diff = mmh_snap_diff(&a, &b);
	ck_assert_msg(diff == NULL, "%s", diff);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 1024),
			 PGR_MIGRATE_MOVABLE);
	mmh_snap_free(&a);
	mmh_snap_free(&b);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Undo to another type: [0,512) UNMOVABLE before, isolated, undone to
 * RECLAIMABLE.  Expect the pageblock RECLAIMABLE, its free pages on the
 * RECLAIMABLE lists, NR_FREE_PAGES back to the full count.
 */
START_TEST(test_pageblock_isolation_undo_to_type)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);

	mmh_take(z, 512, MMH_PB);
	mmh_take(z, 0, 0);
	ck_assert_int_eq(pgr_isolate_range(z, 0, 512), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, 256, PGR_PAGE_FREE, 8, PGR_MIGRATE_ISOLATE);
	ck_assert_int_eq(
		pgr_undo_isolate_range(z, 0, 512, PGR_MIGRATE_RECLAIMABLE), 0);
	MMH_CHECK(z);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0),
			 PGR_MIGRATE_RECLAIMABLE);
	for (unsigned k = 0; k < MMH_PB; k++)
		mmh_expect_block(z, 1ULL << k, PGR_PAGE_FREE, k,
				 PGR_MIGRATE_RECLAIMABLE);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, 2048 - 513);
	mmh_free(z, 0, 0);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_RECLAIMABLE);
	pgr_node_destroy(n);
}
END_TEST

static Suite *pageblock_isolation_suite(void)
{
	Suite *s = suite_create("pageblock_isolation");
	TCase *tc = tcase_create("isolate_range");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_pageblock_isolation_splits_straddling_blocks);
	tcase_add_test(tc, test_pageblock_isolation_frees_stay_isolated);
	tcase_add_test(tc, test_pageblock_isolation_busy_changes_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("undo_isolate_range");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_pageblock_isolation_undo_to_type);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(pageblock_isolation_suite());
}
