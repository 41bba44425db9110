/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpagereport: the buddy allocator model (node, zones, free areas).
 *
 * A node holds one or more zones; each zone is a span of page frames with
 * its own free_area[order].free_list[migratetype], pageblock migratetypes,
 * watermarks and lock, modelled on Linux 5.4-5.7 mm/page_alloc.c.  Every
 * function returns 0 or a negative errno and leaves the state unchanged on
 * failure; pgr_errmsg() then says why.  All zone operations are thread-safe
 * (they take the zone lock).
 */
#ifndef PAGEREPORT_MM_H
#define PAGEREPORT_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PGR_EXPORT __attribute__((visibility("default")))
#else
#define PGR_EXPORT
#endif

/* Kernel defaults (x86-64, 4 KiB pages). */
#define PGR_PAGE_SHIFT		    12
#define PGR_PAGE_SIZE		    (1UL << PGR_PAGE_SHIFT)
#define PGR_MAX_ORDER_DEFAULT	    11 /* orders 0..10 */
#define PGR_PAGEBLOCK_ORDER_DEFAULT 9
#define PGR_MAX_ORDER_LIMIT	    16 /* largest configurable MAX_ORDER */
#define PGR_MAX_ZONES		    4

/* Models enum migratetype (CONFIG_CMA off, CONFIG_MEMORY_ISOLATION on). */
enum pgr_migratetype {
	PGR_MIGRATE_UNMOVABLE = 0,
	PGR_MIGRATE_MOVABLE = 1,
	PGR_MIGRATE_RECLAIMABLE = 2,
	PGR_MIGRATE_HIGHATOMIC = 3, /* == MIGRATE_PCPTYPES */
	PGR_MIGRATE_ISOLATE = 4,
	PGR_MIGRATE_TYPES = 5,
};

enum pgr_wmark {
	PGR_WMARK_MIN = 0,
	PGR_WMARK_LOW = 1,
	PGR_WMARK_HIGH = 2,
	PGR_NR_WMARK = 3,
};

struct pgr_node;
struct pgr_zone;

/* One zone: a span of page frames [start_pfn, start_pfn + nr_pages). */
struct pgr_zone_config {
	const char *name;   /* e.g. "DMA32"; NULL = "zoneN"; <= 15 chars */
	uint64_t start_pfn; /* any pfn; zones must not overlap */
	uint64_t nr_pages;  /* any size >= 1, < 2^32 - 1024 */
	/* Watermarks in pages; all zero = computed as the kernel does from
	 * min_free_kbytes and watermark_scale_factor 10. */
	uint64_t watermark[PGR_NR_WMARK];
	/*
	 * zone_managed_pages(): the pages the buddy allocator manages, which
	 * can be far fewer than spanned (a guest's holes, memmap, the kernel
	 * image; /proc/zoneinfo "managed").  0 = nr_pages; at most nr_pages.
	 * The computed watermarks and the per-CPU lists' batch and high are
	 * derived from it, as the kernel derives them.
	 */
	uint64_t managed_pages;
};

/*
 * Kernel-version profiles: the version-dependent choices of the allocator
 * and of reporting, set together (pgr_node_config.profile).
 *   DEFAULT  the model's 5.4/5.7 choices, as before profiles existed
 *   5_4      v11 era (Duyck v11 applies to 5.4): as DEFAULT
 *   5_7      free page reporting merged: as DEFAULT
 *   5_10     FPI_TO_TAIL (David Hildenbrand, 5.10): boot/onlined memory
 *            (__free_pages_core, i.e. pgr_zone_populate), every
 *            __putback_isolated_page (reported pages, un-isolation,
 *            pgr_putback_isolated_page) and move_to_free_list
 *            (list_move_tail) place blocks at the tail
 *   6_1      5_10's placement, and the reporting order parameter
 *            (page_reporting_order, 5.14+); before 6_1 a reporting order
 *            other than pageblock_order is refused (PAGE_REPORTING_MIN_ORDER)
 * Per-CPU lists (6.1) are not modelled yet.
 */
enum pgr_kernel_profile {
	PGR_PROFILE_DEFAULT = 0,
	PGR_PROFILE_5_4,
	PGR_PROFILE_5_7,
	PGR_PROFILE_5_10,
	PGR_PROFILE_6_1,
};

