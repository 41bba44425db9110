// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The strategy-blind engine: a strategy's policy comes from its ops table
 * (default delay, order rule, capacity, fixed order), its parameters are
 * typed, parsed, range-checked and read back by name, its counters are
 * kept and reported by name, and bad tables or settings fail with a
 * message that names them.  Test strategies are registered here (each
 * test runs in its own process, Check's default fork mode, so names do
 * not collide across tests).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

#define MS  1000000ULL
#define SEC 1000000000ULL

static struct pgr_node *node_of(unsigned max_order, unsigned pb_order)
{
	struct pgr_node_config nc = {
		.max_order = max_order,
		.pageblock_order = pb_order,
		.nr_zones = 1,
		.zones = { { .nr_pages = 1 << 14 } },
	};
	struct pgr_node *n = pgr_node_create(&nc);

	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(pgr_zone_populate(pgr_node_zone(n, 0)), 0);
	return n;
}

/* ---- a strategy that counts what it sees ------------------------------- */

enum { C_PASSES_SEEN, C_FREES_SEEN };

static const struct pgr_strategy_counter counters[] = {
	[C_PASSES_SEEN] = { "passes_seen", "runs of process" },
	[C_FREES_SEEN] = { "frees_seen", "notify_free calls" },
};

static const struct pgr_strategy_param params[] = {
	{ "budget", PGR_PARAM_UINT, 8, 1, 100, "blocks per pass" },
	{ "eager", PGR_PARAM_BOOL, 0, 0, 1, "report at once" },
	{ "min_age", PGR_PARAM_NS, 5 * SEC, 0, 3600 * SEC, "free for" },
};

static void t_notify(struct pgr_reporting *rep, void *priv,
		     struct pgr_zone *zone, uint64_t pfn, unsigned order)
{
	(void)priv, (void)zone, (void)pfn, (void)order;
	/* not the work: the counter goes under the engine lock */
	ck_assert_int_eq(pgr_strategy_counter_add(rep, C_FREES_SEEN, 1), 0);
	pgr_strategy_schedule(rep, 0);
}

static void t_process(struct pgr_reporting *rep, void *priv)
{
	(void)priv;
	ck_assert_int_eq(pgr_strategy_counter_add(rep, C_PASSES_SEEN, 2), 0);
	ck_assert_int_eq(pgr_strategy_counter_add(rep, 2, 1), -EINVAL);
}

static const struct pgr_strategy_ops counting = {
	.name = "counting",
	.notify_free = t_notify,
	.process = t_process,
	.default_delay_ns = 7 * MS,
	.order_rule = PGR_ORDER_MAX,
	.order_offset = -1,
	.default_capacity = 4,
	.params = params,
	.nr_params = 3,
	.counters = counters,
	.nr_counters = 2,
};

static uint64_t param(struct pgr_node *n, const char *name, int *r_set)
{
	uint64_t v = UINT64_MAX;
	int set = pgr_reporting_get_param(n, name, &v);

	ck_assert_int_ge(set, 0);
	if (r_set)
		*r_set = set;
	return v;
}

/*
 * Defaults come from the ops: delay 7 ms, order max_order - 1 = 10,
 * capacity min(4, sink's 32), the strategy's own parameters' defaults;
 * get_param says which the config set (1) and which are defaults (0).
 */
