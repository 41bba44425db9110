#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The order-0 alloc+free pair cost at 1 GiB, 32 GiB and 1 TiB zones
# (bench/pair_cost.c): instructions inside pgr_alloc_pages + pgr_free_pages
# counted by callgrind (the same on any x86-64 machine with the same
# compiler), and ns per pair natively (median [min, max] of the rounds;
# machine-dependent).  Use a release build:
#
#   BUILD_DIR=build-rel scripts/setup.sh --enable-debug=0 CFLAGS='-O2 -g'
#   bench/pair-cost.sh build-rel            # ~2 min on 2 vCPUs
#
# Environment: SIZES (default "1G 32G 1T"), ROUNDS (default 11), PAIRS
# (native pairs per round, default 1000000), CG_PAIRS (default 100000).
set -eu

BUILD=${1:-build-rel}
BIN=$BUILD/bench/pair-cost
SIZES=${SIZES:-"1G 32G 1T"}
ROUNDS=${ROUNDS:-11}
PAIRS=${PAIRS:-1000000}
CG_PAIRS=${CG_PAIRS:-100000}

if [ ! -x "$BIN" ]; then
	echo "pair-cost.sh: $BIN not built (make -C $BUILD bench/pair-cost)" >&2
	exit 1
fi
if ! grep -q '^#define PGR_DEBUG 0' "$BUILD/config.h" 2>/dev/null; then
	echo "pair-cost.sh: warning: $BUILD is not a release build" \
		"(--enable-debug=0): numbers include debug checks" >&2
fi
command -v valgrind >/dev/null || {
	echo "pair-cost.sh: valgrind not found" >&2
	exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Instructions per pair: the dump the program requests after its one
# measured round (its warm-up and set-up are zeroed away).
instr() { # size pattern
	valgrind --tool=callgrind --toggle-collect=pgr_alloc_pages \
		--toggle-collect=pgr_free_pages \
		--callgrind-out-file="$tmp/cg.%p" \
		"$BIN" --mem "$1" --pattern "$2" --pairs "$CG_PAIRS" \
		--rounds 1 >/dev/null 2>"$tmp/cg.log"
	t=$(cat "$tmp"/cg.*.1 | sed -n 's/^summary: //p')
	rm -f "$tmp"/cg.*
	awk -v t="$t" -v n="$CG_PAIRS" 'BEGIN { printf "%.1f", t / n }'
}

native() { # size pattern -> "median [min, max]" and metadata bytes
	"$BIN" --mem "$1" --pattern "$2" --pairs "$PAIRS" --rounds "$ROUNDS" |
		awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "=");
			v[kv[1]] = kv[2] } }
		     END { printf "%s [%s, %s] %s", v["median"], v["min"],
			   v["max"], v["metadata_bytes"] }'
}

echo "order-0 alloc+free pair, fragmented zone ($BIN)"
echo "instructions: callgrind inside pgr_alloc_pages + pgr_free_pages," \
	"$CG_PAIRS pairs"
echo "ns: median [min, max] of $ROUNDS rounds of $PAIRS pairs" \
	"(machine-dependent; includes the loop)"
printf '%-6s %10s %12s %12s %24s %24s\n' zone "meta MiB" "instr lifo" \
	"instr random" "ns lifo" "ns random"
for s in $SIZES; do
	il=$(instr "$s" lifo)
	ir=$(instr "$s" random)
	set -- $(native "$s" lifo)
	nl="$1 $2 $3"
	meta=$4
	set -- $(native "$s" random)
	nr="$1 $2 $3"
	printf '%-6s %10.1f %12s %12s %24s %24s\n' "$s" \
		"$(awk -v b="$meta" 'BEGIN { print b / 1048576 }')" \
		"$il" "$ir" "$nl" "$nr"
done
