/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Split virtqueues (virtio 1.x, VERSION_1 little-endian layout) for both
 * sides: the driver side models drivers/virtio/virtio_ring.c
 * (virtqueue_add_inbuf, virtqueue_kick_prepare, virtqueue_get_buf) and the
 * device side models the vhost/libvhost-user consumer (vu_queue_pop,
 * vu_queue_push, vu_queue_notify).  Layout and flags come from the system
 * <linux/virtio_ring.h>.  Indirect descriptors and EVENT_IDX are handled
 * when negotiated; packed rings, IN_ORDER and NOTIFICATION_DATA are not.
 *
 * The device side treats every byte of ring memory as hostile: each field
 * is read once, every index and length is checked, chains are bounded, and
 * every buffer address goes through the caller's translator.
 */
#ifndef PGR_VIRTIO_VRING_H
#define PGR_VIRTIO_VRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_ring.h>

#define PGR_VRING_MAX_SIZE 32768
/* Longest chain the device side accepts (direct or indirect). */
#define PGR_VRING_ELEM_MAX 256

struct pgr_vring {
	unsigned int num; /* power of two, 1..32768 */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	bool event_idx; /* VIRTIO_RING_F_EVENT_IDX */
	bool indirect;	/* VIRTIO_RING_F_INDIRECT_DESC */

	/* driver side */
	uint16_t free_head, num_free;
	uint16_t avail_idx;  /* shadow of avail->idx */
	uint16_t kicked_idx; /* avail_idx at the last kick check */
	uint16_t last_used_idx;
	uint16_t *chain_len;   /* per head: descriptors used (0 = free) */
	uint16_t *next_shadow; /* our own copy of desc[i].next */

	/* device side */
	uint16_t last_avail_idx;
	uint16_t used_idx; /* shadow of used->idx */
	uint16_t signalled_used;
	bool signalled_used_valid;
};

/* One buffer of a chain (driver input / device output). */
struct pgr_vring_buf {
	uint64_t addr; /* guest-physical */
	uint32_t len;
	bool write; /* device-writable (VRING_DESC_F_WRITE) */
	void *hva;  /* device side: translated address */
};

struct pgr_vring_elem {
	uint16_t head;
	unsigned int n_out, n_in; /* readable first, then writable */
	struct pgr_vring_buf buf[PGR_VRING_ELEM_MAX];
};

/* Bytes of each part for @num entries (EVENT_IDX fields included). */
static inline size_t pgr__vring_desc_bytes(unsigned int num)
{
	return (size_t)16 * num;
}
static inline size_t pgr__vring_avail_bytes(unsigned int num)
{
	return 6 + (size_t)2 * num;
}
static inline size_t pgr__vring_used_bytes(unsigned int num)
{
	return 6 + (size_t)8 * num;
}

bool pgr__vring_size_valid(unsigned int num);

/*
 * Driver side.  init zeroes the three parts and allocates the shadow state;
 * fini frees it.
 */
int pgr__vring_driver_init(struct pgr_vring *vr, unsigned int num, void *desc,
			   void *avail, void *used, bool event_idx,
			   bool indirect);
void pgr__vring_driver_fini(struct pgr_vring *vr);

/*
 * virtqueue_add(): place @n buffers as one chain.  With indirect
 * negotiated, n > 1 and @itab (a table of >= n descriptors at guest address
 * @itab_gpa) given, the chain goes into the table and takes one slot.
 * Return: the head id, -ENOSPC when the ring is full, -EINVAL.
 */
int pgr__vring_add(struct pgr_vring *vr, const struct pgr_vring_buf *bufs,
		   unsigned int n, struct vring_desc *itab, uint64_t itab_gpa);
/* virtqueue_kick_prepare(): publish and say whether the device wants a kick. */
bool pgr__vring_kick_prepare(struct pgr_vring *vr);
/*
 * virtqueue_get_buf(): the next used head (>= 0) with *r_len, -EAGAIN when
 * nothing is used, -EPROTO when the device used a head we never gave it.
 */
int pgr__vring_get_buf(struct pgr_vring *vr, uint32_t *r_len);

/*
 * Device side.  @xlate maps [gpa, gpa + len) to a host pointer, or NULL
 * when the range is not inside one memory region.
 */
typedef void *(*pgr_vring_xlate_fn)(void *opaque, uint64_t gpa, uint64_t len);

void pgr__vring_device_init(struct pgr_vring *vr, unsigned int num, void *desc,
			    void *avail, void *used, bool event_idx,
			    bool indirect, uint16_t last_avail_idx);
/*
 * vu_queue_pop(): Return: 1 with @elem filled, 0 when the ring is empty,
 * -EBADMSG for a malformed ring (with *r_why), in which case nothing moved.
 */
int pgr__vring_pop(struct pgr_vring *vr, pgr_vring_xlate_fn xlate, void *opaque,
		   struct pgr_vring_elem *elem, const char **r_why);
/* vu_queue_push() for one element: used entry then used->idx (release). */
void pgr__vring_push(struct pgr_vring *vr, uint16_t head, uint32_t len);
/* vring_need_event()/NO_INTERRUPT: should the device signal now? */
bool pgr__vring_need_call(struct pgr_vring *vr);

#endif /* PGR_VIRTIO_VRING_H */
