// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The registry of strategies: the built-ins (ids 0..PGR_NR_STRATEGIES-1,
 * with v11's private registration), then those registered at run time by
 * pgr_strategy_register() or loaded from a plug-in (loader.c), by name.
 * pgr_reporting_register() and pgr_reporting_register_system() find the
 * config's strategy here and hand the engine its ops and, for a built-in
 * with private access to mm, its struct pgr__strategy_private.  This file
 * and the files named after a strategy are the only ones in src/reporting
 * that name a built-in.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "reporting/builtins.h"
#include "reporting/device.h"
#include "reporting/registry.h"

#define MAX_REGISTERED	  32
#define MAX_STRATEGY_NAME 31

struct builtin {
	const struct pgr_strategy_ops *ops;
	const struct pgr__strategy_private *mm_priv;
};

static const struct builtin builtin[PGR_NR_STRATEGIES] = {
	[PGR_STRATEGY_V11_BOUNDARY] = { &pgr__v11_boundary_ops,
					&pgr__v11_private },
	[PGR_STRATEGY_V11_RESCAN] = { &pgr__v11_rescan_ops, &pgr__v11_private },
	[PGR_STRATEGY_UPSTREAM] = { &pgr__upstream_ops, NULL },
	[PGR_STRATEGY_BITMAP] = { &pgr__bitmap_ops, NULL },
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct pgr_strategy_ops *registered[MAX_REGISTERED];
static atomic_uint nr_registered;

unsigned int pgr_strategy_count(void)
{
	return PGR_NR_STRATEGIES + atomic_load(&nr_registered);
}

/* Entries are published before nr_registered grows and never change. */
const struct pgr_strategy_ops *pgr__strategy_ops(int id)
{
	if (id < 0)
		return NULL;
	if (id < PGR_NR_STRATEGIES)
		return builtin[id].ops;
	if ((unsigned int)id < pgr_strategy_count())
		return registered[id - PGR_NR_STRATEGIES];
	return NULL;
}

const char *pgr_strategy_name(enum pgr_strategy s)
{
	const struct pgr_strategy_ops *ops = pgr__strategy_ops((int)s);

	return ops ? ops->name : "?"; /* like pgr_migratetype_name() */
}

int pgr_strategy_from_name(const char *name)
{
	unsigned int n = pgr_strategy_count();

	if (!name)
		return pgr__error(EINVAL, "strategy: NULL name");
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(name, pgr__strategy_ops((int)i)->name))
			return (int)i;
	return pgr__error(EINVAL, "strategy: unknown name '%s'", name);
}

/* The checks pgr_strategy_register() makes of one ops table. */
static int check_ops(const struct pgr_strategy_ops *ops, const char *fn)
{
	size_t len;

	if (!ops || !ops->name || !ops->process)
		return pgr__error(EINVAL, "%s: NULL ops, name or process", fn);
	len = strlen(ops->name);
	if (len == 0 || len > MAX_STRATEGY_NAME)
		return pgr__error(EINVAL, "%s: name length %zu not 1..%d", fn,
				  len, MAX_STRATEGY_NAME);
	for (size_t i = 0; i < len; i++)
		if (ops->name[i] <= ' ' || ops->name[i] == ',' ||
		    ops->name[i] > '~')
			return pgr__error(EINVAL,
					  "%s: name '%s' has a blank, comma "
					  "or non-ASCII character",
					  fn, ops->name);
	return 0;
}

/*
 * Register @nr strategies at once, or none: every table is checked, no
 * name may be taken or given twice, and all must fit.  The id of the
 * first, or -errno with "FN: why".
 */
