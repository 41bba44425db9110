// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for zone watermarks (src/mm/zone.c: init_per_zone_wmark_min
 * and __setup_per_zone_wmarks of Linux 5.4-5.7; src/mm/page_alloc.c:
 * __zone_watermark_ok without ALLOC_HARDER): default watermarks for known
 * sizes worked out by hand below, explicit watermarks kept, the strict
 * "free - (2^order - 1) > mark" test plus the free-block-of-that-order
 * test (UNMOVABLE/MOVABLE/RECLAIMABLE lists only), and the
 * PGR_ALLOC_WMARK_MIN/LOW allocation flags.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>

#include "mm_helpers.h"

struct wm_case {
	uint64_t nr_pages;
	uint64_t min, low, high;
};

/*
 * The kernel formula, one zone, managed == spanned, 4 KiB pages:
 *   min_free_kbytes = clamp(int_sqrt(kbytes * 16), 128, 65536)
 *   min  = (min_free_kbytes >> 2) * nr / nr_total
 *   tmp  = max(min >> 2, nr * 10 / 10000)        (mult_frac)
 *   low  = min + tmp, high = min + 2 * tmp
 *
 * 64 pages:      256 KiB*16 = 4096, sqrt 64 -> clamped 128 -> min 32;
 *                tmp = max(8, 0) = 8             -> 32 / 40 / 48
 * 1024 pages:    4096*16 = 65536, sqrt 256 -> min 64;
 *                tmp = max(16, 1) = 16           -> 64 / 80 / 96
 * 100000 pages:  400000*16 = 6400000, sqrt 2529 -> min 632;
 *                tmp = max(158, 100) = 158       -> 632 / 790 / 948
 * 262144 (1G):   2^24, sqrt 4096 -> min 1024;
 *                tmp = max(256, 262) = 262       -> 1024 / 1286 / 1548
 * 1048576 (4G):  2^26, sqrt 8192 -> min 2048;
 *                tmp = max(512, 1048) = 1048     -> 2048 / 3096 / 4144
 * 2^27 (512G):   2^33, sqrt 92681 -> clamped 65536 -> min 16384;
 *                tmp = max(4096, 134217) = 134217 -> 16384 / 150601 / 284818
 */
static const struct wm_case cases[] = {
	{ 64, 32, 40, 48 },
	{ 1024, 64, 80, 96 },
	{ 100000, 632, 790, 948 },
	{ 262144, 1024, 1286, 1548 },
	{ 1048576, 2048, 3096, 4144 },
	{ 1ULL << 27, 16384, 150601, 284818 },
};

