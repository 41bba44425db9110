// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * replay-speed: trace replay throughput (events per CPU second of the
 * replaying thread, so that other load on a shared machine stays out;
 * wall time is printed too) of the
 * library's replay (src/trace/replay.c) on the model, for the real trace
 * shipped in tests/data and for a synthetic trace of N events (default
 * 10^8).  A benchmark, not a test: the numbers depend on the machine.
 *
 * Synthetic trace: S disjoint slots of 8 pages (a zone of 8 S pages), each
 * holding one block of order 0..3 (fixed per slot); every event toggles a
 * random slot (alloc if free, free if allocated), so every event is valid
 * in both modes and the zone stays about half full of small blocks, the
 * order mix of a build.  Timestamps are 1 us apart.
 *
 * Instructions per event (machine-independent, release build):
 *
 *   valgrind --tool=callgrind --toggle-collect=replay_all \
 *            --callgrind-out-file=/dev/null bench/replay-speed \
 *            --events 2000000 --synthetic-only
 *
 * then divide "Collected" by the events replayed per collected run
 * (printed as "callgrind: N events in replay_all").  Usage:
 *
 *   bench/replay-speed [--events N] [--slots S] [--trace FILE]
 *                      [--synthetic-only]
 *
 * --slots (default 2^16: 2 GiB of pages touched at random, 6 MiB of page
 * metadata, more than this machine's caches) sets the working set.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pagereport/pagereport.h>

#include "rand.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum { MAX_SLOTS = 1 << 20 };

/* CPU time of this thread: other processes on a shared machine stay out. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct pgr_trace *synthetic(uint64_t n, unsigned slots)
{
	static uint8_t order[MAX_SLOTS], live[MAX_SLOTS];
	struct pgr_trace *t = pgr_trace_create();
	struct bench_rand r;

	if (!t)
		return NULL;
	bench_rand_seed(&r, 42);
	for (unsigned i = 0; i < slots; i++)
		order[i] = (uint8_t)(bench_rand_below(&r, 10) < 8
					     ? 0
					     : bench_rand_below(&r, 3) + 1);
	pgr_trace_set_zone(t, 0, "Normal", 0x100000, (uint64_t)slots * 8);
	for (uint64_t i = 0; i < n; i++) {
		unsigned s = (unsigned)bench_rand_below(&r, slots);
		struct pgr_trace_event e = {
			.time_ns = i * 1000,
			.pfn = 0x100000 + (uint64_t)s * 8,
			.op = live[s] ? PGR_TRACE_FREE : PGR_TRACE_ALLOC,
			.order = order[s],
			.migratetype = PGR_MIGRATE_MOVABLE,
			.zone = 0,
		};

		live[s] ^= 1;
		if (pgr_trace_append(t, &e)) {
			pgr_trace_destroy(t);
			return NULL;
		}
	}
	return t;
}

/* The measured part (callgrind --toggle-collect=replay_all). */
int replay_all(struct pgr_replay *r, const struct pgr_trace *t);
__attribute__((noinline)) int replay_all(struct pgr_replay *r,
					 const struct pgr_trace *t)
{
	return pgr_replay_run(r, t);
}

/* One replay of @t on a fresh node; events per CPU second, or -1. */
static double run(const struct pgr_trace *t, enum pgr_replay_mode mode,
		  const char *strategy, double *r_secs, double *r_wall)
{
	struct pgr_replay_config rc = { .mode = mode };
	struct pgr_node_config cfg;
	struct pgr_sink *sink = NULL;
	struct pgr_replay *r;
	struct pgr_node *node;
	double a, b;
	int err;

	if (pgr_trace_node_config(t, &cfg))
		return -1;
	node = pgr_node_create(&cfg);
	if (!node)
		return -1;
	for (unsigned z = 0; z < cfg.nr_zones; z++)
		pgr_zone_populate(pgr_node_zone(node, z));
	if (strategy) {
		struct pgr_reporting_config rep = {
			.strategy = (enum pgr_strategy)pgr_strategy_from_name(
				strategy),
		};

		sink = pgr_sink_null_create(32);
		if (!sink || pgr_reporting_register(node, sink, &rep)) {
			fprintf(stderr, "replay-speed: %s\n", pgr_errmsg());
			return -1;
		}
	}
	r = pgr_replay_create(node, &rc);
	*r_wall = now_s();
	a = cpu_s();
	err = replay_all(r, t);
	b = cpu_s();
	*r_wall = now_s() - *r_wall;
	if (err)
		fprintf(stderr, "replay-speed: %s\n", pgr_errmsg());
	pgr_replay_destroy(r);
	if (strategy)
		pgr_reporting_unregister(node);
	pgr_sink_destroy(sink);
	pgr_node_destroy(node);
	*r_secs = b - a;
	return err ? -1 : (double)pgr_trace_nr_events(t) / (b - a);
}

static void report(const char *what, const struct pgr_trace *t,
		   enum pgr_replay_mode mode, const char *strategy,
		   unsigned repeat)
{
	double best = 0, secs = 0, wall = 0;

	for (unsigned i = 0; i < repeat; i++) {
		double s, w, v = run(t, mode, strategy, &s, &w);

		if (v > best) {
			best = v;
			secs = s;
			wall = w;
		}
	}
	printf("%-10s %-7s %-13s %11zu events %8.3f s CPU (%8.3f s wall) "
	       "%8.2f M events/CPU-s\n",
	       what, pgr_replay_mode_name(mode), strategy ? strategy : "none",
	       pgr_trace_nr_events(t), secs, wall, best / 1e6);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *src = getenv("top_srcdir");
	char path[4096], cmd[4200];
	uint64_t n = 100000000;
	unsigned slots = 1 << 16;
	bool synthetic_only = false;
	struct pgr_trace *t;

	snprintf(path, sizeof(path), "%s/tests/data/kmem-build-hog.pgrtrace.xz",
		 src ? src : ".");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--events") && i + 1 < argc)
			n = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--trace") && i + 1 < argc)
			snprintf(path, sizeof(path), "%s", argv[++i]);
		else if (!strcmp(argv[i], "--slots") && i + 1 < argc)
			slots = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--synthetic-only"))
			synthetic_only = true;
		else {
			fprintf(stderr,
				"usage: replay-speed [--events N] [--slots S] "
				"[--trace FILE.pgrtrace.xz] "
				"[--synthetic-only]\n");
			return 2;
		}
	}
	if (!synthetic_only) {
		FILE *f;
		double a, b;

		snprintf(cmd, sizeof(cmd), "xz -dc '%s'", path);
		t = pgr_trace_create();
		f = popen(cmd, "r");
		a = now_s();
		if (!t || !f || pgr_trace_read(t, f)) {
			fprintf(stderr, "replay-speed: %s: %s\n", path,
				pgr_errmsg());
			return 1;
		}
		b = now_s();
		pclose(f);
		printf("real trace %s: read %zu events in %.3f s (%.2f M "
		       "lines/s, xz -dc included)\n",
		       path, pgr_trace_nr_events(t), b - a,
		       (double)pgr_trace_nr_events(t) / (b - a) / 1e6);
		report("real", t, PGR_REPLAY_EXACT, NULL, 5);
		report("real", t, PGR_REPLAY_POLICY, NULL, 5);
		report("real", t, PGR_REPLAY_EXACT, "v11-boundary", 3);
		report("real", t, PGR_REPLAY_EXACT, "upstream", 3);
		pgr_trace_destroy(t);
	}
	if (!slots || slots > MAX_SLOTS) {
		fprintf(stderr, "replay-speed: --slots 1..%d\n", MAX_SLOTS);
		return 2;
	}
	printf("synthetic: %" PRIu64 " events over %u slots of 8 pages\n", n,
	       slots);
	t = synthetic(n, slots);
	if (!t) {
		fprintf(stderr,
			"replay-speed: no memory for %" PRIu64 " events\n", n);
		return 1;
	}
	printf("callgrind: %zu events in replay_all\n", pgr_trace_nr_events(t));
	report("synthetic", t, PGR_REPLAY_EXACT, NULL, 1);
	if (!synthetic_only) {
		report("synthetic", t, PGR_REPLAY_POLICY, NULL, 1);
		report("synthetic", t, PGR_REPLAY_EXACT, "v11-boundary", 1);
	}
	pgr_trace_destroy(t);
	return 0;
}
