/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The zone lock: a spinlock like the kernel's zone->lock.  Userspace
 * threads can be preempted while holding it, so waiters yield the CPU
 * after a short spin instead of burning it.
 */
#ifndef PGR_LOCK_H
#define PGR_LOCK_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>

typedef struct {
	atomic_bool locked;
} pgr_spinlock_t;

static inline void pgr_spin_init(pgr_spinlock_t *l)
{
	atomic_init(&l->locked, false);
}

static inline void pgr_spin_lock(pgr_spinlock_t *l)
{
	for (;;) {
		if (!atomic_exchange_explicit(&l->locked, true,
					      memory_order_acquire))
			return;
		for (int spins = 0;
		     atomic_load_explicit(&l->locked, memory_order_relaxed);
		     spins++) {
			if (spins >= 64) {
				sched_yield();
				spins = 0;
			} else {
#if defined(__x86_64__) || defined(__i386__)
				__builtin_ia32_pause();
#endif
			}
		}
	}
}

static inline void pgr_spin_unlock(pgr_spinlock_t *l)
{
	atomic_store_explicit(&l->locked, false, memory_order_release);
}

static inline bool pgr_spin_is_locked(pgr_spinlock_t *l)
{
	return atomic_load_explicit(&l->locked, memory_order_relaxed);
}

#endif /* PGR_LOCK_H */
