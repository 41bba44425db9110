// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Named counters of a device: what its strategy declared in ops->counters
 * (or, for a strategy that declares none, the four that struct
 * pgr_reporting_stats once had).  Adding follows the stats' rule: the
 * running work adds to its own copy without a lock and the engine folds
 * it in with the stats (pgr__rep_flush_stats); any other thread adds
 * under the engine lock.  No kernel counterpart: the kernel's strategies
 * keep no such counts.
 */
#include "config.h"

#include <string.h>

#include "reporting/device.h"

void pgr__rep_counter_add(struct pgr_reporting *rep, unsigned int idx,
			  uint64_t n)
{
	if (pgr__rep_tls.work == rep) {
		rep->w_counters[idx] += n;
		return;
	}
	pthread_mutex_lock(&rep->lock);
	rep->counters[idx] += n;
	pthread_mutex_unlock(&rep->lock);
}

void pgr__rep_fold_counters(struct pgr_reporting *rep)
{
	for (unsigned int i = 0; i < rep->nr_counters; i++) {
		rep->counters[i] += rep->w_counters[i];
		rep->w_counters[i] = 0;
	}
}

int pgr_reporting_nr_counters(struct pgr_node *node)
{
	struct pgr_reporting *rep;
	int err = pgr__get_rep(node, &rep);

	return err ? err : (int)rep->nr_counters;
}

int pgr_reporting_counter(struct pgr_node *node, unsigned int i,
			  const char **r_name, uint64_t *r_value)
{
	struct pgr_reporting *rep;
	int err = pgr__get_rep(node, &rep);

	if (err)
		return err;
	if (i >= rep->nr_counters)
		return pgr__error(EINVAL,
				  "reporting_counter: %u of %u counters", i,
				  rep->nr_counters);
	if (r_name)
		*r_name = pgr__counter(rep->ops, i)->name;
	if (r_value) {
		pthread_mutex_lock(&rep->lock);
		*r_value = rep->counters[i];
		pthread_mutex_unlock(&rep->lock);
	}
	return 0;
}

int pgr_reporting_get_counter(struct pgr_node *node, const char *name,
			      uint64_t *r_value)
{
	struct pgr_reporting *rep;
	int i, err = pgr__get_rep(node, &rep);

	if (err)
		return err;
	if (!name || !r_value)
		return pgr__error(EINVAL, "reporting_get_counter: NULL name "
					  "or result");
	i = pgr__counter_index(rep->ops, name);
	if (i < 0)
		return pgr__error(ENOENT,
				  "reporting_get_counter: %s has no "
				  "counter '%s'",
				  rep->ops->name, name);
	return pgr_reporting_counter(node, (unsigned int)i, NULL, r_value);
}
