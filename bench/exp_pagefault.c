// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench page-fault1: will-it-scale's page_fault1 as Duyck ran
 * it for the cover letters (modified to use THP), on the model.
 *
 * T threads each run the library's page_fault1 workload: take a 2 MiB
 * block (order 9; --pf-order 0 for 4 KiB) from the simulated zone, write
 * every byte of it in the guest RAM (a memfd mapped shared: pgr_guest_ram;
 * the workload's on_alloc hook), free it.  Reporting is off, or
 * on with the null sink (the model's cost only), the memory sink (real
 * fallocate(PUNCH_HOLE) of the reported ranges, so touching a reported
 * block refaults it from the host, zero-filled, as in the guest), or the
 * balloon sink (vhost-user to pagereport-balloond, which discards the
 * same ranges) when the daemon is available.  The reporter is the engine's
 * REAL clock worker thread; its delays are the strategy's scaled by
 * --delay-scale (default 0.1: v11 10 ms, upstream 200 ms) so that several
 * passes fall inside a short window; the scale is in the CSV.
 *
 * All guest RAM is made resident before each run (MADV_POPULATE_WRITE),
 * as in a guest that has used its memory before.
 * Measurement: each thread counts loops.  A run warms up for 0.1 s and,
 * with reporting on, until the idle guest has been reported once (the
 * steady state, not the initial drain); then the counters are read at the
 * start and end of a window of --pf-seconds: loops per second over all
 * threads.  Every reporting-on run is paired with an adjacent
 * reporting-off run of the same repeat, threads and shuffle (alternating
 * which goes first) and change_pct is that pair's % change, so slow drift
 * of the machine cancels.
 * Unlike the kernel, the fault path here is the host's (memfd shmem
 * faults); the guest-side zeroing is the memset itself.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

enum pf_sink { PF_OFF, PF_NULL, PF_MEMORY, PF_BALLOON, PF_NR_SINKS };

static const char *const pf_sink_names[] = { "off", "null", "memory",
					     "balloon" };

struct pf_cell {
	unsigned threads;
	bool shuffle;
	enum pf_sink sink;
	enum pgr_strategy strategy; /* unused when off */
	struct bench_row *row;
};

struct pf_thread {
	pthread_t tid;
	struct pgr_zone *zone;
	struct pgr_guest_ram *ram;
	unsigned order;
	atomic_bool *stop;
	_Atomic uint64_t loops;
	uint64_t enomem;
	int err;
	unsigned char val; /* pf_touch's fill byte */
};

/* on_alloc of the page_fault1 workload: write every byte of the block. */
static void pf_touch(void *arg, uint64_t pfn, unsigned order)
{
	struct pf_thread *t = arg;
	void *p = pgr_guest_ram_addr(t->ram, pfn);

	if (p)
		memset(p, t->val++, PGR_PAGE_SIZE << order);
}

/* The library's page_fault1 workload (src/workload/page_fault1.c). */
static void *pf_worker(void *arg)
{
	struct pf_thread *t = arg;
	struct pgr_workload_config cfg = {
		.kind = PGR_WORKLOAD_PAGE_FAULT1,
		.page_fault1.order = t->order,
		.on_alloc = pf_touch,
		.arg = t,
	};
	struct pgr_workload *w;

	t->val = 1;
	w = pgr_workload_create(t->zone, &cfg);
	if (!w) {
		t->err = -errno;
		return NULL;
	}
	while (!atomic_load_explicit(t->stop, memory_order_relaxed)) {
		int err = pgr_workload_step(w);

		if (err == -ENOMEM) {
			/* everything is isolated for a report: wait */
			t->enomem++;
			sched_yield();
			continue;
		}
		if (err) {
			t->err = err;
			break;
		}
		atomic_fetch_add_explicit(&t->loops, 1, memory_order_relaxed);
	}
	pgr_workload_destroy(w);
	return NULL;
}

static uint64_t sum_loops(struct pf_thread *th, unsigned n)
{
	uint64_t s = 0;

	for (unsigned i = 0; i < n; i++)
		s += atomic_load_explicit(&th[i].loops, memory_order_relaxed);
	return s;
}

struct pf_result {
	double ops_per_s;
	double warmup_s;
	double bytes_reported;
	double batches;
	double discarded;
	bool ok;
};

