/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpagereport: the free page reporting engine.
 *
 * One engine (request state, delayed work on a clock, fill/report/drain with
 * the zone lock dropped around the sink) and four built-in strategies:
 *
 *   "v11-boundary"  Duyck's v11 series (Oct 2019): reported_boundary per
 *                   (order, migratetype), get_unreported_page, HWM 32
 *                   trigger, 100 ms delay, run to completion.
 *   "v11-rescan"    the same algorithm whose iterator forgets the boundary
 *                   before every search, so it re-walks the reported tail of
 *                   the list; it picks the same pages, only the cost differs
 *                   (except after a shuffle while a zone is ACTIVE, which
 *                   can leave an unreported page behind a boundary: rescan
 *                   finds it at once, v11-boundary after the next reset).
 *   "upstream"      Linux 5.7 mm/page_reporting.c: list rotation, budget of
 *                   DIV_ROUND_UP(nr_free, capacity * 16) reports per list per
 *                   pass, 2 s delay, watermark gate.
 *   "bitmap"        Nitesh Lal's "[RFC][PATCH v12 0/2] mm: Support for page
 *                   reporting" (Aug 2019): a per-zone bitmap of freed
 *                   blocks of order >= MAX_ORDER-2, scanned once 16 bits
 *                   are set, 16 blocks per report; no Reported state.
 *
 * More strategies can be written on <pagereport/strategy.h> and registered
 * by name (pgr_strategy_register) or loaded from a plug-in
 * (pgr_strategy_load).  Each declares its own defaults, limits, named
 * parameters (tunables) and named counters; see "Parameters" and
 * "Counters" below.
 *
 * One reporting device per system, as in the kernel: the nodes of one guest
 * registered with pgr_reporting_register_system() share one engine (one
 * state machine, one delayed work and clock, one sink, one batch) over all
 * their zones, in node then zone order (for_each_zone).  Every other
 * pgr_reporting_* call then accepts any member node and acts on that one
 * device.  pgr_reporting_register() makes a device of one node (a system
 * of one): independent guests, such as the overcommit host's, each get
 * their own.
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
	PGR_STRATEGY_BITMAP = 3,
	PGR_NR_STRATEGIES = 4, /* built-ins; registered ones follow */
};

enum pgr_clock_kind {
	PGR_CLOCK_VIRTUAL = 0, /* the caller advances time (deterministic) */
	PGR_CLOCK_REAL = 1,    /* a worker thread with real delays */
};

/*
 * The built-ins' kernel defaults, which their ops tables declare (the
 * engine itself reads them from the ops): v11's PAGE_REPORTING_HWM and
 * delay, 5.7's PAGE_REPORTING_DELAY, budget and gate, v12's
 * PAGE_REPORTING_MAX_PAGES and schedule_work.
 */
#define PGR_REPORTING_HWM	    32
#define PGR_V11_DELAY_NS	    100000000ULL /* HZ/10 */
#define PGR_UPSTREAM_DELAY_NS	    2000000000ULL /* PAGE_REPORTING_DELAY = 2*HZ */
#define PGR_BITMAP_DELAY_NS	    0ULL	  /* schedule_work: no delay */
#define PGR_UPSTREAM_BUDGET_DIVISOR 16 /* nr_free / (capacity * 16) */
#define PGR_UPSTREAM_GATE_BLOCKS    32 /* low_wmark + 32 << order */
#define PGR_BITMAP_MAX_PAGES	    16 /* v12 PAGE_REPORTING_MAX_PAGES */
/* The delay of a strategy that declares none (5.7's 2 s, as before). */
#define PGR_REPORTING_DELAY_NS_DEFAULT 2000000000ULL

