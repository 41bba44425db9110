// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ALGORITHM.md §6 scenarios specific to Duyck's v11 series (§3), run for
 * v11-boundary and v11-rescan: B1 reported_pages, B2/B3 the boundary and
 * where returned pages land, B4 REQUESTED/refcnt, B5 the HWM trigger, D1
 * the boundary pulled by a merge, D4 cancel and re-trigger, D6 the
 * compaction reset, D7 move_to_free_list of the boundary page, D9
 * __shuffle_zone while ACTIVE, D10 zone offline, D12 the skip-mark option,
 * and the v11-boundary / v11-rescan equivalence.  Interleavings use the
 * probe sink's hook, which runs inside report() with the zone lock dropped
 * (another CPU freeing or compacting while a batch is out).
 *
 * Geometry as in check_scenarios_common.c: orders 9 and 10 are reported,
 * 1024-page regions, frees at orders 9/10 go to the list head, so a list
 * built by freeing a0 ... a11 reads head -> a11 ... a0 and v11 walks it
 * from a0.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers/scenario.h"
#include "reporting/builtins.h"

#define MOV   PGR_MIGRATE_MOVABLE
#define UNMOV PGR_MIGRATE_UNMOVABLE

static struct scn *scn_default(void)
{
	struct scn_opts o;

	memset(&o, 0, sizeof(o));
	return scn_create(&o);
}

static bool zflag(struct scn *s, unsigned int zi, unsigned long f)
{
	return (scn_z(s, zi)->flags & f) != 0;
}

static int refcnt(struct scn *s)
{
	return pgr__v11_refcnt(s->node->rep);
}

/*
 * B1: zone->reported_pages[order - 9] counts PageReported blocks of that
 * order over every migratetype; it is allocated by the first cycle.
 *
 *   x0..x39 (9), r40..r59 (10), filler; then move x0 to UNMOVABLE, take r40
 */
START_TEST(test_v11_reported_pages_counts)
{
	struct scn *s = scn_default();
	struct zone *z = scn_z(s, 0);

	for (unsigned int r = 0; r < 40; r++)
		scn_make_free(s, 0, r, 9, 0);
	for (unsigned int r = 40; r < 60; r++)
		scn_free(s, 0, scn_pfn(s, 0, r), 10);
	scn_filler(s, 0, 64, 8);
	ck_assert_ptr_null(z->reported_pages);
	scn_register(s, (enum pgr_strategy)_i, 16, NULL);
	scn_run(s);
	ck_assert_ptr_nonnull(z->reported_pages);
	ck_assert_uint_eq(z->reported_pages[0], 40);
	ck_assert_uint_eq(z->reported_pages[1], 20);

	scn_set_mt(s, 0, scn_pfn(s, 0, 0), UNMOV);
	scn_take(s, 0, scn_pfn(s, 0, 40), 10);
	ck_assert_uint_eq(z->reported_pages[0], 40);
	ck_assert_uint_eq(z->reported_pages[1], 19);
	for (unsigned int o = 9; o < 11; o++) {
		ck_assert_uint_eq(z->reported_pages[o - 9],
				  scn_count_reported_heads(s, 0, o));
		ck_assert_uint_eq(z->reported_pages[o - 9],
				  scn_nr_reported(s, 0, o));
	}
	scn_destroy(s);
}
END_TEST

/* The expected v11 layout of one list walked in batches of c (B2/B3). */
struct layout_ctx {
	uint64_t a[16]; /* the list before registration, head first */
	unsigned int n, c;
	unsigned int order;
};

/* Batch k: a[n-1-kc], a[n-2-kc], ... (the walk goes tail to head). */
static uint64_t batch_pfn(const struct layout_ctx *l, size_t k, unsigned int i)
{
	return l->a[l->n - 1 - k * l->c - i];
}

