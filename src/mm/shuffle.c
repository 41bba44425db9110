// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Page shuffling, modelling mm/shuffle.c (5.4) with the v11/5.7
 * shuffle_pick_tail(): one bit of a cached 64-bit draw per call, a new
 * draw every 64 calls, least significant bit first; and __shuffle_zone():
 * a Fisher-Yates-style pass that swaps free MAX_ORDER-1 blocks.  Like the
 * kernel it makes no attempt to correct for modulo or PRNG bias.  The
 * random source is the node's seeded PRNG, so a seed reproduces the
 * lists exactly.  Unlike the kernel, the pass walks MAX_ORDER-1-aligned
 * pfns even when the zone start is unaligned (the kernel steps from
 * zone_start_pfn, which is aligned in practice).
 */
#include "config.h"
#include "errmsg.h"
#include "mm/internal.h"
#include "page_alloc.h"

#define SHUFFLE_RETRY 10

bool pgr__shuffle_pick_tail(struct pgr_node *node)
{
	bool ret;

	/* zone locks are per zone; the draw is per node (see mm/mmzone.h) */
	pgr_spin_lock(&node->shuffle_lock);
	if (!node->shuffle_rand_bits) {
		node->shuffle_rand = pgr_rand_u64(&node->rand);
		node->shuffle_rand_bits = 64;
	}
	ret = node->shuffle_rand & 1;
	node->shuffle_rand_bits--;
	node->shuffle_rand >>= 1;
	pgr_spin_unlock(&node->shuffle_lock);
	return ret;
}

/* shuffle_valid_page(): a free buddy of exactly @order at @pfn. */
static uint32_t shuffle_valid_page(struct zone *z, uint64_t pfn,
				   unsigned int order)
{
	const struct page *p;

	if (!zone_spans_pfn(z, pfn))
		return PGR_NO_PAGE;
	p = &z->pages[pfn_id(z, pfn)];
	if (!(p->flags & PG_buddy) || p->order != order)
		return PGR_NO_PAGE;
	return pfn_id(z, pfn);
}

/* list_replace(): @n takes @old's place in its list. */
static void list_replace_id(struct zone *z, uint32_t old, uint32_t n)
{
	struct page *pages = z->pages;

	pages[n].next = pages[old].next;
	pages[pages[n].next].prev = n;
	pages[n].prev = pages[old].prev;
	pages[pages[n].prev].next = n;
}

/* list_swap(): exchange the positions of two entries (any lists). */
static void list_swap_id(struct zone *z, uint32_t e1, uint32_t e2)
{
	uint32_t pos = z->pages[e2].prev;

	list_del_id(z, e2);
	list_replace_id(z, e1, e2);
	if (pos == e1)
		pos = e2;
	list_add_id(z, e1, pos);
}

void pgr__shuffle_zone(struct zone *z)
{
	const unsigned int order = max_order(z) - 1;
	const uint64_t order_pages = 1ULL << order;
	uint64_t end = z->start_pfn + z->nr_pages;
	uint64_t i = (z->start_pfn + order_pages - 1) & ~(order_pages - 1);
	unsigned long nr = 0;

	for (; i < end; i += order_pages) {
		uint32_t pi, pj = PGR_NO_PAGE;
		int retry, mt_i, mt_j;
		uint8_t fi, fj;

		pi = shuffle_valid_page(z, i, order);
		if (pi == PGR_NO_PAGE)
			continue;
		/* Random aligned target; retry a few times on a miss. */
		for (retry = 0; retry < SHUFFLE_RETRY; retry++) {
			uint64_t r, j;

			pgr_spin_lock(&z->node->shuffle_lock);
			r = pgr_rand_u64(&z->node->rand) % z->nr_pages;
			pgr_spin_unlock(&z->node->shuffle_lock);
			j = (z->start_pfn + r) & ~(order_pages - 1);

			pj = shuffle_valid_page(z, j, order);
			if (pj != PGR_NO_PAGE && pj != pi)
				break;
		}
		if (retry >= SHUFFLE_RETRY)
			continue;
		/* Swap only within the same pageblock migratetype. */
		if (get_pfnblock_migratetype(z, i) !=
		    get_pfnblock_migratetype(z, id_pfn(z, pj)))
			continue;
		list_swap_id(z, pi, pj);
		/* The entries changed lists: swap the remembered list mt. */
		mt_i = buddy_list_mt(&z->pages[pi]);
		mt_j = buddy_list_mt(&z->pages[pj]);
		fi = z->pages[pi].flags;
		fj = z->pages[pj].flags;
		z->pages[pi].flags =
			(uint8_t)((fi & ~PG_MT_MASK) |
				  ((unsigned int)mt_j << PG_MT_SHIFT));
		z->pages[pj].flags =
			(uint8_t)((fj & ~PG_MT_MASK) |
				  ((unsigned int)mt_i << PG_MT_SHIFT));
		/* Take it easy on the zone lock. */
		if (++nr % 100 == 0) {
			zone_unlock(z);
			zone_lock(z);
		}
	}
}

int pgr_zone_shuffle(struct pgr_zone *zone)
{
	struct zone *z = to_zone(zone);

	if (!z)
		return pgr__error(EINVAL, "zone_shuffle: NULL zone");
	zone_lock(z);
	pgr__shuffle_zone(z);
	pgr__zone_unlock_checked(z);
	return 0;
}
