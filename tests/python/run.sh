#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make check: the pytest suite of the Python bindings (tests/python) with
# the Debian Python (cffi, pytest), against the library just built.  One
# closing line: pytest's summary.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
PY=${PYTEST_PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import cffi, pytest' 2>/dev/null; then
	echo "python: $PY lacks cffi or pytest (scripts/setup.sh installs python3-cffi python3-pytest)" >&2
	exit 77
fi
lib=$(cd "$top_builddir" && pwd)/src/.libs/libpagereport.so.0
[ -f "$lib" ] || { echo "python: $lib not built" >&2; exit 1; }
top_srcdir=$(cd "$top_srcdir" && pwd)
export top_srcdir PAGEREPORT_LIB="$lib"
exec "$PY" -m pytest -q -p no:cacheprovider "$top_srcdir/tests/python"