START_TEST(test_watermark_default_single_zone)
{
	const struct wm_case *c = &cases[_i];
	struct pgr_node *n = mmh_node(0, 0, 0, c->nr_pages);
	struct pgr_zone_info info = mmh_info(pgr_node_zone(n, 0));

	ck_assert_msg(info.watermark[PGR_WMARK_MIN] == c->min &&
			      info.watermark[PGR_WMARK_LOW] == c->low &&
			      info.watermark[PGR_WMARK_HIGH] == c->high,
		      "%" PRIu64 " pages: got %" PRIu64 "/%" PRIu64 "/%" PRIu64
		      ", expected %" PRIu64 "/%" PRIu64 "/%" PRIu64,
		      c->nr_pages, info.watermark[0], info.watermark[1],
		      info.watermark[2], c->min, c->low, c->high);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Two zones, 16384 + 245760 = 262144 pages: min_free_kbytes 4096 (as for
 * 1G), pages_min 1024 split by size:
 *   zone 0: min = 1024 * 16384 / 262144 = 64;
 *           tmp = max(16, mult_frac(16384, 10, 10000) = 16) -> 64 / 80 / 96
 *   zone 1: min = 1024 * 245760 / 262144 = 960;
 *           tmp = max(240, 245)                   -> 960 / 1205 / 1450
 * A third node gives zone 0 explicit watermarks {1, 2, 3}: expect them
 * kept.
 */
START_TEST(test_watermark_default_two_zones_and_explicit)
{
	struct pgr_node_config cfg = {
		.nr_zones = 2,
		.zones = { { .name = "DMA32",
			     .start_pfn = 0,
			     .nr_pages = 16384 },
			   { .name = "Normal",
			     .start_pfn = 16384,
			     .nr_pages = 245760 } },
	};
	struct pgr_node *n = pgr_node_create(&cfg);
	struct pgr_zone_info i0, i1;

	ck_assert_ptr_nonnull(n);
	i0 = mmh_info(pgr_node_zone(n, 0));
	i1 = mmh_info(pgr_node_zone(n, 1));
	ck_assert_uint_eq(i0.watermark[PGR_WMARK_MIN], 64);
	ck_assert_uint_eq(i0.watermark[PGR_WMARK_LOW], 80);
	ck_assert_uint_eq(i0.watermark[PGR_WMARK_HIGH], 96);
	ck_assert_uint_eq(i1.watermark[PGR_WMARK_MIN], 960);
	ck_assert_uint_eq(i1.watermark[PGR_WMARK_LOW], 1205);
	ck_assert_uint_eq(i1.watermark[PGR_WMARK_HIGH], 1450);
	pgr_node_destroy(n);

	cfg.zones[0].watermark[PGR_WMARK_MIN] = 1;
	cfg.zones[0].watermark[PGR_WMARK_LOW] = 2;
	cfg.zones[0].watermark[PGR_WMARK_HIGH] = 3;
	n = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(n);
	i0 = mmh_info(pgr_node_zone(n, 0));
	ck_assert_uint_eq(i0.watermark[PGR_WMARK_MIN], 1);
	ck_assert_uint_eq(i0.watermark[PGR_WMARK_LOW], 2);
	ck_assert_uint_eq(i0.watermark[PGR_WMARK_HIGH], 3);
	pgr_node_destroy(n);
}
END_TEST

static struct pgr_node *wm_node(uint64_t nr, struct pgr_zone **z)
{
	struct pgr_node_config cfg = {
		.nr_zones = 1,
		.zones = { { .nr_pages = nr, .watermark = { 100, 200, 300 } } },
	};
	struct pgr_node *n = pgr_node_create(&cfg);

	ck_assert_ptr_nonnull(n);
	*z = pgr_node_zone(n, 0);
	ck_assert_int_eq(pgr_zone_populate(*z), 0);
	MMH_CHECK(*z);
	return n;
}

/* The kernel's answer from the counters (no ALLOC_HARDER, no CMA). */
static bool expect_ok(struct pgr_zone *z, unsigned order, uint64_t mark)
{
	struct pgr_zone_info info = mmh_info(z);
	int64_t free_pages =
		(int64_t)info.nr_free_pages - ((int64_t)(1ULL << order) - 1);

	if (free_pages <= (int64_t)mark)
		return false;
	if (order == 0)
		return true;
	for (unsigned o = order; o < info.max_order; o++)
		for (int mt = 0; mt < PGR_MIGRATE_HIGHATOMIC; mt++)
			if (info.nr_free_mt[o][mt])
				return true;
	return false;
}

/*
 * Zone of 2048 pages, watermarks 100/200/300.  Take the zone from pfn 0
 * up so that F = 90..110 and 190..210 pages stay free (in greedy chunks
 * at the top).  Expect pgr_zone_watermark_ok(order 0..4, mark) to match
 * "F - (2^order - 1) > mark and a block of >= order exists" for marks 100
 * and 200; e.g. F = 201: order 0 ok for 200, order 1 not (200 > 200).
 */
START_TEST(test_watermark_ok_strict_boundary)
{
	struct pgr_zone *z;
	struct pgr_node *n = wm_node(2048, &z);
	uint64_t taken = 0;

	for (uint64_t F = 210; F >= 90; F--) {
		if (F < 190 && F > 110)
			continue;
		mmh_take_range(z, taken, 2048 - F);
		taken = 2048 - F;
		ck_assert_uint_eq(mmh_info(z).nr_free_pages, F);
		for (unsigned o = 0; o < 5; o++)
			for (uint64_t mark = 100; mark <= 200; mark += 100)
				ck_assert_msg(
					pgr_zone_watermark_ok(z, o, mark) ==
						expect_ok(z, o, mark),
					"F %" PRIu64 " order %u mark %" PRIu64,
					F, o, mark);
	}
	ck_assert(pgr_zone_watermark_ok(z, 0, 89));
	ck_assert(!pgr_zone_watermark_ok(z, 0, 90));
	pgr_node_destroy(n);
}
END_TEST

/*
 *   64-page zone, every odd page taken: 32 free pages, all order 0
 *   2048-page zone, everything taken but pageblock 0, a HIGHATOMIC o9
 *
 * Expect order 0 ok with mark 0 in the first, order 1 not ok in either
 * (no order >= 1 block on an UNMOVABLE/MOVABLE/RECLAIMABLE list), order 0
 * not ok in the second either (its 512 free pages are all the highatomic
 * reserve, which an ordinary check subtracts), and the HIGHATOMIC zone ok
 * at orders 0..9 (not 10) once pageblock 1024 is freed MOVABLE.
 */
START_TEST(test_watermark_ok_needs_block_of_order)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 64, &z);

	for (uint64_t p = 1; p < 64; p += 2)
		mmh_take(z, p, 0);
	ck_assert(pgr_zone_watermark_ok(z, 0, 0));
	ck_assert(!pgr_zone_watermark_ok(z, 1, 0));
	pgr_node_destroy(n);

	n = mmh_populated(0, 0, 0, 2048, &z);
	for (uint64_t p = 0; p < 2048; p += MMH_PB_PAGES)
		mmh_take(z, p, MMH_PB);
	mmh_set_mt(z, 0, PGR_MIGRATE_HIGHATOMIC);
	mmh_free(z, 0, MMH_PB);
	ck_assert(!pgr_zone_watermark_ok(z, 1, 0));
	ck_assert(!pgr_zone_watermark_ok(z, 0, 0));
	mmh_free(z, 1024, MMH_PB);
	ck_assert(pgr_zone_watermark_ok(z, 0, 0));
	ck_assert(pgr_zone_watermark_ok(z, 1, 0));
	ck_assert(pgr_zone_watermark_ok(z, MMH_PB, 0));
	ck_assert(!pgr_zone_watermark_ok(z, MMH_PB + 1, 0));
	pgr_node_destroy(n);
}
END_TEST

