#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# quickstart.sh --help explains itself (what it runs, --quick, where the
# results and plots go) and does nothing else: run from a directory with
# no scripts/setup.sh, any attempt to set up or build would fail.
set -u
top_srcdir=${top_srcdir:-.}
fail() { echo "quickstart-help: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pgr-qs.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
cp "$top_srcdir/quickstart.sh" "$tmp/"
for opt in --help -h; do
	sh "$tmp/quickstart.sh" $opt >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "$opt exit status"; }
	for w in "Usage: ./quickstart.sh" --quick "scripts/setup.sh" results/latest plots/; do
		grep -q -- "$w" "$tmp/out" || fail "$opt does not mention $w"
	done
done
[ "$(ls "$tmp")" = "out
quickstart.sh" ] || fail "--help left files behind: $(ls "$tmp")"
echo "quickstart-help: ok"
