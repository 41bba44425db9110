// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One reporting device per system (pgr_reporting_register_system): two
 * nodes share one engine, one state machine and one delayed work, as the
 * kernel's one prdev (5.7 mm/page_reporting.c: one state, one 2 s work
 * whose pass walks for_each_zone; v11: one ACTIVE zone system-wide; Lal's
 * v12: one work over every zone's bitmap).
 *
 * The reference is a single node holding the same two zones (same pfn
 * spans): a device over nodes A and B must report exactly what a device
 * over that node's two zones reports, batch for batch and at the same
 * clock times.  Two independent per-node devices differ (two timers, two
 * passes), which shows the test can tell the two apart.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>

#include "mm/mmzone.h"
#include "reporting_util.h"

#define NR_PAGES 4096ULL
#define SPAN_A	 0x100000ULL
#define SPAN_B	 0x200000ULL
#define MAX_SEEN 4096

/* A sink that records every range with the clock time and counts ACTIVE. */
struct seen {
	uint64_t pfn, t;
	unsigned int order;
};

struct rec {
	struct pgr_sink sink;
	struct pgr_node *clock_node; /* read the engine clock through it */
	struct pgr_node *nodes[2];   /* every node to look at for ACTIVE */
	unsigned int nr_nodes;
	struct seen seen[MAX_SEEN];
	unsigned int nr_seen, batches;
	unsigned int max_active; /* most ACTIVE zones seen in one report */
};

static int rec_report(struct pgr_sink *sink, const struct pgr_range *ranges,
		      unsigned int n)
{
	struct rec *r = sink->priv;
	uint64_t t = pgr_reporting_now(r->clock_node);
	unsigned int active = 0;

	/* virtual clock, one thread: nothing changes the flags meanwhile */
	for (unsigned int i = 0; i < r->nr_nodes; i++)
		for (unsigned int j = 0; j < r->nodes[i]->nr_zones; j++)
			if (r->nodes[i]->zones[j].flags &
			    ZONE_PAGE_REPORTING_ACTIVE)
				active++;
	if (active > r->max_active)
		r->max_active = active;
	r->batches++;
	for (unsigned int i = 0; i < n && r->nr_seen < MAX_SEEN; i++)
		r->seen[r->nr_seen++] = (struct seen){ .pfn = ranges[i].pfn,
						       .order = ranges[i].order,
						       .t = t };
	return 0;
}

static const struct pgr_sink_ops rec_ops = { .name = "rec",
					     .report = rec_report };

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	r->sink.ops = &rec_ops;
	r->sink.capacity = PGR_REPORTING_CAPACITY;
	r->sink.priv = r;
}

static struct pgr_node *make_node(const uint64_t *starts, unsigned int nr)
{
	struct pgr_node_config cfg = { .max_order = 7,
				       .pageblock_order = 4,
				       .nr_zones = nr };
	struct pgr_node *node;

	for (unsigned int i = 0; i < nr; i++) {
		cfg.zones[i].start_pfn = starts[i];
		cfg.zones[i].nr_pages = NR_PAGES;
		cfg.zones[i].watermark[PGR_WMARK_MIN] = 16;
		cfg.zones[i].watermark[PGR_WMARK_LOW] = 32;
		cfg.zones[i].watermark[PGR_WMARK_HIGH] = 48;
	}
	node = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(node);
	return node;
}

static struct pgr_reporting_config strategy_cfg(int s)
{
	return (struct pgr_reporting_config){ .strategy =
						      (enum pgr_strategy)s };
}

/*
 * The scenario: populate zone A, let half the delay pass, populate zone B
 * (so B's request arrives while A's work is pending), run until idle.
 * @advance: the node to drive the clock through.
 */
static void scenario(struct pgr_node *advance_a, struct pgr_zone *za,
		     struct pgr_node *advance_b, struct pgr_zone *zb)
{
	struct pgr_reporting_config eff;

