// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The balloon sink: libpagereport's vhost-user front-end for a virtio
 * balloon.  Models drivers/virtio/virtio_balloon.c (init_vqs,
 * virtballoon_free_page_report) plus the part of QEMU's vhost-user.c
 * handshake a front-end owes its back-end: it shares the pgr_guest_ram memfd
 * (SET_MEM_TABLE, or ADD_MEM_REG with CONFIGURE_MEM_SLOTS) and a small memfd
 * of its own for the rings and the indirect table, sets up inflate, deflate
 * and reporting queues, and posts each report as device-writable
 * descriptors, kicks, and waits (bounded) for the used entry.  A dead or
 * silent back-end yields -ECONNRESET / -EPIPE / -ETIMEDOUT and the sink
 * stays unusable (-ENOTCONN) until pgr_sink_balloon_reconnect().  Before a
 * failed report returns, the back-end must stop the reporting queue
 * (GET_VRING_BASE, as QEMU's vhost_virtqueue_stop does) or be gone; if it
 * does neither in time the pages may still be discarded, and report()
 * returns PGR_SINK_HELD so they are never reused.  Leaves
 * out PAGE_POISON (we never poison), stats, hinting and inflation.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>
#include <pthread.h>

#include <pagereport/balloon.h>

#include "errmsg.h"
#include "sinks/sinks.h"
#include "vhost-user/vhost.h"

#define BIT(n)	     (1ULL << (n))
#define NR_QUEUES    3 /* inflate, deflate, reporting */
#define REPORTING_VQ 2 /* no STATS_VQ, no FREE_PAGE_HINT acked */
#define RING_ALIGN   4096

struct balloon_queue {
	struct pgr_vring vr;
	size_t desc_off, avail_off, used_off;
	int kick_fd, call_fd;
};

struct balloon_sink {
	struct pgr_sink sink;
	pthread_mutex_t lock;
	char *path;
	int given_fd; /* cfg->fd, used by the first connect */
	struct pgr_guest_ram *ram;
	unsigned int queue_size;
	uint64_t timeout_ns;
	uint64_t stop_timeout_ns;

	struct pgr_vhost_frontend fe;
	bool connected;
	uint64_t features;

	int ring_fd; /* our own memfd: rings + indirect table */
	uint8_t *ring_mem;
	size_t ring_len;
	uint64_t ring_gpa;
	size_t itab_off;
	struct balloon_queue q[NR_QUEUES];

	struct pgr_balloon_stats stats;
};

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void disconnect(struct balloon_sink *b)
{
	unsigned int i;

	for (i = 0; i < NR_QUEUES; i++) {
		if (b->q[i].kick_fd >= 0)
			close(b->q[i].kick_fd);
		if (b->q[i].call_fd >= 0)
			close(b->q[i].call_fd);
		b->q[i].kick_fd = b->q[i].call_fd = -1;
		pgr__vring_driver_fini(&b->q[i].vr);
	}
	if (b->fe.sock >= 0)
		close(b->fe.sock);
	b->fe.sock = -1;
	b->connected = false;
}

static void ring_mem_destroy(struct balloon_sink *b)
{
	if (b->ring_mem)
		munmap(b->ring_mem, b->ring_len);
	if (b->ring_fd >= 0)
		close(b->ring_fd);
	b->ring_mem = NULL;
	b->ring_fd = -1;
}

/*
 * Lay out the three rings and the indirect table in one small memfd, a
 * new one for every connection: a back-end we gave up on may still hold
 * the old one mapped, and must never see the rings of its successor.
 */
static int ring_mem_create(struct balloon_sink *b)
{
	size_t off = 0, n = b->queue_size;
	unsigned int i;

	ring_mem_destroy(b);

	for (i = 0; i < NR_QUEUES; i++) {
		b->q[i].desc_off = off;
		off = align_up(off + pgr__vring_desc_bytes((unsigned int)n),
			       RING_ALIGN);
		b->q[i].avail_off = off;
		off = align_up(off + pgr__vring_avail_bytes((unsigned int)n),
			       RING_ALIGN);
		b->q[i].used_off = off;
		off = align_up(off + pgr__vring_used_bytes((unsigned int)n),
			       RING_ALIGN);
		b->q[i].kick_fd = b->q[i].call_fd = -1;
	}
	b->itab_off = off;
	off = align_up(off + 16 * PGR_REPORTING_CAPACITY, RING_ALIGN);
	b->ring_len = off;

	b->ring_fd = memfd_create("pagereport-balloon-rings", MFD_CLOEXEC);
	if (b->ring_fd < 0)
		return -errno;
	if (ftruncate(b->ring_fd, (off_t)off) < 0)
		return -errno;
	b->ring_mem = mmap(NULL, off, PROT_READ | PROT_WRITE, MAP_SHARED,
			   b->ring_fd, 0);
	if (b->ring_mem == MAP_FAILED) {
		b->ring_mem = NULL;
		return -errno;
	}
	/* Guest-physical placement: just past guest RAM, 2 MiB aligned. */
	b->ring_gpa =
		align_up((pgr_guest_ram_base_pfn(b->ram) << PGR_PAGE_SHIFT) +
				 pgr_guest_ram_size(b->ram),
			 2UL << 20);
	return 0;
}

static int handshake(struct balloon_sink *b)
{
	const uint64_t pf_bit = BIT(PGR_VHOST_F_PROTOCOL_FEATURES);
	struct pgr_vhost_frontend *fe = &b->fe;
	struct pgr_vhost_region regs[2];
	uint64_t offered, want, pf = 0;
	unsigned int i;
	int err, fds[2];

	err = pgr__vhost_fe_get_u64(fe, PGR_VHOST_GET_FEATURES, &offered);
	if (err)
		return err;
	if ((offered &
	     (BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BALLOON_F_REPORTING))) !=
	    (BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BALLOON_F_REPORTING))) {
		snprintf(fe->why, sizeof(fe->why),
			 "back-end offers no VERSION_1 or REPORTING (0x%llx)",
			 (unsigned long long)offered);
		return -EPROTO;
	}
	want = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BALLOON_F_REPORTING);
	want |= offered & (pf_bit | BIT(VIRTIO_RING_F_INDIRECT_DESC) |
			   BIT(VIRTIO_RING_F_EVENT_IDX));
	if (offered & pf_bit) {
		err = pgr__vhost_fe_get_u64(fe, PGR_VHOST_GET_PROTOCOL_FEATURES,
					    &pf);
		if (err)
			return err;
		pf &= BIT(PGR_VHOST_PROTOCOL_F_REPLY_ACK) |
		      BIT(PGR_VHOST_PROTOCOL_F_CONFIG) |
		      BIT(PGR_VHOST_PROTOCOL_F_CONFIGURE_MEM_SLOTS);
		err = pgr__vhost_fe_set_u64(fe, PGR_VHOST_SET_PROTOCOL_FEATURES,
					    pf);
		if (err)
			return err;
		fe->protocol_features = pf;
	}
	err = pgr__vhost_fe_request(fe, PGR_VHOST_SET_OWNER, NULL, 0, NULL, 0,
				    NULL, 0);
	if (!err)
		err = pgr__vhost_fe_set_u64(fe, PGR_VHOST_SET_FEATURES, want);
	if (err)
		return err;
	b->features = want;

	/* Memory: guest RAM, then our ring region. */
	regs[0] = (struct pgr_vhost_region){
		.guest_phys_addr = pgr_guest_ram_base_pfn(b->ram)
				   << PGR_PAGE_SHIFT,
		.memory_size = pgr_guest_ram_size(b->ram),
		.userspace_addr = (uintptr_t)pgr_guest_ram_addr(
			b->ram, pgr_guest_ram_base_pfn(b->ram)),
		.mmap_offset = 0,
	};
	regs[1] = (struct pgr_vhost_region){
		.guest_phys_addr = b->ring_gpa,
		.memory_size = b->ring_len,
		.userspace_addr = (uintptr_t)b->ring_mem,
		.mmap_offset = 0,
	};
	fds[0] = pgr_guest_ram_fd(b->ram);
	fds[1] = b->ring_fd;
	if (pf & BIT(PGR_VHOST_PROTOCOL_F_CONFIGURE_MEM_SLOTS)) {
		uint64_t slots;

		err = pgr__vhost_fe_get_u64(fe, PGR_VHOST_GET_MAX_MEM_SLOTS,
					    &slots);
		if (err)
			return err;
		if (slots < 2) {
			snprintf(fe->why, sizeof(fe->why),
				 "back-end has %llu memory slots",
				 (unsigned long long)slots);
			return -EPROTO;
		}
		for (i = 0; i < 2; i++) {
			struct pgr_vhost_mem_reg mr = { 0, regs[i] };

			err = pgr__vhost_fe_request(fe, PGR_VHOST_ADD_MEM_REG,
						    &mr, sizeof(mr), &fds[i], 1,
						    NULL, 0);
			if (err)
				return err;
		}
	} else {
		struct pgr_vhost_memory mem = { .nregions = 2 };

		mem.regions[0] = regs[0];
		mem.regions[1] = regs[1];
		err = pgr__vhost_fe_request(fe, PGR_VHOST_SET_MEM_TABLE, &mem,
					    8 + 2 * sizeof(regs[0]), fds, 2,
					    NULL, 0);
		if (err)
			return err;
	}

	for (i = 0; i < NR_QUEUES; i++) {
		struct balloon_queue *q = &b->q[i];
		struct pgr_vhost_vring_state st = { i, b->queue_size };
		struct vhost_vring_addr a = {
			.index = i,
			.desc_user_addr =
				(uintptr_t)(b->ring_mem + q->desc_off),
			.used_user_addr =
				(uintptr_t)(b->ring_mem + q->used_off),
			.avail_user_addr =
				(uintptr_t)(b->ring_mem + q->avail_off),
		};

		err = pgr__vring_driver_init(
			&q->vr, b->queue_size, b->ring_mem + q->desc_off,
			b->ring_mem + q->avail_off, b->ring_mem + q->used_off,
			want & BIT(VIRTIO_RING_F_EVENT_IDX),
			want & BIT(VIRTIO_RING_F_INDIRECT_DESC));
		if (err)
			return err;
		q->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		q->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (q->kick_fd < 0 || q->call_fd < 0)
			return -errno;
		err = pgr__vhost_fe_request(fe, PGR_VHOST_SET_VRING_NUM, &st,
					    sizeof(st), NULL, 0, NULL, 0);
		st.num = 0;
		if (!err)
			err = pgr__vhost_fe_request(
				fe, PGR_VHOST_SET_VRING_BASE, &st, sizeof(st),
				NULL, 0, NULL, 0);
		if (!err)
			err = pgr__vhost_fe_request(
				fe, PGR_VHOST_SET_VRING_ADDR, &a, sizeof(a),
				NULL, 0, NULL, 0);
		if (!err) {
			uint64_t v = i;

			err = pgr__vhost_fe_request(
				fe, PGR_VHOST_SET_VRING_CALL, &v, sizeof(v),
				&q->call_fd, 1, NULL, 0);
		}
		if (!err) {
			uint64_t v = i;

			err = pgr__vhost_fe_request(
				fe, PGR_VHOST_SET_VRING_KICK, &v, sizeof(v),
				&q->kick_fd, 1, NULL, 0);
		}
		if (!err && (want & pf_bit)) {
			st.num = 1;
			err = pgr__vhost_fe_request(
				fe, PGR_VHOST_SET_VRING_ENABLE, &st, sizeof(st),
				NULL, 0, NULL, 0);
		}
		if (err)
			return err;
	}

	/* A round trip: everything above was processed (and config is sane). */
	if (pf & BIT(PGR_VHOST_PROTOCOL_F_CONFIG)) {
		struct pgr_vhost_config c = { .offset = 0, .size = 16 };

		return pgr__vhost_fe_request(fe, PGR_VHOST_GET_CONFIG, &c,
					     PGR_VHOST_CONFIG_HDR + 16, NULL, 0,
					     &c, PGR_VHOST_CONFIG_HDR + 16);
	}
	return pgr__vhost_fe_get_u64(fe, PGR_VHOST_GET_FEATURES, &offered);
}

