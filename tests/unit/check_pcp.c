// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for the Linux 6.1.0 per-CPU page lists (src/mm/pcp.c):
 * zone_batchsize/zone_highsize, the profile switch, rmqueue_bulk refill
 * counts and order, free_pcppages_bulk's start, round robin and tail-first
 * order, free_high, the ISOLATE bypass, HIGHATOMIC on the MOVABLE list,
 * drain_all_pages on a shortage, reporting (pcp pages are never reported;
 * a drain notifies at the merged order), the other paths that must not see
 * pcp pages, and bad CPUs.  Every mutating step is followed by the
 * invariant walker (MMH_CHECK).  Expected values are worked out in each
 * test's comment from BITMAP_AND_PCP.md Part 2.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/reporting.h>
#include <pagereport/sink.h>

#include "mm_helpers.h"

/* upstream without its watermark gate (a parameter of upstream) */
static const struct pgr_param gate_off = { .name = "upstream.gate_disable",
					   .value = 1 };

#define GIB_PAGES (1ULL << 18) /* 1 GiB of 4 KiB pages */

/* A node of one zone of @nr pages; @low: the low watermark, 0 = computed. */
static struct pgr_node *pcp_node(uint64_t nr, uint64_t low, unsigned cpus,
				 enum pgr_pcp_mode pcp,
				 enum pgr_kernel_profile prof,
				 struct pgr_zone **z)
{
	struct pgr_node_config cfg = {
		.seed = mmh_seed(),
		.nr_zones = 1,
		.zones = { { .nr_pages = nr } },
		.profile = prof,
		.nr_cpus = cpus,
		.pcp = pcp,
	};
	struct pgr_node *n;

	if (low) {
		cfg.zones[0].watermark[PGR_WMARK_MIN] = low / 2;
		cfg.zones[0].watermark[PGR_WMARK_LOW] = low;
		cfg.zones[0].watermark[PGR_WMARK_HIGH] = low * 2;
	}
	n = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(n);
	*z = pgr_node_zone(n, 0);
	ck_assert_int_eq(pgr_zone_populate(*z), 0);
	MMH_CHECK(*z);
	return n;
}

/* pgr_zone_dump's output, malloc'ed. */
static char *dump(struct pgr_zone *z)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pgr_zone_dump(z, 0, f, 0), 0);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static bool is_pcp(struct pgr_zone *z, uint64_t pfn)
{
	return mmh_page(z, pfn).state == PGR_PAGE_PCP;
}

static void take(struct pgr_zone *z, uint64_t pfn, unsigned order)
{
	ck_assert_int_eq(pgr_take_block(z, pfn, order), 0);
}

static void put(struct pgr_zone *z, uint64_t pfn, unsigned order)
{
	ck_assert_int_eq(pgr_free_pages(z, pfn, order), 0);
	MMH_CHECK(z);
}

/*
 * 1 GiB: managed >> 10 = 256 (the 1 MiB cap too), /4 = 64, 64 + 32 = 96,
 * rounddown_pow_of_two 64, - 1 = 63.  high = low watermark / CPUs, at
 * least 4 * 63 = 252.  16 MiB: 4 / 4 = 1, 1 -> 1 - 1 = 0 -> batch 1.
 */
START_TEST(test_pcp_batch_high)
{
	struct pgr_zone *z;
	struct pgr_node *n =
		pcp_node(GIB_PAGES, 0, 1, PGR_PCP_ON, PGR_PROFILE_DEFAULT, &z);
	struct pgr_zone_info i = mmh_info(z);

	ck_assert_uint_eq(i.pcp_batch, 63);
	ck_assert_uint_gt(i.watermark[PGR_WMARK_LOW], 252);
	ck_assert_uint_eq(i.pcp_high, i.watermark[PGR_WMARK_LOW]);
	pgr_node_destroy(n);

	n = pcp_node(GIB_PAGES, 0, 4, PGR_PCP_ON, PGR_PROFILE_DEFAULT, &z);
	i = mmh_info(z);
	ck_assert_uint_eq(i.pcp_batch, 63);
	ck_assert_uint_eq(i.pcp_high, i.watermark[PGR_WMARK_LOW] / 4 > 252
					      ? i.watermark[PGR_WMARK_LOW] / 4
					      : 252);
	pgr_node_destroy(n);

	n = pcp_node(4096, 0, 1, PGR_PCP_ON, PGR_PROFILE_DEFAULT, &z);
	i = mmh_info(z);
	ck_assert_uint_eq(i.pcp_batch, 1);
	ck_assert_uint_eq(i.pcp_high, i.watermark[PGR_WMARK_LOW] > 4
					      ? i.watermark[PGR_WMARK_LOW]
					      : 4);
	pgr_node_destroy(n);
}
END_TEST

