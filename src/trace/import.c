// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Importers of real kernel traces: `perf script` and ftrace (trace,
 * trace_pipe) text of the kmem page events of include/trace/events/kmem.h
 * (Linux 6.1 .. 6.18 print them alike), and /proc/zoneinfo for the zone
 * geometry.  Models no kernel code; which event becomes which model
 * operation, and why, is in include/pagereport/trace.h ("Kernel traces and
 * per-CPU lists") and doc/trace-format.md.
 *
 * Both tools print "<comm>-<pid> [cpu] <flags> <sec>.<usec>: <event>:
 * <fields>" (ftrace) or "<comm> <pid> [cpu] <sec>.<usec>: kmem:<event>:
 * <fields>" (perf script), and either may be told to leave columns out, so
 * the parser anchors on the event name, takes the timestamp from the token
 * before it and reads the fields as key=value in any order.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "trace/trace.h"

static const char *const kmem_names[PGR_NR_KMEM_EVENTS] = {
	[PGR_KMEM_PAGE_ALLOC] = "mm_page_alloc",
	[PGR_KMEM_PAGE_ALLOC_ZONE_LOCKED] = "mm_page_alloc_zone_locked",
	[PGR_KMEM_PAGE_FREE] = "mm_page_free",
	[PGR_KMEM_PAGE_FREE_BATCHED] = "mm_page_free_batched",
	[PGR_KMEM_PAGE_PCPU_DRAIN] = "mm_page_pcpu_drain",
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Find "<name>:" as a whole token ("kmem:" prefix allowed) followed by a
 * blank or the end.  Return the kmem event, -2 for another event (a token
 * "x:" after a timestamp), -1 for no event; *r_name and *r_after point at
 * the name and past its colon.
 */
static int find_event(const char *s, const char **r_name, const char **r_after)
{
	const char *p = s;

	while ((p = strstr(p, "mm_page_")) != NULL) {
		bool start = p == s || is_blank(p[-1]) ||
			     (p - s >= 5 && !strncmp(p - 5, "kmem:", 5) &&
			      (p - 5 == s || is_blank(p[-6])));

		if (start) {
			for (int e = PGR_NR_KMEM_EVENTS - 1; e >= 0; e--) {
				size_t l = strlen(kmem_names[e]);

				if (!strncmp(p, kmem_names[e], l) &&
				    p[l] == ':' &&
				    (!p[l + 1] || is_blank(p[l + 1]))) {
					*r_name = p[-1] == ':' ? p - 5 : p;
					*r_after = p + l + 1;
					return e;
				}
			}
		}
		p++;
	}
	return -1;
}

/* The last "<digits>.<digits>:" token before @end, in ns; false if none. */
static bool find_time(const char *s, const char *end, uint64_t *r_ns)
{
	const char *p = end;

	while (p > s && is_blank(p[-1]))
		p--;
	if (p == s || p[-1] != ':')
		return false;
	{
		const char *colon = p - 1, *q = colon;
		uint64_t sec = 0, frac = 0, scale = 1;
		const char *dot = NULL;
		unsigned int nd = 0;

		while (q > s && !is_blank(q[-1]))
			q--;
		for (const char *c = q; c < colon; c++) {
			if (*c == '.' && !dot) {
				dot = c;
			} else if (*c < '0' || *c > '9') {
				return false;
			} else if (!dot) {
				if (sec > UINT64_MAX / 10 / 1000000000ULL)
					return false;
				sec = sec * 10 + (uint64_t)(*c - '0');
			} else if (nd < 9) {
				frac = frac * 10 + (uint64_t)(*c - '0');
				nd++;
			}
		}
		if (!dot || dot == q || dot + 1 == colon)
			return false;
		for (unsigned int i = nd; i < 9; i++)
			scale *= 10;
		*r_ns = sec * 1000000000ULL + frac * scale;
		return true;
	}
}

struct fields {
	bool has_pfn, has_order, has_mt, has_page;
	uint64_t pfn, order;
	long mt;
	bool page_null;
};

static bool parse_num(const char *v, const char *end, bool hex_ok, uint64_t *r)
{
	uint64_t x = 0;
	int base = 10;

	if (v + 2 <= end && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		v += 2;
	}
	if (v == end || (base == 16 && !hex_ok))
		return false;
	for (; v < end; v++) {
		unsigned int d;

		if (*v >= '0' && *v <= '9')
			d = (unsigned int)(*v - '0');
		else if (base == 16 && *v >= 'a' && *v <= 'f')
			d = (unsigned int)(*v - 'a' + 10);
		else if (base == 16 && *v >= 'A' && *v <= 'F')
			d = (unsigned int)(*v - 'A' + 10);
		else
			return false;
		if (x > (UINT64_MAX - d) / (uint64_t)base)
			return false;
		x = x * (uint64_t)base + d;
	}
	*r = x;
	return true;
}

/* key=value tokens in any order; unknown keys are ignored. */
static int parse_fields(const char *s, struct fields *f, const char **r_bad)
{
	memset(f, 0, sizeof(*f));
	for (;;) {
		const char *k, *eq, *v, *end;

		while (is_blank(*s))
			s++;
		if (!*s)
			return 0;
		k = s;
		while (*s && !is_blank(*s))
			s++;
		end = s;
		eq = memchr(k, '=', (size_t)(end - k));
		if (!eq) {
			/* a word without '=' (e.g. the tail of gfp_flags) */
			continue;
		}
		v = eq + 1;
#define KEY(name) \
	((size_t)(eq - k) == strlen(name) && !strncmp(k, name, strlen(name)))
		if (KEY("pfn")) {
			if (!parse_num(v, end, true, &f->pfn)) {
				*r_bad = "pfn";
				return -1;
			}
			f->has_pfn = true;
		} else if (KEY("order")) {
			if (!parse_num(v, end, false, &f->order)) {
				*r_bad = "order";
				return -1;
			}
			f->has_order = true;
		} else if (KEY("migratetype")) {
			uint64_t m;
			bool neg = *v == '-';

			if (!parse_num(v + neg, end, false, &m) || m > 1000) {
				*r_bad = "migratetype";
				return -1;
			}
			f->mt = neg ? -(long)m : (long)m;
			f->has_mt = true;
		} else if (KEY("page")) {
			f->has_page = true;
			f->page_null =
				(end - v == 5 && !strncmp(v, "(nil)", 5)) ||
				(end - v == 1 && *v == '0') ||
				(end - v == 3 && !strncmp(v, "0x0", 3));
		}
#undef KEY
	}
}

struct import_ctx {
	const struct pgr_trace_import_config *cfg;
	struct pgr_trace_import_stats st;
	struct pgr_trace tmp;
	uint64_t last_ns;
	size_t line;
};

static bool pcp_order(const struct import_ctx *c, uint64_t order)
{
	unsigned int hi = c->cfg->pcp_max_order, thp = c->cfg->pcp_thp_order;

	if (!hi && !thp) {
		hi = 3;	 /* PAGE_ALLOC_COSTLY_ORDER */
		thp = 9; /* pageblock_order, with CONFIG_TRANSPARENT_HUGEPAGE */
	}
	return order <= hi || order == thp;
}

static int bad(struct import_ctx *c, const char *fmt, const char *what)
{
	return pgr__error(EINVAL, "trace_import: line %zu: %s%s", c->line, fmt,
			  what ? what : "");
}

/* Which model operation an event is in the chosen view, or -1 for none. */
static int map_event(struct import_ctx *c, int ev, const struct fields *f)
{
	bool buddy = c->cfg->view == PGR_TRACE_VIEW_BUDDY;

	switch (ev) {
	case PGR_KMEM_PAGE_ALLOC:
		if (buddy)
			return -1;
		return PGR_TRACE_ALLOC;
	case PGR_KMEM_PAGE_ALLOC_ZONE_LOCKED:
		return buddy ? PGR_TRACE_ALLOC : -1;
	case PGR_KMEM_PAGE_FREE:
		if (!buddy)
			return PGR_TRACE_FREE;
		if (pcp_order(c, f->order)) {
			c->st.pcp_frees++; /* to a pcp list; drained later */
			return -1;
		}
		return PGR_TRACE_FREE;
	case PGR_KMEM_PAGE_FREE_BATCHED:
		return -1; /* its mm_page_free came first */
	case PGR_KMEM_PAGE_PCPU_DRAIN:
		return buddy ? PGR_TRACE_FREE : -1;
	default:
		return -1;
	}
}

static int import_line(struct import_ctx *c, const char *s)
{
	const char *name, *after, *bad_field = NULL, *p = s;
	struct pgr_trace_event e = { .zone = PGR_TRACE_UNKNOWN };
	struct fields f;
	uint64_t ns;
	int ev, op;

	while (is_blank(*p))
		p++;
	if (!*p || *p == '#') {
		c->st.skipped++;
		return 0;
	}
	if (strstr(p, "[LOST ") && strstr(p, " EVENTS]")) {
		const char *n = strstr(p, "[LOST ") + 6;
		uint64_t lost = strtoull(n, NULL, 10);

		c->st.lost_events += lost;
		c->st.skipped++;
		return 0;
	}
	ev = find_event(p, &name, &after);
	if (ev < 0) {
		/* another tracepoint: "...: <system>:<event>: ..." or
		 * "...: <event>: ..." after a timestamp */
		const char *colon = strstr(p, ": ");

		if (colon && strchr(colon + 2, ':')) {
			c->st.other_events++;
			return 0;
		}
		if (!strncmp(p, "cpus=", 5) || !strncmp(p, "CPU ", 4) ||
		    strstr(p, "buffer started") ||
		    strstr(p, "entries-in-buffer")) {
			c->st.skipped++;
			return 0;
		}
		return bad(c, "not a trace event line", NULL);
	}
	c->st.seen[ev]++;
	/* Times are kept as printed: trace merges the per-CPU buffers in
	 * order, trace_pipe may interleave them slightly out of order. */
	if (find_time(p, name, &ns)) {
		c->last_ns = ns;
	} else {
		c->st.no_time++;
		ns = c->last_ns;
	}
	if (parse_fields(after, &f, &bad_field))
		return bad(c, "malformed field ", bad_field);
	if (!f.has_pfn)
		return bad(c, "no pfn= field in ", kmem_names[ev]);
	if (!f.has_order) {
		if (ev != PGR_KMEM_PAGE_FREE_BATCHED)
			return bad(c, "no order= field in ", kmem_names[ev]);
		f.order = 0;
	}
	if (f.order >= PGR_MAX_ORDER_LIMIT)
		return bad(c, "order out of range in ", kmem_names[ev]);
	if (f.has_mt && (f.mt < 0 || f.mt >= PGR_MIGRATE_TYPES) &&
	    !(ev == PGR_KMEM_PAGE_ALLOC && f.pfn == 0))
		return bad(c, "migratetype out of range in ", kmem_names[ev]);
	if (ev == PGR_KMEM_PAGE_ALLOC &&
	    (f.pfn == 0 || (f.has_page && f.page_null))) {
		c->st.failed_allocs++; /* __alloc_pages failed: no page */
		return 0;
	}
	if (f.pfn & ((1ULL << f.order) - 1))
		return bad(c, "pfn not aligned to its order in ",
			   kmem_names[ev]);
	op = map_event(c, ev, &f);
	if (op < 0)
		return 0;
	e.time_ns = ns;
	e.pfn = f.pfn;
	e.op = (uint8_t)op;
	e.order = (uint8_t)f.order;
	e.migratetype = f.has_mt ? (int8_t)f.mt : PGR_TRACE_UNKNOWN;
	if (c->tmp.n == c->tmp.cap && pgr__trace_reserve(&c->tmp, 1))
		return -ENOMEM;
	c->tmp.ev[c->tmp.n++] = e;
	c->st.events++;
	return 0;
}

int pgr_trace_import(struct pgr_trace *t, FILE *f,
		     const struct pgr_trace_import_config *cfg,
		     struct pgr_trace_import_stats *r_stats)
{
	static const struct pgr_trace_import_config defaults = { 0 };
	struct import_ctx c = { .cfg = cfg ? cfg : &defaults };
	char *buf = NULL;
	size_t cap = 0;
	int err = 0;

	if (!t || !f)
		return pgr__error(EINVAL, "trace_import: NULL argument");
	if ((unsigned int)c.cfg->view > PGR_TRACE_VIEW_CALLER)
		return pgr__error(EINVAL, "trace_import: bad view %d",
				  c.cfg->view);
	if (c.cfg->pcp_max_order >= PGR_MAX_ORDER_LIMIT ||
	    c.cfg->pcp_thp_order >= PGR_MAX_ORDER_LIMIT)
		return pgr__error(EINVAL, "trace_import: bad pcp orders");
	while (getline(&buf, &cap, f) >= 0) {
		c.line++;
		c.st.lines++;
		err = import_line(&c, buf);
		if (err)
			break;
	}
	free(buf);
	if (!err && ferror(f))
		err = pgr__error(EIO, "trace_import: read error");
	/* all or nothing */
	if (!err && (err = pgr__trace_reserve(t, c.tmp.n)) == 0) {
		if (c.tmp.n)
			memcpy(t->ev + t->n, c.tmp.ev,
			       c.tmp.n * sizeof(*c.tmp.ev));
		t->n += c.tmp.n;
	}
	free(c.tmp.ev);
	if (r_stats)
		*r_stats = c.st;
	return err;
}

/* ---- /proc/zoneinfo ------------------------------------------------------ */

int pgr_trace_set_zones_from_zoneinfo(struct pgr_trace *t, FILE *f,
				      unsigned int nid)
{
	struct trace_zone zones[PGR_MAX_ZONES];
	char *buf = NULL, name[64] = "";
	size_t cap = 0, line = 0;
	uint64_t spanned = 0;
	unsigned int n = 0;
	bool in_node = false, have_zone = false, have_spanned = false;
	int err = 0;

	if (!t || !f)
		return pgr__error(EINVAL, "zoneinfo: NULL argument");
	memset(zones, 0, sizeof(zones));
	while (getline(&buf, &cap, f) >= 0) {
		unsigned int node;
		unsigned long long v;
		char zn[64];

		line++;
		if (sscanf(buf, "Node %u, zone %63s", &node, zn) == 2) {
			in_node = node == nid;
			have_zone = in_node;
			have_spanned = false;
			snprintf(name, sizeof(name), "%s", zn);
			continue;
		}
		if (!have_zone)
			continue;
		if (sscanf(buf, " spanned %llu", &v) == 1) {
			spanned = v;
			have_spanned = true;
		} else if (sscanf(buf, " start_pfn: %llu", &v) == 1) {
			if (!have_spanned) {
				err = pgr__error(
					EINVAL,
					"zoneinfo: line %zu: start_pfn "
					"before spanned",
					line);
				break;
			}
			have_zone = false;
			if (!spanned)
				continue;
			if (n == PGR_MAX_ZONES) {
				err = pgr__error(ENOSPC,
						 "zoneinfo: more than %d zones",
						 PGR_MAX_ZONES);
				break;
			}
			if (strlen(name) > 15 || spanned >= UINT32_MAX - 1024) {
				err = pgr__error(EINVAL,
						 "zoneinfo: line %zu: zone %s "
						 "too big or badly named",
						 line, name);
				break;
			}
			zones[n].set = true;
			strcpy(zones[n].name, name);
			zones[n].start_pfn = v;
			zones[n].nr_pages = spanned;
			n++;
		}
	}
	free(buf);
	(void)in_node;
	if (!err && !n)
		err = pgr__error(ENOENT,
				 "zoneinfo: no populated zone of node %u", nid);
	if (!err)
		memcpy(t->zones, zones, sizeof(zones));
	return err;
}

const char *pgr__kmem_event_name(int e)
{
	return (unsigned int)e < PGR_NR_KMEM_EVENTS ? kmem_names[e] : "?";
}