	ck_assert_int_eq(pgr_reporting_get_config(advance_a, &eff), 0);
	ck_assert_int_eq(pgr_zone_populate(za), 0);
	if (eff.delay_ns)
		ck_assert_int_eq(
			pgr_reporting_advance(advance_a, eff.delay_ns / 2), 0);
	if (advance_b != advance_a && eff.delay_ns)
		ck_assert_int_eq(
			pgr_reporting_advance(advance_b, eff.delay_ns / 2), 0);
	ck_assert_int_eq(pgr_zone_populate(zb), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(
				 advance_a, 600 * 1000000000ULL, NULL),
			 0);
	if (advance_b != advance_a)
		ck_assert_int_eq(pgr_reporting_run_until_idle(
					 advance_b, 600 * 1000000000ULL, NULL),
				 0);
}

static bool in_span(uint64_t pfn, uint64_t start)
{
	return pfn >= start && pfn < start + NR_PAGES;
}

/* A device over nodes A and B == a device over one node with both zones */
START_TEST(test_system_matches_one_node)
{
	const uint64_t both[2] = { SPAN_A, SPAN_B };
	struct pgr_node *one = make_node(both, 2);
	struct pgr_node *a = make_node(&both[0], 1),
			*b = make_node(&both[1], 1);
	struct pgr_node *sys[2] = { a, b };
	struct pgr_reporting_config cfg = strategy_cfg(_i);
	struct pgr_reporting_stats s1, s2, sb;
	struct pgr_reporting_accounting a1, a2, ab;
	static struct rec r1, r2;
	uint64_t first_t;
	bool a_first = false, b_first = false;

	rec_init(&r1);
	r1.clock_node = one;
	r1.nodes[0] = one;
	r1.nr_nodes = 1;
	ck_assert_int_eq(pgr_reporting_register(one, &r1.sink, &cfg), 0);
	scenario(one, pgr_node_zone(one, 0), one, pgr_node_zone(one, 1));

	rec_init(&r2);
	r2.clock_node = b; /* any member reads the one clock */
	r2.nodes[0] = a;
	r2.nodes[1] = b;
	r2.nr_nodes = 2;
	ck_assert_int_eq(pgr_reporting_register_system(sys, 2, &r2.sink, &cfg),
			 0);
	scenario(a, pgr_node_zone(a, 0), a, pgr_node_zone(b, 0));

	/* batch for batch, at the same times */
	ck_assert_uint_gt(r1.nr_seen, 0);
	ck_assert_uint_lt(r1.nr_seen, MAX_SEEN);
	ck_assert_uint_eq(r2.nr_seen, r1.nr_seen);
	ck_assert_uint_eq(r2.batches, r1.batches);
	for (unsigned int i = 0; i < r1.nr_seen; i++) {
		ck_assert_uint_eq(r2.seen[i].pfn, r1.seen[i].pfn);
		ck_assert_uint_eq(r2.seen[i].order, r1.seen[i].order);
		ck_assert_uint_eq(r2.seen[i].t, r1.seen[i].t);
	}
	/* the first pass reports from both nodes' zones */
	first_t = r2.seen[0].t;
	for (unsigned int i = 0; i < r2.nr_seen && r2.seen[i].t == first_t;
	     i++) {
		a_first |= in_span(r2.seen[i].pfn, SPAN_A);
		b_first |= in_span(r2.seen[i].pfn, SPAN_B);
	}
	ck_assert(a_first && b_first);

	/* stats through either member are the device's, equal to one node's */
	ck_assert_int_eq(pgr_reporting_get_stats(one, &s1), 0);
	ck_assert_int_eq(pgr_reporting_get_stats(a, &s2), 0);
	ck_assert_int_eq(pgr_reporting_get_stats(b, &sb), 0);
	ck_assert_uint_ge(s1.passes, 1);
	ck_assert_uint_eq(s2.passes, s1.passes);
	ck_assert_uint_eq(s2.batches, s1.batches);
	ck_assert_uint_eq(s2.pages_reported, s1.pages_reported);
	ck_assert_uint_eq(s2.requests, s1.requests);
	ck_assert_uint_eq(sb.passes, s2.passes);
	ck_assert_uint_eq(sb.pages_reported, s2.pages_reported);
	ck_assert_uint_eq(sb.last_report_time_ns, s2.last_report_time_ns);
	ck_assert_uint_eq(pgr_reporting_now(a), pgr_reporting_now(b));

	/* accounting: the device's zones, in node order, through any member */
	ck_assert_int_eq(pgr_reporting_get_accounting(one, -1, &a1), 0);
	ck_assert_int_eq(pgr_reporting_get_accounting(a, -1, &a2), 0);
	ck_assert_int_eq(pgr_reporting_get_accounting(b, -1, &ab), 0);
	ck_assert_mem_eq(&a2, &a1, sizeof(a1));
	ck_assert_mem_eq(&ab, &a1, sizeof(a1));
	ck_assert_int_eq(pgr_reporting_get_accounting(one, 1, &a1), 0);
	ck_assert_int_eq(pgr_reporting_get_accounting(a, 1, &a2), 0);
	ck_assert_mem_eq(&a2, &a1, sizeof(a1));
	ck_assert_int_eq(pgr_reporting_get_accounting(b, 2, &a2), -EINVAL);

	/* v11: never two ACTIVE zones at once, system-wide */
	if (_i == PGR_STRATEGY_V11_BOUNDARY || _i == PGR_STRATEGY_V11_RESCAN)
		ck_assert_uint_eq(r2.max_active, 1);

	/* unregister through the second node removes the whole device */
	ck_assert_int_eq(pgr_reporting_unregister(b), 0);
	ck_assert_int_eq(pgr_reporting_get_stats(a, &s2), -ENOENT);
	ck_assert_int_eq(pgr_reporting_unregister(a), -ENOENT);
	ck_assert_int_eq(pgr_node_check(a, NULL, 0), 0);
	ck_assert_int_eq(pgr_node_check(b, NULL, 0), 0);
	ck_assert_int_eq(pgr_reporting_unregister(one), 0);
	pgr_node_destroy(one);
	pgr_node_destroy(a);
	pgr_node_destroy(b);
}
END_TEST

