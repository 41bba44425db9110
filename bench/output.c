// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench: result tables written as one CSV and one JSON per
 * experiment.  Models no kernel code.  The CSV is the contract with the
 * plots: a header row, then one row per point with its configuration
 * columns, a status column and <metric>_median/_min/_max for every metric.
 * The JSON carries the same rows plus the machine (uname, nproc, CPU model),
 * the global configuration, the seed, the git revision and headlines.
 * Values are never quoted in ways a plain csv reader would not undo.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"
#include "bench/revision.h" /* built: PGR_BENCH_REVISION */
#include "json.h"

struct bench_col {
	char *name;
	char *unit;
	bool metric;
	enum bench_col_kind kind;
};

struct bench_row {
	struct bench_table *t;
	char **vals;	  /* config columns, formatted */
	double **samples; /* metric columns */
	long **units;	  /* the work unit of each sample (shard.c) */
	size_t *nr_samples;
	char *status;
};

struct bench_kv {
	char *key;
	char *val;
	double num;
	bool is_num;
	char *unit;
};

struct bench_table {
	char *experiment;
	char *description;
	struct bench_col *cols;
	size_t nr_cols;
	struct bench_row **rows;
	size_t nr_rows;
	struct bench_kv *config, *headline;
	size_t nr_config, nr_headline;
	char **notes;
	size_t nr_notes;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fprintf(stderr, "pagereport-bench: out of memory\n");
		exit(2);
	}
	return q;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d) {
		fprintf(stderr, "pagereport-bench: out of memory\n");
		exit(2);
	}
	return d;
}

struct bench_table *bench_table_new(const char *experiment,
				    const char *description)
{
	struct bench_table *t = xrealloc(NULL, sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->experiment = xstrdup(experiment);
	t->description = xstrdup(description);
	return t;
}

void bench_table_free(struct bench_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nr_rows; i++) {
		struct bench_row *r = t->rows[i];

		for (size_t c = 0; c < t->nr_cols; c++) {
			free(r->vals[c]);
			free(r->samples[c]);
			free(r->units[c]);
		}
		free(r->vals);
		free(r->samples);
		free(r->units);
		free(r->nr_samples);
		free(r->status);
		free(r);
	}
	for (size_t c = 0; c < t->nr_cols; c++) {
		free(t->cols[c].name);
		free(t->cols[c].unit);
	}
	for (size_t i = 0; i < t->nr_config; i++) {
		free(t->config[i].key);
		free(t->config[i].val);
		free(t->config[i].unit);
	}
	for (size_t i = 0; i < t->nr_headline; i++) {
		free(t->headline[i].key);
		free(t->headline[i].val);
		free(t->headline[i].unit);
	}
	for (size_t i = 0; i < t->nr_notes; i++)
		free(t->notes[i]);
	free(t->notes);
	free(t->config);
	free(t->headline);
	free(t->rows);
	free(t->cols);
	free(t->experiment);
	free(t->description);
	free(t);
}

static void add_col(struct bench_table *t, const char *name, bool metric,
		    enum bench_col_kind kind, const char *unit)
{
	if (t->nr_rows) {
		fprintf(stderr, "pagereport-bench: BUG: column %s after rows\n",
			name);
		abort();
	}
	t->cols = xrealloc(t->cols, (t->nr_cols + 1) * sizeof(*t->cols));
	t->cols[t->nr_cols++] = (struct bench_col){
		.name = xstrdup(name),
		.unit = xstrdup(unit),
		.metric = metric,
		.kind = kind,
	};
}

void bench_table_config_col(struct bench_table *t, const char *name,
			    enum bench_col_kind kind, const char *unit)
{
	add_col(t, name, false, kind, unit);
}

void bench_table_metric_col(struct bench_table *t, const char *name,
			    const char *unit)
{
	add_col(t, name, true, BENCH_COL_REAL, unit);
}

static struct bench_kv *kv_add(struct bench_kv **arr, size_t *n,
			       const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*arr)[i].key, key)) {
			free((*arr)[i].val);
			free((*arr)[i].unit);
			(*arr)[i].val = NULL;
			(*arr)[i].unit = NULL;
			return &(*arr)[i];
		}
	*arr = xrealloc(*arr, (*n + 1) * sizeof(**arr));
	memset(&(*arr)[*n], 0, sizeof(**arr));
	(*arr)[*n].key = xstrdup(key);
	return &(*arr)[(*n)++];
}

void bench_table_config(struct bench_table *t, const char *key, const char *fmt,
			...)
{
	struct bench_kv *kv = kv_add(&t->config, &t->nr_config, key);
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kv->val = xstrdup(buf);
	kv->unit = xstrdup("");
}

