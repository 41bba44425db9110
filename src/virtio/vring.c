// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Split virtqueue, driver side (the device side is vring_device.c, built
 * into the back-end library).  It follows drivers/virtio/virtio_ring.c
 * (virtqueue_add_split, virtqueue_kick_prepare_split,
 * virtqueue_get_buf_ctx_split, detach_buf_split) with a private shadow of
 * the free list so that a device scribbling on the descriptor table cannot
 * corrupt it.  Barriers are C11 atomics (vring_access.h).  Leaves out packed
 * rings, IN_ORDER, NOTIFICATION_DATA and legacy (big-endian) layouts.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/vring.h"
#include "virtio/vring_access.h"

bool pgr__vring_size_valid(unsigned int num)
{
	return num >= 1 && num <= PGR_VRING_MAX_SIZE && !(num & (num - 1));
}

/* ---- driver side ------------------------------------------------------ */

int pgr__vring_driver_init(struct pgr_vring *vr, unsigned int num, void *desc,
			   void *avail, void *used, bool event_idx,
			   bool indirect)
{
	unsigned int i;

	if (!pgr__vring_size_valid(num) || !desc || !avail || !used)
		return -EINVAL;
	vring_layout_init(vr, num, desc, avail, used, event_idx, indirect);
	vr->chain_len = calloc(num, sizeof(*vr->chain_len));
	vr->next_shadow = calloc(num, sizeof(*vr->next_shadow));
	if (!vr->chain_len || !vr->next_shadow) {
		free(vr->chain_len);
		free(vr->next_shadow);
		memset(vr, 0, sizeof(*vr));
		return -ENOMEM;
	}
	memset(desc, 0, pgr__vring_desc_bytes(num));
	memset(avail, 0, pgr__vring_avail_bytes(num));
	memset(used, 0, pgr__vring_used_bytes(num));
	for (i = 0; i < num; i++)
		vr->next_shadow[i] = (uint16_t)(i + 1);
	vr->free_head = 0;
	vr->num_free = (uint16_t)num;
	return 0;
}

void pgr__vring_driver_fini(struct pgr_vring *vr)
{
	free(vr->chain_len);
	free(vr->next_shadow);
	vr->chain_len = vr->next_shadow = NULL;
}

static void fill_desc(struct vring_desc *d, const struct pgr_vring_buf *b,
		      uint16_t flags, uint16_t next)
{
	d->addr = htole64(b->addr);
	d->len = htole32(b->len);
	d->flags = htole16(
		(uint16_t)(flags | (b->write ? VRING_DESC_F_WRITE : 0)));
	d->next = htole16(next);
}

int pgr__vring_add(struct pgr_vring *vr, const struct pgr_vring_buf *bufs,
		   unsigned int n, struct vring_desc *itab, uint64_t itab_gpa)
{
	bool use_indirect = vr->indirect && itab && n > 1;
	unsigned int need = use_indirect ? 1 : n, i;
	uint16_t head, idx, prev = 0;

	if (n == 0 || n > vr->num)
		return -EINVAL;
	if (need > vr->num_free)
		return -ENOSPC;

	head = vr->free_head;
	if (use_indirect) {
		struct pgr_vring_buf ib = { .addr = itab_gpa,
					    .len = (uint32_t)(16 * n) };

		for (i = 0; i < n; i++)
			fill_desc(&itab[i], &bufs[i],
				  i + 1 < n ? VRING_DESC_F_NEXT : 0,
				  (uint16_t)(i + 1 < n ? i + 1 : 0));
		fill_desc(&vr->desc[head], &ib, VRING_DESC_F_INDIRECT, 0);
		vr->free_head = vr->next_shadow[head];
	} else {
		idx = head;
		for (i = 0; i < n; i++) {
			prev = idx;
			fill_desc(&vr->desc[idx], &bufs[i],
				  i + 1 < n ? VRING_DESC_F_NEXT : 0,
				  vr->next_shadow[idx]);
			idx = vr->next_shadow[idx];
		}
		vr->desc[prev].flags &= htole16((uint16_t)~VRING_DESC_F_NEXT);
		vr->free_head = idx;
	}
	vr->num_free = (uint16_t)(vr->num_free - need);
	vr->chain_len[head] = (uint16_t)need;

	vr->avail->ring[vr->avail_idx & (vr->num - 1)] = htole16(head);
	/* The entry must be visible before the index that publishes it. */
	vr->avail_idx++;
	st16_rel(&vr->avail->idx, vr->avail_idx);
	return head;
}

bool pgr__vring_kick_prepare(struct pgr_vring *vr)
{
	uint16_t old = vr->kicked_idx, new = vr->avail_idx;
	bool need;

	/* Order our avail->idx store before reading the device's flags. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vr->event_idx)
		need = vring_need_event(ld16(avail_event_p(vr)), new, old);
	else
		need = !(ld16(&vr->used->flags) & VRING_USED_F_NO_NOTIFY);
	vr->kicked_idx = new;
	return need;
}

int pgr__vring_get_buf(struct pgr_vring *vr, uint32_t *r_len)
{
	struct vring_used_elem e;
	uint16_t used_idx = ld16_acq(&vr->used->idx), head, next, i;
	uint32_t id;

	if (used_idx == vr->last_used_idx)
		return -EAGAIN;
	e = vr->used->ring[vr->last_used_idx & (vr->num - 1)];
	id = le32toh(e.id);
	/* Did the device hand back a head we gave it? */
	if (id >= vr->num || vr->chain_len[id] == 0)
		return -EPROTO;
	head = (uint16_t)id;
	/* detach_buf_split(): return the chain to the free list (shadow). */
	next = head;
	for (i = 1; i < vr->chain_len[head]; i++)
		next = vr->next_shadow[next];
	vr->next_shadow[next] = vr->free_head;
	vr->free_head = head;
	vr->num_free = (uint16_t)(vr->num_free + vr->chain_len[head]);
	vr->chain_len[head] = 0;
	vr->last_used_idx++;
	if (vr->event_idx)
		st16(used_event_p(vr), vr->last_used_idx);
	if (r_len)
		*r_len = le32toh(e.len);
	return head;
}
