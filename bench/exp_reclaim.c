// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench reclaim: how fast freed guest memory goes back to the
 * host, and what the reporting order, delay and capacity cost.
 *
 * Part "curve" (virtual clock, null sink): a guest of --mem is filled to
 * 98% by the churn workload, reporting is registered and run until idle,
 * then at t = 0 a random 90% of the live blocks is freed and virtual time
 * advances in 100 ms steps for 40 s.  At each step: bytes reported since
 * t = 0 (with no allocation after t = 0 every reported byte stays with the
 * host).  v11 runs to completion 100 ms after the request; upstream makes
 * one pass every 2 s with a budget of 1/16 of each list plus one report,
 * the ~30 s drain of Duyck's 11 Feb 2020 measurement.
 * Part "summary": per strategy the times to 50/90/99% of what was returned
 * by the end of the window, the time of the last report, and the real CPU
 * time the reporter used.
 * Part "sweep" (HyperAlloc-style, upstream strategy): a small guest on real
 * memory (a memfd, all of it resident at the start; memory sink: real
 * discards, so a reused reported page refaults) runs a build-like
 * workload (see build_step()): a few jobs grow and free mostly order-0
 * heaps in about a quarter of the guest, writing every block and
 * computing a fixed 5 us per allocation; the reporter runs inline on the
 * virtual clock.  Points: reporting order 0..10 (delay 2 s, capacity 32),
 * delay 0.1/0.5/5 s at orders 9 and 0, capacity 1/4/16 at order 9, and
 * "off" (run first and last in each repeat).  overhead_pct = CPU time of
 * the build thread / that of "off" for the same trace - 1;
 * extra_ms_per_s = the same difference in ms per virtual second.  The
 * compute per allocation is far less than a real compiler's, so
 * percentages are not HyperAlloc's; the ranking of points is what
 * compares.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"

#define STEP_NS (100 * NSEC_PER_MSEC)

static uint64_t curve_seconds(void)
{
	return bench_opts.quick ? 36 : 40;
}

static void declare_columns(struct bench_table *t)
{
	bench_table_config_col(t, "part", BENCH_COL_TEXT, "");
	bench_table_config_col(t, "strategy", BENCH_COL_TEXT, "");
	bench_table_config_col(t, "mem_bytes", BENCH_COL_INT, "B");
	bench_table_config_col(t, "t_s", BENCH_COL_REAL, "virtual s");
	bench_table_config_col(t, "order", BENCH_COL_INT, "");
	bench_table_config_col(t, "delay_ms", BENCH_COL_REAL, "ms");
	bench_table_config_col(t, "capacity", BENCH_COL_INT, "blocks");
	bench_table_config_col(t, "sweep", BENCH_COL_TEXT, "");
	/* curve */
	bench_table_metric_col(t, "bytes_returned", "B");
	bench_table_metric_col(t, "returned_pct", "% of free at t=0");
	/* summary */
	bench_table_metric_col(t, "freed_bytes", "B");
	bench_table_metric_col(t, "t50_s", "virtual s");
	bench_table_metric_col(t, "t90_s", "virtual s");
	bench_table_metric_col(t, "t99_s", "virtual s");
	bench_table_metric_col(t, "last_report_s", "virtual s");
	bench_table_metric_col(t, "reporter_ns", "ns");
	bench_table_metric_col(t, "passes", "runs");
	bench_table_metric_col(t, "batches", "reports");
	/* sweep */
	bench_table_metric_col(t, "total_ns", "ns, thread CPU");
	bench_table_metric_col(t, "overhead_pct", "% vs off");
	bench_table_metric_col(t, "extra_ms_per_s", "ms real per virtual s");
	bench_table_metric_col(t, "reporter_cpu_pct", "%");
	bench_table_metric_col(t, "bytes_reported", "B");
	bench_table_metric_col(t, "rereported_pages", "4KiB pages");
	bench_table_metric_col(t, "resident_end_bytes", "B");
	bench_table_metric_col(t, "compute_pct", "% of wall time");
	bench_table_metric_col(t, "occupancy_pct", "% of guest, mean");
	bench_table_metric_col(t, "minor_faults", "faults");
}

