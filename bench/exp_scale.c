// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench scale: what the model costs as the guest grows to 1 TiB
 * (the foundation issue's alloc/free benchmark).
 *
 * Per guest size (1, 32, 256 GiB and 1 TiB; --quick: 1 and 4 GiB), one
 * zone, no reporting:
 *   create_ms / populate_ms  pgr_node_create and pgr_zone_populate (the
 *                            kernel's memblock_free_all) wall time;
 *   metadata_bytes_per_page  pgr_zone_info.metadata_bytes / pages (the
 *                            kernel pays 64 for struct page);
 *   order0_pair_ns           one order-0 alloc + free on a fragmented zone
 *                            (the order-0 list is never empty and the
 *                            freed page cannot merge: the fast path);
 *   order0_split_ns          the same on a pristine zone, where every
 *                            alloc splits a MAX_ORDER-1 block (expand) and
 *                            every free merges it back;
 *   mixed_ns                 one alloc or free of the churn workload with
 *                            uniform orders 0..10 at 50% occupancy;
 *   destroy_ms               pgr_node_destroy.
 * Single thread, CLOCK_MONOTONIC, nothing else running.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct sres {
	double create_ms, populate_ms, destroy_ms, meta_per_page;
	double order0_pair_ns, order0_split_ns, mixed_ns;
};

static uint64_t nr_ops(void)
{
	return bench_opts.quick ? 200000 : 1000000;
}

/* A fragmented zone: free every other page of a 2 MiB run of order 0. */
static int fragment(struct pgr_zone *z, uint64_t *pfns, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfns[i]))
			return -ENOMEM;
	for (size_t i = 0; i < n; i += 2)
		if (pgr_free_pages(z, pfns[i], 0))
			return -EINVAL;
	return 0;
}

static double pair_loop(struct pgr_zone *z, uint64_t n)
{
	uint64_t t0 = bench_now_ns(), pfn;

	for (uint64_t i = 0; i < n; i++) {
		if (pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn) ||
		    pgr_free_pages(z, pfn, 0))
			return NAN;
	}
	return (double)(bench_now_ns() - t0) / (double)n;
}

static int run_size(uint64_t bytes, uint64_t seed, struct sres *res)
{
	/* not bench_node_create(): create and populate are timed apart */
	struct pgr_node_config cfg = bench_node_config(bytes, false, seed);
	struct pgr_zone_info info;
	struct pgr_node *node;
	struct pgr_zone *z;
	uint64_t t0, t1, t2, pfns[512];
	struct pgr_workload_config wcfg = {
		.kind = PGR_WORKLOAD_CHURN,
		.seed = seed,
		.churn = { .occupancy = 0.5, .mix = PGR_CHURN_MIX_UNIFORM },
	};
	struct pgr_workload *w;
	int err = 0;

	memset(res, 0, sizeof(*res));
	bench_profile_measure(true);
	t0 = bench_now_ns();
	node = pgr_node_create(&cfg);
	t1 = bench_now_ns();
	if (!node) {
		bench_profile_measure(false);
		fprintf(stderr, "pagereport-bench: scale: create: %s\n",
			pgr_errmsg());
		return -errno;
	}
	z = pgr_node_zone(node, 0);
	err = pgr_zone_populate(z);
	t2 = bench_now_ns();
	res->create_ms = (double)(t1 - t0) / 1e6;
	res->populate_ms = (double)(t2 - t1) / 1e6;
	if (err)
		goto out;
	pgr_zone_get_info(z, &info);
	res->meta_per_page =
		(double)info.metadata_bytes / (double)info.nr_pages;

	pair_loop(z, nr_ops() / 16); /* warm-up: caches, branch history */
	res->order0_split_ns = pair_loop(z, nr_ops() / 4);
	err = fragment(z, pfns, 512);
	if (err)
		goto out;
	res->order0_pair_ns = pair_loop(z, nr_ops());
	for (size_t i = 1; i < 512; i += 2)
		pgr_free_pages(z, pfns[i], 0);

	w = bench_workload(z, &wcfg);
	if (w) {
		uint64_t n = nr_ops() / 4, a;

		pgr_workload_fill(w);
		a = bench_now_ns();
		for (uint64_t i = 0; i < n; i++)
			pgr_workload_step(w);
		res->mixed_ns = (double)(bench_now_ns() - a) / (double)n;
		pgr_workload_free_all(w);
		pgr_workload_destroy(w);
	}
out:
	bench_profile_measure(false);
	t0 = bench_now_ns();
	pgr_node_destroy(node);
	res->destroy_ms = (double)(bench_now_ns() - t0) / 1e6;
	return err;
}

