// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench: the strategies an experiment runs and what it records
 * of them, over the public registry (reporting.h, strategy.h): every
 * built-in and every strategy registered or loaded from a plug-in
 * (--load), narrowed by --strategy; the parameters given with --param;
 * and, as result columns, each strategy's own parameters (config
 * columns) and named counters (metrics), whatever strategy declares them.
 *
 * Models no kernel code.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

bool bench_strategy_selected(int id)
{
	return bench_opts.strategy < 0 || bench_opts.strategy == id;
}

int bench_load(const char *path)
{
	char *abs = realpath(path, NULL);
	int id;

	if (bench_opts.nr_loaded == BENCH_MAX_PARAMS) {
		fprintf(stderr, "pagereport-bench: --load %s: at most %d\n",
			path, BENCH_MAX_PARAMS);
		free(abs);
		return -ENOSPC;
	}
	id = pgr_strategy_load(abs ? abs : path);
	if (id < 0) {
		fprintf(stderr, "pagereport-bench: --load: %s\n", pgr_errmsg());
		free(abs);
		return id;
	}
	/* merge loads it again from here (shard.c) */
	bench_opts.loaded[bench_opts.nr_loaded++] = abs ? abs : strdup(path);
	return 0;
}

int bench_add_param(const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *name;

	if (!eq || eq == arg || !eq[1] ||
	    bench_opts.nr_params == BENCH_MAX_PARAMS) {
		fprintf(stderr,
			"pagereport-bench: --param %s: want NAME=VALUE (at "
			"most %d)\n",
			arg, BENCH_MAX_PARAMS);
		return -EINVAL;
	}
	name = strndup(arg, (size_t)(eq - arg));
	if (!name)
		return -ENOMEM;
	bench_opts.params[bench_opts.nr_params++] =
		(struct pgr_param){ .name = name, .text = strdup(eq + 1) };
	return 0;
}

unsigned bench_nr_strategies(void)
{
	return pgr_strategy_count();
}

/*
 * The column a strategy's parameter or counter @name gets: its name, or
 * "<prefix>_<name>" when the experiment has a column of that name already.
 */
static void col_name(struct bench_table *t, const char *prefix,
		     const char *name, char *buf, size_t len)
{
	if (bench_table_has_col(t, name))
		snprintf(buf, len, "%s_%s", prefix, name);
	else
		snprintf(buf, len, "%s", name);
}

static int named_find(const struct bench_named *nm, const char *name)
{
	for (unsigned i = 0; i < nm->n; i++)
		if (!strcmp(nm->name[i], name))
			return (int)i;
	return -1;
}

static void named_add(struct bench_table *t, struct bench_named *nm,
		      const char *prefix, const char *name, bool metric)
{
	if (named_find(nm, name) >= 0 || nm->n == BENCH_MAX_NAMED)
		return;
	snprintf(nm->name[nm->n], sizeof(nm->name[0]), "%s", name);
	col_name(t, prefix, name, nm->col[nm->n], sizeof(nm->col[0]));
	if (metric)
		bench_table_metric_col(t, nm->col[nm->n], "count");
	else
		bench_table_config_col(t, nm->col[nm->n], BENCH_COL_INT, "");
	nm->n++;
}

void bench_param_cols(struct bench_table *t, struct bench_named *nm,
		      bool (*want)(int id))
{
	unsigned n = pgr_strategy_count();

	memset(nm, 0, sizeof(*nm));
	for (unsigned id = 0; id < n; id++) {
		int np = pgr_strategy_nr_params((int)id);

		if (want && !want((int)id))
			continue;
		/* the engine's three are the experiment's own columns */
		for (int i = 3; i < np; i++) {
			struct pgr_param_info pi;

			if (!pgr_strategy_param_info((int)id, (unsigned)i, &pi))
				named_add(t, nm, "param", pi.name, false);
		}
	}
}

void bench_counter_cols(struct bench_table *t, struct bench_named *nm,
			bool (*want)(int id))
{
	unsigned n = pgr_strategy_count();

	memset(nm, 0, sizeof(*nm));
	for (unsigned id = 0; id < n; id++) {
		int nc = pgr_strategy_nr_counters((int)id);

		if (want && !want((int)id))
			continue;
		for (int i = 0; i < nc; i++) {
			const char *name;

			if (!pgr_strategy_counter_info((int)id, (unsigned)i,
						       &name, NULL))
				named_add(t, nm, "counter", name, true);
		}
	}
}

void bench_row_params(struct bench_row *r, const struct bench_named *nm,
		      struct pgr_node *node)
{
	for (unsigned i = 0; i < nm->n; i++) {
		uint64_t v;

		if (pgr_reporting_get_param(node, nm->name[i], &v) >= 0)
			bench_row_int(r, nm->col[i], (int64_t)v);
	}
}

void bench_counters_read(struct pgr_node *node, struct bench_counters *c)
{
	int n = node ? pgr_reporting_nr_counters(node) : 0;

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < n && c->n < BENCH_MAX_NAMED; i++) {
		const char *name;
		uint64_t v;

		if (pgr_reporting_counter(node, (unsigned)i, &name, &v))
			continue;
		c->name[c->n] = name;
		c->v[c->n++] = v;
	}
}

void bench_counters_add(struct bench_counters *sum,
			const struct bench_counters *c)
{
	for (unsigned i = 0; i < c->n; i++) {
		unsigned k;

		for (k = 0; k < sum->n; k++)
			if (!strcmp(sum->name[k], c->name[i]))
				break;
		if (k == sum->n) {
			if (sum->n == BENCH_MAX_NAMED)
				continue;
			sum->name[sum->n++] = c->name[i];
		}
		sum->v[k] += c->v[i];
	}
}

uint64_t bench_counter(const struct bench_counters *c, const char *name)
{
	for (unsigned i = 0; i < c->n; i++)
		if (!strcmp(c->name[i], name))
			return c->v[i];
	return 0;
}

void bench_row_counters(struct bench_row *r, const struct bench_named *nm,
			const struct bench_counters *after,
			const struct bench_counters *before)
{
	for (unsigned i = 0; i < after->n; i++) {
		int k = named_find(nm, after->name[i]);
		uint64_t b = before ? bench_counter(before, after->name[i]) : 0;

		if (k >= 0)
			bench_row_sample(r, nm->col[k],
					 (double)(after->v[i] - b));
	}
}
