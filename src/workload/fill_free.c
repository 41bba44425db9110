// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The fill-and-free workload (memhog): allocate blocks of one order until
 * the zone is at the target occupancy (or allocation fails), hold for
 * hold_ops steps, then free every block in random order, and again.  This
 * is the phase a guest goes through when a big job starts and exits, the
 * case free page reporting exists for.  Models no kernel file.
 */
#include "config.h"

#include "workload/workload.h"

static uint64_t target(const struct pgr_workload *w)
{
	double occ = w->cfg.fill.occupancy ? w->cfg.fill.occupancy : 0.9;

	return (uint64_t)(occ * (double)w->zone_pages);
}

/* One block more, or the end of the fill. */
static int fill_one(struct pgr_workload *w)
{
	unsigned int order = w->cfg.fill.order;
	uint64_t pfn;

	if (w->st.live_pages + (1ULL << order) > target(w) ||
	    !pgr__wl_alloc(w, order, &pfn)) {
		w->filling = false;
		w->held = 0;
		return 0;
	}
	if (!pgr__wl_push(&w->live, pfn, order)) {
		pgr__wl_free(w, (struct wl_block){ pfn, (uint8_t)order });
		w->filling = false;
		return -ENOMEM;
	}
	return 0;
}

static int ff_fill(struct pgr_workload *w)
{
	w->st.target_pages = target(w);
	w->filling = true;
	while (w->filling && !w->err)
		fill_one(w);
	return w->err;
}

static int ff_step(struct pgr_workload *w)
{
	if (w->filling)
		return fill_one(w);
	if (w->held < w->cfg.fill.hold_ops) {
		w->held++;
		return 0;
	}
	if (w->live.n)
		return pgr__wl_free_idx(w, &w->live,
					pgr_rand_below(&w->rand, w->live.n));
	/* empty: the next cycle starts */
	if (w->st.allocs)
		w->st.cycles++;
	w->filling = true;
	return fill_one(w);
}

const struct wl_ops pgr__wl_fill_free_ops = {
	.fill = ff_fill,
	.step = ff_step,
};