/*
 * Per-CPU page lists (struct per_cpu_pages, Linux 6.1.0 mm/page_alloc.c):
 *   PROFILE  on for PGR_PROFILE_6_1, off for every other profile (so
 *            results of DEFAULT and 5.x are unchanged)
 *   OFF      never: every free reaches the buddy at once (5.x model)
 *   ON       always, whatever the profile
 */
enum pgr_pcp_mode {
	PGR_PCP_PROFILE = 0,
	PGR_PCP_OFF,
	PGR_PCP_ON,
};

struct pgr_node_config {
	unsigned max_order;	  /* MAX_ORDER; 0 = 11 */
	unsigned pageblock_order; /* 0 = 9; must be < max_order */
	bool shuffle; /* CONFIG_SHUFFLE_PAGE_ALLOCATOR + page_alloc.shuffle=1 */
	uint64_t seed;	   /* PRNG seed for shuffle (same seed, same state) */
	unsigned nr_zones; /* 1..PGR_MAX_ZONES */
	struct pgr_zone_config zones[PGR_MAX_ZONES];
	enum pgr_kernel_profile profile; /* 0 = PGR_PROFILE_DEFAULT */
	/* When set, selects the profile by name ("5.4" ... "6.1") instead. */
	const char *profile_name;
	/*
	 * A kernel without CONFIG_HUGETLB_PAGE (e.g. User-Mode Linux):
	 * pageblock_order defaults to MAX_ORDER-1 (pageblock-flags.h, 5.4 to
	 * 6.1), and an explicit other pageblock_order is refused.
	 */
	bool no_hugetlb;
	/*
	 * CPUs of the node, each with its own per-CPU lists per zone; 0 = 1,
	 * at most PGR_PCP_MAX_CPUS.
	 * Only used with per-CPU lists (zone_highsize divides by it).
	 */
	unsigned nr_cpus;
	enum pgr_pcp_mode pcp; /* 0 = PGR_PCP_PROFILE */
};

/*
 * Per-CPU page lists (Linux 6.1.0 mm/page_alloc.c, when pcp is on):
 * each zone has, per CPU, lists for orders 0..3 (PAGE_ALLOC_COSTLY_ORDER)
 * and migratetypes UNMOVABLE/MOVABLE/RECLAIMABLE (pindex = 3*order + mt,
 * order_to_pindex), plus one THP list for order == pageblock_order
 * (NR_PCP_THP = 1 in 6.1.0) unless no_hugetlb.  batch and high come from
 * the zone as zone_batchsize() and zone_highsize() compute them (managed
 * pages = spanned pages, high = low watermark / nr_cpus, at least
 * 4*batch).  Pages on these lists are neither free (not on free_area, not
 * in nr_free_pages, never reported) nor allocated: PGR_PAGE_PCP.
 *   free  (free_unref_page + free_unref_page_commit): an ISOLATE
 *         pageblock's page goes to the buddy, a HIGHATOMIC one to the
 *         MOVABLE list; list_add at the head; at count >= high (0 when
 *         free_high: free_factor != 0 and 1 <= order <= 3) nr_pcp_free()
 *         pages go back through free_pcppages_bulk(): from the list just
 *         freed to, the tail first, then round robin, each page through
 *         __free_one_page (merging, reporting notification at the merged
 *         order).  6.1.0: no PCP_BATCH_SCALE_MAX cap on free_factor.
 *   alloc (rmqueue_pcplist): free_factor >>= 1; an empty list is refilled
 *         by rmqueue_bulk() with batch (order 0) or max(batch >> order, 2)
 *         blocks of the requested order, each to the tail; the head is
 *         taken.  HIGHATOMIC requests and other orders use the buddy.
 *   shortage: an allocation that fails (watermark or no block) drains
 *         every CPU's lists of the zone once and retries once
 *         (__alloc_pages_direct_reclaim's drain_all_pages, reclaim and
 *         unreserve_highatomic_pageblock left out).
 * Not modelled: ZONE_RECLAIM_ACTIVE (its min(4*batch, high)), the pcp
 * trylock failing (the model serialises the lists under the zone lock),
 * free_unref_page_list batching, drain_zone_pages (NUMA expire, vmstat),
 * percpu_pagelist_high_fraction, CPU hotplug, CMA.
 */
