// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The reporting engine: what every version of mm/page_reporting.c has in
 * common - registration of the one device of a system
 * (page_reporting_register/unregister; a system is one node, or several
 * sharing one engine as the kernel's one prdev serves for_each_zone), the
 * delayed work on a clock
 * (schedule_delayed_work, cancel_delayed_work_sync), calling the sink with
 * the zone lock dropped, and the drain (free_reported_page /
 * page_reporting_drain) that returns isolated pages and marks them
 * Reported.  The strategy, found by the registry (registry.c), decides
 * what to fill and when; the engine knows it only through its ops table
 * and, for a strategy with private access to mm, the hooks table and
 * attach/detach of struct pgr__strategy_private.
 *
 * Two clocks: VIRTUAL runs due work in the caller of pgr_reporting_advance
 * or pgr_reporting_run_until_idle (deterministic); REAL has a worker thread
 * standing in for the kernel's workqueue.  Leaves out RCU (a pass over the
 * zone locks plays synchronize_rcu, since every hook runs under one) and
 * the scatterlist's DMA mapping.
 */
#include "config.h"
#include "compiler.h"
#include "debug.h"
#include "mm/internal.h"
#include "mm/page_reporting.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reporting/device.h"

/* page_reporting_mutex: serialises register/unregister across nodes. */
static pthread_mutex_t page_reporting_mutex = PTHREAD_MUTEX_INITIALIZER;

/* What this thread is doing for the engine (strategy.c checks it). */
_Thread_local struct pgr__rep_tls pgr__rep_tls;

/* ---- clock and delayed work ----------------------------------------- */

uint64_t pgr__mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Engine clock; @rep->lock held for the virtual clock. */
static uint64_t clock_now_locked(struct pgr_reporting *rep)
{
	if (rep->cfg.clock == PGR_CLOCK_REAL)
		return pgr__mono_ns();
	return rep->vnow_ns;
}

uint64_t pgr__rep_now(struct pgr_reporting *rep)
{
	uint64_t now;

	if (rep->cfg.clock == PGR_CLOCK_REAL)
		return pgr__mono_ns();
	pthread_mutex_lock(&rep->lock);
	now = rep->vnow_ns;
	pthread_mutex_unlock(&rep->lock);
	return now;
}

/*
 * schedule_delayed_work(): queue the work @delay_ns from now unless it is
 * already pending.  A running work may be queued again (it runs after).
 * Blocked while unregister cancels the work.
 */
int pgr__rep_schedule(struct pgr_reporting *rep, uint64_t delay_ns)
{
	int ret = 0;

	pthread_mutex_lock(&rep->lock);
	if (rep->canceling) {
		ret = -ESHUTDOWN;
	} else if (!rep->pending) {
		uint64_t now = clock_now_locked(rep);

		rep->pending = true;
		rep->due_ns = delay_ns > UINT64_MAX - now ? UINT64_MAX
							  : now + delay_ns;
		pthread_cond_broadcast(&rep->cond);
	}
	pthread_mutex_unlock(&rep->lock);
	return ret;
}

void pgr__rep_count_request(struct pgr_reporting *rep)
{
	pthread_mutex_lock(&rep->lock);
	rep->stats.requests++;
	pthread_mutex_unlock(&rep->lock);
}

/* Fold the worker's private counts into the visible stats. */
void pgr__rep_flush_stats(struct pgr_reporting *rep)
{
	struct pgr_reporting_stats *s = &rep->stats, *w = &rep->w;

	pthread_mutex_lock(&rep->lock);
	s->passes += w->passes;
	s->batches += w->batches;
	s->batch_errors += w->batch_errors;
	s->pages_reported += w->pages_reported;
	s->bytes_reported += w->bytes_reported;
	s->blocks_reported += w->blocks_reported;
	s->blocks_marked += w->blocks_marked;
	s->blocks_merged_on_drain += w->blocks_merged_on_drain;
	s->nodes_visited += w->nodes_visited;
	s->rereported_pages += w->rereported_pages;
	s->pages_held += w->pages_held;
	s->isolate_failures += w->isolate_failures;
	s->requests += w->requests;
	s->fill_ns += w->fill_ns;
	s->report_ns += w->report_ns;
	s->drain_ns += w->drain_ns;
	s->lock_hold_ns += w->lock_hold_ns;
	if (w->last_report_time_ns)
		s->last_report_time_ns = w->last_report_time_ns;
	pgr__rep_fold_counters(rep);
	pthread_mutex_unlock(&rep->lock);
	memset(w, 0, sizeof(*w));
}

/*
 * A strategy's process() returned holding a zone lock or with pages still
 * isolated: give them back unmarked so nothing is lost, and say so.
 */
static void cleanup_after_work(struct pgr_reporting *rep)
{
	struct pgr_batch *b = &rep->batch;
	struct zone *held = pgr__rep_tls.zone;
	uint64_t t_lock;

	if (PGR_WARN_ON_ONCE(held != NULL)) {
		pgr__rep_tls.zone = NULL;
		pgr_spin_unlock(&held->lock);
	}
	if (PGR_WARN_ON_ONCE(b->hi != b->lo)) {
		struct zone *z = b->zone; /* the drain clears b->zone */

		pgr__rep_lock(rep, z, &t_lock);
		pgr__rep_drain(rep, false, b->accepted, FPI_NONE);
		pgr__rep_unlock(rep, z, t_lock);
	}
}

