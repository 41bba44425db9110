// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-sim compare DIR: a pagereport-guest recording (a real
 * Linux 6.1 guest under QEMU, its own virtio-balloon reporting) against
 * the model, window by window.  The real side is QEMU's discard timeline;
 * windows begin at the phases the workload marked (pgr-phase).  Two
 * models, each under any strategy:
 *
 * seeded   for every window, a node laid out from the window's last
 *          snapshot (zoneinfo: zones, watermarks, managed pages;
 *          pagetypeinfo: free blocks per zone, migratetype and order,
 *          pageblocks per migratetype).  Blocks of the reporting order or
 *          above that the snapshot before it also had are taken to be
 *          Reported already (a first device reports them without the
 *          watermark gate and goes away, as the kernel's Reported flags
 *          outlive a device); the rest are freed when the window's device
 *          starts, and reporting runs until idle.  Right for windows in
 *          which the guest only frees (boot, a delete) and then rests.
 * replay   the guest's kmem trace replayed exactly (BUDDY view) from its
 *          free blocks at the start (free.start), what was free there
 *          first reported as upstream would have (the guest settled
 *          before the start), the engine clock following the trace, then
 *          reporting until idle; reports fall into windows by time.  At
 *          every snapshot the model's free blocks per order are set
 *          beside the kernel's.
 *
 * The model's node: the guest's zones (DMA, DMA32, ...), one reporting
 * device over all of them (the kernel has one per system), profile 6.1,
 * MAX_ORDER 11, pageblock order 9 (x86-64 with huge pages), per-CPU lists
 * off (the snapshots and the trace are buddy-level), capacity 32 and the
 * guest's page_reporting_order.  Passes are clusters of discards (or
 * reports) more than --gap seconds apart.  Times are printed, never
 * asserted; --check asserts passes equal and bytes within
 * --tolerance-pct for the named windows of the seeded model.
 *
 * --distance A,F,D prints the model's own fill-and-delete (the guest's
 * free pages fell by N from snapshot A to F: N order-0 MOVABLE pages,
 * with the page cache's radix_tree_node slabs among them, allocated from
 * A's layout and freed in allocation order) against the kernel's free
 * blocks per order at D, per-CPU lists off and on.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

#include "compare.h"

#define NSEC 1000000000ULL
#define NMT  PGR_MIGRATE_TYPES
#define MAXO PGR_MAX_ORDER_LIMIT
#define MAXZ PGR_MAX_ZONES
#define XMAX 11 /* x86-64 MAX_ORDER */

struct kzone {
	char name[16];
	uint64_t free, min, low, high, spanned, managed, start_pfn;
	uint64_t pcp_count, pcp_high, pcp_batch;
	uint64_t nr[NMT][MAXO]; /* free blocks, pagetypeinfo */
	uint64_t blocks[NMT];	/* pageblocks per migratetype */
};

struct ksnap {
	char name[64];
	bool window;
	double t0, t1;
	unsigned nz, pb_order;
	struct kzone z[MAXZ];
	bool have_slab;
	uint64_t slabs;
	unsigned slab_order;
};

struct disc {
	double t;
	uint64_t pfn, pages;
};

struct rep {
	double t;
	uint64_t bytes;
	unsigned n;
};

struct tl {
	struct rep *v;
	size_t n, cap;
};

struct copts {
	const char *dir, *strategy, *check, *distance, *model;
	double tol_pct, gap;
	unsigned capacity, order, smp;
	bool order_set;
	uint64_t delay_ns;
	bool delay_set;
};

static struct copts O;

/* ---- reading the recording ------------------------------------------------
 */

static FILE *open_rec(const char *a, const char *b, const char *mode)
{
	char p[4096];
	FILE *f;

	if (b)
		snprintf(p, sizeof(p), "%s/%s/%s", O.dir, a, b);
	else
		snprintf(p, sizeof(p), "%s/%s", O.dir, a);
	f = fopen(p, mode);
	if (!f)
		fprintf(stderr, "pagereport-sim compare: %s: %s\n", p,
			strerror(errno));
	return f;
}

static struct kzone *zone_named(struct ksnap *s, const char *name)
{
	for (unsigned i = 0; i < s->nz; i++)
		if (!strcmp(s->z[i].name, name))
			return &s->z[i];
	return NULL;
}

/* Node 0's zones with pages (zoneinfo). */
static int read_zoneinfo(struct ksnap *s)
{
	char line[512], name[16], p[200];
	struct kzone cur;
	bool in = false;
	FILE *f;

	snprintf(p, sizeof(p), "%s/zoneinfo", s->name);
	f = open_rec("phase", p, "r");
	if (!f)
		return -1;
	memset(&cur, 0, sizeof(cur));
	s->nz = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned node;
		unsigned long long v;

		if (sscanf(line, "Node %u, zone %15s", &node, name) == 2) {
			memset(&cur, 0, sizeof(cur));
			snprintf(cur.name, sizeof(cur.name), "%s", name);
			in = node == 0;
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, " pages free %llu", &v) == 1)
			cur.free = v;
		else if (sscanf(line, " min %llu", &v) == 1)
			cur.min = v;
		else if (sscanf(line, " low %llu", &v) == 1)
			cur.low = v;
		else if (sscanf(line, " high %llu", &v) == 1)
			cur.high = v;
		else if (sscanf(line, " spanned %llu", &v) == 1)
			cur.spanned = v;
		else if (sscanf(line, " managed %llu", &v) == 1)
			cur.managed = v;
		else if (sscanf(line, " count: %llu", &v) == 1)
			cur.pcp_count += v;
		else if (sscanf(line, " high: %llu", &v) == 1 && !cur.pcp_high)
			cur.pcp_high = v;
		else if (sscanf(line, " batch: %llu", &v) == 1 &&
			 !cur.pcp_batch)
			cur.pcp_batch = v;
		else if (sscanf(line, " start_pfn: %llu", &v) == 1) {
			cur.start_pfn = v;
			in = false;
			if (cur.spanned && s->nz < MAXZ)
				s->z[s->nz++] = cur;
		}
	}
	fclose(f);
	if (!s->nz) {
		fprintf(stderr,
			"pagereport-sim compare: phase %s: no zone with pages "
			"in zoneinfo\n",
			s->name);
		return -1;
	}
	return 0;
}

static int mt_from_name(const char *s)
{
	static const char *const n[NMT] = { "Unmovable", "Movable",
					    "Reclaimable", "HighAtomic",
					    "Isolate" };

	for (int i = 0; i < NMT; i++)
		if (!strcmp(s, n[i]))
			return i;
	return -1; /* CMA: not in the model */
}

