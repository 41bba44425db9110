/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The event-loop-agnostic vhost-user back-end (backend.c): the device side
 * of the protocol, guest memory mapped from the front-end's fds, and the
 * SIGBUS guard around every access to it.  Built into the back-end library
 * (src/libpagereport-backend.la), which pagereport-balloond and the tests
 * link; libpagereport.so has none of it.  Internal: not installed.
 */
#ifndef PGR_VHOST_USER_BACKEND_H
#define PGR_VHOST_USER_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vhost-user/vhost.h"

struct pgr_vhost_backend;

struct pgr_vhost_mem_region {
	struct pgr_vhost_region r;
	int fd;	   /* kept open for fallocate */
	void *map; /* mmap base */
	size_t map_len;
	uint8_t *hva;	    /* host address of guest_phys_addr */
	uint64_t page_size; /* fstatfs: hugetlbfs or host page */
	uint64_t fs_type;   /* fstatfs f_type of the fd (0 if unknown) */
};

struct pgr_vhost_vq {
	unsigned int num;
	struct vhost_vring_addr addr;
	bool have_addr, started, enabled, ready;
	bool resume; /* a device yielded to a message: look again after it */
	uint16_t base;
	int kick_fd, call_fd;
	unsigned int pop_budget; /* pops left in this notification */
	struct pgr_vring vr;
};

struct pgr_vhost_device_ops {
	uint64_t (*features)(void *dev); /* offered, without bit 30 */
	uint64_t protocol_features;
	unsigned int (*nr_queues)(void *dev); /* with acked features */
	/* Features the device also takes although it did not offer them. */
	uint64_t (*accepted)(void *dev);
	int (*set_features)(void *dev, uint64_t features);
	int (*get_config)(void *dev, uint32_t off, uint8_t *buf, uint32_t len);
	int (*set_config)(void *dev, uint32_t off, const uint8_t *buf,
			  uint32_t len);
	/* A ready queue has buffers (or was just started). */
	int (*queue_notify)(void *dev, struct pgr_vhost_backend *be,
			    unsigned int q);
	void (*reset)(void *dev);
};

struct pgr_vhost_backend {
	int sock; /* -1: replies are dropped (fuzzing) */
	int timeout_ms;
	const struct pgr_vhost_device_ops *ops;
	void *dev;
	bool owner, features_set;
	uint64_t features, protocol_features;
	struct pgr_vhost_mem_region regions[PGR_VHOST_MAX_SLOTS];
	unsigned int nregions;
	struct pgr_vhost_vq vqs[PGR_VHOST_MAX_QUEUES];
	int backend_req_fd;
	char why[200]; /* why the last connection was dropped */
	void (*log)(void *opaque, const char *msg);
	void *log_opaque;
	struct pgr_vring_elem elem; /* scratch for the device */
};

void pgr__vhost_backend_init(struct pgr_vhost_backend *be,
			     const struct pgr_vhost_device_ops *ops, void *dev);
/* Take a connected socket; the backend owns it until detach. */
void pgr__vhost_backend_attach(struct pgr_vhost_backend *be, int sock);
/* Drop the connection: close every fd, unmap, reset the device. */
void pgr__vhost_backend_detach(struct pgr_vhost_backend *be);
/*
 * vu_dispatch(): read and handle exactly one message.  Return: 0, or a
 * negative errno meaning "drop this connection" (reason in be->why).
 */
int pgr__vhost_backend_dispatch(struct pgr_vhost_backend *be);
/* Handle a received message (takes its fds).  Same return as dispatch. */
int pgr__vhost_backend_handle(struct pgr_vhost_backend *be,
			      struct pgr_vhost_msg *m);
/* The kick fd of queue @q became readable.  Same return as dispatch. */
int pgr__vhost_backend_kick(struct pgr_vhost_backend *be, unsigned int q);
/* Queue @q's kick fd, or -1 if it has none or is not ready. */
int pgr__vhost_backend_kick_fd(const struct pgr_vhost_backend *be,
			       unsigned int q);
/*
 * For devices: pop the next element of @q into be->elem (see
 * pgr__vring_pop).  Returns 0 when the ring is empty or when this
 * notification has already popped a ring's worth (num) of elements.
 */
int pgr__vhost_backend_pop(struct pgr_vhost_backend *be, unsigned int q);
/* Push @head as used and signal the call fd if the driver wants it. */
void pgr__vhost_backend_push(struct pgr_vhost_backend *be, unsigned int q,
			     uint16_t head, uint32_t len);
/*
 * Is the front-end waiting for us (a message pending, or it hung up)?  A
 * device checks before each side effect on guest memory: the message may
 * be the GET_VRING_BASE of a front-end that gave up on the buffer.
 */
bool pgr__vhost_backend_peer_waiting(struct pgr_vhost_backend *be);
/*
 * Give the element just popped from @q back to the ring (it will be popped
 * again) and mark @q to be looked at once the pending message is handled.
 */
void pgr__vhost_backend_unpop(struct pgr_vhost_backend *be, unsigned int q);
/* After a message: service the queues a device yielded.  Same return as
 * dispatch. */
int pgr__vhost_backend_resume(struct pgr_vhost_backend *be);
/* The region holding [gpa, gpa + len), or NULL (none, or straddling). */
struct pgr_vhost_mem_region *
pgr__vhost_backend_region(struct pgr_vhost_backend *be, uint64_t gpa,
			  uint64_t len);
/* Record a reason for dropping the connection; returns -@err. */
int pgr__vhost_backend_fail(struct pgr_vhost_backend *be, int err,
			    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* PGR_VHOST_USER_BACKEND_H */
