/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Branch hints, as in the kernel's <linux/compiler.h>.
 */
#ifndef PGR_COMPILER_H
#define PGR_COMPILER_H

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#endif /* PGR_COMPILER_H */
