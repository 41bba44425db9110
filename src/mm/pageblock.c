// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Pageblock migratetypes and isolation, modelling mm/page_alloc.c
 * (set_pageblock_migratetype, change_pageblock_range, move_freepages,
 * move_freepages_block) and mm/page_isolation.c (set_migratetype_isolate,
 * unset_migratetype_isolate, start/undo_isolate_page_range) of 5.4/5.7.
 *
 * The migratetype is one byte per pageblock over [pb_base_pfn, ...) rather
 * than the kernel's packed bitmap (no skip/compaction bits).  Left out:
 * has_unmovable_pages() and page migration.  Where the kernel only ever
 * isolates MAX_ORDER-aligned ranges, we accept any pageblock-aligned range
 * and therefore first split free blocks that straddle a range edge, and
 * refuse (-EBUSY) ranges whose edge cuts through an allocated or isolated
 * block: that keeps every block entirely inside or outside an isolated
 * range, which the merge rules of __free_one_page rely on.
 */
#include "config.h"
#include "debug.h"
#include "errmsg.h"
#include "mm/internal.h"
#include "page_alloc.h"

void pgr__set_pageblock_migratetype(struct zone *z, uint64_t pfn, int mt)
{
	z->pageblock_mt[pageblock_idx(z, pfn)] = (uint8_t)mt;
}

/* change_pageblock_range(): every pageblock of a block >= pageblock. */
void pgr__change_pageblock_range(struct zone *z, uint64_t pfn,
				 unsigned int order, int mt)
{
	uint64_t nr = 1ULL << (order - pageblock_order(z));

	while (nr--) {
		pgr__set_pageblock_migratetype(z, pfn, mt);
		pfn += pageblock_nr_pages(z);
	}
}

/*
 * Models move_freepages(): move every free block whose head lies in
 * [start, end] to @mt's list (at the head); count allocated pages whose
 * allocation migratetype is MOVABLE as "movable" (PageLRU/__PageMovable).
 */
static uint64_t move_freepages(struct zone *z, uint64_t start, uint64_t end,
			       int mt, uint64_t *num_movable)
{
	uint64_t moved = 0;
	uint64_t pfn = start;

	while (pfn <= end) {
		uint32_t id = pfn_id(z, pfn);
		struct page *p = &z->pages[id];

		if (!(p->flags & PG_buddy)) {
			if (p->flags & (PG_alloc | PG_isolated)) {
				/* a pcp page is not PageLRU: not movable */
				if (num_movable &&
				    (p->flags & PG_pcp) == PG_alloc &&
				    p->index == PGR_MIGRATE_MOVABLE)
					*num_movable += 1ULL << p->order;
				pfn += 1ULL << p->order;
			} else {
				pfn++;
			}
			continue;
		}
		move_to_free_list(z, id, p->order, mt);
		moved += 1ULL << p->order;
		pfn += 1ULL << p->order;
	}
	return moved;
}

/*
 * Models move_freepages_block(): the pageblock of @pfn; a pageblock that
 * starts before the zone is scanned from @pfn, one that ends after it is
 * not touched (returns 0), exactly as 5.4 does.
 */
uint64_t pgr__move_freepages_block(struct zone *z, uint64_t pfn, int mt,
				   uint64_t *num_movable)
{
	uint64_t start = pfn & ~(pageblock_nr_pages(z) - 1);
	uint64_t end = start + pageblock_nr_pages(z) - 1;

	if (num_movable)
		*num_movable = 0;
	if (!zone_spans_pfn(z, start))
		start = pfn;
	if (!zone_spans_pfn(z, end))
		return 0;
	return move_freepages(z, start, end, mt, num_movable);
}

/*
 * zone->nr_reserved_highatomic as 5.4 keeps it: reserve_highatomic_pageblock()
 * adds pageblock_nr_pages when it makes a block HIGHATOMIC, and
 * unreserve_highatomic_pageblock() takes min(pageblock_nr_pages, reserve)
 * off when it turns one back.  A caller's pgr_set_pageblock_migratetype()
 * stands for both (the kernel's 1%-of-the-zone cap is the caller's choice).
 */
