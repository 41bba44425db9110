// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Scenario test helper (see scenario.h): exact buddy states, the probe sink
 * that checks each batch while it is out for reporting (ALGORITHM.md §6 B6)
 * and an independent checker of the v11 boundary invariant (B2).  It models
 * no kernel function; it leaves out real threads (the virtual clock runs
 * the work in the caller, and the report hook stands in for another CPU).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define SCN_BASE_PFN (1ULL << 18) /* 1 GiB: absolute pfns, not 0 */

uint64_t scn_seed(void)
{
	const char *e = getenv("PGR_SEED");

	return e && *e ? strtoull(e, NULL, 0) : 1;
}

static const char *scn_strategy(const struct scn *s)
{
	return s->registered ? pgr_strategy_name(s->strategy) : "none";
}

void scn_check_at(struct scn *s, const char *file, int line)
{
	char buf[512] = "";
	int rc = pgr_node_check(s->node, buf, sizeof(buf));

	ck_assert_msg(rc == 0,
		      "%s:%d: pgr_node_check %d: %s (PGR_SEED=%" PRIu64
		      ", strategy %s)",
		      file, line, rc, buf, s->seed, scn_strategy(s));
}

struct scn *scn_create(const struct scn_opts *o)
{
	struct pgr_node_config cfg;
	struct scn *s = calloc(1, sizeof(*s));
	uint64_t next = SCN_BASE_PFN;

	ck_assert_ptr_nonnull(s);
	memset(&cfg, 0, sizeof(cfg));
	s->seed = scn_seed();
	s->nr_zones = o->nr_zones ? o->nr_zones : 1;
	cfg.max_order = PGR_MAX_ORDER_DEFAULT;
	cfg.pageblock_order = PGR_PAGEBLOCK_ORDER_DEFAULT;
	cfg.shuffle = o->shuffle;
	cfg.profile = o->profile;
	cfg.seed = s->seed;
	cfg.nr_zones = s->nr_zones;
	for (unsigned int i = 0; i < s->nr_zones; i++) {
		struct pgr_zone_config *zc = &cfg.zones[i];
		const uint64_t *w = o->wmark[i];

		s->regions[i] = o->regions[i] ? o->regions[i] : 128;
		s->base[i] = next;
		zc->start_pfn = next;
		zc->nr_pages = (uint64_t)s->regions[i] * SCN_REGION;
		/* Tiny watermarks unless the test is about them. */
		if (w[0] == 0 && w[1] == 0 && w[2] == 0) {
			zc->watermark[PGR_WMARK_MIN] = 1;
			zc->watermark[PGR_WMARK_LOW] = 2;
			zc->watermark[PGR_WMARK_HIGH] = 3;
		} else {
			memcpy(zc->watermark, w, sizeof(zc->watermark));
		}
		/* A gap between zones, so no buddy is ever across zones. */
		next += zc->nr_pages + 4 * SCN_REGION;
	}
	s->node = pgr_node_create(&cfg);
	ck_assert_msg(s->node != NULL, "pgr_node_create: %s", pgr_errmsg());
	for (unsigned int zi = 0; zi < s->nr_zones; zi++) {
		int rc = pgr_zone_populate(scn_pz(s, zi));

		ck_assert_msg(rc == 0, "populate: %s", pgr_errmsg());
		if (o->populated_free)
			continue;
		for (unsigned int r = 0; r < s->regions[zi]; r++) {
			rc = pgr_take_block(scn_pz(s, zi), scn_pfn(s, zi, r),
					    10);
			ck_assert_msg(rc == 0, "take region %u: %s", r,
				      pgr_errmsg());
		}
	}
	scn_check(s);
	return s;
}

void scn_destroy(struct scn *s)
{
	if (!s)
		return;
	pgr_node_destroy(s->node);
	free(s->batches);
	free(s);
}

/* ---- the probe sink --------------------------------------------------- */

static bool scn_on_any_list(struct scn *s, unsigned int zi, uint64_t pfn,
			    unsigned int order)
{
	for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++)
		if (scn_list_pos(s, zi, order, mt, pfn) >= 0)
			return true;
	return false;
}

