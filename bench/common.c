// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-bench: clocks, statistics, the progress line, workload
 * creation and the balloon daemon launcher shared by the experiments.
 *
 * The workloads themselves (churn, build-like jobs, page_fault1) are the
 * library's generators (include/pagereport/workload.h, src/workload/).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* ---- time ---------------------------------------------------------------- */

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t bench_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t bench_thread_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

uint64_t bench_process_cpu_ns(void)
{
	return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

/* ---- statistics ---------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(const double *v, size_t n)
{
	double tmp[64], *s = tmp, m;

	if (!n)
		return NAN;
	if (n > 64) {
		s = malloc(n * sizeof(*s));
		if (!s)
			return NAN;
	}
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	if (s != tmp)
		free(s);
	return m;
}

double bench_min(const double *v, size_t n)
{
	double m = INFINITY;

	for (size_t i = 0; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return n ? m : NAN;
}

double bench_max(const double *v, size_t n)
{
	double m = -INFINITY;

	for (size_t i = 0; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return n ? m : NAN;
}

/* ---- progress ------------------------------------------------------------ */

static struct {
	const char *experiment;
	unsigned total, done;
	uint64_t start;
	bool tty;
} progress;

void bench_progress_begin(const char *experiment, unsigned total)
{
	progress.experiment = experiment;
	progress.total = total;
	progress.done = 0;
	progress.start = bench_now_ns();
	progress.tty = isatty(STDERR_FILENO);
}

void bench_progress_step(const char *what)
{
	double el = (double)(bench_now_ns() - progress.start) / 1e9;

	progress.done++;
	if (!progress.tty)
		return;
	fprintf(stderr, "\r\033[K[%s] point %u/%u %-36.36s elapsed %5.1fs",
		progress.experiment, progress.done, progress.total,
		what ? what : "", el);
	if (progress.done > 1 && progress.done <= progress.total)
		fprintf(stderr, "  ETA %5.1fs",
			el / (progress.done - 1) *
				(progress.total - progress.done + 1));
	fflush(stderr);
}

void bench_progress_end(void)
{
	if (progress.tty)
		fputs("\r\033[K", stderr);
}

/* ---- helpers ------------------------------------------------------------- */

/* Every experiment's guest: one Normal zone of @bytes. */
struct pgr_node_config bench_node_config(uint64_t bytes, bool shuffle,
					 uint64_t seed)
{
	struct pgr_node_config cfg = {
		.shuffle = shuffle,
		.seed = seed,
		.nr_zones = 1,
		.zones[0] = {
			.name = "Normal",
			.start_pfn = BENCH_START_PFN,
			.nr_pages = bytes >> PGR_PAGE_SHIFT,
		},
	};

	return cfg;
}

struct pgr_node *bench_node_create(uint64_t bytes, bool shuffle, uint64_t seed)
{
	struct pgr_node_config cfg = bench_node_config(bytes, shuffle, seed);
	struct pgr_node *node = pgr_node_create(&cfg);

	if (!node) {
		fprintf(stderr, "pagereport-bench: pgr_node_create: %s (%s)\n",
			strerror(errno), pgr_errmsg());
		return NULL;
	}
	if (pgr_zone_populate(pgr_node_zone(node, 0))) {
		fprintf(stderr, "pagereport-bench: populate: %s\n",
			pgr_errmsg());
		pgr_node_destroy(node);
		return NULL;
	}
	return node;
}

const char *bench_fmt_bytes(uint64_t bytes, char *buf, size_t len)
{
	if (bytes >= GiB && !(bytes % GiB))
		snprintf(buf, len, "%lluGiB",
			 (unsigned long long)(bytes / GiB));
	else
		snprintf(buf, len, "%lluMiB",
			 (unsigned long long)(bytes / MiB));
	return buf;
}

int bench_parse_size(const char *s, uint64_t *r_bytes)
{
	char *end;
	double v;
	uint64_t mult = 1;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v > 0))
		return -EINVAL;
	while (*end == ' ')
		end++;
	switch (*end) {
	case 'k':
	case 'K':
		mult = 1ULL << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mult = MiB;
		end++;
		break;
	case 'g':
	case 'G':
		mult = GiB;
		end++;
		break;
	case 't':
	case 'T':
		mult = GiB << 10;
		end++;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	if (*end == 'i' || *end == 'I')
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return -EINVAL;
	if (v * (double)mult > (double)(GiB << 12))
		return -ERANGE;
	*r_bytes = (uint64_t)(v * (double)mult);
	return 0;
}

/* ---- workloads ---------------------------------------------------------- */

