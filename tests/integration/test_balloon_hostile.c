// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hostile front-ends against the real pagereport-balloond, one connection
 * after another, each of a random kind:
 *
 *   silent    connects and says nothing        Expect: dropped (handshake
 *                                               timeout), others served
 *   garbage   random bytes                     Expect: dropped
 *   badmsg    random requests/flags/sizes/fds  Expect: dropped or answered
 *   shrink    sets up memory and a ring in a   Expect: dropped on the
 *             memfd, shrinks it, kicks         SIGBUS, daemon alive
 *   badring   a set-up ring full of random     Expect: dropped or served
 *             descriptors, kicked
 *   partial   half a header, then closes       Expect: nothing
 *
 * First, guest memory in a regular file on disk: not punched by default,
 * punched with --discard-regular-files.
 *
 * After every connection the daemon must be alive (a death is counted as
 * a crash and the daemon restarted, so a long run reports the number);
 * at the end a well-behaved balloon sink must still be served.
 *
 *   test_balloon_hostile [COUNT]     (default 60; PGR_SEED picks the mix)
 */
#include "config.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/vfs.h>

#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>

#include <pagereport/balloon.h>
#include <pagereport/pagereport.h>

#include "balloon_helpers.h"
#include "vhost-user/vhost.h"

#define MEM_SIZE   (1u << 20)
#define QSIZE	   32
#define DESC_OFF   0
#define AVAIL_OFF  4096
#define USED_OFF   8192
#define DATA_OFF   65536
#define DAEMON_ARG "--handshake-timeout-ms=200"

enum { SILENT, GARBAGE, BADMSG, SHRINK, BADRING, PARTIAL, NR_KINDS };
static const char *const kind_name[NR_KINDS] = {
	"silent", "garbage", "badmsg", "shrink", "badring", "partial"
};

static char path[108];
static const char *daemon_arg = DAEMON_ARG;
static pid_t daemon_pid;
static unsigned long crashes, dropped[NR_KINDS], runs[NR_KINDS];

static int conn(void)
{
	int fd = pgr__vhost_fe_connect(path, 2000);

	T_ASSERT(fd >= 0);
	return fd;
}

static void send_msg(int fd, uint32_t req, const void *p, uint32_t size,
		     const int *fds, unsigned int nfds)
{
	struct pgr_vhost_msg m;

	pgr__vhost_msg_init(&m, req, PGR_VHOST_VERSION, size);
	if (size)
		memcpy(&m.payload, p, size);
	if (nfds)
		memcpy(m.fds, fds, nfds * sizeof(int));
	m.nfds = nfds;
	pgr__vhost_conn_send(fd, &m, 1000);
}

