// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-sim: one run of a workload or a trace through a reporting
 * strategy into a sink, on a node of a given geometry, with a progress
 * line and a time series (CSV and/or JSON) of reported bytes, list nodes
 * visited, re-reported pages and free blocks per order.  Models no kernel
 * file: a thin main over workload.h, trace.h, reporting.h and mm.h.
 *
 * The starting state of an exact replay can be a real machine's: a list of
 * free blocks ("<pfn> <order>" lines, --start-free), which --kpage-free
 * derives from a /proc/kpageflags snapshot (KPF_BUDDY marks every page of
 * a free buddy block on Linux 6.x, so the free runs are decomposed into
 * naturally aligned blocks as the buddy allocator holds them).  At the end
 * the model's free blocks per order can be compared with /proc/buddyinfo
 * (--compare-buddyinfo) and block by block with another free list
 * (--compare-free).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pagereport/pagereport.h>

#include "compare.h"

#define NSEC_PER_SEC 1000000000ULL
#define KPF_BUDDY    10
#define KPF_NOPAGE   20
#define MAX_PARAMS   32 /* --param settings */
#define MAX_COUNTERS 16 /* named counters in the time series */

struct opts {
	const char *workload, *trace, *import, *zoneinfo, *start_free;
	const char *strategy, *sink, *csv, *json, *record, *cmp_buddyinfo;
	const char *cmp_free, *kpage_free, *write_free, *convert;
	bool convert_text, llfree;
	enum pgr_trace_view view;
	enum pgr_replay_mode mode;
	uint64_t mem, start_pfn, seed, interval_ns;
	double seconds, rate, occupancy;
	unsigned capacity;
	bool dump, quiet, repair, list_strategies;
	/* --param NAME=VALUE, for the strategy's registration */
	struct pgr_param params[MAX_PARAMS];
	unsigned nr_params;
};

/* ---- time series ---------------------------------------------------------
 */

struct sample {
	double t_s;
	uint64_t events, bytes_reported, nodes_visited, rereported, batches;
	uint64_t nr_free[PGR_MAX_ORDER_LIMIT];
	uint64_t counters[MAX_COUNTERS]; /* the strategy's, by index */
};

struct series {
	struct sample *v;
	size_t n, cap;
	unsigned max_order;
	/* the strategy's named counters (pgr_reporting_counter) */
	unsigned nr_counters;
	const char *counter[MAX_COUNTERS];
};

struct run {
	struct opts *o;
	struct pgr_node *node;
	bool engine;
	struct series s;
	uint64_t next_sample, t0, events, total;
	bool started;
	uint64_t wall0;
};

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void take_sample(struct run *r, double t_s)
{
	struct pgr_reporting_stats rs = { 0 };
	struct sample *x;

	if (r->s.n == r->s.cap) {
		size_t c = r->s.cap ? r->s.cap * 2 : 256;
		struct sample *nv = realloc(r->s.v, c * sizeof(*nv));

		if (!nv)
			return;
		r->s.v = nv;
		r->s.cap = c;
	}
	x = &r->s.v[r->s.n++];
	memset(x, 0, sizeof(*x));
	if (r->engine) {
		pgr_reporting_get_stats(r->node, &rs);
		for (unsigned i = 0; i < r->s.nr_counters; i++)
			pgr_reporting_counter(r->node, i, NULL,
					      &x->counters[i]);
	}
	x->t_s = t_s;
	x->events = r->events;
	x->bytes_reported = rs.bytes_reported;
	x->nodes_visited = rs.nodes_visited;
	x->rereported = rs.rereported_pages;
	x->batches = rs.batches;
	for (unsigned z = 0; z < pgr_node_nr_zones(r->node); z++) {
		struct pgr_zone_info info;

		pgr_zone_get_info(pgr_node_zone(r->node, z), &info);
		r->s.max_order = info.max_order;
		for (unsigned k = 0; k < info.max_order; k++)
			x->nr_free[k] += info.nr_free[k];
	}
}

static void progress(struct run *r, double t_s, bool last)
{
	double el = (double)(wall_ns() - r->wall0) / 1e9;

	if (r->o->quiet || (!last && !isatty(STDERR_FILENO)))
		return;
	fprintf(stderr, "\r\033[K[sim] t=%.1fs events %" PRIu64, t_s,
		r->events);
	if (r->total)
		fprintf(stderr, "/%" PRIu64 " (%.0f%%)", r->total,
			100.0 * (double)r->events / (double)r->total);
	fprintf(stderr, "  %.1fs wall%s", el, last ? "\n" : "");
	fflush(stderr);
}

