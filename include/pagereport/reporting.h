/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpagereport: the free page reporting engine.
 *
 * One engine (request state, delayed work on a clock, fill/report/drain with
 * the zone lock dropped around the sink) and three strategies:
 *
 *   "v11-boundary"  Duyck's v11 series (Oct 2019): reported_boundary per
 *                   (order, migratetype), get_unreported_page, HWM 32
 *                   trigger, 100 ms delay, run to completion.
 *   "v11-rescan"    the same algorithm whose iterator forgets the boundary
 *                   before every search, so it re-walks the reported tail of
 *                   the list; it picks the same pages, only the cost differs.
 *   "upstream"      Linux 5.7 mm/page_reporting.c: list rotation, budget of
 *                   DIV_ROUND_UP(nr_free, capacity * 16) reports per list per
 *                   pass, 2 s delay, watermark gate.
 *
 * One reporting device per node, as in the kernel.
 */
#ifndef PAGEREPORT_REPORTING_H
#define PAGEREPORT_REPORTING_H

#include <pagereport/mm.h>
#include <pagereport/sink.h>

#ifdef __cplusplus
extern "C" {
#endif

enum pgr_strategy {
	PGR_STRATEGY_V11_BOUNDARY = 0,
	PGR_STRATEGY_V11_RESCAN = 1,
	PGR_STRATEGY_UPSTREAM = 2,
	PGR_NR_STRATEGIES = 3,
};

enum pgr_clock_kind {
	PGR_CLOCK_VIRTUAL = 0, /* the caller advances time (deterministic) */
	PGR_CLOCK_REAL = 1,    /* a worker thread with real delays */
};

#define PGR_REPORTING_HWM     32
#define PGR_V11_DELAY_NS      100000000ULL  /* HZ/10 */
#define PGR_UPSTREAM_DELAY_NS 2000000000ULL /* PAGE_REPORTING_DELAY = 2*HZ */

struct pgr_reporting_config {
	enum pgr_strategy strategy;
	enum pgr_clock_kind clock;
	/* Lowest reported order; 0 = pageblock_order.  v11 fixes it at
	 * pageblock_order (PAGE_REPORTING_MIN_ORDER); upstream models
	 * page_reporting_order (5.14+), 0..MAX_ORDER-1, with
	 * order_set = true to ask for order 0. */
	unsigned order;
	bool order_set;
	uint64_t delay_ns; /* 0 = strategy default (100 ms / 2 s) */
	bool delay_set;	   /* true: use delay_ns even if 0 */
	/* upstream: returned pages go to the list tail (FPI_TO_TAIL, 5.10+) */
	bool return_to_tail;
	/*
	 * v11: report() returns void in the kernel, so the drain marks pages
	 * Reported even when the sink failed.  Default (false) is faithful;
	 * true leaves them unmarked as 5.7 does.
	 */
	bool v11_skip_mark_on_error;
};

/*
 * Statistics.  fill/report/drain and lock hold times are CPU costs measured
 * with CLOCK_MONOTONIC under either clock; last_report_time_ns is engine
 * clock time.
 */
struct pgr_reporting_stats {
	uint64_t passes;	 /* worker runs (v11 process / 5.7 pass) */
	uint64_t batches;	 /* report() calls */
	uint64_t batch_errors;	 /* report() calls that failed */
	uint64_t pages_reported; /* base pages in successful reports */
	uint64_t bytes_reported;
	uint64_t blocks_reported;	 /* ranges in successful reports */
	uint64_t blocks_marked;		 /* drained blocks marked Reported */
	uint64_t blocks_merged_on_drain; /* drained blocks that merged */
	uint64_t nodes_visited;	  /* list nodes looked at while searching */
	uint64_t boundary_resets; /* v11 per-list and whole-zone resets */
	/* pages reported again while still discarded */
	uint64_t rereported_pages;
	uint64_t isolate_failures; /* __isolate_free_page watermark failures */
	uint64_t requests;	   /* zone/device request transitions */
	uint64_t budget_exhausted; /* upstream: lists that ran out of budget */
	uint64_t zones_gated; /* upstream: zones below the watermark gate */
	uint64_t fill_ns, report_ns, drain_ns; /* CLOCK_MONOTONIC ns */
	uint64_t lock_hold_ns;	      /* zone lock held by the engine */
	uint64_t last_report_time_ns; /* clock time of the last report */
	/* pages kept isolated for good: the sink returned PGR_SINK_HELD */
	uint64_t pages_held;
};

/**
 * pgr_reporting_register - page_reporting_register(): attach @sink to @node
 *
 * Return: 0; -EINVAL (sink capacity not 1..32, bad order/strategy),
 * -EBUSY (a device is already registered), or the sink's open() error.
 * Reported flags left by an earlier device survive, as in the kernel.
 * Context: the first pass runs after the strategy's delay.
 */
PGR_EXPORT int pgr_reporting_register(struct pgr_node *node,
				      struct pgr_sink *sink,
				      const struct pgr_reporting_config *cfg);

/**
 * pgr_reporting_unregister - stop reporting; waits for a running pass.
 * Return: 0, -ENOENT if nothing is registered.
 */
PGR_EXPORT int pgr_reporting_unregister(struct pgr_node *node);

/** pgr_reporting_now - the engine clock's current time (ns). */
PGR_EXPORT uint64_t pgr_reporting_now(struct pgr_node *node);

/**
 * pgr_reporting_advance - virtual clock: advance time by @ns, running every
 * piece of delayed work that falls due, in this thread.
 * Return: 0, -EINVAL on a real clock, -ENOENT if nothing is registered.
 */
PGR_EXPORT int pgr_reporting_advance(struct pgr_node *node, uint64_t ns);

/**
 * pgr_reporting_run_until_idle - virtual clock: advance until no work is
 * pending or @max_ns passed.  @r_elapsed (optional): virtual time spent.
 * Return: 0 when idle, -ETIMEDOUT when work is still pending.
 */
PGR_EXPORT int pgr_reporting_run_until_idle(struct pgr_node *node,
					    uint64_t max_ns,
					    uint64_t *r_elapsed);

/** pgr_reporting_pending - true when delayed work is scheduled. */
PGR_EXPORT bool pgr_reporting_pending(struct pgr_node *node);

/**
 * pgr_reporting_flush - real clock: wait until the worker is idle (no work
 * pending or running) or @timeout_ns elapses.  Return 0 or -ETIMEDOUT.
 */
PGR_EXPORT int pgr_reporting_flush(struct pgr_node *node, uint64_t timeout_ns);

PGR_EXPORT int pgr_reporting_get_stats(struct pgr_node *node,
				       struct pgr_reporting_stats *r_stats);

PGR_EXPORT const char *pgr_strategy_name(enum pgr_strategy s);
/** pgr_strategy_from_name - "v11-boundary" etc.; -EINVAL if unknown. */
PGR_EXPORT int pgr_strategy_from_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* PAGEREPORT_REPORTING_H */
