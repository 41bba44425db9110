// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for __isolate_free_page() and __putback_isolated_page()
 * (src/mm/page_alloc.c via pgr_isolate_free_page and
 * pgr_putback_isolated_page): the min-watermark check (strict, as
 * zone_watermark_ok) and -ENOSPC with nothing changed, NR_FREE_PAGES
 * accounting, the MOVABLE conversion of UNMOVABLE/RECLAIMABLE pageblocks
 * for order >= pageblock_order - 1 (HIGHATOMIC and ISOLATE kept), and the
 * putback to the list of the pageblock's current type, with merging.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>

#include "mm_helpers.h"

/* One zone [0, nr) with explicit watermarks, populated. */
static struct pgr_node *wm_node(uint64_t nr, uint64_t min, uint64_t low,
				uint64_t high, struct pgr_zone **z)
{
	struct pgr_node_config cfg = {
		.nr_zones = 1,
		.zones = { { .name = "Normal",
			     .nr_pages = nr,
			     .watermark = { min, low, high } } },
	};
	struct pgr_node *n = pgr_node_create(&cfg);

	ck_assert_msg(n != NULL, "pgr_node_create: %s", pgr_errmsg());
	*z = pgr_node_zone(n, 0);
	ck_assert_int_eq(pgr_zone_populate(*z), 0);
	MMH_CHECK(*z);
	ck_assert_uint_eq(mmh_info(*z).watermark[PGR_WMARK_MIN], min);
	return n;
}

/*
 * 2048 free pages, order-10 block at 0.  The check needs
 * NR_FREE_PAGES > min + 2^order:
 *
 *   min 1023: 2048 > 1023 + 1024  -> isolated
 *   min 1024: 2048 > 1024 + 1024 fails -> -ENOSPC, nothing changed
 */
START_TEST(test_isolation_watermark_boundary)
{
	struct pgr_zone *z;
	struct pgr_node *n = wm_node(2048, 1023, 1100, 1200, &z);
	struct mmh_snap a, b;
	const char *diff;

	ck_assert_int_eq(pgr_isolate_free_page(z, 0, MMH_MO - 1), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, 0, PGR_PAGE_ISOLATED, MMH_MO - 1, -1);
	/* Now 1024 free: 1024 > 1023 + 1024 fails for the other block. */
	mmh_snap_take(z, &a);
	ck_assert_int_eq(pgr_isolate_free_page(z, 1024, MMH_MO - 1), -ENOSPC);
	ck_assert_str_ne(pgr_errmsg(), "");
	MMH_CHECK(z);
	mmh_snap_take(z, &b);
	diff = mmh_snap_diff(&a, &b);
	ck_assert_msg(diff == NULL, "%s", diff);
	mmh_snap_free(&a);
	mmh_snap_free(&b);
	pgr_node_destroy(n);

	n = wm_node(2048, 1024, 1100, 1200, &z);
	mmh_snap_take(z, &a);
	ck_assert_int_eq(pgr_isolate_free_page(z, 0, MMH_MO - 1), -ENOSPC);
	MMH_CHECK(z);
	mmh_snap_take(z, &b);
	diff = mmh_snap_diff(&a, &b);
	ck_assert_msg(diff == NULL, "%s", diff);
	/* Order 0 needs 2048 > 1025: fine after splitting. */
	mmh_take(z, 0, 0);
	ck_assert_int_eq(pgr_isolate_free_page(z, 1, 0), 0);
	MMH_CHECK(z);
	mmh_snap_free(&a);
	mmh_snap_free(&b);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Order o (loop 0..10), zone of four order-10 blocks, block X = 0 of
 * order o made free by splitting (take 1<<o when o < 10).
 *
 * Expect isolation to subtract 2^o from NR_FREE_PAGES and one from
 * nr_free[o], add 2^o to nr_isolated_pages, mark X ISOLATED, and putback
 * to restore every counter, with X merged back to order 10.
 */
START_TEST(test_isolation_accounting_and_putback_merges)
{
	unsigned o = (unsigned)_i;
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 4096, &z);
	struct pgr_zone_info before, mid, after;

	if (o < MMH_MO - 1) {
		mmh_take(z, 1ULL << o, o);
		mmh_free(z, 1ULL << o, o);
		mmh_take(z, 1ULL << o, o);
	}
	mmh_expect_block(z, 0, PGR_PAGE_FREE, o, PGR_MIGRATE_MOVABLE);
	before = mmh_info(z);
	ck_assert_int_eq(pgr_isolate_free_page(z, 0, o), 0);
	MMH_CHECK(z);
	mid = mmh_info(z);
	ck_assert_uint_eq(mid.nr_free_pages,
			  before.nr_free_pages - (1ULL << o));
	ck_assert_uint_eq(mid.nr_free[o], before.nr_free[o] - 1);
	ck_assert_uint_eq(mid.nr_isolated_pages, 1ULL << o);
	mmh_expect_block(z, 0, PGR_PAGE_ISOLATED, o, -1);
	mmh_expect_counts_match_lists(z);
	ck_assert_int_eq(pgr_putback_isolated_page(z, 0, o), 0);
	MMH_CHECK(z);
	after = mmh_info(z);
	ck_assert_uint_eq(after.nr_free_pages, before.nr_free_pages);
	ck_assert_uint_eq(after.nr_isolated_pages, 0);
	if (o < MMH_MO - 1) {
		mmh_free(z, 1ULL << o, o);
		after = mmh_info(z);
	}
	ck_assert_uint_eq(after.nr_free[MMH_MO - 1], 4);
	ck_assert_uint_eq(after.nr_free_pages, 4096);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Loop over (pageblock type T, order o) with T in {UNMOVABLE, MOVABLE,
 * RECLAIMABLE, HIGHATOMIC} and o in {7, 8, 9, 10} (pageblock_order 9):
 *
 *   pageblocks [0,512) and [512,1024) set to T (taken, typed, freed)
 *   o < 9:  [X=0: free o][S=2^o: taken o-1][R=S+2^(o-1): free o-1] ...
 *   o = 9:  [X=0: free o9][512: taken]      o = 10: [X=0: free o10]
 *
 * Expect, after isolating X: every pageblock X covers to be MOVABLE when
 * o >= 8 and T is UNMOVABLE or RECLAIMABLE, unchanged otherwise; R, a free
 * block in the same pageblock, left on T's list (the kernel only sets the
 * type, it moves nothing); and putback to place X on the list of the
 * pageblock's type now.  A 4096-page zone: the two HIGHATOMIC pageblocks
 * are 1024 pages of highatomic reserve, which __isolate_free_page's
 * watermark check subtracts, so 2048 pages would not pass it at o >= 9.
 */
