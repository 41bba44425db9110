// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host-side accounting (pgr_reporting_get_accounting): the identity
 * reported + allocated + free-unreported (+ isolated) = zone pages on a
 * random trace for every built-in strategy, reported pages equal to the
 * zone's PageReported blocks summed over orders (on that trace and with
 * only top-order blocks free), discarded pages equal to a
 * walk of every page's PG_discarded, refaults counted exactly against a
 * snapshot of the discarded pages taken before each allocation, and the
 * sampler's times on the virtual clock.
 */
#include "config.h"

#include <check.h>

#include "reporting_util.h"

/* upstream without its watermark gate (a parameter of upstream) */
static const struct pgr_param gate_off = { .name = "upstream.gate_disable",
					   .value = 1 };

#define SEC 1000000000ULL

static char msg[512];

/* Discarded pages by walking every pfn (the ground truth). */
static uint64_t walk_discarded(struct pgr_zone *z, uint64_t start, uint64_t n,
			       uint8_t *snap)
{
	uint64_t d = 0;

	for (uint64_t i = 0; i < n; i++) {
		struct pgr_page_info pi;

		ck_assert_int_eq(pgr_page_get_info(z, start + i, &pi), 0);
		d += pi.discarded;
		if (snap)
			snap[i] = pi.discarded;
	}
	return d;
}

/*
 * Checks the identity and, on their own, the reported pages: the sum over
 * orders of the zone's PageReported blocks times their size (the identity
 * cannot see an error there: free-unreported is computed as free minus
 * reported and absorbs it).  Returns the reported pages.
 */
static uint64_t check_identity(struct pgr_node *node, struct pgr_zone *z,
			       uint64_t nr_pages)
{
	struct pgr_reporting_accounting a, n;
	struct pgr_zone_info info;
	uint64_t reported = 0;

	ck_assert_int_eq(pgr_reporting_get_accounting(node, 0, &a), 0);
	ck_assert_int_eq(pgr_reporting_get_accounting(node, -1, &n), 0);
	ck_assert_mem_eq(&a, &n, sizeof(a)); /* one zone: node == zone */
	ck_assert_int_eq(pgr_zone_get_info(z, &info), 0);
	ck_assert_uint_eq(a.zone_pages, nr_pages);
	ck_assert_uint_eq(a.reported_pages + a.allocated_pages +
				  a.free_unreported_pages + a.isolated_pages,
			  a.zone_pages);
	ck_assert_uint_eq(a.allocated_pages, info.nr_allocated_pages);
	ck_assert_uint_eq(a.free_pages,
			  info.nr_free_pages + info.nr_free_isolate_pages);
	ck_assert_uint_eq(a.discarded_bytes, a.discarded_pages * 4096);
	/* Only free (or isolated) pages can still be discarded. */
	ck_assert_uint_le(a.discarded_pages, a.free_pages + a.isolated_pages);
	for (unsigned int o = 0; o < info.max_order; o++)
		reported += info.nr_reported[o] << o;
	ck_assert_uint_eq(a.reported_pages, reported);
	ck_assert_uint_eq(a.free_unreported_pages, a.free_pages - reported);
	return reported;
}

START_TEST(identity_random_trace)
{
	struct pgr_reporting_config cfg = { .strategy = (enum pgr_strategy)_i };
	struct pgr_node *node = test_node(LAYOUT_SMALL, 0, true, test_seed());
	struct pgr_zone *z = pgr_node_zone(node, 0);
	struct pgr_sink *sink = pgr_sink_null_create(16);
	struct pgr_reporting_accounting a;
	struct trace t;
	uint64_t discarded_seen = 0, reported_seen = 0;

	ck_assert_ptr_nonnull(node);
	ck_assert_int_eq(pgr_zone_populate(z), 0);
	ck_assert_int_eq(pgr_reporting_register(node, sink, &cfg), 0);
	trace_init(&t, node, test_seed() + (uint64_t)_i);
	t.max_advance_ns = 3 * SEC;
	for (int step = 0; step < 20000; step++) {
		ck_assert_msg(trace_step(&t) == 0, "%s", pgr_errmsg());
		if (step % 500 == 0) {
			ck_assert_msg(trace_check(&t, msg, sizeof(msg)) == 0,
				      "%s", msg);
			reported_seen += check_identity(node, z, 4096);
			ck_assert_int_eq(
				pgr_reporting_get_accounting(node, 0, &a), 0);
			discarded_seen += a.discarded_pages;
			ck_assert_uint_eq(
				a.discarded_pages,
				walk_discarded(z, 0x100000, 4096, NULL));
		}
	}
	/* The trace did exercise the host side. */
	ck_assert_int_eq(pgr_reporting_get_accounting(node, 0, &a), 0);
	ck_assert_uint_gt(discarded_seen, 0);
	/* bitmap has no Reported state; the others must have shown some */
	if (_i != PGR_STRATEGY_BITMAP)
		ck_assert_uint_gt(reported_seen, 0);
	else
		ck_assert_uint_eq(reported_seen, 0);
	ck_assert_uint_gt(a.refault_pages, 0);
	ck_assert_uint_ge(a.refault_pages, a.refault_events);
	trace_fini(&t);
	pgr_node_destroy(node);
	pgr_sink_destroy(sink);
}
END_TEST

