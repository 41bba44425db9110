// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The public strategy API (<pagereport/strategy.h>): registration by name,
 * config tunables and their validation, and bad input or a wrong context
 * for every primitive: outside the work, inside ->notify_free, without
 * the zone lock, with it held around report(), a full batch, another
 * zone's batch, and a process() that returns with pages still isolated.
 * A "probe" strategy runs the in-work checks and records what it saw.
 */
#include "config.h"

#include <check.h>

#include "mm/mmzone.h"
#include "reporting_util.h"

#define SEC 1000000000ULL

static char msg[512];

/* What the probe saw; checked by the test after the work ran. */
static struct probe_log {
	int notify_calls, notify_isolate, notify_lock, notify_first;
	int notify_counters, notify_putback, notify_schedule;
	int runs;
	bool leave_isolated; /* return from process with one block held */
	void (*script)(struct pgr_reporting *rep);
} probe;

static void probe_notify(struct pgr_reporting *rep, void *priv,
			 struct pgr_zone *zone, uint64_t pfn,
			 unsigned int order)
{
	struct pgr_strategy_zone_counters c;
	uint64_t first;

	(void)priv;
	probe.notify_calls++;
	probe.notify_isolate = pgr_strategy_isolate(rep, zone, pfn, order, 0);
	probe.notify_lock = pgr_strategy_lock(rep, zone);
	probe.notify_first = pgr_strategy_list_first(
		rep, zone, order, PGR_MIGRATE_MOVABLE, PGR_LIST_HEAD, &first);
	probe.notify_counters = pgr_strategy_zone_counters(rep, zone, &c);
	probe.notify_putback = pgr_strategy_putback(rep, 0);
	probe.notify_schedule = pgr_strategy_schedule(rep, 1000);
}

static void probe_process(struct pgr_reporting *rep, void *priv)
{
	(void)priv;
	probe.runs++;
	if (probe.script)
		probe.script(rep);
}

static int probe_init(struct pgr_reporting *rep, void **r_priv)
{
	(void)rep;
	*r_priv = &probe;
	return 0;
}

static const struct pgr_strategy_ops probe_ops = {
	.name = "probe",
	.init = probe_init,
	.notify_free = probe_notify,
	.process = probe_process,
};

static int probe_id = -1;

static void register_probe(void)
{
	if (probe_id < 0)
		probe_id = pgr_strategy_register(&probe_ops);
	ck_assert_int_ge(probe_id, PGR_NR_STRATEGIES);
}

/* Two zones of 16 order-10 blocks, populated. */
static struct pgr_node *two_zones(void)
{
	struct pgr_node_config nc = {
		.nr_zones = 2,
		.zones = { { .start_pfn = 0x100000,
			     .nr_pages = 16384,
			     .watermark = { 16, 32, 48 } },
			   { .start_pfn = 0x200000,
			     .nr_pages = 16384,
			     .watermark = { 16, 32, 48 } } },
	};
	struct pgr_node *node = pgr_node_create(&nc);

	ck_assert_ptr_nonnull(node);
	for (unsigned int i = 0; i < 2; i++)
		ck_assert_int_eq(pgr_zone_populate(pgr_node_zone(node, i)), 0);
	return node;
}

/*
 * pgr_strategy_register: NULL, no name, no process, empty, too long,
 * blank, duplicate of a built-in: -EINVAL/-EEXIST with a message; the
 * probe: an id past the built-ins, found by name both ways, usable as
 * config.strategy and config.strategy_name.  Unknown names and ids fail.
 */
