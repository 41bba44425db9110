#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The boundary-vs-rescan headline in a machine-independent cost: one
# point of exp_boundary (32 GiB, order 9, occupancy 0.5, 20000 ops per
# virtual second, capacity 32, shuffle off, seed 1; bench/scan_cost.c) run
# under callgrind with a fixed simulated cache, once per strategy.  It
# prints the reporter's instructions and simulated last-level-cache misses
# per reported block, the list nodes it visited per block (the counted
# model), their ratios rescan/boundary, and then CPU-time pairs run
# natively (interleaved, machine-dependent) for comparison.
#
#   BUILD_DIR=build-rel scripts/setup.sh --enable-debug=0 CFLAGS='-O2 -g'
#   bench/scan-cost.sh build-rel          # ~1.5 min on 2 vCPUs
#
# The simulated cache is fixed (not the host's): I1 and D1 32 KiB 8-way,
# 64-byte lines, and one run per LL in LLS (size,assoc,line; default 8 MiB
# and 32 MiB, 16-way): whether the reported tail the rescan re-walks stays
# in the LL between walks decides its misses (bench/README.md).  The
# simulation indexes the cache by virtual address.  Environment: MEM
# (32G), SECS (virtual seconds, 10), SEED (1), LLS, PAIRS (CPU-time pairs,
# 21; 0 skips them).
set -eu

BUILD=${1:-build-rel}
BIN=$BUILD/bench/scan-cost
MEM=${MEM:-32G}
SECS=${SECS:-10}
SEED=${SEED:-1}
LLS=${LLS:-"8388608,16,64 33554432,16,64"}
PAIRS=${PAIRS:-21}

if [ ! -x "$BIN" ]; then
	echo "scan-cost.sh: $BIN not built (make -C $BUILD bench/scan-cost)" >&2
	exit 1
fi
if ! grep -q '^#define PGR_DEBUG 0' "$BUILD/config.h" 2>/dev/null; then
	echo "scan-cost.sh: warning: $BUILD is not a release build" \
		"(--enable-debug=0): numbers include debug checks" >&2
fi
for t in valgrind callgrind_annotate; do
	command -v $t >/dev/null || {
		echo "scan-cost.sh: $t not found" >&2
		exit 1
	}
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One callgrind run: "<strategy> <program's key=value line> <inclusive
# costs of reporter_work> | <of workload_work>" into $tmp/<strategy>.
measure() {
	valgrind --tool=callgrind --cache-sim=yes --I1=32768,8,64 \
		--D1=32768,8,64 --LL="$LL" --toggle-collect=reporter_work \
		--toggle-collect=workload_work \
		--callgrind-out-file="$tmp/$1.cg" "$BIN" --strategy "$1" \
		--mem "$MEM" --seconds "$SECS" --seed "$SEED" \
		>"$tmp/$1.out" 2>"$tmp/$1.log" || {
		cat "$tmp/$1.log" >&2
		exit 1
	}
	callgrind_annotate --inclusive=yes --show-percs=no "$tmp/$1.cg" \
		>"$tmp/$1.ann"
	# Events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
	grep -q '^Events shown: *Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw' \
		"$tmp/$1.ann" || {
		echo "scan-cost.sh: unexpected callgrind_annotate events" >&2
		exit 1
	}
	{
		grep "^$1 " "$tmp/$1.out"
		for f in reporter_work workload_work; do
			grep ":$f " "$tmp/$1.ann" | head -1 | tr -d , |
				awk -v f=$f '{ printf " %s_ir=%s %s_d1=%s %s_ll=%s", f, $1, f, $5 + $6, f, $7 + $8 + $9 }'
		done
		echo
	} | tr '\n' ' ' >"$tmp/$1.kv"
	echo >>"$tmp/$1.kv"
}

