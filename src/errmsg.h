/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The message behind pgr_errmsg() (src/util.c): every part of the
 * library that fails sets it through pgr__error().
 */
#ifndef PGR_ERRMSG_H
#define PGR_ERRMSG_H

/* Error reporting: set the thread's message and return -err. */
int pgr__error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* PGR_ERRMSG_H */
