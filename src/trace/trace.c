// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Traces: the event array, the geometry and the recorder.  Models no
 * kernel file; an event is what include/trace/events/kmem.h's page events
 * say about the buddy allocator (pfn, order, migratetype), plus a time.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "errmsg.h"
#include "trace/trace.h"

struct pgr_trace *pgr_trace_create(void)
{
	struct pgr_trace *t = calloc(1, sizeof(*t));

	if (!t) {
		pgr__error(ENOMEM, "trace_create: out of memory");
		errno = ENOMEM;
	}
	return t;
}

void pgr_trace_destroy(struct pgr_trace *t)
{
	if (!t)
		return;
	free(t->ev);
	free(t);
}

int pgr__trace_reserve(struct pgr_trace *t, size_t more)
{
	size_t cap = t->cap ? t->cap : 1024;
	struct pgr_trace_event *nv;

	if (t->n + more <= t->cap)
		return 0;
	while (cap < t->n + more) {
		if (cap > SIZE_MAX / 2 / sizeof(*nv))
			return pgr__error(ENOMEM, "trace: too many events");
		cap *= 2;
	}
	nv = realloc(t->ev, cap * sizeof(*nv));
	if (!nv)
		return pgr__error(ENOMEM, "trace: out of memory for %zu events",
				  cap);
	t->ev = nv;
	t->cap = cap;
	return 0;
}

int pgr__trace_event_check(const struct pgr_trace_event *ev)
{
	if (ev->op > PGR_TRACE_FREE)
		return pgr__error(EINVAL, "trace: bad op %u", ev->op);
	if (ev->order >= PGR_MAX_ORDER_LIMIT)
		return pgr__error(EINVAL, "trace: order %u >= %u", ev->order,
				  PGR_MAX_ORDER_LIMIT);
	if (ev->pfn & ((1ULL << ev->order) - 1))
		return pgr__error(EINVAL,
				  "trace: pfn %#llx not aligned to order %u",
				  (unsigned long long)ev->pfn, ev->order);
	if (ev->migratetype < PGR_TRACE_UNKNOWN ||
	    ev->migratetype >= PGR_MIGRATE_TYPES)
		return pgr__error(EINVAL, "trace: bad migratetype %d",
				  ev->migratetype);
	if (ev->zone < PGR_TRACE_UNKNOWN || ev->zone >= PGR_MAX_ZONES)
		return pgr__error(EINVAL, "trace: bad zone %d", ev->zone);
	return 0;
}

int pgr_trace_append(struct pgr_trace *t, const struct pgr_trace_event *ev)
{
	int err;

	if (!t || !ev)
		return pgr__error(EINVAL, "trace_append: NULL argument");
	err = pgr__trace_event_check(ev);
	if (err)
		return err;
	if (unlikely(t->n == t->cap) && (err = pgr__trace_reserve(t, 1)))
		return err;
	t->ev[t->n++] = *ev;
	return 0;
}

size_t pgr_trace_nr_events(const struct pgr_trace *t)
{
	return t ? t->n : 0;
}

const struct pgr_trace_event *pgr_trace_events(const struct pgr_trace *t)
{
	return t && t->n ? t->ev : NULL;
}

int pgr_trace_clear(struct pgr_trace *t)
{
	if (!t)
		return pgr__error(EINVAL, "trace_clear: NULL trace");
	t->n = 0;
	memset(t->zones, 0, sizeof(t->zones));
	return 0;
}

int pgr_trace_set_zone(struct pgr_trace *t, unsigned int idx, const char *name,
		       uint64_t start_pfn, uint64_t nr_pages)
{
	size_t len;

	if (!t || !name)
		return pgr__error(EINVAL, "trace_set_zone: NULL argument");
	if (idx >= PGR_MAX_ZONES)
		return pgr__error(EINVAL, "trace_set_zone: zone %u >= %d", idx,
				  PGR_MAX_ZONES);
	len = strlen(name);
	if (!len || len > 15 || strpbrk(name, " \t\r\n"))
		return pgr__error(EINVAL, "trace_set_zone: name must be 1..15 "
					  "characters without blanks");
	if (!nr_pages || nr_pages >= UINT32_MAX - 1024 ||
	    start_pfn > UINT64_MAX - nr_pages)
		return pgr__error(EINVAL, "trace_set_zone: bad size %llu",
				  (unsigned long long)nr_pages);
	t->zones[idx].set = true;
	memcpy(t->zones[idx].name, name, len + 1);
	t->zones[idx].start_pfn = start_pfn;
	t->zones[idx].nr_pages = nr_pages;
	return 0;
}

int pgr_trace_node_config(const struct pgr_trace *t,
			  struct pgr_node_config *r_cfg)
{
	unsigned int n = 0;

	if (!t || !r_cfg)
		return pgr__error(EINVAL, "trace_node_config: NULL argument");
	while (n < PGR_MAX_ZONES && t->zones[n].set)
		n++;
	for (unsigned int i = n; i < PGR_MAX_ZONES; i++)
		if (t->zones[i].set)
			return pgr__error(ENOENT,
					  "trace_node_config: zone %u set but "
					  "zone %u is not",
					  i, n);
	if (!n)
		return pgr__error(ENOENT, "trace_node_config: no geometry");
	memset(r_cfg, 0, sizeof(*r_cfg));
	r_cfg->nr_zones = n;
	for (unsigned int i = 0; i < n; i++) {
		r_cfg->zones[i].name = t->zones[i].name;
		r_cfg->zones[i].start_pfn = t->zones[i].start_pfn;
		r_cfg->zones[i].nr_pages = t->zones[i].nr_pages;
	}
	return 0;
}

int pgr_trace_record(struct pgr_trace *t, struct pgr_zone *zone,
		     uint64_t time_ns, enum pgr_trace_op op, uint64_t pfn,
		     unsigned int order, int migratetype)
{
	struct pgr_trace_event ev = {
		.time_ns = time_ns,
		.pfn = pfn,
		.op = (uint8_t)op,
		.order = (uint8_t)order,
		.migratetype = (int8_t)migratetype,
		.zone = PGR_TRACE_UNKNOWN,
	};
	struct pgr_node *node;

	if (!t || !zone)
		return pgr__error(EINVAL, "trace_record: NULL argument");
	if ((unsigned int)op > PGR_TRACE_FREE || order >= PGR_MAX_ORDER_LIMIT ||
	    migratetype < PGR_TRACE_UNKNOWN || migratetype >= PGR_MIGRATE_TYPES)
		return pgr__error(EINVAL,
				  "trace_record: bad op %d, order %u or "
				  "migratetype %d",
				  (int)op, order, migratetype);
	node = pgr_zone_node(zone);
	for (unsigned int i = 0; i < pgr_node_nr_zones(node); i++)
		if (pgr_node_zone(node, i) == zone)
			ev.zone = (int8_t)i;
	/* the first event of a zone records its geometry, so a recorded
	 * run replays onto an identical node */
	if (ev.zone >= 0 && !t->zones[ev.zone].set) {
		struct pgr_zone_info info;
		int err = pgr_zone_get_info(zone, &info);

		if (!err)
			err = pgr_trace_set_zone(t, (unsigned int)ev.zone,
						 info.name, info.start_pfn,
						 info.nr_pages);
		if (err)
			return err;
	}
	return pgr_trace_append(t, &ev);
}