# Both strategies under the simulated cache $LL, then their table.
simulate() {
	echo "scan-cost: boundary vs rescan, mem $MEM, $SECS virtual s," \
		"seed $SEED; callgrind, simulated I1/D1 32768,8,64 LL $LL"
	measure v11-boundary
	measure v11-rescan
	cat "$tmp"/v11-boundary.kv "$tmp"/v11-rescan.kv | awk '
function kv(line, a,   n, i, p) {
	n = split(line, p, " ")
	for (i = 2; i <= n; i++) {
		split(p[i], q, "=")
		a[q[1]] = q[2]
	}
}
NR == 1 { kv($0, b) }
NR == 2 { kv($0, r) }
END {
	if (b["blocks"] != r["blocks"] || b["pages"] != r["pages"])
		print "WARNING: the strategies reported different work"
	printf "%-13s %8s %12s %14s %14s %14s %12s\n", "strategy", "blocks",
		"nodes/block", "instr/block", "LL miss/block", "D1 miss/block",
		"wl instr/op"
	row("v11-boundary", b)
	row("v11-rescan", r)
	printf "%-13s %8s %12.2f %14.2f %14.2f %14.2f %12.3f\n",
		"rescan/bound.", "", r["nodes_per_block"] / b["nodes_per_block"],
		r["reporter_work_ir"] / b["reporter_work_ir"],
		r["reporter_work_ll"] / b["reporter_work_ll"],
		r["reporter_work_d1"] / b["reporter_work_d1"],
		r["workload_work_ir"] / b["workload_work_ir"]
	# The counted model: cost per block = fixed + per node * nodes/block,
	# through the two points (same blocks, different walks).
	dn = r["nodes_per_block"] - b["nodes_per_block"]
	si = (r["reporter_work_ir"] - b["reporter_work_ir"]) / b["blocks"] / dn
	sl = (r["reporter_work_ll"] - b["reporter_work_ll"]) / b["blocks"] / dn
	fmt = "model: instr/block = %.0f + %.2f * nodes/block;"
	fmt = fmt " LL miss/block = %.1f + %.3f * nodes/block\n"
	printf fmt,
		b["reporter_work_ir"] / b["blocks"] - si * b["nodes_per_block"],
		si,
		b["reporter_work_ll"] / b["blocks"] - sl * b["nodes_per_block"],
		sl
	tb = b["reporter_work_ir"] + b["workload_work_ir"]
	tr = r["reporter_work_ir"] + r["workload_work_ir"]
	printf "total (workload + reporter) instr rescan/boundary: %.4f\n",
		tr / tb
	fmt = "reporter instr overhead as exp_boundary states it"
	fmt = fmt " ((rep(R) - rep(B)) / total(B)): %.1f %%\n"
	printf fmt, 100 * (r["reporter_work_ir"] - b["reporter_work_ir"]) / tb
}
function row(name, a) {
	printf "%-13s %8d %12.2f %14.1f %14.2f %14.2f %12.1f\n", name,
		a["blocks"], a["nodes_per_block"],
		a["reporter_work_ir"] / a["blocks"],
		a["reporter_work_ll"] / a["blocks"],
		a["reporter_work_d1"] / a["blocks"],
		a["workload_work_ir"] / a["ops"]
}'
}

for LL in $LLS; do
	simulate
	echo
done

if [ "$PAIRS" -gt 0 ]; then
	echo
	echo "CPU time (machine-dependent): $PAIRS interleaved pairs, seeds" \
		"$SEED..$((SEED + PAIRS - 1)), median [95% interval for the median]"
	"$BIN" --cpu-pairs "$PAIRS" --mem "$MEM" --seconds "$SECS" \
		--seed "$SEED" >"$tmp/cpu.out"
	grep '^cpu ' "$tmp/cpu.out" | awk '{
		for (i = 2; i <= NF; i++) { split($i, q, "="); v[q[1]] = q[2] }
		name = $2 " " $3
		printf "%-44s %9.3f [%.3f, %.3f] %s (coverage %.3f, n %d)\n",
			name, v["median"], v["ci_lo"], v["ci_hi"], v["unit"],
			v["coverage"], v["n"]
	}'
fi