static int do_connect(struct balloon_sink *b, bool first)
{
	int timeout_ms = (int)(b->timeout_ns / 1000000ULL), err;

	if (timeout_ms <= 0)
		timeout_ms = 1;
	err = ring_mem_create(b);
	if (err)
		return pgr__error(-err, "balloon: ring memory: %s",
				  strerror(-err));
	memset(&b->fe, 0, sizeof(b->fe));
	b->fe.timeout_ms = timeout_ms;
	if (first && b->given_fd >= 0) {
		b->fe.sock = b->given_fd;
		b->given_fd = -1;
	} else if (b->path) {
		b->fe.sock = pgr__vhost_fe_connect(b->path, timeout_ms);
		if (b->fe.sock < 0)
			return pgr__error(-b->fe.sock,
					  "balloon: connect %s: %s", b->path,
					  strerror(-b->fe.sock));
	} else {
		b->fe.sock = -1;
		return pgr__error(EOPNOTSUPP,
				  "balloon: no socket path to reconnect to");
	}
	err = handshake(b);
	if (err) {
		int e = -err;

		pgr__error(e, "balloon: handshake failed: %s",
			   b->fe.why[0] ? b->fe.why : strerror(e));
		disconnect(b);
		return -e;
	}
	b->connected = true;
	return 0;
}