/* Allocate everything in order-6 blocks, then free it: reports follow. */
static struct pgr_node *discarded_node(enum pgr_strategy s,
				       struct pgr_sink *sink)
{
	struct pgr_reporting_config cfg = { .strategy = s };
	struct pgr_node *node = test_node(LAYOUT_SMALL, 0, false, 1);
	struct pgr_zone *z = pgr_node_zone(node, 0);
	uint64_t pfns[64];
	int n = 0;

	ck_assert_int_eq(pgr_zone_populate(z), 0);
	ck_assert_int_eq(pgr_reporting_register(node, sink, &cfg), 0);
	while (n < 64 &&
	       pgr_alloc_pages(z, 6, PGR_MIGRATE_MOVABLE, 0, &pfns[n]) == 0)
		n++;
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(pgr_free_pages(z, pfns[i], 6), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(node, 60 * SEC, NULL), 0);
	return node;
}

START_TEST(refaults_exact)
{
	struct pgr_sink *sink = pgr_sink_null_create(16);
	struct pgr_node *node = discarded_node(PGR_STRATEGY_V11_BOUNDARY, sink);
	struct pgr_zone *z = pgr_node_zone(node, 0);
	struct pgr_reporting_accounting a0, a;
	uint8_t snap[4096];
	uint64_t want_pages = 0, want_events = 0, d0;

	ck_assert_int_eq(pgr_reporting_get_accounting(node, 0, &a0), 0);
	d0 = walk_discarded(z, 0x100000, 4096, snap);
	ck_assert_uint_eq(a0.discarded_pages, d0);
	ck_assert_uint_gt(d0, 1024); /* most of the zone went to the host */
	/* only order-6 blocks are free, every lower order is empty */
	ck_assert_uint_gt(check_identity(node, z, 4096), 1024);
	ck_assert_uint_eq(a0.refault_pages, 0);
	ck_assert_uint_eq(a0.refault_events, 0);

	/* Every order, through the order-0 fast path and the slow path. */
	for (int i = 0; i < 300; i++) {
		unsigned int order = i % 3 == 0 ? (unsigned int)(i % 5) : 0;
		uint64_t pfn, n = 0;

		if (pgr_alloc_pages(z, order, PGR_MIGRATE_MOVABLE, 0, &pfn))
			break;
		for (uint64_t p = pfn; p < pfn + (1ULL << order); p++)
			n += snap[p - 0x100000];
		want_pages += n;
		want_events += n ? 1 : 0;
		ck_assert_int_eq(pgr_reporting_get_accounting(node, 0, &a), 0);
		ck_assert_uint_eq(a.refault_pages, want_pages);
		ck_assert_uint_eq(a.refault_events, want_events);
		ck_assert_uint_eq(a.discarded_pages, d0 - want_pages);
		/* the pages are the guest's again: no longer discarded */
		for (uint64_t p = pfn; p < pfn + (1ULL << order); p++)
			snap[p - 0x100000] = 0;
	}
	ck_assert_uint_gt(want_events, 10);

	/* A taken block: exactly its discarded pages, one event. */
	{
		uint64_t pfn = 0, n = 0;

		for (uint64_t p = 0; p < 4096; p += 16)
			if (snap[p]) {
				struct pgr_page_info pi;

				pgr_page_get_info(z, 0x100000 + p, &pi);
				if (pi.state == PGR_PAGE_FREE ||
				    pi.state == PGR_PAGE_TAIL) {
					pfn = 0x100000 + p;
					break;
				}
			}
		ck_assert_uint_ne(pfn, 0);
		for (uint64_t p = pfn; p < pfn + 16; p++)
			n += snap[p - 0x100000];
		if (pgr_take_block(z, pfn, 4) == 0) {
			ck_assert_int_eq(
				pgr_reporting_get_accounting(node, 0, &a), 0);
			ck_assert_uint_eq(a.refault_pages, want_pages + n);
			ck_assert_uint_eq(a.refault_events, want_events + 1);
		}
	}
	pgr_node_destroy(node);
	pgr_sink_destroy(sink);
}
END_TEST

