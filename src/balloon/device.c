// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The virtio-balloon device of pagereport-balloond.  Models QEMU's
 * hw/virtio/virtio-balloon.c (virtio_balloon_handle_report,
 * virtio_balloon_get_config/set_config) for a vhost-user back-end: offers
 * VERSION_1, REPORTING and PAGE_POISON (takes STATS_VQ and DEFLATE_ON_OOM
 * too), numbers queues the way Linux's init_vqs does (absent queues take no
 * index), and discards each reported range with fallocate(PUNCH_HOLE |
 * KEEP_SIZE) on the region fd, falling back to MADV_REMOVE, never with
 * MADV_DONTNEED (shared memory would not be freed).  Inflate and deflate
 * buffers are acknowledged without action (num_pages stays 0); a stats
 * buffer is held, as the device must; free page hinting is not offered.
 * Before each discard it yields to a pending message or a hang-up: a
 * front-end that gave up on the buffer sends GET_VRING_BASE and reuses
 * the pages once it is answered, so nothing may be discarded after it.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>

#include "balloon/device.h"

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif

#define BIT(n) (1ULL << (n))

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

/*
 * What may we punch holes in?  Guest RAM that only exists as memory:
 * shmem (memfd, /dev/shm, tmpfs) and hugetlbfs.  A regular file on a disk
 * file system may be someone's data that a front-end merely mapped (a
 * snapshot, an image): discarding there needs --discard-regular-files.
 */
static bool discard_allowed(const struct pgr_balloon_dev *d,
			    const struct pgr_vhost_mem_region *r)
{
	return d->discard_files || r->fs_type == TMPFS_MAGIC ||
	       r->fs_type == HUGETLBFS_MAGIC;
}

#define BALLOON_OFFERED                                              \
	(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_BALLOON_F_REPORTING) | \
	 BIT(VIRTIO_BALLOON_F_PAGE_POISON))
#define BALLOON_ACCEPTED \
	(BIT(VIRTIO_BALLOON_F_STATS_VQ) | BIT(VIRTIO_BALLOON_F_DEFLATE_ON_OOM))

void pgr__balloon_dev_init(struct pgr_balloon_dev *d, bool discard)
{
	memset(d, 0, sizeof(*d));
	d->discard = discard;
}

unsigned int pgr__balloon_reporting_vq(uint64_t features)
{
	return 2 + !!(features & BIT(VIRTIO_BALLOON_F_STATS_VQ)) +
	       !!(features & BIT(VIRTIO_BALLOON_F_FREE_PAGE_HINT));
}

static uint64_t dev_features(void *dev)
{
	struct pgr_balloon_dev *d = dev;

	return BALLOON_OFFERED | d->ring_features;
}

static uint64_t dev_accepted(void *dev)
{
	(void)dev;
	return BALLOON_ACCEPTED;
}

/*
 * The largest layout (inflate, deflate, stats, hint, reporting): QEMU's
 * generic device sends CALL/ENABLE for num_vqs indexes whatever was acked,
 * so indexes past the acked layout are tolerated and simply never used.
 */
static unsigned int dev_nr_queues(void *dev)
{
	(void)dev;
	return 5;
}

static int dev_set_features(void *dev, uint64_t features)
{
	struct pgr_balloon_dev *d = dev;

	d->features = features;
	return 0;
}

static int dev_get_config(void *dev, uint32_t off, uint8_t *buf, uint32_t len)
{
	struct pgr_balloon_dev *d = dev;

	if (off > sizeof(d->config) || len > sizeof(d->config) - off)
		return -EINVAL;
	memcpy(buf, d->config + off, len);
	return 0;
}

/* Only actual (4..7) and poison_val (12..15) are driver-writable. */
static int dev_set_config(void *dev, uint32_t off, const uint8_t *buf,
			  uint32_t len)
{
	struct pgr_balloon_dev *d = dev;
	uint32_t i;

	if (off > sizeof(d->config) || len > sizeof(d->config) - off)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		uint32_t at = off + i;

		if ((at >= 4 && at < 8) || at >= 12)
			d->config[at] = buf[i];
	}
	return 0;
}

static void dev_reset(void *dev)
{
	struct pgr_balloon_dev *d = dev;

	d->features = 0;
	memset(d->config, 0, sizeof(d->config));
}

