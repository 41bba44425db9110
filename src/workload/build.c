// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The build-like workload: a parallel build in miniature.  Models no
 * kernel file; moved from bench/exp_reclaim.c with the same random draws
 * in the same order.
 *
 * `jobs` compiler processes run at once; each lives min..max_life_ms of
 * op time (ops_per_sec operations of the whole build per second), grows its
 * heap (90% order 0, 10% orders 1..3) to a peak of 0.5..1.5 x its share of
 * short_pct of the zone, then keeps malloc/free churning inside it (frees
 * one of its 16 newest blocks, allocates a new one), and at exit frees
 * everything; a new job takes its slot.  Long-lived memory (long_pct of
 * the zone: page cache, THPs; by count 5% order 9, else orders 1..3) is
 * replaced one block per long_every ops.  Most of the zone stays free, and
 * the buddy allocator's head insertion hands recently freed blocks out
 * first, so the working set stays a compact subset of the zone as in a
 * real build.
 */
#include "config.h"

#include <stdlib.h>

#include "workload/workload.h"

static unsigned int jobs(const struct pgr_workload *w)
{
	return w->cfg.build.jobs ? w->cfg.build.jobs : 4;
}

static unsigned int short_pct(const struct pgr_workload *w)
{
	return w->cfg.build.short_pct ? w->cfg.build.short_pct : 18;
}

static unsigned int long_pct(const struct pgr_workload *w)
{
	return w->cfg.build.long_pct ? w->cfg.build.long_pct : 10;
}

static unsigned int long_every(const struct pgr_workload *w)
{
	return w->cfg.build.long_every ? w->cfg.build.long_every : 500;
}

static uint64_t ops_per_sec(const struct pgr_workload *w)
{
	return w->cfg.build.ops_per_sec ? w->cfg.build.ops_per_sec : 6000;
}

static unsigned int clamp_order(const struct pgr_workload *w, unsigned int o)
{
	return o < w->max_order ? o : w->max_order - 1;
}

static unsigned int short_order(struct pgr_workload *w)
{
	return pgr_rand_below(&w->rand, 10)
		       ? 0
		       : 1 + (unsigned int)pgr_rand_below(&w->rand, 3);
}

static unsigned int long_order(struct pgr_workload *w)
{
	return clamp_order(
		w, pgr_rand_below(&w->rand, 20)
			   ? 1 + (unsigned int)pgr_rand_below(&w->rand, 3)
			   : 9);
}

static void job_start(struct pgr_workload *w, struct wl_build_job *j,
		      bool first)
{
	uint64_t share = w->zone_pages * short_pct(w) / 100 / jobs(w);
	unsigned int lo = w->cfg.build.min_life_ms,
		     hi = w->cfg.build.max_life_ms;
	uint64_t life;

	if (!lo && !hi) {
		lo = 1000;
		hi = 4000;
	}
	/* lifetime in ops of the whole build */
	life = ops_per_sec(w) * (lo + pgr_rand_below(&w->rand, hi - lo + 1)) /
	       1000;
	j->peak = share / 2 + pgr_rand_below(&w->rand, share + 1);
	/* the first jobs end at staggered times */
	if (first)
		life = pgr_rand_below(&w->rand, life + 1);
	j->end_op = w->op + life;
}

static int job_exit(struct pgr_workload *w, struct wl_build_job *j)
{
	while (j->b.n)
		if (pgr__wl_free(w, j->b.v[--j->b.n]))
			return -EIO;
	j->pages = 0;
	return 0;
}

static int build_fill(struct pgr_workload *w)
{
	uint64_t target = w->zone_pages * long_pct(w) / 100, pfn;
	unsigned int misses = 0;

	w->st.target_pages = target;
	while (w->st.live_pages < target && misses < 64) {
		unsigned int order = long_order(w);

		if (!pgr__wl_alloc(w, order, &pfn)) {
			misses++;
			continue;
		}
		if (!pgr__wl_push(&w->ll, pfn, order)) {
			pgr__wl_free(w,
				     (struct wl_block){ pfn, (uint8_t)order });
			return -ENOMEM;
		}
	}
	for (unsigned int i = 0; i < jobs(w); i++)
		job_start(w, &w->job[i], true);
	return w->err;
}

/* One operation of job op % jobs. */
static int build_step(struct pgr_workload *w)
{
	struct wl_build_job *j = &w->job[w->op % jobs(w)];
	unsigned int order;
	uint64_t pfn;
	int ret = 0;

	if (w->op >= j->end_op) {
		if (job_exit(w, j))
			return -EIO;
		job_start(w, j, false);
	}
	if (j->pages >= j->peak && j->b.n) {
		/* malloc/free inside the process: one of the newest blocks */
		size_t n = j->b.n < 16 ? j->b.n : 16;
		size_t k = j->b.n - 1 - pgr_rand_below(&w->rand, n);

		j->pages -= 1ULL << j->b.v[k].order;
		if (pgr__wl_free_idx(w, &j->b, k))
			return -EIO;
	}
	order = short_order(w);
	if (pgr__wl_alloc(w, order, &pfn)) {
		if (pgr__wl_push(&j->b, pfn, order))
			j->pages += 1ULL << order;
		else if (pgr__wl_free(w,
				      (struct wl_block){ pfn, (uint8_t)order }))
			return -EIO;
	} else {
		ret = -ENOMEM;
	}
	if (w->ll.n && !pgr_rand_below(&w->rand, long_every(w))) {
		size_t k = pgr_rand_below(&w->rand, w->ll.n);
		struct wl_block blk = w->ll.v[k];

		if (pgr__wl_free(w, blk))
			return -EIO;
		if (pgr__wl_alloc(w, blk.order, &pfn))
			w->ll.v[k].pfn = pfn;
		else
			w->ll.v[k] = w->ll.v[--w->ll.n];
	}
	w->op++;
	return ret;
}

static void build_destroy(struct pgr_workload *w)
{
	for (unsigned int i = 0; i < WL_BUILD_MAX_JOBS; i++)
		free(w->job[i].b.v);
	free(w->ll.v);
}

const struct wl_ops pgr__wl_build_ops = {
	.fill = build_fill,
	.step = build_step,
	.destroy = build_destroy,
};
