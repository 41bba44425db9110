// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * simple: a 1 GiB guest, some churn, and free page reporting with the v11
 * boundary into a sink of our own that counts what it is given.  Builds
 * against the installed library:
 *
 *   cc simple.c $(pkg-config --cflags --libs libpagereport) -o simple
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <pagereport/pagereport.h>

/* A sink is an ops table and a capacity: this one only counts. */
struct counting_sink {
	struct pgr_sink sink;
	uint64_t ranges, bytes;
};

static int counting_report(struct pgr_sink *sink, const struct pgr_range *r,
			   unsigned int n)
{
	struct counting_sink *cs = sink->priv;

	for (unsigned int i = 0; i < n; i++) {
		cs->ranges++;
		cs->bytes += pgr_range_bytes(&r[i]);
	}
	return 0;
}

static const struct pgr_sink_ops counting_ops = {
	.name = "counting",
	.report = counting_report,
};

int main(void)
{
	struct pgr_node_config cfg = {
		.nr_zones = 1,
		.zones = { { .name = "Normal",
			     .start_pfn = 0x100000,
			     .nr_pages = (1ULL << 30) / PGR_PAGE_SIZE } },
		.seed = 42,
	};
	struct counting_sink cs = { .sink = { .ops = &counting_ops,
					      .capacity = 32 } };
	struct pgr_reporting_config rcfg = {
		.strategy = PGR_STRATEGY_V11_BOUNDARY,
		.clock = PGR_CLOCK_VIRTUAL,
	};
	struct pgr_reporting_stats st;
	struct pgr_node *node;
	struct pgr_zone *zone;
	uint64_t pfns[512];
	int err;

	cs.sink.priv = &cs;
	node = pgr_node_create(&cfg);
	if (!node) {
		fprintf(stderr, "pgr_node_create: %s\n", pgr_errmsg());
		return 1;
	}
	zone = pgr_node_zone(node, 0);
	err = pgr_zone_populate(zone);
	if (!err)
		err = pgr_reporting_register(node, &cs.sink, &rcfg);
	if (err) {
		fprintf(stderr, "set-up failed: %d (%s)\n", err, pgr_errmsg());
		pgr_node_destroy(node);
		return 1;
	}

	/* Allocate 512 blocks of 2 MiB, then give them all back. */
	for (int i = 0; i < 512; i++)
		if (pgr_alloc_pages(zone, 9, PGR_MIGRATE_MOVABLE, 0, &pfns[i]))
			return 1;
	for (int i = 0; i < 512; i++)
		pgr_free_pages(zone, pfns[i], 9);

	/* Let the reporter run for one virtual second. */
	pgr_reporting_advance(node, 1000000000ULL);
	pgr_reporting_get_stats(node, &st);
	printf("reported %" PRIu64 " ranges, %" PRIu64 " MiB in %" PRIu64
	       " batches\n",
	       cs.ranges, cs.bytes >> 20, st.batches);

	err = pgr_node_check(node, NULL, 0);
	pgr_node_destroy(node);
	return err || cs.bytes == 0;
}
