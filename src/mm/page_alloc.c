// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The buddy allocator proper, modelling Linux 5.4/5.7 mm/page_alloc.c:
 * __free_one_page (merging, pageblock cap, isolate boundary, head/tail
 * placement with shuffle_pick_tail and buddy_merge_likely, the reporting
 * notification), __rmqueue_smallest + expand, __rmqueue with the 5.4
 * fallback/steal logic, __isolate_free_page and __putback_isolated_page.
 *
 * Left out: CMA, debug guard pages, watermark boosting, compaction capture,
 * reserve_highatomic_pageblock's automatic reserve (callers make
 * HIGHATOMIC pageblocks, pageblock.c counts them) and lowmem_reserve.  The
 * public pgr_* entry points validate everything, take the zone lock and leave
 * the state unchanged on error.  Per-CPU lists (6.1) are in pcp.c; with
 * them off (every profile but 6.1 by default) every free reaches the buddy
 * at once, and the order-0 fast paths below are only taken then.
 */
#include "config.h"
#include "debug.h"
#include "errmsg.h"
#include "mm/internal.h"
#include "page_alloc.h"

#define PGR_ALLOC_FLAGS_ALL                                                 \
	(PGR_ALLOC_NOFRAGMENT | PGR_ALLOC_WMARK_MIN | PGR_ALLOC_WMARK_LOW | \
	 PGR_ALLOC_NO_FALLBACK)

/* page_is_buddy(): a free head of exactly @order inside this zone. */
static inline bool page_is_buddy(const struct page *pages, uint32_t nr_pages,
				 uint64_t buddy_id, unsigned int order)
{
	/* buddy_id is pfn - start_pfn: below the zone it wraps around. */
	return buddy_id < nr_pages &&
	       (pages[buddy_id].info & PAGE_INFO(PG_buddy, 0xff, 0)) ==
		       PAGE_INFO(PG_buddy, order, 0);
}

/*
 * buddy_merge_likely(): if the buddy of the next-higher-order block is
 * free, this block is likely to merge soon, so keep it at the tail.
 */
static inline bool buddy_merge_likely(const struct zone *z,
				      const struct page *pages, uint64_t pfn,
				      unsigned int order, unsigned int mo)
{
	uint64_t combined_pfn, higher_buddy;

	if (order + 2 >= mo)
		return false;
	combined_pfn = pfn & ~(1ULL << order);
	higher_buddy = combined_pfn ^ (1ULL << (order + 1));
	return page_is_buddy(pages, z->nr_pages, higher_buddy - z->start_pfn,
			     order + 1);
}

/*
 * The end of __free_one_page(): head or tail, then notify reporting.
 * @merged is false on the no-merge fast path, where order is below
 * pageblock_order <= max_order - 1 and so never a shuffle order: saying
 * so lets the compiler drop the shuffle_pick_tail() call from that path.
 */
static inline __attribute__((always_inline)) uint32_t
place_free_block(struct zone *z, uint64_t pfn, unsigned int order, int mt,
		 unsigned int fpi, unsigned int *r_order, bool merged)
{
	struct pgr_node *node = z->node;
	const unsigned int mo = node->max_order;
	uint32_t id = (uint32_t)(pfn - z->start_pfn);
	bool to_tail;

	if (fpi & FPI_TO_TAIL)
		to_tail = true;
	else if (merged && unlikely(node->shuffle) && order + 1 >= mo)
		to_tail = pgr__shuffle_pick_tail(node);
	else
		to_tail = buddy_merge_likely(z, z->pages, pfn, order, mo);
	if (to_tail)
		add_to_free_list_tail(z, id, order, mt);
	else
		add_to_free_list(z, id, order, mt);
	if (!(fpi & FPI_SKIP_REPORT_NOTIFY))
		page_reporting_notify_free(z, id, order);
	if (r_order)
		*r_order = order;
	return id;
}

/* Models __free_one_page() (5.4/5.7 form, ALGORITHM.md §1.3). */
static __attribute__((noinline)) uint32_t
free_one_page_merge(struct zone *z, uint64_t pfn, unsigned int order, int mt,
		    unsigned int fpi, unsigned int *r_order)
{
	const unsigned int mo = z->node->max_order;
	unsigned int cap = z->node->pageblock_order + 1;

	if (cap > mo)
		cap = mo;
continue_merging:
	while (order < cap - 1) {
		uint64_t buddy_pfn = pfn ^ (1ULL << order);

		if (!page_is_buddy(z->pages, z->nr_pages,
				   buddy_pfn - z->start_pfn, order))
			goto done_merging;
		del_page_from_free_list(z, pfn_id(z, buddy_pfn), order);
		pfn &= buddy_pfn;
		order++;
	}
	if (cap < mo) {
		/*
		 * order >= pageblock_order here: never merge free pages of an
		 * isolated pageblock with a normal one (freepage counting).
		 */
		if (unlikely(has_isolate_pageblock(z))) {
			uint64_t buddy_pfn = pfn ^ (1ULL << order);

			if (zone_spans_pfn(z, buddy_pfn)) {
				int bmt =
					get_pfnblock_migratetype(z, buddy_pfn);

				if (mt != bmt && (is_migrate_isolate(mt) ||
						  is_migrate_isolate(bmt)))
					goto done_merging;
			}
		}
		cap++;
		goto continue_merging;
	}
done_merging:
	return place_free_block(z, pfn, order, mt, fpi, r_order, true);
}

/*
 * Whether __free_one_page() has more to do than place the block: its
 * merge loop's first cap is min(max_order, pageblock_order + 1), which is
 * pageblock_order + 1 as pgr_node_create() ensures pageblock_order <
 * max_order, so below pageblock_order the only question is whether the
 * buddy is free.
 */
