// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Randomized trace test of the allocator model (src/mm).
 *
 * Several node configurations are driven by a seeded random trace of every
 * mutating operation (alloc at all orders/migratetypes/flags, free,
 * take_block, isolate_free_page/putback, isolate_range/undo, pageblock
 * migratetype changes, shuffle, compaction rotation) mixed with bad-input
 * calls.  After EVERY operation pgr_zone_check() must pass and an
 * independent reference model (per-page state: free, allocated or
 * isolated block, plus the set of isolated pageblocks) must agree with
 * the zone's counters (free, NR_FREE_PAGES, allocated, isolated) and with
 * pgr_page_get_info() on the pfns the operation touched.  A bad-input
 * call must fail with the documented errno and leave the zone snapshot
 * identical.  At the end everything is released: the zone must be back
 * to its maximally merged boot layout, then go offline.
 *
 * PGR_SEED (default 1) picks the seeds; a failure prints seed, config and
 * operation number.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

#include "rand.h"

struct trace_cfg {
	const char *name;
	unsigned int max_order, pageblock_order;
	bool shuffle;
	unsigned int nr_zones;
	uint64_t start[2], nr[2];
	unsigned long ops;
};

/*
 * Total: 1.2 M operations, split over NR_SEEDS seeds, each checked.
 *   big:     MAX_ORDER 11 / pageblock 9, 3 order-10 blocks + 333 pages,
 *            unaligned start
 *   small:   MAX_ORDER 6 / pageblock 3
 *   twozone: MAX_ORDER 7 / pageblock 4, two zones (the second unaligned)
 *   shuffle: MAX_ORDER 8 / pageblock 5 with shuffling on
 */
static const struct trace_cfg cfgs[] = {
	{ "big",
	  11,
	  9,
	  false,
	  1,
	  { 0x10000 + 37 },
	  { 3 * 1024 + 333 },
	  100000 },
	{ "small", 6, 3, false, 1, { 5 }, { 300 }, 450000 },
	{ "twozone", 7, 4, false, 2, { 0, 777 }, { 512, 700 }, 350000 },
	{ "shuffle", 8, 5, true, 1, { 256 * 3 }, { 256 * 5 + 100 }, 300000 },
};

#define NR_SEEDS 4

enum ref_state { R_FREE, R_ALLOC, R_ALLOC_TAIL, R_ISO, R_ISO_TAIL };

struct ref_zone {
	struct pgr_zone *zone;
	uint64_t start, nr;
	uint8_t *state;	 /* enum ref_state per page */
	uint8_t *order;	 /* of heads */
	uint8_t *pb_iso; /* per pageblock (index from pb_base) */
	uint64_t pb_base, nr_pb;
	uint64_t *alloc; /* pfns of allocated heads */
	size_t nr_alloc;
	uint64_t *iso; /* pfns of isolated heads */
	size_t nr_iso;
	uint64_t alloc_pages, iso_pages;
};

struct trace {
	const struct trace_cfg *cfg;
	uint64_t seed;
	unsigned long op;
	const char *opname;
	struct pgr_rand rnd;
	struct pgr_node *node;
	struct ref_zone rz[2];
	unsigned long nr_ops, nr_ok, nr_einval;
	unsigned long nr_by_op[16]; /* successful operations per kind */
};

static const char *const op_names[] = {
	"alloc",   "free",	    "take",	  "isolate_page",
	"putback", "isolate_range", "undo_range", "set_pageblock",
	"rotate",  "shuffle",
};

#define TFAIL(t, ...)                                                        \
	ck_abort_msg("seed %llu cfg %s op %lu (%s): %s",                     \
		     (unsigned long long)(t)->seed, (t)->cfg->name, (t)->op, \
		     (t)->opname, fmt_msg(__VA_ARGS__))

#define TASSERT(t, cond, ...)                  \
	do {                                   \
		if (!(cond))                   \
			TFAIL(t, __VA_ARGS__); \
	} while (0)

