// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The v11 strategies: mm/page_reporting.c and the page_alloc.c hooks of
 * Alexander Duyck's "[PATCH v11 4/6] mm: Add device side and notifier for
 * unused page reporting" (Oct 2019).  A zone asks for reporting once it
 * holds 32 more free blocks of some order >= pageblock_order than it has
 * reported (page_reporting_notify_free); 100 ms later the work walks every
 * requesting zone round robin until none is left (page_reporting_process),
 * filling batches from the highest order and migratetype down
 * (page_reporting_fill) with the iterator get_unreported_page, which walks
 * each free list backwards from reported_boundary[order][mt].
 *
 * "v11-boundary" is that code.  "v11-rescan" is the SAME code, with the
 * same list layout (tail insertions still land in front of the reported
 * region via the boundary), except that get_unreported_page resets the
 * list's boundary to the list head before every search, so each search
 * re-walks the whole reported tail from the real list tail.  Because every
 * element from the boundary to the tail is Reported (invariant B2), the
 * re-walk absorbs exactly those pages and arrives where the boundary was:
 * both pick the same pages in the same batches; only nodes_visited differs.
 * The exception: __shuffle_zone while a zone is ACTIVE (below) can leave an
 * unreported page behind a boundary, breaking invariant B2 for that order;
 * rescan then finds it in the same pass and boundary only after a reset,
 * so their batches differ from there on.
 *
 * Not written on <pagereport/strategy.h> alone: v11's reported_boundary
 * changes where the allocator itself inserts pages (add_to_free_list_tail
 * goes in front of the boundary, del/move_to_free_list pull it).  Its
 * private registration (pgr__v11_private, listed by registry.c) gives mm a
 * hooks table of its own (on_set/del/move_reported, on_list_reset,
 * on_zone_reset and the B1/B2 checks), publishes the boundary array on
 * the node while the device is registered (attach/detach; mm reads it
 * inline), and asks for 5.4's unset_migratetype_isolate (an ordinary
 * free).  The work uses the engine's internals (device.h) directly.
 *
 * Divergences from the kernel, each deliberate and tested:
 *  - ISOLATE lists have no boundary (the kernel leaves that slot NULL and
 *    would list_add_tail before NULL); mm inserts at the real tail.
 *  - __shuffle_zone's list_swap (memory online) can move an unreported
 *    order MAX_ORDER-1 page behind a boundary, or the boundary page
 *    elsewhere, as in the kernel.  The walk stops at any list head so it
 *    cannot run away, the page is found after the next whole-zone reset,
 *    and the checker does not hold that one order to B2 on shuffle nodes.
 *  - reported_pages lives in zone->reported_pages_store; "allocating" it
 *    counts Reported blocks already present (zero in every state the kernel
 *    can reach; non-zero after an upstream device left flags behind).
 *  - report() returns an int here; by default the drain marks the pages
 *    anyway, as v11's void report does (parameter skip_mark_on_error
 *    not).
 * Parameters: hwm (PAGE_REPORTING_HWM, 32), skip_mark_on_error; the
 * engine's delay (100 ms) and capacity; the order is pageblock_order.
 * Leaves out: RCU (see engine.c), kzalloc failure of reported_pages.
 */
#include "config.h"
#include "compiler.h"
#include "mm/internal.h"
#include "mm/page_reporting.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reporting/builtins.h"
#include "reporting/device.h"

/* The device's v11 state (ops->init): the kernel's phdev and its array. */
struct v11 {
	/* the one reported_boundary array, for the one ACTIVE zone */
	uint32_t *boundary;
	bool rescan; /* v11-rescan: forget the boundary before each search */
	/* zones with ZONE_PAGE_REPORTING_REQUESTED (phdev->refcnt) */
	atomic_int refcnt;
	uint64_t hwm;	    /* parameter hwm */
	bool mark_on_error; /* !skip_mark_on_error */
};

enum { V11_BOUNDARY_RESETS }; /* its counters */

static unsigned int nr_boundaries(const struct pgr_node *node)
{
	return (node->max_order - node->rep_order) * PGR_MIGRATE_TYPES;
}

