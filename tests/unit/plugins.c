// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Plug-ins that are wrong on purpose, for tests/unit/check_strategy_load:
 * built once per variant (tests/unit/Makemodule.am):
 *   PLUGIN_NODESC  registers nothing and has no descriptor
 *   PLUGIN_DUP     two strategies, the second named like a built-in
 *   PLUGIN_V99     a descriptor of a version this library cannot read
 *   PLUGIN_CTOR    registers itself from a constructor (the way before
 *                  descriptors), no descriptor
 *   PLUGIN_TWO     two good strategies in one descriptor
 */
#include <pagereport/pagereport.h>

#if !defined(PLUGIN_NODESC)
static void nothing(struct pgr_reporting *rep, void *priv)
{
	(void)rep, (void)priv;
}
#endif

#if defined(PLUGIN_NODESC)
int plugin_nodesc_marker(void);
int plugin_nodesc_marker(void)
{
	return 1;
}
#elif defined(PLUGIN_DUP)
static const struct pgr_strategy_ops fresh = { .name = "dup-fresh",
					       .process = nothing };
static const struct pgr_strategy_ops taken = { .name = "upstream",
					       .process = nothing };
PGR_STRATEGY_PLUGIN(&fresh, &taken);
#elif defined(PLUGIN_V99)
static const struct pgr_strategy_ops v99 = { .name = "v99",
					     .process = nothing };
static const struct pgr_strategy_ops *const v99_list[] = { &v99, NULL };
extern PGR_EXPORT const struct pgr_strategy_plugin pgr_strategy_plugin;
PGR_EXPORT const struct pgr_strategy_plugin pgr_strategy_plugin = {
	99, sizeof(struct pgr_strategy_ops), v99_list
};
#elif defined(PLUGIN_CTOR)
static const struct pgr_strategy_ops ctor = { .name = "ctor-registered",
					      .process = nothing };
__attribute__((constructor)) static void reg(void)
{
	pgr_strategy_register(&ctor);
}
#elif defined(PLUGIN_TWO)
static const struct pgr_strategy_counter two_counters[] = { { "two_passes",
							      "runs" } };
static const struct pgr_strategy_ops one = { .name = "two-a",
					     .process = nothing };
static const struct pgr_strategy_ops two = { .name = "two-b",
					     .process = nothing,
					     .counters = two_counters,
					     .nr_counters = 1 };
PGR_STRATEGY_PLUGIN(&one, &two);
#else
#error "build with one of the PLUGIN_* variants"
#endif
