// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Who owns --socket-path:
 *
 *   daemon A serves PATH; daemon B starts on PATH   Expect B to exit 1 at
 *                                                   once, A still served
 *   A is SIGKILLed (stale socket); C starts         Expect C to take PATH
 *   PATH replaced by another socket; C exits        Expect C to leave the
 *                                                   new socket alone
 *   --report-log=FILE, one report of 3 ranges       Expect one line: a
 *   (orders 9, 8, 0)                                CLOCK_MONOTONIC time
 *                                                   within the call, 3,
 *                                                   the bytes, 0:1 8:1 9:1
 */
#include "config.h"

#include <sys/un.h>

#include <pagereport/balloon.h>
#include <pagereport/pagereport.h>

#include "balloon_helpers.h"

static char path[108];

static bool served(void)
{
	struct pgr_guest_ram *ram = pgr_guest_ram_create(0, 1024);
	struct pgr_balloon_config cfg = { .fd = -1,
					  .socket_path = path,
					  .timeout_ns = 2000000000ULL };
	struct pgr_range r = { 0, 9, 0 };
	struct pgr_sink *s;
	bool ok;

	T_ASSERT(ram);
	cfg.ram = ram;
	s = pgr_sink_balloon_create(&cfg);
	ok = s && s->ops->report(s, &r, 1) == 0;
	pgr_sink_destroy(s);
	pgr_guest_ram_destroy(ram);
	return ok;
}

/* One report of orders 9, 8 and 0 (3149824 bytes) through the daemon. */
static bool report_three(void)
{
	struct pgr_guest_ram *ram = pgr_guest_ram_create(0, 1024);
	struct pgr_balloon_config cfg = { .fd = -1,
					  .socket_path = path,
					  .timeout_ns = 2000000000ULL };
	struct pgr_range r[3] = { { 0, 9, 0 }, { 512, 8, 0 }, { 768, 0, 0 } };
	struct pgr_sink *s;
	bool ok;

	T_ASSERT(ram);
	cfg.ram = ram;
	s = pgr_sink_balloon_create(&cfg);
	ok = s && s->ops->report(s, r, 3) == 0;
	pgr_sink_destroy(s);
	pgr_guest_ram_destroy(ram);
	return ok;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Wait (bounded) for @pid to exit; its status, or -1 if it is still up. */
static int exited(pid_t pid, int ms)
{
	int st, i;

	for (i = 0; i < ms / 10; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st)
					     : 128 + WTERMSIG(st);
		usleep(10000);
	}
	return -1;
}

int main(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st, st2;
	pid_t a, b, c;
	int fd, rc;

	t_seed_init();
	signal(SIGPIPE, SIG_IGN);
	snprintf(path, sizeof(path), "/tmp/pgr-balloond-sock-%d.sock",
		 getpid());
	unlink(path);
	a = t_daemon_start(path, NULL, NULL);
	T_ASSERT(a > 0 && served());

	/* A second daemon must not steal the live socket. */
	b = t_daemon_start(path, NULL, NULL);
	rc = exited(b, 3000);
	printf("second daemon on a live path: exit %d\n", rc);
	if (rc < 0) {
		kill(b, SIGKILL);
		waitpid(b, NULL, 0);
	}
	T_ASSERT(rc == 1);
	T_ASSERT(served()); /* A is still reachable */

	/* A dies without cleaning up: its socket is stale, C replaces it. */
	kill(a, SIGKILL);
	waitpid(a, NULL, 0);
	T_ASSERT(lstat(path, &st) == 0 && S_ISSOCK(st.st_mode));
	c = t_daemon_start(path, NULL, NULL);
	T_ASSERT(c > 0 && exited(c, 200) < 0 && served());

	/* Someone else puts a socket at the path: C must leave it alone. */
	T_ASSERT(unlink(path) == 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path);
	T_ASSERT(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	T_ASSERT(lstat(path, &st) == 0);
	T_ASSERT(t_daemon_stop(c, SIGTERM) == 0);
	T_ASSERT(lstat(path, &st2) == 0 && st2.st_ino == st.st_ino);
	close(fd);
	unlink(path);

	/* And the daemon removes its own socket on exit. */
	c = t_daemon_start(path, NULL, NULL);
	T_ASSERT(c > 0 && served());
	T_ASSERT(t_daemon_stop(c, SIGTERM) == 0);
	T_ASSERT(lstat(path, &st) < 0 && errno == ENOENT);

	/* --report-log: one line per used buffer, with its time. */
	{
		char log[128], arg[160], line[256], rest[64] = "";
		unsigned long long t, bytes;
		unsigned int ranges;
		uint64_t t0, t1;
		FILE *f;
		int n;

		snprintf(log, sizeof(log), "/tmp/pgr-balloond-log-%d.txt",
			 getpid());
		snprintf(arg, sizeof(arg), "--report-log=%s", log);
		c = t_daemon_start(path, NULL, arg);
		T_ASSERT(c > 0);
		t0 = mono_ns();
		T_ASSERT(report_three());
		t1 = mono_ns();
		T_ASSERT(t_daemon_stop(c, SIGTERM) == 0);
		f = fopen(log, "r");
		T_ASSERT(f);
		T_ASSERT(fgets(line, sizeof(line), f));
		printf("report log: %s", line);
		n = sscanf(line, "%llu %u %llu %63[^\n]", &t, &ranges, &bytes,
			   rest);
		T_ASSERT(n == 4);
		T_ASSERT(t >= t0 && t <= t1);
		T_ASSERT(ranges == 3 && bytes == 3149824ULL);
		T_ASSERT(strcmp(rest, "0:1 8:1 9:1") == 0);
		T_ASSERT(!fgets(line, sizeof(line), f)); /* one report only */
		fclose(f);
		unlink(log);
	}
	printf("PASS\n");
	return 0;
}