START_TEST(test_params_defaults_from_ops)
{
	struct pgr_node *n = node_of(11, 9);
	struct pgr_sink *sink = pgr_sink_null_create(32);
	struct pgr_reporting_config c = { .strategy_name = "counting" };
	struct pgr_reporting_config e;
	struct pgr_param_info pi;
	int id = pgr_strategy_register(&counting), set;

	ck_assert_int_ge(id, PGR_NR_STRATEGIES);
	ck_assert_int_eq(pgr_strategy_nr_params(id), 6);
	ck_assert_int_eq(pgr_strategy_param_info(id, 0, &pi), 0);
	ck_assert_str_eq(pi.name, "delay");
	ck_assert_int_eq(pi.type, PGR_PARAM_NS);
	ck_assert_uint_eq(pi.def, 7 * MS);
	ck_assert_int_eq(pgr_strategy_param_info(id, 5, &pi), 0);
	ck_assert_str_eq(pi.name, "min_age");
	ck_assert_uint_eq(pi.def, 5 * SEC);
	ck_assert_int_eq(pgr_strategy_param_info(id, 6, &pi), -EINVAL);
	ck_assert_int_eq(pgr_strategy_param_info(99, 0, &pi), -EINVAL);

	ck_assert_int_eq(pgr_reporting_register(n, sink, &c), 0);
	ck_assert_int_eq(pgr_reporting_get_config(n, &e), 0);
	ck_assert_uint_eq(e.delay_ns, 7 * MS);
	ck_assert_uint_eq(e.order, 10);
	ck_assert_uint_eq(e.capacity, 4);
	ck_assert_uint_eq(param(n, "delay", &set), 7 * MS);
	ck_assert_int_eq(set, 0);
	ck_assert_uint_eq(param(n, "order", &set), 10);
	ck_assert_int_eq(set, 0);
	ck_assert_uint_eq(param(n, "counting.budget", &set), 8);
	ck_assert_int_eq(set, 0);
	ck_assert_uint_eq(param(n, "min_age", NULL), 5 * SEC);
	ck_assert_int_eq(pgr_reporting_unregister(n), 0);

	/* a bigger capacity is the caller's to ask for, up to the sink's */
	c.capacity = 32;
	ck_assert_int_eq(pgr_reporting_register(n, sink, &c), 0);
	ck_assert_uint_eq(param(n, "capacity", &set), 32);
	ck_assert_int_eq(set, 1);
	ck_assert_int_eq(pgr_reporting_unregister(n), 0);
	pgr_node_destroy(n);
	pgr_sink_destroy(sink);
}
END_TEST

/* The rules of ops->order_rule, with the pageblock fallback. */
START_TEST(test_params_order_rules)
{
	static const struct {
		enum pgr_order_rule rule;
		int offset;
		unsigned want;
	} t[] = {
		{ PGR_ORDER_PAGEBLOCK, 0, 9 }, { PGR_ORDER_PAGEBLOCK, 1, 10 },
		{ PGR_ORDER_MAX, -2, 9 },      { PGR_ORDER_ABSOLUTE, 3, 3 },
		{ PGR_ORDER_MAX, 0, 9 }, /* 11: not an order, fall back */
		{ PGR_ORDER_ABSOLUTE, -1, 9 },
	};
	static struct pgr_strategy_ops ops[6];
	static char names[6][16];
	struct pgr_node *n = node_of(11, 9);
	struct pgr_sink *sink = pgr_sink_null_create(32);

	for (unsigned i = 0; i < 6; i++) {
		struct pgr_reporting_config c = { .strategy_name = names[i] };
		struct pgr_reporting_config e;

		snprintf(names[i], sizeof(names[i]), "rule-%u", i);
		ops[i] = (struct pgr_strategy_ops){
			.name = names[i],
			.process = t_process,
			.order_rule = t[i].rule,
			.order_offset = t[i].offset,
		};
		ck_assert_int_ge(pgr_strategy_register(&ops[i]), 0);
		ck_assert_int_eq(pgr_reporting_register(n, sink, &c), 0);
		ck_assert_int_eq(pgr_reporting_get_config(n, &e), 0);
		ck_assert_msg(e.order == t[i].want, "rule %u: order %u", i,
			      e.order);
		/* nothing said: 2 s, the sink's capacity, as before */
		ck_assert_uint_eq(e.delay_ns, PGR_REPORTING_DELAY_NS_DEFAULT);
		ck_assert_uint_eq(e.capacity, 32);
		ck_assert_int_eq(pgr_reporting_unregister(n), 0);
	}
	pgr_node_destroy(n);
	pgr_sink_destroy(sink);
}
END_TEST

