// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for splitting (src/mm/page_alloc.c): __rmqueue_smallest()
 * takes the head of the smallest non-empty list of the requested
 * migratetype, expand() puts each upper half at the head of the next lower
 * order with that order, and pgr_take_block (take_page_off_buddy) splits a
 * free block around one exact pfn.  Only PGR_ALLOC_NO_FALLBACK requests are
 * made here; fallback has its own file.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>

#include "mm_helpers.h"
#include "rand.h"

/*
 * Zone of four order-10 blocks; take 0 and 2048 at order 0:
 *
 *   order 0 list: {1, 2049}   order 1: {2, 2050}  ...  order 10: {1024, 3072}
 *
 * Expect order-0 requests to return the walked head of the order-0 list,
 * then the next; the third order-0 request (order-0 list empty) to take the
 * head H of the order-1 list, return H and leave H+1 on the order-0 list.
 */
START_TEST(test_split_rmqueue_smallest_takes_head)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 4096, &z);
	uint64_t l0[4], l1[4], pfn;

	mmh_take(z, 0, 0);
	mmh_take(z, 2048, 0);
	ck_assert_uint_eq(mmh_list(z, 0, PGR_MIGRATE_MOVABLE, l0, 4), 2);
	ck_assert_uint_eq(mmh_list(z, 1, PGR_MIGRATE_MOVABLE, l1, 4), 2);
	pfn = mmh_alloc(z, 0, PGR_MIGRATE_MOVABLE, PGR_ALLOC_NO_FALLBACK);
	ck_assert_uint_eq(pfn, l0[0]);
	pfn = mmh_alloc(z, 0, PGR_MIGRATE_MOVABLE, PGR_ALLOC_NO_FALLBACK);
	ck_assert_uint_eq(pfn, l0[1]);
	pfn = mmh_alloc(z, 0, PGR_MIGRATE_MOVABLE, PGR_ALLOC_NO_FALLBACK);
	ck_assert_uint_eq(pfn, l1[0]);
	mmh_expect_block(z, pfn, PGR_PAGE_ALLOCATED, 0, -1);
	ck_assert_uint_eq(mmh_list(z, 0, PGR_MIGRATE_MOVABLE, l0, 4), 1);
	ck_assert_uint_eq(l0[0], l1[0] + 1);
	ck_assert_uint_eq(mmh_list(z, 1, PGR_MIGRATE_MOVABLE, l0, 4), 1);
	ck_assert_uint_eq(l0[0], l1[1]);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Order o (loop 0..10), zone of four order-10 blocks.  A request of order
 * o takes the head H of the order-10 list (every smaller list is empty).
 *
 *   H            H+2^o      H+2^(o+1)     ...      H+512
 *   [returned o] [free o]   [free o+1]    ...      [free o9]
 *
 * Expect the returned pfn to be H, allocated at order o, and for each
 * k = o..9 the block H+2^k free at order k on the MOVABLE list, as the
 * head (and only element) of that list.  No order-10 list element other
 * than H is touched.
 */
START_TEST(test_split_expand_halves_at_head)
{
	unsigned o = (unsigned)_i;
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 4096, &z);
	uint64_t top[8], rest[8], l[4], H, pfn;
	size_t ntop = mmh_list(z, MMH_MO - 1, PGR_MIGRATE_MOVABLE, top, 8);

	ck_assert_uint_eq(ntop, 4);
	H = top[0];
	pfn = mmh_alloc(z, o, PGR_MIGRATE_MOVABLE, PGR_ALLOC_NO_FALLBACK);
	ck_assert_uint_eq(pfn, H);
	mmh_expect_block(z, H, PGR_PAGE_ALLOCATED, o, -1);
	for (unsigned k = o; k < MMH_MO - 1; k++) {
		mmh_expect_block(z, H + (1ULL << k), PGR_PAGE_FREE, k,
				 PGR_MIGRATE_MOVABLE);
		ck_assert_uint_eq(mmh_list(z, k, PGR_MIGRATE_MOVABLE, l, 4), 1);
		ck_assert_uint_eq(l[0], H + (1ULL << k));
	}
	ck_assert_uint_eq(mmh_list(z, MMH_MO - 1, PGR_MIGRATE_MOVABLE, rest, 8),
			  3);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_uint_eq(rest[i], top[i + 1]);
	ck_assert_uint_eq(mmh_info(z).nr_allocated_pages, 1ULL << o);
	mmh_free(z, pfn, o);
	ck_assert_uint_eq(mmh_info(z).nr_free[MMH_MO - 1], 4);
	pgr_node_destroy(n);
}
END_TEST

/*
 *   [0: taken o2][4: free o2][8: free o3] ...   and the same at 2048
 *
 * The order-2 list holds two blocks [X, Y], the order-1 list is empty.
 * Expect an order-2 request to prefer the order-2 head over any larger
 * block, and an order-1 request with an empty order-1 list to split the
 * order-2 head rather than a larger block.
 */
