/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How mm reaches the reporting engine (the kernel's
 * mm/page_reporting.h): the hooks table a device installs on the node
 * and the inline wrappers mm calls at each event.  Internal: not
 * installed.
 */
#ifndef PGR_MM_PAGE_REPORTING_H
#define PGR_MM_PAGE_REPORTING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/mmzone.h"

/*
 * mm never calls into src/reporting directly: a registered device installs
 * a hooks table on the node (node->rep_hooks, set under every zone lock and
 * left in place after unregister, like 5.7's static key that is never
 * disabled again), and mm calls through the inline wrappers below, which
 * do nothing while no table is installed or an entry is NULL.  Each entry
 * is named for what mm is doing; every one copes with no device
 * registered (node->rep == NULL).  The engine's table fills on_free,
 * check_zone and on_node_destroy; a strategy with private access to the
 * free lists (src/reporting/registry.c: v11) supplies a table that also
 * fills the Reported-page and list entries.
 */
struct pgr_reporting_hooks {
	/* page_reporting_notify_free() past the static key and order test */
	void (*on_free)(struct zone *z, uint32_t id, unsigned int order);
	/* the drain marked the free block @id Reported (flag already set) */
	void (*on_set_reported)(struct zone *z, uint32_t id,
				unsigned int order);
	/* a Reported block leaves its free list (before unlinking) or loses
	 * the flag in place (pgr_strategy_clear_reported) */
	void (*on_del_reported)(struct zone *z, uint32_t id,
				unsigned int order);
	/* move_to_free_list of a Reported block (it keeps the flag) */
	void (*on_move_reported)(struct zone *z, uint32_t id,
				 unsigned int order);
	/* compaction is about to rotate free_list[order][mt] */
	void (*on_list_reset)(struct zone *z, unsigned int order, int mt);
	/* the zone was depopulated (offline): its free lists are gone */
	void (*on_zone_reset)(struct zone *z);
	/* reporting invariants of one zone (src/reporting/check.c) */
	int (*check_zone)(struct zone *z, char *buf, size_t len);
	/* the node is being destroyed: unregister its device */
	void (*on_node_destroy)(struct pgr_node *node);
};

static inline const struct pgr_reporting_hooks *rep_hooks(const struct zone *z)
{
	return z->node->rep_hooks;
}

/*
 * A Reported block leaves its list (del_page_from_free_list) or loses the
 * flag in place; mm clears the flag afterwards.
 */
static inline void pgr__reporting_on_del_reported(struct zone *z, uint32_t id,
						  unsigned int order)
{
	const struct pgr_reporting_hooks *h = rep_hooks(z);

	if (h && h->on_del_reported)
		h->on_del_reported(z, id, order);
}

/* move_to_free_list on a Reported block. */
static inline void pgr__reporting_on_move_reported(struct zone *z, uint32_t id,
						   unsigned int order)
{
	const struct pgr_reporting_hooks *h = rep_hooks(z);

	if (h && h->on_move_reported)
		h->on_move_reported(z, id, order);
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
 * Which frees these are: <pagereport/strategy.h>, "Which frees notify".
 */
static inline void page_reporting_notify_free(struct zone *z, uint32_t id,
					      unsigned int order)
{
	if (!atomic_load_explicit(&z->node->rep_notify, memory_order_relaxed))
		return;
	if (order < z->node->rep_order)
		return;
	rep_hooks(z)->on_free(z, id, order);
}

/* Compaction is about to rotate a free list (v11: reset its boundary). */
static inline void pgr__reporting_on_list_reset(struct zone *z,
						unsigned int order, int mt)
{
	const struct pgr_reporting_hooks *h = rep_hooks(z);

	if (h && h->on_list_reset)
		h->on_list_reset(z, order, mt);
}

/* The zone went offline (v11 page_reporting_reset_zone). */
static inline void pgr__reporting_on_zone_reset(struct zone *z)
{
	const struct pgr_reporting_hooks *h = rep_hooks(z);

	if (h && h->on_zone_reset)
		h->on_zone_reset(z);
}

/* Engine teardown on node destroy. */
static inline void pgr__reporting_on_node_destroy(struct pgr_node *node)
{
	if (node->rep_hooks && node->rep_hooks->on_node_destroy)
		node->rep_hooks->on_node_destroy(node);
}

/*
 * Reporting invariants of one zone (ALGORITHM.md §6 B/C): called by the
 * walker pgr__zone_check_locked() after the buddy checks, zone lock held.
 * Returns 0 or -EUCLEAN with the first violation in @buf.
 */
static inline int pgr__reporting_check_zone(struct zone *z, char *buf,
					    size_t len)
{
	const struct pgr_reporting_hooks *h = rep_hooks(z);

	return h && h->check_zone ? h->check_zone(z, buf, len) : 0;
}

/*
 * The drain's and the strategies' changes of PageReported on a free block
 * (src/mm/free_list.c): set it (__SetPageReported, then on_set_reported)
 * or clear it in place (on_del_reported, then __ClearPageReported).  Zone
 * lock held; @id is a free head.
 */
void pgr__set_page_reported(struct zone *z, uint32_t id, unsigned int order);
void pgr__clear_page_reported(struct zone *z, uint32_t id);

/*
 * Allocation hands out [id, id + 2^order): mm clears PG_discarded on every
 * page of the block when node->rep_track_discard is set (the engine uses
 * it to count re-reports of memory the host already discarded).
 */

#endif /* PGR_MM_PAGE_REPORTING_H */