/* FIXED_ORDER: the default only; DELAY_SET: a default delay of 0. */
START_TEST(test_params_fixed_order_and_zero_delay)
{
	static const struct pgr_strategy_ops fixed = {
		.name = "fixed",
		.process = t_process,
		.flags = PGR_STRATEGY_FIXED_ORDER | PGR_STRATEGY_DELAY_SET,
	};
	struct pgr_node *n = node_of(11, 9);
	struct pgr_sink *sink = pgr_sink_null_create(32);
	struct pgr_param o = { .name = "order", .value = 8 };
	struct pgr_reporting_config c = { .strategy_name = "fixed",
					  .params = &o,
					  .nr_params = 1 };
	struct pgr_reporting_config e;

	ck_assert_int_ge(pgr_strategy_register(&fixed), 0);
	ck_assert_int_eq(pgr_reporting_register(n, sink, &c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "fixed reports at order 9"));
	o.value = 9;
	ck_assert_int_eq(pgr_reporting_register(n, sink, &c), 0);
	ck_assert_int_eq(pgr_reporting_get_config(n, &e), 0);
	ck_assert_uint_eq(e.delay_ns, 0);
	ck_assert_int_eq(pgr_reporting_unregister(n), 0);
	pgr_node_destroy(n);
	pgr_sink_destroy(sink);
}
END_TEST

/* Register with @nr settings; return the result, pgr_errmsg() kept. */
static int reg(struct pgr_node *n, struct pgr_sink *s, const char *strategy,
	       const struct pgr_param *p, unsigned nr)
{
	struct pgr_reporting_config c = { .strategy_name = strategy,
					  .params = p,
					  .nr_params = nr };
	int err = pgr_reporting_register(n, s, &c);

	if (!err)
		ck_assert_int_eq(pgr_reporting_unregister(n), 0);
	return err;
}

#define BAD(msg, ...)                                                       \
	do {                                                                \
		const struct pgr_param p_[] = { __VA_ARGS__ };              \
		ck_assert_int_eq(reg(n, sink, "counting", p_,               \
				     sizeof(p_) / sizeof(p_[0])),           \
				 -EINVAL);                                  \
		ck_assert_msg(strstr(pgr_errmsg(), msg), "'%s' lacks '%s'", \
			      pgr_errmsg(), msg);                           \
	} while (0)

/*
 * Every way a setting can be wrong fails the registration with -EINVAL
 * and a message naming the parameter; nothing stays registered.
 */
START_TEST(test_params_validation)
{
	struct pgr_node *n = node_of(11, 9);
	struct pgr_sink *sink = pgr_sink_null_create(32);
	struct pgr_reporting_config c = { .strategy_name = "counting",
					  .delay_ns = 5 };
	struct pgr_param dly = { .name = "delay", .text = "1ms" };
	uint64_t v;

	ck_assert_int_ge(pgr_strategy_register(&counting), 0);
	BAD("counting has no parameter 'bugdet'", { .name = "bugdet" });
	BAD("counting.budget: 0 not in [1, 100]", { .name = "budget" });
	BAD("counting.budget: 101 not in", { .name = "budget", .value = 101 });
	BAD("'ten' is not an unsigned number",
	    { .name = "budget", .text = "ten" });
	BAD("'-1' is not an unsigned", { .name = "budget", .text = "-1" });
	BAD("'99999999999999999999' is too big",
	    { .name = "budget", .text = "99999999999999999999" });
	BAD("'maybe' is not a boolean", { .name = "eager", .text = "maybe" });
	BAD("counting.eager: 2 not in [0, 1]", { .name = "eager", .value = 2 });
	BAD("'5' needs a unit", { .name = "min_age", .text = "5" });
	BAD("'5 s' is not a duration", { .name = "min_age", .text = "5 s" });
	BAD("'1.0000000001s' is not a duration",
	    { .name = "min_age", .text = "1.0000000001s" });
	BAD("counting.min_age: 7200000000000000 not in",
	    { .name = "min_age", .text = "7200000s" });
	BAD("'2h' is not a duration", { .name = "min_age", .text = "2h" });
	BAD("set twice", { .name = "budget", .value = 3 },
	    { .name = "counting.budget", .value = 4 });
	BAD("no strategy 'nosuch'", { .name = "nosuch.budget", .value = 3 });
	/* a setting for another strategy is checked, then left out */
	BAD("upstream has no parameter 'budget'",
	    { .name = "upstream.budget", .value = 3 });
	BAD("upstream.gate_blocks: 0 not in",
	    { .name = "upstream.gate_blocks" });
	BAD("has no name", { .name = NULL });
	ck_assert_int_eq(reg(n, sink, "counting", &dly, 1), 0);
	c.params = &dly;
	c.nr_params = 1;
	ck_assert_int_eq(pgr_reporting_register(n, sink, &c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "delay_ns and the"));
	c.params = NULL;
	ck_assert_int_eq(pgr_reporting_register(n, sink, &c), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "params NULL"));
	ck_assert_int_eq(pgr_reporting_get_param(n, "delay", &v), -ENOENT);

	/* good ones, read back as given */
	{
		const struct pgr_param p[] = {
			{ .name = "counting.budget", .text = "0x20" },
			{ .name = "eager", .text = "on" },
			{ .name = "min_age", .text = "1.5ms" },
			{ .name = "v11-boundary.hwm", .text = "64" },
			{ .name = "capacity", .value = 2 },
		};
		struct pgr_reporting_config g = { .strategy_name = "counting",
						  .params = p,
						  .nr_params = 5 };
		int set;

		ck_assert_int_eq(pgr_reporting_register(n, sink, &g), 0);
		ck_assert_uint_eq(param(n, "budget", &set), 32);
		ck_assert_int_eq(set, 1);
		ck_assert_uint_eq(param(n, "eager", NULL), 1);
		ck_assert_uint_eq(param(n, "min_age", NULL), 1500000);
		ck_assert_uint_eq(param(n, "capacity", &set), 2);
		ck_assert_int_eq(set, 1);
		ck_assert_int_eq(pgr_reporting_get_param(n, "hwm", &v),
				 -ENOENT);
		ck_assert_int_eq(
			pgr_reporting_get_param(n, "v11-boundary.hwm", &v),
			-ENOENT);
		ck_assert_int_eq(pgr_reporting_unregister(n), 0);
	}
	pgr_node_destroy(n);
	pgr_sink_destroy(sink);
}
END_TEST

