#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Build the QEMU guest that tests/integration/test_qemu_fidelity.sh and
# pagereport-guest boot: Debian's own Linux 6.1 kernel (the package that
# linux-image-amd64 depends on, fetched with apt-get download) and a
# busybox initramfs with the virtio modules our guest needs and our guest
# init (src/guestrec/guest-init.sh).  Everything is cached in DIR: a second
# run with the same inputs does nothing, and once the package is fetched
# no network is needed.
#
#   scripts/qemu-guest-image.sh [-o DIR] [--init FILE] [-q]
#
#   -o DIR       the cache and the image (default: build/guest)
#   --init FILE  the guest's /init (default: guest-init.sh next to this
#                script when installed, src/guestrec/guest-init.sh in a
#                source tree)
#   -q           print nothing when the image is up to date
#
# Writes DIR/vmlinux (the kernel, uncompressed: QEMU boots its ELF through
# the PVH entry and skips the 5 s that decompressing it under TCG costs),
# DIR/initramfs.cpio.gz and DIR/kernel.release.  PGR_GUEST_DEBS: more
# directories (blank-separated) where a fetched package may be found
# before downloading one.  Needs apt-get and
# dpkg-deb (Debian), xz, cpio, gzip and a static busybox (busybox-static).
set -eu

out=build/guest
init=
quiet=0
here=$(cd "$(dirname "$0")" && pwd)

die() {
	echo "qemu-guest-image: $*" >&2
	exit 1
}
say() { [ "$quiet" = 1 ] || echo "qemu-guest-image: $*"; }

while [ $# -gt 0 ]; do
	case "$1" in
	-o) [ $# -ge 2 ] || die "-o needs a directory"; out=$2; shift 2 ;;
	--init) [ $# -ge 2 ] || die "--init needs a file"; init=$2; shift 2 ;;
	-q) quiet=1; shift ;;
	-h | --help) sed -n '3,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option $1 (see --help)" ;;
	esac
done
if [ -z "$init" ]; then
	for f in "$here/guest-init.sh" "$here/../src/guestrec/guest-init.sh"; do
		if [ -f "$f" ]; then init=$f; break; fi
	done
fi
[ -n "$init" ] && [ -f "$init" ] || die "the guest init script is missing (--init FILE)"
for t in dpkg-deb xz cpio gzip; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found (Debian packages dpkg, xz-utils, cpio, gzip)"
done
busybox=$(command -v busybox 2>/dev/null || true)
[ -n "$busybox" ] || die "busybox not found (Debian package busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked: the initramfs needs busybox-static"
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)

# The modules, in load order; the balloon is loaded last by the guest
# init, after tracing is set up.  virtio_blk and ext4 (with what it needs)
# serve the disks.
MODULES="drivers/virtio/virtio_ring drivers/virtio/virtio
drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci_legacy_dev
drivers/virtio/virtio_pci drivers/block/virtio_blk lib/crc16
crypto/crc32c_generic fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4
drivers/virtio/virtio_balloon"

# 1. The kernel package: a cached one, or the one linux-image-amd64
# depends on now.
deb=
for d in "$out" ${PGR_GUEST_DEBS:-}; do
	deb=$(ls "$d"/linux-image-6.1*-amd64_*_amd64.deb 2>/dev/null | sort -V | tail -n 1 || true)
	[ -n "$deb" ] && break