/* Wait for the used entry of @head.  0 or -ETIMEDOUT/-ECONNRESET/-EPROTO. */
static int wait_used(struct balloon_sink *b, struct balloon_queue *q, int head)
{
	uint64_t deadline = now_ns() + b->timeout_ns;

	for (;;) {
		struct pollfd p[2] = { { q->call_fd, POLLIN, 0 },
				       { b->fe.sock, POLLIN, 0 } };
		uint64_t now;
		uint32_t len;
		int r, ms;

		r = pgr__vring_get_buf(&q->vr, &len);
		if (r == head)
			return 0;
		if (r >= 0 || r == -EPROTO)
			return pgr__error(
				EPROTO,
				"balloon: back-end used head %d, not %d", r,
				head);
		now = now_ns();
		if (now >= deadline)
			return pgr__error(
				ETIMEDOUT,
				"balloon: no used entry within %llu ms",
				(unsigned long long)(b->timeout_ns / 1000000));
		ms = (int)((deadline - now + 999999) / 1000000);
		r = poll(p, 2, ms);
		if (r < 0 && errno != EINTR)
			return pgr__error(errno, "balloon: poll: %s",
					  strerror(errno));
		if (r <= 0)
			continue;
		if (p[0].revents & POLLIN)
			pgr__vhost_drain(q->call_fd);
		if (p[1].revents) {
			char c;
			ssize_t n = recv(b->fe.sock, &c, 1,
					 MSG_PEEK | MSG_DONTWAIT);

			/* A message we never asked for is a protocol error. */
			if (n > 0)
				return pgr__error(
					EPROTO, "balloon: unexpected message");
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				return pgr__error(
					ECONNRESET,
					"balloon: back-end went away");
		}
	}
}