/* The text forms, without a strategy. */
START_TEST(test_params_parse)
{
	static const struct {
		enum pgr_param_type type;
		const char *text;
		uint64_t want;
	} good[] = {
		{ PGR_PARAM_UINT, "0", 0 },
		{ PGR_PARAM_UINT, "18446744073709551615", UINT64_MAX },
		{ PGR_PARAM_UINT, "0xFF", 255 },
		{ PGR_PARAM_BOOL, "true", 1 },
		{ PGR_PARAM_BOOL, "off", 0 },
		{ PGR_PARAM_NS, "0", 0 },
		{ PGR_PARAM_NS, "2s", 2 * SEC },
		{ PGR_PARAM_NS, "100us", 100000 },
		{ PGR_PARAM_NS, "0.5s", SEC / 2 },
		{ PGR_PARAM_NS, "7ns", 7 },
		{ PGR_PARAM_NS, ".25ms", 250000 },
	};
	static const struct {
		enum pgr_param_type type;
		const char *text;
	} bad[] = {
		{ PGR_PARAM_UINT, "" },
		{ PGR_PARAM_UINT, "0x" },
		{ PGR_PARAM_UINT, "1e3" },
		{ PGR_PARAM_UINT, "18446744073709551616" },
		{ PGR_PARAM_BOOL, "2" },
		{ PGR_PARAM_BOOL, "" },
		{ PGR_PARAM_NS, "s" },
		{ PGR_PARAM_NS, "1.5ns" },
		{ PGR_PARAM_NS, "3 ms" },
		{ PGR_PARAM_NS, "99999999999s" },
		{ PGR_PARAM_NS, "1min" },
		{ (enum pgr_param_type)7, "1" },
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(!pgr_param_parse(good[i].type, good[i].text, &v),
			      "%s: %s", good[i].text, pgr_errmsg());
		ck_assert_uint_eq(v, good[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pgr_param_parse(bad[i].type, bad[i].text, &v) ==
				      -EINVAL,
			      "'%s' accepted", bad[i].text);
	ck_assert_int_eq(pgr_param_parse(PGR_PARAM_UINT, NULL, &v), -EINVAL);
}
END_TEST

/*
 * Named counters: the work's additions and another context's, read by
 * index and by name while registered; static info before registering.
 */
START_TEST(test_params_counters_by_name)
{
	struct pgr_node *n = node_of(11, 9);
	struct pgr_zone *z = pgr_node_zone(n, 0);
	struct pgr_sink *sink = pgr_sink_null_create(32);
	struct pgr_reporting_config c = { .strategy_name = "counting" };
	int id = pgr_strategy_register(&counting);
	const char *name, *help;
	uint64_t v, pfn;

	ck_assert_int_eq(pgr_strategy_nr_counters(id), 2);
	ck_assert_int_eq(pgr_strategy_counter_info(id, 1, &name, &help), 0);
	ck_assert_str_eq(name, "frees_seen");
	ck_assert_str_eq(help, "notify_free calls");
	ck_assert_int_eq(pgr_strategy_counter_info(id, 2, &name, NULL),
			 -EINVAL);
	ck_assert_int_eq(pgr_strategy_nr_counters(-1), -EINVAL);
	ck_assert_int_eq(pgr_reporting_nr_counters(n), -ENOENT);

	ck_assert_int_eq(pgr_reporting_register(n, sink, &c), 0);
	ck_assert_int_eq(pgr_reporting_nr_counters(n), 2);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(pgr_alloc_pages(z, 10, 1, 0, &pfn), 0);
		ck_assert_int_eq(pgr_free_pages(z, pfn, 10), 0);
		ck_assert_int_eq(pgr_reporting_run_until_idle(n, SEC, NULL), 0);
	}
	ck_assert_int_eq(pgr_reporting_counter(n, 0, &name, &v), 0);
	ck_assert_str_eq(name, "passes_seen");
	ck_assert_uint_eq(v, 6); /* 3 passes, 2 each */
	ck_assert_int_eq(pgr_reporting_get_counter(n, "frees_seen", &v), 0);
	ck_assert_uint_eq(v, 3);
	ck_assert_int_eq(pgr_reporting_counter(n, 2, &name, &v), -EINVAL);
	ck_assert_int_eq(pgr_reporting_get_counter(n, "bits_visited", &v),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "counting"));
	ck_assert_int_eq(pgr_reporting_unregister(n), 0);
	pgr_node_destroy(n);
	pgr_sink_destroy(sink);
}
END_TEST

