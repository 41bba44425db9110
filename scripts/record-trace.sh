#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Record a real trace of the kernel's page allocator (the kmem tracepoints
# mm_page_alloc, mm_page_alloc_zone_locked, mm_page_free,
# mm_page_free_batched, mm_page_pcpu_drain) while a workload runs, with
# /proc/zoneinfo and /proc/buddyinfo before and after and, with --kpage,
# /proc/kpageflags + /proc/kpagecount snapshots at the start and the end
# (for an exact comparison of the free-block layout).
#
# Usage: scripts/record-trace.sh [-o DIR] [-t SECONDS] [--kpage]
#                                [--buffer-kb N] [--pipe] [--no-binary]
#                                [-- COMMAND...]
# The events stay in the ring buffer (N KiB per CPU, default 262144) and
# are read from `trace` at the end, so no reader competes with the
# workload; the buffer does not overwrite (options/overwrite=0): when it
# fills, later events are dropped and counted in DIR/dropped.  --pipe reads
# trace_pipe while recording instead ("[LOST n EVENTS]" lines say what the
# reader missed).
# Default COMMAND: build this project (make -j2 in a scratch copy of the
# build tree) and then a 1 GiB memory hog, each bounded by the time limit.
# Needs root (tracefs, /proc/kpage*).  Bounded: the whole recording stops
# after SECONDS (default 60), and the events are turned off again on exit,
# error or interrupt (trap), restoring the buffer size.
# At the end the text is also imported (BUDDY view, the zones of
# zoneinfo.start) into DIR/trace.pgrb, the binary pgrtrace format, with
# pagereport-sim: $PGR_SIM, else the build tree's, else the one on PATH;
# --no-binary skips it.
set -euo pipefail

out=trace-$(date -u +%Y%m%dT%H%M%SZ)
secs=60
kpage=0
buffer_kb=262144
pipe=0
binary=1
while [ $# -gt 0 ]; do
	case "$1" in
	-o) out=$2; shift 2 ;;
	-t) secs=$2; shift 2 ;;
	--kpage) kpage=1; shift ;;
	--buffer-kb) buffer_kb=$2; shift 2 ;;
	--pipe) pipe=1; shift ;;
	--no-binary) binary=0; shift ;;
	-h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	*) echo "record-trace: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "record-trace: needs root" >&2; exit 1; }
case "$secs" in ''|*[!0-9]*) echo "record-trace: -t needs seconds" >&2; exit 2 ;; esac

T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null || true
[ -d $T/events/kmem ] || { echo "record-trace: no kmem events in $T" >&2; exit 1; }
EVENTS="mm_page_alloc mm_page_alloc_zone_locked mm_page_free mm_page_free_batched mm_page_pcpu_drain"
mkdir -p "$out"
old_buffer=$(cat $T/buffer_size_kb | sed 's/ .*//')
old_overwrite=$(cat $T/options/overwrite)
reader=