static void reserve_account_highatomic(struct zone *z, int old_mt, int new_mt)
{
	uint64_t pb = pageblock_nr_pages(z);

	if (old_mt == new_mt)
		return;
	if (new_mt == PGR_MIGRATE_HIGHATOMIC)
		z->nr_reserved_highatomic += pb;
	else if (old_mt == PGR_MIGRATE_HIGHATOMIC)
		z->nr_reserved_highatomic -= z->nr_reserved_highatomic < pb
						     ? z->nr_reserved_highatomic
						     : pb;
}

static bool is_settable_mt(int mt)
{
	return mt >= PGR_MIGRATE_UNMOVABLE && mt <= PGR_MIGRATE_HIGHATOMIC;
}

int pgr_set_pageblock_migratetype(struct pgr_zone *zone, uint64_t pfn,
				  enum pgr_migratetype mt)
{
	struct zone *z = to_zone(zone);

	if (!z)
		return pgr__error(EINVAL, "set_pageblock_migratetype: NULL");
	if (!is_settable_mt((int)mt))
		return pgr__error(EINVAL,
				  "set_pageblock_migratetype: bad type %d "
				  "(use pgr_isolate_range for ISOLATE)",
				  (int)mt);
	if (!zone_spans_pfn(z, pfn))
		return pgr__error(ERANGE,
				  "set_pageblock_migratetype: pfn %#llx "
				  "outside %s",
				  (unsigned long long)pfn, z->name);
	zone_lock(z);
	if (is_migrate_isolate(get_pfnblock_migratetype(z, pfn))) {
		zone_unlock(z);
		return pgr__error(EBUSY,
				  "set_pageblock_migratetype: pageblock of "
				  "%#llx is isolated",
				  (unsigned long long)pfn);
	}
	reserve_account_highatomic(z, get_pfnblock_migratetype(z, pfn),
				   (int)mt);
	pgr__move_freepages_block(z, pfn, (int)mt, NULL);
	pgr__set_pageblock_migratetype(z, pfn, (int)mt);
	pgr__zone_unlock_checked(z);
	return 0;
}

int pgr_pageblock_migratetype(struct pgr_zone *zone, uint64_t pfn)
{
	struct zone *z = to_zone(zone);
	int mt;

	if (!z)
		return pgr__error(EINVAL, "pageblock_migratetype: NULL zone");
	if (!zone_spans_pfn(z, pfn))
		return pgr__error(ERANGE,
				  "pageblock_migratetype: pfn %#llx outside %s",
				  (unsigned long long)pfn, z->name);
	zone_lock(z);
	mt = get_pfnblock_migratetype(z, pfn);
	zone_unlock(z);
	return mt;
}

static int check_range(struct zone *z, const char *fn, uint64_t start,
		       uint64_t nr)
{
	uint64_t mask;

	if (!z)
		return pgr__error(EINVAL, "%s: NULL zone", fn);
	mask = pageblock_nr_pages(z) - 1;
	if (!nr || (start & mask) || (nr & mask))
		return pgr__error(
			EINVAL, "%s: [%#llx, +%llu) not pageblock aligned", fn,
			(unsigned long long)start, (unsigned long long)nr);
	if (!zone_spans_pfn(z, start) || nr > z->nr_pages ||
	    !zone_spans_pfn(z, start + nr - 1))
		return pgr__error(ERANGE, "%s: [%#llx, +%llu) outside %s", fn,
				  (unsigned long long)start,
				  (unsigned long long)nr, z->name);
	return 0;
}

/*
 * The block containing @edge - 1 when it also contains @edge (it
 * straddles the edge), else PGR_NO_PAGE.
 */