/* Read until the daemon closes (1) or @ms pass (0). */
static int wait_dropped(int fd, int ms)
{
	uint64_t end = t_now_ns() + (uint64_t)ms * 1000000ULL;
	char buf[512];

	while (t_now_ns() < end) {
		int r = pgr__vhost_conn_wait(fd, POLLIN, 50);
		ssize_t n;

		if (r <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return 1;
	}
	return 0;
}

/* A memfd with the reporting ring (queue 2) set up on the daemon. */
struct raw_fe {
	int sock, memfd, kick, call;
	uint8_t *mem;
	struct pgr_vring vr;
};

/* @fd: the guest memory file (taken), or -1 for a fresh memfd. */
static void raw_setup_fd(struct raw_fe *f, int fd)
{
	uint64_t feat = (1ULL << VIRTIO_F_VERSION_1) |
			(1ULL << VIRTIO_BALLOON_F_REPORTING);
	struct pgr_vhost_memory mt = { .nregions = 1 };
	struct pgr_vhost_vring_state st = { 2, QSIZE };
	struct vhost_vring_addr a = { .index = 2 };
	uint64_t q = 2;

	f->sock = conn();
	f->memfd = fd >= 0 ? fd : memfd_create("hostile", MFD_CLOEXEC);
	T_ASSERT(f->memfd >= 0 && ftruncate(f->memfd, MEM_SIZE) == 0);
	f->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      f->memfd, 0);
	T_ASSERT(f->mem != MAP_FAILED);
	T_ASSERT(pgr__vring_driver_init(&f->vr, QSIZE, f->mem + DESC_OFF,
					f->mem + AVAIL_OFF, f->mem + USED_OFF,
					false, false) == 0);
	f->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	f->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	send_msg(f->sock, PGR_VHOST_SET_OWNER, NULL, 0, NULL, 0);
	send_msg(f->sock, PGR_VHOST_SET_FEATURES, &feat, 8, NULL, 0);
	mt.regions[0] =
		(struct pgr_vhost_region){ 0, MEM_SIZE, (uintptr_t)f->mem, 0 };
	send_msg(f->sock, PGR_VHOST_SET_MEM_TABLE, &mt, 8 + 32, &f->memfd, 1);
	send_msg(f->sock, PGR_VHOST_SET_VRING_NUM, &st, 8, NULL, 0);
	st.num = 0;
	send_msg(f->sock, PGR_VHOST_SET_VRING_BASE, &st, 8, NULL, 0);
	a.desc_user_addr = (uintptr_t)(f->mem + DESC_OFF);
	a.avail_user_addr = (uintptr_t)(f->mem + AVAIL_OFF);
	a.used_user_addr = (uintptr_t)(f->mem + USED_OFF);
	send_msg(f->sock, PGR_VHOST_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
	send_msg(f->sock, PGR_VHOST_SET_VRING_CALL, &q, 8, &f->call, 1);
	send_msg(f->sock, PGR_VHOST_SET_VRING_KICK, &q, 8, &f->kick, 1);
}

static void raw_setup(struct raw_fe *f)
{
	raw_setup_fd(f, -1);
}

static void raw_close(struct raw_fe *f)
{
	pgr__vring_driver_fini(&f->vr);
	munmap(f->mem, MEM_SIZE);
	close(f->memfd);
	close(f->kick);
	close(f->call);
	close(f->sock);
}

static int run_shrink(void)
{
	struct pgr_vring_buf b = { DATA_OFF, 4096, true, NULL };
	struct raw_fe f;
	int d;

	raw_setup(&f);
	T_ASSERT(pgr__vring_add(&f.vr, &b, 1, NULL, 0) >= 0);
	/* The rings now lie past the end of the file. */
	T_ASSERT(ftruncate(f.memfd, 0) == 0);
	pgr__vhost_notify(f.kick);
	d = wait_dropped(f.sock, 2000);
	raw_close(&f);
	return d;
}

static int run_badring(void)
{
	struct raw_fe f;
	unsigned int i;
	int d;

	raw_setup(&f);
	for (i = 0; i < DATA_OFF; i += 8) {
		uint64_t v = t_rand();

		/* half the time keep addresses plausible (inside the memfd) */
		if ((t_rand() & 1) && i < AVAIL_OFF && (i % 16) == 0)
			v %= MEM_SIZE + 8192;
		memcpy(f.mem + i, &v, 8);
	}
	pgr__vhost_notify(f.kick);
	d = wait_dropped(f.sock, 300);
	raw_close(&f);
	return d;
}

static int run_badmsg(void)
{
	int fd = conn(), memfd = memfd_create("junk", MFD_CLOEXEC), i, d;
	uint8_t pay[300];

	T_ASSERT(memfd >= 0 && ftruncate(memfd, 65536) == 0);
	for (i = 0; i < 8; i++) {
		struct pgr_vhost_msg m;
		unsigned int j, nfds = (unsigned int)(t_rand() % 3);
		int fds[2] = { memfd, memfd };

		for (j = 0; j < sizeof(pay); j++)
			pay[j] = (uint8_t)t_rand();
		pgr__vhost_msg_init(&m, (uint32_t)(t_rand() % 45),
				    (t_rand() & 3) ? PGR_VHOST_VERSION
						   : (uint32_t)t_rand(),
				    (uint32_t)(t_rand() % sizeof(pay)));
		memcpy(&m.payload, pay, m.hdr.size);
		memcpy(m.fds, fds, nfds * sizeof(int));
		m.nfds = nfds;
		if (pgr__vhost_conn_send(fd, &m, 500))
			break;
	}
	d = wait_dropped(fd, 300);
	close(memfd);
	close(fd);
	return d;
}

static int run_one(int kind)
{
	uint8_t junk[64];
	unsigned int i;
	int fd, d = 0;

	switch (kind) {
	case SILENT:
		fd = conn();
		d = wait_dropped(fd, 3000);
		close(fd);
		return d;
	case GARBAGE:
		fd = conn();
		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)t_rand();
		if (write(fd, junk, sizeof(junk)) < 0)
			return 0;
		d = wait_dropped(fd, 1000);
		close(fd);
		return d;
	case BADMSG:
		return run_badmsg();
	case SHRINK:
		return run_shrink();
	case BADRING:
		return run_badring();
	default: /* PARTIAL */
		fd = conn();
		if (write(fd, "\x01\x00\x00\x00\x01", 5) < 0)
			return 0;
		close(fd);
		return 1;
	}
}

