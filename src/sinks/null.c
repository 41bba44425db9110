// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The null sink: a reporting device whose report() accepts every batch and
 * does nothing with it, like a virtio-balloon device whose host ignores the
 * reporting queue.  Also holds pgr_sink_destroy, common to all sinks.
 */
#include "config.h"

#include <stdlib.h>

#include "errmsg.h"
#include "sinks/sinks.h"

void pgr_sink_destroy(struct pgr_sink *sink)
{
	if (sink && sink->ops && sink->ops->destroy)
		sink->ops->destroy(sink);
}

static int null_report(struct pgr_sink *sink, const struct pgr_range *ranges,
		       unsigned int n)
{
	return pgr__sink_check_ranges(sink, ranges, n, 0, UINT64_MAX);
}

static void null_destroy(struct pgr_sink *sink)
{
	free(sink);
}

static const struct pgr_sink_ops null_ops = {
	.name = "null",
	.report = null_report,
	.destroy = null_destroy,
};

struct pgr_sink *pgr_sink_null_create(unsigned int capacity)
{
	struct pgr_sink *sink;

	if (capacity == 0 || capacity > PGR_REPORTING_CAPACITY) {
		pgr__error(EINVAL, "null sink: capacity %u not 1..%u", capacity,
			   PGR_REPORTING_CAPACITY);
		errno = EINVAL;
		return NULL;
	}
	sink = calloc(1, sizeof(*sink));
	if (!sink) {
		pgr__error(ENOMEM, "null sink: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	sink->ops = &null_ops;
	sink->capacity = capacity;
	return sink;
}