/* ---- curve ----------------------------------------------------------------
 */

struct curve {
	enum pgr_strategy strategy;
	struct bench_row **rows; /* per step */
	struct bench_row *summary;
};

static int run_curve(struct curve *cv, unsigned nsteps, uint64_t seed)
{
	struct pgr_reporting_config rcfg = {
		.strategy = cv->strategy,
		.clock = PGR_CLOCK_VIRTUAL,
		.params = bench_opts.params,
		.nr_params = bench_opts.nr_params,
	};
	struct pgr_reporting_stats s0, s;
	struct pgr_zone_info info;
	struct pgr_node *node;
	struct pgr_sink *sink;
	struct pgr_workload_config wcfg = {
		.kind = PGR_WORKLOAD_CHURN,
		.seed = seed ^ 0xfeed,
		.churn.occupancy = 0.98,
	};
	struct pgr_workload *w = NULL;
	double *got, freed, last;
	uint64_t rep_ns = 0, v0;
	int err = -ENOMEM;

	node = bench_node_create(bench_opts.mem_bytes, false, seed);
	if (!node)
		return -ENOMEM;
	got = calloc(nsteps, sizeof(*got));
	sink = pgr_sink_null_create(PGR_REPORTING_CAPACITY);
	if (!got || !sink ||
	    !(w = bench_workload(pgr_node_zone(node, 0), &wcfg)))
		goto out;
	pgr_workload_fill(w);
	err = pgr_reporting_register(node, sink, &rcfg);
	if (err)
		goto out_churn;
	pgr_reporting_run_until_idle(node, 300 * NSEC_PER_SEC, NULL);
	pgr_reporting_get_stats(node, &s0);

	pgr_workload_free_fraction(w, 0.9); /* t = 0 */
	pgr_zone_get_info(pgr_node_zone(node, 0), &info);
	freed = (double)info.nr_free_pages * PGR_PAGE_SIZE;
	for (uint64_t o = 0; o < info.max_order; o++)
		freed -= (double)(info.nr_reported[o] << o) * PGR_PAGE_SIZE;
	v0 = pgr_reporting_now(node);
	bench_profile_measure(true);
	for (unsigned i = 0; i < nsteps; i++) {
		uint64_t a = bench_now_ns();

		pgr_reporting_advance(node, STEP_NS);
		rep_ns += bench_now_ns() - a;
		pgr_reporting_get_stats(node, &s);
		got[i] = (double)(s.bytes_reported - s0.bytes_reported);
	}
	bench_profile_measure(false);
	last = got[nsteps - 1];
	for (unsigned i = 0; i < nsteps; i++) {
		bench_row_sample(cv->rows[i], "bytes_returned", got[i]);
		bench_row_sample(cv->rows[i], "returned_pct",
				 freed > 0 ? 100.0 * got[i] / freed : 0);
	}
	{
		static const double fr[] = { 0.5, 0.9, 0.99 };
		static const char *const key[] = { "t50_s", "t90_s", "t99_s" };

		for (int k = 0; k < 3; k++) {
			double ts = NAN;

			for (unsigned i = 0; i < nsteps && last > 0; i++)
				if (got[i] >= fr[k] * last) {
					ts = (double)(i + 1) * STEP_NS / 1e9;
					break;
				}
			bench_row_sample(cv->summary, key[k], ts);
		}
	}
	bench_row_sample(cv->summary, "freed_bytes", freed);
	bench_row_sample(cv->summary, "bytes_returned", last);
	bench_row_sample(cv->summary, "returned_pct",
			 freed > 0 ? 100.0 * last / freed : 0);
	bench_row_sample(cv->summary, "last_report_s",
			 s.last_report_time_ns > v0
				 ? (double)(s.last_report_time_ns - v0) / 1e9
				 : 0);
	bench_row_sample(cv->summary, "reporter_ns", (double)rep_ns);
	bench_row_sample(cv->summary, "passes", (double)(s.passes - s0.passes));
	bench_row_sample(cv->summary, "batches",
			 (double)(s.batches - s0.batches));
	pgr_reporting_unregister(node);
	err = 0;
out_churn:
out:
	pgr_workload_destroy(w);
	pgr_sink_destroy(sink);
	free(got);
	pgr_node_destroy(node);
	return err;
}