/*
 * batch comes from the managed pages, not the span: a 512 MiB UML guest's
 * zone spans 391383 pages but manages 121469 (its /proc/zoneinfo), and its
 * kernel shows batch 31: 121469 >> 10 = 118, /4 = 29, 29 + 14 = 43 -> 32
 * - 1.  The span alone would give 63.  Computed watermarks scale with
 * managed too, and managed above the span is refused.
 */
START_TEST(test_pcp_batch_managed)
{
	struct pgr_node_config cfg = { .nr_zones = 1, .pcp = PGR_PCP_ON };
	struct pgr_zone_info full, part;
	struct pgr_node *n;

	cfg.zones[0].nr_pages = 391383;
	n = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(n);
	full = mmh_info(pgr_node_zone(n, 0));
	pgr_node_destroy(n);
	ck_assert_uint_eq(full.pcp_batch, 63);
	ck_assert_uint_eq(full.managed_pages, 391383);

	cfg.zones[0].managed_pages = 121469;
	n = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(n);
	part = mmh_info(pgr_node_zone(n, 0));
	pgr_node_destroy(n);
	ck_assert_uint_eq(part.pcp_batch, 31);
	ck_assert_uint_eq(part.managed_pages, 121469);
	ck_assert_uint_lt(part.watermark[PGR_WMARK_LOW],
			  full.watermark[PGR_WMARK_LOW]);

	cfg.zones[0].managed_pages = 391384;
	pgr_errmsg_clear();
	ck_assert_ptr_null(pgr_node_create(&cfg));
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "managed_pages"));
}
END_TEST

/* PROFILE: on for 6.1 only; OFF and ON override the profile. */
START_TEST(test_pcp_profile_switch)
{
	static const struct {
		enum pgr_kernel_profile prof;
		enum pgr_pcp_mode mode;
		bool on;
	} c[] = {
		{ PGR_PROFILE_DEFAULT, PGR_PCP_PROFILE, false },
		{ PGR_PROFILE_5_10, PGR_PCP_PROFILE, false },
		{ PGR_PROFILE_6_1, PGR_PCP_PROFILE, true },
		{ PGR_PROFILE_6_1, PGR_PCP_OFF, false },
		{ PGR_PROFILE_DEFAULT, PGR_PCP_ON, true },
	};
	struct pgr_zone *z;
	struct pgr_node *n =
		pcp_node(GIB_PAGES, 0, 1, c[_i].mode, c[_i].prof, &z);
	uint64_t pfn;

	ck_assert_int_eq(pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn),
			 0);
	MMH_CHECK(z);
	/* on: the refill left 62 pages on the list */
	ck_assert_uint_eq(mmh_info(z).pcp_pages, c[_i].on ? 62 : 0);
	ck_assert_uint_eq(mmh_info(z).pcp_batch, c[_i].on ? 63 : 0);
	put(z, pfn, 0);
	ck_assert(is_pcp(z, pfn) == c[_i].on);
	{
		char *d = dump(z);

		ck_assert_msg((strstr(d, "pcp pages 63 high_pages 63 drains 0 "
					 "drain_all 0 batch 63") != NULL) ==
				      c[_i].on,
			      "dump: %s", d);
		free(d);
	}
	pgr_node_destroy(n);
}
END_TEST

/*
 * rmqueue_bulk refills batch (order 0) or max(batch >> order, 2) blocks:
 * 63, 31, 15, 7 at orders 0..3 and 2 at order 9 (the THP list); one is
 * handed out, the rest stay: (n - 1) << order base pages.
 */
