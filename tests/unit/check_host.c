// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host of many guests (<pagereport/host.h>): bad input (budget 0, a
 * guest larger than the host, a guest added twice, unknown strategy),
 * determinism (same seed, same CSV bytes; another seed, other bytes),
 * residency through reporting (touched pages leave the host when
 * discarded), the swap model on a constructed case, the accounting
 * identity, host refaults counted exactly on a constructed case, and the
 * real-memory mode agreeing with the kernel's count of each memfd.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

/* upstream without its watermark gate (a parameter of upstream) */
static const struct pgr_param gate_off = { .name = "upstream.gate_disable",
					   .value = 1 };

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

/*
 * Budget 4096 pages; two 3072-page guests without reporting each fill
 * 2048 pages at launch and hold them: 4096 in memory, exactly the budget.
 * Expect the host not swapped (no first-swap time, nothing swapped out)
 * then and 100 ms later: only memory over the budget goes to swap.
 */
START_TEST(swap_at_exact_budget)
{
	struct pgr_host_config hc = { .budget_bytes = 16 * MiB,
				      .seed = 3,
				      .tick_ns = 10 * MS };
	struct pgr_host *h = pgr_host_create(&hc);
	struct pgr_host_guest_config a =
		guest("a", 12 * MiB, NULL, 0.67, 1000000000ULL);
	struct pgr_host_guest_config b =
		guest("b", 12 * MiB, NULL, 0.67, 1000000000ULL);
	struct pgr_host_guest_stats gs;
	struct pgr_host_stats hs;

	a.fill_at_launch = b.fill_at_launch = true;
	ck_assert_int_eq(pgr_host_add_guest(h, &a), 0);
	ck_assert_int_eq(pgr_host_advance(h, 10 * MS), 0);
	ck_assert_int_eq(pgr_host_add_guest(h, &b), 1);
	for (int t = 0; t < 11; t++) {
		ck_assert_int_eq(pgr_host_advance(h, 10 * MS), 0);
		ck_assert_int_eq(pgr_host_get_stats(h, &hs), 0);
		ck_assert_uint_eq(hs.in_memory_bytes, 16 * MiB);
		ck_assert(!hs.swapped);
		ck_assert_uint_eq(hs.first_swap_ns, 0);
		ck_assert_uint_eq(hs.swap_out_bytes, 0);
	}
	for (unsigned i = 0; i < 2; i++) {
		ck_assert_int_eq(pgr_host_get_guest_stats(h, i, &gs), 0);
		ck_assert_uint_eq(gs.resident_pages, 2048);
		ck_assert_uint_eq(gs.swapped_pages, 0);
		ck_assert_uint_eq(gs.swap_out_bytes, 0);
		ck_assert_uint_eq(gs.lost_ns, 0);
	}
	pgr_host_destroy(h);
}
END_TEST

/*
 * Budget 3072 pages.  Guest "b" holds 2048 pages from launch.  Guest "a"
 * (3072 pages, no reporting, one op per 10 ms tick) idles 3 ops, then
 * takes one order-9 block a tick: at 3072 in memory nothing is swapped,
 * at 3584 both are swapped pro rata, and a's next block is 512 pages it
 * never touched while part of it is in swap.  Expect no swap-in for
 * those (a first touch has nothing to read back), and after a holds,
 * frees and fills again, swap-ins for blocks it backed before.
 */
