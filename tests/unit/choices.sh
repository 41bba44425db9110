#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Which blocks the allocator model picks must not change when its code is
# made faster: tests/unit/choices hashes every result and every free list
# of a random workload in 64 configurations (see its header), and
# choices.golden holds those hashes as the code before the split/merge and
# per-CPU fast paths (main at be1bdf1, the same program linked against
# that library) produced them with
#   for n in $(seq 0 63); do tests/unit/choices $n 30000; done
set -eu
b=${top_builddir:-.}
s=${top_srcdir:-.}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for n in $(seq 0 63); do
	"$b/tests/unit/choices" "$n" 30000
done >"$out"
diff -u "$s/tests/unit/choices.golden" "$out"
echo "choices: the same blocks in all 64 configurations"