void bench_table_headline(struct bench_table *t, const char *key, double v,
			  const char *unit)
{
	struct bench_kv *kv = kv_add(&t->headline, &t->nr_headline, key);

	kv->num = v;
	kv->is_num = true;
	kv->val = xstrdup("");
	kv->unit = xstrdup(unit);
	printf("  %-44s %12.3f %s\n", key, v, unit);
	fflush(stdout);
}

void bench_table_note(struct bench_table *t, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	t->notes = xrealloc(t->notes, (t->nr_notes + 1) * sizeof(*t->notes));
	t->notes[t->nr_notes++] = xstrdup(buf);
}

struct bench_row *bench_row_new(struct bench_table *t)
{
	struct bench_row *r = xrealloc(NULL, sizeof(*r));

	r->t = t;
	r->vals = xrealloc(NULL, t->nr_cols * sizeof(*r->vals));
	r->samples = xrealloc(NULL, t->nr_cols * sizeof(*r->samples));
	r->units = xrealloc(NULL, t->nr_cols * sizeof(*r->units));
	r->nr_samples = xrealloc(NULL, t->nr_cols * sizeof(*r->nr_samples));
	for (size_t c = 0; c < t->nr_cols; c++) {
		r->vals[c] = NULL;
		r->samples[c] = NULL;
		r->units[c] = NULL;
		r->nr_samples[c] = 0;
	}
	r->status = xstrdup("ok");
	t->rows = xrealloc(t->rows, (t->nr_rows + 1) * sizeof(*t->rows));
	t->rows[t->nr_rows++] = r;
	return r;
}

bool bench_table_has_col(struct bench_table *t, const char *name)
{
	for (size_t c = 0; c < t->nr_cols; c++)
		if (!strcmp(t->cols[c].name, name))
			return true;
	return false;
}

static size_t col_idx(struct bench_table *t, const char *name, bool metric)
{
	for (size_t c = 0; c < t->nr_cols; c++)
		if (t->cols[c].metric == metric &&
		    !strcmp(t->cols[c].name, name))
			return c;
	fprintf(stderr, "pagereport-bench: BUG: no %s column %s in %s\n",
		metric ? "metric" : "config", name, t->experiment);
	abort();
}

void bench_row_text(struct bench_row *r, const char *col, const char *v)
{
	size_t c = col_idx(r->t, col, false);

	/*
	 * Every process (unsharded, each shard, the merge) must build the
	 * same rows: a config value set once work units are being taken
	 * would depend on which units this process runs, and the merge
	 * would refuse the shards (shard.c).  Set them before the loop.
	 */
	if (bench_shard_unit() >= 0) {
		fprintf(stderr,
			"pagereport-bench: BUG: %s: config column %s set "
			"inside the measured loop\n",
			r->t->experiment, col);
		abort();
	}

	free(r->vals[c]);
	r->vals[c] = xstrdup(v);
}

void bench_row_int(struct bench_row *r, const char *col, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	bench_row_text(r, col, buf);
}

void bench_row_real(struct bench_row *r, const char *col, double v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.9g", v);
	bench_row_text(r, col, buf);
}

static void add_sample(struct bench_row *r, size_t c, double v, long unit)
{
	r->samples[c] = xrealloc(r->samples[c],
				 (r->nr_samples[c] + 1) * sizeof(double));
	r->units[c] =
		xrealloc(r->units[c], (r->nr_samples[c] + 1) * sizeof(long));
	r->samples[c][r->nr_samples[c]] = v;
	r->units[c][r->nr_samples[c]++] = unit;
}

void bench_row_sample(struct bench_row *r, const char *metric, double v)
{
	add_sample(r, col_idx(r->t, metric, true), v, bench_shard_unit());
}

void bench_row_status(struct bench_row *r, const char *status)
{
	free(r->status);
	r->status = xstrdup(status);
}

double bench_row_median(struct bench_row *r, const char *metric)
{
	size_t c = col_idx(r->t, metric, true);

	if (!r->nr_samples[c])
		return NAN;
	return bench_median(r->samples[c], r->nr_samples[c]);
}

double bench_row_min(struct bench_row *r, const char *metric)
{
	size_t c = col_idx(r->t, metric, true);

	return r->nr_samples[c] ? bench_min(r->samples[c], r->nr_samples[c])
				: NAN;
}

