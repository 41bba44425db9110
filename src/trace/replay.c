// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Replay of a trace on the model, in two modes (include/pagereport/
 * trace.h): EXACT puts every block where the trace says (take_page_off_
 * buddy-like pgr_take_block), POLICY lets the model's __rmqueue choose and
 * maps each free to the allocation of the same trace pfn.  Models no
 * kernel file; it drives the public mm and reporting API only.
 *
 * The engine clock follows the trace's timestamps, in ticks, so a
 * registered strategy runs its delayed work when it would have on the
 * traced machine (the virtual clock runs it inside pgr_reporting_advance,
 * between two events, so no block a trace event names is ever isolated
 * for a report when the event is applied).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

#include "compiler.h"
#include "errmsg.h"
#include "trace/trace.h"

/* POLICY: trace pfn -> the model's block, open addressing. */
struct map_entry {
	uint64_t key; /* trace pfn + 1; 0 = empty */
	uint64_t pfn;
	uint8_t order, zone;
};

struct pgr_replay {
	struct pgr_node *node;
	struct pgr_replay_config cfg;
	struct pgr_zone *zones[PGR_MAX_ZONES];
	uint64_t zstart[PGR_MAX_ZONES], zend[PGR_MAX_ZONES];
	unsigned int nr_zones, last_zone;
	bool engine, started;
	uint64_t t0, base_ns, now_ns;
	struct pgr_replay_stats st;
	size_t index;
	struct map_entry *map;
	size_t map_mask, map_n;
};

static const char *const mode_names[] = { "exact", "policy" };

const char *pgr_replay_mode_name(enum pgr_replay_mode m)
{
	return (unsigned int)m <= PGR_REPLAY_POLICY ? mode_names[m] : "unknown";
}

int pgr_replay_mode_from_name(const char *name)
{
	if (!name)
		return pgr__error(EINVAL, "replay: NULL mode name");
	for (int m = 0; m <= PGR_REPLAY_POLICY; m++)
		if (!strcmp(name, mode_names[m]))
			return m;
	return pgr__error(EINVAL, "replay: unknown mode \"%s\" (exact, policy)",
			  name);
}