START_TEST(test_strategy_register)
{
	struct pgr_strategy_ops bad = probe_ops;
	struct pgr_node *node = two_zones();
	struct pgr_sink *rec = recorder(32, 0);
	struct pgr_reporting_config c = { 0 };
	unsigned int n0 = pgr_strategy_count();

	ck_assert_uint_ge(n0, PGR_NR_STRATEGIES);
	ck_assert_int_eq(pgr_strategy_register(NULL), -EINVAL);
	bad.name = NULL;
	ck_assert_int_eq(pgr_strategy_register(&bad), -EINVAL);
	bad.name = "";
	ck_assert_int_eq(pgr_strategy_register(&bad), -EINVAL);
	bad.name = "a-name-that-is-much-too-long-for-it";
	ck_assert_int_eq(pgr_strategy_register(&bad), -EINVAL);
	bad.name = "two words";
	ck_assert_int_eq(pgr_strategy_register(&bad), -EINVAL);
	bad.name = "upstream";
	ck_assert_int_eq(pgr_strategy_register(&bad), -EEXIST);
	ck_assert_str_ne(pgr_errmsg(), "");
	bad = probe_ops;
	bad.process = NULL;
	ck_assert_int_eq(pgr_strategy_register(&bad), -EINVAL);
	ck_assert_uint_eq(pgr_strategy_count(), n0); /* nothing added */

	register_probe();
	n0 = pgr_strategy_count() - 1; /* it may be registered already */
	ck_assert_int_eq(probe_id, (int)n0);
	ck_assert_int_eq(pgr_strategy_register(&probe_ops), -EEXIST);
	ck_assert_int_eq(pgr_strategy_from_name("probe"), probe_id);
	ck_assert_str_eq(pgr_strategy_name(probe_id), "probe");
	ck_assert_str_eq(pgr_strategy_name(PGR_STRATEGY_BITMAP), "bitmap");
	ck_assert_str_eq(pgr_strategy_name(n0 + 1), "?");

	c.strategy_name = "probe";
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	ck_assert_int_eq(pgr_reporting_get_config(node, &c), 0);
	ck_assert_int_eq(c.strategy, probe_id);
	ck_assert_int_eq(pgr_reporting_unregister(node), 0);
	c = (struct pgr_reporting_config){ .strategy = probe_id };
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	ck_assert_int_eq(pgr_reporting_unregister(node), 0);
	c = (struct pgr_reporting_config){ .strategy_name = "nope" };
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), -EINVAL);
	c = (struct pgr_reporting_config){ .strategy = n0 + 1 };
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), -EINVAL);
	pgr_node_destroy(node);
	pgr_sink_destroy(rec);
}
END_TEST

/* The value of parameter @name on @node's device (UINT64_MAX: none). */
static uint64_t param(struct pgr_node *node, const char *name)
{
	uint64_t v;

	return pgr_reporting_get_param(node, name, &v) < 0 ? UINT64_MAX : v;
}

/*
 * Tunables: defaults resolved by pgr_reporting_get_config and
 * pgr_reporting_get_param (the kernel's: order 9, HWM 32, divisor 16,
 * gate 32, delays 100 ms / 2 s / 0, bitmap MAX_ORDER-2 and 16 per batch),
 * set values kept, bad ones -EINVAL.
 */