/* get_reporting_index() */
static unsigned int get_reporting_index(const struct pgr_node *node,
					unsigned int order, int mt)
{
	return (order - node->rep_order) * PGR_MIGRATE_TYPES + (unsigned int)mt;
}

/* The boundaries are meaningful for the one zone that is ACTIVE. */
static bool boundary_active(const struct zone *z)
{
	return z->node->reported_boundary &&
	       (z->flags & ZONE_PAGE_REPORTING_ACTIVE);
}

/*
 * __del_page_from_reported_list(): a Reported page leaves its list.  If
 * it was the boundary, the boundary moves to the next element (toward the
 * tail, or the list head when it was the last).  Zone lock held.
 */
static void pull_boundary(struct zone *z, uint32_t id)
{
	struct pgr_node *node = z->node;
	uint16_t idx = id_page(z, id)->index;

	if (!boundary_active(z) || idx >= nr_boundaries(node))
		return;
	if (node->reported_boundary[idx] == id)
		node->reported_boundary[idx] = id_page(z, id)->next;
}

static void v11_del_reported(struct zone *z, uint32_t id, unsigned int order)
{
	pull_boundary(z, id);
	if (z->reported_pages && order >= z->node->rep_order)
		z->reported_pages[order - z->node->rep_order]--;
}

/* move_to_free_list keeps the flag and the count; only the boundary moves. */
static void v11_move_reported(struct zone *z, uint32_t id, unsigned int order)
{
	(void)order;
	pull_boundary(z, id);
}

/*
 * add_page_to_reported_list(): the drain marked a page that did not merge
 * (mm set the flag and cleared the index).
 */
static void v11_set_reported(struct zone *z, uint32_t id, unsigned int order)
{
	(void)id;
	if (z->reported_pages && order >= z->node->rep_order)
		z->reported_pages[order - z->node->rep_order]++;
}

/* Compaction runs in any thread (the counter takes the engine lock). */
static void count_reset(struct zone *z)
{
	struct pgr_reporting *rep = z->node->rep;

	if (rep)
		pgr__rep_counter_add(rep, V11_BOUNDARY_RESETS, 1);
}

/* page_reporting_reset_boundary(): compaction is about to rotate a list. */
static void v11_reset_boundary(struct zone *z, unsigned int order, int mt)
{
	struct pgr_node *node = z->node;

	if (!boundary_active(z) || order < node->rep_order ||
	    order >= node->max_order || mt == PGR_MIGRATE_ISOLATE)
		return;
	node->reported_boundary[get_reporting_index(node, order, mt)] =
		free_list_id(z, order, mt);
	count_reset(z);
}

/* page_reporting_reset_zone(): the zone went offline. */
static void v11_reset_zone(struct zone *z)
{
	z->reported_pages = NULL;
}

/* page_reporting_reset_all_boundaries() */
static void reset_all_boundaries(struct zone *z)
{
	struct pgr_node *node = z->node;

	for (unsigned int order = node->rep_order; order < node->max_order;
	     order++)
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			if (mt == PGR_MIGRATE_ISOLATE)
				continue;
			node->reported_boundary[get_reporting_index(
				node, order, mt)] = free_list_id(z, order, mt);
		}
	pgr__rep_counter_add(z->node->rep, V11_BOUNDARY_RESETS, 1);
}

/* ---- request / cancel ------------------------------------------------ */

/* __page_reporting_request(): zone lock held. */
static void v11_request(struct pgr_reporting *rep, struct zone *z)
{
	struct v11 *v = rep->priv;

	if (z->flags & ZONE_PAGE_REPORTING_REQUESTED)
		return;
	z->flags |= ZONE_PAGE_REPORTING_REQUESTED;
	pgr__rep_count_request(rep);
	if (atomic_fetch_add(&v->refcnt, 1) == 0)
		pgr__rep_schedule(rep, rep->delay_ns);
}

/* __page_reporting_cancel(): disable the boundaries, drop the request. */
static void v11_cancel(struct pgr_reporting *rep, struct zone *z)
{
	struct v11 *v = rep->priv;

	z->flags &=
		~(ZONE_PAGE_REPORTING_ACTIVE | ZONE_PAGE_REPORTING_REQUESTED);
	atomic_fetch_sub(&v->refcnt, 1);
}