static int scn_probe_report(struct pgr_sink *sink,
			    const struct pgr_range *ranges, unsigned int n)
{
	struct scn *s = sink->priv;
	uint64_t pages = 0, isolated = 0;
	struct scn_batch *b;
	size_t seq = s->nr_batches;

	s->nr_calls++;
	ck_assert_msg(n >= 1 && n <= sink->capacity,
		      "report of %u ranges, capacity %u", n, sink->capacity);
	for (unsigned int i = 0; i < n; i++) {
		const struct pgr_range *r = &ranges[i];
		struct pgr_page_info pi;
		struct zone *z;

		ck_assert_uint_lt(r->zone, s->nr_zones);
		ck_assert_uint_ge(r->order, s->node->rep_order);
		ck_assert_uint_lt(r->order, s->node->max_order);
		ck_assert_uint_eq(r->pfn & ((1ULL << r->order) - 1), 0);
		ck_assert_int_eq(
			pgr_page_get_info(scn_pz(s, r->zone), r->pfn, &pi), 0);
		/* B6: out for reporting = isolated, not Buddy, on no list */
		ck_assert_msg(pi.state == PGR_PAGE_ISOLATED,
			      "range %u (pfn %#" PRIx64
			      " order %u) in state %d "
			      "while reported",
			      i, r->pfn, r->order, (int)pi.state);
		ck_assert_uint_eq(pi.order, r->order);
		ck_assert(!pi.reported);
		z = scn_z(s, r->zone);
		ck_assert(!(id_page(z, pfn_id(z, r->pfn))->flags & PG_buddy));
		ck_assert(!scn_on_any_list(s, r->zone, r->pfn, r->order));
		for (unsigned int j = 0; j < i; j++)
			ck_assert(ranges[j].pfn != r->pfn ||
				  ranges[j].zone != r->zone);
		pages += 1ULL << r->order;
	}
	/* B6: nothing else is held off the lists at the same time */
	for (unsigned int zi = 0; zi < s->nr_zones; zi++) {
		struct pgr_zone_info info;

		ck_assert_int_eq(pgr_zone_get_info(scn_pz(s, zi), &info), 0);
		isolated += info.nr_isolated_pages;
	}
	if (!s->expect_other_isolated)
		ck_assert_uint_eq(isolated, pages);
	scn_check(s);
	if (scn_is_v11(s))
		for (unsigned int zi = 0; zi < s->nr_zones; zi++)
			scn_check_boundaries(s, zi);

	if (s->nr_batches == s->cap_batches) {
		size_t cap = s->cap_batches ? 2 * s->cap_batches : 64;
		void *nb = realloc(s->batches, cap * sizeof(*s->batches));

		ck_assert_ptr_nonnull(nb);
		s->batches = nb;
		s->cap_batches = cap;
	}
	b = &s->batches[s->nr_batches++];
	memset(b, 0, sizeof(*b));
	b->time_ns = pgr_reporting_now(s->node);
	b->n = n;
	memcpy(b->r, ranges, n * sizeof(*ranges));
	b->ret = s->fail_nth && s->nr_calls == s->fail_nth ? s->fail_err : 0;
	if (s->hook)
		s->hook(s, ranges, n, seq);
	return b->ret;
}

static const struct pgr_sink_ops scn_probe_ops = {
	.name = "scenario-probe",
	.report = scn_probe_report,
};

void scn_register(struct scn *s, enum pgr_strategy st, unsigned int capacity,
		  const struct pgr_reporting_config *cfg)
{
	struct pgr_reporting_config c;
	int rc;

	if (cfg)
		c = *cfg;
	else
		memset(&c, 0, sizeof(c));
	c.strategy = st;
	c.clock = PGR_CLOCK_VIRTUAL;
	s->sink.ops = &scn_probe_ops;
	s->sink.capacity = capacity;
	s->sink.priv = s;
	if (!s->fail_err)
		s->fail_err = -EIO;
	rc = pgr_reporting_register(s->node, &s->sink, &c);
	ck_assert_msg(rc == 0, "register %s: %d %s", pgr_strategy_name(st), rc,
		      pgr_errmsg());
	s->strategy = st;
	s->registered = true;
	scn_check(s);
}

void scn_unregister(struct scn *s)
{
	int rc = pgr_reporting_unregister(s->node);

	ck_assert_msg(rc == 0, "unregister: %d %s", rc, pgr_errmsg());
	s->registered = false;
	scn_check(s);
}

void scn_reset_batches(struct scn *s)
{
	s->nr_batches = 0;
	s->nr_calls = 0;
}

/* ---- mutations -------------------------------------------------------- */

void scn_free(struct scn *s, unsigned int zi, uint64_t pfn, unsigned int order)
{
	int rc = pgr_free_pages(scn_pz(s, zi), pfn, order);

	ck_assert_msg(rc == 0, "free %#" PRIx64 "/%u: %d %s", pfn, order, rc,
		      pgr_errmsg());
	scn_check(s);
}

void scn_take(struct scn *s, unsigned int zi, uint64_t pfn, unsigned int order)
{
	int rc = pgr_take_block(scn_pz(s, zi), pfn, order);

	ck_assert_msg(rc == 0, "take %#" PRIx64 "/%u: %d %s", pfn, order, rc,
		      pgr_errmsg());
	scn_check(s);
}

