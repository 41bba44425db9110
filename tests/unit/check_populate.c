// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for pgr_zone_populate and pgr_zone_offline (src/mm/zone.c:
 * the model of memblock_free_all -> __free_pages_memory and of memory
 * hot-remove): the zone is freed in the largest naturally aligned chunks
 * (an unaligned start or end included), every pageblock is MOVABLE, a
 * second populate is -EBUSY, offline leaves nothing free (and -EBUSY with
 * pages in use), and one node with two zones keeps them apart.  Shuffle is
 * off, so the set of blocks is exact.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "mm_helpers.h"

/*
 * Expect every page of [start, end) to be described exactly by the greedy
 * chunks: chunk heads free at their order on the MOVABLE list, every
 * other page a tail; and nr_free[] to count the chunks.
 */
static void expect_greedy_chunks(struct pgr_zone *z, uint64_t start,
				 uint64_t end, unsigned mo)
{
	uint64_t count[PGR_MAX_ORDER_LIMIT] = { 0 };
	struct pgr_zone_info info = mmh_info(z);
	uint64_t p = start;

	while (p < end) {
		unsigned o = mmh_chunk_order(p, end, mo);

		mmh_expect_block(z, p, PGR_PAGE_FREE, o, PGR_MIGRATE_MOVABLE);
		for (uint64_t t = p + 1; t < p + (1ULL << o); t++)
			ck_assert_msg(mmh_page(z, t).state == PGR_PAGE_TAIL,
				      "pfn %" PRIu64 " not a tail", t);
		count[o]++;
		p += 1ULL << o;
	}
	for (unsigned o = 0; o < mo; o++)
		ck_assert_msg(info.nr_free[o] == count[o],
			      "nr_free[%u] = %" PRIu64 ", expected %" PRIu64, o,
			      info.nr_free[o], count[o]);
	ck_assert_uint_eq(info.nr_free_pages, end - start);
	mmh_expect_counts_match_lists(z);
}

/*
 * Loop over zones (start, nr): aligned [0,4096); [1000, 3096) (starts
 * with 1000 o3, 1008 o4, 1024 o10 ...); [0, 3000) (ends ... 2976 o4,
 * 2992 o3); [7, 7+1) a single page; [1, 1+9999).  Expect exactly the
 * greedy chunks, all MOVABLE, all pageblocks MOVABLE.
 */
START_TEST(test_populate_largest_aligned_chunks)
{
	static const uint64_t zones[][2] = {
		{ 0, 4096 }, { 1000, 2096 }, { 0, 3000 }, { 7, 1 }, { 1, 9999 }
	};
	uint64_t start = zones[_i][0], nr = zones[_i][1];
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, start, nr, &z);
	struct pgr_zone_info info = mmh_info(z);
	uint64_t pbs = 0;

	expect_greedy_chunks(z, start, start + nr, MMH_MO);
	for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++)
		pbs += info.nr_pageblocks_mt[mt];
	ck_assert_uint_eq(info.nr_pageblocks_mt[PGR_MIGRATE_MOVABLE], pbs);
	ck_assert_uint_gt(pbs, 0);
	for (uint64_t p = start; p < start + nr; p += 97)
		ck_assert_int_eq(pgr_pageblock_migratetype(z, p),
				 PGR_MIGRATE_MOVABLE);
	ck_assert_int_eq(pgr_pageblock_migratetype(z, start + nr - 1),
			 PGR_MIGRATE_MOVABLE);
	ck_assert_uint_eq(info.start_pfn, start);
	ck_assert_uint_eq(info.nr_pages, nr);
	ck_assert_str_eq(info.name, "Normal");
	pgr_node_destroy(n);
}
END_TEST

/*
 * Before populate nothing is free; after it everything is.  Expect a
 * second populate to return -EBUSY with a message and change nothing.
 */
START_TEST(test_populate_twice_is_busy)
{
	struct pgr_node *n = mmh_node(0, 0, 0, 2048);
	struct pgr_zone *z = pgr_node_zone(n, 0);
	struct mmh_snap a, b;
	const char *diff;

	MMH_CHECK(z);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, 0);
	ck_assert_int_eq(
		pgr_free_list_walk(z, MMH_MO - 1, PGR_MIGRATE_MOVABLE, NULL, 0),
		0);
	ck_assert_int_eq(pgr_zone_populate(z), 0);
	MMH_CHECK(z);
	mmh_snap_take(z, &a);
	ck_assert_int_eq(pgr_zone_populate(z), -EBUSY);
	ck_assert_str_ne(pgr_errmsg(), "");
	ck_assert_int_eq(pgr_zone_populate(z), -EBUSY);
	MMH_CHECK(z);
	mmh_snap_take(z, &b);
	diff = mmh_snap_diff(&a, &b);
	ck_assert_msg(diff == NULL, "%s", diff);
	mmh_snap_free(&a);
	mmh_snap_free(&b);
	pgr_node_destroy(n);
}
END_TEST

