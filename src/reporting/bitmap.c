// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The bitmap strategy: Nitesh Narayan Lal's "[RFC][PATCH v12 0/2] mm:
 * Support for page reporting" (12 Aug 2019), patch 1/2 "mm:
 * page_reporting: core infrastructure" (Message-ID
 * 20190812131235.27244-2-nitesh@redhat.com, read in the linux-mm copy in
 * the kvm.vger.kernel.org archive; facts also in
 * shared/design/BITMAP_AND_PCP.md part 1).  Written on
 * <pagereport/strategy.h> alone.  What is modelled, and where it is read:
 *
 *  - PAGE_REPORTING_MIN_ORDER = MAX_ORDER - 2 and PAGE_REPORTING_MAX_PAGES
 *    = 16 (include/linux/page_reporting.h in 1/2): the ops declare the
 *    default order max_order - 2 and capacity min(16, sink capacity).
 *  - One bitmap per zone, one bit per 2^MIN_ORDER pages, bit = (pfn -
 *    base_pfn) >> MIN_ORDER, base_pfn = zone start (not aligned), nbits =
 *    ((end_pfn - base_pfn) >> MIN_ORDER) + 1, plus an atomic free_pages =
 *    set bits (struct zone fields and zone_reporting_init in 1/2).
 *  - Bits are set after merging: __free_one_page gains needs_reporting
 *    and calls page_reporting_enqueue(page, order) with the final page
 *    and order; below MIN_ORDER it returns; bitmap_set_bit sets the bit of
 *    the merged head only if clear, under the zone lock, and counts it
 *    (page_alloc.c and page_reporting.c hunks of 1/2).  Pages returned by
 *    __return_isolated_page pass needs_reporting = false: no bit.  Here:
 *    ->notify_free, which the engine never calls for putback.
 *  - Trigger: free_pages >= max_pages and refcnt cmpxchg 0 -> 1, then
 *    schedule_work (no delay) of the one global work
 *    (__page_reporting_enqueue): the default delay is 0.
 *  - Worker page_reporting_wq: every zone with free_pages >= max_pages is
 *    scanned (scan_zone_bitmap), then refcnt = 0; no re-check.
 *  - Scan: for_each_set_bit low to high; the pfn (bit << MIN_ORDER) +
 *    base_pfn; zone lock taken per bit; if PageBuddy and buddy order >=
 *    MIN_ORDER, __isolate_free_page at the page's *current* order (watermark
 *    check included; failure: not isolated), pageblock migratetype saved
 *    and restored (PGR_BATCH_KEEP_MT), one sg entry; unlock; then the bit
 *    is cleared and free_pages decremented in any case, outside the lock
 *    (here with atomics).  A full batch (max_pages) is reported, returned
 *    under one lock hold with ordinary merging and head/tail placement
 *    (return_isolated_page -> __free_one_page(..., false)), and scanning
 *    goes on; a partial batch is reported at the end of the zone.
 *  - No Reported state (no page flag in 1/2): a block that stays free is
 *    not reported again (its bit is clear), one that is reallocated and
 *    freed, or merges with a freed buddy, is (rereported_pages counts it).
 *  - report() returns void in v12 and virtballoon_report_pages ignores a
 *    failed virtqueue_add_inbuf (2/2): a sink error changes nothing here.
 *
 * Lal's modified v12 (7 Oct 2019, quoted in Duyck's
 * d96f744d2c48f5a96c6962c6a0a89d2429e5cab8.camel@linux.intel.com):
 * MIN_ORDER = MAX_ORDER - 1 and 32 per batch: cfg.order = max_order - 1,
 * cfg.capacity = 32.  Its third change, testing PageBuddy before taking
 * the lock, only saves lock round trips and is not modelled.
 *
 * Divergences: v12 allocates bitmaps at enable for populated zones only;
 * here every zone the engine serves gets one at registration, since a
 * zone's span exists before pgr_zone_populate (the model's boot, not
 * hotplug).  Every pfn of a span is online, so the offline-pfn skip never
 * happens.  The unaligned-base consequence (a rebuilt pfn that is not a
 * block head is never PageBuddy, so such a zone reports nothing) is kept.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include <pagereport/strategy.h>

#define BITS_PER_WORD 64

enum { BITS_VISITED }; /* its counter */

struct bm_zone {
	struct pgr_zone *zone;
	uint64_t base_pfn, end_pfn;
	unsigned long nbits;
	_Atomic uint64_t *bitmap;
	atomic_int free_pages; /* set bits */
};

