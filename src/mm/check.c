// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The invariant walker: every buddy invariant of ALGORITHM.md §1.6 and
 * §6 A in one pass over the page frames and one over the free lists,
 * without allocating, then the reporting invariants
 * (pgr__reporting_check_zone).  It has no kernel counterpart; it plays
 * the role of CONFIG_DEBUG_VM's checks plus what a test would assert.
 *
 * Decided from the code: a free block's list migratetype may differ from
 * its pageblock's (steal_suitable_fallback moves single blocks without
 * changing the pageblock, __isolate_free_page converts pageblocks without
 * moving other blocks, move_freepages_block skips a pageblock that ends
 * outside the zone), so only isolate-ness must agree: a block is on an
 * ISOLATE list iff its pageblocks are ISOLATE, and every block (free,
 * allocated or isolated) lies wholly inside or outside isolated
 * pageblocks (the isolate-range rules guarantee it).
 *
 * Maximal merging: two free buddies of the same order below MAX_ORDER-1
 * are a violation unless the order is >= pageblock_order and one of them
 * is on an ISOLATE list: __free_one_page refuses to merge across the
 * isolate boundary, and move_freepages_block (isolation) moves blocks
 * without merging, so even two isolated buddies may stay apart until
 * unset_migratetype_isolate merges them.  A buddy isolated for reporting
 * is not PG_buddy and never counts.
 *
 * Per-CPU lists (pcp.c): a PG_pcp head is neither free nor allocated; it
 * is on exactly one pcp list, the one its order and stored migratetype
 * select (HIGHATOMIC on MOVABLE's), and the lists' lengths add up to each
 * CPU's count and to the zone's pcp_pages.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "errmsg.h"
#include "mm/internal.h"
#include "page_alloc.h"

static int violation(char *buf, size_t len, const struct zone *z, uint64_t pfn,
		     int order, int mt, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static int violation(char *buf, size_t len, const struct zone *z, uint64_t pfn,
		     int order, int mt, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (buf && len) {
		n = snprintf(buf, len,
			     "%s: pfn %#llx order %d mt %s: ", z->name,
			     (unsigned long long)pfn, order,
			     mt < 0 ? "-" : pgr_migratetype_name(mt));
		if (n >= 0 && (size_t)n < len) {
			va_start(ap, fmt);
			vsnprintf(buf + n, len - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return -EUCLEAN;
}

#define BAD(pfn, order, mt, ...) \
	violation(buf, len, z, (pfn), (int)(order), (mt), __VA_ARGS__)

/* Every pageblock of [pfn, pfn + 2^order) isolated (1), none (0), mixed. */
static int block_isolate_state(const struct zone *z, uint64_t pfn,
			       unsigned int order)
{
	uint64_t end = pfn + (1ULL << order);
	uint64_t step = 1ULL << pageblock_order(z);
	int first = is_migrate_isolate(get_pfnblock_migratetype(z, pfn));

	for (uint64_t b = (pfn | (step - 1)) + 1; b < end; b += step)
		if (is_migrate_isolate(get_pfnblock_migratetype(z, b)) != first)
			return -1;
	return first;
}

int pgr__zone_check_locked(struct zone *z, char *buf, size_t len)
{
	uint64_t counts[PGR_MAX_ORDER_LIMIT][PGR_MIGRATE_TYPES] = { { 0 } };
	uint64_t free_normal = 0, free_isolate = 0, allocated = 0;
	uint64_t isolated = 0, isolate_pbs = 0, pcp_pages = 0, pcp_heads = 0;
	unsigned int mo = max_order(z), pbo = pageblock_order(z);
	const struct page *pages = z->pages;
	uint32_t i = 0;

	if (buf && len)
		buf[0] = '\0';
	for (uint32_t b = 0; b < z->nr_pageblocks; b++) {
		if (z->pageblock_mt[b] >= PGR_MIGRATE_TYPES)
			return BAD(z->pb_base_pfn + ((uint64_t)b << pbo), 0, -1,
				   "bad pageblock type %u", z->pageblock_mt[b]);
		isolate_pbs += is_migrate_isolate(z->pageblock_mt[b]);
	}
	if (isolate_pbs != z->nr_isolate_pageblock)
		return BAD(z->start_pfn, 0, -1,
			   "nr_isolate_pageblock %llu, counted %llu",
			   (unsigned long long)z->nr_isolate_pageblock,
			   (unsigned long long)isolate_pbs);

	/* Pass 1: the page frames, block by block. */
	while (i < z->nr_pages) {
		const struct page *p = &pages[i];
		uint64_t pfn = id_pfn(z, i);
		unsigned int head = p->flags & PG_HEAD_MASK;
		unsigned int o = p->order;
		int mt = -1, iso;

		if (!head) {
			if (z->populated)
				return BAD(pfn, 0, -1,
					   "page in no block (flags %#x)",
					   p->flags);
			if (p->flags & ~PG_discarded || p->order || p->index ||
			    p->next || p->prev)
				return BAD(pfn, 0, -1,
					   "unpopulated zone: page not zero");
			i++;
			continue;
		}
		if (head == PG_pcp) {
			if (!z->pcp)
				return BAD(pfn, o, -1,
					   "pcp page without per-CPU lists");
			if (!pgr__pcp_allowed_order(z, o) || o >= mo)
				return BAD(pfn, o, -1, "pcp page of order %u",
					   o);
			if (p->index >= PGR_MIGRATE_TYPES ||
			    is_migrate_isolate(p->index))
				return BAD(pfn, o, -1, "pcp page of type %u",
					   p->index);
			if (p->flags & (PG_reported | PG_MT_MASK))
				return BAD(pfn, o, -1,
					   "pcp head with flags %#x", p->flags);
			pcp_pages += 1ULL << o;
			pcp_heads++;
		} else if (head & (head - 1)) {
			return BAD(pfn, o, -1, "several head flags %#x",
				   p->flags);
		}
		if (o >= mo)
			return BAD(pfn, o, -1, "order >= MAX_ORDER %u", mo);
		if (pfn & ((1ULL << o) - 1))
			return BAD(pfn, o, -1, "block not aligned");
		if ((uint64_t)i + (1ULL << o) > z->nr_pages)
			return BAD(pfn, o, -1, "block ends outside the zone");
		iso = block_isolate_state(z, pfn, o);
		if (iso < 0)
			return BAD(
				pfn, o, -1,
				"block spans isolated and normal pageblocks");
		if (head == PG_buddy) {
			mt = buddy_list_mt(p);
			if (mt >= PGR_MIGRATE_TYPES)
				return BAD(pfn, o, mt, "bad list type");
			if (iso != is_migrate_isolate(mt))
				return BAD(pfn, o, mt,
					   "list %s but pageblock %s",
					   pgr_migratetype_name(mt),
					   pgr_migratetype_name(
						   get_pfnblock_migratetype(
							   z, pfn)));
			counts[o][mt]++;
			if (is_migrate_isolate(mt))
				free_isolate += 1ULL << o;
			else
				free_normal += 1ULL << o;
			/* Maximal merging, with the documented exceptions. */
			if (o + 1 < mo) {
				uint64_t bp = pfn ^ (1ULL << o);
				const struct page *b;

				if (zone_spans_pfn(z, bp)) {
					b = &pages[pfn_id(z, bp)];
					if ((b->flags & PG_buddy) &&
					    b->order == o &&
					    !(o >= pbo &&
					      (is_migrate_isolate(mt) ||
					       is_migrate_isolate(
						       buddy_list_mt(b)))))
						return BAD(
							pfn, o, mt,
							"not merged with "
							"free buddy %#llx",
							(unsigned long long)bp);
				}
			}
		} else if (head != PG_pcp) {
			if (p->flags & (PG_reported | PG_MT_MASK))
				return BAD(pfn, o, -1,
					   "non-free head with flags %#x",
					   p->flags);
			if (p->next || p->prev)
				return BAD(pfn, o, -1,
					   "non-free head has list links");
			if (head == PG_alloc) {
				if (p->index >= PGR_MIGRATE_TYPES)
					return BAD(pfn, o, -1,
						   "bad allocation type %u",
						   p->index);
				allocated += 1ULL << o;
			} else {
				isolated += 1ULL << o;
			}
		}
		/* Tail pages carry nothing but PG_discarded. */
		for (uint32_t t = i + 1; t < i + (1u << o); t++) {
			const struct page *tp = &pages[t];

			if ((tp->flags & ~PG_discarded) || tp->order ||
			    tp->index || tp->next || tp->prev)
				return BAD(id_pfn(z, t), o, mt,
					   "tail page of block %#llx not zero "
					   "(flags %#x order %u)",
					   (unsigned long long)pfn, tp->flags,
					   tp->order);
		}
		i += 1u << o;
	}

	/* Pass 2: the lists, both directions, against the counts. */
	for (unsigned int o = 0; o < PGR_MAX_ORDER_LIMIT; o++) {
		uint64_t sum = 0;

		if (o >= mo) {
			if (z->free_area[o].nr_free)
				return BAD(z->start_pfn, o, -1,
					   "nr_free of a nonexistent order");
			continue;
		}
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			uint32_t head = free_list_id(z, o, mt);
			uint32_t prev = head, id = pages[head].next;
			uint64_t n = 0;

			while (id != head) {
				const struct page *p;

				if (id >= z->nr_pages)
					return BAD(z->start_pfn, o, mt,
						   "list links to id %u", id);
				p = &pages[id];
				if (p->prev != prev)
					return BAD(id_pfn(z, id), o, mt,
						   "prev link broken");
				if (!(p->flags & PG_buddy) || p->order != o ||
				    buddy_list_mt(p) != mt)
					return BAD(id_pfn(z, id), o, mt,
						   "on the wrong list (flags "
						   "%#x order %u)",
						   p->flags, p->order);
				if (++n > counts[o][mt])
					return BAD(id_pfn(z, id), o, mt,
						   "list longer than its %llu "
						   "free blocks",
						   (unsigned long long)
							   counts[o][mt]);
				prev = id;
				id = p->next;
			}
			if (pages[head].prev != prev)
				return BAD(z->start_pfn, o, mt,
					   "list head prev link broken");
			/* The order-0 fast free probes list heads as pages. */
			if (pages[head].info)
				return BAD(z->start_pfn, o, mt,
					   "list head state %#x not zero",
					   pages[head].info);
			if (n != counts[o][mt])
				return BAD(z->start_pfn, o, mt,
					   "list has %llu of %llu free blocks",
					   (unsigned long long)n,
					   (unsigned long long)counts[o][mt]);
			sum += n;
		}
		if (sum != z->free_area[o].nr_free)
			return BAD(z->start_pfn, o, -1,
				   "nr_free %llu, lists hold %llu",
				   (unsigned long long)z->free_area[o].nr_free,
				   (unsigned long long)sum);
	}

	/* Pass 3: the per-CPU lists. */
	for (unsigned int c = 0; z->pcp && c < z->node->nr_cpus; c++) {
		uint64_t count = 0;

		for (unsigned int pi = 0; pi < z->pcp_nr_lists; pi++) {
			uint32_t head = pgr__pcp_list_id(z, c, pi);
			uint32_t prev = head, id = pages[head].next;
			unsigned int o = pi < 12 ? pi / 3 : pbo;
			int lmt = pi < 12 ? (int)(pi % 3) : -1;

			while (id != head) {
				const struct page *p;

				if (id >= z->nr_pages)
					return BAD(z->start_pfn, o, lmt,
						   "cpu %u pcp list %u links "
						   "to id %u",
						   c, pi, id);
				p = &pages[id];
				if (p->prev != prev)
					return BAD(id_pfn(z, id), o, lmt,
						   "pcp prev link broken");
				if (!page_is_pcp(p) || p->order != o ||
				    (lmt >= 0 && p->index != lmt &&
				     !(p->index == PGR_MIGRATE_HIGHATOMIC &&
				       lmt == PGR_MIGRATE_MOVABLE)))
					return BAD(id_pfn(z, id), o, lmt,
						   "on the wrong pcp list "
						   "(flags %#x order %u type "
						   "%u)",
						   p->flags, p->order,
						   p->index);
				count += 1ULL << o;
				if (!pcp_heads--)
					return BAD(id_pfn(z, id), o, lmt,
						   "pcp lists hold more "
						   "blocks than pcp pages");
				prev = id;
				id = p->next;
			}
			if (pages[head].prev != prev)
				return BAD(z->start_pfn, o, lmt,
					   "pcp list head prev link broken");
			if (pages[head].info)
				return BAD(z->start_pfn, o, lmt,
					   "pcp list head state %#x not zero",
					   pages[head].info);
		}
		if (count != z->pcp[c].count)
			return BAD(z->start_pfn, 0, -1,
				   "cpu %u pcp count %llu, lists hold %llu", c,
				   (unsigned long long)z->pcp[c].count,
				   (unsigned long long)count);
	}
	if (pcp_heads)
		return BAD(z->start_pfn, 0, -1,
			   "%llu pcp blocks on no pcp list",
			   (unsigned long long)pcp_heads);
	if (pcp_pages != z->pcp_pages)
		return BAD(z->start_pfn, 0, -1, "pcp_pages %llu, counted %llu",
			   (unsigned long long)z->pcp_pages,
			   (unsigned long long)pcp_pages);

	if (free_normal != z->nr_free_pages)
		return BAD(z->start_pfn, 0, -1,
			   "NR_FREE_PAGES %llu, non-isolate lists hold %llu",
			   (unsigned long long)z->nr_free_pages,
			   (unsigned long long)free_normal);
	if (allocated != z->nr_allocated_pages)
		return BAD(z->start_pfn, 0, -1, "allocated %llu, counted %llu",
			   (unsigned long long)z->nr_allocated_pages,
			   (unsigned long long)allocated);
	if (isolated != z->nr_isolated_pages)
		return BAD(z->start_pfn, 0, -1, "isolated %llu, counted %llu",
			   (unsigned long long)z->nr_isolated_pages,
			   (unsigned long long)isolated);
	if (z->populated &&
	    free_normal + free_isolate + allocated + isolated + pcp_pages !=
		    z->nr_pages)
		return BAD(z->start_pfn, 0, -1,
			   "free + allocated + isolated + pcp != %u pages",
			   z->nr_pages);
	return pgr__reporting_check_zone(z, buf, len);
}

int pgr_zone_check(struct pgr_zone *zone, char *buf, size_t len)
{
	struct zone *z = to_zone(zone);
	int err;

	if (!z)
		return pgr__error(EINVAL, "zone_check: NULL zone");
	zone_lock(z);
	err = pgr__zone_check_locked(z, buf, len);
	zone_unlock(z);
	if (err)
		pgr__error(-err, "%s", buf && len ? buf : "zone check failed");
	return err;
}

int pgr_node_check(struct pgr_node *node, char *buf, size_t len)
{
	if (!node)
		return pgr__error(EINVAL, "node_check: NULL node");
	for (unsigned int i = 0; i < node->nr_zones; i++) {
		struct zone *z = &node->zones[i];
		int err;

		if (z->node != node || z->idx != i)
			return pgr__error(EUCLEAN,
					  "node_check: zone %u "
					  "back-pointer broken",
					  i);
		err = pgr_zone_check((struct pgr_zone *)z, buf, len);
		if (err)
			return err;
	}
	return 0;
}