START_TEST(test_isolation_movable_conversion)
{
	static const int types[] = { PGR_MIGRATE_UNMOVABLE, PGR_MIGRATE_MOVABLE,
				     PGR_MIGRATE_RECLAIMABLE,
				     PGR_MIGRATE_HIGHATOMIC };
	int T = types[_i / 4];
	unsigned o = 7 + (unsigned)(_i % 4);
	bool convert = o >= MMH_PB - 1 && (T == PGR_MIGRATE_UNMOVABLE ||
					   T == PGR_MIGRATE_RECLAIMABLE);
	int expect = convert ? PGR_MIGRATE_MOVABLE : T;
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 4096, &z);
	uint64_t covered = o > MMH_PB ? 2 : 1;
	uint64_t S = 1ULL << o, R = S + (S >> 1);

	mmh_take(z, 0, MMH_PB);
	mmh_take(z, 512, MMH_PB);
	mmh_set_mt(z, 0, T);
	mmh_set_mt(z, 512, T);
	mmh_free(z, 0, MMH_PB);
	if (o == MMH_MO - 1)
		mmh_free(z, 512, MMH_PB);
	else if (o < MMH_PB)
		mmh_take(z, S, o - 1);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, o, T);
	if (o < MMH_PB)
		mmh_expect_block(z, R, PGR_PAGE_FREE, o - 1, T);

	ck_assert_int_eq(pgr_isolate_free_page(z, 0, o), 0);
	MMH_CHECK(z);
	for (uint64_t pb = 0; pb < covered; pb++)
		ck_assert_msg(pgr_pageblock_migratetype(z, pb * 512) == expect,
			      "T %s order %u: pageblock %" PRIu64 " is %s",
			      pgr_migratetype_name(T), o, pb,
			      pgr_migratetype_name(
				      pgr_pageblock_migratetype(z, pb * 512)));
	if (covered == 1)
		ck_assert_int_eq(pgr_pageblock_migratetype(z, 512), T);
	if (o < MMH_PB)
		mmh_expect_block(z, R, PGR_PAGE_FREE, o - 1, T);

	ck_assert_int_eq(pgr_putback_isolated_page(z, 0, o), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, o, expect);
	pgr_node_destroy(n);
}
END_TEST

