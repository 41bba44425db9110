// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the pgrtrace binary format (src/trace/binary.c,
 * doc/trace-format.md): the exact bytes of a header, a zone entry and a
 * record; text -> binary -> text round trips of every field value; reading
 * appends and keeps the zones like the text reader; every kind of bad
 * input (truncated anywhere, wrong magic, version, sizes, zone entries,
 * out-of-range record fields, trailing bytes) is refused with a message
 * naming the record and leaves the trace exactly as it was; replay of a
 * binary trace equals replay of the same text in both modes.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <pagereport/pagereport.h>

/* The binary form of @t in a malloc'ed buffer. */
static unsigned char *to_binary(const struct pgr_trace *t, size_t *r_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pgr_trace_write_binary(t, f), 0);
	fclose(f);
	*r_len = len;
	return (unsigned char *)buf;
}

static char *to_text(const struct pgr_trace *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pgr_trace_write(t, f), 0);
	fclose(f);
	return buf;
}

/* pgr_trace_read() of @len bytes at @p. */
static int read_bytes(struct pgr_trace *t, const void *p, size_t len)
{
	FILE *f = fmemopen((void *)p, len, "rb");
	int err;

	ck_assert_ptr_nonnull(f);
	err = pgr_trace_read(t, f);
	fclose(f);
	return err;
}

/* Events equal field by field (the struct has padding). */
static void assert_events_eq(const struct pgr_trace_event *a,
			     const struct pgr_trace_event *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(a[i].time_ns, b[i].time_ns);
		ck_assert_uint_eq(a[i].pfn, b[i].pfn);
		ck_assert_uint_eq(a[i].op, b[i].op);
		ck_assert_uint_eq(a[i].order, b[i].order);
		ck_assert_int_eq(a[i].migratetype, b[i].migratetype);
		ck_assert_int_eq(a[i].zone, b[i].zone);
	}
}

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

/* A trace with two zones and four events covering the field ranges. */
static struct pgr_trace *sample(void)
{
	struct pgr_trace *t = pgr_trace_create();
	const struct pgr_trace_event e[] = {
		{ 0, 0x100000, PGR_TRACE_ALLOC, 0, PGR_MIGRATE_MOVABLE, 1 },
		{ 1500000, 0x100200, PGR_TRACE_ALLOC, 9, PGR_TRACE_UNKNOWN,
		  PGR_TRACE_UNKNOWN },
		{ UINT64_MAX, 0xffffffffffffULL, PGR_TRACE_FREE, 0,
		  PGR_MIGRATE_ISOLATE, 3 },
		{ 42, 0x8000, PGR_TRACE_FREE, 15, PGR_MIGRATE_UNMOVABLE, 0 },
	};

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(pgr_trace_set_zone(t, 0, "DMA32", 0x1000, 1044480), 0);
	ck_assert_int_eq(pgr_trace_set_zone(t, 1, "Normal", 0x100000, 1 << 20),
			 0);
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		ck_assert_int_eq(pgr_trace_append(t, &e[i]), 0);
	return t;
}

START_TEST(test_layout)
{
	struct pgr_trace *t = pgr_trace_create();
	const struct pgr_trace_event e = { 0x0102030405060708ULL,   0x12a400,
					   PGR_TRACE_FREE,	    10,
					   PGR_MIGRATE_RECLAIMABLE, 2 };
	static const unsigned char want_hdr[32] = {
		0x89, 'P', 'G', 'R', 'T', '\r', '\n', 0x1a, /* magic */
		1,    0,   0,	0,			    /* version */
		72,   0,   0,	0,			    /* header size */
		16,   0,   0,	0,			    /* record size */
		1,    0,   0,	0,			    /* zones */
		1,    0,   0,	0,   0,	  0,	0,    0,    /* events */
	};
	unsigned char want_zone[40] = { 2, 0,	0,   0,	  0,   0,   0,
					0, 'N', 'o', 'r', 'm', 'a', 'l' };
	unsigned char want_rec[16];
	unsigned char *b;
	size_t len;

	put64(want_zone + 24, 0x100000);
	put64(want_zone + 32, 5505024);
	put64(want_rec, e.time_ns);
	/* pfn | order << 48 | op << 52 | (mt + 1) << 53 | (zone + 1) << 56 */
	put64(want_rec + 8,
	      0x12a400ULL | 10ULL << 48 | 1ULL << 52 | 3ULL << 53 | 3ULL << 56);
	ck_assert_int_eq(pgr_trace_set_zone(t, 2, "Normal", 0x100000, 5505024),
			 0);
	ck_assert_int_eq(pgr_trace_append(t, &e), 0);
	b = to_binary(t, &len);
	ck_assert_uint_eq(len, 32 + 40 + 16);
	ck_assert_mem_eq(b, want_hdr, 32);
	ck_assert_mem_eq(b + 32, want_zone, 40);
	ck_assert_mem_eq(b + 72, want_rec, 16);
	free(b);
	pgr_trace_destroy(t);
}
END_TEST

