// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The upstream strategy: mm/page_reporting.c as merged for Linux 5.7
 * (v17 patches 4, 7 and 8: list rotation and the budget), with two later
 * options: FPI_TO_TAIL placement of returned pages (5.10) and
 * page_reporting_order (5.14).  A device-wide state machine
 * (IDLE/REQUESTED/ACTIVE) schedules one pass 2 s after any ordinary free
 * at order >= page_reporting_order; the pass walks every zone that clears
 * the watermark gate, orders and migratetypes ascending, sharing one
 * scatterlist per zone that fills from its end, reporting only when one
 * more unreported page is seen, and spending at most
 * DIV_ROUND_UP(nr_free, capacity * 16) reports (+1) per list before it
 * asks for another pass.  No per-zone state besides PG_reported.
 *
 * The batch holds the sink's capacity (the kernel always uses
 * PAGE_REPORTING_CAPACITY = 32, which virtio requires of the device); the
 * watermark gate uses the kernel's constant 32.  Leaves out the sgl
 * kmalloc failure path.
 */
#include "config.h"
#include "internal.h"

#include "reporting/engine.h"

/* __page_reporting_request() */
static void upstream_request(struct pgr_reporting *rep)
{
	int old;

	/* Check whether a pass is already requested before we xchg. */
	if (atomic_load(&rep->state) == PAGE_REPORTING_REQUESTED)
		return;
	old = atomic_exchange(&rep->state, PAGE_REPORTING_REQUESTED);
	if (old == PAGE_REPORTING_REQUESTED)
		return;
	pgr__rep_count_request(rep);
	/* ACTIVE: the running pass sees REQUESTED and reschedules itself */
	if (old == PAGE_REPORTING_IDLE)
		pgr__rep_schedule(rep, rep->delay_ns);
}

static void upstream_notify_free(struct pgr_reporting *rep, struct zone *z,
				 unsigned int order)
{
	(void)z;
	(void)order;
	upstream_request(rep);
}

static void upstream_register_request(struct pgr_reporting *rep)
{
	upstream_request(rep);
}

/*
 * list_rotate_to_front(): make @id the first entry of @head's list; the
 * entries before it (reported ones) move to the tail.
 */
static void list_rotate_to_front(struct zone *z, uint32_t id, uint32_t head)
{
	list_del_id(z, head);
	list_add_tail_id(z, head, id);
}

static uint32_t list_first_id(struct zone *z, uint32_t head)
{
	return id_page(z, head)->next;
}

static void batch_put(struct pgr_batch *b, struct zone *z, unsigned int slot,
		      uint32_t id, unsigned int order)
{
	pgr__batch_set_zone(b, z); /* the drain before may have cleared it */
	b->ids[slot] = id;
	b->ranges[slot].pfn = id_pfn(z, id);
	b->ranges[slot].order = order;
	b->ranges[slot].zone = z->idx;
	b->lo = slot;
}

static unsigned int drain_fpi(const struct pgr_reporting *rep)
{
	return rep->cfg.return_to_tail ? FPI_TO_TAIL : FPI_NONE;
}

/*
 * page_reporting_cycle(): one (order, mt) list.  Fill the shared batch
 * from its end; when it is full and another unreported page shows up,
 * rotate that page to the front, report, drain and restart at the head.
 */
