// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-balloond: a vhost-user virtio-balloon back-end that discards
 * the memory a guest (or libpagereport's balloon sink) reports free.  Only
 * main(): options, signals and the poll loop; the protocol lives in
 * src/vhost-user/backend.c and the device in src/balloon/device.c.  Follows
 * the vhost-user.rst "Backend program conventions" (--socket-path, --fd,
 * --print-capabilities, no daemonizing, exit 0 on SIGTERM).  Serves one
 * front-end at a time and takes the next one after a disconnect.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_ring.h>

#include "balloon/device.h"

static volatile sig_atomic_t got_term, got_usr1;
static bool verbose;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static void log_msg(void *opaque, const char *msg)
{
	(void)opaque;
	if (verbose)
		fprintf(stderr, "pagereport-balloond: %s\n", msg);
}

static void print_stats(const struct pgr_balloon_dev *d)
{
	fprintf(stderr,
		"pagereport-balloond: connections %" PRIu64 " reports %" PRIu64
		" ranges %" PRIu64 " bytes_discarded %" PRIu64
		" bytes_skipped %" PRIu64 " errors %" PRIu64 " busy_ns %" PRIu64
		" discard_ns %" PRIu64 "\n",
		d->stats.connections, d->stats.reports, d->stats.ranges,
		d->stats.bytes_discarded, d->stats.bytes_skipped,
		d->stats.errors, d->stats.busy_ns, d->stats.discard_ns);
}

static void usage(FILE *f)
{
	fputs("Usage: pagereport-balloond (--socket-path=PATH | --fd=FDNUM) "
	      "[options]\n"
	      "vhost-user virtio-balloon back-end: discards the memory the\n"
	      "front-end reports free (free page reporting).\n\n"
	      "  -s, --socket-path=PATH   listen on a UNIX socket\n"
	      "  -f, --fd=FDNUM           use an inherited socket (connected\n"
	      "                           or listening)\n"
	      "      --print-capabilities print the JSON capabilities and "
	      "exit\n"
	      "  -n, --no-discard         acknowledge reports, free nothing\n"
	      "      --discard-regular-files  also punch holes in regular "
	      "files\n"
	      "                           (default: shmem and hugetlbfs "
	      "only)\n"
	      "      --ring-features      also offer INDIRECT_DESC and "
	      "EVENT_IDX\n"
	      "  -v, --verbose            log every message on stderr\n"
	      "      --handshake-timeout-ms=MS  drop a front-end that sends no "
	      "SET_OWNER\n"
	      "                           within MS (default 10000, 0 = "
	      "never)\n"
	      "      --idle-timeout-ms=MS drop a front-end silent for MS after "
	      "that\n"
	      "                           (default 0 = never)\n"
	      "      --report-log=FILE    write one line per completed "
	      "report to FILE\n"
	      "                           (truncated at start): "
	      "CLOCK_MONOTONIC ns,\n"
	      "                           ranges, bytes, then ORDER:COUNT "
	      "per range order\n"
	      "      --test-discard-delay-ms=MS  (tests) sleep before each "
	      "discard\n"
	      "  -h, --help               this text\n"
	      "  -V, --version            print the version\n\n"
	      "SIGUSR1 prints the counters; SIGTERM exits 0 after printing "
	      "them.\n",
	      f);
}

/* The socket we put at the path: unlink only that one at exit. */
static dev_t own_dev;
static ino_t own_ino;
static bool own_set;

/*
 * Does a live daemon answer on @path?  A refused connect means the socket
 * is stale (its daemon died); a full backlog (EAGAIN) means it is alive.
 */
static bool path_is_live(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	bool live;

	if (fd < 0)
		return false;
	strcpy(sa.sun_path, path);
	live = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
	       errno == EAGAIN || errno == EINPROGRESS;
	close(fd);
	return live;
}

/*
 * Bind and listen under a temporary name, then rename(2) into place, so
 * that the socket path appears only once it accepts connections.  Refuses
 * a path where a live daemon answers; replaces a stale socket.
 */
static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char tmp[sizeof(sa.sun_path)];
	struct stat st;
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		fprintf(stderr, "pagereport-balloond: socket path too long\n");
		return -1;
	}
	strcpy(sa.sun_path, tmp);
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		fprintf(stderr,
			"pagereport-balloond: %s exists and is not a "
			"socket\n",
			path);
		return -1;
	}
	if (lstat(path, &st) == 0 && path_is_live(path)) {
		fprintf(stderr,
			"pagereport-balloond: another back-end is serving %s; "
			"not taking it over\n",
			path);
		return -1;
	}
	unlink(tmp);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 4) < 0 || rename(tmp, path) < 0) {
		fprintf(stderr, "pagereport-balloond: %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return -1;
	}
	if (lstat(path, &st) == 0) {
		own_dev = st.st_dev;
		own_ino = st.st_ino;
		own_set = true;
	}
	return fd;
}

