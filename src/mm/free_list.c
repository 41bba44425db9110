// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Exported wrappers of the free-list manipulators (free_list.h) for the
 * reporting engine; models the v11 (zone, order) helpers of
 * mm/page_alloc.c.  Zone lock held.
 */
#include "config.h"
#include "internal.h"
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