struct pgr_replay *pgr_replay_create(struct pgr_node *node,
				     const struct pgr_replay_config *cfg)
{
	static const struct pgr_replay_config defaults = { 0 };
	struct pgr_reporting_stats rs;
	struct pgr_replay *r;

	if (!cfg)
		cfg = &defaults;
	if (!node || (unsigned int)cfg->mode > PGR_REPLAY_POLICY ||
	    (cfg->policy_zone_set &&
	     (cfg->policy_zone < -1 ||
	      cfg->policy_zone >= (int)pgr_node_nr_zones(node)))) {
		pgr__error(EINVAL, "replay_create: NULL node, bad mode or bad "
				   "policy_zone");
		errno = EINVAL;
		return NULL;
	}
	/*
	 * A trace's buddy events already are what the kernel's per-CPU lists
	 * let through (zone_locked allocations, pcpu drains; see
	 * doc/trace-format.md): replayed on a model with lists of its own, a
	 * drained page would sit on a list a second time and the next
	 * allocation of it would conflict.
	 */
	for (unsigned int i = 0; i < pgr_node_nr_zones(node); i++) {
		struct pgr_zone_info info;

		if (!pgr_zone_get_info(pgr_node_zone(node, i), &info) &&
		    info.pcp_batch) {
			pgr__error(EINVAL,
				   "replay_create: zone %u has per-CPU lists "
				   "(6.1 profile or pcp = PGR_PCP_ON); a trace "
				   "replays on the buddy level: create the "
				   "node with pcp = PGR_PCP_OFF",
				   i);
			errno = EINVAL;
			return NULL;
		}
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		pgr__error(ENOMEM, "replay_create: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->node = node;
	r->cfg = *cfg;
	if (!r->cfg.tick_ns)
		r->cfg.tick_ns = 1000000;
	if (!r->cfg.policy_zone_set)
		r->cfg.policy_zone = -1;
	r->nr_zones = pgr_node_nr_zones(node);
	for (unsigned int i = 0; i < r->nr_zones; i++) {
		struct pgr_zone_info info;

		r->zones[i] = pgr_node_zone(node, i);
		pgr_zone_get_info(r->zones[i], &info);
		r->zstart[i] = info.start_pfn;
		r->zend[i] = info.start_pfn + info.nr_pages;
	}
	r->engine = pgr_reporting_get_stats(node, &rs) == 0;
	return r;
}

void pgr_replay_destroy(struct pgr_replay *r)
{
	if (!r)
		return;
	free(r->map);
	free(r);
}

/* Zone index of a block, or -1. */
static int zone_of(struct pgr_replay *r, const struct pgr_trace_event *ev)
{
	uint64_t end = ev->pfn + (1ULL << ev->order);
	unsigned int z = r->last_zone;

	if (ev->zone >= 0)
		return ev->zone < (int)r->nr_zones ? ev->zone : -1;
	if (ev->pfn >= r->zstart[z] && end <= r->zend[z])
		return (int)z;
	for (z = 0; z < r->nr_zones; z++)
		if (ev->pfn >= r->zstart[z] && end <= r->zend[z]) {
			r->last_zone = z;
			return (int)z;
		}
	return -1;
}

/* ---- the POLICY map ------------------------------------------------------ */

static size_t map_hash(uint64_t key, size_t mask)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & mask;
}

static int map_grow(struct pgr_replay *r)
{
	size_t cap = r->map ? (r->map_mask + 1) * 2 : 4096;
	struct map_entry *nm = calloc(cap, sizeof(*nm));

	if (!nm)
		return pgr__error(ENOMEM, "replay: out of memory for the map");
	if (r->map) {
		for (size_t i = 0; i <= r->map_mask; i++) {
			size_t j;

			if (!r->map[i].key)
				continue;
			j = map_hash(r->map[i].key, cap - 1);
			while (nm[j].key)
				j = (j + 1) & (cap - 1);
			nm[j] = r->map[i];
		}
		free(r->map);
	}
	r->map = nm;
	r->map_mask = cap - 1;
	return 0;
}

static struct map_entry *map_find(struct pgr_replay *r, uint64_t pfn)
{
	uint64_t key = pfn + 1;
	size_t i;

	if (!r->map)
		return NULL;
	for (i = map_hash(key, r->map_mask); r->map[i].key;
	     i = (i + 1) & r->map_mask)
		if (r->map[i].key == key)
			return &r->map[i];
	return NULL;
}

static int map_insert(struct pgr_replay *r, uint64_t pfn,
		      const struct map_entry *v)
{
	size_t i;
	int err;

	if ((!r->map || (r->map_n + 1) * 2 > r->map_mask + 1) &&
	    (err = map_grow(r)))
		return err;
	i = map_hash(pfn + 1, r->map_mask);
	while (r->map[i].key)
		i = (i + 1) & r->map_mask;
	r->map[i] = *v;
	r->map[i].key = pfn + 1;
	r->map_n++;
	return 0;
}

/* Backward-shift deletion keeps every probe chain intact. */
static void map_remove(struct pgr_replay *r, struct map_entry *e)
{
	size_t i = (size_t)(e - r->map), j = i;

	for (;;) {
		size_t k;

		j = (j + 1) & r->map_mask;
		if (!r->map[j].key)
			break;
		k = map_hash(r->map[j].key, r->map_mask);
		/* move j into the hole at i unless its home lies in (i, j] */
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && k <= i && k > j)) {
			r->map[i] = r->map[j];
			i = j;
		}
	}
	r->map[i].key = 0;
	r->map_n--;
}

/* ---- EXACT --------------------------------------------------------------- */

/* The block (head, info) containing @pfn. */
static bool containing_block(struct pgr_zone *z, uint64_t pfn,
			     unsigned int max_order, uint64_t *r_head,
			     struct pgr_page_info *r_info)
{
	for (unsigned int o = 0; o < max_order; o++) {
		uint64_t h = pfn & ~((1ULL << o) - 1);

		if (pgr_page_get_info(z, h, r_info))
			return false;
		if (r_info->state != PGR_PAGE_TAIL) {
			if (h + (1ULL << r_info->order) <= pfn)
				return false;
			*r_head = h;
			return true;
		}
	}
	return false;
}