/* Without a device nothing is discarded; bad arguments are refused. */
START_TEST(no_refault_without_tracking)
{
	struct pgr_node *node = test_node(LAYOUT_SMALL, 0, false, 1);
	struct pgr_zone *z = pgr_node_zone(node, 0);
	struct pgr_reporting_accounting a;
	uint64_t pfn;

	ck_assert_int_eq(pgr_zone_populate(z), 0);
	ck_assert_int_eq(pgr_alloc_pages(z, 3, PGR_MIGRATE_MOVABLE, 0, &pfn),
			 0);
	ck_assert_int_eq(pgr_reporting_get_accounting(node, -1, &a), 0);
	ck_assert_uint_eq(a.allocated_pages, 8);
	ck_assert_uint_eq(a.discarded_pages, 0);
	ck_assert_uint_eq(a.refault_pages, 0);
	ck_assert_uint_eq(a.reported_pages, 0);
	ck_assert_uint_eq(a.free_unreported_pages, 4096 - 8);
	ck_assert_int_eq(pgr_reporting_get_accounting(node, 1, &a), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "out of range"));
	ck_assert_int_eq(pgr_reporting_get_accounting(node, -2, &a), -EINVAL);
	ck_assert_int_eq(pgr_reporting_get_accounting(NULL, 0, &a), -EINVAL);
	ck_assert_int_eq(pgr_reporting_get_accounting(node, 0, NULL), -EINVAL);
	pgr_node_destroy(node);
}
END_TEST

struct samples {
	uint64_t t[64];
	uint64_t discarded[64];
	int n;
};

static void on_sample(struct pgr_node *node, uint64_t now, void *arg)
{
	struct samples *s = arg;
	struct pgr_reporting_accounting a;

	ck_assert_int_eq(pgr_reporting_get_accounting(node, -1, &a), 0);
	/* Advancing from inside a sample is refused, not recursed. */
	ck_assert_int_eq(pgr_reporting_advance(node, 1), -EBUSY);
	if (s->n < 64) {
		s->t[s->n] = now;
		s->discarded[s->n] = a.discarded_pages;
		s->n++;
	}
	ck_assert_uint_eq(pgr_reporting_now(node), now);
}

START_TEST(sampler_times)
{
	struct pgr_reporting_config cfg = {
		.strategy = PGR_STRATEGY_UPSTREAM,
		.params = &gate_off,
		.nr_params = 1,
	};
	struct pgr_node *node = test_node(LAYOUT_SMALL, 0, false, 1);
	struct pgr_zone *z = pgr_node_zone(node, 0);
	struct pgr_sink *sink = pgr_sink_null_create(16);
	struct samples s = { .n = 0 };
	uint64_t pfns[64];
	int n = 0;

	ck_assert_int_eq(pgr_zone_populate(z), 0);
	ck_assert_int_eq(pgr_reporting_set_sampler(node, SEC, on_sample, &s),
			 -ENOENT);
	ck_assert_int_eq(pgr_reporting_register(node, sink, &cfg), 0);
	ck_assert_int_eq(pgr_reporting_set_sampler(node, 0, on_sample, &s),
			 -EINVAL);
	ck_assert_int_eq(
		pgr_reporting_set_sampler(node, SEC / 2, on_sample, &s), 0);
	while (n < 64 &&
	       pgr_alloc_pages(z, 6, PGR_MIGRATE_MOVABLE, 0, &pfns[n]) == 0)
		n++;
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(pgr_free_pages(z, pfns[i], 6), 0);
	ck_assert_int_eq(pgr_reporting_advance(node, 10 * SEC), 0);
	ck_assert_int_eq(s.n, 20);
	for (int i = 0; i < s.n; i++)
		ck_assert_uint_eq(s.t[i], (uint64_t)(i + 1) * SEC / 2);
	/* Upstream's 2 s delay: nothing discarded before t = 2 s. */
	ck_assert_uint_eq(s.discarded[2], 0);
	ck_assert_uint_gt(s.discarded[s.n - 1], 0);
	ck_assert_int_eq(pgr_reporting_set_sampler(node, 0, NULL, NULL), 0);
	ck_assert_int_eq(pgr_reporting_advance(node, 10 * SEC), 0);
	ck_assert_int_eq(s.n, 20);
	pgr_node_destroy(node);
	pgr_sink_destroy(sink);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("accounting");
	TCase *tc = tcase_create("accounting");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, identity_random_trace, 0, PGR_NR_STRATEGIES);
	tcase_add_test(tc, refaults_exact);
	tcase_add_test(tc, no_refault_without_tracking);
	tcase_add_test(tc, sampler_times);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
