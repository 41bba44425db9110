// SPDX-License-Identifier: LGPL-2.1-or-later
/* A strategy outside the library: largest blocks first, built on
 * <pagereport/strategy.h>.  Each pass walks orders from MAX_ORDER-1 down;
 * in a list it takes unreported blocks from the head (where frees land)
 * and stops at the first Reported one, since reported blocks go back to
 * the tail.  At most 8 reports per pass; then it asks for another pass.
 *   cc largest_first.c $(pkg-config --cflags --libs libpagereport) */
#include <stdio.h>
#include <stdlib.h>

#include <pagereport/pagereport.h>

#define MAX_BATCHES 8

static void lf_notify(struct pgr_reporting *rep, void *priv,
		      struct pgr_zone *zone, uint64_t pfn, unsigned order)
{
	struct pgr_reporting_config c;

	(void)priv, (void)zone, (void)pfn, (void)order;
	pgr_strategy_get_config(rep, &c);
	pgr_strategy_schedule(rep, c.delay_ns);
}

/* Report what is isolated; the zone lock is held on entry and exit. */
static int flush(struct pgr_reporting *rep, struct pgr_zone *zone)
{
	int err;

	pgr_strategy_unlock(rep, zone);
	err = pgr_strategy_report(rep);
	pgr_strategy_lock(rep, zone);
	pgr_strategy_putback(rep,
			     (err ? 0 : PGR_PUTBACK_MARK) | PGR_PUTBACK_TAIL);
	return err;
}

static void lf_process(struct pgr_reporting *rep, void *priv)
{
	struct pgr_reporting_config c;
	struct pgr_strategy_zone_counters zc;
	struct pgr_zone *zone = NULL;
	unsigned batches = 0;
	uint64_t pfn, visited = 0;

	(void)priv;
	pgr_strategy_get_config(rep, &c);
	pgr_strategy_add_stat(rep, PGR_STAT_PASSES, 1);
	for (int i = 0; i < pgr_strategy_nr_zones(rep); i++) {
		zone = pgr_strategy_zone(rep, (unsigned)i);
		pgr_strategy_lock(rep, zone);
		pgr_strategy_zone_counters(rep, zone, &zc);
		for (unsigned o = zc.max_order; zc.populated && o-- > c.order;)
			for (int mt = 0; mt < PGR_MIGRATE_ISOLATE; mt++) {
				/* the list changes while we report: restart */
				while (!pgr_strategy_list_first(
					       rep, zone, o, mt, PGR_LIST_HEAD,
					       &pfn) &&
				       !pgr_strategy_test_reported(rep, zone,
								   pfn)) {
					visited++;
					if (pgr_strategy_isolate(rep, zone, pfn,
								 o, 0))
						break; /* watermark */
					if ((unsigned)pgr_strategy_batch_count(
						    rep) < c.capacity)
						continue;
					if (flush(rep, zone) ||
					    ++batches == MAX_BATCHES)
						goto out;
				}
			}
		if (pgr_strategy_batch_count(rep) > 0 && flush(rep, zone))
			goto out;
		pgr_strategy_unlock(rep, zone);
	}
	pgr_strategy_add_stat(rep, PGR_STAT_NODES_VISITED, visited);
	return;
out: /* budget spent or the sink failed: come back later */
	if (pgr_strategy_batch_count(rep) > 0)
		flush(rep, zone);
	pgr_strategy_unlock(rep, zone);
	pgr_strategy_add_stat(rep, PGR_STAT_NODES_VISITED, visited);
	pgr_strategy_schedule(rep, c.delay_ns);
}

static const struct pgr_strategy_ops largest_first = {
	.name = "largest-first",
	.notify_free = lf_notify,
	.process = lf_process,
};

int main(void)
{
	struct pgr_node_config nc = { .nr_zones = 1,
				      .zones = { { .nr_pages = 1 << 16 } } };
	struct pgr_reporting_config rc = { .strategy_name = "largest-first" };
	struct pgr_node *node = pgr_node_create(&nc);
	struct pgr_zone *zone = pgr_node_zone(node, 0);
	struct pgr_sink *sink = pgr_sink_null_create(32);
	struct pgr_reporting_stats st;
	uint64_t pfn[64];
	char msg[256] = "nothing reported";

	if (pgr_strategy_register(&largest_first) < 0 ||
	    pgr_reporting_register(node, sink, &rc) || pgr_zone_populate(zone))
		return fprintf(stderr, "largest_first: %s\n", pgr_errmsg()), 1;
	for (int round = 0; round < 20; round++) { /* churn: take, give back */
		for (unsigned i = 0; i < 64; i++)
			if (pgr_alloc_pages(zone, i % 11, 1, 0, &pfn[i]))
				pfn[i] = UINT64_MAX;
		for (unsigned i = 0; i < 64; i++)
			pgr_free_pages(zone, pfn[i], i % 11); /* MAX: -ERANGE */
		pgr_reporting_run_until_idle(node, 600ULL * 1000000000, NULL);
	}
	pgr_reporting_get_stats(node, &st);
	printf("largest-first: %llu reports, %llu nodes visited\n",
	       (unsigned long long)st.batches,
	       (unsigned long long)st.nodes_visited);
	if (pgr_node_check(node, msg, sizeof(msg)) || !st.blocks_reported)
		return fprintf(stderr, "largest_first: %s\n", msg), 1;
	pgr_node_destroy(node);
	pgr_sink_destroy(sink);
	return 0;
}