static void hook_layout(struct scn *s, const struct pgr_range *r,
			unsigned int n, size_t seq)
{
	struct layout_ctx *l = s->priv;
	uint64_t got[16];
	long len = scn_list(s, 0, l->order, MOV, got, 16);
	unsigned int keep = l->n - (unsigned int)(seq + 1) * l->c, j = 0;

	ck_assert(zflag(s, 0, ZONE_PAGE_REPORTING_ACTIVE));
	ck_assert(zflag(s, 0, ZONE_PAGE_REPORTING_REQUESTED));
	ck_assert_uint_eq(n, l->c);
	for (unsigned int i = 0; i < n; i++)
		ck_assert_uint_eq(r[i].pfn, batch_pfn(l, seq, i));
	/* head -> [unreported a0..] [boundary -> batch seq-1 ... batch 0] */
	ck_assert_int_eq(len, l->n - l->c);
	for (unsigned int i = 0; i < keep; i++)
		ck_assert_uint_eq(got[j++], l->a[i]);
	for (size_t k = seq; k-- > 0;)
		for (unsigned int i = 0; i < l->c; i++)
			ck_assert_uint_eq(got[j++], batch_pfn(l, k, i));
	if (seq == 0)
		ck_assert_uint_eq(scn_boundary_pfn(s, 0, l->order, MOV),
				  UINT64_MAX);
	else
		ck_assert_uint_eq(scn_boundary_pfn(s, 0, l->order, MOV),
				  batch_pfn(l, seq - 1, 0));
}

/*
 * B2/B3: the boundary and where returned pages go.  Twelve order-10
 * blocks, capacity 4:
 *
 *   head -> a0 ... a11                       (a11 freed first = tail)
 *   batch 0 = a11 a10 a9 a8; drained to the tail (boundary = head):
 *   head -> a0..a3 a4..a7 | a11 a10 a9 a8
 *   batch 1 = a7 a6 a5 a4 (walk from the boundary a11 backwards):
 *   head -> a0..a3 [b -> a11 a10 a9 a8]
 *   ...
 *
 * Expect exactly that at every report, and finally every batch back in
 * front of the previous one: head -> a3..a0 a7..a4 a11..a8.  Same for
 * v11-rescan (it re-walks but ends where the boundary was).
 */
START_TEST(test_v11_boundary_layout)
{
	struct scn *s = scn_default();
	struct layout_ctx l;
	uint64_t got[16];
	unsigned int j = 0;

	memset(&l, 0, sizeof(l));
	l.n = 12;
	l.c = 4;
	l.order = 10;
	for (unsigned int r = 0; r < l.n; r++)
		scn_free(s, 0, scn_pfn(s, 0, r), 10);
	scn_filler(s, 0, 64, 8);
	ck_assert_int_eq(scn_list(s, 0, 10, MOV, l.a, 16), l.n);
	s->hook = hook_layout;
	s->priv = &l;
	scn_register(s, (enum pgr_strategy)_i, l.c, NULL);
	scn_run(s);
	ck_assert_uint_eq(s->nr_batches, l.n / l.c);
	ck_assert(!zflag(s, 0, ZONE_PAGE_REPORTING_ACTIVE));
	ck_assert(!zflag(s, 0, ZONE_PAGE_REPORTING_REQUESTED));
	ck_assert_int_eq(scn_list(s, 0, 10, MOV, got, 16), l.n);
	for (size_t k = l.n / l.c; k-- > 0;)
		for (unsigned int i = 0; i < l.c; i++)
			ck_assert_uint_eq(got[j++], batch_pfn(&l, k, i));
	ck_assert_uint_eq(scn_z(s, 0)->reported_pages[1], l.n);
	scn_destroy(s);
}
END_TEST

/*
 * B4: REQUESTED <=> the zone counts in refcnt; refcnt 0 <=> no work.
 * Two zones of 80 regions, nothing free; register (both populated zones
 * request), run (both cancel); then 32 order-10 frees in zone 1, then 32
 * in zone 0.
 *
 * Expect refcnt == number of REQUESTED zones at every step, exactly one
 * piece of work pending while it is > 0, the request at the 32nd free and
 * not the 31st, and both zones reported by one run.
 */
