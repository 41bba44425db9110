// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The balloon sink against the real pagereport-balloond (spawned with --fd
 * on a socketpair, or on a temporary socket path):
 *
 *   guest RAM (memfd, fully written)   pfn 0x100 ........ 0x100+65536
 *   report random 2/4 MiB blocks        [##]   [####]  [##]
 *
 * Expect the memfd's allocated bytes to drop by exactly the reported bytes,
 * the reported blocks to read back as zeros and every other page to keep
 * its pattern; with and without INDIRECT_DESC/EVENT_IDX, over SET_MEM_TABLE
 * and ADD_MEM_REG alike.  Also prints the sink's throughput against raw
 * fallocate on the same ranges (a measurement, not an assertion).
 */
#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <sys/mman.h>

#include <pagereport/balloon.h>
#include <pagereport/pagereport.h>

#include "balloon_helpers.h"

#define BASE_PFN    0x100
#define NR_PAGES    65536 /* 256 MiB */
#define BLOCK_ORDER 9
/* First pfn aligned to order BLOCK_ORDER + 1 (reports are buddy blocks). */
#define ALIGNED_PFN ((BASE_PFN + 1023) & ~1023ULL)

static uint64_t pattern(uint64_t pfn)
{
	return pfn * 0x9e3779b97f4a7c15ULL | 1;
}

static void fill(struct pgr_guest_ram *ram)
{
	uint64_t pfn;

	for (pfn = BASE_PFN; pfn < BASE_PFN + NR_PAGES; pfn++) {
		uint64_t *p = pgr_guest_ram_addr(ram, pfn), v = pattern(pfn);
		size_t i;

		for (i = 0; i < PGR_PAGE_SIZE / 8; i += 64)
			p[i] = v;
	}
}

static bool page_is(struct pgr_guest_ram *ram, uint64_t pfn, uint64_t v)
{
	uint64_t *p = pgr_guest_ram_addr(ram, pfn);
	size_t i;

	for (i = 0; i < PGR_PAGE_SIZE / 8; i += 64)
		if (p[i] != v)
			return false;
	return true;
}

/* Pick disjoint, naturally aligned blocks of order 9 or 10. */
static unsigned int pick_ranges(struct pgr_range *r, unsigned int max,
				bool *taken)
{
	unsigned int n = 0, tries;
	unsigned int nblk =
		(NR_PAGES - (ALIGNED_PFN - BASE_PFN)) >> BLOCK_ORDER;

	for (tries = 0; tries < 4 * max && n < max; tries++) {
		unsigned int order = BLOCK_ORDER + (unsigned int)(t_rand() & 1);
		unsigned int span = 1u << (order - BLOCK_ORDER);
		unsigned int b = (unsigned int)(t_rand() % nblk) & ~(span - 1);
		unsigned int i;
		bool ok = true;

		/* pfn base 0x100 is not 2 MiB aligned: count from the first
		 * aligned pfn (report() refuses unaligned ranges) */
		for (i = 0; i < span; i++)
			ok = ok && b + i < nblk && !taken[b + i];
		if (!ok)
			continue;
		for (i = 0; i < span; i++)
			taken[b + i] = true;
		r[n].pfn = ALIGNED_PFN + ((uint64_t)b << BLOCK_ORDER);
		r[n].order = order;
		r[n].zone = 0;
		n++;
	}
	return n;
}

static void run_case(const char *name, const char *extra, bool use_path,
		     unsigned int capacity)
{
	char path[128];
	struct pgr_guest_ram *ram;
	struct pgr_balloon_config cfg = { .fd = -1 };
	struct pgr_balloon_stats st;
	struct pgr_range r[PGR_REPORTING_CAPACITY];
	bool taken[NR_PAGES >> BLOCK_ORDER] = { false };
	bool reported[NR_PAGES] = { false };
	struct pgr_sink *sink;
	uint64_t before, after, bytes = 0, pfn;
	unsigned int round, i, n;
	int fd = -1;
	pid_t pid;

	ram = pgr_guest_ram_create(BASE_PFN, NR_PAGES);
	T_ASSERT(ram);
	fill(ram);
	T_ASSERT(pgr_guest_ram_allocated_bytes(ram, &before) == 0);
	T_ASSERT(before >= (uint64_t)NR_PAGES * PGR_PAGE_SIZE);

	snprintf(path, sizeof(path), "/tmp/pgr-balloon-%d.sock", getpid());
	pid = t_daemon_start(use_path ? path : NULL, &fd, extra);
	T_ASSERT(pid > 0);
	cfg.ram = ram;
	cfg.capacity = capacity;
	if (use_path)
		cfg.socket_path = path;
	else
		cfg.fd = fd;
	sink = pgr_sink_balloon_create(&cfg);
	if (!sink)
		fprintf(stderr, "create: %s\n", pgr_errmsg());
	T_ASSERT(sink);

	/* Report about half of RAM so that untouched pages remain to check. */
	for (round = 0; round < 6 && bytes < NR_PAGES * PGR_PAGE_SIZE / 2;
	     round++) {
		n = pick_ranges(r, capacity, taken);
		if (!n)
			break;
		T_ASSERT(sink->ops->report(sink, r, n) == 0);
		for (i = 0; i < n; i++) {
			bytes += pgr_range_bytes(&r[i]);
			for (pfn = r[i].pfn;
			     pfn < r[i].pfn + (1ULL << r[i].order); pfn++)
				reported[pfn - BASE_PFN] = true;
		}
	}
	T_ASSERT(bytes > 0);
	T_ASSERT(pgr_guest_ram_allocated_bytes(ram, &after) == 0);
	printf("%s: reported %llu MiB, allocated %llu -> %llu MiB\n", name,
	       (unsigned long long)(bytes >> 20),
	       (unsigned long long)(before >> 20),
	       (unsigned long long)(after >> 20));
	/* Exactly the reported bytes went back to the host. */
	T_ASSERT(before - after == bytes);
	for (pfn = BASE_PFN; pfn < BASE_PFN + NR_PAGES; pfn++)
		T_ASSERT(page_is(ram, pfn,
				 reported[pfn - BASE_PFN] ? 0 : pattern(pfn)));
	T_ASSERT(pgr_sink_balloon_get_stats(sink, &st) == 0);
	T_ASSERT(st.bytes == bytes && st.errors == 0 && st.reports == round);

	pgr_sink_destroy(sink);
	T_ASSERT(t_daemon_stop(pid, SIGTERM) == 0);
	pgr_guest_ram_destroy(ram);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Sink throughput vs raw fallocate on the same ranges (printed, never
 * asserted).  Besides the ratio of the sums, the median [min, max] of the
 * per-pair ratios: on a loaded machine a few batches whose hand-off to the
 * daemon waited for a CPU dominate the sums.  bench/balloon-ratio splits
 * where a batch's time goes.
 */
#define MEASURE_ITERS 40
static void measure(void)
{
	struct pgr_guest_ram *ram = pgr_guest_ram_create(BASE_PFN, NR_PAGES);
	struct pgr_balloon_config cfg = { .fd = -1, .ram = ram };
	struct pgr_range r[PGR_REPORTING_CAPACITY];
	uint64_t t0, t_sink = 0, t_raw = 0, bytes = 0;
	double pair[MEASURE_ITERS];
	struct pgr_sink *sink;
	unsigned int iter, i, k;
	int fd;
	pid_t pid;

	T_ASSERT(ram);
	pid = t_daemon_start(NULL, &fd, NULL);
	cfg.fd = fd;
	sink = pgr_sink_balloon_create(&cfg);
	T_ASSERT(sink);
	/* 32 x 2 MiB = the whole 64 MiB per report, as Linux batches. */
	for (i = 0; i < PGR_REPORTING_CAPACITY; i++)
		r[i] = (struct pgr_range){ ALIGNED_PFN + ((uint64_t)i << 9), 9,
					   0 };
	/* Alternate which goes first; only the reported 64 MiB are refilled. */
	for (iter = 0; iter < MEASURE_ITERS; iter++) {
		uint64_t s = 0, w = 0;

		for (k = 0; k < 2; k++) {
			memset(pgr_guest_ram_addr(ram, ALIGNED_PFN), 0x33,
			       64 << 20);
			t0 = t_now_ns();
			if ((iter + k) % 2 == 0) {
				T_ASSERT(sink->ops->report(
						 sink, r,
						 PGR_REPORTING_CAPACITY) == 0);
				s = t_now_ns() - t0;
				continue;
			}
			for (i = 0; i < PGR_REPORTING_CAPACITY; i++)
				T_ASSERT(fallocate(pgr_guest_ram_fd(ram),
						   FALLOC_FL_PUNCH_HOLE |
							   FALLOC_FL_KEEP_SIZE,
						   (off_t)((r[i].pfn - BASE_PFN)
							   << 12),
						   (off_t)pgr_range_bytes(
							   &r[i])) == 0);
			w = t_now_ns() - t0;
		}
		t_sink += s;
		t_raw += w;
		pair[iter] = (double)w / (double)(s ? s : 1);
		bytes += 64 << 20;
	}
	qsort(pair, MEASURE_ITERS, sizeof(pair[0]), cmp_double);
	printf("throughput: balloon sink %.0f MiB/s, raw fallocate %.0f MiB/s, "
	       "ratio %.3f; per pair median %.3f [%.3f, %.3f]\n",
	       (double)bytes / 1048576.0 / ((double)t_sink / 1e9),
	       (double)bytes / 1048576.0 / ((double)t_raw / 1e9),
	       (double)t_raw / (double)t_sink, pair[MEASURE_ITERS / 2], pair[0],
	       pair[MEASURE_ITERS - 1]);
	pgr_sink_destroy(sink);
	T_ASSERT(t_daemon_stop(pid, SIGTERM) == 0);
	pgr_guest_ram_destroy(ram);
}

int main(void)
{
	struct pgr_guest_ram *probe;

	t_seed_init();
	probe = pgr_guest_ram_create(BASE_PFN, 16);
	if (!probe) {
		printf("SKIP: no memfd (%s)\n", pgr_errmsg());
		return T_SKIP;
	}
	pgr_guest_ram_destroy(probe);
	if (access(t_daemon_path(), X_OK) != 0) {
		fprintf(stderr, "FAIL: %s not built\n", t_daemon_path());
		return 1;
	}
	run_case("fd, plain ring", NULL, false, 32);
	run_case("fd, indirect + event_idx", "--ring-features", false, 32);
	run_case("path, capacity 7", NULL, true, 7);
	run_case("path, indirect, capacity 1", "--ring-features", true, 1);
	measure();
	printf("PASS\n");
	return 0;
}
