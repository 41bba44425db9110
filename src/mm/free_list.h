/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Free-list manipulators, models mm/page_alloc.c (5.4 after v11 patch 2/6):
 * add_to_free_list, add_to_free_list_tail, move_to_free_list and
 * del_page_from_free_list on (zone, order) instead of a free_area.  They
 * are static inlines because the alloc/free hot path goes through them;
 * src/mm/free_list.c exports pgr__ wrappers for the reporting engine.
 *
 * The list a free block sits on is remembered in the three spare high bits
 * of page->flags (PG_MT_MASK), so the walker, steal and take_block find the
 * migratetype in O(1) instead of walking to the list head.  The kernel has
 * no such field (it never needs to ask); PG_reported handling calls the
 * reporting hooks exactly where v11 does.
 */
#ifndef PGR_MM_FREE_LIST_H
#define PGR_MM_FREE_LIST_H

#include <string.h>

#include "compiler.h"
#include "mm/page_reporting.h"

#define PG_MT_SHIFT  5
#define PG_MT_MASK   (0x7u << PG_MT_SHIFT)
#define PG_HEAD_MASK (PG_buddy | PG_alloc | PG_isolated)
#define PGR_NO_PAGE  UINT32_MAX

/* The migratetype of the free list a PG_buddy page is on. */
static inline int buddy_list_mt(const struct page *p)
{
	return (p->flags & PG_MT_MASK) >> PG_MT_SHIFT;
}

/* PG_buddy on list @mt at @order; index and the other flags are kept. */
static inline void set_buddy_order(struct page *p, unsigned int order, int mt)
{
	p->info =
		(p->info & ~PAGE_INFO(PG_MT_MASK, 0xff, 0)) |
		PAGE_INFO(PG_buddy | (unsigned int)mt << PG_MT_SHIFT, order, 0);
}

/*
 * List primitives on a local copy of z->pages: page fields are bytes, and
 * a byte store may alias anything, so going through z->pages each time
 * would reload it after every store on the hot path.
 */
static inline void pages_list_add(struct page *pages, uint32_t n, uint32_t prev,
				  uint32_t next)
{
	/*
	 * __list_add() order but n->next last: stored next to n->prev,
	 * the two get glued into one 64-bit store through SSE registers,
	 * which costs more instructions than it saves.
	 */
	pages[next].prev = n;
	pages[n].prev = prev;
	pages[prev].next = n;
	pages[n].next = next;
}

/*
 * Both links of @p in one 64-bit store (next and prev are adjacent, and a
 * value with equal halves reads the same in either byte order): an empty
 * list's head and its only element point at each other, and a page off
 * every list has both links zero.
 */
static inline void page_set_links(struct page *p, uint64_t both)
{
	memcpy(&p->next, &both, sizeof(both));
}

#define PAGE_LINKS(id) ((uint64_t)(id)*0x100000001ULL)
_Static_assert(offsetof(struct page, prev) == sizeof(uint32_t),
	       "page_set_links() writes next and prev at once");

static inline void pages_list_del(struct page *pages, uint32_t n)
{
	uint32_t prev = pages[n].prev, next = pages[n].next;

	pages[next].prev = prev;
	pages[prev].next = next;
	pages[n].next = 0;
	pages[n].prev = 0;
}

static inline void add_to_free_list(struct zone *z, uint32_t id,
				    unsigned int order, int mt)
{
	struct page *pages = z->pages;
	uint32_t head = free_list_id(z, order, mt);

	z->free_area[order].nr_free++;
	set_buddy_order(&pages[id], order, mt);
	pages_list_add(pages, id, head, pages[head].next);
}

/* v11: a "tail" insertion lands in front of the reported region. */
static inline void add_to_free_list_tail(struct zone *z, uint32_t id,
					 unsigned int order, int mt)
{
	struct page *pages = z->pages;
	uint32_t tail = pgr__reporting_tail(z, order, mt);

	z->free_area[order].nr_free++;
	set_buddy_order(&pages[id], order, mt);
	pages_list_add(pages, id, pages[tail].prev, tail);
}

/*
 * list_move to the head of another migratetype's list, or list_move_tail
 * from 5.10 (node->fpi_to_tail; in front of a v11 reported region, like
 * add_to_free_list_tail); Reported is kept.
 */
static inline void move_to_free_list(struct zone *z, uint32_t id,
				     unsigned int order, int mt)
{
	struct page *pages = z->pages;
	uint32_t head = free_list_id(z, order, mt);

	if (unlikely(pages[id].flags & PG_reported)) {
		pgr__reporting_on_move_reported(z, id, order);
		pages = z->pages;
	}
	pages_list_del(pages, id);
	if (unlikely(z->node->fpi_to_tail)) {
		uint32_t tail = pgr__reporting_tail(z, order, mt);

		pages_list_add(pages, id, pages[tail].prev, tail);
	} else {
		pages_list_add(pages, id, head, pages[head].next);
	}
	pages[id].flags = (uint8_t)((pages[id].flags & ~PG_MT_MASK) |
				    ((unsigned int)mt << PG_MT_SHIFT));
}

/* The single place where PageReported is cleared (ALGORITHM.md §3.8). */
static inline void del_page_from_free_list(struct zone *z, uint32_t id,
					   unsigned int order)
{
	struct page *pages = z->pages;
	struct page *p = &pages[id];

	if (unlikely(p->flags & PG_reported)) {
		pgr__reporting_on_del_reported(z, id, order);
		p->flags &= (uint8_t)~PG_reported;
	}
	pages_list_del(pages, id);
	p->flags &= (uint8_t) ~(PG_buddy | PG_MT_MASK);
	p->order = 0;
	p->index = 0;
	z->free_area[order].nr_free--;
}

#endif /* PGR_MM_FREE_LIST_H */
