// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Strategy parameters and counter tables: the three parameters the engine
 * gives every strategy ("delay", "order", "capacity"), the checks of a
 * strategy's own tables when it is registered, the text forms of values
 * (pgr_param_parse) and the range checks of a setting.  No kernel
 * counterpart: the kernel's tunables are compile-time constants and
 * module parameters (page_reporting_order); here every one a strategy
 * has is named, typed and checked in one place, so a tool can list and set
 * them without knowing the strategy.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "reporting/device.h"

#define MAX_NAME 31

/* The engine's parameters, first in every strategy's list. */
static const struct pgr_strategy_param engine_params[PGR__NR_ENGINE_PARAMS] = {
	[PGR__PARAM_DELAY] = { "delay", PGR_PARAM_NS, 0, 0, UINT64_MAX,
			       "delay of the reporting work after a request" },
	[PGR__PARAM_ORDER] = { "order", PGR_PARAM_UINT, 0, 0,
			       PGR_MAX_ORDER_LIMIT - 1,
			       "lowest reported order (default: the "
			       "strategy's, from the node)" },
	[PGR__PARAM_CAPACITY] = { "capacity", PGR_PARAM_UINT, 0, 1,
				  PGR_REPORTING_CAPACITY,
				  "blocks per report() call (default: the "
				  "strategy's, at most the sink's)" },
};

/*
 * The counters of a strategy that declares none: what struct
 * pgr_reporting_stats had for the built-ins before they were named, in
 * the order of enum pgr_strategy_stat from PGR_STAT_BITS_VISITED on.
 */
static const struct pgr_strategy_counter legacy_counters[PGR__NR_LEGACY] = {
	{ "bits_visited", "bits of a bitmap looked at while scanning" },
	{ "budget_exhausted", "lists that ran out of report budget" },
	{ "zones_gated", "zones skipped below the watermark gate" },
	{ "boundary_resets", "per-list and whole-zone boundary resets" },
};

/* Names a counter may not take: struct pgr_reporting_stats' fields. */
static const char *const stats_fields[] = {
	"passes",
	"batches",
	"batch_errors",
	"pages_reported",
	"bytes_reported",
	"blocks_reported",
	"blocks_marked",
	"blocks_merged_on_drain",
	"nodes_visited",
	"rereported_pages",
	"isolate_failures",
	"requests",
	"fill_ns",
	"report_ns",
	"drain_ns",
	"lock_hold_ns",
	"last_report_time_ns",
	"pages_held",
};

unsigned int pgr__nr_params(const struct pgr_strategy_ops *ops)
{
	return PGR__NR_ENGINE_PARAMS + (ops->params ? ops->nr_params : 0);
}

const struct pgr_strategy_param *pgr__param(const struct pgr_strategy_ops *ops,
					    unsigned int i)
{
	if (i < PGR__NR_ENGINE_PARAMS)
		return &engine_params[i];
	i -= PGR__NR_ENGINE_PARAMS;
	return ops->params && i < ops->nr_params ? &ops->params[i] : NULL;
}

/* The default of "delay" the ops declare (the others resolve later). */
uint64_t pgr__default_delay(const struct pgr_strategy_ops *ops)
{
	if (ops->default_delay_ns || (ops->flags & PGR_STRATEGY_DELAY_SET))
		return ops->default_delay_ns;
	return PGR_REPORTING_DELAY_NS_DEFAULT;
}

int pgr__param_index(const struct pgr_strategy_ops *ops, const char *name)
{
	unsigned int n = pgr__nr_params(ops);

	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(pgr__param(ops, i)->name, name))
			return (int)i;
	return -1;
}

/*
 * The parameter @name of @ops as a caller names it: plain, or qualified
 * by @ops's name.  The index, or -1.
 */
int pgr__param_lookup(const struct pgr_strategy_ops *ops, const char *name)
{
	size_t len = strlen(ops->name);

	if (!strncmp(name, ops->name, len) && name[len] == '.')
		name += len + 1;
	return pgr__param_index(ops, name);
}

void pgr__param_info(const struct pgr_strategy_ops *ops, unsigned int i,
		     struct pgr_param_info *r)
{
	const struct pgr_strategy_param *p = pgr__param(ops, i);

	r->name = p->name;
	r->help = p->help ? p->help : "";
	r->type = p->type;
	r->def = i == PGR__PARAM_DELAY ? pgr__default_delay(ops) : p->def;
	r->min = p->type == PGR_PARAM_BOOL ? 0 : p->min;
	r->max = p->type == PGR_PARAM_BOOL ? 1 : p->max;
}

unsigned int pgr__nr_counters(const struct pgr_strategy_ops *ops)
{
	return ops->counters && ops->nr_counters ? ops->nr_counters
						 : PGR__NR_LEGACY;
}

const struct pgr_strategy_counter *
pgr__counter(const struct pgr_strategy_ops *ops, unsigned int i)
{
	if (ops->counters && ops->nr_counters)
		return i < ops->nr_counters ? &ops->counters[i] : NULL;
	return i < PGR__NR_LEGACY ? &legacy_counters[i] : NULL;
}