START_TEST(test_pcp_refill_counts)
{
	static const unsigned order[] = { 0, 1, 2, 3, 9 };
	static const unsigned nr[] = { 63, 31, 15, 7, 2 };
	struct pgr_zone *z;
	struct pgr_node *n =
		pcp_node(GIB_PAGES, 0, 1, PGR_PCP_ON, PGR_PROFILE_DEFAULT, &z);
	unsigned o = order[_i];
	uint64_t free0 = mmh_info(z).nr_free_pages, pfn;
	struct pgr_zone_info i;

	ck_assert_int_eq(pgr_alloc_pages(z, o, PGR_MIGRATE_MOVABLE, 0, &pfn),
			 0);
	MMH_CHECK(z);
	i = mmh_info(z);
	ck_assert_uint_eq(i.pcp_pages, (uint64_t)(nr[_i] - 1) << o);
	ck_assert_uint_eq(i.nr_free_pages, free0 - ((uint64_t)nr[_i] << o));
	ck_assert_uint_eq(i.nr_allocated_pages, 1ULL << o);
	/* the next nr - 1 come from the list, no new refill */
	for (unsigned k = 1; k < nr[_i]; k++)
		ck_assert_int_eq(
			pgr_alloc_pages(z, o, PGR_MIGRATE_MOVABLE, 0, &pfn), 0);
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 0);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages,
			  free0 - ((uint64_t)nr[_i] << o));
	MMH_CHECK(z);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Each refilled block goes to the list tail and allocation takes the
 * head, so the 63 pages split from one block come out in pfn order: the
 * first allocation splits an order-10 block at X and takes X, the next
 * __rmqueue calls take X+1, X+2 ... (expand's halves sit at the heads).
 */
START_TEST(test_pcp_head_take_ordered)
{
	struct pgr_zone *z;
	struct pgr_node *n =
		pcp_node(GIB_PAGES, 0, 1, PGR_PCP_ON, PGR_PROFILE_DEFAULT, &z);
	uint64_t first, pfn;

	ck_assert_int_eq(pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &first),
			 0);
	for (uint64_t k = 1; k < 63; k++) {
		ck_assert_int_eq(
			pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn), 0);
		ck_assert_uint_eq(pfn, first + k);
	}
	MMH_CHECK(z);
	pgr_node_destroy(n);
}
END_TEST

/*
 * high 260 (low watermark 260 > 4 * 63), batch 63.  UNMOVABLE pageblock
 * [0, 512): free pages 0..249 (pindex 0), then MOVABLE pages 4096..4105
 * (pindex 1).  The 260th page reaches high: nr_pcp_free = clamp(63, 63,
 * 197) = 63 from free_pcppages_bulk(pindex 1): all 10 MOVABLE ones, the
 * lists 2..12 are empty, then round robin wraps to pindex 0 and takes 53
 * from its tail, i.e. the oldest: pages 0..52.  Pages 53..249 stay.
 */
START_TEST(test_pcp_drain_order)
{
	struct pgr_zone *z;
	struct pgr_node *n = pcp_node(GIB_PAGES, 260, 1, PGR_PCP_ON,
				      PGR_PROFILE_DEFAULT, &z);
	struct pgr_zone_info i;

	ck_assert_uint_eq(mmh_info(z).pcp_high, 260);
	ck_assert_int_eq(
		pgr_set_pageblock_migratetype(z, 0, PGR_MIGRATE_UNMOVABLE), 0);
	for (uint64_t p = 0; p < 250; p++)
		take(z, p, 0);
	for (uint64_t p = 4096; p < 4106; p++)
		take(z, p, 0);
	for (uint64_t p = 0; p < 250; p++)
		put(z, p, 0);
	for (uint64_t p = 4096; p < 4105; p++)
		put(z, p, 0);
	ck_assert_uint_eq(mmh_info(z).pcp_drains, 0);
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 259);
	put(z, 4105, 0);
	i = mmh_info(z);
	ck_assert_uint_eq(i.pcp_drains, 1);
	ck_assert_uint_eq(i.pcp_pages, 260 - 63);
	ck_assert_uint_eq(i.pcp_high_pages, 260);
	for (uint64_t p = 4096; p < 4106; p++)
		ck_assert_msg(!is_pcp(z, p), "pfn %llu still on the pcp",
			      (unsigned long long)p);
	for (uint64_t p = 0; p < 250; p++)
		ck_assert_msg(is_pcp(z, p) == (p >= 53),
			      "pfn %llu: pcp %d, expected %d",
			      (unsigned long long)p, is_pcp(z, p), p >= 53);
	/* the drained ones merged back: [4096, 4106) is free again */
	ck_assert_int_eq(mmh_page(z, 4096).state, PGR_PAGE_FREE);
	ck_assert_uint_ge(mmh_page(z, 4096).order, 3);
	/* drain_pages_zone empties the rest, from pindex 0 */
	ck_assert_int_eq(pgr_zone_drain_pages(z, 0), 0);
	MMH_CHECK(z);
	i = mmh_info(z);
	ck_assert_uint_eq(i.pcp_pages, 0);
	ck_assert_uint_eq(i.pcp_drains, 2);
	ck_assert_uint_eq(i.nr_free_pages, GIB_PAGES);
	pgr_node_destroy(n);
}
END_TEST

