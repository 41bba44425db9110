// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The model side of tests/integration/test_uml_fidelity.sh: read what a
 * User-Mode Linux 6.1 guest left in the hand-over dir (/proc/zoneinfo,
 * /proc/pagetypeinfo at each phase; pagereport-balloond's --report-log)
 * and replay each reporting phase on the public API only.
 *
 *   uml_model now                 CLOCK_MONOTONIC ns (the script's clock,
 *                                 the same as the daemon's log)
 *   uml_model compare --dir=D [--tolerance-pct=P]
 *
 * The guest gives counts, not addresses: free blocks per order and
 * migratetype and pageblocks per migratetype.  The model lays them out
 * (each free block of order o below pageblock_order beside an allocated
 * buddy, so none merge; free pageblock-sized blocks on whole pageblocks of
 * their type) in a zone of the guest's span and watermarks, profile 6.1,
 * no huge pages (pageblock order 10), MAX_ORDER 11, upstream strategy with
 * the guest's capacity 32 and 2 s delay on the virtual clock.  Only blocks
 * of order >= pageblock_order are reported, so placement does not change
 * what reporting sees; it does change the fill-and-delete distance.
 *
 * Phases compared: boot (free lists right after the driver loaded) and
 * the delete (free lists right after rm).  For the delete, the order-10
 * blocks already free before it (at most the fill snapshot's count per
 * migratetype) are taken to be still Reported from boot: a first device
 * reports them without the watermark gate and is unregistered (Reported
 * flags survive, as in the kernel); then the rest is freed under a second
 * device and that phase is counted.  Kernel passes are clusters of report
 * timestamps (> 1 s apart); the model's are counted the same way.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pagereport/pagereport.h>

/* upstream without its watermark gate (a parameter of upstream) */
static const struct pgr_param gate_off = { .name = "upstream.gate_disable",
					   .value = 1 };

#define NSEC 1000000000ULL
#define NMT  PGR_MIGRATE_TYPES
#define MAXO PGR_MAX_ORDER_LIMIT

static const char *dir = ".";
static double tol_pct = 2.0;

/* ---- what the guest wrote ------------------------------------------------
 */

struct kzone {
	char name[16];
	uint64_t free, min, low, high, spanned, present, managed, start_pfn;
	uint64_t pcp_count;	      /* sum of "pagesets ... count:" */
	uint64_t pcp_high, pcp_batch; /* CPU 0's "high:" and "batch:" */
	bool have_start;
};

struct kfree {
	unsigned pb_order;
	uint64_t nr[NMT][MAXO]; /* free blocks per migratetype and order */
	uint64_t blocks[NMT];	/* pageblocks per migratetype */
};

static FILE *open_in(const char *phase, const char *what)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s.%s", dir, phase, what);
	f = fopen(p, "r");
	if (!f)
		fprintf(stderr, "uml_model: %s: %s\n", p, strerror(errno));
	return f;
}

/* The only populated zone of node 0 (UML has one Normal zone). */
static int read_zoneinfo(const char *phase, struct kzone *z)
{
	FILE *f = open_in(phase, "zoneinfo");
	char line[512], name[16];
	struct kzone cur;
	int nz = 0;
	bool in = false;

	if (!f)
		return -1;
	memset(z, 0, sizeof(*z));
	memset(&cur, 0, sizeof(cur));
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
		else if (sscanf(line, " present %llu", &v) == 1)
			cur.present = v;
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
			cur.have_start = true;
			in = false;
			if (cur.spanned) {
				*z = cur;
				nz++;
			}
		}
	}
	fclose(f);
	if (nz != 1) {
		fprintf(stderr,
			"uml_model: %s.zoneinfo: %d populated zones; the "
			"comparison handles exactly one\n",
			phase, nz);
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
	return -1; /* CMA etc.: not in the model */
}

