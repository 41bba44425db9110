// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The recorder sink: keeps every batch the engine reports (ranges and the
 * value report() returned) so tests can compare strategies and traces, and
 * injects failures (fail_nth, fail_every) to exercise the engine's error
 * paths (the kernel's virtio-balloon report can fail on a broken queue).
 * Ranges are kept in one growing array; batches index into it.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "sinks/sinks.h"

struct recorder_batch {
	size_t first; /* index into ranges[] */
	unsigned int n;
	int ret;
};

struct recorder {
	struct pgr_sink sink;
	struct pgr_sink_recorder_config cfg;
	pthread_mutex_t lock;
	struct pgr_range *ranges;
	size_t nr_ranges, cap_ranges;
	struct recorder_batch *batches;
	size_t nr_batches, cap_batches;
	uint64_t calls; /* report() calls since reset, for fail_* */
};

static struct recorder *to_recorder(struct pgr_sink *sink)
{
	return (struct recorder *)sink->priv;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

static int recorder_report(struct pgr_sink *sink,
			   const struct pgr_range *ranges, unsigned int n)
{
	struct recorder *r = to_recorder(sink);
	struct recorder_batch *b;
	uint64_t call;
	int ret = pgr__sink_check_ranges(sink, ranges, n, 0, UINT64_MAX);

	if (ret)
		return ret;
	pthread_mutex_lock(&r->lock);
	call = ++r->calls;
	if ((r->cfg.fail_nth && call == r->cfg.fail_nth) ||
	    (r->cfg.fail_every && call % r->cfg.fail_every == 0))
		ret = r->cfg.fail_err;
	if (grow((void **)&r->ranges, &r->cap_ranges, r->nr_ranges + n,
		 sizeof(*r->ranges)) ||
	    grow((void **)&r->batches, &r->cap_batches, r->nr_batches + 1,
		 sizeof(*r->batches))) {
		pthread_mutex_unlock(&r->lock);
		return -ENOMEM;
	}
	memcpy(&r->ranges[r->nr_ranges], ranges, n * sizeof(*ranges));
	b = &r->batches[r->nr_batches++];
	b->first = r->nr_ranges;
	b->n = n;
	b->ret = ret;
	r->nr_ranges += n;
	pthread_mutex_unlock(&r->lock);
	return ret;
}

static void recorder_destroy(struct pgr_sink *sink)
{
	struct recorder *r = to_recorder(sink);

	pthread_mutex_destroy(&r->lock);
	free(r->ranges);
	free(r->batches);
	free(r);
}

static const struct pgr_sink_ops recorder_ops = {
	.name = "recorder",
	.report = recorder_report,
	.destroy = recorder_destroy,
};

struct pgr_sink *
pgr_sink_recorder_create(const struct pgr_sink_recorder_config *cfg)
{
	struct recorder *r;

	if (!cfg || cfg->capacity == 0 ||
	    cfg->capacity > PGR_REPORTING_CAPACITY || cfg->fail_err > 0) {
		pgr__error(EINVAL, "recorder sink: bad config");
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		pgr__error(ENOMEM, "recorder sink: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->cfg = *cfg;
	if (r->cfg.fail_err == 0)
		r->cfg.fail_err = -EIO;
	pthread_mutex_init(&r->lock, NULL);
	r->sink.ops = &recorder_ops;
	r->sink.capacity = cfg->capacity;
	r->sink.priv = r;
	return &r->sink;
}

static bool is_recorder(struct pgr_sink *sink)
{
	return sink && sink->ops == &recorder_ops;
}

size_t pgr_sink_recorder_nr_batches(struct pgr_sink *sink)
{
	struct recorder *r;
	size_t n;

	if (!is_recorder(sink))
		return 0;
	r = to_recorder(sink);
	pthread_mutex_lock(&r->lock);
	n = r->nr_batches;
	pthread_mutex_unlock(&r->lock);
	return n;
}

int pgr_sink_recorder_batch(struct pgr_sink *sink, size_t i,
			    struct pgr_recorded_batch *r_batch)
{
	struct recorder *r;
	int ret = 0;

	if (!is_recorder(sink) || !r_batch)
		return pgr__error(EINVAL, "recorder sink: not a recorder");
	r = to_recorder(sink);
	pthread_mutex_lock(&r->lock);
	if (i >= r->nr_batches) {
		ret = pgr__error(ENOENT, "recorder sink: no batch %zu", i);
	} else {
		const struct recorder_batch *b = &r->batches[i];

		r_batch->seq = i;
		r_batch->n = b->n;
		r_batch->ret = b->ret;
		r_batch->ranges = &r->ranges[b->first];
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

void pgr_sink_recorder_reset(struct pgr_sink *sink)
{
	struct recorder *r;

	if (!is_recorder(sink))
		return;
	r = to_recorder(sink);
	pthread_mutex_lock(&r->lock);
	r->nr_ranges = 0;
	r->nr_batches = 0;
	r->calls = 0;
	pthread_mutex_unlock(&r->lock);
}