int pgr__registry_add(const struct pgr_strategy_ops *const *ops,
		      unsigned int nr, const char *fn)
{
	unsigned int n;
	int err;

	if (!nr)
		return pgr__error(EINVAL, "%s: no strategies", fn);
	for (unsigned int k = 0; k < nr; k++) {
		err = check_ops(ops[k], fn);
		if (!err)
			err = pgr__check_tables(ops[k], fn);
		if (err)
			return err;
		for (unsigned int j = 0; j < k; j++)
			if (!strcmp(ops[k]->name, ops[j]->name))
				return pgr__error(EEXIST,
						  "%s: '%s' given twice", fn,
						  ops[k]->name);
	}
	pthread_mutex_lock(&registry_lock);
	n = pgr_strategy_count();
	for (unsigned int k = 0; k < nr; k++)
		for (unsigned int i = 0; i < n; i++)
			if (!strcmp(ops[k]->name,
				    pgr__strategy_ops((int)i)->name)) {
				pthread_mutex_unlock(&registry_lock);
				return pgr__error(EEXIST,
						  "%s: '%s' exists (id %u)", fn,
						  ops[k]->name, i);
			}
	if (n - PGR_NR_STRATEGIES + nr > MAX_REGISTERED) {
		pthread_mutex_unlock(&registry_lock);
		return pgr__error(ENOSPC,
				  "%s: room for %d registered strategies, "
				  "%u taken",
				  fn, MAX_REGISTERED, n - PGR_NR_STRATEGIES);
	}
	for (unsigned int k = 0; k < nr; k++)
		registered[n - PGR_NR_STRATEGIES + k] = ops[k];
	atomic_store(&nr_registered, n - PGR_NR_STRATEGIES + nr);
	pthread_mutex_unlock(&registry_lock);
	return (int)n;
}

int pgr_strategy_register(const struct pgr_strategy_ops *ops)
{
	return pgr__registry_add(&ops, 1, "strategy_register");
}

/* ---- what a strategy takes and counts ------------------------------------ */

static const struct pgr_strategy_ops *known(int id, const char *fn)
{
	const struct pgr_strategy_ops *ops = pgr__strategy_ops(id);

	if (!ops)
		pgr__error(EINVAL, "%s: unknown strategy %d", fn, id);
	return ops;
}

int pgr_strategy_nr_params(int id)
{
	const struct pgr_strategy_ops *ops = known(id, "strategy_nr_params");

	return ops ? (int)pgr__nr_params(ops) : -EINVAL;
}

int pgr_strategy_param_info(int id, unsigned int i,
			    struct pgr_param_info *r_info)
{
	const struct pgr_strategy_ops *ops = known(id, "strategy_param_info");

	if (!ops)
		return -EINVAL;
	if (!r_info || i >= pgr__nr_params(ops))
		return pgr__error(EINVAL,
				  "strategy_param_info: NULL result or "
				  "parameter %u of %u",
				  i, pgr__nr_params(ops));
	pgr__param_info(ops, i, r_info);
	return 0;
}

int pgr_strategy_nr_counters(int id)
{
	const struct pgr_strategy_ops *ops = known(id, "strategy_nr_counters");

	return ops ? (int)pgr__nr_counters(ops) : -EINVAL;
}

int pgr_strategy_counter_info(int id, unsigned int i, const char **r_name,
			      const char **r_help)
{
	const struct pgr_strategy_ops *ops = known(id, "strategy_counter_info");
	const struct pgr_strategy_counter *c =
		ops ? pgr__counter(ops, i) : NULL;

	if (!ops)
		return -EINVAL;
	if (!c)
		return pgr__error(EINVAL,
				  "strategy_counter_info: counter %u of %u", i,
				  pgr__nr_counters(ops));
	if (r_name)
		*r_name = c->name;
	if (r_help)
		*r_help = c->help ? c->help : "";
	return 0;
}

/* ---- registration of a device ------------------------------------------ */

/*
 * The settings of @cfg meant for strategy @id into @out (room for all):
 * plain names, and names qualified by its name.  One qualified by another
 * strategy is checked against that strategy's parameters and left out.
 */
static int own_params(const struct pgr_reporting_config *cfg, int id,
		      struct pgr_param *out, unsigned int *r_nr)
{
	const struct pgr_strategy_ops *ops = pgr__strategy_ops(id);
	unsigned int n = 0;

