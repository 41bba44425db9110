// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The pgrtrace text format, version 1 (doc/trace-format.md): writer and
 * reader.  Models no kernel file.
 *
 * The reader parses by hand (no sscanf) because replaying a large trace
 * starts with reading it; it collects into a scratch array and appends only
 * when the whole input parsed, so a bad line changes nothing.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "trace/trace.h"

int pgr_trace_write(const struct pgr_trace *t, FILE *f)
{
	if (!t || !f)
		return pgr__error(EINVAL, "trace_write: NULL argument");
	fprintf(f, "pgrtrace %d\n", PGR_TRACE_FORMAT_VERSION);
	fprintf(f, "# op time_ns pfn order migratetype zone\n");
	for (unsigned int i = 0; i < PGR_MAX_ZONES; i++)
		if (t->zones[i].set)
			fprintf(f, "z %u %s %#llx %llu\n", i, t->zones[i].name,
				(unsigned long long)t->zones[i].start_pfn,
				(unsigned long long)t->zones[i].nr_pages);
	for (size_t i = 0; i < t->n; i++) {
		const struct pgr_trace_event *e = &t->ev[i];
		char mt[8], zone[8];

		if (e->migratetype < 0)
			strcpy(mt, "-");
		else
			snprintf(mt, sizeof(mt), "%d", e->migratetype);
		if (e->zone < 0)
			strcpy(zone, "-");
		else
			snprintf(zone, sizeof(zone), "%d", e->zone);
		fprintf(f, "%c %llu %#llx %u %s %s\n",
			e->op == PGR_TRACE_ALLOC ? 'a' : 'f',
			(unsigned long long)e->time_ns,
			(unsigned long long)e->pfn, e->order, mt, zone);
	}
	if (fflush(f) || ferror(f))
		return pgr__error(EIO, "trace_write: %s", strerror(errno));
	return 0;
}

int pgr_trace_save(const struct pgr_trace *t, const char *path)
{
	FILE *f;
	int err;

	if (!t || !path)
		return pgr__error(EINVAL, "trace_save: NULL argument");
	f = fopen(path, "w");
	if (!f)
		return pgr__error(errno, "trace_save: %s: %s", path,
				  strerror(errno));
	err = pgr_trace_write(t, f);
	if (fclose(f) && !err)
		err = pgr__error(EIO, "trace_save: %s: %s", path,
				 strerror(errno));
	return err;
}

/* Unsigned number in base 10 or (0x prefix) 16; advances *p. */
static bool parse_u64(const char **p, uint64_t *r)
{
	const char *s = *p;
	uint64_t v = 0;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s || *s == ' ' || *s == '\n')
		return false;
	for (;; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + d;
	}
	*p = s;
	*r = v;
	return true;
}

static bool skip_blank(const char **p)
{
	const char *s = *p;

	if (*s != ' ' && *s != '\t')
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	*p = s;
	return true;
}

static bool at_end(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	return *s == '\n' || !*s;
}

/* A small signed field or "-" (unknown). */
static bool parse_small(const char **p, int max, int8_t *r)
{
	uint64_t v;

	if (**p == '-') {
		(*p)++;
		*r = PGR_TRACE_UNKNOWN;
		return true;
	}
	if (!parse_u64(p, &v) || v >= (uint64_t)max)
		return false;
	*r = (int8_t)v;
	return true;
}

static int bad_line(size_t line, const char *why)
{
	return pgr__error(EINVAL, "trace_read: line %zu: %s", line, why);
}

static int parse_zone_line(struct pgr_trace_event *unused, const char *s,
			   size_t line, struct trace_zone *zones)
{
	uint64_t idx, start, nr;
	const char *name;
	size_t len;

	(void)unused;
	if (!skip_blank(&s) || !parse_u64(&s, &idx) || idx >= PGR_MAX_ZONES ||
	    !skip_blank(&s))
		return bad_line(line, "expected \"z <zone> <name> <start_pfn> "
				      "<nr_pages>\"");
	name = s;
	/* the names pgr_trace_set_zone() takes: no blank, CR or LF */
	while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
		s++;
	len = (size_t)(s - name);
	if (!len || len > 15 || !skip_blank(&s) || !parse_u64(&s, &start) ||
	    !skip_blank(&s) || !parse_u64(&s, &nr) || !at_end(s) || !nr ||
	    nr >= UINT32_MAX - 1024 || start > UINT64_MAX - nr)
		return bad_line(line, "bad zone line");
	zones[idx].set = true;
	memcpy(zones[idx].name, name, len);
	zones[idx].name[len] = '\0';
	zones[idx].start_pfn = start;
	zones[idx].nr_pages = nr;
	return 0;
}

