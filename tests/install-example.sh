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
make -C "$stage" simple largest_first largest_first.so
LD_LIBRARY_PATH="$stage$libdir" "$stage/simple"
LD_LIBRARY_PATH="$stage$libdir" "$stage/largest_first"
test -f "$stage$prefix/include/pagereport/pagereport.h"

# Plug-ins against the installed headers, run by the installed tools: the
# example as it is, and the 0.1 example unchanged (it predates plug-ins:
# a three-line file includes it and names its entry point).
sim=$stage$prefix/bin/pagereport-sim
bench=$stage$prefix/bin/pagereport-bench
cp "$src/tests/unit/compat_largest_first.c" "$stage/largest_first_0_1.c"
printf '%s\n' '#define main largest_first_0_1_main' \
	'#include "largest_first_0_1.c"' \
	'PGR_STRATEGY_PLUGIN(&largest_first);' >"$stage/plugin_0_1.c"
# shellcheck disable=SC2046
${CC:-cc} -O2 -Wall -Wextra -shared -fPIC -o "$stage/largest_first_0_1.so" \
	"$stage/plugin_0_1.c" $(pkg-config --cflags --libs libpagereport)
for so in "$stage/largest_first.so" "$stage/largest_first_0_1.so"; do
	LD_LIBRARY_PATH="$stage$libdir" "$sim" --load "$so" \
		--strategy largest-first --seconds 5 --mem 256M --quiet \
		>"$stage/sim.out"
	grep -q '^strategy largest-first: [1-9]' "$stage/sim.out" || {
		cat "$stage/sim.out" >&2
		echo "install-example: $so reported nothing" >&2
		exit 1
	}
done
LD_LIBRARY_PATH="$stage$libdir" "$bench" overcommit --quick \
	--load "$stage/largest_first_0_1.so" --out "$stage/bench" >/dev/null
grep -q '^largest-first,ok,' "$stage/bench/overcommit.csv" || {
	echo "install-example: no largest-first row in overcommit.csv" >&2
	exit 1
}
echo "install-example: OK (installed under $stage$prefix; plug-ins ran" \
	"in the installed pagereport-sim and pagereport-bench)"
