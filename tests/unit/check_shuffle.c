// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for page shuffling (src/mm/shuffle.c: __shuffle_zone and
 * shuffle_pick_tail, CONFIG_SHUFFLE_PAGE_ALLOCATOR): the same seed gives
 * the same free lists, another seed another order, shuffle_pick_tail
 * consumes one u64 draw per 64 calls (low bit first), an order-10 free
 * uses exactly one pick and lower-order frees none, and swaps only happen
 * between blocks of the same migratetype.  Includes mm/internal.h to reseed
 * the node's PRNG.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "mm/internal.h"
#include "mm_helpers.h"

#define NBLK 64 /* order-10 blocks per zone */

static struct pgr_node *shuffle_node(uint64_t seed, uint64_t nr_pages,
				     bool populate)
{
	struct pgr_node_config cfg = {
		.shuffle = true,
		.seed = seed,
		.nr_zones = 1,
		.zones = { { .name = "Normal", .nr_pages = nr_pages } },
	};
	struct pgr_node *n = pgr_node_create(&cfg);

	ck_assert_msg(n != NULL, "pgr_node_create: %s", pgr_errmsg());
	if (populate) {
		ck_assert_int_eq(pgr_zone_populate(pgr_node_zone(n, 0)), 0);
		MMH_CHECK(pgr_node_zone(n, 0));
	}
	return n;
}

/* Concatenated walk of every list; returns the number of entries. */
static size_t walk_all(struct pgr_zone *z, uint64_t *out, size_t max)
{
	size_t len = 0;

	for (unsigned o = 0; o < MMH_MO; o++)
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			size_t n = mmh_list(z, o, mt, out + len, max - len - 1);

			ck_assert_uint_lt(n, max - len);
			len += n;
			out[len++] = UINT64_MAX;
		}
	return len;
}

/*
 * Two nodes, shuffle on, same seed, 64 order-10 blocks, populate (which
 * shuffles) then pgr_zone_shuffle again.  Expect identical walks of every
 * list at each step; a third node with seed+1 to give a different
 * order-10 list; and the seeded list not to be in pfn order.
 */
START_TEST(test_shuffle_same_seed_same_lists)
{
	uint64_t seed = mmh_seed();
	struct pgr_node *a = shuffle_node(seed, NBLK * 1024, true);
	struct pgr_node *b = shuffle_node(seed, NBLK * 1024, true);
	struct pgr_node *c = shuffle_node(seed + 1, NBLK * 1024, true);
	static uint64_t wa[NBLK + 64], wb[NBLK + 64], wc[NBLK + 64];
	size_t la, lb, lc;
	bool sorted = true, sorted_rev = true;

	la = walk_all(pgr_node_zone(a, 0), wa, NBLK + 64);
	lb = walk_all(pgr_node_zone(b, 0), wb, NBLK + 64);
	lc = walk_all(pgr_node_zone(c, 0), wc, NBLK + 64);
	ck_assert_uint_eq(la, lb);
	ck_assert_msg(memcmp(wa, wb, la * sizeof(*wa)) == 0,
		      "same seed %" PRIu64 ", different lists", seed);
	ck_assert_uint_eq(la, lc);
	ck_assert_msg(memcmp(wa, wc, la * sizeof(*wa)) != 0,
		      "seeds %" PRIu64 " and +1 gave the same lists", seed);

	mmh_list(pgr_node_zone(a, 0), MMH_MO - 1, PGR_MIGRATE_MOVABLE, wa,
		 NBLK);
	for (unsigned i = 1; i < NBLK; i++) {
		sorted &= wa[i] > wa[i - 1];
		sorted_rev &= wa[i] < wa[i - 1];
	}
	ck_assert_msg(!sorted && !sorted_rev,
		      "order-10 list in pfn order after shuffle (seed %" PRIu64
		      ")",
		      seed);

	ck_assert_int_eq(pgr_zone_shuffle(pgr_node_zone(a, 0)), 0);
	MMH_CHECK(pgr_node_zone(a, 0));
	ck_assert_int_eq(pgr_zone_shuffle(pgr_node_zone(b, 0)), 0);
	MMH_CHECK(pgr_node_zone(b, 0));
	la = walk_all(pgr_node_zone(a, 0), wa, NBLK + 64);
	lb = walk_all(pgr_node_zone(b, 0), wb, NBLK + 64);
	ck_assert_uint_eq(la, lb);
	ck_assert_msg(memcmp(wa, wb, la * sizeof(*wa)) == 0,
		      "same seed %" PRIu64 ", different lists after shuffle",
		      seed);
	pgr_node_destroy(a);
	pgr_node_destroy(b);
	pgr_node_destroy(c);
}
END_TEST