static int read_pagetypeinfo(const char *phase, struct kfree *k)
{
	FILE *f = open_in(phase, "pagetypeinfo");
	char line[1024], zn[64], tn[64], hdr[NMT][32];
	int nhdr = 0;
	bool got = false;

	if (!f)
		return -1;
	memset(k, 0, sizeof(*k));
	while (fgets(line, sizeof(line), f)) {
		unsigned node, v;
		int off;

		if (sscanf(line, "Page block order: %u", &v) == 1)
			k->pb_order = v;
		else if (sscanf(line, "Node %u, zone %63[^,], type %63s%n",
				&node, zn, tn, &off) == 3) {
			int mt = mt_from_name(tn);
			char *s = line + off, *e;

			for (unsigned o = 0; o < MAXO; o++, s = e) {
				unsigned long long x = strtoull(s, &e, 10);

				if (e == s)
					break;
				if (mt >= 0 && node == 0)
					k->nr[mt][o] = x;
			}
			got = true;
		} else if (!strncmp(line, "Number of blocks type", 21)) {
			char *s = line + 21;
			int n;

			while (nhdr < NMT &&
			       sscanf(s, "%31s%n", hdr[nhdr], &n) == 1) {
				s += n;
				nhdr++;
			}
		} else if (nhdr &&
			   sscanf(line, "Node %u, zone %63s%n", &node, zn,
				  &off) == 2 &&
			   node == 0) {
			char *s = line + off, *e;

			for (int i = 0; i < nhdr; i++, s = e) {
				unsigned long long x = strtoull(s, &e, 10);
				int mt = mt_from_name(hdr[i]);

				if (e == s)
					break;
				if (mt >= 0)
					k->blocks[mt] = x;
			}
		}
	}
	fclose(f);
	if (!got || !k->pb_order || !nhdr) {
		fprintf(stderr,
			"uml_model: %s.pagetypeinfo: not the 6.1 layout\n",
			phase);
		return -1;
	}
	return 0;
}

/* ---- the model's node from the guest's layout --------------------------
 */

struct blk {
	uint64_t pfn;
	unsigned order;
	bool held; /* taken now, freed when the phase starts */
};

struct layout {
	struct blk *v;
	size_t n;
	int *pb_mt; /* per pageblock */
	uint64_t nr_pb, misplaced;
};

static int cmp_blk(const void *a, const void *b)
{
	const struct blk *x = a, *y = b;

	return (x->pfn > y->pfn) - (x->pfn < y->pfn);
}

/*
 * Lay the guest's free blocks out in the zone: pageblocks get the guest's
 * types (MOVABLE first, then the others, by index); each type's free
 * pageblock-order blocks take its first pageblocks whole; smaller blocks
 * are packed from the highest order down, each beside an allocated buddy.
 * A small block that finds no room in a pageblock of its type goes into
 * any other free room (counted in misplaced: its list becomes that
 * pageblock's type).  @held10[mt]: how many of the type's free
 * pageblock-order blocks start held.
 */