/*
 * Watermarks 100/200/300, zone 2048, F free pages left at the top.
 *   F = 201: order 0 WMARK_LOW ok (201 > 200) -> F = 200
 *   F = 200: order 0 WMARK_LOW -ENOMEM, nothing changed; WMARK_MIN ok
 *   F = 101 after more allocations: order 0 WMARK_MIN ok, then -ENOMEM
 * Expect exactly that, and no flag to ignore the watermark.
 */
START_TEST(test_watermark_alloc_flags)
{
	struct pgr_zone *z;
	struct pgr_node *n = wm_node(2048, &z);
	struct mmh_snap a, b;
	const char *diff;
	uint64_t pfn;

	mmh_take_range(z, 0, 2048 - 201);
	mmh_alloc(z, 0, PGR_MIGRATE_MOVABLE, PGR_ALLOC_WMARK_LOW);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, 200);
	mmh_snap_take(z, &a);
	ck_assert_int_eq(pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE,
					 PGR_ALLOC_WMARK_LOW, &pfn),
			 -ENOMEM);
	ck_assert_str_ne(pgr_errmsg(), "");
	MMH_CHECK(z);
	mmh_snap_take(z, &b);
	diff = mmh_snap_diff(&a, &b);
	ck_assert_msg(diff == NULL, "%s", diff);
	mmh_snap_free(&a);
	mmh_snap_free(&b);
	while (mmh_info(z).nr_free_pages > 101)
		mmh_alloc(z, 0, PGR_MIGRATE_MOVABLE, PGR_ALLOC_WMARK_MIN);
	mmh_alloc(z, 0, PGR_MIGRATE_MOVABLE, PGR_ALLOC_WMARK_MIN);
	ck_assert_int_eq(pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE,
					 PGR_ALLOC_WMARK_MIN, &pfn),
			 -ENOMEM);
	MMH_CHECK(z);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, 100);
	mmh_alloc(z, 0, PGR_MIGRATE_MOVABLE, 0);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Watermarks 100/200/300, 2048-page zone, all taken but pb0 and pb2 (o9).
 * Make pb0 HIGHATOMIC (reserve_highatomic_pageblock): expect the reserve
 * at 512 pages (512 again after a second HIGHATOMIC on the same block),
 * 1024 free pages, and __zone_watermark_ok to count 1024 - 512: mark 511
 * ok, mark 512 not.  A MOVABLE WMARK_MIN request then fails with -ENOMEM
 * once 100 pages are left after the reserve (ordinary requests may not
 * dig into it), and isolate_free_page's min-watermark check fails too,
 * while a HIGHATOMIC request (ALLOC_HARDER) still succeeds.  Turning pb0
 * MOVABLE (unreserve) drops the reserve to 0 and mark 512 becomes ok.
 */
