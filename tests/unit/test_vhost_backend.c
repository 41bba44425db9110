// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The back-end library (backend.c + the balloon device) driven in-process
 * over a socketpair: a thread runs the dispatch/kick loop, the test plays a
 * (sometimes hostile) front-end and writes the reporting ring by hand.
 *
 *   memfd (8 MiB):  region A gpa 0..4M -> off 0   | region B gpa 4M..8M -> off
 * 4M rings at A+0, data from A+1M  |
 *
 * Expect valid reports to punch exactly their ranges; descriptors that
 * straddle the two regions, point outside memory or loop to drop the
 * connection with a reason and discard nothing; poison_val != 0, the
 * no-discard switch, unaligned and read-only ranges to be acknowledged
 * without any discard.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>

#include "balloon/device.h"

#define MEMSZ (8UL << 20)
#define REGSZ (4UL << 20)
#define QN    32
#define RQ    2

static struct {
	struct pgr_vhost_backend be;
	struct pgr_balloon_dev dev;
	pthread_t th;
	volatile int stop;
	int err;
} B;

static struct pgr_vhost_frontend fe;
static int memfd, kick_fd, call_fd;
static uint8_t *mem;
static struct pgr_vring drv;
/* Where start() puts the used ring, and what it writes before SET_VRING_ADDR.
 */
static size_t used_off = 8192;
static void (*pre_addr_hook)(void);

static void *be_loop(void *arg)
{
	(void)arg;
	while (!B.stop) {
		struct pollfd p[1 + PGR_VHOST_MAX_QUEUES];
		unsigned int q[1 + PGR_VHOST_MAX_QUEUES], n = 1, i;
		int err = 0;

		p[0] = (struct pollfd){ B.be.sock, POLLIN, 0 };
		for (i = 0; i < PGR_VHOST_MAX_QUEUES; i++) {
			int k = pgr__vhost_backend_kick_fd(&B.be, i);

			if (k >= 0) {
				q[n] = i;
				p[n++] = (struct pollfd){ k, POLLIN, 0 };
			}
		}
		if (poll(p, n, 50) <= 0)
			continue;
		if (p[0].revents)
			err = pgr__vhost_backend_dispatch(&B.be);
		else
			for (i = 1; i < n && !err; i++)
				if (p[i].revents)
					err = pgr__vhost_backend_kick(&B.be,
								      q[i]);
		if (err) {
			/* as the daemon does: the front-end sees EOF at once */
			shutdown(B.be.sock, SHUT_RDWR);
			B.err = err;
			break;
		}
	}
	return NULL;
}

static uint64_t allocated(void)
{
	struct stat st;

	fstat(memfd, &st);
	return (uint64_t)st.st_blocks * 512;
}

static void msg(uint32_t req, const void *p, uint32_t size, int *fds,
		unsigned int nfds)
{
	assert_int_equal(
		pgr__vhost_fe_request(&fe, req, p, size, fds, nfds, NULL, 0),
		0);
}

