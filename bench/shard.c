// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench: sweeps split over machines.  `--shard i/n` runs the
 * i-th of n deterministic slices of an experiment; `merge DIR...` joins the
 * shards' JSON into the CSV/JSON an unsharded run writes.  Models no kernel
 * code; there is no scheduler here (GNU parallel or a Slurm array runs the
 * shards, see bench/README.md and scripts/slurm-sweep.sh).
 *
 * A work unit is what an experiment must run in one process: one point
 * of one repeat, or a group of points whose samples are paired (a
 * configuration with every strategy against its v11-boundary base, the
 * reclaim sweep with its two reporting-off runs).  Each experiment calls
 * bench_shard_take() once per unit in the fixed order of the unsharded
 * run, so unit k is the same work with the same seed everywhere, and shard
 * i runs the units with k % n == i - 1.  Every shard builds every row, and
 * each sample carries its unit number so that merge puts the samples back
 * in the unsharded order before it recomputes medians and headlines.
 *
 * Merging runs each experiment again with no unit taken: the experiment
 * builds the same rows, bench_shard_collect() fills them from the shards,
 * and the experiment's own code computes the headlines and writes.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "json.h"

static unsigned shard_index, shard_count; /* 1-based; count 0: not sharded */
static long unit_next, unit_cur = -1;

/* While merging one experiment: its shards' documents, by index. */
static struct json **merge_docs;
static const char **merge_dirs;
static unsigned merge_n;

bool bench_sharded(void)
{
	return shard_count > 0;
}

bool bench_merging(void)
{
	return merge_n > 0;
}

int bench_shard_parse(const char *s)
{
	unsigned long i, n;
	char *end;

	errno = 0;
	i = strtoul(s, &end, 10);
	if (errno || end == s || *end != '/' || s[0] == '-')
		return -EINVAL;
	s = end + 1;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || !n || n > 100000 ||
	    !i || i > n)
		return -EINVAL;
	shard_index = (unsigned)i;
	shard_count = (unsigned)n;
	return 0;
}

void bench_shard_reset(void)
{
	unit_next = 0;
	unit_cur = -1;
}

bool bench_shard_take(void)
{
	unit_cur = unit_next++;
	if (bench_merging())
		return false;
	return !shard_count ||
	       (unsigned long)unit_cur % shard_count == shard_index - 1;
}

long bench_shard_unit(void)
{
	return unit_cur;
}

/* The options that decide which points and units exist. */
void bench_shard_write_json(FILE *f)
{
	const struct bench_opts *o = &bench_opts;

	if (!shard_count)
		return;
	fprintf(f,
		"  \"shard\": {\"index\": %u, \"count\": %u, \"units\": %ld, "
		"\"options\": {\"mem_bytes\": %llu, \"mem_set\": %s, "
		"\"threads\": %u, \"strategy\": %d, \"seed\": %llu, "
		"\"repeat\": %u, \"quick\": %s, \"delay_scale\": %.17g, "
		"\"pf_order\": %u, \"pf_mem_bytes\": %llu, "
		"\"pf_seconds\": %.17g, \"no_balloon\": %s, \"full\": %s, "
		"\"oc_guests\": %u, \"oc_guest_gib\": %llu, "
		"\"oc_hours\": %.17g, \"oc_rate\": %.17g, "
		"\"oc_tick_ms\": %llu, \"load\": [",
		shard_index, shard_count, unit_next,
		(unsigned long long)o->mem_bytes, o->mem_set ? "true" : "false",
		o->threads, o->strategy, (unsigned long long)o->seed, o->repeat,
		o->quick ? "true" : "false", o->delay_scale, o->pf_order,
		(unsigned long long)o->pf_mem_bytes, o->pf_seconds,
		o->balloond && !o->balloond[0] ? "true" : "false",
		o->full ? "true" : "false", o->oc_guests,
		(unsigned long long)o->oc_guest_gib, o->oc_hours, o->oc_rate,
		(unsigned long long)o->oc_tick_ms);
	/* plug-ins and parameters: merge needs the same strategies */
	for (unsigned i = 0; i < o->nr_loaded; i++) {
		fputs(i ? ", " : "", f);
		json_write_str(f, o->loaded[i]);
	}
	fputs("], \"param\": [", f);
	for (unsigned i = 0; i < o->nr_params; i++) {
		char buf[512];

		snprintf(buf, sizeof(buf), "%s=%s", o->params[i].name,
			 o->params[i].text);
		fputs(i ? ", " : "", f);
		json_write_str(f, buf);
	}
	fputs("]}},\n", f);
}