int pgr__counter_index(const struct pgr_strategy_ops *ops, const char *name)
{
	unsigned int n = pgr__nr_counters(ops);

	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(pgr__counter(ops, i)->name, name))
			return (int)i;
	return -1;
}

const char *pgr__legacy_counter_name(unsigned int i)
{
	return i < PGR__NR_LEGACY ? legacy_counters[i].name : NULL;
}

/* ---- checking a strategy's tables (registration) ------------------------ */

static int check_name(const char *fn, const char *what, const char *strategy,
		      const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > MAX_NAME)
		return pgr__error(EINVAL,
				  "%s: %s: a %s name of length %zu, not 1..%d",
				  fn, strategy, what, len, MAX_NAME);
	for (size_t i = 0; i < len; i++)
		if (!islower((unsigned char)name[i]) &&
		    !isdigit((unsigned char)name[i]) && name[i] != '_')
			return pgr__error(EINVAL,
					  "%s: %s: %s '%s' has a character "
					  "outside [a-z0-9_]",
					  fn, strategy, what, name);
	return 0;
}

int pgr__check_tables(const struct pgr_strategy_ops *ops, const char *fn)
{
	const char *sn = ops->name;
	int err;

	if (ops->nr_params && !ops->params)
		return pgr__error(EINVAL, "%s: %s: nr_params %u, params NULL",
				  fn, sn, ops->nr_params);
	if (ops->nr_counters && !ops->counters)
		return pgr__error(EINVAL,
				  "%s: %s: nr_counters %u, counters NULL", fn,
				  sn, ops->nr_counters);
	if ((unsigned int)ops->order_rule > PGR_ORDER_ABSOLUTE)
		return pgr__error(EINVAL, "%s: %s: unknown order_rule %d", fn,
				  sn, (int)ops->order_rule);
	if (ops->default_capacity > PGR_REPORTING_CAPACITY)
		return pgr__error(
			EINVAL, "%s: %s: default_capacity %u above %d", fn, sn,
			ops->default_capacity, PGR_REPORTING_CAPACITY);
	if (ops->flags &
	    ~(unsigned int)(PGR_STRATEGY_FIXED_ORDER | PGR_STRATEGY_DELAY_SET |
			    PGR_STRATEGY_FREE_TIME))
		return pgr__error(EINVAL, "%s: %s: unknown flags %#x", fn, sn,
				  ops->flags);
	for (unsigned int i = 0; ops->params && i < ops->nr_params; i++) {
		const struct pgr_strategy_param *p = &ops->params[i];

		err = check_name(fn, "parameter", sn, p->name);
		if (err)
			return err;
		if (pgr__param_index(ops, p->name) !=
		    (int)(PGR__NR_ENGINE_PARAMS + i))
			return pgr__error(EINVAL,
					  "%s: %s: parameter '%s' twice, or "
					  "one of the engine's (delay, "
					  "order, capacity)",
					  fn, sn, p->name);
		if ((unsigned int)p->type > PGR_PARAM_NS)
			return pgr__error(EINVAL,
					  "%s: %s: parameter '%s' of unknown "
					  "type %d",
					  fn, sn, p->name, (int)p->type);
		if (p->type == PGR_PARAM_BOOL
			    ? p->def > 1
			    : p->min > p->max || p->def < p->min ||
				      p->def > p->max)
			return pgr__error(EINVAL,
					  "%s: %s: parameter '%s': default "
					  "%llu outside [%llu, %llu]",
					  fn, sn, p->name,
					  (unsigned long long)p->def,
					  (unsigned long long)p->min,
					  (unsigned long long)p->max);
	}
	for (unsigned int i = 0; ops->counters && i < ops->nr_counters; i++) {
		const char *name = ops->counters[i].name;

		err = check_name(fn, "counter", sn, name);
		if (err)
			return err;
		if (pgr__counter_index(ops, name) != (int)i)
			return pgr__error(EINVAL, "%s: %s: counter '%s' twice",
					  fn, sn, name);
		for (size_t k = 0;
		     k < sizeof(stats_fields) / sizeof(stats_fields[0]); k++)
			if (!strcmp(name, stats_fields[k]))
				return pgr__error(EINVAL,
						  "%s: %s: counter '%s' is a "
						  "field of struct "
						  "pgr_reporting_stats",
						  fn, sn, name);
	}
	return 0;
}

/* ---- values ------------------------------------------------------------ */

static int parse_uint(const char *t, uint64_t *r)
{
	uint64_t v = 0;
	unsigned int base = 10;

	if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X') && t[2]) {
		base = 16;
		t += 2;
	}
	if (!*t)
		return -EINVAL;
	for (; *t; t++) {
		unsigned int d;

		if (isdigit((unsigned char)*t))
			d = (unsigned int)(*t - '0');
		else if (base == 16 && isxdigit((unsigned char)*t))
			d = (unsigned int)(tolower((unsigned char)*t) - 'a' +
					   10);
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*r = v;
	return 0;
}

