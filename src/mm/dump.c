// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A buddyinfo-style dump of the model's free lists, in the layout of
 * Linux's /proc/buddyinfo (mm/vmstat.c frag_show_print: "Node %d, zone
 * %8s" then "%6lu " per order) and, optionally, /proc/pagetypeinfo's
 * per-migratetype rows, so a model state and a kernel's can be compared
 * with diff or the same script.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include <pagereport/pagereport.h>

#include "errmsg.h"

static const char *const mt_names[PGR_MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate",
};

int pgr_zone_dump(struct pgr_zone *zone, unsigned int nid, FILE *f,
		  unsigned int flags)
{
	struct pgr_zone_info info;
	int err;

	if (!zone || !f)
		return pgr__error(EINVAL, "zone_dump: NULL argument");
	if (flags & ~PGR_DUMP_MIGRATETYPES)
		return pgr__error(EINVAL, "zone_dump: unknown flags %#x",
				  flags);
	err = pgr_zone_get_info(zone, &info);
	if (err)
		return err;
	fprintf(f, "Node %u, zone %8s ", nid, info.name);
	for (unsigned int o = 0; o < info.max_order; o++)
		fprintf(f, "%6llu ", (unsigned long long)info.nr_free[o]);
	fputc('\n', f);
	if (flags & PGR_DUMP_MIGRATETYPES)
		for (unsigned int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			fprintf(f, "Node %4u, zone %8s, type %12s ", nid,
				info.name, mt_names[mt]);
			for (unsigned int o = 0; o < info.max_order; o++)
				fprintf(f, "%6llu ",
					(unsigned long long)
						info.nr_free_mt[o][mt]);
			fputc('\n', f);
		}
	/* with per-CPU lists (6.1): what they hold, not free in buddyinfo */
	if (info.pcp_batch)
		fprintf(f,
			"Node %u, zone %8s pcp pages %llu high_pages %llu "
			"drains %llu drain_all %llu batch %u high %u\n",
			nid, info.name, (unsigned long long)info.pcp_pages,
			(unsigned long long)info.pcp_high_pages,
			(unsigned long long)info.pcp_drains,
			(unsigned long long)info.pcp_drain_all, info.pcp_batch,
			info.pcp_high);
	return ferror(f) ? pgr__error(EIO, "zone_dump: write error") : 0;
}

int pgr_node_dump(struct pgr_node *node, unsigned int nid, FILE *f,
		  unsigned int flags)
{
	if (!node || !f)
		return pgr__error(EINVAL, "node_dump: NULL argument");
	for (unsigned int i = 0; i < pgr_node_nr_zones(node); i++) {
		int err = pgr_zone_dump(pgr_node_zone(node, i), nid, f, flags);

		if (err)
			return err;
	}
	return 0;
}