static int make_layout(const struct kzone *z, const struct kfree *k,
		       const uint64_t *held10, struct layout *L)
{
	const unsigned pbo = k->pb_order, top = pbo; /* MAX_ORDER-1 == pbo */
	const uint64_t pbn = 1ULL << pbo;
	static const int order_mt[NMT] = { PGR_MIGRATE_MOVABLE,
					   PGR_MIGRATE_UNMOVABLE,
					   PGR_MIGRATE_RECLAIMABLE,
					   PGR_MIGRATE_HIGHATOMIC,
					   PGR_MIGRATE_ISOLATE };
	uint64_t *cursor, nblk = 0, pb;
	size_t cap;

	memset(L, 0, sizeof(*L));
	L->nr_pb = (z->spanned + pbn - 1) / pbn;
	L->pb_mt = calloc(L->nr_pb, sizeof(*L->pb_mt));
	cursor = calloc(L->nr_pb, sizeof(*cursor)); /* pages used per pb */
	for (int mt = 0; mt < NMT; mt++)
		for (unsigned o = 0; o <= top; o++)
			nblk += k->nr[mt][o];
	cap = nblk + 1;
	L->v = calloc(cap, sizeof(*L->v));
	if (!L->pb_mt || !cursor || !L->v)
		return -ENOMEM;
	/* pageblock types */
	pb = 0;
	for (int i = 0; i < NMT; i++)
		for (uint64_t j = 0;
		     j < k->blocks[order_mt[i]] && pb < L->nr_pb; j++)
			L->pb_mt[pb++] = order_mt[i];
	for (; pb < L->nr_pb; pb++)
		L->pb_mt[pb] = PGR_MIGRATE_MOVABLE;
	/* whole free pageblocks; the zone's last partial one cannot be */
	for (int mt = 0; mt < NMT; mt++) {
		uint64_t left = k->nr[mt][top];

		for (pb = 0; pb < L->nr_pb && left; pb++) {
			if (L->pb_mt[pb] != mt || cursor[pb] ||
			    (pb + 1) * pbn > z->spanned)
				continue;
			cursor[pb] = pbn;
			L->v[L->n++] =
				(struct blk){ z->start_pfn + pb * pbn, top,
					      k->nr[mt][top] - left <
						      held10[mt] };
			left--;
		}
		if (left) {
			fprintf(stderr,
				"uml_model: %" PRIu64
				" free order-%u %s blocks "
				"have no whole pageblock of their type\n",
				left, top, pgr_migratetype_name(mt));
			return -EINVAL;
		}
	}
	/* the smaller blocks, each with an allocated buddy */
	for (int mt = 0; mt < NMT; mt++)
		for (int o = (int)top - 1; o >= 0; o--) {
			uint64_t need = 2ULL << o;

			for (uint64_t j = 0; j < k->nr[mt][o]; j++) {
				bool own = true;

				for (int pass = 0; pass < 2; pass++) {
					for (pb = 0; pb < L->nr_pb; pb++) {
						uint64_t lim = pbn;

						if ((pb + 1) * pbn > z->spanned)
							lim = z->spanned -
							      pb * pbn;
						if ((pass == 0) !=
							    (L->pb_mt[pb] ==
							     mt) ||
						    cursor[pb] + need > lim)
							continue;
						break;
					}
					if (pb < L->nr_pb)
						break;
					own = false;
				}
				if (pb == L->nr_pb) {
					fprintf(stderr,
						"uml_model: no room for the "
						"free blocks\n");
					return -ENOSPC;
				}
				if (!own)
					L->misplaced++;
				L->v[L->n++] =
					(struct blk){ z->start_pfn + pb * pbn +
							      cursor[pb],
						      (unsigned)o, false };
				cursor[pb] += need;
			}
		}
	free(cursor);
	qsort(L->v, L->n, sizeof(*L->v), cmp_blk);
	return 0;
}

static void free_layout(struct layout *L)
{
	free(L->v);
	free(L->pb_mt);
}

/* Take [p, stop) in the largest aligned blocks. */
static int take_range(struct pgr_zone *zone, uint64_t p, uint64_t stop,
		      unsigned max_order)
{
	while (p < stop) {
		unsigned o = max_order - 1;
		int err;

		while (o && ((p & ((1ULL << o) - 1)) || p + (1ULL << o) > stop))
			o--;
		err = pgr_take_block(zone, p, o);
		if (err) {
			fprintf(stderr, "uml_model: take %#" PRIx64 "/%u: %s\n",
				p, o, pgr_errmsg());
			return err;
		}
		p += 1ULL << o;
	}
	return 0;
}

/*
 * Per-CPU lists: @pcp 0 = the profile's choice (on for 6.1), 1 = off,
 * 2 = on; one CPU, as UML.  The reporting phases use 0: their seeded
 * blocks are pageblock-order and bypass the lists.
 */
