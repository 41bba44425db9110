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
#include "pcp.h"

/*
 * Keep a function's signature as written: GCC would otherwise clone a
 * function that every caller passes the same constant to and drop that
 * parameter, which moves the others to other registers in its callers.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define PGR_NOCLONE __attribute__((noclone))
#else
#define PGR_NOCLONE
#endif

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

/*
 * list_del() of the entry whose links (next, prev) are @links, read as
 * one 64-bit word.
 */
static inline void unlink_links(struct page *pages, uint64_t links)
{
	const uint32_t next = (uint32_t)links, prev = (uint32_t)(links >> 32);

	_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ||
			       __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__,
		       "byte order");
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	pages[next].prev = prev;
	pages[prev].next = next;
#else
	pages[prev].prev = next;
	pages[next].next = prev;
#endif
}

/*
 * The merge loop of __free_one_page() below order @end, in a zone whose
 * start and size are multiples of a MAX_ORDER-1 block (the usual case):
 * every buddy is inside the zone and its id is id ^ 2^order.  It handles
 * the levels whose buddy is a head with nothing but PG_buddy, the order
 * and the list's type @mt in its state word (not reported, no v11 index,
 * not discarded): del_page_from_free_list() is then an unlink and a
 * cleared word, and when the buddy is alone on its list (both links point
 * at the list head, as an earlier split left it) the unlink is "the list
 * is empty".  Each level steps the previous level's values.  It stops at
 * the first other level, for merge_checked() to look at.  Returns the
 * order reached, *r_pfn the merged block's first pfn.
 */
static inline unsigned int merge_aligned(struct zone *z, uint64_t *r_pfn,
					 unsigned int order, unsigned int end,
					 int mt)
{
	struct page *const pages = z->pages;
	const uint32_t head = free_list_id(z, order, mt);
	uint64_t id = *r_pfn - z->start_pfn, bit = 1ULL << order;
	struct page *h = &pages[head];
	uint64_t h_links = PAGE_LINKS(head);
	uint64_t *nr_free = &z->free_area[order].nr_free;
	const uint32_t mt_info =
		PAGE_INFO(PG_buddy | (unsigned int)mt << PG_MT_SHIFT, 0, 0);
	uint32_t want = mt_info | PAGE_INFO(0, order, 0);
	const uint32_t want_end = mt_info | PAGE_INFO(0, end, 0);

	PGR_ASSERT_INTERNAL(!z->merge_unaligned);
	while (want != want_end) {
		const uint64_t bid = id ^ bit;
		struct page *const b = &pages[bid];
		uint64_t links;

		if (b->info != want)
			break;
		memcpy(&links, &b->next, sizeof(links));
		if (likely(links == h_links))
			page_set_links(h, h_links);
		else
			unlink_links(pages, links);
		page_set_links(b, 0);
		b->info = 0;
		(*nr_free)--;
		id &= bid;
		bit <<= 1;
		want += PAGE_INFO(0, 1, 0);
		h += PGR_MIGRATE_TYPES;
		h_links += PAGE_LINKS(PGR_MIGRATE_TYPES);
		nr_free++;
	}
	*r_pfn = z->start_pfn + id;
	return (want >> PAGE_INFO_ORDER_SHIFT) & 0xff;
}

/*
 * The merge loop of __free_one_page() below order @end, any zone, any
 * buddy: while the buddy is a free head of the same order, take it off
 * its list and go one order up.  A buddy that is not PageReported is
 * unlinked inline, a reported one through del_page_from_free_list() (the
 * reporting hook).  Returns the order reached, *r_pfn the merged block's
 * first pfn.
 */