/* Provenance of a merged table: every shard's identity, machine, config. */
void bench_merge_write_json(FILE *f)
{
	static const char *const keep[] = { "git_revision", "package_version",
					    "debug_level",  "elapsed_s",
					    "machine",	    "config" };

	if (!bench_merging())
		return;
	fputs("  \"merged_from\": [", f);
	for (unsigned i = 0; i < merge_n; i++) {
		const struct json *d = merge_docs[i];

		fputs(i ? ",\n    {" : "\n    {", f);
		fputs("\"dir\": ", f);
		json_write_str(f, merge_dirs[i]);
		fprintf(f, ", \"shard\": \"%u/%u\"", i + 1, merge_n);
		for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
			const struct json *v = json_get(d, keep[k]);

			if (!v)
				continue;
			fprintf(f, ", \"%s\": ", keep[k]);
			json_write(f, v);
		}
		fputs("}", f);
	}
	fputs("\n  ],\n", f);
}

int bench_shard_collect(struct bench_table *t)
{
	if (!bench_merging())
		return 0;
	return bench_table_merge(t, (const struct json *const *)merge_docs,
				 merge_n);
}

int bench_merge_copy_files(const char *prefix, const char *out_dir)
{
	size_t plen = strlen(prefix);
	int err = 0;

	for (unsigned i = 0; i < merge_n && !err; i++) {
		DIR *d = opendir(merge_dirs[i]);
		struct dirent *de;

		if (!d)
			return -errno;
		while (!err && (de = readdir(d))) {
			size_t len = strlen(de->d_name);
			char src[1024], dst[1024], buf[65536];
			FILE *in, *out;
			size_t n;

			if (len < plen + 4 ||
			    strncmp(de->d_name, prefix, plen) ||
			    strcmp(de->d_name + len - 4, ".csv"))
				continue;
			snprintf(src, sizeof(src), "%s/%s", merge_dirs[i],
				 de->d_name);
			snprintf(dst, sizeof(dst), "%s/%s", out_dir,
				 de->d_name);
			in = fopen(src, "rb");
			out = in ? fopen(dst, "wb") : NULL;
			if (!in || !out)
				err = -errno;
			while (!err && (n = fread(buf, 1, sizeof(buf), in)))
				if (fwrite(buf, 1, n, out) != n)
					err = -EIO;
			if (in && ferror(in))
				err = -EIO;
			if (in)
				fclose(in);
			if (out && fclose(out))
				err = -EIO;
			if (err)
				fprintf(stderr,
					"pagereport-bench merge: copying %s: "
					"%s\n",
					src, strerror(-err));
		}
		closedir(d);
	}
	return err;
}

/* ---- merge DIR... ------------------------------------------------------ */

struct shard_file {
	struct json *doc;
	char *dir;
	const char *experiment;
	unsigned index, count;
	long units;
	char *options; /* the options object, as text, to compare */
	bool used;
};

static char *options_text(const struct json *opts)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	json_write(f, opts);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int read_shard(const char *dir, const char *name, struct shard_file *s)
{
	char path[4096], err[256];
	const struct json *sh, *opts;
	double idx, cnt, units;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	memset(s, 0, sizeof(*s));
	s->doc = json_parse_file(path, err, sizeof(err));
	if (!s->doc) {
		fprintf(stderr, "pagereport-bench merge: %s: %s\n", path, err);
		return -EINVAL;
	}
	sh = json_get(s->doc, "shard");
	opts = json_get(sh, "options");
	s->experiment = json_str_of(json_get(s->doc, "experiment"));
	if (!sh || !opts || !s->experiment ||
	    !json_num_of(json_get(sh, "index"), &idx) ||
	    !json_num_of(json_get(sh, "count"), &cnt) ||
	    !json_num_of(json_get(sh, "units"), &units) || idx < 1 ||
	    cnt < idx || !json_get(s->doc, "rows")) {
		fprintf(stderr,
			"pagereport-bench merge: %s: not the output of a "
			"--shard i/n run\n",
			path);
		return -EINVAL;
	}
	s->index = (unsigned)idx;
	s->count = (unsigned)cnt;
	s->units = (long)units;
	s->dir = strdup(dir);
	s->options = options_text(opts);
	if (!s->dir || !s->options)
		return -ENOMEM;
	return 0;
}

static void free_shards(struct shard_file *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_free(v[i].doc);
		free(v[i].dir);
		free(v[i].options);
	}
	free(v);
}

