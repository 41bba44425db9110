// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The sinks (src/sinks): null, recorder (fault injection, batch access),
 * guest RAM (memfd span, pfn -> address, st_blocks) and the memory sink
 * (PUNCH_HOLE and MADV_REMOVE really give memory back; a refault reads
 * zeroes), alone and behind the reporting engine.
 */
#include "config.h"

#include <check.h>
#include <unistd.h>

#include "reporting_util.h"

#define SEC 1000000000ULL

START_TEST(test_sink_null)
{
	struct pgr_sink *s = pgr_sink_null_create(16);
	struct pgr_range r = { .pfn = 0, .order = 3 };

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->capacity, 16);
	ck_assert_int_eq(s->ops->report(s, &r, 1), 0);
	pgr_sink_destroy(s);
	pgr_sink_destroy(NULL);
	ck_assert_ptr_null(pgr_sink_null_create(0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(pgr_sink_null_create(33));
}
END_TEST

/*
 * fail_nth = 2, fail_every = 3: calls 2, 3 and 6 fail with fail_err.
 * Expect every batch kept with its return value, reset to start over.
 */
START_TEST(test_sink_recorder)
{
	struct pgr_sink_recorder_config rc = {
		.capacity = 4,
		.fail_nth = 2,
		.fail_every = 3,
		.fail_err = -ENOSPC,
	};
	struct pgr_sink *s = pgr_sink_recorder_create(&rc);
	struct pgr_range r[4];
	struct pgr_recorded_batch b;
	const int want[6] = { 0, -ENOSPC, -ENOSPC, 0, 0, -ENOSPC };

	ck_assert_ptr_nonnull(s);
	for (unsigned int i = 0; i < 6; i++) {
		for (unsigned int j = 0; j < 4; j++)
			r[j] = (struct pgr_range){ .pfn = 800 * i + 8 * j,
						   .order = j };
		ck_assert_int_eq(s->ops->report(s, r, 1 + i % 4), want[i]);
	}
	ck_assert_uint_eq(pgr_sink_recorder_nr_batches(s), 6);
	for (unsigned int i = 0; i < 6; i++) {
		ck_assert_int_eq(pgr_sink_recorder_batch(s, i, &b), 0);
		ck_assert_uint_eq(b.seq, i);
		ck_assert_uint_eq(b.n, 1 + i % 4);
		ck_assert_int_eq(b.ret, want[i]);
		ck_assert_uint_eq(b.ranges[b.n - 1].pfn,
				  800 * i + 8 * (b.n - 1));
		ck_assert_uint_eq(b.ranges[b.n - 1].order, b.n - 1);
	}
	ck_assert_int_eq(pgr_sink_recorder_batch(s, 6, &b), -ENOENT);
	pgr_sink_recorder_reset(s);
	ck_assert_uint_eq(pgr_sink_recorder_nr_batches(s), 0);
	/* the counter restarts: the 2nd call fails again */
	ck_assert_int_eq(s->ops->report(s, r, 1), 0);
	ck_assert_int_eq(s->ops->report(s, r, 1), -ENOSPC);
	pgr_sink_destroy(s);

	rc.fail_err = 0; /* default -EIO */
	s = pgr_sink_recorder_create(&rc);
	ck_assert_int_eq(s->ops->report(s, r, 1), 0);
	ck_assert_int_eq(s->ops->report(s, r, 1), -EIO);
	pgr_sink_destroy(s);
	rc.capacity = 0;
	ck_assert_ptr_null(pgr_sink_recorder_create(&rc));
	ck_assert_ptr_null(pgr_sink_recorder_create(NULL));
	ck_assert_uint_eq(pgr_sink_recorder_nr_batches(NULL), 0);
}
END_TEST

START_TEST(test_guest_ram_layout)
{
	struct pgr_guest_ram *ram = pgr_guest_ram_create(0x1000, 64);
	uint64_t bytes;

	ck_assert_ptr_nonnull(ram);
	ck_assert_int_ge(pgr_guest_ram_fd(ram), 0);
	ck_assert_uint_eq(pgr_guest_ram_base_pfn(ram), 0x1000);
	ck_assert_uint_eq(pgr_guest_ram_size(ram), 64 * PGR_PAGE_SIZE);
	ck_assert_ptr_null(pgr_guest_ram_addr(ram, 0xfff));
	ck_assert_ptr_null(pgr_guest_ram_addr(ram, 0x1040));
	ck_assert_ptr_eq((char *)pgr_guest_ram_addr(ram, 0x1001),
			 (char *)pgr_guest_ram_addr(ram, 0x1000) +
				 PGR_PAGE_SIZE);
	ck_assert_int_eq(pgr_guest_ram_allocated_bytes(ram, &bytes), 0);
	ck_assert_uint_eq(bytes, 0);
	memset(pgr_guest_ram_addr(ram, 0x1000), 1, 3 * PGR_PAGE_SIZE);
	ck_assert_int_eq(pgr_guest_ram_allocated_bytes(ram, &bytes), 0);
	ck_assert_uint_eq(bytes, 3 * PGR_PAGE_SIZE);
	ck_assert_int_eq(pgr_guest_ram_allocated_bytes(ram, NULL), -EINVAL);
	pgr_guest_ram_destroy(ram);
	pgr_guest_ram_destroy(NULL);
	ck_assert_ptr_null(pgr_guest_ram_create(0, 0));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/*
 * 256 written pages; report [16, 32) as order 4 and [128, 192) as order
 * 6, plus one range outside.
 * Expect the memfd to shrink by exactly 80 pages, the discarded pages to
 * read zero, their neighbours to keep their bytes, the outside (and
 * unaligned) range to fail with -EINVAL and be counted as an error.
 */
START_TEST(test_sink_memory_discard)
{
	enum pgr_discard_method m = (enum pgr_discard_method)_i;
	struct pgr_guest_ram *ram = pgr_guest_ram_create(0x4000, 256);
	struct pgr_sink *s = pgr_sink_memory_create(ram, m, 32);
	struct pgr_range r[2] = { { .pfn = 0x4010, .order = 4 },
				  { .pfn = 0x4080, .order = 6 } };
	struct pgr_range out = { .pfn = 0x40c0, .order = 7 };
	struct pgr_sink_memory_stats st;
	uint64_t before, after;
	unsigned char *p;

	ck_assert_ptr_nonnull(s);
	for (uint64_t pfn = 0x4000; pfn < 0x4100; pfn++)
		memset(pgr_guest_ram_addr(ram, pfn), (int)(pfn & 0x7f) + 1,
		       PGR_PAGE_SIZE);
	ck_assert_int_eq(pgr_guest_ram_allocated_bytes(ram, &before), 0);
	ck_assert_uint_eq(before, 256 * PGR_PAGE_SIZE);
	ck_assert_int_eq(s->ops->report(s, r, 2), 0);
	ck_assert_int_eq(pgr_guest_ram_allocated_bytes(ram, &after), 0);
	ck_assert_uint_eq(before - after, 80 * PGR_PAGE_SIZE);
	for (uint64_t pfn = 0x4000; pfn < 0x4100; pfn++) {
		bool gone = (pfn >= 0x4010 && pfn < 0x4020) ||
			    (pfn >= 0x4080 && pfn < 0x40c0);

		p = pgr_guest_ram_addr(ram, pfn);
		ck_assert_uint_eq(p[0], gone ? 0 : (pfn & 0x7f) + 1);
		ck_assert_uint_eq(p[PGR_PAGE_SIZE - 1],
				  gone ? 0 : (pfn & 0x7f) + 1);
	}
	ck_assert_int_eq(s->ops->report(s, &out, 1), -EINVAL);
	ck_assert_int_eq(pgr_sink_memory_get_stats(s, &st), 0);
	ck_assert_uint_eq(st.reports, 2);
	ck_assert_uint_eq(st.ranges, 3);
	ck_assert_uint_eq(st.bytes_discarded, 80 * PGR_PAGE_SIZE);
	ck_assert_uint_eq(st.errors, 1);
	ck_assert_ptr_null(pgr_sink_memory_create(NULL, m, 32));
	ck_assert_ptr_null(pgr_sink_memory_create(ram, 9, 32));
	ck_assert_ptr_null(pgr_sink_memory_create(ram, m, 0));
	pgr_sink_destroy(s);
	pgr_guest_ram_destroy(ram);
}
END_TEST

/*
 * The engine reports a node whose every page was written: for each
 * strategy and discard method the memfd shrinks by exactly the bytes
 * reported, which is all of the zone (nothing was reallocated, so
 * nothing is reported twice).
 */
START_TEST(test_sink_memory_engine)
{
	enum pgr_strategy strat = (enum pgr_strategy)(_i % 3);
	enum pgr_discard_method m = (enum pgr_discard_method)(_i / 3);
	struct pgr_node *node = test_node(LAYOUT_SMALL, 0, false, 1);
	struct pgr_guest_ram *ram = pgr_guest_ram_create_for_node(node);
	struct pgr_sink *s = pgr_sink_memory_create(ram, m, 16);
	struct pgr_reporting_config c = { .strategy = strat };
	struct pgr_reporting_stats st;
	uint64_t before, after;

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(pgr_guest_ram_size(ram), 4096 * PGR_PAGE_SIZE);
	memset(pgr_guest_ram_addr(ram, 0x100000), 0x5a,
	       pgr_guest_ram_size(ram));
	ck_assert_int_eq(pgr_guest_ram_allocated_bytes(ram, &before), 0);
	ck_assert_int_eq(pgr_zone_populate(pgr_node_zone(node, 0)), 0);
	ck_assert_int_eq(pgr_reporting_register(node, s, &c), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(node, 3600 * SEC, NULL),
			 0);
	ck_assert_int_eq(pgr_reporting_get_stats(node, &st), 0);
	ck_assert_int_eq(pgr_guest_ram_allocated_bytes(ram, &after), 0);
	ck_assert_uint_eq(st.rereported_pages, 0);
	ck_assert_uint_eq(before - after, st.bytes_reported);
	/* the watermark keeps the last block: 4096 - 64 pages reported */
	ck_assert_uint_ge(st.bytes_reported, (4096 - 64) * PGR_PAGE_SIZE);
	pgr_node_destroy(node);
	pgr_sink_destroy(s);
	pgr_guest_ram_destroy(ram);
}
END_TEST

/*
 * PG_discarded: report everything, allocate order 4 out of a reported
 * order-6 block and free it again; the other 48 pages of the block were
 * never reallocated, so reporting the merged block again counts them.
 * Expect rereported_pages == 64 - 16 after the second round.
 */
START_TEST(test_sink_rereported_pages)
{
	struct pgr_node *node = test_node(LAYOUT_SMALL, 0, false, 1);
	struct pgr_zone *zone = pgr_node_zone(node, 0);
	struct pgr_sink *s = pgr_sink_null_create(32);
	struct pgr_reporting_config c = {
		.strategy = (enum pgr_strategy)_i,
	};
	struct pgr_reporting_stats st;
	struct pgr_page_info pi;
	uint64_t pfn;

	ck_assert_int_eq(pgr_zone_populate(zone), 0);
	ck_assert_int_eq(pgr_reporting_register(node, s, &c), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(node, 3600 * SEC, NULL),
			 0);
	ck_assert_int_eq(pgr_alloc_pages(zone, 4, PGR_MIGRATE_MOVABLE, 0, &pfn),
			 0);
	ck_assert_int_eq(pgr_page_get_info(zone, pfn, &pi), 0);
	ck_assert(!pi.discarded);
	ck_assert_int_eq(pgr_page_get_info(zone, pfn + 16, &pi), 0);
	ck_assert(pi.discarded);
	ck_assert_int_eq(pgr_free_pages(zone, pfn, 4), 0);
	pgr_reporting_get_stats(node, &st);
	ck_assert_uint_eq(st.rereported_pages, 0);
	/* one more request: re-register (flags survive) */
	ck_assert_int_eq(pgr_reporting_unregister(node), 0);
	ck_assert_int_eq(pgr_reporting_register(node, s, &c), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(node, 3600 * SEC, NULL),
			 0);
	ck_assert_int_eq(pgr_reporting_get_stats(node, &st), 0);
	ck_assert_uint_eq(st.blocks_reported, 1);
	ck_assert_uint_eq(st.rereported_pages, 64 - 16);
	pgr_node_destroy(node);
	pgr_sink_destroy(s);
}
END_TEST

static Suite *sinks_suite(void)
{
	Suite *s = suite_create("sinks");
	TCase *tc = tcase_create("sinks");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_sink_null);
	tcase_add_test(tc, test_sink_recorder);
	tcase_add_test(tc, test_guest_ram_layout);
	tcase_add_loop_test(tc, test_sink_memory_discard, 0, 2);
	tcase_add_loop_test(tc, test_sink_memory_engine, 0, 6);
	tcase_add_loop_test(tc, test_sink_rereported_pages, 0,
			    NR_FLAG_STRATEGIES);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sinks_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
