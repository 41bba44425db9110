// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * balloon-ratio: the balloon sink against raw fallocate on the same ranges
 * (issue 12 item 3), and where the difference goes.  Not a test: it
 * prints, asserts nothing about time.
 *
 * Guest RAM is a real memfd (pgr_guest_ram); the back-end is the real
 * pagereport-balloond, spawned with --fd on a UNIX socketpair.  One batch
 * is what Linux's page_reporting sends at once: 32 ranges of 2 MiB.
 * Before every timed batch the front-end writes the 64 MiB again, so each
 * variant punches populated shmem whose pages the front-end maps (same
 * mappings, same populated state for all):
 *
 *   sink   pgr_sink_balloon report(): kick, daemon wake, 32 discards on
 *          the daemon's region fd, used push, call, front-end wake;
 *   raw    32 x fallocate(PUNCH_HOLE|KEEP_SIZE) in this process;
 *   xproc  the same 32 fallocates done by a forked helper on the same
 *          memfd, woken by an eventfd and answering by one (what any
 *          out-of-process back-end pays, protocol aside); the helper maps
 *          the memfd, as the daemon does, but never touches it.
 *
 * Each round runs sink raw xproc xproc raw sink (ABCCBA, so a drift in the
 * machine's load hits all alike); the ratio of a round is raw time / sink
 * time.  Printed: the ratio and xproc's median [min, max] over the rounds,
 * then the per-batch split (means): the helper's wake latency, its
 * fallocate time and its return latency (CLOCK_MONOTONIC is one clock for
 * both processes); the daemon's time in its reporting handler and in
 * fallocate (its busy_ns/discard_ns counters, read from its exit line);
 * CPU time against waiting: the raw punch's thread CPU time, the daemon's
 * /proc/PID/schedstat (on a CPU; runnable but waiting for one).
 *
 * Experiments: PGR_BENCH_PIN=N pins all three processes to CPU N;
 * PGR_BENCH_NOMAP=1 makes the helper punch without mapping the memfd.
 *
 *   bench/balloon-ratio [--rounds N] [--ballond PATH]
 * (PATH defaults to $PGR_BALLOOND, else src/balloond/pagereport-balloond.)
 * Numbers are machine- and load-dependent.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pagereport/balloon.h>
#include <pagereport/pagereport.h>

#define BASE_PFN 0x400 /* 4 MiB: 2 MiB aligned */
#define NR_PAGES 32768 /* 128 MiB of guest RAM */
#define NR_RANGE PGR_REPORTING_CAPACITY
#define BATCH	 ((size_t)NR_RANGE << 21)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* /proc/PID/schedstat: ns on a CPU, ns runnable but waiting for one. */
static void schedstat(pid_t pid, uint64_t *run, uint64_t *wait)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	*run = *wait = 0;
	f = fopen(path, "r");
	if (!f)
		return;
	if (fscanf(f, "%" SCNu64 " %" SCNu64, run, wait) != 2)
		*run = *wait = 0;
	fclose(f);
}

static void die(const char *what)
{
	fprintf(stderr, "balloon-ratio: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Timestamps the helper writes, per batch, into a shared page. */
struct helper_times {
	uint64_t woke, done;
};

static void punch_all(int fd, const struct pgr_range *r)
{
	unsigned int i;

	for (i = 0; i < NR_RANGE; i++)
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)((r[i].pfn - BASE_PFN) << 12),
			      (off_t)pgr_range_bytes(&r[i])) != 0)
			die("fallocate");
}

