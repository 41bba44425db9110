// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench overcommit: Lal's set-up in simulation ("[RFC][PATCH
 * v12 0/2] mm: Support for page reporting", 12 Aug 2019: "Number of 5 GB
 * guests (each touching 4 to 5 GB memory) that can be launched on a 15 GB
 * single NUMA system without using swap space in the host: Unmodified 2,
 * with v12 page reporting 7").
 *
 * A host (<pagereport/host.h>) with a 15 GiB budget; 5 GiB guests are
 * launched one every LAUNCH_S seconds of the shared virtual clock until
 * the host first swaps (or 24 guests).  Each guest, per strategy (none
 * = no reporting, then every built-in):
 *   boot:  10% of its RAM allocated in order-0 UNMOVABLE pages and kept
 *          (kernel, page cache: the part it never frees);
 *   idle:  HOLD_S seconds;
 *   touch: 70..90% more (a seeded fraction per guest, so 4..5 GiB
 *          touched in all) in 2 MiB MOVABLE blocks at 2 GB/s (memhog);
 *   hold:  HOLD_S seconds;
 *   free:  every block of the touch phase; idle HOLD_S; then touch,
 *          hold and free once more (the second touch refaults what the
 *          host dropped meanwhile), then nothing more.
 * guests_fit = guests launched before the one during whose run the host
 * first swapped (all of them when it never did).  Host resident memory
 * over time (1 s samples) goes to overcommit-host-<strategy>.csv; refaults
 * (pages a guest allocated while the host had discarded them) and the time
 * they and swap cost under the host's cost model (host.h) per strategy,
 * and each strategy's named counters summed over its guests.  The
 * strategies are every built-in and every one loaded with --load.
 * One work unit per strategy; the simulation is deterministic for --seed,
 * so there are no repeats.  --quick: 4 s phases instead of 5 and at most
 * 8 guests (the reporting strategies then hit that cap).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define HOST_BYTES  (15 * GiB)
#define GUEST_BYTES (5 * GiB)
#define LAUNCH_S    60

struct result {
	unsigned launched, fit;
	bool swapped;
	double first_swap_s;
	double peak_gib, end_gib;
	uint64_t refault_pages, refault_events, discarded_total;
	uint64_t host_refault_pages, host_refault_events;
	double lost_ms;
	struct bench_counters counters; /* summed over the guests */
};

/* Cap on launches: enough for every strategy to swap; --quick: 8. */
static unsigned max_guests(void)
{
	return bench_opts.quick ? 8 : 24;
}

static uint64_t hold_s(void)
{
	return bench_opts.quick ? 4 : 5;
}

/* One run's set-up: Lal's by default (params_default), or a sweep point. */
struct params {
	uint64_t host_bytes, guest_bytes;
	double touch_max; /* fill occupancy spans [touch_max - 0.2, max] */
	unsigned max_guests;
	struct pgr_reporting_config rc; /* tunables; strategy is by name */
	struct pgr_param sweep_param;	/* a strategy parameter swept */
};

static struct params params_default(void)
{
	struct params p = {
		.host_bytes = HOST_BYTES,
		.guest_bytes = GUEST_BYTES,
		.touch_max = 1.0,
		.max_guests = max_guests(),
	};
	return p;
}