static struct pgr_sink *make_sink(const struct pf_cell *c,
				  struct pgr_guest_ram *ram,
				  const struct bench_balloond *bd, char *why,
				  size_t len)
{
	struct pgr_sink *s = NULL;
	unsigned cap = PGR_REPORTING_CAPACITY;

	switch (c->sink) {
	case PF_NULL:
		s = pgr_sink_null_create(cap);
		break;
	case PF_MEMORY:
		s = pgr_sink_memory_create(ram, PGR_DISCARD_PUNCH_HOLE, cap);
		break;
	case PF_BALLOON: {
		/* virtio: v11 min(vring, 16), 5.7 PAGE_REPORTING_CAPACITY */
		struct pgr_balloon_config bc = {
			.socket_path = bd->socket_path,
			.fd = -1,
			.ram = ram,
			.capacity =
				c->strategy == PGR_STRATEGY_UPSTREAM ? 32 : 16,
		};

		if (!bd->available) {
			snprintf(why, len, "unavailable: %s", bd->why);
			return NULL;
		}
		s = pgr_sink_balloon_create(&bc);
		if (!s) {
			snprintf(why, len, "unavailable: connect: %s (%s)",
				 strerror(errno), pgr_errmsg());
			return NULL;
		}
		return s;
	}
	default:
		break;
	}
	if (!s)
		snprintf(why, len, "error: sink: %s", strerror(errno));
	return s;
}

static double pf_min_warmup_s(void)
{
	return bench_opts.quick ? 0.05 : 0.1;
}

/*
 * Warm-up: the workload runs for pf_min_warmup_s(); with reporting on it
 * also runs until the reporter has reported the idle guest once (90% of
 * the memory the threads do not hold), as in a guest that has had
 * reporting on for a while, so the window measures the steady state and
 * not the initial drain.  Upstream's 1/16 budget makes that drain take
 * a few passes.  Capped at PF_WARMUP_MAX_S.  Returns the warm-up length.
 */
#define PF_WARMUP_MAX_S 1.5
static double pf_warmup(struct pgr_node *node, bool registered,
			unsigned threads)
{
	uint64_t t0 = bench_now_ns(),
		 block = PGR_PAGE_SIZE << bench_opts.pf_order;
	double want = 0.9 * (double)(bench_opts.pf_mem_bytes -
				     (uint64_t)threads * block);

	usleep((useconds_t)(pf_min_warmup_s() * 1e6));
	while (registered &&
	       (double)(bench_now_ns() - t0) / 1e9 < PF_WARMUP_MAX_S) {
		struct pgr_reporting_stats s;

		pgr_reporting_get_stats(node, &s);
		if ((double)s.bytes_reported >= want)
			break;
		usleep(10000);
	}
	return (double)(bench_now_ns() - t0) / 1e9;
}

static int run_cell(const struct pf_cell *c, uint64_t seed,
		    const struct bench_balloond *bd, struct pgr_guest_ram *ram,
		    struct pf_result *res, char *why, size_t whylen)
{
	struct pf_thread th[64];
	struct pgr_node *node;
	struct pgr_sink *sink = NULL;
	struct pgr_reporting_stats s0 = { 0 }, s1 = { 0 };
	atomic_bool stop = false;
	unsigned started = 0;
	uint64_t l0, l1, t0, t1;
	bool registered = false;
	int err = 0;