/* Run the work once in this thread; @rep->lock held on entry and exit. */
static void run_work_locked(struct pgr_reporting *rep)
{
	struct pgr__rep_tls saved = pgr__rep_tls;

	rep->pending = false;
	rep->running = true;
	pthread_mutex_unlock(&rep->lock);
	pgr__rep_tls.work = rep;
	pgr__rep_tls.zone = NULL;
	pgr__rep_tls.notify = false;
	rep->ops->process(rep, rep->priv);
	cleanup_after_work(rep);
	pgr__rep_tls = saved;
	pgr__rep_flush_stats(rep);
	pthread_mutex_lock(&rep->lock);
	rep->running = false;
	pthread_cond_broadcast(&rep->idle);
}

static void abs_deadline(struct timespec *ts, uint64_t ns)
{
	ts->tv_sec = (time_t)(ns / 1000000000ULL);
	ts->tv_nsec = (long)(ns % 1000000000ULL);
}

/* The workqueue of the REAL clock: sleeps until due work, runs it. */
static void *worker_main(void *arg)
{
	struct pgr_reporting *rep = arg;
	struct timespec ts;

	pthread_mutex_lock(&rep->lock);
	while (!rep->stop) {
		if (!rep->pending) {
			pthread_cond_wait(&rep->cond, &rep->lock);
			continue;
		}
		if (pgr__mono_ns() < rep->due_ns) {
			abs_deadline(&ts, rep->due_ns);
			pthread_cond_timedwait(&rep->cond, &rep->lock, &ts);
			continue;
		}
		run_work_locked(rep);
	}
	pthread_mutex_unlock(&rep->lock);
	return NULL;
}

/*
 * cancel_delayed_work_sync(): drop pending work, wait for a running one
 * (which may not queue itself again meanwhile), stop the worker thread.
 */
static void cancel_work_sync(struct pgr_reporting *rep)
{
	pthread_mutex_lock(&rep->lock);
	rep->canceling = true;
	rep->pending = false;
	while (rep->running)
		pthread_cond_wait(&rep->idle, &rep->lock);
	rep->pending = false;
	rep->stop = true;
	pthread_cond_broadcast(&rep->cond);
	pthread_mutex_unlock(&rep->lock);
	if (rep->have_worker) {
		pthread_join(rep->worker, NULL);
		rep->have_worker = false;
	}
}

/* ---- sink call and drain -------------------------------------------- */

/* Zone lock with hold-time accounting (CPU cost, CLOCK_MONOTONIC). */
void pgr__rep_lock(struct pgr_reporting *rep, struct zone *z, uint64_t *t_lock)
{
	(void)rep;
	pgr_spin_lock(&z->lock);
	*t_lock = pgr__mono_ns();
}

void pgr__rep_unlock(struct pgr_reporting *rep, struct zone *z, uint64_t t_lock)
{
	rep->w.lock_hold_ns += pgr__mono_ns() - t_lock;
	pgr_spin_unlock(&z->lock);
}

/*
 * report: hand the batch (entries [lo, hi)) to the sink; zone lock NOT
 * held.  The pages are isolated, so no allocation can return them.
 */
int pgr__rep_report(struct pgr_reporting *rep)
{
	struct pgr_batch *b = &rep->batch;
	uint64_t t0 = pgr__mono_ns();
	int err;

	err = rep->sink->ops->report(rep->sink, &b->ranges[b->lo],
				     b->hi - b->lo);
	rep->w.report_ns += pgr__mono_ns() - t0;
	rep->w.batches++;
	rep->w.last_report_time_ns = pgr__rep_now(rep);
	if (err) {
		rep->w.batch_errors++;
		if (err == PGR_SINK_HELD)
			b->held = true;
		return err;
	}
	b->accepted = true;
	for (unsigned int i = b->lo; i < b->hi; i++) {
		rep->w.blocks_reported++;
		rep->w.pages_reported += 1ULL << b->ranges[i].order;
		rep->w.bytes_reported += pgr_range_bytes(&b->ranges[i]);
	}
	return 0;
}

/*
 * The host discarded this block: set PG_discarded on every page and count
 * pages that still had it (reported again without being reallocated).
 */
static void mark_discarded(struct pgr_reporting *rep, struct zone *z,
			   uint32_t id, unsigned int order)
{
	for (uint32_t i = id; i < id + (1U << order); i++) {
		struct page *p = id_page(z, i);

		if (p->flags & PG_discarded) {
			rep->w.rereported_pages++;
			z->nr_rereported_pages++;
		} else {
			p->flags |= PG_discarded;
			z->nr_discarded_pages++;
		}
	}
}

/*
 * drain: free_reported_page() / page_reporting_drain() for the whole
 * batch; zone lock held.  Each page returns through
 * __putback_isolated_page (its pageblock's type is re-read there) and is
 * marked Reported only if it did not merge on the way back: a merged
 * block is unreported and a later fill finds it.
 */
