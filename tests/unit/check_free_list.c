// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for the free-list manipulators (src/mm/free_list.c, the
 * kernel's add_to_free_list / add_to_free_list_tail / del_page_from_free_list
 * as called by __free_one_page): head insertion when no merge is likely,
 * tail insertion when buddy_merge_likely() says the next-higher buddy is
 * free (never at order >= MAX_ORDER-2), nr_free bookkeeping and the
 * head-to-tail order of pgr_free_list_walk.  Shuffle is off throughout.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "mm_helpers.h"
#include "rand.h"

/*
 * pfn   0 1 2 3 4 5 6 7 8 ...
 *      [A A F A A F A A|free o3 ...]     A = taken at order 0
 * Free 2 (buddy 3 allocated; order-1 buddy 0..1 allocated), then free 5.
 * Expect both at the head of the order-0 MOVABLE list: walk = [5, 2].
 */
START_TEST(test_free_list_head_insert_when_no_merge_likely)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);
	uint64_t pfns[4];

	for (uint64_t p = 0; p < 8; p++)
		mmh_take(z, p, 0);
	ck_assert_uint_eq(mmh_list(z, 0, PGR_MIGRATE_MOVABLE, pfns, 4), 0);
	mmh_free(z, 2, 0);
	mmh_free(z, 5, 0);
	ck_assert_uint_eq(mmh_list(z, 0, PGR_MIGRATE_MOVABLE, pfns, 4), 2);
	ck_assert_uint_eq(pfns[0], 5);
	ck_assert_uint_eq(pfns[1], 2);
	mmh_expect_counts_match_lists(z);
	pgr_node_destroy(n);
}
END_TEST

/*
 * For order o (loop 0..MAX_ORDER-2), zone of four order-10 blocks:
 *
 *   0        1<<o      2<<o           4<<o         2048   Q=2048+(1<<o)
 *   [A: o]   [P: o]    [free o+1 ...]               [B: o][free o]...
 *
 * A, P and B are taken, so the order-o MOVABLE list holds only Q.  Free P:
 * its buddy A is allocated (no merge), but the buddy of the order-(o+1)
 * block around it, 2<<o, is free at order o+1.  Expect buddy_merge_likely()
 * to send P to the tail ([Q, P]) when o < MAX_ORDER-2, and to the head
 * ([P, Q]) at o = MAX_ORDER-2, where the kernel never uses the tail.
 */
START_TEST(test_free_list_tail_when_buddy_merge_likely)
{
	unsigned o = (unsigned)_i;
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 4096, &z);
	uint64_t P = 1ULL << o, Q = 2048 + (1ULL << o), pfns[4];

	mmh_take(z, 0, o);
	mmh_take(z, P, o);
	mmh_take(z, 2048, o);
	mmh_expect_block(z, 2ULL << o, PGR_PAGE_FREE, o + 1,
			 PGR_MIGRATE_MOVABLE);
	ck_assert_uint_eq(mmh_list(z, o, PGR_MIGRATE_MOVABLE, pfns, 4), 1);
	ck_assert_uint_eq(pfns[0], Q);

	mmh_free(z, P, o);
	mmh_expect_block(z, P, PGR_PAGE_FREE, o, PGR_MIGRATE_MOVABLE);
	ck_assert_uint_eq(mmh_list(z, o, PGR_MIGRATE_MOVABLE, pfns, 4), 2);
	if (o < MMH_MO - 2) {
		ck_assert_msg(pfns[0] == Q && pfns[1] == P,
			      "order %u: expected tail [%" PRIu64 ", %" PRIu64
			      "], got [%" PRIu64 ", %" PRIu64 "]",
			      o, Q, P, pfns[0], pfns[1]);
	} else {
		ck_assert_msg(pfns[0] == P && pfns[1] == Q,
			      "order %u: expected head [%" PRIu64 ", %" PRIu64
			      "], got [%" PRIu64 ", %" PRIu64 "]",
			      o, P, Q, pfns[0], pfns[1]);
	}
	mmh_expect_counts_match_lists(z);
	pgr_node_destroy(n);
}
END_TEST

/*
 * pfn  0 1 2 3 4 5 6 7
 *     [A A F F A F A A]   2..3 merged to an order-1 block; 5 free at order 0
 * Free 0: buddy 1 allocated, but the order-1 buddy 2 is a free order-1
 * block.  Expect tail: [5, 0].  Then free 6: buddy 7 allocated, order-1
 * buddy 4 allocated: head: [6, 5, 0].
 */
START_TEST(test_free_list_tail_then_head_order0)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);
	uint64_t pfns[4];

	for (uint64_t p = 0; p < 8; p++)
		mmh_take(z, p, 0);
	mmh_free(z, 2, 0);
	mmh_free(z, 3, 0);
	mmh_expect_block(z, 2, PGR_PAGE_FREE, 1, PGR_MIGRATE_MOVABLE);
	mmh_free(z, 5, 0);
	mmh_free(z, 0, 0);
	ck_assert_uint_eq(mmh_list(z, 0, PGR_MIGRATE_MOVABLE, pfns, 4), 2);
	ck_assert_uint_eq(pfns[0], 5);
	ck_assert_uint_eq(pfns[1], 0);
	mmh_free(z, 6, 0);
	ck_assert_uint_eq(mmh_list(z, 0, PGR_MIGRATE_MOVABLE, pfns, 4), 3);
	ck_assert_uint_eq(pfns[0], 6);
	ck_assert_uint_eq(pfns[1], 5);
	ck_assert_uint_eq(pfns[2], 0);
	pgr_node_destroy(n);
}
END_TEST