/*
 * After a failed report: may the pages go back?  Only when the back-end can
 * no longer discard them.  Stop the reporting queue (GET_VRING_BASE: its
 * reply means the back-end stopped processing it, vhost-user.rst "Ring
 * states") and wait, bounded, for the answer; a closed socket means the
 * back-end is gone.  Returns @err when the pages are safe, else -EOWNERDEAD
 * (the back-end may still discard them: they must stay held).
 */
static int stop_or_hold(struct balloon_sink *b, int err, uint64_t pages)
{
	struct pgr_vhost_vring_state st = { REPORTING_VQ, 0 };
	int tmo = (int)(b->stop_timeout_ns / 1000000ULL), r;
	char why[160];

	/* Nothing can be in flight once the socket is closed (or never was). */
	if (err == -ECONNRESET || err == -EPIPE || err == -ENOTCONN)
		return err;
	if (err == -ETIMEDOUT)
		b->stats.timeouts++;
	snprintf(why, sizeof(why), "%s", pgr_errmsg());
	b->fe.timeout_ms = tmo > 0 ? tmo : 1;
	r = pgr__vhost_fe_request(&b->fe, PGR_VHOST_GET_VRING_BASE, &st,
				  sizeof(st), NULL, 0, &st, sizeof(st));
	if (r == 0 || r == -ECONNRESET) {
		b->stats.stops++;
		return pgr__error(-err, "%s; back-end %s", why,
				  r ? "gone" : "stopped the queue");
	}
	b->stats.pages_held += pages;
	b->stats.bytes_held += pages << PGR_PAGE_SHIFT;
	return pgr__error(EOWNERDEAD,
			  "%s; back-end did not stop the queue (%s): %llu "
			  "pages stay held",
			  why, b->fe.why[0] ? b->fe.why : strerror(-r),
			  (unsigned long long)pages);
}

static int balloon_report(struct pgr_sink *sink, const struct pgr_range *ranges,
			  unsigned int n)
{
	struct balloon_sink *b = sink->priv;
	struct pgr_vring_buf bufs[PGR_REPORTING_CAPACITY];
	struct balloon_queue *q = &b->q[REPORTING_VQ];
	uint64_t base = pgr_guest_ram_base_pfn(b->ram), bytes = 0;
	uint64_t npages = pgr_guest_ram_size(b->ram) >> PGR_PAGE_SHIFT;
	unsigned int i;
	int head, err;

	/* Is every range aligned and inside the RAM we shared? */
	err = pgr__sink_check_ranges(sink, ranges, n, base, npages);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		bufs[i] = (struct pgr_vring_buf){
			.addr = ranges[i].pfn << PGR_PAGE_SHIFT,
			.len = (uint32_t)pgr_range_bytes(&ranges[i]),
			.write = true,
		};
		bytes += pgr_range_bytes(&ranges[i]);
	}

	pthread_mutex_lock(&b->lock);
	if (!b->connected) {
		b->stats.errors++;
		pthread_mutex_unlock(&b->lock);
		return pgr__error(ENOTCONN, "balloon: not connected");
	}
	head = pgr__vring_add(&q->vr, bufs, n,
			      (struct vring_desc *)(b->ring_mem + b->itab_off),
			      b->ring_gpa + b->itab_off);
	if (head < 0) {
		err = pgr__error(-head, "balloon: reporting queue full");
		goto broken;
	}
	if (pgr__vring_kick_prepare(&q->vr)) {
		err = pgr__vhost_notify(q->kick_fd);
		if (err) {
			pgr__error(-err, "balloon: kick failed");
			goto broken;
		}
	}
	err = wait_used(b, q, head);
	if (err)
		goto broken;
	b->stats.reports++;
	b->stats.ranges += n;
	b->stats.bytes += bytes;
	pthread_mutex_unlock(&b->lock);
	return 0;

