// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of traces (src/trace/): the pgrtrace text format round trip
 * and its errors, the perf script / ftrace importers on hand-written lines
 * of each format (good, reordered, missing fields, malformed: error with
 * the line number and nothing half-applied) and on the real trace shipped
 * in tests/data, record -> replay round trips that compare the whole zone
 * (free lists in order, every page) after every event, the replay's
 * accounting of what the trace never established, the /proc/zoneinfo
 * reader, pgr_zone_dump, and bad input to every public function.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

#include "mm_helpers.h"

#define NPAGES 4096

static struct pgr_trace_event ev(int op, uint64_t pfn, unsigned order)
{
	struct pgr_trace_event e = {
		.op = (uint8_t)op,
		.pfn = pfn,
		.order = (uint8_t)order,
		.migratetype = PGR_MIGRATE_MOVABLE,
		.zone = PGR_TRACE_UNKNOWN,
	};

	return e;
}

/* Text of @s as a FILE. */
static FILE *text(const char *s)
{
	FILE *f = fmemopen((void *)s, strlen(s), "r");

	ck_assert_ptr_nonnull(f);
	return f;
}

static int import_text(struct pgr_trace *t, const char *s,
		       enum pgr_trace_view view,
		       struct pgr_trace_import_stats *st)
{
	struct pgr_trace_import_config cfg = { .view = view };
	FILE *f = text(s);
	int err = pgr_trace_import(t, f, &cfg, st);

	fclose(f);
	return err;
}

static char *write_to_string(const struct pgr_trace *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pgr_trace_write(t, f), 0);
	fclose(f);
	return buf;
}

static void record_workload(struct pgr_zone *z, enum pgr_workload_kind k,
			    unsigned steps, struct pgr_trace *t)
{
	struct pgr_workload_config cfg = {
		.kind = k,
		.seed = mmh_seed(),
		.churn.occupancy = 0.6,
		.record = t,
	};
	struct pgr_workload *w = pgr_workload_create(z, &cfg);

	ck_assert_ptr_nonnull(w);
	pgr_workload_fill(w);
	for (unsigned i = 0; i < steps; i++) {
		pgr_workload_step(w);
		pgr_workload_set_time(w, i * 1000ULL);
	}
	pgr_workload_free_fraction(w, 0.5);
	pgr_workload_destroy(w);
}

/* ---- format -------------------------------------------------------------- */

START_TEST(test_format_round_trip)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0x40000, NPAGES, &z);
	struct pgr_trace *a = pgr_trace_create(), *b = pgr_trace_create();
	struct pgr_node_config cfg;
	char *s;
	FILE *f;

	record_workload(z, PGR_WORKLOAD_BUILD, 3000, a);
	ck_assert_uint_gt(pgr_trace_nr_events(a), 2000);
	s = write_to_string(a);
	ck_assert_ptr_nonnull(strstr(s, "pgrtrace 1\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nz 0 "));
	ck_assert_ptr_nonnull(strstr(s, " 0x40000 4096\n"));
	f = text(s);
	ck_assert_int_eq(pgr_trace_read(b, f), 0);
	fclose(f);
	ck_assert(mmh_trace_events_equal(a, b));
	ck_assert_int_eq(pgr_trace_node_config(b, &cfg), 0);
	ck_assert_uint_eq(cfg.nr_zones, 1);
	ck_assert_uint_eq(cfg.zones[0].start_pfn, 0x40000);
	ck_assert_uint_eq(cfg.zones[0].nr_pages, NPAGES);
	free(s);
	pgr_trace_destroy(a);
	pgr_trace_destroy(b);
	pgr_node_destroy(n);
}
END_TEST

static const struct {
	const char *text, *why;
} bad_pgrtrace[] = {
	{ "", "line 1" },
	{ "hello\n", "line 1: not a pgrtrace" },
	{ "pgrtrace 2\n", "version 2" },
	{ "pgrtrace 1\na 1 0x10 0 1 -\nq 2 0x0 0 1 -\n", "line 3: unknown op" },
	{ "pgrtrace 1\n# c\na 1 0x10 0 1\n", "line 3" },
	{ "pgrtrace 1\na 1 0x11 1 1 -\n", "line 2: pfn not aligned" },
	{ "pgrtrace 1\na 1 0x10 16 1 -\n", "line 2" },
	{ "pgrtrace 1\na 1 0x10 0 5 -\n", "line 2" },
	{ "pgrtrace 1\na 1 0x10 0 1 4\n", "line 2" },
	{ "pgrtrace 1\nf x 0x10 0 1 0\n", "line 2" },
	{ "pgrtrace 1\na 1 0x10 0 1 0 junk\n", "line 2" },
	{ "pgrtrace 1\nz 9 Normal 0 10\n", "line 2" },
	{ "pgrtrace 1\nz 0 Normal 0 0\n", "line 2" },
};

START_TEST(test_format_errors_leave_trace_unchanged)
{
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_trace_event e = ev(PGR_TRACE_ALLOC, 8, 3);
	FILE *f = text(bad_pgrtrace[_i].text);

	ck_assert_int_eq(pgr_trace_append(t, &e), 0);
	ck_assert_int_eq(pgr_trace_read(t, f), -EINVAL);
	ck_assert_msg(strstr(pgr_errmsg(), bad_pgrtrace[_i].why),
		      "case %d: \"%s\" lacks \"%s\"", _i, pgr_errmsg(),
		      bad_pgrtrace[_i].why);
	ck_assert_uint_eq(pgr_trace_nr_events(t), 1);
	ck_assert_uint_eq(pgr_trace_events(t)[0].pfn, 8);
	fclose(f);
	pgr_trace_destroy(t);
}
END_TEST

START_TEST(test_format_unknown_fields)
{
	struct pgr_trace *t = pgr_trace_create();
	FILE *f = text("pgrtrace 1\n\n# x\na 5 0x200 9 - -\nf 6 0x200 9 2 1\n");

	ck_assert_int_eq(pgr_trace_read(t, f), 0);
	ck_assert_uint_eq(pgr_trace_nr_events(t), 2);
	ck_assert_int_eq(pgr_trace_events(t)[0].migratetype, PGR_TRACE_UNKNOWN);
	ck_assert_int_eq(pgr_trace_events(t)[0].zone, PGR_TRACE_UNKNOWN);
	ck_assert_int_eq(pgr_trace_events(t)[1].op, PGR_TRACE_FREE);
	ck_assert_int_eq(pgr_trace_events(t)[1].zone, 1);
	ck_assert_uint_eq(pgr_trace_events(t)[1].time_ns, 6);
	fclose(f);
	pgr_trace_destroy(t);
}
END_TEST