static int run_one(const char *strategy, uint64_t seed, const char *out_dir,
		   const struct params *p, struct result *res)
{
	struct pgr_host_config hc = {
		.budget_bytes = p->host_bytes,
		.seed = seed,
		.tick_ns = 20 * NSEC_PER_MSEC, /* 40 ops of 2 MiB a tick */
	};
	struct pgr_host *h = pgr_host_create(&hc);
	struct pgr_host_stats hs;
	/* --param settings, then the sweep's (which names its strategy) */
	struct pgr_param pm[BENCH_MAX_PARAMS + 1];
	struct pgr_reporting_config rc = p->rc;
	int err = 0;

	memset(res, 0, sizeof(*res));
	if (!h)
		return -errno;
	for (unsigned i = 0; i < bench_opts.nr_params; i++)
		pm[i] = bench_opts.params[i];
	rc.params = pm;
	rc.nr_params = bench_opts.nr_params;
	if (p->sweep_param.name)
		pm[rc.nr_params++] = p->sweep_param;
	for (unsigned i = 0; i < p->max_guests && !err; i++) {
		char name[32];
		/*
		 * 70..90% of the guest in 2 MiB blocks (by default): seeded
		 * per guest
		 */
		double touch = p->touch_max - 0.30 +
			       0.20 * (double)((seed * 7 + i * 13) % 21) / 20.0;
		struct pgr_host_guest_config g = {
			.name = name,
			.mem_bytes = p->guest_bytes,
			.strategy = strategy,
			.reporting = rc,
			.base_fraction = 0.10,
			.workload = {
				.kind = PGR_WORKLOAD_FILL_FREE,
				.rate = 1000, /* 2 MiB blocks: 2 GB/s */
				.fill = { .occupancy = touch + 0.10,
					  .order = 9,
					  .hold_ops = 1000 * hold_s() },
			},
			.workload_cycles = 2,
			.cycle_gap_ns = hold_s() * NSEC_PER_SEC,
		};
		int idx;

		snprintf(name, sizeof(name), "guest%u", i);
		idx = pgr_host_add_guest(h, &g);
		if (idx < 0) {
			err = idx;
			break;
		}
		res->launched = i + 1;
		err = pgr_host_advance(h, LAUNCH_S * NSEC_PER_SEC);
		pgr_host_get_stats(h, &hs);
		if (hs.swapped)
			break;
	}
	if (err) {
		fprintf(stderr, "overcommit %s: %s\n", strategy, pgr_errmsg());
		pgr_host_destroy(h);
		return err;
	}
	pgr_host_get_stats(h, &hs);
	res->swapped = hs.swapped;
	res->first_swap_s = hs.swapped ? (double)hs.first_swap_ns / 1e9 : 0;
	res->fit = hs.swapped ? res->launched - 1 : res->launched;
	res->peak_gib = (double)hs.peak_in_memory_bytes / (double)GiB;
	res->end_gib = (double)hs.resident_bytes / (double)GiB;
	for (unsigned i = 0; i < pgr_host_nr_guests(h); i++) {
		struct pgr_host_guest_stats gs;
		struct bench_counters c;

		pgr_host_get_guest_stats(h, i, &gs);
		bench_counters_read(pgr_host_guest_node(h, i), &c);
		bench_counters_add(&res->counters, &c);
		res->refault_pages += gs.refault_pages;
		res->refault_events += gs.refault_events;
		res->host_refault_pages += gs.host_refault_pages;
		res->host_refault_events += gs.host_refault_events;
		res->discarded_total += gs.discarded_pages_total;
		res->lost_ms += (double)gs.lost_ns / 1e6;
	}
	if (out_dir) {
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/overcommit-host-%s.csv",
			 out_dir, strategy);
		f = fopen(path, "w");
		if (!f || pgr_host_write_csv(h, f))
			err = -EIO;
		if (f && fclose(f))
			err = -EIO;
	}
	pgr_host_destroy(h);
	return err;
}

/*
 * The runs: "none" (no reporting), then every strategy by id (built-ins,
 * then registered and loaded ones).  @names gets room for them all.
 */
static unsigned run_names(const char **names, unsigned max)
{
	unsigned n = 0, ns = bench_nr_strategies();

	names[n++] = "none";
	for (unsigned id = 0; id < ns && n < max; id++)
		names[n++] = pgr_strategy_name((enum pgr_strategy)id);
	return n;
}

#define MAX_RUNS (1 + PGR_NR_STRATEGIES + 32) /* none, built-ins, loaded */

static struct bench_named oc_counters;

