/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the reporting tests: node configurations, a seeded
 * random trace of allocations and frees driven against one node, and the
 * checks every step runs (pgr_node_check plus page conservation).
 */
#ifndef PGR_TEST_REPORTING_UTIL_H
#define PGR_TEST_REPORTING_UTIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

#include "rand.h"

/* v11-boundary, v11-rescan, upstream: the strategies with PageReported */
#define NR_FLAG_STRATEGIES PGR_STRATEGY_BITMAP

/* The device's named counter @name; a device without it is a test bug. */
static inline uint64_t rep_counter(struct pgr_node *node, const char *name)
{
	uint64_t v;

	if (pgr_reporting_get_counter(node, name, &v)) {
		fprintf(stderr, "rep_counter(%s): %s\n", name, pgr_errmsg());
		abort();
	}
	return v;
}

static inline uint64_t test_seed(void)
{
	const char *s = getenv("PGR_SEED");

	return s && *s ? strtoull(s, NULL, 0) : 1;
}

/* Node layouts used by the reporting tests. */
enum test_layout {
	LAYOUT_BIG,   /* MAX_ORDER 11, pageblock 9, 65536 pages */
	LAYOUT_SMALL, /* MAX_ORDER 7, pageblock 4, 4096 pages */
	LAYOUT_TINY,  /* MAX_ORDER 11, pageblock 9, 4096 pages */
	NR_LAYOUTS,
};

static inline struct pgr_node *test_node(enum test_layout l, uint64_t nr_pages,
					 bool shuffle, uint64_t seed)
{
	struct pgr_node_config cfg = {
		.nr_zones = 1,
		.shuffle = shuffle,
		.seed = seed,
	};

	switch (l) {
	case LAYOUT_BIG:
		cfg.max_order = 11;
		cfg.pageblock_order = 9;
		cfg.zones[0].nr_pages = nr_pages ? nr_pages : 65536;
		break;
	case LAYOUT_SMALL:
		cfg.max_order = 7;
		cfg.pageblock_order = 4;
		cfg.zones[0].nr_pages = nr_pages ? nr_pages : 4096;
		break;
	default:
		cfg.max_order = 11;
		cfg.pageblock_order = 9;
		cfg.zones[0].nr_pages = nr_pages ? nr_pages : 4096;
		break;
	}
	cfg.zones[0].start_pfn = 0x100000; /* 4 GiB */
	cfg.zones[0].watermark[PGR_WMARK_MIN] = 16;
	cfg.zones[0].watermark[PGR_WMARK_LOW] = 32;
	cfg.zones[0].watermark[PGR_WMARK_HIGH] = 48;
	return pgr_node_create(&cfg);
}

struct test_block {
	uint64_t pfn;
	unsigned int order;
};

/* A churn trace: allocations and frees at random orders. */
struct trace {
	struct pgr_node *node;
	struct pgr_zone *zone;
	struct pgr_rand rand;
	struct test_block *blocks;
	size_t nr_blocks, cap_blocks;
	uint64_t allocated; /* pages */
	uint64_t nr_pages;
	unsigned int max_order;
	uint64_t max_advance_ns; /* 0 = never advance the clock */
	double target_occupancy;
	bool extra_ops;	       /* migratetype changes, compaction */
	uint64_t isolated_pfn; /* a pageblock isolated, or 0 */
	unsigned int pageblock_order;
};

static inline void trace_init(struct trace *t, struct pgr_node *node,
			      uint64_t seed)
{
	struct pgr_zone_info info;

	memset(t, 0, sizeof(*t));
	t->node = node;
	t->zone = pgr_node_zone(node, 0);
	pgr_rand_seed(&t->rand, seed);
	pgr_zone_get_info(t->zone, &info);
	t->nr_pages = info.nr_pages;
	t->max_order = info.max_order;
	t->pageblock_order = info.pageblock_order;
	t->target_occupancy = 0.5;
}

/* Undo a pending isolation (before convergence checks). */
static inline int trace_unisolate(struct trace *t)
{
	int err = 0;

	if (t->isolated_pfn)
		err = pgr_undo_isolate_range(t->zone, t->isolated_pfn,
					     1ULL << t->pageblock_order,
					     PGR_MIGRATE_MOVABLE);
	t->isolated_pfn = 0;
	return err;
}

