// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * replay-speed: trace replay throughput end to end - reading the trace
 * file (pgrtrace text or binary, told by its first byte) and replaying it
 * (src/trace/replay.c) on the model - in events per CPU second of this
 * process, so that other load on a shared machine stays out (wall time is
 * printed too).  A benchmark, not a test: the seconds depend on the
 * machine; bench/speed.sh runs it and, under callgrind, counts the
 * instructions, which do not.
 *
 * Each round reads the file into a fresh trace (read_all), builds and
 * populates the node the trace's zone table describes (setup), registers
 * a reporting strategy if asked (virtual clock, null sink), replays every
 * event (replay_all) and tears everything down.  "End to end" is read +
 * replay; setup is printed apart, as it grows with the node's memory and
 * not with the events.  The summary gives min, median and max over the
 * rounds.
 *
 * Instructions per event (release build, machine-independent):
 *
 *   valgrind --tool=callgrind --toggle-collect=replay_all \
 *            --callgrind-out-file=/dev/null \
 *            bench/replay-speed --trace FILE --mode policy --rounds 1
 *
 * ("Collected" / events; read_all for reading).  A synthetic trace:
 *
 *   bench/replay-speed --synthetic 4000000 --write FILE
 *
 * writes N events over S disjoint slots of 8 pages (a zone of 8 S
 * pages), each slot holding one block of order 0..3 (fixed per slot);
 * every event toggles a random slot (alloc if free, free if allocated),
 * so every event is valid in both modes and the zone stays about half
 * full of small blocks, the order mix of a build.  1 us apart.
 * --slots (default 2^16: 2 GiB of pages touched at random, 6 MiB of page
 * metadata) sets the working set.
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

#define MAX_ROUNDS 101
#define MAX_SLOTS  (1u << 22)

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the process (user + system): the machine's other load is
 * not in it. */
