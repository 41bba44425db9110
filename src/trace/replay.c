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
#include <sys/mman.h>

#include <pagereport/pagereport.h>

#include "compiler.h"
#include "errmsg.h"
#include "mm/internal.h"
#include "trace/trace.h"

/* POLICY, trace pfns in no zone: trace pfn -> the model's block. */
struct map_entry {
	uint64_t key; /* trace pfn + 1; 0 = empty */
	uint64_t pfn;
	uint8_t order, zone;
};

/*
 * POLICY, trace pfns inside a zone: one slot per page of the zone, indexed
 * by the trace pfn (mapped on demand: only what the trace touches costs
 * memory).  0 = no block; else the model's block of that allocation.
 */
#define SLOT_LIVE	 (1ULL << 63)
#define SLOT_ORDER_SHIFT 32
#define SLOT_ZONE_SHIFT	 40

struct pgr_replay {
	struct pgr_node *node;
	struct pgr_replay_config cfg;
	struct pgr_zone *zones[PGR_MAX_ZONES];
	struct zone *mz[PGR_MAX_ZONES];
	uint64_t zstart[PGR_MAX_ZONES], zend[PGR_MAX_ZONES];
	unsigned int nr_zones, last_zone, slot_zone;
	bool engine, started;
	/* the clock: advance when the time since t0 reaches next_off */
	uint64_t t0, base_ns, now_ns, next_off;
	struct pgr_replay_stats st;
	size_t index;
	uint64_t *slots[PGR_MAX_ZONES];
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
		r->mz[i] = (struct zone *)r->zones[i];
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
	for (unsigned int i = 0; i < r->nr_zones; i++)
		if (r->slots[i])
			munmap(r->slots[i],
			       (r->zend[i] - r->zstart[i]) * sizeof(uint64_t));
	free(r->map);
	free(r);
}

