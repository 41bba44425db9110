// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vhost-user socket I/O (src/vhost-user/conn.c) over a real socketpair,
 * with --wrap=recvmsg,sendmsg seams that inject EINTR and cut every
 * transfer into tiny pieces:
 *
 *   send: EINTR, 5 bytes, EINTR, 5 bytes, ...   recv: EINTR, 1 byte, ...
 *
 * Expect whole messages with their fds exactly once, -ECONNRESET when the
 * peer closes, -ETIMEDOUT on silence, -EMSGSIZE for an oversized header,
 * and -EBADMSG with every received fd closed when SCM_RIGHTS is truncated.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "vhost-user/vhost.h"

ssize_t __real_recvmsg(int fd, struct msghdr *mh, int flags);
ssize_t __real_sendmsg(int fd, const struct msghdr *mh, int flags);
ssize_t __wrap_recvmsg(int fd, struct msghdr *mh, int flags);
ssize_t __wrap_sendmsg(int fd, const struct msghdr *mh, int flags);

static int recv_chunk, send_chunk; /* 0 = no limit */
static int recv_eintr_every, send_eintr_every;
static bool force_ctrunc;
static unsigned int recv_calls, send_calls;

static size_t clamp_iov(struct iovec *v, size_t n, size_t limit)
{
	size_t i, left = limit;

	for (i = 0; i < n; i++) {
		if (v[i].iov_len > left)
			v[i].iov_len = left;
		left -= v[i].iov_len;
	}
	return n;
}

ssize_t __wrap_recvmsg(int fd, struct msghdr *mh, int flags)
{
	struct iovec v[4];
	struct iovec *orig = mh->msg_iov;
	ssize_t r;

	recv_calls++;
	if (recv_eintr_every && recv_calls % recv_eintr_every == 0) {
		errno = EINTR;
		return -1;
	}
	if (recv_chunk && mh->msg_iovlen <= 4) {
		memcpy(v, mh->msg_iov, mh->msg_iovlen * sizeof(v[0]));
		clamp_iov(v, mh->msg_iovlen, (size_t)recv_chunk);
		mh->msg_iov = v;
	}
	r = __real_recvmsg(fd, mh, flags);
	mh->msg_iov = orig;
	if (r > 0 && force_ctrunc)
		mh->msg_flags |= MSG_CTRUNC;
	return r;
}

ssize_t __wrap_sendmsg(int fd, const struct msghdr *mh, int flags)
{
	struct msghdr m2 = *mh;
	struct iovec v[4];

	send_calls++;
	if (send_eintr_every && send_calls % send_eintr_every == 0) {
		errno = EINTR;
		return -1;
	}
	if (send_chunk && mh->msg_iovlen <= 4) {
		memcpy(v, mh->msg_iov, mh->msg_iovlen * sizeof(v[0]));
		clamp_iov(v, mh->msg_iovlen, (size_t)send_chunk);
		m2.msg_iov = v;
	}
	return __real_sendmsg(fd, &m2, flags);
}

static int sv[2];

static int setup(void **state)
{
	(void)state;
	recv_chunk = send_chunk = 0;
	recv_eintr_every = send_eintr_every = 0;
	force_ctrunc = false;
	recv_calls = send_calls = 0;
	return socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
}

