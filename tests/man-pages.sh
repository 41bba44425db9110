#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every public function (PGR_EXPORT in include/pagereport/*.h) has a
# manual page: man/<function>.3, listed in man/Makemodule.am (so it is
# installed and distributed), either a page whose NAME lists it or a
# `.so man3/<page>.3` link to one; and every page renders without a groff
# warning.  A function added without a page: rerun scripts/man-pages.py.
set -u
top_srcdir=${top_srcdir:-.}
fail() { echo "man-pages: FAIL: $*" >&2; exit 1; }
funcs=$(cat "$top_srcdir"/include/pagereport/*.h | tr '\n' ' ' |
	grep -o 'PGR_EXPORT[^;]*;' | grep -o 'pgr_[a-z0-9_]* *(' | tr -d ' (')
[ -n "$funcs" ] || fail "no PGR_EXPORT function found"
n=0
for f in $funcs; do
	page=$top_srcdir/man/$f.3
	[ -f "$page" ] || fail "no man/$f.3 (run scripts/man-pages.py)"
	grep -q "man/$f.3" "$top_srcdir/man/Makemodule.am" ||
		fail "man/$f.3 not in man/Makemodule.am"
	target=$(sed -n 's/^\.so man3\///p' "$page")
	if [ -n "$target" ]; then
		page=$top_srcdir/man/$target
		[ -f "$page" ] || fail "man/$f.3 links to a missing $target"
	fi
	sed -n '/^\.SH NAME/,/^\.SH/p' "$page" | grep -q "\\b$f\\b" ||
		fail "$(basename "$page")'s NAME does not list $f"
	n=$((n + 1))
done
if command -v groff >/dev/null 2>&1; then
	for p in "$top_srcdir"/man/*.[138]; do
		grep -q '^\.so ' "$p" && continue
		out=$(groff -man -Tutf8 -ww -z "$p" 2>&1)
		[ -z "$out" ] || fail "$p: $out"
	done
fi
echo "man-pages: $n public functions, each with a page"
exit 0
