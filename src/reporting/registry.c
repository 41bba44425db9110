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
#include "internal.h"

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

int pgr_strategy_register(const struct pgr_strategy_ops *ops)
{
	unsigned int n;
	int err = check_ops(ops, "strategy_register");

	if (err)
		return err;
	pthread_mutex_lock(&registry_lock);
	n = pgr_strategy_count();
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(ops->name, pgr__strategy_ops((int)i)->name)) {
			pthread_mutex_unlock(&registry_lock);
			return pgr__error(EEXIST,
					  "strategy_register: '%s' exists",
					  ops->name);
		}
	if (n - PGR_NR_STRATEGIES >= MAX_REGISTERED) {
		pthread_mutex_unlock(&registry_lock);
		return pgr__error(ENOSPC,
				  "strategy_register: %d strategies "
				  "registered already",
				  MAX_REGISTERED);
	}
	registered[n - PGR_NR_STRATEGIES] = ops;
	atomic_store(&nr_registered, n - PGR_NR_STRATEGIES + 1);
	pthread_mutex_unlock(&registry_lock);
	return (int)n;
}

/* ---- registration of a device ------------------------------------------ */

/*
 * The config's strategy, by name (strategy_name) or id, as the engine
 * takes it: @r_cfg a copy of @cfg naming it by id.
 */
static int find_strategy(const struct pgr_reporting_config *cfg,
			 struct pgr_reporting_config *r_cfg,
			 const struct pgr_strategy_ops **r_ops,
			 const struct pgr__strategy_private **r_priv)
{
	int id;

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
	*r_cfg = *cfg;
	r_cfg->strategy = (enum pgr_strategy)id;
	r_cfg->strategy_name = NULL;
	*r_ops = pgr__strategy_ops(id);
	*r_priv = id < PGR_NR_STRATEGIES ? builtin[id].mm_priv : NULL;
	return 0;
}

int pgr_reporting_register(struct pgr_node *node, struct pgr_sink *sink,
			   const struct pgr_reporting_config *cfg)
{
	struct pgr_node *nodes[1] = { node };
	const struct pgr__strategy_private *mm_priv;
	const struct pgr_strategy_ops *ops;
	struct pgr_reporting_config c;
	int err = find_strategy(cfg, &c, &ops, &mm_priv);

	if (err)
		return err;
	return pgr__rep_register(nodes, 1, sink, &c, ops, mm_priv);
}

int pgr_reporting_register_system(struct pgr_node *const *nodes,
				  unsigned int nr_nodes, struct pgr_sink *sink,
				  const struct pgr_reporting_config *cfg)
{
	const struct pgr__strategy_private *mm_priv;
	const struct pgr_strategy_ops *ops;
	struct pgr_reporting_config c;
	int err;

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
	err = find_strategy(cfg, &c, &ops, &mm_priv);
	if (err)
		return err;
	return pgr__rep_register(nodes, nr_nodes, sink, &c, ops, mm_priv);
}
