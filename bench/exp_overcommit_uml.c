// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench overcommit-uml: the overcommit question checked against
 * real guests (issue 13 item 4), at small scale, beside the model.
 *
 * Real: bench/overcommit-uml.sh boots K User-Mode Linux guests (Linux 6.1,
 * one Normal zone, pageblock_order 10), each with its own
 * pagereport-balloond and its RAM file in shmem, one every STAGGER s; each
 * boots, settles HOLD s, writes FILL% of its RAM into a tmpfs file, holds
 * HOLD s, deletes it and idles.  The host side is each RAM file's
 * allocated bytes every 0.25 s.  ON: virtio_balloon loaded (free page
 * reporting, the daemon punches holes); OFF: the module not loaded (the
 * unmodified guest).
 *
 * Sim: the library's host (<pagereport/host.h>) with the same guests: ON
 * = upstream (reporting order 10 = UML's pageblock_order, 2 s delay), OFF
 * = none; each guest launched when its real counterpart finished booting,
 * with the real RAM file's size then as its base memory (order-0
 * UNMOVABLE), then FILL_FREE with order-0 MOVABLE blocks (tmpfs pages):
 * HOLD s idle, the fill at the rate that took the real dd as long as it
 * took, HOLD s, the free, and nothing more.  Without a real run (no UML)
 * the sim uses nominal phases (boot 3 s, 10% base, 1 s fill).  The host's
 * pageblock_order is 9 (host.c); reporting order 10 gives UML's report
 * granularity.
 *
 * guests_fit at budget B, the rule of the overcommit experiment: t* = the
 * first sample whose sum exceeds B; the guests launched at or before t*,
 * minus the one during whose run the host would have swapped; all K when
 * the sum never exceeds B (then the count is capped at K).  B = 2x and 3x
 * one guest's RAM (Lal's set-up was 3x: 5 GB guests, 15 GB host).
 *
 * Not in the default set: it needs real kernels and takes about 2
 * minutes (--quick: 2 guests, about 1 minute).  Machine-dependent: boot
 * and dd times, and so the curves' time axis.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_K	     8
#define MAX_SAMPLES  4096
#define SAMPLE_NS    (250 * NSEC_PER_MSEC)
#define BUDGET_MULTS 2 /* 2x and 3x */

struct params {
	unsigned k, mem_mib, fill_pct, stagger_s, hold_s, after_s;
};

struct curve {
	unsigned n, k;
	double t[MAX_SAMPLES];
	double g[MAX_SAMPLES][MAX_K];
	double sum[MAX_SAMPLES];
	/* per guest: launch, booted, filled, freed (s); discarded bytes */
	double launch[MAX_K], booted[MAX_K], filled[MAX_K], freed[MAX_K];
	double discarded[MAX_K];
};

static struct params params(void)
{
	if (bench_opts.quick)
		return (struct params){ 2, 256, 70, 6, 1, 5 };
	return (struct params){ 4, 384, 80, 10, 2, 7 };
}

/* Source tree's bench/overcommit-uml.sh: env, configure-time path, exe. */
static bool find_script(char *buf, size_t len)
{
	const char *env = getenv("PGR_OVERCOMMIT_UML_SH");
	char exe[PATH_MAX / 2]; /* room for the suffix in buf */

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return !access(buf, R_OK);
	}
#ifdef BENCH_ABS_SRCDIR
	snprintf(buf, len, "%s/bench/overcommit-uml.sh", BENCH_ABS_SRCDIR);
	if (!access(buf, R_OK)) /* run by /bin/sh: no x bit needed */
		return true;
#endif
	if (!bench_exe_dir(exe, sizeof(exe)))
		return false;
	snprintf(buf, len, "%s/overcommit-uml.sh", exe);
	return !access(buf, R_OK);
}

static bool find_daemon(char *buf, size_t len)
{
	if (bench_opts.balloond && *bench_opts.balloond) {
		snprintf(buf, len, "%s", bench_opts.balloond);
		return !access(buf, X_OK);
	}
	return bench_find_balloond(buf, len);
}

