// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Nodes and zones: creation (free_area_init_core / memmap_init_zone and
 * the watermark setup of init_per_zone_wmark_min + __setup_per_zone_wmarks,
 * 5.4), boot-time population (memblock_free_all: largest aligned chunks
 * through __free_one_page, then shuffle_zone), memory offline, queries,
 * and compaction's free-list rotation (move_freelist_head, with v11's
 * page_reporting_free_area_release before it).
 *
 * Page metadata is an anonymous MAP_NORESERVE mapping: zero-filled and
 * backed lazily, so only block heads that are touched cost memory (a
 * 1 TiB zone of 2^28 pages reserves 3 GiB of address space).  Left out:
 * lowmem_reserve, highmem, the percpu pagesets, memory online.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "debug.h"
#include "errmsg.h"
#include "mm/internal.h"
#include "page_alloc.h"

void pgr__zone_lock_slow(struct zone *z)
{
	pgr_spin_lock(&z->lock);
}

/* The debug level 3 walker run after every public mutation. */
void pgr__zone_check_or_bug(struct zone *z)
{
	char buf[256];

	if (pgr__zone_check_locked(z, buf, sizeof(buf))) {
		fprintf(stderr, "libpagereport: zone %s: %s\n", z->name, buf);
		pgr__bug(__FILE__, __LINE__, "zone invariant violated");
	}
}

