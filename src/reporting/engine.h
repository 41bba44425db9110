/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The reporting engine's private state (src/reporting): the device
 * (struct page_reporting_dev_info plus the delayed work it owns), the batch
 * (the kernel's scatterlist) and the strategy ops.  Not installed.
 */
#ifndef PGR_REPORTING_ENGINE_H
#define PGR_REPORTING_ENGINE_H

#include "internal.h"

#define PGR_NO_PAGE UINT32_MAX

/* Upstream state machine (mm/page_reporting.c, 5.7). */
enum {
	PAGE_REPORTING_IDLE = 0,
	PAGE_REPORTING_REQUESTED = 1,
	PAGE_REPORTING_ACTIVE = 2,
};

/*
 * The scatterlist: pages isolated for one report() call, all in @zone.
 * Entries [lo, hi) are live (v11 fills from 0 up, 5.7 from the end down);
 * lo == hi when nothing is isolated.  Changed only under the zone lock.
 * @zone itself is read by the checker of any zone, under that zone's
 * lock: it is written atomically, set to a zone only under that zone's
 * lock and cleared (NULL) by the drain under the same lock, so a checker
 * that reads its own zone there knows that lock guards the rest.
 */
struct pgr_batch {
	struct zone *zone;
	unsigned int lo, hi;
	bool held; /* report() said PGR_SINK_HELD: the drain keeps it */
	uint32_t ids[PGR_REPORTING_CAPACITY];
	struct pgr_range ranges[PGR_REPORTING_CAPACITY];
};

static inline void pgr__batch_set_zone(struct pgr_batch *b, struct zone *z)
{
	__atomic_store_n(&b->zone, z, __ATOMIC_RELAXED);
}

static inline struct zone *pgr__batch_zone(const struct pgr_batch *b)
{
	return __atomic_load_n(&b->zone, __ATOMIC_RELAXED);
}

struct pgr_strategy_ops {
	/* page_reporting_notify_free() after the inline checks; zone lock held
	 */
	void (*notify_free)(struct pgr_reporting *rep, struct zone *z,
			    unsigned int order);
	/* the initial request of page_reporting_register() */
	void (*register_request)(struct pgr_reporting *rep);
	/* the delayed work: one run of page_reporting_process() */
	void (*process)(struct pgr_reporting *rep);
};

struct pgr_reporting {
	struct pgr_node *node;
	struct pgr_sink *sink;
	struct pgr_reporting_config cfg;
	const struct pgr_strategy_ops *ops;
	unsigned int capacity;
	uint64_t delay_ns;
	bool rescan; /* v11-rescan */

	/* v11: zones with ZONE_PAGE_REPORTING_REQUESTED (phdev->refcnt) */
	atomic_int refcnt;
	/* upstream: PAGE_REPORTING_IDLE/REQUESTED/ACTIVE (prdev->state) */
	atomic_int state;

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
};

extern const struct pgr_strategy_ops pgr__v11_ops;
extern const struct pgr_strategy_ops pgr__upstream_ops;

/* engine.c */
uint64_t pgr__rep_now(struct pgr_reporting *rep);
uint64_t pgr__mono_ns(void);
void pgr__rep_schedule(struct pgr_reporting *rep, uint64_t delay_ns);
void pgr__rep_count_request(struct pgr_reporting *rep);
void pgr__rep_flush_stats(struct pgr_reporting *rep);
int pgr__rep_report(struct pgr_reporting *rep);
void pgr__rep_drain(struct pgr_reporting *rep, bool mark, bool discarded,
		    unsigned int fpi);
/* held.c: keep a batch the sink's device may still discard isolated */
void pgr__rep_hold_batch(struct pgr_reporting *rep);
void pgr__rep_lock(struct pgr_reporting *rep, struct zone *z, uint64_t *t_lock);
void pgr__rep_unlock(struct pgr_reporting *rep, struct zone *z,
		     uint64_t t_lock);

/* v11.c: reported_pages bookkeeping shared with the drain and the checker */
void pgr__v11_mark_reported(struct zone *z, uint32_t id, unsigned int order);

#endif /* PGR_REPORTING_ENGINE_H */
