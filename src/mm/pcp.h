/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The hot half of the per-CPU lists (src/mm/pcp.c, Linux 6.1.0
 * mm/page_alloc.c): taking a page off a pcp list and
 * free_unref_page_commit() as static inlines, so that the order-0 paths
 * of page_alloc.c run them without a call between the two files; the
 * bulk moves (rmqueue_bulk refill, free_pcppages_bulk) stay out of line
 * in pcp.c.  Zone lock held throughout.
 */
#ifndef PGR_MM_PCP_H
#define PGR_MM_PCP_H

#include "compiler.h"
#include "mm/internal.h"
#include "page_alloc.h"

#define PAGE_ALLOC_COSTLY_ORDER 3
#define MIGRATE_PCPTYPES	PGR_MIGRATE_HIGHATOMIC
#define NR_LOWORDER_PCP_LISTS	(MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))

/* pcp_allowed_order(): 0..3, and pageblock_order when there is a THP list. */
static inline bool pcp_allowed_order(const struct zone *z, unsigned int order)
{
	if (order <= PAGE_ALLOC_COSTLY_ORDER)
		return true;
	return z->pcp_nr_lists > NR_LOWORDER_PCP_LISTS &&
	       order == pageblock_order(z);
}

/* order_to_pindex(): NR_PCP_THP is 1 in 6.1.0, shared by every type. */
static inline unsigned int order_to_pindex(unsigned int order, int mt)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NR_LOWORDER_PCP_LISTS;
	return MIGRATE_PCPTYPES * order + (unsigned int)mt;
}

static inline uint32_t pcp_list_id(const struct zone *z, unsigned int cpu,
				   unsigned int pindex)
{
	return z->pcp_list_base + cpu * z->pcp_nr_lists + pindex;
}

static inline void pcp_count_add(struct zone *z, struct per_cpu_pages *pcp,
				 uint64_t n)
{
	pcp->count += n;
	z->pcp_pages += n;
	if (z->pcp_pages > z->pcp_high_pages)
		z->pcp_high_pages = z->pcp_pages;
}

static inline void pcp_count_sub(struct zone *z, struct per_cpu_pages *pcp,
				 uint64_t n)
{
	pcp->count -= n;
	z->pcp_pages -= n;
}

/* Put the block @id of @order on a pcp list, its head a PG_pcp head. */
static inline void set_pcp_page(struct zone *z, uint32_t id, unsigned int order,
				int stored_mt)
{
	struct page *p = &z->pages[id];

	p->info = (p->info & PAGE_INFO(PG_discarded, 0, 0)) |
		  PAGE_INFO(PG_pcp, order, stored_mt);
}

/*
 * src/mm/pcp.c: the end of free_unref_page_commit() once the list of
 * @pindex is at its high mark: free_pcppages_bulk(nr_pcp_free()).
 */
void pgr__pcp_free_high(struct zone *z, unsigned int cpu, unsigned int order,
			unsigned int pindex);

/*
 * free_unref_page() + free_unref_page_commit() for an allocated head
 * @id of a pcp order, zone lock held.  The caller has validated it.
 * The drain when the list is over its high mark (nr_pcp_high, nr_pcp_free
 * and free_pcppages_bulk) is out of line.
 */
static inline __attribute__((always_inline)) void
pcp_free(struct zone *z, unsigned int cpu, uint32_t id, unsigned int order)
{
	struct per_cpu_pages *pcp = &z->pcp[cpu];
	struct page *p = &z->pages[id];
	int mt = get_pfnblock_migratetype(z, id_pfn(z, id));
	int list_mt = mt;
	unsigned int pindex;

	/* PG_alloc off, order and index 0 (the flags kept) */
	p->info &= PAGE_INFO(~PG_alloc, 0, 0);
	z->nr_allocated_pages -= 1ULL << order;
	if (unlikely(mt >= MIGRATE_PCPTYPES)) {
		if (unlikely(is_migrate_isolate(mt))) {
			pgr__free_one_page(z, id, order, mt, FPI_NONE, NULL);
			return;
		}
		/* HIGHATOMIC: on the MOVABLE list, its own type kept. */
		list_mt = PGR_MIGRATE_MOVABLE;
	}
	pindex = order_to_pindex(order, list_mt);
	set_pcp_page(z, id, order, mt);
	list_add_id(z, id, pcp_list_id(z, cpu, pindex));
	pcp_count_add(z, pcp, 1ULL << order);
	/*
	 * nr_pcp_high() without ZONE_RECLAIM_ACTIVE: 0 after a free of a
	 * costly-or-below order > 0 that followed a free (free_high), or
	 * with high 0; then free_pcppages_bulk(nr_pcp_free()).
	 */
	if (unlikely((int64_t)pcp->count >= (int64_t)pcp->high) ||
	    unlikely(pcp->free_factor && order &&
		     order <= PAGE_ALLOC_COSTLY_ORDER))
		pgr__pcp_free_high(z, cpu, order, pindex);
}

/*
 * __rmqueue_pcplist() when the list of @order and @mt is not empty: its
 * first (newest) page, off the list.  PGR_NO_PAGE, with nothing changed,
 * when it is empty: the caller then takes the full path (refill).
 */
static inline __attribute__((always_inline)) uint32_t
pcp_take(struct zone *z, unsigned int cpu, unsigned int order, int mt)
{
	struct per_cpu_pages *pcp = &z->pcp[cpu];
	uint32_t head = pcp_list_id(z, cpu, order_to_pindex(order, mt));
	uint32_t id = z->pages[head].next;

	if (unlikely(id == head))
		return PGR_NO_PAGE;
	pcp->free_factor >>= 1;
	list_del_id(z, id);
	pcp_count_sub(z, pcp, 1ULL << order);
	return id;
}

#endif /* PGR_MM_PCP_H */