START_TEST(test_strategy_tunables)
{
	struct pgr_node *node = two_zones();
	struct pgr_sink *rec = recorder(32, 0);
	struct pgr_sink *rec8 = recorder(8, 0);
	struct pgr_reporting_config c = { .strategy = PGR_STRATEGY_UPSTREAM };
	struct pgr_reporting_config e;
	struct pgr_param set[] = {
		{ .name = "v11-boundary.hwm", .value = 7 },
		{ .name = "budget_divisor", .value = 3 },
		{ .name = "upstream.gate_blocks", .text = "5" },
	};

	ck_assert_int_eq(pgr_reporting_get_config(node, &e), -ENOENT);
	ck_assert_int_eq(pgr_reporting_get_config(NULL, &e), -EINVAL);
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	ck_assert_int_eq(pgr_reporting_get_config(node, NULL), -EINVAL);
	ck_assert_int_eq(pgr_reporting_get_config(node, &e), 0);
	ck_assert_str_eq(e.strategy_name, "upstream");
	ck_assert_uint_eq(e.order, 9);
	ck_assert_uint_eq(e.capacity, 32);
	ck_assert_uint_eq(e.delay_ns, PGR_UPSTREAM_DELAY_NS);
	ck_assert_uint_eq(param(node, "budget_divisor"), 16);
	ck_assert_uint_eq(param(node, "gate_blocks"), 32);
	ck_assert_uint_eq(param(node, "gate_disable"), 0);
	ck_assert_uint_eq(param(node, "hwm"), UINT64_MAX); /* v11's */
	ck_assert_int_eq(pgr_reporting_unregister(node), 0);

	c.strategy = PGR_STRATEGY_V11_BOUNDARY;
	ck_assert_int_eq(pgr_reporting_register(node, rec8, &c), 0);
	ck_assert_int_eq(pgr_reporting_get_config(node, &e), 0);
	ck_assert_uint_eq(e.delay_ns, PGR_V11_DELAY_NS);
	ck_assert_uint_eq(e.capacity, 8);
	ck_assert_uint_eq(param(node, "hwm"), 32);
	ck_assert_int_eq(pgr_reporting_unregister(node), 0);

	c.strategy = PGR_STRATEGY_BITMAP;
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	ck_assert_int_eq(pgr_reporting_get_config(node, &e), 0);
	ck_assert_uint_eq(e.order, 9); /* MAX_ORDER 11 - 2 */
	ck_assert_uint_eq(e.capacity, 16);
	ck_assert_uint_eq(e.delay_ns, 0);
	ck_assert_int_eq(pgr_reporting_unregister(node), 0);

	/* the v11 setting is checked, and ignored by upstream */
	c = (struct pgr_reporting_config){ .strategy = PGR_STRATEGY_UPSTREAM,
					   .capacity = 4,
					   .params = set,
					   .nr_params = 3,
					   .delay_ns = 123 };
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	ck_assert_int_eq(pgr_reporting_get_config(node, &e), 0);
	ck_assert_ptr_null(e.params);
	ck_assert_uint_eq(e.capacity, 4);
	ck_assert_uint_eq(param(node, "budget_divisor"), 3);
	ck_assert_uint_eq(param(node, "upstream.gate_blocks"), 5);
	ck_assert_uint_eq(e.delay_ns, 123);
	ck_assert_uint_eq(param(node, "delay"), 123);
	ck_assert_int_eq(pgr_reporting_unregister(node), 0);

	c = (struct pgr_reporting_config){ .capacity = 9 };
	ck_assert_int_eq(pgr_reporting_register(node, rec8, &c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "capacity"));
	c = (struct pgr_reporting_config){ .params = set, .nr_params = 1 };
	set[0].value = (1u << 20) + 1;
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "hwm"));
	c.strategy = PGR_STRATEGY_UPSTREAM;
	c.params = &set[1];
	set[1].value = 1u << 21;
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), -EINVAL);
	c.params = &set[2];
	set[2].text = "2097152";
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), -EINVAL);
	set[2].text = "4";
	set[1] = (struct pgr_param){ .name = "gate_disable", .text = "on" };
	c.params = &set[1];
	c.nr_params = 2;
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "gate disabled"));
	ck_assert(!pgr_reporting_pending(node));
	pgr_node_destroy(node);
	pgr_sink_destroy(rec);
	pgr_sink_destroy(rec8);
}
END_TEST

