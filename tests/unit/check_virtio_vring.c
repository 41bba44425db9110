// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Split ring, both sides, on plain memory (one flat "guest" buffer whose
 * guest-physical address 0x100000 maps to mem[0]):
 *
 *   mem: | desc | avail | used | indirect table | data ...            |
 *
 * Expect the driver's chains to pop on the device side exactly as added
 * (direct and indirect, with and without EVENT_IDX), used heads to come
 * back to the driver, notifications to follow NO_INTERRUPT/NO_NOTIFY and
 * the event indexes, and every malformed ring (loops, indexes past the
 * table, nested or unnegotiated indirect tables, buffers outside memory,
 * wrapping lengths, avail jumps) to be refused without moving the ring.
 */
#include "config.h"

#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "virtio/vring.h"

#define GPA0 0x100000ULL
#define MEM  65536
#define QN   8

static uint8_t mem[MEM] __attribute__((aligned(4096)));
static struct pgr_vring drv, dev;
static struct pgr_vring_elem elem;

static void *xlate(void *opaque, uint64_t gpa, uint64_t len)
{
	(void)opaque;
	if (gpa < GPA0 || len > MEM || gpa - GPA0 > MEM - len)
		return NULL;
	return mem + (gpa - GPA0);
}

#define DESC_OFF  0
#define AVAIL_OFF 4096
#define USED_OFF  8192
#define ITAB_OFF  12288
#define DATA_OFF  16384

static void setup_rings(bool event_idx, bool indirect)
{
	memset(mem, 0, sizeof(mem));
	ck_assert_int_eq(pgr__vring_driver_init(&drv, QN, mem + DESC_OFF,
						mem + AVAIL_OFF, mem + USED_OFF,
						event_idx, indirect),
			 0);
	pgr__vring_device_init(&dev, QN, mem + DESC_OFF, mem + AVAIL_OFF,
			       mem + USED_OFF, event_idx, indirect, 0);
}

static void teardown_rings(void)
{
	pgr__vring_driver_fini(&drv);
}

static struct pgr_vring_buf buf(unsigned int i, uint32_t len, bool w)
{
	return (struct pgr_vring_buf){ GPA0 + DATA_OFF + i * 4096ULL, len, w,
				       NULL };
}

/* Loop over (event_idx, indirect) combinations. */
START_TEST(test_vring_roundtrip)
{
	bool event_idx = _i & 1, indirect = _i & 2;
	struct pgr_vring_buf b[4];
	const char *why = NULL;
	unsigned int round, i;
	uint32_t len;
	int head;

	setup_rings(event_idx, indirect);
	for (round = 0; round < 40; round++) { /* wraps the 8-entry ring */
		unsigned int n = 1 + round % 4;

		for (i = 0; i < n; i++)
			b[i] = buf(i, 4096, i >= n / 2);
		head = pgr__vring_add(&drv, b, n,
				      (struct vring_desc *)(mem + ITAB_OFF),
				      GPA0 + ITAB_OFF);
		ck_assert_int_ge(head, 0);
		if (round == 0)
			ck_assert(pgr__vring_kick_prepare(&drv));
		ck_assert_int_eq(pgr__vring_pop(&dev, xlate, NULL, &elem, &why),
				 1);
		ck_assert_int_eq(elem.head, head);
		ck_assert_uint_eq(elem.n_out + elem.n_in, n);
		ck_assert_uint_eq(elem.n_out, n / 2);
		for (i = 0; i < n; i++) {
			ck_assert_uint_eq(elem.buf[i].addr, b[i].addr);
			ck_assert_uint_eq(elem.buf[i].len, 4096);
			ck_assert_ptr_eq(elem.buf[i].hva,
					 mem + DATA_OFF + i * 4096);
		}
		ck_assert_int_eq(pgr__vring_pop(&dev, xlate, NULL, &elem, &why),
				 0);
		ck_assert_int_eq(pgr__vring_get_buf(&drv, &len), -EAGAIN);
		pgr__vring_push(&dev, (uint16_t)head, 77);
		if (round == 0)
			ck_assert(pgr__vring_need_call(&dev));
		ck_assert_int_eq(pgr__vring_get_buf(&drv, &len), head);
		ck_assert_uint_eq(len, 77);
	}
	ck_assert_uint_eq(drv.num_free, QN);
	teardown_rings();
}
END_TEST

START_TEST(test_vring_full_ring)
{
	struct pgr_vring_buf b = buf(0, 8, true);
	unsigned int i;

	setup_rings(false, false);
	for (i = 0; i < QN; i++)
		ck_assert_int_ge(pgr__vring_add(&drv, &b, 1, NULL, 0), 0);
	ck_assert_int_eq(pgr__vring_add(&drv, &b, 1, NULL, 0), -ENOSPC);
	teardown_rings();
}
END_TEST