static uint32_t straddling_block(struct zone *z, uint64_t edge)
{
	uint32_t h;

	if (!zone_spans_pfn(z, edge) || !zone_spans_pfn(z, edge - 1))
		return PGR_NO_PAGE;
	h = pgr__block_head(z, edge - 1);
	if (h == PGR_NO_PAGE ||
	    id_pfn(z, h) + (1ULL << z->pages[h].order) <= edge)
		return PGR_NO_PAGE;
	return h;
}

/* An allocated or isolated block straddles @edge: cannot split it. */
static bool edge_cuts_busy_block(struct zone *z, uint64_t edge,
				 bool only_isolated_state)
{
	uint32_t h = straddling_block(z, edge);

	if (h == PGR_NO_PAGE || (z->pages[h].flags & PG_buddy))
		return false;
	return !only_isolated_state ||
	       is_migrate_isolate(get_pfnblock_migratetype(z, id_pfn(z, h)));
}

/*
 * Split a free block straddling @edge (pageblock aligned) into naturally
 * aligned pieces that do not; the pieces go to the head of the block's
 * list like expand().  Counters do not change.
 */
static void split_free_block_at(struct zone *z, uint64_t edge,
				bool only_isolate_list)
{
	uint32_t h = straddling_block(z, edge);
	uint32_t e = pfn_id(z, edge);
	unsigned int o;
	int mt;

	if (h == PGR_NO_PAGE || !(z->pages[h].flags & PG_buddy))
		return;
	mt = buddy_list_mt(&z->pages[h]);
	if (only_isolate_list && !is_migrate_isolate(mt))
		return;
	o = z->pages[h].order;
	del_page_from_free_list(z, h, o);
	while (o > 0) {
		uint32_t mid;

		o--;
		mid = h + (1u << o);
		if (e == mid) {
			add_to_free_list(z, h, o, mt);
			add_to_free_list(z, mid, o, mt);
			return;
		}
		if (e > mid) {
			add_to_free_list(z, h, o, mt);
			h = mid;
		} else {
			add_to_free_list(z, mid, o, mt);
		}
	}
	PGR_BUG_ON(1); /* the edge is pageblock aligned: unreachable */
}

/* Models set_migratetype_isolate() for one pageblock (checks done). */
static void set_migratetype_isolate(struct zone *z, uint64_t pfn)
{
	uint64_t moved;

	pgr__set_pageblock_migratetype(z, pfn, PGR_MIGRATE_ISOLATE);
	z->nr_isolate_pageblock++;
	moved = pgr__move_freepages_block(z, pfn, PGR_MIGRATE_ISOLATE, NULL);
	z->nr_free_pages -= moved;
}

int pgr_isolate_range(struct pgr_zone *zone, uint64_t start_pfn,
		      uint64_t nr_pages)
{
	struct zone *z = to_zone(zone);
	uint64_t end, pfn;
	int err = check_range(z, "isolate_range", start_pfn, nr_pages);

	if (err)
		return err;
	end = start_pfn + nr_pages;
	zone_lock(z);
	for (pfn = start_pfn; pfn < end; pfn += pageblock_nr_pages(z)) {
		if (is_migrate_isolate(get_pfnblock_migratetype(z, pfn))) {
			zone_unlock(z);
			return pgr__error(EBUSY,
					  "isolate_range: pageblock %#llx is "
					  "already isolated",
					  (unsigned long long)pfn);
		}
	}
	if (edge_cuts_busy_block(z, start_pfn, false) ||
	    edge_cuts_busy_block(z, end, false)) {
		zone_unlock(z);
		return pgr__error(EBUSY,
				  "isolate_range: an allocated or isolated "
				  "block straddles the edge of [%#llx, %#llx)",
				  (unsigned long long)start_pfn,
				  (unsigned long long)end);
	}
	/*
	 * Per-CPU lists (6.1): offline_pages() drains them first
	 * (zone_pcp_disable), so their pages are free buddies the isolation
	 * moves; its window with high = 0 is not modelled.
	 */
	pgr__pcp_drain_all_locked(z);
	split_free_block_at(z, start_pfn, false);
	split_free_block_at(z, end, false);
	for (pfn = start_pfn; pfn < end; pfn += pageblock_nr_pages(z))
		set_migratetype_isolate(z, pfn);
	pgr__zone_unlock_checked(z);
	return 0;
}