/*
 * free_high: once a drain made free_factor 1, freeing a block of order
 * 1..3 drains every list of the CPU (nr_pcp_free = count); an order-0
 * free does not, and an allocation in between (free_factor >>= 1 -> 0)
 * turns it off.  high 260: 260 order-0 frees drain 63 (free_factor 1).
 */
START_TEST(test_pcp_free_high)
{
	unsigned o = (unsigned)_i + 1;
	struct pgr_zone *z;
	struct pgr_node *n = pcp_node(GIB_PAGES, 260, 1, PGR_PCP_ON,
				      PGR_PROFILE_DEFAULT, &z);
	uint64_t blk = 8192, pfn;

	for (uint64_t p = 0; p < 261; p++)
		take(z, p, 0);
	take(z, blk, o);
	take(z, blk + 64, o);
	for (uint64_t p = 0; p < 260; p++)
		put(z, p, 0);
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 260 - 63);
	/* order 0 with free_factor 1: no drain */
	put(z, 260, 0);
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 260 - 63 + 1);
	put(z, blk, o);
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 0);
	ck_assert_uint_eq(mmh_info(z).pcp_drains, 2);
	/* an allocation halves free_factor to 0: free_high is off */
	ck_assert_int_eq(pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn),
			 0);
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 62);
	put(z, blk + 64, o);
	ck_assert(is_pcp(z, blk + 64));
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 62 + (1u << o));
	pgr_node_destroy(n);
}
END_TEST

/* A page of an ISOLATE pageblock bypasses the pcp: free_one_page. */
START_TEST(test_pcp_isolate_bypass)
{
	struct pgr_zone *z;
	struct pgr_node *n =
		pcp_node(GIB_PAGES, 0, 1, PGR_PCP_ON, PGR_PROFILE_DEFAULT, &z);

	take(z, 5, 0);
	ck_assert_int_eq(pgr_isolate_range(z, 0, MMH_PB_PAGES), 0);
	put(z, 5, 0);
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 0);
	ck_assert_int_eq(mmh_page(z, 0).state, PGR_PAGE_FREE);
	ck_assert_int_eq(mmh_page(z, 0).migratetype, PGR_MIGRATE_ISOLATE);
	ck_assert_uint_eq(mmh_page(z, 0).order, MMH_PB);
	/* not isolated: the same free goes to the pcp */
	take(z, 4096, 0);
	put(z, 4096, 0);
	ck_assert(is_pcp(z, 4096));
	pgr_node_destroy(n);
}
END_TEST

/*
 * A HIGHATOMIC pageblock's page goes to the MOVABLE list (so a MOVABLE
 * allocation gets it back from the head), keeps HIGHATOMIC as its stored
 * type, and a drain returns it to the HIGHATOMIC free list.
 */
START_TEST(test_pcp_highatomic_movable)
{
	struct pgr_zone *z;
	struct pgr_node *n =
		pcp_node(GIB_PAGES, 0, 1, PGR_PCP_ON, PGR_PROFILE_DEFAULT, &z);
	uint64_t pfn;

	ck_assert_int_eq(pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn),
			 0);
	ck_assert_int_eq(
		pgr_set_pageblock_migratetype(z, 2048, PGR_MIGRATE_HIGHATOMIC),
		0);
	take(z, 2048, 0);
	put(z, 2048, 0);
	ck_assert(is_pcp(z, 2048));
	ck_assert_int_eq(mmh_page(z, 2048).migratetype, PGR_MIGRATE_HIGHATOMIC);
	ck_assert_int_eq(pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn),
			 0);
	ck_assert_uint_eq(pfn, 2048);
	put(z, 2048, 0);
	ck_assert_int_eq(pgr_zone_drain_pages(z, PGR_PCP_ALL_CPUS), 0);
	MMH_CHECK(z);
	ck_assert_int_eq(mmh_page(z, 2048).state, PGR_PAGE_FREE);
	ck_assert_int_eq(mmh_page(z, 2048).migratetype, PGR_MIGRATE_HIGHATOMIC);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Two order-10 blocks, batch 1.  An order-0 page of block 0 sits on the
 * pcp: the first order-10 allocation takes block 1024, the second finds
 * no block until drain_all_pages merges block 0 back (one drain, one
 * retry).  A third fails after its drain.
 */