static int read_pagetypeinfo(struct ksnap *s)
{
	char line[1024], zn[64], tn[64], hdr[NMT][32], p[200];
	int nhdr = 0;
	bool got = false;
	FILE *f;

	snprintf(p, sizeof(p), "%s/pagetypeinfo", s->name);
	f = open_rec("phase", p, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned node, v;
		int off;
		struct kzone *z;

		if (sscanf(line, "Page block order: %u", &v) == 1)
			s->pb_order = v;
		else if (sscanf(line, "Node %u, zone %63[^,], type %63s%n",
				&node, zn, tn, &off) == 3) {
			int mt = mt_from_name(tn);
			char *c = line + off, *e;
			char *t = zn + strspn(zn, " ");

			z = node == 0 ? zone_named(s, t) : NULL;
			for (unsigned o = 0; o < MAXO; o++, c = e) {
				unsigned long long x = strtoull(c, &e, 10);

				if (e == c)
					break;
				if (mt >= 0 && z)
					z->nr[mt][o] = x;
			}
			got = true;
		} else if (!strncmp(line, "Number of blocks type", 21)) {
			char *c = line + 21;
			int n;

			while (nhdr < NMT &&
			       sscanf(c, "%31s%n", hdr[nhdr], &n) == 1) {
				c += n;
				nhdr++;
			}
		} else if (nhdr &&
			   sscanf(line, "Node %u, zone %63s%n", &node, zn,
				  &off) == 2 &&
			   node == 0 && (z = zone_named(s, zn))) {
			char *c = line + off, *e;

			for (int i = 0; i < nhdr; i++, c = e) {
				unsigned long long x = strtoull(c, &e, 10);
				int mt = mt_from_name(hdr[i]);

				if (e == c)
					break;
				if (mt >= 0)
					z->blocks[mt] = x;
			}
		}
	}
	fclose(f);
	if (!got || !s->pb_order || !nhdr) {
		fprintf(stderr,
			"pagereport-sim compare: phase %s: pagetypeinfo is not "
			"Linux 6.1's\n",
			s->name);
		return -1;
	}
	return 0;
}

/* radix_tree_node slabs (the page cache's xarray nodes). */
static void read_slab(struct ksnap *s)
{
	char line[1024], p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/phase/%s/slabinfo", O.dir, s->name);
	f = fopen(p, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long act, num, sz, opp, ppsl, ns;

		if (sscanf(line,
			   "radix_tree_node %llu %llu %llu %llu %llu : "
			   "tunables %*u %*u %*u : slabdata %*u %llu",
			   &act, &num, &sz, &opp, &ppsl, &ns) == 6 &&
		    ppsl) {
			unsigned o = 0;

			while ((1ULL << o) < ppsl)
				o++;
			s->slabs = ns;
			s->slab_order = o;
			s->have_slab = true;
		}
	}
	fclose(f);
}

static int read_phases(struct ksnap **r_v, size_t *r_n)
{
	FILE *f = open_rec("phases", NULL, "r");
	char line[512];
	struct ksnap *v = NULL;
	size_t n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[64], kind[16];
		double t0, t1;
		struct ksnap *nv;

		if (sscanf(line, "%63s %15s %lf %lf", name, kind, &t0, &t1) !=
		    4)
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			fclose(f);
			free(v);
			return -1;
		}
		v = nv;
		memset(&v[n], 0, sizeof(v[n]));
		snprintf(v[n].name, sizeof(v[n].name), "%s", name);
		v[n].window = !strcmp(kind, "window");
		v[n].t0 = t0;
		v[n].t1 = t1;
		if (read_zoneinfo(&v[n]) || read_pagetypeinfo(&v[n])) {
			fclose(f);
			free(v);
			return -1;
		}
		read_slab(&v[n]);
		n++;
	}
	fclose(f);
	if (!n) {
		fprintf(stderr, "pagereport-sim compare: %s/phases: no phase\n",
			O.dir);
		free(v);
		return -1;
	}
	*r_v = v;
	*r_n = n;
	return 0;
}

static int read_discards(struct disc **r_v, size_t *r_n)
{
	FILE *f = open_rec("discards", NULL, "r");
	char line[256];
	struct disc *v = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		double t;
		unsigned long long pfn, pages;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%lf %llx %llu", &t, &pfn, &pages) != 3) {
			fprintf(stderr,
				"pagereport-sim compare: discards: bad line "
				"%s",
				line);
			fclose(f);
			free(v);
			return -1;
		}
		if (n == cap) {
			struct disc *nv;

			cap = cap ? cap * 2 : 1024;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				fclose(f);
				free(v);
				return -1;
			}
			v = nv;
		}
		v[n++] = (struct disc){ t, pfn, pages };
	}
	fclose(f);
	*r_v = v;
	*r_n = n;
	return 0;
}

