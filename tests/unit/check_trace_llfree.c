// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the LLFree replay trace importer
 * (src/trace/import_llfree.c): files built here from the format's facts
 * (doc/trace-format.md) - a header page and per-CPU pages of 128-bit
 * entries - import into the events and geometry LLFree's replay uses,
 * merged by time and stable for equal times; every bad file is refused
 * with the page named and the trace unchanged; the result replays.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <pagereport/pagereport.h>

#define PAGE 4096

struct entry {
	uint64_t time_us, pfn;
	int alloc;
	unsigned int order;
	uint32_t gfp, pid;
};

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Entry @i of a page: bits 0..37 time, 38..61 pfn, 62 alloc, 63..66
 * order, 67..95 gfp, 96..127 pid, little-endian, from offset 16. */
static void put_entry(unsigned char *page, unsigned int i, struct entry e)
{
	uint64_t lo = e.time_us | e.pfn << 38 | (uint64_t)e.alloc << 62 |
		      (uint64_t)(e.order & 1) << 63;
	uint64_t hi = (uint64_t)(e.order >> 1) | (uint64_t)e.gfp << 3 |
		      (uint64_t)e.pid << 32;

	put64(page + 16 + 16 * i, lo);
	put64(page + 16 + 16 * i + 8, hi);
}

/* A file of 3 pages: header (2 pages, 2 cores, max_pfn 0x3ff), CPU 0's
 * page and CPU 1's page, in a malloc'ed buffer. */
static unsigned char *sample(size_t *r_len)
{
	unsigned char *b = calloc(3, PAGE);

	ck_assert_ptr_nonnull(b);
	put32(b, 2);
	put32(b + 4, 2);
	put32(b + 8, 0x3ff);
	put32(b + PAGE, 0);
	put_entry(b + PAGE, 0, (struct entry){ 10, 0x10, 1, 4, 0x08, 7 });
	put_entry(b + PAGE, 1, (struct entry){ 30, 0x10, 0, 4, 0x08, 7 });
	/* entry 2 has pfn 0: the end of this page, whatever follows */
	put_entry(b + PAGE, 3, (struct entry){ 1, 0x20, 1, 0, 0, 0 });
	put32(b + 2 * PAGE, 1);
	put_entry(b + 2 * PAGE, 0, (struct entry){ 20, 0x100, 1, 8, 0x10, 9 });
	put_entry(b + 2 * PAGE, 1, (struct entry){ 20, 0x1, 1, 0, 0x400, 9 });
	put_entry(b + 2 * PAGE, 2, (struct entry){ 40, 0x2, 1, 1, 0x18, 9 });
	*r_len = 3 * PAGE;
	return b;
}

static int import(struct pgr_trace *t, const unsigned char *b, size_t len,
		  struct pgr_trace_llfree_stats *st)
{
	FILE *f = fmemopen((void *)b, len, "rb");
	int err;

	ck_assert_ptr_nonnull(f);
	err = pgr_trace_import_llfree(t, f, st);
	fclose(f);
	return err;
}

START_TEST(test_import)
{
	static const struct {
		uint64_t time_ns, pfn;
		uint8_t op, order;
		int8_t mt;
	} want[] = {
		{ 10000, 0x10, PGR_TRACE_ALLOC, 4, PGR_MIGRATE_MOVABLE },
		{ 20000, 0x100, PGR_TRACE_ALLOC, 8, PGR_MIGRATE_RECLAIMABLE },
		{ 20000, 0x1, PGR_TRACE_ALLOC, 0, PGR_MIGRATE_UNMOVABLE },
		{ 30000, 0x10, PGR_TRACE_FREE, 4, PGR_MIGRATE_MOVABLE },
		{ 40000, 0x2, PGR_TRACE_ALLOC, 1, PGR_TRACE_UNKNOWN },
	};
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_trace_llfree_stats st;
	struct pgr_node_config cfg;
	const struct pgr_trace_event *ev;
	size_t len;
	unsigned char *b = sample(&len);

	ck_assert_int_eq(import(t, b, len, &st), 0);
	ck_assert_uint_eq(st.header_pages, 2);
	ck_assert_uint_eq(st.cores, 2);
	ck_assert_uint_eq(st.max_pfn, 0x3ff);
	ck_assert_uint_eq(st.pages, 2);
	ck_assert_uint_eq(st.events, 5);
	ck_assert_uint_eq(st.allocs, 4);
	ck_assert_uint_eq(st.frees, 1);
	ck_assert_uint_eq(st.reordered, 1);
	ck_assert_uint_eq(pgr_trace_nr_events(t), 5);
	ev = pgr_trace_events(t);
	for (size_t i = 0; i < 5; i++) {
		ck_assert_uint_eq(ev[i].time_ns, want[i].time_ns);
		ck_assert_uint_eq(ev[i].pfn, want[i].pfn);
		ck_assert_uint_eq(ev[i].op, want[i].op);
		ck_assert_uint_eq(ev[i].order, want[i].order);
		ck_assert_int_eq(ev[i].migratetype, want[i].mt);
		ck_assert_int_eq(ev[i].zone, PGR_TRACE_UNKNOWN);
	}
	/* LLFree's frames: max_pfn + 1 rounded up to 512 */
	ck_assert_int_eq(pgr_trace_node_config(t, &cfg), 0);
	ck_assert_uint_eq(cfg.nr_zones, 1);
	ck_assert_str_eq(cfg.zones[0].name, "llfree");
	ck_assert_uint_eq(cfg.zones[0].start_pfn, 0);
	ck_assert_uint_eq(cfg.zones[0].nr_pages, 1024);
	/* appended after earlier events, zone 0 kept when set */
	ck_assert_int_eq(pgr_trace_set_zone(t, 0, "Mine", 0, 4096), 0);
	ck_assert_int_eq(import(t, b, len, NULL), 0);
	ck_assert_uint_eq(pgr_trace_nr_events(t), 10);
	ck_assert_int_eq(pgr_trace_node_config(t, &cfg), 0);
	ck_assert_str_eq(cfg.zones[0].name, "Mine");
	free(b);
	pgr_trace_destroy(t);
}
END_TEST

