// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Strategy plug-ins: pgr_strategy_load() dlopen()s a shared object, finds
 * its descriptor (PGR_STRATEGY_PLUGIN in <pagereport/strategy.h>), copies
 * its ops tables at the size the plug-in was built with, and registers
 * them all or none (registry.c).  A plug-in is never unloaded once it
 * registered something: the engine calls into its code for as long as
 * the process lives.  No kernel counterpart (a strategy there is built
 * in); the closest is a module that registers a driver from its init.
 */
#include "config.h"
#include "errmsg.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reporting/registry.h"

#define MAX_PLUGIN_STRATEGIES 32

/* One load at a time: the count before and after dlopen must be ours. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/* The smallest ops a plug-in can have: the six fields of 0.1. */
#define OPS_MIN_SIZE                                  \
	(offsetof(struct pgr_strategy_ops, process) + \
	 sizeof(((struct pgr_strategy_ops *)0)->process))

/*
 * The descriptor's strategies, copied into zeroed full-size tables
 * (fields the plug-in does not know stay 0, their defaults): *@r_ops and
 * *@r_nr, or -ENOEXEC with "FN: why".
 */
static int copy_descriptor(const struct pgr_strategy_plugin *d, const char *fn,
			   struct pgr_strategy_ops ***r_ops, unsigned int *r_nr)
{
	struct pgr_strategy_ops **ops;
	unsigned int nr = 0;

	if (d->version != PGR_STRATEGY_PLUGIN_VERSION)
		return pgr__error(ENOEXEC,
				  "%s: descriptor version %u, this library "
				  "reads %u",
				  fn, d->version, PGR_STRATEGY_PLUGIN_VERSION);
	if (d->ops_size < OPS_MIN_SIZE ||
	    d->ops_size > sizeof(struct pgr_strategy_ops))
		return pgr__error(
			ENOEXEC,
			"%s: ops of %u bytes (this library: %zu..%zu);"
			" built against a newer libpagereport?",
			fn, d->ops_size, (size_t)OPS_MIN_SIZE,
			sizeof(struct pgr_strategy_ops));
	while (d->strategies && nr <= MAX_PLUGIN_STRATEGIES &&
	       d->strategies[nr])
		nr++;
	if (!nr || nr > MAX_PLUGIN_STRATEGIES)
		return pgr__error(ENOEXEC,
				  "%s: the descriptor lists %s strategies "
				  "(1..%d)",
				  fn, nr ? "too many" : "no",
				  MAX_PLUGIN_STRATEGIES);
	ops = calloc(nr, sizeof(*ops));
	for (unsigned int i = 0; ops && i < nr; i++) {
		ops[i] = calloc(1, sizeof(**ops));
		if (!ops[i]) {
			while (i--)
				free(ops[i]);
			free(ops);
			ops = NULL;
			break;
		}
		memcpy(ops[i], d->strategies[i], d->ops_size);
	}
	if (!ops)
		return pgr__error(ENOMEM, "%s: out of memory", fn);
	*r_ops = ops;
	*r_nr = nr;
	return 0;
}

static void free_copies(struct pgr_strategy_ops **ops, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		free(ops[i]);
	free(ops);
}

/* Under load_lock: dlopen, checks, registration. */
static int load_locked(const char *path, const char *fn)
{
	const struct pgr_strategy_plugin *d;
	struct pgr_strategy_ops **ops = NULL;
	unsigned int nr = 0, before = pgr_strategy_count();
	void *h, *ours;
	int id;

	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();

		return pgr__error(ENOEXEC, "%s: cannot load it: %s", fn,
				  why ? why : "unknown error");
	}
	/*
	 * Its references to pgr_* must be ours: a plug-in carrying another
	 * copy of the library would register into a registry nobody reads.
	 */
	ours = dlsym(h, "pgr_strategy_load");
	if (ours && ours != (void *)pgr_strategy_load) {
		if (pgr_strategy_count() == before)
			dlclose(h);
		return pgr__error(ELIBBAD,
				  "%s: it uses another copy of libpagereport "
				  "than this program (does the program link "
				  "the library statically?)",
				  fn);
	}
	d = dlsym(h, PGR_STRATEGY_PLUGIN_SYMBOL);
	if (!d) {
		/* a plug-in of the constructor kind registered itself */
		if (pgr_strategy_count() > before)
			return (int)before;
		dlclose(h);
		return pgr__error(ENOEXEC,
				  "%s: no " PGR_STRATEGY_PLUGIN_SYMBOL
				  " descriptor: not a strategy plug-in "
				  "(PGR_STRATEGY_PLUGIN in "
				  "<pagereport/strategy.h>)",
				  fn);
	}
	id = copy_descriptor(d, fn, &ops, &nr);
	if (!id)
		id = pgr__registry_add(
			(const struct pgr_strategy_ops *const *)ops, nr, fn);
	if (id < 0) {
		if (ops)
			free_copies(ops, nr);
		/* nothing of it is registered: it can go */
		if (pgr_strategy_count() == before)
			dlclose(h);
		return id;
	}
	/* the copies and @h stay for the life of the process */
	free(ops);
	return id;
}

int pgr_strategy_load(const char *path)
{
	char buf[PATH_MAX + 2], fn[PATH_MAX + 32];
	struct stat st;
	int err;

	if (!path || !*path)
		return pgr__error(EINVAL, "strategy_load: NULL or empty path");
	/* a file, not a library search: "x.so" means ./x.so */
	if (!strchr(path, '/')) {
		if (snprintf(buf, sizeof(buf), "./%s", path) >=
		    (int)sizeof(buf))
			return pgr__error(EINVAL, "strategy_load: path too "
						  "long");
		path = buf;
	}
	snprintf(fn, sizeof(fn), "strategy_load: %s", path);
	if (stat(path, &st))
		return pgr__error(errno, "%s: %s", fn, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return pgr__error(ENOEXEC, "%s: not a regular file", fn);
	pthread_mutex_lock(&load_lock);
	err = load_locked(path, fn);
	pthread_mutex_unlock(&load_lock);
	return err;
}
