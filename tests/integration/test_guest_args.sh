#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# pagereport-guest's usage errors: each is refused with a message and
# exit status 2 (1 for an output directory that exists) before anything
# boots; --help names the guest's helpers.  Needs no QEMU.
set -u

BUILD=${top_builddir:-.}
GUEST=${PGR_GUEST:-$BUILD/src/guestrec/pagereport-guest}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgr-gargs.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
fail=0

expect() { # STATUS WORDS-IN-STDERR ARGS...
	want=$1 words=$2
	shift 2
	"$GUEST" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ $rc -ne "$want" ] || ! grep -q -- "$words" "$TMP/err"; then
		echo "FAIL: pagereport-guest $*: exit $rc (want $want), stderr:"
		cat "$TMP/err"
		fail=1
	fi
}

expect 2 "no PROGRAM" -o "$TMP/a"
expect 2 "\-\-mem" --mem 1X -o "$TMP/a" true
expect 2 "\-\-mem" --mem 100M -o "$TMP/a" true
expect 2 "\-\-mem" --mem 1025M -o "$TMP/a" true
expect 2 "\-\-smp" --smp 0 -o "$TMP/a" true
expect 2 "\-\-smp" --smp 1.5 -o "$TMP/a" true
expect 2 "\-\-settle" --settle 1 -o "$TMP/a" true
expect 2 "\-\-trace-buffer-mb" --trace-buffer-mb x -o "$TMP/a" true
expect 2 "\-\-timeout" --timeout 0 -o "$TMP/a" true
expect 2 "unrecognized" --no-such-option true
mkdir "$TMP/exists"
PGR_GUEST_IMAGE=$BUILD/guest expect 1 "give a new --out" -o "$TMP/exists" true
for d in "$TMP/a"; do
	if [ -e "$d" ]; then
		echo "FAIL: a refused run left $d behind"
		fail=1
	fi
done
"$GUEST" --help >"$TMP/help" 2>&1 || { echo "FAIL: --help exited $?"; fail=1; }
for w in pgr-phase pgr-settle "pagereport-sim compare"; do
	grep -q "$w" "$TMP/help" || { echo "FAIL: --help does not mention $w"; fail=1; }
done
[ $fail -eq 0 ] && echo PASS
exit $fail
