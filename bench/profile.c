// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench: the gperftools CPU profiler around measured phases.
 *
 * Models no kernel code.  The profiler starts once (ProfilerStartWithOptions)
 * with a per-tick filter that keeps a sample only while some thread is in
 * a measured phase, so set-up (node creation, populate, warm-up) stays out
 * of the profile; ProfilerStop writes the file.  Without gperftools
 * (HAVE_GPERFTOOLS unset) --profile is a clear error and the rest no-ops.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "bench.h"

#ifdef HAVE_GPERFTOOLS
#include <gperftools/profiler.h>

static atomic_int measuring;
static bool started;

/* Runs in the SIGPROF handler: one relaxed load. */
static int profile_filter(void *arg)
{
	(void)arg;
	return atomic_load_explicit(&measuring, memory_order_relaxed) > 0;
}

bool bench_profile_available(void)
{
	return true;
}

int bench_profile_start(const char *path)
{
	struct ProfilerOptions opt;

	memset(&opt, 0, sizeof(opt));
	opt.filter_in_thread = profile_filter;
	if (!ProfilerStartWithOptions(path, &opt)) {
		fprintf(stderr,
			"pagereport-bench: cannot start the profiler "
			"writing %s\n",
			path);
		return -EIO;
	}
	started = true;
	return 0;
}

void bench_profile_measure(bool on)
{
	if (started)
		atomic_fetch_add(&measuring, on ? 1 : -1);
}

void bench_profile_stop(void)
{
	if (started) {
		ProfilerStop();
		started = false;
	}
}
#else
bool bench_profile_available(void)
{
	return false;
}

int bench_profile_start(const char *path)
{
	fprintf(stderr,
		"pagereport-bench: --profile %s: this build has no gperftools "
		"CPU profiler; install libgoogle-perftools-dev and re-run "
		"configure (--with-gperftools)\n",
		path);
	return -ENOTSUP;
}

void bench_profile_measure(bool on)
{
	(void)on;
}

void bench_profile_stop(void)
{
}
#endif