START_TEST(test_watermark_highatomic_reserve)
{
	struct pgr_zone *z;
	struct pgr_node *n = wm_node(2048, &z);
	uint64_t pfn;

	mmh_take(z, 512, MMH_PB);
	mmh_take(z, 1536, MMH_PB);
	ck_assert_uint_eq(mmh_info(z).nr_reserved_highatomic, 0);
	mmh_set_mt(z, 0, PGR_MIGRATE_HIGHATOMIC);
	mmh_set_mt(z, 0, PGR_MIGRATE_HIGHATOMIC);
	ck_assert_uint_eq(mmh_info(z).nr_reserved_highatomic, MMH_PB_PAGES);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, 1024);
	ck_assert(pgr_zone_watermark_ok(z, 0, 511));
	ck_assert(!pgr_zone_watermark_ok(z, 0, 512));
	mmh_take_range(z, 1024, 1536 - 100);
	ck_assert_int_eq(pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE,
					 PGR_ALLOC_WMARK_MIN, &pfn),
			 -ENOMEM);
	ck_assert_int_eq(pgr_isolate_free_page(z, 1472, 6), -ENOSPC);
	ck_assert_int_eq(pgr_alloc_pages(z, 0, PGR_MIGRATE_HIGHATOMIC,
					 PGR_ALLOC_WMARK_MIN, &pfn),
			 0);
	ck_assert_uint_lt(pfn, 512);
	MMH_CHECK(z);
	mmh_free(z, pfn, 0);
	mmh_set_mt(z, 0, PGR_MIGRATE_MOVABLE);
	ck_assert_uint_eq(mmh_info(z).nr_reserved_highatomic, 0);
	ck_assert(pgr_zone_watermark_ok(z, 0, 512));
	pgr_node_destroy(n);
}
END_TEST

static Suite *watermark_suite(void)
{
	Suite *s = suite_create("watermark");
	TCase *tc = tcase_create("setup_per_zone_wmarks");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_watermark_default_single_zone, 0,
			    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_watermark_default_two_zones_and_explicit);
	suite_add_tcase(s, tc);

	tc = tcase_create("zone_watermark_ok");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_watermark_ok_strict_boundary);
	tcase_add_test(tc, test_watermark_ok_needs_block_of_order);
	tcase_add_test(tc, test_watermark_alloc_flags);
	tcase_add_test(tc, test_watermark_highatomic_reserve);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(watermark_suite());
}