done
if [ -z "$deb" ]; then
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found: the guest kernel comes from Debian's archive"
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.1\.[0-9]*-[0-9]*-amd64\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || die "apt-cache does not name a 6.1 kernel for linux-image-amd64 (Debian 12's archive; run apt-get update)"
	say "fetching $pkg (apt-get download, about 70 MB)"
	sandbox=
	[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	if ! (cd "$out" && apt-get -q $sandbox download "$pkg"); then
		die "cannot download $pkg: the Debian archive is not reachable (apt-get download failed above); once fetched, the package is kept in $out"
	fi
	deb=$(ls "$out"/"$pkg"_*_amd64.deb 2>/dev/null | tail -n 1)
	[ -n "$deb" ] || die "apt-get download left no $pkg package in $out"
fi

# 2. Unpack only the kernel and the modules we load (dpkg-deb's data
# tarball, a few members of it: the whole package is 400 MB unpacked).
kdir=$out/kernel
if [ ! -f "$kdir/stamp" ] || [ "$(cat "$kdir/stamp")" != "$(basename "$deb")" ]; then
	say "unpacking $(basename "$deb")"
	rm -rf "$kdir" "$out/.unpack"
	mkdir -p "$out/.unpack"
	pats="./boot/vmlinuz-* ./boot/config-*"
	for m in $MODULES; do
		pats="$pats ./lib/modules/*/kernel/$m.ko*"
	done
	# shellcheck disable=SC2086
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$out/.unpack" --wildcards $pats ||
		die "cannot unpack $deb"
	mkdir -p "$out/.unpack/k/modules"
	vmlinuz=$(ls "$out"/.unpack/boot/vmlinuz-* | head -n 1)
	release=${vmlinuz##*/vmlinuz-}
	grep -q '^CONFIG_PAGE_REPORTING=y' "$out"/.unpack/boot/config-* ||
		die "$release has no CONFIG_PAGE_REPORTING"
	for m in $MODULES; do
		f=$(ls "$out"/.unpack/lib/modules/*/kernel/"$m".ko* 2>/dev/null | head -n 1)
		[ -n "$f" ] || die "$release has no module $m"
		case "$f" in
		*.ko.xz) xz -dc "$f" >"$out/.unpack/k/modules/${m##*/}.ko" ;;
		*.ko) cp "$f" "$out/.unpack/k/modules/" ;;
		*) die "$f: unknown module compression" ;;
		esac
	done
	# The ELF inside the bzImage: its xz stream, which begins with the
	# xz magic (FD 37 7A 58 5A 00).
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -n 1 | cut -d: -f1)
	[ -n "$off" ] || die "$vmlinuz: no xz stream (the kernel is not xz-compressed)"
	tail -c +$((off + 1)) "$vmlinuz" | xz -dc --single-stream >"$out/.unpack/k/vmlinux" ||
		die "$vmlinuz: cannot decompress the kernel"
	[ "$(head -c 4 "$out/.unpack/k/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] ||
		die "$vmlinuz: the decompressed kernel is not an ELF file"
	cp "$out"/.unpack/boot/config-* "$out/.unpack/k/config"
	echo "$release" >"$out/.unpack/k/release"
	basename "$deb" >"$out/.unpack/k/stamp"
	mv "$out/.unpack/k" "$kdir"
	rm -rf "$out/.unpack"
fi
release=$(cat "$kdir/release")

# 3. The initramfs: busybox with its applets as links, the modules, the
# init.  Rebuilt when any input changed.
want="$(basename "$deb") $(cksum <"$init") $(cksum <"$busybox") $(cksum <"$0")"
if [ -f "$out/initramfs.cpio.gz" ] && [ -f "$out/initramfs.stamp" ] &&
	[ "$(cat "$out/initramfs.stamp")" = "$want" ] &&
	[ -f "$out/vmlinux" ]; then
	say "guest image up to date in $out ($release)"
	exit 0
fi
say "writing the initramfs"
root=$out/.root
rm -rf "$root"
mkdir -p "$root/bin" "$root/lib/modules" "$root/proc" "$root/sys" "$root/dev" \
	"$root/tmp" "$root/mnt" "$root/pgr" "$root/etc"
cp "$busybox" "$root/bin/busybox"
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
cp "$init" "$root/init"
chmod 755 "$root/init"
for h in pgr-phase pgr-settle pgr-log; do
	ln -s ../init "$root/bin/$h"
done
: >"$root/etc/modules"
for m in $MODULES; do
	cp "$kdir/modules/${m##*/}.ko" "$root/lib/modules/"
	echo "${m##*/}" >>"$root/etc/modules"
done
echo "$release" >"$root/etc/kernel-release"
(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) |
	gzip -n -1 >"$out/initramfs.cpio.gz.new"
mv "$out/initramfs.cpio.gz.new" "$out/initramfs.cpio.gz"
ln -f "$kdir/vmlinux" "$out/vmlinux"
echo "$release" >"$out/kernel.release"
echo "$want" >"$out/initramfs.stamp"
rm -rf "$root"
say "guest image ready in $out ($release)"