/* page_reporting_notify_free() past the inline key and order checks. */
static void v11_notify_free(struct pgr_reporting *rep, void *priv,
			    struct pgr_zone *zone, uint64_t pfn,
			    unsigned int order)
{
	struct zone *z = (struct zone *)zone;
	uint64_t next_report;

	(void)pfn;
	if (z->flags & ZONE_PAGE_REPORTING_REQUESTED)
		return;
	next_report = ((struct v11 *)priv)->hwm;
	if (z->reported_pages)
		next_report += z->reported_pages[order - z->node->rep_order];
	if (z->free_area[order].nr_free < next_report)
		return;
	v11_request(rep, z);
}

/*
 * page_reporting_register(): request every populated zone.  REQUESTED
 * flags left by an earlier device count again, so the work visits them.
 */
static void v11_register_request(struct pgr_reporting *rep, void *priv)
{
	struct v11 *v = priv;

	for (unsigned int i = 0; i < rep->nr_zones; i++) {
		struct zone *z = rep->zones[i];

		pgr_spin_lock(&z->lock);
		if (z->flags & ZONE_PAGE_REPORTING_REQUESTED) {
			if (atomic_fetch_add(&v->refcnt, 1) == 0)
				pgr__rep_schedule(rep, rep->delay_ns);
		} else if (z->populated) {
			v11_request(rep, z);
		}
		pgr_spin_unlock(&z->lock);
	}
}

/* ---- fill ------------------------------------------------------------- */

/*
 * get_unreported_page(): walk back from the boundary toward the list head.
 * Reported pages join the reported region (page->index caches the list);
 * the first unreported page is isolated and returned.  A failed isolation
 * (watermark) ends the walk of this list.  Zone lock held.
 */
static uint32_t get_unreported_page(struct pgr_reporting *rep, struct zone *z,
				    unsigned int order, int mt)
{
	struct pgr_node *node = z->node;
	unsigned int idx = get_reporting_index(node, order, mt);
	uint32_t tail, id;

	/* v11-rescan: forget the boundary, re-walk from the real tail */
	if (((struct v11 *)rep->priv)->rescan)
		node->reported_boundary[idx] = free_list_id(z, order, mt);
	tail = node->reported_boundary[idx];

	/* stop at any list head: a shuffle swap may have moved @tail */
	for (id = id_page(z, tail)->prev; !id_is_list_head(z, id);
	     id = id_page(z, id)->prev) {
		struct page *page = id_page(z, id);

		rep->w.nodes_visited++;
		if (page->flags & PG_reported) {
			page->index = (uint16_t)idx;
			tail = id;
			continue;
		}
		if (pgr__isolate_free_page(z, id, order,
					   ISOLATED_BY_REPORTING)) {
			node->reported_boundary[idx] = tail;
			return id;
		}
		rep->w.isolate_failures++;
		break;
	}
	node->reported_boundary[idx] = tail;
	return PGR_NO_PAGE;
}

/*
 * page_reporting_fill(): up to capacity pages, order high -> low, mt high
 * -> low, ISOLATE skipped.  A full batch returns with the zone still
 * ACTIVE and REQUESTED; running out of pages cancels the request (the
 * partial batch is still reported).  Zone lock held.
 */
static unsigned int v11_fill(struct pgr_reporting *rep, struct zone *z)
{
	struct pgr_node *node = z->node;
	struct pgr_batch *b = &rep->batch;
	uint64_t t0 = pgr__mono_ns();

	pgr__batch_set_zone(b, z);
	b->lo = b->hi = PGR_BATCH_MID;
	if (!(z->flags & ZONE_PAGE_REPORTING_ACTIVE)) {
		z->flags |= ZONE_PAGE_REPORTING_ACTIVE;
		reset_all_boundaries(z);
	}
	for (unsigned int order = node->max_order; order-- > node->rep_order;)
		for (int mt = PGR_MIGRATE_TYPES; mt-- > 0;) {
			uint32_t id;

			if (mt == PGR_MIGRATE_ISOLATE)
				continue;
			while ((id = get_unreported_page(rep, z, order, mt)) !=
			       PGR_NO_PAGE) {
				pgr__batch_add(rep, z, id, order, false);
				if (b->hi - b->lo == rep->capacity)
					goto out;
			}
		}
	v11_cancel(rep, z);
out:
	rep->w.fill_ns += pgr__mono_ns() - t0;
	return b->hi - b->lo;
}

