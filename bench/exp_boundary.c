// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench boundary-vs-rescan: the v11 cover letter's claim that
 * without reported_boundary re-walking the free lists costs "as much as 18%
 * additional overhead on a 32G VM".
 *
 * A simulated guest (one zone, --mem, default 32 GiB) is filled to a target
 * occupancy by the churn workload, reporting is registered (order 9, null
 * sink of capacity 32 or 16, virtual clock) and run until idle (warm-up:
 * everything free is reported once).  The measured phase then runs the
 * churn at a given rate of alloc/free operations per virtual second for a
 * fixed virtual duration, advancing the virtual clock every millisecond so
 * that the reporter's delayed work runs inline, in this thread, exactly when
 * it falls due.  Same seed, same trace for every strategy, so v11-boundary
 * and v11-rescan report the same pages and differ only in the walk.
 *
 * Measurements (CLOCK_THREAD_CPUTIME_ID of the one thread doing both):
 *   workload_ns  time in the alloc/free calls (the guest's allocator work);
 *   reporter_ns  time inside pgr_reporting_advance (fill, report, drain);
 *   total_ns     both; throughput = ops / total;
 *   overhead_pct (reporter(S) - reporter(v11-boundary)) /
 *                total(v11-boundary), paired per repeat (same seed): the
 *                extra reporter time for the same work.  The workload
 *                part is the same trace for every strategy, so taking the
 *                difference of reporter times keeps the workload's timing
 *                noise (metadata page faults, cache) out of the numerator;
 *   total_change_pct  (total(S) - total(v11-boundary)) / total(boundary);
 *   nodes_per_block   list nodes the iterator looked at per reported block;
 *   visited_per_block list nodes + bitmap bits looked at per block (bitmap
 *                     visits bits, the others list nodes);
 *   reporter_ns_per_gib  reporter CPU per GiB reported.
 * Four strategies under the same churn: v11-boundary, v11-rescan, upstream
 * and bitmap (Lal's v12: order MAX_ORDER-2, 16 per batch); at the main
 * points with capacity 32 also bitmap as Lal measured it in Oct 2019
 * (variant v12-modified: MAX_ORDER-1 only, 32 per batch); then every
 * strategy registered or loaded with --load.  The effective parameters
 * of every row are recorded as config columns (order, batch, delay_ms,
 * then each strategy's own, by name), and each strategy's named counters
 * as metrics (bits_visited is the bitmap's).
 * The workload touches no memory, so the percentages are relative to the
 * allocator's own work: like Duyck's figure, a scan cost, not a
 * whole-workload cost with page faulting and zeroing (page-fault1 has that).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct bpoint {
	const char *sweep; /* main, mem, rate, occupancy */
	uint64_t mem;
	bool shuffle;
	unsigned capacity;
	double rate; /* ops per virtual second */
	double occupancy;
	enum pgr_strategy strategy;
	bool modified; /* bitmap: Lal's Oct 2019 variant */
	size_t conf;   /* which configuration (points of one share it) */
	struct bench_row *row;
};

struct bresult {
	double workload_ns, reporter_ns, total_ns, ops;
	struct pgr_reporting_stats d; /* measured-phase deltas */
	struct bench_counters c0, c1; /* named counters, before/after */
	bool ok;
};

/* The strategies' own parameter and counter columns. */
static struct bench_named param_cols, counter_cols;

#define TICK_NS NSEC_PER_MSEC

static uint64_t virt_seconds(void)
{
	return bench_opts.quick ? 3 : 10;
}

static void stats_delta(struct pgr_reporting_stats *d,
			const struct pgr_reporting_stats *a,
			const struct pgr_reporting_stats *b)
{
	d->passes = b->passes - a->passes;
	d->batches = b->batches - a->batches;
	d->pages_reported = b->pages_reported - a->pages_reported;
	d->blocks_reported = b->blocks_reported - a->blocks_reported;
	d->nodes_visited = b->nodes_visited - a->nodes_visited;
	d->bytes_reported = b->bytes_reported - a->bytes_reported;
	d->rereported_pages = b->rereported_pages - a->rereported_pages;
	d->isolate_failures = b->isolate_failures - a->isolate_failures;
}

/* The point's reporting config (strategy, clock, v12-modified tunables). */
static struct pgr_reporting_config point_rcfg(const struct bpoint *p)
{
	struct pgr_reporting_config rcfg = {
		.strategy = p->strategy,
		.clock = PGR_CLOCK_VIRTUAL,
		.params = bench_opts.params,
		.nr_params = bench_opts.nr_params,
	};

	if (p->modified) {
		rcfg.order = PGR_MAX_ORDER_DEFAULT - 1;
		rcfg.capacity = 32;
	}
	return rcfg;
}

/*
 * The tunables in effect, as config columns.  Every process (unsharded,
 * each shard, the merge) builds every row with the same columns, whether
 * or not it runs the point, so they are resolved by the library before the
 * measured loop, on a small node of the same orders: the effective config
 * depends on the node's orders and the sink's capacity, not on its size.
 */
static int record_config(struct bpoint *p)
{
	struct pgr_reporting_config rcfg = point_rcfg(p), e;
	uint64_t bytes = p->mem < 64 * MiB ? p->mem : 64 * MiB;
	struct pgr_node_config ncfg = bench_node_config(bytes, false, 1);
	struct pgr_node *node = pgr_node_create(&ncfg);
	struct pgr_sink *sink = pgr_sink_null_create(p->capacity);
	int err = -ENOMEM;

	if (node && sink)
		err = pgr_reporting_register(node, sink, &rcfg);
	if (!err) {
		err = pgr_reporting_get_config(node, &e);
		if (!err) {
			bench_row_int(p->row, "order", e.order);
			bench_row_int(p->row, "batch", e.capacity);
			bench_row_real(p->row, "delay_ms",
				       (double)e.delay_ns / 1e6);
			bench_row_params(p->row, &param_cols, node);
		}
		pgr_reporting_unregister(node);
	}
	if (err)
		fprintf(stderr, "pagereport-bench: %s config: %s\n",
			pgr_strategy_name(p->strategy), pgr_errmsg());
	pgr_sink_destroy(sink);
	pgr_node_destroy(node);
	return err;
}

static int run_point(struct bpoint *p, uint64_t seed, struct bresult *res)
{
	struct pgr_reporting_config rcfg = point_rcfg(p);
	struct pgr_reporting_stats s0, s1;
	struct pgr_node *node;
	struct pgr_sink *sink = NULL;
	struct pgr_workload_config wcfg = {
		.kind = PGR_WORKLOAD_CHURN,
		.seed = seed ^ 0x5eed,
		.churn.occupancy = p->occupancy,
	};
	struct pgr_workload_stats w0, w1;
	struct pgr_workload *w;
	uint64_t ops_per_tick, nticks, t_work = 0, t_rep = 0;
	double carry = 0;
	int err = -EIO;

	memset(res, 0, sizeof(*res));
	node = bench_node_create(p->mem, p->shuffle, seed);
	if (!node)
		return -ENOMEM;
	w = bench_workload(pgr_node_zone(node, 0), &wcfg);
	if (!w)
		goto out_node;
	pgr_workload_fill(w);
	sink = pgr_sink_null_create(p->capacity);
	if (!sink)
		goto out_churn;
	err = pgr_reporting_register(node, sink, &rcfg);
	if (err) {
		fprintf(stderr, "pagereport-bench: register %s: %s\n",
			pgr_strategy_name(p->strategy), pgr_errmsg());
		goto out_sink;
	}
	/* Warm-up: everything free gets reported once (upstream ~30 s). */
	pgr_reporting_run_until_idle(node, 300 * NSEC_PER_SEC, NULL);

	/*
	 * Warm-up churn (1 virtual second, not measured): faults in the
	 * model's metadata pages that the fill did not touch, so the
	 * measured phase sees a steady state.
	 */
	for (uint64_t i = 0; i < (uint64_t)p->rate; i++) {
		pgr_workload_step(w);
		if (i % (uint64_t)(p->rate / 1000 + 1) == 0)
			pgr_reporting_advance(node, TICK_NS);
	}
	pgr_reporting_get_stats(node, &s0);
	bench_counters_read(node, &res->c0);
	pgr_workload_get_stats(w, &w0);

	nticks = virt_seconds() * NSEC_PER_SEC / TICK_NS;
	ops_per_tick = 0;
	bench_profile_measure(true);
	for (uint64_t t = 0; t < nticks; t++) {
		uint64_t a, b, e;

		carry += p->rate * (double)TICK_NS / 1e9;
		ops_per_tick = (uint64_t)carry;
		carry -= (double)ops_per_tick;
		/* thread CPU time: preemption by other processes stays out */
		a = bench_thread_cpu_ns();
		for (uint64_t i = 0; i < ops_per_tick; i++)
			pgr_workload_step(w);
		b = bench_thread_cpu_ns();
		pgr_reporting_advance(node, TICK_NS);
		e = bench_thread_cpu_ns();
		t_work += b - a;
		t_rep += e - b;
	}
	bench_profile_measure(false);
	pgr_reporting_get_stats(node, &s1);
	bench_counters_read(node, &res->c1);
	stats_delta(&res->d, &s0, &s1);
	res->workload_ns = (double)t_work;
	res->reporter_ns = (double)t_rep;
	res->total_ns = (double)(t_work + t_rep);
	pgr_workload_get_stats(w, &w1);
	res->ops = (double)(w1.allocs + w1.frees - w0.allocs - w0.frees);
	res->ok = true;
	err = 0;
	pgr_reporting_unregister(node);
out_sink:
	pgr_sink_destroy(sink);
out_churn:
	pgr_workload_destroy(w);
out_node:
	pgr_node_destroy(node);
	return err;
}

/* The strategies with rows: the selected ones and the v11-boundary base. */
static bool runs(int id)
{
	return bench_strategy_selected(id) || id == PGR_STRATEGY_V11_BOUNDARY;
}

static void declare_columns(struct bench_table *t)
{
	bench_table_config_col(t, "sweep", BENCH_COL_TEXT, "");
	bench_table_config_col(t, "strategy", BENCH_COL_TEXT, "");
	bench_table_config_col(t, "mem_bytes", BENCH_COL_INT, "B");
	bench_table_config_col(t, "mem_gib", BENCH_COL_REAL, "GiB");
	bench_table_config_col(t, "shuffle", BENCH_COL_INT, "bool");
	bench_table_config_col(t, "capacity", BENCH_COL_INT, "blocks");
	bench_table_config_col(t, "variant", BENCH_COL_TEXT, "");
	bench_table_config_col(t, "order", BENCH_COL_INT, "");
	bench_table_config_col(t, "batch", BENCH_COL_INT, "blocks/report");
	bench_table_config_col(t, "delay_ms", BENCH_COL_REAL, "ms");
	bench_table_config_col(t, "rate", BENCH_COL_REAL, "ops/virtual s");
	bench_table_config_col(t, "occupancy", BENCH_COL_REAL, "fraction");
	bench_table_config_col(t, "virtual_s", BENCH_COL_INT, "s");
	bench_table_metric_col(t, "ops", "ops");
	bench_table_metric_col(t, "throughput", "ops/s");
	bench_table_metric_col(t, "workload_ns", "ns");
	bench_table_metric_col(t, "reporter_ns", "ns");
	bench_table_metric_col(t, "total_ns", "ns");
	bench_table_metric_col(t, "reporter_cpu_pct", "%");
	bench_table_metric_col(t, "overhead_pct", "% vs v11-boundary");
	bench_table_metric_col(t, "total_change_pct", "% vs v11-boundary");
	bench_table_metric_col(t, "reporter_ratio", "x v11-boundary");
	bench_table_metric_col(t, "nodes_visited", "nodes");
	bench_table_metric_col(t, "nodes_per_block", "nodes/block");
	bench_table_metric_col(t, "nodes_per_page", "nodes/4KiB page");
	bench_table_metric_col(t, "visited_per_block", "(nodes+bits)/block");
	bench_table_metric_col(t, "reporter_ns_per_gib", "ns/GiB reported");
	bench_table_metric_col(t, "pages_reported", "4KiB pages");
	bench_table_metric_col(t, "blocks_reported", "blocks");
	bench_table_metric_col(t, "batches", "reports");
	bench_table_metric_col(t, "passes", "runs");
	bench_table_metric_col(t, "reporter_ns_per_pass", "ns");
	bench_table_metric_col(t, "rereported_pages", "4KiB pages");
	/* after the fixed ones, so a clash renames the strategy's */
	bench_param_cols(t, &param_cols, runs);
	bench_counter_cols(t, &counter_cols, runs);
}

static void fill_row(struct bpoint *p)
{
	struct bench_row *r = p->row;

	bench_row_text(r, "sweep", p->sweep);
	bench_row_text(r, "strategy", pgr_strategy_name(p->strategy));
	bench_row_text(r, "variant",
		       p->strategy != PGR_STRATEGY_BITMAP ? ""
		       : p->modified			  ? "v12-modified"
							  : "v12");
	bench_row_int(r, "mem_bytes", (int64_t)p->mem);
	bench_row_real(r, "mem_gib", (double)p->mem / (double)GiB);
	bench_row_int(r, "shuffle", p->shuffle);
	bench_row_int(r, "capacity", p->capacity);
	bench_row_real(r, "rate", p->rate);
	bench_row_real(r, "occupancy", p->occupancy);
	bench_row_int(r, "virtual_s", (int64_t)virt_seconds());
}

static void add_samples(struct bench_row *r, const struct bresult *res,
			const struct bresult *base)
{
	double blocks = (double)res->d.blocks_reported;
	double pages = (double)res->d.pages_reported;
	/* the bitmap visits bits, the others list nodes */
	double visited = (double)res->d.nodes_visited +
			 (double)(bench_counter(&res->c1, "bits_visited") -
				  bench_counter(&res->c0, "bits_visited"));

	bench_row_sample(r, "ops", res->ops);
	bench_row_sample(r, "throughput", res->ops / (res->total_ns / 1e9));
	bench_row_sample(r, "workload_ns", res->workload_ns);
	bench_row_sample(r, "reporter_ns", res->reporter_ns);
	bench_row_sample(r, "total_ns", res->total_ns);
	bench_row_sample(r, "reporter_cpu_pct",
			 100.0 * res->reporter_ns / res->total_ns);
	if (base && base->ok) {
		bench_row_sample(
			r, "overhead_pct",
			100.0 * (res->reporter_ns - base->reporter_ns) /
				base->total_ns);
		bench_row_sample(r, "total_change_pct",
				 100.0 * (res->total_ns - base->total_ns) /
					 base->total_ns);
		if (base->reporter_ns > 0)
			bench_row_sample(r, "reporter_ratio",
					 res->reporter_ns / base->reporter_ns);
	}
	bench_row_sample(r, "nodes_visited", (double)res->d.nodes_visited);
	bench_row_sample(r, "nodes_per_block",
			 blocks ? (double)res->d.nodes_visited / blocks : 0);
	bench_row_sample(r, "nodes_per_page",
			 pages ? (double)res->d.nodes_visited / pages : 0);
	bench_row_sample(r, "visited_per_block", blocks ? visited / blocks : 0);
	bench_row_sample(
		r, "reporter_ns_per_gib",
		res->d.bytes_reported
			? res->reporter_ns /
				  ((double)res->d.bytes_reported / (double)GiB)
			: 0);
	bench_row_sample(r, "pages_reported", pages);
	bench_row_sample(r, "blocks_reported", blocks);
	bench_row_sample(r, "batches", (double)res->d.batches);
	bench_row_sample(r, "passes", (double)res->d.passes);
	bench_row_sample(
		r, "reporter_ns_per_pass",
		res->d.passes ? res->reporter_ns / (double)res->d.passes : 0);
	bench_row_sample(r, "rereported_pages",
			 (double)res->d.rereported_pages);
	bench_row_counters(r, &counter_cols, &res->c1, &res->c0);
}

/* The configurations (without strategy); each runs every strategy. */
struct bconf {
	const char *sweep;
	uint64_t mem;
	bool shuffle;
	unsigned capacity;
	double rate, occupancy;
};

static size_t build_confs(struct bconf *v, size_t max)
{
	uint64_t mem = bench_opts.mem_bytes;
	double rate = bench_opts.quick ? 20000 : 20000;
	size_t n = 0;
	static const double rates[] = { 2000, 5000, 50000, 100000 };
	static const double occs[] = { 0.25, 0.75, 0.9 };
	uint64_t mems_full[] = { 2 * GiB, 8 * GiB, 128 * GiB };
	uint64_t mems_quick[] = { 1 * GiB };
	const uint64_t *mems = bench_opts.quick ? mems_quick : mems_full;
	size_t nr_mems = bench_opts.quick ? 1 : 3;

#define ADD(...)                                                \
	do {                                                    \
		if (n < max)                                    \
			v[n++] = (struct bconf){ __VA_ARGS__ }; \
	} while (0)
	/* main: shuffle off/on x capacity 32 (HWM) / 16 (virtio v11) */
	for (int sh = 0; sh < 2; sh++)
		for (int ci = 0; ci < 2; ci++)
			ADD("main", mem, sh, ci ? 16 : 32, rate, 0.5);
	for (size_t i = 0; i < nr_mems; i++)
		if (mems[i] != mem && (!bench_opts.mem_set || mems[i] < mem))
			ADD("mem", mems[i], false, 32, rate, 0.5);
	for (size_t i = 0; i < (bench_opts.quick ? 1 : 4); i++)
		ADD("rate", mem, false, 32, rates[i], 0.5);
	for (size_t i = 0; i < (bench_opts.quick ? 1 : 3); i++)
		ADD("occupancy", mem, false, 32, rate, occs[i]);
#undef ADD
	return n;
}

int exp_boundary_run(const char *out_dir)
{
	struct bench_table *t = bench_table_new(
		"boundary-vs-rescan",
		"v11 with reported_boundary vs the same algorithm re-walking "
		"the reported tail (v11-rescan), Linux 5.7 (upstream) and "
		"Lal's v12 bitmap, under alloc/free churn; virtual clock, "
		"null sink");
	struct bconf confs[32];
	size_t nconf = build_confs(confs, 32), npts = 0;
	struct bpoint *pts;
	unsigned nstrat, rep = bench_repeat();
	uint64_t t0 = bench_now_ns();
	char buf[64];
	int err = 0;

	declare_columns(t);
	bench_table_config(t, "order",
			   "%d (bitmap: MAX_ORDER-2 = 9; "
			   "v12-modified: 10)",
			   PGR_PAGEBLOCK_ORDER_DEFAULT);
	bench_table_config(t, "clock", "virtual, advanced every 1 ms");
	bench_table_config(t, "sink", "null");
	bench_table_config(t, "virtual_seconds", "%llu",
			   (unsigned long long)virt_seconds());
	bench_table_config(t, "workload",
			   "churn: 50%% order 9, 20%% order 0, 20%% orders "
			   "1-8, 10%% order 10, MOVABLE, random victim");
	bench_table_config(
		t, "mem", "%s",
		bench_fmt_bytes(bench_opts.mem_bytes, buf, sizeof(buf)));
	bench_table_note(t,
			 "overhead_pct = (reporter_ns(S) - "
			 "reporter_ns(v11-boundary)) / total_ns(v11-boundary)"
			 ": the extra reporter time for the same work, "
			 "paired per repeat (same seed and trace)");
	bench_table_note(t, "total_change_pct = (total_ns(S) - "
			    "total_ns(v11-boundary)) / total_ns(v11-boundary)"
			    ": the same with the workload's own timing noise");
	bench_table_note(t, "the workload touches no memory: percentages are "
			    "relative to allocator work only (scan cost)");

	nstrat = bench_nr_strategies();
	pts = calloc(nconf * (nstrat + 1), sizeof(*pts));
	if (!pts) {
		bench_table_free(t);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nconf; i++)
		for (int k = 0; k <= (int)nstrat; k++) {
			struct bpoint *p = &pts[npts];
			/*
			 * k == NR: bitmap as Lal measured it, main cap 32;
			 * after it the registered and loaded strategies
			 */
			bool modified = k == PGR_NR_STRATEGIES;
			int s = modified		? PGR_STRATEGY_BITMAP
				: k > PGR_NR_STRATEGIES ? k - 1
							: k;

			if (!bench_strategy_selected(s) &&
			    s != PGR_STRATEGY_V11_BOUNDARY)
				continue;
			if (modified && (strcmp(confs[i].sweep, "main") ||
					 confs[i].capacity != 32))
				continue;
			*p = (struct bpoint){
				.sweep = confs[i].sweep,
				.mem = confs[i].mem,
				.shuffle = confs[i].shuffle,
				.capacity = confs[i].capacity,
				.rate = confs[i].rate,
				.occupancy = confs[i].occupancy,
				.strategy = s,
				.modified = modified,
				.conf = i,
			};
			p->row = bench_row_new(t);
			fill_row(p);
			npts++;
			if (!err)
				err = record_config(p);
		}

	bench_progress_begin("boundary-vs-rescan", (unsigned)(npts * rep));
	for (unsigned r = 0; r < rep && !err; r++) {
		for (size_t i = 0; i < npts && !err; i++) {
			struct bresult res, base = { 0 };
			struct bpoint *p = &pts[i];
			char what[96];

			/* v11-boundary is first in each config: the base */
			if (p->strategy != PGR_STRATEGY_V11_BOUNDARY)
				continue;
			/* a work unit: the config with its paired base */
			if (!bench_shard_take())
				continue;
			for (size_t j = i; j < npts && pts[j].conf == p->conf;
			     j++) {
				struct bpoint *q = &pts[j];

				snprintf(what, sizeof(what), "%s %s %s",
					 q->sweep,
					 bench_fmt_bytes(q->mem, buf,
							 sizeof(buf)),
					 pgr_strategy_name(q->strategy));
				bench_progress_step(what);
				err = run_point(q, bench_opts.seed + r, &res);
				if (err) {
					bench_row_status(q->row, "error");
					break;
				}
				if (j == i)
					base = res;
				add_samples(q->row, &res, &base);
			}
		}
	}
	bench_progress_end();
	if (!err)
		err = bench_shard_collect(t);

	/* Headlines: the main 32 GiB point, shuffle off, capacity 32. */
	for (size_t i = 0; i < npts && !err; i++) {
		struct bpoint *p = &pts[i];
		char key[128];

		if (strcmp(p->sweep, "main") ||
		    p->strategy == PGR_STRATEGY_V11_BOUNDARY)
			continue;
		snprintf(key, sizeof(key), "%s%s overhead %s shuffle=%d cap=%u",
			 pgr_strategy_name(p->strategy),
			 p->modified ? "-modified" : "",
			 bench_fmt_bytes(p->mem, buf, sizeof(buf)), p->shuffle,
			 p->capacity);
		bench_table_headline(
			t, key, bench_row_median(p->row, "overhead_pct"), "%");
	}
	for (size_t i = 0; i < npts && !err; i++) {
		struct bpoint *p = &pts[i];
		char key[128];

		if (strcmp(p->sweep, "main") || p->shuffle || p->capacity != 32)
			continue;
		snprintf(key, sizeof(key), "%s%s visited/block",
			 pgr_strategy_name(p->strategy),
			 p->modified ? "-modified" : "");
		bench_table_headline(
			t, key, bench_row_median(p->row, "visited_per_block"),
			"nodes or bits");
		snprintf(key, sizeof(key), "%s%s reporter ns/GiB",
			 pgr_strategy_name(p->strategy),
			 p->modified ? "-modified" : "");
		bench_table_headline(
			t, key, bench_row_median(p->row, "reporter_ns_per_gib"),
			"ns/GiB");
	}
	if (!err)
		err = bench_table_write(t, out_dir,
					(double)(bench_now_ns() - t0) / 1e9);
	free(pts);
	bench_table_free(t);
	return err;
}
