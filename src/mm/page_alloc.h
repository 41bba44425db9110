/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Declarations shared between the files of the allocator model (src/mm)
 * that the rest of the library does not need: pageblock helpers, the
 * block finder, shuffle and the zone lock wrappers (which run the
 * invariant walker at PGR_DEBUG >= 3).
 */
#ifndef PGR_MM_PAGE_ALLOC_H
#define PGR_MM_PAGE_ALLOC_H

#include "free_list.h"

static inline struct zone *to_zone(struct pgr_zone *zone)
{
	return (struct zone *)zone;
}

void pgr__zone_lock_slow(struct zone *z);

/* One xchg: true if the zone lock was free and is now ours. */
static inline bool zone_trylock(struct zone *z)
{
	return likely(!atomic_exchange_explicit(&z->lock.locked, true,
						memory_order_acquire));
}

/*
 * pgr_spin_lock() with the contended loop out of line: the hot path is
 * one xchg, and no register has to survive a sched_yield() call.
 */
static inline void zone_lock(struct zone *z)
{
	if (zone_trylock(z))
		return;
	pgr__zone_lock_slow(z);
}

void pgr__zone_check_or_bug(struct zone *z);

/* Unlock after a mutation: at debug level 3 verify the zone first. */
static inline void pgr__zone_unlock_checked(struct zone *z)
{
	if (PGR_DEBUG >= 3)
		pgr__zone_check_or_bug(z);
	pgr_spin_unlock(&z->lock);
}

static inline void zone_unlock(struct zone *z)
{
	pgr_spin_unlock(&z->lock);
}

static inline bool is_migrate_isolate(int mt)
{
	return mt == PGR_MIGRATE_ISOLATE;
}

static inline uint64_t pageblock_nr_pages(const struct zone *z)
{
	return 1ULL << pageblock_order(z);
}

/* src/mm/pageblock.c */
void pgr__set_pageblock_migratetype(struct zone *z, uint64_t pfn, int mt);
void pgr__change_pageblock_range(struct zone *z, uint64_t pfn,
				 unsigned int order, int mt);
uint64_t pgr__move_freepages_block(struct zone *z, uint64_t pfn, int mt,
				   uint64_t *num_movable);

/* src/mm/page_alloc.c */
uint32_t pgr__block_head(struct zone *z, uint64_t pfn);
bool pgr__zone_watermark_ok_flags(struct zone *z, unsigned int order,
				  uint64_t mark, bool alloc_harder);

/* src/mm/page_alloc.c, for pcp.c; zone lock held. */
uint32_t pgr__rmqueue(struct zone *z, unsigned int order, int mt,
		      unsigned int flags);
void pgr__mark_allocated(struct zone *z, uint32_t id, unsigned int order,
			 int mt);

/* src/mm/pcp.c: per-CPU lists (6.1); zone lock held unless said. */
bool pgr__pcp_allowed_order(const struct zone *z, unsigned int order);
uint32_t pgr__pcp_list_id(const struct zone *z, unsigned int cpu,
			  unsigned int pindex);
void pgr__pcp_setup(struct zone *z);
void pgr__pcp_free_locked(struct zone *z, unsigned int cpu, uint32_t id,
			  unsigned int order);
void pgr__pcp_drain_all_locked(struct zone *z);
/* arguments validated, zone lock not held */
int pgr__pcp_alloc(struct zone *z, unsigned int cpu, unsigned int order, int mt,
		   unsigned int flags, uint64_t *r_pfn);

/* src/mm/shuffle.c; zone lock held (dropped every 100 blocks). */
void pgr__shuffle_zone(struct zone *z);

#endif /* PGR_MM_PAGE_ALLOC_H */