int64_t pgr__balloon_discard(struct pgr_balloon_dev *d,
			     struct pgr_vhost_backend *be, uint64_t gpa,
			     uint64_t len)
{
	struct pgr_vhost_mem_region *r;
	uint64_t off, foff;
	uint32_t poison;

	if (len == 0)
		return 0;
	r = pgr__vhost_backend_region(be, gpa, len);
	if (!r)
		return -EFAULT; /* pop already refused it; belt and braces */
	off = gpa - r->r.guest_phys_addr;
	foff = r->r.mmap_offset + off;
	/* Can the page size hole-punch exactly this range?  Else skip it. */
	if ((foff | len) & (r->page_size - 1)) {
		d->stats.bytes_skipped += len;
		return 0;
	}
	/* Must the pages keep poison_val?  Zeroes would break that. */
	memcpy(&poison, d->config + 12, sizeof(poison));
	if ((d->features & BIT(VIRTIO_BALLOON_F_PAGE_POISON)) &&
	    le32toh(poison) != 0) {
		d->stats.bytes_skipped += len;
		return 0;
	}
	if (!d->discard || !discard_allowed(d, r)) {
		d->stats.bytes_skipped += len;
		return 0;
	}
	if (d->test_delay_ms) {
		/* Test only: a back-end that is slow to discard. */
		struct timespec ts = { (time_t)(d->test_delay_ms / 1000),
				       (long)(d->test_delay_ms % 1000) *
					       1000000L };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	if (fallocate(r->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)foff, (off_t)len) == 0)
		return (int64_t)len;
	if (madvise(r->hva + off, len, MADV_REMOVE) == 0)
		return (int64_t)len;
	d->stats.errors++;
	return -errno;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The buddy order of a reported range: log2 of its 4 KiB pages, rounded
 * down (a range shorter than a page counts as order 0). */
static unsigned int range_order(uint64_t len)
{
	unsigned int o = 0;

	len >>= 12;
	while (len > 1 && o < 63) {
		len >>= 1;
		o++;
	}
	return o;
}

/*
 * --report-log: "<CLOCK_MONOTONIC ns> <ranges> <bytes> <order>:<count>..."
 * when the buffer is done, before it is pushed back; flushed per line so
 * a reader sees each report as it completes.
 */
static void log_report(FILE *f, uint64_t t_ns, unsigned int ranges,
		       uint64_t bytes, const uint32_t *per_order)
{
	fprintf(f, "%" PRIu64 " %u %" PRIu64, t_ns, ranges, bytes);
	for (unsigned int o = 0; o < 64; o++)
		if (per_order[o])
			fprintf(f, " %u:%" PRIu32, o, per_order[o]);
	fputc('\n', f);
	fflush(f);
}

static int handle_reporting(struct pgr_balloon_dev *d,
			    struct pgr_vhost_backend *be, unsigned int q)
{
	uint64_t t_in = mono_ns();
	int r;

	while ((r = pgr__vhost_backend_pop(be, q)) > 0) {
		struct pgr_vring_elem *e = &be->elem;
		unsigned int i;
		uint64_t t0, bytes = 0;
		uint32_t per_order[64] = { 0 };

		/* QEMU walks in_sg only: the driver's buffers are writable. */
		for (i = e->n_out; i < e->n_out + e->n_in; i++) {
			int64_t n;

			/*
			 * A message first: it may stop this ring (a front-end
			 * that gave up waiting reuses the pages once we
			 * answer), or the front-end is gone.  Either way no
			 * discard for this buffer now; it is popped again if
			 * the ring still runs.
			 */
			if (pgr__vhost_backend_peer_waiting(be)) {
				pgr__vhost_backend_unpop(be, q);
				d->stats.yields++;
				d->stats.busy_ns += mono_ns() - t_in;
				return 0;
			}
			t0 = mono_ns();
			n = pgr__balloon_discard(d, be, e->buf[i].addr,
						 e->buf[i].len);
			d->stats.discard_ns += mono_ns() - t0;

			d->stats.ranges++;
			if (n > 0)
				d->stats.bytes_discarded += (uint64_t)n;
			bytes += e->buf[i].len;
			per_order[range_order(e->buf[i].len)]++;
		}
		d->stats.reports++;
		if (d->report_log)
			log_report(d->report_log, mono_ns(), e->n_in, bytes,
				   per_order);
		/*
		 * Busy time ends before the push: its call may wake the
		 * front-end onto this CPU and delay our next clock read.
		 */
		t0 = mono_ns();
		d->stats.busy_ns += t0 - t_in;
		/* Only after the discard: the driver reuses the pages. */
		pgr__vhost_backend_push(be, q, e->head, 0);
		t_in = mono_ns();
	}
	return r;
}

static int dev_queue_notify(void *dev, struct pgr_vhost_backend *be,
			    unsigned int q)
{
	struct pgr_balloon_dev *d = dev;
	unsigned int rq = pgr__balloon_reporting_vq(d->features);
	int r;

	if ((d->features & BIT(VIRTIO_BALLOON_F_REPORTING)) && q == rq)
		return handle_reporting(d, be, q);
	if (q == 0 || q == 1) {
		/* inflate/deflate: num_pages is 0, so just acknowledge. */
		while ((r = pgr__vhost_backend_pop(be, q)) > 0)
			pgr__vhost_backend_push(be, q, be->elem.head, 0);
		return r;
	}
	/* statsq: the device holds the buffer until it wants stats. */
	return 0;
}

const struct pgr_vhost_device_ops pgr__balloon_dev_ops = {
	.features = dev_features,
	.protocol_features = BIT(PGR_VHOST_PROTOCOL_F_REPLY_ACK) |
			     BIT(PGR_VHOST_PROTOCOL_F_BACKEND_REQ) |
			     BIT(PGR_VHOST_PROTOCOL_F_CONFIG) |
			     BIT(PGR_VHOST_PROTOCOL_F_CONFIGURE_MEM_SLOTS),
	.nr_queues = dev_nr_queues,
	.accepted = dev_accepted,
	.set_features = dev_set_features,
	.get_config = dev_get_config,
	.set_config = dev_set_config,
	.queue_notify = dev_queue_notify,
	.reset = dev_reset,
};