/*
 * split_page(): the kernel frees part (@ev) of a high-order allocation
 * (@head, @order).  Free the whole block and take back every piece but
 * this one, from the largest down.
 */
static int split_free(struct pgr_zone *z, uint64_t head, unsigned int order,
		      const struct pgr_trace_event *ev)
{
	if (pgr_free_pages(z, head, order))
		return pgr__error(EIO, "replay: model refused to free "
				       "an allocated block");
	for (unsigned int k = order; k-- > ev->order;) {
		uint64_t sib = (ev->pfn & ~((1ULL << k) - 1)) ^ (1ULL << k);

		if (pgr_take_block(z, sib, k))
			return pgr__error(EIO,
					  "replay: could not re-take %#llx/%u "
					  "after a partial free",
					  (unsigned long long)sib, k);
	}
	return 0;
}

static int exact_free(struct pgr_replay *r, struct pgr_zone *z,
		      const struct pgr_trace_event *ev)
{
	struct pgr_page_info info;
	uint64_t head;

	if (!pgr_free_pages(z, ev->pfn, ev->order)) {
		r->st.frees++;
		return 0;
	}
	if (!containing_block(z, ev->pfn, PGR_MAX_ORDER_LIMIT, &head, &info)) {
		r->st.free_conflicts++;
		return 0;
	}
	if (info.state == PGR_PAGE_FREE &&
	    head + (1ULL << info.order) >= ev->pfn + (1ULL << ev->order)) {
		/* allocated before the trace began, as far as we know */
		r->st.free_unestablished++;
		return 0;
	}
	if (info.state == PGR_PAGE_ALLOCATED && info.order > ev->order) {
		int err = split_free(z, head, info.order, ev);

		if (err)
			return err;
		r->st.partial_frees++;
		r->st.frees++;
		return 0;
	}
	r->st.free_conflicts++;
	return 0;
}

/*
 * repair: the kernel took this block from its free lists, so it was free
 * there; free whatever the model still has allocated inside it (frees the
 * trace did not show).  Return 0 if the range is now free, 1 if not
 * (isolated pages, or no block found), or -EIO.
 */
static int exact_repair(struct pgr_zone *z, const struct pgr_trace_event *ev)
{
	uint64_t p = ev->pfn, end = ev->pfn + (1ULL << ev->order);

	while (p < end) {
		struct pgr_page_info info;
		uint64_t head, bend;

		if (!containing_block(z, p, PGR_MAX_ORDER_LIMIT, &head, &info))
			return 1;
		bend = head + (1ULL << info.order);
		if (info.state == PGR_PAGE_FREE) {
			p = bend;
		} else if (info.state != PGR_PAGE_ALLOCATED) {
			return 1;
		} else if (head >= ev->pfn && bend <= end) {
			if (pgr_free_pages(z, head, info.order))
				return pgr__error(EIO, "replay: model refused "
						       "to free an allocated "
						       "block");
			p = bend;
		} else {
			/* one larger allocated block holds the whole range */
			return split_free(z, head, info.order, ev);
		}
	}
	return 0;
}

static int exact_event(struct pgr_replay *r, struct pgr_zone *z,
		       const struct pgr_trace_event *ev)
{
	int err;

	if (ev->op == PGR_TRACE_FREE)
		return exact_free(r, z, ev);
	err = pgr_take_block(z, ev->pfn, ev->order);
	if (err == -EBUSY && r->cfg.repair) {
		err = exact_repair(z, ev);
		if (err < 0)
			return err;
		err = err ? -EBUSY : pgr_take_block(z, ev->pfn, ev->order);
		if (!err)
			r->st.alloc_repaired++;
	}
	if (!err)
		r->st.allocs++;
	else if (err == -EBUSY)
		r->st.alloc_conflicts++;
	else
		r->st.outside++;
	return 0;
}

/* ---- POLICY -------------------------------------------------------------- */

