/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpagereport: page allocator traces - the pgrtrace text format, a
 * recorder, importers of real kernel traces (perf script and ftrace text of
 * the kmem tracepoints) and replay on the model.
 *
 * A trace is an in-memory array of buddy-allocator events (alloc or free of
 * a 2^order block at a pfn, at a time) plus the node geometry when known.
 *
 * The pgrtrace text format, version 1 (doc/trace-format.md has the full
 * description):
 *
 *	pgrtrace 1
 *	# comment
 *	z <zone> <name> <start_pfn> <nr_pages>
 *	<op> <time_ns> <pfn> <order> <migratetype> <zone>
 *
 * one event per line, op "a" (alloc) or "f" (free), time in ns (decimal),
 * pfn in hex with 0x, order and migratetype in decimal, migratetype and
 * zone "-" when unknown (the zone is then found from the pfn).  Example:
 * "a 1500000 0x12a400 9 1 2".  grep '^a ' lists the allocations.
 *
 * Kernel traces and per-CPU lists.  The model has no per-CPU (pcp) lists:
 * its free lists are the kernel's free_area lists.  The importer's BUDDY
 * view (the default) keeps exactly what crosses the zone->lock boundary:
 *   mm_page_alloc_zone_locked  -> alloc (a buddy take: direct, or one block
 *				  of a pcp refill by rmqueue_bulk)
 *   mm_page_pcpu_drain	       -> free (a pcp page merged back into the
 *				  buddy by free_pcppages_bulk)
 *   mm_page_free of an order that never goes to a pcp list (4..8, 10 with
 *   the x86-64 defaults: pcp takes orders 0..3 and pageblock_order 9)
 *				-> free (__free_pages_ok, straight to buddy)
 * and leaves out, counting them, mm_page_alloc (the caller's view, served
 * from a pcp list or already seen as zone_locked), mm_page_free of pcp
 * orders (the page goes to a pcp list, its buddy free comes later as a
 * drain) and mm_page_free_batched (the pcp commit of a page whose
 * mm_page_free was already seen).  What this misses: pcp-order frees that
 * bypass the pcp (failed pcp trylock, ISOLATE pageblocks, high = 0) reach
 * the buddy without a drain event; replay counts what that leaves
 * inconsistent.  The CALLER view instead maps mm_page_alloc -> alloc and
 * mm_page_free -> free, as if there were no pcp lists (every free goes to
 * the buddy at once): right for asking how a pcp-less allocator would have
 * fared, and for policy replay.
 */
#ifndef PAGEREPORT_TRACE_H
#define PAGEREPORT_TRACE_H

#include <stdio.h>

#include <pagereport/mm.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PGR_TRACE_FORMAT_VERSION 1

enum pgr_trace_op {
	PGR_TRACE_ALLOC = 0,
	PGR_TRACE_FREE = 1,
};

#define PGR_TRACE_UNKNOWN (-1) /* migratetype or zone not known */

/* One event: 24 bytes. */
struct pgr_trace_event {
	uint64_t time_ns;
	uint64_t pfn;
	uint8_t op;	    /* enum pgr_trace_op */
	uint8_t order;	    /* < PGR_MAX_ORDER_LIMIT */
	int8_t migratetype; /* 0..PGR_MIGRATE_TYPES-1 or PGR_TRACE_UNKNOWN */
	int8_t zone;	    /* 0..PGR_MAX_ZONES-1 or PGR_TRACE_UNKNOWN */
};

struct pgr_trace;

/** pgr_trace_create - an empty trace.  Return: NULL with errno (ENOMEM). */
PGR_EXPORT struct pgr_trace *pgr_trace_create(void);

/** pgr_trace_destroy - free the trace; NULL is ignored. */
PGR_EXPORT void pgr_trace_destroy(struct pgr_trace *t);

/**
 * pgr_trace_append - append one event
 * Return: 0, -EINVAL (NULL, bad op/order/migratetype/zone), -ENOMEM.
 */
PGR_EXPORT int pgr_trace_append(struct pgr_trace *t,
				const struct pgr_trace_event *ev);

/** pgr_trace_nr_events - number of events (0 for NULL). */
PGR_EXPORT size_t pgr_trace_nr_events(const struct pgr_trace *t);

/**
 * pgr_trace_events - the event array (valid until the next append, read
 * or destroy), or NULL when empty.
 */
PGR_EXPORT const struct pgr_trace_event *
pgr_trace_events(const struct pgr_trace *t);