/*
 *   [1000, 3096) populated; 1500 taken (o0)
 *
 * Expect offline to fail with -EBUSY while 1500 is allocated (nothing
 * changed) and while a block is held by pgr_isolate_free_page; once all is
 * free, offline to leave no free page, no block on any list, and a zone
 * that passes the check; populate again to give the same chunks.
 */
START_TEST(test_populate_offline_then_nothing_free)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 1000, 2096, &z);
	struct pgr_zone_info info;
	struct mmh_snap a, b;
	const char *diff;

	mmh_take(z, 1500, 0);
	mmh_snap_take(z, &a);
	ck_assert_int_eq(pgr_zone_offline(z), -EBUSY);
	ck_assert_str_ne(pgr_errmsg(), "");
	MMH_CHECK(z);
	mmh_snap_take(z, &b);
	diff = mmh_snap_diff(&a, &b);
	ck_assert_msg(diff == NULL, "%s", diff);
	mmh_snap_free(&a);
	mmh_snap_free(&b);
	mmh_free(z, 1500, 0);
	ck_assert_int_eq(pgr_isolate_free_page(z, 1024, MMH_MO - 1), 0);
	ck_assert_int_eq(pgr_zone_offline(z), -EBUSY);
	MMH_CHECK(z);
	ck_assert_int_eq(pgr_putback_isolated_page(z, 1024, MMH_MO - 1), 0);
	MMH_CHECK(z);

	ck_assert_int_eq(pgr_zone_offline(z), 0);
	MMH_CHECK(z);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free_pages, 0);
	ck_assert_uint_eq(info.nr_free_isolate_pages, 0);
	for (unsigned o = 0; o < MMH_MO; o++) {
		ck_assert_uint_eq(info.nr_free[o], 0);
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++)
			ck_assert_uint_eq(mmh_list(z, o, mt, NULL, 0), 0);
	}
	ck_assert_int_eq(pgr_take_block(z, 1024, 0), -EBUSY);
	ck_assert_int_eq(pgr_zone_populate(z), 0);
	MMH_CHECK(z);
	expect_greedy_chunks(z, 1000, 3096, MMH_MO);
	pgr_node_destroy(n);
}
END_TEST

/*
 * One node, two zones, unnamed, adjacent at an unaligned pfn:
 *   zone 0 [0, 1000)      "zone0"   ... 960 o5, 992 o3
 *   zone 1 [1000, 5096)   "zone1"   1000 o3, 1008 o4, 1024 o10 ...
 * Expect the node to report 2 zones, pgr_node_zone(n, 2) NULL,
 * pgr_zone_node to map back, each zone's exact greedy chunks (no block
 * crosses pfn 1000), both zones populated independently, node check ok.
 */
START_TEST(test_populate_one_node_two_zones)
{
	struct pgr_node_config cfg = {
		.nr_zones = 2,
		.zones = { { .start_pfn = 0, .nr_pages = 1000 },
			   { .start_pfn = 1000, .nr_pages = 4096 } },
	};
	struct pgr_node *n = pgr_node_create(&cfg);
	struct pgr_zone *z0, *z1;

	ck_assert_ptr_nonnull(n);
	ck_assert_uint_eq(pgr_node_nr_zones(n), 2);
	z0 = pgr_node_zone(n, 0);
	z1 = pgr_node_zone(n, 1);
	ck_assert_ptr_nonnull(z0);
	ck_assert_ptr_nonnull(z1);
	ck_assert_ptr_ne(z0, z1);
	ck_assert_ptr_null(pgr_node_zone(n, 2));
	ck_assert_ptr_eq(pgr_zone_node(z0), n);
	ck_assert_ptr_eq(pgr_zone_node(z1), n);
	ck_assert_str_eq(mmh_info(z0).name, "zone0");
	ck_assert_str_eq(mmh_info(z1).name, "zone1");

	ck_assert_int_eq(pgr_zone_populate(z1), 0);
	MMH_CHECK(z1);
	MMH_CHECK(z0);
	ck_assert_uint_eq(mmh_info(z0).nr_free_pages, 0);
	expect_greedy_chunks(z1, 1000, 5096, MMH_MO);
	ck_assert_int_eq(pgr_zone_populate(z0), 0);
	MMH_CHECK(z0);
	expect_greedy_chunks(z0, 0, 1000, MMH_MO);
	expect_greedy_chunks(z1, 1000, 5096, MMH_MO);
	ck_assert_int_eq(pgr_node_check(n, NULL, 0), 0);
	ck_assert_int_eq(
		pgr_page_get_info(z0, 1000, &(struct pgr_page_info){ 0 }),
		-ERANGE);
	ck_assert_int_eq(
		pgr_page_get_info(z1, 999, &(struct pgr_page_info){ 0 }),
		-ERANGE);
	pgr_node_destroy(n);
}
END_TEST

static Suite *populate_suite(void)
{
	Suite *s = suite_create("populate");
	TCase *tc = tcase_create("populate");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_populate_largest_aligned_chunks, 0, 5);
	tcase_add_test(tc, test_populate_twice_is_busy);
	tcase_add_test(tc, test_populate_one_node_two_zones);
	suite_add_tcase(s, tc);

	tc = tcase_create("offline");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_populate_offline_then_nothing_free);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(populate_suite());
}
