// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The memory sink: what QEMU's virtio_balloon_handle_report() does with a
 * reported range, discarding the guest RAM behind it so the host gets the
 * memory back (ram_block_discard_range: fallocate PUNCH_HOLE on a shared
 * file, or MADV_REMOVE on the mapping).  A refault reads zeroes.  Leaves
 * out QEMU's postcopy and poisoning checks.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "errmsg.h"
#include "sinks/sinks.h"

struct memory_sink {
	struct pgr_sink sink;
	struct pgr_guest_ram *ram;
	enum pgr_discard_method method;
	pthread_mutex_t lock; /* stats */
	struct pgr_sink_memory_stats stats;
};

static int memory_report(struct pgr_sink *sink, const struct pgr_range *ranges,
			 unsigned int n)
{
	struct memory_sink *m = sink->priv;
	uint64_t bytes = 0;
	int ret;

	ret = pgr__sink_check_ranges(sink, ranges, n, m->ram->base_pfn,
				     m->ram->nr_pages);
	for (unsigned int i = 0; !ret && i < n; i++) {
		ret = pgr__guest_ram_discard(m->ram, ranges[i].pfn,
					     ranges[i].order, m->method);
		if (ret)
			break;
		bytes += pgr_range_bytes(&ranges[i]);
	}
	pthread_mutex_lock(&m->lock);
	m->stats.reports++;
	m->stats.ranges += n <= sink->capacity ? n : 0;
	m->stats.bytes_discarded += bytes;
	if (ret)
		m->stats.errors++;
	pthread_mutex_unlock(&m->lock);
	return ret;
}

static void memory_destroy(struct pgr_sink *sink)
{
	struct memory_sink *m = sink->priv;

	pthread_mutex_destroy(&m->lock);
	free(m);
}

static const struct pgr_sink_ops memory_ops = {
	.name = "memory",
	.report = memory_report,
	.destroy = memory_destroy,
};

struct pgr_sink *pgr_sink_memory_create(struct pgr_guest_ram *ram,
					enum pgr_discard_method method,
					unsigned int capacity)
{
	struct memory_sink *m;

	if (!ram ||
	    (method != PGR_DISCARD_PUNCH_HOLE &&
	     method != PGR_DISCARD_MADV_REMOVE) ||
	    capacity == 0 || capacity > PGR_REPORTING_CAPACITY) {
		pgr__error(EINVAL, "memory sink: bad argument");
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		pgr__error(ENOMEM, "memory sink: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	m->ram = ram;
	m->method = method;
	pthread_mutex_init(&m->lock, NULL);
	m->sink.ops = &memory_ops;
	m->sink.capacity = capacity;
	m->sink.priv = m;
	return &m->sink;
}

int pgr_sink_memory_get_stats(struct pgr_sink *sink,
			      struct pgr_sink_memory_stats *r)
{
	struct memory_sink *m;

	if (!sink || sink->ops != &memory_ops || !r)
		return pgr__error(EINVAL, "memory sink: not a memory sink");
	m = sink->priv;
	pthread_mutex_lock(&m->lock);
	*r = m->stats;
	pthread_mutex_unlock(&m->lock);
	return 0;
}