static const char *fmt_msg(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static const char *fmt_msg(const char *fmt, ...)
{
	static char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

static uint64_t rnd(struct trace *t, uint64_t bound)
{
	return pgr_rand_below(&t->rnd, bound);
}

static uint64_t pb_pages(const struct trace *t)
{
	return 1ULL << t->cfg->pageblock_order;
}

static bool ref_pb_iso(const struct trace *t, const struct ref_zone *r,
		       uint64_t pfn)
{
	return r->pb_iso[(pfn - r->pb_base) >> t->cfg->pageblock_order];
}

static void list_remove(uint64_t *v, size_t *n, uint64_t pfn)
{
	for (size_t i = 0; i < *n; i++) {
		if (v[i] == pfn) {
			v[i] = v[--*n];
			return;
		}
	}
	ck_abort_msg("reference list lost pfn %#llx", (unsigned long long)pfn);
}

static void ref_mark(struct ref_zone *r, uint64_t pfn, unsigned int order,
		     enum ref_state head, enum ref_state tail)
{
	uint64_t i = pfn - r->start;

	r->state[i] = (uint8_t)head;
	r->order[i] = (uint8_t)order;
	for (uint64_t k = 1; k < (1ULL << order); k++) {
		r->state[i + k] = (uint8_t)tail;
		r->order[i + k] = 0;
	}
}

static bool ref_range_free(const struct ref_zone *r, uint64_t pfn, uint64_t nr)
{
	for (uint64_t k = 0; k < nr; k++)
		if (r->state[pfn - r->start + k] != R_FREE)
			return false;
	return true;
}

/* The page-state agreement on one pfn. */
static void verify_pfn(struct trace *t, struct ref_zone *r, uint64_t pfn)
{
	struct pgr_page_info pi;
	uint8_t s = r->state[pfn - r->start];
	int err = pgr_page_get_info(r->zone, pfn, &pi);

	TASSERT(t, err == 0, "page_get_info(%#llx) = %d",
		(unsigned long long)pfn, err);
	switch (s) {
	case R_FREE:
		TASSERT(t,
			pi.state == PGR_PAGE_FREE || pi.state == PGR_PAGE_TAIL,
			"pfn %#llx free in the reference, state %d",
			(unsigned long long)pfn, pi.state);
		break;
	case R_ALLOC:
	case R_ISO:
		TASSERT(t,
			pi.state == (s == R_ALLOC ? PGR_PAGE_ALLOCATED
						  : PGR_PAGE_ISOLATED) &&
				pi.order == r->order[pfn - r->start],
			"pfn %#llx: reference %s head order %u, model state %d "
			"order %u",
			(unsigned long long)pfn, s == R_ALLOC ? "alloc" : "iso",
			r->order[pfn - r->start], pi.state, pi.order);
		break;
	default:
		TASSERT(t, pi.state == PGR_PAGE_TAIL,
			"pfn %#llx is a tail in the reference, state %d",
			(unsigned long long)pfn, pi.state);
	}
}

/* After every operation: walker + counters against the reference. */
static void verify_zone(struct trace *t, struct ref_zone *r)
{
	struct pgr_zone_info info;
	char buf[256];
	uint64_t nr_free = 0;
	int err = pgr_zone_check(r->zone, buf, sizeof(buf));

	TASSERT(t, err == 0, "zone_check: %s", buf);
	TASSERT(t, pgr_zone_get_info(r->zone, &info) == 0, "get_info");
	TASSERT(t, info.nr_allocated_pages == r->alloc_pages,
		"allocated %llu, reference %llu",
		(unsigned long long)info.nr_allocated_pages,
		(unsigned long long)r->alloc_pages);
	TASSERT(t, info.nr_isolated_pages == r->iso_pages,
		"isolated %llu, reference %llu",
		(unsigned long long)info.nr_isolated_pages,
		(unsigned long long)r->iso_pages);
	TASSERT(t,
		info.nr_free_pages + info.nr_free_isolate_pages ==
			r->nr - r->alloc_pages - r->iso_pages,
		"free %llu + %llu, reference %llu",
		(unsigned long long)info.nr_free_pages,
		(unsigned long long)info.nr_free_isolate_pages,
		(unsigned long long)(r->nr - r->alloc_pages - r->iso_pages));
	/* NR_FREE_PAGES: free pages outside isolated pageblocks. */
	for (uint64_t pb = 0; pb < r->nr_pb; pb++) {
		uint64_t s = r->pb_base + pb * pb_pages(t);
		uint64_t e = s + pb_pages(t);

		if (r->pb_iso[pb])
			continue;
		if (s < r->start)
			s = r->start;
		if (e > r->start + r->nr)
			e = r->start + r->nr;
		for (uint64_t p = s; p < e; p++)
			nr_free += r->state[p - r->start] == R_FREE;
	}
	TASSERT(t, info.nr_free_pages == nr_free,
		"NR_FREE_PAGES %llu, reference %llu",
		(unsigned long long)info.nr_free_pages,
		(unsigned long long)nr_free);
	TASSERT(t,
		info.nr_isolate_pageblock ==
			info.nr_pageblocks_mt[PGR_MIGRATE_ISOLATE],
		"isolate pageblock count");
}

static void snapshot(struct ref_zone *r, struct pgr_zone_info *info)
{
	memset(info, 0, sizeof(*info));
	pgr_zone_get_info(r->zone, info);
}

/* A bad call must fail with @want, leave a message and change nothing. */
#define EXPECT_BAD(t, r, want, call)                                          \
	do {                                                                  \
		struct pgr_zone_info __a, __b;                                \
		int __err;                                                    \
		snapshot(r, &__a);                                            \
		__err = (call);                                               \
		snapshot(r, &__b);                                            \
		TASSERT(t, __err == (want), "%s returned %d, want %d", #call, \
			__err, (want));                                       \
		TASSERT(t, pgr_errmsg()[0] != '\0', "no errmsg for %s",       \
			#call);                                               \
		TASSERT(t, memcmp(&__a, &__b, sizeof(__a)) == 0,              \
			"%s changed the zone", #call);                        \
		t->nr_einval++;                                               \
	} while (0)

static unsigned int rand_order(struct trace *t)
{
	/* Mostly small orders, sometimes any. */
	if (rnd(t, 4))
		return (unsigned int)rnd(
			t, 3 < t->cfg->max_order ? 3 : t->cfg->max_order);
	return (unsigned int)rnd(t, t->cfg->max_order);
}

static void op_alloc(struct trace *t, struct ref_zone *r)
{
	static const unsigned int flag_sets[] = {
		0,
		0,
		0,
		0,
		PGR_ALLOC_NOFRAGMENT,
		PGR_ALLOC_WMARK_MIN,
		PGR_ALLOC_WMARK_LOW,
		PGR_ALLOC_NO_FALLBACK,
	};
	unsigned int order = rand_order(t);
	int mt = (int)rnd(t, 10);
	unsigned int flags = flag_sets[rnd(t, 8)];
	uint64_t pfn = 0;
	int err;

	mt = mt < 4   ? PGR_MIGRATE_MOVABLE
	     : mt < 6 ? PGR_MIGRATE_UNMOVABLE
	     : mt < 8 ? PGR_MIGRATE_RECLAIMABLE
	     : mt < 9 ? PGR_MIGRATE_HIGHATOMIC
		      : PGR_MIGRATE_MOVABLE;
	t->opname = "alloc";
	err = pgr_alloc_pages(r->zone, order, (enum pgr_migratetype)mt, flags,
			      &pfn);
	if (err == -ENOMEM)
		return;
	TASSERT(t, err == 0, "alloc_pages(order %u, %d, %#x) = %d: %s", order,
		mt, flags, err, pgr_errmsg());
	TASSERT(t,
		pfn >= r->start && pfn + (1ULL << order) <= r->start + r->nr &&
			!(pfn & ((1ULL << order) - 1)),
		"alloc returned bad block %#llx order %u",
		(unsigned long long)pfn, order);
	TASSERT(t, ref_range_free(r, pfn, 1ULL << order),
		"alloc returned a block not free in the reference: %#llx/%u",
		(unsigned long long)pfn, order);
	TASSERT(t, !ref_pb_iso(t, r, pfn), "alloc from an isolated pageblock");
	ref_mark(r, pfn, order, R_ALLOC, R_ALLOC_TAIL);
	r->alloc[r->nr_alloc++] = pfn;
	r->alloc_pages += 1ULL << order;
	verify_pfn(t, r, pfn);
	t->nr_ok++;
	t->nr_by_op[0]++;
}

static void op_free(struct trace *t, struct ref_zone *r)
{
	uint64_t pfn;
	unsigned int order;
	int err;

	t->opname = "free";
	if (!r->nr_alloc)
		return;
	pfn = r->alloc[rnd(t, r->nr_alloc)];
	order = r->order[pfn - r->start];
	err = pgr_free_pages(r->zone, pfn, order);
	TASSERT(t, err == 0, "free_pages(%#llx, %u) = %d: %s",
		(unsigned long long)pfn, order, err, pgr_errmsg());
	list_remove(r->alloc, &r->nr_alloc, pfn);
	ref_mark(r, pfn, order, R_FREE, R_FREE);
	r->alloc_pages -= 1ULL << order;
	verify_pfn(t, r, pfn);
	t->nr_ok++;
	t->nr_by_op[1]++;
}

static void op_take(struct trace *t, struct ref_zone *r)
{
	unsigned int order = rand_order(t);
	uint64_t pfn = r->start + rnd(t, r->nr);
	bool free;
	int err;

	t->opname = "take_block";
	pfn &= ~((1ULL << order) - 1);
	if (pfn < r->start || pfn + (1ULL << order) > r->start + r->nr)
		return;
	free = ref_range_free(r, pfn, 1ULL << order);
	err = pgr_take_block(r->zone, pfn, order);
	if (!free) {
		TASSERT(t, err == -EBUSY, "take_block of a busy range = %d",
			err);
		return;
	}
	/* All free but split across blocks (isolate boundary): -EBUSY. */
	if (err == -EBUSY)
		return;
	TASSERT(t, err == 0, "take_block(%#llx, %u) = %d: %s",
		(unsigned long long)pfn, order, err, pgr_errmsg());
	ref_mark(r, pfn, order, R_ALLOC, R_ALLOC_TAIL);
	r->alloc[r->nr_alloc++] = pfn;
	r->alloc_pages += 1ULL << order;
	verify_pfn(t, r, pfn);
	t->nr_ok++;
	t->nr_by_op[2]++;
}

static void op_isolate_page(struct trace *t, struct ref_zone *r)
{
	uint64_t pfn = r->start + rnd(t, r->nr);
	struct pgr_page_info pi;
	int err;

	t->opname = "isolate_free_page";
	TASSERT(t, pgr_page_get_info(r->zone, pfn, &pi) == 0, "get_info");
	if (pi.state != PGR_PAGE_FREE) {
		/* Not a free head: -ENOENT, nothing changes. */
		if (pi.state == PGR_PAGE_TAIL && (pfn & 1) == 0)
			EXPECT_BAD(t, r, -ENOENT,
				   pgr_isolate_free_page(r->zone, pfn, 0));
		return;
	}
	err = pgr_isolate_free_page(r->zone, pfn, pi.order);
	if (err == -ENOSPC) {
		TASSERT(t, !ref_pb_iso(t, r, pfn),
			"watermark failure in an isolated pageblock");
		return;
	}
	TASSERT(t, err == 0, "isolate_free_page = %d: %s", err, pgr_errmsg());
	TASSERT(t, ref_range_free(r, pfn, 1ULL << pi.order),
		"isolated a block that is not free in the reference");
	ref_mark(r, pfn, pi.order, R_ISO, R_ISO_TAIL);
	r->iso[r->nr_iso++] = pfn;
	r->iso_pages += 1ULL << pi.order;
	verify_pfn(t, r, pfn);
	t->nr_ok++;
	t->nr_by_op[3]++;
}

static void op_putback(struct trace *t, struct ref_zone *r)
{
	uint64_t pfn;
	unsigned int order;
	int err;

	t->opname = "putback_isolated_page";
	if (!r->nr_iso)
		return;
	pfn = r->iso[rnd(t, r->nr_iso)];
	order = r->order[pfn - r->start];
	err = pgr_putback_isolated_page(r->zone, pfn, order);
	TASSERT(t, err == 0, "putback = %d: %s", err, pgr_errmsg());
	list_remove(r->iso, &r->nr_iso, pfn);
	ref_mark(r, pfn, order, R_FREE, R_FREE);
	r->iso_pages -= 1ULL << order;
	verify_pfn(t, r, pfn);
	t->nr_ok++;
	t->nr_by_op[4]++;
}

/* A busy (allocated/isolated) reference block straddles @edge. */
static bool ref_busy_straddles(const struct ref_zone *r, uint64_t edge,
			       bool only_iso_state, const struct trace *t)
{
	uint64_t i;

	if (edge <= r->start || edge >= r->start + r->nr)
		return false;
	i = edge - r->start;
	if (r->state[i] != R_ALLOC_TAIL && r->state[i] != R_ISO_TAIL)
		return false;
	if (!only_iso_state)
		return true;
	/* Find the head: the block is isolated-state iff its pageblock is. */
	while (r->state[i] == R_ALLOC_TAIL || r->state[i] == R_ISO_TAIL)
		i--;
	return ref_pb_iso(t, r, r->start + i);
}

static bool rand_pb_range(struct trace *t, struct ref_zone *r, uint64_t *start,
			  uint64_t *nr)
{
	uint64_t first = (r->start + pb_pages(t) - 1) & ~(pb_pages(t) - 1);
	uint64_t last = (r->start + r->nr) & ~(pb_pages(t) - 1);
	uint64_t n_pb, s, len;

	if (last <= first)
		return false;
	n_pb = (last - first) / pb_pages(t);
	s = rnd(t, n_pb);
	len = 1 + rnd(t, n_pb - s < 4 ? n_pb - s : 4);
	*start = first + s * pb_pages(t);
	*nr = len * pb_pages(t);
	return true;
}

static void op_isolate_range(struct trace *t, struct ref_zone *r)
{
	uint64_t start, nr;
	bool busy = false;
	int err;

	t->opname = "isolate_range";
	if (!rand_pb_range(t, r, &start, &nr))
		return;
	for (uint64_t p = start; p < start + nr; p += pb_pages(t))
		busy |= ref_pb_iso(t, r, p);
	busy |= ref_busy_straddles(r, start, false, t) ||
		ref_busy_straddles(r, start + nr, false, t);
	if (busy) {
		EXPECT_BAD(t, r, -EBUSY, pgr_isolate_range(r->zone, start, nr));
		return;
	}
	err = pgr_isolate_range(r->zone, start, nr);
	TASSERT(t, err == 0, "isolate_range = %d: %s", err, pgr_errmsg());
	for (uint64_t p = start; p < start + nr; p += pb_pages(t))
		r->pb_iso[(p - r->pb_base) >> t->cfg->pageblock_order] = 1;
	t->nr_ok++;
	t->nr_by_op[5]++;
}

static void op_undo_range(struct trace *t, struct ref_zone *r)
{
	uint64_t start, nr;
	int mt = (int)rnd(t, 3);
	int err;

	t->opname = "undo_isolate_range";
	if (!rand_pb_range(t, r, &start, &nr))
		return;
	if (ref_busy_straddles(r, start, true, t) ||
	    ref_busy_straddles(r, start + nr, true, t)) {
		EXPECT_BAD(t, r, -EBUSY,
			   pgr_undo_isolate_range(r->zone, start, nr,
						  (enum pgr_migratetype)mt));
		return;
	}
	err = pgr_undo_isolate_range(r->zone, start, nr,
				     (enum pgr_migratetype)mt);
	TASSERT(t, err == 0, "undo_isolate_range = %d: %s", err, pgr_errmsg());
	for (uint64_t p = start; p < start + nr; p += pb_pages(t))
		r->pb_iso[(p - r->pb_base) >> t->cfg->pageblock_order] = 0;
	t->nr_ok++;
	t->nr_by_op[6]++;
}

static void op_set_pb(struct trace *t, struct ref_zone *r)
{
	uint64_t pfn = r->start + rnd(t, r->nr);
	int mt = (int)rnd(t, 4);
	int err;

	t->opname = "set_pageblock_migratetype";
	if (ref_pb_iso(t, r, pfn)) {
		EXPECT_BAD(t, r, -EBUSY,
			   pgr_set_pageblock_migratetype(
				   r->zone, pfn, (enum pgr_migratetype)mt));
		return;
	}
	err = pgr_set_pageblock_migratetype(r->zone, pfn,
					    (enum pgr_migratetype)mt);
	TASSERT(t, err == 0, "set_pageblock_migratetype = %d", err);
	TASSERT(t, pgr_pageblock_migratetype(r->zone, pfn) == mt,
		"pageblock type not set");
	t->nr_ok++;
	t->nr_by_op[7]++;
}

static void op_rotate(struct trace *t, struct ref_zone *r)
{
	unsigned int order = (unsigned int)rnd(t, t->cfg->max_order);
	uint64_t before[64], after[64];
	long n, m;
	size_t k;
	int err;

	t->opname = "compact_rotate";
	n = pgr_free_list_walk(r->zone, order, PGR_MIGRATE_MOVABLE, before, 64);
	TASSERT(t, n >= 0, "free_list_walk = %ld", n);
	if (n == 0 || n > 64)
		return;
	k = (size_t)rnd(t, (uint64_t)n);
	err = pgr_zone_compact_rotate(r->zone, order, before[k]);
	TASSERT(t, err == 0, "compact_rotate = %d: %s", err, pgr_errmsg());
	m = pgr_free_list_walk(r->zone, order, PGR_MIGRATE_MOVABLE, after, 64);
	TASSERT(t, m == n, "rotation changed the list length");
	for (long i = 0; i < n; i++)
		TASSERT(t, after[i] == before[(k + (size_t)i) % (size_t)n],
			"rotation order wrong at %ld", i);
	t->nr_ok++;
	t->nr_by_op[8]++;
}

static void op_bad(struct trace *t, struct ref_zone *r)
{
	unsigned int mo = t->cfg->max_order;
	uint64_t pfn;

	t->opname = "bad input";
	switch (rnd(t, 10)) {
	case 0:
		EXPECT_BAD(t, r, -ERANGE,
			   pgr_free_pages(r->zone, r->start + r->nr, 0));
		break;
	case 1:
		EXPECT_BAD(t, r, -EINVAL,
			   pgr_free_pages(r->zone, r->start, mo));
		break;
	case 2: /* double free / free of a free page */
		pfn = r->start + rnd(t, r->nr);
		if (r->state[pfn - r->start] == R_FREE)
			EXPECT_BAD(t, r, -EINVAL,
				   pgr_free_pages(r->zone, pfn, 0));
		break;
	case 3: /* wrong order */
		if (r->nr_alloc) {
			pfn = r->alloc[rnd(t, r->nr_alloc)];
			if (r->order[pfn - r->start] > 0)
				EXPECT_BAD(t, r, -EINVAL,
					   pgr_free_pages(r->zone, pfn, 0));
		}
		break;
	case 4: /* freeing an isolated block */
		if (r->nr_iso) {
			pfn = r->iso[rnd(t, r->nr_iso)];
			EXPECT_BAD(t, r, -EINVAL,
				   pgr_free_pages(r->zone, pfn,
						  r->order[pfn - r->start]));
		}
		break;
	case 5:
		EXPECT_BAD(t, r, -EINVAL,
			   pgr_alloc_pages(r->zone, 0, PGR_MIGRATE_ISOLATE, 0,
					   &pfn));
		break;
	case 6:
		EXPECT_BAD(t, r, -EINVAL,
			   pgr_alloc_pages(r->zone, mo, PGR_MIGRATE_MOVABLE, 0,
					   &pfn));
		break;
	case 7:
		EXPECT_BAD(
			t, r, -EINVAL,
			pgr_isolate_range(r->zone, r->start | 1, pb_pages(t)));
		break;
	case 8:
		EXPECT_BAD(t, r, -ERANGE,
			   pgr_take_block(r->zone, r->start + r->nr, 0));
		if (r->nr_alloc)
			EXPECT_BAD(t, r, -ENOENT,
				   pgr_zone_compact_rotate(r->zone, 0,
							   r->alloc[0]));
		break;
	default: /* putback of something not isolated */
		pfn = r->start + rnd(t, r->nr);
		if (r->state[pfn - r->start] != R_ISO)
			EXPECT_BAD(t, r, -EINVAL,
				   pgr_putback_isolated_page(r->zone, pfn, 0));
		break;
	}
}

static void ref_init(struct trace *t, unsigned int i)
{
	struct ref_zone *r = &t->rz[i];

	r->zone = pgr_node_zone(t->node, i);
	r->start = t->cfg->start[i];
	r->nr = t->cfg->nr[i];
	r->state = calloc(r->nr, 1);
	r->order = calloc(r->nr, 1);
	r->alloc = calloc(r->nr, sizeof(uint64_t));
	r->iso = calloc(r->nr, sizeof(uint64_t));
	r->pb_base = r->start & ~(pb_pages(t) - 1);
	r->nr_pb =
		(r->start + r->nr - r->pb_base + pb_pages(t) - 1) / pb_pages(t);
	r->pb_iso = calloc(r->nr_pb, 1);
	ck_assert(r->state && r->order && r->alloc && r->iso && r->pb_iso);
}

static void ref_fini(struct ref_zone *r)
{
	free(r->state);
	free(r->order);
	free(r->alloc);
	free(r->iso);
	free(r->pb_iso);
}

/* Release everything; the zone must return to its boot layout. */
static void drain_and_offline(struct trace *t, struct ref_zone *r)
{
	struct pgr_zone_info info;
	uint64_t expect[PGR_MAX_ORDER_LIMIT] = { 0 };
	uint64_t first, last;

	t->opname = "drain";
	while (r->nr_alloc)
		op_free(t, r);
	while (r->nr_iso)
		op_putback(t, r);
	first = (r->start + pb_pages(t) - 1) & ~(pb_pages(t) - 1);
	last = (r->start + r->nr) & ~(pb_pages(t) - 1);
	if (last > first) {
		TASSERT(t,
			pgr_undo_isolate_range(r->zone, first, last - first,
					       PGR_MIGRATE_MOVABLE) == 0,
			"final undo: %s", pgr_errmsg());
		memset(r->pb_iso, 0, r->nr_pb);
	}
	verify_zone(t, r);
	for (uint64_t pfn = r->start; pfn < r->start + r->nr;) {
		unsigned int o = t->cfg->max_order - 1;

		while (o && ((pfn & ((1ULL << o) - 1)) ||
			     pfn + (1ULL << o) > r->start + r->nr))
			o--;
		expect[o]++;
		pfn += 1ULL << o;
	}
	TASSERT(t, pgr_zone_get_info(r->zone, &info) == 0, "get_info");
	for (unsigned int o = 0; o < t->cfg->max_order; o++)
		TASSERT(t, info.nr_free[o] == expect[o],
			"after draining, order %u has %llu blocks, want %llu "
			"(not fully merged)",
			o, (unsigned long long)info.nr_free[o],
			(unsigned long long)expect[o]);
	TASSERT(t, pgr_zone_offline(r->zone) == 0, "offline: %s", pgr_errmsg());
	TASSERT(t, pgr_zone_get_info(r->zone, &info) == 0, "get_info");
	TASSERT(t, info.nr_free_pages == 0 && info.nr_free[0] == 0,
		"offline zone has free pages");
	TASSERT(t, pgr_zone_check(r->zone, NULL, 0) == 0, "check offline");
}

static unsigned long run_trace(const struct trace_cfg *cfg, uint64_t seed)
{
	struct pgr_node_config nc = { 0 };
	struct trace t = { 0 };

	t.cfg = cfg;
	t.seed = seed;
	pgr_rand_seed(&t.rnd, seed * 7919 + cfg->max_order);
	nc.max_order = cfg->max_order;
	nc.pageblock_order = cfg->pageblock_order;
	nc.shuffle = cfg->shuffle;
	nc.seed = seed;
	nc.nr_zones = cfg->nr_zones;
	for (unsigned int i = 0; i < cfg->nr_zones; i++) {
		nc.zones[i].start_pfn = cfg->start[i];
		nc.zones[i].nr_pages = cfg->nr[i];
	}
	t.node = pgr_node_create(&nc);
	ck_assert_msg(t.node, "node_create: %s", pgr_errmsg());
	for (unsigned int i = 0; i < cfg->nr_zones; i++) {
		ref_init(&t, i);
		ck_assert_int_eq(pgr_zone_populate(t.rz[i].zone), 0);
		verify_zone(&t, &t.rz[i]);
	}

	for (t.op = 0; t.op < cfg->ops / NR_SEEDS; t.op++) {
		struct ref_zone *r = &t.rz[rnd(&t, cfg->nr_zones)];
		unsigned int k = (unsigned int)rnd(&t, 1000);

		/* Keep occupancy moving: alloc-heavy and free-heavy phases. */
		bool fill = ((t.op / 2000) & 1) == 0;

		if (k < (fill ? 330u : 230u))
			op_alloc(&t, r);
		else if (k < 560)
			op_free(&t, r);
		else if (k < 640)
			op_take(&t, r);
		else if (k < 720)
			op_isolate_page(&t, r);
		else if (k < 800)
			op_putback(&t, r);
		else if (k < 830)
			op_isolate_range(&t, r);
		else if (k < 860)
			op_undo_range(&t, r);
		else if (k < 900)
			op_set_pb(&t, r);
		else if (k < 905)
			op_rotate(&t, r);
		else if (k < 908) {
			t.opname = "shuffle";
			TASSERT(&t, pgr_zone_shuffle(r->zone) == 0, "shuffle");
			t.nr_by_op[9]++;
		} else if (k < 950)
			op_bad(&t, r);
		else {
			t.opname = "page_get_info";
			verify_pfn(&t, r, r->start + rnd(&t, r->nr));
			continue;
		}
		verify_zone(&t, r);
		t.nr_ops++;
	}
	for (unsigned int i = 0; i < cfg->nr_zones; i++) {
		drain_and_offline(&t, &t.rz[i]);
		ref_fini(&t.rz[i]);
	}
	pgr_node_destroy(t.node);
	if (getenv("PGR_TRACE_VERBOSE")) {
		for (unsigned int i = 0; i < 10; i++)
			fprintf(stderr, "  %s %lu", op_names[i], t.nr_by_op[i]);
		fprintf(stderr, "  bad-input %lu\n", t.nr_einval);
	}
	return t.op;
}

static uint64_t base_seed(void)
{
	const char *s = getenv("PGR_SEED");

	return s && *s ? strtoull(s, NULL, 0) : 1;
}

#define NR_CFGS (sizeof(cfgs) / sizeof(cfgs[0]))

/* Loop index i: config i % NR_CFGS with seed PGR_SEED + i / NR_CFGS. */
START_TEST(test_trace_config)
{
	uint64_t seed = base_seed() + (uint64_t)_i / NR_CFGS;
	const struct trace_cfg *cfg = &cfgs[_i % NR_CFGS];
	unsigned long n = run_trace(cfg, seed);

	if (getenv("PGR_TRACE_VERBOSE"))
		fprintf(stderr,
			"check_trace: seed %llu cfg %s: %lu operations\n",
			(unsigned long long)seed, cfg->name, n);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("random");
	unsigned long total = 0;
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_trace_config, 0, NR_CFGS * NR_SEEDS);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (size_t i = 0; i < NR_CFGS; i++)
		total += NR_SEEDS * (cfgs[i].ops / NR_SEEDS);
	printf("check_trace: %lu checked operations over %u seeds from "
	       "PGR_SEED=%llu and %zu configs\n",
	       total, NR_SEEDS, (unsigned long long)base_seed(), NR_CFGS);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