/* ---- importers ----------------------------------------------------------- */

/* ftrace `trace` output: header, then the five events, 6.18 layout. */
static const char ftrace_text[] =
	"# tracer: nop\n"
	"#\n"
	"# entries-in-buffer/entries-written: 7/7   #P:2\n"
	"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
	"#              | |         |   |||||     |         |\n"
	"              cc1-100   [001] ..... 10.000001: "
	"mm_page_alloc_zone_locked: "
	"page=0000000012345678 pfn=0x1200 order=0 migratetype=1 "
	"percpu_refill=1\n"
	"              cc1-100   [001] ..... 10.000002: mm_page_alloc: "
	"page=0000000012345678 pfn=0x1200 order=0 migratetype=1 "
	"gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_COMP\n"
	"              cc1-100   [001] ..... 10.000003: mm_page_free: "
	"page=0000000012345678 pfn=0x1200 order=0\n"
	"              cc1-100   [001] ..... 10.000004: mm_page_free_batched: "
	"page=0000000012345678 pfn=0x1201 order=0\n"
	"          kswapd0-30    [000] d..2. 10.000005: mm_page_pcpu_drain: "
	"page=0000000012345678 pfn=0x1200 order=0 migratetype=1\n"
	"              cc1-100   [001] ..... 10.000006: mm_page_free: "
	"page=0000000012345678 pfn=0x1300 order=4\n"
	"CPU:1 [LOST 12 EVENTS]\n"
	"              cc1-100   [001] ..... 10.000007: sched_switch: "
	"prev_comm=cc1 prev_pid=100\n"
	"              cc1-100   [001] ..... 10.000008: mm_page_alloc: "
	"page=(nil) pfn=0x0 order=9 migratetype=1 gfp_flags=GFP_TRANSHUGE\n";

START_TEST(test_import_ftrace_buddy_view)
{
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_trace_import_stats st;
	const struct pgr_trace_event *e;

	ck_assert_int_eq(import_text(t, ftrace_text, PGR_TRACE_VIEW_BUDDY, &st),
			 0);
	/* zone_locked -> alloc, pcpu_drain -> free, order-4 free -> free */
	ck_assert_uint_eq(pgr_trace_nr_events(t), 3);
	e = pgr_trace_events(t);
	ck_assert_int_eq(e[0].op, PGR_TRACE_ALLOC);
	ck_assert_uint_eq(e[0].pfn, 0x1200);
	ck_assert_uint_eq(e[0].time_ns, 10000001000ULL);
	ck_assert_int_eq(e[0].migratetype, 1);
	ck_assert_int_eq(e[1].op, PGR_TRACE_FREE);
	ck_assert_uint_eq(e[1].time_ns, 10000005000ULL);
	ck_assert_int_eq(e[2].op, PGR_TRACE_FREE);
	ck_assert_uint_eq(e[2].order, 4);
	ck_assert_int_eq(e[2].migratetype, PGR_TRACE_UNKNOWN);
	ck_assert_uint_eq(st.pcp_frees, 1);
	ck_assert_uint_eq(st.lost_events, 12);
	ck_assert_uint_eq(st.other_events, 1);
	ck_assert_uint_eq(st.failed_allocs, 1);
	ck_assert_uint_eq(st.seen[PGR_KMEM_PAGE_ALLOC], 2);
	ck_assert_uint_eq(st.seen[PGR_KMEM_PAGE_FREE_BATCHED], 1);
	ck_assert_uint_eq(st.skipped, 6);
	ck_assert_uint_eq(st.events, 3);
	pgr_trace_destroy(t);
}
END_TEST

START_TEST(test_import_caller_view)
{
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_trace_import_stats st;
	const struct pgr_trace_event *e;

	ck_assert_int_eq(
		import_text(t, ftrace_text, PGR_TRACE_VIEW_CALLER, &st), 0);
	/* mm_page_alloc -> alloc, both mm_page_free -> free */
	ck_assert_uint_eq(pgr_trace_nr_events(t), 3);
	e = pgr_trace_events(t);
	ck_assert_int_eq(e[0].op, PGR_TRACE_ALLOC);
	ck_assert_uint_eq(e[0].time_ns, 10000002000ULL);
	ck_assert_int_eq(e[1].op, PGR_TRACE_FREE);
	ck_assert_uint_eq(e[1].pfn, 0x1200);
	ck_assert_uint_eq(e[2].pfn, 0x1300);
	ck_assert_uint_eq(st.pcp_frees, 0);
	pgr_trace_destroy(t);
}
END_TEST

/* mm_page_free at orders 3, 9, 4 and 8, in that order. */
static const char pcp_orders_text[] =
	"  cc1-100 [001] ..... 20.000001: mm_page_free: page=0000000012345678 "
	"pfn=0x40000 order=3\n"
	"  cc1-100 [001] ..... 20.000002: mm_page_free: page=0000000012345678 "
	"pfn=0x40200 order=9\n"
	"  cc1-100 [001] ..... 20.000003: mm_page_free: page=0000000012345678 "
	"pfn=0x40010 order=4\n"
	"  cc1-100 [001] ..... 20.000004: mm_page_free: page=0000000012345678 "
	"pfn=0x40100 order=8\n";

/*
 * Which mm_page_free goes to a per-CPU list in the buddy view.  Linux
 * 6.1 (pcp_allowed_order): orders up to PAGE_ALLOC_COSTLY_ORDER (3) and
 * pageblock_order (9), so 3 and 9 are pcp frees, 4 and 8 buddy frees.
 * With pcp_max_order 5 (thp order 0): 3 and 4 pcp, 8 and 9 buddy.  With
 * 2 and 8: only 8 pcp.  _i picks the configuration.
 */
START_TEST(test_import_pcp_orders)
{
	static const struct {
		unsigned max, thp;
		unsigned buddy[3]; /* FREE events' orders, trace order */
		unsigned nr_buddy;
	} c[] = {
		{ 0, 0, { 4, 8 }, 2 },
		{ 5, 0, { 9, 8 }, 2 },
		{ 2, 8, { 3, 9, 4 }, 3 },
	};
	struct pgr_trace_import_config cfg = { .view = PGR_TRACE_VIEW_BUDDY,
					       .pcp_max_order = c[_i].max,
					       .pcp_thp_order = c[_i].thp };
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_trace_import_stats st;
	const struct pgr_trace_event *e;
	FILE *f = text(pcp_orders_text);

	ck_assert_int_eq(pgr_trace_import(t, f, &cfg, &st), 0);
	fclose(f);
	ck_assert_uint_eq(st.seen[PGR_KMEM_PAGE_FREE], 4);
	ck_assert_uint_eq(pgr_trace_nr_events(t), c[_i].nr_buddy);
	ck_assert_uint_eq(st.events, c[_i].nr_buddy);
	ck_assert_uint_eq(st.pcp_frees, 4 - c[_i].nr_buddy);
	e = pgr_trace_events(t);
	for (unsigned k = 0; k < c[_i].nr_buddy; k++) {
		ck_assert_int_eq(e[k].op, PGR_TRACE_FREE);
		ck_assert_uint_eq(e[k].order, c[_i].buddy[k]);
	}
	pgr_trace_destroy(t);
}
END_TEST

