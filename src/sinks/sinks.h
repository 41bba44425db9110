/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals shared by the sinks (src/sinks): the guest RAM layout the
 * memory sink discards into.  Not installed.
 */
#ifndef PGR_SINKS_H
#define PGR_SINKS_H

#include <stddef.h>
#include <stdint.h>

#include <pagereport/sink.h>

struct pgr_guest_ram {
	int fd;	    /* memfd "pagereport-guest" */
	void *base; /* mapping of the whole span */
	uint64_t base_pfn;
	uint64_t nr_pages;
	uint64_t size; /* bytes */
};

/*
 * report()'s argument checks: @sink and @ranges non-NULL, 1..capacity
 * ranges, each naturally aligned, order < PGR_MAX_ORDER_LIMIT and inside
 * [base_pfn, base_pfn + nr_pages).  Returns 0 or -EINVAL with a message.
 */
int pgr__sink_check_ranges(const struct pgr_sink *sink,
			   const struct pgr_range *ranges, unsigned int n,
			   uint64_t base_pfn, uint64_t nr_pages);

int pgr__guest_ram_discard(struct pgr_guest_ram *ram, uint64_t pfn,
			   unsigned int order, enum pgr_discard_method m);

#endif /* PGR_SINKS_H */
