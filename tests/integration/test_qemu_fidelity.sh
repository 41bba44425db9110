#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fidelity against a real VMM: Debian's Linux 6.1 (x86-64, 2 vCPUs, THP,
# pageblock order 9) under QEMU with TCG and QEMU's own virtio-balloon
# (free-page-reporting=on), recorded with pagereport-guest: boot-time
# reporting, a tmpfs fill, the delete and the reporting after it.  The
# real side is QEMU's discards (strace of its madvise(MADV_DONTNEED) in
# guest RAM) and its RSS; the model (pagereport-sim compare, seeded) is
# laid out from the guest's own zoneinfo and pagetypeinfo at the driver's
# load and right after rm: upstream, profile 6.1, capacity 32, 2 s delay,
# order 9, one device over DMA and DMA32.
#
# Asserted: passes equal and reported bytes within FID_TOL_PCT (2 %) at
# boot and after the delete.  Printed: ranges, times (t50/t90/t99, never
# asserted), RSS per window, and the per-order free-block distance of the
# model's own fill-and-delete against the kernel's.  Exits 77 only when
# QEMU cannot start (or has no guest kernel: the image cannot be built).
# FID_QEMU_MEM (MiB, default 1024), FID_QEMU_FILL (MiB, default 704 at
# 1 GiB, 1664 at 2 GiB, else 11/16 of the guest), FID_KEEP=DIR keeps the
# recording.
set -u

BUILD=${top_builddir:-.}
SRC=${top_srcdir:-.}
GUEST=${PGR_GUEST:-$BUILD/src/guestrec/pagereport-guest}
SIM=${PGR_SIM:-$BUILD/src/sim/pagereport-sim}
MEM=${FID_QEMU_MEM:-1024}
case $MEM in
1024) FILL=704 ;;
2048) FILL=1664 ;;
*) FILL=$((MEM * 11 / 16)) ;;
esac
FILL=${FID_QEMU_FILL:-$FILL}
TOL=${FID_TOL_PCT:-2}
QEMU=${PGR_QEMU:-qemu-system-x86_64}

for f in "$GUEST" "$SIM"; do
	if [ ! -x "$f" ]; then
		echo "FAIL: $f not found (make check builds it)"
		exit 1
	fi
done
if ! command -v "$QEMU" >/dev/null 2>&1; then
	echo "SKIP: $QEMU not found (Debian package qemu-system-x86; scripts/setup.sh installs it)"
	exit 77
fi
# Can QEMU make the machine at all (firmware, TCG)?  It quits at once.
if ! echo quit | "$QEMU" -accel tcg -machine pc -nodefaults -display none \
	-monitor stdio -S >/dev/null 2>&1; then
	echo "SKIP: $QEMU cannot start a TCG pc machine:"
	echo quit | "$QEMU" -accel tcg -machine pc -nodefaults -display none -monitor stdio -S 2>&1 | tail -n 3
	exit 77
fi
if ! "$SRC/scripts/qemu-guest-image.sh" -q -o "$BUILD/guest"; then
	echo "SKIP: no guest kernel for QEMU: the image could not be built (above)"
	exit 77
fi
if ! command -v strace >/dev/null 2>&1; then
	echo "FAIL: strace not found (the project set-up installs it)"
	exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pgr-qfid.XXXXXX") || exit 1
cleanup() {
	if [ -n "${FID_KEEP:-}" ] && [ -d "$TMP/rec" ]; then
		mkdir -p "$FID_KEEP" && cp -r "$TMP/rec" "$FID_KEEP/"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

t0=$(date +%s)
# The guest: fill a tmpfs, mark the window before rm (its snapshot is the
# fill), snapshot right after rm (the model's seed), wait for reporting.
"$GUEST" -q -o "$TMP/rec" --mem "${MEM}M" --smp 2 --no-trace --no-kpageflags \
	--no-end-settle --timeout 400 -- sh -c "
mount -t tmpfs -o size=$((FILL + 16))m fill /mnt
dd if=/dev/zero of=/mnt/fill bs=1M count=$FILL 2>/dev/null
sync
pgr-phase delete
rm -f /mnt/fill
pgr-phase -s deleted
pgr-settle" >"$TMP/guest.log" 2>&1
rc=$?
t1=$(date +%s)
if [ $rc -ne 0 ]; then
	echo "FAIL: pagereport-guest exited $rc"
	cat "$TMP/guest.log"
	tail -n 20 "$TMP/rec/console.txt" "$TMP/rec/qemu.log" 2>/dev/null
	exit 1
fi
echo "=== guest ${MEM} MiB, 2 vCPUs (TCG), tmpfs fill ${FILL} MiB; recorded in $((t1 - t0)) s"
"$SIM" compare "$TMP/rec" --model seeded --check boot,delete \
	--tolerance-pct "$TOL" --distance start,delete,end
rc=$?
echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg); test wall time $(($(date +%s) - t0)) s)"
if [ $rc -ne 0 ]; then
	echo "FAIL: the model and QEMU's discards differ beyond the tolerance (exit $rc)"
	exit 1
fi
echo "PASS"
exit 0