START_TEST(test_vring_notify_suppression)
{
	struct pgr_vring_buf b = buf(0, 8, true);
	int head;

	setup_rings(false, false);
	/* The device says NO_NOTIFY: no kick; the driver NO_INTERRUPT: no call.
	 */
	drv.used->flags = htole16(VRING_USED_F_NO_NOTIFY);
	drv.avail->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT);
	head = pgr__vring_add(&drv, &b, 1, NULL, 0);
	ck_assert(!pgr__vring_kick_prepare(&drv));
	ck_assert_int_eq(pgr__vring_pop(&dev, xlate, NULL, &elem, NULL), 1);
	pgr__vring_push(&dev, (uint16_t)head, 0);
	ck_assert(!pgr__vring_need_call(&dev));
	teardown_rings();
}
END_TEST

START_TEST(test_vring_event_idx)
{
	struct pgr_vring_buf b = buf(0, 8, true);
	int h1, h2;

	setup_rings(true, false);
	h1 = pgr__vring_add(&drv, &b, 1, NULL, 0);
	ck_assert(pgr__vring_kick_prepare(&drv)); /* avail_event 0 */
	ck_assert_int_eq(pgr__vring_pop(&dev, xlate, NULL, &elem, NULL), 1);
	/* The device asked for a kick at avail idx 1: the next add needs one.
	 */
	h2 = pgr__vring_add(&drv, &b, 1, NULL, 0);
	ck_assert(pgr__vring_kick_prepare(&drv));
	ck_assert_int_eq(pgr__vring_pop(&dev, xlate, NULL, &elem, NULL), 1);
	pgr__vring_push(&dev, (uint16_t)h1, 0);
	ck_assert(pgr__vring_need_call(&dev)); /* used_event 0 */
	/* The driver has not consumed: used_event stays 0, no second call. */
	pgr__vring_push(&dev, (uint16_t)h2, 0);
	ck_assert(!pgr__vring_need_call(&dev));
	ck_assert_int_eq(pgr__vring_get_buf(&drv, NULL), h1);
	ck_assert_int_eq(pgr__vring_get_buf(&drv, NULL), h2);
	teardown_rings();
}
END_TEST

START_TEST(test_vring_driver_rejects_unknown_used_head)
{
	setup_rings(false, false);
	drv.used->ring[0].id = htole32(3); /* never given out */
	drv.used->idx = htole16(1);
	ck_assert_int_eq(pgr__vring_get_buf(&drv, NULL), -EPROTO);
	drv.used->ring[0].id = htole32(999);
	ck_assert_int_eq(pgr__vring_get_buf(&drv, NULL), -EPROTO);
	teardown_rings();
}
END_TEST

/* ---- hostile rings, written by hand --------------------------------- */

static struct vring_desc *D(unsigned int i)
{
	return (struct vring_desc *)(mem + DESC_OFF) + i;
}

static void put_desc(struct vring_desc *d, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	d->addr = htole64(addr);
	d->len = htole32(len);
	d->flags = htole16(flags);
	d->next = htole16(next);
}

static void publish(uint16_t head)
{
	struct vring_avail *a = (struct vring_avail *)(mem + AVAIL_OFF);

	a->ring[le16toh(a->idx) % QN] = htole16(head);
	a->idx = htole16((uint16_t)(le16toh(a->idx) + 1));
}

static void expect_bad(const char *what)
{
	const char *why = NULL;
	uint16_t before = dev.last_avail_idx;

	ck_assert_int_eq(pgr__vring_pop(&dev, xlate, NULL, &elem, &why),
			 -EBADMSG);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, what), "got '%s', wanted '%s'", why, what);
	ck_assert_uint_eq(dev.last_avail_idx, before);
}

static void hostile_setup(bool indirect)
{
	memset(mem, 0, sizeof(mem));
	pgr__vring_device_init(&dev, QN, mem + DESC_OFF, mem + AVAIL_OFF,
			       mem + USED_OFF, false, indirect, 0);
}

START_TEST(test_vring_hostile_loop)
{
	hostile_setup(false);
	put_desc(D(0), GPA0 + DATA_OFF, 8, VRING_DESC_F_NEXT, 1);
	put_desc(D(1), GPA0 + DATA_OFF, 8, VRING_DESC_F_NEXT, 0);
	publish(0);
	expect_bad("loops");
}
END_TEST

START_TEST(test_vring_hostile_next_past_table)
{
	hostile_setup(false);
	put_desc(D(0), GPA0 + DATA_OFF, 8, VRING_DESC_F_NEXT, QN);
	publish(0);
	expect_bad("past the table");
}
END_TEST

START_TEST(test_vring_hostile_head_past_ring)
{
	hostile_setup(false);
	publish(QN + 3);
	expect_bad("head past the ring");
}
END_TEST

START_TEST(test_vring_hostile_avail_jump)
{
	struct vring_avail *a = (struct vring_avail *)(mem + AVAIL_OFF);

	hostile_setup(false);
	a->idx = htole16(QN + 1);
	expect_bad("more than the ring size");
}
END_TEST

