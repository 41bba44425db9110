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
 * Written on <pagereport/strategy.h> alone, like a strategy outside the
 * library: it proves the public primitives are enough (the batches are
 * those of the earlier internal version, tests/unit/trace_batches.sh).
 * Parameters: the engine's capacity (the kernel always uses
 * PAGE_REPORTING_CAPACITY = 32, which virtio requires of the device),
 * delay (2 s) and order, and its own budget_divisor (16), gate_blocks
 * (32) and gate_disable.  Counters: budget_exhausted, zones_gated.
 * Leaves out the sgl kmalloc failure path.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include <pagereport/strategy.h>

/* Upstream state machine (mm/page_reporting.c, 5.7). */
enum {
	PAGE_REPORTING_IDLE = 0,
	PAGE_REPORTING_REQUESTED = 1,
	PAGE_REPORTING_ACTIVE = 2,
};

#define NO_PFN UINT64_MAX

/* Its counters (ops.counters). */
enum { BUDGET_EXHAUSTED, ZONES_GATED };

struct upstream {
	atomic_int state; /* prdev->state */
	struct pgr_reporting_config cfg;
	uint64_t budget_divisor, gate_blocks, gate_disable;
};

static int upstream_init(struct pgr_reporting *rep, void **r_priv)
{
	struct upstream *u;
	uint64_t gate_blocks;

	/* a margin for a gate that is off says two different things */
	if (pgr_strategy_get_param(rep, "gate_blocks", &gate_blocks) == 1 &&
	    pgr_strategy_get_param(rep, "gate_disable", &gate_blocks) == 1 &&
	    gate_blocks)
		return pgr_strategy_error(rep, EINVAL,
					  "gate_blocks with the gate "
					  "disabled");
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	atomic_init(&u->state, PAGE_REPORTING_IDLE);
	pgr_strategy_get_config(rep, &u->cfg);
	pgr_strategy_get_param(rep, "budget_divisor", &u->budget_divisor);
	pgr_strategy_get_param(rep, "gate_blocks", &u->gate_blocks);
	pgr_strategy_get_param(rep, "gate_disable", &u->gate_disable);
	*r_priv = u;
	return 0;
}

static void upstream_fini(struct pgr_reporting *rep, void *priv)
{
	(void)rep;
	free(priv);
}

/* __page_reporting_request() */
static void upstream_request(struct pgr_reporting *rep, struct upstream *u)
{
	int old;

	/* Check whether a pass is already requested before we xchg. */
	if (atomic_load(&u->state) == PAGE_REPORTING_REQUESTED)
		return;
	old = atomic_exchange(&u->state, PAGE_REPORTING_REQUESTED);
	if (old == PAGE_REPORTING_REQUESTED)
		return;
	pgr_strategy_add_stat(rep, PGR_STAT_REQUESTS, 1);
	/* ACTIVE: the running pass sees REQUESTED and reschedules itself */
	if (old == PAGE_REPORTING_IDLE)
		pgr_strategy_schedule(rep, u->cfg.delay_ns);
}

static void upstream_notify_free(struct pgr_reporting *rep, void *priv,
				 struct pgr_zone *zone, uint64_t pfn,
				 unsigned int order)
{
	(void)zone;
	(void)pfn;
	(void)order;
	upstream_request(rep, priv);
}

/* page_reporting_register() makes the first request. */
static void upstream_start(struct pgr_reporting *rep, void *priv)
{
	upstream_request(rep, priv);
}

static unsigned int putback_flags(const struct upstream *u, int err)
{
	return (err ? 0 : PGR_PUTBACK_MARK) |
	       (u->cfg.return_to_tail ? PGR_PUTBACK_TAIL : 0);
}

static uint64_t first_pfn(struct pgr_reporting *rep, struct pgr_zone *zone,
			  unsigned int order, int mt)
{
	uint64_t pfn;

	if (pgr_strategy_list_first(rep, zone, order, mt, PGR_LIST_HEAD, &pfn))
		return NO_PFN;
	return pfn;
}

/*
 * page_reporting_cycle(): one (order, mt) list.  Fill the shared batch
 * from its end; when it is full and another unreported page shows up,
 * rotate that page to the front, report, drain and restart at the head.
 */
static int upstream_cycle(struct pgr_reporting *rep, struct upstream *u,
			  struct pgr_zone *zone, unsigned int order, int mt)
{
	struct pgr_strategy_zone_counters c;
	uint64_t pfn, next, visited = 0;
	long budget;
	int err = 0;

	pgr_strategy_lock(rep, zone);
	pfn = first_pfn(rep, zone, order, mt);
	if (pfn == NO_PFN) {
		pgr_strategy_unlock(rep, zone);
		return 0;
	}
	/* enough reports for a 1/divisor of the order's blocks, plus one */
	pgr_strategy_zone_counters(rep, zone, &c);
	budget = (long)((c.nr_free[order] +
			 (uint64_t)u->cfg.capacity * u->budget_divisor - 1) /
			((uint64_t)u->cfg.capacity * u->budget_divisor));