double bench_row_max(struct bench_row *r, const char *metric)
{
	size_t c = col_idx(r->t, metric, true);

	return r->nr_samples[c] ? bench_max(r->samples[c], r->nr_samples[c])
				: NAN;
}

struct bench_row *bench_table_find(struct bench_table *t, const char *col1,
				   const char *v1, const char *col2,
				   const char *v2)
{
	size_t c1 = col_idx(t, col1, false);
	size_t c2 = col2 ? col_idx(t, col2, false) : 0;

	for (size_t i = 0; i < t->nr_rows; i++) {
		struct bench_row *r = t->rows[i];

		if (!r->vals[c1] || strcmp(r->vals[c1], v1))
			continue;
		if (col2 && (!r->vals[c2] || strcmp(r->vals[c2], v2)))
			continue;
		return r;
	}
	return NULL;
}

/* ---- writers ----------------------------------------------------------------
 */

/* Strings go through json.c's writer, the one merge's reader pairs with. */
#define json_str json_write_str

static void json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.9g", v);
	else
		fputs("null", f);
}

/* CSV fields never contain quotes or newlines we did not put there. */
static void csv_field(FILE *f, const char *s)
{
	if (s && strpbrk(s, ",\"\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else if (s) {
		fputs(s, f);
	}
}

static void csv_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.9g", v);
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon;

		if (strncmp(line, "model name", 10))
			continue;
		colon = strchr(line, ':');
		if (!colon)
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

static void write_machine(FILE *f)
{
	struct utsname u;
	char model[256];

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	cpu_model(model, sizeof(model));
	fputs("  \"machine\": {\"uname\": ", f);
	{
		char un[1024];

		snprintf(un, sizeof(un), "%s %s %s %s %s", u.sysname,
			 u.nodename, u.release, u.version, u.machine);
		json_str(f, un);
	}
	fputs(", \"sysname\": ", f);
	json_str(f, u.sysname);
	fputs(", \"release\": ", f);
	json_str(f, u.release);
	fputs(", \"arch\": ", f);
	json_str(f, u.machine);
	fprintf(f, ", \"nproc\": %ld, \"cpu_model\": ",
		sysconf(_SC_NPROCESSORS_ONLN));
	json_str(f, model);
	fputs("},\n", f);
}

static int write_csv(struct bench_table *t, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	for (size_t c = 0; c < t->nr_cols; c++)
		if (!t->cols[c].metric)
			fprintf(f, "%s,", t->cols[c].name);
	fputs("status", f);
	for (size_t c = 0; c < t->nr_cols; c++)
		if (t->cols[c].metric)
			fprintf(f, ",%s_median,%s_min,%s_max", t->cols[c].name,
				t->cols[c].name, t->cols[c].name);
	fputs(",samples\n", f);
	for (size_t i = 0; i < t->nr_rows; i++) {
		struct bench_row *r = t->rows[i];
		size_t ns = 0;

		for (size_t c = 0; c < t->nr_cols; c++)
			if (!t->cols[c].metric) {
				csv_field(f, r->vals[c]);
				fputc(',', f);
			}
		csv_field(f, r->status);
		for (size_t c = 0; c < t->nr_cols; c++) {
			size_t n = r->nr_samples[c];

			if (!t->cols[c].metric)
				continue;
			if (n > ns)
				ns = n;
			fputc(',', f);
			if (n)
				csv_num(f, bench_median(r->samples[c], n));
			fputc(',', f);
			if (n)
				csv_num(f, bench_min(r->samples[c], n));
			fputc(',', f);
			if (n)
				csv_num(f, bench_max(r->samples[c], n));
		}
		fprintf(f, ",%zu\n", ns);
	}
	if (fclose(f))
		return -errno;
	return 0;
}

static int write_json(struct bench_table *t, const char *path, double elapsed_s)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "{\n  \"schema_version\": %d,\n  \"experiment\": ",
		BENCH_SCHEMA_VERSION);
	json_str(f, t->experiment);
	fputs(",\n  \"description\": ", f);
	json_str(f, t->description);
	fputs(",\n  \"git_revision\": ", f);
	json_str(f, PGR_BENCH_REVISION);
	fprintf(f, ",\n  \"package_version\": ");
	json_str(f, PACKAGE_VERSION);
	fprintf(f, ",\n  \"debug_level\": %d,\n", PGR_DEBUG);
	fprintf(f, "  \"seed\": %llu,\n  \"repeat\": %u,\n  \"quick\": %s,\n",
		(unsigned long long)bench_opts.seed, bench_repeat(),
		bench_opts.quick ? "true" : "false");
	fputs("  \"elapsed_s\": ", f);
	json_num(f, elapsed_s);
	fputs(",\n", f);
	bench_shard_write_json(f);
	bench_merge_write_json(f);
	write_machine(f);
	fputs("  \"config\": {", f);
	for (size_t i = 0; i < t->nr_config; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, t->config[i].key);
		fputs(": ", f);
		json_str(f, t->config[i].val);
	}
	fputs("},\n  \"headline\": {", f);
	for (size_t i = 0; i < t->nr_headline; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, t->headline[i].key);
		fputs(": {\"value\": ", f);
		json_num(f, t->headline[i].num);
		fputs(", \"unit\": ", f);
		json_str(f, t->headline[i].unit);
		fputs("}", f);
	}
	fputs("},\n  \"notes\": [", f);
	for (size_t i = 0; i < t->nr_notes; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, t->notes[i]);
	}
	fputs("],\n  \"columns\": [", f);
	for (size_t c = 0, k = 0; c < t->nr_cols; c++, k++) {
		fputs(k ? ", " : "", f);
		fputs("{\"name\": ", f);
		json_str(f, t->cols[c].name);
		fprintf(f, ", \"role\": \"%s\", \"unit\": ",
			t->cols[c].metric ? "metric" : "config");
		json_str(f, t->cols[c].unit);
		fputs("}", f);
	}
	fputs("],\n  \"rows\": [\n", f);
	for (size_t i = 0; i < t->nr_rows; i++) {
		struct bench_row *r = t->rows[i];

		fputs("    {", f);
		for (size_t c = 0; c < t->nr_cols; c++) {
			if (t->cols[c].metric)
				continue;
			json_str(f, t->cols[c].name);
			fputs(": ", f);
			if (!r->vals[c])
				fputs("null", f);
			else if (t->cols[c].kind == BENCH_COL_TEXT)
				json_str(f, r->vals[c]);
			else
				fputs(r->vals[c], f);
			fputs(", ", f);
		}
		fputs("\"status\": ", f);
		json_str(f, r->status);
		for (size_t c = 0; c < t->nr_cols; c++) {
			size_t n = r->nr_samples[c];

			if (!t->cols[c].metric)
				continue;
			fputs(", ", f);
			json_str(f, t->cols[c].name);
			fputs(": {\"median\": ", f);
			json_num(f, n ? bench_median(r->samples[c], n) : NAN);
			fputs(", \"min\": ", f);
			json_num(f, n ? bench_min(r->samples[c], n) : NAN);
			fputs(", \"max\": ", f);
			json_num(f, n ? bench_max(r->samples[c], n) : NAN);
			fputs(", \"samples\": [", f);
			for (size_t s = 0; s < n; s++) {
				fputs(s ? ", " : "", f);
				/* a shard's samples must survive the trip */
				if (bench_sharded() &&
				    isfinite(r->samples[c][s]))
					fprintf(f, "%.17g", r->samples[c][s]);
				else
					json_num(f, r->samples[c][s]);
			}
			fputs("]", f);
			if (bench_sharded()) {
				fputs(", \"units\": [", f);
				for (size_t s = 0; s < n; s++)
					fprintf(f, "%s%ld", s ? ", " : "",
						r->units[c][s]);
				fputs("]", f);
			}
			fputs("}", f);
		}
		fprintf(f, "}%s\n", i + 1 < t->nr_rows ? "," : "");
	}
	fputs("  ]\n}\n", f);
	if (fclose(f))
		return -errno;
	return 0;
}

