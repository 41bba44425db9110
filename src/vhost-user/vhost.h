/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vhost-user, what both sides share: the message codec (msg.c), socket I/O
 * with SCM_RIGHTS (conn.c), and the front-end request helper (frontend.c);
 * the back-end is backend.h.  Wire layouts follow QEMU's
 * docs/interop/vhost-user.rst; struct vhost_vring_addr comes from the
 * system <linux/vhost_types.h>.  Internal: not installed.
 */
#ifndef PGR_VHOST_USER_H
#define PGR_VHOST_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vhost_types.h>

#include "virtio/vring.h"

#define PGR_VHOST_HDR_SIZE	 12
#define PGR_VHOST_VERSION	 0x1
#define PGR_VHOST_VERSION_MASK	 0x3
#define PGR_VHOST_REPLY		 0x4
#define PGR_VHOST_NEED_REPLY	 0x8
#define PGR_VHOST_MAX_FDS	 8
#define PGR_VHOST_MAX_REGIONS	 8  /* SET_MEM_TABLE */
#define PGR_VHOST_MAX_SLOTS	 32 /* our GET_MAX_MEM_SLOTS answer */
#define PGR_VHOST_MAX_CONFIG	 256
#define PGR_VHOST_CONFIG_HDR	 12
#define PGR_VHOST_MAX_QUEUES	 8
#define PGR_VHOST_VRING_IDX_MASK 0xff
#define PGR_VHOST_VRING_NOFD	 0x100

#define PGR_VHOST_F_PROTOCOL_FEATURES 30
#define PGR_VHOST_F_LOG_ALL	      26

enum pgr_vhost_request {
	PGR_VHOST_GET_FEATURES = 1,
	PGR_VHOST_SET_FEATURES = 2,
	PGR_VHOST_SET_OWNER = 3,
	PGR_VHOST_RESET_OWNER = 4,
	PGR_VHOST_SET_MEM_TABLE = 5,
	PGR_VHOST_SET_LOG_BASE = 6,
	PGR_VHOST_SET_LOG_FD = 7,
	PGR_VHOST_SET_VRING_NUM = 8,
	PGR_VHOST_SET_VRING_ADDR = 9,
	PGR_VHOST_SET_VRING_BASE = 10,
	PGR_VHOST_GET_VRING_BASE = 11,
	PGR_VHOST_SET_VRING_KICK = 12,
	PGR_VHOST_SET_VRING_CALL = 13,
	PGR_VHOST_SET_VRING_ERR = 14,
	PGR_VHOST_GET_PROTOCOL_FEATURES = 15,
	PGR_VHOST_SET_PROTOCOL_FEATURES = 16,
	PGR_VHOST_GET_QUEUE_NUM = 17,
	PGR_VHOST_SET_VRING_ENABLE = 18,
	PGR_VHOST_SET_BACKEND_REQ_FD = 21,
	PGR_VHOST_GET_CONFIG = 24,
	PGR_VHOST_SET_CONFIG = 25,
	PGR_VHOST_RESET_DEVICE = 34,
	PGR_VHOST_VRING_KICK = 35,
	PGR_VHOST_GET_MAX_MEM_SLOTS = 36,
	PGR_VHOST_ADD_MEM_REG = 37,
	PGR_VHOST_REM_MEM_REG = 38,
	PGR_VHOST_SET_STATUS = 39,
	PGR_VHOST_GET_STATUS = 40,
	PGR_VHOST_REQUEST_MAX = 44,
};

enum pgr_vhost_protocol_feature {
	PGR_VHOST_PROTOCOL_F_MQ = 0,
	PGR_VHOST_PROTOCOL_F_LOG_SHMFD = 1,
	PGR_VHOST_PROTOCOL_F_REPLY_ACK = 3,
	PGR_VHOST_PROTOCOL_F_BACKEND_REQ = 5,
	PGR_VHOST_PROTOCOL_F_CONFIG = 9,
	PGR_VHOST_PROTOCOL_F_INBAND_NOTIFICATIONS = 14,
	PGR_VHOST_PROTOCOL_F_CONFIGURE_MEM_SLOTS = 15,
	PGR_VHOST_PROTOCOL_F_STATUS = 16,
};

struct pgr_vhost_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size; /* payload bytes after the header */
};

struct pgr_vhost_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

struct pgr_vhost_memory {
	uint32_t nregions;
	uint32_t padding;
	struct pgr_vhost_region regions[PGR_VHOST_MAX_REGIONS];
};

struct pgr_vhost_mem_reg {
	uint64_t padding;
	struct pgr_vhost_region region;
};

struct pgr_vhost_vring_state {
	uint32_t index;
	uint32_t num;
};