START_TEST(no_swap_in_on_first_touch)
{
	struct pgr_host_config hc = { .budget_bytes = 12 * MiB,
				      .seed = 3,
				      .tick_ns = 10 * MS };
	struct pgr_host *h = pgr_host_create(&hc);
	struct pgr_host_guest_config b =
		guest("b", 12 * MiB, NULL, 0.67, 1000000000ULL);
	struct pgr_host_guest_config a = guest("a", 12 * MiB, NULL, 0.67, 3);
	struct pgr_host_guest_stats s0, s1;
	struct pgr_host_stats hs;
	unsigned first_touch_swapped = 0, retouch_swapped = 0;

	b.fill_at_launch = true;
	a.workload.rate = 100;
	a.workload_cycles = 2;
	ck_assert_int_eq(pgr_host_add_guest(h, &b), 0);
	ck_assert_int_eq(pgr_host_add_guest(h, &a), 1);
	for (int t = 0; t < 25; t++) {
		ck_assert_int_eq(pgr_host_get_guest_stats(h, 1, &s0), 0);
		ck_assert_int_eq(pgr_host_advance(h, 10 * MS), 0);
		ck_assert_int_eq(pgr_host_get_guest_stats(h, 1, &s1), 0);
		if (s1.touched_pages > s0.touched_pages) {
			/* a block never backed before: first touches */
			ck_assert_uint_eq(s1.touched_pages - s0.touched_pages,
					  512);
			ck_assert_uint_eq(s1.swap_in_bytes, s0.swap_in_bytes);
			first_touch_swapped += s0.swapped_pages > 0;
		} else if (s1.workload.allocs > s0.workload.allocs &&
			   s0.swapped_pages > 0) {
			/* a block backed before: part of it comes from swap */
			ck_assert_uint_gt(s1.swap_in_bytes, s0.swap_in_bytes);
			retouch_swapped++;
		}
	}
	ck_assert_uint_eq(s1.workload.allocs, 8); /* both fills ran */
	ck_assert_uint_ge(first_touch_swapped, 1);
	ck_assert_uint_ge(retouch_swapped, 1);
	ck_assert_int_eq(pgr_host_get_guest_stats(h, 0, &s0), 0);
	ck_assert_uint_eq(s0.swap_in_bytes, 0); /* b only holds */
	ck_assert_int_eq(pgr_host_get_stats(h, &hs), 0);
	ck_assert(hs.swapped);
	ck_assert_uint_eq(hs.swap_in_bytes, s1.swap_in_bytes);
	pgr_host_destroy(h);
}
END_TEST

/*
 * Discarding frees swap: as above, guest "a" (now with upstream
 * reporting, 100 ms delay, no gate) fills 2048 pages while the host
 * swaps part of it, then holds, frees them and idles: the reports drop
 * every page it backed.  A dropped page that was in swap frees its slot
 * (no I/O), so the swapped pages go down with the resident ones, pro
 * rata.  Expect swapped <= resident at every tick, and once the host has
 * dropped all of a's pages, a resident 0 and swapped 0, no swap-in, and
 * the host's in-memory pages those of b alone.
 */
START_TEST(discard_frees_swap)
{
	struct pgr_host_config hc = { .budget_bytes = 12 * MiB,
				      .seed = 3,
				      .tick_ns = 10 * MS };
	struct pgr_host *h = pgr_host_create(&hc);
	struct pgr_host_guest_config b =
		guest("b", 12 * MiB, NULL, 0.67, 1000000000ULL);
	struct pgr_host_guest_config a =
		guest("a", 12 * MiB, "upstream", 0.67, 3);
	struct pgr_host_guest_stats sa, sb;
	struct pgr_host_stats hs;
	uint64_t swapped_max = 0;

	b.fill_at_launch = true;
	a.workload.rate = 100;
	a.reporting.delay_ns = 100 * MS;
	a.reporting.params = &gate_off;
	a.reporting.nr_params = 1;
	ck_assert_int_eq(pgr_host_add_guest(h, &b), 0);
	ck_assert_int_eq(pgr_host_add_guest(h, &a), 1);
	for (int t = 0; t < 300; t++) {
		ck_assert_int_eq(pgr_host_advance(h, 10 * MS), 0);
		ck_assert_int_eq(pgr_host_get_guest_stats(h, 1, &sa), 0);
		ck_assert_uint_le(sa.swapped_pages, sa.resident_pages);
		if (sa.swapped_pages > swapped_max)
			swapped_max = sa.swapped_pages;
	}
	ck_assert_uint_gt(swapped_max, 0); /* a was partly in swap */
	ck_assert_uint_eq(sa.workload.allocs, 4);
	ck_assert_uint_eq(sa.workload.live_pages, 0);
	ck_assert_uint_eq(sa.discarded_pages_total, 2048);
	ck_assert_uint_eq(sa.resident_pages, 0);
	ck_assert_uint_eq(sa.swapped_pages, 0);
	ck_assert_uint_eq(sa.swap_in_bytes, 0);
	ck_assert_int_eq(pgr_host_get_guest_stats(h, 0, &sb), 0);
	ck_assert_int_eq(pgr_host_get_stats(h, &hs), 0);
	ck_assert_uint_eq(hs.in_memory_bytes,
			  (sb.resident_pages - sb.swapped_pages) * 4096);
	pgr_host_destroy(h);
}
END_TEST

