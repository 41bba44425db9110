// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench: the runner's main(): options, experiment selection,
 * the results directory and the summary line.
 *
 * Models no kernel code.  Each experiment lives in its own exp_*.c and
 * writes <out>/<experiment>.csv and .json; main only orders them.  The
 * default results directory is results/<UTC timestamp> in the current
 * directory (results.c); results/latest is pointed at it when the run
 * completed (what `make plots` reads).  --shard and merge: shard.c.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "bench/revision.h" /* built: PGR_BENCH_REVISION */

struct bench_opts bench_opts = {
	.mem_bytes = 32 * GiB,
	.strategy = -1,
	.seed = 1,
	.repeat = 5,
	.delay_scale = 0.1,
	.pf_order = 9,
	.pf_mem_bytes = 512 * MiB,
	.pf_seconds = 0.3,
	.oc_guests = 64,
	.oc_guest_gib = 32,
	.oc_hours = 1,
	.oc_rate = 1000,
	.oc_tick_ms = 10,
};

static const struct bench_experiment experiments[] = {
	{ "boundary-vs-rescan",
	  "v11 with and without reported_boundary, upstream and Lal's "
	  "bitmap, under alloc/free churn (virtual clock): the seed's 18% "
	  "claim and Duyck's \"over 20% worse\"",
	  exp_boundary_run },
	{ "page-fault1",
	  "will-it-scale page_fault1 on real guest RAM (memfd): T threads "
	  "take, touch and free 2 MiB blocks, reporting off/null/memory/"
	  "balloon (real clock)",
	  exp_pagefault_run },
	{ "reclaim",
	  "bytes returned to the host over virtual time after freeing most "
	  "of a guest, and the order/delay/capacity sweep",
	  exp_reclaim_run },
	{ "scale",
	  "metadata per page, create+populate time and alloc/free ns/op "
	  "from 1 GiB to 1 TiB",
	  exp_scale_run },
	{ "overcommit",
	  "Lal's set-up: how many 5 GiB guests (touching 4-5 GiB, then "
	  "freeing it) fit on a 15 GiB host without swap, per strategy; "
	  "host RSS over time, refaults (virtual clock)",
	  exp_overcommit_run },
	{ "overcommit-sweep",
	  "guests fit per strategy as host size, guest size, touch "
	  "fraction, upstream delay, v11 hwm and bitmap capacity move "
	  "(coarse; --full: fine)",
	  exp_overcommit_sweep_run },
	{ "overcommit-scale",
	  "the host model at scale (not run by default): --guests N (64) "
	  "x --guest-gib G (32) guests, upstream reporting, --hours H (1) "
	  "of virtual churn; wall time, peak RSS, work counts",
	  exp_overcommit_scale_run },
};

#define NR_EXPERIMENTS (sizeof(experiments) / sizeof(experiments[0]))

/* Not in the default set, run when named: real kernels, minutes. */
static const struct bench_experiment named_experiments[] = {
	{ "overcommit-uml",
	  "the overcommit question with real kernels: User-Mode Linux "
	  "guests (each its own pagereport-balloond) filling and freeing "
	  "memory one after another, their RAM files' bytes against the "
	  "model (real clock, about 2 min; by name only)",
	  exp_overcommit_uml_run },
};

#define NR_NAMED (sizeof(named_experiments) / sizeof(named_experiments[0]))

