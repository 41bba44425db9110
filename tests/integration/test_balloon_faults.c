// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Front-end faults and a hostile front-end against the real daemon.
 *
 *   sink --report--> daemon SIGSTOPped      Expect -EOWNERDEAD (the stop is
 *                                           not answered: pages held), then
 *                                           -ENOTCONN
 *   sink --report--> daemon killed mid-way  Expect -ECONNRESET
 *   report times out, daemon killed while   Expect -ETIMEDOUT, the pages
 *   the stop (GET_VRING_BASE) waits         back: 0 held, nothing discarded
 *   restart daemon on the same path         Expect reconnect() == 0, report ok
 *   back-end closes the socket at once      Expect create: ECONNRESET/EPIPE
 *   back-end never replies                  Expect create: ETIMEDOUT
 *   garbage / hostile messages to daemon    Expect it drops them, keeps serving
 *   engine + dead daemon                    Expect batch errors, no page lost
 */
#include "config.h"

#include <fcntl.h>
#include <linux/sockios.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/un.h>

#include <pagereport/balloon.h>
#include <pagereport/pagereport.h>

#include "balloon_helpers.h"
#include "vhost-user/vhost.h"

#define BASE_PFN 0
#define NR_PAGES 4096 /* 16 MiB */

static char path[108];

static struct pgr_sink *mk_sink(struct pgr_guest_ram *ram, uint64_t tmo_ns)
{
	struct pgr_balloon_config cfg = {
		.fd = -1, .ram = ram, .socket_path = path, .timeout_ns = tmo_ns
	};
	struct pgr_sink *s = pgr_sink_balloon_create(&cfg);

	if (!s)
		fprintf(stderr, "create: %s\n", pgr_errmsg());
	return s;
}

static void touch(struct pgr_guest_ram *ram)
{
	memset(pgr_guest_ram_addr(ram, BASE_PFN), 0x5a,
	       (size_t)NR_PAGES * PGR_PAGE_SIZE);
}

struct killer {
	pid_t pid;
	int delay_ms;
};

static void *kill_later(void *arg)
{
	struct killer *k = arg;

	usleep((useconds_t)k->delay_ms * 1000);
	kill(k->pid, SIGKILL);
	return NULL;
}

static void test_daemon_faults(void)
{
	struct pgr_guest_ram *ram = pgr_guest_ram_create(BASE_PFN, NR_PAGES);
	struct pgr_range r = { BASE_PFN, 9, 0 };
	struct pgr_balloon_stats st;
	struct killer k;
	pthread_t th;
	uint64_t before, after;
	struct pgr_sink *sink;
	pid_t pid;
	int err, status;

	T_ASSERT(ram);
	touch(ram);
	pid = t_daemon_start(path, NULL, NULL);
	T_ASSERT(pid > 0);
	sink = mk_sink(ram, 300000000ULL);
	T_ASSERT(sink);
	T_ASSERT(sink->ops->report(sink, &r, 1) == 0);

	/* A reply that never comes: the daemon is stopped. */
	kill(pid, SIGSTOP);
	r.pfn = 512;
	err = sink->ops->report(sink, &r, 1);
	printf("stopped daemon: %d (%s)\n", err, pgr_errmsg());
	T_ASSERT(err == PGR_SINK_HELD);
	T_ASSERT(pgr_sink_balloon_get_stats(sink, &st) == 0);
	T_ASSERT(st.pages_held == 512 && st.stops == 0);
	T_ASSERT(sink->ops->report(sink, &r, 1) == -ENOTCONN);

	/* Killed mid-report: reconnect fails while it is stopped... */
	kill(pid, SIGCONT);
	T_ASSERT(pgr_sink_balloon_reconnect(sink) == 0);
	kill(pid, SIGSTOP);
	k.pid = pid;
	k.delay_ms = 100;
	pthread_create(&th, NULL, kill_later, &k);
	r.pfn = 1024;
	T_ASSERT(pgr_guest_ram_allocated_bytes(ram, &before) == 0);
	err = sink->ops->report(sink, &r, 1);
	pthread_join(th, NULL);
	printf("killed daemon: %d (%s)\n", err, pgr_errmsg());
	T_ASSERT(err == -ECONNRESET);
	waitpid(pid, &status, 0);
	/* ...and nothing was discarded: the pages are still ours. */
	T_ASSERT(pgr_guest_ram_allocated_bytes(ram, &after) == 0);
	T_ASSERT(after == before);
	T_ASSERT(pgr_sink_balloon_reconnect(sink) < 0);

	/* A new daemon on the same path: reconnect works. */
	unlink(path);
	pid = t_daemon_start(path, NULL, NULL);
	T_ASSERT(pgr_sink_balloon_reconnect(sink) == 0);
	T_ASSERT(sink->ops->report(sink, &r, 1) == 0);
	T_ASSERT(pgr_guest_ram_allocated_bytes(ram, &after) == 0);
	T_ASSERT(before - after == pgr_range_bytes(&r));
	T_ASSERT(pgr_sink_balloon_get_stats(sink, &st) == 0);
	T_ASSERT(st.reports == 2 && st.errors >= 2 && st.reconnects == 2);

	/* Socket closed under the sink between reports. */
	T_ASSERT(t_daemon_stop(pid, SIGTERM) == 0);
	r.pfn = 1536;
	err = sink->ops->report(sink, &r, 1);
	printf("daemon gone: %d (%s)\n", err, pgr_errmsg());
	T_ASSERT(err == -ECONNRESET || err == -EPIPE);
	pgr_sink_destroy(sink);
	pgr_guest_ram_destroy(ram);
}