/* Refused with @msg, the trace unchanged. */
static void expect_bad(const unsigned char *b, size_t len, const char *msg)
{
	struct pgr_trace *t = pgr_trace_create();
	const struct pgr_trace_event keep = {
		5, 0x40, PGR_TRACE_ALLOC, 0, 1, -1
	};
	struct pgr_node_config cfg;

	ck_assert_int_eq(pgr_trace_append(t, &keep), 0);
	ck_assert_int_eq(import(t, b, len, NULL), -EINVAL);
	ck_assert_msg(strstr(pgr_errmsg(), msg), "\"%s\" lacks \"%s\"",
		      pgr_errmsg(), msg);
	ck_assert_uint_eq(pgr_trace_nr_events(t), 1);
	ck_assert_uint_eq(pgr_trace_events(t)[0].pfn, 0x40);
	ck_assert_int_eq(pgr_trace_node_config(t, &cfg), -ENOENT);
	pgr_trace_destroy(t);
}

START_TEST(test_bad_files)
{
	size_t len;
	unsigned char *b = sample(&len), *c = malloc(len);

	ck_assert_ptr_nonnull(c);
	expect_bad(b, 100, "page 0: the header page is shorter");
	expect_bad(b, len - 1, "page 2: truncated");
	memcpy(c, b, len);
	put32(c + 4, 0);
	expect_bad(c, len, "page 0: no cores");
	memcpy(c, b, len);
	put32(c + 8, 0xffffffff);
	expect_bad(c, len, "max_pfn too large");
	memcpy(c, b, len);
	put32(c + 2 * PAGE, 2);
	expect_bad(c, len, "page 2: cpu id beyond");
	memcpy(c, b, len);
	c[PAGE + 9] = 1;
	expect_bad(c, len, "page 1: bytes 8..15");
	memcpy(c, b, len);
	put_entry(c + 2 * PAGE, 1, (struct entry){ 20, 0x3, 1, 1, 0, 9 });
	expect_bad(c, len, "page 2 entry 1: pfn 0x3 not aligned");
	ck_assert_int_eq(pgr_trace_import_llfree(NULL, stdin, NULL), -EINVAL);
	free(c);
	free(b);
}
END_TEST

/* The imported trace replays (policy: the model chooses the frames). */
START_TEST(test_replays)
{
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_replay_config rc = { .mode = PGR_REPLAY_POLICY };
	struct pgr_replay_stats st;
	struct pgr_node_config cfg;
	struct pgr_replay *r;
	struct pgr_node *n;
	size_t len;
	unsigned char *b = sample(&len);

	ck_assert_int_eq(import(t, b, len, NULL), 0);
	ck_assert_int_eq(pgr_trace_node_config(t, &cfg), 0);
	n = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(pgr_zone_populate(pgr_node_zone(n, 0)), 0);
	r = pgr_replay_create(n, &rc);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(pgr_replay_run(r, t), 0);
	ck_assert_int_eq(pgr_replay_get_stats(r, &st), 0);
	ck_assert_uint_eq(st.allocs, 4);
	ck_assert_uint_eq(st.frees, 1);
	ck_assert_uint_eq(st.free_unmatched, 0);
	pgr_replay_destroy(r);
	pgr_node_destroy(n);
	free(b);
	pgr_trace_destroy(t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("trace_llfree");
	TCase *tc = tcase_create("llfree");

	tcase_add_test(tc, test_import);
	tcase_add_test(tc, test_bad_files);
	tcase_add_test(tc, test_replays);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
