// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * scan-cost: one boundary-vs-rescan point of pagereport-bench
 * (bench/exp_boundary.c, the v11 cover letter's "as much as 18% additional
 * overhead on a 32G VM"), run stand-alone and deterministically on the
 * virtual clock so that the reporter's work can be counted by a machine
 * model instead of timed: callgrind (bench/scan-cost.sh) counts the
 * instructions and the simulated cache misses of reporter_work(), where
 * every pgr_reporting_advance() of the measured phase runs, and of
 * workload_work(), where its alloc/free calls run.
 *
 * The point is exp_boundary's headline: one Normal zone (--mem, default
 * 32 GiB), shuffle off, the churn workload (50% order 9, 20% order 0, 20%
 * orders 1-8, 10% order 10, MOVABLE, random victim) filled to --occupancy
 * 0.5, reporting registered (order 9, null sink of --capacity 32, virtual
 * clock) and run until idle, one virtual second of warm-up churn, then
 * --seconds (10) virtual seconds of churn at --rate 20000 ops per virtual
 * second with the clock advanced every millisecond.  The same seed gives
 * the same trace to every strategy: v11-boundary and v11-rescan report
 * the same blocks and differ only in how far they walk the lists.
 *
 * Modes:
 *   --strategy S   one run; prints the engine's counts for the measured
 *                  phase (blocks reported, list nodes visited, ...) and,
 *                  natively, its reporter and workload CPU time.
 *   --cpu-pairs N  N repeats, each a v11-boundary and a v11-rescan run on
 *                  seed + repeat, interleaved (ABBA: the first of a pair
 *                  alternates) so that drifts of the machine fall on both;
 *                  prints per-pair and summary CPU-time figures with a
 *                  distribution-free 95% interval for the median.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define TICK_NS NSEC_PER_MSEC

/* bench/common.c's balloond launcher reads the runner's options. */
struct bench_opts bench_opts;

struct sc_opts {
	uint64_t mem, seed, seconds;
	double rate, occupancy;
	unsigned capacity;
};

struct sc_result {
	struct pgr_reporting_stats d; /* measured phase */
	uint64_t ops, reporter_ns, workload_ns;
};

int reporter_work(struct pgr_node *node);
uint64_t workload_work(struct pgr_workload *w, uint64_t n);

/*
 * The measured reporter work: one tick of the virtual clock, which runs
 * whatever delayed work fell due (fill, report, drain).  Out of line and
 * only called in the measured phase, for callgrind's per-function counts.
 */
__attribute__((noinline)) int reporter_work(struct pgr_node *node)
{
	return pgr_reporting_advance(node, TICK_NS);
}

/* The measured workload: @n churn steps (alloc/free calls). */
__attribute__((noinline)) uint64_t workload_work(struct pgr_workload *w,
						 uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		pgr_workload_step(w);
	return n;
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
	d->rereported_pages = b->rereported_pages - a->rereported_pages;
}