static inline bool free_merges(struct zone *z, uint64_t pfn, unsigned int order)
{
	return order >= pageblock_order(z) ||
	       page_is_buddy(z->pages, z->nr_pages,
			     (pfn ^ (1ULL << order)) - z->start_pfn, order);
}

/*
 * __free_one_page(), split so that the common case (the buddy is not
 * free, nothing to merge) stays small and inline: anything else goes to
 * free_one_page_merge(), which runs the kernel's full merge loop.
 */
static inline __attribute__((always_inline)) uint32_t
free_one_page(struct zone *z, uint32_t id, unsigned int order, int mt,
	      unsigned int fpi, unsigned int *r_order, bool no_merge)
{
	uint64_t pfn = z->start_pfn + id;

	if (!is_migrate_isolate(mt))
		z->nr_free_pages += 1ULL << order;
	/* @no_merge (a constant): the caller has seen free_merges() false. */
	if (!no_merge && unlikely(free_merges(z, pfn, order)))
		return free_one_page_merge(z, pfn, order, mt, fpi, r_order);
	return place_free_block(z, pfn, order, mt, fpi, r_order, false);
}

uint32_t pgr__free_one_page(struct zone *z, uint32_t id, unsigned int order,
			    int mt, unsigned int fpi, unsigned int *r_order)
{
	return free_one_page(z, id, order, mt, fpi, r_order, false);
}

/* expand(): the upper halves go to the head of the lower-order lists. */
static inline void expand(struct zone *z, uint32_t id, unsigned int low,
			  unsigned int high, int mt)
{
	while (high > low) {
		high--;
		add_to_free_list(z, id + (1u << high), high, mt);
	}
}

/*
 * Models __rmqueue_smallest(): the head of the smallest non-empty list.
 * With @fast (a constant) it only takes the head of the first list, and
 * only when that needs no reporting hook; PGR_NO_PAGE then means "ask
 * again without @fast", which finds the lists unchanged.  This keeps the
 * fast path free of calls and of the expand() loop.
 */
static inline __attribute__((always_inline)) uint32_t
rmqueue_smallest(struct zone *z, unsigned int order, int mt, bool fast)
{
	const unsigned int mo = z->node->max_order;
	const struct page *pages = z->pages;
	uint32_t head = free_list_id(z, order, mt);
	unsigned int cur = order;

	/* Callers checked order < max_order: test the first list at once. */
	do {
		uint32_t id = pages[head].next;

		if (id != head) {
			if (fast && unlikely(pages[id].flags & PG_reported))
				return PGR_NO_PAGE;
			del_page_from_free_list(z, id, cur);
			expand(z, id, order, cur, mt);
			return id;
		}
		if (fast)
			return PGR_NO_PAGE;
		head += PGR_MIGRATE_TYPES;
	} while (++cur < mo);
	return PGR_NO_PAGE;
}

/* The 5.4 fallbacks[] table (CMA off; ISOLATE and HIGHATOMIC never). */
static const int fallbacks[PGR_MIGRATE_HIGHATOMIC][2] = {
	[PGR_MIGRATE_UNMOVABLE] = { PGR_MIGRATE_RECLAIMABLE,
				    PGR_MIGRATE_MOVABLE },
	[PGR_MIGRATE_MOVABLE] = { PGR_MIGRATE_RECLAIMABLE,
				  PGR_MIGRATE_UNMOVABLE },
	[PGR_MIGRATE_RECLAIMABLE] = { PGR_MIGRATE_UNMOVABLE,
				      PGR_MIGRATE_MOVABLE },
};

/* Models can_steal_fallback() (page_group_by_mobility_disabled is off). */
static bool can_steal_fallback(const struct zone *z, unsigned int order,
			       int start_mt)
{
	if (order >= pageblock_order(z))
		return true;
	return order >= pageblock_order(z) / 2 ||
	       start_mt == PGR_MIGRATE_RECLAIMABLE ||
	       start_mt == PGR_MIGRATE_UNMOVABLE;
}

/* Models find_suitable_fallback() with only_stealable == false. */
static int find_suitable_fallback(struct zone *z, unsigned int order,
				  int start_mt, bool *can_steal)
{
	if (!z->free_area[order].nr_free)
		return -1;
	*can_steal = false;
	for (int i = 0; i < 2; i++) {
		int fmt = fallbacks[start_mt][i];

		if (list_empty_id(z, free_list_id(z, order, fmt)))
			continue;
		if (can_steal_fallback(z, order, start_mt))
			*can_steal = true;
		return fmt;
	}
	return -1;
}

/*
 * Models steal_suitable_fallback(): take over the whole pageblock when
 * enough of it is free or alike, else move just the one block.
 */
static void steal_suitable_fallback(struct zone *z, uint32_t id, int start_type,
				    bool whole_block)
{
	struct page *page = &z->pages[id];
	unsigned int current_order = page->order;
	uint64_t pfn = id_pfn(z, id);
	uint64_t free_pages, movable_pages, alike_pages;
	int old_block_type = get_pfnblock_migratetype(z, pfn);

	/* Keeps highatomic accounting intact (a race in the kernel). */
	if (old_block_type == PGR_MIGRATE_HIGHATOMIC)
		goto single_page;

	/* Take ownership for orders >= pageblock_order. */
	if (current_order >= pageblock_order(z)) {
		pgr__change_pageblock_range(z, pfn, current_order, start_type);
		goto single_page;
	}
	if (!whole_block)
		goto single_page;

	free_pages =
		pgr__move_freepages_block(z, pfn, start_type, &movable_pages);
	if (start_type == PGR_MIGRATE_MOVABLE)
		alike_pages = movable_pages;
	else if (old_block_type == PGR_MIGRATE_MOVABLE)
		alike_pages =
			pageblock_nr_pages(z) - (free_pages + movable_pages);
	else
		alike_pages = 0;
	if (!free_pages)
		goto single_page;
	/* Claim the block if over half of it is free or alike. */
	if (free_pages + alike_pages >= (1ULL << (pageblock_order(z) - 1)))
		pgr__set_pageblock_migratetype(z, pfn, start_type);
	return;

single_page:
	move_to_free_list(z, id, current_order, start_type);
}