struct bm {
	struct pgr_reporting_config cfg; /* order = MIN_ORDER, capacity */
	atomic_int refcnt;		 /* really a busy flag */
	unsigned int nr_zones;
	struct bm_zone zones[];
};

static void bitmap_fini(struct pgr_reporting *rep, void *priv)
{
	struct bm *bm = priv;

	(void)rep;
	for (unsigned int i = 0; bm && i < bm->nr_zones; i++)
		free(bm->zones[i].bitmap);
	free(bm);
}

/* zone_reporting_init() */
static int bitmap_init(struct pgr_reporting *rep, void **r_priv)
{
	int nr = pgr_strategy_nr_zones(rep);
	struct bm *bm;

	if (nr < 0)
		return nr;
	bm = calloc(1, sizeof(*bm) + (size_t)nr * sizeof(bm->zones[0]));
	if (!bm)
		return -ENOMEM;
	pgr_strategy_get_config(rep, &bm->cfg);
	atomic_init(&bm->refcnt, 0);
	bm->nr_zones = (unsigned int)nr;
	for (unsigned int i = 0; i < bm->nr_zones; i++) {
		struct bm_zone *bz = &bm->zones[i];
		struct pgr_strategy_zone_counters c;

		bz->zone = pgr_strategy_zone(rep, i);
		pgr_strategy_lock(rep, bz->zone);
		pgr_strategy_zone_counters(rep, bz->zone, &c);
		pgr_strategy_unlock(rep, bz->zone);
		bz->base_pfn = c.start_pfn;
		bz->end_pfn = c.start_pfn + c.nr_pages;
		bz->nbits = ((bz->end_pfn - bz->base_pfn) >> bm->cfg.order) + 1;
		bz->bitmap =
			calloc((bz->nbits + BITS_PER_WORD - 1) / BITS_PER_WORD,
			       sizeof(*bz->bitmap));
		atomic_init(&bz->free_pages, 0);
		if (!bz->bitmap) {
			bm->nr_zones = i + 1;
			bitmap_fini(rep, bm);
			return -ENOMEM;
		}
	}
	*r_priv = bm;
	return 0;
}

static struct bm_zone *bm_zone(struct bm *bm, struct pgr_zone *zone)
{
	for (unsigned int i = 0; i < bm->nr_zones; i++)
		if (bm->zones[i].zone == zone)
			return &bm->zones[i];
	return NULL;
}

/* bitmap_set_bit() + __page_reporting_enqueue(); zone lock held. */
static void bitmap_notify_free(struct pgr_reporting *rep, void *priv,
			       struct pgr_zone *zone, uint64_t pfn,
			       unsigned int order)
{
	struct bm *bm = priv;
	struct bm_zone *bz = bm_zone(bm, zone);
	unsigned long bit;
	uint64_t mask;
	int expected = 0;

	if (!bz || order < bm->cfg.order)
		return;
	bit = (unsigned long)((pfn - bz->base_pfn) >> bm->cfg.order);
	mask = 1ULL << (bit % BITS_PER_WORD);
	if (bit < bz->nbits &&
	    !(atomic_fetch_or(&bz->bitmap[bit / BITS_PER_WORD], mask) & mask))
		atomic_fetch_add(&bz->free_pages, 1);

	/* no new work while one is queued or running */
	if ((unsigned int)atomic_load(&bz->free_pages) >= bm->cfg.capacity &&
	    atomic_compare_exchange_strong(&bm->refcnt, &expected, 1)) {
		pgr_strategy_add_stat(rep, PGR_STAT_REQUESTS, 1);
		pgr_strategy_schedule(rep, bm->cfg.delay_ns);
	}
}

/* report, then return_isolated_page() under one lock hold */
static void report_batch(struct pgr_reporting *rep, struct pgr_zone *zone)
{
	pgr_strategy_report(rep);
	pgr_strategy_lock(rep, zone);
	pgr_strategy_putback(rep, 0);
	pgr_strategy_unlock(rep, zone);
}

/* The next set bit at or after @bit, or nbits (find_next_bit). */
static unsigned long next_set_bit(struct bm_zone *bz, unsigned long bit)
{
	while (bit < bz->nbits) {
		uint64_t w = atomic_load(&bz->bitmap[bit / BITS_PER_WORD]) >>
			     (bit % BITS_PER_WORD);

		if (w)
			return bit + (unsigned long)__builtin_ctzll(w);
		bit = (bit / BITS_PER_WORD + 1) * BITS_PER_WORD;
	}
	return bz->nbits;
}