static inline void trace_fini(struct trace *t)
{
	free(t->blocks);
	t->blocks = NULL;
}

static inline int trace_alloc(struct trace *t, unsigned int order, int mt)
{
	uint64_t pfn;
	int err = pgr_alloc_pages(t->zone, order, mt, 0, &pfn);

	if (err)
		return err;
	if (t->nr_blocks == t->cap_blocks) {
		t->cap_blocks = t->cap_blocks ? 2 * t->cap_blocks : 256;
		t->blocks =
			realloc(t->blocks, t->cap_blocks * sizeof(*t->blocks));
		if (!t->blocks)
			abort();
	}
	t->blocks[t->nr_blocks].pfn = pfn;
	t->blocks[t->nr_blocks].order = order;
	t->nr_blocks++;
	t->allocated += 1ULL << order;
	return 0;
}

static inline int trace_free_at(struct trace *t, size_t i)
{
	struct test_block b = t->blocks[i];
	int err = pgr_free_pages(t->zone, b.pfn, b.order);

	if (err)
		return err;
	t->blocks[i] = t->blocks[--t->nr_blocks];
	t->allocated -= 1ULL << b.order;
	return 0;
}

/* Random order, skewed to small ones as real workloads are. */
static inline unsigned int trace_order(struct trace *t)
{
	unsigned int o = (unsigned int)pgr_rand_below(&t->rand, t->max_order);

	if (pgr_rand_below(&t->rand, 2))
		o = (unsigned int)pgr_rand_below(&t->rand, o + 1);
	return o;
}

/*
 * One step: allocate below the target occupancy, free above it (random
 * either way near it), now and then advance the virtual clock or (with
 * extra_ops) change a pageblock's type or rotate a list as compaction.
 * Returns 0 or the first unexpected error.
 */
static inline int trace_step(struct trace *t)
{
	uint64_t r = pgr_rand_below(&t->rand, 100);
	double occ = (double)t->allocated / (double)t->nr_pages;
	int err;

	if (t->max_advance_ns && r < 10)
		return pgr_reporting_advance(
			t->node, pgr_rand_below(&t->rand, t->max_advance_ns));
	if (t->extra_ops && r < 13) {
		uint64_t pfn = 0x100000 + pgr_rand_below(&t->rand, t->nr_pages);
		int mt = (int)pgr_rand_below(&t->rand, 3);

		err = pgr_set_pageblock_migratetype(t->zone, pfn, mt);
		return err == -EINVAL || err == -EBUSY ? 0 : err;
	}
	if (t->extra_ops && r == 15) {
		uint64_t nb = t->nr_pages >> t->pageblock_order;
		uint64_t pfn = 0x100000 + (pgr_rand_below(&t->rand, nb)
					   << t->pageblock_order);

		if (t->isolated_pfn) {
			err = pgr_undo_isolate_range(t->zone, t->isolated_pfn,
						     1ULL << t->pageblock_order,
						     PGR_MIGRATE_MOVABLE);
			t->isolated_pfn = 0;
			return err;
		}
		err = pgr_isolate_range(t->zone, pfn,
					1ULL << t->pageblock_order);
		if (!err)
			t->isolated_pfn = pfn;
		return err == -EBUSY ? 0 : err;
	}
	if (t->extra_ops && r < 15) {
		unsigned int order = t->max_order - 1 -
				     (unsigned int)pgr_rand_below(&t->rand, 3);
		uint64_t pfns[64];
		long n = pgr_free_list_walk(t->zone, order, PGR_MIGRATE_MOVABLE,
					    pfns, 64);

		if (n <= 0)
			return (int)(n < 0 ? n : 0);
		if (n > 64)
			n = 64;
		return pgr_zone_compact_rotate(
			t->zone, order,
			pfns[pgr_rand_below(&t->rand, (uint64_t)n)]);
	}
	if (t->nr_blocks == 0 ||
	    (pgr_rand_below(&t->rand, 1000) <
		     1000 * (1.0 - occ) * t->target_occupancy * 2 &&
	     occ < 0.95)) {
		err = trace_alloc(t, trace_order(t),
				  (int)pgr_rand_below(&t->rand, 3));
		return err == -ENOMEM ? 0 : err;
	}
	return trace_free_at(t, pgr_rand_below(&t->rand, t->nr_blocks));
}