/*
 * Models __rmqueue_fallback(): steal the largest block of a fallback mt.
 * Out of line: it is the slow path, and inlined into rmqueue() it would
 * only crowd the registers of the callers.
 */
static __attribute__((noinline)) bool rmqueue_fallback(struct zone *z,
						       unsigned int order,
						       int start_mt,
						       unsigned int flags)
{
	unsigned int min_order = order;
	bool can_steal = false;
	int fmt = -1;
	int cur;

	/* Do not steal from other pageblocks below pageblock_order. */
	if (flags & PGR_ALLOC_NOFRAGMENT)
		min_order = pageblock_order(z);

	for (cur = (int)max_order(z) - 1; cur >= (int)min_order; cur--) {
		fmt = find_suitable_fallback(z, (unsigned int)cur, start_mt,
					     &can_steal);
		if (fmt == -1)
			continue;
		/*
		 * A MOVABLE request that cannot take the whole block steals
		 * the smallest one instead, to keep large blocks intact.
		 */
		if (!can_steal && start_mt == PGR_MIGRATE_MOVABLE &&
		    (unsigned int)cur > order)
			goto find_smallest;
		goto do_steal;
	}
	return false;

find_smallest:
	for (cur = (int)order; cur < (int)max_order(z); cur++) {
		fmt = find_suitable_fallback(z, (unsigned int)cur, start_mt,
					     &can_steal);
		if (fmt != -1)
			break;
	}
	PGR_BUG_ON(cur == (int)max_order(z));

do_steal:
	steal_suitable_fallback(
		z, z->pages[free_list_id(z, (unsigned int)cur, fmt)].next,
		start_mt, can_steal);
	return true;
}

/* Models __rmqueue() (no CMA); __always_inline as in the kernel. */
static inline __attribute__((always_inline)) uint32_t
rmqueue(struct zone *z, unsigned int order, int mt, unsigned int flags)
{
	uint32_t id;

retry:
	id = rmqueue_smallest(z, order, mt, false);
	if (unlikely(id == PGR_NO_PAGE) && mt != PGR_MIGRATE_HIGHATOMIC &&
	    !(flags & PGR_ALLOC_NO_FALLBACK) &&
	    rmqueue_fallback(z, order, mt, flags))
		goto retry;
	return id;
}

uint32_t pgr__rmqueue(struct zone *z, unsigned int order, int mt,
		      unsigned int flags)
{
	return rmqueue(z, order, mt, flags);
}

/* Inline, not a call: a call would cost the fast path its registers. */
static inline void clear_discarded(struct zone *z, uint32_t id,
				   unsigned int order)
{
	struct page *pages = z->pages;
	uint64_t n = 0;

	for (uint32_t i = 0; i < (1u << order); i++) {
		n += pages[id + i].flags & PG_discarded ? 1 : 0;
		pages[id + i].flags &= (uint8_t)~PG_discarded;
	}
	/* Memory the host dropped is touched again: a refault. */
	if (n) {
		z->nr_discarded_pages -= n;
		z->nr_refault_pages += n;
		z->nr_refault_events++;
	}
}

/* An allocated block's head: PG_alloc + order + the requested mt. */
static inline void mark_allocated(struct zone *z, uint32_t id,
				  unsigned int order, int mt)
{
	struct page *p = &z->pages[id];

	z->nr_allocated_pages += 1ULL << order;
	p->flags = (uint8_t)((p->flags & PG_discarded) | PG_alloc);
	p->order = (uint8_t)order;
	p->index = (uint16_t)mt;
	if (unlikely(z->node->rep_track_discard))
		clear_discarded(z, id, order);
}

void pgr__mark_allocated(struct zone *z, uint32_t id, unsigned int order,
			 int mt)
{
	mark_allocated(z, id, order, mt);
}

/*
 * Models __zone_watermark_ok() (5.4) reduced to what we model: no lowmem
 * reserve, no CMA, no ALLOC_HIGH/ALLOC_HARDER lowering of the mark.  An
 * ordinary request (not @alloc_harder) may not use the highatomic
 * reserve, so nr_reserved_highatomic is subtracted from the free pages.
 * For order > 0 a block of at least @order must exist on an
 * UNMOVABLE/MOVABLE/RECLAIMABLE list, or on the HIGHATOMIC list when
 * @alloc_harder (ALLOC_HARDER).
 */
bool pgr__zone_watermark_ok_flags(struct zone *z, unsigned int order,
				  uint64_t mark, bool alloc_harder)
{
	int64_t free_pages = (int64_t)z->nr_free_pages;

	free_pages -= (int64_t)(1ULL << order) - 1;
	if (likely(!alloc_harder))
		free_pages -= (int64_t)z->nr_reserved_highatomic;
	if (free_pages <= (int64_t)mark)
		return false;
	if (!order)
		return true;
	for (unsigned int o = order; o < max_order(z); o++) {
		if (!z->free_area[o].nr_free)
			continue;
		for (int mt = 0; mt < PGR_MIGRATE_HIGHATOMIC; mt++)
			if (!list_empty_id(z, free_list_id(z, o, mt)))
				return true;
		if (alloc_harder &&
		    !list_empty_id(z,
				   free_list_id(z, o, PGR_MIGRATE_HIGHATOMIC)))
			return true;
	}
	return false;
}

