// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ALGORITHM.md §6 scenarios specific to the Linux 5.7 design (§4,
 * mm/page_reporting.c): C2 the IDLE/REQUESTED/ACTIVE state machine and its
 * 2 s delayed work, C3 the per-list budget of DIV_ROUND_UP(nr_free,
 * capacity * 16) report calls (+1), C4 list_rotate_to_front after a full
 * batch and after an early exit, D4 rotation on an isolation failure, D11
 * unregistering between passes, D12 an error ending the pass for every
 * zone, and the 5.10 FPI_TO_TAIL option.
 *
 * Geometry as in check_scenarios_common.c.  Frees and returns at orders 9
 * and 10 go to the list head (buddy_merge_likely is false there), the
 * scatterlist is filled from its end, so a batch lists its blocks in the
 * reverse of the order they were isolated.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers/scenario.h"

#define MOV   PGR_MIGRATE_MOVABLE
#define UP    PGR_STRATEGY_UPSTREAM
#define DELAY PGR_UPSTREAM_DELAY_NS

static struct scn *scn_default(void)
{
	struct scn_opts o;

	memset(&o, 0, sizeof(o));
	return scn_create(&o);
}

/* x0..x(nr-1): the lower order-9 half of regions 0..nr-1. */
static void make_order9(struct scn *s, unsigned int nr)
{
	for (unsigned int r = 0; r < nr; r++)
		scn_make_free(s, 0, r, 9, 0);
}

/* Expect the list to be the concatenation of a[lo, hi) slices. */
static void expect_list(struct scn *s, unsigned int order, const uint64_t *a,
			const unsigned int (*slices)[2], unsigned int nr_slices)
{
	static uint64_t got[SCN_MAX_LIST];
	long len = scn_list(s, 0, order, MOV, got, SCN_MAX_LIST);
	long j = 0;

	for (unsigned int k = 0; k < nr_slices; k++)
		for (unsigned int i = slices[k][0]; i < slices[k][1]; i++) {
			ck_assert_int_lt(j, len);
			ck_assert_msg(got[j] == a[i],
				      "list pos %ld: pfn %#" PRIx64
				      ", want a%u (%#" PRIx64 ")",
				      j, got[j], i, a[i]);
			j++;
		}
	ck_assert_int_eq(j, len);
}

struct c2_ctx {
	bool armed;
	uint64_t pfn;
};

static void hook_free_once(struct scn *s, const struct pgr_range *r,
			   unsigned int n, size_t seq)
{
	struct c2_ctx *c = s->priv;

	(void)r;
	(void)n;
	(void)seq;
	if (!c->armed)
		return;
	c->armed = false;
	scn_free(s, 0, c->pfn, 9);
}

/*
 * C2: at most one delayed work; it is scheduled only on IDLE -> REQUESTED
 * or at the end of a pass that finds REQUESTED (a free while ACTIVE).
 *
 *   t=0   register (request) + free x60 (already REQUESTED)
 *   t=2s  pass 1: x0..x39, x60; idle afterwards
 *   free x61 -> pass 2 exactly 2 s later; during it x62 is freed
 *   -> pass 3 2 s after pass 2, reporting x62
 */
START_TEST(test_upstream_state_machine)
{
	struct scn *s = scn_default();
	struct c2_ctx c = { false, 0 };

	make_order9(s, 40);
	for (unsigned int r = 60; r < 63; r++)
		scn_split_alloc(s, 0, r, 9);
	s->hook = hook_free_once;
	s->priv = &c;
	scn_register(s, UP, 32, NULL);
	ck_assert(pgr_reporting_pending(s->node));
	scn_free(s, 0, scn_pfn(s, 0, 60), 9);
	scn_advance(s, DELAY - 1);
	ck_assert_uint_eq(scn_stats(s).passes, 0);
	scn_advance(s, 1);
	ck_assert_uint_eq(scn_stats(s).passes, 1);
	ck_assert(!pgr_reporting_pending(s->node));
	ck_assert_uint_eq(scn_nr_reported(s, 0, 9), 41);

	scn_advance(s, 5 * DELAY);
	ck_assert_uint_eq(scn_stats(s).passes, 1);
	scn_free(s, 0, scn_pfn(s, 0, 61), 9);
	ck_assert(pgr_reporting_pending(s->node));
	c.armed = true;
	c.pfn = scn_pfn(s, 0, 62);
	scn_advance(s, DELAY - 1);
	ck_assert_uint_eq(scn_stats(s).passes, 1);
	scn_advance(s, 1);
	ck_assert_uint_eq(scn_stats(s).passes, 2);
	ck_assert(!c.armed);
	ck_assert(scn_is_reported(s, 0, scn_pfn(s, 0, 61), 9));
	ck_assert(!scn_info(s, 0, c.pfn).reported);
	ck_assert(pgr_reporting_pending(s->node));
	scn_advance(s, DELAY - 1);
	ck_assert_uint_eq(scn_stats(s).passes, 2);
	scn_advance(s, 1);
	ck_assert_uint_eq(scn_stats(s).passes, 3);
	ck_assert(scn_is_reported(s, 0, c.pfn, 9));
	ck_assert(!pgr_reporting_pending(s->node));
	ck_assert_uint_eq(scn_times_reported(s, 0, c.pfn, 9), 1);
	scn_destroy(s);
}
END_TEST

