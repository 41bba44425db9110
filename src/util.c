// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Error messages and the bug handler.  Every public function that fails
 * leaves a thread-local explanation behind for pgr_errmsg().
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <pagereport/pagereport.h>

#include "debug.h"
#include "errmsg.h"

static _Thread_local char errmsg[256];

const char *pgr_errmsg(void)
{
	return errmsg;
}

void pgr_errmsg_clear(void)
{
	errmsg[0] = '\0';
}

int pgr__error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	return -err;
}

void pgr__bug(const char *file, int line, const char *cond)
{
	fprintf(stderr, "libpagereport: BUG at %s:%d: %s\n", file, line, cond);
	abort();
}