bool pgr__zone_watermark_ok(struct zone *z, unsigned int order, uint64_t mark)
{
	return pgr__zone_watermark_ok_flags(z, order, mark, false);
}

bool pgr_zone_watermark_ok(struct pgr_zone *zone, unsigned int order,
			   uint64_t mark)
{
	struct zone *z = to_zone(zone);
	bool ok;

	if (!z || order >= max_order(z))
		return false;
	zone_lock(z);
	ok = pgr__zone_watermark_ok(z, order, mark);
	zone_unlock(z);
	return ok;
}

/* Why a pgr_alloc_pages() call is invalid, checks in documented order. */
static __attribute__((noinline, cold)) int
alloc_pages_error(struct zone *z, unsigned int order, int mt,
		  unsigned int flags, const uint64_t *r_pfn)
{
	if (!z || !r_pfn)
		return pgr__error(EINVAL, "alloc_pages: NULL argument");
	if (order >= max_order(z))
		return pgr__error(EINVAL, "alloc_pages: order %u >= %u", order,
				  max_order(z));
	if ((unsigned int)mt > PGR_MIGRATE_HIGHATOMIC)
		return pgr__error(EINVAL, "alloc_pages: bad migratetype %d",
				  mt);
	PGR_BUG_ON(!(flags & ~PGR_ALLOC_FLAGS_ALL));
	return pgr__error(EINVAL, "alloc_pages: bad flags %#x", flags);
}

static int alloc_pages_locked_slow(struct zone *z, unsigned int order, int mt,
				   unsigned int flags, uint64_t *r_pfn);

/*
 * __alloc_pages() after the argument checks, zone lock held; drops it.
 * With @fast, whatever rmqueue_smallest(fast) leaves (an empty first list,
 * a PageReported head) hands the whole call to alloc_pages_locked_slow(),
 * which starts over on the unchanged lists: the fast path then has no
 * call but tail calls, so the compiler needs no callee-saved registers.
 */
static inline __attribute__((always_inline)) int
alloc_pages_locked(struct zone *z, unsigned int order, int mt,
		   unsigned int flags, uint64_t *r_pfn, bool fast)
{
	uint32_t id;

	if (flags & (PGR_ALLOC_WMARK_MIN | PGR_ALLOC_WMARK_LOW)) {
		uint64_t mark = z->watermark[PGR_WMARK_MIN];

		if ((flags & PGR_ALLOC_WMARK_LOW) &&
		    z->watermark[PGR_WMARK_LOW] > mark)
			mark = z->watermark[PGR_WMARK_LOW];
		if (!pgr__zone_watermark_ok_flags(
			    z, order, mark, mt == PGR_MIGRATE_HIGHATOMIC)) {
			zone_unlock(z);
			return pgr__error(ENOMEM,
					  "alloc_pages: order %u below the "
					  "watermark %llu",
					  order, (unsigned long long)mark);
		}
	}
	if (fast) {
		id = rmqueue_smallest(z, order, mt, true);
		if (unlikely(id == PGR_NO_PAGE))
			return alloc_pages_locked_slow(z, order, mt, flags,
						       r_pfn);
	} else {
		id = rmqueue(z, order, mt, flags);
	}
	if (unlikely(id == PGR_NO_PAGE)) {
		pgr__zone_unlock_checked(z);
		return pgr__error(ENOMEM,
				  "alloc_pages: no free block of order "
				  "%u for %s",
				  order, pgr_migratetype_name(mt));
	}
	z->nr_free_pages -= 1ULL << order;
	mark_allocated(z, id, order, mt);
	*r_pfn = id_pfn(z, id);
	pgr__zone_unlock_checked(z);
	return 0;
}

/*
 * Everything but the fast path: a contended lock or a watermark check.
 * Out of line so that the fast path keeps nothing live across a call.
 */
static __attribute__((noinline)) int
alloc_pages_locked_slow(struct zone *z, unsigned int order, int mt,
			unsigned int flags, uint64_t *r_pfn)
{
	return alloc_pages_locked(z, order, mt, flags, r_pfn, false);
}

static __attribute__((noinline)) int
alloc_pages_slow(struct zone *z, unsigned int order, int mt, unsigned int flags,
		 uint64_t *r_pfn)
{
	zone_lock(z);
	return alloc_pages_locked_slow(z, order, mt, flags, r_pfn);
}

/*
 * The fast path, zone lock held and no watermark flags (those go to
 * alloc_pages_slow(); masking them here lets the compiler drop that
 * branch).  Out of line, so that its registers are allocated for it
 * alone and its callers are left with tail calls only.
 */
#define ALLOC_WMARK_FLAGS (PGR_ALLOC_WMARK_MIN | PGR_ALLOC_WMARK_LOW)

static __attribute__((noinline)) int
alloc_pages_fast(struct zone *z, unsigned int order, int mt, unsigned int flags,
		 uint64_t *r_pfn)
{
	return alloc_pages_locked(z, order, mt, flags & ~ALLOC_WMARK_FLAGS,
				  r_pfn, true);
}

/*
 * Every call but the order-0 fast path: the checks in documented order;
 * with per-CPU lists on, every call (pcp.c), on behalf of @cpu (valid).
 */
static __attribute__((noinline)) int
alloc_pages_checked(struct zone *z, unsigned int cpu, unsigned int order,
		    int mt, unsigned int flags, uint64_t *r_pfn)
{
	/* One branch on the fast path; alloc_pages_error() says which. */
	if (unlikely(!z || !r_pfn || order >= max_order(z) ||
		     (unsigned int)mt > PGR_MIGRATE_HIGHATOMIC ||
		     (flags & ~PGR_ALLOC_FLAGS_ALL)))
		return alloc_pages_error(z, order, mt, flags, r_pfn);
	if (unlikely(z->pcp))
		return pgr__pcp_alloc(z, cpu, order, mt, flags, r_pfn);
	if (unlikely(flags & ALLOC_WMARK_FLAGS) || unlikely(!zone_trylock(z)))
		return alloc_pages_slow(z, order, mt, flags, r_pfn);
	return alloc_pages_fast(z, order, mt, flags, r_pfn);
}