static void helper(int memfd, int kick, int call, struct helper_times *ht,
		   const struct pgr_range *r)
{
	/* Map like the daemon does (MAP_SHARED|MAP_NORESERVE), never touch. */
	void *map = getenv("PGR_BENCH_NOMAP")
			    ? NULL
			    : mmap(NULL, (size_t)NR_PAGES << 12,
				   PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_NORESERVE, memfd, 0);
	uint64_t v;

	if (map == MAP_FAILED)
		die("helper mmap");
	for (;;) {
		struct pollfd p = { kick, POLLIN, 0 };

		if (poll(&p, 1, -1) < 0)
			continue;
		if (read(kick, &v, sizeof(v)) != sizeof(v))
			continue;
		if (v == 1000) /* the parent's "exit" */
			_exit(0);
		ht->woke = now_ns();
		punch_all(memfd, r);
		ht->done = now_ns();
		v = 1;
		if (write(call, &v, sizeof(v)) != sizeof(v))
			_exit(1);
	}
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void print_dist(const char *name, double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	printf("%s %.3f [%.3f, %.3f]\n", name, v[n / 2], v[0], v[n - 1]);
}

int main(int argc, char **argv)
{
	const char *daemon = getenv("PGR_BALLOOND");
	unsigned int rounds = 20, i, k;
	struct pgr_range r[NR_RANGE];
	struct pgr_guest_ram *ram;
	struct pgr_balloon_config cfg = { .fd = -1 };
	struct pgr_sink *sink;
	struct helper_times *ht;
	double *ratio, *xratio;
	uint64_t t_sink = 0, t_raw = 0, t_x = 0, wake = 0, disc = 0, ret = 0;
	uint64_t busy = 0, dns = 0, dreports = 0, nlines = 0;
	uint64_t raw_cpu = 0, d_run0 = 0, d_wait0 = 0, d_run1, d_wait1;
	int sv[2], kick, call, logfd, st;
	char logpath[] = "/tmp/pgr-balloon-ratio-XXXXXX", line[512];
	pid_t dpid, hpid;
	FILE *log;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < (unsigned int)argc)
			rounds = (unsigned int)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--balloond") &&
			 i + 1 < (unsigned int)argc)
			daemon = argv[++i];
		else {
			fprintf(stderr,
				"usage: %s [--rounds N] "
				"[--balloond PATH]\n",
				argv[0]);
			return 2;
		}
	}
	if (!daemon)
		daemon = "src/balloond/pagereport-balloond";
	if (getenv("PGR_BENCH_PIN")) {
		/* Experiment: everyone (daemon and helper inherit it) on one
		 * CPU, to tell cross-CPU costs from cross-process ones. */
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(atoi(getenv("PGR_BENCH_PIN")), &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			die("sched_setaffinity");
	}
	if (!rounds)
		rounds = 1;
	ratio = calloc(rounds, sizeof(*ratio));
	xratio = calloc(rounds, sizeof(*xratio));
	ram = pgr_guest_ram_create(BASE_PFN, NR_PAGES);
	if (!ram || !ratio || !xratio) {
		fprintf(stderr, "balloon-ratio: %s\n", pgr_errmsg());
		return 1;
	}
	for (i = 0; i < NR_RANGE; i++)
		r[i] = (struct pgr_range){ BASE_PFN + ((uint64_t)i << 9), 9,
					   0 };

	/* The daemon, its stderr (stats line at exit) into a file. */
	logfd = mkstemp(logpath);
	if (logfd < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		die("socketpair");
	unlink(logpath);
	dpid = fork();
	if (dpid == 0) {
		char arg[32];

		snprintf(arg, sizeof(arg), "--fd=%d", sv[1]);
		close(sv[0]);
		dup2(logfd, 2);
		execl(daemon, daemon, arg, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	cfg.ram = ram;
	cfg.fd = sv[0];
	sink = pgr_sink_balloon_create(&cfg);
	if (!sink) {
		fprintf(stderr, "balloon-ratio: %s (daemon %s)\n", pgr_errmsg(),
			daemon);
		return 1;
	}

	/* The cross-process helper. */
	kick = eventfd(0, 0);
	call = eventfd(0, 0);
	ht = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (kick < 0 || call < 0 || ht == MAP_FAILED)
		die("eventfd");
	hpid = fork();
	if (hpid == 0)
		helper(pgr_guest_ram_fd(ram), kick, call, ht, r);

	for (i = 0; i <= rounds; i++) {
		static const char order[] = "srxxrs";
		uint64_t s = 0, w = 0, x = 0;

		for (k = 0; k < 6; k++) {
			uint64_t t0, t1, v = 1;

			memset(pgr_guest_ram_addr(ram, BASE_PFN), 0x33, BATCH);
			t0 = now_ns();
			if (order[k] == 's') {
				if (sink->ops->report(sink, r, NR_RANGE) != 0) {
					fprintf(stderr, "report: %s\n",
						pgr_errmsg());
					return 1;
				}
			} else if (order[k] == 'r') {
				uint64_t c0 = cpu_ns();

				punch_all(pgr_guest_ram_fd(ram), r);
				if (i > 0)
					raw_cpu += cpu_ns() - c0;
			} else {
				if (write(kick, &v, sizeof(v)) != sizeof(v) ||
				    read(call, &v, sizeof(v)) != sizeof(v))
					die("helper");
			}
			t1 = now_ns();
			if (order[k] == 's')
				s += t1 - t0;
			else if (order[k] == 'r')
				w += t1 - t0;
			else
				x += t1 - t0;
			if (order[k] == 'x' && i > 0) {
				wake += ht->woke - t0;
				disc += ht->done - ht->woke;
				ret += t1 - ht->done;
			}
		}
		if (i == 0) {
			/* warm-up round; the daemon prints its counters on
			 * SIGUSR1 before it serves the next kick */
			kill(dpid, SIGUSR1);
			schedstat(dpid, &d_run0, &d_wait0);
			continue;
		}
		ratio[i - 1] = (double)w / (double)s;
		xratio[i - 1] = (double)w / (double)x;
		t_sink += s;
		t_raw += w;
		t_x += x;
	}

	{
		uint64_t v = 1000;

		if (write(kick, &v, sizeof(v)) != sizeof(v))
			die("helper exit");
		waitpid(hpid, &st, 0);
	}
	schedstat(dpid, &d_run1, &d_wait1);
	pgr_sink_destroy(sink);
	kill(dpid, SIGTERM);
	waitpid(dpid, &st, 0);
	log = fdopen(logfd, "r");
	if (log) {
		rewind(log);
		while (fgets(line, sizeof(line), log)) {
			const char *p = strstr(line, " reports ");
			const char *b = strstr(line, "busy_ns ");
			const char *d = strstr(line, "discard_ns ");

			/* the last line minus the one after warm-up */
			if (p && b && d) {
				uint64_t sg = nlines++ ? 1 : -1ULL;

				if (nlines > 2)
					break;
				dreports += sg * strtoull(p + 9, NULL, 10);
				busy += sg * strtoull(b + 8, NULL, 10);
				dns += sg * strtoull(d + 11, NULL, 10);
			}
		}
	}

	printf("balloon-ratio: %u rounds (ABCCBA: sink raw xproc xproc raw "
	       "sink), batch %u x 2 MiB\n",
	       rounds, NR_RANGE);
	print_dist("ratio raw/sink ", ratio, rounds);
	print_dist("ratio raw/xproc", xratio, rounds);
	printf("mean per batch (us): sink %.0f, raw %.0f, xproc %.0f\n",
	       (double)t_sink / 2e3 / rounds, (double)t_raw / 2e3 / rounds,
	       (double)t_x / 2e3 / rounds);
	printf("xproc split (us): wake %.1f, fallocate %.0f, return %.1f\n",
	       (double)wake / 2e3 / rounds, (double)disc / 2e3 / rounds,
	       (double)ret / 2e3 / rounds);
	if (nlines == 2 && dreports)
		printf("daemon (us per report, %" PRIu64
		       " reports): handler %.0f, of which fallocate %.0f; "
		       "so kick+wake+call+wake %.0f\n",
		       dreports, (double)busy / 1e3 / (double)dreports,
		       (double)dns / 1e3 / (double)dreports,
		       (double)t_sink / 2e3 / rounds -
			       (double)busy / 1e3 / (double)dreports);
	printf("on-CPU vs waiting (us per batch): raw fallocate cpu %.0f, "
	       "not on a CPU %.0f; daemon cpu %.0f, runnable but waiting %.0f "
	       "(also after its call)\n",
	       (double)raw_cpu / 2e3 / rounds,
	       (double)(t_raw - raw_cpu) / 2e3 / rounds,
	       (double)(d_run1 - d_run0) / 2e3 / rounds,
	       (double)(d_wait1 - d_wait0) / 2e3 / rounds);
	pgr_guest_ram_destroy(ram);
	free(ratio);
	free(xratio);
	return 0;
}
