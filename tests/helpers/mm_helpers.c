// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Shared helpers for the allocator-model unit tests; see mm_helpers.h.
 * They only use the public API (include/pagereport/mm.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/trace.h>

#include "mm_helpers.h"

#define FAIL_AT(file, line, ...) \
	_ck_assert_failed(file, line, "mm_helpers", __VA_ARGS__)

uint64_t mmh_seed(void)
{
	const char *s = getenv("PGR_SEED");

	if (!s || !*s)
		return 1;
	return strtoull(s, NULL, 0);
}

struct pgr_node *mmh_node_at(const char *file, int line, unsigned max_order,
			     unsigned pb_order, uint64_t start,
			     uint64_t nr_pages)
{
	struct pgr_node_config cfg = {
		.max_order = max_order,
		.pageblock_order = pb_order,
		.seed = mmh_seed(),
		.nr_zones = 1,
		.zones = { { .name = "Normal",
			     .start_pfn = start,
			     .nr_pages = nr_pages } },
	};
	struct pgr_node *node = pgr_node_create(&cfg);

	if (!node)
		FAIL_AT(file, line, "pgr_node_create: %s (%s)", strerror(errno),
			pgr_errmsg());
	return node;
}

struct pgr_node *mmh_populated_at(const char *file, int line, unsigned mo,
				  unsigned pb, uint64_t start, uint64_t nr,
				  struct pgr_zone **r_zone)
{
	struct pgr_node *node = mmh_node_at(file, line, mo, pb, start, nr);
	struct pgr_zone *z = pgr_node_zone(node, 0);
	int rc;

	if (!z)
		FAIL_AT(file, line, "pgr_node_zone(node, 0) is NULL");
	rc = pgr_zone_populate(z);
	if (rc)
		FAIL_AT(file, line, "pgr_zone_populate: %d (%s)", rc,
			pgr_errmsg());
	mmh_check_at(file, line, z);
	*r_zone = z;
	return node;
}

void mmh_check_at(const char *file, int line, struct pgr_zone *z)
{
	char buf[512] = "";
	int rc = pgr_zone_check(z, buf, sizeof(buf));

	if (rc)
		FAIL_AT(file, line,
			"pgr_zone_check: %d: %s (PGR_SEED=%" PRIu64 ")", rc,
			buf, mmh_seed());
}

void mmh_take_at(const char *file, int line, struct pgr_zone *z, uint64_t pfn,
		 unsigned order)
{
	int rc = pgr_take_block(z, pfn, order);

	if (rc)
		FAIL_AT(file, line, "pgr_take_block(%" PRIu64 ", %u): %d (%s)",
			pfn, order, rc, pgr_errmsg());
	mmh_check_at(file, line, z);
}

void mmh_free_at(const char *file, int line, struct pgr_zone *z, uint64_t pfn,
		 unsigned order)
{
	int rc = pgr_free_pages(z, pfn, order);

	if (rc)
		FAIL_AT(file, line, "pgr_free_pages(%" PRIu64 ", %u): %d (%s)",
			pfn, order, rc, pgr_errmsg());
	mmh_check_at(file, line, z);
}

uint64_t mmh_alloc_at(const char *file, int line, struct pgr_zone *z,
		      unsigned order, int mt, unsigned flags)
{
	uint64_t pfn = UINT64_MAX;
	int rc = pgr_alloc_pages(z, order, (enum pgr_migratetype)mt, flags,
				 &pfn);

	if (rc)
		FAIL_AT(file, line, "pgr_alloc_pages(%u, %d, %#x): %d (%s)",
			order, mt, flags, rc, pgr_errmsg());
	mmh_check_at(file, line, z);
	return pfn;
}

void mmh_set_mt_at(const char *file, int line, struct pgr_zone *z, uint64_t pfn,
		   int mt)
{
	int rc =
		pgr_set_pageblock_migratetype(z, pfn, (enum pgr_migratetype)mt);

	if (rc)
		FAIL_AT(file, line,
			"pgr_set_pageblock_migratetype(%" PRIu64
			", %d): %d (%s)",
			pfn, mt, rc, pgr_errmsg());
	mmh_check_at(file, line, z);
}

unsigned mmh_chunk_order(uint64_t pfn, uint64_t end, unsigned max_order)
{
	unsigned order = max_order - 1;

	if (pfn && (unsigned)__builtin_ctzll(pfn) < order)
		order = (unsigned)__builtin_ctzll(pfn);
	while (pfn + (1ULL << order) > end)
		order--;
	return order;
}

void mmh_take_range_at(const char *file, int line, struct pgr_zone *z,
		       uint64_t start, uint64_t end)
{
	unsigned mo = mmh_info(z).max_order;

	while (start < end) {
		unsigned order = mmh_chunk_order(start, end, mo);

		mmh_take_at(file, line, z, start, order);
		start += 1ULL << order;
	}
}

void mmh_free_range_at(const char *file, int line, struct pgr_zone *z,
		       uint64_t start, uint64_t end)
{
	unsigned mo = mmh_info(z).max_order;

	while (start < end) {
		unsigned order = mmh_chunk_order(start, end, mo);

		mmh_free_at(file, line, z, start, order);
		start += 1ULL << order;
	}
}

struct pgr_zone_info mmh_info(struct pgr_zone *z)
{
	struct pgr_zone_info info;
	int rc;

	memset(&info, 0, sizeof(info));
	rc = pgr_zone_get_info(z, &info);
	if (!(rc == 0))
		ck_abort_msg("pgr_zone_get_info: %d (%s)", rc, pgr_errmsg());
	return info;
}

struct pgr_page_info mmh_page(struct pgr_zone *z, uint64_t pfn)
{
	struct pgr_page_info pi;
	int rc;

	memset(&pi, 0, sizeof(pi));
	rc = pgr_page_get_info(z, pfn, &pi);
	if (!(rc == 0))
		ck_abort_msg("pgr_page_get_info(%" PRIu64 "): %d (%s)", pfn, rc,
			     pgr_errmsg());
	return pi;
}

size_t mmh_list(struct pgr_zone *z, unsigned order, int mt, uint64_t *pfns,
		size_t max)
{
	long n = pgr_free_list_walk(z, order, (enum pgr_migratetype)mt, pfns,
				    max);

	if (!(n >= 0))
		ck_abort_msg("pgr_free_list_walk(%u, %d): %ld (%s)", order, mt,
			     n, pgr_errmsg());
	return (size_t)n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

size_t mmh_list_sorted(struct pgr_zone *z, unsigned order, int mt,
		       uint64_t *pfns, size_t max)
{
	size_t n = mmh_list(z, order, mt, pfns, max);

	if (!(n <= max))
		ck_abort_msg("list (%u, %d) longer (%zu) than %zu", order, mt,
			     n, max);
	qsort(pfns, n, sizeof(*pfns), cmp_u64);
	return n;
}

static const char *state_name(enum pgr_page_state s)
{
	switch (s) {
	case PGR_PAGE_TAIL:
		return "tail";
	case PGR_PAGE_FREE:
		return "free";
	case PGR_PAGE_ALLOCATED:
		return "allocated";
	case PGR_PAGE_ISOLATED:
		return "isolated";
	case PGR_PAGE_PCP:
		return "pcp";
	}
	return "?";
}

void mmh_expect_block_at(const char *file, int line, struct pgr_zone *z,
			 uint64_t pfn, enum pgr_page_state state,
			 unsigned order, int mt)
{
	struct pgr_page_info pi;
	int rc;

	memset(&pi, 0, sizeof(pi));
	rc = pgr_page_get_info(z, pfn, &pi);
	if (rc)
		FAIL_AT(file, line, "pgr_page_get_info(%" PRIu64 "): %d (%s)",
			pfn, rc, pgr_errmsg());
	if (pi.state != state)
		FAIL_AT(file, line, "pfn %" PRIu64 ": state %s, expected %s",
			pfn, state_name(pi.state), state_name(state));
	if (state != PGR_PAGE_TAIL && pi.order != order)
		FAIL_AT(file, line, "pfn %" PRIu64 ": order %u, expected %u",
			pfn, pi.order, order);
	if (mt >= 0 && pi.migratetype != mt)
		FAIL_AT(file, line,
			"pfn %" PRIu64 ": migratetype %s, expected %s", pfn,
			pgr_migratetype_name(pi.migratetype),
			pgr_migratetype_name(mt));
}

void mmh_expect_counts_match_lists_at(const char *file, int line,
				      struct pgr_zone *z)
{
	struct pgr_zone_info info = mmh_info(z);
	uint64_t pages = 0, iso_pages = 0;

	for (unsigned o = 0; o < info.max_order; o++) {
		uint64_t sum = 0;

		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			uint64_t dummy;
			long n = pgr_free_list_walk(
				z, o, (enum pgr_migratetype)mt, &dummy, 0);

			if (n < 0)
				FAIL_AT(file, line, "walk(%u, %d): %ld", o, mt,
					n);
			if ((uint64_t)n != info.nr_free_mt[o][mt])
				FAIL_AT(file, line,
					"nr_free_mt[%u][%d] = %" PRIu64
					", list length %ld",
					o, mt, info.nr_free_mt[o][mt], n);
			sum += (uint64_t)n;
			if (mt == PGR_MIGRATE_ISOLATE)
				iso_pages += (uint64_t)n << o;
			else
				pages += (uint64_t)n << o;
		}
		if (sum != info.nr_free[o])
			FAIL_AT(file, line,
				"nr_free[%u] = %" PRIu64
				", lists hold %" PRIu64,
				o, info.nr_free[o], sum);
	}
	/* Free pages on non-ISOLATE lists are all within NR_FREE_PAGES. */
	if (pages + iso_pages !=
	    info.nr_free_pages + info.nr_free_isolate_pages)
		FAIL_AT(file, line,
			"lists hold %" PRIu64 " pages, counters %" PRIu64
			" + %" PRIu64,
			pages + iso_pages, info.nr_free_pages,
			info.nr_free_isolate_pages);
}

void mmh_snap_take(struct pgr_zone *z, struct mmh_snap *s)
{
	size_t cap = 0;

	memset(s, 0, sizeof(*s));
	s->info = mmh_info(z);
	s->check_rc = pgr_zone_check(z, NULL, 0);
	for (unsigned o = 0; o < s->info.max_order; o++)
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++)
			cap += (size_t)s->info.nr_free_mt[o][mt] + 1;
	s->lists = calloc(cap, sizeof(*s->lists));
	if (!s->lists)
		ck_abort_msg("out of memory");
	for (unsigned o = 0; o < s->info.max_order; o++) {
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			size_t room = cap - s->lists_len - 1;
			size_t n = mmh_list(z, o, mt, s->lists + s->lists_len,
					    room);

			if (!(n <= room))
				ck_abort_msg("list grew during snapshot");
			s->lists_len += n;
			s->lists[s->lists_len++] = UINT64_MAX; /* separator */
		}
	}
	s->nr_pages = (size_t)s->info.nr_pages;
	s->pages = calloc(s->nr_pages, sizeof(*s->pages));
	if (!s->pages)
		ck_abort_msg("out of memory");
	for (size_t i = 0; i < s->nr_pages; i++)
		s->pages[i] = mmh_page(z, s->info.start_pfn + i);
}

