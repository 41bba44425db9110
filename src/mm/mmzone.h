/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Zones and nodes of the allocator model (the kernel's mmzone.h):
 * struct zone, struct pgr_node, the free lists' ids and the
 * pageblocks.  Internal: not installed.
 *
 * Layout of a zone's metadata: pages[0 .. nr_pages-1] are the page frames
 * (index = pfn - start_pfn), pages[nr_pages .. nr_pages + nr_lists - 1] are
 * the list heads of free_area[order].free_list[mt].  Lists are circular and
 * doubly linked through 32-bit ids, exactly like the kernel's list_head, so
 * "a pointer to the list head or to an element" (v11's reported_boundary)
 * is simply an id.
 */
#ifndef PGR_MM_MMZONE_H
#define PGR_MM_MMZONE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pagereport/pagereport.h>

#include "lock.h"
#include "mm/mm_types.h"
#include "rand.h"

/* struct per_cpu_pages (6.1.0); the lists' heads follow the free lists'. */
struct per_cpu_pages {
	uint64_t count; /* base pages on the lists */
	unsigned int high, batch;
	unsigned int free_factor;
};

struct free_area {
	uint64_t nr_free; /* blocks, over all migratetypes */
};

/* Zone flags (v11). */
#define ZONE_PAGE_REPORTING_REQUESTED 0x1
#define ZONE_PAGE_REPORTING_ACTIVE    0x2

struct zone {
	struct pgr_node *node;
	unsigned int idx;
	char name[16];
	uint64_t start_pfn;
	uint32_t nr_pages;	/* spanned */
	uint32_t managed_pages; /* zone_managed_pages(): <= nr_pages */
	uint32_t nr_lists;	/* max_order * PGR_MIGRATE_TYPES */
	/* nonzero keeps order 0 off the fast paths of page_alloc.c: per-CPU
	 * lists on, or (free only) a zone start not 4-page aligned */
	uint32_t alloc0_slow, free0_slow;
	/* nonzero: start or size not a multiple of a MAX_ORDER-1 block, so
	 * buddies need the range check (page_alloc.c's merge_aligned());
	 * merge0_slow: that, or a MAX_ORDER other than the default
	 * (free_order0_merging()) */
	uint32_t merge_unaligned, merge0_slow;
	struct page *pages;    /* nr_pages + nr_lists entries */
	size_t pages_bytes;    /* mmap length of pages[] */
	uint8_t *pageblock_mt; /* one byte per (partial) pageblock */
	uint32_t nr_pageblocks;
	uint64_t pb_base_pfn; /* start_pfn aligned down to a pageblock */

	pgr_spinlock_t lock;
	struct free_area free_area[PGR_MAX_ORDER_LIMIT];
	uint64_t nr_free_pages; /* NR_FREE_PAGES (not ISOLATE, not held) */
	uint64_t nr_isolate_pageblock;
	uint64_t nr_allocated_pages;
	uint64_t nr_isolated_pages; /* PG_isolated blocks, in pages */
	uint64_t watermark[PGR_NR_WMARK];
	uint64_t nr_reserved_highatomic; /* pages; see pgr_set_pageblock_mt */
	bool populated;

	/* v11 reporting state; see src/reporting/v11.c */
	unsigned long flags;	  /* ZONE_PAGE_REPORTING_* under lock */
	uint64_t *reported_pages; /* [order - min_order] or NULL */
	uint64_t reported_pages_store[PGR_MAX_ORDER_LIMIT];

	/*
	 * Host-side accounting under the zone lock (see
	 * pgr_reporting_get_accounting): pages with PG_discarded, and what
	 * allocation found discarded (each such page is a refault: the host
	 * must supply a zeroed page; one allocation = one event).
	 */
	uint64_t nr_discarded_pages;
	uint64_t nr_refault_pages;
	uint64_t nr_refault_events;
	uint64_t nr_rereported_pages;

	/*
	 * Per-CPU lists (src/mm/pcp.c), NULL when off.  List heads of CPU c
	 * are ids pcp_list_base + c * pcp_nr_lists + pindex, after the free
	 * lists' heads in pages[].  All under the zone lock.
	 */
	struct per_cpu_pages *pcp;
	uint32_t pcp_list_base;
	uint32_t pcp_nr_lists; /* 12, or 13 with the THP list */
	uint64_t pcp_pages;    /* sum of pcp[].count */
	uint64_t pcp_high_pages;
	uint64_t pcp_drains;
	uint64_t pcp_drain_all;
};

struct pgr_reporting;
struct pgr_reporting_hooks;

struct pgr_node {
	unsigned int max_order;
	unsigned int pageblock_order;
	unsigned int nr_zones;
	bool shuffle;
	struct zone zones[PGR_MAX_ZONES];
	unsigned int profile; /* enum pgr_kernel_profile */
	/*
	 * 5.10+ FPI_TO_TAIL placement (populate, putback, move_to_free_list);
	 * the profile's, or set while a device with return_to_tail is
	 * registered (see engine.c).
	 */
	bool fpi_to_tail;
	bool pcp;	      /* per-CPU lists (6.1) are on */
	bool no_hugetlb;      /* no THP pcp list */
	unsigned int nr_cpus; /* >= 1 */

	/*
	 * shuffle_pick_tail() state: one u64 draw per 64 calls.  Node-wide
	 * but used under any zone's lock, so its own leaf lock (innermost;
	 * single-threaded runs draw in the same order: same seed, same lists).
	 */
	pgr_spinlock_t shuffle_lock;
	struct pgr_rand rand;
	uint64_t shuffle_rand;
	unsigned int shuffle_rand_bits;

	/*
	 * Reporting hooks read by mm under the zone lock.  rep is set while a
	 * device is registered; the fields below are copies mm needs on hot
	 * paths (the kernel's static key and PAGE_REPORTING_MIN_ORDER).
	 */
	struct pgr_reporting *rep;
	const struct pgr_reporting_hooks *rep_hooks; /* see below */
	atomic_bool rep_notify; /* static key page_reporting_enabled */
	unsigned int rep_order; /* lowest reported order */
	/*
	 * unset_migratetype_isolate() frees the pages back with an ordinary
	 * free (5.4, what the v11 series is based on) rather than 5.7's
	 * __putback_isolated_page(); set by a device whose strategy asks.
	 */
	bool unisolate_notifies;
	bool rep_track_discard;	     /* maintain PG_discarded */
	uint32_t *reported_boundary; /* v11: [(order-min)*MT + mt] list ids */
};

/* ---- ids and lists ---------------------------------------------------- */

static inline unsigned int pageblock_order(const struct zone *z)
{
	return z->node->pageblock_order;
}

static inline unsigned int max_order(const struct zone *z)
{
	return z->node->max_order;
}

static inline uint32_t free_list_id(const struct zone *z, unsigned int order,
				    int mt)
{
	return z->nr_pages + order * PGR_MIGRATE_TYPES + (uint32_t)mt;
}

static inline bool id_is_list_head(const struct zone *z, uint32_t id)
{
	return id >= z->nr_pages;
}

static inline struct page *id_page(struct zone *z, uint32_t id)
{
	return &z->pages[id];
}

static inline uint64_t id_pfn(const struct zone *z, uint32_t id)
{
	return z->start_pfn + id;
}

static inline uint32_t pfn_id(const struct zone *z, uint64_t pfn)
{
	return (uint32_t)(pfn - z->start_pfn);
}

static inline bool zone_spans_pfn(const struct zone *z, uint64_t pfn)
{
	return pfn >= z->start_pfn && pfn - z->start_pfn < z->nr_pages;
}

/* list_head primitives on ids (include/linux/list.h semantics). */
static inline void list_init(struct zone *z, uint32_t head)
{
	z->pages[head].next = head;
	z->pages[head].prev = head;
}

static inline bool list_empty_id(struct zone *z, uint32_t head)
{
	return z->pages[head].next == head;
}

static inline void __list_add_id(struct zone *z, uint32_t n, uint32_t prev,
				 uint32_t next)
{
	z->pages[next].prev = n;
	z->pages[n].next = next;
	z->pages[n].prev = prev;
	z->pages[prev].next = n;
}

/* list_add: insert @n after @head. */
static inline void list_add_id(struct zone *z, uint32_t n, uint32_t head)
{
	__list_add_id(z, n, head, z->pages[head].next);
}

/* list_add_tail: insert @n before @head. */
static inline void list_add_tail_id(struct zone *z, uint32_t n, uint32_t head)
{
	__list_add_id(z, n, z->pages[head].prev, head);
}

static inline void list_del_id(struct zone *z, uint32_t n)
{
	uint32_t prev = z->pages[n].prev, next = z->pages[n].next;

	z->pages[next].prev = prev;
	z->pages[prev].next = next;
	z->pages[n].next = z->pages[n].prev = 0;
}

/* ---- pageblocks ------------------------------------------------------- */

static inline uint32_t pageblock_idx(const struct zone *z, uint64_t pfn)
{
	return (uint32_t)((pfn - z->pb_base_pfn) >> pageblock_order(z));
}

static inline int get_pfnblock_migratetype(const struct zone *z, uint64_t pfn)
{
	return z->pageblock_mt[pageblock_idx(z, pfn)];
}

static inline bool has_isolate_pageblock(const struct zone *z)
{
	return z->nr_isolate_pageblock != 0;
}

#endif /* PGR_MM_MMZONE_H */