START_TEST(test_split_prefers_smallest_order)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 4096, &z);
	uint64_t l2[4], l1[4], pfn;

	mmh_take(z, 0, 2);    /* leaves 4 (o2), 8 (o3) ... free */
	mmh_take(z, 2048, 2); /* leaves 2052 (o2), 2056 (o3) ... */
	ck_assert_uint_eq(mmh_list(z, 1, PGR_MIGRATE_MOVABLE, l1, 4), 0);
	ck_assert_uint_eq(mmh_list(z, 2, PGR_MIGRATE_MOVABLE, l2, 4), 2);
	pfn = mmh_alloc(z, 1, PGR_MIGRATE_MOVABLE, PGR_ALLOC_NO_FALLBACK);
	ck_assert_uint_eq(pfn, l2[0]);
	mmh_expect_block(z, pfn + 2, PGR_PAGE_FREE, 1, PGR_MIGRATE_MOVABLE);
	pfn = mmh_alloc(z, 2, PGR_MIGRATE_MOVABLE, PGR_ALLOC_NO_FALLBACK);
	ck_assert_uint_eq(pfn, l2[1]);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Seeded random (pfn, order) in a zone of four order-10 blocks.  Take the
 * 2^order block at pfn out of the order-10 block B around it.
 *
 *   B ............ [pfn: order] ............ B+1024
 *   for each k = order..9: the sibling ((pfn >> k) ^ 1) << k is free, order k
 *
 * Expect exactly those free blocks (one per order below 10, three order-10
 * blocks), the taken block allocated at its order, and freeing it to
 * restore four order-10 blocks.  Repeat 64 times.
 */
START_TEST(test_split_take_block_exact_pfn)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 4096, &z);
	struct pgr_rand r;

	pgr_rand_seed(&r, mmh_seed() + 17);
	for (unsigned iter = 0; iter < 64; iter++) {
		unsigned order = (unsigned)pgr_rand_below(&r, MMH_MO);
		uint64_t pfn =
			pgr_rand_below(&r, 4096) & ~((1ULL << order) - 1);
		struct pgr_zone_info info;

		mmh_take(z, pfn, order);
		mmh_expect_block(z, pfn, PGR_PAGE_ALLOCATED, order, -1);
		info = mmh_info(z);
		for (unsigned k = order; k < MMH_MO - 1; k++) {
			uint64_t sib = ((pfn >> k) ^ 1) << k;

			mmh_expect_block(z, sib, PGR_PAGE_FREE, k,
					 PGR_MIGRATE_MOVABLE);
			ck_assert_uint_eq(info.nr_free[k], 1);
		}
		for (unsigned k = 0; k < order; k++)
			ck_assert_uint_eq(info.nr_free[k], 0);
		ck_assert_uint_eq(info.nr_free[MMH_MO - 1], 3);
		ck_assert_uint_eq(info.nr_free_pages, 4096 - (1ULL << order));
		mmh_free(z, pfn, order);
		ck_assert_uint_eq(mmh_info(z).nr_free[MMH_MO - 1], 4);
	}
	pgr_node_destroy(n);
}
END_TEST

/*
 *   [0: taken o0][1: free o0][2: free o1] ...
 *
 * Expect pgr_take_block on a block that is not entirely free (0 at order
 * 1, or the whole order-10 block) to fail with -EBUSY and change nothing;
 * taking the exact free block 2 (order 1) to split nothing.
 */
START_TEST(test_split_take_block_busy_and_exact)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 2048, &z);
	struct mmh_snap a, b;
	const char *diff;

	mmh_take(z, 0, 0);
	mmh_snap_take(z, &a);
	ck_assert_int_eq(pgr_take_block(z, 0, 1), -EBUSY);
	ck_assert_int_eq(pgr_take_block(z, 0, MMH_MO - 1), -EBUSY);
	ck_assert_int_eq(pgr_take_block(z, 0, 0), -EBUSY);
	mmh_snap_take(z, &b);
	diff = mmh_snap_diff(&a, &b);
	ck_assert_msg(diff == NULL, "%s", diff);
	mmh_take(z, 2, 1);
	mmh_expect_block(z, 1, PGR_PAGE_FREE, 0, PGR_MIGRATE_MOVABLE);
	mmh_expect_block(z, 4, PGR_PAGE_FREE, 2, PGR_MIGRATE_MOVABLE);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, 2048 - 3);
	mmh_snap_free(&a);
	mmh_snap_free(&b);
	pgr_node_destroy(n);
}
END_TEST

/*
 *   [0: taken o0] splits block 0 into 1 o0, 2 o1, ... 512 o9
 *   [1024: taken o0] then splits block 1024 into 1025 o0, ... 1536 o9
 *
 * The second split puts each piece into a list that already holds the
 * first split's piece: like expand(), pgr_take_block (take_page_off_buddy
 * in 5.10+, which splits with break_down_buddy_pages) adds at the head.
 * Expect every list o0..o9 to read [1024 + 2^k, 2^k] head to tail.
 */
START_TEST(test_split_take_block_pieces_at_head_of_nonempty)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 4096, &z);
	uint64_t l[4];

	mmh_take(z, 0, 0);
	mmh_take(z, 1024, 0);
	for (unsigned k = 0; k < MMH_MO - 1; k++) {
		ck_assert_uint_eq(mmh_list(z, k, PGR_MIGRATE_MOVABLE, l, 4), 2);
		ck_assert_uint_eq(l[0], 1024 + (1ULL << k));
		ck_assert_uint_eq(l[1], 1ULL << k);
	}
	pgr_node_destroy(n);
}
END_TEST

static Suite *split_suite(void)
{
	Suite *s = suite_create("split");
	TCase *tc = tcase_create("rmqueue_smallest");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_split_rmqueue_smallest_takes_head);
	tcase_add_loop_test(tc, test_split_expand_halves_at_head, 0, MMH_MO);
	tcase_add_test(tc, test_split_prefers_smallest_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("take_block");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_split_take_block_exact_pfn);
	tcase_add_test(tc, test_split_take_block_busy_and_exact);
	tcase_add_test(tc, test_split_take_block_pieces_at_head_of_nonempty);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(split_suite());
}
