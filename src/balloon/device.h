/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The virtio-balloon device (id 5) behind pagereport-balloond: features,
 * the 16-byte config, Linux's compact queue numbering and the free page
 * reporting handler.  Internal: the daemon and the tests use it.
 */
#ifndef PGR_BALLOON_DEVICE_H
#define PGR_BALLOON_DEVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vhost-user/backend.h"

struct pgr_balloon_dev_stats {
	uint64_t reports; /* reporting buffers used */
	uint64_t ranges;  /* device-writable ranges seen */
	uint64_t bytes_discarded;
	uint64_t bytes_skipped; /* poison, --no-discard, unaligned, fs */
	uint64_t errors;	/* failed discards + dropped connections */
	uint64_t connections;
	uint64_t yields; /* reports set aside for a pending message */
	/* CLOCK_MONOTONIC ns, for bench/balloon-ratio's per-phase split: */
	uint64_t busy_ns;    /* in the reporting handler (pop..push+call) */
	uint64_t discard_ns; /* in fallocate/madvise of reported ranges */
};

struct pgr_balloon_dev {
	bool discard;		    /* false: --no-discard */
	unsigned int test_delay_ms; /* --test-discard-delay-ms: slow back-end */
	bool discard_files;	/* --discard-regular-files: not only shmem */
	uint64_t features;	/* acked (no bit 30) */
	uint64_t ring_features; /* INDIRECT_DESC/EVENT_IDX to offer */
	uint8_t config[16];	/* le32 num_pages, actual, cmd_id, poison_val */
	struct pgr_balloon_dev_stats stats;
	void (*log)(void *opaque, const char *msg);
	void *log_opaque;
	/* --report-log: one line per used reporting buffer, or NULL */
	FILE *report_log;
};

extern const struct pgr_vhost_device_ops pgr__balloon_dev_ops;

void pgr__balloon_dev_init(struct pgr_balloon_dev *d, bool discard);
/* Index of the reporting queue for the acked features (2, 3 or 4). */
unsigned int pgr__balloon_reporting_vq(uint64_t features);
/*
 * The discard recipe of VHOST_USER_BALLOON.md §6 for one reported range.
 * Return: bytes discarded (0 when skipped) or -errno.
 */
int64_t pgr__balloon_discard(struct pgr_balloon_dev *d,
			     struct pgr_vhost_backend *be, uint64_t gpa,
			     uint64_t len);

#endif /* PGR_BALLOON_DEVICE_H */
