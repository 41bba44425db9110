#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Smoke test of pagereport-sim on the real trace shipped in tests/data:
# --help and bad options, then an exact and a policy replay with every
# built-in strategy, checking the printed counts, that v11-boundary and
# v11-rescan report the same bytes (they pick the same pages), the CSV and
# JSON shape, --dump's buddyinfo layout, and a short workload run.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
SIM=${SIM:-$top_builddir/src/sim/pagereport-sim}
D=$top_srcdir/tests/data
fail() { echo "sim-smoke: FAIL: $*" >&2; exit 1; }

[ -x "$SIM" ] || fail "$SIM not built"
command -v xz >/dev/null 2>&1 || { echo "sim-smoke: no xz: SKIP"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pgr-sim-smoke.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

"$SIM" --help >"$tmp/help" || fail "--help exit status"
grep -q -- '--start-free' "$tmp/help" || fail "--help lacks --start-free"
"$SIM" --no-such >/dev/null 2>&1 && fail "bad option accepted"
"$SIM" --strategy nope >/dev/null 2>&1 && fail "bad strategy accepted"
"$SIM" --mode nope >/dev/null 2>&1 && fail "bad mode accepted"
"$SIM" --trace "$tmp/missing" >/dev/null 2>&1 && fail "missing trace accepted"
printf 'pgrtrace 1\na 1 0x11 1 1 -\n' >"$tmp/bad.pgrtrace"
"$SIM" --trace "$tmp/bad.pgrtrace" 2>"$tmp/err" >/dev/null &&
	fail "malformed trace accepted"
grep -q 'line 2' "$tmp/err" || fail "no line number: $(cat "$tmp/err")"

for mode in exact policy; do
	for s in v11-boundary v11-rescan upstream; do
		"$SIM" --trace "$D/kmem-build-hog.pgrtrace.xz" \
			--start-free "$D/kmem-build-hog.free.start.xz" \
			--compare-free "$D/kmem-build-hog.free.end.xz" \
			--mode $mode --strategy $s --quiet \
			--csv "$tmp/$mode-$s.csv" --json "$tmp/$mode-$s.json" \
			>"$tmp/$mode-$s.out" || fail "$mode $s exit status"
		grep -q "^replay ($mode): 1065267 events" "$tmp/$mode-$s.out" ||
			fail "$mode $s: $(head -1 "$tmp/$mode-$s.out")"
		grep -q "^strategy $s: [1-9][0-9]* bytes reported" \
			"$tmp/$mode-$s.out" || fail "$mode $s reported nothing"
		head -1 "$tmp/$mode-$s.csv" | grep -q '^t_s,events,bytes_reported,nodes_visited,rereported_pages,batches,free_o0,' ||
			fail "$mode $s: CSV header"
		[ "$(wc -l <"$tmp/$mode-$s.csv")" -gt 20 ] || fail "CSV rows"
		grep -q '"series":\[{"t_s":0.000' "$tmp/$mode-$s.json" ||
			fail "JSON shape"
	done
	b=$(sed -n 's/^strategy v11-boundary: \([0-9]*\) bytes.*/\1/p' "$tmp/$mode-v11-boundary.out")
	r=$(sed -n 's/^strategy v11-rescan: \([0-9]*\) bytes.*/\1/p' "$tmp/$mode-v11-rescan.out")
	[ "$b" = "$r" ] || fail "$mode: boundary $b != rescan $r bytes"
done
# exact replay from the kpageflags start: 99.98% of the end state is right
pct=$(sed -n 's/.*(\([0-9]*\)\.[0-9]*% of the reference).*/\1/p' "$tmp/exact-v11-boundary.out")
[ "${pct:-0}" -ge 99 ] || fail "exact replay matches only ${pct}% of the end"
cat "$tmp/exact-v11-boundary.out"

"$SIM" --trace "$D/kmem-build-hog.pgrtrace.xz" --strategy none --quiet \
	--dump >"$tmp/dump" || fail "--dump"
[ "$(grep -c '^Node 0, zone ' "$tmp/dump")" = 3 ] || fail "--dump layout"
"$SIM" --workload build --mem 64M --seconds 2 --quiet --strategy upstream \
	--record "$tmp/w.pgrtrace" --csv "$tmp/w.csv" >"$tmp/w.out" ||
	fail "workload run"
grep -q '^workload build:' "$tmp/w.out" || fail "workload output"
"$SIM" --trace "$tmp/w.pgrtrace" --mode exact --strategy upstream --quiet \
	>"$tmp/w2.out" || fail "replay of a recorded run"
grep -q 'alloc of a non-free block 0 (repaired 0), free matching no block 0' \
	"$tmp/w2.out" || fail "recorded run does not replay cleanly"
echo "sim-smoke: ok"