/* Every primitive from the test thread: no work context, no lock. */
START_TEST(test_strategy_outside_context)
{
	struct pgr_node *node = two_zones();
	struct pgr_node *other = two_zones();
	struct pgr_sink *rec = recorder(32, 0);
	struct pgr_reporting_config c = { .strategy = PGR_STRATEGY_UPSTREAM };
	struct pgr_zone *z0 = pgr_node_zone(node, 0);
	struct pgr_zone *foreign = pgr_node_zone(other, 0);
	struct pgr_strategy_zone_counters cnt;
	struct pgr_strategy_block blk;
	struct pgr_reporting *rep;
	uint64_t pfn, first;
	bool ok;

	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	rep = node->rep;
	ck_assert_int_eq(pgr_strategy_nr_zones(NULL), -EINVAL);
	ck_assert_int_eq(pgr_strategy_nr_zones(rep), 2);
	ck_assert_ptr_eq(pgr_strategy_zone(rep, 0), z0);
	errno = 0;
	ck_assert_ptr_null(pgr_strategy_zone(rep, 2));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(pgr_strategy_zone(NULL, 0));
	ck_assert_int_eq(pgr_strategy_get_config(NULL, &c), -EINVAL);
	ck_assert_int_eq(pgr_strategy_get_config(rep, NULL), -EINVAL);
	ck_assert_ptr_null(pgr_strategy_priv(NULL));
	ck_assert_uint_eq(pgr_strategy_now(NULL), 0);
	ck_assert_int_eq(pgr_strategy_batch_count(NULL), -EINVAL);
	ck_assert_int_eq(pgr_strategy_batch_count(rep), 0);
	ck_assert_int_eq(pgr_strategy_schedule(NULL, 0), -EINVAL);
	ck_assert_int_eq(pgr_strategy_add_stat(NULL, PGR_STAT_PASSES, 1),
			 -EINVAL);
	ck_assert_int_eq(pgr_strategy_add_stat(rep, PGR_NR_STATS, 1), -EINVAL);
	/* a named counter now: upstream has budget_exhausted, not bits */
	ck_assert_int_eq(pgr_strategy_add_stat(rep, PGR_STAT_BITS_VISITED, 5),
			 -EINVAL);
	ck_assert_int_eq(
		pgr_strategy_add_stat(rep, PGR_STAT_BUDGET_EXHAUSTED, 5), 0);
	ck_assert_uint_eq(rep_counter(node, "budget_exhausted"), 5);

	/* the lock */
	ck_assert_int_eq(pgr_strategy_lock(NULL, z0), -EINVAL);
	ck_assert_int_eq(pgr_strategy_lock(rep, NULL), -EINVAL);
	ck_assert_int_eq(pgr_strategy_lock(rep, foreign), -EINVAL);
	ck_assert_int_eq(pgr_strategy_unlock(rep, z0), -ENOLCK);
	ck_assert_int_eq(pgr_strategy_unlock(rep, foreign), -EINVAL);
	ck_assert_int_eq(
		pgr_strategy_list_first(rep, z0, 10, 1, PGR_LIST_HEAD, &first),
		-ENOLCK);
	ck_assert_int_eq(pgr_strategy_zone_counters(rep, z0, &cnt), -ENOLCK);
	ck_assert_int_eq(pgr_strategy_watermark_ok(rep, z0, 0, 0, &ok),
			 -ENOLCK);
	ck_assert_int_eq(pgr_strategy_block(rep, z0, 0x100000, &blk), -ENOLCK);
	ck_assert_int_eq(pgr_strategy_test_reported(rep, z0, 0x100000),
			 -ENOLCK);
	ck_assert_int_eq(pgr_strategy_clear_reported(rep, z0, 0x100000),
			 -ENOLCK);

	ck_assert_int_eq(pgr_strategy_lock(rep, z0), 0);
	ck_assert_int_eq(pgr_strategy_lock(rep, z0), -EDEADLK);
	ck_assert_int_eq(pgr_strategy_lock(rep, pgr_node_zone(node, 1)),
			 -EDEADLK);
	/* locked, bad arguments */
	ck_assert_int_eq(pgr_strategy_zone_counters(rep, z0, NULL), -EINVAL);
	ck_assert_int_eq(pgr_strategy_zone_counters(rep, z0, &cnt), 0);
	ck_assert_uint_eq(cnt.nr_free[10], 16);
	ck_assert_int_eq(pgr_strategy_watermark_ok(rep, z0, 11, 0, &ok),
			 -EINVAL);
	ck_assert_int_eq(pgr_strategy_watermark_ok(rep, z0, 0, 0, NULL),
			 -EINVAL);
	ck_assert_int_eq(pgr_strategy_watermark_ok(rep, z0, 0, 1ULL << 40, &ok),
			 0);
	ck_assert(!ok);
	ck_assert_int_eq(
		pgr_strategy_list_first(rep, z0, 11, 1, PGR_LIST_HEAD, &first),
		-EINVAL);
	ck_assert_int_eq(
		pgr_strategy_list_first(rep, z0, 10, 5, PGR_LIST_HEAD, &first),
		-EINVAL);
	ck_assert_int_eq(pgr_strategy_list_first(rep, z0, 10, 1, 2, &first),
			 -EINVAL);
	ck_assert_int_eq(
		pgr_strategy_list_first(rep, z0, 10, 1, PGR_LIST_HEAD, NULL),
		-EINVAL);
	ck_assert_int_eq(
		pgr_strategy_list_first(rep, z0, 3, 1, PGR_LIST_HEAD, &first),
		-ENOENT); /* empty */
	ck_assert_int_eq(
		pgr_strategy_list_first(rep, z0, 10, 1, PGR_LIST_TAIL, &first),
		0);
	/* the tail has no next toward the tail */
	ck_assert_int_eq(pgr_strategy_list_next(rep, z0, 10, 1, first,
						PGR_LIST_HEAD, &pfn),
			 -ENODATA);
	ck_assert_int_eq(pgr_strategy_list_next(rep, z0, 10, 1, first,
						PGR_LIST_TAIL, &pfn),
			 0);
	ck_assert_int_eq(pgr_strategy_list_next(rep, z0, 10, 0, first,
						PGR_LIST_TAIL, &pfn),
			 -ENOENT); /* not on that list */
	ck_assert_int_eq(pgr_strategy_list_next(rep, z0, 10, 1, first + 1,
						PGR_LIST_TAIL, &pfn),
			 -ENOENT);
	ck_assert_int_eq(
		pgr_strategy_list_next(rep, z0, 10, 1, 7, PGR_LIST_TAIL, &pfn),
		-ENOENT);
	ck_assert_int_eq(pgr_strategy_list_next(rep, z0, 10, 1, first, 9, &pfn),
			 -EINVAL);
	ck_assert_int_eq(pgr_strategy_block(rep, z0, 7, &blk), -ERANGE);
	ck_assert_int_eq(pgr_strategy_block(rep, z0, first, NULL), -EINVAL);
	ck_assert_int_eq(pgr_strategy_block(rep, z0, first + 1, &blk), 0);
	ck_assert(!blk.free);
	ck_assert_int_eq(pgr_strategy_block(rep, z0, first, &blk), 0);
	ck_assert(blk.free && blk.order == 10 && blk.migratetype == 1);
	ck_assert_int_eq(pgr_strategy_test_reported(rep, z0, first), 0);
	ck_assert_int_eq(pgr_strategy_test_reported(rep, z0, first + 1),
			 -ENOENT);
	ck_assert_int_eq(pgr_strategy_clear_reported(rep, z0, 7), -ERANGE);
	ck_assert_int_eq(pgr_strategy_clear_reported(rep, z0, first), 0);
	/* work-only primitives: -EPERM outside the work */
	ck_assert_int_eq(pgr_strategy_isolate(rep, z0, first, 10, 0), -EPERM);
	ck_assert_int_eq(
		pgr_strategy_list_rotate_to_front(rep, z0, 10, 1, first),
		-EPERM);
	ck_assert_int_eq(pgr_strategy_putback(rep, 0), -EPERM);
	ck_assert_int_eq(pgr_strategy_unlock(rep, z0), 0);
	ck_assert_int_eq(pgr_strategy_report(rep), -EPERM);
	ck_assert_int_eq(pgr_strategy_report(NULL), -EINVAL);
	ck_assert_int_eq(pgr_strategy_isolate(NULL, z0, first, 10, 0), -EINVAL);

	ck_assert_int_eq(pgr_reporting_unregister(node), 0);
	ck_assert_int_eq(pgr_node_check(node, msg, sizeof(msg)), 0);
	pgr_node_destroy(node);
	pgr_node_destroy(other);
	pgr_sink_destroy(rec);
}
END_TEST

