/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files named after a built-in strategy export to the registry
 * (registry.c): their ops tables, and v11's private registration (its mm
 * hooks, attach/detach).  Only registry.c and those files include this;
 * the engine never does.  Not installed.
 */
#ifndef PGR_REPORTING_BUILTINS_H
#define PGR_REPORTING_BUILTINS_H

#include <pagereport/strategy.h>

struct pgr__strategy_private;

extern const struct pgr_strategy_ops pgr__v11_boundary_ops;
extern const struct pgr_strategy_ops pgr__v11_rescan_ops;
extern const struct pgr__strategy_private pgr__v11_private;
extern const struct pgr_strategy_ops pgr__upstream_ops;
extern const struct pgr_strategy_ops pgr__bitmap_ops;

/* For tests (v11.c, bitmap.c): a built-in's private state, or -EINVAL. */
int pgr__v11_refcnt(struct pgr_reporting *rep);
int pgr__bitmap_test_bit(struct pgr_reporting *rep, unsigned int zone_idx,
			 unsigned long bit);

#endif /* PGR_REPORTING_BUILTINS_H */