/* Run the script; its output goes to @log.  Return its exit status, or -1. */
static int run_script(const char *script, const char *daemon,
		      const struct params *p, const char *mode, const char *csv,
		      const char *log)
{
	char a[6][16];
	pid_t pid;
	int st;

	snprintf(a[0], sizeof(a[0]), "%u", p->k);
	snprintf(a[1], sizeof(a[1]), "%u", p->mem_mib);
	snprintf(a[2], sizeof(a[2]), "%u", p->fill_pct);
	snprintf(a[3], sizeof(a[3]), "%u", p->stagger_s);
	snprintf(a[4], sizeof(a[4]), "%u", p->hold_s);
	snprintf(a[5], sizeof(a[5]), "%u", p->after_s);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (!freopen(log, "w", stdout) || dup2(1, 2) < 0)
			_exit(1);
		setenv("PGR_BALLOOND", daemon, 1);
		execl("/bin/sh", "sh", script, "--guests", a[0], "--mem", a[1],
		      "--fill", a[2], "--stagger", a[3], "--hold", a[4],
		      "--after", a[5], "--mode", mode, "--out", csv,
		      (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int read_curve(const char *csv, const char *events, unsigned k,
		      struct curve *c)
{
	char line[1024];
	FILE *f = fopen(csv, "r");

	c->n = 0;
	c->k = k;
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -EIO;
	}
	while (c->n < MAX_SAMPLES && fgets(line, sizeof(line), f)) {
		char *s = line, *end;
		unsigned n = c->n;

		c->t[n] = strtod(s, &end);
		for (unsigned i = 0; i < k; i++) {
			if (*end != ',')
				goto bad;
			c->g[n][i] = strtod(end + 1, &end);
		}
		if (*end != ',')
			goto bad;
		c->sum[n] = strtod(end + 1, &end);
		c->n++;
	}
	fclose(f);
	f = fopen(events, "r");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f))
		goto bad;
	for (unsigned i = 0; i < k; i++) {
		unsigned idx;

		if (!fgets(line, sizeof(line), f) ||
		    sscanf(line, "g%u,%lf,%lf,%lf,%lf,%lf", &idx, &c->launch[i],
			   &c->booted[i], &c->filled[i], &c->freed[i],
			   &c->discarded[i]) != 6 ||
		    idx != i)
			goto bad;
	}
	fclose(f);
	return c->n ? 0 : -EIO;
bad:
	fclose(f);
	return -EIO;
}

static int write_curve(const char *path, const struct curve *c)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	fprintf(f, "time_s");
	for (unsigned i = 0; i < c->k; i++)
		fprintf(f, ",g%u", i);
	fprintf(f, ",sum\n");
	for (unsigned n = 0; n < c->n; n++) {
		fprintf(f, "%.3f", c->t[n]);
		for (unsigned i = 0; i < c->k; i++)
			fprintf(f, ",%.0f", c->g[n][i]);
		fprintf(f, ",%.0f\n", c->sum[n]);
	}
	if (ferror(f))
		err = -EIO;
	if (fclose(f))
		err = -EIO;
	return err;
}

/* The overcommit experiment's rule; see the file header. */
static unsigned guests_fit(const struct curve *c, double budget)
{
	for (unsigned n = 0; n < c->n; n++) {
		unsigned launched = 0;

		if (c->sum[n] <= budget)
			continue;
		for (unsigned i = 0; i < c->k; i++)
			launched += c->launch[i] <= c->t[n];
		return launched ? launched - 1 : 0;
	}
	return c->k;
}

static double median3(double *v, unsigned n)
{
	/* small n: insertion sort */
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double x = v[j];

			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return n ? v[n / 2] : 0;
}

/*
 * The model with the same guests.  @real: the real run of the same mode
 * (phase times and base memory), or NULL for nominal phases.
 */