cleanup() {
	set +e
	for e in $EVENTS; do echo 0 > $T/events/kmem/$e/enable; done
	echo 0 > $T/tracing_on
	[ -n "$reader" ] && kill "$reader" 2>/dev/null && wait "$reader" 2>/dev/null
	echo > $T/trace
	echo "$old_buffer" > $T/buffer_size_kb
	echo "$old_overwrite" > $T/options/overwrite
	[ -n "${scratch:-}" ] && rm -rf "$scratch"
	[ -n "${shm:-}" ] && rm -rf "$shm"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# kpageflags/kpagecount: 8 bytes per pfn, pfns 0 .. the end of the last zone
max_pfn=$(awk '/start_pfn:/ {s=$2} /spanned/ {sp=$2} /start_pfn:/ { if (s+sp > m) m = s+sp } END {print m}' /proc/zoneinfo)
# The snapshots are written into tmpfs files allocated before tracing
# starts (fallocate on tmpfs allocates the pages): writing 50 MiB of
# page cache while the snapshot is read would take, behind the reader's
# back, pages it has already seen as free.
shm=
if [ $kpage = 1 ]; then
	shm=$(mktemp -d /dev/shm/pgr-record.XXXXXX)
	for w in start end; do
		for k in kpageflags kpagecount; do
			fallocate -l $((max_pfn * 8)) "$shm/$k.$w"
		done
	done
fi
snapshot() {
	cat /proc/zoneinfo > "$out/zoneinfo.$1"
	cat /proc/buddyinfo > "$out/buddyinfo.$1"
	if [ $kpage = 1 ]; then
		# big reads into the preallocated files
		dd if=/proc/kpageflags of="$shm/kpageflags.$1" bs=1M \
			count=$((max_pfn * 8)) iflag=count_bytes conv=notrunc status=none
		dd if=/proc/kpagecount of="$shm/kpagecount.$1" bs=1M \
			count=$((max_pfn * 8)) iflag=count_bytes conv=notrunc status=none
	fi
	date -u +%s.%N > "$out/time.$1"
}

echo 0 > $T/tracing_on
echo > $T/trace
echo "$buffer_kb" > $T/buffer_size_kb
echo 0 > $T/options/overwrite
for e in $EVENTS; do echo 1 > $T/events/kmem/$e/enable; done
if [ $pipe = 1 ]; then
	cat $T/trace_pipe > "$out/trace_pipe.txt" &
	reader=$!
fi
echo 1 > $T/tracing_on
# the start snapshot is taken with the events on, so what changes while
# it is read is in the trace (and races with the snapshot: see README)
cat $T/trace_clock > "$out/trace_clock"
awk '{print $1}' /proc/uptime > "$out/uptime.start"
snapshot start

deadline=$(( $(date +%s) + secs ))
left() { echo $(( deadline - $(date +%s) > 1 ? deadline - $(date +%s) : 1 )); }
if [ $# -gt 0 ]; then
	echo "$*" > "$out/workload"
	timeout --signal=INT "$(left)" "$@" > "$out/workload.log" 2>&1 || true
else
	here=$(cd "$(dirname "$0")/.." && pwd)
	scratch=$(mktemp -d /tmp/pgr-record.XXXXXX)
	echo "make -j2 (scratch copy of $here); 1 GiB hog" > "$out/workload"
	if [ -f "$here/build/Makefile" ]; then
		cp -a "$here/build" "$scratch/build"
		( cd "$scratch/build" && make clean >/dev/null 2>&1 || true )
		timeout --signal=INT $(( $(left) * 2 / 3 + 1 )) \
			make -C "$scratch/build" -j2 > "$out/workload.log" 2>&1 || true
	fi
	timeout --signal=INT "$(left)" /usr/bin/python3 -c '
import time
b = bytearray(1 << 30)
for i in range(0, len(b), 4096):
    b[i] = 1
time.sleep(1)
del b
time.sleep(1)
' >> "$out/workload.log" 2>&1 || true
fi
snapshot end
awk '{print $1}' /proc/uptime > "$out/uptime.end"
for e in $EVENTS; do echo 0 > $T/events/kmem/$e/enable; done
echo 0 > $T/tracing_on
if [ $pipe = 1 ]; then
	sleep 1 # let the reader drain the buffer
	kill "$reader" 2>/dev/null || true
	wait "$reader" 2>/dev/null || true
	reader=
	file=trace_pipe.txt
else
	cat $T/trace > "$out/trace.txt"
	file=trace.txt
fi
# events the ring buffer dropped, per CPU ("dropped events" / "overrun")
for c in $T/per_cpu/cpu*; do
	echo "$(basename "$c") $(grep -E '^(overrun|dropped events):' "$c/stats" | tr '\n' ' ')"
done > "$out/dropped"
if [ $kpage = 1 ]; then
	mv "$shm"/kpage* "$out/"
fi
uname -r > "$out/kernel"
grep -vc '^#' "$out/$file" > "$out/lines" || true
echo "record-trace: $(cat "$out/lines") lines in $out/$file"
cat "$out/dropped"
if [ $binary = 1 ]; then
	here=$(cd "$(dirname "$0")/.." && pwd)
	sim=${PGR_SIM:-}
	[ -n "$sim" ] || [ ! -x "$here/build/src/sim/pagereport-sim" ] ||
		sim=$here/build/src/sim/pagereport-sim
	[ -n "$sim" ] || sim=$(command -v pagereport-sim || true)
	if [ -z "$sim" ]; then
		echo "record-trace: no pagereport-sim for $out/trace.pgrb" \
			"(set PGR_SIM, or --no-binary)" >&2
	elif "$sim" --import "$out/$file" --zoneinfo "$out/zoneinfo.start" \
		--convert "$out/trace.pgrb" --quiet; then
		echo "record-trace: binary trace in $out/trace.pgrb"
	else
		echo "record-trace: converting to $out/trace.pgrb failed" >&2
	fi
fi