/* enum pgr_strategy_stat on a strategy that declares no counters. */
static void legacy_start(struct pgr_reporting *rep, void *priv)
{
	(void)priv;
	pgr_strategy_schedule(rep, 0);
}

static void legacy_process(struct pgr_reporting *rep, void *priv)
{
	(void)priv;
	ck_assert_int_eq(pgr_strategy_add_stat(rep, PGR_STAT_PASSES, 1), 0);
	ck_assert_int_eq(pgr_strategy_add_stat(rep, PGR_STAT_BITS_VISITED, 3),
			 0);
	ck_assert_int_eq(pgr_strategy_add_stat(rep, PGR_STAT_ZONES_GATED, 1),
			 0);
	ck_assert_int_eq(
		pgr_strategy_add_stat(rep, PGR_STAT_BOUNDARY_RESETS, 2), 0);
}

/*
 * A strategy written before named counters: the four stats that left
 * struct pgr_reporting_stats are its counters, by their old names; one
 * that declares counters has only those.
 */
START_TEST(test_params_legacy_counters)
{
	static const struct pgr_strategy_ops legacy = {
		.name = "legacy",
		.start = legacy_start,
		.process = legacy_process,
	};
	static const char *const want[] = { "bits_visited", "budget_exhausted",
					    "zones_gated", "boundary_resets" };
	static const uint64_t vals[] = { 3, 0, 1, 2 };
	struct pgr_node *n = node_of(11, 9);
	struct pgr_sink *sink = pgr_sink_null_create(32);
	struct pgr_reporting_config c = { .strategy_name = "legacy" };
	struct pgr_reporting_stats st;
	int id = pgr_strategy_register(&legacy);

	ck_assert_int_eq(pgr_strategy_nr_counters(id), 4);
	ck_assert_int_eq(pgr_reporting_register(n, sink, &c), 0);
	ck_assert_int_eq(pgr_reporting_run_until_idle(n, 10 * SEC, NULL), 0);
	ck_assert_int_eq(pgr_reporting_get_stats(n, &st), 0);
	ck_assert_uint_eq(st.passes, 1);
	ck_assert_int_eq(pgr_reporting_nr_counters(n), 4);
	for (unsigned i = 0; i < 4; i++) {
		const char *name;
		uint64_t v;

		ck_assert_int_eq(pgr_reporting_counter(n, i, &name, &v), 0);
		ck_assert_str_eq(name, want[i]);
		ck_assert_uint_eq(v, vals[i]);
	}
	ck_assert_int_eq(pgr_reporting_unregister(n), 0);
	pgr_node_destroy(n);
	pgr_sink_destroy(sink);
}
END_TEST