/*
 * Parameters.  Every strategy has named, typed parameters: three that
 * the engine gives every strategy, with the strategy's own defaults and
 * limits,
 *   "delay"     (ns)   the delayed work's delay
 *   "order"            the lowest reported order
 *   "capacity"         blocks per report() call
 * and the ones its ops table declares (pgr_strategy_param_info() lists
 * them all; `pagereport-sim --list-params` prints them).  The built-ins':
 *   v11-boundary, v11-rescan: "hwm" (32), "skip_mark_on_error" (false);
 *   upstream: "budget_divisor" (16), "gate_blocks" (32), "gate_disable";
 *   bitmap: only the three above (capacity defaults to 16).
 * A setting names a parameter plainly ("hwm") or qualified by a strategy
 * ("v11-boundary.hwm").  A plain name must be a parameter of the device's
 * strategy; a qualified one is checked against the strategy it names and
 * used only when that is the device's strategy, so one list can serve
 * runs of several strategies (tools take repeated --param
 * strategy.name=value).  A parameter set twice, an unknown name or
 * strategy, a value of the wrong form or outside [min, max] fail the
 * registration with -EINVAL and a pgr_errmsg() naming it.
 */
enum pgr_param_type {
	PGR_PARAM_UINT = 0, /* unsigned, [min, max]; text: decimal or 0x hex */
	PGR_PARAM_BOOL = 1, /* 0 or 1; text: 0 1 false true no yes off on */
	/* a duration in ns, [min, max]; text: a number with a unit, ns us
	 * ms s (2s, 1.5ms, 100us); 0 needs none */
	PGR_PARAM_NS = 2,
};

/* One setting in struct pgr_reporting_config.params. */
struct pgr_param {
	const char *name; /* "hwm" or "v11-boundary.hwm" */
	const char *text; /* the value as text, or NULL: use @value */
	uint64_t value;	  /* the value, when @text is NULL (bool: 0/1) */
};

/* A parameter as pgr_strategy_param_info() describes it. */
struct pgr_param_info {
	const char *name, *help;
	enum pgr_param_type type;
	/* default, inclusive range; order and capacity depend on the node
	 * and the sink: 0 here means "resolved at registration" */
	uint64_t def, min, max;
};

/*
 * Every field has a kernel default, chosen by 0; pgr_reporting_register()
 * rejects a bad value with -EINVAL and a pgr_errmsg() message.
 * pgr_reporting_get_config() returns the values in effect.  The fields
 * order, delay_ns and capacity are the parameters "order", "delay" and
 * "capacity"; giving both a field and its parameter is an error.
 */
struct pgr_reporting_config {
	enum pgr_strategy strategy; /* a built-in or a registered id */
	enum pgr_clock_kind clock;
	/* Lowest reported order; 0 = the strategy's default
	 * (pageblock_order for most; v12's MAX_ORDER-2 for bitmap).  v11
	 * fixes it at pageblock_order (PAGE_REPORTING_MIN_ORDER); upstream
	 * models page_reporting_order (5.14+), 0..MAX_ORDER-1, with
	 * order_set = true to ask for order 0. */
	unsigned order;
	bool order_set;
	uint64_t delay_ns; /* 0 = strategy default (100 ms / 2 s) */
	bool delay_set;	   /* true: use delay_ns even if 0 */
	/*
	 * An alias for 5.10's whole tail placement (PGR_PROFILE_5_10) while
	 * this device is registered: returned reported pages, every other
	 * __putback_isolated_page (un-isolation too), move_to_free_list and
	 * memory populated meanwhile go to the list tail (FPI_TO_TAIL).
	 */
	bool return_to_tail;
	/*
	 * Blocks per report() call, 0 = the sink's capacity, or less if the
	 * strategy's default says so (bitmap: PAGE_REPORTING_MAX_PAGES =
	 * 16).  1..sink capacity.
	 */
	unsigned capacity;
	/* When set, selects the strategy by name instead (either kind). */
	const char *strategy_name;
	/*
	 * The strategy's parameters (see "Parameters" above), read during
	 * pgr_reporting_register() only; the effective config returns NULL
	 * and 0 here (read values with pgr_reporting_get_param()).
	 */
	const struct pgr_param *params;
	unsigned nr_params;
};

