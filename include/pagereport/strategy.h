/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpagereport: writing a reporting strategy.
 *
 * The engine (reporting.h) owns the device, the delayed work on its clock,
 * the batch (the kernel's scatterlist), the sink call and the statistics.
 * A strategy decides which free blocks to report and when.  It is an ops
 * table plus the primitives below, which are the pieces of
 * mm/page_reporting.c and mm/page_alloc.c a strategy is made of:
 * walking a free list, __isolate_free_page into the batch, report() with
 * the zone lock dropped, __putback_isolated_page (page_reporting_drain),
 * list_rotate_to_front, PageReported, schedule_delayed_work and the zone
 * counters.  The built-in "upstream" (Linux 5.7) and "bitmap" (Lal's v12)
 * strategies are written on this header alone; "v11-boundary" and
 * "v11-rescan" also have a private registration inside the library (mm
 * hooks), because v11's reported_boundary changes where the allocator
 * itself inserts pages (add_to_free_list_tail), which a strategy cannot
 * do from outside mm.
 *
 * The engine knows a strategy only through its ops table (struct
 * pgr_strategy_ops, below), which also carries its policy: the default
 * delay, the rule for the lowest reported order (relative to
 * pageblock_order or max_order, or absolute, possibly fixed), a default
 * capacity, its typed parameters (name, type, default, range, help: the
 * engine parses and checks what a caller sets in
 * pgr_reporting_config.params, the strategy reads the values with
 * pgr_strategy_get_param) and its named counters (added with
 * pgr_strategy_counter_add, read by tools with pgr_reporting_counter).
 * Fields appended to the ops table default to what a strategy written
 * before them got, so such a strategy compiles and runs unchanged.
 * Register a strategy with pgr_strategy_register(), or ship it as a
 * plug-in (PGR_STRATEGY_PLUGIN, pgr_strategy_load; `pagereport-sim
 * --load`, `pagereport-bench --load`, Python load_strategies()).
 *
 * Rules (checked: a primitive called in the wrong context fails with the
 * errno given, and changes nothing):
 *
 *  Locks.  Every primitive that reads or changes a zone needs that zone's
 *  lock, taken with pgr_strategy_lock() (or held by the engine around
 *  ->notify_free); otherwise it returns -ENOLCK.  A thread holds at most
 *  one zone lock through the engine (-EDEADLK).  pgr_strategy_report()
 *  must be called with no zone lock held (-EDEADLK), exactly like the
 *  kernel's prdev->report().  The engine's own lock (clock, stats) nests
 *  inside zone locks, so pgr_strategy_schedule() and pgr_strategy_count()
 *  may be called anywhere.
 *
 *  Contexts.  ->notify_free runs in the freeing thread with the zone lock
 *  held; it may read counters, test Reported, walk lists, schedule the work
 *  and count, but not touch the batch (-EPERM).  ->process runs in the
 *  work (the caller of pgr_reporting_advance() on the virtual clock, the
 *  engine's thread on the real one), never twice at once; only it may
 *  isolate, report, put back and rotate.  ->notify_free can run
 *  concurrently with ->process (for another zone, or for the same zone
 *  while process() has dropped the lock): state shared between them must
 *  be per zone under that zone's lock, or atomic.
 *
 *  What a strategy may hold across report(): the batch only.  The pages in
 *  it are isolated and owned by the engine: no allocation can hand them
 *  out, they cannot merge with a freed buddy, pgr_free_pages() rejects
 *  them and pgr_putback_isolated_page() returns -EBUSY for them; only
 *  pgr_strategy_putback() returns them.  Any other pfn remembered across
 *  report() (a list cursor) may have been allocated, split or merged
 *  meanwhile: primitives given a pfn re-check it and fail with -ENOENT, so
 *  restart from pgr_strategy_list_first().
 *
 *  When ->process returns, the batch must be empty and no zone lock held;
 *  otherwise the engine puts the batch back unmarked, unlocks and warns.
 *
 * Which frees notify.  ->notify_free is the kernel's
 * page_reporting_notify_free(order), which __free_one_page() calls after
 * merging unless its caller passed FPI_SKIP_REPORT_NOTIFY, and which
 * returns at once below page_reporting_order (Linux 5.7+; v11's hook
 * sits in the same place).  So it is called, with the merged head's pfn
 * and final order, when an ordinary free leaves a block of order >= the
 * device's lowest order on a free list:
 *   - pgr_free_pages() of an allocated block, also a small one whose
 *     merging reaches that order;
 *   - a per-CPU list drain (free_pcppages_bulk: FPI_NONE): with per-CPU
 *     lists on (6.1), a block of a pcp order goes to a per-CPU list first
 *     and reaches the buddy lists, and the strategy, only then;
 *   - memory coming online (pgr_zone_populate: __free_pages_core);
 *   - for the v11 strategies only, pages leaving an isolated range
 *     (pgr_undo_isolate_range: 5.4, which v11 is based on, frees them
 *     normally; 5.7 puts them back, see below).
 * It is not called for:
 *   - expand() remainders: splitting a bigger free block to serve an
 *     allocation puts the unused halves on the lists silently;
 *   - move_freepages() and every other change of migratetype list
 *     (pgr_set_pageblock_migratetype, fallback stealing);
 *   - pages put back from isolation (__putback_isolated_page): the
 *     engine's drain (pgr_strategy_putback), pgr_putback_isolated_page(),
 *     and 5.7's unset_migratetype_isolate;
 *   - a free whose merged block stays below the lowest order.
 * A block may therefore become free, or bigger, without a notification;
 * a strategy that needs every free block scans the lists (as 5.7 and
 * v11 do), one that needs the time a block became free sets
 * PGR_STRATEGY_FREE_TIME (pgr_strategy_free_since).
 *
 * The engine serves the zones listed by pgr_strategy_nr_zones() and
 * pgr_strategy_zone(): those of one node, or of every node of a system
 * (pgr_reporting_register_system), in node then zone order, so a strategy
 * that walks that list walks the whole system, as for_each_zone does.
 * See examples/largest_first.c for a complete strategy in ~130 lines, a
 * program and a plug-in in one file.
 */
#ifndef PAGEREPORT_STRATEGY_H
#define PAGEREPORT_STRATEGY_H

#include <pagereport/mm.h>
#include <pagereport/reporting.h>
#include <pagereport/sink.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The engine, as seen by a strategy (one per registered device). */
struct pgr_reporting;

/*
 * A parameter the strategy takes (ops->params): 1..31 of [a-z0-9_], not
 * "delay", "order" or "capacity" (the engine's, which every strategy has).
 * The engine parses, range-checks and stores the value; the strategy reads
 * it with pgr_strategy_get_param(), typically in ->init.
 */
struct pgr_strategy_param {
	const char *name;
	enum pgr_param_type type; /* PGR_PARAM_UINT, _BOOL or _NS */
	uint64_t def;		  /* the default */
	uint64_t min, max;	  /* inclusive; ignored for BOOL */
	const char *help;	  /* one line, for --list-strategies, docs */
};

/*
 * A counter the strategy keeps (ops->counters): 1..31 of [a-z0-9_], not a
 * field name of struct pgr_reporting_stats.  The engine stores it per
 * device, the strategy adds with pgr_strategy_counter_add(rep, index, n),
 * and tools read it by name (pgr_reporting_counter) into their results.
 */
struct pgr_strategy_counter {
	const char *name;
	const char *help; /* what it counts, one line */
};

/* How ops->order_rule places the default lowest order. */
enum pgr_order_rule {
	PGR_ORDER_PAGEBLOCK = 0, /* pageblock_order + order_offset */
	PGR_ORDER_MAX = 1,	 /* max_order + order_offset (e.g. -2) */
	PGR_ORDER_ABSOLUTE = 2,	 /* order_offset itself */
};

/* ops->flags */
/* the lowest order is the default only (cfg.order may not move it) */
#define PGR_STRATEGY_FIXED_ORDER 0x1
/* default_delay_ns applies even when it is 0 (no delay) */
#define PGR_STRATEGY_DELAY_SET 0x2
/*
 * keep the time each free block became free (pgr_strategy_free_since):
 * 4 bytes per 2^order pages of the device's lowest order, so at most 4
 * per page (order 0), on top of pgr_metadata_bytes_per_page()
 */
#define PGR_STRATEGY_FREE_TIME 0x4

struct pgr_strategy_ops {
	/* Unique name, 1..31 characters: selects it in configs and tools. */
	const char *name;
	/*
	 * init - optional: the device is being registered (nothing is
	 * published yet; no zone lock held).  Store private state in *r_priv.
	 * Return 0 or a negative errno, which fails the registration.
	 */
	int (*init)(struct pgr_reporting *rep, void **r_priv);
	/* fini - optional: the device is gone, the work will never run. */
	void (*fini)(struct pgr_reporting *rep, void *priv);
	/*
	 * start - optional: right after registration, as
	 * page_reporting_register() makes its first request (typically
	 * pgr_strategy_schedule()).  No zone lock held.
	 */
	void (*start)(struct pgr_reporting *rep, void *priv);
	/*
	 * notify_free - optional: page_reporting_notify_free() after an
	 * ordinary free or merge left the block @pfn of final @order (>=
	 * the config's lowest order) on a free list of @zone.  Not called
	 * for pages returned by pgr_strategy_putback(), expand() remainders
	 * or list moves: see "Which frees notify" above.  Zone lock held.
	 */
	void (*notify_free)(struct pgr_reporting *rep, void *priv,
			    struct pgr_zone *zone, uint64_t pfn,
			    unsigned order);
	/* process - required: the delayed work (one run). */
	void (*process)(struct pgr_reporting *rep, void *priv);

	/*
	 * The strategy's policy, which the engine reads when a device
	 * registers (appended in 0.2; all zero is what a strategy written
	 * before got: 2 s delay, pageblock_order, the sink's capacity, no
	 * parameters of its own, the four legacy counters).
	 */
	unsigned flags; /* PGR_STRATEGY_* */
	/* the "delay" default: 0 = PGR_REPORTING_DELAY_NS_DEFAULT (2 s),
	 * unless PGR_STRATEGY_DELAY_SET */
	uint64_t default_delay_ns;
	/* the "order" default (the lowest reported order); a rule that
	 * gives an order outside 0..max_order-1 falls back to
	 * pageblock_order */
	enum pgr_order_rule order_rule;
	int order_offset;
	/* the "capacity" default: 0 = the sink's, else min(this, sink's);
	 * cfg.capacity may still ask for up to the sink's */
	unsigned default_capacity;
	const struct pgr_strategy_param *params; /* its own parameters */
	unsigned nr_params;
	const struct pgr_strategy_counter *counters; /* its counters */
	unsigned nr_counters;
};

/**
 * pgr_strategy_register - make a strategy selectable by name
 * @ops: the ops table; must stay valid for the life of the process
 *
 * Afterwards pgr_strategy_from_name(@ops->name) returns its id, which can
 * be used as pgr_reporting_config.strategy, and the name as
 * pgr_reporting_config.strategy_name.
 * Return: the new id (>= PGR_NR_STRATEGIES), -EINVAL (NULL ops, no
 * process, bad name), -EEXIST (name taken), -ENOSPC (registry full).
 */
PGR_EXPORT int pgr_strategy_register(const struct pgr_strategy_ops *ops);

/** pgr_strategy_count - built-in plus registered strategies (ids 0..n-1). */
PGR_EXPORT unsigned pgr_strategy_count(void);

/* ---- plug-ins -------------------------------------------------------------
 *
 * A plug-in is a shared object built against this header and linked with
 * the library (cc -shared -fPIC x.c $(pkg-config --cflags --libs
 * libpagereport)) that defines its entry point, the descriptor
 * pgr_strategy_plugin, with
 *
 *     PGR_STRATEGY_PLUGIN(&my_ops);          (or &a_ops, &b_ops, ...)
 *
 * at file scope.  pgr_strategy_load() reads the descriptor and registers
 * every strategy in it, or none; the plug-in's code is never unloaded.
 * The ops tables are copied at the size the plug-in was built with, so a
 * plug-in built against an older header keeps its zero defaults for the
 * fields appended since.  Older plug-ins that call pgr_strategy_register()
 * from a constructor still load (nothing can then be checked first).
 * The macro is C (a compound literal); in C++ define pgr_strategy_plugin
 * with an array of your own, as the macro does.
 */
#define PGR_STRATEGY_PLUGIN_VERSION 1
#define PGR_STRATEGY_PLUGIN_SYMBOL  "pgr_strategy_plugin"

struct pgr_strategy_plugin {
	unsigned version;  /* PGR_STRATEGY_PLUGIN_VERSION */
	unsigned ops_size; /* sizeof(struct pgr_strategy_ops) when built */
	/* the strategies, NULL-terminated: 1..32 of them */
	const struct pgr_strategy_ops *const *strategies;
};

/* The plug-in's entry point: PGR_STRATEGY_PLUGIN(&ops, ...) at file scope. */
#define PGR_STRATEGY_PLUGIN(...)                                               \
	extern PGR_EXPORT const struct pgr_strategy_plugin                     \
		pgr_strategy_plugin;                                           \
	PGR_EXPORT const struct pgr_strategy_plugin pgr_strategy_plugin = {    \
		PGR_STRATEGY_PLUGIN_VERSION,                                   \
		sizeof(struct pgr_strategy_ops),                               \
		(const struct pgr_strategy_ops *const[]){ __VA_ARGS__, NULL }, \
	}

/**
 * pgr_strategy_load - register the strategies of the plug-in @path
 * @path: a shared object (a name without a '/' is a file in the current
 *        directory, not a library search)
 *
 * dlopen()s @path and registers every strategy its descriptor lists, all
 * or none: a name already taken (by a built-in, an earlier plug-in or
 * another strategy of the same plug-in), a bad ops table or too many
 * strategies fails the whole load, and a plug-in that registered nothing
 * is closed again.  A plug-in linked with another copy of libpagereport
 * than the caller's (a program that links the library statically) is
 * refused: its strategy would run against a registry and engine that do
 * not exist for it.  Not for the hot path: it takes the registry lock.
 * Return: the id of its first strategy (the others follow in order);
 * -EINVAL (NULL or empty @path), -ENOENT (no such file), -ENOEXEC (not a
 * loadable shared object, or no pgr_strategy_plugin descriptor, or a
 * descriptor of another version), -ELIBBAD (another copy of the library),
 * -EEXIST (a name taken; pgr_errmsg() names it), -ENOSPC (registry
 * full), or another registration error.
 */
PGR_EXPORT int pgr_strategy_load(const char *path);

/* ---- the engine's zones, config and private state -------------------- */

/** pgr_strategy_nr_zones - how many zones the engine serves, or -EINVAL. */
PGR_EXPORT int pgr_strategy_nr_zones(struct pgr_reporting *rep);

/**
 * pgr_strategy_zone - zone @i (0-based; node then zone order) served by @rep
 * Return: the zone, or NULL (errno EINVAL) past the end.
 */
PGR_EXPORT struct pgr_zone *pgr_strategy_zone(struct pgr_reporting *rep,
					      unsigned i);

/**
 * pgr_strategy_get_config - the effective config: every default resolved
 * (strategy, lowest order, capacity, delay; params NULL).
 * Return: 0, -EINVAL.
 */
PGR_EXPORT int pgr_strategy_get_config(struct pgr_reporting *rep,
				       struct pgr_reporting_config *r_cfg);

/**
 * pgr_strategy_get_param - the value of parameter @name ("delay", "order",
 * "capacity" or one of ops->params) on this device.  Any context.
 * Return: 1 if the config set it, 0 if it is the default, -EINVAL (NULL
 * argument), -ENOENT (no such parameter).
 */
PGR_EXPORT int pgr_strategy_get_param(struct pgr_reporting *rep,
				      const char *name, uint64_t *r_value);

/**
 * pgr_strategy_error - ->init says why it fails: sets pgr_errmsg() of the
 * pgr_reporting_register() call to "register: strategy NAME: <message>"
 * @rep: the engine (from ->init)
 * @err: a positive errno (EINVAL, ENOMEM, ...)
 * @fmt: printf format of the message
 *
 * Return: -@err, so ->init can end with return pgr_strategy_error(...).
 */
PGR_EXPORT int pgr_strategy_error(struct pgr_reporting *rep, int err,
				  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** pgr_strategy_priv - what ->init stored, or NULL. */
PGR_EXPORT void *pgr_strategy_priv(struct pgr_reporting *rep);

/* ---- zone lock and counters -------------------------------------------- */

/**
 * pgr_strategy_lock - take @zone's lock (spin_lock_irq(&zone->lock)); the
 * engine accounts the hold time (lock_hold_ns, fill_ns).
 * Return: 0, -EINVAL (zone not served), -EDEADLK (this thread already
 * holds a zone lock through the engine).
 */
PGR_EXPORT int pgr_strategy_lock(struct pgr_reporting *rep,
				 struct pgr_zone *zone);

/** pgr_strategy_unlock - Return: 0, -ENOLCK if @zone is not held. */
PGR_EXPORT int pgr_strategy_unlock(struct pgr_reporting *rep,
				   struct pgr_zone *zone);

/* A zone's counters, read under its lock. */
struct pgr_strategy_zone_counters {
	uint64_t start_pfn, nr_pages; /* span */
	bool populated;
	unsigned max_order, pageblock_order;
	uint64_t nr_free_pages;		       /* NR_FREE_PAGES */
	uint64_t nr_free[PGR_MAX_ORDER_LIMIT]; /* free_area[o].nr_free */
	uint64_t watermark[PGR_NR_WMARK];      /* min, low, high */
	uint64_t nr_isolated_pages;	       /* held off the lists */
};

/** pgr_strategy_zone_counters - Return: 0, -EINVAL, -ENOLCK. */
PGR_EXPORT int
pgr_strategy_zone_counters(struct pgr_reporting *rep, struct pgr_zone *zone,
			   struct pgr_strategy_zone_counters *r_counters);

/**
 * pgr_strategy_watermark_ok - zone_watermark_ok(zone, @order, @mark, 0,
 * ALLOC_CMA) into *@r_ok.  Return: 0, -EINVAL, -ENOLCK.
 */
PGR_EXPORT int pgr_strategy_watermark_ok(struct pgr_reporting *rep,
					 struct pgr_zone *zone, unsigned order,
					 uint64_t mark, bool *r_ok);

/* ---- free lists ---------------------------------------------------------- */

enum pgr_list_end {
	PGR_LIST_HEAD = 0, /* where the allocator takes from */
	PGR_LIST_TAIL = 1,
};

/**
 * pgr_strategy_list_first - the block at @end of
 * free_area[@order].free_list[@mt] (list_first_entry / list_last_entry)
 * Return: 0 with *@r_pfn, -ENOENT if the list is empty, -EINVAL, -ENOLCK.
 */
PGR_EXPORT int pgr_strategy_list_first(struct pgr_reporting *rep,
				       struct pgr_zone *zone, unsigned order,
				       enum pgr_migratetype mt,
				       enum pgr_list_end end, uint64_t *r_pfn);

/**
 * pgr_strategy_list_next - the block after @pfn walking from @from toward
 * the other end (HEAD: toward the tail, i.e. list_next_entry).
 * Return: 0 with *@r_pfn, -ENODATA at the end of the list, -ENOENT if
 * @pfn is not a free block on that list (any more), -EINVAL, -ENOLCK.
 */
PGR_EXPORT int pgr_strategy_list_next(struct pgr_reporting *rep,
				      struct pgr_zone *zone, unsigned order,
				      enum pgr_migratetype mt, uint64_t pfn,
				      enum pgr_list_end from, uint64_t *r_pfn);

/**
 * pgr_strategy_list_rotate_to_front - list_rotate_to_front(): make the
 * free block @pfn the first entry of its list; the entries before it move
 * to the tail in order.  Work context only.
 * Return: 0, -ENOENT (not a free block on that list), -EINVAL, -ENOLCK,
 * -EPERM.
 */
PGR_EXPORT int pgr_strategy_list_rotate_to_front(struct pgr_reporting *rep,
						 struct pgr_zone *zone,
						 unsigned order,
						 enum pgr_migratetype mt,
						 uint64_t pfn);

/* What a pfn is (pgr_strategy_block). */
struct pgr_strategy_block {
	bool free;	 /* PageBuddy: head of a free block */
	unsigned order;	 /* of the free block */
	int migratetype; /* the list it is on */
	bool reported;	 /* PageReported */
};

/**
 * pgr_strategy_block - PageBuddy/buddy_order/PageReported of the page at
 * @pfn (any pfn in the zone; a page that is not a free head reads !free).
 * Return: 0, -ERANGE (outside the zone), -EINVAL, -ENOLCK.
 */
PGR_EXPORT int pgr_strategy_block(struct pgr_reporting *rep,
				  struct pgr_zone *zone, uint64_t pfn,
				  struct pgr_strategy_block *r_block);

/**
 * pgr_strategy_test_reported - PageReported of the free block @pfn.
 * Return: 1 reported, 0 not, -ENOENT (not a free head), -ERANGE, -EINVAL,
 * -ENOLCK.
 */
PGR_EXPORT int pgr_strategy_test_reported(struct pgr_reporting *rep,
					  struct pgr_zone *zone, uint64_t pfn);

/**
 * pgr_strategy_free_since - since when the free block @pfn has been free
 * @rep: the engine of a strategy with PGR_STRATEGY_FREE_TIME
 * @zone: its zone, locked
 * @pfn: the head of a free block of order >= the device's lowest order
 * @r_ns: engine clock time (ns) since which every page of the block has
 *        been free, rounded up to the millisecond; the registration time
 *        for memory free since before then
 *
 * The time of the last ->notify_free of a block containing it (see
 * "Which frees notify" above): a merge restarts the merged block's time;
 * an expand() remainder, a block moved between migratetype lists, and
 * pages put back from isolation (the engine's drain included) keep theirs,
 * since their memory stayed free.  Allowed in ->notify_free (the block it
 * is told about reads as now) and ->process.
 * Return: 0, -ENODATA (the strategy did not ask for free times), -ENOENT
 * (not a free head, or below the lowest order), -ERANGE, -EINVAL,
 * -ENOLCK.
 */
PGR_EXPORT int pgr_strategy_free_since(struct pgr_reporting *rep,
				       struct pgr_zone *zone, uint64_t pfn,
				       uint64_t *r_ns);

/**
 * pgr_strategy_clear_reported - __ClearPageReported on the free block
 * @pfn (the host will see it again).  Only pgr_strategy_putback() sets the
 * flag.  Return: 0, -ENOENT, -ERANGE, -EINVAL, -ENOLCK.
 */
PGR_EXPORT int pgr_strategy_clear_reported(struct pgr_reporting *rep,
					   struct pgr_zone *zone, uint64_t pfn);

/* ---- the batch ------------------------------------------------------------
 */

#define PGR_BATCH_BACK	0x0 /* append (sg[count++]) */
#define PGR_BATCH_FRONT 0x1 /* prepend (sg[--offset], as 5.7 fills) */
/*
 * Give the head's pageblock back the migratetype it had before the
 * MOVABLE conversion (v12's process_free_page saves and restores it).
 */
#define PGR_BATCH_KEEP_MT 0x2

/**
 * pgr_strategy_isolate - __isolate_free_page(@pfn, @order) into the batch
 * @flags: PGR_BATCH_BACK or PGR_BATCH_FRONT (where its range goes), or'ed
 *         with PGR_BATCH_KEEP_MT
 *
 * Checks the min watermark (WMARK_MIN + 2^order) unless the pageblock is
 * ISOLATE, takes the block off its list (clearing PageReported), converts
 * its pageblocks to MOVABLE for order >= pageblock_order - 1, and adds it
 * to the batch.  The batch holds blocks of one zone at a time.  Work
 * context, zone lock held.
 * Return: 0; -ENOSPC (watermark check failed: counted in
 * isolate_failures), -ENOBUFS (batch holds capacity blocks), -ENOENT
 * (not a free block of @order), -EXDEV (batch holds another zone's
 * blocks), -EINVAL, -ENOLCK, -EPERM.
 */
PGR_EXPORT int pgr_strategy_isolate(struct pgr_reporting *rep,
				    struct pgr_zone *zone, uint64_t pfn,
				    unsigned order, unsigned flags);

/** pgr_strategy_batch_count - blocks in the batch, or -EINVAL. */
PGR_EXPORT int pgr_strategy_batch_count(struct pgr_reporting *rep);

/**
 * pgr_strategy_report - prdev->report(): hand the batch to the sink.  The
 * zone lock must NOT be held.  The pages stay isolated: put them back with
 * pgr_strategy_putback() whatever this returns.  Work context.
 * PGR_SINK_HELD from the sink means its device may still discard the pages:
 * pgr_strategy_putback() then keeps them isolated for good (pages_held).
 * Return: 0, the sink's negative errno, -ENODATA (empty batch), -EDEADLK
 * (a zone lock is held), -EINVAL, -EPERM.
 */
PGR_EXPORT int pgr_strategy_report(struct pgr_reporting *rep);

#define PGR_PUTBACK_MARK 0x1 /* __SetPageReported if it did not merge */
#define PGR_PUTBACK_TAIL 0x2 /* FPI_TO_TAIL (5.10+); else head/tail rules */

/**
 * pgr_strategy_putback - page_reporting_drain(): __putback_isolated_page
 * every block of the batch (pageblock migratetype re-read, merging, no
 * notify_free), optionally marking those that did not merge Reported, and
 * empty the batch.  Blocks of a batch that the sink accepted count as
 * discarded by the host (rereported_pages).  Work context, the batch's
 * zone lock held.
 * Return: 0 (also for an empty batch), -EINVAL (unknown flags), -ENOLCK,
 * -EPERM.
 */
PGR_EXPORT int pgr_strategy_putback(struct pgr_reporting *rep, unsigned flags);

/* ---- work and clock ---------------------------------------------------------
 */

/**
 * pgr_strategy_schedule - schedule_delayed_work(): run ->process @delay_ns
 * from now on the engine's clock, unless it is already pending (then
 * nothing changes).  Allowed in any context, also from ->process (the
 * work runs again after it returns).
 * Return: 0, -EINVAL, -ESHUTDOWN (the device is being unregistered).
 */
PGR_EXPORT int pgr_strategy_schedule(struct pgr_reporting *rep,
				     uint64_t delay_ns);

/** pgr_strategy_now - the engine clock (ns); 0 for NULL. */
PGR_EXPORT uint64_t pgr_strategy_now(struct pgr_reporting *rep);

/* ---- statistics
 * --------------------------------------------------------------- */

/*
 * Counters a strategy adds to; the engine itself counts batches, pages,
 * bytes, marks, merges, re-reports, times and isolation failures.
 * PASSES, NODES_VISITED and REQUESTS are fields of struct
 * pgr_reporting_stats; the other four are named counters now
 * ("bits_visited", "budget_exhausted", "zones_gated", "boundary_resets"):
 * pgr_strategy_add_stat() adds to the strategy's counter of that name,
 * which a strategy that declares no counters has (see
 * pgr_strategy_nr_counters), and one that declares them must declare.
 */
enum pgr_strategy_stat {
	PGR_STAT_PASSES = 0,	    /* runs of the work */
	PGR_STAT_NODES_VISITED = 1, /* list entries looked at */
	PGR_STAT_BITS_VISITED = 2,  /* bitmap bits looked at */
	PGR_STAT_REQUESTS = 3,	    /* request transitions */
	PGR_STAT_BUDGET_EXHAUSTED = 4,
	PGR_STAT_ZONES_GATED = 5,
	PGR_STAT_BOUNDARY_RESETS = 6,
	PGR_NR_STATS = 7,
};

/**
 * pgr_strategy_add_stat - add @n to counter @stat.  Any context.
 * Return: 0, -EINVAL (unknown @stat, or a named one the strategy does not
 * have).
 */
PGR_EXPORT int pgr_strategy_add_stat(struct pgr_reporting *rep,
				     enum pgr_strategy_stat stat, uint64_t n);

/**
 * pgr_strategy_counter_add - add @n to the strategy's counter @idx (its
 * index in ops->counters).  Any context; the work's additions are
 * folded into what pgr_reporting_counter() reads when it drains a batch
 * and when it returns.
 * Return: 0, -EINVAL (NULL engine, @idx out of range).
 */
PGR_EXPORT int pgr_strategy_counter_add(struct pgr_reporting *rep, unsigned idx,
					uint64_t n);

#ifdef __cplusplus
}
#endif
#endif /* PAGEREPORT_STRATEGY_H */
