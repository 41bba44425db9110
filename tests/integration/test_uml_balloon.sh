#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real Linux guest against pagereport-balloond: boot User-Mode Linux with
# a vhost-user virtio-balloon (virtio_uml), load virtio_balloon, fill and
# delete a 150 MiB tmpfs file inside the guest, and check that the daemon
# discarded >= 100 MiB and that the guest's RAM file (a shmem file in a
# private $TMPDIR under /dev/shm) really lost >= 100 MiB of allocated
# blocks.  Exits 77 only when linux.uml or the balloon module is missing.
set -u

BUILD=${top_builddir:-.}
DAEMON=${PGR_BALLOOND:-$BUILD/src/balloond/pagereport-balloond}
MIB=1048576

. "$(dirname "$0")/uml-env.sh"
if [ ! -x "$DAEMON" ]; then
	echo "FAIL: $DAEMON not built"
	exit 1
fi

# RAM file dir (shmem) and a hand-over dir the guest can see: the guest
# mounts devtmpfs over /dev, so /dev/shm is hidden from it.
DIR=$(mktemp -d /dev/shm/pgr-uml.XXXXXX) || exit 1
XDIR=$(mktemp -d "${TMPDIR:-/tmp}/pgr-uml.XXXXXX") || exit 1
DPID=
UPID=
cleanup() {
	[ -n "$UPID" ] && kill -9 "$UPID" 2>/dev/null
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$DIR" "$XDIR"
}
trap cleanup EXIT INT TERM

SOCK=$DIR/balloon.sock
"$DAEMON" --socket-path="$SOCK" 2>"$DIR/daemon.log" &
DPID=$!
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -S "$SOCK" ]; then
	echo "FAIL: daemon did not create $SOCK"; cat "$DIR/daemon.log"; exit 1
fi

# The guest's init: hostfs root is the host's /, so $DIR is shared and is
# how the guest and this script hand over (marker files).
cat >"$XDIR/init.sh" <<INIT
#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs -o size=200m tmpfs /mnt
$INSMOD $MOD && echo "guest: balloon loaded"
sleep 3
dd if=/dev/zero of=/mnt/fill bs=1M count=150 2>/dev/null
sync
echo "guest: filled"; cat /proc/meminfo | grep -E 'MemFree|Shmem:'
touch $XDIR/filled
while [ ! -e $XDIR/go ]; do sleep 0.2; done
rm -f /mnt/fill
echo "guest: freed"; grep MemFree /proc/meminfo
sleep 7
cat /proc/buddyinfo
touch $XDIR/reported
while [ ! -e $XDIR/go2 ]; do sleep 0.2; done
halt -f
INIT
chmod +x "$XDIR/init.sh"

TMPDIR=$DIR timeout 55 "$UML" mem=256M root=/dev/root rootfstype=hostfs \
	rootflags=/ rw init="$XDIR/init.sh" con=null con0=null,fd:1 \
	virtio_uml.device="$SOCK":5 >"$DIR/uml.log" 2>&1 </dev/null &
UPID=$!

# The RAM file is created and unlinked in $TMPDIR: find it through /proc.
ram_blocks() {
	for p in $(pgrep -P "$UPID" 2>/dev/null) "$UPID" $(pgrep -f "rootflags=/ rw init=$XDIR/init.sh" 2>/dev/null); do
		for f in /proc/"$p"/fd/*; do
			case $(readlink "$f" 2>/dev/null) in
			"$DIR"/*deleted*)
				stat -L -c '%b %B' "$f" 2>/dev/null |
					awk '{ print $1 * $2 }'
				return 0 ;;
			esac
		done
	done
	echo 0
}

wait_for() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 400 ]; do
		if ! kill -0 "$UPID" 2>/dev/null; then return 1; fi
		sleep 0.1; i=$((i + 1))
	done
	[ -e "$1" ]
}

fail() {
	echo "FAIL: $*"
	echo "--- guest console"; cat "$DIR/uml.log"
	echo "--- daemon"; cat "$DIR/daemon.log"
	exit 1
}

wait_for "$XDIR/filled" || fail "guest did not fill its tmpfs"
BEFORE=$(ram_blocks)
touch "$XDIR/go"
wait_for "$XDIR/reported" || fail "guest did not finish"
AFTER=$(ram_blocks)
touch "$XDIR/go2"
wait "$UPID"
UPID=
kill -TERM "$DPID"
wait "$DPID"
DRC=$?
DPID=

cat "$DIR/uml.log" | grep -E "guest:|reporting|balloon" | head -20
cat "$DIR/daemon.log"
DISC=$(sed -n 's/.*bytes_discarded \([0-9]*\).*/\1/p' "$DIR/daemon.log" | tail -n 1)
DISC=${DISC:-0}
DROP=$((BEFORE - AFTER))
echo "RAM file allocated: before $((BEFORE / MIB)) MiB, after $((AFTER / MIB)) MiB, dropped $((DROP / MIB)) MiB"
echo "daemon discarded: $((DISC / MIB)) MiB"
[ "$DRC" -eq 0 ] || fail "daemon exited $DRC on SIGTERM"
[ "$BEFORE" -gt 0 ] || fail "could not find the guest RAM file"
[ "$DISC" -ge $((100 * MIB)) ] || fail "daemon discarded less than 100 MiB"
[ "$DROP" -ge $((100 * MIB)) ] || fail "RAM file lost less than 100 MiB"
echo "PASS"
exit 0
