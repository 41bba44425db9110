// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Soak: the engine (REAL clock) reports into the balloon sink and the real
 * daemon while 4 threads allocate, write a signature into every page,
 * verify it and free, and the daemon is disturbed:
 *
 *   stops N   N SIGSTOP/SIGCONT cycles of random length (5..400 ms, sink
 *             timeout 100 ms + stop timeout 100 ms: some reports complete,
 *             some are stopped, some end held)
 *   kills N   N SIGKILLs at a random moment, daemon restarted on the path
 *   slow N    a daemon slowed past the timeout (--test-discard-delay-ms,
 *             80..250 ms per range), N failed reports
 *
 * After every disturbance the sink reconnects.  Expect 0 pages lost (a page
 * that does not hold its signature when verified), and every page of the
 * zone accounted for at the end: allocatable + held by a dead device.
 *
 *   test_balloon_soak [stops N] [kills N] [slow N]
 *   (default, for make check: stops 12 kills 6 slow 6)
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <pagereport/balloon.h>
#include <pagereport/pagereport.h>

#include <sys/un.h>

#include "balloon_helpers.h"
#include "sig_churn.h"

#define START_PFN  0x40000
#define NR_PAGES   262144 /* 1 GiB: room for pages held by dead devices */
#define HELD	   32
#define NR_THREADS 4
#define MS	   1000000ULL

static struct pgr_node *node;
static struct pgr_guest_ram *ram;
static struct pgr_sink *sink;
static atomic_bool stop;
static atomic_ulong lost, ops;
static char path[108];
static pid_t daemon_pid = -1;

static void msleep(uint64_t ms)
{
	usleep((useconds_t)(ms * 1000));
}

/*
 * t_daemon_start() returns once the path is a socket, which a stale one
 * (left by SIGKILL) already is: wait until the new daemon accepts.
 */
static void daemon_start(const char *extra)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int i;

	daemon_pid = t_daemon_start(path, NULL, extra);
	T_ASSERT(daemon_pid > 0);
	strcpy(sa.sun_path, path);
	for (i = 0; i < 2000; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;

		close(fd);
		if (ok)
			return;
		usleep(10000);
	}
	T_ASSERT(0); /* not accepting after 20 s */
}

static void daemon_kill(void)
{
	kill(daemon_pid, SIGCONT);
	kill(daemon_pid, SIGKILL);
	waitpid(daemon_pid, NULL, 0);
	daemon_pid = -1;
}

static void kill_at_exit(void)
{
	if (daemon_pid > 0)
		daemon_kill();
	unlink(path);
}

/* Reconnect until it works (bounded: the daemon is running). */
static void reconnect(void)
{
	for (int i = 0; i < 2000; i++) {
		if (pgr_sink_balloon_reconnect(sink) == 0)
			return;
		msleep(10);
	}
	fprintf(stderr, "reconnect: %s\n", pgr_errmsg());
	T_ASSERT(0);
}

static uint64_t sink_stat(bool timeouts)
{
	struct pgr_balloon_stats st;

	T_ASSERT(pgr_sink_balloon_get_stats(sink, &st) == 0);
	return timeouts ? st.timeouts : st.errors;
}