/*
 * Reseed the node's PRNG with S and make 192 pgr__shuffle_pick_tail
 * calls.  Whatever bits were cached before come first (k <= 64 calls);
 * after them the picks must be the bits of the next two u64 draws from S,
 * low bit first, 64 calls each.  Expect such a k to exist and the node's
 * PRNG to have advanced by exactly the draws used.
 */
START_TEST(test_shuffle_pick_tail_one_draw_per_64_calls)
{
	struct pgr_node *n = shuffle_node(mmh_seed(), 4096, true);
	uint64_t S = mmh_seed() * 7919 + 3;
	struct pgr_rand ref;
	uint64_t u[3];
	bool bit[192];
	int found = -1;

	pgr__shuffle_pick_tail(n); /* any cached state is fine */
	pgr_rand_seed(&n->rand, S);
	for (unsigned i = 0; i < 192; i++)
		bit[i] = pgr__shuffle_pick_tail(n);
	pgr_rand_seed(&ref, S);
	for (unsigned i = 0; i < 3; i++)
		u[i] = pgr_rand_u64(&ref);
	for (int k = 0; k <= 64 && found < 0; k++) {
		bool ok = true;

		for (int i = 0; i < 128 && ok; i++)
			ok = bit[k + i] == ((u[i / 64] >> (i % 64)) & 1);
		if (ok)
			found = k;
	}
	ck_assert_msg(found >= 0,
		      "picks are not the low-bit-first bits of fresh draws");
	/* 192 - found picks from fresh draws: ceil(/64) draws consumed. */
	{
		unsigned draws = (unsigned)(192 - found + 63) / 64;
		struct pgr_rand exp;

		pgr_rand_seed(&exp, S);
		for (unsigned i = 0; i < draws; i++)
			pgr_rand_u64(&exp);
		ck_assert_msg(memcmp(&exp, &n->rand, sizeof(exp)) == 0,
			      "PRNG advanced by other than %u draws", draws);
	}
	pgr_node_destroy(n);
}
END_TEST

/*
 * Shuffle on, four order-10 blocks; A = the first one.  192 times: take A
 * (order 10) and free it again, and also take/free the order-0 page 2053
 * whose buddy 2052 stays taken (an order-0 final free uses
 * buddy_merge_likely, not the PRNG).
 * Record whether A went to the head or the tail of the order-10 list.
 * Expect the head/tail sequence to be the pick_tail bit stream: after at
 * most 64 cached picks, the bits of the draws from the reseeded PRNG.
 */
