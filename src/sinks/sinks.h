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

int pgr__guest_ram_discard(struct pgr_guest_ram *ram, uint64_t pfn,
			   unsigned int order, enum pgr_discard_method m);

#endif /* PGR_SINKS_H */