#define PGR_PCP_ALL_CPUS (-1) /* pgr_zone_drain_pages(): every CPU */
#define PGR_PCP_MAX_CPUS 64   /* largest pgr_node_config.nr_cpus */

/*
 * Allocation flags for pgr_alloc_pages():
 *   NOFRAGMENT   ALLOC_NOFRAGMENT: fall back only at >= pageblock_order
 *   WMARK_MIN    fail with -ENOMEM below the min watermark
 *   WMARK_LOW    fail with -ENOMEM below the low watermark
 *   NO_FALLBACK  __rmqueue_smallest only
 */
#define PGR_ALLOC_NOFRAGMENT  0x1
#define PGR_ALLOC_WMARK_MIN   0x2
#define PGR_ALLOC_WMARK_LOW   0x4
#define PGR_ALLOC_NO_FALLBACK 0x8

/* A snapshot of a zone's counters (pgr_zone_get_info). */
struct pgr_zone_info {
	char name[16];
	uint64_t start_pfn;
	uint64_t nr_pages; /* spanned */
	unsigned max_order;
	unsigned pageblock_order;
	uint64_t nr_free_pages;		/* NR_FREE_PAGES: free, not ISOLATE */
	uint64_t nr_free_isolate_pages; /* free pages on ISOLATE lists */
	uint64_t nr_allocated_pages;	/* handed out by alloc/take */
	uint64_t nr_isolated_pages; /* held off the lists (isolate_free_page,
				       reporting) */
	/* free_area[o].nr_free (blocks) */
	uint64_t nr_free[PGR_MAX_ORDER_LIMIT];
	uint64_t nr_free_mt[PGR_MAX_ORDER_LIMIT]
			   [PGR_MIGRATE_TYPES];	   /* list lengths */
	uint64_t nr_reported[PGR_MAX_ORDER_LIMIT]; /* PageReported blocks */
	uint64_t nr_pageblocks_mt[PGR_MIGRATE_TYPES];
	uint64_t nr_isolate_pageblock;
	uint64_t watermark[PGR_NR_WMARK];
	size_t metadata_bytes; /* page metadata + pageblock flags */
	/* zone->nr_reserved_highatomic: pages of pageblocks made HIGHATOMIC */
	uint64_t nr_reserved_highatomic;
	uint64_t managed_pages; /* pgr_zone_config.managed_pages in effect */
	/* Per-CPU lists (all zero when off): */
	uint64_t pcp_pages;	      /* base pages on every CPU's lists now */
	uint64_t pcp_high_pages;      /* the most pcp_pages has been */
	uint64_t pcp_drains;	      /* free_pcppages_bulk() calls */
	uint64_t pcp_drain_all;	      /* drains of every CPU on a shortage */
	unsigned pcp_batch, pcp_high; /* per_cpu_pages.batch and .high */
};

/**
 * pgr_errmsg - the detail of the last failure in this thread
 *
 * The message belongs to the last call that failed in this thread, which
 * is the last call only if that call returned an error (a negative errno,
 * or NULL for a constructor): a successful call leaves the previous
 * message in place.  Read it right after a failing call, or call
 * pgr_errmsg_clear() before a call to tell afterwards whether that call
 * left a message.  Other threads' failures never change it.
 *
 * Return: a thread-local string, "" when nothing failed in this thread
 * since it started or since pgr_errmsg_clear().
 */
PGR_EXPORT const char *pgr_errmsg(void);

/**
 * pgr_kernel_profile_from_name - "default", "5.4", "5.7", "5.10" or "6.1"
 * @name: the profile's name
 *
 * Return: the enum pgr_kernel_profile value, or -EINVAL (unknown or NULL
 * name, with a pgr_errmsg() message).
 */
PGR_EXPORT int pgr_kernel_profile_from_name(const char *name);

/**
 * pgr_kernel_profile_name - the name of a profile
 * @profile: an enum pgr_kernel_profile value
 *
 * Return: a static string, or NULL for an unknown value.
 */
PGR_EXPORT const char *pgr_kernel_profile_name(enum pgr_kernel_profile profile);

/**
 * pgr_errmsg_clear - forget this thread's last failure message
 *
 * Afterwards pgr_errmsg() returns "" until a call fails.
 */
PGR_EXPORT void pgr_errmsg_clear(void);