/* Is the daemon alive and serving?  A GET_FEATURES round trip says so. */
static bool ping(void)
{
	int fd = pgr__vhost_fe_connect(path, 2000);
	struct pgr_vhost_msg m;
	bool ok;

	if (fd < 0)
		return false;
	send_msg(fd, PGR_VHOST_GET_FEATURES, NULL, 0, NULL, 0);
	ok = pgr__vhost_conn_recv(fd, &m, 5000) == 0 &&
	     m.hdr.request == PGR_VHOST_GET_FEATURES;
	close(fd);
	return ok;
}

static void check_alive(int kind)
{
	int st, i;

	if (ping())
		return;
	for (i = 0; i < 100 && waitpid(daemon_pid, &st, WNOHANG) == 0; i++)
		usleep(10000);
	T_ASSERT(i < 100); /* not dead, yet not answering */
	crashes++;
	fprintf(stderr, "daemon died after a %s client: %s %d\n",
		kind_name[kind], WIFSIGNALED(st) ? "signal" : "exit",
		WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	unlink(path);
	daemon_pid = t_daemon_start(path, NULL, daemon_arg);
	T_ASSERT(daemon_pid > 0);
}

/*
 * Guest memory in a regular file on a disk file system (the build
 * directory): report 64 KiB of it.  Expect the daemon to acknowledge but
 * not punch the file unless started with --discard-regular-files.
 * Returns the bytes the file lost.
 */
static uint64_t regular_file_discard(void)
{
	struct pgr_vring_buf b = { DATA_OFF, 65536, true, NULL };
	char name[64];
	struct stat st0, st1;
	struct raw_fe f;
	uint32_t len;
	int fd, i;

	snprintf(name, sizeof(name), "pgr-hostile-%d.ram", getpid());
	fd = open(name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	T_ASSERT(fd >= 0);
	unlink(name);
	raw_setup_fd(&f, fd);
	memset(f.mem + DATA_OFF, 0x77, 65536);
	T_ASSERT(msync(f.mem, MEM_SIZE, MS_SYNC) == 0);
	T_ASSERT(fstat(fd, &st0) == 0);
	T_ASSERT(pgr__vring_add(&f.vr, &b, 1, NULL, 0) >= 0);
	pgr__vhost_notify(f.kick);
	for (i = 0; i < 300 && pgr__vring_get_buf(&f.vr, &len) < 0; i++)
		usleep(10000);
	T_ASSERT(i < 300); /* acknowledged either way */
	T_ASSERT(fstat(fd, &st1) == 0);
	raw_close(&f);
	return st0.st_blocks > st1.st_blocks
		       ? (uint64_t)(st0.st_blocks - st1.st_blocks) * 512
		       : 0;
}

static void test_regular_files(void)
{
	char saved[108];
	struct statfs sfs;
	uint64_t lost_default, lost_opt;
	pid_t p2;

	T_ASSERT(statfs(".", &sfs) == 0);
	if (sfs.f_type == 0x01021994) { /* TMPFS_MAGIC */
		printf("regular files: . is tmpfs, not checked\n");
		return;
	}
	lost_default = regular_file_discard();
	memcpy(saved, path, sizeof(path));
	snprintf(path, sizeof(path), "/tmp/pgr-balloon-hostile-%d-r.sock",
		 getpid());
	unlink(path);
	p2 = t_daemon_start(path, NULL, "--discard-regular-files");
	T_ASSERT(p2 > 0);
	lost_opt = regular_file_discard();
	T_ASSERT(t_daemon_stop(p2, SIGTERM) == 0);
	unlink(path);
	memcpy(path, saved, sizeof(path));
	printf("regular file on disk: %llu bytes punched by default, %llu with "
	       "--discard-regular-files\n",
	       (unsigned long long)lost_default, (unsigned long long)lost_opt);
	T_ASSERT(lost_default == 0);
	T_ASSERT(lost_opt == 65536);
}

/* A failed assertion must not leave the daemon behind. */
static void kill_daemon(void)
{
	if (daemon_pid > 0 && kill(daemon_pid, 0) == 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
	}
	unlink(path);
}

int main(int argc, char **argv)
{
	unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 0) : 60, i;
	struct pgr_guest_ram *ram;
	struct pgr_balloon_config cfg = { .fd = -1 };
	struct pgr_range r = { 0, 9, 0 };
	struct pgr_sink *sink;
	int k;

	t_seed_init();
	signal(SIGPIPE, SIG_IGN);
	if (getenv("PGR_HOSTILE_DAEMON_ARG")) /* e.g. --verbose */
		daemon_arg = getenv("PGR_HOSTILE_DAEMON_ARG");
	snprintf(path, sizeof(path), "/tmp/pgr-balloon-hostile-%d.sock",
		 getpid());
	if (access(t_daemon_path(), X_OK) != 0) {
		fprintf(stderr, "FAIL: %s not built\n", t_daemon_path());
		return 1;
	}
	unlink(path);
	atexit(kill_daemon);
	daemon_pid = t_daemon_start(path, NULL, daemon_arg);
	T_ASSERT(daemon_pid > 0);
	if (!getenv("PGR_HOSTILE_DAEMON_ARG"))
		test_regular_files();
	for (i = 0; i < count; i++) {
		/* every kind at least once, then a seeded mix */
		k = i < NR_KINDS ? (int)i : (int)(t_rand() % NR_KINDS);
		runs[k]++;
		dropped[k] += (unsigned long)run_one(k);
		check_alive(k);
	}
	for (k = 0; k < NR_KINDS; k++)
		printf("%-8s %5lu connections, %5lu dropped by the daemon\n",
		       kind_name[k], runs[k], dropped[k]);
	printf("hostile connections: %lu, daemon crashes: %lu\n", count,
	       crashes);
	T_ASSERT(crashes == 0);
	/* The silent and the shrunk ones must have been dropped. */
	T_ASSERT(dropped[SILENT] == runs[SILENT]);
	T_ASSERT(dropped[SHRINK] == runs[SHRINK]);

	/* ...and a well-behaved front-end is still served. */
	ram = pgr_guest_ram_create(0, 4096);
	T_ASSERT(ram);
	memset(pgr_guest_ram_addr(ram, 0), 1, 4096 * PGR_PAGE_SIZE);
	cfg.socket_path = path;
	cfg.ram = ram;
	sink = pgr_sink_balloon_create(&cfg);
	T_ASSERT(sink);
	T_ASSERT(sink->ops->report(sink, &r, 1) == 0);
	pgr_sink_destroy(sink);
	pgr_guest_ram_destroy(ram);
	T_ASSERT(t_daemon_stop(daemon_pid, SIGTERM) == 0);
	daemon_pid = -1;
	unlink(path);
	printf("PASS\n");
	return 0;
}