broken:
	/* The ring may still hold our buffer: only a reconnect clears it. */
	b->stats.errors++;
	if (head >= 0)
		err = stop_or_hold(b, err, bytes >> PGR_PAGE_SHIFT);
	disconnect(b);
	pthread_mutex_unlock(&b->lock);
	return err;
}

static void balloon_destroy(struct pgr_sink *sink)
{
	struct balloon_sink *b = sink->priv;

	disconnect(b);
	ring_mem_destroy(b);
	if (b->given_fd >= 0)
		close(b->given_fd);
	pthread_mutex_destroy(&b->lock);
	free(b->path);
	free(b);
}

static const struct pgr_sink_ops balloon_ops = {
	.name = "balloon",
	.report = balloon_report,
	.destroy = balloon_destroy,
};

struct pgr_sink *pgr_sink_balloon_create(const struct pgr_balloon_config *cfg)
{
	struct balloon_sink *b;
	unsigned int cap, qs;
	int err;

	if (!cfg || !cfg->ram || (!cfg->socket_path && cfg->fd < 0)) {
		errno = -pgr__error(EINVAL, "balloon: need ram and a socket");
		return NULL;
	}
	cap = cfg->capacity ? cfg->capacity : PGR_REPORTING_CAPACITY;
	qs = cfg->queue_size ? cfg->queue_size : 32;
	if (cap > PGR_REPORTING_CAPACITY || !pgr__vring_size_valid(qs) ||
	    qs > 1024 || qs < cap) {
		errno = -pgr__error(EINVAL,
				    "balloon: capacity %u / queue size %u", cap,
				    qs);
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		errno = -pgr__error(ENOMEM, "balloon: out of memory");
		return NULL;
	}
	pthread_mutex_init(&b->lock, NULL);
	b->sink.ops = &balloon_ops;
	b->sink.capacity = cap;
	b->sink.priv = b;
	b->ram = cfg->ram;
	b->queue_size = qs;
	b->timeout_ns = cfg->timeout_ns ? cfg->timeout_ns : 5000000000ULL;
	b->stop_timeout_ns =
		cfg->stop_timeout_ns ? cfg->stop_timeout_ns : b->timeout_ns;
	b->given_fd = cfg->socket_path ? -1 : cfg->fd;
	b->fe.sock = -1;
	b->ring_fd = -1;
	if (cfg->socket_path && !(b->path = strdup(cfg->socket_path))) {
		err = pgr__error(ENOMEM, "balloon: out of memory");
		goto fail;
	}
	err = do_connect(b, true);
	if (err)
		goto fail;
	return &b->sink;
fail:
	balloon_destroy(&b->sink);
	errno = -err;
	return NULL;
}

int pgr_sink_balloon_reconnect(struct pgr_sink *sink)
{
	struct balloon_sink *b;
	int err;

	if (!sink || sink->ops != &balloon_ops)
		return pgr__error(EINVAL, "balloon: not a balloon sink");
	b = sink->priv;
	pthread_mutex_lock(&b->lock);
	disconnect(b);
	err = do_connect(b, false);
	if (!err)
		b->stats.reconnects++;
	pthread_mutex_unlock(&b->lock);
	return err;
}

int pgr_sink_balloon_get_stats(struct pgr_sink *sink,
			       struct pgr_balloon_stats *r)
{
	struct balloon_sink *b;

	if (!sink || sink->ops != &balloon_ops || !r)
		return pgr__error(EINVAL, "balloon: not a balloon sink");
	b = sink->priv;
	pthread_mutex_lock(&b->lock);
	*r = b->stats;
	pthread_mutex_unlock(&b->lock);
	return 0;
}