static int write_series(struct run *r)
{
	const struct series *s = &r->s;
	FILE *f;

	if (r->o->csv) {
		f = strcmp(r->o->csv, "-") ? fopen(r->o->csv, "w") : stdout;
		if (!f) {
			perror(r->o->csv);
			return -errno;
		}
		fprintf(f, "t_s,events,bytes_reported,nodes_visited,"
			   "rereported_pages,batches");
		for (unsigned k = 0; k < s->max_order; k++)
			fprintf(f, ",free_o%u", k);
		for (unsigned k = 0; k < s->nr_counters; k++)
			fprintf(f, ",%s", s->counter[k]);
		fputc('\n', f);
		for (size_t i = 0; i < s->n; i++) {
			const struct sample *x = &s->v[i];

			fprintf(f,
				"%.3f,%" PRIu64 ",%" PRIu64 ",%" PRIu64
				",%" PRIu64 ",%" PRIu64,
				x->t_s, x->events, x->bytes_reported,
				x->nodes_visited, x->rereported, x->batches);
			for (unsigned k = 0; k < s->max_order; k++)
				fprintf(f, ",%" PRIu64, x->nr_free[k]);
			for (unsigned k = 0; k < s->nr_counters; k++)
				fprintf(f, ",%" PRIu64, x->counters[k]);
			fputc('\n', f);
		}
		if (f != stdout)
			fclose(f);
	}
	if (r->o->json) {
		f = strcmp(r->o->json, "-") ? fopen(r->o->json, "w") : stdout;
		if (!f) {
			perror(r->o->json);
			return -errno;
		}
		fprintf(f,
			"{\"schema_version\":1,\"tool\":\"pagereport-sim\","
			"\"config\":{\"source\":\"%s\",\"strategy\":\"%s\","
			"\"mode\":\"%s\",\"seed\":%" PRIu64 "},\"series\":[",
			r->o->trace    ? r->o->trace
			: r->o->import ? r->o->import
				       : r->o->workload,
			r->o->strategy, pgr_replay_mode_name(r->o->mode),
			r->o->seed);
		for (size_t i = 0; i < s->n; i++) {
			const struct sample *x = &s->v[i];

			fprintf(f,
				"%s{\"t_s\":%.3f,\"events\":%" PRIu64
				",\"bytes_reported\":%" PRIu64
				",\"nodes_visited\":%" PRIu64
				",\"rereported_pages\":%" PRIu64
				",\"batches\":%" PRIu64 ",\"free_blocks\":[",
				i ? "," : "", x->t_s, x->events,
				x->bytes_reported, x->nodes_visited,
				x->rereported, x->batches);
			for (unsigned k = 0; k < s->max_order; k++)
				fprintf(f, "%s%" PRIu64, k ? "," : "",
					x->nr_free[k]);
			fputs("],\"counters\":{", f);
			for (unsigned k = 0; k < s->nr_counters; k++)
				fprintf(f, "%s\"%s\":%" PRIu64, k ? "," : "",
					s->counter[k], x->counters[k]);
			fputs("}}", f);
		}
		fputs("]}\n", f);
		if (f != stdout)
			fclose(f);
	}
	return 0;
}

/* ---- free-block lists ---------------------------------------------------- */

struct fblock {
	uint64_t pfn;
	unsigned order;
};

struct flist {
	struct fblock *v;
	size_t n, cap;
};

static int flist_add(struct flist *l, uint64_t pfn, unsigned order)
{
	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 4096;
		struct fblock *nv = realloc(l->v, c * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = c;
	}
	l->v[l->n++] = (struct fblock){ pfn, order };
	return 0;
}

static int cmp_fblock(const void *a, const void *b)
{
	const struct fblock *x = a, *y = b;

	return (x->pfn > y->pfn) - (x->pfn < y->pfn);
}

static FILE *open_input(const char *path, bool *r_pipe);
static void close_input(FILE *f, bool pipe);

static int flist_load(const char *path, struct flist *l)
{
	bool pipe;
	FILE *f = open_input(path, &pipe);
	char line[128];
	size_t ln = 0;

	if (!f) {
		fprintf(stderr, "pagereport-sim: %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long pfn;
		unsigned order;

		ln++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%llx %u", &pfn, &order) != 2 ||
		    order >= PGR_MAX_ORDER_LIMIT ||
		    (pfn & ((1ULL << order) - 1))) {
			fprintf(stderr,
				"pagereport-sim: %s: line %zu: expected "
				"\"<pfn hex> <order>\"\n",
				path, ln);
			close_input(f, pipe);
			return -EINVAL;
		}
		if (flist_add(l, pfn, order)) {
			close_input(f, pipe);
			return -ENOMEM;
		}
	}
	close_input(f, pipe);
	qsort(l->v, l->n, sizeof(*l->v), cmp_fblock);
	return 0;
}

/* The model's free blocks, sorted by pfn. */
static int flist_from_model(struct pgr_node *node, struct flist *l)
{
	for (unsigned z = 0; z < pgr_node_nr_zones(node); z++) {
		struct pgr_zone *zone = pgr_node_zone(node, z);
		struct pgr_zone_info info;

		pgr_zone_get_info(zone, &info);
		for (unsigned o = 0; o < info.max_order; o++)
			for (int mt = 0; mt < PGR_MIGRATE_TYPES; mt++) {
				long n = pgr_free_list_walk(
					zone, o, (enum pgr_migratetype)mt, NULL,
					0);
				uint64_t *p;

				if (n <= 0)
					continue;
				p = malloc((size_t)n * sizeof(*p));
				if (!p)
					return -ENOMEM;
				pgr_free_list_walk(zone, o,
						   (enum pgr_migratetype)mt, p,
						   (size_t)n);
				for (long i = 0; i < n; i++)
					if (flist_add(l, p[i], o)) {
						free(p);
						return -ENOMEM;
					}
				free(p);
			}
	}
	qsort(l->v, l->n, sizeof(*l->v), cmp_fblock);
	return 0;
}

/*
 * Free blocks of a /proc/kpageflags snapshot over the node's zones: runs
 * of KPF_BUDDY pages, decomposed into the largest naturally aligned blocks
 * (what a fully merged buddy allocator holds).
 */