static struct pgr_node *build_node(const struct kzone *z,
				   const struct layout *L, unsigned pb_order,
				   int pcp)
{
	struct pgr_node_config cfg = {
		.max_order = pb_order + 1,
		.nr_zones = 1,
		.profile = PGR_PROFILE_6_1,
		.no_hugetlb = true,
	};
	struct pgr_node *node;
	struct pgr_zone *zone;
	uint64_t p, e;
	size_t i;

	cfg.zones[0] = (struct pgr_zone_config){
		.name = z->name,
		.start_pfn = z->start_pfn,
		.nr_pages = z->spanned,
		.watermark = { z->min, z->low, z->high },
		/* pcp batch and high come from managed, as in the kernel */
		.managed_pages = z->managed,
	};
	cfg.nr_cpus = 1;
	cfg.pcp = pcp == 1   ? PGR_PCP_OFF
		  : pcp == 2 ? PGR_PCP_ON
			     : PGR_PCP_PROFILE;
	node = pgr_node_create(&cfg);
	if (!node) {
		fprintf(stderr, "uml_model: node: %s\n", pgr_errmsg());
		return NULL;
	}
	zone = pgr_node_zone(node, 0);
	if (pgr_zone_populate(zone))
		goto fail;
	for (uint64_t pb = 0; pb < L->nr_pb; pb++)
		if (L->pb_mt[pb] != PGR_MIGRATE_MOVABLE &&
		    pgr_set_pageblock_migratetype(
			    zone, z->start_pfn + (pb << pb_order),
			    (enum pgr_migratetype)L->pb_mt[pb]))
			goto fail;
	p = z->start_pfn;
	e = p + z->spanned;
	for (i = 0; i < L->n; i++) {
		if (take_range(zone, p, L->v[i].pfn, cfg.max_order))
			goto fail;
		if (L->v[i].held &&
		    pgr_take_block(zone, L->v[i].pfn, L->v[i].order))
			goto fail;
		p = L->v[i].pfn + (1ULL << L->v[i].order);
	}
	if (take_range(zone, p, e, cfg.max_order))
		goto fail;
	return node;
fail:
	fprintf(stderr, "uml_model: building the node: %s\n", pgr_errmsg());
	pgr_node_destroy(node);
	return NULL;
}

/* ---- a sink that keeps the engine-clock time of every report -------------
 */

struct rep {
	uint64_t t_ns, bytes;
	unsigned n;
};

struct tl {
	struct rep *v;
	size_t n, cap;
};

struct tsink {
	struct pgr_sink s;
	struct pgr_node *node;
	struct tl tl;
};

static int tl_add(struct tl *t, uint64_t ts, unsigned n, uint64_t bytes)
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

static int ts_report(struct pgr_sink *s, const struct pgr_range *r, unsigned n)
{
	struct tsink *t = s->priv;
	uint64_t b = 0;

	for (unsigned i = 0; i < n; i++)
		b += pgr_range_bytes(&r[i]);
	return tl_add(&t->tl, pgr_reporting_now(t->node), n, b);
}

static int ts_open(struct pgr_sink *s, struct pgr_node *node)
{
	((struct tsink *)s->priv)->node = node;
	return 0;
}

static const struct pgr_sink_ops ts_ops = { .name = "timeline",
					    .report = ts_report,
					    .open = ts_open };

/* ---- summaries -------------------------------------------------------------
 */

struct summary {
	unsigned passes, reports;
	uint64_t ranges, bytes;
	double t50, t90, t99;
};

/* @t: times relative to the phase start, in order. */
static void summarize(const struct tl *t, struct summary *s)
{
	uint64_t acc = 0;
	double q[3] = { 0.5, 0.9, 0.99 },
	       *out[3] = { &s->t50, &s->t90, &s->t99 };
	int qi = 0;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < t->n; i++) {
		if (!i || t->v[i].t_ns - t->v[i - 1].t_ns > NSEC)
			s->passes++;
		s->reports++;
		s->ranges += t->v[i].n;
		s->bytes += t->v[i].bytes;
	}
	for (size_t i = 0; i < t->n && qi < 3; i++) {
		acc += t->v[i].bytes;
		while (qi < 3 && (double)acc >= q[qi] * (double)s->bytes)
			*out[qi++] = (double)t->v[i].t_ns / 1e9;
	}
}

