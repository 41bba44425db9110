// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Workload generators: creation, the shared alloc/free helpers, the clock
 * and pacing.  Models no kernel file (see workload.h).
 *
 * Every allocation and free goes through pgr__wl_alloc()/pgr__wl_free(),
 * so counting, the caller's on_alloc hook and the trace recorder see
 * exactly the calls the workload made on the public API, in order.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "workload/workload.h"

static const char *const kind_names[PGR_NR_WORKLOADS] = {
	[PGR_WORKLOAD_CHURN] = "churn",
	[PGR_WORKLOAD_BUILD] = "build",
	[PGR_WORKLOAD_FILL_FREE] = "fill-free",
	[PGR_WORKLOAD_PAGE_FAULT1] = "page-fault1",
};

const char *pgr_workload_kind_name(enum pgr_workload_kind k)
{
	if ((unsigned int)k >= PGR_NR_WORKLOADS)
		return "unknown";
	return kind_names[k];
}

int pgr_workload_kind_from_name(const char *name)
{
	if (!name)
		return pgr__error(EINVAL, "workload: NULL kind name");
	for (int k = 0; k < PGR_NR_WORKLOADS; k++)
		if (!strcmp(name, kind_names[k]))
			return k;
	return pgr__error(EINVAL,
			  "workload: unknown kind \"%s\" (churn, build, "
			  "fill-free, page-fault1)",
			  name);
}

static const struct wl_ops *const kind_ops[PGR_NR_WORKLOADS] = {
	[PGR_WORKLOAD_CHURN] = &pgr__wl_churn_ops,
	[PGR_WORKLOAD_BUILD] = &pgr__wl_build_ops,
	[PGR_WORKLOAD_FILL_FREE] = &pgr__wl_fill_free_ops,
	[PGR_WORKLOAD_PAGE_FAULT1] = &pgr__wl_page_fault1_ops,
};

static bool bad_fraction(double f)
{
	return !(f > 0 && f <= 1);
}

/* Check @cfg against @info; return 0 or a pgr__error. */
static int check_config(const struct pgr_workload_config *cfg,
			const struct pgr_zone_info *info)
{
	unsigned int mo = info->max_order;

	if ((unsigned int)cfg->kind >= PGR_NR_WORKLOADS)
		return pgr__error(EINVAL, "workload: bad kind %d", cfg->kind);
	if (cfg->migratetype_set &&
	    (unsigned int)cfg->migratetype > PGR_MIGRATE_HIGHATOMIC)
		return pgr__error(EINVAL, "workload: bad migratetype %d",
				  cfg->migratetype);
	if (!(cfg->rate >= 0) || isinf(cfg->rate))
		return pgr__error(EINVAL, "workload: bad rate");
	if (!info->nr_pages)
		return pgr__error(EINVAL, "workload: empty zone");
	switch (cfg->kind) {
	case PGR_WORKLOAD_CHURN:
		if (bad_fraction(cfg->churn.occupancy))
			return pgr__error(EINVAL,
					  "workload: churn occupancy must be "
					  "in (0, 1]");
		if ((unsigned int)cfg->churn.mix > PGR_CHURN_MIX_SMALL)
			return pgr__error(EINVAL, "workload: bad churn mix");
		if (cfg->churn.orders_set &&
		    (cfg->churn.min_order > cfg->churn.max_order ||
		     cfg->churn.max_order >= mo))
			return pgr__error(EINVAL,
					  "workload: churn orders %u..%u not "
					  "within 0..%u",
					  cfg->churn.min_order,
					  cfg->churn.max_order, mo - 1);
		break;
	case PGR_WORKLOAD_BUILD:
		if (cfg->build.jobs > WL_BUILD_MAX_JOBS)
			return pgr__error(EINVAL, "workload: build jobs > %d",
					  WL_BUILD_MAX_JOBS);
		if (cfg->build.short_pct > 100 || cfg->build.long_pct > 100)
			return pgr__error(EINVAL,
					  "workload: build shares above 100%%");
		if (cfg->build.min_life_ms > cfg->build.max_life_ms)
			return pgr__error(EINVAL,
					  "workload: build min_life_ms > "
					  "max_life_ms");
		if (mo <= 9 && mo <= 3)
			return pgr__error(
				EINVAL, "workload: build needs MAX_ORDER > 3");
		break;
	case PGR_WORKLOAD_FILL_FREE:
		if (cfg->fill.occupancy != 0 &&
		    bad_fraction(cfg->fill.occupancy))
			return pgr__error(EINVAL,
					  "workload: fill occupancy must be "
					  "in (0, 1]");
		if (cfg->fill.order >= mo)
			return pgr__error(EINVAL,
					  "workload: fill order %u >= %u",
					  cfg->fill.order, mo);
		break;
	case PGR_WORKLOAD_PAGE_FAULT1:
		if (cfg->page_fault1.order >= mo)
			return pgr__error(EINVAL,
					  "workload: page_fault1 order %u >= "
					  "%u",
					  cfg->page_fault1.order, mo);
		break;
	default:
		break;
	}
	return 0;
}

