// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vhost-user socket I/O: one message = a 12-byte header received with
 * recvmsg() and its SCM_RIGHTS fds (at most 8, as libvhost-user's
 * vu_message_read_default), then the payload; sending writes header and
 * payload in one sendmsg() with the fds attached (QEMU's vhost_user_write).
 * Every wait is bounded by poll(), EINTR is retried, short reads and writes
 * are resumed, and truncated or surplus fds are closed, never leaked.  All
 * socket calls go through recvmsg/sendmsg so tests can --wrap them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vhost-user/vhost.h"

int pgr__vhost_conn_wait(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return 0;
	if ((p.revents & POLLNVAL))
		return -EBADF;
	return 1;
}

static void close_cmsg_fds(struct msghdr *mh)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t n, i;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			close(fd);
		}
	}
}

/* Read exactly @len bytes; fds may come with the first chunk only. */
static int recv_full(int sock, void *buf, size_t len, struct pgr_vhost_msg *m,
		     int timeout_ms)
{
	union {
		char buf[CMSG_SPACE(PGR_VHOST_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	size_t got = 0;

	while (got < len) {
		struct iovec iov = { (char *)buf + got, len - got };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct cmsghdr *c;
		ssize_t r;
		int w;

		w = pgr__vhost_conn_wait(sock, POLLIN, timeout_ms);
		if (w < 0)
			return w;
		if (w == 0)
			return -ETIMEDOUT;
		if (m) {
			mh.msg_control = ctl.buf;
			mh.msg_controllen = sizeof(ctl.buf);
		}
		r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (m && (mh.msg_flags & MSG_CTRUNC)) {
			close_cmsg_fds(&mh);
			return -EBADMSG;
		}
		for (c = m ? CMSG_FIRSTHDR(&mh) : NULL; c;
		     c = CMSG_NXTHDR(&mh, c)) {
			size_t n, i;

			if (c->cmsg_level != SOL_SOCKET ||
			    c->cmsg_type != SCM_RIGHTS)
				continue;
			n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < n; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
				       sizeof(fd));
				if (m->nfds < PGR_VHOST_MAX_FDS)
					m->fds[m->nfds++] = fd;
				else
					close(fd);
			}
		}
		if (r == 0)
			return -ECONNRESET;
		got += (size_t)r;
		/* fds travel with the first byte only */
		m = NULL;
	}
	return 0;
}

int pgr__vhost_conn_recv(int sock, struct pgr_vhost_msg *m, int timeout_ms)
{
	int err;

	m->nfds = 0;
	memset(&m->payload, 0, sizeof(m->payload));
	err = recv_full(sock, &m->hdr, PGR_VHOST_HDR_SIZE, m, timeout_ms);
	if (err)
		goto fail;
	if (m->hdr.size > PGR_VHOST_MAX_PAYLOAD) {
		err = -EMSGSIZE;
		goto fail;
	}
	if (m->hdr.size) {
		err = recv_full(sock, &m->payload, m->hdr.size, NULL,
				timeout_ms);
		if (err)
			goto fail;
	}
	return 0;
fail:
	pgr__vhost_msg_close_fds(m);
	return err;
}

int pgr__vhost_conn_send(int sock, const struct pgr_vhost_msg *m,
			 int timeout_ms)
{
	union {
		char buf[CMSG_SPACE(PGR_VHOST_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov[2] = {
		{ (void *)&m->hdr, PGR_VHOST_HDR_SIZE },
		{ (void *)&m->payload, m->hdr.size },
	};
	size_t total = PGR_VHOST_HDR_SIZE + m->hdr.size, sent = 0;
	bool fds_sent = m->nfds == 0;

	if (m->hdr.size > PGR_VHOST_MAX_PAYLOAD || m->nfds > PGR_VHOST_MAX_FDS)
		return -EINVAL;
	while (sent < total) {
		struct msghdr mh = { 0 };
		struct iovec v[2];
		size_t off = sent;
		int nv = 0, w;
		ssize_t r;

		for (int i = 0; i < 2; i++) {
			if (off >= iov[i].iov_len) {
				off -= iov[i].iov_len;
				continue;
			}
			v[nv].iov_base = (char *)iov[i].iov_base + off;
			v[nv].iov_len = iov[i].iov_len - off;
			nv++;
			off = 0;
		}
		mh.msg_iov = v;
		mh.msg_iovlen = (size_t)nv;
		if (!fds_sent) {
			struct cmsghdr *c;

			memset(ctl.buf, 0, sizeof(ctl.buf));
			mh.msg_control = ctl.buf;
			mh.msg_controllen = CMSG_SPACE(m->nfds * sizeof(int));
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(m->nfds * sizeof(int));
			memcpy(CMSG_DATA(c), m->fds, m->nfds * sizeof(int));
		}
		w = pgr__vhost_conn_wait(sock, POLLOUT, timeout_ms);
		if (w < 0)
			return w;
		if (w == 0)
			return -ETIMEDOUT;
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		fds_sent = true;
		sent += (size_t)r;
	}
	return 0;
}

int pgr__vhost_notify(int fd)
{
	uint64_t one = 1;
	ssize_t r;

	do {
		r = write(fd, &one, sizeof(one));
	} while (r < 0 && errno == EINTR);
	/* A full pipe or a saturated eventfd already means "signalled". */
	if (r < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

int pgr__vhost_drain(int fd)
{
	uint64_t v;
	ssize_t r;

	do {
		r = read(fd, &v, sizeof(v));
	} while (r < 0 && errno == EINTR);
	if (r < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

bool pgr__vhost_err_is_transient(int err)
{
	if (err < 0)
		err = -err;
	return err == EINTR || err == EAGAIN;
}
