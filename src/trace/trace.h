/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal layout of a trace (include/pagereport/trace.h): a growable
 * array of events and the optional node geometry.  Models no kernel file.
 */
#ifndef PGR_TRACE_INTERNAL_H
#define PGR_TRACE_INTERNAL_H

#include <pagereport/trace.h>

struct trace_zone {
	bool set;
	char name[16];
	uint64_t start_pfn, nr_pages;
};

struct pgr_trace {
	struct pgr_trace_event *ev;
	size_t n, cap;
	struct trace_zone zones[PGR_MAX_ZONES];
};

/* Make room for @more events; 0 or -ENOMEM. */
int pgr__trace_reserve(struct pgr_trace *t, size_t more);
/* Validate one event; 0 or a pgr__error naming the field. */
int pgr__trace_event_check(const struct pgr_trace_event *ev);

/* src/trace/binary.c: the binary format's first byte; its reader. */
bool pgr__trace_is_binary(int first_byte);
int pgr__trace_read_binary(struct pgr_trace *t, FILE *f);

/* "mm_page_alloc" etc. for an enum pgr_kmem_event. */
const char *pgr__kmem_event_name(int e);

#endif /* PGR_TRACE_INTERNAL_H */
