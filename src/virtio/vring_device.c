// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Split virtqueue, device side: follows libvhost-user's vu_queue_pop /
 * vu_queue_push / vu_queue_notify.  It reads each shared field once,
 * bounds every walk, and refuses chains that loop, run past the table,
 * nest indirect tables or point outside guest memory.  Only the vhost-user
 * back-end uses it, so it is built into the back-end library, not into
 * libpagereport.so (the driver side, vring.c, is).
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/vring.h"
#include "virtio/vring_access.h"

void pgr__vring_device_init(struct pgr_vring *vr, unsigned int num, void *desc,
			    void *avail, void *used, bool event_idx,
			    bool indirect, uint16_t last_avail_idx)
{
	vring_layout_init(vr, num, desc, avail, used, event_idx, indirect);
	vr->last_avail_idx = last_avail_idx;
	vr->used_idx = ld16(&vr->used->idx);
}

/* Walk one table (the ring's or an indirect one) starting at @i. */
static int walk_chain(struct pgr_vring_elem *elem, const struct vring_desc *tab,
		      unsigned int tab_n, uint16_t i, bool is_indirect,
		      struct pgr_vring *vr, pgr_vring_xlate_fn xlate,
		      void *opaque, const char **r_why)
{
	unsigned int steps = 0;

	for (;;) {
		struct vring_desc d;
		uint64_t addr;
		uint32_t len;
		uint16_t flags;
		unsigned int n;

		if (i >= tab_n) {
			*r_why = "descriptor index past the table";
			return -EBADMSG;
		}
		/* A chain can't be longer than its table: longer = a loop. */
		if (++steps > tab_n) {
			*r_why = "descriptor chain loops";
			return -EBADMSG;
		}
		memcpy(&d, &tab[i], sizeof(d)); /* read the shared entry once */
		addr = le64toh(d.addr);
		len = le32toh(d.len);
		flags = le16toh(d.flags);

		if (flags & VRING_DESC_F_INDIRECT) {
			const struct vring_desc *itab;

			if (is_indirect) {
				*r_why = "nested indirect table";
				return -EBADMSG;
			}
			if (!vr->indirect) {
				*r_why = "indirect descriptor not negotiated";
				return -EBADMSG;
			}
			if (flags & VRING_DESC_F_NEXT) {
				*r_why = "indirect descriptor with NEXT";
				return -EBADMSG;
			}
			if (len == 0 || len % 16 ||
			    len / 16 > PGR_VRING_MAX_SIZE) {
				*r_why = "bad indirect table length";
				return -EBADMSG;
			}
			itab = xlate(opaque, addr, len);
			if (!itab || ((uintptr_t)itab & 7)) {
				*r_why = "indirect table outside guest memory";
				return -EBADMSG;
			}
			return walk_chain(elem, itab, len / 16, 0, true, vr,
					  xlate, opaque, r_why);
		}

		n = elem->n_out + elem->n_in;
		if (n >= PGR_VRING_ELEM_MAX) {
			*r_why = "descriptor chain too long";
			return -EBADMSG;
		}
		if (addr + len < addr) {
			*r_why = "descriptor length overflows";
			return -EBADMSG;
		}
		elem->buf[n].addr = addr;
		elem->buf[n].len = len;
		elem->buf[n].write = flags & VRING_DESC_F_WRITE;
		elem->buf[n].hva = xlate(opaque, addr, len);
		if (!elem->buf[n].hva) {
			*r_why = "descriptor outside guest memory";
			return -EBADMSG;
		}
		if (flags & VRING_DESC_F_WRITE) {
			elem->n_in++;
		} else {
			if (elem->n_in) {
				*r_why = "readable descriptor after writable";
				return -EBADMSG;
			}
			elem->n_out++;
		}
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		i = le16toh(d.next);
	}
}

int pgr__vring_pop(struct pgr_vring *vr, pgr_vring_xlate_fn xlate, void *opaque,
		   struct pgr_vring_elem *elem, const char **r_why)
{
	uint16_t avail_idx = ld16_acq(&vr->avail->idx), head;
	const char *why = NULL;
	int err;

	if (avail_idx == vr->last_avail_idx)
		return 0;
	/* Is the driver claiming more buffers than the ring holds? */
	if ((uint16_t)(avail_idx - vr->last_avail_idx) > vr->num) {
		if (r_why)
			*r_why = "avail index moved by more than the ring size";
		return -EBADMSG;
	}
	head = ld16(&vr->avail->ring[vr->last_avail_idx & (vr->num - 1)]);
	if (head >= vr->num) {
		if (r_why)
			*r_why = "avail head past the ring";
		return -EBADMSG;
	}
	elem->head = head;
	elem->n_in = elem->n_out = 0;
	err = walk_chain(elem, vr->desc, vr->num, head, false, vr, xlate,
			 opaque, &why);
	if (err) {
		if (r_why)
			*r_why = why;
		return err;
	}
	vr->last_avail_idx++;
	if (vr->event_idx)
		st16(avail_event_p(vr), vr->last_avail_idx);
	return 1;
}

void pgr__vring_push(struct pgr_vring *vr, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e =
		&vr->used->ring[vr->used_idx & (vr->num - 1)];
	uint16_t old = vr->used_idx;

	__atomic_store_n(&e->id, htole32(head), __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, htole32(len), __ATOMIC_RELAXED);
	vr->used_idx++;
	/* The element must be visible before the index that publishes it. */
	st16_rel(&vr->used->idx, vr->used_idx);
	/* Did the index wrap past our last signal? Then always signal. */
	if ((uint16_t)(vr->used_idx - vr->signalled_used) <
	    (uint16_t)(vr->used_idx - old))
		vr->signalled_used_valid = false;
}

bool pgr__vring_need_call(struct pgr_vring *vr)
{
	uint16_t old, new;
	bool valid;

	/* Order the used->idx store before reading the driver's flags. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vr->event_idx)
		return !(ld16(&vr->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
	old = vr->signalled_used;
	valid = vr->signalled_used_valid;
	new = vr->signalled_used = vr->used_idx;
	vr->signalled_used_valid = true;
	return !valid || vring_need_event(ld16(used_event_p(vr)), new, old);
}