/* ->init says why it fails: the caller reads it in pgr_errmsg(). */
static int failing_init(struct pgr_reporting *rep, void **r_priv)
{
	(void)r_priv;
	return pgr_strategy_error(rep, ENOTSUP, "needs %d zones", 3);
}

START_TEST(test_params_init_error_message)
{
	static const struct pgr_strategy_ops failing = {
		.name = "failing",
		.init = failing_init,
		.process = t_process,
	};
	struct pgr_node *n = node_of(11, 9);
	struct pgr_sink *sink = pgr_sink_null_create(32);
	struct pgr_reporting_config c = { .strategy_name = "failing" };

	ck_assert_int_ge(pgr_strategy_register(&failing), 0);
	ck_assert_int_eq(pgr_reporting_register(n, sink, &c), -ENOTSUP);
	ck_assert_str_eq(pgr_errmsg(),
			 "register: strategy failing: needs 3 zones");
	ck_assert_int_eq(pgr_reporting_get_config(n, &c), -ENOENT);
	pgr_node_destroy(n);
	pgr_sink_destroy(sink);
}
END_TEST

/* Tables a strategy cannot be registered with; the registry unchanged. */
START_TEST(test_params_bad_tables)
{
	static const struct pgr_strategy_param up[] = {
		{ "Budget", PGR_PARAM_UINT, 1, 0, 2, "" }
	};
	static const struct pgr_strategy_param resv[] = {
		{ "delay", PGR_PARAM_NS, 0, 0, 1, "" }
	};
	static const struct pgr_strategy_param dup[] = {
		{ "a", PGR_PARAM_UINT, 1, 0, 2, "" },
		{ "a", PGR_PARAM_UINT, 1, 0, 2, "" }
	};
	static const struct pgr_strategy_param range[] = {
		{ "a", PGR_PARAM_UINT, 5, 0, 2, "" }
	};
	static const struct pgr_strategy_param type[] = {
		{ "a", (enum pgr_param_type)9, 0, 0, 2, "" }
	};
	static const struct pgr_strategy_counter stat[] = { { "passes", "" } };
	static const struct pgr_strategy_counter cdup[] = { { "x", "" },
							    { "x", "" } };
	static const struct pgr_strategy_counter cname[] = { { "", "" } };
	const struct {
		struct pgr_strategy_ops ops;
		const char *msg;
	} t[] = {
		{ { .name = "b1",
		    .process = t_process,
		    .params = up,
		    .nr_params = 1 },
		  "outside [a-z0-9_]" },
		{ { .name = "b2",
		    .process = t_process,
		    .params = resv,
		    .nr_params = 1 },
		  "one of the engine's" },
		{ { .name = "b3",
		    .process = t_process,
		    .params = dup,
		    .nr_params = 2 },
		  "'a' twice" },
		{ { .name = "b4",
		    .process = t_process,
		    .params = range,
		    .nr_params = 1 },
		  "default 5 outside [0, 2]" },
		{ { .name = "b5",
		    .process = t_process,
		    .params = type,
		    .nr_params = 1 },
		  "unknown type 9" },
		{ { .name = "b6",
		    .process = t_process,
		    .counters = stat,
		    .nr_counters = 1 },
		  "is a field of struct pgr_reporting_stats" },
		{ { .name = "b7",
		    .process = t_process,
		    .counters = cdup,
		    .nr_counters = 2 },
		  "counter 'x' twice" },
		{ { .name = "b8",
		    .process = t_process,
		    .counters = cname,
		    .nr_counters = 1 },
		  "counter name of length 0" },
		{ { .name = "b9", .process = t_process, .nr_params = 1 },
		  "params NULL" },
		{ { .name = "b10",
		    .process = t_process,
		    .order_rule = (enum pgr_order_rule)5 },
		  "unknown order_rule 5" },
		{ { .name = "b11",
		    .process = t_process,
		    .default_capacity = 33 },
		  "default_capacity 33 above 32" },
		{ { .name = "b12", .process = t_process, .flags = 0x100 },
		  "unknown flags 0x100" },
	};
	unsigned before = pgr_strategy_count();

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(pgr_strategy_register(&t[i].ops), -EINVAL);
		ck_assert_msg(strstr(pgr_errmsg(), t[i].msg),
			      "%s: '%s' lacks '%s'", t[i].ops.name,
			      pgr_errmsg(), t[i].msg);
	}
	ck_assert_uint_eq(pgr_strategy_count(), before);
	ck_assert_int_eq(pgr_strategy_from_name("b1"), -EINVAL);
}
END_TEST