/*
 * C3: the budget.  One list of 100 order-9 blocks, capacity c:
 * B = DIV_ROUND_UP(100, 16c) and each pass makes at most B + 1 report
 * calls on it (the check "budget < 0" comes before the next report), so
 * a pass reports min(left, c (B + 1)) blocks and re-requests while some
 * are left.  c = 32: batches 32 32 | 32 4 (2 passes); c = 4: twelve per
 * pass, nine passes.
 *
 * Expect exactly those batch sizes per pass (grouped by the engine clock).
 */
START_TEST(test_upstream_budget)
{
	static const unsigned int caps[] = { 32, 4 };
	const unsigned int cap = caps[_i], nr = 100;
	const unsigned int budget = (nr + 16 * cap - 1) / (16 * cap);
	const unsigned int per_pass = cap * (budget + 1);
	const unsigned int passes = (nr + per_pass - 1) / per_pass;
	struct scn *s = scn_default();
	uint64_t t0;
	size_t b = 0;

	make_order9(s, nr);
	scn_register(s, UP, cap, NULL);
	t0 = pgr_reporting_now(s->node);
	scn_run(s);
	for (unsigned int p = 1; p <= passes; p++) {
		unsigned int left = nr - (p - 1) * per_pass;
		unsigned int blocks = left < per_pass ? left : per_pass;

		while (blocks) {
			unsigned int want = blocks < cap ? blocks : cap;

			ck_assert_uint_lt(b, s->nr_batches);
			ck_assert_uint_eq(s->batches[b].time_ns - t0,
					  (uint64_t)p * DELAY);
			ck_assert_uint_eq(s->batches[b].n, want);
			blocks -= want;
			b++;
		}
	}
	ck_assert_uint_eq(b, s->nr_batches);
	ck_assert_uint_eq(scn_stats(s).passes, passes);
	ck_assert_uint_eq(scn_counter(s, "budget_exhausted"), passes - 1);
	ck_assert_uint_eq(scn_nr_reported(s, 0, 9), nr);
	scn_destroy(s);
}
END_TEST

struct rot_ctx {
	const uint64_t *a;
};

static void hook_rotation(struct scn *s, const struct pgr_range *r,
			  unsigned int n, size_t seq)
{
	struct rot_ctx *c = s->priv;
	/* the list while batch seq is out, as slices of a[] */
	static const unsigned int before[4][3][2] = {
		{ { 32, 100 } },
		{ { 64, 100 }, { 0, 32 } },
		{ { 96, 100 }, { 0, 64 } },
		{ { 64, 96 }, { 0, 64 } },
	};
	static const unsigned int nr_slices[4] = { 1, 2, 2, 2 };
	/* batch seq holds a[hi-1] .. a[lo] (the sgl is filled from its end) */
	static const unsigned int batch[4][2] = {
		{ 0, 32 }, { 32, 64 }, { 64, 96 }, { 96, 100 }
	};

	ck_assert_uint_lt(seq, 4);
	ck_assert_uint_eq(n, batch[seq][1] - batch[seq][0]);
	for (unsigned int i = 0; i < n; i++)
		ck_assert_uint_eq(r[i].pfn, c->a[batch[seq][1] - 1 - i]);
	expect_list(s, 9, c->a, before[seq], nr_slices[seq]);
}

