/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pagereport-guest: record a real x86-64 guest (Debian's Linux 6.1 under
 * QEMU with its own virtio-balloon free page reporting) running a user's
 * workload.  Shared between the three parts of the program:
 * pagereport-guest.c (options, the run's files, the image), vmm.c (QEMU
 * under strace, the control port, RSS sampling, settles) and output.c
 * (the recording directory).  A thin main over the public API: it uses
 * the library only to import the guest's trace (trace.h).
 */
#ifndef PGR_GUESTREC_H
#define PGR_GUESTREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GR_MAX_PHASES 256

struct gr_opts {
	const char *out, *image, *qemu, *append, *disk;
	const char **copy;
	size_t nr_copy;
	char **cmd; /* the workload: argv */
	int nr_cmd;
	uint64_t mem;
	unsigned smp;
	double settle, settle_max, timeout;
	unsigned trace_kb; /* per CPU */
	bool trace, strace, kpage, boot_settle, end_settle, quiet, keep;
};

/* One discard seen in strace: host time, guest pfn and pages. */
struct gr_discard {
	double host_t;
	uint64_t pfn, pages;
};

struct gr_rss {
	double host_t;
	uint64_t vmrss_kb, rssanon_kb, anonhuge_kb;
};

/* A message from the guest with its host time of arrival. */
struct gr_phase {
	char name[64];
	char kind[8]; /* "window" or "snap" */
	double guest_t, host_t;
};

struct gr_run {
	const struct gr_opts *o;
	char rundir[4096]; /* OUT/.run: disks, sockets, strace output */
	char kernel[4200], initrd[4200];
	/* results of the run */
	struct gr_discard *disc;
	size_t nr_disc, cap_disc;
	struct gr_rss *rss;
	size_t nr_rss, cap_rss;
	struct gr_phase phase[GR_MAX_PHASES];
	size_t nr_phase;
	uint64_t ram_base, ram_size; /* host address of guest RAM */
	uint64_t other_dontneed;     /* MADV_DONTNEED outside guest RAM */
	double offset;		     /* host_t - guest uptime, smallest seen */
	bool have_offset, done, error;
	int workload_rc;
	char errmsg[512];
	double t_start, t_end; /* host time */
};

/* pagereport-guest.c */
double gr_now(void);
uint64_t gr_trace_region(const struct gr_opts *o);
int gr_spawn_wait(char *const argv[], const char *quiet_out);
void gr_log(const struct gr_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* vmm.c: boot, serve the guest until it powers off; 0 or -1. */
int gr_vmm_run(struct gr_run *r);

/* ftrace_raw.c: the trace disk (@ncpu regions of @region bytes of
 * trace_pipe_raw pages) as ftrace text, the CPUs merged by time. */
int gr_ftrace_raw_to_text(const char *disk, uint64_t region, unsigned ncpu,
			  const char *fmtdir, const char *const *events,
			  unsigned nev, const char *txt, uint64_t *r_events,
			  uint64_t *r_lost);

/* output.c: the recording directory from the run; 0 or -1. */
int gr_output_write(struct gr_run *r);

#endif /* PGR_GUESTREC_H */
