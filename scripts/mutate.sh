#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Mutation testing: apply each single-line mutant of tests/mutants/*.txt to
# a private copy of the tree, rebuild the tests it names in a build
# directory of that copy, run them, and report whether they caught it
# (KILLED) or not (SURVIVED).  The source tree is never written to: the
# copy holds the working tree as it is (committed or not), so a test
# written a minute ago is measured too.
#
#   scripts/mutate.sh [options] [ID-or-glob ...]
#
#   --check     only check that every mutant applies (its find text is on
#               exactly one line of its file); no build.  Fast.
#   --list      print the mutants' ids and files, then exit
#   --dir DIR   work in DIR (default: a new temporary directory, removed
#               at the end).  An existing DIR from an earlier run is
#               reused: only what changed since is rebuilt.
#   --keep      keep the temporary directory
#   -j N        make -jN (default 2)
#   -h, --help  this text
#
# Environment: MUTANTS_DIR (default tests/mutants), MUTATE_TIMEOUT (seconds
# per test program, default 600), PGR_SEED (default 1), CONFIGURE_FLAGS
# (default none: warnings are not errors, a mutant may warn).
#
# A mutant file holds blocks separated by blank lines; '#' starts a comment:
#
#   id:      host-budget-boundary
#   file:    src/host/host.c
#   find:    if (in_mem <= h->budget_pages)
#   replace: if (in_mem < h->budget_pages)
#   tests:   tests/unit/check_host
#   why:     at exactly the budget the host swaps (issue 25, 6)
#
# find is literal text (not a pattern) that must occur on exactly one line
# of file; its first occurrence on that line becomes replace.  Leading and
# trailing blanks of each value are dropped.  tests are programs of the
# build, run from the build directory as make check runs them; the first
# that fails (or times out) kills the mutant.  An optional build: line
# names more make targets to rebuild (a daemon the tests start).
#
# Exit: 0 when every mutant was killed; 1 when one survived, did not
# build, or no longer applies (STALE: the code moved; update the mutant);
# 2 on a usage or set-up error (including a test that fails without any
# mutant).
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
MUTANTS_DIR=${MUTANTS_DIR:-$SRC/tests/mutants}
TIMEOUT=${MUTATE_TIMEOUT:-600}
JOBS=2
DIR=""
KEEP=0
MODE=run

usage() {
	sed -n '4,47s/^# \{0,1\}//p' "$0"
}

while [ $# -gt 0 ]; do
	case $1 in
	--check) MODE=check ;;
	--list) MODE=list ;;
	--dir)
		[ $# -ge 2 ] || { echo "mutate: --dir needs a directory" >&2; exit 2; }
		DIR=$2
		shift
		;;
	--dir=*) DIR=${1#--dir=} ;;
	--keep) KEEP=1 ;;
	-j)
		[ $# -ge 2 ] || { echo "mutate: -j needs a number" >&2; exit 2; }
		JOBS=$2
		shift
		;;
	-j*) JOBS=${1#-j} ;;
	-h | --help)
		usage
		exit 0
		;;
	--) shift; break ;;
	-*)
		echo "mutate: unknown option $1 (see --help)" >&2
		exit 2
		;;
	*) break ;;
	esac
	shift
done
case $JOBS in '' | *[!0-9]*) echo "mutate: -j $JOBS is not a number" >&2; exit 2 ;; esac

set -- "$@" # the ids or globs left
US=$(printf '\037')

# Every mutant as one line: id US file US find US replace US tests US build.
parse() {
	found=0
	for f in "$MUTANTS_DIR"/*.txt; do
		[ -f "$f" ] || continue
		found=1
		awk -v US="$US" -v F="$f" '
		function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
		function flush() {
			if (id == "" && file == "" && find == "")
				return
			if (id == "" || file == "" || find == "" || !have_repl || tests == "") {
				printf "mutate: %s:%d: the block lacks id, file, find, replace or tests\n", F, start > "/dev/stderr"
				bad = 1
			}
			print id US file US find US repl US tests US build
			id = file = find = repl = tests = build = ""; have_repl = 0
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{
			if (id == "" && file == "" && find == "" && !have_repl && tests == "")
				start = NR
			k = $0; sub(/:.*/, "", k); k = trim(k)
			v = $0; sub(/^[^:]*:/, "", v); v = trim(v)
			if (k == "id") id = v
			else if (k == "file") file = v
			else if (k == "find") find = v
			else if (k == "replace") { repl = v; have_repl = 1 }
			else if (k == "tests") tests = v
			else if (k == "build") build = v
			else if (k == "why") ;
			else { printf "mutate: %s:%d: unknown key \"%s\"\n", F, NR, k > "/dev/stderr"; bad = 1 }
		}
		END { flush(); exit bad }' "$f" || return 1
	done
	if [ $found = 0 ]; then
		echo "mutate: no mutant files in $MUTANTS_DIR" >&2
		return 1
	fi
}