/* free + allocated + isolated == zone size, and every invariant holds. */
static inline int trace_check(struct trace *t, char *buf, size_t len)
{
	struct pgr_zone_info info;
	int err = pgr_node_check(t->node, buf, len);

	if (err)
		return err;
	err = pgr_zone_get_info(t->zone, &info);
	if (err)
		return err;
	if (info.nr_free_pages + info.nr_free_isolate_pages +
		    info.nr_allocated_pages + info.nr_isolated_pages !=
	    info.nr_pages) {
		snprintf(buf, len,
			 "pages lost: free %llu+%llu alloc %llu iso %llu of "
			 "%llu",
			 (unsigned long long)info.nr_free_pages,
			 (unsigned long long)info.nr_free_isolate_pages,
			 (unsigned long long)info.nr_allocated_pages,
			 (unsigned long long)info.nr_isolated_pages,
			 (unsigned long long)info.nr_pages);
		return -EUCLEAN;
	}
	if (info.nr_allocated_pages != t->allocated) {
		snprintf(buf, len, "allocated %llu, trace holds %llu",
			 (unsigned long long)info.nr_allocated_pages,
			 (unsigned long long)t->allocated);
		return -EUCLEAN;
	}
	return 0;
}

/* Free blocks of order >= @order that are not Reported (all lists). */
static inline uint64_t unreported_blocks(struct pgr_zone *zone,
					 unsigned int order)
{
	struct pgr_zone_info info;
	uint64_t n = 0;

	pgr_zone_get_info(zone, &info);
	for (unsigned int o = order; o < info.max_order; o++)
		n += info.nr_free[o] - info.nr_reported[o];
	return n;
}

#endif /* PGR_TEST_REPORTING_UTIL_H */

/*
 * A sink that forwards to a recorder and, before that, calls @fn: it runs
 * while the zone lock is dropped and the batch is isolated (ACTIVE set for
 * v11), the window in which other CPUs change the free lists.
 */
struct hook_sink {
	struct pgr_sink sink;
	struct pgr_sink *rec;
	void (*fn)(struct hook_sink *h, const struct pgr_range *r,
		   unsigned int n);
	void *arg;
};

static inline int hook_report(struct pgr_sink *sink,
			      const struct pgr_range *ranges, unsigned int n)
{
	struct hook_sink *h = (struct hook_sink *)sink;

	if (h->fn)
		h->fn(h, ranges, n);
	return h->rec->ops->report(h->rec, ranges, n);
}

static const struct pgr_sink_ops hook_sink_ops = {
	.name = "hook",
	.report = hook_report,
};

static inline void hook_sink_init(struct hook_sink *h, struct pgr_sink *rec)
{
	memset(h, 0, sizeof(*h));
	h->sink.ops = &hook_sink_ops;
	h->sink.capacity = rec->capacity;
	h->rec = rec;
}

static inline struct pgr_sink *recorder(unsigned int capacity,
					unsigned int fail_nth)
{
	struct pgr_sink_recorder_config rc = {
		.capacity = capacity,
		.fail_nth = fail_nth,
	};

	return pgr_sink_recorder_create(&rc);
}

/* Two recorders saw the same batches (ranges, order, return values). */
static inline int recorders_equal(struct pgr_sink *a, struct pgr_sink *b,
				  char *buf, size_t len)
{
	size_t na = pgr_sink_recorder_nr_batches(a);
	size_t nb = pgr_sink_recorder_nr_batches(b);

	if (na != nb) {
		snprintf(buf, len, "%zu batches vs %zu", na, nb);
		return -1;
	}
	for (size_t i = 0; i < na; i++) {
		struct pgr_recorded_batch x, y;

		pgr_sink_recorder_batch(a, i, &x);
		pgr_sink_recorder_batch(b, i, &y);
		if (x.n != y.n || x.ret != y.ret ||
		    memcmp(x.ranges, y.ranges, x.n * sizeof(*x.ranges))) {
			snprintf(buf, len,
				 "batch %zu differs (%u vs %u ranges)", i, x.n,
				 y.n);
			return -1;
		}
	}
	return 0;
}
