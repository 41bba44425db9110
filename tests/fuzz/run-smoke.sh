#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run each libFuzzer target for N seconds (default 60) on a scratch copy of
# its seed corpus; exits non-zero on the first crash.  Build first with
#   CC=clang /work/main/configure --enable-fuzzing && make
# Usage: tests/fuzz/run-smoke.sh [SECONDS] [BUILDDIR]
set -eu
SECS=${1:-60}
BUILD=${2:-${top_builddir:-.}}
SRC=$(cd "$(dirname "$0")" && pwd)
rc=0
for t in fuzz_vhost_msg fuzz_vring fuzz_trace_read; do
	bin=$BUILD/tests/fuzz/$t
	if [ ! -x "$bin" ]; then
		echo "SKIP: $bin not built (configure --enable-fuzzing, CC=clang)"
		continue
	fi
	work=$(mktemp -d)
	cp -r "$SRC/corpus/$t/." "$work/" 2>/dev/null || true
	echo "== $t for ${SECS}s"
	if ! "$bin" -max_total_time="$SECS" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$BUILD/tests/fuzz/$t-" "$work" 2>"$BUILD/tests/fuzz/$t.log"; then
		echo "FAIL: $t crashed; see $BUILD/tests/fuzz/$t.log"
		tail -n 40 "$BUILD/tests/fuzz/$t.log"
		rc=1
	fi
	grep -E "^stat::(number_of_executed_units|peak_rss_mb)|cov:|ft:" \
		"$BUILD/tests/fuzz/$t.log" | tail -n 3
	rm -rf "$work"
done
exit $rc