/* perf script default output, fields reordered, times in ns, no time. */
START_TEST(test_import_perf_script_reordered)
{
	static const char perf_text[] =
		"            perf  4242 [000]  1234.567890123: "
		"kmem:mm_page_alloc_zone_locked: page=0xffffea0000048000 "
		"pfn=0x1200 order=9 migratetype=1 percpu_refill=1\n"
		"cc1 77 [001] 1234.600000: kmem:mm_page_pcpu_drain: "
		"migratetype=2 order=1 pfn=0x4002 page=0xffff\n"
		"kmem:mm_page_free: order=5 pfn=0x8000\n"
		"   make 1 [000] 1235.000000: kmem:mm_page_free_batched: "
		"pfn=0x9000 page=0x1\n";
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_trace_import_stats st;
	const struct pgr_trace_event *e;

	ck_assert_int_eq(import_text(t, perf_text, PGR_TRACE_VIEW_BUDDY, &st),
			 0);
	ck_assert_uint_eq(pgr_trace_nr_events(t), 3);
	e = pgr_trace_events(t);
	ck_assert_uint_eq(e[0].time_ns, 1234567890123ULL);
	ck_assert_uint_eq(e[0].order, 9);
	ck_assert_uint_eq(e[1].pfn, 0x4002);
	ck_assert_uint_eq(e[1].order, 1);
	ck_assert_int_eq(e[1].migratetype, 2);
	/* no timestamp: the previous line's */
	ck_assert_uint_eq(e[2].time_ns, 1234600000000ULL);
	ck_assert_uint_eq(e[2].order, 5);
	ck_assert_uint_eq(st.no_time, 1);
	ck_assert_uint_eq(st.seen[PGR_KMEM_PAGE_FREE_BATCHED], 1);
	pgr_trace_destroy(t);
}
END_TEST

static const struct {
	const char *line, *why;
} bad_kmem[] = {
	{ " cc1-1 [000] ..... 1.0: mm_page_free: pfn=0xZZ order=0\n",
	  "line 3: malformed field pfn" },
	{ " cc1-1 [000] ..... 1.0: mm_page_free: order=0\n",
	  "line 3: no pfn= field in mm_page_free" },
	{ " cc1-1 [000] ..... 1.0: mm_page_alloc_zone_locked: pfn=0x10\n",
	  "line 3: no order= field" },
	{ " cc1-1 [000] ..... 1.0: mm_page_free: pfn=0x10 order=x1\n",
	  "line 3: malformed field order" },
	{ " cc1-1 [000] ..... 1.0: mm_page_free: pfn=0x10 order=40\n",
	  "line 3: order out of range" },
	{ " cc1-1 [000] ..... 1.0: mm_page_free: pfn=0x11 order=1\n",
	  "line 3: pfn not aligned" },
	{ " cc1-1 [000] ..... 1.0: mm_page_pcpu_drain: pfn=0x10 order=0 "
	  "migratetype=77\n",
	  "line 3: migratetype out of range" },
	{ "complete garbage\n", "line 3: not a trace event line" },
};

START_TEST(test_import_malformed_line_nothing_applied)
{
	char buf[512];
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_trace_event e = ev(PGR_TRACE_FREE, 0x40, 2);

	/* two good lines first: they must not be appended either */
	snprintf(buf, sizeof(buf),
		 " cc1-1 [000] ..... 1.0: mm_page_pcpu_drain: pfn=0x20 "
		 "order=0 migratetype=1\n"
		 " cc1-1 [000] ..... 1.0: mm_page_alloc_zone_locked: "
		 "pfn=0x30 order=0 migratetype=1\n%s",
		 bad_kmem[_i].line);
	ck_assert_int_eq(pgr_trace_append(t, &e), 0);
	ck_assert_int_eq(import_text(t, buf, PGR_TRACE_VIEW_BUDDY, NULL),
			 -EINVAL);
	ck_assert_msg(strstr(pgr_errmsg(), bad_kmem[_i].why),
		      "case %d: \"%s\" lacks \"%s\"", _i, pgr_errmsg(),
		      bad_kmem[_i].why);
	ck_assert_uint_eq(pgr_trace_nr_events(t), 1);
	ck_assert_uint_eq(pgr_trace_events(t)[0].pfn, 0x40);
	pgr_trace_destroy(t);
}
END_TEST

static FILE *open_data(const char *name, bool xz)
{
	const char *src = getenv("top_srcdir");
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s %s/tests/data/%s", xz ? "xz -dc" : "cat",
		 src ? src : ".", name);
	return popen(cmd, "r");
}

/* The real trace shipped in tests/data imports whole, in both views. */
START_TEST(test_import_shipped_trace)
{
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_trace_import_stats st;
	struct pgr_trace_import_config cfg = {
		.view = (enum pgr_trace_view)_i
	};
	FILE *f = open_data("kmem-build-hog.trace.xz", true);
	uint64_t seen = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_msg(!pgr_trace_import(t, f, &cfg, &st), "%s", pgr_errmsg());
	ck_assert_int_eq(pclose(f), 0);
	for (int i = 0; i < PGR_NR_KMEM_EVENTS; i++) {
		ck_assert_uint_gt(st.seen[i], 0);
		seen += st.seen[i];
	}
	ck_assert_uint_eq(st.lines, seen + st.skipped + st.other_events);
	ck_assert_uint_gt(st.events, 1000);
	ck_assert_uint_eq(pgr_trace_nr_events(t), st.events);
	if (_i == PGR_TRACE_VIEW_BUDDY)
		ck_assert_uint_eq(st.events,
				  st.seen[PGR_KMEM_PAGE_ALLOC_ZONE_LOCKED] +
					  st.seen[PGR_KMEM_PAGE_PCPU_DRAIN] +
					  st.seen[PGR_KMEM_PAGE_FREE] -
					  st.pcp_frees);
	else
		ck_assert_uint_eq(st.events,
				  st.seen[PGR_KMEM_PAGE_ALLOC] -
					  st.failed_allocs +
					  st.seen[PGR_KMEM_PAGE_FREE]);
	pgr_trace_destroy(t);
}
END_TEST

