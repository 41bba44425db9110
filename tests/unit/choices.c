// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * choices: which blocks the model picks, as a fingerprint.  A seeded random
 * workload - allocations of every order and type (with and without
 * watermark and NOFRAGMENT flags, on two CPUs with per-CPU lists), frees in
 * random order, take_block, pageblock type changes, pageblock isolation and
 * its undo, compaction's list rotation, per-CPU drains and the reporting
 * engine's passes - runs on a two-zone node; every result (errors and pfns)
 * and, every 5000 steps, every free list in order are hashed.  The hash
 * changes if any choice of the allocator changes: a block taken from
 * another list, a list in another order, a merge that did not happen.
 *
 * Configuration N (0..63): bit 0 shuffle, bit 1 zones whose start and size
 * are not multiples of a MAX_ORDER-1 block, bit 2 per-CPU lists, N/8 % 5 the
 * strategy (none, upstream at order 0, v11-boundary, v11-rescan, bitmap),
 * N >= 40 max_order 9 and pageblock_order 6.  tests/unit/choices.sh runs
 * them all against choices.golden.  Usage: choices N [STEPS]
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

#define MAX_LIVE  200000
#define MAX_WALK  (1u << 20)
#define HASH_STEP 5000

static uint64_t rs, hash = 1469598103934665603ULL;
static uint64_t walk[MAX_WALK];

struct blk {
	unsigned int z;
	uint64_t pfn;
	unsigned int order;
};

static struct blk live[MAX_LIVE];
static size_t nlive;

/* xorshift64: the same sequence on every machine. */
static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

/* FNV-1a over the eight bytes of @v. */
static void mix(uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		hash ^= (v >> (i * 8)) & 0xff;
		hash *= 1099511628211ULL;
	}
}

static void mix_lists(struct pgr_node *n, unsigned int mo)
{
	for (unsigned int zi = 0; zi < pgr_node_nr_zones(n); zi++)
		for (unsigned int o = 0; o < mo; o++)
			for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
				long len = pgr_free_list_walk(
					pgr_node_zone(n, zi), o,
					(enum pgr_migratetype)mt, walk,
					MAX_WALK);

				mix((uint64_t)len);
				for (long i = 0; i < len && i < MAX_WALK; i++)
					mix(walk[i]);
			}
}