/* ---- inside the work ---------------------------------------------------- */

static struct work_log {
	int flags_bad, not_free, full, report_locked, report_empty;
	int putback_unlocked, putback_flags, cross_zone, rotate, first_after;
	int marked, reported_ok, wrong_order;
	uint64_t tail;
} wl;

static void script_batch(struct pgr_reporting *rep)
{
	struct pgr_zone *z0 = pgr_strategy_zone(rep, 0);
	struct pgr_zone *z1 = pgr_strategy_zone(rep, 1);
	uint64_t pfn, next, first;
	struct pgr_reporting_config c;

	pgr_strategy_get_config(rep, &c);
	wl.report_empty = pgr_strategy_report(rep);
	pgr_strategy_lock(rep, z0);
	pgr_strategy_list_first(rep, z0, 10, 1, PGR_LIST_HEAD, &pfn);
	wl.flags_bad = pgr_strategy_isolate(rep, z0, pfn, 10, 0x80);
	wl.not_free = pgr_strategy_isolate(rep, z0, pfn + 1024 * 64, 10, 0);
	wl.wrong_order = pgr_strategy_isolate(rep, z0, pfn, 9, 0);
	/* rotate the tail to the front */
	pgr_strategy_list_first(rep, z0, 10, 1, PGR_LIST_TAIL, &wl.tail);
	wl.rotate = pgr_strategy_list_rotate_to_front(rep, z0, 10, 1, wl.tail);
	pgr_strategy_list_first(rep, z0, 10, 1, PGR_LIST_HEAD, &first);
	wl.first_after = first == wl.tail;
	/* fill the batch (capacity 4) from the head */
	for (unsigned int i = 0; i < c.capacity; i++) {
		pgr_strategy_list_first(rep, z0, 10, 1, PGR_LIST_HEAD, &pfn);
		ck_assert_int_eq(pgr_strategy_isolate(rep, z0, pfn, 10,
						      i % 2 ? PGR_BATCH_FRONT
							    : PGR_BATCH_BACK),
				 0);
	}
	pgr_strategy_list_first(rep, z0, 10, 1, PGR_LIST_HEAD, &next);
	wl.full = pgr_strategy_isolate(rep, z0, next, 10, 0);
	wl.report_locked = pgr_strategy_report(rep);
	pgr_strategy_unlock(rep, z0);
	/* another zone's block while the batch holds z0's */
	pgr_strategy_lock(rep, z1);
	pgr_strategy_list_first(rep, z1, 10, 1, PGR_LIST_HEAD, &pfn);
	wl.cross_zone = pgr_strategy_isolate(rep, z1, pfn, 10, 0);
	wl.putback_unlocked = pgr_strategy_putback(rep, 0);
	pgr_strategy_unlock(rep, z1);
	wl.reported_ok = pgr_strategy_report(rep);
	pgr_strategy_lock(rep, z0);
	wl.putback_flags = pgr_strategy_putback(rep, 0x10);
	ck_assert_int_eq(
		pgr_strategy_putback(rep, PGR_PUTBACK_MARK | PGR_PUTBACK_TAIL),
		0);
	wl.marked = pgr_strategy_test_reported(rep, z0, wl.tail);
	pgr_strategy_unlock(rep, z0);
}