void pgr__rep_drain(struct pgr_reporting *rep, bool mark, bool discarded,
		    unsigned int fpi)
{
	struct pgr_batch *b = &rep->batch;
	struct zone *z = b->zone;
	uint64_t t0 = pgr__mono_ns();

	if (b->held) {
		pgr__rep_hold_batch(rep);
		return;
	}
	for (unsigned int i = b->lo; i < b->hi; i++) {
		uint32_t id = b->ids[i], head;
		unsigned int order = b->ranges[i].order, final_order;

		if (discarded && z->node->rep_track_discard)
			mark_discarded(rep, z, id, order);
		head = pgr__putback_isolated_page(z, id, order, fpi,
						  &final_order);
		if (head != id || final_order != order ||
		    !(id_page(z, id)->flags & PG_buddy)) {
			rep->w.blocks_merged_on_drain++;
			continue;
		}
		if (mark) {
			pgr__set_page_reported(z, id, order);
			rep->w.blocks_marked++;
		}
	}
	/* The batch is empty again: nothing is isolated for reporting. */
	b->lo = b->hi = PGR_BATCH_MID;
	b->accepted = false;
	pgr__batch_set_zone(b, NULL);
	rep->w.drain_ns += pgr__mono_ns() - t0;
}

/* Add an isolated block to the batch (sg_set_page); zone lock held. */
void pgr__batch_add(struct pgr_reporting *rep, struct zone *z, uint32_t id,
		    unsigned int order, bool front)
{
	struct pgr_batch *b = &rep->batch;
	unsigned int slot;

	PGR_BUG_ON(b->hi - b->lo >= rep->capacity);
	if (b->lo == b->hi) {
		pgr__batch_set_zone(b, z);
		b->accepted = false;
	}
	slot = front ? --b->lo : b->hi++;
	b->ids[slot] = id;
	b->ranges[slot].pfn = id_pfn(z, id);
	b->ranges[slot].order = order;
	b->ranges[slot].zone = z->idx;
}

/* ---- the hooks table mm calls through (mm/page_reporting.h) -------- */

/* ---- free time (PGR_STRATEGY_FREE_TIME) -------------------------------- */

/* The position of @z among the device's zones. */
static unsigned int zone_pos(struct pgr_reporting *rep, const struct zone *z)
{
	unsigned int i = 0;

	while (i < rep->nr_zones && rep->zones[i] != z)
		i++;
	return i;
}

static void stamp_range(struct zone *z, uint64_t pfn, unsigned int order,
			unsigned int o, uint32_t *stamps, uint32_t ms)
{
	uint64_t first = (pfn >> o) - (z->start_pfn >> o);
	uint64_t n = 1ULL << (order - o);

	for (uint64_t i = 0; i < n; i++)
		stamps[first + i] = ms;
}

/*
 * The block @id of @order became free through an ordinary free: every
 * 2^cfg.order block in it is free since now (a merge restarts the whole
 * block's time: conservative).  Zone lock held.
 */
static void stamp_free(struct pgr_reporting *rep, struct zone *z, uint32_t id,
		       unsigned int order)
{
	unsigned int pos = zone_pos(rep, z);
	uint64_t since = pgr__rep_now(rep) - rep->free_base_ns;
	uint64_t ms = (since + 999999) / 1000000;

	if (pos == rep->nr_zones || !rep->free_since[pos])
		return;
	stamp_range(z, id_pfn(z, id), order, rep->cfg.order,
		    rep->free_since[pos],
		    ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms);
}

int pgr__rep_free_since(struct pgr_reporting *rep, struct zone *z, uint32_t id,
			uint64_t *r_ns)
{
	unsigned int pos = zone_pos(rep, z), o = rep->cfg.order;
	const struct page *p = id_page(z, id);
	uint64_t first, n;
	uint32_t ms = 0;

	if (!rep->free_since)
		return -ENODATA;
	if (pos == rep->nr_zones || !rep->free_since[pos] ||
	    !(p->flags & PG_buddy) || p->order < o)
		return -ENOENT;
	/* the whole block has been free since the latest of its parts */
	first = (id_pfn(z, id) >> o) - (z->start_pfn >> o);
	n = 1ULL << (p->order - o);
	for (uint64_t i = 0; i < n; i++)
		if (rep->free_since[pos][first + i] > ms)
			ms = rep->free_since[pos][first + i];
	*r_ns = rep->free_base_ns + (uint64_t)ms * 1000000;
	return 0;
}

/* The stamps of every zone, all "since registration" (0). */
static int alloc_free_since(struct pgr_reporting *rep)
{
	unsigned int o = rep->cfg.order;

	rep->free_since = calloc(rep->nr_zones, sizeof(*rep->free_since));
	if (!rep->free_since)
		return -ENOMEM;
	for (unsigned int i = 0; i < rep->nr_zones; i++) {
		const struct zone *z = rep->zones[i];
		uint64_t n;

		if (!z->nr_pages)
			continue;
		n = ((z->start_pfn + z->nr_pages - 1) >> o) -
		    (z->start_pfn >> o) + 1;
		rep->free_since[i] = calloc(n, sizeof(uint32_t));
		if (!rep->free_since[i])
			return -ENOMEM;
	}
	rep->free_base_ns = pgr__rep_now(rep);
	return 0;
}

static void free_free_since(struct pgr_reporting *rep)
{
	for (unsigned int i = 0; rep->free_since && i < rep->nr_zones; i++)
		free(rep->free_since[i]);
	free(rep->free_since);
}