int main(int argc, char **argv)
{
	static const enum pgr_strategy strategies[] = {
		0, PGR_STRATEGY_UPSTREAM, PGR_STRATEGY_V11_BOUNDARY,
		PGR_STRATEGY_V11_RESCAN, PGR_STRATEGY_BITMAP
	};
	struct pgr_node_config c = { .nr_zones = 2, .seed = 7, .nr_cpus = 2 };
	struct {
		unsigned int z;
		uint64_t s;
	} iso[4];
	int niso = 0, cfgno, shuffle, unaligned, pcp, strat, small;
	struct pgr_sink *sink = NULL;
	unsigned int mo, pb;
	struct pgr_node *n;
	long steps;
	char buf[256];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: choices N [STEPS]\n");
		return 2;
	}
	cfgno = atoi(argv[1]);
	steps = argc > 2 ? atol(argv[2]) : 30000;
	if (cfgno < 0 || cfgno > 63 || steps <= 0) {
		fprintf(stderr, "choices: N is 0..63, STEPS > 0\n");
		return 2;
	}
	shuffle = cfgno & 1;
	unaligned = cfgno >> 1 & 1;
	pcp = cfgno >> 2 & 1;
	strat = (cfgno >> 3) % 5;
	small = cfgno >> 3 >= 5;
	mo = small ? 9 : 11;
	pb = small ? 6 : 9;
	rs = 0x9e3779b97f4a7c15ULL + (uint64_t)cfgno;
	c.shuffle = shuffle;
	if (small) {
		c.max_order = mo;
		c.pageblock_order = pb;
	}
	c.zones[0].name = "DMA32";
	c.zones[0].start_pfn = unaligned ? 1 : 0x1000;
	c.zones[0].nr_pages = unaligned ? 30001 : 0x8000;
	c.zones[1].name = "Normal";
	c.zones[1].start_pfn = 0x100000;
	c.zones[1].nr_pages = unaligned ? 70000 : 0x10000;
	c.pcp = pcp ? PGR_PCP_ON : PGR_PCP_OFF;
	n = pgr_node_create(&c);
	if (!n) {
		fprintf(stderr, "choices: node: %s\n", pgr_errmsg());
		return 1;
	}
	for (unsigned int z = 0; z < 2; z++)
		pgr_zone_populate(pgr_node_zone(n, z));
	if (strat) {
		struct pgr_reporting_config rc = {
			.strategy = strategies[strat],
			.clock = PGR_CLOCK_VIRTUAL,
			.order_set = strat == 1,
		};

		sink = pgr_sink_null_create(16);
		if (!sink || pgr_reporting_register(n, sink, &rc)) {
			fprintf(stderr, "choices: register: %s\n",
				pgr_errmsg());
			return 1;
		}
	}
	mix_lists(n, mo);
	for (long i = 0; i < steps; i++) {
		uint64_t r = rnd() % 1000;
		unsigned int zi = (unsigned int)(rnd() % 2);
		struct pgr_zone *z = pgr_node_zone(n, zi);
		struct pgr_zone_info info;

		pgr_zone_get_info(z, &info);
		if (r < 480 && nlive < MAX_LIVE) {
			unsigned int order =
				rnd() % 4 ? 0 : (unsigned int)(rnd() % mo);
			enum pgr_migratetype mt =
				(enum pgr_migratetype)(rnd() % 4);
			unsigned int flags =
				rnd() % 8 == 0	 ? PGR_ALLOC_WMARK_MIN
				: rnd() % 8 == 0 ? PGR_ALLOC_NOFRAGMENT
						 : 0;
			unsigned int cpu = pcp ? (unsigned int)(rnd() % 2) : 0;
			uint64_t pfn = 0;
			int err = cpu ? pgr_alloc_pages_cpu(z, cpu, order, mt,
							    flags, &pfn)
				      : pgr_alloc_pages(z, order, mt, flags,
							&pfn);

			mix((uint64_t)err);
			mix(pfn);
			if (!err)
				live[nlive++] = (struct blk){ zi, pfn, order };
		} else if (r < 960 && nlive) {
			size_t k = (size_t)(rnd() % nlive);
			struct blk b = live[k];
			struct pgr_zone *bz = pgr_node_zone(n, b.z);

			live[k] = live[--nlive];
			mix((uint64_t)(pcp ? pgr_free_pages_cpu(
						     bz,
						     (unsigned int)(rnd() % 2),
						     b.pfn, b.order)
					   : pgr_free_pages(bz, b.pfn,
							    b.order)));
		} else if (r < 970) {
			unsigned int order = (unsigned int)(rnd() % 3);
			uint64_t pfn =
				(info.start_pfn + rnd() % info.nr_pages) &
				~((1ULL << order) - 1);
			int err = pgr_take_block(z, pfn, order);

			mix((uint64_t)err);
			if (!err && nlive < MAX_LIVE)
				live[nlive++] = (struct blk){ zi, pfn, order };
		} else if (r < 975) {
			uint64_t pfn =
				(info.start_pfn + rnd() % info.nr_pages) &
				~((1ULL << pb) - 1);

			mix((uint64_t)pgr_set_pageblock_migratetype(
				z, pfn, (enum pgr_migratetype)(rnd() % 4)));
		} else if (r < 980) {
			mix((uint64_t)pgr_zone_compact_rotate(
				z, (unsigned int)(rnd() % mo), 0));
		} else if (r < 985 && pcp) {
			mix((uint64_t)pgr_zone_drain_pages(z,
							   PGR_PCP_ALL_CPUS));
		} else if (r < 990) {
			if (niso && (niso == 4 || rnd() % 2)) {
				niso--;
				mix((uint64_t)pgr_undo_isolate_range(
					pgr_node_zone(n, iso[niso].z),
					iso[niso].s, 1ULL << pb,
					PGR_MIGRATE_MOVABLE));
			} else {
				uint64_t s = (info.start_pfn +
					      rnd() % info.nr_pages) &
					     ~((1ULL << pb) - 1);
				int err;

				if (s < info.start_pfn)
					s += 1ULL << pb;
				err = pgr_isolate_range(z, s, 1ULL << pb);
				mix((uint64_t)err);
				if (!err) {
					iso[niso].z = zi;
					iso[niso].s = s;
					niso++;
				}
			}
		} else if (strat) {
			mix((uint64_t)pgr_reporting_advance(n, 50000000));
		}
		if (i % HASH_STEP == 0)
			mix_lists(n, mo);
	}
	mix_lists(n, mo);
	if (pgr_node_check(n, buf, sizeof(buf))) {
		fprintf(stderr, "choices: config %d: %s\n", cfgno, buf);
		return 1;
	}
	if (strat) {
		struct pgr_reporting_stats st;

		pgr_reporting_get_stats(n, &st);
		mix(st.pages_reported);
		mix(st.batches);
		pgr_reporting_unregister(n);
	}
	printf("config %d: %016llx\n", cfgno, (unsigned long long)hash);
	pgr_sink_destroy(sink);
	pgr_node_destroy(n);
	return 0;
}