START_TEST(test_vring_hostile_outside_memory)
{
	hostile_setup(false);
	put_desc(D(0), GPA0 + MEM - 8, 16, VRING_DESC_F_WRITE,
		 0); /* straddles */
	publish(0);
	expect_bad("outside guest memory");
	hostile_setup(false);
	put_desc(D(0), 0x1000, 16, VRING_DESC_F_WRITE, 0);
	publish(0);
	expect_bad("outside guest memory");
}
END_TEST

START_TEST(test_vring_hostile_len_overflow)
{
	hostile_setup(false);
	put_desc(D(0), UINT64_MAX - 4, 4096, VRING_DESC_F_WRITE, 0);
	publish(0);
	expect_bad("overflows");
}
END_TEST

START_TEST(test_vring_hostile_read_after_write)
{
	hostile_setup(false);
	put_desc(D(0), GPA0 + DATA_OFF, 8,
		 VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put_desc(D(1), GPA0 + DATA_OFF, 8, 0, 0);
	publish(0);
	expect_bad("readable descriptor after writable");
}
END_TEST

START_TEST(test_vring_hostile_indirect)
{
	struct vring_desc *it = (struct vring_desc *)(mem + ITAB_OFF);

	hostile_setup(false);
	put_desc(D(0), GPA0 + ITAB_OFF, 32, VRING_DESC_F_INDIRECT, 0);
	publish(0);
	expect_bad("not negotiated");

	hostile_setup(true);
	put_desc(D(0), GPA0 + ITAB_OFF, 33, VRING_DESC_F_INDIRECT, 0);
	publish(0);
	expect_bad("bad indirect table length");

	hostile_setup(true);
	put_desc(D(0), GPA0 + ITAB_OFF, 32,
		 VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	publish(0);
	expect_bad("with NEXT");

	hostile_setup(true);
	put_desc(D(0), GPA0 + ITAB_OFF, 32, VRING_DESC_F_INDIRECT, 0);
	put_desc(&it[0], GPA0 + ITAB_OFF, 16, VRING_DESC_F_INDIRECT, 0);
	publish(0);
	expect_bad("nested");

	hostile_setup(true);
	put_desc(D(0), GPA0 + ITAB_OFF, 32, VRING_DESC_F_INDIRECT, 0);
	put_desc(&it[0], GPA0 + DATA_OFF, 8, VRING_DESC_F_NEXT, 1);
	put_desc(&it[1], GPA0 + DATA_OFF, 8, VRING_DESC_F_NEXT, 0);
	publish(0);
	expect_bad("loops");

	hostile_setup(true);
	put_desc(D(0), GPA0 + MEM - 16, 32, VRING_DESC_F_INDIRECT, 0);
	publish(0);
	expect_bad("indirect table outside");
}
END_TEST

START_TEST(test_vring_hostile_chain_too_long)
{
	struct vring_desc *it = (struct vring_desc *)(mem + ITAB_OFF);
	unsigned int i, n = PGR_VRING_ELEM_MAX + 1;

	hostile_setup(true);
	put_desc(D(0), GPA0 + ITAB_OFF, 16 * n, VRING_DESC_F_INDIRECT, 0);
	for (i = 0; i < n; i++)
		put_desc(&it[i], GPA0 + DATA_OFF, 8,
			 VRING_DESC_F_WRITE |
				 (i + 1 < n ? VRING_DESC_F_NEXT : 0),
			 (uint16_t)(i + 1));
	publish(0);
	expect_bad("too long");
}
END_TEST

static Suite *vring_suite(void)
{
	Suite *s = suite_create("virtio_vring");
	TCase *tc = tcase_create("driver_device");
	TCase *th = tcase_create("hostile");

	tcase_add_loop_test(tc, test_vring_roundtrip, 0, 4);
	tcase_add_test(tc, test_vring_full_ring);
	tcase_add_test(tc, test_vring_notify_suppression);
	tcase_add_test(tc, test_vring_event_idx);
	tcase_add_test(tc, test_vring_driver_rejects_unknown_used_head);
	tcase_set_timeout(tc, 10);
	tcase_add_test(th, test_vring_hostile_loop);
	tcase_add_test(th, test_vring_hostile_next_past_table);
	tcase_add_test(th, test_vring_hostile_head_past_ring);
	tcase_add_test(th, test_vring_hostile_avail_jump);
	tcase_add_test(th, test_vring_hostile_outside_memory);
	tcase_add_test(th, test_vring_hostile_len_overflow);
	tcase_add_test(th, test_vring_hostile_read_after_write);
	tcase_add_test(th, test_vring_hostile_indirect);
	tcase_add_test(th, test_vring_hostile_chain_too_long);
	tcase_set_timeout(th, 10);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, th);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vring_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