/* page_reporting_notify_free(): hand the free to the strategy. */
void pgr__rep_on_free(struct zone *z, uint32_t id, unsigned int order)
{
	struct pgr_reporting *rep = z->node->rep;
	struct pgr__rep_tls saved;

	if (!rep)
		return;
	if (rep->free_since)
		stamp_free(rep, z, id, order);
	if (!rep->ops->notify_free)
		return;
	saved = pgr__rep_tls;
	pgr__rep_tls.zone = z; /* mm holds it */
	pgr__rep_tls.notify = true;
	rep->ops->notify_free(rep, rep->priv, (struct pgr_zone *)z,
			      id_pfn(z, id), order);
	pgr__rep_tls = saved;
}

/*
 * The table of a strategy written on strategy.h alone: mm tells the engine
 * about frees and node destruction, and checks the invariants every
 * strategy keeps; nothing else of mm concerns such a strategy.
 */
static const struct pgr_reporting_hooks engine_hooks = {
	.on_free = pgr__rep_on_free,
	.check_zone = pgr__rep_check_zone,
	.on_node_destroy = pgr__rep_on_node_destroy,
};

/* ---- registration ---------------------------------------------------- */

/* Every zone of the device, node then zone order (nested: registration only) */
static void lock_all_zones(struct pgr_reporting *rep)
{
	for (unsigned int i = 0; i < rep->nr_zones; i++)
		pgr_spin_lock(&rep->zones[i]->lock);
}

static void unlock_all_zones(struct pgr_reporting *rep)
{
	for (unsigned int i = rep->nr_zones; i-- > 0;)
		pgr_spin_unlock(&rep->zones[i]->lock);
}

/*
 * Drop PG_reported below @order (a new device with a higher order): the
 * kernel would leave such flags stale; clearing them keeps "Reported =>
 * order >= rep_order" checkable.  Zone locks held.
 */
static void clear_reported_below(struct pgr_node *node, unsigned int order)
{
	for (unsigned int i = 0; i < node->nr_zones; i++) {
		struct zone *z = &node->zones[i];

		for (unsigned int o = 0; o < order && o < node->max_order; o++)
			for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
				uint32_t head = free_list_id(z, o, mt);

				for (uint32_t id = z->pages[head].next;
				     id != head; id = z->pages[id].next)
					z->pages[id].flags &= ~PG_reported;
			}
	}
}

/*
 * The settings of @cfg->params into @value/@set (pgr__param() order, the
 * defaults already there).  Qualified names are the registry's business:
 * here every name is this strategy's, plain or qualified by its name.
 */
static int apply_params(const struct pgr_reporting_config *cfg,
			const struct pgr_strategy_ops *ops, uint64_t *value,
			bool *set)
{
	for (unsigned int k = 0; k < cfg->nr_params; k++) {
		const struct pgr_param *pm = &cfg->params[k];
		int i = pm->name ? pgr__param_lookup(ops, pm->name) : -1;
		int err;

		if (i < 0)
			return pgr__error(
				EINVAL, "register: %s has no parameter '%s'",
				ops->name, pm->name ? pm->name : "(null)");
		if (set[i])
			return pgr__error(EINVAL,
					  "register: parameter %s.%s set twice",
					  ops->name, pgr__param(ops, i)->name);
		err = pgr__param_value("register", ops->name,
				       pgr__param(ops, (unsigned int)i), pm,
				       &value[i]);
		if (err)
			return err;
		set[i] = true;
	}
	return 0;
}

/*
 * An engine parameter given both as a config field and as a parameter:
 * which one is meant is not clear, so neither is taken.
 */
static int given_twice(const char *field, const char *param)
{
	return pgr__error(EINVAL,
			  "register: %s and the parameter '%s' are the same "
			  "setting; give one",
			  field, param);
}

/* The strategy's default lowest order on @node (ops->order_rule). */
static unsigned int default_order(const struct pgr_strategy_ops *ops,
				  const struct pgr_node *node)
{
	long o = ops->order_offset;

	if (ops->order_rule == PGR_ORDER_PAGEBLOCK)
		o += (long)node->pageblock_order;
	else if (ops->order_rule == PGR_ORDER_MAX)
		o += (long)node->max_order;
	return o >= 0 && o < (long)node->max_order ? (unsigned int)o
						   : node->pageblock_order;
}

/*
 * Resolve every default of @cfg into @r (the effective config) and
 * @value/@set (every parameter, pgr__param() order), from @ops' policy
 * and @cfg, and check them against @node and @sink.  0 or -EINVAL with a
 * message.
 */
