// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vhost-user back-end, event-loop agnostic: dispatch() reads and handles
 * exactly one front-end message, kick() services one queue, and the caller
 * owns the poll loop (libvhost-user's vu_dispatch / vu_kick_cb split,
 * written afresh).  Memory regions are mapped MAP_SHARED and their fds kept
 * open so a device can punch holes; ring addresses (front-end virtual) and
 * buffer addresses (guest physical) are translated only into mapped memory.
 * Any malformed message, bad region or bad ring drops the connection with a
 * reason (STYLE.md §4.3 rule 6) and never touches memory out of bounds.
 * Leaves out dirty logging, postcopy, inflight tracking, in-band
 * notifications, IOTLB and the STATUS/RESET_DEVICE protocol features.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "vhost-user/backend.h"

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

int pgr__vhost_backend_fail(struct pgr_vhost_backend *be, int err,
			    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(be->why, sizeof(be->why), fmt, ap);
	va_end(ap);
	return -err;
}

static void logf_(struct pgr_vhost_backend *be, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void logf_(struct pgr_vhost_backend *be, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (!be->log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	be->log(be->log_opaque, buf);
}

/* ---- guest memory faults ------------------------------------------------
 *
 * The front-end owns the files behind our mappings: it can shrink one
 * (ftruncate) after setting up, and the next ring access is a SIGBUS.
 * Every access to guest memory happens while handling a message or in
 * vq_process(), and both arm a per-thread jump buffer (guarded()); the
 * handler jumps back there and the connection is dropped.  A SIGBUS
 * anywhere else is not ours: default action.  F_SEAL_SHRINK is not
 * required (UML's RAM file and QEMU's seal=off memfds have none).
 */
static __thread sigjmp_buf *guest_jmp;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (guest_jmp)
		siglongjmp(*guest_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Run @fn with guest-memory faults caught.  Guards nest (a message may
 * start a queue); a fault unwinds to the innermost one and the connection
 * is dropped.  Returns what @fn returned, or -EFAULT after a fault.
 */
static int guarded(struct pgr_vhost_backend *be,
		   int (*fn)(struct pgr_vhost_backend *be, void *arg),
		   void *arg, const char *what)
{
	sigjmp_buf jb, *prev = guest_jmp;
	int r;

	if (sigsetjmp(jb, 1)) {
		guest_jmp = prev;
		return pgr__vhost_backend_fail(
			be, EFAULT,
			"SIGBUS on guest memory in %s (file shrunk under its "
			"mapping?)",
			what);
	}
	guest_jmp = &jb;
	r = fn(be, arg);
	guest_jmp = prev;
	return r;
}

static void guard_install(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO | SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

static void vq_reset(struct pgr_vhost_vq *vq)
{
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	memset(vq, 0, sizeof(*vq));
	vq->kick_fd = vq->call_fd = -1;
}

static void region_unmap(struct pgr_vhost_mem_region *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

void pgr__vhost_backend_init(struct pgr_vhost_backend *be,
			     const struct pgr_vhost_device_ops *ops, void *dev)
{
	unsigned int i;

	pthread_once(&guard_once, guard_install);
	memset(be, 0, sizeof(*be));
	be->sock = -1;
	be->timeout_ms = 5000;
	be->ops = ops;
	be->dev = dev;
	be->backend_req_fd = -1;
	for (i = 0; i < PGR_VHOST_MAX_QUEUES; i++)
		be->vqs[i].kick_fd = be->vqs[i].call_fd = -1;
	for (i = 0; i < PGR_VHOST_MAX_SLOTS; i++)
		be->regions[i].fd = -1;
}

void pgr__vhost_backend_attach(struct pgr_vhost_backend *be, int sock)
{
	be->sock = sock;
	be->why[0] = '\0';
}

void pgr__vhost_backend_detach(struct pgr_vhost_backend *be)
{
	unsigned int i;

	for (i = 0; i < PGR_VHOST_MAX_QUEUES; i++)
		vq_reset(&be->vqs[i]);
	for (i = 0; i < be->nregions; i++)
		region_unmap(&be->regions[i]);
	be->nregions = 0;
	if (be->backend_req_fd >= 0)
		close(be->backend_req_fd);
	be->backend_req_fd = -1;
	if (be->sock >= 0)
		close(be->sock);
	be->sock = -1;
	be->owner = be->features_set = false;
	be->features = be->protocol_features = 0;
	if (be->ops && be->ops->reset)
		be->ops->reset(be->dev);
}

/* ---- address translation ---------------------------------------------- */

struct pgr_vhost_mem_region *
pgr__vhost_backend_region(struct pgr_vhost_backend *be, uint64_t gpa,
			  uint64_t len)
{
	unsigned int i;

	for (i = 0; i < be->nregions; i++) {
		struct pgr_vhost_mem_region *r = &be->regions[i];

		/* Inside, without overflowing: gpa - start + len <= size. */
		if (gpa >= r->r.guest_phys_addr && len <= r->r.memory_size &&
		    gpa - r->r.guest_phys_addr <= r->r.memory_size - len)
			return r;
	}
	return NULL;
}

static void *gpa_xlate(void *opaque, uint64_t gpa, uint64_t len)
{
	struct pgr_vhost_mem_region *r =
		pgr__vhost_backend_region(opaque, gpa, len);

	return r ? r->hva + (gpa - r->r.guest_phys_addr) : NULL;
}

static void *qva_xlate(struct pgr_vhost_backend *be, uint64_t qva, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < be->nregions; i++) {
		struct pgr_vhost_mem_region *r = &be->regions[i];

		if (qva >= r->r.userspace_addr && len <= r->r.memory_size &&
		    qva - r->r.userspace_addr <= r->r.memory_size - len)
			return r->hva + (qva - r->r.userspace_addr);
	}
	return NULL;
}

/* ---- memory table ------------------------------------------------------- */

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Check one region against itself and the table; map it; takes @fd. */
static int region_add(struct pgr_vhost_backend *be,
		      const struct pgr_vhost_region *in, int fd)
{
	struct pgr_vhost_mem_region *r;
	uint64_t ps, map_off, delta;
	struct statfs sfs;
	struct stat st;
	unsigned int i;
	void *map;

	if (be->nregions >= PGR_VHOST_MAX_SLOTS) {
		close(fd);
		return pgr__vhost_backend_fail(be, EBADMSG,
					       "too many memory regions");
	}
	/* Is every range non-empty and free of 64-bit wrap-around? */
	if (in->memory_size == 0 ||
	    in->guest_phys_addr + in->memory_size < in->guest_phys_addr ||
	    in->userspace_addr + in->memory_size < in->userspace_addr ||
	    in->mmap_offset + in->memory_size < in->mmap_offset ||
	    in->memory_size > (uint64_t)SIZE_MAX / 2) {
		close(fd);
		return pgr__vhost_backend_fail(be, EBADMSG,
					       "memory region size overflows");
	}
	for (i = 0; i < be->nregions; i++) {
		const struct pgr_vhost_region *o = &be->regions[i].r;

		if (ranges_overlap(in->guest_phys_addr, in->memory_size,
				   o->guest_phys_addr, o->memory_size) ||
		    ranges_overlap(in->userspace_addr, in->memory_size,
				   o->userspace_addr, o->memory_size)) {
			close(fd);
			return pgr__vhost_backend_fail(
				be, EBADMSG, "memory regions overlap");
		}
	}
	/* Does the file really hold the region (else access = SIGBUS)? */
	if (fstat(fd, &st) < 0) {
		close(fd);
		return pgr__vhost_backend_fail(be, EBADMSG,
					       "region fd: fstat failed");
	}
	if (S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size < in->mmap_offset + in->memory_size) {
		close(fd);
		return pgr__vhost_backend_fail(
			be, EBADMSG, "memory region past the end of its file");
	}
	ps = (uint64_t)sysconf(_SC_PAGESIZE);
	memset(&sfs, 0, sizeof(sfs));
	if (fstatfs(fd, &sfs) == 0 &&
	    (unsigned long)sfs.f_type == (unsigned long)HUGETLBFS_MAGIC)
		ps = (uint64_t)sfs.f_bsize;
	map_off = in->mmap_offset & ~(ps - 1);
	delta = in->mmap_offset - map_off;
	map = mmap(NULL, in->memory_size + delta, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_NORESERVE, fd, (off_t)map_off);
	if (map == MAP_FAILED) {
		int e = errno;

		close(fd);
		return pgr__vhost_backend_fail(
			be, EBADMSG, "mmap of memory region failed: %s",
			strerror(e));
	}
	r = &be->regions[be->nregions++];
	r->r = *in;
	r->fd = fd;
	r->map = map;
	r->map_len = in->memory_size + delta;
	r->hva = (uint8_t *)map + delta;
	r->page_size = ps;
	r->fs_type = (uint64_t)(unsigned long)sfs.f_type;
	logf_(be, "region gpa 0x%llx size 0x%llx mapped (f_type 0x%llx)",
	      (unsigned long long)in->guest_phys_addr,
	      (unsigned long long)in->memory_size,
	      (unsigned long long)r->fs_type);
	return 0;
}

static void regions_clear(struct pgr_vhost_backend *be)
{
	unsigned int i;

	for (i = 0; i < be->nregions; i++)
		region_unmap(&be->regions[i]);
	be->nregions = 0;
}

/* ---- queues ------------------------------------------------------------- */

/* Translate and check a queue's rings; make it ready.  0 or -EBADMSG. */
static int vq_setup(struct pgr_vhost_backend *be, unsigned int q)
{
	struct pgr_vhost_vq *vq = &be->vqs[q];
	void *desc, *avail, *used;

	vq->ready = false;
	if (!vq->num || !vq->have_addr || !be->nregions)
		return 0;
	desc = qva_xlate(be, vq->addr.desc_user_addr,
			 pgr__vring_desc_bytes(vq->num));
	avail = qva_xlate(be, vq->addr.avail_user_addr,
			  pgr__vring_avail_bytes(vq->num));
	used = qva_xlate(be, vq->addr.used_user_addr,
			 pgr__vring_used_bytes(vq->num));
	if (!desc || !avail || !used)
		return pgr__vhost_backend_fail(
			be, EBADMSG, "queue %u: ring outside the memory table",
			q);
	if (((uintptr_t)desc & 15) || ((uintptr_t)avail & 1) ||
	    ((uintptr_t)used & 3))
		return pgr__vhost_backend_fail(be, EBADMSG,
					       "queue %u: misaligned ring", q);
	pgr__vring_device_init(
		&vq->vr, vq->num, desc, avail, used,
		be->features & (1ULL << VIRTIO_RING_F_EVENT_IDX),
		be->features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC), vq->base);
	vq->ready = true;
	return 0;
}

static int notify_fn(struct pgr_vhost_backend *be, void *arg)
{
	return be->ops->queue_notify(be->dev, be, *(unsigned int *)arg);
}

static int vq_process(struct pgr_vhost_backend *be, unsigned int q)
{
	struct pgr_vhost_vq *vq = &be->vqs[q];

	if (!vq->ready || !vq->started || !vq->enabled)
		return 0;
	if (!be->ops->queue_notify)
		return 0;
	/*
	 * A ring holds at most num buffers, so one notification never has
	 * more to do: a front-end whose used ring overlaps its avail ring
	 * would otherwise make every push publish a new avail entry, forever.
	 */
	vq->pop_budget = vq->vr.num;
	return guarded(be, notify_fn, &q, "a queue");
}

/* After the memory table changed, re-resolve every configured ring. */
static int vqs_remap(struct pgr_vhost_backend *be)
{
	unsigned int q;
	int err;

	for (q = 0; q < PGR_VHOST_MAX_QUEUES; q++) {
		struct pgr_vhost_vq *vq = &be->vqs[q];

		if (!vq->ready && !vq->started)
			continue;
		if (vq->ready)
			vq->base = vq->vr.last_avail_idx;
		err = vq_setup(be, q);
		if (err)
			return err;
	}
	return 0;
}

int pgr__vhost_backend_pop(struct pgr_vhost_backend *be, unsigned int q)
{
	struct pgr_vhost_vq *vq = &be->vqs[q];
	const char *why = NULL;
	int r;

	if (vq->pop_budget == 0)
		return 0; /* the rest waits for the next notification */
	r = pgr__vring_pop(&vq->vr, gpa_xlate, be, &be->elem, &why);
	if (r < 0)
		return pgr__vhost_backend_fail(be, -r, "queue %u: %s", q,
					       why ? why : "bad ring");
	if (r > 0)
		vq->pop_budget--;
	return r;
}

void pgr__vhost_backend_push(struct pgr_vhost_backend *be, unsigned int q,
			     uint16_t head, uint32_t len)
{
	struct pgr_vhost_vq *vq = &be->vqs[q];

	pgr__vring_push(&vq->vr, head, len);
	if (pgr__vring_need_call(&vq->vr) && vq->call_fd >= 0)
		pgr__vhost_notify(vq->call_fd);
}

bool pgr__vhost_backend_peer_waiting(struct pgr_vhost_backend *be)
{
	struct pollfd p = { be->sock, POLLIN | POLLRDHUP, 0 };

	if (be->sock < 0)
		return false;
	return poll(&p, 1, 0) != 0; /* an error counts as waiting */
}

void pgr__vhost_backend_unpop(struct pgr_vhost_backend *be, unsigned int q)
{
	struct pgr_vhost_vq *vq = &be->vqs[q];

	vq->vr.last_avail_idx--;
	vq->pop_budget++;
	vq->resume = true;
}

int pgr__vhost_backend_resume(struct pgr_vhost_backend *be)
{
	unsigned int q;
	int err;

	for (q = 0; q < PGR_VHOST_MAX_QUEUES; q++) {
		if (!be->vqs[q].resume)
			continue;
		be->vqs[q].resume = false;
		err = vq_process(be, q);
		if (err)
			return err;
	}
	return 0;
}

int pgr__vhost_backend_kick_fd(const struct pgr_vhost_backend *be,
			       unsigned int q)
{
	if (q >= PGR_VHOST_MAX_QUEUES || !be->vqs[q].started)
		return -1;
	return be->vqs[q].kick_fd;
}

int pgr__vhost_backend_kick(struct pgr_vhost_backend *be, unsigned int q)
{
	if (q >= PGR_VHOST_MAX_QUEUES)
		return -EINVAL;
	if (be->vqs[q].kick_fd >= 0)
		pgr__vhost_drain(be->vqs[q].kick_fd);
	return vq_process(be, q);
}

/* ---- messages ----------------------------------------------------------- */

static int reply(struct pgr_vhost_backend *be, const struct pgr_vhost_msg *req,
		 const void *payload, uint32_t size)
{
	struct pgr_vhost_msg r;
	int err;

	if (be->sock < 0)
		return 0;
	pgr__vhost_msg_init(&r, req->hdr.request,
			    PGR_VHOST_VERSION | PGR_VHOST_REPLY, size);
	memcpy(&r.payload, payload, size);
	err = pgr__vhost_conn_send(be->sock, &r, be->timeout_ms);
	if (err)
		return pgr__vhost_backend_fail(
			be, -err, "cannot send reply to %s: %s",
			pgr__vhost_request_name(req->hdr.request),
			strerror(-err));
	return 0;
}

static int reply_u64(struct pgr_vhost_backend *be,
		     const struct pgr_vhost_msg *req, uint64_t v)
{
	return reply(be, req, &v, sizeof(v));
}

/* The queue index of a message, checked. */
static int msg_queue(struct pgr_vhost_backend *be, uint32_t idx,
		     unsigned int *r_q)
{
	unsigned int nq = be->ops->nr_queues ? be->ops->nr_queues(be->dev)
					     : PGR_VHOST_MAX_QUEUES;

	if (nq > PGR_VHOST_MAX_QUEUES)
		nq = PGR_VHOST_MAX_QUEUES;
	if (idx >= nq)
		return pgr__vhost_backend_fail(
			be, EBADMSG, "queue index %u out of range", idx);
	*r_q = idx;
	return 0;
}

static int take_fd(struct pgr_vhost_msg *m, unsigned int i)
{
	int fd = m->fds[i];

	m->fds[i] = -1;
	return fd;
}

static int handle_mem_table(struct pgr_vhost_backend *be,
			    struct pgr_vhost_msg *m)
{
	const struct pgr_vhost_memory *mem = &m->payload.memory;
	unsigned int i;
	int err;

	regions_clear(be);
	for (i = 0; i < mem->nregions; i++) {
		err = region_add(be, &mem->regions[i], take_fd(m, i));
		if (err)
			return err;
	}
	return vqs_remap(be);
}

static int handle_rem_mem_reg(struct pgr_vhost_backend *be,
			      const struct pgr_vhost_region *in)
{
	unsigned int i;

	for (i = 0; i < be->nregions; i++) {
		struct pgr_vhost_mem_region *r = &be->regions[i];

		if (r->r.guest_phys_addr == in->guest_phys_addr &&
		    r->r.memory_size == in->memory_size &&
		    r->r.userspace_addr == in->userspace_addr) {
			region_unmap(r);
			be->regions[i] = be->regions[--be->nregions];
			be->regions[be->nregions].fd = -1;
			be->regions[be->nregions].map = NULL;
			return vqs_remap(be);
		}
	}
	logf_(be, "REM_MEM_REG: no such region (ignored)");
	return 0;
}

static int handle_vring_file(struct pgr_vhost_backend *be,
			     struct pgr_vhost_msg *m)
{
	unsigned int q;
	int fd = -1, err;

	err = msg_queue(
		be, (uint32_t)(m->payload.u64 & PGR_VHOST_VRING_IDX_MASK), &q);
	if (err)
		return err;
	if (m->nfds)
		fd = take_fd(m, 0);
	switch (m->hdr.request) {
	case PGR_VHOST_SET_VRING_KICK:
		if (be->vqs[q].kick_fd >= 0)
			close(be->vqs[q].kick_fd);
		be->vqs[q].kick_fd = fd;
		/* A kick fd starts the ring (libvhost-user does the same). */
		be->vqs[q].started = true;
		err = vq_setup(be, q);
		if (err)
			return err;
		/* Buffers posted before we started: look once. */
		return vq_process(be, q);
	case PGR_VHOST_SET_VRING_CALL:
		if (be->vqs[q].call_fd >= 0)
			close(be->vqs[q].call_fd);
		be->vqs[q].call_fd = fd;
		return 0;
	default: /* SET_VRING_ERR: we never report errors that way */
		if (fd >= 0)
			close(fd);
		return 0;
	}
}

static int handle_fn(struct pgr_vhost_backend *be, void *arg);

/* Messages touch guest memory too (vq_setup reads used->idx). */
static int handle(struct pgr_vhost_backend *be, struct pgr_vhost_msg *m)
{
	return guarded(be, handle_fn, m, "a message");
}

static int handle_fn(struct pgr_vhost_backend *be, void *arg)
{
	struct pgr_vhost_msg *m = arg;
	union pgr_vhost_payload *p = &m->payload;
	const uint64_t pf_bit = 1ULL << PGR_VHOST_F_PROTOCOL_FEATURES;
	struct pgr_vhost_vring_state st;
	unsigned int q;
	int err;

	switch (m->hdr.request) {
	case PGR_VHOST_GET_FEATURES:
		return reply_u64(be, m, be->ops->features(be->dev) | pf_bit);
	case PGR_VHOST_SET_FEATURES: {
		uint64_t ok = be->ops->features(be->dev) | pf_bit;

		if (be->ops->accepted)
			ok |= be->ops->accepted(be->dev);
		if (p->u64 & ~ok)
			return pgr__vhost_backend_fail(
				be, EBADMSG,
				"SET_FEATURES 0x%llx has bits never offered",
				(unsigned long long)p->u64);
		be->features = p->u64;
		be->features_set = true;
		/* Without bit 30 every ring is enabled right away. */
		if (!(p->u64 & pf_bit))
			for (q = 0; q < PGR_VHOST_MAX_QUEUES; q++)
				be->vqs[q].enabled = true;
		if (be->ops->set_features) {
			err = be->ops->set_features(be->dev, p->u64 & ~pf_bit);
			if (err)
				return pgr__vhost_backend_fail(
					be, -err, "device refused features");
		}
		return 0;
	}
	case PGR_VHOST_SET_OWNER:
		be->owner = true;
		return 0;
	case PGR_VHOST_RESET_OWNER:
		for (q = 0; q < PGR_VHOST_MAX_QUEUES; q++)
			vq_reset(&be->vqs[q]);
		return 0;
	case PGR_VHOST_GET_PROTOCOL_FEATURES:
		return reply_u64(be, m, be->ops->protocol_features);
	case PGR_VHOST_SET_PROTOCOL_FEATURES:
		if (p->u64 & ~be->ops->protocol_features)
			return pgr__vhost_backend_fail(
				be, EBADMSG,
				"protocol features 0x%llx never offered",
				(unsigned long long)p->u64);
		be->protocol_features = p->u64;
		return 0;
	case PGR_VHOST_GET_QUEUE_NUM:
		return reply_u64(be, m,
				 be->ops->nr_queues
					 ? be->ops->nr_queues(be->dev)
					 : PGR_VHOST_MAX_QUEUES);
	case PGR_VHOST_GET_MAX_MEM_SLOTS:
		return reply_u64(be, m, PGR_VHOST_MAX_SLOTS);
	case PGR_VHOST_SET_MEM_TABLE:
		return handle_mem_table(be, m);
	case PGR_VHOST_ADD_MEM_REG:
		err = region_add(be, &p->mem_reg.region, take_fd(m, 0));
		return err ? err : vqs_remap(be);
	case PGR_VHOST_REM_MEM_REG:
		return handle_rem_mem_reg(be, &p->mem_reg.region);
	case PGR_VHOST_SET_VRING_NUM:
		err = msg_queue(be, p->state.index, &q);
		if (err)
			return err;
		if (!pgr__vring_size_valid(p->state.num))
			return pgr__vhost_backend_fail(be, EBADMSG,
						       "queue %u: bad size %u",
						       q, p->state.num);
		be->vqs[q].num = p->state.num;
		be->vqs[q].ready = false;
		return be->vqs[q].started ? vq_setup(be, q) : 0;
	case PGR_VHOST_SET_VRING_ADDR:
		err = msg_queue(be, p->addr.index, &q);
		if (err)
			return err;
		be->vqs[q].addr = p->addr;
		be->vqs[q].have_addr = true;
		be->vqs[q].ready = false;
		return be->vqs[q].started ? vq_setup(be, q) : 0;
	case PGR_VHOST_SET_VRING_BASE:
		err = msg_queue(be, p->state.index, &q);
		if (err)
			return err;
		if (p->state.num > 0xffff)
			return pgr__vhost_backend_fail(
				be, EBADMSG, "queue %u: base past 16 bits", q);
		be->vqs[q].base = (uint16_t)p->state.num;
		be->vqs[q].ready = false;
		return be->vqs[q].started ? vq_setup(be, q) : 0;
	case PGR_VHOST_GET_VRING_BASE:
		err = msg_queue(be, p->state.index, &q);
		if (err)
			return err;
		/* Stops the ring; the next SET_VRING_KICK starts it again. */
		st.index = q;
		st.num = be->vqs[q].ready ? be->vqs[q].vr.last_avail_idx
					  : be->vqs[q].base;
		be->vqs[q].base = (uint16_t)st.num;
		be->vqs[q].started = be->vqs[q].ready = false;
		if (be->vqs[q].kick_fd >= 0)
			close(be->vqs[q].kick_fd);
		be->vqs[q].kick_fd = -1;
		return reply(be, m, &st, sizeof(st));
	case PGR_VHOST_SET_VRING_KICK:
	case PGR_VHOST_SET_VRING_CALL:
	case PGR_VHOST_SET_VRING_ERR:
		return handle_vring_file(be, m);
	case PGR_VHOST_SET_VRING_ENABLE:
		err = msg_queue(be, p->state.index, &q);
		if (err)
			return err;
		if (p->state.num > 1)
			return pgr__vhost_backend_fail(
				be, EBADMSG, "queue %u: enable is not 0/1", q);
		be->vqs[q].enabled = p->state.num;
		return vq_process(be, q);
	case PGR_VHOST_SET_BACKEND_REQ_FD:
		if (be->backend_req_fd >= 0)
			close(be->backend_req_fd);
		be->backend_req_fd = take_fd(m, 0);
		return 0;
	case PGR_VHOST_GET_CONFIG: {
		struct pgr_vhost_config c = p->config;

		if (!be->ops->get_config ||
		    be->ops->get_config(be->dev, c.offset, c.region, c.size))
			return pgr__vhost_backend_fail(
				be, EBADMSG, "GET_CONFIG %u+%u out of range",
				c.offset, c.size);
		return reply(be, m, &c, PGR_VHOST_CONFIG_HDR + c.size);
	}
	case PGR_VHOST_SET_CONFIG:
		if (!be->ops->set_config ||
		    be->ops->set_config(be->dev, p->config.offset,
					p->config.region, p->config.size))
			return pgr__vhost_backend_fail(
				be, EBADMSG, "SET_CONFIG %u+%u out of range",
				p->config.offset, p->config.size);
		return 0;
	default:
		return pgr__vhost_backend_fail(
			be, ENOSYS, "unsupported request %s (%u)",
			pgr__vhost_request_name(m->hdr.request),
			m->hdr.request);
	}
}

/* Does this request carry its own reply (so REPLY_ACK adds none)? */
static bool has_reply(uint32_t request)
{
	switch (request) {
	case PGR_VHOST_GET_FEATURES:
	case PGR_VHOST_GET_PROTOCOL_FEATURES:
	case PGR_VHOST_GET_VRING_BASE:
	case PGR_VHOST_GET_QUEUE_NUM:
	case PGR_VHOST_GET_MAX_MEM_SLOTS:
	case PGR_VHOST_GET_CONFIG:
		return true;
	default:
		return false;
	}
}

int pgr__vhost_backend_handle(struct pgr_vhost_backend *be,
			      struct pgr_vhost_msg *m)
{
	const char *why = NULL;
	int err;

	err = pgr__vhost_msg_check_request(m, &why);
	if (err) {
		pgr__vhost_msg_close_fds(m);
		return pgr__vhost_backend_fail(
			be, -err, "%s (%u): %s",
			pgr__vhost_request_name(m->hdr.request), m->hdr.request,
			why);
	}
	logf_(be, "%s size %u fds %u", pgr__vhost_request_name(m->hdr.request),
	      m->hdr.size, m->nfds);
	err = handle(be, m);
	pgr__vhost_msg_close_fds(m);
	if (err)
		return err;
	if ((m->hdr.flags & PGR_VHOST_NEED_REPLY) &&
	    (be->protocol_features &
	     (1ULL << PGR_VHOST_PROTOCOL_F_REPLY_ACK)) &&
	    !has_reply(m->hdr.request))
		return reply_u64(be, m, 0);
	return 0;
}

int pgr__vhost_backend_dispatch(struct pgr_vhost_backend *be)
{
	struct pgr_vhost_msg m;
	int err;

	err = pgr__vhost_conn_recv(be->sock, &m, be->timeout_ms);
	if (err == -ECONNRESET)
		return pgr__vhost_backend_fail(be, ECONNRESET,
					       "front-end closed the socket");
	if (err)
		return pgr__vhost_backend_fail(
			be, -err, "cannot read a message: %s", strerror(-err));
	return pgr__vhost_backend_handle(be, &m);
}