/** pgr_trace_clear - drop every event and the geometry.  Return 0/-EINVAL. */
PGR_EXPORT int pgr_trace_clear(struct pgr_trace *t);

/**
 * pgr_trace_set_zone - record the geometry of zone @idx (a "z" line)
 * Return: 0, -EINVAL (NULL, idx >= PGR_MAX_ZONES, nr_pages 0 or too big,
 * name empty, longer than 15 characters or with blanks).
 */
PGR_EXPORT int pgr_trace_set_zone(struct pgr_trace *t, unsigned idx,
				  const char *name, uint64_t start_pfn,
				  uint64_t nr_pages);

/**
 * pgr_trace_node_config - a node configuration with the trace's zones
 * (defaults for the rest).  Zone names point into @t.
 * Return: 0, -EINVAL (NULL), -ENOENT (the trace has no geometry, or its
 * zones are not numbered 0..n-1 without a gap).
 */
PGR_EXPORT int pgr_trace_node_config(const struct pgr_trace *t,
				     struct pgr_node_config *r_cfg);

/**
 * pgr_trace_set_zones_from_zoneinfo - take the geometry from /proc/zoneinfo
 * text: every zone of node @nid with spanned > 0, numbered in file order.
 * Return: 0, -EINVAL (NULL, malformed, pgr_errmsg() names the line),
 * -ENOENT (no such node or no zone), -ENOSPC (more than PGR_MAX_ZONES).
 */
PGR_EXPORT int pgr_trace_set_zones_from_zoneinfo(struct pgr_trace *t, FILE *f,
						 unsigned nid);

/**
 * pgr_trace_write - write @t in the pgrtrace text format
 * Return: 0, -EINVAL (NULL), -EIO (write error).
 */
PGR_EXPORT int pgr_trace_write(const struct pgr_trace *t, FILE *f);

/**
 * pgr_trace_read - append the pgrtrace text or binary trace in @f to @t
 *
 * The format is told by the first byte (the binary magic starts with
 * 0x89, no text header does).  All or nothing: on error @t is left
 * exactly as it was (its array may have grown).
 * Return: 0, -EINVAL (NULL; bad header, version, line or record:
 * pgr_errmsg() gives the line or record number and why; a truncated
 * binary file), -ENOMEM, -EIO.
 */
PGR_EXPORT int pgr_trace_read(struct pgr_trace *t, FILE *f);

/** pgr_trace_load - pgr_trace_read from a file; also -errno of fopen. */
PGR_EXPORT int pgr_trace_load(struct pgr_trace *t, const char *path);

/** pgr_trace_save - pgr_trace_write to a new file. */
PGR_EXPORT int pgr_trace_save(const struct pgr_trace *t, const char *path);

#define PGR_TRACE_BINARY_VERSION 1

/**
 * pgr_trace_write_binary - write @t in the pgrtrace binary format,
 * version 1 (doc/trace-format.md): a header with the magic, the version
 * and the event count, the zone table, then one 16-byte little-endian
 * record per event; read back with pgr_trace_read()
 * Return: 0, -EINVAL (NULL, a pfn of more than 48 bits: pgr_errmsg()
 * names the event), -ENOMEM, -EIO (write error).
 */
PGR_EXPORT int pgr_trace_write_binary(const struct pgr_trace *t, FILE *f);

/** pgr_trace_save_binary - pgr_trace_write_binary to a new file. */
PGR_EXPORT int pgr_trace_save_binary(const struct pgr_trace *t,
				     const char *path);

/**
 * pgr_trace_record - the recorder: append one event stamped @time_ns for
 * a block of @zone (its index in its node is recorded).  Workloads call it
 * when cfg.record is set; a program recording its own API calls calls it
 * after each successful pgr_alloc_pages/pgr_free_pages/pgr_take_block.
 * Return: 0, -EINVAL, -ENOMEM.
 */
PGR_EXPORT int pgr_trace_record(struct pgr_trace *t, struct pgr_zone *zone,
				uint64_t time_ns, enum pgr_trace_op op,
				uint64_t pfn, unsigned order, int migratetype);

/* ---- importers ---------------------------------------------------------- */

enum pgr_trace_view {
	PGR_TRACE_VIEW_BUDDY = 0,  /* zone_locked / pcpu_drain (see above) */
	PGR_TRACE_VIEW_CALLER = 1, /* mm_page_alloc / mm_page_free */
};