static int load_dirs(char **dirs, int ndirs, struct shard_file **r_v,
		     size_t *r_n)
{
	struct shard_file *v = NULL;
	size_t n = 0;
	int err = 0;

	for (int d = 0; d < ndirs && !err; d++) {
		DIR *dh = opendir(dirs[d]);
		struct dirent *de;
		size_t before = n;

		if (!dh) {
			fprintf(stderr, "pagereport-bench merge: %s: %s\n",
				dirs[d], strerror(errno));
			err = -errno;
			break;
		}
		while (!err && (de = readdir(dh))) {
			size_t len = strlen(de->d_name);
			struct shard_file *nv;

			if (len < 6 || de->d_name[0] == '.' ||
			    strcmp(de->d_name + len - 5, ".json"))
				continue;
			nv = realloc(v, (n + 1) * sizeof(*v));
			if (!nv) {
				err = -ENOMEM;
				break;
			}
			v = nv;
			err = read_shard(dirs[d], de->d_name, &v[n]);
			n++;
		}
		closedir(dh);
		if (!err && n == before) {
			fprintf(stderr,
				"pagereport-bench merge: %s: no result JSON\n",
				dirs[d]);
			err = -ENOENT;
		}
	}
	*r_v = v;
	*r_n = n;
	return err;
}

static int restore_options(const struct json *o)
{
	const char *names[] = { "mem_bytes", "threads",	     "strategy",
				"seed",	     "repeat",	     "delay_scale",
				"pf_order",  "pf_mem_bytes", "pf_seconds" };
	const struct json *v[9];
	const struct json *ms = json_get(o, "mem_set");
	const struct json *q = json_get(o, "quick");
	const struct json *nb = json_get(o, "no_balloon");

	for (size_t i = 0; i < 9; i++) {
		v[i] = json_get(o, names[i]);
		if (!v[i] || v[i]->type != JSON_NUM)
			return -EINVAL;
	}
	if (!ms || ms->type != JSON_BOOL || !q || q->type != JSON_BOOL || !nb ||
	    nb->type != JSON_BOOL)
		return -EINVAL;
	bench_opts.mem_bytes = strtoull(v[0]->str, NULL, 10);
	bench_opts.threads = (unsigned)v[1]->num;
	bench_opts.strategy = (int)v[2]->num;
	bench_opts.seed = strtoull(v[3]->str, NULL, 10);
	bench_opts.repeat = (unsigned)v[4]->num;
	bench_opts.delay_scale = v[5]->num;
	bench_opts.pf_order = (unsigned)v[6]->num;
	bench_opts.pf_mem_bytes = strtoull(v[7]->str, NULL, 10);
	bench_opts.pf_seconds = v[8]->num;
	bench_opts.mem_set = ms->b;
	bench_opts.quick = q->b;
	bench_opts.balloond = nb->b ? "" : NULL;
	/* overcommit's options; absent in shards of older builds */
	{
		const struct json *fu = json_get(o, "full");
		const struct json *g = json_get(o, "oc_guests");
		const struct json *gg = json_get(o, "oc_guest_gib");
		const struct json *hr = json_get(o, "oc_hours");
		const struct json *ra = json_get(o, "oc_rate");
		const struct json *tk = json_get(o, "oc_tick_ms");

		if (fu && fu->type == JSON_BOOL)
			bench_opts.full = fu->b;
		if (g && g->type == JSON_NUM && gg && gg->type == JSON_NUM &&
		    hr && hr->type == JSON_NUM && ra && ra->type == JSON_NUM &&
		    tk && tk->type == JSON_NUM) {
			bench_opts.oc_guests = (unsigned)g->num;
			bench_opts.oc_guest_gib = strtoull(gg->str, NULL, 10);
			bench_opts.oc_hours = hr->num;
			bench_opts.oc_rate = ra->num;
			bench_opts.oc_tick_ms = strtoull(tk->str, NULL, 10);
		}
	}
	/* the shards' plug-ins and parameters; absent in older builds */
	{
		const struct json *ld = json_get(o, "load");
		const struct json *pm = json_get(o, "param");

		for (size_t i = 0; ld && ld->type == JSON_ARR && i < ld->n;
		     i++) {
			const char *p = json_str_of(&ld->items[i]);
			unsigned k;

			for (k = 0; k < bench_opts.nr_loaded; k++)
				if (p && !strcmp(bench_opts.loaded[k], p))
					break;
			if (!p || (k == bench_opts.nr_loaded && bench_load(p)))
				return -EINVAL;
		}
		if (!bench_opts.nr_params)
			for (size_t i = 0;
			     pm && pm->type == JSON_ARR && i < pm->n; i++) {
				const char *p = json_str_of(&pm->items[i]);

				if (!p || bench_add_param(p))
					return -EINVAL;
			}
	}
	if (!bench_opts.repeat ||
	    bench_opts.strategy >= (int)pgr_strategy_count())
		return -EINVAL;
	return 0;
}

