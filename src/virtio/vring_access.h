/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What both halves of the split ring (vring.c, the driver; vring_device.c,
 * the device) read and write the shared ring with: little-endian 16-bit
 * loads and stores with the barriers the protocol needs (C11 atomics:
 * ringtest's smp_acquire/smp_release), the event-index fields, and the
 * layout both sides agree on.  Private to src/virtio.
 */
#ifndef PGR_VIRTIO_VRING_ACCESS_H
#define PGR_VIRTIO_VRING_ACCESS_H

#include <endian.h>
#include <string.h>

#include "virtio/vring.h"

static inline uint16_t ld16_acq(const void *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE));
}

static inline uint16_t ld16(const void *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED));
}

static inline void st16_rel(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, htole16(v), __ATOMIC_RELEASE);
}

static inline void st16(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, htole16(v), __ATOMIC_RELAXED);
}

/* used_event lives after avail->ring[num]; avail_event after used->ring[num].
 */
static inline void *used_event_p(struct pgr_vring *vr)
{
	return &vr->avail->ring[vr->num];
}

static inline void *avail_event_p(struct pgr_vring *vr)
{
	return &vr->used->ring[vr->num];
}

/* The layout both sides agree on; everything else of @vr starts at zero. */
static inline void vring_layout_init(struct pgr_vring *vr, unsigned int num,
				     void *desc, void *avail, void *used,
				     bool event_idx, bool indirect)
{
	memset(vr, 0, sizeof(*vr));
	vr->num = num;
	vr->desc = desc;
	vr->avail = avail;
	vr->used = used;
	vr->event_idx = event_idx;
	vr->indirect = indirect;
}

#endif /* PGR_VIRTIO_VRING_ACCESS_H */
