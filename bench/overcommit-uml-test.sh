#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make check: pagereport-bench overcommit-uml --quick (2 User-Mode Linux
# guests, about 35 s), then:
#  - every CSV it writes has its header and rows;
#  - real and model agree on the direction: with reporting on, the guests'
#    RAM files end at least 64 MiB smaller than with it off (the guests
#    deleted ~180 MiB each);
#  - no UML process, daemon or /dev/shm directory of the run is left, also
#    after the script is killed mid-run (its trap).
# Skips (77) when linux.uml or its balloon module is missing.  Asserts no
# timing: the phases' lengths only decide when the samples are taken.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
BENCH=${BENCH:-$top_builddir/bench/pagereport-bench}
SCRIPT=$top_srcdir/bench/overcommit-uml.sh
DAEMON=$top_builddir/src/balloond/pagereport-balloond

fail() { echo "overcommit-uml-test: FAIL: $*" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pgr-ouml-test.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
ls -d /dev/shm/pgr-ouml.* 2>/dev/null | sort >"$tmp/shm-before"

PGR_OVERCOMMIT_UML_SH=$SCRIPT "$BENCH" overcommit-uml --quick \
	--balloond "$DAEMON" --out "$tmp/out" >"$tmp/stdout" 2>&1
rc=$?
cat "$tmp/stdout"
[ $rc -eq 0 ] || fail "pagereport-bench overcommit-uml exited $rc"
if grep -q "real guests skipped" "$tmp/stdout"; then
	echo "SKIP: no User-Mode Linux guest here"
	exit 77
fi
for f in real-on real-off sim-on sim-off; do
	c=$tmp/out/overcommit-uml-$f.csv
	[ -s "$c" ] || fail "$c missing"
	head -n 1 "$c" | grep -q '^time_s,g0,g1,sum$' || fail "$c header"
	[ "$(wc -l <"$c")" -gt 10 ] || fail "$c has too few samples"
done
# end_sum_mib_median of a row (source, reporting) of overcommit-uml.csv
end_sum() {
	awk -F, -v s="$1" -v r="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "end_sum_mib_median") c = i }
		NR > 1 && $1 == s && $2 == r && $3 == "ok" { print int($c) }' \
		"$tmp/out/overcommit-uml.csv"
}
for s in real sim; do
	on=$(end_sum $s on)
	off=$(end_sum $s off)
	[ -n "$on" ] && [ -n "$off" ] || fail "$s rows missing or not ok"
	echo "overcommit-uml-test: $s: end $on MiB with reporting, $off without"
	[ $((on + 64)) -lt "$off" ] || fail "$s: reporting returned no memory"
done

# Killed mid-run: the trap removes every guest, daemon and directory.
TMPDIR=$tmp PGR_BALLOOND=$DAEMON sh "$SCRIPT" --guests 2 --mem 256 --fill 50 \
	--stagger 1 --mode on --out "$tmp/kill.csv" >"$tmp/kill.log" 2>&1 &
spid=$!
i=0
while [ $i -lt 100 ]; do
	[ "$(grep -c . "$tmp/kill.csv" 2>/dev/null || echo 0)" -gt 8 ] && break
	sleep 0.1; i=$((i + 1))
done
new=$(ls -d /dev/shm/pgr-ouml.* 2>/dev/null | sort | comm -13 "$tmp/shm-before" -)
[ -n "$new" ] || fail "the script made no /dev/shm directory"
pgrep -f "init=$tmp/pgr-ouml" >/dev/null || fail "no UML guest seen running"
kill -TERM $spid
wait $spid
i=0
while pgrep -f "init=$tmp/pgr-ouml" >/dev/null && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
pgrep -f "init=$tmp/pgr-ouml" >/dev/null && fail "UML guests left after SIGTERM"
for d in $new; do [ -e "$d" ] && fail "$d left after SIGTERM"; done
pgrep -f "socket-path=$new" >/dev/null && fail "daemons left after SIGTERM"
ls -d /dev/shm/pgr-ouml.* 2>/dev/null | sort | cmp -s - "$tmp/shm-before" ||
	fail "/dev/shm directories left"
echo "overcommit-uml-test: ok"
exit 0
