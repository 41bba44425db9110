#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The guest side of pagereport-guest: /init of the busybox initramfs that
# scripts/qemu-guest-image.sh writes, and, by the name it is called with,
# the helpers a workload uses inside the guest:
#
#   pgr-phase [-s] NAME     mark a phase: copy buddyinfo, pagetypeinfo,
#                           zoneinfo, meminfo, vmstat and slabinfo into
#                           phase/NAME of the recording and tell the host
#                           (which stamps its discard timeline); -s takes
#                           the snapshot without starting a new window
#   pgr-settle [QUIET [MAX]] wait until the host has seen no discard for
#                           QUIET seconds (default: pagereport-guest
#                           --settle), at most MAX (default 120)
#   pgr-log TEXT            a line on pagereport-guest's output
#
# The host talks to us over the second serial port (ttyS1): "PGR ..."
# lines out, "settled N" / "timeout N" answers in.  /pgr/config (from the
# run's own initramfs archive) holds the run's settings, /pgr/cmd the
# workload, /pgr/work what the user copied in.  Outputs collect in /pgr/out
# (a tmpfs of their own) and leave, as a tar archive, over a raw virtio
# disk; the kmem trace's ring-buffer pages go straight to a second one.  Order of a run:
# modules (the balloon last), tracing set up but off, the balloon loaded
# (phase "boot": boot-time reporting starts 2 s later), a settle, tracing
# on and /proc/kpageflags copied (phase "start"), the workload, phase
# "end", a settle, tracing off, snapshot "final", the disks written,
# power off.
PATH=/bin
export PATH
CTL=/dev/ttyS1
OUT=/pgr/out
T=/sys/kernel/tracing
EVENTS="mm_page_alloc mm_page_alloc_zone_locked mm_page_free
mm_page_free_batched mm_page_pcpu_drain mm_page_alloc_extfrag"

now() {
	read -r u _ </proc/uptime
	echo "$u"
}

send() {
	echo "PGR $*" >$CTL
}

# NAME KIND: KIND "window" starts a new window of the discard timeline,
# "snap" only copies the files.
snapshot() {
	case "$1" in
	'' | *[!A-Za-z0-9_.-]*)
		echo "pgr-phase: a phase name is letters, digits, '_', '.' or '-'" >&2
		return 2
		;;
	esac
	if [ -e "$OUT/phase/$1" ]; then
		echo "pgr-phase: phase $1 was marked already" >&2
		return 2
	fi
	mkdir -p "$OUT/phase/$1"
	t0=$(now)
	[ -w $T/trace_marker ] && echo "pgr-phase $1" >$T/trace_marker 2>/dev/null
	for f in buddyinfo pagetypeinfo zoneinfo meminfo vmstat slabinfo; do
		cat /proc/$f >"$OUT/phase/$1/$f"
	done
	echo "$1 $2 $t0 $(now)" >>$OUT/phases
	send phase "$1" "$2" "$t0"
}

# QUIET MAX: ask the host to wait for quiet; prints the host's answer.
settle() {
	send settle "$1" "$2"
	while :; do
		read -r a b <$CTL || return 1
		case "$a" in
		settled) echo "settled ($b discards)"; return 0 ;;
		timeout) echo "settle: still discarding after $2 s ($b discards)"; return 1 ;;
		esac
	done
}

fail() {
	echo "pgr-init: $*" >&2
	send error "$*"
	sync
	poweroff -f
}

case "${0##*/}" in
pgr-phase)
	kind=window
	if [ "${1:-}" = -s ]; then
		kind=snap
		shift
	fi
	[ $# -eq 1 ] || { echo "usage: pgr-phase [-s] NAME" >&2; exit 2; }
	snapshot "$1" "$kind"
	exit $?
	;;
pgr-settle)
	. /pgr/config
	settle "${1:-$PGR_SETTLE}" "${2:-$PGR_SETTLE_MAX}"
	exit $?
	;;
pgr-log)
	send log "$*"
	exit 0
	;;
esac

# ---- /init -----------------------------------------------------------------
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# The initramfs has no /dev/console, so the kernel gave us no stdio.
exec 0</dev/console 1>/dev/console 2>&1
mount -t tmpfs -o mode=1777 tmp /tmp
mkdir -p $OUT
mount -t tmpfs -o mode=755 pgrout $OUT
stty -F $CTL raw -echo
# Keep the port open, so that the host's answers wait for their reader.
sleep 2147483647 <$CTL &
[ -f /pgr/config ] || fail "no /pgr/config: boot this image with pagereport-guest"
. /pgr/config
send hello "$(now)" "$(cat /etc/kernel-release)"

while read -r m; do
	[ "$m" = virtio_balloon ] && continue
	insmod /lib/modules/$m.ko || fail "insmod $m failed"
done </etc/modules