/* exp_boundary.c's run_point() for one strategy and seed. */
static int run_point(const struct sc_opts *o, enum pgr_strategy strategy,
		     uint64_t seed, struct sc_result *res)
{
	struct pgr_reporting_config rcfg = {
		.strategy = strategy,
		.clock = PGR_CLOCK_VIRTUAL,
	};
	struct pgr_reporting_stats s0, s1;
	struct pgr_sink *sink = NULL;
	struct pgr_node *node;
	struct pgr_workload_config wcfg = {
		.kind = PGR_WORKLOAD_CHURN,
		.seed = seed ^ 0x5eed,
		.churn.occupancy = o->occupancy,
	};
	struct pgr_workload_stats w0, w1;
	struct pgr_workload *w;
	uint64_t nticks, t_work = 0, t_rep = 0;
	double carry = 0;
	int err = -EIO;

	memset(res, 0, sizeof(*res));
	node = bench_node_create(o->mem, false, seed);
	if (!node)
		return -ENOMEM;
	w = bench_workload(pgr_node_zone(node, 0), &wcfg);
	if (!w)
		goto out_node;
	pgr_workload_fill(w);
	sink = pgr_sink_null_create(o->capacity);
	if (!sink)
		goto out_churn;
	err = pgr_reporting_register(node, sink, &rcfg);
	if (err) {
		fprintf(stderr, "scan-cost: register %s: %s\n",
			pgr_strategy_name(strategy), pgr_errmsg());
		goto out_sink;
	}
	pgr_reporting_run_until_idle(node, 300 * NSEC_PER_SEC, NULL);
	/* One virtual second of warm-up churn, not measured. */
	for (uint64_t i = 0; i < (uint64_t)o->rate; i++) {
		pgr_workload_step(w);
		if (i % (uint64_t)(o->rate / 1000 + 1) == 0)
			pgr_reporting_advance(node, TICK_NS);
	}
	pgr_reporting_get_stats(node, &s0);
	pgr_workload_get_stats(w, &w0);

	nticks = o->seconds * NSEC_PER_SEC / TICK_NS;
	for (uint64_t t = 0; t < nticks && !err; t++) {
		uint64_t n, a, b, e;

		carry += o->rate * (double)TICK_NS / 1e9;
		n = (uint64_t)carry;
		carry -= (double)n;
		a = bench_thread_cpu_ns();
		workload_work(w, n);
		b = bench_thread_cpu_ns();
		err = reporter_work(node);
		e = bench_thread_cpu_ns();
		t_work += b - a;
		t_rep += e - b;
	}
	pgr_reporting_get_stats(node, &s1);
	stats_delta(&res->d, &s0, &s1);
	pgr_workload_get_stats(w, &w1);
	res->ops = w1.allocs + w1.frees - w0.allocs - w0.frees;
	res->workload_ns = t_work;
	res->reporter_ns = t_rep;
	if (err)
		fprintf(stderr, "scan-cost: advance: %s\n", pgr_errmsg());
	pgr_reporting_unregister(node);
out_sink:
	pgr_sink_destroy(sink);
out_churn:
	pgr_workload_destroy(w);
out_node:
	pgr_node_destroy(node);
	return err;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * A distribution-free confidence interval for the median of @n sorted
 * values: the order statistics [x_(k), x_(n+1-k)] with the largest k such
 * that P(Binomial(n, 1/2) < k) <= 2.5%; coverage >= 95% for any
 * continuous distribution.  Needs n >= 6; else the whole range.
 */
static void median_ci(const double *v, size_t n, double *lo, double *hi,
		      double *coverage)
{
	double cdf = 0, pk = pow(0.5, (double)n); /* P(X = 0) */
	size_t k = 0;

	/* cdf = P(X <= k - 1); grow k while P(X <= k) stays <= 2.5% */
	while (k < n / 2 && cdf + pk <= 0.025) {
		cdf += pk;
		pk = pk * (double)(n - k) / (double)(k + 1);
		k++;
	}
	if (!k) {
		*lo = v[0];
		*hi = v[n - 1];
		*coverage = 1 - 2 * pow(0.5, (double)n);
		return;
	}
	*lo = v[k - 1];
	*hi = v[n - k];
	*coverage = 1 - 2 * cdf;
}

static void print_one(const char *what, const struct sc_result *r)
{
	double blocks = (double)r->d.blocks_reported;

	printf("%s ops=%llu passes=%llu batches=%llu blocks=%llu pages=%llu "
	       "nodes=%llu nodes_per_block=%.2f rereported=%llu "
	       "reporter_ns=%llu workload_ns=%llu\n",
	       what, (unsigned long long)r->ops,
	       (unsigned long long)r->d.passes,
	       (unsigned long long)r->d.batches,
	       (unsigned long long)r->d.blocks_reported,
	       (unsigned long long)r->d.pages_reported,
	       (unsigned long long)r->d.nodes_visited,
	       blocks ? (double)r->d.nodes_visited / blocks : 0,
	       (unsigned long long)r->d.rereported_pages,
	       (unsigned long long)r->reporter_ns,
	       (unsigned long long)r->workload_ns);
}

static void summary(const char *name, double *v, size_t n, const char *unit)
{
	double lo, hi, cov;

	qsort(v, n, sizeof(*v), cmp_double);
	median_ci(v, n, &lo, &hi, &cov);
	printf("%s median=%.3f ci_lo=%.3f ci_hi=%.3f coverage=%.3f min=%.3f "
	       "max=%.3f n=%zu unit=%s\n",
	       name, v[n / 2], lo, hi, cov, v[0], v[n - 1], n, unit);
}

/* --cpu-pairs: interleaved boundary/rescan runs, CPU-time summaries. */
static int cpu_pairs(const struct sc_opts *o, unsigned n)
{
	double *ratio = calloc(n, sizeof(double));
	double *over = calloc(n, sizeof(double));
	double *bns = calloc(n, sizeof(double));
	double *rns = calloc(n, sizeof(double));
	int err = ratio && over && bns && rns ? 0 : -ENOMEM;

	for (unsigned r = 0; r < n && !err; r++) {
		struct sc_result b, s;
		uint64_t seed = o->seed + r;
		char what[64];

		/* ABBA: the first run of a pair alternates. */
		if (r % 2 == 0) {
			err = run_point(o, PGR_STRATEGY_V11_BOUNDARY, seed, &b);
			if (!err)
				err = run_point(o, PGR_STRATEGY_V11_RESCAN,
						seed, &s);
		} else {
			err = run_point(o, PGR_STRATEGY_V11_RESCAN, seed, &s);
			if (!err)
				err = run_point(o, PGR_STRATEGY_V11_BOUNDARY,
						seed, &b);
		}
		if (err)
			break;
		if (!b.d.blocks_reported || !s.d.blocks_reported ||
		    !b.reporter_ns) {
			fprintf(stderr,
				"scan-cost: seed %llu: nothing reported in the "
				"measured phase (try a longer --seconds)\n",
				(unsigned long long)seed);
			err = -ENODATA;
			break;
		}
		if (b.d.blocks_reported != s.d.blocks_reported ||
		    b.d.pages_reported != s.d.pages_reported)
			fprintf(stderr,
				"scan-cost: seed %llu: the strategies reported "
				"different work (%llu/%llu blocks)\n",
				(unsigned long long)seed,
				(unsigned long long)b.d.blocks_reported,
				(unsigned long long)s.d.blocks_reported);
		snprintf(what, sizeof(what), "pair=%u seed=%llu v11-boundary",
			 r, (unsigned long long)seed);
		print_one(what, &b);
		snprintf(what, sizeof(what), "pair=%u seed=%llu v11-rescan", r,
			 (unsigned long long)seed);
		print_one(what, &s);
		fflush(stdout);
		bns[r] = (double)b.reporter_ns / (double)b.d.blocks_reported;
		rns[r] = (double)s.reporter_ns / (double)s.d.blocks_reported;
		ratio[r] = (double)s.reporter_ns / (double)b.reporter_ns;
		/* exp_boundary's overhead_pct */
		over[r] = 100.0 *
			  ((double)s.reporter_ns - (double)b.reporter_ns) /
			  (double)(b.reporter_ns + b.workload_ns);
	}
	if (!err) {
		summary("cpu reporter_ns_per_block v11-boundary", bns, n, "ns");
		summary("cpu reporter_ns_per_block v11-rescan", rns, n, "ns");
		summary("cpu reporter_ratio rescan/boundary", ratio, n, "x");
		summary("cpu overhead_pct rescan", over, n, "%");
	}
	free(ratio);
	free(over);
	free(bns);
	free(rns);
	return err;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: scan-cost (--strategy v11-boundary|v11-rescan | "
		"--cpu-pairs N)\n"
		"                 [--mem SIZE] [--seconds S] [--rate OPS] "
		"[--occupancy F]\n"
		"                 [--capacity N] [--seed S]\n"
		"  one boundary-vs-rescan point (default 32GiB, 10 virtual s, "
		"20000 ops/s,\n"
		"  occupancy 0.5, capacity 32, seed 1, shuffle off)\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "strategy", required_argument, NULL, 'S' },
		{ "cpu-pairs", required_argument, NULL, 'P' },
		{ "mem", required_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ "occupancy", required_argument, NULL, 'o' },
		{ "capacity", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sc_opts o = {
		.mem = 32 * GiB,
		.seed = 1,
		.seconds = 10,
		.rate = 20000,
		.occupancy = 0.5,
		.capacity = 32,
	};
	int strategy = -1, ch;
	unsigned long pairs = 0;

	while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		char *end = NULL;

		switch (ch) {
		case 'S':
			strategy = pgr_strategy_from_name(optarg);
			if (strategy != PGR_STRATEGY_V11_BOUNDARY &&
			    strategy != PGR_STRATEGY_V11_RESCAN) {
				fprintf(stderr, "scan-cost: --strategy is "
						"v11-boundary or v11-rescan\n");
				return 2;
			}
			break;
		case 'P':
			pairs = strtoul(optarg, &end, 0);
			if (*end || !pairs || pairs > 1000) {
				fprintf(stderr,
					"scan-cost: bad --cpu-pairs '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'm':
			if (bench_parse_size(optarg, &o.mem) ||
			    o.mem < 64 * MiB || o.mem > (GiB << 10) ||
			    o.mem % (4 * MiB)) {
				fprintf(stderr, "scan-cost: bad --mem '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 't':
			o.seconds = strtoull(optarg, &end, 0);
			if (*end || !o.seconds || o.seconds > 3600) {
				fprintf(stderr,
					"scan-cost: bad --seconds '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'r':
			o.rate = strtod(optarg, &end);
			if (*end || !(o.rate >= 1 && o.rate <= 1e7)) {
				fprintf(stderr, "scan-cost: bad --rate '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'o':
			o.occupancy = strtod(optarg, &end);
			if (*end || !(o.occupancy > 0 && o.occupancy < 1)) {
				fprintf(stderr,
					"scan-cost: bad --occupancy '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'c':
			o.capacity = (unsigned)strtoul(optarg, &end, 0);
			if (*end || !o.capacity || o.capacity > 1024) {
				fprintf(stderr,
					"scan-cost: bad --capacity '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			o.seed = strtoull(optarg, &end, 0);
			if (*end) {
				fprintf(stderr, "scan-cost: bad --seed '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || (strategy < 0) == !pairs) {
		usage(stderr);
		return 2;
	}
	printf("config mem=%llu seconds=%llu rate=%.0f occupancy=%.2f "
	       "capacity=%u seed=%llu shuffle=0 order=%d\n",
	       (unsigned long long)o.mem, (unsigned long long)o.seconds, o.rate,
	       o.occupancy, o.capacity, (unsigned long long)o.seed,
	       PGR_PAGEBLOCK_ORDER_DEFAULT);
	if (pairs)
		return cpu_pairs(&o, (unsigned)pairs) ? 1 : 0;
	{
		struct sc_result r;

		if (run_point(&o, strategy, o.seed, &r))
			return 1;
		print_one(pgr_strategy_name(strategy), &r);
	}
	return 0;
}
