#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Set-up for a fresh Debian machine: install the Debian packages that are
# missing (apt-get), generate and run configure, and build into build/.
#
#   scripts/setup.sh [configure options...]
#
# Environment: BUILD_DIR (default build), JOBS (default nproc).
set -eu

cd "$(dirname "$0")/.."
SRC=$(pwd)
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# Build tools and libraries, the test frameworks, the profiler, the plots,
# valgrind, the real guest (User-Mode Linux + kmod for insmod inside it)
# and clang with its runtime (libFuzzer) for the fuzz targets; GNU
# parallel for the shard test, cffi and pytest for the Python bindings;
# QEMU, a static busybox, cpio, strace and e2fsprogs for the x86-64 guest
# (scripts/qemu-guest-image.sh, pagereport-guest);
# libabigail's abidw/abidiff for make abi-check.
PACKAGES="build-essential autoconf automake libtool pkg-config git
check libcmocka-dev libgoogle-perftools-dev google-perftools
python3 python3-matplotlib valgrind user-mode-linux kmod clang libclang-rt-14-dev
parallel python3-cffi python3-pytest
xz-utils qemu-system-x86 busybox-static cpio strace e2fsprogs abigail-tools"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -n "$missing" ]; then
	echo "setup: installing Debian packages:$missing"
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then
		SUDO=sudo
	fi
	$SUDO apt-get update -q
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
fi

if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	echo "setup: autoreconf"
	autoreconf -fi
fi

# Default options: warnings are errors (the code is warning-free on
# Debian 12's gcc; CI uses exactly this set-up).
if [ $# -eq 0 ]; then
	set -- --enable-werror
fi
mkdir -p "$BUILD_DIR"
cd "$BUILD_DIR"
if [ ! -f config.status ] || [ "$SRC/configure" -nt config.status ] ||
	[ "$(sed -n "s/^ac_cs_config='\\(.*\\)'$/\\1/p" config.status)" != "$*" ]; then
	"$SRC/configure" "$@"
fi
make -j"$JOBS"

# The QEMU guest (Debian's Linux 6.1 and a busybox initramfs) in
# $BUILD_DIR/guest: fetched once with apt-get download, then offline.
# Another build tree reuses the package build/ fetched.
PGR_GUEST_DEBS="$SRC/build/guest" "$SRC/scripts/qemu-guest-image.sh" -o guest