/*
 * Inside process: bad flags, a pfn not free or at another order, a full
 * batch, report with the lock held or an empty batch, another zone, a
 * putback without the lock or with bad flags: each fails as documented;
 * rotate makes the tail first; the batch is reported front-to-back in
 * the order FRONT/BACK inserts give; putback marks the blocks.
 */
START_TEST(test_strategy_in_work)
{
	struct pgr_node *node = two_zones();
	struct pgr_sink *rec = recorder(4, 0);
	struct pgr_reporting_config c = { .strategy_name = "probe" };
	struct pgr_recorded_batch b;

	register_probe();
	memset(&wl, 0, sizeof(wl));
	memset(&probe, 0, sizeof(probe));
	probe.script = script_batch;
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	ck_assert_int_eq(pgr_strategy_schedule(node->rep, 5), 0);
	ck_assert_int_eq(pgr_reporting_advance(node, 5), 0);
	ck_assert_int_eq(probe.runs, 1);
	ck_assert_int_eq(wl.report_empty, -ENODATA);
	ck_assert_int_eq(wl.flags_bad, -EINVAL);
	ck_assert_int_eq(wl.not_free, -ENOENT);
	ck_assert_int_eq(wl.wrong_order, -ENOENT);
	ck_assert_int_eq(wl.rotate, 0);
	ck_assert(wl.first_after);
	ck_assert_int_eq(wl.full, -ENOBUFS);
	ck_assert_int_eq(wl.report_locked, -EDEADLK);
	ck_assert_int_eq(wl.cross_zone, -EXDEV);
	ck_assert_int_eq(wl.putback_unlocked, -ENOLCK);
	ck_assert_int_eq(wl.reported_ok, 0);
	ck_assert_int_eq(wl.putback_flags, -EINVAL);
	ck_assert_int_eq(wl.marked, 1);
	ck_assert_uint_eq(pgr_sink_recorder_nr_batches(rec), 1);
	ck_assert_int_eq(pgr_sink_recorder_batch(rec, 0, &b), 0);
	ck_assert_uint_eq(b.n, 4);
	/* inserts: BACK(tail), FRONT, BACK, FRONT -> 4th, 2nd, 1st, 3rd */
	ck_assert_uint_eq(b.ranges[2].pfn, wl.tail);
	ck_assert_int_eq(pgr_node_check(node, msg, sizeof(msg)), 0);
	pgr_node_destroy(node);
	pgr_sink_destroy(rec);
}
END_TEST

