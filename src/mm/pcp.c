// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Per-CPU page lists, modelling Linux 6.1.0 mm/page_alloc.c (struct
 * per_cpu_pages; design note BITMAP_AND_PCP.md Part 2): zone_batchsize,
 * zone_highsize, free_unref_page + free_unref_page_commit with
 * nr_pcp_high/nr_pcp_free, free_pcppages_bulk, drain_pages_zone,
 * rmqueue_pcplist/__rmqueue_pcplist with rmqueue_bulk, and the
 * drain_all_pages + retry of __alloc_pages_direct_reclaim on a shortage.
 *
 * The lists live under the zone lock (the kernel has a per-CPU spinlock
 * and only takes zone->lock for bulk moves), so a pcp trylock never fails
 * here.  Left out: ZONE_RECLAIM_ACTIVE (nr_pcp_high's min(4*batch, high)),
 * free_unref_page_list, drain_zone_pages (NUMA expire), the
 * percpu_pagelist_high_fraction sysctl, CPU hotplug and CMA (no MOVABLE
 * bypass).  A pcp page's head is PG_pcp with index = the migratetype it
 * was freed (or refilled) with, as set_pcppage_migratetype() stores it.
 */
#include "config.h"
#include "debug.h"
#include "errmsg.h"
#include "mm/internal.h"
#include "page_alloc.h"
#include "pcp.h"

bool pgr__pcp_allowed_order(const struct zone *z, unsigned int order)
{
	return pcp_allowed_order(z, order);
}

static unsigned int pindex_to_order(const struct zone *z, unsigned int pindex)
{
	if (pindex >= NR_LOWORDER_PCP_LISTS)
		return pageblock_order(z);
	return pindex / MIGRATE_PCPTYPES;
}

uint32_t pgr__pcp_list_id(const struct zone *z, unsigned int cpu,
			  unsigned int pindex)
{
	return pcp_list_id(z, cpu, pindex);
}

static uint64_t rounddown_pow_of_two(uint64_t n)
{
	uint64_t r = 1;

	while (r <= n / 2)
		r <<= 1;
	return r;
}

/* zone_batchsize() with CONFIG_MMU, from zone_managed_pages(). */
static unsigned int zone_batchsize(const struct zone *z)
{
	uint64_t batch = (uint64_t)z->managed_pages >> 10;

	if (batch > (1ULL << 20) / PGR_PAGE_SIZE)
		batch = (1ULL << 20) / PGR_PAGE_SIZE;
	batch /= 4; /* "We effectively *= 4 below" */
	if (batch < 1)
		batch = 1;
	return (unsigned int)(rounddown_pow_of_two(batch + batch / 2) - 1);
}

/*
 * zone_highsize() with percpu_pagelist_high_fraction 0: the low watermark
 * split over the node's CPUs (cpu_online 0: zone setup), at least 4*batch.
 */
static unsigned int zone_highsize(const struct zone *z, unsigned int batch)
{
	uint64_t high = z->watermark[PGR_WMARK_LOW] / z->node->nr_cpus;

	if (high < (uint64_t)batch << 2)
		high = (uint64_t)batch << 2;
	return high > UINT32_MAX ? UINT32_MAX : (unsigned int)high;
}

/* zone_set_pageset_high_and_batch(): after the watermarks are set up. */
void pgr__pcp_setup(struct zone *z)
{
	unsigned int batch, high;

	if (!z->pcp)
		return;
	batch = zone_batchsize(z);
	if (batch < 1)
		batch = 1;
	high = zone_highsize(z, batch);
	for (unsigned int c = 0; c < z->node->nr_cpus; c++) {
		z->pcp[c].batch = batch;
		z->pcp[c].high = high;
	}
}

/*
 * free_pcppages_bulk(): give @count base pages back to the buddy, from
 * the list @pindex first (the one just freed to), each list from its tail
 * (the oldest page) until it is empty, then round robin over the others.
 * Each page goes through __free_one_page with FPI_NONE: it merges, and
 * reporting is notified at the merged order.
 */
static void free_pcppages_bulk(struct zone *z, unsigned int cpu, int64_t count,
			       unsigned int pindex)
{
	struct per_cpu_pages *pcp = &z->pcp[cpu];
	int min_pindex = 0, max_pindex = (int)z->pcp_nr_lists - 1;
	int pi = (int)pindex - 1; /* so that @pindex is drained first */
	bool isolated_pageblocks = has_isolate_pageblock(z);

	if (count > (int64_t)pcp->count)
		count = (int64_t)pcp->count;
	z->pcp_drains++;
	while (count > 0) {
		unsigned int order;
		uint32_t head;

		for (;;) {
			if (++pi > max_pindex)
				pi = min_pindex;
			head = pcp_list_id(z, cpu, (unsigned int)pi);
			if (!list_empty_id(z, head))
				break;
			if (pi == max_pindex)
				max_pindex--;
			if (pi == min_pindex)
				min_pindex++;
		}
		order = pindex_to_order(z, (unsigned int)pi);
		do {
			uint32_t id = z->pages[head].prev; /* list_last_entry */
			struct page *p = &z->pages[id];
			int mt = p->index;

			list_del_id(z, id);
			p->flags &= (uint8_t)~PG_pcp;
			p->order = 0;
			p->index = 0;
			count -= 1LL << order;
			pcp_count_sub(z, pcp, 1ULL << order);
			/* The pageblock could have been isolated meanwhile. */
			if (unlikely(isolated_pageblocks))
				mt = get_pfnblock_migratetype(z, id_pfn(z, id));
			pgr__free_one_page(z, id, order, mt, FPI_NONE, NULL);
		} while (count > 0 && !list_empty_id(z, head));
	}
}

/* drain_pages_zone(): the whole count, from pindex 0. */
static void drain_pages_zone(struct zone *z, unsigned int cpu)
{
	if (z->pcp[cpu].count)
		free_pcppages_bulk(z, cpu, (int64_t)z->pcp[cpu].count, 0);
}

void pgr__pcp_drain_all_locked(struct zone *z)
{
	if (!z->pcp)
		return;
	for (unsigned int c = 0; c < z->node->nr_cpus; c++)
		drain_pages_zone(z, c);
}

/* nr_pcp_free() of 6.1.0 (free_factor grows without a cap). */
static int64_t nr_pcp_free(struct per_cpu_pages *pcp, int64_t high,
			   int64_t batch, bool free_high)
{
	int64_t min_nr_free, max_nr_free;

	if (unlikely(free_high))
		return (int64_t)pcp->count;
	/* PCP disabled or boot pageset */
	if (unlikely(high < batch))
		return 1;
	min_nr_free = batch;
	max_nr_free = high - batch;
	/* Double the amount each time a free follows a free. */
	batch <<= pcp->free_factor;
	if (batch < max_nr_free)
		pcp->free_factor++;
	/* clamp(batch, min, max): max wins when they cross */
	if (batch < min_nr_free)
		batch = min_nr_free;
	if (batch > max_nr_free)
		batch = max_nr_free;
	return batch;
}

void pgr__pcp_free_high(struct zone *z, unsigned int cpu, unsigned int order,
			unsigned int pindex)
{
	struct per_cpu_pages *pcp = &z->pcp[cpu];
	bool free_high =
		pcp->free_factor && order && order <= PAGE_ALLOC_COSTLY_ORDER;
	/* nr_pcp_high() without ZONE_RECLAIM_ACTIVE */
	int64_t high = (!pcp->high || free_high) ? 0 : (int64_t)pcp->high;

	PGR_BUG_ON((int64_t)pcp->count < high);
	free_pcppages_bulk(
		z, cpu, nr_pcp_free(pcp, high, (int64_t)pcp->batch, free_high),
		pindex);
}

void pgr__pcp_free_locked(struct zone *z, unsigned int cpu, uint32_t id,
			  unsigned int order)
{
	pcp_free(z, cpu, id, order);
}

/*
 * rmqueue_bulk(): @count blocks of @order from the buddy (__rmqueue, the
 * requested order, fallback included), each to the tail of @head.
 */
static unsigned int rmqueue_bulk(struct zone *z, unsigned int order,
				 unsigned int count, uint32_t head, int mt,
				 unsigned int flags)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		uint32_t id = pgr__rmqueue(z, order, mt, flags);

		if (id == PGR_NO_PAGE)
			break;
		z->nr_free_pages -= 1ULL << order;
		/* __rmqueue_smallest's set_pcppage_migratetype(requested) */
		set_pcp_page(z, id, order, mt);
		list_add_tail_id(z, id, head);
	}
	return i;
}

