// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reporting invariants of one zone (ALGORITHM.md §6 B and C), called by the
 * mm walker with the zone lock held.  No kernel counterpart: the kernel
 * trusts these; we check them after every step of a randomized trace.
 *
 *   C1/B1  PageReported => PageBuddy and order >= rep_order; when the zone
 *          has v11 counters, reported_pages[order] equals the Reported
 *          blocks of that order over all migratetypes.
 *   B2     while ACTIVE: each boundary is the list head or an element of
 *          its list, and everything from it to the tail is Reported with
 *          page->index == its index (not for order MAX_ORDER-1 on shuffle
 *          nodes: __shuffle_zone may break it, see v11.c).
 *   B6     the pages isolated for a report are on no list.
 */
#include "config.h"
#include "internal.h"

#include <stdio.h>

#include "reporting/engine.h"

#define FAIL(...)                                        \
	do {                                             \
		if (buf && len)                          \
			snprintf(buf, len, __VA_ARGS__); \
		return -EUCLEAN;                         \
	} while (0)

static int check_flags(struct zone *z, char *buf, size_t len,
		       uint64_t *nr_reported)
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
		nr_reported[p->order]++;
	}
	if (!z->reported_pages)
		return 0;
	for (unsigned int o = node->rep_order; o < node->max_order; o++)
		if (z->reported_pages[o - node->rep_order] != nr_reported[o])
			FAIL("%s: reported_pages[%u] = %llu, %llu Reported "
			     "blocks",
			     z->name, o,
			     (unsigned long long)
				     z->reported_pages[o - node->rep_order],
			     (unsigned long long)nr_reported[o]);
	return 0;
}

static int check_boundary(struct zone *z, unsigned int order, int mt, char *buf,
			  size_t len)
{
	struct pgr_node *node = z->node;
	unsigned int idx = (order - node->rep_order) * PGR_MIGRATE_TYPES +
			   (unsigned int)mt;
	uint32_t head = free_list_id(z, order, mt);
	uint32_t b = node->reported_boundary[idx], id;

	if (b == head)
		return 0;
	for (id = id_page(z, head)->next; id != head && id != b;
	     id = id_page(z, id)->next)
		;
	if (id != b)
		FAIL("%s: boundary of order %u mt %d (id %u) not on its list",
		     z->name, order, mt, b);
	for (id = b; id != head; id = id_page(z, id)->next) {
		struct page *p = id_page(z, id);

		if (!(p->flags & PG_reported) || p->index != idx)
			FAIL("%s: pfn %llu behind the boundary of order %u mt "
			     "%d"
			     " is %s (index %u)",
			     z->name, (unsigned long long)id_pfn(z, id), order,
			     mt,
			     p->flags & PG_reported ? "Reported" : "unreported",
			     p->index);
	}
	return 0;
}

int pgr__rep_check_zone(struct zone *z, char *buf, size_t len)
{
	struct pgr_node *node = z->node;
	uint64_t nr_reported[PGR_MAX_ORDER_LIMIT] = { 0 };
	struct pgr_reporting *rep = node->rep;
	int err;

	err = check_flags(z, buf, len, nr_reported);
	if (err)
		return err;

	if (node->reported_boundary &&
	    (z->flags & ZONE_PAGE_REPORTING_ACTIVE)) {
		for (unsigned int o = node->rep_order; o < node->max_order; o++)
			for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
				if (mt == PGR_MIGRATE_ISOLATE ||
				    (node->shuffle && o == node->max_order - 1))
					continue;
				err = check_boundary(z, o, mt, buf, len);
				if (err)
					return err;
			}
	}

	/* the batch changes only under this zone's lock (see engine.h) */
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