static unsigned int merge_checked(struct zone *z, uint64_t *r_pfn,
				  unsigned int order, unsigned int end)
{
	const uint64_t start = z->start_pfn, nr_pages = z->nr_pages;
	uint64_t pfn = *r_pfn, bit = 1ULL << order;
	uint32_t want = PAGE_INFO(PG_buddy, order, 0);
	const uint32_t want_end = PAGE_INFO(PG_buddy, end, 0);

	while (want != want_end) {
		struct page *const pages = z->pages;
		uint64_t *nr_free = &z->free_area[order].nr_free;
		uint64_t bpfn, bid;
		struct page *b;
		uint32_t info;

		/* The levels whose buddy is free and not reported. */
		for (;;) {
			uint32_t next, prev;

			bpfn = pfn ^ bit;
			bid = bpfn - start;
			/* page_is_buddy(); below the zone, bid wraps around */
			if (bid >= nr_pages)
				goto out;
			b = &pages[bid];
			info = b->info;
			if ((info & PAGE_INFO(PG_buddy | PG_reported, 0xff,
					      0)) != want)
				break;
			next = b->next;
			prev = b->prev;
			pages[next].prev = prev;
			pages[prev].next = next;
			page_set_links(b, 0);
			/* PG_buddy, the list's mt, order and index cleared */
			b->info = info &
				  PAGE_INFO(~(PG_buddy | PG_MT_MASK), 0, 0);
			(*nr_free)--;
			nr_free++;
			pfn &= bpfn;
			bit <<= 1;
			want += PAGE_INFO(0, 1, 0);
			if (want == want_end)
				goto out;
		}
		order = (want >> PAGE_INFO_ORDER_SHIFT) & 0xff;
		if ((info & PAGE_INFO(PG_buddy, 0xff, 0)) != want)
			goto out;
		/* a PageReported buddy: the reporting hook sees it go */
		del_page_from_free_list(z, (uint32_t)bid, order);
		pfn &= bpfn;
		bit <<= 1;
		want += PAGE_INFO(0, 1, 0);
		order++;
	}
out:
	*r_pfn = pfn;
	return (want >> PAGE_INFO_ORDER_SHIFT) & 0xff;
}

/*
 * An empty asm that "changes" @v: the compiler must use the value as
 * computed.  Without it, GCC turns a running sum (one add per level of an
 * unrolled loop) back into base + constant, which for a 64-bit constant
 * is two instructions (movabs, add) instead of one.
 */
#define KEEP_RUNNING(v) __asm__("" : "+r"(v))

/* One level of merge_aligned0(), @k a constant. */
#define MERGE_LEVEL(k)                                                       \
	do {                                                                 \
		const uint64_t bid = id ^ (1ULL << (k));                     \
		struct page *const b = &pages[bid];                          \
		uint64_t links;                                              \
                                                                             \
		if ((k) == end || b->info != want0 + PAGE_INFO(0, (k), 0)) { \
			order = (k);                                         \
			goto out;                                            \
		}                                                            \
		memcpy(&links, &b->next, sizeof(links));                     \
		if (likely(links == h_links))                                \
			page_set_links(&h0[(k)*PGR_MIGRATE_TYPES], h_links); \
		else                                                         \
			unlink_links(pages, links);                          \
		page_set_links(b, 0);                                        \
		b->info = 0;                                                 \
		z->free_area[k].nr_free--;                                   \
		id &= bid;                                                   \
		h_links += step;                                             \
		KEEP_RUNNING(h_links);                                       \
	} while (0)

/*
 * merge_aligned() from order 0, unrolled: each level's offsets and values
 * are constants.  Same conditions, same result.
 */
static inline __attribute__((always_inline)) unsigned int
merge_aligned0(struct zone *z, uint64_t *r_id, unsigned int end, int mt)
{
	struct page *const pages = z->pages;
	const uint32_t head0 = free_list_id(z, 0, mt);
	struct page *const h0 = &pages[head0];
	uint64_t h_links = PAGE_LINKS(head0);
	uint64_t step = PAGE_LINKS(PGR_MIGRATE_TYPES);
	const uint32_t want0 =
		PAGE_INFO(PG_buddy | (unsigned int)mt << PG_MT_SHIFT, 0, 0);
	uint64_t id = *r_id;
	unsigned int order;

	_Static_assert(PGR_MAX_ORDER_LIMIT == 16, "one level per order");
	KEEP_RUNNING(step);
	PGR_ASSERT_INTERNAL(!z->merge_unaligned && end < PGR_MAX_ORDER_LIMIT);
	MERGE_LEVEL(0);
	MERGE_LEVEL(1);
	MERGE_LEVEL(2);
	MERGE_LEVEL(3);
	MERGE_LEVEL(4);
	MERGE_LEVEL(5);
	MERGE_LEVEL(6);
	MERGE_LEVEL(7);
	MERGE_LEVEL(8);
	MERGE_LEVEL(9);
	MERGE_LEVEL(10);
	MERGE_LEVEL(11);
	MERGE_LEVEL(12);
	MERGE_LEVEL(13);
	MERGE_LEVEL(14);
	order = 15;
out:
	*r_id = id;
	return order;
}
#undef MERGE_LEVEL

