/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpagereport: seeded, deterministic workload generators.
 *
 * A workload stands for a guest's page allocator traffic on one zone.  It
 * drives the public mm API only (pgr_alloc_pages / pgr_free_pages), knows
 * nothing about which reporting strategy runs, and draws every random
 * choice from its own PRNG: the same seed on the same zone state gives the
 * same sequence of calls.  Like the kernel's callers of alloc_pages() it
 * leaves out per-CPU lists: every free goes straight to the buddy
 * allocator (free_one_page), which is what reporting sees.
 *
 * Kinds (the bench experiments' workloads, now in the library):
 *   CHURN       keeps the zone near a target occupancy with alloc/free
 *               steps of an order mix, freeing a random live block
 *               (will-it-scale style churn; bench boundary-vs-rescan).
 *   BUILD       a parallel build in miniature: jobs with lifetimes that
 *               grow a heap of mostly order-0 blocks, churn inside it and
 *               free it at exit, plus long-lived memory (page cache, THPs)
 *               replaced slowly (bench reclaim sweep).
 *   FILL_FREE   memhog: fill to a target occupancy with blocks of one
 *               order, hold, free everything, repeat.
 *   PAGE_FAULT1 will-it-scale page_fault1: alloc a block, touch it, free.
 *
 * Time: a step is one operation; pgr_workload_run() paces steps at
 * cfg.rate per second of the node's engine clock (pgr_reporting_now /
 * pgr_reporting_advance) when a reporting device is registered, or of the
 * workload's own virtual clock otherwise (pgr_workload_set_time()).
 */
#ifndef PAGEREPORT_WORKLOAD_H
#define PAGEREPORT_WORKLOAD_H

#include <pagereport/mm.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pgr_trace;

enum pgr_workload_kind {
	PGR_WORKLOAD_CHURN = 0,
	PGR_WORKLOAD_BUILD = 1,
	PGR_WORKLOAD_FILL_FREE = 2,
	PGR_WORKLOAD_PAGE_FAULT1 = 3,
	PGR_NR_WORKLOADS = 4,
};

/* Order mixes of CHURN, clamped to [min_order, max_order]. */
enum pgr_churn_mix {
	PGR_CHURN_MIX_THP = 0,	   /* 50% order 9, 20% 0, 20% 1-8, 10% 10 */
	PGR_CHURN_MIX_UNIFORM = 1, /* uniform over [min_order, max_order] */
	PGR_CHURN_MIX_SMALL = 2,   /* 80% order 0, 15% 1-3, 5% order 9 */
};

struct pgr_workload_config {
	enum pgr_workload_kind kind;
	uint64_t seed;
	/* Migratetype of every allocation; default MOVABLE (user memory). */
	enum pgr_migratetype migratetype;
	bool migratetype_set;
	/* Operations per second for pgr_workload_run(); 0 = 100000. */
	double rate;
	struct {
		double occupancy; /* target fraction of the zone, (0, 1] */
		enum pgr_churn_mix mix;
		/* Order bounds; both 0 and !orders_set = 0..MAX_ORDER-1. */
		unsigned min_order, max_order;
		bool orders_set;
	} churn;
	struct {
		unsigned jobs;	      /* 0 = 4 */
		unsigned short_pct;   /* jobs' share of the zone; 0 = 18 */
		unsigned long_pct;    /* long-lived share; 0 = 10 */
		unsigned long_every;  /* one long block replaced per N ops;
					 0 = 500 */
		unsigned ops_per_sec; /* op clock of lifetimes; 0 = 6000 */
		unsigned min_life_ms; /* job lifetime; 0 and 0 = 1000..4000 */
		unsigned max_life_ms;
	} build;
	struct {
		double occupancy;  /* fill up to; 0 = 0.9 */
		unsigned order;	   /* block order; 0 means order 0 */
		uint64_t hold_ops; /* steps spent full before freeing; 0 = 0 */
	} fill;
	struct {
		unsigned order; /* 9 = THP as Duyck ran it; 0 = 4 KiB */
	} page_fault1;
	/*
	 * Optional: called after every successful allocation (e.g. to write
	 * the block in guest RAM, as the bench does).  Runs without any lock.
	 */
	void (*on_alloc)(void *arg, uint64_t pfn, unsigned order);
	void *arg;
	/* Optional: every alloc and free is appended to this trace. */
	struct pgr_trace *record;
};