/* "key value" from guest.info or meta; 0 when absent. */
static unsigned long long read_key(const char *file, const char *key)
{
	char p[4096], line[512];
	size_t n = strlen(key);
	unsigned long long v = 0;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", O.dir, file);
	f = fopen(p, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ' ')
			v = strtoull(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

/* ---- timelines and summaries ----------------------------------------------
 */

static int tl_add(struct tl *t, double ts, unsigned n, uint64_t bytes)
{
	if (t->n == t->cap) {
		size_t c = t->cap ? t->cap * 2 : 256;
		struct rep *v = realloc(t->v, c * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = c;
	}
	t->v[t->n++] = (struct rep){ ts, bytes, n };
	return 0;
}

struct summary {
	unsigned passes;
	uint64_t ranges, bytes;
	double t50, t90, t99;
	bool valid;
};

/* @t: times relative to the window's start, in order. */
static void summarize(const struct tl *t, struct summary *s)
{
	double q[3] = { 0.5, 0.9, 0.99 },
	       *out[3] = { &s->t50, &s->t90, &s->t99 };
	uint64_t acc = 0;
	int qi = 0;

	memset(s, 0, sizeof(*s));
	s->valid = true;
	for (size_t i = 0; i < t->n; i++) {
		if (!i || t->v[i].t - t->v[i - 1].t > O.gap)
			s->passes++;
		s->ranges += t->v[i].n;
		s->bytes += t->v[i].bytes;
	}
	for (size_t i = 0; i < t->n && qi < 3; i++) {
		acc += t->v[i].bytes;
		while (qi < 3 && (double)acc >= q[qi] * (double)s->bytes)
			*out[qi++] = t->v[i].t;
	}
}

/* ---- a sink that keeps the time of every report ----------------------------
 */

struct tsink {
	struct pgr_sink s;
	struct pgr_node *node;
	struct tl tl;
};

static int ts_report(struct pgr_sink *s, const struct pgr_range *r, unsigned n)
{
	struct tsink *t = s->priv;
	uint64_t b = 0;

	for (unsigned i = 0; i < n; i++)
		b += pgr_range_bytes(&r[i]);
	return tl_add(&t->tl, (double)pgr_reporting_now(t->node) / 1e9, n, b);
}

static int ts_open(struct pgr_sink *s, struct pgr_node *node)
{
	((struct tsink *)s->priv)->node = node;
	return 0;
}

static const struct pgr_sink_ops ts_ops = { .name = "timeline",
					    .report = ts_report,
					    .open = ts_open };

static int register_model(struct pgr_node *node, struct tsink *ts)
{
	struct pgr_reporting_config rc = {
		.strategy_name = O.strategy,
		.clock = PGR_CLOCK_VIRTUAL,
		.order = O.order,
		.order_set = O.order_set,
		.delay_ns = O.delay_ns,
		.delay_set = O.delay_set,
	};

	memset(ts, 0, sizeof(*ts));
	ts->s = (struct pgr_sink){ &ts_ops, O.capacity, ts };
	if (pgr_reporting_register(node, &ts->s, &rc)) {
		fprintf(stderr, "pagereport-sim compare: strategy %s: %s\n",
			O.strategy, pgr_errmsg());
		return -1;
	}
	return 0;
}

/* What was free before: reported by a first device (upstream), which then
 * goes; Reported flags stay. */
static int prereport(struct pgr_node *node, bool gate)
{
	struct pgr_sink *null = pgr_sink_null_create(32);
	/* upstream's parameter (not in any kernel): no watermark gate */
	struct pgr_param gate_off = { .name = "gate_disable", .value = 1 };
	struct pgr_reporting_config pre = {
		.strategy = PGR_STRATEGY_UPSTREAM,
		.clock = PGR_CLOCK_VIRTUAL,
		.order = O.order,
		.order_set = O.order_set,
		.params = gate ? NULL : &gate_off,
		.nr_params = gate ? 0 : 1,
	};
	int err = -1;

	if (null && !pgr_reporting_register(node, null, &pre) &&
	    !pgr_reporting_run_until_idle(node, 3600 * NSEC, NULL) &&
	    !pgr_reporting_unregister(node))
		err = 0;
	else
		fprintf(stderr, "pagereport-sim compare: pre-report: %s\n",
			pgr_errmsg());
	pgr_sink_destroy(null);
	return err;
}

/* ---- the node from a snapshot -----------------------------------------------
 */

static void node_config(const struct ksnap *s, struct pgr_node_config *c,
			enum pgr_pcp_mode pcp)
{
	memset(c, 0, sizeof(*c));
	c->max_order = XMAX;
	c->pageblock_order = s->pb_order;
	c->nr_zones = s->nz;
	c->profile = PGR_PROFILE_6_1;
	c->nr_cpus = O.smp;
	c->pcp = pcp;
	for (unsigned i = 0; i < s->nz; i++)
		c->zones[i] = (struct pgr_zone_config){
			.name = s->z[i].name,
			.start_pfn = s->z[i].start_pfn,
			.nr_pages = s->z[i].spanned,
			.watermark = { s->z[i].min, s->z[i].low, s->z[i].high },
			.managed_pages = s->z[i].managed,
		};
}

struct blk {
	uint64_t pfn;
	unsigned order;
	bool held; /* taken at first, freed when the window starts */
};

struct layout {
	struct blk *v;
	size_t n, cap;
	int *pb_mt; /* per pageblock overlapping the zone */
	uint64_t pb0, nr_pb, misplaced;
};

static int cmp_blk(const void *a, const void *b)
{
	const struct blk *x = a, *y = b;

	return (x->pfn > y->pfn) - (x->pfn < y->pfn);
}

static int add_blk(struct layout *L, uint64_t pfn, unsigned o, bool held)
{
	if (L->n == L->cap) {
		size_t c = L->cap ? L->cap * 2 : 1024;
		struct blk *v = realloc(L->v, c * sizeof(*v));

		if (!v)
			return -ENOMEM;
		L->v = v;
		L->cap = c;
	}
	L->v[L->n++] = (struct blk){ pfn, o, held };
	return 0;
}

enum { PG_UNUSED = 0, PG_FREE = 1, PG_KEEP = 2 }; /* KEEP: stays allocated */

/*
 * Can a free block of order @o go at @pos?  Its pages are unused and in
 * the zone, and its buddy will not be a free block of the same order (the
 * kernel would have merged them): the block is of order MAX_ORDER-1, the
 * buddy reaches outside the zone, or
 * one of its pages can stay allocated (marked KEEP when placed).
 */
static bool fits(const unsigned char *st, uint64_t s, uint64_t e, uint64_t pos,
		 unsigned o, uint64_t *r_keep)
{
	uint64_t n = 1ULL << o, b = pos ^ n;

	if (pos < s || pos + n > e)
		return false;
	for (uint64_t i = 0; i < n; i++)
		if (st[pos - s + i] != PG_UNUSED)
			return false;
	*r_keep = UINT64_MAX;
	/* MAX_ORDER-1 blocks never merge */
	if (o + 1 >= XMAX || b < s || b + n > e)
		return true;
	for (uint64_t i = 0; i < n; i++)
		if (st[b - s + i] != PG_FREE) {
			*r_keep = b + i;
			return true;
		}
	return false;
}

/*
 * One zone's free blocks, given as counts, laid out.  From the largest
 * order down, each block takes the lowest place that fits (above) in a
 * pageblock of its type, else in a pageblock without a type yet (which
 * takes the block's type), else anywhere (counted in misplaced; blocks of
 * pageblock order or more only go where every pageblock is theirs or
 * untyped).  The other pageblocks then get the rest of the kernel's
 * pageblock counts, the zone's partial edge pageblocks non-MOVABLE types
 * first.  @held[mt][o]: how many of the order-o blocks of type mt start
 * held (freed when the window starts).
 */
static int make_layout(const struct kzone *z, unsigned pbo,
		       uint64_t held[NMT][MAXO], struct layout *L)
{
	static const int order_mt[NMT] = { PGR_MIGRATE_MOVABLE,
					   PGR_MIGRATE_UNMOVABLE,
					   PGR_MIGRATE_RECLAIMABLE,
					   PGR_MIGRATE_HIGHATOMIC,
					   PGR_MIGRATE_ISOLATE };
	const uint64_t pbn = 1ULL << pbo, s = z->start_pfn,
		       e = z->start_pfn + z->spanned;
	uint64_t left_pb[NMT], pb;
	unsigned char *st;
	int err = 0;

	memset(L, 0, sizeof(*L));
	L->pb0 = s / pbn;
	L->nr_pb = (e - 1) / pbn - L->pb0 + 1;
	L->pb_mt = malloc(L->nr_pb * sizeof(*L->pb_mt));
	st = calloc(z->spanned, 1);
	if (!L->pb_mt || !st) {
		free(st);
		return -ENOMEM;
	}
	for (pb = 0; pb < L->nr_pb; pb++)
		L->pb_mt[pb] = -1;
	for (int mt = 0; mt < NMT; mt++)
		left_pb[mt] = z->blocks[mt];
	for (int o = XMAX - 1; o >= 0 && !err; o--)
		for (int mt = 0; mt < NMT && !err; mt++) {
			uint64_t n = 1ULL << o,
				 pbs = o >= (int)pbo ? n >> pbo : 1;
			uint64_t cursor[3] = { s & ~(n - 1), s & ~(n - 1),
					       s & ~(n - 1) };

			for (uint64_t j = 0; j < z->nr[mt][o] && !err; j++) {
				uint64_t pos = 0, keep = UINT64_MAX;
				int pass;
				bool found = false;

				for (pass = 0; pass < 3 && !found; pass++) {
					if (pass == 2 && o >= (int)pbo)
						break;
					for (pos = cursor[pass]; pos < e;
					     pos += n) {
						uint64_t p0 =
							pos / pbn - L->pb0;
						bool ok = true;

						for (uint64_t k = 0;
						     ok && k < pbs; k++) {
							int t = L->pb_mt[p0 +
									 k];

							ok = pass == 2 ||
							     (pass == 0 &&
							      t == mt) ||
							     (pass == 1 &&
							      t < 0);
						}
						if (ok &&
						    fits(st, s, e, pos,
							 (unsigned)o, &keep)) {
							found = true;
							break;
						}
					}
					cursor[pass] = pos;
				}
				if (!found) {
					fprintf(stderr,
						"pagereport-sim compare: zone "
						"%s: no room for the free "
						"order-%d %s blocks\n",
						z->name, o,
						pgr_migratetype_name(mt));
					err = -ENOSPC;
					break;
				}
				pass--;
				if (pass == 2)
					L->misplaced++;
				for (uint64_t k = 0; k < pbs; k++) {
					uint64_t p0 = pos / pbn - L->pb0 + k;

					if (L->pb_mt[p0] < 0) {
						L->pb_mt[p0] = mt;
						if (left_pb[mt])
							left_pb[mt]--;
					}
				}
				memset(st + (pos - s), PG_FREE, n);
				if (keep != UINT64_MAX)
					st[keep - s] = PG_KEEP;
				err = add_blk(L, pos, (unsigned)o,
					      j < held[mt][o]);
			}
		}
	for (int pass = 0; pass < 2; pass++)
		for (pb = 0; pb < L->nr_pb; pb++) {
			uint64_t lo = (L->pb0 + pb) * pbn;
			bool partial = lo < s || lo + pbn > e;

			if (L->pb_mt[pb] >= 0 || (pass == 0 && !partial))
				continue;
			for (int i = pass == 0 ? 1 : 0; i < NMT; i++)
				if (left_pb[order_mt[i]]) {
					L->pb_mt[pb] = order_mt[i];
					left_pb[order_mt[i]]--;
					break;
				}
		}
	for (pb = 0; pb < L->nr_pb; pb++)
		if (L->pb_mt[pb] < 0)
			L->pb_mt[pb] = PGR_MIGRATE_MOVABLE;
	free(st);
	if (!err)
		qsort(L->v, L->n, sizeof(*L->v), cmp_blk);
	return err;
}

static void free_layout(struct layout *L)
{
	free(L->v);
	free(L->pb_mt);
}

/* Take [p, stop) in the largest aligned blocks. */
static int take_range(struct pgr_zone *zone, uint64_t p, uint64_t stop)
{
	while (p < stop) {
		unsigned o = XMAX - 1;

		while (o && ((p & ((1ULL << o) - 1)) || p + (1ULL << o) > stop))
			o--;
		if (pgr_take_block(zone, p, o)) {
			fprintf(stderr,
				"pagereport-sim compare: take %#" PRIx64
				"/%u: %s\n",
				p, o, pgr_errmsg());
			return -1;
		}
		p += 1ULL << o;
	}
	return 0;
}

/* Zone @z of @node as @L says: its pageblock types, only L's blocks free
 * (and the held ones taken too when @take_held). */
static int apply_layout(struct pgr_node *node, unsigned zi,
			const struct kzone *z, unsigned pbo,
			const struct layout *L, bool take_held)
{
	struct pgr_zone *zone = pgr_node_zone(node, zi);
	uint64_t p = z->start_pfn, e = p + z->spanned;

	if (pgr_zone_populate(zone))
		return -1;
	for (uint64_t pb = 0; pb < L->nr_pb; pb++) {
		uint64_t pfn = (L->pb0 + pb) << pbo;

		if (pfn < z->start_pfn)
			pfn = z->start_pfn;
		if (L->pb_mt[pb] != PGR_MIGRATE_MOVABLE &&
		    pgr_set_pageblock_migratetype(
			    zone, pfn, (enum pgr_migratetype)L->pb_mt[pb]))
			return -1;
	}
	for (size_t i = 0; i < L->n; i++) {
		if (take_range(zone, p, L->v[i].pfn))
			return -1;
		if (take_held && L->v[i].held &&
		    pgr_take_block(zone, L->v[i].pfn, L->v[i].order))
			return -1;
		p = L->v[i].pfn + (1ULL << L->v[i].order);
	}
	return take_range(zone, p, e);
}

/* ---- the seeded model -------------------------------------------------------
 */

/*
 * Window seeded from snapshot @s; @b the snapshot before it or NULL.
 * Appends the model's reports to @out, times relative to its start.
 */
static int run_seeded(const struct ksnap *s, const struct ksnap *b,
		      struct tl *out)
{
	struct layout L[MAXZ];
	struct pgr_node_config c;
	struct pgr_node *node = NULL;
	struct tsink ts = { 0 };
	uint64_t held[NMT][MAXO];
	bool any_old = false;
	double t0;
	int err = -1;
	unsigned nl = 0;

	node_config(s, &c, PGR_PCP_OFF);
	for (unsigned zi = 0; zi < s->nz; zi++) {
		const struct kzone *z = &s->z[zi];
		const struct kzone *zb =
			b ? zone_named((struct ksnap *)b, z->name) : NULL;

		memset(held, 0, sizeof(held));
		for (int mt = 0; mt < NMT; mt++)
			for (unsigned o = O.order; o < XMAX; o++) {
				uint64_t now = z->nr[mt][o],
					 was = zb ? zb->nr[mt][o] : 0;

				held[mt][o] = now > was ? now - was : 0;
				if (now > held[mt][o])
					any_old = true;
			}
		if (make_layout(z, s->pb_order, held, &L[zi]))
			goto out;
		nl++;
	}
	node = pgr_node_create(&c);
	if (!node) {
		fprintf(stderr, "pagereport-sim compare: node: %s\n",
			pgr_errmsg());
		goto out;
	}
	for (unsigned zi = 0; zi < s->nz; zi++)
		if (apply_layout(node, zi, &s->z[zi], s->pb_order, &L[zi],
				 !any_old)) {
			fprintf(stderr,
				"pagereport-sim compare: building zone %s: "
				"%s\n",
				s->z[zi].name, pgr_errmsg());
			goto out;
		}
	/* The old blocks were reported while memory was plentiful (a
	 * reporting isolation needs the zone above its min watermark): with
	 * every block free, report all, then take the new ones away again
	 * (taking clears Reported) to free them when the window starts. */
	if (any_old) {
		if (prereport(node, false))
			goto out;
		for (unsigned zi = 0; zi < s->nz; zi++)
			for (size_t i = 0; i < L[zi].n; i++)
				if (L[zi].v[i].held &&
				    pgr_take_block(pgr_node_zone(node, zi),
						   L[zi].v[i].pfn,
						   L[zi].v[i].order)) {
					fprintf(stderr,
						"pagereport-sim compare: "
						"take: %s\n",
						pgr_errmsg());
					goto out;
				}
	}
	if (register_model(node, &ts))
		goto out;
	t0 = (double)pgr_reporting_now(node) / 1e9;
	for (unsigned zi = 0; zi < s->nz; zi++)
		for (size_t i = 0; i < L[zi].n; i++)
			if (L[zi].v[i].held &&
			    pgr_free_pages(pgr_node_zone(node, zi),
					   L[zi].v[i].pfn, L[zi].v[i].order)) {
				fprintf(stderr,
					"pagereport-sim compare: free: %s\n",
					pgr_errmsg());
				goto out;
			}
	if (pgr_reporting_run_until_idle(node, 3600 * NSEC, NULL)) {
		fprintf(stderr, "pagereport-sim compare: reporting did not "
				"go idle\n");
		goto out;
	}
	for (size_t i = 0; i < ts.tl.n; i++)
		if (tl_add(out, ts.tl.v[i].t - t0, ts.tl.v[i].n,
			   ts.tl.v[i].bytes))
			goto out;
	err = 0;
out:
	pgr_node_destroy(node);
	free(ts.tl.v);
	for (unsigned i = 0; i < nl; i++)
		free_layout(&L[i]);
	return err;
}

/* ---- the replayed model -----------------------------------------------------
 */

struct freeblk {
	uint64_t pfn;
	unsigned order;
};

static int load_free(struct freeblk **r_v, size_t *r_n)
{
	FILE *f = open_rec("free.start", NULL, "r");
	char line[128];
	struct freeblk *v = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long pfn;
		unsigned o;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%llx %u", &pfn, &o) != 2 || o >= XMAX) {
			fprintf(stderr,
				"pagereport-sim compare: free.start: bad line "
				"%s",
				line);
			fclose(f);
			free(v);
			return -1;
		}
		if (n == cap) {
			struct freeblk *nv;

			cap = cap ? cap * 2 : 1024;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				fclose(f);
				free(v);
				return -1;
			}
			v = nv;
		}
		v[n++] = (struct freeblk){ pfn, o };
	}
	fclose(f);
	*r_v = v;
	*r_n = n;
	return 0;
}

