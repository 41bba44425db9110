// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The library's own version, compiled in from <pagereport/version.h>, so
 * a program can tell which library it runs against.
 */
#include "config.h"

#include <pagereport/version.h>

unsigned int pgr_version(void)
{
	return PGR_VERSION_HEX;
}

const char *pgr_version_string(void)
{
	return PGR_VERSION_STRING;
}
