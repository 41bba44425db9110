// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Argument checks shared by the built-in sinks' report(): the engine
 * always passes good batches, but report() is public (any caller may call
 * sink->ops->report directly), so bad input is an -EINVAL with a message,
 * never a crash.  No kernel counterpart (page_reporting trusts itself).
 */
#include "config.h"
#include "errmsg.h"

#include "sinks/sinks.h"

int pgr__sink_check_ranges(const struct pgr_sink *sink,
			   const struct pgr_range *ranges, unsigned int n,
			   uint64_t base_pfn, uint64_t nr_pages)
{
	const char *name =
		sink && sink->ops && sink->ops->name ? sink->ops->name : "sink";

	if (!sink)
		return pgr__error(EINVAL, "report: NULL sink");
	if (!ranges)
		return pgr__error(EINVAL, "%s: report: NULL ranges", name);
	if (n == 0 || n > sink->capacity)
		return pgr__error(EINVAL, "%s: report: %u ranges, not 1..%u",
				  name, n, sink->capacity);
	for (unsigned int i = 0; i < n; i++) {
		const struct pgr_range *r = &ranges[i];
		uint64_t pages;

		if (r->order >= PGR_MAX_ORDER_LIMIT)
			return pgr__error(EINVAL,
					  "%s: report: range %u order %u too "
					  "large",
					  name, i, r->order);
		pages = 1ULL << r->order;
		if (r->pfn & (pages - 1))
			return pgr__error(EINVAL,
					  "%s: report: range %u pfn %llu not "
					  "aligned to order %u",
					  name, i, (unsigned long long)r->pfn,
					  r->order);
		if (r->pfn < base_pfn || r->pfn - base_pfn >= nr_pages ||
		    pages > nr_pages - (r->pfn - base_pfn))
			return pgr__error(EINVAL,
					  "%s: report: range %u pfn %llu order "
					  "%u outside guest RAM",
					  name, i, (unsigned long long)r->pfn,
					  r->order);
	}
	return 0;
}
