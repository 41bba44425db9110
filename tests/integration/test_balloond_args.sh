#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# pagereport-balloond's argument errors say what is wrong: an empty
# --socket-path, an --fd that is not open, an --fd that is open but not a
# socket.  Each is a usage error (exit 2, or 1 for the last, found when
# serving) with a message naming the problem; the daemon never starts.
set -u
top_builddir=${top_builddir:-.}
DAEMON=${DAEMON:-$top_builddir/src/balloond/pagereport-balloond}
fail() { echo "test_balloond_args: FAIL: $*" >&2; exit 1; }
[ -x "$DAEMON" ] || fail "$DAEMON not built"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pgr-balloond-args.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

"$DAEMON" --socket-path= >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "empty --socket-path: exit $rc"
grep -q -- "--socket-path is empty" "$tmp/err" || { cat "$tmp/err"; fail "empty path message"; }

# fd 9 closed in the daemon
"$DAEMON" --fd 9 9>&- >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "closed --fd: exit $rc"
grep -q -- "--fd 9: not an open file descriptor" "$tmp/err" ||
	{ cat "$tmp/err"; fail "closed fd message"; }

# fd 9 open on a regular file
"$DAEMON" --fd 9 9<"$0" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -ne 0 ] || fail "--fd on a file accepted"
grep -q -- "--fd 9 is not a socket" "$tmp/err" || { cat "$tmp/err"; fail "not a socket message"; }
echo "test_balloond_args: ok"
exit 0