int exp_overcommit_run(const char *out_dir)
{
	const char *names[MAX_RUNS];
	const unsigned n = run_names(names, MAX_RUNS);
	struct bench_table *t = bench_table_new(
		"overcommit",
		"5 GiB guests touching 4-5 GiB then freeing it, launched one "
		"every 60 s on a 15 GiB host until it swaps (Lal, v12)");
	struct bench_row *rows[MAX_RUNS];
	uint64_t t0 = bench_now_ns();
	int err = 0;

	if (!t)
		return -ENOMEM;
	bench_table_config_col(t, "strategy", BENCH_COL_TEXT, "");
	bench_table_metric_col(t, "guests_launched", "guests");
	bench_table_metric_col(t, "guests_fit", "guests");
	bench_table_metric_col(t, "first_swap_s", "virtual s");
	bench_table_metric_col(t, "peak_in_memory_gib", "GiB");
	bench_table_metric_col(t, "end_resident_gib", "GiB");
	bench_table_metric_col(t, "discarded_gib", "GiB, total");
	bench_table_metric_col(t, "refault_pages", "4KiB pages");
	bench_table_metric_col(t, "refault_events", "allocations");
	bench_table_metric_col(t, "host_refault_pages", "4KiB pages");
	bench_table_metric_col(t, "host_refault_events", "allocations");
	bench_table_metric_col(t, "lost_ms", "ms, cost model");
	bench_counter_cols(t, &oc_counters, bench_strategy_selected);
	bench_table_config(t, "host_bytes", "%llu",
			   (unsigned long long)HOST_BYTES);
	bench_table_config(t, "guest_bytes", "%llu",
			   (unsigned long long)GUEST_BYTES);
	bench_table_config(t, "launch_s", "%d", LAUNCH_S);
	bench_table_config(t, "hold_s", "%llu", (unsigned long long)hold_s());
	for (unsigned i = 0; i < n; i++) {
		rows[i] = bench_row_new(t);
		bench_row_text(rows[i], "strategy", names[i]);
	}
	bench_progress_begin("overcommit", n);
	for (unsigned i = 0; i < n && !err; i++) {
		struct result r;
		int s = pgr_strategy_from_name(names[i]);

		if (!bench_shard_take())
			continue;
		if (s >= 0 && !bench_strategy_selected((enum pgr_strategy)s)) {
			bench_row_status(rows[i], "unavailable: not selected");
			continue;
		}
		bench_progress_step(names[i]);
		{
			struct params p = params_default();

			err = run_one(names[i], bench_opts.seed, out_dir, &p,
				      &r);
		}
		if (err)
			break;
		bench_row_sample(rows[i], "guests_launched", r.launched);
		bench_row_sample(rows[i], "guests_fit", r.fit);
		bench_row_sample(rows[i], "first_swap_s",
				 r.swapped ? r.first_swap_s : -1);
		bench_row_sample(rows[i], "peak_in_memory_gib", r.peak_gib);
		bench_row_sample(rows[i], "end_resident_gib", r.end_gib);
		bench_row_sample(rows[i], "discarded_gib",
				 (double)r.discarded_total * 4096 /
					 (double)GiB);
		bench_row_sample(rows[i], "refault_pages",
				 (double)r.refault_pages);
		bench_row_sample(rows[i], "refault_events",
				 (double)r.refault_events);
		bench_row_sample(rows[i], "host_refault_pages",
				 (double)r.host_refault_pages);
		bench_row_sample(rows[i], "host_refault_events",
				 (double)r.host_refault_events);
		bench_row_sample(rows[i], "lost_ms", r.lost_ms);
		bench_row_counters(rows[i], &oc_counters, &r.counters, NULL);
	}
	bench_progress_end();
	if (!err)
		err = bench_shard_collect(t);
	if (!err)
		err = bench_merge_copy_files("overcommit-host-", out_dir);
	if (!err) {
		for (unsigned i = 0; i < n; i++) {
			char key[64];

			snprintf(key, sizeof(key), "%s guests fit", names[i]);
			bench_table_headline(
				t, key, bench_row_median(rows[i], "guests_fit"),
				"guests");
		}
		bench_table_note(t,
				 "guests_fit is capped at %u launched "
				 "guests; Lal measured 2 unmodified, 7 with "
				 "v12 (bitmap)",
				 max_guests());
		err = bench_table_write(t, out_dir,
					(double)(bench_now_ns() - t0) / 1e9);
	}
	bench_table_free(t);
	return err;
}

/*
 * overcommit-sweep: guests_fit per strategy while one variable of Lal's
 * set-up moves (the others at their default): host size, guest size,
 * touch fraction (the top of each guest's touched share; the seeded
 * spread below it stays 20%), and three strategy tunables, each on its
 * own strategy (upstream's reporting delay, v11's PAGE_REPORTING_HWM,
 * the bitmap's blocks per report).  Coarse by default (two values on
 * either side of the default), --full: six values per variable; both at
 * most 24 guests, the overcommit experiment's cap (at 10 every reporting
 * strategy hit the cap and the sweep told nothing); --quick: one value
 * each, 4 guests.  The cost
 * grows with the square of the guests launched.  One work unit per point
 * and strategy.
 */
struct sweep {
	const char *name, *unit;
	const char *only; /* a tunable: this strategy only */
	double coarse[2], fine[6];
};

static const struct sweep sweeps[] = {
	{ "host_gib", "GiB", NULL, { 10, 25 }, { 8, 10, 20, 25, 30, 40 } },
	{ "guest_gib", "GiB", NULL, { 3, 8 }, { 2, 3, 4, 6, 8, 10 } },
	{ "touch_max",
	  "fraction",
	  NULL,
	  { 0.6, 0.8 },
	  { 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 } },
	{ "upstream_delay_s",
	  "s",
	  "upstream",
	  { 0.5, 8 },
	  { 0.1, 0.5, 1, 4, 8, 16 } },
	{ "v11_hwm",
	  "blocks",
	  "v11-boundary",
	  { 8, 128 },
	  { 4, 8, 16, 64, 128, 256 } },
	{ "bitmap_capacity",
	  "blocks",
	  "bitmap",
	  { 4, 8 },
	  { 1, 2, 4, 8, 12, 16 } },
};

