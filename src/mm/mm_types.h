/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The page frame of the allocator model: struct page, its flags and
 * who holds an isolated block (the kernel's mm_types.h and
 * page-flags.h).  Internal: not installed.
 */
#ifndef PGR_MM_MM_TYPES_H
#define PGR_MM_MM_TYPES_H

#include <stdbool.h>
#include <stdint.h>

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

#endif /* PGR_MM_MM_TYPES_H */
