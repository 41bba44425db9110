// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bad input to every public function of include/pagereport/mm.h: NULL
 * pointers, order or migratetype out of range, pfn outside the zone,
 * unaligned pfn, double free, free with the wrong order, freeing an
 * isolated block, bad node configurations (each field).  Each call must
 * return the documented negative errno (or NULL with errno), leave a
 * message for pgr_errmsg(), and leave the zone exactly as it was: a full
 * snapshot (counters, every list in order, every page's state, the
 * check result) is compared before and after.  Includes errmsg.h only
 * to clear the thread's message before each call.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>

#include "errmsg.h"
#include "mm_helpers.h"

/*
 * The fixture, zone [1024, 5120):
 *
 *   1024 .. 2047   free o10 (MOVABLE)
 *   2048           A: allocated o2
 *   3072           I: isolated o3 (pgr_isolate_free_page), 3080 taken o3
 *   4096           F: free o9 MOVABLE
 *   4608           free o9 on the ISOLATE list (pageblock isolated)
 */
#define ZSTART	1024ULL
#define ZEND	5120ULL
#define A_PFN	2048ULL
#define I_PFN	3072ULL
#define F_PFN	4096ULL
#define ISO_PFN 4608ULL

static struct pgr_node *node;
static struct pgr_zone *zone;

static void setup(void)
{
	struct pgr_zone *z;

	node = mmh_populated(0, 0, ZSTART, ZEND - ZSTART, &z);
	zone = z;
	mmh_take(z, A_PFN, 2);
	mmh_take(z, I_PFN + 8, 3);
	ck_assert_int_eq(pgr_isolate_free_page(z, I_PFN, 3), 0);
	ck_assert_int_eq(pgr_isolate_range(z, ISO_PFN, MMH_PB_PAGES), 0);
	MMH_CHECK(z);
	mmh_expect_block(z, A_PFN, PGR_PAGE_ALLOCATED, 2, -1);
	mmh_expect_block(z, I_PFN, PGR_PAGE_ISOLATED, 3, -1);
	mmh_expect_block(z, F_PFN, PGR_PAGE_FREE, MMH_PB, PGR_MIGRATE_MOVABLE);
	mmh_expect_block(z, ISO_PFN, PGR_PAGE_FREE, MMH_PB,
			 PGR_MIGRATE_ISOLATE);
}

static void teardown(void)
{
	pgr_node_destroy(node);
	node = NULL;
	zone = NULL;
}

static void clear_errmsg(void)
{
	pgr__error(0, "%s", "");
	ck_assert_str_eq(pgr_errmsg(), "");
}

/*
 * Run @call (an int expression) on the fixture; expect one of the errnos
 * (negative), a message, and no change at all.
 */