START_TEST(test_v11_requested_refcnt)
{
	struct scn_opts o;
	struct scn *s;

	memset(&o, 0, sizeof(o));
	o.nr_zones = 2;
	o.regions[0] = o.regions[1] = 80;
	s = scn_create(&o);
	scn_filler(s, 0, 70, 8);
	scn_filler(s, 1, 70, 8);
	scn_register(s, (enum pgr_strategy)_i, 32, NULL);
	ck_assert(zflag(s, 0, ZONE_PAGE_REPORTING_REQUESTED));
	ck_assert(zflag(s, 1, ZONE_PAGE_REPORTING_REQUESTED));
	ck_assert_int_eq(refcnt(s), 2);
	ck_assert(pgr_reporting_pending(s->node));
	scn_run(s);
	ck_assert_uint_eq(s->nr_batches, 0);
	ck_assert_int_eq(refcnt(s), 0);
	ck_assert(!zflag(s, 0, ZONE_PAGE_REPORTING_REQUESTED));
	ck_assert(!zflag(s, 1, ZONE_PAGE_REPORTING_REQUESTED));

	for (unsigned int zi = 2; zi-- > 0;) {
		for (unsigned int r = 0; r < 32; r++) {
			ck_assert(!zflag(s, zi, ZONE_PAGE_REPORTING_REQUESTED));
			scn_free(s, zi, scn_pfn(s, zi, r), 10);
		}
		ck_assert(zflag(s, zi, ZONE_PAGE_REPORTING_REQUESTED));
		ck_assert_int_eq(refcnt(s), zi == 1 ? 1 : 2);
		ck_assert(pgr_reporting_pending(s->node));
	}
	scn_advance(s, PGR_V11_DELAY_NS);
	ck_assert(!pgr_reporting_pending(s->node));
	ck_assert_int_eq(refcnt(s), 0);
	ck_assert_uint_eq(scn_z(s, 0)->reported_pages[1], 32);
	ck_assert_uint_eq(scn_z(s, 1)->reported_pages[1], 32);
	ck_assert_uint_eq(scn_stats(s).passes, 2);
	scn_destroy(s);
}
END_TEST

/*
 * B5: the trigger: an ordinary free whose final order is >= 9, REQUESTED
 * clear, and nr_free[order] >= 32 + reported[order].
 *
 *   regions 0..63 split into two allocated order-9 halves; free the lower
 *   halves one by one (never merging), filler for the watermark
 *
 * Expect the first request at the 32nd free; after those 32 are reported
 * the next request only at nr_free[9] == 64 = 32 + 32 reported.
 */
START_TEST(test_v11_trigger_threshold)
{
	struct scn *s = scn_default();
	struct zone *z = scn_z(s, 0);

	for (unsigned int r = 0; r < 64; r++)
		scn_split_alloc(s, 0, r, 9);
	scn_filler(s, 0, 100, 8);
	scn_register(s, (enum pgr_strategy)_i, 32, NULL);
	scn_run(s);
	ck_assert_uint_eq(s->nr_batches, 0);
	for (unsigned int round = 0; round < 2; round++) {
		for (unsigned int r = 32 * round; r < 32 * round + 32; r++) {
			ck_assert(!zflag(s, 0, ZONE_PAGE_REPORTING_REQUESTED));
			ck_assert(!pgr_reporting_pending(s->node));
			scn_free(s, 0, scn_pfn(s, 0, r), 9);
		}
		ck_assert(zflag(s, 0, ZONE_PAGE_REPORTING_REQUESTED));
		ck_assert(pgr_reporting_pending(s->node));
		scn_run(s);
		ck_assert_uint_eq(z->reported_pages[0], 32 * (round + 1));
	}
	ck_assert_uint_eq(s->nr_batches, 2);
	scn_destroy(s);
}
END_TEST

static void hook_free_buddy(struct scn *s, const struct pgr_range *r,
			    unsigned int n, size_t seq)
{
	(void)n;
	(void)seq;
	/* the last (partial) batch: the cancel already cleared REQUESTED */
	ck_assert(!zflag(s, 0, ZONE_PAGE_REPORTING_REQUESTED));
	scn_free(s, 0, r[0].pfn + 512, 9);
	ck_assert(!zflag(s, 0, ZONE_PAGE_REPORTING_REQUESTED));
}

/*
 * B5: returned pages never notify (free_reported_page passes reported =
 * true), even when the merge they cause would qualify.
 *
 *   r0..r39 free on ISOLATE lists: nr_free[10] = 40 >= 32, never reported
 *   x40 (9) reported alone; while it is out its buddy y40 is freed
 *   drain: x40 + y40 -> order-10 block (would qualify: 41 >= 32 + 0)
 *
 * Expect no request from the drain; an ordinary order-10 free afterwards
 * does request (the control).
 */
