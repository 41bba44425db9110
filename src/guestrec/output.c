// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pagereport-guest: the recording directory.  The guest's own files come
 * out of the output disk (a tar archive the guest wrote to the raw disk);
 * the kmem trace out of the trace disk (text up to the first NUL).  Added
 * here: the real discard timeline and QEMU's RSS in guest time (the
 * guest's uptime: host time minus the smallest host-minus-guest offset
 * seen on the control port, whose messages carry the guest's uptime),
 * the start state as free blocks (runs of KPF_BUDDY pages in the
 * /proc/kpageflags copy, cut into naturally aligned blocks as the buddy
 * allocator holds them), the zones, and the trace in pgrtrace form
 * (imported with the library's ftrace importer, BUDDY view).
 * pagereport-guest(1) describes every file.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pagereport/pagereport.h>

#include "guestrec.h"

#define KPF_BUDDY 10

static FILE *out_open(const struct gr_run *r, const char *name,
		      const char *mode)
{
	char p[4300];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", r->o->out, name);
	f = fopen(p, mode);
	if (!f && mode[0] == 'w')
		fprintf(stderr, "pagereport-guest: %s: %s\n", p,
			strerror(errno));
	return f;
}

static double gt(const struct gr_run *r, double host_t)
{
	return host_t - r->offset;
}

static int untar(const struct gr_run *r)
{
	char img[4300];
	char *argv[] = { "tar", "-xf", img, "-C", (char *)r->o->out, NULL };

	snprintf(img, sizeof(img), "%s/pgrout.img", r->rundir);
	if (gr_spawn_wait(argv, NULL)) {
		fprintf(stderr, "pagereport-guest: the guest's output disk "
				"holds no complete archive\n");
		return -1;
	}
	return 0;
}

/* The trace disk's ring-buffer pages as ftrace text (ftrace_raw.c). */
static int copy_trace(const struct gr_run *r, uint64_t *r_events,
		      uint64_t *r_lost)
{
	static const char *const ev[] = {
		"mm_page_alloc",      "mm_page_alloc_zone_locked",
		"mm_page_free",	      "mm_page_free_batched",
		"mm_page_pcpu_drain", "mm_page_alloc_extfrag",
	};
	char disk[4300], fmt[4300], txt[4300];

	snprintf(disk, sizeof(disk), "%s/pgrtrace.img", r->rundir);
	snprintf(fmt, sizeof(fmt), "%s/tracefmt", r->o->out);
	snprintf(txt, sizeof(txt), "%s/trace.txt", r->o->out);
	return gr_ftrace_raw_to_text(disk, gr_trace_region(r->o), r->o->smp,
				     fmt, ev, sizeof(ev) / sizeof(ev[0]), txt,
				     r_events, r_lost);
}

static int write_discards(const struct gr_run *r)
{
	FILE *f = out_open(r, "discards", "w");

	if (!f)
		return -1;
	fprintf(f, "# QEMU's discards of guest RAM: madvise(MADV_DONTNEED) "
		   "seen by strace, one per reported range\n"
		   "# t_s (guest uptime) pfn (hex) pages\n");
	for (size_t i = 0; i < r->nr_disc; i++)
		fprintf(f, "%.6f %#" PRIx64 " %" PRIu64 "\n",
			gt(r, r->disc[i].host_t), r->disc[i].pfn,
			r->disc[i].pages);
	return fclose(f) ? -1 : 0;
}

static int write_rss(const struct gr_run *r)
{
	FILE *f = out_open(r, "rss.csv", "w");

	if (!f)
		return -1;
	fprintf(f, "t_s,vmrss_kib,rssanon_kib,anonhugepages_kib\n");
	for (size_t i = 0; i < r->nr_rss; i++)
		fprintf(f, "%.3f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
			gt(r, r->rss[i].host_t), r->rss[i].vmrss_kb,
			r->rss[i].rssanon_kb, r->rss[i].anonhuge_kb);
	return fclose(f) ? -1 : 0;
}

static int copy_file(const struct gr_run *r, const char *from, const char *to)
{
	FILE *in = out_open(r, from, "r"), *out;
	char buf[8192];
	size_t n;

	if (!in)
		return -1;
	out = out_open(r, to, "w");
	if (!out) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	return fclose(out) ? -1 : 0;
}

/* The zones of the start snapshot, as a trace's geometry. */
static int zones_of(const struct gr_run *r, struct pgr_trace *t)
{
	FILE *f = out_open(r, "zoneinfo", "r");
	int err;

	if (!f)
		return -1;
	err = pgr_trace_set_zones_from_zoneinfo(t, f, 0);
	fclose(f);
	if (err)
		fprintf(stderr, "pagereport-guest: zoneinfo: %s\n",
			pgr_errmsg());
	return err;
}

static int write_free_start(const struct gr_run *r, const struct pgr_trace *t,
			    uint64_t *r_blocks, uint64_t *r_pages)
{
	struct pgr_node_config c;
	FILE *in = out_open(r, "kpageflags.start", "rb"), *out;
	int err = 0;

	*r_blocks = *r_pages = 0;
	if (!in)
		return -1;
	if (pgr_trace_node_config(t, &c)) {
		fclose(in);
		return -1;
	}
	out = out_open(r, "free.start", "w");
	if (!out) {
		fclose(in);
		return -1;
	}
	fprintf(out, "# free blocks of kpageflags.start (KPF_BUDDY runs): "
		     "<pfn> <order>\n");
	for (unsigned z = 0; z < c.nr_zones && !err; z++) {
		uint64_t s = c.zones[z].start_pfn, e = s + c.zones[z].nr_pages;
		uint64_t run = UINT64_MAX;

		if (fseeko(in, (off_t)(s * 8), SEEK_SET)) {
			err = -1;
			break;
		}
		for (uint64_t p = s; p <= e; p++) {
			uint64_t flags = 0;
			bool buddy = false;

			if (p < e) {
				if (fread(&flags, 8, 1, in) != 1) {
					fprintf(stderr,
						"pagereport-guest: "
						"kpageflags.start ends at pfn "
						"%#" PRIx64 "\n",
						p);
					err = -1;
					break;
				}
				buddy = (flags >> KPF_BUDDY) & 1;
			}
			if (buddy && run == UINT64_MAX)
				run = p;
			if (buddy || run == UINT64_MAX)
				continue;
			for (uint64_t q = run; q < p;) {
				unsigned o = PGR_MAX_ORDER_DEFAULT - 1;

				while (o && ((q & ((1ULL << o) - 1)) ||
					     q + (1ULL << o) > p))
					o--;
				fprintf(out, "%#" PRIx64 " %u\n", q, o);
				(*r_blocks)++;
				*r_pages += 1ULL << o;
				q += 1ULL << o;
			}
			run = UINT64_MAX;
		}
	}
	fclose(in);
	return fclose(out) || err ? -1 : 0;
}

static int write_pgrtrace(const struct gr_run *r, struct pgr_trace *t,
			  struct pgr_trace_import_stats *st)
{
	FILE *in = out_open(r, "trace.txt", "r");
	char p[4300];
	int err;

	if (!in)
		return -1;
	err = pgr_trace_import(t, in, NULL, st);
	fclose(in);
	if (err) {
		fprintf(stderr, "pagereport-guest: trace.txt: %s\n",
			pgr_errmsg());
		return err;
	}
	snprintf(p, sizeof(p), "%s/trace.pgrtrace", r->o->out);
	err = pgr_trace_save(t, p);
	if (err)
		fprintf(stderr, "pagereport-guest: %s: %s\n", p, pgr_errmsg());
	return err;
}

/* Events the ring buffer dropped: "dropped events" and "overrun" of every
 * CPU in trace.stats. */
static uint64_t ring_lost(const struct gr_run *r)
{
	FILE *f = out_open(r, "trace.stats", "r");
	char line[2048];
	uint64_t lost = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		const char *keys[] = { "overrun: ", "dropped events: " };

		for (int k = 0; k < 2; k++) {
			char *s = strstr(line, keys[k]);

			if (s)
				lost += strtoull(s + strlen(keys[k]), NULL, 10);
		}
	}
	fclose(f);
	return lost;
}

