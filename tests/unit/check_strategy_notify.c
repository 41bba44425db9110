// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which frees call ->notify_free, and since when a free block has been
 * free (PGR_STRATEGY_FREE_TIME, pgr_strategy_free_since): the account in
 * <pagereport/strategy.h>, "Which frees notify", checked operation by
 * operation with a strategy that records every notification.
 *
 *   one zone, MAX_ORDER 11, pageblock 9, 8 blocks of order 10:
 *   [ P0 (1024) ][ P1 ] ... [ P7 ]    lowest reported order 9
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

#define SEC   1000000000ULL
#define MS    1000000ULL
#define START 0x100000ULL
#define PAGES 8192

struct note {
	uint64_t pfn;
	unsigned order;
	int since_ret;	/* pgr_strategy_free_since() inside notify_free */
	uint64_t since; /* its result */
	uint64_t now;
};

static struct note notes[256];
static unsigned nr_notes;
static struct pgr_reporting *the_rep;

static int rec_init(struct pgr_reporting *rep, void **r_priv)
{
	(void)r_priv;
	the_rep = rep;
	return 0;
}

static void rec_notify(struct pgr_reporting *rep, void *priv,
		       struct pgr_zone *zone, uint64_t pfn, unsigned order)
{
	struct note *n = &notes[nr_notes % 256];

	(void)priv;
	n->pfn = pfn;
	n->order = order;
	n->now = pgr_strategy_now(rep);
	n->since_ret = pgr_strategy_free_since(rep, zone, pfn, &n->since);
	nr_notes++;
}

static void rec_process(struct pgr_reporting *rep, void *priv)
{
	(void)rep, (void)priv;
}

static const struct pgr_strategy_ops recording = {
	.name = "recording",
	.init = rec_init,
	.notify_free = rec_notify,
	.process = rec_process,
	.flags = PGR_STRATEGY_FREE_TIME,
};

static const struct pgr_strategy_ops recording_untimed = {
	.name = "recording-untimed",
	.init = rec_init,
	.notify_free = rec_notify,
	.process = rec_process,
};

static struct pgr_node *setup(const char *strategy, bool populate_first,
			      struct pgr_zone **r_zone,
			      struct pgr_sink **r_sink)
{
	struct pgr_node_config nc = {
		.max_order = 11,
		.pageblock_order = 9,
		.nr_zones = 1,
		.zones = { { .start_pfn = START, .nr_pages = PAGES } },
	};
	struct pgr_reporting_config c = { .strategy_name = strategy };
	struct pgr_node *n = pgr_node_create(&nc);

	ck_assert_ptr_nonnull(n);
	*r_zone = pgr_node_zone(n, 0);
	*r_sink = pgr_sink_null_create(32);
	if (pgr_strategy_from_name("recording") < 0) {
		ck_assert_int_ge(pgr_strategy_register(&recording), 0);
		ck_assert_int_ge(pgr_strategy_register(&recording_untimed), 0);
	}
	if (populate_first)
		ck_assert_int_eq(pgr_zone_populate(*r_zone), 0);
	ck_assert_int_eq(pgr_reporting_register(n, *r_sink, &c), 0);
	nr_notes = 0;
	return n;
}

static void teardown(struct pgr_node *n, struct pgr_sink *s)
{
	char msg[256] = "";

	ck_assert_msg(!pgr_node_check(n, msg, sizeof(msg)), "%s", msg);
	pgr_node_destroy(n);
	pgr_sink_destroy(s);
}

/*
 * Expect: populate notifies each order-10 block once; an order-0 alloc
 * splits P0 silently (expand remainders of orders 0..9); freeing it
 * merges back and notifies (P0, 10) once; an order-3 free that stays
 * below order 9 does not notify; isolate + putback, a migratetype change
 * (move_freepages), take_block's split and pgr_undo_isolate_range (5.7:
 * a putback) do not notify.
 */