int bench_table_write(struct bench_table *t, const char *dir, double elapsed_s)
{
	char path[4096], final[4096];
	int err;

	if (mkdir(dir, 0777) && errno != EEXIST) {
		err = -errno;
		fprintf(stderr, "pagereport-bench: mkdir %s: %s\n", dir,
			strerror(errno));
		return err;
	}
	/* each file appears whole or not at all: written aside, renamed */
	snprintf(path, sizeof(path), "%s/.%s.csv.tmp", dir, t->experiment);
	snprintf(final, sizeof(final), "%s/%s.csv", dir, t->experiment);
	err = write_csv(t, path);
	if (!err && rename(path, final))
		err = -errno;
	if (!err) {
		snprintf(path, sizeof(path), "%s/.%s.json.tmp", dir,
			 t->experiment);
		snprintf(final, sizeof(final), "%s/%s.json", dir,
			 t->experiment);
		err = write_json(t, path, elapsed_s);
		if (!err && rename(path, final))
			err = -errno;
	}
	if (err)
		fprintf(stderr, "pagereport-bench: writing %s: %s\n", path,
			strerror(-err));
	else
		printf("  wrote %s/%s.{csv,json}\n", dir, t->experiment);
	return err;
}

/* ---- merge (pagereport-bench merge, see shard.c) ------------------------- */