/* The merge loop of __free_one_page() for a block of @mt below @end. */
static inline __attribute__((always_inline)) unsigned int
merge_below(struct zone *z, uint64_t *r_pfn, unsigned int order,
	    unsigned int end, int mt)
{
	if (order >= end)
		return order;
	if (likely(!z->merge_unaligned)) {
		if (!order) {
			uint64_t id = *r_pfn - z->start_pfn;

			/*
			 * From order 0 to the default MAX_ORDER's top, @end
			 * is a constant and each level of the unrolled loop
			 * has no test of its own for it.
			 */
			if (likely(end == PGR_MAX_ORDER_DEFAULT - 1))
				order = merge_aligned0(
					z, &id, PGR_MAX_ORDER_DEFAULT - 1, mt);
			else
				order = merge_aligned0(z, &id, end, mt);
			*r_pfn = z->start_pfn + id;
		} else {
			order = merge_aligned(z, r_pfn, order, end, mt);
		}
		if (order >= end)
			return order;
	}
	return merge_checked(z, r_pfn, order, end);
}

/*
 * Models __free_one_page() (5.4/5.7 form, ALGORITHM.md §1.3) from the
 * merge loop on; inline into its two callers, so that the order-0 free
 * that merges (free_order0_merging) has @fpi and @r_order as constants.
 */
static inline __attribute__((always_inline)) uint32_t
free_one_page_merge_body(struct zone *z, uint64_t pfn, unsigned int order,
			 int mt, unsigned int fpi, unsigned int *r_order)
{
	const unsigned int mo = z->node->max_order;
	unsigned int cap = z->node->pageblock_order + 1;

	/*
	 * The loop below stops at pageblock_order only to look at isolated
	 * pageblocks: with none in the zone it runs to max_order - 1.
	 */
	if (likely(!has_isolate_pageblock(z))) {
		order = merge_below(z, &pfn, order, mo - 1, mt);
		goto done_merging;
	}
	if (cap > mo)
		cap = mo;
continue_merging:
	order = merge_below(z, &pfn, order, cap - 1, mt);
	if (order < cap - 1)
		goto done_merging;
	if (cap < mo) {
		/*
		 * order >= pageblock_order here: never merge free pages of an
		 * isolated pageblock with a normal one (freepage counting).
		 */
		uint64_t buddy_pfn = pfn ^ (1ULL << order);

		if (zone_spans_pfn(z, buddy_pfn)) {
			int bmt = get_pfnblock_migratetype(z, buddy_pfn);

			if (mt != bmt &&
			    (is_migrate_isolate(mt) || is_migrate_isolate(bmt)))
				goto done_merging;
		}
		cap++;
		goto continue_merging;
	}
done_merging:
	return place_free_block(z, pfn, order, mt, fpi, r_order, true);
}