static int run_sim(const struct params *p, bool on, const struct curve *real,
		   uint64_t seed, struct curve *c)
{
	struct pgr_host_config hc = {
		.budget_bytes = (uint64_t)p->k * p->mem_mib * MiB,
		.seed = seed,
		.tick_ns = 10 * NSEC_PER_MSEC,
		.sample_ns = SAMPLE_NS,
	};
	uint64_t guest = (uint64_t)p->mem_mib * MiB;
	uint64_t fill_pages = guest * p->fill_pct / 100 / 4096;
	double start[MAX_K], base[MAX_K], fill_s, end_s, v[MAX_K];
	struct pgr_host *h;
	unsigned next = 0;
	uint64_t t_end;
	int err = 0;

	memset(c, 0, sizeof(*c));
	c->k = p->k;
	if (real) {
		for (unsigned i = 0; i < p->k; i++) {
			unsigned n = 0;

			c->launch[i] = real->launch[i];
			start[i] = real->booted[i];
			while (n + 1 < real->n && real->t[n] < real->booted[i])
				n++;
			base[i] = real->g[n][i] / (double)guest;
			v[i] = real->filled[i] - real->booted[i] - p->hold_s;
		}
		fill_s = median3(v, p->k);
		end_s = real->t[real->n - 1];
	} else {
		for (unsigned i = 0; i < p->k; i++) {
			c->launch[i] = (double)i * p->stagger_s;
			start[i] = c->launch[i] + 3;
			base[i] = 0.10;
		}
		fill_s = 1;
		end_s = start[p->k - 1] + 3.0 * p->hold_s + 2 * fill_s +
			p->after_s;
	}
	if (fill_s < 0.1)
		fill_s = 0.1;
	h = pgr_host_create(&hc);
	if (!h)
		return -errno;
	t_end = (uint64_t)(end_s * 1e9);
	for (;;) {
		uint64_t now = pgr_host_now(h);
		uint64_t next_sample = (uint64_t)c->n * SAMPLE_NS;
		uint64_t next_launch = next < p->k
					       ? (uint64_t)(start[next] * 1e9)
					       : UINT64_MAX;

		if (next_launch <= now) {
			double rate = (double)fill_pages / fill_s;
			struct pgr_host_guest_config g = {
				.mem_bytes = guest,
				.strategy = on ? "upstream" : "none",
				.reporting = { .order = 10,
					       .order_set = true,
					       .delay_ns = 2 * NSEC_PER_SEC,
					       .delay_set = true },
				.workload = {
					.kind = PGR_WORKLOAD_FILL_FREE,
					.rate = rate,
					.fill = { .occupancy = (double)p->fill_pct /
							       100.0,
						  .order = 0,
						  .hold_ops = (uint64_t)(rate * p->hold_s) },
				},
				.workload_cycles = 1,
				.base_fraction = base[next] > 0.9 ? 0.9 : base[next],
			};
			char name[16];
			int idx;

			snprintf(name, sizeof(name), "g%u", next);
			g.name = name;
			idx = pgr_host_add_guest(h, &g);
			if (idx < 0) {
				err = idx;
				break;
			}
			next++;
			continue;
		}
		if (next_sample <= now) {
			unsigned n = c->n;

			if (n >= MAX_SAMPLES || now > t_end)
				break;
			c->t[n] = (double)now / 1e9;
			for (unsigned i = 0; i < p->k; i++) {
				struct pgr_host_guest_stats gs;

				c->g[n][i] = 0;
				if (i < pgr_host_nr_guests(h) &&
				    !pgr_host_get_guest_stats(h, i, &gs))
					c->g[n][i] = (double)gs.resident_pages *
						     4096;
				c->sum[n] += c->g[n][i];
			}
			c->n++;
			continue;
		}
		err = pgr_host_advance(h, (next_launch < next_sample
						   ? next_launch
						   : next_sample) -
						  now);
		if (err)
			break;
	}
	for (unsigned i = 0; !err && i < pgr_host_nr_guests(h); i++) {
		struct pgr_host_guest_stats gs;

		pgr_host_get_guest_stats(h, i, &gs);
		c->discarded[i] = (double)gs.discarded_pages_total * 4096;
	}
	if (err)
		fprintf(stderr, "overcommit-uml sim: %s\n", pgr_errmsg());
	pgr_host_destroy(h);
	return err;
}

