/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpagereport: a host of many guests on one clock (overcommit).
 *
 * The question free page reporting exists for: how many guests fit on a
 * host without swapping, and what does it cost them?  A host has a memory
 * budget and N guests; each guest is a node (one zone) with its own
 * reporting strategy, its own workload (<pagereport/workload.h>) and a
 * host-side sink that accounts what the host discards.
 *
 * Host residency (what a KVM host holds for a guest, lazily allocated
 * anonymous or shmem memory): a guest page becomes resident the first time
 * the guest allocates it, and stops being resident when a report discards
 * it (QEMU's ram_block_discard_range on VIRTIO_BALLOON_F_REPORTING);
 * allocating it again makes it resident again (a refault: the host supplies
 * a zeroed page).  Pages the guest never touched are never resident.
 *
 * One shared clock: pgr_host_advance() moves in ticks; in each tick every
 * guest, in launch order, runs its workload for the tick on its engine
 * clock (pgr_workload_run), then the host applies the swap model.  All
 * randomness comes from the host seed (each guest's workload seed is
 * derived from it and the guest's index unless set), so a run is
 * deterministic for a seed.
 *
 * Swap model (aggregate, per guest g; r = resident, s = swapped, r >= s):
 *   - after each tick, when sum(r - s) exceeds the budget, the excess is
 *     swapped out, taken from the guests in proportion to their in-memory
 *     pages r - s (remainders to the lowest index);
 *   - a guest allocation that lands on already resident pages hits swap
 *     for the fraction s / r of them (swap-in: s decreases);
 *   - a discard of resident pages frees swap for the fraction s / r of
 *     them (the host drops the swap slot, no I/O);
 *   - fractions are carried exactly (integer numerator per guest), so
 *     nothing is rounded away over a run.
 * Costs (time a guest loses): swap_out_ns and swap_in_ns per page, and
 * refault_ns per host refault (a page the host backed, discarded and had
 * to back again; a first touch costs the same with or without reporting
 * and is not counted).  The defaults are assumptions, not
 * measurements: 4 us per page written to an SSD, 10 us per major fault
 * read back, 1 us to fault in and zero a 4 KiB page.
 */
#ifndef PAGEREPORT_HOST_H
#define PAGEREPORT_HOST_H

#include <stdio.h>

#include <pagereport/reporting.h>
#include <pagereport/workload.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PGR_HOST_TICK_NS_DEFAULT   10000000ULL	 /* 10 ms */
#define PGR_HOST_SAMPLE_NS_DEFAULT 1000000000ULL /* 1 s */
#define PGR_HOST_SWAP_OUT_NS	   4000ULL
#define PGR_HOST_SWAP_IN_NS	   10000ULL
#define PGR_HOST_REFAULT_NS	   1000ULL
#define PGR_HOST_MAX_GUESTS	   256
/* real_memory: largest guest, and largest sum over the host's guests */
#define PGR_HOST_REAL_MAX_GUEST_BYTES (1ULL << 30) /* 1 GiB */
#define PGR_HOST_REAL_MAX_TOTAL_BYTES (4ULL << 30) /* 4 GiB */

struct pgr_host_config {
	uint64_t budget_bytes; /* host memory for guests, > 0 */
	uint64_t seed;
	uint64_t tick_ns;   /* shared clock step; 0 = 10 ms */
	uint64_t sample_ns; /* CSV sample period; 0 = 1 s */
	/* cost model, ns per 4 KiB page; 0 = the defaults above */
	uint64_t swap_out_ns, swap_in_ns, refault_ns;
	/*
	 * Real memory, for small hosts: each guest's RAM is a memfd of its
	 * size (memfd_create + ftruncate, mapped shared).  A guest
	 * allocation writes one byte into each 4 KiB page the host did not
	 * back yet (the kernel allocates the page), and the host-side sink
	 * really discards each reported range (fallocate PUNCH_HOLE |
	 * KEEP_SIZE, what QEMU does for a shmem-backed guest).
	 * pgr_host_guest_kernel_bytes() then says what the kernel holds for
	 * the memfd, to check the virtual accounting against.  The mapping
	 * is madvise(MADV_NOHUGEPAGE) so that shmem allocates 4 KiB pages
	 * unless /sys/kernel/mm/transparent_hugepage/shmem_enabled is
	 * "force" (then the kernel may hold more than the model says).
	 * Guests up to PGR_HOST_REAL_MAX_GUEST_BYTES each and
	 * PGR_HOST_REAL_MAX_TOTAL_BYTES in all.
	 */
	bool real_memory;
};

struct pgr_host_guest_config {
	const char *name;   /* unique on the host; copied */
	uint64_t mem_bytes; /* guest RAM, a multiple of 4 MiB, <= budget */
	/* a registered strategy name; NULL or "none": no reporting */
	const char *strategy;
	/* tunables for the strategy (strategy/strategy_name are ignored;
	 * params are read during pgr_host_add_guest only) */
	struct pgr_reporting_config reporting;
	/* the guest's traffic; seed 0 = derived from the host seed */
	struct pgr_workload_config workload;
	/* FILL_FREE: stop the workload after this many cycles; 0 = never */
	uint64_t workload_cycles;
	/* FILL_FREE: idle this long after each cycle's free (0 = none) */
	uint64_t cycle_gap_ns;
	/* allocated at launch and kept (kernel, page cache): 0..0.9 */
	double base_fraction;
	/*
	 * pgr_workload_fill() at launch: the workload's starting state is
	 * touched at once.  Without it FILL_FREE starts with its hold_ops
	 * idle steps, then fills one block per step.
	 */
	bool fill_at_launch;
};

struct pgr_host_guest_stats {
	uint64_t launch_ns;
	uint64_t resident_pages;	/* touched and not discarded */
	uint64_t swapped_pages;		/* of resident_pages, in swap */
	uint64_t touched_pages;		/* ever allocated, for the first time */
	uint64_t discarded_pages_total; /* resident pages the host dropped */
	uint64_t swap_out_bytes, swap_in_bytes;
	/*
	 * Engine accounting: allocations of pages the host had discarded,
	 * including pages the host never backed (the first pass after
	 * registration reports the untouched free memory too).
	 */
	uint64_t refault_pages, refault_events;
	/* Host refaults: pages backed, discarded, then allocated again */
	uint64_t host_refault_pages, host_refault_events;
	uint64_t lost_ns; /* swap and refault time under the cost model */
	struct pgr_reporting_accounting acct;
	struct pgr_workload_stats workload;
};

struct pgr_host_stats {
	uint64_t now_ns;
	unsigned nr_guests;
	uint64_t budget_bytes;
	uint64_t resident_bytes;  /* sum over guests */
	uint64_t in_memory_bytes; /* resident - swapped */
	uint64_t peak_in_memory_bytes;
	uint64_t swap_out_bytes, swap_in_bytes;
	bool swapped;		/* the host has swapped at least once */
	uint64_t first_swap_ns; /* valid when swapped */
};

struct pgr_host;

/**
 * pgr_host_create - a host with a memory budget and no guest yet
 * @cfg: budget (> 0), seed, clock tick and cost model
 *
 * Return: the host, or NULL with errno set (EINVAL: NULL, budget 0;
 * ENOMEM) and a pgr_errmsg() message.
 */
PGR_EXPORT struct pgr_host *pgr_host_create(const struct pgr_host_config *cfg);

/** pgr_host_destroy - free the host and every guest; NULL is ignored. */
PGR_EXPORT void pgr_host_destroy(struct pgr_host *host);

/**
 * pgr_host_add_guest - launch a guest now (at pgr_host_now())
 * @host: the host
 * @cfg: the guest; see struct pgr_host_guest_config
 *
 * The guest's node is built and populated, its strategy registered on a
 * virtual clock set to the host's time, its base memory allocated.
 * Return: the guest's index (0, 1, ...), or -EINVAL (NULL, no name, size
 * 0 or not a multiple of 4 MiB, a guest larger than the host's budget,
 * unknown strategy, bad workload or tunables; real_memory: a guest over
 * PGR_HOST_REAL_MAX_GUEST_BYTES or a host over
 * PGR_HOST_REAL_MAX_TOTAL_BYTES), -EEXIST (a guest of that
 * name was already added), -ENOSPC (PGR_HOST_MAX_GUESTS), -ENOMEM.
 */
PGR_EXPORT int pgr_host_add_guest(struct pgr_host *host,
				  const struct pgr_host_guest_config *cfg);

/**
 * pgr_host_advance - advance the shared clock by @ns (whole ticks; a
 * remainder shorter than a tick runs as a short last tick)
 *
 * Return: 0, -EINVAL (NULL), or the first guest workload or engine error.
 */
PGR_EXPORT int pgr_host_advance(struct pgr_host *host, uint64_t ns);

/** pgr_host_now - the shared clock (ns). */
PGR_EXPORT uint64_t pgr_host_now(const struct pgr_host *host);

/** pgr_host_nr_guests - how many guests were added. */
PGR_EXPORT unsigned pgr_host_nr_guests(const struct pgr_host *host);

/** pgr_host_guest_node - guest @idx's node (NULL if out of range). */
PGR_EXPORT struct pgr_node *pgr_host_guest_node(struct pgr_host *host,
						unsigned idx);

/**
 * pgr_host_get_stats - host totals.  Return: 0, -EINVAL (NULL).
 */
PGR_EXPORT int pgr_host_get_stats(const struct pgr_host *host,
				  struct pgr_host_stats *r_stats);

/**
 * pgr_host_get_guest_stats - one guest's residency, swap and refaults.
 * Return: 0, -EINVAL (NULL), -ENOENT (no guest @idx).
 */
PGR_EXPORT int pgr_host_get_guest_stats(struct pgr_host *host, unsigned idx,
					struct pgr_host_guest_stats *r_stats);

/**
 * pgr_host_guest_kernel_bytes - what the kernel holds for guest @idx's
 * memfd (real_memory hosts): fstat's st_blocks * 512
 * @host: a host created with real_memory
 * @idx: the guest
 * @r_bytes: the bytes the memfd has allocated
 *
 * With 4 KiB shmem pages this equals the guest's resident_pages * 4096.
 * Return: 0, -EINVAL (NULL, not a real_memory host), -ENOENT (no guest
 * @idx), or -errno of fstat.
 */
PGR_EXPORT int pgr_host_guest_kernel_bytes(struct pgr_host *host, unsigned idx,
					   uint64_t *r_bytes);

/**
 * pgr_host_write_csv - the samples taken so far, one row per sample per
 * guest plus a "host" row: time_ns, guest, strategy, resident_bytes,
 * swapped_bytes, allocated_bytes, discarded_bytes, refault_pages,
 * refault_events, swap_out_bytes, swap_in_bytes.  Samples are taken every
 * sample_ns of host time by pgr_host_advance (and at time 0).
 * Return: 0, -EINVAL (NULL), -EIO (write error).
 */
PGR_EXPORT int pgr_host_write_csv(const struct pgr_host *host, FILE *f);

#ifdef __cplusplus
}
#endif
#endif /* PAGEREPORT_HOST_H */
