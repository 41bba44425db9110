/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers for the balloon integration tests: spawn pagereport-balloond on a
 * socketpair (--fd) or a temporary socket path, stop it, and a tiny
 * xorshift PRNG seeded from PGR_SEED.
 */
#ifndef PGR_TEST_BALLOON_HELPERS_H
#define PGR_TEST_BALLOON_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define T_SKIP 77

static uint64_t t_seed = 1, t_state = 1;

static inline void t_seed_init(void)
{
	const char *s = getenv("PGR_SEED");

	t_seed = s ? strtoull(s, NULL, 0) : 1;
	t_state = t_seed * 0x9e3779b97f4a7c15ULL + 1;
}

static inline uint64_t t_rand(void)
{
	t_state ^= t_state << 13;
	t_state ^= t_state >> 7;
	t_state ^= t_state << 17;
	return t_state;
}

#define T_ASSERT(c)                                                          \
	do {                                                                 \
		if (!(c)) {                                                  \
			fprintf(stderr, "%s:%d: FAIL: %s (PGR_SEED=%llu)\n", \
				__FILE__, __LINE__, #c,                      \
				(unsigned long long)t_seed);                 \
			exit(1);                                             \
		}                                                            \
	} while (0)

static inline const char *t_daemon_path(void)
{
	static char buf[4096];
	const char *b = getenv("top_builddir");
	const char *e = getenv("PGR_BALLOOND");

	if (e)
		return e;
	snprintf(buf, sizeof(buf), "%s/src/balloond/pagereport-balloond",
		 b ? b : ".");
	return buf;
}

/*
 * Start the daemon.  With @path NULL it gets one end of a socketpair and
 * *r_fd is the other; otherwise it listens on @path (waited for).
 */
static inline pid_t t_daemon_start(const char *path, int *r_fd,
				   const char *extra)
{
	int sv[2] = { -1, -1 };
	pid_t pid;

	if (!path && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char arg[4200];
		const char *argv[5];
		int n = 0;

		argv[n++] = t_daemon_path();
		if (path) {
			snprintf(arg, sizeof(arg), "--socket-path=%s", path);
		} else {
			int fd = dup(sv[1]); /* without CLOEXEC */

			snprintf(arg, sizeof(arg), "--fd=%d", fd);
		}
		argv[n++] = arg;
		if (extra)
			argv[n++] = extra;
		argv[n] = NULL;
		if (!getenv("PGR_TEST_VERBOSE")) {
			int dn = open("/dev/null", 1);

			if (dn >= 0)
				dup2(dn, 2);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (!path) {
		close(sv[1]);
		*r_fd = sv[0];
	} else {
		struct stat st;
		int i;

		for (i = 0; i < 200; i++) {
			if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
				break;
			usleep(10000);
		}
	}
	return pid;
}

/* SIGTERM and reap; returns the exit status (or 128+signal). */
static inline int t_daemon_stop(pid_t pid, int sig)
{
	int st = 0;

	kill(pid, sig);
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static inline uint64_t t_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#endif
