// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host of many guests (<pagereport/host.h>): bad input (budget 0, a
 * guest larger than the host, a guest added twice, unknown strategy),
 * determinism (same seed, same CSV bytes; another seed, other bytes),
 * residency through reporting (touched pages leave the host when
 * discarded) and the swap model on a constructed case.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

#define MiB (1ULL << 20)
#define MS  1000000ULL

static struct pgr_host_guest_config guest(const char *name, uint64_t mem,
					  const char *strategy, double occ,
					  uint64_t hold_ops)
{
	struct pgr_host_guest_config g = {
		.name = name,
		.mem_bytes = mem,
		.strategy = strategy,
		.workload = {
			.kind = PGR_WORKLOAD_FILL_FREE,
			.rate = 100000,
			.fill = { .occupancy = occ, .order = 9,
				  .hold_ops = hold_ops },
		},
		.workload_cycles = 1,
	};
	return g;
}

START_TEST(bad_input)
{
	struct pgr_host_config hc = { .budget_bytes = 0 };
	struct pgr_host_guest_config g =
		guest("a", 64 * MiB, "v11-boundary", 0.5, 0);
	struct pgr_host *h;

	errno = 0;
	ck_assert_ptr_null(pgr_host_create(&hc));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "budget 0"));
	ck_assert_ptr_null(pgr_host_create(NULL));
	hc.budget_bytes = 32 * MiB;
	h = pgr_host_create(&hc);
	ck_assert_ptr_nonnull(h);
	/* larger than the host */
	ck_assert_int_eq(pgr_host_add_guest(h, &g), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "larger than the host"));
	g.mem_bytes = 16 * MiB;
	ck_assert_int_eq(pgr_host_add_guest(h, &g), 0);
	/* twice */
	ck_assert_int_eq(pgr_host_add_guest(h, &g), -EEXIST);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "already added"));
	ck_assert_uint_eq(pgr_host_nr_guests(h), 1);
	g.name = "b";
	g.strategy = "no-such-strategy";
	ck_assert_int_eq(pgr_host_add_guest(h, &g), -EINVAL);
	g.strategy = NULL;
	g.mem_bytes = 5 * MiB; /* not a multiple of 4 MiB */
	ck_assert_int_eq(pgr_host_add_guest(h, &g), -EINVAL);
	g.mem_bytes = 0;
	ck_assert_int_eq(pgr_host_add_guest(h, &g), -EINVAL);
	g.mem_bytes = 8 * MiB;
	g.base_fraction = 2;
	ck_assert_int_eq(pgr_host_add_guest(h, &g), -EINVAL);
	g.base_fraction = 0;
	g.workload.kind = (enum pgr_workload_kind)99;
	ck_assert_int_lt(pgr_host_add_guest(h, &g), 0);
	ck_assert_uint_eq(pgr_host_nr_guests(h), 1); /* nothing half-added */
	g.workload.kind = PGR_WORKLOAD_FILL_FREE;
	ck_assert_int_eq(pgr_host_add_guest(h, &g), 1);
	ck_assert_int_eq(pgr_host_advance(h, 100 * MS), 0);
	ck_assert_int_eq(pgr_host_advance(NULL, 1), -EINVAL);
	ck_assert_int_eq(pgr_host_write_csv(h, NULL), -EINVAL);
	ck_assert_int_eq(pgr_host_get_guest_stats(h, 2, NULL), -EINVAL);
	{
		struct pgr_host_guest_stats gs;

		ck_assert_int_eq(pgr_host_get_guest_stats(h, 2, &gs), -ENOENT);
	}
	pgr_host_destroy(h);
	pgr_host_destroy(NULL);
}
END_TEST