	memset(res, 0, sizeof(*res));
	node = bench_node_create(bench_opts.pf_mem_bytes, c->shuffle, seed);
	if (!node) {
		snprintf(why, whylen, "error: node");
		return -ENOMEM;
	}
	err = bench_guest_ram_prefault(ram);
	if (err) {
		snprintf(why, whylen, "error: prefault: %s", strerror(-err));
		goto out;
	}
	if (c->sink != PF_OFF) {
		uint64_t base = c->strategy == PGR_STRATEGY_UPSTREAM
					? PGR_UPSTREAM_DELAY_NS
					: PGR_V11_DELAY_NS;
		struct pgr_reporting_config rcfg = {
			.strategy = c->strategy,
			.clock = PGR_CLOCK_REAL,
			.delay_ns = (uint64_t)((double)base *
					       bench_opts.delay_scale),
			.delay_set = true,
			.params = bench_opts.params,
			.nr_params = bench_opts.nr_params,
		};

		sink = make_sink(c, ram, bd, why, whylen);
		if (!sink) {
			err = c->sink == PF_BALLOON ? -ENOTCONN : -ENOMEM;
			goto out;
		}
		err = pgr_reporting_register(node, sink, &rcfg);
		if (err) {
			snprintf(why, whylen, "error: register: %s",
				 pgr_errmsg());
			goto out;
		}
		registered = true;
	}
	for (unsigned i = 0; i < c->threads; i++) {
		th[i] = (struct pf_thread){
			.zone = pgr_node_zone(node, 0),
			.ram = ram,
			.order = bench_opts.pf_order,
			.stop = &stop,
		};
		atomic_init(&th[i].loops, 0);
		if (pthread_create(&th[i].tid, NULL, pf_worker, &th[i])) {
			snprintf(why, whylen, "error: pthread_create");
			err = -EAGAIN;
			break;
		}
		started++;
	}
	if (!err) {
		res->warmup_s = pf_warmup(node, registered, c->threads);
		if (registered)
			pgr_reporting_get_stats(node, &s0);
		bench_profile_measure(true);
		l0 = sum_loops(th, started);
		t0 = bench_now_ns();
		usleep((useconds_t)(bench_opts.pf_seconds * 1e6));
		l1 = sum_loops(th, started);
		t1 = bench_now_ns();
		bench_profile_measure(false);
		if (registered)
			pgr_reporting_get_stats(node, &s1);
		res->ops_per_s = (double)(l1 - l0) / ((double)(t1 - t0) / 1e9);
		res->bytes_reported =
			(double)(s1.bytes_reported - s0.bytes_reported);
		res->batches = (double)(s1.batches - s0.batches);
		res->ok = true;
	}
	atomic_store(&stop, true);
	for (unsigned i = 0; i < started; i++) {
		pthread_join(th[i].tid, NULL);
		if (th[i].err && !err) {
			snprintf(why, whylen, "error: worker: %s",
				 strerror(-th[i].err));
			err = th[i].err;
			res->ok = false;
		}
	}
out:
	if (registered)
		pgr_reporting_unregister(node);
	pgr_sink_destroy(sink);
	pgr_node_destroy(node);
	return err;
}

static void declare_columns(struct bench_table *t)
{
	bench_table_config_col(t, "threads", BENCH_COL_INT, "");
	bench_table_config_col(t, "shuffle", BENCH_COL_INT, "bool");
	bench_table_config_col(t, "sink", BENCH_COL_TEXT, "");
	bench_table_config_col(t, "strategy", BENCH_COL_TEXT, "");
	bench_table_config_col(t, "block_order", BENCH_COL_INT, "");
	bench_table_config_col(t, "mem_bytes", BENCH_COL_INT, "B");
	bench_table_config_col(t, "delay_ns", BENCH_COL_INT, "ns");
	bench_table_config_col(t, "window_s", BENCH_COL_REAL, "s");
	bench_table_metric_col(t, "ops_per_s", "blocks/s");
	bench_table_metric_col(t, "change_pct", "% vs paired off");
	bench_table_metric_col(t, "off_ops_per_s", "blocks/s");
	bench_table_metric_col(t, "warmup_s", "s");
	bench_table_metric_col(t, "bytes_reported", "B");
	bench_table_metric_col(t, "batches", "reports");
}

