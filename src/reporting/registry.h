/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The registry's lookups (registry.c) for the files above it (loader.c).
 * Not installed.
 */
#ifndef PGR_REPORTING_REGISTRY_H
#define PGR_REPORTING_REGISTRY_H

#include <pagereport/strategy.h>

/* The ops of strategy @id (built-ins first), or NULL. */
const struct pgr_strategy_ops *pgr__strategy_ops(int id);

/*
 * Register @nr strategies, all or none (pgr_strategy_register is @nr 1):
 * the id of the first, or -errno with a message starting "FN: ".
 */
int pgr__registry_add(const struct pgr_strategy_ops *const *ops,
		      unsigned int nr, const char *fn);

#endif /* PGR_REPORTING_REGISTRY_H */