START_TEST(test_round_trip)
{
	struct pgr_trace *t = sample(), *u = pgr_trace_create();
	char *text1 = to_text(t), *text2;
	size_t len;
	unsigned char *b = to_binary(t, &len);

	ck_assert_uint_eq(len, 32 + 2 * 40 + 4 * 16);
	ck_assert_int_eq(read_bytes(u, b, len), 0);
	ck_assert_uint_eq(pgr_trace_nr_events(u), 4);
	assert_events_eq(pgr_trace_events(u), pgr_trace_events(t), 4);
	text2 = to_text(u);
	ck_assert_str_eq(text1, text2);
	free(text1);
	free(text2);
	free(b);
	pgr_trace_destroy(t);
	pgr_trace_destroy(u);
}
END_TEST

/* Text read into a trace, written as binary, read again: the same text. */
START_TEST(test_text_binary_text)
{
	static const char in[] = "pgrtrace 1\n"
				 "# op time_ns pfn order migratetype zone\n"
				 "z 0 DMA 0x1 4095\n"
				 "z 2 Normal 0x100000 5505024\n"
				 "a 3281021311000 0x252f45 0 1 -\n"
				 "f 3281021313000 0x17f700 8 - 2\n"
				 "a 18446744073709551615 0x8000 15 4 0\n";
	struct pgr_trace *t = pgr_trace_create(), *u = pgr_trace_create();
	unsigned char *b;
	char *out;
	size_t len;

	ck_assert_int_eq(read_bytes(t, in, strlen(in)), 0);
	b = to_binary(t, &len);
	ck_assert_int_eq(read_bytes(u, b, len), 0);
	out = to_text(u);
	ck_assert_str_eq(out, in);
	free(out);
	free(b);
	pgr_trace_destroy(t);
	pgr_trace_destroy(u);
}
END_TEST

/* Appending: events after the old ones, zone entries replace by index. */
START_TEST(test_append)
{
	struct pgr_trace *t = sample(), *u = pgr_trace_create();
	struct pgr_node_config cfg;
	unsigned char *b;
	size_t len;

	ck_assert_int_eq(pgr_trace_set_zone(u, 1, "Old", 5, 6), 0);
	ck_assert_int_eq(pgr_trace_set_zone(u, 2, "Kept", 7, 8), 0);
	ck_assert_int_eq(pgr_trace_append(u, &pgr_trace_events(t)[1]), 0);
	b = to_binary(t, &len);
	ck_assert_int_eq(read_bytes(u, b, len), 0);
	ck_assert_uint_eq(pgr_trace_nr_events(u), 5);
	assert_events_eq(pgr_trace_events(u) + 1, pgr_trace_events(t), 4);
	ck_assert_int_eq(pgr_trace_node_config(u, &cfg), 0);
	ck_assert_uint_eq(cfg.nr_zones, 3);
	ck_assert_str_eq(cfg.zones[1].name, "Normal");
	ck_assert_str_eq(cfg.zones[2].name, "Kept");
	free(b);
	pgr_trace_destroy(t);
	pgr_trace_destroy(u);
}
END_TEST