/*
 *   [0: free o0 in an UNMOVABLE pageblock]  isolate it (order 0 < 8: no
 *   conversion), then set the pageblock RECLAIMABLE while it is held.
 *
 * Expect putback to put it on the RECLAIMABLE order-0 list (the type read
 * again at putback), merging with free RECLAIMABLE neighbours.
 */
START_TEST(test_isolation_putback_uses_current_type)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);
	uint64_t l[2];

	mmh_take(z, 0, MMH_PB);
	mmh_take(z, 512, MMH_PB);
	mmh_set_mt(z, 0, PGR_MIGRATE_UNMOVABLE);
	mmh_free(z, 0, MMH_PB);
	mmh_take(z, 1, 0);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, 0, PGR_MIGRATE_UNMOVABLE);
	ck_assert_int_eq(pgr_isolate_free_page(z, 0, 0), 0);
	MMH_CHECK(z);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0),
			 PGR_MIGRATE_UNMOVABLE);
	mmh_set_mt(z, 0, PGR_MIGRATE_RECLAIMABLE);
	ck_assert_int_eq(pgr_putback_isolated_page(z, 0, 0), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, 0, PGR_MIGRATE_RECLAIMABLE);
	ck_assert_uint_eq(mmh_list(z, 0, PGR_MIGRATE_RECLAIMABLE, l, 2), 1);
	mmh_free(z, 1, 0);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_RECLAIMABLE);
	pgr_node_destroy(n);
}
END_TEST

/*
 *   isolate_range [0,1024): 0 free o10 on the ISOLATE list
 *   min watermark 2000 > free pages
 *
 * Expect pgr_isolate_free_page on the ISOLATE block to skip the watermark
 * check and succeed, leave NR_FREE_PAGES alone (ISOLATE pages are not in
 * it), drop nr_free_isolate_pages, and keep both pageblocks ISOLATE; the
 * putback returns it to the ISOLATE list.
 */
START_TEST(test_isolation_isolate_pageblock_skips_watermark)
{
	struct pgr_zone *z;
	struct pgr_node *n = wm_node(2048, 2000, 2010, 2020, &z);
	struct pgr_zone_info before, mid;

	ck_assert_int_eq(pgr_isolate_range(z, 0, 1024), 0);
	MMH_CHECK(z);
	before = mmh_info(z);
	ck_assert_uint_eq(before.nr_free_isolate_pages, 1024);
	ck_assert_int_eq(pgr_isolate_free_page(z, 1024, MMH_MO - 1), -ENOSPC);
	ck_assert_int_eq(pgr_isolate_free_page(z, 0, MMH_MO - 1), 0);
	MMH_CHECK(z);
	mid = mmh_info(z);
	ck_assert_uint_eq(mid.nr_free_pages, before.nr_free_pages);
	ck_assert_uint_eq(mid.nr_free_isolate_pages, 0);
	ck_assert_uint_eq(mid.nr_isolated_pages, 1024);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 0), PGR_MIGRATE_ISOLATE);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, 512),
			 PGR_MIGRATE_ISOLATE);
	ck_assert_int_eq(pgr_putback_isolated_page(z, 0, MMH_MO - 1), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, 0, PGR_PAGE_FREE, MMH_MO - 1, PGR_MIGRATE_ISOLATE);
	ck_assert_uint_eq(mmh_info(z).nr_free_isolate_pages, 1024);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, before.nr_free_pages);
	pgr_node_destroy(n);
}
END_TEST

static Suite *isolation_suite(void)
{
	Suite *s = suite_create("isolation");
	TCase *tc = tcase_create("isolate_free_page");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_isolation_watermark_boundary);
	tcase_add_loop_test(tc, test_isolation_accounting_and_putback_merges, 0,
			    MMH_MO);
	tcase_add_loop_test(tc, test_isolation_movable_conversion, 0, 16);
	tcase_add_test(tc, test_isolation_isolate_pageblock_skips_watermark);
	suite_add_tcase(s, tc);

	tc = tcase_create("putback_isolated_page");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_isolation_putback_uses_current_type);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(isolation_suite());
}