/* ---- the work ------------------------------------------------------------ */

/*
 * page_reporting_populate_metadata(): the per-order counters.  The kernel
 * kzallocs them; a zone can only hold Reported pages without counters
 * when another strategy marked them, so count those.  Zone lock held.
 */
static void populate_metadata(struct zone *z)
{
	struct pgr_node *node = z->node;

	if (z->reported_pages)
		return;
	memset(z->reported_pages_store, 0, sizeof(z->reported_pages_store));
	for (unsigned int order = node->rep_order; order < node->max_order;
	     order++)
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			uint32_t head = free_list_id(z, order, mt);

			for (uint32_t id = id_page(z, head)->next; id != head;
			     id = id_page(z, id)->next)
				if (id_page(z, id)->flags & PG_reported)
					z->reported_pages_store
						[order - node->rep_order]++;
		}
	z->reported_pages = z->reported_pages_store;
}

/* page_reporting_cycle(): fill, report, drain until the zone is done. */
static void v11_cycle(struct pgr_reporting *rep, struct zone *z)
{
	bool mark_on_error = ((struct v11 *)rep->priv)->mark_on_error;
	uint64_t t_lock;
	unsigned int n;
	int err;

	pgr__rep_lock(rep, z, &t_lock);
	populate_metadata(z);
	do {
		n = v11_fill(rep, z);
		if (!n)
			break;
		/* report: lock dropped, pages isolated */
		pgr__rep_unlock(rep, z, t_lock);
		err = pgr__rep_report(rep);
		pgr__rep_lock(rep, z, &t_lock);
		/* drain: back to the tail, i.e. in front of the boundary */
		pgr__rep_drain(rep, !err || mark_on_error, !err, FPI_TO_TAIL);
		pgr__rep_flush_stats(rep);
	} while (z->flags & ZONE_PAGE_REPORTING_REQUESTED);
	pgr__rep_unlock(rep, z, t_lock);
}

/*
 * page_reporting_process(): round robin over the zones of every node of
 * the device (for_each_zone) while any requests; one zone at a time, so
 * at most one zone of the system is ACTIVE and the one boundary array
 * serves it.
 */
static void v11_process(struct pgr_reporting *rep, void *priv)
{
	struct v11 *v = priv;
	unsigned int i = 0;

	rep->w.passes++;
	do {
		struct zone *z = rep->zones[i];
		bool requested;

		pgr_spin_lock(&z->lock);
		requested = z->flags & ZONE_PAGE_REPORTING_REQUESTED;
		pgr_spin_unlock(&z->lock);
		if (requested)
			v11_cycle(rep, z);
		i = (i + 1) % rep->nr_zones;
	} while (atomic_load(&v->refcnt));
}

/* ---- invariants (ALGORITHM.md §6 B1, B2) -------------------------------- */

#define FAIL(...)                                        \
	do {                                             \
		if (buf && len)                          \
			snprintf(buf, len, __VA_ARGS__); \
		return -EUCLEAN;                         \
	} while (0)

/*
 * B1: when the zone has counters, reported_pages[order] equals the
 * Reported blocks of that order over all migratetypes.
 */