static void script_leave(struct pgr_reporting *rep)
{
	struct pgr_zone *z0 = pgr_strategy_zone(rep, 0);
	uint64_t pfn;

	pgr_strategy_lock(rep, z0);
	pgr_strategy_list_first(rep, z0, 10, 1, PGR_LIST_HEAD, &pfn);
	ck_assert_int_eq(pgr_strategy_isolate(rep, z0, pfn, 10, 0), 0);
	/* returns holding the lock and the batch */
}

/*
 * ->notify_free: zone lock held by mm; reads work, batch operations are
 * -EPERM and locking is -EDEADLK.  A process() that returns holding the
 * lock and a block: the engine unlocks and returns the block unmarked.
 */
START_TEST(test_strategy_notify_and_cleanup)
{
	struct pgr_node *node = two_zones();
	struct pgr_zone *z0 = pgr_node_zone(node, 0);
	struct pgr_sink *rec = recorder(4, 0);
	struct pgr_reporting_config c = { .strategy_name = "probe" };
	struct pgr_zone_info zi;
	uint64_t pfn;

	register_probe();
	memset(&probe, 0, sizeof(probe));
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	ck_assert_int_eq(pgr_alloc_pages(z0, 10, PGR_MIGRATE_MOVABLE, 0, &pfn),
			 0);
	ck_assert_int_eq(pgr_alloc_pages(z0, 3, PGR_MIGRATE_MOVABLE, 0, &pfn),
			 0);
	ck_assert_int_eq(pgr_free_pages(z0, pfn, 3), 0); /* merges to 10 */
	ck_assert_int_eq(probe.notify_calls, 1);
	ck_assert_int_eq(probe.notify_isolate, -EPERM);
	ck_assert_int_eq(probe.notify_lock, -EDEADLK);
	ck_assert_int_eq(probe.notify_first, 0);
	ck_assert_int_eq(probe.notify_counters, 0);
	ck_assert_int_eq(probe.notify_putback, -EPERM);
	ck_assert_int_eq(probe.notify_schedule, 0);
	ck_assert(pgr_reporting_pending(node));

	probe.script = script_leave;
	ck_assert_int_eq(pgr_reporting_advance(node, 1000), 0);
	ck_assert_int_eq(probe.runs, 1);
	ck_assert_int_eq(pgr_zone_get_info(z0, &zi), 0); /* lock released */
	ck_assert_uint_eq(zi.nr_isolated_pages, 0);
	ck_assert_uint_eq(zi.nr_reported[10], 0);
	ck_assert_int_eq(pgr_node_check(node, msg, sizeof(msg)), 0);
	pgr_node_destroy(node);
	pgr_sink_destroy(rec);
}
END_TEST

/* The block script_free_in_work frees, and what it saw around the free. */
static struct {
	struct pgr_zone *zone;
	uint64_t pfn;
	int calls_before, calls_after, free_err, batch_after;
	struct pgr_zone_info before, after;
} fw;