struct tagged {
	long unit;
	size_t seq; /* arrival order: shard by shard, sample by sample */
	double v;
};

static int tagged_cmp(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;

	if (x->unit != y->unit)
		return x->unit < y->unit ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A row's configuration value as output.c wrote it, to compare. */
static bool same_config(const struct bench_col *col, const char *mine,
			const struct json *theirs)
{
	if (!theirs)
		return false;
	if (!mine)
		return theirs->type == JSON_NULL;
	if (col->kind == BENCH_COL_TEXT)
		return theirs->type == JSON_STR && !strcmp(theirs->str, mine);
	return theirs->type == JSON_NUM && !strcmp(theirs->str, mine);
}

static int merge_metric(struct bench_row *r, size_t c, size_t ri,
			const struct json *const *docs, unsigned n)
{
	struct tagged *v = NULL;
	size_t nv = 0, seq = 0;

	for (unsigned d = 0; d < n; d++) {
		const struct json *row = &json_get(docs[d], "rows")->items[ri];
		const struct json *m = json_get(row, r->t->cols[c].name);
		const struct json *smp = json_get(m, "samples");
		const struct json *un = json_get(m, "units");

		if (!smp || !un || smp->type != JSON_ARR ||
		    un->type != JSON_ARR || smp->n != un->n) {
			fprintf(stderr,
				"pagereport-bench merge: %s row %zu: shard %u "
				"has no samples/units for %s\n",
				r->t->experiment, ri, d + 1,
				r->t->cols[c].name);
			free(v);
			return -EINVAL;
		}
		v = xrealloc(v, (nv + smp->n) * sizeof(*v));
		for (size_t k = 0; k < smp->n; k++) {
			const struct json *x = &smp->items[k];
			double u;

			if (!json_num_of(&un->items[k], &u) ||
			    (x->type != JSON_NUM && x->type != JSON_NULL)) {
				free(v);
				return -EINVAL;
			}
			v[nv++] = (struct tagged){
				.unit = (long)u,
				.seq = seq++,
				.v = x->type == JSON_NUM ? x->num : NAN,
			};
		}
	}
	qsort(v, nv, sizeof(*v), tagged_cmp);
	for (size_t k = 0; k < nv; k++)
		add_sample(r, c, v[k].v, v[k].unit);
	free(v);
	return 0;
}

int bench_table_merge(struct bench_table *t, const struct json *const *docs,
		      unsigned n)
{
	const struct json *cfg = json_get(docs[0], "config");

	for (unsigned d = 0; d < n; d++) {
		const struct json *rows = json_get(docs[d], "rows");

		if (!rows || rows->type != JSON_ARR || rows->n != t->nr_rows) {
			fprintf(stderr,
				"pagereport-bench merge: %s: shard %u has %zu "
				"rows, this run builds %zu (other options or "
				"version?)\n",
				t->experiment, d + 1, rows ? rows->n : 0,
				t->nr_rows);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < t->nr_rows; i++) {
		struct bench_row *r = t->rows[i];

		for (unsigned d = 0; d < n; d++) {
			const struct json *row =
				&json_get(docs[d], "rows")->items[i];
			const char *st = json_str_of(json_get(row, "status"));

			for (size_t c = 0; c < t->nr_cols; c++) {
				if (t->cols[c].metric ||
				    same_config(&t->cols[c], r->vals[c],
						json_get(row, t->cols[c].name)))
					continue;
				fprintf(stderr,
					"pagereport-bench merge: %s row %zu: "
					"shard %u has another %s than this "
					"run\n",
					t->experiment, i, d + 1,
					t->cols[c].name);
				return -EINVAL;
			}
			/* the first shard that saw a problem says it */
			if (st && strcmp(st, "ok") && !strcmp(r->status, "ok"))
				bench_row_status(r, st);
		}
		for (size_t c = 0; c < t->nr_cols; c++) {
			int err;

			if (!t->cols[c].metric)
				continue;
			err = merge_metric(r, c, i, docs, n);
			if (err)
				return err;
		}
	}
	/* the configuration the shards measured with (shard 1's) */
	if (cfg && cfg->type == JSON_OBJ)
		for (size_t k = 0; k < cfg->n; k++) {
			const char *val = json_str_of(&cfg->items[k]);

			if (val)
				bench_table_config(t, cfg->keys[k], "%s", val);
		}
	return 0;
}