START_TEST(test_shuffle_order10_free_uses_one_pick)
{
	struct pgr_node *n = shuffle_node(mmh_seed(), 4096, true);
	struct pgr_zone *z = pgr_node_zone(n, 0);
	uint64_t S = mmh_seed() + 99, u[3], l[4];
	struct pgr_rand ref;
	bool tail[192];
	int found = -1;

	mmh_take(z, 2048 + 4, 0); /* keeps 2048+5 from merging up */
	pgr_rand_seed(&n->rand, S);
	for (unsigned i = 0; i < 192; i++) {
		mmh_take(z, 0, MMH_MO - 1);
		mmh_free(z, 0, MMH_MO - 1);
		ck_assert_uint_eq(
			mmh_list(z, MMH_MO - 1, PGR_MIGRATE_MOVABLE, l, 4), 3);
		ck_assert_msg(l[0] == 0 || l[2] == 0,
			      "A neither head nor tail");
		tail[i] = l[2] == 0;
		mmh_take(z, 2048 + 5, 0);
		mmh_free(z, 2048 + 5, 0);
	}
	pgr_rand_seed(&ref, S);
	for (unsigned i = 0; i < 3; i++)
		u[i] = pgr_rand_u64(&ref);
	for (int k = 0; k <= 64 && found < 0; k++) {
		bool ok = true;

		for (int i = 0; i < 128 && ok; i++)
			ok = tail[k + i] == ((u[i / 64] >> (i % 64)) & 1);
		if (ok)
			found = k;
	}
	ck_assert_msg(found >= 0, "order-10 placements do not follow the "
				  "pick_tail bit stream");
	pgr_node_destroy(n);
}
END_TEST

/*
 * Shuffle on, 16 order-10 blocks; blocks 2, 5, 11 made UNMOVABLE (both
 * pageblocks typed while taken, then freed).  Shuffle 8 times.  Expect
 * each order-10 list to keep exactly its set of blocks (UNMOVABLE: {2048,
 * 5120, 11264}), nothing to land on a list of another type, and the
 * MOVABLE list order to change at least once.
 */
START_TEST(test_shuffle_swaps_only_same_migratetype)
{
	struct pgr_node *n = shuffle_node(mmh_seed(), 16 * 1024, true);
	struct pgr_zone *z = pgr_node_zone(n, 0);
	static const uint64_t unmov[3] = { 2048, 5120, 11264 };
	uint64_t l[16], first[16], s[16];
	bool changed = false;

	for (unsigned i = 0; i < 3; i++) {
		mmh_take(z, unmov[i], MMH_MO - 1);
		mmh_set_mt(z, unmov[i], PGR_MIGRATE_UNMOVABLE);
		mmh_set_mt(z, unmov[i] + 512, PGR_MIGRATE_UNMOVABLE);
		mmh_free(z, unmov[i], MMH_MO - 1);
	}
	ck_assert_uint_eq(
		mmh_list(z, MMH_MO - 1, PGR_MIGRATE_MOVABLE, first, 16), 13);
	for (unsigned round = 0; round < 8; round++) {
		ck_assert_int_eq(pgr_zone_shuffle(z), 0);
		MMH_CHECK(z);
		ck_assert_uint_eq(mmh_list_sorted(z, MMH_MO - 1,
						  PGR_MIGRATE_UNMOVABLE, s, 16),
				  3);
		for (unsigned i = 0; i < 3; i++)
			ck_assert_uint_eq(s[i], unmov[i]);
		ck_assert_uint_eq(
			mmh_list(z, MMH_MO - 1, PGR_MIGRATE_MOVABLE, l, 16),
			13);
		changed |= memcmp(l, first, sizeof(l[0]) * 13) != 0;
		for (unsigned i = 0; i < 13; i++)
			for (unsigned j = 0; j < 3; j++)
				ck_assert_uint_ne(l[i], unmov[j]);
	}
	ck_assert_msg(changed, "8 shuffles left the MOVABLE list as it was");
	pgr_node_destroy(n);
}
END_TEST

static Suite *shuffle_suite(void)
{
	Suite *s = suite_create("shuffle");
	TCase *tc = tcase_create("shuffle_zone");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_shuffle_same_seed_same_lists);
	tcase_add_test(tc, test_shuffle_swaps_only_same_migratetype);
	suite_add_tcase(s, tc);

	tc = tcase_create("shuffle_pick_tail");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_shuffle_pick_tail_one_draw_per_64_calls);
	tcase_add_test(tc, test_shuffle_order10_free_uses_one_pick);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(shuffle_suite());
}
