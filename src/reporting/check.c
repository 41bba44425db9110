// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reporting invariants every strategy keeps (ALGORITHM.md §6 B and C),
 * called by the mm walker with the zone lock held through the hooks
 * table.  No kernel counterpart: the kernel trusts these; we check them
 * after every step of a randomized trace.  A strategy with private state
 * in mm checks that too, in the check_zone of its own hooks table.
 *
 *   C1/B1  PageReported => PageBuddy and order >= rep_order.
 *   B6     the pages isolated for a report are on no list.
 */
#include "config.h"

#include <stdio.h>

#include "reporting/device.h"

#define FAIL(...)                                        \
	do {                                             \
		if (buf && len)                          \
			snprintf(buf, len, __VA_ARGS__); \
		return -EUCLEAN;                         \
	} while (0)

static int check_flags(struct zone *z, char *buf, size_t len)
{
	struct pgr_node *node = z->node;

	for (uint32_t id = 0; id < z->nr_pages; id++) {
		struct page *p = id_page(z, id);

		if (!(p->flags & PG_reported))
			continue;
		if (!(p->flags & PG_buddy))
			FAIL("%s: pfn %llu Reported but not a free block",
			     z->name, (unsigned long long)id_pfn(z, id));
		if (p->order < node->rep_order || p->order >= node->max_order)
			FAIL("%s: pfn %llu Reported at order %u < %u", z->name,
			     (unsigned long long)id_pfn(z, id), p->order,
			     node->rep_order);
	}
	return 0;
}

int pgr__rep_check_zone(struct zone *z, char *buf, size_t len)
{
	struct pgr_reporting *rep = z->node->rep;
	int err;

	err = check_flags(z, buf, len);
	if (err)
		return err;

	/* the batch changes only under this zone's lock (see device.h) */
	if (rep && pgr__batch_zone(&rep->batch) == z) {
		for (unsigned int i = rep->batch.lo; i < rep->batch.hi; i++) {
			struct page *p = id_page(z, rep->batch.ids[i]);

			if ((p->flags & (PG_buddy | PG_reported)) ||
			    !(p->flags & PG_isolated) || p->next || p->prev)
				FAIL("%s: batch pfn %llu is not isolated",
				     z->name,
				     (unsigned long long)id_pfn(
					     z, rep->batch.ids[i]));
		}
	}
	return 0;
}