/*
 * Statistics every strategy has.  fill/report/drain and lock hold times
 * are CPU costs measured with CLOCK_MONOTONIC under either clock;
 * last_report_time_ns is engine clock time.  What a strategy counts of
 * its own (v11's boundary_resets, upstream's budget_exhausted and
 * zones_gated, the bitmap's bits_visited) are named counters:
 * pgr_reporting_counter().
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
	uint64_t nodes_visited; /* list nodes looked at while searching */
	/* pages reported again while still discarded */
	uint64_t rereported_pages;
	uint64_t isolate_failures; /* __isolate_free_page watermark failures */
	uint64_t requests;	   /* zone/device request transitions */
	uint64_t fill_ns, report_ns, drain_ns; /* CLOCK_MONOTONIC ns */
	uint64_t lock_hold_ns;	      /* zone lock held by the engine */
	uint64_t last_report_time_ns; /* clock time of the last report */
	/* pages kept isolated for good: the sink returned PGR_SINK_HELD */
	uint64_t pages_held;
};

/**
 * pgr_reporting_register - page_reporting_register(): attach @sink to @node
 *
 * Return: 0; -EINVAL (sink capacity not 1..32, bad order, strategy or
 * tunable: see struct pgr_reporting_config; pgr_errmsg() says which),
 * a strategy init()'s error,
 * -EBUSY (a device is already registered), or the sink's open() error.
 * Reported flags left by an earlier device survive, as in the kernel.
 * Context: the first pass runs after the strategy's delay.
 */
PGR_EXPORT int pgr_reporting_register(struct pgr_node *node,
				      struct pgr_sink *sink,
				      const struct pgr_reporting_config *cfg);

/* Most nodes pgr_reporting_register_system() takes. */
#define PGR_MAX_SYSTEM_NODES 64

/**
 * pgr_reporting_register_system - page_reporting_register() for a system
 * of several nodes: one device for all of them
 * @nodes: the nodes, 1..PGR_MAX_SYSTEM_NODES, each once
 * @nr_nodes: how many
 * @sink: the one sink; its open() gets @nodes[0]
 * @cfg: as for pgr_reporting_register(); defaults are resolved for
 *       @nodes[0], so every node must have its max_order, pageblock_order
 *       and profile
 *
 * One engine serves every zone of every node in node then zone order
 * (for_each_zone): v11 keeps at most one zone of the system ACTIVE, 5.7's
 * one pass per timer expiry walks all of them, the bitmap's one worker
 * scans all.  Afterwards each pgr_reporting_* function accepts any of the
 * nodes and acts on the device: one clock (now, advance, run_until_idle,
 * pending, flush), one set of stats, one config, accounting over all the
 * device's zones (zone index = position in that order), one sampler (its
 * callback gets @nodes[0]).  pgr_reporting_unregister() of any node, or
 * destroying any node, unregisters the whole device.  A member node cannot
 * also get a device of its own (-EBUSY).  A sink tells the nodes apart by
 * pfn (pgr_range.zone is the zone's index within its node), so the nodes'
 * zones must not overlap.
 * Return: 0; -EINVAL (NULL or no nodes, too many, a NULL or repeated node,
 * nodes with different orders or profile, overlapping pfn spans, or any
 * pgr_reporting_register() config error; pgr_errmsg() says which), -EBUSY
 * (a node already has a device), -ENOMEM, a strategy init()'s or the
 * sink's open() error.
 */
PGR_EXPORT int
pgr_reporting_register_system(struct pgr_node *const *nodes, unsigned nr_nodes,
			      struct pgr_sink *sink,
			      const struct pgr_reporting_config *cfg);