static int resolve_config(struct pgr_node *node, struct pgr_sink *sink,
			  const struct pgr_reporting_config *cfg,
			  const struct pgr_strategy_ops *ops, uint64_t *value,
			  bool *set, struct pgr_reporting_config *r)
{
	unsigned int nr = pgr__nr_params(ops), order;
	bool order_set, delay_set;
	int err;

	if (!node || !sink || !sink->ops || !sink->ops->report)
		return pgr__error(EINVAL,
				  "register: NULL node, sink or config");
	if (sink->capacity == 0 || sink->capacity > PGR_REPORTING_CAPACITY)
		return pgr__error(EINVAL, "register: capacity %u not 1..%u",
				  sink->capacity, PGR_REPORTING_CAPACITY);
	if (cfg->clock != PGR_CLOCK_VIRTUAL && cfg->clock != PGR_CLOCK_REAL)
		return pgr__error(EINVAL, "register: unknown clock %d",
				  (int)cfg->clock);
	if (cfg->nr_params && !cfg->params)
		return pgr__error(EINVAL, "register: nr_params %u, params NULL",
				  cfg->nr_params);
	for (unsigned int i = 0; i < nr; i++) {
		value[i] = pgr__param(ops, i)->def;
		set[i] = false;
	}
	value[PGR__PARAM_DELAY] = pgr__default_delay(ops);
	err = apply_params(cfg, ops, value, set);
	if (err)
		return err;
	*r = *cfg;
	r->strategy_name = ops->name;
	r->params = NULL;
	r->nr_params = 0;

	/* the config's fields and the parameters of the same name */
	order_set = cfg->order_set || cfg->order;
	if (order_set && set[PGR__PARAM_ORDER])
		return given_twice("order", "order");
	order = set[PGR__PARAM_ORDER] ? (unsigned int)value[PGR__PARAM_ORDER]
				      : cfg->order;
	order_set |= set[PGR__PARAM_ORDER];
	if (cfg->capacity && set[PGR__PARAM_CAPACITY])
		return given_twice("capacity", "capacity");
	if (set[PGR__PARAM_CAPACITY])
		r->capacity = (unsigned int)value[PGR__PARAM_CAPACITY];
	delay_set = cfg->delay_set || cfg->delay_ns;
	if (delay_set && set[PGR__PARAM_DELAY])
		return given_twice("delay_ns", "delay");

	/* lowest order: the strategy's rule, or the config's */
	r->order = default_order(ops, node);
	if (order_set) {
		if ((ops->flags & PGR_STRATEGY_FIXED_ORDER) &&
		    order != r->order)
			return pgr__error(EINVAL,
					  "register: %s reports at order %u "
					  "only",
					  ops->name, r->order);
		if (order >= node->max_order)
			return pgr__error(
				EINVAL,
				"register: order %u not below max_order %u",
				order, node->max_order);
		/* page_reporting_order is 5.14+: fixed before (profiles) */
		if (node->profile != PGR_PROFILE_DEFAULT &&
		    node->profile < PGR_PROFILE_6_1 &&
		    order != node->pageblock_order)
			return pgr__error(
				EINVAL,
				"register: profile %s reports at "
				"pageblock_order %u only",
				pgr_kernel_profile_name(
					(enum pgr_kernel_profile)node->profile),
				node->pageblock_order);
		r->order = order;
	}
	r->order_set = true;

	/* blocks per report: the sink's, or less if the strategy says so */
	if (r->capacity) {
		if (r->capacity > sink->capacity)
			return pgr__error(EINVAL,
					  "register: capacity %u exceeds the "
					  "sink's %u",
					  r->capacity, sink->capacity);
	} else {
		r->capacity = sink->capacity;
		if (ops->default_capacity &&
		    r->capacity > ops->default_capacity)
			r->capacity = ops->default_capacity;
	}

	if (!delay_set)
		r->delay_ns = value[PGR__PARAM_DELAY];
	r->delay_set = true;

	/* the engine's three, as they are in effect */
	value[PGR__PARAM_DELAY] = r->delay_ns;
	set[PGR__PARAM_DELAY] |= delay_set;
	value[PGR__PARAM_ORDER] = r->order;
	set[PGR__PARAM_ORDER] = order_set;
	value[PGR__PARAM_CAPACITY] = r->capacity;
	set[PGR__PARAM_CAPACITY] |= cfg->capacity != 0;
	return 0;
}

/* Some zone of @a spans a pfn that some zone of @b spans. */
static bool nodes_overlap(const struct pgr_node *a, const struct pgr_node *b)
{
	for (unsigned int i = 0; i < a->nr_zones; i++)
		for (unsigned int j = 0; j < b->nr_zones; j++) {
			const struct zone *za = &a->zones[i],
					  *zb = &b->zones[j];

			if (za->start_pfn < zb->start_pfn + zb->nr_pages &&
			    zb->start_pfn < za->start_pfn + za->nr_pages)
				return true;
		}
	return false;
}

/*
 * The nodes of one system: none NULL, none twice, none with a device, all
 * with the same orders and profile (one kernel), pfn spans disjoint (a sink
 * tells the nodes' ranges apart by pfn).  page_reporting_mutex held.
 */
static int check_system(struct pgr_node *const *nodes, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		const struct pgr_node *n = nodes[i], *n0 = nodes[0];

		if (!n)
			return pgr__error(EINVAL,
					  "register_system: node %u is "
					  "NULL",
					  i);
		for (unsigned int j = 0; j < i; j++)
			if (nodes[j] == n)
				return pgr__error(EINVAL,
						  "register_system: node %u "
						  "is node %u again",
						  i, j);
		if (n->rep)
			return pgr__error(EBUSY,
					  "register_system: node %u already "
					  "has a device",
					  i);
		if (n->max_order != n0->max_order ||
		    n->pageblock_order != n0->pageblock_order ||
		    n->profile != n0->profile)
			return pgr__error(EINVAL,
					  "register_system: node %u differs "
					  "from node 0 in max_order, "
					  "pageblock_order or profile",
					  i);
		for (unsigned int j = 0; j < i; j++)
			if (nodes_overlap(n, nodes[j]))
				return pgr__error(EINVAL,
						  "register_system: node %u "
						  "overlaps node %u in pfns",
						  i, j);
	}
	return 0;
}