static void summary(const struct gr_run *r)
{
	size_t j = 0;

	if (r->o->quiet)
		return;
	printf("phase windows (QEMU's discards after each mark):\n");
	printf("  %-14s %9s %9s %9s\n", "window", "start_s", "discards", "MiB");
	for (size_t i = 0; i < r->nr_phase; i++) {
		double t0, t1 = 1e300;
		uint64_t n = 0, pages = 0;

		if (strcmp(r->phase[i].kind, "window"))
			continue;
		t0 = r->phase[i].guest_t;
		for (size_t k = i + 1; k < r->nr_phase; k++)
			if (!strcmp(r->phase[k].kind, "window")) {
				t1 = r->phase[k].guest_t;
				break;
			}
		for (j = 0; j < r->nr_disc; j++) {
			double t = gt(r, r->disc[j].host_t);

			if (t >= t0 && t < t1) {
				n++;
				pages += r->disc[j].pages;
			}
		}
		printf("  %-14s %9.2f %9" PRIu64 " %9" PRIu64 "\n",
		       r->phase[i].name, t0, n, pages >> 8);
	}
}

int gr_output_write(struct gr_run *r)
{
	const struct gr_opts *o = r->o;
	struct pgr_trace_import_stats st = { 0 };
	uint64_t trace_bytes = 0, fb = 0, fp = 0, lost = 0;
	struct pgr_trace *t = NULL;
	int err = 0;
	FILE *f;

	if (!r->have_offset)
		r->offset = r->t_start; /* the guest never spoke */
	if (untar(r))
		err = -1;
	if (write_discards(r) || write_rss(r))
		err = -1;
	if (!err && copy_file(r, "phase/start/zoneinfo", "zoneinfo"))
		err = -1;
	if (!err) {
		t = pgr_trace_create();
		if (!t || zones_of(r, t))
			err = -1;
	}
	if (!err && o->kpage && write_free_start(r, t, &fb, &fp))
		err = -1;
	if (!err && o->trace) {
		uint64_t page_lost = 0;

		if (copy_trace(r, &trace_bytes, &page_lost) ||
		    write_pgrtrace(r, t, &st))
			err = -1;
		lost = ring_lost(r) + st.lost_events + page_lost;
	}
	f = out_open(r, "meta", "w");
	if (f) {
		fprintf(f,
			"# pagereport-guest recording (key value)\n"
			"tool pagereport-guest %s\n"
			"mem_bytes %" PRIu64 "\nsmp %u\nqemu %s\n"
			"accel tcg\n"
			"balloon virtio-balloon-pci,free-page-reporting=on\n"
			"offset_s %.6f\nram_base %#" PRIx64 "\n"
			"discards %zu\nother_dontneed %" PRIu64 "\n"
			"rss_samples %zu\nworkload_rc %d\n"
			"wall_s %.1f\ntrace %d\ntrace_records %" PRIu64 "\n"
			"trace_events %" PRIu64 "\ntrace_lost %" PRIu64 "\n"
			"free_start_blocks %" PRIu64
			"\nfree_start_pages %" PRIu64 "\n",
			PACKAGE_VERSION, o->mem, o->smp, o->qemu, r->offset,
			r->ram_base, r->nr_disc, r->other_dontneed, r->nr_rss,
			r->workload_rc, r->t_end - r->t_start, o->trace,
			trace_bytes, (uint64_t)st.events, lost, fb, fp);
		fputs("command", f);
		for (int i = 0; i < o->nr_cmd; i++)
			fprintf(f, " %s", o->cmd[i]);
		fputc('\n', f);
		if (r->error)
			fprintf(f, "error %s\n", r->errmsg);
		fclose(f);
	}
	pgr_trace_destroy(t);
	summary(r);
	if (!o->quiet) {
		printf("workload exit status %d; %zu discards (%" PRIu64
		       " MADV_DONTNEED outside guest RAM), %zu RSS samples\n",
		       r->workload_rc, r->nr_disc, r->other_dontneed,
		       r->nr_rss);
		if (o->trace)
			printf("kmem trace: %" PRIu64 " records, %" PRIu64
			       " events imported (BUDDY view), %" PRIu64
			       " lost\n",
			       trace_bytes, (uint64_t)st.events, lost);
		if (o->kpage)
			printf("start: %" PRIu64 " free blocks, %" PRIu64
			       " pages (kpageflags)\n",
			       fb, fp);
		printf("recording in %s; compare: pagereport-sim compare %s\n",
		       o->out, o->out);
	}
	if (lost)
		fprintf(stderr,
			"pagereport-guest: %" PRIu64 " trace events were lost: "
			"give a larger --trace-buffer-mb\n",
			lost);
	return err;
}