struct pgr_vhost_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t region[PGR_VHOST_MAX_CONFIG];
};

union pgr_vhost_payload {
	uint64_t u64;
	struct pgr_vhost_vring_state state;
	struct vhost_vring_addr addr;
	struct pgr_vhost_memory memory;
	struct pgr_vhost_mem_reg mem_reg;
	struct pgr_vhost_config config;
	uint8_t raw[PGR_VHOST_CONFIG_HDR + PGR_VHOST_MAX_CONFIG];
};

#define PGR_VHOST_MAX_PAYLOAD sizeof(union pgr_vhost_payload)

struct pgr_vhost_msg {
	struct pgr_vhost_hdr hdr;
	union pgr_vhost_payload payload;
	int fds[PGR_VHOST_MAX_FDS];
	unsigned int nfds;
};

/* ---- msg.c: pure codec and validation ---------------------------------- */

const char *pgr__vhost_request_name(uint32_t request);
/*
 * pgr__vhost_msg_check - is @m a well-formed front-end request (header
 * flags, size for its request, number of fds)?  Return: 0, or -EBADMSG
 * (-ENOSYS for an unknown request) with *r_why set.
 */
int pgr__vhost_msg_check_request(const struct pgr_vhost_msg *m,
				 const char **r_why);
/* Is @m a well-formed reply to @request with exactly @size payload bytes? */
int pgr__vhost_msg_check_reply(const struct pgr_vhost_msg *m, uint32_t request,
			       uint32_t size, const char **r_why);
/*
 * pgr__vhost_msg_decode - bytes (header + payload) to @m, no fds.
 * Return: bytes consumed, -EAGAIN if @len is short, -EMSGSIZE.
 */
int pgr__vhost_msg_decode(const uint8_t *buf, size_t len,
			  struct pgr_vhost_msg *m);
/* Encode header + payload into @buf; Return: bytes or -ENOSPC. */
int pgr__vhost_msg_encode(const struct pgr_vhost_msg *m, uint8_t *buf,
			  size_t len);
void pgr__vhost_msg_init(struct pgr_vhost_msg *m, uint32_t request,
			 uint32_t flags, uint32_t size);
void pgr__vhost_msg_close_fds(struct pgr_vhost_msg *m);

/* ---- conn.c: socket I/O ---------------------------------------------------
 */

/*
 * Receive one message: the header with up to 8 fds (recvmsg), then the
 * payload.  Waits at most @timeout_ms for each part (-1 = forever is not
 * allowed: callers pass a bound).  Return: 0, -ECONNRESET when the peer
 * closed, -ETIMEDOUT, -EMSGSIZE, -EBADMSG (truncated fds), -errno.
 */
int pgr__vhost_conn_recv(int sock, struct pgr_vhost_msg *m, int timeout_ms);
/* Send header + payload with m->fds attached.  Return: 0, -EPIPE, -errno. */
int pgr__vhost_conn_send(int sock, const struct pgr_vhost_msg *m,
			 int timeout_ms);
/* Wait until @fd is readable.  Return: 1, 0 on timeout, -errno. */
int pgr__vhost_conn_wait(int fd, short events, int timeout_ms);
/* Signal an eventfd or a pipe (8-byte write); drain one (8-byte read). */
int pgr__vhost_notify(int fd);
int pgr__vhost_drain(int fd);
/* EINTR/EAGAIN: retry; ECONNRESET/EPIPE/ENOTCONN: reconnect. */
bool pgr__vhost_err_is_transient(int err);

/* ---- frontend.c ------------------------------------------------------- */

struct pgr_vhost_frontend {
	int sock;
	int timeout_ms;
	uint64_t protocol_features; /* negotiated */
	bool broken;
	char why[160];
};

/* Connect to a path (non-blocking connect with timeout). */
int pgr__vhost_fe_connect(const char *path, int timeout_ms);
/*
 * Send a request and, when it has one, wait for the reply (checked to be
 * exactly @reply_size bytes into @reply).  Requests without a reply get
 * NEED_REPLY when REPLY_ACK was negotiated, and a non-zero ack is -EIO.
 */
int pgr__vhost_fe_request(struct pgr_vhost_frontend *fe, uint32_t request,
			  const void *payload, uint32_t size, const int *fds,
			  unsigned int nfds, void *reply, uint32_t reply_size);
int pgr__vhost_fe_get_u64(struct pgr_vhost_frontend *fe, uint32_t request,
			  uint64_t *r_val);
int pgr__vhost_fe_set_u64(struct pgr_vhost_frontend *fe, uint32_t request,
			  uint64_t val);

#endif /* PGR_VHOST_USER_H */
