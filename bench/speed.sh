#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Issue 24's figures in one command: the allocator's hot paths and trace
# replay, each as callgrind instructions (machine-independent: the same on
# any x86-64 with the same compiler) beside times on this machine
# (machine-dependent: CPU seconds of the process, min/median/max of ROUNDS
# runs, so that other load on a shared machine stays out as far as it can).
#
#   BUILD_DIR=build-rel scripts/setup.sh --enable-debug=0 CFLAGS='-O2 -g'
#   bench/speed.sh build-rel              # ~5 min on 2 vCPUs
#
# Allocator (bench/alloc-pair, instructions inside the measured loop):
#   split+merge  order-0 alloc + free on a pristine zone: 10 splits, 10
#                merges with MAX_ORDER 11
#   pair         order-0 alloc + free on a fragmented zone, per-CPU lists
#                off / on (Linux 6.1's)
# Replay (bench/replay-speed on tests/data's real trace, 1,065,267 events,
# converted to the binary format once by pagereport-sim --convert):
#   read         instructions per event to read the binary file (and the
#                text, for comparison); M events per CPU second
#   replay       instructions per event per mode: exact, policy, exact with
#                v11-boundary and with upstream; M events per CPU second
#                end to end (read + replay) and replay alone
# Host model (issue 24 item 4): not measured here yet; its section says so.
#
# Environment: ROUNDS (timed runs per figure, default 5), PAIRS (pairs per
# callgrind run, default 100000), TIMED_PAIRS (per timed run, 2000000).
set -eu

BUILD=${1:-build-rel}
SRC=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-5}
PAIRS=${PAIRS:-100000}
TIMED_PAIRS=${TIMED_PAIRS:-2000000}
PAIR=$BUILD/bench/alloc-pair
REPLAY=$BUILD/bench/replay-speed
SIM=$BUILD/src/sim/pagereport-sim

for b in "$PAIR" "$REPLAY" "$SIM"; do
	if [ ! -x "$b" ]; then
		echo "speed.sh: $b not built (make -C $BUILD)" >&2
		exit 1
	fi
done
if ! grep -q '^#define PGR_DEBUG 0' "$BUILD/config.h" 2>/dev/null; then
	echo "speed.sh: warning: $BUILD is not a release build" \
		"(--enable-debug=0): numbers include debug checks" >&2
fi
for t in valgrind xz; do
	command -v $t >/dev/null || {
		echo "speed.sh: $t not found" >&2
		exit 1
	}
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# instructions collected in function $1 while running the rest
collected() {
	fn=$1
	shift
	valgrind --tool=callgrind --toggle-collect="$fn" \
		--callgrind-out-file=/dev/null "$@" 2>&1 >"$tmp/cg.out" |
		sed -n 's/.*Collected : //p'
}

# min/median/max of the numbers on stdin
mmm() {
	sort -g | awk '{ v[NR] = $1 } END {
		printf "%s/%s/%s", v[1], v[int((NR + 1) / 2)], v[NR] }'
}

echo "speed.sh: $(cd "$SRC" && git describe --always --dirty 2>/dev/null ||
	echo unknown) $BUILD, $(uname -m), $(nproc) CPUs"
echo

echo "== allocator (bench/alloc-pair; ns: thread CPU time, $ROUNDS runs of" \
	"$TIMED_PAIRS pairs, machine-dependent)"
printf '%-34s %12s   %s\n' "" "instr/pair" "ns/pair min/median/max"
for c in "split+merge, pristine zone|--split" "order-0 pair, pcp off|" \
	"order-0 pair, pcp on (6.1)|--pcp"; do
	name=${c%%|*}
	opt=${c#*|}
	# shellcheck disable=SC2086
	n=$(collected run_pairs "$PAIR" $opt "$PAIRS")
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		# shellcheck disable=SC2086
		"$PAIR" $opt "$TIMED_PAIRS" | sed -n 's/.*, \([0-9.]*\) ns\/pair/\1/p'
		i=$((i + 1))
	done >"$tmp/ns"
	printf '%-34s %12s   %s\n' "$name" \
		"$(awk -v n="$n" -v p="$PAIRS" 'BEGIN { printf "%.1f", n / p }')" \
		"$(mmm <"$tmp/ns")"
done
echo

echo "== trace replay (bench/replay-speed, tests/data/kmem-build-hog," \
	"1,065,267 events)"
xz -dc "$SRC/tests/data/kmem-build-hog.pgrtrace.xz" >"$tmp/t.pgrtrace"
"$SIM" --trace "$tmp/t.pgrtrace" --convert "$tmp/t.pgrb" --quiet
events=$(grep -c '^[af] ' "$tmp/t.pgrtrace")
echo "binary file $(wc -c <"$tmp/t.pgrb") bytes, text" \
	"$(wc -c <"$tmp/t.pgrtrace") bytes"
printf '%-34s %12s   %s\n' "" "instr/event" \
	"M events/CPU-s min/median/max"
for f in t.pgrb t.pgrtrace; do
	n=$(collected read_all "$REPLAY" --trace "$tmp/$f" --rounds 1)
	"$REPLAY" --trace "$tmp/$f" --rounds "$ROUNDS" >"$tmp/rs"
	rate=$(sed -n 's/.* read_Mev_per_cpu_s=\([^ ]*\).*/\1/p' "$tmp/rs")
	printf '%-34s %12s   %s\n' "read $( [ $f = t.pgrb ] && echo binary ||
		echo text)" \
		"$(awk -v n="$n" -v e="$events" 'BEGIN { printf "%.1f", n / e }')" \
		"$rate"
done
for m in "exact|--mode exact" "policy|--mode policy" \
	"exact, v11-boundary|--mode exact --strategy v11-boundary" \
	"exact, upstream|--mode exact --strategy upstream" \
	"policy, v11-boundary|--mode policy --strategy v11-boundary"; do
	name=${m%%|*}
	opt=${m#*|}
	# shellcheck disable=SC2086
	n=$(collected replay_all "$REPLAY" --trace "$tmp/t.pgrb" $opt \
		--rounds 1)
	# shellcheck disable=SC2086
	"$REPLAY" --trace "$tmp/t.pgrb" $opt --rounds "$ROUNDS" >"$tmp/rs"
	e2e=$(sed -n 's/.* e2e_Mev_per_cpu_s=\([^ ]*\).*/\1/p' "$tmp/rs")
	rep=$(sed -n 's/.* replay_Mev_per_cpu_s=\([^ ]*\).*/\1/p' "$tmp/rs")
	printf '%-34s %12s   end to end %s, replay alone %s\n' \
		"replay $name" \
		"$(awk -v n="$n" -v e="$events" 'BEGIN { printf "%.1f", n / e }')" \
		"$e2e" "$rep"
done
echo "(end to end: reading the binary file + replaying; building the" \
	"node, 6.5 M pages, is apart)"
echo

echo "== host model (issue 24 item 4)"
echo "not measured by this script yet: instructions per guest-tick and the" \
	"64 x 32 GiB run come with the host-model work."