/* Connect a fresh back-end and set up the reporting queue. */
static void start(bool discard, uint64_t features)
{
	int sv[2];
	uint64_t v;
	struct pgr_vhost_memory mt = { .nregions = 2 };
	struct pgr_vhost_vring_state st = { RQ, QN };
	struct vhost_vring_addr a = { .index = RQ };
	int fds[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pgr__balloon_dev_init(&B.dev, discard);
	pgr__vhost_backend_init(&B.be, &pgr__balloon_dev_ops, &B.dev);
	pgr__vhost_backend_attach(&B.be, sv[1]);
	B.stop = 0;
	B.err = 0;
	pthread_create(&B.th, NULL, be_loop, NULL);

	memset(&fe, 0, sizeof(fe));
	fe.sock = sv[0];
	fe.timeout_ms = 2000;
	memset(mem, 0x77, MEMSZ);
	assert_int_equal(pgr__vhost_fe_get_u64(&fe, PGR_VHOST_GET_FEATURES, &v),
			 0);
	assert_true(v & (1ULL << VIRTIO_BALLOON_F_REPORTING));
	msg(PGR_VHOST_SET_OWNER, NULL, 0, NULL, 0);
	msg(PGR_VHOST_SET_FEATURES, &features, 8, NULL, 0);
	mt.regions[0] =
		(struct pgr_vhost_region){ 0, REGSZ, (uintptr_t)mem, 0 };
	mt.regions[1] =
		(struct pgr_vhost_region){ REGSZ, REGSZ, (uintptr_t)mem + REGSZ,
					   REGSZ };
	fds[0] = fds[1] = memfd;
	msg(PGR_VHOST_SET_MEM_TABLE, &mt, 8 + 64, fds, 2);

	assert_int_equal(pgr__vring_driver_init(&drv, QN, mem, mem + 4096,
						mem + used_off, false, false),
			 0);
	if (pre_addr_hook)
		pre_addr_hook();
	a.desc_user_addr = (uintptr_t)mem;
	a.avail_user_addr = (uintptr_t)mem + 4096;
	a.used_user_addr = (uintptr_t)mem + used_off;
	msg(PGR_VHOST_SET_VRING_NUM, &st, 8, NULL, 0);
	st.num = 0;
	msg(PGR_VHOST_SET_VRING_BASE, &st, 8, NULL, 0);
	msg(PGR_VHOST_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
	kick_fd = eventfd(0, EFD_NONBLOCK);
	call_fd = eventfd(0, EFD_NONBLOCK);
	v = RQ;
	msg(PGR_VHOST_SET_VRING_CALL, &v, 8, &call_fd, 1);
	msg(PGR_VHOST_SET_VRING_KICK, &v, 8, &kick_fd, 1);
	/* round trip: all of the above was handled */
	assert_int_equal(pgr__vhost_fe_get_u64(&fe, PGR_VHOST_GET_FEATURES, &v),
			 0);
}

static void stop(void)
{
	B.stop = 1;
	pthread_join(B.th, NULL);
	pgr__vhost_backend_detach(&B.be);
	pgr__vring_driver_fini(&drv);
	close(fe.sock);
	close(kick_fd);
	close(call_fd);
	/* Make all of the memfd resident again for the next case. */
	memset(mem, 0x77, MEMSZ);
}

/* Post a chain, kick, wait for its used entry. */
static void report(const struct pgr_vring_buf *b, unsigned int n)
{
	struct pollfd p = { call_fd, POLLIN, 0 };
	int head = pgr__vring_add(&drv, b, n, NULL, 0);

	assert_true(head >= 0);
	pgr__vhost_notify(kick_fd);
	assert_int_equal(poll(&p, 1, 2000), 1);
	pgr__vhost_drain(call_fd);
	assert_int_equal(pgr__vring_get_buf(&drv, NULL), head);
}

/* Publish a hand-written head, kick, expect the back-end to drop us. */
static void expect_drop(uint16_t head, const char *reason)
{
	struct vring_avail *av = (struct vring_avail *)(mem + 4096);
	int i;

	av->ring[le16toh(av->idx) % QN] = htole16(head);
	__atomic_store_n(&av->idx, htole16((uint16_t)(le16toh(av->idx) + 1)),
			 __ATOMIC_RELEASE);
	pgr__vhost_notify(kick_fd);
	for (i = 0; i < 200 && !B.err; i++)
		usleep(10000);
	assert_int_not_equal(B.err, 0);
	assert_non_null(strstr(B.be.why, reason));
}

static struct pgr_vring_buf wbuf(uint64_t gpa, uint32_t len)
{
	return (struct pgr_vring_buf){ gpa, len, true, NULL };
}

static const uint64_t F =
	(1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_BALLOON_F_REPORTING);

static void test_vhost_backend_discards_exactly(void **state)
{
	struct pgr_vring_buf b[3] = { wbuf(1 << 20, 1 << 20),
				      wbuf(3 << 20, 4096),
				      wbuf(REGSZ + (2 << 20), 2 << 20) };
	uint64_t before, after;
	size_t i;

	(void)state;
	start(true, F);
	before = allocated();
	report(b, 3);
	after = allocated();
	assert_int_equal(before - after, (1 << 20) + 4096 + (2 << 20));
	for (i = 0; i < MEMSZ; i += 4096) {
		bool in = (i >= (1 << 20) && i < (2 << 20)) ||
			  (i >= (3 << 20) && i < (3 << 20) + 4096) ||
			  (i >= REGSZ + (2 << 20) && i < REGSZ + (4 << 20));
		if (i < 16384)
			continue; /* rings */
		assert_int_equal(mem[i], in ? 0 : 0x77);
	}
	assert_int_equal(B.dev.stats.reports, 1);
	assert_int_equal(B.dev.stats.ranges, 3);
	assert_int_equal(B.dev.stats.bytes_discarded, before - after);
	stop();
}

static void test_vhost_backend_refuses_straddling(void **state)
{
	struct vring_desc *d = (struct vring_desc *)mem;
	uint64_t before;

	(void)state;
	start(true, F);
	before = allocated();
	/* [4M - 4K, 4M + 4K): half in region A, half in region B */
	d[0] = (struct vring_desc){ htole64(REGSZ - 4096), htole32(8192),
				    htole16(VRING_DESC_F_WRITE), 0 };
	expect_drop(0, "outside guest memory");
	assert_int_equal(allocated(), before);
	stop();
}

static void test_vhost_backend_refuses_outside(void **state)
{
	struct vring_desc *d = (struct vring_desc *)mem;
	uint64_t before;

	(void)state;
	start(true, F);
	before = allocated();
	d[0] = (struct vring_desc){
		htole64(1 << 20), htole32(4096),
		htole16(VRING_DESC_F_WRITE | VRING_DESC_F_NEXT), htole16(1)
	};
	d[1] = (struct vring_desc){ htole64(1ULL << 40), htole32(4096),
				    htole16(VRING_DESC_F_WRITE), 0 };
	expect_drop(0, "outside guest memory");
	/* The first, valid range of the bad chain was not discarded either. */
	assert_int_equal(allocated(), before);
	stop();
}

static void test_vhost_backend_refuses_loop(void **state)
{
	struct vring_desc *d = (struct vring_desc *)mem;
	uint64_t before;

	(void)state;
	start(true, F);
	before = allocated();
	d[0] = (struct vring_desc){
		htole64(1 << 20), htole32(4096),
		htole16(VRING_DESC_F_WRITE | VRING_DESC_F_NEXT), htole16(1)
	};
	d[1] = (struct vring_desc){
		htole64(2 << 20), htole32(4096),
		htole16(VRING_DESC_F_WRITE | VRING_DESC_F_NEXT), htole16(0)
	};
	expect_drop(0, "loops");
	assert_int_equal(allocated(), before);
	stop();
}

static void test_vhost_backend_poison_keeps_pages(void **state)
{
	struct pgr_vring_buf b = wbuf(1 << 20, 1 << 20);
	struct {
		uint32_t off, size, flags;
		uint8_t cfg[16];
	} c = { 0, 16, 0, { 0 } };
	uint64_t before;

	(void)state;
	start(true, F | (1ULL << VIRTIO_BALLOON_F_PAGE_POISON));
	memset(c.cfg + 12, 0xaa, 4);
	memset(c.cfg, 0x11, 4); /* num_pages is read-only: ignored */
	msg(PGR_VHOST_SET_CONFIG, &c, 12 + 16, NULL, 0);
	before = allocated();
	report(&b, 1);
	assert_int_equal(allocated(), before);
	assert_int_equal(mem[1 << 20], 0x77);
	assert_int_equal(B.dev.stats.bytes_skipped, 1 << 20);
	assert_int_equal(B.dev.config[0], 0);
	assert_int_equal(B.dev.config[12], 0xaa);
	stop();
}

static void test_vhost_backend_no_discard_unaligned_readonly(void **state)
{
	struct pgr_vring_buf ro[2] = { { 1 << 20, 1 << 20, false, NULL },
				       wbuf(2 << 20, 4096) };
	struct pgr_vring_buf un = wbuf((1 << 20) + 512, 4096);
	uint64_t before;

	(void)state;
	start(true, F);
	before = allocated();
	report(&un, 1); /* unaligned: skipped */
	assert_int_equal(allocated(), before);
	report(ro, 2); /* the readable part is not discarded */
	assert_int_equal(before - allocated(), 4096);
	assert_int_equal(mem[1 << 20], 0x77);
	stop();

	start(false, F); /* --no-discard */
	before = allocated();
	report(&ro[1], 1);
	assert_int_equal(allocated(), before);
	assert_int_equal(B.dev.stats.reports, 1);
	stop();
}

static void test_vhost_backend_bad_config_and_features(void **state)
{
	struct {
		uint32_t off, size, flags;
		uint8_t cfg[16];
	} c = { 8, 16, 0, { 0 } };
	uint64_t bad = 1ULL << 40;

	(void)state;
	start(true, F);
	assert_int_not_equal(pgr__vhost_fe_request(&fe, PGR_VHOST_GET_CONFIG,
						   &c, 12 + 16, NULL, 0, &c,
						   12 + 16),
			     0);
	B.stop = 1;
	pthread_join(B.th, NULL);
	assert_non_null(strstr(B.be.why, "GET_CONFIG"));
	B.stop = 0;
	stop();

	start(true, F);
	msg(PGR_VHOST_SET_FEATURES, &bad, 8, NULL, 0);
	assert_int_not_equal(
		pgr__vhost_fe_get_u64(&fe, PGR_VHOST_GET_FEATURES, &bad), 0);
	pthread_join(B.th, NULL);
	assert_non_null(strstr(B.be.why, "never offered"));
	B.stop = 1;
	pgr__vhost_backend_detach(&B.be);
	pgr__vring_driver_fini(&drv);
	close(fe.sock);
	close(kick_fd);
	close(call_fd);
}

/*
 * A front-end whose used ring IS its avail ring, with used->idx five
 * ahead of where the back-end starts popping: every push stores the new
 * used index over the avail index, so a new entry always seems available.
 *
 *   mem+0     desc[0]: 4 KiB device-writable at 1 MiB
 *   mem+4096  avail == used: idx 5, ring[*] = head 0
 *
 * Expect at most one ring's worth of reports per notification (the CI
 * fuzzer hung here once, popping forever), the connection still served.
 */
static void overlapping_rings(void)
{
	struct vring_desc *d = (struct vring_desc *)mem;
	struct vring_avail *av = (struct vring_avail *)(mem + 4096);

	d[0].addr = htole64(1 << 20);
	d[0].len = htole32(4096);
	d[0].flags = htole16(VRING_DESC_F_WRITE);
	d[0].next = 0;
	for (unsigned int i = 0; i < QN; i++)
		av->ring[i] = 0;
	av->idx = htole16(5);
}

static void test_vhost_backend_overlapping_rings_bounded(void **state)
{
	uint64_t v, kicks_before;

	(void)state;
	used_off = 4096;
	pre_addr_hook = overlapping_rings;
	start(true, F);
	used_off = 8192;
	pre_addr_hook = NULL;
	kicks_before = B.dev.stats.reports;
	pgr__vhost_notify(kick_fd);
	for (int i = 0;
	     i < 200 && __atomic_load_n(&B.dev.stats.reports,
					__ATOMIC_RELAXED) == kicks_before;
	     i++)
		usleep(10000);
	/* the back-end thread must come back to answer this */
	assert_int_equal(pgr__vhost_fe_get_u64(&fe, PGR_VHOST_GET_FEATURES, &v),
			 0);
	assert_int_equal(B.err, 0);
	assert_true(B.dev.stats.reports > kicks_before);
	assert_true(B.dev.stats.reports <= kicks_before + QN);
	stop();
}

static int group_setup(void **state)
{
	(void)state;
	memfd = memfd_create("test-vhost-backend", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, MEMSZ) < 0)
		return -1;
	mem = mmap(NULL, MEMSZ, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	return mem == MAP_FAILED ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	munmap(mem, MEMSZ);
	close(memfd);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vhost_backend_discards_exactly),
		cmocka_unit_test(test_vhost_backend_refuses_straddling),
		cmocka_unit_test(test_vhost_backend_refuses_outside),
		cmocka_unit_test(test_vhost_backend_refuses_loop),
		cmocka_unit_test(test_vhost_backend_poison_keeps_pages),
		cmocka_unit_test(
			test_vhost_backend_no_discard_unaligned_readonly),
		cmocka_unit_test(test_vhost_backend_bad_config_and_features),
		cmocka_unit_test(test_vhost_backend_overlapping_rings_bounded),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