static uint64_t int_sqrt(uint64_t x)
{
	uint64_t r = 0, bit = 1ULL << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* mult_frac(x, n, d) without overflowing x * n. */
static uint64_t mult_frac(uint64_t x, uint64_t n, uint64_t d)
{
	return (x / d) * n + ((x % d) * n) / d;
}

/*
 * init_per_zone_wmark_min() + __setup_per_zone_wmarks() with
 * watermark_scale_factor 10, all zones counted as lowmem, from the managed
 * pages (pgr_zone_config.managed_pages, default spanned); zones whose
 * config gives watermarks keep them.
 */
static void setup_watermarks(struct pgr_node *node,
			     const struct pgr_node_config *cfg)
{
	uint64_t lowmem_pages = 0, min_free_kbytes, pages_min;

	for (unsigned int i = 0; i < node->nr_zones; i++)
		lowmem_pages += node->zones[i].managed_pages;
	min_free_kbytes = int_sqrt(lowmem_pages * (PGR_PAGE_SIZE >> 10) * 16);
	if (min_free_kbytes < 128)
		min_free_kbytes = 128;
	if (min_free_kbytes > 65536)
		min_free_kbytes = 65536;
	pages_min = min_free_kbytes >> (PGR_PAGE_SHIFT - 10);

	for (unsigned int i = 0; i < node->nr_zones; i++) {
		struct zone *z = &node->zones[i];
		const uint64_t *w = cfg->zones[i].watermark;
		uint64_t tmp;

		if (w[0] || w[1] || w[2]) {
			memcpy(z->watermark, w, sizeof(z->watermark));
			continue;
		}
		tmp = pages_min * z->managed_pages / lowmem_pages;
		z->watermark[PGR_WMARK_MIN] = tmp;
		tmp = tmp >> 2;
		if (mult_frac(z->managed_pages, 10, 10000) > tmp)
			tmp = mult_frac(z->managed_pages, 10, 10000);
		z->watermark[PGR_WMARK_LOW] = z->watermark[PGR_WMARK_MIN] + tmp;
		z->watermark[PGR_WMARK_HIGH] =
			z->watermark[PGR_WMARK_MIN] + 2 * tmp;
	}
}

static const char *const profile_names[] = {
	[PGR_PROFILE_DEFAULT] = "default", [PGR_PROFILE_5_4] = "5.4",
	[PGR_PROFILE_5_7] = "5.7",	   [PGR_PROFILE_5_10] = "5.10",
	[PGR_PROFILE_6_1] = "6.1",
};

int pgr_kernel_profile_from_name(const char *name)
{
	if (!name)
		return pgr__error(EINVAL, "kernel_profile: NULL name");
	for (unsigned int i = 0;
	     i < sizeof(profile_names) / sizeof(profile_names[0]); i++)
		if (!strcmp(name, profile_names[i]))
			return (int)i;
	return pgr__error(EINVAL,
			  "kernel_profile: unknown name '%s' (default, 5.4, "
			  "5.7, 5.10, 6.1)",
			  name);
}

const char *pgr_kernel_profile_name(enum pgr_kernel_profile profile)
{
	if ((unsigned int)profile >=
	    sizeof(profile_names) / sizeof(profile_names[0]))
		return NULL;
	return profile_names[profile];
}

static int validate_config(const struct pgr_node_config *cfg,
			   unsigned int *r_max_order, unsigned int *r_pb_order,
			   unsigned int *r_profile)
{
	unsigned int mo =
		cfg->max_order ? cfg->max_order : PGR_MAX_ORDER_DEFAULT;
	unsigned int pb = cfg->pageblock_order;
	int profile = (int)cfg->profile;

	if (cfg->profile_name) {
		profile = pgr_kernel_profile_from_name(cfg->profile_name);
		if (profile < 0)
			return profile;
	} else if (!pgr_kernel_profile_name(cfg->profile)) {
		return pgr__error(EINVAL, "node_create: unknown profile %d",
				  (int)cfg->profile);
	}
	*r_profile = (unsigned int)profile;

	if (mo < 2 || mo > PGR_MAX_ORDER_LIMIT)
		return pgr__error(EINVAL,
				  "node_create: max_order %u not in "
				  "2..%d",
				  mo, PGR_MAX_ORDER_LIMIT);
	/* Default 9 (HUGETLB_PAGE_ORDER), else MAX_ORDER-1 as without it. */
	if (!pb)
		pb = PGR_PAGEBLOCK_ORDER_DEFAULT < mo
			     ? PGR_PAGEBLOCK_ORDER_DEFAULT
			     : mo - 1;
	if (pb >= mo)
		return pgr__error(EINVAL,
				  "node_create: pageblock_order %u >= "
				  "max_order %u",
				  pb, mo);
	/* Without CONFIG_HUGETLB_PAGE, pageblock_order is MAX_ORDER-1. */
	if (cfg->no_hugetlb) {
		if (cfg->pageblock_order && cfg->pageblock_order != mo - 1)
			return pgr__error(EINVAL,
					  "node_create: no_hugetlb means "
					  "pageblock_order %u, not %u",
					  mo - 1, cfg->pageblock_order);
		pb = mo - 1;
	}
	if ((unsigned int)cfg->pcp > PGR_PCP_ON)
		return pgr__error(EINVAL, "node_create: unknown pcp mode %d",
				  (int)cfg->pcp);
	/* each CPU's pcp list heads take ids after the free lists' */
	if (cfg->nr_cpus > PGR_PCP_MAX_CPUS)
		return pgr__error(EINVAL,
				  "node_create: nr_cpus %u not in 0..%d",
				  cfg->nr_cpus, PGR_PCP_MAX_CPUS);
	if (cfg->nr_zones < 1 || cfg->nr_zones > PGR_MAX_ZONES)
		return pgr__error(EINVAL,
				  "node_create: nr_zones %u not in 1..%d",
				  cfg->nr_zones, PGR_MAX_ZONES);
	for (unsigned int i = 0; i < cfg->nr_zones; i++) {
		const struct pgr_zone_config *zc = &cfg->zones[i];
		/*
		 * Page ids and list-head ids share 32 bits; mm.h promises
		 * < 2^32 - 1024, which leaves room for any nr_lists (<= 80)
		 * and the pcp list heads (<= PGR_PCP_MAX_CPUS * 13).
		 */
		const uint64_t limit = (1ULL << 32) - 1024;

		/* struct pgr_zone_info reports it whole: never cut it */
		if (zc->name &&
		    strlen(zc->name) >=
			    sizeof(((struct pgr_zone_info *)0)->name))
			return pgr__error(
				EINVAL,
				"node_create: zone %u: name '%.40s%s' "
				"longer than %zu characters",
				i, zc->name, strlen(zc->name) > 40 ? "..." : "",
				sizeof(((struct pgr_zone_info *)0)->name) - 1);
		if (zc->nr_pages < 1 || zc->nr_pages >= limit)
			return pgr__error(EINVAL,
					  "node_create: zone %u: nr_pages %llu "
					  "not in 1..2^32-1025",
					  i, (unsigned long long)zc->nr_pages);
		if (zc->managed_pages > zc->nr_pages)
			return pgr__error(EINVAL,
					  "node_create: zone %u: managed_pages "
					  "%llu > nr_pages %llu",
					  i,
					  (unsigned long long)zc->managed_pages,
					  (unsigned long long)zc->nr_pages);
		if (zc->start_pfn >
		    UINT64_MAX - zc->nr_pages - (1ULL << PGR_MAX_ORDER_LIMIT))
			return pgr__error(EINVAL,
					  "node_create: zone %u: pfn overflow",
					  i);
		for (unsigned int j = 0; j < i; j++) {
			const struct pgr_zone_config *o = &cfg->zones[j];

			if (zc->start_pfn < o->start_pfn + o->nr_pages &&
			    o->start_pfn < zc->start_pfn + zc->nr_pages)
				return pgr__error(EINVAL,
						  "node_create: zones %u and "
						  "%u overlap",
						  j, i);
		}
	}
	*r_max_order = mo;
	*r_pb_order = pb;
	return 0;
}

static void zone_free(struct zone *z)
{
	if (z->pages)
		munmap(z->pages, z->pages_bytes);
	free(z->pageblock_mt);
	free(z->pcp);
	z->pages = NULL;
	z->pageblock_mt = NULL;
	z->pcp = NULL;
}

static int zone_init(struct pgr_node *node, unsigned int idx,
		     const struct pgr_zone_config *zc)
{
	struct zone *z = &node->zones[idx];
	uint64_t pb_pages = 1ULL << node->pageblock_order;
	uint64_t span;
	void *mem;

	z->node = node;
	z->idx = idx;
	if (zc->name)
		snprintf(z->name, sizeof(z->name), "%s", zc->name);
	else
		snprintf(z->name, sizeof(z->name), "zone%u", idx);
	z->start_pfn = zc->start_pfn;
	z->nr_pages = (uint32_t)zc->nr_pages;
	z->managed_pages = (uint32_t)(zc->managed_pages ? zc->managed_pages
							: zc->nr_pages);
	z->nr_lists = node->max_order * PGR_MIGRATE_TYPES;
	z->pcp_list_base = z->nr_pages + z->nr_lists;
	if (node->pcp) {
		/* 12 lists, + 1 THP list (order pageblock_order > 3) */
		z->pcp_nr_lists = 12;
		if (!node->no_hugetlb && node->pageblock_order > 3)
			z->pcp_nr_lists++;
		z->pcp = calloc(node->nr_cpus, sizeof(*z->pcp));
		if (!z->pcp)
			return -ENOMEM;
	}
	z->alloc0_slow = node->pcp;
	z->free0_slow = (uint32_t)(z->start_pfn & 3) | node->pcp << 2;
	z->merge_unaligned = ((z->start_pfn | z->nr_pages) &
			      ((1ULL << (node->max_order - 1)) - 1)) != 0;
	z->merge0_slow =
		z->merge_unaligned || node->max_order != PGR_MAX_ORDER_DEFAULT;
	z->pages_bytes = ((uint64_t)z->nr_pages + z->nr_lists +
			  (uint64_t)node->nr_cpus * z->pcp_nr_lists) *
			 sizeof(struct page);
	z->pages_bytes = (z->pages_bytes + 4095) & ~(size_t)4095;
	mem = mmap(NULL, z->pages_bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return -ENOMEM;
	z->pages = mem;
	z->pb_base_pfn = z->start_pfn & ~(pb_pages - 1);
	span = z->start_pfn + z->nr_pages - z->pb_base_pfn;
	z->nr_pageblocks =
		(uint32_t)((span + pb_pages - 1) >> node->pageblock_order);
	z->pageblock_mt = malloc(z->nr_pageblocks);
	if (!z->pageblock_mt)
		return -ENOMEM;
	/* memmap_init_zone() marks every pageblock MOVABLE. */
	memset(z->pageblock_mt, PGR_MIGRATE_MOVABLE, z->nr_pageblocks);
	for (uint32_t l = 0; l < z->nr_lists; l++)
		list_init(z, z->nr_pages + l);
	for (uint32_t l = 0; l < node->nr_cpus * z->pcp_nr_lists; l++)
		list_init(z, z->pcp_list_base + l);
	pgr_spin_init(&z->lock);
	return 0;
}

struct pgr_node *pgr_node_create(const struct pgr_node_config *cfg)
{
	struct pgr_node *node;
	unsigned int mo = 0, pb = 0, profile = 0;
	int err;

	if (!cfg) {
		errno = -pgr__error(EINVAL, "node_create: NULL config");
		return NULL;
	}
	err = validate_config(cfg, &mo, &pb, &profile);
	if (err) {
		errno = -err;
		return NULL;
	}
	node = calloc(1, sizeof(*node));
	if (!node) {
		errno = -pgr__error(ENOMEM, "node_create: out of memory");
		return NULL;
	}
	node->max_order = mo;
	node->pageblock_order = pb;
	node->nr_zones = cfg->nr_zones;
	node->shuffle = cfg->shuffle;
	node->profile = profile;
	node->fpi_to_tail = profile >= PGR_PROFILE_5_10;
	node->nr_cpus = cfg->nr_cpus ? cfg->nr_cpus : 1;
	node->pcp = cfg->pcp == PGR_PCP_ON ||
		    (cfg->pcp == PGR_PCP_PROFILE && profile == PGR_PROFILE_6_1);
	node->no_hugetlb = cfg->no_hugetlb;
	pgr_rand_seed(&node->rand, cfg->seed);
	pgr_spin_init(&node->shuffle_lock);
	atomic_init(&node->rep_notify, false);
	for (unsigned int i = 0; i < cfg->nr_zones; i++) {
		if (zone_init(node, i, &cfg->zones[i])) {
			for (unsigned int j = 0; j <= i; j++)
				zone_free(&node->zones[j]);
			free(node);
			errno = -pgr__error(
				ENOMEM, "node_create: cannot map zone %u", i);
			return NULL;
		}
	}
	setup_watermarks(node, cfg);
	for (unsigned int i = 0; i < cfg->nr_zones; i++)
		pgr__pcp_setup(&node->zones[i]);
	return node;
}

void pgr_node_destroy(struct pgr_node *node)
{
	if (!node)
		return;
	pgr__reporting_on_node_destroy(node);
	for (unsigned int i = 0; i < node->nr_zones; i++)
		zone_free(&node->zones[i]);
	free(node);
}

struct pgr_zone *pgr_node_zone(struct pgr_node *node, unsigned int idx)
{
	if (!node || idx >= node->nr_zones)
		return NULL;
	return (struct pgr_zone *)&node->zones[idx];
}

unsigned int pgr_node_nr_zones(const struct pgr_node *node)
{
	return node ? node->nr_zones : 0;
}

struct pgr_node *pgr_zone_node(struct pgr_zone *zone)
{
	return zone ? to_zone(zone)->node : NULL;
}

int pgr_zone_populate(struct pgr_zone *zone)
{
	struct zone *z = to_zone(zone);
	uint64_t pfn, end;

	if (!z)
		return pgr__error(EINVAL, "zone_populate: NULL zone");
	zone_lock(z);
	if (z->populated) {
		zone_unlock(z);
		return pgr__error(EBUSY, "zone_populate: %s already populated",
				  z->name);
	}
	memset(z->pageblock_mt, PGR_MIGRATE_MOVABLE, z->nr_pageblocks);
	z->nr_isolate_pageblock = 0;
	z->nr_reserved_highatomic = 0;
	end = z->start_pfn + z->nr_pages;
	for (pfn = z->start_pfn; pfn < end;) {
		unsigned int o = max_order(z) - 1;

		/* The largest naturally aligned chunk that fits. */
		while (o &&
		       ((pfn & ((1ULL << o) - 1)) || pfn + (1ULL << o) > end))
			o--;
		/*
		 * Write the head first: a write fault maps the metadata page
		 * at once, where read-then-write would fault twice.
		 */
		z->pages[pfn_id(z, pfn)].index = 0;
		/* 5.10+ __free_pages_core(): FPI_TO_TAIL for new memory */
		pgr__free_one_page(
			z, pfn_id(z, pfn), o, PGR_MIGRATE_MOVABLE,
			z->node->fpi_to_tail ? FPI_TO_TAIL : FPI_NONE, NULL);
		pfn += 1ULL << o;
	}
	z->populated = true;
	if (z->node->shuffle)
		pgr__shuffle_zone(z);
	pgr__zone_unlock_checked(z);
	return 0;
}

int pgr_zone_offline(struct pgr_zone *zone)
{
	struct zone *z = to_zone(zone);

	if (!z)
		return pgr__error(EINVAL, "zone_offline: NULL zone");
	zone_lock(z);
	if (!z->populated) {
		zone_unlock(z);
		return pgr__error(EINVAL, "zone_offline: %s is not populated",
				  z->name);
	}
	if (z->nr_allocated_pages || z->nr_isolated_pages) {
		zone_unlock(z);
		return pgr__error(EBUSY,
				  "zone_offline: %s has %llu allocated and "
				  "%llu isolated pages",
				  z->name,
				  (unsigned long long)z->nr_allocated_pages,
				  (unsigned long long)z->nr_isolated_pages);
	}
	/* offline_pages(): zone_pcp_disable() drains the pcp first */
	pgr__pcp_drain_all_locked(z);
	/* Take every block off its list (the reporting hooks see it). */
	for (unsigned int o = 0; o < max_order(z); o++) {
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			uint32_t head = free_list_id(z, o, mt);

			while (!list_empty_id(z, head))
				del_page_from_free_list(z, z->pages[head].next,
							o);
		}
	}
	/* Drop the metadata (zeroes PG_discarded left on tail pages). */
	{
		size_t bytes = (size_t)z->nr_pages * sizeof(struct page);
		size_t whole = bytes & ~(size_t)4095;

		if (whole)
			madvise(z->pages, whole, MADV_DONTNEED);
		memset((char *)z->pages + whole, 0, bytes - whole);
	}
	z->nr_discarded_pages = 0; /* the memory is gone from the guest */
	for (uint32_t l = 0; l < z->nr_lists; l++)
		list_init(z, z->nr_pages + l);
	z->nr_free_pages = 0;
	memset(z->pageblock_mt, PGR_MIGRATE_MOVABLE, z->nr_pageblocks);
	z->nr_isolate_pageblock = 0;
	z->nr_reserved_highatomic = 0;
	z->populated = false;
	pgr__reporting_on_zone_reset(z);
	pgr__zone_unlock_checked(z);
	return 0;
}

static void zone_get_info_locked(struct zone *z, struct pgr_zone_info *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", z->name);
	r->start_pfn = z->start_pfn;
	r->nr_pages = z->nr_pages;
	r->max_order = max_order(z);
	r->pageblock_order = pageblock_order(z);
	r->nr_free_pages = z->nr_free_pages;
	r->nr_allocated_pages = z->nr_allocated_pages;
	r->nr_isolated_pages = z->nr_isolated_pages;
	for (unsigned int o = 0; o < max_order(z); o++) {
		r->nr_free[o] = z->free_area[o].nr_free;
		for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
			uint32_t head = free_list_id(z, o, mt);
			uint64_t n = 0;

			for (uint32_t id = z->pages[head].next; id != head;
			     id = z->pages[id].next) {
				n++;
				if (z->pages[id].flags & PG_reported)
					r->nr_reported[o]++;
			}
			r->nr_free_mt[o][mt] = n;
			if (is_migrate_isolate(mt))
				r->nr_free_isolate_pages += n << o;
		}
	}
	for (uint32_t b = 0; b < z->nr_pageblocks; b++)
		if (z->pageblock_mt[b] < PGR_MIGRATE_TYPES)
			r->nr_pageblocks_mt[z->pageblock_mt[b]]++;
	r->nr_isolate_pageblock = z->nr_isolate_pageblock;
	r->nr_reserved_highatomic = z->nr_reserved_highatomic;
	r->managed_pages = z->managed_pages;
	memcpy(r->watermark, z->watermark, sizeof(r->watermark));
	r->metadata_bytes = z->pages_bytes + z->nr_pageblocks;
	r->pcp_pages = z->pcp_pages;
	r->pcp_high_pages = z->pcp_high_pages;
	r->pcp_drains = z->pcp_drains;
	r->pcp_drain_all = z->pcp_drain_all;
	if (z->pcp) {
		r->pcp_batch = z->pcp[0].batch;
		r->pcp_high = z->pcp[0].high;
		r->metadata_bytes += z->node->nr_cpus * sizeof(*z->pcp);
	}
}