/* The built-ins declare what the engine used to look up by id. */
START_TEST(test_params_builtins_declare_policy)
{
	struct pgr_param_info pi;
	const char *name;

	ck_assert_int_eq(pgr_strategy_nr_params(PGR_STRATEGY_V11_BOUNDARY), 5);
	ck_assert_int_eq(
		pgr_strategy_param_info(PGR_STRATEGY_V11_RESCAN, 0, &pi), 0);
	ck_assert_uint_eq(pi.def, PGR_V11_DELAY_NS);
	ck_assert_int_eq(
		pgr_strategy_param_info(PGR_STRATEGY_V11_RESCAN, 3, &pi), 0);
	ck_assert_str_eq(pi.name, "hwm");
	ck_assert_uint_eq(pi.def, 32);
	ck_assert_int_eq(pgr_strategy_nr_params(PGR_STRATEGY_UPSTREAM), 6);
	ck_assert_int_eq(pgr_strategy_param_info(PGR_STRATEGY_UPSTREAM, 4, &pi),
			 0);
	ck_assert_str_eq(pi.name, "gate_blocks");
	ck_assert_uint_eq(pi.min, 1);
	ck_assert_uint_eq(pi.max, 1u << 20);
	ck_assert_int_eq(pgr_strategy_nr_params(PGR_STRATEGY_BITMAP), 3);
	ck_assert_int_eq(pgr_strategy_param_info(PGR_STRATEGY_BITMAP, 0, &pi),
			 0);
	ck_assert_uint_eq(pi.def, 0); /* schedule_work() */
	ck_assert_int_eq(pgr_strategy_nr_counters(PGR_STRATEGY_BITMAP), 1);
	ck_assert_int_eq(
		pgr_strategy_counter_info(PGR_STRATEGY_BITMAP, 0, &name, NULL),
		0);
	ck_assert_str_eq(name, "bits_visited");
	ck_assert_int_eq(pgr_strategy_counter_info(PGR_STRATEGY_V11_BOUNDARY, 0,
						   &name, NULL),
			 0);
	ck_assert_str_eq(name, "boundary_resets");
}
END_TEST

static Suite *params_suite(void)
{
	Suite *s = suite_create("strategy_params");
	TCase *tc = tcase_create("params");

	tcase_add_test(tc, test_params_defaults_from_ops);
	tcase_add_test(tc, test_params_order_rules);
	tcase_add_test(tc, test_params_fixed_order_and_zero_delay);
	tcase_add_test(tc, test_params_validation);
	tcase_add_test(tc, test_params_parse);
	tcase_add_test(tc, test_params_counters_by_name);
	tcase_add_test(tc, test_params_legacy_counters);
	tcase_add_test(tc, test_params_init_error_message);
	tcase_add_test(tc, test_params_bad_tables);
	tcase_add_test(tc, test_params_builtins_declare_policy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(params_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