/*
 * C4: rotation.  100 order-9 blocks, capacity 32, head -> a0 ... a99.
 *
 * pass 1: a0..a31 out; a32 is already first, report; drained to the head
 *   -> a0..a31 a32..a99; skip a0..a31, a32..a63 out; at a64: rotate it to
 *   the front (a64..a99 a0..a31), report; drained to the head; budget
 *   gone at a64: rotate it to the front again:
 *   -> a64..a99 a0..a31 a32..a63
 * pass 2: a64..a95 out (a96 first), report; a96..a99 out, list ends (no
 *   rotation), leftover report:  -> a96..a99 a64..a95 a0..a63
 */
START_TEST(test_upstream_rotation)
{
	struct scn *s = scn_default();
	static uint64_t a[100];
	struct rot_ctx c = { a };
	static const unsigned int after1[3][2] = { { 64, 100 },
						   { 0, 32 },
						   { 32, 64 } };
	static const unsigned int after2[3][2] = { { 96, 100 },
						   { 64, 96 },
						   { 0, 64 } };

	make_order9(s, 100);
	ck_assert_int_eq(scn_list(s, 0, 9, MOV, a, 100), 100);
	s->hook = hook_rotation;
	s->priv = &c;
	scn_register(s, UP, 32, NULL);
	scn_advance(s, DELAY);
	ck_assert_uint_eq(s->nr_batches, 2);
	ck_assert(pgr_reporting_pending(s->node));
	expect_list(s, 9, a, after1, 3);
	scn_advance(s, DELAY);
	ck_assert_uint_eq(s->nr_batches, 4);
	ck_assert(!pgr_reporting_pending(s->node));
	expect_list(s, 9, a, after2, 3);
	ck_assert(scn_all_reported(s, 0));
	scn_destroy(s);
}
END_TEST

/*
 * D4 (upstream): an isolation failure ends the cycle and rotates the
 * failing page to the head.  r0..r39 (head -> a0 ... a39), min 24063, low
 * 24064: isolation needs free > 25087, so 16 blocks per pass.
 *
 * pass 1: a0..a15 out, a16 fails (already first), leftover report
 *   -> a0..a15 (Reported) a16..a39
 * free x40 (order 9): pass 2 takes x40, skips a0..a15, a16..a31 out, a32
 *   fails and is rotated to the front:  -> a16..a31 a32..a39 a0..a15
 *   with the batch a31..a16 x40
 */
START_TEST(test_upstream_isolation_fail_rotates)
{
	struct scn_opts o;
	struct scn *s;
	static uint64_t a[40];
	static const unsigned int after1[2][2] = { { 0, 16 }, { 16, 40 } };
	static const unsigned int after2[3][2] = { { 16, 32 },
						   { 32, 40 },
						   { 0, 16 } };
	uint64_t x;

	memset(&o, 0, sizeof(o));
	o.wmark[0][PGR_WMARK_MIN] = 24063;
	o.wmark[0][PGR_WMARK_LOW] = 24064;
	o.wmark[0][PGR_WMARK_HIGH] = 24065;
	s = scn_create(&o);
	for (unsigned int r = 0; r < 40; r++)
		scn_free(s, 0, scn_pfn(s, 0, r), 10);
	scn_split_alloc(s, 0, 40, 9);
	ck_assert_int_eq(scn_list(s, 0, 10, MOV, a, 40), 40);
	scn_register(s, UP, 32, NULL);
	scn_run(s);
	expect_list(s, 10, a, after1, 2);
	ck_assert_uint_eq(scn_stats(s).isolate_failures, 1);

	x = scn_pfn(s, 0, 40);
	scn_free(s, 0, x, 9);
	ck_assert(pgr_reporting_pending(s->node));
	scn_run(s);
	ck_assert_uint_eq(s->nr_batches, 2);
	ck_assert_uint_eq(s->batches[1].n, 17);
	for (unsigned int i = 0; i < 16; i++)
		ck_assert_uint_eq(s->batches[1].r[i].pfn, a[31 - i]);
	ck_assert_uint_eq(s->batches[1].r[16].pfn, x);
	expect_list(s, 10, a, after2, 3);
	ck_assert_uint_eq(scn_stats(s).isolate_failures, 2);
	ck_assert(scn_is_reported(s, 0, x, 9));
	scn_destroy(s);
}
END_TEST

/*
 * D11 (upstream): unregister between passes.  100 order-9 blocks, capacity
 * 32: device A's pass 1 reports 64 and re-requests; unregister A cancels
 * the work; device B's first pass (2 s after registering) reports the
 * other 36, and nothing twice.
 */