/**
 * pgr_reporting_unregister - stop reporting; waits for a running pass.
 * For a system (pgr_reporting_register_system), any member node
 * unregisters the whole device.
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

/**
 * pgr_reporting_get_config - the registered device's config with every
 * default resolved (strategy id and name, order, capacity, delay); params
 * is NULL (see pgr_reporting_get_param).
 * Return: 0, -EINVAL, -ENOENT if nothing is registered.
 */
PGR_EXPORT int pgr_reporting_get_config(struct pgr_node *node,
					struct pgr_reporting_config *r_cfg);

/**
 * pgr_reporting_get_param - a parameter's value in effect on the device
 * @node: a node of the device
 * @name: "hwm", or qualified by the device's strategy ("v11-boundary.hwm")
 * @r_value: the value (bool: 0/1; durations in ns)
 *
 * Return: 1 if the config set it, 0 if it is the default, -EINVAL (NULL
 * argument), -ENOENT (no device, or no such parameter of its strategy).
 */
PGR_EXPORT int pgr_reporting_get_param(struct pgr_node *node, const char *name,
				       uint64_t *r_value);

/**
 * pgr_reporting_nr_counters - how many named counters the device's
 * strategy has (its declared ones; see pgr_strategy_counter_info)
 * Return: the number, -EINVAL, -ENOENT (no device).
 */
PGR_EXPORT int pgr_reporting_nr_counters(struct pgr_node *node);

/**
 * pgr_reporting_counter - named counter @i of the device
 * @node: a node of the device
 * @i: 0 .. pgr_reporting_nr_counters() - 1
 * @r_name: (optional) its name, valid as long as the strategy is
 *          registered (for the life of the process)
 * @r_value: (optional) its value, work in progress included
 *
 * Return: 0, -EINVAL (NULL node, @i out of range), -ENOENT (no device).
 */
PGR_EXPORT int pgr_reporting_counter(struct pgr_node *node, unsigned i,
				     const char **r_name, uint64_t *r_value);

/**
 * pgr_reporting_get_counter - the device's named counter @name
 * Return: 0 with *@r_value, -EINVAL (NULL argument), -ENOENT (no device,
 * or its strategy has no such counter).
 */
PGR_EXPORT int pgr_reporting_get_counter(struct pgr_node *node,
					 const char *name, uint64_t *r_value);

/**
 * pgr_strategy_name - the name of a strategy ("v11-boundary", ...)
 * @s: a built-in or registered strategy id
 * Return: a static string; "?" for a value that names no strategy (as
 * pgr_migratetype_name() does), never NULL, so it can be printed as is.
 */
PGR_EXPORT const char *pgr_strategy_name(enum pgr_strategy s);
/**
 * pgr_strategy_from_name - "v11-boundary", "v11-rescan", "upstream",
 * "bitmap" or a registered name: its id; -EINVAL if unknown.
 */
PGR_EXPORT int pgr_strategy_from_name(const char *name);

/**
 * pgr_strategy_nr_params - how many parameters strategy @id takes ("delay",
 * "order" and "capacity" first, then its own)
 * Return: the number, or -EINVAL for an unknown id.
 */
PGR_EXPORT int pgr_strategy_nr_params(int id);

/**
 * pgr_strategy_param_info - parameter @i of strategy @id
 * Return: 0 with *@r_info (its strings live as long as the process),
 * -EINVAL (unknown id, @i out of range, NULL result).
 */
PGR_EXPORT int pgr_strategy_param_info(int id, unsigned i,
				       struct pgr_param_info *r_info);

/**
 * pgr_strategy_nr_counters - how many named counters strategy @id has:
 * those its ops declare; a strategy that declares none has the four
 * counters enum pgr_strategy_stat once kept in struct pgr_reporting_stats
 * (bits_visited, budget_exhausted, zones_gated, boundary_resets).
 * Return: the number, or -EINVAL for an unknown id.
 */
PGR_EXPORT int pgr_strategy_nr_counters(int id);