START_TEST(test_v11_trigger_not_on_drain)
{
	struct scn *s = scn_default();
	uint64_t req;
	uint64_t x;

	ck_assert_int_eq(pgr_isolate_range(scn_pz(s, 0), scn_pfn(s, 0, 0),
					   40 * SCN_REGION),
			 0);
	for (unsigned int r = 0; r < 40; r++)
		scn_free(s, 0, scn_pfn(s, 0, r), 10);
	x = scn_make_free(s, 0, 40, 9, 0);
	scn_filler(s, 0, 64, 8);
	s->hook = hook_free_buddy;
	scn_register(s, (enum pgr_strategy)_i, 32, NULL);
	scn_run(s);
	ck_assert_uint_eq(s->nr_batches, 1);
	ck_assert_uint_eq(s->batches[0].r[0].pfn, x);
	ck_assert(scn_is_free(s, 0, x, 10));
	ck_assert(!scn_info(s, 0, x).reported);
	ck_assert(!zflag(s, 0, ZONE_PAGE_REPORTING_REQUESTED));
	ck_assert(!pgr_reporting_pending(s->node));
	ck_assert_int_eq(refcnt(s), 0);
	req = scn_stats(s).requests;

	scn_free(s, 0, scn_pfn(s, 0, 41), 10);
	ck_assert(zflag(s, 0, ZONE_PAGE_REPORTING_REQUESTED));
	ck_assert(pgr_reporting_pending(s->node));
	ck_assert_uint_eq(scn_stats(s).requests, req + 1);
	scn_destroy(s);
}
END_TEST

struct boundary_ctx {
	uint64_t first[PGR_REPORTING_CAPACITY]; /* batch 0 */
	unsigned int n;
	int what;
};

enum { PULL_MERGE, PULL_MOVE, COMPACT };

static void hook_pull(struct scn *s, const struct pgr_range *r, unsigned int n,
		      size_t seq)
{
	struct boundary_ctx *c = s->priv;
	struct zone *z = scn_z(s, 0);
	unsigned int o = r[0].order;

	if (seq == 0) {
		for (unsigned int i = 0; i < n; i++)
			c->first[i] = r[i].pfn;
		c->n = n;
		return;
	}
	if (seq != 1)
		return;
	/* batch 0 was drained in front of the old boundary and absorbed */
	ck_assert_uint_eq(scn_boundary_pfn(s, 0, o, MOV), c->first[0]);
	switch (c->what) {
	case PULL_MERGE:
		/* D1: freeing the boundary page's buddy merges it away */
		scn_free(s, 0, c->first[0] + 512, 9);
		ck_assert(scn_is_free(s, 0, c->first[0], 10));
		ck_assert(!scn_info(s, 0, c->first[0]).reported);
		ck_assert_uint_eq(scn_boundary_pfn(s, 0, 9, MOV), c->first[1]);
		ck_assert_uint_eq(z->reported_pages[0], c->n - 1);
		break;
	case PULL_MOVE:
		/* D7: a pageblock steal moves the boundary page away */
		scn_set_mt(s, 0, c->first[0], UNMOV);
		ck_assert_uint_eq(scn_boundary_pfn(s, 0, 9, MOV), c->first[1]);
		ck_assert(scn_is_reported(s, 0, c->first[0], 9));
		ck_assert_int_eq(scn_list_pos(s, 0, 9, UNMOV, c->first[0]), 0);
		ck_assert_uint_eq(z->reported_pages[0], c->n);
		break;
	case COMPACT:
		/* D6: compaction resets the boundary, then rotates */
		ck_assert_int_eq(
			pgr_zone_compact_rotate(scn_pz(s, 0), 10, c->first[2]),
			0);
		ck_assert_uint_eq(scn_boundary_pfn(s, 0, 10, MOV), UINT64_MAX);
		ck_assert_int_eq(scn_list_pos(s, 0, 10, MOV, c->first[2]), 0);
		ck_assert_uint_eq(z->reported_pages[1], c->n);
		break;
	}
	scn_check(s);
	scn_check_boundaries(s, 0);
}

