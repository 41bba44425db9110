// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench: the results directory.  Models no kernel code.
 *
 * Every run writes into a directory of its own, results/<UTC timestamp>
 * (a suffix -2, -3, ... if that exists already, so two runs started in
 * the same second never share one).  results/latest, what `make plots`
 * reads, is repointed only when the run has completed without error, and
 * atomically (a new symlink renamed over the old one), so a reader sees
 * either the previous complete run or the new complete run, never a run
 * still being written.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

int bench_results_mkdir(const char *dir)
{
	if (mkdir(dir, 0777) && errno != EEXIST) {
		int err = -errno;

		fprintf(stderr, "pagereport-bench: mkdir %s: %s\n", dir,
			strerror(errno));
		return err;
	}
	return 0;
}

int bench_results_dir_create(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	int err;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	err = bench_results_mkdir("results");
	if (err)
		return err;
	for (unsigned k = 1; k < 1000; k++) {
		if (k == 1)
			snprintf(buf, len, "results/%s", stamp);
		else
			snprintf(buf, len, "results/%s-%u", stamp, k);
		if (!mkdir(buf, 0777))
			return 0;
		if (errno != EEXIST)
			break;
	}
	err = -errno;
	fprintf(stderr, "pagereport-bench: mkdir %s: %s\n", buf,
		strerror(errno));
	return err;
}

int bench_results_publish(const char *dir)
{
	const char *name = strrchr(dir, '/');
	char tmp[64];

	name = name ? name + 1 : dir;
	snprintf(tmp, sizeof(tmp), "results/.latest.%ld", (long)getpid());
	unlink(tmp);
	if (symlink(name, tmp) || rename(tmp, "results/latest")) {
		int err = -errno;

		fprintf(stderr, "pagereport-bench: results/latest: %s\n",
			strerror(errno));
		unlink(tmp);
		return err;
	}
	return 0;
}