outdisk=
tracedisk=
for b in /sys/block/vd*; do
	[ -e "$b/serial" ] || continue
	case "$(cat "$b/serial")" in
	pgrout) outdisk=/dev/${b##*/} ;;
	pgrtrace) tracedisk=/dev/${b##*/} ;;
	pgrin)
		mkdir -p /mnt/disk
		mount -t ext4 /dev/${b##*/} /mnt/disk || fail "cannot mount the input disk"
		;;
	esac
done
[ -n "$outdisk" ] || fail "no output disk (serial pgrout)"

if [ "$PGR_TRACE" = 1 ]; then
	[ -n "$tracedisk" ] || fail "no trace disk (serial pgrtrace)"
	mount -t tracefs nodev $T || fail "cannot mount tracefs"
	echo 0 >$T/tracing_on
	echo mono >$T/trace_clock
	echo 0 >$T/options/overwrite
	echo "$PGR_TRACE_KB" >$T/buffer_size_kb || fail "cannot size the trace buffer ($PGR_TRACE_KB KiB per CPU)"
	for e in $EVENTS; do
		echo 1 >$T/events/kmem/$e/enable || fail "no kmem event $e"
	done
	echo >$T/trace
fi

# /proc/kpageflags: 8 bytes per pfn up to the end of the last zone; the
# file is allocated now, so that copying it later allocates nothing.
max_pfn=$(awk '/^ *spanned/ {sp = $2} /start_pfn:/ {if ($2 + sp > m) m = $2 + sp} END {print m}' /proc/zoneinfo)
if [ "$PGR_KPAGE" = 1 ]; then
	fallocate -l $((max_pfn * 8)) $OUT/kpageflags.start || fail "cannot allocate the kpageflags copy"
fi
{
	echo "release $(cat /etc/kernel-release)"
	echo "cpus $(nproc)"
	echo "max_pfn $max_pfn"
	echo "cmdline $(cat /proc/cmdline)"
	echo "thp $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
} >$OUT/guest.info

insmod /lib/modules/virtio_balloon.ko || fail "insmod virtio_balloon failed"
snapshot boot window
echo "page_reporting_order $(cat /sys/module/page_reporting/parameters/page_reporting_order 2>/dev/null)" >>$OUT/guest.info
dmesg | grep -q "Free page reporting enabled" ||
	send log "warning: dmesg does not say 'Free page reporting enabled'"
[ "$PGR_BOOT_SETTLE" = 1 ] && settle "$PGR_SETTLE" "$PGR_SETTLE_MAX" >/dev/null

[ "$PGR_TRACE" = 1 ] && echo 1 >$T/tracing_on
if [ "$PGR_KPAGE" = 1 ]; then
	dd if=/proc/kpageflags of=$OUT/kpageflags.start bs=65536 \
		count=$((max_pfn * 8)) iflag=count_bytes conv=notrunc 2>/dev/null ||
		fail "cannot copy /proc/kpageflags"
fi
snapshot start window

cd /pgr/work || fail "no /pgr/work"
sh /pgr/cmd >$OUT/workload.log 2>&1 </dev/null
rc=$?
cd /
echo "$rc" >$OUT/workload.rc
snapshot end window
[ "$PGR_END_SETTLE" = 1 ] && settle "$PGR_SETTLE" "$PGR_SETTLE_MAX" >/dev/null
if [ "$PGR_TRACE" = 1 ]; then
	echo 0 >$T/tracing_on
	for c in $T/per_cpu/cpu*; do
		echo "${c##*/} $(tr '\n' ' ' <"$c/stats")"
	done >$OUT/trace.stats
fi
snapshot final snap

if [ "$PGR_TRACE" = 1 ]; then
	# The ring buffer's pages as they are (trace_pipe_raw), each CPU to
	# its region of the trace disk, with the formats to decode them: the
	# host prints the text (formatting it here would take a minute).
	mkdir -p $OUT/tracefmt
	cp $T/events/header_page $OUT/tracefmt/header_page
	for e in $EVENTS; do
		cp $T/events/kmem/$e/format $OUT/tracefmt/$e.format
	done
	pids=
	for c in $T/per_cpu/cpu*; do
		n=${c##*/cpu}
		dd if=$c/trace_pipe_raw of="$tracedisk" bs=4096 \
			seek=$((n * PGR_TRACE_REGION)) count=$PGR_TRACE_REGION \
			conv=notrunc 2>/dev/null &
		pids="$pids $!"
	done
	# A reader blocks once its buffer is empty: stop them then (within
	# a minute in any case).
	i=0
	for c in $T/per_cpu/cpu*; do
		while ! grep -q '^entries: 0$' $c/stats && [ $i -lt 600 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	done
	[ $i -lt 600 ] || send log "warning: the trace readers did not finish"
	sleep 1
	kill $pids 2>/dev/null
	wait $pids 2>/dev/null
	for c in $T/per_cpu/cpu*; do
		echo "${c##*/} $(tr '\n' ' ' <"$c/stats")"
	done >$OUT/trace.stats.after
fi
sync
tar -cf "$outdisk" -C $OUT . || fail "cannot write the output disk"
sync
send done "$rc" "$(now)"
poweroff -f