const char *mmh_snap_diff(const struct mmh_snap *a, const struct mmh_snap *b)
{
	static char why[160];

	if (memcmp(&a->info, &b->info, sizeof(a->info)))
		return "pgr_zone_info differs";
	if (a->check_rc != b->check_rc)
		return "pgr_zone_check result differs";
	if (a->lists_len != b->lists_len ||
	    memcmp(a->lists, b->lists, a->lists_len * sizeof(*a->lists)))
		return "free lists differ";
	for (size_t i = 0; i < a->nr_pages; i++) {
		const struct pgr_page_info *x = &a->pages[i], *y = &b->pages[i];

		if (x->state != y->state || x->order != y->order ||
		    x->migratetype != y->migratetype ||
		    x->reported != y->reported ||
		    x->discarded != y->discarded) {
			snprintf(why, sizeof(why),
				 "page info of pfn %" PRIu64 " differs",
				 a->info.start_pfn + i);
			return why;
		}
	}
	return NULL;
}

void mmh_snap_free(struct mmh_snap *s)
{
	free(s->lists);
	free(s->pages);
	s->lists = NULL;
	s->pages = NULL;
}

int mmh_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed)
		fprintf(stderr, "failures with PGR_SEED=%" PRIu64 "\n",
			mmh_seed());
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Field by field: struct pgr_trace_event has padding. */
static bool trace_event_equal(const struct pgr_trace_event *a,
			      const struct pgr_trace_event *b)
{
	return a->time_ns == b->time_ns && a->pfn == b->pfn && a->op == b->op &&
	       a->order == b->order && a->migratetype == b->migratetype &&
	       a->zone == b->zone;
}

bool mmh_trace_events_equal(const struct pgr_trace *a,
			    const struct pgr_trace *b)
{
	size_t n = pgr_trace_nr_events(a);

	if (n != pgr_trace_nr_events(b))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!trace_event_equal(&pgr_trace_events(a)[i],
				       &pgr_trace_events(b)[i]))
			return false;
	return true;
}
