/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files of src/mm, and the reporting engine, call across
 * files of the model (the kernel's mm/internal.h): free-list
 * manipulators, free_one_page, isolation and putback, watermarks,
 * shuffle, the invariant walker.  Zone lock held unless said.
 * Internal: not installed.
 */
#ifndef PGR_MM_INTERNAL_H
#define PGR_MM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/mmzone.h"

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

#endif /* PGR_MM_INTERNAL_H */