void scn_set_mt(struct scn *s, unsigned int zi, uint64_t pfn,
		enum pgr_migratetype mt)
{
	int rc = pgr_set_pageblock_migratetype(scn_pz(s, zi), pfn, mt);

	ck_assert_msg(rc == 0, "set mt %#" PRIx64 " %d: %d %s", pfn, (int)mt,
		      rc, pgr_errmsg());
	scn_check(s);
}

uint64_t scn_make_free(struct scn *s, unsigned int zi, unsigned int region,
		       unsigned int order, unsigned int offset_blocks)
{
	uint64_t pfn =
		scn_pfn(s, zi, region) + ((uint64_t)offset_blocks << order);

	scn_free(s, zi, scn_pfn(s, zi, region), 10);
	/* take the half that does not hold @pfn, level by level */
	for (int o = 9; o >= (int)order; o--) {
		uint64_t other = (pfn & ~((1ULL << o) - 1)) ^ (1ULL << o);

		scn_take(s, zi, other, (unsigned int)o);
	}
	return pfn;
}

void scn_split_alloc(struct scn *s, unsigned int zi, unsigned int region,
		     unsigned int order)
{
	uint64_t start = scn_pfn(s, zi, region);

	scn_free(s, zi, start, 10);
	for (uint64_t p = 0; p < SCN_REGION; p += 1ULL << order)
		scn_take(s, zi, start + p, order);
}

void scn_filler(struct scn *s, unsigned int zi, unsigned int first,
		unsigned int nr)
{
	for (unsigned int r = first; r < first + nr; r++) {
		uint64_t p = scn_pfn(s, zi, r);

		scn_free(s, zi, p, 10);
		scn_take(s, zi, p + 256, 8);
		scn_take(s, zi, p + 768, 8);
	}
}

/* ---- clock ------------------------------------------------------------ */

void scn_advance(struct scn *s, uint64_t ns)
{
	int rc = pgr_reporting_advance(s->node, ns);

	ck_assert_msg(rc == 0, "advance: %d %s", rc, pgr_errmsg());
	scn_check(s);
}

uint64_t scn_run(struct scn *s)
{
	uint64_t el = 0;
	int rc = pgr_reporting_run_until_idle(s->node, SCN_T_FOREVER, &el);

	ck_assert_msg(rc == 0, "run_until_idle: %d %s (PGR_SEED=%" PRIu64 ")",
		      rc, pgr_errmsg(), s->seed);
	ck_assert(!pgr_reporting_pending(s->node));
	scn_check(s);
	return el;
}

struct pgr_reporting_stats scn_stats(struct scn *s)
{
	struct pgr_reporting_stats st;

	ck_assert_int_eq(pgr_reporting_get_stats(s->node, &st), 0);
	return st;
}

uint64_t scn_counter(struct scn *s, const char *name)
{
	uint64_t v;

	ck_assert_int_eq(pgr_reporting_get_counter(s->node, name, &v), 0);
	return v;
}

/* ---- looking inside --------------------------------------------------- */

struct pgr_page_info scn_info(struct scn *s, unsigned int zi, uint64_t pfn)
{
	struct pgr_page_info pi;

	ck_assert_int_eq(pgr_page_get_info(scn_pz(s, zi), pfn, &pi), 0);
	return pi;
}

bool scn_is_free(struct scn *s, unsigned int zi, uint64_t pfn,
		 unsigned int order)
{
	struct pgr_page_info pi = scn_info(s, zi, pfn);

	return pi.state == PGR_PAGE_FREE && pi.order == order;
}

bool scn_is_reported(struct scn *s, unsigned int zi, uint64_t pfn,
		     unsigned int order)
{
	struct pgr_page_info pi = scn_info(s, zi, pfn);

	return pi.state == PGR_PAGE_FREE && pi.order == order && pi.reported;
}

long scn_list(struct scn *s, unsigned int zi, unsigned int order,
	      enum pgr_migratetype mt, uint64_t *pfns, size_t max)
{
	static uint64_t dummy[1];
	long n;

	/* NULL: only the length */
	if (!pfns) {
		pfns = dummy;
		max = 0;
	}
	n = pgr_free_list_walk(scn_pz(s, zi), order, mt, pfns, max);

	ck_assert_msg(n >= 0, "list walk: %ld", n);
	return n;
}

long scn_list_pos(struct scn *s, unsigned int zi, unsigned int order,
		  enum pgr_migratetype mt, uint64_t pfn)
{
	static uint64_t pfns[SCN_MAX_LIST];
	long n = scn_list(s, zi, order, mt, pfns, SCN_MAX_LIST);

	ck_assert_int_le(n, SCN_MAX_LIST);
	for (long i = 0; i < n; i++)
		if (pfns[i] == pfn)
			return i;
	return -1;
}

