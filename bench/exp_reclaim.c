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
 * memory (a memfd, memory sink: real discards) runs a compiler-like churn
 * (80% order 0, 15% orders 1-3, 5% order 9) at 2000 ops per virtual second,
 * touching one byte per 4 KiB page of every block it allocates, so a
 * reported page costs a real refault when reused; the reporter runs inline
 * on the virtual clock.  Points: reporting order 0..10 (delay 2 s, capacity
 * 32), delay 0.1/0.5/2/5 s at orders 9 and 0, capacity 1/4/16/32 at order
 * 9, and "off".  overhead_pct = total real time / total real time of "off"
 * for the same trace - 1, paired per repeat; extra_ms_per_s = the same
 * difference in ms per virtual second of guest life.  The workload does no
 * computing of its own, so overhead_pct is far larger than a kernel
 * build's (HyperAlloc: +18% at order 0, 2 s); compare directions, and
 * extra_ms_per_s, which does not depend on the workload's own cost.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
	bench_table_metric_col(t, "total_ns", "ns");
	bench_table_metric_col(t, "overhead_pct", "% vs off");
	bench_table_metric_col(t, "extra_ms_per_s", "ms real per virtual s");
	bench_table_metric_col(t, "reporter_cpu_pct", "%");
	bench_table_metric_col(t, "bytes_reported", "B");
	bench_table_metric_col(t, "rereported_pages", "4KiB pages");
	bench_table_metric_col(t, "resident_end_bytes", "B");
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
	};
	struct pgr_reporting_stats s0, s;
	struct pgr_zone_info info;
	struct pgr_node *node;
	struct pgr_sink *sink;
	struct churn c;
	double *got, freed, last;
	uint64_t rep_ns = 0, v0;
	int err = -ENOMEM;

	node = bench_node_create(bench_opts.mem_bytes, false, seed);
	if (!node)
		return -ENOMEM;
	got = calloc(nsteps, sizeof(*got));
	sink = pgr_sink_null_create(PGR_REPORTING_CAPACITY);
	if (!got || !sink ||
	    churn_init(&c, pgr_node_zone(node, 0), 0.98, seed ^ 0xfeed))
		goto out;
	churn_fill(&c);
	err = pgr_reporting_register(node, sink, &rcfg);
	if (err)
		goto out_churn;
	pgr_reporting_run_until_idle(node, 300 * NSEC_PER_SEC, NULL);
	pgr_reporting_get_stats(node, &s0);

	churn_free_fraction(&c, 0.9); /* t = 0 */
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
	churn_destroy(&c);
out:
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
	double total_ns, reporter_ns, bytes_reported, rereported, resident;
	uint64_t vsec;
	bool ok;
};

static uint64_t sweep_mem(void)
{
	return bench_opts.quick ? 128 * MiB : 256 * MiB;
}

static int run_sweep_point(const struct spoint *p, uint64_t seed,
			   struct sresult *res)
{
	const uint64_t vsec = bench_opts.quick ? 10 : 16;
	const double rate = 2000; /* ops per virtual second */
	struct pgr_reporting_config rcfg = {
		.strategy = PGR_STRATEGY_UPSTREAM,
		.clock = PGR_CLOCK_VIRTUAL,
		.order = p->order,
		.order_set = true,
		.delay_ns = p->delay_ns,
		.delay_set = true,
	};
	struct pgr_reporting_stats s0 = { 0 }, s1 = { 0 };
	struct pgr_guest_ram *ram = NULL;
	struct pgr_sink *sink = NULL;
	struct pgr_node *node;
	struct churn c;
	uint64_t t_work = 0, t_rep = 0, nticks;
	double carry = 0;
	int err = -ENOMEM;