static void sweep_apply(const struct sweep *sw, double v, struct params *p)
{
	if (!strcmp(sw->name, "host_gib"))
		p->host_bytes = (uint64_t)(v * (double)GiB);
	else if (!strcmp(sw->name, "guest_gib"))
		p->guest_bytes = (uint64_t)(v * (double)GiB);
	else if (!strcmp(sw->name, "touch_max"))
		p->touch_max = v;
	else if (!strcmp(sw->name, "upstream_delay_s"))
		p->rc.delay_ns = (uint64_t)(v * 1e9);
	else if (!strcmp(sw->name, "v11_hwm"))
		p->sweep_param = (struct pgr_param){ .name = "v11-boundary.hwm",
						     .value = (uint64_t)v };
	else if (!strcmp(sw->name, "bitmap_capacity"))
		p->rc.capacity = (unsigned)v;
}

int exp_overcommit_sweep_run(const char *out_dir)
{
	const char *names[MAX_RUNS];
	const unsigned ns = run_names(names, MAX_RUNS);
	const unsigned nsw = sizeof(sweeps) / sizeof(sweeps[0]);
	const unsigned nv = bench_opts.full ? 6 : bench_opts.quick ? 1 : 2;
	const unsigned cap = bench_opts.quick ? 4 : 24;
	struct bench_table *t = bench_table_new(
		"overcommit-sweep",
		"guests fit per strategy in Lal's set-up while host size, "
		"guest size, touch fraction or a strategy tunable moves");
	struct bench_row **rows = calloc(6 * 6 * MAX_RUNS, sizeof(*rows));
	unsigned nrows = 0;
	uint64_t t0 = bench_now_ns();
	int err = 0;

	if (!t || !rows) {
		bench_table_free(t);
		free(rows);
		return -ENOMEM;
	}
	bench_table_config_col(t, "sweep", BENCH_COL_TEXT, "");
	bench_table_config_col(t, "value", BENCH_COL_REAL, "");
	bench_table_config_col(t, "strategy", BENCH_COL_TEXT, "");
	bench_table_metric_col(t, "guests_fit", "guests");
	bench_table_metric_col(t, "guests_launched", "guests");
	bench_table_metric_col(t, "host_refault_pages", "4KiB pages");
	bench_table_config(t, "max_guests", "%u", cap);
	bench_table_config(t, "full", "%d", bench_opts.full ? 1 : 0);
	for (unsigned w = 0; w < nsw; w++)
		for (unsigned k = 0; k < nv; k++)
			for (unsigned i = 0; i < ns; i++) {
				const struct sweep *sw = &sweeps[w];
				struct bench_row *r;

				if (sw->only && strcmp(sw->only, names[i]))
					continue;
				r = rows[nrows++] = bench_row_new(t);
				bench_row_text(r, "sweep", sw->name);
				bench_row_real(r, "value",
					       bench_opts.full ? sw->fine[k]
							       : sw->coarse[k]);
				bench_row_text(r, "strategy", names[i]);
			}
	bench_progress_begin("overcommit-sweep", nrows);
	nrows = 0;
	for (unsigned w = 0; w < nsw && !err; w++)
		for (unsigned k = 0; k < nv && !err; k++)
			for (unsigned i = 0; i < ns && !err; i++) {
				const struct sweep *sw = &sweeps[w];
				double v = bench_opts.full ? sw->fine[k]
							   : sw->coarse[k];
				struct params p = params_default();
				struct bench_row *r;
				struct result res;
				int s = pgr_strategy_from_name(names[i]);

				if (sw->only && strcmp(sw->only, names[i]))
					continue;
				r = rows[nrows++];
				if (!bench_shard_take())
					continue;
				if (s >= 0 && !bench_strategy_selected(
						      (enum pgr_strategy)s)) {
					bench_row_status(
						r, "unavailable: not selected");
					continue;
				}
				bench_progress_step(names[i]);
				p.max_guests = cap;
				sweep_apply(sw, v, &p);
				if (p.guest_bytes > p.host_bytes) {
					bench_row_status(
						r, "unavailable: guest larger "
						   "than host");
					continue;
				}
				err = run_one(names[i], bench_opts.seed, NULL,
					      &p, &res);
				if (err)
					break;
				bench_row_sample(r, "guests_fit", res.fit);
				bench_row_sample(r, "guests_launched",
						 res.launched);
				bench_row_sample(
					r, "host_refault_pages",
					(double)res.host_refault_pages);
			}
	bench_progress_end();
	if (!err)
		err = bench_shard_collect(t);
	if (!err) {
		bench_table_note(t,
				 "one variable moves, the others stay at "
				 "Lal's set-up (15 GiB host, 5 GiB guests, "
				 "touch_max 1.0, default tunables); "
				 "guests_fit capped at %u",
				 cap);
		err = bench_table_write(t, out_dir,
					(double)(bench_now_ns() - t0) / 1e9);
	}
	bench_table_free(t);
	free(rows);
	return err;
}