/*
 * The order-0 fast path (the kernel's likely(order == 0) in rmqueue()),
 * zone lock held; drops it.  It does what rmqueue_smallest() +
 * del_page_from_free_list() + mark_allocated() do for the head of the
 * order-0 list when that needs no reporting hook, reading the head's
 * state with one load and writing it with one store.  An empty list or
 * a PageReported head goes to alloc_pages_locked_slow() before anything
 * has changed.  Nothing is live across a call: the compiler needs no
 * callee-saved register.
 */
static inline __attribute__((always_inline)) int
alloc_order0_locked(struct zone *z, int mt, unsigned int flags, uint64_t *r_pfn)
{
	struct page *pages = z->pages;
	/* free_list_id(z, 0, mt), 64-bit: no zero-extension for addresses */
	const uint64_t head = (uint64_t)z->nr_pages + (unsigned int)mt;
	uint64_t id = pages[head].next;
	uint32_t info, next, prev;
	struct page *p;

	if (unlikely(id == head))
		return alloc_pages_locked_slow(z, 0, mt, flags, r_pfn);
	p = &pages[id];
	info = p->info;
	if (unlikely(info & PAGE_INFO(PG_reported, 0, 0)))
		return alloc_pages_locked_slow(z, 0, mt, flags, r_pfn);
	PGR_ASSERT_INTERNAL(
		(info & PAGE_INFO(PG_HEAD_MASK | PG_MT_MASK, 0xff, 0)) ==
		PAGE_INFO(PG_buddy | (unsigned int)mt << PG_MT_SHIFT, 0, 0));
	/* clear_discarded() of the one page, when the engine tracks it */
	if (unlikely(z->node->rep_track_discard) &&
	    (info & PAGE_INFO(PG_discarded, 0, 0))) {
		info &= ~PAGE_INFO(PG_discarded, 0, 0);
		z->nr_discarded_pages--;
		z->nr_refault_pages++;
		z->nr_refault_events++;
	}
	p->info = (info & PAGE_INFO(PG_discarded, 0, 0)) |
		  PAGE_INFO(PG_alloc, 0, mt);
	next = p->next;
	prev = p->prev;
	pages[next].prev = prev;
	pages[prev].next = next;
	p->next = 0;
	p->prev = 0;
	z->free_area[0].nr_free--;
	z->nr_free_pages--;
	z->nr_allocated_pages++;
	*r_pfn = z->start_pfn + id;
	pgr__zone_unlock_checked(z);
	return 0;
}

/* The flags an order-0 allocation that finds its list non-empty ignores. */
#define ALLOC_ORDER0_FAST_FLAGS (PGR_ALLOC_NOFRAGMENT | PGR_ALLOC_NO_FALLBACK)

int pgr_alloc_pages(struct pgr_zone *zone, unsigned int order,
		    enum pgr_migratetype mt, unsigned int flags,
		    uint64_t *r_pfn)
{
	struct zone *z = to_zone(zone);

	/*
	 * Order 0 is below every max_order (>= 2, validate_config()), so
	 * its checks are the pointers, the migratetype and the flags; the
	 * watermark flags take the full path.  Anything else is sorted out
	 * by alloc_pages_checked(), so is every call with per-CPU lists
	 * (z->alloc0_slow is nonzero then).
	 */
	if (likely(z && !(order | z->alloc0_slow) && r_pfn &&
		   (unsigned int)mt <= PGR_MIGRATE_HIGHATOMIC &&
		   !(flags & ~ALLOC_ORDER0_FAST_FLAGS)) &&
	    zone_trylock(z))
		return alloc_order0_locked(z, (int)mt, flags, r_pfn);
	return alloc_pages_checked(z, 0, order, (int)mt, flags, r_pfn);
}

int pgr_alloc_pages_cpu(struct pgr_zone *zone, unsigned int cpu,
			unsigned int order, enum pgr_migratetype mt,
			unsigned int flags, uint64_t *r_pfn)
{
	struct zone *z = to_zone(zone);

	if (z && cpu >= z->node->nr_cpus)
		return pgr__error(EINVAL, "alloc_pages: cpu %u >= nr_cpus %u",
				  cpu, z->node->nr_cpus);
	return alloc_pages_checked(z, cpu, order, (int)mt, flags, r_pfn);
}

/*
 * Why a pgr_free_pages() call is invalid, with the checks in their
 * documented order (NULL, order, range, alignment, not an allocated head).
 * Only called once the fast path has seen that something is wrong, so it
 * always returns an error; the checks before the last need no lock.
 */
static __attribute__((noinline, cold)) int
free_pages_error(struct zone *z, uint64_t pfn, unsigned int order)
{
	if (!z)
		return pgr__error(EINVAL, "free_pages: NULL zone");
	if (order >= max_order(z))
		return pgr__error(EINVAL, "free_pages: order %u >= %u", order,
				  max_order(z));
	if (!zone_spans_pfn(z, pfn))
		return pgr__error(ERANGE, "free_pages: pfn %#llx outside %s",
				  (unsigned long long)pfn, z->name);
	if (pfn & ((1ULL << order) - 1))
		return pgr__error(EINVAL,
				  "free_pages: pfn %#llx not aligned to "
				  "order %u",
				  (unsigned long long)pfn, order);
	return pgr__error(EINVAL,
			  "free_pages: pfn %#llx is not an allocated "
			  "block of order %u",
			  (unsigned long long)pfn, order);
}