/*
 * 5.4's unset_migratetype_isolate() gives the page back with
 * post_alloc_hook() + __free_pages(): an ordinary free, so the v11 series
 * (on 5.4) sees page_reporting_notify_free() as for any free.  5.7 has
 * __putback_isolated_page(), which skips the notification.
 */
static void unisolate_putback(struct zone *z, uint32_t id, unsigned int order)
{
	struct page *p = &z->pages[id];

	if (!z->node->unisolate_notifies) {
		pgr__putback_isolated_page(z, id, order, FPI_NONE, NULL);
		return;
	}
	p->flags &= (uint8_t)~PG_isolated;
	p->order = 0;
	p->index = 0;
	z->nr_isolated_pages -= 1ULL << order;
	pgr__free_one_page(z, id, order,
			   get_pfnblock_migratetype(z, id_pfn(z, id)), FPI_NONE,
			   NULL);
}

/*
 * Models unset_migratetype_isolate() (5.7; 5.4 for the v11 strategies,
 * see unisolate_putback): a free block of order >= pageblock_order at the
 * start of the pageblock could not merge with a non-isolated buddy while
 * isolated; isolating it and putting it back lets it merge.  Otherwise
 * just move the free pages back.
 */
static void unset_migratetype_isolate(struct zone *z, uint64_t pfn, int mt)
{
	uint32_t id = pfn_id(z, pfn);
	struct page *p = &z->pages[id];
	bool isolated_page = false;
	unsigned int order = 0;

	if (!is_migrate_isolate(get_pfnblock_migratetype(z, pfn)))
		return;
	if ((p->flags & PG_buddy) && p->order >= pageblock_order(z)) {
		uint64_t buddy_pfn = pfn ^ (1ULL << p->order);

		order = p->order;
		if (!zone_spans_pfn(z, buddy_pfn) ||
		    !is_migrate_isolate(
			    get_pfnblock_migratetype(z, buddy_pfn))) {
			isolated_page = pgr__isolate_free_page(
				z, id, order, ISOLATED_BY_CALLER);
			PGR_BUG_ON(!isolated_page);
		}
	}
	if (!isolated_page)
		z->nr_free_pages += pgr__move_freepages_block(z, pfn, mt, NULL);
	pgr__set_pageblock_migratetype(z, pfn, mt);
	if (isolated_page)
		unisolate_putback(z, id, order);
	z->nr_isolate_pageblock--;
}

int pgr_undo_isolate_range(struct pgr_zone *zone, uint64_t start_pfn,
			   uint64_t nr_pages, enum pgr_migratetype mt)
{
	struct zone *z = to_zone(zone);
	uint64_t end, pfn;
	int err = check_range(z, "undo_isolate_range", start_pfn, nr_pages);

	if (err)
		return err;
	if (!is_settable_mt((int)mt))
		return pgr__error(EINVAL, "undo_isolate_range: bad type %d",
				  (int)mt);
	end = start_pfn + nr_pages;
	zone_lock(z);
	if (edge_cuts_busy_block(z, start_pfn, true) ||
	    edge_cuts_busy_block(z, end, true)) {
		zone_unlock(z);
		return pgr__error(EBUSY,
				  "undo_isolate_range: an allocated or "
				  "isolated block straddles the edge of "
				  "[%#llx, %#llx)",
				  (unsigned long long)start_pfn,
				  (unsigned long long)end);
	}
	split_free_block_at(z, start_pfn, true);
	split_free_block_at(z, end, true);
	for (pfn = start_pfn; pfn < end; pfn += pageblock_nr_pages(z))
		unset_migratetype_isolate(z, pfn, (int)mt);
	pgr__zone_unlock_checked(z);
	return 0;
}
