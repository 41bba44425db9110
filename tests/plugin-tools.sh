#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A strategy written outside the library runs in the tools: build
# examples/largest_first.c as a plug-in with the C compiler, the way its
# header comment says (against the in-tree headers and exported library),
# then pagereport-sim --load / --param / --list-strategies and
# pagereport-bench boundary-vs-rescan and overcommit --quick --load, and
# check that its rows, its parameter and its counter are in the results
# (bench/check_results.py on those two experiments).  Bad --load and
# --param values fail with a message.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
SIM=${SIM:-$top_builddir/src/sim/pagereport-sim}
BENCH=${BENCH:-$top_builddir/bench/pagereport-bench}
PYTHON=${PYTHON:-/usr/bin/python3}
CC=${CC:-cc}
fail() { echo "plugin-tools: FAIL: $*" >&2; exit 1; }

[ -x "$SIM" ] && [ -x "$BENCH" ] || fail "pagereport-sim/-bench not built"
libdir=$(cd "$top_builddir/src/.libs" && pwd) || fail "no src/.libs"
command -v "$CC" >/dev/null 2>&1 ||
	{ echo "plugin-tools: no C compiler ($CC): SKIP"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pgr-plugin-tools.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
so=$tmp/largest_first.so

# a sanitizer build: the plug-in must not add its own runtime
san=$(sed -n 's/^CFLAGS = .*\(-fsanitize=[^ ]*\).*/\1/p' \
	"$top_builddir/Makefile" 2>/dev/null | head -1)
$CC -shared -fPIC -O1 -Wall -Wextra -Werror $san -o "$so" \
	"$top_srcdir/examples/largest_first.c" -I"$top_srcdir/include" \
	-I"$top_builddir" -L"$libdir" -lpagereport -Wl,-rpath,"$libdir" ||
	fail "cannot build the plug-in"

# pagereport-sim
"$SIM" --load "$so" --list-strategies >"$tmp/list" || fail "--list-strategies"
grep -q '^largest-first$' "$tmp/list" || fail "--list-strategies: no largest-first"
grep -q 'param   max_batches .*default 8' "$tmp/list" ||
	fail "--list-strategies: no max_batches"
grep -q 'counter budget_stops' "$tmp/list" || fail "--list-strategies: no budget_stops"
"$SIM" --strategy largest-first --load "$so" --param max_batches=1 \
	--capacity 4 --seconds 6 --mem 256M --quiet --csv "$tmp/sim.csv" \
	>"$tmp/sim.out" 2>"$tmp/sim.err" || fail "sim --load: $(cat "$tmp/sim.err")"
grep -q '^strategy largest-first: [1-9][0-9]* bytes reported' "$tmp/sim.out" ||
	fail "sim: nothing reported: $(cat "$tmp/sim.out")"
grep -q '^counters: budget_stops=[1-9]' "$tmp/sim.out" ||
	fail "sim: no budget stops with max_batches=1: $(cat "$tmp/sim.out")"
head -1 "$tmp/sim.csv" | grep -q ',free_o10,budget_stops$' ||
	fail "sim CSV: no counter column: $(head -1 "$tmp/sim.csv")"
"$SIM" --strategy largest-first >/dev/null 2>&1 && fail "unloaded strategy accepted"
"$SIM" --load "$tmp/missing.so" 2>"$tmp/err" && fail "missing plug-in accepted"
grep -q 'missing.so: No such file' "$tmp/err" || fail "no message: $(cat "$tmp/err")"
"$SIM" --load "$so" --load "$so" 2>"$tmp/err" && fail "loaded twice"
grep -q "'largest-first' exists" "$tmp/err" || fail "no message: $(cat "$tmp/err")"
"$SIM" --param max_batches 2>/dev/null && fail "--param without = accepted"
"$SIM" --load "$so" --strategy largest-first --param max_batches=0 \
	--seconds 1 --quiet 2>"$tmp/err" >/dev/null && fail "max_batches=0 accepted"
grep -q 'largest-first.max_batches: 0 not in \[1, 1000\]' "$tmp/err" ||
	fail "no range message: $(cat "$tmp/err")"

# pagereport-bench: the four-way comparison and overcommit
"$BENCH" boundary-vs-rescan overcommit --quick --repeat 1 --load "$so" \
	--param largest-first.max_batches=3 --out "$tmp/b" >"$tmp/bench.out" \
	2>"$tmp/bench.err" || fail "bench --load: $(cat "$tmp/bench.err")"
grep -q '^  largest-first overhead ' "$tmp/bench.out" ||
	fail "bench: no largest-first headline"
grep -q '^  largest-first guests fit ' "$tmp/bench.out" ||
	fail "bench: no largest-first in overcommit"
"$PYTHON" - "$tmp/b" <<'PY' || fail "bench results"
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/boundary-vs-rescan.csv")))
lf = [r for r in rows if r["strategy"] == "largest-first"]
assert len(lf) == len({r["sweep"] + r["capacity"] + r["shuffle"] + r["rate"]
                       + r["occupancy"] + r["mem_bytes"] for r in rows
                       if r["strategy"] == "v11-boundary"}), "a row per config"
for r in lf:
    assert r["status"] == "ok", r["status"]
    assert r["max_batches"] == "3", r["max_batches"]
    assert r["hwm"] == "", "v11's parameter in its row"
    assert float(r["pages_reported_median"]) > 0, "reported nothing"
    assert r["budget_stops_median"] != "", "no counter"
    assert r["overhead_pct_median"] != "", "not paired with v11-boundary"
for r in rows:
    if r["strategy"] == "v11-boundary":
        assert r["max_batches"] == "" and r["budget_stops_median"] == ""
oc = {r["strategy"]: r for r in csv.DictReader(open(d + "/overcommit.csv"))}
assert oc["largest-first"]["status"] == "ok"
assert float(oc["largest-first"]["guests_fit_median"]) > \
    float(oc["none"]["guests_fit_median"]), "fits no more than none"
assert oc["largest-first"]["budget_stops_median"] != ""
PY
"$PYTHON" "$top_srcdir/bench/check_results.py" "$tmp/b" boundary-vs-rescan \
	overcommit || fail "result shape"
"$BENCH" --load "$tmp/missing.so" --list >/dev/null 2>&1 &&
	fail "bench: missing plug-in accepted"
"$BENCH" --strategy largest-first --quick --repeat 1 --out "$tmp/x" \
	boundary-vs-rescan 2>"$tmp/err" >/dev/null &&
	fail "bench: unloaded strategy accepted"
grep -q 'or a loaded one' "$tmp/err" || fail "no message: $(cat "$tmp/err")"
echo "plugin-tools: largest-first ran in pagereport-sim and pagereport-bench"
