// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Import of the allocation traces LLFree's replay benchmark reads
 * (luhsra/llfree-rs, eval/src/bin/replay.rs; doc/trace-format.md has the
 * layout and where each fact comes from).  Written from the format's
 * description, not from its code.  Models no kernel file.
 *
 * The file is a sequence of 4 KiB pages: page 0 holds the header (u32
 * pages, u32 cores, u32 max_pfn), every other page one CPU's run of
 * events (u32 cpu id, then 255 16-byte entries from offset 16, the first
 * with pfn 0 ending the page).  An entry is a 128-bit little-endian bit
 * field: time in microseconds (bits 0..37), pfn (38..61), alloc (62),
 * order (63..66), GFP flags (67..95), pid (96..127).  The events of all
 * pages are merged by time, as LLFree's replay does.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "trace/trace.h"

#define LL_PAGE	     4096
#define LL_ENTRY_OFF 16
#define LL_ENTRY     16
#define LL_ENTRIES   ((LL_PAGE - 4) / LL_ENTRY) /* 255 */
#define LL_HUGE	     (1u << 9)			/* its HUGE_ORDER frames */

/* include/linux/gfp_types.h bits the migratetype comes from */
#define LL_GFP_MOVABLE	   0x08u
#define LL_GFP_RECLAIMABLE 0x10u

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* gfp_migratetype(): MOVABLE, RECLAIMABLE, neither UNMOVABLE; both: - */
static int8_t gfp_mt(uint32_t gfp)
{
	switch (gfp & (LL_GFP_MOVABLE | LL_GFP_RECLAIMABLE)) {
	case 0:
		return PGR_MIGRATE_UNMOVABLE;
	case LL_GFP_MOVABLE:
		return PGR_MIGRATE_MOVABLE;
	case LL_GFP_RECLAIMABLE:
		return PGR_MIGRATE_RECLAIMABLE;
	default:
		return PGR_TRACE_UNKNOWN;
	}
}

/*
 * Sort @n events by time, stably (bottom-up merge sort through @tmp): the
 * order within a page and between pages is kept for equal times.
 */
static void sort_by_time(struct pgr_trace_event *ev,
			 struct pgr_trace_event *tmp, size_t n)
{
	struct pgr_trace_event *src = ev, *dst = tmp;

	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi)
				dst[k++] = src[j].time_ns < src[i].time_ns
						   ? src[j++]
						   : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		src = src == ev ? tmp : ev;
		dst = dst == ev ? tmp : ev;
	}
	if (src != ev)
		memcpy(ev, src, n * sizeof(*ev));
}

static int bad_page(uint64_t page, const char *why)
{
	return pgr__error(EINVAL, "trace_import_llfree: page %llu: %s",
			  (unsigned long long)page, why);
}

int pgr_trace_import_llfree(struct pgr_trace *t, FILE *f,
			    struct pgr_trace_llfree_stats *r_stats)
{
	struct pgr_trace_llfree_stats st = { 0 };
	struct pgr_trace tmp = { 0 };
	unsigned char page[LL_PAGE];
	uint64_t max_pfn, nr_pages, n = 0;
	size_t got;
	int err = 0;

	if (!t || !f)
		return pgr__error(EINVAL, "trace_import_llfree: NULL argument");
	got = fread(page, 1, LL_PAGE, f);
	if (got != LL_PAGE)
		return ferror(f) ? pgr__error(EIO, "trace_import_llfree: read "
						   "error")
				 : bad_page(0, "the header page is shorter "
					       "than 4096 bytes");
	st.header_pages = le32(page);
	st.cores = le32(page + 4);
	max_pfn = le32(page + 8);
	st.max_pfn = max_pfn;
	/* the frames its replay manages: max_pfn + 1 up to a 2 MiB frame */
	nr_pages = (max_pfn + LL_HUGE) & ~(uint64_t)(LL_HUGE - 1);
	if (!st.cores || nr_pages >= UINT32_MAX - 1024)
		return bad_page(0, "no cores, or max_pfn too large for a zone");
	for (uint64_t pg = 1;; pg++) {
		uint32_t cpu;

		got = fread(page, 1, LL_PAGE, f);
		if (!got)
			break;
		if (got != LL_PAGE) {
			err = ferror(f)
				      ? pgr__error(EIO, "trace_import_llfree: "
							"read error")
				      : bad_page(pg, "truncated (the file is "
						     "not whole 4 KiB pages)");
			break;
		}
		cpu = le32(page);
		if (cpu >= st.cores) {
			err = bad_page(pg, "cpu id beyond the header's cores");
			break;
		}
		/* an older writer (8-byte u128) would put entry 0 here */
		if (le32(page + 8) || le32(page + 12)) {
			err = bad_page(pg, "bytes 8..15 are not zero: entries "
					   "are expected from offset 16");
			break;
		}
		st.pages++;
		for (unsigned int i = 0; i < LL_ENTRIES; i++) {
			const unsigned char *e =
				page + LL_ENTRY_OFF + LL_ENTRY * i;
			const uint64_t lo = le64(e), hi = le64(e + 8);
			const uint64_t pfn = (lo >> 38) & 0xffffff;
			const unsigned int order =
				(unsigned int)((lo >> 63) | (hi & 7) << 1);
			struct pgr_trace_event ev;

			if (!pfn)
				break; /* the rest of the page is unused */
			if (pfn & ((1ULL << order) - 1)) {
				err = pgr__error(EINVAL,
						 "trace_import_llfree: page "
						 "%llu entry %u: pfn %#llx not "
						 "aligned to order %u",
						 (unsigned long long)pg, i,
						 (unsigned long long)pfn,
						 order);
				goto out;
			}
			if (tmp.n == tmp.cap &&
			    (err = pgr__trace_reserve(&tmp, 1)))
				goto out;
			ev.time_ns = (lo & ((1ULL << 38) - 1)) * 1000;
			ev.op = (lo >> 62) & 1 ? PGR_TRACE_ALLOC
					       : PGR_TRACE_FREE;
			ev.order = (uint8_t)order;
			ev.migratetype =
				gfp_mt((uint32_t)(hi >> 3) & 0x1fffffff);
			ev.zone = PGR_TRACE_UNKNOWN;
			ev.pfn = pfn;
			tmp.ev[tmp.n++] = ev;
			if (n && tmp.ev[tmp.n - 2].time_ns > ev.time_ns)
				st.reordered++;
			n++;
			if (ev.op == PGR_TRACE_ALLOC)
				st.allocs++;
			else
				st.frees++;
		}
	}
	if (err)
		goto out;
	st.events = tmp.n;
	if ((err = pgr__trace_reserve(t, tmp.n)))
		goto out;
	if (st.reordered) {
		/* merge through the room reserved at the end of @t */
		sort_by_time(tmp.ev, t->ev + t->n, tmp.n);
	}
	/* the geometry of its replay, unless the trace has zones */
	if (!t->zones[0].set) {
		err = pgr_trace_set_zone(t, 0, "llfree", 0, nr_pages);
		if (err)
			goto out;
	}
	if (tmp.n)
		memcpy(t->ev + t->n, tmp.ev, tmp.n * sizeof(*tmp.ev));
	t->n += tmp.n;
	if (r_stats)
		*r_stats = st;
out:
	free(tmp.ev);
	return err;
}