static int kpage_free_blocks(const char *path, const struct pgr_node_config *c,
			     unsigned max_order, struct flist *l)
{
	FILE *f = fopen(path, "rb");
	int err = 0;

	if (!f) {
		fprintf(stderr, "pagereport-sim: %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	for (unsigned z = 0; z < c->nr_zones && !err; z++) {
		uint64_t s = c->zones[z].start_pfn,
			 e = s + c->zones[z].nr_pages;
		uint64_t run = UINT64_MAX, p;

		if (fseeko(f, (off_t)(s * 8), SEEK_SET)) {
			err = -errno;
			break;
		}
		for (p = s; p <= e; p++) {
			uint64_t flags = 0;
			bool buddy = false;

			if (p < e) {
				if (fread(&flags, 8, 1, f) != 1) {
					fprintf(stderr,
						"pagereport-sim: %s: short at "
						"pfn %#" PRIx64 "\n",
						path, p);
					err = -EIO;
					break;
				}
				buddy = (flags >> KPF_BUDDY) & 1;
			}
			if (buddy && run == UINT64_MAX)
				run = p;
			if (!buddy && run != UINT64_MAX) {
				uint64_t q = run;

				while (q < p && !err) {
					unsigned o = max_order - 1;

					while (o && ((q & ((1ULL << o) - 1)) ||
						     q + (1ULL << o) > p))
						o--;
					err = flist_add(l, q, o);
					q += 1ULL << o;
				}
				run = UINT64_MAX;
			}
		}
	}
	fclose(f);
	return err;
}

/* Make exactly @l free: take everything else (exact replay's start). */
static int set_free_blocks(struct pgr_node *node, const struct flist *l)
{
	size_t i = 0;

	for (unsigned z = 0; z < pgr_node_nr_zones(node); z++) {
		struct pgr_zone *zone = pgr_node_zone(node, z);
		struct pgr_zone_info info;
		uint64_t p, e;

		pgr_zone_get_info(zone, &info);
		p = info.start_pfn;
		e = p + info.nr_pages;
		while (i < l->n && l->v[i].pfn < p)
			i++;
		while (p < e) {
			uint64_t stop = e;

			if (i < l->n && l->v[i].pfn < e)
				stop = l->v[i].pfn;
			while (p < stop) {
				unsigned o = info.max_order - 1;
				int err;

				while (o && ((p & ((1ULL << o) - 1)) ||
					     p + (1ULL << o) > stop))
					o--;
				err = pgr_take_block(zone, p, o);
				if (err) {
					fprintf(stderr,
						"pagereport-sim: start state: "
						"%s\n",
						pgr_errmsg());
					return err;
				}
				p += 1ULL << o;
			}
			if (i < l->n && l->v[i].pfn < e) {
				p = l->v[i].pfn + (1ULL << l->v[i].order);
				i++;
			}
		}
	}
	return 0;
}

static void flist_compare(const struct flist *model, const struct flist *ref)
{
	size_t i = 0, j = 0, both = 0;
	uint64_t pm = 0, pr = 0, pboth = 0;

	for (size_t k = 0; k < model->n; k++)
		pm += 1ULL << model->v[k].order;
	for (size_t k = 0; k < ref->n; k++)
		pr += 1ULL << ref->v[k].order;
	while (i < model->n && j < ref->n) {
		const struct fblock *a = &model->v[i], *b = &ref->v[j];
		uint64_t ae = a->pfn + (1ULL << a->order);
		uint64_t be = b->pfn + (1ULL << b->order);
		uint64_t lo = a->pfn > b->pfn ? a->pfn : b->pfn;
		uint64_t hi = ae < be ? ae : be;

		if (a->pfn == b->pfn && a->order == b->order)
			both++;
		if (hi > lo)
			pboth += hi - lo;
		if (ae <= be)
			i++;
		else
			j++;
	}
	printf("free blocks: model %zu, reference %zu, identical (pfn and "
	       "order) %zu\n",
	       model->n, ref->n, both);
	printf("free pages:  model %" PRIu64 ", reference %" PRIu64
	       ", free in both %" PRIu64 " (%.2f%% of the reference)\n",
	       pm, pr, pboth, pr ? 100.0 * (double)pboth / (double)pr : 0);
}

static int compare_buddyinfo(const char *path, struct pgr_node *node)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (!f) {
		fprintf(stderr, "pagereport-sim: %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	printf("%-8s %-6s", "zone", "");
	for (unsigned o = 0; o < 11; o++)
		printf(" %7u", o);
	printf("\n");
	while (fgets(line, sizeof(line), f)) {
		char name[32];
		int nid, off;
		unsigned long long v[PGR_MAX_ORDER_LIMIT];
		unsigned n = 0;
		const char *s;

		if (sscanf(line, "Node %d, zone %31s%n", &nid, name, &off) < 2)
			continue;
		for (s = line + off; n < PGR_MAX_ORDER_LIMIT;) {
			char *end;

			v[n] = strtoull(s, &end, 10);
			if (end == s)
				break;
			n++;
			s = end;
		}
		for (unsigned z = 0; z < pgr_node_nr_zones(node); z++) {
			struct pgr_zone_info info;

			pgr_zone_get_info(pgr_node_zone(node, z), &info);
			if (strcmp(info.name, name))
				continue;
			printf("%-8s %-6s", name, "kernel");
			for (unsigned o = 0; o < n; o++)
				printf(" %7llu", v[o]);
			printf("\n%-8s %-6s", "", "model");
			for (unsigned o = 0; o < info.max_order; o++)
				printf(" %7" PRIu64, info.nr_free[o]);
			printf("\n");
		}
	}
	fclose(f);
	return 0;
}

/* ---- the run ------------------------------------------------------------- */

static int after_event(void *arg, size_t i, const struct pgr_trace_event *ev)
{
	struct run *r = arg;
	uint64_t t;

	(void)i;
	r->events++;
	if (!r->started) {
		r->started = true;
		r->t0 = ev->time_ns;
		r->next_sample = r->o->interval_ns;
		take_sample(r, 0);
	}
	t = ev->time_ns > r->t0 ? ev->time_ns - r->t0 : 0;
	if (t >= r->next_sample) {
		take_sample(r, (double)t / 1e9);
		while (r->next_sample <= t)
			r->next_sample += r->o->interval_ns;
		progress(r, (double)t / 1e9, false);
	}
	return 0;
}

static FILE *open_input(const char *path, bool *r_pipe)
{
	size_t n = strlen(path);
	const char *tool = NULL;
	char cmd[4200];

	*r_pipe = false;
	if (!strcmp(path, "-"))
		return stdin;
	if (n > 3 && !strcmp(path + n - 3, ".xz"))
		tool = "xz -dc";
	else if (n > 3 && !strcmp(path + n - 3, ".gz"))
		tool = "gzip -dc";
	else if (n > 4 && !strcmp(path + n - 4, ".zst"))
		tool = "zstd -dc";
	if (!tool)
		return fopen(path, "r");
	if (access(path, R_OK))
		return NULL;
	snprintf(cmd, sizeof(cmd), "%s '%s'", tool, path);
	*r_pipe = true;
	return popen(cmd, "r");
}

static void close_input(FILE *f, bool pipe)
{
	if (pipe)
		pclose(f);
	else if (f != stdin)
		fclose(f);
}

static void usage(FILE *f)
{
	fputs("Usage: pagereport-sim [OPTION]...\n"
	      "One run of a workload or a trace through a free page "
	      "reporting strategy.\n\n"
	      "Source (one of):\n"
	      "  --workload KIND      churn, build, fill-free, page-fault1 "
	      "(default churn)\n"
	      "  --trace FILE         a pgrtrace file (.xz/.gz/.zst ok; - = "
	      "stdin)\n"
	      "  --import FILE        perf script or ftrace text of the kmem "
	      "events\n"
	      "  --view buddy|caller  which kmem events are the model's "
	      "(default buddy)\n"
	      "  --import-llfree FILE an LLFree replay trace "
	      "(luhsra/llfree-rs)\n"
	      "Node:\n"
	      "  --zoneinfo FILE      zones from /proc/zoneinfo (node 0)\n"
	      "  --mem SIZE           else one zone of SIZE bytes (default "
	      "1G; K/M/G)\n"
	      "  --start-pfn PFN      its first pfn (default 0x100000)\n"
	      "Replay:\n"
	      "  --mode exact|policy  (default exact for traces)\n"
	      "  --start-free FILE    exact: only these blocks (\"<pfn hex> "
	      "<order>\") start free\n"
	      "  --repair             exact: an alloc of a block the model "
	      "has allocated frees it first\n"
	      "  --kpage-free FLAGS   print the free blocks of a "
	      "/proc/kpageflags snapshot and exit\n"
	      "Reporting:\n"
	      "  --strategy NAME      v11-boundary (default), v11-rescan, "
	      "upstream, bitmap,\n"
	      "                       a loaded one, or none\n"
	      "  --load FILE.so       load a strategy plug-in "
	      "(pgr_strategy_load); repeatable\n"
	      "  --param NAME=VALUE   a strategy parameter, plain (hwm=16) "
	      "or qualified\n"
	      "                       (upstream.delay=500ms); repeatable\n"
	      "  --list-strategies    the strategies with their parameters "
	      "and counters\n"
	      "  --sink null|recorder (default null)  --capacity N (default "
	      "32)\n"
	      "Workload:\n"
	      "  --seconds S --rate OPS --occupancy F --seed N\n"
	      "Output:\n"
	      "  --interval MS        time series step (default 1000)\n"
	      "  --csv FILE --json FILE   the time series (- = stdout)\n"
	      "  --record FILE        write the run's events as pgrtrace\n"
	      "  --convert FILE       write the --trace/--import source (with "
	      "--zoneinfo's\n"
	      "                       zones) to FILE and exit; binary pgrtrace "
	      "unless --to text\n"
	      "  --to binary|text     the format --convert writes (default "
	      "binary)\n"
	      "  --dump               the model's free blocks, as "
	      "/proc/buddyinfo\n"
	      "  --compare-buddyinfo FILE  model vs a /proc/buddyinfo at the "
	      "end\n"
	      "  --compare-free FILE  model vs a free-block list at the end\n"
	      "  --write-free FILE    the model's free blocks at the end, as "
	      "\"<pfn> <order>\"\n"
	      "  --quiet              no progress line\n"
	      "  -h, --help\n",
	      f);
}

static int parse_size(const char *s, uint64_t *r)
{
	char *end;
	double v = strtod(s, &end);
	uint64_t m = 1;

	if (end == s || !(v > 0))
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		m = 1ULL << 10;
		end++;
		break;
	case 'm':
	case 'M':
		m = 1ULL << 20;
		end++;
		break;
	case 'g':
	case 'G':
		m = 1ULL << 30;
		end++;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	if (*end == 'i')
		end++;
	if (*end == 'B')
		end++;
	if (*end)
		return -EINVAL;
	*r = (uint64_t)(v * (double)m);
	return 0;
}

enum {
	OPT_WORKLOAD = 256,
	OPT_TRACE,
	OPT_IMPORT,
	OPT_VIEW,
	OPT_ZONEINFO,
	OPT_MEM,
	OPT_START_PFN,
	OPT_MODE,
	OPT_START_FREE,
	OPT_KPAGE_FREE,
	OPT_STRATEGY,
	OPT_SINK,
	OPT_CAPACITY,
	OPT_SECONDS,
	OPT_RATE,
	OPT_OCCUPANCY,
	OPT_SEED,
	OPT_INTERVAL,
	OPT_CSV,
	OPT_JSON,
	OPT_RECORD,
	OPT_DUMP,
	OPT_CMP_BUDDYINFO,
	OPT_CMP_FREE,
	OPT_QUIET,
	OPT_REPAIR,
	OPT_WRITE_FREE,
	OPT_CONVERT,
	OPT_TO,
	OPT_IMPORT_LLFREE,
	OPT_LOAD,
	OPT_PARAM,
	OPT_LIST_STRATEGIES,
};

static int bad_arg(const char *opt, const char *v)
{
	fprintf(stderr, "pagereport-sim: bad value for --%s: %s\n", opt, v);
	return 2;
}

/* --param NAME=VALUE: the registration parses and checks the value. */
static int add_param(struct opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *name;

	if (!eq || eq == arg || !eq[1] || o->nr_params == MAX_PARAMS)
		return -EINVAL;
	name = strndup(arg, (size_t)(eq - arg));
	if (!name)
		return -ENOMEM;
	o->params[o->nr_params++] =
		(struct pgr_param){ .name = name, .text = eq + 1 };
	return 0;
}

/* --list-strategies: every strategy, its parameters and counters. */
static void list_strategies(void)
{
	static const char *const types[] = { "uint", "bool", "ns" };
	unsigned n = pgr_strategy_count();

	for (unsigned id = 0; id < n; id++) {
		int np = pgr_strategy_nr_params((int)id);
		int nc = pgr_strategy_nr_counters((int)id);

		printf("%s\n", pgr_strategy_name((enum pgr_strategy)id));
		for (int i = 0; i < np; i++) {
			struct pgr_param_info pi;

			if (pgr_strategy_param_info((int)id, (unsigned)i, &pi))
				continue;
			printf("  param   %-20s %-4s default %" PRIu64
			       ", %" PRIu64 "..%" PRIu64 ": %s\n",
			       pi.name, types[pi.type % 3], pi.def, pi.min,
			       pi.max, pi.help);
		}
		for (int i = 0; i < nc; i++) {
			const char *name, *help;

			if (!pgr_strategy_counter_info((int)id, (unsigned)i,
						       &name, &help))
				printf("  counter %-20s %s\n", name, help);
		}
	}
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "workload", required_argument, NULL, OPT_WORKLOAD },
		{ "trace", required_argument, NULL, OPT_TRACE },
		{ "import", required_argument, NULL, OPT_IMPORT },
		{ "view", required_argument, NULL, OPT_VIEW },
		{ "zoneinfo", required_argument, NULL, OPT_ZONEINFO },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "start-pfn", required_argument, NULL, OPT_START_PFN },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "start-free", required_argument, NULL, OPT_START_FREE },
		{ "kpage-free", required_argument, NULL, OPT_KPAGE_FREE },
		{ "strategy", required_argument, NULL, OPT_STRATEGY },
		{ "sink", required_argument, NULL, OPT_SINK },
		{ "capacity", required_argument, NULL, OPT_CAPACITY },
		{ "seconds", required_argument, NULL, OPT_SECONDS },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "occupancy", required_argument, NULL, OPT_OCCUPANCY },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "csv", required_argument, NULL, OPT_CSV },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "dump", no_argument, NULL, OPT_DUMP },
		{ "compare-buddyinfo", required_argument, NULL,
		  OPT_CMP_BUDDYINFO },
		{ "compare-free", required_argument, NULL, OPT_CMP_FREE },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "repair", no_argument, NULL, OPT_REPAIR },
		{ "write-free", required_argument, NULL, OPT_WRITE_FREE },
		{ "convert", required_argument, NULL, OPT_CONVERT },
		{ "import-llfree", required_argument, NULL, OPT_IMPORT_LLFREE },
		{ "to", required_argument, NULL, OPT_TO },
		{ "load", required_argument, NULL, OPT_LOAD },
		{ "param", required_argument, NULL, OPT_PARAM },
		{ "list-strategies", no_argument, NULL, OPT_LIST_STRATEGIES },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, v;
	char *end;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case OPT_WORKLOAD:
			if (pgr_workload_kind_from_name(optarg) < 0)
				return bad_arg("workload", optarg);
			o->workload = optarg;
			break;
		case OPT_TRACE:
			o->trace = optarg;
			break;
		case OPT_IMPORT:
			o->import = optarg;
			o->llfree = false;
			break;
		case OPT_IMPORT_LLFREE:
			o->import = optarg;
			o->llfree = true;
			break;
		case OPT_VIEW:
			if (!strcmp(optarg, "buddy"))
				o->view = PGR_TRACE_VIEW_BUDDY;
			else if (!strcmp(optarg, "caller"))
				o->view = PGR_TRACE_VIEW_CALLER;
			else
				return bad_arg("view", optarg);
			break;
		case OPT_ZONEINFO:
			o->zoneinfo = optarg;
			break;
		case OPT_MEM:
			if (parse_size(optarg, &o->mem) ||
			    o->mem < (4ULL << 20))
				return bad_arg("mem", optarg);
			break;
		case OPT_START_PFN:
			errno = 0;
			o->start_pfn = strtoull(optarg, &end, 0);
			if (errno || *end)
				return bad_arg("start-pfn", optarg);
			break;
		case OPT_MODE:
			v = pgr_replay_mode_from_name(optarg);
			if (v < 0)
				return bad_arg("mode", optarg);
			o->mode = (enum pgr_replay_mode)v;
			break;
		case OPT_START_FREE:
			o->start_free = optarg;
			break;
		case OPT_KPAGE_FREE:
			o->kpage_free = optarg;
			break;
		case OPT_STRATEGY:
			/* checked once every --load is done */
			o->strategy = optarg;
			break;
		case OPT_LOAD:
			if (pgr_strategy_load(optarg) < 0) {
				fprintf(stderr, "pagereport-sim: --load: %s\n",
					pgr_errmsg());
				return 2;
			}
			break;
		case OPT_PARAM:
			if (add_param(o, optarg))
				return bad_arg("param", optarg);
			break;
		case OPT_LIST_STRATEGIES:
			o->list_strategies = true;
			break;
		case OPT_SINK:
			if (strcmp(optarg, "null") &&
			    strcmp(optarg, "recorder"))
				return bad_arg("sink", optarg);
			o->sink = optarg;
			break;
		case OPT_CAPACITY:
			o->capacity = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !o->capacity || o->capacity > 32)
				return bad_arg("capacity", optarg);
			break;
		case OPT_SECONDS:
			o->seconds = strtod(optarg, &end);
			if (*end || !(o->seconds > 0) || o->seconds > 1e6)
				return bad_arg("seconds", optarg);
			break;
		case OPT_RATE:
			o->rate = strtod(optarg, &end);
			if (*end || !(o->rate > 0) || o->rate > 1e9)
				return bad_arg("rate", optarg);
			break;
		case OPT_OCCUPANCY:
			o->occupancy = strtod(optarg, &end);
			if (*end || !(o->occupancy > 0 && o->occupancy <= 1))
				return bad_arg("occupancy", optarg);
			break;
		case OPT_SEED:
			errno = 0;
			o->seed = strtoull(optarg, &end, 0);
			if (errno || *end)
				return bad_arg("seed", optarg);
			break;
		case OPT_INTERVAL:
			v = atoi(optarg);
			if (v <= 0)
				return bad_arg("interval", optarg);
			o->interval_ns = (uint64_t)v * 1000000ULL;
			break;
		case OPT_CSV:
			o->csv = optarg;
			break;
		case OPT_JSON:
			o->json = optarg;
			break;
		case OPT_RECORD:
			o->record = optarg;
			break;
		case OPT_DUMP:
			o->dump = true;
			break;
		case OPT_CMP_BUDDYINFO:
			o->cmp_buddyinfo = optarg;
			break;
		case OPT_CMP_FREE:
			o->cmp_free = optarg;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_REPAIR:
			o->repair = true;
			break;
		case OPT_WRITE_FREE:
			o->write_free = optarg;
			break;
		case OPT_CONVERT:
			o->convert = optarg;
			break;
		case OPT_TO:
			if (!strcmp(optarg, "text"))
				o->convert_text = true;
			else if (!strcmp(optarg, "binary"))
				o->convert_text = false;
			else
				return bad_arg("to", optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (strcmp(o->strategy, "none") &&
	    pgr_strategy_from_name(o->strategy) < 0)
		return bad_arg("strategy", o->strategy);
	if (optind < argc) {
		fprintf(stderr, "pagereport-sim: unexpected argument %s\n",
			argv[optind]);
		return 2;
	}
	if (!!o->trace + !!o->import + (o->workload != NULL) > 1) {
		fprintf(stderr, "pagereport-sim: give one of --workload, "
				"--trace, --import\n");
		return 2;
	}
	if (o->convert && !(o->trace || o->import)) {
		fprintf(stderr, "pagereport-sim: --convert needs --trace or "
				"--import\n");
		return 2;
	}
	if (o->start_free && !(o->trace || o->import)) {
		fprintf(stderr, "pagereport-sim: --start-free needs a trace\n");
		return 2;
	}
	return 0;
}