/* ---- record -> replay ---------------------------------------------------- */

struct lockstep {
	struct pgr_zone *zb;
	struct mmh_snap want;
	size_t checked;
};

static int compare_after_event(void *arg, size_t i,
			       const struct pgr_trace_event *e)
{
	struct lockstep *ls = arg;
	struct mmh_snap got;
	const char *why;

	(void)e;
	mmh_snap_take(ls->zb, &got);
	why = mmh_snap_diff(&ls->want, &got);
	ck_assert_msg(!why, "event %zu: %s", i, why);
	mmh_snap_free(&got);
	ls->checked++;
	return 0;
}

/*
 * Churn on A, recorded; after every step A's one new event is replayed on
 * B and the two zones compared whole (free lists head to tail, every
 * page, the counters).  _i: 0 exact, 1 policy.
 */
START_TEST(test_record_replay_lockstep)
{
	struct pgr_zone *za, *zb;
	struct pgr_node *na = mmh_populated(0, 0, 0, NPAGES, &za);
	struct pgr_node *nb = mmh_populated(0, 0, 0, NPAGES, &zb);
	struct pgr_trace *t = pgr_trace_create();
	struct lockstep ls = { .zb = zb };
	struct pgr_replay_config rcfg = {
		.mode = (enum pgr_replay_mode)_i,
		.after_event = compare_after_event,
		.arg = &ls,
	};
	struct pgr_workload_config wcfg = {
		.kind = PGR_WORKLOAD_CHURN,
		.seed = mmh_seed(),
		.churn.occupancy = 0.7,
		.record = t,
	};
	struct pgr_replay *r = pgr_replay_create(nb, &rcfg);
	struct pgr_workload *w = pgr_workload_create(za, &wcfg);
	struct pgr_replay_stats st;
	size_t done = 0;

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(w);
	for (int i = 0; i < 4000; i++) {
		pgr_workload_step(w);
		ck_assert_uint_le(pgr_trace_nr_events(t) - done, 1);
		if (pgr_trace_nr_events(t) == done)
			continue;
		mmh_snap_take(za, &ls.want);
		ck_assert_int_eq(
			pgr_replay_event(r, &pgr_trace_events(t)[done++]), 0);
		mmh_snap_free(&ls.want);
	}
	ck_assert_uint_gt(ls.checked, 3000);
	pgr_replay_get_stats(r, &st);
	ck_assert_uint_eq(st.allocs + st.frees, ls.checked);
	ck_assert_uint_eq(st.alloc_conflicts + st.free_unestablished +
				  st.free_unmatched + st.alloc_failures,
			  0);
	pgr_workload_destroy(w);
	pgr_replay_destroy(r);
	pgr_trace_destroy(t);
	pgr_node_destroy(na);
	pgr_node_destroy(nb);
}
END_TEST

static int check_zone_after_event(void *arg, size_t i,
				  const struct pgr_trace_event *e)
{
	char why[256];

	(void)e;
	ck_assert_msg(!pgr_zone_check(arg, why, sizeof(why)), "event %zu: %s",
		      i, why);
	return 0;
}

/*
 * A build-like run (several events per step, shuffle on), saved as text,
 * loaded and replayed exactly onto a fresh node: the free lists are the
 * same, bit for bit, and the zone is consistent after every event.
 */
START_TEST(test_exact_replay_reproduces_free_lists)
{
	struct pgr_node_config ncfg = {
		.shuffle = true,
		.seed = 5,
		.nr_zones = 1,
		.zones[0] = { .start_pfn = 0x100000, .nr_pages = 4 * NPAGES },
	};
	struct pgr_node *na = pgr_node_create(&ncfg), *nb;
	struct pgr_trace *t = pgr_trace_create(), *u = pgr_trace_create();
	struct pgr_node_config cfg2;
	struct mmh_snap sa, sb;
	struct pgr_replay_config rcfg = { .after_event =
						  check_zone_after_event };
	struct pgr_replay *r;
	struct pgr_replay_stats st;
	const char *why;
	char *s;
	FILE *f;

	pgr_zone_populate(pgr_node_zone(na, 0));
	record_workload(pgr_node_zone(na, 0), PGR_WORKLOAD_BUILD, 20000, t);
	s = write_to_string(t);
	f = text(s);
	ck_assert_int_eq(pgr_trace_read(u, f), 0);
	fclose(f);
	ck_assert_int_eq(pgr_trace_node_config(u, &cfg2), 0);
	cfg2.shuffle = true;
	cfg2.seed = 5;
	nb = pgr_node_create(&cfg2);
	ck_assert_ptr_nonnull(nb);
	pgr_zone_populate(pgr_node_zone(nb, 0));
	rcfg.arg = pgr_node_zone(nb, 0);
	r = pgr_replay_create(nb, &rcfg);
	ck_assert_int_eq(pgr_replay_run(r, u), 0);
	pgr_replay_get_stats(r, &st);
	ck_assert_uint_eq(st.events, pgr_trace_nr_events(t));
	ck_assert_uint_eq(st.allocs + st.frees, st.events);
	mmh_snap_take(pgr_node_zone(na, 0), &sa);
	mmh_snap_take(pgr_node_zone(nb, 0), &sb);
	why = mmh_snap_diff(&sa, &sb);
	ck_assert_msg(!why, "%s", why);
	mmh_snap_free(&sa);
	mmh_snap_free(&sb);
	free(s);
	pgr_replay_destroy(r);
	pgr_trace_destroy(t);
	pgr_trace_destroy(u);
	pgr_node_destroy(na);
	pgr_node_destroy(nb);
}
END_TEST

