#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The overcommit question with real kernels, at small scale (issue 13 item
# 4): K User-Mode Linux guests at once, each with its own
# pagereport-balloond (vhost-user virtio-balloon) and its RAM file in a
# private $TMPDIR under /dev/shm, launched one every STAGGER seconds.
# Every guest runs the same phases:
#   boot   until its init runs (virtio_balloon loaded first when --mode on)
#   settle HOLD seconds (boot-time reporting runs meanwhile when on)
#   fill   FILL% of its RAM written to a tmpfs file (dd, 1 MiB blocks)
#   hold   HOLD seconds
#   free   the file deleted, then idle until the run ends (AFTER seconds
#          after the last guest freed)
# Host side: every INTERVAL seconds, each guest's RAM file allocated bytes
# (st_blocks * 512 of the unlinked shmem file, found through /proc/PID/fd)
# -> CSV time_s,g0,...,g(K-1),sum.  A second CSV has each guest's phase
# times (seen by polling marker files the guest writes through hostfs).
#
# --mode on:  virtio_balloon.ko loaded, free page reporting on, the daemon
#             punches holes in the RAM file.
# --mode off: the module is not loaded (the unmodified guest: no balloon
#             driver, no reporting); the daemon still runs, unused.
#
# Exits 77 (skip, with a message) when linux.uml or the UML balloon module
# is missing.  Every UML process, daemon and directory of the run is
# removed on every exit path.
set -u

DAEMON=${PGR_BALLOOND:-src/balloond/pagereport-balloond}
K=4
MEM=256
FILL=85
STAGGER=12
HOLD=3
AFTER=8
INTERVAL=0.25
MODE=on
OUT=
EVENTS=

usage() {
	echo "usage: $0 [--guests K] [--mem MiB] [--fill PCT] [--stagger S]" \
	     "[--hold S] [--after S] [--interval S] [--mode on|off]" \
	     "--out CSV [--events CSV]"
}
while [ $# -gt 0 ]; do
	case $1 in
	--guests) K=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	--fill) FILL=$2; shift 2 ;;
	--stagger) STAGGER=$2; shift 2 ;;
	--hold) HOLD=$2; shift 2 ;;
	--after) AFTER=$2; shift 2 ;;
	--interval) INTERVAL=$2; shift 2 ;;
	--mode) MODE=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--events) EVENTS=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
case $MODE in on|off) ;; *) usage >&2; exit 2 ;; esac
isnum() { case $1 in ''|*[!0-9]*) return 1 ;; esac; }
for v in "$K" "$MEM" "$FILL" "$STAGGER" "$HOLD" "$AFTER"; do
	isnum "$v" || { echo "$0: not a whole number: $v" >&2; exit 2; }
done
if [ -z "$OUT" ] || [ "$K" -lt 1 ] || [ "$K" -gt 16 ] ||
   [ "$MEM" -lt 128 ] || [ "$FILL" -lt 1 ] || [ "$FILL" -gt 95 ]; then
	usage >&2
	echo "(1 <= K <= 16, MEM >= 128, 1 <= FILL <= 95)" >&2
	exit 2
fi
[ -n "$EVENTS" ] || EVENTS=${OUT%.csv}-events.csv

. "$(dirname "$0")/../tests/integration/uml-env.sh"
if [ ! -x "$DAEMON" ]; then
	echo "FAIL: $DAEMON not built (set PGR_BALLOOND)"
	exit 1
fi