/* Merge one experiment's shards (all of v[] with that experiment). */
static int merge_one(const struct bench_experiment *e, struct shard_file *v,
		     size_t n, const char *out_dir)
{
	struct json *docs[256] = { 0 };
	const char *dirs[256] = { 0 };
	unsigned count = 0;
	long units = -1;
	const char *opts = NULL;
	int err;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].experiment, e->name))
			continue;
		v[i].used = true;
		if (!count) {
			count = v[i].count;
			if (count > 256) {
				fprintf(stderr,
					"pagereport-bench merge: %s: more "
					"than 256 shards\n",
					e->name);
				return -E2BIG;
			}
			opts = v[i].options;
		}
		if (v[i].count != count || strcmp(v[i].options, opts)) {
			fprintf(stderr,
				"pagereport-bench merge: %s: %s was run with "
				"other options or another shard count than "
				"%s\n",
				e->name, v[i].dir,
				dirs[0] ? dirs[0] : "the first");
			return -EINVAL;
		}
		if (docs[v[i].index - 1]) {
			fprintf(stderr,
				"pagereport-bench merge: %s: shard %u/%u twice "
				"(%s and %s)\n",
				e->name, v[i].index, count,
				dirs[v[i].index - 1], v[i].dir);
			return -EINVAL;
		}
		docs[v[i].index - 1] = v[i].doc;
		dirs[v[i].index - 1] = v[i].dir;
		if (units >= 0 && v[i].units != units) {
			fprintf(stderr,
				"pagereport-bench merge: %s: shards disagree "
				"on the number of work units\n",
				e->name);
			return -EINVAL;
		}
		units = v[i].units;
	}
	for (unsigned i = 0; i < count; i++)
		if (!docs[i]) {
			fprintf(stderr,
				"pagereport-bench merge: %s: shard %u/%u is "
				"missing\n",
				e->name, i + 1, count);
			return -ENOENT;
		}
	for (unsigned i = 1; i < count; i++) {
		const char *a = json_str_of(json_get(docs[0], "git_revision"));
		const char *b = json_str_of(json_get(docs[i], "git_revision"));

		if (a && b && strcmp(a, b))
			fprintf(stderr,
				"pagereport-bench merge: warning: %s: shard 1 "
				"is git %s, shard %u is git %s\n",
				e->name, a, i + 1, b);
	}
	if (restore_options(json_get(json_get(docs[0], "shard"), "options"))) {
		fprintf(stderr, "pagereport-bench merge: %s: bad options\n",
			e->name);
		return -EINVAL;
	}
	merge_docs = docs;
	merge_dirs = dirs;
	merge_n = count;
	bench_shard_reset();
	printf("== %s: merging %u shards\n", e->name, count);
	fflush(stdout);
	err = e->run(out_dir);
	if (!err && unit_next != units) {
		fprintf(stderr,
			"pagereport-bench merge: %s: the shards ran %ld work "
			"units, this build has %ld (another version?)\n",
			e->name, units, unit_next);
		err = -EINVAL;
	}
	merge_n = 0;
	merge_docs = NULL;
	merge_dirs = NULL;
	return err;
}

int bench_merge_main(int argc, char **argv,
		     const struct bench_experiment *experiments,
		     size_t nr_experiments)
{
	const char *out = NULL;
	char outbuf[256];
	struct shard_file *v = NULL;
	size_t n = 0;
	char **dirs = calloc((size_t)argc + 1, sizeof(*dirs));
	int ndirs = 0, err;

	if (!dirs)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strncmp(argv[i], "--out=", 6)) {
			out = argv[i] + 6;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			printf("Usage: pagereport-bench merge [--out DIR] "
			       "SHARD_DIR...\n"
			       "Join the outputs of --shard 1/n .. n/n runs "
			       "into the CSV and JSON one\n"
			       "unsharded run writes (default out: "
			       "results/<timestamp>, then results/latest).\n");
			free(dirs);
			return 0;
		} else if (argv[i][0] == '-') {
			fprintf(stderr,
				"pagereport-bench merge: unknown option %s\n",
				argv[i]);
			free(dirs);
			return 2;
		} else {
			dirs[ndirs++] = argv[i];
		}
	}
	if (!ndirs) {
		fprintf(stderr, "pagereport-bench merge: no shard directory "
				"(usage: merge [--out DIR] SHARD_DIR...)\n");
		free(dirs);
		return 2;
	}
	err = load_dirs(dirs, ndirs, &v, &n);
	free(dirs);
	if (!err) {
		if (!out) {
			err = bench_results_dir_create(outbuf, sizeof(outbuf));
			out = outbuf;
		} else {
			err = bench_results_mkdir(out);
		}
	}
	for (size_t k = 0; k < nr_experiments && !err; k++)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(v[i].experiment, experiments[k].name)) {
				err = merge_one(&experiments[k], v, n, out);
				break;
			}
	for (size_t i = 0; i < n && !err; i++)
		if (!v[i].used) {
			fprintf(stderr,
				"pagereport-bench merge: %s: unknown "
				"experiment "
				"%s\n",
				v[i].dir, v[i].experiment);
			err = -EINVAL;
		}
	free_shards(v, n);
	if (err)
		return 1;
	if (out == outbuf && bench_results_publish(out))
		return 1;
	printf("merged into %s\n", out);
	return 0;
}