/*
 * D1 (v11): a merge removes the boundary page.  Twelve order-9 blocks,
 * capacity 4; during batch 1 the boundary is batch 0's first block b0:
 *
 *   head -> ... [b -> b0 b1 b2 b3]    free b0's buddy
 *   head -> ... [b -> b1 b2 b3]       (10, MOVABLE): b0|buddy, unreported
 *
 * Expect the boundary on b1, reported_pages[0] - 1, and the merged block
 * reported by a later fill of the same run (fills restart at order 10).
 */
START_TEST(test_v11_merge_pulls_boundary)
{
	struct scn *s = scn_default();
	struct boundary_ctx c = { .what = PULL_MERGE };

	for (unsigned int r = 0; r < 12; r++)
		scn_make_free(s, 0, r, 9, 0);
	scn_filler(s, 0, 64, 8);
	s->hook = hook_pull;
	s->priv = &c;
	scn_register(s, (enum pgr_strategy)_i, 4, NULL);
	scn_run(s);
	ck_assert_uint_eq(c.n, 4);
	ck_assert(scn_is_reported(s, 0, c.first[0], 10));
	ck_assert_uint_eq(scn_times_reported(s, 0, c.first[0], 10), 1);
	ck_assert_uint_eq(scn_z(s, 0)->reported_pages[0], 11);
	ck_assert_uint_eq(scn_z(s, 0)->reported_pages[1], 1);
	ck_assert(scn_all_reported(s, 0));
	scn_destroy(s);
}
END_TEST

/*
 * D7: move_to_free_list of the boundary page (pageblock steal): as above,
 * but b0's pageblock becomes UNMOVABLE during batch 1.
 *
 * Expect the boundary on b1, b0 still Reported at the head of
 * (9, UNMOVABLE), the count unchanged, b0 never reported again.
 */
START_TEST(test_v11_move_boundary_page)
{
	struct scn *s = scn_default();
	struct boundary_ctx c = { .what = PULL_MOVE };

	for (unsigned int r = 0; r < 12; r++)
		scn_make_free(s, 0, r, 9, 0);
	scn_filler(s, 0, 64, 8);
	s->hook = hook_pull;
	s->priv = &c;
	scn_register(s, (enum pgr_strategy)_i, 4, NULL);
	scn_run(s);
	ck_assert(scn_is_reported(s, 0, c.first[0], 9));
	ck_assert_int_ge(scn_list_pos(s, 0, 9, UNMOV, c.first[0]), 0);
	ck_assert_int_eq(pgr_pageblock_migratetype(scn_pz(s, 0), c.first[0]),
			 UNMOV);
	ck_assert_uint_eq(scn_times_reported(s, 0, c.first[0], 9), 1);
	ck_assert_uint_eq(scn_z(s, 0)->reported_pages[0], 12);
	ck_assert(scn_all_reported(s, 0));
	scn_destroy(s);
}
END_TEST

/*
 * D6: compaction (page_reporting_free_area_release + move_freelist_head)
 * during batch 1 of twelve order-10 blocks a0..a11, capacity 4; batch 0 =
 * a11 a10 a9 a8, rotate to a9:
 *
 *   head -> a0..a3 [b -> a11 a10 a9 a8]      (a4..a7 out)
 *   head -> a9 a8 a0 a1 a2 a3 a11 a10        b = head
 *   drain a7..a4 to the tail; the next walk absorbs a4..a7, a10, a11 and
 *   takes a3..a0; the last walk absorbs a0..a3, a8, a9
 *
 * Expect counts unchanged by the reset, every block reported once, and
 * the final list  head -> a9 a8 a3 a2 a1 a0 a11 a10 a7 a6 a5 a4.
 */
