// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the back-end's message handler with the balloon device.
 * Input = [u16 n][n bytes copied to the start of a 2 MiB memfd][messages],
 * each message a vhost-user header + payload.  Every message gets the fds
 * its header asks for (dups of the memfd for memory, eventfds otherwise),
 * goes through pgr__vhost_backend_handle() (replies are dropped), and then
 * every started queue is kicked so that rings described by the input are
 * walked and reports discarded.  A dropped connection ends the input.
 * Finds crashes, out-of-bounds accesses (ASan) and fd leaks (checked).
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "balloon/device.h"

#define MEMFD_SIZE (2u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;

static unsigned int fds_wanted(const struct pgr_vhost_msg *m)
{
	switch (m->hdr.request) {
	case PGR_VHOST_SET_MEM_TABLE:
		return m->payload.memory.nregions <= PGR_VHOST_MAX_FDS
			       ? m->payload.memory.nregions
			       : PGR_VHOST_MAX_FDS;
	case PGR_VHOST_ADD_MEM_REG:
	case PGR_VHOST_SET_BACKEND_REQ_FD:
	case PGR_VHOST_SET_LOG_FD:
		return 1;
	case PGR_VHOST_SET_VRING_KICK:
	case PGR_VHOST_SET_VRING_CALL:
	case PGR_VHOST_SET_VRING_ERR:
		return (m->payload.u64 & PGR_VHOST_VRING_NOFD) ? 0 : 1;
	default:
		return 0;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pgr_vhost_backend be;
	struct pgr_balloon_dev dev;
	size_t off = 2, blob;
	unsigned int q;

	if (memfd < 0) {
		memfd = memfd_create("fuzz-guest", MFD_CLOEXEC);
		if (memfd < 0 || ftruncate(memfd, MEMFD_SIZE) < 0)
			abort();
	}
	if (size < 2)
		return 0;
	blob = (size_t)data[0] | (size_t)data[1] << 8;
	if (blob > size - 2)
		blob = size - 2;
	fallocate(memfd, 3 /* PUNCH_HOLE | KEEP_SIZE */, 0, MEMFD_SIZE);
	if (blob && pwrite(memfd, data + 2, blob, 0) != (ssize_t)blob)
		abort();
	off += blob;

	pgr__balloon_dev_init(&dev, true);
	dev.ring_features = (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
			    (1ULL << VIRTIO_RING_F_EVENT_IDX);
	pgr__vhost_backend_init(&be, &pgr__balloon_dev_ops, &dev);
	be.sock = -1; /* replies go nowhere */

	while (off < size) {
		struct pgr_vhost_msg m;
		unsigned int i, n;
		int used, err;

		used = pgr__vhost_msg_decode(data + off, size - off, &m);
		if (used < 0)
			break;
		off += (size_t)used;
		n = fds_wanted(&m);
		for (i = 0; i < n; i++) {
			if (m.hdr.request == PGR_VHOST_SET_MEM_TABLE ||
			    m.hdr.request == PGR_VHOST_ADD_MEM_REG)
				m.fds[i] = dup(memfd);
			else
				m.fds[i] = eventfd(0, EFD_NONBLOCK);
		}
		m.nfds = n;
		err = pgr__vhost_backend_handle(&be, &m);
		for (q = 0; !err && q < PGR_VHOST_MAX_QUEUES; q++)
			if (be.vqs[q].started)
				err = pgr__vhost_backend_kick(&be, q);
		if (err)
			break;
	}
	pgr__vhost_backend_detach(&be);
	return 0;
}
