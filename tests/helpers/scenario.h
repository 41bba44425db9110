/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scenario test helper: builds exact buddy states through the public API
 * (take everything, then free chosen blocks), registers a "probe" sink that
 * checks every batch while it is being reported (ALGORITHM.md §6 B6: each
 * range is isolated, on no list, at most capacity outstanding) and records
 * it, and gives tests a hook that runs inside report() with the zone lock
 * dropped: the only deterministic way, on the virtual clock, to model
 * another CPU freeing, stealing or compacting while pages are out for
 * reporting.  mm/mmzone.h is used to look inside (zone flags, reported_pages,
 * the v11 boundary, page flags).  Every helper that mutates calls
 * pgr_node_check() and fails the test, printing PGR_SEED, on a violation.
 *
 * Geometry used by the tests: kernel defaults (MAX_ORDER 11, pageblock
 * order 9), zones made of "regions" of 1024 pages (one MAX_ORDER-1 block).
 */
#ifndef PGR_TESTS_SCENARIO_H
#define PGR_TESTS_SCENARIO_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/mmzone.h"

#define SCN_REGION	1024u /* pages in an order-10 block */
#define SCN_MAX_BATCHES 4096
#define SCN_MAX_LIST	4096
#define SCN_T_FOREVER	(3600ULL * 1000000000ULL)

/* The strategy loops: tcase_add_loop_test over these index ranges. */
/*
 * "ALL": the strategies that keep PageReported (v11-boundary, v11-rescan,
 * upstream); bitmap keeps none and has check_scenarios_bitmap.c.
 */
#define SCN_ALL_START 0
#define SCN_ALL_END   PGR_STRATEGY_BITMAP
#define SCN_V11_START PGR_STRATEGY_V11_BOUNDARY
#define SCN_V11_END   (PGR_STRATEGY_V11_RESCAN + 1)

struct scn;

/* Runs inside the probe sink's report(), after the batch checks. */
typedef void (*scn_report_hook)(struct scn *s, const struct pgr_range *r,
				unsigned int n, size_t seq);

struct scn_batch {
	uint64_t time_ns; /* engine clock at report() */
	unsigned int n;
	int ret;
	struct pgr_range r[PGR_REPORTING_CAPACITY];
};

struct scn_opts {
	unsigned int nr_zones;			     /* 0 = 1 */
	unsigned int regions[PGR_MAX_ZONES];	     /* 0 = 128 */
	uint64_t wmark[PGR_MAX_ZONES][PGR_NR_WMARK]; /* all 0 = 1/2/3 */
	bool populated_free; /* true: leave every page free */
	bool shuffle;
	enum pgr_kernel_profile profile; /* 0 = PGR_PROFILE_DEFAULT */
};

struct scn {
	struct pgr_node *node;
	unsigned int nr_zones;
	uint64_t base[PGR_MAX_ZONES]; /* first pfn of each zone */
	unsigned int regions[PGR_MAX_ZONES];
	uint64_t seed;
	enum pgr_strategy strategy;
	bool registered;

	/* the probe sink */
	struct pgr_sink sink;
	struct scn_batch *batches;
	size_t nr_batches, cap_batches;
	unsigned int fail_nth; /* 1-based report() call to fail, 0 never */
	int fail_err;
	size_t nr_calls;
	bool expect_other_isolated; /* the test isolates pages itself */
	scn_report_hook hook;
	void *priv;
};

uint64_t scn_seed(void);

/* Node with every page allocated (unless populated_free). */
struct scn *scn_create(const struct scn_opts *o);
void scn_destroy(struct scn *s);

static inline struct zone *scn_z(struct scn *s, unsigned int zi)
{
	return &s->node->zones[zi];
}

static inline struct pgr_zone *scn_pz(struct scn *s, unsigned int zi)
{
	return pgr_node_zone(s->node, zi);
}

static inline uint64_t scn_pfn(struct scn *s, unsigned int zi,
			       unsigned int region)
{
	return s->base[zi] + (uint64_t)region * SCN_REGION;
}