unsigned bench_repeat(void)
{
	return bench_opts.repeat;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: pagereport-bench [EXPERIMENT...] [OPTION...]\n"
		   "       pagereport-bench merge [--out DIR] SHARD_DIR...\n"
		   "Run libpagereport's experiments (all of them by default) "
		   "and write one\n"
		   "CSV and one JSON per experiment.\n"
		   "\n"
		   "  --mem SIZE         simulated guest of boundary-vs-rescan "
		   "and reclaim\n"
		   "                     (default 32GiB; 64MiB..1TiB; suffixes "
		   "K M G T)\n"
		   "  --threads N        page-fault1 threads (default: 1 and "
		   "2; 1 if --quick)\n"
		   "  --strategy S       v11-boundary, v11-rescan, upstream, "
		   "bitmap or a loaded\n"
		   "                     one (default all)\n"
		   "  --load FILE.so     a strategy plug-in "
		   "(pgr_strategy_load): its strategies\n"
		   "                     run beside the built-ins; "
		   "repeatable\n"
		   "  --param N=V        a strategy parameter, best qualified "
		   "(upstream.delay=1s,\n"
		   "                     v11-boundary.hwm=16); repeatable\n"
		   "  --seed S           workload and shuffle seed (default "
		   "1); repeat r\n"
		   "                     uses S + r\n"
		   "  --repeat N         repetitions per point (default 5)\n"
		   "  --quick            small sizes and short runs (< 1 "
		   "minute in total)\n"
		   "  --out DIR          results directory (default "
		   "results/<timestamp>,\n"
		   "                     and results/latest pointed at it "
		   "once it completed)\n"
		   "  --profile FILE     gperftools CPU profile of the "
		   "measured phases\n"
		   "  --balloond PATH    pagereport-balloond for the balloon "
		   "sink (default:\n"
		   "                     the one built next to this program, "
		   "if any)\n"
		   "  --no-balloon       skip the balloon sink (rows say "
		   "unavailable)\n"
		   "  --delay-scale F    page-fault1: reporting delays x F "
		   "(default 0.1:\n"
		   "                     v11 10 ms, upstream 200 ms); 1 = the "
		   "real delays\n"
		   "  --pf-order N       page-fault1 block order: 9 (default) "
		   "or 0\n"
		   "  --pf-mem SIZE      page-fault1 guest RAM (memfd; default "
		   "512MiB)\n"
		   "  --pf-seconds S     page-fault1 measured window (default "
		   "0.3)\n"
		   "  --shard I/N        run only the I-th of N slices of "
		   "the points x repeats\n"
		   "                     (join them with pagereport-bench "
		   "merge DIR...)\n"
		   "  --guests N         overcommit-scale: guests (default "
		   "64; 4 if --quick)\n"
		   "  --guest-gib G      overcommit-scale: GiB per guest "
		   "(default 32; 1 if --quick)\n"
		   "  --hours H          overcommit-scale: virtual hours "
		   "(default 1; 1 min if --quick)\n"
		   "  --oc-rate R        overcommit-scale: churn ops/s per "
		   "guest (default 1000)\n"
		   "  --oc-tick-ms T     overcommit-scale: host clock tick "
		   "(default 10)\n"
		   "  --full             overcommit: the fine sweeps\n"
		   "  --list             list the experiments\n"
		   "  -h, --help         this text\n"
		   "\n"
		   "See pagereport-bench(1) and bench/README.md for what each "
		   "column means.\n");
}

/* Benchmarks of the model itself: run only when named. */
static bool not_default(const struct bench_experiment *e)
{
	return !strcmp(e->name, "overcommit-scale");
}

static const struct bench_experiment *find_experiment(const char *name)
{
	for (size_t i = 0; i < NR_EXPERIMENTS; i++)
		if (!strcmp(experiments[i].name, name))
			return &experiments[i];
	for (size_t i = 0; i < NR_NAMED; i++)
		if (!strcmp(named_experiments[i].name, name))
			return &named_experiments[i];
	/* short aliases */
	if (!strcmp(name, "boundary") || !strcmp(name, "rescan"))
		return &experiments[0];
	if (!strcmp(name, "page_fault1") || !strcmp(name, "pf1"))
		return &experiments[1];
	return NULL;
}

static int parse_uint(const char *s, unsigned long long max,
		      unsigned long long *r)
{
	char *end;

	errno = 0;
	*r = strtoull(s, &end, 0);
	if (errno || end == s || *end || *r > max || s[0] == '-')
		return -EINVAL;
	return 0;
}