/*
 * Two per-node devices are two timers: the same scenario takes more passes
 * and B's pages come later than with one device.  The kernel has one.
 */
START_TEST(test_per_node_devices_differ)
{
	struct pgr_node *a = make_node((uint64_t[]){ SPAN_A }, 1);
	struct pgr_node *b = make_node((uint64_t[]){ SPAN_B }, 1);
	struct pgr_node *a2 = make_node((uint64_t[]){ SPAN_A }, 1);
	struct pgr_node *b2 = make_node((uint64_t[]){ SPAN_B }, 1);
	struct pgr_node *sys[2] = { a2, b2 };
	struct pgr_reporting_config cfg = strategy_cfg(_i);
	struct pgr_reporting_stats sa, sbb, ss;
	static struct rec ra, rb, rs;

	rec_init(&ra);
	ra.clock_node = ra.nodes[0] = a;
	ra.nr_nodes = 1;
	rec_init(&rb);
	rb.clock_node = rb.nodes[0] = b;
	rb.nr_nodes = 1;
	ck_assert_int_eq(pgr_reporting_register(a, &ra.sink, &cfg), 0);
	ck_assert_int_eq(pgr_reporting_register(b, &rb.sink, &cfg), 0);
	scenario(a, pgr_node_zone(a, 0), b, pgr_node_zone(b, 0));

	rec_init(&rs);
	rs.clock_node = a2;
	rs.nodes[0] = a2;
	rs.nodes[1] = b2;
	rs.nr_nodes = 2;
	ck_assert_int_eq(pgr_reporting_register_system(sys, 2, &rs.sink, &cfg),
			 0);
	scenario(a2, pgr_node_zone(a2, 0), a2, pgr_node_zone(b2, 0));

	ck_assert_int_eq(pgr_reporting_get_stats(a, &sa), 0);
	ck_assert_int_eq(pgr_reporting_get_stats(b, &sbb), 0);
	ck_assert_int_eq(pgr_reporting_get_stats(b2, &ss), 0);
	/* the same pages in the end ... */
	ck_assert_uint_eq(ss.pages_reported,
			  sa.pages_reported + sbb.pages_reported);
	/* ... in fewer runs of the one work than of two works */
	ck_assert_uint_lt(ss.passes, sa.passes + sbb.passes);
	if (_i == PGR_STRATEGY_V11_BOUNDARY || _i == PGR_STRATEGY_V11_RESCAN)
		ck_assert_uint_eq(ss.passes, 1); /* run to completion */
	pgr_node_destroy(a);
	pgr_node_destroy(b);
	pgr_node_destroy(b2); /* a member going away takes the device */
	ck_assert_int_eq(pgr_reporting_get_stats(a2, &ss), -ENOENT);
	pgr_node_destroy(a2);
}
END_TEST