START_TEST(test_pcp_drain_all_on_shortage)
{
	struct pgr_zone *z;
	struct pgr_node *n =
		pcp_node(2048, 0, 2, PGR_PCP_ON, PGR_PROFILE_DEFAULT, &z);
	uint64_t pfn, a, b;

	ck_assert_uint_eq(mmh_info(z).pcp_batch, 1);
	ck_assert_int_eq(
		pgr_alloc_pages_cpu(z, 1, 0, PGR_MIGRATE_MOVABLE, 0, &pfn), 0);
	ck_assert_int_eq(pgr_free_pages_cpu(z, 1, pfn, 0), 0);
	ck_assert(is_pcp(z, pfn));
	ck_assert_int_eq(pgr_alloc_pages(z, 10, PGR_MIGRATE_MOVABLE, 0, &a), 0);
	ck_assert_uint_eq(mmh_info(z).pcp_drain_all, 0);
	ck_assert_int_eq(pgr_alloc_pages(z, 10, PGR_MIGRATE_MOVABLE, 0, &b), 0);
	MMH_CHECK(z);
	ck_assert_uint_eq(b, pfn & ~1023ULL);
	ck_assert_uint_eq(mmh_info(z).pcp_drain_all, 1);
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 0);
	ck_assert_int_eq(pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn),
			 -ENOMEM);
	ck_assert_uint_eq(mmh_info(z).pcp_drain_all, 2);
	pgr_node_destroy(n);
}
END_TEST

/*
 * The watermark case: 2048 pages, low watermark 600 (high 600), pages
 * 0..499 freed to the pcp (below high).  NR_FREE_PAGES is 1548, so an
 * order-10 allocation with WMARK_LOW sees 1548 - 1023 = 525 <= 600 and
 * fails; the drain makes it 2048 - 1023 > 600 and the retry succeeds.
 */
START_TEST(test_pcp_drain_all_on_watermark)
{
	struct pgr_zone *z;
	struct pgr_node *n =
		pcp_node(2048, 600, 1, PGR_PCP_ON, PGR_PROFILE_DEFAULT, &z);
	uint64_t pfn;

	ck_assert_uint_eq(mmh_info(z).pcp_high, 600);
	for (uint64_t p = 0; p < 500; p++)
		take(z, p, 0);
	for (uint64_t p = 0; p < 500; p++)
		put(z, p, 0);
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 500);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, 1548);
	ck_assert_int_eq(pgr_alloc_pages(z, 10, PGR_MIGRATE_MOVABLE,
					 PGR_ALLOC_WMARK_LOW, &pfn),
			 0);
	MMH_CHECK(z);
	ck_assert_uint_eq(mmh_info(z).pcp_drain_all, 1);
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 0);
	pgr_node_destroy(n);
}
END_TEST

static bool covers(const struct pgr_range *r, uint64_t pfn)
{
	return pfn >= r->pfn && pfn < r->pfn + (1ULL << r->order);
}

/*
 * Upstream reporting at order 3 over a 64 MiB zone (batch 3): after the
 * first pass reported everything, an order-0 allocation refills 3 pages
 * from an order-10 block (2 stay on the pcp) and is freed back (3 on the
 * pcp).  A pass triggered by an order-4 free reports the split pieces but
 * none of the pcp pages; drain_all merges them into the order-10 block,
 * notified at order 10, and the next pass reports that block.
 */