/* rmqueue_pcplist() + __rmqueue_pcplist(): PGR_NO_PAGE if none. */
static uint32_t rmqueue_pcplist(struct zone *z, unsigned int cpu,
				unsigned int order, int mt, unsigned int flags)
{
	struct per_cpu_pages *pcp = &z->pcp[cpu];
	uint32_t head = pcp_list_id(z, cpu, order_to_pindex(order, mt));
	uint32_t id;

	pcp->free_factor >>= 1;
	if (list_empty_id(z, head)) {
		unsigned int batch = pcp->batch;
		unsigned int n;

		if (batch > 1) {
			batch >>= order;
			if (batch < 2)
				batch = 2;
		}
		n = rmqueue_bulk(z, order, batch, head, mt, flags);
		pcp_count_add(z, pcp, (uint64_t)n << order);
		if (!n)
			return PGR_NO_PAGE;
	}
	id = z->pages[head].next; /* list_first_entry: the newest */
	list_del_id(z, id);
	pcp_count_sub(z, pcp, 1ULL << order);
	return id;
}

/*
 * One get_page_from_freelist() attempt, zone lock held: the watermark,
 * then the pcp for a pcp order and type, else the buddy.  Returns 0,
 * -ENOSPC (below the watermark *r_wmark) or -ENOMEM (no block).
 */