/* scan_zone_bitmap() */
static void scan_zone_bitmap(struct pgr_reporting *rep, struct bm *bm,
			     struct bm_zone *bz)
{
	uint64_t visited = 0;

	for (unsigned long bit = next_set_bit(bz, 0); bit < bz->nbits;
	     bit = next_set_bit(bz, bit + 1)) {
		uint64_t pfn = ((uint64_t)bit << bm->cfg.order) + bz->base_pfn;
		struct pgr_strategy_block blk;

		visited++;
		/* pfn_to_online_page(): past the zone there is no page */
		if (pfn >= bz->end_pfn)
			continue;
		pgr_strategy_lock(rep, bz->zone);
		/* still free at MIN_ORDER or above: isolate at its order */
		if (!pgr_strategy_block(rep, bz->zone, pfn, &blk) && blk.free &&
		    blk.order >= bm->cfg.order)
			pgr_strategy_isolate(rep, bz->zone, pfn, blk.order,
					     PGR_BATCH_BACK |
						     PGR_BATCH_KEEP_MT);
		pgr_strategy_unlock(rep, bz->zone);
		/* processed: clear the bit whatever happened */
		atomic_fetch_and(&bz->bitmap[bit / BITS_PER_WORD],
				 ~(1ULL << (bit % BITS_PER_WORD)));
		atomic_fetch_sub(&bz->free_pages, 1);

		if ((unsigned int)pgr_strategy_batch_count(rep) ==
		    bm->cfg.capacity)
			report_batch(rep, bz->zone);
	}
	/* report what is isolated even if the batch is not full */
	if (pgr_strategy_batch_count(rep) > 0)
		report_batch(rep, bz->zone);
	pgr_strategy_counter_add(rep, BITS_VISITED, visited);
}

/* page_reporting_wq() */
static void bitmap_process(struct pgr_reporting *rep, void *priv)
{
	struct bm *bm = priv;

	pgr_strategy_add_stat(rep, PGR_STAT_PASSES, 1);
	for (unsigned int i = 0; i < bm->nr_zones; i++) {
		struct bm_zone *bz = &bm->zones[i];

		if ((unsigned int)atomic_load(&bz->free_pages) >=
		    bm->cfg.capacity)
			scan_zone_bitmap(rep, bm, bz);
	}
	/* every zone done: new requests may schedule the work again */
	atomic_store(&bm->refcnt, 0);
}

/*
 * For tests: whether bit @bit of zone @zone_idx is set (1), clear (0), or
 * -EINVAL.  Reads the strategy's state through pgr_strategy_priv only.
 */
int pgr__bitmap_test_bit(struct pgr_reporting *rep, unsigned int zone_idx,
			 unsigned long bit);
int pgr__bitmap_test_bit(struct pgr_reporting *rep, unsigned int zone_idx,
			 unsigned long bit)
{
	struct pgr_reporting_config cfg;
	struct bm *bm = pgr_strategy_priv(rep);

	if (pgr_strategy_get_config(rep, &cfg) ||
	    cfg.strategy != PGR_STRATEGY_BITMAP)
		return -EINVAL;
	if (!bm || zone_idx >= bm->nr_zones || bit >= bm->zones[zone_idx].nbits)
		return -EINVAL;
	return !!(
		atomic_load(&bm->zones[zone_idx].bitmap[bit / BITS_PER_WORD]) &
		(1ULL << (bit % BITS_PER_WORD)));
}

static const struct pgr_strategy_counter bitmap_counters[] = {
	[BITS_VISITED] = { "bits_visited",
			   "set bits looked at while scanning" },
};

extern const struct pgr_strategy_ops pgr__bitmap_ops;
const struct pgr_strategy_ops pgr__bitmap_ops = {
	.name = "bitmap",
	.init = bitmap_init,
	.fini = bitmap_fini,
	.notify_free = bitmap_notify_free,
	.process = bitmap_process,
	/* schedule_work(), MAX_ORDER - 2, PAGE_REPORTING_MAX_PAGES */
	.flags = PGR_STRATEGY_DELAY_SET,
	.default_delay_ns = PGR_BITMAP_DELAY_NS,
	.order_rule = PGR_ORDER_MAX,
	.order_offset = -2,
	.default_capacity = PGR_BITMAP_MAX_PAGES,
	.counters = bitmap_counters,
	.nr_counters = sizeof(bitmap_counters) / sizeof(bitmap_counters[0]),
};