static int load_source(struct opts *o, struct pgr_trace *t)
{
	const char *path = o->trace ? o->trace : o->import;
	bool pipe;
	FILE *f;
	int err;

	if (!path)
		return 0;
	f = open_input(path, &pipe);
	if (!f) {
		fprintf(stderr, "pagereport-sim: %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	if (o->trace) {
		err = pgr_trace_read(t, f);
	} else if (o->llfree) {
		struct pgr_trace_llfree_stats st;

		err = pgr_trace_import_llfree(t, f, &st);
		if (!err && !o->quiet)
			fprintf(stderr,
				"[sim] imported %s (LLFree): %" PRIu64
				" pages of %" PRIu64 " cpus, %" PRIu64
				" events (alloc %" PRIu64 " free %" PRIu64
				"), %" PRIu64 " moved by the merge by time, "
				"max_pfn %#" PRIx64 "\n",
				path, st.pages, st.cores, st.events, st.allocs,
				st.frees, st.reordered, st.max_pfn);
	} else {
		struct pgr_trace_import_config ic = { .view = o->view };
		struct pgr_trace_import_stats st;

		err = pgr_trace_import(t, f, &ic, &st);
		if (!err && !o->quiet)
			fprintf(stderr,
				"[sim] imported %s: %" PRIu64 " lines, %" PRIu64
				" events (alloc %" PRIu64
				" zone_locked %" PRIu64 " free %" PRIu64
				" batched %" PRIu64 " drain %" PRIu64
				"; %" PRIu64 " pcp frees left out, %" PRIu64
				" lost)\n",
				path, st.lines, st.events,
				st.seen[PGR_KMEM_PAGE_ALLOC],
				st.seen[PGR_KMEM_PAGE_ALLOC_ZONE_LOCKED],
				st.seen[PGR_KMEM_PAGE_FREE],
				st.seen[PGR_KMEM_PAGE_FREE_BATCHED],
				st.seen[PGR_KMEM_PAGE_PCPU_DRAIN], st.pcp_frees,
				st.lost_events);
	}
	close_input(f, pipe);
	if (err)
		fprintf(stderr, "pagereport-sim: %s: %s\n", path, pgr_errmsg());
	return err;
}

static int node_config(struct opts *o, struct pgr_trace *t,
		       struct pgr_node_config *cfg)
{
	if (o->zoneinfo) {
		FILE *f = fopen(o->zoneinfo, "r");
		int err;

		if (!f) {
			fprintf(stderr, "pagereport-sim: %s: %s\n", o->zoneinfo,
				strerror(errno));
			return -errno;
		}
		err = pgr_trace_set_zones_from_zoneinfo(t, f, 0);
		fclose(f);
		if (err) {
			fprintf(stderr, "pagereport-sim: %s: %s\n", o->zoneinfo,
				pgr_errmsg());
			return err;
		}
	}
	if (pgr_trace_node_config(t, cfg)) {
		memset(cfg, 0, sizeof(*cfg));
		cfg->nr_zones = 1;
		cfg->zones[0].name = "Normal";
		cfg->zones[0].start_pfn = o->start_pfn;
		cfg->zones[0].nr_pages = o->mem >> PGR_PAGE_SHIFT;
	}
	cfg->seed = o->seed;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.mem = 1ULL << 30,
		.start_pfn = 0x100000,
		.strategy = "v11-boundary",
		.sink = "null",
		.capacity = 32,
		.seconds = 10,
		.rate = 20000,
		.occupancy = 0.5,
		.seed = 1,
		.interval_ns = NSEC_PER_SEC,
	};
	struct pgr_trace *t, *rec = NULL;
	struct pgr_node_config cfg;
	struct pgr_sink *sink = NULL;
	struct run r = { .o = &o };
	struct flist start = { 0 };
	int err, n;

	if (argc > 1 && !strcmp(argv[1], "compare"))
		return pgr_sim_compare_main(argc - 1, argv + 1);
	err = parse_args(argc, argv, &o);
	if (err)
		return err;
	if (o.list_strategies) {
		list_strategies();
		return 0;
	}
	t = pgr_trace_create();
	if (!t)
		return 1;
	err = node_config(&o, t, &cfg);
	if (err)
		return 1;
	if (o.kpage_free) {
		struct flist l = { 0 };

		if (kpage_free_blocks(o.kpage_free, &cfg, PGR_MAX_ORDER_DEFAULT,
				      &l))
			return 1;
		printf("# free blocks of %s: <pfn> <order>\n", o.kpage_free);
		for (size_t i = 0; i < l.n; i++)
			printf("%#" PRIx64 " %u\n", l.v[i].pfn, l.v[i].order);
		free(l.v);
		pgr_trace_destroy(t);
		return 0;
	}
	if (load_source(&o, t))
		return 1;
	if (o.convert) {
		err = o.convert_text ? pgr_trace_save(t, o.convert)
				     : pgr_trace_save_binary(t, o.convert);
		if (err)
			fprintf(stderr, "pagereport-sim: %s: %s\n", o.convert,
				pgr_errmsg());
		else if (!o.quiet)
			fprintf(stderr, "[sim] wrote %zu events to %s (%s)\n",
				pgr_trace_nr_events(t), o.convert,
				o.convert_text ? "text" : "binary");
		pgr_trace_destroy(t);
		return err ? 1 : 0;
	}
	/* the trace's own geometry, if it had one and --zoneinfo did not */
	node_config(&o, t, &cfg);
	r.node = pgr_node_create(&cfg);
	if (!r.node) {
		fprintf(stderr, "pagereport-sim: node: %s\n", pgr_errmsg());
		return 1;
	}
	for (unsigned z = 0; z < cfg.nr_zones; z++)
		pgr_zone_populate(pgr_node_zone(r.node, z));
	if (o.start_free) {
		if (flist_load(o.start_free, &start) ||
		    set_free_blocks(r.node, &start))
			return 1;
	}
	if (strcmp(o.strategy, "none")) {
		struct pgr_reporting_config rc = {
			.strategy = (enum pgr_strategy)pgr_strategy_from_name(
				o.strategy),
			.clock = PGR_CLOCK_VIRTUAL,
			.params = o.params,
			.nr_params = o.nr_params,
		};

		if (!strcmp(o.sink, "null")) {
			sink = pgr_sink_null_create(o.capacity);
		} else {
			struct pgr_sink_recorder_config sc = {
				.capacity = o.capacity
			};

			sink = pgr_sink_recorder_create(&sc);
		}
		if (!sink || pgr_reporting_register(r.node, sink, &rc)) {
			fprintf(stderr, "pagereport-sim: reporting: %s\n",
				pgr_errmsg());
			return 1;
		}
		r.engine = true;
		n = pgr_reporting_nr_counters(r.node);
		for (int i = 0; i < n && i < MAX_COUNTERS; i++)
			if (!pgr_reporting_counter(r.node, (unsigned)i,
						   &r.s.counter[i], NULL))
				r.s.nr_counters++;
	}
	r.wall0 = wall_ns();
	if (o.record) {
		rec = pgr_trace_create();
		for (unsigned z = 0; rec && z < cfg.nr_zones; z++)
			pgr_trace_set_zone(rec, z, cfg.zones[z].name,
					   cfg.zones[z].start_pfn,
					   cfg.zones[z].nr_pages);
	}
	if (o.trace || o.import) {
		struct pgr_replay_config rc = {
			.mode = o.mode,
			.repair = o.repair,
			.after_event = after_event,
			.arg = &r,
		};
		struct pgr_replay_stats st;
		struct pgr_replay *rp;

		r.total = pgr_trace_nr_events(t);
		rp = pgr_replay_create(r.node, &rc);
		if (!rp || pgr_replay_run(rp, t)) {
			fprintf(stderr, "pagereport-sim: replay: %s\n",
				pgr_errmsg());
			return 1;
		}
		pgr_replay_get_stats(rp, &st);
		if (r.started)
			take_sample(&r,
				    (double)(pgr_trace_events(t)[r.total - 1]
						     .time_ns -
					     r.t0) /
					    1e9);
		progress(&r, r.s.n ? r.s.v[r.s.n - 1].t_s : 0, true);
		printf("replay (%s): %" PRIu64 " events: %" PRIu64
		       " allocs, %" PRIu64 " frees applied; outside %" PRIu64
		       "; exact: free of a free block %" PRIu64
		       ", alloc of a non-free block %" PRIu64
		       " (repaired %" PRIu64 ")"
		       ", free matching no block %" PRIu64
		       ", partial frees %" PRIu64 "; policy: no block %" PRIu64
		       ", unmatched free %" PRIu64 ", order mismatch %" PRIu64
		       ", realloc of a live pfn %" PRIu64 "\n",
		       pgr_replay_mode_name(o.mode), st.events, st.allocs,
		       st.frees, st.outside, st.free_unestablished,
		       st.alloc_conflicts, st.alloc_repaired, st.free_conflicts,
		       st.partial_frees, st.alloc_failures, st.free_unmatched,
		       st.order_mismatch, st.realloc_live);
		if (rec) {
			/* what the replay did is the trace itself */
			for (size_t i = 0; i < r.total; i++)
				pgr_trace_append(rec, &pgr_trace_events(t)[i]);
		}
		pgr_replay_destroy(rp);
	} else {
		struct pgr_workload_config wc = {
			.kind = (enum pgr_workload_kind)
				pgr_workload_kind_from_name(
					o.workload ? o.workload : "churn"),
			.seed = o.seed,
			.rate = o.rate,
			.churn.occupancy = o.occupancy,
			.fill.occupancy = o.occupancy,
			.page_fault1.order = 9,
			.record = rec,
		};
		struct pgr_workload *w = pgr_workload_create(
			pgr_node_zone(r.node, cfg.nr_zones - 1), &wc);
		uint64_t total = (uint64_t)(o.seconds * 1e9), done = 0;
		struct pgr_workload_stats ws;

		if (!w) {
			fprintf(stderr, "pagereport-sim: workload: %s\n",
				pgr_errmsg());
			return 1;
		}
		pgr_workload_fill(w);
		take_sample(&r, 0);
		while (done < total) {
			uint64_t step = total - done < o.interval_ns
						? total - done
						: o.interval_ns;

			if (pgr_workload_run(w, step, 0)) {
				fprintf(stderr, "pagereport-sim: run: %s\n",
					pgr_errmsg());
				return 1;
			}
			done += step;
			pgr_workload_get_stats(w, &ws);
			r.events = ws.allocs + ws.frees;
			take_sample(&r, (double)done / 1e9);
			progress(&r, (double)done / 1e9, false);
		}
		progress(&r, (double)done / 1e9, true);
		printf("workload %s: %" PRIu64 " ops, %" PRIu64
		       " allocs, %" PRIu64 " frees, %" PRIu64
		       " failed allocs\n",
		       pgr_workload_kind_name(wc.kind), ws.ops, ws.allocs,
		       ws.frees, ws.alloc_failures);
		pgr_workload_destroy(w);
	}
	if (r.engine) {
		struct pgr_reporting_stats rs;

		pgr_reporting_get_stats(r.node, &rs);
		printf("strategy %s: %" PRIu64 " bytes reported in %" PRIu64
		       " blocks, %" PRIu64 " batches, %" PRIu64
		       " passes, %" PRIu64 " list nodes visited, %" PRIu64
		       " pages re-reported\n",
		       o.strategy, rs.bytes_reported, rs.blocks_reported,
		       rs.batches, rs.passes, rs.nodes_visited,
		       rs.rereported_pages);
		/* the strategy's own, by name */
		if (r.s.nr_counters)
			printf("counters:");
		for (unsigned i = 0; i < r.s.nr_counters; i++) {
			uint64_t v = 0;

			pgr_reporting_counter(r.node, i, NULL, &v);
			printf(" %s=%" PRIu64, r.s.counter[i], v);
		}
		if (r.s.nr_counters)
			printf("\n");
	}
	if (o.dump)
		pgr_node_dump(r.node, 0, stdout, 0);
	if (o.cmp_buddyinfo)
		compare_buddyinfo(o.cmp_buddyinfo, r.node);
	if (o.cmp_free) {
		struct flist ref = { 0 }, model = { 0 };

		if (!flist_load(o.cmp_free, &ref) &&
		    !flist_from_model(r.node, &model))
			flist_compare(&model, &ref);
		free(ref.v);
		free(model.v);
	}
	if (o.write_free) {
		struct flist model = { 0 };
		FILE *f = fopen(o.write_free, "w");

		if (!f || flist_from_model(r.node, &model)) {
			fprintf(stderr, "pagereport-sim: %s: %s\n",
				o.write_free, strerror(errno));
		} else {
			fprintf(f,
				"# the model's free blocks: <pfn> <order>\n");
			for (size_t i = 0; i < model.n; i++)
				fprintf(f, "%#" PRIx64 " %u\n", model.v[i].pfn,
					model.v[i].order);
		}
		if (f)
			fclose(f);
		free(model.v);
	}
	if (rec && pgr_trace_save(rec, o.record))
		fprintf(stderr, "pagereport-sim: %s\n", pgr_errmsg());
	err = write_series(&r);
	if (r.engine)
		pgr_reporting_unregister(r.node);
	pgr_sink_destroy(sink);
	pgr_trace_destroy(rec);
	pgr_trace_destroy(t);
	pgr_node_destroy(r.node);
	free(r.s.v);
	free(start.v);
	for (unsigned i = 0; i < o.nr_params; i++)
		free((char *)o.params[i].name);
	return err ? 1 : 0;
}