static int policy_free(struct pgr_replay *r, struct map_entry *e)
{
	if (pgr_free_pages(r->zones[e->zone], e->pfn, e->order))
		return pgr__error(EIO,
				  "replay: model refused to free its own "
				  "block %#llx/%u",
				  (unsigned long long)e->pfn, e->order);
	map_remove(r, e);
	return 0;
}

static int policy_event(struct pgr_replay *r, int zi,
			const struct pgr_trace_event *ev)
{
	struct map_entry *e = map_find(r, ev->pfn), v;
	int mt = ev->migratetype, err;

	if (ev->op == PGR_TRACE_FREE) {
		if (!e) {
			r->st.free_unmatched++;
			return 0;
		}
		if (e->order != ev->order)
			r->st.order_mismatch++;
		err = policy_free(r, e);
		if (!err)
			r->st.frees++;
		return err;
	}
	if (e) {
		/* the trace missed a free: the old block cannot be live */
		r->st.realloc_live++;
		err = policy_free(r, e);
		if (err)
			return err;
	}
	if (mt < 0 || mt > PGR_MIGRATE_HIGHATOMIC)
		mt = PGR_MIGRATE_MOVABLE;
	if (ev->order >= PGR_MAX_ORDER_LIMIT ||
	    pgr_alloc_pages(r->zones[zi], ev->order, (enum pgr_migratetype)mt,
			    0, &v.pfn)) {
		r->st.alloc_failures++;
		return 0;
	}
	v.order = ev->order;
	v.zone = (uint8_t)zi;
	err = map_insert(r, ev->pfn, &v);
	if (err) {
		pgr_free_pages(r->zones[zi], v.pfn, v.order);
		return err;
	}
	r->st.allocs++;
	return 0;
}

/* ---- the clock ----------------------------------------------------------- */

static int follow_clock(struct pgr_replay *r, uint64_t t)
{
	uint64_t target;
	int err;

	if (!r->started) {
		r->started = true;
		r->t0 = t;
		r->base_ns = r->now_ns = pgr_reporting_now(r->node);
		return 0;
	}
	if (t <= r->t0)
		return 0;
	target = r->base_ns + (t - r->t0) / r->cfg.tick_ns * r->cfg.tick_ns;
	if (target <= r->now_ns)
		return 0;
	err = pgr_reporting_advance(r->node, target - r->now_ns);
	if (err)
		return err;
	r->st.clock_ns += target - r->now_ns;
	r->now_ns = target;
	return 0;
}

int pgr_replay_event(struct pgr_replay *r, const struct pgr_trace_event *ev)
{
	int zi, err;

	if (!r || !ev)
		return pgr__error(EINVAL, "replay_event: NULL argument");
	if (unlikely(ev->op > PGR_TRACE_FREE ||
		     ev->order >= PGR_MAX_ORDER_LIMIT))
		return pgr__error(EINVAL, "replay_event: bad op or order");
	if (r->engine && (err = follow_clock(r, ev->time_ns)))
		return err;
	r->st.events++;
	zi = zone_of(r, ev);
	if (zi < 0 && r->cfg.mode == PGR_REPLAY_POLICY)
		zi = r->cfg.policy_zone;
	if (zi < 0) {
		r->st.outside++;
		err = 0;
	} else if (r->cfg.mode == PGR_REPLAY_EXACT) {
		err = exact_event(r, r->zones[zi], ev);
	} else {
		err = policy_event(r, zi, ev);
	}
	if (!err && r->cfg.after_event)
		err = r->cfg.after_event(r->cfg.arg, r->index, ev);
	r->index++;
	return err;
}

int pgr_replay_run(struct pgr_replay *r, const struct pgr_trace *t)
{
	if (!r || !t)
		return pgr__error(EINVAL, "replay_run: NULL argument");
	for (size_t i = 0; i < t->n; i++) {
		int err = pgr_replay_event(r, &t->ev[i]);

		if (err)
			return err;
	}
	return 0;
}

int pgr_replay_get_stats(const struct pgr_replay *r,
			 struct pgr_replay_stats *r_stats)
{
	if (!r || !r_stats)
		return pgr__error(EINVAL, "replay_get_stats: NULL argument");
	*r_stats = r->st;
	return 0;
}