/* One event line after its op letter. */
static int parse_event(const char *s, size_t line, struct pgr_trace_event *e)
{
	uint64_t order;

	if (!skip_blank(&s) || !parse_u64(&s, &e->time_ns) || !skip_blank(&s) ||
	    !parse_u64(&s, &e->pfn) || !skip_blank(&s) ||
	    !parse_u64(&s, &order) || order >= PGR_MAX_ORDER_LIMIT ||
	    !skip_blank(&s) ||
	    !parse_small(&s, PGR_MIGRATE_TYPES, &e->migratetype) ||
	    !skip_blank(&s) || !parse_small(&s, PGR_MAX_ZONES, &e->zone) ||
	    !at_end(s))
		return bad_line(line, "expected \"<a|f> <time_ns> <pfn> "
				      "<order> <migratetype|-> <zone|->\"");
	e->order = (uint8_t)order;
	if (e->pfn & ((1ULL << order) - 1))
		return bad_line(line, "pfn not aligned to its order");
	return 0;
}

int pgr_trace_read(struct pgr_trace *t, FILE *f)
{
	struct pgr_trace tmp = { 0 };
	char *buf = NULL;
	size_t cap = 0, line = 0;
	ssize_t len;
	int err = 0;
	bool header = false;

	if (!t || !f)
		return pgr__error(EINVAL, "trace_read: NULL argument");
	/* the binary format starts with a byte no text header has */
	{
		int c = getc(f);

		if (c != EOF && ungetc(c, f) == EOF)
			return pgr__error(EIO, "trace_read: ungetc failed");
		if (c != EOF && pgr__trace_is_binary(c))
			return pgr__trace_read_binary(t, f);
	}
	memcpy(tmp.zones, t->zones, sizeof(tmp.zones));
	while ((len = getline(&buf, &cap, f)) >= 0) {
		const char *s = buf;
		struct pgr_trace_event e;

		line++;
		if (!header) {
			uint64_t v;

			if (strncmp(s, "pgrtrace", 8)) {
				err = bad_line(line,
					       "not a pgrtrace file "
					       "(no \"pgrtrace 1\" header)");
				break;
			}
			s += 8;
			if (!skip_blank(&s) || !parse_u64(&s, &v) ||
			    !at_end(s)) {
				err = bad_line(line, "bad header");
				break;
			}
			if (v != PGR_TRACE_FORMAT_VERSION) {
				err = pgr__error(EINVAL,
						 "trace_read: line %zu: format "
						 "version %llu, this library "
						 "reads %d",
						 line, (unsigned long long)v,
						 PGR_TRACE_FORMAT_VERSION);
				break;
			}
			header = true;
			continue;
		}
		if (*s == '#' || at_end(s))
			continue;
		if (*s == 'z') {
			err = parse_zone_line(NULL, s + 1, line, tmp.zones);
			if (err)
				break;
			continue;
		}
		if (*s != 'a' && *s != 'f') {
			err = bad_line(line, "unknown op (a, f, z or #)");
			break;
		}
		e.op = *s == 'a' ? PGR_TRACE_ALLOC : PGR_TRACE_FREE;
		err = parse_event(s + 1, line, &e);
		if (err)
			break;
		if (tmp.n == tmp.cap && (err = pgr__trace_reserve(&tmp, 1)))
			break;
		tmp.ev[tmp.n++] = e;
	}
	free(buf);
	if (!err && ferror(f))
		err = pgr__error(EIO, "trace_read: read error");
	if (!err && !header)
		err = bad_line(line + 1, "empty input (no header)");
	if (!err && (err = pgr__trace_reserve(t, tmp.n)) == 0) {
		if (tmp.n)
			memcpy(t->ev + t->n, tmp.ev, tmp.n * sizeof(*tmp.ev));
		t->n += tmp.n;
		memcpy(t->zones, tmp.zones, sizeof(tmp.zones));
	}
	free(tmp.ev);
	return err;
}

int pgr_trace_load(struct pgr_trace *t, const char *path)
{
	FILE *f;
	int err;

	if (!t || !path)
		return pgr__error(EINVAL, "trace_load: NULL argument");
	f = fopen(path, "rb");
	if (!f)
		return pgr__error(errno, "trace_load: %s: %s", path,
				  strerror(errno));
	err = pgr_trace_read(t, f);
	fclose(f);
	return err;
}