enum {
	OPT_MEM = 256,
	OPT_THREADS,
	OPT_STRATEGY,
	OPT_SEED,
	OPT_REPEAT,
	OPT_QUICK,
	OPT_OUT,
	OPT_PROFILE,
	OPT_BALLOOND,
	OPT_NO_BALLOON,
	OPT_DELAY_SCALE,
	OPT_PF_ORDER,
	OPT_PF_MEM,
	OPT_PF_SECONDS,
	OPT_LIST,
	OPT_SHARD,
	OPT_GUESTS,
	OPT_GUEST_GIB,
	OPT_HOURS,
	OPT_OC_RATE,
	OPT_OC_TICK_MS,
	OPT_FULL,
	OPT_LOAD,
	OPT_PARAM,
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "strategy", required_argument, NULL, OPT_STRATEGY },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "repeat", required_argument, NULL, OPT_REPEAT },
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "balloond", required_argument, NULL, OPT_BALLOOND },
		{ "no-balloon", no_argument, NULL, OPT_NO_BALLOON },
		{ "delay-scale", required_argument, NULL, OPT_DELAY_SCALE },
		{ "pf-order", required_argument, NULL, OPT_PF_ORDER },
		{ "pf-mem", required_argument, NULL, OPT_PF_MEM },
		{ "pf-seconds", required_argument, NULL, OPT_PF_SECONDS },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "guests", required_argument, NULL, OPT_GUESTS },
		{ "guest-gib", required_argument, NULL, OPT_GUEST_GIB },
		{ "hours", required_argument, NULL, OPT_HOURS },
		{ "oc-rate", required_argument, NULL, OPT_OC_RATE },
		{ "oc-tick-ms", required_argument, NULL, OPT_OC_TICK_MS },
		{ "full", no_argument, NULL, OPT_FULL },
		{ "load", required_argument, NULL, OPT_LOAD },
		{ "param", required_argument, NULL, OPT_PARAM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct bench_experiment *run[NR_EXPERIMENTS + NR_NAMED];
	size_t nr_run = 0;
	char outbuf[256];
	bool repeat_set = false, pf_mem_set = false, pf_seconds_set = false;
	const char *strategy = NULL;
	uint64_t t0;
	int opt, ret = 0;

	bench_opts.argv0 = argv[0];
	if (argc > 1 && !strcmp(argv[1], "merge"))
		return bench_merge_main(argc - 1, argv + 1, experiments,
					NR_EXPERIMENTS);
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		unsigned long long v;
		char *end;

		switch (opt) {
		case OPT_MEM:
			if (bench_parse_size(optarg, &bench_opts.mem_bytes) ||
			    bench_opts.mem_bytes < 64 * MiB ||
			    bench_opts.mem_bytes > (GiB << 10) ||
			    bench_opts.mem_bytes % (4 * MiB)) {
				fprintf(stderr,
					"pagereport-bench: --mem %s: "
					"want 64MiB..1TiB, a multiple of "
					"4MiB\n",
					optarg);
				return 2;
			}
			bench_opts.mem_set = true;
			break;
		case OPT_THREADS:
			if (parse_uint(optarg, 64, &v) || !v) {
				fprintf(stderr,
					"pagereport-bench: --threads "
					"%s: want 1..64\n",
					optarg);
				return 2;
			}
			bench_opts.threads = (unsigned)v;
			break;
		case OPT_STRATEGY:
			strategy = optarg; /* after every --load */
			break;
		case OPT_LOAD:
			if (bench_load(optarg))
				return 2;
			break;
		case OPT_PARAM:
			if (bench_add_param(optarg))
				return 2;
			break;
		case OPT_SEED:
			if (parse_uint(optarg, UINT64_MAX, &v)) {
				fprintf(stderr,
					"pagereport-bench: --seed %s: "
					"not a number\n",
					optarg);
				return 2;
			}
			bench_opts.seed = v;
			break;
		case OPT_REPEAT:
			if (parse_uint(optarg, 1000, &v) || !v) {
				fprintf(stderr,
					"pagereport-bench: --repeat "
					"%s: want 1..1000\n",
					optarg);
				return 2;
			}
			bench_opts.repeat = (unsigned)v;
			repeat_set = true;
			break;
		case OPT_QUICK:
			bench_opts.quick = true;
			break;
		case OPT_OUT:
			bench_opts.out_dir = optarg;
			break;
		case OPT_PROFILE:
			bench_opts.profile = optarg;
			break;
		case OPT_BALLOOND:
			bench_opts.balloond = optarg;
			break;
		case OPT_NO_BALLOON:
			bench_opts.balloond = "";
			break;
		case OPT_DELAY_SCALE:
			bench_opts.delay_scale = strtod(optarg, &end);
			if (*end || !(bench_opts.delay_scale > 0) ||
			    bench_opts.delay_scale > 10) {
				fprintf(stderr,
					"pagereport-bench: "
					"--delay-scale %s: want (0, 10]\n",
					optarg);
				return 2;
			}
			break;
		case OPT_PF_ORDER:
			if (parse_uint(optarg, 10, &v)) {
				fprintf(stderr,
					"pagereport-bench: --pf-order "
					"%s: want 0..10\n",
					optarg);
				return 2;
			}
			bench_opts.pf_order = (unsigned)v;
			break;
		case OPT_PF_MEM:
			if (bench_parse_size(optarg,
					     &bench_opts.pf_mem_bytes) ||
			    bench_opts.pf_mem_bytes < 128 * MiB ||
			    bench_opts.pf_mem_bytes > 16 * GiB ||
			    bench_opts.pf_mem_bytes % (4 * MiB)) {
				fprintf(stderr,
					"pagereport-bench: --pf-mem "
					"%s: want 128MiB..16GiB, a multiple "
					"of 4MiB\n",
					optarg);
				return 2;
			}
			pf_mem_set = true;
			break;
		case OPT_PF_SECONDS:
			bench_opts.pf_seconds = strtod(optarg, &end);
			if (*end || !(bench_opts.pf_seconds >= 0.05) ||
			    bench_opts.pf_seconds > 600) {
				fprintf(stderr,
					"pagereport-bench: "
					"--pf-seconds %s: want 0.05..600\n",
					optarg);
				return 2;
			}
			pf_seconds_set = true;
			break;
		case OPT_SHARD:
			if (bench_shard_parse(optarg)) {
				fprintf(stderr,
					"pagereport-bench: --shard %s: want "
					"I/N with 1 <= I <= N\n",
					optarg);
				return 2;
			}
			break;
		case OPT_GUESTS:
			if (parse_uint(optarg, PGR_HOST_MAX_GUESTS, &v) || !v) {
				fprintf(stderr,
					"pagereport-bench: --guests %s: want "
					"1..%d\n",
					optarg, PGR_HOST_MAX_GUESTS);
				return 2;
			}
			bench_opts.oc_guests = (unsigned)v;
			bench_opts.oc_set = true;
			break;
		case OPT_GUEST_GIB:
			if (parse_uint(optarg, 1024, &v) || !v) {
				fprintf(stderr,
					"pagereport-bench: --guest-gib %s: "
					"want 1..1024\n",
					optarg);
				return 2;
			}
			bench_opts.oc_guest_gib = v;
			bench_opts.oc_set = true;
			break;
		case OPT_HOURS:
			bench_opts.oc_hours = strtod(optarg, &end);
			if (*end || !(bench_opts.oc_hours > 0) ||
			    bench_opts.oc_hours > 1000) {
				fprintf(stderr,
					"pagereport-bench: --hours %s: want "
					"(0, 1000]\n",
					optarg);
				return 2;
			}
			bench_opts.oc_set = true;
			break;
		case OPT_OC_RATE:
			bench_opts.oc_rate = strtod(optarg, &end);
			if (*end || !(bench_opts.oc_rate > 0) ||
			    bench_opts.oc_rate > 1e7) {
				fprintf(stderr,
					"pagereport-bench: --oc-rate %s: want "
					"(0, 1e7] ops/s\n",
					optarg);
				return 2;
			}
			bench_opts.oc_set = true;
			break;
		case OPT_OC_TICK_MS:
			if (parse_uint(optarg, 60000, &v) || !v) {
				fprintf(stderr,
					"pagereport-bench: --oc-tick-ms %s: "
					"want 1..60000\n",
					optarg);
				return 2;
			}
			bench_opts.oc_tick_ms = v;
			bench_opts.oc_set = true;
			break;
		case OPT_FULL:
			bench_opts.full = true;
			break;
		case OPT_LIST:
			for (size_t i = 0; i < NR_EXPERIMENTS; i++)
				printf("%-20s %s\n", experiments[i].name,
				       experiments[i].summary);
			for (size_t i = 0; i < NR_NAMED; i++)
				printf("%-20s %s\n", named_experiments[i].name,
				       named_experiments[i].summary);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (strategy) {
		int s = pgr_strategy_from_name(strategy);

		if (s < 0) {
			fprintf(stderr,
				"pagereport-bench: --strategy %s: want "
				"v11-boundary, v11-rescan, upstream, bitmap "
				"or a loaded one\n",
				strategy);
			return 2;
		}
		bench_opts.strategy = s;
	}
	for (int i = optind; i < argc; i++) {
		const struct bench_experiment *e = find_experiment(argv[i]);
		bool dup = false;

		if (!e) {
			fprintf(stderr,
				"pagereport-bench: unknown experiment "
				"'%s' (see --list)\n",
				argv[i]);
			return 2;
		}
		for (size_t j = 0; j < nr_run; j++)
			dup |= run[j] == e;
		if (!dup)
			run[nr_run++] = e;
	}
	if (!nr_run)
		for (size_t i = 0; i < NR_EXPERIMENTS; i++)
			if (!not_default(&experiments[i]))
				run[nr_run++] = &experiments[i];
	if (bench_opts.quick && !bench_opts.oc_set) {
		bench_opts.oc_guests = 4;
		bench_opts.oc_guest_gib = 1;
		bench_opts.oc_hours = 1.0 / 60;
	}
	if (bench_opts.quick && !repeat_set)
		bench_opts.repeat = 3;
	if (bench_opts.quick && !bench_opts.mem_set)
		bench_opts.mem_bytes = 4 * GiB;
	if (bench_opts.quick && !pf_mem_set)
		bench_opts.pf_mem_bytes = 256 * MiB;
	if (bench_opts.quick && !pf_seconds_set)
		bench_opts.pf_seconds = 0.15;

	if (!bench_opts.out_dir) {
		if (bench_results_dir_create(outbuf, sizeof(outbuf)))
			return 1;
		bench_opts.out_dir = outbuf;
	} else if (bench_results_mkdir(bench_opts.out_dir)) {
		return 1;
	}
	if (bench_opts.profile && bench_profile_start(bench_opts.profile))
		return 1;
	if (PGR_DEBUG >= 2)
		fprintf(stderr,
			"pagereport-bench: note: debug level %d build: "
			"internal checks run inside the timings; configure "
			"--enable-debug=0 for numbers to quote\n",
			PGR_DEBUG);

	printf("pagereport-bench %s (%s), seed %llu, %u repeats%s, out %s\n",
	       PACKAGE_VERSION, PGR_BENCH_REVISION,
	       (unsigned long long)bench_opts.seed, bench_opts.repeat,
	       bench_opts.quick ? ", quick" : "", bench_opts.out_dir);
	fflush(stdout);
	t0 = bench_now_ns();
	for (size_t i = 0; i < nr_run; i++) {
		uint64_t t = bench_now_ns();
		int err;

		printf("== %s: %s\n", run[i]->name, run[i]->summary);
		fflush(stdout);
		bench_shard_reset();
		err = run[i]->run(bench_opts.out_dir);
		printf("== %s: %s in %.1f s\n", run[i]->name,
		       err ? "FAILED" : "done",
		       (double)(bench_now_ns() - t) / 1e9);
		fflush(stdout);
		if (err)
			ret = 1;
	}
	bench_profile_stop();
	printf("total %.1f s; results in %s\n",
	       (double)(bench_now_ns() - t0) / 1e9, bench_opts.out_dir);
	/* A shard is not a run of its own: merge publishes the whole. */
	if (bench_opts.out_dir == outbuf && !bench_sharded()) {
		if (ret)
			printf("results/latest not moved: a run failed\n");
		else if (bench_results_publish(outbuf))
			ret = 1;
	}
	return ret;
}
