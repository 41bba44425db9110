// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-guest: record a real x86-64 SMP guest running the user's own
 * workload, for the model to replay and be checked against.  Debian's
 * Linux 6.1 boots under QEMU (TCG) with QEMU's virtio-balloon doing free
 * page reporting; the workload (a program or script copied into the
 * guest, or a command of its busybox) marks phases with pgr-phase; the
 * recording directory gets the guest's kmem trace, its free blocks at the
 * start, /proc snapshots at every phase, QEMU's discards and RSS over
 * time.  This file: options, the guest image, the run's own initramfs
 * archive and disks.  vmm.c runs QEMU, output.c writes the directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guestrec.h"

#ifndef PGR_ABS_TOP_BUILDDIR
#define PGR_ABS_TOP_BUILDDIR ""
#endif
#ifndef PGR_ABS_TOP_SRCDIR
#define PGR_ABS_TOP_SRCDIR ""
#endif
#ifndef PGR_PKGLIBEXECDIR
#define PGR_PKGLIBEXECDIR ""
#endif

/* Bytes of the trace disk per CPU: its ring buffer and some spare. */
uint64_t gr_trace_region(const struct gr_opts *o)
{
	return ((uint64_t)o->trace_kb << 10) + (1ULL << 20);
}

double gr_now(void)
{
	struct timespec ts;

	/* strace -ttt stamps with the wall clock: so do we */
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void gr_log(const struct gr_run *r, const char *fmt, ...)
{
	va_list ap;

	if (r && r->o->quiet)
		return;
	fprintf(stderr, "[guest %6.1f s] ",
		r && r->t_start ? gr_now() - r->t_start : 0.0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Run argv to its end; its output goes to @quiet_out when given. */
int gr_spawn_wait(char *const argv[], const char *quiet_out)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (quiet_out) {
			int fd = open(quiet_out, O_WRONLY | O_CREAT | O_APPEND,
				      0644);

			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
			}
		}
		execvp(argv[0], argv);
		fprintf(stderr, "pagereport-guest: %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int sh(const char *script, const char *a1, const char *a2,
	      const char *a3)
{
	char *argv[] = { "/bin/sh",  "-c",	 (char *)script, "sh",
			 (char *)a1, (char *)a2, (char *)a3,	 NULL };

	return gr_spawn_wait(argv, NULL);
}

static void usage(FILE *f)
{
	fputs("Usage: pagereport-guest [OPTION]... [--] PROGRAM [ARG]...\n"
	      "Boot Debian's Linux 6.1 under QEMU (TCG) with QEMU's "
	      "virtio-balloon free page\nreporting, run PROGRAM in the "
	      "guest, and record a directory that pagereport-sim\nand the "
	      "Python Replay read: the guest's kmem trace, its free blocks "
	      "at the start,\n/proc snapshots at every phase, QEMU's "
	      "discards and RSS over time.\n\n"
	      "PROGRAM is a host file (copied into the guest's /pgr/work "
	      "and run there; a\nstatic binary or a script for the guest's "
	      "busybox sh) or a busybox command.\nInside the guest: "
	      "pgr-phase [-s] NAME marks a phase, pgr-settle [QUIET [MAX]]\n"
	      "waits until QEMU discards nothing for QUIET seconds, "
	      "pgr-log TEXT prints here.\n\n"
	      "  -o, --out DIR         the recording (default "
	      "pgr-guest-DATE); must not exist\n"
	      "  -m, --mem SIZE        guest RAM (default 1G; K/M/G)\n"
	      "  -s, --smp N           vCPUs (default 2)\n"
	      "      --copy PATH       also copy PATH into /pgr/work "
	      "(repeatable)\n"
	      "      --disk DIR        DIR as an ext4 virtio disk at "
	      "/mnt/disk (mke2fs -d)\n"
	      "      --no-trace        no kmem trace (tracefs stays off)\n"
	      "      --trace-buffer-mb N  trace ring buffer per CPU "
	      "(default 64)\n"
	      "      --no-kpageflags   no /proc/kpageflags copy at the "
	      "start\n"
	      "      --no-strace       no discard timeline (RSS only)\n"
	      "      --settle S        quiet seconds that end a settle "
	      "(default 4)\n"
	      "      --no-boot-settle  start the workload without waiting "
	      "for boot reporting\n"
	      "      --no-end-settle   power off right after the workload\n"
	      "      --timeout S       bound on the whole run (default "
	      "900)\n"
	      "      --image DIR       the guest image (default: "
	      "$PGR_GUEST_IMAGE, the build\n"
	      "                        tree's guest/, or "
	      "~/.cache/pagereport/guest; built when\n"
	      "                        missing)\n"
	      "      --build-image     build or refresh the image and exit\n"
	      "      --qemu PATH       (default qemu-system-x86_64)\n"
	      "      --append TEXT     more kernel command line\n"
	      "      --keep            keep the run's disks and strace "
	      "output (OUT/.run)\n"
	      "  -q, --quiet           no progress lines\n"
	      "  -h, --help\n\n"
	      "Compare the recording with the model: pagereport-sim "
	      "compare OUT\n",
	      f);
}

static int parse_size(const char *s, uint64_t *r)
{
	char *e;
	double v = strtod(s, &e);
	uint64_t m = 1;

	if (e == s || !(v > 0))
		return -1;
	switch (*e) {
	case 'k':
	case 'K':
		m = 1ULL << 10;
		e++;
		break;
	case 'm':
	case 'M':
		m = 1ULL << 20;
		e++;
		break;
	case 'g':
	case 'G':
		m = 1ULL << 30;
		e++;
		break;
	case 0:
		m = 1ULL << 20; /* MiB, as QEMU's -m */
		break;
	default:
		return -1;
	}
	if (*e == 'i')
		e++;
	if (*e == 'B')
		e++;
	if (*e)
		return -1;
	*r = (uint64_t)(v * (double)m);
	return 0;
}

static int positive(const char *opt, const char *s, double lo, double hi,
		    double *r)
{
	char *e;
	double v = strtod(s, &e);

	if (e == s || *e || !(v >= lo && v <= hi)) {
		fprintf(stderr,
			"pagereport-guest: --%s wants a number from %g to "
			"%g, not %s\n",
			opt, lo, hi, s);
		return -1;
	}
	*r = v;
	return 0;
}

enum {
	OPT_COPY = 256,
	OPT_DISK,
	OPT_NO_TRACE,
	OPT_TRACE_MB,
	OPT_NO_KPAGE,
	OPT_NO_STRACE,
	OPT_SETTLE,
	OPT_NO_BOOT_SETTLE,
	OPT_NO_END_SETTLE,
	OPT_TIMEOUT,
	OPT_IMAGE,
	OPT_BUILD_IMAGE,
	OPT_QEMU,
	OPT_APPEND,
	OPT_KEEP,
};

static bool build_image_only;

static int parse_args(int argc, char **argv, struct gr_opts *o)
{
	static const struct option lo[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "mem", required_argument, NULL, 'm' },
		{ "smp", required_argument, NULL, 's' },
		{ "copy", required_argument, NULL, OPT_COPY },
		{ "disk", required_argument, NULL, OPT_DISK },
		{ "no-trace", no_argument, NULL, OPT_NO_TRACE },
		{ "trace-buffer-mb", required_argument, NULL, OPT_TRACE_MB },
		{ "no-kpageflags", no_argument, NULL, OPT_NO_KPAGE },
		{ "no-strace", no_argument, NULL, OPT_NO_STRACE },
		{ "settle", required_argument, NULL, OPT_SETTLE },
		{ "no-boot-settle", no_argument, NULL, OPT_NO_BOOT_SETTLE },
		{ "no-end-settle", no_argument, NULL, OPT_NO_END_SETTLE },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "image", required_argument, NULL, OPT_IMAGE },
		{ "build-image", no_argument, NULL, OPT_BUILD_IMAGE },
		{ "qemu", required_argument, NULL, OPT_QEMU },
		{ "append", required_argument, NULL, OPT_APPEND },
		{ "keep", no_argument, NULL, OPT_KEEP },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double d;
	int c;

	while ((c = getopt_long(argc, argv, "+o:m:s:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'm':
			if (parse_size(optarg, &o->mem) ||
			    o->mem < (256ULL << 20) || o->mem > (64ULL << 30) ||
			    o->mem % (2ULL << 20)) {
				fprintf(stderr,
					"pagereport-guest: --mem wants 256M "
					"to 64G in 2 MiB steps, not %s\n",
					optarg);
				return 2;
			}
			break;
		case 's':
			if (positive("smp", optarg, 1, 64, &d))
				return 2;
			if (d != (unsigned)d) {
				fprintf(stderr, "pagereport-guest: --smp wants "
						"a whole number\n");
				return 2;
			}
			o->smp = (unsigned)d;
			break;
		case OPT_COPY: {
			const char **v =
				realloc(o->copy, (o->nr_copy + 1) * sizeof(*v));

			if (!v)
				return 1;
			o->copy = v;
			o->copy[o->nr_copy++] = optarg;
			break;
		}
		case OPT_DISK:
			o->disk = optarg;
			break;
		case OPT_NO_TRACE:
			o->trace = false;
			break;
		case OPT_TRACE_MB:
			if (positive("trace-buffer-mb", optarg, 1, 4096, &d))
				return 2;
			o->trace_kb = (unsigned)(d * 1024);
			break;
		case OPT_NO_KPAGE:
			o->kpage = false;
			break;
		case OPT_NO_STRACE:
			o->strace = false;
			break;
		case OPT_SETTLE:
			if (positive("settle", optarg, 2.5, 600, &o->settle))
				return 2;
			break;
		case OPT_NO_BOOT_SETTLE:
			o->boot_settle = false;
			break;
		case OPT_NO_END_SETTLE:
			o->end_settle = false;
			break;
		case OPT_TIMEOUT:
			if (positive("timeout", optarg, 10, 86400, &o->timeout))
				return 2;
			break;
		case OPT_IMAGE:
			o->image = optarg;
			break;
		case OPT_BUILD_IMAGE:
			build_image_only = true;
			break;
		case OPT_QEMU:
			o->qemu = optarg;
			break;
		case OPT_APPEND:
			o->append = optarg;
			break;
		case OPT_KEEP:
			o->keep = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	o->cmd = argv + optind;
	o->nr_cmd = argc - optind;
	if (!build_image_only && !o->nr_cmd) {
		fprintf(stderr, "pagereport-guest: no PROGRAM to run in the "
				"guest (see --help)\n");
		return 2;
	}
	return 0;
}

/* ---- the guest image ------------------------------------------------------
 */

static bool under_builddir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t b = strlen(PGR_ABS_TOP_BUILDDIR);

	if (n <= 0 || !b)
		return false;
	exe[n] = 0;
	return !strncmp(exe, PGR_ABS_TOP_BUILDDIR, b) && exe[b] == '/';
}

static int image_dir(const struct gr_opts *o, char *dir, size_t len)
{
	const char *env = getenv("PGR_GUEST_IMAGE");
	const char *cache = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (o->image)
		snprintf(dir, len, "%s", o->image);
	else if (env && *env)
		snprintf(dir, len, "%s", env);
	else if (under_builddir())
		snprintf(dir, len, "%s/guest", PGR_ABS_TOP_BUILDDIR);
	else if (cache && *cache)
		snprintf(dir, len, "%s/pagereport/guest", cache);
	else if (home && *home)
		snprintf(dir, len, "%s/.cache/pagereport/guest", home);
	else {
		fprintf(stderr, "pagereport-guest: no image directory: give "
				"--image DIR\n");
		return -1;
	}
	return 0;
}

/* scripts/qemu-guest-image.sh, from the source tree or installed. */
static int build_image(const struct gr_opts *o, const char *dir, bool quiet)
{
	char script[PATH_MAX];
	char *argv[6];
	int n = 0;

	if (under_builddir())
		snprintf(script, sizeof(script),
			 "%s/scripts/qemu-guest-image.sh", PGR_ABS_TOP_SRCDIR);
	else
		snprintf(script, sizeof(script), "%s/qemu-guest-image.sh",
			 PGR_PKGLIBEXECDIR);
	if (access(script, X_OK)) {
		fprintf(stderr, "pagereport-guest: %s: %s\n", script,
			strerror(errno));
		return -1;
	}
	argv[n++] = script;
	argv[n++] = "-o";
	argv[n++] = (char *)dir;
	if (o->quiet || quiet)
		argv[n++] = "-q";
	argv[n] = NULL;
	if (gr_spawn_wait(argv, NULL)) {
		fprintf(stderr, "pagereport-guest: the guest image could not "
				"be built (above)\n");
		return -1;
	}
	return 0;
}

/* ---- the run's files ------------------------------------------------------
 */

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) == EOF || fclose(f)) {
		fprintf(stderr, "pagereport-guest: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* 'text' for the guest's sh */
static void quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

static int stage(struct gr_run *r, const char *st)
{
	const struct gr_opts *o = r->o;
	char p[PATH_MAX + 256], cfg[1024];
	struct stat sb;
	bool copied = false;
	FILE *f;

	snprintf(p, sizeof(p), "%s/pgr/work", st);
	if (sh("mkdir -p \"$1\"", p, NULL, NULL))
		return -1;
	for (size_t i = 0; i < o->nr_copy; i++)
		if (sh("cp -a -- \"$1\" \"$2\"/", o->copy[i], p, NULL)) {
			fprintf(stderr, "pagereport-guest: cannot copy %s\n",
				o->copy[i]);
			return -1;
		}
	if (!stat(o->cmd[0], &sb) && S_ISREG(sb.st_mode)) {
		if (sh("cp -- \"$1\" \"$2\"/ && chmod +x \"$2/${1##*/}\"",
		       o->cmd[0], p, NULL))
			return -1;
		copied = true;
	}
	snprintf(cfg, sizeof(cfg),
		 "PGR_SETTLE=%g\nPGR_SETTLE_MAX=%g\nPGR_BOOT_SETTLE=%d\n"
		 "PGR_END_SETTLE=%d\nPGR_TRACE=%d\nPGR_TRACE_KB=%u\n"
		 "PGR_KPAGE=%d\nPGR_TRACE_REGION=%" PRIu64 "\n",
		 o->settle, o->settle_max, o->boot_settle, o->end_settle,
		 o->trace, o->trace_kb, o->kpage, gr_trace_region(o) / 4096);
	snprintf(p, sizeof(p), "%s/pgr/config", st);
	if (write_file(p, cfg))
		return -1;
	snprintf(p, sizeof(p), "%s/pgr/cmd", st);
	f = fopen(p, "w");
	if (!f)
		return -1;
	fputs("# the workload, as pagereport-guest was given it\n", f);
	for (int i = 0; i < o->nr_cmd; i++) {
		if (i)
			fputc(' ', f);
		if (i == 0 && copied) {
			const char *b = strrchr(o->cmd[0], '/');
			char name[PATH_MAX + 8];

			snprintf(name, sizeof(name), "./%s",
				 b ? b + 1 : o->cmd[0]);
			quote(f, name);
		} else {
			quote(f, o->cmd[i]);
		}
	}
	fputc('\n', f);
	return fclose(f) ? -1 : 0;
}

static uint64_t tree_bytes;

static int add_bytes(const char *p, const struct stat *sb, int flag,
		     struct FTW *ftw)
{
	(void)p;
	(void)ftw;
	if (flag == FTW_F)
		tree_bytes += (uint64_t)sb->st_size + 4096;
	return 0;
}

static int make_disk(const char *path, uint64_t bytes)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || ftruncate(fd, (off_t)bytes)) {
		fprintf(stderr, "pagereport-guest: %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int prepare(struct gr_run *r, const char *img)
{
	const struct gr_opts *o = r->o;
	char st[PATH_MAX + 64], p[PATH_MAX + 128], base[PATH_MAX + 64];
	char extra[PATH_MAX + 64];

	snprintf(st, sizeof(st), "%s/stage", r->rundir);
	if (stage(r, st))
		return -1;
	snprintf(extra, sizeof(extra), "%s/extra.cpio.gz", r->rundir);
	if (sh("cd \"$1\" && find . | LC_ALL=C sort | "
	       "cpio --quiet -o -H newc -R 0:0 | gzip -1 > \"$2\"",
	       st, extra, NULL)) {
		fprintf(stderr, "pagereport-guest: cannot write the run's "
				"initramfs archive (cpio, gzip)\n");
		return -1;
	}
	/* the kernel unpacks concatenated archives one after the other */
	snprintf(base, sizeof(base), "%s/initramfs.cpio.gz", img);
	snprintf(r->initrd, sizeof(r->initrd), "%s/initrd.img", r->rundir);
	if (sh("cat \"$1\" \"$2\" > \"$3\"", base, extra, r->initrd))
		return -1;
	sh("rm -rf \"$1\"", st, NULL, NULL);
	snprintf(p, sizeof(p), "%s/pgrout.img", r->rundir);
	if (make_disk(p, (256ULL << 20) + o->mem / 256))
		return -1;
	if (o->trace) {
		snprintf(p, sizeof(p), "%s/pgrtrace.img", r->rundir);
		if (make_disk(p, (uint64_t)o->smp * gr_trace_region(o)))
			return -1;
	}
	if (o->disk) {
		char *argv[] = { "mke2fs",
				 "-q",
				 "-t",
				 "ext4",
				 "-F",
				 "-d",
				 (char *)o->disk,
				 "-E",
				 "root_owner=0:0",
				 p,
				 NULL };

		tree_bytes = 0;
		if (nftw(o->disk, add_bytes, 32, FTW_PHYS)) {
			fprintf(stderr, "pagereport-guest: --disk %s: %s\n",
				o->disk, strerror(errno));
			return -1;
		}
		snprintf(p, sizeof(p), "%s/pgrin.img", r->rundir);
		/* the file first: mke2fs takes its size, and says nothing */
		if (make_disk(p, (tree_bytes + tree_bytes / 2 + (64ULL << 20)) &
					 ~4095ULL))
			return -1;
		if (gr_spawn_wait(argv, NULL)) {
			fprintf(stderr, "pagereport-guest: mke2fs (e2fsprogs) "
					"could not make the disk\n");
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct gr_opts o = {
		.qemu = "qemu-system-x86_64",
		.mem = 1ULL << 30,
		.smp = 2,
		.settle = 4,
		.settle_max = 120,
		.timeout = 900,
		.trace_kb = 64 * 1024,
		.trace = true,
		.strace = true,
		.kpage = true,
		.boot_settle = true,
		.end_settle = true,
	};
	struct gr_run r = { .o = &o };
	char img[PATH_MAX], outbuf[64];
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err;
	if (o.out && !build_image_only && !access(o.out, F_OK)) {
		fprintf(stderr,
			"pagereport-guest: %s exists (give a new --out)\n",
			o.out);
		return 1;
	}
	if (image_dir(&o, img, sizeof(img)))
		return 1;
	/* every run: the script does nothing when the image is up to date
	 * (40 ms), and rebuilds the initramfs when the guest init changed */
	if (build_image(&o, img, !build_image_only))
		return 1;
	if (build_image_only)
		return 0;
	snprintf(r.kernel, sizeof(r.kernel), "%s/vmlinux", img);
	if (!o.out) {
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(outbuf, sizeof(outbuf), "pgr-guest-%Y%m%dT%H%M%SZ",
			 &tm);
		o.out = outbuf;
	}
	if (mkdir(o.out, 0755)) {
		fprintf(stderr, "pagereport-guest: %s: %s%s\n", o.out,
			strerror(errno),
			errno == EEXIST ? " (give a new --out)" : "");
		return 1;
	}
	snprintf(r.rundir, sizeof(r.rundir), "%s/.run", o.out);
	if (mkdir(r.rundir, 0755) || prepare(&r, img))
		return 1;
	gr_log(&r,
	       "booting %s, %" PRIu64 " MiB, %u vCPUs (QEMU TCG); "
	       "recording into %s",
	       img, o.mem >> 20, o.smp, o.out);
	err = gr_vmm_run(&r);
	if (err && r.errmsg[0])
		fprintf(stderr, "pagereport-guest: %s\n", r.errmsg);
	if (gr_output_write(&r))
		err = -1;
	if (!o.keep)
		sh("rm -rf \"$1\"", r.rundir, NULL, NULL);
	free(r.disc);
	free(r.rss);
	free(o.copy);
	return err ? 1 : 0;
}