/* Three guests launched 1 s apart; the CSV of the whole run. */
static char *run_csv(uint64_t seed, size_t *r_len)
{
	static const char *strategies[] = { "v11-boundary", "upstream",
					    "bitmap" };
	static const char *names[] = { "g0", "g1", "g2" };
	struct pgr_host_config hc = { .budget_bytes = 96 * MiB,
				      .seed = seed,
				      .sample_ns = 100 * MS };
	struct pgr_host *h = pgr_host_create(&hc);
	char *buf = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(h);
	for (int i = 0; i < 3; i++) {
		struct pgr_host_guest_config g =
			guest(names[i], 64 * MiB, strategies[i], 0.85, 200);

		g.workload.kind = PGR_WORKLOAD_CHURN;
		g.workload.churn.occupancy = 0.6;
		g.workload.rate = 20000;
		g.workload_cycles = 0;
		g.base_fraction = 0.05;
		ck_assert_int_eq(pgr_host_add_guest(h, &g), i);
		ck_assert_int_eq(pgr_host_advance(h, 1000 * MS), 0);
	}
	ck_assert_int_eq(pgr_host_advance(h, 3000 * MS), 0);
	f = open_memstream(&buf, r_len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pgr_host_write_csv(h, f), 0);
	fclose(f);
	pgr_host_destroy(h);
	return buf;
}

START_TEST(determinism)
{
	size_t n1, n2, n3;
	char *a = run_csv(7, &n1), *b = run_csv(7, &n2), *c = run_csv(8, &n3);

	ck_assert_uint_gt(n1, 1000);
	ck_assert_uint_eq(n1, n2);
	ck_assert_int_eq(memcmp(a, b, n1), 0);
	/* the seed matters: otherwise the comparison proves nothing */
	ck_assert(n1 != n3 || memcmp(a, c, n1) != 0);
	free(a);
	free(b);
	free(c);
}
END_TEST

/* Guests that fill and free twice: reporting gives the memory back. */
START_TEST(residency_follows_reports)
{
	struct pgr_host_config hc = { .budget_bytes = 1024 * MiB, .seed = 1 };
	struct pgr_host *h = pgr_host_create(&hc);
	struct pgr_host_guest_config g0 =
		guest("none", 256 * MiB, NULL, 0.8, 10);
	struct pgr_host_guest_config g1 =
		guest("rep", 256 * MiB, "v11-boundary", 0.8, 10);
	struct pgr_host_guest_stats s0, s1;
	struct pgr_host_stats hs;

	g0.workload_cycles = g1.workload_cycles = 2;
	/* a second between the free and the next fill: v11 reports it */
	g0.cycle_gap_ns = g1.cycle_gap_ns = 1000 * MS;
	ck_assert_int_eq(pgr_host_add_guest(h, &g0), 0);
	ck_assert_int_eq(pgr_host_add_guest(h, &g1), 1);
	ck_assert_int_eq(pgr_host_advance(h, 5000 * MS), 0);
	ck_assert_int_eq(pgr_host_get_guest_stats(h, 0, &s0), 0);
	ck_assert_int_eq(pgr_host_get_guest_stats(h, 1, &s1), 0);
	/* both touched 80% of 256 MiB in order-9 blocks and freed it, twice */
	/* 102 blocks of 512 per fill; the second may land elsewhere */
	ck_assert_uint_ge(s0.touched_pages, 102 * 512);
	ck_assert_uint_eq(s0.host_refault_pages, 0); /* nothing discarded */
	/* the second fill re-touched memory the host had dropped */
	ck_assert_uint_gt(s1.host_refault_pages, 0);
	ck_assert_uint_le(s1.host_refault_pages, s1.discarded_pages_total);
	ck_assert_uint_gt(s1.lost_ns, 0);
	ck_assert_uint_eq(s0.workload.live_pages, 0);
	ck_assert_uint_eq(s0.resident_pages, s0.touched_pages);
	ck_assert_uint_eq(s1.workload.live_pages, 0);
	/* the host dropped what was reported: resident = touched - dropped */
	ck_assert_uint_gt(s1.discarded_pages_total, 0);
	ck_assert_uint_eq(s1.resident_pages,
			  s1.touched_pages - s1.discarded_pages_total);
	ck_assert_uint_lt(s1.resident_pages, s0.resident_pages / 2);
	ck_assert_uint_le(s1.acct.discarded_pages, 65536);
	ck_assert_int_eq(pgr_host_get_stats(h, &hs), 0);
	ck_assert_uint_eq(hs.resident_bytes,
			  (s0.resident_pages + s1.resident_pages) * 4096);
	ck_assert(!hs.swapped);
	pgr_host_destroy(h);
}
END_TEST

