// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * vhost-user message codec and validation: the 12-byte header, the payload
 * sizes of vhost-user.rst "Front-end message types" and the number of fds
 * each request may carry.  Pure functions (no I/O), so this is the natural
 * fuzz target.  Models the checks libvhost-user does in vu_message_read /
 * vu_process_message and QEMU in vhost_user_read_header, written afresh.
 * Leaves out requests a balloon never sees (net, crypto, postcopy,
 * inflight, shared objects, device state): those are -ENOSYS.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "vhost-user/vhost.h"

static const char *const names[PGR_VHOST_REQUEST_MAX] = {
	[PGR_VHOST_GET_FEATURES] = "GET_FEATURES",
	[PGR_VHOST_SET_FEATURES] = "SET_FEATURES",
	[PGR_VHOST_SET_OWNER] = "SET_OWNER",
	[PGR_VHOST_RESET_OWNER] = "RESET_OWNER",
	[PGR_VHOST_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[PGR_VHOST_SET_LOG_BASE] = "SET_LOG_BASE",
	[PGR_VHOST_SET_LOG_FD] = "SET_LOG_FD",
	[PGR_VHOST_SET_VRING_NUM] = "SET_VRING_NUM",
	[PGR_VHOST_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[PGR_VHOST_SET_VRING_BASE] = "SET_VRING_BASE",
	[PGR_VHOST_GET_VRING_BASE] = "GET_VRING_BASE",
	[PGR_VHOST_SET_VRING_KICK] = "SET_VRING_KICK",
	[PGR_VHOST_SET_VRING_CALL] = "SET_VRING_CALL",
	[PGR_VHOST_SET_VRING_ERR] = "SET_VRING_ERR",
	[PGR_VHOST_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[PGR_VHOST_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[PGR_VHOST_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[PGR_VHOST_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
	[PGR_VHOST_SET_BACKEND_REQ_FD] = "SET_BACKEND_REQ_FD",
	[PGR_VHOST_GET_CONFIG] = "GET_CONFIG",
	[PGR_VHOST_SET_CONFIG] = "SET_CONFIG",
	[PGR_VHOST_RESET_DEVICE] = "RESET_DEVICE",
	[PGR_VHOST_VRING_KICK] = "VRING_KICK",
	[PGR_VHOST_GET_MAX_MEM_SLOTS] = "GET_MAX_MEM_SLOTS",
	[PGR_VHOST_ADD_MEM_REG] = "ADD_MEM_REG",
	[PGR_VHOST_REM_MEM_REG] = "REM_MEM_REG",
	[PGR_VHOST_SET_STATUS] = "SET_STATUS",
	[PGR_VHOST_GET_STATUS] = "GET_STATUS",
};

const char *pgr__vhost_request_name(uint32_t request)
{
	if (request < PGR_VHOST_REQUEST_MAX && names[request])
		return names[request];
	return "unknown";
}

void pgr__vhost_msg_init(struct pgr_vhost_msg *m, uint32_t request,
			 uint32_t flags, uint32_t size)
{
	memset(&m->hdr, 0, sizeof(m->hdr));
	m->hdr.request = request;
	m->hdr.flags = flags;
	m->hdr.size = size;
	m->nfds = 0;
}

void pgr__vhost_msg_close_fds(struct pgr_vhost_msg *m)
{
	unsigned int i;

	for (i = 0; i < m->nfds && i < PGR_VHOST_MAX_FDS; i++)
		if (m->fds[i] >= 0)
			close(m->fds[i]);
	m->nfds = 0;
}

#define BAD(why_)                \
	do {                     \
		*r_why = (why_); \
		return -EBADMSG; \
	} while (0)

/* Payload size of a fixed-size request, or -1 for variable / unknown. */
static int fixed_size(uint32_t request)
{
	switch (request) {
	case PGR_VHOST_GET_FEATURES:
	case PGR_VHOST_SET_OWNER:
	case PGR_VHOST_RESET_OWNER:
	case PGR_VHOST_GET_PROTOCOL_FEATURES:
	case PGR_VHOST_GET_QUEUE_NUM:
	case PGR_VHOST_GET_MAX_MEM_SLOTS:
	case PGR_VHOST_RESET_DEVICE:
	case PGR_VHOST_GET_STATUS:
	case PGR_VHOST_SET_BACKEND_REQ_FD:
	case PGR_VHOST_SET_LOG_FD:
		return 0;
	case PGR_VHOST_SET_FEATURES:
	case PGR_VHOST_SET_PROTOCOL_FEATURES:
	case PGR_VHOST_SET_LOG_BASE:
	case PGR_VHOST_SET_VRING_KICK:
	case PGR_VHOST_SET_VRING_CALL:
	case PGR_VHOST_SET_VRING_ERR:
	case PGR_VHOST_SET_STATUS:
		return 8;
	case PGR_VHOST_SET_VRING_NUM:
	case PGR_VHOST_SET_VRING_BASE:
	case PGR_VHOST_GET_VRING_BASE:
	case PGR_VHOST_SET_VRING_ENABLE:
	case PGR_VHOST_VRING_KICK:
		return (int)sizeof(struct pgr_vhost_vring_state);
	case PGR_VHOST_SET_VRING_ADDR:
		return (int)sizeof(struct vhost_vring_addr);
	case PGR_VHOST_ADD_MEM_REG:
	case PGR_VHOST_REM_MEM_REG:
		return (int)sizeof(struct pgr_vhost_mem_reg);
	default:
		return -1;
	}
}

int pgr__vhost_msg_check_request(const struct pgr_vhost_msg *m,
				 const char **r_why)
{
	const struct pgr_vhost_hdr *h = &m->hdr;
	uint32_t req = h->request, size = h->size;
	unsigned int want_fds = 0, max_fds = 0;
	int fs;

	/* Is this a version-1 request with no reply bit and no unknown flag? */
	if ((h->flags & PGR_VHOST_VERSION_MASK) != PGR_VHOST_VERSION)
		BAD("bad version in header flags");
	if (h->flags &
	    ~(uint32_t)(PGR_VHOST_VERSION_MASK | PGR_VHOST_NEED_REPLY))
		BAD("unexpected header flags");
	if (size > PGR_VHOST_MAX_PAYLOAD)
		BAD("payload larger than any request");
	if (m->nfds > PGR_VHOST_MAX_FDS)
		BAD("too many fds");

	fs = fixed_size(req);
	switch (req) {
	case PGR_VHOST_SET_MEM_TABLE: {
		uint32_t n;

		if (size < 8)
			BAD("SET_MEM_TABLE shorter than its header");
		n = m->payload.memory.nregions;
		if (n == 0 || n > PGR_VHOST_MAX_REGIONS)
			BAD("SET_MEM_TABLE region count out of range");
		if (size < 8 + 32 * n)
			BAD("SET_MEM_TABLE shorter than its regions");
		want_fds = max_fds = n;
		break;
	}
	case PGR_VHOST_GET_CONFIG:
	case PGR_VHOST_SET_CONFIG:
		if (size < PGR_VHOST_CONFIG_HDR)
			BAD("config message shorter than its header");
		if (m->payload.config.size == 0 ||
		    m->payload.config.size > PGR_VHOST_MAX_CONFIG)
			BAD("config size out of range");
		if (size != PGR_VHOST_CONFIG_HDR + m->payload.config.size)
			BAD("config message size does not match its length");
		break;
	default:
		if (fs < 0) {
			*r_why = "unknown request";
			return -ENOSYS;
		}
		if (size != (uint32_t)fs)
			BAD("payload size does not match the request");
		break;
	}

	switch (req) {
	case PGR_VHOST_SET_VRING_KICK:
	case PGR_VHOST_SET_VRING_CALL:
	case PGR_VHOST_SET_VRING_ERR:
		if (m->payload.u64 & ~(uint64_t)(PGR_VHOST_VRING_IDX_MASK |
						 PGR_VHOST_VRING_NOFD))
			BAD("unknown bits in vring file index");
		want_fds = max_fds =
			(m->payload.u64 & PGR_VHOST_VRING_NOFD) ? 0 : 1;
		break;
	case PGR_VHOST_SET_BACKEND_REQ_FD:
	case PGR_VHOST_SET_LOG_FD:
	case PGR_VHOST_ADD_MEM_REG:
		want_fds = max_fds = 1;
		break;
	case PGR_VHOST_REM_MEM_REG:
		/* "SHOULD" carry no fd, but one may come: the BE closes it. */
		max_fds = 1;
		break;
	case PGR_VHOST_SET_LOG_BASE:
		max_fds = 1;
		break;
	default:
		break;
	}
	if (m->nfds < want_fds)
		BAD("missing file descriptor");
	if (m->nfds > max_fds)
		BAD("unexpected file descriptors");
	return 0;
}

int pgr__vhost_msg_check_reply(const struct pgr_vhost_msg *m, uint32_t request,
			       uint32_t size, const char **r_why)
{
	if (m->hdr.flags != (PGR_VHOST_REPLY | PGR_VHOST_VERSION))
		BAD("reply flags are not 0x5");
	if (m->hdr.request != request)
		BAD("reply to a different request");
	if (m->hdr.size != size)
		BAD("reply has the wrong size");
	if (m->nfds)
		BAD("reply carries file descriptors");
	return 0;
}

int pgr__vhost_msg_decode(const uint8_t *buf, size_t len,
			  struct pgr_vhost_msg *m)
{
	if (len < PGR_VHOST_HDR_SIZE)
		return -EAGAIN;
	memcpy(&m->hdr, buf, PGR_VHOST_HDR_SIZE);
	m->nfds = 0;
	if (m->hdr.size > PGR_VHOST_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (len - PGR_VHOST_HDR_SIZE < m->hdr.size)
		return -EAGAIN;
	memset(&m->payload, 0, sizeof(m->payload));
	memcpy(&m->payload, buf + PGR_VHOST_HDR_SIZE, m->hdr.size);
	return (int)(PGR_VHOST_HDR_SIZE + m->hdr.size);
}

int pgr__vhost_msg_encode(const struct pgr_vhost_msg *m, uint8_t *buf,
			  size_t len)
{
	if (m->hdr.size > PGR_VHOST_MAX_PAYLOAD ||
	    len < PGR_VHOST_HDR_SIZE + (size_t)m->hdr.size)
		return -ENOSPC;
	memcpy(buf, &m->hdr, PGR_VHOST_HDR_SIZE);
	memcpy(buf + PGR_VHOST_HDR_SIZE, &m->payload, m->hdr.size);
	return (int)(PGR_VHOST_HDR_SIZE + m->hdr.size);
}