struct snapfree {
	uint64_t nr[MAXO]; /* model free blocks per order at the snapshot */
	bool taken;
};

struct replay_ctx {
	struct pgr_node *node;
	const struct ksnap *snaps;
	size_t nsnap, next;
	struct snapfree *sf;
	double t_first; /* guest time of the first event */
};

static void model_blocks(struct pgr_node *node, uint64_t nr[MAXO])
{
	memset(nr, 0, sizeof(uint64_t) * MAXO);
	for (unsigned z = 0; z < pgr_node_nr_zones(node); z++) {
		struct pgr_zone_info info;

		pgr_zone_get_info(pgr_node_zone(node, z), &info);
		for (unsigned o = 0; o < info.max_order; o++)
			nr[o] += info.nr_free[o];
	}
}

static int after_event(void *arg, size_t i, const struct pgr_trace_event *ev)
{
	struct replay_ctx *c = arg;
	double t = (double)ev->time_ns / 1e9;

	(void)i;
	while (c->next < c->nsnap && c->snaps[c->next].t0 <= t) {
		if (c->snaps[c->next].t0 >= c->t_first) {
			model_blocks(c->node, c->sf[c->next].nr);
			c->sf[c->next].taken = true;
		}
		c->next++;
	}
	return 0;
}

static int run_replay(const struct ksnap *start, const struct ksnap *snaps,
		      size_t nsnap, struct tl *out, struct snapfree *sf)
{
	struct pgr_trace *t = pgr_trace_create();
	struct pgr_node_config c;
	struct pgr_node *node = NULL;
	struct freeblk *fb = NULL;
	struct tsink ts = { 0 };
	struct pgr_replay *rp = NULL;
	struct pgr_replay_stats st;
	struct replay_ctx ctx = { 0 };
	size_t nfb = 0, k = 0;
	char p[4096];
	double base;
	int err = -1;

	snprintf(p, sizeof(p), "%s/trace.pgrtrace", O.dir);
	if (!t || pgr_trace_load(t, p)) {
		fprintf(stderr, "pagereport-sim compare: %s: %s\n", p,
			pgr_errmsg());
		goto out;
	}
	if (!pgr_trace_nr_events(t)) {
		fprintf(stderr, "pagereport-sim compare: %s: no events\n", p);
		goto out;
	}
	if (load_free(&fb, &nfb))
		goto out;
	node_config(start, &c, PGR_PCP_OFF);
	node = pgr_node_create(&c);
	if (!node) {
		fprintf(stderr, "pagereport-sim compare: node: %s\n",
			pgr_errmsg());
		goto out;
	}
	/* only free.start's blocks free */
	for (unsigned zi = 0; zi < c.nr_zones; zi++) {
		struct pgr_zone *zone = pgr_node_zone(node, zi);
		uint64_t s = c.zones[zi].start_pfn,
			 e = s + c.zones[zi].nr_pages, pp = s;

		if (pgr_zone_populate(zone))
			goto out;
		while (k < nfb && fb[k].pfn < s)
			k++;
		for (; k < nfb && fb[k].pfn < e; k++) {
			if (take_range(zone, pp, fb[k].pfn))
				goto out;
			pp = fb[k].pfn + (1ULL << fb[k].order);
		}
		if (take_range(zone, pp, e))
			goto out;
	}
	/* the guest had settled after boot: what was free is reported */
	if (prereport(node, true) || register_model(node, &ts))
		goto out;
	ctx.node = node;
	ctx.snaps = snaps;
	ctx.nsnap = nsnap;
	ctx.sf = sf;
	ctx.t_first = (double)pgr_trace_events(t)[0].time_ns / 1e9;
	{
		struct pgr_replay_config rc = {
			.mode = PGR_REPLAY_EXACT,
			.after_event = after_event,
			.arg = &ctx,
		};

		base = (double)pgr_reporting_now(node) / 1e9;
		rp = pgr_replay_create(node, &rc);
		if (!rp || pgr_replay_run(rp, t)) {
			fprintf(stderr, "pagereport-sim compare: replay: %s\n",
				pgr_errmsg());
			goto out;
		}
	}
	/* snapshots after the last event */
	for (; ctx.next < nsnap; ctx.next++) {
		model_blocks(node, sf[ctx.next].nr);
		sf[ctx.next].taken = true;
	}
	if (pgr_reporting_run_until_idle(node, 3600 * NSEC, NULL))
		goto out;
	pgr_replay_get_stats(rp, &st);
	printf("replay: %zu events from %.2f s (%" PRIu64 " allocs, %" PRIu64
	       " frees applied; free of a free block %" PRIu64
	       ", alloc of a non-free block %" PRIu64
	       ", free matching no block %" PRIu64 ")\n",
	       pgr_trace_nr_events(t), ctx.t_first, st.allocs, st.frees,
	       st.free_unestablished, st.alloc_conflicts, st.free_conflicts);
	for (size_t i = 0; i < ts.tl.n; i++)
		if (tl_add(out, ctx.t_first + (ts.tl.v[i].t - base),
			   ts.tl.v[i].n, ts.tl.v[i].bytes))
			goto out;
	err = 0;
out:
	pgr_replay_destroy(rp);
	pgr_node_destroy(node);
	pgr_trace_destroy(t);
	free(ts.tl.v);
	free(fb);
	return err;
}

