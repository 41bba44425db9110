/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal structures shared by the allocator model (src/mm) and the
 * reporting engine (src/reporting).  Not installed.
 *
 * Layout of a zone's metadata: pages[0 .. nr_pages-1] are the page frames
 * (index = pfn - start_pfn), pages[nr_pages .. nr_pages + nr_lists - 1] are
 * the list heads of free_area[order].free_list[mt].  Lists are circular and
 * doubly linked through 32-bit ids, exactly like the kernel's list_head, so
 * "a pointer to the list head or to an element" (v11's reported_boundary)
 * is simply an id.
 */
#ifndef PGR_INTERNAL_H
#define PGR_INTERNAL_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include <pagereport/pagereport.h>

#include "debug.h"
#include "lock.h"
#include "rand.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Page flags (struct page.flags). */
#define PG_buddy     0x01 /* head of a free block on a free list */
#define PG_reported  0x02 /* PageReported: only meaningful with PG_buddy */
#define PG_alloc     0x04 /* head of an allocated block */
#define PG_isolated  0x08 /* head of a block isolated off the lists */
#define PG_discarded 0x10 /* engine: host discarded it, not reallocated */
/*
 * A head on a per-CPU list (6.1, src/mm/pcp.c): both PG_alloc and
 * PG_isolated, a combination no other block has (the flags byte has no
 * spare bit).  index holds the migratetype it was freed with
 * (get_pcppage_migratetype), next/prev link it into its pcp list.  Test
 * it with page_is_pcp(), never with one of the two bits.
 */
#define PG_pcp (PG_alloc | PG_isolated)

/*
 * 12 bytes per page frame.  Only block heads carry state; every other page
 * is all zero except next/prev, which are unused there.
 *
 * index, order and flags share one 32-bit word, info: the hot paths read
 * a head's state with one load, test it with one mask-and-compare and
 * write it with one store (PAGE_INFO()), instead of byte-wide loads and
 * stores, which also may alias anything and force reloads.  The named
 * fields stay for everything else (union type punning, as GCC defines).
 */
struct page {
	uint32_t next; /* list link (page id or list-head id) */
	uint32_t prev;
	union {
		struct {
			uint16_t index; /* v11 page->index: boundary index
					 * cache; PG_alloc: the migratetype
					 * allocated for; PG_isolated: who
					 * holds it (ISOLATED_BY_*) */
			uint8_t order;	/* PG_buddy/PG_alloc/PG_isolated */
			uint8_t flags;
		};
		uint32_t info; /* the three above: PAGE_INFO() */
	};
};

/* Where index, order and flags sit inside page.info. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PAGE_INFO_INDEX_SHIFT 0
#define PAGE_INFO_ORDER_SHIFT 16
#define PAGE_INFO_FLAGS_SHIFT 24
#else
#define PAGE_INFO_INDEX_SHIFT 16
#define PAGE_INFO_ORDER_SHIFT 8
#define PAGE_INFO_FLAGS_SHIFT 0
#endif
#define PAGE_INFO(flags, order, index)                        \
	((uint32_t)((flags)&0xffu) << PAGE_INFO_FLAGS_SHIFT | \
	 (uint32_t)((order)&0xffu) << PAGE_INFO_ORDER_SHIFT | \
	 (uint32_t)((index)&0xffffu) << PAGE_INFO_INDEX_SHIFT)
_Static_assert(sizeof(struct page) == 12, "struct page is 12 bytes");

/*
 * Who holds a PG_isolated block: the caller of pgr_isolate_free_page, who
 * may put it back, or the reporting engine, whose drain will.
 */
#define ISOLATED_BY_CALLER    0
#define ISOLATED_BY_REPORTING 1
/* reporting: the sink's device may still discard it (src/reporting/held.c) */
#define ISOLATED_BY_DEAD_DEVICE 2

static inline bool page_is_pcp(const struct page *p)
{
	return (p->flags & PG_pcp) == PG_pcp;
}

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
	atomic_bool rep_notify;	     /* static key page_reporting_enabled */
	unsigned int rep_order;	     /* lowest reported order */
	bool rep_v11;		     /* v11-boundary or v11-rescan */
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

/* ---- the model (src/mm) ------------------------------------------------ */

/* Error reporting: set the thread's message and return -err. */
int pgr__error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Free-list manipulators (src/mm/free_list.c); zone lock held. */
void pgr__add_to_free_list(struct zone *z, uint32_t id, unsigned int order,
			   int mt);
void pgr__add_to_free_list_tail(struct zone *z, uint32_t id, unsigned int order,
				int mt);
void pgr__move_to_free_list(struct zone *z, uint32_t id, unsigned int order,
			    int mt);
void pgr__del_page_from_free_list(struct zone *z, uint32_t id,
				  unsigned int order);
/* set_pageblock_migratetype(): the pageblock's bits only. */
void pgr__set_pageblock_migratetype(struct zone *z, uint64_t pfn, int mt);

/* The migratetype of the list free block @id is on, or -1 (not free). */
int pgr__free_block_mt(struct zone *z, uint32_t id);

/* How free_one_page was called (the kernel's bool report / fpi_t). */
#define FPI_NONE	       0
#define FPI_SKIP_REPORT_NOTIFY 0x1 /* page returns from a report/isolation */
#define FPI_TO_TAIL	       0x2 /* force tail placement (5.10 / v11 return) */

/*
 * free_one_page - __free_one_page(): merge and insert; notify reporting
 * unless FPI_SKIP_REPORT_NOTIFY.  Updates NR_FREE_PAGES unless ISOLATE.
 * Returns the id of the (possibly merged) head, *r_order its final order.
 */
uint32_t pgr__free_one_page(struct zone *z, uint32_t id, unsigned int order,
			    int mt, unsigned int fpi, unsigned int *r_order);

/*
 * __isolate_free_page(): watermark check (unless ISOLATE), take off the
 * list, MOVABLE conversion for order >= pageblock_order - 1.  Marks the
 * head PG_isolated and records @owner (ISOLATED_BY_*), who may put it
 * back.  Returns false when the watermark check fails.
 */
bool pgr__isolate_free_page(struct zone *z, uint32_t id, unsigned int order,
			    uint16_t owner);

/*
 * __putback_isolated_page(): clear PG_isolated and free_one_page with
 * FPI_SKIP_REPORT_NOTIFY | @fpi at the pageblock's current migratetype.
 */
uint32_t pgr__putback_isolated_page(struct zone *z, uint32_t id,
				    unsigned int order, unsigned int fpi,
				    unsigned int *r_order);

bool pgr__zone_watermark_ok(struct zone *z, unsigned int order, uint64_t mark);

/*
 * For trace replay (src/trace/replay.c), which expects many of these
 * calls to fail: pgr_take_block(), pgr_free_pages() and pgr_alloc_pages()
 * (no flags, no per-CPU lists) with the same result and effect, but a
 * failure only returns -errno and formats no pgr_errmsg() message
 * (take: -EINVAL, -ERANGE, -EBUSY; free: -EINVAL out of range, -ENOENT not
 * an allocated block of that order; alloc: -ENOMEM).  pgr__block_at():
 * the block holding @pfn, its head and order, as a PGR_PAGE_* state, or
 * -ERANGE / -ENOENT.  Zone lock not held.
 */
int pgr__take_block(struct zone *z, uint64_t pfn, unsigned int order);
int pgr__free_pages_quiet(struct zone *z, uint64_t pfn, unsigned int order);
int pgr__alloc_pages_quiet(struct zone *z, unsigned int order, int mt,
			   uint64_t *r_pfn);
int pgr__block_at(struct zone *z, uint64_t pfn, uint64_t *r_head,
		  unsigned int *r_order);

/* shuffle_pick_tail(): one bit of a cached u64 draw (src/mm/shuffle.c). */
bool pgr__shuffle_pick_tail(struct pgr_node *node);

/* Invariant walker (src/mm/check.c); zone lock held. */
int pgr__zone_check_locked(struct zone *z, char *buf, size_t len);

/* ---- reporting hooks: how mm reaches the engine ----------------------- */

/*
 * mm never calls into src/reporting directly: the engine installs this
 * table on the node when a device first registers (node->rep_hooks, set
 * under every zone lock and never removed, like 5.7's static key that is
 * never disabled again), and mm calls through the inline wrappers below,
 * which do nothing while no table is installed.  Every hook copes with no
 * device registered (node->rep == NULL).  del_reported, move_reported,
 * reset_boundary and reset_zone exist for v11's internal bookkeeping.
 */
struct pgr_reporting_hooks {
	/* page_reporting_notify_free() past the static key and order test */
	void (*notify_free)(struct zone *z, uint32_t id, unsigned int order);
	/* del_page_from_free_list on a PG_reported page, before unlinking */
	void (*del_reported)(struct zone *z, uint32_t id, unsigned int order);
	/* move_to_free_list on a PG_reported page */
	void (*move_reported)(struct zone *z, uint32_t id, unsigned int order);
	/* v11 page_reporting_reset_boundary(): compaction's release hook */
	void (*reset_boundary)(struct zone *z, unsigned int order, int mt);
	/* v11 page_reporting_reset_zone(): zone offline */
	void (*reset_zone)(struct zone *z);
	/* reporting invariants of one zone (src/reporting/check.c) */
	int (*check_zone)(struct zone *z, char *buf, size_t len);
	/* node destroy: unregister the device */
	void (*node_destroy)(struct pgr_node *node);
};

static inline const struct pgr_reporting_hooks *rep_hooks(const struct zone *z)
{
	return z->node->rep_hooks;
}

/*
 * del_page_from_free_list on a PG_reported page: v11 pulls the boundary
 * and decrements reported_pages.  Called before the page is unlinked; mm
 * clears the flag afterwards.
 */
static inline void pgr__reporting_del_reported(struct zone *z, uint32_t id,
					       unsigned int order)
{
	if (rep_hooks(z))
		rep_hooks(z)->del_reported(z, id, order);
}

/* move_to_free_list on a PG_reported page (v11: pull the boundary). */
static inline void pgr__reporting_move_reported(struct zone *z, uint32_t id,
						unsigned int order)
{
	if (rep_hooks(z))
		rep_hooks(z)->move_reported(z, id, order);
}

/*
 * get_unreported_tail(): where a tail insertion goes (v11 boundary).  The
 * boundary array is data the v11 strategy publishes on the node (NULL for
 * every other strategy), read inline on the free path.
 */
static inline uint32_t pgr__reporting_tail(struct zone *z, unsigned int order,
					   int mt)
{
	struct pgr_node *n = z->node;

	/*
	 * ISOLATE lists have no boundary: the kernel leaves those slots
	 * uninitialised (ALGORITHM.md §3.7); we fall back to the real tail.
	 */
	if (unlikely(n->reported_boundary != NULL) &&
	    (z->flags & ZONE_PAGE_REPORTING_ACTIVE) && order >= n->rep_order &&
	    mt != PGR_MIGRATE_ISOLATE)
		return n->reported_boundary[(order - n->rep_order) *
						    PGR_MIGRATE_TYPES +
					    (unsigned int)mt];
	return free_list_id(z, order, mt);
}

/*
 * page_reporting_notify_free(): after an ordinary free left the block @id
 * of final @order on a free list (v12's page_reporting_enqueue needs @id).
 */
static inline void page_reporting_notify_free(struct zone *z, uint32_t id,
					      unsigned int order)
{
	if (!atomic_load_explicit(&z->node->rep_notify, memory_order_relaxed))
		return;
	if (order < z->node->rep_order)
		return;
	rep_hooks(z)->notify_free(z, id, order);
}

/* v11 page_reporting_reset_boundary(): compaction's release hook. */
static inline void pgr__reporting_reset_boundary(struct zone *z,
						 unsigned int order, int mt)
{
	if (rep_hooks(z))
		rep_hooks(z)->reset_boundary(z, order, mt);
}

/* v11 page_reporting_reset_zone(): zone offline. */
static inline void pgr__reporting_reset_zone(struct zone *z)
{
	if (rep_hooks(z))
		rep_hooks(z)->reset_zone(z);
}

/* Engine teardown on node destroy. */
static inline void pgr__reporting_node_destroy(struct pgr_node *node)
{
	if (node->rep_hooks)
		node->rep_hooks->node_destroy(node);
}

/*
 * Reporting invariants of one zone (ALGORITHM.md §6 B/C): called by the
 * walker pgr__zone_check_locked() after the buddy checks, zone lock held.
 * Returns 0 or -EUCLEAN with the first violation in @buf.
 */
static inline int pgr__reporting_check_zone(struct zone *z, char *buf,
					    size_t len)
{
	return rep_hooks(z) ? rep_hooks(z)->check_zone(z, buf, len) : 0;
}

/*
 * Allocation hands out [id, id + 2^order): mm clears PG_discarded on every
 * page of the block when node->rep_track_discard is set (the engine uses
 * it to count re-reports of memory the host already discarded).
 */

#endif /* PGR_INTERNAL_H */
