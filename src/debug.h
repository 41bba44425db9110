/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Debug levels (configure --enable-debug=N, PGR_DEBUG):
 *   0  release
 *   1  cheap O(1) internal checks (PGR_BUG_ON)
 *   2  + internal consistency checks (PGR_ASSERT_INTERNAL, lock held)
 *   3  + the invariant walker after every public operation (O(zone))
 * Disabled checks still compile (they are type-checked, never evaluated),
 * and a check never holds work that must run.
 */
#ifndef PGR_DEBUG_H
#define PGR_DEBUG_H

#include <stdio.h>
#include <stdlib.h>

#ifndef PGR_DEBUG
#define PGR_DEBUG 0
#endif

void pgr__bug(const char *file, int line, const char *cond)
	__attribute__((noreturn, cold));

#define PGR_CHECK_AT(level, cond)                                          \
	do {                                                               \
		if (PGR_DEBUG >= (level) && __builtin_expect(!!(cond), 0)) \
			pgr__bug(__FILE__, __LINE__, #cond);               \
	} while (0)

#define PGR_BUG_ON(cond)	  PGR_CHECK_AT(1, cond)
#define PGR_ASSERT_INTERNAL(cond) PGR_CHECK_AT(2, !(cond))

/* Returns cond, like the kernel's WARN_ON_ONCE. */
#define PGR_WARN_ON_ONCE(cond)                                                \
	({                                                                    \
		static int __warned;                                          \
		int __ret = !!(cond);                                         \
		if (__builtin_expect(__ret, 0) && !__warned) {                \
			__warned = 1;                                         \
			fprintf(stderr, "libpagereport: WARNING %s:%d: %s\n", \
				__FILE__, __LINE__, #cond);                   \
		}                                                             \
		__ret;                                                        \
	})

#endif /* PGR_DEBUG_H */
