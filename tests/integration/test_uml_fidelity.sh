#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fidelity against the real kernel: boot User-Mode Linux (Linux 6.1, one
# CPU) against pagereport-balloond --report-log, for two guest sizes.  The
# guest loads virtio_balloon (boot-time reporting), fills a tmpfs with
# most of its memory, deletes it (reporting again).  At each phase it
# copies /proc/buddyinfo, pagetypeinfo, zoneinfo and slabinfo into a
# hand-over dir on hostfs; the daemon logs every report with its time.
# tests/integration/uml_model then builds the model from the guest's
# layout (profile 6.1, no huge pages: pageblock order 10, MAX_ORDER 11,
# upstream strategy, capacity 32, 2 s delay, virtual clock), seeds it with
# the guest's free blocks per order and migratetype, runs reporting to
# idle and compares passes, reports, ranges, MiB and t50/t90/t99.
#
# Asserted: passes and reports equal, reported bytes within TOL_PCT (2 %)
# of the kernel's.  Printed, not asserted: times (no timing assertions),
# and the per-order free-block distance of the model's own fill-and-delete
# against the kernel's, after the fill and after the delete, split into
# MOVABLE and other lists, beside what the model cannot see (the kernel's
# non-MOVABLE list changes, its per-CPU pages at boot).  Exits 77 only when linux.uml or the balloon
# module is missing.  Guest sizes: FID_SIZES (MiB, default "512 2560").
set -u

BUILD=${top_builddir:-.}
DAEMON=${PGR_BALLOOND:-$BUILD/src/balloond/pagereport-balloond}
MODEL=${PGR_UML_MODEL:-$BUILD/tests/integration/uml_model}
SIZES=${FID_SIZES:-512 2560}
TOL_PCT=${FID_TOL_PCT:-2}
# No report for this long ends a phase: the kernel's passes are 2 s apart.
QUIET_MS=3500

. "$(dirname "$0")/uml-env.sh"
for f in "$INSMOD" "$DAEMON" "$MODEL"; do
	if [ ! -x "$f" ]; then
		echo "FAIL: $f not found (insmod: package kmod; the others: make check builds them)"
		exit 1
	fi
done