static int free_pages_full(struct zone *z, uint64_t pfn, unsigned int order);

/*
 * __free_pages() after the argument checks, zone lock held; drops it;
 * @fast is a constant.  Validation is complete but one look at the head
 * page decides it:
 * every PG_alloc head is aligned to its order and its order is below
 * max_order, so "PG_alloc with this order" implies both.  Any failure
 * is sorted out by free_pages_error().
 */
static inline __attribute__((always_inline)) int
free_pages_locked(struct zone *z, uint64_t pfn, unsigned int order, bool fast,
		  unsigned int cpu)
{
	uint32_t id = pfn_id(z, pfn);
	struct page *p = &z->pages[id];

	/* PG_alloc alone: a pcp head has PG_isolated too (PG_pcp) */
	if (unlikely((p->flags & PG_pcp) != PG_alloc || p->order != order)) {
		zone_unlock(z);
		return free_pages_error(z, pfn, order);
	}
	PGR_BUG_ON(order >= max_order(z) || (pfn & ((1ULL << order) - 1)));
	/* free_the_page(): a pcp order goes to free_unref_page() */
	if (unlikely(z->pcp) && pgr__pcp_allowed_order(z, order)) {
		pgr__pcp_free_locked(z, cpu, id, order);
		pgr__zone_unlock_checked(z);
		return 0;
	}
	/*
	 * @fast: a block that merges is freed by free_pages_full(), so that
	 * the fast path has no call to free_one_page_merge() to keep
	 * registers across.  Nothing has been changed yet.
	 */
	if (fast && unlikely(free_merges(z, pfn, order)))
		return free_pages_full(z, pfn, order);
	p->flags &= (uint8_t)~PG_alloc;
	p->order = 0;
	p->index = 0;
	z->nr_allocated_pages -= 1ULL << order;
	free_one_page(z, id, order, get_pfnblock_migratetype(z, pfn), FPI_NONE,
		      NULL, fast);
	pgr__zone_unlock_checked(z);
	return 0;
}

/*
 * A free that merges, is placed at the tail or notifies reporting: the
 * path without @fast, lock held.
 */
static __attribute__((noinline)) int
free_pages_full(struct zone *z, uint64_t pfn, unsigned int order)
{
	return free_pages_locked(z, pfn, order, false, 0);
}

/*
 * The zone lock is contended: wait for it, then do the same work.  Out
 * of line so that nothing on the fast path has to live across a call.
 */
static __attribute__((noinline, cold)) int
free_pages_contended(struct zone *z, uint64_t pfn, unsigned int order)
{
	pgr__zone_lock_slow(z);
	return free_pages_locked(z, pfn, order, false, 0);
}

static __attribute__((noinline)) int
free_pages_fast(struct zone *z, uint64_t pfn, unsigned int order)
{
	return free_pages_locked(z, pfn, order, true, 0);
}

/*
 * The order-0 fast path (the kernel's free_unref_page() next to
 * __free_pages_ok()), @pfn in the zone, zone lock held; drops it.  It does
 * what free_pages_locked() + free_one_page() + add_to_free_list() do for
 * an order-0 page whose buddy is busy, placed at the head, with no
 * reporting notification: the validation and every decision come first,
 * from one load of the head's state, and whatever is not this case goes
 * to free_pages_full() (or free_pages_error()) before anything changed.
 */
static inline __attribute__((always_inline)) int
free_order0_locked(struct zone *z, uint64_t pfn, uint64_t start_pfn,
		   uint64_t nr_pages)
{
	struct page *pages = z->pages;
	const struct pgr_node *node = z->node;
	/* 64-bit ids and counts: no zero-extension on the way to addresses */
	const uint64_t id = pfn - start_pfn;
	struct page *p = &pages[id];
	const uint32_t info = p->info;
	struct page *h;
	uint64_t head, mt;
	uint32_t next;

	/* PG_alloc with order 0: an allocated head, aligned to its order. */
	if (unlikely((info & PAGE_INFO(PG_pcp, 0xff, 0)) !=
		     PAGE_INFO(PG_alloc, 0, 0))) {
		zone_unlock(z);
		return free_pages_error(z, pfn, 0);
	}
	/*
	 * free_merges(): order 0 is below pageblock_order (>= 1,
	 * validate_config()), so only a free buddy merges.  Then
	 * place_free_block(): buddy_merge_likely() (tail placement) and
	 * the reporting notification at order 0 (reporting order 0).
	 *
	 * The two page_is_buddy() probes without their range checks: in a
	 * zone whose start is 4-page aligned, the buddy is id ^ 1 and the
	 * higher buddy (id & ~1) ^ 2, both at most id | 3 <= nr_pages + 2:
	 * past the pages they hit the list heads (at least 8), and a list
	 * head is never PG_buddy (its state word is zero, which the walker
	 * checks).  pgr_free_pages() sends other zones to free_pages_fast().
	 * With max_order 2, buddy_merge_likely() is false at order 0 without
	 * a look: a free higher buddy then only sends us to the full path,
	 * which decides the same placement, so that test is left out here.
	 */
	PGR_ASSERT_INTERNAL(!(start_pfn & 3));
	if (unlikely((pages[id ^ 1].info & PAGE_INFO(PG_buddy, 0xff, 0)) ==
		     PAGE_INFO(PG_buddy, 0, 0)) ||
	    unlikely((pages[(id & ~1ULL) ^ 2].info &
		      PAGE_INFO(PG_buddy, 0xff, 0)) ==
		     PAGE_INFO(PG_buddy, 1, 0)) ||
	    unlikely(atomic_load_explicit(&node->rep_notify,
					  memory_order_relaxed) &&
		     node->rep_order == 0))
		return free_pages_full(z, pfn, 0);
	/* get_pfnblock_migratetype() */
	mt = z->pageblock_mt[(pfn - z->pb_base_pfn) >> node->pageblock_order];
	head = nr_pages + mt; /* free_list_id(z, 0, mt) */
	h = &pages[head];
	z->nr_allocated_pages--;
	if (!is_migrate_isolate((int)mt))
		z->nr_free_pages++;
	z->free_area[0].nr_free++;
	/* set_buddy_order(): PG_alloc becomes PG_buddy on list @mt */
	p->info = (info & PAGE_INFO(~(PG_alloc | PG_MT_MASK), 0, 0)) |
		  PAGE_INFO(PG_buddy | mt << PG_MT_SHIFT, 0, 0);
	/*
	 * pages_list_add() at the head, through the two pointers we have;
	 * the stores to p->prev and p->next are kept apart, else GCC glues
	 * them into one 64-bit store through SSE registers, which costs
	 * more instructions than it saves.
	 */
	p->prev = (uint32_t)head;
	next = h->next;
	pages[next].prev = (uint32_t)id;
	p->next = next;
	h->next = (uint32_t)id;
	pgr__zone_unlock_checked(z);
	return 0;
}