/* Refused: message with @msg, trace unchanged (one event, DMA32 zone). */
static void expect_bad(const unsigned char *b, size_t len, const char *msg)
{
	struct pgr_trace *u = pgr_trace_create();
	struct pgr_trace_event keep = { 1, 0x1000, PGR_TRACE_ALLOC, 0, 1, 0 };
	struct pgr_node_config cfg;
	int err;

	ck_assert_int_eq(pgr_trace_set_zone(u, 0, "Keep", 0x1000, 64), 0);
	ck_assert_int_eq(pgr_trace_append(u, &keep), 0);
	err = read_bytes(u, b, len);
	ck_assert_msg(err == -EINVAL, "want -EINVAL for \"%s\", got %d", msg,
		      err);
	ck_assert_msg(strstr(pgr_errmsg(), msg), "message \"%s\" lacks \"%s\"",
		      pgr_errmsg(), msg);
	ck_assert_uint_eq(pgr_trace_nr_events(u), 1);
	assert_events_eq(pgr_trace_events(u), &keep, 1);
	ck_assert_int_eq(pgr_trace_node_config(u, &cfg), 0);
	ck_assert_uint_eq(cfg.nr_zones, 1);
	ck_assert_str_eq(cfg.zones[0].name, "Keep");
	pgr_trace_destroy(u);
}

START_TEST(test_bad_input)
{
	struct pgr_trace *t = sample();
	size_t len;
	unsigned char *b = to_binary(t, &len), *c = malloc(len + 1);
	const size_t rec0 = 32 + 2 * 40;

	ck_assert_ptr_nonnull(c);
	/* every truncation: in the header, the zone table, a record */
	for (size_t cut = 1; cut < len; cut++) {
		const char *msg = cut < 32	    ? "truncated"
				  : cut < rec0	    ? "zone table"
				  : cut < rec0 + 16 ? "record 1 of 4"
				  : cut < rec0 + 32 ? "record 2 of 4"
				  : cut < rec0 + 48 ? "record 3 of 4"
						    : "record 4 of 4";

		expect_bad(b, cut, msg);
	}
	memcpy(c, b, len);
	c[len] = 0;
	expect_bad(c, len + 1, "bytes after record 4");
	memcpy(c, b, len);
	c[6] = '\n';
	c[5] = '\n'; /* a CR LF rewritten as LF LF */
	expect_bad(c, len, "wrong magic");
	memcpy(c, b, len);
	put32(c + 8, 2);
	expect_bad(c, len, "version 2");
	memcpy(c, b, len);
	put32(c + 16, 24);
	expect_bad(c, len, "record size");
	memcpy(c, b, len);
	put32(c + 12, 33);
	expect_bad(c, len, "header size");
	memcpy(c, b, len);
	put32(c + 20, 5);
	expect_bad(c, len, "more zones");
	memcpy(c, b, len);
	put64(c + 24, UINT64_MAX / 8);
	expect_bad(c, len, "too large");
	memcpy(c, b, len);
	put32(c + 32 + 40, 0); /* second entry's index 1 -> 0: repeated */
	expect_bad(c, len, "zone entry 2");
	memcpy(c, b, len);
	put32(c + 32, 4);
	expect_bad(c, len, "zone entry 1");
	memcpy(c, b, len);
	c[32 + 8 + 1] = ' ';
	expect_bad(c, len, "zone entry 1: name");
	memcpy(c, b, len);
	c[32 + 8 + 7] = 'x'; /* a byte after the name's NUL */
	expect_bad(c, len, "zone entry 1: name");
	memcpy(c, b, len);
	put64(c + 32 + 32, 0);
	expect_bad(c, len, "zone entry 1: bad size");
	memcpy(c, b, len);
	c[rec0 + 16 + 15] |= 0x80; /* reserved bit of record 2 */
	expect_bad(c, len, "record 2: reserved");
	memcpy(c, b, len);
	c[rec0 + 16 * 2 + 14] |= 0xe0; /* migratetype + 1 = 7 */
	expect_bad(c, len, "record 3: migratetype");
	memcpy(c, b, len);
	c[rec0 + 16 * 3 + 15] = 0x05; /* zone + 1 = 5 */
	expect_bad(c, len, "record 4: zone");
	memcpy(c, b, len);
	c[rec0 + 8] |= 1;  /* record 1: pfn 0x100001 */
	c[rec0 + 14] |= 1; /* order 1 */
	expect_bad(c, len, "record 1: pfn not aligned");
	free(c);
	free(b);
	pgr_trace_destroy(t);
}
END_TEST

/*
 * The text reader takes the zones pgr_trace_set_zone() takes, no others:
 * it used to accept a name with a CR in it and a span past 2^64 (found by
 * tests/fuzz/fuzz_trace_read: such a trace could not be written as binary
 * nor turned into a node).
 */