	memset(res, 0, sizeof(*res));
	node = bench_node_create(sweep_mem(), false, seed);
	if (!node)
		return -ENOMEM;
	ram = pgr_guest_ram_create_for_node(node);
	if (!ram ||
	    churn_init(&c, pgr_node_zone(node, 0), 0.5, seed ^ 0xabcd)) {
		pgr_guest_ram_destroy(ram);
		pgr_node_destroy(node);
		return -ENOMEM;
	}
	c.ram = ram;
	c.mix = CHURN_MIX_SMALL;
	churn_fill(&c);
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
		pgr_reporting_get_stats(node, &s0);
	}
	nticks = vsec * 1000;
	bench_profile_measure(true);
	for (uint64_t t = 0; t < nticks; t++) {
		uint64_t a, b, e, n;

		carry += rate / 1000;
		n = (uint64_t)carry;
		carry -= (double)n;
		a = bench_now_ns();
		for (uint64_t i = 0; i < n; i++)
			churn_step(&c);
		b = bench_now_ns();
		if (!p->off)
			pgr_reporting_advance(node, NSEC_PER_MSEC);
		e = bench_now_ns();
		t_work += b - a;
		t_rep += e - b;
	}
	bench_profile_measure(false);
	if (!p->off) {
		pgr_reporting_get_stats(node, &s1);
		pgr_reporting_unregister(node);
	}
	{
		uint64_t bytes = 0;

		pgr_guest_ram_allocated_bytes(ram, &bytes);
		res->resident = (double)bytes;
	}
	res->total_ns = (double)(t_work + t_rep);
	res->vsec = vsec;
	res->reporter_ns = (double)t_rep;
	res->bytes_reported = (double)(s1.bytes_reported - s0.bytes_reported);
	res->rereported = (double)(s1.rereported_pages - s0.rereported_pages);
	res->ok = true;
	err = 0;
out:
	churn_destroy(&c);
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
	struct curve curves[PGR_NR_STRATEGIES];
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
	bench_table_config(t, "sweep",
			   "upstream, memory sink (PUNCH_HOLE), churn 80%% "
			   "order 0 / 15%% 1-3 / 5%% 9 at 50%% occupancy "
			   "touching 1 byte per 4 KiB page, 2000 ops per "
			   "virtual s");
	bench_table_note(t, "t50/t90/t99: first 100 ms step at which that "
			    "fraction of the bytes returned by the end of the "
			    "window was returned");
	bench_table_note(t,
			 "sweep overhead_pct = total_ns(point) / "
			 "total_ns(off) - 1, paired per repeat; the workload "
			 "only allocates and touches, so compare directions "
			 "and extra_ms_per_s (cost per virtual second)");

	for (int s = 0; s < PGR_NR_STRATEGIES; s++) {
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

	bench_progress_begin("reclaim", (unsigned)((ncurve + nsp) * rep));
	for (unsigned r = 0; r < rep && !err; r++) {
		struct sresult off = { 0 };

		for (unsigned i = 0; i < ncurve && !err; i++) {
			bench_progress_step(
				pgr_strategy_name(curves[i].strategy));
			err = run_curve(&curves[i], nsteps,
					bench_opts.seed + r);
		}
		for (size_t i = 0; i < nsp && !err; i++) {
			struct sresult res;
			char what[64];

			snprintf(what, sizeof(what), "sweep %s order %u",
				 sp[i].sweep, sp[i].order);
			bench_progress_step(what);
			err = run_sweep_point(&sp[i], bench_opts.seed + r,
					      &res);
			if (err)
				break;
			if (sp[i].off)
				off = res;
			bench_row_sample(sp[i].row, "total_ns", res.total_ns);
			if (off.ok) {
				bench_row_sample(
					sp[i].row, "overhead_pct",
					100.0 * (res.total_ns / off.total_ns -
						 1));
				bench_row_sample(sp[i].row, "extra_ms_per_s",
						 (res.total_ns - off.total_ns) /
							 1e6 /
							 (double)res.vsec);
			}
			bench_row_sample(sp[i].row, "reporter_cpu_pct",
					 100.0 * res.reporter_ns /
						 res.total_ns);
			bench_row_sample(sp[i].row, "bytes_reported",
					 res.bytes_reported);
			bench_row_sample(sp[i].row, "rereported_pages",
					 res.rereported);
			bench_row_sample(sp[i].row, "resident_end_bytes",
					 res.resident);
		}
	}
	bench_progress_end();
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
	bench_table_free(t);
	return err;
}
