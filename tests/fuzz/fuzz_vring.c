// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the split-ring walkers on hostile memory.
 * Input = [u8 flags][u8 log2 num][memory image, up to 64 KiB at gpa 0x10000].
 * Device side: the ring (desc at 0, avail at 0x1000, used at 0x2000 of the
 * image) is popped until empty or refused; every popped buffer must lie
 * inside the image.  Driver side: a ring with some buffers in flight gets
 * its used ring overwritten from the input, and get_buf must only ever
 * return heads it handed out.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/vring.h"

#define GPA0 0x10000ULL
#define IMG  65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t img[IMG] __attribute__((aligned(4096)));

static void *xlate(void *opaque, uint64_t gpa, uint64_t len)
{
	(void)opaque;
	if (gpa < GPA0 || len > IMG || gpa - GPA0 > IMG - len)
		return NULL;
	return img + (gpa - GPA0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pgr_vring_elem elem;
	struct pgr_vring vr;
	unsigned int num, i, rounds = 0;
	bool ev, ind;
	const char *why;
	int r;

	if (size < 2)
		return 0;
	ev = data[0] & 1;
	ind = data[0] & 2;
	num = 1u << (data[1] % 9); /* 1..256: fits the 4 KiB slots */
	memset(img, 0, sizeof(img));
	memcpy(img, data + 2, size - 2 > IMG ? IMG : size - 2);

	if (!(data[0] & 4)) {
		pgr__vring_device_init(&vr, num, img, img + 0x1000,
				       img + 0x2000, ev, ind,
				       (uint16_t)(data[0] >> 3));
		while ((r = pgr__vring_pop(&vr, xlate, NULL, &elem, &why)) >
		       0) {
			for (i = 0; i < elem.n_in + elem.n_out; i++) {
				const uint8_t *p = elem.buf[i].hva;

				if (p < img || p + elem.buf[i].len > img + IMG)
					abort();
			}
			pgr__vring_push(&vr, elem.head, 0);
			pgr__vring_need_call(&vr);
			if (++rounds > 70000)
				abort(); /* pop must stop after one wrap */
		}
		return 0;
	}

	/* Driver side against a hostile used ring. */
	{
		uint8_t dmem[3 * 4096] __attribute__((aligned(16)));
		struct pgr_vring_buf b = { GPA0, 64, true, NULL };
		bool given[256] = { false };
		int h;

		if (pgr__vring_driver_init(&vr, num, dmem, dmem + 4096,
					   dmem + 8192, ev, ind))
			return 0;
		for (i = 0; i < num / 2 + 1 && i < num; i++) {
			h = pgr__vring_add(&vr, &b, 1, NULL, 0);
			if (h < 0)
				abort();
			given[h] = true;
		}
		memcpy(dmem + 8192, img, pgr__vring_used_bytes(num));
		while ((h = pgr__vring_get_buf(&vr, NULL)) >= 0) {
			if (!given[h])
				abort();
			given[h] = false;
		}
		if (vr.num_free > num)
			abort();
		pgr__vring_driver_fini(&vr);
	}
	return 0;
}
