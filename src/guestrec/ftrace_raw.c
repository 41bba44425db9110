// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-guest: the guest's kmem trace, from the ring buffer's own
 * pages to ftrace text.  Formatting 100 MB of trace text inside a TCG
 * guest takes about a minute; the guest instead copies each CPU's
 * trace_pipe_raw (whole ring-buffer pages) to its region of the trace
 * disk, with the event formats (events/kmem/EVENT/format), and we decode
 * the pages here, merge the CPUs by time and print the lines the ftrace
 * importer reads.
 *
 * A page (events/header_page): u64 timestamp, u64 commit (bytes of data
 * in the low bits; bit 31: events were lost before this page, bit 30:
 * their count is stored after the data), then the data: events, each a
 * u32 header of type_len (5 bits) and time_delta (27 bits).  type_len 29
 * is padding (length in the next u32), 30 extends the time delta (next
 * u32 << 27), 31 is an absolute time stamp, 0 a record whose length is in
 * the next u32 (counting that u32), 1..28 a record of type_len * 4 bytes.
 * A record starts with the event id (u16 common_type) and common_pid; the
 * rest is at the offsets its format file gives.  The layout is the
 * kernel's documented ABI (include/linux/ring_buffer.h,
 * Documentation/trace/ring-buffer-design.rst); no code is taken from it.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestrec.h"

#define PAGE	      4096
#define TS_SHIFT      27
#define COMMIT_MASK   0xfffffULL
#define MISSED_EVENTS (1ULL << 31)
#define MISSED_STORED (1ULL << 30)

#define NFIELDS 8

/* One event's format: its id and the offsets of the fields we print. */
struct evfmt {
	char name[48];
	unsigned id;
	int nf;
	struct {
		char name[32];
		unsigned off, size;
		bool sign;
	} f[NFIELDS];
};

/* Fields printed, in this order, when the format has them. */
static const char *const wanted[] = {
	"pfn",
	"order",
	"migratetype",
	"percpu_refill",
	"alloc_order",
	"fallback_order",
	"alloc_migratetype",
	"fallback_migratetype",
};

static int read_format(const char *path, const char *name, struct evfmt *e)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (!f) {
		fprintf(stderr, "pagereport-guest: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	while (fgets(line, sizeof(line), f)) {
		char decl[128], *fname;
		unsigned off, size;
		int sign = 0;

		if (sscanf(line, "ID: %u", &e->id) == 1)
			continue;
		if (sscanf(line,
			   " field:%127[^;]; offset:%u; size:%u; signed:%d",
			   decl, &off, &size, &sign) < 3)
			continue;
		fname = strrchr(decl, ' ');
		fname = fname ? fname + 1 : decl;
		for (size_t w = 0; w < sizeof(wanted) / sizeof(wanted[0]); w++)
			if (!strcmp(fname, wanted[w]) && e->nf < NFIELDS &&
			    (size == 1 || size == 2 || size == 4 ||
			     size == 8)) {
				snprintf(e->f[e->nf].name,
					 sizeof(e->f[e->nf].name), "%.31s",
					 fname);
				e->f[e->nf].off = off;
				e->f[e->nf].size = size;
				e->f[e->nf].sign = sign;
				e->nf++;
			}
	}
	fclose(f);
	if (!e->id) {
		fprintf(stderr, "pagereport-guest: %s: no ID line\n", path);
		return -1;
	}
	return 0;
}

/* One decoded record, kept until the CPUs are merged. */
struct rec {
	uint64_t ts;
	uint64_t v[NFIELDS];
	int32_t pid;
	uint16_t ev; /* index into the formats */
	uint16_t cpu;
};

struct recs {
	struct rec *v;
	size_t n, cap;
};

static uint64_t get(const unsigned char *p, unsigned size, bool sign)
{
	uint64_t v = 0;

	memcpy(&v, p, size); /* little-endian x86-64 */
	if (sign && size < 8 && (v >> (size * 8 - 1)) & 1)
		v |= ~0ULL << (size * 8);
	return v;
}

static int add_rec(struct recs *r, const struct rec *x)
{
	if (r->n == r->cap) {
		size_t c = r->cap ? r->cap * 2 : 65536;
		struct rec *v = realloc(r->v, c * sizeof(*v));

		if (!v)
			return -1;
		r->v = v;
		r->cap = c;
	}
	r->v[r->n++] = *x;
	return 0;
}