START_TEST(test_notify_which_frees)
{
	struct pgr_zone *z;
	struct pgr_sink *s;
	struct pgr_node *n = setup("recording", false, &z, &s);
	uint64_t pfn, a, b;

	ck_assert_int_eq(pgr_zone_populate(z), 0);
	ck_assert_uint_eq(nr_notes, PAGES >> 10);
	for (unsigned i = 0; i < nr_notes; i++)
		ck_assert_uint_eq(notes[i].order, 10);

	nr_notes = 0;
	ck_assert_int_eq(pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn),
			 0);
	ck_assert_uint_eq(nr_notes, 0); /* expand(): remainders 0..9 */
	ck_assert_int_eq(pgr_free_pages(z, pfn, 0), 0);
	ck_assert_uint_eq(nr_notes, 1); /* merged up to 10 */
	ck_assert_uint_eq(notes[0].pfn, pfn & ~1023ULL);
	ck_assert_uint_eq(notes[0].order, 10);

	/* two order-3 blocks; freeing one merges to 3 only */
	nr_notes = 0;
	ck_assert_int_eq(pgr_alloc_pages(z, 3, PGR_MIGRATE_MOVABLE, 0, &a), 0);
	ck_assert_int_eq(pgr_alloc_pages(z, 3, PGR_MIGRATE_MOVABLE, 0, &b), 0);
	ck_assert_int_eq(pgr_free_pages(z, a, 3), 0);
	ck_assert_uint_eq(nr_notes, 0);
	ck_assert_int_eq(pgr_free_pages(z, b, 3), 0);
	ck_assert_uint_eq(nr_notes, 1); /* now it merges to 10 */

	/* isolation and putback, list moves, splits: silent */
	nr_notes = 0;
	pfn = START + 3 * 1024;
	ck_assert_int_eq(pgr_isolate_free_page(z, pfn, 10), 0);
	ck_assert_int_eq(pgr_putback_isolated_page(z, pfn, 10), 0);
	ck_assert_int_eq(
		pgr_set_pageblock_migratetype(z, pfn, PGR_MIGRATE_UNMOVABLE),
		0);
	ck_assert_int_eq(
		pgr_set_pageblock_migratetype(z, pfn, PGR_MIGRATE_MOVABLE), 0);
	ck_assert_int_eq(pgr_take_block(z, pfn + 512 + 8, 3), 0);
	ck_assert_int_eq(pgr_isolate_range(z, START + 5 * 1024, 1024), 0);
	ck_assert_int_eq(pgr_undo_isolate_range(z, START + 5 * 1024, 1024,
						PGR_MIGRATE_MOVABLE),
			 0);
	ck_assert_uint_eq(nr_notes, 0);
	/* the taken block's free merges: one notification */
	ck_assert_int_eq(pgr_free_pages(z, pfn + 512 + 8, 3), 0);
	ck_assert_uint_eq(nr_notes, 1);
	ck_assert_uint_eq(notes[0].pfn, pfn);
	teardown(n, s);
}
END_TEST

static int free_since(struct pgr_zone *z, uint64_t pfn, uint64_t *r)
{
	int err;

	ck_assert_int_eq(pgr_strategy_lock(the_rep, z), 0);
	err = pgr_strategy_free_since(the_rep, z, pfn, r);
	ck_assert_int_eq(pgr_strategy_unlock(the_rep, z), 0);
	return err;
}

/*
 *   t=0   register (memory free before: since 0)
 *         take A = P0 (order 9): remainder R = P0+512 (free since 0)
 *         isolate R
 *   t=7s  free A: notified, A since 7 s (R isolated: no merge)
 *   t=9s  put R back: merges into P0 (order 10) without a notification
 * Expect free_since(P1) = 0 throughout; inside notify_free the block
 * reads as now; P0 after the putback = 7 s, the latest of its parts;
 * R's memory kept its time while isolated.
 */
