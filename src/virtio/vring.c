// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Split virtqueue, driver and device side.  The driver half follows
 * drivers/virtio/virtio_ring.c (virtqueue_add_split,
 * virtqueue_kick_prepare_split, virtqueue_get_buf_ctx_split, detach_buf_split)
 * with a private shadow of the free list so that a device scribbling on the
 * descriptor table cannot corrupt it.  The device half follows libvhost-user's
 * vu_queue_pop / vu_queue_push / vu_queue_notify: it reads each shared field
 * once, bounds every walk, and refuses chains that loop, run past the table,
 * nest indirect tables or point outside guest memory.  Barriers are C11 atomics
 * (ringtest's smp_acquire/smp_release).  Leaves out packed rings, IN_ORDER,
 * NOTIFICATION_DATA and legacy (big-endian) layouts.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
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

bool pgr__vring_size_valid(unsigned int num)
{
	return num >= 1 && num <= PGR_VRING_MAX_SIZE && !(num & (num - 1));
}

/* The layout both sides agree on; everything else of @vr starts at zero. */
static void vring_layout_init(struct pgr_vring *vr, unsigned int num,
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

/* ---- device side ------------------------------------------------------ */

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