struct pgr_workload_stats {
	uint64_t ops;		 /* pgr_workload_step() calls that did work */
	uint64_t allocs, frees;	 /* successful calls */
	uint64_t alloc_failures; /* pgr_alloc_pages() -ENOMEM */
	uint64_t live_blocks, live_pages;
	uint64_t target_pages; /* CHURN/FILL_FREE target, BUILD long-lived */
	uint64_t cycles;       /* FILL_FREE fill-and-free cycles done */
};

struct pgr_workload;

/**
 * pgr_workload_create - a workload on @zone (which must be populated)
 * @zone: any zone of any node
 * @cfg: kind, seed and the kind's parameters (unset fields: defaults)
 *
 * Return: the workload, or NULL with errno set (EINVAL: bad kind, order,
 * occupancy or NULL argument; ENOMEM).
 */
PGR_EXPORT struct pgr_workload *
pgr_workload_create(struct pgr_zone *zone,
		    const struct pgr_workload_config *cfg);

/**
 * pgr_workload_destroy - free the workload; its live blocks stay allocated
 * in the zone unless pgr_workload_free_all() ran first.  NULL is ignored.
 */
PGR_EXPORT void pgr_workload_destroy(struct pgr_workload *w);

/**
 * pgr_workload_fill - allocate up to the starting state without freeing:
 * CHURN its target occupancy, BUILD its long-lived memory and jobs,
 * FILL_FREE a full fill; nothing for PAGE_FAULT1.
 * Return: 0, -EINVAL (NULL).
 */
PGR_EXPORT int pgr_workload_fill(struct pgr_workload *w);

/**
 * pgr_workload_step - one operation (PAGE_FAULT1: one alloc-touch-free)
 *
 * Return: 0; -ENOMEM when the operation's allocation failed (counted; the
 * workload stays consistent and may be stepped again); -EINVAL (NULL);
 * -EIO if the zone refused to free one of the workload's own blocks (the
 * zone was changed behind the workload's back).
 */
PGR_EXPORT int pgr_workload_step(struct pgr_workload *w);

/**
 * pgr_workload_run - steps paced at cfg.rate for @ns of clock time
 * @tick_ns: clock granularity (0 = 1 ms): after each tick's steps the
 *	engine clock is advanced (its delayed work runs), or the workload's
 *	own clock when no device is registered on the zone's node
 *
 * Return: 0, -EINVAL (NULL, or the engine runs a real clock), -EIO.
 */
PGR_EXPORT int pgr_workload_run(struct pgr_workload *w, uint64_t ns,
				uint64_t tick_ns);

/** pgr_workload_free_fraction - free a random @fraction (0..1) of live blocks.
 * Return: 0, -EINVAL, -EIO. */
PGR_EXPORT int pgr_workload_free_fraction(struct pgr_workload *w,
					  double fraction);

/** pgr_workload_free_all - free every live block in random order.
 * Return: 0, -EINVAL, -EIO. */
PGR_EXPORT int pgr_workload_free_all(struct pgr_workload *w);

/**
 * pgr_workload_set_time - set the workload's own clock (ns), used for
 * recorded events when no reporting device is registered.  Return 0/-EINVAL.
 */
PGR_EXPORT int pgr_workload_set_time(struct pgr_workload *w, uint64_t ns);

/** pgr_workload_now - the clock the workload steps on (ns). */
PGR_EXPORT uint64_t pgr_workload_now(const struct pgr_workload *w);

/** pgr_workload_get_stats - counters.  Return 0 or -EINVAL. */
PGR_EXPORT int pgr_workload_get_stats(const struct pgr_workload *w,
				      struct pgr_workload_stats *r_stats);

/** pgr_workload_kind_name - "churn", "build", "fill-free", "page-fault1". */
PGR_EXPORT const char *pgr_workload_kind_name(enum pgr_workload_kind k);

/** pgr_workload_kind_from_name - the kind, or -EINVAL if unknown. */
PGR_EXPORT int pgr_workload_kind_from_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* PAGEREPORT_WORKLOAD_H */
