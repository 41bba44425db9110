#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The ABI of the built libpagereport.so against the committed baseline
# (abi/libpagereport.abi, written by abidw from libabigail: Debian's
# abigail-tools), and the version rule of doc/abi.md:
#
#   scripts/abi-check.sh check  LIB ABIDIR VERSION LT_VERSION
#   scripts/abi-check.sh update LIB ABIDIR VERSION LT_VERSION
#
# make abi-check and make abi-update call it (ABIDW and ABIDIFF from
# configure).  check: no ABI change passes; an ABI change passes only when
# VERSION and LT_VERSION (current:revision:age) moved from the baseline's
# the way doc/abi.md says; anything else fails with abidiff's report.
# update: the built library becomes the baseline (at its version).
# Only what a caller can see counts: the exported functions, and the types
# defined in include/pagereport/*.h (ABIDIR/public-types.suppr drops the
# others, e.g. the opaque structs' insides).  --exported-interfaces-only
# also ties every function to its symbol (libabigail 2.2 without it loses
# the link for functions the library calls itself, and would miss their
# changes).
set -eu

usage() {
	sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}
[ $# -eq 5 ] || usage
mode=$1 lib=$2 abidir=$3 version=$4 lt=$5
ABIDW=${ABIDW:-abidw}
ABIDIFF=${ABIDIFF:-abidiff}
base=$abidir/libpagereport.abi
stamp=$abidir/libpagereport.version
die() { echo "abi-check: $*" >&2; exit 1; }

for t in "$ABIDW" "$ABIDIFF"; do
	command -v "$t" >/dev/null 2>&1 ||
		die "${t##*/} not found: install libabigail's tools (Debian: apt-get install abigail-tools) and re-run configure"
done
[ -f "$lib" ] || die "$lib not built (configured --disable-shared?)"
readelf -S "$lib" 2>/dev/null | grep -q '\.debug_info' ||
	die "$lib has no debug information: abidw needs -g (the default CFLAGS have it)"

# MAJOR.MINOR.PATCH and C:R:A into shell words.
split() { echo "$1" | tr '.:' '  '; }
set -- $(split "$version"); [ $# -eq 3 ] || die "bad version $version"
maj=$1 min=$2 pat=$3
set -- $(split "$lt"); [ $# -eq 3 ] || die "bad -version-info $lt"
cur=$1 rev=$2 age=$3

dump() {
	"$ABIDW" --exported-interfaces-only \
		--suppressions "$abidir/public-types.suppr" \
		--no-corpus-path --no-comp-dir-path --no-show-locs \
		--type-id-style hash "$lib"
}

if [ "$mode" = update ]; then
	mkdir -p "$abidir"
	dump >"$base.tmp"
	mv "$base.tmp" "$base"
	printf 'version %s\nversion-info %s\n' "$version" "$lt" >"$stamp"
	echo "abi-check: $base is now the ABI of libpagereport $version" \
		"(-version-info $lt); commit abi/"
	exit 0
fi
[ "$mode" = check ] || usage

[ -f "$base" ] && [ -f "$stamp" ] ||
	die "no baseline in $abidir: make abi-update writes one"
bversion=$(sed -n 's/^version //p' "$stamp")
blt=$(sed -n 's/^version-info //p' "$stamp")
set -- $(split "$bversion"); [ $# -eq 3 ] || die "bad version in $stamp"
bmaj=$1 bmin=$2 bpat=$3
set -- $(split "$blt"); [ $# -eq 3 ] || die "bad version-info in $stamp"
bcur=$1 bage=$3

# The symbols of this MAJOR.MINOR are bound to its node (the map's name).
node="LIBPAGEREPORT_$maj.$min"
objdump -T "$lib" | awk 'NF >= 2 { print $(NF-1) }' | grep -qx "$node" ||
	die "no symbol of $lib has version $node: rename the node in src/libpagereport.map (doc/abi.md)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dump >"$tmp/built.abi"
rc=0
"$ABIDIFF" "$base" "$tmp/built.abi" >"$tmp/report" 2>&1 || rc=$?
if [ $((rc & 3)) -ne 0 ]; then
	cat "$tmp/report" >&2
	die "abidiff failed (exit $rc)"
fi
was="libpagereport $bversion, -version-info $blt"
now="libpagereport $version, -version-info $lt"
if [ $rc -eq 0 ]; then
	echo "abi-check: no ABI change since the baseline ($was)"
	exit 0
fi

# Only additions (functions or variables), or something else too?
additive=yes
if [ $((rc & 8)) -ne 0 ]; then
	additive=no
fi
# abidiff's summaries: "Functions changes summary: 0 Removed, 1 Changed
# (2 filtered out), 0 Added functions" and the same for variables and
# for symbols without debug information.
if grep -E '^(Function|Variable)s? (symbols )?changes summary:' "$tmp/report" |
	grep -qE ': [1-9][0-9]* Removed|, [1-9][0-9]* Changed'; then
	additive=no
fi
grep -qE '^(Function|Variable)s? (symbols )?changes summary:.* [1-9][0-9]* Added' \
	"$tmp/report" || additive=no

newer_minor=no
if [ "$maj" -gt "$bmaj" ] ||
	{ [ "$maj" -eq "$bmaj" ] && [ "$min" -gt "$bmin" ]; }; then
	newer_minor=yes
fi
newer=$newer_minor
if [ "$maj.$min" = "$bmaj.$bmin" ] && [ "$pat" -gt "$bpat" ]; then
	newer=yes
fi

ok=no
if [ $additive = yes ]; then
	kind="functions or variables were added (nothing removed or changed)"
	want="a newer version with -version-info $((bcur + 1)):0:$((bage + 1)), or a new minor version with $((bcur + 1)):0:0"
	if [ $newer = yes ] && [ "$cur" -eq $((bcur + 1)) ] && [ "$rev" -eq 0 ]; then
		if [ "$age" -eq $((bage + 1)) ] ||
			{ [ $newer_minor = yes ] && [ "$age" -eq 0 ]; }; then
			ok=yes
		fi
	fi
else
	kind="the ABI changed incompatibly (removed or changed functions, variables or public types)"
	want="a new minor version ($bmaj.$((bmin + 1)).0 under 0.x) with -version-info $((bcur + 1)):0:0 and the node LIBPAGEREPORT_$bmaj.$((bmin + 1))"
	if [ $newer_minor = yes ] && [ "$cur" -eq $((bcur + 1)) ] &&
		[ "$rev" -eq 0 ] && [ "$age" -eq 0 ]; then
		ok=yes
	fi
fi

cat "$tmp/report"
if [ $ok = yes ]; then
	echo "abi-check: $kind; $now follows the rule from $was"
	exit 0
fi
cat >&2 <<MSG
abi-check: FAIL: $kind since the baseline ($was), but this is $now.
abi-check: either undo the change, or bump per doc/abi.md: $want.
abi-check: an intended change before the first release of this version:
abi-check: make abi-update (rewrites abi/ from this build) and commit abi/.
MSG
exit 1