static void rep_free(struct pgr_reporting *rep)
{
	pthread_cond_destroy(&rep->idle);
	pthread_cond_destroy(&rep->cond);
	pthread_mutex_destroy(&rep->lock);
	free_free_since(rep);
	free(rep->param_value);
	free(rep->param_set);
	free(rep->counters);
	free(rep->w_counters);
	free(rep->zones);
	free(rep->nodes);
	free(rep);
}

/*
 * The device's nodes and zones (node then zone order) and the room for
 * @ops' parameters and counters, or NULL.
 */
static struct pgr_reporting *rep_alloc(struct pgr_node *const *nodes,
				       unsigned int nr,
				       const struct pgr_strategy_ops *ops)
{
	struct pgr_reporting *rep = calloc(1, sizeof(*rep));
	unsigned int nz = 0, np = pgr__nr_params(ops),
		     nc = pgr__nr_counters(ops);

	if (!rep)
		return NULL;
	for (unsigned int i = 0; i < nr; i++)
		nz += nodes[i]->nr_zones;
	rep->nodes = calloc(nr, sizeof(*rep->nodes));
	rep->zones = calloc(nz ? nz : 1, sizeof(*rep->zones));
	rep->param_value = calloc(np, sizeof(*rep->param_value));
	rep->param_set = calloc(np, sizeof(*rep->param_set));
	rep->counters = calloc(nc, sizeof(*rep->counters));
	rep->w_counters = calloc(nc, sizeof(*rep->w_counters));
	if (!rep->nodes || !rep->zones || !rep->param_value ||
	    !rep->param_set || !rep->counters || !rep->w_counters) {
		free(rep->param_value);
		free(rep->param_set);
		free(rep->counters);
		free(rep->w_counters);
		free(rep->zones);
		free(rep->nodes);
		free(rep);
		return NULL;
	}
	rep->ops = ops;
	rep->nr_params = np;
	rep->nr_counters = nc;
	for (unsigned int i = 0; i < PGR__NR_LEGACY; i++)
		rep->legacy[i] =
			pgr__counter_index(ops, pgr__legacy_counter_name(i));
	for (unsigned int i = 0; i < nr; i++) {
		rep->nodes[i] = nodes[i];
		for (unsigned int j = 0; j < nodes[i]->nr_zones; j++)
			rep->zones[rep->nr_zones++] = &nodes[i]->zones[j];
	}
	rep->nr_nodes = nr;
	rep->node = nodes[0];
	pthread_mutex_init(&rep->lock, NULL);
	{
		pthread_condattr_t ca;

		/* deadlines are CLOCK_MONOTONIC, like the engine clock */
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&rep->cond, &ca);
		pthread_cond_init(&rep->idle, &ca);
		pthread_condattr_destroy(&ca);
	}
	return rep;
}

/*
 * Publish @rep on every node under every zone lock: mm reads under one.
 * The hooks table is the strategy's private one, if it has one.
 */
static void publish(struct pgr_reporting *rep, unsigned int order)
{
	const struct pgr__strategy_private *mp = rep->mm_priv;

	lock_all_zones(rep);
	for (unsigned int n = 0; n < rep->nr_nodes; n++) {
		struct pgr_node *node = rep->nodes[n];

		if (order > node->rep_order)
			clear_reported_below(node, order);
		node->rep_order = order;
		node->unisolate_notifies = mp && mp->unisolate_notifies;
		node->rep_track_discard = true;
		/* return_to_tail: an alias for 5.10's whole tail placement */
		if (rep->cfg.return_to_tail)
			node->fpi_to_tail = true;
		/* attach sees the table of the node's previous device */
		if (mp && mp->attach)
			mp->attach(rep, node);
		node->rep_hooks =
			mp && mp->mm_hooks ? mp->mm_hooks : &engine_hooks;
		node->rep = rep;
	}
	unlock_all_zones(rep);
}

