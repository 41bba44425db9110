// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The vhost-user codec (src/vhost-user/msg.c): every request's payload size
 * and fd count, header flags, memory-table and config bounds, reply checks,
 * and the byte codec.  Expect well-formed messages to pass and every
 * malformed one to be refused with a reason, without touching anything.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "vhost-user/vhost.h"

static struct pgr_vhost_msg m;
static const char *why;

static int check(uint32_t req, uint32_t flags, uint32_t size, unsigned nfds)
{
	m.hdr.request = req;
	m.hdr.flags = flags;
	m.hdr.size = size;
	m.nfds = nfds;
	why = NULL;
	return pgr__vhost_msg_check_request(&m, &why);
}

static void test_vhost_msg_fixed_sizes(void **state)
{
	static const struct {
		uint32_t req, size;
	} ok[] = {
		{ PGR_VHOST_GET_FEATURES, 0 },
		{ PGR_VHOST_SET_FEATURES, 8 },
		{ PGR_VHOST_SET_OWNER, 0 },
		{ PGR_VHOST_GET_PROTOCOL_FEATURES, 0 },
		{ PGR_VHOST_SET_PROTOCOL_FEATURES, 8 },
		{ PGR_VHOST_SET_VRING_NUM, 8 },
		{ PGR_VHOST_SET_VRING_BASE, 8 },
		{ PGR_VHOST_GET_VRING_BASE, 8 },
		{ PGR_VHOST_SET_VRING_ENABLE, 8 },
		{ PGR_VHOST_SET_VRING_ADDR, 40 },
		{ PGR_VHOST_GET_MAX_MEM_SLOTS, 0 },
		{ PGR_VHOST_REM_MEM_REG, 40 },
	};
	size_t i;

	(void)state;
	memset(&m, 0, sizeof(m));
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(check(ok[i].req, 1, ok[i].size, 0), 0);
		assert_int_equal(check(ok[i].req, 1 | PGR_VHOST_NEED_REPLY,
				       ok[i].size, 0),
				 0);
		assert_int_equal(check(ok[i].req, 1, ok[i].size + 1, 0),
				 -EBADMSG);
		if (ok[i].size)
			assert_int_equal(check(ok[i].req, 1, ok[i].size - 1, 0),
					 -EBADMSG);
		/* No request here takes an fd. */
		assert_int_equal(
			check(ok[i].req, 1, ok[i].size,
			      ok[i].req == PGR_VHOST_REM_MEM_REG ? 2 : 1),
			-EBADMSG);
	}
}

static void test_vhost_msg_header_flags(void **state)
{
	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(check(PGR_VHOST_GET_FEATURES, 0, 0, 0), -EBADMSG);
	assert_int_equal(check(PGR_VHOST_GET_FEATURES, 2, 0, 0), -EBADMSG);
	assert_int_equal(
		check(PGR_VHOST_GET_FEATURES, 1 | PGR_VHOST_REPLY, 0, 0),
		-EBADMSG);
	assert_int_equal(check(PGR_VHOST_GET_FEATURES, 1 | 0x100, 0, 0),
			 -EBADMSG);
	assert_int_equal(check(PGR_VHOST_GET_FEATURES, 1,
			       (uint32_t)PGR_VHOST_MAX_PAYLOAD + 1, 0),
			 -EBADMSG);
	assert_int_equal(check(PGR_VHOST_GET_FEATURES, 1, 0, 9), -EBADMSG);
}

static void test_vhost_msg_unknown_request(void **state)
{
	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(check(0, 1, 0, 0), -ENOSYS);
	assert_int_equal(check(99, 1, 0, 0), -ENOSYS);
	assert_int_equal(check(PGR_VHOST_SET_LOG_BASE + 100, 1, 8, 0), -ENOSYS);
	assert_string_equal(pgr__vhost_request_name(12345), "unknown");
	assert_string_equal(pgr__vhost_request_name(PGR_VHOST_ADD_MEM_REG),
			    "ADD_MEM_REG");
}

static void test_vhost_msg_mem_table(void **state)
{
	(void)state;
	memset(&m, 0, sizeof(m));
	m.payload.memory.nregions = 2;
	assert_int_equal(check(PGR_VHOST_SET_MEM_TABLE, 1, 8 + 64, 2), 0);
	/* QEMU may send the full 8-region table: longer is fine. */
	assert_int_equal(check(PGR_VHOST_SET_MEM_TABLE, 1, 8 + 256, 2), 0);
	assert_int_equal(check(PGR_VHOST_SET_MEM_TABLE, 1, 8 + 63, 2),
			 -EBADMSG);
	assert_int_equal(check(PGR_VHOST_SET_MEM_TABLE, 1, 8 + 64, 1),
			 -EBADMSG);
	assert_int_equal(check(PGR_VHOST_SET_MEM_TABLE, 1, 8 + 64, 3),
			 -EBADMSG);
	assert_int_equal(check(PGR_VHOST_SET_MEM_TABLE, 1, 4, 0), -EBADMSG);
	m.payload.memory.nregions = 0;
	assert_int_equal(check(PGR_VHOST_SET_MEM_TABLE, 1, 8, 0), -EBADMSG);
	m.payload.memory.nregions = 9;
	assert_int_equal(check(PGR_VHOST_SET_MEM_TABLE, 1, 8 + 256, 8),
			 -EBADMSG);
	m.payload.memory.nregions = 0xffffffffu;
	assert_int_equal(check(PGR_VHOST_SET_MEM_TABLE, 1, 8 + 256, 8),
			 -EBADMSG);
	assert_non_null(why);
}

