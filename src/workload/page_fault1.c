// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * will-it-scale page_fault1 as Duyck ran it for the v11 cover letters
 * (modified to use THP): take a block (order 9, or 0 for 4 KiB pages),
 * touch it (the caller's on_alloc hook writes it in guest RAM), free it.
 * Models no kernel file; moved from bench/exp_pagefault.c.  It draws no
 * random number: each step is the same pair of calls.
 */
#include "config.h"

#include "workload/workload.h"

static int pf1_step(struct pgr_workload *w)
{
	unsigned int order = w->cfg.page_fault1.order;
	uint64_t pfn;

	if (!pgr__wl_alloc(w, order, &pfn))
		return -ENOMEM; /* e.g. everything isolated for a report */
	return pgr__wl_free(w, (struct wl_block){ pfn, (uint8_t)order });
}

const struct wl_ops pgr__wl_page_fault1_ops = {
	.step = pf1_step,
};
