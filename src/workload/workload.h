/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal state of the workload generators (include/pagereport/workload.h).
 * Models no kernel file: these are the callers of alloc_pages()/
 * __free_pages() a guest would run.  Each kind lives in its own file and
 * fills in the ops; workload.c has what they share (the live-block arrays,
 * the alloc/free helpers that count, call on_alloc and record, the clock).
 */
#ifndef PGR_WORKLOAD_INTERNAL_H
#define PGR_WORKLOAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pagereport/pagereport.h>
#include <pagereport/trace.h>
#include <pagereport/workload.h>

#include "rand.h"

struct wl_block {
	uint64_t pfn;
	uint8_t order;
};

/* A growable array of live blocks. */
struct wl_blocks {
	struct wl_block *v;
	size_t n, cap;
};

struct pgr_workload;

struct wl_ops {
	int (*fill)(struct pgr_workload *w);
	int (*step)(struct pgr_workload *w);
	void (*destroy)(struct pgr_workload *w);
};

#define WL_BUILD_MAX_JOBS 64

struct wl_build_job {
	struct wl_blocks b;
	uint64_t pages, peak, end_op;
};

struct pgr_workload {
	const struct wl_ops *ops;
	struct pgr_workload_config cfg;
	struct pgr_zone *zone;
	struct pgr_node *node;
	int mt;
	struct pgr_rand rand;
	uint64_t zone_pages;
	unsigned max_order;
	uint64_t now_ns; /* own clock when no device is registered */
	struct pgr_workload_stats st;
	int err; /* first -EIO seen */
	/* CHURN and FILL_FREE: every live block */
	struct wl_blocks live;
	/* FILL_FREE */
	bool filling;
	uint64_t held;
	/* BUILD */
	struct wl_build_job job[WL_BUILD_MAX_JOBS];
	struct wl_blocks ll; /* long-lived */
	uint64_t op;
};

extern const struct wl_ops pgr__wl_churn_ops, pgr__wl_build_ops,
	pgr__wl_fill_free_ops, pgr__wl_page_fault1_ops;

/* Allocate a block of @order; false on failure (counted). */
bool pgr__wl_alloc(struct pgr_workload *w, unsigned order, uint64_t *r_pfn);
/* Free a block the workload owns; -EIO (and w->err) if the zone refuses. */
int pgr__wl_free(struct pgr_workload *w, struct wl_block b);
bool pgr__wl_push(struct wl_blocks *v, uint64_t pfn, unsigned order);
/* Remove entry @i of @v (the last one takes its place) and free it. */
int pgr__wl_free_idx(struct pgr_workload *w, struct wl_blocks *v, size_t i);

#endif /* PGR_WORKLOAD_INTERNAL_H */