# Is mutant $1 selected by the arguments?
selected() {
	[ $# -eq 1 ] && return 0
	id=$1
	shift
	for pat in "$@"; do
		# shellcheck disable=SC2254
		case $id in $pat) return 0 ;; esac
	done
	return 1
}

LIST=$(parse) || exit 2
[ -n "$LIST" ] || { echo "mutate: no mutants" >&2; exit 2; }
dups=$(printf '%s\n' "$LIST" | cut -d"$US" -f1 | sort | uniq -d)
if [ -n "$dups" ]; then
	echo "mutate: duplicate ids: $dups" >&2
	exit 2
fi

if [ $MODE = list ]; then
	printf '%s\n' "$LIST" | awk -F"$US" '{ printf "%-34s %s\n", $1, $2 }'
	exit 0
fi

# Lines of file $1 holding the literal text $2.
count_lines() {
	FIND=$2 awk 'index($0, ENVIRON["FIND"]) { n++ } END { print n + 0 }' "$1"
}

# Write file $1 with the first $2 on its one matching line replaced by $3.
apply() {
	FIND=$2 REPL=$3 awk '{
		i = index($0, ENVIRON["FIND"])
		if (i && !done) {
			$0 = substr($0, 1, i - 1) ENVIRON["REPL"] \
			     substr($0, i + length(ENVIRON["FIND"]))
			done = 1
		}
		print
	}' "$1" >"$1.mutant"
	cat "$1.mutant" >"$1" # keeps the file, new mtime: make rebuilds it
	rm -f "$1.mutant"
}

# ---- --check: does every mutant still apply to this tree? --------------
if [ $MODE = check ]; then
	stale=0
	n=0
	while IFS="$US" read -r id file find repl tests build; do
		selected "$id" "$@" || continue
		n=$((n + 1))
		if [ ! -f "$SRC/$file" ]; then
			echo "STALE    $id: $file does not exist"
			stale=$((stale + 1))
			continue
		fi
		c=$(count_lines "$SRC/$file" "$find")
		if [ "$c" != 1 ]; then
			echo "STALE    $id: '$find' is on $c lines of $file (want 1)"
			stale=$((stale + 1))
		fi
		if [ "$find" = "$repl" ]; then
			echo "STALE    $id: replace is the find text (no change)"
			stale=$((stale + 1))
		fi
	done <<EOF
$LIST
EOF
	echo "mutate --check: $n mutants, $stale stale"
	[ $stale = 0 ]
	exit
fi

# ---- the copy and its build -------------------------------------------
trap 'exit 130' INT TERM
if [ -z "$DIR" ]; then
	DIR=$(mktemp -d "${TMPDIR:-/tmp}/pgr-mutate.XXXXXX")
	[ $KEEP = 1 ] || trap 'rm -rf "$DIR"' EXIT