/* ---- sweep ----------------------------------------------------------------
 */

struct spoint {
	const char *sweep;
	bool off;
	unsigned order;
	uint64_t delay_ns;
	unsigned capacity;
	struct bench_row *row;
};

struct sresult {
	double total_ns, wall_ns, reporter_ns, compute_ns, bytes_reported,
		rereported;
	double resident, occupancy, minflt;
	uint64_t vsec;
	bool ok;
};

static uint64_t sweep_mem(void)
{
	return bench_opts.quick ? 64 * MiB : 128 * MiB;
}

/*
 * The sweep's workload: the library's build-like workload
 * (PGR_WORKLOAD_BUILD, src/workload/build.c), a parallel build in
 * miniature: BUILD_JOBS compiler processes of 1..4 virtual s grow, churn
 * and free mostly order-0 heaps (BUILD_SHORT_PCT of the guest between
 * them), and BUILD_LONG_PCT of the guest is long-lived memory replaced one
 * block per BUILD_LONG_EVERY ops.  Here every allocated block is written in
 * full (the guest zeroes and uses it: the on_alloc hook) and every
 * operation then computes for BUILD_COMPUTE_US.
 */
#define BUILD_JOBS	 4
#define BUILD_SHORT_PCT	 18
#define BUILD_LONG_PCT	 10
#define BUILD_LONG_EVERY 500
#define BUILD_RATE	 6000 /* allocations per virtual second */
#define BUILD_COMPUTE_US 5.0

struct build {
	struct pgr_workload *w;
	struct pgr_guest_ram *ram;
	uint64_t zone_pages, compute_ns;
	uint64_t spin_state;
	unsigned char val;
};

static uint64_t compute_iters; /* per op, calibrated once */

/* The fixed compute of one operation: a dependent multiply-xorshift chain. */
static uint64_t spin(uint64_t x, uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		x ^= x >> 29;
	}
	return x;
}

static void calibrate_compute(void)
{
	const uint64_t n = 4000000;
	double best = INFINITY;
	uint64_t x = 1;

	for (int k = 0; k < 5; k++) {
		uint64_t a = bench_now_ns();

		x = spin(x, n);
		double ns = (double)(bench_now_ns() - a) / (double)n;

		if (ns < best)
			best = ns;
	}
	compute_iters = (uint64_t)(BUILD_COMPUTE_US * 1e3 / best);
	if (!compute_iters || x == 42) /* x: keep the chain alive */
		compute_iters = 1;
}

/* on_alloc: write the whole block, as the guest zeroes and uses it. */
static void build_touch(void *arg, uint64_t pfn, unsigned order)
{
	struct build *b = arg;
	void *p = pgr_guest_ram_addr(b->ram, pfn);

	if (p)
		memset(p, ++b->val, PGR_PAGE_SIZE << order);
}

/* One operation of the workload, then the compute. */
static void build_step(struct build *b)
{
	uint64_t a;

	pgr_workload_step(b->w);
	a = bench_now_ns();
	b->spin_state = spin(b->spin_state, compute_iters);
	b->compute_ns += bench_now_ns() - a;
}

static uint64_t build_live_pages(const struct build *b)
{
	struct pgr_workload_stats st;

	pgr_workload_get_stats(b->w, &st);
	return st.live_pages;
}

static int build_init(struct build *b, struct pgr_zone *zone,
		      struct pgr_guest_ram *ram, uint64_t seed)
{
	struct pgr_workload_config cfg = {
		.kind = PGR_WORKLOAD_BUILD,
		.seed = seed,
		.build = {
			.jobs = BUILD_JOBS,
			.short_pct = BUILD_SHORT_PCT,
			.long_pct = BUILD_LONG_PCT,
			.long_every = BUILD_LONG_EVERY,
			.ops_per_sec = BUILD_RATE,
		},
		.on_alloc = build_touch,
		.arg = b,
	};
	struct pgr_zone_info info;