static void test_vhost_msg_add_mem_reg_and_fds(void **state)
{
	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(check(PGR_VHOST_ADD_MEM_REG, 1, 40, 1), 0);
	assert_int_equal(check(PGR_VHOST_ADD_MEM_REG, 1, 40, 0), -EBADMSG);
	assert_int_equal(check(PGR_VHOST_SET_BACKEND_REQ_FD, 1, 0, 1), 0);
	assert_int_equal(check(PGR_VHOST_SET_BACKEND_REQ_FD, 1, 0, 0),
			 -EBADMSG);
	assert_int_equal(check(PGR_VHOST_REM_MEM_REG, 1, 40, 1), 0);
}

static void test_vhost_msg_vring_file(void **state)
{
	(void)state;
	memset(&m, 0, sizeof(m));
	m.payload.u64 = 2;
	assert_int_equal(check(PGR_VHOST_SET_VRING_KICK, 1, 8, 1), 0);
	assert_int_equal(check(PGR_VHOST_SET_VRING_KICK, 1, 8, 0), -EBADMSG);
	m.payload.u64 = 2 | PGR_VHOST_VRING_NOFD;
	assert_int_equal(check(PGR_VHOST_SET_VRING_CALL, 1, 8, 0), 0);
	assert_int_equal(check(PGR_VHOST_SET_VRING_CALL, 1, 8, 1), -EBADMSG);
	m.payload.u64 = 0x200;
	assert_int_equal(check(PGR_VHOST_SET_VRING_ERR, 1, 8, 1), -EBADMSG);
}

static void test_vhost_msg_config(void **state)
{
	(void)state;
	memset(&m, 0, sizeof(m));
	m.payload.config.size = 16;
	assert_int_equal(check(PGR_VHOST_GET_CONFIG, 1, 12 + 16, 0), 0);
	assert_int_equal(check(PGR_VHOST_SET_CONFIG, 1, 12 + 16, 0), 0);
	assert_int_equal(check(PGR_VHOST_GET_CONFIG, 1, 12 + 15, 0), -EBADMSG);
	assert_int_equal(check(PGR_VHOST_GET_CONFIG, 1, 8, 0), -EBADMSG);
	m.payload.config.size = 0;
	assert_int_equal(check(PGR_VHOST_GET_CONFIG, 1, 12, 0), -EBADMSG);
	m.payload.config.size = 257;
	assert_int_equal(check(PGR_VHOST_SET_CONFIG, 1, 12 + 257, 0), -EBADMSG);
}

static void test_vhost_msg_reply(void **state)
{
	(void)state;
	memset(&m, 0, sizeof(m));
	m.hdr.request = PGR_VHOST_GET_FEATURES;
	m.hdr.flags = 5;
	m.hdr.size = 8;
	assert_int_equal(pgr__vhost_msg_check_reply(&m, 1, 8, &why), 0);
	assert_int_equal(pgr__vhost_msg_check_reply(&m, 15, 8, &why), -EBADMSG);
	assert_int_equal(pgr__vhost_msg_check_reply(&m, 1, 16, &why), -EBADMSG);
	m.hdr.flags = 5 | PGR_VHOST_NEED_REPLY; /* QEMU refuses an echo */
	assert_int_equal(pgr__vhost_msg_check_reply(&m, 1, 8, &why), -EBADMSG);
	m.hdr.flags = 5;
	m.nfds = 1;
	assert_int_equal(pgr__vhost_msg_check_reply(&m, 1, 8, &why), -EBADMSG);
}

static void test_vhost_msg_codec(void **state)
{
	uint8_t buf[512];
	struct pgr_vhost_msg out;
	int n;

	(void)state;
	pgr__vhost_msg_init(&m, PGR_VHOST_SET_VRING_NUM, 1, 8);
	m.payload.state.index = 2;
	m.payload.state.num = 32;
	n = pgr__vhost_msg_encode(&m, buf, sizeof(buf));
	assert_int_equal(n, 20);
	assert_int_equal(pgr__vhost_msg_encode(&m, buf, 19), -ENOSPC);
	assert_int_equal(pgr__vhost_msg_decode(buf, 19, &out), -EAGAIN);
	assert_int_equal(pgr__vhost_msg_decode(buf, 11, &out), -EAGAIN);
	assert_int_equal(pgr__vhost_msg_decode(buf, 20, &out), 20);
	assert_int_equal(out.hdr.request, PGR_VHOST_SET_VRING_NUM);
	assert_int_equal(out.payload.state.index, 2);
	assert_int_equal(out.payload.state.num, 32);
	assert_int_equal(pgr__vhost_msg_check_request(&out, &why), 0);
	memset(buf + 8, 0xff, 4); /* size = 4 GiB */
	assert_int_equal(pgr__vhost_msg_decode(buf, sizeof(buf), &out),
			 -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vhost_msg_fixed_sizes),
		cmocka_unit_test(test_vhost_msg_header_flags),
		cmocka_unit_test(test_vhost_msg_unknown_request),
		cmocka_unit_test(test_vhost_msg_mem_table),
		cmocka_unit_test(test_vhost_msg_add_mem_reg_and_fds),
		cmocka_unit_test(test_vhost_msg_vring_file),
		cmocka_unit_test(test_vhost_msg_config),
		cmocka_unit_test(test_vhost_msg_reply),
		cmocka_unit_test(test_vhost_msg_codec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