fi
mkdir -p "$DIR/src" "$DIR/build"
DIR=$(cd "$DIR" && pwd)
case $DIR/ in "$SRC"/*)
	echo "mutate: --dir must be outside the source tree" >&2
	exit 2
	;;
esac
LOG=$DIR/mutate.log
: >"$LOG"
echo "mutate: working in $DIR (log: $LOG)"

# The working tree as it is, tracked and new files, without ignored ones
# (build directories, generated autotools files); from a release tarball
# (no git), everything but build directories.
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$SRC" && git ls-files -z --cached --others --exclude-standard) |
		(cd "$SRC" && tar --null -T - --ignore-failed-read -cf - 2>>"$LOG") |
		tar -C "$DIR/src" -xf -
else
	(cd "$SRC" && tar --exclude='./build*' --exclude='./_build*' -cf - .) |
		tar -C "$DIR/src" -xf -
fi
# The copy keeps the source's mtimes, so a file an earlier run mutated
# may now look older than objects built from a mutant: on reuse, rebuild
# every file a mutant (of this list or of an earlier run) touches.
if [ -f "$DIR/build/config.status" ]; then
	{
		printf '%s\n' "$LIST" | cut -d"$US" -f2
		[ ! -f "$DIR/mutated" ] || cat "$DIR/mutated"
	} | sort -u | while read -r f; do
		[ ! -f "$DIR/src/$f" ] || touch "$DIR/src/$f"
	done
fi
rm -f "$DIR/mutated"
if [ ! -x "$DIR/src/configure" ] || [ "$DIR/src/configure.ac" -nt "$DIR/src/configure" ]; then
	echo "mutate: autoreconf"
	(cd "$DIR/src" && autoreconf -fi) >>"$LOG" 2>&1 ||
		{ echo "mutate: autoreconf failed, see $LOG" >&2; exit 2; }
fi
if [ ! -f "$DIR/build/config.status" ]; then
	echo "mutate: configure ${CONFIGURE_FLAGS:-}"
	# shellcheck disable=SC2086
	(cd "$DIR/build" && ../src/configure ${CONFIGURE_FLAGS:-}) >>"$LOG" 2>&1 ||
		{ echo "mutate: configure failed, see $LOG" >&2; exit 2; }
fi

# The selected mutants' fields $1 (5: tests, 6: build), one word a line.
words() {
	field=$1
	shift
	printf '%s\n' "$LIST" | while IFS="$US" read -r id file find repl tests build; do
		selected "$id" "$@" || continue
		case $field in 5) echo "$tests" ;; 6) echo "$build" ;; esac
	done | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' '
}
ALL_TESTS=$(words 5 "$@")
ALL_TARGETS="$ALL_TESTS $(words 6 "$@")"
[ -n "$ALL_TESTS" ] || { echo "mutate: no mutant matches $*" >&2; exit 2; }

echo "mutate: building the unmutated copy (make -j$JOBS)"
# shellcheck disable=SC2086
make -C "$DIR/build" -j"$JOBS" >>"$LOG" 2>&1 &&
	make -C "$DIR/build" -j"$JOBS" $ALL_TARGETS >>"$LOG" 2>&1 ||
	{ echo "mutate: the unmutated copy does not build, see $LOG" >&2; exit 2; }

# Run test $1 as make check would (programs from the build, scripts from
# the source); its exit status (124: timed out).
run_test() {
	prog=./$1
	[ -e "$DIR/build/$1" ] || prog=../src/$1
	(
		cd "$DIR/build"
		PGR_SEED=${PGR_SEED:-1} CK_DEFAULT_TIMEOUT=$TIMEOUT \
			top_srcdir=../src top_builddir=. srcdir=../src \
			timeout "$TIMEOUT" "$prog"
	) >>"$LOG" 2>&1 </dev/null
}

echo "mutate: every test on the unmutated copy"
for t in $ALL_TESTS; do
	rc=0
	run_test "$t" || rc=$?
	if [ $rc != 0 ]; then
		echo "mutate: $t fails (exit $rc) without any mutant; see $LOG" >&2
		exit 2
	fi
done

# ---- the mutants ------------------------------------------------------
killed=0
survived=0
nobuild=0
stale=0
total=0
SURVIVORS=""
while IFS="$US" read -r id file find repl tests build; do
	selected "$id" "$@" || continue
	total=$((total + 1))
	f=$DIR/src/$file
	if [ ! -f "$f" ] || [ "$(count_lines "$f" "$find")" != 1 ] ||
		[ "$find" = "$repl" ]; then
		printf 'STALE     %-34s %s no longer holds the text on one line\n' "$id" "$file"
		stale=$((stale + 1))
		SURVIVORS="$SURVIVORS $id"
		continue
	fi
	cp "$f" "$DIR/orig"
	echo "$file" >>"$DIR/mutated"
	apply "$f" "$find" "$repl"
	echo "==== $id: $file: '$find' -> '$repl'" >>"$LOG"
	# shellcheck disable=SC2086
	if ! make -C "$DIR/build" -j"$JOBS" $tests $build >>"$LOG" 2>&1; then
		result=NOBUILD
		by="(fix the mutant: it must compile)"
	else
		result=SURVIVED
		by="by none of: $tests"
		for t in $tests; do
			rc=0
			run_test "$t" || rc=$?
			if [ $rc = 77 ]; then
				echo "mutate: $t skipped (77): it decides nothing" >>"$LOG"
			elif [ $rc != 0 ]; then
				result=KILLED
				by="by $t (exit $rc)"
				break
			fi
		done
	fi
	cat "$DIR/orig" >"$f" # new mtime: the next build recompiles it
	rm -f "$DIR/orig"
	case $result in
	KILLED) killed=$((killed + 1)) ;;
	SURVIVED)
		survived=$((survived + 1))
		SURVIVORS="$SURVIVORS $id"
		;;
	NOBUILD)
		nobuild=$((nobuild + 1))
		SURVIVORS="$SURVIVORS $id"
		;;
	esac
	printf '%-9s %-34s %s\n' "$result" "$id" "$by"
done <<EOF
$LIST
EOF

scored=$((killed + survived))
if [ $scored -gt 0 ]; then
	pct=$((100 * killed / scored))
else
	pct=0
fi
echo "mutate: $total mutants: $killed killed, $survived survived, $nobuild did not build, $stale stale; score $killed/$scored ($pct %)"
[ -z "$SURVIVORS" ] || echo "mutate: to look at:$SURVIVORS"
[ $total -gt 0 ] && [ -z "$SURVIVORS" ]
