// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Data safety of the balloon path against a slow back-end (the real daemon
 * with its test-only --test-discard-delay-ms): a page may go back to its
 * owner only when nothing can still discard it.
 *
 *   late discard: report() times out while the daemon is still punching
 *     the hole; the caller then writes the range.  Expect the data to stay
 *     (the sink stopped the ring, GET_VRING_BASE answered, before it
 *     returned) -- before the fix the daemon zeroed it afterwards.
 *   gone peer: report() of two ranges times out and the front-end leaves.
 *     Expect the daemon not to discard the second range for a connection
 *     that is gone, and report() to say the pages must stay held.
 */
#include "config.h"

#include <pagereport/balloon.h>
#include <pagereport/pagereport.h>

#include "balloon_helpers.h"

#define BASE_PFN 0
#define NR_PAGES 4096 /* 16 MiB */

static char path[108];

static struct pgr_sink *mk_sink(struct pgr_guest_ram *ram, uint64_t tmo_ns,
				uint64_t stop_ns)
{
	struct pgr_balloon_config cfg = { .fd = -1,
					  .ram = ram,
					  .socket_path = path,
					  .timeout_ns = tmo_ns,
					  .stop_timeout_ns = stop_ns };
	struct pgr_sink *s = pgr_sink_balloon_create(&cfg);

	if (!s)
		fprintf(stderr, "create: %s\n", pgr_errmsg());
	return s;
}

static void fill(struct pgr_guest_ram *ram, uint64_t pfn, uint64_t n, int c)
{
	memset(pgr_guest_ram_addr(ram, pfn), c, (size_t)(n * PGR_PAGE_SIZE));
}

/* Pages of [pfn, pfn + n) that no longer hold byte @c. */
static uint64_t lost(struct pgr_guest_ram *ram, uint64_t pfn, uint64_t n, int c)
{
	uint64_t bad = 0, p;

	for (p = pfn; p < pfn + n; p++) {
		const uint8_t *m = pgr_guest_ram_addr(ram, p);

		if (m[0] != (uint8_t)c || m[PGR_PAGE_SIZE - 1] != (uint8_t)c)
			bad++;
	}
	return bad;
}

static void test_late_discard(void)
{
	struct pgr_guest_ram *ram = pgr_guest_ram_create(BASE_PFN, NR_PAGES);
	struct pgr_range r = { 512, 9, 0 };
	struct pgr_balloon_stats st;
	struct pgr_sink *sink;
	uint64_t bad;
	pid_t pid;
	int err;

	T_ASSERT(ram);
	fill(ram, BASE_PFN, NR_PAGES, 0x11);
	pid = t_daemon_start(path, NULL, "--test-discard-delay-ms=600");
	T_ASSERT(pid > 0);
	/* Gives up after 200 ms; the stop is answered after the discard. */
	sink = mk_sink(ram, 200000000ULL, 3000000000ULL);
	T_ASSERT(sink);
	err = sink->ops->report(sink, &r, 1);
	printf("late discard: report %d (%s)\n", err, err ? pgr_errmsg() : "");
	/* The pages came back: the caller reuses them at once. */
	fill(ram, r.pfn, 512, 0xa5);
	usleep(1000000); /* the daemon has long finished by now */
	bad = lost(ram, r.pfn, 512, 0xa5);
	printf("late discard: %llu of 512 pages lost\n",
	       (unsigned long long)bad);
	T_ASSERT(bad == 0);
	T_ASSERT(err == -ETIMEDOUT);
	T_ASSERT(pgr_sink_balloon_get_stats(sink, &st) == 0);
	T_ASSERT(st.stops == 1 && st.pages_held == 0);
	/* A reconnect starts clean and works. */
	T_ASSERT(pgr_sink_balloon_reconnect(sink) == 0);
	pgr_sink_destroy(sink);
	T_ASSERT(t_daemon_stop(pid, SIGTERM) == 0);
	pgr_guest_ram_destroy(ram);
	unlink(path);
}

static void test_gone_peer(void)
{
	struct pgr_guest_ram *ram = pgr_guest_ram_create(BASE_PFN, NR_PAGES);
	struct pgr_range r[2] = { { 1024, 9, 0 }, { 2048, 9, 0 } };
	struct pgr_balloon_stats st;
	struct pgr_sink *sink;
	uint64_t before, after;
	pid_t pid;
	int err;

	T_ASSERT(ram);
	fill(ram, BASE_PFN, NR_PAGES, 0x22);
	T_ASSERT(pgr_guest_ram_allocated_bytes(ram, &before) == 0);
	pid = t_daemon_start(path, NULL, "--test-discard-delay-ms=600");
	T_ASSERT(pid > 0);
	/* Gives up after 200 + 200 ms, in the middle of the first discard. */
	sink = mk_sink(ram, 200000000ULL, 200000000ULL);
	T_ASSERT(sink);
	err = sink->ops->report(sink, r, 2);
	printf("gone peer: report %d (%s)\n", err, err ? pgr_errmsg() : "");
	T_ASSERT(pgr_sink_balloon_get_stats(sink, &st) == 0);
	pgr_sink_destroy(sink); /* the front-end leaves */
	usleep(1600000);	/* both discards would be done by now */
	T_ASSERT(pgr_guest_ram_allocated_bytes(ram, &after) == 0);
	printf("gone peer: %llu KiB discarded after the front-end left\n",
	       (unsigned long long)((before - after) >> 10));
	/* At most the range in progress when it gave up; never the next. */
	T_ASSERT(lost(ram, r[1].pfn, 512, 0x22) == 0);
	T_ASSERT(before - after <= pgr_range_bytes(&r[0]));
	T_ASSERT(err == -EOWNERDEAD);
	T_ASSERT(st.pages_held == 1024 && st.bytes_held == 4u << 20);
	T_ASSERT(t_daemon_stop(pid, SIGTERM) == 0);
	pgr_guest_ram_destroy(ram);
	unlink(path);
}

int main(void)
{
	t_seed_init();
	signal(SIGPIPE, SIG_IGN);
	snprintf(path, sizeof(path), "/tmp/pgr-balloon-safety-%d.sock",
		 getpid());
	if (access(t_daemon_path(), X_OK) != 0) {
		fprintf(stderr, "FAIL: %s not built\n", t_daemon_path());
		return 1;
	}
	test_late_discard();
	test_gone_peer();
	printf("PASS\n");
	return 0;
}