/* Register the probe sink; cfg may be NULL (defaults). */
void scn_register(struct scn *s, enum pgr_strategy st, unsigned int capacity,
		  const struct pgr_reporting_config *cfg);
void scn_unregister(struct scn *s);
void scn_reset_batches(struct scn *s);

void scn_check_at(struct scn *s, const char *file, int line);
#define scn_check(s) scn_check_at((s), __FILE__, __LINE__)

/* Mutations through the public API, each followed by scn_check. */
void scn_free(struct scn *s, unsigned int zi, uint64_t pfn, unsigned int order);
void scn_take(struct scn *s, unsigned int zi, uint64_t pfn, unsigned int order);
void scn_set_mt(struct scn *s, unsigned int zi, uint64_t pfn,
		enum pgr_migratetype mt);

/*
 * Setup helpers (use before scn_register: they free whole regions for a
 * moment, which would notify).  region is allocated as one order-10 block.
 */
/* Leaves [region, +2^order) free (its buddies allocated); returns its pfn. */
uint64_t scn_make_free(struct scn *s, unsigned int zi, unsigned int region,
		       unsigned int order, unsigned int offset_blocks);
/* Re-allocates the region as 2^(10-order) allocated blocks of @order. */
void scn_split_alloc(struct scn *s, unsigned int zi, unsigned int region,
		     unsigned int order);
/* 512 free pages per region in two order-8 blocks (never reported). */
void scn_filler(struct scn *s, unsigned int zi, unsigned int first,
		unsigned int nr);

/* Clock. */
void scn_advance(struct scn *s, uint64_t ns);
uint64_t scn_run(struct scn *s); /* until idle; returns virtual ns */
struct pgr_reporting_stats scn_stats(struct scn *s);
/* The device's named counter (boundary_resets, zones_gated, ...). */
uint64_t scn_counter(struct scn *s, const char *name);

/* Looking inside. */
struct pgr_page_info scn_info(struct scn *s, unsigned int zi, uint64_t pfn);
bool scn_is_free(struct scn *s, unsigned int zi, uint64_t pfn,
		 unsigned int order);
bool scn_is_reported(struct scn *s, unsigned int zi, uint64_t pfn,
		     unsigned int order);
long scn_list(struct scn *s, unsigned int zi, unsigned int order,
	      enum pgr_migratetype mt, uint64_t *pfns, size_t max);
/* Position of @pfn in the list (0 = head), or -1. */
long scn_list_pos(struct scn *s, unsigned int zi, unsigned int order,
		  enum pgr_migratetype mt, uint64_t pfn);
uint64_t scn_nr_free_pages(struct scn *s, unsigned int zi);
uint64_t scn_nr_reported(struct scn *s, unsigned int zi, unsigned int order);
/* Walk of the page array: PG_buddy|PG_reported heads of @order. */
uint64_t scn_count_reported_heads(struct scn *s, unsigned int zi,
				  unsigned int order);
/* Every free block of order >= pageblock_order is PageReported. */
bool scn_all_reported(struct scn *s, unsigned int zi);
/* Was [pfn, order) in any recorded batch (successful or not)? */
size_t scn_times_reported(struct scn *s, unsigned int zi, uint64_t pfn,
			  unsigned int order);
bool scn_is_v11(const struct scn *s);

/*
 * v11 boundary (ALGORITHM.md §6 B2), checked independently of the model's
 * walker: while ACTIVE, each boundary is the list head or on its list and
 * everything from it to the tail is PageReported with page->index == idx.
 */
void scn_check_boundaries_at(struct scn *s, unsigned int zi, const char *file,
			     int line);
#define scn_check_boundaries(s, zi) \
	scn_check_boundaries_at((s), (zi), __FILE__, __LINE__)
/* The boundary of (order, mt) as a pfn, or UINT64_MAX for the list head. */
uint64_t scn_boundary_pfn(struct scn *s, unsigned int zi, unsigned int order,
			  enum pgr_migratetype mt);

/* Runs the suite; prints PGR_SEED on failure. */
int scn_main(Suite *suite);

#endif /* PGR_TESTS_SCENARIO_H */