static int check_counters(struct zone *z, char *buf, size_t len)
{
	struct pgr_node *node = z->node;
	uint64_t nr_reported[PGR_MAX_ORDER_LIMIT] = { 0 };

	if (!z->reported_pages)
		return 0;
	for (uint32_t id = 0; id < z->nr_pages; id++) {
		struct page *p = id_page(z, id);

		/* pgr__rep_check_zone checked PageBuddy and the order */
		if (p->flags & PG_reported)
			nr_reported[p->order]++;
	}
	for (unsigned int o = node->rep_order; o < node->max_order; o++)
		if (z->reported_pages[o - node->rep_order] != nr_reported[o])
			FAIL("%s: reported_pages[%u] = %llu, %llu Reported "
			     "blocks",
			     z->name, o,
			     (unsigned long long)
				     z->reported_pages[o - node->rep_order],
			     (unsigned long long)nr_reported[o]);
	return 0;
}

/*
 * B2, while ACTIVE: each boundary is the list head or an element of its
 * list, and everything from it to the tail is Reported with page->index
 * == its index (not for order MAX_ORDER-1 on shuffle nodes:
 * __shuffle_zone may break it, see the top of this file).
 */
static int check_boundary(struct zone *z, unsigned int order, int mt, char *buf,
			  size_t len)
{
	struct pgr_node *node = z->node;
	unsigned int idx = get_reporting_index(node, order, mt);
	uint32_t head = free_list_id(z, order, mt);
	uint32_t b = node->reported_boundary[idx], id;

	if (b == head)
		return 0;
	for (id = id_page(z, head)->next; id != head && id != b;
	     id = id_page(z, id)->next)
		;
	if (id != b)
		FAIL("%s: boundary of order %u mt %d (id %u) not on its list",
		     z->name, order, mt, b);
	for (id = b; id != head; id = id_page(z, id)->next) {
		struct page *p = id_page(z, id);

		if (!(p->flags & PG_reported) || p->index != idx)
			FAIL("%s: pfn %llu behind the boundary of order %u mt "
			     "%d"
			     " is %s (index %u)",
			     z->name, (unsigned long long)id_pfn(z, id), order,
			     mt,
			     p->flags & PG_reported ? "Reported" : "unreported",
			     p->index);
	}
	return 0;
}

/* B1 and B2 after the invariants of every strategy; zone lock held. */
static int v11_check_zone(struct zone *z, char *buf, size_t len)
{
	struct pgr_node *node = z->node;
	int err = pgr__rep_check_zone(z, buf, len);

	if (!err)
		err = check_counters(z, buf, len);
	if (err || !boundary_active(z))
		return err;
	for (unsigned int o = node->rep_order; o < node->max_order; o++)
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			if (mt == PGR_MIGRATE_ISOLATE ||
			    (node->shuffle && o == node->max_order - 1))
				continue;
			err = check_boundary(z, o, mt, buf, len);
			if (err)
				return err;
		}
	return 0;
}

/* ---- registration ------------------------------------------------------ */

static int v11_init_common(struct pgr_reporting *rep, void **r_priv,
			   bool rescan)
{
	struct v11 *v = calloc(1, sizeof(*v));
	unsigned int max_order = rep->node->max_order;
	uint64_t skip = 0;

	if (!v)
		return -ENOMEM;
	/* one array for the one ACTIVE zone of the system */
	v->boundary =
		calloc((size_t)(max_order - rep->cfg.order) * PGR_MIGRATE_TYPES,
		       sizeof(*v->boundary));
	if (!v->boundary) {
		free(v);
		return -ENOMEM;
	}
	v->rescan = rescan;
	atomic_init(&v->refcnt, 0);
	pgr_strategy_get_param(rep, "hwm", &v->hwm);
	pgr_strategy_get_param(rep, "skip_mark_on_error", &skip);
	v->mark_on_error = !skip;
	*r_priv = v;
	return 0;
}

static int v11_boundary_init(struct pgr_reporting *rep, void **r_priv)
{
	return v11_init_common(rep, r_priv, false);
}

static int v11_rescan_init(struct pgr_reporting *rep, void **r_priv)
{
	return v11_init_common(rep, r_priv, true);
}

static void v11_fini(struct pgr_reporting *rep, void *priv)
{
	struct v11 *v = priv;

	(void)rep;
	if (v)
		free(v->boundary);
	free(v);
}

static const struct pgr_reporting_hooks v11_mm_hooks;