/* page_reporting_register() for @nr nodes, 1..PGR_MAX_SYSTEM_NODES. */
int pgr__rep_register(struct pgr_node *const *nodes, unsigned int nr,
		      struct pgr_sink *sink,
		      const struct pgr_reporting_config *cfg,
		      const struct pgr_strategy_ops *ops,
		      const struct pgr__strategy_private *mm_priv)
{
	struct pgr_reporting_config eff;
	struct pgr_reporting *rep;
	unsigned int order;
	bool opened = false;
	int err;

	if (!nodes[0])
		return pgr__error(EINVAL,
				  "register: NULL node, sink or config");
	rep = rep_alloc(nodes, nr, ops);
	if (!rep)
		return pgr__error(ENOMEM, "register: out of memory");
	err = resolve_config(nodes[0], sink, cfg, ops, rep->param_value,
			     rep->param_set, &eff);
	if (err)
		goto out_free_unlocked;
	order = eff.order;

	pthread_mutex_lock(&page_reporting_mutex);
	if (nr == 1 && nodes[0]->rep) {
		err = pgr__error(EBUSY,
				 "register: a device is already registered");
		goto out_free;
	}
	if (nr > 1) {
		err = check_system(nodes, nr);
		if (err)
			goto out_free;
	}
	rep->sink = sink;
	rep->cfg = eff;
	rep->capacity = eff.capacity;
	rep->mm_priv = mm_priv;
	rep->delay_ns = eff.delay_ns;
	rep->batch.lo = rep->batch.hi = PGR_BATCH_MID;
	if ((ops->flags & PGR_STRATEGY_FREE_TIME) && alloc_free_since(rep)) {
		err = pgr__error(ENOMEM, "register: out of memory");
		goto out_free;
	}

	if (sink->ops->open) {
		err = sink->ops->open(sink, nodes[0]);
		if (err) {
			pgr__error(-err, "register: sink open failed (%d)",
				   err);
			goto out_free;
		}
		opened = true;
	}
	if (ops->init) {
		err = ops->init(rep, &rep->priv);
		if (err) {
			if (err > 0 || err < -4095)
				err = -EINVAL;
			/* pgr_strategy_error() said why; else say what */
			if (!rep->init_msg)
				pgr__error(-err,
					   "register: strategy %s init failed "
					   "(%d)",
					   ops->name, err);
			goto out_close;
		}
	}
	if (eff.clock == PGR_CLOCK_REAL) {
		err = pthread_create(&rep->worker, NULL, worker_main, rep);
		if (err) {
			err = pgr__error(err, "register: worker thread failed");
			goto out_fini;
		}
		rep->have_worker = true;
	}

	publish(rep, order);
	if (ops->start)
		ops->start(rep, rep->priv);
	for (unsigned int n = 0; n < nr; n++)
		atomic_store(&nodes[n]->rep_notify, true);
	pthread_mutex_unlock(&page_reporting_mutex);
	return 0;

out_fini:
	if (ops->fini)
		ops->fini(rep, rep->priv);
out_close:
	if (opened && sink->ops->close)
		sink->ops->close(sink);
out_free:
	pthread_mutex_unlock(&page_reporting_mutex);
out_free_unlocked:
	rep_free(rep);
	return err;
}

static int unregister_locked(struct pgr_node *node)
{
	struct pgr_reporting *rep = node->rep;

	if (!rep)
		return pgr__error(ENOENT, "unregister: no device registered");
	/* from inside report() it would wait for itself */
	pthread_mutex_lock(&rep->lock);
	if ((rep->running && rep->cfg.clock == PGR_CLOCK_VIRTUAL) ||
	    (rep->have_worker && pthread_equal(rep->worker, pthread_self()))) {
		pthread_mutex_unlock(&rep->lock);
		return pgr__error(EDEADLK, "unregister: called from the work");
	}
	pthread_mutex_unlock(&rep->lock);

	/* static_branch_disable + synchronize_rcu: no notify in flight. */
	for (unsigned int n = 0; n < rep->nr_nodes; n++)
		atomic_store(&rep->nodes[n]->rep_notify, false);
	lock_all_zones(rep);
	unlock_all_zones(rep);
	cancel_work_sync(rep);

	lock_all_zones(rep);
	for (unsigned int n = 0; n < rep->nr_nodes; n++) {
		struct pgr_node *nd = rep->nodes[n];

		if (rep->mm_priv && rep->mm_priv->detach)
			rep->mm_priv->detach(rep, nd);
		nd->rep = NULL;
		nd->fpi_to_tail = nd->profile >= PGR_PROFILE_5_10;
	}
	unlock_all_zones(rep);

	if (rep->ops->fini)
		rep->ops->fini(rep, rep->priv);
	if (rep->sink->ops->close)
		rep->sink->ops->close(rep->sink);
	rep_free(rep);
	return 0;
}

int pgr_reporting_unregister(struct pgr_node *node)
{
	int err;

	if (!node)
		return pgr__error(EINVAL, "unregister: NULL node");
	pthread_mutex_lock(&page_reporting_mutex);
	err = unregister_locked(node);
	pthread_mutex_unlock(&page_reporting_mutex);
	return err;
}

/* A member node goes away: the whole device goes with it. */
void pgr__rep_on_node_destroy(struct pgr_node *node)
{
	pthread_mutex_lock(&page_reporting_mutex);
	if (node->rep)
		unregister_locked(node);
	pthread_mutex_unlock(&page_reporting_mutex);
}

/*
 * @node's device or NULL, read under a zone lock of the node (where it is
 * published); valid until the device is unregistered, like every other
 * pgr_reporting_* call's.  Takes no mutex: callable from a sink's report().
 */
struct pgr_reporting *pgr__node_rep(struct pgr_node *node)
{
	struct pgr_reporting *rep;

	if (!node->nr_zones)
		return NULL;
	pgr_spin_lock(&node->zones[0].lock);
	rep = node->rep;
	pgr_spin_unlock(&node->zones[0].lock);
	return rep;
}

/* ---- clock API ------------------------------------------------------- */

uint64_t pgr_reporting_now(struct pgr_node *node)
{
	struct pgr_reporting *rep;

	if (pgr__get_rep(node, &rep))
		return 0;
	return pgr__rep_now(rep);
}