/* What the trace never established is counted, not applied. */
START_TEST(test_exact_replay_unestablished)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, NPAGES, &z);
	struct pgr_replay *r = pgr_replay_create(n, NULL);
	struct pgr_trace_event e;
	struct pgr_replay_stats st;

	/* a free of memory allocated before the trace: the model has it free */
	e = ev(PGR_TRACE_FREE, 0x100, 0);
	ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	/* the same block allocated twice: the second is a conflict */
	e = ev(PGR_TRACE_ALLOC, 0x200, 2);
	ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	/* split_page: free one order-0 page of the order-2 block */
	e = ev(PGR_TRACE_FREE, 0x201, 0);
	ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	/* outside every zone */
	e = ev(PGR_TRACE_ALLOC, 0x100000, 0);
	ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	pgr_replay_get_stats(r, &st);
	ck_assert_uint_eq(st.events, 5);
	ck_assert_uint_eq(st.free_unestablished, 1);
	ck_assert_uint_eq(st.allocs, 1);
	ck_assert_uint_eq(st.alloc_conflicts, 1);
	ck_assert_uint_eq(st.partial_frees, 1);
	ck_assert_uint_eq(st.frees, 1);
	ck_assert_uint_eq(st.outside, 1);
	ck_assert_int_eq(mmh_page(z, 0x201).state, PGR_PAGE_FREE);
	ck_assert_int_eq(mmh_page(z, 0x200).state, PGR_PAGE_ALLOCATED);
	ck_assert_int_eq(mmh_page(z, 0x202).state, PGR_PAGE_ALLOCATED);
	ck_assert_uint_eq(mmh_page(z, 0x202).order, 1);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, NPAGES - 3);
	MMH_CHECK(z);
	pgr_replay_destroy(r);
	pgr_node_destroy(n);
}
END_TEST

/*
 * A free of a whole block the model already has free, at the block's own
 * order: an order-10 block of the populated zone, and the order-9 half
 * left free after taking the other.  Expect both unestablished (allocated
 * before the trace began), neither a conflict nor a free, and the free
 * page count unchanged.  Only frees inside a larger free block (0x100
 * above) were tested: there the end of the event lies before the block's.
 */
START_TEST(test_exact_replay_free_of_free_block)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, NPAGES, &z);
	struct pgr_replay *r = pgr_replay_create(n, NULL);
	struct pgr_trace_event e;
	struct pgr_replay_stats st;
	uint64_t free0;

	mmh_take(z, 0, MMH_PB);
	free0 = mmh_info(z).nr_free_pages;
	ck_assert_int_eq(mmh_page(z, 1024).state, PGR_PAGE_FREE);
	ck_assert_uint_eq(mmh_page(z, 1024).order, MMH_MO - 1);
	ck_assert_int_eq(mmh_page(z, 512).state, PGR_PAGE_FREE);
	ck_assert_uint_eq(mmh_page(z, 512).order, MMH_PB);
	e = ev(PGR_TRACE_FREE, 1024, MMH_MO - 1);
	ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	e = ev(PGR_TRACE_FREE, 512, MMH_PB);
	ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	pgr_replay_get_stats(r, &st);
	ck_assert_uint_eq(st.events, 2);
	ck_assert_uint_eq(st.free_unestablished, 2);
	ck_assert_uint_eq(st.free_conflicts, 0);
	ck_assert_uint_eq(st.frees, 0);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, free0);
	ck_assert_uint_eq(mmh_page(z, 1024).order, MMH_MO - 1);
	ck_assert_uint_eq(mmh_page(z, 512).order, MMH_PB);
	MMH_CHECK(z);
	pgr_replay_destroy(r);
	pgr_node_destroy(n);
}
END_TEST

/* repair: an alloc of a block the model has allocated frees it first. */
START_TEST(test_exact_replay_repair)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, NPAGES, &z);
	struct pgr_replay_config cfg = { .repair = true };
	struct pgr_replay *r = pgr_replay_create(n, &cfg);
	struct pgr_trace_event e;
	struct pgr_replay_stats st;

	e = ev(PGR_TRACE_ALLOC, 0x200, 2);
	ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	ck_assert_int_eq(pgr_replay_event(r, &e), 0); /* same block again */
	e = ev(PGR_TRACE_ALLOC, 0x200, 3); /* holds the order-2 block */
	ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	e = ev(PGR_TRACE_ALLOC, 0x203, 0); /* inside the order-3 block */
	ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	pgr_replay_get_stats(r, &st);
	ck_assert_uint_eq(st.allocs, 4);
	ck_assert_uint_eq(st.alloc_repaired, 3);
	ck_assert_uint_eq(st.alloc_conflicts, 0);
	ck_assert_int_eq(mmh_page(z, 0x203).state, PGR_PAGE_ALLOCATED);
	ck_assert_uint_eq(mmh_page(z, 0x203).order, 0);
	ck_assert_uint_eq(mmh_page(z, 0x204).order, 2); /* the rest stays */
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, NPAGES - 8);
	MMH_CHECK(z);
	pgr_replay_destroy(r);
	pgr_node_destroy(n);
}
END_TEST

START_TEST(test_policy_replay_mapping)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, NPAGES, &z);
	struct pgr_replay_config cfg = { .mode = PGR_REPLAY_POLICY,
					 .policy_zone_set = true,
					 .policy_zone = 0 };
	struct pgr_replay *r = pgr_replay_create(n, &cfg);
	struct pgr_trace_event e;
	struct pgr_replay_stats st;

	/* pfns far outside the zone: the model chooses its own */
	for (uint64_t i = 0; i < 300; i++) {
		e = ev(PGR_TRACE_ALLOC, 0x7000000 + i * 8, 3);
		ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	}
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, NPAGES - 2400);
	for (uint64_t i = 0; i < 300; i += 2) {
		e = ev(PGR_TRACE_FREE, 0x7000000 + i * 8, 3);
		ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	}
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, NPAGES - 1200);
	e = ev(PGR_TRACE_FREE, 0x6000000, 0); /* never allocated */
	pgr_replay_event(r, &e);
	e = ev(PGR_TRACE_FREE, 0x7000008, 0); /* allocated at order 3 */
	pgr_replay_event(r, &e);
	e = ev(PGR_TRACE_ALLOC, 0x7000018, 3); /* still live */
	pgr_replay_event(r, &e);
	pgr_replay_get_stats(r, &st);
	ck_assert_uint_eq(st.free_unmatched, 1);
	ck_assert_uint_eq(st.order_mismatch, 1);
	ck_assert_uint_eq(st.realloc_live, 1);
	ck_assert_uint_eq(st.allocs, 301);
	ck_assert_uint_eq(st.frees, 151);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, NPAGES - 1192);
	/* a zone full: the model has no block, counted */
	for (uint64_t i = 0; i < 10; i++) {
		e = ev(PGR_TRACE_ALLOC, 0x9000000 + i * 1024, 10);
		pgr_replay_event(r, &e);
	}
	pgr_replay_get_stats(r, &st);
	ck_assert_uint_gt(st.alloc_failures, 0);
	MMH_CHECK(z);
	pgr_replay_destroy(r);
	pgr_node_destroy(n);
}
END_TEST

/* Free pages on the lists of @mt, every order. */
static uint64_t free_pages_mt(struct pgr_zone *z, int mt)
{
	struct pgr_zone_info info = mmh_info(z);
	uint64_t n = 0;

	for (unsigned o = 0; o < info.max_order; o++)
		n += info.nr_free_mt[o][mt] << o;
	return n;
}

