// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Pages a dead device may still discard.  No kernel counterpart: Linux's
 * virtballoon_free_page_report() waits for the ack forever, so its pages
 * never come back early.  Here a sink may give up; when it cannot make its
 * host stop first it returns PGR_SINK_HELD (-EOWNERDEAD) and the batch is
 * kept isolated for good instead of drained: the pages stay PG_isolated,
 * owned by ISOLATED_BY_DEAD_DEVICE (so pgr_putback_isolated_page refuses
 * them too), and are counted in pgr_reporting_stats.pages_held.  Losing
 * memory to the device is the price; handing out memory the host may zero
 * later would lose data.
 */
#include "config.h"
#include "debug.h"

#include "reporting/device.h"

/* Keep the batch [lo, hi) isolated and empty it; zone lock held. */
void pgr__rep_hold_batch(struct pgr_reporting *rep)
{
	struct pgr_batch *b = &rep->batch;
	struct zone *z = b->zone;

	for (unsigned int i = b->lo; i < b->hi; i++) {
		struct page *p = id_page(z, b->ids[i]);

		PGR_BUG_ON(!(p->flags & PG_isolated));
		p->index = ISOLATED_BY_DEAD_DEVICE;
		rep->w.pages_held += 1ULL << b->ranges[i].order;
	}
	b->lo = b->hi = PGR_BATCH_MID;
	b->accepted = false;
	b->held = false;
	pgr__batch_set_zone(b, NULL);
}