/* One row of the table: the metrics, and the same printed as a line. */
static void fill_row(struct bench_row *r, const struct curve *c,
		     const struct params *p, const char *src, const char *mode)
{
	unsigned fit[BUDGET_MULTS];
	double peak = 0, disc = 0, pg = 0;

	for (unsigned n = 0; n < c->n; n++) {
		if (c->sum[n] > peak)
			peak = c->sum[n];
		for (unsigned i = 0; i < c->k; i++)
			if (c->g[n][i] > pg)
				pg = c->g[n][i];
	}
	for (unsigned i = 0; i < c->k; i++)
		disc += c->discarded[i];
	bench_row_sample(r, "peak_sum_mib", peak / MiB);
	bench_row_sample(r, "end_sum_mib", c->sum[c->n - 1] / MiB);
	bench_row_sample(r, "peak_guest_mib", pg / MiB);
	bench_row_sample(r, "end_guest_mib",
			 c->sum[c->n - 1] / MiB / (double)c->k);
	bench_row_sample(r, "discarded_mib", disc / MiB);
	for (unsigned m = 0; m < BUDGET_MULTS; m++) {
		char col[32];

		snprintf(col, sizeof(col), "guests_fit_%ux", m + 2);
		fit[m] = guests_fit(c, (double)(m + 2) * p->mem_mib * MiB);
		bench_row_sample(r, col, fit[m]);
	}
	printf("  %-4s %-3s %10.1f %10.1f %10.1f %10.1f %9.1f %7u %7u\n", src,
	       mode, peak / MiB, c->sum[c->n - 1] / MiB, pg / MiB,
	       c->sum[c->n - 1] / MiB / (double)c->k, disc / MiB, fit[0],
	       fit[1]);
	fflush(stdout);
}