# RAM files go to /dev/shm (shmem: punching holes frees host memory); the
# hand-over dir must be outside it, because the guest mounts devtmpfs
# over /dev.
XBASE=${TMPDIR:-/tmp}
case $XBASE in /dev/*) XBASE=/tmp ;; esac
DIR=
XDIR=
DPID=
UPID=
cleanup() {
	if [ -n "$UPID" ]; then
		kill -9 "$UPID" 2>/dev/null
		# UML's helper threads are processes: kill what is left.
		for p in $(pgrep -f "init=$XDIR/init.sh" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null
		done
		wait "$UPID" 2>/dev/null
	fi
	if [ -n "$DPID" ]; then
		kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	fi
	[ -n "$DIR" ] && rm -rf "$DIR"
	if [ -n "$XDIR" ]; then
		[ -n "${FID_KEEP:-}" ] && mkdir -p "$FID_KEEP" &&
			cp -r "$XDIR" "$FID_KEEP/" 2>/dev/null
		rm -rf "$XDIR"
	fi
	DIR= XDIR= DPID= UPID=
}
trap 'cleanup; exit 1' INT TERM
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	[ -n "$DIR" ] && { echo "--- guest console"; tail -n 30 "$DIR/uml.log"
		echo "--- daemon"; tail -n 10 "$DIR/daemon.log"; }
	exit 1
}

now_ns() { "$MODEL" now; }
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# Wait (bounded by $2 deciseconds) for file $1 while the guest lives.
wait_for() {
	i=0
	while [ ! -e "$1" ] && [ "$i" -lt "$2" ]; do
		kill -0 "$UPID" 2>/dev/null || return 1
		sleep 0.05; i=$((i + 1))
	done
	[ -e "$1" ]
}

# Wait until the report log has lines and none came for QUIET_MS (bounded
# by $1 s); $2 = the line count before the phase.
wait_quiet() {
	t_end=$(( $(now_ns) + $1 * 1000000000 ))
	n=$(lines "$LOG"); t_last=$(now_ns)
	while :; do
		sleep 0.2
		t=$(now_ns)
		m=$(lines "$LOG")
		if [ "$m" -ne "$n" ]; then n=$m; t_last=$t; fi
		[ "$n" -gt "$2" ] && [ $((t - t_last)) -ge $((QUIET_MS * 1000000)) ] && return 0
		[ "$t" -ge "$t_end" ] && return 1
		kill -0 "$UPID" 2>/dev/null || return 1
	done
}

run_size() {
	MEM=$1
	FILL=$((MEM * 4 / 5))
	DIR=$(mktemp -d /dev/shm/pgr-fid.XXXXXX) || fail "mktemp /dev/shm"
	XDIR=$(mktemp -d "$XBASE/pgr-fid.XXXXXX") || fail "mktemp $XBASE"
	LOG=$XDIR/report.log
	SOCK=$DIR/balloon.sock
	"$DAEMON" --socket-path="$SOCK" --report-log="$LOG" 2>"$DIR/daemon.log" &
	DPID=$!
	i=0
	while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -S "$SOCK" ] || fail "daemon did not create $SOCK"

	cat >"$XDIR/init.sh" <<INIT
#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
X=$XDIR
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs -o size=$((FILL + 16))m tmpfs /mnt
snap() { cat /proc/buddyinfo >\$X/\$1.buddyinfo; cat /proc/pagetypeinfo >\$X/\$1.pagetypeinfo; cat /proc/zoneinfo >\$X/\$1.zoneinfo; cat /proc/slabinfo >\$X/\$1.slabinfo; }
waitf() { while [ ! -e \$X/\$1 ]; do sleep 0.05; done; }
$INSMOD $MOD || echo "guest: insmod failed"
touch \$X/loaded
snap boot0
waitf snap-boot
snap boot
dd if=/dev/zero of=/mnt/fill bs=1M count=$FILL 2>/dev/null
sync
snap fill
touch \$X/filled
waitf go
touch \$X/deleting
rm -f /mnt/fill
snap deleted0
touch \$X/deleted
waitf snap-after
snap after
touch \$X/done
waitf halt
halt -f
INIT
	chmod +x "$XDIR/init.sh"

	TMPDIR=$DIR timeout 170 "$UML" mem="${MEM}M" root=/dev/root \
		rootfstype=hostfs rootflags=/ rw init="$XDIR/init.sh" \
		con=null con0=null,fd:1 virtio_uml.device="$SOCK":5 \
		>"$DIR/uml.log" 2>&1 </dev/null &
	UPID=$!

	wait_for "$XDIR/loaded" 600 || fail "$MEM MiB: guest did not load the balloon driver"
	echo "load $(now_ns)" >"$XDIR/phases"
	wait_quiet 60 0 || fail "$MEM MiB: boot-time reporting did not settle"
	touch "$XDIR/snap-boot"
	wait_for "$XDIR/filled" 1200 || fail "$MEM MiB: guest did not fill its tmpfs"
	NB=$(lines "$LOG")
	touch "$XDIR/go"
	wait_for "$XDIR/deleting" 200 || fail "$MEM MiB: guest did not start the delete"
	echo "delete $(now_ns) $NB" >>"$XDIR/phases"
	wait_for "$XDIR/deleted" 600 || fail "$MEM MiB: guest did not delete"
	wait_quiet 60 "$NB" || fail "$MEM MiB: reporting after the delete did not settle"
	touch "$XDIR/snap-after"
	wait_for "$XDIR/done" 200 || fail "$MEM MiB: guest did not take the last snapshot"
	touch "$XDIR/halt"
	i=0
	while kill -0 "$UPID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -0 "$UPID" 2>/dev/null && kill -9 "$UPID" 2>/dev/null
	wait "$UPID" 2>/dev/null
	UPID=
	kill -TERM "$DPID"
	wait "$DPID"
	DRC=$?
	DPID=
	[ "$DRC" -eq 0 ] || fail "daemon exited $DRC on SIGTERM"
	grep -q "Free page reporting enabled" "$DIR/uml.log" ||
		echo "note: the guest console did not say 'Free page reporting enabled'"

	echo "=== guest mem=${MEM}M, tmpfs fill ${FILL} MiB"
	"$MODEL" compare --dir="$XDIR" --tolerance-pct="$TOL_PCT" ||
		fail "$MEM MiB: model and kernel differ beyond the tolerance"
	cleanup
}

for s in $SIZES; do
	run_size "$s"
done
echo "PASS"
exit 0