int main(int argc, char **argv)
{
	unsigned long stops = 12, kills = 6, slow = 6, i;
	struct pgr_node_config ncfg = { .nr_zones = 1 };
	/* upstream: every free at order >= 9 asks for a pass (v11 waits for
	 * 32 new blocks of one order, rare in this churn) */
	struct pgr_reporting_config rcfg = { .strategy = PGR_STRATEGY_UPSTREAM,
					     .clock = PGR_CLOCK_REAL,
					     .delay_ns = 5 * MS,
					     .delay_set = true };
	struct pgr_balloon_config bcfg = { .fd = -1,
					   .capacity = 4,
					   .timeout_ns = 100 * MS,
					   .stop_timeout_ns = 100 * MS };
	struct pgr_reporting_stats rst;
	struct pgr_balloon_stats bst;
	pthread_t th[NR_THREADS];
	struct t_churn_thread args[NR_THREADS];
	struct t_churn churn = { .stop = &stop,
				 .bad = &lost,
				 .ops = &ops,
				 .held = HELD,
				 .pause_us = 100 };
	struct pgr_zone *z;
	uint64_t got = 0, pfn, t0 = t_now_ns();
	int a;

	for (a = 1; a + 1 < argc; a += 2) {
		unsigned long v = strtoul(argv[a + 1], NULL, 0);

		if (!strcmp(argv[a], "stops"))
			stops = v;
		else if (!strcmp(argv[a], "kills"))
			kills = v;
		else if (!strcmp(argv[a], "slow"))
			slow = v;
	}
	t_seed_init();
	signal(SIGPIPE, SIG_IGN);
	snprintf(path, sizeof(path), "/tmp/pgr-balloon-soak-%d.sock", getpid());
	if (access(t_daemon_path(), X_OK) != 0) {
		fprintf(stderr, "FAIL: %s not built\n", t_daemon_path());
		return 1;
	}
	unlink(path);
	atexit(kill_at_exit);

	ncfg.zones[0].nr_pages = NR_PAGES;
	ncfg.zones[0].start_pfn = START_PFN;
	node = pgr_node_create(&ncfg);
	T_ASSERT(node);
	z = pgr_node_zone(node, 0);
	T_ASSERT(pgr_zone_populate(z) == 0);
	ram = pgr_guest_ram_create_for_node(node);
	T_ASSERT(ram);
	daemon_start(NULL);
	bcfg.socket_path = path;
	bcfg.ram = ram;
	sink = pgr_sink_balloon_create(&bcfg);
	T_ASSERT(sink);
	T_ASSERT(pgr_reporting_register(node, sink, &rcfg) == 0);
	churn.zone = z;
	churn.ram = ram;
	t_churn_start(&churn, th, args, NR_THREADS);

	for (i = 0; i < stops; i++) {
		msleep(20 + t_rand() % 60);
		kill(daemon_pid, SIGSTOP);
		msleep(5 + t_rand() % 400);
		kill(daemon_pid, SIGCONT);
		reconnect();
	}
	for (i = 0; i < kills; i++) {
		msleep(10 + t_rand() % 100);
		daemon_kill(); /* mid-report, most of the time */
		daemon_start(NULL);
		reconnect();
	}
	if (slow) {
		uint64_t e0 = sink_stat(true), end = t_now_ns() + 60000 * MS;
		char arg[64];

		daemon_kill();
		snprintf(arg, sizeof(arg), "--test-discard-delay-ms=%u",
			 (unsigned int)(80 + t_rand() % 170));
		daemon_start(arg);
		reconnect();
		while (sink_stat(true) - e0 < slow && t_now_ns() < end) {
			uint64_t e = sink_stat(false);

			msleep(20);
			if (sink_stat(false) != e) /* the sink disconnected */
				reconnect();
		}
		T_ASSERT(sink_stat(true) - e0 >= slow);
		daemon_kill();
		daemon_start(NULL);
		reconnect();
	}
	msleep(200);
	atomic_store(&stop, true);
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(th[i], NULL);
	pgr_reporting_flush(node, 10000 * MS);
	T_ASSERT(pgr_reporting_get_stats(node, &rst) == 0);
	T_ASSERT(pgr_sink_balloon_get_stats(sink, &bst) == 0);
	T_ASSERT(pgr_reporting_unregister(node) == 0);
	while (pgr_alloc_pages(z, 0, PGR_MIGRATE_MOVABLE, 0, &pfn) == 0)
		got++;
	printf("soak: %lu stops, %lu kills, %lu slow: %lu alloc/free, %llu "
	       "reports ok, %llu failed (%llu timed out, %llu stopped), %llu "
	       "pages held, "
	       "%lu pages lost, %.1f s\n",
	       stops, kills, slow, atomic_load(&ops),
	       (unsigned long long)bst.reports,
	       (unsigned long long)rst.batch_errors,
	       (unsigned long long)bst.timeouts, (unsigned long long)bst.stops,
	       (unsigned long long)rst.pages_held, atomic_load(&lost),
	       (double)(t_now_ns() - t0) / 1e9);
	T_ASSERT(atomic_load(&lost) == 0);
	T_ASSERT(atomic_load(&ops) > 0 && bst.reports > 0);
	/* every page: allocatable again, or held by a dead device */
	T_ASSERT(got + rst.pages_held == NR_PAGES);
	pgr_sink_destroy(sink);
	T_ASSERT(t_daemon_stop(daemon_pid, SIGTERM) == 0);
	daemon_pid = -1;
	pgr_guest_ram_destroy(ram);
	pgr_node_destroy(node);
	printf("PASS\n");
	return 0;
}