START_TEST(test_bad_input)
{
	struct pgr_node *a = make_node((uint64_t[]){ SPAN_A }, 1);
	struct pgr_node *b = make_node((uint64_t[]){ SPAN_B }, 1);
	struct pgr_node *c = make_node((uint64_t[]){ SPAN_A + 64 }, 1);
	struct pgr_node_config oc = { .max_order = 11,
				      .pageblock_order = 9,
				      .nr_zones = 1 };
	struct pgr_node *d;
	struct pgr_node *list[3];
	struct pgr_reporting_config cfg = strategy_cfg(PGR_STRATEGY_UPSTREAM);
	struct pgr_sink *sink = pgr_sink_null_create(32);

	oc.zones[0].start_pfn = 0x300000;
	oc.zones[0].nr_pages = 4096;
	d = pgr_node_create(&oc);
	ck_assert_ptr_nonnull(d);

	ck_assert_int_eq(pgr_reporting_register_system(NULL, 2, sink, &cfg),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "no nodes"));
	list[0] = a;
	list[1] = b;
	ck_assert_int_eq(pgr_reporting_register_system(list, 0, sink, &cfg),
			 -EINVAL);
	ck_assert_int_eq(pgr_reporting_register_system(
				 list, PGR_MAX_SYSTEM_NODES + 1, sink, &cfg),
			 -EINVAL);
	list[1] = NULL;
	ck_assert_int_eq(pgr_reporting_register_system(list, 2, sink, &cfg),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "NULL"));
	list[1] = a;
	ck_assert_int_eq(pgr_reporting_register_system(list, 2, sink, &cfg),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "again"));
	list[1] = c; /* overlaps a's pfns */
	ck_assert_int_eq(pgr_reporting_register_system(list, 2, sink, &cfg),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "overlaps"));
	list[1] = d; /* other orders */
	ck_assert_int_eq(pgr_reporting_register_system(list, 2, sink, &cfg),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "differs"));
	ck_assert_int_eq(pgr_reporting_register_system(list, 2, NULL, &cfg),
			 -EINVAL);
	ck_assert_int_eq(pgr_reporting_register_system(list, 2, sink, NULL),
			 -EINVAL);
	/* nothing was registered by any of those */
	ck_assert(!a->rep && !b->rep && !c->rep && !d->rep);

	/* a node with its own device cannot join a system, and vice versa */
	ck_assert_int_eq(pgr_reporting_register(b, sink, &cfg), 0);
	list[1] = b;
	ck_assert_int_eq(pgr_reporting_register_system(list, 2, sink, &cfg),
			 -EBUSY);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "already"));
	ck_assert(!a->rep);
	ck_assert_int_eq(pgr_reporting_unregister(b), 0);
	ck_assert_int_eq(pgr_reporting_register_system(list, 2, sink, &cfg), 0);
	ck_assert_int_eq(pgr_reporting_register(a, sink, &cfg), -EBUSY);
	ck_assert_int_eq(pgr_reporting_register(b, sink, &cfg), -EBUSY);
	list[0] = c;
	ck_assert_int_eq(pgr_reporting_register_system(list, 2, sink, &cfg),
			 -EBUSY);
	ck_assert(!c->rep);
	ck_assert_int_eq(pgr_reporting_unregister(a), 0);
	ck_assert_int_eq(pgr_reporting_unregister(b), -ENOENT);
	pgr_sink_destroy(sink);
	pgr_node_destroy(a);
	pgr_node_destroy(b);
	pgr_node_destroy(c);
	pgr_node_destroy(d);
}
END_TEST