uint64_t scn_nr_free_pages(struct scn *s, unsigned int zi)
{
	struct pgr_zone_info info;

	ck_assert_int_eq(pgr_zone_get_info(scn_pz(s, zi), &info), 0);
	return info.nr_free_pages;
}

uint64_t scn_nr_reported(struct scn *s, unsigned int zi, unsigned int order)
{
	struct pgr_zone_info info;

	ck_assert_int_eq(pgr_zone_get_info(scn_pz(s, zi), &info), 0);
	return info.nr_reported[order];
}

uint64_t scn_count_reported_heads(struct scn *s, unsigned int zi,
				  unsigned int order)
{
	struct zone *z = scn_z(s, zi);
	uint64_t n = 0;

	for (uint32_t id = 0; id < z->nr_pages; id++) {
		const struct page *p = id_page(z, id);

		if ((p->flags & PG_reported) && (p->flags & PG_buddy) &&
		    p->order == order)
			n++;
	}
	return n;
}

bool scn_all_reported(struct scn *s, unsigned int zi)
{
	struct zone *z = scn_z(s, zi);

	for (unsigned int o = pageblock_order(z); o < max_order(z); o++)
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			uint32_t head = free_list_id(z, o, mt);

			if (mt == PGR_MIGRATE_ISOLATE)
				continue;
			for (uint32_t id = id_page(z, head)->next; id != head;
			     id = id_page(z, id)->next)
				if (!(id_page(z, id)->flags & PG_reported))
					return false;
		}
	return true;
}

size_t scn_times_reported(struct scn *s, unsigned int zi, uint64_t pfn,
			  unsigned int order)
{
	size_t n = 0;

	for (size_t b = 0; b < s->nr_batches; b++)
		for (unsigned int i = 0; i < s->batches[b].n; i++) {
			const struct pgr_range *r = &s->batches[b].r[i];

			if (r->zone == zi && r->pfn == pfn && r->order == order)
				n++;
		}
	return n;
}

bool scn_is_v11(const struct scn *s)
{
	return s->registered && (s->strategy == PGR_STRATEGY_V11_BOUNDARY ||
				 s->strategy == PGR_STRATEGY_V11_RESCAN);
}

static unsigned int scn_bidx(struct scn *s, unsigned int order, int mt)
{
	return (order - s->node->rep_order) * PGR_MIGRATE_TYPES +
	       (unsigned int)mt;
}

uint64_t scn_boundary_pfn(struct scn *s, unsigned int zi, unsigned int order,
			  enum pgr_migratetype mt)
{
	struct zone *z = scn_z(s, zi);
	uint32_t b;

	ck_assert_ptr_nonnull(s->node->reported_boundary);
	b = s->node->reported_boundary[scn_bidx(s, order, mt)];
	return b == free_list_id(z, order, mt) ? UINT64_MAX : id_pfn(z, b);
}

void scn_check_boundaries_at(struct scn *s, unsigned int zi, const char *file,
			     int line)
{
	struct zone *z = scn_z(s, zi);
	struct pgr_node *n = s->node;

	if (!n->reported_boundary || !(z->flags & ZONE_PAGE_REPORTING_ACTIVE))
		return;
	for (unsigned int o = n->rep_order; o < n->max_order; o++)
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			unsigned int idx = scn_bidx(s, o, mt);
			uint32_t head = free_list_id(z, o, mt);
			uint32_t b = n->reported_boundary[idx], id;
			bool behind = false;

			/* __shuffle_zone may break B2 at MAX_ORDER-1, as in
			 * the kernel (documented in src/reporting/v11.c) */
			if (mt == PGR_MIGRATE_ISOLATE || b == head ||
			    (n->shuffle && o == n->max_order - 1))
				continue;
			for (id = id_page(z, head)->next; id != head;
			     id = id_page(z, id)->next) {
				const struct page *p = id_page(z, id);

				if (id == b)
					behind = true;
				if (!behind)
					continue;
				ck_assert_msg(
					(p->flags & PG_reported) &&
						(p->flags & PG_buddy) &&
						p->index == idx,
					"%s:%d: B2: pfn %#" PRIx64
					" behind the boundary of order %u "
					"mt %d: flags %#x index %u (want %u)",
					file, line, id_pfn(z, id), o, mt,
					p->flags, p->index, idx);
			}
			ck_assert_msg(behind,
				      "%s:%d: B2: boundary of order %u mt %d "
				      "(id %u) is not on its list",
				      file, line, o, mt, b);
		}
}

int scn_main(Suite *suite)
{
	SRunner *sr = srunner_create(suite);
	int nf;

	srunner_run_all(sr, CK_ENV);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (nf)
		fprintf(stderr, "%d test(s) failed with PGR_SEED=%" PRIu64 "\n",
			nf, scn_seed());
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