START_TEST(test_v11_compaction_reset)
{
	struct scn *s = scn_default();
	struct boundary_ctx c = { .what = COMPACT };
	uint64_t a[12], got[12];
	static const int want[12] = { 9, 8, 3, 2, 1, 0, 11, 10, 7, 6, 5, 4 };

	for (unsigned int r = 0; r < 12; r++)
		scn_free(s, 0, scn_pfn(s, 0, r), 10);
	scn_filler(s, 0, 64, 8);
	ck_assert_int_eq(scn_list(s, 0, 10, MOV, a, 12), 12);
	s->hook = hook_pull;
	s->priv = &c;
	scn_register(s, (enum pgr_strategy)_i, 4, NULL);
	scn_run(s);
	ck_assert_uint_eq(c.first[2], a[9]);
	ck_assert_uint_eq(s->nr_batches, 3);
	for (unsigned int r = 0; r < 12; r++)
		ck_assert_uint_eq(scn_times_reported(s, 0, a[r], 10), 1);
	ck_assert_int_eq(scn_list(s, 0, 10, MOV, got, 12), 12);
	for (unsigned int i = 0; i < 12; i++)
		ck_assert_uint_eq(got[i], a[want[i]]);
	ck_assert_uint_eq(scn_z(s, 0)->reported_pages[1], 12);
	ck_assert_uint_ge(scn_counter(s, "boundary_resets"), 1);
	scn_destroy(s);
}
END_TEST

/*
 * D4 (v11): if every isolation fails the request is cancelled, and it
 * re-triggers on the next qualifying free.
 *
 *   x0..x32 free (16896 pages), min = 16896: isolation needs > min + 512
 *   free x33, x34 (nr_free[9] = 34 >= 32: request); 17920 free pages
 *
 * Expect no batch and no request left after the first run; after the
 * frees exactly one block (x0, the list tail) reported, the second
 * isolation failing.
 */
START_TEST(test_v11_isolation_fail_cancels)
{
	struct scn_opts o;
	struct scn *s;

	memset(&o, 0, sizeof(o));
	o.wmark[0][PGR_WMARK_MIN] = 33 * 512;
	o.wmark[0][PGR_WMARK_LOW] = 33 * 512 + 1;
	o.wmark[0][PGR_WMARK_HIGH] = 33 * 512 + 2;
	s = scn_create(&o);
	for (unsigned int r = 0; r < 33; r++)
		scn_make_free(s, 0, r, 9, 0);
	scn_split_alloc(s, 0, 33, 9);
	scn_split_alloc(s, 0, 34, 9);
	scn_register(s, (enum pgr_strategy)_i, 32, NULL);
	scn_run(s);
	ck_assert_uint_eq(s->nr_batches, 0);
	ck_assert_uint_eq(scn_stats(s).isolate_failures, 1);
	ck_assert(!zflag(s, 0, ZONE_PAGE_REPORTING_REQUESTED));
	ck_assert_int_eq(refcnt(s), 0);

	scn_free(s, 0, scn_pfn(s, 0, 33), 9);
	ck_assert(pgr_reporting_pending(s->node));
	scn_free(s, 0, scn_pfn(s, 0, 34), 9);
	scn_run(s);
	ck_assert_uint_eq(s->nr_batches, 1);
	ck_assert_uint_eq(s->batches[0].n, 1);
	ck_assert_uint_eq(s->batches[0].r[0].pfn, scn_pfn(s, 0, 0));
	ck_assert_uint_eq(scn_stats(s).isolate_failures, 2);
	ck_assert_uint_eq(scn_z(s, 0)->reported_pages[0], 1);
	scn_destroy(s);
}
END_TEST

/*
 * D10: zone offline frees reported_pages (NULL); the notify path then adds
 * 0, the next cycle allocates it again.  Zone 1: 64 free order-10 blocks.
 *
 * Expect: reported, offline -> NULL; re-populate requests at the 32nd
 * order-10 free and everything is reported again; offline while a
 * request is pending -> the work finds nothing and cancels.
 */
