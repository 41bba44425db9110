// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A host of many guests on one clock (include/pagereport/host.h): what a
 * KVM host holds for each guest (lazily backed RAM, dropped again by
 * virtio-balloon free page reporting: QEMU's ram_block_discard_range),
 * and an aggregate swap model for when the guests' resident memory
 * exceeds the host's budget.  Each guest is an ordinary node with a
 * reporting device (src/reporting) whose sink is the host's accounting,
 * and a library workload (src/workload) stepped on the shared clock.
 * Not a model of any one kernel file: Lal's overcommit set-up ("[RFC]
 * [PATCH v12 0/2] mm: Support for page reporting", Aug 2019) in numbers.
 */
#include "config.h"
#include "errmsg.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <pagereport/host.h>

#include "sinks/sinks.h"

#define GUEST_ALIGN_PAGES 1024ULL /* 4 MiB: one MAX_ORDER-1 block */
#define GUEST_START_PFN	  0x100000ULL

struct guest {
	struct pgr_host *host;
	unsigned int idx;
	char name[64];
	char strategy[32];
	bool reporting;
	struct pgr_node *node;
	struct pgr_zone *zone;
	struct pgr_sink sink;
	struct pgr_workload *w;
	void (*user_on_alloc)(void *arg, uint64_t pfn, unsigned int order);
	void *user_arg;
	uint64_t cycles; /* workload_cycles, 0 = never stop */
	uint64_t cycles_seen, cycle_gap_ns, pause_until;
	double rate;	   /* workload ops per second */
	uint64_t op_carry; /* ops owed, in ns * rate units (exact pacing) */
	uint64_t nr_pages;
	uint64_t *touched; /* bit per page: backed by the host */
	uint64_t *ever;	   /* bit per page: backed at some time */
	struct pgr_host_guest_stats st;
	uint64_t swapin_carry, swapfree_carry; /* s/r numerators */
	struct pgr_guest_ram *ram; /* real_memory: the guest's memfd */
	int ram_err;		   /* real_memory: first write/punch error */
};

struct row {
	uint64_t t;
	int guest; /* -1: the host */
	uint64_t resident, swapped, allocated, discarded;
	uint64_t refault_pages, refault_events, swap_out, swap_in;
};

struct pgr_host {
	struct pgr_host_config cfg;
	uint64_t budget_pages;
	uint64_t now;
	uint64_t next_sample;
	struct guest *guests[PGR_HOST_MAX_GUESTS];
	unsigned int nr_guests;
	struct pgr_host_stats st;
	struct row *rows;
	size_t nr_rows, cap_rows;
	bool oom; /* a sample row could not be stored */
};

static const struct pgr_sink_ops host_sink_ops;

/* (n * s + *carry) / r with the remainder carried: s/r of n, exactly. */
static uint64_t share(uint64_t n, uint64_t s, uint64_t r, uint64_t *carry)
{
	unsigned __int128 num;
	uint64_t q;

	if (!r || !s || !n)
		return 0;
	num = (unsigned __int128)n * s + *carry;
	q = (uint64_t)(num / r);
	*carry = (uint64_t)(num % r);
	return q > s ? s : q;
}

/* The guest allocated [pfn, pfn + 2^order): back what is not backed. */
static void guest_touch(struct guest *g, uint64_t pfn, unsigned int order)
{
	uint64_t first = pfn - GUEST_START_PFN, n = 1ULL << order;
	uint64_t newly = 0, again = 0, hits;

	for (uint64_t i = first; i < first + n; i++) {
		uint64_t bit = 1ULL << (i & 63);

		if (!(g->touched[i >> 6] & bit)) {
			g->touched[i >> 6] |= bit;
			newly++;
			/* real memory: the write makes the kernel back it */
			if (g->ram)
				*(volatile char *)pgr_guest_ram_addr(
					g->ram, GUEST_START_PFN + i) = 1;
			if (g->ever[i >> 6] & bit)
				again++;
			g->ever[i >> 6] |= bit;
		}
	}
	/* Backed before, discarded, touched again: a host refault. */
	if (again) {
		g->st.host_refault_pages += again;
		g->st.host_refault_events++;
	}
	/* Pages already backed may be in swap: a swap-in for s/r of them. */
	hits = share(n - newly, g->st.swapped_pages, g->st.resident_pages,
		     &g->swapin_carry);
	g->st.swapped_pages -= hits;
	g->st.swap_in_bytes += hits << PGR_PAGE_SHIFT;
	g->host->st.swap_in_bytes += hits << PGR_PAGE_SHIFT;
	g->st.resident_pages += newly;
	g->st.touched_pages += newly;
}

static void on_alloc(void *arg, uint64_t pfn, unsigned int order)
{
	struct guest *g = arg;

	guest_touch(g, pfn, order);
	if (g->user_on_alloc)
		g->user_on_alloc(g->user_arg, pfn, order);
}

/* The host discards the ranges: backed pages stop being resident. */
static int host_sink_report(struct pgr_sink *sink,
			    const struct pgr_range *ranges, unsigned int n)
{
	struct guest *g = sink->priv;
	uint64_t dropped = 0, r0 = g->st.resident_pages, freed;

	for (unsigned int k = 0; k < n; k++) {
		uint64_t first = ranges[k].pfn - GUEST_START_PFN;

		if (ranges[k].pfn < GUEST_START_PFN ||
		    first + (1ULL << ranges[k].order) > g->nr_pages)
			return -EINVAL;
		for (uint64_t i = first; i < first + (1ULL << ranges[k].order);
		     i++) {
			uint64_t bit = 1ULL << (i & 63);

			if (g->touched[i >> 6] & bit) {
				g->touched[i >> 6] &= ~bit;
				dropped++;
			}
		}
		if (g->ram) {
			int err = pgr__guest_ram_discard(
				g->ram, ranges[k].pfn, ranges[k].order,
				PGR_DISCARD_PUNCH_HOLE);

			if (err && !g->ram_err)
				g->ram_err = err;
		}
	}
	/* Dropping a swapped page frees its slot: no I/O. */
	freed = share(dropped, g->st.swapped_pages, r0, &g->swapfree_carry);
	g->st.swapped_pages -= freed;
	g->st.resident_pages -= dropped;
	g->st.discarded_pages_total += dropped;
	return 0;
}

static const struct pgr_sink_ops host_sink_ops = {
	.name = "host",
	.report = host_sink_report,
};

static void host_sample(struct pgr_host *h)
{
	struct row host_row = { .t = h->now, .guest = -1 };

	for (unsigned int i = 0; i <= h->nr_guests; i++) {
		struct row r = { .t = h->now, .guest = (int)i };

		if (i < h->nr_guests) {
			struct guest *g = h->guests[i];
			struct pgr_reporting_accounting a;

			pgr_reporting_get_accounting(g->node, -1, &a);
			r.resident = g->st.resident_pages;
			r.swapped = g->st.swapped_pages;
			r.allocated = a.allocated_pages;
			r.discarded = a.discarded_pages;
			r.refault_pages = a.refault_pages;
			r.refault_events = a.refault_events;
			r.swap_out = g->st.swap_out_bytes;
			r.swap_in = g->st.swap_in_bytes;
			host_row.resident += r.resident;
			host_row.swapped += r.swapped;
			host_row.allocated += r.allocated;
			host_row.discarded += r.discarded;
			host_row.refault_pages += r.refault_pages;
			host_row.refault_events += r.refault_events;
			host_row.swap_out += r.swap_out;
			host_row.swap_in += r.swap_in;
		} else {
			r = host_row;
		}
		if (h->nr_rows == h->cap_rows) {
			size_t cap = h->cap_rows ? 2 * h->cap_rows : 256;
			struct row *nr = realloc(h->rows, cap * sizeof(*nr));

			if (!nr) {
				h->oom = true;
				return;
			}
			h->rows = nr;
			h->cap_rows = cap;
		}
		h->rows[h->nr_rows++] = r;
	}
}

struct pgr_host *pgr_host_create(const struct pgr_host_config *cfg)
{
	struct pgr_host *h;

	if (!cfg || !cfg->budget_bytes) {
		pgr__error(EINVAL, "host_create: %s",
			   cfg ? "budget 0" : "NULL config");
		errno = EINVAL;
		return NULL;
	}
	if (cfg->budget_bytes < PGR_PAGE_SIZE) {
		pgr__error(EINVAL, "host_create: budget below one page");
		errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		pgr__error(ENOMEM, "host_create: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	h->cfg = *cfg;
	if (!h->cfg.tick_ns)
		h->cfg.tick_ns = PGR_HOST_TICK_NS_DEFAULT;
	if (!h->cfg.sample_ns)
		h->cfg.sample_ns = PGR_HOST_SAMPLE_NS_DEFAULT;
	if (!h->cfg.swap_out_ns)
		h->cfg.swap_out_ns = PGR_HOST_SWAP_OUT_NS;
	if (!h->cfg.swap_in_ns)
		h->cfg.swap_in_ns = PGR_HOST_SWAP_IN_NS;
	if (!h->cfg.refault_ns)
		h->cfg.refault_ns = PGR_HOST_REFAULT_NS;
	h->budget_pages = cfg->budget_bytes >> PGR_PAGE_SHIFT;
	h->st.budget_bytes = cfg->budget_bytes;
	host_sample(h);
	h->next_sample = h->cfg.sample_ns;
	return h;
}

static void guest_free(struct guest *g)
{
	if (!g)
		return;
	pgr_workload_destroy(g->w);
	pgr_node_destroy(g->node); /* unregisters reporting first */
	free(g->touched);
	free(g->ever);
	pgr_guest_ram_destroy(g->ram);
	free(g);
}

void pgr_host_destroy(struct pgr_host *h)
{
	if (!h)
		return;
	for (unsigned int i = 0; i < h->nr_guests; i++)
		guest_free(h->guests[i]);
	free(h->rows);
	free(h);
}

static int guest_build(struct pgr_host *h, struct guest *g,
		       const struct pgr_host_guest_config *cfg)
{
	struct pgr_node_config nc = {
		.max_order = 11,
		.pageblock_order = 9,
		.nr_zones = 1,
		.seed = h->cfg.seed * 0x9e3779b97f4a7c15ULL + g->idx + 1,
	};
	struct pgr_workload_config wc = cfg->workload;
	uint64_t min = g->nr_pages / 512, base;
	int err;

	nc.zones[0].start_pfn = GUEST_START_PFN;
	nc.zones[0].nr_pages = g->nr_pages;
	nc.zones[0].watermark[PGR_WMARK_MIN] = min;
	nc.zones[0].watermark[PGR_WMARK_LOW] = min * 5 / 4;
	nc.zones[0].watermark[PGR_WMARK_HIGH] = min * 3 / 2;
	g->node = pgr_node_create(&nc);
	if (!g->node)
		return -errno;
	g->zone = pgr_node_zone(g->node, 0);
	err = pgr_zone_populate(g->zone);
	if (err)
		return err;
	if (g->reporting) {
		struct pgr_reporting_config rc = cfg->reporting;

		rc.strategy = 0;
		rc.strategy_name = g->strategy;
		rc.clock = PGR_CLOCK_VIRTUAL;
		g->sink.ops = &host_sink_ops;
		g->sink.capacity = PGR_REPORTING_CAPACITY;
		g->sink.priv = g;
		err = pgr_reporting_register(g->node, &g->sink, &rc);
		if (err)
			return err;
		/* The engine clock starts at the launch time. */
		err = pgr_reporting_advance(g->node, h->now);
		if (err)
			return err;
	}
	/* The kernel and page cache the guest keeps: touched at boot. */
	base = (uint64_t)(cfg->base_fraction * (double)g->nr_pages);
	for (uint64_t i = 0; i < base; i++) {
		uint64_t pfn;

		if (pgr_alloc_pages(g->zone, 0, PGR_MIGRATE_UNMOVABLE, 0, &pfn))
			break;
		guest_touch(g, pfn, 0);
	}
	if (!wc.seed)
		wc.seed = h->cfg.seed * 0xbf58476d1ce4e5b9ULL + g->idx + 1;
	g->user_on_alloc = wc.on_alloc;
	g->user_arg = wc.arg;
	wc.on_alloc = on_alloc;
	wc.arg = g;
	g->rate = wc.rate > 0 ? wc.rate : 100000.0;
	g->w = pgr_workload_create(g->zone, &wc);
	if (!g->w)
		return -errno;
	if (!g->reporting)
		pgr_workload_set_time(g->w, h->now);
	if (cfg->fill_at_launch)
		return pgr_workload_fill(g->w);
	return 0;
}

int pgr_host_add_guest(struct pgr_host *h,
		       const struct pgr_host_guest_config *cfg)
{
	struct guest *g;
	int err;

	if (!h || !cfg || !cfg->name || !*cfg->name)
		return pgr__error(EINVAL, "host_add_guest: NULL argument");
	if (strlen(cfg->name) >= sizeof(g->name))
		return pgr__error(EINVAL, "host_add_guest: name too long");
	for (unsigned int i = 0; i < h->nr_guests; i++)
		if (!strcmp(h->guests[i]->name, cfg->name))
			return pgr__error(EEXIST,
					  "host_add_guest: guest '%s' was "
					  "already added",
					  cfg->name);
	if (!cfg->mem_bytes ||
	    (cfg->mem_bytes >> PGR_PAGE_SHIFT) % GUEST_ALIGN_PAGES ||
	    cfg->mem_bytes & (PGR_PAGE_SIZE - 1))
		return pgr__error(EINVAL,
				  "host_add_guest: size %llu is not a "
				  "positive multiple of 4 MiB",
				  (unsigned long long)cfg->mem_bytes);
	if (cfg->mem_bytes > h->cfg.budget_bytes)
		return pgr__error(EINVAL,
				  "host_add_guest: guest '%s' (%llu bytes) is "
				  "larger than the host (%llu bytes)",
				  cfg->name, (unsigned long long)cfg->mem_bytes,
				  (unsigned long long)h->cfg.budget_bytes);
	if (!(cfg->base_fraction >= 0 && cfg->base_fraction <= 0.9))
		return pgr__error(EINVAL,
				  "host_add_guest: base_fraction not 0..0.9");
	if (cfg->strategy && strcmp(cfg->strategy, "none") &&
	    (strlen(cfg->strategy) >= sizeof(g->strategy) ||
	     pgr_strategy_from_name(cfg->strategy) < 0))
		return pgr__error(EINVAL,
				  "host_add_guest: unknown strategy '%s'",
				  cfg->strategy);
	if (h->cfg.real_memory) {
		uint64_t total = cfg->mem_bytes;

		for (unsigned int i = 0; i < h->nr_guests; i++)
			total += h->guests[i]->nr_pages << PGR_PAGE_SHIFT;
		if (cfg->mem_bytes > PGR_HOST_REAL_MAX_GUEST_BYTES ||
		    total > PGR_HOST_REAL_MAX_TOTAL_BYTES)
			return pgr__error(EINVAL,
					  "host_add_guest: real_memory guest "
					  "'%s' of %llu bytes: over %llu per "
					  "guest or %llu per host",
					  cfg->name,
					  (unsigned long long)cfg->mem_bytes,
					  PGR_HOST_REAL_MAX_GUEST_BYTES,
					  PGR_HOST_REAL_MAX_TOTAL_BYTES);
	}
	if (h->nr_guests == PGR_HOST_MAX_GUESTS)
		return pgr__error(ENOSPC, "host_add_guest: %d guests already",
				  PGR_HOST_MAX_GUESTS);
	g = calloc(1, sizeof(*g));
	if (!g)
		return pgr__error(ENOMEM, "host_add_guest: out of memory");
	g->host = h;
	g->idx = h->nr_guests;
	strcpy(g->name, cfg->name);
	g->reporting = cfg->strategy && strcmp(cfg->strategy, "none");
	strcpy(g->strategy, g->reporting ? cfg->strategy : "none");
	g->cycles = cfg->workload_cycles;
	g->cycle_gap_ns = cfg->cycle_gap_ns;
	g->nr_pages = cfg->mem_bytes >> PGR_PAGE_SHIFT;
	g->st.launch_ns = h->now;
	g->touched = calloc((g->nr_pages + 63) / 64, sizeof(uint64_t));
	g->ever = calloc((g->nr_pages + 63) / 64, sizeof(uint64_t));
	err = g->touched && g->ever ? 0 : -ENOMEM;
	if (!err && h->cfg.real_memory) {
		g->ram = pgr_guest_ram_create(GUEST_START_PFN, g->nr_pages);
		if (!g->ram)
			err = -errno;
		/* 4 KiB shmem pages, so the kernel counts what we count */
		else if (madvise(pgr_guest_ram_addr(g->ram, GUEST_START_PFN),
				 cfg->mem_bytes, MADV_NOHUGEPAGE) < 0)
			err = pgr__error(errno, "host_add_guest: madvise "
						"NOHUGEPAGE failed");
	}
	if (!err)
		err = guest_build(h, g, cfg);
	if (err) {
		guest_free(g);
		return err;
	}
	h->guests[h->nr_guests++] = g;
	h->st.nr_guests = h->nr_guests;
	return (int)g->idx;
}

/* One guest's part of a tick: its workload's ops, then its engine. */
static int guest_tick(struct pgr_host *h, struct guest *g, uint64_t dt)
{
	struct pgr_workload_stats ws;
	uint64_t ops;
	int err;

	/* rate * dt / 1e9 ops, remainder carried to the next tick */
	g->op_carry += (uint64_t)(g->rate * (double)dt);
	ops = g->op_carry / 1000000000ULL;
	g->op_carry %= 1000000000ULL;
	for (uint64_t i = 0; i < ops && h->now >= g->pause_until; i++) {
		uint64_t done;

		pgr_workload_get_stats(g->w, &ws);
		/*
		 * FILL_FREE counts a cycle when the next fill starts; empty
		 * after allocating means one more has just ended.
		 */
		done = ws.cycles + (ws.live_pages == 0 && ws.allocs > 0);
		if (g->cycles && done >= g->cycles)
			break;
		if (done > g->cycles_seen) {
			g->cycles_seen = done;
			if (g->cycle_gap_ns) {
				g->pause_until = h->now + g->cycle_gap_ns;
				break;
			}
		}
		err = pgr_workload_step(g->w);
		if (err && err != -ENOMEM)
			return err;
	}
	if (g->reporting)
		err = pgr_reporting_advance(g->node, dt);
	else
		err = pgr_workload_set_time(g->w, h->now + dt);
	return err ? err : g->ram_err;
}

/* After a tick: swap out what exceeds the budget, pro rata. */
static void host_swap(struct pgr_host *h)
{
	uint64_t in_mem = 0, excess, given = 0;

	for (unsigned int i = 0; i < h->nr_guests; i++)
		in_mem += h->guests[i]->st.resident_pages -
			  h->guests[i]->st.swapped_pages;
	if (in_mem <= h->budget_pages)
		return;
	excess = in_mem - h->budget_pages;
	if (!h->st.swapped) {
		h->st.swapped = true;
		h->st.first_swap_ns = h->now;
	}
	for (unsigned int pass = 0; pass < 2 && given < excess; pass++) {
		for (unsigned int i = 0; i < h->nr_guests && given < excess;
		     i++) {
			struct guest *g = h->guests[i];
			uint64_t m = g->st.resident_pages - g->st.swapped_pages;
			uint64_t out;

			if (!pass)
				out = (uint64_t)((unsigned __int128)excess * m /
						 in_mem);
			else
				out = m < excess - given ? m : excess - given;
			g->st.swapped_pages += out;
			g->st.swap_out_bytes += out << PGR_PAGE_SHIFT;
			h->st.swap_out_bytes += out << PGR_PAGE_SHIFT;
			given += out;
		}
	}
}

int pgr_host_advance(struct pgr_host *h, uint64_t ns)
{
	if (!h)
		return pgr__error(EINVAL, "host_advance: NULL host");
	while (ns) {
		uint64_t dt = ns < h->cfg.tick_ns ? ns : h->cfg.tick_ns;

		for (unsigned int i = 0; i < h->nr_guests; i++) {
			int err = guest_tick(h, h->guests[i], dt);

			if (err)
				return err;
		}
		h->now += dt;
		ns -= dt;
		host_swap(h);
		{
			uint64_t m = 0;

			for (unsigned int i = 0; i < h->nr_guests; i++)
				m += h->guests[i]->st.resident_pages -
				     h->guests[i]->st.swapped_pages;
			m <<= PGR_PAGE_SHIFT;
			if (m > h->st.peak_in_memory_bytes)
				h->st.peak_in_memory_bytes = m;
		}
		while (h->now >= h->next_sample) {
			host_sample(h);
			h->next_sample += h->cfg.sample_ns;
		}
	}
	return 0;
}

uint64_t pgr_host_now(const struct pgr_host *h)
{
	return h ? h->now : 0;
}

unsigned int pgr_host_nr_guests(const struct pgr_host *h)
{
	return h ? h->nr_guests : 0;
}

struct pgr_node *pgr_host_guest_node(struct pgr_host *h, unsigned int idx)
{
	return h && idx < h->nr_guests ? h->guests[idx]->node : NULL;
}

int pgr_host_get_stats(const struct pgr_host *h, struct pgr_host_stats *r)
{
	if (!h || !r)
		return pgr__error(EINVAL, "host_get_stats: NULL argument");
	*r = h->st;
	r->now_ns = h->now;
	r->resident_bytes = r->in_memory_bytes = 0;
	for (unsigned int i = 0; i < h->nr_guests; i++) {
		const struct guest *g = h->guests[i];

		r->resident_bytes += g->st.resident_pages << PGR_PAGE_SHIFT;
		r->in_memory_bytes +=
			(g->st.resident_pages - g->st.swapped_pages)
			<< PGR_PAGE_SHIFT;
	}
	return 0;
}

int pgr_host_get_guest_stats(struct pgr_host *h, unsigned int idx,
			     struct pgr_host_guest_stats *r)
{
	struct guest *g;

	if (!h || !r)
		return pgr__error(EINVAL,
				  "host_get_guest_stats: NULL argument");
	if (idx >= h->nr_guests)
		return pgr__error(ENOENT, "host_get_guest_stats: no guest %u",
				  idx);
	g = h->guests[idx];
	*r = g->st;
	pgr_reporting_get_accounting(g->node, -1, &r->acct);
	pgr_workload_get_stats(g->w, &r->workload);
	r->refault_pages = r->acct.refault_pages;
	r->refault_events = r->acct.refault_events;
	r->lost_ns =
		(r->swap_out_bytes >> PGR_PAGE_SHIFT) * h->cfg.swap_out_ns +
		(r->swap_in_bytes >> PGR_PAGE_SHIFT) * h->cfg.swap_in_ns +
		r->host_refault_pages * h->cfg.refault_ns;
	return 0;
}

int pgr_host_guest_kernel_bytes(struct pgr_host *h, unsigned int idx,
				uint64_t *r_bytes)
{
	if (!h || !r_bytes)
		return pgr__error(EINVAL,
				  "host_guest_kernel_bytes: NULL argument");
	if (!h->cfg.real_memory)
		return pgr__error(EINVAL, "host_guest_kernel_bytes: not a "
					  "real_memory host");
	if (idx >= h->nr_guests)
		return pgr__error(ENOENT,
				  "host_guest_kernel_bytes: no guest %u", idx);
	return pgr_guest_ram_allocated_bytes(h->guests[idx]->ram, r_bytes);
}

int pgr_host_write_csv(const struct pgr_host *h, FILE *f)
{
	if (!h || !f)
		return pgr__error(EINVAL, "host_write_csv: NULL argument");
	if (fprintf(f, "time_ns,guest,strategy,resident_bytes,swapped_bytes,"
		       "allocated_bytes,discarded_bytes,refault_pages,"
		       "refault_events,swap_out_bytes,swap_in_bytes\n") < 0)
		return pgr__error(EIO, "host_write_csv: write failed");
	for (size_t i = 0; i < h->nr_rows; i++) {
		const struct row *r = &h->rows[i];
		const char *name =
			r->guest < 0 ? "host" : h->guests[r->guest]->name;
		const char *strat =
			r->guest < 0 ? "" : h->guests[r->guest]->strategy;

		if (fprintf(f,
			    "%llu,%s,%s,%llu,%llu,%llu,%llu,%llu,%llu,%llu,"
			    "%llu\n",
			    (unsigned long long)r->t, name, strat,
			    (unsigned long long)r->resident << PGR_PAGE_SHIFT,
			    (unsigned long long)r->swapped << PGR_PAGE_SHIFT,
			    (unsigned long long)r->allocated << PGR_PAGE_SHIFT,
			    (unsigned long long)r->discarded << PGR_PAGE_SHIFT,
			    (unsigned long long)r->refault_pages,
			    (unsigned long long)r->refault_events,
			    (unsigned long long)r->swap_out,
			    (unsigned long long)r->swap_in) < 0)
			return pgr__error(EIO, "host_write_csv: write failed");
	}
	if (h->oom)
		return pgr__error(ENOMEM, "host_write_csv: samples were lost");
	return 0;
}