/*
 * pfn 0 .. 63 taken at order 0, then the even pages freed in a seeded
 * random order: no even page can merge (odd buddies allocated), and the
 * order-1 buddy of each is an order-0 page at best, so every free goes to
 * the head.  Expect the walk to be the reverse of the free order, and
 * pgr_free_list_walk with a small @max to copy a prefix and still return
 * the full length.
 */
START_TEST(test_free_list_walk_order_is_lifo)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 1024, &z);
	struct pgr_rand r;
	uint64_t order[32], pfns[40], few[3] = { 0, 0, 77 };

	pgr_rand_seed(&r, mmh_seed());
	for (uint64_t p = 0; p < 64; p++)
		mmh_take(z, p, 0);
	for (unsigned i = 0; i < 32; i++)
		order[i] = 2 * i;
	for (unsigned i = 31; i > 0; i--) {
		unsigned j = (unsigned)pgr_rand_below(&r, i + 1);
		uint64_t t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned i = 0; i < 32; i++)
		mmh_free(z, order[i], 0);
	ck_assert_uint_eq(mmh_list(z, 0, PGR_MIGRATE_MOVABLE, pfns, 40), 32);
	for (unsigned i = 0; i < 32; i++)
		ck_assert_msg(pfns[i] == order[31 - i],
			      "walk[%u] = %" PRIu64 ", expected %" PRIu64
			      " (PGR_SEED=%" PRIu64 ")",
			      i, pfns[i], order[31 - i], mmh_seed());
	ck_assert_int_eq(pgr_free_list_walk(z, 0, PGR_MIGRATE_MOVABLE, few, 2),
			 32);
	ck_assert_uint_eq(few[0], pfns[0]);
	ck_assert_uint_eq(few[1], pfns[1]);
	ck_assert_uint_eq(few[2], 77); /* nothing written past @max */
	mmh_expect_counts_match_lists(z);
	pgr_node_destroy(n);
}
END_TEST

/*
 * A seeded random trace of alloc (orders 0..5, the three ordinary
 * migratetypes) and free over a 4096-page zone.  Expect after every step:
 * pgr_zone_check passes, nr_free[o] equals the sum of the list lengths,
 * nr_free_mt equals each list length, and list pages equal the counters.
 * Freeing everything merges back to four order-10 blocks (4096 free pages;
 * fallback may have changed pageblock types, which does not stop merging).
 */
START_TEST(test_free_list_counts_match_lists_random)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 4096, &z);
	struct pgr_rand r;
	struct {
		uint64_t pfn;
		unsigned order;
	} held[512];
	unsigned nheld = 0;
	struct pgr_zone_info info;

	pgr_rand_seed(&r, mmh_seed() ^ 0x5eed);
	for (unsigned step = 0; step < 400; step++) {
		if (nheld < 512 && (nheld == 0 || pgr_rand_below(&r, 3) != 0)) {
			unsigned o = (unsigned)pgr_rand_below(&r, 6);
			int mt = (int)pgr_rand_below(&r, 3);
			uint64_t pfn;
			int rc = pgr_alloc_pages(z, o, (enum pgr_migratetype)mt,
						 0, &pfn);

			ck_assert_msg(rc == 0 || rc == -ENOMEM,
				      "alloc: %d (%s)", rc, pgr_errmsg());
			if (rc == 0) {
				held[nheld].pfn = pfn;
				held[nheld++].order = o;
			}
		} else {
			unsigned k = (unsigned)pgr_rand_below(&r, nheld);

			mmh_free(z, held[k].pfn, held[k].order);
			held[k] = held[--nheld];
		}
		MMH_CHECK(z);
		mmh_expect_counts_match_lists(z);
	}
	while (nheld) {
		nheld--;
		mmh_free(z, held[nheld].pfn, held[nheld].order);
	}
	mmh_expect_counts_match_lists(z);
	info = mmh_info(z);
	ck_assert_uint_eq(info.nr_free_pages, 4096);
	ck_assert_uint_eq(info.nr_free[MMH_MO - 1], 4);
	for (unsigned o = 0; o < MMH_MO - 1; o++)
		ck_assert_uint_eq(info.nr_free[o], 0);
	pgr_node_destroy(n);
}
END_TEST

static Suite *free_list_suite(void)
{
	Suite *s = suite_create("free_list");
	TCase *tc = tcase_create("placement");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_free_list_head_insert_when_no_merge_likely);
	tcase_add_loop_test(tc, test_free_list_tail_when_buddy_merge_likely, 0,
			    MMH_MO - 1);
	tcase_add_test(tc, test_free_list_tail_then_head_order0);
	suite_add_tcase(s, tc);

	tc = tcase_create("walk");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_free_list_walk_order_is_lifo);
	tcase_add_test(tc, test_free_list_counts_match_lists_random);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(free_list_suite());
}