/* ---- output -----------------------------------------------------------------
 */

static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);

		if (l == n && !strncmp(p, name, n))
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}

static void cell(const struct summary *s)
{
	if (!s->valid) {
		printf(" - |");
		return;
	}
	printf(" %u / %" PRIu64 " / %.1f |", s->passes, s->ranges,
	       (double)s->bytes / (1 << 20));
}

static void times(const struct summary *s)
{
	if (!s->valid || !s->bytes)
		printf(" - |");
	else
		printf(" %.2f / %.2f / %.2f |", s->t50, s->t90, s->t99);
}

static double delta_pct(const struct summary *k, const struct summary *m)
{
	if (!k->bytes)
		return m->bytes ? 100.0 : 0.0;
	return 100.0 * ((double)m->bytes - (double)k->bytes) / (double)k->bytes;
}

static uint64_t kblocks(const struct ksnap *s, unsigned o, int mov)
{
	uint64_t n = 0;

	for (unsigned z = 0; z < s->nz; z++)
		for (int mt = 0; mt < NMT; mt++)
			if (mov < 0 || mov == (mt == PGR_MIGRATE_MOVABLE))
				n += s->z[z].nr[mt][o];
	return n;
}

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static double distance(const struct ksnap *k, const uint64_t m[MAXO],
		       uint64_t *r_sd, uint64_t *r_sk)
{
	uint64_t sd = 0, sk = 0;

	for (unsigned o = 0; o < XMAX; o++) {
		sd += absdiff(m[o], kblocks(k, o, -1));
		sk += kblocks(k, o, -1);
	}
	*r_sd = sd;
	*r_sk = sk;
	return sk ? 100.0 * (double)sd / (double)sk : 0.0;
}