static int upstream_cycle(struct pgr_reporting *rep, struct zone *z,
			  unsigned int order, int mt, unsigned int *offset)
{
	struct pgr_batch *b = &rep->batch;
	uint32_t list = free_list_id(z, order, mt);
	uint32_t id, next;
	uint64_t t_lock, t_fill;
	long budget;
	int err = 0;

	pgr__rep_lock(rep, z, &t_lock);
	t_fill = pgr__mono_ns();
	if (list_empty_id(z, list)) {
		pgr__rep_unlock(rep, z, t_lock);
		return 0;
	}
	/* enough reports for a sixteenth of the order's blocks, plus one */
	budget = (long)((z->free_area[order].nr_free + rep->capacity * 16 - 1) /
			(rep->capacity * 16));

	/* list_for_each_entry_safe: @next is the cursor */
	for (id = list_first_id(z, list); id != list; id = next) {
		struct page *page = id_page(z, id);

		next = page->next;
		rep->w.nodes_visited++;
		if (page->flags & PG_reported)
			continue;

		/* out of budget: ask for another pass in 2 s */
		if (budget < 0) {
			atomic_store(&rep->state, PAGE_REPORTING_REQUESTED);
			rep->w.budget_exhausted++;
			next = id;
			break;
		}

		/* room in the batch: isolate and add it */
		if (*offset) {
			if (!pgr__isolate_free_page(z, id, order,
						    ISOLATED_BY_REPORTING)) {
				rep->w.isolate_failures++;
				next = id;
				break;
			}
			if (b->lo == b->hi)
				b->hi = rep->capacity;
			batch_put(b, z, --*offset, id, order);
			continue;
		}

		/* batch full and one more unreported page: report now */
		if (id != list_first_id(z, list))
			list_rotate_to_front(z, id, list);
		rep->w.fill_ns += pgr__mono_ns() - t_fill;
		pgr__rep_unlock(rep, z, t_lock);
		err = pgr__rep_report(rep);
		*offset = rep->capacity;
		budget--;
		pgr__rep_lock(rep, z, &t_lock);
		pgr__rep_drain(rep, !err, !err, drain_fpi(rep));
		pgr__rep_flush_stats(rep);
		t_fill = pgr__mono_ns();
		/* the list may have changed meanwhile: restart at the head */
		next = list_first_id(z, list);
		if (err)
			break;
	}

	/* rotate so the next pass starts where this one stopped */
	if (next != list && next != list_first_id(z, list))
		list_rotate_to_front(z, next, list);
	rep->w.fill_ns += pgr__mono_ns() - t_fill;
	pgr__rep_unlock(rep, z, t_lock);
	return err;
}

/* page_reporting_process_zone() */
static int upstream_process_zone(struct pgr_reporting *rep, struct zone *z)
{
	struct pgr_node *node = z->node;
	struct pgr_batch *b = &rep->batch;
	unsigned int offset = rep->capacity;
	uint64_t watermark, t_lock;
	bool ok;
	int err = 0;

	/* leave room for the pages we take off and the low watermark */
	watermark = z->watermark[PGR_WMARK_LOW] +
		    ((uint64_t)PGR_REPORTING_CAPACITY << node->rep_order);
	pgr__rep_lock(rep, z, &t_lock);
	ok = pgr__zone_watermark_ok(z, 0, watermark);
	pgr__rep_unlock(rep, z, t_lock);
	if (!ok) {
		rep->w.zones_gated++;
		return 0;
	}

	pgr__rep_lock(rep, z, &t_lock);
	pgr__batch_set_zone(b, z);
	b->lo = b->hi = 0;
	pgr__rep_unlock(rep, z, t_lock);

	for (unsigned int order = node->rep_order; order < node->max_order;
	     order++)
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			if (mt == PGR_MIGRATE_ISOLATE)
				continue;
			err = upstream_cycle(rep, z, order, mt, &offset);
			if (err)
				return err;
		}

	/* report the leftover entries at the end of the batch */
	if (offset < rep->capacity) {
		err = pgr__rep_report(rep);
		pgr__rep_lock(rep, z, &t_lock);
		pgr__rep_drain(rep, !err, !err, drain_fpi(rep));
		pgr__rep_unlock(rep, z, t_lock);
	}
	return err;
}

/* page_reporting_process(): one pass over every zone. */
static void upstream_process(struct pgr_reporting *rep)
{
	struct pgr_node *node = rep->node;
	int expected = PAGE_REPORTING_ACTIVE;

	atomic_store(&rep->state, PAGE_REPORTING_ACTIVE);
	rep->w.passes++;
	for (unsigned int i = 0; i < node->nr_zones; i++) {
		struct zone *z = &node->zones[i];

		if (!z->populated)
			continue;
		if (upstream_process_zone(rep, z))
			break;
	}
	/* a request arrived meanwhile (or the budget ran out): go again */
	if (!atomic_compare_exchange_strong(&rep->state, &expected,
					    PAGE_REPORTING_IDLE))
		pgr__rep_schedule(rep, rep->delay_ns);
}

const struct pgr_strategy_ops pgr__upstream_ops = {
	.notify_free = upstream_notify_free,
	.register_request = upstream_register_request,
	.process = upstream_process,
};