int exp_scale_run(const char *out_dir)
{
	struct bench_table *t = bench_table_new(
		"scale",
		"metadata per page, create+populate time and alloc/free "
		"ns/op against guest size (one zone, no reporting)");
	static const uint64_t full[] = { 1 * GiB, 32 * GiB, 256 * GiB,
					 1024 * GiB };
	static const uint64_t quick[] = { 1 * GiB, 4 * GiB };
	const uint64_t *sizes = bench_opts.quick ? quick : full;
	size_t nsizes = bench_opts.quick ? 2 : 4;
	struct bench_row *rows[4];
	unsigned rep = bench_repeat();
	uint64_t t0 = bench_now_ns();
	char buf[64];
	int err = 0;

	bench_table_config_col(t, "mem_bytes", BENCH_COL_INT, "B");
	bench_table_config_col(t, "mem_gib", BENCH_COL_REAL, "GiB");
	bench_table_config_col(t, "pages", BENCH_COL_INT, "4KiB pages");
	bench_table_metric_col(t, "create_ms", "ms");
	bench_table_metric_col(t, "populate_ms", "ms");
	bench_table_metric_col(t, "create_populate_ms", "ms");
	bench_table_metric_col(t, "destroy_ms", "ms");
	bench_table_metric_col(t, "metadata_bytes_per_page", "B/page");
	bench_table_metric_col(t, "metadata_bytes", "B");
	bench_table_metric_col(t, "order0_pair_ns", "ns/(alloc+free)");
	bench_table_metric_col(t, "order0_split_ns", "ns/(alloc+free)");
	bench_table_metric_col(t, "mixed_ns", "ns/op");
	bench_table_config(t, "ops",
			   "%llu order-0 pairs, %llu split pairs, "
			   "%llu mixed ops",
			   (unsigned long long)nr_ops(),
			   (unsigned long long)nr_ops() / 4,
			   (unsigned long long)nr_ops() / 4);
	bench_table_note(t, "kernel reference: struct page 64 B/page; "
			    "order-0 alloc+free fast path 40-58 ns "
			    "(page_bench)");

	for (size_t i = 0; i < nsizes; i++) {
		rows[i] = bench_row_new(t);
		bench_row_int(rows[i], "mem_bytes", (int64_t)sizes[i]);
		bench_row_real(rows[i], "mem_gib",
			       (double)sizes[i] / (double)GiB);
		bench_row_int(rows[i], "pages",
			      (int64_t)(sizes[i] >> PGR_PAGE_SHIFT));
	}
	bench_progress_begin("scale", (unsigned)(nsizes * rep));
	for (unsigned r = 0; r < rep && !err; r++)
		for (size_t i = 0; i < nsizes && !err; i++) {
			struct sres res;

			if (!bench_shard_take())
				continue;
			bench_progress_step(
				bench_fmt_bytes(sizes[i], buf, sizeof(buf)));
			err = run_size(sizes[i], bench_opts.seed + r, &res);
			if (err) {
				bench_row_status(rows[i], "error");
				break;
			}
			bench_row_sample(rows[i], "create_ms", res.create_ms);
			bench_row_sample(rows[i], "populate_ms",
					 res.populate_ms);
			bench_row_sample(rows[i], "create_populate_ms",
					 res.create_ms + res.populate_ms);
			bench_row_sample(rows[i], "destroy_ms", res.destroy_ms);
			bench_row_sample(rows[i], "metadata_bytes_per_page",
					 res.meta_per_page);
			bench_row_sample(
				rows[i], "metadata_bytes",
				res.meta_per_page *
					(double)(sizes[i] >> PGR_PAGE_SHIFT));
			bench_row_sample(rows[i], "order0_pair_ns",
					 res.order0_pair_ns);
			bench_row_sample(rows[i], "order0_split_ns",
					 res.order0_split_ns);
			bench_row_sample(rows[i], "mixed_ns", res.mixed_ns);
		}
	bench_progress_end();
	if (!err)
		err = bench_shard_collect(t);

	printf("  %-8s %10s %12s %12s %10s %10s %10s\n", "guest", "B/page",
	       "metadata", "create+pop", "order0", "split", "mixed");
	printf("  %-8s %10s %12s %12s %10s %10s %10s\n", "", "", "MiB", "ms",
	       "ns/pair", "ns/pair", "ns/op");
	for (size_t i = 0; i < nsizes; i++)
		printf("  %-8s %10.4f %12.1f %12.1f %10.1f %10.1f %10.1f\n",
		       bench_fmt_bytes(sizes[i], buf, sizeof(buf)),
		       bench_row_median(rows[i], "metadata_bytes_per_page"),
		       bench_row_median(rows[i], "metadata_bytes") /
			       (double)MiB,
		       bench_row_median(rows[i], "create_populate_ms"),
		       bench_row_median(rows[i], "order0_pair_ns"),
		       bench_row_median(rows[i], "order0_split_ns"),
		       bench_row_median(rows[i], "mixed_ns"));
	if (!err) {
		bench_table_headline(
			t, "metadata bytes per page",
			bench_row_median(rows[0], "metadata_bytes_per_page"),
			"B");
		bench_table_headline(
			t, "order-0 alloc+free",
			bench_row_median(rows[0], "order0_pair_ns"), "ns");
		snprintf(buf, sizeof(buf), "create+populate %s",
			 bench_opts.quick ? "4GiB" : "1TiB");
		bench_table_headline(t, buf,
				     bench_row_median(rows[nsizes - 1],
						      "create_populate_ms"),
				     "ms");
		err = bench_table_write(t, out_dir,
					(double)(bench_now_ns() - t0) / 1e9);
	}
	bench_table_free(t);
	return err;
}