START_TEST(test_v11_zone_offline)
{
	struct scn_opts o;
	struct scn *s;
	struct zone *z1;

	memset(&o, 0, sizeof(o));
	o.nr_zones = 2;
	o.regions[0] = 16;
	o.regions[1] = 64;
	s = scn_create(&o);
	z1 = scn_z(s, 1);
	for (unsigned int r = 0; r < 64; r++)
		scn_free(s, 1, scn_pfn(s, 1, r), 10);
	scn_register(s, (enum pgr_strategy)_i, 32, NULL);
	scn_run(s);
	ck_assert_ptr_nonnull(z1->reported_pages);
	ck_assert_uint_eq(z1->reported_pages[1], 64);

	ck_assert_int_eq(pgr_zone_offline(scn_pz(s, 1)), 0);
	scn_check(s);
	ck_assert_ptr_null(z1->reported_pages);
	ck_assert_uint_eq(scn_nr_reported(s, 1, 10), 0);

	ck_assert_int_eq(pgr_zone_populate(scn_pz(s, 1)), 0);
	scn_check(s);
	ck_assert(zflag(s, 1, ZONE_PAGE_REPORTING_REQUESTED));
	ck_assert(pgr_reporting_pending(s->node));
	scn_reset_batches(s);
	scn_run(s);
	ck_assert_ptr_nonnull(z1->reported_pages);
	ck_assert_uint_eq(z1->reported_pages[1], 64);
	ck_assert(scn_all_reported(s, 1));

	/* offline with the request pending */
	ck_assert_int_eq(pgr_zone_offline(scn_pz(s, 1)), 0);
	ck_assert_int_eq(pgr_zone_populate(scn_pz(s, 1)), 0);
	ck_assert(zflag(s, 1, ZONE_PAGE_REPORTING_REQUESTED));
	ck_assert_int_eq(pgr_zone_offline(scn_pz(s, 1)), 0);
	scn_check(s);
	scn_reset_batches(s);
	scn_run(s);
	ck_assert_uint_eq(s->nr_batches, 0);
	ck_assert(!zflag(s, 1, ZONE_PAGE_REPORTING_REQUESTED));
	ck_assert_int_eq(refcnt(s), 0);
	scn_destroy(s);
}
END_TEST

/*
 * D12 option: the parameter skip_mark_on_error leaves a failed batch unmarked;
 * it goes back in front of the boundary (here the real tail) and the next
 * fill takes it again, tail first, i.e. in reverse.  x0..x39, capacity 32.
 *
 * Expect batch 1 = batch 0 reversed, those 32 reported twice, all marked.
 */
START_TEST(test_v11_skip_mark_on_error_option)
{
	struct scn *s = scn_default();
	struct pgr_reporting_config cfg;
	struct pgr_param skip = { .name = "skip_mark_on_error", .text = "yes" };

	memset(&cfg, 0, sizeof(cfg));
	cfg.params = &skip;
	cfg.nr_params = 1;
	for (unsigned int r = 0; r < 40; r++)
		scn_make_free(s, 0, r, 9, 0);
	scn_filler(s, 0, 64, 8);
	s->fail_nth = 1;
	scn_register(s, (enum pgr_strategy)_i, 32, &cfg);
	scn_run(s);
	ck_assert_uint_eq(s->nr_batches, 3);
	ck_assert_int_eq(s->batches[0].ret, -EIO);
	ck_assert_uint_eq(s->batches[1].n, 32);
	for (unsigned int i = 0; i < 32; i++)
		ck_assert_uint_eq(s->batches[1].r[i].pfn,
				  s->batches[0].r[31 - i].pfn);
	ck_assert_uint_eq(s->batches[2].n, 8);
	ck_assert_uint_eq(scn_stats(s).blocks_marked, 40);
	ck_assert_uint_eq(scn_z(s, 0)->reported_pages[0], 40);
	ck_assert(scn_all_reported(s, 0));
	scn_destroy(s);
}
END_TEST

static void hook_zone_shuffle(struct scn *s, const struct pgr_range *r,
			      unsigned int n, size_t seq)
{
	(void)r;
	(void)n;
	if (seq == 2) {
		ck_assert(zflag(s, 0, ZONE_PAGE_REPORTING_ACTIVE));
		ck_assert_int_eq(pgr_zone_shuffle(scn_pz(s, 0)), 0);
		scn_check(s);
	}
}

/*
 * D9 (v11): __shuffle_zone while ACTIVE may put an unreported order-10
 * block behind a boundary (kernel behaviour, kept; see v11.c).  40
 * order-10 blocks, capacity 4, shuffle during batch 2.
 *
 * Expect the run to end, counts to match the flags, and a whole-zone
 * reset (the next registration's request) to report whatever was left.
 */