int pgr_free_pages(struct pgr_zone *zone, uint64_t pfn, unsigned int order)
{
	struct zone *z = to_zone(zone);
	uint64_t start_pfn, nr_pages;

	/*
	 * Only the range must be known before the head page is read.  The
	 * span never changes after pgr_node_create(): read once, outside
	 * the lock, it need not be reloaded after the lock's acquire.
	 */
	if (unlikely(!z))
		return free_pages_error(z, pfn, order);
	start_pfn = z->start_pfn;
	nr_pages = z->nr_pages;
	if (unlikely(pfn - start_pfn >= nr_pages))
		return free_pages_error(z, pfn, order);
	if (unlikely(!zone_trylock(z)))
		return free_pages_contended(z, pfn, order);
	/*
	 * free_order0_locked() needs a 4-page aligned zone start and no
	 * per-CPU lists: z->free0_slow is nonzero otherwise.
	 */
	if (likely(!(order | z->free0_slow)))
		return free_order0_locked(z, pfn, start_pfn, nr_pages);
	return free_pages_fast(z, pfn, order);
}

/* pgr_free_pages() for a CPU other than 0: no fast path. */
static __attribute__((noinline)) int free_pages_cpu(struct zone *z,
						    uint64_t pfn,
						    unsigned int order,
						    unsigned int cpu)
{
	zone_lock(z);
	return free_pages_locked(z, pfn, order, false, cpu);
}

int pgr_free_pages_cpu(struct pgr_zone *zone, unsigned int cpu, uint64_t pfn,
		       unsigned int order)
{
	struct zone *z = to_zone(zone);

	if (z && cpu >= z->node->nr_cpus)
		return pgr__error(EINVAL, "free_pages: cpu %u >= nr_cpus %u",
				  cpu, z->node->nr_cpus);
	if (!cpu)
		return pgr_free_pages(zone, pfn, order);
	if (unlikely(!z || pfn - z->start_pfn >= z->nr_pages))
		return free_pages_error(z, pfn, order);
	return free_pages_cpu(z, pfn, order, cpu);
}

/*
 * The head of the block (free, allocated or isolated) containing @pfn,
 * or PGR_NO_PAGE.  Blocks are naturally aligned, so the head is pfn
 * rounded down to some order whose head covers @pfn.
 */
uint32_t pgr__block_head(struct zone *z, uint64_t pfn)
{
	for (unsigned int o = 0; o < max_order(z); o++) {
		uint64_t h = pfn & ~((1ULL << o) - 1);
		const struct page *p;

		if (!zone_spans_pfn(z, h))
			break;
		p = &z->pages[pfn_id(z, h)];
		if ((p->flags & PG_HEAD_MASK) && p->order >= o)
			return pfn_id(z, h);
	}
	return PGR_NO_PAGE;
}

int pgr_take_block(struct pgr_zone *zone, uint64_t pfn, unsigned int order)
{
	struct zone *z = to_zone(zone);
	unsigned int o;
	uint32_t head, cur;
	int mt;

	if (!z)
		return pgr__error(EINVAL, "take_block: NULL zone");
	if (order >= max_order(z))
		return pgr__error(EINVAL, "take_block: order %u >= %u", order,
				  max_order(z));
	if (!zone_spans_pfn(z, pfn) ||
	    !zone_spans_pfn(z, pfn + (1ULL << order) - 1))
		return pgr__error(
			ERANGE, "take_block: [%#llx, +%llu) outside %s",
			(unsigned long long)pfn, 1ULL << order, z->name);
	if (pfn & ((1ULL << order) - 1))
		return pgr__error(EINVAL, "take_block: pfn %#llx unaligned",
				  (unsigned long long)pfn);

	zone_lock(z);
	head = pgr__block_head(z, pfn);
	if (head == PGR_NO_PAGE || !(z->pages[head].flags & PG_buddy) ||
	    z->pages[head].order < order) {
		zone_unlock(z);
		return pgr__error(EBUSY,
				  "take_block: [%#llx, +%llu) is not inside "
				  "one free block",
				  (unsigned long long)pfn, 1ULL << order);
	}
	o = z->pages[head].order;
	mt = buddy_list_mt(&z->pages[head]);
	del_page_from_free_list(z, head, o);
	if (!is_migrate_isolate(mt))
		z->nr_free_pages -= 1ULL << order;
	/* Split around the target like expand(): pieces at the head. */
	cur = head;
	while (o > order) {
		o--;
		if (pfn_id(z, pfn) >= cur + (1u << o)) {
			add_to_free_list(z, cur, o, mt);
			cur += 1u << o;
		} else {
			add_to_free_list(z, cur + (1u << o), o, mt);
		}
	}
	mark_allocated(z, cur, order,
		       is_migrate_isolate(mt) ? PGR_MIGRATE_MOVABLE : mt);
	pgr__zone_unlock_checked(z);
	return 0;
}

