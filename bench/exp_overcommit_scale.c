// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench overcommit-scale: a benchmark of the host model itself
 * (<pagereport/host.h>), not a test and not in the default set.  By
 * default 64 guests of 32 GiB (2 TiB of guest memory) with upstream (5.7)
 * reporting run one hour of virtual time on one shared clock: each guest
 * is launched filled to a CHURN workload's 50% occupancy (THP mix, 5% of
 * it kept as boot memory) and then churns at --oc-rate ops per second.
 * Reported: wall time (creation and the run apart), CPU time and peak
 * RSS (getrusage), and the machine-independent work done: virtual seconds,
 * guest ticks, workload allocations and frees, pages allocated, report
 * batches and pages reported, pages the host discarded.  Knobs: --guests,
 * --guest-gib, --hours, --oc-rate, --oc-tick-ms.  Models no kernel code.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"

/* user + system CPU of this process: wall time on a shared machine lies */
static double cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double peak_rss_mib(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

struct totals {
	uint64_t allocs, frees, alloc_failures, pages_allocated, batches,
		pages_reported, discarded, host_refault_pages, resident;
};

static void sum_guests(struct pgr_host *h, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < pgr_host_nr_guests(h); i++) {
		struct pgr_host_guest_stats gs;
		struct pgr_reporting_stats rs;

		pgr_host_get_guest_stats(h, i, &gs);
		t->allocs += gs.workload.allocs;
		t->frees += gs.workload.frees;
		t->alloc_failures += gs.workload.alloc_failures;
		t->pages_allocated += gs.touched_pages; /* backed by the host */
		t->discarded += gs.discarded_pages_total;
		t->host_refault_pages += gs.host_refault_pages;
		t->resident += gs.resident_pages;
		if (!pgr_reporting_get_stats(pgr_host_guest_node(h, i), &rs)) {
			t->batches += rs.batches;
			t->pages_reported += rs.pages_reported;
		}
	}
}

