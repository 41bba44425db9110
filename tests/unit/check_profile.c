// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for kernel-version profiles (pgr_node_config.profile,
 * src/mm/zone.c): names, 5.10's FPI_TO_TAIL placement in its three mm
 * places (__free_pages_core for populated memory, __putback_isolated_page
 * for un-isolation and callers, list_move_tail in move_to_free_list), the
 * default profile's head placement in the same places, both after a
 * reporting device was unregistered (return_to_tail undone, 5.10 kept),
 * and no_hugetlb's pageblock order MAX_ORDER-1.  Reported pages (the
 * fourth place) are in check_scenarios_upstream.c.  Default orders (11,
 * 9); zones of 1024-page order-10 blocks, where buddy_merge_likely() is
 * always false (order + 2 >= MAX_ORDER), so only FPI_TO_TAIL decides head
 * or tail.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <pagereport/pagereport.h>

#include "mm_helpers.h"

static struct pgr_node *profile_node(enum pgr_kernel_profile p, uint64_t nr,
				     bool populate, struct pgr_zone **z)
{
	struct pgr_node_config cfg = {
		.seed = mmh_seed(),
		.nr_zones = 1,
		.zones = { { .nr_pages = nr } },
		.profile = p,
	};
	struct pgr_node *n = pgr_node_create(&cfg);

	ck_assert_ptr_nonnull(n);
	*z = pgr_node_zone(n, 0);
	if (populate) {
		ck_assert_int_eq(pgr_zone_populate(*z), 0);
		MMH_CHECK(*z);
	}
	return n;
}

static void expect_list(struct pgr_zone *z, unsigned order, int mt,
			const uint64_t *want, size_t n)
{
	uint64_t got[8];

	ck_assert_uint_eq(mmh_list(z, order, mt, got, 8), n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "order %u position %zu: %llu",
			      order, i, (unsigned long long)got[i]);
}

/* Names both ways; bad names and values are -EINVAL with a message. */
START_TEST(test_profile_names)
{
	static const char *const names[] = { "default", "5.4", "5.7", "5.10",
					     "6.1" };
	struct pgr_node_config cfg = {
		.nr_zones = 1,
		.zones = { { .nr_pages = 1024 } },
		.profile_name = "5.10",
	};
	struct pgr_node *n;

	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(pgr_kernel_profile_from_name(names[i]), i);
		ck_assert_str_eq(
			pgr_kernel_profile_name((enum pgr_kernel_profile)i),
			names[i]);
	}
	ck_assert_int_eq(pgr_kernel_profile_from_name("5.11"), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "5.11"));
	ck_assert_int_eq(pgr_kernel_profile_from_name(NULL), -EINVAL);
	ck_assert_ptr_null(pgr_kernel_profile_name((enum pgr_kernel_profile)5));
	n = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(n);
	pgr_node_destroy(n);
	cfg.profile_name = "4.19";
	ck_assert_ptr_null(pgr_node_create(&cfg));
	ck_assert_int_eq(errno, EINVAL);
	cfg.profile_name = NULL;
	cfg.profile = (enum pgr_kernel_profile)9;
	ck_assert_ptr_null(pgr_node_create(&cfg));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/*
 * Populate four order-10 blocks 0, 1024, 2048, 3072 (freed in that
 * order).  Expect 5.10 and 6.1 (__free_pages_core with FPI_TO_TAIL) to
 * list them head to tail 0 1024 2048 3072, and the default, 5.4 and 5.7
 * profiles (head) 3072 2048 1024 0.
 */