static int try_alloc(struct zone *z, unsigned int cpu, unsigned int order,
		     int mt, unsigned int flags, uint64_t *r_pfn,
		     uint64_t *r_wmark)
{
	uint32_t id;

	if (flags & (PGR_ALLOC_WMARK_MIN | PGR_ALLOC_WMARK_LOW)) {
		uint64_t mark = z->watermark[PGR_WMARK_MIN];

		if ((flags & PGR_ALLOC_WMARK_LOW) &&
		    z->watermark[PGR_WMARK_LOW] > mark)
			mark = z->watermark[PGR_WMARK_LOW];
		if (!pgr__zone_watermark_ok_flags(
			    z, order, mark, mt == PGR_MIGRATE_HIGHATOMIC)) {
			*r_wmark = mark;
			return -ENOSPC;
		}
	}
	if (pcp_allowed_order(z, order) && mt < MIGRATE_PCPTYPES) {
		id = rmqueue_pcplist(z, cpu, order, mt, flags);
	} else {
		id = pgr__rmqueue(z, order, mt, flags);
		if (id != PGR_NO_PAGE)
			z->nr_free_pages -= 1ULL << order;
	}
	if (id == PGR_NO_PAGE)
		return -ENOMEM;
	pgr__mark_allocated(z, id, order, mt);
	*r_pfn = id_pfn(z, id);
	return 0;
}

/*
 * An allocation with per-CPU lists, arguments validated, zone unlocked.
 * On a shortage every CPU's lists of the zone are drained once and the
 * allocation retried once (__alloc_pages_direct_reclaim: drain_all_pages
 * after unreserve_highatomic_pageblock, which the model leaves out).
 */
int pgr__pcp_alloc(struct zone *z, unsigned int cpu, unsigned int order, int mt,
		   unsigned int flags, uint64_t *r_pfn)
{
	uint64_t wmark = 0;
	int err;

	zone_lock(z);
	err = try_alloc(z, cpu, order, mt, flags, r_pfn, &wmark);
	if (err) {
		z->pcp_drain_all++;
		pgr__pcp_drain_all_locked(z);
		err = try_alloc(z, cpu, order, mt, flags, r_pfn, &wmark);
	}
	pgr__zone_unlock_checked(z);
	if (!err)
		return 0;
	if (err == -ENOSPC)
		return pgr__error(ENOMEM,
				  "alloc_pages: order %u below the watermark "
				  "%llu",
				  order, (unsigned long long)wmark);
	return pgr__error(ENOMEM,
			  "alloc_pages: no free block of order %u for %s",
			  order, pgr_migratetype_name(mt));
}

int pgr_zone_drain_pages(struct pgr_zone *zone, int cpu)
{
	struct zone *z = to_zone(zone);

	if (!z)
		return pgr__error(EINVAL, "zone_drain_pages: NULL zone");
	if (cpu != PGR_PCP_ALL_CPUS &&
	    (cpu < 0 || (unsigned int)cpu >= z->node->nr_cpus))
		return pgr__error(EINVAL,
				  "zone_drain_pages: cpu %d is not a CPU "
				  "(0..%u) nor PGR_PCP_ALL_CPUS",
				  cpu, z->node->nr_cpus - 1);
	if (!z->pcp)
		return 0;
	zone_lock(z);
	if (cpu == PGR_PCP_ALL_CPUS)
		pgr__pcp_drain_all_locked(z);
	else
		drain_pages_zone(z, (unsigned int)cpu);
	pgr__zone_unlock_checked(z);
	return 0;
}