int pgr_zone_get_info(struct pgr_zone *zone, struct pgr_zone_info *r_info)
{
	struct zone *z = to_zone(zone);

	if (!z || !r_info)
		return pgr__error(EINVAL, "zone_get_info: NULL argument");
	zone_lock(z);
	zone_get_info_locked(z, r_info);
	zone_unlock(z);
	return 0;
}

int pgr_page_get_info(struct pgr_zone *zone, uint64_t pfn,
		      struct pgr_page_info *r_info)
{
	struct zone *z = to_zone(zone);
	const struct page *p;

	if (!z || !r_info)
		return pgr__error(EINVAL, "page_get_info: NULL argument");
	if (!zone_spans_pfn(z, pfn))
		return pgr__error(ERANGE, "page_get_info: pfn %#llx outside %s",
				  (unsigned long long)pfn, z->name);
	zone_lock(z);
	p = &z->pages[pfn_id(z, pfn)];
	memset(r_info, 0, sizeof(*r_info));
	r_info->migratetype = get_pfnblock_migratetype(z, pfn);
	if (p->flags & PG_buddy) {
		r_info->state = PGR_PAGE_FREE;
		r_info->migratetype = buddy_list_mt(p);
	} else if (page_is_pcp(p)) {
		r_info->state = PGR_PAGE_PCP;
		r_info->migratetype = p->index;
	} else if (p->flags & PG_alloc) {
		r_info->state = PGR_PAGE_ALLOCATED;
	} else if (p->flags & PG_isolated) {
		r_info->state = PGR_PAGE_ISOLATED;
	} else {
		r_info->state = PGR_PAGE_TAIL;
	}
	if (r_info->state != PGR_PAGE_TAIL)
		r_info->order = p->order;
	r_info->reported = (p->flags & PG_buddy) && (p->flags & PG_reported);
	r_info->discarded = !!(p->flags & PG_discarded);
	zone_unlock(z);
	return 0;
}

