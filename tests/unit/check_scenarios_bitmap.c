// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Scenarios for the bitmap strategy (Lal's v12, src/reporting/bitmap.c):
 * where bits are set (after merging, the merged head, not below
 * MIN_ORDER, not on putback), the per-zone threshold, blocks no longer
 * free skipped but their bits cleared, isolation at the current order,
 * batch sizes (16; the modified variant's 32 at MAX_ORDER-1), no
 * Reported state and what gets reported again, the unaligned zone base,
 * and the saved/restored pageblock migratetype.
 *
 * Layout: MAX_ORDER 11, pageblock 9, so MIN_ORDER = 9 and one bit per
 * 512 pages; the zone holds 64 order-10 blocks from pfn 0x100000.
 */
#include "config.h"

#include <check.h>

#include "mm/mmzone.h"
#include "reporting_util.h"

#define SEC  1000000000ULL
#define BASE 0x100000ULL

int pgr__bitmap_test_bit(struct pgr_reporting *rep, unsigned int zone_idx,
			 unsigned long bit);

static char msg[512];

struct bm_fixture {
	struct pgr_node *node;
	struct pgr_zone *zone;
	struct pgr_sink *rec;
};

/*
 * Populated, every order-10 block taken but the last 4 (free without a
 * bit: __isolate_free_page needs WMARK_MIN + 2^order free pages), then
 * bitmap registered.
 */
static void setup(struct bm_fixture *f, uint64_t start, unsigned int order,
		  unsigned int capacity)
{
	struct pgr_node_config nc = {
		.nr_zones = 1,
		.zones = { { .start_pfn = start,
			     .nr_pages = 64 * 1024,
			     .watermark = { 16, 32, 48 } } },
	};
	struct pgr_reporting_config c = {
		.strategy = PGR_STRATEGY_BITMAP,
		.order = order,
		.capacity = capacity,
	};
	uint64_t pfn;

	f->node = pgr_node_create(&nc);
	ck_assert_ptr_nonnull(f->node);
	f->zone = pgr_node_zone(f->node, 0);
	f->rec = recorder(32, 0);
	ck_assert_int_eq(pgr_zone_populate(f->zone), 0);
	/* boot memory freed before enable is never reported (no bits) */
	while (!pgr_alloc_pages(f->zone, 10, PGR_MIGRATE_MOVABLE, 0, &pfn))
		;
	for (unsigned int i = 60; i < 64; i++)
		ck_assert_int_eq(
			pgr_free_pages(f->zone, BASE + i * 1024ULL, 10), 0);
	ck_assert_int_eq(pgr_reporting_register(f->node, f->rec, &c), 0);
	ck_assert(!pgr_reporting_pending(f->node));
}

static void teardown(struct bm_fixture *f)
{
	ck_assert_int_eq(pgr_node_check(f->node, msg, sizeof(msg)), 0);
	pgr_node_destroy(f->node);
	pgr_sink_destroy(f->rec);
}

static int bit(struct bm_fixture *f, uint64_t pfn, unsigned int min_order)
{
	return pgr__bitmap_test_bit(f->node->rep, 0,
				    (unsigned long)((pfn - BASE) >> min_order));
}

static struct pgr_reporting_stats stats(struct bm_fixture *f)
{
	struct pgr_reporting_stats st;

	ck_assert_int_eq(pgr_reporting_get_stats(f->node, &st), 0);
	return st;
}

/* Block i (order 10) of the zone. */
static uint64_t blk(unsigned int i)
{
	return BASE + (uint64_t)i * 1024;
}

/*
 * Free an order-9 upper half (buddy held): its own bit.  Free the lower
 * half: it merges, the merged order-10 head's bit is set.  A free that
 * stays below order 9 sets nothing; neither does allocation.
 * Expect exactly those bits, free_pages below 16: nothing scheduled.
 */
START_TEST(test_bitmap_bits_after_merge)
{
	struct bm_fixture f;

	setup(&f, BASE, 0, 0);
	/* split block 0 into pieces we own */
	ck_assert_int_eq(pgr_free_pages(f.zone, blk(0), 10), 0);
	ck_assert_int_eq(bit(&f, blk(0), 9), 1); /* a 10 sets its head bit */
	ck_assert_int_eq(bit(&f, blk(0) + 512, 9), 0);
	ck_assert_int_eq(pgr_take_block(f.zone, blk(0), 9), 0);
	ck_assert_int_eq(pgr_take_block(f.zone, blk(0) + 512, 9), 0);

	/* block 1: upper half alone, then the lower half merges */
	ck_assert_int_eq(pgr_free_pages(f.zone, blk(1), 10), 0);
	ck_assert_int_eq(pgr_take_block(f.zone, blk(1), 9), 0);
	ck_assert_int_eq(pgr_take_block(f.zone, blk(1) + 512, 9), 0);
	ck_assert_int_eq(pgr_free_pages(f.zone, blk(1) + 512, 9), 0);
	ck_assert_int_eq(bit(&f, blk(1) + 512, 9), 1);
	ck_assert_int_eq(pgr_free_pages(f.zone, blk(1), 9), 0);
	ck_assert_int_eq(bit(&f, blk(1), 9), 1);

	/* an order-3 free inside block 0 that cannot merge to 9: no bit */
	ck_assert_int_eq(pgr_free_pages(f.zone, blk(0) + 512, 9), 0);
	ck_assert_int_eq(pgr_take_block(f.zone, blk(0) + 512 + 8, 3), 0);
	ck_assert_int_eq(pgr_take_block(f.zone, blk(0) + 512, 3), 0);
	ck_assert_int_eq(pgr_free_pages(f.zone, blk(0) + 512, 3), 0);
	ck_assert_int_eq(bit(&f, blk(0) + 512, 9), 1); /* from before */
	ck_assert_int_eq(bit(&f, blk(2), 9), 0);
	ck_assert(!pgr_reporting_pending(f.node));
	ck_assert_uint_eq(stats(&f).requests, 0);
	teardown(&f);
}
END_TEST

/*
 * 15 order-10 frees: no work.  The 16th: the work is scheduled without
 * delay and reports the 16 blocks in pfn order in one batch of 16, clears
 * their bits, marks nothing Reported and leaves them free.
 */
START_TEST(test_bitmap_threshold_and_batch)
{
	struct pgr_recorded_batch b;
	struct pgr_page_info pi;
	struct bm_fixture f;

	setup(&f, BASE, 0, 0);
	for (unsigned int i = 0; i < 15; i++)
		ck_assert_int_eq(pgr_free_pages(f.zone, blk(2 * i), 10), 0);
	ck_assert(!pgr_reporting_pending(f.node));
	ck_assert_int_eq(pgr_free_pages(f.zone, blk(40), 10), 0);
	ck_assert(pgr_reporting_pending(f.node));
	ck_assert_int_eq(pgr_reporting_advance(f.node, 0), 0);
	ck_assert_uint_eq(pgr_sink_recorder_nr_batches(f.rec), 1);
	ck_assert_int_eq(pgr_sink_recorder_batch(f.rec, 0, &b), 0);
	ck_assert_uint_eq(b.n, 16);
	for (unsigned int i = 0; i < 15; i++) {
		ck_assert_uint_eq(b.ranges[i].pfn, blk(2 * i));
		ck_assert_uint_eq(b.ranges[i].order, 10);
	}
	ck_assert_uint_eq(b.ranges[15].pfn, blk(40));
	for (unsigned int i = 0; i < 15; i++) {
		ck_assert_int_eq(bit(&f, blk(2 * i), 9), 0);
		ck_assert_int_eq(pgr_page_get_info(f.zone, blk(2 * i), &pi), 0);
		ck_assert_int_eq(pi.state, PGR_PAGE_FREE);
		ck_assert(!pi.reported);
	}
	ck_assert_uint_eq(rep_counter(f.node, "bits_visited"), 16);
	ck_assert_uint_eq(stats(&f).blocks_marked, 0);
	/* nothing more while they stay free: no bit, no work */
	ck_assert_int_eq(pgr_reporting_run_until_idle(f.node, 60 * SEC, NULL),
			 0);
	ck_assert_uint_eq(pgr_sink_recorder_nr_batches(f.rec), 1);
	teardown(&f);
}
END_TEST

/*
 * The count of set bits (free_pages in v12) follows the bits: 16 order-10
 * frees, one pass reports them and clears their bits.  Then a single
 * order-10 free: one bit set, below the threshold of 16, no work.  Then
 * 14 more (15 set bits): still none; the 16th schedules it again.
 * Expect requests 1, 1, 1, 2 and the second pass to report the 16 new
 * blocks only.  A count left at 16 after the pass would schedule the
 * work on the first new free.
 */
START_TEST(test_bitmap_count_follows_bits)
{
	struct pgr_recorded_batch b;
	struct bm_fixture f;

	setup(&f, BASE, 0, 0);
	for (unsigned int i = 0; i < 16; i++)
		ck_assert_int_eq(pgr_free_pages(f.zone, blk(i), 10), 0);
	ck_assert(pgr_reporting_pending(f.node));
	ck_assert_int_eq(pgr_reporting_advance(f.node, 0), 0);
	ck_assert_uint_eq(stats(&f).blocks_reported, 16);
	ck_assert_uint_eq(stats(&f).requests, 1);
	ck_assert(!pgr_reporting_pending(f.node));

	ck_assert_int_eq(pgr_free_pages(f.zone, blk(20), 10), 0);
	ck_assert_int_eq(bit(&f, blk(20), 9), 1);
	ck_assert(!pgr_reporting_pending(f.node));
	ck_assert_uint_eq(stats(&f).requests, 1);
	for (unsigned int i = 21; i < 35; i++)
		ck_assert_int_eq(pgr_free_pages(f.zone, blk(i), 10), 0);
	ck_assert(!pgr_reporting_pending(f.node)); /* 15 set bits */
	ck_assert_uint_eq(stats(&f).requests, 1);
	ck_assert_int_eq(pgr_free_pages(f.zone, blk(35), 10), 0);
	ck_assert(pgr_reporting_pending(f.node));
	ck_assert_uint_eq(stats(&f).requests, 2);
	ck_assert_int_eq(pgr_reporting_advance(f.node, 0), 0);
	ck_assert_uint_eq(pgr_sink_recorder_nr_batches(f.rec), 2);
	ck_assert_int_eq(pgr_sink_recorder_batch(f.rec, 1, &b), 0);
	ck_assert_uint_eq(b.n, 16);
	ck_assert_uint_eq(b.ranges[0].pfn, blk(20));
	ck_assert_uint_eq(b.ranges[15].pfn, blk(35));
	ck_assert_uint_eq(rep_counter(f.node, "bits_visited"), 32);
	teardown(&f);
}
END_TEST

/*
 * 40 frees before the work runs: one scan of 40 set bits in batches of
 * 16, 16, 8 (default), or, in Lal's modified variant (MIN_ORDER =
 * MAX_ORDER-1, 32 per batch), 32, 8.
 */
START_TEST(test_bitmap_batch_sizes)
{
	static const unsigned int want[2][3] = { { 16, 16, 8 }, { 32, 8, 0 } };
	bool modified = _i;
	struct bm_fixture f;

	setup(&f, BASE, modified ? 10 : 0, modified ? 32 : 0);
	for (unsigned int i = 0; i < 40; i++)
		ck_assert_int_eq(pgr_free_pages(f.zone, blk(i), 10), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(f.node, SEC, NULL), 0);
	ck_assert_uint_eq(pgr_sink_recorder_nr_batches(f.rec),
			  modified ? 2 : 3);
	for (unsigned int k = 0; k < (modified ? 2u : 3u); k++) {
		struct pgr_recorded_batch b;

		ck_assert_int_eq(pgr_sink_recorder_batch(f.rec, k, &b), 0);
		ck_assert_uint_eq(b.n, want[modified][k]);
	}
	ck_assert_uint_eq(stats(&f).blocks_reported, 40);
	ck_assert_uint_eq(stats(&f).passes, 1);
	teardown(&f);
}
END_TEST

/*
 * Bits whose block is no longer free at MIN_ORDER: one block reallocated
 * before the scan, and a half whose bit was set before it merged (its pfn
 * is now inside the merged block).  Expect both skipped and cleared, the
 * merged block isolated at its current order 10, 15 blocks reported.
 */
START_TEST(test_bitmap_skips_blocks_no_longer_free)
{
	struct pgr_recorded_batch b;
	struct bm_fixture f;
	uint64_t up = blk(20) + 512;

	setup(&f, BASE, 0, 0);
	/* the half at blk(20)+512 first, then its buddy: merged at blk(20) */
	ck_assert_int_eq(pgr_free_pages(f.zone, blk(20), 10), 0);
	ck_assert_int_eq(pgr_take_block(f.zone, blk(20), 9), 0);
	ck_assert_int_eq(pgr_take_block(f.zone, up, 9), 0);
	ck_assert_int_eq(pgr_free_pages(f.zone, up, 9), 0);
	ck_assert_int_eq(pgr_free_pages(f.zone, blk(20), 9), 0);
	ck_assert_int_eq(bit(&f, blk(20), 9), 1);
	ck_assert_int_eq(bit(&f, up, 9), 1);
	/* 14 more; one of them reallocated before the work runs */
	for (unsigned int i = 0; i < 14; i++)
		ck_assert_int_eq(pgr_free_pages(f.zone, blk(i), 10), 0);
	ck_assert(pgr_reporting_pending(f.node)); /* 16 bits */
	ck_assert_int_eq(pgr_take_block(f.zone, blk(3), 10), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(f.node, SEC, NULL), 0);
	ck_assert_int_eq(pgr_sink_recorder_batch(f.rec, 0, &b), 0);
	ck_assert_uint_eq(pgr_sink_recorder_nr_batches(f.rec), 1);
	ck_assert_uint_eq(b.n, 14);
	ck_assert_uint_eq(b.ranges[13].pfn, blk(20));
	ck_assert_uint_eq(b.ranges[13].order, 10);
	ck_assert_int_eq(bit(&f, blk(3), 9), 0);
	ck_assert_int_eq(bit(&f, up, 9), 0);
	ck_assert_uint_eq(rep_counter(f.node, "bits_visited"), 16);
	teardown(&f);
}
END_TEST

/*
 * No Reported state.  16 order-10 frees whose blocks are split and held
 * again before the scan: bits visited, nothing reported.  Then the 16
 * upper halves (order 9, buddies held): reported once, not again while
 * they stay free.  Then the lower halves: each merges with its reported,
 * still discarded upper half and the order-10 block is reported again:
 * rereported_pages = 16 * 512.
 */
START_TEST(test_bitmap_rereports)
{
	struct bm_fixture f;
	struct pgr_reporting_stats st;

	setup(&f, BASE, 0, 0);
	for (unsigned int i = 0; i < 16; i++) {
		ck_assert_int_eq(pgr_free_pages(f.zone, blk(i), 10), 0);
		ck_assert_int_eq(pgr_take_block(f.zone, blk(i), 9), 0);
		ck_assert_int_eq(pgr_take_block(f.zone, blk(i) + 512, 9), 0);
	}
	ck_assert_int_eq(pgr_reporting_run_until_idle(f.node, SEC, NULL), 0);
	st = stats(&f);
	ck_assert_uint_eq(rep_counter(f.node, "bits_visited"), 16);
	ck_assert_uint_eq(st.blocks_reported, 0);

	for (unsigned int i = 0; i < 16; i++)
		ck_assert_int_eq(pgr_free_pages(f.zone, blk(i) + 512, 9), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(f.node, SEC, NULL), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(f.node, SEC, NULL), 0);
	st = stats(&f);
	ck_assert_uint_eq(st.blocks_reported, 16);
	ck_assert_uint_eq(st.rereported_pages, 0);

	for (unsigned int i = 0; i < 16; i++)
		ck_assert_int_eq(pgr_free_pages(f.zone, blk(i), 9), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(f.node, SEC, NULL), 0);
	st = stats(&f);
	ck_assert_uint_eq(st.blocks_reported, 32);
	ck_assert_uint_eq(st.pages_reported, 16 * 512 + 16 * 1024);
	ck_assert_uint_eq(st.rereported_pages, 16 * 512);
	teardown(&f);
}
END_TEST

/*
 * A zone starting one pfn past a block boundary: v12 does not align
 * base_pfn, so every rebuilt pfn is inside a block, never a free head.
 * Expect the work to run, visit the bits, clear them and report nothing.
 */
START_TEST(test_bitmap_unaligned_base_reports_nothing)
{
	struct pgr_node_config nc = {
		.nr_zones = 1,
		.zones = { { .start_pfn = BASE - 1,
			     .nr_pages = 64 * 1024 + 1,
			     .watermark = { 16, 32, 48 } } },
	};
	struct pgr_reporting_config c = { .strategy = PGR_STRATEGY_BITMAP };
	struct pgr_node *node = pgr_node_create(&nc);
	struct pgr_zone *zone = pgr_node_zone(node, 0);
	struct pgr_sink *rec = recorder(32, 0);
	struct pgr_reporting_stats st;

	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	ck_assert_int_eq(pgr_zone_populate(zone), 0); /* frees set bits */
	ck_assert(pgr_reporting_pending(node));
	ck_assert_int_eq(pgr_reporting_run_until_idle(node, SEC, NULL), 0);
	ck_assert_int_eq(pgr_reporting_get_stats(node, &st), 0);
	ck_assert_uint_gt(rep_counter(node, "bits_visited"), 16);
	ck_assert_uint_eq(st.blocks_reported, 0);
	ck_assert_uint_eq(pgr_sink_recorder_nr_batches(rec), 0);
	ck_assert_int_eq(pgr_node_check(node, msg, sizeof(msg)), 0);
	pgr_node_destroy(node);
	pgr_sink_destroy(rec);
}
END_TEST

/*
 * v12 saves the pageblock migratetype before __isolate_free_page and
 * restores it: an UNMOVABLE free block stays UNMOVABLE after reporting
 * (upstream converts it to MOVABLE, ALGORITHM.md §1.5).
 */
START_TEST(test_bitmap_keeps_migratetype)
{
	struct bm_fixture f;

	setup(&f, BASE, 0, 0);
	for (unsigned int i = 0; i < 16; i++)
		ck_assert_int_eq(pgr_free_pages(f.zone, blk(i), 10), 0);
	ck_assert_int_eq(pgr_set_pageblock_migratetype(f.zone, blk(5),
						       PGR_MIGRATE_UNMOVABLE),
			 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(f.node, SEC, NULL), 0);
	ck_assert_uint_eq(stats(&f).blocks_reported, 16);
	ck_assert_int_eq(pgr_pageblock_migratetype(f.zone, blk(5)),
			 PGR_MIGRATE_UNMOVABLE);
	/* the second pageblock of the order-10 block was converted */
	ck_assert_int_eq(pgr_pageblock_migratetype(f.zone, blk(5) + 512),
			 PGR_MIGRATE_MOVABLE);
	teardown(&f);
}
END_TEST

static Suite *bitmap_suite(void)
{
	Suite *s = suite_create("scenarios_bitmap");
	TCase *tc = tcase_create("bitmap");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_bitmap_bits_after_merge);
	tcase_add_test(tc, test_bitmap_threshold_and_batch);
	tcase_add_test(tc, test_bitmap_count_follows_bits);
	tcase_add_loop_test(tc, test_bitmap_batch_sizes, 0, 2);
	tcase_add_test(tc, test_bitmap_skips_blocks_no_longer_free);
	tcase_add_test(tc, test_bitmap_rereports);
	tcase_add_test(tc, test_bitmap_unaligned_base_reports_nothing);
	tcase_add_test(tc, test_bitmap_keeps_migratetype);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(bitmap_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
