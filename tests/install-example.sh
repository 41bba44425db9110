#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Install the library into a staging directory and build examples/ against
# the INSTALLED headers and library through pkg-config, then run it.
#   tests/install-example.sh BUILD_DIR
set -eu

build=$(cd "${1:-build}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

make -C "$build" install DESTDIR="$stage" >/dev/null
prefix=$(sed -n 's/^prefix=//p' "$build/libpagereport.pc")
libdir=$(sed -n 's/^libdir=//p' "$build/libpagereport.pc" | sed "s|\${exec_prefix}|$prefix|")

export PKG_CONFIG_SYSROOT_DIR="$stage"
export PKG_CONFIG_PATH="$stage$libdir/pkgconfig"
cp "$src/examples/Makefile" "$src/examples/simple.c" \
	"$src/examples/largest_first.c" "$stage/"
make -C "$stage" simple largest_first
LD_LIBRARY_PATH="$stage$libdir" "$stage/simple"
LD_LIBRARY_PATH="$stage$libdir" "$stage/largest_first"
test -f "$stage$prefix/include/pagereport/pagereport.h"
echo "install-example: OK (installed under $stage$prefix)"