/* Decode one page of CPU @cpu.  Return 0, 1 at the end of the data. */
static int page(const unsigned char *pg, unsigned cpu, const struct evfmt *fm,
		int nfm, struct recs *out, uint64_t *r_lost, uint64_t *r_other)
{
	uint64_t ts, commit, size, pos = 0;
	const unsigned char *d = pg + 16;

	memcpy(&ts, pg, 8);
	memcpy(&commit, pg + 8, 8);
	size = commit & COMMIT_MASK;
	if (!ts && !commit)
		return 1;
	if (size > PAGE - 16)
		return -1;
	if (commit & MISSED_EVENTS) {
		uint64_t n = 1;

		if ((commit & MISSED_STORED) && size + 8 <= PAGE - 16)
			memcpy(&n, d + size, 8);
		*r_lost += n;
	}
	while (pos + 4 <= size) {
		uint32_t h, a0 = 0;
		unsigned tl;
		uint64_t delta, len, body;

		memcpy(&h, d + pos, 4);
		tl = h & 31;
		delta = h >> 5;
		if (pos + 8 <= size)
			memcpy(&a0, d + pos + 4, 4);
		switch (tl) {
		case 29: /* padding: the rest of the page, or a discarded one */
			if (!delta && !a0)
				return 0;
			ts += delta;
			pos += 4 + a0;
			continue;
		case 30: /* time extend */
			ts += ((uint64_t)a0 << TS_SHIFT) + delta;
			pos += 8;
			continue;
		case 31: /* absolute time stamp */
			ts = ((uint64_t)a0 << TS_SHIFT) + delta;
			pos += 8;
			continue;
		case 0:
			if (a0 < 4)
				return -1;
			len = (a0 - 4 + 3) & ~3ULL;
			body = pos + 8;
			break;
		default:
			len = (uint64_t)tl * 4;
			body = pos + 4;
			break;
		}
		ts += delta;
		if (body + len > size)
			return -1;
		if (len >= 8) {
			const unsigned char *e = d + body;
			uint16_t id = (uint16_t)get(e, 2, false);
			struct rec x = { .ts = ts, .cpu = (uint16_t)cpu };
			int k;

			for (k = 0; k < nfm && fm[k].id != id; k++)
				;
			if (k == nfm) {
				(*r_other)++;
			} else {
				x.ev = (uint16_t)k;
				x.pid = (int32_t)get(e + 4, 4, true);
				for (int i = 0; i < fm[k].nf; i++)
					if (fm[k].f[i].off + fm[k].f[i].size <=
					    len)
						x.v[i] = get(e + fm[k].f[i].off,
							     fm[k].f[i].size,
							     fm[k].f[i].sign);
				if (add_rec(out, &x))
					return -1;
			}
		}
		pos = body + len;
	}
	return 0;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

int gr_ftrace_raw_to_text(const char *disk, uint64_t region, unsigned ncpu,
			  const char *fmtdir, const char *const *events,
			  unsigned nev, const char *txt, uint64_t *r_events,
			  uint64_t *r_lost)
{
	struct evfmt fm[16];
	struct recs rs = { 0 };
	unsigned char pg[PAGE];
	uint64_t other = 0;
	int nfm = 0, err = 0;
	FILE *in, *out;

	*r_events = *r_lost = 0;
	for (unsigned i = 0; i < nev && i < 16; i++) {
		char p[4200];

		snprintf(p, sizeof(p), "%s/%s.format", fmtdir, events[i]);
		if (read_format(p, events[i], &fm[nfm]))
			return -1;
		nfm++;
	}
	in = fopen(disk, "rb");
	if (!in) {
		fprintf(stderr, "pagereport-guest: %s: %s\n", disk,
			strerror(errno));
		return -1;
	}
	for (unsigned c = 0; c < ncpu && !err; c++) {
		if (fseeko(in, (off_t)(c * region), SEEK_SET)) {
			err = -1;
			break;
		}
		for (uint64_t p = 0; p < region / PAGE; p++) {
			int r;

			if (fread(pg, PAGE, 1, in) != 1)
				break;
			r = page(pg, c, fm, nfm, &rs, r_lost, &other);
			if (r < 0) {
				fprintf(stderr,
					"pagereport-guest: CPU %u's trace "
					"page %" PRIu64 " is malformed\n",
					c, p);
				err = -1;
				break;
			}
			if (r == 1)
				break;
		}
	}
	fclose(in);
	if (err) {
		free(rs.v);
		return -1;
	}
	qsort(rs.v, rs.n, sizeof(*rs.v), cmp_rec);
	out = fopen(txt, "w");
	if (!out) {
		fprintf(stderr, "pagereport-guest: %s: %s\n", txt,
			strerror(errno));
		free(rs.v);
		return -1;
	}
	fprintf(out,
		"# tracer: nop\n"
		"# decoded by pagereport-guest from the guest's trace_pipe_raw "
		"pages: %zu events, %" PRIu64 " lost, %" PRIu64
		" of other events\n",
		rs.n, *r_lost, other);
	for (size_t i = 0; i < rs.n; i++) {
		const struct rec *x = &rs.v[i];
		const struct evfmt *e = &fm[x->ev];

		fprintf(out,
			"%16s-%-7d [%03u] ..... %5" PRIu64 ".%09" PRIu64
			": %s:",
			"<...>", (int)x->pid, x->cpu,
			(uint64_t)(x->ts / 1000000000U),
			(uint64_t)(x->ts % 1000000000U), e->name);
		for (int k = 0; k < e->nf; k++) {
			uint64_t v = x->v[k];

			if (!strcmp(e->f[k].name, "pfn"))
				/* a failed allocation: -1UL, printed as 0 */
				fprintf(out, " pfn=0x%" PRIx64,
					v == ~0ULL ? 0 : v);
			else if (e->f[k].sign)
				fprintf(out, " %s=%" PRId64, e->f[k].name,
					(int64_t)v);
			else
				fprintf(out, " %s=%" PRIu64, e->f[k].name, v);
		}
		fputc('\n', out);
	}
	*r_events = rs.n;
	free(rs.v);
	return fclose(out) ? -1 : 0;
}