# RAM files under /dev/shm (one private TMPDIR per guest); the hand-over
# dir under /tmp, which the guest sees through hostfs (it mounts devtmpfs
# over /dev, hiding /dev/shm).
ROOT=$(mktemp -d /dev/shm/pgr-ouml.XXXXXX) || exit 1
XROOT=$(mktemp -d "${TMPDIR:-/tmp}/pgr-ouml.XXXXXX") || { rmdir "$ROOT"; exit 1; }
UPIDS=
DPIDS=
cleanup() {
	trap - EXIT INT TERM HUP
	for p in $UPIDS; do kill -9 "$p" 2>/dev/null; done
	# Every process of this run names $ROOT on its command line (the
	# guests' sockets, the daemons'): that catches UML's own host
	# processes, which outlive a killed parent stopped under ptrace, and
	# a guest or daemon started just before the signal came.
	n=0
	while pgrep -f "$ROOT/" >/dev/null 2>&1 && [ $n -lt 50 ]; do
		for p in $(pgrep -f "$ROOT/" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		sleep 0.1; n=$((n + 1))
	done
	for p in $UPIDS $DPIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$ROOT" "$XROOT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

now_ms() { date +%s%3N; }
T0=$(now_ms)
rel() { awk -v a="$1" -v b="$T0" 'BEGIN { printf "%.3f", (a - b) / 1000 }'; }

FILL_MIB=$((MEM * FILL / 100))
TMPFS_MIB=$((FILL_MIB + 16))

start_guest() {
	i=$1
	D=$ROOT/g$i
	X=$XROOT/g$i
	mkdir -p "$D" "$X"
	"$DAEMON" --socket-path="$D/balloon.sock" 2>"$D/daemon.log" &
	DPIDS="$DPIDS $!"
	n=0
	while [ ! -S "$D/balloon.sock" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	if [ ! -S "$D/balloon.sock" ]; then
		echo "FAIL: daemon $i did not create its socket"; cat "$D/daemon.log"; exit 1
	fi
	if [ "$MODE" = on ]; then LOAD="$INSMOD $MOD"; else LOAD=:; fi
	cat >"$X/init.sh" <<INIT
#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs -o size=${TMPFS_MIB}m tmpfs /mnt
$LOAD
touch $X/booted
sleep $HOLD
dd if=/dev/zero of=/mnt/fill bs=1M count=$FILL_MIB 2>/dev/null
touch $X/filled
sleep $HOLD
rm -f /mnt/fill
touch $X/freed
while [ ! -e $X/stop ]; do sleep 0.5; done
halt -f
INIT
	chmod +x "$X/init.sh"
	TMPDIR=$D "$UML" mem=${MEM}M root=/dev/root rootfstype=hostfs \
		rootflags=/ rw init="$X/init.sh" con=null con0=null,fd:1 \
		virtio_uml.device="$D/balloon.sock":5 >"$D/uml.log" 2>&1 </dev/null &
	UPIDS="$UPIDS $!"
	eval "UPID_$i=$!"
	eval "LAUNCH_$i=$(rel "$(now_ms)")"
}

# Allocated bytes of guest i's RAM file into RB (0 until it exists).  The
# fd path is cached once found (no subshell, so the cache sticks).
ram_bytes() {
	i=$1
	RB=0
	eval "fd=\${FD_$i:-}"
	if [ -n "$fd" ] && st=$(stat -L -c '%b %B' "$fd" 2>/dev/null); then
		RB=$((${st% *} * ${st#* }))
		return
	fi
	eval "p=\${UPID_$i:-}"
	[ -n "$p" ] || return
	for q in "$p" $(pgrep -P "$p" 2>/dev/null); do
		for f in /proc/"$q"/fd/*; do
			case $(readlink "$f" 2>/dev/null) in
			"$ROOT/g$i/"*deleted*)
				eval "FD_$i=$f"
				st=$(stat -L -c '%b %B' "$f" 2>/dev/null) || return
				RB=$((${st% *} * ${st#* }))
				return ;;
			esac
		done
	done
}

hdr=time_s
i=0
while [ $i -lt "$K" ]; do hdr="$hdr,g$i"; i=$((i + 1)); done
echo "$hdr,sum" >"$OUT"

started=0
done_at=
while :; do
	t=$(rel "$(now_ms)")
	# launch guest number $started when its time has come
	if [ $started -lt "$K" ] &&
	   awk -v t="$t" -v s=$((started * STAGGER)) 'BEGIN { exit !(t >= s) }'; then
		start_guest $started
		started=$((started + 1))
	fi
	row=$t
	sum=0
	i=0
	nfreed=0
	while [ $i -lt "$K" ]; do
		b=0
		if [ $i -lt $started ]; then
			ram_bytes $i
			b=$RB
			for ph in booted filled freed; do
				eval "seen=\${${ph}_$i:-}"
				if [ -z "$seen" ] && [ -e "$XROOT/g$i/$ph" ]; then
					eval "${ph}_$i=$t"
				fi
			done
			eval "[ -n \"\${freed_$i:-}\" ]" && nfreed=$((nfreed + 1))
			eval "up=\$UPID_$i"
			if ! kill -0 "$up" 2>/dev/null; then
				echo "FAIL: guest $i exited early"; grep -v "^ \[" "$ROOT/g$i/uml.log" | tail -25
				exit 1
			fi
		fi
		row="$row,$b"
		sum=$((sum + b))
		i=$((i + 1))
	done
	echo "$row,$sum" >>"$OUT"
	if [ $nfreed -eq "$K" ] && [ -z "$done_at" ]; then done_at=$t; fi
	if [ -n "$done_at" ] &&
	   awk -v t="$t" -v d="$done_at" -v a="$AFTER" 'BEGIN { exit !(t >= d + a) }'; then
		break
	fi
	if awk -v t="$t" -v l=$((K * STAGGER + 120)) 'BEGIN { exit !(t > l) }'; then
		echo "FAIL: the guests did not finish their phases in time"
		for i in $(seq 0 $((K - 1))); do echo "--- guest $i"; tail -5 "$ROOT/g$i/uml.log"; done
		exit 1
	fi
	sleep "$INTERVAL"
done

echo "guest,launch_s,booted_s,filled_s,freed_s,discarded_bytes" >"$EVENTS"
i=0
while [ $i -lt "$K" ]; do touch "$XROOT/g$i/stop"; i=$((i + 1)); done
for p in $UPIDS; do
	n=0
	while kill -0 "$p" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
done
for p in $DPIDS; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
DPIDS=
i=0
while [ $i -lt "$K" ]; do
	disc=$(sed -n 's/.*bytes_discarded \([0-9]*\).*/\1/p' "$ROOT/g$i/daemon.log" | tail -n 1)
	eval "echo \"g$i,\$LAUNCH_$i,\$booted_$i,\$filled_$i,\$freed_$i,${disc:-0}\"" >>"$EVENTS"
	i=$((i + 1))
done
echo "overcommit-uml: $K guests x $MEM MiB, fill $FILL% ($FILL_MIB MiB), mode $MODE: $OUT"
exit 0
