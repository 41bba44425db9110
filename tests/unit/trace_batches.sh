#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Before/after comparison of the batch sequences of random churn traces
# (tests/unit/trace_batches.c).  trace_batches.golden was produced by the
# code before upstream was rewritten on <pagereport/strategy.h> (commit
# 3492a2a, internal upstream.c) with
#   tests/unit/trace_batches upstream; ... v11-boundary; ... v11-rescan
# and every strategy must still report exactly those batches.
set -eu
b=${top_builddir:-.}
s=${top_srcdir:-.}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for st in upstream v11-boundary v11-rescan; do
	"$b/tests/unit/trace_batches" "$st"
done >"$out"
diff -u "$s/tests/unit/trace_batches.golden" "$out"
echo "trace_batches: every batch as before"