START_TEST(test_text_zone_lines_like_set_zone)
{
	static const char *const bad[] = {
		"pgrtrace 1\nz 0 \rA 0x1 40\n",
		"pgrtrace 1\nz 0 A\rB 0x1 40\n",
		"pgrtrace 1\nz 1 DMA32 0xfffffffffffffff2 0xfff\n",
	};
	static const char good[] = "pgrtrace 1\r\nz 0 DMA 0x1 4095\r\n";
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_node_config cfg;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(read_bytes(t, bad[i], strlen(bad[i])),
				 -EINVAL);
		ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "line 2"));
		ck_assert_int_eq(pgr_trace_node_config(t, &cfg), -ENOENT);
	}
	/* CR LF line ends stay fine */
	ck_assert_int_eq(read_bytes(t, good, strlen(good)), 0);
	ck_assert_int_eq(pgr_trace_node_config(t, &cfg), 0);
	ck_assert_str_eq(cfg.zones[0].name, "DMA");
	pgr_trace_destroy(t);
}
END_TEST

START_TEST(test_write_refuses_wide_pfn)
{
	struct pgr_trace *t = sample();
	const struct pgr_trace_event e = {
		0, 1ULL << 48, PGR_TRACE_ALLOC, 0, PGR_MIGRATE_MOVABLE, -1
	};
	FILE *f = fopen("/dev/null", "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pgr_trace_append(t, &e), 0);
	ck_assert_int_eq(pgr_trace_write_binary(t, f), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "event 5"));
	ck_assert_int_eq(pgr_trace_write_binary(NULL, f), -EINVAL);
	ck_assert_int_eq(pgr_trace_save_binary(t, NULL), -EINVAL);
	ck_assert_int_lt(pgr_trace_save_binary(t, "/nonexistent/dir/x"), 0);
	fclose(f);
	pgr_trace_destroy(t);
}
END_TEST

/*
 * A churn recorded on one node, replayed from its text and from its binary
 * form onto fresh nodes: the same counters and the same free lists, in
 * both modes.
 */
static void replay_lists(const struct pgr_trace *t, enum pgr_replay_mode mode,
			 struct pgr_replay_stats *st, uint64_t *lists,
			 size_t *r_n)
{
	struct pgr_replay_config rc = { .mode = mode };
	struct pgr_node_config cfg;
	struct pgr_node *n;
	struct pgr_replay *r;
	size_t k = 0;

	ck_assert_int_eq(pgr_trace_node_config(t, &cfg), 0);
	n = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(pgr_zone_populate(pgr_node_zone(n, 0)), 0);
	r = pgr_replay_create(n, &rc);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(pgr_replay_run(r, t), 0);
	ck_assert_int_eq(pgr_replay_get_stats(r, st), 0);
	for (unsigned int o = 0; o < PGR_MAX_ORDER_DEFAULT; o++)
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			long len = pgr_free_list_walk(pgr_node_zone(n, 0), o,
						      (enum pgr_migratetype)mt,
						      lists + k, 4096);

			ck_assert_int_ge(len, 0);
			ck_assert_int_le(len, 4096);
			k += (size_t)len;
		}
	*r_n = k;
	pgr_replay_destroy(r);
	pgr_node_destroy(n);
}