struct pgr_workload *pgr_workload_create(struct pgr_zone *zone,
					 const struct pgr_workload_config *cfg)
{
	struct pgr_zone_info info;
	struct pgr_workload *w;
	int err;

	if (!zone || !cfg) {
		pgr__error(EINVAL, "workload_create: NULL argument");
		errno = EINVAL;
		return NULL;
	}
	if (pgr_zone_get_info(zone, &info)) {
		errno = EINVAL;
		return NULL;
	}
	err = check_config(cfg, &info);
	if (err) {
		errno = -err;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		pgr__error(ENOMEM, "workload_create: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	w->cfg = *cfg;
	w->ops = kind_ops[cfg->kind];
	w->zone = zone;
	w->node = pgr_zone_node(zone);
	w->mt = cfg->migratetype_set ? (int)cfg->migratetype
				     : PGR_MIGRATE_MOVABLE;
	w->zone_pages = info.nr_pages;
	w->max_order = info.max_order;
	if (!(w->cfg.rate > 0))
		w->cfg.rate = 100000;
	pgr_rand_seed(&w->rand, cfg->seed);
	return w;
}

void pgr_workload_destroy(struct pgr_workload *w)
{
	if (!w)
		return;
	if (w->ops->destroy)
		w->ops->destroy(w);
	free(w->live.v);
	free(w);
}

/* Is a reporting device registered on @node?  (public API only) */
static bool engine_registered(struct pgr_node *node)
{
	struct pgr_reporting_stats st;

	return pgr_reporting_get_stats(node, &st) == 0;
}

uint64_t pgr_workload_now(const struct pgr_workload *w)
{
	if (!w)
		return 0;
	/* The engine's clock when a device is registered, else our own. */
	if (engine_registered(w->node))
		return pgr_reporting_now(w->node);
	return w->now_ns;
}

int pgr_workload_set_time(struct pgr_workload *w, uint64_t ns)
{
	if (!w)
		return pgr__error(EINVAL, "workload_set_time: NULL workload");
	w->now_ns = ns;
	return 0;
}

bool pgr__wl_push(struct wl_blocks *v, uint64_t pfn, unsigned order)
{
	if (v->n == v->cap) {
		size_t c = v->cap ? v->cap * 2 : 256;
		struct wl_block *nv = realloc(v->v, c * sizeof(*nv));

		if (!nv)
			return false;
		v->v = nv;
		v->cap = c;
	}
	v->v[v->n++] = (struct wl_block){ pfn, (uint8_t)order };
	return true;
}

static void wl_record(struct pgr_workload *w, enum pgr_trace_op op,
		      uint64_t pfn, unsigned order)
{
	if (w->cfg.record)
		pgr_trace_record(w->cfg.record, w->zone, pgr_workload_now(w),
				 op, pfn, order, w->mt);
}

bool pgr__wl_alloc(struct pgr_workload *w, unsigned order, uint64_t *r_pfn)
{
	if (pgr_alloc_pages(w->zone, order, (enum pgr_migratetype)w->mt, 0,
			    r_pfn)) {
		w->st.alloc_failures++;
		return false;
	}
	w->st.allocs++;
	w->st.live_blocks++;
	w->st.live_pages += 1ULL << order;
	wl_record(w, PGR_TRACE_ALLOC, *r_pfn, order);
	if (w->cfg.on_alloc)
		w->cfg.on_alloc(w->cfg.arg, *r_pfn, order);
	return true;
}

int pgr__wl_free(struct pgr_workload *w, struct wl_block b)
{
	if (pgr_free_pages(w->zone, b.pfn, b.order)) {
		/* someone freed our block behind our back: stop trusting it */
		if (!w->err)
			w->err = -EIO;
		return -EIO;
	}
	w->st.frees++;
	w->st.live_blocks--;
	w->st.live_pages -= 1ULL << b.order;
	wl_record(w, PGR_TRACE_FREE, b.pfn, b.order);
	return 0;
}

int pgr__wl_free_idx(struct pgr_workload *w, struct wl_blocks *v, size_t i)
{
	struct wl_block b = v->v[i];

	v->v[i] = v->v[--v->n];
	return pgr__wl_free(w, b);
}

int pgr_workload_fill(struct pgr_workload *w)
{
	if (!w)
		return pgr__error(EINVAL, "workload_fill: NULL workload");
	if (w->err)
		return pgr__error(EIO, "workload: a free was refused earlier");
	return w->ops->fill ? w->ops->fill(w) : 0;
}

int pgr_workload_step(struct pgr_workload *w)
{
	int err;

	if (!w)
		return pgr__error(EINVAL, "workload_step: NULL workload");
	if (w->err)
		return pgr__error(EIO, "workload: a free was refused earlier");
	err = w->ops->step(w);
	if (err == -EIO)
		return pgr__error(EIO, "workload: the zone refused to free one "
				       "of the workload's blocks");
	if (!err || err == -ENOMEM)
		w->st.ops++;
	return err;
}

int pgr_workload_run(struct pgr_workload *w, uint64_t ns, uint64_t tick_ns)
{
	double carry = 0;
	bool engine;

	if (!w)
		return pgr__error(EINVAL, "workload_run: NULL workload");
	if (!tick_ns)
		tick_ns = 1000000;
	engine = engine_registered(w->node);
	for (uint64_t t = 0; t < ns; t += tick_ns) {
		uint64_t step = ns - t < tick_ns ? ns - t : tick_ns, n;

		carry += w->cfg.rate * (double)step / 1e9;
		n = (uint64_t)carry;
		carry -= (double)n;
		for (uint64_t i = 0; i < n; i++) {
			int err = pgr_workload_step(w);

			if (err && err != -ENOMEM)
				return err;
		}
		if (engine) {
			int err = pgr_reporting_advance(w->node, step);

			if (err)
				return err;
		} else {
			w->now_ns += step;
		}
	}
	return 0;
}

int pgr_workload_free_fraction(struct pgr_workload *w, double fraction)
{
	struct wl_blocks *v;
	size_t n;

	if (!w)
		return pgr__error(EINVAL, "workload_free_fraction: NULL");
	if (!(fraction >= 0 && fraction <= 1))
		return pgr__error(EINVAL,
				  "workload_free_fraction: %g not in [0, 1]",
				  fraction);
	if (w->cfg.kind == PGR_WORKLOAD_BUILD) {
		/* the jobs and the long-lived memory alike */
		for (unsigned int i = 0; i < WL_BUILD_MAX_JOBS; i++) {
			v = &w->job[i].b;
			n = (size_t)(fraction * (double)v->n);
			while (n-- && v->n) {
				size_t k = pgr_rand_below(&w->rand, v->n);

				w->job[i].pages -= 1ULL << v->v[k].order;
				if (pgr__wl_free_idx(w, v, k))
					return -EIO;
			}
		}
		v = &w->ll;
	} else {
		v = &w->live;
	}
	n = (size_t)(fraction * (double)v->n);
	while (n-- && v->n)
		if (pgr__wl_free_idx(w, v, pgr_rand_below(&w->rand, v->n)))
			return pgr__error(EIO, "workload: free refused");
	return 0;
}

int pgr_workload_free_all(struct pgr_workload *w)
{
	return pgr_workload_free_fraction(w, 1.0);
}

int pgr_workload_get_stats(const struct pgr_workload *w,
			   struct pgr_workload_stats *r_stats)
{
	if (!w || !r_stats)
		return pgr__error(EINVAL, "workload_get_stats: NULL argument");
	*r_stats = w->st;
	return 0;
}