static double cpu_s(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static int write_synthetic(const char *path, uint64_t n, unsigned slots)
{
	uint8_t *order = calloc(slots, 1), *live = calloc(slots, 1);
	struct pgr_trace *t = pgr_trace_create();
	struct bench_rand r;
	int err = -ENOMEM;

	if (!t || !order || !live)
		goto out;
	bench_rand_seed(&r, 42);
	for (unsigned i = 0; i < slots; i++)
		order[i] = (uint8_t)(bench_rand_below(&r, 10) < 8
					     ? 0
					     : bench_rand_below(&r, 3) + 1);
	err = pgr_trace_set_zone(t, 0, "Normal", 0x100000, (uint64_t)slots * 8);
	for (uint64_t i = 0; !err && i < n; i++) {
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
		err = pgr_trace_append(t, &e);
	}
	if (!err)
		err = pgr_trace_save_binary(t, path);
out:
	if (err)
		fprintf(stderr, "replay-speed: synthetic trace: %s\n",
			pgr_errmsg());
	pgr_trace_destroy(t);
	free(order);
	free(live);
	return err;
}

/* The measured parts (callgrind --toggle-collect=read_all / replay_all). */
int read_all(struct pgr_trace *t, const char *path);
int replay_all(struct pgr_replay *r, const struct pgr_trace *t);

__attribute__((noinline)) int read_all(struct pgr_trace *t, const char *path)
{
	return pgr_trace_load(t, path);
}

__attribute__((noinline)) int replay_all(struct pgr_replay *r,
					 const struct pgr_trace *t)
{
	return pgr_replay_run(r, t);
}

struct round {
	double read, setup, replay, teardown, wall;
	size_t events;
};

/* One round, see the header; 0 or -1 (message printed). */
static int run_round(const char *path, enum pgr_replay_mode mode,
		     const char *strategy, struct round *res)
{
	struct pgr_replay_config rc = { .mode = mode };
	struct pgr_node_config cfg;
	struct pgr_sink *sink = NULL;
	struct pgr_replay *r = NULL;
	struct pgr_node *node = NULL;
	struct pgr_trace *t;
	double w0 = clock_s(CLOCK_MONOTONIC), c0 = cpu_s(), c1, c2, c3;
	int err;

	t = pgr_trace_create();
	err = t ? read_all(t, path) : -ENOMEM;
	c1 = cpu_s();
	if (!err)
		err = pgr_trace_node_config(t, &cfg);
	if (!err) {
		/* a replay runs on the buddy level: no per-CPU lists */
		cfg.pcp = PGR_PCP_OFF;
		node = pgr_node_create(&cfg);
		err = node ? 0 : -errno;
	}
	for (unsigned z = 0; !err && z < cfg.nr_zones; z++)
		err = pgr_zone_populate(pgr_node_zone(node, z));
	if (!err && strategy) {
		struct pgr_reporting_config rep = { .strategy_name = strategy };

		sink = pgr_sink_null_create(32);
		err = sink ? pgr_reporting_register(node, sink, &rep) : -errno;
	}
	if (!err) {
		r = pgr_replay_create(node, &rc);
		err = r ? 0 : -errno;
	}
	c2 = cpu_s();
	if (!err)
		err = replay_all(r, t);
	c3 = cpu_s();
	if (err)
		fprintf(stderr, "replay-speed: %s: %s\n", path, pgr_errmsg());
	res->events = pgr_trace_nr_events(t);
	pgr_replay_destroy(r);
	if (strategy && node)
		pgr_reporting_unregister(node);
	pgr_sink_destroy(sink);
	pgr_node_destroy(node);
	pgr_trace_destroy(t);
	res->read = c1 - c0;
	res->setup = c2 - c1;
	res->replay = c3 - c2;
	res->teardown = cpu_s() - c3;
	res->wall = clock_s(CLOCK_MONOTONIC) - w0;
	return err ? -1 : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* min median max of events / seconds[i], in M events per CPU second. */
static void print_rate(const char *what, size_t events, double *secs,
		       unsigned n)
{
	double v[MAX_ROUNDS];

	for (unsigned i = 0; i < n; i++)
		v[i] = secs[i] > 0 ? (double)events / secs[i] / 1e6 : 0;
	qsort(v, n, sizeof(v[0]), cmp_double);
	printf(" %s_Mev_per_cpu_s=%.2f/%.2f/%.2f", what, v[0], v[n / 2],
	       v[n - 1]);
}

static void usage(FILE *f)
{
	fputs("usage: replay-speed --trace FILE [--mode exact|policy] "
	      "[--strategy NAME]\n"
	      "                    [--rounds N]\n"
	      "       replay-speed --synthetic EVENTS [--slots S] --write "
	      "FILE\n"
	      "  FILE: pgrtrace text or binary (uncompressed).  Prints one "
	      "line per round\n"
	      "  and a summary of M events per CPU second, min/median/max:\n"
	      "  e2e (read + replay), replay, read.\n",
	      f);
}

int main(int argc, char **argv)
{
	const char *path = NULL, *write = NULL, *strategy = NULL;
	enum pgr_replay_mode mode = PGR_REPLAY_EXACT;
	unsigned rounds = 5, slots = 1u << 16;
	uint64_t synthetic = 0;
	struct round res[MAX_ROUNDS];
	double e2e[MAX_ROUNDS], rep[MAX_ROUNDS], rd[MAX_ROUNDS];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			usage(stderr);
			return 2;
		}
		i++;
		if (!strcmp(a, "--trace")) {
			path = v;
		} else if (!strcmp(a, "--write")) {
			write = v;
		} else if (!strcmp(a, "--strategy")) {
			strategy = strcmp(v, "none") ? v : NULL;
		} else if (!strcmp(a, "--mode")) {
			int m = pgr_replay_mode_from_name(v);

			if (m < 0) {
				fprintf(stderr, "replay-speed: %s\n",
					pgr_errmsg());
				return 2;
			}
			mode = (enum pgr_replay_mode)m;
		} else if (!strcmp(a, "--rounds")) {
			rounds = (unsigned)strtoul(v, &end, 0);
			if (*end || !rounds || rounds > MAX_ROUNDS) {
				fprintf(stderr,
					"replay-speed: --rounds 1..%d\n",
					MAX_ROUNDS);
				return 2;
			}
		} else if (!strcmp(a, "--synthetic")) {
			synthetic = strtoull(v, &end, 0);
			if (*end || !synthetic) {
				fprintf(stderr,
					"replay-speed: bad --synthetic "
					"'%s'\n",
					v);
				return 2;
			}
		} else if (!strcmp(a, "--slots")) {
			slots = (unsigned)strtoul(v, &end, 0);
			if (*end || !slots || slots > MAX_SLOTS) {
				fprintf(stderr, "replay-speed: --slots 1..%u\n",
					MAX_SLOTS);
				return 2;
			}
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (synthetic) {
		if (!write || path) {
			usage(stderr);
			return 2;
		}
		return write_synthetic(write, synthetic, slots) ? 1 : 0;
	}
	if (!path || write) {
		usage(stderr);
		return 2;
	}
	for (unsigned i = 0; i < rounds; i++) {
		if (run_round(path, mode, strategy, &res[i]))
			return 1;
		printf("round %u: events=%zu read_cpu_s=%.4f setup_cpu_s=%.4f "
		       "replay_cpu_s=%.4f teardown_cpu_s=%.4f wall_s=%.4f\n",
		       i + 1, res[i].events, res[i].read, res[i].setup,
		       res[i].replay, res[i].teardown, res[i].wall);
		e2e[i] = res[i].read + res[i].replay;
		rep[i] = res[i].replay;
		rd[i] = res[i].read;
	}
	printf("summary: trace=%s mode=%s strategy=%s events=%zu rounds=%u",
	       path, pgr_replay_mode_name(mode), strategy ? strategy : "none",
	       res[0].events, rounds);
	print_rate("e2e", res[0].events, e2e, rounds);
	print_rate("replay", res[0].events, rep, rounds);
	print_rate("read", res[0].events, rd, rounds);
	printf("\n");
	return 0;
}
