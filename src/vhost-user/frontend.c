// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vhost-user front-end request helper: connect with a bound wait, send one
 * request, and check its reply the way QEMU's hw/virtio/vhost-user.c does
 * (vhost_user_read_header: flags exactly 0x5, same request, exact size;
 * process_message_reply for REPLY_ACK).  Any transport or protocol error
 * latches the connection as broken (libvhost-user's vu_panic idea): later
 * requests fail with -ENOTCONN until the owner reconnects.  Leaves out the
 * back-end request channel (we never offer a BACKEND_REQ fd).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vhost-user/vhost.h"

int pgr__vhost_fe_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, fl, err;

	if (!path || strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		socklen_t l = sizeof(err);

		if (errno != EINPROGRESS && errno != EAGAIN) {
			err = -errno;
			goto fail;
		}
		err = pgr__vhost_conn_wait(fd, POLLOUT, timeout_ms);
		if (err <= 0) {
			err = err ? err : -ETIMEDOUT;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
			err = errno;
		if (err) {
			err = -err;
			goto fail;
		}
	}
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
fail:
	close(fd);
	return err;
}

static int fe_broken(struct pgr_vhost_frontend *fe, int err, const char *what,
		     uint32_t request)
{
	fe->broken = true;
	snprintf(fe->why, sizeof(fe->why), "%s %s: %s", what,
		 pgr__vhost_request_name(request), strerror(-err));
	return err;
}

int pgr__vhost_fe_request(struct pgr_vhost_frontend *fe, uint32_t request,
			  const void *payload, uint32_t size, const int *fds,
			  unsigned int nfds, void *reply, uint32_t reply_size)
{
	bool ack = !reply && (fe->protocol_features &
			      (1ULL << PGR_VHOST_PROTOCOL_F_REPLY_ACK));
	struct pgr_vhost_msg m;
	const char *why = NULL;
	uint32_t want = reply ? reply_size : 8;
	int err;

	if (fe->broken || fe->sock < 0)
		return -ENOTCONN;
	if (size > PGR_VHOST_MAX_PAYLOAD || nfds > PGR_VHOST_MAX_FDS ||
	    reply_size > PGR_VHOST_MAX_PAYLOAD)
		return -EINVAL;
	pgr__vhost_msg_init(
		&m, request,
		PGR_VHOST_VERSION | (ack ? PGR_VHOST_NEED_REPLY : 0), size);
	if (size)
		memcpy(&m.payload, payload, size);
	if (nfds)
		memcpy(m.fds, fds, nfds * sizeof(int));
	m.nfds = nfds;
	err = pgr__vhost_conn_send(fe->sock, &m, fe->timeout_ms);
	if (err)
		return fe_broken(fe, err == -EPIPE ? -EPIPE : err, "sending",
				 request);
	if (!reply && !ack)
		return 0;

	err = pgr__vhost_conn_recv(fe->sock, &m, fe->timeout_ms);
	if (err)
		return fe_broken(fe, err, "waiting for the reply to", request);
	err = pgr__vhost_msg_check_reply(&m, request, want, &why);
	if (err) {
		pgr__vhost_msg_close_fds(&m);
		fe->broken = true;
		snprintf(fe->why, sizeof(fe->why), "bad reply to %s: %s",
			 pgr__vhost_request_name(request), why);
		return -EPROTO;
	}
	if (reply) {
		memcpy(reply, &m.payload, want);
		return 0;
	}
	if (m.payload.u64 != 0) {
		snprintf(fe->why, sizeof(fe->why), "back-end failed %s",
			 pgr__vhost_request_name(request));
		return -EIO;
	}
	return 0;
}

int pgr__vhost_fe_get_u64(struct pgr_vhost_frontend *fe, uint32_t request,
			  uint64_t *r_val)
{
	return pgr__vhost_fe_request(fe, request, NULL, 0, NULL, 0, r_val,
				     sizeof(*r_val));
}

int pgr__vhost_fe_set_u64(struct pgr_vhost_frontend *fe, uint32_t request,
			  uint64_t val)
{
	return pgr__vhost_fe_request(fe, request, &val, sizeof(val), NULL, 0,
				     NULL, 0);
}
