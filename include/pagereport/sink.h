/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpagereport: report sinks (where reported free pages go) and guest RAM.
 *
 * A sink is an ops table plus a capacity, the equivalent of the kernel's
 * struct page_reporting_dev_info.  The engine calls ->report() with the zone
 * lock dropped and the pages isolated (no allocation can hand them out).
 */
#ifndef PAGEREPORT_SINK_H
#define PAGEREPORT_SINK_H

#include <errno.h>

#include <pagereport/mm.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PGR_REPORTING_CAPACITY 32 /* PAGE_REPORTING_CAPACITY / _HWM */

/* report() return: the ranges must stay held (see pgr_sink_ops.report). */
#define PGR_SINK_HELD (-EOWNERDEAD)

/* One reported block: 2^order pages starting at pfn (naturally aligned). */
struct pgr_range {
	uint64_t pfn;
	uint32_t order;
	uint32_t zone; /* zone index in the node */
};

static inline uint64_t pgr_range_bytes(const struct pgr_range *r)
{
	return (uint64_t)PGR_PAGE_SIZE << r->order;
}

struct pgr_sink;

struct pgr_sink_ops {
	const char *name;
	/*
	 * report - the host takes these ranges (1..capacity).  Return 0 or a
	 * negative errno.  Runs with the zone lock dropped, so it may allocate
	 * and free pages of the node like any other CPU would, but must not
	 * touch the ranges' pages or unregister the device (-EDEADLK).
	 * -EOWNERDEAD (PGR_SINK_HELD) means the host may still discard the
	 * ranges at any time (its device stopped answering mid-report): the
	 * engine then never returns those pages to the allocator and counts
	 * them in pgr_reporting_stats.pages_held.  Any other error means the
	 * pages are safe to reuse.
	 */
	int (*report)(struct pgr_sink *sink, const struct pgr_range *ranges,
		      unsigned int n);
	/* open - optional; called by pgr_reporting_register. */
	int (*open)(struct pgr_sink *sink, struct pgr_node *node);
	/* close - optional; called by pgr_reporting_unregister. */
	void (*close)(struct pgr_sink *sink);
	/* destroy - optional; frees the sink (pgr_sink_destroy). */
	void (*destroy)(struct pgr_sink *sink);
};

struct pgr_sink {
	const struct pgr_sink_ops *ops;
	unsigned int capacity; /* ranges per report, 1..32 */
	void *priv;	       /* the sink's own state */
};

/** pgr_sink_destroy - ops->destroy(sink) if set.  NULL is ignored. */
PGR_EXPORT void pgr_sink_destroy(struct pgr_sink *sink);

/* null: accepts and forgets every report. */
PGR_EXPORT struct pgr_sink *pgr_sink_null_create(unsigned int capacity);

/*
 * recorder: keeps every report (for tests and traces).  Fault injection:
 * fail_nth (1-based, 0 = never) makes that report return fail_err;
 * fail_every makes every Nth report fail.
 */
struct pgr_sink_recorder_config {
	unsigned int capacity;
	unsigned int fail_nth;
	unsigned int fail_every;
	int fail_err; /* default -EIO */
};

struct pgr_recorded_batch {
	uint64_t seq; /* 0, 1, ... */
	unsigned int n;
	int ret;			/* what report() returned */
	const struct pgr_range *ranges; /* n ranges */
};

PGR_EXPORT struct pgr_sink *
pgr_sink_recorder_create(const struct pgr_sink_recorder_config *cfg);
PGR_EXPORT size_t pgr_sink_recorder_nr_batches(struct pgr_sink *sink);
/*
 * Batch @i (0-based) or -ENOENT; the pointer stays valid until reset or
 * destroy.
 */
PGR_EXPORT int pgr_sink_recorder_batch(struct pgr_sink *sink, size_t i,
				       struct pgr_recorded_batch *r_batch);
PGR_EXPORT void pgr_sink_recorder_reset(struct pgr_sink *sink);

/*
 * Guest RAM: a memfd of the node's span, mapped shared, so pfn -> address,
 * and discarded ranges really return memory to the host.
 */
struct pgr_guest_ram;

/**
 * pgr_guest_ram_create - memfd + ftruncate + mmap(MAP_SHARED|MAP_NORESERVE)
 * @base_pfn: pfn of the first byte; @nr_pages: span
 * Return: NULL with errno set on failure.
 */
PGR_EXPORT struct pgr_guest_ram *pgr_guest_ram_create(uint64_t base_pfn,
						      uint64_t nr_pages);
/** pgr_guest_ram_create_for_node - spans every zone of @node. */
PGR_EXPORT struct pgr_guest_ram *
pgr_guest_ram_create_for_node(const struct pgr_node *node);
PGR_EXPORT void pgr_guest_ram_destroy(struct pgr_guest_ram *ram);
/** Host address of @pfn, or NULL when outside. */
PGR_EXPORT void *pgr_guest_ram_addr(struct pgr_guest_ram *ram, uint64_t pfn);
PGR_EXPORT int pgr_guest_ram_fd(const struct pgr_guest_ram *ram);
PGR_EXPORT uint64_t pgr_guest_ram_base_pfn(const struct pgr_guest_ram *ram);
PGR_EXPORT uint64_t pgr_guest_ram_size(const struct pgr_guest_ram *ram);
/** Bytes the memfd really holds (st_blocks * 512). */
PGR_EXPORT int pgr_guest_ram_allocated_bytes(const struct pgr_guest_ram *ram,
					     uint64_t *r_bytes);

enum pgr_discard_method {
	PGR_DISCARD_PUNCH_HOLE = 0,  /* fallocate(PUNCH_HOLE|KEEP_SIZE) */
	PGR_DISCARD_MADV_REMOVE = 1, /* madvise(MADV_REMOVE) */
};

struct pgr_sink_memory_stats {
	uint64_t reports, ranges, bytes_discarded, errors;
};

/* memory: discards each reported range of @ram. */
PGR_EXPORT struct pgr_sink *pgr_sink_memory_create(struct pgr_guest_ram *ram,
						   enum pgr_discard_method m,
						   unsigned int capacity);
PGR_EXPORT int pgr_sink_memory_get_stats(struct pgr_sink *sink,
					 struct pgr_sink_memory_stats *r);

#ifdef __cplusplus
}
#endif
#endif /* PAGEREPORT_SINK_H */
