/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reporting engine's private state (src/reporting): the device
 * (struct page_reporting_dev_info plus the delayed work it owns), the batch
 * (the kernel's scatterlist), the strategy ops, and the engine functions
 * the other files of src/reporting call.  A header of its own (no .c
 * counterpart): the engine, the primitives of strategy.c and a strategy
 * with private access to mm all include it, and it includes none of
 * them.  Not installed.
 */
#ifndef PGR_REPORTING_DEVICE_H
#define PGR_REPORTING_DEVICE_H

#include <pthread.h>

#include "errmsg.h"
#include "mm/mmzone.h"

#include <pagereport/strategy.h>

#define PGR_NO_PAGE UINT32_MAX

/* params.c: the engine's parameters come first in every strategy's list */
enum {
	PGR__PARAM_DELAY = 0,
	PGR__PARAM_ORDER = 1,
	PGR__PARAM_CAPACITY = 2,
	PGR__NR_ENGINE_PARAMS = 3,
};
/* the named counters of a strategy that declares none (params.c) */
#define PGR__NR_LEGACY 4

/*
 * The scatterlist: pages isolated for one report() call, all in @zone.
 * Entries [lo, hi) are live; both grow from the middle (PGR_BATCH_MID),
 * so a strategy may append (sg[count++]) or prepend (as 5.7 does:
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
	struct pgr_sink *sink;
	struct pgr_reporting_config cfg; /* effective: defaults resolved */
	const struct pgr_strategy_ops *ops;
	/* what a strategy with access to mm adds (registry.c), or NULL */
	const struct pgr__strategy_private *mm_priv;
	void *priv; /* the strategy's (ops->init) */
	unsigned int capacity;
	uint64_t delay_ns;
	uint64_t drain_in_hold; /* drain ns inside the current lock hold */
	bool init_msg; /* ->init said why it failed (pgr_strategy_error) */

	/*
	 * Parameters in pgr__param() order (the engine's three, then the
	 * strategy's): values in effect and whether the config set them.
	 * Written before the device is published, read-only after.
	 */
	unsigned int nr_params;
	uint64_t *param_value;
	bool *param_set;

	/*
	 * Named counters in pgr__counter() order: @counters under @lock,
	 * @w_counters the running work's (folded in with the stats).
	 * legacy[k]: the index of the k-th counter of the legacy table
	 * (params.c: bits_visited, budget_exhausted, zones_gated,
	 * boundary_resets) among the strategy's, or -1.
	 */
	unsigned int nr_counters;
	uint64_t *counters, *w_counters;
	int legacy[PGR__NR_LEGACY];

	/*
	 * PGR_STRATEGY_FREE_TIME: for each zone (zones[] order), one stamp
	 * per 2^cfg.order block (absolute alignment: index (pfn >> order) -
	 * (start_pfn >> order)): the last notify_free that covered it, in
	 * ms after @free_base_ns rounded up (0: free since registration).
	 * Written and read under that zone's lock; NULL when not asked.
	 */
	uint32_t **free_since;
	uint64_t free_base_ns;

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

/*
 * What a built-in strategy with private access to the free lists adds to
 * its ops (supplied by the registry, src/reporting/registry.c): the hooks
 * table mm calls on the device's nodes, and what it publishes on a node
 * or takes back, under every zone lock of the device.
 */
struct pgr__strategy_private {
	const struct pgr_reporting_hooks *mm_hooks;
	/* the device is being published on @node (after ops->init) */
	void (*attach)(struct pgr_reporting *rep, struct pgr_node *node);
	/* the device leaves @node (before ops->fini) */
	void (*detach)(struct pgr_reporting *rep, struct pgr_node *node);
	/* unset_migratetype_isolate() frees with notification (5.4) */
	bool unisolate_notifies;
};

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

/* engine.c */
/*
 * page_reporting_register() of a resolved strategy: @ops and @mm_priv
 * (NULL for a strategy written on strategy.h alone) as the registry
 * found them for @cfg.  0 or -errno with a message.
 */
int pgr__rep_register(struct pgr_node *const *nodes, unsigned int nr,
		      struct pgr_sink *sink,
		      const struct pgr_reporting_config *cfg,
		      const struct pgr_strategy_ops *ops,
		      const struct pgr__strategy_private *mm_priv);
/* The engine's entries of a hooks table (a private table reuses them). */
void pgr__rep_on_free(struct zone *z, uint32_t id, unsigned int order);
void pgr__rep_on_node_destroy(struct pgr_node *node);
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

/* params.c: the parameters and counters of a strategy's ops */
unsigned int pgr__nr_params(const struct pgr_strategy_ops *ops);
const struct pgr_strategy_param *pgr__param(const struct pgr_strategy_ops *ops,
					    unsigned int i);
uint64_t pgr__default_delay(const struct pgr_strategy_ops *ops);
int pgr__param_index(const struct pgr_strategy_ops *ops, const char *name);
int pgr__param_lookup(const struct pgr_strategy_ops *ops, const char *name);
void pgr__param_info(const struct pgr_strategy_ops *ops, unsigned int i,
		     struct pgr_param_info *r);
int pgr__param_value(const char *fn, const char *sn,
		     const struct pgr_strategy_param *p,
		     const struct pgr_param *set, uint64_t *r_value);
unsigned int pgr__nr_counters(const struct pgr_strategy_ops *ops);
const struct pgr_strategy_counter *
pgr__counter(const struct pgr_strategy_ops *ops, unsigned int i);
int pgr__counter_index(const struct pgr_strategy_ops *ops, const char *name);
const char *pgr__legacy_counter_name(unsigned int i);
/* The checks of ops' tables and policy fields at registration. */
int pgr__check_tables(const struct pgr_strategy_ops *ops, const char *fn);

/* counters.c: named counters of a device */
void pgr__rep_counter_add(struct pgr_reporting *rep, unsigned int idx,
			  uint64_t n);
void pgr__rep_fold_counters(struct pgr_reporting *rep); /* @lock held */

/*
 * The device of @node for the public pgr_reporting_* calls: 0, or
 * -EINVAL / -ENOENT with a message.
 */
static inline int pgr__get_rep(struct pgr_node *node,
			       struct pgr_reporting **r_rep)
{
	if (!node)
		return pgr__error(EINVAL, "reporting: NULL node");
	*r_rep = node->rep;
	if (!*r_rep)
		return pgr__error(ENOENT, "reporting: no device registered");
	return 0;
}

/* engine.c: when the free block @id of @z became free (free_since) */
int pgr__rep_free_since(struct pgr_reporting *rep, struct zone *z, uint32_t id,
			uint64_t *r_ns);

/* check.c: the invariants every strategy keeps (a hooks table entry) */
int pgr__rep_check_zone(struct zone *z, char *buf, size_t len);

#endif /* PGR_REPORTING_DEVICE_H */