START_TEST(test_pcp_reporting)
{
	struct pgr_sink_recorder_config rc = { .capacity = 32 };
	struct pgr_reporting_config cfg;
	struct pgr_recorded_batch b;
	struct pgr_zone *z;
	struct pgr_node *n =
		pcp_node(16384, 0, 1, PGR_PCP_ON, PGR_PROFILE_6_1, &z);
	struct pgr_sink *sink = pgr_sink_recorder_create(&rc);
	uint64_t pfn, big, pcp[3];
	size_t nb;
	bool found = false;

	ck_assert_ptr_nonnull(sink);
	ck_assert_uint_eq(mmh_info(z).pcp_batch, 3);
	memset(&cfg, 0, sizeof(cfg));
	cfg.strategy = PGR_STRATEGY_UPSTREAM;
	cfg.order = 3;
	cfg.params = &gate_off;
	cfg.nr_params = 1;
	ck_assert_int_eq(pgr_reporting_register(n, sink, &cfg), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(n, 600000000000ULL, NULL),
			 0);
	ck_assert_uint_gt(pgr_sink_recorder_nr_batches(sink), 0);
	pgr_sink_recorder_reset(sink);

	ck_assert_int_eq(pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn),
			 0);
	put(z, pfn, 0);
	for (int k = 0; k < 3; k++) {
		pcp[k] = pfn + (uint64_t)k;
		ck_assert(is_pcp(z, pcp[k]));
		ck_assert(!mmh_page(z, pcp[k]).reported);
	}
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 3);
	/* an order-4 free (not a pcp order) notifies and starts a pass */
	ck_assert_int_eq(pgr_alloc_pages(z, 4, PGR_MIGRATE_MOVABLE, 0, &big),
			 0);
	put(z, big, 4);
	ck_assert_int_eq(pgr_reporting_run_until_idle(n, 600000000000ULL, NULL),
			 0);
	nb = pgr_sink_recorder_nr_batches(sink);
	ck_assert_uint_gt(nb, 0);
	for (size_t i = 0; i < nb; i++) {
		ck_assert_int_eq(pgr_sink_recorder_batch(sink, i, &b), 0);
		for (unsigned r = 0; r < b.n; r++)
			for (int k = 0; k < 3; k++)
				ck_assert_msg(!covers(&b.ranges[r], pcp[k]),
					      "reported pcp page %llu",
					      (unsigned long long)pcp[k]);
	}
	ck_assert(is_pcp(z, pcp[0]));
	pgr_sink_recorder_reset(sink);

	ck_assert_int_eq(pgr_zone_drain_pages(z, PGR_PCP_ALL_CPUS), 0);
	MMH_CHECK(z);
	ck_assert_int_eq(mmh_page(z, pfn & ~1023ULL).state, PGR_PAGE_FREE);
	ck_assert_uint_eq(mmh_page(z, pfn & ~1023ULL).order, 10);
	ck_assert_int_eq(pgr_reporting_run_until_idle(n, 600000000000ULL, NULL),
			 0);
	nb = pgr_sink_recorder_nr_batches(sink);
	for (size_t i = 0; i < nb; i++) {
		ck_assert_int_eq(pgr_sink_recorder_batch(sink, i, &b), 0);
		for (unsigned r = 0; r < b.n; r++)
			if (covers(&b.ranges[r], pcp[0])) {
				ck_assert_uint_eq(b.ranges[r].order, 10);
				found = true;
			}
	}
	ck_assert_msg(found, "the merged block was not reported");
	ck_assert(mmh_page(z, pfn & ~1023ULL).reported);
	ck_assert_int_eq(pgr_reporting_unregister(n), 0);
	pgr_sink_destroy(sink);
	pgr_node_destroy(n);
}
END_TEST

/*
 * Paths that must not see pcp pages: take_block (-EBUSY), isolate_free_page
 * (-ENOENT), putback (-EINVAL), a double free (-EINVAL), compaction's rotate
 * (-ENOENT); zone_offline drains first.
 */