/* Virtual clock: run due work up to @target, or stop at idle. */
static int advance_virtual(struct pgr_reporting *rep, uint64_t max_ns,
			   bool until_idle, uint64_t *r_elapsed)
{
	uint64_t start, target;
	int ret = 0;

	pthread_mutex_lock(&rep->lock);
	if (rep->running || rep->sampling) {
		pthread_mutex_unlock(&rep->lock);
		return pgr__error(EBUSY, "reporting: the work is running");
	}
	start = rep->vnow_ns;
	target = max_ns > UINT64_MAX - start ? UINT64_MAX : start + max_ns;
	for (;;) {
		bool work = rep->pending && rep->due_ns <= target;
		uint64_t s = rep->sample_next_ns;
		/* until_idle stops at idle: sample only before pending work */
		bool sample = rep->sample_fn && s <= target &&
			      (work ? s <= rep->due_ns : !until_idle);

		if (sample) {
			pgr_reporting_sample_fn fn = rep->sample_fn;
			void *arg = rep->sample_arg;

			rep->vnow_ns = s;
			rep->sample_next_ns = s + rep->sample_period_ns;
			/* fn reads zone state: zone locks nest outside ours */
			rep->sampling = true;
			pthread_mutex_unlock(&rep->lock);
			fn(rep->node, s, arg);
			pthread_mutex_lock(&rep->lock);
			rep->sampling = false;
			continue;
		}
		if (!work)
			break;
		if (rep->due_ns > rep->vnow_ns)
			rep->vnow_ns = rep->due_ns;
		run_work_locked(rep);
	}
	if (until_idle && !rep->pending)
		target = rep->vnow_ns;
	else if (until_idle)
		ret = pgr__error(ETIMEDOUT,
				 "reporting: still busy after %llu ns",
				 (unsigned long long)max_ns);
	rep->vnow_ns = target;
	if (r_elapsed)
		*r_elapsed = rep->vnow_ns - start;
	pthread_mutex_unlock(&rep->lock);
	return ret;
}

int pgr_reporting_advance(struct pgr_node *node, uint64_t ns)
{
	struct pgr_reporting *rep;
	int err = pgr__get_rep(node, &rep);

	if (err)
		return err;
	if (rep->cfg.clock != PGR_CLOCK_VIRTUAL)
		return pgr__error(EINVAL, "advance: not a virtual clock");
	return advance_virtual(rep, ns, false, NULL);
}

int pgr_reporting_run_until_idle(struct pgr_node *node, uint64_t max_ns,
				 uint64_t *r_elapsed)
{
	struct pgr_reporting *rep;
	int err = pgr__get_rep(node, &rep);

	if (err)
		return err;
	if (rep->cfg.clock != PGR_CLOCK_VIRTUAL)
		return pgr__error(EINVAL,
				  "run_until_idle: not a virtual clock");
	return advance_virtual(rep, max_ns, true, r_elapsed);
}

bool pgr_reporting_pending(struct pgr_node *node)
{
	struct pgr_reporting *rep;
	bool pending;

	if (!node || !(rep = node->rep))
		return false;
	pthread_mutex_lock(&rep->lock);
	pending = rep->pending;
	pthread_mutex_unlock(&rep->lock);
	return pending;
}

int pgr_reporting_flush(struct pgr_node *node, uint64_t timeout_ns)
{
	struct pgr_reporting *rep;
	struct timespec ts;
	uint64_t deadline;
	int err = pgr__get_rep(node, &rep);

	if (err)
		return err;
	if (rep->cfg.clock != PGR_CLOCK_REAL)
		return pgr__error(EINVAL, "flush: not a real clock");
	deadline = pgr__mono_ns() + timeout_ns;
	pthread_mutex_lock(&rep->lock);
	while (rep->pending || rep->running) {
		if (pgr__mono_ns() >= deadline) {
			pthread_mutex_unlock(&rep->lock);
			return pgr__error(ETIMEDOUT,
					  "flush: worker still busy");
		}
		/* wake at least when due work should have started */
		abs_deadline(&ts, deadline);
		pthread_cond_timedwait(&rep->idle, &rep->lock, &ts);
	}
	pthread_mutex_unlock(&rep->lock);
	return 0;
}

int pgr_reporting_get_config(struct pgr_node *node,
			     struct pgr_reporting_config *r_cfg)
{
	struct pgr_reporting *rep;
	int err = pgr__get_rep(node, &rep);

	if (err)
		return err;
	if (!r_cfg)
		return pgr__error(EINVAL, "get_config: NULL result");
	*r_cfg = rep->cfg;
	return 0;
}

int pgr_reporting_get_stats(struct pgr_node *node,
			    struct pgr_reporting_stats *r_stats)
{
	struct pgr_reporting *rep;
	int err = pgr__get_rep(node, &rep);

	if (err)
		return err;
	if (!r_stats)
		return pgr__error(EINVAL, "get_stats: NULL result");
	pthread_mutex_lock(&rep->lock);
	*r_stats = rep->stats;
	pthread_mutex_unlock(&rep->lock);
	return 0;
}

int pgr_reporting_set_sampler(struct pgr_node *node, uint64_t period_ns,
			      pgr_reporting_sample_fn fn, void *arg)
{
	struct pgr_reporting *rep;
	int err = pgr__get_rep(node, &rep);

	if (err)
		return err;
	if (rep->cfg.clock != PGR_CLOCK_VIRTUAL)
		return pgr__error(EINVAL, "set_sampler: not a virtual clock");
	if (fn && !period_ns)
		return pgr__error(EINVAL, "set_sampler: period 0");
	pthread_mutex_lock(&rep->lock);
	rep->sample_fn = fn;
	rep->sample_arg = arg;
	rep->sample_period_ns = period_ns;
	rep->sample_next_ns = fn ? rep->vnow_ns + period_ns : 0;
	pthread_mutex_unlock(&rep->lock);
	return 0;
}
