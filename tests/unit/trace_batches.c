// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The batch sequence of random churn traces, for before/after comparisons
 * of a strategy's implementation (issue 9: upstream rewritten on
 * <pagereport/strategy.h> must report the same ranges in the same batches).
 *
 *   trace_batches STRATEGY [-v]
 *
 * Runs a fixed set of traces (seeds x sink capacity x FPI_TO_TAIL x
 * shuffle x a failing sink) through the public API only, with the
 * recorder sink, and prints one line per trace: the configuration, the
 * number of batches and an FNV-1a digest of every batch (seq, ret, n,
 * each range's pfn/order/zone, and the engine clock when it was taken).
 * -v prints the batches themselves.  tests/unit/trace_batches.golden
 * holds the output of the code before the rewrite;
 * tests/unit/trace_batches.sh compares.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

#define MS 1000000ULL

struct blk {
	uint64_t pfn;
	unsigned order;
};

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	/* xorshift64*: the tool's own PRNG, independent of the library */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ULL;
}

static uint64_t fnv(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= 1099511628211ULL;
	}
	return h;
}

struct tcfg {
	uint64_t seed;
	unsigned capacity;
	bool tail, shuffle;
	unsigned fail_every;
	unsigned order; /* 0 = default */
};

static int run(const char *strategy, const struct tcfg *tc, bool verbose)
{
	struct pgr_node_config nc = {
		.shuffle = tc->shuffle,
		.seed = tc->seed,
		.nr_zones = 2,
		.zones = { { .name = "DMA32",
			     .start_pfn = 0x1000,
			     .nr_pages = 48 * 1024 },
			   { .name = "Normal",
			     .start_pfn = 0x10000,
			     .nr_pages = 64 * 1024 } },
	};
	struct pgr_sink_recorder_config rc = {
		.capacity = tc->capacity,
		.fail_every = tc->fail_every,
	};
	struct pgr_reporting_config cfg = {
		.strategy = (enum pgr_strategy)pgr_strategy_from_name(strategy),
		.clock = PGR_CLOCK_VIRTUAL,
		.return_to_tail = tc->tail,
		.order = tc->order,
	};
	struct pgr_node *node = pgr_node_create(&nc);
	struct pgr_sink *sink = pgr_sink_recorder_create(&rc);
	size_t nb = 0, cap = 1 << 16;
	struct blk *held = calloc(cap, sizeof(*held));
	uint64_t h = 1469598103934665603ULL;
	size_t nr;
	int err;

	if (!node || !sink || !held)
		return -ENOMEM;
	rnd_state = tc->seed * 0x9E3779B97F4A7C15ULL + 1;
	for (unsigned i = 0; i < 2; i++)
		if (pgr_zone_populate(pgr_node_zone(node, i)))
			return -EIO;
	err = pgr_reporting_register(node, sink, &cfg);
	if (err) {
		fprintf(stderr, "register %s: %s\n", strategy, pgr_errmsg());
		return err;
	}
	for (unsigned step = 0; step < 60000; step++) {
		uint64_t r = rnd();
		struct pgr_zone *z = pgr_node_zone(node, (unsigned)(r & 1));

		if ((r >> 1) % 100 < 52 && nb < cap) {
			/* small orders mostly, sometimes a huge page */
			unsigned o = (r >> 8) % 16 == 0 ? 9 : (r >> 12) % 4;
			uint64_t pfn;

			if (!pgr_alloc_pages(z, o, PGR_MIGRATE_MOVABLE, 0,
					     &pfn)) {
				held[nb].pfn = pfn;
				held[nb++].order = o;
			}
		} else if (nb) {
			size_t k = (size_t)((r >> 20) % nb);
			struct pgr_zone *fz =
				pgr_node_zone(node, held[k].pfn >= 0x10000);

			if (pgr_free_pages(fz, held[k].pfn, held[k].order))
				return -EIO;
			held[k] = held[--nb];
		}
		/* bursts of frees: drop most of what is held now and then */
		if (step % 15000 == 14999)
			while (nb > 64) {
				struct pgr_zone *fz = pgr_node_zone(
					node, held[nb - 1].pfn >= 0x10000);

				if (pgr_free_pages(fz, held[nb - 1].pfn,
						   held[nb - 1].order))
					return -EIO;
				nb--;
			}
		if (step % 64 == 0)
			pgr_reporting_advance(node, (rnd() % 400) * MS);
	}
	pgr_reporting_run_until_idle(node, 600000 * MS, NULL);

	nr = pgr_sink_recorder_nr_batches(sink);
	for (size_t i = 0; i < nr; i++) {
		struct pgr_recorded_batch b;

		if (pgr_sink_recorder_batch(sink, i, &b))
			return -EIO;
		h = fnv(h, b.seq);
		h = fnv(h, (uint64_t)(int64_t)b.ret);
		h = fnv(h, b.n);
		if (verbose)
			printf("  batch %" PRIu64 " ret %d n %u:", b.seq, b.ret,
			       b.n);
		for (unsigned j = 0; j < b.n; j++) {
			h = fnv(h, b.ranges[j].pfn);
			h = fnv(h, b.ranges[j].order);
			h = fnv(h, b.ranges[j].zone);
			if (verbose)
				printf(" %" PRIx64 "/%u", b.ranges[j].pfn,
				       b.ranges[j].order);
		}
		if (verbose)
			printf("\n");
	}
	printf("%s seed=%" PRIu64 " cap=%u tail=%d shuffle=%d fail_every=%u "
	       "order=%u: %zu batches digest %016" PRIx64 "\n",
	       strategy, tc->seed, tc->capacity, tc->tail, tc->shuffle,
	       tc->fail_every, tc->order, nr, h);
	pgr_node_destroy(node);
	pgr_sink_destroy(sink);
	free(held);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct tcfg cfgs[] = {
		{ 1, 32, false, false, 0, 0 },	{ 2, 32, false, false, 0, 0 },
		{ 3, 16, false, false, 0, 0 },	{ 4, 32, true, false, 0, 0 },
		{ 5, 32, false, true, 0, 0 },	{ 6, 32, true, true, 0, 0 },
		{ 7, 32, false, false, 7, 0 },	{ 8, 8, false, false, 0, 0 },
		{ 9, 32, false, false, 0, 10 },
	};
	bool verbose = argc > 2 && !strcmp(argv[2], "-v");

	if (argc < 2) {
		fprintf(stderr, "usage: trace_batches STRATEGY [-v]\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		/* v11 reports at pageblock_order only */
		if (cfgs[i].order && strncmp(argv[1], "upstream", 8))
			continue;
		if (run(argv[1], &cfgs[i], verbose))
			return 1;
	}
	return 0;
}