/*
 * Publish the boundary array on @node (all zone locks held; mm's hooks
 * table is still the previous device's).  A stale ACTIVE flag left by an
 * earlier device would point mm at the new array.  The per-order counters
 * survive an unregister (mm keeps calling these hooks), but not another
 * strategy's device, which does not maintain them: then they are counted
 * again (populate_metadata).
 */
static void v11_attach(struct pgr_reporting *rep, struct pgr_node *node)
{
	struct v11 *v = rep->priv;
	bool counted = node->rep_hooks == &v11_mm_hooks;

	for (unsigned int i = 0; i < node->nr_zones; i++) {
		node->zones[i].flags &= ~ZONE_PAGE_REPORTING_ACTIVE;
		if (!counted)
			node->zones[i].reported_pages = NULL;
	}
	node->reported_boundary = v->boundary;
}

/* The device leaves @node (all zone locks held): mm stops using the array. */
static void v11_detach(struct pgr_reporting *rep, struct pgr_node *node)
{
	(void)rep;
	node->reported_boundary = NULL;
}

static const struct pgr_reporting_hooks v11_mm_hooks = {
	.on_free = pgr__rep_on_free,
	.on_set_reported = v11_set_reported,
	.on_del_reported = v11_del_reported,
	.on_move_reported = v11_move_reported,
	.on_list_reset = v11_reset_boundary,
	.on_zone_reset = v11_reset_zone,
	.check_zone = v11_check_zone,
	.on_node_destroy = pgr__rep_on_node_destroy,
};

const struct pgr__strategy_private pgr__v11_private = {
	.mm_hooks = &v11_mm_hooks,
	.attach = v11_attach,
	.detach = v11_detach,
	.unisolate_notifies = true, /* the series is based on 5.4 */
};

/* For tests: phdev->refcnt of a v11 device. */
int pgr__v11_refcnt(struct pgr_reporting *rep)
{
	struct v11 *v = rep ? pgr_strategy_priv(rep) : NULL;

	if (!v || (rep->ops != &pgr__v11_boundary_ops &&
		   rep->ops != &pgr__v11_rescan_ops))
		return -EINVAL;
	return atomic_load(&v->refcnt);
}

static const struct pgr_strategy_param v11_params[] = {
	{ "hwm", PGR_PARAM_UINT, PGR_REPORTING_HWM, 1, 1U << 20,
	  "PAGE_REPORTING_HWM: request a zone at nr_free[order] >= hwm + "
	  "reported blocks of that order" },
	{ "skip_mark_on_error", PGR_PARAM_BOOL, 0, 0, 1,
	  "leave a batch the sink failed unmarked, as 5.7 does (v11's "
	  "report() is void, so it marks)" },
};

static const struct pgr_strategy_counter v11_counters[] = {
	[V11_BOUNDARY_RESETS] = { "boundary_resets",
				  "per-list (compaction) and whole-zone "
				  "reported_boundary resets" },
};

/*
 * Two names, one code: only the iterator's start differs.  Fixed at
 * PAGE_REPORTING_MIN_ORDER = pageblock_order, 100 ms (HZ/10) delay.
 */
#define V11_POLICY                                               \
	.flags = PGR_STRATEGY_FIXED_ORDER,                       \
	.default_delay_ns = PGR_V11_DELAY_NS,                    \
	.order_rule = PGR_ORDER_PAGEBLOCK, .params = v11_params, \
	.nr_params = sizeof(v11_params) / sizeof(v11_params[0]), \
	.counters = v11_counters,                                \
	.nr_counters = sizeof(v11_counters) / sizeof(v11_counters[0])

const struct pgr_strategy_ops pgr__v11_boundary_ops = {
	.name = "v11-boundary",
	.init = v11_boundary_init,
	.fini = v11_fini,
	.start = v11_register_request,
	.notify_free = v11_notify_free,
	.process = v11_process,
	V11_POLICY,
};

const struct pgr_strategy_ops pgr__v11_rescan_ops = {
	.name = "v11-rescan",
	.init = v11_rescan_init,
	.fini = v11_fini,
	.start = v11_register_request,
	.notify_free = v11_notify_free,
	.process = v11_process,
	V11_POLICY,
};