static int teardown(void **state)
{
	(void)state;
	close(sv[0]);
	close(sv[1]);
	return 0;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void test_vhost_conn_short_and_eintr(void **state)
{
	struct pgr_vhost_msg m, r;
	int efd = eventfd(0, 0);
	uint64_t v = 0;

	(void)state;
	recv_chunk = 1;
	send_chunk = 5;
	recv_eintr_every = 3;
	send_eintr_every = 2;
	pgr__vhost_msg_init(&m, PGR_VHOST_SET_VRING_KICK, 1, 8);
	m.payload.u64 = 2;
	m.fds[0] = efd;
	m.nfds = 1;
	assert_int_equal(pgr__vhost_conn_send(sv[0], &m, 1000), 0);
	assert_true(send_calls > 4);
	assert_int_equal(pgr__vhost_conn_recv(sv[1], &r, 1000), 0);
	assert_true(recv_calls >= 20);
	assert_int_equal(r.hdr.request, PGR_VHOST_SET_VRING_KICK);
	assert_int_equal(r.hdr.size, 8);
	assert_int_equal(r.payload.u64, 2);
	assert_int_equal(r.nfds, 1);
	/* The received fd is the same eventfd. */
	assert_int_equal(pgr__vhost_notify(r.fds[0]), 0);
	assert_int_equal(read(efd, &v, 8), 8);
	assert_int_equal(v, 1);
	pgr__vhost_msg_close_fds(&r);
	close(efd);
}

static void test_vhost_conn_peer_closed(void **state)
{
	struct pgr_vhost_msg r;

	(void)state;
	assert_int_equal(write(sv[0], "\x01\0\0\0", 4), 4); /* half a header */
	close(sv[0]);
	sv[0] = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(pgr__vhost_conn_recv(sv[1], &r, 1000), -ECONNRESET);
	assert_int_equal(r.nfds, 0);
}

static void test_vhost_conn_timeout(void **state)
{
	struct pgr_vhost_msg r;

	(void)state;
	assert_int_equal(pgr__vhost_conn_recv(sv[1], &r, 30), -ETIMEDOUT);
}

static void test_vhost_conn_oversized(void **state)
{
	struct pgr_vhost_msg r;
	uint32_t hdr[3] = { 1, 1, 0x10000 };

	(void)state;
	assert_int_equal(write(sv[0], hdr, 12), 12);
	assert_int_equal(pgr__vhost_conn_recv(sv[1], &r, 1000), -EMSGSIZE);
}

static void test_vhost_conn_truncated_fds_closed(void **state)
{
	struct pgr_vhost_msg m, r;
	int p[2], probe;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pgr__vhost_msg_init(&m, PGR_VHOST_SET_BACKEND_REQ_FD, 1, 0);
	m.fds[0] = p[0];
	m.nfds = 1;
	assert_int_equal(pgr__vhost_conn_send(sv[0], &m, 1000), 0);
	force_ctrunc = true;
	probe = dup(0);
	close(probe);
	assert_int_equal(pgr__vhost_conn_recv(sv[1], &r, 1000), -EBADMSG);
	assert_int_equal(r.nfds, 0);
	/* The fd that arrived was closed: the lowest free number is unchanged.
	 */
	assert_int_equal(dup(0), probe);
	close(probe);
	close(p[0]);
	/* Only our pipe's write end stays open. */
	assert_true(fd_open(p[1]));
	close(p[1]);
}

static void test_vhost_conn_too_many_fds(void **state)
{
	union {
		char buf[CMSG_SPACE(9 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	uint32_t hdr[3] = { PGR_VHOST_SET_OWNER, 1, 0 };
	struct iovec iov = { hdr, 12 };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	struct pgr_vhost_msg r;
	int fds[9], i, probe;

	(void)state;
	for (i = 0; i < 9; i++)
		fds[i] = eventfd(0, 0);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	assert_int_equal(__real_sendmsg(sv[0], &mh, 0), 12);
	for (i = 0; i < 9; i++)
		close(fds[i]);
	probe = dup(0);
	assert_int_equal(pgr__vhost_conn_recv(sv[1], &r, 1000), -EBADMSG);
	/* Nothing leaked: the lowest free fd is the same as before. */
	close(probe);
	assert_int_equal(dup(0), probe);
	close(probe);
}

static void test_vhost_conn_notify_pipe(void **state)
{
	int p[2];
	uint64_t v;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pgr__vhost_notify(p[1]), 0);
	assert_int_equal(read(p[0], &v, 8), 8);
	assert_int_equal(pgr__vhost_notify(p[1]), 0);
	assert_int_equal(pgr__vhost_drain(p[0]), 0);
	assert_true(pgr__vhost_err_is_transient(-EINTR));
	assert_false(pgr__vhost_err_is_transient(-ECONNRESET));
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vhost_conn_short_and_eintr,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_vhost_conn_peer_closed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_vhost_conn_timeout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vhost_conn_oversized,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_vhost_conn_truncated_fds_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vhost_conn_too_many_fds,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_vhost_conn_notify_pipe,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
