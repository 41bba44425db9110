// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The churn workload: keeps a zone near a target occupancy by allocating
 * and freeing blocks of random order, freeing a random live block, the way
 * will-it-scale style workloads and kernel builds churn memory.  Models no
 * kernel file.  Moved from bench/common.c; the random draws are the same,
 * in the same order, so the bench's results did not change.
 */
#include "config.h"

#include "workload/workload.h"

static unsigned int churn_min_order(const struct pgr_workload *w)
{
	return w->cfg.churn.orders_set ? w->cfg.churn.min_order : 0;
}

static unsigned int churn_max_order(const struct pgr_workload *w)
{
	return w->cfg.churn.orders_set ? w->cfg.churn.max_order
				       : w->max_order - 1;
}

/*
 * The order mixes, clamped to [min_order, max_order].  THP: 50% order 9,
 * 20% order 0, 20% orders 1..8, 10% order 10.  SMALL (a compiler-like
 * workload of mostly 4 KiB pages): 80% order 0, 15% orders 1..3, 5% order
 * 9.  UNIFORM: every order alike.
 */
static unsigned int pick_order(struct pgr_workload *w)
{
	unsigned int lo = churn_min_order(w), hi = churn_max_order(w), o;
	uint64_t r;

	if (w->cfg.churn.mix == PGR_CHURN_MIX_UNIFORM)
		return lo + (unsigned int)pgr_rand_below(&w->rand, hi - lo + 1);
	r = pgr_rand_below(&w->rand, 100);
	if (w->cfg.churn.mix == PGR_CHURN_MIX_SMALL)
		o = r < 80   ? 0
		    : r < 95 ? 1 + (unsigned int)pgr_rand_below(&w->rand, 3)
			     : 9;
	else if (r < 50)
		o = 9;
	else if (r < 70)
		o = 0;
	else if (r < 90)
		o = 1 + (unsigned int)pgr_rand_below(&w->rand, 8);
	else
		o = 10;
	if (o < lo)
		o = lo;
	if (o > hi)
		o = hi;
	return o;
}

static bool churn_alloc(struct pgr_workload *w)
{
	unsigned int order = pick_order(w);
	uint64_t pfn;

	if (!pgr__wl_alloc(w, order, &pfn))
		return false;
	if (!pgr__wl_push(&w->live, pfn, order)) {
		pgr__wl_free(w, (struct wl_block){ pfn, (uint8_t)order });
		return false;
	}
	return true;
}

static int churn_free_random(struct pgr_workload *w)
{
	if (!w->live.n)
		return 0;
	return pgr__wl_free_idx(w, &w->live,
				pgr_rand_below(&w->rand, w->live.n));
}

static uint64_t target(const struct pgr_workload *w)
{
	return (uint64_t)(w->cfg.churn.occupancy * (double)w->zone_pages);
}

static int churn_fill(struct pgr_workload *w)
{
	unsigned int misses = 0;

	w->st.target_pages = target(w);
	while (w->st.live_pages < w->st.target_pages && misses < 64)
		misses = churn_alloc(w) ? 0 : misses + 1;
	return w->err;
}

static int churn_step(struct pgr_workload *w)
{
	/* A random walk that drifts back to the target: 60/40 toward it. */
	unsigned int p_alloc = w->st.live_pages < target(w) ? 60 : 40;

	if (pgr_rand_below(&w->rand, 100) < p_alloc) {
		if (!churn_alloc(w))
			return churn_free_random(w) ? -EIO : -ENOMEM;
		return 0;
	}
	return churn_free_random(w);
}

const struct wl_ops pgr__wl_churn_ops = {
	.fill = churn_fill,
	.step = churn_step,
};