	/* list_for_each_entry_safe: @next is the cursor */
	for (; pfn != NO_PFN; pfn = next) {
		if (pgr_strategy_list_next(rep, zone, order, mt, pfn,
					   PGR_LIST_HEAD, &next))
			next = NO_PFN;
		visited++;
		if (pgr_strategy_test_reported(rep, zone, pfn) == 1)
			continue;

		/* out of budget: ask for another pass in 2 s */
		if (budget < 0) {
			atomic_store(&u->state, PAGE_REPORTING_REQUESTED);
			pgr_strategy_counter_add(rep, BUDGET_EXHAUSTED, 1);
			next = pfn;
			break;
		}

		/* room in the batch: isolate and add it (sg[--offset]) */
		if ((unsigned int)pgr_strategy_batch_count(rep) <
		    u->cfg.capacity) {
			if (pgr_strategy_isolate(rep, zone, pfn, order,
						 PGR_BATCH_FRONT)) {
				next = pfn;
				break;
			}
			continue;
		}

		/* batch full and one more unreported page: report now */
		if (pfn != first_pfn(rep, zone, order, mt))
			pgr_strategy_list_rotate_to_front(rep, zone, order, mt,
							  pfn);
		pgr_strategy_unlock(rep, zone);
		err = pgr_strategy_report(rep);
		budget--;
		pgr_strategy_lock(rep, zone);
		pgr_strategy_putback(rep, putback_flags(u, err));
		/* the list may have changed meanwhile: restart at the head */
		next = first_pfn(rep, zone, order, mt);
		if (err)
			break;
	}

	/* rotate so the next pass starts where this one stopped */
	if (next != NO_PFN && next != first_pfn(rep, zone, order, mt))
		pgr_strategy_list_rotate_to_front(rep, zone, order, mt, next);
	pgr_strategy_unlock(rep, zone);
	pgr_strategy_add_stat(rep, PGR_STAT_NODES_VISITED, visited);
	return err;
}

/* page_reporting_process_zone() */
static int upstream_process_zone(struct pgr_reporting *rep, struct upstream *u,
				 struct pgr_zone *zone)
{
	struct pgr_strategy_zone_counters c;
	uint64_t watermark;
	bool ok = true;
	int err = 0;

	pgr_strategy_lock(rep, zone);
	pgr_strategy_zone_counters(rep, zone, &c);
	/* leave room for the pages we take off and the low watermark */
	watermark =
		c.watermark[PGR_WMARK_LOW] + (u->gate_blocks << u->cfg.order);
	if (c.populated && !u->gate_disable)
		pgr_strategy_watermark_ok(rep, zone, 0, watermark, &ok);
	pgr_strategy_unlock(rep, zone);
	if (!c.populated)
		return 0;
	if (!ok) {
		pgr_strategy_counter_add(rep, ZONES_GATED, 1);
		return 0;
	}

	for (unsigned int order = u->cfg.order; order < c.max_order; order++)
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			if (mt == PGR_MIGRATE_ISOLATE)
				continue;
			err = upstream_cycle(rep, u, zone, order, mt);
			if (err)
				return err;
		}

	/* report the leftover entries at the end of the batch */
	if (pgr_strategy_batch_count(rep) > 0) {
		err = pgr_strategy_report(rep);
		pgr_strategy_lock(rep, zone);
		pgr_strategy_putback(rep, putback_flags(u, err));
		pgr_strategy_unlock(rep, zone);
	}
	return err;
}

/* page_reporting_process(): one pass over every zone. */
static void upstream_process(struct pgr_reporting *rep, void *priv)
{
	struct upstream *u = priv;
	int expected = PAGE_REPORTING_ACTIVE;
	int nr = pgr_strategy_nr_zones(rep);

	atomic_store(&u->state, PAGE_REPORTING_ACTIVE);
	pgr_strategy_add_stat(rep, PGR_STAT_PASSES, 1);
	for (int i = 0; i < nr; i++)
		if (upstream_process_zone(rep, u,
					  pgr_strategy_zone(rep, (unsigned)i)))
			break;
	/* a request arrived meanwhile (or the budget ran out): go again */
	if (!atomic_compare_exchange_strong(&u->state, &expected,
					    PAGE_REPORTING_IDLE))
		pgr_strategy_schedule(rep, u->cfg.delay_ns);
}

static const struct pgr_strategy_param upstream_params[] = {
	{ "budget_divisor", PGR_PARAM_UINT, PGR_UPSTREAM_BUDGET_DIVISOR, 1,
	  1U << 20,
	  "reports per list per pass: DIV_ROUND_UP(nr_free, capacity * "
	  "budget_divisor)" },
	{ "gate_blocks", PGR_PARAM_UINT, PGR_UPSTREAM_GATE_BLOCKS, 1, 1U << 20,
	  "watermark gate: skip a zone unless free pages exceed low_wmark + "
	  "(gate_blocks << order)" },
	{ "gate_disable", PGR_PARAM_BOOL, 0, 0, 1,
	  "no watermark gate (not in any kernel)" },
};

static const struct pgr_strategy_counter upstream_counters[] = {
	[BUDGET_EXHAUSTED] = { "budget_exhausted",
			       "lists that ran out of report budget (another "
			       "pass asked for)" },
	[ZONES_GATED] = { "zones_gated",
			  "zones skipped below the watermark gate" },
};

extern const struct pgr_strategy_ops pgr__upstream_ops;
const struct pgr_strategy_ops pgr__upstream_ops = {
	.name = "upstream",
	.init = upstream_init,
	.fini = upstream_fini,
	.start = upstream_start,
	.notify_free = upstream_notify_free,
	.process = upstream_process,
	/* PAGE_REPORTING_DELAY; page_reporting_order defaults to
	 * pageblock_order */
	.default_delay_ns = PGR_UPSTREAM_DELAY_NS,
	.order_rule = PGR_ORDER_PAGEBLOCK,
	.params = upstream_params,
	.nr_params = sizeof(upstream_params) / sizeof(upstream_params[0]),
	.counters = upstream_counters,
	.nr_counters = sizeof(upstream_counters) / sizeof(upstream_counters[0]),
};
