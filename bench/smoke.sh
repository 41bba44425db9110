#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Smoke test of pagereport-bench: --help/--list/bad options, then every
# experiment with --quick --repeat 1 into a temporary directory, then a
# shape check of each CSV/JSON (bench/check_results.py).  Never checks a
# timing.  Seed: PGR_SEED (default 1).
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
BENCH=${BENCH:-$top_builddir/bench/pagereport-bench}
PYTHON=${PYTHON:-python3}
seed=${PGR_SEED:-1}

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }

command -v "$PYTHON" >/dev/null 2>&1 || fail "no $PYTHON for the shape check"
[ -x "$BENCH" ] || fail "$BENCH not built"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pgr-bench-smoke.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

"$BENCH" --help >"$tmp/help" 2>&1 || fail "--help exit status"
grep -q -- '--quick' "$tmp/help" || fail "--help does not list --quick"
"$BENCH" --list >"$tmp/list" 2>&1 || fail "--list exit status"
for e in boundary-vs-rescan page-fault1 reclaim scale; do
	grep -q "^$e " "$tmp/list" || fail "--list lacks $e"
done
"$BENCH" --no-such-option >/dev/null 2>&1 && fail "bad option accepted"
"$BENCH" no-such-experiment --out "$tmp/x" >/dev/null 2>&1 &&
	fail "unknown experiment accepted"
"$BENCH" --mem 3 --out "$tmp/x" >/dev/null 2>&1 && fail "--mem 3 accepted"
"$BENCH" --strategy nope --out "$tmp/x" >/dev/null 2>&1 &&
	fail "bad strategy accepted"

echo "smoke: pagereport-bench --quick --repeat 1 --seed $seed"
"$BENCH" --quick --repeat 1 --seed "$seed" --pf-seconds 0.1 \
	--out "$tmp/out" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
cat "$tmp/stdout"
if [ $rc -ne 0 ]; then
	cat "$tmp/stderr" >&2
	fail "pagereport-bench exited $rc (seed $seed)"
fi
"$PYTHON" "$top_srcdir/bench/check_results.py" "$tmp/out" ||
	fail "result shape (seed $seed)"

# --profile: a profile file with gperftools, else a clear error.
if "$BENCH" scale --quick --repeat 1 --profile "$tmp/prof" \
	--out "$tmp/p" >/dev/null 2>"$tmp/perr"; then
	[ -s "$tmp/prof" ] || fail "--profile wrote no profile"
else
	grep -q gperftools "$tmp/perr" || fail "--profile failed unclearly"
fi
echo "smoke: ok"
exit 0