/* Unlink @path only if it is still the socket listen_on() put there. */
static void unlink_own(const char *path)
{
	struct stat st;

	if (own_set && lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == own_dev && st.st_ino == own_ino)
		unlink(path);
}

static bool is_listening(int fd)
{
	int v = 0;
	socklen_t l = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) == 0 && v;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool parse_ms(const char *opt, const char *arg, unsigned int *r)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || end == arg || v < 0 || v > 86400000L) {
		fprintf(stderr, "pagereport-balloond: bad %s\n", opt);
		return false;
	}
	*r = (unsigned int)v;
	return true;
}

/*
 * Connection timers: a front-end must send SET_OWNER (QEMU and UML do it
 * at once, long before the guest driver sets up rings) within
 * handshake_ms of connecting, and may stay silent for at most idle_ms
 * afterwards (0 = forever: a guest with nothing to report is silent too).
 * Returns the ms until the next deadline (capped at 1 s), or 0 if one
 * passed (reason in *r_why).
 */
static unsigned int conn_deadline(const struct pgr_vhost_backend *be,
				  uint64_t t_conn, uint64_t t_last,
				  unsigned int handshake_ms,
				  unsigned int idle_ms, const char **r_why)
{
	uint64_t now = now_ms(), left = 1000, due;

	if (!be->owner && handshake_ms) {
		due = t_conn + handshake_ms;
		if (now >= due) {
			*r_why = "no SET_OWNER within the handshake timeout";
			return 0;
		}
		left = due - now < left ? due - now : left;
	}
	if (be->owner && idle_ms) {
		due = t_last + idle_ms;
		if (now >= due) {
			*r_why = "silent for longer than the idle timeout";
			return 0;
		}
		left = due - now < left ? due - now : left;
	}
	return (unsigned int)left;
}