/* The kmem events the importer knows. */
enum pgr_kmem_event {
	PGR_KMEM_PAGE_ALLOC = 0,
	PGR_KMEM_PAGE_ALLOC_ZONE_LOCKED = 1,
	PGR_KMEM_PAGE_FREE = 2,
	PGR_KMEM_PAGE_FREE_BATCHED = 3,
	PGR_KMEM_PAGE_PCPU_DRAIN = 4,
	PGR_NR_KMEM_EVENTS = 5,
};

struct pgr_trace_import_config {
	enum pgr_trace_view view;
	/* Orders a pcp list holds: 0..pcp_max_order and pcp_thp_order.
	 * 0 and 0 = the x86-64 kernel's 3 (PAGE_ALLOC_COSTLY_ORDER) and 9. */
	unsigned pcp_max_order, pcp_thp_order;
};

struct pgr_trace_import_stats {
	uint64_t lines;
	uint64_t seen[PGR_NR_KMEM_EVENTS]; /* lines of each kmem event */
	uint64_t events;		   /* appended to the trace */
	uint64_t other_events;		   /* lines of other tracepoints */
	uint64_t skipped;		   /* blank, comment and header lines */
	uint64_t pcp_frees;	/* BUDDY: mm_page_free to a pcp list */
	uint64_t failed_allocs; /* mm_page_alloc with no page (pfn 0) */
	uint64_t lost_events;	/* ftrace "[LOST n EVENTS]" total */
	uint64_t no_time;	/* event lines without a timestamp */
};

/**
 * pgr_trace_import - append the kmem events of `perf script` or ftrace
 * (trace, trace_pipe) text in @f to @t
 * @cfg: NULL = BUDDY view, x86-64 pcp orders
 * @r_stats: optional
 *
 * Lines may come from either tool: the event name (with or without the
 * "kmem:" prefix) is found anywhere on the line, the timestamp is the
 * "<sec>.<frac>:" before it (missing: the previous line's time), the
 * fields are key=value in any order; pfn is required, order too except for
 * mm_page_free_batched (always 0), migratetype is optional.  Lines of other
 * tracepoints are counted and ignored.  All or nothing: on the first
 * malformed line nothing is appended.
 * Return: 0, -EINVAL (malformed line: pgr_errmsg() says "line N: why"),
 * -ENOMEM, -EIO.
 */
PGR_EXPORT int pgr_trace_import(struct pgr_trace *t, FILE *f,
				const struct pgr_trace_import_config *cfg,
				struct pgr_trace_import_stats *r_stats);

/*
 * LLFree's replay traces (luhsra/llfree-rs, eval/src/bin/replay.rs): 4 KiB
 * pages, a header page (pages, cores, max_pfn) then per-CPU pages of
 * 16-byte entries (time in us, pfn, alloc, order, GFP flags, pid); see
 * doc/trace-format.md.
 */
struct pgr_trace_llfree_stats {
	uint64_t header_pages; /* the header's page count, as written */
	uint64_t cores;	       /* the header's CPU count */
	uint64_t max_pfn;      /* the header's highest pfn */
	uint64_t pages;	       /* event pages read */
	uint64_t events, allocs, frees;
	uint64_t reordered; /* entries earlier than the one before them in
			     * the file: the merge by time moved them */
};

/**
 * pgr_trace_import_llfree - append the events of an LLFree replay trace
 * in @f to @t, merged by time (stable), as its replay orders them
 * @r_stats: optional
 *
 * Times become ns (us * 1000), allocations and frees keep pfn and order,
 * the GFP flags give the migratetype (__GFP_MOVABLE, __GFP_RECLAIMABLE,
 * neither: UNMOVABLE; both: unknown), the zone is left to the pfn; the
 * CPU id and pid are not kept.  If @t has no zone 0 yet, zone 0 becomes
 * "llfree" at pfn 0 with max_pfn + 1 pages rounded up to 512, the frames
 * LLFree's replay manages.  All or nothing: on error @t is unchanged.
 * Return: 0, -EINVAL (NULL; a short header page, no cores, a page that is
 * not whole, a cpu id beyond the cores, non-zero bytes where the entries'
 * 16-byte alignment leaves padding, an unaligned pfn: pgr_errmsg() names
 * the page and entry), -ENOMEM, -EIO.
 */
PGR_EXPORT int pgr_trace_import_llfree(struct pgr_trace *t, FILE *f,
				       struct pgr_trace_llfree_stats *r_stats);

/* ---- replay --------------------------------------------------------------
 */

