// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The public strategy API (<pagereport/strategy.h>): the primitives a
 * strategy is built from, each a
 * checked wrapper of the engine or mm piece the kernel's
 * mm/page_reporting.c uses: list_first_entry/list_next_entry on
 * free_area[order].free_list[mt], __isolate_free_page + sg_set_page,
 * prdev->report, page_reporting_drain (__putback_isolated_page +
 * __SetPageReported), list_rotate_to_front, PageReported,
 * schedule_delayed_work, zone_watermark_ok.  Every primitive checks its
 * context (zone lock, work or notify) through pgr__rep_tls and fails
 * without changing anything when it is wrong.
 */
#include "config.h"
#include "compiler.h"
#include "mm/internal.h"
#include "mm/page_reporting.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reporting/device.h"

/* ---- context checks ---------------------------------------------------- */

static struct zone *served(struct pgr_reporting *rep, struct pgr_zone *zone)
{
	struct zone *z = (struct zone *)zone;

	if (!rep || !z)
		return NULL;
	for (unsigned int i = 0; i < rep->nr_nodes; i++)
		if (z->node == rep->nodes[i])
			return z;
	return NULL;
}

/* The zone is served by @rep and this thread holds its lock. */
static int locked_zone(struct pgr_reporting *rep, struct pgr_zone *zone,
		       const char *fn, struct zone **r_z)
{
	struct zone *z = served(rep, zone);

	if (!z)
		return pgr__error(EINVAL,
				  "%s: NULL engine or a zone it does "
				  "not serve",
				  fn);
	if (pgr__rep_tls.zone != z)
		return pgr__error(ENOLCK, "%s: zone %s is not locked", fn,
				  z->name);
	*r_z = z;
	return 0;
}

/* Only the work (not ->notify_free) may touch the batch and the lists. */
static int work_context(struct pgr_reporting *rep, const char *fn)
{
	if (!rep)
		return pgr__error(EINVAL, "%s: NULL engine", fn);
	if (pgr__rep_tls.work != rep || pgr__rep_tls.notify)
		return pgr__error(EPERM, "%s: only from the strategy's process",
				  fn);
	return 0;
}

static int check_list(struct zone *z, const char *fn, unsigned int order,
		      int mt)
{
	if (order >= max_order(z))
		return pgr__error(EINVAL, "%s: order %u >= %u", fn, order,
				  max_order(z));
	if (mt < 0 || mt >= PGR_MIGRATE_TYPES)
		return pgr__error(EINVAL, "%s: bad migratetype %d", fn, mt);
	return 0;
}

/* @pfn is a free block of @order on list @mt: 0 with *r_id, or -ENOENT. */
static int block_on_list(struct zone *z, const char *fn, uint64_t pfn,
			 unsigned int order, int mt, uint32_t *r_id)
{
	uint32_t id;

	if (!zone_spans_pfn(z, pfn))
		return pgr__error(ENOENT, "%s: pfn %#llx outside %s", fn,
				  (unsigned long long)pfn, z->name);
	id = pfn_id(z, pfn);
	if (!(id_page(z, id)->flags & PG_buddy) ||
	    id_page(z, id)->order != order || pgr__free_block_mt(z, id) != mt)
		return pgr__error(ENOENT,
				  "%s: pfn %#llx is not a free block of order "
				  "%u on the %s list",
				  fn, (unsigned long long)pfn, order,
				  pgr_migratetype_name(mt));
	*r_id = id;
	return 0;
}

/* ---- zones, config ------------------------------------------------------- */

int pgr_strategy_nr_zones(struct pgr_reporting *rep)
{
	if (!rep)
		return pgr__error(EINVAL, "strategy_nr_zones: NULL engine");
	return (int)rep->nr_zones;
}

struct pgr_zone *pgr_strategy_zone(struct pgr_reporting *rep, unsigned int i)
{
	if (!rep || i >= rep->nr_zones) {
		pgr__error(EINVAL, "strategy_zone: NULL engine or index %u", i);
		errno = EINVAL;
		return NULL;
	}
	return (struct pgr_zone *)rep->zones[i];
}

int pgr_strategy_get_config(struct pgr_reporting *rep,
			    struct pgr_reporting_config *r_cfg)
{
	if (!rep || !r_cfg)
		return pgr__error(EINVAL, "strategy_get_config: NULL argument");
	*r_cfg = rep->cfg;
	return 0;
}

void *pgr_strategy_priv(struct pgr_reporting *rep)
{
	return rep ? rep->priv : NULL;
}