START_TEST(test_pcp_other_paths)
{
	struct pgr_zone *z;
	struct pgr_node *n =
		pcp_node(GIB_PAGES, 0, 1, PGR_PCP_ON, PGR_PROFILE_DEFAULT, &z);
	uint64_t pfn;

	ck_assert_int_eq(pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn),
			 0);
	put(z, pfn, 0);
	ck_assert(is_pcp(z, pfn));
	ck_assert_int_eq(pgr_take_block(z, pfn, 0), -EBUSY);
	ck_assert_int_eq(pgr_isolate_free_page(z, pfn, 0), -ENOENT);
	ck_assert_int_eq(pgr_putback_isolated_page(z, pfn, 0), -EINVAL);
	ck_assert_int_eq(pgr_free_pages(z, pfn, 0), -EINVAL);
	ck_assert_int_eq(pgr_free_pages_cpu(z, 0, pfn + 1, 0), -EINVAL);
	ck_assert_int_eq(pgr_zone_compact_rotate(z, 0, pfn), -ENOENT);
	MMH_CHECK(z);
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 63);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, GIB_PAGES - 63);
	ck_assert_int_eq(pgr_zone_offline(z), 0);
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 0);
	MMH_CHECK(z);
	pgr_node_destroy(n);
}
END_TEST

/* Each CPU has its own lists; bad CPUs are -EINVAL with a message. */
START_TEST(test_pcp_cpus)
{
	struct pgr_node_config cfg = {
		.nr_zones = 1,
		.zones = { { .nr_pages = 4096 } },
		.nr_cpus = PGR_PCP_MAX_CPUS + 1,
	};
	struct pgr_zone *z;
	struct pgr_node *n =
		pcp_node(GIB_PAGES, 0, 2, PGR_PCP_ON, PGR_PROFILE_DEFAULT, &z);
	uint64_t a, b;

	ck_assert_int_eq(
		pgr_alloc_pages_cpu(z, 1, 0, PGR_MIGRATE_MOVABLE, 0, &a), 0);
	ck_assert_int_eq(pgr_free_pages_cpu(z, 1, a, 0), 0);
	/* CPU 0 refills its own list instead of taking CPU 1's page */
	ck_assert_int_eq(
		pgr_alloc_pages_cpu(z, 0, 0, PGR_MIGRATE_MOVABLE, 0, &b), 0);
	ck_assert_uint_ne(a, b);
	ck_assert(is_pcp(z, a));
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 63 + 62);
	ck_assert_int_eq(pgr_zone_drain_pages(z, 1), 0);
	ck_assert_uint_eq(mmh_info(z).pcp_pages, 62);
	ck_assert(!is_pcp(z, a));

	pgr_errmsg_clear();
	ck_assert_int_eq(
		pgr_alloc_pages_cpu(z, 2, 0, PGR_MIGRATE_MOVABLE, 0, &a),
		-EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "cpu 2"));
	pgr_errmsg_clear();
	ck_assert_int_eq(pgr_free_pages_cpu(z, 2, b, 0), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "cpu 2"));
	ck_assert_int_eq(pgr_zone_drain_pages(z, 2), -EINVAL);
	ck_assert_int_eq(pgr_zone_drain_pages(z, -2), -EINVAL);
	ck_assert_int_eq(pgr_zone_drain_pages(NULL, 0), -EINVAL);
	ck_assert(!is_pcp(z, b));
	MMH_CHECK(z);
	pgr_node_destroy(n);

	ck_assert_ptr_null(pgr_node_create(&cfg));
	ck_assert_int_eq(errno, EINVAL);
	cfg.nr_cpus = 1;
	cfg.pcp = (enum pgr_pcp_mode)7;
	ck_assert_ptr_null(pgr_node_create(&cfg));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

static Suite *pcp_suite(void)
{
	Suite *s = suite_create("pcp");
	TCase *tc = tcase_create("pcp");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_pcp_batch_high);
	tcase_add_test(tc, test_pcp_batch_managed);
	tcase_add_loop_test(tc, test_pcp_profile_switch, 0, 5);
	tcase_add_loop_test(tc, test_pcp_refill_counts, 0, 5);
	tcase_add_test(tc, test_pcp_head_take_ordered);
	tcase_add_test(tc, test_pcp_drain_order);
	tcase_add_loop_test(tc, test_pcp_free_high, 0, 3);
	tcase_add_test(tc, test_pcp_isolate_bypass);
	tcase_add_test(tc, test_pcp_highatomic_movable);
	tcase_add_test(tc, test_pcp_drain_all_on_shortage);
	tcase_add_test(tc, test_pcp_drain_all_on_watermark);
	tcase_add_test(tc, test_pcp_reporting);
	tcase_add_test(tc, test_pcp_other_paths);
	tcase_add_test(tc, test_pcp_cpus);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(pcp_suite());
}