/*
 * Kill the (stopped) daemon as soon as the sink has sent it a request:
 * with the daemon stopped nothing reads the socket, so the request stays
 * in the sink's send queue (SIOCOUTQ) -- here, the stop of the reporting
 * queue that follows the timed-out report.
 */
struct stop_killer {
	int fd; /* the sink's end of the socketpair */
	pid_t pid;
	bool killed;
};

static void *kill_on_stop(void *arg)
{
	struct stop_killer *k = arg;
	uint64_t deadline = t_now_ns() + 20000000000ULL;

	while (t_now_ns() < deadline) {
		int queued = 0;

		if (ioctl(k->fd, SIOCOUTQ, &queued) == 0 && queued > 0) {
			kill(k->pid, SIGKILL);
			k->killed = true;
			break;
		}
		usleep(1000);
	}
	return NULL;
}

/*
 * The report times out (daemon stopped), the sink sends GET_VRING_BASE
 * to stop the reporting queue, and the daemon is killed before it can
 * answer: the socket closes.  A dead back-end can discard nothing any
 * more, so the pages must come back: report() fails with -ETIMEDOUT
 * (not PGR_SINK_HELD), the sink counts one timeout and one stop and
 * holds 0 pages, and the memfd still holds every page.
 */
static void test_killed_during_stop(void)
{
	struct pgr_guest_ram *ram = pgr_guest_ram_create(BASE_PFN, NR_PAGES);
	struct pgr_range r = { BASE_PFN, 9, 0 };
	struct pgr_balloon_config cfg = { .fd = -1,
					  .ram = ram,
					  .timeout_ns = 300000000ULL,
					  .stop_timeout_ns = 30000000000ULL };
	struct pgr_balloon_stats st;
	struct stop_killer k = { .killed = false };
	uint64_t before, after;
	struct pgr_sink *sink;
	pthread_t th;
	int err, status, fd;
	pid_t pid;

	T_ASSERT(ram);
	touch(ram);
	pid = t_daemon_start(NULL, &fd, NULL);
	T_ASSERT(pid > 0);
	cfg.fd = fd;
	sink = pgr_sink_balloon_create(&cfg);
	T_ASSERT(sink);
	T_ASSERT(sink->ops->report(sink, &r, 1) == 0); /* a working start */
	T_ASSERT(pgr_guest_ram_allocated_bytes(ram, &before) == 0);

	kill(pid, SIGSTOP);
	T_ASSERT(waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status));
	k.fd = fd;
	k.pid = pid;
	pthread_create(&th, NULL, kill_on_stop, &k);
	r.pfn = 512;
	err = sink->ops->report(sink, &r, 1);
	pthread_join(th, NULL);
	printf("killed during the stop: %d (%s)\n", err, pgr_errmsg());
	T_ASSERT(k.killed);
	T_ASSERT(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status));
	T_ASSERT(err == -ETIMEDOUT);
	T_ASSERT(pgr_sink_balloon_get_stats(sink, &st) == 0);
	T_ASSERT(st.timeouts == 1 && st.stops == 1);
	T_ASSERT(st.pages_held == 0 && st.bytes_held == 0);
	/* nothing was discarded: the stopped daemon never saw the report */
	T_ASSERT(pgr_guest_ram_allocated_bytes(ram, &after) == 0);
	T_ASSERT(after == before);
	T_ASSERT(sink->ops->report(sink, &r, 1) == -ENOTCONN);
	pgr_sink_destroy(sink);
	pgr_guest_ram_destroy(ram);
}