/*
 * REAL clock: one worker thread reports both nodes while a thread per
 * node allocates and frees on it (TSan: the shared engine's locking).
 */
struct churn {
	struct pgr_node *node;
	atomic_bool *stop;
	unsigned long ops;
};

static void *churn_main(void *arg)
{
	struct churn *c = arg;
	struct pgr_zone *z = pgr_node_zone(c->node, 0);
	struct pgr_rand rand;
	uint64_t held[16];
	unsigned int nr = 0;

	pgr_rand_seed(&rand, (uint64_t)(uintptr_t)c->node);
	while (!atomic_load(c->stop) || nr) {
		uint64_t pfn;

		if (!atomic_load(c->stop) && nr < 16 &&
		    pgr_alloc_pages(z, 4, PGR_MIGRATE_MOVABLE, 0, &pfn) == 0)
			held[nr++] = pfn;
		else if (nr)
			ck_assert_int_eq(pgr_free_pages(z, held[--nr], 4), 0);
		if (pgr_rand_below(&rand, 4) == 0 && nr)
			ck_assert_int_eq(pgr_free_pages(z, held[--nr], 4), 0);
		c->ops++;
	}
	return NULL;
}

START_TEST(test_real_clock_threads)
{
	struct pgr_node *a = make_node((uint64_t[]){ SPAN_A }, 1);
	struct pgr_node *b = make_node((uint64_t[]){ SPAN_B }, 1);
	struct pgr_node *sys[2] = { a, b };
	struct pgr_reporting_config cfg = strategy_cfg(_i);
	struct pgr_sink *sink = pgr_sink_null_create(32);
	struct pgr_reporting_stats st;
	atomic_bool stop = false;
	struct churn c[2] = { { .node = a, .stop = &stop },
			      { .node = b, .stop = &stop } };
	pthread_t t[2];

	cfg.clock = PGR_CLOCK_REAL;
	cfg.delay_set = true;
	cfg.delay_ns = 1000000; /* 1 ms */
	ck_assert_int_eq(pgr_reporting_register_system(sys, 2, sink, &cfg), 0);
	ck_assert_int_eq(pgr_zone_populate(pgr_node_zone(a, 0)), 0);
	ck_assert_int_eq(pgr_zone_populate(pgr_node_zone(b, 0)), 0);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn_main, &c[i]),
				 0);
	/* until the worker reported at least once (no timing assertion) */
	do {
		ck_assert_int_eq(pgr_reporting_get_stats(b, &st), 0);
	} while (st.batches == 0);
	atomic_store(&stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(pgr_reporting_flush(b, 60 * 1000000000ULL), 0);
	ck_assert_int_eq(pgr_node_check(a, NULL, 0), 0);
	ck_assert_int_eq(pgr_node_check(b, NULL, 0), 0);
	ck_assert_int_eq(pgr_reporting_unregister(b), 0);
	pgr_sink_destroy(sink);
	pgr_node_destroy(a);
	pgr_node_destroy(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reporting_system");
	TCase *tc = tcase_create("system");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_system_matches_one_node, 0,
			    PGR_NR_STRATEGIES);
	tcase_add_loop_test(tc, test_per_node_devices_differ, 0,
			    PGR_NR_STRATEGIES);
	tcase_add_test(tc, test_bad_input);
	tcase_add_loop_test(tc, test_real_clock_threads, 0, PGR_NR_STRATEGIES);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