START_TEST(test_v11_zone_shuffle_while_active)
{
	struct scn_opts o;
	struct scn *s;

	memset(&o, 0, sizeof(o));
	o.shuffle = true;
	s = scn_create(&o);
	for (unsigned int r = 0; r < 40; r++)
		scn_free(s, 0, scn_pfn(s, 0, r), 10);
	scn_filler(s, 0, 64, 8);
	s->hook = hook_zone_shuffle;
	scn_register(s, (enum pgr_strategy)_i, 4, NULL);
	scn_run(s);
	ck_assert_uint_ge(s->nr_batches, 3);
	ck_assert_uint_eq(scn_z(s, 0)->reported_pages[1],
			  scn_count_reported_heads(s, 0, 10));
	s->hook = NULL;
	scn_unregister(s);
	scn_register(s, s->strategy, 4, NULL);
	scn_run(s);
	ck_assert(scn_all_reported(s, 0));
	ck_assert_uint_eq(scn_z(s, 0)->reported_pages[1], 40);
	scn_destroy(s);
}
END_TEST

static struct scn *equivalence_run(enum pgr_strategy st)
{
	struct scn *s = scn_default();

	for (unsigned int r = 0; r < 30; r++)
		scn_free(s, 0, scn_pfn(s, 0, r), 10);
	for (unsigned int r = 30; r < 60; r++) {
		scn_make_free(s, 0, r, 9, r % 2);
		if (r % 3 == 0)
			scn_set_mt(s, 0, scn_pfn(s, 0, r) + 512 * (r % 2),
				   UNMOV);
	}
	scn_filler(s, 0, 64, 8);
	scn_register(s, st, 4, NULL);
	scn_run(s);
	return s;
}

/*
 * v11-boundary and v11-rescan pick the same pages in the same batches
 * (ARCHITECTURE.md principle 2); rescan re-walks the reported tails.
 * 30 order-10 + 30 order-9 blocks on two lists, capacity 4 (15 batches).
 *
 * Expect identical batches and strictly more nodes visited by rescan.
 */
START_TEST(test_v11_boundary_rescan_equivalent)
{
	struct scn *a = equivalence_run(PGR_STRATEGY_V11_BOUNDARY);
	struct scn *b = equivalence_run(PGR_STRATEGY_V11_RESCAN);

	ck_assert_uint_eq(a->nr_batches, 15);
	ck_assert_uint_eq(a->nr_batches, b->nr_batches);
	for (size_t i = 0; i < a->nr_batches; i++) {
		ck_assert_uint_eq(a->batches[i].n, b->batches[i].n);
		ck_assert_mem_eq(a->batches[i].r, b->batches[i].r,
				 a->batches[i].n * sizeof(struct pgr_range));
	}
	ck_assert_uint_gt(scn_stats(b).nodes_visited,
			  scn_stats(a).nodes_visited);
	scn_destroy(a);
	scn_destroy(b);
}
END_TEST

static Suite *scenarios_v11_suite(void)
{
	Suite *s = suite_create("scenarios_v11");
	TCase *tc = tcase_create("v11");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_v11_reported_pages_counts, SCN_V11_START,
			    SCN_V11_END);
	tcase_add_loop_test(tc, test_v11_boundary_layout, SCN_V11_START,
			    SCN_V11_END);
	tcase_add_loop_test(tc, test_v11_requested_refcnt, SCN_V11_START,
			    SCN_V11_END);
	tcase_add_loop_test(tc, test_v11_trigger_threshold, SCN_V11_START,
			    SCN_V11_END);
	tcase_add_loop_test(tc, test_v11_trigger_not_on_drain, SCN_V11_START,
			    SCN_V11_END);
	tcase_add_loop_test(tc, test_v11_merge_pulls_boundary, SCN_V11_START,
			    SCN_V11_END);
	tcase_add_loop_test(tc, test_v11_move_boundary_page, SCN_V11_START,
			    SCN_V11_END);
	tcase_add_loop_test(tc, test_v11_compaction_reset, SCN_V11_START,
			    SCN_V11_END);
	tcase_add_loop_test(tc, test_v11_isolation_fail_cancels, SCN_V11_START,
			    SCN_V11_END);
	tcase_add_loop_test(tc, test_v11_zone_offline, SCN_V11_START,
			    SCN_V11_END);
	tcase_add_loop_test(tc, test_v11_skip_mark_on_error_option,
			    SCN_V11_START, SCN_V11_END);
	tcase_add_loop_test(tc, test_v11_zone_shuffle_while_active,
			    SCN_V11_START, SCN_V11_END);
	tcase_add_test(tc, test_v11_boundary_rescan_equivalent);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return scn_main(scenarios_v11_suite());
}