START_TEST(test_profile_populate_placement)
{
	static const uint64_t tail[] = { 0, 1024, 2048, 3072 };
	static const uint64_t head[] = { 3072, 2048, 1024, 0 };
	enum pgr_kernel_profile p = (enum pgr_kernel_profile)_i;
	struct pgr_zone *z;
	struct pgr_node *n = profile_node(p, 4096, true, &z);

	expect_list(z, MMH_MO - 1, PGR_MIGRATE_MOVABLE,
		    p >= PGR_PROFILE_5_10 ? tail : head, 4);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Isolate pageblocks [0, 1024) and undo: block 0 (order 10, its buddy
 * 1024 not isolated) is isolated and given back by
 * __putback_isolated_page.  Then pgr_isolate_free_page(2048) and
 * pgr_putback_isolated_page(2048).  Expect 5.10: from 0 1024 2048 3072,
 * 0 goes to the tail (1024 2048 3072 0), then 2048 (1024 3072 0 2048). Default:
 * from 3072 2048 1024 0, isolating moves 0 to the ISOLATE list, undo puts it at
 * the head (0 3072 2048 1024), then 2048 at the head (2048 0 3072 1024).
 */
START_TEST(test_profile_putback_placement)
{
	static const uint64_t tail[] = { 1024, 3072, 0, 2048 };
	static const uint64_t head[] = { 2048, 0, 3072, 1024 };
	bool p510 = _i;
	struct pgr_zone *z;
	struct pgr_node *n = profile_node(
		p510 ? PGR_PROFILE_5_10 : PGR_PROFILE_DEFAULT, 4096, true, &z);

	ck_assert_int_eq(pgr_isolate_range(z, 0, 1024), 0);
	ck_assert_int_eq(
		pgr_undo_isolate_range(z, 0, 1024, PGR_MIGRATE_MOVABLE), 0);
	ck_assert_int_eq(pgr_isolate_free_page(z, 2048, MMH_MO - 1), 0);
	ck_assert_int_eq(pgr_putback_isolated_page(z, 2048, MMH_MO - 1), 0);
	MMH_CHECK(z);
	expect_list(z, MMH_MO - 1, PGR_MIGRATE_MOVABLE, p510 ? tail : head, 4);
	pgr_node_destroy(n);
}
END_TEST

/* Isolate the order-10 block at @pfn and put it back. */
static void isolate_putback(struct pgr_zone *z, uint64_t pfn)
{
	ck_assert_int_eq(pgr_isolate_free_page(z, pfn, MMH_MO - 1), 0);
	ck_assert_int_eq(pgr_putback_isolated_page(z, pfn, MMH_MO - 1), 0);
	MMH_CHECK(z);
}

/*
 * The profile outlives a reporting device.  5.10 (_i 0): register an
 * upstream device, unregister it, then isolate and put back block 2048.
 * Expect the tail, as on a 5.10 node that never had a device: 0 1024
 * 3072 2048.  Default with return_to_tail (_i 1): while registered, 2048
 * goes back to the tail (3072 1024 0 2048); after unregister, 1024 goes
 * back to the head again (1024 3072 0 2048).
 */
START_TEST(test_profile_placement_after_unregister)
{
	static const uint64_t p510[] = { 0, 1024, 3072, 2048 };
	static const uint64_t dev[] = { 3072, 1024, 0, 2048 };
	static const uint64_t after[] = { 1024, 3072, 0, 2048 };
	bool is_510 = _i == 0;
	struct pgr_reporting_config c = { .strategy = PGR_STRATEGY_UPSTREAM,
					  .clock = PGR_CLOCK_VIRTUAL,
					  .return_to_tail = !is_510 };
	struct pgr_sink *sink = pgr_sink_null_create(32);
	struct pgr_zone *z, *zn;
	struct pgr_node *n =
		profile_node(is_510 ? PGR_PROFILE_5_10 : PGR_PROFILE_DEFAULT,
			     4096, true, &z);
	struct pgr_node *never =
		profile_node(PGR_PROFILE_5_10, 4096, true, &zn);

	ck_assert_ptr_nonnull(sink);
	ck_assert_int_eq(pgr_reporting_register(n, sink, &c), 0);
	if (is_510) {
		ck_assert_int_eq(pgr_reporting_unregister(n), 0);
		isolate_putback(z, 2048);
		expect_list(z, MMH_MO - 1, PGR_MIGRATE_MOVABLE, p510, 4);
		isolate_putback(zn, 2048);
		expect_list(zn, MMH_MO - 1, PGR_MIGRATE_MOVABLE, p510, 4);
	} else {
		isolate_putback(z, 2048);
		expect_list(z, MMH_MO - 1, PGR_MIGRATE_MOVABLE, dev, 4);
		ck_assert_int_eq(pgr_reporting_unregister(n), 0);
		isolate_putback(z, 1024);
		expect_list(z, MMH_MO - 1, PGR_MIGRATE_MOVABLE, after, 4);
	}
	pgr_node_destroy(n);
	pgr_node_destroy(never);
	pgr_sink_destroy(sink);
}
END_TEST

/*
 * Take 0 and 1024 at order 0: the order-9 halves 512 and 1536 are free.
 * Make pageblock 512, then 1536, UNMOVABLE (move_freepages_block ->
 * move_to_free_list).  Expect the UNMOVABLE order-9 list to read 512 1536
 * in 5.10 (list_move_tail) and 1536 512 by default (list_move).
 */
START_TEST(test_profile_move_to_free_list_placement)
{
	static const uint64_t tail[] = { 512, 1536 };
	static const uint64_t head[] = { 1536, 512 };
	bool p510 = _i;
	struct pgr_zone *z;
	struct pgr_node *n = profile_node(
		p510 ? PGR_PROFILE_5_10 : PGR_PROFILE_DEFAULT, 4096, true, &z);

	mmh_take(z, 0, 0);
	mmh_take(z, 1024, 0);
	mmh_set_mt(z, 512, PGR_MIGRATE_UNMOVABLE);
	mmh_set_mt(z, 1536, PGR_MIGRATE_UNMOVABLE);
	expect_list(z, MMH_PB, PGR_MIGRATE_UNMOVABLE, p510 ? tail : head, 2);
	pgr_node_destroy(n);
}
END_TEST

/*
 * no_hugetlb: pageblock_order defaults to MAX_ORDER-1 (10 by default, 7
 * for MAX_ORDER 8); an explicit equal value is accepted, another refused.
 */
START_TEST(test_profile_no_hugetlb_pageblock_order)
{
	struct pgr_node_config cfg = {
		.nr_zones = 1,
		.zones = { { .nr_pages = 4096 } },
		.no_hugetlb = true,
	};
	struct pgr_node *n = pgr_node_create(&cfg);
	struct pgr_zone_info info;

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(pgr_zone_get_info(pgr_node_zone(n, 0), &info), 0);
	ck_assert_uint_eq(info.pageblock_order, MMH_MO - 1);
	pgr_node_destroy(n);
	cfg.max_order = 8;
	n = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(pgr_zone_get_info(pgr_node_zone(n, 0), &info), 0);
	ck_assert_uint_eq(info.pageblock_order, 7);
	pgr_node_destroy(n);
	cfg.pageblock_order = 7;
	n = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(n);
	pgr_node_destroy(n);
	cfg.pageblock_order = 5;
	ck_assert_ptr_null(pgr_node_create(&cfg));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "no_hugetlb"));
}
END_TEST

static Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("profile");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_profile_names);
	tcase_add_loop_test(tc, test_profile_populate_placement, 0, 5);
	tcase_add_loop_test(tc, test_profile_putback_placement, 0, 2);
	tcase_add_loop_test(tc, test_profile_placement_after_unregister, 0, 2);
	tcase_add_loop_test(tc, test_profile_move_to_free_list_placement, 0, 2);
	tcase_add_test(tc, test_profile_no_hugetlb_pageblock_order);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(profile_suite());
}