START_TEST(test_replay_binary_equals_text)
{
	struct pgr_node_config cfg = { .nr_zones = 1 };
	struct pgr_trace *t = pgr_trace_create(), *tt = pgr_trace_create(),
			 *tb = pgr_trace_create();
	static uint64_t a[1 << 16], b2[1 << 16];
	uint64_t live[512];
	size_t nlive = 0, na, nb, len;
	struct pgr_replay_stats sa, sb;
	struct pgr_zone *z;
	struct pgr_node *n;
	unsigned char *bin;
	uint64_t x = 12345;
	char *txt;

	cfg.zones[0].nr_pages = 1 << 14;
	n = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(n);
	z = pgr_node_zone(n, 0);
	ck_assert_int_eq(pgr_zone_populate(z), 0);
	for (unsigned int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (nlive < 512 && (x % 3 || !nlive)) {
			unsigned int order = x % 7 ? 0 : (unsigned int)(x % 5);
			uint64_t pfn;

			if (pgr_alloc_pages(z, order, PGR_MIGRATE_MOVABLE, 0,
					    &pfn))
				continue;
			ck_assert_int_eq(pgr_trace_record(t, z, i * 1000ULL,
							  PGR_TRACE_ALLOC, pfn,
							  order, 1),
					 0);
			live[nlive++] = pfn << 4 | order;
		} else {
			size_t k = (size_t)(x >> 8) % nlive;
			uint64_t v = live[k];

			live[k] = live[--nlive];
			ck_assert_int_eq(pgr_free_pages(z, v >> 4, v & 15), 0);
			ck_assert_int_eq(pgr_trace_record(t, z, i * 1000ULL,
							  PGR_TRACE_FREE,
							  v >> 4, v & 15, 1),
					 0);
		}
	}
	pgr_node_destroy(n);
	txt = to_text(t);
	bin = to_binary(t, &len);
	ck_assert_int_eq(read_bytes(tt, txt, strlen(txt)), 0);
	ck_assert_int_eq(read_bytes(tb, bin, len), 0);
	for (int mode = PGR_REPLAY_EXACT; mode <= PGR_REPLAY_POLICY; mode++) {
		replay_lists(tt, (enum pgr_replay_mode)mode, &sa, a, &na);
		replay_lists(tb, (enum pgr_replay_mode)mode, &sb, b2, &nb);
		ck_assert_uint_gt(sa.allocs, 1000);
		ck_assert_mem_eq(&sa, &sb, sizeof(sa));
		ck_assert_uint_eq(na, nb);
		ck_assert_mem_eq(a, b2, na * sizeof(a[0]));
	}
	free(txt);
	free(bin);
	pgr_trace_destroy(t);
	pgr_trace_destroy(tt);
	pgr_trace_destroy(tb);
}
END_TEST

/*
 * POLICY's index keeps each allocation's order whole: a free of the same
 * trace pfn and order, at every order 0..10, is no mismatch, one of
 * another order is counted.
 */
START_TEST(test_policy_index_orders)
{
	struct pgr_node_config cfg = { .nr_zones = 1 };
	struct pgr_replay_config rc = { .mode = PGR_REPLAY_POLICY };
	struct pgr_replay_stats st;
	struct pgr_replay *r;
	struct pgr_node *n;

	cfg.zones[0].start_pfn = 0x100000;
	cfg.zones[0].nr_pages = 1 << 14;
	n = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(pgr_zone_populate(pgr_node_zone(n, 0)), 0);
	r = pgr_replay_create(n, &rc);
	ck_assert_ptr_nonnull(r);
	for (unsigned int o = 0; o < PGR_MAX_ORDER_DEFAULT; o++) {
		struct pgr_trace_event e = {
			o,	    0x100000 + (1024u << 1), PGR_TRACE_ALLOC,
			(uint8_t)o, PGR_MIGRATE_MOVABLE,     -1
		};

		ck_assert_int_eq(pgr_replay_event(r, &e), 0);
		e.op = PGR_TRACE_FREE;
		ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	}
	ck_assert_int_eq(pgr_replay_get_stats(r, &st), 0);
	ck_assert_uint_eq(st.allocs, PGR_MAX_ORDER_DEFAULT);
	ck_assert_uint_eq(st.frees, PGR_MAX_ORDER_DEFAULT);
	ck_assert_uint_eq(st.order_mismatch, 0);
	{
		struct pgr_trace_event e = {
			99, 0x100000, PGR_TRACE_ALLOC, 2, PGR_MIGRATE_MOVABLE,
			-1
		};

		ck_assert_int_eq(pgr_replay_event(r, &e), 0);
		e.op = PGR_TRACE_FREE;
		e.order = 3;
		ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	}
	ck_assert_int_eq(pgr_replay_get_stats(r, &st), 0);
	ck_assert_uint_eq(st.order_mismatch, 1);
	ck_assert_uint_eq(st.frees, PGR_MAX_ORDER_DEFAULT + 1);
	pgr_replay_destroy(r);
	pgr_node_destroy(n);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("trace_binary");
	TCase *tc = tcase_create("binary");

	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_text_binary_text);
	tcase_add_test(tc, test_append);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_text_zone_lines_like_set_zone);
	tcase_add_test(tc, test_write_refuses_wide_pfn);
	tcase_add_test(tc, test_replay_binary_equals_text);
	tcase_add_test(tc, test_policy_index_orders);
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
