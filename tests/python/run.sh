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
# a sanitizer build: the ASan runtime must be loaded before Python, and
# Python's own allocations at exit are not ours to report
asan=$(ldd "$lib" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*libasan[^ ]*\) .*/\1/p')
if [ -n "$asan" ]; then
	LD_PRELOAD="$asan${LD_PRELOAD:+:$LD_PRELOAD}"
	ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	export LD_PRELOAD ASAN_OPTIONS
fi
# nothing written into the source tree (read-only under distcheck)
export PYTHONDONTWRITEBYTECODE=1
exec "$PY" -m pytest -q -p no:cacheprovider "$top_srcdir/tests/python"