static __attribute__((noinline)) uint32_t
free_one_page_merge(struct zone *z, uint64_t pfn, unsigned int order, int mt,
		    unsigned int fpi, unsigned int *r_order)
{
	return free_one_page_merge_body(z, pfn, order, mt, fpi, r_order);
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

/*
 * expand(): the upper halves go to the head of the lower-order lists.
 * __rmqueue_smallest() only splits a block of order @high when the lists
 * of @mt at orders low..high-1 are empty, so each half is the only entry
 * of its list: add_to_free_list() into an empty list, without reading the
 * list head, and with both links of each side in one store.
 */
static inline __attribute__((always_inline)) void
expand_levels(struct zone *z, uint32_t id, unsigned int low, unsigned int high,
	      int mt, bool tails_zero)
{
	/*
	 * Everything a level needs, stepped down from the level above
	 * instead of computed: the list head (5 ids lower), both links
	 * pointing at it, the upper half's offset and links (halved), the
	 * state word (one order lower), the counter (one slot lower).
	 */
	const uint32_t head = free_list_id(z, high, mt);
	struct page *const p0 = &z->pages[id];
	struct page *h = &z->pages[head];
	uint64_t *nr_free = &z->free_area[high].nr_free;
	uint64_t h_links = PAGE_LINKS(head);
	const uint64_t id_links = PAGE_LINKS(id);
	uint64_t half_links = PAGE_LINKS(1u << high);
	size_t half_bytes = sizeof(struct page) << high;
	/* set_buddy_order(): PG_buddy on list @mt, the order below */
	uint32_t set =
		PAGE_INFO(PG_buddy | (unsigned int)mt << PG_MT_SHIFT, high, 0);

	for (unsigned int n = high - low; n; n--) {
		struct page *p;

		half_bytes >>= 1;
		half_links >>= 1;
		h -= PGR_MIGRATE_TYPES;
		h_links -= PAGE_LINKS(PGR_MIGRATE_TYPES);
		set -= PAGE_INFO(0, 1, 0);
		nr_free--;
		p = (struct page *)((char *)p0 + half_bytes);
		PGR_ASSERT_INTERNAL(h->next == h_links >> 32);
		(*nr_free)++;
		if (tails_zero) {
			PGR_ASSERT_INTERNAL(p->info == 0);
			p->info = set;
		} else {
			p->info = (p->info & ~PAGE_INFO(PG_MT_MASK, 0xff, 0)) |
				  set;
		}
		page_set_links(p, h_links);
		page_set_links(h, id_links + half_links);
	}
}

/*
 * One level of expand() for a split down to order 0 (expand_from()),
 * with @k a constant: every address is a fixed offset from the block's
 * head, the order-0 list head of @mt or the zone; the links of the new
 * block (both at its list head) are a running value.
 */
static inline __attribute__((always_inline)) void
expand_level(struct zone *z, struct page *p0, struct page *h0,
	     uint64_t id_links, uint64_t *h_links, uint64_t step, uint32_t set0,
	     unsigned int k)
{
	struct page *const p = p0 + (1u << k);

	PGR_ASSERT_INTERNAL(p->info == 0);
	PGR_ASSERT_INTERNAL(h0[k * PGR_MIGRATE_TYPES].next ==
			    (uint32_t)*h_links);
	/* sums of a variable and a constant: one instruction each */
	p->info = set0 + PAGE_INFO(0, k, 0);
	page_set_links(p, *h_links);
	page_set_links(&h0[k * PGR_MIGRATE_TYPES],
		       id_links + PAGE_LINKS(1u << k));
	z->free_area[k].nr_free++;
	*h_links -= step;
	KEEP_RUNNING(*h_links);
}

#define EXPAND_CASE(k)                                                        \
	case (k) + 1:                                                         \
		expand_level(z, p0, h0, id_links, &h_links, step, set0, (k)); \
		__attribute__((fallthrough));

/*
 * expand() down to order 0 of a block whose tails are zero, unrolled:
 * enter at the level below @high and fall through to order 0.
 */
static inline __attribute__((always_inline)) void
expand_from(struct zone *z, struct page *pages, uint32_t id, uint32_t head0,
	    unsigned int high, int mt)
{
	struct page *const p0 = &pages[id];
	struct page *const h0 = &pages[head0];
	const uint64_t id_links = PAGE_LINKS(id);
	/* the links at the list head of order high - 1 */
	uint64_t h_links = PAGE_LINKS(head0 + (high - 1) * PGR_MIGRATE_TYPES);
	uint64_t step = PAGE_LINKS(PGR_MIGRATE_TYPES);
	const uint32_t set0 =
		PAGE_INFO(PG_buddy | (unsigned int)mt << PG_MT_SHIFT, 0, 0);

	_Static_assert(PGR_MAX_ORDER_LIMIT == 16, "one case per order");
	KEEP_RUNNING(step);
	switch (high) {
		EXPAND_CASE(14)
		EXPAND_CASE(13)
		EXPAND_CASE(12)
		EXPAND_CASE(11)
		EXPAND_CASE(10)
		EXPAND_CASE(9)
		EXPAND_CASE(8)
		EXPAND_CASE(7)
		EXPAND_CASE(6)
		EXPAND_CASE(5)
		EXPAND_CASE(4)
		EXPAND_CASE(3)
		EXPAND_CASE(2)
		EXPAND_CASE(1)
		EXPAND_CASE(0)
	default:
		break;
	}
}
#undef EXPAND_CASE

/*
 * A tail page's state word is zero but for PG_discarded (the invariant
 * walker checks it), and PG_discarded exists only once the reporting
 * engine tracks it (rep_track_discard, never turned off again): without
 * it, set_buddy_order() on a tail need not read the old word.
 */
static inline __attribute__((always_inline)) void
expand(struct zone *z, uint32_t id, unsigned int low, unsigned int high, int mt)
{
	if (likely(!z->node->rep_track_discard)) {
		if (!low)
			expand_from(z, z->pages, id, free_list_id(z, 0, mt),
				    high, mt);
		else
			expand_levels(z, id, low, high, mt, true);
	} else {
		expand_levels(z, id, low, high, mt, false);
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
 * An allocation with per-CPU lists, arguments valid: a page on the pcp
 * list of the order and type, without a watermark to check, is taken here
 * (get_page_from_freelist() -> rmqueue_pcplist() with the list's first
 * page); everything else (refill, a watermark, drain and retry) is
 * pgr__pcp_alloc(), which starts over on the unchanged lists.
 */
static inline __attribute__((always_inline)) int
alloc_pages_pcp(struct zone *z, unsigned int cpu, unsigned int order, int mt,
		unsigned int flags, uint64_t *r_pfn)
{
	if (likely(!(flags & ALLOC_WMARK_FLAGS) &&
		   pcp_allowed_order(z, order) && mt < MIGRATE_PCPTYPES) &&
	    likely(zone_trylock(z))) {
		uint32_t id = pcp_take(z, cpu, order, mt);

		if (likely(id != PGR_NO_PAGE)) {
			mark_allocated(z, id, order, mt);
			*r_pfn = id_pfn(z, id);
			pgr__zone_unlock_checked(z);
			return 0;
		}
		zone_unlock(z);
	}
	return pgr__pcp_alloc(z, cpu, order, mt, flags, r_pfn);
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
		return alloc_pages_pcp(z, cpu, order, mt, flags, r_pfn);
	if (unlikely(flags & ALLOC_WMARK_FLAGS) || unlikely(!zone_trylock(z)))
		return alloc_pages_slow(z, order, mt, flags, r_pfn);
	return alloc_pages_fast(z, order, mt, flags, r_pfn);
}

/*
 * One order of alloc_order0_split()'s search, @k a constant: the list of
 * @mt is only looked at when the order has free blocks at all.  Orders
 * from max_order up have none (their counters are never touched), which
 * ends the search without a test of its own.
 */
#define SPLIT_SCAN(k)                                        \
	do {                                                 \
		if (z->free_area[k].nr_free &&               \
		    h0[(k)*PGR_MIGRATE_TYPES].next !=        \
			    head0 + (k)*PGR_MIGRATE_TYPES) { \
			cur = (k);                           \
			goto found;                          \
		}                                            \
	} while (0)

/*
 * __rmqueue_smallest() for order 0 when the order-0 list of @mt is empty:
 * the head of the first non-empty list of @mt above it (the search
 * unrolled: one compare per order against a fixed offset), split by
 * expand(), then what alloc_pages_locked() does after rmqueue().
 * Whatever else (no block above: the fallback; a PageReported head: the
 * reporting hook) goes to alloc_pages_locked_slow(), which finds the
 * lists unchanged.  Zone lock held, no watermark flags; drops the lock.
 * @order is 0: it keeps the arguments in alloc_pages_locked_slow()'s
 * registers, so that the caller's fast path needs no moves for either.
 */
static __attribute__((noinline)) PGR_NOCLONE int
alloc_order0_split(struct zone *z, unsigned int order, int mt,
		   unsigned int flags, uint64_t *r_pfn)
{
	struct page *const pages = z->pages;
	const uint32_t head0 = free_list_id(z, 0, mt);
	const struct page *const h0 = &pages[head0];
	uint32_t id, info, next, prev;
	unsigned int cur;
	struct page *p;

	_Static_assert(PGR_MAX_ORDER_LIMIT == 16, "one step per order");
	PGR_ASSERT_INTERNAL(!order);
	/*
	 * A PageReported head on the order-0 list: not a split.  With
	 * PG_discarded tracked, the general path (expand() reading each
	 * tail, clear_discarded()).
	 */
	if (unlikely(h0->next != head0) || unlikely(z->node->rep_track_discard))
		goto none;
	SPLIT_SCAN(1);
	SPLIT_SCAN(2);
	SPLIT_SCAN(3);
	SPLIT_SCAN(4);
	SPLIT_SCAN(5);
	SPLIT_SCAN(6);
	SPLIT_SCAN(7);
	SPLIT_SCAN(8);
	SPLIT_SCAN(9);
	SPLIT_SCAN(10);
	SPLIT_SCAN(11);
	SPLIT_SCAN(12);
	SPLIT_SCAN(13);
	SPLIT_SCAN(14);
	SPLIT_SCAN(15);
none:
	return alloc_pages_locked_slow(z, order, mt, flags, r_pfn);
found:
	id = h0[cur * PGR_MIGRATE_TYPES].next;
	p = &pages[id];
	info = p->info;
	if (unlikely(info & PAGE_INFO(PG_reported, 0, 0)))
		return alloc_pages_locked_slow(z, order, mt, flags, r_pfn);
	/* del_page_from_free_list() */
	next = p->next;
	prev = p->prev;
	pages[next].prev = prev;
	pages[prev].next = next;
	page_set_links(p, 0);
	z->free_area[cur].nr_free--;
	expand_from(z, pages, id, head0, cur, mt);
	/*
	 * mark_allocated(), after del_page_from_free_list()'s clearing;
	 * PG_discarded is not tracked, so there is none to keep or clear.
	 */
	PGR_ASSERT_INTERNAL(!(info & PAGE_INFO(PG_discarded, 0, 0)));
	p->info = PAGE_INFO(PG_alloc, 0, mt);
	z->nr_allocated_pages++;
	z->nr_free_pages--;
	*r_pfn = z->start_pfn + id;
	pgr__zone_unlock_checked(z);
	return 0;
}
#undef SPLIT_SCAN

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
		return alloc_order0_split(z, 0, mt, flags, r_pfn);
	p = &pages[id];
	info = p->info;
	if (unlikely(info & PAGE_INFO(PG_reported, 0, 0)))
		return alloc_order0_split(z, 0, mt, flags, r_pfn);
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

/*
 * pgr_alloc_pages() past its buddy fast path, with its arguments in the
 * same registers.  With per-CPU lists, an order-0 page of a pcp type on
 * CPU 0's list is taken here (rmqueue_pcplist() with a page on the list);
 * everything else goes through alloc_pages_checked().
 */
static __attribute__((noinline)) int
alloc_pages_other(struct zone *z, unsigned int order, int mt,
		  unsigned int flags, uint64_t *r_pfn)
{
	if (likely(z && z->pcp && !order && r_pfn &&
		   (unsigned int)mt < MIGRATE_PCPTYPES &&
		   !(flags & ~ALLOC_ORDER0_FAST_FLAGS)) &&
	    likely(zone_trylock(z))) {
		uint32_t id = pcp_take(z, 0, 0, mt);

		if (likely(id != PGR_NO_PAGE)) {
			mark_allocated(z, id, 0, mt);
			*r_pfn = z->start_pfn + id;
			pgr__zone_unlock_checked(z);
			return 0;
		}
		zone_unlock(z);
	}
	return alloc_pages_checked(z, 0, order, mt, flags, r_pfn);
}

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
	return alloc_pages_other(z, order, (int)mt, flags, r_pfn);
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
	if (unlikely(z->pcp) && pcp_allowed_order(z, order)) {
		pcp_free(z, cpu, id, order);
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
	/*
	 * Order 0 with per-CPU lists: free_pages_locked() for an allocated
	 * order-0 head (validated with one load), then the pcp commit.
	 */
	if (!order && z->pcp) {
		uint32_t id = pfn_id(z, pfn);

		if (unlikely((z->pages[id].info & PAGE_INFO(PG_pcp, 0xff, 0)) !=
			     PAGE_INFO(PG_alloc, 0, 0))) {
			zone_unlock(z);
			return free_pages_error(z, pfn, order);
		}
		pcp_free(z, 0, id, 0);
		pgr__zone_unlock_checked(z);
		return 0;
	}
	return free_pages_locked(z, pfn, order, true, 0);
}

/*
 * __free_one_page() of a block of @mt, which the caller has counted in
 * NR_FREE_PAGES, from the merge loop at @order on; then drops the lock.
 * The general end of free_order0_merging().
 */
static __attribute__((noinline)) int
free_merge_rest(struct zone *z, uint64_t pfn, unsigned int order, int mt)
{
	free_one_page_merge_body(z, pfn, order, mt, FPI_NONE, NULL);
	pgr__zone_unlock_checked(z);
	return 0;
}

/*
 * The end of free_order0_merging() when its loop stopped below the top
 * order, at @order: at a buddy that is not a free head of this order (the
 * merge is over: place the block), or at one the general loop takes on
 * (another type, reported, a v11 index).  Lock held; dropped.
 */
static __attribute__((noinline)) int
free_order0_placed(struct zone *z, uint64_t id, unsigned int order, int mt)
{
	const struct pgr_node *node = z->node;
	const uint64_t pfn = z->start_pfn + id;

	if (page_is_buddy(z->pages, z->nr_pages, id ^ (1ULL << order), order) ||
	    unlikely(atomic_load_explicit(&node->rep_notify,
					  memory_order_relaxed) &&
		     order >= node->rep_order))
		return free_merge_rest(z, pfn, order, mt);
	/* place_free_block() of a merged block below the top */
	if (buddy_merge_likely(z, z->pages, pfn, order, node->max_order))
		add_to_free_list_tail(z, (uint32_t)id, order, mt);
	else
		add_to_free_list(z, (uint32_t)id, order, mt);
	pgr__zone_unlock_checked(z);
	return 0;
}

/*
 * An order-0 free whose buddy is free, zone lock held, the head checked
 * (an allocated order-0 head): free_pages_locked() + free_one_page() +
 * __free_one_page(), drops the lock.  The usual case (an aligned zone of
 * the default MAX_ORDER, no isolated pageblock, a merge through every
 * order to the top, no shuffle, no reporting notification) is done here
 * without a call, so that no register must survive one; anything else
 * hands over to free_merge_rest() at the order reached, which carries
 * on exactly as if the loop had not been interrupted.
 */
static __attribute__((noinline)) int
free_order0_merging(struct zone *z, uint64_t pfn, uint64_t id)
{
	const struct pgr_node *node = z->node;
	const unsigned int top = PGR_MAX_ORDER_DEFAULT - 1;
	struct page *p = &z->pages[id];
	unsigned int order;
	int mt;

	/* PG_alloc off, order and index 0 (free_pages_locked) */
	p->info &= PAGE_INFO(~PG_alloc, 0, 0);
	z->nr_allocated_pages--;
	mt = get_pfnblock_migratetype(z, pfn);
	if (is_migrate_isolate(mt))
		return free_merge_rest(z, pfn, 0, mt);
	z->nr_free_pages++;
	if (unlikely(z->merge0_slow || has_isolate_pageblock(z)))
		return free_merge_rest(z, pfn, 0, mt);
	order = merge_aligned0(z, &id, top, mt);
	/*
	 * place_free_block(): shuffle_pick_tail() at the top with shuffle
	 * on, and the notification if reporting wants this order, are
	 * calls: the general path.  At the top, never buddy_merge_likely()
	 * (order + 2 >= max_order).
	 */
	if (likely(order == top)) {
		if (unlikely(node->shuffle ||
			     (atomic_load_explicit(&node->rep_notify,
						   memory_order_relaxed) &&
			      top >= node->rep_order)))
			return free_merge_rest(z, z->start_pfn + id, top, mt);
		add_to_free_list(z, (uint32_t)id, top, mt);
		pgr__zone_unlock_checked(z);
		return 0;
	}
	return free_order0_placed(z, id, order, mt);
}

/*
 * The order-0 fast path (the kernel's free_unref_page() next to
 * __free_pages_ok()), @pfn in the zone, zone lock held; drops it.  It does
 * what free_pages_locked() + free_one_page() + add_to_free_list() do for
 * an order-0 page whose buddy is busy, placed at the head, with no
 * reporting notification: the validation and every decision come first,
 * from one load of the head's state, and whatever is not this case goes
 * to free_order0_merging() (a free buddy), free_pages_full() or
 * free_pages_error() before anything changed.
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
		     PAGE_INFO(PG_buddy, 0, 0)))
		return free_order0_merging(z, pfn, id);
	if (unlikely((pages[(id & ~1ULL) ^ 2].info &
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

/*
 * take_page_off_buddy() for [pfn, pfn + 2^order), arguments valid, lock
 * held; drops it.  The free block holding it is split around it like
 * expand() (the pieces at the head of their lists).  -EBUSY, with nothing
 * changed and no message, when no free block holds the whole range.
 */
static __attribute__((noinline)) int
take_block_locked(struct zone *z, uint64_t pfn, unsigned int order)
{
	uint32_t head = pgr__block_head(z, pfn), cur;
	unsigned int o;
	int mt;

	if (head == PGR_NO_PAGE || !(z->pages[head].flags & PG_buddy) ||
	    z->pages[head].order < order) {
		zone_unlock(z);
		return -EBUSY;
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

/*
 * take_block_locked() when @pfn is itself a free block of @order, not
 * reported (nothing to split, no hook): del_page_from_free_list() +
 * mark_allocated() on its state word.  Anything else: take_block_locked().
 */
static inline __attribute__((always_inline)) int
take_block_head(struct zone *z, uint64_t pfn, uint64_t id, unsigned int order)
{
	struct page *const pages = z->pages;
	struct page *const p = &pages[id];
	const uint32_t info = p->info;
	uint64_t links;
	int mt;

	if (unlikely((info & PAGE_INFO(PG_buddy | PG_reported, 0xff, 0)) !=
		     PAGE_INFO(PG_buddy, order, 0)))
		return take_block_locked(z, pfn, order);
	mt = (int)((info >> (PAGE_INFO_FLAGS_SHIFT + PG_MT_SHIFT)) & 7);
	memcpy(&links, &p->next, sizeof(links));
	unlink_links(pages, links);
	page_set_links(p, 0);
	z->free_area[order].nr_free--;
	if (likely(!is_migrate_isolate(mt)))
		z->nr_free_pages -= 1ULL << order;
	else
		mt = PGR_MIGRATE_MOVABLE;
	p->info = (info & PAGE_INFO(PG_discarded, 0, 0)) |
		  PAGE_INFO(PG_alloc, order, mt);
	z->nr_allocated_pages += 1ULL << order;
	if (unlikely(z->node->rep_track_discard))
		clear_discarded(z, (uint32_t)id, order);
	pgr__zone_unlock_checked(z);
	return 0;
}

int pgr__take_block(struct zone *z, uint64_t pfn, unsigned int order)
{
	const uint64_t id = pfn - z->start_pfn, nr_pages = z->nr_pages;

	/* pgr_take_block()'s checks, in its order, without the messages */
	if (unlikely(order >= max_order(z)))
		return -EINVAL;
	if (unlikely(id >= nr_pages || nr_pages - id < (1ULL << order)))
		return -ERANGE;
	if (unlikely(pfn & ((1ULL << order) - 1)))
		return -EINVAL;
	zone_lock(z);
	return take_block_head(z, pfn, id, order);
}

int pgr_take_block(struct pgr_zone *zone, uint64_t pfn, unsigned int order)
{
	struct zone *z = to_zone(zone);
	int err;

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
	err = take_block_head(z, pfn, pfn - z->start_pfn, order);
	if (err == -EBUSY)
		return pgr__error(EBUSY,
				  "take_block: [%#llx, +%llu) is not inside "
				  "one free block",
				  (unsigned long long)pfn, 1ULL << order);
	return err;
}

int pgr__free_pages_quiet(struct zone *z, uint64_t pfn, unsigned int order)
{
	const uint64_t start_pfn = z->start_pfn, nr_pages = z->nr_pages;

	if (pfn - start_pfn >= nr_pages || order >= max_order(z))
		return -EINVAL;
	zone_lock(z);
	/* an allocated head of this order: else no message, no change */
	if ((z->pages[pfn - start_pfn].info & PAGE_INFO(PG_pcp, 0xff, 0)) !=
	    PAGE_INFO(PG_alloc, order, 0)) {
		zone_unlock(z);
		return -ENOENT;
	}
	if (likely(!(order | z->free0_slow)))
		return free_order0_locked(z, pfn, start_pfn, nr_pages);
	return free_pages_locked(z, pfn, order, false, 0);
}

int pgr__alloc_pages_quiet(struct zone *z, unsigned int order, int mt,
			   uint64_t *r_pfn)
{
	uint32_t id;

	PGR_BUG_ON(z->pcp || order >= max_order(z) ||
		   (unsigned int)mt > PGR_MIGRATE_HIGHATOMIC);
	zone_lock(z);
	/*
	 * alloc_pages_locked() without flags, and no message on failure:
	 * the head of the first list when it needs no hook (as
	 * alloc_pages_fast() takes it), else the whole __rmqueue().
	 */
	id = rmqueue_smallest(z, order, mt, true);
	if (id == PGR_NO_PAGE)
		id = rmqueue(z, order, mt, 0);
	if (id == PGR_NO_PAGE) {
		zone_unlock(z);
		return -ENOMEM;
	}
	z->nr_free_pages -= 1ULL << order;
	mark_allocated(z, id, order, mt);
	*r_pfn = id_pfn(z, id);
	pgr__zone_unlock_checked(z);
	return 0;
}

int pgr__block_at(struct zone *z, uint64_t pfn, uint64_t *r_head,
		  unsigned int *r_order)
{
	uint32_t head;
	const struct page *p;
	int state;

	if (!zone_spans_pfn(z, pfn))
		return -ERANGE;
	zone_lock(z);
	head = pgr__block_head(z, pfn);
	if (head == PGR_NO_PAGE) {
		zone_unlock(z);
		return -ENOENT;
	}
	p = &z->pages[head];
	/* the states of pgr_page_get_info() */
	if (p->flags & PG_buddy)
		state = PGR_PAGE_FREE;
	else if (page_is_pcp(p))
		state = PGR_PAGE_PCP;
	else if (p->flags & PG_alloc)
		state = PGR_PAGE_ALLOCATED;
	else
		state = PGR_PAGE_ISOLATED;
	*r_head = id_pfn(z, head);
	*r_order = p->order;
	zone_unlock(z);
	return state;
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