long pgr_free_list_walk(struct pgr_zone *zone, unsigned int order,
			enum pgr_migratetype mt, uint64_t *pfns, size_t max)
{
	struct zone *z = to_zone(zone);
	uint32_t head;
	long n = 0;

	if (!z || (max && !pfns))
		return pgr__error(EINVAL, "free_list_walk: NULL argument");
	if (order >= max_order(z) || (unsigned int)mt >= PGR_MIGRATE_TYPES)
		return pgr__error(EINVAL,
				  "free_list_walk: bad order %u or "
				  "migratetype %d",
				  order, (int)mt);
	zone_lock(z);
	head = free_list_id(z, order, (int)mt);
	for (uint32_t id = z->pages[head].next; id != head;
	     id = z->pages[id].next) {
		if ((size_t)n < max)
			pfns[n] = id_pfn(z, id);
		n++;
	}
	zone_unlock(z);
	return n;
}

/*
 * move_freelist_head() of mm/compaction.c: the entries before @id move
 * to the tail, so @id becomes the head (list_cut_before + splice_tail).
 */
static void move_freelist_head(struct zone *z, uint32_t head, uint32_t id)
{
	struct page *pg = z->pages;
	uint32_t first = pg[head].next, last_before = pg[id].prev;
	uint32_t tail = pg[head].prev;

	if (first == id)
		return;
	pg[head].next = id;
	pg[id].prev = head;
	pg[tail].next = first;
	pg[first].prev = tail;
	pg[last_before].next = head;
	pg[head].prev = last_before;
}