static void script_free_in_work(struct pgr_reporting *rep)
{
	ck_assert_int_eq(pgr_zone_get_info(fw.zone, &fw.before), 0);
	fw.calls_before = probe.notify_calls;
	/* mm takes the zone lock and calls ->notify_free on this thread */
	fw.free_err = pgr_free_pages(fw.zone, fw.pfn, 3);
	fw.calls_after = probe.notify_calls;
	fw.batch_after = pgr_strategy_batch_count(rep);
	ck_assert_int_eq(pgr_zone_get_info(fw.zone, &fw.after), 0);
}

/*
 * ->notify_free on the work's own thread: process() frees an order-3
 * block that merges back into an order-10 one, so mm calls ->notify_free
 * inside the work.  There the thread is the work's (the outside-the-work
 * check passes), so only the notify check stands between the probe and
 * the batch.  Expect isolate and putback -EPERM, lock -EDEADLK, and
 * nothing changed: the batch empty, the order-10 block free on its list,
 * no page isolated, the free count up by exactly the 8 pages freed.
 */
START_TEST(test_strategy_notify_on_work_thread)
{
	struct pgr_node *node = two_zones();
	struct pgr_sink *rec = recorder(4, 0);
	struct pgr_reporting_config c = { .strategy_name = "probe" };
	struct pgr_page_info pi;
	uint64_t pfn10;

	register_probe();
	memset(&probe, 0, sizeof(probe));
	memset(&fw, 0, sizeof(fw));
	fw.zone = pgr_node_zone(node, 0);
	ck_assert_int_eq(
		pgr_alloc_pages(fw.zone, 10, PGR_MIGRATE_MOVABLE, 0, &pfn10),
		0);
	ck_assert_int_eq(pgr_free_pages(fw.zone, pfn10, 10), 0);
	ck_assert_int_eq(
		pgr_alloc_pages(fw.zone, 3, PGR_MIGRATE_MOVABLE, 0, &fw.pfn),
		0);
	ck_assert_int_eq(pgr_reporting_register(node, rec, &c), 0);
	memset(&probe, 0, sizeof(probe));
	probe.script = script_free_in_work;
	ck_assert_int_eq(pgr_strategy_schedule(node->rep, 5), 0);
	ck_assert_int_eq(pgr_reporting_advance(node, 5), 0);
	ck_assert_int_eq(probe.runs, 1);
	ck_assert_int_eq(fw.free_err, 0);
	ck_assert_int_eq(fw.calls_after - fw.calls_before, 1);
	ck_assert_int_eq(probe.notify_isolate, -EPERM);
	ck_assert_int_eq(probe.notify_putback, -EPERM);
	ck_assert_int_eq(probe.notify_lock, -EDEADLK);
	ck_assert_int_eq(fw.batch_after, 0);
	ck_assert_uint_eq(fw.after.nr_isolated_pages, 0);
	ck_assert_uint_eq(fw.after.nr_free_pages, fw.before.nr_free_pages + 8);
	ck_assert_uint_eq(fw.after.nr_free[10], fw.before.nr_free[10] + 1);
	ck_assert_uint_eq(pgr_sink_recorder_nr_batches(rec), 0);
	/* the merged block: free, order 10, not reported */
	ck_assert_int_eq(pgr_page_get_info(fw.zone, fw.pfn & ~1023ULL, &pi), 0);
	ck_assert_int_eq(pi.state, PGR_PAGE_FREE);
	ck_assert_uint_eq(pi.order, 10);
	ck_assert(!pi.reported);
	probe.script = NULL;
	ck_assert_int_eq(pgr_reporting_unregister(node), 0);
	ck_assert_int_eq(pgr_node_check(node, msg, sizeof(msg)), 0);
	pgr_node_destroy(node);
	pgr_sink_destroy(rec);
}
END_TEST

static Suite *strategy_api_suite(void)
{
	Suite *s = suite_create("strategy_api");
	TCase *tc = tcase_create("api");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_strategy_register);
	tcase_add_test(tc, test_strategy_tunables);
	tcase_add_test(tc, test_strategy_outside_context);
	tcase_add_test(tc, test_strategy_in_work);
	tcase_add_test(tc, test_strategy_notify_and_cleanup);
	tcase_add_test(tc, test_strategy_notify_on_work_thread);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(strategy_api_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