#define BAD2(call, e1, e2)                                                  \
	do {                                                                \
		struct mmh_snap _a, _b;                                     \
		const char *_d;                                             \
		int _rc;                                                    \
		mmh_snap_take(zone, &_a);                                   \
		clear_errmsg();                                             \
		_rc = (call);                                               \
		ck_assert_msg(_rc == (e1) || _rc == (e2),                   \
			      "%s: returned %d, expected %d", #call, _rc,   \
			      (e1));                                        \
		ck_assert_msg(pgr_errmsg()[0] != '\0', "%s: no message",    \
			      #call);                                       \
		MMH_CHECK(zone);                                            \
		mmh_snap_take(zone, &_b);                                   \
		_d = mmh_snap_diff(&_a, &_b);                               \
		ck_assert_msg(_d == NULL, "%s changed the zone: %s", #call, \
			      _d);                                          \
		mmh_snap_free(&_a);                                         \
		mmh_snap_free(&_b);                                         \
	} while (0)
#define BAD(call, e) BAD2(call, e, e)

START_TEST(test_bad_input_node_and_zone_accessors)
{
	struct pgr_node_config ok = { .nr_zones = 1,
				      .zones = { { .nr_pages = 1024 } } };

	errno = 0;
	clear_errmsg();
	ck_assert_ptr_null(pgr_node_create(NULL));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_ne(pgr_errmsg(), "");
	pgr_node_destroy(NULL);
	ck_assert_ptr_null(pgr_node_zone(NULL, 0));
	ck_assert_ptr_null(pgr_node_zone(node, 1));
	ck_assert_ptr_null(pgr_node_zone(node, UINT_MAX));
	ck_assert_uint_eq(pgr_node_nr_zones(NULL), 0);
	ck_assert_uint_eq(pgr_node_nr_zones(node), 1);
	ck_assert_ptr_null(pgr_zone_node(NULL));
	BAD(pgr_zone_populate(NULL), -EINVAL);
	BAD(pgr_zone_offline(NULL), -EINVAL);
	BAD(pgr_zone_populate(zone), -EBUSY);
	BAD(pgr_zone_offline(zone), -EBUSY);
	BAD(pgr_zone_shuffle(NULL), -EINVAL);
	BAD(pgr_zone_get_info(NULL, &(struct pgr_zone_info){ 0 }), -EINVAL);
	BAD(pgr_zone_get_info(zone, NULL), -EINVAL);
	BAD(pgr_zone_check(NULL, NULL, 0), -EINVAL);
	BAD(pgr_node_check(NULL, NULL, 0), -EINVAL);
	ck_assert(!pgr_zone_watermark_ok(NULL, 0, 0));
	/* the fixture is fine, and a second valid node is independent */
	ck_assert_int_eq(pgr_node_check(node, NULL, 0), 0);
	pgr_node_destroy(pgr_node_create(&ok));
}
END_TEST

START_TEST(test_bad_input_alloc)
{
	uint64_t pfn = 7;

	BAD(pgr_alloc_pages(NULL, 0, PGR_MIGRATE_MOVABLE, 0, &pfn), -EINVAL);
	BAD(pgr_alloc_pages(zone, MMH_MO, PGR_MIGRATE_MOVABLE, 0, &pfn),
	    -EINVAL);
	BAD(pgr_alloc_pages(zone, 99, PGR_MIGRATE_MOVABLE, 0, &pfn), -EINVAL);
	BAD(pgr_alloc_pages(zone, 0, PGR_MIGRATE_ISOLATE, 0, &pfn), -EINVAL);
	BAD(pgr_alloc_pages(zone, 0, PGR_MIGRATE_TYPES, 0, &pfn), -EINVAL);
	BAD(pgr_alloc_pages(zone, 0, (enum pgr_migratetype) - 1, 0, &pfn),
	    -EINVAL);
	BAD(pgr_alloc_pages(zone, 0, PGR_MIGRATE_MOVABLE, 0x100, &pfn),
	    -EINVAL);
	BAD(pgr_alloc_pages(zone, 0, PGR_MIGRATE_MOVABLE, 0, NULL), -EINVAL);
	ck_assert_uint_eq(pfn, 7);
}
END_TEST

/*
 * Expect -ERANGE outside [1024, 5120), -EINVAL for unaligned pfns, bad
 * orders, a double free (F, or the never-allocated 1024), the wrong
 * order (A as 1 or 3), a tail of A, and the isolated block I.
 */
START_TEST(test_bad_input_free)
{
	BAD(pgr_free_pages(NULL, A_PFN, 2), -EINVAL);
	BAD(pgr_free_pages(zone, 0, 2), -ERANGE);
	BAD(pgr_free_pages(zone, ZEND, 2), -ERANGE);
	BAD(pgr_free_pages(zone, 1ULL << 40, 0), -ERANGE);
	BAD(pgr_free_pages(zone, A_PFN + 1, 2), -EINVAL);
	BAD(pgr_free_pages(zone, A_PFN, MMH_MO), -EINVAL);
	BAD(pgr_free_pages(zone, A_PFN, 200), -EINVAL);
	BAD(pgr_free_pages(zone, F_PFN, MMH_PB), -EINVAL);
	BAD(pgr_free_pages(zone, ZSTART, MMH_MO - 1), -EINVAL);
	BAD(pgr_free_pages(zone, ZSTART, 0), -EINVAL);
	BAD(pgr_free_pages(zone, A_PFN, 1), -EINVAL);
	BAD(pgr_free_pages(zone, A_PFN, 3), -EINVAL);
	BAD(pgr_free_pages(zone, A_PFN + 2, 1), -EINVAL);
	BAD(pgr_free_pages(zone, I_PFN, 3), -EINVAL);
	BAD(pgr_free_pages(zone, ISO_PFN, MMH_PB), -EINVAL);
	/* and the real free still works afterwards, once */
	mmh_free(zone, A_PFN, 2);
	BAD(pgr_free_pages(zone, A_PFN, 2), -EINVAL);
}
END_TEST

START_TEST(test_bad_input_take_block)
{
	BAD(pgr_take_block(NULL, F_PFN, 0), -EINVAL);
	BAD(pgr_take_block(zone, 0, 0), -ERANGE);
	BAD(pgr_take_block(zone, ZEND, 0), -ERANGE);
	BAD(pgr_take_block(zone, F_PFN, MMH_MO), -EINVAL);
	BAD(pgr_take_block(zone, F_PFN + 1, 1), -EINVAL);
	BAD(pgr_take_block(zone, A_PFN, 0), -EBUSY);
	BAD(pgr_take_block(zone, A_PFN, MMH_MO - 1), -EBUSY);
	BAD(pgr_take_block(zone, I_PFN, 3), -EBUSY);
	BAD(pgr_take_block(zone, I_PFN, 4), -EBUSY);
}
END_TEST

START_TEST(test_bad_input_isolate_and_putback)
{
	BAD(pgr_isolate_free_page(NULL, F_PFN, MMH_PB), -EINVAL);
	BAD(pgr_isolate_free_page(zone, 0, 0), -ERANGE);
	BAD(pgr_isolate_free_page(zone, F_PFN, MMH_MO), -EINVAL);
	BAD(pgr_isolate_free_page(zone, A_PFN, 2), -ENOENT);
	BAD(pgr_isolate_free_page(zone, F_PFN, MMH_PB - 1), -ENOENT);
	BAD(pgr_isolate_free_page(zone, F_PFN + 256, MMH_PB - 1), -ENOENT);
	BAD(pgr_isolate_free_page(zone, I_PFN, 3), -ENOENT);

	BAD(pgr_putback_isolated_page(NULL, I_PFN, 3), -EINVAL);
	BAD2(pgr_putback_isolated_page(zone, 0, 3), -EINVAL, -ERANGE);
	BAD(pgr_putback_isolated_page(zone, F_PFN, MMH_PB), -EINVAL);
	BAD(pgr_putback_isolated_page(zone, A_PFN, 2), -EINVAL);
	BAD(pgr_putback_isolated_page(zone, I_PFN, 2), -EINVAL);
	BAD(pgr_putback_isolated_page(zone, I_PFN, MMH_MO), -EINVAL);
	ck_assert_int_eq(pgr_putback_isolated_page(zone, I_PFN, 3), 0);
	MMH_CHECK(zone);
	BAD(pgr_putback_isolated_page(zone, I_PFN, 3), -EINVAL);
}
END_TEST

START_TEST(test_bad_input_pageblocks)
{
	BAD(pgr_isolate_range(NULL, F_PFN, 512), -EINVAL);
	BAD(pgr_isolate_range(zone, F_PFN + 1, 512), -EINVAL);
	BAD(pgr_isolate_range(zone, F_PFN, 100), -EINVAL);
	BAD(pgr_isolate_range(zone, 0, 512), -ERANGE);
	BAD(pgr_isolate_range(zone, ZEND, 512), -ERANGE);
	BAD(pgr_isolate_range(zone, F_PFN, 2048), -ERANGE);
	BAD(pgr_isolate_range(zone, ISO_PFN, 512), -EBUSY);
	BAD(pgr_isolate_range(zone, F_PFN, 1024), -EBUSY);

	BAD(pgr_undo_isolate_range(NULL, ISO_PFN, 512, PGR_MIGRATE_MOVABLE),
	    -EINVAL);
	BAD(pgr_undo_isolate_range(zone, ISO_PFN, 512, PGR_MIGRATE_ISOLATE),
	    -EINVAL);
	BAD(pgr_undo_isolate_range(zone, ISO_PFN, 512, PGR_MIGRATE_TYPES),
	    -EINVAL);
	BAD(pgr_undo_isolate_range(zone, ISO_PFN + 1, 512, PGR_MIGRATE_MOVABLE),
	    -EINVAL);
	BAD(pgr_undo_isolate_range(zone, 0, 512, PGR_MIGRATE_MOVABLE), -ERANGE);

	BAD(pgr_set_pageblock_migratetype(NULL, F_PFN, PGR_MIGRATE_MOVABLE),
	    -EINVAL);
	BAD(pgr_set_pageblock_migratetype(zone, 0, PGR_MIGRATE_MOVABLE),
	    -ERANGE);
	BAD(pgr_set_pageblock_migratetype(zone, F_PFN, PGR_MIGRATE_ISOLATE),
	    -EINVAL);
	BAD(pgr_set_pageblock_migratetype(zone, F_PFN, PGR_MIGRATE_TYPES),
	    -EINVAL);
	BAD(pgr_set_pageblock_migratetype(zone, F_PFN,
					  (enum pgr_migratetype) - 1),
	    -EINVAL);

	BAD(pgr_pageblock_migratetype(NULL, F_PFN), -EINVAL);
	BAD(pgr_pageblock_migratetype(zone, 0), -ERANGE);
	BAD(pgr_pageblock_migratetype(zone, ZEND), -ERANGE);

	BAD(pgr_zone_compact_rotate(NULL, MMH_PB, F_PFN), -EINVAL);
	BAD(pgr_zone_compact_rotate(zone, MMH_MO, F_PFN), -EINVAL);
	BAD(pgr_zone_compact_rotate(zone, 2, A_PFN), -ENOENT);
	BAD(pgr_zone_compact_rotate(zone, MMH_PB - 1, F_PFN), -ENOENT);
	BAD(pgr_zone_compact_rotate(zone, MMH_PB, ISO_PFN), -ENOENT);
}
END_TEST

START_TEST(test_bad_input_queries)
{
	struct pgr_page_info pi;
	uint64_t pfns[4];

	BAD(pgr_page_get_info(NULL, F_PFN, &pi), -EINVAL);
	BAD(pgr_page_get_info(zone, 0, &pi), -ERANGE);
	BAD(pgr_page_get_info(zone, ZEND, &pi), -ERANGE);
	BAD(pgr_page_get_info(zone, F_PFN, NULL), -EINVAL);
	BAD((int)pgr_free_list_walk(NULL, 0, PGR_MIGRATE_MOVABLE, pfns, 4),
	    -EINVAL);
	BAD((int)pgr_free_list_walk(zone, MMH_MO, PGR_MIGRATE_MOVABLE, pfns, 4),
	    -EINVAL);
	BAD((int)pgr_free_list_walk(zone, 0, PGR_MIGRATE_TYPES, pfns, 4),
	    -EINVAL);
	BAD((int)pgr_free_list_walk(zone, 0, (enum pgr_migratetype) - 1, pfns,
				    4),
	    -EINVAL);
	BAD((int)pgr_free_list_walk(zone, MMH_PB, PGR_MIGRATE_MOVABLE, NULL, 4),
	    -EINVAL);
	ck_assert(!pgr_zone_watermark_ok(zone, MMH_MO, 0));
	ck_assert_ptr_nonnull(pgr_migratetype_name(-1));
	ck_assert_ptr_nonnull(pgr_migratetype_name(PGR_MIGRATE_TYPES));
	ck_assert_ptr_nonnull(pgr_migratetype_name(99));
	for (int a = 0; a < PGR_MIGRATE_TYPES; a++) {
		ck_assert_str_ne(pgr_migratetype_name(a), "");
		for (int b = 0; b < a; b++)
			ck_assert_str_ne(pgr_migratetype_name(a),
					 pgr_migratetype_name(b));
	}
}
END_TEST

/*
 * Loop over one broken field of an otherwise valid two-zone config
 * ([0,4096) and [4096,8192), MAX_ORDER 11, pageblock 9).  Expect NULL,
 * errno EINVAL and a message for each.
 */
START_TEST(test_bad_input_node_config)
{
	struct pgr_node_config cfg = {
		.max_order = 11,
		.pageblock_order = 9,
		.nr_zones = 2,
		.zones = { { .start_pfn = 0, .nr_pages = 4096 },
			   { .start_pfn = 4096, .nr_pages = 4096 } },
	};
	const char *what = "";
	struct pgr_node *n;

	switch (_i) {
	case 0:
		cfg.max_order = PGR_MAX_ORDER_LIMIT + 1, what = "max_order";
		break;
	case 1:
		cfg.pageblock_order = 11, what = "pageblock == max_order";
		break;
	case 2:
		cfg.pageblock_order = 12, what = "pageblock > max_order";
		break;
	case 3:
		cfg.nr_zones = 0, what = "nr_zones 0";
		break;
	case 4:
		cfg.nr_zones = PGR_MAX_ZONES + 1, what = "nr_zones";
		break;
	case 5:
		cfg.zones[1].nr_pages = 0, what = "nr_pages 0";
		break;
	case 6:
		cfg.zones[1].nr_pages = (1ULL << 32) - 1024, what = "nr_pages";
		break;
	case 7:
		cfg.zones[1].start_pfn = 4095, what = "overlap";
		break;
	case 8:
		cfg.zones[1].start_pfn = 0, what = "same span";
		break;
	case 9:
		cfg.zones[0].start_pfn = 4096;
		cfg.zones[1].start_pfn = 0;
		cfg.zones[1].nr_pages = 4097;
		what = "overlap, unsorted";
		break;
	case 10:
		cfg.zones[1].start_pfn = UINT64_MAX - 10, what = "pfn overflow";
		break;
	default:
		cfg.max_order = 5, cfg.pageblock_order = 5, what = "small mo";
		break;
	}
	errno = 0;
	clear_errmsg();
	n = pgr_node_create(&cfg);
	if (n)
		pgr_node_destroy(n);
	ck_assert_msg(n == NULL, "%s: accepted", what);
	ck_assert_msg(errno == EINVAL, "%s: errno %d", what, errno);
	ck_assert_msg(pgr_errmsg()[0] != '\0', "%s: no message", what);
}
END_TEST

/* The limits themselves are accepted: MAX_ORDER 16, pageblock 15. */
START_TEST(test_bad_input_node_config_limits_ok)
{
	struct pgr_zone *z;
	struct pgr_node *n =
		mmh_populated(PGR_MAX_ORDER_LIMIT, PGR_MAX_ORDER_LIMIT - 1, 0,
			      1ULL << 16, &z);

	ck_assert_uint_eq(mmh_info(z).nr_free[PGR_MAX_ORDER_LIMIT - 1], 2);
	pgr_node_destroy(n);
}
END_TEST

static Suite *bad_input_suite(void)
{
	Suite *s = suite_create("bad_input");
	TCase *tc = tcase_create("mm_api");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bad_input_node_and_zone_accessors);
	tcase_add_test(tc, test_bad_input_alloc);
	tcase_add_test(tc, test_bad_input_free);
	tcase_add_test(tc, test_bad_input_take_block);
	tcase_add_test(tc, test_bad_input_isolate_and_putback);
	tcase_add_test(tc, test_bad_input_pageblocks);
	tcase_add_test(tc, test_bad_input_queries);
	suite_add_tcase(s, tc);

	tc = tcase_create("node_create");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_bad_input_node_config, 0, 12);
	tcase_add_test(tc, test_bad_input_node_config_limits_ok);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(bad_input_suite());
}