int pgr_zone_compact_rotate(struct pgr_zone *zone, unsigned int order,
			    uint64_t pfn)
{
	struct zone *z = to_zone(zone);
	const struct page *p;

	if (!z)
		return pgr__error(EINVAL, "zone_compact_rotate: NULL zone");
	if (order >= max_order(z))
		return pgr__error(EINVAL, "zone_compact_rotate: order %u >= %u",
				  order, max_order(z));
	if (!zone_spans_pfn(z, pfn))
		return pgr__error(ERANGE,
				  "zone_compact_rotate: pfn %#llx outside %s",
				  (unsigned long long)pfn, z->name);
	zone_lock(z);
	p = &z->pages[pfn_id(z, pfn)];
	if (!(p->flags & PG_buddy) || p->order != order ||
	    buddy_list_mt(p) != PGR_MIGRATE_MOVABLE) {
		zone_unlock(z);
		return pgr__error(ENOENT,
				  "zone_compact_rotate: pfn %#llx is not a "
				  "free MOVABLE block of order %u",
				  (unsigned long long)pfn, order);
	}
	/* v11 page_reporting_free_area_release() before the rotation. */
	pgr__reporting_on_list_reset(z, order, PGR_MIGRATE_MOVABLE);
	move_freelist_head(z, free_list_id(z, order, PGR_MIGRATE_MOVABLE),
			   pfn_id(z, pfn));
	pgr__zone_unlock_checked(z);
	return 0;
}

const char *pgr_migratetype_name(int mt)
{
	static const char *const names[PGR_MIGRATE_TYPES] = {
		[PGR_MIGRATE_UNMOVABLE] = "Unmovable",
		[PGR_MIGRATE_MOVABLE] = "Movable",
		[PGR_MIGRATE_RECLAIMABLE] = "Reclaimable",
		[PGR_MIGRATE_HIGHATOMIC] = "HighAtomic",
		[PGR_MIGRATE_ISOLATE] = "Isolate",
	};

	if (mt < 0 || mt >= PGR_MIGRATE_TYPES)
		return "?";
	return names[mt];
}

size_t pgr_metadata_bytes_per_page(void)
{
	return sizeof(struct page);
}
