/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The signature churn shared by the balloon engine tests: threads that
 * allocate blocks of order 0..10 from a zone backed by guest RAM, write a
 * signature into the first and last word of every page, and verify it just
 * before each free.  A page that lost its signature was discarded by the
 * host while the guest held it: the one failure these tests exist to catch.
 */
#ifndef PGR_TEST_SIG_CHURN_H
#define PGR_TEST_SIG_CHURN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>

#include <pagereport/balloon.h>
#include <pagereport/pagereport.h>

#include "balloon_helpers.h"

#define T_CHURN_MAX_HELD 64

struct t_churn {
	struct pgr_zone *zone;
	struct pgr_guest_ram *ram;
	atomic_bool *stop;
	atomic_ulong *bad;     /* pages found without their signature */
	atomic_ulong *ops;     /* alloc/free pairs done */
	unsigned int held;     /* blocks each thread holds at most */
	unsigned int pause_us; /* pause after about 1 in 8 frees */
};

struct t_churn_thread {
	const struct t_churn *c;
	uint64_t idx; /* thread number, mixed into the seed */
};

struct t_churn_blk {
	uint64_t pfn, gen;
	unsigned int order;
};

static inline uint64_t t_churn_sig(uint64_t pfn, uint64_t gen)
{
	return (pfn << 20) ^ gen ^ 0x5151515151515151ULL;
}

static inline void t_churn_write(const struct t_churn *c,
				 const struct t_churn_blk *b)
{
	for (uint64_t p = b->pfn; p < b->pfn + (1ULL << b->order); p++) {
		uint64_t *m = pgr_guest_ram_addr(c->ram, p);

		m[0] = t_churn_sig(p, b->gen);
		m[511] = t_churn_sig(p, b->gen);
	}
}

static inline void t_churn_check(const struct t_churn *c,
				 const struct t_churn_blk *b)
{
	for (uint64_t p = b->pfn; p < b->pfn + (1ULL << b->order); p++) {
		uint64_t *m = pgr_guest_ram_addr(c->ram, p);

		if (m[0] != t_churn_sig(p, b->gen) ||
		    m[511] != t_churn_sig(p, b->gen))
			atomic_fetch_add(c->bad, 1);
	}
}

static inline void t_churn_free(const struct t_churn *c,
				const struct t_churn_blk *b)
{
	t_churn_check(c, b);
	T_ASSERT(pgr_free_pages(c->zone, b->pfn, b->order) == 0);
}

/* pthread start routine; @arg is a struct t_churn_thread. */
static inline void *t_churn_worker(void *arg)
{
	const struct t_churn_thread *t = arg;
	const struct t_churn *c = t->c;
	uint64_t st = t->idx * 0x2545f4914f6cdd1dULL + t_seed;
	struct t_churn_blk h[T_CHURN_MAX_HELD];
	unsigned int held =
		c->held < T_CHURN_MAX_HELD ? c->held : T_CHURN_MAX_HELD;
	unsigned int n = 0, i;

	while (!atomic_load(c->stop)) {
		st ^= st << 13;
		st ^= st >> 7;
		st ^= st << 17;
		if (n < held && (n == 0 || st % 3)) {
			h[n].order = (unsigned int)((st >> 8) % 11);
			h[n].gen = st;
			if (pgr_alloc_pages(c->zone, h[n].order,
					    PGR_MIGRATE_MOVABLE, 0, &h[n].pfn))
				goto free_one;
			t_churn_write(c, &h[n]);
			n++;
			continue;
		}
	free_one:
		if (!n)
			continue;
		i = (unsigned int)((st >> 20) % n);
		t_churn_free(c, &h[i]);
		h[i] = h[--n];
		atomic_fetch_add(c->ops, 1);
		if (!(st & 7))
			usleep(c->pause_us);
	}
	for (i = 0; i < n; i++)
		t_churn_free(c, &h[i]);
	return NULL;
}

/* Start @nr workers (threads numbered from 1, as the tests always did). */
static inline void t_churn_start(const struct t_churn *c, pthread_t *th,
				 struct t_churn_thread *args, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		args[i].c = c;
		args[i].idx = i + 1;
		T_ASSERT(pthread_create(&th[i], NULL, t_churn_worker,
					&args[i]) == 0);
	}
}

#endif