/* The kernel's reports from line @from on, relative to @t0. */
static int read_log(uint64_t t0, size_t from, size_t to, struct tl *t)
{
	char p[4096], line[512];
	size_t ln = 0;
	FILE *f;

	snprintf(p, sizeof(p), "%s/report.log", dir);
	f = fopen(p, "r");
	if (!f) {
		fprintf(stderr, "uml_model: %s: %s\n", p, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long ts, b;
		unsigned n;

		if (ln++ < from || ln > to)
			continue;
		if (sscanf(line, "%llu %u %llu", &ts, &n, &b) != 3) {
			fprintf(stderr, "uml_model: %s: line %zu malformed\n",
				p, ln);
			fclose(f);
			return -1;
		}
		if (tl_add(t, ts > t0 ? ts - t0 : 0, n, b)) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* ---- the phases -------------------------------------------------------------
 */

static int run_phase(const char *snap, const char *before, struct tl *out)
{
	struct kzone z;
	struct kfree k, kb;
	uint64_t held[NMT] = { 0 };
	struct layout L;
	struct pgr_node *node;
	struct tsink ts = { .s = { &ts_ops, 32, NULL } };
	struct pgr_reporting_config rc = { .strategy = PGR_STRATEGY_UPSTREAM,
					   .clock = PGR_CLOCK_VIRTUAL };
	struct pgr_zone *zone;
	uint64_t t0, rmib = 0;
	int err = -1;

	ts.s.priv = &ts;
	if (read_zoneinfo(snap, &z) || read_pagetypeinfo(snap, &k))
		return -1;
	if (before) {
		/* order-10 blocks free before the phase: still Reported */
		if (read_pagetypeinfo(before, &kb))
			return -1;
		for (int mt = 0; mt < NMT; mt++) {
			uint64_t a = kb.nr[mt][k.pb_order],
				 b = k.nr[mt][k.pb_order];

			held[mt] = b > a ? b - a : 0;
		}
	} else {
		for (int mt = 0; mt < NMT; mt++)
			held[mt] = k.nr[mt][k.pb_order];
	}
	if (make_layout(&z, &k, held, &L))
		return -1;
	if (L.misplaced)
		printf("  (%s: %" PRIu64 " small free blocks placed in a "
		       "pageblock of another type)\n",
		       snap, L.misplaced);
	node = build_node(&z, &L, k.pb_order, 0);
	if (!node)
		goto out;
	zone = pgr_node_zone(node, 0);
	if (before) {
		/* a first device reports what was free before, ungated */
		struct pgr_sink *null = pgr_sink_null_create(32);
		struct pgr_reporting_config pre = rc;
		struct pgr_zone_info info;

		pre.params = &gate_off;
		pre.nr_params = 1;
		if (!null || pgr_reporting_register(node, null, &pre) ||
		    pgr_reporting_run_until_idle(node, 600 * NSEC, NULL) ||
		    pgr_reporting_unregister(node)) {
			fprintf(stderr, "uml_model: pre-report: %s\n",
				pgr_errmsg());
			pgr_sink_destroy(null);
			goto out;
		}
		pgr_sink_destroy(null);
		pgr_zone_get_info(zone, &info);
		rmib = (info.nr_reported[k.pb_order] << k.pb_order) >> 8;
	}
	if (pgr_reporting_register(node, &ts.s, &rc)) {
		fprintf(stderr, "uml_model: register: %s\n", pgr_errmsg());
		goto out;
	}
	t0 = pgr_reporting_now(node);
	for (size_t i = 0; i < L.n; i++)
		if (L.v[i].held &&
		    pgr_free_pages(zone, L.v[i].pfn, L.v[i].order)) {
			fprintf(stderr, "uml_model: free: %s\n", pgr_errmsg());
			goto out;
		}
	if (pgr_reporting_run_until_idle(node, 3600 * NSEC, NULL)) {
		fprintf(stderr, "uml_model: reporting did not go idle\n");
		goto out;
	}
	for (size_t i = 0; i < ts.tl.n; i++) {
		ts.tl.v[i].t_ns -= t0;
		if (tl_add(out, ts.tl.v[i].t_ns, ts.tl.v[i].n,
			   ts.tl.v[i].bytes))
			goto out;
	}
	if (before)
		printf("  (model: %" PRIu64 " MiB free before the delete "
		       "taken as still reported from boot)\n",
		       rmib);
	err = 0;
out:
	pgr_node_destroy(node);
	free(ts.tl.v);
	free_layout(&L);
	return err;
}

static bool row(const char *phase, const struct summary *k,
		const struct summary *m)
{
	double d = k->bytes ? 100.0 * ((double)m->bytes - (double)k->bytes) /
				      (double)k->bytes
			    : (m->bytes ? 100.0 : 0.0);
	bool ok = k->passes == m->passes && k->reports == m->reports &&
		  d <= tol_pct && d >= -tol_pct;

	printf("| %-6s | %u / %u / %" PRIu64 " / %" PRIu64
	       " | %u / %u / %" PRIu64 " / %" PRIu64
	       " | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | "
	       "%+.2f %% | %s |\n",
	       phase, k->passes, k->reports, k->ranges, k->bytes >> 20,
	       m->passes, m->reports, m->ranges, m->bytes >> 20, k->t50, k->t90,
	       k->t99, m->t50, m->t90, m->t99, d, ok ? "ok" : "DIFFERS");
	return ok;
}

/*
 * The page-cache xarray's slabs: "radix_tree_node" in /proc/slabinfo
 * (lib/radix-tree.c creates it SLAB_RECLAIM_ACCOUNT: RECLAIMABLE pages).
 * @r_slabs: num_slabs, @r_order: log2 of pagesperslab.  1 when the
 * snapshot has no slabinfo (older hand-over dirs).
 */
static int read_slab(const char *phase, uint64_t *r_slabs, unsigned *r_order)
{
	char p[4096], line[1024];
	FILE *f;
	int err = -1;

	snprintf(p, sizeof(p), "%s/%s.slabinfo", dir, phase);
	f = fopen(p, "r");
	if (!f)
		return 1;
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
			*r_slabs = ns;
			*r_order = o;
			err = 0;
		}
	}
	fclose(f);
	if (err)
		fprintf(stderr, "uml_model: %s: no radix_tree_node line\n", p);
	return err;
}

/*
 * The model's own fill-and-delete from the settled boot layout: allocate
 * @n order-0 MOVABLE pages, and among them, evenly spread, @ns slabs of
 * order @so RECLAIMABLE (the xarray nodes the page cache needs for the
 * file: one node per 64 pages, a slab per so many nodes), then free all
 * in allocation order (truncating a tmpfs file frees its pages in
 * page-cache index order, the order dd wrote them, and a slab of nodes
 * becomes empty once the pages its nodes indexed are gone), except the
 * slab that holds the tree's top node: it is freed last.  @pcp as
 * build_node().  Fills @r_fill with the zone after the fill and @r_info
 * with the zone after the delete.
 */
static int fill_delete(const struct kzone *zb, const struct kfree *kb,
		       uint64_t n, uint64_t ns, unsigned so, int pcp,
		       uint64_t *r_got, struct pgr_zone_info *r_fill,
		       struct pgr_zone_info *r_info)
{
	uint64_t none[NMT] = { 0 }, *pfns = NULL, got = 0, nb = 0, si = 0;
	uint64_t top = 64, root = UINT64_MAX;
	unsigned char *ord = NULL;
	struct layout L;
	struct pgr_node *node;
	struct pgr_zone *zone;
	int err = -1;

	if (make_layout(zb, kb, none, &L))
		return -1;
	node = build_node(zb, &L, kb->pb_order, pcp);
	if (!node)
		goto out;
	zone = pgr_node_zone(node, 0);
	pfns = malloc((n + ns + 1) * sizeof(*pfns));
	ord = malloc(n + ns + 1);
	if (!pfns || !ord)
		goto out;
	/* the xarray's top node: allocated when the file outgrows a tree of
	 * one level less (64^(L-1) pages, xas_expand), freed when the tree
	 * is empty (xas_delete_node), so its slab goes last */
	while (top * 64 < n)
		top *= 64;
	for (got = 0; got < n; got++) {
		/* slab si is allocated once (si + 1) / (ns + 1) of the pages
		 * are: as the file grows past each slab's nodes */
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
	if (pgr_zone_get_info(zone, r_fill))
		goto out;
	for (uint64_t i = 0; i <= nb; i++) {
		uint64_t j = i < nb ? i : root;

		if ((i < nb && i == root) || j == UINT64_MAX)
			continue;
		if (pgr_free_pages(zone, pfns[j], ord[j])) {
			fprintf(stderr, "uml_model: free: %s\n", pgr_errmsg());
			goto out;
		}
	}
	*r_got = got;
	err = pgr_zone_get_info(zone, r_info);
out:
	free(pfns);
	free(ord);
	pgr_node_destroy(node);
	free_layout(&L);
	return err;
}

/* Blocks per order, summed over the migratetypes (MOVABLE's only if @mov,
 * the other types' only if !@mov, all if @mov < 0). */
static uint64_t kblocks(const struct kfree *k, unsigned o, int mov)
{
	uint64_t s = 0;

	for (int mt = 0; mt < NMT; mt++)
		if (mov < 0 || (mov == (mt == PGR_MIGRATE_MOVABLE)))
			s += k->nr[mt][o];
	return s;
}

static uint64_t mblocks(const struct pgr_zone_info *m, unsigned o, int mov)
{
	uint64_t s = 0;

	for (int mt = 0; mt < NMT; mt++)
		if (mov < 0 || (mov == (mt == PGR_MIGRATE_MOVABLE)))
			s += m->nr_free_mt[o][mt];
	return s;
}

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/* One row: the model's blocks per order and its distance to @k. */
static void model_row(const char *label, const struct kfree *k,
		      const struct pgr_zone_info *m, unsigned top)
{
	uint64_t sd = 0, sk = 0, dm = 0, dn = 0;

	printf("  model %s ", label);
	for (unsigned o = 0; o <= top; o++) {
		printf(" %5" PRIu64, mblocks(m, o, -1));
		sd += absdiff(mblocks(m, o, -1), kblocks(k, o, -1));
		sk += kblocks(k, o, -1);
		dm += absdiff(mblocks(m, o, 1), kblocks(k, o, 1));
		dn += absdiff(mblocks(m, o, 0), kblocks(k, o, 0));
	}
	printf("   per-CPU pages %" PRIu64 " (high %u batch %u)\n",
	       m->pcp_pages, m->pcp_high, m->pcp_batch);
	printf("      distance sum|k-m|/sum k: %.1f %% (%" PRIu64 " of %" PRIu64
	       " blocks); per list: MOVABLE %" PRIu64 ", other types %" PRIu64
	       " blocks\n",
	       sk ? 100.0 * (double)sd / (double)sk : 0.0, sd, sk, dm, dn);
}

static void kernel_row(const char *label, const struct kfree *k,
		       const struct kzone *z, unsigned top)
{
	printf("  kernel %s", label);
	for (unsigned o = 0; o <= top; o++)
		printf(" %5" PRIu64, kblocks(k, o, -1));
	printf("   per-CPU pages %" PRIu64 " (high %" PRIu64 " batch %" PRIu64
	       ")\n",
	       z->pcp_count, z->pcp_high, z->pcp_batch);
}

/*
 * The model's fill-and-delete against the kernel's, after the fill (from
 * the fill snapshot) and after the delete.  Printed beside it: how much
 * of the kernel's change is outside what the model does (its fill only
 * takes MOVABLE pages): the kernel's non-MOVABLE lists' change from boot,
 * and the pages the kernel held on per-CPU lists at boot, free in the
 * kernel but allocated in the model's layout (which has only the buddy's
 * free blocks).
 */
static int distance(void)
{
	struct kzone zb, zf, za;
	struct kfree kb, kf, ka;
	uint64_t n, nf = 0, na = 0, sb = 0, sf = 0, ns;
	unsigned so = 0;
	struct pgr_zone_info fill[3], info[3];
	uint64_t got[3] = { 0 };
	static const char *const label[3] = { "", "pcp off", "pcp on " };
	int rb, rf;

	if (read_zoneinfo("boot", &zb) || read_zoneinfo("fill", &zf) ||
	    read_zoneinfo("after", &za) || read_pagetypeinfo("boot", &kb) ||
	    read_pagetypeinfo("fill", &kf) || read_pagetypeinfo("after", &ka))
		return -1;
	n = zb.free > zf.free ? zb.free - zf.free : 0;
	rb = read_slab("boot", &sb, &so);
	rf = read_slab("fill", &sf, &so);
	if (rb < 0 || rf < 0)
		return -1;
	ns = !rb && !rf && sf > sb ? sf - sb : 0;
	if (ns << so > n)
		ns = 0;
	if (rb || rf)
		printf("fill-and-delete: the guest's free pages fell by "
		       "%" PRIu64 " in the fill (no slabinfo in the snapshots: "
		       "all taken as file pages); the model allocates as many "
		       "order-0 MOVABLE pages from the guest's boot layout and "
		       "frees them in allocation order\n",
		       n);
	else
		printf("fill-and-delete: the guest's free pages fell by "
		       "%" PRIu64 " in the fill, %" PRIu64
		       " of them in %" PRIu64
		       " order-%u radix_tree_node slabs (/proc/slabinfo); the "
		       "model allocates as many order-0 MOVABLE pages and "
		       "order-%u RECLAIMABLE slabs from the guest's boot "
		       "layout, interleaved, and frees them in allocation "
		       "order\n",
		       n, ns << so, ns, so, so);
	n -= ns << so;
	for (int mode = 1; mode <= 2; mode++) {
		if (fill_delete(&zb, &kb, n, ns, so, mode, &got[mode],
				&fill[mode], &info[mode]))
			return -1;
		if (got[mode] < n)
			printf("  [model %s: only %" PRIu64
			       " pages allocated]\n",
			       label[mode], got[mode]);
	}
	printf("free blocks per order after the fill (orders 0..%u):\n",
	       kb.pb_order);
	kernel_row("       ", &kf, &zf, kb.pb_order);
	for (int mode = 1; mode <= 2; mode++)
		model_row(label[mode], &kf, &fill[mode], kb.pb_order);
	printf("free blocks per order after the delete (orders 0..%u):\n",
	       kb.pb_order);
	kernel_row("       ", &ka, &za, kb.pb_order);
	for (int mode = 1; mode <= 2; mode++)
		model_row(label[mode], &ka, &info[mode], kb.pb_order);
	for (int mt = 0; mt < NMT; mt++)
		if (mt != PGR_MIGRATE_MOVABLE)
			for (unsigned o = 0; o <= kb.pb_order; o++) {
				nf += absdiff(kf.nr[mt][o], kb.nr[mt][o]);
				na += absdiff(ka.nr[mt][o], kb.nr[mt][o]);
			}
	printf("  outside the model's fill-and-delete: the kernel's "
	       "non-MOVABLE lists changed from boot by %" PRIu64
	       " blocks at the fill, %" PRIu64 " after the delete; %" PRIu64
	       " pages were on its per-CPU lists at boot (free pages the "
	       "model's layout holds as allocated); its free pages after "
	       "the delete minus at boot: %+" PRId64 "\n",
	       nf, na, zb.pcp_count, (int64_t)(za.free - zb.free));
	return 0;
}

static int compare(void)
{
	char p[4096], line[256];
	unsigned long long t_load = 0, t_del = 0, nb = 0;
	struct tl kt = { 0 }, mt = { 0 };
	struct summary ks, ms;
	bool ok = true;
	FILE *f;

	snprintf(p, sizeof(p), "%s/phases", dir);
	f = fopen(p, "r");
	if (!f) {
		fprintf(stderr, "uml_model: %s: %s\n", p, strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "load %llu", &t_load);
		sscanf(line, "delete %llu %llu", &t_del, &nb);
	}
	fclose(f);
	if (!t_load || !t_del) {
		fprintf(stderr, "uml_model: %s: no load/delete times\n", p);
		return 2;
	}
	printf("| phase | kernel passes / reports / ranges / MiB | model | "
	       "kernel t50/t90/t99 s | model | bytes | |\n"
	       "|---|---|---|---|---|---|---|\n");
	if (read_log(t_load, 0, (size_t)nb, &kt) ||
	    run_phase("boot0", NULL, &mt))
		return 2;
	summarize(&kt, &ks);
	summarize(&mt, &ms);
	ok &= row("boot", &ks, &ms);
	kt.n = mt.n = 0;
	if (read_log(t_del, (size_t)nb, SIZE_MAX, &kt) ||
	    run_phase("deleted0", "fill", &mt))
		return 2;
	summarize(&kt, &ks);
	summarize(&mt, &ms);
	ok &= row("delete", &ks, &ms);
	free(kt.v);
	free(mt.v);
	printf("(passes and reports must be equal, bytes within %.1f %%; "
	       "times are printed, not compared)\n",
	       tol_pct);
	if (distance())
		return 2;
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "now")) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		printf("%llu\n", (unsigned long long)ts.tv_sec * NSEC +
					 (unsigned long long)ts.tv_nsec);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "compare")) {
		for (int i = 2; i < argc; i++) {
			if (!strncmp(argv[i], "--dir=", 6))
				dir = argv[i] + 6;
			else if (!strncmp(argv[i], "--tolerance-pct=", 16))
				tol_pct = strtod(argv[i] + 16, NULL);
			else {
				fprintf(stderr, "uml_model: unknown %s\n",
					argv[i]);
				return 2;
			}
		}
		return compare();
	}
	fprintf(stderr, "usage: uml_model now | uml_model compare --dir=DIR "
			"[--tolerance-pct=P]\n");
	return 2;
}