/* ---- fake back-ends --------------------------------------------------- */

struct fake {
	int lfd;
	int mode; /* 0: close at once, 1: read but never reply */
};

static void *fake_be(void *arg)
{
	struct fake *f = arg;
	int c = accept(f->lfd, NULL, NULL);
	char buf[512];

	if (c < 0)
		return NULL;
	if (f->mode == 1) {
		/* swallow requests, answer nothing, until the peer leaves */
		while (read(c, buf, sizeof(buf)) > 0)
			;
	}
	close(c);
	return NULL;
}

static int listen_path(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	unlink(path);
	strcpy(sa.sun_path, path);
	T_ASSERT(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	T_ASSERT(listen(fd, 1) == 0);
	return fd;
}

static void test_fake_backends(void)
{
	struct pgr_guest_ram *ram = pgr_guest_ram_create(BASE_PFN, NR_PAGES);
	struct fake f;
	pthread_t th;
	uint64_t t0;
	int mode;

	for (mode = 0; mode < 2; mode++) {
		struct pgr_sink *s;

		f.lfd = listen_path();
		f.mode = mode;
		pthread_create(&th, NULL, fake_be, &f);
		t0 = t_now_ns();
		s = mk_sink(ram, 200000000ULL);
		T_ASSERT(!s);
		printf("fake back-end mode %d: errno %d (%s) after %llu ms\n",
		       mode, errno, pgr_errmsg(),
		       (unsigned long long)((t_now_ns() - t0) / 1000000));
		if (mode == 0)
			T_ASSERT(errno == ECONNRESET || errno == EPIPE);
		else
			T_ASSERT(errno == ETIMEDOUT);
		pthread_join(th, NULL);
		close(f.lfd);
		unlink(path);
	}
	pgr_guest_ram_destroy(ram);
}

/* ---- a hostile front-end against the daemon ----------------------------- */

static int raw_connect(void)
{
	int fd = pgr__vhost_fe_connect(path, 1000);

	T_ASSERT(fd >= 0);
	return fd;
}

static void send_raw(int fd, uint32_t req, uint32_t flags, const void *p,
		     uint32_t size, int *fds, unsigned int nfds)
{
	struct pgr_vhost_msg m;

	pgr__vhost_msg_init(&m, req, flags, size);
	memcpy(&m.payload, p, size);
	if (nfds)
		memcpy(m.fds, fds, nfds * sizeof(int));
	m.nfds = nfds;
	pgr__vhost_conn_send(fd, &m, 1000);
}

/* The daemon must close the connection (read returns 0 or ECONNRESET). */
static void expect_dropped(int fd, const char *what)
{
	char buf[64];
	ssize_t n;

	for (;;) {
		T_ASSERT(pgr__vhost_conn_wait(fd, POLLIN, 2000) == 1);
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
	}
	printf("hostile: %s -> dropped\n", what);
	close(fd);
}

static void test_hostile_frontend(void)
{
	struct pgr_guest_ram *ram = pgr_guest_ram_create(BASE_PFN, NR_PAGES);
	uint64_t u = 0;
	int fd, memfd;
	pid_t pid;
	struct pgr_vhost_memory mem = { .nregions = 1 };
	struct pgr_sink *sink;
	struct pgr_range r = { 0, 9, 0 };

	pid = t_daemon_start(path, NULL, NULL);

	fd = raw_connect();
	T_ASSERT(write(fd, "garbage!garbage!garbage!", 24) == 24);
	expect_dropped(fd, "garbage header");

	fd = raw_connect();
	send_raw(fd, 99, 1, &u, 8, NULL, 0);
	expect_dropped(fd, "unknown request");

	fd = raw_connect();
	send_raw(fd, PGR_VHOST_SET_FEATURES, 1, &u, 4, NULL, 0);
	expect_dropped(fd, "short SET_FEATURES");

	/* A region claiming more than its file holds. */
	fd = raw_connect();
	memfd = memfd_create("small", 0);
	T_ASSERT(ftruncate(memfd, 4096) == 0);
	mem.regions[0] = (struct pgr_vhost_region){ 0, 1 << 20, 0x10000, 0 };
	send_raw(fd, PGR_VHOST_SET_MEM_TABLE, 1, &mem, 8 + 32, &memfd, 1);
	expect_dropped(fd, "region past end of file");

	/* Two overlapping regions. */
	fd = raw_connect();
	mem.nregions = 2;
	T_ASSERT(ftruncate(memfd, 1 << 20) == 0);
	mem.regions[0] = (struct pgr_vhost_region){ 0, 1 << 20, 0x10000, 0 };
	mem.regions[1] = (struct pgr_vhost_region){ 4096, 4096, 0x900000, 0 };
	{
		int two[2] = { memfd, memfd };

		send_raw(fd, PGR_VHOST_SET_MEM_TABLE, 1, &mem, 8 + 64, two, 2);
	}
	expect_dropped(fd, "overlapping regions");

	/* A ring outside the memory table. */
	fd = raw_connect();
	mem.nregions = 1;
	send_raw(fd, PGR_VHOST_SET_MEM_TABLE, 1, &mem, 8 + 32, &memfd, 1);
	{
		struct pgr_vhost_vring_state s = { 2, 32 };
		struct vhost_vring_addr a = { .index = 2,
					      .desc_user_addr = 0x10000,
					      .avail_user_addr = 0x10000 + 512,
					      .used_user_addr = 0xdead0000 };
		uint64_t q = 2;
		int efd = memfd_create("notakick", 0);

		send_raw(fd, PGR_VHOST_SET_VRING_NUM, 1, &s, 8, NULL, 0);
		send_raw(fd, PGR_VHOST_SET_VRING_ADDR, 1, &a, sizeof(a), NULL,
			 0);
		send_raw(fd, PGR_VHOST_SET_VRING_KICK, 1, &q, 8, &efd, 1);
		close(efd);
	}
	expect_dropped(fd, "ring outside memory");
	close(memfd);

	/* ...and it still serves a well-behaved front-end. */
	touch(ram);
	sink = mk_sink(ram, 2000000000ULL);
	T_ASSERT(sink);
	T_ASSERT(sink->ops->report(sink, &r, 1) == 0);
	pgr_sink_destroy(sink);
	T_ASSERT(t_daemon_stop(pid, SIGTERM) == 0);
	pgr_guest_ram_destroy(ram);
}

int main(void)
{
	t_seed_init();
	signal(SIGPIPE, SIG_IGN);
	snprintf(path, sizeof(path), "/tmp/pgr-balloon-faults-%d.sock",
		 getpid());
	if (access(t_daemon_path(), X_OK) != 0) {
		fprintf(stderr, "FAIL: %s not built\n", t_daemon_path());
		return 1;
	}
	test_daemon_faults();
	test_killed_during_stop();
	test_fake_backends();
	test_hostile_frontend();
	unlink(path);
	printf("PASS\n");
	return 0;
}