int pgr_strategy_get_param(struct pgr_reporting *rep, const char *name,
			   uint64_t *r_value)
{
	int i;

	if (!rep || !name || !r_value)
		return pgr__error(EINVAL, "strategy_get_param: NULL argument");
	i = pgr__param_lookup(rep->ops, name);
	if (i < 0)
		return pgr__error(ENOENT,
				  "strategy_get_param: %s has no parameter "
				  "'%s'",
				  rep->ops->name, name);
	*r_value = rep->param_value[i];
	return rep->param_set[i];
}

int pgr_strategy_error(struct pgr_reporting *rep, int err, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (err <= 0 || err > 4095)
		err = EINVAL;
	msg[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	if (rep)
		rep->init_msg = true;
	return pgr__error(err, "register: strategy %s: %s",
			  rep ? rep->ops->name : "?", msg);
}

/* ---- lock and counters ------------------------------------------------- */

int pgr_strategy_lock(struct pgr_reporting *rep, struct pgr_zone *zone)
{
	struct zone *z = served(rep, zone);

	if (!z)
		return pgr__error(EINVAL, "strategy_lock: NULL engine or a "
					  "zone it does not serve");
	if (pgr__rep_tls.zone)
		return pgr__error(EDEADLK,
				  "strategy_lock: zone %s is already locked "
				  "by this thread",
				  pgr__rep_tls.zone->name);
	pgr_spin_lock(&z->lock);
	pgr__rep_tls.zone = z;
	if (pgr__rep_tls.work == rep) {
		pgr__rep_tls.t_lock = pgr__mono_ns();
		rep->drain_in_hold = 0;
	}
	return 0;
}

int pgr_strategy_unlock(struct pgr_reporting *rep, struct pgr_zone *zone)
{
	struct zone *z = served(rep, zone);

	if (!z)
		return pgr__error(EINVAL, "strategy_unlock: NULL engine or a "
					  "zone it does not serve");
	if (pgr__rep_tls.zone != z || pgr__rep_tls.notify)
		return pgr__error(ENOLCK,
				  "strategy_unlock: zone %s is not locked "
				  "through the engine",
				  z->name);
	if (pgr__rep_tls.work == rep) {
		/* time under the lock that was not the drain: the fill */
		uint64_t held = pgr__mono_ns() - pgr__rep_tls.t_lock;

		rep->w.lock_hold_ns += held;
		rep->w.fill_ns += held > rep->drain_in_hold
					  ? held - rep->drain_in_hold
					  : 0;
	}
	pgr__rep_tls.zone = NULL;
	pgr_spin_unlock(&z->lock);
	return 0;
}

int pgr_strategy_zone_counters(struct pgr_reporting *rep, struct pgr_zone *zone,
			       struct pgr_strategy_zone_counters *r)
{
	struct zone *z = NULL;
	int err = locked_zone(rep, zone, "strategy_zone_counters", &z);

	if (err)
		return err;
	if (!r)
		return pgr__error(EINVAL,
				  "strategy_zone_counters: NULL result");
	memset(r, 0, sizeof(*r));
	r->start_pfn = z->start_pfn;
	r->nr_pages = z->nr_pages;
	r->populated = z->populated;
	r->max_order = max_order(z);
	r->pageblock_order = pageblock_order(z);
	r->nr_free_pages = z->nr_free_pages;
	for (unsigned int o = 0; o < max_order(z); o++)
		r->nr_free[o] = z->free_area[o].nr_free;
	for (int w = 0; w < PGR_NR_WMARK; w++)
		r->watermark[w] = z->watermark[w];
	r->nr_isolated_pages = z->nr_isolated_pages;
	return 0;
}

int pgr_strategy_watermark_ok(struct pgr_reporting *rep, struct pgr_zone *zone,
			      unsigned int order, uint64_t mark, bool *r_ok)
{
	struct zone *z = NULL;
	int err = locked_zone(rep, zone, "strategy_watermark_ok", &z);

	if (err)
		return err;
	if (!r_ok || order >= max_order(z))
		return pgr__error(EINVAL, "strategy_watermark_ok: NULL result "
					  "or order too big");
	*r_ok = pgr__zone_watermark_ok(z, order, mark);
	return 0;
}

/* ---- free lists ------------------------------------------------------------
 */

int pgr_strategy_list_first(struct pgr_reporting *rep, struct pgr_zone *zone,
			    unsigned int order, enum pgr_migratetype mt,
			    enum pgr_list_end end, uint64_t *r_pfn)
{
	struct zone *z = NULL;
	uint32_t head, id;
	int err = locked_zone(rep, zone, "strategy_list_first", &z);

	if (err)
		return err;
	err = check_list(z, "strategy_list_first", order, (int)mt);
	if (err)
		return err;
	if (!r_pfn || (end != PGR_LIST_HEAD && end != PGR_LIST_TAIL))
		return pgr__error(EINVAL, "strategy_list_first: NULL result "
					  "or bad end");
	head = free_list_id(z, order, (int)mt);
	id = end == PGR_LIST_HEAD ? id_page(z, head)->next
				  : id_page(z, head)->prev;
	if (id == head)
		return -ENOENT; /* empty: not an error worth a message */
	*r_pfn = id_pfn(z, id);
	return 0;
}

int pgr_strategy_list_next(struct pgr_reporting *rep, struct pgr_zone *zone,
			   unsigned int order, enum pgr_migratetype mt,
			   uint64_t pfn, enum pgr_list_end from,
			   uint64_t *r_pfn)
{
	struct zone *z = NULL;
	uint32_t id, next;
	int err = locked_zone(rep, zone, "strategy_list_next", &z);

	if (err)
		return err;
	err = check_list(z, "strategy_list_next", order, (int)mt);
	if (err)
		return err;
	if (!r_pfn || (from != PGR_LIST_HEAD && from != PGR_LIST_TAIL))
		return pgr__error(EINVAL, "strategy_list_next: NULL result or "
					  "bad direction");
	err = block_on_list(z, "strategy_list_next", pfn, order, (int)mt, &id);
	if (err)
		return err;
	next = from == PGR_LIST_HEAD ? id_page(z, id)->next
				     : id_page(z, id)->prev;
	if (id_is_list_head(z, next))
		return -ENODATA; /* the end of the list */
	*r_pfn = id_pfn(z, next);
	return 0;
}

int pgr_strategy_list_rotate_to_front(struct pgr_reporting *rep,
				      struct pgr_zone *zone, unsigned int order,
				      enum pgr_migratetype mt, uint64_t pfn)
{
	const char *fn = "strategy_list_rotate_to_front";
	struct zone *z = NULL;
	uint32_t head, id;
	int err = work_context(rep, fn);

	if (!err)
		err = locked_zone(rep, zone, fn, &z);
	if (!err)
		err = check_list(z, fn, order, (int)mt);
	if (!err)
		err = block_on_list(z, fn, pfn, order, (int)mt, &id);
	if (err)
		return err;
	/* move the head in front of @id: @id is first, the rest keep order */
	head = free_list_id(z, order, (int)mt);
	if (id_page(z, head)->next != id) {
		list_del_id(z, head);
		list_add_tail_id(z, head, id);
	}
	return 0;
}

int pgr_strategy_block(struct pgr_reporting *rep, struct pgr_zone *zone,
		       uint64_t pfn, struct pgr_strategy_block *r)
{
	struct zone *z = NULL;
	const struct page *p;
	int err = locked_zone(rep, zone, "strategy_block", &z);

	if (err)
		return err;
	if (!r)
		return pgr__error(EINVAL, "strategy_block: NULL result");
	if (!zone_spans_pfn(z, pfn))
		return pgr__error(ERANGE,
				  "strategy_block: pfn %#llx outside %s",
				  (unsigned long long)pfn, z->name);
	p = id_page(z, pfn_id(z, pfn));
	memset(r, 0, sizeof(*r));
	r->migratetype = -1;
	if (p->flags & PG_buddy) {
		r->free = true;
		r->order = p->order;
		r->migratetype = pgr__free_block_mt(z, pfn_id(z, pfn));
		r->reported = p->flags & PG_reported;
	}
	return 0;
}

/* The free head at @pfn, or a negative errno. */
static int free_head(struct pgr_reporting *rep, struct pgr_zone *zone,
		     uint64_t pfn, const char *fn, struct zone **r_z)
{
	int err = locked_zone(rep, zone, fn, r_z);

	if (err)
		return err;
	if (!zone_spans_pfn(*r_z, pfn))
		return pgr__error(ERANGE, "%s: pfn %#llx outside %s", fn,
				  (unsigned long long)pfn, (*r_z)->name);
	if (!(id_page(*r_z, pfn_id(*r_z, pfn))->flags & PG_buddy))
		return pgr__error(ENOENT, "%s: pfn %#llx is not a free block",
				  fn, (unsigned long long)pfn);
	return 0;
}

int pgr_strategy_test_reported(struct pgr_reporting *rep, struct pgr_zone *zone,
			       uint64_t pfn)
{
	struct zone *z = NULL;
	int err = free_head(rep, zone, pfn, "strategy_test_reported", &z);

	if (err)
		return err;
	return !!(id_page(z, pfn_id(z, pfn))->flags & PG_reported);
}

int pgr_strategy_free_since(struct pgr_reporting *rep, struct pgr_zone *zone,
			    uint64_t pfn, uint64_t *r_ns)
{
	const char *fn = "strategy_free_since";
	struct zone *z = NULL;
	int err = free_head(rep, zone, pfn, fn, &z);

	if (err)
		return err;
	if (!r_ns)
		return pgr__error(EINVAL, "%s: NULL result", fn);
	err = pgr__rep_free_since(rep, z, pfn_id(z, pfn), r_ns);
	if (err == -ENODATA)
		return pgr__error(ENODATA,
				  "%s: %s does not keep free times "
				  "(PGR_STRATEGY_FREE_TIME)",
				  fn, rep->ops->name);
	if (err)
		return pgr__error(ENOENT,
				  "%s: pfn %#llx is a free block below order "
				  "%u",
				  fn, (unsigned long long)pfn, rep->cfg.order);
	return 0;
}

int pgr_strategy_clear_reported(struct pgr_reporting *rep,
				struct pgr_zone *zone, uint64_t pfn)
{
	struct zone *z = NULL;
	int err = free_head(rep, zone, pfn, "strategy_clear_reported", &z);

	if (err)
		return err;
	/* through mm, so a strategy with private state there keeps it */
	pgr__clear_page_reported(z, pfn_id(z, pfn));
	return 0;
}

/* ---- the batch
 * --------------------------------------------------------------- */

int pgr_strategy_isolate(struct pgr_reporting *rep, struct pgr_zone *zone,
			 uint64_t pfn, unsigned int order, unsigned int flags)
{
	const char *fn = "strategy_isolate";
	struct pgr_batch *b;
	int saved_mt;
	struct zone *z = NULL;
	const struct page *p;
	int err = work_context(rep, fn);

	if (!err)
		err = locked_zone(rep, zone, fn, &z);
	if (err)
		return err;
	if (flags & ~(PGR_BATCH_FRONT | PGR_BATCH_KEEP_MT))
		return pgr__error(EINVAL, "%s: unknown flags %#x", fn, flags);
	if (order >= max_order(z))
		return pgr__error(EINVAL, "%s: order %u >= %u", fn, order,
				  max_order(z));
	if (!zone_spans_pfn(z, pfn))
		return pgr__error(ENOENT, "%s: pfn %#llx outside %s", fn,
				  (unsigned long long)pfn, z->name);
	p = id_page(z, pfn_id(z, pfn));
	if (!(p->flags & PG_buddy) || p->order != order)
		return pgr__error(ENOENT,
				  "%s: pfn %#llx is not a free block of order "
				  "%u",
				  fn, (unsigned long long)pfn, order);
	b = &rep->batch;
	if (b->hi != b->lo && b->zone != z)
		return pgr__error(EXDEV, "%s: the batch holds %s blocks", fn,
				  b->zone->name);
	if (b->hi - b->lo >= rep->capacity)
		return pgr__error(ENOBUFS, "%s: the batch is full (%u)", fn,
				  rep->capacity);
	saved_mt = get_pfnblock_migratetype(z, pfn);
	if (!pgr__isolate_free_page(z, pfn_id(z, pfn), order,
				    ISOLATED_BY_REPORTING)) {
		rep->w.isolate_failures++;
		return -ENOSPC; /* the watermark: a normal outcome */
	}
	/* isolation never converts ISOLATE blocks, so this never sets one */
	if ((flags & PGR_BATCH_KEEP_MT) &&
	    get_pfnblock_migratetype(z, pfn) != saved_mt)
		pgr__set_pageblock_migratetype(z, pfn, saved_mt);
	pgr__batch_add(rep, z, pfn_id(z, pfn), order, flags & PGR_BATCH_FRONT);
	return 0;
}

int pgr_strategy_batch_count(struct pgr_reporting *rep)
{
	if (!rep)
		return pgr__error(EINVAL, "strategy_batch_count: NULL engine");
	return (int)(rep->batch.hi - rep->batch.lo);
}

int pgr_strategy_report(struct pgr_reporting *rep)
{
	int err = work_context(rep, "strategy_report");

	if (err)
		return err;
	if (pgr__rep_tls.zone)
		return pgr__error(EDEADLK,
				  "strategy_report: zone %s is locked; "
				  "report() runs with the zone lock dropped",
				  pgr__rep_tls.zone->name);
	if (rep->batch.hi == rep->batch.lo)
		return pgr__error(ENODATA, "strategy_report: empty batch");
	return pgr__rep_report(rep);
}

int pgr_strategy_putback(struct pgr_reporting *rep, unsigned int flags)
{
	struct pgr_batch *b;
	uint64_t t0;
	int err = work_context(rep, "strategy_putback");

	if (err)
		return err;
	if (flags & ~(PGR_PUTBACK_MARK | PGR_PUTBACK_TAIL))
		return pgr__error(EINVAL, "strategy_putback: unknown flags %#x",
				  flags);
	b = &rep->batch;
	if (b->hi == b->lo)
		return 0;
	if (pgr__rep_tls.zone != b->zone)
		return pgr__error(ENOLCK,
				  "strategy_putback: zone %s is not locked",
				  b->zone->name);
	t0 = pgr__mono_ns();
	pgr__rep_drain(rep, flags & PGR_PUTBACK_MARK, b->accepted,
		       (flags & PGR_PUTBACK_TAIL) ? FPI_TO_TAIL : FPI_NONE);
	rep->drain_in_hold += pgr__mono_ns() - t0;
	pgr__rep_flush_stats(rep);
	return 0;
}

/* ---- work, clock, stats
 * --------------------------------------------------------- */

int pgr_strategy_schedule(struct pgr_reporting *rep, uint64_t delay_ns)
{
	if (!rep)
		return pgr__error(EINVAL, "strategy_schedule: NULL engine");
	if (pgr__rep_schedule(rep, delay_ns))
		return pgr__error(ESHUTDOWN,
				  "strategy_schedule: being unregistered");
	return 0;
}

uint64_t pgr_strategy_now(struct pgr_reporting *rep)
{
	return rep ? pgr__rep_now(rep) : 0;
}

/* The generic fields enum pgr_strategy_stat still names. */
static uint64_t *stat_field(struct pgr_reporting_stats *s,
			    enum pgr_strategy_stat stat)
{
	switch (stat) {
	case PGR_STAT_PASSES:
		return &s->passes;
	case PGR_STAT_NODES_VISITED:
		return &s->nodes_visited;
	case PGR_STAT_REQUESTS:
		return &s->requests;
	default:
		return NULL;
	}
}

/* The four that became named counters: their place in the legacy table. */
static int legacy_index(enum pgr_strategy_stat stat)
{
	switch (stat) {
	case PGR_STAT_BITS_VISITED:
		return 0;
	case PGR_STAT_BUDGET_EXHAUSTED:
		return 1;
	case PGR_STAT_ZONES_GATED:
		return 2;
	case PGR_STAT_BOUNDARY_RESETS:
		return 3;
	default:
		return -1;
	}
}

int pgr_strategy_add_stat(struct pgr_reporting *rep,
			  enum pgr_strategy_stat stat, uint64_t n)
{
	int named = legacy_index(stat);

	if (!rep)
		return pgr__error(EINVAL, "strategy_add_stat: NULL engine");
	if (named >= 0) {
		if (rep->legacy[named] < 0)
			return pgr__error(
				EINVAL,
				"strategy_add_stat: %s declares no "
				"counter '%s'",
				rep->ops->name,
				pgr__legacy_counter_name((unsigned int)named));
		pgr__rep_counter_add(rep, (unsigned int)rep->legacy[named], n);
		return 0;
	}
	if (!stat_field(&rep->w, stat))
		return pgr__error(EINVAL,
				  "strategy_add_stat: unknown counter %d",
				  (int)stat);
	/* the work's own counters need no lock; others go to the shared */
	if (pgr__rep_tls.work == rep) {
		*stat_field(&rep->w, stat) += n;
		return 0;
	}
	pthread_mutex_lock(&rep->lock);
	*stat_field(&rep->stats, stat) += n;
	pthread_mutex_unlock(&rep->lock);
	return 0;
}

int pgr_strategy_counter_add(struct pgr_reporting *rep, unsigned int idx,
			     uint64_t n)
{
	if (!rep || idx >= rep->nr_counters)
		return pgr__error(EINVAL,
				  "strategy_counter_add: NULL engine or "
				  "counter %u of %u",
				  idx, rep ? rep->nr_counters : 0);
	pgr__rep_counter_add(rep, idx, n);
	return 0;
}