START_TEST(test_notify_free_since)
{
	struct pgr_zone *z;
	struct pgr_sink *s;
	struct pgr_node *n = setup("recording", true, &z, &s);
	uint64_t a, r = START + 512, v;

	ck_assert_int_eq(free_since(z, START + 1024, &v), 0);
	ck_assert_uint_eq(v, 0);
	a = START;
	ck_assert_int_eq(pgr_take_block(z, a, 9), 0);
	ck_assert_int_eq(free_since(z, r, &v), 0); /* the split's remainder */
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(pgr_isolate_free_page(z, r, 9), 0);

	ck_assert_int_eq(pgr_reporting_advance(n, 7 * SEC), 0);
	ck_assert_int_eq(pgr_free_pages(z, a, 9), 0);
	ck_assert_uint_eq(nr_notes, 1);
	ck_assert_int_eq(notes[0].since_ret, 0);
	ck_assert_uint_eq(notes[0].since, 7 * SEC);
	ck_assert_uint_eq(notes[0].now, 7 * SEC);

	ck_assert_int_eq(pgr_reporting_advance(n, 2 * SEC + 300 * MS), 0);
	ck_assert_int_eq(pgr_putback_isolated_page(z, r, 9), 0);
	ck_assert_uint_eq(nr_notes, 1);
	ck_assert_int_eq(free_since(z, START, &v), 0);
	ck_assert_uint_eq(v, 7 * SEC);

	/* a merge through an ordinary free restarts the whole block */
	a = START + 4 * 1024;
	ck_assert_int_eq(pgr_take_block(z, a, 9), 0);
	ck_assert_int_eq(pgr_reporting_advance(n, 1500 * 1000), 0); /* 1.5ms */
	ck_assert_int_eq(pgr_free_pages(z, a, 9), 0);
	ck_assert_int_eq(free_since(z, a, &v), 0);
	/* 9.3015 s, rounded up to the millisecond */
	ck_assert_uint_eq(v, 9302 * MS);
	/* its upper half, split off again, has been free as long */
	ck_assert_int_eq(pgr_take_block(z, a, 9), 0);
	ck_assert_int_eq(free_since(z, a + 512, &v), 0);
	ck_assert_uint_eq(v, 9302 * MS);
	ck_assert_int_eq(pgr_free_pages(z, a, 9), 0);
	ck_assert_int_eq(free_since(z, START + 2048, &v), 0);
	ck_assert_uint_eq(v, 0);

	/* not a free head, below the order, outside, unlocked */
	ck_assert_int_eq(pgr_alloc_pages(z, 3, PGR_MIGRATE_MOVABLE, 0, &a), 0);
	ck_assert_int_eq(free_since(z, a, &v), -ENOENT);
	ck_assert_int_eq(free_since(z, a + 8, &v), -ENOENT); /* order 3 */
	ck_assert_int_eq(free_since(z, START + PAGES, &v), -ERANGE);
	ck_assert_int_eq(pgr_strategy_free_since(the_rep, z, START + 1024, &v),
			 -ENOLCK);
	ck_assert_int_eq(pgr_free_pages(z, a, 3), 0);
	teardown(n, s);
}
END_TEST

/* A strategy that did not ask keeps no times: -ENODATA, even in notify. */
START_TEST(test_notify_free_since_not_asked)
{
	struct pgr_zone *z;
	struct pgr_sink *s;
	struct pgr_node *n = setup("recording-untimed", true, &z, &s);
	uint64_t a, v;

	ck_assert_int_eq(free_since(z, START + 1024, &v), -ENODATA);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "PGR_STRATEGY_FREE_TIME"));
	ck_assert_int_eq(pgr_alloc_pages(z, 9, PGR_MIGRATE_MOVABLE, 0, &a), 0);
	ck_assert_int_eq(pgr_free_pages(z, a, 9), 0);
	ck_assert_uint_eq(nr_notes, 1);
	ck_assert_int_eq(notes[0].since_ret, -ENODATA);
	teardown(n, s);
}
END_TEST

static Suite *notify_suite(void)
{
	Suite *s = suite_create("strategy_notify");
	TCase *tc = tcase_create("notify");

	tcase_add_test(tc, test_notify_which_frees);
	tcase_add_test(tc, test_notify_free_since);
	tcase_add_test(tc, test_notify_free_since_not_asked);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(notify_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
