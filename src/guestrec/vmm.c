// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-guest: QEMU in the loop.  Boots the guest under TCG with
 * QEMU's own virtio-balloon (free-page-reporting=on), under strace when
 * the discard timeline is wanted: QEMU discards each range the guest
 * reports with one madvise(MADV_DONTNEED) inside its guest RAM mapping
 * (hw/virtio/virtio-balloon.c, ram_block_discard_range), and strace
 * --seccomp-bpf stops QEMU only for madvise, so the timeline is not
 * disturbed.  The guest RAM mapping is the one of the guest's size that
 * QEMU makes MADV_MERGEABLE.  Meanwhile: the guest's control port (the
 * second serial port, a unix socket QEMU connects to) carries the
 * guest's phase marks and settle requests, and QEMU's own RSS is sampled
 * from /proc every 0.2 s (the QEMU process, not strace).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guestrec.h"

#define RSS_PERIOD 0.2

/* SIGINT, SIGTERM, SIGHUP: stop QEMU (its own process group) and write
 * what was recorded; QEMU must not outlive us. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

struct vmm {
	struct gr_run *r;
	pid_t child, qemu_pid;
	int lfd, cfd;
	char sock[4200], pidfile[4200], strace_out[4200], log[4200];
	FILE *st;
	char sbuf[4096];
	size_t slen;
	/* the pending settle request */
	bool settling;
	double settle_t0, settle_quiet, settle_max;
	size_t settle_n0;
	double last_discard;
	double next_rss;
};

static void *grow(void *v, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return v;
	size_t c = *cap ? *cap * 2 : 1024;
	void *nv = realloc(v, c * sz);

	if (nv)
		*cap = c;
	return nv;
}

/* Host address in guest RAM -> guest pfn (i440fx: RAM above 3 GiB moves
 * above 4 GiB once the guest has 3.5 GiB or more). */
static uint64_t host_to_pfn(const struct gr_run *r, uint64_t addr)
{
	uint64_t off = addr - r->ram_base;
	uint64_t low =
		r->ram_size >= 0xe0000000ULL ? 0xc0000000ULL : r->ram_size;

	if (off >= low)
		off += (1ULL << 32) - low;
	return off >> 12;
}

static void add_discard(struct vmm *v, double t, uint64_t addr, uint64_t len)
{
	struct gr_run *r = v->r;
	struct gr_discard *d;

	if (!r->ram_base || addr < r->ram_base ||
	    addr + len > r->ram_base + r->ram_size) {
		r->other_dontneed++;
		return;
	}
	d = grow(r->disc, &r->cap_disc, r->nr_disc, sizeof(*d));
	if (!d)
		return;
	r->disc = d;
	d[r->nr_disc++] =
		(struct gr_discard){ t, host_to_pfn(r, addr), len >> 12 };
	if (t > v->last_discard)
		v->last_discard = t;
}

/*
 * One strace line: "[PID ]SEC.USEC madvise(ADDR, LEN, ADVICE...". The
 * call may be split by another thread ("<unfinished ...>" then "<...
 * madvise resumed>"): the first half has all the arguments.
 */
static void strace_line(struct vmm *v, char *line)
{
	char *p = line, *e, adv[32];
	unsigned long long addr, len;
	double t;

	strtoull(p, &e, 10);
	if (e != p && *e == ' ')
		p = e + 1; /* a pid */
	t = strtod(p, &e);
	if (e == p || *e != ' ')
		return;
	p = strstr(e, "madvise(");
	if (!p ||
	    sscanf(p, "madvise(%llx, %llu, %31[A-Z_]", &addr, &len, adv) != 3)
		return;
	/* guest RAM is mergeable (KSM); TCG's code buffer, also 1 GiB and
	 * MADV_HUGEPAGE, is not */
	if (!strcmp(adv, "MADV_MERGEABLE") && len == v->r->o->mem &&
	    !v->r->ram_base) {
		v->r->ram_base = addr;
		v->r->ram_size = len;
	} else if (!strcmp(adv, "MADV_DONTNEED") ||
		   !strcmp(adv, "MADV_REMOVE")) {
		add_discard(v, t, addr, len);
	}
}