enum pgr_replay_mode {
	/*
	 * EXACT: every alloc takes the trace's block at the trace's pfn out
	 * of the free lists (pgr_take_block), every free frees that block.
	 * Blocks whose state the trace never established (the model starts
	 * all free, the kernel did not) are skipped and counted: a free of a
	 * block the model has free (allocated before the trace began), an
	 * alloc of a block the model does not have free (its free was missed,
	 * e.g. a pcp bypass).  A free of part of a larger allocated block (the
	 * kernel's split_page) frees that part and keeps the rest allocated.
	 */
	PGR_REPLAY_EXACT = 0,
	/*
	 * POLICY: the model chooses the pfns (pgr_alloc_pages at the trace's
	 * order and migratetype); a free frees the model block that the
	 * matching earlier allocation of the same trace pfn got.
	 */
	PGR_REPLAY_POLICY = 1,
};

struct pgr_replay_config {
	enum pgr_replay_mode mode;
	/*
	 * With a reporting device registered on the node (virtual clock),
	 * the engine clock follows the trace: before an event, it is advanced
	 * to the last tick boundary at or before the event's time relative
	 * to the first event.  0 = 1 ms.
	 */
	uint64_t tick_ns;
	/* POLICY: zone for events whose zone is unknown and whose pfn is in
	 * no zone (-1 = skip them, counted as outside; 0 = zone 0...). */
	int policy_zone;
	bool policy_zone_set;
	/*
	 * EXACT: an alloc of a block the model has (partly) allocated is
	 * proof that the kernel freed it to the buddy without the trace
	 * showing it (a pcp bypass, a lost event): free those parts first,
	 * then take the block (counted in alloc_repaired as well as allocs).
	 */
	bool repair;
	/* Optional: called after every event; non-zero stops the replay
	 * with that return value. */
	int (*after_event)(void *arg, size_t index,
			   const struct pgr_trace_event *ev);
	void *arg;
};

struct pgr_replay_stats {
	uint64_t events;
	uint64_t allocs, frees; /* applied */
	uint64_t outside;	/* pfn in no zone of the node: skipped */
	/* EXACT */
	uint64_t free_unestablished; /* free of a block the model has free */
	uint64_t alloc_conflicts; /* alloc of a block not free in the model */
	uint64_t free_conflicts;  /* free that matches no allocated block */
	uint64_t partial_frees;	  /* free of part of an allocated block */
	/* POLICY */
	uint64_t alloc_failures; /* the model had no block (-ENOMEM) */
	uint64_t free_unmatched; /* no earlier alloc of that pfn */
	uint64_t order_mismatch; /* freed order != allocated order */
	uint64_t realloc_live;	 /* alloc of a pfn still live: old freed */
	uint64_t clock_ns;	 /* engine clock advanced by the replay */
	uint64_t alloc_repaired; /* EXACT with repair: see the config */
};

struct pgr_replay;

/**
 * pgr_replay_create - a replayer onto @node (populated zones)
 *
 * A trace holds buddy-level events (a pcp refill's allocations, a drain's
 * frees), so @node must have no per-CPU lists: a 6.1-profile node needs
 * pcp = PGR_PCP_OFF.
 *
 * Return: the replayer, or NULL with errno (EINVAL: bad argument or a node
 * with per-CPU lists, with a pgr_errmsg() message; ENOMEM).
 */
PGR_EXPORT struct pgr_replay *
pgr_replay_create(struct pgr_node *node, const struct pgr_replay_config *cfg);

/** pgr_replay_destroy - free the replayer (the node keeps its state). */
PGR_EXPORT void pgr_replay_destroy(struct pgr_replay *r);

/**
 * pgr_replay_event - apply one event.  Inconsistencies are counted, not
 * errors.  Return: 0, -EINVAL (NULL, bad event), -ENOMEM, -EIO (the
 * model refused an operation it should accept: a bug), or the value of
 * after_event.
 */
PGR_EXPORT int pgr_replay_event(struct pgr_replay *r,
				const struct pgr_trace_event *ev);

/** pgr_replay_run - pgr_replay_event on every event of @t in order. */
PGR_EXPORT int pgr_replay_run(struct pgr_replay *r, const struct pgr_trace *t);

/** pgr_replay_get_stats - counters.  Return 0 or -EINVAL. */
PGR_EXPORT int pgr_replay_get_stats(const struct pgr_replay *r,
				    struct pgr_replay_stats *r_stats);

/** pgr_replay_mode_name / _from_name - "exact", "policy". */
PGR_EXPORT const char *pgr_replay_mode_name(enum pgr_replay_mode m);
PGR_EXPORT int pgr_replay_mode_from_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* PAGEREPORT_TRACE_H */
