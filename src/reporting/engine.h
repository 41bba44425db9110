/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reporting engine's private state (src/reporting): the device
 * (struct page_reporting_dev_info plus the delayed work it owns), the batch
 * (the kernel's scatterlist) and the strategy ops.  Not installed.
 */
#ifndef PGR_REPORTING_ENGINE_H
#define PGR_REPORTING_ENGINE_H

#include "internal.h"

#include <pagereport/strategy.h>

#define PGR_NO_PAGE UINT32_MAX

/*
 * The scatterlist: pages isolated for one report() call, all in @zone.
 * Entries [lo, hi) are live; both grow from the middle (PGR_BATCH_MID),
 * so a strategy may append (v11: sg[count++]) or prepend (5.7:
 * sg[--offset]).  lo == hi when nothing is isolated.  Changed only under
 * the zone lock.  @accepted: the sink took the batch (host discarded it).
 * @zone itself is read by the checker of any zone, under that zone's
 * lock: it is written atomically, set to a zone only under that zone's
 * lock and cleared (NULL) by the drain under the same lock, so a checker
 * that reads its own zone there knows that lock guards the rest.
 */
#define PGR_BATCH_MID PGR_REPORTING_CAPACITY
struct pgr_batch {
	struct zone *zone;
	unsigned int lo, hi;
	bool accepted;
	bool held; /* report() said PGR_SINK_HELD: the drain keeps it */
	uint32_t ids[2 * PGR_REPORTING_CAPACITY];
	struct pgr_range ranges[2 * PGR_REPORTING_CAPACITY];
};

static inline void pgr__batch_set_zone(struct pgr_batch *b, struct zone *z)
{
	__atomic_store_n(&b->zone, z, __ATOMIC_RELAXED);
}

static inline struct zone *pgr__batch_zone(const struct pgr_batch *b)
{
	return __atomic_load_n(&b->zone, __ATOMIC_RELAXED);
}

struct pgr_reporting {
	struct pgr_node *node; /* nodes[0]: the sampler's and open()'s node */
	/*
	 * The device serves every zone of these nodes (one device per
	 * system: pgr_reporting_register_system); zones[] lists them in node
	 * then zone order, as for_each_zone.  A per-node registration is a
	 * system of one node.
	 */
	struct pgr_node **nodes;
	unsigned int nr_nodes;
	struct zone **zones;
	unsigned int nr_zones;
	uint32_t *boundary; /* v11: the one reported_boundary array */
	struct pgr_sink *sink;
	struct pgr_reporting_config cfg; /* effective: defaults resolved */
	const struct pgr_strategy_ops *ops;
	void *priv; /* the strategy's (ops->init) */
	unsigned int capacity;
	uint64_t delay_ns;
	bool v11;    /* v11-boundary or v11-rescan (internal hooks) */
	bool rescan; /* v11-rescan */
	uint64_t drain_in_hold; /* drain ns inside the current lock hold */

	/* v11: zones with ZONE_PAGE_REPORTING_REQUESTED (phdev->refcnt) */
	atomic_int refcnt;

	/*
	 * The delayed work.  @lock protects pending/due/running/canceling,
	 * the virtual clock and @stats; it nests inside zone locks (notify
	 * schedules under the zone lock), so the worker never takes a zone
	 * lock while holding it.
	 */
	pthread_mutex_t lock;
	pthread_cond_t cond; /* work scheduled, or stop */
	pthread_cond_t idle; /* the work finished a run */
	bool pending, running, canceling, stop;
	uint64_t due_ns;
	uint64_t vnow_ns; /* virtual clock */
	pthread_t worker;
	bool have_worker;

	/* Only the running work touches these (no lock). */
	struct pgr_batch batch;	      /* zone lock held while it changes */
	struct pgr_reporting_stats w; /* worker's counts, folded into stats */

	struct pgr_reporting_stats stats; /* under @lock */

	/* pgr_reporting_set_sampler (virtual clock), under @lock */
	pgr_reporting_sample_fn sample_fn;
	void *sample_arg;
	uint64_t sample_period_ns, sample_next_ns;
	bool sampling; /* sample_fn is running */
};

/* Largest hwm, budget divisor and gate margin a config may ask for. */
#define PGR_TUNABLE_MAX (1U << 20)

/*
 * What this thread is doing for the engine: the zone lock it holds through
 * pgr_strategy_lock() or that mm holds around ->notify_free (@zone), the
 * engine whose work it runs (@work), whether it is inside ->notify_free.
 */
struct pgr__rep_tls {
	struct zone *zone;
	struct pgr_reporting *work;
	bool notify;
	uint64_t t_lock; /* when @zone was locked (work only) */
};
extern _Thread_local struct pgr__rep_tls pgr__rep_tls;

/* strategy.c: the registry (built-ins first, ids 0..count-1) */
const struct pgr_strategy_ops *pgr__strategy_ops(int id);

extern const struct pgr_strategy_ops pgr__v11_boundary_ops;
extern const struct pgr_strategy_ops pgr__v11_rescan_ops;
extern const struct pgr_strategy_ops pgr__upstream_ops;
extern const struct pgr_strategy_ops pgr__bitmap_ops;
extern const struct pgr_reporting_hooks pgr__engine_hooks;

/* engine.c */
struct pgr_reporting *pgr__node_rep(struct pgr_node *node);
uint64_t pgr__rep_now(struct pgr_reporting *rep);
uint64_t pgr__mono_ns(void);
int pgr__rep_schedule(struct pgr_reporting *rep, uint64_t delay_ns);
void pgr__rep_count_request(struct pgr_reporting *rep);
void pgr__rep_flush_stats(struct pgr_reporting *rep);
int pgr__rep_report(struct pgr_reporting *rep);
void pgr__batch_add(struct pgr_reporting *rep, struct zone *z, uint32_t id,
		    unsigned int order, bool front);
void pgr__rep_drain(struct pgr_reporting *rep, bool mark, bool discarded,
		    unsigned int fpi);
/* held.c: keep a batch the sink's device may still discard isolated */
void pgr__rep_hold_batch(struct pgr_reporting *rep);
void pgr__rep_lock(struct pgr_reporting *rep, struct zone *z, uint64_t *t_lock);
void pgr__rep_unlock(struct pgr_reporting *rep, struct zone *z,
		     uint64_t t_lock);

/* v11.c: reported_pages bookkeeping shared with the drain and the checker */
void pgr__v11_mark_reported(struct zone *z, uint32_t id, unsigned int order);
/* v11.c: the internal hooks mm calls through pgr__engine_hooks */
void pgr__v11_del_reported(struct zone *z, uint32_t id, unsigned int order);
void pgr__v11_move_reported(struct zone *z, uint32_t id, unsigned int order);
void pgr__v11_reset_boundary(struct zone *z, unsigned int order, int mt);
void pgr__v11_reset_zone(struct zone *z);
/* check.c */
int pgr__rep_check_zone(struct zone *z, char *buf, size_t len);

#endif /* PGR_REPORTING_ENGINE_H */
