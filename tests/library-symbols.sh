#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The shape of the installed library, read from the built
# src/.libs/libpagereport.so with nm:
#   - it exports (nm -D) only the public API: pgr_ names, none of the
#     internal pgr__ ones (and the version script's node names), each bound
#     to a LIBPAGEREPORT_ version node (objdump -T; src/libpagereport.map);
#   - it holds no vhost-user back-end, balloon device model or device
#     side of the split ring, not even as hidden symbols (nm): those live
#     in src/libpagereport-backend.la, which only pagereport-balloond and
#     the tests link;
#   - it installs no signal handler: a library must not take SIGBUS (or
#     any signal) from the process that loads it, so it imports none of
#     sigaction, signal, sigsetjmp or siglongjmp.
set -u
top_builddir=${top_builddir:-.}
lib=$top_builddir/src/.libs/libpagereport.so
fail=0
bad() { echo "library-symbols: FAIL: $*" >&2; fail=1; }

if [ ! -f "$lib" ]; then
	echo "library-symbols: SKIP: no $lib (configured --disable-shared?)"
	exit 77
fi
for t in nm objdump; do
	command -v $t >/dev/null 2>&1 || { echo "library-symbols: no $t" >&2; exit 1; }
done

exported=$(nm -D --defined-only "$lib" | awk '{ sub(/@.*/, "", $NF); print $NF }')
[ -n "$exported" ] || { bad "nm -D lists no symbol in $lib"; exit 1; }
for s in $exported; do
	case $s in
	pgr__*) bad "exports the internal $s" ;;
	pgr_*) ;;
	LIBPAGEREPORT_*) ;; # version nodes (src/libpagereport.map)
	*) bad "exports $s (not pgr_)" ;;
	esac
done

unversioned=$(objdump -T "$lib" | awk '$NF ~ /^pgr_/ && $(NF-1) !~ /^LIBPAGEREPORT_/ { print $NF }')
[ -z "$unversioned" ] || bad "exported without a LIBPAGEREPORT_ version:" $unversioned

all=$(nm --defined-only "$lib" | awk '{ print $NF }')
[ -n "$all" ] || { bad "no symbol table in $lib (stripped?)"; exit 1; }
backend=$(echo "$all" | grep -E '^(pgr__vhost_backend_|pgr__balloon_dev|pgr__balloon_discard$|pgr__balloon_reporting_vq$|pgr__vring_(device_init|pop|push|need_call)$|on_sigbus$)')
[ -z "$backend" ] || bad "back-end symbols in the library:" $backend

imports=$(nm -D --undefined-only "$lib" | awk '{ print $NF }' |
	grep -E '^(sigaction|signal|bsd_signal|sysv_signal|__sigsetjmp|sigsetjmp|siglongjmp|__longjmp_chk)(@.*)?$')
[ -z "$imports" ] || bad "imports signal handling:" $imports

[ $fail -eq 0 ] || exit 1
echo "library-symbols: $(echo "$exported" | grep -c '^pgr_') pgr_ symbols exported, no back-end"