static void drop(struct pgr_vhost_backend *be, struct pgr_balloon_dev *d,
		 int err)
{
	if (err == -ECONNRESET)
		fprintf(stderr,
			"pagereport-balloond: front-end disconnected\n");
	else {
		fprintf(stderr,
			"pagereport-balloond: dropping the connection: %s\n",
			be->why);
		d->stats.errors++;
	}
	pgr__vhost_backend_detach(be);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket-path", required_argument, NULL, 's' },
		{ "fd", required_argument, NULL, 'f' },
		{ "print-capabilities", no_argument, NULL, 'c' },
		{ "no-discard", no_argument, NULL, 'n' },
		{ "ring-features", no_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "test-discard-delay-ms", required_argument, NULL, 'D' },
		{ "handshake-timeout-ms", required_argument, NULL, 'H' },
		{ "discard-regular-files", no_argument, NULL, 'R' },
		{ "idle-timeout-ms", required_argument, NULL, 'I' },
		{ "report-log", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *report_log = NULL;
	int inherited = -1, listen_fd = -1, c;
	bool discard = true, ring_features = false, one_shot = false;
	bool discard_files = false;
	unsigned int discard_delay_ms = 0, handshake_ms = 10000, idle_ms = 0;
	uint64_t t_conn = 0, t_last = 0;
	struct pgr_balloon_dev dev;
	static struct pgr_vhost_backend be;
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, orig;

	while ((c = getopt_long(argc, argv, "s:f:nvhV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!optarg[0]) {
				fprintf(stderr,
					"pagereport-balloond: --socket-path is "
					"empty: give the path of the UNIX "
					"socket to listen on\n");
				return 2;
			}
			path = optarg;
			break;
		case 'f': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 0 || v > 65535) {
				fprintf(stderr,
					"pagereport-balloond: bad --fd\n");
				return 2;
			}
			if (fcntl((int)v, F_GETFD) < 0) {
				fprintf(stderr,
					"pagereport-balloond: --fd %ld: not an "
					"open file descriptor of this process "
					"(%s); pass a socket it inherits\n",
					v, strerror(errno));
				return 2;
			}
			inherited = (int)v;
			break;
		}
		case 'c':
			printf("{\n  \"type\": \"balloon\"\n}\n");
			return 0;
		case 'n':
			discard = false;
			break;
		case 'r':
			ring_features = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'R':
			discard_files = true;
			break;
		case 'H':
			if (!parse_ms("--handshake-timeout-ms", optarg,
				      &handshake_ms))
				return 2;
			break;
		case 'I':
			if (!parse_ms("--idle-timeout-ms", optarg, &idle_ms))
				return 2;
			break;
		case 'L':
			if (!optarg[0]) {
				fprintf(stderr, "pagereport-balloond: "
						"--report-log is empty: give "
						"a file name\n");
				return 2;
			}
			report_log = optarg;
			break;
		case 'D': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 0 || v > 60000) {
				fprintf(stderr, "pagereport-balloond: bad "
						"--test-discard-delay-ms\n");
				return 2;
			}
			discard_delay_ms = (unsigned int)v;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("pagereport-balloond %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || (!path) == (inherited < 0)) {
		fprintf(stderr, "pagereport-balloond: give exactly one of "
				"--socket-path and --fd\n");
		usage(stderr);
		return 2;
	}

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	pgr__balloon_dev_init(&dev, discard);
	if (report_log) {
		dev.report_log = fopen(report_log, "we");
		if (!dev.report_log) {
			fprintf(stderr,
				"pagereport-balloond: --report-log %s: %s\n",
				report_log, strerror(errno));
			return 1;
		}
	}
	dev.test_delay_ms = discard_delay_ms;
	dev.discard_files = discard_files;
	if (ring_features)
		dev.ring_features = (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
				    (1ULL << VIRTIO_RING_F_EVENT_IDX);
	pgr__vhost_backend_init(&be, &pgr__balloon_dev_ops, &dev);
	be.log = log_msg;

	if (path) {
		listen_fd = listen_on(path);
		if (listen_fd < 0)
			return 1;
	} else if (is_listening(inherited)) {
		listen_fd = inherited;
	} else {
		struct stat st;

		if (fstat(inherited, &st) < 0 || !S_ISSOCK(st.st_mode)) {
			fprintf(stderr,
				"pagereport-balloond: --fd %d is not a "
				"socket\n",
				inherited);
			return 1;
		}
		one_shot = true;
		pgr__vhost_backend_attach(&be, inherited);
		t_conn = t_last = now_ms();
		dev.stats.connections++;
	}
	fprintf(stderr, "pagereport-balloond: serving %s%s\n",
		path ? path : "an inherited socket",
		discard ? "" : " (no discard)");

	while (!got_term) {
		struct pollfd pfd[1 + PGR_VHOST_MAX_QUEUES];
		unsigned int qmap[1 + PGR_VHOST_MAX_QUEUES], n = 0, i;
		struct timespec ts = { 1, 0 };
		int r, err;

		if (be.sock >= 0) {
			const char *why = NULL;
			unsigned int left =
				conn_deadline(&be, t_conn, t_last, handshake_ms,
					      idle_ms, &why);

			if (!left) {
				snprintf(be.why, sizeof(be.why), "%s", why);
				drop(&be, &dev, -ETIMEDOUT);
				continue;
			}
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (long)(left % 1000) * 1000000L;
		}
		if (be.sock < 0) {
			if (one_shot)
				break;
			pfd[n++] = (struct pollfd){ listen_fd, POLLIN, 0 };
		} else {
			pfd[n++] = (struct pollfd){ be.sock, POLLIN, 0 };
			for (i = 0; i < PGR_VHOST_MAX_QUEUES; i++) {
				int kfd = pgr__vhost_backend_kick_fd(&be, i);

				if (kfd < 0)
					continue;
				qmap[n] = i;
				pfd[n++] = (struct pollfd){ kfd, POLLIN, 0 };
			}
		}
		r = ppoll(pfd, n, &ts, &orig);
		if (got_usr1) {
			got_usr1 = 0;
			print_stats(&dev);
		}
		if (r <= 0)
			continue;
		if (be.sock < 0) {
			int s;

			if (!(pfd[0].revents & POLLIN))
				continue;
			s = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (s < 0)
				continue;
			fprintf(stderr,
				"pagereport-balloond: front-end connected\n");
			dev.stats.connections++;
			pgr__vhost_backend_attach(&be, s);
			t_conn = t_last = now_ms();
			continue;
		}
		t_last = now_ms();
		if (pfd[0].revents) {
			err = pgr__vhost_backend_dispatch(&be);
			if (!err)
				err = pgr__vhost_backend_resume(&be);
			if (err)
				drop(&be, &dev, err);
			/* fds may have changed: poll again */
			continue;
		}
		for (i = 1; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			err = pgr__vhost_backend_kick(&be, qmap[i]);
			if (err) {
				drop(&be, &dev, err);
				break;
			}
		}
	}
	if (be.sock >= 0)
		pgr__vhost_backend_detach(&be);
	if (listen_fd >= 0 && listen_fd != inherited) {
		close(listen_fd);
		if (path)
			unlink_own(path);
	}
	print_stats(&dev);
	if (dev.report_log)
		fclose(dev.report_log);
	return 0;
}
