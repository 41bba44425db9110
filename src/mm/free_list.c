// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Exported wrappers of the free-list manipulators (free_list.h) for the
 * reporting engine; models the v11 (zone, order) helpers of
 * mm/page_alloc.c, and the two places outside the free lists where
 * PageReported changes (set by the drain, cleared in place).  Zone lock
 * held.
 */
#include "config.h"
#include "mm/internal.h"
#include "free_list.h"

void pgr__add_to_free_list(struct zone *z, uint32_t id, unsigned int order,
			   int mt)
{
	add_to_free_list(z, id, order, mt);
}

void pgr__add_to_free_list_tail(struct zone *z, uint32_t id, unsigned int order,
				int mt)
{
	add_to_free_list_tail(z, id, order, mt);
}

void pgr__move_to_free_list(struct zone *z, uint32_t id, unsigned int order,
			    int mt)
{
	move_to_free_list(z, id, order, mt);
}

void pgr__del_page_from_free_list(struct zone *z, uint32_t id,
				  unsigned int order)
{
	del_page_from_free_list(z, id, order);
}

/* The migratetype of the list the free block @id is on, or -1. */
int pgr__free_block_mt(struct zone *z, uint32_t id)
{
	const struct page *p = id_page(z, id);

	return (p->flags & PG_buddy) ? buddy_list_mt(p) : -1;
}

/*
 * __SetPageReported on a free block the drain put back without merging
 * (page_reporting_drain, v11's add_page_to_reported_list): the flag and a
 * clear index, then the hook of a strategy that keeps state about
 * Reported blocks.
 */
void pgr__set_page_reported(struct zone *z, uint32_t id, unsigned int order)
{
	struct page *p = id_page(z, id);
	const struct pgr_reporting_hooks *h = rep_hooks(z);

	p->flags |= PG_reported;
	p->index = 0;
	if (h && h->on_set_reported)
		h->on_set_reported(z, id, order);
}

/*
 * __ClearPageReported on a free block that stays on its list (the host
 * will see it again): the hook first, as del_page_from_free_list does.
 */
void pgr__clear_page_reported(struct zone *z, uint32_t id)
{
	struct page *p = id_page(z, id);

	if (!(p->flags & PG_reported))
		return;
	pgr__reporting_on_del_reported(z, id, p->order);
	p->flags &= (uint8_t)~PG_reported;
}