static void blocks_row(const char *label, const uint64_t nr[MAXO])
{
	printf("  %-22s", label);
	for (unsigned o = 0; o < XMAX; o++)
		printf(" %6" PRIu64, nr[o]);
	printf("\n");
}

/* ---- the model's own fill-and-delete ----------------------------------------
 */

static const struct ksnap *snap_named(const struct ksnap *v, size_t n,
				      const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

static uint64_t free_pages(const struct ksnap *s)
{
	uint64_t n = 0;

	for (unsigned z = 0; z < s->nz; z++)
		n += s->z[z].free;
	return n;
}

/*
 * From @a's layout, allocate @n order-0 MOVABLE pages in the last zone
 * with @ns order-@so RECLAIMABLE slabs spread among them (the slab holding
 * the xarray's top node freed last), then free all in allocation order.
 */
static int fill_delete(const struct ksnap *a, uint64_t n, uint64_t ns,
		       unsigned so, enum pgr_pcp_mode pcp, uint64_t nr[MAXO],
		       uint64_t *r_pcp)
{
	uint64_t none[NMT][MAXO] = { { 0 } }, *pfns = NULL, got, nb = 0, si = 0;
	uint64_t top = 64, root = UINT64_MAX;
	unsigned char *ord = NULL;
	struct layout L[MAXZ];
	struct pgr_node_config c;
	struct pgr_node *node = NULL;
	struct pgr_zone *zone;
	unsigned nl = 0;
	int err = -1;

	node_config(a, &c, pcp);
	for (unsigned zi = 0; zi < a->nz; zi++) {
		if (make_layout(&a->z[zi], a->pb_order, none, &L[zi]))
			goto out;
		nl++;
	}
	node = pgr_node_create(&c);
	if (!node)
		goto out;
	for (unsigned zi = 0; zi < a->nz; zi++)
		if (apply_layout(node, zi, &a->z[zi], a->pb_order, &L[zi],
				 true))
			goto out;
	zone = pgr_node_zone(node, a->nz - 1);
	pfns = malloc((n + ns + 1) * sizeof(*pfns));
	ord = malloc(n + ns + 1);
	if (!pfns || !ord)
		goto out;
	while (top * 64 < n)
		top *= 64;
	for (got = 0; got < n; got++) {
		while (si < ns && got * (ns + 1) >= (si + 1) * n) {
			if (pgr_alloc_pages(zone, so, PGR_MIGRATE_RECLAIMABLE,
					    0, &pfns[nb]))
				break;
			if (got <= top)
				root = nb;
			ord[nb++] = (unsigned char)so;
			si++;
		}
		if (pgr_alloc_pages(zone, 0, PGR_MIGRATE_MOVABLE, 0, &pfns[nb]))
			break;
		ord[nb++] = 0;
	}
	for (uint64_t i = 0; i <= nb; i++) {
		uint64_t j = i < nb ? i : root;

		if ((i < nb && i == root) || j == UINT64_MAX)
			continue;
		if (pgr_free_pages(zone, pfns[j], ord[j]))
			goto out;
	}
	model_blocks(node, nr);
	*r_pcp = 0;
	for (unsigned zi = 0; zi < a->nz; zi++) {
		struct pgr_zone_info info;

		pgr_zone_get_info(pgr_node_zone(node, zi), &info);
		*r_pcp += info.pcp_pages;
	}
	err = 0;
out:
	if (err)
		fprintf(stderr, "pagereport-sim compare: fill-and-delete: %s\n",
			pgr_errmsg());
	free(pfns);
	free(ord);
	pgr_node_destroy(node);
	for (unsigned i = 0; i < nl; i++)
		free_layout(&L[i]);
	return err;
}

static int print_distance(const struct ksnap *v, size_t nv)
{
	char names[3][64] = { { 0 } };
	const struct ksnap *s[3];
	const char *p = O.distance;
	uint64_t n, ns = 0, nr[MAXO], pcp, sd, sk, k[MAXO];
	unsigned so = 0;
	double d;

	for (int i = 0; i < 3; i++) {
		size_t l = strcspn(p, ",");

		snprintf(names[i], sizeof(names[i]), "%.*s", (int)l, p);
		p += l + (p[l] == ',');
		s[i] = snap_named(v, nv, names[i]);
		if (!s[i])
			return 1; /* not this scenario */
	}
	n = free_pages(s[0]) > free_pages(s[1])
		    ? free_pages(s[0]) - free_pages(s[1])
		    : 0;
	if (s[0]->have_slab && s[1]->have_slab && s[1]->slabs > s[0]->slabs) {
		ns = s[1]->slabs - s[0]->slabs;
		so = s[1]->slab_order;
		if (ns << so > n)
			ns = 0;
	}
	printf("\nfill-and-delete (free blocks per order, orders 0..%d, all "
	       "zones): the guest's free pages fell by %" PRIu64
	       " from %s to %s, %" PRIu64 " of them in %" PRIu64
	       " order-%u radix_tree_node slabs; the model allocates them "
	       "from %s's layout and frees them in allocation order, "
	       "against the kernel at %s\n",
	       XMAX - 1, n, names[0], names[1], ns << so, ns, so, names[0],
	       names[2]);
	for (unsigned o = 0; o < XMAX; o++)
		k[o] = kblocks(s[2], o, -1);
	blocks_row("kernel", k);
	for (int mode = 0; mode < 2; mode++) {
		char label[64];
		enum pgr_pcp_mode pm = mode ? PGR_PCP_ON : PGR_PCP_OFF;

		if (fill_delete(s[0], n - (ns << so), ns, so, pm, nr, &pcp))
			return -1;
		snprintf(label, sizeof(label), "model, pcp %s",
			 mode ? "on" : "off");
		blocks_row(label, nr);
		d = distance(s[2], nr, &sd, &sk);
		printf("  %-22s distance sum|k-m|/sum k %.1f %% (%" PRIu64
		       " of %" PRIu64 " blocks); model per-CPU pages %" PRIu64
		       "\n",
		       "", d, sd, sk, pcp);
	}
	{
		uint64_t kp = 0;

		for (unsigned z = 0; z < s[2]->nz; z++)
			kp += s[2]->z[z].pcp_count;
		printf("  (kernel per-CPU pages at %s: %" PRIu64 ")\n",
		       names[2], kp);
	}
	return 0;
}

/* ---- main -------------------------------------------------------------------
 */

static void usage(FILE *f)
{
	fputs("Usage: pagereport-sim compare DIR [OPTION]...\n"
	      "A pagereport-guest recording against the model, window by "
	      "window.\n\n"
	      "  --strategy NAME       the model's strategy (default "
	      "upstream; the real side\n"
	      "                        is always Linux 6.1's upstream)\n"
	      "  --model seeded|replay|both  (default: both when the "
	      "recording has a trace)\n"
	      "  --capacity N          blocks per report (default 32)\n"
	      "  --order N             lowest reported order (default: the "
	      "guest's\n"
	      "                        page_reporting_order)\n"
	      "  --delay-ms N          the strategy's delay (default its "
	      "own)\n"
	      "  --gap S               a pause longer than S seconds starts "
	      "a new pass (1)\n"
	      "  --check W1,W2,...     exit 1 unless the seeded model has "
	      "the real passes\n"
	      "                        and bytes within --tolerance-pct in "
	      "these windows\n"
	      "  --tolerance-pct P     (default 2)\n"
	      "  --distance A,F,D      the model's own fill-and-delete from "
	      "snapshot A (free\n"
	      "                        pages fell until F) against the "
	      "kernel at D\n"
	      "                        (default start,delete,end when "
	      "present)\n"
	      "  -h, --help\n",
	      f);
}

static int parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "strategy", required_argument, NULL, 's' },
		{ "model", required_argument, NULL, 'M' },
		{ "capacity", required_argument, NULL, 'c' },
		{ "order", required_argument, NULL, 'o' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "gap", required_argument, NULL, 'g' },
		{ "check", required_argument, NULL, 'C' },
		{ "tolerance-pct", required_argument, NULL, 't' },
		{ "distance", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *e;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		bool num = strchr("codgt", c) != NULL;
		double v = num ? strtod(optarg, &e) : 0;
		bool bad = num && (e == optarg || *e);

		switch (c) {
		case 's':
			if (pgr_strategy_from_name(optarg) < 0) {
				fprintf(stderr,
					"pagereport-sim compare: unknown "
					"strategy %s\n",
					optarg);
				return 2;
			}
			O.strategy = optarg;
			break;
		case 'M':
			if (strcmp(optarg, "seeded") &&
			    strcmp(optarg, "replay") && strcmp(optarg, "both"))
				bad = true;
			O.model = optarg;
			break;
		case 'c':
			bad |= !(v >= 1 && v <= 32) || v != (unsigned)v;
			O.capacity = (unsigned)v;
			break;
		case 'o':
			bad |= !(v >= 0 && v < XMAX) || v != (unsigned)v;
			O.order = (unsigned)v;
			O.order_set = true;
			break;
		case 'd':
			bad |= !(v >= 0 && v <= 3600000);
			O.delay_ns = (uint64_t)(v * 1e6);
			O.delay_set = true;
			break;
		case 'g':
			bad |= !(v > 0 && v < 60);
			O.gap = v;
			break;
		case 'C':
			O.check = optarg;
			break;
		case 't':
			bad |= !(v >= 0 && v <= 100);
			O.tol_pct = v;
			break;
		case 'D':
			O.distance = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
		if (bad) {
			fprintf(stderr,
				"pagereport-sim compare: bad value %s for "
				"--%s\n",
				optarg, argv[optind - 1] + 2);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	O.dir = argv[optind];
	return 0;
}

/* Real discards of [t0, t1) relative to t0. */
static int real_window(const struct disc *d, size_t nd, double t0, double t1,
		       struct tl *t)
{
	for (size_t i = 0; i < nd; i++)
		if (d[i].t >= t0 && d[i].t < t1 &&
		    tl_add(t, d[i].t - t0, 1, d[i].pages << 12))
			return -1;
	return 0;
}

static int rss_mib(double t, double *r)
{
	FILE *f = open_rec("rss.csv", NULL, "r");
	char line[256];
	double best = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		double ts;
		unsigned long long rss;

		if (sscanf(line, "%lf,%llu", &ts, &rss) == 2 && ts <= t)
			best = (double)rss / 1024;
	}
	fclose(f);
	*r = best;
	return best < 0 ? -1 : 0;
}

int pgr_sim_compare_main(int argc, char **argv)
{
	struct ksnap *snaps = NULL;
	struct disc *disc = NULL;
	struct snapfree *sf = NULL;
	struct tl replayed = { 0 };
	size_t nsnap = 0, ndisc = 0, start = SIZE_MAX;
	bool ok = true, want_seeded, want_replay, have_trace;
	int ret = 2, err;
	char p[4096];
	FILE *f;

	memset(&O, 0, sizeof(O));
	O.strategy = "upstream";
	O.tol_pct = 2;
	O.gap = 1;
	O.capacity = 32;
	err = parse(argc, argv);
	if (err)
		return err;
	if (!O.order_set) {
		O.order = (unsigned)read_key("guest.info",
					     "page_reporting_order");
		O.order_set = true;
		if (!O.order)
			O.order = 9;
	}
	O.smp = (unsigned)read_key("meta", "smp");
	if (!O.smp)
		O.smp = 1;
	if (read_phases(&snaps, &nsnap) || read_discards(&disc, &ndisc))
		goto out;
	snprintf(p, sizeof(p), "%s/trace.pgrtrace", O.dir);
	f = fopen(p, "r");
	have_trace = f != NULL;
	if (f)
		fclose(f);
	want_seeded = !O.model || strcmp(O.model, "replay");
	want_replay = O.model ? strcmp(O.model, "seeded") != 0 : have_trace;
	if (want_replay && !have_trace) {
		fprintf(stderr,
			"pagereport-sim compare: %s: no trace (recorded "
			"with --no-trace?)\n",
			O.dir);
		goto out;
	}
	for (size_t i = 0; i < nsnap; i++)
		if (!strcmp(snaps[i].name, "start"))
			start = i;
	sf = calloc(nsnap, sizeof(*sf));
	if (!sf)
		goto out;
	printf("recording %s: %zu phases, %zu discards; model: %s, "
	       "capacity %u, order %u, %u CPUs, zones",
	       O.dir, nsnap, ndisc, O.strategy, O.capacity, O.order, O.smp);
	for (unsigned z = 0; z < snaps[0].nz; z++)
		printf(" %s", snaps[0].z[z].name);
	printf(" (one device)\n");
	if (want_replay && run_replay(&snaps[start == SIZE_MAX ? 0 : start],
				      snaps, nsnap, &replayed, sf))
		goto out;
	printf("\n| window | real passes / ranges / MiB | seeded model |%s "
	       "real t50/t90/t99 s | seeded |%s seeded bytes | RSS MiB "
	       "start -> end |\n|---|---|---|%s---|---|%s---|---|\n",
	       want_replay ? " replayed model |" : "",
	       want_replay ? " replayed |" : "", want_replay ? "---|" : "",
	       want_replay ? "---|" : "");
	for (size_t i = 0; i < nsnap; i++) {
		struct tl real = { 0 }, seeded = { 0 }, rep = { 0 };
		struct summary ks, ms = { 0 }, rs = { 0 };
		double t0, t1 = 1e300, r0 = -1, r1 = -1;
		size_t last = i;
		bool chk;

		if (!snaps[i].window)
			continue;
		t0 = snaps[i].t0;
		for (size_t j = i + 1; j < nsnap; j++) {
			if (snaps[j].window) {
				t1 = snaps[j].t0;
				break;
			}
			last = j;
		}
		if (real_window(disc, ndisc, t0, t1, &real))
			goto out;
		summarize(&real, &ks);
		if (want_seeded) {
			if (run_seeded(&snaps[last],
				       last ? &snaps[last - 1] : NULL, &seeded))
				goto out;
			summarize(&seeded, &ms);
		}
		if (want_replay) {
			for (size_t j = 0; j < replayed.n; j++)
				if (replayed.v[j].t >= t0 &&
				    replayed.v[j].t < t1)
					tl_add(&rep, replayed.v[j].t - t0,
					       replayed.v[j].n,
					       replayed.v[j].bytes);
			summarize(&rep, &rs);
			/* the trace starts at "start": no model before */
			if (start != SIZE_MAX && t0 < snaps[start].t0)
				rs.valid = false;
		}
		rss_mib(t0, &r0);
		rss_mib(t1 < 1e299 ? t1 : 1e299, &r1);
		if (last != i)
			printf("| %s (seeded from %s) |", snaps[i].name,
			       snaps[last].name);
		else
			printf("| %s |", snaps[i].name);
		cell(&ks);
		cell(&ms);
		if (want_replay)
			cell(&rs);
		times(&ks);
		times(&ms);
		if (want_replay)
			times(&rs);
		chk = want_seeded && O.check && in_list(O.check, snaps[i].name);
		if (want_seeded) {
			double d = delta_pct(&ks, &ms);
			bool good =
				ks.passes == ms.passes && fabs(d) <= O.tol_pct;

			printf(" %+.2f %%%s |", d,
			       chk ? (good ? " ok" : " DIFFERS") : "");
			if (chk && !good)
				ok = false;
		} else {
			printf(" - |");
		}
		if (r0 >= 0 && r1 >= 0)
			printf(" %.0f -> %.0f |\n", r0, r1);
		else
			printf(" - |\n");
		free(real.v);
		free(seeded.v);
		free(rep.v);
	}
	if (O.check) {
		for (const char *c = O.check; *c;) {
			size_t l = strcspn(c, ",");
			bool found = false;

			for (size_t i = 0; i < nsnap; i++)
				if (snaps[i].window &&
				    strlen(snaps[i].name) == l &&
				    !strncmp(snaps[i].name, c, l))
					found = true;
			if (!found) {
				fprintf(stderr,
					"pagereport-sim compare: --check: no "
					"window %.*s\n",
					(int)l, c);
				goto out;
			}
			c += l + (c[l] == ',');
		}
		printf("(--check %s: passes equal, bytes within %.1f %%: %s)\n",
		       O.check, O.tol_pct, ok ? "ok" : "FAILED");
	}
	if (want_replay) {
		printf("\nfree blocks per order at each snapshot (all zones), "
		       "kernel against the replayed model:\n");
		for (size_t i = 0; i < nsnap; i++) {
			uint64_t k[MAXO], sd, sk;
			char label[96];
			double d;

			if (!sf[i].taken)
				continue;
			for (unsigned o = 0; o < XMAX; o++)
				k[o] = kblocks(&snaps[i], o, -1);
			snprintf(label, sizeof(label), "%s kernel",
				 snaps[i].name);
			blocks_row(label, k);
			snprintf(label, sizeof(label), "%s model",
				 snaps[i].name);
			blocks_row(label, sf[i].nr);
			d = distance(&snaps[i], sf[i].nr, &sd, &sk);
			printf("  %-22s distance %.1f %% (%" PRIu64
			       " of %" PRIu64 " blocks)\n",
			       "", d, sd, sk);
		}
	}
	if (!O.distance)
		O.distance = "start,delete,end";
	if (print_distance(snaps, nsnap) < 0)
		goto out;
	ret = ok ? 0 : 1;
out:
	free(snaps);
	free(disc);
	free(sf);
	free(replayed.v);
	return ret;
}
