/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pagereport-bench: shared declarations of the runner.
 *
 * The runner models no kernel file; it drives the model (mm.h) and the
 * reporting engine (reporting.h) the way a guest workload and a host would,
 * and measures them.  main.c parses options and runs experiments; common.c
 * has clocks, statistics and the progress line (the workloads are the
 * library's, <pagereport/workload.h>);
 * output.c writes one CSV and one JSON per experiment; profile.c wraps
 * gperftools; one exp_*.c per experiment.
 */
#ifndef PGR_BENCH_H
#define PGR_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <pagereport/pagereport.h>

#include "rand.h"

#define BENCH_SCHEMA_VERSION 1
#define GiB		     (1ULL << 30)
#define MiB		     (1ULL << 20)
#define NSEC_PER_SEC	     1000000000ULL
#define NSEC_PER_MSEC	     1000000ULL
#define BENCH_MAX_PARAMS     32 /* --param settings */
/* Zone start: 4 GiB, where ZONE_NORMAL starts on x86-64. */
#define BENCH_START_PFN 0x100000ULL

/* Global options (main.c). */
struct bench_opts {
	uint64_t mem_bytes; /* --mem: simulated guest for boundary/reclaim */
	bool mem_set;
	unsigned threads; /* --threads: page-fault1; 0 = {1, 2} */
	int strategy;	  /* --strategy; -1 = all */
	/* --param NAME=VALUE: passed to every registration */
	struct pgr_param params[32]; /* BENCH_MAX_PARAMS */
	unsigned nr_params;
	/* --load FILE: plug-ins loaded, as absolute paths (for merge) */
	char *loaded[32]; /* BENCH_MAX_PARAMS */
	unsigned nr_loaded;
	uint64_t seed;	       /* --seed */
	unsigned repeat;       /* --repeat */
	bool quick;	       /* --quick */
	const char *out_dir;   /* --out */
	const char *profile;   /* --profile */
	const char *balloond;  /* --balloond PATH, "" = off, NULL = auto */
	double delay_scale;    /* --delay-scale for page-fault1 (real clock) */
	unsigned pf_order;     /* --pf-order: 9 (THP) or 0 */
	uint64_t pf_mem_bytes; /* --pf-mem: real guest RAM of page-fault1 */
	double pf_seconds;     /* --pf-seconds: measured window */
	const char *argv0;
	/* overcommit-scale: --guests, --guest-gib, --hours, --oc-rate,
	 * --oc-tick-ms */
	unsigned oc_guests;
	uint64_t oc_guest_gib;
	double oc_hours, oc_rate;
	uint64_t oc_tick_ms;
	bool oc_set; /* any of them given (else --quick shrinks them) */
	bool full;   /* --full: the fine overcommit sweeps */
};

extern struct bench_opts bench_opts;

/* ---- time ---------------------------------------------------------------- */
uint64_t bench_now_ns(void);	     /* CLOCK_MONOTONIC */
uint64_t bench_thread_cpu_ns(void);  /* CLOCK_THREAD_CPUTIME_ID */
uint64_t bench_process_cpu_ns(void); /* CLOCK_PROCESS_CPUTIME_ID */

/* ---- statistics ------------------------------------------------------------
 */
double bench_median(const double *v, size_t n);
double bench_min(const double *v, size_t n);
double bench_max(const double *v, size_t n);

/* ---- output (output.c) -----------------------------------------------------
 */
/*
 * A result table: config columns (text or numbers, fixed per point) and
 * metric columns, each a series of samples (one per repeat) written as
 * <name>_median, <name>_min, <name>_max.  Rows are kept in memory and
 * written at the end as CSV and JSON.
 */
struct bench_table;

enum bench_col_kind { BENCH_COL_TEXT, BENCH_COL_INT, BENCH_COL_REAL };

struct bench_table *bench_table_new(const char *experiment,
				    const char *description);
void bench_table_free(struct bench_table *t);
/* Declare columns before the first row. */
void bench_table_config_col(struct bench_table *t, const char *name,
			    enum bench_col_kind kind, const char *unit);
void bench_table_metric_col(struct bench_table *t, const char *name,
			    const char *unit);
/* Global configuration echoed in the JSON "config" object. */
void bench_table_config(struct bench_table *t, const char *key, const char *fmt,
			...) __attribute__((format(printf, 3, 4)));
/* Headline numbers for the JSON "headline" object and stdout. */
void bench_table_headline(struct bench_table *t, const char *key, double v,
			  const char *unit);
void bench_table_note(struct bench_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Start a row; then set every config column and add samples. */
struct bench_row *bench_row_new(struct bench_table *t);
void bench_row_text(struct bench_row *r, const char *col, const char *v);
void bench_row_int(struct bench_row *r, const char *col, int64_t v);
void bench_row_real(struct bench_row *r, const char *col, double v);
void bench_row_sample(struct bench_row *r, const char *metric, double v);
/* Status column ("ok", "unavailable: why"); default "ok". */
void bench_row_status(struct bench_row *r, const char *status);
/* Median of a metric so far (NAN when no sample). */
double bench_row_median(struct bench_row *r, const char *metric);
bool bench_table_has_col(struct bench_table *t, const char *name);
struct bench_row *bench_table_find(struct bench_table *t, const char *col1,
				   const char *v1, const char *col2,
				   const char *v2);

/* Write <out>/<experiment>.csv and .json.  Return 0 or -errno. */
int bench_table_write(struct bench_table *t, const char *dir, double elapsed_s);

/* ---- progress line (common.c) ----------------------------------------------
 */
void bench_progress_begin(const char *experiment, unsigned total);
void bench_progress_step(const char *what);
void bench_progress_end(void);

/* ---- profiling (profile.c) ---------------------------------------------- */
int bench_profile_start(const char *path); /* at program start */
void bench_profile_measure(bool on);	   /* around measured phases */
void bench_profile_stop(void);
bool bench_profile_available(void);

/* ---- model helpers (common.c) ----------------------------------------------
 */
/* A one-zone node of @bytes ("Normal" at BENCH_START_PFN), populated. */
struct pgr_node_config bench_node_config(uint64_t bytes, bool shuffle,
					 uint64_t seed);
struct pgr_node *bench_node_create(uint64_t bytes, bool shuffle, uint64_t seed);
/* Make every page of @ram resident (MADV_POPULATE_WRITE or touching). */
int bench_guest_ram_prefault(struct pgr_guest_ram *ram);
const char *bench_fmt_bytes(uint64_t bytes, char *buf, size_t len);
int bench_parse_size(const char *s, uint64_t *r_bytes);

/*
 * The workloads (churn, build, page_fault1) are the library's:
 * <pagereport/workload.h>.  bench_workload() creates one or says why not.
 */
struct pgr_workload *bench_workload(struct pgr_zone *zone,
				    const struct pgr_workload_config *cfg);

/* ---- balloon daemon (common.c) ----------------------------------------------
 */
struct bench_balloond {
	int pid;
	char dir[256];
	char socket_path[300];
	char why[256]; /* when unavailable */
	bool available;
};
/* Find and start pagereport-balloond; never fails the run. */
void bench_balloond_start(struct bench_balloond *b);
/* The directory of this executable (/proc/self/exe); false if unknown. */
bool bench_exe_dir(char *buf, size_t len);
/* A built pagereport-balloond near this executable (build tree or bin). */
bool bench_find_balloond(char *buf, size_t len);
void bench_balloond_stop(struct bench_balloond *b);

/* ---- experiments
 * ------------------------------------------------------------- */
struct bench_experiment {
	const char *name;
	const char *summary;
	int (*run)(const char *out_dir);
};

int exp_boundary_run(const char *out_dir);
int exp_pagefault_run(const char *out_dir);
int exp_reclaim_run(const char *out_dir);
int exp_scale_run(const char *out_dir);
int exp_overcommit_run(const char *out_dir);
int exp_overcommit_uml_run(const char *out_dir);
int exp_overcommit_scale_run(const char *out_dir);
int exp_overcommit_sweep_run(const char *out_dir);

/* ---- results directory (results.c) -----------------------------------------
 */
/* Make results/<UTC timestamp>[-k], a new directory; its path in @buf. */
int bench_results_dir_create(char *buf, size_t len);
int bench_results_mkdir(const char *dir);
/* Atomically point results/latest at @dir (a completed run). */
int bench_results_publish(const char *dir);

/* ---- sharding and merge (shard.c) -------------------------------------------
 */
struct json;
/* "i/n", 1 <= i <= n: run only the i-th slice of the work units. */
int bench_shard_parse(const char *s);
bool bench_sharded(void);
bool bench_merging(void);
/* Before each experiment: unit numbers start again at 0. */
void bench_shard_reset(void);
/*
 * Call once per work unit, in the unsharded order, whether or not it will
 * run: true when this process runs it (always, unsharded; never, merging).
 */
bool bench_shard_take(void);
long bench_shard_unit(void); /* the unit of the last take, -1 before */
/* After the measured loop: while merging, fill @t from the shards. */
int bench_shard_collect(struct bench_table *t);
/*
 * While merging: copy every <prefix>*.csv of the shards into @out_dir
 * (per-unit side files such as overcommit-host-<strategy>.csv; each is
 * written by the one shard that ran its unit).  0 when not merging.
 */
int bench_merge_copy_files(const char *prefix, const char *out_dir);
void bench_shard_write_json(FILE *f);
void bench_merge_write_json(FILE *f);
int bench_merge_main(int argc, char **argv,
		     const struct bench_experiment *experiments,
		     size_t nr_experiments);
/* output.c: add the shards' samples (by unit) and statuses to @t's rows. */
int bench_table_merge(struct bench_table *t, const struct json *const *docs,
		      unsigned n);
double bench_row_min(struct bench_row *r, const char *metric);
double bench_row_max(struct bench_row *r, const char *metric);

/* ---- strategies (strategies.c) ----------------------------------------- */
/* Strategy @id is selected by --strategy (all when none given). */
bool bench_strategy_selected(int id);
/* --load FILE, --param NAME=VALUE: 0 or -errno, a message on stderr. */
int bench_load(const char *path);
int bench_add_param(const char *arg);
/* Every strategy an experiment may run: built-ins, then registered. */
unsigned bench_nr_strategies(void);
unsigned bench_repeat(void);

/*
 * The union of the selected strategies' own parameters (config columns)
 * or named counters (metric columns), in registry order; a name the
 * experiment has a column for already gets a "param_"/"counter_" prefix.
 */
#define BENCH_MAX_NAMED 64
struct bench_named {
	unsigned n;
	char name[BENCH_MAX_NAMED][32];
	char col[BENCH_MAX_NAMED][48];
};
void bench_param_cols(struct bench_table *t, struct bench_named *nm,
		      bool (*want)(int id));
void bench_counter_cols(struct bench_table *t, struct bench_named *nm,
			bool (*want)(int id));
/* The values of @node's device's parameters among @nm. */
void bench_row_params(struct bench_row *r, const struct bench_named *nm,
		      struct pgr_node *node);

/* A device's named counters at one time (names live for the process). */
struct bench_counters {
	unsigned n;
	const char *name[BENCH_MAX_NAMED];
	uint64_t v[BENCH_MAX_NAMED];
};
void bench_counters_read(struct pgr_node *node, struct bench_counters *c);
/* @sum += @c by name (summing guests). */
void bench_counters_add(struct bench_counters *sum,
			const struct bench_counters *c);
uint64_t bench_counter(const struct bench_counters *c, const char *name);
/* One sample per counter in @nm: @after - @before (NULL: 0). */
void bench_row_counters(struct bench_row *r, const struct bench_named *nm,
			const struct bench_counters *after,
			const struct bench_counters *before);

#endif /* PGR_BENCH_H */