/*
 * Budget 3072 pages; two 3072-page guests without reporting each fill
 * 2048 pages (four order-9 blocks: 67% of 3072 rounded down to blocks)
 * at launch and hold them.  The second
 * guest's tick takes the host to 4096 in memory: 1024 pages go to swap,
 * 512 from each (pro rata to 2048:2048), at 4 us a page.
 */
START_TEST(swap_model)
{
	struct pgr_host_config hc = { .budget_bytes = 12 * MiB,
				      .seed = 3,
				      .tick_ns = 10 * MS,
				      .swap_out_ns = 4000 };
	struct pgr_host *h = pgr_host_create(&hc);
	struct pgr_host_guest_config a =
		guest("a", 12 * MiB, NULL, 0.67, 1000000000ULL);
	struct pgr_host_guest_config b =
		guest("b", 12 * MiB, NULL, 0.67, 1000000000ULL);
	struct pgr_host_guest_stats sa, sb;
	struct pgr_host_stats hs;

	a.fill_at_launch = b.fill_at_launch = true;
	ck_assert_int_eq(pgr_host_add_guest(h, &a), 0);
	ck_assert_int_eq(pgr_host_advance(h, 10 * MS), 0);
	ck_assert_int_eq(pgr_host_get_guest_stats(h, 0, &sa), 0);
	ck_assert_uint_eq(sa.resident_pages, 2048);
	ck_assert_int_eq(pgr_host_get_stats(h, &hs), 0);
	ck_assert(!hs.swapped);
	ck_assert_int_eq(pgr_host_add_guest(h, &b), 1);
	ck_assert_int_eq(pgr_host_advance(h, 10 * MS), 0);
	ck_assert_int_eq(pgr_host_get_guest_stats(h, 0, &sa), 0);
	ck_assert_int_eq(pgr_host_get_guest_stats(h, 1, &sb), 0);
	ck_assert_uint_eq(sb.resident_pages, 2048);
	ck_assert_uint_eq(sa.swapped_pages, 512);
	ck_assert_uint_eq(sb.swapped_pages, 512);
	ck_assert_uint_eq(sa.swap_out_bytes, 512 * 4096);
	ck_assert_uint_eq(sa.swap_in_bytes, 0);
	ck_assert_uint_eq(sa.lost_ns, 512 * 4000);
	ck_assert_int_eq(pgr_host_get_stats(h, &hs), 0);
	ck_assert(hs.swapped);
	ck_assert_uint_eq(hs.first_swap_ns, 20 * MS);
	ck_assert_uint_eq(hs.swap_out_bytes, 1024 * 4096);
	ck_assert_uint_eq(hs.in_memory_bytes, 12 * MiB);
	ck_assert_uint_eq(hs.resident_bytes, 16 * MiB); /* 2 x 2048 pages */
	/* holding: nothing more to swap */
	ck_assert_int_eq(pgr_host_advance(h, 100 * MS), 0);
	ck_assert_int_eq(pgr_host_get_stats(h, &hs), 0);
	ck_assert_uint_eq(hs.swap_out_bytes, 1024 * 4096);
	pgr_host_destroy(h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("host");
	TCase *tc = tcase_create("host");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, determinism);
	tcase_add_test(tc, residency_follows_reports);
	tcase_add_test(tc, swap_model);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