/**
 * pgr_node_create - build a node with empty zones (no page is free yet)
 * @cfg: configuration; zones must not overlap
 *
 * Return: the node, or NULL with errno set (EINVAL bad config, ENOMEM).
 */
PGR_EXPORT struct pgr_node *pgr_node_create(const struct pgr_node_config *cfg);

/**
 * pgr_node_destroy - unregister reporting and free the node; NULL is ignored
 */
PGR_EXPORT void pgr_node_destroy(struct pgr_node *node);

/** pgr_node_zone - zone @idx of @node, or NULL. */
PGR_EXPORT struct pgr_zone *pgr_node_zone(struct pgr_node *node, unsigned idx);
PGR_EXPORT unsigned pgr_node_nr_zones(const struct pgr_node *node);
PGR_EXPORT struct pgr_node *pgr_zone_node(struct pgr_zone *zone);

/**
 * pgr_zone_populate - release every page of the zone to the buddy allocator
 *
 * As the kernel's boot-time memblock_free_all(): pageblocks are set MOVABLE,
 * pages are freed in the largest naturally aligned chunks (<= MAX_ORDER-1)
 * through free_one_page, then shuffle_zone() runs when shuffle is on.
 * Return: 0, -EBUSY if the zone was already populated.
 */
PGR_EXPORT int pgr_zone_populate(struct pgr_zone *zone);

/**
 * pgr_zone_offline - take a fully free zone offline (memory hot-remove)
 *
 * Every page must be free (none allocated or isolated; per-CPU lists are
 * drained first, as zone_pcp_disable() does): the lists are emptied and the
 * zone becomes unpopulated (v11: reported_pages freed).
 * Return: 0, -EBUSY if pages are in use.
 */
PGR_EXPORT int pgr_zone_offline(struct pgr_zone *zone);

/**
 * pgr_alloc_pages - allocate a 2^@order block (__rmqueue)
 * @mt: UNMOVABLE, MOVABLE, RECLAIMABLE or HIGHATOMIC (no fallback)
 * @flags: PGR_ALLOC_*
 * @r_pfn: first pfn of the block
 *
 * With per-CPU lists this is pgr_alloc_pages_cpu() for CPU 0, and a
 * failure first drains every CPU's lists of the zone and retries once.
 * Return: 0, -EINVAL (bad order/mt/flags), -ENOMEM (no block, watermark).
 */
PGR_EXPORT int pgr_alloc_pages(struct pgr_zone *zone, unsigned order,
			       enum pgr_migratetype mt, unsigned flags,
			       uint64_t *r_pfn);

/**
 * pgr_free_pages - free a block obtained from pgr_alloc_pages/pgr_take_block
 *
 * With per-CPU lists a block of a pcp order goes to CPU 0's list
 * (pgr_free_pages_cpu()); a block on a pcp list is not allocated, so
 * freeing it again is -EINVAL.
 * Return: 0, -ERANGE (pfn outside the zone), -EINVAL (unaligned, wrong
 * order, not an allocated block: double free).
 */
PGR_EXPORT int pgr_free_pages(struct pgr_zone *zone, uint64_t pfn,
			      unsigned order);

/**
 * pgr_alloc_pages_cpu - pgr_alloc_pages() on behalf of CPU @cpu
 * @cpu: 0..nr_cpus-1; selects whose per-CPU lists are used
 *
 * pgr_alloc_pages() is this with CPU 0.  Without per-CPU lists @cpu only
 * has to be valid.  Return: as pgr_alloc_pages(), and -EINVAL for @cpu >=
 * nr_cpus.
 */
PGR_EXPORT int pgr_alloc_pages_cpu(struct pgr_zone *zone, unsigned cpu,
				   unsigned order, enum pgr_migratetype mt,
				   unsigned flags, uint64_t *r_pfn);

/**
 * pgr_free_pages_cpu - pgr_free_pages() on behalf of CPU @cpu
 * @cpu: 0..nr_cpus-1; whose per-CPU lists receive the block
 *
 * pgr_free_pages() is this with CPU 0.  Return: as pgr_free_pages(), and
 * -EINVAL for @cpu >= nr_cpus.
 */
PGR_EXPORT int pgr_free_pages_cpu(struct pgr_zone *zone, unsigned cpu,
				  uint64_t pfn, unsigned order);