START_TEST(test_upstream_unregister_between_passes)
{
	struct scn *s = scn_default();
	size_t a_batches;

	make_order9(s, 100);
	scn_register(s, UP, 32, NULL);
	scn_advance(s, DELAY);
	ck_assert(pgr_reporting_pending(s->node));
	ck_assert_uint_eq(scn_nr_reported(s, 0, 9), 64);
	a_batches = s->nr_batches;
	scn_unregister(s);
	ck_assert(!pgr_reporting_pending(s->node));
	ck_assert_uint_eq(scn_nr_reported(s, 0, 9), 64);
	scn_register(s, UP, 32, NULL);
	scn_run(s);
	ck_assert_uint_eq(s->nr_batches, a_batches + 2);
	ck_assert_uint_eq(s->batches[a_batches].n, 32);
	ck_assert_uint_eq(s->batches[a_batches + 1].n, 4);
	for (unsigned int r = 0; r < 100; r++)
		ck_assert_uint_eq(scn_times_reported(s, 0, scn_pfn(s, 0, r), 9),
				  1);
	ck_assert_uint_eq(scn_nr_reported(s, 0, 9), 100);
	scn_destroy(s);
}
END_TEST

/*
 * D12 (upstream): an error ends the pass for every zone.  Two zones with
 * 40 order-9 blocks each, the first report (zone 0) fails.
 *
 * Expect zone 1 untouched by that pass, nothing marked, no reschedule;
 * a later free in zone 1 brings a pass that reports both zones, with no
 * batch mixing zones.
 */
START_TEST(test_upstream_error_ends_pass)
{
	struct scn_opts o;
	struct scn *s;

	memset(&o, 0, sizeof(o));
	o.nr_zones = 2;
	o.regions[0] = o.regions[1] = 64;
	s = scn_create(&o);
	for (unsigned int zi = 0; zi < 2; zi++)
		for (unsigned int r = 0; r < 40; r++)
			scn_make_free(s, zi, r, 9, 0);
	scn_split_alloc(s, 1, 50, 9);
	s->fail_nth = 1;
	scn_register(s, UP, 32, NULL);
	scn_run(s);
	ck_assert_uint_eq(s->nr_batches, 1);
	ck_assert_uint_eq(s->batches[0].r[0].zone, 0);
	ck_assert_uint_eq(scn_stats(s).passes, 1);
	ck_assert_uint_eq(scn_nr_reported(s, 0, 9), 0);
	ck_assert_uint_eq(scn_nr_reported(s, 1, 9), 0);

	scn_free(s, 1, scn_pfn(s, 1, 50), 9);
	scn_run(s);
	ck_assert(scn_all_reported(s, 0));
	ck_assert(scn_all_reported(s, 1));
	ck_assert_uint_eq(scn_nr_reported(s, 0, 9), 40);
	ck_assert_uint_eq(scn_nr_reported(s, 1, 9), 41);
	for (size_t b = 0; b < s->nr_batches; b++)
		for (unsigned int i = 1; i < s->batches[b].n; i++)
			ck_assert_uint_eq(s->batches[b].r[i].zone,
					  s->batches[b].r[0].zone);
	scn_destroy(s);
}
END_TEST

/*
 * The 5.10 option (FPI_TO_TAIL): returned pages go to the tail.  40
 * order-9 blocks, capacity 32, head -> a0 ... a39:
 *
 *   a0..a31 out, report at a32, drained a31..a0 to the tail
 *   -> a32..a39 a31..a0; next = a32: a32..a39 out, leftover report
 *   -> a31..a0 a39..a32
 */
START_TEST(test_upstream_return_to_tail)
{
	struct scn *s = scn_default();
	struct pgr_reporting_config cfg;
	static uint64_t a[40], got[40];

	memset(&cfg, 0, sizeof(cfg));
	cfg.return_to_tail = true;
	make_order9(s, 40);
	ck_assert_int_eq(scn_list(s, 0, 9, MOV, a, 40), 40);
	scn_register(s, UP, 32, &cfg);
	scn_run(s);
	ck_assert_uint_eq(s->nr_batches, 2);
	ck_assert_int_eq(scn_list(s, 0, 9, MOV, got, 40), 40);
	for (unsigned int i = 0; i < 32; i++)
		ck_assert_uint_eq(got[i], a[31 - i]);
	for (unsigned int i = 0; i < 8; i++)
		ck_assert_uint_eq(got[32 + i], a[39 - i]);
	ck_assert(scn_all_reported(s, 0));
	scn_destroy(s);
}
END_TEST