/* allocated + reported + free-unreported = zone pages, at every tick */
START_TEST(accounting_identity)
{
	struct pgr_host_config hc = { .budget_bytes = 1024 * MiB, .seed = 5 };
	struct pgr_host *h = pgr_host_create(&hc);
	static const char *strategies[] = { "v11-boundary", "upstream",
					    "bitmap", NULL };
	static const char *names[] = { "a", "b", "c", "d" };
	uint64_t reported_seen = 0;

	for (int i = 0; i < 4; i++) {
		struct pgr_host_guest_config g =
			guest(names[i], 128 * MiB, strategies[i], 0.8, 50);

		/* reporting needs 64 MiB of free blocks above the low mark */
		g.workload.kind = PGR_WORKLOAD_CHURN;
		g.workload.churn.occupancy = 0.3;
		g.workload.rate = 20000;
		g.workload_cycles = 0;
		g.base_fraction = 0.1;
		ck_assert_int_eq(pgr_host_add_guest(h, &g), i);
	}
	for (int t = 0; t < 100; t++) {
		ck_assert_int_eq(pgr_host_advance(h, 30 * MS), 0);
		for (unsigned i = 0; i < 4; i++) {
			struct pgr_host_guest_stats gs;
			const struct pgr_reporting_accounting *a = &gs.acct;

			ck_assert_int_eq(pgr_host_get_guest_stats(h, i, &gs),
					 0);
			ck_assert_uint_eq(a->zone_pages, 32768);
			ck_assert_uint_eq(a->isolated_pages, 0);
			ck_assert_uint_eq(a->allocated_pages +
						  a->reported_pages +
						  a->free_unreported_pages,
					  a->zone_pages);
			/* the guest holds its base and the workload's pages */
			ck_assert_uint_eq(a->allocated_pages,
					  3276 + gs.workload.live_pages);
			if (i == 3)
				ck_assert_uint_eq(a->reported_pages, 0);
			reported_seen += a->reported_pages;
		}
	}
	ck_assert_uint_gt(reported_seen, 0); /* the identity saw reports */
	pgr_host_destroy(h);
}
END_TEST

struct pfn_log {
	struct pgr_host *h;
	uint64_t pfn[40]; /* the blocks of fill 1 */
	unsigned n;
	uint64_t engine_refaults; /* the engine's count after the last */
	uint64_t expect_pages, expect_events;
};

/*
 * Each allocation of fill 2: a host refault iff the block was backed
 * (fill 1 used it) and the host had dropped it, which the engine's own
 * discarded flags tell (its refault count grew by the whole block).
 */
static void log_alloc(void *arg, uint64_t pfn, unsigned order)
{
	struct pfn_log *l = arg;
	struct pgr_reporting_accounting a;
	bool backed = false;
	uint64_t grew;

	ck_assert_uint_eq(order, 9);
	ck_assert_int_eq(pgr_reporting_get_accounting(
				 pgr_host_guest_node(l->h, 0), -1, &a),
			 0);
	grew = a.refault_pages - l->engine_refaults;
	l->engine_refaults = a.refault_pages;
	ck_assert(grew == 0 || grew == 512);
	if (l->n < 40) {
		l->pfn[l->n++] = pfn;
		return;
	}
	for (unsigned i = 0; i < 40; i++)
		backed |= l->pfn[i] == pfn;
	if (backed && grew) {
		l->expect_pages += 512;
		l->expect_events++;
	}
	l->n++;
}

/*
 * A 128 MiB guest fills 40 blocks of 2 MiB (80 MiB: v11 reports once 32
 * free blocks wait), frees them, idles a second (v11 reports most of the
 * free memory: the host drops the pages it backed), and fills again.
 * The host's refault count, from its own residency bitmap, must equal
 * the count from the allocation log above, block by block.
 */
START_TEST(refaults_exact)
{
	struct pgr_host_config hc = { .budget_bytes = 256 * MiB, .seed = 2 };
	struct pgr_host *h = pgr_host_create(&hc);
	struct pgr_host_guest_config g =
		guest("g", 128 * MiB, "v11-boundary", 0.625, 10);
	struct pgr_host_guest_stats gs;
	struct pfn_log log = { .h = h };

	g.workload_cycles = 2;
	g.cycle_gap_ns = 1000 * MS;
	g.workload.on_alloc = log_alloc;
	g.workload.arg = &log;
	ck_assert_int_eq(pgr_host_add_guest(h, &g), 0);
	ck_assert_int_eq(pgr_host_advance(h, 5000 * MS), 0);
	ck_assert_int_eq(pgr_host_get_guest_stats(h, 0, &gs), 0);
	ck_assert_uint_eq(log.n, 80);
	ck_assert_uint_gt(log.expect_events, 0); /* the case has refaults */
	ck_assert_uint_gt(gs.discarded_pages_total, 0);
	ck_assert_uint_eq(gs.host_refault_pages, log.expect_pages);
	ck_assert_uint_eq(gs.host_refault_events, log.expect_events);
	ck_assert_uint_eq(gs.refault_pages, log.engine_refaults);
	ck_assert_uint_eq(gs.lost_ns, log.expect_pages * PGR_HOST_REFAULT_NS);
	pgr_host_destroy(h);
}
END_TEST

