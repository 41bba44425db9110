/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libpagereport: the version of the headers (macros) and of the library
 * actually loaded (pgr_version()).  These three numbers are the only place
 * the version is written: configure.ac takes its AC_INIT version from them.
 * How a release changes them, the library's -version-info and its symbol
 * version node: doc/abi.md.  0.x: no ABI stability between minor versions.
 */
#ifndef PAGEREPORT_VERSION_H
#define PAGEREPORT_VERSION_H

#if !defined(PGR_EXPORT) && defined(__GNUC__)
#define PGR_EXPORT __attribute__((visibility("default")))
#elif !defined(PGR_EXPORT)
#define PGR_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define PGR_VERSION_MAJOR 0
#define PGR_VERSION_MINOR 1
#define PGR_VERSION_PATCH 0

/* "MAJOR.MINOR.PATCH" */
#define PGR__VSTR_(x) #x
#define PGR__VSTR(x)  PGR__VSTR_(x)
#define PGR__VERSION_MM \
	PGR__VSTR(PGR_VERSION_MAJOR) "." PGR__VSTR(PGR_VERSION_MINOR)
#define PGR_VERSION_STRING PGR__VERSION_MM "." PGR__VSTR(PGR_VERSION_PATCH)
/* One comparable number: 0xMMmmpp (0.1.0 is 0x000100). */
#define PGR_VERSION_HEX                                         \
	((PGR_VERSION_MAJOR << 16) | (PGR_VERSION_MINOR << 8) | \
	 PGR_VERSION_PATCH)

/**
 * pgr_version - the version of the library actually loaded
 *
 * Compare it with PGR_VERSION_HEX, the version of the headers a program
 * was compiled with: under the 0.x rule (doc/abi.md) a program runs only
 * against the MAJOR.MINOR it was built for.
 *
 * Context: any thread, any time.
 * Return: (MAJOR << 16) | (MINOR << 8) | PATCH of the loaded library.
 */
PGR_EXPORT unsigned int pgr_version(void);

/**
 * pgr_version_string - the loaded library's version as text
 *
 * Context: any thread, any time.
 * Return: a static "MAJOR.MINOR.PATCH" string, e.g. "0.1.0".
 */
PGR_EXPORT const char *pgr_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* PAGEREPORT_VERSION_H */