/**
 * pgr_zone_drain_pages - drain_pages_zone(): give every page on @cpu's
 * per-CPU lists of @zone back to the buddy (free_pcppages_bulk from
 * pindex 0); @cpu PGR_PCP_ALL_CPUS drains every CPU (drain_all_pages for
 * the zone).  Without per-CPU lists there is nothing to drain.
 * Return: 0, -EINVAL (NULL zone, @cpu not a CPU nor PGR_PCP_ALL_CPUS).
 */
PGR_EXPORT int pgr_zone_drain_pages(struct pgr_zone *zone, int cpu);

/**
 * pgr_take_block - take the 2^@order block at @pfn out of the free lists
 *
 * Splits the free block that contains it as needed (like
 * take_page_off_buddy), so a test can build an exact fragmentation state.
 * The block becomes allocated (free it with pgr_free_pages).
 * Return: 0, -ERANGE, -EINVAL (unaligned/order), -EBUSY (not entirely free).
 */
PGR_EXPORT int pgr_take_block(struct pgr_zone *zone, uint64_t pfn,
			      unsigned order);

/**
 * pgr_isolate_free_page - __isolate_free_page() on the free block at @pfn
 *
 * The block must be a free buddy of exactly @order.  Checks the min
 * watermark (unless its pageblock is ISOLATE) and, for order >=
 * pageblock_order - 1, converts its pageblocks to MOVABLE as the kernel does.
 * Return: 0, -EINVAL/-ERANGE, -ENOENT (not a free block of that order),
 * -ENOSPC (watermark check failed).
 */
PGR_EXPORT int pgr_isolate_free_page(struct pgr_zone *zone, uint64_t pfn,
				     unsigned order);

/**
 * pgr_putback_isolated_page - __putback_isolated_page(): return an isolated
 * block to the free lists with its pageblock's migratetype (no reporting
 * notification).  Return: 0, -ERANGE (outside the zone), -EINVAL if @pfn
 * is not an isolated block of @order, -EBUSY if the reporting engine holds
 * it (it is being reported; the engine puts it back).
 */
PGR_EXPORT int pgr_putback_isolated_page(struct pgr_zone *zone, uint64_t pfn,
					 unsigned order);

/**
 * pgr_isolate_range - start_isolate_page_range() on whole pageblocks
 * @start_pfn, @nr_pages: aligned to pageblock_nr_pages, inside the zone
 *
 * Free blocks larger than a pageblock that straddle the range edge are
 * split at pageblock granularity first; per-CPU lists of the zone are
 * drained before the isolation (offline_pages' zone_pcp_disable).
 * Return: 0, -EINVAL, -ERANGE,
 * -EBUSY (a pageblock already isolated; nothing changed).
 */
PGR_EXPORT int pgr_isolate_range(struct pgr_zone *zone, uint64_t start_pfn,
				 uint64_t nr_pages);

/** pgr_undo_isolate_range - undo_isolate_page_range() back to @mt. */
PGR_EXPORT int pgr_undo_isolate_range(struct pgr_zone *zone, uint64_t start_pfn,
				      uint64_t nr_pages,
				      enum pgr_migratetype mt);

/**
 * pgr_set_pageblock_migratetype - set the type of the pageblock holding
 * @pfn and move its free pages (move_freepages_block); not ISOLATE.
 *
 * Making a pageblock HIGHATOMIC plays reserve_highatomic_pageblock() and
 * adds a pageblock to the zone's nr_reserved_highatomic; turning a
 * HIGHATOMIC one into another type plays unreserve_highatomic_pageblock()
 * and takes it off again (never below 0).  Ordinary watermark checks
 * subtract that reserve from the free pages, as __zone_watermark_ok does.
 */
PGR_EXPORT int pgr_set_pageblock_migratetype(struct pgr_zone *zone,
					     uint64_t pfn,
					     enum pgr_migratetype mt);

/**
 * pgr_pageblock_migratetype - type of the pageblock holding @pfn, or -ERANGE
 */
PGR_EXPORT int pgr_pageblock_migratetype(struct pgr_zone *zone, uint64_t pfn);

/** pgr_zone_shuffle - __shuffle_zone(): swap free MAX_ORDER-1 blocks. */
PGR_EXPORT int pgr_zone_shuffle(struct pgr_zone *zone);

