// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host-side accounting of free page reporting: how much of a guest the
 * host holds.  Reported = free blocks with PageReported (mm/page_reporting.c
 * in every version); discarded = pages the host dropped (virtio-balloon
 * VIRTIO_BALLOON_F_REPORTING, QEMU's ram_block_discard_range) and the guest
 * has not reallocated; a refault is an allocation of such a page, for which
 * the host must supply a zeroed page.  The counters live in struct zone
 * (mm's allocation path and the engine's drain keep them); this file only
 * sums them and the free lists under the zone lock.
 */
#include "config.h"

#include <string.h>

#include "reporting/device.h"

/* Free pages in PageReported blocks; zone lock held. */
static uint64_t reported_pages_locked(struct zone *z)
{
	uint64_t n = 0;

	for (unsigned int o = 0; o < max_order(z); o++) {
		if (!z->free_area[o].nr_free)
			continue;
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			uint32_t head = free_list_id(z, o, mt);

			for (uint32_t id = z->pages[head].next; id != head;
			     id = z->pages[id].next)
				if (z->pages[id].flags & PG_reported)
					n += 1ULL << o;
		}
	}
	return n;
}

static void add_zone(struct zone *z, struct pgr_reporting_accounting *a)
{
	uint64_t free_pages = 0, reported;

	pgr_spin_lock(&z->lock);
	if (!z->populated) {
		pgr_spin_unlock(&z->lock);
		return;
	}
	for (unsigned int o = 0; o < max_order(z); o++)
		free_pages += z->free_area[o].nr_free << o;
	reported = reported_pages_locked(z);
	a->zone_pages += z->nr_pages;
	a->allocated_pages += z->nr_allocated_pages;
	a->free_pages += free_pages;
	a->reported_pages += reported;
	a->free_unreported_pages += free_pages - reported;
	a->isolated_pages += z->nr_isolated_pages;
	a->discarded_pages += z->nr_discarded_pages;
	a->discarded_bytes += z->nr_discarded_pages << PGR_PAGE_SHIFT;
	a->refault_pages += z->nr_refault_pages;
	a->refault_events += z->nr_refault_events;
	a->rereported_pages += z->nr_rereported_pages;
	pgr_spin_unlock(&z->lock);
}

int pgr_reporting_get_accounting(struct pgr_node *node, int zone,
				 struct pgr_reporting_accounting *r_acct)
{
	struct pgr_reporting *rep;
	unsigned int nr;

	if (!node || !r_acct)
		return pgr__error(EINVAL, "get_accounting: NULL argument");
	/* the device's zones: every node of a system, node then zone order */
	rep = pgr__node_rep(node);
	nr = rep ? rep->nr_zones : node->nr_zones;
	if (zone < -1 || (zone >= 0 && (unsigned int)zone >= nr))
		return pgr__error(EINVAL,
				  "get_accounting: zone %d out of range "
				  "(%s has %u)",
				  zone, rep ? "device" : "node", nr);
	memset(r_acct, 0, sizeof(*r_acct));
	for (unsigned int i = 0; i < nr; i++)
		if (zone < 0 || (unsigned int)zone == i)
			add_zone(rep ? rep->zones[i] : &node->zones[i], r_acct);
	return 0;
}