/*
 * PGR_PROFILE_5_10 without return_to_tail: __putback_isolated_page's
 * FPI_TO_TAIL puts reported pages at the tail, the same layout as the
 * return_to_tail test above.  _i = 1: the default profile instead, where
 * they go back to the head (buddy_merge_likely is false at order 9): the
 * list reads a32..a39 a0..a31 (the second pass's rotation).
 */
START_TEST(test_upstream_profile_5_10_returns_to_tail)
{
	struct scn_opts o;
	struct scn *s;
	static uint64_t a[40], got[40];

	memset(&o, 0, sizeof(o));
	o.profile = _i ? PGR_PROFILE_DEFAULT : PGR_PROFILE_5_10;
	s = scn_create(&o);
	make_order9(s, 40);
	ck_assert_int_eq(scn_list(s, 0, 9, MOV, a, 40), 40);
	scn_register(s, UP, 32, NULL);
	scn_run(s);
	ck_assert_uint_eq(s->nr_batches, 2);
	ck_assert_int_eq(scn_list(s, 0, 9, MOV, got, 40), 40);
	if (_i) {
		/* back in place at the head: a32..a39 a0..a31 after rotation */
		for (unsigned int i = 0; i < 40; i++)
			ck_assert_uint_eq(got[i], a[(i + 32) % 40]);
	} else {
		for (unsigned int i = 0; i < 32; i++)
			ck_assert_uint_eq(got[i], a[31 - i]);
		for (unsigned int i = 0; i < 8; i++)
			ck_assert_uint_eq(got[32 + i], a[39 - i]);
	}
	ck_assert(scn_all_reported(s, 0));
	scn_destroy(s);
}
END_TEST

/*
 * The reporting order parameter (page_reporting_order) exists from 5.14:
 * profiles 5.4, 5.7 and 5.10 refuse order 5 with -EINVAL and a message,
 * 6.1 (and the default profile) accept it.
 */
START_TEST(test_upstream_profile_order_parameter)
{
	static const enum pgr_kernel_profile p[] = {
		PGR_PROFILE_5_4, PGR_PROFILE_5_7, PGR_PROFILE_5_10,
		PGR_PROFILE_6_1, PGR_PROFILE_DEFAULT
	};
	struct scn_opts o;
	struct scn *s;
	struct pgr_reporting_config cfg;
	bool ok = p[_i] == PGR_PROFILE_6_1 || p[_i] == PGR_PROFILE_DEFAULT;

	memset(&o, 0, sizeof(o));
	o.profile = p[_i];
	s = scn_create(&o);
	memset(&cfg, 0, sizeof(cfg));
	cfg.strategy = UP;
	cfg.order = 5;
	{
		struct pgr_sink *sink = pgr_sink_null_create(32);
		int rc;

		ck_assert_ptr_nonnull(sink);
		pgr_errmsg_clear();
		rc = pgr_reporting_register(s->node, sink, &cfg);
		ck_assert_int_eq(rc, (ok ? 0 : -EINVAL));
		if (!ok)
			ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "profile"));
		else
			ck_assert_int_eq(pgr_reporting_unregister(s->node), 0);
		pgr_sink_destroy(sink);
	}
	scn_destroy(s);
}
END_TEST

static Suite *scenarios_upstream_suite(void)
{
	Suite *s = suite_create("scenarios_upstream");
	TCase *tc = tcase_create("upstream");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_upstream_state_machine);
	tcase_add_loop_test(tc, test_upstream_budget, 0, 2);
	tcase_add_test(tc, test_upstream_rotation);
	tcase_add_test(tc, test_upstream_isolation_fail_rotates);
	tcase_add_test(tc, test_upstream_unregister_between_passes);
	tcase_add_test(tc, test_upstream_error_ends_pass);
	tcase_add_test(tc, test_upstream_return_to_tail);
	tcase_add_loop_test(tc, test_upstream_profile_5_10_returns_to_tail, 0,
			    2);
	tcase_add_loop_test(tc, test_upstream_profile_order_parameter, 0, 5);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return scn_main(scenarios_upstream_suite());
}
