#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The binary pgrtrace format on the real trace shipped in tests/data,
# through pagereport-sim: text -> binary -> text gives the same bytes;
# replaying the binary file gives the same counters, free blocks and time
# series as replaying the text, in both modes, with and without a
# reporting strategy; damaged binary files (truncated, wrong magic, a bad
# record) are refused with exit status 1 and a message naming the record,
# never a crash.
set -eu
b=${top_builddir:-.}
s=${top_srcdir:-.}
sim=$b/src/sim/pagereport-sim
command -v xz >/dev/null 2>&1 || { echo "trace_binary: SKIP: no xz"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
xz -dc "$s/tests/data/kmem-build-hog.pgrtrace.xz" >"$tmp/t.pgrtrace"
"$sim" --trace "$tmp/t.pgrtrace" --convert "$tmp/t.pgrb" --quiet
"$sim" --trace "$tmp/t.pgrb" --convert "$tmp/back.pgrtrace" --to text --quiet
cmp "$tmp/t.pgrtrace" "$tmp/back.pgrtrace"
# 1,065,267 events: 16 bytes each after 32 + 3 * 40 bytes of header
size=$(wc -c <"$tmp/t.pgrb")
[ "$size" -eq $((32 + 3 * 40 + 1065267 * 16)) ] ||
	{ echo "trace_binary: $size bytes, not 16 per event" >&2; exit 1; }
for args in "--mode exact --strategy none" "--mode policy --strategy none" \
	"--mode exact --strategy v11-boundary" \
	"--mode policy --strategy upstream"; do
	for f in t.pgrtrace t.pgrb; do
		# shellcheck disable=SC2086
		"$sim" --trace "$tmp/$f" $args --quiet \
			--write-free "$tmp/$f.free" --csv "$tmp/$f.csv" \
			>"$tmp/$f.out" 2>&1
	done
	cmp "$tmp/t.pgrtrace.out" "$tmp/t.pgrb.out"
	cmp "$tmp/t.pgrtrace.free" "$tmp/t.pgrb.free"
	cmp "$tmp/t.pgrtrace.csv" "$tmp/t.pgrb.csv"
done
# damaged files: status 1, a message, no crash
refused() { # file pattern
	if "$sim" --trace "$1" --quiet >"$tmp/err" 2>&1; then
		echo "trace_binary: $1 accepted" >&2
		exit 1
	elif [ $? -ne 1 ]; then
		echo "trace_binary: $1: status not 1" >&2
		exit 1
	fi
	grep -q "$2" "$tmp/err" || {
		echo "trace_binary: $1: no \"$2\" in:" >&2
		cat "$tmp/err" >&2
		exit 1
	}
}
head -c 1000000 "$tmp/t.pgrb" >"$tmp/cut.pgrb"
refused "$tmp/cut.pgrb" "truncated at record 62491 of 1065267"
printf 'X' | dd of="$tmp/t.pgrb" bs=1 seek=1 conv=notrunc status=none
refused "$tmp/t.pgrb" "wrong magic"
printf 'P' | dd of="$tmp/t.pgrb" bs=1 seek=1 conv=notrunc status=none
# record 1000's migratetype + 1 set to 7 (bits 53..55 of its word)
printf '\377' | dd of="$tmp/t.pgrb" bs=1 seek=$((152 + 999 * 16 + 14)) \
	conv=notrunc status=none
refused "$tmp/t.pgrb" "record 1000: "
echo "trace_binary: round trip, replays and damaged files as expected"