	memset(b, 0, sizeof(*b));
	if (pgr_zone_get_info(zone, &info))
		return -EINVAL;
	b->ram = ram;
	b->zone_pages = info.nr_pages;
	b->spin_state = seed;
	b->w = bench_workload(zone, &cfg);
	if (!b->w)
		return -EINVAL;
	return pgr_workload_fill(b->w);
}

static void build_destroy(struct build *b)
{
	pgr_workload_destroy(b->w);
	b->w = NULL;
}

static uint64_t sweep_vsec(void)
{
	return bench_opts.quick ? 8 : 20;
}

/* Warm-up: jobs reach their steady state before reporting starts. */
#define BUILD_WARMUP_S 3

static int run_sweep_point(const struct spoint *p, uint64_t seed,
			   struct sresult *res)
{
	const uint64_t vsec = sweep_vsec();
	const uint64_t per_tick = BUILD_RATE / 1000;
	struct pgr_reporting_config rcfg = {
		.strategy = PGR_STRATEGY_UPSTREAM,
		.clock = PGR_CLOCK_VIRTUAL,
		.order = p->order,
		.order_set = true,
		.delay_ns = p->delay_ns,
		.delay_set = true,
		.params = bench_opts.params,
		.nr_params = bench_opts.nr_params,
	};
	struct pgr_reporting_stats s0 = { 0 }, s1 = { 0 };
	struct pgr_guest_ram *ram = NULL;
	struct pgr_sink *sink = NULL;
	struct rusage ru0, ru1;
	struct pgr_node *node;
	struct build b;
	uint64_t t_rep = 0, t0, t1, cpu0, cpu1, c0, nticks;
	double occ = 0;
	int err = -ENOMEM;

	memset(res, 0, sizeof(*res));
	node = bench_node_create(sweep_mem(), false, seed);
	if (!node)
		return -ENOMEM;
	ram = pgr_guest_ram_create_for_node(node);
	/* a guest that has used all its memory before: every page resident */
	if (!ram || bench_guest_ram_prefault(ram) ||
	    build_init(&b, pgr_node_zone(node, 0), ram, seed ^ 0xabcd)) {
		pgr_guest_ram_destroy(ram);
		pgr_node_destroy(node);
		return -ENOMEM;
	}
	for (uint64_t i = 0; i < BUILD_WARMUP_S * BUILD_RATE; i++)
		build_step(&b);
	if (!p->off) {
		sink = pgr_sink_memory_create(ram, PGR_DISCARD_PUNCH_HOLE,
					      p->capacity);
		if (!sink)
			goto out;
		err = pgr_reporting_register(node, sink, &rcfg);
		if (err) {
			fprintf(stderr, "pagereport-bench: register: %s\n",
				pgr_errmsg());
			goto out;
		}
		/* the idle memory goes to the host before we measure */
		pgr_reporting_run_until_idle(node, 600 * NSEC_PER_SEC, NULL);
		pgr_reporting_get_stats(node, &s0);
	}
	nticks = vsec * 1000;
	c0 = b.compute_ns;
	getrusage(RUSAGE_SELF, &ru0);
	bench_profile_measure(true);
	cpu0 = bench_thread_cpu_ns();
	t0 = bench_now_ns();
	for (uint64_t t = 0; t < nticks; t++) {
		uint64_t a;

		for (uint64_t i = 0; i < per_tick; i++)
			build_step(&b);
		occ += (double)build_live_pages(&b);
		if (!p->off) {
			a = bench_now_ns();
			pgr_reporting_advance(node, NSEC_PER_MSEC);
			t_rep += bench_now_ns() - a;
		}
	}
	t1 = bench_now_ns();
	cpu1 = bench_thread_cpu_ns();
	bench_profile_measure(false);
	getrusage(RUSAGE_SELF, &ru1);
	if (!p->off) {
		pgr_reporting_get_stats(node, &s1);
		pgr_reporting_unregister(node);
	}
	{
		uint64_t bytes = 0;

		pgr_guest_ram_allocated_bytes(ram, &bytes);
		res->resident = (double)bytes;
	}
	/* CPU time of the build's thread (user + system: faults, discards
	 * and the inline reporter): other processes on the host stay out */
	res->total_ns = (double)(cpu1 - cpu0);
	res->wall_ns = (double)(t1 - t0);
	res->compute_ns = (double)(b.compute_ns - c0);
	res->vsec = vsec;
	res->reporter_ns = (double)t_rep;
	res->bytes_reported = (double)(s1.bytes_reported - s0.bytes_reported);
	res->rereported = (double)(s1.rereported_pages - s0.rereported_pages);
	res->occupancy = 100.0 * occ / (double)nticks / (double)b.zone_pages;
	res->minflt = (double)(ru1.ru_minflt - ru0.ru_minflt);
	res->ok = true;
	err = 0;
out:
	build_destroy(&b);
	pgr_sink_destroy(sink);
	pgr_guest_ram_destroy(ram);
	pgr_node_destroy(node);
	return err;
}