/*
 * Policy replay keeps the traced migratetype: pageblock 512 is made
 * HIGHATOMIC (its free order-9 block moves to that list), then a traced
 * HIGHATOMIC order-0 allocation.  Expect the model to serve it from that
 * pageblock (HIGHATOMIC has no fallback), not from MOVABLE, and a
 * MOVABLE one from MOVABLE.
 */
START_TEST(test_policy_replay_keeps_migratetype)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, NPAGES, &z);
	struct pgr_replay_config cfg = { .mode = PGR_REPLAY_POLICY,
					 .policy_zone_set = true,
					 .policy_zone = 0 };
	struct pgr_replay *r = pgr_replay_create(n, &cfg);
	struct pgr_trace_event e;
	struct pgr_replay_stats st;
	uint64_t movable0;

	mmh_take(z, 0, MMH_PB);
	mmh_set_mt(z, 512, PGR_MIGRATE_HIGHATOMIC);
	ck_assert_uint_eq(free_pages_mt(z, PGR_MIGRATE_HIGHATOMIC), 512);
	movable0 = free_pages_mt(z, PGR_MIGRATE_MOVABLE);
	e = ev(PGR_TRACE_ALLOC, 0x7000000, 0);
	e.migratetype = PGR_MIGRATE_HIGHATOMIC;
	ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	pgr_replay_get_stats(r, &st);
	ck_assert_uint_eq(st.allocs, 1);
	ck_assert_uint_eq(st.alloc_failures, 0);
	ck_assert_uint_eq(free_pages_mt(z, PGR_MIGRATE_HIGHATOMIC), 511);
	ck_assert_uint_eq(free_pages_mt(z, PGR_MIGRATE_MOVABLE), movable0);
	ck_assert_int_eq(mmh_page(z, 512).state, PGR_PAGE_ALLOCATED);
	e = ev(PGR_TRACE_ALLOC, 0x7000001, 0); /* MOVABLE */
	ck_assert_int_eq(pgr_replay_event(r, &e), 0);
	ck_assert_uint_eq(free_pages_mt(z, PGR_MIGRATE_HIGHATOMIC), 511);
	ck_assert_uint_eq(free_pages_mt(z, PGR_MIGRATE_MOVABLE), movable0 - 1);
	MMH_CHECK(z);
	pgr_replay_destroy(r);
	pgr_node_destroy(n);
}
END_TEST

/* The engine clock follows the trace: a strategy reports during replay. */
START_TEST(test_replay_drives_engine_clock)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, 8 * NPAGES, &z);
	struct pgr_sink *sink = pgr_sink_null_create(32);
	struct pgr_reporting_config rc = { .strategy =
						   PGR_STRATEGY_V11_BOUNDARY };
	struct pgr_replay *r;
	struct pgr_reporting_stats rs;
	struct pgr_replay_stats st;
	struct pgr_trace_event e;

	ck_assert_int_eq(pgr_reporting_register(n, sink, &rc), 0);
	r = pgr_replay_create(n, NULL);
	for (uint64_t i = 0; i < 40; i++) {
		e = ev(PGR_TRACE_ALLOC, i * 512, 9);
		e.time_ns = 5000000000ULL + i;
		pgr_replay_event(r, &e);
	}
	for (uint64_t i = 0; i < 40; i++) {
		e = ev(PGR_TRACE_FREE, i * 512, 9);
		e.time_ns = 5000000000ULL + i * 10000000ULL;
		pgr_replay_event(r, &e);
	}
	e.time_ns = 7000000000ULL;
	pgr_replay_event(r, &e); /* moves the clock 2 s on */
	pgr_replay_get_stats(r, &st);
	ck_assert_uint_eq(st.clock_ns, 2000000000ULL);
	pgr_reporting_get_stats(n, &rs);
	ck_assert_uint_gt(rs.blocks_reported, 0);
	pgr_replay_destroy(r);
	pgr_reporting_unregister(n);
	pgr_sink_destroy(sink);
	pgr_node_destroy(n);
}
END_TEST

/*
 * The engine clock moves in whole ticks of the trace's time: with the
 * default 1 ms tick, events 1.5 ms and 2.9 ms after the first move it 1
 * and 2 ms; with a 10 ms tick, one 25 ms after moves it 20 ms.  A
 * strategy's delayed work runs on these ticks, not on trace nanoseconds.
 */
START_TEST(test_replay_clock_in_ticks)
{
	static const uint64_t t0 = 5000000000ULL;
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, NPAGES, &z);
	struct pgr_sink *sink = pgr_sink_null_create(32);
	struct pgr_reporting_config rc = { .strategy = PGR_STRATEGY_UPSTREAM };
	struct pgr_replay_config cfg = { .tick_ns = 0 };
	struct pgr_replay_stats st;
	struct pgr_trace_event e = ev(PGR_TRACE_FREE, 0x100, 0);
	struct pgr_replay *r;
	uint64_t now0;

	ck_assert_int_eq(pgr_reporting_register(n, sink, &rc), 0);
	now0 = pgr_reporting_now(n);
	for (int pass = 0; pass < 2; pass++) {
		r = pgr_replay_create(n, &cfg);
		ck_assert_ptr_nonnull(r);
		e.time_ns = t0;
		ck_assert_int_eq(pgr_replay_event(r, &e), 0); /* starts */
		if (!pass) {
			e.time_ns = t0 + 1500000;
			ck_assert_int_eq(pgr_replay_event(r, &e), 0);
			pgr_replay_get_stats(r, &st);
			ck_assert_uint_eq(st.clock_ns, 1000000);
			e.time_ns = t0 + 2900000;
			ck_assert_int_eq(pgr_replay_event(r, &e), 0);
			pgr_replay_get_stats(r, &st);
			ck_assert_uint_eq(st.clock_ns, 2000000);
			ck_assert_uint_eq(pgr_reporting_now(n), now0 + 2000000);
			now0 += 2000000;
		} else {
			e.time_ns = t0 + 25000000;
			ck_assert_int_eq(pgr_replay_event(r, &e), 0);
			pgr_replay_get_stats(r, &st);
			ck_assert_uint_eq(st.clock_ns, 20000000);
			ck_assert_uint_eq(pgr_reporting_now(n),
					  now0 + 20000000);
		}
		pgr_replay_destroy(r);
		cfg.tick_ns = 10000000;
	}
	pgr_reporting_unregister(n);
	pgr_sink_destroy(sink);
	pgr_node_destroy(n);
}
END_TEST

/* ---- zoneinfo, dump ------------------------------------------------------ */

