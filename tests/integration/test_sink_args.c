// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Every built-in sink's report() called directly with bad arguments:
 * NULL ranges, n == 0, n above capacity, a pfn not aligned to its order,
 * an order too large, a range outside guest RAM.  Expect -EINVAL with a
 * message every time, no crash, and a good report still accepted after.
 * (The balloon sink runs against the real daemon on a socketpair.)
 */
#include "config.h"

#include <pagereport/balloon.h>
#include <pagereport/pagereport.h>

#include "balloon_helpers.h"

#define BASE_PFN 0x1000
#define NR_PAGES 2048

static void expect_einval(struct pgr_sink *s, const struct pgr_range *r,
			  unsigned int n, const char *what)
{
	int err = s->ops->report(s, r, n);

	printf("%-8s %-22s -> %d (%s)\n", s->ops->name, what, err,
	       err ? pgr_errmsg() : "");
	T_ASSERT(err == -EINVAL);
	T_ASSERT(pgr_errmsg()[0] != '\0');
}

/* @ram_bound: the sink knows guest RAM (memory, balloon). */
static void check_sink(struct pgr_sink *s, bool ram_bound)
{
	struct pgr_range many[PGR_REPORTING_CAPACITY + 1];
	struct pgr_range r;
	unsigned int i;

	T_ASSERT(s);
	for (i = 0; i <= PGR_REPORTING_CAPACITY; i++)
		many[i] = (struct pgr_range){ BASE_PFN + 2 * i, 1, 0 };
	expect_einval(s, NULL, 1, "NULL ranges");
	expect_einval(s, many, 0, "n == 0");
	expect_einval(s, many, s->capacity + 1, "n above capacity");
	r = (struct pgr_range){ BASE_PFN + 1, 3, 0 };
	expect_einval(s, &r, 1, "unaligned pfn");
	r = (struct pgr_range){ 0, 40, 0 };
	expect_einval(s, &r, 1, "order 40");
	r = (struct pgr_range){ UINT64_MAX & ~511ULL, 9, 0 };
	if (ram_bound) {
		expect_einval(s, &r, 1, "past the end of RAM");
		r = (struct pgr_range){ BASE_PFN - 512, 9, 0 };
		expect_einval(s, &r, 1, "below guest RAM");
		r = (struct pgr_range){ BASE_PFN, 12, 0 };
		expect_einval(s, &r, 1, "straddling the end");
	}
	r = (struct pgr_range){ BASE_PFN + 512, 9, 0 };
	T_ASSERT(s->ops->report(s, &r, 1) == 0);
	pgr_sink_destroy(s);
}

int main(void)
{
	struct pgr_sink_recorder_config rc = { .capacity = 4 };
	struct pgr_balloon_config bc = { .fd = -1 };
	struct pgr_guest_ram *ram;
	pid_t pid;
	int fd;

	t_seed_init();
	signal(SIGPIPE, SIG_IGN);
	ram = pgr_guest_ram_create(BASE_PFN, NR_PAGES);
	T_ASSERT(ram);
	check_sink(pgr_sink_null_create(8), false);
	check_sink(pgr_sink_recorder_create(&rc), false);
	check_sink(pgr_sink_memory_create(ram, PGR_DISCARD_PUNCH_HOLE, 16),
		   true);
	check_sink(pgr_sink_memory_create(ram, PGR_DISCARD_MADV_REMOVE, 32),
		   true);
	if (access(t_daemon_path(), X_OK) != 0) {
		fprintf(stderr, "FAIL: %s not built\n", t_daemon_path());
		return 1;
	}
	pid = t_daemon_start(NULL, &fd, NULL);
	T_ASSERT(pid > 0);
	bc.fd = fd;
	bc.ram = ram;
	bc.capacity = 8;
	check_sink(pgr_sink_balloon_create(&bc), true);
	T_ASSERT(t_daemon_stop(pid, SIGTERM) == 0);
	pgr_guest_ram_destroy(ram);
	printf("PASS\n");
	return 0;
}