	for (unsigned int k = 0; k < cfg->nr_params; k++) {
		const struct pgr_param *pm = &cfg->params[k];
		const char *dot = pm->name ? strrchr(pm->name, '.') : NULL;
		char sname[MAX_STRATEGY_NAME + 1];
		const struct pgr_strategy_ops *other;
		size_t len;
		uint64_t v;
		int i;

		if (!pm->name)
			return pgr__error(EINVAL,
					  "register: parameter %u has "
					  "no name",
					  k);
		len = dot ? (size_t)(dot - pm->name) : 0;
		if (!dot || (len == strlen(ops->name) &&
			     !strncmp(pm->name, ops->name, len))) {
			out[n++] = *pm;
			continue;
		}
		if (len > MAX_STRATEGY_NAME)
			return pgr__error(EINVAL,
					  "register: parameter '%s': no such "
					  "strategy",
					  pm->name);
		memcpy(sname, pm->name, len);
		sname[len] = '\0';
		other = pgr__strategy_ops(pgr_strategy_from_name(sname));
		if (!other)
			return pgr__error(EINVAL,
					  "register: parameter '%s': no "
					  "strategy '%s'",
					  pm->name, sname);
		i = pgr__param_index(other, dot + 1);
		if (i < 0)
			return pgr__error(EINVAL,
					  "register: %s has no parameter '%s'",
					  sname, dot + 1);
		/* a typo in another strategy's setting is still a typo */
		if (pgr__param_value("register", sname,
				     pgr__param(other, (unsigned int)i), pm,
				     &v))
			return -EINVAL;
	}
	*r_nr = n;
	return 0;
}

/*
 * The config's strategy, by name (strategy_name) or id, as the engine
 * takes it: @r_cfg a copy of @cfg naming it by id, its params those of
 * that strategy (in @params, room for cfg->nr_params).
 */
static int find_strategy(const struct pgr_reporting_config *cfg,
			 struct pgr_reporting_config *r_cfg,
			 struct pgr_param *params,
			 const struct pgr_strategy_ops **r_ops,
			 const struct pgr__strategy_private **r_priv)
{
	int id, err;

	if (!cfg)
		return pgr__error(EINVAL,
				  "register: NULL node, sink or config");
	if (cfg->strategy_name) {
		id = pgr_strategy_from_name(cfg->strategy_name);
		if (id < 0)
			return pgr__error(EINVAL,
					  "register: unknown strategy '%s'",
					  cfg->strategy_name);
	} else {
		id = (int)cfg->strategy;
		if (id < 0 || (unsigned int)id >= pgr_strategy_count())
			return pgr__error(EINVAL,
					  "register: unknown strategy %d", id);
	}
	if (cfg->nr_params && !cfg->params)
		return pgr__error(EINVAL, "register: nr_params %u, params NULL",
				  cfg->nr_params);
	*r_cfg = *cfg;
	r_cfg->strategy = (enum pgr_strategy)id;
	r_cfg->strategy_name = NULL;
	r_cfg->params = params;
	err = own_params(cfg, id, params, &r_cfg->nr_params);
	if (err)
		return err;
	*r_ops = pgr__strategy_ops(id);
	*r_priv = id < PGR_NR_STRATEGIES ? builtin[id].mm_priv : NULL;
	return 0;
}

/* find_strategy(), then the engine's registration of @nodes. */
static int register_nodes(struct pgr_node *const *nodes, unsigned int nr,
			  struct pgr_sink *sink,
			  const struct pgr_reporting_config *cfg)
{
	const struct pgr__strategy_private *mm_priv = NULL;
	const struct pgr_strategy_ops *ops = NULL;
	struct pgr_reporting_config c;
	struct pgr_param *params = NULL;
	int err;

	if (cfg && cfg->nr_params) {
		params = calloc(cfg->nr_params, sizeof(*params));
		if (!params)
			return pgr__error(ENOMEM, "register: out of memory");
	}
	err = find_strategy(cfg, &c, params, &ops, &mm_priv);
	if (!err)
		err = pgr__rep_register(nodes, nr, sink, &c, ops, mm_priv);
	free(params);
	return err;
}

int pgr_reporting_register(struct pgr_node *node, struct pgr_sink *sink,
			   const struct pgr_reporting_config *cfg)
{
	struct pgr_node *nodes[1] = { node };

	return register_nodes(nodes, 1, sink, cfg);
}

int pgr_reporting_register_system(struct pgr_node *const *nodes,
				  unsigned int nr_nodes, struct pgr_sink *sink,
				  const struct pgr_reporting_config *cfg)
{
	if (!nodes || nr_nodes == 0)
		return pgr__error(EINVAL, "register_system: no nodes");
	if (nr_nodes > PGR_MAX_SYSTEM_NODES)
		return pgr__error(EINVAL,
				  "register_system: %u nodes, at most %u",
				  nr_nodes, PGR_MAX_SYSTEM_NODES);
	for (unsigned int i = 0; i < nr_nodes; i++)
		if (!nodes[i])
			return pgr__error(
				EINVAL, "register_system: node %u is NULL", i);
	return register_nodes(nodes, nr_nodes, sink, cfg);
}