START_TEST(test_zoneinfo_shipped)
{
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_node_config cfg;
	FILE *f = open_data("kmem-build-hog.zoneinfo.start", false);

	ck_assert_ptr_nonnull(f);
	ck_assert_msg(!pgr_trace_set_zones_from_zoneinfo(t, f, 0), "%s",
		      pgr_errmsg());
	pclose(f);
	ck_assert_int_eq(pgr_trace_node_config(t, &cfg), 0);
	ck_assert_uint_eq(cfg.nr_zones, 3);
	ck_assert_str_eq(cfg.zones[0].name, "DMA");
	ck_assert_uint_eq(cfg.zones[0].start_pfn, 1);
	ck_assert_uint_eq(cfg.zones[0].nr_pages, 4095);
	ck_assert_str_eq(cfg.zones[2].name, "Normal");
	ck_assert_uint_eq(cfg.zones[2].start_pfn, 0x100000);
	f = text("Node 0, zone Normal\n  pages free 3\n");
	ck_assert_int_eq(pgr_trace_set_zones_from_zoneinfo(t, f, 0), -ENOENT);
	fclose(f);
	f = text("Node 0, zone Normal\n start_pfn: 5\n");
	ck_assert_int_eq(pgr_trace_set_zones_from_zoneinfo(t, f, 0), -EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "line 2"));
	fclose(f);
	/* the failures left the geometry alone */
	ck_assert_int_eq(pgr_trace_node_config(t, &cfg), 0);
	ck_assert_uint_eq(cfg.nr_zones, 3);
	pgr_trace_destroy(t);
}
END_TEST

START_TEST(test_zone_dump_buddyinfo_layout)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, NPAGES, &z);
	struct pgr_zone_info info;
	char *buf = NULL, name[32];
	size_t len = 0;
	unsigned nid;
	unsigned long long v[11];
	FILE *f;

	mmh_take(z, 1, 0);
	mmh_take(z, 8, 3);
	mmh_take(z, 1024, 9);
	pgr_zone_get_info(z, &info);
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(pgr_node_dump(n, 3, f, 0), 0);
	fclose(f);
	ck_assert_int_eq(sscanf(buf,
				"Node %u, zone %31s %llu %llu %llu %llu %llu "
				"%llu %llu %llu %llu %llu %llu",
				&nid, name, &v[0], &v[1], &v[2], &v[3], &v[4],
				&v[5], &v[6], &v[7], &v[8], &v[9], &v[10]),
			 13);
	ck_assert_uint_eq(nid, 3);
	ck_assert_str_eq(name, info.name);
	for (int o = 0; o < 11; o++)
		ck_assert_uint_eq(v[o], info.nr_free[o]);
	ck_assert_uint_eq(v[0], 1);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(pgr_zone_dump(z, 0, f, PGR_DUMP_MIGRATETYPES), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "type      Movable"));
	free(buf);
	ck_assert_int_eq(pgr_zone_dump(NULL, 0, stdout, 0), -EINVAL);
	ck_assert_int_eq(pgr_zone_dump(z, 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(pgr_zone_dump(z, 0, stdout, 0x80), -EINVAL);
	ck_assert_int_eq(pgr_node_dump(NULL, 0, stdout, 0), -EINVAL);
	pgr_node_destroy(n);
}
END_TEST

/*
 * A trace is buddy-level (refills and drains already in it): replaying
 * onto a node with per-CPU lists would put drained pages on a list a
 * second time, so the replayer refuses such a node, for the 6.1 profile
 * too, and says how to get one it accepts.
 */
START_TEST(test_replay_refuses_pcp_node)
{
	struct pgr_node_config cfg = { .nr_zones = 1 };
	struct pgr_replay *r;
	struct pgr_node *n;

	cfg.zones[0].nr_pages = NPAGES;
	cfg.profile = PGR_PROFILE_6_1;
	n = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(n);
	pgr_errmsg_clear();
	errno = 0;
	ck_assert_ptr_null(pgr_replay_create(n, NULL));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "PGR_PCP_OFF"));
	pgr_node_destroy(n);

	cfg.pcp = PGR_PCP_OFF;
	n = pgr_node_create(&cfg);
	ck_assert_ptr_nonnull(n);
	r = pgr_replay_create(n, NULL);
	ck_assert_ptr_nonnull(r);
	pgr_replay_destroy(r);
	pgr_node_destroy(n);
}
END_TEST

/* ---- bad input ----------------------------------------------------------- */