/* "[force]" in shmem_enabled: shmem may use huge pages despite madvise */
static bool shmem_thp_forced(void)
{
	char buf[256] = "";
	FILE *f =
		fopen("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return strstr(buf, "[force]") != NULL;
}

static void check_kernel_bytes(struct pgr_host *h, bool forced)
{
	for (unsigned i = 0; i < pgr_host_nr_guests(h); i++) {
		struct pgr_host_guest_stats gs;
		uint64_t kb;

		ck_assert_int_eq(pgr_host_get_guest_stats(h, i, &gs), 0);
		ck_assert_int_eq(pgr_host_guest_kernel_bytes(h, i, &kb), 0);
		if (forced)
			ck_assert_uint_ge(kb, gs.resident_pages * 4096);
		else
			ck_assert_uint_eq(kb, gs.resident_pages * 4096);
	}
}

/* Real memfds: the kernel holds exactly what the host model says. */
START_TEST(real_memory)
{
	struct pgr_host_config hc = { .budget_bytes = 8192 * MiB,
				      .seed = 4,
				      .real_memory = true };
	struct pgr_host *h = pgr_host_create(&hc);
	static const char *strategies[] = { NULL, "v11-boundary", "upstream",
					    "bitmap" };
	static const char *names[] = { "none", "v11", "up", "bm" };
	bool forced = shmem_thp_forced();
	uint64_t kb;

	if (forced)
		fprintf(stderr, "check_host: shmem_enabled is [force]: "
				"the memfds may hold huge pages, checking "
				"kernel >= model only\n");
	ck_assert_ptr_nonnull(h);
	for (int i = 0; i < 4; i++) {
		struct pgr_host_guest_config g =
			guest(names[i], 128 * MiB, strategies[i], 0.8, 20);

		/* reporting needs 64 MiB of free blocks above the low mark */
		g.workload.kind = PGR_WORKLOAD_CHURN;
		g.workload.churn.occupancy = 0.3;
		g.workload.rate = 20000;
		g.workload_cycles = 0;
		g.base_fraction = 0.05;
		ck_assert_int_eq(pgr_host_add_guest(h, &g), i);
		ck_assert_int_eq(pgr_host_guest_kernel_bytes(h, i, &kb), 0);
	}
	check_kernel_bytes(h, forced);
	for (int t = 0; t < 10; t++) {
		ck_assert_int_eq(pgr_host_advance(h, 300 * MS), 0);
		check_kernel_bytes(h, forced);
	}
	for (unsigned i = 1; i < 4; i++) {
		struct pgr_host_guest_stats gs;

		ck_assert_int_eq(pgr_host_get_guest_stats(h, i, &gs), 0);
		/* the punches were exercised, on every reporting guest */
		ck_assert_uint_gt(gs.discarded_pages_total, 0);
	}
	/* bad input */
	{
		struct pgr_host_guest_config g =
			guest("big", 2048 * MiB, NULL, 0.5, 0);

		ck_assert_int_eq(pgr_host_add_guest(h, &g), -EINVAL);
		ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "real_memory"));
		ck_assert_uint_eq(pgr_host_nr_guests(h), 4);
		ck_assert_int_eq(pgr_host_guest_kernel_bytes(h, 4, &kb),
				 -ENOENT);
		ck_assert_int_eq(pgr_host_guest_kernel_bytes(h, 0, NULL),
				 -EINVAL);
	}
	pgr_host_destroy(h);
	/* a virtual host has no memfd to ask about */
	hc.real_memory = false;
	h = pgr_host_create(&hc);
	{
		struct pgr_host_guest_config g =
			guest("v", 32 * MiB, NULL, 0.5, 0);

		ck_assert_int_eq(pgr_host_add_guest(h, &g), 0);
		ck_assert_int_eq(pgr_host_guest_kernel_bytes(h, 0, &kb),
				 -EINVAL);
	}
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
	tcase_add_test(tc, swap_at_exact_budget);
	tcase_add_test(tc, no_swap_in_on_first_touch);
	tcase_add_test(tc, discard_frees_swap);
	tcase_add_test(tc, accounting_identity);
	tcase_add_test(tc, refaults_exact);
	tcase_add_test(tc, real_memory);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
