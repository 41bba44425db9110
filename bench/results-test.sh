#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make check: the results directory.  Each run gets a directory of its own
# (two runs in a row never share one); results/latest moves, atomically,
# only to a run that completed: a run killed half-way and a shard leave it
# where it was.  Then plots/plot_all.py: it draws from the directory
# results/latest named when it started, replaces every figure of the
# previous drawing (a stale figure does not survive) and names the run in
# FROM.  No timing is checked (the wait for the killed run's directory is
# bounded, not measured).
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
BENCH=${BENCH:-$top_builddir/bench/pagereport-bench}
case $BENCH in /*) ;; *) BENCH=$(pwd)/$BENCH ;; esac
case $top_srcdir in /*) ;; *) top_srcdir=$(pwd)/$top_srcdir ;; esac

fail() { echo "results-test: FAIL: $*" >&2; exit 1; }

[ -x "$BENCH" ] || fail "$BENCH not built"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pgr-results.XXXXXX") || exit 99
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
cd "$tmp" || exit 99

runs() { ls results | grep -v '^latest$' | wc -l; }

"$BENCH" scale --quick --repeat 1 >run1.log 2>&1 || fail "first run"
"$BENCH" scale --quick --repeat 1 >run2.log 2>&1 || fail "second run"
[ "$(runs)" -eq 2 ] || { ls -la results; fail "two runs, not two directories"; }
[ -L results/latest ] || fail "results/latest is not a symlink"
second=$(sed -n 's/^total .*results in results\///p' run2.log)
[ "$(readlink results/latest)" = "$second" ] ||
	fail "results/latest -> $(readlink results/latest), not $second"
[ -f results/latest/scale.csv ] || fail "no scale.csv in results/latest"
ls -a results results/latest | grep -q '^\.latest\.\|\.tmp$' &&
	fail "temporary files left"

# a run killed before it completes: results/latest stays
"$BENCH" boundary-vs-rescan --mem 32GiB --repeat 1 >/dev/null 2>&1 &
pid=$!
i=0
while [ "$(runs)" -lt 3 ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(runs)" -eq 3 ] || fail "the long run made no directory"
kill "$pid"
wait "$pid" 2>/dev/null
pid=""
[ "$(readlink results/latest)" = "$second" ] ||
	fail "a killed run moved results/latest"
# a shard is part of a run: results/latest stays
"$BENCH" scale --quick --repeat 2 --shard 1/2 >/dev/null 2>&1 || fail "shard run"
[ "$(readlink results/latest)" = "$second" ] || fail "a shard moved results/latest"

# plots: one run's figures only
PY=${PYTHON_PLOT:-/usr/bin/python3}
if ! "$PY" -c 'import matplotlib' 2>/dev/null; then
	echo "results-test: no Python with matplotlib for the plot half"
	exit 77
fi
mkdir figs
echo stale >figs/overhead.png
"$PY" "$top_srcdir/plots/plot_all.py" --in results/latest --out figs \
	>plot.log 2>&1 || { cat plot.log; fail "plot_all.py"; }
[ -s figs/scaling.png ] || fail "no scaling.png"
[ -e figs/overhead.png ] && fail "a stale figure of another run survived"
[ "$(cat figs/FROM)" = "$tmp/results/$second" ] ||
	fail "FROM says $(cat figs/FROM), not $tmp/results/$second"
ls -a figs | grep -q '^\.new-' && fail "temporary plot directory left"
echo "results-test: ok"
exit 0