START_TEST(test_trace_bad_input)
{
	struct pgr_zone *z;
	struct pgr_node *n = mmh_populated(0, 0, 0, NPAGES, &z);
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_trace_event e = ev(PGR_TRACE_ALLOC, 0x10, 4);
	struct pgr_trace_import_config ic = { .view = (enum pgr_trace_view)7 };
	struct pgr_replay_config rc = { .mode = (enum pgr_replay_mode)5 };
	struct pgr_node_config cfg;
	struct pgr_replay_stats rs;
	struct pgr_replay *r;
	FILE *f = text("");

	ck_assert_int_eq(pgr_trace_append(NULL, &e), -EINVAL);
	ck_assert_int_eq(pgr_trace_append(t, NULL), -EINVAL);
	e.op = 2;
	ck_assert_int_eq(pgr_trace_append(t, &e), -EINVAL);
	e = ev(PGR_TRACE_ALLOC, 0x18, 4);
	ck_assert_int_eq(pgr_trace_append(t, &e), -EINVAL); /* unaligned */
	ck_assert_ptr_nonnull(strstr(pgr_errmsg(), "aligned"));
	e = ev(PGR_TRACE_ALLOC, 0x10, 16);
	ck_assert_int_eq(pgr_trace_append(t, &e), -EINVAL);
	e = ev(PGR_TRACE_ALLOC, 0x10, 4);
	e.migratetype = 5;
	ck_assert_int_eq(pgr_trace_append(t, &e), -EINVAL);
	e.migratetype = 1;
	e.zone = 4;
	ck_assert_int_eq(pgr_trace_append(t, &e), -EINVAL);
	ck_assert_uint_eq(pgr_trace_nr_events(t), 0);
	ck_assert_ptr_null(pgr_trace_events(t));
	ck_assert_uint_eq(pgr_trace_nr_events(NULL), 0);
	ck_assert_int_eq(pgr_trace_clear(NULL), -EINVAL);
	ck_assert_int_eq(pgr_trace_set_zone(NULL, 0, "x", 0, 1), -EINVAL);
	ck_assert_int_eq(pgr_trace_set_zone(t, 4, "x", 0, 1), -EINVAL);
	ck_assert_int_eq(pgr_trace_set_zone(t, 0, "", 0, 1), -EINVAL);
	ck_assert_int_eq(pgr_trace_set_zone(t, 0, "a b", 0, 1), -EINVAL);
	ck_assert_int_eq(pgr_trace_set_zone(t, 0, "x", 0, 0), -EINVAL);
	ck_assert_int_eq(pgr_trace_node_config(t, &cfg), -ENOENT);
	ck_assert_int_eq(pgr_trace_set_zone(t, 1, "x", 0, 10), 0);
	ck_assert_int_eq(pgr_trace_node_config(t, &cfg), -ENOENT); /* gap */
	ck_assert_int_eq(pgr_trace_node_config(NULL, &cfg), -EINVAL);
	ck_assert_int_eq(pgr_trace_record(NULL, z, 0, 0, 0, 0, 1), -EINVAL);
	ck_assert_int_eq(pgr_trace_record(t, NULL, 0, 0, 0, 0, 1), -EINVAL);
	ck_assert_int_eq(pgr_trace_record(t, z, 0, 9, 0, 0, 1), -EINVAL);
	ck_assert_int_eq(pgr_trace_record(t, z, 0, 0, 0, 20, 1), -EINVAL);
	ck_assert_int_eq(pgr_trace_record(t, z, 0, 0, 0, 0, 9), -EINVAL);
	ck_assert_int_eq(pgr_trace_write(NULL, stdout), -EINVAL);
	ck_assert_int_eq(pgr_trace_write(t, NULL), -EINVAL);
	ck_assert_int_eq(pgr_trace_read(NULL, f), -EINVAL);
	ck_assert_int_eq(pgr_trace_read(t, NULL), -EINVAL);
	ck_assert_int_eq(pgr_trace_load(t, "/nonexistent/x"), -ENOENT);
	ck_assert_int_eq(pgr_trace_load(NULL, "x"), -EINVAL);
	ck_assert_int_eq(pgr_trace_save(t, "/nonexistent/x"), -ENOENT);
	ck_assert_int_eq(pgr_trace_save(NULL, "x"), -EINVAL);
	ck_assert_int_eq(pgr_trace_import(NULL, f, NULL, NULL), -EINVAL);
	ck_assert_int_eq(pgr_trace_import(t, NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(pgr_trace_import(t, f, &ic, NULL), -EINVAL);
	ck_assert_int_eq(pgr_trace_set_zones_from_zoneinfo(NULL, f, 0),
			 -EINVAL);
	ck_assert_int_eq(pgr_trace_set_zones_from_zoneinfo(t, NULL, 0),
			 -EINVAL);
	fclose(f);

	errno = 0;
	ck_assert_ptr_null(pgr_replay_create(NULL, NULL));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(pgr_replay_create(n, &rc));
	rc.mode = PGR_REPLAY_POLICY;
	rc.policy_zone_set = true;
	rc.policy_zone = 1; /* the node has one zone */
	ck_assert_ptr_null(pgr_replay_create(n, &rc));
	r = pgr_replay_create(n, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(pgr_replay_event(NULL, &e), -EINVAL);
	ck_assert_int_eq(pgr_replay_event(r, NULL), -EINVAL);
	e = ev(PGR_TRACE_ALLOC, 0, 20);
	ck_assert_int_eq(pgr_replay_event(r, &e), -EINVAL);
	e = ev(7, 0, 0);
	ck_assert_int_eq(pgr_replay_event(r, &e), -EINVAL);
	ck_assert_int_eq(pgr_replay_run(NULL, t), -EINVAL);
	ck_assert_int_eq(pgr_replay_run(r, NULL), -EINVAL);
	ck_assert_int_eq(pgr_replay_get_stats(NULL, &rs), -EINVAL);
	ck_assert_int_eq(pgr_replay_get_stats(r, NULL), -EINVAL);
	ck_assert_int_eq(pgr_replay_mode_from_name("nope"), -EINVAL);
	ck_assert_int_eq(pgr_replay_mode_from_name(NULL), -EINVAL);
	ck_assert_int_eq(pgr_replay_mode_from_name("policy"),
			 PGR_REPLAY_POLICY);
	ck_assert_str_eq(pgr_replay_mode_name((enum pgr_replay_mode)9),
			 "unknown");
	pgr_replay_get_stats(r, &rs);
	ck_assert_uint_eq(rs.events, 0);
	MMH_CHECK(z);
	ck_assert_uint_eq(mmh_info(z).nr_free_pages, NPAGES);
	pgr_replay_destroy(r);
	pgr_replay_destroy(NULL);
	pgr_trace_destroy(NULL);
	pgr_trace_destroy(t);
	pgr_node_destroy(n);
}
END_TEST

static Suite *pgrtrace_suite(void)
{
	Suite *s = suite_create("pgrtrace");
	TCase *tc = tcase_create("format");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_format_round_trip);
	tcase_add_loop_test(
		tc, test_format_errors_leave_trace_unchanged, 0,
		(int)(sizeof(bad_pgrtrace) / sizeof(bad_pgrtrace[0])));
	tcase_add_test(tc, test_format_unknown_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("import");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_import_ftrace_buddy_view);
	tcase_add_test(tc, test_import_caller_view);
	tcase_add_loop_test(tc, test_import_pcp_orders, 0, 3);
	tcase_add_test(tc, test_import_perf_script_reordered);
	tcase_add_loop_test(tc, test_import_malformed_line_nothing_applied, 0,
			    (int)(sizeof(bad_kmem) / sizeof(bad_kmem[0])));
	tcase_add_loop_test(tc, test_import_shipped_trace, 0, 2);
	tcase_add_test(tc, test_zoneinfo_shipped);
	suite_add_tcase(s, tc);

	tc = tcase_create("replay");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_record_replay_lockstep, 0, 2);
	tcase_add_test(tc, test_exact_replay_reproduces_free_lists);
	tcase_add_test(tc, test_exact_replay_unestablished);
	tcase_add_test(tc, test_exact_replay_free_of_free_block);
	tcase_add_test(tc, test_exact_replay_repair);
	tcase_add_test(tc, test_policy_replay_mapping);
	tcase_add_test(tc, test_policy_replay_keeps_migratetype);
	tcase_add_test(tc, test_replay_drives_engine_clock);
	tcase_add_test(tc, test_replay_clock_in_ticks);
	tcase_add_test(tc, test_zone_dump_buddyinfo_layout);
	tcase_add_test(tc, test_trace_bad_input);
	tcase_add_test(tc, test_replay_refuses_pcp_node);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return mmh_run_suite(pgrtrace_suite());
}