static void read_strace(struct vmm *v)
{
	char line[1024];

	if (!v->st) {
		v->st = fopen(v->strace_out, "r");
		if (!v->st)
			return;
	}
	for (;;) {
		long pos = ftell(v->st);

		if (!fgets(line, sizeof(line), v->st)) {
			clearerr(v->st);
			return;
		}
		if (!strchr(line, '\n')) {
			/* a line still being written: read it again later */
			fseek(v->st, pos, SEEK_SET);
			clearerr(v->st);
			return;
		}
		strace_line(v, line);
	}
}

static uint64_t proc_field(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t n = strlen(key);
	uint64_t v = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoull(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void sample_rss(struct vmm *v, double now)
{
	struct gr_run *r = v->r;
	char p[64];
	struct gr_rss *s;

	if (!v->qemu_pid) {
		FILE *f = fopen(v->pidfile, "r");
		int pid = 0;

		if (!f)
			return;
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
		v->qemu_pid = pid;
		if (!pid)
			return;
	}
	s = grow(r->rss, &r->cap_rss, r->nr_rss, sizeof(*s));
	if (!s)
		return;
	r->rss = s;
	s = &s[r->nr_rss];
	s->host_t = now;
	snprintf(p, sizeof(p), "/proc/%d/status", (int)v->qemu_pid);
	s->vmrss_kb = proc_field(p, "VmRSS");
	s->rssanon_kb = proc_field(p, "RssAnon");
	snprintf(p, sizeof(p), "/proc/%d/smaps_rollup", (int)v->qemu_pid);
	s->anonhuge_kb = proc_field(p, "AnonHugePages");
	if (s->vmrss_kb)
		r->nr_rss++;
}

static void reply(struct vmm *v, const char *fmt, size_t n)
{
	char b[64];
	int len = snprintf(b, sizeof(b), fmt, n);

	if (v->cfd >= 0 && write(v->cfd, b, (size_t)len) != len)
		gr_log(v->r, "control port: %s", strerror(errno));
}

static void offset_from(struct gr_run *r, double host_t, const char *uptime)
{
	char *e;
	double u = strtod(uptime, &e);

	if (e == uptime)
		return;
	if (!r->have_offset || host_t - u < r->offset) {
		r->offset = host_t - u;
		r->have_offset = true;
	}
}

static void guest_line(struct vmm *v, char *line, double now)
{
	struct gr_run *r = v->r;
	char a[4][128] = { { 0 } };
	int n;

	line[strcspn(line, "\r\n")] = 0;
	if (strncmp(line, "PGR ", 4))
		return;
	n = sscanf(line + 4, "%127s %127s %127s %127s", a[0], a[1], a[2], a[3]);
	if (n >= 2 && !strcmp(a[0], "hello")) {
		offset_from(r, now, a[1]);
		gr_log(r, "guest up (%s)", n >= 3 ? a[2] : "?");
	} else if (n == 4 && !strcmp(a[0], "phase")) {
		struct gr_phase *p = &r->phase[r->nr_phase];

		offset_from(r, now, a[3]);
		if (r->nr_phase == GR_MAX_PHASES)
			return;
		snprintf(p->name, sizeof(p->name), "%.63s", a[1]);
		snprintf(p->kind, sizeof(p->kind), "%.7s", a[2]);
		p->guest_t = strtod(a[3], NULL);
		p->host_t = now;
		r->nr_phase++;
		gr_log(r, "phase %s at %.2f s (%zu discards so far)", p->name,
		       p->guest_t, r->nr_disc);
	} else if (n >= 3 && !strcmp(a[0], "settle")) {
		v->settling = true;
		v->settle_t0 = now;
		v->settle_quiet = strtod(a[1], NULL);
		v->settle_max = strtod(a[2], NULL);
		v->settle_n0 = r->nr_disc;
	} else if (n >= 1 && !strcmp(a[0], "log")) {
		gr_log(r, "guest: %s", line + 8);
	} else if (n >= 1 && !strcmp(a[0], "error")) {
		r->error = true;
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", line + 10);
		gr_log(r, "guest error: %s", r->errmsg);
	} else if (n >= 3 && !strcmp(a[0], "done")) {
		r->done = true;
		r->workload_rc = atoi(a[1]);
		offset_from(r, now, a[2]);
	}
}

static void read_ctl(struct vmm *v, double now)
{
	for (;;) {
		ssize_t n = read(v->cfd, v->sbuf + v->slen,
				 sizeof(v->sbuf) - 1 - v->slen);
		char *nl;

		if (n <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(v->cfd);
				v->cfd = -1;
			}
			return;
		}
		v->slen += (size_t)n;
		v->sbuf[v->slen] = 0;
		while ((nl = memchr(v->sbuf, '\n', v->slen))) {
			*nl = 0;
			guest_line(v, v->sbuf, now);
			v->slen -= (size_t)(nl + 1 - v->sbuf);
			memmove(v->sbuf, nl + 1, v->slen);
		}
		if (v->slen == sizeof(v->sbuf) - 1)
			v->slen = 0; /* a line that long is not ours */
	}
}

static void check_settle(struct vmm *v, double now)
{
	double quiet_since;

	if (!v->settling)
		return;
	quiet_since =
		v->last_discard > v->settle_t0 ? v->last_discard : v->settle_t0;
	if (now - quiet_since >= v->settle_quiet) {
		v->settling = false;
		reply(v, "settled %zu\n", v->r->nr_disc - v->settle_n0);
	} else if (now - v->settle_t0 >= v->settle_max) {
		v->settling = false;
		reply(v, "timeout %zu\n", v->r->nr_disc - v->settle_n0);
	}
}

static int listen_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr,
			"pagereport-guest: %s: path too long for a "
			"socket (use a shorter --out)\n",
			path);
		return -1;
	}
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 1)) {
		fprintf(stderr, "pagereport-guest: %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static pid_t spawn(struct vmm *v)
{
	const struct gr_opts *o = v->r->o;
	char mem[32], smp[16], append[4096], con[4300], ctl[4300];
	char drv[3][4300], dev[3][64];
	const char *argv[96];
	int n = 0, nd = 0;
	pid_t pid;

	snprintf(mem, sizeof(mem), "%" PRIu64 "M", o->mem >> 20);
	snprintf(smp, sizeof(smp), "%u", o->smp);
	snprintf(append, sizeof(append), "console=ttyS0 quiet panic=-1%s%s",
		 o->append ? " " : "", o->append ? o->append : "");
	snprintf(con, sizeof(con), "file:%s/console.txt", o->out);
	snprintf(ctl, sizeof(ctl), "socket,id=pgrctl,path=%s", v->sock);
	if (o->strace) {
		static const char *const st[] = {
			"strace",	 "-f", "--seccomp-bpf", "-qq",	"-e",
			"trace=madvise", "-e", "signal=none",	"-ttt", "-o",
		};
		for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
			argv[n++] = st[i];
		argv[n++] = v->strace_out;
		argv[n++] = "--";
	}
	argv[n++] = o->qemu;
	argv[n++] = "-accel";
	argv[n++] = "tcg";
	argv[n++] = "-smp";
	argv[n++] = smp;
	argv[n++] = "-m";
	argv[n++] = mem;
	argv[n++] = "-kernel";
	argv[n++] = v->r->kernel;
	argv[n++] = "-initrd";
	argv[n++] = v->r->initrd;
	argv[n++] = "-append";
	argv[n++] = append;
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-monitor";
	argv[n++] = "none";
	argv[n++] = "-nic";
	argv[n++] = "none";
	argv[n++] = "-serial";
	argv[n++] = con;
	argv[n++] = "-chardev";
	argv[n++] = ctl;
	argv[n++] = "-serial";
	argv[n++] = "chardev:pgrctl";
	argv[n++] = "-no-reboot";
	argv[n++] = "-device";
	argv[n++] = "virtio-balloon-pci,free-page-reporting=on";
	argv[n++] = "-pidfile";
	argv[n++] = v->pidfile;
	for (int i = 0; i < 3; i++) {
		static const char *const name[3] = { "pgrout", "pgrtrace",
						     "pgrin" };

		if ((i == 1 && !o->trace) || (i == 2 && !o->disk))
			continue;
		snprintf(drv[nd], sizeof(drv[nd]),
			 "if=none,id=%s,format=raw,file=%s/%s.img", name[i],
			 v->r->rundir, name[i]);
		snprintf(dev[nd], sizeof(dev[nd]),
			 "virtio-blk-pci,drive=%s,serial=%s", name[i], name[i]);
		argv[n++] = "-drive";
		argv[n++] = drv[nd];
		argv[n++] = "-device";
		argv[n++] = dev[nd];
		nd++;
	}
	argv[n] = NULL;
	{
		FILE *f = fopen(v->log, "w");

		if (f) {
			for (int i = 0; i < n; i++)
				fprintf(f, "%s%s", i ? " " : "# ", argv[i]);
			fputc('\n', f);
			fclose(f);
		}
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(v->log, O_WRONLY | O_APPEND);
		int nul = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		if (nul >= 0)
			dup2(nul, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "pagereport-guest: %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	return pid;
}

int gr_vmm_run(struct gr_run *r)
{
	struct vmm v = { .r = r, .cfd = -1 };
	double t_done = 0;
	int status = 0, ret = 0;
	bool exited = false;

	snprintf(v.sock, sizeof(v.sock), "%s/ctl.sock", r->rundir);
	snprintf(v.pidfile, sizeof(v.pidfile), "%s/qemu.pid", r->rundir);
	snprintf(v.strace_out, sizeof(v.strace_out), "%s/strace.txt",
		 r->rundir);
	snprintf(v.log, sizeof(v.log), "%s/qemu.log", r->o->out);
	v.lfd = listen_unix(v.sock);
	if (v.lfd < 0)
		return -1;
	catch_signals();
	r->t_start = gr_now();
	v.child = spawn(&v);
	if (v.child < 0) {
		fprintf(stderr, "pagereport-guest: fork: %s\n",
			strerror(errno));
		close(v.lfd);
		return -1;
	}
	v.next_rss = r->t_start;
	while (!exited) {
		struct pollfd pf = { .fd = v.cfd >= 0 ? v.cfd : v.lfd,
				     .events = POLLIN };
		double now;
		pid_t w;

		poll(&pf, 1, 50);
		now = gr_now();
		if (v.cfd < 0 && v.lfd >= 0) {
			v.cfd = accept4(v.lfd, NULL, NULL,
					SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (v.cfd >= 0) {
				close(v.lfd);
				v.lfd = -1;
			}
		}
		if (v.cfd >= 0)
			read_ctl(&v, now);
		if (r->o->strace)
			read_strace(&v);
		if (now >= v.next_rss) {
			sample_rss(&v, now);
			v.next_rss += RSS_PERIOD;
			if (v.next_rss < now)
				v.next_rss = now + RSS_PERIOD;
		}
		check_settle(&v, now);
		w = waitpid(v.child, &status, WNOHANG);
		if (w == v.child) {
			exited = true;
			break;
		}
		if (r->done && !t_done)
			t_done = now;
		if (stop_signal || (t_done && now - t_done > 60) ||
		    now - r->t_start > r->o->timeout) {
			gr_log(r, "%s: stopping QEMU",
			       stop_signal ? "interrupted"
			       : t_done	   ? "the guest did not power off"
					   : "--timeout reached");
			if (stop_signal) {
				r->error = true;
				snprintf(r->errmsg, sizeof(r->errmsg),
					 "interrupted by signal %d",
					 (int)stop_signal);
			} else if (!t_done) {
				r->error = true;
				snprintf(r->errmsg, sizeof(r->errmsg),
					 "timeout after %.0f s", r->o->timeout);
			}
			kill(-v.child, SIGKILL);
			waitpid(v.child, &status, 0);
			exited = true;
		}
	}
	r->t_end = gr_now();
	if (v.cfd >= 0) {
		read_ctl(&v, r->t_end);
		close(v.cfd);
	}
	if (v.lfd >= 0)
		close(v.lfd);
	if (r->o->strace)
		read_strace(&v);
	if (v.st)
		fclose(v.st);
	unlink(v.sock);
	if (!r->done && !r->error) {
		r->error = true;
		snprintf(r->errmsg, sizeof(r->errmsg),
			 "QEMU exited (status %d) before the guest finished; "
			 "see %s/qemu.log and console.txt",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			 r->o->out);
		ret = -1;
	}
	if (r->o->strace && !r->ram_base) {
		r->error = true;
		snprintf(r->errmsg, sizeof(r->errmsg),
			 "strace showed no MADV_MERGEABLE of %" PRIu64
			 " bytes: guest RAM not found",
			 r->o->mem);
		ret = -1;
	}
	return r->error ? -1 : ret;
}