/**
 * pgr_strategy_counter_info - name and one-line help of counter @i of @id
 * Return: 0, -EINVAL (unknown id, @i out of range).  @r_name and @r_help
 * are optional.
 */
PGR_EXPORT int pgr_strategy_counter_info(int id, unsigned i,
					 const char **r_name,
					 const char **r_help);

/**
 * pgr_param_parse - the value of @text for a parameter of @type
 * @type: PGR_PARAM_UINT, PGR_PARAM_BOOL or PGR_PARAM_NS
 * @text: as struct pgr_param.text ("32", "0x20", "true", "2s", "1.5ms")
 * @r_value: the value
 *
 * No range check (registration does that).
 * Return: 0, -EINVAL (malformed or too big; pgr_errmsg() says why).
 */
PGR_EXPORT int pgr_param_parse(enum pgr_param_type type, const char *text,
			       uint64_t *r_value);

/*
 * Host-side accounting of one zone or a whole node: what the guest holds,
 * what it reported, and what the host discarded and had to give back.
 * Kept by mm and the engine under the zone lock, with or without a device
 * registered (counts persist across unregister/register).  Between passes
 * (nothing isolated) the identity
 *     reported_pages + allocated_pages + free_unreported_pages
 *         + isolated_pages == zone_pages
 * holds for a populated zone.
 */
struct pgr_reporting_accounting {
	uint64_t zone_pages;		/* spanned pages (populated zones) */
	uint64_t allocated_pages;	/* handed out by alloc/take */
	uint64_t free_pages;		/* on any free list, reported or not */
	uint64_t reported_pages;	/* free pages in PageReported blocks */
	uint64_t free_unreported_pages; /* free_pages - reported_pages */
	uint64_t isolated_pages;	/* off the lists (reporting, callers) */
	/* reported and still discarded on the host (not reallocated) */
	uint64_t discarded_pages;
	uint64_t discarded_bytes;
	/* pages allocated while discarded (host supplies a zeroed page) */
	uint64_t refault_pages;
	uint64_t refault_events;   /* allocations that found >= 1 such page */
	uint64_t rereported_pages; /* reported again while still discarded */
};

/**
 * pgr_reporting_get_accounting - host-side accounting of a zone or node
 * @node: the node
 * @zone: a zone index, or -1 for the sum over the node's zones
 * @r_acct: the result
 *
 * Works with or without a registered device.  Unpopulated zones count 0.
 * For a member of a system the zones are the device's: every zone of
 * every node, indexed in node then zone order.
 * Return: 0, -EINVAL (NULL argument, @zone out of range).
 */
PGR_EXPORT int
pgr_reporting_get_accounting(struct pgr_node *node, int zone,
			     struct pgr_reporting_accounting *r_acct);

/* Called by the engine at each sample time; see pgr_reporting_set_sampler */
typedef void (*pgr_reporting_sample_fn)(struct pgr_node *node, uint64_t now_ns,
					void *arg);

/**
 * pgr_reporting_set_sampler - a time series on the engine clock
 * @node: a node with a registered device on the virtual clock
 * @period_ns: sample every @period_ns of engine time (> 0)
 * @fn: called at now + @period_ns, now + 2 * @period_ns, ... as
 *      pgr_reporting_advance() passes those times, before work due at the
 *      same instant; NULL stops sampling
 * @arg: passed to @fn
 *
 * @fn may read state (pgr_reporting_get_accounting, get_stats, zone info)
 * but must not advance the clock (that returns -EBUSY) or change the zone.
 * pgr_reporting_run_until_idle() samples only while work is pending.
 * Return: 0, -EINVAL (period 0 with @fn, real clock), -ENOENT (no device).
 */
PGR_EXPORT int pgr_reporting_set_sampler(struct pgr_node *node,
					 uint64_t period_ns,
					 pgr_reporting_sample_fn fn, void *arg);

#ifdef __cplusplus
}
#endif
#endif /* PAGEREPORT_REPORTING_H */