int exp_overcommit_uml_run(const char *out_dir)
{
	static const char *const modes[] = { "on", "off" };
	struct params p = params();
	struct bench_table *t = bench_table_new(
		"overcommit-uml",
		"K User-Mode Linux guests (each its own pagereport-balloond) "
		"launched one after another, each filling and deleting a tmpfs "
		"file: the sum of their RAM files' allocated bytes, real "
		"against the model");
	struct bench_row *rows[2][2]; /* [real, sim][on, off] */
	struct curve *real = calloc(2, sizeof(*real));
	struct curve *sim = calloc(1, sizeof(*sim));
	char script[PATH_MAX], daemon[PATH_MAX], why[256] = "";
	uint64_t t0 = bench_now_ns();
	int err = 0;

	if (!t || !real || !sim) {
		bench_table_free(t);
		free(real);
		free(sim);
		return -ENOMEM;
	}
	bench_table_config_col(t, "source", BENCH_COL_TEXT, "");
	bench_table_config_col(t, "reporting", BENCH_COL_TEXT, "");
	bench_table_metric_col(t, "peak_sum_mib", "MiB, all guests");
	bench_table_metric_col(t, "end_sum_mib", "MiB, all guests");
	bench_table_metric_col(t, "peak_guest_mib", "MiB");
	bench_table_metric_col(t, "end_guest_mib", "MiB, mean");
	bench_table_metric_col(t, "discarded_mib", "MiB, all guests");
	bench_table_metric_col(t, "guests_fit_2x", "guests");
	bench_table_metric_col(t, "guests_fit_3x", "guests");
	bench_table_config(t, "guests", "%u", p.k);
	bench_table_config(t, "guest_mib", "%u", p.mem_mib);
	bench_table_config(t, "fill_pct", "%u", p.fill_pct);
	bench_table_config(t, "stagger_s", "%u", p.stagger_s);
	bench_table_config(t, "hold_s", "%u", p.hold_s);
	bench_table_config(t, "after_s", "%u", p.after_s);
	for (unsigned s = 0; s < 2; s++)
		for (unsigned m = 0; m < 2; m++) {
			rows[s][m] = bench_row_new(t);
			bench_row_text(rows[s][m], "source",
				       s ? "sim" : "real");
			bench_row_text(rows[s][m], "reporting", modes[m]);
		}
	if (!find_script(script, sizeof(script)))
		snprintf(why, sizeof(why),
			 "unavailable: bench/overcommit-uml.sh not found "
			 "(set PGR_OVERCOMMIT_UML_SH)");
	else if (!find_daemon(daemon, sizeof(daemon)))
		snprintf(why, sizeof(why),
			 "unavailable: pagereport-balloond not built "
			 "(--balloond PATH)");
	/* One work unit: the real runs and the sims share their phases. */
	if (!bench_shard_take())
		goto collect;
	bench_progress_begin("overcommit-uml", 4);
	printf("  %u guests x %u MiB, fill %u%%, one every %u s (MiB; fit: "
	       "guests under a budget of 2x / 3x one guest)\n"
	       "  src  rep   peak_sum    end_sum peak_guest  end_guest "
	       "discarded  fit_2x  fit_3x\n",
	       p.k, p.mem_mib, p.fill_pct, p.stagger_s);
	for (unsigned m = 0; m < 2; m++) {
		char csv[PATH_MAX], ev[PATH_MAX], log[PATH_MAX];
		int rc;

		snprintf(csv, sizeof(csv), "%s/overcommit-uml-real-%s.csv",
			 out_dir, modes[m]);
		snprintf(ev, sizeof(ev), "%s/overcommit-uml-real-%s-events.csv",
			 out_dir, modes[m]);
		snprintf(log, sizeof(log), "%s/overcommit-uml-real-%s.log",
			 out_dir, modes[m]);
		bench_progress_step(m ? "real, reporting off"
				      : "real, reporting on");
		if (why[0]) {
			bench_row_status(rows[0][m], why);
			continue;
		}
		rc = run_script(script, daemon, &p, modes[m], csv, log);
		if (rc == 77) {
			FILE *f = fopen(log, "r");
			char line[200] = "";

			if (f) {
				if (!fgets(line, sizeof(line), f))
					line[0] = '\0';
				fclose(f);
			}
			line[strcspn(line, "\n")] = '\0';
			snprintf(why, sizeof(why), "unavailable: %s", line);
			printf("overcommit-uml: real guests skipped: %s\n",
			       line);
			bench_row_status(rows[0][m], why);
			continue;
		}
		if (rc != 0 || read_curve(csv, ev, p.k, &real[m])) {
			fprintf(stderr,
				"overcommit-uml: %s exited %d; see %s\n",
				script, rc, log);
			err = -EIO;
			break;
		}
		fill_row(rows[0][m], &real[m], &p, "real", modes[m]);
	}
	for (unsigned m = 0; m < 2 && !err; m++) {
		char csv[PATH_MAX];

		bench_progress_step(m ? "sim, none" : "sim, upstream");
		err = run_sim(&p, m == 0, real[m].n ? &real[m] : NULL,
			      bench_opts.seed, sim);
		if (err)
			break;
		snprintf(csv, sizeof(csv), "%s/overcommit-uml-sim-%s.csv",
			 out_dir, modes[m]);
		err = write_curve(csv, sim);
		if (err)
			break;
		fill_row(rows[1][m], sim, &p, "sim", modes[m]);
	}
	bench_progress_end();
collect:
	if (!err)
		err = bench_shard_collect(t);
	if (!err) {
		for (unsigned s = 0; s < 2; s++)
			for (unsigned m = 0; m < 2; m++) {
				char key[64];

				if (isnan(bench_row_median(rows[s][m],
							   "guests_fit_2x")))
					continue;

				snprintf(key, sizeof(key),
					 "%s reporting %s guests fit (2x)",
					 s ? "sim" : "real", modes[m]);
				bench_table_headline(
					t, key,
					bench_row_median(rows[s][m],
							 "guests_fit_2x"),
					"guests");
			}
		bench_table_note(t,
				 "guests_fit_Nx: budget N x one guest's RAM; "
				 "capped at %u launched guests; real = RAM "
				 "file st_blocks, sim = pgr_host resident "
				 "bytes%s",
				 p.k,
				 real[0].n ? ""
					   : "; no real run: sim phases "
					     "nominal");
		err = bench_table_write(t, out_dir,
					(double)(bench_now_ns() - t0) / 1e9);
	}
	bench_table_free(t);
	free(real);
	free(sim);
	return err;
}
