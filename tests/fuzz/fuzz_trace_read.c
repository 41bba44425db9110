// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libFuzzer target: the trace readers on hostile files.  The input is
 * given to pgr_trace_read() (text, or binary when its first byte is the
 * binary magic's 0x89) on an empty trace and on one with events and a
 * zone: either it is accepted, and the trace's events are all valid
 * (pgr_trace_append() accepts each again) and survive a binary round
 * trip, or it is refused with a message and the trace is unchanged.  The
 * same input goes to the LLFree importer, with the same expectations.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_read(const uint8_t *data, size_t size, bool prefilled,
		       bool llfree)
{
	struct pgr_trace *t = pgr_trace_create(), *u;
	const struct pgr_trace_event keep = { 7, 0x1000, PGR_TRACE_ALLOC,
					      0, 1,	 0 };
	size_t before;
	FILE *f;
	int err;

	if (!t)
		abort();
	if (prefilled && (pgr_trace_set_zone(t, 0, "Z", 0x1000, 64) ||
			  pgr_trace_append(t, &keep)))
		abort();
	before = pgr_trace_nr_events(t);
	f = fmemopen((void *)data, size, "rb");
	if (!f) {
		pgr_trace_destroy(t);
		return;
	}
	err = llfree ? pgr_trace_import_llfree(t, f, NULL)
		     : pgr_trace_read(t, f);
	fclose(f);
	if (err) {
		/* refused: a message, nothing appended */
		if (!pgr_errmsg()[0] || pgr_trace_nr_events(t) != before)
			abort();
		pgr_trace_destroy(t);
		return;
	}
	u = pgr_trace_create();
	if (!u)
		abort();
	for (size_t i = 0; i < pgr_trace_nr_events(t); i++)
		if (pgr_trace_append(u, &pgr_trace_events(t)[i]))
			abort();
	/* binary round trip of what was accepted (48-bit pfns only) */
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		struct pgr_trace *v = pgr_trace_create();

		if (!m || !v)
			abort();
		if (!pgr_trace_write_binary(t, m)) {
			fclose(m);
			m = fmemopen(buf, len, "rb");
			if (!m || pgr_trace_read(v, m) ||
			    pgr_trace_nr_events(v) != pgr_trace_nr_events(t))
				abort();
		}
		fclose(m);
		free(buf);
		pgr_trace_destroy(v);
	}
	pgr_trace_destroy(u);
	pgr_trace_destroy(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_read(data, size, false, false);
	check_read(data, size, true, false);
	check_read(data, size, true, true);
	return 0;
}