/* Models __isolate_free_page() (5.4, ALGORITHM.md §1.5). */
bool pgr__isolate_free_page(struct zone *z, uint32_t id, unsigned int order,
			    uint16_t owner)
{
	uint64_t pfn = id_pfn(z, id);
	int mt = get_pfnblock_migratetype(z, pfn);
	struct page *p = &z->pages[id];

	if (!is_migrate_isolate(mt)) {
		/* Obey the min watermark as if allocating the page. */
		uint64_t mark = z->watermark[PGR_WMARK_MIN] + (1ULL << order);

		if (!pgr__zone_watermark_ok(z, 0, mark))
			return false;
		z->nr_free_pages -= 1ULL << order;
	}
	del_page_from_free_list(z, id, order);

	/* At least half a pageblock: the pageblock becomes MOVABLE. */
	if (order + 1 >= pageblock_order(z)) {
		uint64_t end = pfn + (1ULL << order) - 1;

		for (uint64_t b = pfn; b < end; b += pageblock_nr_pages(z)) {
			int bmt = get_pfnblock_migratetype(z, b);

			if (!is_migrate_isolate(bmt) &&
			    bmt != PGR_MIGRATE_HIGHATOMIC)
				pgr__set_pageblock_migratetype(
					z, b, PGR_MIGRATE_MOVABLE);
		}
	}
	p->flags = (uint8_t)((p->flags & PG_discarded) | PG_isolated);
	p->order = (uint8_t)order;
	p->index = owner;
	z->nr_isolated_pages += 1ULL << order;
	return true;
}

/*
 * Models __putback_isolated_page(): back at the current pageblock mt; at
 * the tail from 5.10 (FPI_TO_TAIL, node->fpi_to_tail).
 */
uint32_t pgr__putback_isolated_page(struct zone *z, uint32_t id,
				    unsigned int order, unsigned int fpi,
				    unsigned int *r_order)
{
	struct page *p = &z->pages[id];
	int mt = get_pfnblock_migratetype(z, id_pfn(z, id));

	p->flags &= (uint8_t)~PG_isolated;
	p->order = 0;
	p->index = 0;
	z->nr_isolated_pages -= 1ULL << order;
	if (z->node->fpi_to_tail)
		fpi |= FPI_TO_TAIL;
	return pgr__free_one_page(z, id, order, mt,
				  FPI_SKIP_REPORT_NOTIFY | fpi, r_order);
}

static int check_block_args(struct zone *z, const char *fn, uint64_t pfn,
			    unsigned int order)
{
	if (!z)
		return pgr__error(EINVAL, "%s: NULL zone", fn);
	if (order >= max_order(z))
		return pgr__error(EINVAL, "%s: order %u >= %u", fn, order,
				  max_order(z));
	if (!zone_spans_pfn(z, pfn))
		return pgr__error(ERANGE, "%s: pfn %#llx outside %s", fn,
				  (unsigned long long)pfn, z->name);
	if (pfn & ((1ULL << order) - 1))
		return pgr__error(EINVAL, "%s: pfn %#llx unaligned", fn,
				  (unsigned long long)pfn);
	return 0;
}

int pgr_isolate_free_page(struct pgr_zone *zone, uint64_t pfn,
			  unsigned int order)
{
	struct zone *z = to_zone(zone);
	const struct page *p;
	int err = check_block_args(z, "isolate_free_page", pfn, order);

	if (err)
		return err;
	zone_lock(z);
	p = &z->pages[pfn_id(z, pfn)];
	if (!(p->flags & PG_buddy) || p->order != order) {
		zone_unlock(z);
		return pgr__error(ENOENT,
				  "isolate_free_page: pfn %#llx is not a free "
				  "block of order %u",
				  (unsigned long long)pfn, order);
	}
	if (!pgr__isolate_free_page(z, pfn_id(z, pfn), order,
				    ISOLATED_BY_CALLER)) {
		zone_unlock(z);
		return pgr__error(ENOSPC,
				  "isolate_free_page: min watermark check "
				  "failed for order %u",
				  order);
	}
	pgr__zone_unlock_checked(z);
	return 0;
}

int pgr_putback_isolated_page(struct pgr_zone *zone, uint64_t pfn,
			      unsigned int order)
{
	struct zone *z = to_zone(zone);
	const struct page *p;
	int err = check_block_args(z, "putback_isolated_page", pfn, order);

	if (err)
		return err;
	zone_lock(z);
	p = &z->pages[pfn_id(z, pfn)];
	if ((p->flags & PG_pcp) != PG_isolated || p->order != order) {
		zone_unlock(z);
		return pgr__error(EINVAL,
				  "putback_isolated_page: pfn %#llx is not an "
				  "isolated block of order %u",
				  (unsigned long long)pfn, order);
	}
	/* The engine's drain returns its own batch; never a caller. */
	if (p->index != ISOLATED_BY_CALLER) {
		zone_unlock(z);
		return pgr__error(EBUSY,
				  "putback_isolated_page: pfn %#llx is held by "
				  "the reporting engine",
				  (unsigned long long)pfn);
	}
	pgr__putback_isolated_page(z, pfn_id(z, pfn), order, FPI_NONE, NULL);
	pgr__zone_unlock_checked(z);
	return 0;
}