/* Zone index of a block, or -1. */
static inline int zone_of(struct pgr_replay *r,
			  const struct pgr_trace_event *ev)
{
	uint64_t end = ev->pfn + (1ULL << ev->order);
	unsigned int z = r->last_zone;

	if (ev->zone >= 0)
		return ev->zone < (int)r->nr_zones ? ev->zone : -1;
	if (likely(ev->pfn >= r->zstart[z] && end <= r->zend[z]))
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

/* The slots of zone @z, mapped on first use; NULL if no memory. */
static __attribute__((noinline)) uint64_t *slots_map(struct pgr_replay *r,
						     unsigned int z)
{
	void *m = mmap(NULL, (r->zend[z] - r->zstart[z]) * sizeof(uint64_t),
		       PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	r->slots[z] = m;
	return m;
}

/*
 * The slot of trace pfn @pfn: by the pfn alone (the zone whose span holds
 * it), so that a key means what the hash map's did.  NULL: the pfn is in
 * no zone (the map holds it), or no memory (*r_err).
 */
static inline uint64_t *slot_of(struct pgr_replay *r, uint64_t pfn, int *r_err)
{
	unsigned int z = r->slot_zone;
	uint64_t *s;

	if (unlikely(pfn - r->zstart[z] >= r->zend[z] - r->zstart[z])) {
		for (z = 0; z < r->nr_zones; z++)
			if (pfn - r->zstart[z] < r->zend[z] - r->zstart[z])
				break;
		if (z == r->nr_zones)
			return NULL;
		r->slot_zone = z;
	}
	s = r->slots[z];
	if (unlikely(!s) && !(s = slots_map(r, z))) {
		*r_err = pgr__error(ENOMEM, "replay: out of memory for the "
					    "policy index");
		return NULL;
	}
	return &s[pfn - r->zstart[z]];
}

/* ---- EXACT --------------------------------------------------------------- */

/*
 * split_page(): the kernel frees part (@ev) of a high-order allocation
 * (@head, @order).  Free the whole block and take back every piece but
 * this one, from the largest down.
 */
static int split_free(struct zone *z, uint64_t head, unsigned int order,
		      const struct pgr_trace_event *ev)
{
	if (pgr__free_pages_quiet(z, head, order))
		return pgr__error(EIO, "replay: model refused to free "
				       "an allocated block");
	for (unsigned int k = order; k-- > ev->order;) {
		uint64_t sib = (ev->pfn & ~((1ULL << k) - 1)) ^ (1ULL << k);

		if (pgr__take_block(z, sib, k))
			return pgr__error(EIO,
					  "replay: could not re-take %#llx/%u "
					  "after a partial free",
					  (unsigned long long)sib, k);
	}
	return 0;
}

/* A free the model refused: what the trace and the model disagree on. */
static __attribute__((noinline)) int
exact_free_failed(struct pgr_replay *r, struct zone *z,
		  const struct pgr_trace_event *ev)
{
	uint64_t head;
	unsigned int order;
	int state = pgr__block_at(z, ev->pfn, &head, &order);

	if (state < 0) {
		r->st.free_conflicts++;
		return 0;
	}
	if (state == PGR_PAGE_FREE &&
	    head + (1ULL << order) >= ev->pfn + (1ULL << ev->order)) {
		/* allocated before the trace began, as far as we know */
		r->st.free_unestablished++;
		return 0;
	}
	if (state == PGR_PAGE_ALLOCATED && order > ev->order) {
		int err = split_free(z, head, order, ev);

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
static int exact_repair(struct zone *z, const struct pgr_trace_event *ev)
{
	uint64_t p = ev->pfn, end = ev->pfn + (1ULL << ev->order);

	while (p < end) {
		uint64_t head, bend;
		unsigned int order;
		int state = pgr__block_at(z, p, &head, &order);

		if (state < 0)
			return 1;
		bend = head + (1ULL << order);
		if (state == PGR_PAGE_FREE) {
			p = bend;
		} else if (state != PGR_PAGE_ALLOCATED) {
			return 1;
		} else if (head >= ev->pfn && bend <= end) {
			if (pgr__free_pages_quiet(z, head, order))
				return pgr__error(EIO, "replay: model refused "
						       "to free an allocated "
						       "block");
			p = bend;
		} else {
			/* one larger allocated block holds the whole range */
			return split_free(z, head, order, ev);
		}
	}
	return 0;
}

/* An alloc the model refused (@err): repair, or count why. */
static __attribute__((noinline)) int
exact_alloc_failed(struct pgr_replay *r, struct zone *z,
		   const struct pgr_trace_event *ev, int err)
{
	if (err == -EBUSY && r->cfg.repair) {
		err = exact_repair(z, ev);
		if (err < 0)
			return err;
		err = err ? -EBUSY : pgr__take_block(z, ev->pfn, ev->order);
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

static inline __attribute__((always_inline)) int
exact_event(struct pgr_replay *r, struct zone *z,
	    const struct pgr_trace_event *ev)
{
	int err;

	if (ev->op == PGR_TRACE_FREE) {
		if (likely(!pgr__free_pages_quiet(z, ev->pfn, ev->order))) {
			r->st.frees++;
			return 0;
		}
		return exact_free_failed(r, z, ev);
	}
	err = pgr__take_block(z, ev->pfn, ev->order);
	if (likely(!err)) {
		r->st.allocs++;
		return 0;
	}
	return exact_alloc_failed(r, z, ev, err);
}

/* ---- POLICY -------------------------------------------------------------- */

static inline uint64_t slot_value(uint64_t pfn, unsigned int order,
				  unsigned int zi, const struct pgr_replay *r)
{
	return SLOT_LIVE | (uint64_t)zi << SLOT_ZONE_SHIFT |
	       (uint64_t)order << SLOT_ORDER_SHIFT | (pfn - r->zstart[zi]);
}

/* Free the model's block a slot or map entry names; 0 or -EIO. */
static int policy_free_block(struct pgr_replay *r, unsigned int zi,
			     uint64_t pfn, unsigned int order)
{
	if (pgr__free_pages_quiet(r->mz[zi], pfn, order))
		return pgr__error(EIO,
				  "replay: model refused to free its own "
				  "block %#llx/%u",
				  (unsigned long long)pfn, order);
	return 0;
}

static inline int policy_free_slot(struct pgr_replay *r, uint64_t *slot)
{
	const uint64_t v = *slot;
	const unsigned int zi = (v >> SLOT_ZONE_SHIFT) & 3;
	const unsigned int order = (v >> SLOT_ORDER_SHIFT) & 0xf;
	int err = policy_free_block(r, zi, r->zstart[zi] + (uint32_t)v, order);

	if (!err)
		*slot = 0;
	return err;
}

/* mt for the model: the trace's, or MOVABLE when unknown or special. */
static inline int policy_mt(const struct pgr_trace_event *ev)
{
	int mt = ev->migratetype;

	return (mt < 0 || mt > PGR_MIGRATE_HIGHATOMIC) ? PGR_MIGRATE_MOVABLE
						       : mt;
}

/* An event whose trace pfn is in no zone: the hash map. */
static __attribute__((noinline)) int
policy_event_map(struct pgr_replay *r, int zi, const struct pgr_trace_event *ev)
{
	struct map_entry *e = map_find(r, ev->pfn), v;
	int err;

	if (ev->op == PGR_TRACE_FREE) {
		if (!e) {
			r->st.free_unmatched++;
			return 0;
		}
		if (e->order != ev->order)
			r->st.order_mismatch++;
		err = policy_free_block(r, e->zone, e->pfn, e->order);
		if (err)
			return err;
		map_remove(r, e);
		r->st.frees++;
		return 0;
	}
	if (e) {
		/* the trace missed a free: the old block cannot be live */
		r->st.realloc_live++;
		err = policy_free_block(r, e->zone, e->pfn, e->order);
		if (err)
			return err;
		map_remove(r, e);
	}
	if (ev->order >= PGR_MAX_ORDER_LIMIT ||
	    ev->order >= r->mz[zi]->node->max_order ||
	    pgr__alloc_pages_quiet(r->mz[zi], ev->order, policy_mt(ev),
				   &v.pfn)) {
		r->st.alloc_failures++;
		return 0;
	}
	v.order = ev->order;
	v.zone = (uint8_t)zi;
	err = map_insert(r, ev->pfn, &v);
	if (err) {
		pgr__free_pages_quiet(r->mz[zi], v.pfn, v.order);
		return err;
	}
	r->st.allocs++;
	return 0;
}

static inline __attribute__((always_inline)) int
policy_event(struct pgr_replay *r, int zi, const struct pgr_trace_event *ev)
{
	int err = 0;
	uint64_t *slot = slot_of(r, ev->pfn, &err), pfn;

	if (unlikely(!slot))
		return err ? err : policy_event_map(r, zi, ev);
	if (ev->op == PGR_TRACE_FREE) {
		if (unlikely(!*slot)) {
			r->st.free_unmatched++;
			return 0;
		}
		if (unlikely(((*slot >> SLOT_ORDER_SHIFT) & 0xf) != ev->order))
			r->st.order_mismatch++;
		err = policy_free_slot(r, slot);
		if (likely(!err))
			r->st.frees++;
		return err;
	}
	if (unlikely(*slot)) {
		/* the trace missed a free: the old block cannot be live */
		r->st.realloc_live++;
		err = policy_free_slot(r, slot);
		if (err)
			return err;
	}
	if (unlikely(ev->order >= r->mz[zi]->node->max_order) ||
	    pgr__alloc_pages_quiet(r->mz[zi], ev->order, policy_mt(ev), &pfn)) {
		r->st.alloc_failures++;
		return 0;
	}
	*slot = slot_value(pfn, ev->order, (unsigned int)zi, r);
	r->st.allocs++;
	return 0;
}

/* ---- the clock ----------------------------------------------------------- */

static __attribute__((noinline)) int follow_clock_slow(struct pgr_replay *r,
						       uint64_t t)
{
	uint64_t target;
	int err;

	if (!r->started) {
		r->started = true;
		r->t0 = t;
		r->base_ns = r->now_ns = pgr_reporting_now(r->node);
		r->next_off = r->cfg.tick_ns;
		return 0;
	}
	target = r->base_ns + (t - r->t0) / r->cfg.tick_ns * r->cfg.tick_ns;
	if (target <= r->now_ns)
		return 0;
	err = pgr_reporting_advance(r->node, target - r->now_ns);
	if (err)
		return err;
	r->st.clock_ns += target - r->now_ns;
	r->now_ns = target;
	/* the next event to move the clock is a tick later */
	r->next_off = r->now_ns - r->base_ns + r->cfg.tick_ns;
	return 0;
}

/*
 * Advance the engine clock to the last tick at or before @t (relative to
 * the first event): only when @t reaches the next tick, one compare.
 */
static inline int follow_clock(struct pgr_replay *r, uint64_t t)
{
	if (likely(r->started) && (t <= r->t0 || t - r->t0 < r->next_off))
		return 0;
	return follow_clock_slow(r, t);
}

/* ---- events -------------------------------------------------------------- */

/* One event, @mode and @engine constants where the caller knows them. */
static inline __attribute__((always_inline)) int
replay_one(struct pgr_replay *r, const struct pgr_trace_event *ev,
	   enum pgr_replay_mode mode, bool engine)
{
	int zi, err;

	if (engine && (err = follow_clock(r, ev->time_ns)))
		return err;
	r->st.events++;
	zi = zone_of(r, ev);
	if (zi < 0 && mode == PGR_REPLAY_POLICY)
		zi = r->cfg.policy_zone;
	if (unlikely(zi < 0)) {
		r->st.outside++;
		return 0;
	}
	if (mode == PGR_REPLAY_EXACT)
		return exact_event(r, r->mz[zi], ev);
	return policy_event(r, zi, ev);
}

int pgr_replay_event(struct pgr_replay *r, const struct pgr_trace_event *ev)
{
	int err;

	if (!r || !ev)
		return pgr__error(EINVAL, "replay_event: NULL argument");
	if (unlikely(ev->op > PGR_TRACE_FREE ||
		     ev->order >= PGR_MAX_ORDER_LIMIT))
		return pgr__error(EINVAL, "replay_event: bad op or order");
	err = replay_one(r, ev, r->cfg.mode, r->engine);
	if (!err && r->cfg.after_event)
		err = r->cfg.after_event(r->cfg.arg, r->index, ev);
	r->index++;
	return err;
}

/* pgr_replay_run()'s loop for one mode, with or without the engine. */
static inline __attribute__((always_inline)) int
replay_loop(struct pgr_replay *r, const struct pgr_trace_event *ev, size_t n,
	    enum pgr_replay_mode mode, bool engine)
{
	for (size_t i = 0; i < n; i++) {
		int err = replay_one(r, &ev[i], mode, engine);

		r->index++;
		if (unlikely(err))
			return err;
	}
	return 0;
}

int pgr_replay_run(struct pgr_replay *r, const struct pgr_trace *t)
{
	if (!r || !t)
		return pgr__error(EINVAL, "replay_run: NULL argument");
	/* events in a trace were checked when they were appended or read */
	if (r->cfg.after_event) {
		for (size_t i = 0; i < t->n; i++) {
			int err = pgr_replay_event(r, &t->ev[i]);

			if (err)
				return err;
		}
		return 0;
	}
	if (r->cfg.mode == PGR_REPLAY_EXACT)
		return r->engine ? replay_loop(r, t->ev, t->n, PGR_REPLAY_EXACT,
					       true)
				 : replay_loop(r, t->ev, t->n, PGR_REPLAY_EXACT,
					       false);
	return r->engine
		       ? replay_loop(r, t->ev, t->n, PGR_REPLAY_POLICY, true)
		       : replay_loop(r, t->ev, t->n, PGR_REPLAY_POLICY, false);
}

int pgr_replay_get_stats(const struct pgr_replay *r,
			 struct pgr_replay_stats *r_stats)
{
	if (!r || !r_stats)
		return pgr__error(EINVAL, "replay_get_stats: NULL argument");
	*r_stats = r->st;
	return 0;
}