struct pgr_workload *bench_workload(struct pgr_zone *zone,
				    const struct pgr_workload_config *cfg)
{
	struct pgr_workload *w = pgr_workload_create(zone, cfg);

	if (!w)
		fprintf(stderr, "pagereport-bench: %s workload: %s\n",
			pgr_workload_kind_name(cfg->kind), pgr_errmsg());
	return w;
}

/*
 * Make all guest RAM resident, as in a guest that has used its memory
 * before: otherwise a baseline would measure first-touch faults of the
 * memfd instead of a steady state, and reporting would look like a gain.
 */
int bench_guest_ram_prefault(struct pgr_guest_ram *ram)
{
	uint64_t base = pgr_guest_ram_base_pfn(ram);
	uint64_t size = pgr_guest_ram_size(ram);
	char *p = pgr_guest_ram_addr(ram, base);

	if (!p)
		return -EINVAL;
#ifdef MADV_POPULATE_WRITE
	if (!madvise(p, size, MADV_POPULATE_WRITE))
		return 0;
#endif
	for (uint64_t off = 0; off < size; off += PGR_PAGE_SIZE)
		((volatile char *)p)[off] = 0;
	return 0;
}

/* ---- the balloon daemon -------------------------------------------------- */

bool bench_exe_dir(char *buf, size_t len)
{
	char *slash;
	ssize_t n;

	if (!len)
		return false;
	n = readlink("/proc/self/exe", buf, len - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return true;
}

bool bench_find_balloond(char *buf, size_t len)
{
	char exe[PATH_MAX / 2]; /* room for the suffix in buf */
	static const char *const rel[] = {
		"/../src/balloond/pagereport-balloond",
		"/../../src/balloond/pagereport-balloond",
		"/pagereport-balloond",
	};

	if (!bench_exe_dir(exe, sizeof(exe)))
		return false;
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(buf, len, "%s%s", exe, rel[i]);
		if (!access(buf, X_OK))
			return true;
	}
	return false;
}

void bench_balloond_start(struct bench_balloond *b)
{
	char path[PATH_MAX], log[PATH_MAX];
	uint64_t deadline;
	pid_t pid;

	memset(b, 0, sizeof(*b));
	b->pid = -1;
	if (bench_opts.balloond && !bench_opts.balloond[0]) {
		snprintf(b->why, sizeof(b->why), "disabled (--no-balloon)");
		return;
	}
	if (bench_opts.balloond)
		snprintf(path, sizeof(path), "%s", bench_opts.balloond);
	else if (!bench_find_balloond(path, sizeof(path))) {
		snprintf(b->why, sizeof(b->why),
			 "pagereport-balloond not built");
		return;
	}
	if (access(path, X_OK)) {
		snprintf(b->why, sizeof(b->why), "%.200s: %s", path,
			 strerror(errno));
		return;
	}
	snprintf(b->dir, sizeof(b->dir), "/tmp/pgr-bench-XXXXXX");
	if (!mkdtemp(b->dir)) {
		snprintf(b->why, sizeof(b->why), "mkdtemp: %s",
			 strerror(errno));
		b->dir[0] = '\0';
		return;
	}
	snprintf(b->socket_path, sizeof(b->socket_path), "%s/balloon.sock",
		 b->dir);
	snprintf(log, sizeof(log), "%s/balloond.log", b->dir);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(b->why, sizeof(b->why), "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execl(path, path, "--socket-path", b->socket_path,
		      (char *)NULL);
		_exit(127);
	}
	b->pid = pid;
	deadline = bench_now_ns() + 3 * NSEC_PER_SEC;
	while (bench_now_ns() < deadline) {
		struct stat st;
		int status;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			b->pid = -1;
			snprintf(b->why, sizeof(b->why),
				 "pagereport-balloond exited (status %d)",
				 status);
			return;
		}
		if (!stat(b->socket_path, &st) && S_ISSOCK(st.st_mode)) {
			b->available = true;
			return;
		}
		usleep(10000);
	}
	snprintf(b->why, sizeof(b->why), "no socket after 3 s");
	bench_balloond_stop(b);
}

void bench_balloond_stop(struct bench_balloond *b)
{
	char log[PATH_MAX];

	if (b->pid > 0) {
		uint64_t deadline = bench_now_ns() + 3 * NSEC_PER_SEC;
		int status;

		kill(b->pid, SIGTERM);
		while (waitpid(b->pid, &status, WNOHANG) != b->pid) {
			if (bench_now_ns() > deadline) {
				kill(b->pid, SIGKILL);
				waitpid(b->pid, &status, 0);
				break;
			}
			usleep(10000);
		}
		b->pid = -1;
	}
	if (b->dir[0]) {
		snprintf(log, sizeof(log), "%s/balloond.log", b->dir);
		unlink(log);
		unlink(b->socket_path);
		rmdir(b->dir);
		b->dir[0] = '\0';
	}
	b->available = false;
}