int exp_overcommit_scale_run(const char *out_dir)
{
	const unsigned guests = bench_opts.oc_guests;
	const uint64_t guest_bytes = bench_opts.oc_guest_gib * GiB;
	const double hours = bench_opts.oc_hours;
	const uint64_t virt_ns = (uint64_t)(hours * 3600.0 * 1e9);
	const uint64_t tick_ns = bench_opts.oc_tick_ms * NSEC_PER_MSEC;
	struct bench_table *t = bench_table_new(
		"overcommit-scale",
		"the host model at scale: N guests x G GiB, upstream "
		"reporting, H hours of virtual time of churn");
	struct bench_row *row;
	struct pgr_host *h = NULL;
	struct totals tot;
	uint64_t t0 = bench_now_ns(), t_created, t_run, step, done = 0;
	int err = 0;

	if (!t)
		return -ENOMEM;
	bench_table_config_col(t, "strategy", BENCH_COL_TEXT, "");
	bench_table_metric_col(t, "guests", "guests");
	bench_table_metric_col(t, "guest_memory_gib", "GiB, total");
	bench_table_metric_col(t, "virtual_s", "virtual s");
	bench_table_metric_col(t, "wall_create_s", "s (machine-dependent)");
	bench_table_metric_col(t, "wall_run_s", "s (machine-dependent)");
	bench_table_metric_col(t, "cpu_s", "s user+sys (machine-dependent)");
	bench_table_metric_col(t, "peak_rss_mib", "MiB (machine-dependent)");
	bench_table_metric_col(t, "guest_ticks", "guest x tick");
	bench_table_metric_col(t, "allocs", "workload allocations");
	bench_table_metric_col(t, "frees", "workload frees");
	bench_table_metric_col(t, "alloc_failures", "allocations");
	bench_table_metric_col(t, "pages_backed", "4KiB pages");
	bench_table_metric_col(t, "report_batches", "report() calls");
	bench_table_metric_col(t, "pages_reported", "4KiB pages");
	bench_table_metric_col(t, "pages_discarded", "4KiB pages");
	bench_table_metric_col(t, "host_refault_pages", "4KiB pages");
	bench_table_metric_col(t, "end_resident_gib", "GiB");
	bench_table_config(t, "guests", "%u", guests);
	bench_table_config(t, "guest_gib", "%llu",
			   (unsigned long long)bench_opts.oc_guest_gib);
	bench_table_config(t, "hours", "%g", hours);
	bench_table_config(t, "rate_ops_per_s", "%g", bench_opts.oc_rate);
	bench_table_config(t, "tick_ms", "%llu",
			   (unsigned long long)bench_opts.oc_tick_ms);
	row = bench_row_new(t);
	bench_row_text(row, "strategy", "upstream");
	if (!bench_shard_take())
		goto collect;
	{
		struct pgr_host_config hc = {
			.budget_bytes = guest_bytes * guests,
			.seed = bench_opts.seed,
			.tick_ns = tick_ns,
			.sample_ns = 60 * NSEC_PER_SEC,
		};

		h = pgr_host_create(&hc);
		if (!h) {
			err = -errno;
			goto out;
		}
	}
	for (unsigned i = 0; i < guests && !err; i++) {
		char name[32];
		struct pgr_host_guest_config g = {
			.name = name,
			.mem_bytes = guest_bytes,
			.strategy = "upstream",
			.base_fraction = 0.05,
			.fill_at_launch = true,
			.workload = {
				.kind = PGR_WORKLOAD_CHURN,
				.rate = bench_opts.oc_rate,
				.churn = { .occupancy = 0.5 },
			},
		};
		int idx;

		snprintf(name, sizeof(name), "guest%u", i);
		idx = pgr_host_add_guest(h, &g);
		if (idx < 0)
			err = idx;
	}
	t_created = bench_now_ns();
	printf("  %u guests x %llu GiB created in %.1f s, RSS %.0f MiB\n",
	       guests, (unsigned long long)bench_opts.oc_guest_gib,
	       (double)(t_created - t0) / 1e9, peak_rss_mib());
	fflush(stdout);
	/* progress every 10% of the virtual time */
	step = virt_ns / 10 ? virt_ns / 10 : virt_ns;
	while (!err && done < virt_ns) {
		uint64_t ns = virt_ns - done < step ? virt_ns - done : step;

		err = pgr_host_advance(h, ns);
		done += ns;
		printf("  virtual %.0f s of %.0f: wall %.1f s, CPU %.1f s, RSS "
		       "%.0f MiB\n",
		       (double)done / 1e9, (double)virt_ns / 1e9,
		       (double)(bench_now_ns() - t_created) / 1e9, cpu_s(),
		       peak_rss_mib());
		fflush(stdout);
	}
	t_run = bench_now_ns();
	if (err) {
		fprintf(stderr, "overcommit-scale: %s\n", pgr_errmsg());
		goto out;
	}
	sum_guests(h, &tot);
	bench_row_sample(row, "guests", guests);
	bench_row_sample(row, "guest_memory_gib",
			 (double)(guest_bytes * guests) / (double)GiB);
	bench_row_sample(row, "virtual_s", (double)done / 1e9);
	bench_row_sample(row, "wall_create_s", (double)(t_created - t0) / 1e9);
	bench_row_sample(row, "wall_run_s", (double)(t_run - t_created) / 1e9);
	bench_row_sample(row, "cpu_s", cpu_s());
	bench_row_sample(row, "peak_rss_mib", peak_rss_mib());
	bench_row_sample(row, "guest_ticks",
			 (double)guests *
				 (double)((done + tick_ns - 1) / tick_ns));
	bench_row_sample(row, "allocs", (double)tot.allocs);
	bench_row_sample(row, "frees", (double)tot.frees);
	bench_row_sample(row, "alloc_failures", (double)tot.alloc_failures);
	bench_row_sample(row, "pages_backed", (double)tot.pages_allocated);
	bench_row_sample(row, "report_batches", (double)tot.batches);
	bench_row_sample(row, "pages_reported", (double)tot.pages_reported);
	bench_row_sample(row, "pages_discarded", (double)tot.discarded);
	bench_row_sample(row, "host_refault_pages",
			 (double)tot.host_refault_pages);
	bench_row_sample(row, "end_resident_gib",
			 (double)tot.resident * 4096 / (double)GiB);
collect:
	err = bench_shard_collect(t);
	if (!err) {
		bench_table_headline(t, "wall s (run)",
				     bench_row_median(row, "wall_run_s"), "s");
		bench_table_headline(t, "CPU s (all)",
				     bench_row_median(row, "cpu_s"), "s");
		bench_table_headline(t, "peak RSS",
				     bench_row_median(row, "peak_rss_mib"),
				     "MiB");
		bench_table_headline(t, "workload allocations",
				     bench_row_median(row, "allocs"), "");
		bench_table_note(t, "wall times and RSS are machine-dependent; "
				    "the counts are deterministic for --seed");
		err = bench_table_write(t, out_dir,
					(double)(bench_now_ns() - t0) / 1e9);
	}
out:
	pgr_host_destroy(h);
	bench_table_free(t);
	return err;
}