static int parse_bool(const char *t, uint64_t *r)
{
	static const char *const no[] = { "0", "false", "no", "off" };
	static const char *const yes[] = { "1", "true", "yes", "on" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcmp(t, no[i])) {
			*r = 0;
			return 0;
		}
		if (!strcmp(t, yes[i])) {
			*r = 1;
			return 0;
		}
	}
	return -EINVAL;
}

/* "<digits>[.<digits>]<unit>", exactly in ns; "0" alone is allowed. */
static int parse_ns(const char *t, uint64_t *r)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = { { "ns", 1 },
		      { "us", 1000 },
		      { "ms", 1000000 },
		      { "s", 1000000000 } };
	uint64_t whole = 0, frac = 0, frac_div = 1;
	const char *p = t;
	bool digits = false;

	for (; isdigit((unsigned char)*p); p++, digits = true) {
		if (whole > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, digits = true) {
			if (frac_div > UINT64_MAX / 10)
				return -ERANGE;
			frac = frac * 10 + (uint64_t)(*p - '0');
			frac_div *= 10;
		}
	}
	if (!digits)
		return -EINVAL;
	if (!*p) {
		if (whole || frac)
			return -EDOM; /* a unit is needed */
		*r = 0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t ns = units[i].ns;

		if (strcmp(p, units[i].unit))
			continue;
		if (whole > UINT64_MAX / ns)
			return -ERANGE;
		/* a fraction finer than a nanosecond is not a duration */
		if ((frac * ns) % frac_div || (frac && ns > UINT64_MAX / frac))
			return -EINVAL;
		if (whole * ns > UINT64_MAX - frac * ns / frac_div)
			return -ERANGE;
		*r = whole * ns + frac * ns / frac_div;
		return 0;
	}
	return -EINVAL;
}

int pgr_param_parse(enum pgr_param_type type, const char *text,
		    uint64_t *r_value)
{
	int err;

	if (!text || !r_value)
		return pgr__error(EINVAL, "param_parse: NULL argument");
	switch (type) {
	case PGR_PARAM_UINT:
		err = parse_uint(text, r_value);
		if (err == -ERANGE)
			return pgr__error(EINVAL, "'%s' is too big", text);
		if (err)
			return pgr__error(
				EINVAL, "'%s' is not an unsigned number", text);
		return 0;
	case PGR_PARAM_BOOL:
		if (parse_bool(text, r_value))
			return pgr__error(EINVAL,
					  "'%s' is not a boolean (true, "
					  "false, 1, 0, yes, no, on, off)",
					  text);
		return 0;
	case PGR_PARAM_NS:
		err = parse_ns(text, r_value);
		if (err == -ERANGE)
			return pgr__error(EINVAL, "'%s' is too long", text);
		if (err == -EDOM)
			return pgr__error(EINVAL,
					  "'%s' needs a unit (ns, us, ms, s)",
					  text);
		if (err)
			return pgr__error(EINVAL,
					  "'%s' is not a duration (a number "
					  "and ns, us, ms or s)",
					  text);
		return 0;
	}
	return pgr__error(EINVAL, "param_parse: unknown type %d", (int)type);
}

/*
 * The value @set gives parameter @p of strategy @sn: parsed if text,
 * range-checked.  0 or -EINVAL with "FN: parameter SN.NAME: why".
 */
int pgr__param_value(const char *fn, const char *sn,
		     const struct pgr_strategy_param *p,
		     const struct pgr_param *set, uint64_t *r_value)
{
	uint64_t v = set->value, min = p->min, max = p->max;

	if (set->text && pgr_param_parse(p->type, set->text, &v)) {
		char why[128];

		/* pgr__error writes the buffer pgr_errmsg() reads */
		snprintf(why, sizeof(why), "%s", pgr_errmsg());
		return pgr__error(EINVAL, "%s: parameter %s.%s: %s", fn, sn,
				  p->name, why);
	}
	if (p->type == PGR_PARAM_BOOL) {
		min = 0;
		max = 1;
	}
	if (v < min || v > max)
		return pgr__error(EINVAL,
				  "%s: parameter %s.%s: %llu not in "
				  "[%llu, %llu]",
				  fn, sn, p->name, (unsigned long long)v,
				  (unsigned long long)min,
				  (unsigned long long)max);
	*r_value = v;
	return 0;
}

/* ---- a device's values ---------------------------------------------- */

int pgr_reporting_get_param(struct pgr_node *node, const char *name,
			    uint64_t *r_value)
{
	struct pgr_reporting *rep;
	int i, err = pgr__get_rep(node, &rep);

	if (err)
		return err;
	if (!name || !r_value)
		return pgr__error(EINVAL,
				  "reporting_get_param: NULL name or result");
	i = pgr__param_lookup(rep->ops, name);
	if (i < 0)
		return pgr__error(ENOENT,
				  "reporting_get_param: %s has no "
				  "parameter '%s'",
				  rep->ops->name, name);
	*r_value = rep->param_value[i];
	return rep->param_set[i];
}
