/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared helpers for the allocator-model unit tests (tests/unit/check_*.c
 * listed in tests/unit/mm.am): node construction, asserting wrappers that
 * run pgr_zone_check after every mutating step, exact fragmentation setups
 * built from pgr_take_block, and full zone snapshots for "nothing changed"
 * assertions.  Failures name the caller's file and line and the PGR_SEED.
 * Not a model of anything in the kernel; memblock's tests/common.c plays
 * the same role there.
 */
#ifndef PGR_TESTS_MM_HELPERS_H
#define PGR_TESTS_MM_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <check.h>
#include <pagereport/mm.h>

#define MMH_MO	     PGR_MAX_ORDER_DEFAULT /* MAX_ORDER of the default node */
#define MMH_PB	     PGR_PAGEBLOCK_ORDER_DEFAULT /* pageblock_order */
#define MMH_PB_PAGES (1ULL << MMH_PB)

/* PGR_SEED from the environment (default 1). */
uint64_t mmh_seed(void);

/*
 * A node with one zone [start, start + nr_pages), default orders when 0,
 * default watermarks; not populated.
 */
struct pgr_node *mmh_node_at(const char *file, int line, unsigned max_order,
			     unsigned pb_order, uint64_t start,
			     uint64_t nr_pages);
#define mmh_node(mo, pb, start, nr) \
	mmh_node_at(__FILE__, __LINE__, (mo), (pb), (start), (nr))

/* The same node, populated; returns zone 0 in *r_zone. */
struct pgr_node *mmh_populated_at(const char *file, int line, unsigned mo,
				  unsigned pb, uint64_t start, uint64_t nr,
				  struct pgr_zone **r_zone);
#define mmh_populated(mo, pb, start, nr, r_zone)                        \
	mmh_populated_at(__FILE__, __LINE__, (mo), (pb), (start), (nr), \
			 (r_zone))

/* pgr_zone_check must return 0; print its message otherwise. */
void mmh_check_at(const char *file, int line, struct pgr_zone *z);
#define MMH_CHECK(z) mmh_check_at(__FILE__, __LINE__, (z))

/* Asserting wrappers; each runs MMH_CHECK after the step. */
void mmh_take_at(const char *file, int line, struct pgr_zone *z, uint64_t pfn,
		 unsigned order);
#define mmh_take(z, pfn, order) mmh_take_at(__FILE__, __LINE__, z, pfn, order)
void mmh_free_at(const char *file, int line, struct pgr_zone *z, uint64_t pfn,
		 unsigned order);
#define mmh_free(z, pfn, order) mmh_free_at(__FILE__, __LINE__, z, pfn, order)
uint64_t mmh_alloc_at(const char *file, int line, struct pgr_zone *z,
		      unsigned order, int mt, unsigned flags);
#define mmh_alloc(z, order, mt, flags) \
	mmh_alloc_at(__FILE__, __LINE__, z, order, mt, flags)
void mmh_set_mt_at(const char *file, int line, struct pgr_zone *z, uint64_t pfn,
		   int mt);
#define mmh_set_mt(z, pfn, mt) mmh_set_mt_at(__FILE__, __LINE__, z, pfn, mt)

/*
 * Order of the largest naturally aligned block at @pfn that ends at or
 * before @end (what populate and take_range use).
 */
unsigned mmh_chunk_order(uint64_t pfn, uint64_t end, unsigned max_order);

/* Take [start, end) in the largest aligned chunks (all must be free). */
void mmh_take_range_at(const char *file, int line, struct pgr_zone *z,
		       uint64_t start, uint64_t end);
#define mmh_take_range(z, s, e) mmh_take_range_at(__FILE__, __LINE__, z, s, e)

/* Free [start, end) in the same chunks (all must have been taken so). */
void mmh_free_range_at(const char *file, int line, struct pgr_zone *z,
		       uint64_t start, uint64_t end);
#define mmh_free_range(z, s, e) mmh_free_range_at(__FILE__, __LINE__, z, s, e)

struct pgr_zone_info mmh_info(struct pgr_zone *z);
struct pgr_page_info mmh_page(struct pgr_zone *z, uint64_t pfn);

/*
 * The free list (order, mt) head to tail into @pfns (at most @max); returns
 * its length, asserting that the walk succeeded.
 */
size_t mmh_list(struct pgr_zone *z, unsigned order, int mt, uint64_t *pfns,
		size_t max);

/* The block at @pfn is in @state with @order (and list @mt if mt >= 0). */
void mmh_expect_block_at(const char *file, int line, struct pgr_zone *z,
			 uint64_t pfn, enum pgr_page_state state,
			 unsigned order, int mt);
#define mmh_expect_block(z, pfn, state, order, mt) \
	mmh_expect_block_at(__FILE__, __LINE__, z, pfn, state, order, mt)

/* nr_free[o] and nr_free_mt[o][mt] agree with the walked list lengths. */
void mmh_expect_counts_match_lists_at(const char *file, int line,
				      struct pgr_zone *z);
#define mmh_expect_counts_match_lists(z) \
	mmh_expect_counts_match_lists_at(__FILE__, __LINE__, z)

/*
 * Full snapshot: counters, every free list in order, every page's state
 * and the check result.
 */
struct mmh_snap {
	struct pgr_zone_info info;
	int check_rc;
	uint64_t *lists; /* concatenated walks */
	size_t lists_len;
	struct pgr_page_info *pages;
	size_t nr_pages;
};

void mmh_snap_take(struct pgr_zone *z, struct mmh_snap *s);
/* NULL when equal, else a static string naming the first difference. */
const char *mmh_snap_diff(const struct mmh_snap *a, const struct mmh_snap *b);
void mmh_snap_free(struct mmh_snap *s);

/* The (sorted) set of free block heads of one (order, mt) list. */
size_t mmh_list_sorted(struct pgr_zone *z, unsigned order, int mt,
		       uint64_t *pfns, size_t max);

/*
 * Run a suite (CK_ENV / CK_FORK honoured); returns the exit status.
 * Helpers call Check only on failure: every passing ck_assert costs a
 * write() in fork mode, and a snapshot makes thousands of queries.
 */
int mmh_run_suite(Suite *s);

struct pgr_trace;

/* Two traces hold the same events, compared field by field (padding). */
bool mmh_trace_events_equal(const struct pgr_trace *a,
			    const struct pgr_trace *b);

#endif /* PGR_TESTS_MM_HELPERS_H */