static size_t build_sweep(struct spoint *v, size_t max)
{
	static const double delays_s[] = { 0.1, 0.5, 5 };
	static const unsigned caps[] = { 1, 4, 16 };
	const uint64_t d2 = PGR_UPSTREAM_DELAY_NS;
	size_t n = 0;

#define ADD(...)                                                 \
	do {                                                     \
		if (n < max)                                     \
			v[n++] = (struct spoint){ __VA_ARGS__ }; \
	} while (0)
	ADD("off", true, 0, 0, 0, NULL);
	for (unsigned o = 0; o <= 10; o++)
		if (!bench_opts.quick || o == 0 || o == 9)
			ADD("order", false, o, d2, 32, NULL);
	for (unsigned i = 0; i < 3; i++) {
		if (bench_opts.quick && i != 0)
			continue;
		ADD("delay", false, 9, (uint64_t)(delays_s[i] * 1e9), 32, NULL);
		ADD("delay", false, 0, (uint64_t)(delays_s[i] * 1e9), 32, NULL);
	}
	for (unsigned i = 0; i < 3; i++)
		if (!bench_opts.quick || i == 0)
			ADD("capacity", false, 9, d2, caps[i], NULL);
#undef ADD
	return n;
}

int exp_reclaim_run(const char *out_dir)
{
	struct bench_table *t = bench_table_new(
		"reclaim",
		"bytes returned to the host over virtual time after freeing "
		"90% of a guest (part curve/summary), and the upstream "
		"order/delay/capacity sweep on real memory (part sweep)");
	unsigned nsteps = (unsigned)(curve_seconds() * NSEC_PER_SEC / STEP_NS);
	unsigned rep = bench_repeat(), ncurve = 0;
	/* every strategy, built-in or loaded (--load) */
	struct curve *curves = calloc(bench_nr_strategies(), sizeof(*curves));
	struct spoint sp[32];
	size_t nsp = build_sweep(sp, 32);
	uint64_t t0 = bench_now_ns();
	char buf[64];
	int err = 0;

	declare_columns(t);
	bench_table_config(
		t, "mem", "%s",
		bench_fmt_bytes(bench_opts.mem_bytes, buf, sizeof(buf)));
	bench_table_config(t, "curve",
			   "fill 98%%, report, free 90%% of "
			   "the live blocks at t=0, 100 ms steps, "
			   "null sink, virtual clock");
	bench_table_config(t, "sweep_mem", "%s",
			   bench_fmt_bytes(sweep_mem(), buf, sizeof(buf)));
	calibrate_compute();
	bench_table_config(
		t, "sweep",
		"upstream, memory sink (PUNCH_HOLE), all guest RAM resident "
		"at the start; a build: %d jobs of 1..4 virtual s, each "
		"growing to 0.5..1.5 x %d%%/%d of the guest (90%% order 0, "
		"10%% orders 1-3) then churning its 16 newest blocks, all "
		"freed at exit; %d%% long-lived (5%% order 9, else 1-3), one "
		"replaced per %d ops; %d allocations per virtual s, each "
		"block written in full, then %.1f us of compute per op; "
		"%d virtual s warm-up, reporter run until idle, %llu "
		"virtual s measured",
		BUILD_JOBS, BUILD_SHORT_PCT, BUILD_JOBS, BUILD_LONG_PCT,
		BUILD_LONG_EVERY, BUILD_RATE, BUILD_COMPUTE_US, BUILD_WARMUP_S,
		(unsigned long long)sweep_vsec());
	bench_table_config(t, "sweep_compute_iters_per_op", "%llu",
			   (unsigned long long)compute_iters);
	bench_table_note(t, "t50/t90/t99: first 100 ms step at which that "
			    "fraction of the bytes returned by the end of the "
			    "window was returned");
	bench_table_note(
		t, "sweep overhead_pct = total_ns(point) / total_ns(off) - 1, "
		   "total_ns being the build thread's CPU time (user + "
		   "system, the inline reporter included), "
		   "where off is the mean of two reporting-off runs of the "
		   "same trace at the start and end of the same repeat; "
		   "compute_pct is the share of wall time in the fixed "
		   "compute loop (for off: how much of the build is "
		   "computing); minor_faults counts refaults of discarded "
		   "pages (off: ~0, all RAM resident)");
	bench_table_note(
		t, "sweep, why order matters: with reporting order o only free "
		   "blocks of order >= o that stay free for the delay are "
		   "discarded.  The jobs' order-0 heaps live in partly used "
		   "2 MiB blocks, and the allocator hands out the most "
		   "recently freed (head, not yet reported) blocks first, so "
		   "at order 9 few reported blocks are ever reused; at low "
		   "orders every 4 KiB page left free for the delay (a job "
		   "that exited, a heap that shrank) is discarded and "
		   "refaults when a job grows again (minor_faults), and "
		   "shorter delays discard more of them");
	bench_table_note(
		t,
		"sweep: a real build on 12 vCPUs spends far more time "
		"computing per page allocated than this model's %.1f us, "
		"so absolute percentages are not HyperAlloc's; the "
		"direction and the ranking of points are what compare",
		BUILD_COMPUTE_US);

	if (!curves) {
		bench_table_free(t);
		return -ENOMEM;
	}
	for (int s = 0; s < (int)bench_nr_strategies(); s++) {
		struct curve *cv = &curves[ncurve];

		if (!bench_strategy_selected(s))
			continue;
		cv->strategy = s;
		cv->rows = calloc(nsteps, sizeof(*cv->rows));
		if (!cv->rows) {
			err = -ENOMEM;
			goto out;
		}
		for (unsigned i = 0; i < nsteps; i++) {
			struct bench_row *r = bench_row_new(t);

			bench_row_text(r, "part", "curve");
			bench_row_text(r, "strategy", pgr_strategy_name(s));
			bench_row_int(r, "mem_bytes",
				      (int64_t)bench_opts.mem_bytes);
			bench_row_real(r, "t_s",
				       (double)(i + 1) * STEP_NS / 1e9);
			cv->rows[i] = r;
		}
		cv->summary = bench_row_new(t);
		bench_row_text(cv->summary, "part", "summary");
		bench_row_text(cv->summary, "strategy", pgr_strategy_name(s));
		bench_row_int(cv->summary, "mem_bytes",
			      (int64_t)bench_opts.mem_bytes);
		ncurve++;
	}
	for (size_t i = 0; i < nsp; i++) {
		struct bench_row *r = bench_row_new(t);

		sp[i].row = r;
		bench_row_text(r, "part", "sweep");
		bench_row_text(r, "sweep", sp[i].sweep);
		bench_row_text(r, "strategy", sp[i].off ? "none" : "upstream");
		bench_row_int(r, "mem_bytes", (int64_t)sweep_mem());
		if (!sp[i].off) {
			bench_row_int(r, "order", sp[i].order);
			bench_row_real(r, "delay_ms",
				       (double)sp[i].delay_ns / 1e6);
			bench_row_int(r, "capacity", sp[i].capacity);
		}
	}

	bench_progress_begin("reclaim", (unsigned)((ncurve + nsp + 1) * rep));
	for (unsigned r = 0; r < rep && !err; r++) {
		struct sresult off = { 0 }, off2 = { 0 };
		struct sresult *res = calloc(nsp, sizeof(*res));

		if (!res) {
			err = -ENOMEM;
			break;
		}
		for (unsigned i = 0; i < ncurve && !err; i++) {
			if (!bench_shard_take())
				continue;
			bench_progress_step(
				pgr_strategy_name(curves[i].strategy));
			err = run_curve(&curves[i], nsteps,
					bench_opts.seed + r);
		}
		/* one work unit, the sweep with its two off runs */
		if (!bench_shard_take()) {
			free(res);
			continue;
		}
		/* off first and last: the baseline is their mean */
		for (size_t i = 0; i <= nsp && !err; i++) {
			size_t k = i < nsp ? i : 0;
			char what[64];

			snprintf(what, sizeof(what), "sweep %s order %u",
				 sp[k].sweep, sp[k].order);
			bench_progress_step(what);
			err = run_sweep_point(&sp[k], bench_opts.seed + r,
					      i < nsp ? &res[k] : &off2);
		}
		if (!err) {
			off = res[0];
			off.total_ns = (res[0].total_ns + off2.total_ns) / 2;
			res[0].total_ns = off.total_ns;
			res[0].compute_ns =
				(res[0].compute_ns + off2.compute_ns) / 2;
			res[0].wall_ns = (res[0].wall_ns + off2.wall_ns) / 2;
		}
		for (size_t i = 0; i < nsp && !err; i++) {
			const struct sresult *x = &res[i];
			struct bench_row *row = sp[i].row;

			bench_row_sample(row, "total_ns", x->total_ns);
			bench_row_sample(
				row, "overhead_pct",
				100.0 * (x->total_ns / off.total_ns - 1));
			bench_row_sample(row, "extra_ms_per_s",
					 (x->total_ns - off.total_ns) / 1e6 /
						 (double)x->vsec);
			bench_row_sample(row, "reporter_cpu_pct",
					 100.0 * x->reporter_ns / x->wall_ns);
			bench_row_sample(row, "bytes_reported",
					 x->bytes_reported);
			bench_row_sample(row, "rereported_pages",
					 x->rereported);
			bench_row_sample(row, "resident_end_bytes",
					 x->resident);
			bench_row_sample(row, "compute_pct",
					 100.0 * x->compute_ns / x->wall_ns);
			bench_row_sample(row, "occupancy_pct", x->occupancy);
			bench_row_sample(row, "minor_faults", x->minflt);
		}
		free(res);
	}
	bench_progress_end();
	if (!err)
		err = bench_shard_collect(t);
	if (err)
		goto out;

	for (unsigned i = 0; i < ncurve; i++) {
		char key[96];

		snprintf(key, sizeof(key), "%s t90",
			 pgr_strategy_name(curves[i].strategy));
		bench_table_headline(
			t, key, bench_row_median(curves[i].summary, "t90_s"),
			"s");
		snprintf(key, sizeof(key), "%s t99",
			 pgr_strategy_name(curves[i].strategy));
		bench_table_headline(
			t, key, bench_row_median(curves[i].summary, "t99_s"),
			"s");
		snprintf(key, sizeof(key), "%s returned",
			 pgr_strategy_name(curves[i].strategy));
		bench_table_headline(
			t, key,
			bench_row_median(curves[i].summary, "returned_pct"),
			"% of freed");
	}
	for (size_t i = 0; i < nsp; i++) {
		char key[96];

		if (sp[i].off)
			continue;
		snprintf(key, sizeof(key),
			 "sweep order %u delay %gms cap %u overhead",
			 sp[i].order, (double)sp[i].delay_ns / 1e6,
			 sp[i].capacity);
		bench_table_headline(
			t, key, bench_row_median(sp[i].row, "overhead_pct"),
			"%");
	}
	err = bench_table_write(t, out_dir,
				(double)(bench_now_ns() - t0) / 1e9);
out:
	for (unsigned i = 0; i < ncurve; i++)
		free(curves[i].rows);
	free(curves);
	bench_table_free(t);
	return err;
}