int exp_pagefault_run(const char *out_dir)
{
	struct bench_table *t = bench_table_new(
		"page-fault1",
		"will-it-scale page_fault1 (THP-style 2 MiB blocks) on real "
		"guest RAM: % change against reporting off");
	struct pf_cell cells[256];
	unsigned off_of[256], noff = 0;
	unsigned thr_default[] = { 1, 2 }, *thr = thr_default, nthr = 2;
	unsigned rep = bench_repeat(), ncell = 0;
	uint64_t t0 = bench_now_ns();
	struct pgr_guest_ram *ram;
	struct bench_balloond bd;
	char buf[64];
	int err = 0;

	if (bench_opts.threads) {
		thr = &bench_opts.threads;
		nthr = 1;
	} else if (bench_opts.quick) {
		nthr = 1; /* one thread: keeps --quick under a minute */
	}
	/* One guest RAM for every point: re-populating it costs only what
	 * the previous point discarded (a 4 KiB fault is ~5 us here). */
	ram = pgr_guest_ram_create(BENCH_START_PFN,
				   bench_opts.pf_mem_bytes >> PGR_PAGE_SHIFT);
	if (!ram) {
		fprintf(stderr, "pagereport-bench: guest RAM: %s\n",
			strerror(errno));
		bench_table_free(t);
		return -ENOMEM;
	}
	if (bench_merging()) { /* nothing runs: no daemon to start */
		memset(&bd, 0, sizeof(bd));
		bd.pid = -1;
		snprintf(bd.why, sizeof(bd.why), "not started to merge");
	} else {
		bench_balloond_start(&bd);
	}
	if (!bd.available && !bench_merging())
		fprintf(stderr, "pagereport-bench: balloon sink %s\n", bd.why);
	declare_columns(t);
	bench_table_config(t, "clock", "real (reporter thread)");
	bench_table_config(t, "delay_scale", "%g", bench_opts.delay_scale);
	bench_table_config(t, "v11_delay_ms", "%g",
			   PGR_V11_DELAY_NS * bench_opts.delay_scale / 1e6);
	bench_table_config(t, "upstream_delay_ms", "%g",
			   PGR_UPSTREAM_DELAY_NS * bench_opts.delay_scale /
				   1e6);
	bench_table_config(
		t, "guest_ram", "%s memfd, MAP_SHARED",
		bench_fmt_bytes(bench_opts.pf_mem_bytes, buf, sizeof(buf)));
	bench_table_config(t, "block_order", "%u", bench_opts.pf_order);
	bench_table_config(t, "window_s", "%g", bench_opts.pf_seconds);
	bench_table_config(t, "warmup_s",
			   "%g, and with reporting on until 90%% of the idle "
			   "guest was reported once (at most %g)",
			   pf_min_warmup_s(), PF_WARMUP_MAX_S);
	bench_table_config(t, "pairing",
			   "each reporting-on run has its own adjacent "
			   "reporting-off run of the same repeat, threads "
			   "and shuffle; which goes first alternates");
	bench_table_config(t, "balloon", "%s",
			   bd.available ? "available" : bd.why);
	bench_table_config(t, "capacity",
			   "32 (balloon: v11 16, upstream 32 as virtio)");
	bench_table_note(t, "change_pct = (ops(on) - ops(off)) / ops(off) for "
			    "each adjacent off/on pair; off_ops_per_s is "
			    "the paired off runs; the off row holds every "
			    "off run of its threads and shuffle");

	for (unsigned ti = 0; ti < nthr; ti++)
		for (int sh = 0; sh < 2; sh++) {
			unsigned off = ncell;

			noff++;
			off_of[ncell] = off;
			cells[ncell++] = (struct pf_cell){ thr[ti], sh, PF_OFF,
							   0, NULL };
			/* the seed's three; bitmap is in boundary/reclaim */
			for (int s = 0; s < PGR_STRATEGY_BITMAP; s++) {
				if (!bench_strategy_selected(s))
					continue;
				for (int k = PF_NULL; k < PF_NR_SINKS; k++) {
					off_of[ncell] = off;
					cells[ncell++] =
						(struct pf_cell){ thr[ti], sh,
								  k, s, NULL };
				}
			}
		}
	for (unsigned i = 0; i < ncell; i++) {
		struct pf_cell *c = &cells[i];
		uint64_t base = c->strategy == PGR_STRATEGY_UPSTREAM
					? PGR_UPSTREAM_DELAY_NS
					: PGR_V11_DELAY_NS;

		c->row = bench_row_new(t);
		bench_row_int(c->row, "threads", c->threads);
		bench_row_int(c->row, "shuffle", c->shuffle);
		bench_row_text(c->row, "sink", pf_sink_names[c->sink]);
		bench_row_text(c->row, "strategy",
			       c->sink == PF_OFF
				       ? "none"
				       : pgr_strategy_name(c->strategy));
		bench_row_int(c->row, "block_order", bench_opts.pf_order);
		bench_row_int(c->row, "mem_bytes",
			      (int64_t)bench_opts.pf_mem_bytes);
		bench_row_int(c->row, "delay_ns",
			      c->sink == PF_OFF
				      ? 0
				      : (int64_t)((double)base *
						  bench_opts.delay_scale));
		bench_row_real(c->row, "window_s", bench_opts.pf_seconds);
	}

	bench_progress_begin("page-fault1", 2 * (ncell - noff) * rep);
	for (unsigned r = 0; r < rep && !err; r++) {
		unsigned pair = 0;

		for (unsigned i = 0; i < ncell && !err; i++) {
			struct pf_cell *c = &cells[i], *o;
			struct pf_result res[2];
			char what[96], why[2][300] = { "", "" };
			int e[2];
			bool off_first, mine;
			double ch;

			if (c->sink == PF_OFF)
				continue;
			/* a work unit: one on cell with its adjacent off run */
			mine = bench_shard_take();
			o = &cells[off_of[i]];
			if (c->sink == PF_BALLOON && !bd.available) {
				if (!mine)
					continue;
				char why_na[300];

				/* no daemon: no pair to run */
				snprintf(why_na, sizeof(why_na),
					 "unavailable: %s", bd.why);
				bench_row_status(c->row, why_na);
				bench_progress_step("balloon unavailable");
				bench_progress_step("balloon unavailable");
				continue;
			}
			/* adjacent off/on runs, alternating which goes first */
			off_first = (pair++ + r) % 2 == 0;
			if (!mine)
				continue;
			snprintf(what, sizeof(what), "T=%u shuffle=%d %s %s",
				 c->threads, c->shuffle, pf_sink_names[c->sink],
				 pgr_strategy_name(c->strategy));
			for (int k = 0; k < 2; k++) {
				bool is_off = (k == 0) == off_first;

				bench_progress_step(what);
				e[is_off] = run_cell(
					is_off ? o : c, bench_opts.seed + r,
					&bd, ram, &res[is_off], why[is_off],
					sizeof(why[0]));
			}
			if (!res[1].ok) {
				fprintf(stderr,
					"pagereport-bench: page-fault1 off "
					"(%s): %s\n",
					what, why[1]);
				err = e[1] ? e[1] : -EIO;
				break;
			}
			bench_row_sample(o->row, "ops_per_s", res[1].ops_per_s);
			bench_row_sample(o->row, "warmup_s", res[1].warmup_s);
			if (!res[0].ok) {
				bench_row_status(c->row,
						 why[0][0] ? why[0] : "error");
				if (c->sink != PF_BALLOON && e[0]) {
					fprintf(stderr,
						"pagereport-bench: "
						"page-fault1 %s: %s\n",
						what, why[0]);
					err = e[0];
				}
				continue;
			}
			bench_row_sample(c->row, "ops_per_s", res[0].ops_per_s);
			bench_row_sample(c->row, "off_ops_per_s",
					 res[1].ops_per_s);
			ch = 100.0 * (res[0].ops_per_s - res[1].ops_per_s) /
			     res[1].ops_per_s;
			bench_row_sample(c->row, "change_pct", ch);
			bench_row_sample(c->row, "warmup_s", res[0].warmup_s);
			bench_row_sample(c->row, "bytes_reported",
					 res[0].bytes_reported);
			bench_row_sample(c->row, "batches", res[0].batches);
		}
	}
	bench_progress_end();
	if (!err)
		err = bench_shard_collect(t);
	bench_balloond_stop(&bd);
	pgr_guest_ram_destroy(ram);

	/* The cover-letter shaped table on stdout. */
	printf("  %-8s %-7s %-13s %-8s %12s %10s %21s\n", "threads", "shuffle",
	       "strategy", "sink", "blocks/s", "change", "[min, max] (paired)");
	for (unsigned i = 0; i < ncell; i++) {
		struct pf_cell *c = &cells[i];
		double ops = bench_row_median(c->row, "ops_per_s");
		double ch = bench_row_median(c->row, "change_pct");

		printf("  %-8u %-7d %-13s %-8s ", c->threads, c->shuffle,
		       c->sink ? pgr_strategy_name(c->strategy) : "-",
		       pf_sink_names[c->sink]);
		if (isnan(ops))
			printf("%12s\n", "unavailable");
		else if (c->sink == PF_OFF)
			printf("%12.0f %10s\n", ops, "base");
		else
			printf("%12.0f %+9.2f%% [%+7.2f%%, %+7.2f%%]\n", ops,
			       ch, bench_row_min(c->row, "change_pct"),
			       bench_row_max(c->row, "change_pct"));
	}
	for (unsigned i = 0; i < ncell; i++) {
		struct pf_cell *c = &cells[i];
		char key[128];

		if (c->sink != PF_MEMORY)
			continue;
		snprintf(key, sizeof(key), "%s memory T=%u shuffle=%d",
			 pgr_strategy_name(c->strategy), c->threads,
			 c->shuffle);
		bench_table_headline(t, key,
				     bench_row_median(c->row, "change_pct"),
				     "% vs off");
	}
	if (!err)
		err = bench_table_write(t, out_dir,
					(double)(bench_now_ns() - t0) / 1e9);
	bench_table_free(t);
	return err;
}