/**
 * pgr_zone_compact_rotate - what compaction does to a free list in v11:
 * reset the reporting boundary of (order, MOVABLE)
 * (page_reporting_free_area_release), then rotate the MOVABLE list so that
 * the block at @pfn becomes its head (move_freelist_head).
 * Return: 0, -ENOENT if @pfn is not a free MOVABLE block of @order.
 */
PGR_EXPORT int pgr_zone_compact_rotate(struct pgr_zone *zone, unsigned order,
				       uint64_t pfn);

/** pgr_zone_get_info - counters snapshot (O(pageblocks)). */
PGR_EXPORT int pgr_zone_get_info(struct pgr_zone *zone,
				 struct pgr_zone_info *r_info);

/**
 * pgr_zone_watermark_ok - zone_watermark_ok(zone, order, mark, 0, ALLOC_CMA)
 */
PGR_EXPORT bool pgr_zone_watermark_ok(struct pgr_zone *zone, unsigned order,
				      uint64_t mark);

/**
 * pgr_zone_check - walk the zone and verify every invariant
 * (listed in doc/invariants.md, installed in $(docdir)/invariants.md).
 * @buf/@len: receives the first violation, may be NULL
 * Return: 0, or -EUCLEAN naming the first violation.
 */
PGR_EXPORT int pgr_zone_check(struct pgr_zone *zone, char *buf, size_t len);

/** pgr_node_check - pgr_zone_check on every zone plus node-wide checks. */
PGR_EXPORT int pgr_node_check(struct pgr_node *node, char *buf, size_t len);

/*
 * Page state queries (for tests and tools).  Each takes the zone lock.
 */
enum pgr_page_state {
	PGR_PAGE_TAIL = 0,	/* inside a block, not its head */
	PGR_PAGE_FREE = 1,	/* head of a free buddy block */
	PGR_PAGE_ALLOCATED = 2, /* head of an allocated block */
	PGR_PAGE_ISOLATED = 3,	/* head of a block isolated off the lists */
	PGR_PAGE_PCP = 4,	/* head of a block on a per-CPU list (6.1) */
};

struct pgr_page_info {
	enum pgr_page_state state;
	unsigned order;	 /* of the block (head pages only) */
	int migratetype; /* free: the list it is on; else pageblock type */
	/* PCP: the type the page was freed with (get_pcppage_migratetype) */
	bool reported;	/* PageReported */
	bool discarded; /* the host discarded it since it was last allocated */
};

PGR_EXPORT int pgr_page_get_info(struct pgr_zone *zone, uint64_t pfn,
				 struct pgr_page_info *r_info);

/**
 * pgr_free_list_walk - copy the pfns of free_area[order].free_list[mt]
 * from head to tail into @pfns (at most @max), for tests and tools.
 * Return: the list length (may exceed @max), or -errno.
 */
PGR_EXPORT long pgr_free_list_walk(struct pgr_zone *zone, unsigned order,
				   enum pgr_migratetype mt, uint64_t *pfns,
				   size_t max);

PGR_EXPORT const char *pgr_migratetype_name(int mt);

/* pgr_zone_dump flags */
#define PGR_DUMP_MIGRATETYPES 0x1 /* also /proc/pagetypeinfo-style rows */

/**
 * pgr_zone_dump - write the zone's free blocks per order as a line of
 * /proc/buddyinfo ("Node <nid>, zone <name> <nr_free[0]> ...")
 * @nid: the node number to print
 * @flags: PGR_DUMP_MIGRATETYPES adds one pagetypeinfo-style line per
 *	migratetype
 * Return: 0, -EINVAL (NULL, unknown flag), -EIO (write error).
 */
PGR_EXPORT int pgr_zone_dump(struct pgr_zone *zone, unsigned nid, FILE *f,
			     unsigned flags);

/** pgr_node_dump - pgr_zone_dump() of every zone of @node, in order. */
PGR_EXPORT int pgr_node_dump(struct pgr_node *node, unsigned nid, FILE *f,
			     unsigned flags);

/** pgr_metadata_bytes_per_page - bytes of metadata the model keeps per page. */
PGR_EXPORT size_t pgr_metadata_bytes_per_page(void);

#ifdef __cplusplus
}
#endif
#endif /* PAGEREPORT_MM_H */
